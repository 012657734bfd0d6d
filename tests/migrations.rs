//! Generated migrations on real databases: the committed trees are current, and a model that
//! gains and loses fields evolves its history table through generated migrations that diesel
//! applies, with audited writes working at every step.

mod common;

use audit_diesel::{AuditContext, Historical, HistoryType};
use audit_migrate::{Dialect, Migrations};
use chrono::{TimeZone, Utc};
use common::*;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel_migrations::{FileBasedMigrations, MigrationHarness};

include!("../history_migrations.rs");

#[test]
fn the_committed_migrations_match_the_models() {
    // The same list build.rs generates from.
    for migrations in history_migrations() {
        migrations.check().unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn a_model_change_not_yet_generated_is_reported_as_stale() {
    let mut spec = Tank::HISTORY.clone();
    spec.columns
        .to_mut()
        .push(audit_diesel::schema::ColumnSpec {
            name: "salinity_ppt".into(),
            sql_type: audit_diesel::schema::SqlType::Double,
            nullable: true,
            indexed: false,
        });
    let err = Migrations::new("tests/migrations/sqlite", Dialect::Sqlite)
        .model(&spec)
        .check()
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("stale for historical_tanks"), "{message}");
    assert!(message.contains("add column `salinity_ppt`"), "{message}");
}

/// A pen and its history, at three versions of the model.
mod v1 {
    use audit_diesel::Historical;
    use diesel::prelude::*;

    diesel::table! {
        pens (id) {
            id -> Integer,
            name -> Text,
        }
    }

    #[derive(Debug, Clone, Queryable, Selectable, Insertable, Historical)]
    #[diesel(table_name = pens)]
    pub struct Pen {
        pub id: i32,
        pub name: String,
    }
}

mod v2 {
    use audit_diesel::Historical;
    use diesel::prelude::*;

    diesel::table! {
        pens (id) {
            id -> Integer,
            name -> Text,
            depth_m -> Nullable<Double>,
        }
    }

    /// Gained `depth_m`.
    #[derive(Debug, Clone, Queryable, Selectable, Insertable, Historical)]
    #[diesel(table_name = pens)]
    pub struct Pen {
        pub id: i32,
        pub name: String,
        #[historical(index)]
        pub depth_m: Option<f64>,
    }
}

mod v3 {
    use audit_diesel::Historical;
    use diesel::prelude::*;

    diesel::table! {
        pens (id) {
            id -> Integer,
            depth_m -> Nullable<Double>,
        }
    }

    /// Lost `name`, and records the writes that bypass the library.
    #[derive(Debug, Clone, Queryable, Selectable, Insertable, Historical)]
    #[diesel(table_name = pens)]
    #[historical(guard = record)]
    pub struct Pen {
        pub id: i32,
        pub depth_m: Option<f64>,
    }
}

#[derive(QueryableByName, Debug, PartialEq)]
struct NameRow {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    name: Option<String>,
}

/// Generates the migrations of `spec` into `dir` as of `minute` and runs what is pending.
macro_rules! migrate {
    ($conn:expr, $dir:expr, $dialect:expr, $spec:expr, $minute:expr) => {{
        let report = Migrations::new($dir, $dialect)
            .model($spec)
            .at(Utc.with_ymd_and_hms(2031, 1, 1, 0, $minute, 0).unwrap())
            .generate()
            .unwrap();
        let migrations = FileBasedMigrations::from_path($dir).unwrap();
        $conn.run_pending_migrations(migrations).unwrap();
        report
    }};
}

macro_rules! evolution_test {
    ($db:ident, $dialect:expr) => {{
        let conn = &mut $db.conn;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let ctx = AuditContext::builder()
            .user(3)
            .reason("pens")
            .build()
            .unwrap();
        conn.batch_execute("CREATE TABLE pens (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
            .unwrap();

        // v1: the history table is created.
        migrate!(conn, dir, $dialect, v1::Pen::HISTORY, 0);
        v1::Pen::create(
            conn,
            &ctx,
            &v1::Pen {
                id: 1,
                name: "north".into(),
            },
        )
        .unwrap();

        // v2: the model gains an indexed field; history gains a nullable column.
        conn.batch_execute("ALTER TABLE pens ADD COLUMN depth_m DOUBLE PRECISION")
            .unwrap();
        let report = migrate!(conn, dir, $dialect, v2::Pen::HISTORY, 1);
        assert_eq!(report.written.len(), 1);
        // Its down.sql reverts it and its up.sql applies again.
        let migrations = FileBasedMigrations::from_path(dir).unwrap();
        conn.revert_last_migration(migrations.clone()).unwrap();
        conn.run_pending_migrations(migrations).unwrap();
        v2::Pen::update(conn, &ctx, 1, v2::pens::depth_m.eq(4.5)).unwrap();
        let trail: Vec<v2::HistoricalPen> = v2::historical_pens::table
            .order(v2::historical_pens::history_id)
            .load(conn)
            .unwrap();
        let seen: Vec<(HistoryType, &str, Option<f64>)> = trail
            .iter()
            .map(|r| (r.history_type, r.name.as_str(), r.depth_m))
            .collect();
        assert_eq!(
            seen,
            [
                (HistoryType::Create, "north", None),
                (HistoryType::Update, "north", Some(4.5))
            ]
        );
        // The chain holds across the new column (the trigger was made anew with it).
        let report =
            audit_diesel::chain::verify_history::<v2::Pen, _>(conn, &Default::default(), |_| {})
                .unwrap();
        assert!(report.is_clean(), "{:?}", report.findings);

        // v3: the model loses `name`; history keeps the column and its values, now nullable.
        conn.batch_execute("ALTER TABLE pens DROP COLUMN name")
            .unwrap();
        let report = migrate!(conn, dir, $dialect, v3::Pen::HISTORY, 2);
        assert!(
            report
                .notes
                .iter()
                .any(|n| n.contains("no longer tracks `name`")),
            "{:?}",
            report.notes
        );
        v3::Pen::create(
            conn,
            &ctx,
            &v3::Pen {
                id: 2,
                depth_m: Some(3.0),
            },
        )
        .unwrap();
        v3::Pen::delete(conn, &ctx, 1).unwrap();
        let names: Vec<NameRow> =
            diesel::sql_query("SELECT name FROM historical_pens ORDER BY history_id")
                .load(conn)
                .unwrap();
        let names: Vec<Option<&str>> = names.iter().map(|r| r.name.as_deref()).collect();
        assert_eq!(names, [Some("north"), Some("north"), None, None]);
        let trail: Vec<v3::HistoricalPen> = v3::historical_pens::table
            .order(v3::historical_pens::history_id)
            .load(conn)
            .unwrap();
        assert_eq!(
            trail.len(),
            4,
            "history rows of every version load through v3"
        );
        assert_eq!(trail[3].history_type, HistoryType::Delete);
        assert_eq!(trail[3].depth_m, Some(4.5));
        // And across the retired one, which the table keeps and the chain still covers.
        let report =
            audit_diesel::chain::verify_history::<v3::Pen, _>(conn, &Default::default(), |_| {})
                .unwrap();
        assert!(report.is_clean(), "{:?}", report.findings);
        assert_eq!(report.rows, 4);

        // v3's guard came with its migration (on SQLite, around the table's rebuild): a plain
        // update is recorded, unattributed, without the retired column.
        conn.batch_execute("UPDATE pens SET depth_m = 5.0 WHERE id = 2")
            .unwrap();
        let latest = v3::Pen::history(&2).latest(conn).unwrap().unwrap();
        assert_eq!((latest.history_user_id, latest.depth_m), (None, Some(5.0)));
        assert_eq!(
            latest.history_change_reason,
            Some(audit_diesel::SourceGuard::reason("UPDATE"))
        );

        // Nothing left to generate.
        let again = Migrations::new(dir, $dialect)
            .model(v3::Pen::HISTORY)
            .generate()
            .unwrap();
        assert!(again.written.is_empty(), "{:?}", again.written);
    }};
}

#[test]
fn sqlite_history_tables_evolve_with_their_models() {
    let mut db = TestDb::sqlite();
    evolution_test!(db, Dialect::Sqlite);
}

#[cfg(feature = "postgres")]
#[test]
fn postgres_history_tables_evolve_with_their_models() {
    let mut db = TestDb::postgres();
    evolution_test!(db, Dialect::Postgres);
}

#[cfg(feature = "mysql")]
#[derive(QueryableByName, Debug, PartialEq)]
struct ColumnRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    nullable: String,
}

/// The columns of `historical_pens` and whether each is nullable, on MySQL.
#[cfg(feature = "mysql")]
fn mysql_pen_columns(conn: &mut MysqlConnection) -> Vec<(String, bool)> {
    diesel::sql_query(
        "SELECT CAST(column_name AS CHAR) AS name, CAST(is_nullable AS CHAR) AS nullable \
         FROM information_schema.columns \
         WHERE table_schema = DATABASE() AND table_name = 'historical_pens' \
         ORDER BY ordinal_position",
    )
    .load::<ColumnRow>(conn)
    .unwrap()
    .into_iter()
    .map(|c| (c.name, c.nullable == "YES"))
    .collect()
}

/// The same evolution on MySQL/MariaDB, its DDL only (the library's runtime does not write to
/// MySQL yet): each generated step applies on the server, reverts and applies again, and keeps
/// the history rows written by plain SQL before it.
#[cfg(feature = "mysql")]
#[test]
fn mysql_history_tables_evolve_with_their_models() {
    let mut db = common::db::MysqlDb::empty();
    let conn = &mut db.conn;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let dialect = Dialect::Mysql;
    conn.batch_execute("CREATE TABLE pens (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        .unwrap();

    migrate!(conn, dir, dialect, v1::Pen::HISTORY, 0);
    conn.batch_execute(
        "INSERT INTO pens VALUES (1, 'north'); \
         INSERT INTO historical_pens (id, name, history_date, history_type, history_user_id, \
         history_change_reason) VALUES (1, 'north', UTC_TIMESTAMP(6), '+', 3, 'pens')",
    )
    .unwrap();

    conn.batch_execute("ALTER TABLE pens ADD COLUMN depth_m DOUBLE")
        .unwrap();
    let report = migrate!(conn, dir, dialect, v2::Pen::HISTORY, 1);
    assert_eq!(report.written.len(), 1);
    let migrations = FileBasedMigrations::from_path(dir).unwrap();
    conn.revert_last_migration(migrations.clone()).unwrap();
    assert!(!mysql_pen_columns(conn).iter().any(|(c, _)| c == "depth_m"));
    conn.run_pending_migrations(migrations).unwrap();
    let columns = mysql_pen_columns(conn);
    assert!(
        columns.contains(&("depth_m".to_owned(), true)),
        "{columns:?}"
    );
    assert!(columns.contains(&("name".to_owned(), false)), "{columns:?}");
    let indexed: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "(SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() \
         AND table_name = 'historical_pens' AND column_name = 'depth_m')",
    ))
    .get_result(conn)
    .unwrap();
    assert_eq!(indexed, 1, "#[historical(index)] on depth_m");
    conn.batch_execute(
        "INSERT INTO historical_pens (id, name, depth_m, history_date, history_type) \
         VALUES (1, 'north', 4.5, UTC_TIMESTAMP(6), '~')",
    )
    .unwrap();

    conn.batch_execute("ALTER TABLE pens DROP COLUMN name")
        .unwrap();
    let report = migrate!(conn, dir, dialect, v3::Pen::HISTORY, 2);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("no longer tracks `name`")),
        "{:?}",
        report.notes
    );
    // History keeps the retired column, now nullable, and its values.
    let columns = mysql_pen_columns(conn);
    assert!(columns.contains(&("name".to_owned(), true)), "{columns:?}");
    conn.batch_execute(
        "INSERT INTO historical_pens (id, depth_m, history_date, history_type) \
         VALUES (1, 4.5, UTC_TIMESTAMP(6), '-')",
    )
    .unwrap();
    let names: Vec<NameRow> =
        diesel::sql_query("SELECT name FROM historical_pens ORDER BY history_id")
            .load(conn)
            .unwrap();
    let names: Vec<Option<&str>> = names.iter().map(|r| r.name.as_deref()).collect();
    assert_eq!(names, [Some("north"), Some("north"), None]);

    // v3's guard came with its migration: a plain insert is recorded, unattributed.
    conn.batch_execute("INSERT INTO pens (id, depth_m) VALUES (2, 3.0)")
        .unwrap();
    let reason: Option<String> = diesel::select(diesel::dsl::sql::<
        diesel::sql_types::Nullable<diesel::sql_types::Text>,
    >(
        "(SELECT history_change_reason FROM historical_pens WHERE id = 2 AND history_type = '+')",
    ))
    .get_result(conn)
    .unwrap();
    assert_eq!(reason, Some(audit_diesel::SourceGuard::reason("INSERT")));

    let again = Migrations::new(dir, dialect)
        .model(v3::Pen::HISTORY)
        .generate()
        .unwrap();
    assert!(again.written.is_empty(), "{:?}", again.written);
}
