//! The append-only guard of a history table: triggers that refuse `UPDATE` and `DELETE` (and
//! `TRUNCATE` on PostgreSQL) unless the library's maintenance lifted it for its own transaction.
//!
//! | dialect | guard | lifted by |
//! |---|---|---|
//! | PostgreSQL | `BEFORE UPDATE OR DELETE` row trigger and `BEFORE TRUNCATE` statement trigger calling `audit_append_only()` | `set_config('audit.maintenance', 'on', true)`: this transaction only |
//! | SQLite | `BEFORE UPDATE` and `BEFORE DELETE` triggers that `RAISE(ABORT)` | dropping them inside the maintenance transaction and creating them again before it commits (SQLite's DDL is transactional and its writers take turns) |
//! | MySQL | `BEFORE UPDATE` and `BEFORE DELETE` triggers that `SIGNAL` | the session variable `@audit_maintenance = 1`, reset when done; `TRUNCATE` fires no trigger there |

use super::Dialect;
use crate::spec::HistoryTableSpec;

/// The PostgreSQL setting that lifts the guard, transaction-locally.
pub const MAINTENANCE_SETTING: &str = "audit.maintenance";

/// The function every guarded PostgreSQL history table's triggers call.
const PG_FUNCTION: &str = "audit_append_only";

/// The guard's trigger `what` of `table`, quoted.
fn guard_name(dialect: Dialect, table: &str, what: &str) -> String {
    dialect.quote(&dialect.index_name(table, what))
}

/// `CREATE OR REPLACE FUNCTION audit_append_only()`: what every guarded PostgreSQL table's
/// triggers call.
fn pg_function() -> String {
    format!(
        "CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $audit$\n\
         BEGIN\n\
         \x20   IF coalesce(current_setting('{MAINTENANCE_SETTING}', true), '') = 'on' THEN\n\
         \x20       IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;\n\
         \x20       RETURN NEW;\n\
         \x20   END IF;\n\
         \x20   RAISE EXCEPTION 'history table % is append-only: % refused', TG_TABLE_NAME, TG_OP\n\
         \x20       USING ERRCODE = '42501',\n\
         \x20             HINT = 'history changes only through the maintenance operations of audit-diesel';\n\
         END\n\
         $audit$"
    )
}

/// The guard of `table`. SQLite's and MySQL's UPDATE trigger refuses only updates of rows
/// matching `exempt` (a condition on `OLD`), when given. With `idempotent`, PostgreSQL's and
/// MySQL's triggers are dropped first, so the statements can run again (the anchors table's guard comes with every chained table).
pub(super) fn guard_sql(
    dialect: Dialect,
    table_name: &str,
    exempt: Option<&str>,
    idempotent: bool,
) -> Vec<String> {
    let table = dialect.quote(table_name);
    let refused = |op: &str| {
        format!(
            "history table {table_name} is append-only: {op} refused (history changes only \
             through the maintenance operations of audit-diesel)"
        )
    };
    match dialect {
        Dialect::Postgres => {
            let mut statements = vec![pg_function()];
            for (what, when) in [
                ("append_only", "BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW"),
                ("no_truncate", "BEFORE TRUNCATE ON {table} FOR EACH STATEMENT"),
            ] {
                let name = guard_name(dialect, table_name, what);
                if idempotent {
                    statements.push(format!("DROP TRIGGER IF EXISTS {name} ON {table}"));
                }
                statements.push(format!(
                    "CREATE TRIGGER {name} {} EXECUTE FUNCTION {PG_FUNCTION}()",
                    when.replace("{table}", &table)
                ));
            }
            statements
        }
        Dialect::Sqlite => ["UPDATE", "DELETE"]
            .iter()
            .map(|op| {
                let when = match exempt {
                    Some(condition) if *op == "UPDATE" => format!(" WHEN {condition}"),
                    _ => String::new(),
                };
                format!(
                    "CREATE TRIGGER IF NOT EXISTS {} BEFORE {op} ON {table}{when} BEGIN SELECT RAISE(ABORT, '{}'); END",
                    guard_name(dialect, table_name, &format!("append_only_{}", op.to_lowercase())),
                    refused(op)
                )
            })
            .collect(),
        Dialect::Mysql => {
            let mut statements = Vec::new();
            for op in ["UPDATE", "DELETE"] {
                let name =
                    guard_name(dialect, table_name, &format!("append_only_{}", op.to_lowercase()));
                let unless = match exempt {
                    Some(condition) if op == "UPDATE" => format!(" AND {condition}"),
                    _ => String::new(),
                };
                if idempotent {
                    statements.push(format!("DROP TRIGGER IF EXISTS {name}"));
                }
                statements.push(format!(
                    "CREATE TRIGGER {name} BEFORE {op} ON {table} FOR EACH ROW BEGIN IF COALESCE(@audit_maintenance, 0) <> 1{unless} THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{}'; END IF; END",
                    refused(op)
                ));
            }
            statements
        }
    }
}

impl HistoryTableSpec {
    fn guard_name(&self, dialect: Dialect, what: &str) -> String {
        guard_name(dialect, &self.history_table, what)
    }

    /// The statements that install the append-only guard (none unless
    /// [`append_only`](Self::append_only)).
    ///
    /// ```
    /// # use std::borrow::Cow;
    /// # use audit_schema::*;
    /// # let spec = HistoryTableSpec { model: "T".into(), source_table: "t".into(),
    /// #   history_table: "historical_t".into(), columns: Cow::Owned(vec![]),
    /// #   primary_key: Cow::Owned(vec![]), excluded: Cow::Owned(vec![]),
    /// #   user_id: UserIdType::I64, history_id: HistoryIdType::BigInt, metadata: false,
    /// #   history_fields: Cow::Owned(vec![]), changeset: true, append_only: true, chain: false,
    /// #   guard: SourceGuard::Off };
    /// let sql = spec.append_only_sql(Dialect::Sqlite);
    /// assert_eq!(sql.len(), 2);
    /// assert!(sql[0].starts_with(r#"CREATE TRIGGER IF NOT EXISTS "historical_t_append_only_update" BEFORE UPDATE ON "historical_t""#));
    /// ```
    pub fn append_only_sql(&self, dialect: Dialect) -> Vec<String> {
        if !self.append_only {
            return Vec::new();
        }
        // The chain's SQLite trigger and MySQL procedure fill the hash of a row just inserted
        // (marked by an empty hash), by an UPDATE the guard lets through: the guard refuses
        // updates of the other rows only.
        let hash = dialect.quote(crate::spec::meta::HISTORY_HASH);
        let exempt = match dialect {
            _ if !self.chained() => None,
            Dialect::Sqlite => Some(format!("OLD.{hash} IS NOT X''")),
            Dialect::Mysql => Some(format!("NOT (OLD.{hash} <=> X'')")),
            Dialect::Postgres => None,
        };
        guard_sql(dialect, &self.history_table, exempt.as_deref(), false)
    }

    /// The statements that remove the guard again (the reverse of
    /// [`append_only_sql`](Self::append_only_sql); PostgreSQL's shared function stays for the
    /// other tables).
    pub fn drop_append_only_sql(&self, dialect: Dialect) -> Vec<String> {
        if !self.append_only {
            return Vec::new();
        }
        let table = dialect.quote(&self.history_table);
        match dialect {
            Dialect::Postgres => ["append_only", "no_truncate"]
                .iter()
                .map(|what| {
                    format!(
                        "DROP TRIGGER IF EXISTS {} ON {table}",
                        self.guard_name(dialect, what)
                    )
                })
                .collect(),
            Dialect::Sqlite | Dialect::Mysql => ["update", "delete"]
                .iter()
                .map(|op| {
                    format!(
                        "DROP TRIGGER IF EXISTS {}",
                        self.guard_name(dialect, &format!("append_only_{op}"))
                    )
                })
                .collect(),
        }
    }

    /// What the library's maintenance runs, inside its transaction, before and after it updates
    /// or deletes history rows: `(lift, restore)`. Nothing when the table is not append-only.
    pub fn lift_guard_sql(&self, dialect: Dialect) -> (Vec<String>, Vec<String>) {
        if !self.append_only {
            return (Vec::new(), Vec::new());
        }
        match dialect {
            Dialect::Postgres => (
                vec![format!(
                    "SELECT set_config('{MAINTENANCE_SETTING}', 'on', true)"
                )],
                vec![format!(
                    "SELECT set_config('{MAINTENANCE_SETTING}', '', true)"
                )],
            ),
            Dialect::Sqlite => (
                self.drop_append_only_sql(dialect),
                self.append_only_sql(dialect),
            ),
            Dialect::Mysql => (
                vec!["SET @audit_maintenance = 1".to_owned()],
                vec!["SET @audit_maintenance = NULL".to_owned()],
            ),
        }
    }
}
