//! AquaMind: a day at the fish farm of the seed plan, with history on every in-scope model.
//!
//! ```sh
//! cargo run --example aquamind                          # SQLite, target/aquamind.sqlite3
//! cargo run --example aquamind -- --database farm.db    # SQLite, another file
//! DATABASE_URL=postgres://postgres@127.0.0.1/test cargo run --example aquamind --features postgres
//! DATABASE_URL=mysql://root@127.0.0.1/test cargo run --example aquamind --features mysql
//! cargo run --example aquamind -- serve --addr 127.0.0.1:8000   # the history API and viewer over HTTP
//! ```
//!
//! It opens the database it is given as an `AquaConnection` (Diesel's `MultiConnection` over
//! SQLite, PostgreSQL and MySQL), applies the migrations (the application's own and the generated
//! history migrations), plays a day by an operator, a veterinarian and an admin through the
//! audited API, and prints one batch's trail, that batch as it was mid-morning, a diff, the
//! transfer's changeset and the history rows per model. The day and the report are written once,
//! generic over the connection. Running it again adds another day to the same database.
//!
//! `serve` plays a day too, then serves the history API of all 22 models (`audit-axum`), the
//! history viewer at `/history/` (log in with a token; the admin may revert), and write
//! endpoints for batches, feeding events and transfers, printing a bearer token for an
//! operator, a veterinarian, an admin and an auditor.

use audit_axum::HistoryApi;
use audit_examples::aquamind::{self, serve, AquaConnection};
use chrono::Utc;
use clap::{Parser, Subcommand};
use diesel::prelude::*;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[derive(Parser)]
#[command(about = "A day at the fish farm, with its audit trail")]
struct Args {
    /// The SQLite file (DATABASE_URL=postgres://... or mysql://... for PostgreSQL or MySQL).
    #[arg(long, global = true)]
    database: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Play a day, then serve the history API, the history viewer and the write endpoints.
    Serve {
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1:8000")]
        addr: std::net::SocketAddr,
        /// The admin's bearer token (a random one unless given).
        #[arg(long)]
        admin_token: Option<String>,
    },
}

fn main() -> Result<(), Error> {
    let args = Args::parse();
    let database = std::env::var("DATABASE_URL")
        .ok()
        .filter(|url| aquamind::is_server_url(url))
        .or(args.database)
        .unwrap_or_else(|| format!("{}/target/aquamind.sqlite3", env!("CARGO_MANIFEST_DIR")));

    let mut conn = AquaConnection::open(&database)?;
    conn.migrate()?;
    let tag = aquamind::run_tag(
        aquamind::schema::batches::table
            .count()
            .get_result(&mut conn)?,
    );
    let shown = if conn.backend_name() == "SQLite" {
        format!(" ({database})")
    } else {
        String::new()
    };
    println!("AquaMind on {}{shown}, day {tag}\n", conn.backend_name());
    let day = aquamind::day::play(&mut conn, &tag, Utc::now().date_naive())?;
    let Some(Command::Serve { addr, admin_token }) = args.command else {
        return aquamind::report::print(&mut conn, &day, &mut std::io::stdout());
    };
    drop(conn);
    let mut staff = serve::Staff::new(day.operator, day.vet, day.admin, 9_000);
    if let Some(token) = admin_token {
        for member in &mut staff.members {
            if member.1 == audit_axum::Role::ADMIN {
                member.0 = token.clone();
            }
        }
    }
    let pool = serve::pool(&database, 16)?;
    let app = serve::app(HistoryApi::new(aquamind::registry(), pool, staff.tokens()));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        for (token, role, user) in &staff.members {
            println!("token of the {role:<12} (user {user}): {token}");
        }
        println!("history API: http://{addr}/api/v1/history/models/ (OpenAPI: http://{addr}/api/v1/history/openapi.json)");
        println!("history viewer: http://{addr}/history/ (log in with a token above)");
        println!("listening on http://{addr}");
        axum::serve(listener, app).await?;
        Ok::<_, Error>(())
    })
}
