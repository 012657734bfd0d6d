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

/// Reading, listing and reverting changesets across models, through the application's registry.
mod across_models {
    use super::*;

    use audit_diesel::changeset::{OnLaterChange, RevertAction};
    use audit_diesel::{AuditError, HistoryType, Registry, UserId};

    fn registry() -> Registry<db::AnyConnection> {
        Registry::new()
            .model::<Tank>()
            .model::<Feeding>()
            .model::<Assignment>()
            .model::<Sensor>()
            .model::<Profile>()
    }

    fn in_changeset(user: impl Into<UserId>, reason: &str, id: uuid::Uuid) -> AuditContext {
        AuditContext::builder()
            .user(user)
            .reason(reason)
            .changeset(id)
            .build()
            .unwrap()
    }

    fn feeding(tank_id: i32) -> NewFeeding {
        NewFeeding {
            tank_id,
            amount_kg: 2.5,
            fed_at: chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap(),
        }
    }

    /// Every (changeset, model) of the given models' history, from the records themselves: what a
    /// listing must show, computed by brute force. Newest first by latest row, then id.
    fn every_changeset(conn: &mut db::AnyConnection) -> Vec<(uuid::Uuid, u64)> {
        let mut latest: std::collections::HashMap<
            uuid::Uuid,
            (chrono::DateTime<chrono::Utc>, u64),
        > = Default::default();
        let mut add = |id: Option<uuid::Uuid>, date| {
            let e = latest.entry(id.unwrap()).or_insert((date, 0));
            e.0 = e.0.max(date);
            e.1 += 1;
        };
        for r in Tank::history_query()
            .page_size(1000)
            .load(conn)
            .unwrap()
            .items
        {
            add(r.history_changeset_id(), r.history_date);
        }
        for r in Feeding::history_query()
            .page_size(1000)
            .load(conn)
            .unwrap()
            .items
        {
            add(r.history_changeset_id(), r.history_date);
        }
        for r in Sensor::history_query()
            .page_size(1000)
            .load(conn)
            .unwrap()
            .items
        {
            add(r.history_changeset_id(), r.history_date);
        }
        let mut all: Vec<_> = latest
            .into_iter()
            .map(|(id, (date, rows))| (date, id, rows))
            .collect();
        all.sort_by_key(|c| std::cmp::Reverse((c.0, c.1)));
        all.into_iter().map(|(_, id, rows)| (id, rows)).collect()
    }

    on_each_backend! {
        /// A changeset's rows across models, in write order, with user, reason, date and the row.
        fn a_changeset_reads_across_models_in_write_order(db) {
            let conn = &mut db.conn;
            let registry = registry();
            let other = Tank::create(conn, &AuditContext::for_user(1), &NewTank::named("other")).unwrap();
            let id = uuid::Uuid::now_v7();
            let ctx = in_changeset(7, "stocking", id);
            let tank = Tank::create(conn, &ctx, &NewTank::named("A")).unwrap();
            let fed = Feeding::create(conn, &ctx, &feeding(tank.id)).unwrap();
            Assignment::create(conn, &ctx, &Assignment { tank_id: tank.id, batch_code: "B1".into(), population: 900 }).unwrap();
            Tank::update(conn, &ctx.with_reason("resized").unwrap(), tank.id, tanks::volume_m3.eq(60.0)).unwrap();
            Tank::update(conn, &AuditContext::for_user(1), other.id, tanks::volume_m3.eq(1.0)).unwrap();

            let changeset = registry.changeset(conn, id).unwrap();
            assert_eq!(changeset.id, id);
            let seen: Vec<(&str, HistoryType, &str, Option<&str>)> = changeset
                .entries
                .iter()
                .map(|e| (e.model.as_str(), e.history_type, e.object_id.as_str(), e.history_change_reason.as_deref()))
                .collect();
            let tank_key = format!("{:?}", tank.id);
            let fed_key = format!("{:?}", fed.id);
            let assignment_key = format!("{:?}", (tank.id, "B1".to_string()));
            assert_eq!(
                seen,
                [
                    ("Tank", HistoryType::Create, tank_key.as_str(), Some("stocking")),
                    ("Feeding", HistoryType::Create, fed_key.as_str(), Some("stocking")),
                    ("Assignment", HistoryType::Create, assignment_key.as_str(), Some("stocking")),
                    ("Tank", HistoryType::Update, tank_key.as_str(), Some("resized")),
                ]
            );
            assert!(changeset.entries.iter().all(|e| e.history_user_id == Some(UserId::Int(7))));
            assert!(changeset.entries.windows(2).all(|w| w[0].history_date <= w[1].history_date));
            assert_eq!(changeset.entries[2].history_table, "historical_assignments");
            assert_eq!(changeset.entries[3].record["volume_m3"], serde_json::json!(60.0));
            assert_eq!(changeset.entries[1].record["amount_kg"], serde_json::json!(2.5));

            let unknown = uuid::Uuid::now_v7();
            assert!(matches!(registry.changeset(conn, unknown), Err(AuditError::UnknownChangeset { id }) if id == unknown));
        }

        /// A bulk write is one changeset of all its rows, read and reverted as one.
        fn a_bulk_write_is_read_and_reverted_as_one_changeset(db) {
            let conn = &mut db.conn;
            let registry = registry();
            let rows: Vec<NewTank> = (0..5).map(|i| NewTank::named(&format!("T{i}"))).collect();
            let made = Tank::create_many_in_batches(conn, &AuditContext::for_user(3), &rows, 2).unwrap();
            let id = Tank::history(&made[0].id).latest(conn).unwrap().unwrap().history_changeset_id().unwrap();
            let changeset = registry.changeset(conn, id).unwrap();
            assert_eq!(changeset.entries.len(), 5);
            let page = registry.changesets().load(conn).unwrap();
            assert_eq!(page.items.len(), 1);
            assert_eq!((page.items[0].id, page.items[0].rows), (id, 5));

            let undo = registry.revert_changeset(conn, &AuditContext::for_user(4), id, OnLaterChange::Refuse).unwrap();
            assert_eq!(undo.objects.len(), 5);
            assert!(undo.objects.iter().all(|o| o.action == RevertAction::Deleted));
            assert_eq!(tanks::table.count().get_result::<i64>(conn).unwrap(), 0);
            let undone = registry.changeset(conn, undo.changeset).unwrap();
            assert_eq!(undone.entries.len(), 5);
            assert!(undone.entries.iter().all(|e| e.history_type == HistoryType::Delete
                && e.history_user_id == Some(UserId::Int(4))
                && e.history_change_reason.as_deref() == Some(format!("revert of changeset {id}").as_str())));
            // The newest objects first: the reverse of the write order.
            let order: Vec<String> = undo.objects.iter().map(|o| o.object_id.clone()).collect();
            let expected: Vec<String> = made.iter().rev().map(|t| format!("{:?}", t.id)).collect();
            assert_eq!(order, expected);
        }

        /// The listing: newest first by each changeset's latest row, keyset pages that match a brute
        /// force over every record, filters by user and date, and the figures of each changeset.
        fn changesets_are_listed_newest_first_in_keyset_pages(db) {
            let conn = &mut db.conn;
            let registry = registry();
            // X starts in tanks, Y follows, then X goes on in feedings: X is the newest, although
            // its tank row is older than Y's.
            let (x, y) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
            let a = Tank::create(conn, &in_changeset(7, "x begins", x), &NewTank::named("A")).unwrap();
            let b = Tank::create(conn, &in_changeset(8, "y", y), &NewTank::named("B")).unwrap();
            Feeding::create(conn, &in_changeset(7, "x ends", x), &feeding(a.id)).unwrap();
            let first = registry.changesets().page_size(1).load(conn).unwrap();
            assert_eq!(first.items.iter().map(|s| s.id).collect::<Vec<_>>(), [x]);
            assert!(first.has_next);
            let second = registry.changesets().page_size(1).after(&first.items[0]).load(conn).unwrap();
            assert_eq!(second.items.iter().map(|s| s.id).collect::<Vec<_>>(), [y], "X's older tank row does not hide Y");
            assert!(!second.has_next);
            let summary = &first.items[0];
            assert_eq!(summary.rows, 2);
            assert_eq!(summary.users, [UserId::Int(7)]);
            assert_eq!(summary.reasons, ["x begins", "x ends"]);
            let models: Vec<(&str, u64)> = summary.models.iter().map(|m| (m.model.as_str(), m.rows)).collect();
            assert_eq!(models, [("Feeding", 1), ("Tank", 1)]);
            assert!(summary.first_date < summary.last_date);

            // More: implicit changesets, a bulk write, uuid user ids, writes interleaved.
            let sensor_user = uuid::Uuid::now_v7();
            for i in 0..4 {
                let t = Tank::create(conn, &AuditContext::for_user(9), &NewTank::named(&format!("C{i}"))).unwrap();
                Feeding::create(conn, &in_changeset(7, "x again", x), &feeding(t.id)).unwrap();
                Sensor::create(conn, &AuditContext::for_user(sensor_user), &Sensor { id: i, serial: format!("S{i}"), active: true }).unwrap();
            }
            Tank::update(conn, &in_changeset(8, "y again", y), b.id, tanks::volume_m3.eq(3.0)).unwrap();
            let rows: Vec<NewTank> = (0..3).map(|i| NewTank::named(&format!("D{i}"))).collect();
            Tank::create_many(conn, &AuditContext::for_user(9), &rows).unwrap();
            let expected = every_changeset(conn);
            assert_eq!(expected.len(), 2 + 4 + 4 + 1);
            for size in [1, 2, 3, 25] {
                let mut seen = Vec::new();
                let mut page = registry.changesets().page_size(size).load(conn).unwrap();
                loop {
                    seen.extend(page.items.iter().map(|s| (s.id, s.rows)));
                    if !page.has_next {
                        break;
                    }
                    let last = page.items.last().unwrap().clone();
                    page = registry.changesets().page_size(size).after(&last).load(conn).unwrap();
                }
                assert_eq!(seen, expected, "pages of {size}");
            }

            // By user: an integer id matches the integer columns of every model, a UUID the UUID
            // column; only the user's rows count.
            let sevens = registry.changesets().user(7).load(conn).unwrap();
            assert_eq!(sevens.items.iter().map(|s| s.id).collect::<Vec<_>>(), [x]);
            assert_eq!(sevens.items[0].rows, 6);
            let sensors = registry.changesets().user(sensor_user).load(conn).unwrap();
            assert_eq!(sensors.items.len(), 4);
            assert!(sensors.items.iter().all(|s| s.models.len() == 1 && s.models[0].model == "Sensor"));
            assert!(registry.changesets().user("nobody").load(conn).unwrap().items.is_empty());
            // By date: only rows up to the first feeding: X's first two rows and Y's first.
            let feeding_date = Feeding::history_query().oldest_first().load(conn).unwrap().items[0].history_date;
            let early = registry.changesets().until(feeding_date).load(conn).unwrap();
            let early: Vec<(uuid::Uuid, u64)> = early.items.iter().map(|s| (s.id, s.rows)).collect();
            assert_eq!(early, [(x, 2), (y, 1)]);
            let late = registry.changesets().since(feeding_date).user(8).load(conn).unwrap();
            assert_eq!(late.items.iter().map(|s| (s.id, s.rows)).collect::<Vec<_>>(), [(y, 1)]);

            assert!(matches!(registry.changesets().page_size(0).load(conn), Err(AuditError::InvalidPageSize { requested: 0, .. })));
            let out_of_range = chrono::DateTime::<chrono::Utc>::MIN_UTC;
            assert!(matches!(registry.changesets().since(out_of_range).load(conn), Err(AuditError::DateOutOfRange { argument: "since", .. })));
        }

        /// Changesets that span models can fill a model's newest changesets with ones a previous
    /// page showed already (their latest row is elsewhere): the listing reads on until the page
    /// is certain.
    fn pages_after_changesets_that_span_models(db) {
        let conn = &mut db.conn;
        let registry = registry();
        let (p, q, r) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        Tank::create(conn, &in_changeset(1, "r", r), &NewTank::named("R")).unwrap();
        let tp = Tank::create(conn, &in_changeset(1, "p", p), &NewTank::named("P")).unwrap();
        let tq = Tank::create(conn, &in_changeset(1, "q", q), &NewTank::named("Q")).unwrap();
        Feeding::create(conn, &in_changeset(1, "p", p), &feeding(tp.id)).unwrap();
        Feeding::create(conn, &in_changeset(1, "q", q), &feeding(tq.id)).unwrap();
        let mut seen = Vec::new();
        let mut page = registry.changesets().page_size(1).load(conn).unwrap();
        loop {
            seen.extend(page.items.iter().map(|s| s.id));
            if !page.has_next {
                break;
            }
            let last = page.items.last().unwrap().clone();
            page = registry.changesets().page_size(1).after(&last).load(conn).unwrap();
        }
        assert_eq!(seen, [q, p, r]);
    }

    /// A revert restores every object to its state before the changeset, in the reverse order
        /// of its writes (foreign keys hold throughout), as a new changeset.
        fn reverting_a_changeset_restores_every_object(db) {
            let conn = &mut db.conn;
            let registry = registry();
            let setup = AuditContext::for_user(1);
            let kept = Tank::create(conn, &setup, &NewTank::named("kept")).unwrap();
            let doomed = Tank::create(conn, &setup, &NewTank::named("doomed")).unwrap();
            let id = uuid::Uuid::now_v7();
            let ctx = in_changeset(7, "reorganise", id);
            Tank::update(conn, &ctx, kept.id, tanks::volume_m3.eq(99.0)).unwrap();
            let new = Tank::create(conn, &ctx, &NewTank::named("new")).unwrap();
            Feeding::create(conn, &ctx, &feeding(new.id)).unwrap();
            Assignment::create(conn, &ctx, &Assignment { tank_id: new.id, batch_code: "B1".into(), population: 10 }).unwrap();
            Tank::delete(conn, &ctx, doomed.id).unwrap();

            let undo = registry.revert_changeset(conn, &AuditContext::for_user(2), id, OnLaterChange::Refuse).unwrap();
            assert_eq!(undo.reverted, id);
            assert_ne!(undo.changeset, id);
            let done: Vec<(&str, RevertAction)> = undo.objects.iter().map(|o| (o.model.as_str(), o.action)).collect();
            assert_eq!(done, [
                ("Tank", RevertAction::Restored),
                ("Assignment", RevertAction::Deleted),
                ("Feeding", RevertAction::Deleted),
                ("Tank", RevertAction::Deleted),
                ("Tank", RevertAction::Restored),
            ]);
            let mut names: Vec<(String, f64)> = tanks::table.select((tanks::name, tanks::volume_m3)).load(conn).unwrap();
            names.sort_by(|a, b| a.0.cmp(&b.0));
            assert_eq!(names, [("doomed".to_string(), 40.0), ("kept".to_string(), 40.0)]);
            assert_eq!(tanks::table.find(doomed.id).select(tanks::id).first::<i32>(conn).unwrap(), doomed.id);
            assert_eq!(feedings::table.count().get_result::<i64>(conn).unwrap(), 0);
            assert_eq!(assignments::table.count().get_result::<i64>(conn).unwrap(), 0);
            // The revert's rows: one changeset, attributed, in the order written.
            let undone = registry.changeset(conn, undo.changeset).unwrap();
            let types: Vec<(&str, HistoryType)> = undone.entries.iter().map(|e| (e.model.as_str(), e.history_type)).collect();
            assert_eq!(types, [
                ("Tank", HistoryType::Create),
                ("Assignment", HistoryType::Delete),
                ("Feeding", HistoryType::Delete),
                ("Tank", HistoryType::Delete),
                ("Tank", HistoryType::Update),
            ]);
            assert!(undone.entries.iter().all(|e| e.history_user_id == Some(UserId::Int(2))));
            // A reverted revert is the changeset again.
            registry.revert_changeset(conn, &AuditContext::for_user(2), undo.changeset, OnLaterChange::Refuse).unwrap();
            assert_eq!(tanks::table.find(kept.id).select(tanks::volume_m3).first::<f64>(conn).unwrap(), 99.0);
            assert_eq!(feedings::table.count().get_result::<i64>(conn).unwrap(), 1);
        }

        /// A later change to an object of the changeset refuses the revert, naming the object, and
        /// writes nothing; overwriting undoes it too.
        fn a_later_change_refuses_the_revert_unless_overwritten(db) {
            let conn = &mut db.conn;
            let registry = registry();
            let tank = Tank::create(conn, &AuditContext::for_user(1), &NewTank::named("A")).unwrap();
            let untouched = Tank::create(conn, &AuditContext::for_user(1), &NewTank::named("B")).unwrap();
            let (first, later) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
            Tank::update(conn, &in_changeset(7, "first", first), untouched.id, tanks::volume_m3.eq(5.0)).unwrap();
            Tank::update(conn, &in_changeset(7, "first", first), tank.id, tanks::volume_m3.eq(50.0)).unwrap();
            Tank::update(conn, &in_changeset(8, "later", later), tank.id, tanks::volume_m3.eq(60.0)).unwrap();
            let rows_before = Tank::history_query().count(conn).unwrap();

            let refused = registry.revert_changeset(conn, &AuditContext::for_user(2), first, OnLaterChange::Refuse);
            match refused {
                Err(AuditError::ChangesetConflict { changeset, model, key, later: by, history_type, .. }) => {
                    assert_eq!((changeset, model.as_str(), key, by, history_type), (first, "Tank", format!("{:?}", tank.id), Some(later), HistoryType::Update));
                }
                other => panic!("expected a conflict, got {other:?}"),
            }
            assert_eq!(Tank::history_query().count(conn).unwrap(), rows_before, "nothing written");
            let volumes: Vec<f64> = tanks::table.order(tanks::id).select(tanks::volume_m3).load(conn).unwrap();
            assert_eq!(volumes, [60.0, 5.0]);

            let undo = registry.revert_changeset(conn, &AuditContext::for_user(2), first, OnLaterChange::Overwrite).unwrap();
            let volumes: Vec<f64> = tanks::table.order(tanks::id).select(tanks::volume_m3).load(conn).unwrap();
            assert_eq!(volumes, [40.0, 40.0]);
            let overwrote: Vec<Option<uuid::Uuid>> = undo.objects.iter().map(|o| o.overwrote).collect();
            assert_eq!(overwrote, [Some(later), None]);
            assert!(matches!(
                registry.revert_changeset(conn, &AuditContext::for_user(2), uuid::Uuid::nil(), OnLaterChange::Refuse),
                Err(AuditError::UnknownChangeset { .. })
            ));
        }

        /// A revert that fails half-way (the context's user fits the first model it reverts, not
        /// the second) leaves nothing: the first object's revert is rolled back too.
        fn a_revert_that_fails_half_way_writes_nothing(db) {
            let conn = &mut db.conn;
            let registry = registry();
            let tank = Tank::create(conn, &AuditContext::for_user(1), &NewTank::named("A")).unwrap();
            let id = uuid::Uuid::now_v7();
            Tank::update(conn, &in_changeset(7, "both", id), tank.id, tanks::volume_m3.eq(9.0)).unwrap();
            let sensor_user = uuid::Uuid::now_v7();
            let ctx = AuditContext::for_user(sensor_user).with_changeset(id);
            Sensor::create(conn, &ctx, &Sensor { id: 1, serial: "S1".into(), active: true }).unwrap();
            let sensor_rows = Sensor::history_query().count(conn).unwrap();

            // The sensor, written last, is reverted first (a UUID user fits it); the tank refuses.
            let failed = registry.revert_changeset(conn, &AuditContext::for_user(sensor_user), id, OnLaterChange::Refuse);
            assert!(matches!(&failed, Err(AuditError::UserIdType { model, .. }) if model == "Tank"), "{failed:?}");
            assert_eq!(sensors::table.count().get_result::<i64>(conn).unwrap(), 1, "the sensor's delete was rolled back");
            assert_eq!(Sensor::history_query().count(conn).unwrap(), sensor_rows);
            assert_eq!(tanks::table.find(tank.id).select(tanks::volume_m3).first::<f64>(conn).unwrap(), 9.0);
        }

        /// Inside a caller's transactions, nested ones too: an explicit changeset groups every write
        /// on every backend, and a revert inside a transaction rolled back leaves nothing.
        fn nested_caller_transactions_share_the_changeset(db) {
            use diesel::connection::Connection as _;
            let conn = &mut db.conn;
            let registry = registry();
            let id = uuid::Uuid::now_v7();
            let ctx = in_changeset(7, "nested", id);
            let tank = conn.transaction::<_, AuditError, _>(|conn| {
                let tank = Tank::create(conn, &ctx, &NewTank::named("A"))?;
                conn.transaction::<_, AuditError, _>(|conn| {
                    Feeding::create(conn, &ctx, &feeding(tank.id))?;
                    conn.transaction::<_, AuditError, _>(|conn| Tank::update(conn, &ctx, tank.id, tanks::volume_m3.eq(3.0)))
                })?;
                Ok(tank)
            }).unwrap();
            assert_eq!(registry.changeset(conn, id).unwrap().entries.len(), 3);
            let rows_before = Tank::history_query().count(conn).unwrap();
            let rolled_back = conn.transaction::<(), AuditError, _>(|conn| {
                registry.revert_changeset(conn, &AuditContext::for_user(2), id, OnLaterChange::Refuse)?;
                assert_eq!(tanks::table.count().get_result::<i64>(conn)?, 0);
                Err(AuditError::InvalidPage { page: 0 })
            });
            assert!(rolled_back.is_err());
            assert_eq!(Tank::history_query().count(conn).unwrap(), rows_before);
            assert_eq!(tanks::table.find(tank.id).select(tanks::volume_m3).first::<f64>(conn).unwrap(), 3.0);
            assert_eq!(registry.changesets().load(conn).unwrap().items.len(), 1);
        }
    }
}
