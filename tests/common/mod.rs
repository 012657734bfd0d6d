//! Shared by the integration tests: the test models, one fresh database per test, and a macro that
//! runs a test body on every enabled backend.
//!
//! Every test gets its own database: an in-memory SQLite database, or a PostgreSQL schema of its
//! own (dropped when the test ends), so tests are independent and run in parallel.
#![allow(dead_code, unused_imports)]

pub mod db;
pub mod models;
pub mod statements;

pub use db::TestDb;
pub use models::*;
pub use statements::Statements;

/// A context of `user` with `reason`.
pub fn ctx(user: i64, reason: &str) -> audit_diesel::AuditContext {
    audit_diesel::AuditContext::builder()
        .user(user)
        .reason(reason)
        .build()
        .unwrap()
}

/// Writes each test once and runs it on SQLite and, with the `postgres` feature, on PostgreSQL:
/// `$conn` is a `&mut SqliteConnection` in one copy and a `&mut PgConnection` in the other.
#[macro_export]
macro_rules! on_each_backend {
    ($(
        $(#[$meta:meta])*
        fn $name:ident($db:ident) $body:block
    )*) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $(
                $(#[$meta])*
                #[test]
                fn $name() {
                    #[allow(unused_mut)]
                    let mut $db = $crate::common::TestDb::sqlite();
                    $body
                }
            )*
        }

        #[cfg(feature = "postgres")]
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            $(
                $(#[$meta])*
                #[test]
                fn $name() {
                    #[allow(unused_mut)]
                    let mut $db = $crate::common::TestDb::postgres();
                    $body
                }
            )*
        }
    };
}
