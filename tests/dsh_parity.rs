//! What django-simple-history users reach for, on every backend; each test names the behaviour of
//! django-simple-history it mirrors.

mod common;

use audit_diesel::{AuditContext, AuditError, Historical, HistoryRecord, HistoryType, UserId};
use chrono::{TimeZone, Utc};
use common::*;
use diesel::prelude::*;

/// `Profile`'s table and history table, with django-simple-history's `cascade_delete_history`:
/// declared here, outside the models the migrations are generated from, since its history table
/// is `Profile`'s.
mod erasable {
    use audit_diesel::Historical;
    use diesel::prelude::*;

    pub use crate::common::profiles;

    #[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Historical)]
    #[diesel(table_name = profiles)]
    #[historical(
        table_name = historical_profiles,
        record = ErasedProfileRecord,
        user_id_type = text,
        metadata,
        record_unchanged,
        cascade_delete_history
    )]
    pub struct ErasableProfile {
        pub id: i32,
        pub display_name: String,
    }
}

use erasable::ErasableProfile;

/// `Feeding`'s table and history table with django-simple-history's
/// `pre_create_historical_record` / `post_create_historical_record`: a hook that refuses
/// feedings over 100 kg and stamps each row's `ip_address`, and one that logs every row written.
mod hooked {
    use std::sync::Mutex;

    use audit_diesel::hooks::{AfterHistory, BeforeHistory, HistoryHooks};
    use audit_diesel::{AuditError, Historical, HistoryType};
    use diesel::prelude::*;

    pub use crate::common::feedings;

    #[derive(Debug, Clone, PartialEq, Queryable, Selectable, Historical)]
    #[diesel(table_name = feedings)]
    #[historical(
        table_name = historical_feedings,
        record = HookedFeedingRecord,
        user_id_type = i32,
        hooks,
        history_field(ip_address: Option<String>),
        history_field(approved_at: Option<chrono::DateTime<chrono::Utc>>)
    )]
    pub struct HookedFeeding {
        pub id: i64,
        pub tank_id: i32,
        pub amount_kg: f64,
        pub fed_at: chrono::NaiveDateTime,
    }

    /// What the after-hook saw: (reason, type, feeding id, history id, date).
    pub type Seen = (String, HistoryType, i64, i64, chrono::DateTime<chrono::Utc>);

    /// Every row the after-hook saw, from every test; each test reads the rows of its reason.
    pub static SEEN: Mutex<Vec<Seen>> = Mutex::new(Vec::new());

    pub fn seen(reason: &str) -> Vec<(HistoryType, i64, i64)> {
        SEEN.lock()
            .unwrap()
            .iter()
            .filter(|s| s.0 == reason)
            .map(|s| (s.1, s.2, s.3))
            .collect()
    }

    impl HistoryHooks for HookedFeeding {
        fn before_history(event: &mut BeforeHistory<'_, Self>) -> Result<(), AuditError> {
            if event.instance().amount_kg > 100.0 {
                return Err(AuditError::Hook {
                    model: "HookedFeeding".into(),
                    message: "over 100 kg".into(),
                });
            }
            let stamp = format!(
                "{}:{}kg:{}",
                event.history_type(),
                event.instance().amount_kg,
                event.user().copied().unwrap_or(0)
            );
            event.set_history_field("ip_address", stamp)?;
            // A field the model does not declare is an error the hook sees.
            assert!(matches!(
                event.set_history_field("colour", "red"),
                Err(AuditError::UnknownField { .. })
            ));
            Ok(())
        }

        fn after_history(event: &AfterHistory<'_, Self>) -> Result<(), AuditError> {
            let reason = event.reason().unwrap_or_default().to_owned();
            if reason == "fail after" {
                return Err(AuditError::Hook {
                    model: "HookedFeeding".into(),
                    message: "after".into(),
                });
            }
            SEEN.lock().unwrap().push((
                reason,
                event.history_type(),
                event.instance().id,
                *event.history_id(),
                event.date(),
            ));
            Ok(())
        }
    }
}

use hooked::HookedFeeding;

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

    /// django-simple-history's `HistoricalQuerySet.latest_of_each()` (on `filter(history_date__lte=until)`):
    /// the newest record of each object up to the time, deletes included, the most recently
    /// changed object first.
    fn latest_of_each_keeps_deletes_and_lists_the_newest_change_first(db) {
        let conn = &mut db.conn;
        let march = |day| Utc.with_ymd_and_hms(2026, 3, day, 12, 0, 0).unwrap();
        let on = |day| AuditContext::builder().user(1).date(march(day)).build().unwrap();
        let a = Tank::create(conn, &on(1), &NewTank::named("A")).unwrap();
        let b = Tank::create(conn, &on(2), &NewTank::named("B")).unwrap();
        let c = Tank::create(conn, &on(3), &NewTank::named("C")).unwrap();
        Tank::update(conn, &on(4), a.id, tanks::volume_m3.eq(41.0)).unwrap();
        Tank::delete(conn, &on(5), b.id).unwrap();
        Tank::update(conn, &on(7), c.id, tanks::volume_m3.eq(99.0)).unwrap();

        let at_6: Vec<(String, HistoryType)> = Tank::latest_of_each(march(6))
            .load(conn)
            .unwrap()
            .into_iter()
            .map(|r| (r.name, r.history_type))
            .collect();
        let expected = [("B", HistoryType::Delete), ("A", HistoryType::Update), ("C", HistoryType::Create)];
        assert_eq!(at_6, expected.map(|(n, t)| (n.to_owned(), t)));

        // Before B's delete: B's create is its newest record.
        let at_4 = Tank::latest_of_each(march(4)).load(conn).unwrap();
        assert_eq!(at_4.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["A", "C", "B"]);
        assert!(at_4.iter().all(|r| r.history_type != HistoryType::Delete));

        // Filters apply to the newest record's state, and as_of is the same without deletes.
        let big = Tank::latest_of_each(march(8)).filter(historical_tanks::volume_m3.gt(50.0)).load(conn).unwrap();
        assert_eq!(big.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["C"]);
        let living: Vec<String> = Tank::as_of(march(6)).newest_first().load(conn).unwrap().into_iter().map(|r| r.name).collect();
        assert_eq!(living, ["A", "C"]);
        let by_key: Vec<i32> = Tank::latest_of_each(march(6)).by_key().load(conn).unwrap().into_iter().map(|r| r.id).collect();
        let mut keys = vec![a.id, b.id, c.id];
        keys.sort();
        assert_eq!(by_key, keys);
    }

    /// django-simple-history's `record.instance`: the model as the record holds it; fields
    /// excluded from history come from the live row, as django-simple-history takes them.
    fn a_record_rebuilds_its_model_with_excluded_fields_from_the_live_row(db) {
        let conn = &mut db.conn;
        let ctx = AuditContext::for_user(1);
        let new = NewTank { internal_code: Some("X1".into()), ..NewTank::named("T1") };
        let tank = Tank::create(conn, &ctx, &new).unwrap();
        Tank::update(conn, &ctx, tank.id, tanks::volume_m3.eq(55.0)).unwrap();
        diesel::update(tanks::table.find(tank.id)).set(tanks::internal_code.eq("X2")).execute(conn).unwrap();

        let first = Tank::history(&tank.id).earliest(conn).unwrap().unwrap();
        let then = first.instance(conn).unwrap();
        assert_eq!(then, Tank { volume_m3: 40.0, internal_code: Some("X2".into()), ..tank.clone() });

        let everyone = Tank::as_of(Utc::now()).load_instances(conn).unwrap();
        assert_eq!(everyone, [Tank { volume_m3: 55.0, internal_code: Some("X2".into()), ..tank.clone() }]);

        Tank::delete(conn, &ctx, tank.id).unwrap();
        match first.instance(conn) {
            Err(AuditError::InstanceNeedsLiveRow { model, excluded, .. }) => {
                assert_eq!((model.as_str(), excluded.as_slice()), ("Tank", ["internal_code".to_owned()].as_slice()));
            }
            other => panic!("expected InstanceNeedsLiveRow, got {other:?}"),
        }
        assert!(matches!(
            Tank::latest_of_each(Utc::now()).load_instances(conn),
            Err(AuditError::InstanceNeedsLiveRow { .. })
        ));
    }

    /// A model that tracks every field needs no live row: its deleted objects rebuild too.
    fn a_fully_tracked_model_rebuilds_deleted_objects(db) {
        let conn = &mut db.conn;
        let as_ada = AuditContext::for_user("ada");
        let ada = Profile { id: 1, display_name: "Ada".into() };
        Profile::create(conn, &as_ada, &ada).unwrap();
        Profile::delete(conn, &as_ada, 1).unwrap();
        let last = Profile::history(&1).latest(conn).unwrap().unwrap();
        assert_eq!(last.instance(conn).unwrap(), ada);
        assert_eq!(Profile::latest_of_each(Utc::now()).load_instances(conn).unwrap(), [ada]);
    }

    /// django-simple-history's `cascade_delete_history`: deleting an object deletes its history
    /// instead of writing `-`, in the delete's transaction; other objects keep theirs.
    fn cascade_delete_history_deletes_the_objects_history_with_it(db) {
        let conn = &mut db.conn;
        let ctx = AuditContext::for_user("ada");
        for (id, name) in [(1, "Ada"), (2, "Bob"), (3, "Cy")] {
            ErasableProfile::create(conn, &ctx, &ErasableProfile { id, display_name: name.into() }).unwrap();
            ErasableProfile::update(conn, &ctx, id, profiles::display_name.eq(format!("{name}!"))).unwrap();
        }
        let count = |conn: &mut _, id: i32| {
            erasable::historical_profiles::table
                .filter(erasable::historical_profiles::id.eq(id))
                .count()
                .get_result::<i64>(conn)
                .unwrap()
        };
        assert_eq!(count(conn, 1), 2);

        let gone = ErasableProfile::delete(conn, &ctx, 1).unwrap();
        assert_eq!(gone.display_name, "Ada!");
        assert_eq!((count(conn, 1), count(conn, 2)), (0, 2), "no `-` row and no trail; Bob keeps his");
        assert!(profiles::table.find(1).first::<ErasableProfile>(conn).optional().unwrap().is_none());

        // A failure later in the caller's transaction takes the history back with the row.
        let rolled_back: Result<(), AuditError> = conn.transaction(|conn| {
            ErasableProfile::delete(conn, &ctx, 2)?;
            Err(AuditError::NotFound { model: "test".into(), key: "rollback".into() })
        });
        assert!(rolled_back.is_err());
        assert_eq!(count(conn, 2), 2);

        let many = ErasableProfile::delete_where(conn, &ctx, profiles::id.ge(2)).unwrap();
        assert_eq!(many.len(), 2);
        assert_eq!(erasable::historical_profiles::table.count().get_result::<i64>(conn).unwrap(), 0);

        // The same table without the option keeps the trail and writes `-`.
        Profile::create(conn, &ctx, &Profile { id: 4, display_name: "Di".into() }).unwrap();
        Profile::delete(conn, &ctx, 4).unwrap();
        assert_eq!(Profile::history(&4).latest(conn).unwrap().unwrap().history_type, HistoryType::Delete);
    }

    /// django-simple-history's `bases=` (an abstract model adding, say, `ip_address` to every
    /// history row, set by a signal from the request): history-only fields, in the history
    /// table and the record only, set from the context of each write.
    fn history_only_fields_come_from_the_context(db) {
        let conn = &mut db.conn;
        let tank = Tank::create(conn, &AuditContext::for_user(1), &NewTank::named("T1")).unwrap();
        let fed_at = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap().and_hms_opt(8, 0, 0).unwrap();
        let request = AuditContext::builder()
            .user(5)
            .history_field("ip_address", "10.0.0.7")
            .history_field("approved_at", "2026-03-01T09:30:00Z")
            .build()
            .unwrap();
        let feeding = Feeding::create(conn, &request, &NewFeeding { tank_id: tank.id, amount_kg: 2.5, fed_at }).unwrap();
        Feeding::update(conn, &request.with_history_field("ip_address", "10.0.0.8"), feeding.id, feedings::amount_kg.eq(3.0)).unwrap();
        Feeding::delete(conn, &AuditContext::for_user(5), feeding.id).unwrap();

        let trail: Vec<(HistoryType, Option<String>, Option<chrono::DateTime<Utc>>)> = Feeding::history(&feeding.id)
            .trail(conn)
            .unwrap()
            .into_iter()
            .rev()
            .map(|r| (r.history_type, r.ip_address, r.approved_at))
            .collect();
        let approved = Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap();
        assert_eq!(
            trail,
            [
                (HistoryType::Create, Some("10.0.0.7".to_owned()), Some(approved)),
                (HistoryType::Update, Some("10.0.0.8".to_owned()), Some(approved)),
                (HistoryType::Delete, None, None),
            ]
        );

        // Bulk writes take them too; a model without the field ignores it.
        let rows: Vec<NewFeeding> = (1..4).map(|i| NewFeeding { tank_id: tank.id, amount_kg: f64::from(i), fed_at }).collect();
        let many = Feeding::create_many(conn, &request, &rows).unwrap();
        for f in &many {
            assert_eq!(Feeding::history(&f.id).latest(conn).unwrap().unwrap().ip_address.as_deref(), Some("10.0.0.7"));
        }
        Tank::update(conn, &request, tank.id, tanks::volume_m3.eq(41.0)).unwrap();
    }

    /// A value that does not fit the field's type is a typed error naming the field, and
    /// nothing is written.
    fn a_history_only_field_of_the_wrong_type_writes_nothing(db) {
        let conn = &mut db.conn;
        let tank = Tank::create(conn, &AuditContext::for_user(1), &NewTank::named("T1")).unwrap();
        let fed_at = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap().and_hms_opt(8, 0, 0).unwrap();
        let bad = AuditContext::for_user(5).with_history_field("approved_at", 42);
        match Feeding::create(conn, &bad, &NewFeeding { tank_id: tank.id, amount_kg: 2.5, fed_at }) {
            Err(AuditError::HistoryFieldType { model, field, value, .. }) => {
                assert_eq!((model.as_str(), field, value.as_str()), ("Feeding", "approved_at", "42"));
            }
            other => panic!("expected HistoryFieldType, got {other:?}"),
        }
        assert_eq!(feedings::table.count().get_result::<i64>(conn).unwrap(), 0);
        assert_eq!(historical_feedings::table.count().get_result::<i64>(conn).unwrap(), 0);
    }

    /// django-simple-history's `pre_create_historical_record` and
    /// `post_create_historical_record`: the before-hook sees each row as written and sets a
    /// history-only field of it; the after-hook sees the new row's `history_id`.
    fn hooks_run_around_each_history_row(db) {
        let conn = &mut db.conn;
        let tank = Tank::create(conn, &AuditContext::for_user(1), &NewTank::named("T1")).unwrap();
        let fed_at = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap().and_hms_opt(8, 0, 0).unwrap();
        // A reason of this run's own: the after-hook's log is shared by the tests of every backend.
        let run = uuid::Uuid::new_v4();
        let ctx = AuditContext::builder().user(9).reason(format!("hooks run {run}")).history_field("ip_address", "10.0.0.7").build().unwrap();
        let f = HookedFeeding::create(conn, &ctx, (feedings::tank_id.eq(tank.id), feedings::amount_kg.eq(2.5), feedings::fed_at.eq(fed_at))).unwrap();
        HookedFeeding::update(conn, &ctx, f.id, feedings::amount_kg.eq(3.0)).unwrap();
        HookedFeeding::update(conn, &ctx, f.id, feedings::amount_kg.eq(3.0)).unwrap(); // unchanged: no row, no hook
        HookedFeeding::delete(conn, &ctx, f.id).unwrap();

        let trail: Vec<(i64, HistoryType, Option<String>)> = HookedFeeding::history(&f.id)
            .trail(conn)
            .unwrap()
            .into_iter()
            .rev()
            .map(|r| (r.history_id, r.history_type, r.ip_address))
            .collect();
        assert_eq!(
            trail.iter().map(|t| (t.1, t.2.clone().unwrap())).collect::<Vec<_>>(),
            [
                (HistoryType::Create, "+:2.5kg:9".to_owned()),
                (HistoryType::Update, "~:3kg:9".to_owned()),
                (HistoryType::Delete, "-:3kg:9".to_owned()),
            ]
        );
        let seen = hooked::seen(&format!("hooks run {run}"));
        let ours: Vec<(HistoryType, i64, i64)> = seen.into_iter().filter(|s| s.1 == f.id).collect();
        assert_eq!(ours, trail.iter().map(|t| (t.1, f.id, t.0)).collect::<Vec<_>>(), "the after-hook saw each row's id");

        // Bulk writes call the hooks once per row.
        let rows: Vec<_> = (1..4)
            .map(|i| (feedings::tank_id.eq(tank.id), feedings::amount_kg.eq(f64::from(i)), feedings::fed_at.eq(fed_at)))
            .collect();
        let bulk = format!("hooks bulk {run}");
        let many = HookedFeeding::create_many(conn, &ctx.with_reason(bulk.clone()).unwrap(), &rows).unwrap();
        assert_eq!(hooked::seen(&bulk).iter().filter(|s| many.iter().any(|m| m.id == s.1)).count(), 3);
        for m in &many {
            let latest = HookedFeeding::history(&m.id).latest(conn).unwrap().unwrap();
            assert_eq!(latest.ip_address, Some(format!("+:{}kg:9", m.amount_kg)));
        }
    }

    /// A hook's error aborts the write: neither the change nor any history row is stored.
    fn a_hook_error_aborts_the_write(db) {
        let conn = &mut db.conn;
        let tank = Tank::create(conn, &AuditContext::for_user(1), &NewTank::named("T1")).unwrap();
        let fed_at = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap().and_hms_opt(8, 0, 0).unwrap();
        let ctx = AuditContext::builder().user(9).reason("hooks refuse").build().unwrap();
        let values = |kg: f64| (feedings::tank_id.eq(tank.id), feedings::amount_kg.eq(kg), feedings::fed_at.eq(fed_at));
        match HookedFeeding::create(conn, &ctx, values(500.0)) {
            Err(AuditError::Hook { message, .. }) => assert_eq!(message, "over 100 kg"),
            other => panic!("expected Hook, got {other:?}"),
        }
        assert_eq!(feedings::table.count().get_result::<i64>(conn).unwrap(), 0);

        let f = HookedFeeding::create(conn, &ctx, values(5.0)).unwrap();
        assert!(matches!(HookedFeeding::update(conn, &ctx, f.id, feedings::amount_kg.eq(500.0)), Err(AuditError::Hook { .. })));
        let fail_after = ctx.with_reason("fail after").unwrap();
        assert!(matches!(HookedFeeding::delete(conn, &fail_after, f.id), Err(AuditError::Hook { .. })));
        let row: HookedFeeding = feedings::table.find(f.id).first(conn).unwrap();
        assert_eq!(row.amount_kg, 5.0, "the refused update and delete changed nothing");
        assert_eq!(HookedFeeding::history(&f.id).trail(conn).unwrap().len(), 1);
    }
    /// django-simple-history's `bulk_create_with_history` with each object's own
    /// `_history_user`, `_change_reason` and `_history_date`: a context per row, over the call's
    /// field by field.
    fn bulk_create_takes_a_context_per_row(db) {
        let conn = &mut db.conn;
        let call = AuditContext::builder().user(7).reason("import").build().unwrap();
        let by_ada = Some(AuditContext::for_user(2));
        let dated = Some(AuditContext::builder().reason("backdated").date(Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap()).build().unwrap());
        let rows: Vec<NewTank> = (0..5).map(|i| NewTank::named(&format!("T{i}"))).collect();
        let contexts = [None, by_ada.clone(), by_ada, None, dated];
        let tanks = Tank::create_many_with_contexts(conn, &call, &rows, &contexts).unwrap();
        assert_eq!(tanks.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["T0", "T1", "T2", "T3", "T4"], "in row order");
        let seen: Vec<(Option<i64>, Option<String>, bool)> = tanks
            .iter()
            .map(|t| {
                let r = Tank::history(&t.id).latest(conn).unwrap().unwrap();
                (r.history_user_id, r.history_change_reason, r.history_date == Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap())
            })
            .collect();
        let import = || Some("import".to_owned());
        assert_eq!(
            seen,
            [
                (Some(7), import(), false),
                (Some(2), import(), false),
                (Some(2), import(), false),
                (Some(7), import(), false),
                (Some(7), Some("backdated".to_owned()), true),
            ]
        );

        match Tank::create_many_with_contexts(conn, &call, &rows, &[None]) {
            Err(AuditError::ContextsPerRow { rows, contexts, .. }) => assert_eq!((rows, contexts), (5, 1)),
            other => panic!("expected ContextsPerRow, got {other:?}"),
        }
        assert_eq!(tanks::table.count().get_result::<i64>(conn).unwrap(), 5, "the refused call wrote nothing");
    }

    /// django-simple-history's `bulk_update_with_history`: many objects, each with its own
    /// values, saved in one call; one `~` per object that changed (we skip unchanged objects, as
    /// `save` does), the models returned in the order given, the excluded column written too.
    fn bulk_save_writes_each_objects_own_values(db) {
        let conn = &mut db.conn;
        let ctx = AuditContext::builder().user(7).reason("survey").build().unwrap();
        let rows: Vec<NewTank> = (0..5).map(|i| NewTank::named(&format!("T{i}"))).collect();
        let mut tanks = Tank::create_many(conn, &ctx, &rows).unwrap();
        tanks[0].volume_m3 = 41.5;
        tanks[1].notes = Some("cracked lid".into());
        tanks[3].commissioned_on = chrono::NaiveDate::from_ymd_opt(2026, 5, 1);
        tanks[3].name = "T3-east".into();
        tanks[4].internal_code = Some("X-4".into()); // excluded from history
        // Given out of key order: returned in the order given.
        let given = vec![tanks[3].clone(), tanks[0].clone(), tanks[1].clone(), tanks[2].clone(), tanks[4].clone()];
        let saved = Tank::save_many_in_batches(conn, &ctx, &given, 2).unwrap();
        assert_eq!(saved, given);
        let live: Vec<Tank> = tanks::table.order(tanks::id).load(conn).unwrap();
        assert_eq!(live, tanks, "every column of every row is what was saved");
        let updates = Tank::history_query().history_type(HistoryType::Update).load(conn).unwrap().items;
        let mut changed: Vec<i32> = updates.iter().map(|r| r.id).collect();
        changed.sort();
        assert_eq!(changed, [tanks[0].id, tanks[1].id, tanks[3].id], "one ~ per object whose tracked fields changed");
        for r in &updates {
            let t = tanks.iter().find(|t| t.id == r.id).unwrap();
            assert_eq!((&r.name, r.volume_m3, &r.notes, r.commissioned_on), (&t.name, t.volume_m3, &t.notes, t.commissioned_on));
            assert_eq!((r.history_user_id, r.history_change_reason.as_deref()), (Some(7), Some("survey")));
        }
        assert!(Tank::save_many(conn, &ctx, &[]).unwrap().is_empty());
    }

    /// A bulk save is all or nothing: a model whose row is gone is `NotFound` naming its key,
    /// even in the last of several batches, and no row or history row is written; two models
    /// with one key, and a batch size of 0, are refused before anything is sent.
    fn bulk_save_is_all_or_nothing(db) {
        let conn = &mut db.conn;
        let ctx = AuditContext::for_user(7);
        let rows: Vec<NewTank> = (0..5).map(|i| NewTank::named(&format!("T{i}"))).collect();
        let mut tanks = Tank::create_many(conn, &ctx, &rows).unwrap();
        let gone = Tank::delete(conn, &ctx, tanks[4].id).unwrap();
        let before = Tank::history_query().with_total().load(conn).unwrap().total;
        for t in &mut tanks {
            t.volume_m3 = 99.0;
        }
        for batch_size in [1000, 2] {
            match Tank::save_many_in_batches(conn, &ctx, &tanks, batch_size) {
                Err(AuditError::NotFound { model, key }) => assert_eq!((model.as_str(), key), ("Tank", format!("{}", gone.id))),
                other => panic!("expected NotFound, got {other:?}"),
            }
        }
        let mut twice = tanks[..2].to_vec();
        twice.push(tanks[0].clone());
        match Tank::save_many(conn, &ctx, &twice) {
            Err(AuditError::DuplicateKey { key, .. }) => assert_eq!(key, format!("{}", tanks[0].id)),
            other => panic!("expected DuplicateKey, got {other:?}"),
        }
        assert!(matches!(Tank::save_many_in_batches(conn, &ctx, &tanks[..2], 0), Err(AuditError::InvalidBatchSize { requested: 0 })));
        let volumes: Vec<f64> = tanks::table.select(tanks::volume_m3).load(conn).unwrap();
        assert_eq!(volumes, [40.0; 4], "no refused call changed a row");
        assert_eq!(Tank::history_query().with_total().load(conn).unwrap().total, before, "nor wrote history");
    }

    /// A bulk save of composite keys, of a model that records every save (django-simple-history's
    /// behaviour: a `~` for every object), and of a model with nothing to set but its key.
    fn bulk_save_of_composite_keys_and_unchanged_rows(db) {
        let conn = &mut db.conn;
        let ctx = AuditContext::for_user(7);
        let t = Tank::create_many(conn, &ctx, &[NewTank::named("T1"), NewTank::named("T2")]).unwrap();
        let (t1, t2) = (t[0].id, t[1].id);
        let rows = [
            Assignment { tank_id: t1, batch_code: "B1".into(), population: 10 },
            Assignment { tank_id: t1, batch_code: "B2".into(), population: 20 },
            Assignment { tank_id: t2, batch_code: "B1".into(), population: 30 },
        ];
        let mut placed = Assignment::create_many(conn, &ctx, &rows).unwrap();
        placed[2].population = 31;
        placed[0].population = 9;
        Assignment::save_many(conn, &ctx, &placed).unwrap();
        let live: Vec<Assignment> = assignments::table.order((assignments::tank_id, assignments::batch_code)).load(conn).unwrap();
        assert_eq!(live, placed);
        let updated = Assignment::history_query().history_type(HistoryType::Update).load(conn).unwrap().items;
        let mut keys: Vec<(i32, String, i32)> = updated.into_iter().map(|r| (r.tank_id, r.batch_code, r.population)).collect();
        keys.sort();
        assert_eq!(keys, [(t1, "B1".to_owned(), 9), (t2, "B1".to_owned(), 31)]);

        let ctx = AuditContext::for_user("ada");
        let profiles = Profile::create_many(conn, &ctx, &[Profile { id: 1, display_name: "Ada".into() }, Profile { id: 2, display_name: "Bo".into() }]).unwrap();
        Profile::save_many(conn, &ctx, &profiles).unwrap();
        let unchanged = Profile::history_query().history_type(HistoryType::Update).with_total().load(conn).unwrap().total;
        assert_eq!(unchanged, Some(2), "record_unchanged writes a ~ for each object saved");

        let tags = TankTag::create_many(conn, &AuditContext::for_user(7), &[TankTag { tank_id: t1, tag: "hot".into() }]).unwrap();
        assert!(matches!(TankTag::save_many(conn, &AuditContext::for_user(7), &tags), Err(AuditError::EmptyChangeset { .. })));
    }

    /// django-simple-history's `bulk_update_with_history` with each object's own
    /// `_history_user` and `_change_reason`: a context per model, over the call's.
    fn bulk_save_takes_a_context_per_row(db) {
        let conn = &mut db.conn;
        let call = AuditContext::builder().user(7).reason("survey").build().unwrap();
        let rows: Vec<NewTank> = (0..4).map(|i| NewTank::named(&format!("T{i}"))).collect();
        let mut tanks = Tank::create_many(conn, &call, &rows).unwrap();
        for (i, t) in tanks.iter_mut().enumerate() {
            t.volume_m3 = 50.0 + i as f64;
        }
        let recount = Some(AuditContext::builder().user(9).reason("recount").build().unwrap());
        Tank::save_many_with_contexts(conn, &call, &tanks, &[None, recount.clone(), recount, None]).unwrap();
        let seen: Vec<(Option<i64>, Option<String>, f64)> = tanks
            .iter()
            .map(|t| {
                let r = Tank::history(&t.id).latest(conn).unwrap().unwrap();
                assert_eq!(r.history_type, HistoryType::Update);
                (r.history_user_id, r.history_change_reason, r.volume_m3)
            })
            .collect();
        let (survey, recount) = (|| Some("survey".to_owned()), || Some("recount".to_owned()));
        assert_eq!(seen, [(Some(7), survey(), 50.0), (Some(9), recount(), 51.0), (Some(9), recount(), 52.0), (Some(7), survey(), 53.0)]);
        match Tank::save_many_with_contexts(conn, &call, &tanks, &[None]) {
            Err(AuditError::ContextsPerRow { rows, contexts, .. }) => assert_eq!((rows, contexts), (4, 1)),
            other => panic!("expected ContextsPerRow, got {other:?}"),
        }
    }

    /// A bulk save of a model with hooks calls them once per changed object, as
    /// `bulk_update_with_history` sends `pre/post_create_historical_record` per object.
    fn bulk_save_runs_the_hooks_per_changed_object(db) {
        let conn = &mut db.conn;
        let tank = Tank::create(conn, &AuditContext::for_user(1), &NewTank::named("T1")).unwrap();
        let fed_at = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap().and_hms_opt(8, 0, 0).unwrap();
        let run = uuid::Uuid::new_v4();
        let ctx = AuditContext::builder().user(9).reason(format!("hooks save {run}")).build().unwrap();
        let rows: Vec<_> = (1..4)
            .map(|i| (feedings::tank_id.eq(tank.id), feedings::amount_kg.eq(f64::from(i)), feedings::fed_at.eq(fed_at)))
            .collect();
        let mut many = HookedFeeding::create_many(conn, &AuditContext::for_user(9), &rows).unwrap();
        many[0].amount_kg = 10.0;
        many[2].amount_kg = 30.0;
        HookedFeeding::save_many(conn, &ctx, &many).unwrap();
        let mut seen: Vec<(HistoryType, i64)> = hooked::seen(&format!("hooks save {run}")).into_iter().map(|s| (s.0, s.1)).collect();
        seen.sort();
        assert_eq!(seen, [(HistoryType::Update, many[0].id), (HistoryType::Update, many[2].id)]);
        let latest = HookedFeeding::history(&many[2].id).latest(conn).unwrap().unwrap();
        assert_eq!(latest.ip_address.as_deref(), Some("~:30kg:9"), "the before-hook set the row's field");
        many[1].amount_kg = 500.0;
        assert!(matches!(HookedFeeding::save_many(conn, &ctx, &many), Err(AuditError::Hook { .. })));
        let kg: Vec<f64> = feedings::table.order(feedings::id).select(feedings::amount_kg).load(conn).unwrap();
        assert_eq!(kg, [10.0, 2.0, 30.0], "the refused save changed nothing");
    }
}

/// What a hook costs, counted: on PostgreSQL a write of a hooked model is a transaction of the
/// data statement and the history insert (and, for an update that skips unchanged rows, one read
/// of the latest record), where a model without hooks sends one statement.
#[cfg(feature = "postgres")]
#[test]
fn a_hooked_write_on_postgres_is_a_short_transaction() {
    use diesel::connection::Connection as _;

    let mut db = TestDb::postgres();
    let conn = &mut db.conn;
    let tank = Tank::create(conn, &AuditContext::for_user(1), &NewTank::named("T1")).unwrap();
    let statements = Statements::default();
    conn.set_instrumentation(statements.clone());
    let ctx = AuditContext::builder()
        .user(9)
        .reason("counted")
        .build()
        .unwrap();
    let fed_at = chrono::NaiveDate::from_ymd_opt(2026, 3, 1)
        .unwrap()
        .and_hms_opt(8, 0, 0)
        .unwrap();
    let f = HookedFeeding::create(
        conn,
        &ctx,
        (
            feedings::tank_id.eq(tank.id),
            feedings::amount_kg.eq(2.5),
            feedings::fed_at.eq(fed_at),
        ),
    )
    .unwrap();
    let create = statements.take();
    HookedFeeding::update(conn, &ctx, f.id, feedings::amount_kg.eq(3.0)).unwrap();
    let update = statements.take();
    HookedFeeding::delete(conn, &ctx, f.id).unwrap();
    let delete = statements.take();
    Feeding::create(
        conn,
        &ctx,
        &NewFeeding {
            tank_id: tank.id,
            amount_kg: 2.5,
            fed_at,
        },
    )
    .unwrap();
    let plain = statements.take();

    let kinds = |sql: &[String]| -> Vec<String> {
        sql.iter()
            .map(|s| {
                s.split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_uppercase()
            })
            .collect()
    };
    assert_eq!(
        kinds(&create),
        ["BEGIN", "WITH", "INSERT", "COMMIT"],
        "{create:#?}"
    );
    assert_eq!(
        kinds(&update),
        ["BEGIN", "WITH", "SELECT", "INSERT", "COMMIT"],
        "{update:#?}"
    );
    assert_eq!(
        kinds(&delete),
        ["BEGIN", "WITH", "INSERT", "COMMIT"],
        "{delete:#?}"
    );
    assert_eq!(
        plain.len(),
        1,
        "a model without hooks keeps one statement: {plain:#?}"
    );
}

/// Per-row contexts keep the common case one statement: rows that all take the call's context
/// are one bulk write; each run of another context adds one statement, in a transaction.
#[cfg(feature = "postgres")]
#[test]
fn per_row_contexts_cost_one_statement_per_run_on_postgres() {
    let mut db = TestDb::postgres();
    let conn = &mut db.conn;
    let statements = Statements::default();
    diesel::connection::Connection::set_instrumentation(conn, statements.clone());
    let call = AuditContext::for_user(7);
    let rows: Vec<NewTank> = (0..4).map(|i| NewTank::named(&format!("T{i}"))).collect();
    Tank::create_many_with_contexts(conn, &call, &rows, &[None, None, None, None]).unwrap();
    assert_eq!(statements.take().len(), 1);
    let rows: Vec<NewTank> = (4..8).map(|i| NewTank::named(&format!("T{i}"))).collect();
    let other = Some(AuditContext::for_user(8));
    Tank::create_many_with_contexts(conn, &call, &rows, &[None, None, other.clone(), other])
        .unwrap();
    let sent = statements.take();
    let kinds: Vec<String> = sent
        .iter()
        .map(|s| {
            s.split_whitespace()
                .next()
                .unwrap_or_default()
                .to_uppercase()
        })
        .collect();
    assert_eq!(kinds, ["BEGIN", "WITH", "WITH", "COMMIT"], "{sent:#?}");
}

/// A bulk save on PostgreSQL is one statement per batch (`UPDATE ... FROM` the saved rows, with
/// the history insert in the same statement), whatever the number of objects.
#[cfg(feature = "postgres")]
#[test]
fn bulk_save_is_one_statement_per_batch_on_postgres() {
    let mut db = TestDb::postgres();
    let conn = &mut db.conn;
    let ctx = AuditContext::for_user(7);
    let rows: Vec<NewTank> = (0..250).map(|i| NewTank::named(&format!("T{i}"))).collect();
    let mut tanks = Tank::create_many(conn, &ctx, &rows).unwrap();
    for t in &mut tanks {
        t.volume_m3 += 1.0;
    }
    let statements = Statements::default();
    diesel::connection::Connection::set_instrumentation(conn, statements.clone());
    Tank::save_many(conn, &ctx, &tanks).unwrap();
    let one = statements.take();
    assert_eq!(one.len(), 1, "{one:#?}");
    assert!(
        one[0].contains("UPDATE \"tanks\" SET")
            && one[0].contains("INSERT INTO \"historical_tanks\""),
        "{}",
        one[0]
    );
    for t in &mut tanks {
        t.volume_m3 += 1.0;
    }
    Tank::save_many_in_batches(conn, &ctx, &tanks, 100).unwrap();
    let kinds: Vec<String> = statements
        .take()
        .iter()
        .map(|s| {
            s.split_whitespace()
                .next()
                .unwrap_or_default()
                .to_uppercase()
        })
        .collect();
    assert_eq!(kinds, ["BEGIN", "WITH", "WITH", "WITH", "COMMIT"]);
    let updates = Tank::history_query()
        .history_type(HistoryType::Update)
        .with_total()
        .load(conn)
        .unwrap();
    assert_eq!(updates.total, Some(500));
}
