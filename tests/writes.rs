//! Audited create, update, save and delete: the data change and its history row, together.

mod common;

use audit_diesel::{AuditContext, AuditError, Historical, HistoryType, UserId};
use chrono::{NaiveDate, TimeZone, Utc};
use common::db::{Indexes, RefuseHistory};
use common::*;
use diesel::prelude::*;

on_each_backend! {
    fn audited_writes_are_prepared_once_per_connection_and_shape(db) {
        let conn = &mut db.conn;
        let statements = Statements::default();
        conn.set_instrumentation(statements.clone());
        let ctx = AuditContext::for_user(1);
        let mut ids = Vec::new();
        for i in 0..3 {
            let tank = Tank::create(conn, &ctx, &NewTank::named(&format!("T{i}"))).unwrap();
            Tank::update(conn, &ctx, tank.id, tanks::volume_m3.eq(f64::from(i) + 10.0)).unwrap();
            ids.push(tank.id);
        }
        for id in ids {
            Tank::delete(conn, &ctx, id).unwrap();
        }
        let cached = statements.cached();
        // (MySQL's locking read is `SELECT ... FOR UPDATE`: not an update.)
        let count = |verb: &str| {
            cached
                .iter()
                .filter(|sql| sql.replace("FOR UPDATE", "").contains(verb))
                .count()
        };
        // Three of each write, each statement prepared once: an update's statement is no longer
        // parsed (and on PostgreSQL planned) at every call.
        assert_eq!(count("UPDATE"), 1, "{cached:#?}");
        assert_eq!(count("DELETE"), 1, "{cached:#?}");
        assert_eq!(historical_tanks::table.count().get_result::<i64>(conn).unwrap(), 9);
    }

    fn create_records_a_plus_row_with_the_new_state(db) {
        let conn = &mut db.conn;
        let new = NewTank {
            notes: Some("north hall".into()),
            commissioned_on: NaiveDate::from_ymd_opt(2024, 3, 1),
            internal_code: Some("X-1".into()),
            ..NewTank::named("T1")
        };
        let tank = Tank::create(conn, &ctx(7, "stocking"), &new).unwrap();
        assert_eq!(tank.name, "T1");
        assert_eq!(tank.internal_code.as_deref(), Some("X-1"));

        let rows: Vec<HistoricalTank> = historical_tanks::table.load(conn).unwrap();
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(row.history_type, HistoryType::Create);
        assert_eq!(row.id, tank.id);
        assert_eq!(row.name, "T1");
        assert_eq!(row.volume_m3, 40.0);
        assert_eq!(row.notes.as_deref(), Some("north hall"));
        assert_eq!(row.commissioned_on, NaiveDate::from_ymd_opt(2024, 3, 1));
        assert_eq!(row.history_user_id, Some(7));
        assert_eq!(row.history_change_reason.as_deref(), Some("stocking"));
    }

    fn update_records_a_tilde_row_with_the_state_after(db) {
        let conn = &mut db.conn;
        let tank = Tank::create(conn, &ctx(1, "stocking"), &NewTank::named("T1")).unwrap();
        let updated =
            Tank::update(conn, &ctx(2, "resized"), tank.id, tanks::volume_m3.eq(55.5)).unwrap();
        assert_eq!(updated.volume_m3, 55.5);

        let rows: Vec<HistoricalTank> = historical_tanks::table
            .order(historical_tanks::history_id)
            .load(conn)
            .unwrap();
        let types: Vec<_> = rows.iter().map(|r| r.history_type).collect();
        assert_eq!(types, [HistoryType::Create, HistoryType::Update]);
        assert_eq!(rows[1].volume_m3, 55.5);
        assert_eq!(rows[1].name, "T1");
        assert_eq!(rows[1].history_user_id, Some(2));
        assert_eq!(rows[1].history_change_reason.as_deref(), Some("resized"));
        assert_eq!(rows[0].volume_m3, 40.0, "the create row keeps the first state");
    }

    fn save_writes_every_column_including_nulls(db) {
        let conn = &mut db.conn;
        let new = NewTank { notes: Some("temporary".into()), ..NewTank::named("T1") };
        let mut tank = Tank::create(conn, &ctx(1, "stocking"), &new).unwrap();
        tank.notes = None;
        tank.name = "T1-north".into();
        let saved = tank.save(conn, &ctx(1, "renamed")).unwrap();
        assert_eq!(saved, tank);

        let stored: Tank = tanks::table.find(tank.id).select(Tank::as_select()).first(conn).unwrap();
        assert_eq!(stored.notes, None, "save writes NULL for None");
        let last: HistoricalTank = historical_tanks::table
            .order(historical_tanks::history_id.desc())
            .first(conn)
            .unwrap();
        assert_eq!(last.history_type, HistoryType::Update);
        assert_eq!(last.name, "T1-north");
        assert_eq!(last.notes, None);
    }

    fn delete_records_a_minus_row_with_the_last_state(db) {
        let conn = &mut db.conn;
        let tank = Tank::create(conn, &ctx(1, "stocking"), &NewTank::named("T1")).unwrap();
        Tank::update(conn, &ctx(1, "note"), tank.id, tanks::notes.eq("last words")).unwrap();
        let gone = Tank::delete(conn, &ctx(3, "decommissioned"), tank.id).unwrap();
        assert_eq!(gone.notes.as_deref(), Some("last words"));

        assert_eq!(tanks::table.count().get_result::<i64>(conn).unwrap(), 0);
        let last: HistoricalTank = historical_tanks::table
            .order(historical_tanks::history_id.desc())
            .first(conn)
            .unwrap();
        assert_eq!(last.history_type, HistoryType::Delete);
        assert_eq!(last.notes.as_deref(), Some("last words"));
        assert_eq!(last.history_user_id, Some(3));
        assert_eq!(last.history_change_reason.as_deref(), Some("decommissioned"));
    }

    fn excluded_fields_are_not_in_history(db) {
        let conn = &mut db.conn;
        assert_eq!(Tank::HISTORY.excluded.as_ref(), ["internal_code"]);
        assert!(Tank::HISTORY.column("internal_code").is_none());
        let err = diesel::sql_query("SELECT internal_code FROM historical_tanks").execute(conn);
        assert!(err.is_err(), "the history table has no internal_code column");

        // Changing only an excluded column changes no tracked state: no history row.
        let tank = Tank::create(conn, &ctx(1, "stocking"), &NewTank::named("T1")).unwrap();
        let updated =
            Tank::update(conn, &ctx(1, "recode"), tank.id, tanks::internal_code.eq("Y")).unwrap();
        assert_eq!(updated.internal_code.as_deref(), Some("Y"));
        assert_eq!(historical_tanks::table.count().get_result::<i64>(conn).unwrap(), 1);
    }

    fn nulls_round_trip(db) {
        let conn = &mut db.conn;
        let tank = Tank::create(conn, &AuditContext::anonymous(), &NewTank::named("T1")).unwrap();
        let row: HistoricalTank = historical_tanks::table.first(conn).unwrap();
        assert_eq!(row.notes, None);
        assert_eq!(row.commissioned_on, None);
        assert_eq!(row.history_user_id, None, "no user: a system change");
        assert_eq!(row.history_change_reason, None);

        let date = NaiveDate::from_ymd_opt(2025, 1, 31);
        Tank::update(conn, &ctx(1, "set"), tank.id, tanks::commissioned_on.eq(date)).unwrap();
        Tank::update(
            conn,
            &ctx(1, "unset"),
            tank.id,
            tanks::commissioned_on.eq(None::<NaiveDate>),
        )
        .unwrap();
        let dates: Vec<Option<NaiveDate>> = historical_tanks::table
            .order(historical_tanks::history_id)
            .select(historical_tanks::commissioned_on)
            .load(conn)
            .unwrap();
        assert_eq!(dates, [None, date, None]);
    }

    fn update_of_a_missing_row_is_not_found_and_writes_nothing(db) {
        let conn = &mut db.conn;
        let err = Tank::update(conn, &ctx(1, "x"), 404, tanks::volume_m3.eq(1.0)).unwrap_err();
        match err {
            AuditError::NotFound { model, key } => {
                assert_eq!(model, "Tank");
                assert_eq!(key, "404");
            }
            other => panic!("expected NotFound, got {other:?}"),
        }
        assert_eq!(historical_tanks::table.count().get_result::<i64>(conn).unwrap(), 0);
    }

    fn delete_of_a_missing_row_is_not_found_and_writes_nothing(db) {
        let conn = &mut db.conn;
        let err = Tank::delete(conn, &ctx(1, "x"), 404).unwrap_err();
        assert!(matches!(err, AuditError::NotFound { .. }), "{err:?}");
        assert_eq!(err.to_string(), "Tank with key 404 not found");
        assert_eq!(historical_tanks::table.count().get_result::<i64>(conn).unwrap(), 0);
    }

    fn an_empty_changeset_is_an_error_and_writes_nothing(db) {
        let conn = &mut db.conn;
        let tank = Tank::create(conn, &ctx(1, "stocking"), &NewTank::named("T1")).unwrap();
        #[derive(AsChangeset)]
        #[diesel(table_name = tanks)]
        struct TankChanges { notes: Option<String> }
        let err = Tank::update(conn, &ctx(1, "x"), tank.id, &TankChanges { notes: None }).unwrap_err();
        assert!(matches!(err, AuditError::EmptyChangeset { .. }), "{err:?}");
        assert_eq!(historical_tanks::table.count().get_result::<i64>(conn).unwrap(), 1);
    }

    fn trail_orders_equal_dates_by_history_id(db) {
        let conn = &mut db.conn;
        let at = Utc.with_ymd_and_hms(2026, 3, 3, 8, 0, 0).unwrap();
        let same_time = ctx(1, "import").with_date(at).unwrap();
        let tank = Tank::create(conn, &same_time, &NewTank::named("T1")).unwrap();
        for volume in [41.0, 42.0, 43.0] {
            Tank::update(conn, &same_time, tank.id, tanks::volume_m3.eq(volume)).unwrap();
        }
        let trail: Vec<HistoricalTank> = historical_tanks::table
            .order((historical_tanks::history_date, historical_tanks::history_id))
            .load(conn)
            .unwrap();
        assert!(trail.iter().all(|r| r.history_date == at), "all share one date");
        let volumes: Vec<f64> = trail.iter().map(|r| r.volume_m3).collect();
        assert_eq!(volumes, [40.0, 41.0, 42.0, 43.0], "ties on the date are broken by history_id");
    }

    fn history_date_is_the_time_of_the_write_unless_given(db) {
        let conn = &mut db.conn;
        // An import dates its rows (they come first: a chained trail takes no row dated before
        // its object's latest), later writes take the time of the write.
        let given = Utc.with_ymd_and_hms(2019, 6, 1, 12, 30, 15).unwrap()
            + chrono::TimeDelta::microseconds(123_456);
        let tank = Tank::create(conn, &ctx(1, "import").with_date(given).unwrap(), &NewTank::named("T1"))
            .unwrap();
        let before = Utc::now() - chrono::TimeDelta::seconds(5);
        Tank::update(conn, &ctx(1, "now"), tank.id, tanks::notes.eq("x")).unwrap();
        let after = Utc::now() + chrono::TimeDelta::seconds(5);

        let dates: Vec<chrono::DateTime<Utc>> = historical_tanks::table
            .order(historical_tanks::history_id)
            .select(historical_tanks::history_date)
            .load(conn)
            .unwrap();
        assert_eq!(dates[0], given, "explicit dates keep their microseconds");
        assert!(before < dates[1] && dates[1] < after, "{dates:?}");
    }

    fn a_failed_history_insert_leaves_the_data_as_it_was(db) {
        let conn = &mut db.conn;
        let tank = Tank::create(conn, &ctx(1, "stocking"), &NewTank::named("T1")).unwrap();
        conn.refuse_history_with_reason("historical_tanks", "poison");
        let poison = ctx(1, "poison");

        let err = Tank::create(conn, &poison, &NewTank::named("T2")).unwrap_err();
        assert!(matches!(err, AuditError::Database { operation: "create", .. }), "{err:?}");
        assert!(err.to_string().contains("history row refused"), "{err}");
        let err = Tank::update(conn, &poison, tank.id, tanks::volume_m3.eq(99.0)).unwrap_err();
        assert!(matches!(err, AuditError::Database { operation: "update", .. }), "{err:?}");
        let err = Tank::delete(conn, &poison, tank.id).unwrap_err();
        assert!(matches!(err, AuditError::Database { operation: "delete", .. }), "{err:?}");

        let all: Vec<Tank> = tanks::table.select(Tank::as_select()).load(conn).unwrap();
        assert_eq!(all, [tank], "no T2, volume unchanged, T1 not deleted");
        assert_eq!(historical_tanks::table.count().get_result::<i64>(conn).unwrap(), 1);
    }

    fn a_rolled_back_caller_transaction_leaves_neither_row(db) {
        let conn = &mut db.conn;
        let result: Result<(), AuditError> = conn.transaction(|conn| {
            let tank = Tank::create(conn, &ctx(1, "stocking"), &NewTank::named("T1"))?;
            Tank::update(conn, &ctx(1, "resized"), tank.id, tanks::volume_m3.eq(10.0))?;
            Err(AuditError::Diesel(diesel::result::Error::RollbackTransaction))
        });
        assert!(result.is_err());
        assert_eq!(tanks::table.count().get_result::<i64>(conn).unwrap(), 0);
        assert_eq!(historical_tanks::table.count().get_result::<i64>(conn).unwrap(), 0);
    }

    fn a_committed_caller_transaction_keeps_both_rows(db) {
        let conn = &mut db.conn;
        conn.transaction::<_, AuditError, _>(|conn| {
            let tank = Tank::create(conn, &ctx(1, "stocking"), &NewTank::named("T1"))?;
            Tank::delete(conn, &ctx(1, "mistake"), tank.id)?;
            Ok(())
        })
        .unwrap();
        assert_eq!(tanks::table.count().get_result::<i64>(conn).unwrap(), 0);
        assert_eq!(historical_tanks::table.count().get_result::<i64>(conn).unwrap(), 2);
    }

    fn deleting_the_user_keeps_history_user_id(db) {
        let conn = &mut db.conn;
        diesel::insert_into(users::table)
            .values(&User { id: 5, username: "vet".into() })
            .execute(conn)
            .unwrap();
        let tank = Tank::create(conn, &ctx(5, "stocking"), &NewTank::named("T1")).unwrap();
        diesel::delete(users::table.find(5)).execute(conn).unwrap();

        let row: HistoricalTank = historical_tanks::table.first(conn).unwrap();
        assert_eq!(row.id, tank.id);
        assert_eq!(row.history_user_id, Some(5), "no foreign key: the trail outlives the user");
    }

    fn history_outlives_the_rows_its_columns_referenced(db) {
        let conn = &mut db.conn;
        let tank = Tank::create(conn, &ctx(1, "stocking"), &NewTank::named("T1")).unwrap();
        let at = chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap().and_hms_opt(8, 0, 0).unwrap();
        let feeding = Feeding::create(
            conn,
            &ctx(1, "morning feed"),
            &NewFeeding { tank_id: tank.id, amount_kg: 12.5, fed_at: at },
        )
        .unwrap();
        Feeding::delete(conn, &ctx(1, "wrong tank"), feeding.id).unwrap();
        Tank::delete(conn, &ctx(1, "decommissioned"), tank.id).unwrap();

        let trail: Vec<HistoricalFeeding> = historical_feedings::table
            .order(historical_feedings::history_id)
            .load(conn)
            .unwrap();
        assert_eq!(trail.len(), 2);
        assert!(trail.iter().all(|r| r.tank_id == tank.id && r.amount_kg == 12.5 && r.fed_at == at));
        assert_eq!(trail[1].history_user_id, Some(1));
    }

    fn a_refused_data_change_is_a_typed_error_and_writes_nothing(db) {
        let conn = &mut db.conn;
        let tank = Tank::create(conn, &ctx(1, "stocking"), &NewTank::named("T1")).unwrap();
        let at = chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap().and_hms_opt(8, 0, 0).unwrap();
        let err = Feeding::create(
            conn,
            &ctx(1, "negative"),
            &NewFeeding { tank_id: tank.id, amount_kg: -1.0, fed_at: at },
        )
        .unwrap_err();
        match &err {
            AuditError::Database { model, operation, .. } => {
                assert_eq!(model, "Feeding");
                assert_eq!(*operation, "create");
            }
            other => panic!("expected a database error, got {other:?}"),
        }
        assert!(err.diesel_error().is_some());
        assert_eq!(feedings::table.count().get_result::<i64>(conn).unwrap(), 0);
        assert_eq!(historical_feedings::table.count().get_result::<i64>(conn).unwrap(), 0);
    }

    fn a_user_id_that_does_not_fit_the_column_is_refused_before_writing(db) {
        let conn = &mut db.conn;
        let tank = Tank::create(conn, &ctx(1, "stocking"), &NewTank::named("T1")).unwrap();
        let at = chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap().and_hms_opt(8, 0, 0).unwrap();
        let new = NewFeeding { tank_id: tank.id, amount_kg: 1.0, fed_at: at };

        // Feeding stores i32 user ids.
        let too_big = AuditContext::for_user(i64::from(i32::MAX) + 1);
        let err = Feeding::create(conn, &too_big, &new).unwrap_err();
        match &err {
            AuditError::UserIdType { model, user, expected } => {
                assert_eq!(model, "Feeding");
                assert_eq!(*user, UserId::Int(2_147_483_648));
                assert_eq!(*expected, audit_diesel::UserIdType::I32);
            }
            other => panic!("expected UserIdType, got {other:?}"),
        }
        assert!(err.to_string().contains("2147483648"), "{err}");
        let err = Feeding::create(conn, &AuditContext::for_user("alice"), &new).unwrap_err();
        assert!(matches!(err, AuditError::UserIdType { .. }), "{err:?}");
        assert_eq!(feedings::table.count().get_result::<i64>(conn).unwrap(), 0);

        let ok = Feeding::create(conn, &AuditContext::for_user(i32::MAX), &new).unwrap();
        let row: HistoricalFeeding = historical_feedings::table.first(conn).unwrap();
        assert_eq!((row.id, row.history_user_id), (ok.id, Some(i32::MAX)));
    }

    fn text_and_uuid_user_ids_are_stored_as_given(db) {
        let conn = &mut db.conn;
        let profile = Profile { id: 1, display_name: "Ada".into() };
        Profile::create(conn, &AuditContext::for_user("auth0|ada"), &profile).unwrap();
        let row: HistoricalProfile = historical_profiles::table.first(conn).unwrap();
        assert_eq!(row.history_user_id.as_deref(), Some("auth0|ada"));

        let who = uuid::Uuid::new_v4();
        let sensor = Sensor { id: 1, serial: "S-1".into(), active: true };
        Sensor::create(conn, &AuditContext::for_user(who), &sensor).unwrap();
        let row: SensorVersion = sensor_audit::table.first(conn).unwrap();
        assert_eq!(row.history_user_id, Some(who));
        let err = Sensor::create(conn, &AuditContext::for_user(7), &Sensor { id: 2, ..sensor })
            .unwrap_err();
        assert!(matches!(err, AuditError::UserIdType { .. }), "{err:?}");
    }

    fn history_rows_serialize_to_json(db) {
        let conn = &mut db.conn;
        let at = Utc.with_ymd_and_hms(2026, 3, 3, 8, 0, 0).unwrap();
        let ctx = ctx(9, "stocking").with_date(at).unwrap();
        Tank::create(conn, &ctx, &NewTank::named("T1")).unwrap();
        let row: HistoricalTank = historical_tanks::table.first(conn).unwrap();
        let json = serde_json::to_value(&row).unwrap();
        assert_eq!(json["history_type"], "+");
        assert_eq!(json["history_user_id"], 9);
        assert_eq!(json["history_change_reason"], "stocking");
        assert_eq!(json["history_date"], "2026-03-03T08:00:00Z");
        assert_eq!(json["name"], "T1");
        assert!(json.get("internal_code").is_none(), "excluded fields are not in the row");
        let back: HistoricalTank = serde_json::from_value(json).unwrap();
        assert_eq!(back.history_date, at);
    }

    fn history_tables_are_indexed_by_object_date_user_changeset_and_foreign_key(db) {
        let conn = &mut db.conn;
        assert_eq!(
            conn.index_names("historical_feedings"),
            [
                "historical_feedings_changeset_idx",
                "historical_feedings_date_idx",
                "historical_feedings_object_idx",
                "historical_feedings_tank_id_idx",
                "historical_feedings_user_idx",
            ]
        );
        assert_eq!(
            conn.index_names("historical_tanks"),
            ["historical_tanks_changeset_idx", "historical_tanks_date_idx", "historical_tanks_object_idx", "historical_tanks_user_idx"]
        );
    }

    fn metadata_is_stored_by_models_that_ask_for_it(db) {
        let conn = &mut db.conn;
        let request = serde_json::json!({ "ip": "10.0.0.7", "request_id": "r-19", "tags": [1, 2] });
        let ctx = AuditContext::builder()
            .user("auth0|ada")
            .reason("profile edit")
            .metadata(request.clone())
            .build()
            .unwrap();
        let profile = Profile { id: 1, display_name: "Ada".into() };
        Profile::create(conn, &ctx, &profile).unwrap();
        Profile::update(conn, &AuditContext::for_user("auth0|ada"), 1, profiles::display_name.eq("A."))
            .unwrap();
        let rows: Vec<HistoricalProfile> = historical_profiles::table
            .order(historical_profiles::history_id)
            .load(conn)
            .unwrap();
        assert_eq!(rows[0].history_metadata, Some(request.clone()));
        assert_eq!(rows[1].history_metadata, None);

        // A model without the column ignores the context's metadata.
        assert!(!Tank::HISTORY.metadata);
        let tank_ctx = AuditContext::builder().metadata(request).build().unwrap();
        Tank::create(conn, &tank_ctx, &NewTank::named("T1")).unwrap();
        assert_eq!(historical_tanks::table.count().get_result::<i64>(conn).unwrap(), 1);
    }

    fn uuid_history_ids_are_made_by_the_database(db) {
        let conn = &mut db.conn;
        let sensor = Sensor { id: 1, serial: "S-1".into(), active: true };
        Sensor::create(conn, &AuditContext::anonymous(), &sensor).unwrap();
        Sensor::update(conn, &AuditContext::anonymous(), 1, sensors::active.eq(false)).unwrap();
        Sensor::delete(conn, &AuditContext::anonymous(), 1).unwrap();
        let rows: Vec<SensorVersion> = sensor_audit::table.load(conn).unwrap();
        assert_eq!(rows.len(), 3);
        let mut ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.history_id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 3, "distinct ids");
        // MySQL's `UUID()` is version 1 (MariaDB 10.11 has no random UUID function).
        let version = if common::db::is_mysql(conn) { 1 } else { 4 };
        assert!(ids.iter().all(|id| id.get_version_num() == version), "{ids:?}");
    }

    fn composite_keys_name_their_object(db) {
        let conn = &mut db.conn;
        let tank = Tank::create(conn, &ctx(1, "stocking"), &NewTank::named("T1")).unwrap();
        let a = Assignment { tank_id: tank.id, batch_code: "B-7".into(), population: 5000 };
        Assignment::create(conn, &ctx(1, "assign"), &a).unwrap();
        let moved = Assignment::update(
            conn,
            &ctx(1, "mortality"),
            (tank.id, "B-7".to_owned()),
            assignments::population.eq(4950),
        )
        .unwrap();
        assert_eq!(moved.population, 4950);
        let err = Assignment::delete(conn, &ctx(1, "x"), (tank.id, "B-8".to_owned())).unwrap_err();
        assert_eq!(err.to_string(), format!("Assignment with key ({}, \"B-8\") not found", tank.id));
        Assignment::delete(conn, &ctx(1, "harvest"), moved.id()).unwrap();

        let trail: Vec<HistoricalAssignment> = historical_assignments::table
            .order(historical_assignments::history_id)
            .load(conn)
            .unwrap();
        let seen: Vec<(HistoryType, i32)> = trail.iter().map(|r| (r.history_type, r.population)).collect();
        assert_eq!(
            seen,
            [(HistoryType::Create, 5000), (HistoryType::Update, 4950), (HistoryType::Delete, 4950)]
        );
        assert!(trail.iter().all(|r| r.tank_id == tank.id && r.batch_code == "B-7"));
    }

    fn a_model_of_only_key_columns_is_created_and_deleted_but_has_nothing_to_save(db) {
        let conn = &mut db.conn;
        let tag = TankTag { tank_id: 1, tag: "quarantine".into() };
        TankTag::create(conn, &ctx(1, "tagged"), &tag).unwrap();
        let err = tag.save(conn, &ctx(1, "nothing")).unwrap_err();
        assert!(matches!(err, AuditError::EmptyChangeset { .. }), "{err:?}");
        TankTag::delete(conn, &ctx(1, "cleared"), tag.id()).unwrap();

        let types: Vec<HistoryType> = historical_tank_tags::table
            .order(historical_tank_tags::history_id)
            .select(historical_tank_tags::history_type)
            .load(conn)
            .unwrap();
        assert_eq!(types, [HistoryType::Create, HistoryType::Delete]);
    }
}

/// SQLite: an audited write is a savepoint inside the caller's transaction, so a failed write
/// undoes only itself and the caller may go on.
#[test]
fn sqlite_a_failed_write_inside_a_caller_transaction_undoes_only_itself() {
    let mut db = TestDb::sqlite();
    let conn = &mut db.conn;
    conn.transaction::<_, AuditError, _>(|conn| {
        Tank::create(conn, &ctx(1, "first"), &NewTank::named("T1"))?;
        let duplicate = Tank::create(conn, &ctx(1, "dup"), &NewTank::named("T1"));
        assert!(matches!(duplicate, Err(AuditError::Database { .. })));
        Tank::create(conn, &ctx(1, "second"), &NewTank::named("T2"))?;
        Ok(())
    })
    .unwrap();
    let names: Vec<String> = tanks::table
        .select(tanks::name)
        .order(tanks::id)
        .load(conn)
        .unwrap();
    assert_eq!(names, ["T1", "T2"]);
    let reasons: Vec<Option<String>> = historical_tanks::table
        .select(historical_tanks::history_change_reason)
        .order(historical_tanks::history_id)
        .load(conn)
        .unwrap();
    assert_eq!(
        reasons,
        [Some("first".to_owned()), Some("second".to_owned())]
    );
}

/// PostgreSQL: an audited write is one statement and, like any failed statement, a failed one
/// aborts the caller's transaction; the caller rolls back, and nothing of it remains.
#[cfg(feature = "postgres")]
#[test]
fn postgres_a_failed_write_inside_a_caller_transaction_aborts_it_like_any_statement() {
    let mut db = TestDb::postgres();
    let conn = &mut db.conn;
    let result = conn.transaction::<(), AuditError, _>(|conn| {
        Tank::create(conn, &ctx(1, "first"), &NewTank::named("T1"))?;
        let duplicate = Tank::create(conn, &ctx(1, "dup"), &NewTank::named("T1"));
        assert!(matches!(duplicate, Err(AuditError::Database { .. })));
        let after = Tank::create(conn, &ctx(1, "second"), &NewTank::named("T2")).unwrap_err();
        assert!(
            after.to_string().contains("current transaction is aborted"),
            "{after}"
        );
        Err(after)
    });
    assert!(result.is_err());
    assert_eq!(tanks::table.count().get_result::<i64>(conn).unwrap(), 0);
    assert_eq!(
        historical_tanks::table
            .count()
            .get_result::<i64>(conn)
            .unwrap(),
        0
    );
}
