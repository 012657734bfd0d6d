//! What a history table holds, as plain data.

use std::borrow::Cow;

/// A name: borrowed in the `const` specs the derive emits, owned when parsed at build time.
pub type Name = Cow<'static, str>;

/// Names of the columns every history table adds to the tracked columns.
pub mod meta {
    /// Primary key of the history row.
    pub const HISTORY_ID: &str = "history_id";
    /// When the change happened (UTC, microseconds).
    pub const HISTORY_DATE: &str = "history_date";
    /// `+`, `~` or `-`.
    pub const HISTORY_TYPE: &str = "history_type";
    /// Who made the change; no foreign key.
    pub const HISTORY_USER_ID: &str = "history_user_id";
    /// Why.
    pub const HISTORY_CHANGE_REASON: &str = "history_change_reason";
    /// The context's JSON metadata, in models with `#[historical(metadata)]`.
    pub const HISTORY_METADATA: &str = "history_metadata";
    /// All of them: a model may not track a column with one of these names.
    pub const ALL: [&str; 6] = [
        HISTORY_ID,
        HISTORY_DATE,
        HISTORY_TYPE,
        HISTORY_USER_ID,
        HISTORY_CHANGE_REASON,
        HISTORY_METADATA,
    ];
}

/// The SQL type of a tracked column, as far as DDL needs it.
///
/// The names are Diesel's (`Integer`, `Text`, `Timestamptz`, ...); [`crate::ddl`] turns each into
/// the column type of a dialect. A type Diesel does not define (a PostgreSQL enum, a domain) is
/// [`SqlType::Custom`] and carries its DDL text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum SqlType {
    /// `SmallInt`, `i16`.
    SmallInt,
    /// `Integer`, `i32`.
    Integer,
    /// `BigInt`, `i64`.
    BigInt,
    /// `Float`, `f32`.
    Float,
    /// `Double`, `f64`.
    Double,
    /// `Numeric`, `BigDecimal`.
    Numeric,
    /// `Bool`, `bool`.
    Bool,
    /// `Text` (and its alias `Varchar`), `String`.
    Text,
    /// `Binary`, `Vec<u8>`.
    Binary,
    /// `Date`, `NaiveDate`.
    Date,
    /// `Time`, `NaiveTime`.
    Time,
    /// `Timestamp`, `NaiveDateTime`.
    Timestamp,
    /// `Timestamptz` (PostgreSQL) or `TimestamptzSqlite`, `DateTime<Utc>`.
    Timestamptz,
    /// `Uuid`, `uuid::Uuid`.
    Uuid,
    /// `Json`.
    Json,
    /// `Jsonb`, `serde_json::Value`.
    Jsonb,
    /// A type Diesel does not define; the text is its DDL, used as is in every dialect.
    Custom(Name),
}

impl SqlType {
    /// The type for a Diesel SQL type name (the last segment of its path), if it is one of
    /// Diesel's own.
    ///
    /// ```
    /// use audit_schema::SqlType;
    /// assert_eq!(SqlType::from_diesel_name("Varchar"), Some(SqlType::Text));
    /// assert_eq!(SqlType::from_diesel_name("Int4"), Some(SqlType::Integer));
    /// assert_eq!(SqlType::from_diesel_name("MoodEnum"), None);
    /// ```
    pub fn from_diesel_name(name: &str) -> Option<SqlType> {
        Some(match name {
            "SmallInt" | "Int2" | "Smallint" => SqlType::SmallInt,
            "Integer" | "Int4" => SqlType::Integer,
            "BigInt" | "Int8" | "Bigint" => SqlType::BigInt,
            "Float" | "Float4" => SqlType::Float,
            "Double" | "Float8" => SqlType::Double,
            "Numeric" | "Decimal" => SqlType::Numeric,
            "Bool" => SqlType::Bool,
            "Text" | "Varchar" | "VarChar" => SqlType::Text,
            "Binary" | "Bytea" | "Blob" => SqlType::Binary,
            "Date" => SqlType::Date,
            "Time" => SqlType::Time,
            "Timestamp" | "Datetime" => SqlType::Timestamp,
            "Timestamptz" | "TimestamptzSqlite" => SqlType::Timestamptz,
            "Uuid" => SqlType::Uuid,
            "Json" => SqlType::Json,
            "Jsonb" => SqlType::Jsonb,
            _ => return None,
        })
    }
}

/// One tracked column: copied from the source table into the history table.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ColumnSpec {
    /// The column's name, in the source and in the history table.
    pub name: Name,
    /// Its SQL type.
    pub sql_type: SqlType,
    /// Whether it takes NULL (the history column has the same nullability).
    pub nullable: bool,
    /// Worth an index of its own in history (a foreign key: "all feedings of batch 7").
    pub indexed: bool,
}

/// The SQL type of `history_user_id`, chosen per model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum UserIdType {
    /// `INTEGER`: `i32` user ids.
    I32,
    /// `BIGINT`: `i64` user ids (the default: it holds any integer id).
    I64,
    /// `UUID` (text on SQLite and MySQL).
    Uuid,
    /// Text: usernames, emails, external subjects.
    Text,
}

impl UserIdType {
    /// The attribute value that selects it: `i32`, `i64`, `uuid` or `text`.
    pub fn from_attr(name: &str) -> Option<UserIdType> {
        Some(match name {
            "i32" => UserIdType::I32,
            "i64" => UserIdType::I64,
            "uuid" | "Uuid" => UserIdType::Uuid,
            "text" | "String" => UserIdType::Text,
            _ => return None,
        })
    }
}

/// The kind of `history_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum HistoryIdType {
    /// An auto-increment `BIGINT` (the default): compact, and ordered by insertion.
    BigInt,
    /// A random UUID made by the database, for trails merged across databases.
    Uuid,
}

impl HistoryIdType {
    /// The attribute value that selects it: `bigint` or `uuid`.
    pub fn from_attr(name: &str) -> Option<HistoryIdType> {
        Some(match name {
            "bigint" | "i64" => HistoryIdType::BigInt,
            "uuid" | "Uuid" => HistoryIdType::Uuid,
            _ => return None,
        })
    }
}

/// Everything needed to create, query and check one model's history table.
///
/// The derive emits it as `<Model as Historical>::HISTORY`; `audit_schema::parse` builds the same
/// value from the model's source for the migration generator.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct HistoryTableSpec {
    /// The model's Rust name, for messages (`Batch`).
    pub model: Name,
    /// The source table (`batches`).
    pub source_table: Name,
    /// The history table (`historical_batches` unless renamed).
    pub history_table: Name,
    /// The tracked columns, in the model's field order.
    pub columns: Cow<'static, [ColumnSpec]>,
    /// The source's primary key columns, in key order (all of them tracked). History is indexed
    /// on them, but they are no key there: an object has many history rows.
    pub primary_key: Cow<'static, [Name]>,
    /// Columns of the model that are deliberately not tracked.
    pub excluded: Cow<'static, [Name]>,
    /// SQL type of `history_user_id`.
    pub user_id: UserIdType,
    /// Kind of `history_id`.
    pub history_id: HistoryIdType,
    /// Whether the table has `history_metadata`, the context's JSON metadata.
    pub metadata: bool,
}

impl HistoryTableSpec {
    /// Whether `name` is part of the source's primary key.
    pub fn is_primary_key(&self, name: &str) -> bool {
        self.primary_key.iter().any(|k| k == name)
    }

    /// The tracked column named `name`.
    pub fn column(&self, name: &str) -> Option<&ColumnSpec> {
        self.columns.iter().find(|c| c.name == name)
    }
}
