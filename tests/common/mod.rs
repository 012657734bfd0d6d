//! Shared by the integration tests: the test models, one fresh database per test, and a macro that
//! runs a test body on every enabled backend.
//!
//! Every test gets its own database: an in-memory SQLite database, or a PostgreSQL schema of its
//! own or a MySQL database of its own (dropped when the test ends), so tests are independent and
//! run in parallel.
#![allow(dead_code, unused_imports)]

pub mod concurrency;
pub mod db;
pub mod models;
pub mod server;
pub mod statements;

pub use db::TestDb;
pub use models::*;
pub use statements::Statements;

/// `M`'s hash chains verify clean; the report.
pub fn chain_verifies_clean<M: audit_diesel::Historical>(
    conn: &mut db::AnyConnection,
) -> audit_diesel::chain::VerifyReport {
    let report = audit_diesel::chain::verify_history::<M, _>(
        conn,
        &audit_diesel::chain::Verify::default(),
        |_| {},
    )
    .unwrap();
    assert!(report.is_clean(), "{:?}", report.findings);
    report
}

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
    ($($tests:tt)*) => {
        $crate::on_backends!([sqlite postgres mysql] $($tests)*);
    };
}

/// The test functions, and a module of `#[test]`s per backend named.
#[macro_export]
macro_rules! on_backends {
    ([$($backend:ident)*] $(
        $(#[$meta:meta])*
        fn $name:ident($db:ident) $body:block
    )*) => {
        $(
            #[allow(unused_mut, unused_variables)]
            fn $name($db: &mut $crate::common::TestDb<$crate::common::db::AnyConnection>) $body
        )*
        $crate::on_backends!(@modules [$($backend)*] [$([$(#[$meta])*] $name)*]);
    };
    (@modules [$($backend:ident)*] $tests:tt) => {
        $($crate::on_backends!(@module $backend $tests);)*
    };
    (@module sqlite [$([$(#[$meta:meta])*] $name:ident)*]) => {
        mod sqlite {
            $(
                $(#[$meta])*
                #[test]
                fn $name() {
                    super::$name(&mut $crate::common::TestDb::any_sqlite());
                }
            )*
        }
    };
    (@module postgres [$([$(#[$meta:meta])*] $name:ident)*]) => {
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
    };
    (@module mysql [$([$(#[$meta:meta])*] $name:ident)*]) => {
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
