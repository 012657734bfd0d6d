use audit_diesel::Historical;

diesel::table! {
    batches (id) {
        id -> Integer,
        weight -> Text,
    }
}

pub struct Grams(pub String);

#[derive(Historical)]
#[diesel(table_name = batches)]
pub struct Batch {
    pub id: i32,
    pub weight: Grams,
}

fn main() {}
