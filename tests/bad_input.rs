//! Unusual but legal input, on every backend: it gets a typed error naming what was wrong, or the
//! answer it means, and never a panic, a wrapped number or deleted history.

mod common;

use std::time::Duration;

use audit_diesel::cli::CliError;
use audit_diesel::maintenance::{
    clean_duplicate_history, clean_old_history, CleanDuplicates, CleanOld,
};
use audit_diesel::Registry;
use audit_diesel::{history_date, AuditContext, AuditError, ContextError, Historical};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use common::db::LooseKey;
use common::*;
use diesel::prelude::*;

/// Runs the CLI with `args`, returning its result and output.
fn cli<C: audit_diesel::AuditConnection>(
    conn: &mut C,
    registry: &Registry<C>,
    args: &[&str],
) -> (Result<(), CliError>, String) {
    let mut out = Vec::new();
    let result = registry.run(
        conn,
        std::iter::once("farm-audit").chain(args.iter().copied()),
        &mut out,
    );
    (result, String::from_utf8(out).unwrap())
}

fn year(y: i32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, 1, 1, 0, 0, 0).unwrap()
}

fn dated(date: DateTime<Utc>) -> AuditContext {
    AuditContext::builder()
        .user(1)
        .reason("dated")
        .date(date)
        .build()
        .unwrap()
}

on_each_backend! {
    fn clean_old_with_an_age_before_year_1_deletes_nothing_and_never_wraps(db) {
        let conn = &mut db.conn;
        let registry = Registry::new().model::<Tank>();
        // Two days old: what a wrapped 213503982334602 days (about 17 hours) used to delete.
        Tank::create(conn, &dated(Utc::now() - TimeDelta::days(2)), &NewTank::named("T1")).unwrap();
        Tank::create(conn, &dated(year(1)), &NewTank::named("T2")).unwrap();
        let count = |conn: &mut _| historical_tanks::table.count().get_result::<i64>(conn).unwrap();
        for days in ["18446744073709551615", "213503982334602", "100000000", "750000"] {
            for dry_run in [false, true] {
                let mut args = vec!["clean-old", "Tank", "--days", days];
                if dry_run {
                    args.push("--dry-run");
                }
                let (result, out) = cli(conn, &registry, &args);
                result.unwrap_or_else(|e| panic!("--days {days}: {e}"));
                assert!(out.ends_with(" 0 old rows\n"), "--days {days}: {out}");
                assert_eq!(count(conn), 2, "--days {days}");
            }
        }
        for older_than in [Duration::MAX, Duration::from_secs(u64::MAX), Duration::from_secs(750_000 * 86_400)] {
            let options = CleanOld { older_than, ..CleanOld::default() };
            assert_eq!(options.cutoff(), None);
            assert_eq!(clean_old_history::<Tank, _>(conn, &options).unwrap().rows, 0);
        }
        assert_eq!(count(conn), 2);
        // The boundary still works: everything older than a day goes, including year 1.
        let (result, out) = cli(conn, &registry, &["clean-old", "Tank", "--days", "1"]);
        result.unwrap();
        assert!(out.ends_with("deleted 2 old rows\n"), "{out}");
    }

    fn clean_duplicates_with_a_window_before_year_1_is_an_error_naming_it(db) {
        let conn = &mut db.conn;
        let registry = Registry::new().model::<Profile>();
        let ada = Profile { id: 1, display_name: "Ada".into() };
        let as_ada = AuditContext::for_user("ada");
        Profile::create(conn, &as_ada, &ada).unwrap();
        ada.save(conn, &as_ada).unwrap();
        let count = |conn: &mut _| historical_profiles::table.count().get_result::<i64>(conn).unwrap();
        for minutes in ["18446744073709551615", "1000000000000", "400000000000"] {
            let (result, out) = cli(conn, &registry, &["clean-duplicates", "--auto", "--minutes", minutes]);
            match result {
                Err(CliError::ArgumentOutOfRange { argument, value, .. }) => {
                    assert_eq!((argument, value.as_str()), ("--minutes", minutes));
                }
                other => panic!("--minutes {minutes}: expected ArgumentOutOfRange, got {other:?}"),
            }
            assert!(out.is_empty());
            assert_eq!(count(conn), 2, "--minutes {minutes}");
        }
        let options = CleanDuplicates { within: Some(Duration::MAX), ..Default::default() };
        match clean_duplicate_history::<Profile, _>(conn, &options) {
            Err(AuditError::DurationOutOfRange { argument: "within", .. }) => {}
            other => panic!("expected DurationOutOfRange, got {other:?}"),
        }
        assert_eq!(count(conn), 2);
        let (result, out) = cli(conn, &registry, &["clean-duplicates", "--auto", "--minutes", "60"]);
        result.unwrap();
        assert_eq!(out, "Profile                  deleted 1 duplicate rows\n");
    }

    fn explicit_dates_across_years_1_to_9999_round_trip(db) {
        let conn = &mut db.conn;
        let dates = [
            history_date::earliest(),
            Utc.with_ymd_and_hms(1677, 9, 20, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(2262, 4, 12, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2300, 1, 1, 0, 0, 0).unwrap() + TimeDelta::nanoseconds(123_456_789),
            history_date::latest(),
        ];
        for (i, date) in dates.into_iter().enumerate() {
            let tank = Tank::create(conn, &dated(date), &NewTank::named(&format!("T{i}"))).unwrap();
            let row = Tank::history(&tank.id).latest(conn).unwrap().unwrap();
            assert_eq!(row.history_date, history_date::truncate_to_micros(date), "{date}");
        }
        assert!(matches!(
            AuditContext::builder().date(year(10000)).build(),
            Err(ContextError::DateOutOfRange { .. })
        ));
        // The whole table read in date order: year 1 first, year 9999 last.
        let oldest_first = Tank::history_query().oldest_first().load(conn).unwrap().items;
        let names: Vec<&str> = oldest_first.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["T0", "T1", "T2", "T3", "T4"]);
    }

    fn read_bounds_outside_years_1_to_9999_are_refused_and_the_extremes_read_everything(db) {
        let conn = &mut db.conn;
        let tank = Tank::create(conn, &ctx(1, "new"), &NewTank::named("T1")).unwrap();
        Tank::update(conn, &ctx(1, "resized"), tank.id, tanks::volume_m3.eq(55.0)).unwrap();
        for (argument, date) in [("until", year(10000)), ("since", year(10000)), ("since", year(0)), ("until", year(-5))] {
            let query = Tank::history_query();
            let query = if argument == "until" { query.until(date) } else { query.since(date) };
            for result in [query.load(conn).map(|p| p.items.len() as i64), query.count(conn)] {
                match result {
                    Err(AuditError::DateOutOfRange { argument: a, date: d }) => {
                        assert_eq!((a, d), (argument, date.to_rfc3339()));
                    }
                    other => panic!("{argument} {date}: expected DateOutOfRange, got {other:?}"),
                }
            }
        }
        for at in [year(10000), year(0), DateTime::<Utc>::MAX_UTC] {
            assert!(matches!(Tank::history(&tank.id).as_of(conn, at), Err(AuditError::DateOutOfRange { argument: "as_of", .. })));
            assert!(matches!(Tank::as_of(at).load(conn), Err(AuditError::DateOutOfRange { argument: "as_of", .. })));
        }
        let all = Tank::history_query().since(history_date::earliest()).until(history_date::latest()).load(conn).unwrap();
        assert_eq!(all.items.len(), 2);
        assert_eq!(Tank::history(&tank.id).as_of(conn, history_date::latest()).unwrap().unwrap().volume_m3, 55.0);
        assert_eq!(Tank::as_of(history_date::latest()).load(conn).unwrap().len(), 1);
        assert!(Tank::history(&tank.id).as_of(conn, history_date::earliest()).unwrap().is_none());
    }

    fn page_sizes_and_pages_at_the_limits_of_u64_are_errors_or_empty_never_panics(db) {
        let conn = &mut db.conn;
        let tank = Tank::create(conn, &ctx(1, "new"), &NewTank::named("T1")).unwrap();
        for v in 0..3 {
            Tank::update(conn, &ctx(1, "resized"), tank.id, tanks::volume_m3.eq(50.0 + f64::from(v))).unwrap();
        }
        for size in [u64::MAX, u64::MAX - 1, i64::MAX as u64] {
            match Tank::history_query().max_page_size(u64::MAX).page_size(size).load(conn) {
                Err(AuditError::InvalidPageSize { requested, max }) => {
                    assert_eq!((requested, max), (size, i64::MAX as u64 - 1));
                }
                other => panic!("page size {size}: expected InvalidPageSize, got {other:?}"),
            }
        }
        // The largest size a LIMIT takes reads every row.
        let page = Tank::history_query().max_page_size(u64::MAX).page_size(i64::MAX as u64 - 1).with_total().load(conn).unwrap();
        assert_eq!((page.items.len(), page.has_next, page.total), (4, false, Some(4)));
        for (page_number, size) in [(u64::MAX, 25), (u64::MAX, 1000), (2, i64::MAX as u64 - 1), (u64::MAX / 2, 3)] {
            let page = Tank::history_query().max_page_size(u64::MAX).page(page_number).page_size(size).with_total().load(conn).unwrap();
            assert!(page.items.is_empty() && !page.has_next, "page {page_number} of {size}");
            assert_eq!(page.total, Some(4), "page {page_number} of {size}");
        }
    }

    fn a_write_by_key_that_matches_several_rows_is_a_typed_error_and_writes_nothing(db) {
        let conn = &mut db.conn;
        conn.drop_primary_key_of_tanks();
        for name in ["twin A", "twin B"] {
            diesel::insert_into(tanks::table)
                .values((tanks::id.eq(7), tanks::name.eq(name), tanks::volume_m3.eq(10.0)))
                .execute(conn)
                .unwrap();
        }
        let rows = |conn: &mut _| -> Vec<(i32, String, f64)> {
            tanks::table.select((tanks::id, tanks::name, tanks::volume_m3)).order(tanks::name).load(conn).unwrap()
        };
        let before = rows(conn);
        let expect_key_not_unique = |result: Result<Tank, AuditError>, what: &str| match result {
            Err(AuditError::KeyNotUnique { model, key, rows }) => {
                assert_eq!((model.as_str(), key.as_str(), rows), ("Tank", "7", 2), "{what}");
            }
            other => panic!("{what}: expected KeyNotUnique, got {other:?}"),
        };
        let err = Tank::update(conn, &ctx(1, "resize"), 7, tanks::volume_m3.eq(99.0)).unwrap_err();
        assert_eq!(err.to_string(), "2 rows of Tank have key 7: the table's primary key is not unique in the database; nothing was written");
        expect_key_not_unique(Err(err), "update");
        let twin = Tank { id: 7, name: "twin A".into(), volume_m3: 20.0, notes: None, commissioned_on: None, internal_code: None };
        expect_key_not_unique(twin.save(conn, &ctx(1, "save")), "save");
        expect_key_not_unique(Tank::delete(conn, &ctx(1, "delete"), 7), "delete");
        assert_eq!(rows(conn), before);
        assert_eq!(historical_tanks::table.count().get_result::<i64>(conn).unwrap(), 0);
        // A key that matches one row still works on the same table.
        diesel::update(tanks::table.filter(tanks::name.eq("twin B"))).set(tanks::id.eq(8)).execute(conn).unwrap();
        assert_eq!(Tank::update(conn, &ctx(1, "resize"), 8, tanks::volume_m3.eq(99.0)).unwrap().volume_m3, 99.0);
        assert_eq!(historical_tanks::table.count().get_result::<i64>(conn).unwrap(), 1);
    }

    fn a_create_given_several_rows_is_a_typed_error_and_writes_nothing(db) {
        let conn = &mut db.conn;
        let rows = [NewTank::named("A"), NewTank::named("B")];
        match Tank::create(conn, &ctx(1, "two at once"), &rows[..]) {
            Err(AuditError::CreateTakesOneRow { model, rows }) => assert_eq!((model.as_str(), rows), ("Tank", 2)),
            other => panic!("expected CreateTakesOneRow, got {other:?}"),
        }
        assert_eq!(tanks::table.count().get_result::<i64>(conn).unwrap(), 0);
        assert_eq!(historical_tanks::table.count().get_result::<i64>(conn).unwrap(), 0);
        assert_eq!(Tank::create_many(conn, &ctx(1, "two at once"), &rows[..]).unwrap().len(), 2);
    }

    fn sub_microsecond_bounds_and_leap_seconds_mean_the_same_on_every_backend(db) {
        let conn = &mut db.conn;
        let micro = TimeDelta::microseconds(1);
        let half = TimeDelta::nanoseconds(500);
        // One row a microsecond after midnight, before and after 2000 (PostgreSQL's epoch).
        for (i, base) in [year(1990), year(2030)].into_iter().enumerate() {
            let tank = Tank::create(conn, &dated(base + micro), &NewTank::named(&format!("T{i}"))).unwrap();
            let id = tank.id;
            let mut only = |q: audit_diesel::HistoryQuery<'_, Tank>| q.load(&mut *conn).unwrap().items.len();
            assert_eq!(only(Tank::history(&id).query().until(base + half)), 0, "{base}: until just before the row");
            assert_eq!(only(Tank::history(&id).query().until(base + micro + half)), 1, "{base}: until just after");
            assert_eq!(only(Tank::history(&id).query().since(base + half)), 1, "{base}: since just before");
            assert_eq!(only(Tank::history(&id).query().since(base + micro + half)), 0, "{base}: since just after");
            assert!(Tank::history(&id).as_of(conn, base + half).unwrap().is_none(), "{base}");
            assert!(Tank::history(&id).as_of(conn, base + micro + half).unwrap().is_some(), "{base}");
        }
        // A leap second is stored as the last microsecond before it, alike on every backend.
        let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31).unwrap()
            .and_hms_nano_opt(23, 59, 59, 1_500_000_000).unwrap().and_utc();
        let tank = Tank::create(conn, &dated(leap), &NewTank::named("leap")).unwrap();
        let row = Tank::history(&tank.id).latest(conn).unwrap().unwrap();
        assert_eq!(row.history_date, Utc.with_ymd_and_hms(2016, 12, 31, 23, 59, 59).unwrap() + TimeDelta::microseconds(999_999));
        assert_eq!(Tank::history(&tank.id).query().since(leap).load(conn).unwrap().items.len(), 0);
        assert_eq!(Tank::history(&tank.id).query().until(leap).load(conn).unwrap().items.len(), 1);
    }

    fn a_keyset_cursor_dated_outside_the_range_is_refused(db) {
        let conn = &mut db.conn;
        let tank = Tank::create(conn, &ctx(1, "new"), &NewTank::named("T1")).unwrap();
        let mut record = Tank::history(&tank.id).latest(conn).unwrap().unwrap();
        record.history_date = year(10000);
        assert!(matches!(Tank::history_query().after(&record).load(conn), Err(AuditError::DateOutOfRange { argument: "after", .. })));
        use audit_diesel::HistoryRecord;
        assert!(matches!(record.previous(conn), Err(AuditError::DateOutOfRange { argument: "history_date", .. })));
        assert!(matches!(record.next(conn), Err(AuditError::DateOutOfRange { argument: "history_date", .. })));
    }

    fn a_user_id_that_one_model_cannot_hold_refuses_the_whole_backfill(db) {
        // Found by the CLI property: Tank was filled, then Profile (text user ids) refused.
        let conn = &mut db.conn;
        diesel::insert_into(tanks::table)
            .values((tanks::id.eq(1000), tanks::name.eq("legacy"), tanks::volume_m3.eq(1.0)))
            .execute(conn)
            .unwrap();
        diesel::insert_into(profiles::table)
            .values((profiles::id.eq(1), profiles::display_name.eq("Ada")))
            .execute(conn)
            .unwrap();
        let registry = Registry::new().model::<Tank>().model::<Profile>();
        let (result, out) = cli(conn, &registry, &["populate", "--auto", "--missing", "--user", "0"]);
        match result {
            Err(CliError::Audit(AuditError::UserIdType { model, .. })) => assert_eq!(model, "Profile"),
            other => panic!("expected UserIdType, got {other:?}"),
        }
        assert!(out.is_empty());
        assert_eq!(historical_tanks::table.count().get_result::<i64>(conn).unwrap(), 0);
        assert_eq!(historical_profiles::table.count().get_result::<i64>(conn).unwrap(), 0);
        let (result, _) = cli(conn, &registry, &["populate", "Tank", "--user", "0"]);
        result.unwrap();
        assert_eq!(historical_tanks::table.count().get_result::<i64>(conn).unwrap(), 1);
        // A model a backfill skips (it has history and --missing is off) does not need to take
        // the user id: Tank is skipped here, Profile has no history yet and takes "ada".
        let (result, out) = cli(conn, &registry, &["populate", "--auto", "--user", "ada"]);
        result.unwrap();
        assert!(out.contains("Tank                     skipped"), "{out}");
        assert_eq!(historical_profiles::table.count().get_result::<i64>(conn).unwrap(), 1);
    }

    fn a_reason_with_invisible_characters_is_refused_and_nothing_is_written(db) {
        let conn = &mut db.conn;
        diesel::insert_into(tanks::table)
            .values((tanks::id.eq(1000), tanks::name.eq("legacy"), tanks::volume_m3.eq(1.0)))
            .execute(conn)
            .unwrap();
        let registry = Registry::new().model::<Tank>();
        for (reason, index, character) in [
            ("approved\u{2028}rejected", 8, '\u{2028}'),
            ("ok \u{202e}devorppa", 3, '\u{202e}'),
            ("by\u{200b}vet", 2, '\u{200b}'),
            ("\u{2066}isolated\u{2069}", 0, '\u{2066}'),
        ] {
            let (result, out) = cli(conn, &registry, &["populate", "--auto", "--reason", reason]);
            match result {
                Err(CliError::Context(ContextError::ChangeReasonInvisibleCharacter { index: i, character: c })) => {
                    assert_eq!((i, c), (index, character), "{reason:?}");
                }
                other => panic!("{reason:?}: expected ChangeReasonInvisibleCharacter, got {other:?}"),
            }
            assert!(out.is_empty());
            let refused = ctx(1, "ok").with_reason(reason).unwrap_err();
            assert!(refused.to_string().contains(&format!("U+{:04X}", u32::from(character))), "{refused}");
        }
        assert_eq!(historical_tanks::table.count().get_result::<i64>(conn).unwrap(), 0);
    }
}

/// The same history on both backends answers every read bound the same way: the same rows for
/// bounds in range, the same error outside it.
#[cfg(feature = "postgres")]
#[test]
fn sqlite_and_postgres_answer_read_bounds_alike() {
    let mut lite = TestDb::sqlite();
    let mut pg = TestDb::postgres();
    let bounds = [
        history_date::earliest(),
        year(1),
        year(2026),
        Utc.with_ymd_and_hms(2300, 6, 1, 0, 0, 0).unwrap(),
        history_date::latest(),
        year(0),
        year(10000),
        year(-300),
        DateTime::<Utc>::MAX_UTC,
        DateTime::<Utc>::MIN_UTC,
    ];
    macro_rules! answers {
        ($conn:expr) => {{
            let conn = $conn;
            for (i, date) in [year(1), year(2026), year(2300), history_date::latest()]
                .into_iter()
                .enumerate()
            {
                Tank::create(conn, &dated(date), &NewTank::named(&format!("T{i}"))).unwrap();
            }
            let mut answers = Vec::new();
            for bound in bounds {
                let names = |page: Result<audit_diesel::Page<HistoricalTank>, AuditError>| {
                    page.map(|p| p.items.into_iter().map(|r| r.name).collect::<Vec<_>>())
                        .map_err(|e| e.to_string())
                };
                answers.push(names(Tank::history_query().until(bound).load(conn)));
                answers.push(names(Tank::history_query().since(bound).load(conn)));
                answers.push(
                    Tank::as_of(bound)
                        .load(conn)
                        .map(|rows| rows.into_iter().map(|r| r.name).collect::<Vec<_>>())
                        .map_err(|e| e.to_string()),
                );
            }
            answers
        }};
    }
    let on_sqlite = answers!(&mut lite.conn);
    let on_postgres = answers!(&mut pg.conn);
    assert_eq!(on_sqlite, on_postgres);
    // And the answers are the right ones, not merely the same.
    assert_eq!(on_sqlite[0], Ok(vec!["T0".to_owned()]));
    assert_eq!(
        on_sqlite[3 * 4],
        Ok(vec!["T3", "T2", "T1", "T0"]
            .into_iter()
            .map(String::from)
            .collect())
    );
    assert!(on_sqlite[3 * 6]
        .as_ref()
        .unwrap_err()
        .contains("outside the years 1 to 9999"));
}
