//! AquaMind: the fish farm of the seed plan, with history on every in-scope model.
//!
//! - [`schema`]: the tables; [`auth`] stands for another crate that owns `users`.
//! - [`infrastructure`], [`batch`], [`inventory`], [`health`], [`users`]: the audited models.
//! - [`day`]: a day at the farm played through the audited API; [`report`]: what it left. Both
//!   are functions generic over the connection, run on SQLite, PostgreSQL or [`AquaConnection`].
//! - [`environment`]: the sensor tables, outside the audit trail.
//!
//! The example `aquamind` runs it; `tests/aquamind.rs` checks its coverage on every backend.

pub mod auth;
pub mod batch;
pub mod day;
pub mod environment;
pub mod health;
pub mod infrastructure;
pub mod inventory;
pub mod report;
pub mod schema;
pub mod serve;
pub mod users;

use audit_diesel::{AuditConnection, BackendConnection, Registry};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// The application's migration and the generated history migrations, for SQLite.
pub const SQLITE_MIGRATIONS: EmbeddedMigrations =
    embed_migrations!("examples/aquamind/migrations/sqlite");
/// The same for PostgreSQL.
#[cfg(feature = "postgres")]
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations =
    embed_migrations!("examples/aquamind/migrations/postgres");
/// The same for MySQL and MariaDB.
#[cfg(feature = "mysql")]
pub const MYSQL_MIGRATIONS: EmbeddedMigrations =
    embed_migrations!("examples/aquamind/migrations/mysql");

/// Every audited model of the farm, once: what reads across models (changesets), the HTTP API
/// and the operator CLI work on. Users and their profiles hold personal data.
pub fn registry<C: AuditConnection>() -> Registry<C> {
    use crate::aquamind::batch::*;
    use crate::aquamind::health::*;
    use crate::aquamind::infrastructure::*;
    use crate::aquamind::inventory::*;
    use crate::aquamind::users::*;
    Registry::new()
        .model::<Geography>()
        .model::<Area>()
        .model::<FreshwaterStation>()
        .model::<Hall>()
        .model::<ContainerType>()
        .model::<Container>()
        .model::<Sensor>()
        .model::<FeedContainer>()
        .model::<Batch>()
        .model::<BatchContainerAssignment>()
        .model::<BatchTransfer>()
        .model::<GrowthSample>()
        .model::<MortalityEvent>()
        .model::<FeedStock>()
        .model::<FeedingEvent>()
        .model::<JournalEntry>()
        .model::<HealthLabSample>()
        .model::<MortalityRecord>()
        .model::<LiceCount>()
        .model::<Treatment>()
        .personal_model::<AuditedUser>()
        .personal_model::<UserProfile>()
}

/// The example's connection: SQLite, PostgreSQL or MySQL/MariaDB, picked at run time from the
/// database it is given. Diesel's `MultiConnection` runs the plain Diesel queries on either; the audited calls
/// go to the connection of the current variant ([`AuditConnection`]).
#[derive(diesel::MultiConnection)]
pub enum AquaConnection {
    /// PostgreSQL.
    #[cfg(feature = "postgres")]
    Postgresql(diesel::PgConnection),
    /// MySQL or MariaDB.
    #[cfg(feature = "mysql")]
    Mysql(diesel::MysqlConnection),
    /// SQLite.
    Sqlite(diesel::SqliteConnection),
}

impl AuditConnection for AquaConnection {
    fn backend_connection(&mut self) -> BackendConnection<'_> {
        match self {
            #[cfg(feature = "postgres")]
            AquaConnection::Postgresql(conn) => conn.backend_connection(),
            #[cfg(feature = "mysql")]
            AquaConnection::Mysql(conn) => conn.backend_connection(),
            AquaConnection::Sqlite(conn) => conn.backend_connection(),
        }
    }
}

impl AquaConnection {
    /// Opens `database`: a `postgres://` or `mysql://` URL, or the path of a SQLite file (created
    /// with its directories when missing).
    ///
    /// # Errors
    /// [`OpenError`] naming the database and the reason.
    pub fn open(database: &str) -> Result<Self, OpenError> {
        if is_postgres_url(database) {
            #[cfg(feature = "postgres")]
            return open_server(database).map(AquaConnection::Postgresql);
            #[cfg(not(feature = "postgres"))]
            return Err(OpenError {
                database: database.to_owned(),
                reason: "this build has no PostgreSQL: run with `--features postgres`".to_owned(),
            });
        }
        if database.starts_with(MYSQL_SCHEME) {
            #[cfg(feature = "mysql")]
            return open_server(database).map(AquaConnection::Mysql);
            #[cfg(not(feature = "mysql"))]
            return Err(OpenError {
                database: database.to_owned(),
                reason: "this build has no MySQL: run with `--features mysql`".to_owned(),
            });
        }
        open_sqlite(database.as_ref()).map(AquaConnection::Sqlite)
    }

    /// The backend's name, for people.
    pub fn backend_name(&self) -> &'static str {
        match self {
            #[cfg(feature = "postgres")]
            AquaConnection::Postgresql(_) => "PostgreSQL",
            #[cfg(feature = "mysql")]
            AquaConnection::Mysql(_) => "MySQL",
            AquaConnection::Sqlite(_) => "SQLite",
        }
    }

    /// Applies the pending migrations of its backend.
    ///
    /// # Errors
    /// A migration that fails.
    pub fn migrate(&mut self) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        match self {
            #[cfg(feature = "postgres")]
            AquaConnection::Postgresql(conn) => migrate_postgres(conn),
            #[cfg(feature = "mysql")]
            AquaConnection::Mysql(conn) => migrate_mysql(conn),
            AquaConnection::Sqlite(conn) => migrate_sqlite(conn),
        }
    }
}

/// Applies the pending migrations on SQLite.
///
/// # Errors
/// A migration that fails.
pub fn migrate_sqlite(
    conn: &mut diesel::SqliteConnection,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    use diesel::connection::SimpleConnection;
    conn.batch_execute("PRAGMA foreign_keys = ON")?;
    conn.run_pending_migrations(SQLITE_MIGRATIONS)?;
    Ok(())
}

/// Applies the pending migrations on PostgreSQL.
///
/// # Errors
/// A migration that fails.
#[cfg(feature = "postgres")]
pub fn migrate_postgres(
    conn: &mut diesel::PgConnection,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    conn.run_pending_migrations(POSTGRES_MIGRATIONS)?;
    Ok(())
}

/// Applies the pending migrations on MySQL or MariaDB.
///
/// # Errors
/// A migration that fails.
#[cfg(feature = "mysql")]
pub fn migrate_mysql(
    conn: &mut diesel::MysqlConnection,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    conn.run_pending_migrations(MYSQL_MIGRATIONS)?;
    Ok(())
}

/// A database the example could not open: which one, and why.
#[derive(Debug)]
pub struct OpenError {
    /// The SQLite file, or the PostgreSQL or MySQL URL.
    pub database: String,
    /// What went wrong.
    pub reason: String,
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cannot open the database {}: {}",
            self.database, self.reason
        )
    }
}

impl std::error::Error for OpenError {}

/// Opens the SQLite database at `path`, creating the file and the directories above it if they
/// do not exist yet (`target/` is not there when `CARGO_TARGET_DIR` points elsewhere).
///
/// # Errors
/// [`OpenError`] naming the path and the reason.
pub fn open_sqlite(path: &std::path::Path) -> Result<diesel::SqliteConnection, OpenError> {
    use diesel::Connection;
    let failed = |reason: String| OpenError {
        database: path.display().to_string(),
        reason,
    };
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            failed(format!(
                "cannot create the directory {}: {e}",
                dir.display()
            ))
        })?;
    }
    let url = path
        .to_str()
        .ok_or_else(|| failed("the path is not UTF-8".to_owned()))?;
    diesel::SqliteConnection::establish(url).map_err(|e| failed(e.to_string()))
}

/// Connects to the database server at `url`: PostgreSQL or MySQL/MariaDB, as `C` is.
///
/// # Errors
/// [`OpenError`] naming the URL (without its password) and the reason.
#[cfg(any(feature = "postgres", feature = "mysql"))]
pub fn open_server<C: diesel::Connection>(url: &str) -> Result<C, OpenError> {
    C::establish(url).map_err(|e| OpenError {
        database: without_password(url),
        reason: e.to_string(),
    })
}

/// Whether `database` names a server (a `postgres://`, `postgresql://` or `mysql://` URL) that
/// [`AquaConnection::open`] connects to, rather than a SQLite file.
pub fn is_server_url(database: &str) -> bool {
    is_postgres_url(database) || database.starts_with(MYSQL_SCHEME)
}

/// How a PostgreSQL URL starts.
const POSTGRES_SCHEMES: [&str; 2] = ["postgres://", "postgresql://"];
/// How a MySQL/MariaDB URL starts.
const MYSQL_SCHEME: &str = "mysql://";

fn is_postgres_url(database: &str) -> bool {
    POSTGRES_SCHEMES
        .iter()
        .any(|scheme| database.starts_with(scheme))
}

/// `url` with the password of its user info, if any, replaced by `***`: an error message may
/// end up in a log.
#[cfg(any(feature = "postgres", feature = "mysql"))]
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((user_info, host)) if user_info.contains(':') => {
            let user = user_info.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_owned(),
    }
}

/// A tag for this run: one more than the batches already stocked, so that running the example
/// again on the same database adds a new day rather than failing on unique names.
pub fn run_tag(batches_so_far: i64) -> String {
    format!("R{}", batches_so_far + 1)
}
