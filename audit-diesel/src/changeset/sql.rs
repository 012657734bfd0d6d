//! The SQL of changeset listings: the rows of every registered history table, `UNION ALL`-ed
//! into one statement and grouped by changeset, so that a page costs two statements however many
//! models there are.
//!
//! These types appear in no public signature; they are not meant to be built directly.

use chrono::{DateTime, Utc};
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::result::QueryResult;
use diesel::sql_types::{BigInt, Integer, Nullable, Text};

use crate::backend::AuditBackend;
use crate::schema::spec::meta;
use crate::sql::{date_range, query};
use crate::sql_types::{HistoryDate, PortableUuid, UuidValue};
use crate::HistoryTableSpec;

/// Where a changeset stands in a listing: the date of its latest row, then its id.
pub type ChangesetKey = (DateTime<Utc>, uuid::Uuid);

/// A changeset and the date of its latest row (Diesel loads `uuid::Uuid` itself only with
/// PostgreSQL, hence [`UuidValue`]).
pub type KeyRow = (UuidValue, DateTime<Utc>);

/// One (table, changeset, user, reason) group: the table's place in the statement, the user id
/// as text, the rows, the first and last date.
pub type PartRow = (
    i32,
    UuidValue,
    Option<String>,
    Option<String>,
    i64,
    DateTime<Utc>,
    DateTime<Utc>,
);

/// The rows a listing looks at, in every table it reads.
#[allow(missing_docs)]
pub struct ChangesetRows<'s> {
    pub tables: Vec<&'static HistoryTableSpec>,
    /// The user id as text, compared with each table's `history_user_id` cast to text (the
    /// tables' id types differ); only tables whose type can hold the id are read.
    pub user: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Only these changesets (none: any).
    pub ids: &'s [uuid::Uuid],
}

impl ChangesetRows<'_> {
    /// ` FROM "table" WHERE ...`: the rows of one table that the listing keeps.
    fn walk_table<'b, DB: AuditBackend>(
        &'b self,
        table: &'b str,
        out: &mut AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        out.push_sql(" FROM ");
        out.push_identifier(table)?;
        out.push_sql(" WHERE ");
        out.push_identifier(meta::HISTORY_CHANGESET_ID)?;
        out.push_sql(" IS NOT NULL");
        if self.user.is_some() {
            out.push_sql(" AND CAST(");
            out.push_identifier(meta::HISTORY_USER_ID)?;
            out.push_sql(" AS ");
            out.push_sql(DB::TEXT_CAST);
            out.push_sql(") = ");
            DB::bind_reason(out, &self.user)?;
        }
        date_range(out, table, &self.since, &self.until)?;
        if !self.ids.is_empty() {
            out.push_sql(" AND ");
            out.push_identifier(meta::HISTORY_CHANGESET_ID)?;
            out.push_sql(" IN (");
            for (i, id) in self.ids.iter().enumerate() {
                if i > 0 {
                    out.push_sql(", ");
                }
                DB::bind_uuid(out, id)?;
            }
            out.push_sql(")");
        }
        Ok(())
    }
}

/// The newest changesets before a cursor, across the tables: `SELECT changeset, MAX(date) FROM
/// (<each table's rows> UNION ALL ...) GROUP BY changeset HAVING (MAX(date), changeset) <
/// cursor ORDER BY MAX(date) DESC, changeset DESC LIMIT n`.
#[allow(missing_docs)]
pub struct ChangesetKeys<'s> {
    pub rows: ChangesetRows<'s>,
    pub before: Option<ChangesetKey>,
    pub limit: u64,
}

query!(impl['s] ChangesetKeys<'s> => (PortableUuid, HistoryDate));

const CHANGESET: &str = "audit_changeset";
const DATE: &str = "audit_date";
const ROWS: &str = "audit_rows";

impl<DB: AuditBackend> QueryFragment<DB> for ChangesetKeys<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let latest = |out: &mut AstPass<'_, 'b, DB>| -> QueryResult<()> {
            out.push_sql("MAX(");
            out.push_identifier(DATE)?;
            out.push_sql(")");
            Ok(())
        };
        out.push_sql("SELECT ");
        out.push_identifier(CHANGESET)?;
        out.push_sql(", ");
        latest(&mut out)?;
        out.push_sql(" FROM (");
        for (i, spec) in self.rows.tables.iter().enumerate() {
            if i > 0 {
                out.push_sql(" UNION ALL ");
            }
            out.push_sql("SELECT ");
            out.push_identifier(meta::HISTORY_CHANGESET_ID)?;
            out.push_sql(" AS ");
            out.push_identifier(CHANGESET)?;
            out.push_sql(", ");
            out.push_identifier(meta::HISTORY_DATE)?;
            out.push_sql(" AS ");
            out.push_identifier(DATE)?;
            self.rows.walk_table(&spec.history_table, &mut out)?;
        }
        out.push_sql(") AS ");
        out.push_identifier(ROWS)?;
        out.push_sql(" GROUP BY ");
        out.push_identifier(CHANGESET)?;
        if let Some((date, id)) = &self.before {
            out.push_sql(" HAVING (");
            latest(&mut out)?;
            out.push_sql(", ");
            out.push_identifier(CHANGESET)?;
            out.push_sql(") < (");
            DB::bind_date(&mut out, date)?;
            out.push_sql(", ");
            DB::bind_uuid(&mut out, id)?;
            out.push_sql(")");
        }
        out.push_sql(" ORDER BY ");
        latest(&mut out)?;
        out.push_sql(" DESC, ");
        out.push_identifier(CHANGESET)?;
        out.push_sql(&format!(" DESC LIMIT {}", self.limit));
        Ok(())
    }
}

/// The figures of some changesets in each table: `SELECT <table's place>, changeset, user,
/// reason, COUNT(*), MIN(date), MAX(date) FROM <table> WHERE ... GROUP BY changeset, user, reason
/// UNION ALL ...`.
#[allow(missing_docs)]
pub struct ChangesetParts<'s> {
    pub rows: ChangesetRows<'s>,
}

query!(impl['s] ChangesetParts<'s> => (
    Integer,
    PortableUuid,
    Nullable<Text>,
    Nullable<Text>,
    BigInt,
    HistoryDate,
    HistoryDate,
));

impl<DB: AuditBackend> QueryFragment<DB> for ChangesetParts<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        for (i, spec) in self.rows.tables.iter().enumerate() {
            if i > 0 {
                out.push_sql(" UNION ALL ");
            }
            out.push_sql(&format!("SELECT {i}, "));
            out.push_identifier(meta::HISTORY_CHANGESET_ID)?;
            out.push_sql(", CAST(");
            out.push_identifier(meta::HISTORY_USER_ID)?;
            out.push_sql(" AS ");
            out.push_sql(DB::TEXT_CAST);
            out.push_sql("), ");
            out.push_identifier(meta::HISTORY_CHANGE_REASON)?;
            out.push_sql(", COUNT(*), MIN(");
            out.push_identifier(meta::HISTORY_DATE)?;
            out.push_sql("), MAX(");
            out.push_identifier(meta::HISTORY_DATE)?;
            out.push_sql(")");
            self.rows.walk_table(&spec.history_table, &mut out)?;
            out.push_sql(" GROUP BY ");
            out.push_identifier(meta::HISTORY_CHANGESET_ID)?;
            out.push_sql(", ");
            out.push_identifier(meta::HISTORY_USER_ID)?;
            out.push_sql(", ");
            out.push_identifier(meta::HISTORY_CHANGE_REASON)?;
        }
        Ok(())
    }
}
