//! The benchmark's table and model, one for every backend: its date-times are
//! `PortableTimestamptz` (`timestamptz` on PostgreSQL, Diesel's `TimestamptzSqlite` text on
//! SQLite), so the same `table!` and struct serve both.

use audit_diesel::dsl::Bind;
use audit_diesel::sql_types::PortableTimestamptz;
use audit_diesel::Historical;
use chrono::{DateTime, Utc};
use diesel::prelude::*;

diesel::table! {
    use audit_diesel::sql_types::PortableTimestamptz;
    use diesel::sql_types::*;

    bench_fish (id) {
        id -> BigInt,
        name -> Text,
        species -> Text,
        population -> Integer,
        avg_weight_g -> Double,
        status -> Text,
        notes -> Nullable<Text>,
        created_at -> PortableTimestamptz,
        updated_at -> PortableTimestamptz,
    }
}

/// A batch of fish, audited.
#[derive(Debug, Clone, Queryable, Selectable, Historical)]
#[diesel(table_name = bench_fish)]
#[historical(user_id_type = i32)]
pub struct Fish {
    pub id: i64,
    pub name: String,
    pub species: String,
    pub population: i32,
    pub avg_weight_g: f64,
    pub status: String,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new row, as the application would insert it. Its date-times are bound as the portable type
/// ([`Stamp`]): Rust cannot convert `DateTime<Utc>` to a SQL type of another crate by itself.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = bench_fish, table_name = bench_guarded_fish, table_name = bench_recorded_fish)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewFish {
    pub name: String,
    pub species: String,
    pub population: i32,
    pub avg_weight_g: f64,
    pub status: String,
    pub notes: Option<String>,
    pub created_at: Stamp,
    pub updated_at: Stamp,
}

/// A date-time bound as the portable column type.
pub type Stamp = Bind<PortableTimestamptz, DateTime<Utc>>;

/// Row `i` of a run.
pub fn new_fish(i: usize) -> NewFish {
    let now = Utc::now();
    NewFish {
        name: format!("fish-{i}"),
        species: "Atlantic salmon".to_owned(),
        population: 1000 + (i % 500) as i32,
        avg_weight_g: 250.0 + (i % 100) as f64,
        status: "active".to_owned(),
        notes: i
            .is_multiple_of(3)
            .then(|| "stocked from hatchery".to_owned()),
        created_at: Bind::new(now),
        updated_at: Bind::new(now),
    }
}

diesel::table! {
    use audit_diesel::sql_types::PortableTimestamptz;
    use diesel::sql_types::*;

    bench_guarded_fish (id) {
        id -> BigInt,
        name -> Text,
        species -> Text,
        population -> Integer,
        avg_weight_g -> Double,
        status -> Text,
        notes -> Nullable<Text>,
        created_at -> PortableTimestamptz,
        updated_at -> PortableTimestamptz,
    }
}

diesel::table! {
    use audit_diesel::sql_types::PortableTimestamptz;
    use diesel::sql_types::*;

    bench_recorded_fish (id) {
        id -> BigInt,
        name -> Text,
        species -> Text,
        population -> Integer,
        avg_weight_g -> Double,
        status -> Text,
        notes -> Nullable<Text>,
        created_at -> PortableTimestamptz,
        updated_at -> PortableTimestamptz,
    }
}

/// [`Fish`] in a table whose source guard refuses writes that bypass the library: what the
/// guard costs the library's own writes.
#[derive(Debug, Clone, Queryable, Selectable, Historical)]
#[diesel(table_name = bench_guarded_fish)]
#[historical(user_id_type = i32, guard = refuse)]
pub struct GuardedFish {
    pub id: i64,
    pub name: String,
    pub species: String,
    pub population: i32,
    pub avg_weight_g: f64,
    pub status: String,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// [`Fish`] in a table whose source guard records writes that bypass the library: what a plain
/// SQL write costs when the database writes its history row.
#[derive(Debug, Clone, Queryable, Selectable, Historical)]
#[diesel(table_name = bench_recorded_fish)]
#[historical(user_id_type = i32, guard = record)]
pub struct RecordedFish {
    pub id: i64,
    pub name: String,
    pub species: String,
    pub population: i32,
    pub avg_weight_g: f64,
    pub status: String,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
