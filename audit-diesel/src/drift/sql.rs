//! The SQL of the drift check: each live row against its object's latest history row, and each
//! object whose latest row is not `-` against the live table.
//!
//! ```sql
//! -- a batch of live rows that drifted
//! SELECT <object>, CASE WHEN "audit_latest"."history_id" IS NULL OR ... = '-' THEN 'created'
//!        ELSE 'updated' END, CAST("audit_latest"."history_id" AS TEXT), <changed fields>
//! FROM "tanks" LEFT JOIN "historical_tanks" AS "audit_latest" ON <latest of the same object>
//! WHERE <batch> AND (<no live history> OR <a tracked column differs>)
//! -- objects deleted without history
//! SELECT <object>, 'deleted', ... FROM "historical_tanks" AS "audit_latest"
//! WHERE <latest of its object> AND "history_type" <> '-' AND NOT EXISTS (<live row>)
//! ```
//!
//! Recording writes the same rows through the one history insert: `INSERT ... SELECT` from the
//! live table with the same conditions (`+` and `~`), or from the latest history rows (`-`).

use diesel::query_builder::{AstPass, QueryFragment};
use diesel::result::QueryResult;
use diesel::sql_types::{Nullable, Text};

use crate::backend::{AuditBackend, BindUserId};
use crate::contract::KeyValuesOf;
use crate::maintenance::sql::BatchRows;
use crate::schema::spec::meta;
use crate::sql::{column, date_then_id, history_type_literal, key_list, keys_equal, query};
use crate::write::{HistoryMeta, SnapshotSource};
use crate::{Historical, HistoryType};

/// The alias of an object's latest history row.
const LATEST: &str = "audit_latest";
/// The alias of a later row of the same object, which must not exist.
const NEWER: &str = "audit_newer";

/// One drifted object: its key, `created`, `updated` or `deleted`, its latest history id (as
/// text), and the tracked columns that differ (`a,b,`).
pub(crate) type DriftRow = (String, String, Option<String>, String);

/// `<keys_equal(latest, of)> AND NOT EXISTS (<a later row of the same object>)`: `latest` is the
/// newest history row of the object of `of`.
fn latest_of<DB: AuditBackend>(
    out: &mut AstPass<'_, '_, DB>,
    spec: &crate::HistoryTableSpec,
    of: &str,
) -> QueryResult<()> {
    keys_equal(out, spec, LATEST, of)?;
    out.push_sql(" AND NOT EXISTS (SELECT 1 FROM ");
    out.push_identifier(&spec.history_table)?;
    out.push_sql(" AS ");
    out.push_identifier(NEWER)?;
    out.push_sql(" WHERE ");
    keys_equal(out, spec, NEWER, LATEST)?;
    out.push_sql(" AND (");
    date_then_id(out, NEWER, "")?;
    out.push_sql(") > (");
    date_then_id(out, LATEST, "")?;
    out.push_sql("))");
    Ok(())
}

/// `<source>.c NULL_SAFE_EQ <latest>.c`: the column is the same in the live row and the latest
/// history row (PostgreSQL's `json` has no equality: compared as its text).
fn same<DB: AuditBackend>(
    out: &mut AstPass<'_, '_, DB>,
    spec: &crate::HistoryTableSpec,
    c: &crate::schema::ColumnSpec,
) -> QueryResult<()> {
    let as_text = DB::DIALECT == crate::schema::Dialect::Postgres
        && c.sql_type == crate::schema::SqlType::Json;
    for (i, table) in [&*spec.source_table, LATEST].into_iter().enumerate() {
        if i > 0 {
            out.push_sql(" ");
            out.push_sql(DB::NULL_SAFE_EQ);
            out.push_sql(" ");
        }
        if as_text {
            out.push_sql("CAST(");
        }
        column(out, table, &c.name)?;
        if as_text {
            out.push_sql(" AS ");
            out.push_sql(DB::TEXT_CAST);
            out.push_sql(")");
        }
    }
    Ok(())
}

/// `NOT ((<source>.c NULL_SAFE_EQ <latest>.c) AND ...)`: a tracked column differs.
fn differs<DB: AuditBackend>(
    out: &mut AstPass<'_, '_, DB>,
    spec: &crate::HistoryTableSpec,
) -> QueryResult<()> {
    if spec.columns.is_empty() {
        out.push_sql("1 = 0");
        return Ok(());
    }
    out.push_sql("NOT (");
    for (i, c) in spec.columns.iter().enumerate() {
        if i > 0 {
            out.push_sql(" AND ");
        }
        out.push_sql("(");
        same(out, spec, c)?;
        out.push_sql(")");
    }
    out.push_sql(")");
    Ok(())
}

/// `<latest>."history_id" IS NULL OR <latest>."history_type" = '-'`: the live row has no live
/// history (never recorded, or recorded as deleted).
fn unrecorded<DB: AuditBackend>(out: &mut AstPass<'_, '_, DB>) -> QueryResult<()> {
    column(out, LATEST, meta::HISTORY_ID)?;
    out.push_sql(" IS NULL OR ");
    column(out, LATEST, meta::HISTORY_TYPE)?;
    out.push_sql(" = ");
    history_type_literal(out, HistoryType::Delete);
    Ok(())
}

/// The live rows of one batch that drifted, with what the report says of them.
#[doc(hidden)]
pub struct DriftRows<M: Historical> {
    pub(crate) batch: BatchRows<M>,
}

query!(impl[M: Historical] DriftRows<M> => (Text, Text, Nullable<Text>, Text));

impl<M, DB> QueryFragment<DB> for DriftRows<M>
where
    M: Historical,
    DB: AuditBackend,
    KeyValuesOf<M>: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let spec = M::HISTORY;
        let source: &str = &spec.source_table;
        out.push_sql("SELECT ");
        out.push_sql(&spec.chain_object_sql(DB::DIALECT, source));
        out.push_sql(", CASE WHEN ");
        unrecorded(&mut out)?;
        out.push_sql(" THEN 'created' ELSE 'updated' END, CAST(");
        column(&mut out, LATEST, meta::HISTORY_ID)?;
        out.push_sql(" AS ");
        out.push_sql(DB::TEXT_CAST);
        // The changed fields' names, concatenated (`||` is OR on MySQL).
        let mysql = DB::DIALECT == crate::schema::Dialect::Mysql;
        out.push_sql(if mysql { "), CONCAT(''" } else { "), ''" });
        for c in spec.columns.iter() {
            out.push_sql(if mysql {
                ", CASE WHEN "
            } else {
                " || CASE WHEN "
            });
            same(&mut out, spec, c)?;
            out.push_sql(" THEN '' ELSE ");
            out.push_sql(&format!("'{},'", c.name.replace('\'', "''")));
            out.push_sql(" END");
        }
        if mysql {
            out.push_sql(")");
        }
        out.push_sql(" FROM ");
        out.push_identifier(source)?;
        out.push_sql(" LEFT JOIN ");
        out.push_identifier(&spec.history_table)?;
        out.push_sql(" AS ");
        out.push_identifier(LATEST)?;
        out.push_sql(" ON ");
        latest_of(&mut out, spec, source)?;
        out.push_sql(" WHERE (");
        self.batch.walk_ast(out.reborrow())?;
        out.push_sql(") AND (");
        unrecorded(&mut out)?;
        out.push_sql(" OR ");
        differs(&mut out, spec)?;
        out.push_sql(") ORDER BY ");
        key_list(&mut out, spec, Some(source))?;
        Ok(())
    }
}

/// After `WHERE` of the live table: the rows of a batch that drifted one way, `+` (no live
/// history) or `~` (a tracked column differs from the latest row): what recording inserts.
#[doc(hidden)]
pub struct Drifted<M: Historical> {
    pub(crate) batch: BatchRows<M>,
    pub(crate) created: bool,
}

impl<M, DB> QueryFragment<DB> for Drifted<M>
where
    M: Historical,
    DB: AuditBackend,
    KeyValuesOf<M>: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let spec = M::HISTORY;
        let source: &str = &spec.source_table;
        out.push_sql("(");
        self.batch.walk_ast(out.reborrow())?;
        out.push_sql(") AND ");
        // The latest row, live: `+` when there is none, `~` when it differs.
        out.push_sql(if self.created { "NOT EXISTS" } else { "EXISTS" });
        out.push_sql(" (SELECT 1 FROM ");
        out.push_identifier(&spec.history_table)?;
        out.push_sql(" AS ");
        out.push_identifier(LATEST)?;
        out.push_sql(" WHERE ");
        latest_of(&mut out, spec, source)?;
        out.push_sql(" AND ");
        column(&mut out, LATEST, meta::HISTORY_TYPE)?;
        out.push_sql(" <> ");
        history_type_literal(&mut out, HistoryType::Delete);
        if !self.created {
            out.push_sql(" AND ");
            differs(&mut out, spec)?;
        }
        out.push_sql(")");
        Ok(())
    }
}

/// `<latest row of its object> AND "history_type" <> '-' AND NOT EXISTS (<its live row>)`, on
/// the history table as `audit_latest`: objects deleted without a `-` row.
fn deleted_without_history<DB: AuditBackend>(
    out: &mut AstPass<'_, '_, DB>,
    spec: &crate::HistoryTableSpec,
) -> QueryResult<()> {
    out.push_sql("NOT EXISTS (SELECT 1 FROM ");
    out.push_identifier(&spec.history_table)?;
    out.push_sql(" AS ");
    out.push_identifier(NEWER)?;
    out.push_sql(" WHERE ");
    keys_equal(out, spec, NEWER, LATEST)?;
    out.push_sql(" AND (");
    date_then_id(out, NEWER, "")?;
    out.push_sql(") > (");
    date_then_id(out, LATEST, "")?;
    out.push_sql(")) AND ");
    column(out, LATEST, meta::HISTORY_TYPE)?;
    out.push_sql(" <> ");
    history_type_literal(out, HistoryType::Delete);
    out.push_sql(" AND NOT EXISTS (SELECT 1 FROM ");
    out.push_identifier(&spec.source_table)?;
    out.push_sql(" WHERE ");
    keys_equal(out, spec, &spec.source_table, LATEST)?;
    out.push_sql(")");
    Ok(())
}

/// The objects whose latest history row is not `-` and whose live row is gone.
#[doc(hidden)]
pub struct DriftDeletes<M: Historical> {
    pub(crate) model: std::marker::PhantomData<M>,
}

query!(impl[M: Historical] DriftDeletes<M> => (Text, Text, Nullable<Text>, Text));

impl<M: Historical, DB: AuditBackend> QueryFragment<DB> for DriftDeletes<M> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let spec = M::HISTORY;
        out.push_sql("SELECT ");
        out.push_sql(&spec.chain_object_sql(DB::DIALECT, LATEST));
        out.push_sql(", 'deleted', CAST(");
        column(&mut out, LATEST, meta::HISTORY_ID)?;
        out.push_sql(" AS ");
        out.push_sql(DB::TEXT_CAST);
        out.push_sql("), '' FROM ");
        out.push_identifier(&spec.history_table)?;
        out.push_sql(" AS ");
        out.push_identifier(LATEST)?;
        out.push_sql(" WHERE ");
        deleted_without_history(&mut out, spec)?;
        out.push_sql(" ORDER BY ");
        key_list(&mut out, spec, Some(LATEST))?;
        Ok(())
    }
}

/// The `-` rows of objects deleted without history: each copies its object's latest row.
#[doc(hidden)]
pub struct DeletedSource;

impl<M, DB> SnapshotSource<M, DB> for DeletedSource
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
        for (i, c) in spec.columns.iter().enumerate() {
            if i > 0 {
                out.push_sql(", ");
            }
            column(&mut out, LATEST, &c.name)?;
        }
        crate::write::walk_meta::<M, DB>(meta, &mut out)?;
        out.push_sql(" FROM ");
        out.push_identifier(&spec.history_table)?;
        out.push_sql(" AS ");
        out.push_identifier(LATEST)?;
        out.push_sql(" WHERE ");
        deleted_without_history(&mut out, spec)
    }
}
