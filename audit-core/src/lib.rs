//! Backend-agnostic types of the audit trail.
//!
//! This crate knows nothing of Diesel or SQL. It holds what every layer shares:
//!
//! - [`HistoryType`]: what a history row records (`+` create, `~` update, `-` delete);
//! - [`AuditContext`]: who makes a change, why, and when, handed to every audited write;
//! - [`ChangeReason`] and [`UserId`]: the validated parts of a context;
//! - [`HistoryDiff`] and [`FieldChange`]: what changed between two history rows;
//! - [`history_date`]: the range of dates history stores, and the one check of a date;
//! - [`ContextError`] and [`ParseHistoryTypeError`]: what can be wrong with them.
//!
//! Applications use these through `audit-diesel`, which re-exports them.
#![warn(missing_docs)]

mod context;
mod diff;
mod error;
pub mod history_date;
mod history_type;

pub use context::{AuditContext, AuditContextBuilder, ChangeReason, UserId};
pub use diff::{FieldChange, HistoryDiff};
pub use error::{ContextError, ParseHistoryTypeError, ParseUserIdError};
pub use history_type::HistoryType;
