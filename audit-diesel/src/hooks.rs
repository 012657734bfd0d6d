//! Hooks around the history write: django-simple-history's `pre_create_historical_record` and
//! `post_create_historical_record` signals, as a typed trait per model.
//!
//! A model declares `#[historical(hooks)]` and implements [`HistoryHooks`]. Each history row it
//! writes then goes through [`HistoryHooks::before_history`], which sees the model as written
//! (for a delete, its last state), the history type, date, user and reason, and may set the
//! model's history-only fields; then the row is inserted, and
//! [`HistoryHooks::after_history`] sees its `history_id`. Both run in the write's transaction:
//! an error from either aborts the write, and nothing of it is stored.
//!
//! **What a hook costs.** A model with hooks writes its history row by row: the data statement
//! (`RETURNING` the rows), then per row an insert `RETURNING history_id`, and for an update that
//! skips unchanged rows one read of the object's latest record to compare with. On PostgreSQL
//! that is two statements or more per write instead of one, inside a transaction. Models without
//! hooks are unchanged. The row's date is read from the application's clock after the change
//! took its locks (as on SQLite), so dates still follow the order in which writes committed.
//!
//! Hooks do not run for backfills ([`populate_history`](crate::maintenance::populate_history)),
//! as django-simple-history's `populate_history` sends no signals; nor for a write whose context
//! skips history, nor for the delete of a model with `cascade_delete_history`, which writes no
//! row.
//!
//! ```
//! # include!("../doctest_setup.rs");
//! use audit_diesel::hooks::{AfterHistory, BeforeHistory, HistoryHooks};
//!
//! # diesel::table! { pens (id) { id -> Integer, name -> Text } }
//! #[derive(Debug, Clone, PartialEq, Queryable, Selectable, Historical)]
//! #[diesel(table_name = pens)]
//! #[historical(hooks, history_field(name_length: Option<i32>))]
//! pub struct Pen { pub id: i32, pub name: String }
//!
//! impl HistoryHooks for Pen {
//!     fn before_history(event: &mut BeforeHistory<'_, Self>) -> Result<(), AuditError> {
//!         if event.instance().name.is_empty() {
//!             return Err(AuditError::Hook { model: "Pen".into(), message: "a pen needs a name".into() });
//!         }
//!         let length = event.instance().name.chars().count() as i32;
//!         event.set_history_field("name_length", length)
//!     }
//! }
//!
//! # fn main() -> Result<(), AuditError> {
//! # let mut conn = setup();
//! # diesel::sql_query("CREATE TABLE pens (id INTEGER PRIMARY KEY, name TEXT NOT NULL)").execute(&mut conn)?;
//! # for sql in Pen::HISTORY.create_table_sql(audit_diesel::schema::Dialect::Sqlite) { diesel::sql_query(sql).execute(&mut conn)?; }
//! let ctx = AuditContext::for_user(7);
//! let pen = Pen::create(&mut conn, &ctx, (pens::id.eq(1), pens::name.eq("North")))?;
//! assert_eq!(Pen::history(&pen.id).latest(&mut conn)?.unwrap().name_length, Some(5));
//! // The hook refuses: neither the row nor its history is written.
//! assert!(Pen::create(&mut conn, &ctx, (pens::id.eq(2), pens::name.eq(""))).is_err());
//! assert_eq!(pens::table.count().get_result::<i64>(&mut conn)?, 1);
//! # Ok(())
//! # }
//! ```

use chrono::{DateTime, Utc};

use crate::{AuditError, Historical, HistoryIdOf, HistoryType, UserIdOf};

/// Code run around each history row of a model with `#[historical(hooks)]`; both methods do
/// nothing unless overridden.
pub trait HistoryHooks: Historical {
    /// Before the row is written: may read the event and set history-only fields. An error
    /// aborts the write.
    ///
    /// # Errors
    /// Whatever the hook returns; the write fails with it and stores nothing.
    fn before_history(event: &mut BeforeHistory<'_, Self>) -> Result<(), AuditError> {
        let _ = event;
        Ok(())
    }

    /// After the row is written, with its `history_id`. An error aborts the write.
    ///
    /// # Errors
    /// Whatever the hook returns; the write fails with it and stores nothing.
    fn after_history(event: &AfterHistory<'_, Self>) -> Result<(), AuditError> {
        let _ = event;
        Ok(())
    }
}

/// What a hook knows of a history row: the model as written and the row's history values.
/// [`BeforeHistory`] and [`AfterHistory`] dereference to it.
pub struct HistoryRow<'a, M: Historical> {
    pub(crate) instance: &'a M,
    pub(crate) history_type: HistoryType,
    pub(crate) date: DateTime<Utc>,
    pub(crate) user: Option<&'a UserIdOf<M>>,
    pub(crate) reason: Option<&'a str>,
}

impl<M: Historical> Clone for HistoryRow<'_, M> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M: Historical> Copy for HistoryRow<'_, M> {}

impl<'a, M: Historical> HistoryRow<'a, M> {
    /// The model as written (for a delete: as it was).
    pub fn instance(&self) -> &'a M {
        self.instance
    }
    /// `+`, `~` or `-`.
    pub fn history_type(&self) -> HistoryType {
        self.history_type
    }
    /// The row's `history_date`.
    pub fn date(&self) -> DateTime<Utc> {
        self.date
    }
    /// Who makes the change.
    pub fn user(&self) -> Option<&'a UserIdOf<M>> {
        self.user
    }
    /// Why.
    pub fn reason(&self) -> Option<&'a str> {
        self.reason
    }
}

/// One history row about to be written: its [`HistoryRow`], and the setter of its history-only
/// fields.
pub struct BeforeHistory<'a, M: Historical> {
    pub(crate) row: HistoryRow<'a, M>,
    /// Sets a history-only field of the row (the generated fields are not an API).
    pub(crate) set: &'a mut dyn FnMut(&str, serde_json::Value) -> Result<(), AuditError>,
}

impl<'a, M: Historical> std::ops::Deref for BeforeHistory<'a, M> {
    type Target = HistoryRow<'a, M>;
    fn deref(&self) -> &Self::Target {
        &self.row
    }
}

impl<M: Historical> BeforeHistory<'_, M> {
    /// Sets history-only field `name` of this row (over the context's value).
    ///
    /// # Errors
    /// [`AuditError::UnknownField`] when the model declares no such field,
    /// [`AuditError::HistoryFieldType`] when `value` does not fit its type.
    pub fn set_history_field(
        &mut self,
        name: &str,
        value: impl Into<serde_json::Value>,
    ) -> Result<(), AuditError> {
        (self.set)(name, value.into())
    }
}

/// One history row just written: its [`HistoryRow`] and its `history_id`.
pub struct AfterHistory<'a, M: Historical> {
    pub(crate) row: HistoryRow<'a, M>,
    pub(crate) history_id: &'a HistoryIdOf<M>,
}

impl<'a, M: Historical> std::ops::Deref for AfterHistory<'a, M> {
    type Target = HistoryRow<'a, M>;
    fn deref(&self) -> &Self::Target {
        &self.row
    }
}

impl<M: Historical> AfterHistory<'_, M> {
    /// The new row's `history_id`.
    pub fn history_id(&self) -> &HistoryIdOf<M> {
        self.history_id
    }
}
