//! A registered model's history by name, with the values a URL carries as text: what an HTTP API
//! or a UI reads without knowing the model's Rust types.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

use super::{Entry, Registry};
use crate::connection::{on_backend, AuditConnection};
use crate::history_id::HistoryIdKind;
use crate::read::select::Conditions;
use crate::read::{NoFilter, Page, DEFAULT_MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE};
use crate::slot::{DynFilter, Slot};
use crate::{
    AuditContext, AuditError, Historical, HistoryDiff, HistoryIdOf, HistoryRecord,
    HistoryTableSpec, HistoryType, UserId,
};

/// A listing of one model's history, its filters parsed, the object key and the keyset cursor as
/// text (only the model can read them): [`ModelHistory::records`].
#[derive(Debug, Clone)]
pub struct RecordQuery {
    /// Only rows written by this user.
    pub user: Option<UserId>,
    /// Only creates, updates or deletes.
    pub history_type: Option<HistoryType>,
    /// Only rows dated then or later.
    pub since: Option<DateTime<Utc>>,
    /// Only rows dated then or earlier.
    pub until: Option<DateTime<Utc>>,
    /// Only the rows of one object, by its key as text: a JSON value (`7`, `"007"`), a bare
    /// string (`abc`), or the parts of a composite key separated by commas (`3,B1`).
    pub object_id: Option<String>,
    /// Only the rows of one changeset.
    pub changeset: Option<Uuid>,
    /// The page, from 1 (ignored with [`after`](Self::after)).
    pub page: u64,
    /// Keyset pagination: the rows after the one with this `history_id` (as text).
    pub after: Option<String>,
    /// Rows per page.
    pub page_size: u64,
    /// The largest page size accepted.
    pub max_page_size: u64,
    /// Also count every matching row.
    pub with_total: bool,
}

impl Default for RecordQuery {
    fn default() -> Self {
        RecordQuery {
            user: None,
            history_type: None,
            since: None,
            until: None,
            object_id: None,
            changeset: None,
            page: 1,
            after: None,
            page_size: DEFAULT_PAGE_SIZE,
            max_page_size: DEFAULT_MAX_PAGE_SIZE,
            with_total: false,
        }
    }
}

/// One history row with the row before it (of the same object) and what changed since then.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordDetail {
    /// The row, as its record serializes.
    pub record: serde_json::Value,
    /// The object's row before it, if any.
    pub previous: Option<serde_json::Value>,
    /// What changed from `previous` to `record` (none for the object's first row).
    pub diff: Option<HistoryDiff>,
}

/// The sizes of one model's tables: [`ModelHistory::counts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ModelCounts {
    /// Rows of the model's own table.
    pub rows: u64,
    /// Rows of its history table.
    pub history_rows: u64,
}

/// One registered model, by name: [`Registry::history`].
pub struct ModelHistory<'r, C> {
    entry: &'r Entry<C>,
}

impl<C: AuditConnection> Registry<C> {
    /// The registered model named `name` (its Rust name or its history table).
    pub fn history(&self, name: &str) -> Option<ModelHistory<'_, C>> {
        self.entry(name).map(|entry| ModelHistory { entry })
    }

    /// Every registered model, in the order they were added.
    pub fn histories(&self) -> impl Iterator<Item = ModelHistory<'_, C>> + '_ {
        self.entries.iter().map(|entry| ModelHistory { entry })
    }
}

impl<C: AuditConnection> ModelHistory<'_, C> {
    /// What the model's history table holds.
    pub fn spec(&self) -> &'static HistoryTableSpec {
        self.entry.spec
    }

    /// Whether the model was registered as holding personal data
    /// ([`Registry::personal_model`]).
    pub fn personal_data(&self) -> bool {
        self.entry.personal_data
    }

    /// A page of the model's history.
    ///
    /// # Errors
    /// [`AuditError::InvalidValue`] for an object key or cursor the model cannot read, and the
    /// errors of [`HistoryQuery::load`](crate::HistoryQuery::load).
    pub fn records(
        &self,
        conn: &mut C,
        query: &RecordQuery,
    ) -> Result<Page<serde_json::Value>, AuditError> {
        (self.entry.records)(conn, query)
    }

    /// The row with `history_id` (as text), with the object's row before it and the diff.
    ///
    /// # Errors
    /// [`AuditError::InvalidValue`] for an id the model's `history_id` cannot hold; a database
    /// error.
    pub fn record(
        &self,
        conn: &mut C,
        history_id: &str,
    ) -> Result<Option<RecordDetail>, AuditError> {
        (self.entry.record)(conn, history_id)
    }

    /// A page of the model's history like [`records`](Self::records), each row with the
    /// object's row before it and the diff: what a history list's "changes" column shows. One
    /// more indexed read per row.
    ///
    /// ```
    /// # include!("../../doctest_setup.rs");
    /// # fn main() -> Result<(), audit_diesel::AuditError> {
    /// # let mut conn = setup();
    /// use audit_diesel::registry::RecordQuery;
    /// use audit_diesel::Registry;
    ///
    /// let ctx = AuditContext::for_user(7);
    /// let tank = Tank::create(&mut conn, &ctx, &NewTank { name: "T1".into(), volume_m3: 40.0 })?;
    /// Tank::update(&mut conn, &ctx, tank.id, tanks::volume_m3.eq(55.0))?;
    ///
    /// let registry = Registry::<SqliteConnection>::new().model::<Tank>();
    /// let tanks = registry.history("Tank").unwrap();
    /// let page = tanks.details(&mut conn, &RecordQuery::default())?;
    /// assert_eq!(page.items[0].diff.as_ref().unwrap().changed_fields(), ["volume_m3"]);
    /// assert!(page.items[1].previous.is_none(), "the object's first row");
    ///
    /// // Back to the first row's values, by its id as a URL carries it.
    /// let first = page.items[1].record["history_id"].to_string();
    /// let written = tanks.revert(&mut conn, &ctx.with_reason("typo")?, &first)?.unwrap();
    /// assert_eq!(written["volume_m3"], 40.0);
    /// assert_eq!(tanks.counts(&mut conn)?.history_rows, 3);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// Those of [`records`](Self::records).
    pub fn details(
        &self,
        conn: &mut C,
        query: &RecordQuery,
    ) -> Result<Page<RecordDetail>, AuditError> {
        (self.entry.details)(conn, query)
    }

    /// Reverts the object of the row with `history_id` (as text) to the state that row holds
    /// ([`Historical::revert`]: a `~` row, or a `+` row when the object was deleted since), in
    /// one transaction, attributed to `ctx`. Returns the history row the revert wrote; `None`
    /// when no row has that id (nothing is written).
    ///
    /// # Errors
    /// [`AuditError::InvalidValue`] for an id the model's `history_id` cannot hold; those of
    /// [`Historical::revert`].
    pub fn revert(
        &self,
        conn: &mut C,
        ctx: &AuditContext,
        history_id: &str,
    ) -> Result<Option<serde_json::Value>, AuditError> {
        (self.entry.revert)(conn, ctx, history_id)
    }

    /// How many rows the model's table and its history table hold (two `COUNT(*)`s).
    ///
    /// # Errors
    /// A database error.
    pub fn counts(&self, conn: &mut C) -> Result<ModelCounts, AuditError> {
        (self.entry.counts)(conn)
    }

    /// The object with key `object_id` (as text) as it was at `at`, as its record serializes;
    /// `None` when it did not exist then.
    ///
    /// # Errors
    /// [`AuditError::InvalidValue`] for a key the model cannot read, and the errors of
    /// [`ObjectHistory::as_of`](crate::ObjectHistory::as_of).
    pub fn as_of(
        &self,
        conn: &mut C,
        object_id: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<serde_json::Value>, AuditError> {
        (self.entry.as_of)(conn, object_id, at)
    }
}

/// Reads an object key from text: a JSON value (`7`, `"007"`), a bare string (`abc`), or the
/// parts of a composite key separated by commas (`3,B1`).
pub(crate) fn parse_key<M: Historical>(text: &str) -> Result<M::Id, AuditError>
where
    M::Id: DeserializeOwned,
{
    let value = |t: &str| {
        serde_json::from_str::<serde_json::Value>(t)
            .unwrap_or_else(|_| serde_json::Value::String(t.to_owned()))
    };
    let read = |v: serde_json::Value| serde_json::from_value::<M::Id>(v).ok();
    read(value(text))
        .or_else(|| read(serde_json::Value::String(text.to_owned())))
        .or_else(|| {
            text.contains(',')
                .then(|| serde_json::Value::Array(text.split(',').map(value).collect()))
                .and_then(read)
        })
        .ok_or_else(|| AuditError::InvalidValue {
            argument: "object_id",
            value: text.to_owned(),
            expected: format!(
                "a key of {} ({})",
                M::HISTORY.model,
                std::any::type_name::<M::Id>()
            ),
        })
}

/// Reads a `history_id` of model `M` from text.
fn parse_history_id<M: Historical>(
    argument: &'static str,
    text: &str,
) -> Result<HistoryIdOf<M>, AuditError> {
    M::HistoryId::parse(text).ok_or_else(|| AuditError::InvalidValue {
        argument,
        value: text.to_owned(),
        expected: format!(
            "a history id of {} ({:?})",
            M::HISTORY.model,
            M::HistoryId::KIND
        ),
    })
}

fn to_json<M: Historical>(record: &M::Record) -> Result<serde_json::Value, AuditError>
where
    M::Record: Serialize,
{
    serde_json::to_value(record).map_err(|source| AuditError::Serialize {
        model: M::HISTORY.model.to_string(),
        source,
    })
}

/// A page of model `M`'s history, as typed records.
fn load_page<M, C>(conn: &mut C, q: &RecordQuery) -> Result<Page<M::Record>, AuditError>
where
    M: Historical,
    M::Id: DeserializeOwned,
    C: AuditConnection,
{
    let key = q.object_id.as_deref().map(parse_key::<M>).transpose()?;
    let mut query = M::history_query()
        .page_size(q.page_size)
        .max_page_size(q.max_page_size);
    if let Some(key) = &key {
        query = query.object(key);
    }
    if let Some(user) = &q.user {
        query = query.user(user.clone());
    }
    if let Some(history_type) = q.history_type {
        query = query.history_type(history_type);
    }
    if let Some(since) = q.since {
        query = query.since(since);
    }
    if let Some(until) = q.until {
        query = query.until(until);
    }
    if let Some(changeset) = q.changeset {
        query = query.changeset(changeset);
    }
    query = match &q.after {
        Some(after) => query.after_id(parse_history_id::<M>("after", after)?),
        None => query.page(q.page),
    };
    if q.with_total {
        query = query.with_total();
    }
    query.load(conn)
}

/// The same page with other items.
fn map_page<T, U>(
    page: Page<T>,
    f: impl FnMut(T) -> Result<U, AuditError>,
) -> Result<Page<U>, AuditError> {
    Ok(Page {
        items: page.items.into_iter().map(f).collect::<Result<_, _>>()?,
        page: page.page,
        page_size: page.page_size,
        has_next: page.has_next,
        total: page.total,
    })
}

/// [`ModelHistory::records`] of model `M`.
pub(crate) fn records_of<M, C>(
    conn: &mut C,
    q: &RecordQuery,
) -> Result<Page<serde_json::Value>, AuditError>
where
    M: Historical,
    M::Record: Serialize,
    M::Id: DeserializeOwned,
    C: AuditConnection,
{
    map_page(load_page::<M, C>(conn, q)?, |r| to_json::<M>(&r))
}

/// [`ModelHistory::details`] of model `M`.
pub(crate) fn details_of<M, C>(
    conn: &mut C,
    q: &RecordQuery,
) -> Result<Page<RecordDetail>, AuditError>
where
    M: Historical,
    M::Record: Serialize,
    M::Id: DeserializeOwned,
    C: AuditConnection,
{
    let page = load_page::<M, C>(conn, q)?;
    map_page(page, |record| detail_of::<M, C>(conn, record))
}

/// A record with the object's record before it and the diff.
fn detail_of<M, C>(conn: &mut C, record: M::Record) -> Result<RecordDetail, AuditError>
where
    M: Historical,
    M::Record: Serialize,
    C: AuditConnection,
{
    let previous = record.previous(conn)?;
    let diff = previous
        .as_ref()
        .map(|p| record.diff_against(p))
        .transpose()?;
    Ok(RecordDetail {
        record: to_json::<M>(&record)?,
        previous: previous.as_ref().map(to_json::<M>).transpose()?,
        diff,
    })
}

/// The row of `M`'s history with `history_id` (as text).
fn find_record<M, C>(conn: &mut C, history_id: &str) -> Result<Option<M::Record>, AuditError>
where
    M: Historical,
    C: AuditConnection,
{
    let id = parse_history_id::<M>("history_id", history_id)?;
    let found = on_backend!(conn.backend_connection(), M, |c, slot| {
        let mut only_that_row = Conditions::object(None, true, &NoFilter as &DynFilter<'_, _>);
        only_that_row.history_id = Some(&id);
        slot.select(c, only_that_row, Some(1), None)
    })?;
    Ok(found.into_iter().next())
}

/// [`ModelHistory::record`] of model `M`.
pub(crate) fn record_of<M, C>(
    conn: &mut C,
    history_id: &str,
) -> Result<Option<RecordDetail>, AuditError>
where
    M: Historical,
    M::Record: Serialize,
    C: AuditConnection,
{
    find_record::<M, C>(conn, history_id)?
        .map(|record| detail_of::<M, C>(conn, record))
        .transpose()
}

/// [`ModelHistory::revert`] of model `M`.
pub(crate) fn revert_of<M, C>(
    conn: &mut C,
    ctx: &AuditContext,
    history_id: &str,
) -> Result<Option<serde_json::Value>, AuditError>
where
    M: Historical,
    M::Record: Serialize,
    C: AuditConnection,
{
    conn.transaction(|conn| {
        let Some(record) = find_record::<M, C>(conn, history_id)? else {
            return Ok(None);
        };
        M::revert(conn, ctx, &record)?;
        let written = M::history(&record.object_id()).latest(conn)?;
        written.as_ref().map(to_json::<M>).transpose()
    })
}

/// [`ModelHistory::counts`] of model `M`.
pub(crate) fn counts_of<M, C>(conn: &mut C) -> Result<ModelCounts, AuditError>
where
    M: Historical,
    C: AuditConnection,
{
    let rows = on_backend!(conn.backend_connection(), M, |c, slot| slot.count_rows(c))?;
    let history = M::history_query().page_size(1).with_total().load(conn)?;
    Ok(ModelCounts {
        rows,
        history_rows: history
            .total
            .and_then(|n| u64::try_from(n).ok())
            .unwrap_or(0),
    })
}

/// [`ModelHistory::as_of`] of model `M`.
pub(crate) fn as_of_of<M, C>(
    conn: &mut C,
    object_id: &str,
    at: DateTime<Utc>,
) -> Result<Option<serde_json::Value>, AuditError>
where
    M: Historical,
    M::Record: Serialize,
    M::Id: DeserializeOwned,
    C: AuditConnection,
{
    let key = parse_key::<M>(object_id)?;
    M::history(&key)
        .as_of(conn, at)?
        .as_ref()
        .map(to_json::<M>)
        .transpose()
}
