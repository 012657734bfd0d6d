//! The operator CLI over registered models, on every backend.

mod common;

use audit_diesel::cli::CliError;
use audit_diesel::Registry;
use audit_diesel::{AuditContext, Historical};
use common::*;
use diesel::prelude::*;

/// Runs the CLI with `args`, returning its output.
macro_rules! cli {
    ($conn:expr, $registry:expr, $($arg:expr),*) => {{
        let mut out = Vec::new();
        let result = $registry.run($conn, ["farm-audit", $($arg),*], &mut out);
        (result, String::from_utf8(out).unwrap())
    }};
}

on_each_backend! {
    /// `verify` reports clean tables and their checkpoints, `checkpoint` prints the lines alone,
    /// and after a forgery `verify --against` fails naming the row and the checkpoint.
    fn the_cli_verifies_checkpoints_and_anchors(db) {
        use diesel::connection::SimpleConnection;
        let conn = &mut db.conn;
        let registry = Registry::new().model::<Tank>().model::<Feeding>();
        let tank = Tank::create(conn, &ctx(7, "commissioned"), &NewTank::named("T1")).unwrap();
        Tank::update(conn, &ctx(7, "resized"), tank.id, tanks::volume_m3.eq(55.0)).unwrap();

        let (result, out) = cli!(conn, registry, "verify", "--auto");
        result.unwrap();
        assert!(out.starts_with("Tank                     2 rows, 1 objects: clean\n  audit-checkpoint v1 table=historical_tanks last_id="), "{out}");
        assert!(out.contains("Feeding                  0 rows, 0 objects: clean"), "{out}");

        let (result, lines) = cli!(conn, registry, "checkpoint", "Tank");
        result.unwrap();
        assert_eq!(lines.lines().count(), 1);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("checkpoints.txt");
        std::fs::write(&file, format!("# kept elsewhere\n{lines}")).unwrap();
        let against = file.to_str().unwrap();
        let (result, out) = cli!(conn, registry, "verify", "Tank", "--against", against);
        result.unwrap();
        assert!(out.contains("rows and chain heads match the checkpoint"), "{out}");

        let lift = if matches!(conn, common::db::AnyConnection::Postgresql(_)) {
            "SELECT set_config('audit.maintenance', 'on', false)"
        } else {
            "DROP TRIGGER historical_tanks_append_only_update"
        };
        conn.batch_execute(lift).unwrap();
        conn.batch_execute("UPDATE historical_tanks SET history_user_id = 99 WHERE history_type = '+'").unwrap();
        let (result, out) = cli!(conn, registry, "verify", "Tank", "--against", against);
        assert!(matches!(result, Err(CliError::NotClean { ref models }) if models == &["Tank"]), "{result:?}");
        assert!(out.contains("Tank                     2 rows, 1 objects: NOT CLEAN"), "{out}");
        assert!(out.contains("was edited: its hash does not match its content"), "{out}");
        // An edit that did not re-compute the hashes leaves the heads as they were.
        assert!(out.contains("rows and chain heads match the checkpoint"), "{out}");

        std::fs::write(&file, "audit-checkpoint v1 table=historical_tanks rows=2").unwrap();
        let (result, _) = cli!(conn, registry, "verify", "Tank", "--against", against);
        let error = result.unwrap_err().to_string();
        assert!(error.contains("line 1: not a checkpoint"), "{error}");

        let (result, out) = cli!(conn, registry, "anchor", "Tank", "--reason", "nothing to do");
        result.unwrap();
        assert_eq!(out, "Tank                     every row has its hash\n");
    }

    /// `drift` reports writes made without the library and fails; `--record` writes their
    /// history; then there is none.
    fn the_cli_finds_and_records_drift(db) {
        let conn = &mut db.conn;
        let registry = Registry::new().model::<Tank>().model::<Feeding>();
        let tank = Tank::create(conn, &ctx(7, "commissioned"), &NewTank::named("T1")).unwrap();
        diesel::update(tanks::table.find(tank.id)).set(tanks::volume_m3.eq(12.5)).execute(conn).unwrap();

        let (result, out) = cli!(conn, registry, "drift", "Tank");
        assert!(matches!(result, Err(CliError::Drift { ref models }) if models == &["Tank"]), "{result:?}");
        assert!(out.starts_with("Tank                     1 rows: 1 drifted\n"), "{out}");
        assert!(out.contains("was updated without history: volume_m3 differ from its latest row"), "{out}");

        let (result, out) = cli!(conn, registry, "drift", "Tank", "--record");
        result.unwrap();
        assert!(out.starts_with("Tank                     1 rows: 1 drifted, 1 history rows recorded"), "{out}");
        let (result, out) = cli!(conn, registry, "drift", "--auto");
        result.unwrap();
        assert!(out.contains("Tank                     1 rows: no drift"), "{out}");
        assert!(out.contains("Feeding                  0 rows: no drift"), "{out}");
    }

    fn the_cli_lists_populates_and_reports_per_model(db) {
        let conn = &mut db.conn;
        let registry = Registry::new().model::<Tank>().model::<Feeding>().model::<Assignment>();
        let (result, out) = cli!(conn, registry, "models");
        result.unwrap();
        assert_eq!(out, "Tank                     historical_tanks\nFeeding                  historical_feedings\nAssignment               historical_assignments\n");

        for i in 0..5 {
            diesel::insert_into(tanks::table)
                .values((tanks::id.eq(1000 + i), tanks::name.eq(format!("L{i}")), tanks::volume_m3.eq(1.0)))
                .execute(conn)
                .unwrap();
        }
        let (result, out) = cli!(conn, registry, "populate", "Tank", "--batch-size", "2", "--user", "42");
        result.unwrap();
        assert!(out.starts_with("Tank                     5 rows in 3 batches"), "{out}");
        let row: HistoricalTank = historical_tanks::table.first(conn).unwrap();
        assert_eq!((row.history_user_id, row.history_change_reason.as_deref()), (Some(42), Some("populate_history")));

        let (result, out) = cli!(conn, registry, "populate", "--auto");
        result.unwrap();
        assert!(out.contains("Tank                     skipped: it has history already"), "{out}");
        assert!(out.contains("Feeding                  0 rows in 1 batches"), "{out}");
    }

    fn an_unknown_model_is_an_error_listing_the_valid_ones_and_nothing_is_written(db) {
        let conn = &mut db.conn;
        diesel::insert_into(tanks::table)
            .values((tanks::id.eq(1000), tanks::name.eq("L"), tanks::volume_m3.eq(1.0)))
            .execute(conn)
            .unwrap();
        let registry = Registry::new().model::<Tank>().model::<Feeding>();
        // The valid name comes first: still nothing may be written.
        let (result, out) = cli!(conn, registry, "populate", "Tank", "Batch");
        match result {
            Err(CliError::UnknownModel { given, known }) => {
                assert_eq!(given, "Batch");
                assert_eq!(known, ["Tank", "Feeding"]);
            }
            other => panic!("expected UnknownModel, got {other:?}"),
        }
        assert!(out.is_empty());
        assert_eq!(historical_tanks::table.count().get_result::<i64>(conn).unwrap(), 0);
        let (result, _) = cli!(conn, registry, "clean-old", "Nope");
        assert_eq!(result.unwrap_err().to_string(), "unknown model `Nope`; registered models: Tank, Feeding");
        let (result, _) = cli!(conn, registry, "populate", "--batch-size", "many");
        assert!(matches!(result, Err(CliError::Usage(_))));
    }

    /// django-simple-history's maintenance commands take model names or `--auto`: with neither,
    /// a command that writes history refuses and writes nothing (before, `clean-old` with no
    /// names cleaned every model).
    fn commands_that_write_history_need_model_names_or_auto(db) {
        let conn = &mut db.conn;
        let registry = Registry::new().model::<Tank>().model::<Feeding>();
        let old = AuditContext::builder().date(chrono::Utc::now() - chrono::TimeDelta::days(40)).build().unwrap();
        Tank::create(conn, &old, &NewTank::named("T1")).unwrap();
        for command in ["populate", "clean-duplicates", "clean-old"] {
            let (result, out) = cli!(conn, registry, command);
            match result {
                Err(CliError::NoModelSelected { command: c, known }) => {
                    assert_eq!((c, known.as_slice()), (command, ["Tank".to_owned(), "Feeding".to_owned()].as_slice()));
                }
                other => panic!("{command}: expected NoModelSelected, got {other:?}"),
            }
            assert!(out.is_empty());
        }
        assert_eq!(historical_tanks::table.count().get_result::<i64>(conn).unwrap(), 1, "nothing was deleted");
        let (result, _) = cli!(conn, registry, "clean-old", "Tank", "--auto");
        assert!(matches!(result, Err(CliError::Usage(_))), "names and --auto together are refused");
        let (result, out) = cli!(conn, registry, "clean-old", "--auto", "--dry-run");
        result.unwrap();
        assert_eq!(out, "Tank                     would delete 1 old rows\nFeeding                  would delete 0 old rows\n");
    }

    /// `clean-duplicates --excluded-fields` (django-simple-history's `--excluded_fields`): checked
    /// against every model cleaned before anything is deleted.
    fn clean_duplicates_takes_excluded_fields(db) {
        let conn = &mut db.conn;
        let registry = Registry::new().model::<Tank>().model::<Profile>();
        let ctx = AuditContext::for_user(1);
        let t = Tank::create(conn, &ctx, &NewTank::named("T1")).unwrap();
        Tank::update(conn, &ctx, t.id, tanks::volume_m3.eq(41.0)).unwrap();
        let (result, _) = cli!(conn, registry, "clean-duplicates", "--auto", "--excluded-fields", "volume_m3");
        let err = result.unwrap_err().to_string();
        assert!(err.starts_with("Profile has no tracked field `volume_m3`"), "{err}");
        assert_eq!(historical_tanks::table.count().get_result::<i64>(conn).unwrap(), 2);
        let (result, out) = cli!(conn, registry, "clean-duplicates", "Tank", "--excluded-fields", "name,volume_m3");
        result.unwrap();
        assert_eq!(out, "Tank                     deleted 1 duplicate rows\n");
    }

    fn the_cli_cleans_with_dry_runs(db) {
        let conn = &mut db.conn;
        let registry = Registry::new().model::<Profile>().model::<Tank>();
        let ada = Profile { id: 1, display_name: "Ada".into() };
        let as_ada = AuditContext::for_user("ada");
        Profile::create(conn, &as_ada, &ada).unwrap();
        ada.save(conn, &as_ada).unwrap();
        let old = AuditContext::builder().date(chrono::Utc::now() - chrono::TimeDelta::days(40)).build().unwrap();
        Tank::create(conn, &old, &NewTank::named("T1")).unwrap();

        let (result, out) = cli!(conn, registry, "clean-duplicates", "--auto", "--dry-run");
        result.unwrap();
        assert_eq!(out, "Profile                  would delete 1 duplicate rows\nTank                     would delete 0 duplicate rows\n");
        assert_eq!(historical_profiles::table.count().get_result::<i64>(conn).unwrap(), 2);
        let (result, out) = cli!(conn, registry, "clean-duplicates", "historical_profiles");
        result.unwrap();
        assert_eq!(out, "Profile                  deleted 1 duplicate rows\n");

        let (result, out) = cli!(conn, registry, "clean-old", "Tank", "--days", "30", "--dry-run");
        result.unwrap();
        assert_eq!(out, "Tank                     would delete 1 old rows\n");
        let (result, out) = cli!(conn, registry, "clean-old", "Tank", "--days", "30", "--keep-latest");
        result.unwrap();
        assert_eq!(out, "Tank                     deleted 0 old rows\n");
        let (result, _) = cli!(conn, registry, "clean-old", "Tank", "--days", "30");
        result.unwrap();
        assert_eq!(historical_tanks::table.count().get_result::<i64>(conn).unwrap(), 0);
    }

    fn the_cli_makes_and_checks_migrations_of_the_registered_models(db) {
        let conn = &mut db.conn;
        let registry = Registry::new().model::<Tank>().model::<Feeding>();
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_str().unwrap().to_owned();
        let (result, _) = cli!(conn, registry, "make-migrations", "--dialect", "sqlite", "--dir", &dir, "--check");
        let err = result.unwrap_err().to_string();
        assert!(err.contains("stale for historical_feedings, historical_tanks"), "{err}");
        let (result, out) = cli!(conn, registry, "make-migrations", "--dialect", "sqlite", "--dir", &dir);
        result.unwrap();
        assert_eq!(out.matches("wrote ").count(), 2, "{out}");
        let (result, out) = cli!(conn, registry, "make-migrations", "--dialect", "sqlite", "--dir", &dir, "--check");
        result.unwrap();
        assert!(out.ends_with("history migrations are up to date\n"), "{out}");
    }
}
