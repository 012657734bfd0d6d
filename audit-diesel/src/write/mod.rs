//! Audited writes: the operations, the history metadata they carry, and the one history insert.
//!
//! A write goes from a [`Historical`] method → `dispatch` → the model's slot for the
//! connection's backend ([`crate::slot`]) → `run` (checks the context, converts the user id) →
//! the backend's [`WriteBackend`] impl, its SQL strategy, in this module's `pg.rs` or
//! `sqlite.rs` → `HistoryInsert` (`history_insert.rs`), the single fragment that renders every
//! history row insert on every backend. `statement.rs` holds the data statements both strategies
//! build on.

pub(crate) mod bulk;
mod history_insert;
#[cfg(feature = "mysql")]
mod mysql;
#[cfg(feature = "postgres")]
mod pg;
#[cfg(any(feature = "sqlite", feature = "mysql"))]
mod rows;
#[cfg(feature = "sqlite")]
mod sqlite;
#[cfg_attr(
    not(any(feature = "postgres", feature = "sqlite", feature = "mysql")),
    allow(dead_code)
)]
mod statement;

pub use crate::slot::{MysqlWrite, PostgresWrite, SqliteWrite};

use std::fmt::Debug;

use chrono::{DateTime, Utc};
use diesel::connection::LoadConnection;
use diesel::result::{EmptyChangeset, Error as DieselError, QueryResult};
use diesel::Connection;

pub(crate) use history_insert::{chain_inserted, walk_meta};
#[doc(hidden)]
pub use history_insert::{CteSource, HistoryInsert, RowsSource, SnapshotSource, TableSource};
#[doc(hidden)]
pub use statement::SelectKeys;

use diesel::query_dsl::methods::ExecuteDsl;
use diesel::RunQueryDsl as _;

use crate::backend::AuditBackend;
use crate::connection::{AuditConnection, BackendConnection};
use crate::contract::{Generated, GeneratedOf, HistoryFieldsOf, KeyFilterOf, SnapshotOf};
use crate::hooks::{AfterHistory, BeforeHistory, HistoryRow};
use crate::read::select::{Conditions, SelectRecords};
use crate::read::NoFilter;
use crate::slot::DynFilter;
use crate::user_id::user_value;
use crate::HistoryRecord;
use crate::{AuditContext, AuditError, Historical, HistoryType};

/// Insert one row (from [`Historical::create`]).
#[derive(Debug)]
pub struct Create<V>(pub V);

/// Insert a batch of rows in one statement (from [`Historical::create_many`]).
#[derive(Debug)]
pub struct CreateBatch<V>(pub V);

/// Apply `changes` to the row with key `id` (from [`Historical::update`] and
/// [`Historical::save`]).
#[derive(Debug)]
pub struct Update<Id, Ch> {
    /// The row's key.
    pub id: Id,
    /// The changeset.
    pub changes: Ch,
}

/// Write every column of each model to its row (from [`Historical::save_many`]): one statement
/// per batch on PostgreSQL.
#[derive(Debug)]
pub struct SaveBatch<'a, M>(pub &'a [M]);

impl<M> Operation<M> for SaveBatch<'_, M> {
    type Output = Vec<M>;
    const HISTORY_TYPE: HistoryType = HistoryType::Update;
    const NAME: &'static str = HistoryType::Update.label();
}

/// Apply `changes` to every row matching `filter` (from [`Historical::update_where`]).
#[derive(Debug)]
pub struct UpdateWhere<F, Ch> {
    /// The filter, an expression on the table's columns.
    pub filter: F,
    /// The changeset.
    pub changes: Ch,
}

/// Delete the row with key `id` (from [`Historical::delete`]).
#[derive(Debug)]
pub struct Delete<Id> {
    /// The row's key.
    pub id: Id,
}

/// Delete every row matching `filter` (from [`Historical::delete_where`]).
#[derive(Debug)]
pub struct DeleteWhere<F> {
    /// The filter, an expression on the table's columns.
    pub filter: F,
}

/// What every operation tells the write path: what it returns and the history type it records.
pub trait Operation<M> {
    /// What the write returns: the model, or every model it wrote.
    type Output: Written<M>;
    /// The history type of the rows it writes.
    const HISTORY_TYPE: HistoryType;
    /// Its name, for errors.
    const NAME: &'static str;
}

macro_rules! operation {
    ($op:ident<$($param:ident),*> => $output:ty, $history_type:ident) => {
        impl<M, $($param),*> Operation<M> for $op<$($param),*> {
            type Output = $output;
            const HISTORY_TYPE: HistoryType = HistoryType::$history_type;
            const NAME: &'static str = HistoryType::$history_type.label();
        }
    };
}

operation!(Create<V> => M, Create);
operation!(CreateBatch<V> => Vec<M>, Create);
operation!(Update<Id, Ch> => M, Update);
operation!(UpdateWhere<F, Ch> => Vec<M>, Update);
operation!(Delete<Id> => M, Delete);
operation!(DeleteWhere<F> => Vec<M>, Delete);

/// An audited write of model `M` (a [`Create`], [`Update`], ... holding the caller's values,
/// changes or filter) that runs on every backend `M` is declared for.
///
/// It appears in the bounds of the [`Historical`] methods and holds for every write Diesel can
/// run there; when it does not, the compiler's note names the backend (`SqliteWrite`,
/// `PostgresWrite`) and the Diesel bound that failed. Sealed: it follows from those halves.
pub trait Write<M: Historical>:
    Operation<M> + SqliteWrite<M> + PostgresWrite<M> + MysqlWrite<M>
{
}

impl<M, Op> Write<M> for Op
where
    M: Historical,
    Op: Operation<M> + SqliteWrite<M> + PostgresWrite<M> + MysqlWrite<M>,
{
}

/// Runs one audited write on the backend of `conn`; `key` names its target in errors.
pub(crate) fn dispatch<M, C, Op>(
    conn: &mut C,
    ctx: &AuditContext,
    op: Op,
    key: Option<String>,
) -> Result<Op::Output, AuditError>
where
    M: Historical,
    C: AuditConnection,
    Op: Write<M>,
{
    #[allow(unused_imports)]
    match conn.backend_connection() {
        #[cfg(feature = "sqlite")]
        BackendConnection::Sqlite(c) => {
            crate::guard::prepare_for(M::HISTORY, c);
            op.write_sqlite(c, ctx, key)
        }
        #[cfg(feature = "postgres")]
        BackendConnection::Postgres(c) => op.write_postgres(c, ctx, key),
        #[cfg(feature = "mysql")]
        BackendConnection::Mysql(c) => op.write_mysql(c, ctx, key),
        BackendConnection::__Lifetime(_, never) => match never {},
    }
}

/// The history columns of one write, checked and converted for model `M`'s table.
#[doc(hidden)]
pub struct HistoryMeta<M: Historical> {
    pub(crate) history_type: HistoryType,
    pub(crate) user: Option<crate::UserIdOf<M>>,
    pub(crate) reason: Option<String>,
    pub(crate) metadata: Option<serde_json::Value>,
    /// The values of the model's history-only fields, from the context.
    pub(crate) fields: HistoryFieldsOf<M>,
    /// An explicit date; `None` lets the backend take the time of the write.
    pub(crate) date: Option<DateTime<Utc>>,
    /// The write records no history ([`AuditContext::without_history`]).
    pub(crate) skip: bool,
    /// The changeset: the context's, else the library call's ([`one_changeset`]), else new.
    pub(crate) changeset: uuid::Uuid,
    /// Whether the context set it; if not, PostgreSQL takes its transaction's instead.
    pub(crate) explicit_changeset: bool,
}

impl<M: Historical> Clone for HistoryMeta<M> {
    fn clone(&self) -> Self {
        HistoryMeta {
            history_type: self.history_type,
            user: self.user.clone(),
            reason: self.reason.clone(),
            metadata: self.metadata.clone(),
            fields: self.fields.clone(),
            date: self.date,
            skip: self.skip,
            changeset: self.changeset,
            explicit_changeset: self.explicit_changeset,
        }
    }
}

impl<M: Historical> HistoryMeta<M> {
    /// Whether an update with this metadata compares rows before and after, to skip the history
    /// of unchanged ones: unless the model records every save, or nothing is recorded.
    pub(crate) fn compares(&self) -> bool {
        !M::RECORD_UNCHANGED && !self.skip
    }

    /// Converts `ctx` for model `M`: fails if its user id does not fit `M`'s column, or a
    /// history-only field's value does not fit its type.
    pub(crate) fn new(ctx: &AuditContext, history_type: HistoryType) -> Result<Self, AuditError> {
        Ok(HistoryMeta {
            history_type,
            user: ctx.user().map(user_value::<M>).transpose()?,
            reason: ctx.reason().map(|r| r.as_str().to_owned()),
            // Bound only by models that have the column.
            metadata: M::HISTORY
                .metadata
                .then(|| ctx.metadata().cloned())
                .flatten(),
            fields: GeneratedOf::<M>::history_fields(ctx)?,
            date: ctx.date(),
            skip: ctx.skips_history(),
            changeset: ctx
                .changeset()
                .or_else(|| CALL_CHANGESET.get())
                .unwrap_or_else(uuid::Uuid::now_v7),
            explicit_changeset: ctx.changeset().is_some(),
        })
    }
}

thread_local! {
    /// The changeset of the library call running on this thread, if it spans several writes.
    static CALL_CHANGESET: std::cell::Cell<Option<uuid::Uuid>> = const { std::cell::Cell::new(None) };
}

/// Runs `f`, a library call of several writes (a bulk write in batches, a revert), with one
/// changeset for all of them where the backend cannot tell transactions apart (SQLite); an
/// inner call keeps the outer one's. PostgreSQL groups them by their transaction anyway.
pub(crate) fn one_changeset<T>(f: impl FnOnce() -> T) -> T {
    if CALL_CHANGESET.get().is_some() {
        return f();
    }
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            CALL_CHANGESET.set(None);
        }
    }
    CALL_CHANGESET.set(Some(uuid::Uuid::now_v7()));
    let _reset = Reset;
    f()
}

/// The current time at the microsecond precision every backend stores.
pub(crate) fn now() -> DateTime<Utc> {
    crate::history_date::truncate_to_micros(Utc::now())
}

/// The models a write returns, as a slice: one, or every one it wrote.
pub trait Written<M> {
    /// The models.
    fn models(&self) -> &[M];
}

impl<M> Written<M> for M {
    fn models(&self) -> &[M] {
        std::slice::from_ref(self)
    }
}

impl<M> Written<M> for Vec<M> {
    fn models(&self) -> &[M] {
        self
    }
}

/// Runs one audited write on whatever backend `C` speaks; `key` names its target in errors.
pub(crate) fn run<M, C, Op>(
    conn: &mut C,
    ctx: &AuditContext,
    op: Op,
    key: Option<String>,
) -> Result<Op::Output, AuditError>
where
    M: Historical,
    C: Connection + LoadConnection + 'static,
    C::Backend: WriteBackend<M, Op, C>,
    Op: Operation<M>,
    for<'a> DeleteHistoryOf<'a, M>: ExecuteDsl<C>,
    M::Record: diesel::Selectable<C::Backend>,
    for<'s> SelectRecords<'s, M, DynFilter<'s, C::Backend>, C::Backend>:
        diesel::query_dsl::LoadQuery<'s, C, M::Record>,
    for<'a> InsertReturning<M, RowsSource<SnapshotOf<'a, M>>, C::Backend>:
        diesel::query_dsl::LoadQuery<'a, C, M::Record>,
    for<'a> HistoryInsert<M, RowsSource<SnapshotOf<'a, M>>>: ExecuteDsl<C>,
{
    let mut meta = HistoryMeta::<M>::new(ctx, Op::HISTORY_TYPE)?;
    if Op::HISTORY_TYPE == HistoryType::Delete && M::CASCADE_DELETE_HISTORY {
        // The delete without its `-` row, then the deleted objects' history, atomically.
        meta.skip = true;
        return conn.transaction(|conn| {
            let written = <C::Backend as WriteBackend<M, Op, C>>::write(conn, op, meta)
                .map_err(|source| write_error::<M>(source, Op::NAME, key.clone()))?;
            crate::maintenance::lifted::<M, C, _, AuditError>(conn, |conn| {
                let mut removed = 0u64;
                let mut objects = Vec::new();
                for model in written.models() {
                    let id = model.id();
                    let deleted = DeleteHistoryOf::<M> {
                        filter: GeneratedOf::<M>::history_key_filter(&id),
                    }
                    .execute(conn)
                    .map_err(|source| write_error::<M>(source, Op::NAME, key.clone()))?;
                    removed = removed.saturating_add(u64::try_from(deleted).unwrap_or(u64::MAX));
                    objects.push(format!("{id:?}"));
                }
                // Nothing follows an object's whole history: only the record of it, one per
                // statement.
                let shown = objects
                    .iter()
                    .take(10)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ");
                let more = objects.len().saturating_sub(10);
                let what = crate::chain::Maintenance {
                    operation: "cascade_delete_history",
                    detail: if more > 0 {
                        format!("deleted {shown} and {more} more, with their history")
                    } else {
                        format!("deleted {shown} with its history")
                    },
                    rows_removed: removed,
                    spec: M::HISTORY,
                };
                crate::chain::record_removal(conn, &what)
            })?;
            Ok(written)
        });
    }
    if GeneratedOf::<M>::HOOKS && !meta.skip {
        return hooked::<M, C, Op>(conn, op, meta, key);
    }
    <C::Backend as WriteBackend<M, Op, C>>::write(conn, op, meta)
        .map_err(|source| write_error::<M>(source, Op::NAME, key))
}

/// A write of a model with hooks: the data change without history, then row by row the
/// before-hook, the history insert returning the row, and the after-hook, all in one
/// transaction. An update that skips unchanged rows compares each row with its object's latest
/// record (the rows are locked by the change, so no writer of the object comes between).
fn hooked<M, C, Op>(
    conn: &mut C,
    op: Op,
    history: HistoryMeta<M>,
    key: Option<String>,
) -> Result<Op::Output, AuditError>
where
    M: Historical,
    C: Connection + LoadConnection,
    C::Backend: WriteBackend<M, Op, C>,
    Op: Operation<M>,
    M::Record: diesel::Selectable<C::Backend>,
    for<'s> SelectRecords<'s, M, DynFilter<'s, C::Backend>, C::Backend>:
        diesel::query_dsl::LoadQuery<'s, C, M::Record>,
    for<'a> InsertReturning<M, RowsSource<SnapshotOf<'a, M>>, C::Backend>:
        diesel::query_dsl::LoadQuery<'a, C, M::Record>,
    for<'a> HistoryInsert<M, RowsSource<SnapshotOf<'a, M>>>: ExecuteDsl<C>,
{
    conn.transaction(|conn| {
        let mut skip = history.clone();
        skip.skip = true;
        let written = <C::Backend as WriteBackend<M, Op, C>>::write(conn, op, skip)
            .map_err(|source| write_error::<M>(source, Op::NAME, key.clone()))?;
        // Read now, while the change holds the rows it wrote.
        let date = history.date.unwrap_or_else(now);
        let db = |source| write_error::<M>(source, Op::NAME, key.clone());
        for model in written.models() {
            if Op::HISTORY_TYPE == HistoryType::Update && history.compares() {
                let id = model.id();
                let conditions = Conditions::<M, _>::object(
                    Some(GeneratedOf::<M>::history_key_filter(&id)),
                    true,
                    &NoFilter as &DynFilter<'_, C::Backend>,
                );
                let latest: Vec<M::Record> = SelectRecords {
                    selection: <M::Record as diesel::Selectable<C::Backend>>::construct_selection(),
                    conditions,
                    limit: Some(1),
                    offset: None,
                }
                .load(conn)
                .map_err(db)?;
                if latest
                    .first()
                    .is_some_and(|r| GeneratedOf::<M>::record_matches(r, model))
                {
                    continue;
                }
            }
            let row = HistoryRow {
                instance: model,
                history_type: history.history_type,
                date,
                user: history.user.as_ref(),
                reason: history.reason.as_deref(),
            };
            let mut fields = history.fields.clone();
            {
                let mut set = |name: &str, value| {
                    GeneratedOf::<M>::set_history_field(&mut fields, name, value)
                };
                GeneratedOf::<M>::before_history(&mut BeforeHistory { row, set: &mut set })?;
            }
            let meta = HistoryMeta {
                fields,
                date: Some(date),
                ..history.clone()
            };
            let rows = RowsSource(vec![GeneratedOf::<M>::snapshot(model)]);
            let record: M::Record = if <C::Backend as AuditBackend>::DIALECT
                == crate::schema::Dialect::Mysql
            {
                // No `RETURNING` on MySQL: the row is read back by its id.
                let inserted = HistoryInsert::new(rows, meta).execute(conn).map_err(db)?;
                chain_inserted(conn, M::HISTORY, inserted).map_err(db)?;
                let id = model.id();
                let conditions = Conditions::<M, _>::object(
                    Some(GeneratedOf::<M>::history_key_filter(&id)),
                    true,
                    &LastInserted { spec: M::HISTORY } as &DynFilter<'_, C::Backend>,
                );
                let rows: Vec<M::Record> = SelectRecords {
                    selection: <M::Record as diesel::Selectable<C::Backend>>::construct_selection(),
                    conditions,
                    limit: Some(1),
                    offset: None,
                }
                .load(conn)
                .map_err(db)?;
                rows.into_iter()
                    .next()
                    .ok_or_else(|| db(DieselError::NotFound))?
            } else {
                InsertReturning::<M, _, C::Backend> {
                    insert: HistoryInsert::new(rows, meta),
                    selection: <M::Record as diesel::Selectable<C::Backend>>::construct_selection(),
                }
                .get_result(conn)
                .map_err(db)?
            };
            GeneratedOf::<M>::after_history(&AfterHistory {
                row,
                history_id: record.history_id(),
            })?;
        }
        Ok(written)
    })
}

/// `"history_id" = LAST_INSERT_ID()`: the history row MySQL's insert just wrote, where the history
/// id is the table's auto-increment; nothing for a UUID history id (the object's newest row is
/// then the one the write inserted, under the lock its change holds).
struct LastInserted {
    spec: &'static crate::HistoryTableSpec,
}

impl<DB: diesel::backend::Backend> diesel::query_builder::QueryFragment<DB> for LastInserted {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        if self.spec.history_id != crate::HistoryIdType::BigInt {
            out.push_sql("1 = 1");
            return Ok(());
        }
        crate::sql::column(
            &mut out,
            &self.spec.history_table,
            crate::schema::spec::meta::HISTORY_ID,
        )?;
        out.push_sql(" = LAST_INSERT_ID()");
        Ok(())
    }
}

/// `INSERT INTO <history> ... RETURNING <the record's columns>`: one history row, read back.
#[doc(hidden)]
pub struct InsertReturning<M: Historical + 'static, S, DB: diesel::backend::Backend>
where
    M::Record: diesel::Selectable<DB>,
{
    pub(crate) insert: HistoryInsert<M, S>,
    pub(crate) selection: <M::Record as diesel::Selectable<DB>>::SelectExpression,
}

crate::sql::query!(impl[M: Historical, S, DB: diesel::backend::Backend] InsertReturning<M, S, DB> => diesel::dsl::AsSelect<M::Record, DB>
    where [M::Record: diesel::Selectable<DB>]);

impl<M, S, DB> diesel::query_builder::QueryFragment<DB> for InsertReturning<M, S, DB>
where
    M: Historical,
    M::Record: diesel::Selectable<DB>,
    <M::Record as diesel::Selectable<DB>>::SelectExpression:
        diesel::query_builder::QueryFragment<DB>,
    DB: diesel::backend::Backend,
    HistoryInsert<M, S>: diesel::query_builder::QueryFragment<DB>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        self.insert.walk_ast(out.reborrow())?;
        out.push_sql(" RETURNING ");
        self.selection.walk_ast(out.reborrow())
    }
}

/// `DELETE FROM <history> WHERE <key filter>`: the history of one object, for models that
/// cascade deletes to their history.
#[doc(hidden)]
pub struct DeleteHistoryOf<'a, M: Historical> {
    pub(crate) filter: KeyFilterOf<'a, M>,
}

impl<M: Historical> diesel::query_builder::QueryId for DeleteHistoryOf<'_, M> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<M: Historical, Conn> diesel::RunQueryDsl<Conn> for DeleteHistoryOf<'_, M> {}

impl<M, DB> diesel::query_builder::QueryFragment<DB> for DeleteHistoryOf<'_, M>
where
    M: Historical,
    DB: diesel::backend::Backend,
    for<'a> KeyFilterOf<'a, M>: diesel::query_builder::QueryFragment<DB>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        out.push_sql("DELETE FROM ");
        out.push_identifier(&M::HISTORY.history_table)?;
        out.push_sql(" WHERE ");
        self.filter.walk_ast(out.reborrow())
    }
}

/// The one model a write of one row returns, or `NotFound`, or [`KeyNotUnique`] when it wrote
/// several (which the backends check before they commit).
pub(crate) fn one<M>(mut models: Vec<M>) -> diesel::QueryResult<M> {
    if models.len() > 1 {
        return Err(KeyNotUnique::error(models.len()));
    }
    models.pop().ok_or(DieselError::NotFound)
}

/// A write of one row wrote several: several rows have the key of a write by key, or a create
/// was given several rows. A backend that checks this inside its own
/// transaction returns it as a Diesel error, so that the transaction rolls back;
/// [`write_error`] turns it into [`AuditError::KeyNotUnique`].
#[derive(Debug)]
pub(crate) struct KeyNotUnique {
    rows: u64,
}

impl KeyNotUnique {
    /// The text a backend that checks in SQL puts into its error: `<marker><rows>`.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(crate) const MARKER: &'static str = "diesel-audit: rows with one key: ";

    pub(crate) fn error(rows: usize) -> DieselError {
        let rows = u64::try_from(rows).unwrap_or(u64::MAX);
        DieselError::QueryBuilderError(Box::new(KeyNotUnique { rows }))
    }

    /// The rows count of a database error raised by a backend's SQL check.
    fn from_message(message: &str) -> Option<u64> {
        let (_, rest) = message.split_once(Self::MARKER)?;
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        Some(digits.parse().unwrap_or(2))
    }
}

impl std::fmt::Display for KeyNotUnique {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} rows have the key", self.rows)
    }
}

impl std::error::Error for KeyNotUnique {}

/// Names the model and the key in a Diesel error of a write.
pub(crate) fn write_error<M: Historical>(
    source: DieselError,
    operation: &'static str,
    key: Option<String>,
) -> AuditError {
    let model = M::HISTORY.model.to_string();
    let key = key.unwrap_or_else(|| "(new)".to_owned());
    // Several rows, as SQLite's check says it or as PostgreSQL's guard fails.
    let several = match &source {
        DieselError::QueryBuilderError(e) => e.downcast_ref::<KeyNotUnique>().map(|e| e.rows),
        DieselError::DatabaseError(_, info) => KeyNotUnique::from_message(info.message()),
        _ => None,
    };
    if let Some(rows) = several {
        return several_rows(model, key, rows, operation);
    }
    if let DieselError::QueryBuilderError(e) = &source {
        if let Some(missing) = e.downcast_ref::<statement::MissingRow>() {
            return AuditError::NotFound {
                model,
                key: missing.key.clone(),
            };
        }
    }
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

/// A write of one row that wrote several: a create given several rows, or a key that several
/// rows share.
fn several_rows(model: String, key: String, rows: u64, operation: &'static str) -> AuditError {
    if operation == HistoryType::Create.label() {
        AuditError::CreateTakesOneRow { model, rows }
    } else {
        AuditError::KeyNotUnique { model, key, rows }
    }
}

/// The key of an operation by key, for errors.
pub(crate) fn key_of<Id: Debug>(id: &Id) -> Option<String> {
    Some(format!("{id:?}"))
}

/// How backend `Self` performs operation `Op` on model `M` with its history row.
///
/// Implemented by this crate for each backend and operation (sealed through [`AuditBackend`]);
/// the model's slot for a backend ([`slot`](crate::slot)) needs it for every write the model makes there.
///
/// The connection type `C` is a parameter so that each impl can require what Diesel needs to load
/// the model back through `C`.
pub trait WriteBackend<M: Historical, Op: Operation<M>, C>: AuditBackend
where
    C: Connection<Backend = Self> + LoadConnection,
{
    /// Performs `op` and writes its history rows, atomically; returns what `op` returns.
    #[doc(hidden)]
    fn write(conn: &mut C, op: Op, meta: HistoryMeta<M>) -> QueryResult<Op::Output>;
}
