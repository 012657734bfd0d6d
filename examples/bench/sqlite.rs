//! The benchmark on SQLite: the SQL that sets up its data, and its WAL meter.

use diesel::prelude::*;

/// Session settings: write-ahead log; commits reach the disk at checkpoints only
/// (`synchronous = NORMAL`, SQLite's counterpart of `synchronous_commit = off`) unless they must
/// be durable (`FULL`).
pub fn session_sql(durable: bool) -> &'static str {
    if durable {
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL"
    } else {
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL"
    }
}

/// Empties both tables and restarts their keys.
pub const RESET_SQL: &str = "DELETE FROM bench_fish; DELETE FROM historical_bench_fish; \
                             DELETE FROM sqlite_sequence";

/// Empties the history table only.
pub const RESET_HISTORY_SQL: &str =
    "DELETE FROM historical_bench_fish; DELETE FROM sqlite_sequence";

/// Refreshes the planner's statistics after seeding.
pub const ANALYZE_SQL: &str = "ANALYZE";

/// `WITH RECURSIVE` counting `name` from `from` to `to`: SQLite's `generate_series`.
fn series(name: &str, from: usize, to: usize) -> String {
    format!("{name}(n) AS (SELECT {from} UNION ALL SELECT n + 1 FROM {name} WHERE n < {to})")
}

/// Inserts `rows` rows with keys `1..=rows`, all `active`, without history.
pub fn seed_rows_sql(rows: usize) -> String {
    format!(
        "INSERT INTO bench_fish (id, name, species, population, avg_weight_g, status, notes, created_at, updated_at) \
         WITH RECURSIVE {} \
         SELECT g.n, 'fish-' || g.n, 'Atlantic salmon', 1000 + g.n % 500, 250.0 + g.n % 100, 'active', NULL, \
                '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00' \
         FROM g",
        series("g", 1, rows)
    )
}

/// Writes `versions` history rows for each of `objects` objects, in time order: version `v`
/// of every object is dated `v` hours after 2026-01-01 plus `object % 1000` milliseconds and has
/// population `1000 + v`; then the live rows, in their last version.
pub fn seed_history_sql(objects: usize, versions: usize) -> String {
    let last = versions - 1;
    let hour = "strftime('%Y-%m-%d %H:%M:%S', '2026-01-01 00:00:00', '+' || v.n || ' hours')";
    format!(
        "INSERT INTO historical_bench_fish (id, name, species, population, avg_weight_g, status, notes, \
                created_at, updated_at, history_date, history_type, history_user_id, history_change_reason) \
         WITH RECURSIVE {versions_cte}, {objects_cte} \
         SELECT o.n, 'fish-' || o.n, 'Atlantic salmon', 1000 + v.n, 250.0 + v.n, \
                CASE WHEN v.n % 2 = 0 THEN 'active' ELSE 'growing' END, NULL, \
                '2026-01-01 00:00:00+00:00', {hour} || '+00:00', \
                {hour} || printf('.%06d', (o.n % 1000) * 1000), \
                CASE WHEN v.n = 0 THEN '+' ELSE '~' END, 1 + o.n % 20, 'seeded' \
         FROM v CROSS JOIN o ORDER BY v.n, o.n; \
         INSERT INTO bench_fish (id, name, species, population, avg_weight_g, status, notes, created_at, updated_at) \
         WITH RECURSIVE {objects_cte} \
         SELECT o.n, 'fish-' || o.n, 'Atlantic salmon', 1000 + {last}, 250.0 + {last}, \
                CASE WHEN {last} % 2 = 0 THEN 'active' ELSE 'growing' END, NULL, \
                '2026-01-01 00:00:00+00:00', \
                strftime('%Y-%m-%d %H:%M:%S', '2026-01-01 00:00:00', '+{last} hours') || '+00:00' \
         FROM o",
        versions_cte = series("v", 0, last),
        objects_cte = series("o", 1, objects),
    )
}

/// The backfill a DBA would write by hand: one `INSERT ... SELECT` of every row.
pub fn backfill_by_hand_sql(date: &str) -> String {
    format!(
        "INSERT INTO historical_bench_fish (id, name, species, population, avg_weight_g, status, notes, \
                created_at, updated_at, history_date, history_type, history_user_id, history_change_reason) \
         SELECT id, name, species, population, avg_weight_g, status, notes, created_at, updated_at, \
                '{date}', '+', NULL, 'backfill' \
         FROM bench_fish"
    )
}

impl crate::suite::BenchDb for SqliteConnection {
    const DIALECT: audit_diesel::schema::Dialect = audit_diesel::schema::Dialect::Sqlite;
    const RESET_SQL: &'static str = RESET_SQL;
    const RESET_HISTORY_SQL: &'static str = RESET_HISTORY_SQL;
    const ANALYZE_SQL: &'static str = ANALYZE_SQL;

    fn seed_rows_sql(rows: usize) -> String {
        seed_rows_sql(rows)
    }

    fn seed_history_sql(objects: usize, versions: usize) -> String {
        seed_history_sql(objects, versions)
    }

    fn backfill_by_hand_sql(date: &str) -> String {
        backfill_by_hand_sql(date)
    }

    fn insert_returning(&mut self, row: crate::model::NewFish) -> QueryResult<crate::model::Fish> {
        crate::suite::insert_returning(self, row)
    }

    fn plain_insert(&mut self, row: crate::model::NewFish, recorded: bool) -> QueryResult<i64> {
        crate::suite::plain_insert_returning(self, row, recorded)
    }

    fn wal_mark(&mut self) -> QueryResult<u64> {
        wal_mark(self)
    }

    fn wal_since(&mut self, mark: u64) -> QueryResult<u64> {
        wal_since(self, mark)
    }
}

#[derive(QueryableByName)]
struct Checkpoint {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    log: i32,
}

/// Empties the write-ahead log and stops automatic checkpoints, so that the frames in the log
/// are what the work that follows wrote; [`wal_since`] reads them and restores checkpoints.
pub fn wal_mark(conn: &mut SqliteConnection) -> QueryResult<u64> {
    use diesel::connection::SimpleConnection;
    conn.batch_execute("PRAGMA wal_autocheckpoint = 0; PRAGMA wal_checkpoint(TRUNCATE)")?;
    Ok(0)
}

/// The WAL bytes (frames of a page and a 24-byte header) written since [`wal_mark`].
pub fn wal_since(conn: &mut SqliteConnection, _mark: u64) -> QueryResult<u64> {
    use diesel::connection::SimpleConnection;
    let frames = diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)")
        .get_result::<Checkpoint>(conn)?
        .log;
    let page_size: i32 = diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>(
        "(SELECT page_size FROM pragma_page_size())",
    ))
    .get_result(conn)?;
    conn.batch_execute("PRAGMA wal_autocheckpoint = 1000")?;
    Ok(frames.max(0) as u64 * (page_size as u64 + 24))
}
