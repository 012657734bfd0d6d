//! Concurrent audited writers, the same test on every server backend.

use std::collections::HashMap;

use audit_diesel::{AuditContext, Historical, HistoryType};
use diesel::prelude::*;

use super::db::AnyConnection;
use super::models::*;
use super::TestDb;

/// What one write returned, to compare with its history row.
struct Written {
    history_type: HistoryType,
    tank: Tank,
}

/// 4 threads × 250 audited writes, half of the updates on four shared rows: exactly one history
/// row per write, holding the row's state after it, and each shared row's history in commit
/// order, its hash chain unforked. `connect` opens another connection to the test's database.
pub fn writers_get_one_history_row_per_write_in_commit_order(
    db: &mut TestDb<AnyConnection>,
    connect: impl Fn() -> AnyConnection + Sync,
) {
    const THREADS: usize = 4;
    const WRITES: usize = 250;
    let setup = AuditContext::builder().reason("setup").build().unwrap();
    let shared: Vec<i32> = (0..4)
        .map(|i| {
            let new = NewTank {
                volume_m3: 0.0,
                ..NewTank::named(&format!("shared-{i}"))
            };
            Tank::create(&mut db.conn, &setup, &new).unwrap().id
        })
        .collect();

    let written: HashMap<String, Written> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let mut conn = connect();
                let shared = shared.clone();
                scope.spawn(move || {
                    let mut out = Vec::new();
                    let mut own: Vec<i32> = Vec::new();
                    for i in 0..WRITES {
                        let tag = format!("t{t}-w{i}");
                        let ctx = AuditContext::builder()
                            .user(t as i64)
                            .reason(&tag)
                            .build()
                            .unwrap();
                        let (history_type, tank) = match (i % 5, own.last().copied()) {
                            (1, _) | (3, _) => {
                                // Contended: every thread bumps the same four rows.
                                let id = shared[(i + t) % shared.len()];
                                let changes = (
                                    tanks::volume_m3.eq(tanks::volume_m3 + 1.0),
                                    tanks::notes.eq(&tag),
                                );
                                (
                                    HistoryType::Update,
                                    Tank::update(&mut conn, &ctx, id, changes).unwrap(),
                                )
                            }
                            (2, Some(id)) => (
                                HistoryType::Update,
                                Tank::update(&mut conn, &ctx, id, tanks::notes.eq(&tag)).unwrap(),
                            ),
                            (4, Some(id)) => {
                                own.pop();
                                (
                                    HistoryType::Delete,
                                    Tank::delete(&mut conn, &ctx, id).unwrap(),
                                )
                            }
                            _ => {
                                let tank =
                                    Tank::create(&mut conn, &ctx, &NewTank::named(&tag)).unwrap();
                                own.push(tank.id);
                                (HistoryType::Create, tank)
                            }
                        };
                        out.push((tag, Written { history_type, tank }));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(written.len(), THREADS * WRITES);

    let conn = &mut db.conn;
    let history: Vec<HistoricalTank> = historical_tanks::table
        .filter(historical_tanks::history_change_reason.ne("setup"))
        .load(conn)
        .unwrap();
    assert_eq!(
        history.len(),
        THREADS * WRITES,
        "exactly one history row per write"
    );

    let mut seen = HashMap::new();
    for row in &history {
        let tag = row.history_change_reason.clone().unwrap();
        let write = &written[&tag];
        assert!(
            seen.insert(tag.clone(), ()).is_none(),
            "two history rows for {tag}"
        );
        assert_eq!(row.history_type, write.history_type, "{tag}");
        let snapshot = (row.id, &row.name, row.volume_m3, &row.notes);
        let state = (
            write.tank.id,
            &write.tank.name,
            write.tank.volume_m3,
            &write.tank.notes,
        );
        assert_eq!(
            snapshot, state,
            "{tag}: the snapshot is the row's state after the write"
        );
    }

    // The contended rows: ordered by (history_date, history_id), their updates count up one by
    // one, and the last history row is the row as it is now.
    for &id in &shared {
        let trail: Vec<HistoricalTank> = historical_tanks::table
            .filter(historical_tanks::id.eq(id))
            .order((historical_tanks::history_date, historical_tanks::history_id))
            .load(conn)
            .unwrap();
        let volumes: Vec<f64> = trail.iter().map(|r| r.volume_m3).collect();
        let expected: Vec<f64> = (0..trail.len()).map(|v| v as f64).collect();
        assert_eq!(
            volumes, expected,
            "history of shared tank {id} in commit order"
        );
        let now: Tank = tanks::table
            .find(id)
            .select(Tank::as_select())
            .first(conn)
            .unwrap();
        let last = trail.last().unwrap();
        assert_eq!((last.volume_m3, &last.notes), (now.volume_m3, &now.notes));
    }
    // Every chain links each row to the one before it in that order: none forked.
    let report = super::chain_verifies_clean::<Tank>(conn);
    assert_eq!(report.rows, (THREADS * WRITES + shared.len()) as u64);
}
