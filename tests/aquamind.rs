//! The AquaMind example covers the seed's whole audit scope: every in-scope model gets `+`, `~`
//! and `-` rows from the example's own day, each with the right user and reason; the
//! high-frequency tables get none.

mod common;

use audit_diesel::{Historical, HistoryType};
use audit_examples::aquamind::batch::*;
use audit_examples::aquamind::day::{self, Day};
use audit_examples::aquamind::health::*;
use audit_examples::aquamind::infrastructure::*;
use audit_examples::aquamind::inventory::*;
use audit_examples::aquamind::users::*;
use audit_examples::aquamind::{report, AquaConnection};
use chrono::NaiveDate;
use diesel::prelude::*;

/// Who an expected row is attributed to.
#[derive(Clone, Copy, Debug)]
enum Who {
    System,
    Admin,
    Operator,
    Vet,
}

fn user(day: &Day, who: Who) -> Option<i32> {
    match who {
        Who::System => None,
        Who::Admin => Some(day.admin),
        Who::Operator => Some(day.operator),
        Who::Vet => Some(day.vet),
    }
}

/// Asserts that `$model` has a row of each listed type by the listed person with the listed
/// reason, and that every row of it has a reason.
macro_rules! expect_rows {
    ($conn:expr, $day:expr, $model:ty: $(($t:ident, $who:ident, $reason:literal)),+ $(,)?) => {{
        let all = <$model>::history_query().page_size(1000).load($conn).unwrap().items;
        assert!(!all.is_empty(), "{} has no history", stringify!($model));
        for row in &all {
            assert!(row.history_change_reason.is_some(), "{} row without a reason", stringify!($model));
        }
        $(
            let found = all.iter().any(|row| {
                row.history_type == HistoryType::$t
                    && row.history_user_id == user($day, Who::$who)
                    && row.history_change_reason.as_deref() == Some($reason)
            });
            assert!(found, "{}: no {} row by {:?} for {:?}", stringify!($model), HistoryType::$t, Who::$who, $reason);
        )+
        let types: std::collections::BTreeSet<HistoryType> = all.iter().map(|r| r.history_type).collect();
        assert_eq!(types.len(), 3, "{} has + ~ and - rows", stringify!($model));
    }};
}

/// Every in-scope model has its `+`, `~` and `-` rows with the right people and reasons; the
/// sensor tables have rows and no history. On the example's `MultiConnection`, whichever backend
/// it holds.
fn coverage(conn: &mut AquaConnection, day: &Day) {
    {
        expect_rows!(conn, day, Batch: (Create, Operator, "stocking from the hatchery"), (Update, Operator, "smoltification started"), (Delete, Admin, "created by mistake"));
        expect_rows!(conn, day, BatchTransfer: (Create, Operator, "transfer to sea pen 7"), (Update, Operator, "100 fish stayed behind"), (Delete, Admin, "duplicate entry"));
        expect_rows!(conn, day, BatchContainerAssignment: (Create, Operator, "assign to tray A1"), (Update, Operator, "population after mortality"), (Delete, Admin, "assigned by mistake"));
        expect_rows!(conn, day, GrowthSample: (Create, Operator, "weekly growth sample"), (Update, Operator, "typo in average weight"), (Delete, Admin, "duplicate entry"));
        expect_rows!(conn, day, MortalityEvent: (Create, Operator, "mortality after handling"), (Update, Operator, "recount: 120 dead, not 150"), (Delete, Admin, "duplicate entry"));
        expect_rows!(conn, day, FeedingEvent: (Create, Operator, "morning feeding"), (Update, Operator, "scale read 0.25 kg"), (Delete, Admin, "duplicate entry"));
        expect_rows!(conn, day, FeedStock: (Create, Admin, "farm setup"), (Update, Operator, "stock after morning feeding"), (Delete, Admin, "feed expired"));
        expect_rows!(conn, day, JournalEntry: (Create, Vet, "gill inspection"), (Update, Vet, "gills recovering after bath"), (Delete, Admin, "duplicate entry"));
        expect_rows!(conn, day, HealthLabSample: (Create, Vet, "gill swab sent to the lab"), (Update, Vet, "lab results received"), (Delete, Admin, "sample lost in transit"));
        expect_rows!(conn, day, MortalityRecord: (Create, Vet, "necropsy of the dead fry"), (Update, Vet, "necropsy result"), (Delete, Admin, "duplicate entry"));
        expect_rows!(conn, day, LiceCount: (Create, Vet, "weekly lice count"), (Update, Vet, "recounted adult females"), (Delete, Admin, "duplicate entry"));
        expect_rows!(conn, day, Treatment: (Create, Vet, "treatment prescribed"), (Update, Vet, "dosage lowered for fry"), (Delete, Admin, "treatment cancelled"));
        expect_rows!(conn, day, Geography: (Create, Admin, "farm setup"), (Update, Admin, "infrastructure survey"), (Delete, Admin, "duplicate geography"));
        expect_rows!(conn, day, Area: (Create, Admin, "farm setup"), (Update, Admin, "infrastructure survey"), (Delete, Admin, "test data"));
        expect_rows!(conn, day, FreshwaterStation: (Create, Admin, "farm setup"), (Update, Admin, "infrastructure survey"), (Delete, Admin, "station closed"));
        expect_rows!(conn, day, Hall: (Create, Admin, "farm setup"), (Update, Admin, "infrastructure survey"), (Delete, Admin, "hall closed"));
        expect_rows!(conn, day, ContainerType: (Create, Admin, "farm setup"), (Update, Admin, "infrastructure survey"), (Delete, Admin, "type not in use"));
        expect_rows!(conn, day, Container: (Create, Admin, "farm setup"), (Update, Admin, "infrastructure survey"), (Delete, Admin, "decommissioned, never used"));
        expect_rows!(conn, day, Sensor: (Create, Admin, "farm setup"), (Update, Admin, "infrastructure survey"), (Delete, Admin, "sensor removed: failed calibration"));
        expect_rows!(conn, day, FeedContainer: (Create, Admin, "farm setup"), (Update, Admin, "infrastructure survey"), (Delete, Admin, "barge sold"));
        expect_rows!(conn, day, AuditedUser: (Create, System, "bootstrap admin account"), (Create, Admin, "farm setup"), (Update, Admin, "email domain changed"), (Delete, Admin, "contract ended"));
        expect_rows!(conn, day, UserProfile: (Create, Admin, "farm setup"), (Update, Vet, "new phone number"), (Delete, Admin, "contract ended"));

        // The password hash never reaches history.
        assert!(
            diesel::sql_query("SELECT password_hash FROM historical_auth_users")
                .execute(conn)
                .is_err()
        );
        // Out of scope: data, but no history table at all.
        use audit_examples::aquamind::schema::{environmental_readings, weather_data};
        assert_eq!(
            environmental_readings::table
                .count()
                .get_result::<i64>(conn)
                .unwrap(),
            24
        );
        assert_eq!(
            weather_data::table.count().get_result::<i64>(conn).unwrap(),
            24
        );
        for table in [
            "historical_environmental_readings",
            "historical_weather_data",
        ] {
            assert!(
                diesel::sql_query(format!("SELECT 1 FROM {table}"))
                    .execute(conn)
                    .is_err(),
                "{table} exists"
            );
        }
    }
}

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 3).unwrap()
}

/// Plays the day and its report on `conn` and checks both.
fn the_day_covers_every_in_scope_model(conn: &mut AquaConnection) {
    conn.migrate().unwrap();
    let day = day::play(conn, "R1", date()).unwrap();
    coverage(conn, &day);
    let counts = report::history_counts(conn).unwrap();
    assert_eq!(counts.len(), 22);
    assert!(
        counts
            .iter()
            .all(|(_, _, [c, u, d])| *c > 0 && *u > 0 && *d > 0),
        "{counts:?}"
    );
    let mut printed = Vec::new();
    report::print(conn, &day, &mut printed).unwrap();
    let printed = String::from_utf8(printed).unwrap();
    for line in [
        "History of batch B-2026-03-03-R1 (oldest first):",
        "13:00  ~    ola.operator.r1        smoltification started         lifecycle_stage",
        "then: stage fry, status active, notes -",
        "lifecycle_stage: \"fry\" -> \"parr\"",
        "EnvironmentalReading      no history (out of scope), 24 rows",
    ] {
        assert!(printed.contains(line), "{line:?} not in\n{printed}");
    }
    // The transfer is one changeset over two models, in write order; a later correction
    // touched it, so the report's revert was refused and wrote nothing.
    let transfer = audit_examples::aquamind::registry::<AquaConnection>()
        .changeset(conn, day.transfer_changeset)
        .unwrap();
    let shape: Vec<(&str, audit_diesel::HistoryType)> = transfer
        .entries
        .iter()
        .map(|e| (e.model.as_str(), e.history_type))
        .collect();
    use audit_diesel::HistoryType::{Create, Update};
    assert_eq!(
        shape,
        [
            ("BatchContainerAssignment", Create),
            ("BatchTransfer", Create),
            ("BatchTransfer", Create),
            ("BatchTransfer", Update),
            ("BatchContainerAssignment", Update),
        ]
    );
    for line in [
        format!(
            "The transfer to pen 7, one changeset ({}):",
            day.transfer_changeset
        ),
        "the operator's changesets from 12:00 to 12:15: 1; this one has 5 rows over 2 models"
            .to_string(),
        format!(
            "revert: cannot revert changeset {}: BatchTransfer with key",
            day.transfer_changeset
        ),
    ] {
        assert!(printed.contains(&line), "{line:?} not in\n{printed}");
    }
    // Running the day again on the same database works: a new day, new objects.
    let again = day::play(conn, "R2", date()).unwrap();
    assert_ne!(again.batch_id, day.batch_id);
}

#[test]
fn sqlite_the_day_covers_every_in_scope_model() {
    let conn = SqliteConnection::establish(":memory:").unwrap();
    the_day_covers_every_in_scope_model(&mut AquaConnection::Sqlite(conn));
}

#[cfg(feature = "postgres")]
#[test]
fn postgres_the_day_covers_every_in_scope_model() {
    let common::TestDb {
        conn,
        guard: _guard,
    } = common::TestDb::empty_postgres();
    the_day_covers_every_in_scope_model(&mut AquaConnection::Postgresql(conn));
}

#[cfg(feature = "mysql")]
#[test]
fn mysql_the_day_covers_every_in_scope_model() {
    // The example's own connection to the test's database, opened from its URL.
    let db = common::db::MysqlDb::empty();
    let mut conn = AquaConnection::open(&common::db::MysqlDb::url_of(&db.name)).unwrap();
    assert_eq!(conn.backend_name(), "MySQL");
    the_day_covers_every_in_scope_model(&mut conn);
}

/// The day is generic over the connection: on a plain `SqliteConnection` too.
#[test]
fn the_day_plays_on_a_plain_connection_too() {
    let mut conn = SqliteConnection::establish(":memory:").unwrap();
    audit_examples::aquamind::migrate_sqlite(&mut conn).unwrap();
    let day = day::play(&mut conn, "R1", date()).unwrap();
    assert_eq!(
        Batch::history(&day.batch_id)
            .trail(&mut conn)
            .unwrap()
            .len(),
        Batch::history_query()
            .object(&day.batch_id)
            .count(&mut conn)
            .unwrap() as usize
    );
    assert_eq!(report::history_counts(&mut conn).unwrap().len(), 22);
}

/// The example's default database lives under `target/`, which a fresh clone built with
/// `CARGO_TARGET_DIR` elsewhere does not have: opening it creates the directories.
#[test]
fn the_example_creates_the_directories_of_its_sqlite_database() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("not/there/yet/aquamind.sqlite3");
    let mut conn = audit_examples::aquamind::open_sqlite(&path).unwrap();
    audit_examples::aquamind::migrate_sqlite(&mut conn).unwrap();
    assert!(path.is_file());
}

#[test]
fn a_database_the_example_cannot_open_is_named_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let path = file.join("aquamind.sqlite3");
    let err = audit_examples::aquamind::open_sqlite(&path)
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&format!("cannot open the database {}: ", path.display())),
        "{err}"
    );
    assert!(err.contains("cannot create the directory"), "{err}");
}

#[cfg(feature = "postgres")]
#[test]
fn a_postgres_server_the_example_cannot_reach_is_named_with_the_reason() {
    // Port 1 on loopback: nothing listens there.
    let url = "postgres://postgres@127.0.0.1:1/test";
    let err = audit_examples::aquamind::open_server::<diesel::PgConnection>(url)
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&format!("cannot open the database {url}: ")),
        "{err}"
    );
    assert!(
        err.len() > format!("cannot open the database {url}: ").len(),
        "{err}"
    );
}
