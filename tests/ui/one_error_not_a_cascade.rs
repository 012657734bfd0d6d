// A complete Diesel model with one field of the wrong type: one error, not one per statement the
// mismatch breaks.
use audit_diesel::Historical;
use diesel::prelude::*;

diesel::table! {
    tanks (id) {
        id -> Integer,
        name -> Text,
        volume_m3 -> Double,
        population -> BigInt,
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Historical)]
#[diesel(table_name = tanks)]
pub struct Tank {
    pub id: i32,
    pub name: String,
    pub volume_m3: f64,
    pub population: i32,
}

fn main() {}
