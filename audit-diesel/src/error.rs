use thiserror::Error;

use crate::{ContextError, UserId, UserIdType};

/// Why an audited write or a history query failed.
///
/// Every variant names the model, and where it applies the key or value that was wrong. A write
/// that fails leaves the database as it was: the data change and its history row are written
/// together or not at all.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum AuditError {
    /// The audit context is invalid (its change reason, its date).
    #[error("invalid audit context: {0}")]
    Context(#[from] ContextError),

    /// No row of `model` has the key; nothing was written.
    #[error("{model} with key {key} not found")]
    NotFound {
        /// The model's name.
        model: String,
        /// The key that was looked up, as `Debug` prints it.
        key: String,
    },

    /// The context's value for a history-only field does not fit the field's type; nothing was
    /// written.
    #[error("history-only field `{field}` of {model} takes {expected}, not {value}: {reason}")]
    HistoryFieldType {
        /// The model's name.
        model: String,
        /// The field.
        field: &'static str,
        /// Its Rust type.
        expected: &'static str,
        /// The context's value, as JSON.
        value: String,
        /// Why it does not fit.
        reason: String,
    },

    /// A bulk write was given a number of per-row contexts other than its number of rows;
    /// nothing was written.
    #[error("{model}: {rows} rows but {contexts} per-row contexts; give one (or None) per row")]
    ContextsPerRow {
        /// The model's name.
        model: String,
        /// The rows given.
        rows: usize,
        /// The contexts given.
        contexts: usize,
    },

    /// A bulk save was given two models with the same key; nothing was written.
    #[error("{model}: two of the models to save have key {key}; each object is saved once")]
    DuplicateKey {
        /// The model's name.
        model: String,
        /// The key, as `Debug` prints it.
        key: String,
    },

    /// A history hook ([`HistoryHooks`](crate::hooks::HistoryHooks)) refused the write; nothing
    /// was written.
    #[error("a history hook of {model} refused the write: {message}")]
    Hook {
        /// The model's name.
        model: String,
        /// Why.
        message: String,
    },

    /// A record's object cannot be rebuilt as a model: the model has fields history excludes,
    /// they come from the live row, and the object has none any more.
    #[error(
        "{model} with key {key} has no live row to take its fields excluded from history ({}) \
         from; its record holds only the tracked ones",
        excluded.join(", ")
    )]
    InstanceNeedsLiveRow {
        /// The model's name.
        model: String,
        /// The object's key, as `Debug` prints it.
        key: String,
        /// The excluded fields.
        excluded: Vec<String>,
    },

    /// The model is not declared for the backend of the connection it was given
    /// (`#[diesel(check_for_backend(...))]` names other backends); nothing was sent.
    #[error(
        "{model} is not declared for {backend}: its #[diesel(check_for_backend(...))] names other backends"
    )]
    UnsupportedBackend {
        /// The model's name.
        model: String,
        /// The backend of the connection.
        backend: &'static str,
    },

    /// The context's user id does not fit the model's `history_user_id` column.
    #[error(
        "user id `{user}` ({}) does not fit history_user_id of {model}, which holds {expected:?} ids; \
         set #[historical(user_id_type = ...)] on {model} or pass a user id of that kind",
        user.kind()
    )]
    UserIdType {
        /// The model's name.
        model: String,
        /// The id that was given.
        user: UserId,
        /// The column's type.
        expected: UserIdType,
    },

    /// A write by key found several rows with that key: the table's primary key (as its
    /// `diesel::table!` declares it) is not unique in the database. Nothing was written.
    #[error(
        "{rows} rows of {model} have key {key}: the table's primary key is not unique in the \
         database; nothing was written"
    )]
    KeyNotUnique {
        /// The model's name.
        model: String,
        /// The key, as `Debug` prints it.
        key: String,
        /// How many rows have it (at least 2).
        rows: u64,
    },

    /// A create given several rows (a slice is `Insertable` too); nothing was written.
    #[error(
        "create of {model} was given {rows} rows; it writes one (create_many writes several); \
         nothing was written"
    )]
    CreateTakesOneRow {
        /// The model's name.
        model: String,
        /// How many rows it was given.
        rows: u64,
    },

    /// An update whose changeset sets no column.
    #[error("update of {model} with key {key} sets no column")]
    EmptyChangeset {
        /// The model's name.
        model: String,
        /// The key of the row.
        key: String,
    },

    /// The database refused the statement; nothing of the write remains.
    #[error("{operation} of {model} failed: {source}")]
    Database {
        /// The model's name.
        model: String,
        /// What was being done: `create`, `update`, `delete`, ...
        operation: &'static str,
        /// Diesel's error.
        #[source]
        source: diesel::result::Error,
    },

    /// A page size of 0 or above the query's maximum.
    #[error("page size {requested} is out of range: it must be between 1 and {max}")]
    InvalidPageSize {
        /// The size asked for.
        requested: u64,
        /// The largest allowed.
        max: u64,
    },

    /// A batch size of 0.
    #[error("batch size {requested} is out of range: it must be at least 1")]
    InvalidBatchSize {
        /// The size asked for.
        requested: usize,
    },

    /// A date bound of a read outside the years 1 to 9999, which history never holds and not
    /// every backend can compare (SQLite stores dates as text).
    #[error("{argument} {date} is outside the years 1 to 9999, the dates history stores")]
    DateOutOfRange {
        /// The argument: `since`, `until`, `as_of`.
        argument: &'static str,
        /// The date, as RFC 3339.
        date: String,
    },

    /// A duration that reaches back before the year 1 where that means nothing (a cleanup of
    /// the duplicates "of the last N minutes").
    #[error(
        "{argument} of {duration} reaches back before the year 1, the earliest date history stores"
    )]
    DurationOutOfRange {
        /// The argument: `within`, `--minutes`.
        argument: &'static str,
        /// The duration, as given.
        duration: String,
    },

    /// A page number of 0: pages count from 1.
    #[error("page {page} does not exist: pages count from 1")]
    InvalidPage {
        /// The page asked for.
        page: u64,
    },

    /// A keyset cursor naming a history row that does not exist.
    #[error("{model} has no history row with id {id}")]
    UnknownHistoryId {
        /// The model's name.
        model: String,
        /// The id, as `Debug` prints it.
        id: String,
    },

    /// A diff of rows of two different objects.
    #[error("cannot diff history rows of two {model} objects: {first} and {second}")]
    DifferentObjects {
        /// The model's name.
        model: String,
        /// The key of the older row's object.
        first: String,
        /// The key of the newer row's object.
        second: String,
    },

    /// A field name that is not a tracked field of the model.
    #[error(
        "{model} has no tracked field `{field}`{}; tracked fields: {}",
        if *excluded { " (it is excluded from history)" } else { "" },
        tracked.join(", ")
    )]
    UnknownField {
        /// The model's name.
        model: String,
        /// The name given.
        field: String,
        /// Whether it is a field of the model that history excludes.
        excluded: bool,
        /// The tracked fields.
        tracked: Vec<String>,
    },

    /// A history row could not be serialized (for a diff).
    #[error("cannot serialize a history row of {model}: {source}")]
    Serialize {
        /// The model's name.
        model: String,
        /// Serde's error.
        #[source]
        source: serde_json::Error,
    },

    /// A value given as text that the model cannot read (an object key or a history id in a
    /// URL); nothing was read.
    #[error("{argument} `{value}` is not {expected}")]
    InvalidValue {
        /// The argument: `object_id`, `history_id`, `after`.
        argument: &'static str,
        /// The text given.
        value: String,
        /// What it should be.
        expected: String,
    },

    /// No history row of the registered models belongs to the changeset.
    #[error("no history row of the registered models belongs to changeset {id}")]
    UnknownChangeset {
        /// The changeset asked for.
        id: uuid::Uuid,
    },

    /// A changeset revert found an object of the changeset that a later change touched; nothing
    /// was written. Revert the later change first, or overwrite it
    /// ([`OnLaterChange::Overwrite`](crate::changeset::OnLaterChange::Overwrite)).
    #[error(
        "cannot revert changeset {changeset}: {model} with key {key} was changed after it, at \
         {date} ({history_type} row{}); revert that change first, or overwrite it",
        later.map(|id| format!(" of changeset {id}")).unwrap_or_default()
    )]
    ChangesetConflict {
        /// The changeset to revert.
        changeset: uuid::Uuid,
        /// The model of the object.
        model: String,
        /// The object's key, as `Debug` prints it.
        key: String,
        /// The changeset of the later change (`None` for a row written before changesets).
        later: Option<uuid::Uuid>,
        /// The later row's type.
        history_type: crate::HistoryType,
        /// The later row's date.
        date: chrono::DateTime<chrono::Utc>,
    },

    /// The model's history table has no hash chain (`#[historical(chain = false)]`, a UUID
    /// history id, or a table whose migration that adds the chain has not run).
    #[error("{model} has no hash chain: verify and anchor need one (it is on unless `#[historical(chain = false)]` or a UUID history id)")]
    NotChained {
        /// The model's name.
        model: String,
    },

    /// Maintenance would re-hash a chain that does not match its hashes: history row
    /// `history_id` was changed outside the library. Nothing was changed; `verify` says more.
    #[error(
        "the hash chain of {model} is broken at history row {history_id} (it does not match its \
         hash): maintenance refuses to re-hash over it, which would hide the change; nothing was \
         changed. Run `verify` and investigate"
    )]
    ChainBroken {
        /// The model's name.
        model: String,
        /// The first row that does not match its hash.
        history_id: i64,
    },

    /// A database error outside any one model's write (opening a transaction, for instance).
    #[error(transparent)]
    Diesel(#[from] diesel::result::Error),
}

impl AuditError {
    /// The underlying Diesel error, if the database refused something.
    pub fn diesel_error(&self) -> Option<&diesel::result::Error> {
        match self {
            AuditError::Database { source, .. } | AuditError::Diesel(source) => Some(source),
            _ => None,
        }
    }
}
