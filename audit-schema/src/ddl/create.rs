//! Creating a history table: `CREATE TABLE` with the tracked and history columns, and its
//! indexes.

use std::fmt::Write as _;

use super::{Dialect, RebuildableIndex};
use crate::spec::{meta, ColumnSpec, HistoryTableSpec};

impl HistoryTableSpec {
    /// The statements that create the history table, its indexes, its append-only guard
    /// ([`append_only_sql`](Self::append_only_sql)), its hash chain's trigger and the source table's
    /// guard ([`source_guard_sql`](Self::source_guard_sql)) and what the write path needs on it
    /// ([`write_path_sql`](Self::write_path_sql)), in order.
    ///
    /// Each statement is complete and has no trailing semicolon.
    pub fn create_table_sql(&self, dialect: Dialect) -> Vec<String> {
        let mut statements = vec![self.create_table_only(dialect, &self.history_table)];
        statements.extend(self.index_sql(dialect));
        statements.extend(self.append_only_sql(dialect));
        statements.extend(self.chain_sql(dialect));
        statements.extend(self.source_guard_sql(dialect));
        statements.extend(self.write_path_sql(dialect));
        statements
    }

    /// Every column of the history table in table order, as `(name, definition)`: the one
    /// place that order is written (`CREATE TABLE`, and the row copy of a SQLite rebuild).
    pub(super) fn column_definitions(&self, dialect: Dialect) -> Vec<(&str, String)> {
        let q = |name: &str| dialect.quote(name);
        let mut columns = vec![(
            meta::HISTORY_ID,
            format!(
                "{} {}",
                q(meta::HISTORY_ID),
                dialect.history_id(self.history_id)
            ),
        )];
        for c in self.columns.iter() {
            columns.push((&c.name, self.column_definition(c, dialect, c.nullable)));
        }
        for (name, ty) in [
            (meta::HISTORY_DATE, dialect.history_date().to_owned()),
            (meta::HISTORY_TYPE, dialect.history_type()),
            (
                meta::HISTORY_USER_ID,
                dialect.user_id(self.user_id).to_owned(),
            ),
            (
                meta::HISTORY_CHANGE_REASON,
                dialect.change_reason().to_owned(),
            ),
        ] {
            columns.push((name, format!("{} {ty}", q(name))));
        }
        if self.metadata {
            columns.push((meta::HISTORY_METADATA, self.metadata_definition(dialect)));
        }
        if self.changeset {
            columns.push((
                meta::HISTORY_CHANGESET_ID,
                self.changeset_definition(dialect),
            ));
        }
        for c in self.history_fields.iter() {
            columns.push((&c.name, self.column_definition(c, dialect, true)));
        }
        if self.chained() {
            columns.extend(self.chain_definitions(dialect));
        }
        columns
    }

    /// `CREATE TABLE <name> (...)` with this spec's columns, without indexes.
    pub(super) fn create_table_only(&self, dialect: Dialect, name: &str) -> String {
        let q = |name: &str| dialect.quote(name);
        let lines: Vec<String> = self
            .column_definitions(dialect)
            .into_iter()
            .map(|(_, definition)| definition)
            .collect();

        let mut create = format!("CREATE TABLE {} (\n", q(name));
        for (i, line) in lines.iter().enumerate() {
            let comma = if i + 1 < lines.len() { "," } else { "" };
            let _ = writeln!(create, "    {line}{comma}");
        }
        create.push(')');
        create
    }

    /// `<name> <type>[ NOT NULL]` of a tracked column.
    pub(super) fn column_definition(
        &self,
        c: &ColumnSpec,
        dialect: Dialect,
        nullable: bool,
    ) -> String {
        let keyed = c.indexed || self.is_primary_key(&c.name);
        let null = if nullable { "" } else { " NOT NULL" };
        format!(
            "{} {}{null}",
            dialect.quote(&c.name),
            dialect.column_type(&c.sql_type, keyed)
        )
    }

    pub(super) fn metadata_definition(&self, dialect: Dialect) -> String {
        format!(
            "{} {}",
            dialect.quote(meta::HISTORY_METADATA),
            dialect.metadata()
        )
    }

    pub(super) fn changeset_definition(&self, dialect: Dialect) -> String {
        format!(
            "{} {}",
            dialect.quote(meta::HISTORY_CHANGESET_ID),
            dialect.user_id(crate::UserIdType::Uuid)
        )
    }

    /// The index of `history_changeset_id`: (changeset, date, id), so that a changeset's rows
    /// come in write order from the index.
    pub(super) fn changeset_index(&self) -> (String, Vec<&'static str>) {
        (
            "changeset_idx".to_owned(),
            vec![
                meta::HISTORY_CHANGESET_ID,
                meta::HISTORY_DATE,
                meta::HISTORY_ID,
            ],
        )
    }

    pub(super) fn index_name(&self, dialect: Dialect, suffix: &str) -> String {
        dialect.index_name(&self.history_table, suffix)
    }

    pub(super) fn create_index(&self, dialect: Dialect, suffix: &str, columns: &[&str]) -> String {
        self.create_index_sql(dialect, suffix, columns, false)
    }

    pub(super) fn create_index_sql(
        &self,
        dialect: Dialect,
        suffix: &str,
        columns: &[&str],
        if_missing: bool,
    ) -> String {
        let cols: Vec<String> = columns.iter().map(|c| dialect.quote(c)).collect();
        // MySQL has no `IF NOT EXISTS` on indexes.
        let if_missing = if if_missing && dialect != Dialect::Mysql {
            "IF NOT EXISTS "
        } else {
            ""
        };
        format!(
            "CREATE INDEX {if_missing}{} ON {} ({})",
            dialect.quote(&self.index_name(dialect, suffix)),
            dialect.quote(&self.history_table),
            cols.join(", ")
        )
    }

    pub(super) fn column_index_sql(&self, dialect: Dialect, column: &ColumnSpec) -> String {
        self.create_index(dialect, &format!("{}_idx", column.name), &[&column.name])
    }

    /// Each secondary index as (name suffix, columns): object, date, user, each indexed column.
    pub(super) fn index_columns(&self) -> Vec<(String, Vec<&str>)> {
        let mut object: Vec<&str> = self.primary_key.iter().map(|k| k.as_ref()).collect();
        object.extend([meta::HISTORY_DATE, meta::HISTORY_ID]);
        let mut indexes = vec![
            ("object_idx".to_owned(), object),
            ("date_idx".to_owned(), vec![meta::HISTORY_DATE]),
            ("user_idx".to_owned(), vec![meta::HISTORY_USER_ID]),
        ];
        if self.changeset {
            indexes.push(self.changeset_index());
        }
        for c in self.columns.iter().filter(|c| c.indexed) {
            indexes.push((format!("{}_idx", c.name), vec![c.name.as_ref()]));
        }
        indexes
    }

    /// The indexes of the table: object, date, user and each indexed column.
    pub(super) fn index_sql(&self, dialect: Dialect) -> Vec<String> {
        self.index_columns()
            .iter()
            .map(|(suffix, columns)| self.create_index(dialect, suffix, columns))
            .collect()
    }

    /// The secondary indexes of the history table (object, date, user and each indexed column),
    /// each with the statements that drop it and build it again, for a bulk load that builds
    /// them once at the end instead of row by row.
    ///
    /// ```
    /// use std::borrow::Cow;
    /// use audit_schema::{ColumnSpec, Dialect, HistoryIdType, HistoryTableSpec, SourceGuard, SqlType, UserIdType};
    /// let spec = HistoryTableSpec {
    ///     model: "Tank".into(),
    ///     source_table: "tanks".into(),
    ///     history_table: "historical_tanks".into(),
    ///     columns: Cow::Owned(vec![
    ///         ColumnSpec { name: "id".into(), sql_type: SqlType::Integer, nullable: false, indexed: false },
    ///     ]),
    ///     primary_key: Cow::Owned(vec!["id".into()]),
    ///     excluded: Cow::Owned(vec![]),
    ///     user_id: UserIdType::I64,
    ///     history_id: HistoryIdType::BigInt,
    ///     metadata: false,
    ///     history_fields: Cow::Owned(vec![]),
    ///     changeset: true,
    ///     append_only: true, chain: false, guard: SourceGuard::Off,
    /// };
    /// let indexes = spec.rebuildable_indexes(Dialect::Postgres);
    /// assert_eq!(indexes.len(), 4);
    /// assert_eq!(indexes[1].drop_if_exists, r#"DROP INDEX IF EXISTS "historical_tanks_date_idx""#);
    /// assert_eq!(
    ///     indexes[1].create_if_missing,
    ///     r#"CREATE INDEX IF NOT EXISTS "historical_tanks_date_idx" ON "historical_tanks" ("history_date")"#
    /// );
    /// ```
    ///
    /// A chained table keeps its object index: the chain's trigger reads each object's latest
    /// row through it, once per inserted row.
    pub fn rebuildable_indexes(&self, dialect: Dialect) -> Vec<RebuildableIndex> {
        self.index_columns()
            .iter()
            .filter(|(suffix, _)| !(self.chained() && suffix == "object_idx"))
            .map(|(suffix, columns)| RebuildableIndex {
                name: self.index_name(dialect, suffix),
                drop_if_exists: self.drop_index(dialect, suffix, true),
                create_if_missing: self.create_index_sql(dialect, suffix, columns, true),
            })
            .collect()
    }
}
