//! SQLite: a transaction of a few statements per write, whatever the number of rows.
//!
//! SQLite rejects data-modifying statements inside `WITH`, so a write is the change with
//! `RETURNING` (SQLite 3.35+) followed by one multi-row insert of the history rows, bound from
//! what the change returned, inside `conn.transaction` (a savepoint when the caller already opened
//! a transaction). An update of a model that skips unchanged rows first reads the rows it is about
//! to change, in the same transaction: SQLite lets one writer at a time commit, and refuses to
//! upgrade a read transaction whose snapshot another writer made stale, so the rows read are the
//! rows changed.
//!
//! The change statement runs inside [`guard::open_while`]: a guarded table's triggers let it
//! through (and only it: the history insert and anything after it run with the guard closed).
//!
//! `history_date` is read from the Rust clock after the change succeeded, that is while this
//! connection holds SQLite's write lock, so dates follow the order in which writes were serialized.

use diesel::connection::LoadConnection;
use diesel::dsl::AsSelect;
use diesel::expression::{Selectable, SelectableExpression, SelectableHelper};
use diesel::insertable::Insertable;
use diesel::query_builder::{AsChangeset, IntoUpdateTarget, Query};
use diesel::query_dsl::methods::{ExecuteDsl, FilterDsl, FindDsl};
use diesel::query_dsl::{LoadQuery, RunQueryDsl};
use diesel::result::QueryResult;
use diesel::sqlite::Sqlite;
use diesel::Connection;

use super::rows;
use super::statement::{self, SelectOld};
use super::WriteBackend;

use crate::contract::SnapshotOf;
use crate::guard;
use crate::write::{
    one, Create, CreateBatch, Delete, DeleteWhere, HistoryInsert, HistoryMeta, KeyNotUnique,
    RowsSource, SaveBatch, Update, UpdateWhere,
};
use crate::Historical;

/// A statement with `RETURNING <the model's columns>`.
type Returning<S, M> = rows::Returning<S, M, Sqlite>;

/// A Diesel insert or delete with `RETURNING <the model's columns>`.
type ReturningModel<Q, M> = diesel::dsl::Returning<Q, AsSelect<M, Sqlite>>;

/// Writes the history rows of `models`, dated now: while this connection holds the write lock
/// the change took.
fn record<'m, M, C>(
    conn: &mut C,
    models: impl IntoIterator<Item = &'m M>,
    mut meta: HistoryMeta<M>,
) -> QueryResult<()>
where
    C: Connection<Backend = Sqlite>,
    M: Historical,
    for<'a> HistoryInsert<M, RowsSource<SnapshotOf<'a, M>>>: ExecuteDsl<C>,
{
    meta.date.get_or_insert_with(crate::write::now);
    rows::record(conn, models, meta)
}

/// Runs `statement` (an insert or a delete returning the models) and records every row. With
/// `single`, several rows are an error that rolls the statement back.
fn returning<'q, M, Q, C>(
    conn: &mut C,
    statement: Q,
    meta: HistoryMeta<M>,
    single: bool,
) -> QueryResult<Vec<M>>
where
    C: Connection<Backend = Sqlite> + LoadConnection,
    M: Historical,
    Q: RunQueryDsl<C> + LoadQuery<'q, C, M>,
    for<'a> HistoryInsert<M, RowsSource<SnapshotOf<'a, M>>>: ExecuteDsl<C>,
{
    conn.transaction(|conn| {
        let models: Vec<M> = guard::open_while(|| statement.load(conn))?;
        if single && models.len() > 1 {
            return Err(KeyNotUnique::error(models.len()));
        }
        record(conn, &models, meta)?;
        Ok(models)
    })
}

type Old<M, Tg> = SelectOld<M, <Tg as IntoUpdateTarget>::WhereClause, Sqlite>;

/// Updates the rows of `target` and records those whose tracked columns changed (all of them
/// when the model records every save). With `single`, several rows are an error that rolls the
/// update back.
fn update<'q, M, Tg, Ch, C>(
    conn: &mut C,
    target: Tg,
    changes: Ch,
    meta: HistoryMeta<M>,
    single: bool,
) -> QueryResult<Vec<M>>
where
    C: Connection<Backend = Sqlite> + LoadConnection,
    M: Historical + Selectable<Sqlite>,
    Tg: IntoUpdateTarget<Table = M::Table> + Clone,
    Ch: AsChangeset<Target = M::Table>,
    Old<M, Tg>: LoadQuery<'q, C, M>,
    Returning<statement::Update<Tg, Ch>, M>: LoadQuery<'q, C, M>,
    for<'a> HistoryInsert<M, RowsSource<SnapshotOf<'a, M>>>: ExecuteDsl<C>,
{
    let compare = meta.compares();
    conn.transaction(|conn| {
        let old: Vec<M> = if compare {
            Old::<M, Tg>::new(target.clone(), false).load(conn)?
        } else {
            Vec::new()
        };
        let update = Returning::<_, M>::new(statement::update::<M, Tg, Ch>(target, changes));
        let new: Vec<M> = guard::open_while(|| update.load(conn))?;
        if single && new.len() > 1 {
            return Err(KeyNotUnique::error(new.len()));
        }
        record_changed(conn, &old, &new, meta)?;
        Ok(new)
    })
}

/// [`rows::record_changed`], dated now as [`record`] dates.
fn record_changed<M, C>(
    conn: &mut C,
    old: &[M],
    new: &[M],
    mut meta: HistoryMeta<M>,
) -> QueryResult<()>
where
    C: Connection<Backend = Sqlite>,
    M: Historical,
    for<'a> HistoryInsert<M, RowsSource<SnapshotOf<'a, M>>>: ExecuteDsl<C>,
{
    meta.date.get_or_insert_with(crate::write::now);
    rows::record_changed(conn, old, new, meta)
}

// Hidden from the docs: its bounds name the statement types, which are not an API.
#[doc(hidden)]
impl<'q, 'a, M, C> WriteBackend<M, SaveBatch<'a, M>, C> for Sqlite
where
    C: Connection<Backend = Sqlite> + LoadConnection,
    M: Historical + Selectable<Sqlite>,
    statement::SelectSaved<'a, M, Sqlite>: LoadQuery<'q, C, M>,
    Returning<statement::UpdateFromRows<'a, M>, M>: LoadQuery<'q, C, M>,
    for<'r> HistoryInsert<M, RowsSource<SnapshotOf<'r, M>>>: ExecuteDsl<C>,
{
    /// `WITH "audit_values" (...) AS (VALUES ...) SELECT ...` (the old rows, when unchanged rows
    /// are skipped), `WITH "audit_values" (...) AS (VALUES ...) UPDATE "tanks" SET ... FROM
    /// "audit_values" WHERE <keys equal> RETURNING ...`, then the history rows of those that
    /// changed; a model whose row is gone rolls it all back.
    fn write(conn: &mut C, op: SaveBatch<'a, M>, meta: HistoryMeta<M>) -> QueryResult<Vec<M>> {
        let models = op.0;
        let compare = meta.compares();
        conn.transaction(|conn| {
            let old: Vec<M> = if compare {
                statement::SelectSaved::new(Some(statement::SavedRows::new(models)), false)
                    .load(conn)?
            } else {
                Vec::new()
            };
            let update =
                statement::UpdateFromRows::new(Some(statement::SavedRows::new(models)), false);
            let update = Returning::<_, M>::new(update);
            let new: Vec<M> = guard::open_while(|| update.load(conn))?;
            let new = statement::in_order(models, new)?;
            record_changed(conn, &old, &new, meta)?;
            Ok(new)
        })
    }
}

// Hidden from the docs: its bounds name the statement types, which are not an API.
#[doc(hidden)]
impl<'q, M, V, C> WriteBackend<M, Create<V>, C> for Sqlite
where
    C: Connection<Backend = Sqlite> + LoadConnection,
    M: Historical + Selectable<Sqlite>,
    V: Insertable<M::Table>,
    ReturningModel<statement::Insert<M, V>, M>: Query + LoadQuery<'q, C, M>,
    for<'a> HistoryInsert<M, RowsSource<SnapshotOf<'a, M>>>: ExecuteDsl<C>,
{
    fn write(conn: &mut C, op: Create<V>, meta: HistoryMeta<M>) -> QueryResult<M> {
        let insert = statement::insert::<M, V>(op.0).returning(M::as_returning());
        one(returning(conn, insert, meta, true)?)
    }
}

/// Diesel renders SQLite batch inserts itself (one statement when no value is `DEFAULT`).
// Hidden from the docs: its bounds name the statement types, which are not an API.
#[doc(hidden)]
impl<'q, M, V, C> WriteBackend<M, CreateBatch<V>, C> for Sqlite
where
    C: Connection<Backend = Sqlite> + LoadConnection,
    M: Historical + Selectable<Sqlite>,
    V: Insertable<M::Table>,
    ReturningModel<statement::Insert<M, V>, M>: Query + LoadQuery<'q, C, M>,
    for<'a> HistoryInsert<M, RowsSource<SnapshotOf<'a, M>>>: ExecuteDsl<C>,
{
    fn write(conn: &mut C, op: CreateBatch<V>, meta: HistoryMeta<M>) -> QueryResult<Vec<M>> {
        let insert = statement::insert::<M, V>(op.0).returning(M::as_returning());
        returning(conn, insert, meta, false)
    }
}

// Hidden from the docs: its bounds name the statement types, which are not an API.
#[doc(hidden)]
impl<'q, M, Ch, C> WriteBackend<M, Update<M::Id, Ch>, C> for Sqlite
where
    C: Connection<Backend = Sqlite> + LoadConnection,
    M: Historical + Selectable<Sqlite>,
    M::Table: FindDsl<M::Id>,
    statement::Target<M>: IntoUpdateTarget<Table = M::Table> + Clone,
    Ch: AsChangeset<Target = M::Table>,
    Old<M, statement::Target<M>>: LoadQuery<'q, C, M>,
    Returning<statement::Update<statement::Target<M>, Ch>, M>: LoadQuery<'q, C, M>,
    for<'a> HistoryInsert<M, RowsSource<SnapshotOf<'a, M>>>: ExecuteDsl<C>,
{
    fn write(conn: &mut C, op: Update<M::Id, Ch>, meta: HistoryMeta<M>) -> QueryResult<M> {
        one(update(
            conn,
            statement::by_key::<M>(op.id),
            op.changes,
            meta,
            true,
        )?)
    }
}

// Hidden from the docs: its bounds name the statement types, which are not an API.
#[doc(hidden)]
impl<'q, M, F, Ch, C> WriteBackend<M, UpdateWhere<F, Ch>, C> for Sqlite
where
    C: Connection<Backend = Sqlite> + LoadConnection,
    M: Historical + Selectable<Sqlite>,
    M::Table: FilterDsl<F>,
    statement::FilterTarget<M, F>: IntoUpdateTarget<Table = M::Table> + Clone,
    Ch: AsChangeset<Target = M::Table>,
    Old<M, statement::FilterTarget<M, F>>: LoadQuery<'q, C, M>,
    Returning<statement::Update<statement::FilterTarget<M, F>, Ch>, M>: LoadQuery<'q, C, M>,
    for<'a> HistoryInsert<M, RowsSource<SnapshotOf<'a, M>>>: ExecuteDsl<C>,
{
    fn write(conn: &mut C, op: UpdateWhere<F, Ch>, meta: HistoryMeta<M>) -> QueryResult<Vec<M>> {
        update(
            conn,
            statement::by_filter::<M, F>(op.filter),
            op.changes,
            meta,
            false,
        )
    }
}

// Hidden from the docs: its bounds name the statement types, which are not an API.
#[doc(hidden)]
impl<'q, M, C> WriteBackend<M, Delete<M::Id>, C> for Sqlite
where
    C: Connection<Backend = Sqlite> + LoadConnection,
    M: Historical + Selectable<Sqlite>,
    M::Table: FindDsl<M::Id>,
    statement::Target<M>: IntoUpdateTarget<Table = M::Table>,
    AsSelect<M, Sqlite>: SelectableExpression<M::Table>,
    ReturningModel<statement::Delete<statement::Target<M>>, M>: Query + LoadQuery<'q, C, M>,
    for<'a> HistoryInsert<M, RowsSource<SnapshotOf<'a, M>>>: ExecuteDsl<C>,
{
    fn write(conn: &mut C, op: Delete<M::Id>, meta: HistoryMeta<M>) -> QueryResult<M> {
        let target = statement::by_key::<M>(op.id);
        let delete = statement::delete::<M, _>(target).returning(M::as_returning());
        one(returning(conn, delete, meta, true)?)
    }
}

// Hidden from the docs: its bounds name the statement types, which are not an API.
#[doc(hidden)]
impl<'q, M, F, C> WriteBackend<M, DeleteWhere<F>, C> for Sqlite
where
    C: Connection<Backend = Sqlite> + LoadConnection,
    M: Historical + Selectable<Sqlite>,
    M::Table: FilterDsl<F>,
    statement::FilterTarget<M, F>: IntoUpdateTarget<Table = M::Table>,
    AsSelect<M, Sqlite>: SelectableExpression<M::Table>,
    ReturningModel<statement::Delete<statement::FilterTarget<M, F>>, M>:
        Query + LoadQuery<'q, C, M>,
    for<'a> HistoryInsert<M, RowsSource<SnapshotOf<'a, M>>>: ExecuteDsl<C>,
{
    fn write(conn: &mut C, op: DeleteWhere<F>, meta: HistoryMeta<M>) -> QueryResult<Vec<M>> {
        let target = statement::by_filter::<M, F>(op.filter);
        returning(
            conn,
            statement::delete::<M, _>(target).returning(M::as_returning()),
            meta,
            false,
        )
    }
}
