//! Test support for applications: assert an object's whole trail in one call.
//!
//! ```
//! # include!("../doctest_setup.rs");
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mut conn = setup();
//! use audit_diesel::testing::{assert_trail, Expected};
//!
//! let operator = AuditContext::builder().user(1).reason("stocking").build()?;
//! let tank = Tank::create(&mut conn, &operator, &NewTank { name: "T1".into(), volume_m3: 40.0 })?;
//! Tank::update(&mut conn, &operator.with_reason("resized")?, tank.id, tanks::volume_m3.eq(55.0))?;
//!
//! assert_trail::<Tank, _>(&mut conn, &tank.id, &[
//!     Expected::created().by(1).reason("stocking"),
//!     Expected::updated().by(1).reason("resized").changed(&["volume_m3"]),
//! ]);
//! # Ok(())
//! # }
//! ```
//!
//! When the trail differs, the panic shows both, row by row:
//!
//! ```text
//! history of Tank 1 does not match (oldest first):
//!      expected                                       actual
//!   1  + by 1, reason "stocking"                      + by 1, reason "stocking", changed []
//!   2  ~ by 2, reason "resized", changed [name]       ~ by 1, reason "resized", changed [volume_m3]   <- differs
//! ```

use std::fmt::Write as _;

use serde::Serialize;

use crate::connection::AuditConnection;
use crate::user_id::UserIdKind;
use crate::{Historical, HistoryRecord, HistoryType, UserId};

/// One expected row of a trail: its type, and whatever else is given.
#[derive(Debug, Clone)]
#[must_use]
pub struct Expected {
    history_type: HistoryType,
    user: Option<Option<UserId>>,
    reason: Option<Option<String>>,
    changed: Option<Vec<String>>,
}

impl Expected {
    fn of(history_type: HistoryType) -> Self {
        Expected {
            history_type,
            user: None,
            reason: None,
            changed: None,
        }
    }

    /// A `+` row.
    pub fn created() -> Self {
        Self::of(HistoryType::Create)
    }

    /// A `~` row.
    pub fn updated() -> Self {
        Self::of(HistoryType::Update)
    }

    /// A `-` row.
    pub fn deleted() -> Self {
        Self::of(HistoryType::Delete)
    }

    /// Written by `user`.
    pub fn by(mut self, user: impl Into<UserId>) -> Self {
        self.user = Some(Some(user.into()));
        self
    }

    /// Written with no user.
    pub fn by_nobody(mut self) -> Self {
        self.user = Some(None);
        self
    }

    /// With this change reason.
    pub fn reason(mut self, reason: &str) -> Self {
        self.reason = Some(Some(reason.to_owned()));
        self
    }

    /// With no change reason.
    pub fn no_reason(mut self) -> Self {
        self.reason = Some(None);
        self
    }

    /// Exactly these fields differ from the row before (for the first row: none).
    pub fn changed(mut self, fields: &[&str]) -> Self {
        let mut fields: Vec<String> = fields.iter().map(|f| (*f).to_owned()).collect();
        fields.sort();
        self.changed = Some(fields);
        self
    }

    fn describe(&self) -> String {
        let mut out = self.history_type.to_string();
        match &self.user {
            Some(Some(user)) => {
                let _ = write!(out, " by {user}");
            }
            Some(None) => out.push_str(" by nobody"),
            None => {}
        }
        match &self.reason {
            Some(Some(reason)) => {
                let _ = write!(out, ", reason {reason:?}");
            }
            Some(None) => out.push_str(", no reason"),
            None => {}
        }
        if let Some(changed) = &self.changed {
            let _ = write!(out, ", changed [{}]", changed.join(", "));
        }
        out
    }
}

/// What a row of the trail says, in the terms of [`Expected`].
struct Actual {
    history_type: HistoryType,
    user: Option<String>,
    reason: Option<String>,
    changed: Vec<String>,
}

impl Actual {
    fn describe(&self) -> String {
        let mut out = self.history_type.to_string();
        match &self.user {
            Some(user) => {
                let _ = write!(out, " by {user}");
            }
            None => out.push_str(" by nobody"),
        }
        match &self.reason {
            Some(reason) => {
                let _ = write!(out, ", reason {reason:?}");
            }
            None => out.push_str(", no reason"),
        }
        let _ = write!(out, ", changed [{}]", self.changed.join(", "));
        out
    }
}

/// Panics, showing the expected and the actual trail side by side, unless the history of the
/// object with key `id`, oldest row first, matches `expected`: the same number of rows, each of
/// the expected type, and of the user, reason and changed fields wherever they are given.
///
/// # Panics
/// When the trail differs, or cannot be read.
pub fn assert_trail<M, C>(conn: &mut C, id: &M::Id, expected: &[Expected])
where
    M: Historical,
    M::Record: Serialize,
    C: AuditConnection,
{
    let mut trail = M::history(id).trail(conn).unwrap_or_else(|e| {
        panic!(
            "cannot read the history of {} {id:?}: {e}",
            M::HISTORY.model
        )
    });
    trail.reverse();
    let actual: Vec<Actual> = trail
        .iter()
        .enumerate()
        .map(|(i, record)| {
            let changed = match i {
                0 => Vec::new(),
                _ => record
                    .diff_against(&trail[i - 1])
                    .unwrap_or_else(|e| panic!("cannot diff the history of {id:?}: {e}"))
                    .changed_fields()
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
            };
            Actual {
                history_type: record.history_type(),
                user: record
                    .history_user_id()
                    .map(|u| format!("{u:?}").trim_matches('"').to_owned()),
                reason: record.history_change_reason().map(str::to_owned),
                changed,
            }
        })
        .collect();

    let matches = |e: &Expected, a: &Actual, record: &M::Record| {
        e.history_type == a.history_type
            && e.user.as_ref().is_none_or(|user| match user {
                None => record.history_user_id().is_none(),
                Some(user) => {
                    <M::UserId as UserIdKind>::convert(user).as_ref() == record.history_user_id()
                }
            })
            && e.reason.as_ref().is_none_or(|r| *r == a.reason)
            && e.changed.as_ref().is_none_or(|c| *c == a.changed)
    };
    let rows = expected.len().max(actual.len());
    let differs: Vec<bool> = (0..rows)
        .map(|i| match (expected.get(i), actual.get(i), trail.get(i)) {
            (Some(e), Some(a), Some(record)) => !matches(e, a, record),
            _ => true,
        })
        .collect();
    if !differs.contains(&true) {
        return;
    }

    let left: Vec<String> = expected.iter().map(Expected::describe).collect();
    let right: Vec<String> = actual.iter().map(Actual::describe).collect();
    let width = left
        .iter()
        .map(String::len)
        .max()
        .unwrap_or(0)
        .max("expected".len());
    let mut message = format!(
        "history of {} {id:?} does not match (oldest first):\n     {:<width$}  actual\n",
        M::HISTORY.model,
        "expected"
    );
    for (i, differs) in differs.iter().enumerate() {
        let _ = writeln!(
            message,
            "  {:>2}  {:<width$}  {}{}",
            i + 1,
            left.get(i).map_or("(none)", String::as_str),
            right.get(i).map_or("(none)", String::as_str),
            if *differs { "   <- differs" } else { "" }
        );
    }
    panic!("{message}");
}
