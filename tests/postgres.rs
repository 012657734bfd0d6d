//! PostgreSQL only: one statement per audited write, and history under concurrent writers.
#![cfg(feature = "postgres")]

mod common;

use audit_diesel::{AuditContext, Historical};
use common::*;
use diesel::prelude::*;

#[test]
fn every_audited_write_is_one_statement() {
    let mut db = TestDb::postgres();
    let conn = &mut db.conn;
    for (write, sql) in common::statements::of_each_write(conn) {
        assert_eq!(sql.len(), 1, "{write} sent {sql:#?}");
        assert!(sql[0].starts_with("WITH "), "{write}: {}", sql[0]);
        assert!(
            sql[0].contains("\"audit_changed\" AS ("),
            "{write}: {}",
            sql[0]
        );
        assert!(
            sql[0].contains("INSERT INTO \"historical_tanks\""),
            "{write}: {}",
            sql[0]
        );
    }
    assert_eq!(
        historical_tanks::table
            .count()
            .get_result::<i64>(conn)
            .unwrap(),
        4
    );
}

#[test]
fn concurrent_writers_get_one_history_row_per_write_holding_the_state_after_it() {
    let mut db = TestDb::any_postgres();
    let schema = db.guard.schema.clone().unwrap();
    common::concurrency::writers_get_one_history_row_per_write_in_commit_order(&mut db, || {
        common::db::AnyConnection::Postgresql(TestDb::<PgConnection>::connect_to_schema(&schema))
    });
}

#[derive(QueryableByName)]
struct PlanLine {
    #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
    line: String,
}

/// The plan PostgreSQL chooses for `sql` run with `params` (SQL literals).
fn plan(conn: &mut PgConnection, sql: &str, params: &str) -> String {
    use diesel::connection::SimpleConnection;
    conn.batch_execute("DEALLOCATE ALL").unwrap();
    conn.batch_execute(&format!("PREPARE audit_probe AS {sql}"))
        .unwrap();
    let lines: Vec<PlanLine> = diesel::sql_query(format!("EXPLAIN EXECUTE audit_probe({params})"))
        .load(conn)
        .unwrap();
    lines
        .into_iter()
        .map(|l| l.line)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn as_of_uses_the_object_index_on_100k_history_rows() {
    use diesel::connection::SimpleConnection;
    let mut db = TestDb::postgres();
    let conn = &mut db.conn;
    // 1,000 tanks with 100 rows each; the last row of every tenth tank is its deletion.
    conn.batch_execute(
        "INSERT INTO historical_tanks (id, name, volume_m3, history_date, history_type, history_user_id)
         SELECT o, 'T' || o, v, timestamptz '2026-01-01 00:00:00+00' + v * interval '1 hour' + o * interval '1 second',
                CASE WHEN v = 1 THEN '+' WHEN v = 100 AND o % 10 = 0 THEN '-' ELSE '~' END, 1
         FROM generate_series(1, 1000) AS o, generate_series(1, 100) AS v;
         ANALYZE historical_tanks;",
    )
    .unwrap();
    let statements = Statements::default();
    conn.set_instrumentation(statements.clone());

    let at = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 1, 3, 12, 0, 0).unwrap();
    let one = Tank::history(&500).as_of(conn, at).unwrap().unwrap();
    assert_eq!(
        (one.id, one.volume_m3),
        (500, 59.0),
        "hour 60 plus 500 seconds is after noon"
    );
    let one_sql = statements.take().pop().unwrap();

    let later = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 2, 1, 0, 0, 0).unwrap();
    let all = Tank::as_of(later).load(conn).unwrap();
    assert_eq!(all.len(), 900, "the 100 deleted tanks are gone");
    assert!(all.iter().all(|r| r.volume_m3 == 100.0));
    let all_sql = statements.take().pop().unwrap();
    conn.set_instrumentation(Statements::default());

    let one_plan = plan(conn, &one_sql, "500, '2026-01-03 12:00:00+00'");
    assert!(
        one_plan.contains("historical_tanks_object_idx"),
        "{one_plan}"
    );
    assert!(!one_plan.contains("Seq Scan"), "{one_plan}");

    let all_plan = plan(conn, &all_sql, "'2026-02-01 00:00:00+00'");
    assert!(
        all_plan.contains("historical_tanks_object_idx"),
        "{all_plan}"
    );
    assert!(!all_plan.contains("Seq Scan"), "{all_plan}");
    assert!(all_plan.contains("Recursive Union"), "{all_plan}");
}

/// Two writers flip one row between two values; some of their updates change nothing. History
/// must hold exactly the real changes, in order: no two neighbours equal, and the last equal to
/// the row. (Comparing with the latest history row from the statement's snapshot instead of the
/// row locked before the change would lose a change here.)
#[test]
fn concurrent_no_op_updates_neither_lose_nor_duplicate_changes() {
    let mut db = TestDb::postgres();
    let tank = Tank::create(
        &mut db.conn,
        &AuditContext::anonymous(),
        &NewTank::named("flip"),
    )
    .unwrap();
    std::thread::scope(|scope| {
        for t in 0..2 {
            let mut conn = db.connect();
            scope.spawn(move || {
                for i in 0..200 {
                    let volume = f64::from((i * (t + 1)) % 2);
                    Tank::update(
                        &mut conn,
                        &AuditContext::for_user(t),
                        tank.id,
                        tanks::volume_m3.eq(volume),
                    )
                    .unwrap();
                }
            });
        }
    });
    let conn = &mut db.conn;
    let mut trail = Tank::history(&tank.id).trail(conn).unwrap();
    trail.reverse();
    let volumes: Vec<f64> = trail.iter().map(|r| r.volume_m3).collect();
    for pair in volumes.windows(2) {
        assert_ne!(
            pair[0], pair[1],
            "an unchanged update left a row: {volumes:?}"
        );
    }
    let now: Tank = tanks::table
        .find(tank.id)
        .select(Tank::as_select())
        .first(conn)
        .unwrap();
    assert_eq!(
        *volumes.last().unwrap(),
        now.volume_m3,
        "the last change is recorded"
    );
    assert!(volumes.len() > 2, "{volumes:?}");
}
