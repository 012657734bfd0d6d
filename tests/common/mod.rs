//! Shared by the integration tests: the test models, one fresh database per test, and a macro that
//! runs a test body on every enabled backend.
//!
//! Every test gets its own database: an in-memory SQLite database, or a PostgreSQL schema of its
//! own or a MySQL database of its own (dropped when the test ends), so tests are independent and
//! run in parallel.
#![allow(dead_code, unused_imports)]

pub mod db;
pub mod models;
pub mod server;
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

/// Registers each test on every enabled backend. The body is one function over
/// `&mut TestDb<AnyConnection>` (Diesel's `MultiConnection`), compiled once; the macro only adds a
/// `#[test]` per backend that calls it with a fresh database of that backend.
#[macro_export]
macro_rules! on_each_backend {
    ($(
        $(#[$meta:meta])*
        fn $name:ident($db:ident) $body:block
    )*) => {
        $(
            #[allow(unused_mut, unused_variables)]
            fn $name($db: &mut $crate::common::TestDb<$crate::common::db::AnyConnection>) $body
        )*

        mod sqlite {
            $(
                $(#[$meta])*
                #[test]
                fn $name() {
                    super::$name(&mut $crate::common::TestDb::any_sqlite());
                }
            )*
        }

        #[cfg(feature = "postgres")]
        mod postgres {
            $(
                $(#[$meta])*
                #[test]
                fn $name() {
                    super::$name(&mut $crate::common::TestDb::any_postgres());
                }
            )*
        }

        #[cfg(feature = "mysql")]
        mod mysql {
            $(
                $(#[$meta])*
                #[test]
                fn $name() {
                    super::$name(&mut $crate::common::TestDb::any_mysql());
                }
            )*
        }
    };
}
