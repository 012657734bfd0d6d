//! The benchmark on MySQL/MariaDB: the SQL that sets up its data, and its redo-log meter.

use diesel::prelude::*;

use crate::model::{bench_fish, bench_recorded_fish, Fish, NewFish};

/// `LAST_INSERT_ID()`: the key the connection's last insert generated.
fn last_insert_id() -> diesel::expression::SqlLiteral<diesel::sql_types::BigInt> {
    diesel::dsl::sql::<diesel::sql_types::BigInt>("LAST_INSERT_ID()")
}

/// Empties both tables and restarts their keys.
pub const RESET_SQL: &str = "TRUNCATE bench_fish; TRUNCATE historical_bench_fish";

/// Empties the history table only.
pub const RESET_HISTORY_SQL: &str = "TRUNCATE historical_bench_fish";

/// Refreshes the planner's statistics after seeding.
pub const ANALYZE_SQL: &str = "ANALYZE TABLE bench_fish, historical_bench_fish";

/// `1..=to` as a derived table `<name>(n)`: digits cross-joined (MySQL's recursive CTEs stop
/// at 1,000 levels unless a server setting says otherwise).
fn series(name: &str, from: usize, to: usize) -> String {
    let digits = "(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 \
                  UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 \
                  UNION ALL SELECT 8 UNION ALL SELECT 9)";
    let places = to.max(1).to_string().len();
    let joined: Vec<String> = (0..places).map(|p| format!("{digits} d{p}")).collect();
    let value: Vec<String> = (0..places)
        .map(|p| format!("d{p}.d * {}", 10usize.pow(p as u32)))
        .collect();
    format!(
        "(SELECT {} AS n FROM {} HAVING n BETWEEN {from} AND {to}) {name}",
        value.join(" + "),
        joined.join(" CROSS JOIN ")
    )
}

/// Inserts `rows` rows with keys `1..=rows`, all `active`, without history.
pub fn seed_rows_sql(rows: usize) -> String {
    format!(
        "INSERT INTO bench_fish (id, name, species, population, avg_weight_g, status, notes, created_at, updated_at) \
         SELECT g.n, CONCAT('fish-', g.n), 'Atlantic salmon', 1000 + g.n % 500, 250.0 + g.n % 100, 'active', NULL, \
                '2026-01-01 00:00:00', '2026-01-01 00:00:00' \
         FROM {}",
        series("g", 1, rows)
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
         SELECT o.n, CONCAT('fish-', o.n), 'Atlantic salmon', 1000 + v.n, 250.0 + v.n, \
                CASE WHEN v.n % 2 = 0 THEN 'active' ELSE 'growing' END, NULL, \
                '2026-01-01 00:00:00', TIMESTAMP '2026-01-01 00:00:00' + INTERVAL v.n HOUR, \
                TIMESTAMP '2026-01-01 00:00:00' + INTERVAL v.n HOUR + INTERVAL (o.n % 1000) * 1000 MICROSECOND, \
                CASE WHEN v.n = 0 THEN '+' ELSE '~' END, 1 + o.n % 20, 'seeded' \
         FROM {versions_cte} CROSS JOIN {objects_cte} ORDER BY v.n, o.n; \
         INSERT INTO bench_fish (id, name, species, population, avg_weight_g, status, notes, created_at, updated_at) \
         SELECT o.n, CONCAT('fish-', o.n), 'Atlantic salmon', 1000 + {last}, 250.0 + {last}, \
                CASE WHEN {last} % 2 = 0 THEN 'active' ELSE 'growing' END, NULL, \
                '2026-01-01 00:00:00', TIMESTAMP '2026-01-01 00:00:00' + INTERVAL {last} HOUR \
         FROM {objects_cte}",
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

#[derive(QueryableByName)]
struct Logged {
    #[diesel(sql_type = diesel::sql_types::Text)]
    bytes: String,
}

impl crate::suite::BenchDb for MysqlConnection {
    const DIALECT: audit_diesel::schema::Dialect = audit_diesel::schema::Dialect::Mysql;
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

    /// MySQL returns no rows from an insert: the row is read back by `LAST_INSERT_ID()`, as an
    /// application with plain Diesel does.
    fn insert_returning(&mut self, row: NewFish) -> QueryResult<Fish> {
        diesel::insert_into(bench_fish::table)
            .values(row)
            .execute(self)?;
        bench_fish::table
            .filter(bench_fish::id.eq(last_insert_id()))
            .first(self)
    }

    fn plain_insert(&mut self, row: NewFish, recorded: bool) -> QueryResult<i64> {
        if recorded {
            diesel::insert_into(bench_recorded_fish::table)
                .values(row)
                .execute(self)?;
        } else {
            diesel::insert_into(bench_fish::table)
                .values(row)
                .execute(self)?;
        }
        diesel::select(last_insert_id()).get_result(self)
    }

    /// InnoDB's redo log bytes written so far (the server's, all sessions).
    fn wal_mark(&mut self) -> QueryResult<u64> {
        let logged: Logged = diesel::sql_query(
            "SELECT VARIABLE_VALUE AS bytes FROM information_schema.GLOBAL_STATUS \
             WHERE VARIABLE_NAME = 'INNODB_OS_LOG_WRITTEN'",
        )
        .get_result(self)?;
        Ok(logged.bytes.trim().parse().unwrap_or(0))
    }

    fn wal_since(&mut self, mark: u64) -> QueryResult<u64> {
        Ok(self.wal_mark()?.saturating_sub(mark))
    }
}
