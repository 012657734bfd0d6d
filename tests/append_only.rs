//! History tables are append-only in the database: plain SQL cannot rewrite, delete or truncate
//! history rows, while the library's own maintenance (cleanups, reason edits) still can, and puts
//! the guard back when done. A model can turn it off. On every backend.

mod common;

use audit_diesel::maintenance::{clean_old_history, CleanOld};
use audit_diesel::{AuditContext, Historical};
use common::db::AnyConnection;
use common::*;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

fn is_postgres(conn: &AnyConnection) -> bool {
    matches!(conn, AnyConnection::Postgresql(_))
}

/// Every way plain SQL could change `historical_tanks` (which holds a `~` row), each refused with
/// a message naming the guard.
fn assert_refused(conn: &mut AnyConnection) {
    let mut forgeries = vec![
        "UPDATE historical_tanks SET history_change_reason = 'forged'",
        "UPDATE historical_tanks SET history_date = history_date",
        "DELETE FROM historical_tanks WHERE history_type = '~'",
        "DELETE FROM historical_tanks",
    ];
    if is_postgres(conn) {
        forgeries.push("TRUNCATE historical_tanks");
    }
    for sql in forgeries {
        // In a transaction (a savepoint inside the caller's), so that a refusal on PostgreSQL
        // does not abort the caller's transaction.
        let error = conn
            .transaction(|conn| conn.batch_execute(sql))
            .unwrap_err()
            .to_string();
        assert!(error.contains("append-only"), "{sql}: {error}");
    }
}

on_each_backend! {
    /// Plain SQL UPDATE, DELETE and (PostgreSQL) TRUNCATE of history fail; the rows stay.
    fn plain_sql_cannot_rewrite_history(db) {
        let conn = &mut db.conn;
        let ctx = ctx(7, "commissioned");
        let tank = Tank::create(conn, &ctx, &NewTank::named("T1")).unwrap();
        Tank::update(conn, &ctx, tank.id, tanks::volume_m3.eq(55.0)).unwrap();
        let reasons = |conn: &mut AnyConnection| -> Vec<(i64, Option<String>)> {
            Tank::history(&tank.id)
                .trail(conn)
                .unwrap()
                .into_iter()
                .map(|r| (r.history_id, r.history_change_reason))
                .collect()
        };
        let before = reasons(conn);
        assert_refused(conn);
        assert_eq!(reasons(conn), before);
        // Appending still works, through the library and by hand alike.
        Tank::delete(conn, &ctx, tank.id).unwrap();
        assert_eq!(Tank::history(&tank.id).trail(conn).unwrap().len(), 3);
    }

    /// Maintenance lifts the guard for its own transaction only: a cleanup and a reason edit
    /// succeed, and plain SQL is refused again afterwards.
    fn maintenance_lifts_the_guard_for_itself_only(db) {
        let conn = &mut db.conn;
        let long_ago = chrono::Utc::now() - chrono::Duration::days(400);
        let old = AuditContext::builder().user(7).reason("old").date(long_ago).build().unwrap();
        let tank = Tank::create(conn, &old, &NewTank::named("T1")).unwrap();
        Tank::update(conn, &old, tank.id, tanks::volume_m3.eq(50.0)).unwrap();
        Tank::update(conn, &ctx(7, "recent"), tank.id, tanks::volume_m3.eq(60.0)).unwrap();

        let cleaned = clean_old_history::<Tank, _>(
            conn,
            &CleanOld { older_than: std::time::Duration::from_secs(365 * 86_400), ..CleanOld::default() },
        )
        .unwrap();
        assert_eq!(cleaned.rows, 2);
        assert_eq!(Tank::history(&tank.id).trail(conn).unwrap().len(), 1);
        assert_refused(conn);

        let record = Tank::update_change_reason(conn, &tank.id, "resized after the survey").unwrap();
        assert_eq!(record.history_change_reason.as_deref(), Some("resized after the survey"));
        assert_refused(conn);

        // Inside a caller's transaction too: the guard is back before it commits.
        conn.transaction(|conn| {
            Tank::update_change_reason(conn, &tank.id, "resized again")?;
            assert_refused(conn);
            Ok::<_, audit_diesel::AuditError>(())
        })
        .unwrap();
        assert_refused(conn);
    }

    /// `#[historical(append_only = false)]` leaves the history table writable.
    fn a_model_can_turn_the_guard_off(db) {
        let conn = &mut db.conn;
        let ctx = ctx(7, "tagged");
        let tank = Tank::create(conn, &ctx, &NewTank::named("T1")).unwrap();
        let tag = TankTag::create(conn, &ctx, &TankTag { tank_id: tank.id, tag: "north".into() });
        let tag = tag.unwrap();
        conn.batch_execute("UPDATE historical_tank_tags SET history_change_reason = 'edited'").unwrap();
        let latest = TankTag::history(&(tag.tank_id, tag.tag.clone())).latest(conn).unwrap().unwrap();
        assert_eq!(latest.history_change_reason.as_deref(), Some("edited"));
        conn.batch_execute("DELETE FROM historical_tank_tags").unwrap();
        assert!(TankTag::history(&(tag.tank_id, tag.tag)).latest(conn).unwrap().is_none());
    }
}
