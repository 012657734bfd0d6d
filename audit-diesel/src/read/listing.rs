//! Filtered, paginated listings of a model's history (one object's too): [`HistoryQuery`].

use chrono::{DateTime, Utc};
use diesel::expression::{AppearsOnTable, Expression};
use diesel::sql_types::BoolOrNullableBool;

use super::select::{Conditions, Cursor};
use super::{
    checked_bound, Both, Bound, HistoryFilter, NoFilter, Page, DEFAULT_MAX_PAGE_SIZE,
    DEFAULT_PAGE_SIZE,
};
use crate::connection::{on_backend, on_backend_filtered, AuditConnection};
use crate::contract::{Generated, GeneratedOf};
use crate::slot::{DynFilter, Slot};
use crate::user_id::user_value;
use crate::{AuditError, Historical, HistoryIdOf, HistoryRecord, HistoryType, UserId};

/// Where a page starts.
#[derive(Debug, Clone)]
enum Start<Id> {
    Page(u64),
    After(DateTime<Utc>, Id),
    AfterId(Id),
}

/// A filtered, paginated listing of a model's history; from [`Historical::history_query`] or
/// [`ObjectHistory::query`](super::ObjectHistory::query).
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
    changeset: Option<uuid::Uuid>,
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
            changeset: None,
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

    /// Only the rows of changeset `id` ([`HistoryRecord::history_changeset_id`]): what one
    /// transaction, or one explicit id, wrote to this model.
    ///
    /// [`HistoryRecord::history_changeset_id`]: crate::HistoryRecord::history_changeset_id
    pub fn changeset(mut self, id: uuid::Uuid) -> Self {
        self.changeset = Some(id);
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
            changeset: self.changeset,
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
            changeset: self.changeset,
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
