//! What a connection sends and prepares, from Diesel's instrumentation (which only observes).

use std::sync::{Arc, Mutex};

use diesel::connection::{Instrumentation, InstrumentationEvent};

/// Records the SQL of every statement a connection sends, and of every statement it prepares and
/// caches.
#[derive(Clone, Default)]
pub struct Statements {
    sent: Arc<Mutex<Vec<String>>>,
    cached: Arc<Mutex<Vec<String>>>,
}

impl Instrumentation for Statements {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartQuery { query, .. } => {
                self.sent.lock().unwrap().push(query.to_string())
            }
            InstrumentationEvent::CacheQuery { sql, .. } => {
                self.cached.lock().unwrap().push(sql.to_owned())
            }
            _ => {}
        }
    }
}

impl Statements {
    /// The statements sent since the last call.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.sent.lock().unwrap())
    }

    /// The statements prepared and cached so far.
    pub fn cached(&self) -> Vec<String> {
        self.cached.lock().unwrap().clone()
    }
}

/// A create, an update, a save and a delete of one tank through `conn`, and the statements each
/// sent, in that order.
pub fn of_each_write<C: audit_diesel::AuditConnection>(
    conn: &mut C,
) -> [(&'static str, Vec<String>); 4] {
    use super::models::{tanks, NewTank, Tank};
    use audit_diesel::{AuditContext, Historical};
    use diesel::ExpressionMethods;
    let statements = Statements::default();
    conn.set_instrumentation(statements.clone());
    let ctx = AuditContext::builder()
        .user(1)
        .reason("counted")
        .build()
        .unwrap();
    let mut tank = Tank::create(conn, &ctx, &NewTank::named("T1")).unwrap();
    let create = statements.take();
    Tank::update(conn, &ctx, tank.id, tanks::volume_m3.eq(2.0)).unwrap();
    let update = statements.take();
    tank.notes = Some("saved".into());
    tank.save(conn, &ctx).unwrap();
    let save = statements.take();
    Tank::delete(conn, &ctx, tank.id).unwrap();
    let delete = statements.take();
    [
        ("create", create),
        ("update", update),
        ("save", save),
        ("delete", delete),
    ]
}
