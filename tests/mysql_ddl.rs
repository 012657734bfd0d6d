//! The generated MySQL/MariaDB DDL on a real server (the MariaDB service at 127.0.0.1:3306): the
//! history migrations `build.rs` generates for the test models (`tests/migrations/mysql`) apply
//! and revert, create the tables, columns, indexes and append-only triggers their specs
//! describe, and the append-only triggers refuse what they must and let maintenance through.
//! Each test has a database of its own.
//!
//! The library's runtime does not write to MySQL yet: these tests use plain SQL.
#![cfg(feature = "mysql")]

mod common;

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
    // No source guard on MySQL yet: the guarded tables have no triggers.
    assert!(triggers(conn, "moorings").is_empty());
    assert!(triggers(conn, "nets").is_empty());
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
    assert_eq!(tables(conn), Vec::<String>::new());
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
