//! The history row insert: the one place that renders it, for every backend and every write.
//!
//! ```sql
//! INSERT INTO <history> (<tracked>, history_type, history_user_id, history_change_reason,
//!                        history_date[, history_metadata])
//! <source>
//! ```
//!
//! where the source is the rows a data-modifying CTE returned ([`CteSource`], PostgreSQL), rows
//! bound from models in memory ([`RowsSource`], SQLite), or rows selected from the source table
//! ([`TableSource`], backfill).

use diesel::backend::Backend;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::result::QueryResult;

use super::HistoryMeta;
use crate::backend::{AuditBackend, BindUserId};
use crate::schema::spec::meta;
use crate::sql::{alias, column, keys_equal};
use crate::Historical;

/// Renders the body of the insert after its column list, for model `M`.
#[doc(hidden)]
pub trait SnapshotSource<M: Historical, DB: Backend> {
    /// The source, calling `meta` where each row's history values go.
    fn walk_rows<'b>(
        &'b self,
        meta: &'b HistoryMeta<M>,
        out: AstPass<'_, 'b, DB>,
    ) -> QueryResult<()>;
}

/// `, $type, $user, $reason, <date>[, $metadata]`: one row's history values.
pub(crate) fn walk_meta<'b, M, DB>(
    meta: &'b HistoryMeta<M>,
    out: &mut AstPass<'_, 'b, DB>,
) -> QueryResult<()>
where
    M: Historical,
    M::UserId: BindUserId<DB>,
    DB: AuditBackend,
{
    out.push_sql(", ");
    DB::bind_history_type(out, &meta.history_type)?;
    out.push_sql(", ");
    M::UserId::bind(out, &meta.user)?;
    out.push_sql(", ");
    DB::bind_reason(out, &meta.reason)?;
    out.push_sql(", ");
    match &meta.date {
        Some(date) => DB::bind_date(out, date)?,
        None => out.push_sql(DB::CLOCK_SQL),
    }
    if M::HISTORY.metadata {
        out.push_sql(", ");
        DB::bind_metadata(out, &meta.metadata)?;
    }
    if M::HISTORY.changeset {
        out.push_sql(", ");
        DB::bind_changeset(out, &meta.changeset, meta.explicit_changeset)?;
    }
    DB::bind_history_fields::<M>(out, &meta.fields)?;
    if M::HISTORY.chained() {
        // The marker the chain's trigger replaces with the row's link and hash.
        out.push_sql(", ");
        out.push_sql(DB::CHAIN_MARKER_SQL);
    }
    Ok(())
}

/// `<alias>."<column>", ...` of the tracked columns.
fn tracked_columns<DB: Backend>(
    spec: &crate::HistoryTableSpec,
    alias: &str,
    out: &mut AstPass<'_, '_, DB>,
) -> QueryResult<()> {
    for (i, tracked) in spec.columns.iter().enumerate() {
        if i > 0 {
            out.push_sql(", ");
        }
        column(out, alias, &tracked.name)?;
    }
    Ok(())
}

/// The rows returned by the data-modifying CTE `audit_changed` (PostgreSQL).
///
/// With `only_changed`, an update's rows are joined with `audit_old`, the same rows read
/// `FOR UPDATE` before the change in the same statement, and a row whose tracked columns are all
/// the same before and after writes no history.
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
#[doc(hidden)]
pub struct CteSource {
    pub(crate) only_changed: bool,
}

impl<M, DB> SnapshotSource<M, DB> for CteSource
where
    M: Historical,
    M::UserId: BindUserId<DB>,
    DB: AuditBackend,
{
    fn walk_rows<'b>(
        &'b self,
        meta: &'b HistoryMeta<M>,
        mut out: AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        let spec = M::HISTORY;
        out.push_sql("SELECT ");
        tracked_columns(spec, alias::CHANGED, &mut out)?;
        walk_meta::<M, DB>(meta, &mut out)?;
        out.push_sql(" FROM ");
        out.push_identifier(alias::CHANGED)?;
        if !self.only_changed {
            return Ok(());
        }
        out.push_sql(" LEFT JOIN ");
        out.push_identifier(alias::OLD)?;
        out.push_sql(" ON ");
        keys_equal(&mut out, spec, alias::CHANGED, alias::OLD)?;
        out.push_sql(" WHERE ");
        column(&mut out, alias::OLD, &spec.primary_key[0])?;
        out.push_sql(" IS NULL OR (");
        tracked_columns(spec, alias::CHANGED, &mut out)?;
        out.push_sql(") IS DISTINCT FROM (");
        tracked_columns(spec, alias::OLD, &mut out)?;
        out.push_sql(")");
        Ok(())
    }
}

/// Rows bound from models in memory (each model's generated snapshot): `VALUES (...), (...)`.
#[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
#[doc(hidden)]
pub struct RowsSource<S>(pub(crate) Vec<S>);

impl<M, S, DB> SnapshotSource<M, DB> for RowsSource<S>
where
    M: Historical,
    M::UserId: BindUserId<DB>,
    DB: AuditBackend,
    S: QueryFragment<DB>,
{
    fn walk_rows<'b>(
        &'b self,
        meta: &'b HistoryMeta<M>,
        mut out: AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        out.push_sql("VALUES ");
        for (i, row) in self.0.iter().enumerate() {
            out.push_sql(if i == 0 { "(" } else { ", (" });
            row.walk_ast(out.reborrow())?;
            walk_meta::<M, DB>(meta, &mut out)?;
            out.push_sql(")");
        }
        Ok(())
    }
}

/// Rows of the source table: `SELECT <tracked>, <history values> FROM <table> WHERE <condition>`
/// (backfill). The condition renders after `WHERE`, with the source table's name.
#[doc(hidden)]
pub struct TableSource<W> {
    pub(crate) condition: W,
}

impl<M, W, DB> SnapshotSource<M, DB> for TableSource<W>
where
    M: Historical,
    M::UserId: BindUserId<DB>,
    DB: AuditBackend,
    W: QueryFragment<DB>,
{
    fn walk_rows<'b>(
        &'b self,
        meta: &'b HistoryMeta<M>,
        mut out: AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        let table: &str = &M::HISTORY.source_table;
        out.push_sql("SELECT ");
        tracked_columns(M::HISTORY, table, &mut out)?;
        walk_meta::<M, DB>(meta, &mut out)?;
        out.push_sql(" FROM ");
        out.push_identifier(table)?;
        out.push_sql(" WHERE ");
        self.condition.walk_ast(out.reborrow())
    }
}

/// The insert of history rows of model `M` from source `S`.
#[doc(hidden)]
pub struct HistoryInsert<M: Historical, S> {
    source: S,
    meta: HistoryMeta<M>,
}

impl<M: Historical, S> HistoryInsert<M, S> {
    pub(crate) fn new(source: S, meta: HistoryMeta<M>) -> Self {
        HistoryInsert { source, meta }
    }
}

impl<M: Historical, S, Conn> diesel::RunQueryDsl<Conn> for HistoryInsert<M, S> {}

impl<M: Historical, S> QueryId for HistoryInsert<M, S> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<M, S, DB> QueryFragment<DB> for HistoryInsert<M, S>
where
    M: Historical,
    M::UserId: BindUserId<DB>,
    S: SnapshotSource<M, DB>,
    DB: AuditBackend,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("INSERT INTO ");
        out.push_identifier(&M::HISTORY.history_table)?;
        out.push_sql(" (");
        for column in M::HISTORY.columns.iter() {
            out.push_identifier(&column.name)?;
            out.push_sql(", ");
        }
        out.push_identifier(meta::HISTORY_TYPE)?;
        out.push_sql(", ");
        out.push_identifier(meta::HISTORY_USER_ID)?;
        out.push_sql(", ");
        out.push_identifier(meta::HISTORY_CHANGE_REASON)?;
        out.push_sql(", ");
        out.push_identifier(meta::HISTORY_DATE)?;
        if M::HISTORY.metadata {
            out.push_sql(", ");
            out.push_identifier(meta::HISTORY_METADATA)?;
        }
        if M::HISTORY.changeset {
            out.push_sql(", ");
            out.push_identifier(meta::HISTORY_CHANGESET_ID)?;
        }
        for field in M::HISTORY.history_fields.iter() {
            out.push_sql(", ");
            out.push_identifier(&field.name)?;
        }
        if M::HISTORY.chained() {
            out.push_sql(", ");
            out.push_identifier(meta::HISTORY_HASH)?;
        }
        out.push_sql(") ");
        self.source.walk_rows(&self.meta, out.reborrow())
    }
}

/// Hashes the `inserted` history rows the statement before wrote into `spec`'s table, where the
/// database's trigger cannot: on MySQL, ``CALL `<history>_chain`(LAST_INSERT_ID())``
/// ([`HistoryTableSpec::chain_call_sql`](crate::schema::HistoryTableSpec::chain_call_sql)),
/// in the same transaction. Nothing on PostgreSQL and SQLite, whose triggers chain each row
/// as it is inserted, for a table without a chain, or when nothing was inserted.
pub(crate) fn chain_inserted<C>(
    conn: &mut C,
    spec: &crate::schema::HistoryTableSpec,
    inserted: usize,
) -> QueryResult<()>
where
    C: diesel::Connection,
    C::Backend: AuditBackend,
{
    if inserted == 0 {
        return Ok(());
    }
    match spec.chain_call_sql(<C::Backend as AuditBackend>::DIALECT) {
        Some(call) => conn.batch_execute(&call),
        None => Ok(()),
    }
}
