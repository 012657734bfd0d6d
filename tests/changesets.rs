//! Changesets: every history row of one business action shares `history_changeset_id`, on every
//! backend. PaperTrail's `transaction_id`, Envers' revision; django-simple-history has no such
//! grouping.

mod common;

use std::collections::BTreeSet;

use audit_diesel::{AuditContext, Historical, HistoryRecord};
use common::*;
use diesel::prelude::*;

/// The changeset ids of `tanks`' records, in the order of the trail.
fn changesets_of(conn: &mut db::AnyConnection, ids: &[i32]) -> Vec<Option<uuid::Uuid>> {
    let mut out = Vec::new();
    for id in ids {
        for r in Tank::history(id).trail(conn).unwrap() {
            out.push(r.history_changeset_id());
        }
    }
    out
}

fn distinct(ids: &[Option<uuid::Uuid>]) -> BTreeSet<Option<uuid::Uuid>> {
    ids.iter().copied().collect()
}

on_each_backend! {
    /// Each write outside a transaction is its own changeset; a bulk write is one, across all
    /// its batches and runs of per-row contexts.
    fn every_call_is_a_changeset_and_a_bulk_write_is_one(db) {
        let conn = &mut db.conn;
        let ctx = AuditContext::for_user(7);
        let a = Tank::create(conn, &ctx, &NewTank::named("A")).unwrap();
        let b = Tank::create(conn, &ctx, &NewTank::named("B")).unwrap();
        let seen = changesets_of(conn, &[a.id, b.id]);
        assert!(seen.iter().all(Option::is_some), "every row has a changeset: {seen:?}");
        assert_eq!(distinct(&seen).len(), 2, "two writes, two changesets");

        let rows: Vec<NewTank> = (0..7).map(|i| NewTank::named(&format!("T{i}"))).collect();
        let bulk = Tank::create_many_in_batches(conn, &ctx, &rows, 3).unwrap();
        let ids: Vec<i32> = bulk.iter().map(|t| t.id).collect();
        let seen = changesets_of(conn, &ids);
        assert_eq!(distinct(&seen).len(), 1, "three batches, one changeset: {seen:?}");
        assert!(!distinct(&changesets_of(conn, &[a.id])).is_superset(&distinct(&seen)));

        let by_hand = Some(AuditContext::for_user(8));
        let more: Vec<NewTank> = (0..3).map(|i| NewTank::named(&format!("U{i}"))).collect();
        let runs = Tank::create_many_with_contexts(conn, &ctx, &more, &[None, by_hand, None]).unwrap();
        let run_ids: Vec<i32> = runs.iter().map(|t| t.id).collect();
        assert_eq!(distinct(&changesets_of(conn, &run_ids)).len(), 1, "three runs of contexts, one changeset");

        let mut saved = bulk.clone();
        for t in &mut saved {
            t.volume_m3 = 1.0;
        }
        Tank::save_many_in_batches(conn, &ctx, &saved, 2).unwrap();
        let updates: Vec<Option<uuid::Uuid>> = ids_updates(conn, &saved);
        assert_eq!(updates.len(), 7);
        assert_eq!(distinct(&updates).len(), 1, "a bulk save in four batches is one changeset");
    }

    /// An explicit id groups writes across transactions: an HTTP request's, a job's.
    fn an_explicit_changeset_groups_writes_across_transactions(db) {
        let conn = &mut db.conn;
        let request = uuid::Uuid::now_v7();
        let ctx = AuditContext::for_user(7).with_changeset(request);
        let a = Tank::create(conn, &ctx, &NewTank::named("A")).unwrap();
        let a = Tank::update(conn, &ctx, a.id, tanks::volume_m3.eq(9.0)).unwrap();
        let b = Tank::create(conn, &AuditContext::builder().user(8).changeset(request).build().unwrap(), &NewTank::named("B")).unwrap();
        let seen = changesets_of(conn, &[a.id, b.id]);
        assert_eq!(seen, [Some(request); 3]);
        // A model's rows of one changeset, in write order.
        let rows = Tank::history_query().changeset(request).oldest_first().load(conn).unwrap().items;
        let rows: Vec<(i32, audit_diesel::HistoryType)> = rows.iter().map(|r| (r.id, r.history_type)).collect();
        use audit_diesel::HistoryType::{Create, Update};
        assert_eq!(rows, [(a.id, Create), (a.id, Update), (b.id, Create)]);
        assert!(Tank::history_query().changeset(uuid::Uuid::now_v7()).load(conn).unwrap().items.is_empty());
        // Per-row contexts may carry their own.
        let other = uuid::Uuid::now_v7();
        let rows = [NewTank::named("C"), NewTank::named("D")];
        let made = Tank::create_many_with_contexts(conn, &ctx, &rows, &[None, Some(AuditContext::anonymous().with_changeset(other))]).unwrap();
        assert_eq!(changesets_of(conn, &[made[0].id, made[1].id]), [Some(request), Some(other)]);
    }
}

/// The `~` records' changesets of `models`.
fn ids_updates(conn: &mut db::AnyConnection, models: &[Tank]) -> Vec<Option<uuid::Uuid>> {
    models
        .iter()
        .flat_map(|t| Tank::history(&t.id).trail(conn).unwrap())
        .filter(|r| r.history_type == audit_diesel::HistoryType::Update)
        .map(|r| r.history_changeset_id())
        .collect()
}

/// On PostgreSQL every audited write of one database transaction shares its changeset without
/// the caller doing anything, through nested transactions (savepoints) too; a rolled-back
/// savepoint takes nothing of it away; the next transaction gets a new one. Each write is
/// still one statement.
#[cfg(feature = "postgres")]
#[test]
fn a_postgres_transaction_is_one_changeset() {
    use diesel::connection::Connection as _;

    let mut db = TestDb::postgres();
    let conn = &mut db.conn;
    let ctx = AuditContext::for_user(7);
    let statements = Statements::default();
    let (a, b, c) = conn
        .transaction::<_, audit_diesel::AuditError, _>(|conn| {
            conn.set_instrumentation(statements.clone());
            let a = Tank::create(conn, &ctx, &NewTank::named("A")).unwrap();
            let b = conn.transaction::<_, audit_diesel::AuditError, _>(|conn| {
                let b = Tank::create(conn, &ctx, &NewTank::named("B"))?;
                Tank::update(conn, &ctx, a.id, tanks::volume_m3.eq(2.0))?;
                Ok(b)
            })?;
            let refused = conn.transaction::<(), audit_diesel::AuditError, _>(|conn| {
                Tank::create(conn, &ctx, &NewTank::named("rolled back"))?;
                Err(audit_diesel::AuditError::InvalidPage { page: 0 })
            });
            assert!(refused.is_err());
            let c = Tank::create(conn, &ctx, &NewTank::named("C"))?;
            Ok((a, b, c))
        })
        .unwrap();
    let sent = statements.take();
    let writes = sent.iter().filter(|s| s.starts_with("WITH")).count();
    assert_eq!(writes, 5, "each write one statement: {sent:#?}");
    let seen = changesets_of_pg(conn, &[a.id, b.id, c.id]);
    assert_eq!(seen.len(), 4);
    assert_eq!(
        distinct(&seen).len(),
        1,
        "one transaction, one changeset: {seen:?}"
    );
    assert!(seen[0].is_some());

    let d = Tank::create(conn, &ctx, &NewTank::named("D")).unwrap();
    let next = changesets_of_pg(conn, &[d.id]);
    assert_ne!(next[0], seen[0], "the next transaction has its own");
}

#[cfg(feature = "postgres")]
fn changesets_of_pg(conn: &mut PgConnection, ids: &[i32]) -> Vec<Option<uuid::Uuid>> {
    ids.iter()
        .flat_map(|id| Tank::history(id).trail(conn).unwrap())
        .map(|r| r.history_changeset_id())
        .collect()
}
