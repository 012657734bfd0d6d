//! The benchmark's work, written once as functions generic over the connection.
//!
//! The audited calls need only `AuditConnection`. The unaudited baselines are the same statements
//! in plain Diesel: they are [`Unaudited`], one blanket impl with Diesel's bounds. What differs
//! per backend (the SQL that seeds and resets the tables, the WAL meter) is [`BenchDb`],
//! implemented in `sqlite.rs` and `postgres.rs`.

use audit_diesel::maintenance::{populate_history, Backfill};
use audit_diesel::prelude::*;
use chrono::{TimeZone, Utc};
use diesel::dsl::{Count, Eq, Filter, Find, Limit, Returning, Select, Update, Values};
use diesel::prelude::*;
use diesel::query_builder::SqlQuery;
use diesel::query_dsl::methods::ExecuteDsl;
use diesel::query_dsl::LoadQuery;
use diesel::QueryResult;

use crate::measure::{Bench, BenchResult, Unit, Variant};
use crate::model::*;
use crate::{Config, Section};

/// Set by `--without-guard`: the run dropped the history table's append-only triggers, and a
/// reset must not put them back (SQLite's lift re-creates them).
pub static GUARD_DROPPED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// What differs per backend: its SQL for the data sets, and how it measures the WAL. Each
/// backend gives its SQL; running it is written once, here.
pub trait BenchDb: Connection {
    /// Its dialect.
    const DIALECT: audit_diesel::schema::Dialect;
    /// Empties both tables and restarts their keys.
    const RESET_SQL: &'static str;
    /// Empties the history table only.
    const RESET_HISTORY_SQL: &'static str;
    /// Refreshes the planner's statistics after seeding.
    const ANALYZE_SQL: &'static str;
    /// Inserts `rows` rows with keys `1..=rows`, all `active`, without history.
    fn seed_rows_sql(rows: usize) -> String;
    /// Writes `versions` history rows for each of `objects` objects, then the live rows.
    fn seed_history_sql(objects: usize, versions: usize) -> String;
    /// The backfill a DBA would write by hand.
    fn backfill_by_hand_sql(date: &str) -> String;
    /// Rows `first..first + count` of [`new_fish`] inserted with their history rows in one
    /// statement written by hand, as the library's bulk insert writes them; `None` where the
    /// backend has no such statement (SQLite runs no `INSERT` inside `WITH`).
    fn bulk_by_hand_sql(first: usize, count: usize) -> Option<String> {
        let _ = (first, count);
        None
    }
    /// The unaudited create: the row inserted and returned as stored.
    fn insert_returning(&mut self, row: NewFish) -> QueryResult<Fish>;
    /// A plain insert into `bench_recorded_fish` (`recorded`) or `bench_fish`; the new key.
    fn plain_insert(&mut self, row: NewFish, recorded: bool) -> QueryResult<i64>;
    /// A mark in the write-ahead log.
    fn wal_mark(&mut self) -> QueryResult<u64>;
    /// The WAL bytes written since `mark`.
    fn wal_since(&mut self, mark: u64) -> QueryResult<u64>;

    /// Empties both tables.
    fn reset(&mut self) -> QueryResult<()> {
        self.lifting_guard(Self::RESET_SQL)
    }
    /// Empties the history table.
    fn reset_history(&mut self) -> QueryResult<()> {
        self.lifting_guard(Self::RESET_HISTORY_SQL)
    }
    /// Runs `sql`, which empties history, in a transaction that lifts the history table's
    /// append-only guard first, as an operator would by hand.
    fn lifting_guard(&mut self, sql: &str) -> QueryResult<()> {
        use audit_diesel::Historical;
        if GUARD_DROPPED.load(std::sync::atomic::Ordering::Relaxed) {
            return self.batch_execute(sql);
        }
        let (lift, restore) = crate::model::Fish::HISTORY.lift_guard_sql(Self::DIALECT);
        self.transaction(|conn| {
            for statement in &lift {
                conn.batch_execute(statement)?;
            }
            conn.batch_execute(sql)?;
            for statement in &restore {
                conn.batch_execute(statement)?;
            }
            Ok(())
        })
    }
    /// Refreshes the statistics.
    fn analyze(&mut self) -> QueryResult<()> {
        self.batch_execute(Self::ANALYZE_SQL)
    }
    /// Seeds the live table.
    fn seed_rows(&mut self, rows: usize) -> QueryResult<()> {
        self.batch_execute(&Self::seed_rows_sql(rows))
    }
    /// Seeds the history table and the live table.
    fn seed_history(&mut self, objects: usize, versions: usize) -> QueryResult<()> {
        self.batch_execute(&Self::seed_history_sql(objects, versions))
    }
}

/// The changes of one fish in the single-row updates.
type FishChanges = (
    Eq<bench_fish::population, i32>,
    Eq<bench_fish::status, &'static str>,
    Eq<bench_fish::updated_at, Stamp>,
);

/// The changes of one guarded fish in the source guard's updates.
type GuardedChanges = (
    Eq<bench_guarded_fish::population, i32>,
    Eq<bench_guarded_fish::status, &'static str>,
    Eq<bench_guarded_fish::updated_at, Stamp>,
);

/// The changes of the source guard's plain updates of `bench_fish`.
type PlainChanges = (
    Eq<bench_fish::population, i32>,
    Eq<bench_fish::status, &'static str>,
);

/// The same changes of `bench_recorded_fish`.
type RecordedChanges = (
    Eq<bench_recorded_fish::population, i32>,
    Eq<bench_recorded_fish::status, &'static str>,
);

/// The filter of the filtered update.
type GrowFilter = Eq<bench_fish::status, &'static str>;

/// The changes of the filtered update.
type GrowChanges = (
    Eq<bench_fish::population, diesel::dsl::Add<bench_fish::population, i32>>,
    Eq<bench_fish::status, &'static str>,
    Eq<bench_fish::updated_at, Stamp>,
);

fn fish_changes(population: i32, status: &'static str) -> FishChanges {
    (
        bench_fish::population.eq(population),
        bench_fish::status.eq(status),
        bench_fish::updated_at.eq(audit_diesel::dsl::timestamptz(Utc::now())),
    )
}

fn guarded_changes(population: i32, status: &'static str) -> GuardedChanges {
    (
        bench_guarded_fish::population.eq(population),
        bench_guarded_fish::status.eq(status),
        bench_guarded_fish::updated_at.eq(audit_diesel::dsl::timestamptz(Utc::now())),
    )
}

/// `WHERE status = 'active'`, `SET population = population + 1, status = 'growing', ...`.
fn grow_active() -> (GrowFilter, GrowChanges) {
    (
        bench_fish::status.eq("active"),
        (
            bench_fish::population.eq(bench_fish::population + 1),
            bench_fish::status.eq("growing"),
            bench_fish::updated_at.eq(audit_diesel::dsl::timestamptz(Utc::now())),
        ),
    )
}

/// The unaudited baselines: plain Diesel, the statements an application without history sends.
pub trait Unaudited {
    /// One `INSERT` of a batch.
    fn insert_batch(&mut self, rows: Vec<NewFish>) -> QueryResult<usize>;
    /// `UPDATE` by key.
    fn update_one(&mut self, id: i64, changes: FishChanges) -> QueryResult<usize>;
    /// `UPDATE ... WHERE`.
    fn update_where(&mut self, filter: GrowFilter, changes: GrowChanges) -> QueryResult<usize>;
    /// `DELETE` by key.
    fn delete_one(&mut self, id: i64) -> QueryResult<usize>;
    /// The live population of one fish.
    fn population_of(&mut self, id: i64) -> QueryResult<i32>;
    /// The live table.
    fn load_all(&mut self) -> QueryResult<Vec<Fish>>;
    /// Rows of the live table.
    fn live_rows(&mut self) -> QueryResult<i64>;
    /// Rows of the history table.
    fn history_rows(&mut self) -> QueryResult<i64>;
    /// Rows of the history tables of the source guard's two tables: `guard = refuse`, then
    /// `guard = record`.
    fn guarded_history_rows(&mut self) -> QueryResult<(i64, i64)>;
    /// Runs a statement written by hand; returns the rows it wrote.
    fn execute_sql(&mut self, sql: String) -> QueryResult<usize>;
    /// `UPDATE ... SET population, status WHERE id` of `bench_recorded_fish` or `bench_fish`.
    fn plain_update(&mut self, id: i64, population: i32, recorded: bool) -> QueryResult<usize>;
    /// `DELETE ... WHERE id` of `bench_recorded_fish` or `bench_fish`.
    fn plain_delete(&mut self, id: i64, recorded: bool) -> QueryResult<usize>;
}

impl<C> Unaudited for C
where
    C: Connection,
    Values<diesel::dsl::insert_into<bench_fish::table>, Vec<NewFish>>: ExecuteDsl<C>,
    Update<Find<bench_fish::table, i64>, FishChanges>: ExecuteDsl<C>,
    Update<Filter<bench_fish::table, GrowFilter>, GrowChanges>: ExecuteDsl<C>,
    diesel::dsl::delete<Find<bench_fish::table, i64>>: ExecuteDsl<C>,
    Limit<Select<Find<bench_fish::table, i64>, bench_fish::population>>: LoadQuery<'static, C, i32>,
    bench_fish::table: LoadQuery<'static, C, Fish>,
    Count<bench_fish::table>: LoadQuery<'static, C, i64>,
    Count<historical_bench_fish::table>: LoadQuery<'static, C, i64>,
    Count<historical_bench_guarded_fish::table>: LoadQuery<'static, C, i64>,
    Count<historical_bench_recorded_fish::table>: LoadQuery<'static, C, i64>,
    Update<Find<bench_fish::table, i64>, PlainChanges>: ExecuteDsl<C>,
    Update<Find<bench_recorded_fish::table, i64>, RecordedChanges>: ExecuteDsl<C>,
    diesel::dsl::delete<Find<bench_recorded_fish::table, i64>>: ExecuteDsl<C>,
    SqlQuery: ExecuteDsl<C>,
{
    fn insert_batch(&mut self, rows: Vec<NewFish>) -> QueryResult<usize> {
        diesel::insert_into(bench_fish::table)
            .values(rows)
            .execute(self)
    }

    fn update_one(&mut self, id: i64, changes: FishChanges) -> QueryResult<usize> {
        diesel::update(bench_fish::table.find(id))
            .set(changes)
            .execute(self)
    }

    fn update_where(&mut self, filter: GrowFilter, changes: GrowChanges) -> QueryResult<usize> {
        diesel::update(bench_fish::table.filter(filter))
            .set(changes)
            .execute(self)
    }

    fn delete_one(&mut self, id: i64) -> QueryResult<usize> {
        diesel::delete(bench_fish::table.find(id)).execute(self)
    }

    fn population_of(&mut self, id: i64) -> QueryResult<i32> {
        bench_fish::table
            .find(id)
            .select(bench_fish::population)
            .first(self)
    }

    fn load_all(&mut self) -> QueryResult<Vec<Fish>> {
        bench_fish::table.load(self)
    }

    fn live_rows(&mut self) -> QueryResult<i64> {
        bench_fish::table.count().get_result(self)
    }

    fn history_rows(&mut self) -> QueryResult<i64> {
        historical_bench_fish::table.count().get_result(self)
    }

    fn guarded_history_rows(&mut self) -> QueryResult<(i64, i64)> {
        Ok((
            historical_bench_guarded_fish::table
                .count()
                .get_result(self)?,
            historical_bench_recorded_fish::table
                .count()
                .get_result(self)?,
        ))
    }

    fn plain_update(&mut self, id: i64, population: i32, recorded: bool) -> QueryResult<usize> {
        if recorded {
            diesel::update(bench_recorded_fish::table.find(id))
                .set((
                    bench_recorded_fish::population.eq(population),
                    bench_recorded_fish::status.eq("growing"),
                ))
                .execute(self)
        } else {
            diesel::update(bench_fish::table.find(id))
                .set((
                    bench_fish::population.eq(population),
                    bench_fish::status.eq("growing"),
                ))
                .execute(self)
        }
    }

    fn plain_delete(&mut self, id: i64, recorded: bool) -> QueryResult<usize> {
        if recorded {
            diesel::delete(bench_recorded_fish::table.find(id)).execute(self)
        } else {
            self.delete_one(id)
        }
    }

    fn execute_sql(&mut self, sql: String) -> QueryResult<usize> {
        diesel::sql_query(sql).execute(self)
    }
}

/// `INSERT ... RETURNING` every column, in the order of `Fish`'s fields: the unaudited create
/// where the backend returns rows (SQLite, PostgreSQL).
pub fn insert_returning<C>(conn: &mut C, row: NewFish) -> QueryResult<Fish>
where
    C: Connection,
    Values<diesel::dsl::insert_into<bench_fish::table>, NewFish>: LoadQuery<'static, C, Fish>,
{
    diesel::insert_into(bench_fish::table)
        .values(row)
        .get_result(conn)
}

/// `INSERT ... RETURNING id` into `bench_recorded_fish` (`recorded`) or `bench_fish`, where the
/// backend returns rows.
pub fn plain_insert_returning<C>(conn: &mut C, row: NewFish, recorded: bool) -> QueryResult<i64>
where
    C: Connection,
    Returning<Values<diesel::dsl::insert_into<bench_fish::table>, NewFish>, bench_fish::id>:
        LoadQuery<'static, C, i64>,
    Returning<
        Values<diesel::dsl::insert_into<bench_recorded_fish::table>, NewFish>,
        bench_recorded_fish::id,
    >: LoadQuery<'static, C, i64>,
{
    if recorded {
        diesel::insert_into(bench_recorded_fish::table)
            .values(row)
            .returning(bench_recorded_fish::id)
            .get_result(conn)
    } else {
        diesel::insert_into(bench_fish::table)
            .values(row)
            .returning(bench_fish::id)
            .get_result(conn)
    }
}

/// A connection the benchmark runs on.
pub trait Db: AuditConnection + BenchDb + Unaudited {}

impl<C: AuditConnection + BenchDb + Unaudited> Db for C {}

fn history_rows<C: Db>(conn: &mut C) -> BenchResult<i64> {
    Ok(conn.history_rows()?)
}

fn live_rows<C: Db>(conn: &mut C) -> BenchResult<i64> {
    Ok(conn.live_rows()?)
}

fn check(ok: bool, what: impl FnOnce() -> String) -> BenchResult<()> {
    if ok {
        Ok(())
    } else {
        Err(format!("benchmark check failed: {}", what()).into())
    }
}

/// Runs every section, checking after each run that it wrote what it should.
pub fn run<C: Db>(conn: &mut C, bench: &mut Bench, config: &Config) -> BenchResult<()> {
    conn.set_instrumentation(bench.statements.clone());
    let ctx = AuditContext::builder().user(1).reason("bench").build()?;
    if config.runs(Section::Writes) {
        writes(conn, bench, config, &ctx)?;
    }
    if config.runs(Section::BulkInsert) {
        bulk_insert(conn, bench, config, &ctx)?;
    }
    if config.runs(Section::BulkUpdate) {
        bulk_update(conn, bench, config, &ctx)?;
    }
    if config.runs(Section::AsOf) {
        as_of(conn, bench, config)?;
    }
    if config.runs(Section::Backfill) {
        backfill(conn, bench, config, &ctx)?;
    }
    if config.runs(Section::SourceGuard) {
        source_guard(conn, bench, config, &ctx)?;
    }
    Ok(())
}

fn create_all<C: Db>(
    conn: &mut C,
    ctx: &AuditContext,
    variant: Variant,
    rows: Vec<NewFish>,
) -> BenchResult<Vec<i64>> {
    let mut ids = Vec::with_capacity(rows.len());
    for row in rows {
        let fish = match variant {
            Variant::Audited => Fish::create(conn, ctx, row)?,
            Variant::Unaudited => conn.insert_returning(row)?,
        };
        ids.push(fish.id);
    }
    Ok(ids)
}

fn update_all<C: Db>(
    conn: &mut C,
    ctx: &AuditContext,
    variant: Variant,
    ids: &[i64],
) -> BenchResult<()> {
    for (i, &id) in ids.iter().enumerate() {
        let changes = fish_changes(
            2000 + (i % 500) as i32,
            if i % 2 == 0 { "growing" } else { "feeding" },
        );
        match variant {
            Variant::Audited => {
                Fish::update(conn, ctx, id, changes)?;
            }
            Variant::Unaudited => {
                let changed = conn.update_one(id, changes)?;
                check(changed == 1, || {
                    format!("update of {id} changed {changed} rows")
                })?;
            }
        }
    }
    Ok(())
}

fn delete_all<C: Db>(
    conn: &mut C,
    ctx: &AuditContext,
    variant: Variant,
    ids: &[i64],
) -> BenchResult<()> {
    for &id in ids {
        match variant {
            Variant::Audited => {
                Fish::delete(conn, ctx, id)?;
            }
            Variant::Unaudited => {
                let deleted = conn.delete_one(id)?;
                check(deleted == 1, || {
                    format!("delete of {id} deleted {deleted} rows")
                })?;
            }
        }
    }
    Ok(())
}

/// The history rows a variant's `n` writes should add.
fn expected_history(variant: Variant, n: usize) -> i64 {
    match variant {
        Variant::Audited => n as i64,
        Variant::Unaudited => 0,
    }
}

/// What a single-row write costs the write-ahead log, measured apart from the timed
/// rounds (on SQLite the measurement holds back checkpoints).
fn wal_per_write<C: Db>(
    conn: &mut C,
    bench: &mut Bench,
    ctx: &AuditContext,
    n: usize,
) -> BenchResult<()> {
    let k = n.min(200);
    conn.reset()?;
    for variant in Variant::order(0) {
        let rows: Vec<NewFish> = (0..k).map(new_fish).collect();
        let mark = conn.wal_mark()?;
        let ids = create_all(conn, ctx, variant, rows)?;
        bench.wal("create", variant, conn.wal_since(mark)? as f64 / k as f64);
        let mark = conn.wal_mark()?;
        update_all(conn, ctx, variant, &ids)?;
        bench.wal("update", variant, conn.wal_since(mark)? as f64 / k as f64);
        let mark = conn.wal_mark()?;
        delete_all(conn, ctx, variant, &ids)?;
        bench.wal("delete", variant, conn.wal_since(mark)? as f64 / k as f64);
    }
    Ok(())
}

/// N creates, then N updates, then N deletes, each its own transaction; the variants
/// alternate per phase on the same table.
fn writes<C: Db>(
    conn: &mut C,
    bench: &mut Bench,
    config: &Config,
    ctx: &AuditContext,
) -> BenchResult<()> {
    let n = config.n;
    eprintln!("single-row writes: {n} creates, updates and deletes per variant");
    wal_per_write(conn, bench, ctx, n)?;
    for round in bench.rounds() {
        conn.reset()?;
        let order = Variant::order(round);
        let mut ids: [Vec<i64>; 2] = [Vec::new(), Vec::new()];
        for variant in order {
            let mut rows = Some((0..n).map(new_fish).collect::<Vec<NewFish>>());
            let before = history_rows(conn)?;
            ids[variant as usize] = bench.time("create", Unit::Ops, n, variant, round, || {
                create_all(conn, ctx, variant, rows.take().unwrap_or_default())
            })?;
            let added = history_rows(conn)? - before;
            check(added == expected_history(variant, n), || {
                format!("{} creates wrote {added} history rows", variant.name())
            })?;
        }
        for variant in order {
            let before = history_rows(conn)?;
            bench.time("update", Unit::Ops, n, variant, round, || {
                update_all(conn, ctx, variant, &ids[variant as usize])
            })?;
            let added = history_rows(conn)? - before;
            check(added == expected_history(variant, n), || {
                format!("{} updates wrote {added} history rows", variant.name())
            })?;
        }
        for variant in order {
            bench.time("delete", Unit::Ops, n, variant, round, || {
                delete_all(conn, ctx, variant, &ids[variant as usize])
            })?;
        }
        let (live, history) = (live_rows(conn)?, history_rows(conn)?);
        check(live == 0 && history == 3 * n as i64, || {
            format!(
                "after the writes: {live} live rows, {history} history rows, expected 0 and {}",
                3 * n
            )
        })?;
    }
    Ok(())
}

/// Inserting `bulk` rows in batches, all in one transaction: against plain Diesel inserts, and
/// (`bulk_insert_vs_hand`, where the backend has such a statement) against the same history CTE
/// written by hand.
fn bulk_insert<C: Db>(
    conn: &mut C,
    bench: &mut Bench,
    config: &Config,
    ctx: &AuditContext,
) -> BenchResult<()> {
    let (rows, batch) = (config.bulk, config.batch);
    eprintln!("bulk insert: {rows} rows in batches of {batch}, one transaction");
    bulk_insert_against(conn, bench, config, ctx, "bulk_insert", || {
        let new: Vec<NewFish> = (0..rows).map(new_fish).collect();
        Some(Baseline::Plain(
            new.chunks(batch).map(<[NewFish]>::to_vec).collect(),
        ))
    })?;
    bulk_insert_against(conn, bench, config, ctx, "bulk_insert_vs_hand", || {
        (0..rows)
            .step_by(batch)
            .map(|first| C::bulk_by_hand_sql(first, batch.min(rows - first)))
            .collect::<Option<Vec<String>>>()
            .map(Baseline::ByHand)
    })
}

/// What a bulk insert is timed against, cut before the timing.
enum Baseline {
    /// Plain Diesel inserts of these batches: no history.
    Plain(Vec<Vec<NewFish>>),
    /// These statements written by hand: each batch and its history rows.
    ByHand(Vec<String>),
}

/// Times `op`: the library's bulk insert against the baseline `prepare` cuts each round (none:
/// the backend has no such baseline, and `op` is not run).
fn bulk_insert_against<C: Db>(
    conn: &mut C,
    bench: &mut Bench,
    config: &Config,
    ctx: &AuditContext,
    op: &'static str,
    prepare: impl Fn() -> Option<Baseline>,
) -> BenchResult<()> {
    let (rows, batch) = (config.bulk, config.batch);
    for round in bench.rounds() {
        for variant in Variant::order(round) {
            conn.reset()?;
            let Some(baseline) = prepare() else {
                return Ok(());
            };
            let with_history = matches!(baseline, Baseline::ByHand(_));
            let new: Vec<NewFish> = (0..rows).map(new_fish).collect();
            let mut baseline = Some(baseline);
            let returned = bench.time(op, Unit::Rows, rows, variant, round, || match variant {
                Variant::Audited => Ok(Fish::create_many_in_batches(conn, ctx, &new, batch)?.len()),
                Variant::Unaudited => conn
                    .transaction(|conn| match baseline.take() {
                        Some(Baseline::Plain(chunks)) => {
                            for chunk in chunks {
                                conn.insert_batch(chunk)?;
                            }
                            Ok::<_, diesel::result::Error>(rows)
                        }
                        Some(Baseline::ByHand(statements)) => {
                            let mut written = 0;
                            for statement in statements {
                                written += conn.execute_sql(statement)?;
                            }
                            Ok(written)
                        }
                        None => Ok(0),
                    })
                    .map_err(Into::into),
            })?;
            let expected = if with_history {
                rows as i64
            } else {
                expected_history(variant, rows)
            };
            let (live, history) = (live_rows(conn)?, history_rows(conn)?);
            check(
                returned == rows && live == rows as i64 && history == expected,
                || {
                    format!(
                        "{op} ({}) wrote {returned} rows, left {live} rows and {history} history rows",
                        crate::measure::labels(op)[variant as usize]
                    )
                },
            )?;
        }
    }
    Ok(())
}

/// `UPDATE ... WHERE status = 'active'` over `bulk` rows.
fn bulk_update<C: Db>(
    conn: &mut C,
    bench: &mut Bench,
    config: &Config,
    ctx: &AuditContext,
) -> BenchResult<()> {
    let rows = config.bulk;
    eprintln!("filtered update: {rows} rows in one call");
    for round in bench.rounds() {
        for variant in Variant::order(round) {
            conn.reset()?;
            conn.seed_rows(rows)?;
            let (filter, changes) = grow_active();
            let changed = bench.time("bulk_update", Unit::Rows, rows, variant, round, || {
                Ok(match variant {
                    Variant::Audited => Fish::update_where(conn, ctx, filter, changes)?.len(),
                    Variant::Unaudited => conn.update_where(filter, changes)?,
                })
            })?;
            let history = history_rows(conn)?;
            check(
                changed == rows && history == expected_history(variant, rows),
                || {
                    format!("{} filtered update changed {changed} rows and wrote {history} history rows", variant.name())
                },
            )?;
        }
    }
    Ok(())
}

/// `as_of` of one object (against reading its live row by key) and of the whole table
/// (against loading the live table), over `history` history rows.
fn as_of<C: Db>(conn: &mut C, bench: &mut Bench, config: &Config) -> BenchResult<()> {
    let versions = crate::VERSIONS;
    let objects = (config.history / versions).max(1);
    eprintln!(
        "as_of: seeding {} history rows ({objects} objects x {versions} versions)",
        objects * versions
    );
    conn.reset()?;
    conn.seed_history(objects, versions)?;
    conn.analyze()?;
    let history = history_rows(conn)?;
    check(history == (objects * versions) as i64, || {
        format!("seeded {history} history rows")
    })?;
    // Half past hour 5: versions 0 to 5 of every object are at or before it.
    let at = Utc.with_ymd_and_hms(2026, 1, 1, 5, 30, 0).unwrap();
    let expected_population = 1005;
    let keys = crate::keys(config.n, objects);
    for round in bench.rounds() {
        for variant in Variant::order(round) {
            let total: i64 = bench.time(
                "as_of_object",
                Unit::Ops,
                keys.len(),
                variant,
                round,
                || {
                    let mut total = 0i64;
                    for &id in &keys {
                        total += match variant {
                            Variant::Audited => Fish::history(&id)
                                .as_of(conn, at)?
                                .map_or(0, |r| r.population as i64),
                            Variant::Unaudited => conn.population_of(id)? as i64,
                        };
                    }
                    Ok(total)
                },
            )?;
            if variant == Variant::Audited {
                let expected = expected_population * keys.len() as i64;
                check(total == expected, || {
                    format!("as_of populations sum to {total}, expected {expected}")
                })?;
            }
        }
        for variant in Variant::order(round) {
            // Each variant's rows, as `(population)`s, checked after the timing.
            let populations: Vec<i32> =
                bench.time("as_of_table", Unit::Ops, 1, variant, round, || {
                    Ok(match variant {
                        Variant::Audited => Fish::as_of(at)
                            .load(conn)?
                            .into_iter()
                            .map(|r| r.population)
                            .collect(),
                        Variant::Unaudited => {
                            conn.load_all()?.into_iter().map(|f| f.population).collect()
                        }
                    })
                })?;
            let loaded = populations.len();
            if variant == Variant::Audited {
                check(
                    populations.iter().all(|p| *p == expected_population as i32),
                    || "as_of of the table returned a wrong version".to_owned(),
                )?;
            }
            check(loaded == objects, || {
                format!(
                    "{} read of the table returned {loaded} rows",
                    variant.name()
                )
            })?;
        }
    }
    Ok(())
}

/// `populate_history` of `history` rows against the one `INSERT ... SELECT` a DBA would
/// write.
fn backfill<C: Db>(
    conn: &mut C,
    bench: &mut Bench,
    config: &Config,
    ctx: &AuditContext,
) -> BenchResult<()> {
    let rows = config.history;
    eprintln!("backfill: seeding {rows} rows");
    conn.reset()?;
    conn.seed_rows(rows)?;
    conn.analyze()?;
    let ctx = ctx.with_reason("backfill")?;
    let date = Utc::now().format("%Y-%m-%d %H:%M:%S%.6f").to_string();
    // Online: each batch commits on its own; offline: one transaction that builds the
    // history indexes once at the end. Both against the same hand-written statement.
    for (op, defer_indexes) in [("backfill", false), ("backfill_offline", true)] {
        let options = Backfill {
            defer_indexes,
            ..Backfill::default()
        };
        for round in bench.rounds() {
            for variant in Variant::order(round) {
                conn.reset_history()?;
                let written = bench.time(op, Unit::Rows, rows, variant, round, || {
                    Ok(match variant {
                        Variant::Audited => {
                            populate_history::<Fish, _>(conn, &ctx, &options, |_| {})?.written
                                as usize
                        }
                        Variant::Unaudited => conn.execute_sql(C::backfill_by_hand_sql(&date))?,
                    })
                })?;
                let history = history_rows(conn)?;
                check(written == rows && history == rows as i64, || {
                    format!(
                        "{} {op} wrote {written} ({history}) rows of {rows}",
                        variant.name()
                    )
                })?;
            }
        }
    }
    Ok(())
}

/// What the source guard (`#[historical(guard = ...)]`) costs, guard on against guard off, the
/// variants alternating per phase as in [`writes`]:
///
/// - `guarded_*`: the library's single-row writes to `bench_guarded_fish` (`guard = refuse`)
///   against the same writes to `bench_fish` (no guard). Both write history.
/// - `recorded_*`: plain Diesel writes to `bench_recorded_fish` (`guard = record`, whose
///   triggers write the history rows) against the same writes to `bench_fish`, which write none.
///
/// Neither table is emptied between rounds, so both histories grow alike.
fn source_guard<C: Db>(
    conn: &mut C,
    bench: &mut Bench,
    config: &Config,
    ctx: &AuditContext,
) -> BenchResult<()> {
    let n = config.n;
    eprintln!("source guard: {n} creates, updates and deletes per variant, guard on and off");
    conn.reset()?;
    // The guarded table refuses a plain write (else this would compare two unguarded tables).
    // (MySQL's DATETIME takes no zone.)
    let date = if C::DIALECT == audit_diesel::schema::Dialect::Mysql {
        "2026-01-01 00:00:00"
    } else {
        "2026-01-01 00:00:00+00:00"
    };
    let plain = conn.execute_sql(format!(
        "INSERT INTO bench_guarded_fish (name, species, population, avg_weight_g, status, \
         created_at, updated_at) VALUES ('plain', 'Atlantic salmon', 1, 1.0, 'active', \
         '{date}', '{date}')"
    ));
    check(
        plain.as_ref().is_err_and(|e| {
            let e = e.to_string();
            e.contains("bench_guarded_fish is audited") || e.contains("audit_guard_open")
        }),
        || format!("a plain insert into bench_guarded_fish was not refused: {plain:?}"),
    )?;
    let guard_on = Variant::Audited;
    let status = |i: usize| {
        if i.is_multiple_of(2) {
            "growing"
        } else {
            "feeding"
        }
    };
    for round in bench.rounds() {
        let order = Variant::order(round);
        let mut ids: [Vec<i64>; 2] = [Vec::new(), Vec::new()];
        for variant in order {
            let mut rows = Some((0..n).map(new_fish).collect::<Vec<NewFish>>());
            ids[variant as usize] =
                bench.time("guarded_create", Unit::Ops, n, variant, round, || {
                    let mut ids = Vec::with_capacity(n);
                    for row in rows.take().unwrap_or_default() {
                        ids.push(if variant == guard_on {
                            GuardedFish::create(conn, ctx, row)?.id
                        } else {
                            Fish::create(conn, ctx, row)?.id
                        });
                    }
                    Ok(ids)
                })?;
        }
        for variant in order {
            let ids = &ids[variant as usize];
            bench.time("guarded_update", Unit::Ops, n, variant, round, || {
                for (i, &id) in ids.iter().enumerate() {
                    let population = 2000 + (i % 500) as i32;
                    if variant == guard_on {
                        GuardedFish::update(conn, ctx, id, guarded_changes(population, status(i)))?;
                    } else {
                        Fish::update(conn, ctx, id, fish_changes(population, status(i)))?;
                    }
                }
                Ok(())
            })?;
        }
        for variant in order {
            let ids = &ids[variant as usize];
            bench.time("guarded_delete", Unit::Ops, n, variant, round, || {
                for &id in ids {
                    if variant == guard_on {
                        GuardedFish::delete(conn, ctx, id)?;
                    } else {
                        Fish::delete(conn, ctx, id)?;
                    }
                }
                Ok(())
            })?;
        }
        // The same plain Diesel writes to both tables, the inserts and deletes prepared once (Diesel prepares every update anew).
        let recorded = |variant| variant == guard_on;
        for variant in order {
            let mut rows = Some((0..n).map(new_fish).collect::<Vec<NewFish>>());
            ids[variant as usize] =
                bench.time("recorded_create", Unit::Ops, n, variant, round, || {
                    let mut ids = Vec::with_capacity(n);
                    for row in rows.take().unwrap_or_default() {
                        ids.push(conn.plain_insert(row, recorded(variant))?);
                    }
                    Ok(ids)
                })?;
        }
        for (op, delete) in [("recorded_update", false), ("recorded_delete", true)] {
            for variant in order {
                let ids = &ids[variant as usize];
                let written = bench.time(op, Unit::Ops, n, variant, round, || {
                    let mut written = 0;
                    for (i, &id) in ids.iter().enumerate() {
                        written += if delete {
                            conn.plain_delete(id, recorded(variant))?
                        } else {
                            let population = 2000 + (i % 500) as i32;
                            conn.plain_update(id, population, recorded(variant))?
                        };
                    }
                    Ok(written)
                })?;
                check(written == n, || {
                    format!("{op} ({}) wrote {written} rows of {n}", variant.name())
                })?;
            }
        }
        let expected = 3 * n as i64 * (round as i64 + 1);
        let fish = history_rows(conn)?;
        let (guarded, recorded) = conn.guarded_history_rows()?;
        check(
            fish == expected && guarded == expected && recorded == expected,
            || {
                format!(
                    "after the source guard's round {round}: {fish} history rows of bench_fish, \
                     {guarded} of the guarded table, {recorded} recorded by the guard; expected {expected} each"
                )
            },
        )?;
    }
    Ok(())
}
