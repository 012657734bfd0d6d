//! The source-table guard (`#[historical(guard = refuse | record)]`): a plain `diesel::insert_into`,
//! `diesel::update` or `diesel::delete` of a guarded table is refused (`Mooring`) or recorded as
//! unattributed history (`Net`), while every write through the library passes and is recorded
//! once, attributed. On every backend.

mod common;

use audit_diesel::drift::{check_drift, Drift};
use audit_diesel::{Historical, HistoryType, SourceGuard};
use common::db::AnyConnection;
use common::*;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

fn moorings(conn: &mut AnyConnection) -> Vec<(i32, String, f64)> {
    moorings::table
        .order(moorings::id)
        .select((moorings::id, moorings::name, moorings::depth_m))
        .load(conn)
        .unwrap()
}

/// The error of a refused plain write: the guard's message, which names the table.
fn refused<T: std::fmt::Debug>(result: QueryResult<T>, op: &str) {
    let error = result.expect_err("the guard refuses a write that bypasses the library");
    let message = error.to_string();
    assert!(
        message.contains(&format!("table moorings is audited: {op} refused")),
        "{message}"
    );
}

/// What a test reads of a history row: kind, user, reason, mesh, label.
type Row = (
    HistoryType,
    Option<i64>,
    Option<String>,
    i32,
    Option<String>,
);

fn mooring(name: &str) -> NewMooring {
    NewMooring {
        name: name.to_owned(),
        depth_m: 8.0,
    }
}

fn net(mesh: i32) -> NewNet {
    NewNet {
        mesh_mm: mesh,
        label: None,
    }
}

/// The connection as SQLite's: the guard's function is registered on it (the library does it
/// on its first audited call; a connection that writes with plain SQL first calls
/// `prepare_sqlite`).
fn prepare(conn: &mut AnyConnection) {
    if let AnyConnection::Sqlite(c) = conn {
        audit_diesel::guard::prepare_sqlite(c).unwrap();
    }
}

on_each_backend! {
    /// Plain inserts, updates and deletes of a refusing table fail with the guard's error and
    /// change nothing.
    fn refuse_mode_refuses_plain_writes(db) {
        let conn = &mut db.conn;
        let ctx = ctx(7, "stocked");
        let a = Mooring::create(conn, &ctx, &mooring("A")).unwrap();
        let before = moorings(conn);

        refused(diesel::insert_into(moorings::table).values(&mooring("B")).execute(conn), "INSERT");
        refused(
            diesel::update(moorings::table.find(a.id)).set(moorings::depth_m.eq(99.0)).execute(conn),
            "UPDATE",
        );
        refused(diesel::delete(moorings::table.find(a.id)).execute(conn), "DELETE");
        refused(diesel::update(moorings::table).set(moorings::name.eq("all")).execute(conn), "UPDATE");
        assert_eq!(moorings(conn), before);
        assert_eq!(Mooring::history(&a.id).trail(conn).unwrap().len(), 1);
    }

    /// Every write through the library passes the guard and is recorded: create, create_many,
    /// update, update_where, save, save_many, revert, delete, delete_where.
    fn refuse_mode_lets_every_library_write_through(db) {
        let conn = &mut db.conn;
        let ctx = ctx(7, "stocked");
        let a = Mooring::create(conn, &ctx, &mooring("A")).unwrap();
        let many = Mooring::create_many(conn, &ctx, &[mooring("B"), mooring("C")][..]).unwrap();
        let a = Mooring::update(conn, &ctx, a.id, moorings::depth_m.eq(9.5)).unwrap();
        Mooring::update_where(conn, &ctx, moorings::name.eq("B"), moorings::depth_m.eq(7.0)).unwrap();
        let mut b = many[0].clone();
        b.name = "B-north".to_owned();
        let b = b.save(conn, &ctx).unwrap();
        let mut c = many[1].clone();
        c.depth_m = 3.0;
        Mooring::save_many(conn, &ctx, &[c.clone()]).unwrap();
        let first = Mooring::history(&a.id).earliest(conn).unwrap().unwrap();
        let reverted = Mooring::revert(conn, &ctx, &first).unwrap();
        assert_eq!(reverted.depth_m, 8.0);
        Mooring::delete(conn, &ctx, b.id).unwrap();
        Mooring::delete_where(conn, &ctx, moorings::id.eq(c.id)).unwrap();

        assert_eq!(moorings(conn), vec![(a.id, "A".to_owned(), 8.0)]);
        let trail = Mooring::history(&a.id).trail(conn).unwrap();
        let kinds: Vec<HistoryType> = trail.iter().map(|r| r.history_type).collect();
        assert_eq!(kinds, [HistoryType::Update, HistoryType::Update, HistoryType::Create]);
        assert!(trail.iter().all(|r| r.history_user_id == Some(7)));
        assert_eq!(Mooring::history(&b.id).trail(conn).unwrap().len(), 4);
        assert_eq!(Mooring::history(&c.id).trail(conn).unwrap().len(), 3);
    }

    /// The library's pass covers its own statement only: a plain write right after an audited
    /// one, in the same transaction, is refused, and takes the transaction down with it.
    fn a_plain_write_after_an_audited_one_is_refused(db) {
        let conn = &mut db.conn;
        let ctx = ctx(7, "stocked");
        let a = Mooring::create(conn, &ctx, &mooring("A")).unwrap();
        let outcome = conn.transaction::<(), diesel::result::Error, _>(|conn| {
            Mooring::update(conn, &ctx, a.id, moorings::depth_m.eq(9.0)).unwrap();
            diesel::update(moorings::table.find(a.id)).set(moorings::depth_m.eq(99.0)).execute(conn)?;
            Ok(())
        });
        refused(outcome, "UPDATE");
        assert_eq!(moorings(conn), vec![(a.id, "A".to_owned(), 8.0)]);
        assert_eq!(Mooring::history(&a.id).trail(conn).unwrap().len(), 1);
    }

    /// Plain writes of a recording table go through and get their history rows: no user, a reason
    /// naming the statement, the right kind and snapshot; an update of untracked columns only
    /// writes none; the library's own writes are recorded once, attributed.
    fn record_mode_records_plain_writes(db) {
        let conn = &mut db.conn;
        prepare(conn);
        diesel::insert_into(nets::table).values(&net(10)).execute(conn).unwrap();
        let id: i32 = nets::table.select(nets::id).first(conn).unwrap();
        diesel::update(nets::table.find(id)).set(nets::label.eq("north")).execute(conn).unwrap();
        // Not tracked: nothing to record.
        diesel::update(nets::table.find(id))
            .set(nets::installed_at.eq(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap().and_hms_opt(8, 0, 0).unwrap()))
            .execute(conn)
            .unwrap();
        let ctx = ctx(7, "re-meshed");
        Net::update(conn, &ctx, id, nets::mesh_mm.eq(12)).unwrap();
        diesel::delete(nets::table.find(id)).execute(conn).unwrap();

        let trail = Net::history(&id).trail(conn).unwrap();
        let rows: Vec<Row> = trail
            .iter()
            .rev()
            .map(|r| (r.history_type, r.history_user_id, r.history_change_reason.clone(), r.mesh_mm, r.label.clone()))
            .collect();
        let north = Some("north".to_owned());
        assert_eq!(
            rows,
            vec![
                (HistoryType::Create, None, Some(SourceGuard::reason("INSERT")), 10, None),
                (HistoryType::Update, None, Some(SourceGuard::reason("UPDATE")), 10, north.clone()),
                (HistoryType::Update, Some(7), Some("re-meshed".to_owned()), 12, north.clone()),
                (HistoryType::Delete, None, Some(SourceGuard::reason("DELETE")), 12, north),
            ]
        );
        // The recorded rows are chained like any other, and leave no drift behind.
        assert_eq!(chain_verifies_clean::<Net>(conn).rows, 4);
        diesel::insert_into(nets::table).values(&net(20)).execute(conn).unwrap();
        let drift = check_drift::<Net, _>(conn, &Drift { batch_size: 10, record: false }, |_| {}).unwrap();
        assert!(drift.findings.is_empty(), "{:?}", drift.findings);
    }

    /// A plain write after an audited one in the same transaction is recorded too, and in the
    /// trail's order.
    fn record_mode_records_a_plain_write_after_an_audited_one(db) {
        let conn = &mut db.conn;
        let ctx = ctx(7, "installed");
        let n = Net::create(conn, &ctx, &net(10)).unwrap();
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            Net::update(conn, &ctx, n.id, nets::mesh_mm.eq(11)).unwrap();
            diesel::update(nets::table.find(n.id)).set(nets::mesh_mm.eq(12)).execute(conn)
        })
        .unwrap();
        let trail = Net::history(&n.id).trail(conn).unwrap();
        let rows: Vec<(Option<i64>, i32)> = trail.iter().rev().map(|r| (r.history_user_id, r.mesh_mm)).collect();
        assert_eq!(rows, [(Some(7), 10), (Some(7), 11), (None, 12)]);
        chain_verifies_clean::<Net>(conn);
    }
}

/// PostgreSQL's `TRUNCATE` fires no row trigger: the guard refuses it on a refusing table, and
/// records a `-` row for every row on a recording one.
#[cfg(feature = "postgres")]
#[test]
fn postgres_truncate_is_refused_or_recorded() {
    let mut db = TestDb::any_postgres();
    let conn = &mut db.conn;
    let ctx = ctx(7, "stocked");
    Mooring::create(conn, &ctx, &mooring("A")).unwrap();
    let error = conn
        .batch_execute("TRUNCATE moorings")
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("table moorings is audited: TRUNCATE refused"),
        "{error}"
    );
    assert_eq!(moorings(conn).len(), 1);

    let a = Net::create(conn, &ctx, &net(10)).unwrap();
    let b = Net::create(conn, &ctx, &net(20)).unwrap();
    conn.batch_execute("TRUNCATE nets").unwrap();
    for n in [a, b] {
        let latest = Net::history(&n.id).latest(conn).unwrap().unwrap();
        assert_eq!(latest.history_type, HistoryType::Delete);
        assert_eq!(
            latest.history_change_reason,
            Some(SourceGuard::reason("TRUNCATE"))
        );
        assert_eq!(latest.mesh_mm, n.mesh_mm);
    }
}

/// On PostgreSQL the audited write is still one statement with the guard on.
#[cfg(feature = "postgres")]
#[test]
fn postgres_guarded_write_is_one_statement() {
    let mut db = TestDb::postgres();
    let conn = &mut db.conn;
    let ctx = ctx(7, "stocked");
    let statements = Statements::default();
    conn.set_instrumentation(statements.clone());
    let a = Mooring::create(conn, &ctx, &mooring("A")).unwrap();
    Mooring::update(conn, &ctx, a.id, moorings::depth_m.eq(9.0)).unwrap();
    Mooring::delete(conn, &ctx, a.id).unwrap();
    let sent = statements.take();
    assert_eq!(sent.len(), 3, "{sent:#?}");
    assert!(
        sent.iter()
            .all(|sql| sql.contains("set_config('audit.write'")),
        "{sent:#?}"
    );
}

/// A SQLite connection the library never prepared lacks the guard's function: SQLite refuses
/// its writes to a guarded table, in either mode, and the table stays as it was.
#[test]
fn sqlite_unprepared_connection_is_refused() {
    let mut db = TestDb::sqlite();
    let conn = &mut db.conn;
    let error = diesel::insert_into(nets::table)
        .values(&net(10))
        .execute(conn)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("no such function: audit_guard_open"),
        "{error}"
    );
    let rows: i64 = nets::table.count().get_result(conn).unwrap();
    assert_eq!(rows, 0);
}
