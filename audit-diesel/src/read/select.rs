//! The SQL of history reads: one place renders every `SELECT` over a history table.
//!
//! These types appear in the bounds of the read methods; they are not meant to be built directly.

use chrono::{DateTime, Utc};
use diesel::backend::Backend;
use diesel::dsl::AsSelect;
use diesel::expression::Selectable;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::result::QueryResult;
use diesel::sql_types::BigInt;
use diesel::RunQueryDsl;

use crate::backend::{AsOfStrategy, AuditBackend, BindHistoryId, BindUserId};
use crate::schema::spec::meta;
use crate::{Historical, HistoryIdOf, HistoryType, UserIdOf};

/// Where the rows of a keyset page start, relative to a row of known date and id.
#[allow(missing_docs)]
pub enum Cursor<'s, M: Historical> {
    /// A row in hand: its date and id.
    Row(DateTime<Utc>, &'s HistoryIdOf<M>),
    /// Only the id: its date is looked up in the same statement.
    Id(&'s HistoryIdOf<M>),
}

/// The `WHERE` of a history read: every filter, `AND`-ed.
#[allow(missing_docs)]
pub struct Conditions<'s, M: Historical, F> {
    pub key: Option<M::HistoryKeyFilter<'s>>,
    pub user: Option<UserIdOf<M>>,
    pub history_type: Option<HistoryType>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Rows strictly before (newest first) or after (oldest first) the cursor.
    pub cursor: Option<Cursor<'s, M>>,
    pub newest_first: bool,
    /// Only the row with this id.
    pub history_id: Option<&'s HistoryIdOf<M>>,
    pub filter: &'s F,
}

/// `"<history table>"."<column>"`.
fn column<DB: Backend>(out: &mut AstPass<'_, '_, DB>, table: &str, name: &str) -> QueryResult<()> {
    out.push_identifier(table)?;
    out.push_sql(".");
    out.push_identifier(name)
}

impl<'s, M, F, DB> QueryFragment<DB> for Conditions<'s, M, F>
where
    M: Historical,
    DB: AuditBackend,
    M::UserId: BindUserId<DB>,
    M::HistoryId: BindHistoryId<DB>,
    M::HistoryKeyFilter<'s>: QueryFragment<DB>,
    F: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let table: &str = &M::HISTORY.history_table;
        out.push_sql(" WHERE (");
        self.filter.walk_ast(out.reborrow())?;
        out.push_sql(")");
        if let Some(key) = &self.key {
            out.push_sql(" AND ");
            key.walk_ast(out.reborrow())?;
        }
        if let Some(id) = self.history_id {
            out.push_sql(" AND ");
            column(&mut out, table, meta::HISTORY_ID)?;
            out.push_sql(" = ");
            M::HistoryId::bind(&mut out, id)?;
        }
        if self.user.is_some() {
            out.push_sql(" AND ");
            column(&mut out, table, meta::HISTORY_USER_ID)?;
            out.push_sql(" = ");
            M::UserId::bind(&mut out, &self.user)?;
        }
        if let Some(history_type) = &self.history_type {
            out.push_sql(" AND ");
            column(&mut out, table, meta::HISTORY_TYPE)?;
            out.push_sql(" = ");
            DB::bind_history_type(&mut out, history_type)?;
        }
        if let Some(since) = &self.since {
            out.push_sql(" AND ");
            column(&mut out, table, meta::HISTORY_DATE)?;
            out.push_sql(" >= ");
            DB::bind_date(&mut out, since)?;
        }
        if let Some(until) = &self.until {
            out.push_sql(" AND ");
            column(&mut out, table, meta::HISTORY_DATE)?;
            out.push_sql(" <= ");
            DB::bind_date(&mut out, until)?;
        }
        if let Some(cursor) = &self.cursor {
            out.push_sql(" AND (");
            column(&mut out, table, meta::HISTORY_DATE)?;
            out.push_sql(", ");
            column(&mut out, table, meta::HISTORY_ID)?;
            out.push_sql(if self.newest_first { ") < (" } else { ") > (" });
            match cursor {
                Cursor::Row(date, id) => {
                    DB::bind_date(&mut out, date)?;
                    out.push_sql(", ");
                    M::HistoryId::bind(&mut out, id)?;
                }
                Cursor::Id(id) => {
                    out.push_sql("(SELECT ");
                    out.push_identifier(meta::HISTORY_DATE)?;
                    out.push_sql(" FROM ");
                    out.push_identifier(table)?;
                    out.push_sql(" WHERE ");
                    out.push_identifier(meta::HISTORY_ID)?;
                    out.push_sql(" = ");
                    M::HistoryId::bind(&mut out, id)?;
                    out.push_sql("), ");
                    M::HistoryId::bind(&mut out, id)?;
                }
            }
            out.push_sql(")");
        }
        Ok(())
    }
}

/// `SELECT <record columns> FROM <history table> WHERE ... ORDER BY ... LIMIT ... OFFSET ...`.
#[allow(missing_docs)]
pub struct SelectRecords<'s, M: Historical + 's, F, DB>
where
    M::Record: Selectable<DB>,
    DB: Backend,
{
    pub selection: <M::Record as Selectable<DB>>::SelectExpression,
    pub conditions: Conditions<'s, M, F>,
    pub limit: Option<u64>,
    pub offset: u64,
}

impl<M: Historical, F, DB: Backend> QueryId for SelectRecords<'_, M, F, DB>
where
    M::Record: Selectable<DB>,
{
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<M: Historical, F, DB: Backend> Query for SelectRecords<'_, M, F, DB>
where
    M::Record: Selectable<DB>,
{
    type SqlType = AsSelect<M::Record, DB>;
}

impl<M: Historical, F, DB: Backend, Conn> RunQueryDsl<Conn> for SelectRecords<'_, M, F, DB> where
    M::Record: Selectable<DB>
{
}

impl<'s, M, F, DB> QueryFragment<DB> for SelectRecords<'s, M, F, DB>
where
    M: Historical,
    M::Record: Selectable<DB>,
    <M::Record as Selectable<DB>>::SelectExpression: QueryFragment<DB>,
    DB: AuditBackend,
    Conditions<'s, M, F>: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let table: &str = &M::HISTORY.history_table;
        out.push_sql("SELECT ");
        self.selection.walk_ast(out.reborrow())?;
        out.push_sql(" FROM ");
        out.push_identifier(table)?;
        self.conditions.walk_ast(out.reborrow())?;
        let direction = if self.conditions.newest_first {
            " DESC"
        } else {
            " ASC"
        };
        out.push_sql(" ORDER BY ");
        column(&mut out, table, meta::HISTORY_DATE)?;
        out.push_sql(direction);
        out.push_sql(", ");
        column(&mut out, table, meta::HISTORY_ID)?;
        out.push_sql(direction);
        if let Some(limit) = self.limit {
            out.push_sql(&format!(" LIMIT {limit}"));
            if self.offset > 0 {
                out.push_sql(&format!(" OFFSET {}", self.offset));
            }
        }
        Ok(())
    }
}

/// `SELECT COUNT(*) FROM <history table> WHERE ...`.
#[allow(missing_docs)]
pub struct CountRecords<'s, M: Historical, F> {
    pub conditions: Conditions<'s, M, F>,
}

impl<M: Historical, F> QueryId for CountRecords<'_, M, F> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<M: Historical, F> Query for CountRecords<'_, M, F> {
    type SqlType = BigInt;
}

impl<M: Historical, F, Conn> RunQueryDsl<Conn> for CountRecords<'_, M, F> {}

impl<'s, M, F, DB> QueryFragment<DB> for CountRecords<'s, M, F>
where
    M: Historical,
    DB: AuditBackend,
    Conditions<'s, M, F>: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("SELECT COUNT(*) FROM ");
        out.push_identifier(&M::HISTORY.history_table)?;
        self.conditions.walk_ast(out.reborrow())
    }
}

/// Every object as it was at a time: the latest row of each object up to then, unless that row
/// is a delete, then the state filter.
#[allow(missing_docs)]
pub struct AsOfTable<'s, M: Historical + 's, F, DB>
where
    M::Record: Selectable<DB>,
    DB: Backend,
{
    pub selection: <M::Record as Selectable<DB>>::SelectExpression,
    pub at: DateTime<Utc>,
    pub filter: &'s F,
}

impl<M: Historical, F, DB: Backend> QueryId for AsOfTable<'_, M, F, DB>
where
    M::Record: Selectable<DB>,
{
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<M: Historical, F, DB: Backend> Query for AsOfTable<'_, M, F, DB>
where
    M::Record: Selectable<DB>,
{
    type SqlType = AsSelect<M::Record, DB>;
}

impl<M: Historical, F, DB: Backend, Conn> RunQueryDsl<Conn> for AsOfTable<'_, M, F, DB> where
    M::Record: Selectable<DB>
{
}

/// The key columns, quoted and `table.`-qualified when `table` is given, comma-separated.
fn key_list<DB: Backend>(
    out: &mut AstPass<'_, '_, DB>,
    spec: &crate::HistoryTableSpec,
    table: Option<&str>,
) -> QueryResult<()> {
    for (i, key) in spec.primary_key.iter().enumerate() {
        if i > 0 {
            out.push_sql(", ");
        }
        match table {
            Some(table) => column(out, table, key)?,
            None => out.push_identifier(key)?,
        }
    }
    Ok(())
}

impl<M, F, DB> QueryFragment<DB> for AsOfTable<'_, M, F, DB>
where
    M: Historical,
    M::Record: Selectable<DB>,
    <M::Record as Selectable<DB>>::SelectExpression: QueryFragment<DB>,
    DB: AuditBackend,
    F: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let spec = M::HISTORY;
        let table: &str = &spec.history_table;
        match DB::AS_OF {
            AsOfStrategy::SkipScan => {
                // The distinct keys, one index probe each...
                out.push_sql("WITH RECURSIVE \"audit_keys\" AS ((SELECT ");
                key_list(&mut out, spec, None)?;
                out.push_sql(" FROM ");
                out.push_identifier(table)?;
                out.push_sql(" ORDER BY ");
                key_list(&mut out, spec, None)?;
                out.push_sql(" LIMIT 1) UNION ALL SELECT ");
                key_list(&mut out, spec, Some("audit_next"))?;
                out.push_sql(" FROM \"audit_keys\", LATERAL (SELECT ");
                key_list(&mut out, spec, None)?;
                out.push_sql(" FROM ");
                out.push_identifier(table)?;
                out.push_sql(" WHERE (");
                key_list(&mut out, spec, Some(table))?;
                out.push_sql(") > (");
                key_list(&mut out, spec, Some("audit_keys"))?;
                out.push_sql(") ORDER BY ");
                key_list(&mut out, spec, None)?;
                out.push_sql(" LIMIT 1) AS \"audit_next\") SELECT ");
                self.selection.walk_ast(out.reborrow())?;
                // ...then the latest row of each object up to the time, one more probe each. The
                // subquery takes the history table's name, so the record's columns and the
                // caller's filter resolve against it.
                out.push_sql(" FROM \"audit_keys\", LATERAL (SELECT * FROM ");
                out.push_identifier(table)?;
                out.push_sql(" WHERE ");
                for (i, key) in spec.primary_key.iter().enumerate() {
                    if i > 0 {
                        out.push_sql(" AND ");
                    }
                    column(&mut out, table, key)?;
                    out.push_sql(" = ");
                    column(&mut out, "audit_keys", key)?;
                }
                out.push_sql(" AND ");
                column(&mut out, table, meta::HISTORY_DATE)?;
                out.push_sql(" <= ");
                DB::bind_date(&mut out, &self.at)?;
                out.push_sql(" ORDER BY ");
                column(&mut out, table, meta::HISTORY_DATE)?;
                out.push_sql(" DESC, ");
                column(&mut out, table, meta::HISTORY_ID)?;
                out.push_sql(" DESC LIMIT 1) AS ");
                out.push_identifier(table)?;
            }
            AsOfStrategy::Window => {
                out.push_sql("SELECT ");
                self.selection.walk_ast(out.reborrow())?;
                out.push_sql(" FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY ");
                key_list(&mut out, spec, None)?;
                out.push_sql(" ORDER BY ");
                out.push_identifier(meta::HISTORY_DATE)?;
                out.push_sql(" DESC, ");
                out.push_identifier(meta::HISTORY_ID)?;
                out.push_sql(" DESC) AS \"audit_rank\" FROM ");
                out.push_identifier(table)?;
                out.push_sql(" WHERE ");
                out.push_identifier(meta::HISTORY_DATE)?;
                out.push_sql(" <= ");
                DB::bind_date(&mut out, &self.at)?;
                out.push_sql(") AS ");
                out.push_identifier(table)?;
            }
        }
        out.push_sql(" WHERE ");
        if DB::AS_OF == AsOfStrategy::Window {
            column(&mut out, table, "audit_rank")?;
            out.push_sql(" = 1 AND ");
        }
        column(&mut out, table, meta::HISTORY_TYPE)?;
        out.push_sql(" <> '-' AND (");
        self.filter.walk_ast(out.reborrow())?;
        out.push_sql(") ORDER BY ");
        key_list(&mut out, spec, Some(table))
    }
}
