//! The hash chain of a history table: two columns, the trigger that fills them as each row is
//! inserted, the canonical encoding of a row that both the trigger and `verify` hash, and the
//! shared log of re-anchoring (`audit_chain_anchors`).
//!
//! Every object (one primary-key value of the source) has its own chain, in the trail's order,
//! `(history_date, history_id)`. Each row stores
//!
//! - `history_prev_id`: the `history_id` of the object's previous row (NULL for its first), and
//! - `history_hash`: `sha256(hash of that previous row || encoding of this row)`, where the
//!   encoding ([`chain_encoding_sql`](HistoryTableSpec::chain_encoding_sql)) covers every stored
//!   column but the hash itself, `history_prev_id` included.
//!
//! The library inserts each history row with an empty `history_hash` (the marker "chain me"); a
//! trigger replaces it:
//!
//! | dialect | trigger | ordering of concurrent writers |
//! |---|---|---|
//! | PostgreSQL | `BEFORE INSERT` row trigger, PL/pgSQL, `sha256()` | the object's latest row is read with a fresh snapshot, after the write took the source row's lock: writers of one object queue on that lock (a create on the key's unique index), writers of different objects do not; the library's maintenance and backfill lock the history table against inserts for their transaction |
//! | SQLite | `AFTER INSERT` trigger that updates the new row, hashing with `audit_chain_link()`, a function audit-diesel registers on the connection | SQLite's writers take turns |
//! | MySQL | a procedure, `<history>_chain(first_id)`, that audit-diesel calls after each history insert ([`chain_call_sql`](HistoryTableSpec::chain_call_sql)): a MySQL trigger sees no `AUTO_INCREMENT` id before the insert and cannot update its table after it; `SHA2()` | the object's latest row is read `LOCK IN SHARE MODE` (the newest committed version), after the write took the source row's lock; maintenance reads the rows it re-links `FOR UPDATE` |
//!
//! A row inserted without the marker keeps its value (NULL by default) and `verify` reports it as
//! not chained: rows the library did not write stand out. A row dated before its object's latest
//! row is refused: an append-only, tamper-evident trail has no room for records slipped into the
//! past (import old history before the newer rows of the same object).

use super::Dialect;
use crate::spec::{meta, HistoryIdType, HistoryTableSpec, UserIdType};

/// The table that records every re-anchoring of a chain by the library's maintenance: which
/// history table, which operation, by whom, when and why, and how many rows it removed and
/// re-hashed. Shared by all history tables of a database; itself append-only and chained.
pub const ANCHORS_TABLE: &str = "audit_chain_anchors";

/// The SQLite function the chain trigger calls: `audit_chain_link(prev BLOB, encoding TEXT)`
/// is `sha256(prev || encoding)`. audit-diesel registers it on each connection it writes with.
pub const SQLITE_LINK_FUNCTION: &str = "audit_chain_link";

/// The columns of the anchors table, in order (its encoding for its own chain follows this order).
pub const ANCHOR_COLUMNS: [&str; 10] = [
    "anchor_id",
    "history_table",
    "operation",
    "detail",
    "anchored_by",
    "anchored_at",
    "rows_removed",
    "rows_rehashed",
    "prev_anchor_id",
    "anchor_hash",
];

/// How one column's value is written in the encoding, from its SQL type's name.
#[derive(Clone, Copy)]
enum Kind {
    /// An instant (`timestamptz`): in UTC.
    Instant,
    /// A `timestamp` without zone.
    Timestamp,
    /// A `date`.
    Date,
    /// `double precision`: its IEEE bytes.
    Double,
    /// `real`: its IEEE bytes.
    Float,
    /// `bytea`: hex.
    Binary,
    /// Text, numbers, UUIDs, JSON: the value's text form, which no session setting changes.
    Plain,
}

impl Kind {
    /// The kind of a column whose type is named `name`, as DDL writes it (`TIMESTAMPTZ NOT
    /// NULL`) or as PostgreSQL's catalog does (`timestamp with time zone`): the same for both,
    /// so the trigger (written from the model) and `verify` (reading the catalog) agree.
    fn of_type(name: &str) -> Kind {
        let lower = name.trim().to_ascii_lowercase();
        // Arrays are written as their text, whatever their elements.
        if lower.contains('[') || lower.starts_with("_") || lower.contains(" array") {
            return Kind::Plain;
        }
        // The type alone: without a precision (`timestamp(3) with time zone`) and without what
        // a column definition adds after it.
        let mut bare = String::new();
        let mut depth = 0usize;
        let mut precision = String::new();
        for c in lower.chars() {
            match c {
                '(' => depth = depth.saturating_add(1),
                ')' => depth = depth.saturating_sub(1),
                _ if depth > 0 => precision.push(c),
                _ => bare.push(c),
            }
        }
        let words: Vec<&str> = bare.split_whitespace().collect();
        let end = words
            .iter()
            .position(|w| {
                matches!(
                    *w,
                    "not"
                        | "null"
                        | "default"
                        | "check"
                        | "primary"
                        | "generated"
                        | "references"
                        | "unique"
                        | "collate"
                        | "constraint"
                )
            })
            .unwrap_or(words.len());
        let base = words[..end].join(" ");
        match base.as_str() {
            "timestamptz" | "timestamp with time zone" => Kind::Instant,
            "timestamp" | "timestamp without time zone" => Kind::Timestamp,
            "date" => Kind::Date,
            "double precision" | "float8" => Kind::Double,
            "real" | "float4" => Kind::Float,
            // PostgreSQL's `float(p)`: `real` up to 24 bits, else `double precision`.
            "float" => match precision.trim().parse::<u32>() {
                Ok(bits) if bits <= 24 => Kind::Float,
                _ => Kind::Double,
            },
            "bytea" => Kind::Binary,
            _ => Kind::Plain,
        }
    }

    /// The kind of a MySQL column whose type is named `name`, as DDL writes it (`VARBINARY(32)`)
    /// or as `information_schema` does (`varbinary`): bytes are written in hex, everything else
    /// as `QUOTE()` writes it, which no session setting changes (`DATETIME(6)` has no zone, and
    /// MySQL writes numbers in one form).
    fn of_mysql_type(name: &str) -> Kind {
        let lower = name.trim().to_ascii_lowercase();
        let base = lower.split(['(', ' ']).next().unwrap_or_default();
        if base.ends_with("binary") || base.ends_with("blob") {
            Kind::Binary
        } else {
            Kind::Plain
        }
    }

    /// The kind of a column of `dialect` whose type is named `name`.
    fn of(dialect: Dialect, name: &str) -> Kind {
        match dialect {
            Dialect::Postgres => Kind::of_type(name),
            Dialect::Mysql => Kind::of_mysql_type(name),
            Dialect::Sqlite => Kind::Plain,
        }
    }
}

/// `'text'` as an SQL string literal.
/// `message` as the format string of PL/pgSQL's `RAISE` inside a quoted literal: its `%` kept,
/// its `\u{1}` the one placeholder, its quotes doubled.
pub(super) fn plpgsql_message(message: &str) -> String {
    message
        .replace('%', "%%")
        .replace('\u{1}', "%")
        .replace('\'', "''")
}

/// The empty hash the library inserts to mark a history row "chain me".
pub(super) fn chain_marker(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => "'\\x'::bytea",
        Dialect::Sqlite | Dialect::Mysql => "X''",
    }
}

pub(super) fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// `parts` joined by `||` (by `CONCAT` as utf8mb4 text on MySQL, where `||` is OR), or the
/// empty string.
fn join_parts(dialect: Dialect, parts: Vec<String>) -> String {
    if parts.is_empty() {
        return "''".to_owned();
    }
    match dialect {
        Dialect::Mysql => format!("CONVERT(CONCAT({}) USING utf8mb4)", parts.join(", ")),
        Dialect::Postgres | Dialect::Sqlite => parts.join(" || "),
    }
}

/// The base encoding over `columns` (name, SQL type name), in name order: what
/// [`HistoryTableSpec::chain_encoding_sql`] writes from a model, and what `verify` writes from
/// the database's catalog, so that both encode the same columns the same way whatever their
/// order in the struct or the table, and a column the model no longer tracks (kept in the
/// table) on both sides. The chain's own two columns are left out.
pub fn chain_encoding_of_columns(
    dialect: Dialect,
    row: &str,
    columns: &[(String, String)],
) -> String {
    let mut columns: Vec<&(String, String)> = columns
        .iter()
        .filter(|(name, _)| name != meta::HISTORY_PREV_ID && name != meta::HISTORY_HASH)
        .collect();
    columns.sort_by(|a, b| a.0.cmp(&b.0));
    let parts = columns
        .into_iter()
        .map(|(name, ty)| {
            let kind = Kind::of(dialect, ty);
            let expr = format!("{}.{}", qualifier(dialect, row), dialect.quote(name));
            HistoryTableSpec::part(dialect, name, &expr, kind)
        })
        .collect();
    join_parts(dialect, parts)
}

impl HistoryTableSpec {
    /// Whether this table's history is chained: [`chain`](Self::chain) and a `BIGINT`
    /// `history_id` (which orders the chain's checkpoints).
    pub fn chained(&self) -> bool {
        self.chain && self.history_id == HistoryIdType::BigInt
    }

    /// Every column of the table with its DDL type, the chain's own two excepted: what the
    /// encoding covers.
    pub fn chain_columns(&self, dialect: Dialect) -> Vec<(String, String)> {
        self.column_definitions(dialect)
            .into_iter()
            .filter(|(name, _)| *name != meta::HISTORY_PREV_ID && *name != meta::HISTORY_HASH)
            .map(|(name, definition)| {
                let quoted = dialect.quote(name);
                let ty = definition
                    .strip_prefix(quoted.as_str())
                    .unwrap_or(&definition)
                    .trim()
                    .to_owned();
                (name.to_owned(), ty)
            })
            .collect()
    }

    /// The SQL expression of the base encoding of a row of this table, the columns read as
    /// `<row>."<column>"` (`row` is `NEW` in the trigger, a table alias in `verify`). A row's
    /// whole encoding is its base encoding followed by
    /// [`chain_prev_encoding`](Self::chain_prev_encoding) of its `history_prev_id`, and its hash
    /// is `sha256(previous row's hash || whole encoding)` (an empty previous hash for the first
    /// row of an object, or after a row without hash).
    ///
    /// Each non-NULL column contributes `name=<quoted value>,`, in the order of the column
    /// names; a NULL column contributes nothing, so a column added later (NULL in older rows)
    /// leaves older rows' encodings as they were. Values are written in forms no session setting
    /// changes: instants in UTC with microseconds, floating-point numbers by their IEEE bytes on
    /// PostgreSQL (SQLite's `quote()` writes them exactly), bytes in hex. Types the library does
    /// not know (a custom `ddl_type`, arrays) are written as their text, which some settings
    /// change (PostgreSQL's `IntervalStyle`, for one).
    ///
    /// ```
    /// # use std::borrow::Cow;
    /// # use audit_schema::*;
    /// # let spec = HistoryTableSpec { model: "T".into(), source_table: "t".into(),
    /// #   history_table: "historical_t".into(), columns: Cow::Owned(vec![
    /// #     ColumnSpec { name: "id".into(), sql_type: SqlType::Integer, nullable: false, indexed: false }]),
    /// #   primary_key: Cow::Owned(vec!["id".into()]), excluded: Cow::Owned(vec![]),
    /// #   user_id: UserIdType::I64, history_id: HistoryIdType::BigInt, metadata: false,
    /// #   history_fields: Cow::Owned(vec![]), changeset: false, append_only: true, chain: true,
    /// #   guard: SourceGuard::Off };
    /// let sql = spec.chain_encoding_sql(Dialect::Sqlite, "h");
    /// assert!(sql.starts_with(r#"CASE WHEN "h"."history_change_reason" IS NULL THEN '' ELSE 'history_change_reason=' || quote("h"."history_change_reason") || ',' END || "#));
    /// assert_eq!(HistoryTableSpec::chain_prev_encoding(Dialect::Sqlite, Some(7)), "history_prev_id=7,");
    /// assert_eq!(HistoryTableSpec::chain_prev_encoding(Dialect::Postgres, Some(7)), "history_prev_id='7',");
    /// ```
    pub fn chain_encoding_sql(&self, dialect: Dialect, row: &str) -> String {
        chain_encoding_of_columns(dialect, row, &self.chain_columns(dialect))
    }

    /// The part of a row's encoding that `history_prev_id` contributes, as the SQL of the
    /// trigger writes it: what the library appends in Rust to a base encoding.
    pub fn chain_prev_encoding(dialect: Dialect, prev: Option<i64>) -> String {
        match (dialect, prev) {
            (_, None) => String::new(),
            // `quote_literal()` and MySQL's `QUOTE()` write a number as a string literal.
            (Dialect::Postgres | Dialect::Mysql, Some(id)) => {
                format!("{}='{id}',", meta::HISTORY_PREV_ID)
            }
            (Dialect::Sqlite, Some(id)) => format!("{}={id},", meta::HISTORY_PREV_ID),
        }
    }

    /// The SQL of the part `history_prev_id` contributes, its value being `expr`.
    fn prev_encoding_sql(dialect: Dialect, expr: &str) -> String {
        Self::part(dialect, meta::HISTORY_PREV_ID, expr, Kind::Plain)
    }

    /// The encoding of the object key alone (the primary-key columns, in key order): the text
    /// that names an object in `verify`'s report.
    pub fn chain_object_sql(&self, dialect: Dialect, row: &str) -> String {
        let parts: Vec<String> = self
            .primary_key
            .iter()
            .map(|k| {
                let kind = self.column(k).map_or(Kind::Plain, |c| {
                    Kind::of(dialect, &dialect.column_type(&c.sql_type, true))
                });
                let expr = format!("{}.{}", qualifier(dialect, row), dialect.quote(k));
                Self::part(dialect, k, &expr, kind)
            })
            .collect();
        join_parts(dialect, parts)
    }

    /// An SQL expression that writes the key of the row as a condition on the table's key
    /// columns (`"id" = '7' AND ...`), each value a literal the column reads back: how a
    /// cleanup's `DELETE ... RETURNING` names the objects whose chains it re-links.
    pub fn chain_key_condition_sql(&self, dialect: Dialect) -> String {
        let parts: Vec<String> = self
            .primary_key
            .iter()
            .map(|k| {
                let label = literal(&format!("{} = ", dialect.quote(k)));
                let value = match dialect {
                    Dialect::Postgres => format!("quote_literal({}::text)", dialect.quote(k)),
                    Dialect::Sqlite | Dialect::Mysql => format!("quote({})", dialect.quote(k)),
                };
                match dialect {
                    // `||` is OR on MySQL.
                    Dialect::Mysql => format!("{label}, {value}"),
                    Dialect::Postgres | Dialect::Sqlite => format!("{label} || {value}"),
                }
            })
            .collect();
        match dialect {
            Dialect::Mysql => format!("CONCAT({})", parts.join(", ' AND ', ")),
            Dialect::Postgres | Dialect::Sqlite => parts.join(" || ' AND ' || "),
        }
    }

    /// `name=<quoted value>,`, or nothing when the value is NULL.
    fn part(dialect: Dialect, name: &str, expr: &str, kind: Kind) -> String {
        let label = literal(&format!("{name}="));
        match dialect {
            Dialect::Postgres => format!(
                "coalesce({label} || quote_literal({}) || ',', '')",
                pg_value(expr, kind)
            ),
            Dialect::Sqlite => {
                format!("CASE WHEN {expr} IS NULL THEN '' ELSE {label} || quote({expr}) || ',' END")
            }
            // MySQL's `QUOTE(NULL)` is the word `NULL`, not NULL.
            Dialect::Mysql => format!(
                "IF({expr} IS NULL, '', CONCAT({label}, QUOTE({}), ','))",
                mysql_value(expr, kind)
            ),
        }
    }

    /// `<a>."k1" = <b>."k1" AND ...` over the primary key.
    pub(super) fn same_object(&self, dialect: Dialect, a: &str, b: &str) -> String {
        self.primary_key
            .iter()
            .map(|k| {
                format!(
                    "{}.{k} = {}.{k}",
                    qualifier(dialect, a),
                    qualifier(dialect, b),
                    k = dialect.quote(k)
                )
            })
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// The definitions of the two chain columns: `history_prev_id` and `history_hash`.
    pub(super) fn chain_definitions(&self, dialect: Dialect) -> [(&'static str, String); 2] {
        let bytes = match dialect {
            Dialect::Postgres => "BYTEA",
            Dialect::Sqlite => "BLOB",
            Dialect::Mysql => "VARBINARY(32)",
        };
        [
            (
                meta::HISTORY_PREV_ID,
                format!("{} BIGINT", dialect.quote(meta::HISTORY_PREV_ID)),
            ),
            (
                meta::HISTORY_HASH,
                format!("{} {bytes}", dialect.quote(meta::HISTORY_HASH)),
            ),
        ]
    }

    fn chain_name(&self, dialect: Dialect) -> String {
        self.index_name(dialect, "chain")
    }

    /// The statements that install the chain's trigger (none unless [`chained`](Self::chained)):
    /// on MySQL a procedure the library calls after each history insert.
    ///
    /// ```
    /// # use std::borrow::Cow;
    /// # use audit_schema::*;
    /// # let spec = HistoryTableSpec { model: "T".into(), source_table: "t".into(),
    /// #   history_table: "historical_t".into(), columns: Cow::Owned(vec![
    /// #     ColumnSpec { name: "id".into(), sql_type: SqlType::Integer, nullable: false, indexed: false }]),
    /// #   primary_key: Cow::Owned(vec!["id".into()]), excluded: Cow::Owned(vec![]),
    /// #   user_id: UserIdType::I64, history_id: HistoryIdType::BigInt, metadata: false,
    /// #   history_fields: Cow::Owned(vec![]), changeset: false, append_only: true, chain: true,
    /// #   guard: SourceGuard::Off };
    /// let pg = spec.chain_trigger_sql(Dialect::Postgres);
    /// assert!(pg[0].starts_with(r#"CREATE OR REPLACE FUNCTION "historical_t_chain"() RETURNS trigger"#));
    /// assert!(pg[1].starts_with(r#"CREATE TRIGGER "historical_t_chain" BEFORE INSERT ON "historical_t""#));
    /// ```
    pub fn chain_trigger_sql(&self, dialect: Dialect) -> Vec<String> {
        if !self.chained() {
            return Vec::new();
        }
        let name = self.chain_name(dialect);
        let table = dialect.quote(&self.history_table);
        let q = |c: &str| dialect.quote(c);
        let (id, date, hash, prev) = (
            q(meta::HISTORY_ID),
            q(meta::HISTORY_DATE),
            q(meta::HISTORY_HASH),
            q(meta::HISTORY_PREV_ID),
        );
        let backwards = |object: &str| {
            format!(
                "a history row of {object} in {} dated before that object's latest row is \
                 refused (the chain is append-only in time)",
                self.history_table
            )
        };
        match dialect {
            Dialect::Postgres => vec![
                format!(
                    "CREATE OR REPLACE FUNCTION {fun}() RETURNS trigger LANGUAGE plpgsql AS $audit$\n\
                     DECLARE\n\
                     \x20   head record;\n\
                     BEGIN\n\
                     \x20   IF NEW.{hash} IS DISTINCT FROM '\\x'::bytea THEN\n\
                     \x20       RETURN NEW;\n\
                     \x20   END IF;\n\
                     \x20   SELECT p.{id}, p.{date}, p.{hash} INTO head FROM {table} AS p\n\
                     \x20       WHERE {same} ORDER BY p.{date} DESC, p.{id} DESC LIMIT 1;\n\
                     \x20   IF head.{id} IS NOT NULL AND (head.{date}, head.{id}) > (NEW.{date}, NEW.{id}) THEN\n\
                     \x20       RAISE EXCEPTION '{message}', rtrim({key}, ',')\n\
                     \x20           USING ERRCODE = '22008', DETAIL = format('dated %s, the latest row (history id %s) %s', NEW.{date}, head.{id}, head.{date});\n\
                     \x20   END IF;\n\
                     \x20   NEW.{prev} := head.{id};\n\
                     \x20   NEW.{hash} := sha256(coalesce(head.{hash}, '\\x'::bytea) || convert_to({encoding} || {prev_part}, 'UTF8'));\n\
                     \x20   RETURN NEW;\n\
                     END\n\
                     $audit$",
                    fun = name_quoted(dialect, &name),
                    key = self.chain_object_sql(dialect, "NEW"),
                    same = self.same_object(dialect, "p", "NEW"),
                    message = plpgsql_message(&backwards("\u{1}")),
                    encoding = self.chain_encoding_sql(dialect, "NEW"),
                    prev_part = Self::prev_encoding_sql(dialect, &format!("NEW.{prev}")),
                ),
                format!(
                    "CREATE TRIGGER {trigger} BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION {fun}()",
                    trigger = name_quoted(dialect, &name),
                    fun = name_quoted(dialect, &name),
                ),
            ],
            Dialect::Sqlite => {
                let head = |column: &str| {
                    format!(
                        "SELECT p.{column} FROM {table} AS p WHERE {same} AND p.{id} <> NEW.{id} \
                         ORDER BY p.{date} DESC, p.{id} DESC LIMIT 1",
                        same = self.same_object(dialect, "p", "NEW"),
                    )
                };
                let head_id = head(&id);
                vec![format!(
                    "CREATE TRIGGER IF NOT EXISTS {trigger} AFTER INSERT ON {table} WHEN NEW.{hash} = X'' BEGIN\n\
                     \x20   SELECT RAISE(ABORT, {message}) FROM ({head_row}) AS head\n\
                     \x20       WHERE head.d > NEW.{date} OR (head.d = NEW.{date} AND head.i > NEW.{id});\n\
                     \x20   UPDATE {table} SET {prev} = ({head_id}),\n\
                     \x20       {hash} = {link}(coalesce((SELECT p.{hash} FROM {table} AS p WHERE p.{id} = ({head_id})), X''), {encoding} || {prev_part})\n\
                     \x20       WHERE {id} = NEW.{id};\n\
                     END",
                    trigger = name_quoted(dialect, &name),
                    message = literal(&backwards("an object")),
                    head_row = format!(
                        "SELECT p.{date} AS d, p.{id} AS i FROM {table} AS p WHERE {same} AND p.{id} <> NEW.{id} \
                         ORDER BY p.{date} DESC, p.{id} DESC LIMIT 1",
                        same = self.same_object(dialect, "p", "NEW"),
                    ),
                    link = SQLITE_LINK_FUNCTION,
                    encoding = self.chain_encoding_sql(dialect, &self.history_table),
                    prev_part = Self::prev_encoding_sql(dialect, &format!("({head_id})")),
                )]
            }
            Dialect::Mysql => {
                let same = self.same_object(dialect, "p", "r");
                let q = |c: &str| dialect.quote(c);
                let encoding = self.chain_encoding_sql(dialect, &self.history_table);
                let prev_part = Self::prev_encoding_sql(dialect, "audit_head_id");
                vec![format!(
                    "CREATE PROCEDURE {proc}(IN audit_first_id BIGINT)\n\
                     BEGIN\n\
                     \x20   DECLARE audit_next BIGINT DEFAULT audit_first_id;\n\
                     \x20   DECLARE audit_row BIGINT;\n\
                     \x20   DECLARE audit_date DATETIME(6);\n\
                     \x20   DECLARE audit_head_id BIGINT;\n\
                     \x20   DECLARE audit_head_date DATETIME(6);\n\
                     \x20   DECLARE audit_head_hash VARBINARY(32);\n\
                     \x20   DECLARE CONTINUE HANDLER FOR NOT FOUND BEGIN END;\n\
                     \x20   audit_rows: LOOP\n\
                     \x20       SET audit_row = NULL;\n\
                     \x20       SELECT {id}, {date} INTO audit_row, audit_date FROM {table}\n\
                     \x20           WHERE {id} >= audit_next AND {hash} = X'' ORDER BY {id} LIMIT 1;\n\
                     \x20       IF audit_row IS NULL THEN\n\
                     \x20           LEAVE audit_rows;\n\
                     \x20       END IF;\n\
                     \x20       SET audit_head_id = NULL, audit_head_date = NULL, audit_head_hash = NULL;\n\
                     \x20       SELECT p.{id}, p.{date}, p.{hash} INTO audit_head_id, audit_head_date, audit_head_hash\n\
                     \x20           FROM {table} AS p JOIN {table} AS r ON {same}\n\
                     \x20           WHERE r.{id} = audit_row AND p.{id} <> audit_row AND NOT (p.{hash} <=> X'')\n\
                     \x20           ORDER BY p.{date} DESC, p.{id} DESC LIMIT 1 LOCK IN SHARE MODE;\n\
                     \x20       IF audit_head_id IS NOT NULL AND (audit_head_date > audit_date\n\
                     \x20           OR (audit_head_date = audit_date AND audit_head_id > audit_row)) THEN\n\
                     \x20           SIGNAL SQLSTATE '22008' SET MESSAGE_TEXT = {message};\n\
                     \x20       END IF;\n\
                     \x20       UPDATE {table} SET {prev} = audit_head_id,\n\
                     \x20           {hash} = UNHEX(SHA2(CONCAT(COALESCE(audit_head_hash, X''), CAST(CONCAT({encoding}, {prev_part}) AS BINARY)), 256))\n\
                     \x20           WHERE {id} = audit_row;\n\
                     \x20       SET audit_next = audit_row + 1;\n\
                     \x20   END LOOP;\n\
                     END",
                    proc = name_quoted(dialect, &name),
                    id = q(meta::HISTORY_ID),
                    date = q(meta::HISTORY_DATE),
                    hash = q(meta::HISTORY_HASH),
                    prev = q(meta::HISTORY_PREV_ID),
                    message = literal(&backwards("an object")),
                )]
            }
        }
    }

    /// What the library runs after each history insert into a chained table on MySQL, whose
    /// triggers can neither see an `AUTO_INCREMENT` id before the insert nor update their own
    /// table after it: ``CALL `<history>_chain`(LAST_INSERT_ID())``, the procedure
    /// [`chain_trigger_sql`](Self::chain_trigger_sql) creates, which hashes the rows the insert
    /// wrote (from the first id it generated on). Nothing on the other dialects, whose triggers
    /// do it, or for a table without a chain.
    ///
    /// ```
    /// # use std::borrow::Cow;
    /// # use audit_schema::*;
    /// # let spec = HistoryTableSpec { model: "T".into(), source_table: "t".into(),
    /// #   history_table: "historical_t".into(), columns: Cow::Owned(vec![
    /// #     ColumnSpec { name: "id".into(), sql_type: SqlType::Integer, nullable: false, indexed: false }]),
    /// #   primary_key: Cow::Owned(vec!["id".into()]), excluded: Cow::Owned(vec![]),
    /// #   user_id: UserIdType::I64, history_id: HistoryIdType::BigInt, metadata: false,
    /// #   history_fields: Cow::Owned(vec![]), changeset: false, append_only: true, chain: true,
    /// #   guard: SourceGuard::Off };
    /// assert_eq!(spec.chain_call_sql(Dialect::Mysql).as_deref(), Some("CALL `historical_t_chain`(LAST_INSERT_ID())"));
    /// assert_eq!(spec.chain_call_sql(Dialect::Postgres), None);
    /// ```
    pub fn chain_call_sql(&self, dialect: Dialect) -> Option<String> {
        (dialect == Dialect::Mysql && self.chained()).then(|| {
            format!(
                "CALL {}(LAST_INSERT_ID())",
                name_quoted(dialect, &self.chain_name(dialect))
            )
        })
    }

    /// The statements that remove the chain's trigger (the reverse of
    /// [`chain_trigger_sql`](Self::chain_trigger_sql)).
    pub fn drop_chain_trigger_sql(&self, dialect: Dialect) -> Vec<String> {
        if !self.chained() {
            return Vec::new();
        }
        let name = name_quoted(dialect, &self.chain_name(dialect));
        let table = dialect.quote(&self.history_table);
        match dialect {
            Dialect::Postgres => vec![
                format!("DROP TRIGGER IF EXISTS {name} ON {table}"),
                format!("DROP FUNCTION IF EXISTS {name}()"),
            ],
            Dialect::Sqlite => vec![format!("DROP TRIGGER IF EXISTS {name}")],
            Dialect::Mysql => vec![format!("DROP PROCEDURE IF EXISTS {name}")],
        }
    }

    /// `LOCK TABLE <history> IN SHARE ROW EXCLUSIVE MODE` on PostgreSQL: waits for the writers
    /// inserting into the history table and holds new ones until the transaction ends (SQLite's
    /// writers take turns anyway; MySQL's maintenance locks the rows it reads instead).
    pub fn history_lock_sql(&self, dialect: Dialect) -> Option<String> {
        (dialect == Dialect::Postgres).then(|| {
            format!(
                "LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE",
                dialect.quote(&self.history_table)
            )
        })
    }

    /// What the library's maintenance and backfill run first in their transaction on a chained
    /// table ([`history_lock_sql`](Self::history_lock_sql)), so that no writer links to a row
    /// being removed or re-hashed; nothing for a table without a chain.
    pub fn chain_lock_sql(&self, dialect: Dialect) -> Option<String> {
        self.history_lock_sql(dialect).filter(|_| self.chained())
    }

    /// Everything a chained table needs besides its columns: the trigger, and the anchors table
    /// with its own append-only guard (created if missing: the tables of a database share it).
    pub(super) fn chain_sql(&self, dialect: Dialect) -> Vec<String> {
        if !self.chained() {
            return Vec::new();
        }
        let mut statements = anchors_table_sql(dialect);
        statements.extend(self.chain_trigger_sql(dialect));
        statements
    }

    /// Adds the chain to an existing history table: its two columns, then
    /// the trigger and the anchors table. Rows already there stay unchained until
    /// `anchor` hashes them (and records that it did).
    pub fn add_chain_sql(&self, dialect: Dialect) -> Vec<String> {
        if !self.chained() {
            return Vec::new();
        }
        let table = dialect.quote(&self.history_table);
        let mut statements: Vec<String> = self
            .chain_definitions(dialect)
            .into_iter()
            .map(|(_, definition)| format!("ALTER TABLE {table} ADD COLUMN {definition}"))
            .collect();
        if matches!(dialect, Dialect::Sqlite | Dialect::Mysql) && self.append_only {
            // The guard's UPDATE trigger gains the exception for the chain's own update.
            statements.extend(self.drop_append_only_sql(dialect));
            statements.extend(self.append_only_sql(dialect));
        }
        statements.extend(self.chain_sql(dialect));
        statements
    }

    /// Removes the chain from a history table: its trigger and its two columns (the anchors
    /// table stays, for the other tables and for the record).
    pub fn drop_chain_sql(&self, dialect: Dialect) -> Vec<String> {
        if !self.chained() {
            return Vec::new();
        }
        let table = dialect.quote(&self.history_table);
        let mut statements = self.drop_chain_trigger_sql(dialect);
        // SQLite drops no column a trigger names: the guard's exception names the hash (and
        // MySQL's would refuse every update once the column is gone).
        let reguard = matches!(dialect, Dialect::Sqlite | Dialect::Mysql) && self.append_only;
        if reguard {
            statements.extend(self.drop_append_only_sql(dialect));
        }
        for column in [meta::HISTORY_HASH, meta::HISTORY_PREV_ID] {
            statements.push(format!(
                "ALTER TABLE {table} DROP COLUMN {}",
                dialect.quote(column)
            ));
        }
        if reguard {
            let unchained = HistoryTableSpec {
                chain: false,
                ..self.clone()
            };
            statements.extend(unchained.append_only_sql(dialect));
        }
        statements
    }
}

/// `row` as the qualifier of its columns: a table or alias, quoted, or a trigger's `NEW`.
fn qualifier(dialect: Dialect, row: &str) -> String {
    if row == "NEW" || row == "OLD" {
        row.to_owned()
    } else {
        dialect.quote(row)
    }
}

/// A function or trigger name, quoted.
fn name_quoted(dialect: Dialect, name: &str) -> String {
    dialect.quote(name)
}

/// A PostgreSQL value as text that no session setting changes.
fn pg_value(expr: &str, kind: Kind) -> String {
    const INSTANT: &str = "'YYYY-MM-DD\"T\"HH24:MI:SS.US'";
    // `to_char` writes no era, and nothing for infinity: those values are written as text.
    let finite = |written: String, min: &str| {
        format!(
            "CASE WHEN isfinite({expr}) AND {expr} >= {min} THEN {written} ELSE {expr}::text END"
        )
    };
    match kind {
        Kind::Instant => finite(
            format!("to_char({expr} AT TIME ZONE 'UTC', {INSTANT})"),
            "TIMESTAMPTZ '0001-01-02 00:00:00+00'",
        ),
        Kind::Timestamp => finite(
            format!("to_char({expr}, {INSTANT})"),
            "TIMESTAMP '0001-01-01 00:00:00'",
        ),
        Kind::Date => finite(
            format!("to_char({expr}, 'YYYY-MM-DD')"),
            "DATE '0001-01-01'",
        ),
        Kind::Double => format!("encode(float8send({expr}), 'hex')"),
        Kind::Float => format!("encode(float4send({expr}), 'hex')"),
        Kind::Binary => format!("encode({expr}, 'hex')"),
        Kind::Plain => format!("{expr}::text"),
    }
}

/// A MySQL value as text: bytes in hex, the rest as they are (`QUOTE()` writes them).
fn mysql_value(expr: &str, kind: Kind) -> String {
    match kind {
        Kind::Binary => format!("hex({expr})"),
        _ => expr.to_owned(),
    }
}

/// The anchors table, its index and its append-only guard, each created only if missing.
///
/// ```
/// let sql = audit_schema::ddl::anchors_table_sql(audit_schema::Dialect::Sqlite);
/// assert!(sql[0].starts_with(r#"CREATE TABLE IF NOT EXISTS "audit_chain_anchors""#));
/// ```
pub fn anchors_table_sql(dialect: Dialect) -> Vec<String> {
    let q = |c: &str| dialect.quote(c);
    let table = q(ANCHORS_TABLE);
    let (id, instant, bytes, text) = match dialect {
        Dialect::Postgres => (
            "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
            "TIMESTAMPTZ",
            "BYTEA",
            "TEXT",
        ),
        Dialect::Sqlite => ("INTEGER PRIMARY KEY AUTOINCREMENT", "TEXT", "BLOB", "TEXT"),
        Dialect::Mysql => (
            "BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY",
            "DATETIME(6)",
            "VARBINARY(32)",
            "VARCHAR(255)",
        ),
    };
    let user = super::Dialect::user_id(dialect, UserIdType::Text);
    let definitions = [
        format!("{} {id}", q("anchor_id")),
        format!("{} {text} NOT NULL", q("history_table")),
        format!("{} {text} NOT NULL", q("operation")),
        format!("{} TEXT NOT NULL", q("detail")),
        format!("{} {user}", q("anchored_by")),
        format!("{} {instant} NOT NULL", q("anchored_at")),
        format!("{} BIGINT NOT NULL", q("rows_removed")),
        format!("{} BIGINT NOT NULL", q("rows_rehashed")),
        format!("{} BIGINT", q("prev_anchor_id")),
        format!("{} {bytes} NOT NULL", q("anchor_hash")),
    ];
    let index = q(&format!("{ANCHORS_TABLE}_table_idx"));
    let indexed = format!("{}, {}", q("history_table"), q("anchor_id"));
    let mut statements = Vec::new();
    match dialect {
        // MySQL has no `CREATE INDEX IF NOT EXISTS`: the index comes with the table.
        Dialect::Mysql => statements.push(format!(
            "CREATE TABLE IF NOT EXISTS {table} (\n    {},\n    INDEX {index} ({indexed})\n)",
            definitions.join(",\n    ")
        )),
        Dialect::Postgres | Dialect::Sqlite => {
            statements.push(format!(
                "CREATE TABLE IF NOT EXISTS {table} (\n    {}\n)",
                definitions.join(",\n    ")
            ));
            statements.push(format!(
                "CREATE INDEX IF NOT EXISTS {index} ON {table} ({indexed})"
            ));
        }
    }
    statements.extend(super::guard::guard_sql(dialect, ANCHORS_TABLE, None, true));
    statements
}

#[cfg(test)]
mod tests {
    use super::Kind;

    /// A type as DDL writes it and as PostgreSQL's catalog names it are the same kind: the
    /// trigger and `verify` encode it alike.
    #[test]
    fn ddl_and_catalog_names_are_the_same_kind() {
        let same = |ddl: &str, catalog: &str| {
            let (a, b) = (Kind::of_type(ddl), Kind::of_type(catalog));
            assert_eq!(
                std::mem::discriminant(&a),
                std::mem::discriminant(&b),
                "{ddl} / {catalog}"
            );
            a
        };
        assert!(matches!(
            same("TIMESTAMPTZ NOT NULL", "timestamp with time zone"),
            Kind::Instant
        ));
        assert!(matches!(
            same("TIMESTAMPTZ(3)", "timestamp(3) with time zone"),
            Kind::Instant
        ));
        assert!(matches!(
            same("TIMESTAMP", "timestamp without time zone"),
            Kind::Timestamp
        ));
        assert!(matches!(
            same("DOUBLE PRECISION NOT NULL", "double precision"),
            Kind::Double
        ));
        assert!(matches!(same("FLOAT", "double precision"), Kind::Double));
        assert!(matches!(same("FLOAT(10)", "real"), Kind::Float));
        assert!(matches!(
            same("TIMESTAMPTZ DEFAULT now()", "timestamp with time zone"),
            Kind::Instant
        ));
        assert!(matches!(same("BYTEA", "bytea"), Kind::Binary));
        assert!(matches!(
            same("TIMESTAMPTZ[]", "timestamp with time zone[]"),
            Kind::Plain
        ));
        assert!(matches!(same("DATE[]", "date[]"), Kind::Plain));
        assert!(matches!(
            same(
                "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
                "bigint"
            ),
            Kind::Plain
        ));
        assert!(matches!(
            same(
                "CHAR(1) NOT NULL CHECK (\"history_type\" IN ('+'))",
                "character(1)"
            ),
            Kind::Plain
        ));
    }
}
