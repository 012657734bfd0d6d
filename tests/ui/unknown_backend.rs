use audit_diesel::Historical;

diesel::table! {
    tanks (id) {
        id -> Integer,
        name -> Text,
    }
}

pub struct Oracle;

#[derive(Historical)]
#[diesel(table_name = tanks, check_for_backend(diesel::sqlite::Sqlite, Oracle))]
pub struct Tank {
    pub id: i32,
    pub name: String,
}

fn main() {}
