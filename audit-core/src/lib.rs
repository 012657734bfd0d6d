//! Backend-agnostic types of the audit trail.
//!
//! This crate knows nothing of Diesel or SQL. It holds what every layer shares:
//!
//! - [`HistoryType`]: what a history row records (`+` create, `~` update, `-` delete);
//! - [`AuditContext`]: who makes a change, why, and when, handed to every audited write;
//! - [`ChangeReason`] and [`UserId`]: the validated parts of a context;
//! - [`HistoryDiff`] and [`FieldChange`]: what changed between two history rows;
//! - [`ContextError`] and [`ParseHistoryTypeError`]: what can be wrong with them.
//!
//! Applications use these through `audit-diesel`, which re-exports them.
#![warn(missing_docs)]

mod context;
mod diff;
mod error;
mod history_type;

pub use context::{AuditContext, AuditContextBuilder, ChangeReason, UserId};
pub use diff::{FieldChange, HistoryDiff};
pub use error::{ContextError, ParseHistoryTypeError};
pub use history_type::HistoryType;
