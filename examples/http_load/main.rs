//! A load run of the history HTTP API: N concurrent clients list pages, fetch records with their
//! diff and read objects as of a time (and list changesets across models with
//! `--with-changesets`), for S seconds, against the aquamind example's server on
//! 127.0.0.1; prints requests/s, latency percentiles and the error count.
//!
//! ```sh
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
//!   cargo run --release --example http_load --features postgres -- --clients 64 --seconds 20
//! ```
//!
//! A benchmark, not a test: it asserts nothing, and its numbers go to BENCHMARKS.md.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use audit_axum::HistoryApi;
use audit_examples::aquamind::{self, serve, AquaConnection};
use clap::Parser;
use diesel::connection::SimpleConnection;
use diesel::Connection;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[derive(Parser)]
struct Args {
    /// Concurrent clients.
    #[arg(long, default_value_t = 64)]
    clients: usize,
    /// How long they run.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Days played before the run (more history rows).
    #[arg(long, default_value_t = 20)]
    days: usize,
    /// Pooled database connections of the server.
    #[arg(long, default_value_t = 16)]
    pool: u32,
    /// Only the paths containing this text.
    #[arg(long)]
    only: Option<String>,
    /// Also list changesets across the 22 models (one request in six).
    #[arg(long)]
    with_changesets: bool,
}

fn main() -> Result<(), Error> {
    let args = Args::parse();
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let database = if url.starts_with("postgres") {
        // A schema of its own, dropped at the end.
        let schema = format!("http_load_{}", std::process::id());
        let mut admin = diesel::PgConnection::establish(&url)?;
        admin.batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        ))?;
        format!("{url}?options=-csearch_path%3D{schema}")
    } else {
        let _ = std::fs::remove_file(&url);
        url.clone()
    };
    let mut conn = AquaConnection::open(&database)?;
    conn.migrate()?;
    let mut day = None;
    for i in 0..args.days {
        day = Some(aquamind::day::play(
            &mut conn,
            &format!("L{i}"),
            chrono::Utc::now().date_naive(),
        )?);
    }
    let day = day.ok_or("--days must be at least 1")?;
    let staff = serve::Staff::new(day.operator, day.vet, day.admin, 9_000);
    let token = staff.token("auditor").ok_or("an auditor")?.to_owned();
    let pool = serve::pool(&database, args.pool)?;
    let app = serve::app(HistoryApi::new(aquamind::registry(), pool, staff.tokens()));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let addr = listener.local_addr()?;
    runtime.spawn(async move { axum::serve(listener, app).await });

    let batch = day.batch_id;
    let at = day.mid_morning.to_rfc3339().replace('+', "%2B");
    let paths = Arc::new(
        vec![
            "/api/v1/history/batch/?page_size=25".to_owned(),
            "/api/v1/history/feeding_event/?page_size=25&history_type=%2B".to_owned(),
            "/api/v1/history/batch/?page=3&page_size=10".to_owned(),
            format!("/api/v1/history/batch/{batch}/as-of?at={at}"),
            "/api/v1/history/batch/2/".to_owned(),
            "/api/v1/history/changesets/?page_size=25".to_owned(),
        ]
        .into_iter()
        .filter(|p| args.with_changesets || !p.contains("changesets"))
        .filter(|p| {
            args.only
                .as_ref()
                .is_none_or(|only| p.contains(only.as_str()))
        })
        .collect::<Vec<_>>(),
    );
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let clients: Vec<_> = (0..args.clients)
        .map(|i| {
            let (stop, paths, token) = (Arc::clone(&stop), Arc::clone(&paths), token.clone());
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .proxy(None)
                    .build()
                    .into();
                let mut latencies = Vec::new();
                let mut errors = 0u64;
                let mut n = i;
                while !stop.load(Ordering::Relaxed) {
                    let path = &paths[n % paths.len()];
                    n += 1;
                    let sent = Instant::now();
                    let ok = agent
                        .get(&format!("http://{addr}{path}"))
                        .header("Authorization", &format!("Bearer {token}"))
                        .call()
                        .map(|mut r| r.status().is_success() && r.body_mut().read_to_vec().is_ok())
                        .unwrap_or(false);
                    latencies.push(sent.elapsed());
                    if !ok {
                        errors += 1;
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(args.seconds));
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    let mut errors = 0;
    for client in clients {
        let (l, e) = client.join().map_err(|_| "a client panicked")?;
        latencies.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let pct = |p: f64| {
        let i = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        latencies.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "backend {}, {} clients, {:.0} s, pool {} connections, {} history rows of Batch",
        if database.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        args.clients,
        elapsed,
        args.pool,
        {
            use audit_diesel::Historical;
            audit_examples::aquamind::batch::Batch::history_query().count(&mut conn)?
        }
    );
    println!(
        "requests {}, {:.0} requests/s, p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms, errors {}",
        latencies.len(),
        latencies.len() as f64 / elapsed,
        pct(0.50),
        pct(0.90),
        pct(0.99),
        pct(1.0),
        errors
    );
    runtime.shutdown_background();
    if database.starts_with("postgres") {
        let schema = format!("http_load_{}", std::process::id());
        let mut admin = diesel::PgConnection::establish(&url)?;
        admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))?;
    }
    Ok(())
}
