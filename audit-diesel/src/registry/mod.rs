//! The application's historical models, registered once: what works across models (reading and
//! reverting [changesets](crate::changeset), the operator CLI of feature `cli`, an HTTP API)
//! iterates them.
//!
//! ```
//! # include!("../../doctest_setup.rs");
//! # fn main() {
//! use audit_diesel::Registry;
//!
//! let registry = Registry::<SqliteConnection>::new().model::<Tank>();
//! assert_eq!(registry.names(), ["Tank"]);
//! assert_eq!(registry.specs().next().unwrap().history_table, "historical_tanks");
//! # }
//! ```

mod by_name;

pub use by_name::{ModelCounts, ModelHistory, RecordDetail, RecordQuery};

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

use crate::changeset::{self, ChangesetEntry, Undo};
use crate::connection::AuditConnection;
use crate::maintenance::{
    self, Backfill, BackfillReport, CleanDuplicates, CleanOld, CleanReport, Progress,
};
use crate::write::HistoryMeta;
use crate::{AuditContext, AuditError, Historical, HistoryTableSpec, HistoryType};

pub(crate) type PopulateFn<C> = fn(
    &mut C,
    &AuditContext,
    &Backfill,
    &mut dyn FnMut(&Progress<'_>),
) -> Result<BackfillReport, AuditError>;
pub(crate) type DuplicatesFn<C> = fn(&mut C, &CleanDuplicates) -> Result<CleanReport, AuditError>;
pub(crate) type OldFn<C> = fn(&mut C, &CleanOld) -> Result<CleanReport, AuditError>;
pub(crate) type FitsFn<C> = fn(&mut C, &AuditContext, bool) -> Result<(), AuditError>;
pub(crate) type ChangesetRowsFn<C> = fn(&mut C, Uuid) -> Result<Vec<ChangesetEntry>, AuditError>;
pub(crate) type PlanRevertFn<C> = fn(&mut C, Uuid, usize) -> Result<Vec<Undo<C>>, AuditError>;
pub(crate) type RecordsFn<C> =
    fn(&mut C, &RecordQuery) -> Result<crate::Page<serde_json::Value>, AuditError>;
pub(crate) type RecordFn<C> = fn(&mut C, &str) -> Result<Option<RecordDetail>, AuditError>;
pub(crate) type DetailsFn<C> =
    fn(&mut C, &RecordQuery) -> Result<crate::Page<RecordDetail>, AuditError>;
pub(crate) type RevertFn<C> =
    fn(&mut C, &AuditContext, &str) -> Result<Option<serde_json::Value>, AuditError>;
pub(crate) type CountsFn<C> = fn(&mut C) -> Result<ModelCounts, AuditError>;
pub(crate) type DriftFn<C> = fn(
    &mut C,
    &crate::drift::Drift,
    &mut dyn FnMut(&Progress<'_>),
) -> Result<crate::drift::DriftReport, AuditError>;
pub(crate) type AsOfFn<C> =
    fn(&mut C, &str, DateTime<Utc>) -> Result<Option<serde_json::Value>, AuditError>;

/// One registered model: its spec and its operations, for connection type `C`.
#[cfg_attr(not(feature = "cli"), allow(dead_code))]
pub(crate) struct Entry<C> {
    pub(crate) spec: &'static HistoryTableSpec,
    /// Whether a backfill with this context (and `--missing` or not) can write the model: its
    /// user id fits the model's `history_user_id`, or the model will be skipped anyway.
    pub(crate) fits: FitsFn<C>,
    pub(crate) populate: PopulateFn<C>,
    pub(crate) duplicates: DuplicatesFn<C>,
    pub(crate) old: OldFn<C>,
    pub(crate) changeset_rows: ChangesetRowsFn<C>,
    pub(crate) plan_revert: PlanRevertFn<C>,
    /// Registered with [`Registry::personal_model`].
    pub(crate) personal_data: bool,
    pub(crate) records: RecordsFn<C>,
    pub(crate) record: RecordFn<C>,
    pub(crate) as_of: AsOfFn<C>,
    pub(crate) details: DetailsFn<C>,
    pub(crate) revert: RevertFn<C>,
    pub(crate) counts: CountsFn<C>,
    pub(crate) drift: DriftFn<C>,
}

/// The historical models of an application, for connections of type `C`: one list that
/// changesets, the CLI and the HTTP API share.
pub struct Registry<C> {
    pub(crate) entries: Vec<Entry<C>>,
}

impl<C: AuditConnection> Default for Registry<C> {
    fn default() -> Self {
        Registry {
            entries: Vec::new(),
        }
    }
}

impl<C: AuditConnection> Registry<C> {
    /// No models yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds model `M`. Its records serialize with this crate's `serde` feature (on by default),
    /// and its key deserializes from JSON (every key of Diesel's usual types does), so that a
    /// key in a URL can name an object. Adding a model twice adds it once.
    pub fn model<M: Historical>(self) -> Self
    where
        M::Record: Serialize,
        M::Id: DeserializeOwned,
    {
        self.add::<M>(false)
    }

    /// Adds model `M` as holding personal data (users, profiles): an HTTP API shows its history
    /// to admins and auditors only, and leaves its rows out of the changesets others read.
    pub fn personal_model<M: Historical>(self) -> Self
    where
        M::Record: Serialize,
        M::Id: DeserializeOwned,
    {
        self.add::<M>(true)
    }

    fn add<M: Historical>(mut self, personal_data: bool) -> Self
    where
        M::Record: Serialize,
        M::Id: DeserializeOwned,
    {
        if let Some(entry) = self
            .entries
            .iter_mut()
            .find(|e| e.spec.history_table == M::HISTORY.history_table)
        {
            entry.personal_data |= personal_data;
            return self;
        }
        let (changeset_rows, plan_revert) = changeset::entry_points::<M, C>();
        self.entries.push(Entry {
            spec: M::HISTORY,
            fits: |conn, ctx, only_missing| {
                if !only_missing && maintenance::has_history::<M, C>(conn)? {
                    return Ok(());
                }
                HistoryMeta::<M>::new(ctx, HistoryType::Create).map(drop)
            },
            // `impl FnMut` made `&mut dyn FnMut`, for a plain function pointer.
            populate: |conn, ctx, options, progress| {
                maintenance::populate_history::<M, C>(conn, ctx, options, progress)
            },
            duplicates: maintenance::clean_duplicate_history::<M, C>,
            old: maintenance::clean_old_history::<M, C>,
            changeset_rows,
            plan_revert,
            personal_data,
            records: by_name::records_of::<M, C>,
            record: by_name::record_of::<M, C>,
            as_of: by_name::as_of_of::<M, C>,
            details: by_name::details_of::<M, C>,
            revert: by_name::revert_of::<M, C>,
            counts: by_name::counts_of::<M, C>,
            drift: |conn, options, progress| {
                crate::drift::check_drift::<M, C>(conn, options, progress)
            },
        });
        self
    }

    /// The registered models' names, in the order they were added.
    pub fn names(&self) -> Vec<String> {
        self.entries
            .iter()
            .map(|e| e.spec.model.to_string())
            .collect()
    }

    /// The registered models' history tables, in the order they were added.
    pub fn specs(&self) -> impl Iterator<Item = &'static HistoryTableSpec> + '_ {
        self.entries.iter().map(|e| e.spec)
    }

    /// The model named `name` (its Rust name or its history table).
    pub fn spec(&self, name: &str) -> Option<&'static HistoryTableSpec> {
        self.entry(name).map(|e| e.spec)
    }

    pub(crate) fn entry(&self, name: &str) -> Option<&Entry<C>> {
        self.entries
            .iter()
            .find(|e| e.spec.model == name || e.spec.history_table == name)
    }
}
