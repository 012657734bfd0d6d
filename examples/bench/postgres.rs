//! The benchmark on PostgreSQL: the SQL that sets up its data, and its WAL meter.

use diesel::prelude::*;

/// Session settings: `synchronous_commit = off` unless commits must be durable, so that the
/// library's cost is not hidden behind the disk's.
pub fn session_sql(durable: bool) -> &'static str {
    if durable {
        "SET synchronous_commit = on"
    } else {
        "SET synchronous_commit = off"
    }
}

/// Empties both tables and restarts their keys.
pub const RESET_SQL: &str = "TRUNCATE bench_fish, historical_bench_fish RESTART IDENTITY";

/// Empties the history table only.
pub const RESET_HISTORY_SQL: &str = "TRUNCATE historical_bench_fish RESTART IDENTITY";

/// Refreshes the planner's statistics after seeding.
pub const ANALYZE_SQL: &str = "ANALYZE bench_fish; ANALYZE historical_bench_fish";

/// Inserts `rows` rows with keys `1..=rows`, all `active`, without history.
pub fn seed_rows_sql(rows: usize) -> String {
    format!(
        "INSERT INTO bench_fish (id, name, species, population, avg_weight_g, status, notes, created_at, updated_at) \
         SELECT g, 'fish-' || g, 'Atlantic salmon', 1000 + g % 500, 250.0 + g % 100, 'active', NULL, \
                timestamptz '2026-01-01 00:00:00+00', timestamptz '2026-01-01 00:00:00+00' \
         FROM generate_series(1, {rows}) g; \
         SELECT setval('bench_fish_id_seq', {rows})"
    )
}

/// Writes `versions` history rows for each of `objects` objects, in time order: version `v`
/// of every object is dated `v` hours after 2026-01-01 plus `object % 1000` milliseconds and has
/// population `1000 + v`; then the live rows, in their last version.
pub fn seed_history_sql(objects: usize, versions: usize) -> String {
    let last = versions - 1;
    format!(
        "INSERT INTO historical_bench_fish (id, name, species, population, avg_weight_g, status, notes, \
                created_at, updated_at, history_date, history_type, history_user_id, history_change_reason) \
         SELECT o, 'fish-' || o, 'Atlantic salmon', 1000 + v, 250.0 + v, \
                CASE WHEN v % 2 = 0 THEN 'active' ELSE 'growing' END, NULL, \
                timestamptz '2026-01-01 00:00:00+00', timestamptz '2026-01-01 00:00:00+00' + v * interval '1 hour', \
                timestamptz '2026-01-01 00:00:00+00' + v * interval '1 hour' + (o % 1000) * interval '1 millisecond', \
                CASE WHEN v = 0 THEN '+' ELSE '~' END, 1 + o % 20, 'seeded' \
         FROM generate_series(0, {last}) v CROSS JOIN generate_series(1, {objects}) o \
         ORDER BY v, o; \
         INSERT INTO bench_fish (id, name, species, population, avg_weight_g, status, notes, created_at, updated_at) \
         SELECT o, 'fish-' || o, 'Atlantic salmon', 1000 + {last}, 250.0 + {last}, \
                CASE WHEN {last} % 2 = 0 THEN 'active' ELSE 'growing' END, NULL, \
                timestamptz '2026-01-01 00:00:00+00', timestamptz '2026-01-01 00:00:00+00' + {last} * interval '1 hour' \
         FROM generate_series(1, {objects}) o; \
         SELECT setval('bench_fish_id_seq', {objects})"
    )
}

/// The backfill a DBA would write by hand: one `INSERT ... SELECT` of every row.
pub fn backfill_by_hand_sql(date: &str) -> String {
    format!(
        "INSERT INTO historical_bench_fish (id, name, species, population, avg_weight_g, status, notes, \
                created_at, updated_at, history_date, history_type, history_user_id, history_change_reason) \
         SELECT id, name, species, population, avg_weight_g, status, notes, created_at, updated_at, \
                timestamptz '{date}+00', '+', NULL, 'backfill' \
         FROM bench_fish"
    )
}

/// Rows `first..first + count` of `new_fish` and their `+` history rows in one statement, the
/// shape of the library's own: the insert `RETURNING` the rows feeds the history insert, which
/// reads the clock per row, takes the transaction's changeset and carries the chain's marker.
/// The values are written inline (Diesel's `sql_query` binds a fixed list of types).
pub fn bulk_by_hand_sql(first: usize, count: usize) -> String {
    use std::fmt::Write;
    let columns = "name, species, population, avg_weight_g, status, notes, created_at, updated_at";
    let now = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S%.6f+00");
    let mut sql = format!("WITH ins AS (INSERT INTO bench_fish ({columns}) VALUES ");
    for i in first..first + count {
        let fish = crate::model::new_fish(i);
        let notes = fish
            .notes
            .as_deref()
            .map_or("NULL".to_owned(), |n| format!("'{n}'"));
        let _ = write!(
            sql,
            "{}('{}', '{}', {}, {}, '{}', {notes}, '{now}', '{now}')",
            if i == first { "" } else { ", " },
            fish.name,
            fish.species,
            fish.population,
            fish.avg_weight_g,
            fish.status
        );
    }
    let _ = write!(
        sql,
        " RETURNING id, {columns}) \
         INSERT INTO historical_bench_fish (id, {columns}, history_date, history_type, \
         history_user_id, history_change_reason, history_changeset_id, history_hash) \
         SELECT id, {columns}, clock_timestamp(), '+', 1, 'bench', {}, '\\x'::bytea FROM ins",
        audit_diesel::schema::ddl::PG_TRANSACTION_CHANGESET
    );
    sql
}

impl crate::suite::BenchDb for PgConnection {
    const DIALECT: audit_diesel::schema::Dialect = audit_diesel::schema::Dialect::Postgres;
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

    fn bulk_by_hand_sql(first: usize, count: usize) -> Option<String> {
        Some(bulk_by_hand_sql(first, count))
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

/// Where PostgreSQL's write-ahead log is now, in bytes: the difference of two marks is what the
/// work in between wrote to it.
pub fn wal_mark(conn: &mut PgConnection) -> QueryResult<u64> {
    diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint",
    ))
    .get_result::<i64>(conn)
    .map(|bytes| bytes as u64)
}

/// The WAL bytes written since `mark`.
pub fn wal_since(conn: &mut PgConnection, mark: u64) -> QueryResult<u64> {
    Ok(wal_mark(conn)?.saturating_sub(mark))
}
