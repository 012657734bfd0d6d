//! Pieces of SQL that the writes, the reads and maintenance render the same way, and the impls
//! every statement type of the crate needs to run.

use diesel::backend::Backend;
use diesel::query_builder::AstPass;
use diesel::result::QueryResult;

use crate::schema::spec::meta;
use crate::HistoryTableSpec;

/// Implements `QueryId` (no static id: Diesel caches the statement by its SQL text), `Query` and
/// `RunQueryDsl` for a statement type of the crate:
/// `query!(impl[M: Historical, F] Ty<M, F> => SqlType where [bounds])`.
macro_rules! query {
    (impl[$($generics:tt)*] $ty:ty => $sql_type:ty $(where [$($bounds:tt)*])?) => {
        impl<$($generics)*> diesel::query_builder::QueryId for $ty $(where $($bounds)*)? {
            type QueryId = ();
            const HAS_STATIC_QUERY_ID: bool = false;
        }
        impl<$($generics)*> diesel::query_builder::Query for $ty $(where $($bounds)*)? {
            type SqlType = $sql_type;
        }
        impl<$($generics)*, Conn> diesel::RunQueryDsl<Conn> for $ty $(where $($bounds)*)? {}
    };
}
pub(crate) use query;

/// The names the crate's statements give their subqueries and CTEs, quoted by the backend like
/// every identifier (MySQL reads `"x"` as a string).
pub(crate) mod alias {
    pub(crate) const ANY: &str = "audit_any";
    pub(crate) const EXISTING: &str = "audit_existing";
    pub(crate) const PREVIOUS: &str = "audit_previous";
    pub(crate) const SAME: &str = "audit_same";
    pub(crate) const RECENT: &str = "audit_recent";
    pub(crate) const CANDIDATES: &str = "audit_candidates";
    pub(crate) const NEWER: &str = "audit_newer";
    pub(crate) const DOOMED: &str = "audit_doomed";
    pub(crate) const COUNT: &str = "audit_count";
    pub(crate) const KEYS: &str = "audit_keys";
    pub(crate) const NEXT: &str = "audit_next";
    pub(crate) const RANK: &str = "audit_rank";
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(crate) const HISTORY: &str = "audit_history";
    /// PostgreSQL's single-statement write: the rows the data change returned.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(crate) const CHANGED: &str = "audit_changed";
    /// PostgreSQL's single-statement write: the rows as they were before an update.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(crate) const OLD: &str = "audit_old";
    /// A bulk save's rows: every column of each model, and its position.
    pub(crate) const VALUES: &str = "audit_values";
    /// The column of [`VALUES`] that numbers the rows from 0.
    pub(crate) const ROW: &str = "audit_row";
    /// PostgreSQL's bulk save: the changed rows, seen again to find a row that was not.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(crate) const FOUND: &str = "audit_found";
}

/// `'<code>'`: a history type as an SQL literal, from its one definition.
pub(crate) fn history_type_literal<DB: Backend>(
    out: &mut AstPass<'_, '_, DB>,
    history_type: crate::HistoryType,
) {
    out.push_sql("'");
    out.push_sql(history_type.as_str());
    out.push_sql("'");
}

/// `"<table>"."<column>"`.
pub(crate) fn column<DB: Backend>(
    out: &mut AstPass<'_, '_, DB>,
    table: &str,
    name: &str,
) -> QueryResult<()> {
    out.push_identifier(table)?;
    out.push_sql(".");
    out.push_identifier(name)
}

/// The key columns, comma-separated, `"<table>".`-qualified when `table` is given.
pub(crate) fn key_list<DB: Backend>(
    out: &mut AstPass<'_, '_, DB>,
    spec: &HistoryTableSpec,
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

/// `("<table>"."k1", "<table>"."k2")`.
pub(crate) fn key_tuple<DB: Backend>(
    out: &mut AstPass<'_, '_, DB>,
    spec: &HistoryTableSpec,
    table: &str,
) -> QueryResult<()> {
    out.push_sql("(");
    key_list(out, spec, Some(table))?;
    out.push_sql(")");
    Ok(())
}

/// `"<a>"."k1" = "<b>"."k1" AND ...` over the key columns.
pub(crate) fn keys_equal<DB: Backend>(
    out: &mut AstPass<'_, '_, DB>,
    spec: &HistoryTableSpec,
    a: &str,
    b: &str,
) -> QueryResult<()> {
    for (i, key) in spec.primary_key.iter().enumerate() {
        if i > 0 {
            out.push_sql(" AND ");
        }
        column(out, a, key)?;
        out.push_sql(" = ");
        column(out, b, key)?;
    }
    Ok(())
}

/// `"<table>"."history_date"<order>, "<table>"."history_id"<order>`: history's order, with
/// `order` `""`, `" ASC"` or `" DESC"`.
pub(crate) fn date_then_id<DB: Backend>(
    out: &mut AstPass<'_, '_, DB>,
    table: &str,
    order: &str,
) -> QueryResult<()> {
    column(out, table, meta::HISTORY_DATE)?;
    out.push_sql(order);
    out.push_sql(", ");
    column(out, table, meta::HISTORY_ID)?;
    out.push_sql(order);
    Ok(())
}

/// ` AND "<table>"."history_date" >= <since> AND ... <= <until>`: a read's date range, each bound
/// when given.
pub(crate) fn date_range<'b, DB: crate::backend::AuditBackend>(
    out: &mut AstPass<'_, 'b, DB>,
    table: &str,
    since: &'b Option<chrono::DateTime<chrono::Utc>>,
    until: &'b Option<chrono::DateTime<chrono::Utc>>,
) -> QueryResult<()> {
    for (bound, op) in [(since, " >= "), (until, " <= ")] {
        if let Some(date) = bound {
            out.push_sql(" AND ");
            column(out, table, meta::HISTORY_DATE)?;
            out.push_sql(op);
            DB::bind_date(out, date)?;
        }
    }
    Ok(())
}
