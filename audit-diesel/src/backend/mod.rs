//! What each database is, as the library sees it: [`AuditBackend`] (sealed), implemented in one
//! file per backend (`pg.rs`, `sqlite.rs`, `mysql.rs`): its name, SQL dialect, clock, `as_of` strategy and
//! how it binds the history columns. Nothing here depends on the write or read paths; those
//! depend on it.
//!
//! Each backend's write path, how it writes a change and its history row atomically, is one file
//! of [`write`](crate::write): `write/pg.rs` (one data-modifying CTE per write: the change,
//! `RETURNING` the new row, feeds the history insert in the same statement), `write/sqlite.rs`
//! (a transaction, a savepoint inside the caller's: the change with `RETURNING`, then the history
//! rows bound from what it returned). A backend without `RETURNING` (MySQL) fits the same seam:
//! inside a transaction it reads the row by key after the change (or before the delete) and
//! inserts the history row from it.

#[cfg(feature = "mysql")]
mod mysql;
#[cfg(feature = "postgres")]
mod pg;
#[cfg(feature = "sqlite")]
mod sqlite;

mod sealed {
    /// Implemented by this crate only.
    pub trait Sealed {}
    #[cfg(feature = "sqlite")]
    impl Sealed for diesel::sqlite::Sqlite {}
    #[cfg(feature = "postgres")]
    impl Sealed for diesel::pg::Pg {}
    #[cfg(feature = "mysql")]
    impl Sealed for diesel::mysql::Mysql {}
}

use diesel::backend::Backend;
use diesel::query_builder::AstPass;
use diesel::result::QueryResult;
use diesel::serialize::ToSql;
use diesel::sql_types::{HasSqlType, Nullable, Text};

use crate::schema::Dialect;
use crate::sql_types::{HistoryDate, HistoryTypeCode};
use crate::user_id::UserIdKind;
use crate::HistoryType;

/// A Diesel backend the audit trail can write to: PostgreSQL, SQLite (and MySQL).
///
/// Sealed: implemented by this crate for each backend it supports.
pub trait AuditBackend:
    Backend + HasSqlType<HistoryDate> + HasSqlType<HistoryTypeCode> + HasSqlType<Text> + sealed::Sealed
{
    /// The dialect of its DDL.
    const DIALECT: Dialect;
    /// Its name, for errors.
    const NAME: &'static str;
    /// How it answers `as_of` for a whole table.
    const AS_OF: AsOfStrategy;
    /// Equality that holds between two NULLs (`IS NOT DISTINCT FROM`, `IS`, `<=>`).
    const NULL_SAFE_EQ: &'static str;
    /// SQL that reads the database's clock as a `history_date`, evaluated when the history row is
    /// inserted (after the change took its row locks), with microseconds where the database has
    /// them.
    const CLOCK_SQL: &'static str;
    /// The most bind parameters one statement takes (65,535 on PostgreSQL, SQLite's
    /// `SQLITE_MAX_VARIABLE_NUMBER` of 32,766): bulk writes split their batches below it.
    const MAX_BINDS: usize;
    /// The empty hash a history insert carries into a chained table: the marker its chain
    /// trigger replaces with the row's link and hash (a row inserted without it stays
    /// unchained, and `verify` reports it).
    const CHAIN_MARKER_SQL: &'static str;

    /// The type `CAST(x AS <type>)` turns a value into text with: `TEXT`, or MySQL's `CHAR`.
    #[doc(hidden)]
    const TEXT_CAST: &'static str = "TEXT";

    /// Binds the history columns that do not depend on the model.
    #[doc(hidden)]
    fn bind_history_type<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        value: &'b HistoryType,
    ) -> QueryResult<()>;
    #[doc(hidden)]
    fn bind_reason<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        value: &'b Option<String>,
    ) -> QueryResult<()>;
    #[doc(hidden)]
    fn bind_metadata<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        value: &'b Option<serde_json::Value>,
    ) -> QueryResult<()>;
    /// `, <value>` for each of model `M`'s history-only fields.
    #[doc(hidden)]
    fn bind_history_fields<'b, M: crate::Historical>(
        out: &mut AstPass<'_, 'b, Self>,
        fields: &'b crate::contract::HistoryFieldsOf<M>,
    ) -> QueryResult<()>;
    #[doc(hidden)]
    fn bind_date<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        value: &'b chrono::DateTime<chrono::Utc>,
    ) -> QueryResult<()>;
    /// A changeset id.
    #[doc(hidden)]
    fn bind_uuid<'b>(out: &mut AstPass<'_, 'b, Self>, value: &'b uuid::Uuid) -> QueryResult<()>;
    /// `history_changeset_id`: the explicit id, or the backend's own for the current
    /// transaction where it has one (PostgreSQL), else `call`, the id of the library call.
    #[doc(hidden)]
    fn bind_changeset<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        call: &'b uuid::Uuid,
        explicit: bool,
    ) -> QueryResult<()>;
}

/// Implements the binds of [`AuditBackend`] for a backend whose `ToSql` impls exist.
macro_rules! audit_backend_binds {
    () => {
        fn bind_history_type<'b>(
            out: &mut diesel::query_builder::AstPass<'_, 'b, Self>,
            value: &'b crate::HistoryType,
        ) -> diesel::QueryResult<()> {
            out.push_bind_param::<crate::sql_types::HistoryTypeCode, _>(value)
        }
        fn bind_reason<'b>(
            out: &mut diesel::query_builder::AstPass<'_, 'b, Self>,
            value: &'b Option<String>,
        ) -> diesel::QueryResult<()> {
            out.push_bind_param::<diesel::sql_types::Nullable<diesel::sql_types::Text>, _>(value)
        }
        fn bind_metadata<'b>(
            out: &mut diesel::query_builder::AstPass<'_, 'b, Self>,
            value: &'b Option<serde_json::Value>,
        ) -> diesel::QueryResult<()> {
            out.push_bind_param::<
                                diesel::sql_types::Nullable<crate::sql_types::HistoryMetadata>,
                                _,
                            >(value)
        }
        fn bind_date<'b>(
            out: &mut diesel::query_builder::AstPass<'_, 'b, Self>,
            value: &'b chrono::DateTime<chrono::Utc>,
        ) -> diesel::QueryResult<()> {
            out.push_bind_param::<crate::sql_types::HistoryDate, _>(value)
        }
        fn bind_uuid<'b>(
            out: &mut diesel::query_builder::AstPass<'_, 'b, Self>,
            value: &'b uuid::Uuid,
        ) -> diesel::QueryResult<()> {
            out.push_bind_param::<crate::sql_types::PortableUuid, _>(value)
        }
    };
}
#[allow(unused_imports)]
pub(crate) use audit_backend_binds;

/// Binds `history_user_id` of one user id kind on one backend.
pub trait BindUserId<DB: Backend>: UserIdKind {
    #[doc(hidden)]
    fn bind<'b>(out: &mut AstPass<'_, 'b, DB>, value: &'b Option<Self::Value>) -> QueryResult<()>;
}

impl<U, DB> BindUserId<DB> for U
where
    U: UserIdKind,
    DB: Backend + HasSqlType<U::SqlType>,
    Option<U::Value>: ToSql<Nullable<U::SqlType>, DB>,
{
    fn bind<'b>(out: &mut AstPass<'_, 'b, DB>, value: &'b Option<Self::Value>) -> QueryResult<()> {
        out.push_bind_param::<Nullable<U::SqlType>, _>(value)
    }
}

/// Binds `history_id` of one history id kind on one backend.
pub trait BindHistoryId<DB: Backend>: crate::history_id::HistoryIdKind {
    #[doc(hidden)]
    fn bind<'b>(out: &mut AstPass<'_, 'b, DB>, value: &'b Self::Value) -> QueryResult<()>;
}

impl<H, DB> BindHistoryId<DB> for H
where
    H: crate::history_id::HistoryIdKind,
    DB: Backend + HasSqlType<H::SqlType>,
    H::Value: ToSql<H::SqlType, DB>,
{
    fn bind<'b>(out: &mut AstPass<'_, 'b, DB>, value: &'b Self::Value) -> QueryResult<()> {
        out.push_bind_param::<H::SqlType, _>(value)
    }
}

/// How a backend finds the latest history row of every object at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOfStrategy {
    /// Walks the distinct keys of the object index (a recursive skip scan) and probes the index
    /// once per object: work grows with the number of objects, not of history rows. Needs
    /// `LATERAL` (PostgreSQL, MySQL 8).
    SkipScan,
    /// Ranks the rows up to the time per object with `ROW_NUMBER()` and keeps the first: one pass
    /// over those rows (SQLite, MariaDB).
    Window,
}
