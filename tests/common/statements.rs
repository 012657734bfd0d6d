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
