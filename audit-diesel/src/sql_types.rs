//! SQL types of the history columns that differ between backends.
//!
//! A derive emits one `diesel::table!` per history table, used with every backend the application
//! enables, so its column types must mean the right thing on each. These types map to the best
//! native type of each backend:
//!
//! | type | Rust | PostgreSQL | SQLite | MySQL |
//! |---|---|---|---|---|
//! | [`HistoryDate`] | `DateTime<Utc>` | `timestamptz` | fixed-width UTC text | `DATETIME(6)` |
//! | [`HistoryTypeCode`] | [`HistoryType`] | `char(1)` | text | `CHAR(1)` |
//! | [`PortableUuid`] | `uuid::Uuid` | `uuid` | 36-character text | `CHAR(36)` text |
//! | [`PortableTimestamptz`] | `DateTime<Utc>` | `timestamptz` | Diesel's `TimestamptzSqlite` text | `DATETIME(6)` |
//! | [`HistoryMetadata`] | `serde_json::Value` | `jsonb` | JSON text | `JSON` |
//!
//! Diesel's own `TimestamptzSqlite` prints a variable number of fractional digits, so its text does
//! not sort in time order (`…:01.5` sorts before `…:01`); [`HistoryDate`] always writes six digits,
//! so ordering and range filters on `history_date` are correct on SQLite too.

use chrono::{DateTime, Utc};
use diesel::deserialize::{self, FromSql};
use diesel::query_builder::QueryId;
use diesel::serialize::{self, ToSql};
use diesel::sql_types::SqlType;

use crate::HistoryType;

/// `history_date`: when a change happened, UTC, microsecond precision.
#[derive(Debug, Clone, Copy, Default, QueryId, SqlType)]
pub struct HistoryDate;

/// `history_type`: `+`, `~` or `-`, read and written as [`HistoryType`].
#[derive(Debug, Clone, Copy, Default, QueryId, SqlType)]
pub struct HistoryTypeCode;

/// `history_metadata`: the context's JSON metadata, as `serde_json::Value`; `jsonb` on PostgreSQL,
/// JSON text elsewhere.
#[derive(Debug, Clone, Copy, Default, QueryId, SqlType)]
pub struct HistoryMetadata;

/// A UUID: native on PostgreSQL, its hyphenated text elsewhere.
#[derive(Debug, Clone, Copy, Default, QueryId, SqlType)]
pub struct PortableUuid;

/// A tracked `DateTime<Utc>` field's history column, whichever backends are enabled: PostgreSQL's
/// `Timestamptz` there, Diesel's `TimestamptzSqlite` on SQLite, MySQL's `DATETIME(6)` read and
/// written as UTC, each as the source column is (so copies by `INSERT ... SELECT` and bound
/// values agree).
///
/// The derive maps `DateTime<Utc>` fields to it, so a model's history types never depend on the
/// cargo features: an application with both backends on has SQLite models and PostgreSQL models
/// side by side. A filter binds its value with [`dsl::timestamptz`](crate::dsl::timestamptz)
/// (`AsExpression` cannot be implemented for chrono's type here):
/// `historical_batches::stocked_at.gt(dsl::timestamptz(t))`. A comparison with the source
/// table's column of another SQL type (`batches::stocked_at`) is written in SQL
/// (`diesel::dsl::sql`), and PostgreSQL's date-time functions (`at_time_zone`) take the source
/// table's column.
#[derive(Debug, Clone, Copy, Default, QueryId, SqlType)]
pub struct PortableTimestamptz;

/// Date-times order: `max`, `min` and `ORDER BY` work on such columns as on Diesel's own.
impl diesel::sql_types::SqlOrd for PortableTimestamptz {}

/// Whether a history column of SQL type `Self` holds what a source column of SQL type `Column`
/// holds: the same type, or the portable type standing for it ([`PortableTimestamptz`] for
/// `Timestamptz`, `TimestamptzSqlite` and MySQL's `Datetime`, [`PortableUuid`] for `Uuid`). The derive checks each
/// tracked field with it.
#[diagnostic::on_unimplemented(
    message = "a history column of SQL type `{Self}` cannot hold a source column of SQL type `{Column}`",
    note = "set #[historical(sql_type = ...)] on the field to the column's type in `table!`"
)]
pub trait HoldsColumn<Column> {}

impl<T> HoldsColumn<T> for T {}

macro_rules! holds {
    ($(#[$cfg:meta] $portable:ty => $column:ty;)*) => {$(
        #[$cfg]
        #[diagnostic::do_not_recommend]
        impl HoldsColumn<$column> for $portable {}
        #[$cfg]
        #[diagnostic::do_not_recommend]
        impl HoldsColumn<diesel::sql_types::Nullable<$column>>
            for diesel::sql_types::Nullable<$portable> {}
    )*};
}

holds! {
    #[cfg(feature = "postgres")] PortableTimestamptz => diesel::sql_types::Timestamptz;
    #[cfg(feature = "sqlite")] PortableTimestamptz => diesel::sql_types::TimestamptzSqlite;
    #[cfg(feature = "postgres")] PortableUuid => diesel::sql_types::Uuid;
    // Not MySQL's `TIMESTAMP`: it converts through the session's `time_zone` when copied into
    // a `DATETIME(6)`, so a history row would hold local time labelled UTC.
    #[cfg(feature = "mysql")] PortableTimestamptz => diesel::sql_types::Datetime;
}

/// The text form of a [`HistoryDate`] where the backend stores text: sorts in time order.
#[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
pub(crate) const DATE_TEXT_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.6f";

/// `date` in [`DATE_TEXT_FORMAT`], written directly: every SQLite write formats one, and chrono's
/// `format` parses its format string each time.
#[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
pub(crate) fn date_text(date: &DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    use std::fmt::Write;
    // The stored precision, from its one definition (which also folds a leap second).
    let date = audit_core::history_date::truncate_to_micros(*date);
    let mut out = String::with_capacity(26);
    let _ = write!(
        out,
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}",
        date.year(),
        date.month(),
        date.day(),
        date.hour(),
        date.minute(),
        date.second(),
        date.nanosecond() / 1000
    );
    out
}

// Chrono's and uuid's types load through Diesel's own impls once `FromSql` exists; `HistoryType`
// comes from audit-core, which knows no Diesel, so it says here how it loads.
impl<DB> diesel::deserialize::Queryable<HistoryTypeCode, DB> for HistoryType
where
    DB: diesel::backend::Backend,
    HistoryType: FromSql<HistoryTypeCode, DB>,
{
    type Row = Self;

    fn build(row: Self) -> deserialize::Result<Self> {
        Ok(row)
    }
}

/// Loads a [`PortableUuid`] column into a `uuid::Uuid` field (`#[diesel(deserialize_as)]`),
/// whichever Diesel features are enabled: Diesel loads `uuid::Uuid` itself only with PostgreSQL.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct UuidValue(uuid::Uuid);

impl<DB> diesel::deserialize::Queryable<PortableUuid, DB> for UuidValue
where
    DB: diesel::backend::Backend,
    uuid::Uuid: FromSql<PortableUuid, DB>,
{
    type Row = uuid::Uuid;

    fn build(row: uuid::Uuid) -> deserialize::Result<Self> {
        Ok(UuidValue(row))
    }
}

impl From<UuidValue> for uuid::Uuid {
    fn from(value: UuidValue) -> Self {
        value.0
    }
}

/// Loads a nullable [`PortableUuid`] column into an `Option<uuid::Uuid>` field.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct OptionalUuidValue(Option<uuid::Uuid>);

impl<DB> diesel::deserialize::Queryable<diesel::sql_types::Nullable<PortableUuid>, DB>
    for OptionalUuidValue
where
    DB: diesel::backend::Backend,
    uuid::Uuid: FromSql<PortableUuid, DB>,
{
    type Row = Option<uuid::Uuid>;

    fn build(row: Option<uuid::Uuid>) -> deserialize::Result<Self> {
        Ok(OptionalUuidValue(row))
    }
}

impl From<OptionalUuidValue> for Option<uuid::Uuid> {
    fn from(value: OptionalUuidValue) -> Self {
        value.0
    }
}

/// Loads a nullable [`HistoryMetadata`] column into an `Option<serde_json::Value>` field.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct OptionalMetadataValue(Option<serde_json::Value>);

impl<DB> diesel::deserialize::Queryable<diesel::sql_types::Nullable<HistoryMetadata>, DB>
    for OptionalMetadataValue
where
    DB: diesel::backend::Backend,
    serde_json::Value: FromSql<HistoryMetadata, DB>,
{
    type Row = Option<serde_json::Value>;

    fn build(row: Option<serde_json::Value>) -> deserialize::Result<Self> {
        Ok(OptionalMetadataValue(row))
    }
}

impl From<OptionalMetadataValue> for Option<serde_json::Value> {
    fn from(value: OptionalMetadataValue) -> Self {
        value.0
    }
}

fn parse_history_type(text: &str) -> deserialize::Result<HistoryType> {
    Ok(text.trim_end().parse::<HistoryType>()?)
}

#[cfg(feature = "postgres")]
mod pg {
    use diesel::pg::{Pg, PgValue};
    use diesel::sql_types::{HasSqlType, Jsonb, Text, Timestamptz, Uuid};

    use super::*;

    impl HasSqlType<HistoryDate> for Pg {
        fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
            <Pg as HasSqlType<Timestamptz>>::metadata(lookup)
        }
    }

    impl ToSql<HistoryDate, Pg> for DateTime<Utc> {
        fn to_sql<'b>(&'b self, out: &mut serialize::Output<'b, '_, Pg>) -> serialize::Result {
            ToSql::<Timestamptz, Pg>::to_sql(self, out)
        }
    }

    impl FromSql<HistoryDate, Pg> for DateTime<Utc> {
        fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
            FromSql::<Timestamptz, Pg>::from_sql(bytes)
        }
    }

    impl HasSqlType<HistoryTypeCode> for Pg {
        fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
            <Pg as HasSqlType<Text>>::metadata(lookup)
        }
    }

    impl ToSql<HistoryTypeCode, Pg> for HistoryType {
        fn to_sql<'b>(&'b self, out: &mut serialize::Output<'b, '_, Pg>) -> serialize::Result {
            ToSql::<Text, Pg>::to_sql(self.as_str(), out)
        }
    }

    impl FromSql<HistoryTypeCode, Pg> for HistoryType {
        fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
            parse_history_type(&<String as FromSql<Text, Pg>>::from_sql(bytes)?)
        }
    }

    impl HasSqlType<HistoryMetadata> for Pg {
        fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
            <Pg as HasSqlType<Jsonb>>::metadata(lookup)
        }
    }

    impl ToSql<HistoryMetadata, Pg> for serde_json::Value {
        fn to_sql<'b>(&'b self, out: &mut serialize::Output<'b, '_, Pg>) -> serialize::Result {
            ToSql::<Jsonb, Pg>::to_sql(self, out)
        }
    }

    impl FromSql<HistoryMetadata, Pg> for serde_json::Value {
        fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
            FromSql::<Jsonb, Pg>::from_sql(bytes)
        }
    }

    impl HasSqlType<PortableTimestamptz> for Pg {
        fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
            <Pg as HasSqlType<Timestamptz>>::metadata(lookup)
        }
    }

    impl ToSql<PortableTimestamptz, Pg> for DateTime<Utc> {
        fn to_sql<'b>(&'b self, out: &mut serialize::Output<'b, '_, Pg>) -> serialize::Result {
            ToSql::<Timestamptz, Pg>::to_sql(self, out)
        }
    }

    impl FromSql<PortableTimestamptz, Pg> for DateTime<Utc> {
        fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
            FromSql::<Timestamptz, Pg>::from_sql(bytes)
        }
    }

    impl HasSqlType<PortableUuid> for Pg {
        fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
            <Pg as HasSqlType<Uuid>>::metadata(lookup)
        }
    }

    impl ToSql<PortableUuid, Pg> for uuid::Uuid {
        fn to_sql<'b>(&'b self, out: &mut serialize::Output<'b, '_, Pg>) -> serialize::Result {
            ToSql::<Uuid, Pg>::to_sql(self, out)
        }
    }

    impl FromSql<PortableUuid, Pg> for uuid::Uuid {
        fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
            FromSql::<Uuid, Pg>::from_sql(bytes)
        }
    }
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use diesel::sql_types::{HasSqlType, Text, TimestamptzSqlite};
    use diesel::sqlite::{Sqlite, SqliteValue};

    use super::*;

    fn text<'b>(out: &mut serialize::Output<'b, '_, Sqlite>, value: String) -> serialize::Result {
        out.set_value(value);
        Ok(serialize::IsNull::No)
    }

    impl HasSqlType<HistoryDate> for Sqlite {
        fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
            <Sqlite as HasSqlType<Text>>::metadata(lookup)
        }
    }

    impl ToSql<HistoryDate, Sqlite> for DateTime<Utc> {
        fn to_sql<'b>(&'b self, out: &mut serialize::Output<'b, '_, Sqlite>) -> serialize::Result {
            text(out, date_text(self))
        }
    }

    impl FromSql<HistoryDate, Sqlite> for DateTime<Utc> {
        fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
            let s = <String as FromSql<Text, Sqlite>>::from_sql(value)?;
            chrono::NaiveDateTime::parse_from_str(&s, DATE_TEXT_FORMAT)
                .map(|naive| naive.and_utc())
                .map_err(|e| format!("invalid history_date `{s}`: {e}").into())
        }
    }

    impl HasSqlType<HistoryTypeCode> for Sqlite {
        fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
            <Sqlite as HasSqlType<Text>>::metadata(lookup)
        }
    }

    impl ToSql<HistoryTypeCode, Sqlite> for HistoryType {
        fn to_sql<'b>(&'b self, out: &mut serialize::Output<'b, '_, Sqlite>) -> serialize::Result {
            ToSql::<Text, Sqlite>::to_sql(self.as_str(), out)
        }
    }

    impl FromSql<HistoryTypeCode, Sqlite> for HistoryType {
        fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
            parse_history_type(&<String as FromSql<Text, Sqlite>>::from_sql(value)?)
        }
    }

    impl HasSqlType<HistoryMetadata> for Sqlite {
        fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
            <Sqlite as HasSqlType<Text>>::metadata(lookup)
        }
    }

    impl ToSql<HistoryMetadata, Sqlite> for serde_json::Value {
        fn to_sql<'b>(&'b self, out: &mut serialize::Output<'b, '_, Sqlite>) -> serialize::Result {
            text(out, self.to_string())
        }
    }

    impl FromSql<HistoryMetadata, Sqlite> for serde_json::Value {
        fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
            let s = <String as FromSql<Text, Sqlite>>::from_sql(value)?;
            Ok(serde_json::from_str(&s)?)
        }
    }

    impl HasSqlType<PortableTimestamptz> for Sqlite {
        fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
            <Sqlite as HasSqlType<TimestamptzSqlite>>::metadata(lookup)
        }
    }

    impl ToSql<PortableTimestamptz, Sqlite> for DateTime<Utc> {
        fn to_sql<'b>(&'b self, out: &mut serialize::Output<'b, '_, Sqlite>) -> serialize::Result {
            ToSql::<TimestamptzSqlite, Sqlite>::to_sql(self, out)
        }
    }

    impl FromSql<PortableTimestamptz, Sqlite> for DateTime<Utc> {
        fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
            FromSql::<TimestamptzSqlite, Sqlite>::from_sql(value)
        }
    }

    impl HasSqlType<PortableUuid> for Sqlite {
        fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
            <Sqlite as HasSqlType<Text>>::metadata(lookup)
        }
    }

    impl ToSql<PortableUuid, Sqlite> for uuid::Uuid {
        fn to_sql<'b>(&'b self, out: &mut serialize::Output<'b, '_, Sqlite>) -> serialize::Result {
            text(out, self.hyphenated().to_string())
        }
    }

    impl FromSql<PortableUuid, Sqlite> for uuid::Uuid {
        fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
            let s = <String as FromSql<Text, Sqlite>>::from_sql(value)?;
            Ok(uuid::Uuid::parse_str(&s)?)
        }
    }
}

#[cfg(feature = "mysql")]
mod mysql {
    use chrono::{NaiveDateTime, TimeZone};
    use diesel::mysql::{Mysql, MysqlValue};
    use diesel::sql_types::{Datetime, HasSqlType, Json, Text};

    use super::*;

    /// A UTC instant as MySQL's `DATETIME(6)`, which has no zone: the session's `time_zone`
    /// never touches it, unlike `TIMESTAMP`.
    fn datetime<'b>(
        date: &DateTime<Utc>,
        out: &mut serialize::Output<'b, '_, Mysql>,
    ) -> serialize::Result {
        let naive = audit_core::history_date::truncate_to_micros(*date).naive_utc();
        ToSql::<Datetime, Mysql>::to_sql(&naive, &mut out.reborrow())
    }

    fn from_datetime(value: MysqlValue<'_>) -> deserialize::Result<DateTime<Utc>> {
        let naive = <NaiveDateTime as FromSql<Datetime, Mysql>>::from_sql(value)?;
        Ok(Utc.from_utc_datetime(&naive))
    }

    impl HasSqlType<HistoryDate> for Mysql {
        fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
            <Mysql as HasSqlType<Datetime>>::metadata(lookup)
        }
    }

    impl ToSql<HistoryDate, Mysql> for DateTime<Utc> {
        fn to_sql<'b>(&'b self, out: &mut serialize::Output<'b, '_, Mysql>) -> serialize::Result {
            datetime(self, out)
        }
    }

    impl FromSql<HistoryDate, Mysql> for DateTime<Utc> {
        fn from_sql(value: MysqlValue<'_>) -> deserialize::Result<Self> {
            from_datetime(value)
        }
    }

    impl HasSqlType<HistoryTypeCode> for Mysql {
        fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
            <Mysql as HasSqlType<Text>>::metadata(lookup)
        }
    }

    impl ToSql<HistoryTypeCode, Mysql> for HistoryType {
        fn to_sql<'b>(&'b self, out: &mut serialize::Output<'b, '_, Mysql>) -> serialize::Result {
            ToSql::<Text, Mysql>::to_sql(self.as_str(), out)
        }
    }

    impl FromSql<HistoryTypeCode, Mysql> for HistoryType {
        fn from_sql(value: MysqlValue<'_>) -> deserialize::Result<Self> {
            parse_history_type(&<String as FromSql<Text, Mysql>>::from_sql(value)?)
        }
    }

    impl HasSqlType<HistoryMetadata> for Mysql {
        fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
            <Mysql as HasSqlType<Json>>::metadata(lookup)
        }
    }

    impl ToSql<HistoryMetadata, Mysql> for serde_json::Value {
        fn to_sql<'b>(&'b self, out: &mut serialize::Output<'b, '_, Mysql>) -> serialize::Result {
            ToSql::<Json, Mysql>::to_sql(self, out)
        }
    }

    impl FromSql<HistoryMetadata, Mysql> for serde_json::Value {
        fn from_sql(value: MysqlValue<'_>) -> deserialize::Result<Self> {
            FromSql::<Json, Mysql>::from_sql(value)
        }
    }

    impl HasSqlType<PortableTimestamptz> for Mysql {
        fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
            <Mysql as HasSqlType<Datetime>>::metadata(lookup)
        }
    }

    impl ToSql<PortableTimestamptz, Mysql> for DateTime<Utc> {
        fn to_sql<'b>(&'b self, out: &mut serialize::Output<'b, '_, Mysql>) -> serialize::Result {
            datetime(self, out)
        }
    }

    impl FromSql<PortableTimestamptz, Mysql> for DateTime<Utc> {
        fn from_sql(value: MysqlValue<'_>) -> deserialize::Result<Self> {
            from_datetime(value)
        }
    }

    /// Its 36-character hyphenated text, in a `CHAR(36)` column: MySQL has no UUID type.
    impl HasSqlType<PortableUuid> for Mysql {
        fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
            <Mysql as HasSqlType<Text>>::metadata(lookup)
        }
    }

    impl ToSql<PortableUuid, Mysql> for uuid::Uuid {
        fn to_sql<'b>(&'b self, out: &mut serialize::Output<'b, '_, Mysql>) -> serialize::Result {
            use std::io::Write;
            let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
            let text = self.hyphenated().encode_lower(&mut text);
            out.write_all(text.as_bytes())?;
            Ok(serialize::IsNull::No)
        }
    }

    impl FromSql<PortableUuid, Mysql> for uuid::Uuid {
        fn from_sql(value: MysqlValue<'_>) -> deserialize::Result<Self> {
            let s = <String as FromSql<Text, Mysql>>::from_sql(value)?;
            Ok(uuid::Uuid::parse_str(&s)?)
        }
    }
}

/// Implements this crate's SQL types for the backend a `#[derive(diesel::MultiConnection)]`
/// generates (`MultiBackend`), so that plain Diesel queries on such a connection read and write
/// history tables too (`historical_tanks::table.load::<HistoricalTank>(&mut multi)`).
///
/// Every backend of the `MultiConnection` must be one this crate supports. Audited calls need
/// none of this: they run on the variant's own connection ([`AuditConnection`](crate::AuditConnection)).
///
/// ```
/// #[derive(diesel::MultiConnection)]
/// pub enum AnyConnection {
///     Sqlite(diesel::SqliteConnection),
/// }
///
/// audit_diesel::multi_backend_types!(MultiBackend);
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! multi_backend_types {
    ($backend:ty) => {
        $crate::__multi_backend_type!(
            $backend,
            $crate::sql_types::HistoryDate,
            $crate::__private_0_1::chrono::DateTime<$crate::__private_0_1::chrono::Utc>
        );
        $crate::__multi_backend_type!(
            $backend,
            $crate::sql_types::PortableTimestamptz,
            $crate::__private_0_1::chrono::DateTime<$crate::__private_0_1::chrono::Utc>
        );
        $crate::__multi_backend_type!(
            $backend,
            $crate::sql_types::HistoryTypeCode,
            $crate::HistoryType
        );
        $crate::__multi_backend_type!(
            $backend,
            $crate::sql_types::HistoryMetadata,
            $crate::__private_0_1::serde_json::Value
        );
        $crate::__multi_backend_type!(
            $backend,
            $crate::sql_types::PortableUuid,
            $crate::__private_0_1::uuid::Uuid
        );
    };
}

/// One SQL type of [`multi_backend_types!`].
#[macro_export]
#[doc(hidden)]
macro_rules! __multi_backend_type {
    ($backend:ty, $st:ty, $rust:ty) => {
        impl $crate::__private_0_1::diesel::sql_types::HasSqlType<$st> for $backend {
            fn metadata(
                lookup: &mut <Self as $crate::__private_0_1::diesel::sql_types::TypeMetadata>::MetadataLookup,
            ) -> <Self as $crate::__private_0_1::diesel::sql_types::TypeMetadata>::TypeMetadata {
                <$backend>::lookup_sql_type::<$st>(lookup)
            }
        }

        impl $crate::__private_0_1::diesel::deserialize::FromSql<$st, $backend> for $rust {
            fn from_sql(
                bytes: <$backend as $crate::__private_0_1::diesel::backend::Backend>::RawValue<'_>,
            ) -> $crate::__private_0_1::diesel::deserialize::Result<Self> {
                bytes.from_sql::<$rust, $st>()
            }
        }

        impl $crate::__private_0_1::diesel::serialize::ToSql<$st, $backend> for $rust {
            fn to_sql<'b>(
                &'b self,
                out: &mut $crate::__private_0_1::diesel::serialize::Output<'b, '_, $backend>,
            ) -> $crate::__private_0_1::diesel::serialize::Result {
                out.set_value((<$st>::default(), self));
                ::core::result::Result::Ok($crate::__private_0_1::diesel::serialize::IsNull::No)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};

    #[test]
    fn date_text_matches_chronos_format_of_the_stored_date() {
        let dates = [
            Utc.with_ymd_and_hms(2026, 11, 26, 9, 5, 3).unwrap(),
            Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap()
                + chrono::TimeDelta::nanoseconds(999_999_999),
            Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
                + chrono::TimeDelta::microseconds(120),
            NaiveDate::from_ymd_opt(2016, 12, 31)
                .unwrap()
                .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
                .unwrap()
                .and_utc(),
        ];
        for date in dates {
            let stored = audit_core::history_date::truncate_to_micros(date);
            assert_eq!(
                date_text(&date),
                stored.format(DATE_TEXT_FORMAT).to_string()
            );
        }
        // A leap second is the last microsecond before it, as every backend stores it.
        assert_eq!(date_text(&dates[4]), "2016-12-31 23:59:59.999999");
    }
}
