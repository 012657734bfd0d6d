//! PostgreSQL: every audited write is one statement.
//!
//! ```sql
//! WITH "audit_old" AS (SELECT ... FROM "batches" WHERE "id" = $1 FOR UPDATE),
//!      "audit_changed" AS (UPDATE "batches" SET ... WHERE "id" = $2 RETURNING ...),
//!      "audit_history" AS (INSERT INTO "historical_batches" (...)
//!                          SELECT ..., $3, $4, $5, clock_timestamp() FROM "audit_changed"
//!                          LEFT JOIN "audit_old" ON ... WHERE (...) IS DISTINCT FROM (...))
//! SELECT * FROM "audit_changed"
//! ```
//!
//! A data-modifying CTE runs exactly once and to completion whether or not the main query reads
//! it, and the statement is atomic on its own: no `BEGIN`/`COMMIT`, one round trip, for one row or
//! a whole batch. Inside a caller's transaction a failure aborts that transaction, as any failed
//! statement does.
//!
//! `history_date` defaults to `clock_timestamp()`, read as the history row is built, after the
//! change took its row lock: two writes that contend for a row get dates in the order they
//! committed, even from application servers whose clocks disagree.
//!
//! A write of one row (by key, or a create whose values turn out to be several rows) ends in `WHERE (SELECT CASE WHEN COUNT(*) > 1 THEN CAST('...' || COUNT(*) AS
//! INTEGER) ELSE 1 END FROM "audit_changed") = 1`: when the key matched several rows (a table
//! whose declared primary key is not unique in the database), the cast fails and with it the
//! whole statement, so nothing is written; the error becomes `AuditError::KeyNotUnique`.
//!
//! `audit_old` (updates of models that skip unchanged rows) reads the rows `FOR UPDATE` before the
//! change; all parts of the statement share one snapshot, so it sees them as they were, and a row
//! whose tracked columns are the same before and after gets no history row.

use diesel::connection::LoadConnection;
use diesel::dsl::AsSelect;
use diesel::expression::Selectable;
use diesel::insertable::Insertable;
use diesel::pg::Pg;
use diesel::query_builder::{AsChangeset, AstPass, IntoUpdateTarget, QueryFragment};
use diesel::query_dsl::methods::{FilterDsl, FindDsl};
use diesel::query_dsl::{LoadQuery, RunQueryDsl};
use diesel::result::QueryResult;
use diesel::Connection;

use super::statement::{self, SelectOld};
use super::WriteBackend;
use crate::backend::BindUserId;
use crate::sql::{alias, query};
use crate::write::{
    one, Create, CreateBatch, CteSource, Delete, DeleteWhere, HistoryInsert, HistoryMeta,
    KeyNotUnique, Update, UpdateWhere,
};
use crate::Historical;

/// Nothing read before the change (inserts and deletes).
#[doc(hidden)]
pub struct NoOld;

impl QueryFragment<Pg> for NoOld {
    fn walk_ast<'b>(&'b self, _: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        Ok(())
    }
}

/// A data statement and its history insert, as one statement that returns the models written.
#[doc(hidden)]
pub struct AuditedStatement<S, M: Historical + Selectable<Pg>, O = NoOld> {
    /// The rows an update reads before changing them, to skip the history of unchanged rows.
    old: Option<O>,
    statement: S,
    returning: M::SelectExpression,
    history: Option<HistoryInsert<M, CteSource>>,
    /// A write of one row (by key, or a create): fails, whole, when it wrote several.
    single: bool,
}

impl<S, M: Historical + Selectable<Pg>, O> AuditedStatement<S, M, O> {
    fn new(old: Option<O>, statement: S, meta: HistoryMeta<M>) -> Self {
        let only_changed = old.is_some();
        AuditedStatement {
            old,
            statement,
            returning: M::construct_selection(),
            history: (!meta.skip).then(|| HistoryInsert::new(CteSource { only_changed }, meta)),
            single: false,
        }
    }

    /// The same statement, refused whole when it writes several rows.
    fn single(self) -> Self {
        AuditedStatement {
            single: true,
            ..self
        }
    }
}

query!(impl[S, M: Historical + Selectable<Pg>, O] AuditedStatement<S, M, O> => AsSelect<M, Pg>);

impl<S, M, O> QueryFragment<Pg> for AuditedStatement<S, M, O>
where
    S: QueryFragment<Pg>,
    M: Historical + Selectable<Pg>,
    M::SelectExpression: QueryFragment<Pg>,
    M::UserId: BindUserId<Pg>,
    O: QueryFragment<Pg>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("WITH ");
        if let Some(old) = &self.old {
            out.push_identifier(alias::OLD)?;
            out.push_sql(" AS (");
            old.walk_ast(out.reborrow())?;
            out.push_sql("), ");
        }
        out.push_identifier(alias::CHANGED)?;
        out.push_sql(" AS (");
        self.statement.walk_ast(out.reborrow())?;
        // The statement returns the model's own selection, so the CTE's columns are the model's
        // columns by name (for the history insert) and in field order (for loading the models).
        out.push_sql(" RETURNING ");
        self.returning.walk_ast(out.reborrow())?;
        out.push_sql(")");
        if let Some(history) = &self.history {
            out.push_sql(", ");
            out.push_identifier(alias::HISTORY)?;
            out.push_sql(" AS (");
            history.walk_ast(out.reborrow())?;
            out.push_sql(")");
        }
        out.push_sql(" SELECT * FROM ");
        out.push_identifier(alias::CHANGED)?;
        if self.single {
            // Not a constant, so PostgreSQL cannot fold the failing branch at plan time.
            out.push_sql(" WHERE (SELECT CASE WHEN COUNT(*) > 1 THEN CAST('");
            out.push_sql(KeyNotUnique::MARKER);
            out.push_sql("' || COUNT(*) AS INTEGER) ELSE 1 END FROM ");
            out.push_identifier(alias::CHANGED)?;
            out.push_sql(") = 1");
        }
        Ok(())
    }
}

/// The `WHERE` of an update that reads its old rows first: it also says
/// `AND (SELECT COUNT(*) FROM "audit_old") >= 0`, always true, so that PostgreSQL reads every old
/// row before it changes any. Left to the join of the history insert, the old rows would be read
/// after the update, and a row this very statement already changed is invisible to its own
/// `FOR UPDATE`.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct AfterOld<W> {
    inner: W,
    enabled: bool,
}

impl<W: QueryFragment<Pg>> QueryFragment<Pg> for AfterOld<W> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        // Targets by key or by filter always have a `WHERE` of their own.
        self.inner.walk_ast(out.reborrow())?;
        if self.enabled {
            out.push_sql(" AND (SELECT COUNT(*) FROM ");
            out.push_identifier(alias::OLD)?;
            out.push_sql(") >= 0");
        }
        Ok(())
    }
}

type Updated<M, Tg, Ch> = AuditedStatement<
    statement::UpdateRowsOf<Tg, Ch, AfterOld<<Tg as IntoUpdateTarget>::WhereClause>>,
    M,
    SelectOld<M, <Tg as IntoUpdateTarget>::WhereClause, Pg>,
>;
type Deleted<M, Tg> = AuditedStatement<statement::Delete<Tg>, M>;

/// The update of the rows of `target`, skipping the history of unchanged rows unless the model
/// records every save.
fn updated<M, Tg, Ch>(target: Tg, changes: Ch, meta: HistoryMeta<M>) -> Updated<M, Tg, Ch>
where
    M: Historical + Selectable<Pg>,
    Tg: IntoUpdateTarget<Table = M::Table> + Clone,
    Ch: AsChangeset<Target = M::Table>,
{
    let compare = meta.compares();
    let old = compare.then(|| SelectOld::new(target.clone(), true));
    let statement = statement::update::<M, _, Ch>(target, changes).map_where(|inner| AfterOld {
        inner,
        enabled: compare,
    });
    AuditedStatement::new(old, statement, meta)
}

// Hidden from the docs: its bounds name the statement types, which are not an API.
#[doc(hidden)]
impl<'q, M, V, C> WriteBackend<M, Create<V>, C> for Pg
where
    C: Connection<Backend = Pg> + LoadConnection,
    M: Historical + Selectable<Pg>,
    V: Insertable<M::Table>,
    AuditedStatement<statement::Insert<M, V>, M>: LoadQuery<'q, C, M>,
{
    fn write(conn: &mut C, op: Create<V>, meta: HistoryMeta<M>) -> QueryResult<M> {
        // `V` may be a slice: one create writes one row.
        one(
            AuditedStatement::new(None, statement::insert::<M, V>(op.0), meta)
                .single()
                .load(conn)?,
        )
    }
}

// Hidden from the docs: its bounds name the statement types, which are not an API.
#[doc(hidden)]
impl<'q, M, V, C> WriteBackend<M, CreateBatch<V>, C> for Pg
where
    C: Connection<Backend = Pg> + LoadConnection,
    M: Historical + Selectable<Pg>,
    V: Insertable<M::Table>,
    AuditedStatement<statement::Insert<M, V>, M>: LoadQuery<'q, C, M>,
{
    fn write(conn: &mut C, op: CreateBatch<V>, meta: HistoryMeta<M>) -> QueryResult<Vec<M>> {
        AuditedStatement::new(None, statement::insert::<M, V>(op.0), meta).load(conn)
    }
}

// Hidden from the docs: its bounds name the statement types, which are not an API.
#[doc(hidden)]
impl<'q, M, Ch, C> WriteBackend<M, Update<M::Id, Ch>, C> for Pg
where
    C: Connection<Backend = Pg> + LoadConnection,
    M: Historical + Selectable<Pg>,
    M::Table: FindDsl<M::Id>,
    statement::Target<M>: IntoUpdateTarget<Table = M::Table> + Clone,
    Ch: AsChangeset<Target = M::Table>,
    Updated<M, statement::Target<M>, Ch>: LoadQuery<'q, C, M>,
{
    fn write(conn: &mut C, op: Update<M::Id, Ch>, meta: HistoryMeta<M>) -> QueryResult<M> {
        one(updated(statement::by_key::<M>(op.id), op.changes, meta)
            .single()
            .load(conn)?)
    }
}

// Hidden from the docs: its bounds name the statement types, which are not an API.
#[doc(hidden)]
impl<'q, M, F, Ch, C> WriteBackend<M, UpdateWhere<F, Ch>, C> for Pg
where
    C: Connection<Backend = Pg> + LoadConnection,
    M: Historical + Selectable<Pg>,
    M::Table: FilterDsl<F>,
    statement::FilterTarget<M, F>: IntoUpdateTarget<Table = M::Table> + Clone,
    Ch: AsChangeset<Target = M::Table>,
    Updated<M, statement::FilterTarget<M, F>, Ch>: LoadQuery<'q, C, M>,
{
    fn write(conn: &mut C, op: UpdateWhere<F, Ch>, meta: HistoryMeta<M>) -> QueryResult<Vec<M>> {
        updated(statement::by_filter::<M, F>(op.filter), op.changes, meta).load(conn)
    }
}

// Hidden from the docs: its bounds name the statement types, which are not an API.
#[doc(hidden)]
impl<'q, M, C> WriteBackend<M, Delete<M::Id>, C> for Pg
where
    C: Connection<Backend = Pg> + LoadConnection,
    M: Historical + Selectable<Pg>,
    M::Table: FindDsl<M::Id>,
    statement::Target<M>: IntoUpdateTarget<Table = M::Table>,
    Deleted<M, statement::Target<M>>: LoadQuery<'q, C, M>,
{
    fn write(conn: &mut C, op: Delete<M::Id>, meta: HistoryMeta<M>) -> QueryResult<M> {
        let target = statement::by_key::<M>(op.id);
        one(
            AuditedStatement::new(None, statement::delete::<M, _>(target), meta)
                .single()
                .load(conn)?,
        )
    }
}

// Hidden from the docs: its bounds name the statement types, which are not an API.
#[doc(hidden)]
impl<'q, M, F, C> WriteBackend<M, DeleteWhere<F>, C> for Pg
where
    C: Connection<Backend = Pg> + LoadConnection,
    M: Historical + Selectable<Pg>,
    M::Table: FilterDsl<F>,
    statement::FilterTarget<M, F>: IntoUpdateTarget<Table = M::Table>,
    Deleted<M, statement::FilterTarget<M, F>>: LoadQuery<'q, C, M>,
{
    fn write(conn: &mut C, op: DeleteWhere<F>, meta: HistoryMeta<M>) -> QueryResult<Vec<M>> {
        let target = statement::by_filter::<M, F>(op.filter);
        AuditedStatement::new(None, statement::delete::<M, _>(target), meta).load(conn)
    }
}
