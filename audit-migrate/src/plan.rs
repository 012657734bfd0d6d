//! What must change in a history table for it to match its model: the diff between the state its
//! migrations left (`TableState`) and the model's spec.

use audit_schema::{ColumnSpec, HistoryTableSpec};

use crate::state::TableState;

/// One change to a history table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Create the table and its indexes.
    Create,
    /// Add a tracked column the model gained (nullable: older rows have no value).
    AddColumn(String),
    /// Add `history_metadata`.
    AddMetadata,
    /// Add `history_changeset_id` and its index (tables created before changesets).
    AddChangeset,
    /// Add a history-only column the model declared.
    AddHistoryField(String),
    /// Index a column that became indexed.
    AddIndex(String),
    /// Let these columns take NULL: the model made them nullable or stopped tracking them.
    MakeNullable(Vec<String>),
    /// Stop tracking a column; it stays, with its values (no SQL beyond `MakeNullable`).
    Retire(String),
    /// Track again a column that was retired (no SQL).
    Retrack(String),
    /// Install the append-only guard (tables created before it, or the model turned it on).
    AddAppendOnly,
    /// Remove it (`#[historical(append_only = false)]`).
    DropAppendOnly,
    /// Add the hash chain: its columns and trigger (tables created before it, or the model
    /// turned it on). Rows already there stay unchained until `anchor` hashes them.
    AddChain,
    /// Remove it (`#[historical(chain = false)]`).
    DropChain,
    /// Install, change or remove the source table's guard (`#[historical(guard = ...)]`).
    Guard {
        /// The guard the table has.
        from: audit_schema::SourceGuard,
        /// The guard the model asks for.
        to: audit_schema::SourceGuard,
    },
}

/// The changes of one history table, and its state before and after them.
#[derive(Debug, Clone)]
pub struct TablePlan {
    /// The history table.
    pub history_table: String,
    /// Its model.
    pub model: String,
    /// What changes, in the order the migration applies it.
    pub changes: Vec<Change>,
    /// What the generator wants the user to know.
    pub notes: Vec<String>,
    /// The table as the existing migrations leave it (`None`: it does not exist yet).
    pub before: Option<TableState>,
    /// The table after this plan's migration.
    pub after: TableState,
}

impl TablePlan {
    /// A one-line summary: `create` or the list of changes.
    pub fn summary(&self) -> String {
        self.changes
            .iter()
            .map(|c| match c {
                Change::Create => "create".to_owned(),
                Change::AddColumn(c) => format!("add column `{c}`"),
                Change::AddMetadata => "add column `history_metadata`".to_owned(),
                Change::AddChangeset => "add column `history_changeset_id`".to_owned(),
                Change::AddHistoryField(c) => format!("add history-only column `{c}`"),
                Change::AddIndex(c) => format!("index `{c}`"),
                Change::MakeNullable(cs) => format!("make {} nullable", quoted(cs)),
                Change::Retire(c) => format!("stop tracking `{c}` (kept)"),
                Change::Retrack(c) => format!("track `{c}` again"),
                Change::AddAppendOnly => "make it append-only".to_owned(),
                Change::DropAppendOnly => "let it be updated and deleted".to_owned(),
                Change::AddChain => "add the hash chain".to_owned(),
                Change::DropChain => "drop the hash chain".to_owned(),
                Change::Guard { to, .. } if to.is_on() => {
                    format!("guard `{}` ({to:?})", self.after.spec.source_table)
                }
                Change::Guard { .. } => {
                    format!("unguard `{}`", self.after.spec.source_table)
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn quoted(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A change the generator does not make on its own, with what to do instead.
pub(crate) fn plan_table(
    before: Option<&TableState>,
    spec: &HistoryTableSpec,
) -> Result<Option<TablePlan>, Vec<String>> {
    let table = spec.history_table.to_string();
    let Some(state) = before else {
        return Ok(Some(TablePlan {
            history_table: table.clone(),
            model: spec.model.to_string(),
            changes: vec![Change::Create],
            notes: vec![format!("`{table}` is new: it records `{}`", spec.model)],
            before: None,
            after: TableState::created(spec),
        }));
    };

    let mut problems = Vec::new();
    let was = &state.spec;
    let how = format!(
        "write that migration yourself, then record it with `audit-makemigrations --accept {table}` \
         (or `Migrations::accept`)"
    );
    if was.primary_key != spec.primary_key {
        problems.push(format!(
            "the key of `{}` changed from ({}) to ({}): history rows name their object by the \
             key, so `{table}` cannot follow it automatically; {how}",
            spec.model,
            was.primary_key.join(", "),
            spec.primary_key.join(", ")
        ));
    }
    if was.user_id != spec.user_id {
        problems.push(format!(
            "`history_user_id` of `{table}` is {:?} on disk but {:?} in `{}`: converting user ids \
             needs a migration of your own; {how}",
            was.user_id, spec.user_id, spec.model
        ));
    }
    if was.history_id != spec.history_id {
        problems.push(format!(
            "`history_id` of `{table}` is {:?} on disk but {:?} in `{}`; {how}",
            was.history_id, spec.history_id, spec.model
        ));
    }

    let mut after = state.clone();
    let mut changes = Vec::new();
    let mut nullable = Vec::new();
    let mut notes = Vec::new();

    for column in spec.columns.iter() {
        let name = column.name.to_string();
        let Some(old) = state.column(&name) else {
            changes.push(Change::AddColumn(name.clone()));
            after.spec.columns.to_mut().push(ColumnSpec {
                nullable: true,
                ..column.clone()
            });
            continue;
        };
        if old.sql_type != column.sql_type {
            problems.push(format!(
                "column `{name}` of `{table}` is {:?} on disk but {:?} in `{}`: history columns \
                 are not retyped automatically. Either track the new type under a new field name \
                 (the old column keeps the old values), or {how}",
                old.sql_type, column.sql_type, spec.model
            ));
            continue;
        }
        if state.is_retired(&name) {
            changes.push(Change::Retrack(name.clone()));
            after.retired.retain(|r| *r != name);
            notes.push(format!(
                "`{}` tracks `{name}` again: rows recorded while it was not tracked hold NULL",
                spec.model
            ));
        }
        if column.nullable && !old.nullable {
            nullable.push(name.clone());
        }
        if column.indexed && !old.indexed {
            changes.push(Change::AddIndex(name.clone()));
            after.column_mut(&name).expect("present").indexed = true;
        }
    }

    let tracked_on_disk: Vec<&ColumnSpec> = state
        .spec
        .columns
        .iter()
        .filter(|c| !state.is_retired(&c.name))
        .collect();
    for old in tracked_on_disk {
        if spec.column(&old.name).is_none() {
            let name = old.name.to_string();
            changes.push(Change::Retire(name.clone()));
            after.retired.push(name.clone());
            if !old.nullable {
                nullable.push(name.clone());
            }
            notes.push(format!(
                "`{}` no longer tracks `{name}`: `{table}` keeps the column and the values recorded \
                 so far (history is never dropped); new rows leave it NULL",
                spec.model
            ));
        }
    }
    for name in &nullable {
        after.column_mut(name).expect("present").nullable = true;
    }
    if !nullable.is_empty() {
        changes.push(Change::MakeNullable(nullable));
    }
    if spec.metadata && !state.spec.metadata {
        changes.push(Change::AddMetadata);
        after.spec.metadata = true;
    }
    if spec.changeset && !state.spec.changeset {
        changes.push(Change::AddChangeset);
        after.spec.changeset = true;
    }
    if spec.append_only != state.spec.append_only {
        if spec.append_only {
            changes.push(Change::AddAppendOnly);
        } else {
            changes.push(Change::DropAppendOnly);
            notes.push(format!(
                "`{table}` will accept UPDATE and DELETE of its rows from anyone: `{}` turned \
                 `append_only` off",
                spec.model
            ));
        }
        after.spec.append_only = spec.append_only;
    }
    for field in spec.history_fields.iter() {
        match state.spec.history_field(&field.name) {
            None => {
                changes.push(Change::AddHistoryField(field.name.to_string()));
                after.spec.history_fields.to_mut().push(field.clone());
            }
            Some(old) if old.sql_type != field.sql_type => problems.push(format!(
                "history-only column `{}` of `{table}` is {:?} on disk but {:?} in `{}`: it is \
                 not retyped automatically; declare it under a new name, or {how}",
                field.name, old.sql_type, field.sql_type, spec.model
            )),
            Some(_) => {}
        }
    }
    if spec.guard != state.spec.guard {
        changes.push(Change::Guard {
            from: state.spec.guard,
            to: spec.guard,
        });
        if !spec.guard.is_on() {
            notes.push(format!(
                "`{}` will accept writes that bypass audit-diesel again: `{}` turned its guard off",
                spec.source_table, spec.model
            ));
        }
        after.spec.guard = spec.guard;
    }
    // Last: the chain's trigger encodes every column, those added above included.
    if spec.chained() != state.spec.chained() {
        if spec.chained() {
            changes.push(Change::AddChain);
            notes.push(format!(
                "`{table}` gets a hash chain: rows written before it stay unchained, and \
                 `verify` reports them, until `audit anchor {}` hashes them",
                spec.model
            ));
        } else {
            changes.push(Change::DropChain);
            notes.push(format!(
                "`{table}` loses its hash chain: `{}` turned `chain` off, and `verify` can no \
                 longer find edited rows",
                spec.model
            ));
        }
        after.spec.chain = spec.chain;
    }
    for old in state.spec.history_fields.iter() {
        if spec.history_field(&old.name).is_none() {
            notes.push(format!(
                "`{}` no longer declares history-only column `{}`: `{table}` keeps it and its \
                 values; new rows leave it NULL",
                spec.model, old.name
            ));
        }
    }

    let added: Vec<&String> = changes
        .iter()
        .filter_map(|c| match c {
            Change::AddColumn(c) => Some(c),
            _ => None,
        })
        .collect();
    let retired: Vec<&String> = changes
        .iter()
        .filter_map(|c| match c {
            Change::Retire(c) => Some(c),
            _ => None,
        })
        .collect();
    if let ([new], [old]) = (added.as_slice(), retired.as_slice()) {
        let same_type =
            state.column(old).map(|c| &c.sql_type) == spec.column(new).map(|c| &c.sql_type);
        if same_type {
            notes.push(format!(
                "if `{old}` was renamed to `{new}`: `{table}` keeps both columns, older rows in \
                 `{old}` and newer ones in `{new}`; copy the old values over with a migration of \
                 your own if you want them in one column"
            ));
        }
    }

    if !problems.is_empty() {
        return Err(problems);
    }
    if changes.is_empty() {
        return Ok(None);
    }
    after.spec.model = spec.model.clone();
    after.spec.source_table = spec.source_table.clone();
    after.spec.excluded = spec.excluded.clone();
    Ok(Some(TablePlan {
        history_table: table,
        model: spec.model.to_string(),
        changes,
        notes,
        before: Some(state.clone()),
        after,
    }))
}
