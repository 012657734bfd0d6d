//! The data statements of the writes, the same on every backend; each backend wraps them with
//! its way of writing the history row.

use diesel::dsl::{Find, Set, Values};
use diesel::insertable::Insertable;
use diesel::query_builder::{AsChangeset, AsQuery, IntoUpdateTarget};
use diesel::query_dsl::methods::FindDsl;

use crate::Historical;

/// The row with key `M::Id`.
pub(crate) type Target<M> = Find<<M as Historical>::Table, <M as Historical>::Id>;
/// `INSERT INTO <table> ... VALUES ...`.
pub(crate) type Insert<M, V> = Values<diesel::dsl::insert_into<<M as Historical>::Table>, V>;
/// `UPDATE <table> SET ... WHERE <key> = ...`.
pub(crate) type Update<M, Ch> = Set<diesel::dsl::update<Target<M>>, Ch>;
/// `DELETE FROM <table> WHERE <key> = ...`.
pub(crate) type Delete<M> = diesel::dsl::delete<Target<M>>;

pub(crate) fn insert<M, V>(values: V) -> Insert<M, V>
where
    M: Historical,
    V: Insertable<M::Table>,
{
    diesel::insert_into(M::Table::default()).values(values)
}

pub(crate) fn update<M, Ch>(id: M::Id, changes: Ch) -> Update<M, Ch>
where
    M: Historical,
    M::Table: FindDsl<M::Id>,
    Target<M>: IntoUpdateTarget<Table = M::Table>,
    Ch: AsChangeset<Target = M::Table>,
    Update<M, Ch>: AsQuery,
{
    diesel::update(M::Table::default().find(id)).set(changes)
}

pub(crate) fn delete<M>(id: M::Id) -> Delete<M>
where
    M: Historical,
    M::Table: FindDsl<M::Id>,
    Target<M>: IntoUpdateTarget<Table = M::Table>,
{
    diesel::delete(M::Table::default().find(id))
}
