//! The connections the audit trail runs on, and code generic over them.
//!
//! Every audited call takes `conn: &mut C` with `C: AuditConnection`. A function of your own
//! that only needs that bound works on every backend, written once:
//!
//! ```
//! # include!("../doctest_setup.rs");
//! use audit_diesel::AuditConnection;
//!
//! /// Opens a tank and resizes it, on SQLite, PostgreSQL or a `MultiConnection`.
//! fn open_tank<C: AuditConnection>(conn: &mut C, ctx: &AuditContext) -> Result<Tank, AuditError> {
//!     let tank = Tank::create(conn, ctx, &NewTank { name: "T1".into(), volume_m3: 40.0 })?;
//!     Tank::update(conn, &ctx.with_reason("resized")?, tank.id, tanks::volume_m3.eq(55.0))
//! }
//!
//! # fn main() -> Result<(), AuditError> {
//! # let mut conn = setup();
//! let tank = open_tank(&mut conn, &AuditContext::for_user(7))?;
//! assert_eq!(Tank::history(&tank.id).trail(&mut conn)?.len(), 2);
//! # Ok(())
//! # }
//! ```
//!
//! How it works: [`AuditConnection::backend_connection`] hands out the concrete connection
//! ([`BackendConnection`]), and each audited call runs the SQL strategy of that backend (see
//! [`backend`](crate::backend)). The types you pass (values, changes, filters) are checked when
//! your function compiles, against every backend the model is declared for: each backend enabled
//! in this crate, or those of the model's `#[diesel(check_for_backend(...))]`.
//!
//! An application that picks its database at run time uses Diesel's `MultiConnection` and says
//! which connection each variant holds:
//!
//! ```
//! use audit_diesel::{AuditConnection, BackendConnection};
//!
//! #[derive(diesel::MultiConnection)]
//! pub enum AnyConnection {
//! #   #[cfg(feature = "postgres")]
//!     Postgresql(diesel::PgConnection),
//!     Sqlite(diesel::SqliteConnection),
//! }
//!
//! impl AuditConnection for AnyConnection {
//!     fn backend_connection(&mut self) -> BackendConnection<'_> {
//!         match self {
//! #           #[cfg(feature = "postgres")]
//!             AnyConnection::Postgresql(conn) => conn.backend_connection(),
//!             AnyConnection::Sqlite(conn) => conn.backend_connection(),
//!         }
//!     }
//! }
//! # fn main() {}
//! ```
//!
//! A pooled connection (`r2d2::PooledConnection<ConnectionManager<PgConnection>>`) dereferences
//! to its connection: pass `&mut *pooled`.

use diesel::Connection;

/// A connection the audit trail can write to and read from: `SqliteConnection`,
/// `PgConnection`, `MysqlConnection`, or your own `MultiConnection` over them.
pub trait AuditConnection: Connection {
    /// The concrete connection this one runs its statements on. An implementation for a
    /// `MultiConnection` returns the connection of its current variant.
    fn backend_connection(&mut self) -> BackendConnection<'_>;
}

/// A connection of one of the backends this build supports.
#[non_exhaustive]
pub enum BackendConnection<'a> {
    /// SQLite (feature `sqlite`).
    #[cfg(feature = "sqlite")]
    Sqlite(&'a mut diesel::SqliteConnection),
    /// PostgreSQL (feature `postgres`).
    #[cfg(feature = "postgres")]
    Postgres(&'a mut diesel::PgConnection),
    /// MySQL or MariaDB (feature `mysql`).
    #[cfg(feature = "mysql")]
    Mysql(&'a mut diesel::MysqlConnection),
    #[doc(hidden)]
    #[allow(dead_code)]
    __Lifetime(std::marker::PhantomData<&'a mut ()>, Never),
}

/// A type without values: no connection is of it.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum Never {}

#[cfg(feature = "sqlite")]
impl AuditConnection for diesel::SqliteConnection {
    fn backend_connection(&mut self) -> BackendConnection<'_> {
        BackendConnection::Sqlite(self)
    }
}

#[cfg(feature = "postgres")]
impl AuditConnection for diesel::PgConnection {
    fn backend_connection(&mut self) -> BackendConnection<'_> {
        BackendConnection::Postgres(self)
    }
}

#[cfg(feature = "mysql")]
impl AuditConnection for diesel::MysqlConnection {
    fn backend_connection(&mut self) -> BackendConnection<'_> {
        BackendConnection::Mysql(self)
    }
}

/// Runs `$body` on the concrete connection of `$conn` (a `BackendConnection`), with `$c` bound to
/// it and `$slot` to the model `$m`'s slot for that backend (call its
/// [`Slot`](crate::slot::Slot) methods).
macro_rules! on_backend {
    ($conn:expr, $m:ty, |$c:ident, $slot:ident| $body:expr) => {
        match $conn {
            #[cfg(feature = "sqlite")]
            $crate::connection::BackendConnection::Sqlite($c) => {
                let $slot = <$crate::contract::SqliteSlotOf<$m> as Default>::default();
                // The chain's and the guard's triggers call functions of the connection's.
                $crate::guard::prepare_for(<$m as $crate::Historical>::HISTORY, $c);
                $body
            }
            #[cfg(feature = "postgres")]
            $crate::connection::BackendConnection::Postgres($c) => {
                let $slot = <$crate::contract::PostgresSlotOf<$m> as Default>::default();
                $body
            }
            #[cfg(feature = "mysql")]
            $crate::connection::BackendConnection::Mysql($c) => {
                let $slot = <$crate::contract::MysqlSlotOf<$m> as Default>::default();
                $body
            }
            $crate::connection::BackendConnection::__Lifetime(_, never) => match never {},
        }
    };
}
pub(crate) use on_backend;

/// [`on_backend!`] with a filter of the caller's type: `$f` is `$filter` as the backend renders
/// it, or the call fails with [`AuditError::UnsupportedBackend`](crate::AuditError) when the
/// model is not on that backend.
macro_rules! on_backend_filtered {
    ($conn:expr, $m:ty, $filter:expr, |$c:ident, $slot:ident, $f:ident| $body:expr) => {
        match $conn {
            #[cfg(feature = "sqlite")]
            $crate::connection::BackendConnection::Sqlite($c) => {
                let $slot = <$crate::contract::SqliteSlotOf<$m> as Default>::default();
                let $f = $crate::read::SqliteFilter::<$m>::filter_sqlite($filter)
                    .ok_or_else($crate::slot::unsupported::<$m, diesel::SqliteConnection>)?;
                $body
            }
            #[cfg(feature = "postgres")]
            $crate::connection::BackendConnection::Postgres($c) => {
                let $slot = <$crate::contract::PostgresSlotOf<$m> as Default>::default();
                let $f = $crate::read::PostgresFilter::<$m>::filter_postgres($filter)
                    .ok_or_else($crate::slot::unsupported::<$m, diesel::PgConnection>)?;
                $body
            }
            #[cfg(feature = "mysql")]
            $crate::connection::BackendConnection::Mysql($c) => {
                let $slot = <$crate::contract::MysqlSlotOf<$m> as Default>::default();
                let $f = $crate::read::MysqlFilter::<$m>::filter_mysql($filter)
                    .ok_or_else($crate::slot::unsupported::<$m, diesel::MysqlConnection>)?;
                $body
            }
            $crate::connection::BackendConnection::__Lifetime(_, never) => match never {},
        }
    };
}
pub(crate) use on_backend_filtered;
