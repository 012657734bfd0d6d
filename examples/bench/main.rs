//! The benchmark: audited against unaudited writes and history reads, measured in one run on
//! one database.
//!
//! ```sh
//! cargo run --release --example bench -- --backend sqlite
//! cargo run --release --example bench --features postgres -- --backend postgres
//! cargo run --release --example bench --features mysql -- --backend mysql
//! ```
//!
//! Each operation runs a warm-up round and then `--reps` timed rounds (3), the audited and the
//! unaudited variant alternating which goes first; the table shows the median round of each.
//! Every run is checked (history rows written, rows changed) so that a fast wrong answer cannot
//! pass for a result. BENCHMARKS.md has the latest numbers and what they mean.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

mod measure;
mod model;
#[cfg(feature = "mysql")]
mod mysql;
#[cfg(feature = "postgres")]
mod postgres;
mod sqlite;
mod suite;

use measure::{print_table, Bench, BenchResult, Measured};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("examples/bench/migrations/sqlite");
#[cfg(feature = "postgres")]
const POSTGRES_MIGRATIONS: EmbeddedMigrations =
    embed_migrations!("examples/bench/migrations/postgres");
#[cfg(feature = "mysql")]
const MYSQL_MIGRATIONS: EmbeddedMigrations = embed_migrations!("examples/bench/migrations/mysql");

/// History rows per object in the `as_of` data set.
pub const VERSIONS: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Backend {
    Sqlite,
    Postgres,
    Mysql,
}

/// Audited against unaudited writes and history reads, on one database, in one run.
#[derive(Debug, Parser)]
#[command(name = "bench")]
struct Args {
    /// The database to measure.
    #[arg(long, value_enum)]
    backend: Backend,
    /// PostgreSQL: the server (a fresh schema is created and dropped); MySQL: the server (a
    /// fresh database is created and dropped); SQLite: the file, created afresh (default
    /// target/bench.sqlite3).
    #[arg(long)]
    database_url: Option<String>,
    /// Single-row creates, updates and deletes per variant and round; also the number of
    /// one-object `as_of` lookups.
    #[arg(long, default_value_t = 2000)]
    n: usize,
    /// Rows of the bulk insert and of the filtered update.
    #[arg(long, default_value_t = 10_000)]
    bulk: usize,
    /// Rows per statement of the bulk insert.
    #[arg(long, default_value_t = audit_diesel::DEFAULT_BATCH_SIZE)]
    batch: usize,
    /// History rows of the `as_of` data set (in objects of 10 versions), and rows backfilled.
    #[arg(long, default_value_t = 1_000_000)]
    history: usize,
    /// Timed rounds after the warm-up; the median is reported.
    #[arg(long, default_value_t = 3)]
    reps: usize,
    /// Durable commits: PostgreSQL `synchronous_commit = on`, SQLite `synchronous = FULL`.
    #[arg(long)]
    durable: bool,
    /// Run only these sections (repeatable): writes, bulk-insert, bulk-update, as-of, backfill,
    /// source-guard.
    #[arg(long, value_enum)]
    only: Vec<Section>,
    /// Also write the results as a JSON list of records to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Drop the history table's append-only guard (its triggers) before measuring, to compare
    /// with a run that keeps it.
    #[arg(long)]
    without_guard: bool,
    /// Drop the history table's hash-chain trigger before measuring (history rows keep their
    /// unfilled marker), to measure what the chain costs per write.
    #[arg(long)]
    without_chain: bool,
}

/// A part of the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Section {
    /// Single-row creates, updates and deletes.
    Writes,
    /// The bulk insert.
    BulkInsert,
    /// The filtered update.
    BulkUpdate,
    /// `as_of` of one object and of the table.
    AsOf,
    /// `populate_history`.
    Backfill,
    /// The source guard (`#[historical(guard = ...)]`), on against off.
    SourceGuard,
}

/// What the suites need from the arguments.
pub struct Config {
    /// The sections to run (all when empty).
    pub only: Vec<Section>,
    /// Single-row writes per variant and round.
    pub n: usize,
    /// Rows of the bulk operations.
    pub bulk: usize,
    /// Rows per statement of the bulk insert.
    pub batch: usize,
    /// History rows of the `as_of` data set; rows backfilled.
    pub history: usize,
    /// Timed rounds after the warm-up.
    pub reps: usize,
}

impl Config {
    /// Whether `section` runs.
    pub fn runs(&self, section: Section) -> bool {
        self.only.is_empty() || self.only.contains(&section)
    }
}

/// `count` keys spread over `1..=objects` in a fixed pseudo-random order (the same every run).
pub fn keys(count: usize, objects: usize) -> Vec<i64> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..count)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % objects as u64) as i64 + 1
        })
        .collect()
}

fn main() -> ExitCode {
    let args = Args::parse();
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build measures nothing useful; run with --release");
    }
    // The source guard's section compares with bench_fish, which those flags change alone.
    let mut only = args.only.clone();
    if args.without_guard || args.without_chain {
        if only.contains(&Section::SourceGuard) {
            eprintln!("bench: --only source-guard compares with bench_fish as the migrations made it: drop --without-guard and --without-chain");
            return ExitCode::FAILURE;
        }
        if only.is_empty() {
            only = vec![
                Section::Writes,
                Section::BulkInsert,
                Section::BulkUpdate,
                Section::AsOf,
                Section::Backfill,
            ];
        }
    }
    let config = Config {
        only,
        n: args.n.max(1),
        bulk: args.bulk.max(1),
        batch: args.batch.max(1),
        history: args.history.max(VERSIONS),
        reps: args.reps.max(1),
    };
    let result = match args.backend {
        Backend::Sqlite => run_sqlite(&args, &config),
        Backend::Postgres => run_postgres(&args, &config),
        Backend::Mysql => run_mysql(&args, &config),
    };
    match result.and_then(|bench| report(&args, &bench)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn header(config: &Config, server: &str, settings: &str) {
    println!("backend   {server}");
    println!("settings  {settings}");
    println!(
        "sizes     n={} single-row writes per variant, bulk={} rows (batches of {}), history={} rows ({} objects x {VERSIONS} versions)",
        config.n,
        config.bulk,
        config.batch,
        config.history / VERSIONS * VERSIONS,
        config.history / VERSIONS
    );
    println!(
        "method    warm-up, then the median of {} rounds; audited and unaudited alternate",
        config.reps
    );
}

/// Drops the append-only guard with `--without-guard` and the chain's trigger with
/// `--without-chain`, and says which it is.
fn guard(
    conn: &mut impl diesel::connection::SimpleConnection,
    args: &Args,
    dialect: audit_diesel::schema::Dialect,
) -> BenchResult<()> {
    use audit_diesel::Historical;
    if args.without_guard {
        suite::GUARD_DROPPED.store(true, std::sync::atomic::Ordering::Relaxed);
        for statement in model::Fish::HISTORY.drop_append_only_sql(dialect) {
            conn.batch_execute(&statement)?;
        }
    }
    let state = if args.without_guard {
        "dropped (--without-guard)"
    } else {
        "on"
    };
    println!("guard     append-only triggers on the history table: {state}");
    if args.without_chain && dialect == audit_diesel::schema::Dialect::Mysql {
        // The library calls the chain procedure after each history insert: without it the
        // writes fail, so MySQL has no run without the chain.
        return Err(
            "--without-chain: MySQL's chain is a procedure the library calls after each \
                    history insert, which cannot be dropped under it"
                .into(),
        );
    }
    if args.without_chain {
        for statement in model::Fish::HISTORY.drop_chain_trigger_sql(dialect) {
            conn.batch_execute(&statement)?;
        }
    }
    let chain = match (model::Fish::HISTORY.chained(), args.without_chain) {
        (false, _) => "none (the model has no chain)",
        (true, true) => "trigger dropped (--without-chain)",
        (true, false) => "on",
    };
    println!("chain     hash chain per object: {chain}");
    Ok(())
}

fn run_sqlite(args: &Args, config: &Config) -> BenchResult<Bench> {
    let path = args
        .database_url
        .clone()
        .unwrap_or_else(|| "target/bench.sqlite3".to_owned());
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{path}{suffix}"));
    }
    let mut conn = SqliteConnection::establish(&path)?;
    conn.batch_execute(sqlite::session_sql(args.durable))?;
    conn.run_pending_migrations(SQLITE_MIGRATIONS)?;
    guard(&mut conn, args, audit_diesel::schema::Dialect::Sqlite)?;
    let version: String = diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>(
        "sqlite_version()",
    ))
    .get_result(&mut conn)?;
    header(
        config,
        &format!("sqlite, SQLite {version} (bundled), file {path}"),
        sqlite::session_sql(args.durable),
    );
    let mut bench = Bench::new("sqlite", config.reps);
    suite::run(&mut conn, &mut bench, config)?;
    Ok(bench)
}

#[cfg(not(feature = "postgres"))]
fn run_postgres(_: &Args, _: &Config) -> BenchResult<Bench> {
    Err("this build has no PostgreSQL support: run with `--features postgres`".into())
}

#[cfg(feature = "postgres")]
fn run_postgres(args: &Args, config: &Config) -> BenchResult<Bench> {
    let url = args
        .database_url
        .clone()
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let mut conn = PgConnection::establish(&url)
        .map_err(|e| format!("cannot reach PostgreSQL at {url}: {e}"))?;
    let schema = format!("audit_bench_{}", std::process::id());
    conn.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}; SET search_path TO {schema}"
    ))?;
    // Drops the schema however the run ends.
    struct DropSchema<'a>(&'a str, &'a str);
    impl Drop for DropSchema<'_> {
        fn drop(&mut self) {
            if let Ok(mut conn) = PgConnection::establish(self.0) {
                let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.1));
            }
        }
    }
    let _cleanup = DropSchema(&url, &schema);
    conn.batch_execute(postgres::session_sql(args.durable))?;
    conn.run_pending_migrations(POSTGRES_MIGRATIONS)?;
    guard(&mut conn, args, audit_diesel::schema::Dialect::Postgres)?;
    let version: String = diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>(
        "current_setting('server_version')",
    ))
    .get_result(&mut conn)?;
    header(
        config,
        &format!("postgres, PostgreSQL {version} at {url}, schema {schema}"),
        postgres::session_sql(args.durable),
    );
    let mut bench = Bench::new("postgres", config.reps);
    suite::run(&mut conn, &mut bench, config)?;
    Ok(bench)
}

#[cfg(not(feature = "mysql"))]
fn run_mysql(_: &Args, _: &Config) -> BenchResult<Bench> {
    Err("this build has no MySQL support: run with `--features mysql`".into())
}

#[cfg(feature = "mysql")]
fn run_mysql(args: &Args, config: &Config) -> BenchResult<Bench> {
    let url = args
        .database_url
        .clone()
        .unwrap_or_else(|| "mysql://root@127.0.0.1:3306/test".to_owned());
    let mut admin = MysqlConnection::establish(&url)
        .map_err(|e| format!("cannot reach MySQL at {url}: {e}"))?;
    let database = format!("audit_bench_{}", std::process::id());
    admin.batch_execute(&format!(
        "DROP DATABASE IF EXISTS {database}; CREATE DATABASE {database}"
    ))?;
    // Drops the database however the run ends.
    struct DropDatabase<'a>(&'a str, &'a str);
    impl Drop for DropDatabase<'_> {
        fn drop(&mut self) {
            if let Ok(mut conn) = MysqlConnection::establish(self.0) {
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {}", self.1));
            }
        }
    }
    let _cleanup = DropDatabase(&url, &database);
    let server = url
        .rsplit_once('/')
        .map_or(url.as_str(), |(server, _)| server);
    let mut conn = MysqlConnection::establish(&format!("{server}/{database}"))?;
    if args.durable {
        eprintln!("bench: --durable changes nothing on MySQL: commits are as durable as the server's innodb_flush_log_at_trx_commit");
    }
    conn.run_pending_migrations(MYSQL_MIGRATIONS)?;
    guard(&mut conn, args, audit_diesel::schema::Dialect::Mysql)?;
    let version: String = diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>("VERSION()"))
        .get_result(&mut conn)?;
    let settings: String = diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>(
        "CONCAT('innodb_flush_log_at_trx_commit = ', @@innodb_flush_log_at_trx_commit, \
         ' (the server''s: MySQL has no session setting)')",
    ))
    .get_result(&mut conn)?;
    header(
        config,
        &format!("mysql, {version} at {url}, database {database}"),
        &settings,
    );
    let mut bench = Bench::new("mysql", config.reps);
    suite::run(&mut conn, &mut bench, config)?;
    Ok(bench)
}

fn report(args: &Args, bench: &Bench) -> BenchResult<()> {
    let results = bench.results();
    // One table per pair of variants, in the order the operations ran.
    let mut groups: Vec<([&str; 2], Vec<Measured>)> = Vec::new();
    for m in &results {
        let labels = measure::labels(m.op);
        match groups.iter_mut().find(|(l, _)| *l == labels) {
            Some((_, group)) => group.push(*m),
            None => groups.push((labels, vec![*m])),
        }
    }
    for (labels, group) in &groups {
        println!();
        match labels[0] {
            "guard on" => println!(
                "source guard, on / off: guarded_* are the library's writes to a table with \
                 guard = refuse / to bench_fish;\nrecorded_* are plain Diesel writes to a table \
                 with guard = record (its triggers write history) / to bench_fish (no history)\n"
            ),
            "library" => println!(
                "the library's bulk insert / the same history CTE written by hand (sql_query, \
                 values inline, no rows returned), batches of the same size\n"
            ),
            _ => {}
        }
        print_table(group, *labels);
    }
    println!();
    for (target, met) in targets(bench.backend, &results) {
        println!("{} {target}", if met { "met   " } else { "MISSED" });
    }
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&bench.records())?)?;
        println!("\nwrote {}", path.display());
    }
    Ok(())
}

/// The targets of the issue, checked against this run.
fn targets(backend: &str, results: &[Measured]) -> Vec<(String, bool)> {
    let find = |op: &str| results.iter().find(|m| m.op == op);
    let mut out = Vec::new();
    let writes = if backend == "postgres" { 0.90 } else { 0.60 };
    for op in ["create", "update", "delete"] {
        if let Some(m) = find(op) {
            out.push((
                format!("{op}: audited/unaudited {:.2}x >= {writes:.2}x", m.ratio()),
                m.ratio() >= writes,
            ));
        }
    }
    if let Some(m) = find("bulk_insert") {
        out.push((
            format!("bulk_insert: audited/unaudited {:.2}x >= 0.70x", m.ratio()),
            m.ratio() >= 0.70,
        ));
    }
    if let Some(m) = find("bulk_insert_vs_hand") {
        out.push((
            format!(
                "bulk_insert: library/the same CTE by hand {:.2}x >= 0.95x",
                m.ratio()
            ),
            m.ratio() >= 0.95,
        ));
    }
    if let Some(m) = find("as_of_object") {
        out.push((
            format!("as_of_object: {:.0} µs < 1000 µs", m.audited.mean_us),
            m.audited.mean_us < 1000.0,
        ));
    }
    for op in ["backfill", "backfill_offline"] {
        if let (Some(m), "postgres") = (find(op), backend) {
            out.push((
                format!("{op}: {:.0} rows/s >= 200000 rows/s", m.audited.per_second),
                m.audited.per_second >= 200_000.0,
            ));
        }
    }
    out
}
