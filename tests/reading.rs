//! Reading history: trails, as_of, previous/next, diffs, filters, pagination, revert and the
//! trail assertion, on every backend.

mod common;

use audit_diesel::diff::Fields;
use audit_diesel::testing::{assert_trail, Expected};
use audit_diesel::{AuditContext, AuditError, Historical, HistoryRecord, HistoryType};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use common::*;
use diesel::prelude::*;

fn march(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0).unwrap()
}

/// A context for `user` with `reason`, dated `at`.
fn at(user: i64, reason: &str, at: DateTime<Utc>) -> AuditContext {
    ctx(user, reason).with_date(at).unwrap()
}

fn volumes(records: &[HistoricalTank]) -> Vec<f64> {
    records.iter().map(|r| r.volume_m3).collect()
}

on_each_backend! {
    fn a_trail_is_newest_first_with_earliest_and_latest(db) {
        let conn = &mut db.conn;
        let tank = Tank::create(conn, &at(1, "new", march(1, 8)), &NewTank::named("T1")).unwrap();
        Tank::update(conn, &at(2, "a", march(2, 8)), tank.id, tanks::volume_m3.eq(41.0)).unwrap();
        Tank::update(conn, &at(3, "b", march(3, 8)), tank.id, tanks::volume_m3.eq(42.0)).unwrap();
        let other = Tank::create(conn, &at(1, "other", march(2, 9)), &NewTank::named("T2")).unwrap();

        let history = Tank::history(&tank.id);
        let trail = history.trail(conn).unwrap();
        assert_eq!(volumes(&trail), [42.0, 41.0, 40.0]);
        assert!(trail.iter().all(|r| r.id == tank.id), "only this object's rows");
        assert_eq!(history.latest(conn).unwrap().unwrap().volume_m3, 42.0);
        assert_eq!(history.earliest(conn).unwrap().unwrap().history_type, HistoryType::Create);
        assert_eq!(Tank::history(&other.id).trail(conn).unwrap().len(), 1);
        assert!(Tank::history(&404).latest(conn).unwrap().is_none());
        assert!(Tank::history(&404).trail(conn).unwrap().is_empty());
    }

    fn equal_dates_are_ordered_by_history_id_everywhere(db) {
        let conn = &mut db.conn;
        let same = at(1, "import", march(1, 8));
        let tank = Tank::create(conn, &same, &NewTank::named("T1")).unwrap();
        for v in [41.0, 42.0] {
            Tank::update(conn, &same, tank.id, tanks::volume_m3.eq(v)).unwrap();
        }
        let history = Tank::history(&tank.id);
        assert_eq!(volumes(&history.trail(conn).unwrap()), [42.0, 41.0, 40.0]);
        assert_eq!(history.latest(conn).unwrap().unwrap().volume_m3, 42.0);
        assert_eq!(history.as_of(conn, march(1, 8)).unwrap().unwrap().volume_m3, 42.0);
        let middle = &history.trail(conn).unwrap()[1];
        assert_eq!(middle.previous(conn).unwrap().unwrap().volume_m3, 40.0);
        assert_eq!(middle.next(conn).unwrap().unwrap().volume_m3, 42.0);
        let table = Tank::as_of(march(1, 8)).load(conn).unwrap();
        assert_eq!(volumes(&table), [42.0]);
        let page = Tank::history_query().oldest_first().load(conn).unwrap();
        assert_eq!(volumes(&page.items), [40.0, 41.0, 42.0]);
    }

    fn as_of_counts_a_row_dated_exactly_then_and_nothing_before_or_after_the_object(db) {
        let conn = &mut db.conn;
        let tank = Tank::create(conn, &at(1, "new", march(2, 8)), &NewTank::named("T1")).unwrap();
        Tank::update(conn, &at(1, "grow", march(3, 8)), tank.id, tanks::volume_m3.eq(50.0)).unwrap();
        Tank::delete(conn, &at(1, "gone", march(4, 8)), tank.id).unwrap();

        let history = Tank::history(&tank.id);
        let just_before = march(3, 8) - TimeDelta::microseconds(1);
        assert!(history.as_of(conn, march(1, 0)).unwrap().is_none(), "not created yet");
        assert_eq!(history.as_of(conn, march(2, 8)).unwrap().unwrap().volume_m3, 40.0);
        assert_eq!(history.as_of(conn, just_before).unwrap().unwrap().volume_m3, 40.0);
        assert_eq!(history.as_of(conn, march(3, 8)).unwrap().unwrap().volume_m3, 50.0);
        assert!(history.as_of(conn, march(4, 8)).unwrap().is_none(), "deleted exactly then");
        assert!(history.as_of(conn, march(9, 0)).unwrap().is_none());
    }

    fn a_deleted_object_whose_key_is_reused_has_two_lives(db) {
        let conn = &mut db.conn;
        let first = NewTank { volume_m3: 10.0, ..NewTank::named("old") };
        let old = Tank::create(conn, &at(1, "old", march(1, 8)), &first).unwrap();
        Tank::delete(conn, &at(1, "scrap", march(2, 8)), old.id).unwrap();
        // The same key again, for a new tank.
        diesel::insert_into(tanks::table)
            .values((tanks::id.eq(old.id), tanks::name.eq("placeholder"), tanks::volume_m3.eq(0.0)))
            .execute(conn)
            .unwrap();
        diesel::delete(tanks::table.find(old.id)).execute(conn).unwrap();
        let reborn = Tank::create(
            conn,
            &at(2, "new life", march(3, 8)),
            &(tanks::id.eq(old.id), tanks::name.eq("new"), tanks::volume_m3.eq(20.0)),
        )
        .unwrap();
        assert_eq!(reborn.id, old.id);

        let history = Tank::history(&old.id);
        assert_eq!(history.as_of(conn, march(1, 12)).unwrap().unwrap().name, "old");
        assert!(history.as_of(conn, march(2, 12)).unwrap().is_none(), "between the two lives");
        assert_eq!(history.as_of(conn, march(3, 12)).unwrap().unwrap().name, "new");
        let names = |rows: Vec<HistoricalTank>| rows.into_iter().map(|r| r.name).collect::<Vec<_>>();
        assert_eq!(names(Tank::as_of(march(1, 12)).load(conn).unwrap()), ["old"]);
        assert!(Tank::as_of(march(2, 12)).load(conn).unwrap().is_empty());
        assert_eq!(names(Tank::as_of(march(3, 12)).load(conn).unwrap()), ["new"]);
        assert_trail::<Tank, _>(conn, &old.id, &[
            Expected::created().by(1).reason("old"),
            Expected::deleted().by(1).reason("scrap"),
            Expected::created().by(2).reason("new life").changed(&["name", "volume_m3"]),
        ]);
    }

    fn as_of_a_table_gives_every_living_object_in_its_state_then_and_filters_that_state(db) {
        let conn = &mut db.conn;
        let a = Tank::create(conn, &at(1, "a", march(1, 8)), &NewTank::named("A")).unwrap();
        let b = Tank::create(conn, &at(1, "b", march(1, 9)), &NewTank::named("B")).unwrap();
        let c = Tank::create(conn, &at(1, "c", march(3, 8)), &NewTank::named("C")).unwrap();
        Tank::update(conn, &at(1, "grow", march(2, 8)), a.id, tanks::volume_m3.eq(70.0)).unwrap();
        Tank::update(conn, &at(1, "grow", march(4, 8)), a.id, tanks::volume_m3.eq(90.0)).unwrap();
        Tank::delete(conn, &at(1, "scrap", march(2, 12)), b.id).unwrap();

        let mut state = |t| {
            Tank::as_of(t)
                .load(conn)
                .unwrap()
                .into_iter()
                .map(|r| (r.name, r.volume_m3))
                .collect::<Vec<_>>()
        };
        assert_eq!(state(march(1, 9)), [("A".to_owned(), 40.0), ("B".to_owned(), 40.0)]);
        assert_eq!(state(march(2, 12)), [("A".to_owned(), 70.0)]);
        assert_eq!(state(march(3, 8)), [("A".to_owned(), 70.0), ("C".to_owned(), 40.0)]);
        assert_eq!(state(march(9, 0)), [("A".to_owned(), 90.0), ("C".to_owned(), 40.0)]);

        // The filter applies to the state at the time: A had 70 on the 3rd, 90 now.
        let big = Tank::as_of(march(3, 8))
            .filter(historical_tanks::volume_m3.gt(60.0))
            .load(conn)
            .unwrap();
        assert_eq!(big.iter().map(|r| r.id).collect::<Vec<_>>(), [a.id]);
        let none = Tank::as_of(march(3, 8))
            .filter(historical_tanks::volume_m3.gt(80.0))
            .filter(historical_tanks::name.eq("A"))
            .load(conn)
            .unwrap();
        assert!(none.is_empty());
        let _ = c;
    }

    fn as_of_works_on_composite_keys(db) {
        let conn = &mut db.conn;
        let tank = Tank::create(conn, &at(1, "t", march(1, 0)), &NewTank::named("T")).unwrap();
        for (code, population) in [("B-1", 100), ("B-2", 200)] {
            let a = Assignment { tank_id: tank.id, batch_code: code.into(), population };
            Assignment::create(conn, &at(1, "assign", march(1, 8)), &a).unwrap();
        }
        let key = (tank.id, "B-1".to_owned());
        Assignment::update(conn, &at(1, "count", march(2, 8)), key.clone(), assignments::population.eq(90)).unwrap();
        Assignment::delete(conn, &at(1, "harvest", march(3, 8)), (tank.id, "B-2".to_owned())).unwrap();

        let at_2 = Assignment::as_of(march(2, 9)).load(conn).unwrap();
        let seen: Vec<(String, i32)> = at_2.into_iter().map(|r| (r.batch_code, r.population)).collect();
        assert_eq!(seen, [("B-1".to_owned(), 90), ("B-2".to_owned(), 200)]);
        assert_eq!(Assignment::as_of(march(3, 9)).load(conn).unwrap().len(), 1);
        let history = Assignment::history(&key);
        assert_eq!(history.as_of(conn, march(1, 9)).unwrap().unwrap().population, 100);
        assert_eq!(history.trail(conn).unwrap().len(), 2);
    }

    fn previous_and_next_stay_within_the_object(db) {
        let conn = &mut db.conn;
        let a = Tank::create(conn, &at(1, "a", march(1, 8)), &NewTank::named("A")).unwrap();
        let b = Tank::create(conn, &at(1, "b", march(1, 9)), &NewTank::named("B")).unwrap();
        Tank::update(conn, &at(1, "a2", march(1, 10)), a.id, tanks::volume_m3.eq(1.0)).unwrap();
        let first = Tank::history(&a.id).earliest(conn).unwrap().unwrap();
        let next = first.next(conn).unwrap().unwrap();
        assert_eq!((next.id, next.volume_m3), (a.id, 1.0), "skips B's row in between");
        assert!(next.next(conn).unwrap().is_none());
        assert!(first.previous(conn).unwrap().is_none());
        let _ = b;
    }

    fn a_diff_lists_changed_fields_by_name_with_old_and_new_values(db) {
        let conn = &mut db.conn;
        let new = NewTank { internal_code: Some("X".into()), ..NewTank::named("T1") };
        let tank = Tank::create(conn, &at(1, "new", march(1, 8)), &new).unwrap();
        Tank::update(
            conn,
            &at(1, "edit", march(1, 9)),
            tank.id,
            (
                tanks::volume_m3.eq(55.0),
                tanks::notes.eq("north"),
                tanks::internal_code.eq("Y"),
            ),
        )
        .unwrap();
        let trail = Tank::history(&tank.id).trail(conn).unwrap();
        let diff = trail[0].diff_against(&trail[1]).unwrap();
        assert_eq!(diff.changed_fields(), ["notes", "volume_m3"], "excluded fields are never diffed");
        let notes = diff.get("notes").unwrap();
        assert_eq!((notes.old.clone(), notes.new.clone()), (serde_json::Value::Null, serde_json::json!("north")));
        assert_eq!(
            serde_json::to_value(&diff).unwrap(),
            serde_json::json!({ "changes": [
                { "field": "notes", "old": null, "new": "north" },
                { "field": "volume_m3", "old": 40.0, "new": 55.0 },
            ]})
        );

        let only = trail[0].diff_fields(&trail[1], Fields::Only(&["volume_m3", "name"])).unwrap();
        assert_eq!(only.changed_fields(), ["volume_m3"]);
        let except = trail[0].diff_fields(&trail[1], Fields::Except(&["volume_m3"])).unwrap();
        assert_eq!(except.changed_fields(), ["notes"]);
        assert!(trail[0].diff_against(&trail[0]).unwrap().is_empty());

        match trail[0].diff_fields(&trail[1], Fields::Except(&["internal_code"])) {
            Err(AuditError::UnknownField { field, excluded: true, tracked, .. }) => {
                assert_eq!(field, "internal_code");
                assert_eq!(tracked, ["commissioned_on", "id", "name", "notes", "volume_m3"]);
            }
            other => panic!("expected UnknownField, got {other:?}"),
        }
        let err = trail[0].diff_fields(&trail[1], Fields::Only(&["colour"])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Tank has no tracked field `colour`; tracked fields: commissioned_on, id, name, notes, volume_m3"
        );
    }

    fn a_diff_of_two_objects_is_an_error(db) {
        let conn = &mut db.conn;
        let a = Tank::create(conn, &at(1, "a", march(1, 8)), &NewTank::named("A")).unwrap();
        let b = Tank::create(conn, &at(1, "b", march(1, 8)), &NewTank::named("B")).unwrap();
        let ra = Tank::history(&a.id).latest(conn).unwrap().unwrap();
        let rb = Tank::history(&b.id).latest(conn).unwrap().unwrap();
        let err = rb.diff_against(&ra).unwrap_err();
        assert!(matches!(err, AuditError::DifferentObjects { .. }), "{err:?}");
        assert_eq!(err.to_string(), format!("cannot diff history rows of two Tank objects: {} and {}", a.id, b.id));
    }

    fn listings_filter_by_object_user_type_dates_and_columns(db) {
        let conn = &mut db.conn;
        let t1 = Tank::create(conn, &at(1, "t1", march(1, 8)), &NewTank::named("T1")).unwrap();
        let t2 = Tank::create(conn, &at(2, "t2", march(2, 8)), &NewTank::named("T2")).unwrap();
        Tank::update(conn, &at(2, "t1 by 2", march(3, 8)), t1.id, tanks::volume_m3.eq(5.0)).unwrap();
        Tank::delete(conn, &at(1, "t2 gone", march(4, 8)), t2.id).unwrap();
        let reasons = |page: audit_diesel::Page<HistoricalTank>| {
            page.items.into_iter().map(|r| r.history_change_reason.unwrap()).collect::<Vec<_>>()
        };

        assert_eq!(reasons(Tank::history_query().load(conn).unwrap()), ["t2 gone", "t1 by 2", "t2", "t1"]);
        assert_eq!(reasons(Tank::history_query().object(&t1.id).load(conn).unwrap()), ["t1 by 2", "t1"]);
        assert_eq!(reasons(Tank::history(&t1.id).query().user(2).load(conn).unwrap()), ["t1 by 2"]);
        assert_eq!(reasons(Tank::history_query().user(2).load(conn).unwrap()), ["t1 by 2", "t2"]);
        assert_eq!(reasons(Tank::history_query().history_type(HistoryType::Delete).load(conn).unwrap()), ["t2 gone"]);
        // Both bounds are inclusive.
        assert_eq!(
            reasons(Tank::history_query().since(march(2, 8)).until(march(3, 8)).load(conn).unwrap()),
            ["t1 by 2", "t2"]
        );
        assert_eq!(
            reasons(Tank::history_query().filter(historical_tanks::name.eq("T2")).load(conn).unwrap()),
            ["t2 gone", "t2"]
        );
        // A user id of the wrong kind for the model is an error, not an empty page.
        let err = Tank::history_query().user("alice").load(conn).unwrap_err();
        assert!(matches!(err, AuditError::UserIdType { .. }), "{err:?}");
    }

    fn feeding_history_of_one_tank_filters_on_the_indexed_foreign_key(db) {
        let conn = &mut db.conn;
        let t1 = Tank::create(conn, &at(1, "t", march(1, 0)), &NewTank::named("T1")).unwrap();
        let t2 = Tank::create(conn, &at(1, "t", march(1, 0)), &NewTank::named("T2")).unwrap();
        let fed = march(1, 6).naive_utc();
        for (tank, kg) in [(t1.id, 1.0), (t2.id, 2.0), (t1.id, 3.0)] {
            let new = NewFeeding { tank_id: tank, amount_kg: kg, fed_at: fed };
            Feeding::create(conn, &AuditContext::for_user(1), &new).unwrap();
        }
        let page = Feeding::history_query()
            .filter(historical_feedings::tank_id.eq(t1.id))
            .oldest_first()
            .with_total()
            .load(conn)
            .unwrap();
        let kgs: Vec<f64> = page.items.iter().map(|r| r.amount_kg).collect();
        assert_eq!(kgs, [1.0, 3.0]);
        assert_eq!(page.total, Some(2));
    }

    fn every_page_is_one_prepared_statement_and_a_last_page_needs_no_count(db) {
        let conn = &mut db.conn;
        let tank = Tank::create(conn, &at(1, "0", march(1, 0)), &NewTank::named("T1")).unwrap();
        for i in 1..10 {
            Tank::update(conn, &at(1, &i.to_string(), march(1, i)), tank.id, tanks::volume_m3.eq(f64::from(i))).unwrap();
        }
        let statements = Statements::default();
        conn.set_instrumentation(statements.clone());
        for page in 1..=3 {
            assert_eq!(Tank::history_query().page_size(3).page(page).load(conn).unwrap().items.len(), 3);
        }
        let cached = statements.cached();
        let pages = cached.iter().filter(|sql| sql.contains("historical_tanks") && sql.contains("LIMIT")).count();
        assert_eq!(pages, 1, "the offset is bound: {cached:#?}");

        statements.take();
        let last = Tank::history_query().page_size(3).page(4).with_total().load(conn).unwrap();
        assert_eq!((last.items.len(), last.total), (1, Some(10)));
        assert_eq!(statements.take().len(), 1, "the last page's rows end the count");
        let first = Tank::history_query().page_size(3).page(1).with_total().load(conn).unwrap();
        assert_eq!((first.items.len(), first.total), (3, Some(10)));
        assert_eq!(statements.take().len(), 2, "a page with a next one counts");
    }

    fn pages_cover_every_row_once_and_report_their_edges(db) {
        let conn = &mut db.conn;
        let tank = Tank::create(conn, &at(1, "0", march(1, 0)), &NewTank::named("T1")).unwrap();
        for i in 1..10 {
            Tank::update(conn, &at(1, &i.to_string(), march(1, i)), tank.id, tanks::volume_m3.eq(f64::from(i))).unwrap();
        }
        // 10 rows, pages of 5: two full pages, the second without a next.
        let q = || Tank::history_query().page_size(5).with_total();
        let p1 = q().page(1).load(conn).unwrap();
        let p2 = q().page(2).load(conn).unwrap();
        let p3 = q().page(3).load(conn).unwrap();
        assert_eq!(volumes(&p1.items), [9.0, 8.0, 7.0, 6.0, 5.0]);
        assert_eq!(volumes(&p2.items), [4.0, 3.0, 2.0, 1.0, 40.0]);
        assert!(p1.has_next && !p2.has_next);
        assert_eq!((p1.page, p1.total), (Some(1), Some(10)));
        assert!(p3.items.is_empty() && !p3.has_next, "a page past the end is empty");
        assert_eq!(Tank::history_query().page_size(3).page(4).load(conn).unwrap().items.len(), 1);

        match Tank::history_query().page_size(0).load(conn) {
            Err(AuditError::InvalidPageSize { requested: 0, max: 1000 }) => {}
            other => panic!("{other:?}"),
        }
        let err = Tank::history_query().page_size(51).max_page_size(50).load(conn).unwrap_err();
        assert_eq!(err.to_string(), "page size 51 is out of range: it must be between 1 and 50");
        assert!(matches!(Tank::history_query().page(0).load(conn), Err(AuditError::InvalidPage { page: 0 })));
        assert_eq!(Tank::history_query().page_size(50).max_page_size(50).load(conn).unwrap().items.len(), 10);

        // Keyset: from a row in hand, or from an id alone; together they cover everything once.
        let mut seen = Vec::new();
        let mut page = Tank::history_query().page_size(4).load(conn).unwrap();
        loop {
            seen.extend(volumes(&page.items));
            if !page.has_next {
                break;
            }
            let last = page.items.last().unwrap().clone();
            page = Tank::history_query().page_size(4).after(&last).load(conn).unwrap();
            assert_eq!(page.page, None);
        }
        assert_eq!(seen, [9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0, 40.0]);
        let fifth = &p1.items[4];
        let after_id = Tank::history_query().after_id(fifth.history_id).page_size(2).load(conn).unwrap();
        assert_eq!(volumes(&after_id.items), [4.0, 3.0]);
        let oldest = Tank::history_query().oldest_first().after_id(fifth.history_id).page_size(2).load(conn).unwrap();
        assert_eq!(volumes(&oldest.items), [6.0, 7.0]);
        match Tank::history_query().after_id(999_999).load(conn) {
            Err(AuditError::UnknownHistoryId { model, id }) => assert_eq!((model.as_str(), id.as_str()), ("Tank", "999999")),
            other => panic!("{other:?}"),
        }
    }

    fn revert_restores_a_past_state_as_an_audited_update(db) {
        let conn = &mut db.conn;
        let new = NewTank { internal_code: Some("keep".into()), ..NewTank::named("T1") };
        let tank = Tank::create(conn, &at(1, "new", march(1, 8)), &new).unwrap();
        Tank::update(conn, &at(1, "oops", march(1, 9)), tank.id, (tanks::volume_m3.eq(1.0), tanks::notes.eq("x"))).unwrap();
        let original = Tank::history(&tank.id).earliest(conn).unwrap().unwrap();

        let ctx = AuditContext::builder().user(9).reason("revert oops").build().unwrap();
        let restored = Tank::revert(conn, &ctx, &original).unwrap();
        assert_eq!((restored.volume_m3, restored.notes.clone()), (40.0, None));
        assert_eq!(restored.internal_code.as_deref(), Some("keep"), "untracked columns are left alone");
        assert_trail::<Tank, _>(conn, &tank.id, &[
            Expected::created(),
            Expected::updated().changed(&["notes", "volume_m3"]),
            Expected::updated().by(9).reason("revert oops").changed(&["notes", "volume_m3"]),
        ]);
    }

    fn revert_of_a_deleted_object_creates_it_again(db) {
        let conn = &mut db.conn;
        let tank = Tank::create(conn, &at(1, "new", march(1, 8)), &NewTank::named("T1")).unwrap();
        Tank::delete(conn, &at(1, "mistake", march(1, 9)), tank.id).unwrap();
        let before = Tank::history(&tank.id).as_of(conn, march(1, 8)).unwrap().unwrap();
        let ctx = AuditContext::builder().user(4).reason("undelete").build().unwrap();
        let back = Tank::revert(conn, &ctx, &before).unwrap();
        assert_eq!((back.id, back.name.as_str(), back.internal_code.clone()), (tank.id, "T1", None));
        assert_trail::<Tank, _>(conn, &tank.id, &[
            Expected::created().by(1),
            Expected::deleted().by(1).reason("mistake"),
            Expected::created().by(4).reason("undelete").changed(&[]),
        ]);
    }

    fn history_uses_uuid_ids_and_text_users_too(db) {
        let conn = &mut db.conn;
        let sensor = Sensor { id: 1, serial: "S-1".into(), active: true };
        let who = uuid::Uuid::new_v4();
        Sensor::create(conn, &AuditContext::for_user(who), &sensor).unwrap();
        Sensor::update(conn, &AuditContext::for_user(who), 1, sensors::active.eq(false)).unwrap();
        let page = Sensor::history_query().user(who).page_size(1).load(conn).unwrap();
        assert!(page.has_next);
        let rest = Sensor::history_query().user(who).after_id(page.items[0].history_id).load(conn).unwrap();
        assert_eq!(rest.items.len(), 1);
        assert_trail::<Sensor, _>(conn, &1, &[
            Expected::created().by(who),
            Expected::updated().by(who).changed(&["active"]),
        ]);

        Profile::create(conn, &AuditContext::for_user("auth0|ada"), &Profile { id: 1, display_name: "Ada".into() }).unwrap();
        assert_eq!(Profile::history_query().user("auth0|ada").load(conn).unwrap().items.len(), 1);
        assert!(Profile::history_query().user("someone").load(conn).unwrap().items.is_empty());
    }
}

#[test]
fn assert_trail_shows_expected_and_actual_side_by_side() {
    let mut db = TestDb::sqlite();
    let conn = &mut db.conn;
    let tank = Tank::create(conn, &at(1, "stocking", march(1, 8)), &NewTank::named("T1")).unwrap();
    Tank::update(
        conn,
        &at(2, "resized", march(1, 9)),
        tank.id,
        tanks::volume_m3.eq(9.0),
    )
    .unwrap();
    let failure = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        assert_trail::<Tank, _>(
            conn,
            &tank.id,
            &[
                Expected::created().by(1).reason("stocking"),
                Expected::updated().by(3).changed(&["name"]),
                Expected::deleted(),
            ],
        );
    }))
    .unwrap_err();
    let message = failure.downcast_ref::<String>().unwrap();
    assert_eq!(
        message,
        &format!(
            "history of Tank {} does not match (oldest first):\n\
             \x20    expected                   actual\n\
             \x20  1  + by 1, reason \"stocking\"  + by 1, reason \"stocking\", changed []\n\
             \x20  2  ~ by 3, changed [name]     ~ by 2, reason \"resized\", changed [volume_m3]   <- differs\n\
             \x20  3  -                          (none)   <- differs\n",
            tank.id
        )
    );
}
