//! The generated contract: what `#[derive(Historical)]` implements beside [`Historical`]'s
//! documented items, for the library's own use. Not an API: generated code names it through the
//! versioned private module, and it may change in any release.
//!
//! [`Historical`] is the public face of a model (its table, key, record and the audited calls);
//! this trait holds the machinery the calls run on: its tracked values as binds, its changeset, the filter that finds one object's history, and
//! what a record restores. `Historical` names it once, as the hidden associated type
//! `Historical::Generated`, so that no public bound or signature mentions it.

use diesel::insertable::Insertable;
use diesel::AsChangeset;

use crate::Historical;

/// The generated half of a model `M` (implemented by the derive, for `M` itself).
pub trait Generated<M: Historical>: 'static {
    /// The tracked values of a model, in the order of `HistoryTableSpec::columns`, as binds.
    type Snapshot<'a>;

    /// Every column of a model, in field order, as binds: a bulk save's row of `VALUES`.
    type Row<'a>;

    /// The model's columns, in field order (the columns of [`Generated::Row`]).
    const COLUMNS: &'static [&'static str];

    /// Every column but the key, for `save`.
    type Changeset<'a>: AsChangeset<Target = M::Table>;

    /// `<history table>.<key> = <id>`: the rows of one object.
    type HistoryKeyFilter<'a>;

    /// The key's values as binds, in key order (`$1, $2`).
    type KeyValues;

    /// A record's tracked columns but the key, to restore the object's row to that state.
    type Restore<'a>: AsChangeset<Target = M::Table>;

    /// A record's tracked columns, to insert the object again in that state.
    type RestoreInsert<'a>: Insertable<M::Table>;

    /// The tracked values of `model`.
    fn snapshot(model: &M) -> Self::Snapshot<'_>;

    /// Every column of `model`, as binds.
    fn row(model: &M) -> Self::Row<'_>;

    /// Every column of `model` but the key.
    fn changeset(model: &M) -> Self::Changeset<'_>;

    /// The history rows of the object with key `id`.
    fn history_key_filter(id: &M::Id) -> Self::HistoryKeyFilter<'_>;

    /// The history rows of the object `record` is about.
    fn record_key_filter(record: &M::Record) -> Self::HistoryKeyFilter<'_>;

    /// Whether the tracked fields of `a` and `b` are equal.
    fn tracked_eq(a: &M, b: &M) -> bool;

    /// The key as binds.
    fn key_values(id: M::Id) -> Self::KeyValues;

    /// `record`'s tracked columns but the key, as a changeset.
    fn restore_changeset(record: &M::Record) -> Self::Restore<'_>;

    /// `record`'s tracked columns, as insertable values.
    fn restore_values(record: &M::Record) -> Self::RestoreInsert<'_>;

    /// The values of the history-only fields, as binds.
    type HistoryFields: Clone + Send + 'static;

    /// The history-only fields' values from `ctx` (`NULL` for those it does not set).
    fn history_fields(ctx: &crate::AuditContext) -> Result<Self::HistoryFields, crate::AuditError>;

    /// `, <value>` for each history-only field, on SQLite.
    #[cfg(feature = "sqlite")]
    fn walk_history_fields_sqlite<'b>(
        fields: &'b Self::HistoryFields,
        out: &mut diesel::query_builder::AstPass<'_, 'b, diesel::sqlite::Sqlite>,
    ) -> diesel::QueryResult<()>;

    /// `, <value>` for each history-only field, on PostgreSQL.
    #[cfg(feature = "postgres")]
    fn walk_history_fields_postgres<'b>(
        fields: &'b Self::HistoryFields,
        out: &mut diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> diesel::QueryResult<()>;

    /// `, <value>` for each history-only field, on MySQL.
    #[cfg(feature = "mysql")]
    fn walk_history_fields_mysql<'b>(
        fields: &'b Self::HistoryFields,
        out: &mut diesel::query_builder::AstPass<'_, 'b, diesel::mysql::Mysql>,
    ) -> diesel::QueryResult<()>;

    /// Whether the model has history hooks (`#[historical(hooks)]`).
    const HOOKS: bool;

    /// The model's before-hook, or nothing.
    fn before_history(
        event: &mut crate::hooks::BeforeHistory<'_, M>,
    ) -> Result<(), crate::AuditError>;

    /// The model's after-hook, or nothing.
    fn after_history(event: &crate::hooks::AfterHistory<'_, M>) -> Result<(), crate::AuditError>;

    /// Sets history-only field `name` in `fields` from a JSON value.
    fn set_history_field(
        fields: &mut Self::HistoryFields,
        name: &str,
        value: serde_json::Value,
    ) -> Result<(), crate::AuditError>;

    /// Whether `record` holds `model`'s tracked values (never, for a model that records every
    /// save).
    fn record_matches(record: &M::Record, model: &M) -> bool;

    /// The model as `record` holds it, its excluded fields moved from `live` (the object's
    /// live row); `None` when the model has excluded fields and `live` is `None`.
    fn instance(record: &M::Record, live: Option<M>) -> Option<M>;
}

/// Model `M`'s generated half.
pub(crate) type GeneratedOf<M> = <M as Historical>::Generated;
/// The tracked values of a model `M`, as binds.
pub(crate) type SnapshotOf<'a, M> = <GeneratedOf<M> as Generated<M>>::Snapshot<'a>;
/// Every column of a model `M`, as binds.
pub(crate) type RowOf<'a, M> = <GeneratedOf<M> as Generated<M>>::Row<'a>;
/// Every column of model `M` but the key.
pub(crate) type ChangesetOf<'a, M> = <GeneratedOf<M> as Generated<M>>::Changeset<'a>;
/// The filter that finds one object's history rows.
pub(crate) type KeyFilterOf<'a, M> = <GeneratedOf<M> as Generated<M>>::HistoryKeyFilter<'a>;
/// The key of model `M` as binds.
pub(crate) type KeyValuesOf<M> = <GeneratedOf<M> as Generated<M>>::KeyValues;
/// A record's changeset that restores its object's row.
pub(crate) type RestoreOf<'a, M> = <GeneratedOf<M> as Generated<M>>::Restore<'a>;
/// A record's values that insert its object again.
pub(crate) type RestoreInsertOf<'a, M> = <GeneratedOf<M> as Generated<M>>::RestoreInsert<'a>;
/// The values of model `M`'s history-only fields.
pub(crate) type HistoryFieldsOf<M> = <GeneratedOf<M> as Generated<M>>::HistoryFields;
/// Model `M`'s slot on SQLite.
#[cfg(feature = "sqlite")]
pub(crate) type SqliteSlotOf<M> = <M as Historical>::Sqlite;
/// Model `M`'s slot on PostgreSQL.
#[cfg(feature = "postgres")]
pub(crate) type PostgresSlotOf<M> = <M as Historical>::Postgres;
/// Model `M`'s slot on MySQL.
#[cfg(feature = "mysql")]
pub(crate) type MysqlSlotOf<M> = <M as Historical>::Mysql;
