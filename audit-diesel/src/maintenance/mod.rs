//! Operating history: backfill of existing rows, and cleanup of duplicate and old rows.
//!
//! These are django-simple-history's management commands (`populate_history`,
//! `clean_duplicate_history`, `clean_old_history`), as functions; the `cli` module (feature
//! `cli`) mounts them as commands. Each works in batches or in one statement per model, never one
//! statement per row. `docs/OPERATING.md` says what each locks and costs.

#[doc(hidden)]
pub mod sql;

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use diesel::connection::LoadConnection;
use diesel::query_dsl::methods::ExecuteDsl;
use diesel::query_dsl::LoadQuery;
use diesel::query_source::Table;
use diesel::{Connection, OptionalExtension, RunQueryDsl};
use serde::Serialize;

use self::sql::{
    BatchEnd, BatchRows, CountDoomed, CountRows, DeleteDoomed, DeleteDoomedReturning, Doomed,
};
use crate::backend::AuditBackend;
use crate::connection::{on_backend, AuditConnection};
use crate::contract::{Generated, GeneratedOf};
use crate::slot::Slot;
use crate::write::{HistoryInsert, HistoryMeta, TableSource};
use crate::{AuditContext, AuditError, Historical, HistoryTableSpec, HistoryType};

/// Rows per backfill batch unless told otherwise.
pub const DEFAULT_BACKFILL_BATCH: usize = 10_000;

/// How [`populate_history`] works.
#[derive(Debug, Clone)]
pub struct Backfill {
    /// Source rows per batch (one `INSERT ... SELECT` each).
    pub batch_size: usize,
    /// Also fill a model that already has history: only rows whose object has no history row
    /// get one. Without it, a model with any history is skipped (django-simple-history's rule).
    pub only_missing: bool,
    /// Load fast, offline: run the whole backfill in one transaction that drops the history
    /// table's secondary indexes, inserts every batch, and builds the indexes again at the end,
    /// once, instead of updating them row by row. The transaction holds an exclusive lock on the
    /// history table, so the model's audited writes wait until it commits: for a rollout before
    /// the model takes traffic. A failure rolls everything back, indexes included (on MySQL,
    /// whose DDL commits, the indexes are dropped and built outside the rows' transaction, and
    /// built again after a failure). Without it
    /// (the default), each batch commits on its own and the table stays usable throughout.
    ///
    /// It pays off on PostgreSQL (1,000,000 rows: 1.2x–2x the online rate of the same run,
    /// `BENCHMARKS.md`), not on SQLite, whose index build sorts while the
    /// batched load already inserts in key order (measured slower there).
    pub defer_indexes: bool,
}

impl Default for Backfill {
    fn default() -> Self {
        Backfill {
            batch_size: DEFAULT_BACKFILL_BATCH,
            only_missing: false,
            defer_indexes: false,
        }
    }
}

/// How far a backfill has come.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    /// The model.
    pub model: &'a str,
    /// Source rows looked at so far.
    pub done: u64,
    /// Source rows in all.
    pub total: u64,
    /// History rows written so far.
    pub written: u64,
}

/// What a backfill did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BackfillReport {
    /// The model.
    pub model: String,
    /// History rows written.
    pub written: u64,
    /// Batches run.
    pub batches: u64,
    /// Skipped because the model already had history (and `only_missing` was off).
    pub skipped: bool,
    /// How long it took.
    pub elapsed: Duration,
}

impl BackfillReport {
    /// Rows written per second.
    pub fn rows_per_second(&self) -> f64 {
        self.written as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Writes a `+` row (the current state, dated now or at the context's date, with its user and
/// reason) for existing rows of `M` that have none: all of them when `M` has no history yet, or,
/// with [`Backfill::only_missing`], those whose object has no history row. Walks the source table
/// by key, `batch_size` rows per `INSERT ... SELECT`, each batch committed on its own (or all in
/// one transaction with [`Backfill::defer_indexes`]); running it again writes nothing. `progress`
/// is called after each batch (the `cli` module draws a bar from it).
///
/// ```
/// # include!("../../doctest_setup.rs");
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mut conn = setup();
/// use audit_diesel::maintenance::{populate_history, Backfill};
/// // Rows written before the model had history:
/// diesel::insert_into(tanks::table)
///     .values(&[(tanks::name.eq("T1"), tanks::volume_m3.eq(1.0)), (tanks::name.eq("T2"), tanks::volume_m3.eq(2.0))])
///     .execute(&mut conn)?;
/// let ctx = AuditContext::builder().reason("populate_history").build()?;
/// let report = populate_history::<Tank, _>(&mut conn, &ctx, &Backfill::default(), |_| {})?;
/// assert_eq!(report.written, 2);
/// let again = populate_history::<Tank, _>(&mut conn, &ctx, &Backfill::default(), |_| {})?;
/// assert!(again.skipped);
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// [`AuditError::InvalidBatchSize`] for 0, [`AuditError::UserIdType`], or a database error (the
/// batches before it stay written; run again with `only_missing`).
pub fn populate_history<M, C>(
    conn: &mut C,
    ctx: &AuditContext,
    options: &Backfill,
    mut progress: impl FnMut(&Progress<'_>),
) -> Result<BackfillReport, AuditError>
where
    M: Historical,
    C: AuditConnection,
{
    on_backend!(conn.backend_connection(), M, |c, slot| {
        slot.populate(c, ctx, options, &mut progress)
    })
}

/// The work of the function above, on one backend's connection.
pub(crate) fn populate_on<'q, M, C>(
    conn: &mut C,
    ctx: &AuditContext,
    options: &Backfill,
    mut progress: &mut dyn FnMut(&Progress<'_>),
) -> Result<BackfillReport, AuditError>
where
    M: Historical,
    C: Connection + LoadConnection,
    C::Backend: AuditBackend,
    CountRows<M>: LoadQuery<'q, C, i64>,
    BatchEnd<M>: LoadQuery<'q, C, M::Id>,
    HistoryInsert<M, TableSource<BatchRows<M>>>: ExecuteDsl<C>,
{
    let started = Instant::now();
    let model = M::HISTORY.model.to_string();
    let db = |source| maintenance_error::<M>(source, "backfill");
    if options.batch_size == 0 {
        return Err(AuditError::InvalidBatchSize { requested: 0 });
    }
    let mut report = BackfillReport {
        model: model.clone(),
        written: 0,
        batches: 0,
        skipped: false,
        elapsed: Duration::ZERO,
    };
    let count = |any_history: bool, conn: &mut C| {
        CountRows::<M> {
            any_history,
            model: std::marker::PhantomData,
        }
        .get_result::<i64>(conn)
    };
    if !options.only_missing && has_history_on::<M, C>(conn)? {
        report.skipped = true;
        report.elapsed = started.elapsed();
        return Ok(report);
    }
    let total = count(false, conn).map_err(db)?.max(0) as u64;

    let mut meta = HistoryMeta::<M>::new(ctx, HistoryType::Create)?;
    // One date for the whole backfill: "when history began".
    meta.date.get_or_insert_with(crate::write::now);
    let dialect = <C::Backend as AuditBackend>::DIALECT;
    if options.defer_indexes {
        let indexes = M::HISTORY.rebuildable_indexes(dialect);
        // One transaction holds it all, and a rollback brings the indexes back; MySQL's DDL
        // commits, so there the transaction holds the rows only, and the indexes are built again
        // whether the rows commit or roll back.
        let ddl_commits = dialect == crate::schema::Dialect::Mysql;
        let mut rebuild = |conn: &mut C| -> Result<(), AuditError> {
            for index in &indexes {
                conn.batch_execute(&index.drop_if_exists).map_err(db)?;
            }
            let mut load = |conn: &mut C| {
                fill::<M, C>(conn, &meta, options, total, &mut report, &mut progress)
            };
            let filled = if ddl_commits {
                conn.transaction(load)
            } else {
                load(conn)
            };
            if filled.is_ok() || ddl_commits {
                for index in &indexes {
                    conn.batch_execute(&index.create_if_missing).map_err(db)?;
                }
            }
            filled
        };
        if ddl_commits {
            rebuild(conn)?;
        } else {
            conn.transaction(rebuild)?;
        }
    } else {
        fill::<M, C>(conn, &meta, options, total, &mut report, &mut progress)?;
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Whether `M`'s history table has a row: one index probe. A backfill without
/// [`Backfill::only_missing`] skips such a model.
#[cfg_attr(not(feature = "cli"), allow(dead_code))]
pub(crate) fn has_history<M: Historical, C: AuditConnection>(
    conn: &mut C,
) -> Result<bool, AuditError> {
    on_backend!(conn.backend_connection(), M, |c, slot| slot.has_history(c))
}

/// Whether `M`'s history table has a row: one index probe. A backfill without
/// [`Backfill::only_missing`] skips such a model.
pub(crate) fn has_history_on<'q, M, C>(conn: &mut C) -> Result<bool, AuditError>
where
    M: Historical,
    C: Connection + LoadConnection,
    CountRows<M>: LoadQuery<'q, C, i64>,
{
    let any = CountRows::<M> {
        any_history: true,
        model: std::marker::PhantomData,
    }
    .get_result::<i64>(conn)
    .map_err(|source| maintenance_error::<M>(source, "backfill"))?;
    Ok(any > 0)
}

/// Runs `work` in a transaction in which `M`'s append-only guard is lifted, for that
/// transaction only ([`HistoryTableSpec::lift_guard_sql`]): how the library's own maintenance
/// (cleanups, reason edits, `cascade_delete_history`) updates and deletes history rows. A
/// chained table's history is first locked against inserts
/// ([`HistoryTableSpec::chain_lock_sql`]). Without a guard or a chain it just runs `work`.
pub(crate) fn lifted<M, C, T, E>(
    conn: &mut C,
    work: impl FnOnce(&mut C) -> Result<T, E>,
) -> Result<T, E>
where
    M: Historical,
    C: Connection,
    C::Backend: AuditBackend,
    E: From<diesel::result::Error>,
{
    lifted_table(
        conn,
        M::HISTORY,
        <C::Backend as AuditBackend>::DIALECT,
        work,
    )
}

/// [`lifted`] for the table `spec` describes, on a connection of `dialect`.
pub(crate) fn lifted_table<C, T, E>(
    conn: &mut C,
    spec: &HistoryTableSpec,
    dialect: crate::schema::Dialect,
    work: impl FnOnce(&mut C) -> Result<T, E>,
) -> Result<T, E>
where
    C: Connection,
    E: From<diesel::result::Error>,
{
    let (lift, restore) = spec.lift_guard_sql(dialect);
    // A chained table's maintenance re-links in the same transaction, with writers held off.
    if lift.is_empty() && !spec.chained() {
        return work(conn);
    }
    let lock = spec.chain_lock_sql(dialect);
    let done = conn.transaction(|conn| {
        if let Some(lock) = &lock {
            conn.batch_execute(lock)?;
        }
        for statement in &lift {
            conn.batch_execute(statement)?;
        }
        let out = work(conn)?;
        for statement in &restore {
            conn.batch_execute(statement)?;
        }
        Ok(out)
    });
    if done.is_err() && dialect == crate::schema::Dialect::Mysql {
        // A session variable outlives the transaction that failed: put the guard back.
        for statement in &restore {
            let _ = conn.batch_execute(statement);
        }
    }
    done
}

/// How many rows `M`'s source table has: `SELECT COUNT(*)`.
pub(crate) fn count_rows_on<'q, M, C>(conn: &mut C) -> Result<u64, AuditError>
where
    M: Historical,
    C: Connection + LoadConnection,
    CountRows<M>: LoadQuery<'q, C, i64>,
{
    let rows = CountRows::<M> {
        any_history: false,
        model: std::marker::PhantomData,
    }
    .get_result::<i64>(conn)
    .map_err(|source| maintenance_error::<M>(source, "count"))?;
    Ok(u64::try_from(rows).unwrap_or(0))
}

/// The batches of a backfill: walks the source table by key, one `INSERT ... SELECT` per batch.
fn fill<'q, M, C>(
    conn: &mut C,
    meta: &HistoryMeta<M>,
    options: &Backfill,
    total: u64,
    report: &mut BackfillReport,
    progress: &mut impl FnMut(&Progress<'_>),
) -> Result<(), AuditError>
where
    M: Historical,
    C: Connection + LoadConnection,
    BatchEnd<M>: LoadQuery<'q, C, M::Id>,
    HistoryInsert<M, TableSource<BatchRows<M>>>: ExecuteDsl<C>,
    C::Backend: AuditBackend,
{
    let db = |source| maintenance_error::<M>(source, "backfill");
    let mut after: Option<M::Id> = None;
    let mut done = 0u64;
    loop {
        let end: Option<M::Id> = BatchEnd::<M> {
            key: M::Table::default().primary_key(),
            after: after.clone().map(GeneratedOf::<M>::key_values),
            batch_size: options.batch_size,
        }
        .get_result(conn)
        .optional()
        .map_err(db)?;
        let rows = BatchRows::<M> {
            after: after.clone().map(GeneratedOf::<M>::key_values),
            end: end.clone().map(GeneratedOf::<M>::key_values),
            only_missing: options.only_missing,
        };
        let insert = HistoryInsert::<M, _>::new(TableSource { condition: rows }, meta.clone());
        // A chained table's batch holds writers off, so that it links each object to the row
        // its `NOT EXISTS` saw (and none of them to it concurrently); on MySQL the batch's rows
        // are hashed by the chain procedure in the same transaction.
        let dialect = <C::Backend as AuditBackend>::DIALECT;
        let lock = M::HISTORY.chain_lock_sql(dialect);
        let written = if lock.is_some() || M::HISTORY.chain_call_sql(dialect).is_some() {
            conn.transaction(|conn| {
                if let Some(lock) = &lock {
                    conn.batch_execute(lock)?;
                }
                let written = insert.execute(conn)?;
                crate::write::chain_inserted(conn, M::HISTORY, written)?;
                Ok(written)
            })
        } else {
            insert.execute(conn)
        }
        .map_err(db)?;
        report.written = report
            .written
            .saturating_add(u64::try_from(written).unwrap_or(u64::MAX));
        report.batches = report.batches.saturating_add(1);
        done = match end {
            Some(_) => done
                .saturating_add(u64::try_from(options.batch_size).unwrap_or(u64::MAX))
                .min(total),
            None => total,
        };
        progress(&Progress {
            model: &report.model,
            done,
            total,
            written: report.written,
        });
        match end {
            Some(end) => after = Some(end),
            None => break,
        }
    }
    Ok(())
}

/// How [`clean_duplicate_history`] works.
#[derive(Debug, Clone, Default)]
pub struct CleanDuplicates {
    /// Only rows dated within this long before now (`--minutes`); their predecessors may be
    /// older.
    pub within: Option<Duration>,
    /// Count what would be deleted; delete nothing.
    pub dry_run: bool,
    /// Tracked columns ignored when comparing a row with the one before it
    /// (django-simple-history's `--excluded_fields`): a row that differs from its predecessor
    /// only in these is a duplicate. Each must be a tracked column of the model (its field name
    /// unless renamed with `column_name`), or the call fails with
    /// [`AuditError::UnknownField`] and deletes nothing.
    pub excluded_fields: Vec<String>,
}

/// How [`clean_old_history`] works.
#[derive(Debug, Clone)]
pub struct CleanOld {
    /// Rows older than this go (default 30 days).
    pub older_than: Duration,
    /// Never delete an object's latest row, so every object keeps its last known state.
    pub keep_latest: bool,
    /// Count what would be deleted; delete nothing.
    pub dry_run: bool,
    /// Delete at most this many rows per statement, repeating until none is left (short
    /// transactions on large tables); `None` deletes in one statement.
    pub batch_size: Option<u64>,
}

impl CleanDuplicates {
    /// The date from which rows are cleaned: [`within`](Self::within) before now, or `None`
    /// for every row.
    ///
    /// ```
    /// use std::time::Duration;
    /// use audit_diesel::maintenance::CleanDuplicates;
    ///
    /// let hour = CleanDuplicates { within: Some(Duration::from_secs(3600)), dry_run: true, ..Default::default() };
    /// assert!(hour.since().unwrap().is_some());
    /// let forever = CleanDuplicates { within: Some(Duration::MAX), ..Default::default() };
    /// assert!(forever.since().is_err());
    /// ```
    ///
    /// # Errors
    /// [`AuditError::DurationOutOfRange`] when that reaches back before the year 1: a window
    /// that large is a mistake (leave `within` unset to clean every row).
    pub fn since(&self) -> Result<Option<DateTime<Utc>>, AuditError> {
        self.within
            .map(|within| {
                cutoff(within).ok_or_else(|| AuditError::DurationOutOfRange {
                    argument: "within",
                    duration: format!("{within:?}"),
                })
            })
            .transpose()
    }

    /// Checks that every [`excluded_fields`](Self::excluded_fields) name is a tracked column of
    /// the model `spec` describes.
    ///
    /// # Errors
    /// [`AuditError::UnknownField`] for the first name that is not.
    pub fn check_fields(&self, spec: &HistoryTableSpec) -> Result<(), AuditError> {
        for field in &self.excluded_fields {
            if spec.column(field).is_none() {
                return Err(AuditError::UnknownField {
                    model: spec.model.to_string(),
                    field: field.clone(),
                    excluded: spec.excluded.iter().any(|e| e == field),
                    tracked: spec.columns.iter().map(|c| c.name.to_string()).collect(),
                });
            }
        }
        Ok(())
    }
}

impl CleanOld {
    /// Rows dated before this go: [`older_than`](Self::older_than) before now, or `None` when
    /// that lies before the year 1, the earliest date history stores, so nothing is that old.
    ///
    /// ```
    /// use std::time::Duration;
    /// use audit_diesel::maintenance::CleanOld;
    ///
    /// assert!(CleanOld::default().cutoff().is_some()); // 30 days ago
    /// let eons = CleanOld { older_than: Duration::from_secs(u64::MAX), ..CleanOld::default() };
    /// assert_eq!(eons.cutoff(), None);
    /// ```
    pub fn cutoff(&self) -> Option<DateTime<Utc>> {
        cutoff(self.older_than)
    }
}

/// `age` before now, or `None` before the earliest date history stores. Never wraps: an age
/// past what chrono represents is before it too.
fn cutoff(age: Duration) -> Option<DateTime<Utc>> {
    let age = TimeDelta::from_std(age).ok()?;
    Utc::now()
        .checked_sub_signed(age)
        .filter(crate::history_date::in_range)
}

impl Default for CleanOld {
    fn default() -> Self {
        CleanOld {
            older_than: Duration::from_secs(30 * 24 * 3600),
            keep_latest: false,
            dry_run: false,
            batch_size: Some(10_000),
        }
    }
}

/// What a cleanup did, or would do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CleanReport {
    /// The model.
    pub model: String,
    /// Rows deleted, or that a dry run would delete.
    pub rows: u64,
    /// Whether this was a dry run.
    pub dry_run: bool,
}

/// Deletes `~` rows whose tracked columns equal those of the row before them (keeping the
/// oldest of a run of identical rows), for objects that still exist; with
/// [`CleanDuplicates::within`], only rows of that recent period. `+` and `-` rows are events and
/// always stay. One statement per model.
///
/// Audited updates already skip unchanged rows (unless the model records every save), so
/// duplicates come from models with `record_unchanged`, imports, or history written before.
///
/// # Errors
/// [`AuditError::DurationOutOfRange`] for a [`CleanDuplicates::within`] that reaches back before
/// the year 1 (nothing is deleted), or a database error.
pub fn clean_duplicate_history<M, C>(
    conn: &mut C,
    options: &CleanDuplicates,
) -> Result<CleanReport, AuditError>
where
    M: Historical,
    C: AuditConnection,
{
    on_backend!(conn.backend_connection(), M, |c, slot| slot
        .clean_duplicates(c, options))
}

/// The work of the function above, on one backend's connection.
pub(crate) fn clean_duplicates_on<'q, M, C>(
    conn: &mut C,
    options: &CleanDuplicates,
) -> Result<CleanReport, AuditError>
where
    M: Historical,
    C: Connection + LoadConnection + 'static,
    C::Backend: AuditBackend,
    CountDoomed<M>: LoadQuery<'q, C, i64>,
    DeleteDoomed<M>: ExecuteDsl<C>,
    DeleteDoomedReturning<M>: LoadQuery<'q, C, sql::GoneRow>,
{
    let since = options.since()?;
    options.check_fields(M::HISTORY)?;
    clean::<M, C>(
        conn,
        Doomed::Duplicates {
            since,
            excluded: options.excluded_fields.clone(),
        },
        options.dry_run,
        "clean duplicates",
    )
}

/// Deletes rows dated more than [`CleanOld::older_than`] ago; with [`CleanOld::keep_latest`],
/// never an object's latest row. An age that reaches back before the year 1 (see
/// [`CleanOld::cutoff`]) deletes nothing and sends no statement: no row is that old.
///
/// # Errors
/// [`AuditError::InvalidBatchSize`] for a batch size of 0, or a database error.
pub fn clean_old_history<M, C>(conn: &mut C, options: &CleanOld) -> Result<CleanReport, AuditError>
where
    M: Historical,
    C: AuditConnection,
{
    on_backend!(conn.backend_connection(), M, |c, slot| slot
        .clean_old(c, options))
}

/// The work of the function above, on one backend's connection.
pub(crate) fn clean_old_on<'q, M, C>(
    conn: &mut C,
    options: &CleanOld,
) -> Result<CleanReport, AuditError>
where
    M: Historical,
    C: Connection + LoadConnection + 'static,
    C::Backend: AuditBackend,
    CountDoomed<M>: LoadQuery<'q, C, i64>,
    DeleteDoomed<M>: ExecuteDsl<C>,
    DeleteDoomedReturning<M>: LoadQuery<'q, C, sql::GoneRow>,
{
    if options.batch_size == Some(0) {
        return Err(AuditError::InvalidBatchSize { requested: 0 });
    }
    let Some(before) = options.cutoff() else {
        return Ok(CleanReport {
            model: M::HISTORY.model.to_string(),
            rows: 0,
            dry_run: options.dry_run,
        });
    };
    let doomed = |limit| Doomed::Old {
        before,
        keep_latest: options.keep_latest,
        limit,
    };
    let (false, Some(batch_size)) = (options.dry_run, options.batch_size) else {
        return clean::<M, C>(conn, doomed(None), options.dry_run, "clean old");
    };
    let mut report = CleanReport {
        model: M::HISTORY.model.to_string(),
        rows: 0,
        dry_run: false,
    };
    loop {
        let batch = clean::<M, C>(conn, doomed(Some(batch_size)), false, "clean old")?;
        report.rows = report.rows.saturating_add(batch.rows);
        if batch.rows < batch_size {
            return Ok(report);
        }
    }
}

fn clean<'q, M, C>(
    conn: &mut C,
    doomed: Doomed,
    dry_run: bool,
    operation: &'static str,
) -> Result<CleanReport, AuditError>
where
    M: Historical,
    C: Connection + LoadConnection + 'static,
    C::Backend: AuditBackend,
    CountDoomed<M>: LoadQuery<'q, C, i64>,
    DeleteDoomed<M>: ExecuteDsl<C>,
    DeleteDoomedReturning<M>: LoadQuery<'q, C, sql::GoneRow>,
{
    let db = |source| maintenance_error::<M>(source, operation);
    let model = std::marker::PhantomData;
    let rows = if dry_run {
        CountDoomed::<M> { doomed, model }
            .get_result::<i64>(conn)
            .map_err(db)?
            .max(0) as u64
    } else {
        if !M::HISTORY.chained() {
            let deleted = lifted::<M, C, _, diesel::result::Error>(conn, |conn| {
                DeleteDoomed::<M> { doomed, model }.execute(conn)
            })
            .map_err(db)?;
            return Ok(CleanReport {
                model: M::HISTORY.model.to_string(),
                rows: u64::try_from(deleted).unwrap_or(u64::MAX),
                dry_run,
            });
        }
        // A chained table: the rows after the removed ones are re-linked and re-hashed, and
        // the anchor recorded, in the same transaction.
        let detail = doomed.describe();
        lifted::<M, C, _, AuditError>(conn, |conn| {
            let gone: Vec<sql::GoneRow> =
                DeleteDoomedReturning(DeleteDoomed::<M> { doomed, model })
                    .load(conn)
                    .map_err(db)?;
            sql::delete_ids(conn, &M::HISTORY.history_table, &gone).map_err(db)?;
            let removed = u64::try_from(gone.len()).unwrap_or(u64::MAX);
            if removed > 0 {
                let what = crate::chain::Maintenance {
                    operation: match operation {
                        "clean old" => "clean_old_history",
                        _ => "clean_duplicate_history",
                    },
                    detail: format!("removed {removed} {detail}"),
                    rows_removed: removed,
                    spec: M::HISTORY,
                };
                crate::chain::after_removal(conn, &what, &gone)?;
            }
            Ok(removed)
        })?
    };
    Ok(CleanReport {
        model: M::HISTORY.model.to_string(),
        rows,
        dry_run,
    })
}

fn maintenance_error<M: Historical>(
    source: diesel::result::Error,
    operation: &'static str,
) -> AuditError {
    AuditError::Database {
        model: M::HISTORY.model.to_string(),
        operation,
        source,
    }
}
