//! SQLite: a transaction of two statements per write.
//!
//! SQLite rejects data-modifying statements inside `WITH`, so a write is the change with
//! `RETURNING` (SQLite 3.35+) followed by the history row, bound from what the change returned,
//! inside `conn.transaction` (a savepoint when the caller already opened a transaction).
//!
//! `history_date` is read from the Rust clock after the change succeeded, that is while this
//! connection holds SQLite's write lock, so dates follow the order in which writes were serialized.

use chrono::{DurationRound, TimeDelta, Utc};
use diesel::connection::LoadConnection;
use diesel::dsl::AsSelect;
use diesel::expression::Selectable;
use diesel::insertable::Insertable;
use diesel::query_builder::{
    AsChangeset, AsQuery, AstPass, IntoUpdateTarget, Query, QueryFragment, QueryId,
};
use diesel::query_dsl::methods::{ExecuteDsl, FindDsl};
use diesel::query_dsl::{LoadQuery, RunQueryDsl};
use diesel::result::QueryResult;
use diesel::sqlite::Sqlite;
use diesel::Connection;

use super::{audit_backend_binds, statement, AsOfStrategy, AuditBackend, WriteBackend};
use crate::schema::Dialect;
use crate::write::{Create, Delete, HistoryInsert, HistoryMeta, Update, ValuesSource};
use crate::Historical;

impl AuditBackend for Sqlite {
    const DIALECT: Dialect = Dialect::Sqlite;
    /// Millisecond precision only: SQLite's clock has no more. Writes bind the Rust clock instead.
    const CLOCK_SQL: &'static str = "strftime('%Y-%m-%d %H:%M:%f000', 'now')";
    const AS_OF: AsOfStrategy = AsOfStrategy::Window;
    audit_backend_binds!();
}

/// A data statement with ` RETURNING <the model's columns>` appended.
#[doc(hidden)]
pub struct Returning<S, M: Selectable<Sqlite>> {
    statement: S,
    returning: M::SelectExpression,
}

impl<S, M: Selectable<Sqlite>> Returning<S, M> {
    fn new(statement: S) -> Self {
        Returning {
            statement,
            returning: M::construct_selection(),
        }
    }
}

impl<S, M: Selectable<Sqlite>> QueryId for Returning<S, M> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<S, M: Selectable<Sqlite>> Query for Returning<S, M> {
    type SqlType = AsSelect<M, Sqlite>;
}

impl<S, M: Selectable<Sqlite>, Conn> RunQueryDsl<Conn> for Returning<S, M> {}

impl<S, M> QueryFragment<Sqlite> for Returning<S, M>
where
    S: QueryFragment<Sqlite>,
    M: Selectable<Sqlite>,
    M::SelectExpression: QueryFragment<Sqlite>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.statement.walk_ast(out.reborrow())?;
        out.push_sql(" RETURNING ");
        self.returning.walk_ast(out.reborrow())
    }
}

/// Runs `statement` and the history row of the model it returns, in one transaction.
fn write<'q, M, S, C>(
    conn: &mut C,
    statement: S,
    mut meta: HistoryMeta<M::UserId>,
) -> QueryResult<M>
where
    C: Connection<Backend = Sqlite> + LoadConnection,
    M: Historical + Selectable<Sqlite>,
    Returning<S, M>: LoadQuery<'q, C, M>,
    for<'a> HistoryInsert<M, ValuesSource<M::Snapshot<'a>>>: ExecuteDsl<C>,
{
    conn.transaction(|conn| {
        let model: M = Returning::<S, M>::new(statement).get_result(conn)?;
        if meta.date.is_none() {
            meta.date = Some(now());
        }
        HistoryInsert::<M, _>::new(ValuesSource(model.snapshot()), meta).execute(conn)?;
        Ok(model)
    })
}

/// The current time at the microsecond precision every backend stores.
fn now() -> chrono::DateTime<Utc> {
    let now = Utc::now();
    now.duration_trunc(TimeDelta::microseconds(1))
        .unwrap_or(now)
}

impl<'q, M, V, C> WriteBackend<M, Create<V>, C> for Sqlite
where
    C: Connection<Backend = Sqlite> + LoadConnection,
    M: Historical + Selectable<Sqlite>,
    V: Insertable<M::Table>,
    Returning<statement::Insert<M, V>, M>: LoadQuery<'q, C, M>,
    for<'a> HistoryInsert<M, ValuesSource<M::Snapshot<'a>>>: ExecuteDsl<C>,
{
    fn write(conn: &mut C, op: Create<V>, meta: HistoryMeta<M::UserId>) -> QueryResult<M> {
        write(conn, statement::insert::<M, V>(op.0), meta)
    }
}

impl<'q, M, Ch, C> WriteBackend<M, Update<M::Id, Ch>, C> for Sqlite
where
    C: Connection<Backend = Sqlite> + LoadConnection,
    M: Historical + Selectable<Sqlite>,
    M::Table: FindDsl<M::Id>,
    statement::Target<M>: IntoUpdateTarget<Table = M::Table>,
    Ch: AsChangeset<Target = M::Table>,
    statement::Update<M, Ch>: AsQuery,
    Returning<statement::Update<M, Ch>, M>: LoadQuery<'q, C, M>,
    for<'a> HistoryInsert<M, ValuesSource<M::Snapshot<'a>>>: ExecuteDsl<C>,
{
    fn write(conn: &mut C, op: Update<M::Id, Ch>, meta: HistoryMeta<M::UserId>) -> QueryResult<M> {
        let statement = statement::update::<M, Ch>(op.id, op.changes);
        write(conn, statement, meta)
    }
}

impl<'q, M, C> WriteBackend<M, Delete<M::Id>, C> for Sqlite
where
    C: Connection<Backend = Sqlite> + LoadConnection,
    M: Historical + Selectable<Sqlite>,
    M::Table: FindDsl<M::Id>,
    statement::Target<M>: IntoUpdateTarget<Table = M::Table>,
    Returning<statement::Delete<M>, M>: LoadQuery<'q, C, M>,
    for<'a> HistoryInsert<M, ValuesSource<M::Snapshot<'a>>>: ExecuteDsl<C>,
{
    fn write(conn: &mut C, op: Delete<M::Id>, meta: HistoryMeta<M::UserId>) -> QueryResult<M> {
        write(conn, statement::delete::<M>(op.id), meta)
    }
}
