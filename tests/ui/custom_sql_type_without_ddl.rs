use audit_diesel::Historical;

#[derive(diesel::sql_types::SqlType)]
#[diesel(postgres_type(name = "mood"))]
pub struct Mood;

diesel::table! {
    use diesel::sql_types::*;
    use super::Mood;
    people (id) {
        id -> Integer,
        mood -> Mood,
    }
}

#[derive(Historical)]
#[diesel(table_name = people)]
pub struct Person {
    pub id: i32,
    #[historical(sql_type = Mood)]
    pub mood: String,
}

fn main() {}
