//! The models the tests audit: a small fish farm.

use audit_diesel::Historical;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

diesel::table! {
    users (id) {
        id -> Integer,
        username -> Text,
    }
}

diesel::table! {
    tanks (id) {
        id -> Integer,
        name -> Text,
        volume_m3 -> Double,
        notes -> Nullable<Text>,
        commissioned_on -> Nullable<Date>,
        internal_code -> Nullable<Text>,
    }
}

diesel::table! {
    feedings (id) {
        id -> BigInt,
        tank_id -> Integer,
        amount_kg -> Double,
        fed_at -> Timestamp,
    }
}

diesel::table! {
    assignments (tank_id, batch_code) {
        tank_id -> Integer,
        batch_code -> Text,
        population -> Integer,
    }
}

diesel::table! {
    tank_tags (tank_id, tag) {
        tank_id -> Integer,
        tag -> Text,
    }
}

diesel::table! {
    sensors (id) {
        id -> Integer,
        serial -> Text,
        active -> Bool,
    }
}

diesel::table! {
    profiles (id) {
        id -> Integer,
        display_name -> Text,
    }
}

diesel::table! {
    moorings (id) {
        id -> Integer,
        name -> Text,
        depth_m -> Double,
    }
}

diesel::table! {
    nets (id) {
        id -> Integer,
        mesh_mm -> Integer,
        label -> Nullable<Text>,
        installed_at -> Nullable<Timestamp>,
    }
}

/// A user: not audited here; history only stores its id.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i32,
    pub username: String,
}

/// A tank: integer key, a nullable text and date, and one column kept out of history.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Historical)]
#[diesel(table_name = tanks)]
pub struct Tank {
    pub id: i32,
    pub name: String,
    pub volume_m3: f64,
    pub notes: Option<String>,
    pub commissioned_on: Option<NaiveDate>,
    #[historical(exclude)]
    pub internal_code: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = tanks, treat_none_as_default_value = false)]
pub struct NewTank {
    pub name: String,
    pub volume_m3: f64,
    pub notes: Option<String>,
    pub commissioned_on: Option<NaiveDate>,
    pub internal_code: Option<String>,
}

impl NewTank {
    pub fn named(name: &str) -> Self {
        NewTank {
            name: name.to_owned(),
            volume_m3: 40.0,
            notes: None,
            commissioned_on: None,
            internal_code: None,
        }
    }
}

/// A feeding: big-integer key, a foreign key to its tank (indexed in history), i32 user ids,
/// and two history-only fields (django-simple-history's `bases=`): the client's address and when
/// the feeding was approved, set from each write's context.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Associations, Historical)]
#[diesel(table_name = feedings, belongs_to(Tank))]
#[historical(
    user_id_type = i32,
    history_field(ip_address: Option<String>),
    history_field(approved_at: Option<chrono::DateTime<chrono::Utc>>)
)]
pub struct Feeding {
    pub id: i64,
    pub tank_id: i32,
    pub amount_kg: f64,
    pub fed_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = feedings)]
pub struct NewFeeding {
    pub tank_id: i32,
    pub amount_kg: f64,
    pub fed_at: NaiveDateTime,
}

/// A batch in a tank: a composite key.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Historical)]
#[diesel(table_name = assignments, primary_key(tank_id, batch_code))]
pub struct Assignment {
    pub tank_id: i32,
    pub batch_code: String,
    pub population: i32,
}

/// A tag on a tank: every column is part of the key; its history table is not append-only.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Historical)]
#[diesel(table_name = tank_tags, primary_key(tank_id, tag))]
#[historical(append_only = false, chain = false)]
pub struct TankTag {
    pub tank_id: i32,
    pub tag: String,
}

/// A sensor: UUID history ids and UUID user ids, a custom history table and record name.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Historical)]
#[diesel(table_name = sensors)]
#[historical(
    table_name = sensor_audit,
    record = SensorVersion,
    history_id_type = uuid,
    user_id_type = uuid
)]
pub struct Sensor {
    pub id: i32,
    pub serial: String,
    pub active: bool,
}

/// A profile: text user ids (usernames, external subjects), the context's JSON metadata, and a
/// row for every save, changed or not (django-simple-history's behaviour).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Historical)]
#[diesel(table_name = profiles)]
#[historical(user_id_type = text, metadata, record_unchanged)]
pub struct Profile {
    pub id: i32,
    pub display_name: String,
}

/// A mooring: its table refuses writes that do not come through the library.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Historical)]
#[diesel(table_name = moorings)]
#[historical(guard = refuse)]
pub struct Mooring {
    pub id: i32,
    pub name: String,
    pub depth_m: f64,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = moorings)]
pub struct NewMooring {
    pub name: String,
    pub depth_m: f64,
}

/// A net: its table records writes that do not come through the library as unattributed
/// history; `installed_at` is not tracked.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Historical)]
#[diesel(table_name = nets)]
#[historical(guard = record)]
pub struct Net {
    pub id: i32,
    pub mesh_mm: i32,
    pub label: Option<String>,
    #[historical(exclude)]
    pub installed_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = nets)]
pub struct NewNet {
    pub mesh_mm: i32,
    pub label: Option<String>,
}
