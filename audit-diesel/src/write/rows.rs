//! What the backends whose write is several statements share (SQLite, MySQL): the change hands
//! the rows it wrote to the program (by `RETURNING`, or read back by key), and one multi-row
//! insert per slice of rows binds their history from them.

use std::collections::HashMap;

use diesel::backend::Backend;
use diesel::dsl::AsSelect;
use diesel::expression::Selectable;
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::query_dsl::methods::ExecuteDsl;
use diesel::result::QueryResult;
use diesel::{Connection, RunQueryDsl};

use crate::backend::AuditBackend;
use crate::contract::{Generated, GeneratedOf, SnapshotOf};
use crate::sql::query;
use crate::write::{HistoryInsert, HistoryMeta, RowsSource};
use crate::Historical;

/// A statement with ` RETURNING <the model's columns>` appended: an update on SQLite, an insert
/// or a delete on MariaDB (Diesel's own `returning` needs a backend it knows to return rows).
#[doc(hidden)]
pub struct Returning<S, M: Selectable<DB>, DB: Backend> {
    statement: S,
    returning: M::SelectExpression,
}

impl<S, M: Selectable<DB>, DB: Backend> Returning<S, M, DB> {
    pub(crate) fn new(statement: S) -> Self {
        Returning {
            statement,
            returning: M::construct_selection(),
        }
    }
}

query!(impl[S, M: Selectable<DB>, DB: Backend] Returning<S, M, DB> => AsSelect<M, DB>);

impl<S, M, DB> QueryFragment<DB> for Returning<S, M, DB>
where
    S: QueryFragment<DB>,
    M: Selectable<DB>,
    M::SelectExpression: QueryFragment<DB>,
    DB: Backend,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.statement.walk_ast(out.reborrow())?;
        out.push_sql(" RETURNING ");
        self.returning.walk_ast(out.reborrow())
    }
}

/// Writes the history rows of `models` with `meta`, as many per statement as the backend binds.
pub(crate) fn record<'m, M, C>(
    conn: &mut C,
    models: impl IntoIterator<Item = &'m M>,
    meta: HistoryMeta<M>,
) -> QueryResult<()>
where
    C: Connection,
    C::Backend: AuditBackend,
    M: Historical,
    for<'a> HistoryInsert<M, RowsSource<SnapshotOf<'a, M>>>: ExecuteDsl<C>,
{
    if meta.skip {
        return Ok(());
    }
    let spec = M::HISTORY;
    // A row binds its tracked columns, its history values and its history-only fields.
    let binds_per_row = spec.columns.len()
        + 5
        + usize::from(spec.metadata)
        + usize::from(spec.changeset)
        + spec.history_fields.len();
    let per_statement = (<C::Backend as AuditBackend>::MAX_BINDS / binds_per_row).max(1);
    let mut models = models.into_iter().peekable();
    while models.peek().is_some() {
        let rows = RowsSource(
            models
                .by_ref()
                .take(per_statement)
                .map(GeneratedOf::<M>::snapshot)
                .collect(),
        );
        let inserted = HistoryInsert::<M, _>::new(rows, meta.clone()).execute(conn)?;
        super::chain_inserted(conn, spec, inserted)?;
    }
    Ok(())
}

/// Records the rows of `new` whose tracked columns differ from their row in `old` (every row,
/// when `old` was not read or the model records every save).
pub(crate) fn record_changed<M, C>(
    conn: &mut C,
    old: &[M],
    new: &[M],
    meta: HistoryMeta<M>,
) -> QueryResult<()>
where
    C: Connection,
    C::Backend: AuditBackend,
    M: Historical,
    for<'a> HistoryInsert<M, RowsSource<SnapshotOf<'a, M>>>: ExecuteDsl<C>,
{
    let old: HashMap<M::Id, &M> = old.iter().map(|o| (o.id(), o)).collect();
    let changed = new.iter().filter(|n| {
        !old.get(&n.id())
            .is_some_and(|o| GeneratedOf::<M>::tracked_eq(o, n))
    });
    record(conn, changed, meta)
}
