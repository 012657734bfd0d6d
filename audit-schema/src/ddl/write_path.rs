//! What a backend's write path needs in the database itself: on MySQL, the trigger that tells
//! the library which rows its insert wrote.
//!
//! MySQL has no `INSERT ... RETURNING` (MariaDB has one, but its prepared statements announce no
//! result columns before they run, which Diesel needs), and `LAST_INSERT_ID()` knows only
//! auto-increment values, not keys the caller gives, nor when an insert generated none. So each
//! source table gets an `AFTER INSERT` row trigger that, while the library writes
//! ([`MYSQL_WRITE_VARIABLE`] is `1`), appends the new row's key to the session variable
//! [`MYSQL_INSERTED_VARIABLE`] as a JSON array; the library then reads the rows back by those
//! keys ([`inserted_rows_from_sql`](HistoryTableSpec::inserted_rows_from_sql)), in insertion
//! order. SQLite and PostgreSQL need nothing: their inserts return the rows.

use super::source_guard::MYSQL_WRITE_VARIABLE;
use super::Dialect;
use crate::spec::HistoryTableSpec;

/// The MySQL session variable that collects the keys of the rows the library's insert wrote.
pub const MYSQL_INSERTED_VARIABLE: &str = "@audit_inserted";

/// The alias of the keys' JSON table in [`HistoryTableSpec::inserted_rows_from_sql`].
pub const INSERTED_KEYS_ALIAS: &str = "audit_keys";

/// Its column that numbers the keys in insertion order, from 1.
pub const INSERTED_ROW_COLUMN: &str = "audit_row";

impl HistoryTableSpec {
    fn inserted_trigger(&self, dialect: Dialect) -> String {
        dialect.quote(&dialect.index_name(&self.source_table, "audit_inserted"))
    }

    /// The statements the write path needs on the source table: on MySQL, its
    /// `<source>_audit_inserted` trigger; nothing on SQLite and PostgreSQL.
    ///
    /// ```
    /// # use std::borrow::Cow;
    /// # use audit_schema::*;
    /// # let spec = HistoryTableSpec { model: "T".into(), source_table: "t".into(),
    /// #   history_table: "historical_t".into(), columns: Cow::Owned(vec![
    /// #     ColumnSpec { name: "id".into(), sql_type: SqlType::Integer, nullable: false, indexed: false }]),
    /// #   primary_key: Cow::Owned(vec!["id".into()]), excluded: Cow::Owned(vec![]),
    /// #   user_id: UserIdType::I64, history_id: HistoryIdType::BigInt, metadata: false,
    /// #   history_fields: Cow::Owned(vec![]), changeset: true, append_only: true, chain: true,
    /// #   guard: SourceGuard::Off };
    /// let mysql = spec.write_path_sql(Dialect::Mysql);
    /// assert!(mysql[0].starts_with("CREATE TRIGGER `t_audit_inserted` AFTER INSERT ON `t` FOR EACH ROW"));
    /// assert!(mysql[0].contains("JSON_ARRAY(NEW.`id`)"));
    /// assert!(spec.write_path_sql(Dialect::Postgres).is_empty());
    /// assert_eq!(
    ///     spec.inserted_rows_from_sql(Dialect::Mysql).unwrap(),
    ///     "JSON_TABLE(@audit_inserted, '$[*]' COLUMNS (`audit_row` FOR ORDINALITY, `id` INT PATH '$[0]')) \
    ///      AS `audit_keys` JOIN `t` ON `t`.`id` = `audit_keys`.`id`"
    /// );
    /// ```
    pub fn write_path_sql(&self, dialect: Dialect) -> Vec<String> {
        if dialect != Dialect::Mysql {
            return Vec::new();
        }
        let keys: Vec<String> = self
            .primary_key
            .iter()
            .map(|k| format!("NEW.{}", dialect.quote(k)))
            .collect();
        vec![format!(
            "CREATE TRIGGER {} AFTER INSERT ON {} FOR EACH ROW BEGIN IF {MYSQL_WRITE_VARIABLE} = 1 THEN SET {MYSQL_INSERTED_VARIABLE} = JSON_ARRAY_APPEND(COALESCE({MYSQL_INSERTED_VARIABLE}, JSON_ARRAY()), '$', JSON_ARRAY({})); END IF; END",
            self.inserted_trigger(dialect),
            dialect.quote(&self.source_table),
            keys.join(", ")
        )]
    }

    /// The reverse of [`write_path_sql`](Self::write_path_sql).
    pub fn drop_write_path_sql(&self, dialect: Dialect) -> Vec<String> {
        if dialect != Dialect::Mysql {
            return Vec::new();
        }
        vec![format!(
            "DROP TRIGGER IF EXISTS {}",
            self.inserted_trigger(dialect)
        )]
    }

    /// `JSON_TABLE(@audit_inserted, ...) AS audit_keys JOIN <source> ON <keys equal>`: the rows
    /// of the keys the MySQL trigger collected, to select from (ordered by
    /// `audit_keys.audit_row`, the insertion order). `None` for another dialect, or a key
    /// column the spec does not describe.
    pub fn inserted_rows_from_sql(&self, dialect: Dialect) -> Option<String> {
        if dialect != Dialect::Mysql {
            return None;
        }
        let q = |name: &str| dialect.quote(name);
        let keys = q(INSERTED_KEYS_ALIAS);
        let source = q(&self.source_table);
        let mut columns = vec![format!("{} FOR ORDINALITY", q(INSERTED_ROW_COLUMN))];
        let mut on = Vec::new();
        for (i, key) in self.primary_key.iter().enumerate() {
            let column = self.columns.iter().find(|c| c.name == *key)?;
            columns.push(format!(
                "{} {} PATH '$[{i}]'",
                q(key),
                dialect.column_type(&column.sql_type, true)
            ));
            on.push(format!("{source}.{} = {keys}.{}", q(key), q(key)));
        }
        Some(format!(
            "JSON_TABLE({MYSQL_INSERTED_VARIABLE}, '$[*]' COLUMNS ({})) AS {keys} JOIN {source} ON {}",
            columns.join(", "),
            on.join(" AND ")
        ))
    }
}
