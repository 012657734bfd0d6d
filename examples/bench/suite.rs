//! The benchmark's work, written once: `suite!(Connection)` expands, inside a backend's module
//! (where `bench_fish`, `Fish`, that backend's SQL, `diesel::prelude::*` and chrono's `DateTime`
//! and `Utc` are in scope), to its `run` function.

macro_rules! suite {
    ($conn:ty) => {
        use audit_diesel::maintenance::{populate_history, Backfill};
        use audit_diesel::prelude::*;
        use chrono::TimeZone;
        use diesel::connection::SimpleConnection;

        use crate::measure::{Bench, BenchResult, Unit, Variant};
        use crate::{Config, Section};

        /// A new row, as the application would insert it.
        #[derive(Debug, Clone, Insertable)]
        #[diesel(table_name = bench_fish, treat_none_as_default_value = false)]
        pub struct NewFish {
            name: String,
            species: String,
            population: i32,
            avg_weight_g: f64,
            status: String,
            notes: Option<String>,
            created_at: DateTime<Utc>,
            updated_at: DateTime<Utc>,
        }

        fn new_fish(i: usize) -> NewFish {
            let now = Utc::now();
            NewFish {
                name: format!("fish-{i}"),
                species: "Atlantic salmon".to_owned(),
                population: 1000 + (i % 500) as i32,
                avg_weight_g: 250.0 + (i % 100) as f64,
                status: "active".to_owned(),
                notes: (i % 3 == 0).then(|| "stocked from hatchery".to_owned()),
                created_at: now,
                updated_at: now,
            }
        }

        fn history_rows(conn: &mut $conn) -> BenchResult<i64> {
            Ok(historical_bench_fish::table.count().get_result(conn)?)
        }

        fn live_rows(conn: &mut $conn) -> BenchResult<i64> {
            Ok(bench_fish::table.count().get_result(conn)?)
        }

        fn check(ok: bool, what: impl FnOnce() -> String) -> BenchResult<()> {
            if ok {
                Ok(())
            } else {
                Err(format!("benchmark check failed: {}", what()).into())
            }
        }

        /// Runs every section, checking after each run that it wrote what it should.
        pub fn run(conn: &mut $conn, bench: &mut Bench, config: &Config) -> BenchResult<()> {
            conn.set_instrumentation(bench.statements.clone());
            let ctx = AuditContext::builder().user(1).reason("bench").build()?;
            if config.runs(Section::Writes) {
                writes(conn, bench, config, &ctx)?;
            }
            if config.runs(Section::BulkInsert) {
                bulk_insert(conn, bench, config, &ctx)?;
            }
            if config.runs(Section::BulkUpdate) {
                bulk_update(conn, bench, config, &ctx)?;
            }
            if config.runs(Section::AsOf) {
                as_of(conn, bench, config)?;
            }
            if config.runs(Section::Backfill) {
                backfill(conn, bench, config, &ctx)?;
            }
            Ok(())
        }

        fn create_all(
            conn: &mut $conn,
            ctx: &AuditContext,
            variant: Variant,
            rows: &[NewFish],
        ) -> BenchResult<Vec<i64>> {
            let mut ids = Vec::with_capacity(rows.len());
            for row in rows {
                let fish = match variant {
                    Variant::Audited => Fish::create(conn, ctx, row)?,
                    Variant::Unaudited => diesel::insert_into(bench_fish::table)
                        .values(row)
                        .returning(Fish::as_returning())
                        .get_result(conn)?,
                };
                ids.push(fish.id);
            }
            Ok(ids)
        }

        fn update_all(
            conn: &mut $conn,
            ctx: &AuditContext,
            variant: Variant,
            ids: &[i64],
        ) -> BenchResult<()> {
            for (i, &id) in ids.iter().enumerate() {
                let changes = (
                    bench_fish::population.eq(2000 + (i % 500) as i32),
                    bench_fish::status.eq(if i % 2 == 0 { "growing" } else { "feeding" }),
                    bench_fish::updated_at.eq(Utc::now()),
                );
                match variant {
                    Variant::Audited => {
                        Fish::update(conn, ctx, id, changes)?;
                    }
                    Variant::Unaudited => {
                        let changed = diesel::update(bench_fish::table.find(id))
                            .set(changes)
                            .execute(conn)?;
                        check(changed == 1, || format!("update of {id} changed {changed} rows"))?;
                    }
                }
            }
            Ok(())
        }

        fn delete_all(
            conn: &mut $conn,
            ctx: &AuditContext,
            variant: Variant,
            ids: &[i64],
        ) -> BenchResult<()> {
            for &id in ids {
                match variant {
                    Variant::Audited => {
                        Fish::delete(conn, ctx, id)?;
                    }
                    Variant::Unaudited => {
                        let deleted = diesel::delete(bench_fish::table.find(id)).execute(conn)?;
                        check(deleted == 1, || format!("delete of {id} deleted {deleted} rows"))?;
                    }
                }
            }
            Ok(())
        }

        /// The history rows a variant's `n` writes should add.
        fn expected_history(variant: Variant, n: usize) -> i64 {
            match variant {
                Variant::Audited => n as i64,
                Variant::Unaudited => 0,
            }
        }

        /// What a single-row write costs the write-ahead log, measured apart from the timed
        /// rounds (on SQLite the measurement holds back checkpoints).
        fn wal_per_write(conn: &mut $conn, bench: &mut Bench, ctx: &AuditContext, n: usize) -> BenchResult<()> {
            let k = n.min(200);
            conn.batch_execute(RESET_SQL)?;
            for variant in Variant::order(0) {
                let rows: Vec<NewFish> = (0..k).map(new_fish).collect();
                let mark = wal_mark(conn)?;
                let ids = create_all(conn, ctx, variant, &rows)?;
                bench.wal("create", variant, wal_since(conn, mark)? as f64 / k as f64);
                let mark = wal_mark(conn)?;
                update_all(conn, ctx, variant, &ids)?;
                bench.wal("update", variant, wal_since(conn, mark)? as f64 / k as f64);
                let mark = wal_mark(conn)?;
                delete_all(conn, ctx, variant, &ids)?;
                bench.wal("delete", variant, wal_since(conn, mark)? as f64 / k as f64);
            }
            Ok(())
        }

        /// N creates, then N updates, then N deletes, each its own transaction; the variants
        /// alternate per phase on the same table.
        fn writes(
            conn: &mut $conn,
            bench: &mut Bench,
            config: &Config,
            ctx: &AuditContext,
        ) -> BenchResult<()> {
            let n = config.n;
            eprintln!("single-row writes: {n} creates, updates and deletes per variant");
            wal_per_write(conn, bench, ctx, n)?;
            for round in bench.rounds() {
                conn.batch_execute(RESET_SQL)?;
                let order = Variant::order(round);
                let mut ids: [Vec<i64>; 2] = [Vec::new(), Vec::new()];
                for variant in order {
                    let rows: Vec<NewFish> = (0..n).map(new_fish).collect();
                    let before = history_rows(conn)?;
                    ids[variant as usize] = bench.time("create", Unit::Ops, n, variant, round, || {
                        create_all(conn, ctx, variant, &rows)
                    })?;
                    let added = history_rows(conn)? - before;
                    check(added == expected_history(variant, n), || {
                        format!("{} creates wrote {added} history rows", variant.name())
                    })?;
                }
                for variant in order {
                    let before = history_rows(conn)?;
                    bench.time("update", Unit::Ops, n, variant, round, || {
                        update_all(conn, ctx, variant, &ids[variant as usize])
                    })?;
                    let added = history_rows(conn)? - before;
                    check(added == expected_history(variant, n), || {
                        format!("{} updates wrote {added} history rows", variant.name())
                    })?;
                }
                for variant in order {
                    bench.time("delete", Unit::Ops, n, variant, round, || {
                        delete_all(conn, ctx, variant, &ids[variant as usize])
                    })?;
                }
                let (live, history) = (live_rows(conn)?, history_rows(conn)?);
                check(live == 0 && history == 3 * n as i64, || {
                    format!("after the writes: {live} live rows, {history} history rows, expected 0 and {}", 3 * n)
                })?;
            }
            Ok(())
        }

        /// Inserting `bulk` rows in batches, all in one transaction.
        fn bulk_insert(
            conn: &mut $conn,
            bench: &mut Bench,
            config: &Config,
            ctx: &AuditContext,
        ) -> BenchResult<()> {
            let (rows, batch) = (config.bulk, config.batch);
            eprintln!("bulk insert: {rows} rows in batches of {batch}, one transaction");
            for round in bench.rounds() {
                for variant in Variant::order(round) {
                    conn.batch_execute(RESET_SQL)?;
                    let new: Vec<NewFish> = (0..rows).map(new_fish).collect();
                    let returned = bench.time("bulk_insert", Unit::Rows, rows, variant, round, || {
                        match variant {
                            Variant::Audited => Ok(Fish::create_many_in_batches(conn, ctx, &new, batch)?.len()),
                            Variant::Unaudited => conn.transaction(|conn| {
                                for chunk in new.chunks(batch) {
                                    diesel::insert_into(bench_fish::table).values(chunk).execute(conn)?;
                                }
                                Ok(rows)
                            }),
                        }
                    })?;
                    check(returned == rows, || format!("bulk insert returned {returned} models"))?;
                    let (live, history) = (live_rows(conn)?, history_rows(conn)?);
                    check(live == rows as i64 && history == expected_history(variant, rows), || {
                        format!("{} bulk insert left {live} rows and {history} history rows", variant.name())
                    })?;
                }
            }
            Ok(())
        }

        /// `UPDATE ... WHERE status = 'active'` over `bulk` rows.
        fn bulk_update(
            conn: &mut $conn,
            bench: &mut Bench,
            config: &Config,
            ctx: &AuditContext,
        ) -> BenchResult<()> {
            let rows = config.bulk;
            eprintln!("filtered update: {rows} rows in one call");
            for round in bench.rounds() {
                for variant in Variant::order(round) {
                    conn.batch_execute(RESET_SQL)?;
                    conn.batch_execute(&seed_rows_sql(rows))?;
                    let filter = bench_fish::status.eq("active");
                    let changes = (
                        bench_fish::population.eq(bench_fish::population + 1),
                        bench_fish::status.eq("growing"),
                        bench_fish::updated_at.eq(Utc::now()),
                    );
                    let changed = bench.time("bulk_update", Unit::Rows, rows, variant, round, || {
                        Ok(match variant {
                            Variant::Audited => Fish::update_where(conn, ctx, filter, changes)?.len(),
                            Variant::Unaudited => diesel::update(bench_fish::table.filter(filter))
                                .set(changes)
                                .execute(conn)?,
                        })
                    })?;
                    let history = history_rows(conn)?;
                    check(changed == rows && history == expected_history(variant, rows), || {
                        format!("{} filtered update changed {changed} rows and wrote {history} history rows", variant.name())
                    })?;
                }
            }
            Ok(())
        }

        /// `as_of` of one object (against reading its live row by key) and of the whole table
        /// (against loading the live table), over `history` history rows.
        fn as_of(conn: &mut $conn, bench: &mut Bench, config: &Config) -> BenchResult<()> {
            let versions = crate::VERSIONS;
            let objects = (config.history / versions).max(1);
            eprintln!(
                "as_of: seeding {} history rows ({objects} objects x {versions} versions)",
                objects * versions
            );
            conn.batch_execute(RESET_SQL)?;
            conn.batch_execute(&seed_history_sql(objects, versions))?;
            conn.batch_execute(ANALYZE_SQL)?;
            let history = history_rows(conn)?;
            check(history == (objects * versions) as i64, || format!("seeded {history} history rows"))?;
            // Half past hour 5: versions 0 to 5 of every object are at or before it.
            let at = Utc.with_ymd_and_hms(2026, 1, 1, 5, 30, 0).unwrap();
            let expected_population = 1005;
            let keys = crate::keys(config.n, objects);
            for round in bench.rounds() {
                for variant in Variant::order(round) {
                    let total: i64 = bench.time("as_of_object", Unit::Ops, keys.len(), variant, round, || {
                        let mut total = 0i64;
                        for &id in &keys {
                            total += match variant {
                                Variant::Audited => Fish::history(&id)
                                    .as_of(conn, at)?
                                    .map_or(0, |r| r.population as i64),
                                Variant::Unaudited => bench_fish::table
                                    .find(id)
                                    .select(bench_fish::population)
                                    .first::<i32>(conn)? as i64,
                            };
                        }
                        Ok(total)
                    })?;
                    if variant == Variant::Audited {
                        let expected = expected_population * keys.len() as i64;
                        check(total == expected, || format!("as_of populations sum to {total}, expected {expected}"))?;
                    }
                }
                for variant in Variant::order(round) {
                    // Each variant's rows, as `(population)`s, checked after the timing.
                    let populations: Vec<i32> = bench.time("as_of_table", Unit::Ops, 1, variant, round, || {
                        Ok(match variant {
                            Variant::Audited => Fish::as_of(at).load(conn)?.into_iter().map(|r| r.population).collect(),
                            Variant::Unaudited => bench_fish::table.load::<Fish>(conn)?.into_iter().map(|f| f.population).collect(),
                        })
                    })?;
                    let loaded = populations.len();
                    if variant == Variant::Audited {
                        check(populations.iter().all(|p| *p == expected_population as i32), || {
                            "as_of of the table returned a wrong version".to_owned()
                        })?;
                    }
                    check(loaded == objects, || format!("{} read of the table returned {loaded} rows", variant.name()))?;
                }
            }
            Ok(())
        }

        /// `populate_history` of `history` rows against the one `INSERT ... SELECT` a DBA would
        /// write.
        fn backfill(
            conn: &mut $conn,
            bench: &mut Bench,
            config: &Config,
            ctx: &AuditContext,
        ) -> BenchResult<()> {
            let rows = config.history;
            eprintln!("backfill: seeding {rows} rows");
            conn.batch_execute(RESET_SQL)?;
            conn.batch_execute(&seed_rows_sql(rows))?;
            conn.batch_execute(ANALYZE_SQL)?;
            let ctx = ctx.with_reason("backfill")?;
            let date = Utc::now().format("%Y-%m-%d %H:%M:%S%.6f").to_string();
            // Online: each batch commits on its own; offline: one transaction that builds the
            // history indexes once at the end. Both against the same hand-written statement.
            for (op, defer_indexes) in [("backfill", false), ("backfill_offline", true)] {
                let options = Backfill { defer_indexes, ..Backfill::default() };
                for round in bench.rounds() {
                    for variant in Variant::order(round) {
                        conn.batch_execute(RESET_HISTORY_SQL)?;
                        let written = bench.time(op, Unit::Rows, rows, variant, round, || {
                            Ok(match variant {
                                Variant::Audited => {
                                    populate_history::<Fish, _>(conn, &ctx, &options, |_| {})?.written as usize
                                }
                                Variant::Unaudited => diesel::sql_query(backfill_by_hand_sql(&date)).execute(conn)?,
                            })
                        })?;
                        let history = history_rows(conn)?;
                        check(written == rows && history == rows as i64, || {
                            format!("{} {op} wrote {written} ({history}) rows of {rows}", variant.name())
                        })?;
                    }
                }
            }
            Ok(())
        }
    };
}
