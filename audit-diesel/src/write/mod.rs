//! Audited writes: the operations, the history metadata they carry, and the one history insert.
//!
//! A write goes `Historical::create/update/save/delete` → `run` (checks the context, converts
//! the user id) → the backend's [`WriteBackend`] impl (the SQL strategy of that backend) →
//! `HistoryInsert`, the single fragment that renders every history row insert on every backend.

mod history_insert;

use std::fmt::Debug;

use chrono::{DateTime, Utc};
use diesel::connection::LoadConnection;
use diesel::result::{EmptyChangeset, Error as DieselError};
use diesel::Connection;

#[cfg_attr(not(feature = "postgres"), allow(unused_imports))]
pub(crate) use history_insert::CteSource;
pub(crate) use history_insert::HistoryInsert;
#[cfg_attr(not(feature = "sqlite"), allow(unused_imports))]
pub(crate) use history_insert::ValuesSource;

use crate::backend::WriteBackend;
use crate::user_id::UserIdKind;
use crate::{AuditContext, AuditError, Historical, HistoryType};

/// Insert the values `V` (from [`Historical::create`]).
#[derive(Debug)]
pub struct Create<V>(pub V);

/// Apply `changes` to the row with key `id` (from [`Historical::update`] and
/// [`Historical::save`]).
#[derive(Debug)]
pub struct Update<Id, Ch> {
    /// The row's key.
    pub id: Id,
    /// The changeset.
    pub changes: Ch,
}

/// Delete the row with key `id` (from [`Historical::delete`]).
#[derive(Debug)]
pub struct Delete<Id> {
    /// The row's key.
    pub id: Id,
}

/// What every operation tells the write path: the history type it records and the key it targets.
pub trait Operation {
    /// The history type of the rows it writes.
    const HISTORY_TYPE: HistoryType;
    /// Its name, for errors.
    const NAME: &'static str;
    /// The key it targets, for errors.
    fn key(&self) -> Option<String>;
}

impl<V> Operation for Create<V> {
    const HISTORY_TYPE: HistoryType = HistoryType::Create;
    const NAME: &'static str = "create";
    fn key(&self) -> Option<String> {
        None
    }
}

impl<Id: Debug, Ch> Operation for Update<Id, Ch> {
    const HISTORY_TYPE: HistoryType = HistoryType::Update;
    const NAME: &'static str = "update";
    fn key(&self) -> Option<String> {
        Some(format!("{:?}", self.id))
    }
}

impl<Id: Debug> Operation for Delete<Id> {
    const HISTORY_TYPE: HistoryType = HistoryType::Delete;
    const NAME: &'static str = "delete";
    fn key(&self) -> Option<String> {
        Some(format!("{:?}", self.id))
    }
}

/// The history columns of one write, checked and converted for model `M`'s table.
pub struct HistoryMeta<U: UserIdKind> {
    pub(crate) history_type: HistoryType,
    pub(crate) user: Option<U::Value>,
    pub(crate) reason: Option<String>,
    pub(crate) metadata: Option<serde_json::Value>,
    /// An explicit date; `None` lets the backend take the time of the write.
    pub(crate) date: Option<DateTime<Utc>>,
}

impl<U: UserIdKind> HistoryMeta<U> {
    /// Converts `ctx` for model `M`: fails if its user id does not fit `M`'s column.
    pub(crate) fn new<M: Historical<UserId = U>>(
        ctx: &AuditContext,
        history_type: HistoryType,
    ) -> Result<Self, AuditError> {
        let user = match ctx.user() {
            None => None,
            Some(user) => Some(U::convert(user).ok_or_else(|| AuditError::UserIdType {
                model: M::HISTORY.model.to_string(),
                user: user.clone(),
                expected: U::KIND,
            })?),
        };
        Ok(HistoryMeta {
            history_type,
            user,
            reason: ctx.reason().map(|r| r.as_str().to_owned()),
            metadata: ctx.metadata().cloned(),
            date: ctx.date(),
        })
    }
}

/// Runs one audited write on whatever backend `C` speaks.
pub(crate) fn run<M, C, Op>(conn: &mut C, ctx: &AuditContext, op: Op) -> Result<M, AuditError>
where
    M: Historical,
    C: Connection + LoadConnection,
    C::Backend: WriteBackend<M, Op, C>,
    Op: Operation,
{
    let meta = HistoryMeta::new::<M>(ctx, Op::HISTORY_TYPE)?;
    let key = op.key();
    <C::Backend as WriteBackend<M, Op, C>>::write(conn, op, meta)
        .map_err(|source| write_error::<M>(source, Op::NAME, key))
}

/// Names the model and the key in a Diesel error of a write.
pub(crate) fn write_error<M: Historical>(
    source: DieselError,
    operation: &'static str,
    key: Option<String>,
) -> AuditError {
    let model = M::HISTORY.model.to_string();
    let key = key.unwrap_or_else(|| "(new)".to_owned());
    match source {
        DieselError::NotFound => AuditError::NotFound { model, key },
        DieselError::QueryBuilderError(e) if e.is::<EmptyChangeset>() => {
            AuditError::EmptyChangeset { model, key }
        }
        source => AuditError::Database {
            model,
            operation,
            source,
        },
    }
}
