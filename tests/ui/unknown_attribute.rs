use audit_diesel::Historical;

diesel::table! {
    batches (id) {
        id -> Integer,
        name -> Text,
    }
}

#[derive(Historical)]
#[diesel(table_name = batches)]
#[historical(user_id_typ = i32)]
pub struct Batch {
    pub id: i32,
    #[historical(skip)]
    pub name: String,
}

fn main() {}
