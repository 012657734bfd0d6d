//! Bulk writes with history, real changes only, and writes without history, on every backend.

mod common;

use audit_diesel::{AuditContext, AuditError, Historical, HistoryType};
use common::*;
use diesel::prelude::*;

fn tanks_named(prefix: &str, n: usize) -> Vec<NewTank> {
    (0..n)
        .map(|i| NewTank {
            volume_m3: i as f64,
            ..NewTank::named(&format!("{prefix}{i}"))
        })
        .collect()
}

on_each_backend! {
    fn create_many_writes_every_row_and_its_history_in_batches(db) {
        let conn = &mut db.conn;
        let rows = tanks_named("T", 5);
        let tanks = Tank::create_many_in_batches(conn, &ctx(3, "import"), &rows, 2).unwrap();
        let names: Vec<&str> = tanks.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["T0", "T1", "T2", "T3", "T4"], "in insertion order");
        let history: Vec<HistoricalTank> = historical_tanks::table.order(historical_tanks::history_id).load(conn).unwrap();
        assert_eq!(history.len(), 5);
        for (row, tank) in history.iter().zip(&tanks) {
            assert_eq!((row.id, row.name.as_str(), row.volume_m3), (tank.id, tank.name.as_str(), tank.volume_m3));
            assert_eq!(row.history_type, HistoryType::Create);
            assert_eq!(row.history_user_id, Some(3));
            assert_eq!(row.history_change_reason.as_deref(), Some("import"));
        }
        assert!(Tank::create_many(conn, &ctx(3, "none"), &Vec::<NewTank>::new()).unwrap().is_empty());
        assert!(matches!(
            Tank::create_many_in_batches(conn, &ctx(3, "x"), &rows, 0),
            Err(AuditError::InvalidBatchSize { requested: 0 })
        ));
    }

    fn a_failure_in_a_later_batch_leaves_nothing(db) {
        let conn = &mut db.conn;
        let mut rows = tanks_named("T", 5);
        rows[4].name = "T0".into(); // unique name violated in the third batch
        let err = Tank::create_many_in_batches(conn, &ctx(3, "import"), &rows, 2).unwrap_err();
        assert!(matches!(err, AuditError::Database { operation: "create", .. }), "{err:?}");
        assert_eq!(tanks::table.count().get_result::<i64>(conn).unwrap(), 0);
        assert_eq!(historical_tanks::table.count().get_result::<i64>(conn).unwrap(), 0);
    }

    fn update_where_records_each_changed_row_and_only_those(db) {
        let conn = &mut db.conn;
        let tanks = Tank::create_many(conn, &ctx(1, "new"), &tanks_named("T", 4)).unwrap();
        // T0..T3 hold 0..3 m³; resize everything under 3 m³ to 2 m³: T2 is already there.
        let resized = Tank::update_where(conn, &ctx(2, "resize"), tanks::volume_m3.lt(3.0), tanks::volume_m3.eq(2.0)).unwrap();
        let mut ids: Vec<i32> = resized.iter().map(|t| t.id).collect();
        ids.sort();
        assert_eq!(ids, [tanks[0].id, tanks[1].id, tanks[2].id], "every matched row is returned");
        assert!(resized.iter().all(|t| t.volume_m3 == 2.0));
        let updates: Vec<HistoricalTank> = historical_tanks::table
            .filter(historical_tanks::history_type.eq(audit_diesel::dsl::history_type(HistoryType::Update)))
            .load(conn)
            .unwrap();
        let mut recorded: Vec<i32> = updates.iter().map(|r| r.id).collect();
        recorded.sort();
        assert_eq!(recorded, [tanks[0].id, tanks[1].id], "T2 did not change, so no row");
        assert!(updates.iter().all(|r| r.volume_m3 == 2.0 && r.history_user_id == Some(2)));
        assert!(Tank::update_where(conn, &ctx(2, "none"), tanks::volume_m3.gt(100.0), tanks::volume_m3.eq(1.0)).unwrap().is_empty());
    }

    fn delete_where_records_the_last_state_of_each_row(db) {
        let conn = &mut db.conn;
        Tank::create_many(conn, &ctx(1, "new"), &tanks_named("T", 4)).unwrap();
        Tank::update(conn, &ctx(1, "note"), 2, tanks::notes.eq("last words")).unwrap();
        let gone = Tank::delete_where(conn, &ctx(5, "scrap small"), tanks::volume_m3.le(1.0)).unwrap();
        assert_eq!(gone.len(), 2);
        assert_eq!(tanks::table.count().get_result::<i64>(conn).unwrap(), 2);
        let deletes = Tank::history_query().history_type(HistoryType::Delete).oldest_first().load(conn).unwrap().items;
        assert_eq!(deletes.len(), 2);
        let t1 = deletes.iter().find(|r| r.name == "T1").unwrap();
        assert_eq!((t1.notes.as_deref(), t1.history_user_id), (Some("last words"), Some(5)));
    }

    fn an_update_that_changes_nothing_tracked_writes_no_row(db) {
        let conn = &mut db.conn;
        let tank = Tank::create(conn, &ctx(1, "new"), &NewTank::named("T1")).unwrap();
        let same = Tank::update(conn, &ctx(1, "same"), tank.id, tanks::volume_m3.eq(tank.volume_m3)).unwrap();
        assert_eq!(same, tank);
        tank.save(conn, &ctx(1, "save unchanged")).unwrap();
        let trail = Tank::history(&tank.id).trail(conn).unwrap();
        assert_eq!(trail.len(), 1, "only the create");
        Tank::update(conn, &ctx(1, "real"), tank.id, tanks::volume_m3.eq(1.0)).unwrap();
        assert_eq!(Tank::history(&tank.id).trail(conn).unwrap().len(), 2);
    }

    fn a_model_that_records_every_save_gets_a_row_for_an_unchanged_update(db) {
        let conn = &mut db.conn;
        let profile = Profile { id: 1, display_name: "Ada".into() };
        let as_ada = AuditContext::for_user("ada");
        Profile::create(conn, &as_ada, &profile).unwrap();
        profile.save(conn, &as_ada).unwrap();
        Profile::update(conn, &as_ada, 1, profiles::display_name.eq("Ada")).unwrap();
        let types: Vec<HistoryType> = Profile::history(&1).trail(conn).unwrap().iter().map(|r| r.history_type).collect();
        assert_eq!(types, [HistoryType::Update, HistoryType::Update, HistoryType::Create]);
    }

    fn a_context_without_history_writes_data_and_no_history(db) {
        let conn = &mut db.conn;
        let quiet = AuditContext::without_history("legacy import").unwrap();
        let tank = Tank::create(conn, &quiet, &NewTank::named("T1")).unwrap();
        Tank::update(conn, &quiet, tank.id, tanks::volume_m3.eq(9.0)).unwrap();
        Tank::create_many(conn, &quiet, &tanks_named("B", 3)).unwrap();
        Tank::update_where(conn, &quiet, tanks::name.like("B%"), tanks::notes.eq("bulk")).unwrap();
        Tank::delete_where(conn, &quiet, tanks::name.eq("B0")).unwrap();
        assert_eq!(tanks::table.count().get_result::<i64>(conn).unwrap(), 3);
        assert_eq!(historical_tanks::table.count().get_result::<i64>(conn).unwrap(), 0);
        // The next audited write is recorded as usual.
        Tank::update(conn, &ctx(1, "back on the record"), tank.id, tanks::volume_m3.eq(10.0)).unwrap();
        assert_eq!(historical_tanks::table.count().get_result::<i64>(conn).unwrap(), 1);
    }

    fn the_statements_of_a_bulk_write_do_not_grow_with_its_rows(db) {
        let conn = &mut db.conn;
        let statements = Statements::default();
        conn.set_instrumentation(statements.clone());
        let mut counts = Vec::new();
        for n in [3, 60] {
            let prefix = format!("N{n}-");
            Tank::create_many(conn, &ctx(1, "bulk"), &tanks_named(&prefix, n)).unwrap();
            let create = statements.take().len();
            let pattern = format!("{prefix}%");
            Tank::update_where(conn, &ctx(1, "bulk"), tanks::name.like(&pattern), tanks::volume_m3.eq(99.0)).unwrap();
            let update = statements.take().len();
            Tank::delete_where(conn, &ctx(1, "bulk"), tanks::name.like(&pattern)).unwrap();
            let delete = statements.take().len();
            counts.push((create, update, delete));
        }
        assert_eq!(counts[0], counts[1], "3 rows and 60 rows cost the same statements: {counts:?}");
        assert_eq!(historical_tanks::table.count().get_result::<i64>(conn).unwrap(), 3 * (3 + 60));
    }
}
