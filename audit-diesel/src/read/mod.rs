//! Reading history: one object's trail, `as_of` a time, previous and next rows, filtered and
//! paginated listings.
//!
//! Every read is ordered by (`history_date`, `history_id`), the id breaking ties between rows of
//! the same date. Semantics follow django-simple-history: `as_of(t)` counts a row dated exactly
//! `t`, and an object whose latest row at `t` is a delete, or that had no row yet, does not exist
//! at `t`.

#[doc(hidden)]
pub mod select;

use chrono::{DateTime, Utc};
use diesel::backend::Backend;
use diesel::expression::{AppearsOnTable, Expression};
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::result::QueryResult;
use diesel::sql_types::BoolOrNullableBool;
use serde::Serialize;

use self::select::{Conditions, Cursor};
use crate::backend::slot::{DynFilter, Slot};
use crate::backend::{PostgresFilter, SqliteFilter};
use crate::connection::{on_backend, on_backend_filtered, AuditConnection};
use crate::contract::{Generated, GeneratedOf};
use crate::history_date;
use crate::user_id::user_value;
use crate::{AuditError, Historical, HistoryIdOf, HistoryRecord, HistoryType, UserId};

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
pub trait HistoryFilter<M: Historical>: SqliteFilter<M> + PostgresFilter<M> {}

impl<M: Historical, F: SqliteFilter<M> + PostgresFilter<M>> HistoryFilter<M> for F {}

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

/// Where a page starts.
#[derive(Debug, Clone)]
enum Start<Id> {
    Page(u64),
    After(DateTime<Utc>, Id),
    AfterId(Id),
}

/// A filtered, paginated listing of a model's history; from [`Historical::history_query`] or
/// [`ObjectHistory::query`].
///
/// ```
/// # include!("../../doctest_setup.rs");
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mut conn = setup();
/// # let vet = AuditContext::builder().user(2).reason("check").build()?;
/// # let tank = Tank::create(&mut conn, &vet, &NewTank { name: "T1".into(), volume_m3: 40.0 })?;
/// # for v in 0..30 { Tank::update(&mut conn, &vet, tank.id, tanks::volume_m3.eq(41.0 + v as f64))?; }
/// let page = Tank::history_query()
///     .user(2)
///     .history_type(HistoryType::Update)
///     .filter(historical_tanks::volume_m3.gt(50.0))
///     .page(1)
///     .page_size(10)
///     .with_total()
///     .load(&mut conn)?;
/// assert_eq!(page.items.len(), 10);
/// assert_eq!(page.items[0].volume_m3, 70.0); // newest first
/// assert_eq!(page.total, Some(20));
/// assert!(page.has_next);
///
/// // Keyset pagination for large tables: the rows after the last one seen.
/// let next = Tank::history_query().after(page.items.last().unwrap()).page_size(10).load(&mut conn)?;
/// assert_eq!(next.items[0].volume_m3, page.items[9].volume_m3 - 1.0);
/// # Ok(())
/// # }
/// ```
pub struct HistoryQuery<'k, M: Historical, F = NoFilter> {
    object: Option<&'k M::Id>,
    user: Option<UserId>,
    history_type: Option<HistoryType>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    filter: F,
    newest_first: bool,
    start: Start<HistoryIdOf<M>>,
    page_size: u64,
    max_page_size: u64,
    with_total: bool,
}

impl<'k, M: Historical> HistoryQuery<'k, M, NoFilter> {
    pub(crate) fn new() -> Self {
        HistoryQuery {
            object: None,
            user: None,
            history_type: None,
            since: None,
            until: None,
            filter: NoFilter,
            newest_first: true,
            start: Start::Page(1),
            page_size: DEFAULT_PAGE_SIZE,
            max_page_size: DEFAULT_MAX_PAGE_SIZE,
            with_total: false,
        }
    }
}

impl<'k, M: Historical, F> HistoryQuery<'k, M, F> {
    /// Only the rows of the object with key `id`.
    pub fn object(mut self, id: &'k M::Id) -> Self {
        self.object = Some(id);
        self
    }

    /// Only the rows written by `user`.
    pub fn user(mut self, user: impl Into<UserId>) -> Self {
        self.user = Some(user.into());
        self
    }

    /// Only creates, updates or deletes.
    pub fn history_type(mut self, history_type: HistoryType) -> Self {
        self.history_type = Some(history_type);
        self
    }

    /// Only rows dated `since` or later. A date outside the years 1 to 9999 (or within the last
    /// microsecond of 9999, after every date history stores) makes [`load`](Self::load) fail
    /// with [`AuditError::DateOutOfRange`].
    pub fn since(mut self, since: DateTime<Utc>) -> Self {
        self.since = Some(since);
        self
    }

    /// Only rows dated `until` or earlier. A date outside the years 1 to 9999 makes
    /// [`load`](Self::load) fail with [`AuditError::DateOutOfRange`].
    pub fn until(mut self, until: DateTime<Utc>) -> Self {
        self.until = Some(until);
        self
    }

    /// Only rows for which `predicate`, an expression on the history table's columns, holds:
    /// `historical_feedings::batch_id.eq(7)`. Calls add up.
    pub fn filter<E>(self, predicate: E) -> HistoryQuery<'k, M, Both<F, E>>
    where
        E: Expression + AppearsOnTable<M::HistoryTable>,
        E::SqlType: BoolOrNullableBool,
    {
        HistoryQuery {
            object: self.object,
            user: self.user,
            history_type: self.history_type,
            since: self.since,
            until: self.until,
            filter: Both(self.filter, predicate),
            newest_first: self.newest_first,
            start: self.start,
            page_size: self.page_size,
            max_page_size: self.max_page_size,
            with_total: self.with_total,
        }
    }

    /// Oldest rows first (the default is newest first).
    pub fn oldest_first(mut self) -> Self {
        self.newest_first = false;
        self
    }

    /// Page `page`, counted from 1. A page past the end is empty.
    pub fn page(mut self, page: u64) -> Self {
        self.start = Start::Page(page);
        self
    }

    /// Rows per page (default [`DEFAULT_PAGE_SIZE`]); 0 or more than the maximum is an error
    /// (and so is a size past `i64::MAX - 1`, which no backend's `LIMIT` takes).
    pub fn page_size(mut self, page_size: u64) -> Self {
        self.page_size = page_size;
        self
    }

    /// The largest page size accepted (default [`DEFAULT_MAX_PAGE_SIZE`]).
    pub fn max_page_size(mut self, max: u64) -> Self {
        self.max_page_size = max;
        self
    }

    /// Keyset pagination: the rows that follow `record` in the query's order. Costs the same on
    /// page 10,000 as on page 1.
    pub fn after(mut self, record: &M::Record) -> Self {
        self.start = Start::After(record.history_date(), record.history_id().clone());
        self
    }

    /// Keyset pagination from a `history_id` alone (its date is looked up); an id with no row is
    /// [`AuditError::UnknownHistoryId`].
    pub fn after_id(mut self, history_id: HistoryIdOf<M>) -> Self {
        self.start = Start::AfterId(history_id);
        self
    }

    /// Also count every row matching the filters (one more query).
    pub fn with_total(mut self) -> Self {
        self.with_total = true;
        self
    }

    fn conditions<'s, G: ?Sized>(
        &'s self,
        filter: &'s G,
    ) -> Result<Conditions<'s, M, G>, AuditError> {
        let since = self
            .since
            .map(|d| checked_bound("since", d, Bound::AtLeast))
            .transpose()?;
        let until = self
            .until
            .map(|d| checked_bound("until", d, Bound::AtMost))
            .transpose()?;
        Ok(Conditions {
            key: self.object.map(GeneratedOf::<M>::history_key_filter),
            user: self.user.as_ref().map(user_value::<M>).transpose()?,
            history_type: self.history_type,
            since,
            until,
            cursor: match &self.start {
                Start::Page(_) => None,
                Start::After(date, id) => Some(Cursor::Row(
                    checked_bound("after", *date, Bound::AtMost)?,
                    id,
                )),
                Start::AfterId(id) => Some(Cursor::Id(id)),
            },
            newest_first: self.newest_first,
            history_id: None,
            filter,
        })
    }

    /// Loads the page.
    ///
    /// # Errors
    /// [`AuditError::InvalidPageSize`], [`AuditError::InvalidPage`] (page 0),
    /// [`AuditError::UnknownHistoryId`], [`AuditError::UserIdType`],
    /// [`AuditError::DateOutOfRange`], or a database error.
    pub fn load<C>(&self, conn: &mut C) -> Result<Page<M::Record>, AuditError>
    where
        C: AuditConnection,
        F: HistoryFilter<M>,
    {
        // One more row than the page holds is asked for, and every backend's LIMIT is an i64.
        let limit = self
            .page_size
            .checked_add(1)
            .filter(|limit| i64::try_from(*limit).is_ok());
        let (true, Some(limit)) = ((1..=self.max_page_size).contains(&self.page_size), limit)
        else {
            return Err(AuditError::InvalidPageSize {
                requested: self.page_size,
                max: self.max_page_size.min(MAX_LIMIT),
            });
        };
        let (page, offset) = match self.start {
            Start::Page(0) => return Err(AuditError::InvalidPage { page: 0 }),
            Start::Page(page) => (Some(page), (page - 1).saturating_mul(self.page_size)),
            _ => (None, 0),
        };
        // Past i64::MAX rows, any offset reads nothing.
        let offset_bind = Some(i64::try_from(offset).unwrap_or(i64::MAX));
        let mut items: Vec<M::Record> = on_backend_filtered!(
            conn.backend_connection(),
            M,
            &self.filter,
            // One more than asked: whether it comes back says if a next page exists.
            |c, slot, filter| slot.select(c, self.conditions(filter)?, Some(limit), offset_bind)
        )?;
        let has_next = u64::try_from(items.len()).map_or(true, |n| n > self.page_size);
        items.truncate(usize::try_from(self.page_size).unwrap_or(usize::MAX));
        if items.is_empty() {
            if let Start::AfterId(id) = &self.start {
                let found = on_backend!(conn.backend_connection(), M, |c, slot| {
                    let mut only_that_row =
                        Conditions::object(None, true, &NoFilter as &DynFilter<'_, _>);
                    only_that_row.history_id = Some(id);
                    slot.count(c, only_that_row)
                })?;
                if found == 0 {
                    return Err(AuditError::UnknownHistoryId {
                        model: M::HISTORY.model.to_string(),
                        id: format!("{id:?}"),
                    });
                }
            }
        }
        // The last page of a numbered listing, or the first one: its rows end the count.
        let counted = match self.start {
            Start::Page(_) if !has_next && (!items.is_empty() || offset == 0) => {
                u64::try_from(items.len())
                    .ok()
                    .and_then(|n| offset.checked_add(n))
                    .and_then(|total| i64::try_from(total).ok())
            }
            _ => None,
        };
        let total = match (self.with_total, counted) {
            (false, _) => None,
            (true, Some(total)) => Some(total),
            (true, None) => Some(self.count(conn)?),
        };
        Ok(Page {
            items,
            page,
            page_size: self.page_size,
            has_next,
            total,
        })
    }

    /// Counts the rows matching the filters (pagination aside).
    ///
    /// # Errors
    /// [`AuditError::UserIdType`], [`AuditError::DateOutOfRange`] or a database error.
    pub fn count<C>(&self, conn: &mut C) -> Result<i64, AuditError>
    where
        C: AuditConnection,
        F: HistoryFilter<M>,
    {
        on_backend_filtered!(
            conn.backend_connection(),
            M,
            &self.filter,
            |c, slot, filter| {
                let mut conditions = self.conditions(filter)?;
                conditions.cursor = None;
                slot.count(c, conditions)
            }
        )
    }
}

/// The largest page size any backend's `LIMIT` takes with the one extra row a page reads.
const MAX_LIMIT: u64 = i64::MAX as u64 - 1;

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

/// The history of one object; from [`Historical::history`].
///
/// ```
/// # include!("../../doctest_setup.rs");
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mut conn = setup();
/// use chrono::{TimeZone, Utc};
/// let march = |day| Utc.with_ymd_and_hms(2026, 3, day, 12, 0, 0).unwrap();
/// let on = |day| AuditContext::builder().user(1).date(march(day)).build();
/// let tank = Tank::create(&mut conn, &on(1)?, &NewTank { name: "T1".into(), volume_m3: 40.0 })?;
/// Tank::update(&mut conn, &on(3)?, tank.id, tanks::volume_m3.eq(55.0))?;
/// Tank::delete(&mut conn, &on(5)?, tank.id)?;
///
/// let history = Tank::history(&tank.id);
/// let trail = history.trail(&mut conn)?; // newest first
/// assert_eq!(trail.iter().map(|r| r.history_type.as_str()).collect::<String>(), "-~+");
/// assert_eq!(history.as_of(&mut conn, march(2))?.unwrap().volume_m3, 40.0);
/// assert_eq!(history.as_of(&mut conn, march(3))?.unwrap().volume_m3, 55.0); // dated exactly then
/// assert!(history.as_of(&mut conn, march(6))?.is_none()); // deleted by then
/// assert!(history.as_of(&mut conn, Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap())?.is_none());
/// assert_eq!(history.earliest(&mut conn)?.unwrap().history_type, HistoryType::Create);
/// # Ok(())
/// # }
/// ```
pub struct ObjectHistory<'k, M: Historical> {
    id: &'k M::Id,
}

impl<'k, M: Historical> ObjectHistory<'k, M> {
    pub(crate) fn new(id: &'k M::Id) -> Self {
        ObjectHistory { id }
    }

    /// A listing of this object's rows, to filter and paginate.
    pub fn query(&self) -> HistoryQuery<'k, M> {
        HistoryQuery::new().object(self.id)
    }

    /// This object's rows up to `until`, at most `limit`, on the backend of `conn`.
    fn rows<C: AuditConnection>(
        &self,
        conn: &mut C,
        until: Option<DateTime<Utc>>,
        newest_first: bool,
        limit: Option<u64>,
    ) -> Result<Vec<M::Record>, AuditError> {
        on_backend!(conn.backend_connection(), M, |c, slot| {
            let mut conditions = Conditions::object(
                Some(GeneratedOf::<M>::history_key_filter(self.id)),
                newest_first,
                &NoFilter as &DynFilter<'_, _>,
            );
            conditions.until = until;
            slot.select(c, conditions, limit, None)
        })
    }

    /// Every row of the object, newest first.
    ///
    /// # Errors
    /// A database error.
    pub fn trail<C: AuditConnection>(&self, conn: &mut C) -> Result<Vec<M::Record>, AuditError> {
        self.rows(conn, None, true, None)
    }

    /// The most recent row.
    ///
    /// # Errors
    /// A database error.
    pub fn latest<C: AuditConnection>(
        &self,
        conn: &mut C,
    ) -> Result<Option<M::Record>, AuditError> {
        Ok(self.rows(conn, None, true, Some(1))?.pop())
    }

    /// The first row (normally its creation).
    ///
    /// # Errors
    /// A database error.
    pub fn earliest<C: AuditConnection>(
        &self,
        conn: &mut C,
    ) -> Result<Option<M::Record>, AuditError> {
        Ok(self.rows(conn, None, false, Some(1))?.pop())
    }

    /// The object as it was at `at`: its latest row dated `at` or earlier, or `None` when it had
    /// no row yet or that row is its deletion. One index probe.
    ///
    /// # Errors
    /// [`AuditError::DateOutOfRange`] for a time outside the years 1 to 9999, or a database
    /// error.
    pub fn as_of<C: AuditConnection>(
        &self,
        conn: &mut C,
        at: DateTime<Utc>,
    ) -> Result<Option<M::Record>, AuditError> {
        let at = checked_bound("as_of", at, Bound::AtMost)?;
        let latest = self.rows(conn, Some(at), true, Some(1))?.pop();
        Ok(latest.filter(|r: &M::Record| r.history_type() != HistoryType::Delete))
    }
}

/// Every object of a model as it was at a time; from [`Historical::as_of`].
///
/// An object is in the result when its latest row dated at or before the time is not a delete;
/// it comes in the state that row records. [`filter`](AsOf::filter) then keeps the objects whose
/// state at that time matches. On PostgreSQL the query walks the distinct object keys of the
/// history index and probes it once per object; on SQLite it ranks the rows up to the time.
///
/// ```
/// # include!("../../doctest_setup.rs");
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mut conn = setup();
/// use chrono::{TimeZone, Utc};
/// let march = |day| Utc.with_ymd_and_hms(2026, 3, day, 12, 0, 0).unwrap();
/// let on = |day| AuditContext::builder().date(march(day)).build();
/// let t1 = Tank::create(&mut conn, &on(1)?, &NewTank { name: "T1".into(), volume_m3: 40.0 })?;
/// let t2 = Tank::create(&mut conn, &on(1)?, &NewTank { name: "T2".into(), volume_m3: 80.0 })?;
/// Tank::update(&mut conn, &on(2)?, t1.id, tanks::volume_m3.eq(45.0))?;
/// Tank::delete(&mut conn, &on(4)?, t2.id)?;
///
/// let at_3 = Tank::as_of(march(3)).load(&mut conn)?;
/// assert_eq!(at_3.iter().map(|r| (r.name.as_str(), r.volume_m3)).collect::<Vec<_>>(), [("T1", 45.0), ("T2", 80.0)]);
/// let big = Tank::as_of(march(3)).filter(historical_tanks::volume_m3.gt(50.0)).load(&mut conn)?;
/// assert_eq!(big.len(), 1);
/// assert_eq!(Tank::as_of(march(5)).load(&mut conn)?.len(), 1);
/// # Ok(())
/// # }
/// ```
pub struct AsOf<M, F = NoFilter> {
    at: DateTime<Utc>,
    filter: F,
    model: std::marker::PhantomData<M>,
}

impl<M: Historical> AsOf<M, NoFilter> {
    pub(crate) fn new(at: DateTime<Utc>) -> Self {
        AsOf {
            at,
            filter: NoFilter,
            model: std::marker::PhantomData,
        }
    }
}

impl<M: Historical, F> AsOf<M, F> {
    /// Only objects whose state at the time matches `predicate`, an expression on the history
    /// table's columns. Calls add up.
    pub fn filter<E>(self, predicate: E) -> AsOf<M, Both<F, E>>
    where
        E: Expression + AppearsOnTable<M::HistoryTable>,
        E::SqlType: BoolOrNullableBool,
    {
        AsOf {
            at: self.at,
            filter: Both(self.filter, predicate),
            model: std::marker::PhantomData,
        }
    }

    /// The objects, ordered by key, each as its latest row up to the time.
    ///
    /// # Errors
    /// [`AuditError::DateOutOfRange`] for a time outside the years 1 to 9999, or a database
    /// error.
    pub fn load<C>(&self, conn: &mut C) -> Result<Vec<M::Record>, AuditError>
    where
        C: AuditConnection,
        F: HistoryFilter<M>,
    {
        let at = checked_bound("as_of", self.at, Bound::AtMost)?;
        on_backend_filtered!(
            conn.backend_connection(),
            M,
            &self.filter,
            |c, slot, filter| slot.as_of(c, at, filter)
        )
    }
}
