//! AquaMind: a day at the fish farm of the seed plan, with history on every in-scope model.
//!
//! ```sh
//! cargo run --example aquamind                          # SQLite, target/aquamind.sqlite3
//! cargo run --example aquamind -- --database farm.db    # SQLite, another file
//! DATABASE_URL=postgres://postgres@127.0.0.1/test cargo run --example aquamind --features postgres
//! ```
//!
//! It applies the migrations (the application's own and the generated history migrations), plays
//! a day by an operator, a veterinarian and an admin through the audited API, and prints one
//! batch's trail, that batch as it was mid-morning, a diff and the history rows per model.
//! Running it again adds another day to the same database.

use audit_examples::aquamind;
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
    let today = Utc::now().date_naive();
    let mut out = std::io::stdout();

    if let Ok(url) = std::env::var("DATABASE_URL") {
        if url.starts_with("postgres") {
            return postgres(&url, today, &mut out);
        }
    }
    let path = database
        .unwrap_or_else(|| format!("{}/target/aquamind.sqlite3", env!("CARGO_MANIFEST_DIR")));
    let mut conn = aquamind::open_sqlite(path.as_ref())?;
    aquamind::sqlite::migrate(&mut conn)?;
    let tag = aquamind::run_tag(
        aquamind::schema::batches::table
            .count()
            .get_result(&mut conn)?,
    );
    println!("AquaMind on SQLite ({path}), day {tag}\n");
    let day = aquamind::sqlite::play(&mut conn, &tag, today)?;
    aquamind::sqlite::print(&mut conn, &day, &mut out)
}

#[cfg(feature = "postgres")]
fn postgres(
    url: &str,
    today: chrono::NaiveDate,
    out: &mut dyn std::io::Write,
) -> Result<(), Error> {
    let mut conn = aquamind::open_postgres(url)?;
    aquamind::postgres::migrate(&mut conn)?;
    let tag = aquamind::run_tag(
        aquamind::schema::batches::table
            .count()
            .get_result(&mut conn)?,
    );
    println!("AquaMind on PostgreSQL, day {tag}\n");
    let day = aquamind::postgres::play(&mut conn, &tag, today)?;
    aquamind::postgres::print(&mut conn, &day, out)
}

#[cfg(not(feature = "postgres"))]
fn postgres(_: &str, _: chrono::NaiveDate, _: &mut dyn std::io::Write) -> Result<(), Error> {
    Err("DATABASE_URL names PostgreSQL: run with `--features postgres`".into())
}
