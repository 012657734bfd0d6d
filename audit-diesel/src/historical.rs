//! The [`Historical`] trait: what `#[derive(Historical)]` implements, and the audited writes.

use std::fmt::Debug;

use diesel::query_source::Table;

use crate::connection::{on_backend, AuditConnection};
use crate::contract::Generated;
use crate::history_id::HistoryIdKind;
use crate::read::{AsOf, HistoryQuery, ObjectHistory};
use crate::slot::Slot;
use crate::user_id::UserIdKind;
use crate::write::{self, Create, CreateBatch, DeleteWhere, Update, UpdateWhere, Write};
use crate::{AuditContext, AuditError, HistoryTableSpec};

/// Rows to insert in bulk with [`Historical::create_many`]: a reference to a `Vec`, a slice or an
/// array of insertable structs that every backend of model `M` can insert.
///
/// (A trait of its own rather than `&[T]`: with a bound on the argument's own type, the compiler
/// learns the row type from the argument before it searches Diesel's `Insertable` impls.)
pub trait Rows<M: Historical> {
    #[doc(hidden)]
    fn create<C: AuditConnection>(
        self,
        conn: &mut C,
        ctx: &AuditContext,
        batch_size: usize,
    ) -> Result<Vec<M>, AuditError>;

    #[doc(hidden)]
    fn create_with_contexts<C: AuditConnection>(
        self,
        conn: &mut C,
        ctx: &AuditContext,
        contexts: &[Option<AuditContext>],
        batch_size: usize,
    ) -> Result<Vec<M>, AuditError>;
}

/// `rows` in batches of `batch_size`, `contexts[i]` over `ctx` for row `i` when given: every run
/// of consecutive rows with one context is one bulk write per batch, all in one transaction.
fn create_batches<'a, M, C, T>(
    conn: &mut C,
    ctx: &AuditContext,
    rows: &'a [T],
    contexts: Option<&[Option<AuditContext>]>,
    batch_size: usize,
) -> Result<Vec<M>, AuditError>
where
    M: Historical,
    C: AuditConnection,
    CreateBatch<&'a [T]>: Write<M, Output = Vec<M>>,
{
    let runs = write::bulk::runs::<M>(ctx, contexts, rows.len())?;
    write::bulk::write_batches(conn, &runs, rows, batch_size, |conn, ctx, batch| {
        write::dispatch(conn, ctx, CreateBatch(batch), None)
    })
}

macro_rules! rows {
    ($($ty:ty $(, $n:ident)?);*) => {$(
        impl<'a, M, T $(, const $n: usize)?> Rows<M> for &'a $ty
        where
            M: Historical,
            CreateBatch<&'a [T]>: Write<M, Output = Vec<M>>,
        {
            fn create<C: AuditConnection>(self, conn: &mut C, ctx: &AuditContext, batch_size: usize) -> Result<Vec<M>, AuditError> {
                create_batches(conn, ctx, &self[..], None, batch_size)
            }

            fn create_with_contexts<C: AuditConnection>(self, conn: &mut C, ctx: &AuditContext, contexts: &[Option<AuditContext>], batch_size: usize) -> Result<Vec<M>, AuditError> {
                create_batches(conn, ctx, &self[..], Some(contexts), batch_size)
            }
        }
    )*};
}

rows!([T]; Vec<T>; [T; N], N);

/// Rows per statement of [`Historical::create_many`].
pub const DEFAULT_BATCH_SIZE: usize = 1000;

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
    /// Hashable, so that a bulk update matches rows before and after in linear time.
    type Id: Clone + Debug + Eq + std::hash::Hash + Send + 'static;
    /// The type of `history_user_id`.
    type UserId: UserIdKind;
    /// The kind of `history_id`.
    type HistoryId: HistoryIdKind;

    /// What the history table holds: its name, the tracked columns and their types.
    const HISTORY: &'static HistoryTableSpec;

    /// Whether an update that changes no tracked column still writes a history row
    /// (`#[historical(record_unchanged)]`, django-simple-history's behaviour). By default it does
    /// not: the trail holds real changes only.
    const RECORD_UNCHANGED: bool;

    /// Whether deleting an object deletes its history instead of writing a `-` row
    /// (`#[historical(cascade_delete_history)]`, django-simple-history's option of that name),
    /// in the same transaction as the delete. This destroys the trail of the object: who created
    /// and changed it, and that it was deleted, is gone. Meant for data that must not outlive its
    /// row (an erasure request), not for audited business data. Off by default.
    const CASCADE_DELETE_HISTORY: bool;

    /// Whether the model is written on SQLite: [`On`](crate::slot::On), or
    /// [`Off`](crate::slot::Off) when its `#[diesel(check_for_backend(...))]` names other
    /// backends only (then every call on SQLite is [`AuditError::UnsupportedBackend`]). Set by the
    /// derive; with the `sqlite` feature.
    #[cfg(feature = "sqlite")]
    type Sqlite: Slot<Self, diesel::SqliteConnection>;

    /// Whether the model is written on PostgreSQL: [`On`](crate::slot::On) or
    /// [`Off`](crate::slot::Off), as [`Sqlite`](Historical::Sqlite). With the `postgres` feature.
    #[cfg(feature = "postgres")]
    type Postgres: Slot<Self, diesel::PgConnection>;

    /// Whether the model is written on MySQL/MariaDB: [`On`](crate::slot::On) or
    /// [`Off`](crate::slot::Off), as [`Sqlite`](Historical::Sqlite). With the `mysql` feature.
    #[cfg(feature = "mysql")]
    type Mysql: Slot<Self, diesel::MysqlConnection>;

    /// The generated machinery the audited calls run on (not an API).
    #[doc(hidden)]
    type Generated: Generated<Self>;

    /// This model's primary key.
    fn id(&self) -> Self::Id;

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
        C: AuditConnection,
        Create<V>: Write<Self, Output = Self>,
    {
        write::dispatch(conn, ctx, Create(values), None)
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
        C: AuditConnection,
        Update<Self::Id, Ch>: Write<Self, Output = Self>,
    {
        let key = write::key_of(&id);
        write::dispatch(conn, ctx, Update { id, changes }, key)
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
    fn save<C: AuditConnection>(
        &self,
        conn: &mut C,
        ctx: &AuditContext,
    ) -> Result<Self, AuditError> {
        on_backend!(conn.backend_connection(), Self, |c, slot| slot
            .save(c, ctx, self))
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
    fn delete<C: AuditConnection>(
        conn: &mut C,
        ctx: &AuditContext,
        id: Self::Id,
    ) -> Result<Self, AuditError> {
        on_backend!(conn.backend_connection(), Self, |c, slot| slot
            .delete(c, ctx, id))
    }

    /// Inserts `rows` and a `+` history row for each, in batches of [`DEFAULT_BATCH_SIZE`]; see
    /// [`create_many_in_batches`](Historical::create_many_in_batches).
    fn create_many<C, R>(conn: &mut C, ctx: &AuditContext, rows: R) -> Result<Vec<Self>, AuditError>
    where
        C: AuditConnection,
        R: Rows<Self>,
    {
        Self::create_many_in_batches(conn, ctx, rows, DEFAULT_BATCH_SIZE)
    }

    /// Inserts `rows` and a `+` history row for each, `batch_size` rows per statement (on
    /// PostgreSQL one statement per batch writes the rows and their history; on SQLite two), all
    /// in one transaction: a failure anywhere leaves nothing. Returns the models in insertion
    /// order.
    ///
    /// On SQLite, Diesel inserts a batch in one statement only when no field of the insertable
    /// struct is an `Option` turned into `DEFAULT`; mark such structs with
    /// `#[diesel(treat_none_as_default_value = false)]`.
    ///
    /// ```
    /// # include!("../doctest_setup.rs");
    /// # fn main() -> Result<(), audit_diesel::AuditError> {
    /// # let mut conn = setup();
    /// let ctx = AuditContext::builder().user(7).reason("import").build()?;
    /// let rows: Vec<NewTank> = (0..2500)
    ///     .map(|i| NewTank { name: format!("T{i}"), volume_m3: 40.0 })
    ///     .collect();
    /// let tanks = Tank::create_many_in_batches(&mut conn, &ctx, &rows, 1000)?; // 3 batches
    /// assert_eq!(tanks.len(), 2500);
    /// assert_eq!(Tank::history_query().with_total().page_size(1).load(&mut conn)?.total, Some(2500));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`AuditError::InvalidBatchSize`] for 0; otherwise as [`create`](Historical::create).
    fn create_many_in_batches<C, R>(
        conn: &mut C,
        ctx: &AuditContext,
        rows: R,
        batch_size: usize,
    ) -> Result<Vec<Self>, AuditError>
    where
        C: AuditConnection,
        R: Rows<Self>,
    {
        rows.create(conn, ctx, batch_size)
    }

    /// Inserts `rows` with a context per row over `ctx` (django-simple-history's
    /// `bulk_create_with_history`, where each object's own `_history_user`, `_change_reason` and
    /// `_history_date` beat the call's): `contexts[i]` is row `i`'s, `None` for the call's, and a
    /// row's context overrides `ctx` field by field ([`AuditContext::over`]). Every run of
    /// consecutive rows with the same context is one bulk write (one statement per batch on
    /// PostgreSQL), all in one transaction; rows that all take the call's context are one bulk
    /// write, as with [`create_many`](Historical::create_many).
    ///
    /// ```
    /// # include!("../doctest_setup.rs");
    /// # fn main() -> Result<(), audit_diesel::AuditError> {
    /// # let mut conn = setup();
    /// let ctx = AuditContext::builder().user(7).reason("import").build()?;
    /// let rows = [
    ///     NewTank { name: "T1".into(), volume_m3: 40.0 },
    ///     NewTank { name: "T2".into(), volume_m3: 50.0 },
    /// ];
    /// let by_hand = Some(AuditContext::builder().reason("typed in by hand").build()?);
    /// let tanks = Tank::create_many_with_contexts(&mut conn, &ctx, &rows, &[None, by_hand])?;
    /// let second = Tank::history(&tanks[1].id).latest(&mut conn)?.unwrap();
    /// assert_eq!((second.history_user_id, second.history_change_reason.as_deref()), (Some(7), Some("typed in by hand")));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`AuditError::ContextsPerRow`] when `contexts` and `rows` differ in length; otherwise as
    /// [`create_many`](Historical::create_many). Nothing is written on any error.
    fn create_many_with_contexts<C, R>(
        conn: &mut C,
        ctx: &AuditContext,
        rows: R,
        contexts: &[Option<AuditContext>],
    ) -> Result<Vec<Self>, AuditError>
    where
        C: AuditConnection,
        R: Rows<Self>,
    {
        rows.create_with_contexts(conn, ctx, contexts, DEFAULT_BATCH_SIZE)
    }

    /// Writes every column of each of `models` to its row and a `~` history row for each whose
    /// tracked columns changed, in batches of [`DEFAULT_BATCH_SIZE`]; returns the models as stored,
    /// in the order given. The bulk [`save`](Historical::save), django-simple-history's
    /// `bulk_update_with_history`; see [`save_many_in_batches`](Historical::save_many_in_batches).
    ///
    /// ```
    /// # include!("../doctest_setup.rs");
    /// # fn main() -> Result<(), audit_diesel::AuditError> {
    /// # let mut conn = setup();
    /// let ctx = AuditContext::builder().user(7).reason("survey").build()?;
    /// let rows = [
    ///     NewTank { name: "T1".into(), volume_m3: 40.0 },
    ///     NewTank { name: "T2".into(), volume_m3: 50.0 },
    /// ];
    /// let mut tanks = Tank::create_many(&mut conn, &ctx, &rows)?;
    /// tanks[0].volume_m3 = 41.5; // each object its own value
    /// tanks[1].volume_m3 = 52.0;
    /// let saved = Tank::save_many(&mut conn, &ctx, &tanks)?;
    /// assert_eq!(saved, tanks);
    /// let updates = Tank::history_query().history_type(HistoryType::Update).load(&mut conn)?;
    /// assert_eq!(updates.items.len(), 2);
    /// # Ok(())
    /// # }
    /// ```
    fn save_many<C: AuditConnection>(
        conn: &mut C,
        ctx: &AuditContext,
        models: &[Self],
    ) -> Result<Vec<Self>, AuditError> {
        Self::save_many_in_batches(conn, ctx, models, DEFAULT_BATCH_SIZE)
    }

    /// Writes every column of each of `models` (NULLs included) to its row, `batch_size` models
    /// per statement on PostgreSQL (`UPDATE ... FROM (VALUES ...)` with its history insert in
    /// the same statement; on SQLite a read, the update and the history insert per batch), all in
    /// one transaction: a failure anywhere leaves nothing. A model whose tracked columns are what
    /// its row holds gets no history row, as with [`save`](Historical::save), unless the model
    /// records every save (`#[historical(record_unchanged)]`). Returns the models as stored, in
    /// the order given.
    ///
    /// Unlike django-simple-history's `bulk_update_with_history`, which takes the fields to
    /// write and skips missing rows without a word, this writes every column and refuses a model
    /// whose row does not exist. To set some columns of many rows, use
    /// [`update_where`](Historical::update_where).
    ///
    /// A batch is also split where it would bind more values than the backend takes in one
    /// statement ([`AuditBackend::MAX_BINDS`](crate::backend::AuditBackend::MAX_BINDS)).
    ///
    /// # Errors
    /// [`AuditError::NotFound`] naming the first model whose row does not exist;
    /// [`AuditError::DuplicateKey`] when two models have the same key;
    /// [`AuditError::InvalidBatchSize`] for 0; otherwise as [`save`](Historical::save). Nothing
    /// is written on any error.
    fn save_many_in_batches<C: AuditConnection>(
        conn: &mut C,
        ctx: &AuditContext,
        models: &[Self],
        batch_size: usize,
    ) -> Result<Vec<Self>, AuditError> {
        on_backend!(conn.backend_connection(), Self, |c, slot| slot
            .save_many(c, ctx, models, None, batch_size))
    }

    /// Saves `models` with a context per model over `ctx`, as
    /// [`create_many_with_contexts`](Historical::create_many_with_contexts) creates: `contexts[i]`
    /// is model `i`'s (`None` for the call's), overriding `ctx` field by field. Every run of
    /// consecutive models with the same context is one bulk save (one statement per batch on
    /// PostgreSQL), all in one transaction.
    ///
    /// ```
    /// # include!("../doctest_setup.rs");
    /// # fn main() -> Result<(), audit_diesel::AuditError> {
    /// # let mut conn = setup();
    /// let ctx = AuditContext::builder().user(7).reason("survey").build()?;
    /// let rows = [
    ///     NewTank { name: "T1".into(), volume_m3: 40.0 },
    ///     NewTank { name: "T2".into(), volume_m3: 50.0 },
    /// ];
    /// let mut tanks = Tank::create_many(&mut conn, &ctx, &rows)?;
    /// tanks[0].volume_m3 = 41.5;
    /// tanks[1].volume_m3 = 52.0;
    /// let recount = Some(AuditContext::builder().user(9).reason("recount").build()?);
    /// Tank::save_many_with_contexts(&mut conn, &ctx, &tanks, &[None, recount])?;
    /// let second = Tank::history(&tanks[1].id).latest(&mut conn)?.unwrap();
    /// assert_eq!((second.history_user_id, second.history_change_reason.as_deref()), (Some(9), Some("recount")));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`AuditError::ContextsPerRow`] when `contexts` and `models` differ in length; otherwise as
    /// [`save_many_in_batches`](Historical::save_many_in_batches).
    fn save_many_with_contexts<C: AuditConnection>(
        conn: &mut C,
        ctx: &AuditContext,
        models: &[Self],
        contexts: &[Option<AuditContext>],
    ) -> Result<Vec<Self>, AuditError> {
        on_backend!(conn.backend_connection(), Self, |c, slot| slot.save_many(
            c,
            ctx,
            models,
            Some(contexts),
            DEFAULT_BATCH_SIZE
        ))
    }

    /// Applies `changes` to every row matching `filter` (an expression on the table's columns)
    /// and writes a `~` history row for each row whose tracked columns changed; returns every
    /// updated model. The history-aware `diesel::update(table.filter(..)).set(..)`: one statement
    /// on PostgreSQL, whatever the number of rows.
    ///
    /// ```
    /// # include!("../doctest_setup.rs");
    /// # fn main() -> Result<(), audit_diesel::AuditError> {
    /// # let mut conn = setup();
    /// # let ctx = AuditContext::for_user(7);
    /// # for (name, volume) in [("T1", 10.0), ("T2", 20.0), ("T3", 30.0)] {
    /// #     Tank::create(&mut conn, &ctx, &NewTank { name: name.into(), volume_m3: volume })?;
    /// # }
    /// let resized = Tank::update_where(&mut conn, &ctx, tanks::volume_m3.lt(25.0), tanks::volume_m3.eq(25.0))?;
    /// assert_eq!(resized.len(), 2);
    /// assert_eq!(Tank::history_query().history_type(HistoryType::Update).with_total().load(&mut conn)?.total, Some(2));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`update`](Historical::update), but no row matching is not an error.
    fn update_where<C, F, Ch>(
        conn: &mut C,
        ctx: &AuditContext,
        filter: F,
        changes: Ch,
    ) -> Result<Vec<Self>, AuditError>
    where
        C: AuditConnection,
        UpdateWhere<F, Ch>: Write<Self, Output = Vec<Self>>,
    {
        write::dispatch(
            conn,
            ctx,
            UpdateWhere { filter, changes },
            Some("(filter)".to_owned()),
        )
    }

    /// Deletes every row matching `filter` and writes a `-` history row holding the last state of
    /// each; returns the deleted models. One statement on PostgreSQL.
    ///
    /// # Errors
    /// As [`delete`](Historical::delete), but no row matching is not an error.
    fn delete_where<C, F>(
        conn: &mut C,
        ctx: &AuditContext,
        filter: F,
    ) -> Result<Vec<Self>, AuditError>
    where
        C: AuditConnection,
        DeleteWhere<F>: Write<Self, Output = Vec<Self>>,
    {
        write::dispatch(
            conn,
            ctx,
            DeleteWhere { filter },
            Some("(filter)".to_owned()),
        )
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

    /// Changes the reason of the newest history record of the object with key `id`
    /// (django-simple-history's `update_change_reason`), also when that record is its delete;
    /// returns the record as stored now. The reason is validated as a context's is.
    ///
    /// Only the reason changes: the record's date, user, type and values stay as they were, and
    /// no new record is written.
    ///
    /// ```
    /// # include!("../doctest_setup.rs");
    /// # fn main() -> Result<(), audit_diesel::AuditError> {
    /// # let mut conn = setup();
    /// # let ctx = AuditContext::for_user(7);
    /// let tank = Tank::create(&mut conn, &ctx, &NewTank { name: "T1".into(), volume_m3: 40.0 })?;
    /// Tank::delete(&mut conn, &ctx, tank.id)?;
    /// let record = Tank::update_change_reason(&mut conn, &tank.id, "decommissioned: leak")?;
    /// assert_eq!(record.history_type, HistoryType::Delete);
    /// assert_eq!(record.history_change_reason.as_deref(), Some("decommissioned: leak"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`AuditError::NotFound`] when the object has no history;
    /// [`AuditError::Context`] for an invalid reason (empty, too long, control characters).
    /// Either way nothing is changed.
    fn update_change_reason<C: AuditConnection>(
        conn: &mut C,
        id: &Self::Id,
        reason: &str,
    ) -> Result<Self::Record, AuditError> {
        on_backend!(conn.backend_connection(), Self, |c, slot| slot
            .set_reason(c, id, reason))
    }

    /// The newest record of each object among those dated at or before `until`, deletes
    /// included (django-simple-history's `latest_of_each`): the most recently changed object
    /// first. [`as_of`](Historical::as_of) is the same without the objects whose newest record
    /// is a delete; filters and ordering are [`AsOf`]'s.
    ///
    /// ```
    /// # include!("../doctest_setup.rs");
    /// # fn main() -> Result<(), audit_diesel::AuditError> {
    /// # let mut conn = setup();
    /// # let ctx = AuditContext::for_user(7);
    /// let t1 = Tank::create(&mut conn, &ctx, &NewTank { name: "T1".into(), volume_m3: 40.0 })?;
    /// let t2 = Tank::create(&mut conn, &ctx, &NewTank { name: "T2".into(), volume_m3: 80.0 })?;
    /// Tank::delete(&mut conn, &ctx, t1.id)?;
    /// let latest = Tank::latest_of_each(chrono::Utc::now()).load(&mut conn)?;
    /// let seen: Vec<_> = latest.iter().map(|r| (r.name.as_str(), r.history_type)).collect();
    /// assert_eq!(seen, [("T1", HistoryType::Delete), ("T2", HistoryType::Create)]);
    /// assert_eq!(Tank::as_of(chrono::Utc::now()).load(&mut conn)?.len(), 1);
    /// # Ok(())
    /// # }
    /// ```
    fn latest_of_each(until: chrono::DateTime<chrono::Utc>) -> AsOf<Self> {
        AsOf::latest_of_each(until)
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
    fn revert<C: AuditConnection>(
        conn: &mut C,
        ctx: &AuditContext,
        record: &Self::Record,
    ) -> Result<Self, AuditError> {
        on_backend!(conn.backend_connection(), Self, |c, slot| slot
            .revert(c, ctx, record))
    }
}
