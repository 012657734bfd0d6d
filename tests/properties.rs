//! Properties over the inputs a caller and an operator hand the library: the CLI's arguments, the
//! audit context, and the bounds of reads. For every input, nothing panics, an error leaves the
//! database as it was, and a read that succeeds returns exactly the rows it means (checked against
//! the same rows filtered, ordered and paged in Rust). 1,000 cases per property.

mod common;

use std::cell::RefCell;

use audit_diesel::Registry;
use audit_diesel::{
    history_date, AuditContext, AuditError, ChangeReason, ContextError, Historical, HistoryType,
};
use chrono::{DateTime, TimeDelta, Utc};
use common::*;
use diesel::prelude::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const CASES: u32 = 1000;

/// A runner with a fixed seed, so that CI runs the same 1,000 cases every time (a failure is
/// reproducible, never a flake); `AUDIT_PROPTEST_RANDOM=1` explores fresh cases instead.
fn runner() -> TestRunner {
    let config = Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    };
    if std::env::var_os("AUDIT_PROPTEST_RANDOM").is_some() {
        TestRunner::new(config)
    } else {
        let rng = proptest::test_runner::TestRng::deterministic_rng(config.rng_algorithm);
        TestRunner::new_with_rng(config, rng)
    }
}

/// Any date chrono represents, with weight on the edges of the stored range.
fn any_date() -> impl Strategy<Value = DateTime<Utc>> {
    let micro = TimeDelta::microseconds(1);
    prop_oneof![
        4 => (-62_135_596_800i64..=253_402_300_799i64, 0u32..1_000_000_000)
            .prop_map(|(s, n)| DateTime::from_timestamp(s, n).unwrap_or_default()),
        2 => (i64::MIN..=i64::MAX, 0u32..2_000_000_000)
            .prop_map(|(s, n)| DateTime::from_timestamp(s, n).unwrap_or(DateTime::<Utc>::MAX_UTC)),
        1 => prop::sample::select(vec![
            history_date::earliest(),
            history_date::earliest() - micro,
            history_date::latest(),
            history_date::latest() + micro,
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MAX_UTC,
        ]),
    ]
}

/// Any u64, with weight on small values and the edges.
fn any_count() -> impl Strategy<Value = u64> {
    prop_oneof![
        4 => 0u64..40,
        2 => any::<u64>(),
        1 => prop::sample::select(vec![
            u64::MAX, u64::MAX - 1, i64::MAX as u64, i64::MAX as u64 - 1, i64::MAX as u64 + 1,
            u32::MAX as u64, 1_000, 1_001,
        ]),
    ]
}

/// Everything the fixture's history tables hold, to compare before and after.
fn snapshot(conn: &mut SqliteConnection) -> String {
    let tanks: Vec<HistoricalTank> = historical_tanks::table.load(conn).unwrap();
    let profiles: Vec<HistoricalProfile> = historical_profiles::table.load(conn).unwrap();
    format!("{tanks:?}\n{profiles:?}")
}

/// A command line: a subcommand, usually a model selection, then flags, model names, numbers and
/// text in any order.
fn command_line() -> impl Strategy<Value = Vec<String>> {
    let sub = prop::sample::select(vec![
        "models",
        "populate",
        "clean-duplicates",
        "clean-old",
        "help",
        "nope",
        "",
    ]);
    let token = prop_oneof![
        3 => prop::sample::select(vec![
            "--days", "--minutes", "--batch-size", "--dry-run", "--keep-latest", "--missing",
            "--defer-indexes", "--user", "--reason", "Tank", "Profile", "historical_tanks", "Nope",
            "--help", "--", "-1", "0", "1", "--auto", "--excluded-fields", "name",
        ]).prop_map(str::to_owned),
        2 => any_count().prop_map(|n| n.to_string()),
        1 => any::<i64>().prop_map(|n| n.to_string()),
        1 => Just("99999999999999999999999999".to_owned()),
        // Text, never a flag (no --dir: the property must not write files anywhere).
        2 => any::<String>().prop_filter("not a flag", |s| !s.starts_with('-')),
    ];
    // Commands that write history need model names or --auto: most lines give one first.
    let selection = prop::sample::select(vec!["--auto", "--auto", "Tank", "Profile", ""]);
    (sub, selection, prop::collection::vec(token, 0..7)).prop_map(|(sub, selection, tokens)| {
        std::iter::once(sub.to_owned())
            .chain((!selection.is_empty()).then(|| selection.to_owned()))
            .chain(tokens)
            .collect()
    })
}

/// Tanks and profiles with history of every age, and duplicate rows: something each command
/// could delete or add to.
fn seeded_sqlite() -> TestDb<SqliteConnection> {
    let mut db = TestDb::sqlite();
    let conn = &mut db.conn;
    for (i, days) in [0i64, 2, 40, 800_000].into_iter().enumerate() {
        let date = history_date::check(Utc::now() - TimeDelta::days(days.min(739_000))).unwrap();
        let dated = AuditContext::builder()
            .user(1)
            .reason("seed")
            .date(date)
            .build()
            .unwrap();
        Tank::create(conn, &dated, &NewTank::named(&format!("T{i}"))).unwrap();
    }
    diesel::insert_into(tanks::table)
        .values((
            tanks::id.eq(1000),
            tanks::name.eq("legacy"),
            tanks::volume_m3.eq(1.0),
        ))
        .execute(conn)
        .unwrap();
    let ada = Profile {
        id: 1,
        display_name: "Ada".into(),
    };
    let as_ada = AuditContext::for_user("ada");
    Profile::create(conn, &as_ada, &ada).unwrap();
    ada.save(conn, &as_ada).unwrap();
    ada.save(conn, &as_ada).unwrap();
    db
}

/// The history rows of the fixture, by table and id, with their date and type.
fn rows(conn: &mut SqliteConnection) -> Vec<(&'static str, i64, DateTime<Utc>, HistoryType)> {
    let tanks: Vec<HistoricalTank> = historical_tanks::table.load(conn).unwrap();
    let profiles: Vec<HistoricalProfile> = historical_profiles::table.load(conn).unwrap();
    tanks
        .iter()
        .map(|r| ("tanks", r.history_id, r.history_date, r.history_type))
        .chain(
            profiles
                .iter()
                .map(|r| ("profiles", r.history_id, r.history_date, r.history_type)),
        )
        .collect()
}

/// The value of `flag` in `args`, if given once.
fn flag_value<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    let at = args.iter().position(|a| a == flag)?;
    args.get(at + 1).map(String::as_str)
}

#[test]
fn no_command_line_panics_and_a_refused_one_changes_nothing() {
    let registry = Registry::<SqliteConnection>::new()
        .model::<Tank>()
        .model::<Profile>();
    let outcomes = RefCell::new((0u32, 0u32, 0u32));
    runner()
        .run(&command_line(), |args| {
            let mut db = seeded_sqlite();
            let before = snapshot(&mut db.conn);
            let rows_before = rows(&mut db.conn);
            let mut out = Vec::new();
            let result = registry.run(
                &mut db.conn,
                std::iter::once("farm-audit".to_owned()).chain(args.iter().cloned()),
                &mut out,
            );
            let now = Utc::now();
            let mut outcomes = outcomes.borrow_mut();
            match result {
                Ok(()) => {
                    outcomes.0 += 1;
                    // What an accepted command deleted is what it was asked to delete, and
                    // nothing younger: the bug class of a wrapped age.
                    let after = rows(&mut db.conn);
                    let deleted: Vec<_> =
                        rows_before.iter().filter(|r| !after.contains(r)).collect();
                    outcomes.2 += u32::from(!deleted.is_empty());
                    let dry_run = args.iter().any(|a| a == "--dry-run");
                    for row in &deleted {
                        prop_assert!(!dry_run, "{:?}: a dry run deleted {:?}", args, row);
                        match args[0].as_str() {
                            "clean-old" => {
                                let days: u64 =
                                    flag_value(&args, "--days").map_or(30, |d| d.parse().unwrap());
                                let cutoff = i64::try_from(days)
                                    .ok()
                                    .and_then(TimeDelta::try_days)
                                    .and_then(|age| now.checked_sub_signed(age));
                                prop_assert!(
                                    cutoff.is_some_and(|c| row.2 < c),
                                    "{:?}: deleted {:?}",
                                    args,
                                    row
                                );
                            }
                            "clean-duplicates" => {
                                prop_assert_eq!(
                                    row.3,
                                    HistoryType::Update,
                                    "{:?}: deleted {:?}",
                                    args,
                                    row
                                );
                            }
                            _ => prop_assert!(false, "{:?} deleted {:?}", args, row),
                        }
                    }
                }
                Err(e) => {
                    outcomes.1 += 1;
                    prop_assert_eq!(&snapshot(&mut db.conn), &before, "{:?}: {}", args, e);
                }
            }
            Ok(())
        })
        .unwrap();
    let (ok, refused, deleting) = outcomes.into_inner();
    // Every kind of outcome was exercised, not only usage errors.
    assert!(
        ok > 50 && refused > 50 && deleting > 10,
        "{ok} accepted ({deleting} deleting), {refused} refused"
    );
}

#[test]
fn any_context_either_builds_and_round_trips_or_is_refused_before_a_write() {
    let mut db = TestDb::sqlite();
    let conn = RefCell::new(&mut db.conn);
    let counter = RefCell::new(0u32);
    let refused = RefCell::new(0u32);
    let reason = prop_oneof![
        3 => any::<String>(),
        2 => "[a-z ]{1,20}[\u{2028}\u{202e}\u{200b}\u{2066}\u{feff}\t]?[a-z]{0,5}",
        1 => ".{250,260}",
    ];
    let input = (
        prop::option::of(reason),
        prop::option::of(any_date()),
        any::<i64>(),
    );
    runner()
        .run(&input, |(reason, date, user)| {
            let conn = &mut *conn.borrow_mut();
            let mut builder = AuditContext::builder().user(user);
            if let Some(reason) = &reason {
                builder = builder.reason(reason.clone());
            }
            if let Some(date) = date {
                builder = builder.date(date);
            }
            let before = historical_tanks::table
                .count()
                .get_result::<i64>(*conn)
                .unwrap();
            match builder.build() {
                Ok(ctx) => {
                    let text = reason.as_deref();
                    if let Some(text) = text {
                        prop_assert!(!text.trim().is_empty() && text.chars().count() <= 255);
                        let invisible =
                            ['\u{2028}', '\u{202e}', '\u{200b}', '\u{2066}', '\u{feff}'];
                        let refused = |c: char| c.is_control() || invisible.contains(&c);
                        prop_assert!(!text.chars().any(refused), "accepted {:?}", text);
                    }
                    if let Some(date) = date {
                        prop_assert!(history_date::in_range(&date));
                    }
                    let mut n = counter.borrow_mut();
                    *n += 1;
                    let tank =
                        Tank::create(*conn, &ctx, &NewTank::named(&format!("P{n}"))).unwrap();
                    let row = Tank::history(&tank.id).latest(*conn).unwrap().unwrap();
                    prop_assert_eq!(row.history_change_reason.as_deref(), text);
                    prop_assert_eq!(row.history_user_id, Some(user));
                    if let Some(date) = date {
                        prop_assert_eq!(row.history_date, history_date::truncate_to_micros(date));
                    }
                }
                Err(e) => {
                    *refused.borrow_mut() += 1;
                    let reason_ok = reason
                        .as_deref()
                        .is_none_or(|r| ChangeReason::new(r).is_ok());
                    if let ContextError::DateOutOfRange { .. } = e {
                        prop_assert!(
                            reason_ok && date.is_some_and(|d| !history_date::in_range(&d)),
                            "{}",
                            e
                        );
                    } else {
                        prop_assert!(!reason_ok, "{}", e);
                    }
                    prop_assert_eq!(
                        historical_tanks::table
                            .count()
                            .get_result::<i64>(*conn)
                            .unwrap(),
                        before
                    );
                }
            }
            Ok(())
        })
        .unwrap();
    let (written, refused) = (counter.into_inner(), refused.into_inner());
    assert!(
        written > 100 && refused > 100,
        "{written} written, {refused} refused"
    );
}

/// A listing's arguments.
#[derive(Debug, Clone)]
struct Listing {
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    page: u64,
    page_size: u64,
    max_page_size: Option<u64>,
    oldest_first: bool,
    with_total: bool,
    as_of: DateTime<Utc>,
}

fn listing() -> impl Strategy<Value = Listing> {
    // Mostly arguments that read rows, with the edges mixed in.
    let small = |upper: u64| prop_oneof![6 => 1..upper, 1 => any_count()];
    let bound = || prop_oneof![1 => Just(None), 1 => any_date().prop_map(Some), 1 => near_a_row().prop_map(Some)];
    (
        bound(),
        bound(),
        small(4),
        small(30),
        prop_oneof![4 => Just(None), 1 => any_count().prop_map(Some)],
        any::<bool>(),
        any::<bool>(),
        prop_oneof![any_date(), near_a_row()],
    )
        .prop_map(
            |(since, until, page, page_size, max_page_size, oldest_first, with_total, as_of)| {
                Listing {
                    since,
                    until,
                    page,
                    page_size,
                    max_page_size,
                    oldest_first,
                    with_total,
                    as_of,
                }
            },
        )
}

const SEED_YEARS: [i32; 9] = [1, 1600, 1970, 2026, 2262, 2263, 2300, 5000, 9999];

/// The date of a seeded row: the first of `month`, a few microseconds past midnight.
fn seed_date(year: i32, month: u32, i: usize) -> DateTime<Utc> {
    chrono::TimeZone::with_ymd_and_hms(&Utc, year, month, 1, 0, 0, 0).unwrap()
        + TimeDelta::microseconds(i as i64 * 7 + 1)
}

/// A date within a few microseconds of a seeded row, to the nanosecond.
fn near_a_row() -> impl Strategy<Value = DateTime<Utc>> {
    let dates: Vec<DateTime<Utc>> = SEED_YEARS
        .iter()
        .enumerate()
        .flat_map(|(i, year)| [1, 6, 12].map(|month| seed_date(*year, month, i)))
        .collect();
    (prop::sample::select(dates), -2_500i64..2_500)
        .prop_map(|(d, ns)| d + TimeDelta::nanoseconds(ns))
}

/// Writes a history spread over the whole range of dates (year 1 to 9999).
macro_rules! seed_history {
    ($conn:expr) => {{
        let conn = $conn;
        for (i, year) in SEED_YEARS.into_iter().enumerate() {
            let at = |month| seed_date(year, month, i);
            let ctx = |month| {
                AuditContext::builder()
                    .user(i as i64 % 3)
                    .reason("seed")
                    .date(at(month))
                    .build()
                    .unwrap()
            };
            let tank = Tank::create(conn, &ctx(1), &NewTank::named(&format!("T{i}"))).unwrap();
            Tank::update(conn, &ctx(6), tank.id, tanks::volume_m3.eq(f64::from(year))).unwrap();
            if i % 3 == 0 {
                Tank::delete(conn, &ctx(12), tank.id).unwrap();
            }
        }
        historical_tanks::table
            .load::<HistoricalTank>(conn)
            .unwrap()
    }};
}

/// The page `listing` means, computed from every row in Rust; `Err` for an argument the library
/// must refuse.
/// Exact, to the nanosecond: stored dates have whole microseconds, and a bound means what it says.
fn expected_page(
    all: &[HistoricalTank],
    l: &Listing,
) -> Result<(Vec<i64>, bool, i64), &'static str> {
    let max = l
        .max_page_size
        .unwrap_or(audit_diesel::read::DEFAULT_MAX_PAGE_SIZE);
    if l.page_size == 0 || l.page_size > max || l.page_size > i64::MAX as u64 - 1 {
        return Err("page size");
    }
    if l.page == 0 {
        return Err("page");
    }
    for bound in [l.since, l.until].into_iter().flatten() {
        if !history_date::in_range(&bound) {
            return Err("date");
        }
    }
    if l.since.is_some_and(|s| s > history_date::latest()) {
        return Err("date");
    }
    let mut rows: Vec<&HistoricalTank> = all
        .iter()
        .filter(|r| l.since.is_none_or(|s| r.history_date >= s))
        .filter(|r| l.until.is_none_or(|u| r.history_date <= u))
        .collect();
    rows.sort_by_key(|r| (r.history_date, r.history_id));
    if !l.oldest_first {
        rows.reverse();
    }
    let skip = usize::try_from((l.page - 1).saturating_mul(l.page_size)).unwrap_or(usize::MAX);
    let take = usize::try_from(l.page_size).unwrap_or(usize::MAX);
    let page: Vec<i64> = rows
        .iter()
        .skip(skip)
        .take(take)
        .map(|r| r.history_id)
        .collect();
    let has_next = rows.len() > skip.saturating_add(take);
    Ok((page, has_next, rows.len() as i64))
}

/// Each object as its latest row at or before `at`, unless that row is a delete.
fn expected_as_of(all: &[HistoricalTank], at: DateTime<Utc>) -> Option<Vec<i64>> {
    if !history_date::in_range(&at) {
        return None;
    }
    let mut latest: std::collections::BTreeMap<i32, &HistoricalTank> = Default::default();
    for row in all.iter().filter(|r| r.history_date <= at) {
        let newer = latest.get(&row.id).is_none_or(|seen| {
            (row.history_date, row.history_id) > (seen.history_date, seen.history_id)
        });
        if newer {
            latest.insert(row.id, row);
        }
    }
    Some(
        latest
            .values()
            .filter(|r| r.history_type != audit_diesel::HistoryType::Delete)
            .map(|r| r.history_id)
            .collect(),
    )
}

on_each_backend! {
    fn any_read_bounds_give_exactly_the_rows_they_mean_or_a_typed_error(db) {
        let all = seed_history!(&mut db.conn);
        let conn = RefCell::new(&mut db.conn);
        let outcomes = RefCell::new((0u32, 0u32));
        runner()
            .run(&listing(), |l| {
                let conn = &mut *conn.borrow_mut();
                let mut outcomes = outcomes.borrow_mut();
                let mut query = Tank::history_query().page(l.page).page_size(l.page_size);
                if let Some(max) = l.max_page_size {
                    query = query.max_page_size(max);
                }
                if let Some(since) = l.since {
                    query = query.since(since);
                }
                if let Some(until) = l.until {
                    query = query.until(until);
                }
                if l.oldest_first {
                    query = query.oldest_first();
                }
                if l.with_total {
                    query = query.with_total();
                }
                match (query.load(*conn), expected_page(&all, &l)) {
                    (Ok(page), Ok((ids, has_next, total))) => {
                        outcomes.0 += u32::from(!page.items.is_empty());
                        let got: Vec<i64> = page.items.iter().map(|r| r.history_id).collect();
                        prop_assert_eq!(got, ids, "{:?}", l);
                        prop_assert_eq!(page.has_next, has_next, "{:?}", l);
                        if l.with_total {
                            prop_assert_eq!(page.total, Some(total), "{:?}", l);
                            prop_assert_eq!(query.count(*conn).unwrap(), total, "{:?}", l);
                        }
                    }
                    (Err(AuditError::InvalidPageSize { .. }), Err("page size"))
                    | (Err(AuditError::InvalidPage { .. }), Err("page"))
                    | (Err(AuditError::DateOutOfRange { .. }), Err("date")) => outcomes.1 += 1,
                    (got, expected) => prop_assert!(false, "{:?}: got {:?}, expected {:?}", l, got.map(|p| p.items.len()), expected),
                }
                let tank_ids: std::collections::BTreeSet<i32> = all.iter().map(|r| r.id).collect();
                let first = *tank_ids.iter().next().unwrap();
                match (Tank::as_of(l.as_of).load(*conn), expected_as_of(&all, l.as_of)) {
                    (Ok(rows), Some(ids)) => {
                        let mut got: Vec<i64> = rows.iter().map(|r| r.history_id).collect();
                        got.sort_unstable();
                        let mut ids = ids;
                        ids.sort_unstable();
                        prop_assert_eq!(got, ids, "as_of {}", l.as_of);
                    }
                    (Err(AuditError::DateOutOfRange { argument: "as_of", .. }), None) => {}
                    (got, expected) => prop_assert!(false, "as_of {}: got {:?}, expected {:?}", l.as_of, got.map(|r| r.len()), expected),
                }
                let one = Tank::history(&first).as_of(*conn, l.as_of).ok().map(|r| r.map(|r| r.history_id));
                let expected_one = expected_as_of(&all, l.as_of).map(|ids| {
                    ids.into_iter().find(|id| all.iter().any(|r| r.history_id == *id && r.id == first))
                });
                prop_assert_eq!(one, expected_one, "as_of {} of {}", l.as_of, first);
                prop_assert_eq!(historical_tanks::table.count().get_result::<i64>(*conn).unwrap(), all.len() as i64);
                Ok(())
            })
            .unwrap();
        let (pages, refused) = outcomes.into_inner();
        assert!(pages > 100 && refused > 100, "{pages} non-empty pages, {refused} refused");
    }
}
