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

use crate::contract::{Generated, GeneratedOf, RowOf};
use crate::sql::{alias, column, key_list, key_tuple, keys_equal, query};
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
    /// [`EmptyChangeset`] when the update sets nothing, before it runs.
    #[cfg_attr(not(feature = "mysql"), allow(dead_code))]
    pub(crate) fn check_sets_something<DB: Backend>(&self, backend: &DB) -> QueryResult<()>
    where
        V: QueryFragment<DB>,
    {
        if self.values.is_noop(backend)? {
            return Err(DieselError::QueryBuilderError(Box::new(EmptyChangeset)));
        }
        Ok(())
    }

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

// Run on its own where the backend's write is several statements (MySQL).
impl<F, W, V> diesel::query_builder::QueryId for UpdateRows<F, W, V> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<F, W, V, Conn> diesel::RunQueryDsl<Conn> for UpdateRows<F, W, V> {}

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

/// `SELECT <model columns> FROM <table> WHERE (<key>) IN ((<key values>), ...)[ FOR UPDATE]`:
/// rows by their keys: an object's live row, and what a backend without `RETURNING` reads back
/// after its change (MySQL).
#[doc(hidden)]
pub struct SelectKeys<M: Historical + Selectable<DB>, DB: Backend> {
    selection: M::SelectExpression,
    keys: Vec<crate::contract::KeyValuesOf<M>>,
    for_update: bool,
}

impl<M: Historical + Selectable<DB>, DB: Backend> SelectKeys<M, DB> {
    pub(crate) fn new(ids: impl IntoIterator<Item = M::Id>, for_update: bool) -> Self {
        SelectKeys {
            selection: M::construct_selection(),
            keys: ids.into_iter().map(GeneratedOf::<M>::key_values).collect(),
            for_update,
        }
    }
}

impl<M, DB> QueryFragment<DB> for SelectKeys<M, DB>
where
    M: Historical + Selectable<DB>,
    M::SelectExpression: QueryFragment<DB>,
    crate::contract::KeyValuesOf<M>: QueryFragment<DB>,
    DB: Backend,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let spec = M::HISTORY;
        out.push_sql("SELECT ");
        self.selection.walk_ast(out.reborrow())?;
        out.push_sql(" FROM ");
        out.push_identifier(&spec.source_table)?;
        out.push_sql(" WHERE ");
        key_tuple(&mut out, spec, &spec.source_table)?;
        out.push_sql(" IN (");
        for (i, key) in self.keys.iter().enumerate() {
            out.push_sql(if i == 0 { "(" } else { ", (" });
            key.walk_ast(out.reborrow())?;
            out.push_sql(")");
        }
        out.push_sql(")");
        if self.for_update {
            out.push_sql(" FOR UPDATE");
        }
        Ok(())
    }
}

query!(impl[M: Historical + Selectable<DB>, DB: Backend] SelectKeys<M, DB> => AsSelect<M, DB>);

/// `SELECT <model columns> FROM JSON_TABLE(@audit_inserted, ...) JOIN <table> ON <keys> ORDER
/// BY <insertion order>`: the rows the library's insert just wrote, by the keys the source
/// table's MySQL trigger collected ([`HistoryTableSpec::inserted_rows_from_sql`]).
///
/// [`HistoryTableSpec::inserted_rows_from_sql`]: crate::HistoryTableSpec::inserted_rows_from_sql
#[doc(hidden)]
pub struct SelectInserted<M: Historical + Selectable<DB>, DB: Backend> {
    selection: M::SelectExpression,
}

impl<M: Historical + Selectable<DB>, DB: Backend> SelectInserted<M, DB> {
    #[cfg_attr(not(feature = "mysql"), allow(dead_code))]
    pub(crate) fn new() -> Self {
        SelectInserted {
            selection: M::construct_selection(),
        }
    }
}

impl<M, DB> QueryFragment<DB> for SelectInserted<M, DB>
where
    M: Historical + Selectable<DB>,
    M::SelectExpression: QueryFragment<DB>,
    DB: crate::backend::AuditBackend,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let spec = M::HISTORY;
        let from = spec.inserted_rows_from_sql(DB::DIALECT).ok_or_else(|| {
            DieselError::QueryBuilderError(
                format!(
                    "the key of `{}` is not among its tracked columns",
                    spec.source_table
                )
                .into(),
            )
        })?;
        out.push_sql("SELECT ");
        self.selection.walk_ast(out.reborrow())?;
        out.push_sql(" FROM ");
        out.push_sql(&from);
        out.push_sql(" ORDER BY ");
        column(
            &mut out,
            crate::schema::ddl::INSERTED_KEYS_ALIAS,
            crate::schema::ddl::INSERTED_ROW_COLUMN,
        )
    }
}

query!(impl[M: Historical + Selectable<DB>, DB: Backend] SelectInserted<M, DB> => AsSelect<M, DB>);

/// The rows of a bulk save (`Historical::save_many`), every column of each model and its
/// position: `"audit_values" ("<c1>", ..., "audit_row") AS (VALUES (<row>, 0), (<row>, 1), ...)`,
/// a CTE that the update joins by key.
#[doc(hidden)]
pub struct SavedRows<'a, M: Historical> {
    rows: Vec<RowOf<'a, M>>,
}

impl<'a, M: Historical> SavedRows<'a, M> {
    pub(crate) fn new(models: &'a [M]) -> Self {
        SavedRows {
            rows: models.iter().map(GeneratedOf::<M>::row).collect(),
        }
    }
}

impl<'a, M, DB> QueryFragment<DB> for SavedRows<'a, M>
where
    M: Historical,
    DB: Backend,
    RowOf<'a, M>: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_identifier(alias::VALUES)?;
        out.push_sql(" (");
        for column in GeneratedOf::<M>::COLUMNS {
            out.push_identifier(column)?;
            out.push_sql(", ");
        }
        out.push_identifier(alias::ROW)?;
        out.push_sql(") AS (VALUES ");
        for (i, row) in self.rows.iter().enumerate() {
            out.push_sql(if i == 0 { "(" } else { ", (" });
            row.walk_ast(out.reborrow())?;
            // The position, a literal: it is ours, not the caller's.
            out.push_sql(", ");
            out.push_sql(&i.to_string());
            out.push_sql(")");
        }
        out.push_sql(")");
        Ok(())
    }
}

/// `WITH <rows> ` before a statement, where the backend takes the rows as the statement's own
/// CTE (SQLite); nothing where they are a CTE of the enclosing statement (PostgreSQL).
fn with_rows<'a, 'b, M, DB>(
    rows: &'b Option<SavedRows<'a, M>>,
    out: &mut AstPass<'_, 'b, DB>,
) -> QueryResult<()>
where
    M: Historical,
    DB: Backend,
    SavedRows<'a, M>: QueryFragment<DB>,
{
    if let Some(rows) = rows {
        out.push_sql("WITH ");
        rows.walk_ast(out.reborrow())?;
        out.push_sql(" ");
    }
    Ok(())
}

/// `[WITH <rows>] UPDATE <table> SET "<c>" = "audit_values"."<c>", ... FROM "audit_values"
/// WHERE <keys equal>[ AND (SELECT COUNT(*) FROM "audit_old") >= 0]`: every saved model's
/// columns written to its row.
#[doc(hidden)]
pub struct UpdateFromRows<'a, M: Historical> {
    rows: Option<SavedRows<'a, M>>,
    from: <M::Table as QuerySource>::FromClause,
    /// Reads `audit_old` first (PostgreSQL; see `pg::AfterOld`).
    after_old: bool,
}

impl<'a, M: Historical> UpdateFromRows<'a, M> {
    pub(crate) fn new(rows: Option<SavedRows<'a, M>>, after_old: bool) -> Self {
        UpdateFromRows {
            rows,
            from: M::Table::default().from_clause(),
            after_old,
        }
    }
}

impl<'a, M, DB> QueryFragment<DB> for UpdateFromRows<'a, M>
where
    M: Historical,
    DB: Backend,
    <M::Table as QuerySource>::FromClause: QueryFragment<DB>,
    SavedRows<'a, M>: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let spec = M::HISTORY;
        let set: Vec<&str> = GeneratedOf::<M>::COLUMNS
            .iter()
            .copied()
            .filter(|c| !spec.primary_key.iter().any(|k| k == c))
            .collect();
        if set.is_empty() {
            return Err(DieselError::QueryBuilderError(Box::new(EmptyChangeset)));
        }
        with_rows(&self.rows, &mut out)?;
        out.push_sql("UPDATE ");
        self.from.walk_ast(out.reborrow())?;
        out.push_sql(" SET ");
        for (i, name) in set.iter().enumerate() {
            if i > 0 {
                out.push_sql(", ");
            }
            out.push_identifier(name)?;
            out.push_sql(" = ");
            column(&mut out, alias::VALUES, name)?;
        }
        out.push_sql(" FROM ");
        out.push_identifier(alias::VALUES)?;
        out.push_sql(" WHERE ");
        keys_equal(&mut out, spec, &spec.source_table, alias::VALUES)?;
        if self.after_old {
            out.push_sql(" AND (SELECT COUNT(*) FROM ");
            out.push_identifier(alias::OLD)?;
            out.push_sql(") >= 0");
        }
        Ok(())
    }
}

/// `[WITH <rows>] SELECT <model columns> FROM <table> WHERE (<key>) IN (SELECT <key> FROM
/// "audit_values")[ FOR UPDATE]`: the rows a bulk save is about to change, as they are before it.
#[doc(hidden)]
pub struct SelectSaved<'a, M: Historical + Selectable<DB>, DB: Backend> {
    rows: Option<SavedRows<'a, M>>,
    selection: M::SelectExpression,
    from: <M::Table as QuerySource>::FromClause,
    for_update: bool,
}

impl<'a, M: Historical + Selectable<DB>, DB: Backend> SelectSaved<'a, M, DB> {
    pub(crate) fn new(rows: Option<SavedRows<'a, M>>, for_update: bool) -> Self {
        SelectSaved {
            rows,
            selection: M::construct_selection(),
            from: M::Table::default().from_clause(),
            for_update,
        }
    }
}

impl<'a, M, DB> QueryFragment<DB> for SelectSaved<'a, M, DB>
where
    M: Historical + Selectable<DB>,
    M::SelectExpression: QueryFragment<DB>,
    <M::Table as QuerySource>::FromClause: QueryFragment<DB>,
    SavedRows<'a, M>: QueryFragment<DB>,
    DB: Backend,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let spec = M::HISTORY;
        with_rows(&self.rows, &mut out)?;
        out.push_sql("SELECT ");
        self.selection.walk_ast(out.reborrow())?;
        out.push_sql(" FROM ");
        self.from.walk_ast(out.reborrow())?;
        out.push_sql(" WHERE ");
        key_tuple(&mut out, spec, &spec.source_table)?;
        out.push_sql(" IN (SELECT ");
        key_list(&mut out, spec, Some(alias::VALUES))?;
        out.push_sql(" FROM ");
        out.push_identifier(alias::VALUES)?;
        out.push_sql(")");
        if self.for_update {
            out.push_sql(" FOR UPDATE");
        }
        Ok(())
    }
}

query!(impl['a, M: Historical + Selectable<DB>, DB: Backend] SelectSaved<'a, M, DB> => AsSelect<M, DB>);

/// The models a bulk save wrote, in the order it was given them; a model whose row is gone is
/// [`MissingRow`], several rows with one key [`KeyNotUnique`](super::KeyNotUnique).
pub(crate) fn in_order<M: Historical>(given: &[M], written: Vec<M>) -> QueryResult<Vec<M>> {
    if written.len() > given.len() {
        return Err(super::KeyNotUnique::error(written.len()));
    }
    let mut by_key: std::collections::HashMap<M::Id, M> =
        written.into_iter().map(|m| (m.id(), m)).collect();
    given
        .iter()
        .map(|model| {
            let id = model.id();
            by_key
                .remove(&id)
                .ok_or_else(|| MissingRow::error(format!("{id:?}")))
        })
        .collect()
}

/// A bulk save of a model whose row does not exist (any more): the key, for
/// [`AuditError::NotFound`](crate::AuditError::NotFound).
#[derive(Debug)]
pub(crate) struct MissingRow {
    pub(crate) key: String,
}

impl MissingRow {
    /// The text a backend that checks in SQL puts into its error: `<marker><position>`.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(crate) const MARKER: &'static str = "diesel-audit: saved row not found: ";

    pub(crate) fn error(key: String) -> DieselError {
        DieselError::QueryBuilderError(Box::new(MissingRow { key }))
    }

    /// The position of the missing row in a database error raised by a backend's SQL check.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(crate) fn position(message: &str) -> Option<usize> {
        let (_, rest) = message.split_once(Self::MARKER)?;
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    }
}

impl std::fmt::Display for MissingRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no row has the key {}", self.key)
    }
}

impl std::error::Error for MissingRow {}
