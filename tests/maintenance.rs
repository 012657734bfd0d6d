//! Backfill and cleanup, on every backend.

mod common;

use std::time::Duration;

use audit_diesel::maintenance::{
    clean_duplicate_history, clean_old_history, populate_history, Backfill, CleanDuplicates,
    CleanOld,
};
use audit_diesel::{AuditContext, Historical, HistoryType};
use chrono::{TimeDelta, Utc};
use common::db::{Indexes, RefuseHistory};
use common::*;
use diesel::prelude::*;

fn backfill_ctx() -> AuditContext {
    ctx(99, "populate_history")
}

/// Tanks written with plain Diesel: rows that predate their history.
/// Their ids start at 1001, clear of the ids PostgreSQL's sequence hands out.
macro_rules! insert_legacy_tanks {
    ($conn:expr, $range:expr) => {
        for i in $range.map(|i: i32| i + 1000) {
            diesel::insert_into(tanks::table)
                .values((
                    tanks::id.eq(i),
                    tanks::name.eq(format!("L{i}")),
                    tanks::volume_m3.eq(f64::from(i)),
                ))
                .execute($conn)
                .unwrap();
        }
    };
}

on_each_backend! {
    fn backfill_writes_one_plus_row_per_existing_row_in_batches(db) {
        let conn = &mut db.conn;
        insert_legacy_tanks!(conn, 1..=10);
        let mut seen = Vec::new();
        let options = Backfill { batch_size: 3, ..Backfill::default() };
        let report = populate_history::<Tank, _>(conn, &backfill_ctx(), &options, |p| seen.push((p.done, p.total, p.written))).unwrap();
        assert_eq!((report.written, report.batches, report.skipped), (10, 4, false));
        assert_eq!(seen, [(3, 10, 3), (6, 10, 6), (9, 10, 9), (10, 10, 10)]);

        let history: Vec<HistoricalTank> = historical_tanks::table.order(historical_tanks::id).load(conn).unwrap();
        assert_eq!(history.iter().map(|r| r.id).collect::<Vec<_>>(), (1001..=1010).collect::<Vec<_>>());
        assert!(history.iter().all(|r| r.history_type == HistoryType::Create
            && r.history_user_id == Some(99)
            && r.history_change_reason.as_deref() == Some("populate_history")
            && r.name == format!("L{}", r.id)));
        let dates: std::collections::BTreeSet<_> = history.iter().map(|r| r.history_date).collect();
        assert_eq!(dates.len(), 1, "one date for the whole backfill");
    }

    fn backfill_is_idempotent_and_fills_only_the_gaps_when_asked(db) {
        let conn = &mut db.conn;
        insert_legacy_tanks!(conn, 1..=4);
        let first = populate_history::<Tank, _>(conn, &backfill_ctx(), &Backfill::default(), |_| {}).unwrap();
        assert_eq!(first.written, 4);
        let again = populate_history::<Tank, _>(conn, &backfill_ctx(), &Backfill::default(), |_| {}).unwrap();
        assert!(again.skipped, "a model with history is skipped");
        assert_eq!(again.written, 0);

        // Rows added behind the library's back, and one audited: only the first two lack history.
        insert_legacy_tanks!(conn, 5..=6);
        Tank::create(conn, &AuditContext::for_user(1), &NewTank::named("audited")).unwrap();
        let missing = Backfill { only_missing: true, batch_size: 2, ..Backfill::default() };
        let gaps = populate_history::<Tank, _>(conn, &backfill_ctx(), &missing, |_| {}).unwrap();
        assert_eq!(gaps.written, 2);
        let twice = populate_history::<Tank, _>(conn, &backfill_ctx(), &missing, |_| {}).unwrap();
        assert_eq!(twice.written, 0, "running it again writes nothing");
        assert_eq!(historical_tanks::table.count().get_result::<i64>(conn).unwrap(), 7);
    }

    fn backfill_walks_composite_keys_across_batch_boundaries(db) {
        let conn = &mut db.conn;
        insert_legacy_tanks!(conn, 1..=3);
        for tank in 1001..=1003 {
            for code in ["A", "B", "C"] {
                diesel::insert_into(assignments::table)
                    .values(&Assignment { tank_id: tank, batch_code: code.into(), population: tank * 10 })
                    .execute(conn)
                    .unwrap();
            }
        }
        let options = Backfill { batch_size: 2, ..Backfill::default() };
        let report = populate_history::<Assignment, _>(conn, &backfill_ctx(), &options, |_| {}).unwrap();
        assert_eq!((report.written, report.batches), (9, 5));
        let keys: Vec<(i32, String)> = historical_assignments::table
            .select((historical_assignments::tank_id, historical_assignments::batch_code))
            .order((historical_assignments::tank_id, historical_assignments::batch_code))
            .load(conn)
            .unwrap();
        assert_eq!(keys.len(), 9);
        keys.windows(2).for_each(|w| assert_ne!(w[0], w[1], "each row exactly once"));
    }

    fn backfill_with_deferred_indexes_writes_the_same_rows_and_rebuilds_every_index(db) {
        let conn = &mut db.conn;
        insert_legacy_tanks!(conn, 1..=7);
        let indexes = conn.index_names("historical_tanks");
        assert_eq!(indexes.len(), 4, "object, date, user and changeset: {indexes:?}");
        let options = Backfill { batch_size: 3, defer_indexes: true, ..Backfill::default() };
        let report = populate_history::<Tank, _>(conn, &backfill_ctx(), &options, |_| {}).unwrap();
        assert_eq!((report.written, report.batches), (7, 3));
        assert_eq!(conn.index_names("historical_tanks"), indexes, "every index built again");
        let ids: Vec<i32> = historical_tanks::table.select(historical_tanks::id).order(historical_tanks::id).load(conn).unwrap();
        assert_eq!(ids, (1001..=1007).collect::<Vec<_>>());
        // The rebuilt object index serves the trail as before.
        assert_eq!(Tank::history(&1003).trail(conn).unwrap().len(), 1);
    }

    fn backfill_with_deferred_indexes_that_fails_leaves_rows_and_indexes_as_they_were(db) {
        let conn = &mut db.conn;
        insert_legacy_tanks!(conn, 1..=5);
        let indexes = conn.index_names("historical_tanks");
        conn.refuse_history_with_reason("historical_tanks", "populate_history");
        let options = Backfill { batch_size: 2, defer_indexes: true, ..Backfill::default() };
        let err = populate_history::<Tank, _>(conn, &backfill_ctx(), &options, |_| {}).unwrap_err();
        assert!(err.to_string().contains("Tank"), "{err}");
        assert_eq!(conn.index_names("historical_tanks"), indexes, "the dropped indexes come back with the rollback");
        assert_eq!(historical_tanks::table.count().get_result::<i64>(conn).unwrap(), 0);
    }

    fn clean_old_in_batches_of_zero_is_an_error_and_deletes_nothing(db) {
        let conn = &mut db.conn;
        let long_ago = AuditContext::builder().user(1).date(Utc::now() - TimeDelta::days(90)).build().unwrap();
        Tank::create(conn, &long_ago, &NewTank::named("T1")).unwrap();
        let options = CleanOld { batch_size: Some(0), ..CleanOld::default() };
        assert!(matches!(
            clean_old_history::<Tank, _>(conn, &options),
            Err(audit_diesel::AuditError::InvalidBatchSize { requested: 0 })
        ));
        assert_eq!(historical_tanks::table.count().get_result::<i64>(conn).unwrap(), 1);
    }

    fn backfill_of_an_empty_table_writes_nothing(db) {
        let conn = &mut db.conn;
        let report = populate_history::<Tank, _>(conn, &backfill_ctx(), &Backfill::default(), |_| {}).unwrap();
        assert_eq!((report.written, report.batches), (0, 1));
        assert!(matches!(
            populate_history::<Tank, _>(conn, &backfill_ctx(), &Backfill { batch_size: 0, ..Backfill::default() }, |_| {}),
            Err(audit_diesel::AuditError::InvalidBatchSize { .. })
        ));
    }

    fn clean_duplicates_keeps_the_oldest_of_identical_rows_of_living_objects(db) {
        let conn = &mut db.conn;
        // Profile records every save, so unchanged saves leave identical rows.
        let as_ada = AuditContext::for_user("ada");
        let ada = Profile { id: 1, display_name: "Ada".into() };
        let bob = Profile { id: 2, display_name: "Bob".into() };
        Profile::create(conn, &as_ada, &ada).unwrap();
        ada.save(conn, &as_ada).unwrap(); // duplicate
        ada.save(conn, &as_ada).unwrap(); // duplicate
        Profile::update(conn, &as_ada, 1, profiles::display_name.eq("Ada L.")).unwrap();
        Profile::update(conn, &as_ada, 1, profiles::display_name.eq("Ada L.")).unwrap(); // duplicate
        Profile::create(conn, &as_ada, &bob).unwrap();
        bob.save(conn, &as_ada).unwrap(); // duplicate, but Bob will be deleted
        Profile::delete(conn, &as_ada, 2).unwrap();

        let dry = clean_duplicate_history::<Profile, _>(conn, &CleanDuplicates { dry_run: true, ..Default::default() }).unwrap();
        assert_eq!((dry.rows, dry.dry_run), (3, true));
        assert_eq!(historical_profiles::table.count().get_result::<i64>(conn).unwrap(), 8, "a dry run deletes nothing");

        let done = clean_duplicate_history::<Profile, _>(conn, &CleanDuplicates::default()).unwrap();
        assert_eq!(done.rows, 3);
        let ada_trail: Vec<(HistoryType, String)> = Profile::history(&1)
            .trail(conn)
            .unwrap()
            .into_iter()
            .rev()
            .map(|r| (r.history_type, r.display_name))
            .collect();
        assert_eq!(ada_trail, [(HistoryType::Create, "Ada".into()), (HistoryType::Update, "Ada L.".into())]);
        assert_eq!(Profile::history(&2).trail(conn).unwrap().len(), 3, "Bob is gone: his history stays");
        assert_eq!(clean_duplicate_history::<Profile, _>(conn, &CleanDuplicates::default()).unwrap().rows, 0);
    }

    fn clean_duplicates_can_look_only_at_recent_rows(db) {
        let conn = &mut db.conn;
        let long_ago = AuditContext::builder().user("ada").date(Utc::now() - TimeDelta::days(2)).build().unwrap();
        let now = AuditContext::for_user("ada");
        let ada = Profile { id: 1, display_name: "Ada".into() };
        Profile::create(conn, &long_ago, &ada).unwrap();
        ada.save(conn, &long_ago).unwrap(); // old duplicate: out of the window
        ada.save(conn, &now).unwrap(); // recent duplicate
        let recent = CleanDuplicates { within: Some(Duration::from_secs(3600)), ..Default::default() };
        assert_eq!(clean_duplicate_history::<Profile, _>(conn, &recent).unwrap().rows, 1);
        assert_eq!(Profile::history(&1).trail(conn).unwrap().len(), 2);
    }

    /// django-simple-history's `clean_duplicate_history --excluded_fields`: rows that differ from
    /// the one before them only in the excluded fields are duplicates; an unknown name is an
    /// error and deletes nothing.
    fn clean_duplicates_can_ignore_excluded_fields(db) {
        let conn = &mut db.conn;
        let ctx = AuditContext::for_user(1);
        let t = Tank::create(conn, &ctx, &NewTank::named("T1")).unwrap();
        Tank::update(conn, &ctx, t.id, tanks::volume_m3.eq(41.0)).unwrap(); // only the volume
        Tank::update(conn, &ctx, t.id, tanks::name.eq("T1b")).unwrap();
        let plain = clean_duplicate_history::<Tank, _>(conn, &CleanDuplicates { dry_run: true, ..Default::default() }).unwrap();
        assert_eq!(plain.rows, 0, "every row differs from the one before it");

        let unknown = CleanDuplicates { excluded_fields: vec!["volume_m3".into(), "colour".into()], ..Default::default() };
        match clean_duplicate_history::<Tank, _>(conn, &unknown) {
            Err(audit_diesel::AuditError::UnknownField { field, excluded, tracked, .. }) => {
                assert_eq!((field.as_str(), excluded), ("colour", false));
                assert!(tracked.contains(&"volume_m3".to_owned()), "{tracked:?}");
            }
            other => panic!("expected UnknownField, got {other:?}"),
        }
        let untracked = CleanDuplicates { excluded_fields: vec!["internal_code".into()], ..Default::default() };
        assert!(matches!(
            clean_duplicate_history::<Tank, _>(conn, &untracked),
            Err(audit_diesel::AuditError::UnknownField { excluded: true, .. })
        ));
        assert_eq!(Tank::history(&t.id).trail(conn).unwrap().len(), 3, "a refused call deletes nothing");

        let volume = CleanDuplicates { excluded_fields: vec!["volume_m3".into()], ..Default::default() };
        assert_eq!(clean_duplicate_history::<Tank, _>(conn, &volume).unwrap().rows, 1);
        let trail: Vec<(String, f64)> = Tank::history(&t.id).trail(conn).unwrap().into_iter().rev().map(|r| (r.name, r.volume_m3)).collect();
        assert_eq!(trail, [("T1".to_owned(), 40.0), ("T1b".to_owned(), 41.0)]);

        // With every tracked column but the key excluded, every `~` row is a duplicate.
        Tank::update(conn, &ctx, t.id, tanks::name.eq("T1c")).unwrap();
        let all = CleanDuplicates {
            excluded_fields: ["name", "volume_m3", "notes", "commissioned_on"].map(String::from).to_vec(),
            ..Default::default()
        };
        assert_eq!(clean_duplicate_history::<Tank, _>(conn, &all).unwrap().rows, 2);
        assert_eq!(Tank::history(&t.id).trail(conn).unwrap().len(), 1);
    }

    fn clean_old_deletes_by_age_and_can_keep_each_objects_latest_row(db) {
        let conn = &mut db.conn;
        let days_ago = |d| AuditContext::builder().user(1).date(Utc::now() - TimeDelta::days(d)).build().unwrap();
        let a = Tank::create(conn, &days_ago(100), &NewTank::named("A")).unwrap();
        Tank::update(conn, &days_ago(90), a.id, tanks::volume_m3.eq(1.0)).unwrap();
        Tank::update(conn, &days_ago(10), a.id, tanks::volume_m3.eq(2.0)).unwrap();
        let b = Tank::create(conn, &days_ago(60), &NewTank::named("B")).unwrap();
        Tank::update(conn, &days_ago(40), b.id, tanks::volume_m3.eq(3.0)).unwrap();

        let keep = CleanOld { keep_latest: true, ..CleanOld::default() };
        let dry = clean_old_history::<Tank, _>(conn, &CleanOld { dry_run: true, ..keep.clone() }).unwrap();
        assert_eq!(dry.rows, 3, "A's two old rows and B's create; B's latest (40 days) stays");
        assert_eq!(historical_tanks::table.count().get_result::<i64>(conn).unwrap(), 5);
        let done = clean_old_history::<Tank, _>(conn, &CleanOld { batch_size: Some(1), ..keep }).unwrap();
        assert_eq!(done.rows, 3);
        assert_eq!(Tank::history(&a.id).trail(conn).unwrap().len(), 1);
        assert_eq!(Tank::history(&b.id).latest(conn).unwrap().unwrap().volume_m3, 3.0);

        let all_old = clean_old_history::<Tank, _>(conn, &CleanOld::default()).unwrap();
        assert_eq!(all_old.rows, 1, "without keep_latest B's last row goes too (older than 30 days)");
        assert_eq!(historical_tanks::table.count().get_result::<i64>(conn).unwrap(), 1);
    }
}
