//! The aquamind example served on 127.0.0.1 over a played day, on a database of its own (a
//! SQLite file, a PostgreSQL schema or a MySQL database), for the HTTP and browser tests.

use std::net::SocketAddr;

use audit_axum::HistoryApi;
use audit_examples::aquamind::day::{self, Day};
use audit_examples::aquamind::serve::{self, Staff};
use audit_examples::aquamind::{self, AquaConnection};
use chrono::NaiveDate;
use serde_json::Value;

/// A server over a played day, on its own database, until dropped.
pub struct Server {
    pub addr: SocketAddr,
    pub staff: Staff,
    pub day: Day,
    pub conn: AquaConnection,
    pub agent: ureq::Agent,
    runtime: Option<tokio::runtime::Runtime>,
    cleanup: Box<dyn FnMut()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
        (self.cleanup)();
    }
}

/// The day the server's history was played on.
pub fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 3).unwrap()
}

impl Server {
    /// Serves `database` after playing the day once per tag, on consecutive dates from
    /// [`date`] (`day` is the last play's).
    pub fn start(database: String, cleanup: Box<dyn FnMut()>, tags: &[&str]) -> Self {
        let mut conn = AquaConnection::open(&database).unwrap();
        conn.migrate().unwrap();
        let mut played = None;
        for (days, tag) in (0u64..).zip(tags) {
            let on = date() + chrono::Days::new(days);
            played = Some(day::play(&mut conn, tag, on).unwrap());
        }
        let day = played.expect("at least one tag");
        let staff = Staff::new(day.operator, day.vet, day.admin, 9_000);
        let pool = serve::pool(&database, 4).unwrap();
        let api = HistoryApi::new(aquamind::registry(), pool, staff.tokens());
        let app = serve::app(api);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        runtime.spawn(async move { axum::serve(listener, app).await });
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .build()
            .into();
        Server {
            addr,
            staff,
            day,
            conn,
            agent,
            runtime: Some(runtime),
            cleanup,
        }
    }

    /// On a fresh SQLite file, one day played.
    pub fn sqlite() -> Self {
        Self::sqlite_with(&["H1"])
    }

    /// On a fresh SQLite file, the day played once per tag.
    pub fn sqlite_with(tags: &[&str]) -> Self {
        let path = std::env::temp_dir().join(format!(
            "audit-http-{}.sqlite3",
            uuid::Uuid::new_v4().simple()
        ));
        let database = path.to_str().unwrap().to_owned();
        Server::start(
            database,
            Box::new(move || {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }),
            tags,
        )
    }

    /// On a fresh PostgreSQL schema, one day played.
    #[cfg(feature = "postgres")]
    pub fn postgres() -> Self {
        Self::postgres_with(&["H1"])
    }

    /// On a fresh PostgreSQL schema, the day played once per tag.
    #[cfg(feature = "postgres")]
    pub fn postgres_with(tags: &[&str]) -> Self {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let url = std::env::var("AUDIT_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
        let schema = format!("http_{}", uuid::Uuid::new_v4().simple());
        let mut admin = diesel::PgConnection::establish(&url)
            .unwrap_or_else(|e| panic!("the PostgreSQL suite needs a server at {url}: {e}"));
        admin
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .unwrap();
        let database = format!("{url}?options=-csearch_path%3D{schema}");
        Server::start(
            database,
            Box::new(move || {
                let _ = admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }),
            tags,
        )
    }

    /// On a fresh MySQL/MariaDB database, one day played.
    #[cfg(feature = "mysql")]
    pub fn mysql() -> Self {
        Self::mysql_with(&["H1"])
    }

    /// On a fresh MySQL/MariaDB database, the day played once per tag.
    #[cfg(feature = "mysql")]
    pub fn mysql_with(tags: &[&str]) -> Self {
        let db = super::db::MysqlDb::empty();
        let database = super::db::MysqlDb::url_of(&db.name);
        let mut db = Some(db);
        Server::start(database, Box::new(move || drop(db.take())), tags)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// `GET path` as `role` (no credentials for `None`): the status and the JSON body.
    pub fn get(&self, path: &str, role: Option<&str>) -> (u16, Value) {
        let mut request = self.agent.get(&self.url(path));
        if let Some(role) = role {
            request = request.header(
                "Authorization",
                &format!("Bearer {}", self.staff.token(role).unwrap()),
            );
        }
        let mut response = request.call().unwrap();
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_string().unwrap();
        (
            status,
            serde_json::from_str(&body).unwrap_or(Value::String(body)),
        )
    }

    /// `POST path` with a JSON body as `role`, with extra headers.
    pub fn post(
        &self,
        path: &str,
        role: Option<&str>,
        headers: &[(&str, &str)],
        body: Value,
    ) -> (u16, Value) {
        let mut request = self.agent.post(&self.url(path));
        if let Some(role) = role {
            request = request.header(
                "Authorization",
                &format!("Bearer {}", self.staff.token(role).unwrap()),
            );
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let mut response = request.send_json(body).unwrap();
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub fn problem_parameter(&self, path: &str) -> (u16, Option<String>) {
        let (status, body) = self.get(path, Some("admin"));
        (status, body["parameter"].as_str().map(str::to_owned))
    }
}
