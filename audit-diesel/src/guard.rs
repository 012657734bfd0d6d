//! The source-table guard at run time (`#[historical(guard = refuse | record)]`).
//!
//! A guarded model's table has triggers (generated with its history table, see
//! [`HistoryTableSpec::source_guard_sql`](crate::HistoryTableSpec::source_guard_sql)) that catch
//! every `INSERT`, `UPDATE` and `DELETE` (and `TRUNCATE` on PostgreSQL) that did not come through
//! this library: a plain `diesel::update`, a SQL console, another program. With
//! [`SourceGuard::Refuse`](crate::SourceGuard::Refuse) the database refuses the statement; with
//! [`SourceGuard::Record`](crate::SourceGuard::Record) it writes the history rows itself, with no
//! user and the reason `unattributed: UPDATE outside audit-diesel` (or `INSERT`, `DELETE`,
//! `TRUNCATE`).
//!
//! How the library's own writes pass:
//!
//! - **PostgreSQL**: the audited statement (still one statement) evaluates
//!   `set_config('audit.write', CAST(statement_timestamp() AS text), true)` once; the guard's row triggers fire
//!   at the end of the statement and pass when that setting equals the statement's start time.
//!   A later statement of the same transaction has another start time, so the mark never covers
//!   a plain write that follows an audited one.
//! - **SQLite**: the triggers call `audit_guard_open()`, which the library registers on each
//!   connection it writes with and which is true only while the library runs its own change
//!   statement on the calling thread. A connection that never made an audited call lacks the
//!   function, and SQLite refuses its writes to a guarded table with `no such function:
//!   audit_guard_open`; call [`prepare_sqlite`] on connections that write such tables with
//!   plain SQL (in `record` mode, so that their writes are recorded rather than refused).
//!
//! The guard keeps honest code honest: someone who can run SQL can also set the mark or drop the
//! triggers. [`verify`](crate::chain::verify_history) and [`drift`](crate::drift) are what find
//! deliberate tampering.
//!
//! ```
//! # use audit_diesel::SourceGuard;
//! assert_eq!(SourceGuard::reason("UPDATE"), "unattributed: UPDATE outside audit-diesel");
//! ```

#[cfg(feature = "sqlite")]
use std::cell::Cell;

#[cfg(feature = "sqlite")]
thread_local! {
    /// How many of the library's change statements run on this thread right now.
    static OPEN: Cell<u32> = const { Cell::new(0) };
}

/// Closes the guard again when the change statement is done, even if it panicked.
#[cfg(feature = "sqlite")]
struct Opened;

#[cfg(feature = "sqlite")]
impl Drop for Opened {
    fn drop(&mut self) {
        OPEN.with(|open| open.set(open.get().saturating_sub(1)));
    }
}

/// Runs `change`, one of the library's own change statements, with the guard open on this
/// thread (SQLite's guard asks through `audit_guard_open()`).
#[cfg(feature = "sqlite")]
pub(crate) fn open_while<T>(change: impl FnOnce() -> T) -> T {
    OPEN.with(|open| open.set(open.get().saturating_add(1)));
    let _close = Opened;
    change()
}

/// Whether the library runs one of its change statements on this thread.
#[cfg(feature = "sqlite")]
fn is_open() -> bool {
    OPEN.with(|open| open.get() > 0)
}

#[cfg(feature = "sqlite")]
#[diesel::expression::functions::declare_sql_function]
extern "SQL" {
    /// True while audit-diesel runs its own change: what SQLite's guard triggers ask.
    fn audit_guard_open() -> Bool;
}

/// Registers `audit_guard_open()` on a SQLite connection, and the chain's `audit_chain_link()`
/// with it, so that plain writes from this connection to a guarded table are refused with the
/// guard's own message (`refuse`) or recorded as unattributed history (`record`), instead of
/// failing for want of the function.
///
/// The library calls it itself on every connection it writes with; call it on a connection
/// that writes guarded tables before its first audited call, e.g. in a pool's connection
/// customizer.
///
/// ```
/// use diesel::{Connection, SqliteConnection};
/// let mut conn = SqliteConnection::establish(":memory:").unwrap();
/// audit_diesel::guard::prepare_sqlite(&mut conn).unwrap();
/// ```
///
/// # Errors
/// [`AuditError::Database`](crate::AuditError) when SQLite refuses the registration.
#[cfg(feature = "sqlite")]
pub fn prepare_sqlite(conn: &mut diesel::SqliteConnection) -> Result<(), crate::AuditError> {
    register(conn).map_err(crate::AuditError::from)
}

/// Registers the guard's function and the chain's on `conn` unless it has them: probed with a
/// prepared statement the connection caches, so it costs one step when they are there.
#[cfg(feature = "sqlite")]
pub(crate) fn register(conn: &mut diesel::SqliteConnection) -> diesel::QueryResult<()> {
    use diesel::RunQueryDsl;
    debug_assert_eq!(
        crate::schema::ddl::SQLITE_GUARD_FUNCTION,
        "audit_guard_open"
    );
    match diesel::select(audit_guard_open()).get_result::<bool>(conn) {
        Ok(_) => Ok(()),
        Err(diesel::result::Error::DatabaseError(_, info))
            if info.message().contains("no such function") =>
        {
            audit_guard_open_utils::register_nondeterministic_impl(conn, is_open)?;
            crate::chain::register_link(conn)
        }
        Err(other) => Err(other),
    }
}

/// Makes `conn` ready for a write of a table with `spec`: SQLite's chain and guard triggers call
/// functions of the connection's. Nothing for a table with neither. A failure is not reported
/// here: the write that needs the function fails and says so.
#[cfg(feature = "sqlite")]
pub(crate) fn prepare_for(spec: &crate::HistoryTableSpec, conn: &mut diesel::SqliteConnection) {
    if spec.chained() || spec.guard.is_on() {
        let _ = register(conn);
    }
}
