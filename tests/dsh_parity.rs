//! What django-simple-history users reach for, on every backend; each test names the behaviour of
//! django-simple-history it mirrors.

mod common;

use audit_diesel::{AuditContext, AuditError, Historical, HistoryType, UserId};
use common::*;
use diesel::prelude::*;

on_each_backend! {
    /// django-simple-history's `update_change_reason(instance, reason)`: the newest record of the
    /// object gets the reason; nothing else of it, and no other record, changes.
    fn update_change_reason_sets_the_reason_of_the_newest_record(db) {
        let conn = &mut db.conn;
        let ctx = AuditContext::builder().user(7).reason("stocking").build().unwrap();
        let tank = Tank::create(conn, &ctx, &NewTank::named("T1")).unwrap();
        Tank::update(conn, &ctx.with_reason("resized").unwrap(), tank.id, tanks::volume_m3.eq(55.0)).unwrap();
        let before = Tank::history(&tank.id).latest(conn).unwrap().unwrap();

        let record = Tank::update_change_reason(conn, &tank.id, "resized after the survey").unwrap();
        assert_eq!(record.history_change_reason.as_deref(), Some("resized after the survey"));
        assert_eq!(
            (record.history_id, record.history_date, record.history_type, record.history_user_id, record.volume_m3),
            (before.history_id, before.history_date, HistoryType::Update, Some(7), 55.0)
        );
        let trail = Tank::history(&tank.id).trail(conn).unwrap();
        assert_eq!(trail.len(), 2, "no record is written");
        assert_eq!(trail[0].history_change_reason.as_deref(), Some("resized after the survey"));
        assert_eq!(trail[1].history_change_reason.as_deref(), Some("stocking"), "older records keep theirs");
        let other = Tank::create(conn, &ctx, &NewTank::named("T2")).unwrap();
        assert_eq!(
            Tank::history(&other.id).latest(conn).unwrap().unwrap().history_change_reason.as_deref(),
            Some("stocking"),
            "other objects keep theirs"
        );
    }

    /// django-simple-history can change the reason of a deleted object's last record (its `-`):
    /// the history outlives the row.
    fn update_change_reason_works_after_a_delete(db) {
        let conn = &mut db.conn;
        let ctx = AuditContext::for_user(UserId::Int(3));
        let tank = Tank::create(conn, &ctx, &NewTank::named("T1")).unwrap();
        Tank::delete(conn, &ctx, tank.id).unwrap();
        let record = Tank::update_change_reason(conn, &tank.id, "decommissioned: leak").unwrap();
        assert_eq!(record.history_type, HistoryType::Delete);
        assert_eq!(record.history_change_reason.as_deref(), Some("decommissioned: leak"));
        assert_eq!(record.name, "T1");
    }

    /// No history is `NotFound`, and a reason the context would refuse is refused here too; in
    /// both cases nothing changes.
    fn update_change_reason_refuses_missing_history_and_bad_reasons(db) {
        let conn = &mut db.conn;
        let ctx = AuditContext::builder().reason("first").build().unwrap();
        match Tank::update_change_reason(conn, &404, "why") {
            Err(AuditError::NotFound { model, key }) => assert_eq!((model.as_str(), key.as_str()), ("Tank", "404")),
            other => panic!("expected NotFound, got {other:?}"),
        }
        let tank = Tank::create(conn, &ctx, &NewTank::named("T1")).unwrap();
        for bad in ["", "line\nbreak", &"x".repeat(256)] {
            assert!(
                matches!(Tank::update_change_reason(conn, &tank.id, bad), Err(AuditError::Context(_))),
                "{bad:?}"
            );
        }
        let latest = Tank::history(&tank.id).latest(conn).unwrap().unwrap();
        assert_eq!(latest.history_change_reason.as_deref(), Some("first"));
    }
}
