use audit_diesel::Historical;

diesel::table! {
    batches (id) {
        id -> Integer,
        name -> Text,
    }
}

#[derive(Historical)]
#[diesel(table_name = batches)]
#[historical(guard = deny)]
pub struct Batch {
    pub id: i32,
    pub name: String,
}

fn main() {}
