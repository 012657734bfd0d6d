// A model with one wrong attribute, used the way an application uses it: the derive's error is
// the only error; the calls, the record type and generic code still type-check against the
// derive's stand-in instead of failing once more at every use.
use audit_diesel::{AuditConnection, AuditContext, AuditError, Historical};
use diesel::prelude::*;

diesel::table! {
    tanks (id) {
        id -> Integer,
        name -> Text,
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Historical)]
#[diesel(table_name = tanks)]
#[historical(user_id_type = u8)]
pub struct Tank {
    pub id: i32,
    pub name: String,
}

fn trail<C: AuditConnection>(conn: &mut C) -> Result<Vec<HistoricalTank>, AuditError> {
    Tank::history_query().load(conn).map(|page| page.items)
}

fn rename<C: AuditConnection>(conn: &mut C, tank: &Tank) -> Result<Tank, AuditError> {
    tank.save(conn, &AuditContext::anonymous())
}

fn main() {
    let _ = (trail::<SqliteConnection>, rename::<SqliteConnection>);
}
