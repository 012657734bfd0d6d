//! An audit trail for Diesel.
#![warn(missing_docs)]

pub mod backend;
mod bind;
mod error;
mod historical;
pub mod sql_types;
pub mod user_id;
pub mod write;

pub use audit_core::{
    AuditContext, AuditContextBuilder, ChangeReason, ContextError, HistoryType,
    ParseHistoryTypeError, UserId,
};
pub use audit_derive::Historical;
pub use audit_schema as schema;
pub use audit_schema::{HistoryIdType, HistoryTableSpec, UserIdType};
pub use error::AuditError;
pub use historical::Historical;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

/// The names most code needs: `use audit_diesel::prelude::*;`.
pub mod prelude {
    pub use crate::{AuditContext, AuditError, Historical, HistoryType, UserId};
}
