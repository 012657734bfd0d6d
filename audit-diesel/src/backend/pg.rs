//! PostgreSQL: every audited write is one statement.
//!
//! ```sql
//! WITH "audit_changed" AS (UPDATE "batches" SET ... WHERE "id" = $1 RETURNING ...),
//!      "audit_history" AS (INSERT INTO "historical_batches" (...)
//!                          SELECT ..., $2, $3, $4, clock_timestamp() FROM "audit_changed")
//! SELECT * FROM "audit_changed"
//! ```
//!
//! A data-modifying CTE runs exactly once and to completion whether or not the main query reads
//! it, and the statement is atomic on its own: no `BEGIN`/`COMMIT`, one round trip. Inside a
//! caller's transaction a failure aborts that transaction, as any failed statement does.
//!
//! `history_date` defaults to `clock_timestamp()`, read as the history row is built, after the
//! change took its row lock: two writes that contend for a row get dates in the order they
//! committed, even from application servers whose clocks disagree.

use diesel::connection::LoadConnection;
use diesel::dsl::AsSelect;
use diesel::expression::Selectable;
use diesel::insertable::Insertable;
use diesel::pg::Pg;
use diesel::query_builder::{
    AsChangeset, AsQuery, AstPass, IntoUpdateTarget, Query, QueryFragment, QueryId,
};
use diesel::query_dsl::methods::FindDsl;
use diesel::query_dsl::{LoadQuery, RunQueryDsl};
use diesel::result::QueryResult;
use diesel::Connection;

use super::{audit_backend_binds, statement, AsOfStrategy, AuditBackend, BindUserId, WriteBackend};
use crate::schema::Dialect;
use crate::write::{Create, CteSource, Delete, HistoryInsert, HistoryMeta, Update};
use crate::Historical;

impl AuditBackend for Pg {
    const DIALECT: Dialect = Dialect::Postgres;
    const CLOCK_SQL: &'static str = "clock_timestamp()";
    const AS_OF: AsOfStrategy = AsOfStrategy::SkipScan;
    audit_backend_binds!();
}

/// A data statement and its history insert, as one statement that returns the model.
#[doc(hidden)]
pub struct AuditedStatement<S, M: Historical + Selectable<Pg>> {
    statement: S,
    returning: M::SelectExpression,
    history: HistoryInsert<M, CteSource>,
}

impl<S, M: Historical + Selectable<Pg>> AuditedStatement<S, M> {
    fn new(statement: S, meta: HistoryMeta<M::UserId>) -> Self {
        AuditedStatement {
            statement,
            returning: M::construct_selection(),
            history: HistoryInsert::new(CteSource, meta),
        }
    }
}

impl<S, M: Historical + Selectable<Pg>> QueryId for AuditedStatement<S, M> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<S, M: Historical + Selectable<Pg>> Query for AuditedStatement<S, M> {
    type SqlType = AsSelect<M, Pg>;
}

impl<S, M: Historical + Selectable<Pg>, Conn> RunQueryDsl<Conn> for AuditedStatement<S, M> {}

impl<S, M> QueryFragment<Pg> for AuditedStatement<S, M>
where
    S: QueryFragment<Pg>,
    M: Historical + Selectable<Pg>,
    M::SelectExpression: QueryFragment<Pg>,
    M::UserId: BindUserId<Pg>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("WITH ");
        out.push_identifier(CteSource::NAME)?;
        out.push_sql(" AS (");
        self.statement.walk_ast(out.reborrow())?;
        // The statement returns the model's own selection, so the CTE's columns are the model's
        // columns by name (for the history insert) and in field order (for loading the model).
        out.push_sql(" RETURNING ");
        self.returning.walk_ast(out.reborrow())?;
        out.push_sql("), \"audit_history\" AS (");
        self.history.walk_ast(out.reborrow())?;
        out.push_sql(") SELECT * FROM ");
        out.push_identifier(CteSource::NAME)
    }
}

impl<'q, M, V, C> WriteBackend<M, Create<V>, C> for Pg
where
    C: Connection<Backend = Pg> + LoadConnection,
    M: Historical + Selectable<Pg>,
    V: Insertable<M::Table>,
    AuditedStatement<statement::Insert<M, V>, M>: LoadQuery<'q, C, M>,
{
    fn write(conn: &mut C, op: Create<V>, meta: HistoryMeta<M::UserId>) -> QueryResult<M> {
        let statement = statement::insert::<M, V>(op.0);
        AuditedStatement::new(statement, meta).get_result(conn)
    }
}

impl<'q, M, Ch, C> WriteBackend<M, Update<M::Id, Ch>, C> for Pg
where
    C: Connection<Backend = Pg> + LoadConnection,
    M: Historical + Selectable<Pg>,
    M::Table: FindDsl<M::Id>,
    statement::Target<M>: IntoUpdateTarget<Table = M::Table>,
    Ch: AsChangeset<Target = M::Table>,
    statement::Update<M, Ch>: AsQuery,
    AuditedStatement<statement::Update<M, Ch>, M>: LoadQuery<'q, C, M>,
{
    fn write(conn: &mut C, op: Update<M::Id, Ch>, meta: HistoryMeta<M::UserId>) -> QueryResult<M> {
        let statement = statement::update::<M, Ch>(op.id, op.changes);
        AuditedStatement::new(statement, meta).get_result(conn)
    }
}

impl<'q, M, C> WriteBackend<M, Delete<M::Id>, C> for Pg
where
    C: Connection<Backend = Pg> + LoadConnection,
    M: Historical + Selectable<Pg>,
    M::Table: FindDsl<M::Id>,
    statement::Target<M>: IntoUpdateTarget<Table = M::Table>,
    AuditedStatement<statement::Delete<M>, M>: LoadQuery<'q, C, M>,
{
    fn write(conn: &mut C, op: Delete<M::Id>, meta: HistoryMeta<M::UserId>) -> QueryResult<M> {
        let statement = statement::delete::<M>(op.id);
        AuditedStatement::new(statement, meta).get_result(conn)
    }
}
