//! Reading history: one object's trail, `as_of` a time, previous and next rows, filtered and
//! paginated listings.
//!
//! Every read is ordered by (`history_date`, `history_id`), the id breaking ties between rows of
//! the same date. Semantics follow django-simple-history: `as_of(t)` counts a row dated exactly
//! `t`, and an object whose latest row at `t` is a delete, or that had no row yet, does not exist
//! at `t`.
//!
//! A module per kind of read: `listing.rs` ([`HistoryQuery`]: filters, pages, keyset cursors),
//! `object.rs` ([`ObjectHistory`]: one object's trail and `as_of`), `as_of.rs` ([`AsOf`]: a whole
//! table at a time); `select.rs` renders the statements all three run through the model's slot.

mod as_of;
mod listing;
mod object;
#[doc(hidden)]
pub mod select;

pub use as_of::AsOf;
pub use listing::HistoryQuery;
pub use object::ObjectHistory;

use chrono::{DateTime, Utc};
use diesel::backend::Backend;
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::result::QueryResult;
use serde::Serialize;

use crate::history_date;
pub use crate::slot::{MysqlFilter, PostgresFilter, SqliteFilter};
use crate::{AuditError, Historical};

/// Rows per page unless [`HistoryQuery::page_size`] says otherwise (django-simple-history's API
/// default).
pub const DEFAULT_PAGE_SIZE: u64 = 25;
/// The largest page unless [`HistoryQuery::max_page_size`] says otherwise.
pub const DEFAULT_MAX_PAGE_SIZE: u64 = 1000;

/// No filter on the history table's columns (renders `1 = 1`).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoFilter;

impl<DB: Backend> QueryFragment<DB> for NoFilter {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("1 = 1");
        Ok(())
    }
}

/// Two filters that must both hold.
#[derive(Debug, Clone, Copy)]
pub struct Both<A, B>(A, B);

impl<A, B, DB> QueryFragment<DB> for Both<A, B>
where
    DB: Backend,
    A: QueryFragment<DB>,
    B: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("(");
        self.0.walk_ast(out.reborrow())?;
        out.push_sql(") AND (");
        self.1.walk_ast(out.reborrow())?;
        out.push_sql(")");
        Ok(())
    }
}

/// A filter on model `M`'s history table (from [`HistoryQuery::filter`] and [`AsOf::filter`])
/// that renders on every backend `M` is declared for. Holds for every expression Diesel renders
/// there; sealed, it follows from its per-backend halves.
pub trait HistoryFilter<M: Historical>:
    SqliteFilter<M> + PostgresFilter<M> + MysqlFilter<M>
{
}

impl<M: Historical, F: SqliteFilter<M> + PostgresFilter<M> + MysqlFilter<M>> HistoryFilter<M>
    for F
{
}

/// One page of history rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<R> {
    /// The rows, in the query's order (newest first unless asked otherwise).
    pub items: Vec<R>,
    /// The page number (from 1), or `None` for a keyset page.
    pub page: Option<u64>,
    /// Rows per page.
    pub page_size: u64,
    /// Whether more rows follow.
    pub has_next: bool,
    /// All rows matching the filters, when asked for with [`HistoryQuery::with_total`].
    pub total: Option<i64>,
}

/// How a read bound compares with the stored dates, which have microseconds only.
#[derive(Clone, Copy)]
pub(crate) enum Bound {
    /// `history_date >= bound`: rounded up to the next microsecond.
    AtLeast,
    /// `history_date <= bound` (and keyset cursors): rounded down.
    AtMost,
}

/// A read's date bound, checked and rounded to the stored precision. Dates outside the years 1 to
/// 9999 are never stored, and SQLite, which compares dates as text, would answer them otherwise
/// than PostgreSQL; rounding here, not in each backend's conversion (PostgreSQL's rounds towards
/// 2000-01-01), makes sub-microsecond bounds mean the same everywhere.
pub(crate) fn checked_bound(
    argument: &'static str,
    date: DateTime<Utc>,
    bound: Bound,
) -> Result<DateTime<Utc>, AuditError> {
    let rounded = match bound {
        Bound::AtLeast => history_date::ceil_to_micros(date),
        Bound::AtMost => Some(history_date::truncate_to_micros(date)),
    };
    // Both: a date outside the years is refused even when rounding would bring it in, and one
    // that rounding takes out (a `since` past the last stored microsecond) is refused too.
    rounded
        .filter(|rounded| history_date::in_range(&date) && history_date::in_range(rounded))
        .ok_or_else(|| AuditError::DateOutOfRange {
            argument,
            date: date.to_rfc3339(),
        })
}

pub(crate) fn read_error<M: Historical>(source: diesel::result::Error) -> AuditError {
    AuditError::Database {
        model: M::HISTORY.model.to_string(),
        operation: "history read",
        source,
    }
}
