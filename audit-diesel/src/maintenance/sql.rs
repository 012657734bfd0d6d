//! The SQL of maintenance: backfill batches, duplicate and retention cleanup.

use chrono::{DateTime, Utc};
use diesel::backend::Backend;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::query_source::Table;
use diesel::result::QueryResult;
use diesel::sql_types::BigInt;
use diesel::{Expression, RunQueryDsl};

use crate::backend::AuditBackend;
use crate::contract::KeyValuesOf;
use crate::schema::spec::meta;
use crate::sql::{
    alias, column, date_then_id, history_type_literal, key_list, key_tuple, keys_equal, query,
};
use crate::{Historical, HistoryType};

/// `SELECT COUNT(*) FROM <source table>`, or with `any_history`, whether the history table has a
/// row at all: `SELECT COUNT(*) FROM (SELECT 1 FROM <history table> LIMIT 1)`, 0 or 1, one index
/// probe whatever the table's size.
#[doc(hidden)]
pub struct CountRows<M> {
    pub(crate) any_history: bool,
    pub(crate) model: std::marker::PhantomData<M>,
}

query!(impl[M] CountRows<M> => BigInt);

impl<M: Historical, DB: Backend> QueryFragment<DB> for CountRows<M> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let spec = M::HISTORY;
        if self.any_history {
            out.push_sql("SELECT COUNT(*) FROM (SELECT 1 FROM ");
            out.push_identifier(&spec.history_table)?;
            out.push_sql(" LIMIT 1) AS ");
            out.push_identifier(alias::ANY)?;
        } else {
            out.push_sql("SELECT COUNT(*) FROM ");
            out.push_identifier(&spec.source_table)?;
        }
        Ok(())
    }
}

/// `SELECT <key> FROM <table> [WHERE (<key>) > (<after>)] ORDER BY <key> LIMIT 1 OFFSET <n - 1>`:
/// the last key of the next backfill batch.
#[doc(hidden)]
pub struct BatchEnd<M: Historical> {
    pub(crate) key: <M::Table as Table>::PrimaryKey,
    pub(crate) after: Option<KeyValuesOf<M>>,
    pub(crate) batch_size: usize,
}

query!(impl[M: Historical] BatchEnd<M> => <<M::Table as Table>::PrimaryKey as Expression>::SqlType
    where [<M::Table as Table>::PrimaryKey: Expression]);

impl<M, DB> QueryFragment<DB> for BatchEnd<M>
where
    M: Historical,
    DB: Backend,
    <M::Table as Table>::PrimaryKey: QueryFragment<DB>,
    KeyValuesOf<M>: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let table: &str = &M::HISTORY.source_table;
        out.push_sql("SELECT ");
        self.key.walk_ast(out.reborrow())?;
        out.push_sql(" FROM ");
        out.push_identifier(table)?;
        if let Some(after) = &self.after {
            out.push_sql(" WHERE ");
            key_tuple(&mut out, M::HISTORY, table)?;
            out.push_sql(" > (");
            after.walk_ast(out.reborrow())?;
            out.push_sql(")");
        }
        out.push_sql(" ORDER BY ");
        self.key.walk_ast(out.reborrow())?;
        // Every backend's OFFSET is an i64; no table holds more rows than that.
        let offset = i64::try_from(self.batch_size.saturating_sub(1)).unwrap_or(i64::MAX);
        out.push_sql(&format!(" LIMIT 1 OFFSET {offset}"));
        Ok(())
    }
}

/// The rows of one backfill batch, after `WHERE`: `(<key>) > (<after>) AND (<key>) <= (<end>)`,
/// and, to fill only the gaps, no history row for the object yet.
#[doc(hidden)]
pub struct BatchRows<M: Historical> {
    pub(crate) after: Option<KeyValuesOf<M>>,
    pub(crate) end: Option<KeyValuesOf<M>>,
    pub(crate) only_missing: bool,
}

impl<M, DB> QueryFragment<DB> for BatchRows<M>
where
    M: Historical,
    DB: Backend,
    KeyValuesOf<M>: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let spec = M::HISTORY;
        let table: &str = &spec.source_table;
        out.push_sql("1 = 1");
        if let Some(after) = &self.after {
            out.push_sql(" AND ");
            key_tuple(&mut out, spec, table)?;
            out.push_sql(" > (");
            after.walk_ast(out.reborrow())?;
            out.push_sql(")");
        }
        if let Some(end) = &self.end {
            out.push_sql(" AND ");
            key_tuple(&mut out, spec, table)?;
            out.push_sql(" <= (");
            end.walk_ast(out.reborrow())?;
            out.push_sql(")");
        }
        if self.only_missing {
            out.push_sql(" AND NOT EXISTS (SELECT 1 FROM ");
            out.push_identifier(&spec.history_table)?;
            out.push_sql(" AS ");
            out.push_identifier(alias::EXISTING)?;
            out.push_sql(" WHERE ");
            keys_equal(&mut out, spec, alias::EXISTING, table)?;
            out.push_sql(")");
        }
        Ok(())
    }
}

/// The history rows a cleanup removes, as a subquery of their ids.
#[doc(hidden)]
pub enum Doomed {
    /// `~` rows whose tracked columns (but `excluded`) equal those of the row before them, for
    /// objects that still exist, optionally only rows dated `since` or later.
    Duplicates {
        since: Option<DateTime<Utc>>,
        excluded: Vec<String>,
    },
    /// Rows dated before `before`; with `keep_latest`, never an object's latest row. At most
    /// `limit` of them.
    Old {
        before: DateTime<Utc>,
        keep_latest: bool,
        limit: Option<u64>,
    },
}

/// `SELECT "history_id" FROM (...) AS "audit_doomed"`: the ids of the rows a cleanup removes.
fn walk_doomed<'b, M: Historical, DB: AuditBackend>(
    doomed: &'b Doomed,
    out: &mut AstPass<'_, 'b, DB>,
) -> QueryResult<()> {
    let spec = M::HISTORY;
    let history: &str = &spec.history_table;
    out.push_sql("SELECT ");
    out.push_identifier(meta::HISTORY_ID)?;
    out.push_sql(" FROM (");
    match doomed {
        Doomed::Duplicates { since, excluded } => {
            let over = |out: &mut AstPass<'_, 'b, DB>| -> QueryResult<()> {
                out.push_sql(" OVER (PARTITION BY ");
                key_list(out, spec, Some(history))?;
                out.push_sql(" ORDER BY ");
                date_then_id(out, history, "")?;
                out.push_sql(")");
                Ok(())
            };
            out.push_sql("SELECT * FROM (SELECT ");
            for name in [meta::HISTORY_ID, meta::HISTORY_TYPE, meta::HISTORY_DATE] {
                column(out, history, name)?;
                out.push_sql(", ");
            }
            out.push_sql("LAG(");
            column(out, history, meta::HISTORY_ID)?;
            out.push_sql(")");
            over(out)?;
            out.push_sql(" AS ");
            out.push_identifier(alias::PREVIOUS)?;
            out.push_sql(", (");
            let compared = spec
                .columns
                .iter()
                .filter(|c| !excluded.iter().any(|e| *e == c.name));
            let mut any = false;
            for (i, tracked) in compared.enumerate() {
                any = true;
                if i > 0 {
                    out.push_sql(") AND (");
                }
                column(out, history, &tracked.name)?;
                out.push_sql(" ");
                out.push_sql(DB::NULL_SAFE_EQ);
                out.push_sql(" LAG(");
                column(out, history, &tracked.name)?;
                out.push_sql(")");
                over(out)?;
            }
            if !any {
                // Every column excluded: every `~` row repeats its predecessor.
                out.push_sql("1 = 1");
            }
            out.push_sql(") AS ");
            out.push_identifier(alias::SAME)?;
            out.push_sql(" FROM ");
            out.push_identifier(history)?;
            // Objects no longer live keep their history as it is.
            out.push_sql(" WHERE EXISTS (SELECT 1 FROM ");
            out.push_identifier(&spec.source_table)?;
            out.push_sql(" WHERE ");
            keys_equal(out, spec, &spec.source_table, history)?;
            out.push_sql(")");
            if let Some(since) = since {
                // Only objects with a row in the period are read, each with its whole history
                // (a row's predecessor may be older than the period).
                out.push_sql(" AND EXISTS (SELECT 1 FROM ");
                out.push_identifier(history)?;
                out.push_sql(" AS ");
                out.push_identifier(alias::RECENT)?;
                out.push_sql(" WHERE ");
                keys_equal(out, spec, alias::RECENT, history)?;
                out.push_sql(" AND ");
                column(out, alias::RECENT, meta::HISTORY_DATE)?;
                out.push_sql(" >= ");
                DB::bind_date(out, since)?;
                out.push_sql(")");
            }
            out.push_sql(") AS ");
            out.push_identifier(alias::CANDIDATES)?;
            out.push_sql(" WHERE ");
            out.push_identifier(alias::PREVIOUS)?;
            out.push_sql(" IS NOT NULL AND ");
            out.push_identifier(alias::SAME)?;
            out.push_sql(" AND ");
            out.push_identifier(meta::HISTORY_TYPE)?;
            out.push_sql(" = ");
            history_type_literal(out, HistoryType::Update);
            if let Some(since) = since {
                out.push_sql(" AND ");
                out.push_identifier(meta::HISTORY_DATE)?;
                out.push_sql(" >= ");
                DB::bind_date(out, since)?;
            }
        }
        Doomed::Old {
            before,
            keep_latest,
            limit,
        } => {
            out.push_sql("SELECT ");
            column(out, history, meta::HISTORY_ID)?;
            out.push_sql(" FROM ");
            out.push_identifier(history)?;
            out.push_sql(" WHERE ");
            column(out, history, meta::HISTORY_DATE)?;
            out.push_sql(" < ");
            DB::bind_date(out, before)?;
            if *keep_latest {
                out.push_sql(" AND EXISTS (SELECT 1 FROM ");
                out.push_identifier(history)?;
                out.push_sql(" AS ");
                out.push_identifier(alias::NEWER)?;
                out.push_sql(" WHERE ");
                keys_equal(out, spec, alias::NEWER, history)?;
                out.push_sql(" AND (");
                date_then_id(out, alias::NEWER, "")?;
                out.push_sql(") > (");
                date_then_id(out, history, "")?;
                out.push_sql("))");
            }
            if let Some(limit) = limit {
                out.push_sql(" ORDER BY ");
                date_then_id(out, history, "")?;
                let limit = i64::try_from(*limit).unwrap_or(i64::MAX);
                out.push_sql(&format!(" LIMIT {limit}"));
            }
        }
    }
    out.push_sql(") AS ");
    out.push_identifier(alias::DOOMED)?;
    Ok(())
}

/// `DELETE FROM <history> WHERE "history_id" IN (<doomed>)`.
#[doc(hidden)]
pub struct DeleteDoomed<M> {
    pub(crate) doomed: Doomed,
    pub(crate) model: std::marker::PhantomData<M>,
}

impl<M> QueryId for DeleteDoomed<M> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<M, Conn> RunQueryDsl<Conn> for DeleteDoomed<M> {}

impl<M: Historical, DB: AuditBackend> QueryFragment<DB> for DeleteDoomed<M> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("DELETE FROM ");
        out.push_identifier(&M::HISTORY.history_table)?;
        out.push_sql(" WHERE ");
        out.push_identifier(meta::HISTORY_ID)?;
        out.push_sql(" IN (");
        walk_doomed::<M, DB>(&self.doomed, &mut out)?;
        out.push_sql(")");
        Ok(())
    }
}

/// [`DeleteDoomed`] ` RETURNING "history_id", "history_hash", "history_prev_id", <key condition>`:
/// the rows a cleanup of a chained table removed, whose objects' chains it re-links.
#[doc(hidden)]
pub struct DeleteDoomedReturning<M>(pub(crate) DeleteDoomed<M>);

query!(impl[M] DeleteDoomedReturning<M> => (
    BigInt,
    diesel::sql_types::Nullable<diesel::sql_types::Binary>,
    diesel::sql_types::Nullable<BigInt>,
    diesel::sql_types::Text,
));

impl<M: Historical, DB: AuditBackend> QueryFragment<DB> for DeleteDoomedReturning<M> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        // MySQL has no `DELETE ... RETURNING`: there this is the `SELECT ... FOR UPDATE` of the
        // rows, which [`delete_ids`] then deletes.
        let mysql = DB::DIALECT == crate::schema::Dialect::Mysql;
        if mysql {
            out.push_sql("SELECT ");
        } else {
            self.0.walk_ast(out.reborrow())?;
            out.push_sql(" RETURNING ");
        }
        out.push_identifier(meta::HISTORY_ID)?;
        out.push_sql(", ");
        out.push_identifier(meta::HISTORY_HASH)?;
        out.push_sql(", ");
        out.push_identifier(meta::HISTORY_PREV_ID)?;
        out.push_sql(", ");
        out.push_sql(&M::HISTORY.chain_key_condition_sql(DB::DIALECT));
        if mysql {
            out.push_sql(" FROM ");
            out.push_identifier(&M::HISTORY.history_table)?;
            out.push_sql(" WHERE ");
            out.push_identifier(meta::HISTORY_ID)?;
            out.push_sql(" IN (");
            walk_doomed::<M, DB>(&self.0.doomed, &mut out)?;
            out.push_sql(") FOR UPDATE");
        }
        Ok(())
    }
}

/// Deletes the history rows of `table` with the ids `gone` names, 10,000 per statement: the
/// second half of [`DeleteDoomedReturning`] on MySQL. Nothing on the other backends, whose
/// `DELETE ... RETURNING` deleted them already.
pub(crate) fn delete_ids<C>(conn: &mut C, table: &str, gone: &[GoneRow]) -> QueryResult<()>
where
    C: diesel::Connection,
    C::Backend: AuditBackend,
{
    let dialect = <C::Backend as AuditBackend>::DIALECT;
    if dialect != crate::schema::Dialect::Mysql {
        return Ok(());
    }
    for slice in gone.chunks(10_000) {
        let ids = slice
            .iter()
            .map(|(id, ..)| id.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        conn.batch_execute(&format!(
            "DELETE FROM {} WHERE {} IN ({ids})",
            dialect.quote(table),
            dialect.quote(meta::HISTORY_ID)
        ))?;
    }
    Ok(())
}

/// What [`DeleteDoomedReturning`] returns of each row: id, hash, link, and its object as a
/// condition on the key columns.
pub(crate) type GoneRow = (i64, Option<Vec<u8>>, Option<i64>, String);

impl Doomed {
    /// What the cleanup removes, in words (for the anchor it records).
    pub(crate) fn describe(&self) -> String {
        match self {
            Doomed::Duplicates { since, excluded } => {
                let mut out = "`~` rows that repeat the row before them".to_owned();
                if !excluded.is_empty() {
                    out.push_str(&format!(" (ignoring {})", excluded.join(", ")));
                }
                if let Some(since) = since {
                    out.push_str(&format!(", dated {} or later", since.to_rfc3339()));
                }
                out
            }
            Doomed::Old {
                before,
                keep_latest,
                ..
            } => format!(
                "rows dated before {}{}",
                before.to_rfc3339(),
                if *keep_latest {
                    ", each object's latest row kept"
                } else {
                    ""
                }
            ),
        }
    }
}

/// `SELECT COUNT(*) FROM (<doomed>)`: what a dry run reports.
#[doc(hidden)]
pub struct CountDoomed<M> {
    pub(crate) doomed: Doomed,
    pub(crate) model: std::marker::PhantomData<M>,
}

query!(impl[M] CountDoomed<M> => BigInt);

impl<M: Historical, DB: AuditBackend> QueryFragment<DB> for CountDoomed<M> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("SELECT COUNT(*) FROM (");
        walk_doomed::<M, DB>(&self.doomed, &mut out)?;
        out.push_sql(") AS ");
        out.push_identifier(alias::COUNT)
    }
}

/// `UPDATE <history> SET "history_change_reason" = $1 WHERE "history_id" = $2`: a recorded
/// reason changed after the fact.
#[doc(hidden)]
pub struct SetReason<M: Historical> {
    pub(crate) history_id: crate::HistoryIdOf<M>,
    pub(crate) reason: Option<String>,
}

impl<M: Historical> QueryId for SetReason<M> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<M: Historical, Conn> RunQueryDsl<Conn> for SetReason<M> {}

impl<M, DB> QueryFragment<DB> for SetReason<M>
where
    M: Historical,
    DB: AuditBackend,
    M::HistoryId: crate::backend::BindHistoryId<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("UPDATE ");
        out.push_identifier(&M::HISTORY.history_table)?;
        out.push_sql(" SET ");
        out.push_identifier(meta::HISTORY_CHANGE_REASON)?;
        out.push_sql(" = ");
        DB::bind_reason(&mut out, &self.reason)?;
        out.push_sql(" WHERE ");
        out.push_identifier(meta::HISTORY_ID)?;
        out.push_sql(" = ");
        <M::HistoryId as crate::backend::BindHistoryId<DB>>::bind(&mut out, &self.history_id)
    }
}
