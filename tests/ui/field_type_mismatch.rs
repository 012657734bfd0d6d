use audit_diesel::Historical;

diesel::table! {
    batches (id) {
        id -> Integer,
        name -> Text,
        population -> BigInt,
    }
}

#[derive(Historical)]
#[diesel(table_name = batches)]
pub struct Batch {
    pub id: i32,
    pub name: String,
    pub population: i32,
}

fn main() {}
