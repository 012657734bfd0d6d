//! The [`Historical`] trait: what `#[derive(Historical)]` implements, and the audited writes.

use std::fmt::Debug;

use diesel::connection::LoadConnection;
use diesel::query_source::Table;
use diesel::{AsChangeset, Connection};

use crate::backend::WriteBackend;
use crate::history_id::HistoryIdKind;
use crate::read::{AsOf, HistoryQuery, ObjectHistory};
use crate::user_id::UserIdKind;
use crate::write::{self, Create, Delete, Update};
use crate::HistoryRecord;
use crate::{AuditContext, AuditError, HistoryTableSpec};

/// A Diesel model whose changes are recorded in a history table.
///
/// Implemented by `#[derive(Historical)]`; the associated items describe the model's history table
/// and are generated, the provided methods are the audited writes. Every write runs the data change
/// and the history row atomically and returns the model as the database holds it after the write
/// (for a delete: as it was before).
///
/// | write | history row | SQL on PostgreSQL |
/// |---|---|---|
/// | [`create`](Historical::create) | `+`, the new state | one statement |
/// | [`update`](Historical::update), [`save`](Historical::save) | `~`, the state after | one statement |
/// | [`delete`](Historical::delete) | `-`, the last state | one statement |
///
/// On SQLite a write is a transaction (a savepoint inside the caller's) of two statements.
pub trait Historical: Sized + 'static {
    /// The source table (`batches::table`).
    type Table: Table + Default + Copy + 'static;
    /// The history table the derive declares (`historical_batches::table`).
    type HistoryTable: Table + Default + Copy + 'static;
    /// A row of the history table (`HistoricalBatch`).
    type Record: crate::HistoryRecord<Model = Self>;
    /// The primary key: one value, or a tuple for a composite key, as `table.find(..)` takes it.
    type Id: Clone + Debug + PartialEq + Send + 'static;
    /// The type of `history_user_id`.
    type UserId: UserIdKind;
    /// The kind of `history_id`.
    type HistoryId: HistoryIdKind;

    /// What the history table holds: its name, the tracked columns and their types.
    const HISTORY: &'static HistoryTableSpec;

    /// The tracked values of this model, in the order of [`HistoryTableSpec::columns`], as
    /// bound expressions.
    #[doc(hidden)]
    type Snapshot<'a>;

    /// Every column but the key, for [`save`](Historical::save).
    #[doc(hidden)]
    type Changeset<'a>: AsChangeset<Target = Self::Table>;

    /// `<history table>.<key> = <id>`: the rows of one object.
    #[doc(hidden)]
    type HistoryKeyFilter<'a>;

    /// This model's primary key.
    fn id(&self) -> Self::Id;

    #[doc(hidden)]
    fn snapshot(&self) -> Self::Snapshot<'_>;

    #[doc(hidden)]
    fn changeset(&self) -> Self::Changeset<'_>;

    #[doc(hidden)]
    fn history_key_filter(id: &Self::Id) -> Self::HistoryKeyFilter<'_>;

    /// Inserts `values` and a `+` history row; returns the new model.
    ///
    /// `values` is anything Diesel can insert into the table: a `#[derive(Insertable)]` struct, a
    /// reference to one, or a tuple of `column.eq(value)`.
    ///
    /// ```
    /// # include!("../doctest_setup.rs");
    /// # fn main() -> Result<(), audit_diesel::AuditError> {
    /// # let mut conn = setup();
    /// let ctx = AuditContext::builder().user(7).reason("stocking").build()?;
    /// let tank = Tank::create(&mut conn, &ctx, &NewTank { name: "T1".into(), volume_m3: 40.0 })?;
    /// assert_eq!(tank.name, "T1");
    /// # Ok(())
    /// # }
    /// ```
    fn create<C, V>(conn: &mut C, ctx: &AuditContext, values: V) -> Result<Self, AuditError>
    where
        C: Connection + LoadConnection,
        C::Backend: WriteBackend<Self, Create<V>, C>,
    {
        write::run(conn, ctx, Create(values))
    }

    /// Applies `changes` to the row with key `id` and writes a `~` history row; returns the model
    /// after the change. A missing row is [`AuditError::NotFound`] and writes nothing.
    ///
    /// ```
    /// # include!("../doctest_setup.rs");
    /// # fn main() -> Result<(), audit_diesel::AuditError> {
    /// # let mut conn = setup();
    /// # let ctx = AuditContext::for_user(7);
    /// # let tank = Tank::create(&mut conn, &ctx, &NewTank { name: "T1".into(), volume_m3: 40.0 })?;
    /// let ctx = ctx.with_reason("resized")?;
    /// let tank = Tank::update(&mut conn, &ctx, tank.id, tanks::volume_m3.eq(55.0))?;
    /// assert_eq!(tank.volume_m3, 55.0);
    /// # Ok(())
    /// # }
    /// ```
    fn update<C, Ch>(
        conn: &mut C,
        ctx: &AuditContext,
        id: Self::Id,
        changes: Ch,
    ) -> Result<Self, AuditError>
    where
        C: Connection + LoadConnection,
        C::Backend: WriteBackend<Self, Update<Self::Id, Ch>, C>,
    {
        write::run(conn, ctx, Update { id, changes })
    }

    /// Writes every column of this model to its row (NULLs included) and a `~` history row;
    /// returns the model as stored.
    ///
    /// ```
    /// # include!("../doctest_setup.rs");
    /// # fn main() -> Result<(), audit_diesel::AuditError> {
    /// # let mut conn = setup();
    /// # let ctx = AuditContext::for_user(7);
    /// let mut tank = Tank::create(&mut conn, &ctx, &NewTank { name: "T1".into(), volume_m3: 40.0 })?;
    /// tank.name = "T1-north".into();
    /// let tank = tank.save(&mut conn, &ctx)?;
    /// assert_eq!(tank.name, "T1-north");
    /// # Ok(())
    /// # }
    /// ```
    fn save<'a, C>(&'a self, conn: &mut C, ctx: &AuditContext) -> Result<Self, AuditError>
    where
        C: Connection + LoadConnection,
        C::Backend: WriteBackend<Self, Update<Self::Id, Self::Changeset<'a>>, C>,
    {
        write::run(
            conn,
            ctx,
            Update {
                id: self.id(),
                changes: self.changeset(),
            },
        )
    }

    /// Deletes the row with key `id` and writes a `-` history row holding its last state; returns
    /// the deleted model. A missing row is [`AuditError::NotFound`] and writes nothing.
    ///
    /// ```
    /// # include!("../doctest_setup.rs");
    /// # fn main() -> Result<(), audit_diesel::AuditError> {
    /// # let mut conn = setup();
    /// # let ctx = AuditContext::for_user(7);
    /// # let tank = Tank::create(&mut conn, &ctx, &NewTank { name: "T1".into(), volume_m3: 40.0 })?;
    /// let gone = Tank::delete(&mut conn, &ctx.with_reason("decommissioned")?, tank.id)?;
    /// assert_eq!(gone.name, "T1");
    /// assert!(matches!(
    ///     Tank::delete(&mut conn, &ctx, tank.id),
    ///     Err(AuditError::NotFound { .. })
    /// ));
    /// # Ok(())
    /// # }
    /// ```
    fn delete<C>(conn: &mut C, ctx: &AuditContext, id: Self::Id) -> Result<Self, AuditError>
    where
        C: Connection + LoadConnection,
        C::Backend: WriteBackend<Self, Delete<Self::Id>, C>,
    {
        write::run(conn, ctx, Delete { id })
    }

    /// The history of the object with key `id`: its trail, `as_of`, earliest and latest rows.
    /// See [`ObjectHistory`].
    fn history(id: &Self::Id) -> ObjectHistory<'_, Self> {
        ObjectHistory::new(id)
    }

    /// A filtered, paginated listing of this model's history. See [`HistoryQuery`].
    fn history_query() -> HistoryQuery<'static, Self> {
        HistoryQuery::new()
    }

    /// Every object of this model as it was at `at`. See [`AsOf`].
    fn as_of(at: chrono::DateTime<chrono::Utc>) -> AsOf<Self> {
        AsOf::new(at)
    }

    /// Restores the object of `record` to the state `record` holds, as a normal audited write:
    /// a `~` row when the object exists, a `+` row when it was deleted (then it is inserted again
    /// with its key). Columns excluded from history are left as they are, or take their default
    /// when the row is inserted again. Returns the restored model.
    ///
    /// ```
    /// # include!("../doctest_setup.rs");
    /// # fn main() -> Result<(), audit_diesel::AuditError> {
    /// # let mut conn = setup();
    /// # let ctx = AuditContext::for_user(7);
    /// let tank = Tank::create(&mut conn, &ctx, &NewTank { name: "T1".into(), volume_m3: 40.0 })?;
    /// Tank::update(&mut conn, &ctx, tank.id, tanks::volume_m3.eq(99.0))?;
    /// let first = Tank::history(&tank.id).earliest(&mut conn)?.unwrap();
    ///
    /// let restored = Tank::revert(&mut conn, &ctx.with_reason("typo in volume")?, &first)?;
    /// assert_eq!(restored.volume_m3, 40.0);
    /// let latest = Tank::history(&tank.id).latest(&mut conn)?.unwrap();
    /// assert_eq!(latest.history_type, HistoryType::Update);
    /// assert_eq!(latest.history_change_reason.as_deref(), Some("typo in volume"));
    /// # Ok(())
    /// # }
    /// ```
    fn revert<'r, C>(
        conn: &mut C,
        ctx: &AuditContext,
        record: &'r Self::Record,
    ) -> Result<Self, AuditError>
    where
        C: Connection + LoadConnection,
        C::Backend: WriteBackend<Self, Update<Self::Id, <Self::Record as HistoryRecord>::Restore<'r>>, C>
            + WriteBackend<Self, Create<<Self::Record as HistoryRecord>::RestoreInsert<'r>>, C>,
    {
        conn.transaction(|conn| {
            match Self::update(conn, ctx, record.object_id(), record.restore_changeset()) {
                Err(AuditError::NotFound { .. }) => {
                    Self::create(conn, ctx, record.restore_values())
                }
                other => other,
            }
        })
    }
}
