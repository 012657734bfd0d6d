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
use diesel::result::{Error as DieselError, QueryResult};
use diesel::Connection;

use super::statement::{self, SelectOld};
use super::WriteBackend;
use crate::backend::BindUserId;
use crate::sql::{alias, column, keys_equal, query};
use crate::write::statement::MissingRow;
use crate::write::{
    one, Create, CreateBatch, CteSource, Delete, DeleteWhere, HistoryInsert, HistoryMeta,
    KeyNotUnique, SaveBatch, Update, UpdateWhere,
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
pub struct AuditedStatement<S, M: Historical + Selectable<Pg>, O = NoOld, P = NoOld> {
    /// CTEs before the others, each followed by `, ` (a bulk save's rows).
    prefix: P,
    /// The rows an update reads before changing them, to skip the history of unchanged rows.
    old: Option<O>,
    statement: S,
    returning: M::SelectExpression,
    history: Option<HistoryInsert<M, CteSource>>,
    /// How many rows the statement must write, or it fails whole.
    rows: RowCount,
}

/// How many rows an audited statement must write.
#[derive(Debug, Clone, Copy)]
enum RowCount {
    /// Any number (a write by filter, a bulk create).
    Any,
    /// At most one (a write by key, a create): several is `KeyNotUnique`.
    One,
    /// Exactly this many (a bulk save): more is `KeyNotUnique`, fewer names the first missing
    /// row.
    Exactly(usize),
}

impl<S, M: Historical + Selectable<Pg>, O> AuditedStatement<S, M, O> {
    fn new(old: Option<O>, statement: S, meta: HistoryMeta<M>) -> Self {
        AuditedStatement::with_prefix(NoOld, old, statement, meta)
    }
}

impl<S, M: Historical + Selectable<Pg>, O, P> AuditedStatement<S, M, O, P> {
    fn with_prefix(prefix: P, old: Option<O>, statement: S, meta: HistoryMeta<M>) -> Self {
        let only_changed = old.is_some();
        AuditedStatement {
            prefix,
            old,
            statement,
            returning: M::construct_selection(),
            history: (!meta.skip).then(|| HistoryInsert::new(CteSource { only_changed }, meta)),
            rows: RowCount::Any,
        }
    }

    /// The same statement, refused whole when it writes several rows.
    fn single(self) -> Self {
        AuditedStatement {
            rows: RowCount::One,
            ..self
        }
    }
}

query!(impl[S, M: Historical + Selectable<Pg>, O, P] AuditedStatement<S, M, O, P> => AsSelect<M, Pg>);

impl<S, M, O, P> QueryFragment<Pg> for AuditedStatement<S, M, O, P>
where
    S: QueryFragment<Pg>,
    M: Historical + Selectable<Pg>,
    M::SelectExpression: QueryFragment<Pg>,
    M::UserId: BindUserId<Pg>,
    O: QueryFragment<Pg>,
    P: QueryFragment<Pg>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("WITH ");
        self.prefix.walk_ast(out.reborrow())?;
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
        let mut clause = " WHERE ";
        if M::HISTORY.guard.is_on() {
            // The source table's guard lets this statement through: its row triggers fire at
            // the end of the statement and compare the mark with the statement's start time.
            out.push_sql(" WHERE (SELECT ");
            out.push_sql(crate::schema::ddl::PG_WRITE_MARK);
            out.push_sql(") IS NOT NULL");
            clause = " AND ";
        }
        let expected = match self.rows {
            RowCount::Any => return Ok(()),
            RowCount::One => 1,
            RowCount::Exactly(rows) => rows,
        };
        // Not a constant, so PostgreSQL cannot fold the failing branches at plan time.
        out.push_sql(clause);
        out.push_sql("(SELECT CASE WHEN COUNT(*) > ");
        out.push_sql(&expected.to_string());
        out.push_sql(" THEN CAST('");
        out.push_sql(KeyNotUnique::MARKER);
        out.push_sql("' || COUNT(*) AS INTEGER)");
        if let RowCount::Exactly(rows) = self.rows {
            // Fewer rows than models: the position of the first model whose row is gone.
            let spec = M::HISTORY;
            out.push_sql(" WHEN COUNT(*) < ");
            out.push_sql(&rows.to_string());
            out.push_sql(" THEN CAST('");
            out.push_sql(MissingRow::MARKER);
            out.push_sql("' || (SELECT MIN(");
            column(&mut out, alias::VALUES, alias::ROW)?;
            out.push_sql(") FROM ");
            out.push_identifier(alias::VALUES)?;
            out.push_sql(" WHERE NOT EXISTS (SELECT 1 FROM ");
            out.push_identifier(alias::CHANGED)?;
            out.push_sql(" AS ");
            out.push_identifier(alias::FOUND)?;
            out.push_sql(" WHERE ");
            keys_equal(&mut out, spec, alias::FOUND, alias::VALUES)?;
            out.push_sql(")) AS INTEGER)");
        }
        out.push_sql(" ELSE 1 END FROM ");
        out.push_identifier(alias::CHANGED)?;
        out.push_sql(") = 1");
        Ok(())
    }
}

/// A bulk save's rows as the first CTE: `"audit_values" (...) AS (VALUES ...), `.
#[doc(hidden)]
pub struct RowsFirst<'a, M: Historical>(statement::SavedRows<'a, M>);

impl<'a, M: Historical> QueryFragment<Pg> for RowsFirst<'a, M>
where
    statement::SavedRows<'a, M>: QueryFragment<Pg>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(out.reborrow())?;
        out.push_sql(", ");
        Ok(())
    }
}

type Saved<'a, M> = AuditedStatement<
    statement::UpdateFromRows<'a, M>,
    M,
    statement::SelectSaved<'a, M, Pg>,
    RowsFirst<'a, M>,
>;

// Hidden from the docs: its bounds name the statement types, which are not an API.
#[doc(hidden)]
impl<'q, 'a, M, C> WriteBackend<M, SaveBatch<'a, M>, C> for Pg
where
    C: Connection<Backend = Pg> + LoadConnection,
    M: Historical + Selectable<Pg>,
    Saved<'a, M>: LoadQuery<'q, C, M>,
{
    /// ```sql
    /// WITH "audit_values" ("id", "name", ..., "audit_row") AS (VALUES ($1, $2, ..., 0), ...),
    ///      "audit_old" AS (SELECT ... FROM "tanks" WHERE ("tanks"."id") IN
    ///                      (SELECT "audit_values"."id" FROM "audit_values") FOR UPDATE),
    ///      "audit_changed" AS (UPDATE "tanks" SET "name" = "audit_values"."name", ...
    ///                          FROM "audit_values" WHERE "tanks"."id" = "audit_values"."id"
    ///                          AND (SELECT COUNT(*) FROM "audit_old") >= 0 RETURNING ...),
    ///      "audit_history" AS (INSERT INTO "historical_tanks" ... )
    /// SELECT * FROM "audit_changed" WHERE <exactly as many rows as models>
    /// ```
    fn write(conn: &mut C, op: SaveBatch<'a, M>, meta: HistoryMeta<M>) -> QueryResult<Vec<M>> {
        let models = op.0;
        let compare = meta.compares();
        let old = compare.then(|| statement::SelectSaved::new(None, true));
        let update = statement::UpdateFromRows::new(None, compare);
        let rows = RowsFirst(statement::SavedRows::new(models));
        let saved: Saved<'a, M> = AuditedStatement {
            rows: RowCount::Exactly(models.len()),
            ..AuditedStatement::with_prefix(rows, old, update, meta)
        };
        match saved.load(conn) {
            Ok(written) => statement::in_order(models, written),
            Err(DieselError::DatabaseError(kind, info)) => {
                match MissingRow::position(info.message()).and_then(|i| models.get(i)) {
                    Some(missing) => Err(MissingRow::error(format!("{:?}", missing.id()))),
                    None => Err(DieselError::DatabaseError(kind, info)),
                }
            }
            Err(other) => Err(other),
        }
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
