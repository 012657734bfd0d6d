//! Drift: creates, updates and deletes made without the library (a plain `diesel::insert_into`,
//! `diesel::update`, `diesel::delete`) are found by comparing the live rows with their latest
//! history rows, in batches, and `record` writes the missing history rows. On every backend.

mod common;

use audit_diesel::drift::{check_drift, Drift, DriftKind};
use audit_diesel::{Historical, HistoryType};
use common::db::AnyConnection;
use common::*;
use diesel::prelude::*;

fn drift(conn: &mut AnyConnection, record: bool) -> audit_diesel::drift::DriftReport {
    let options = Drift {
        batch_size: 2,
        record,
    };
    check_drift::<Tank, _>(conn, &options, |_| {}).unwrap()
}

on_each_backend! {
    /// A trail written through the library has no drift.
    fn no_drift_after_audited_writes(db) {
        let conn = &mut db.conn;
        let ctx = ctx(7, "commissioned");
        let a = Tank::create(conn, &ctx, &NewTank::named("A")).unwrap();
        Tank::create(conn, &ctx, &NewTank::named("B")).unwrap();
        Tank::update(conn, &ctx, a.id, tanks::volume_m3.eq(55.0)).unwrap();
        let c = Tank::create(conn, &ctx, &NewTank::named("C")).unwrap();
        Tank::delete(conn, &ctx, c.id).unwrap();
        let report = drift(conn, false);
        assert!(report.findings.is_empty(), "{:?}", report.findings);
        assert_eq!(report.rows, 2);
    }

    /// Each kind of bypass is found, named by its key, with the columns an update changed; in
    /// batches of two rows.
    fn each_kind_of_bypass_is_found(db) {
        let conn = &mut db.conn;
        let ctx = ctx(7, "commissioned");
        let updated = Tank::create(conn, &ctx, &NewTank::named("updated")).unwrap();
        let deleted = Tank::create(conn, &ctx, &NewTank::named("deleted")).unwrap();
        for i in 0..3 {
            Tank::create(conn, &ctx, &NewTank::named(&format!("fine-{i}"))).unwrap();
        }
        diesel::update(tanks::table.find(updated.id))
            .set((tanks::volume_m3.eq(99.0), tanks::notes.eq("by hand")))
            .execute(conn)
            .unwrap();
        // Not tracked: no drift.
        diesel::update(tanks::table.find(updated.id))
            .set(tanks::internal_code.eq("X"))
            .execute(conn)
            .unwrap();
        diesel::delete(tanks::table.find(deleted.id)).execute(conn).unwrap();
        diesel::insert_into(tanks::table)
            .values(&NewTank::named("created"))
            .execute(conn)
            .unwrap();
        let created: i32 = tanks::table
            .filter(tanks::name.eq("created"))
            .select(tanks::id)
            .first(conn)
            .unwrap();

        let report = drift(conn, false);
        assert_eq!(report.rows, 5);
        let found: Vec<(String, DriftKind, Vec<String>)> = report
            .findings
            .iter()
            .map(|f| (f.object.clone(), f.kind, f.changed.clone()))
            .collect();
        let key = |id: i32| {
            if matches!(conn, AnyConnection::Postgresql(_)) || common::db::is_mysql(conn) {
                format!("id='{id}'")
            } else {
                format!("id={id}")
            }
        };
        assert_eq!(
            found,
            [
                (key(updated.id), DriftKind::Updated, vec!["volume_m3".to_owned(), "notes".to_owned()]),
                (key(created), DriftKind::Created, vec![]),
                (key(deleted.id), DriftKind::Deleted, vec![]),
            ]
        );
        assert!(report.findings[2].latest_history_id.is_some());
        assert_eq!(report.recorded, 0);
        assert_eq!(Tank::history(&updated.id).trail(conn).unwrap().len(), 1, "a check writes nothing");
    }

    /// `record` writes a `+`, `~` or `-` row for each, without a user and with a reason naming
    /// the check; afterwards there is no drift and the chains hold.
    fn recording_completes_the_trail(db) {
        let conn = &mut db.conn;
        let ctx = ctx(7, "commissioned");
        let updated = Tank::create(conn, &ctx, &NewTank::named("updated")).unwrap();
        let deleted = Tank::create(conn, &ctx, &NewTank::named("deleted")).unwrap();
        diesel::update(tanks::table.find(updated.id))
            .set(tanks::volume_m3.eq(99.0))
            .execute(conn)
            .unwrap();
        diesel::delete(tanks::table.find(deleted.id)).execute(conn).unwrap();
        // A key of its own: the tests' SQLite table would give it the deleted row's.
        diesel::insert_into(tanks::table)
            .values((tanks::id.eq(100), tanks::name.eq("created"), tanks::volume_m3.eq(1.0)))
            .execute(conn)
            .unwrap();

        let report = drift(conn, true);
        assert_eq!((report.findings.len(), report.recorded), (3, 3));
        assert!(drift(conn, false).findings.is_empty());

        let latest = Tank::history(&updated.id).latest(conn).unwrap().unwrap();
        assert_eq!(latest.history_type, HistoryType::Update);
        assert_eq!(latest.volume_m3, 99.0);
        assert_eq!(latest.history_user_id, None);
        assert_eq!(latest.history_change_reason.as_deref(), Some(DriftKind::Updated.reason()));
        let gone = Tank::history(&deleted.id).latest(conn).unwrap().unwrap();
        assert_eq!(gone.history_type, HistoryType::Delete);
        assert_eq!(gone.name, "deleted");
        let created: i32 = tanks::table
            .filter(tanks::name.eq("created"))
            .select(tanks::id)
            .first(conn)
            .unwrap();
        let first = Tank::history(&created).latest(conn).unwrap().unwrap();
        assert_eq!(first.history_type, HistoryType::Create);
        assert_eq!(first.history_change_reason.as_deref(), Some(DriftKind::Created.reason()));

        chain_verifies_clean::<Tank>(conn);
    }

    /// A re-created object (deleted through the library, inserted again by hand) is a create.
    fn a_row_recreated_by_hand_after_a_recorded_delete_is_a_create(db) {
        let conn = &mut db.conn;
        let ctx = ctx(7, "commissioned");
        let tank = Tank::create(conn, &ctx, &NewTank::named("T1")).unwrap();
        Tank::delete(conn, &ctx, tank.id).unwrap();
        diesel::insert_into(tanks::table)
            .values((tanks::id.eq(tank.id), tanks::name.eq("T1"), tanks::volume_m3.eq(1.0)))
            .execute(conn)
            .unwrap();
        let report = drift(conn, false);
        assert_eq!(report.findings.len(), 1);
        assert_eq!(report.findings[0].kind, DriftKind::Created);
    }

    /// A batch size of 0 is a typed error.
    fn a_batch_size_of_zero_is_refused(db) {
        let error = check_drift::<Tank, _>(&mut db.conn, &Drift { batch_size: 0, record: false }, |_| {})
            .unwrap_err();
        assert!(matches!(error, audit_diesel::AuditError::InvalidBatchSize { requested: 0 }), "{error}");
    }
}
