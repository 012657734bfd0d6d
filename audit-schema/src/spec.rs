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
    /// The changeset the row belongs to: every history row of one business action (one
    /// database transaction, or one explicit id) shares it. UUID; NULL in rows older than it.
    pub const HISTORY_CHANGESET_ID: &str = "history_changeset_id";
    /// The `history_id` of the object's previous row, in tables with a hash chain.
    pub const HISTORY_PREV_ID: &str = "history_prev_id";
    /// `sha256(previous row's hash || this row's encoding)`, in tables with a hash chain.
    pub const HISTORY_HASH: &str = "history_hash";
    /// All of them: a model may not track a column with one of these names.
    pub const ALL: [&str; 9] = [
        HISTORY_ID,
        HISTORY_DATE,
        HISTORY_TYPE,
        HISTORY_USER_ID,
        HISTORY_CHANGE_REASON,
        HISTORY_METADATA,
        HISTORY_CHANGESET_ID,
        HISTORY_PREV_ID,
        HISTORY_HASH,
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
    /// Diesel's names of each type Diesel defines: the first name of a type is its own (and the
    /// variant's), the others are Diesel's aliases. The one table of SQL type names: parsing a
    /// `sql_type` path and naming the type in generated code both read it.
    const DIESEL_NAMES: &'static [(&'static str, SqlType)] = &[
        ("SmallInt", SqlType::SmallInt),
        ("Int2", SqlType::SmallInt),
        ("Smallint", SqlType::SmallInt),
        ("Integer", SqlType::Integer),
        ("Int4", SqlType::Integer),
        ("BigInt", SqlType::BigInt),
        ("Int8", SqlType::BigInt),
        ("Bigint", SqlType::BigInt),
        ("Float", SqlType::Float),
        ("Float4", SqlType::Float),
        ("Double", SqlType::Double),
        ("Float8", SqlType::Double),
        ("Numeric", SqlType::Numeric),
        ("Decimal", SqlType::Numeric),
        ("Bool", SqlType::Bool),
        ("Text", SqlType::Text),
        ("Varchar", SqlType::Text),
        ("VarChar", SqlType::Text),
        ("Binary", SqlType::Binary),
        ("Bytea", SqlType::Binary),
        ("Blob", SqlType::Binary),
        ("Date", SqlType::Date),
        ("Time", SqlType::Time),
        ("Timestamp", SqlType::Timestamp),
        ("Datetime", SqlType::Timestamp),
        ("Timestamptz", SqlType::Timestamptz),
        ("TimestamptzSqlite", SqlType::Timestamptz),
        ("Uuid", SqlType::Uuid),
        ("Json", SqlType::Json),
        ("Jsonb", SqlType::Jsonb),
    ];

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
        Self::DIESEL_NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| t.clone())
    }

    /// Diesel's own name of the type (`diesel::sql_types::<name>`), which is also the name of
    /// its variant here; `None` for [`SqlType::Custom`].
    ///
    /// ```
    /// use audit_schema::SqlType;
    /// assert_eq!(SqlType::Text.diesel_name(), Some("Text"));
    /// assert_eq!(SqlType::Custom("mood".into()).diesel_name(), None);
    /// ```
    pub fn diesel_name(&self) -> Option<&'static str> {
        Self::DIESEL_NAMES
            .iter()
            .find(|(_, t)| t == self)
            .map(|(n, _)| *n)
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
    /// The attribute values that select each kind; the first of a kind is its name.
    const ATTR_NAMES: &'static [(&'static str, UserIdType)] = &[
        ("i32", UserIdType::I32),
        ("i64", UserIdType::I64),
        ("uuid", UserIdType::Uuid),
        ("Uuid", UserIdType::Uuid),
        ("text", UserIdType::Text),
        ("String", UserIdType::Text),
    ];

    /// The attribute value that selects it: `i32`, `i64`, `uuid` or `text`.
    ///
    /// ```
    /// use audit_schema::UserIdType;
    /// assert_eq!(UserIdType::from_attr("uuid"), Some(UserIdType::Uuid));
    /// assert_eq!(UserIdType::from_attr("u8"), None);
    /// ```
    pub fn from_attr(name: &str) -> Option<UserIdType> {
        from_attr(Self::ATTR_NAMES, name)
    }

    /// The accepted attribute values, for messages: `` `i32`, `i64`, `uuid` or `text` ``.
    pub fn expected() -> String {
        expected(Self::ATTR_NAMES)
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
    /// The attribute values that select each kind; the first of a kind is its name.
    const ATTR_NAMES: &'static [(&'static str, HistoryIdType)] = &[
        ("bigint", HistoryIdType::BigInt),
        ("i64", HistoryIdType::BigInt),
        ("uuid", HistoryIdType::Uuid),
        ("Uuid", HistoryIdType::Uuid),
    ];

    /// The attribute value that selects it: `bigint` or `uuid`.
    pub fn from_attr(name: &str) -> Option<HistoryIdType> {
        from_attr(Self::ATTR_NAMES, name)
    }

    /// The accepted attribute values, for messages: `` `bigint` or `uuid` ``.
    pub fn expected() -> String {
        expected(Self::ATTR_NAMES)
    }
}

fn from_attr<T: Copy>(names: &[(&str, T)], name: &str) -> Option<T> {
    names.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// The first name of each kind, as "`a`, `b` or `c`".
fn expected<T: PartialEq>(names: &[(&str, T)]) -> String {
    let firsts: Vec<String> = names
        .iter()
        .enumerate()
        .filter(|(i, (_, t))| !names[..*i].iter().any(|(_, u)| u == t))
        .map(|(_, (n, _))| format!("`{n}`"))
        .collect();
    match firsts.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// What the database does with a write to a model's source table that did not come through
/// the library (a plain `diesel::update`, a SQL console, another program): the guard of
/// `#[historical(guard = refuse)]` or `#[historical(guard = record)]`.
///
/// Its triggers sit on the source table and let the library's own writes through: on PostgreSQL
/// they compare a transaction-local marker that the library's statement sets with the current
/// statement's start time, so the marker never covers a later statement; on SQLite they call a
/// function the library registers on its connections, true only while it runs its own change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum SourceGuard {
    /// No guard (the default): writes that bypass the library leave no history, and `drift`
    /// finds them afterwards.
    #[default]
    Off,
    /// The database refuses `INSERT`, `UPDATE`, `DELETE` (and `TRUNCATE` on PostgreSQL) of the
    /// source table that do not come through the library.
    Refuse,
    /// The database lets them through and writes their history rows itself, with no user and a
    /// reason starting with [`SourceGuard::UNATTRIBUTED`].
    Record,
}

impl SourceGuard {
    /// How the change reason of a row the guard recorded starts; the statement's kind follows
    /// (`unattributed: UPDATE outside audit-diesel`).
    pub const UNATTRIBUTED: &'static str = "unattributed";

    const ATTR_NAMES: &'static [(&'static str, SourceGuard)] = &[
        ("off", SourceGuard::Off),
        ("refuse", SourceGuard::Refuse),
        ("record", SourceGuard::Record),
    ];

    /// The attribute value that selects it: `off`, `refuse` or `record`.
    ///
    /// ```
    /// # use audit_schema::spec::SourceGuard;
    /// assert_eq!(SourceGuard::from_attr("record"), Some(SourceGuard::Record));
    /// assert_eq!(SourceGuard::from_attr("deny"), None);
    /// ```
    pub fn from_attr(name: &str) -> Option<SourceGuard> {
        from_attr(Self::ATTR_NAMES, name)
    }

    /// The accepted attribute values, for messages: `` `off`, `refuse` or `record` ``.
    pub fn expected() -> String {
        expected(Self::ATTR_NAMES)
    }

    /// Whether the source table has a guard at all.
    pub fn is_on(self) -> bool {
        self != SourceGuard::Off
    }

    /// The reason of a row the guard recorded for a statement of kind `op` (`INSERT`, ...).
    pub fn reason(op: &str) -> String {
        format!("{}: {op} outside audit-diesel", Self::UNATTRIBUTED)
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
    /// History-only columns (`#[historical(history_field(name: Option<T>))]`): in the history
    /// table only, filled from the context of each write; always nullable.
    #[cfg_attr(feature = "serde", serde(default))]
    pub history_fields: Cow<'static, [ColumnSpec]>,
    /// Whether the table has `history_changeset_id` (every table the derive declares does;
    /// `false` describes a table created before changesets, which a migration upgrades).
    #[cfg_attr(feature = "serde", serde(default))]
    pub changeset: bool,
    /// Whether the table is append-only: triggers refuse `UPDATE` and `DELETE` of its rows (and
    /// `TRUNCATE` on PostgreSQL) except inside the library's maintenance operations, which lift
    /// the guard for their own transaction. On unless `#[historical(append_only = false)]`;
    /// `false` also describes a table created before the guard, which a migration upgrades.
    #[cfg_attr(feature = "serde", serde(default))]
    pub append_only: bool,
    /// Whether the table has a hash chain per object (`history_prev_id`, `history_hash`), which
    /// `verify` recomputes to find edited, deleted, inserted and reordered rows. On unless
    /// `#[historical(chain = false)]` (or the history id is a UUID); `false` also describes a
    /// table created before the chain, which a migration upgrades.
    #[cfg_attr(feature = "serde", serde(default))]
    pub chain: bool,
    /// What the source table does with writes that bypass the library
    /// (`#[historical(guard = refuse | record)]`); [`SourceGuard::Off`] unless asked for.
    #[cfg_attr(feature = "serde", serde(default))]
    pub guard: SourceGuard,
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

    /// The history-only column named `name`.
    pub fn history_field(&self, name: &str) -> Option<&ColumnSpec> {
        self.history_fields.iter().find(|c| c.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Generated code names a type's variant by its Diesel name: they must be the same.
    #[test]
    fn the_diesel_name_of_a_type_is_its_variant_name() {
        for (_, t) in SqlType::DIESEL_NAMES {
            assert_eq!(t.diesel_name(), Some(format!("{t:?}").as_str()));
        }
    }

    #[test]
    fn messages_list_each_kind_once() {
        assert_eq!(UserIdType::expected(), "`i32`, `i64`, `uuid` or `text`");
        assert_eq!(HistoryIdType::expected(), "`bigint` or `uuid`");
    }
}
