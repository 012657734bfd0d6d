//! One fresh database per test.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// The application's migrations and the history migrations generated from the models by the root
/// package's build.rs, per backend.
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("tests/migrations/sqlite");
#[cfg(feature = "postgres")]
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("tests/migrations/postgres");
#[cfg(feature = "mysql")]
pub const MYSQL_MIGRATIONS: EmbeddedMigrations = embed_migrations!("tests/migrations/mysql");

/// The PostgreSQL server the suite runs against.
pub fn postgres_url() -> String {
    std::env::var("AUDIT_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A test's own database: SQLite in memory, a PostgreSQL schema or a MySQL database, dropped
/// at the end.
pub struct TestDb<C> {
    pub conn: C,
    /// Drops the test's PostgreSQL schema at the end.
    pub guard: SchemaGuard,
}

/// The PostgreSQL schema or the MySQL database of a test, dropped with the guard.
pub struct SchemaGuard {
    pub schema: Option<String>,
    /// The test's MySQL database.
    pub mysql_database: Option<String>,
}

/// Runs the tests' SQLite migrations on `conn` (a database of a test's own).
pub fn migrate_sqlite(conn: &mut SqliteConnection) {
    conn.run_pending_migrations(SQLITE_MIGRATIONS).unwrap();
}

impl TestDb<SqliteConnection> {
    pub fn sqlite() -> Self {
        let mut conn = SqliteConnection::establish(":memory:").expect("in-memory SQLite opens");
        conn.batch_execute("PRAGMA foreign_keys = ON").unwrap();
        conn.run_pending_migrations(SQLITE_MIGRATIONS).unwrap();
        TestDb {
            conn,
            guard: SchemaGuard {
                schema: None,
                mysql_database: None,
            },
        }
    }
}

#[cfg(feature = "postgres")]
impl TestDb<PgConnection> {
    /// A fresh schema on the PostgreSQL service. Panics when the server cannot be reached: a
    /// selected backend suite never passes by skipping.
    pub fn postgres() -> Self {
        let mut db = Self::empty_postgres();
        db.conn.run_pending_migrations(POSTGRES_MIGRATIONS).unwrap();
        db
    }

    /// A fresh schema without the tests' tables, for a test that brings its own migrations.
    pub fn empty_postgres() -> Self {
        let schema = format!("test_{}", uuid::Uuid::new_v4().simple());
        TestDb {
            conn: Self::connect_to(&schema, true),
            guard: SchemaGuard {
                schema: Some(schema),
                mysql_database: None,
            },
        }
    }

    /// Another connection to this test's schema (for concurrency tests).
    pub fn connect(&self) -> PgConnection {
        Self::connect_to(
            self.guard.schema.as_deref().expect("a PostgreSQL test db"),
            false,
        )
    }

    /// A connection to the test schema `schema`.
    pub fn connect_to_schema(schema: &str) -> PgConnection {
        Self::connect_to(schema, false)
    }

    fn connect_to(schema: &str, create: bool) -> PgConnection {
        let url = postgres_url();
        let mut conn = PgConnection::establish(&url)
            .unwrap_or_else(|e| panic!("the PostgreSQL suite needs a server at {url}: {e}"));
        if create {
            conn.batch_execute(&format!("CREATE SCHEMA {schema}"))
                .unwrap();
        }
        conn.batch_execute(&format!("SET search_path TO {schema}"))
            .unwrap();
        conn
    }
}

impl Drop for SchemaGuard {
    fn drop(&mut self) {
        #[cfg(feature = "postgres")]
        if let Some(schema) = &self.schema {
            if let Ok(mut conn) = PgConnection::establish(&postgres_url()) {
                let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
        #[cfg(feature = "mysql")]
        if let Some(name) = &self.mysql_database {
            drop_mysql_database(name);
        }
    }
}

/// Makes the database refuse history rows whose reason is `reason`, to force a failure of the
/// history insert after the data statement succeeded.
pub trait RefuseHistory {
    fn refuse_history_with_reason(&mut self, table: &str, reason: &str);
}

impl RefuseHistory for SqliteConnection {
    fn refuse_history_with_reason(&mut self, table: &str, reason: &str) {
        self.batch_execute(&format!(
            "CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table}
             WHEN NEW.history_change_reason = '{reason}'
             BEGIN SELECT RAISE(ABORT, 'history row refused by test trigger'); END;"
        ))
        .unwrap();
    }
}

#[cfg(feature = "postgres")]
impl RefuseHistory for PgConnection {
    fn refuse_history_with_reason(&mut self, table: &str, reason: &str) {
        self.batch_execute(&format!(
            "CREATE FUNCTION refuse_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN RAISE EXCEPTION 'history row refused by test trigger'; END $$;
             CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} FOR EACH ROW
             WHEN (NEW.history_change_reason = '{reason}') EXECUTE FUNCTION refuse_{table}();"
        ))
        .unwrap();
    }
}

#[cfg(feature = "mysql")]
impl RefuseHistory for MysqlConnection {
    fn refuse_history_with_reason(&mut self, table: &str, reason: &str) {
        self.batch_execute(&format!(
            "CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} FOR EACH ROW
             BEGIN IF NEW.history_change_reason = '{reason}' THEN
             SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'history row refused by test trigger';
             END IF; END"
        ))
        .unwrap();
    }
}

#[derive(QueryableByName)]
struct IndexName {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

/// The names of a table's indexes, sorted.
pub trait Indexes {
    fn index_names(&mut self, table: &str) -> Vec<String>;
}

impl Indexes for SqliteConnection {
    fn index_names(&mut self, table: &str) -> Vec<String> {
        let mut names: Vec<String> = diesel::sql_query(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? \
             AND name NOT LIKE 'sqlite_autoindex%'",
        )
        .bind::<diesel::sql_types::Text, _>(table)
        .load::<IndexName>(self)
        .unwrap()
        .into_iter()
        .map(|i| i.name)
        .collect();
        names.sort();
        names
    }
}

#[cfg(feature = "postgres")]
impl Indexes for PgConnection {
    fn index_names(&mut self, table: &str) -> Vec<String> {
        let mut names: Vec<String> = diesel::sql_query(
            "SELECT indexname AS name FROM pg_indexes WHERE tablename = $1 \
             AND schemaname = current_schema() AND indexname NOT LIKE '%_pkey'",
        )
        .bind::<diesel::sql_types::Text, _>(table)
        .load::<IndexName>(self)
        .unwrap()
        .into_iter()
        .map(|i| i.name)
        .collect();
        names.sort();
        names
    }
}

#[cfg(feature = "mysql")]
impl Indexes for MysqlConnection {
    fn index_names(&mut self, table: &str) -> Vec<String> {
        let mut names: Vec<String> = diesel::sql_query(
            "SELECT DISTINCT index_name AS name FROM information_schema.statistics \
             WHERE table_schema = DATABASE() AND table_name = ? AND index_name <> 'PRIMARY'",
        )
        .bind::<diesel::sql_types::Text, _>(table)
        .load::<IndexName>(self)
        .unwrap()
        .into_iter()
        .map(|i| i.name)
        .collect();
        names.sort();
        names
    }
}

/// Makes `tanks` a table whose declared primary key (`id`) is not unique in the database, as a
/// legacy table or a view can be.
pub trait LooseKey {
    fn drop_primary_key_of_tanks(&mut self);
}

impl LooseKey for SqliteConnection {
    fn drop_primary_key_of_tanks(&mut self) {
        // Foreign keys to a column that is not unique are an error on every write in SQLite.
        self.batch_execute(
            "PRAGMA foreign_keys = OFF;
             DROP TABLE tanks;
             CREATE TABLE tanks (id INTEGER NOT NULL, name TEXT NOT NULL, volume_m3 DOUBLE NOT NULL,
                 notes TEXT, commissioned_on DATE, internal_code TEXT);",
        )
        .unwrap();
    }
}

#[cfg(feature = "postgres")]
impl LooseKey for PgConnection {
    fn drop_primary_key_of_tanks(&mut self) {
        self.batch_execute(
            "ALTER TABLE tanks DROP CONSTRAINT tanks_pkey CASCADE;
             ALTER TABLE tanks DROP CONSTRAINT tanks_name_key;",
        )
        .unwrap();
    }
}

#[cfg(feature = "mysql")]
impl LooseKey for MysqlConnection {
    fn drop_primary_key_of_tanks(&mut self) {
        // Foreign keys need the key's index: they go first.
        let constraints: Vec<IndexName> = diesel::sql_query(
            "SELECT CONCAT(table_name, ' ', constraint_name) AS name \
             FROM information_schema.referential_constraints \
             WHERE constraint_schema = DATABASE() AND referenced_table_name = 'tanks'",
        )
        .load(self)
        .unwrap();
        for c in constraints {
            let (table, name) = c.name.split_once(' ').unwrap();
            self.batch_execute(&format!("ALTER TABLE {table} DROP FOREIGN KEY {name}"))
                .unwrap();
        }
        self.batch_execute(
            "ALTER TABLE tanks MODIFY id INTEGER NOT NULL, DROP PRIMARY KEY;
             ALTER TABLE tanks DROP INDEX name;",
        )
        .unwrap();
    }
}

/// The connection the shared tests run on: Diesel's `MultiConnection` over the backends, so each
/// test body is one function, compiled once, run on every backend.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    #[cfg(feature = "postgres")]
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
    #[cfg(feature = "mysql")]
    Mysql(MysqlConnection),
}

audit_diesel::multi_backend_types!(MultiBackend);

impl audit_diesel::AuditConnection for AnyConnection {
    fn backend_connection(&mut self) -> audit_diesel::BackendConnection<'_> {
        match self {
            #[cfg(feature = "postgres")]
            AnyConnection::Postgresql(conn) => conn.backend_connection(),
            AnyConnection::Sqlite(conn) => conn.backend_connection(),
            #[cfg(feature = "mysql")]
            AnyConnection::Mysql(conn) => conn.backend_connection(),
        }
    }
}

/// Whether the test runs on MySQL/MariaDB.
pub fn is_mysql(conn: &AnyConnection) -> bool {
    #[cfg(feature = "mysql")]
    if matches!(conn, AnyConnection::Mysql(_)) {
        return true;
    }
    let _ = conn;
    false
}

/// The backend-specific helpers, on the connection of the current variant.
macro_rules! on_variant {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            #[cfg(feature = "postgres")]
            AnyConnection::Postgresql($c) => $body,
            AnyConnection::Sqlite($c) => $body,
            #[cfg(feature = "mysql")]
            AnyConnection::Mysql($c) => $body,
        }
    };
}

impl RefuseHistory for AnyConnection {
    fn refuse_history_with_reason(&mut self, table: &str, reason: &str) {
        on_variant!(self, |c| c.refuse_history_with_reason(table, reason))
    }
}

impl Indexes for AnyConnection {
    fn index_names(&mut self, table: &str) -> Vec<String> {
        on_variant!(self, |c| c.index_names(table))
    }
}

impl LooseKey for AnyConnection {
    fn drop_primary_key_of_tanks(&mut self) {
        on_variant!(self, |c| c.drop_primary_key_of_tanks())
    }
}

impl TestDb<AnyConnection> {
    /// A fresh SQLite database, as the shared tests' connection.
    pub fn any_sqlite() -> Self {
        let TestDb { conn, guard } = TestDb::sqlite();
        TestDb {
            conn: AnyConnection::Sqlite(conn),
            guard,
        }
    }

    /// A fresh PostgreSQL schema, as the shared tests' connection.
    #[cfg(feature = "postgres")]
    pub fn any_postgres() -> Self {
        let TestDb { conn, guard } = TestDb::postgres();
        TestDb {
            conn: AnyConnection::Postgresql(conn),
            guard,
        }
    }
}

#[cfg(feature = "mysql")]
impl TestDb<AnyConnection> {
    /// A fresh MySQL/MariaDB database with the tests' tables, as the shared tests' connection.
    pub fn any_mysql() -> Self {
        let (mut conn, name) = create_mysql_database();
        let guard = SchemaGuard {
            schema: None,
            mysql_database: Some(name),
        };
        conn.run_pending_migrations(MYSQL_MIGRATIONS).unwrap();
        TestDb {
            conn: AnyConnection::Mysql(conn),
            guard,
        }
    }
}

/// The MySQL/MariaDB server the suite runs against (its database `test` is only where a test
/// connects first: each test creates a database of its own).
#[cfg(feature = "mysql")]
pub fn mysql_url() -> String {
    std::env::var("AUDIT_TEST_MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".to_owned())
}

/// A test's own database on the MySQL/MariaDB service, dropped at the end: MySQL has no schemas
/// inside a database, so a test gets a database.
#[cfg(feature = "mysql")]
pub struct MysqlDb {
    pub conn: MysqlConnection,
    /// The database's name.
    pub name: String,
}

#[cfg(feature = "mysql")]
impl MysqlDb {
    /// A fresh, empty database. Panics when the server cannot be reached: a selected backend
    /// suite never passes by skipping.
    pub fn empty() -> Self {
        let (conn, name) = create_mysql_database();
        MysqlDb { conn, name }
    }

    /// The URL of database `name` on the suite's server, with the suite URL's options.
    pub fn url_of(name: &str) -> String {
        let url = mysql_url();
        let (path, options) = match url.split_once('?') {
            Some((path, options)) => (path, format!("?{options}")),
            None => (url.as_str(), String::new()),
        };
        let server = path.rsplit_once('/').map_or(path, |(server, _)| server);
        format!("{server}/{name}{options}")
    }
}

#[cfg(feature = "mysql")]
impl Drop for MysqlDb {
    fn drop(&mut self) {
        drop_mysql_database(&self.name);
    }
}

/// A database of its own on the suite's server, and a connection to it.
#[cfg(feature = "mysql")]
fn create_mysql_database() -> (MysqlConnection, String) {
    let url = mysql_url();
    let mut admin = MysqlConnection::establish(&url)
        .unwrap_or_else(|e| panic!("the MySQL/MariaDB service at {url} is required: {e}"));
    let name = format!("test_{}", uuid::Uuid::new_v4().simple());
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let conn = MysqlConnection::establish(&MysqlDb::url_of(&name)).unwrap();
    (conn, name)
}

/// Drops a test's database, if the server can be reached.
#[cfg(feature = "mysql")]
fn drop_mysql_database(name: &str) {
    if let Ok(mut admin) = MysqlConnection::establish(&mysql_url()) {
        let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name}"));
    }
}
