//! The SQL of history reads: one place renders every `SELECT` over a history table.
//!
//! These types appear in the bounds of the read methods; they are not meant to be built directly.

use chrono::{DateTime, Utc};
use diesel::backend::Backend;
use diesel::dsl::AsSelect;
use diesel::expression::Selectable;
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::result::QueryResult;
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, HasSqlType};

use crate::backend::{AsOfStrategy, AuditBackend, BindHistoryId, BindUserId};
use crate::contract::KeyFilterOf;
use crate::schema::spec::meta;
use crate::sql::{
    alias, column, date_range, date_then_id, history_type_literal, key_list, keys_equal, query,
};
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
pub struct Conditions<'s, M: Historical, F: ?Sized> {
    pub key: Option<KeyFilterOf<'s, M>>,
    pub user: Option<UserIdOf<M>>,
    pub history_type: Option<HistoryType>,
    /// Only the rows of this changeset.
    pub changeset: Option<uuid::Uuid>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Rows strictly before (newest first) or after (oldest first) the cursor.
    pub cursor: Option<Cursor<'s, M>>,
    pub newest_first: bool,
    /// Only the row with this id.
    pub history_id: Option<&'s HistoryIdOf<M>>,
    pub filter: &'s F,
}

impl<'s, M: Historical, F: ?Sized> Conditions<'s, M, F> {
    /// No condition but the object's key, when given, and `filter`.
    pub(crate) fn object(
        key: Option<KeyFilterOf<'s, M>>,
        newest_first: bool,
        filter: &'s F,
    ) -> Self {
        Conditions {
            key,
            user: None,
            history_type: None,
            changeset: None,
            since: None,
            until: None,
            cursor: None,
            newest_first,
            history_id: None,
            filter,
        }
    }
}

impl<'s, M, F: ?Sized, DB> QueryFragment<DB> for Conditions<'s, M, F>
where
    M: Historical,
    DB: AuditBackend,
    M::UserId: BindUserId<DB>,
    M::HistoryId: BindHistoryId<DB>,
    KeyFilterOf<'s, M>: QueryFragment<DB>,
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
        if let Some(changeset) = &self.changeset {
            out.push_sql(" AND ");
            column(&mut out, table, meta::HISTORY_CHANGESET_ID)?;
            out.push_sql(" = ");
            DB::bind_uuid(&mut out, changeset)?;
        }
        date_range(&mut out, table, &self.since, &self.until)?;
        if let Some(cursor) = &self.cursor {
            out.push_sql(" AND (");
            date_then_id(&mut out, table, "")?;
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
pub struct SelectRecords<'s, M: Historical + 's, F: ?Sized, DB>
where
    M::Record: Selectable<DB>,
    DB: Backend,
{
    pub selection: <M::Record as Selectable<DB>>::SelectExpression,
    pub conditions: Conditions<'s, M, F>,
    /// Written into the SQL: a page size (one of few) or 1, which the planner should see.
    pub limit: Option<u64>,
    /// Bound, for listings: every page of a listing is the same prepared statement.
    pub offset: Option<i64>,
}

query!(impl[M: Historical, F: ?Sized, DB: Backend] SelectRecords<'_, M, F, DB> => AsSelect<M::Record, DB>
    where [M::Record: Selectable<DB>]);

impl<'s, M, F: ?Sized, DB> QueryFragment<DB> for SelectRecords<'s, M, F, DB>
where
    M: Historical,
    M::Record: Selectable<DB>,
    <M::Record as Selectable<DB>>::SelectExpression: QueryFragment<DB>,
    DB: AuditBackend + HasSqlType<BigInt>,
    i64: ToSql<BigInt, DB>,
    Conditions<'s, M, F>: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let table: &str = &M::HISTORY.history_table;
        out.push_sql("SELECT ");
        self.selection.walk_ast(out.reborrow())?;
        out.push_sql(" FROM ");
        out.push_identifier(table)?;
        self.conditions.walk_ast(out.reborrow())?;
        out.push_sql(" ORDER BY ");
        let direction = if self.conditions.newest_first {
            " DESC"
        } else {
            " ASC"
        };
        date_then_id(&mut out, table, direction)?;
        if let Some(limit) = self.limit {
            out.push_sql(&format!(" LIMIT {limit}"));
        }
        if let Some(offset) = &self.offset {
            out.push_sql(" OFFSET ");
            out.push_bind_param::<BigInt, _>(offset)?;
        }
        Ok(())
    }
}

/// `SELECT COUNT(*) FROM <history table> WHERE ...`.
#[allow(missing_docs)]
pub struct CountRecords<'s, M: Historical, F: ?Sized> {
    pub conditions: Conditions<'s, M, F>,
}

query!(impl[M: Historical, F: ?Sized] CountRecords<'_, M, F> => BigInt);

impl<'s, M, F: ?Sized, DB> QueryFragment<DB> for CountRecords<'s, M, F>
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
pub struct AsOfTable<'s, M: Historical + 's, F: ?Sized, DB>
where
    M::Record: Selectable<DB>,
    DB: Backend,
{
    pub selection: <M::Record as Selectable<DB>>::SelectExpression,
    pub at: DateTime<Utc>,
    pub shape: AsOfShape,
    pub filter: &'s F,
}

/// Which rows a whole-table `as_of` returns, and in which order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsOfShape {
    /// Objects whose latest row is a delete come too (`latest_of_each`).
    pub deletes: bool,
    /// The most recently changed object first, instead of by key.
    pub newest_first: bool,
}

query!(impl[M: Historical, F: ?Sized, DB: Backend] AsOfTable<'_, M, F, DB> => AsSelect<M::Record, DB>
    where [M::Record: Selectable<DB>]);

impl<M, F: ?Sized, DB> QueryFragment<DB> for AsOfTable<'_, M, F, DB>
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
                out.push_sql("WITH RECURSIVE ");
                out.push_identifier(alias::KEYS)?;
                out.push_sql(" AS ((SELECT ");
                key_list(&mut out, spec, None)?;
                out.push_sql(" FROM ");
                out.push_identifier(table)?;
                out.push_sql(" ORDER BY ");
                key_list(&mut out, spec, None)?;
                out.push_sql(" LIMIT 1) UNION ALL SELECT ");
                key_list(&mut out, spec, Some(alias::NEXT))?;
                out.push_sql(" FROM ");
                out.push_identifier(alias::KEYS)?;
                out.push_sql(", LATERAL (SELECT ");
                key_list(&mut out, spec, None)?;
                out.push_sql(" FROM ");
                out.push_identifier(table)?;
                out.push_sql(" WHERE (");
                key_list(&mut out, spec, Some(table))?;
                out.push_sql(") > (");
                key_list(&mut out, spec, Some(alias::KEYS))?;
                out.push_sql(") ORDER BY ");
                key_list(&mut out, spec, None)?;
                out.push_sql(" LIMIT 1) AS ");
                out.push_identifier(alias::NEXT)?;
                out.push_sql(") SELECT ");
                self.selection.walk_ast(out.reborrow())?;
                // ...then the latest row of each object up to the time, one more probe each. The
                // subquery takes the history table's name, so the record's columns and the
                // caller's filter resolve against it.
                out.push_sql(" FROM ");
                out.push_identifier(alias::KEYS)?;
                out.push_sql(", LATERAL (SELECT * FROM ");
                out.push_identifier(table)?;
                out.push_sql(" WHERE ");
                keys_equal(&mut out, spec, table, alias::KEYS)?;
                out.push_sql(" AND ");
                column(&mut out, table, meta::HISTORY_DATE)?;
                out.push_sql(" <= ");
                DB::bind_date(&mut out, &self.at)?;
                out.push_sql(" ORDER BY ");
                date_then_id(&mut out, table, " DESC")?;
                out.push_sql(" LIMIT 1) AS ");
                out.push_identifier(table)?;
                out.push_sql(" WHERE ");
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
                out.push_sql(" DESC) AS ");
                out.push_identifier(alias::RANK)?;
                out.push_sql(" FROM ");
                out.push_identifier(table)?;
                out.push_sql(" WHERE ");
                out.push_identifier(meta::HISTORY_DATE)?;
                out.push_sql(" <= ");
                DB::bind_date(&mut out, &self.at)?;
                out.push_sql(") AS ");
                out.push_identifier(table)?;
                out.push_sql(" WHERE ");
                column(&mut out, table, alias::RANK)?;
                out.push_sql(" = 1 AND ");
            }
        }
        if !self.shape.deletes {
            column(&mut out, table, meta::HISTORY_TYPE)?;
            out.push_sql(" <> ");
            history_type_literal(&mut out, HistoryType::Delete);
            out.push_sql(" AND ");
        }
        out.push_sql("(");
        self.filter.walk_ast(out.reborrow())?;
        out.push_sql(") ORDER BY ");
        if self.shape.newest_first {
            date_then_id(&mut out, table, " DESC")
        } else {
            key_list(&mut out, spec, Some(table))
        }
    }
}
