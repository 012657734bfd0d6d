//! Diffs of two history rows of one object.

use serde::Serialize;

use crate::schema::spec::meta;
use crate::{AuditError, FieldChange, Historical, HistoryDiff, HistoryRecord};

/// Which fields a diff compares.
#[derive(Debug, Clone, Copy, Default)]
pub enum Fields<'a> {
    /// Every tracked field.
    #[default]
    All,
    /// Only these.
    Only(&'a [&'a str]),
    /// All but these.
    Except(&'a [&'a str]),
}

/// The diff from `older` to `newer` over `fields`.
pub(crate) fn diff<R>(newer: &R, older: &R, fields: Fields<'_>) -> Result<HistoryDiff, AuditError>
where
    R: HistoryRecord + Serialize,
{
    let model = || R::Model::HISTORY.model.to_string();
    let (new_key, old_key) = (newer.object_id(), older.object_id());
    if new_key != old_key {
        return Err(AuditError::DifferentObjects {
            model: model(),
            first: format!("{old_key:?}"),
            second: format!("{new_key:?}"),
        });
    }
    let new = tracked(newer)?;
    let old = tracked(older)?;
    let known: Vec<&str> = new.iter().map(|(name, _)| name.as_str()).collect();
    let check = |names: &[&str]| -> Result<(), AuditError> {
        for name in names {
            if !known.contains(name) {
                return Err(AuditError::UnknownField {
                    model: model(),
                    field: (*name).to_owned(),
                    excluded: R::Model::HISTORY.excluded.iter().any(|e| e == name),
                    tracked: known.iter().map(|k| (*k).to_owned()).collect(),
                });
            }
        }
        Ok(())
    };
    let wanted = |name: &str| match fields {
        Fields::All => true,
        Fields::Only(only) => only.contains(&name),
        Fields::Except(except) => !except.contains(&name),
    };
    match fields {
        Fields::All => {}
        Fields::Only(names) | Fields::Except(names) => check(names)?,
    }
    let changes = new
        .into_iter()
        .zip(old)
        .filter(|((name, new), (_, old))| wanted(name) && new != old)
        .map(|((field, new), (_, old))| FieldChange { field, old, new })
        .collect();
    Ok(HistoryDiff::new(changes))
}

/// The tracked fields of a row as JSON, in field order, without the history columns.
fn tracked<R: HistoryRecord + Serialize>(
    record: &R,
) -> Result<Vec<(String, serde_json::Value)>, AuditError> {
    let serde_json::Value::Object(map) =
        serde_json::to_value(record).map_err(|source| AuditError::Serialize {
            model: R::Model::HISTORY.model.to_string(),
            source,
        })?
    else {
        return Err(AuditError::Serialize {
            model: R::Model::HISTORY.model.to_string(),
            source: serde::ser::Error::custom("a history row does not serialize as a JSON object"),
        });
    };
    Ok(map
        .into_iter()
        .filter(|(name, _)| !meta::ALL.contains(&name.as_str()))
        .collect())
}
