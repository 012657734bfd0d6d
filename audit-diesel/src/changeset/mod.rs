//! Changesets: the history rows of one business action, across models, read, listed and
//! reverted as one.
//!
//! Every history row carries `history_changeset_id`. On PostgreSQL every audited write of one
//! transaction shares it; on SQLite every library call has its own, unless the context names one
//! ([`AuditContext::with_changeset`]: an HTTP request's id, a job's id), which groups writes on
//! every backend and across transactions. A changeset spans models, so reading one goes through
//! the application's [`Registry`]:
//!
//! - [`Registry::changeset`]: its rows across every registered model, in write order;
//! - [`Registry::changesets`]: the changesets, newest first, by user and date, in keyset pages;
//! - [`Registry::revert_changeset`]: every object it touched back to its state before it, in one
//!   transaction, as a new changeset.
//!
//! ```
//! # include!("../../doctest_setup.rs");
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mut conn = setup();
//! use audit_diesel::changeset::OnLaterChange;
//! use audit_diesel::Registry;
//!
//! let registry = Registry::new().model::<Tank>();
//! let move_id = uuid::Uuid::now_v7();
//! let ctx = AuditContext::builder().user(7).reason("restocking").changeset(move_id).build()?;
//! let a = Tank::create(&mut conn, &ctx, &NewTank { name: "A".into(), volume_m3: 40.0 })?;
//! Tank::create(&mut conn, &ctx, &NewTank { name: "B".into(), volume_m3: 20.0 })?;
//!
//! let changeset = registry.changeset(&mut conn, move_id)?;
//! assert_eq!(changeset.entries.len(), 2);
//! assert_eq!(changeset.entries[0].object_id, format!("{:?}", a.id));
//!
//! let page = registry.changesets().user(7).load(&mut conn)?;
//! assert_eq!(page.items[0].id, move_id);
//! assert_eq!(page.items[0].rows, 2);
//!
//! // Undo the action: both tanks are deleted again, as one new changeset.
//! let undo = registry.revert_changeset(&mut conn, &AuditContext::for_user(7), move_id, OnLaterChange::Refuse)?;
//! assert_eq!(undo.objects.len(), 2);
//! assert_eq!(tanks::table.count().get_result::<i64>(&mut conn)?, 0);
//! # Ok(())
//! # }
//! ```
//!
//! [`AuditContext::with_changeset`]: crate::AuditContext::with_changeset

#[doc(hidden)]
pub mod sql;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use self::sql::{ChangesetKey, ChangesetKeys, ChangesetParts, ChangesetRows, KeyRow, PartRow};
use crate::connection::{AuditConnection, BackendConnection};
use crate::read::{checked_bound, Bound, Page, DEFAULT_MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE};
use crate::registry::{Entry, Registry};
use crate::user_id::UserIdKind;
use crate::{AuditContext, AuditError, Historical, HistoryRecord, HistoryType, UserId, UserIdType};

/// One history row of a changeset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangesetEntry {
    /// The model's name (`Batch`).
    pub model: String,
    /// Its history table.
    pub history_table: String,
    /// The key of the object the row is about, as `Debug` prints it (`7`, `(3, 1)`).
    pub object_id: String,
    /// `+`, `~` or `-`.
    pub history_type: HistoryType,
    /// When the change happened.
    pub history_date: DateTime<Utc>,
    /// Who made it.
    pub history_user_id: Option<UserId>,
    /// Why.
    pub history_change_reason: Option<String>,
    /// The whole history row, as the record serializes (its tracked fields and history columns).
    pub record: serde_json::Value,
}

/// A changeset's rows across every registered model: [`Registry::changeset`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Changeset {
    /// The changeset's id.
    pub id: Uuid,
    /// Its rows in write order: by date (each row's own), then in the order the models were
    /// registered, then by `history_id`.
    pub entries: Vec<ChangesetEntry>,
}

/// How many rows of a changeset one model holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelRows {
    /// The model's name.
    pub model: String,
    /// Its rows in the changeset.
    pub rows: u64,
}

/// One changeset of a listing ([`Registry::changesets`]). With a user or date filter, its
/// figures count the rows that match.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangesetSummary {
    /// The changeset's id.
    pub id: Uuid,
    /// Its first row's date.
    pub first_date: DateTime<Utc>,
    /// Its latest row's date: the listing's order.
    pub last_date: DateTime<Utc>,
    /// Its rows, in every model.
    pub rows: u64,
    /// Its rows per model, by model name.
    pub models: Vec<ModelRows>,
    /// The users of its rows (one, for a changeset written with one context), sorted.
    pub users: Vec<UserId>,
    /// The change reasons of its rows, sorted.
    pub reasons: Vec<String>,
}

/// What [`Registry::revert_changeset`] does when a later change touched an object of the
/// changeset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnLaterChange {
    /// Refuse with [`AuditError::ChangesetConflict`] naming the object; write nothing.
    Refuse,
    /// Restore the object anyway, undoing the later change too.
    Overwrite,
}

/// What a changeset revert did to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum RevertAction {
    /// Set back to its state before the changeset (a `~` row, or a `+` row when the changeset
    /// deleted it; none when it is in that state already).
    Restored,
    /// Deleted: the changeset created it (a `-` row).
    Deleted,
    /// Nothing to do: the changeset created it and it no longer exists.
    AlreadyGone,
}

/// One object of a reverted changeset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RevertedObject {
    /// The model's name.
    pub model: String,
    /// The object's key, as `Debug` prints it.
    pub object_id: String,
    /// What the revert did.
    pub action: RevertAction,
    /// The changeset of a later change the revert overwrote ([`OnLaterChange::Overwrite`]).
    pub overwrote: Option<Uuid>,
}

/// What [`Registry::revert_changeset`] did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangesetRevert {
    /// The changeset reverted.
    pub reverted: Uuid,
    /// The changeset of the revert's own rows.
    pub changeset: Uuid,
    /// The objects, in the order they were reverted (the reverse of the changeset's writes).
    pub objects: Vec<RevertedObject>,
}

/// A listing of changesets across the registered models: [`Registry::changesets`].
///
/// Newest first, by the date of each changeset's latest row (then by id); keyset pages with
/// [`after`](Self::after). A page is two statements whatever the number of models: the rows of
/// every history table `UNION ALL`-ed and grouped by changeset (a `GROUP BY` over the rows the
/// filters keep, in every table: a date filter keeps it small), then the figures of the page's
/// changesets in each table.
pub struct ChangesetQuery<'r, C> {
    registry: &'r Registry<C>,
    user: Option<UserId>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    after: Option<ChangesetKey>,
    page_size: u64,
    max_page_size: u64,
    personal_data: bool,
}

/// One (changeset, user, reason) group of one model's history table.
struct Part {
    user: Option<UserId>,
    reason: Option<String>,
    rows: u64,
    first: DateTime<Utc>,
    last: DateTime<Utc>,
}

/// A later change to an object of a changeset.
struct Conflict {
    later: Option<Uuid>,
    history_type: HistoryType,
    date: DateTime<Utc>,
}

/// The undoing of one object of a changeset, planned before anything is written.
pub(crate) struct Undo<C> {
    /// Where the changeset last wrote the object: (date, model's place, row's place).
    order: (DateTime<Utc>, usize, usize),
    model: String,
    object_id: String,
    conflict: Option<Conflict>,
    run: UndoFn<C>,
}

/// The write that undoes one object.
type UndoFn<C> = Box<dyn FnOnce(&mut C, &AuditContext) -> Result<RevertAction, AuditError>>;

/// Binds of changeset ids in one statement (an id per table it reads): below SQLite's 32,766
/// and PostgreSQL's 65,535.
const BINDS_PER_STATEMENT: usize = 30_000;
/// History rows per read when a whole changeset or an object's later rows are loaded.
const ROWS_PER_READ: u64 = 1000;

impl<'r, C: AuditConnection> ChangesetQuery<'r, C> {
    pub(crate) fn new(registry: &'r Registry<C>) -> Self {
        ChangesetQuery {
            registry,
            user: None,
            since: None,
            until: None,
            after: None,
            page_size: DEFAULT_PAGE_SIZE,
            max_page_size: DEFAULT_MAX_PAGE_SIZE,
            personal_data: true,
        }
    }

    /// Leaves out the rows of models registered as holding personal data
    /// ([`Registry::personal_model`]): a changeset of only such rows is not listed, and the
    /// others' figures do not count them. For a caller who may not read personal data.
    pub fn without_personal_data(mut self) -> Self {
        self.personal_data = false;
        self
    }

    /// Only changesets with a row written by `user` (and only those rows are counted).
    pub fn user(mut self, user: impl Into<UserId>) -> Self {
        self.user = Some(user.into());
        self
    }

    /// Only rows dated `since` or later. A date outside the years 1 to 9999 makes
    /// [`load`](Self::load) fail with [`AuditError::DateOutOfRange`].
    pub fn since(mut self, since: DateTime<Utc>) -> Self {
        self.since = Some(since);
        self
    }

    /// Only rows dated `until` or earlier.
    pub fn until(mut self, until: DateTime<Utc>) -> Self {
        self.until = Some(until);
        self
    }

    /// Keyset pagination: the changesets after `summary`, the last one of the previous page.
    pub fn after(mut self, summary: &ChangesetSummary) -> Self {
        self.after = Some((summary.last_date, summary.id));
        self
    }

    /// Keyset pagination from a cursor kept elsewhere (an HTTP client's): the changesets after
    /// the one with id `id` whose latest row is dated `last_date`.
    pub fn after_key(mut self, last_date: DateTime<Utc>, id: Uuid) -> Self {
        self.after = Some((last_date, id));
        self
    }

    /// Changesets per page (default [`DEFAULT_PAGE_SIZE`]); 0 or more than the maximum is
    /// [`AuditError::InvalidPageSize`].
    pub fn page_size(mut self, page_size: u64) -> Self {
        self.page_size = page_size;
        self
    }

    /// The largest page size accepted (default [`DEFAULT_MAX_PAGE_SIZE`]).
    pub fn max_page_size(mut self, max: u64) -> Self {
        self.max_page_size = max;
        self
    }

    /// Loads the page.
    ///
    /// # Errors
    /// [`AuditError::InvalidPageSize`], [`AuditError::DateOutOfRange`] or a database error.
    pub fn load(&self, conn: &mut C) -> Result<Page<ChangesetSummary>, AuditError> {
        // One more than the page, which every backend's LIMIT (an i64) must take.
        let max = self.max_page_size.min(i64::MAX as u64 - 1);
        let need = self
            .page_size
            .checked_add(1)
            .filter(|_| (1..=max).contains(&self.page_size));
        let Some(need) = need else {
            return Err(AuditError::InvalidPageSize {
                requested: self.page_size,
                max,
            });
        };
        let since = self
            .since
            .map(|d| checked_bound("since", d, Bound::AtLeast))
            .transpose()?;
        let until = self
            .until
            .map(|d| checked_bound("until", d, Bound::AtMost))
            .transpose()?;
        let after = self
            .after
            .map(|(date, id)| checked_bound("after", date, Bound::AtMost).map(|d| (d, id)))
            .transpose()?;
        // The tables to read: personal data only when asked, and only tables whose
        // `history_user_id` can hold the user asked for.
        let tables: Vec<&Entry<C>> = self
            .registry
            .entries
            .iter()
            .filter(|e| self.personal_data || !e.personal_data)
            .filter(|e| {
                self.user
                    .as_ref()
                    .is_none_or(|u| user_fits(u, e.spec.user_id))
            })
            .collect();
        let mut page = Page {
            items: Vec::new(),
            page: None,
            page_size: self.page_size,
            has_next: false,
            total: None,
        };
        if tables.is_empty() {
            return Ok(page);
        }
        let user = self.user.as_ref().map(UserId::to_string);
        let rows = |ids| ChangesetRows {
            tables: tables.iter().map(|e| e.spec).collect(),
            user: user.clone(),
            since,
            until,
            ids,
        };
        let mut keys = load_keys(
            conn,
            ChangesetKeys {
                rows: rows(&[]),
                before: after,
                limit: need,
            },
        )?;
        let wanted = usize::try_from(self.page_size).unwrap_or(usize::MAX);
        page.has_next = keys.len() > wanted;
        keys.truncate(wanted);
        let ids: Vec<Uuid> = keys.iter().map(|(id, _)| Uuid::from(*id)).collect();
        // Their figures, below the backends' limits of binds per statement.
        let per_statement = (BINDS_PER_STATEMENT / tables.len()).max(1);
        let mut found: HashMap<Uuid, Summary> = HashMap::new();
        for chunk in ids.chunks(per_statement) {
            for (place, id, user, reason, rows, first, last) in
                load_parts(conn, ChangesetParts { rows: rows(chunk) })?
            {
                let Some(entry) = usize::try_from(place).ok().and_then(|p| tables.get(p)) else {
                    continue;
                };
                let id = Uuid::from(id);
                let part = Part {
                    user: user.map(|u| user_of(u, entry.spec.user_id)),
                    reason,
                    rows: u64::try_from(rows).unwrap_or(0),
                    first,
                    last,
                };
                found
                    .entry(id)
                    .or_insert_with(|| Summary::new(id, &part))
                    .add(&entry.spec.model, part);
            }
        }
        page.items = ids
            .iter()
            .filter_map(|id| found.remove(id))
            .map(Summary::finish)
            .collect();
        Ok(page)
    }
}

/// Whether a `history_user_id` of type `kind` can hold `user`.
fn user_fits(user: &UserId, kind: UserIdType) -> bool {
    match (user, kind) {
        (UserId::Int(v), UserIdType::I32) => i32::try_from(*v).is_ok(),
        (UserId::Int(_), UserIdType::I64)
        | (UserId::Uuid(_), UserIdType::Uuid)
        | (UserId::Text(_), UserIdType::Text) => true,
        _ => false,
    }
}

/// A `history_user_id` read as text, as the [`UserId`] of its column's type.
fn user_of(text: String, kind: UserIdType) -> UserId {
    match kind {
        UserIdType::I32 | UserIdType::I64 => text
            .parse::<i64>()
            .map_or_else(|_| UserId::Text(text), UserId::Int),
        UserIdType::Uuid => {
            Uuid::parse_str(&text).map_or_else(|_| UserId::Text(text), UserId::Uuid)
        }
        _ => UserId::Text(text),
    }
}

fn listing_error(source: diesel::result::Error) -> AuditError {
    AuditError::Database {
        model: "the registered models".to_owned(),
        operation: "changeset listing",
        source,
    }
}

/// Runs one of the listing's statements on whatever backend `$conn` speaks.
macro_rules! load_listing {
    ($conn:expr, $query:expr) => {{
        use diesel::RunQueryDsl;
        match $conn.backend_connection() {
            #[cfg(feature = "sqlite")]
            BackendConnection::Sqlite(c) => $query.load(c),
            #[cfg(feature = "postgres")]
            BackendConnection::Postgres(c) => $query.load(c),
            #[cfg(feature = "mysql")]
            BackendConnection::Mysql(c) => $query.load(c),
            BackendConnection::__Lifetime(_, never) => match never {},
        }
        .map_err(listing_error)
    }};
}

/// The listing's first statement: the page's changesets.
fn load_keys<C: AuditConnection>(
    conn: &mut C,
    query: ChangesetKeys<'_>,
) -> Result<Vec<KeyRow>, AuditError> {
    load_listing!(conn, query)
}

/// The listing's second statement: their figures.
fn load_parts<C: AuditConnection>(
    conn: &mut C,
    query: ChangesetParts<'_>,
) -> Result<Vec<PartRow>, AuditError> {
    load_listing!(conn, query)
}

/// A changeset's figures, as the models' parts add up.
struct Summary {
    id: Uuid,
    first: DateTime<Utc>,
    last: DateTime<Utc>,
    rows: u64,
    models: BTreeMap<String, u64>,
    users: Vec<UserId>,
    reasons: BTreeSet<String>,
}

impl Summary {
    fn new(id: Uuid, part: &Part) -> Self {
        Summary {
            id,
            first: part.first,
            last: part.last,
            rows: 0,
            models: BTreeMap::new(),
            users: Vec::new(),
            reasons: BTreeSet::new(),
        }
    }

    fn add(&mut self, model: &str, part: Part) {
        self.first = self.first.min(part.first);
        self.last = self.last.max(part.last);
        self.rows = self.rows.saturating_add(part.rows);
        let rows = self.models.entry(model.to_owned()).or_default();
        *rows = rows.saturating_add(part.rows);
        if let Some(user) = part.user {
            if !self.users.contains(&user) {
                self.users.push(user);
            }
        }
        self.reasons.extend(part.reason);
    }

    fn finish(mut self) -> ChangesetSummary {
        self.users.sort_by_cached_key(|u| (u.kind(), u.to_string()));
        ChangesetSummary {
            id: self.id,
            first_date: self.first,
            last_date: self.last,
            rows: self.rows,
            models: self
                .models
                .into_iter()
                .map(|(model, rows)| ModelRows { model, rows })
                .collect(),
            users: self.users,
            reasons: self.reasons.into_iter().collect(),
        }
    }
}

/// Model `M`'s records of changeset `id`, oldest first.
fn records_of<M: Historical, C: AuditConnection>(
    conn: &mut C,
    id: Uuid,
) -> Result<Vec<M::Record>, AuditError> {
    let query = || {
        M::history_query()
            .changeset(id)
            .oldest_first()
            .page_size(ROWS_PER_READ)
            .max_page_size(ROWS_PER_READ)
    };
    let mut records: Vec<M::Record> = Vec::new();
    loop {
        let page = match records.last() {
            Some(last) => query().after(last).load(conn)?,
            None => query().load(conn)?,
        };
        records.extend(page.items);
        if !page.has_next {
            return Ok(records);
        }
    }
}

/// Model `M`'s rows of changeset `id`, oldest first: [`Entry::changeset_rows`].
pub(crate) fn rows_of<M, C>(conn: &mut C, id: Uuid) -> Result<Vec<ChangesetEntry>, AuditError>
where
    M: Historical,
    M::Record: Serialize,
    C: AuditConnection,
{
    let spec = M::HISTORY;
    records_of::<M, C>(conn, id)?
        .into_iter()
        .map(|record| {
            Ok(ChangesetEntry {
                model: spec.model.to_string(),
                history_table: spec.history_table.to_string(),
                object_id: format!("{:?}", record.object_id()),
                history_type: record.history_type(),
                history_date: record.history_date(),
                history_user_id: record.history_user_id().map(M::UserId::user),
                history_change_reason: record.history_change_reason().map(str::to_owned),
                record: serde_json::to_value(&record).map_err(|source| AuditError::Serialize {
                    model: spec.model.to_string(),
                    source,
                })?,
            })
        })
        .collect()
}

/// The first row after `first`, of the same object, that is not of changeset `id`.
fn later_change<M: Historical, C: AuditConnection>(
    conn: &mut C,
    first: &M::Record,
    id: Uuid,
) -> Result<Option<Conflict>, AuditError> {
    let object = first.object_id();
    let mut after = first.clone();
    loop {
        let page = M::history_query()
            .object(&object)
            .oldest_first()
            .page_size(ROWS_PER_READ)
            .max_page_size(ROWS_PER_READ)
            .after(&after)
            .load(conn)?;
        if let Some(later) = page
            .items
            .iter()
            .find(|r| r.history_changeset_id() != Some(id))
        {
            return Ok(Some(Conflict {
                later: later.history_changeset_id(),
                history_type: later.history_type(),
                date: later.history_date(),
            }));
        }
        match page.items.into_iter().last() {
            Some(last) if page.has_next => after = last,
            _ => return Ok(None),
        }
    }
}

/// How to undo changeset `id` on model `M`'s objects, one [`Undo`] each: [`Entry::plan_revert`].
pub(crate) fn plan_of<M: Historical, C: AuditConnection>(
    conn: &mut C,
    id: Uuid,
    place: usize,
) -> Result<Vec<Undo<C>>, AuditError> {
    let records = records_of::<M, C>(conn, id)?;
    // Per object, in the order the changeset first wrote it: its first and last row there.
    let mut objects: Vec<(M::Record, usize)> = Vec::new();
    let mut index: HashMap<M::Id, usize> = HashMap::new();
    for (seq, record) in records.iter().enumerate() {
        let at = *index.entry(record.object_id()).or_insert_with(|| {
            objects.push((record.clone(), seq));
            objects.len() - 1
        });
        if let Some(object) = objects.get_mut(at) {
            object.1 = seq;
        }
    }
    let mut undos = Vec::with_capacity(objects.len());
    for (first, last) in objects {
        let Some(last_row) = records.get(last) else {
            continue;
        };
        let order = (last_row.history_date(), place, last);
        let before = first.previous(conn)?;
        let conflict = later_change::<M, C>(conn, &first, id)?;
        let key = first.object_id();
        let object_id = format!("{key:?}");
        let run: UndoFn<C> = match before {
            Some(before) if before.history_type() != HistoryType::Delete => {
                Box::new(move |conn, ctx| {
                    M::revert(conn, ctx, &before).map(|_| RevertAction::Restored)
                })
            }
            // It did not exist before the changeset.
            _ => Box::new(move |conn, ctx| match M::delete(conn, ctx, key) {
                Ok(_) => Ok(RevertAction::Deleted),
                Err(AuditError::NotFound { .. }) => Ok(RevertAction::AlreadyGone),
                Err(e) => Err(e),
            }),
        };
        undos.push(Undo {
            order,
            model: M::HISTORY.model.to_string(),
            object_id,
            conflict,
            run,
        });
    }
    Ok(undos)
}

impl<C: AuditConnection> Registry<C> {
    /// Changeset `id`'s rows across every registered model, in write order.
    ///
    /// # Errors
    /// [`AuditError::UnknownChangeset`] when no registered model has a row of it; a database
    /// error.
    pub fn changeset(&self, conn: &mut C, id: Uuid) -> Result<Changeset, AuditError> {
        self.read_changeset(conn, id, true)
    }

    /// [`changeset`](Self::changeset) without the rows of models registered as holding personal
    /// data ([`Registry::personal_model`]); a changeset of only such rows is
    /// [`AuditError::UnknownChangeset`].
    ///
    /// # Errors
    /// As [`changeset`](Self::changeset).
    pub fn changeset_without_personal_data(
        &self,
        conn: &mut C,
        id: Uuid,
    ) -> Result<Changeset, AuditError> {
        self.read_changeset(conn, id, false)
    }

    fn read_changeset(
        &self,
        conn: &mut C,
        id: Uuid,
        personal_data: bool,
    ) -> Result<Changeset, AuditError> {
        let mut rows = Vec::new();
        for (place, entry) in self.entries.iter().enumerate() {
            if entry.personal_data && !personal_data {
                continue;
            }
            for (seq, row) in (entry.changeset_rows)(conn, id)?.into_iter().enumerate() {
                rows.push(((row.history_date, place, seq), row));
            }
        }
        if rows.is_empty() {
            return Err(AuditError::UnknownChangeset { id });
        }
        rows.sort_by_key(|row| row.0);
        Ok(Changeset {
            id,
            entries: rows.into_iter().map(|(_, row)| row).collect(),
        })
    }

    /// The changesets of the registered models, newest first; see [`ChangesetQuery`].
    pub fn changesets(&self) -> ChangesetQuery<'_, C> {
        ChangesetQuery::new(self)
    }

    /// Reverts changeset `id`: every object it touched goes back to its state before the
    /// changeset, in one transaction, as audited writes of a new changeset (the context's own,
    /// when it names one). An object the changeset created is deleted; one it deleted is
    /// inserted again; one it changed gets its earlier values (as [`Historical::revert`] does,
    /// columns excluded from history stay as they are). Objects are reverted in the reverse
    /// order of the changeset's writes, so that a child it created goes before its parent and
    /// a parent it deleted comes back before its children. Without a reason in `ctx`, the rows
    /// say `revert of changeset <id>`.
    ///
    /// When a later change (a row of another changeset) touched an object of the changeset,
    /// [`OnLaterChange::Refuse`] fails with [`AuditError::ChangesetConflict`] naming the first
    /// such object, before anything is written; [`OnLaterChange::Overwrite`] undoes it too and
    /// reports it in [`RevertedObject::overwrote`].
    ///
    /// # Errors
    /// [`AuditError::UnknownChangeset`], [`AuditError::ChangesetConflict`], or any error of the
    /// writes (then nothing is written).
    pub fn revert_changeset(
        &self,
        conn: &mut C,
        ctx: &AuditContext,
        id: Uuid,
        on_later_change: OnLaterChange,
    ) -> Result<ChangesetRevert, AuditError> {
        let own = ctx.changeset().unwrap_or_else(Uuid::now_v7);
        let mut ctx = ctx.with_changeset(own);
        if ctx.reason().is_none() {
            ctx = ctx.with_reason(format!("revert of changeset {id}"))?;
        }
        conn.transaction(|conn| {
            let mut undos = Vec::new();
            for (place, entry) in self.entries.iter().enumerate() {
                undos.extend((entry.plan_revert)(conn, id, place)?);
            }
            if undos.is_empty() {
                return Err(AuditError::UnknownChangeset { id });
            }
            undos.sort_by_key(|undo| undo.order);
            if on_later_change == OnLaterChange::Refuse {
                if let Some((undo, conflict)) = undos
                    .iter()
                    .find_map(|u| u.conflict.as_ref().map(|c| (u, c)))
                {
                    return Err(AuditError::ChangesetConflict {
                        changeset: id,
                        model: undo.model.clone(),
                        key: undo.object_id.clone(),
                        later: conflict.later,
                        history_type: conflict.history_type,
                        date: conflict.date,
                    });
                }
            }
            let mut objects = Vec::with_capacity(undos.len());
            for undo in undos.into_iter().rev() {
                let action = (undo.run)(conn, &ctx)?;
                objects.push(RevertedObject {
                    model: undo.model,
                    object_id: undo.object_id,
                    action,
                    overwrote: undo.conflict.and_then(|c| c.later),
                });
            }
            Ok(ChangesetRevert {
                reverted: id,
                changeset: own,
                objects,
            })
        })
    }
}

/// The entry points of model `M` for a registry.
pub(crate) fn entry_points<M, C>() -> (
    crate::registry::ChangesetRowsFn<C>,
    crate::registry::PlanRevertFn<C>,
)
where
    M: Historical,
    M::Record: Serialize,
    C: AuditConnection,
{
    (rows_of::<M, C>, plan_of::<M, C>)
}
