//! MySQL and MariaDB: a transaction of a few statements per write.
//!
//! MySQL has no data-modifying `WITH`, no `UPDATE ... RETURNING`, and no `INSERT ... RETURNING`
//! (MariaDB's announces no result columns when prepared, which Diesel needs), so a write is its
//! change, the rows read by key, and one multi-row history insert bound from them, inside
//! `conn.transaction` (a savepoint inside the caller's transaction):
//!
//! | write | statements inside the transaction |
//! |---|---|
//! | create, bulk create | `SET @audit_write = 1, @audit_inserted = NULL`, the `INSERT`, the rows read back by the keys the source table's `<source>_audit_inserted` trigger collected, `SET @audit_write = 0, ...`, the history insert: 5 |
//! | update, `update_where` | `SELECT ... FOR UPDATE` of the target, the `UPDATE`, the rows read back by key, the history insert: 4 |
//! | delete, `delete_where` | `SELECT ... FOR UPDATE` of the target, the `DELETE`, the history insert: 3 |
//! | `save_many` (per batch) | `SELECT ... FOR UPDATE` by key, one `UPDATE` per model, the rows read back by key, the history insert |
//!
//! plus `BEGIN`/`COMMIT` (or `SAVEPOINT`/`RELEASE`), and for a model with a source guard the two
//! `SET`s around an update's or a delete's change too (the guard's triggers let the change
//! through while `@audit_write` is 1). `LAST_INSERT_ID()` is not enough for creates: it knows
//! no key the caller gave (a revert inserts the object again with its key), and keeps an older
//! value when an insert generated none. An update or delete reads its rows `FOR UPDATE` first:
//! the rows it changes are the rows it read (the lock holds them), an update reads them back by
//! key whatever column it changes (`update_where` may change the columns that found them), and a
//! change whose row count differs from the rows read is refused and rolled back.
//!
//! `history_date` is `UTC_TIMESTAMP(6)` of the history insert, a statement that starts after the
//! change took its row locks: two writers of one row get dates in the order they committed.

use diesel::connection::LoadConnection;
use diesel::expression::Selectable;
use diesel::insertable::Insertable;
use diesel::mysql::Mysql;
use diesel::query_builder::{AsChangeset, IntoUpdateTarget, QueryFragment};
use diesel::query_dsl::methods::{ExecuteDsl, FilterDsl, FindDsl};
use diesel::query_dsl::{LoadQuery, RunQueryDsl};
use diesel::result::{Error as DieselError, QueryResult};
use diesel::Connection;

use super::rows::{record, record_changed};
use super::statement::{self, SelectInserted, SelectKeys, SelectOld};
use super::WriteBackend;

use crate::backend::AuditBackend;
use crate::contract::{ChangesetOf, Generated, GeneratedOf, SnapshotOf};
use crate::schema::ddl::{MYSQL_INSERTED_VARIABLE, MYSQL_WRITE_VARIABLE};
use crate::write::{
    one, Create, CreateBatch, Delete, DeleteWhere, HistoryInsert, HistoryMeta, KeyNotUnique,
    RowsSource, SaveBatch, Update, UpdateWhere,
};
use crate::Historical;

type Old<M, Tg> = SelectOld<M, <Tg as IntoUpdateTarget>::WhereClause, Mysql>;

/// Runs `change`, the library's own change of `M`'s source table, with `@audit_write` set (and
/// `@audit_inserted` emptied) when the table has a guard or `inserts`, so that the guard's
/// triggers let this change through and only it, and the insert trigger collects its keys.
fn changing<M, C, T>(
    conn: &mut C,
    inserts: bool,
    change: impl FnOnce(&mut C) -> QueryResult<T>,
) -> QueryResult<T>
where
    M: Historical,
    C: Connection<Backend = Mysql>,
{
    if !inserts && !M::HISTORY.guard.is_on() {
        return change(conn);
    }
    conn.batch_execute(&format!(
        "SET {MYSQL_WRITE_VARIABLE} = 1, {MYSQL_INSERTED_VARIABLE} = NULL"
    ))?;
    let changed = change(conn);
    // Closed whether the change failed or not: a session variable outlives the transaction.
    let closed = conn.batch_execute(&format!(
        "SET {MYSQL_WRITE_VARIABLE} = 0, {MYSQL_INSERTED_VARIABLE} = NULL"
    ));
    let changed = changed?;
    closed?;
    Ok(changed)
}

/// An insert whose rows were not all found by the keys the source table's trigger collected:
/// the table lacks its `<source>_audit_inserted` trigger (its migration has not run).
#[derive(Debug)]
struct InsertedNotFound {
    table: &'static str,
    inserted: usize,
    found: usize,
}

impl std::fmt::Display for InsertedNotFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the insert wrote {} rows of `{}` and {} were found by the keys its \
             `{}_audit_inserted` trigger collected: run the generated MySQL migrations",
            self.inserted, self.table, self.found, self.table
        )
    }
}

impl std::error::Error for InsertedNotFound {}

/// Inserts `insert`'s rows and records every row. With `single`, several rows are an error
/// that rolls the insert back.
fn create<'q, M, I, C>(
    conn: &mut C,
    insert: I,
    meta: HistoryMeta<M>,
    single: bool,
) -> QueryResult<Vec<M>>
where
    C: Connection<Backend = Mysql> + LoadConnection,
    M: Historical + Selectable<Mysql>,
    I: ExecuteDsl<C>,
    SelectInserted<M, Mysql>: LoadQuery<'q, C, M>,
    for<'a> HistoryInsert<M, RowsSource<SnapshotOf<'a, M>>>: ExecuteDsl<C>,
{
    conn.transaction(|conn| {
        let models: Vec<M> = changing::<M, _, _>(conn, true, |conn| {
            let inserted = ExecuteDsl::execute(insert, conn)?;
            let models: Vec<M> = SelectInserted::<M, Mysql>::new().load(conn)?;
            if models.len() != inserted {
                return Err(DieselError::QueryBuilderError(Box::new(InsertedNotFound {
                    table: &M::HISTORY.source_table,
                    inserted,
                    found: models.len(),
                })));
            }
            Ok(models)
        })?;
        if single && models.len() > 1 {
            return Err(KeyNotUnique::error(models.len()));
        }
        record(conn, &models, meta)?;
        Ok(models)
    })
}

/// Reads the rows of `target` `FOR UPDATE`, then runs `change` (an update or delete of the same
/// target) and checks that it matched those rows; returns them as they were. With `single`,
/// several rows are an error; no row is no change.
fn locked_change<'q, M, Tg, S, C>(
    conn: &mut C,
    target: Tg,
    change: S,
    single: bool,
) -> QueryResult<Vec<M>>
where
    C: Connection<Backend = Mysql> + LoadConnection,
    M: Historical + Selectable<Mysql>,
    Tg: IntoUpdateTarget<Table = M::Table>,
    Old<M, Tg>: LoadQuery<'q, C, M>,
    S: ExecuteDsl<C>,
{
    let old: Vec<M> = Old::<M, Tg>::new(target, true).load(conn)?;
    if single && old.len() > 1 {
        return Err(KeyNotUnique::error(old.len()));
    }
    if old.is_empty() {
        return Ok(old);
    }
    let changed = changing::<M, _, _>(conn, false, |conn| ExecuteDsl::execute(change, conn))?;
    if changed != old.len() {
        return Err(DieselError::QueryBuilderError(Box::new(RowsMoved {
            read: old.len(),
            changed,
        })));
    }
    Ok(old)
}

/// Deletes the rows of `target` and records every row as it was. With `single`, several rows
/// are an error that rolls the delete back.
fn delete<'q, M, Tg, C>(
    conn: &mut C,
    target: Tg,
    meta: HistoryMeta<M>,
    single: bool,
) -> QueryResult<Vec<M>>
where
    C: Connection<Backend = Mysql> + LoadConnection,
    M: Historical + Selectable<Mysql>,
    Tg: IntoUpdateTarget<Table = M::Table> + Clone,
    Old<M, Tg>: LoadQuery<'q, C, M>,
    statement::Delete<Tg>: ExecuteDsl<C>,
    for<'a> HistoryInsert<M, RowsSource<SnapshotOf<'a, M>>>: ExecuteDsl<C>,
{
    conn.transaction(|conn| {
        let delete = statement::delete::<M, Tg>(target.clone());
        let old = locked_change(conn, target, delete, single)?;
        record(conn, &old, meta)?;
        Ok(old)
    })
}

/// The most keys one read-back binds, below MySQL's limit of placeholders.
fn keys_per_statement<M: Historical>() -> usize {
    (<Mysql as AuditBackend>::MAX_BINDS / M::HISTORY.primary_key.len().max(1)).max(1)
}

/// The rows with the keys of `models`, as they are now, in `models`' order (locked with
/// `for_update`); a row that is gone is [`MissingRow`](statement::MissingRow).
fn read_back<'q, M, C>(conn: &mut C, models: &[M], for_update: bool) -> QueryResult<Vec<M>>
where
    C: Connection<Backend = Mysql> + LoadConnection,
    M: Historical + Selectable<Mysql>,
    SelectKeys<M, Mysql>: LoadQuery<'q, C, M>,
{
    let mut rows = Vec::with_capacity(models.len());
    for slice in models.chunks(keys_per_statement::<M>()) {
        let found: Vec<M> =
            SelectKeys::<M, Mysql>::new(slice.iter().map(M::id), for_update).load(conn)?;
        rows.extend(found);
    }
    statement::in_order(models, rows)
}

/// An update or delete that matched another number of rows than the `SELECT ... FOR UPDATE`
/// before it read: refused, so that no row changes without its history.
#[derive(Debug)]
struct RowsMoved {
    read: usize,
    changed: usize,
}

impl std::fmt::Display for RowsMoved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the change matched {} rows where the locking read before it found {}",
            self.changed, self.read
        )
    }
}

impl std::error::Error for RowsMoved {}

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
    C: Connection<Backend = Mysql> + LoadConnection,
    M: Historical + Selectable<Mysql>,
    Tg: IntoUpdateTarget<Table = M::Table> + Clone,
    Ch: AsChangeset<Target = M::Table>,
    Ch::Changeset: QueryFragment<Mysql>,
    Old<M, Tg>: LoadQuery<'q, C, M>,
    statement::Update<Tg, Ch>: ExecuteDsl<C>,
    SelectKeys<M, Mysql>: LoadQuery<'q, C, M>,
    for<'a> HistoryInsert<M, RowsSource<SnapshotOf<'a, M>>>: ExecuteDsl<C>,
{
    conn.transaction(|conn| {
        // An empty changeset is its error, rows or not.
        let update = statement::update::<M, Tg, Ch>(target.clone(), changes);
        update.check_sets_something(&Mysql)?;
        let old = locked_change(conn, target, update, single)?;
        let new = read_back(conn, &old, false)?;
        record_changed(conn, &old, &new, meta)?;
        Ok(new)
    })
}

// Hidden from the docs: its bounds name the statement types, which are not an API.
#[doc(hidden)]
impl<'q, 'a, M, C> WriteBackend<M, SaveBatch<'a, M>, C> for Mysql
where
    C: Connection<Backend = Mysql> + LoadConnection,
    M: Historical + Selectable<Mysql>,
    M::Table: FindDsl<M::Id>,
    statement::Target<M>: IntoUpdateTarget<Table = M::Table>,
    statement::Update<statement::Target<M>, ChangesetOf<'a, M>>: ExecuteDsl<C>,
    SelectKeys<M, Mysql>: LoadQuery<'q, C, M>,
    for<'r> HistoryInsert<M, RowsSource<SnapshotOf<'r, M>>>: ExecuteDsl<C>,
{
    /// The rows read `FOR UPDATE` by key (a model whose row is gone rolls it all back), one
    /// `UPDATE` per model, the rows read back, then the history rows of those that changed.
    fn write(conn: &mut C, op: SaveBatch<'a, M>, meta: HistoryMeta<M>) -> QueryResult<Vec<M>> {
        let models = op.0;
        conn.transaction(|conn| {
            let old = read_back(conn, models, true)?;
            changing::<M, _, _>(conn, false, |conn| {
                for model in models {
                    let target = statement::by_key::<M>(model.id());
                    let changes = GeneratedOf::<M>::changeset(model);
                    statement::update::<M, _, _>(target, changes).execute(conn)?;
                }
                Ok(())
            })?;
            let new = read_back(conn, models, false)?;
            record_changed(conn, &old, &new, meta)?;
            Ok(new)
        })
    }
}

// Hidden from the docs: its bounds name the statement types, which are not an API.
#[doc(hidden)]
impl<'q, M, V, C> WriteBackend<M, Create<V>, C> for Mysql
where
    C: Connection<Backend = Mysql> + LoadConnection,
    M: Historical + Selectable<Mysql>,
    V: Insertable<M::Table>,
    statement::Insert<M, V>: ExecuteDsl<C>,
    SelectInserted<M, Mysql>: LoadQuery<'q, C, M>,
    for<'a> HistoryInsert<M, RowsSource<SnapshotOf<'a, M>>>: ExecuteDsl<C>,
{
    fn write(conn: &mut C, op: Create<V>, meta: HistoryMeta<M>) -> QueryResult<M> {
        one(create(conn, statement::insert::<M, V>(op.0), meta, true)?)
    }
}

// Hidden from the docs: its bounds name the statement types, which are not an API.
#[doc(hidden)]
impl<'q, M, V, C> WriteBackend<M, CreateBatch<V>, C> for Mysql
where
    C: Connection<Backend = Mysql> + LoadConnection,
    M: Historical + Selectable<Mysql>,
    V: Insertable<M::Table>,
    statement::Insert<M, V>: ExecuteDsl<C>,
    SelectInserted<M, Mysql>: LoadQuery<'q, C, M>,
    for<'a> HistoryInsert<M, RowsSource<SnapshotOf<'a, M>>>: ExecuteDsl<C>,
{
    fn write(conn: &mut C, op: CreateBatch<V>, meta: HistoryMeta<M>) -> QueryResult<Vec<M>> {
        create(conn, statement::insert::<M, V>(op.0), meta, false)
    }
}

// Hidden from the docs: its bounds name the statement types, which are not an API.
#[doc(hidden)]
impl<'q, M, Ch, C> WriteBackend<M, Update<M::Id, Ch>, C> for Mysql
where
    C: Connection<Backend = Mysql> + LoadConnection,
    M: Historical + Selectable<Mysql>,
    M::Table: FindDsl<M::Id>,
    statement::Target<M>: IntoUpdateTarget<Table = M::Table> + Clone,
    Ch: AsChangeset<Target = M::Table>,
    Ch::Changeset: QueryFragment<Mysql>,
    Old<M, statement::Target<M>>: LoadQuery<'q, C, M>,
    statement::Update<statement::Target<M>, Ch>: ExecuteDsl<C>,
    SelectKeys<M, Mysql>: LoadQuery<'q, C, M>,
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
impl<'q, M, F, Ch, C> WriteBackend<M, UpdateWhere<F, Ch>, C> for Mysql
where
    C: Connection<Backend = Mysql> + LoadConnection,
    M: Historical + Selectable<Mysql>,
    M::Table: FilterDsl<F>,
    statement::FilterTarget<M, F>: IntoUpdateTarget<Table = M::Table> + Clone,
    Ch: AsChangeset<Target = M::Table>,
    Ch::Changeset: QueryFragment<Mysql>,
    Old<M, statement::FilterTarget<M, F>>: LoadQuery<'q, C, M>,
    statement::Update<statement::FilterTarget<M, F>, Ch>: ExecuteDsl<C>,
    SelectKeys<M, Mysql>: LoadQuery<'q, C, M>,
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
impl<'q, M, C> WriteBackend<M, Delete<M::Id>, C> for Mysql
where
    C: Connection<Backend = Mysql> + LoadConnection,
    M: Historical + Selectable<Mysql>,
    M::Table: FindDsl<M::Id>,
    statement::Target<M>: IntoUpdateTarget<Table = M::Table> + Clone,
    Old<M, statement::Target<M>>: LoadQuery<'q, C, M>,
    statement::Delete<statement::Target<M>>: ExecuteDsl<C>,
    for<'a> HistoryInsert<M, RowsSource<SnapshotOf<'a, M>>>: ExecuteDsl<C>,
{
    fn write(conn: &mut C, op: Delete<M::Id>, meta: HistoryMeta<M>) -> QueryResult<M> {
        one(delete(conn, statement::by_key::<M>(op.id), meta, true)?)
    }
}

// Hidden from the docs: its bounds name the statement types, which are not an API.
#[doc(hidden)]
impl<'q, M, F, C> WriteBackend<M, DeleteWhere<F>, C> for Mysql
where
    C: Connection<Backend = Mysql> + LoadConnection,
    M: Historical + Selectable<Mysql>,
    M::Table: FilterDsl<F>,
    statement::FilterTarget<M, F>: IntoUpdateTarget<Table = M::Table> + Clone,
    Old<M, statement::FilterTarget<M, F>>: LoadQuery<'q, C, M>,
    statement::Delete<statement::FilterTarget<M, F>>: ExecuteDsl<C>,
    for<'a> HistoryInsert<M, RowsSource<SnapshotOf<'a, M>>>: ExecuteDsl<C>,
{
    fn write(conn: &mut C, op: DeleteWhere<F>, meta: HistoryMeta<M>) -> QueryResult<Vec<M>> {
        delete(conn, statement::by_filter::<M, F>(op.filter), meta, false)
    }
}
