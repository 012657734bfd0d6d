//! Bound values for generated code whose types are well-formed whatever the field's type.
//!
//! Diesel's `AsExprOf<&T, ST>` requires `&T: AsExpression<ST>` for the type itself to exist, so a
//! field whose type does not fit its column would fail in every generated type that mentions it,
//! burying the derive's own clear error ("field `x` has SQL type A, but column has B") under
//! copies of Diesel's. [`Bind`] asks for `ToSql` only when SQL is built, so a mismatch is reported
//! once, by the derive's check, at the field.

use std::marker::PhantomData;

use diesel::backend::Backend;
use diesel::expression::{
    is_aggregate, AppearsOnTable, AsExpression, Expression, SelectableExpression,
    TypedExpressionType, ValidGrouping,
};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::result::QueryResult;
use diesel::serialize::ToSql;
use diesel::sql_types::{HasSqlType, SqlType};

/// A value bound as SQL type `ST`: an expression of that type.
///
/// What [`dsl::timestamptz`](crate::dsl::timestamptz) and its siblings return. In a source table
/// with a portable column (`created_at -> PortableTimestamptz`), it is also the `serialize_as` of
/// an insertable field: `#[diesel(serialize_as = Bind<PortableTimestamptz, DateTime<Utc>>)]`.
#[derive(Debug, Clone, Copy)]
pub struct Bind<ST, T> {
    value: T,
    sql_type: PhantomData<ST>,
}

impl<ST, T> Bind<ST, T> {
    /// Binds `value` as `ST`.
    pub fn new(value: T) -> Self {
        Bind {
            value,
            sql_type: PhantomData,
        }
    }
}

impl<ST, T> From<T> for Bind<ST, T> {
    fn from(value: T) -> Self {
        Bind::new(value)
    }
}

impl<ST: TypedExpressionType, T> Expression for Bind<ST, T> {
    type SqlType = ST;
}

impl<ST, T, DB> QueryFragment<DB> for Bind<ST, T>
where
    DB: Backend + HasSqlType<ST>,
    T: ToSql<ST, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_bind_param(&self.value)
    }
}

impl<ST: QueryId, T> QueryId for Bind<ST, T> {
    type QueryId = Bind<ST::QueryId, ()>;
    const HAS_STATIC_QUERY_ID: bool = ST::HAS_STATIC_QUERY_ID;
}

impl<ST, T, QS> AppearsOnTable<QS> for Bind<ST, T> where Bind<ST, T>: Expression {}

impl<ST, T, QS> SelectableExpression<QS> for Bind<ST, T> where Bind<ST, T>: Expression {}

impl<ST, T, GB> ValidGrouping<GB> for Bind<ST, T> {
    type IsAggregate = is_aggregate::Never;
}

/// A field's value in `column.eq(..)`: becomes a [`Bind`] of the column's SQL type.
#[derive(Debug, Clone, Copy)]
pub struct SetValue<'a, T>(pub &'a T);

impl<'a, T, ST> AsExpression<ST> for SetValue<'a, T>
where
    ST: SqlType + TypedExpressionType,
{
    type Expression = Bind<ST, &'a T>;

    fn as_expression(self) -> Self::Expression {
        Bind::new(self.0)
    }
}
