//! Evolving a history table: adding and dropping columns and indexes, changing nullability
//! (a rebuild on SQLite), dropping the table.

use super::{Dialect, UnknownColumn};
use crate::spec::{ColumnSpec, HistoryTableSpec};

impl HistoryTableSpec {
    /// Adds the history-only column `name` of this spec to an existing history table (nullable,
    /// as every history-only column is).
    ///
    /// # Errors
    /// [`UnknownColumn`] if this spec has no history-only column `name`.
    pub fn add_history_field_sql(
        &self,
        name: &str,
        dialect: Dialect,
    ) -> Result<String, UnknownColumn> {
        let column = self.history_field(name).ok_or_else(|| UnknownColumn {
            history_table: self.history_table.to_string(),
            column: name.to_owned(),
        })?;
        Ok(format!(
            "ALTER TABLE {} ADD COLUMN {}",
            dialect.quote(&self.history_table),
            self.column_definition(column, dialect, true)
        ))
    }

    /// Adds the tracked column `name` of this spec to an existing history table: always nullable,
    /// since the rows recorded before it have no value, and indexed if the spec says so.
    ///
    /// # Errors
    /// [`UnknownColumn`] if this spec has no column `name`.
    pub fn add_column_sql(
        &self,
        name: &str,
        dialect: Dialect,
    ) -> Result<Vec<String>, UnknownColumn> {
        let column = self.known_column(name)?;
        let mut statements = vec![format!(
            "ALTER TABLE {} ADD COLUMN {}",
            dialect.quote(&self.history_table),
            self.column_definition(column, dialect, true)
        )];
        if column.indexed {
            statements.push(self.column_index_sql(dialect, column));
        }
        Ok(statements)
    }

    pub(super) fn known_column(&self, name: &str) -> Result<&ColumnSpec, UnknownColumn> {
        self.column(name).ok_or_else(|| UnknownColumn {
            history_table: self.history_table.to_string(),
            column: name.to_owned(),
        })
    }

    /// Removes the tracked column `name` again (the reverse of [`add_column_sql`](Self::add_column_sql)),
    /// and its index.
    pub fn drop_column_sql(&self, name: &str, dialect: Dialect) -> Vec<String> {
        let mut statements = Vec::new();
        if self.column(name).is_some_and(|c| c.indexed) {
            statements.push(self.drop_index_sql(name, dialect));
        }
        statements.push(format!(
            "ALTER TABLE {} DROP COLUMN {}",
            dialect.quote(&self.history_table),
            dialect.quote(name)
        ));
        statements
    }

    /// Adds `history_metadata` to an existing history table.
    pub fn add_metadata_sql(&self, dialect: Dialect) -> String {
        format!(
            "ALTER TABLE {} ADD COLUMN {}",
            dialect.quote(&self.history_table),
            self.metadata_definition(dialect)
        )
    }

    /// Adds `history_changeset_id` and its index to an existing history table (rows already
    /// there keep NULL: they were written before changesets).
    pub fn add_changeset_sql(&self, dialect: Dialect) -> Vec<String> {
        let (suffix, columns) = self.changeset_index();
        vec![
            format!(
                "ALTER TABLE {} ADD COLUMN {}",
                dialect.quote(&self.history_table),
                self.changeset_definition(dialect)
            ),
            self.create_index(dialect, &suffix, &columns),
        ]
    }

    /// Drops `history_changeset_id` and its index (the reverse of
    /// [`add_changeset_sql`](Self::add_changeset_sql)).
    pub fn drop_changeset_sql(&self, dialect: Dialect) -> Vec<String> {
        let (suffix, _) = self.changeset_index();
        let mut sql = vec![self.drop_index(dialect, &suffix, false)];
        sql.extend(self.drop_column_sql(crate::spec::meta::HISTORY_CHANGESET_ID, dialect));
        sql
    }

    /// Adds the index of the tracked column `name` to an existing history table.
    ///
    /// # Errors
    /// [`UnknownColumn`] if this spec has no column `name`.
    pub fn add_index_sql(&self, name: &str, dialect: Dialect) -> Result<String, UnknownColumn> {
        Ok(self.column_index_sql(dialect, self.known_column(name)?))
    }

    /// Drops the index of the tracked column `name` (the reverse of
    /// [`add_index_sql`](Self::add_index_sql)).
    pub fn drop_index_sql(&self, name: &str, dialect: Dialect) -> String {
        self.drop_index(dialect, &format!("{name}_idx"), false)
    }

    pub(super) fn drop_index(&self, dialect: Dialect, suffix: &str, if_exists: bool) -> String {
        let index = dialect.quote(&self.index_name(dialect, suffix));
        match dialect {
            // MySQL has no `IF EXISTS` on indexes.
            Dialect::Mysql => format!(
                "DROP INDEX {index} ON {}",
                dialect.quote(&self.history_table)
            ),
            Dialect::Postgres | Dialect::Sqlite if if_exists => {
                format!("DROP INDEX IF EXISTS {index}")
            }
            Dialect::Postgres | Dialect::Sqlite => format!("DROP INDEX {index}"),
        }
    }

    /// Gives `columns` of an existing history table the nullability this spec says they have.
    ///
    /// PostgreSQL and MySQL alter the columns in place. SQLite cannot, so the table is rebuilt:
    /// created anew under a temporary name, filled with every row, the old one dropped and the new
    /// one renamed and indexed; ids and dates are kept.
    pub fn set_nullability_sql(&self, columns: &[&str], dialect: Dialect) -> Vec<String> {
        let table = dialect.quote(&self.history_table);
        let specs: Vec<&ColumnSpec> = columns.iter().filter_map(|c| self.column(c)).collect();
        match dialect {
            Dialect::Postgres => specs
                .iter()
                .map(|c| {
                    let action = if c.nullable {
                        "DROP NOT NULL"
                    } else {
                        "SET NOT NULL"
                    };
                    format!(
                        "ALTER TABLE {table} ALTER COLUMN {} {action}",
                        dialect.quote(&c.name)
                    )
                })
                .collect(),
            Dialect::Mysql => specs
                .iter()
                .map(|c| {
                    format!(
                        "ALTER TABLE {table} MODIFY COLUMN {}",
                        self.column_definition(c, dialect, c.nullable)
                    )
                })
                .collect(),
            Dialect::Sqlite => {
                let rebuilt = format!("{}__audit_rebuild", self.history_table);
                let all: Vec<&str> = self
                    .column_definitions(dialect)
                    .into_iter()
                    .map(|(name, _)| name)
                    .collect();
                let list = all
                    .iter()
                    .map(|c| dialect.quote(c))
                    .collect::<Vec<_>>()
                    .join(", ");
                let mut statements = vec![
                    self.create_table_only(dialect, &rebuilt),
                    format!(
                        "INSERT INTO {} ({list}) SELECT {list} FROM {table}",
                        dialect.quote(&rebuilt)
                    ),
                    format!("DROP TABLE {table}"),
                    format!("ALTER TABLE {} RENAME TO {table}", dialect.quote(&rebuilt)),
                ];
                statements.extend(self.index_sql(dialect));
                // Dropping the old table dropped its triggers.
                statements.extend(self.append_only_sql(dialect));
                statements.extend(self.chain_trigger_sql(dialect));
                statements
            }
        }
    }

    /// The statement that drops the history table (and with it its indexes).
    ///
    /// ```
    /// # use std::borrow::Cow;
    /// # use audit_schema::*;
    /// # let spec = HistoryTableSpec { model: "T".into(), source_table: "t".into(),
    /// #   history_table: "historical_t".into(), columns: Cow::Owned(vec![]),
    /// #   primary_key: Cow::Owned(vec![]), excluded: Cow::Owned(vec![]),
    /// #   user_id: UserIdType::I64, history_id: HistoryIdType::BigInt, metadata: false,
    /// #   history_fields: Cow::Owned(vec![]), changeset: true, append_only: false, chain: false,
    /// #   guard: SourceGuard::Off };
    /// assert_eq!(spec.drop_table_sql(Dialect::Sqlite), r#"DROP TABLE IF EXISTS "historical_t""#);
    /// ```
    pub fn drop_table_sql(&self, dialect: Dialect) -> String {
        format!(
            "DROP TABLE IF EXISTS {}",
            dialect.quote(&self.history_table)
        )
    }
}
