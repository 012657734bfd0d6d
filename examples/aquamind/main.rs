//! AquaMind: a day at the fish farm of the seed plan, with history on every in-scope model.
//!
//! ```sh
//! cargo run --example aquamind                          # SQLite, target/aquamind.sqlite3
//! cargo run --example aquamind -- --database farm.db    # SQLite, another file
//! DATABASE_URL=postgres://postgres@127.0.0.1/test cargo run --example aquamind --features postgres
//! ```
//!
//! It opens the database it is given as an `AquaConnection` (Diesel's `MultiConnection` over
//! SQLite and PostgreSQL), applies the migrations (the application's own and the generated
//! history migrations), plays a day by an operator, a veterinarian and an admin through the
//! audited API, and prints one batch's trail, that batch as it was mid-morning, a diff and the
//! history rows per model. The day and the report are written once, generic over the connection.
//! Running it again adds another day to the same database.

use audit_examples::aquamind::{self, AquaConnection};
use chrono::Utc;
use diesel::prelude::*;

type Error = Box<dyn std::error::Error + Send + Sync>;

fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let mut database = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--database" => database = Some(args.next().ok_or("--database needs a path")?),
            "-h" | "--help" => {
                println!("usage: aquamind [--database PATH]   (DATABASE_URL=postgres://... for PostgreSQL)");
                return Ok(());
            }
            other => return Err(format!("unknown argument `{other}`; try --help").into()),
        }
    }
    let database = std::env::var("DATABASE_URL")
        .ok()
        .filter(|url| url.starts_with("postgres"))
        .or(database)
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
    aquamind::report::print(&mut conn, &day, &mut std::io::stdout())
}
