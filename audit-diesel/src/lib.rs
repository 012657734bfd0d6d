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
pub use audit_schema as schema;
pub use audit_schema::{HistoryTableSpec, UserIdType, HistoryIdType};
pub use audit_derive::Historical;
pub use error::AuditError;
pub use historical::Historical;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
