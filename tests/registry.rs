//! A registered model's history by name, as an HTTP API or the viewer reads it without knowing
//! its Rust types: pages with each row's diff, counts, and a revert by `history_id`, on every
//! backend.

mod common;

use audit_diesel::registry::RecordQuery;
use audit_diesel::{AuditError, Historical, HistoryType, Registry};
use common::*;
use diesel::prelude::*;
use serde_json::json;

fn registry() -> Registry<db::AnyConnection> {
    Registry::new().model::<Tank>().model::<Feeding>()
}

on_each_backend! {
    /// `details` pairs each row of a page with the object's row before it and the diff; the
    /// first row of an object has neither.
    fn details_carry_the_previous_row_and_the_diff(db) {
        let conn = &mut db.conn;
        let ctx = ctx(7, "setup");
        let a = Tank::create(conn, &ctx, &NewTank::named("A")).unwrap();
        Tank::update(conn, &ctx, a.id, tanks::volume_m3.eq(55.0)).unwrap();
        Tank::update(conn, &ctx, a.id, (tanks::name.eq("A2"), tanks::notes.eq(Some("moved")))).unwrap();
        let b = Tank::create(conn, &ctx, &NewTank::named("B")).unwrap();
        let registry = registry();
        let tanks = registry.history("Tank").unwrap();
        let page = tanks.details(conn, &RecordQuery { with_total: true, ..RecordQuery::default() }).unwrap();
        assert_eq!(page.total, Some(4));
        let trail = Tank::history_query().load(conn).unwrap().items;
        let ids: Vec<_> = page.items.iter().map(|d| d.record["history_id"].clone()).collect();
        let expected: Vec<_> = trail.iter().map(|r| json!(r.history_id)).collect();
        assert_eq!(ids, expected, "the same rows as the typed query, newest first");

        let newest = &page.items[0];
        assert_eq!(newest.record["id"], json!(b.id));
        assert!(newest.previous.is_none() && newest.diff.is_none(), "B's first row");
        let renamed = &page.items[1];
        assert_eq!(renamed.previous.as_ref().unwrap()["volume_m3"], json!(55.0));
        assert_eq!(renamed.diff.as_ref().unwrap().changed_fields(), ["name", "notes"]);
        assert_eq!(page.items[2].diff.as_ref().unwrap().changed_fields(), ["volume_m3"]);

        let only_a = tanks.details(conn, &RecordQuery {
            object_id: Some(a.id.to_string()),
            page_size: 2,
            ..RecordQuery::default()
        }).unwrap();
        assert_eq!(only_a.items.len(), 2);
        assert!(only_a.has_next);
        assert!(only_a.items.iter().all(|d| d.record["id"] == json!(a.id)));
    }

    /// `counts` are the rows of the table and of its history table.
    fn counts_are_the_table_and_its_history(db) {
        let conn = &mut db.conn;
        let ctx = ctx(7, "setup");
        let registry = registry();
        let tanks = registry.history("Tank").unwrap();
        let empty = tanks.counts(conn).unwrap();
        assert_eq!((empty.rows, empty.history_rows), (0, 0));
        let a = Tank::create(conn, &ctx, &NewTank::named("A")).unwrap();
        let b = Tank::create(conn, &ctx, &NewTank::named("B")).unwrap();
        Tank::update(conn, &ctx, a.id, tanks::volume_m3.eq(1.0)).unwrap();
        Tank::delete(conn, &ctx, b.id).unwrap();
        let counts = tanks.counts(conn).unwrap();
        assert_eq!((counts.rows, counts.history_rows), (1, 4));
        let feedings = registry.history("Feeding").unwrap().counts(conn).unwrap();
        assert_eq!((feedings.rows, feedings.history_rows), (0, 0));
    }

    /// `revert` by `history_id` restores the object as that row holds it, as a `~` row by the
    /// context (a `+` row when the object was deleted since), and returns that row; an unknown
    /// id writes nothing, a malformed one is a typed error.
    fn revert_by_history_id(db) {
        let conn = &mut db.conn;
        let ctx = ctx(7, "setup");
        let a = Tank::create(conn, &ctx, &NewTank::named("A")).unwrap();
        Tank::update(conn, &ctx, a.id, tanks::volume_m3.eq(99.0)).unwrap();
        let first = Tank::history(&a.id).earliest(conn).unwrap().unwrap();
        let registry = registry();
        let tanks = registry.history("Tank").unwrap();

        let by = common::ctx(8, "typo in volume");
        let written = tanks.revert(conn, &by, &first.history_id.to_string()).unwrap().unwrap();
        let latest = Tank::history(&a.id).latest(conn).unwrap().unwrap();
        assert_eq!(written["history_id"], json!(latest.history_id));
        assert_eq!(latest.history_type, HistoryType::Update);
        assert_eq!(latest.history_user_id, Some(8));
        assert_eq!(latest.history_change_reason.as_deref(), Some("typo in volume"));
        assert_eq!(latest.volume_m3, 40.0);

        Tank::delete(conn, &ctx, a.id).unwrap();
        let again = tanks.revert(conn, &by, &first.history_id.to_string()).unwrap().unwrap();
        assert_eq!(again["history_type"], json!("+"));
        assert_eq!(tanks::table.count().get_result::<i64>(conn).unwrap(), 1);

        let rows = Tank::history(&a.id).trail(conn).unwrap().len();
        assert_eq!(tanks.revert(conn, &by, "999999").unwrap(), None);
        let bad = tanks.revert(conn, &by, "seven").unwrap_err();
        assert!(matches!(bad, AuditError::InvalidValue { argument: "history_id", .. }), "{bad}");
        assert_eq!(Tank::history(&a.id).trail(conn).unwrap().len(), rows, "nothing written");
    }
}
