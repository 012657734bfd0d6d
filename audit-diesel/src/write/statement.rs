//! The data statements of the writes, the same on every backend; each backend wraps them with
//! its way of writing the history row.

use diesel::associations::HasTable;
use diesel::backend::Backend;
use diesel::dsl::{AsSelect, Filter, Find, Values};
use diesel::expression::Selectable;
use diesel::insertable::Insertable;
use diesel::query_builder::{AsChangeset, AstPass, IntoUpdateTarget, QueryFragment};
use diesel::query_dsl::methods::{FilterDsl, FindDsl};
use diesel::query_source::QuerySource;
use diesel::result::{EmptyChangeset, Error as DieselError, QueryResult};

use crate::sql::query;
use crate::Historical;

/// The row with key `M::Id`.
pub(crate) type Target<M> = Find<<M as Historical>::Table, <M as Historical>::Id>;
/// The rows matching `F`.
pub(crate) type FilterTarget<M, F> = Filter<<M as Historical>::Table, F>;
/// `INSERT INTO <table> ... VALUES ...`.
pub(crate) type Insert<M, V> = Values<diesel::dsl::insert_into<<M as Historical>::Table>, V>;
/// `UPDATE <table> SET ... WHERE <target>`.
pub(crate) type Update<Tg, Ch> = UpdateRowsOf<Tg, Ch, <Tg as IntoUpdateTarget>::WhereClause>;
/// `UPDATE <table> SET ... <W>`: an update whose `WHERE` was wrapped ([`UpdateRows::map_where`]).
pub(crate) type UpdateRowsOf<Tg, Ch, W> = UpdateRows<
    <<Tg as HasTable>::Table as QuerySource>::FromClause,
    W,
    <Ch as AsChangeset>::Changeset,
>;
/// `DELETE FROM <table> WHERE <target>`.
pub(crate) type Delete<Tg> = diesel::dsl::delete<Tg>;

pub(crate) fn insert<M, V>(values: V) -> Insert<M, V>
where
    M: Historical,
    V: Insertable<M::Table>,
{
    diesel::insert_into(M::Table::default()).values(values)
}

pub(crate) fn by_key<M>(id: M::Id) -> Target<M>
where
    M: Historical,
    M::Table: FindDsl<M::Id>,
{
    M::Table::default().find(id)
}

pub(crate) fn by_filter<M, F>(filter: F) -> FilterTarget<M, F>
where
    M: Historical,
    M::Table: FilterDsl<F>,
{
    M::Table::default().filter(filter)
}

pub(crate) fn update<M, Tg, Ch>(target: Tg, changes: Ch) -> Update<Tg, Ch>
where
    M: Historical,
    Tg: IntoUpdateTarget<Table = M::Table>,
    Ch: AsChangeset<Target = M::Table>,
{
    let target = target.into_update_target();
    UpdateRows {
        from: target.table.from_clause(),
        where_clause: target.where_clause,
        values: changes.as_changeset(),
    }
}

/// `UPDATE <table> SET <values> <where>`, rendered as Diesel renders its update statement.
///
/// Diesel's own update statement marks itself unsafe to cache, because one update type can render
/// different SQL (a changeset skips its `None` fields), and Diesel caches statements of a static
/// query type by that type. The audited statements that embed this one have no static query id, so
/// Diesel caches them by their SQL text, which is exact: an audited update is then prepared once
/// per connection and changeset shape, and not parsed and planned again at every call (on
/// PostgreSQL that planning was most of an audited update's time).
#[doc(hidden)]
pub struct UpdateRows<F, W, V> {
    from: F,
    where_clause: W,
    values: V,
}

impl<F, W, V> UpdateRows<F, W, V> {
    /// The same update, its `WHERE` passed through `wrap`.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(crate) fn map_where<W2>(self, wrap: impl FnOnce(W) -> W2) -> UpdateRows<F, W2, V> {
        UpdateRows {
            from: self.from,
            where_clause: wrap(self.where_clause),
            values: self.values,
        }
    }
}

impl<F, W, V, DB> QueryFragment<DB> for UpdateRows<F, W, V>
where
    DB: Backend,
    F: QueryFragment<DB>,
    W: QueryFragment<DB>,
    V: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        if self.values.is_noop(out.backend())? {
            return Err(DieselError::QueryBuilderError(Box::new(EmptyChangeset)));
        }
        out.push_sql("UPDATE ");
        self.from.walk_ast(out.reborrow())?;
        out.push_sql(" SET ");
        self.values.walk_ast(out.reborrow())?;
        self.where_clause.walk_ast(out.reborrow())
    }
}

pub(crate) fn delete<M, Tg>(target: Tg) -> Delete<Tg>
where
    M: Historical,
    Tg: IntoUpdateTarget<Table = M::Table>,
{
    diesel::delete(target)
}

/// `SELECT <model columns> FROM <table> WHERE <target>[ FOR UPDATE]`: the rows an update is
/// about to change, as they are before it.
#[doc(hidden)]
pub struct SelectOld<M: Historical + Selectable<DB>, W, DB: Backend> {
    selection: M::SelectExpression,
    from: <M::Table as QuerySource>::FromClause,
    where_clause: W,
    for_update: bool,
}

impl<M: Historical + Selectable<DB>, W, DB: Backend> SelectOld<M, W, DB> {
    pub(crate) fn new<Tg>(target: Tg, for_update: bool) -> Self
    where
        Tg: IntoUpdateTarget<Table = M::Table, WhereClause = W>,
    {
        SelectOld {
            selection: M::construct_selection(),
            from: M::Table::default().from_clause(),
            where_clause: target.into_update_target().where_clause,
            for_update,
        }
    }
}

impl<M, W, DB> QueryFragment<DB> for SelectOld<M, W, DB>
where
    M: Historical + Selectable<DB>,
    M::SelectExpression: QueryFragment<DB>,
    <M::Table as QuerySource>::FromClause: QueryFragment<DB>,
    W: QueryFragment<DB>,
    DB: Backend,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("SELECT ");
        self.selection.walk_ast(out.reborrow())?;
        out.push_sql(" FROM ");
        self.from.walk_ast(out.reborrow())?;
        self.where_clause.walk_ast(out.reborrow())?;
        if self.for_update {
            out.push_sql(" FOR UPDATE");
        }
        Ok(())
    }
}

query!(impl[M: Historical + Selectable<DB>, W, DB: Backend] SelectOld<M, W, DB> => AsSelect<M, DB>);
