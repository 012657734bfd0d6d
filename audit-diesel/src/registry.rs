//! The application's historical models, registered once: what works across models (reading and
//! reverting [changesets](crate::changeset), the operator CLI of feature `cli`, an HTTP API)
//! iterates them.
//!
//! ```
//! # include!("../doctest_setup.rs");
//! # fn main() {
//! use audit_diesel::Registry;
//!
//! let registry = Registry::<SqliteConnection>::new().model::<Tank>();
//! assert_eq!(registry.names(), ["Tank"]);
//! assert_eq!(registry.specs().next().unwrap().history_table, "historical_tanks");
//! # }
//! ```

use serde::Serialize;
use uuid::Uuid;

use crate::changeset::sql::ChangesetKey;
use crate::changeset::{self, ChangesetEntry, ListFilter, Part, Undo};
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
pub(crate) type ChangesetKeysFn<C> =
    fn(&mut C, &ListFilter, Option<ChangesetKey>, u64) -> Result<Vec<ChangesetKey>, AuditError>;
pub(crate) type ChangesetPartsFn<C> =
    fn(&mut C, &ListFilter, &[Uuid]) -> Result<Vec<Part>, AuditError>;
pub(crate) type ChangesetRowsFn<C> = fn(&mut C, Uuid) -> Result<Vec<ChangesetEntry>, AuditError>;
pub(crate) type PlanRevertFn<C> = fn(&mut C, Uuid, usize) -> Result<Vec<Undo<C>>, AuditError>;

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
    pub(crate) changeset_keys: ChangesetKeysFn<C>,
    pub(crate) changeset_parts: ChangesetPartsFn<C>,
    pub(crate) changeset_rows: ChangesetRowsFn<C>,
    pub(crate) plan_revert: PlanRevertFn<C>,
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

    /// Adds model `M` (its records serialize with this crate's `serde` feature, on by default).
    /// Adding a model twice adds it once.
    pub fn model<M: Historical>(mut self) -> Self
    where
        M::Record: Serialize,
    {
        if self.entry(&M::HISTORY.history_table).is_some() {
            return self;
        }
        let (changeset_keys, changeset_parts, changeset_rows, plan_revert) =
            changeset::entry_points::<M, C>();
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
            changeset_keys,
            changeset_parts,
            changeset_rows,
            plan_revert,
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
