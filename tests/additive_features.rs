//! Cargo features are additive: with `sqlite` and `postgres` both on (as `cargo test --features
//! postgres` builds this), a SQLite model and a PostgreSQL model with date-times, naive
//! timestamps, UUIDs, optional fields and JSON live in one binary, and each works on its backend.
//! A model's history types never depend on which backends are compiled in: a tracked
//! `DateTime<Utc>` is `PortableTimestamptz` and a `uuid::Uuid` is `PortableUuid`, each related to
//! the source column's backend-specific type by `HoldsColumn`.

mod common;

use audit_diesel::maintenance::{populate_history, Backfill};
use audit_diesel::schema::Dialect;
use audit_diesel::{AuditContext, Historical, HistoryRecord};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

fn at(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, h, 0, 0).unwrap() + chrono::TimeDelta::microseconds(123_456)
}

fn naive(h: u32) -> NaiveDateTime {
    at(h).naive_utc()
}

/// A SQLite model: `TimestamptzSqlite` columns, as Diesel declares them for SQLite.
mod lite {
    use super::*;

    diesel::table! {
        samples (id) {
            id -> Integer,
            taken_at -> TimestamptzSqlite,
            logged_at -> Timestamp,
            checked_at -> Nullable<TimestamptzSqlite>,
            reading -> Jsonb,
            note -> Nullable<Text>,
        }
    }

    #[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Historical)]
    #[diesel(table_name = samples)]
    #[diesel(check_for_backend(diesel::sqlite::Sqlite))]
    pub struct Sample {
        pub id: i32,
        pub taken_at: DateTime<Utc>,
        pub logged_at: NaiveDateTime,
        pub checked_at: Option<DateTime<Utc>>,
        pub reading: serde_json::Value,
        pub note: Option<String>,
    }
}

/// A PostgreSQL model: `Timestamptz` and `Uuid` columns.
#[cfg(feature = "postgres")]
mod pg {
    use super::*;

    diesel::table! {
        probes (id) {
            id -> Integer,
            serial -> Uuid,
            spare -> Nullable<Uuid>,
            installed_at -> Timestamptz,
            logged_at -> Timestamp,
            checked_at -> Nullable<Timestamptz>,
            config -> Jsonb,
        }
    }

    #[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Historical)]
    #[diesel(table_name = probes)]
    #[diesel(check_for_backend(diesel::pg::Pg))]
    pub struct Probe {
        pub id: i32,
        pub serial: uuid::Uuid,
        pub spare: Option<uuid::Uuid>,
        pub installed_at: DateTime<Utc>,
        pub logged_at: NaiveDateTime,
        pub checked_at: Option<DateTime<Utc>>,
        pub config: serde_json::Value,
    }
}

#[test]
fn a_sqlite_model_with_dates_options_and_json_records_its_history() {
    use lite::*;
    let mut conn = SqliteConnection::establish(":memory:").unwrap();
    conn.batch_execute(
        "CREATE TABLE samples (id INTEGER PRIMARY KEY, taken_at TEXT NOT NULL, logged_at TEXT NOT NULL,
         checked_at TEXT, reading BLOB NOT NULL, note TEXT)",
    )
    .unwrap();
    for sql in Sample::HISTORY.create_table_sql(Dialect::Sqlite) {
        conn.batch_execute(&sql).unwrap();
    }
    // A row from before history, then the backfill copies it by INSERT ... SELECT.
    let legacy = Sample {
        id: 1,
        taken_at: at(5),
        logged_at: naive(5),
        checked_at: None,
        reading: serde_json::json!({"o2": 8.1}),
        note: None,
    };
    diesel::insert_into(samples::table)
        .values(&legacy)
        .execute(&mut conn)
        .unwrap();
    populate_history::<Sample, _>(
        &mut conn,
        &AuditContext::anonymous(),
        &Backfill::default(),
        |_| {},
    )
    .unwrap();

    let ctx = AuditContext::builder()
        .user(3)
        .reason("sampled")
        .build()
        .unwrap();
    let created = Sample::create(
        &mut conn,
        &ctx,
        &Sample {
            id: 2,
            note: Some("pen 4".into()),
            ..legacy.clone()
        },
    )
    .unwrap();
    Sample::update(
        &mut conn,
        &ctx,
        created.id,
        (
            samples::checked_at.eq(Some(at(9))),
            samples::reading.eq(serde_json::json!({"o2": 7.4})),
        ),
    )
    .unwrap();

    let backfilled = Sample::history(&1).latest(&mut conn).unwrap().unwrap();
    assert_eq!(
        (
            backfilled.taken_at,
            backfilled.logged_at,
            backfilled.checked_at
        ),
        (at(5), naive(5), None)
    );
    let trail = Sample::history(&2).trail(&mut conn).unwrap();
    assert_eq!(trail.len(), 2);
    assert_eq!(trail[0].checked_at, Some(at(9)));
    assert_eq!(trail[0].reading, serde_json::json!({"o2": 7.4}));
    assert_eq!(trail[1].taken_at, at(5));
    let diff = trail[0].diff_against(&trail[1]).unwrap();
    assert_eq!(diff.changed_fields(), ["checked_at", "reading"]);
    // A filter on a tracked date-time column of the history table.
    let late: i64 = historical_samples::table
        .filter(historical_samples::checked_at.gt(audit_diesel::dsl::timestamptz(at(8)).nullable()))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(late, 1);
    let newest: Option<DateTime<Utc>> = historical_samples::table
        .select(diesel::dsl::max(historical_samples::checked_at))
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(newest, Some(at(9)));
}

#[cfg(feature = "postgres")]
#[test]
fn a_postgres_model_with_uuids_dates_options_and_json_records_its_history() {
    use pg::*;
    let mut db = common::TestDb::empty_postgres();
    let conn = &mut db.conn;
    conn.batch_execute(
        "CREATE TABLE probes (id INTEGER PRIMARY KEY, serial UUID NOT NULL, spare UUID,
         installed_at TIMESTAMPTZ NOT NULL, logged_at TIMESTAMP NOT NULL, checked_at TIMESTAMPTZ,
         config JSONB NOT NULL)",
    )
    .unwrap();
    for sql in Probe::HISTORY.create_table_sql(Dialect::Postgres) {
        conn.batch_execute(&sql).unwrap();
    }
    let serial = uuid::Uuid::new_v4();
    let legacy = Probe {
        id: 1,
        serial,
        spare: None,
        installed_at: at(5),
        logged_at: naive(5),
        checked_at: None,
        config: serde_json::json!({"hz": 1}),
    };
    diesel::insert_into(probes::table)
        .values(&legacy)
        .execute(conn)
        .unwrap();
    populate_history::<Probe, _>(
        conn,
        &AuditContext::anonymous(),
        &Backfill::default(),
        |_| {},
    )
    .unwrap();

    let ctx = AuditContext::builder()
        .user(3)
        .reason("installed")
        .build()
        .unwrap();
    let spare = uuid::Uuid::new_v4();
    let created = Probe::create(
        conn,
        &ctx,
        &Probe {
            id: 2,
            spare: Some(spare),
            ..legacy.clone()
        },
    )
    .unwrap();
    Probe::update(
        conn,
        &ctx,
        created.id,
        (
            probes::checked_at.eq(Some(at(9))),
            probes::config.eq(serde_json::json!({"hz": 10})),
        ),
    )
    .unwrap();

    let backfilled = Probe::history(&1).latest(conn).unwrap().unwrap();
    assert_eq!(
        (
            backfilled.serial,
            backfilled.installed_at,
            backfilled.logged_at
        ),
        (serial, at(5), naive(5))
    );
    let trail = Probe::history(&2).trail(conn).unwrap();
    assert_eq!(trail[0].spare, Some(spare));
    assert_eq!(trail[0].checked_at, Some(at(9)));
    assert_eq!(trail[0].config, serde_json::json!({"hz": 10}));
    let diff = trail[0].diff_against(&trail[1]).unwrap();
    assert_eq!(diff.changed_fields(), ["checked_at", "config"]);
    let by_serial: i64 = historical_probes::table
        .filter(historical_probes::serial.eq(audit_diesel::dsl::uuid(serial)))
        .count()
        .get_result(conn)
        .unwrap();
    assert_eq!(by_serial, 3);
    assert_eq!(
        Probe::as_of(audit_diesel::history_date::latest())
            .load(conn)
            .unwrap()
            .len(),
        2
    );
}

/// A model declared for SQLite only, given a PostgreSQL connection: a typed error naming both,
/// and no statement reaches the server.
#[cfg(feature = "postgres")]
#[test]
fn a_model_used_on_a_backend_it_is_not_declared_for_is_refused_before_any_statement() {
    use lite::*;
    let mut db = common::TestDb::empty_postgres();
    let conn = &mut db.conn;
    let statements = common::Statements::default();
    conn.set_instrumentation(statements.clone());
    let sample = Sample {
        id: 1,
        taken_at: at(5),
        logged_at: naive(5),
        checked_at: None,
        reading: serde_json::json!({}),
        note: None,
    };
    let ctx = AuditContext::anonymous();
    let refused = |e: audit_diesel::AuditError| match e {
        audit_diesel::AuditError::UnsupportedBackend { model, backend } => {
            assert_eq!((model.as_str(), backend), ("Sample", "PostgreSQL"));
        }
        other => panic!("expected UnsupportedBackend, got {other:?}"),
    };
    refused(Sample::create(conn, &ctx, &sample).unwrap_err());
    refused(Sample::delete(conn, &ctx, 1).unwrap_err());
    refused(Sample::history(&1).trail(conn).unwrap_err());
    refused(Sample::history_query().load(conn).unwrap_err());
    refused(
        Sample::as_of(at(5))
            .filter(historical_samples::id.eq(1))
            .load(conn)
            .unwrap_err(),
    );
    let sent = statements.take();
    assert!(sent.is_empty(), "{sent:?}");
}
