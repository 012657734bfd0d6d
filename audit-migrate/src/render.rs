//! The SQL of a plan: `up.sql` applies it, `down.sql` reverts it.

use audit_schema::Dialect;

use crate::plan::{Change, TablePlan};

/// `(up, down)` bodies, without the generated header.
///
/// # Errors
/// A plan that names a column its table does not have.
pub(crate) fn render(
    plan: &TablePlan,
    dialect: Dialect,
) -> Result<(String, String), audit_schema::UnknownColumn> {
    let after = &plan.after.spec;
    let mut up: Vec<String> = Vec::new();
    // One group per change, so a change's own statements keep their order when undone.
    let mut down: Vec<Vec<String>> = Vec::new();
    let mut up_notes: Vec<String> = Vec::new();

    for change in &plan.changes {
        match change {
            Change::Create => {
                up.extend(after.create_table_sql(dialect));
                let mut drop = after.drop_write_path_sql(dialect);
                drop.extend(after.drop_source_guard_sql(dialect));
                // A MySQL procedure outlives the table it chains.
                if dialect == Dialect::Mysql {
                    drop.extend(after.drop_chain_trigger_sql(dialect));
                }
                drop.push(after.drop_table_sql(dialect));
                down.push(drop);
            }
            Change::AddColumn(column) => {
                up.extend(after.add_column_sql(column, dialect)?);
                down.push(after.drop_column_sql(column, dialect));
            }
            Change::AddMetadata => {
                up.push(after.add_metadata_sql(dialect));
                down.push(
                    after.drop_column_sql(audit_schema::spec::meta::HISTORY_METADATA, dialect),
                );
            }
            Change::AddChangeset => {
                up.extend(after.add_changeset_sql(dialect));
                down.push(after.drop_changeset_sql(dialect));
            }
            Change::AddHistoryField(column) => {
                up.push(after.add_history_field_sql(column, dialect)?);
                down.push(after.drop_column_sql(column, dialect));
            }
            Change::AddIndex(column) => {
                up.push(after.add_index_sql(column, dialect)?);
                down.push(vec![after.drop_index_sql(column, dialect)]);
            }
            Change::MakeNullable(columns) => {
                let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
                // A SQLite rebuild copies the columns the table has now: the chain's come and
                // go with their own change, after this one.
                let rebuilt = audit_schema::HistoryTableSpec {
                    chain: plan.before.as_ref().is_some_and(|b| b.spec.chain),
                    ..after.clone()
                };
                up.extend(rebuilt.set_nullability_sql(&columns, dialect));
                let before = &plan
                    .before
                    .as_ref()
                    .expect("only existing tables change")
                    .spec;
                down.push(before.set_nullability_sql(&columns, dialect));
            }
            Change::Retire(column) => up_notes.push(format!(
                "`{column}` is no longer tracked; the column and its values stay."
            )),
            Change::Retrack(column) => up_notes.push(format!("`{column}` is tracked again.")),
            Change::AddAppendOnly => {
                up.extend(after.append_only_sql(dialect));
                down.push(after.drop_append_only_sql(dialect));
            }
            Change::DropAppendOnly => {
                // The table as it was: the same, guarded.
                let guarded = audit_schema::HistoryTableSpec {
                    append_only: true,
                    ..after.clone()
                };
                up.extend(guarded.drop_append_only_sql(dialect));
                down.push(guarded.append_only_sql(dialect));
            }
            Change::AddChain => {
                up.extend(after.add_chain_sql(dialect));
                down.push(after.drop_chain_sql(dialect));
            }
            // The guard is made anew around every change below.
            Change::Guard { .. } => {}
            Change::DropChain => {
                let chained = audit_schema::HistoryTableSpec {
                    chain: true,
                    ..after.clone()
                };
                up.extend(chained.drop_chain_sql(dialect));
                down.push(chained.add_chain_sql(dialect));
            }
        }
    }
    // The chain's trigger encodes every column: when columns changed, it is made anew.
    let columns_changed = plan.changes.iter().any(|c| {
        matches!(
            c,
            Change::AddColumn(_)
                | Change::AddMetadata
                | Change::AddChangeset
                | Change::AddHistoryField(_)
        )
    });
    if columns_changed && after.chained() && !plan.changes.contains(&Change::AddChain) {
        up.extend(after.drop_chain_trigger_sql(dialect));
        up.extend(after.chain_trigger_sql(dialect));
        // Undone: the trigger goes first (SQLite drops no column a trigger names), the old
        // one comes back last.
        if let Some(before) = plan.before.as_ref().map(|b| &b.spec) {
            down.insert(0, before.chain_trigger_sql(dialect));
        }
        down.push(after.drop_chain_trigger_sql(dialect));
    }
    // The source table's guard names the history table's columns (and SQLite checks every
    // trigger when a table is rebuilt or renamed): around any change to an existing table, the
    // old guard goes first and the new one comes last.
    // It copies the tracked columns only: not those the model retired, which the source table
    // may have lost.
    if let Some(before) = plan.before.as_ref() {
        if before.spec.guard.is_on() || after.guard.is_on() {
            let (before, after) = (before.tracked(), plan.after.tracked());
            up.splice(0..0, before.drop_source_guard_sql(dialect));
            up.extend(after.source_guard_sql(dialect));
            down.insert(0, before.source_guard_sql(dialect));
            down.push(after.drop_source_guard_sql(dialect));
        }
    }
    // Undo in the reverse order: what was added last goes first.
    let down: Vec<String> = down.into_iter().rev().flatten().collect();
    Ok((body(&up_notes, &up), body(&[], &down)))
}

fn body(notes: &[String], statements: &[String]) -> String {
    let mut out = String::new();
    for note in notes {
        out.push_str("-- ");
        out.push_str(note);
        out.push('\n');
    }
    if statements.is_empty() {
        // Nothing for the database to do; diesel still records the migration as run.
        out.push_str("SELECT 1;\n");
    }
    for statement in statements {
        out.push_str(statement);
        out.push_str(";\n\n");
    }
    if out.ends_with("\n\n") {
        out.pop();
    }
    out
}
