//! The generated MySQL/MariaDB DDL on a real server (the MariaDB service at 127.0.0.1:3306): the
//! history migrations `build.rs` generates for the test models (`tests/migrations/mysql`) apply
//! and revert, create the tables, columns, indexes and append-only triggers their specs
//! describe, and the append-only triggers refuse what they must and let maintenance through.
//! Each test has a database of its own.
//!
//! The library's runtime does not write to MySQL yet: these tests write with plain SQL and
//! Diesel's own statements, and read history rows as the typed records the derive generates.
#![cfg(feature = "mysql")]

mod common;

use audit_diesel::schema::ddl::ANCHORS_TABLE;
use audit_diesel::schema::Dialect;
use audit_diesel::{Historical, HistoryTableSpec};
use common::db::MysqlDb;
use common::models::*;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("tests/migrations/mysql");

/// Every model of the tests, as its history table's spec.
fn specs() -> [&'static HistoryTableSpec; 8] {
    [
        Tank::HISTORY,
        Feeding::HISTORY,
        Assignment::HISTORY,
        TankTag::HISTORY,
        Sensor::HISTORY,
        Profile::HISTORY,
        Mooring::HISTORY,
        Net::HISTORY,
    ]
}

#[derive(QueryableByName, Debug, PartialEq)]
struct Named {
    #[diesel(sql_type = Text)]
    name: String,
}

/// `sql`'s `name` column, with `table` bound to its one `?`.
fn names(conn: &mut MysqlConnection, sql: &str, table: &str) -> Vec<String> {
    diesel::sql_query(sql)
        .bind::<Text, _>(table)
        .load::<Named>(conn)
        .unwrap()
        .into_iter()
        .map(|n| n.name)
        .collect()
}

fn columns(conn: &mut MysqlConnection, table: &str) -> Vec<String> {
    names(
        conn,
        "SELECT CAST(column_name AS CHAR) AS name FROM information_schema.columns \
         WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position",
        table,
    )
}

fn indexes(conn: &mut MysqlConnection, table: &str) -> Vec<String> {
    names(
        conn,
        "SELECT DISTINCT CAST(index_name AS CHAR) AS name FROM information_schema.statistics \
         WHERE table_schema = DATABASE() AND table_name = ? ORDER BY name",
        table,
    )
}

fn triggers(conn: &mut MysqlConnection, table: &str) -> Vec<String> {
    names(
        conn,
        "SELECT CAST(trigger_name AS CHAR) AS name FROM information_schema.triggers \
         WHERE trigger_schema = DATABASE() AND event_object_table = ? ORDER BY name",
        table,
    )
}

fn tables(conn: &mut MysqlConnection) -> Vec<String> {
    names(
        conn,
        "SELECT CAST(table_name AS CHAR) AS name FROM information_schema.tables \
         WHERE table_schema = DATABASE() AND table_name <> ? ORDER BY name",
        "__diesel_schema_migrations",
    )
}

#[test]
fn every_history_table_has_the_columns_indexes_and_triggers_of_its_spec() {
    let mut db = MysqlDb::empty();
    let conn = &mut db.conn;
    conn.run_pending_migrations(MIGRATIONS).unwrap();
    for spec in specs() {
        let table = spec.history_table.as_ref();
        let cols = columns(conn, table);
        // `history_id`, the tracked columns in the model's order, then the history columns.
        assert_eq!(cols[0], "history_id", "{table}: {cols:?}");
        let tracked: Vec<&str> = spec.columns.iter().map(|c| c.name.as_ref()).collect();
        assert_eq!(
            cols.iter().skip(1).take(tracked.len()).collect::<Vec<_>>(),
            tracked,
            "{table}: {cols:?}"
        );
        for history in [
            "history_date",
            "history_type",
            "history_user_id",
            "history_change_reason",
        ] {
            assert!(
                cols.iter().any(|c| c == history),
                "{table} lacks {history}: {cols:?}"
            );
        }
        assert_eq!(
            cols.iter().any(|c| c == "history_metadata"),
            spec.metadata,
            "{table}: {cols:?}"
        );
        assert_eq!(
            cols.iter().any(|c| c == "history_hash"),
            spec.chained(),
            "{table}: {cols:?}"
        );
        // The primary key and the indexes by object, date and user.
        let idx = indexes(conn, table);
        assert!(idx.iter().any(|i| i == "PRIMARY"), "{table}: {idx:?}");
        for suffix in ["object", "date", "user"] {
            let name = format!("{table}_{suffix}_idx");
            assert!(idx.contains(&name), "{table} has no {name}: {idx:?}");
        }
        assert_eq!(
            idx.iter().any(|i| i.ends_with("_changeset_idx")),
            spec.changeset,
            "{table}: {idx:?}"
        );
        // Append-only: a trigger for UPDATE and one for DELETE, unless the model turned it off.
        let trig = triggers(conn, table);
        let expected = if spec.append_only { 2 } else { 0 };
        assert_eq!(trig.len(), expected, "{table}: {trig:?}");
    }
    // The guarded tables' triggers, one per statement kind, and the insert trigger of the
    // write path.
    for table in ["moorings", "nets"] {
        assert_eq!(
            triggers(conn, table),
            ["guard_delete", "guard_insert", "guard_update", "inserted"]
                .map(|t| format!("{table}_audit_{t}")),
        );
    }
    // Every source table collects the keys of the library's inserts.
    for spec in specs() {
        let table: &str = &spec.source_table;
        let trig = triggers(conn, table);
        assert!(
            trig.contains(&format!("{table}_audit_inserted")),
            "{table}: {trig:?}"
        );
    }
}

#[test]
fn the_migrations_revert_to_an_empty_database_and_apply_again() {
    let mut db = MysqlDb::empty();
    let conn = &mut db.conn;
    conn.run_pending_migrations(MIGRATIONS).unwrap();
    let all = tables(conn);
    for spec in specs() {
        assert!(
            all.iter().any(|t| t == spec.history_table.as_ref()),
            "{all:?}"
        );
    }
    conn.revert_all_migrations(MIGRATIONS).unwrap();
    // The anchors table, the record of re-anchorings shared by every chained table, stays.
    assert_eq!(tables(conn), vec![ANCHORS_TABLE.to_owned()]);
    conn.run_pending_migrations(MIGRATIONS).unwrap();
    assert_eq!(tables(conn), all);
}

#[derive(QueryableByName, Debug, PartialEq)]
struct Reason {
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    history_change_reason: Option<String>,
}

fn reasons(conn: &mut MysqlConnection) -> Vec<Option<String>> {
    diesel::sql_query("SELECT history_change_reason FROM historical_tanks ORDER BY history_id")
        .load::<Reason>(conn)
        .unwrap()
        .into_iter()
        .map(|r| r.history_change_reason)
        .collect()
}

#[test]
fn history_is_append_only_except_inside_maintenance() {
    let mut db = MysqlDb::empty();
    let conn = &mut db.conn;
    conn.run_pending_migrations(MIGRATIONS).unwrap();
    // Inserting history is not guarded.
    conn.batch_execute(
        "INSERT INTO historical_tanks (id, name, volume_m3, history_date, history_type, \
         history_user_id, history_change_reason) \
         VALUES (1, 'north', 12.5, UTC_TIMESTAMP(6), '+', 7, 'stocked')",
    )
    .unwrap();

    for (statement, op) in [
        (
            "UPDATE historical_tanks SET history_change_reason = 'forged'",
            "UPDATE",
        ),
        ("DELETE FROM historical_tanks", "DELETE"),
    ] {
        let err = conn.batch_execute(statement).unwrap_err().to_string();
        assert!(
            err.contains(&format!("historical_tanks is append-only: {op} refused")),
            "{err}"
        );
    }
    assert_eq!(reasons(conn), [Some("stocked".to_owned())]);

    // The library's maintenance lifts the guard for its own statements, and puts it back.
    let (lift, restore) = Tank::HISTORY.lift_guard_sql(Dialect::Mysql);
    for statement in &lift {
        conn.batch_execute(statement).unwrap();
    }
    conn.batch_execute("UPDATE historical_tanks SET history_change_reason = 'corrected'")
        .unwrap();
    for statement in &restore {
        conn.batch_execute(statement).unwrap();
    }
    assert_eq!(reasons(conn), [Some("corrected".to_owned())]);
    let err = conn
        .batch_execute("DELETE FROM historical_tanks")
        .unwrap_err()
        .to_string();
    assert!(err.contains("append-only: DELETE refused"), "{err}");

    // A model with `append_only = false` has no guard.
    conn.batch_execute(
        "INSERT INTO historical_tank_tags (tank_id, tag, history_date, history_type) \
         VALUES (1, 'red', UTC_TIMESTAMP(6), '+'); DELETE FROM historical_tank_tags",
    )
    .unwrap();
}

#[test]
fn history_rows_load_as_typed_records_and_bind_their_types() {
    use audit_diesel::dsl;
    use audit_diesel::HistoryType;
    use chrono::{NaiveDate, TimeZone, Utc};
    use diesel::sql_types::Nullable;

    let mut db = MysqlDb::empty();
    let conn = &mut db.conn;
    conn.run_pending_migrations(MIGRATIONS).unwrap();
    let changeset = uuid::Uuid::new_v4();
    conn.batch_execute(&format!(
        "INSERT INTO historical_tanks (id, name, volume_m3, notes, commissioned_on, history_date, \
         history_type, history_user_id, history_change_reason, history_changeset_id) VALUES \
         (1, 'north', 12.5, NULL, '2026-03-01', '2026-12-02 10:11:12.123456', '+', 7, 'stocked', '{changeset}'), \
         (1, 'north', 14.0, 'refilled', '2026-03-01', '2026-12-02 10:11:13.000001', '~', NULL, NULL, NULL)"
    ))
    .unwrap();

    let trail: Vec<HistoricalTank> = historical_tanks::table
        .order(historical_tanks::history_id)
        .load(conn)
        .unwrap();
    assert_eq!(trail.len(), 2);
    let first = &trail[0];
    let at = Utc.with_ymd_and_hms(2026, 12, 2, 10, 11, 12).unwrap()
        + chrono::Duration::microseconds(123_456);
    assert_eq!(
        first.history_date, at,
        "DATETIME(6) is read as UTC, to the microsecond"
    );
    assert_eq!(first.history_type, HistoryType::Create);
    assert_eq!(first.history_user_id, Some(7));
    assert_eq!(first.history_change_reason.as_deref(), Some("stocked"));
    assert_eq!(first.history_changeset_id, Some(changeset));
    assert_eq!(first.commissioned_on, NaiveDate::from_ymd_opt(2026, 3, 1));
    assert_eq!((first.volume_m3, first.notes.as_deref()), (12.5, None));
    assert_eq!(
        (
            trail[1].history_type,
            trail[1].notes.as_deref(),
            trail[1].history_user_id
        ),
        (HistoryType::Update, Some("refilled"), None)
    );

    // The history columns' types bind as well as they load.
    let later: Vec<f64> = historical_tanks::table
        .filter(historical_tanks::history_date.gt(dsl::date(at)))
        .filter(historical_tanks::history_type.eq(dsl::history_type(HistoryType::Update)))
        .select(historical_tanks::volume_m3)
        .load(conn)
        .unwrap();
    assert_eq!(later, [14.0]);
    let of_changeset: i64 = historical_tanks::table
        .filter(historical_tanks::history_changeset_id.eq(dsl::Bind::<
            Nullable<audit_diesel::sql_types::PortableUuid>,
            _,
        >::new(Some(changeset))))
        .count()
        .get_result(conn)
        .unwrap();
    assert_eq!(of_changeset, 1);

    // Text user ids, JSON metadata; UUID history and user ids; a history-only date field.
    let metadata = serde_json::json!({"ip": "10.0.0.7", "tags": [1, 2]});
    diesel::insert_into(historical_profiles::table)
        .values((
            historical_profiles::id.eq(3),
            historical_profiles::display_name.eq("Ola"),
            historical_profiles::history_date.eq(dsl::date(at)),
            historical_profiles::history_type.eq(dsl::history_type(HistoryType::Create)),
            historical_profiles::history_user_id.eq("ola@example.com"),
            historical_profiles::history_metadata.eq(dsl::Bind::<
                Nullable<audit_diesel::sql_types::HistoryMetadata>,
                _,
            >::new(Some(metadata.clone()))),
        ))
        .execute(conn)
        .unwrap();
    let profile: HistoricalProfile = historical_profiles::table.first(conn).unwrap();
    assert_eq!(
        (
            profile.history_user_id.as_deref(),
            profile.history_metadata.as_ref()
        ),
        (Some("ola@example.com"), Some(&metadata))
    );
    assert_eq!(profile.history_date, at);

    let user = uuid::Uuid::new_v4();
    conn.batch_execute(&format!(
        "INSERT INTO sensor_audit (id, serial, active, history_date, history_type, history_user_id) \
         VALUES (4, 'S-4', TRUE, UTC_TIMESTAMP(6), '+', '{user}')"
    ))
    .unwrap();
    let version: SensorVersion = sensor_audit::table.first(conn).unwrap();
    assert_eq!(
        (version.active, version.history_user_id),
        (true, Some(user))
    );
    assert_eq!(
        version.history_id.get_version_num(),
        1,
        "MySQL's UUID() is version 1"
    );

    conn.batch_execute(
        "INSERT INTO tanks (id, name, volume_m3) VALUES (5, 'south', 3.0); \
         INSERT INTO historical_feedings (id, tank_id, amount_kg, fed_at, history_date, history_type, \
         ip_address, approved_at) VALUES (6, 5, 2.5, '2026-12-01 06:00:00.5', UTC_TIMESTAMP(6), '+', \
         '10.0.0.8', '2026-12-01 07:00:00')",
    )
    .unwrap();
    let feeding: HistoricalFeeding = historical_feedings::table.first(conn).unwrap();
    assert_eq!(feeding.ip_address.as_deref(), Some("10.0.0.8"));
    assert_eq!(
        feeding.approved_at,
        Some(Utc.with_ymd_and_hms(2026, 12, 1, 7, 0, 0).unwrap())
    );
    assert_eq!(
        feeding.fed_at,
        NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_milli_opt(6, 0, 0, 500)
            .unwrap()
    );
}

diesel::table! {
    logbooks (id) {
        id -> Integer,
        entry -> Text,
    }
}

/// A model with a JSON history-only field (`jsonb`, which MySQL has not): it must still compile
/// with the `mysql` feature on; its MySQL calls are refused with a typed error.
#[derive(Debug, Clone, Queryable, Selectable, Historical)]
#[diesel(table_name = logbooks)]
#[historical(history_field(details: Option<serde_json::Value>))]
struct Logbook {
    id: i32,
    entry: String,
}

#[test]
fn a_model_with_a_json_history_field_compiles_with_mysql_on() {
    let details = &Logbook::HISTORY.history_fields[0];
    assert_eq!(
        (details.name.as_ref(), &details.sql_type),
        ("details", &audit_diesel::schema::SqlType::Jsonb)
    );
    let mut db = MysqlDb::empty();
    let refused = Logbook::create(
        &mut db.conn,
        &audit_diesel::AuditContext::for_user(1),
        logbooks::entry.eq("net check"),
    );
    assert!(
        matches!(
            &refused,
            Err(audit_diesel::AuditError::UnsupportedBackend { model, backend: "MySQL" }) if model == "Logbook"
        ),
        "{refused:?}"
    );
}

/// Every chained table gets its chain procedure, and a revert leaves none behind.
#[test]
fn the_migrations_create_a_chain_procedure_per_chained_table() {
    let mut db = MysqlDb::empty();
    let conn = &mut db.conn;
    conn.run_pending_migrations(MIGRATIONS).unwrap();
    let mut chained: Vec<String> = specs()
        .iter()
        .filter(|s| s.chained())
        .map(|s| format!("{}_chain", s.history_table))
        .collect();
    chained.sort();
    assert!(!chained.is_empty());
    assert_eq!(procedures(conn), chained);
    conn.revert_all_migrations(MIGRATIONS).unwrap();
    assert_eq!(procedures(conn), Vec::<String>::new());
}

fn procedures(conn: &mut MysqlConnection) -> Vec<String> {
    names(
        conn,
        "SELECT CAST(routine_name AS CHAR) AS name FROM information_schema.routines \
         WHERE routine_schema = DATABASE() AND routine_type = ? ORDER BY name",
        "PROCEDURE",
    )
}

#[derive(QueryableByName, Debug, PartialEq)]
struct Recorded {
    #[diesel(sql_type = Text)]
    history_type: String,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    mesh_mm: i32,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    history_user_id: Option<i64>,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    history_change_reason: Option<String>,
}

fn recorded_nets(conn: &mut MysqlConnection) -> Vec<Recorded> {
    diesel::sql_query(
        "SELECT history_type, mesh_mm, history_user_id, history_change_reason \
         FROM historical_nets ORDER BY history_id",
    )
    .load(conn)
    .unwrap()
}

#[test]
fn the_source_guard_refuses_plain_writes_unless_the_write_variable_is_set() {
    let mut db = MysqlDb::empty();
    let conn = &mut db.conn;
    conn.run_pending_migrations(MIGRATIONS).unwrap();
    for (statement, op) in [
        (
            "INSERT INTO moorings (name, depth_m) VALUES ('east', 12.0)",
            "INSERT",
        ),
        ("UPDATE moorings SET depth_m = 1", "UPDATE"),
        ("DELETE FROM moorings", "DELETE"),
    ] {
        if op == "UPDATE" {
            // Something to update and delete, written as the library will: the variable set.
            conn.batch_execute(
                "SET @audit_write = 1; INSERT INTO moorings (id, name, depth_m) VALUES (1, 'west', 9.5); SET @audit_write = NULL",
            )
            .unwrap();
        }
        let err = conn.batch_execute(statement).unwrap_err().to_string();
        assert!(
            err.contains(&format!("table moorings is audited: {op} refused")),
            "{op}: {err}"
        );
    }
    let depth: f64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::Double>(
        "(SELECT depth_m FROM moorings WHERE id = 1)",
    ))
    .get_result(conn)
    .unwrap();
    assert_eq!(depth, 9.5, "the refused update changed nothing");
}

#[test]
fn the_record_guard_writes_unattributed_history_for_plain_writes() {
    let mut db = MysqlDb::empty();
    let conn = &mut db.conn;
    conn.run_pending_migrations(MIGRATIONS).unwrap();
    conn.batch_execute(
        "INSERT INTO nets (id, mesh_mm, label) VALUES (1, 20, 'north'); \
         UPDATE nets SET mesh_mm = 25 WHERE id = 1; \
         UPDATE nets SET installed_at = UTC_TIMESTAMP(6) WHERE id = 1; \
         SET @audit_write = 1; UPDATE nets SET mesh_mm = 30 WHERE id = 1; SET @audit_write = NULL; \
         DELETE FROM nets WHERE id = 1",
    )
    .unwrap();
    let rows = recorded_nets(conn);
    let seen: Vec<(&str, i32, Option<i64>, Option<&str>)> = rows
        .iter()
        .map(|r| {
            (
                r.history_type.as_str(),
                r.mesh_mm,
                r.history_user_id,
                r.history_change_reason.as_deref(),
            )
        })
        .collect();
    // The update of the excluded `installed_at` changed no tracked column: nothing recorded. The
    // write with the variable set is the library's to record: the guard leaves it alone.
    assert_eq!(
        seen,
        [
            (
                "+",
                20,
                None,
                Some("unattributed: INSERT outside audit-diesel")
            ),
            (
                "~",
                25,
                None,
                Some("unattributed: UPDATE outside audit-diesel")
            ),
            (
                "-",
                30,
                None,
                Some("unattributed: DELETE outside audit-diesel")
            ),
        ]
    );
}

/// The condition that names an object by its key (what a cleanup's `DELETE ... RETURNING`
/// returns to re-link its chain) is a MySQL expression that finds that object again.
#[test]
fn the_key_condition_names_the_object_on_mysql() {
    let mut db = MysqlDb::empty();
    let conn = &mut db.conn;
    conn.run_pending_migrations(MIGRATIONS).unwrap();
    conn.batch_execute(
        "INSERT INTO historical_assignments (tank_id, batch_code, population, history_date, \
         history_type) VALUES (1, 'B-1', 10, UTC_TIMESTAMP(6), '+'), (1, 'B-2', 20, UTC_TIMESTAMP(6), '+')",
    )
    .unwrap();
    let condition = Assignment::HISTORY.chain_key_condition_sql(Dialect::Mysql);
    let named: String = diesel::select(diesel::dsl::sql::<Text>(&format!(
        "(SELECT {condition} FROM historical_assignments WHERE batch_code = 'B-2')"
    )))
    .get_result(conn)
    .unwrap();
    assert_eq!(named, "`tank_id` = '1' AND `batch_code` = 'B-2'");
    let population: i32 = diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>(&format!(
        "(SELECT population FROM historical_assignments WHERE {named})"
    )))
    .get_result(conn)
    .unwrap();
    assert_eq!(population, 20);
}
