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

/// The context's value for history-only field `field` of `model`, as its type `T` (an
/// `Option`): `None` when the context does not set it.
pub fn history_field<T>(
    ctx: &crate::AuditContext,
    model: &'static str,
    field: &'static str,
    expected: &'static str,
) -> Result<T, crate::AuditError>
where
    T: serde::de::DeserializeOwned + Default,
{
    match ctx.history_field(field) {
        None => Ok(T::default()),
        Some(value) => history_field_value(model, field, expected, value.clone()),
    }
}

/// `value` as history-only field `field`'s type `T`.
pub fn history_field_value<T: serde::de::DeserializeOwned>(
    model: &'static str,
    field: &'static str,
    expected: &'static str,
    value: serde_json::Value,
) -> Result<T, crate::AuditError> {
    serde_json::from_value(value.clone()).map_err(|e| crate::AuditError::HistoryFieldType {
        model: model.to_owned(),
        field,
        expected,
        value: value.to_string(),
        reason: e.to_string(),
    })
}

/// The error of a hook that names a history-only field the model does not declare.
pub fn unknown_history_field(spec: &crate::HistoryTableSpec, name: &str) -> crate::AuditError {
    crate::AuditError::UnknownField {
        model: spec.model.to_string(),
        field: name.to_owned(),
        excluded: false,
        tracked: spec
            .history_fields
            .iter()
            .map(|c| c.name.to_string())
            .collect(),
    }
}

/// The history-only fields' walk on SQLite, when the `sqlite` feature is on.
#[cfg(feature = "sqlite")]
#[macro_export]
#[doc(hidden)]
macro_rules! __walk_fields_sqlite {
    ($fields:ident, $out:ident, $body:block) => {
        fn walk_history_fields_sqlite<'b>(
            $fields: &'b Self::HistoryFields,
            $out: &mut $crate::__private_0_1::diesel::query_builder::AstPass<'_, 'b, $crate::__private_0_1::diesel::sqlite::Sqlite>,
        ) -> $crate::__private_0_1::diesel::QueryResult<()> $body
    };
}

/// The history-only fields' walk on SQLite, when the `sqlite` feature is on.
#[cfg(not(feature = "sqlite"))]
#[macro_export]
#[doc(hidden)]
macro_rules! __walk_fields_sqlite {
    ($fields:ident, $out:ident, $body:block) => {};
}

/// The history-only fields' walk on PostgreSQL, when the `postgres` feature is on.
#[cfg(feature = "postgres")]
#[macro_export]
#[doc(hidden)]
macro_rules! __walk_fields_postgres {
    ($fields:ident, $out:ident, $body:block) => {
        fn walk_history_fields_postgres<'b>(
            $fields: &'b Self::HistoryFields,
            $out: &mut $crate::__private_0_1::diesel::query_builder::AstPass<'_, 'b, $crate::__private_0_1::diesel::pg::Pg>,
        ) -> $crate::__private_0_1::diesel::QueryResult<()> $body
    };
}

/// The history-only fields' walk on PostgreSQL, when the `postgres` feature is on.
#[cfg(not(feature = "postgres"))]
#[macro_export]
#[doc(hidden)]
macro_rules! __walk_fields_postgres {
    ($fields:ident, $out:ident, $body:block) => {};
}

/// The history-only fields' walk on MySQL, when the `mysql` feature is on.
#[cfg(feature = "mysql")]
#[macro_export]
#[doc(hidden)]
macro_rules! __walk_fields_mysql {
    ($fields:ident, $out:ident, $body:block) => {
        fn walk_history_fields_mysql<'b>(
            $fields: &'b Self::HistoryFields,
            $out: &mut $crate::__private_0_1::diesel::query_builder::AstPass<'_, 'b, $crate::__private_0_1::diesel::mysql::Mysql>,
        ) -> $crate::__private_0_1::diesel::QueryResult<()> $body
    };
}

/// The history-only fields' walk on MySQL, when the `mysql` feature is on.
#[cfg(not(feature = "mysql"))]
#[macro_export]
#[doc(hidden)]
macro_rules! __walk_fields_mysql {
    ($fields:ident, $out:ident, $body:block) => {};
}

pub use crate::slot::{Off, On};
pub use crate::{
    __walk_fields_mysql as walk_fields_mysql, __walk_fields_postgres as walk_fields_postgres,
    __walk_fields_sqlite as walk_fields_sqlite,
};

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

/// The model's slot for MySQL, when the `mysql` feature is on (`On` or `Off`).
#[cfg(feature = "mysql")]
#[macro_export]
#[doc(hidden)]
macro_rules! __slot_mysql {
    ($slot:ty) => {
        type Mysql = $slot;
    };
}

/// The model's slot for MySQL, when the `mysql` feature is on (`On` or `Off`).
#[cfg(not(feature = "mysql"))]
#[macro_export]
#[doc(hidden)]
macro_rules! __slot_mysql {
    ($slot:ty) => {};
}

pub use crate::{
    __slot_mysql as slot_mysql, __slot_postgres as slot_postgres, __slot_sqlite as slot_sqlite,
};

/// What the derive's fallback expansion names when a model's attributes are wrong: a stand-in
/// `Historical` impl (every backend `Off`, an uninhabited record) that lets the rest of the
/// crate type-check, so that the compiler reports the derive's error once instead of again at
/// every use of the model.
pub mod poison {
    use std::borrow::Cow;
    use std::convert::Infallible;
    use std::marker::PhantomData;

    use crate::contract::Generated;
    use crate::{Historical, HistoryIdType, HistoryType, UserIdType};
    use crate::{HistoryIdOf, HistoryRecord, HistoryTableSpec, UserIdOf};

    diesel::table! {
        /// Never queried: the table of a model whose derive failed.
        __audit_poisoned (id) {
            id -> Integer,
        }
    }

    pub use self::__audit_poisoned::table;

    /// The spec of a model whose derive failed.
    pub const SPEC: HistoryTableSpec = HistoryTableSpec {
        model: Cow::Borrowed("(a model whose #[derive(Historical)] failed)"),
        source_table: Cow::Borrowed("__audit_poisoned"),
        history_table: Cow::Borrowed("__audit_poisoned"),
        columns: Cow::Borrowed(&[]),
        primary_key: Cow::Borrowed(&[]),
        excluded: Cow::Borrowed(&[]),
        user_id: UserIdType::I64,
        history_id: HistoryIdType::BigInt,
        metadata: false,
        history_fields: Cow::Borrowed(&[]),
        changeset: false,
        append_only: false,
        chain: false,
        guard: crate::SourceGuard::Off,
    };

    /// The record of a model whose derive failed: no value of it exists.
    pub struct Record<M>(Infallible, PhantomData<fn() -> M>);

    impl<M> Clone for Record<M> {
        fn clone(&self) -> Self {
            match self.0 {}
        }
    }

    impl<M: Historical<Record = Record<M>>> HistoryRecord for Record<M> {
        type Model = M;
        fn history_id(&self) -> &HistoryIdOf<M> {
            match self.0 {}
        }
        fn history_date(&self) -> chrono::DateTime<chrono::Utc> {
            match self.0 {}
        }
        fn history_type(&self) -> HistoryType {
            match self.0 {}
        }
        fn history_user_id(&self) -> Option<&UserIdOf<M>> {
            match self.0 {}
        }
        fn history_change_reason(&self) -> Option<&str> {
            match self.0 {}
        }
        fn history_changeset_id(&self) -> Option<uuid::Uuid> {
            match self.0 {}
        }
        fn object_id(&self) -> M::Id {
            match self.0 {}
        }
    }

    type SetId = diesel::dsl::Eq<__audit_poisoned::id, i32>;

    /// The contract of a model whose derive failed: every backend `Off`.
    pub struct Contract;

    impl<M: Historical<Table = table, Record = Record<M>>> Generated<M> for Contract {
        type Snapshot<'a> = ();
        type Row<'a> = ();
        const COLUMNS: &'static [&'static str] = &[];
        type Changeset<'a> = Option<SetId>;
        type HistoryKeyFilter<'a> = ();
        type KeyValues = ();
        type Restore<'a> = Option<SetId>;
        type RestoreInsert<'a> = SetId;

        fn snapshot(_: &M) {}
        fn row(_: &M) {}
        fn changeset(_: &M) -> Option<SetId> {
            None
        }
        fn history_key_filter(_: &M::Id) {}
        fn record_key_filter(record: &Record<M>) {
            match record.0 {}
        }
        fn tracked_eq(_: &M, _: &M) -> bool {
            false
        }
        fn key_values(_: M::Id) {}
        fn restore_changeset(record: &Record<M>) -> Option<SetId> {
            match record.0 {}
        }
        fn restore_values(record: &Record<M>) -> SetId {
            match record.0 {}
        }
        fn instance(record: &Record<M>, _: Option<M>) -> Option<M> {
            match record.0 {}
        }
        type HistoryFields = ();
        fn history_fields(_: &crate::AuditContext) -> Result<(), crate::AuditError> {
            Ok(())
        }
        const HOOKS: bool = false;
        fn before_history(
            _: &mut crate::hooks::BeforeHistory<'_, M>,
        ) -> Result<(), crate::AuditError> {
            Ok(())
        }
        fn after_history(_: &crate::hooks::AfterHistory<'_, M>) -> Result<(), crate::AuditError> {
            Ok(())
        }
        fn set_history_field(
            _: &mut (),
            name: &str,
            _: serde_json::Value,
        ) -> Result<(), crate::AuditError> {
            Err(super::unknown_history_field(&SPEC, name))
        }
        fn record_matches(record: &Record<M>, _: &M) -> bool {
            match record.0 {}
        }
        #[cfg(feature = "sqlite")]
        fn walk_history_fields_sqlite<'b>(
            _: &'b (),
            _: &mut diesel::query_builder::AstPass<'_, 'b, diesel::sqlite::Sqlite>,
        ) -> diesel::QueryResult<()> {
            Ok(())
        }
        #[cfg(feature = "postgres")]
        fn walk_history_fields_postgres<'b>(
            _: &'b (),
            _: &mut diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
        ) -> diesel::QueryResult<()> {
            Ok(())
        }
        #[cfg(feature = "mysql")]
        fn walk_history_fields_mysql<'b>(
            _: &'b (),
            _: &mut diesel::query_builder::AstPass<'_, 'b, diesel::mysql::Mysql>,
        ) -> diesel::QueryResult<()> {
            Ok(())
        }
    }
}
