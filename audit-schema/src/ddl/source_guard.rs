//! The guard of a source table (`#[historical(guard = refuse | record)]`): triggers on the
//! model's own table that catch every write that did not come through the library, and refuse it
//! or record it as unattributed history.
//!
//! | dialect | triggers | how the library's own write passes |
//! |---|---|---|
//! | PostgreSQL | one `AFTER INSERT OR UPDATE OR DELETE` row trigger and one `BEFORE TRUNCATE` statement trigger calling `<source>_audit_guard()` | the library's statement sets the transaction-local `audit.write` to its own `statement_timestamp()`; the row triggers fire at the end of the statement and pass when the two are equal, so the mark covers that statement only, and the audited write stays one statement |
//! | SQLite | `BEFORE` (refuse) or `AFTER` (record) `INSERT`, `UPDATE` and `DELETE` triggers with `WHEN NOT audit_guard_open()` | `audit_guard_open()` is a function audit-diesel registers on its connections: true only while it runs its own change statement on that thread |
//! | MySQL | `BEFORE` (refuse) or `AFTER` (record) `INSERT`, `UPDATE` and `DELETE` row triggers (MySQL fires none for `TRUNCATE`) | the session variable `@audit_write` is `1`: the library's MySQL write (a transaction of several statements) is to set it around its change statement; that write path is not built yet |
//!
//! A row the guard records has no user, the reason `unattributed: <INSERT|UPDATE|DELETE|TRUNCATE>
//! outside audit-diesel`, the date of the write (never before the object's latest row) and, on
//! PostgreSQL, the transaction's changeset; it is chained like any other row. An `UPDATE` that
//! changes no tracked column is not recorded.

use super::chain::{chain_marker, literal, plpgsql_message};
use super::Dialect;
use crate::spec::{meta, HistoryTableSpec, SourceGuard};

/// The PostgreSQL setting the library's statements set to their `statement_timestamp()`.
pub const WRITE_SETTING: &str = "audit.write";

/// What the library's PostgreSQL statement evaluates, once, to pass the guard of the table it
/// writes: `set_config('audit.write', <this statement's start>, true)`.
pub const PG_WRITE_MARK: &str =
    "set_config('audit.write', CAST(statement_timestamp() AS text), true)";

/// The MySQL session variable that lets a write through the guard while it is `1`.
pub const MYSQL_WRITE_VARIABLE: &str = "@audit_write";

/// The longest `MESSAGE_TEXT` MySQL's `SIGNAL` keeps, in characters.
const MYSQL_MESSAGE_CHARS: usize = 128;

/// The SQLite function the guard's triggers call: true while audit-diesel runs its own change.
pub const SQLITE_GUARD_FUNCTION: &str = "audit_guard_open";

/// The current transaction's changeset id on PostgreSQL: `audit.changeset`, made up by the
/// transaction's first history row. The library's writes and the guard's recorded rows share it.
pub const PG_TRANSACTION_CHANGESET: &str =
    "CAST(COALESCE(NULLIF(current_setting('audit.changeset', true), ''), \
     set_config('audit.changeset', CAST(gen_random_uuid() AS text), true)) AS uuid)";

/// The statements a guard takes: `INSERT`, `UPDATE`, `DELETE`, each with the kind of history
/// row it records and the trigger row that holds the snapshot.
const ROW_OPS: [(&str, &str, &str); 3] = [
    ("INSERT", "+", "NEW"),
    ("UPDATE", "~", "NEW"),
    ("DELETE", "-", "OLD"),
];

impl HistoryTableSpec {
    /// The guard's function and triggers are named after the source table.
    fn guard_trigger(&self, dialect: Dialect, suffix: &str) -> String {
        dialect.quote(&dialect.index_name(&self.source_table, suffix))
    }

    /// Why a write is refused, in the guard's error.
    fn refusal(&self, op: &str) -> String {
        format!(
            "table {} is audited: {op} refused, its writes go through audit-diesel \
             (#[historical(guard = refuse)] on {})",
            self.source_table, self.model
        )
    }

    /// `INSERT INTO <history> (<tracked>, <history columns>)` and the values of a recorded row:
    /// the tracked columns of `row` (`NEW`, `OLD`, or a table alias), `date`, and `kind`.
    fn recorded_row(
        &self,
        dialect: Dialect,
        row: &str,
        date: &str,
        kind: &str,
        op: &str,
    ) -> (String, Vec<String>) {
        let q = |c: &str| dialect.quote(c);
        let mut columns: Vec<String> = self.columns.iter().map(|c| q(&c.name)).collect();
        let mut values: Vec<String> = self
            .columns
            .iter()
            .map(|c| format!("{row}.{}", q(&c.name)))
            .collect();
        let mut add = |column: &str, value: String| {
            columns.push(q(column));
            values.push(value);
        };
        add(meta::HISTORY_DATE, date.to_owned());
        add(meta::HISTORY_TYPE, literal(kind));
        add(meta::HISTORY_USER_ID, "NULL".to_owned());
        add(
            meta::HISTORY_CHANGE_REASON,
            literal(&SourceGuard::reason(op)),
        );
        if self.changeset && dialect == Dialect::Postgres {
            add(
                meta::HISTORY_CHANGESET_ID,
                PG_TRANSACTION_CHANGESET.to_owned(),
            );
        }
        if self.chained() {
            add(meta::HISTORY_HASH, chain_marker(dialect).to_owned());
        }
        (
            format!(
                "INSERT INTO {} ({})",
                q(&self.history_table),
                columns.join(", ")
            ),
            values,
        )
    }

    /// Whether any tracked column of `OLD` and `NEW` differs, in `dialect`.
    fn tracked_changed(&self, dialect: Dialect) -> String {
        let q = |c: &str| dialect.quote(c);
        match dialect {
            Dialect::Postgres => {
                let row = |r: &str| {
                    self.columns
                        .iter()
                        .map(|c| format!("{r}.{}", q(&c.name)))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                format!("ROW({}) IS DISTINCT FROM ROW({})", row("OLD"), row("NEW"))
            }
            Dialect::Sqlite => self
                .columns
                .iter()
                .map(|c| format!("OLD.{c} IS NOT NEW.{c}", c = q(&c.name)))
                .collect::<Vec<_>>()
                .join(" OR "),
            Dialect::Mysql => self
                .columns
                .iter()
                .map(|c| format!("NOT (OLD.{c} <=> NEW.{c})", c = q(&c.name)))
                .collect::<Vec<_>>()
                .join(" OR "),
        }
    }

    /// The statements that install the source table's guard (none unless
    /// [`guard`](Self::guard) is on). They run after the source table and the
    /// history table exist.
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
    /// assert!(spec.source_guard_sql(Dialect::Postgres).is_empty());
    /// let spec = HistoryTableSpec { guard: SourceGuard::Refuse, ..spec };
    /// let pg = spec.source_guard_sql(Dialect::Postgres);
    /// assert!(pg[0].starts_with(r#"CREATE OR REPLACE FUNCTION "t_audit_guard"() RETURNS trigger"#));
    /// assert!(pg[1].starts_with(r#"CREATE TRIGGER "t_audit_guard" AFTER INSERT OR UPDATE OR DELETE ON "t" FOR EACH ROW"#));
    /// let mysql = spec.source_guard_sql(Dialect::Mysql);
    /// assert!(mysql[2].starts_with("CREATE TRIGGER `t_audit_guard_delete` BEFORE DELETE ON `t` FOR EACH ROW BEGIN IF COALESCE(@audit_write, 0) <> 1 THEN SIGNAL"));
    /// let sqlite = spec.source_guard_sql(Dialect::Sqlite);
    /// assert!(sqlite[1].starts_with(r#"CREATE TRIGGER IF NOT EXISTS "t_audit_guard_update" BEFORE UPDATE ON "t" WHEN NOT audit_guard_open()"#));
    /// ```
    pub fn source_guard_sql(&self, dialect: Dialect) -> Vec<String> {
        if !self.guard.is_on() {
            return Vec::new();
        }
        match dialect {
            Dialect::Postgres => self.pg_guard(),
            Dialect::Sqlite => self.sqlite_guard(),
            Dialect::Mysql => self.mysql_guard(),
        }
    }

    fn mysql_guard(&self) -> Vec<String> {
        let dialect = Dialect::Mysql;
        let source = dialect.quote(&self.source_table);
        let closed = format!("COALESCE({MYSQL_WRITE_VARIABLE}, 0) <> 1");
        ROW_OPS
            .iter()
            .map(|(op, kind, row)| {
                let trigger =
                    self.guard_trigger(dialect, &format!("audit_guard_{}", op.to_lowercase()));
                match self.guard {
                    SourceGuard::Refuse | SourceGuard::Off => {
                        let message: String =
                            self.refusal(op).chars().take(MYSQL_MESSAGE_CHARS).collect();
                        format!(
                            "CREATE TRIGGER {trigger} BEFORE {op} ON {source} FOR EACH ROW BEGIN IF {closed} THEN SIGNAL SQLSTATE '42501' SET MESSAGE_TEXT = {}; END IF; END",
                            literal(&message)
                        )
                    }
                    SourceGuard::Record => {
                        let (insert, values) =
                            self.recorded_row(dialect, row, "UTC_TIMESTAMP(6)", kind, op);
                        let changed = if *op == "UPDATE" {
                            format!(" AND ({})", self.tracked_changed(dialect))
                        } else {
                            String::new()
                        };
                        // The row is hashed as the library's are, by the chain procedure.
                        let chain = self
                            .chain_call_sql(dialect)
                            .map(|call| format!(" {call};"))
                            .unwrap_or_default();
                        format!(
                            "CREATE TRIGGER {trigger} AFTER {op} ON {source} FOR EACH ROW BEGIN IF {closed}{changed} THEN {insert} VALUES ({});{chain} END IF; END",
                            values.join(", ")
                        )
                    }
                }
            })
            .collect()
    }

    fn pg_guard(&self) -> Vec<String> {
        let dialect = Dialect::Postgres;
        let fun = self.guard_trigger(dialect, "audit_guard");
        let source = dialect.quote(&self.source_table);
        let body = match self.guard {
            SourceGuard::Off => String::new(),
            SourceGuard::Refuse => format!(
                "\x20   RAISE EXCEPTION '{}', TG_OP\n\
                 \x20       USING ERRCODE = '42501',\n\
                 \x20             HINT = 'write through audit-diesel (its calls record history), or use #[historical(guard = record)]';\n",
                plpgsql_message(&self.refusal("\u{1}"))
            ),
            SourceGuard::Record => {
                let mut body = String::new();
                for (i, (op, kind, row)) in ROW_OPS.iter().enumerate() {
                    let (insert, values) =
                        self.recorded_row(dialect, row, "clock_timestamp()", kind, op);
                    let guard = if *op == "UPDATE" {
                        format!(" AND {}", self.tracked_changed(dialect))
                    } else {
                        String::new()
                    };
                    body.push_str(&format!(
                        "\x20   {}IF TG_OP = '{op}'{guard} THEN\n\
                         \x20       {insert} VALUES ({});\n",
                        if i == 0 { "" } else { "ELS" },
                        values.join(", ")
                    ));
                }
                let (insert, values) =
                    self.recorded_row(dialect, "s", "clock_timestamp()", "-", "TRUNCATE");
                body.push_str(&format!(
                    "\x20   ELSIF TG_OP = 'TRUNCATE' THEN\n\
                     \x20       {insert} SELECT {} FROM {source} AS s;\n\
                     \x20   END IF;\n\
                     \x20   RETURN NULL;\n",
                    values.join(", ")
                ));
                body
            }
        };
        vec![
            format!(
                "CREATE OR REPLACE FUNCTION {fun}() RETURNS trigger LANGUAGE plpgsql AS $audit$\n\
                 BEGIN\n\
                 \x20   IF TG_OP <> 'TRUNCATE' AND current_setting('{WRITE_SETTING}', true) = CAST(statement_timestamp() AS text) THEN\n\
                 \x20       RETURN NULL;\n\
                 \x20   END IF;\n\
                 {body}\
                 END\n\
                 $audit$"
            ),
            format!(
                "CREATE TRIGGER {fun} AFTER INSERT OR UPDATE OR DELETE ON {source} FOR EACH ROW EXECUTE FUNCTION {fun}()"
            ),
            format!(
                "CREATE TRIGGER {} BEFORE TRUNCATE ON {source} FOR EACH STATEMENT EXECUTE FUNCTION {fun}()",
                self.guard_trigger(dialect, "audit_guard_truncate")
            ),
        ]
    }

    fn sqlite_guard(&self) -> Vec<String> {
        let dialect = Dialect::Sqlite;
        let source = dialect.quote(&self.source_table);
        let history = dialect.quote(&self.history_table);
        let date = dialect.quote(meta::HISTORY_DATE);
        ROW_OPS
            .iter()
            .map(|(op, kind, row)| {
                let trigger =
                    self.guard_trigger(dialect, &format!("audit_guard_{}", op.to_lowercase()));
                let open = format!("NOT {SQLITE_GUARD_FUNCTION}()");
                match self.guard {
                    SourceGuard::Refuse | SourceGuard::Off => format!(
                        "CREATE TRIGGER IF NOT EXISTS {trigger} BEFORE {op} ON {source} WHEN {open} BEGIN SELECT RAISE(ABORT, {}); END",
                        literal(&self.refusal(op))
                    ),
                    SourceGuard::Record => {
                        // SQLite's clock has milliseconds; never before the object's latest row,
                        // which the chain would refuse.
                        let when = format!(
                            "max(strftime('%Y-%m-%d %H:%M:%f', 'now') || '000', coalesce((SELECT max(p.{date}) FROM {history} AS p WHERE {}), ''))",
                            self.same_object(dialect, "p", row)
                        );
                        let (insert, values) = self.recorded_row(dialect, row, &when, kind, op);
                        let changed = if *op == "UPDATE" {
                            format!(" AND ({})", self.tracked_changed(dialect))
                        } else {
                            String::new()
                        };
                        format!(
                            "CREATE TRIGGER IF NOT EXISTS {trigger} AFTER {op} ON {source} WHEN {open}{changed} BEGIN\n\
                             \x20   {insert} VALUES ({});\n\
                             END",
                            values.join(", ")
                        )
                    }
                }
            })
            .collect()
    }

    /// The statements that remove the source table's guard (the reverse of
    /// [`source_guard_sql`](Self::source_guard_sql)).
    pub fn drop_source_guard_sql(&self, dialect: Dialect) -> Vec<String> {
        if !self.guard.is_on() {
            return Vec::new();
        }
        let source = dialect.quote(&self.source_table);
        match dialect {
            Dialect::Postgres => vec![
                format!(
                    "DROP TRIGGER IF EXISTS {} ON {source}",
                    self.guard_trigger(dialect, "audit_guard")
                ),
                format!(
                    "DROP TRIGGER IF EXISTS {} ON {source}",
                    self.guard_trigger(dialect, "audit_guard_truncate")
                ),
                format!(
                    "DROP FUNCTION IF EXISTS {}()",
                    self.guard_trigger(dialect, "audit_guard")
                ),
            ],
            Dialect::Sqlite | Dialect::Mysql => ROW_OPS
                .iter()
                .map(|(op, _, _)| {
                    format!(
                        "DROP TRIGGER IF EXISTS {}",
                        self.guard_trigger(dialect, &format!("audit_guard_{}", op.to_lowercase()))
                    )
                })
                .collect(),
        }
    }
}
