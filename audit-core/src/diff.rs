use serde::{Deserialize, Serialize};

/// One field that differs between two history rows of the same object.
///
/// Values are JSON, so a diff of any model serializes as it is (for an API response, an audit
/// report).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    /// The field's name in the model.
    pub field: String,
    /// Its value in the older row.
    pub old: serde_json::Value,
    /// Its value in the newer row.
    pub new: serde_json::Value,
}

/// What changed between two history rows of one object: the differing fields, sorted by name.
///
/// ```
/// use audit_core::{FieldChange, HistoryDiff};
/// use serde_json::json;
///
/// let diff = HistoryDiff::new(vec![
///     FieldChange { field: "volume_m3".into(), old: json!(40.0), new: json!(55.0) },
///     FieldChange { field: "name".into(), old: json!("T1"), new: json!("T1-north") },
/// ]);
/// assert_eq!(diff.changed_fields(), ["name", "volume_m3"]);
/// assert_eq!(diff.get("volume_m3").unwrap().new, json!(55.0));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HistoryDiff {
    changes: Vec<FieldChange>,
}

impl HistoryDiff {
    /// A diff of `changes`, sorted by field name.
    pub fn new(mut changes: Vec<FieldChange>) -> Self {
        changes.sort_by(|a, b| a.field.cmp(&b.field));
        HistoryDiff { changes }
    }

    /// The changes, sorted by field name.
    pub fn changes(&self) -> &[FieldChange] {
        &self.changes
    }

    /// The names of the changed fields, sorted.
    pub fn changed_fields(&self) -> Vec<&str> {
        self.changes.iter().map(|c| c.field.as_str()).collect()
    }

    /// The change of `field`, if it changed.
    pub fn get(&self, field: &str) -> Option<&FieldChange> {
        self.changes.iter().find(|c| c.field == field)
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}
