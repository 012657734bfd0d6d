//! What generated code names. Not a public API.

pub use std::borrow::Cow;

pub use chrono;
pub use diesel;
pub use serde;
pub use serde_json;
pub use uuid;

pub use crate::bind::{Bind, SetValue};

/// The widest table Diesel supports with the enabled features.
#[cfg(not(feature = "64-column-tables"))]
pub const MAX_TABLE_COLUMNS: usize = 32;
/// The widest table Diesel supports with the enabled features.
#[cfg(feature = "64-column-tables")]
pub const MAX_TABLE_COLUMNS: usize = 64;

pub use crate::sql_types::HoldsColumn;

/// Declares the record struct, with serde's derives when the `serde` feature is on. `serde` is the
/// path of serde as generated code names it (through the path the derive was given for this crate).
#[cfg(feature = "serde")]
#[macro_export]
#[doc(hidden)]
macro_rules! __history_record {
    (serde = $serde:literal; $(#[$attr:meta])* $vis:vis struct $name:ident { $($body:tt)* }) => {
        #[derive($crate::__private_0_1::serde::Serialize, $crate::__private_0_1::serde::Deserialize)]
        #[serde(crate = $serde)]
        $(#[$attr])*
        $vis struct $name { $($body)* }
    };
}

/// Declares the record struct, with serde's derives when the `serde` feature is on.
#[cfg(not(feature = "serde"))]
#[macro_export]
#[doc(hidden)]
macro_rules! __history_record {
    (serde = $serde:literal; $(#[$attr:meta])* $vis:vis struct $name:ident { $($body:tt)* }) => {
        $(#[$attr])*
        $vis struct $name { $($body)* }
    };
}

pub use crate::contract::Generated;
pub use crate::slot::{Off, On};

/// The model's slot for SQLite, when the `sqlite` feature is on (`On` or `Off`).
#[cfg(feature = "sqlite")]
#[macro_export]
#[doc(hidden)]
macro_rules! __slot_sqlite {
    ($slot:ty) => {
        type Sqlite = $slot;
    };
}

/// The model's slot for SQLite, when the `sqlite` feature is on (`On` or `Off`).
#[cfg(not(feature = "sqlite"))]
#[macro_export]
#[doc(hidden)]
macro_rules! __slot_sqlite {
    ($slot:ty) => {};
}

/// The model's slot for PostgreSQL, when the `postgres` feature is on (`On` or `Off`).
#[cfg(feature = "postgres")]
#[macro_export]
#[doc(hidden)]
macro_rules! __slot_postgres {
    ($slot:ty) => {
        type Postgres = $slot;
    };
}

/// The model's slot for PostgreSQL, when the `postgres` feature is on (`On` or `Off`).
#[cfg(not(feature = "postgres"))]
#[macro_export]
#[doc(hidden)]
macro_rules! __slot_postgres {
    ($slot:ty) => {};
}

pub use crate::{__slot_postgres as slot_postgres, __slot_sqlite as slot_sqlite};
