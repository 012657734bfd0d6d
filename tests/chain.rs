//! Tamper evidence: every history table has a hash chain per object, and `verify` finds each
//! kind of forgery by history id (an edit of any column, a deletion in the middle, an insertion,
//! a reordering, and against a checkpoint, a truncation or a re-hashed rewrite), while the
//! library's own maintenance re-anchors what it changes and records it. On every backend, and
//! clean after 10,000 writes from 8 concurrent writers.

mod common;

use audit_diesel::chain::{
    anchor_history, checkpoint_history, verify_history, FindingKind, Verify, VerifyReport,
};
use audit_diesel::maintenance::{clean_old_history, CleanOld};
use audit_diesel::{AuditContext, AuditError, Historical};
use common::db::AnyConnection;
use common::*;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

fn is_postgres(conn: &AnyConnection) -> bool {
    matches!(conn, AnyConnection::Postgresql(_))
}

fn is_mysql(conn: &AnyConnection) -> bool {
    common::db::is_mysql(conn)
}

fn verify(conn: &mut AnyConnection) -> VerifyReport {
    verify_history::<Tank, _>(conn, &Verify::default(), |_| {}).unwrap()
}

/// Whether the report names history row `id`: as the row found wrong, or as the row missing.
fn names(report: &VerifyReport, id: i64) -> bool {
    report.findings.iter().any(|f| {
        f.history_id == id || matches!(f.kind, FindingKind::Deleted { missing } if missing == id)
    })
}

/// Runs `sql` as an attacker with SQL access would, the append-only guard lifted by hand, then
/// `check`, then rolls everything back.
fn forged(conn: &mut AnyConnection, sql: &str, check: impl FnOnce(&mut AnyConnection)) {
    // MySQL's DDL would commit the transaction: its guard is lifted by its session variable.
    let lift = if is_postgres(conn) {
        "SELECT set_config('audit.maintenance', 'on', true)"
    } else if is_mysql(conn) {
        "SET @audit_maintenance = 1"
    } else {
        "DROP TRIGGER historical_tanks_append_only_update; \
         DROP TRIGGER historical_tanks_append_only_delete"
    };
    let outcome = conn.transaction::<(), diesel::result::Error, _>(|conn| {
        conn.batch_execute(lift)?;
        conn.batch_execute(sql)?;
        if is_mysql(conn) {
            conn.batch_execute("SET @audit_maintenance = NULL")?;
        }
        check(conn);
        Err(diesel::result::Error::RollbackTransaction)
    });
    if is_mysql(conn) {
        conn.batch_execute("SET @audit_maintenance = NULL").unwrap();
    }
    assert!(
        matches!(outcome, Err(diesel::result::Error::RollbackTransaction)),
        "{sql}: {outcome:?}"
    );
}

/// A tank with three history rows (`+`, `~`, `~`) and a second tank with one: returns the
/// first tank's key and its history ids in order.
fn three_rows(conn: &mut AnyConnection) -> (i32, [i64; 3]) {
    let ctx = ctx(7, "commissioned");
    let tank = Tank::create(conn, &ctx, &NewTank::named("T1")).unwrap();
    Tank::update(conn, &ctx, tank.id, tanks::volume_m3.eq(55.0)).unwrap();
    Tank::update(conn, &ctx, tank.id, tanks::notes.eq("checked")).unwrap();
    Tank::create(conn, &ctx, &NewTank::named("T2")).unwrap();
    let mut ids: Vec<i64> = Tank::history(&tank.id)
        .trail(conn)
        .unwrap()
        .into_iter()
        .map(|r| r.history_id)
        .collect();
    ids.sort_unstable();
    (tank.id, ids.try_into().unwrap())
}

on_each_backend! {
    /// Writes through the library leave every chain whole; the report counts rows and objects
    /// and its checkpoint covers them.
    fn a_trail_written_through_the_library_verifies_clean(db) {
        let conn = &mut db.conn;
        let (tank, _) = three_rows(conn);
        Tank::delete(conn, &ctx(8, "drained"), tank).unwrap();
        let report = verify(conn);
        assert!(report.is_clean(), "{:?}", report.findings);
        assert_eq!((report.rows, report.objects), (5, 2));
        assert_eq!(report.checkpoint.rows, 5);
        assert_eq!(report.checkpoint.digest.len(), 64);
        let again = checkpoint_history::<Tank, _>(conn).unwrap();
        assert_eq!(again, report.checkpoint);
    }

    /// An edit of any stored column of a row, made with plain SQL, is reported at that row.
    fn an_edit_of_any_column_is_found_at_its_row(db) {
        let conn = &mut db.conn;
        let (_, [_, middle, _]) = three_rows(conn);
        let pg = is_postgres(conn);
        let date_shift = if pg {
            "history_date - interval '1 day'"
        } else if is_mysql(conn) {
            "history_date - INTERVAL 1 DAY"
        } else {
            "strftime('%Y-%m-%d %H:%M:%f', history_date, '-1 day')"
        };
        let edits = [
            ("id", "id + 1000".to_owned()),
            ("name", "'forged'".to_owned()),
            ("volume_m3", "volume_m3 + 0.5".to_owned()),
            ("notes", "'forged'".to_owned()),
            ("commissioned_on", "'2020-01-01'".to_owned()),
            ("history_date", date_shift.to_owned()),
            ("history_type", "'+'".to_owned()),
            ("history_user_id", "99".to_owned()),
            ("history_change_reason", "'routine'".to_owned()),
            (
                "history_changeset_id",
                "'00000000-0000-0000-0000-000000000000'".to_owned(),
            ),
            ("history_prev_id", "NULL".to_owned()),
            (
                "history_hash",
                if pg { "sha256('x')" } else { "X'00'" }.to_owned(),
            ),
            ("history_id", "history_id + 100000".to_owned()),
        ];
        for (column, value) in edits {
            let value = if pg && column == "commissioned_on" {
                "DATE '2020-01-01'".to_owned()
            } else if pg && column == "history_changeset_id" {
                format!("CAST({value} AS UUID)")
            } else {
                value
            };
            let sql = format!("UPDATE historical_tanks SET {column} = {value} WHERE history_id = {middle}");
            forged(conn, &sql, |conn| {
                let report = verify(conn);
                let id = if column == "history_id" { middle + 100_000 } else { middle };
                assert!(names(&report, id), "{column}: {:?}", report.findings);
                assert!(!report.is_clean());
            });
        }
        assert!(verify(conn).is_clean());
    }

    /// A row deleted from the middle of a chain is named by the row after it.
    fn a_deletion_in_the_middle_is_found(db) {
        let conn = &mut db.conn;
        let (_, [_, middle, last]) = three_rows(conn);
        forged(conn, &format!("DELETE FROM historical_tanks WHERE history_id = {middle}"), |conn| {
            let report = verify(conn);
            assert_eq!(report.findings.len(), 1, "{:?}", report.findings);
            assert_eq!(report.findings[0].history_id, last);
            assert_eq!(report.findings[0].kind, FindingKind::Deleted { missing: middle });
        });
    }

    /// A made-up row inserted with plain SQL has no hash and is outside the chain; one that
    /// asks the trigger to chain it but is dated in the past is refused.
    fn an_insertion_is_found_or_refused(db) {
        let conn = &mut db.conn;
        let (tank, [first, middle, _]) = three_rows(conn);
        let mut dates: Vec<_> = Tank::history(&tank).trail(conn).unwrap().into_iter().map(|r| r.history_date).collect();
        dates.sort_unstable();
        let between = dates[0] + (dates[1] - dates[0]) / 2;
        let date = if is_postgres(conn) {
            format!("TIMESTAMPTZ '{}'", between.to_rfc3339())
        } else {
            format!("'{}'", between.format("%Y-%m-%d %H:%M:%S%.6f"))
        };
        let insert = |hash: &str| format!(
            "INSERT INTO historical_tanks (id, name, volume_m3, history_date, history_type, history_change_reason{}) \
             VALUES ({tank}, 'T1', 99.0, {date}, '~', 'made up'{})",
            if hash.is_empty() { "" } else { ", history_hash" },
            if hash.is_empty() { String::new() } else { format!(", {hash}") },
        );
        forged(conn, &insert(""), |conn| {
            let report = verify(conn);
            let made_up: i64 = Tank::history(&tank)
                .trail(conn)
                .unwrap()
                .iter()
                .find(|r| r.history_change_reason.as_deref() == Some("made up"))
                .unwrap()
                .history_id;
            assert!(
                report.findings.iter().any(|f| f.history_id == made_up && f.kind == FindingKind::Inserted),
                "{:?}",
                report.findings
            );
            assert!(!names(&report, first) && !names(&report, middle));
        });
        let marker = if is_postgres(conn) { "'\\x'::bytea" } else { "X''" };
        // MySQL chains a row when the library calls the table's chain procedure after it.
        let chained = if is_mysql(conn) {
            format!("{}; CALL historical_tanks_chain(LAST_INSERT_ID())", insert(marker))
        } else {
            insert(marker)
        };
        let refused = conn
            .transaction(|conn| conn.batch_execute(&chained))
            .unwrap_err()
            .to_string();
        assert!(refused.contains("dated before"), "{refused}");
    }

    /// The first row moved after the second (its date changed): the chain no longer runs in
    /// the trail's order.
    fn a_reordering_is_found(db) {
        let conn = &mut db.conn;
        let (_, [first, middle, _]) = three_rows(conn);
        let later = if is_postgres(conn) {
            "history_date + interval '1 microsecond'"
        } else if is_mysql(conn) {
            "history_date + INTERVAL 1 MICROSECOND"
        } else {
            "history_date || '9'"
        };
        // MySQL reads no table an UPDATE changes but through a derived table.
        let sql = format!(
            "UPDATE historical_tanks SET history_date = (SELECT d FROM \
             (SELECT {later} AS d FROM historical_tanks WHERE history_id = {middle}) AS m) \
             WHERE history_id = {first}"
        );
        forged(conn, &sql, |conn| {
            let report = verify(conn);
            let reordered: Vec<i64> = report
                .findings
                .iter()
                .filter(|f| matches!(f.kind, FindingKind::Reordered { .. }))
                .map(|f| f.history_id)
                .collect();
            assert_eq!(reordered, [middle, first], "{:?}", report.findings);
        });
    }

    /// Deleting the newest rows leaves shorter chains that hold: only a checkpoint taken before
    /// shows the truncation.
    fn a_truncation_is_found_against_a_checkpoint(db) {
        let conn = &mut db.conn;
        let (_, [_, _, last]) = three_rows(conn);
        let checkpoint = checkpoint_history::<Tank, _>(conn).unwrap();
        let line = checkpoint.to_string();
        // New rows after the checkpoint do not disturb it.
        Tank::create(conn, &ctx(7, "later"), &NewTank::named("T3")).unwrap();
        let options = Verify { against: Some(line.parse().unwrap()) };
        let report = verify_history::<Tank, _>(conn, &options, |_| {}).unwrap();
        assert!(report.is_clean(), "{:?}", report.against);
        forged(conn, &format!("DELETE FROM historical_tanks WHERE history_id >= {last}"), |conn| {
            assert!(verify(conn).findings.is_empty(), "the chains that are left hold");
            let report = verify_history::<Tank, _>(conn, &options, |_| {}).unwrap();
            let check = report.against.clone().unwrap();
            assert!(!check.matches() && check.truncated(), "{check}");
            assert!(!report.is_clean());
        });
    }

    /// A forger who rewrites a reason and has the rows re-hashed (by clearing their hashes and
    /// running the library's anchor): the chain holds again, but the anchor is on record and
    /// the checkpoint does not match.
    fn a_rewrite_with_recomputed_hashes_is_recorded_and_fails_the_checkpoint(db) {
        let conn = &mut db.conn;
        let (tank, [first, _, _]) = three_rows(conn);
        let options = Verify { against: Some(checkpoint_history::<Tank, _>(conn).unwrap()) };
        forged(
            conn,
            &format!("UPDATE historical_tanks SET history_change_reason = 'routine', history_hash = NULL, \
                      history_prev_id = NULL WHERE id = {tank}"),
            |conn| {
                let report = verify(conn);
                assert!(report.findings.iter().all(|f| f.kind == FindingKind::Unchained));
                assert_eq!(report.findings.len(), 3);
                let sealed = anchor_history::<Tank, _>(conn, "rows from before the chain").unwrap();
                assert_eq!((sealed.rows, sealed.objects), (3, 1));
                let report = verify_history::<Tank, _>(conn, &options, |_| {}).unwrap();
                assert!(report.findings.is_empty(), "{:?}", report.findings);
                assert_eq!(report.anchors.len(), 1);
                assert_eq!(report.anchors[0].operation, "anchor");
                assert_eq!(report.anchors[0].rows_rehashed, 3);
                assert!(!report.against.as_ref().unwrap().matches());
                assert!(!report.is_clean());
                assert!(!names(&verify(conn), first));
            },
        );
    }

    /// Cleanups remove rows from the middle of chains and re-anchor them in the same
    /// transaction: the table verifies clean and the anchor says who, what and how many.
    fn maintenance_re_anchors_what_it_changes_and_records_it(db) {
        let conn = &mut db.conn;
        let long_ago = chrono::Utc::now() - chrono::Duration::days(400);
        let old = AuditContext::builder().user(7).reason("old").date(long_ago).build().unwrap();
        let tank = Tank::create(conn, &old, &NewTank::named("T1")).unwrap();
        Tank::update(conn, &old, tank.id, tanks::volume_m3.eq(50.0)).unwrap();
        Tank::update(conn, &ctx(7, "recent"), tank.id, tanks::volume_m3.eq(60.0)).unwrap();
        Tank::update(conn, &ctx(7, "recent"), tank.id, tanks::volume_m3.eq(61.0)).unwrap();
        let cleaned = clean_old_history::<Tank, _>(
            conn,
            &CleanOld { older_than: std::time::Duration::from_secs(365 * 86_400), ..CleanOld::default() },
        )
        .unwrap();
        assert_eq!(cleaned.rows, 2);
        let report = verify(conn);
        assert!(report.is_clean(), "{:?}", report.findings);
        assert_eq!(report.anchors.len(), 1);
        let anchor = &report.anchors[0];
        assert_eq!(anchor.operation, "clean_old_history");
        assert_eq!((anchor.rows_removed, anchor.rows_rehashed), (2, 2));
        assert!(anchor.detail.starts_with("removed 2 rows dated before"), "{}", anchor.detail);
        assert!(anchor.at.is_some());
        if is_postgres(conn) {
            assert_eq!(anchor.by.as_deref(), Some("postgres"));
        }

        Tank::update_change_reason(conn, &tank.id, "recounted").unwrap();
        let report = verify(conn);
        assert!(report.is_clean(), "{:?}", report.findings);
        assert_eq!(report.anchors.len(), 2);
        assert_eq!(report.anchors[1].operation, "update_change_reason");
        assert_eq!(report.anchors[1].rows_rehashed, 1);
    }

    /// Maintenance does not re-hash over a forgery: the reason edit of a forged row fails and
    /// nothing changes.
    fn maintenance_refuses_to_re_hash_a_broken_chain(db) {
        let conn = &mut db.conn;
        let (tank, [_, _, last]) = three_rows(conn);
        let lift = if is_postgres(conn) {
            "SELECT set_config('audit.maintenance', 'on', false)"
        } else if is_mysql(conn) {
            "SET @audit_maintenance = 1"
        } else {
            "DROP TRIGGER historical_tanks_append_only_update"
        };
        conn.batch_execute(lift).unwrap();
        conn.batch_execute(&format!(
            "UPDATE historical_tanks SET history_change_reason = 'routine' WHERE history_id = {last}"
        ))
        .unwrap();
        if is_mysql(conn) {
            conn.batch_execute("SET @audit_maintenance = NULL").unwrap();
        }
        let error = Tank::update_change_reason(conn, &tank, "recounted").unwrap_err();
        assert!(
            matches!(error, AuditError::ChainBroken { history_id, .. } if history_id == last),
            "{error}"
        );
        let trail = Tank::history(&tank).trail(conn).unwrap();
        assert_eq!(trail[0].history_change_reason.as_deref(), Some("routine"), "newest first");
        assert!(names(&verify(conn), last));
    }

    /// A write dated before its object's latest row is refused: the chain only grows forward.
    fn a_write_dated_before_the_latest_row_is_refused(db) {
        let conn = &mut db.conn;
        let (tank, _) = three_rows(conn);
        let past = AuditContext::builder()
            .reason("backdated")
            .date(chrono::Utc::now() - chrono::Duration::days(1))
            .build()
            .unwrap();
        let error = Tank::update(conn, &past, tank, tanks::volume_m3.eq(1.0)).unwrap_err();
        assert!(error.to_string().contains("dated before"), "{error}");
        let live = Tank::history(&tank).trail(conn).unwrap();
        assert_eq!(live.len(), 3);
        assert!(verify(conn).is_clean());
    }

    /// A model without a chain (`#[historical(chain = false)]`) says so.
    fn verify_of_a_model_without_a_chain_is_a_typed_error(db) {
        let error = verify_history::<TankTag, _>(&mut db.conn, &Verify::default(), |_| {}).unwrap_err();
        assert!(matches!(error, AuditError::NotChained { .. }), "{error}");
    }
}

/// 8 writers, 10,000 audited writes on PostgreSQL, half of them contending for the same rows:
/// no chain forks, every row verifies.
#[cfg(feature = "postgres")]
#[test]
fn ten_thousand_writes_from_eight_concurrent_writers_verify_clean() {
    const WRITERS: usize = 8;
    const WRITES: usize = 1_250;
    let mut db = common::TestDb::postgres();
    let setup = ctx(1, "setup");
    let shared: Vec<i32> = (0..4)
        .map(|i| {
            Tank::create(
                &mut db.conn,
                &setup,
                &NewTank::named(&format!("shared-{i}")),
            )
            .unwrap()
            .id
        })
        .collect();
    std::thread::scope(|scope| {
        for w in 0..WRITERS {
            let mut conn = db.connect();
            let shared = shared.clone();
            scope.spawn(move || {
                let mut own: Vec<i32> = Vec::new();
                for i in 0..WRITES {
                    let ctx = ctx(w as i64, &format!("w{w}-{i}"));
                    match (i % 4, own.last().copied()) {
                        (1, _) | (3, _) => {
                            let id = shared[(i + w) % shared.len()];
                            Tank::update(
                                &mut conn,
                                &ctx,
                                id,
                                tanks::volume_m3.eq(tanks::volume_m3 + 1.0),
                            )
                            .unwrap();
                        }
                        (2, Some(id)) if i % 8 == 2 => {
                            own.pop();
                            Tank::delete(&mut conn, &ctx, id).unwrap();
                        }
                        (2, Some(id)) => {
                            Tank::update(&mut conn, &ctx, id, tanks::notes.eq("n")).unwrap();
                        }
                        _ => own.push(
                            Tank::create(&mut conn, &ctx, &NewTank::named(&format!("w{w}-{i}")))
                                .unwrap()
                                .id,
                        ),
                    }
                }
            });
        }
    });
    let mut conn = AnyConnection::Postgresql(db.connect());
    let report = verify(&mut conn);
    assert!(
        report.is_clean(),
        "{:?}",
        &report.findings[..report.findings.len().min(10)]
    );
    assert_eq!(report.rows, (WRITERS * WRITES + shared.len()) as u64);
}

/// The same on SQLite: 8 connections to one database file, whose writers take turns.
#[test]
fn ten_thousand_writes_from_eight_sqlite_connections_verify_clean() {
    const WRITERS: usize = 8;
    const WRITES: usize = 1_250;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chain.db");
    let open = || {
        let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
        conn.batch_execute(
            "PRAGMA busy_timeout = 30000; PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;",
        )
        .unwrap();
        conn
    };
    let mut first = open();
    common::db::migrate_sqlite(&mut first);
    std::thread::scope(|scope| {
        for w in 0..WRITERS {
            let mut conn = open();
            scope.spawn(move || {
                let mut own: Vec<i32> = Vec::new();
                for i in 0..WRITES {
                    let ctx = ctx(w as i64, &format!("w{w}-{i}"));
                    let write = |conn: &mut SqliteConnection,
                                 own: &mut Vec<i32>|
                     -> Result<(), AuditError> {
                        match own.last().copied() {
                            Some(id) if i % 3 == 1 => {
                                Tank::update(conn, &ctx, id, tanks::volume_m3.eq(i as f64 + 0.5))
                                    .map(drop)
                            }
                            Some(id) if i % 3 == 2 => {
                                Tank::delete(conn, &ctx, id)?;
                                own.pop();
                                Ok(())
                            }
                            _ => Tank::create(conn, &ctx, &NewTank::named(&format!("w{w}-{i}")))
                                .map(|t| own.push(t.id)),
                        }
                    };
                    // Each write takes the write lock first (`BEGIN IMMEDIATE`), waiting its
                    // turn, as concurrent SQLite writers should; the library's own transaction
                    // is a savepoint inside it.
                    conn.immediate_transaction(|conn| write(conn, &mut own))
                        .unwrap();
                }
            });
        }
    });
    let mut conn = AnyConnection::Sqlite(open());
    let report = verify(&mut conn);
    assert!(
        report.is_clean(),
        "{:?}",
        &report.findings[..report.findings.len().min(10)]
    );
    assert_eq!(report.rows, (WRITERS * WRITES) as u64);
}

/// On MySQL the chain procedure hashes every row the library writes, creates, updates and
/// deletes alike, and the append-only guard refuses an update of a hashed row while letting
/// the procedure fill a marked one.
#[cfg(feature = "mysql")]
#[test]
fn mysql_chains_every_row_and_the_guard_holds_hashed_rows() {
    let mut db = TestDb::any_mysql();
    let conn = &mut db.conn;
    let tank = Tank::create(conn, &ctx(1, "stocking"), &NewTank::named("T1")).unwrap();
    Tank::update(conn, &ctx(1, "resized"), tank.id, tanks::volume_m3.eq(80.0)).unwrap();
    Tank::delete(conn, &ctx(1, "drained"), tank.id).unwrap();
    #[derive(QueryableByName, Debug, PartialEq)]
    struct Link {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        history_id: i64,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
        history_prev_id: Option<i64>,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        hash_len: i64,
    }
    let links: Vec<Link> = diesel::sql_query(
        "SELECT history_id, history_prev_id, CAST(LENGTH(history_hash) AS SIGNED) AS hash_len \
         FROM historical_tanks ORDER BY history_id",
    )
    .load(conn)
    .unwrap();
    assert_eq!(links.len(), 3);
    assert_eq!(links[0].history_prev_id, None);
    assert_eq!(links[1].history_prev_id, Some(links[0].history_id));
    assert_eq!(links[2].history_prev_id, Some(links[1].history_id));
    assert!(links.iter().all(|l| l.hash_len == 32), "{links:?}");
    let report = verify(conn);
    assert!(report.is_clean(), "{:?}", report.findings);
    assert_eq!((report.rows, report.objects), (3, 1));
    let refused = conn
        .batch_execute("UPDATE historical_tanks SET history_change_reason = 'routine'")
        .unwrap_err()
        .to_string();
    assert!(refused.contains("append-only"), "{refused}");
    assert!(verify(conn).is_clean());
}
