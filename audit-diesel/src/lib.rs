//! An audit trail for Diesel: who changed what, when and why, for every create, update and
//! delete, written atomically with the change.
//!
//! Mark a model with [`#[derive(Historical)]`](derive@Historical) and write through the
//! [`Historical`] methods. Each write stores one row in the model's history table: a snapshot of
//! its tracked columns, [`HistoryType`] (`+`, `~`, `-`), the user and reason of the
//! [`AuditContext`], and the date.
//!
//! ```
//! # include!("../doctest_setup.rs");
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mut conn = setup();
//! let ctx = AuditContext::builder().user(7).reason("new tank").build()?;
//! let tank = Tank::create(&mut conn, &ctx, &NewTank { name: "T1".into(), volume_m3: 40.0 })?;
//! Tank::update(&mut conn, &ctx.with_reason("resized")?, tank.id, tanks::volume_m3.eq(55.0))?;
//!
//! let trail: Vec<HistoricalTank> = historical_tanks::table
//!     .order((historical_tanks::history_date, historical_tanks::history_id))
//!     .load(&mut conn)?;
//! assert_eq!(trail.len(), 2);
//! assert_eq!(trail[1].history_type, HistoryType::Update);
//! assert_eq!(trail[1].volume_m3, 55.0);
//! assert_eq!(trail[1].history_user_id, Some(7));
//! assert_eq!(trail[1].history_change_reason.as_deref(), Some("resized"));
//! # Ok(())
//! # }
//! ```
//!
//! # The derive
//!
//! On a struct with `#[diesel(table_name = ...)]` (and `primary_key(...)` when the key is not
//! `id`), `#[derive(Historical)]` generates next to the model:
//!
//! - `historical_<table>`: the history table's `diesel::table!`, with the tracked columns and
//!   `history_id`, `history_date`, `history_type`, `history_user_id`, `history_change_reason`
//!   (and `history_metadata` with `#[historical(metadata)]`);
//! - `Historical<Model>`: its row struct (`Queryable`, `Selectable`, `Debug`, `Clone`; serde's
//!   traits with this crate's `serde` feature);
//! - compile-time checks that each field's SQL type is its column's and the model's key is the
//!   table's, each failing with a message that names the field;
//! - the [`Historical`] impl, whose [`HISTORY`](Historical::HISTORY) renders the table's DDL.
//!
//! | on the struct | meaning | default |
//! |---|---|---|
//! | `#[historical(table_name = name)]` | the history table | `historical_<table>` |
//! | `#[historical(record = Name)]` | the row struct | `Historical<Model>` |
//! | `#[historical(user_id_type = i32 \| i64 \| uuid \| text)]` | type of `history_user_id` | `i64` |
//! | `#[historical(history_id_type = bigint \| uuid)]` | kind of `history_id` | `bigint` |
//! | `#[historical(metadata)]` | store the context's JSON metadata | off |
//! | `#[historical(record_unchanged)]` | record updates that change no tracked column | off |
//! | `#[historical(cascade_delete_history)]` | a delete deletes the object's history (no `-` row) | off |
//! | `#[historical(history_field(name: Option<T>))]` | a history-only column set from the context or a hook | none |
//! | `#[historical(hooks)]` | run [`hooks::HistoryHooks`] around each history row | off |
//! | `#[historical(crate = path)]` | where generated code finds this crate (a re-export, a renamed dependency); a path that resolves from any module, `::name` or `crate::...` | `::audit_diesel` |
//! | `#[diesel(check_for_backend(...))]` | Diesel's own: the backends the model is written on | every enabled backend |
//!
//! | on a field | meaning |
//! |---|---|
//! | `#[historical(exclude)]` | not tracked (never the key) |
//! | `#[historical(sql_type = ...)]` | the column's SQL type, when the Rust type does not say it |
//! | `#[historical(ddl_type = "...")]` | the history column's DDL type, for custom SQL types |
//! | `#[historical(index)]` | index the column in history (`belongs_to` keys always are) |
//!
//! # Backends, and code generic over them
//!
//! Features `sqlite` (default) and `postgres`, named as Diesel names them, additive: a model's
//! types never depend on which are on. On PostgreSQL a write is one statement; on SQLite, a
//! transaction (a savepoint in the caller's) of two.
//!
//! Every call takes `conn: &mut C` with `C:` [`AuditConnection`], so a function of yours over
//! `C: AuditConnection` runs on every backend ([`connection`] shows one, and a `MultiConnection`).
//! The path of a call: the [`Historical`] method → [`AuditConnection::backend_connection`] → the
//! model's slot for that backend ([`slot`], set by the derive from
//! `#[diesel(check_for_backend(...))]`) → the backend's write path, one file each
//! (`write/pg.rs`, `write/sqlite.rs`, implementing [`write::WriteBackend`]) → the one history
//! insert (`write/history_insert.rs`). Reads go the same way to `read/` (a module per kind of
//! read) and maintenance to `maintenance/`; [`backend`] holds what each database is (its
//! dialect, clock, binds), which every layer reads and which reads none of them.
//!
//! | layer | modules |
//! |---|---|
//! | the facade | [`Historical`], [`HistoryRecord`], [`maintenance`]'s functions |
//! | across models | [`Registry`] (the application's models), [`changeset`] (read, list, revert) |
//! | dispatch | [`connection`] ([`AuditConnection`]), [`slot`] (`On`/`Off` per model and backend) |
//! | statements | [`write`](mod@write) (`pg.rs`, `sqlite.rs`, `history_insert.rs`, `statement.rs`), [`read`], [`maintenance`] |
//! | the databases | [`backend`] (`AuditBackend`, sealed), [`sql_types`] |
#![warn(missing_docs)]

pub mod backend;

mod bind;
pub mod chain;
pub mod changeset;
#[cfg(feature = "cli")]
pub mod cli;
pub mod connection;
mod contract;
pub mod diff;
pub mod drift;
pub mod dsl;
mod error;
pub mod guard;
mod historical;
pub mod history_id;
pub mod hooks;
pub mod maintenance;
pub mod read;
mod record;
pub mod registry;
pub mod slot;
mod sql;
pub mod sql_types;
#[cfg(feature = "testing")]
pub mod testing;
pub mod user_id;
pub mod write;

pub use audit_core::history_date;
pub use audit_core::{
    AuditContext, AuditContextBuilder, ChangeReason, ContextError, FieldChange, HistoryDiff,
    HistoryType, ParseHistoryTypeError, ParseUserIdError, UserId,
};
pub use audit_derive::Historical;
pub use audit_schema as schema;
pub use audit_schema::{HistoryIdType, HistoryTableSpec, SourceGuard, UserIdType};
pub use connection::{AuditConnection, BackendConnection};
pub use error::AuditError;
pub use historical::{Historical, Rows, DEFAULT_BATCH_SIZE};
pub use read::{AsOf, HistoryFilter, HistoryQuery, ObjectHistory, Page};
pub use record::{HistoryIdOf, HistoryRecord, UserIdOf};
pub use registry::Registry;

/// The README's examples, compiled and run as doctests (they use the CLI and diffs too).
#[cfg(all(doctest, feature = "cli", feature = "serde"))]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// What generated code names; not a public API. Its name carries the version of the derive it
/// was written for (`audit-derive` is pinned with `=`), so generated code never resolves against
/// another version's items.
#[doc(hidden)]
#[path = "private.rs"]
pub mod __private_0_1;

/// The names most code needs: `use audit_diesel::prelude::*;`.
pub mod prelude {
    pub use crate::{
        AuditConnection, AuditContext, AuditError, Historical, HistoryRecord, HistoryType, UserId,
    };
}
