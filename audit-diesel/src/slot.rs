//! Which backends a model is written on, and the one place that runs a model's operations on one
//! backend's connection.
//!
//! `#[derive(Historical)]` gives each model one slot per enabled backend
//! ([`Historical::Sqlite`](crate::Historical), `Postgres`): [`On`] when the model is declared for
//! that backend (every backend, unless `#[diesel(check_for_backend(...))]` names some), [`Off`]
//! otherwise. Setting a slot to `On` is where the compiler proves, for that concrete model, every
//! bound the backend's statements need; code generic over the connection then only dispatches
//! (see [`connection`](crate::connection)). An operation on an `Off` backend is
//! [`AuditError::UnsupportedBackend`].

use std::marker::PhantomData;

use chrono::{DateTime, Utc};
use diesel::backend::Backend;
use diesel::connection::LoadConnection;
use diesel::expression::Selectable;
use diesel::query_builder::QueryFragment;
use diesel::query_dsl::methods::ExecuteDsl;
use diesel::query_dsl::LoadQuery;
use diesel::Connection;
use diesel::RunQueryDsl as _;

use crate::backend::AuditBackend;
use crate::contract::{
    ChangesetOf, Generated, GeneratedOf, RestoreInsertOf, RestoreOf, SnapshotOf,
};
use crate::maintenance::sql::{
    BatchEnd, BatchRows, CountDoomed, CountRows, DeleteDoomed, DeleteDoomedReturning, SetReason,
};
use crate::maintenance::{
    self, Backfill, BackfillReport, CleanDuplicates, CleanOld, CleanReport, Progress,
};
use crate::read::select::{AsOfShape, AsOfTable, Conditions, CountRecords, SelectRecords};
use crate::read::{read_error, NoFilter};
use crate::write::{
    self, Create, Delete, DeleteHistoryOf, HistoryInsert, InsertReturning, Operation, RowsSource,
    SaveBatch, TableSource, Update, WriteBackend,
};
use crate::{AuditContext, AuditError, Historical, HistoryRecord};

/// A filter on a history table, whatever its type, as one backend renders it.
pub type DynFilter<'s, DB> = dyn QueryFragment<DB> + 's;

/// The model is written on this backend. `Checks` holds the derive's compile-time checks of the
/// model against its `table!`: when one fails, this type holds its error, and the compiler, which
/// has reported it at the field, proves nothing more about the slot.
pub struct On<Checks = ()>(PhantomData<fn() -> Checks>);

impl<Checks> Clone for On<Checks> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<Checks> Copy for On<Checks> {}

impl<Checks> Default for On<Checks> {
    fn default() -> Self {
        On(PhantomData)
    }
}

impl<Checks> std::fmt::Debug for On<Checks> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("On")
    }
}

/// The model is not declared for this backend: its operations there are refused.
#[derive(Debug, Clone, Copy, Default)]
pub struct Off;

/// What a model does on one backend's connection `C`, without values of the caller's types.
#[diagnostic::on_unimplemented(
    message = "`{M}` cannot be audited on the backend of `{C}`",
    note = "a model whose table uses types of one backend only says so: \
            `#[diesel(check_for_backend(diesel::sqlite::Sqlite))]`"
)]
pub trait Slot<M: Historical, C: Connection>:
    FilterSlot<NoFilter, C::Backend> + Copy + Default + Send + Sync + 'static
{
    /// [`Historical::save`].
    fn save(self, conn: &mut C, ctx: &AuditContext, model: &M) -> Result<M, AuditError>;
    /// [`Historical::save_many_in_batches`] and [`Historical::save_many_with_contexts`].
    fn save_many(
        self,
        conn: &mut C,
        ctx: &AuditContext,
        models: &[M],
        contexts: Option<&[Option<AuditContext>]>,
        batch_size: usize,
    ) -> Result<Vec<M>, AuditError>;
    /// [`Historical::delete`].
    fn delete(self, conn: &mut C, ctx: &AuditContext, id: M::Id) -> Result<M, AuditError>;
    /// [`Historical::revert`].
    fn revert(self, conn: &mut C, ctx: &AuditContext, record: &M::Record) -> Result<M, AuditError>;
    /// Loads the records matching `conditions`.
    fn select<'s>(
        self,
        conn: &mut C,
        conditions: Conditions<'s, M, DynFilter<'s, C::Backend>>,
        limit: Option<u64>,
        offset: Option<i64>,
    ) -> Result<Vec<M::Record>, AuditError>;
    /// Counts the records matching `conditions`.
    fn count<'s>(
        self,
        conn: &mut C,
        conditions: Conditions<'s, M, DynFilter<'s, C::Backend>>,
    ) -> Result<i64, AuditError>;
    /// Every object at `at` whose state matches `filter`.
    fn as_of<'s>(
        self,
        conn: &mut C,
        at: DateTime<Utc>,
        shape: AsOfShape,
        filter: &'s DynFilter<'s, C::Backend>,
    ) -> Result<Vec<M::Record>, AuditError>;
    /// Whether the history table has a row.
    fn has_history(self, conn: &mut C) -> Result<bool, AuditError>;
    /// How many rows the source table has.
    fn count_rows(self, conn: &mut C) -> Result<u64, AuditError>;
    /// [`maintenance::populate_history`].
    fn populate(
        self,
        conn: &mut C,
        ctx: &AuditContext,
        options: &Backfill,
        progress: &mut dyn FnMut(&Progress<'_>),
    ) -> Result<BackfillReport, AuditError>;
    /// [`maintenance::clean_duplicate_history`].
    fn clean_duplicates(
        self,
        conn: &mut C,
        options: &CleanDuplicates,
    ) -> Result<CleanReport, AuditError>;
    /// [`maintenance::clean_old_history`].
    fn clean_old(self, conn: &mut C, options: &CleanOld) -> Result<CleanReport, AuditError>;
    /// [`drift::check_drift`](crate::drift::check_drift).
    fn drift(
        self,
        conn: &mut C,
        options: &crate::drift::Drift,
        progress: &mut dyn FnMut(&Progress<'_>),
    ) -> Result<crate::drift::DriftReport, AuditError>;
    /// [`Historical::update_change_reason`].
    fn set_reason(self, conn: &mut C, id: &M::Id, reason: &str) -> Result<M::Record, AuditError>;
    /// The object's live row, if it has one.
    fn live(self, conn: &mut C, id: M::Id) -> Result<Option<M>, AuditError>;
}

/// A write of the caller's values on one backend.
pub trait WriteSlot<M: Historical, Op: Operation<M>, C> {
    /// Runs the write and its history rows, atomically.
    fn write(
        conn: &mut C,
        ctx: &AuditContext,
        op: Op,
        key: Option<String>,
    ) -> Result<Op::Output, AuditError>;
}

/// A filter of the caller's type on one backend.
pub trait FilterSlot<F, DB: Backend> {
    /// The filter as the backend renders it, or `None` when the model is not on it.
    fn erase<'s>(filter: &'s F) -> Option<&'s DynFilter<'s, DB>>
    where
        F: 's;
}

impl<F: QueryFragment<DB>, DB: Backend, Checks> FilterSlot<F, DB> for On<Checks> {
    fn erase<'s>(filter: &'s F) -> Option<&'s DynFilter<'s, DB>>
    where
        F: 's,
    {
        Some(filter)
    }
}

impl<F, DB: Backend> FilterSlot<F, DB> for Off {
    fn erase<'s>(_: &'s F) -> Option<&'s DynFilter<'s, DB>>
    where
        F: 's,
    {
        None
    }
}

// Hidden from the docs: its bounds name the statement types, which are not an API.
#[doc(hidden)]
impl<M, Op, C, Checks> WriteSlot<M, Op, C> for On<Checks>
where
    M: Historical,
    Op: Operation<M>,
    C: Connection + LoadConnection + 'static,
    C::Backend: WriteBackend<M, Op, C>,
    for<'a> DeleteHistoryOf<'a, M>: ExecuteDsl<C>,
    M::Record: Selectable<C::Backend>,
    for<'s> SelectRecords<'s, M, DynFilter<'s, C::Backend>, C::Backend>:
        LoadQuery<'s, C, M::Record>,
    for<'a> InsertReturning<M, RowsSource<SnapshotOf<'a, M>>, C::Backend>:
        LoadQuery<'a, C, M::Record>,
    for<'a> HistoryInsert<M, RowsSource<SnapshotOf<'a, M>>>: ExecuteDsl<C>,
{
    fn write(
        conn: &mut C,
        ctx: &AuditContext,
        op: Op,
        key: Option<String>,
    ) -> Result<Op::Output, AuditError> {
        write::run(conn, ctx, op, key)
    }
}

impl<M, Op, C> WriteSlot<M, Op, C> for Off
where
    M: Historical,
    Op: Operation<M>,
    C: Connection,
    C::Backend: AuditBackend,
{
    fn write(
        _: &mut C,
        _: &AuditContext,
        _: Op,
        _: Option<String>,
    ) -> Result<Op::Output, AuditError> {
        Err(unsupported::<M, C>())
    }
}

/// The error of an operation on a backend the model is not declared for.
pub(crate) fn unsupported<M: Historical, C: Connection>() -> AuditError
where
    C::Backend: AuditBackend,
{
    AuditError::UnsupportedBackend {
        model: M::HISTORY.model.to_string(),
        backend: <C::Backend as AuditBackend>::NAME,
    }
}

// Hidden from the docs: its bounds name the statement types, which are not an API.
#[doc(hidden)]
impl<M, C, Checks: 'static> Slot<M, C> for On<Checks>
where
    M: Historical,
    C: Connection + LoadConnection + 'static,
    C::Backend: AuditBackend,
    for<'a> C::Backend: WriteBackend<M, Update<M::Id, ChangesetOf<'a, M>>, C>,
    C::Backend: WriteBackend<M, Delete<M::Id>, C>,
    for<'a> C::Backend: WriteBackend<M, SaveBatch<'a, M>, C>,
    for<'r> C::Backend: WriteBackend<M, Update<M::Id, RestoreOf<'r, M>>, C>
        + WriteBackend<M, Create<RestoreInsertOf<'r, M>>, C>,
    M::Record: Selectable<C::Backend>,
    for<'s> SelectRecords<'s, M, DynFilter<'s, C::Backend>, C::Backend>:
        LoadQuery<'s, C, M::Record>,
    for<'s> CountRecords<'s, M, DynFilter<'s, C::Backend>>: LoadQuery<'s, C, i64>,
    for<'s> AsOfTable<'s, M, DynFilter<'s, C::Backend>, C::Backend>: LoadQuery<'s, C, M::Record>,
    CountRows<M>: LoadQuery<'static, C, i64>,
    BatchEnd<M>: LoadQuery<'static, C, M::Id>,
    HistoryInsert<M, TableSource<BatchRows<M>>>: ExecuteDsl<C>,
    CountDoomed<M>: LoadQuery<'static, C, i64>,
    DeleteDoomed<M>: ExecuteDsl<C>,
    DeleteDoomedReturning<M>: LoadQuery<'static, C, crate::maintenance::sql::GoneRow>,
    crate::drift::sql::DriftRows<M>: LoadQuery<'static, C, crate::drift::sql::DriftRow>,
    crate::drift::sql::DriftDeletes<M>: LoadQuery<'static, C, crate::drift::sql::DriftRow>,
    HistoryInsert<M, TableSource<crate::drift::sql::Drifted<M>>>: ExecuteDsl<C>,
    HistoryInsert<M, crate::drift::sql::DeletedSource>: ExecuteDsl<C>,
    SetReason<M>: ExecuteDsl<C>,
    for<'a> DeleteHistoryOf<'a, M>: ExecuteDsl<C>,
    M: Selectable<C::Backend>,
    crate::write::SelectKeys<M, C::Backend>: LoadQuery<'static, C, M>,
    for<'a> InsertReturning<M, RowsSource<SnapshotOf<'a, M>>, C::Backend>:
        LoadQuery<'a, C, M::Record>,
    for<'a> HistoryInsert<M, RowsSource<SnapshotOf<'a, M>>>: ExecuteDsl<C>,
{
    fn save(self, conn: &mut C, ctx: &AuditContext, model: &M) -> Result<M, AuditError> {
        let id = model.id();
        let key = write::key_of(&id);
        let changes = GeneratedOf::<M>::changeset(model);
        write::run(conn, ctx, Update { id, changes }, key)
    }

    fn save_many(
        self,
        conn: &mut C,
        ctx: &AuditContext,
        models: &[M],
        contexts: Option<&[Option<AuditContext>]>,
        batch_size: usize,
    ) -> Result<Vec<M>, AuditError> {
        let runs = write::bulk::runs::<M>(ctx, contexts, models.len())?;
        let mut seen = std::collections::HashSet::with_capacity(models.len());
        if let Some(twice) = models.iter().map(M::id).find(|id| !seen.insert(id.clone())) {
            return Err(AuditError::DuplicateKey {
                model: M::HISTORY.model.to_string(),
                key: format!("{twice:?}"),
            });
        }
        // Below the backend's limit of binds per statement.
        let columns = GeneratedOf::<M>::COLUMNS.len().max(1);
        let per_statement =
            batch_size.min((<C::Backend as AuditBackend>::MAX_BINDS / columns).max(1));
        write::bulk::write_batches(conn, &runs, models, per_statement, |conn, ctx, batch| {
            write::run(
                conn,
                ctx,
                SaveBatch(batch),
                Some(format!("(one of {} saved)", batch.len())),
            )
        })
    }

    fn delete(self, conn: &mut C, ctx: &AuditContext, id: M::Id) -> Result<M, AuditError> {
        let key = write::key_of(&id);
        write::run(conn, ctx, Delete { id }, key)
    }

    fn revert(self, conn: &mut C, ctx: &AuditContext, record: &M::Record) -> Result<M, AuditError> {
        conn.transaction(|conn| {
            let id = record.object_id();
            let key = write::key_of(&id);
            let changes = GeneratedOf::<M>::restore_changeset(record);
            match write::run(conn, ctx, Update { id, changes }, key) {
                Err(AuditError::NotFound { .. }) => write::run(
                    conn,
                    ctx,
                    Create(GeneratedOf::<M>::restore_values(record)),
                    None,
                ),
                other => other,
            }
        })
    }

    fn select<'s>(
        self,
        conn: &mut C,
        conditions: Conditions<'s, M, DynFilter<'s, C::Backend>>,
        limit: Option<u64>,
        offset: Option<i64>,
    ) -> Result<Vec<M::Record>, AuditError> {
        use diesel::RunQueryDsl;
        SelectRecords {
            selection: <M::Record as Selectable<C::Backend>>::construct_selection(),
            conditions,
            limit,
            offset,
        }
        .load(conn)
        .map_err(read_error::<M>)
    }

    fn count<'s>(
        self,
        conn: &mut C,
        conditions: Conditions<'s, M, DynFilter<'s, C::Backend>>,
    ) -> Result<i64, AuditError> {
        use diesel::RunQueryDsl;
        CountRecords { conditions }
            .get_result(conn)
            .map_err(read_error::<M>)
    }

    fn as_of<'s>(
        self,
        conn: &mut C,
        at: DateTime<Utc>,
        shape: AsOfShape,
        filter: &'s DynFilter<'s, C::Backend>,
    ) -> Result<Vec<M::Record>, AuditError> {
        use diesel::RunQueryDsl;
        AsOfTable {
            selection: <M::Record as Selectable<C::Backend>>::construct_selection(),
            at,
            shape,
            filter,
        }
        .load(conn)
        .map_err(read_error::<M>)
    }

    fn has_history(self, conn: &mut C) -> Result<bool, AuditError> {
        maintenance::has_history_on::<M, C>(conn)
    }

    fn count_rows(self, conn: &mut C) -> Result<u64, AuditError> {
        maintenance::count_rows_on::<M, C>(conn)
    }

    fn populate(
        self,
        conn: &mut C,
        ctx: &AuditContext,
        options: &Backfill,
        progress: &mut dyn FnMut(&Progress<'_>),
    ) -> Result<BackfillReport, AuditError> {
        maintenance::populate_on::<M, C>(conn, ctx, options, progress)
    }

    fn clean_duplicates(
        self,
        conn: &mut C,
        options: &CleanDuplicates,
    ) -> Result<CleanReport, AuditError> {
        maintenance::clean_duplicates_on::<M, C>(conn, options)
    }

    fn clean_old(self, conn: &mut C, options: &CleanOld) -> Result<CleanReport, AuditError> {
        maintenance::clean_old_on::<M, C>(conn, options)
    }

    fn drift(
        self,
        conn: &mut C,
        options: &crate::drift::Drift,
        progress: &mut dyn FnMut(&Progress<'_>),
    ) -> Result<crate::drift::DriftReport, AuditError> {
        crate::drift::drift_on::<M, C>(conn, options, progress)
    }

    fn live(self, conn: &mut C, id: M::Id) -> Result<Option<M>, AuditError> {
        use diesel::{OptionalExtension, RunQueryDsl};
        crate::write::SelectKeys::<M, C::Backend>::new([id], false)
            .get_result(conn)
            .optional()
            .map_err(read_error::<M>)
    }

    fn set_reason(self, conn: &mut C, id: &M::Id, reason: &str) -> Result<M::Record, AuditError> {
        let reason = crate::ChangeReason::new(reason)?;
        let newest = |slot: Self, conn: &mut C| {
            let conditions = Conditions::<M, _>::object(
                Some(GeneratedOf::<M>::history_key_filter(id)),
                true,
                &NoFilter as &DynFilter<'_, _>,
            );
            slot.select(conn, conditions, Some(1), None)
                .map(|rows| rows.into_iter().next())
        };
        conn.transaction(|conn| {
            let record = newest(self, conn)?.ok_or_else(|| AuditError::NotFound {
                model: M::HISTORY.model.to_string(),
                key: format!("{id:?}"),
            })?;
            let database = |source| AuditError::Database {
                model: M::HISTORY.model.to_string(),
                operation: "update change reason",
                source,
            };
            // A chained table's row is re-hashed, its successors with it; the chain must hold
            // before (or the edit would hide an earlier one).
            let chained_id = (record.history_id() as &dyn std::any::Any)
                .downcast_ref::<i64>()
                .copied()
                .filter(|_| M::HISTORY.chained());
            maintenance::lifted::<M, C, _, AuditError>(conn, |conn| {
                if let Some(id) = chained_id {
                    crate::chain::before_edit(conn, M::HISTORY, id)?;
                }
                SetReason::<M> {
                    history_id: record.history_id().clone(),
                    reason: Some(reason.as_str().to_owned()),
                }
                .execute(conn)
                .map_err(database)?;
                if let Some(id) = chained_id {
                    let what = crate::chain::Maintenance {
                        operation: "update_change_reason",
                        detail: format!(
                            "history row {id}: change reason set to {:?}",
                            reason.as_str()
                        ),
                        rows_removed: 0,
                        spec: M::HISTORY,
                    };
                    crate::chain::after_edit(conn, &what, id)?;
                }
                Ok(())
            })?;
            newest(self, conn)?.ok_or_else(|| AuditError::NotFound {
                model: M::HISTORY.model.to_string(),
                key: format!("{id:?}"),
            })
        })
    }
}

impl<M, C> Slot<M, C> for Off
where
    M: Historical,
    C: Connection,
    C::Backend: AuditBackend,
{
    fn save(self, _: &mut C, _: &AuditContext, _: &M) -> Result<M, AuditError> {
        Err(unsupported::<M, C>())
    }
    fn save_many(
        self,
        _: &mut C,
        _: &AuditContext,
        _: &[M],
        _: Option<&[Option<AuditContext>]>,
        _: usize,
    ) -> Result<Vec<M>, AuditError> {
        Err(unsupported::<M, C>())
    }
    fn delete(self, _: &mut C, _: &AuditContext, _: M::Id) -> Result<M, AuditError> {
        Err(unsupported::<M, C>())
    }
    fn revert(self, _: &mut C, _: &AuditContext, _: &M::Record) -> Result<M, AuditError> {
        Err(unsupported::<M, C>())
    }
    fn select<'s>(
        self,
        _: &mut C,
        _: Conditions<'s, M, DynFilter<'s, C::Backend>>,
        _: Option<u64>,
        _: Option<i64>,
    ) -> Result<Vec<M::Record>, AuditError> {
        Err(unsupported::<M, C>())
    }
    fn count<'s>(
        self,
        _: &mut C,
        _: Conditions<'s, M, DynFilter<'s, C::Backend>>,
    ) -> Result<i64, AuditError> {
        Err(unsupported::<M, C>())
    }
    fn as_of<'s>(
        self,
        _: &mut C,
        _: DateTime<Utc>,
        _: AsOfShape,
        _: &'s DynFilter<'s, C::Backend>,
    ) -> Result<Vec<M::Record>, AuditError> {
        Err(unsupported::<M, C>())
    }
    fn has_history(self, _: &mut C) -> Result<bool, AuditError> {
        Err(unsupported::<M, C>())
    }
    fn count_rows(self, _: &mut C) -> Result<u64, AuditError> {
        Err(unsupported::<M, C>())
    }
    fn populate(
        self,
        _: &mut C,
        _: &AuditContext,
        _: &Backfill,
        _: &mut dyn FnMut(&Progress<'_>),
    ) -> Result<BackfillReport, AuditError> {
        Err(unsupported::<M, C>())
    }
    fn clean_duplicates(self, _: &mut C, _: &CleanDuplicates) -> Result<CleanReport, AuditError> {
        Err(unsupported::<M, C>())
    }
    fn clean_old(self, _: &mut C, _: &CleanOld) -> Result<CleanReport, AuditError> {
        Err(unsupported::<M, C>())
    }
    fn drift(
        self,
        _: &mut C,
        _: &crate::drift::Drift,
        _: &mut dyn FnMut(&Progress<'_>),
    ) -> Result<crate::drift::DriftReport, AuditError> {
        Err(unsupported::<M, C>())
    }
    fn set_reason(self, _: &mut C, _: &M::Id, _: &str) -> Result<M::Record, AuditError> {
        Err(unsupported::<M, C>())
    }
    fn live(self, _: &mut C, _: M::Id) -> Result<Option<M>, AuditError> {
        Err(unsupported::<M, C>())
    }
}

/// Declares the per-backend halves of a bound trait: a trait that holds on a backend when the
/// model is off there or the value runs there, and that holds trivially when the backend's
/// feature is off.
macro_rules! halves {
    ($feature:literal, $conn:ty, $db:ty, $slot:ident, $write:ident, $write_fn:ident, $filter:ident, $filter_fn:ident, $name:literal) => {
        #[doc = concat!("The ", $name, " half of [`Write`](crate::write::Write): the write runs on ", $name, " when the model is declared for it.")]
        pub trait $write<M: Historical>: Operation<M> {
            #[cfg(feature = $feature)]
            #[doc(hidden)]
            fn $write_fn(
                self,
                conn: &mut $conn,
                ctx: &AuditContext,
                key: Option<String>,
            ) -> Result<Self::Output, AuditError>;
        }

        #[cfg(feature = $feature)]
        impl<M: Historical, Op: Operation<M>> $write<M> for Op
        where
            M::$slot: WriteSlot<M, Op, $conn>,
        {
            fn $write_fn(
                self,
                conn: &mut $conn,
                ctx: &AuditContext,
                key: Option<String>,
            ) -> Result<Self::Output, AuditError> {
                <M::$slot as WriteSlot<M, Op, $conn>>::write(conn, ctx, self, key)
            }
        }

        #[cfg(not(feature = $feature))]
        impl<M: Historical, Op: Operation<M>> $write<M> for Op {}

        #[doc = concat!("The ", $name, " half of [`HistoryFilter`](crate::read::HistoryFilter): the filter renders on ", $name, " when the model is declared for it.")]
        pub trait $filter<M: Historical> {
            #[cfg(feature = $feature)]
            #[doc(hidden)]
            fn $filter_fn(&self) -> Option<&DynFilter<'_, $db>>;
        }

        #[cfg(feature = $feature)]
        impl<M: Historical, F> $filter<M> for F
        where
            M::$slot: FilterSlot<F, $db>,
        {
            fn $filter_fn(&self) -> Option<&DynFilter<'_, $db>> {
                <M::$slot as FilterSlot<F, $db>>::erase(self)
            }
        }

        #[cfg(not(feature = $feature))]
        impl<M: Historical, F> $filter<M> for F {}
    };
}

// The connection and backend types are named only inside the items of enabled features.
halves!(
    "sqlite",
    diesel::SqliteConnection,
    diesel::sqlite::Sqlite,
    Sqlite,
    SqliteWrite,
    write_sqlite,
    SqliteFilter,
    filter_sqlite,
    "SQLite"
);
halves!(
    "postgres",
    diesel::PgConnection,
    diesel::pg::Pg,
    Postgres,
    PostgresWrite,
    write_postgres,
    PostgresFilter,
    filter_postgres,
    "PostgreSQL"
);
halves!(
    "mysql",
    diesel::MysqlConnection,
    diesel::mysql::Mysql,
    Mysql,
    MysqlWrite,
    write_mysql,
    MysqlFilter,
    filter_mysql,
    "MySQL"
);
