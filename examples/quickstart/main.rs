//! The quickstart: one audited model, three writes by two people, and its trail.
//!
//! ```sh
//! cargo run --example quickstart
//! ```
//!
//! Runs on an in-memory SQLite database, so it needs no setup. Its tables come from
//! `examples/quickstart/migrations`: the application's own `batches`, and `historical_batches`,
//! generated from the model below by the package's build.rs.

use audit_diesel::prelude::*;
use diesel::prelude::*;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("examples/quickstart/migrations");

diesel::table! {
    batches (id) {
        id -> Integer,
        name -> Text,
        species -> Text,
        population -> Integer,
        status -> Text,
    }
}

/// A batch of fish, audited.
#[derive(Debug, Clone, Queryable, Selectable, Historical)]
#[diesel(table_name = batches)]
#[historical(user_id_type = i32)]
pub struct Batch {
    pub id: i32,
    pub name: String,
    pub species: String,
    pub population: i32,
    pub status: String,
}

#[derive(Insertable)]
#[diesel(table_name = batches)]
pub struct NewBatch<'a> {
    pub name: &'a str,
    pub species: &'a str,
    pub population: i32,
    pub status: &'a str,
}

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut conn = SqliteConnection::establish(":memory:")?;
    conn.run_pending_migrations(MIGRATIONS)?;

    let operator = AuditContext::builder()
        .user(1)
        .reason("stocking from hatchery")
        .build()?;
    let vet = AuditContext::builder()
        .user(2)
        .reason("mortality after gill check")
        .build()?;

    let new = NewBatch {
        name: "B-2026-07",
        species: "Atlantic salmon",
        population: 50_000,
        status: "active",
    };
    let batch = Batch::create(&mut conn, &operator, &new)?;
    let mut batch = Batch::update(&mut conn, &vet, batch.id, batches::population.eq(49_820))?;
    batch.status = "harvested".into();
    batch.save(&mut conn, &operator.with_reason("harvest complete")?)?;
    Batch::delete(&mut conn, &operator.with_reason("archived")?, batch.id)?;

    // Newest first, as django-simple-history lists it; printed oldest first.
    let trail = Batch::history(&batch.id).trail(&mut conn)?;

    println!("History of batch {} ({}):", batch.id, batch.name);
    println!(
        "{:<27} {:<4} {:<5} {:>10}  {:<10} reason",
        "date (UTC)", "type", "user", "population", "status"
    );
    for row in trail.iter().rev() {
        println!(
            "{:<27} {:<4} {:<5} {:>10}  {:<10} {}",
            row.history_date.format("%Y-%m-%d %H:%M:%S%.6f"),
            row.history_type,
            row.history_user_id
                .map_or("-".to_owned(), |u| u.to_string()),
            row.population,
            row.status,
            row.history_change_reason.as_deref().unwrap_or("-"),
        );
    }
    Ok(())
}
