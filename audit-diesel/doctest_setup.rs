// Shared by the doc examples (SQLite, in memory): a `tanks` table with history.
use audit_diesel::prelude::*;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

diesel::table! {
    tanks (id) {
        id -> Integer,
        name -> Text,
        volume_m3 -> Double,
    }
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Historical)]
#[diesel(table_name = tanks)]
pub struct Tank {
    pub id: i32,
    pub name: String,
    pub volume_m3: f64,
}

#[derive(Insertable)]
#[diesel(table_name = tanks)]
pub struct NewTank {
    pub name: String,
    pub volume_m3: f64,
}

#[allow(dead_code)]
fn setup() -> SqliteConnection {
    let mut conn = SqliteConnection::establish(":memory:").unwrap();
    conn.batch_execute(
        "CREATE TABLE tanks (id INTEGER PRIMARY KEY, name TEXT NOT NULL, volume_m3 DOUBLE NOT NULL)",
    )
    .unwrap();
    for statement in Tank::HISTORY.create_table_sql(audit_diesel::schema::Dialect::Sqlite) {
        conn.batch_execute(&statement).unwrap();
    }
    conn
}
