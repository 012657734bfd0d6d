//! Drift: writes that bypassed the library. [`check_drift`] compares every live row of a model
//! with its object's latest history row and every object whose latest row is not `-` with the
//! live table, and reports
//!
//! - live rows with no live history (never recorded, or recorded as deleted): **created**
//!   without the library (a plain `diesel::insert_into`, a `psql` session, another service);
//! - live rows whose tracked columns differ from the latest history row: **updated** without it
//!   (django-simple-history's blind spot: `QuerySet.update()`), with the columns that differ;
//! - objects whose latest row is not `-` and whose live row is gone: **deleted** without it.
//!
//! It walks the live table in batches by key, with a progress callback, and the history table
//! once for the deletes. With [`Drift::record`] it writes the missing rows, through the same
//! history insert as every write (`+`, `~` from the live row, `-` from the latest history row),
//! without a user and with a reason naming the check, so the trail is complete again and says how
//! it was completed. On a chained table each batch holds the model's audited writes off while it
//! records (`LOCK TABLE ... SHARE ROW EXCLUSIVE` on PostgreSQL), and the rows are chained like
//! any other.
//!
//! ```
//! # include!("../../doctest_setup.rs");
//! use audit_diesel::drift::{check_drift, Drift, DriftKind};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mut conn = setup();
//! let tank = Tank::create(&mut conn, &AuditContext::for_user(7), &NewTank { name: "T1".into(), volume_m3: 40.0 })?;
//! // A plain Diesel update: no history row.
//! diesel::update(tanks::table.find(tank.id)).set(tanks::volume_m3.eq(55.0)).execute(&mut conn)?;
//!
//! let report = check_drift::<Tank, _>(&mut conn, &Drift::default(), |_| {})?;
//! assert_eq!(report.findings.len(), 1);
//! assert_eq!(report.findings[0].kind, DriftKind::Updated);
//! assert_eq!(report.findings[0].changed, ["volume_m3"]);
//!
//! let recorded = check_drift::<Tank, _>(&mut conn, &Drift { record: true, ..Drift::default() }, |_| {})?;
//! assert_eq!(recorded.recorded, 1);
//! assert!(check_drift::<Tank, _>(&mut conn, &Drift::default(), |_| {})?.findings.is_empty());
//! let latest = Tank::history(&tank.id).latest(&mut conn)?.unwrap();
//! assert_eq!(latest.history_user_id, None);
//! assert_eq!(latest.history_change_reason.as_deref(), Some("audit drift: updated without the library"));
//! # Ok(())
//! # }
//! ```

#[doc(hidden)]
pub mod sql;

use std::time::Instant;

use diesel::connection::LoadConnection;
use diesel::query_dsl::methods::ExecuteDsl;
use diesel::query_dsl::LoadQuery;
use diesel::query_source::Table;
use diesel::{Connection, OptionalExtension, RunQueryDsl};
use serde::Serialize;

use self::sql::{DeletedSource, DriftDeletes, DriftRow, DriftRows, Drifted};
use crate::backend::AuditBackend;
use crate::connection::{on_backend, AuditConnection};
use crate::contract::{Generated, GeneratedOf};
use crate::maintenance::sql::{BatchEnd, BatchRows, CountRows};
use crate::maintenance::Progress;
use crate::slot::Slot;
use crate::write::{HistoryInsert, HistoryMeta, TableSource};
use crate::{AuditContext, AuditError, Historical, HistoryType};

/// How [`check_drift`] works.
#[derive(Debug, Clone)]
pub struct Drift {
    /// Live rows per batch.
    pub batch_size: usize,
    /// Write the missing history rows (without a user, with a reason naming the check).
    pub record: bool,
}

impl Default for Drift {
    fn default() -> Self {
        Drift {
            batch_size: crate::maintenance::DEFAULT_BACKFILL_BATCH,
            record: false,
        }
    }
}

/// How an object's live row and its history disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftKind {
    /// The row exists and its history has no live row: created without the library (or
    /// re-created after a recorded delete).
    Created,
    /// A tracked column differs from the latest history row: updated without the library.
    Updated,
    /// The latest history row is not `-` and the row is gone: deleted without the library.
    Deleted,
}

impl DriftKind {
    fn parse(text: &str) -> Option<DriftKind> {
        match text {
            "created" => Some(DriftKind::Created),
            "updated" => Some(DriftKind::Updated),
            "deleted" => Some(DriftKind::Deleted),
            _ => None,
        }
    }

    /// The reason of a row recorded for it.
    pub fn reason(self) -> &'static str {
        match self {
            DriftKind::Created => "audit drift: created without the library",
            DriftKind::Updated => "audit drift: updated without the library",
            DriftKind::Deleted => "audit drift: deleted without the library",
        }
    }

    fn history_type(self) -> HistoryType {
        match self {
            DriftKind::Created => HistoryType::Create,
            DriftKind::Updated => HistoryType::Update,
            DriftKind::Deleted => HistoryType::Delete,
        }
    }
}

/// One object whose live row and history disagree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DriftFinding {
    /// Its key, as `column='value'` pairs.
    pub object: String,
    /// How.
    pub kind: DriftKind,
    /// The `history_id` of its latest history row, if it has one.
    pub latest_history_id: Option<String>,
    /// For an update, the tracked columns that differ.
    pub changed: Vec<String>,
}

impl std::fmt::Display for DriftFinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let latest = self
            .latest_history_id
            .as_deref()
            .map(|id| format!(" (latest history row {id})"))
            .unwrap_or_default();
        match self.kind {
            DriftKind::Created => write!(f, "{} was created without history{latest}", self.object),
            DriftKind::Updated => write!(
                f,
                "{} was updated without history: {} differ from its latest row{latest}",
                self.object,
                self.changed.join(", ")
            ),
            DriftKind::Deleted => write!(f, "{} was deleted without history{latest}", self.object),
        }
    }
}

/// What [`check_drift`] found, and recorded.
#[derive(Debug, Clone, Serialize)]
pub struct DriftReport {
    /// The model.
    pub model: String,
    /// Live rows compared.
    pub rows: u64,
    /// Every object whose live row and history disagree, in key order (deletes last).
    pub findings: Vec<DriftFinding>,
    /// History rows written with [`Drift::record`].
    pub recorded: u64,
    /// How long it took.
    pub elapsed: std::time::Duration,
}

/// Compares `M`'s live rows with its history: see the [module](self) documentation.
///
/// # Errors
/// [`AuditError::InvalidBatchSize`] for 0, or a database error (with `record`, the batches
/// before it stay recorded; run it again).
pub fn check_drift<M: Historical, C: AuditConnection>(
    conn: &mut C,
    options: &Drift,
    mut progress: impl FnMut(&Progress<'_>),
) -> Result<DriftReport, AuditError> {
    on_backend!(conn.backend_connection(), M, |c, slot| {
        slot.drift(c, options, &mut progress)
    })
}

/// The work of [`check_drift`] on one backend's connection.
pub(crate) fn drift_on<M, C>(
    conn: &mut C,
    options: &Drift,
    progress: &mut dyn FnMut(&Progress<'_>),
) -> Result<DriftReport, AuditError>
where
    M: Historical,
    C: Connection + LoadConnection,
    C::Backend: AuditBackend,
    CountRows<M>: LoadQuery<'static, C, i64>,
    BatchEnd<M>: LoadQuery<'static, C, M::Id>,
    DriftRows<M>: LoadQuery<'static, C, DriftRow>,
    DriftDeletes<M>: LoadQuery<'static, C, DriftRow>,
    HistoryInsert<M, TableSource<Drifted<M>>>: ExecuteDsl<C>,
    HistoryInsert<M, DeletedSource>: ExecuteDsl<C>,
{
    let started = Instant::now();
    if options.batch_size == 0 {
        return Err(AuditError::InvalidBatchSize { requested: 0 });
    }
    let db = |source| AuditError::Database {
        model: M::HISTORY.model.to_string(),
        operation: "drift",
        source,
    };
    let dialect = <C::Backend as AuditBackend>::DIALECT;
    let total = crate::maintenance::count_rows_on::<M, C>(conn)?;
    let meta = |kind: DriftKind| -> Result<HistoryMeta<M>, AuditError> {
        let ctx = AuditContext::builder().reason(kind.reason()).build()?;
        let mut meta = HistoryMeta::<M>::new(&ctx, kind.history_type())?;
        if dialect == crate::schema::Dialect::Sqlite {
            // SQLite's clock has milliseconds; writes there take the Rust clock.
            meta.date = Some(crate::write::now());
        }
        Ok(meta)
    };
    let mut report = DriftReport {
        model: M::HISTORY.model.to_string(),
        rows: 0,
        findings: Vec::new(),
        recorded: 0,
        elapsed: std::time::Duration::ZERO,
    };
    let key = |after: &Option<M::Id>| after.clone().map(GeneratedOf::<M>::key_values);
    let batch = |after: &Option<M::Id>, end: &Option<M::Id>| BatchRows::<M> {
        after: key(after),
        end: key(end),
        only_missing: false,
    };
    let mut after: Option<M::Id> = None;
    loop {
        let end: Option<M::Id> = BatchEnd::<M> {
            key: M::Table::default().primary_key(),
            after: key(&after),
            batch_size: options.batch_size,
        }
        .get_result(conn)
        .optional()
        .map_err(db)?;
        let detect = |conn: &mut C| -> Result<Vec<DriftRow>, AuditError> {
            DriftRows::<M> {
                batch: batch(&after, &end),
            }
            .load(conn)
            .map_err(db)
        };
        if options.record {
            // Found and recorded in one transaction, audited writes held off: what is
            // recorded is what is reported.
            let (found, recorded) = record_batch::<M, C, _>(conn, |conn| {
                let found = detect(conn)?;
                let mut written = 0usize;
                for kind in [DriftKind::Created, DriftKind::Updated] {
                    let label = if kind == DriftKind::Created {
                        "created"
                    } else {
                        "updated"
                    };
                    if !found.iter().any(|r| r.1 == label) {
                        continue;
                    }
                    let source = TableSource {
                        condition: Drifted::<M> {
                            batch: batch(&after, &end),
                            created: kind == DriftKind::Created,
                        },
                    };
                    let inserted = HistoryInsert::<M, _>::new(source, meta(kind)?)
                        .execute(conn)
                        .map_err(db)?;
                    crate::write::chain_inserted(conn, M::HISTORY, inserted).map_err(db)?;
                    written = written.saturating_add(inserted);
                }
                Ok((found, written))
            })?;
            report
                .findings
                .extend(found.into_iter().filter_map(finding));
            report.recorded = report.recorded.saturating_add(recorded);
        } else {
            report
                .findings
                .extend(detect(conn)?.into_iter().filter_map(finding));
        }
        let done = match &end {
            Some(_) => report
                .rows
                .saturating_add(u64::try_from(options.batch_size).unwrap_or(u64::MAX))
                .min(total),
            None => total,
        };
        report.rows = done;
        progress(&Progress {
            model: &report.model,
            done,
            total,
            written: report.recorded,
        });
        match end {
            Some(end) => after = Some(end),
            None => break,
        }
    }
    let detect_deleted = |conn: &mut C| -> Result<Vec<DriftRow>, AuditError> {
        DriftDeletes::<M> {
            model: std::marker::PhantomData,
        }
        .load(conn)
        .map_err(db)
    };
    if options.record {
        let (deleted, recorded) = record_batch::<M, C, _>(conn, |conn| {
            let deleted = detect_deleted(conn)?;
            if deleted.is_empty() {
                return Ok((deleted, 0));
            }
            let written = HistoryInsert::<M, _>::new(DeletedSource, meta(DriftKind::Deleted)?)
                .execute(conn)
                .map_err(db)?;
            crate::write::chain_inserted(conn, M::HISTORY, written).map_err(db)?;
            Ok((deleted, written))
        })?;
        report
            .findings
            .extend(deleted.into_iter().filter_map(finding));
        report.recorded = report.recorded.saturating_add(recorded);
    } else {
        report
            .findings
            .extend(detect_deleted(conn)?.into_iter().filter_map(finding));
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

/// A row of the drift queries as a finding.
fn finding((object, kind, latest, changed): DriftRow) -> Option<DriftFinding> {
    let kind = DriftKind::parse(&kind)?;
    Some(DriftFinding {
        object: crate::chain::object_label(&object),
        kind,
        latest_history_id: latest,
        changed: if kind == DriftKind::Updated {
            changed
                .split(',')
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect()
        } else {
            Vec::new()
        },
    })
}

/// Runs `work` (finding and recording one batch) in a transaction that, on PostgreSQL, first
/// locks the history table `SHARE ROW EXCLUSIVE`: audited writes of the model (whose statements
/// insert into it) wait until it commits, and it waits for those in flight, so that what it
/// finds and records is what the table holds (SQLite's writers take turns anyway).
fn record_batch<M, C, T>(
    conn: &mut C,
    work: impl FnOnce(&mut C) -> Result<(T, usize), AuditError>,
) -> Result<(T, u64), AuditError>
where
    M: Historical,
    C: Connection,
    C::Backend: AuditBackend,
{
    let lock = M::HISTORY.history_lock_sql(<C::Backend as AuditBackend>::DIALECT);
    let (out, written) = conn.transaction(|conn| {
        if let Some(lock) = &lock {
            conn.batch_execute(lock)?;
        }
        work(conn)
    })?;
    Ok((out, u64::try_from(written).unwrap_or(u64::MAX)))
}
