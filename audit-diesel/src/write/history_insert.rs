//! The history row insert: the one place that renders it, for every backend and every write.

use diesel::backend::Backend;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::result::QueryResult;

use super::HistoryMeta;
use crate::backend::{AuditBackend, BindUserId};
use crate::schema::spec::meta;
use crate::{Historical, HistoryTableSpec};

/// Where the snapshot of the tracked columns comes from.
pub(crate) trait SnapshotSource<DB: Backend> {
    /// Renders the tracked values, in the order of the spec's columns.
    fn walk_values<'b>(
        &'b self,
        spec: &HistoryTableSpec,
        out: AstPass<'_, 'b, DB>,
    ) -> QueryResult<()>;
    /// Renders what follows the select list (`FROM ...`), if anything.
    fn walk_from<'b>(&'b self, out: AstPass<'_, 'b, DB>) -> QueryResult<()>;
}

/// The rows of the data-modifying CTE named [`CteSource::NAME`] (PostgreSQL): one history row per
/// row the statement changed, taken from what the statement returned.
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
pub(crate) struct CteSource;

#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
impl CteSource {
    pub(crate) const NAME: &'static str = "audit_changed";
}

impl<DB: Backend> SnapshotSource<DB> for CteSource {
    fn walk_values<'b>(
        &'b self,
        spec: &HistoryTableSpec,
        mut out: AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        for (i, column) in spec.columns.iter().enumerate() {
            if i > 0 {
                out.push_sql(", ");
            }
            out.push_identifier(&column.name)?;
        }
        Ok(())
    }

    fn walk_from<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(" FROM ");
        out.push_identifier(Self::NAME)
    }
}

/// Values bound from a model in memory ([`Historical::snapshot`]): one history row.
#[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
pub(crate) struct ValuesSource<S>(pub(crate) S);

impl<DB: Backend, S: QueryFragment<DB>> SnapshotSource<DB> for ValuesSource<S> {
    fn walk_values<'b>(
        &'b self,
        _: &HistoryTableSpec,
        out: AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        self.0.walk_ast(out)
    }

    fn walk_from<'b>(&'b self, _: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        Ok(())
    }
}

/// `INSERT INTO <history> (<tracked>, history_type, history_user_id, history_change_reason,
/// history_date[, history_metadata]) SELECT <snapshot>, $type, $user, $reason, <date>[, $metadata]
/// [FROM <source>]`.
///
/// The date is bound when the write has one; otherwise it is the backend's clock read by the
/// database as the row is inserted (see [`AuditBackend::CLOCK_SQL`]).
pub(crate) struct HistoryInsert<M: Historical, S> {
    source: S,
    meta: HistoryMeta<M::UserId>,
}

impl<M: Historical, S> HistoryInsert<M, S> {
    pub(crate) fn new(source: S, meta: HistoryMeta<M::UserId>) -> Self {
        HistoryInsert { source, meta }
    }
}

impl<M: Historical, S, Conn> diesel::RunQueryDsl<Conn> for HistoryInsert<M, S> {}

impl<M: Historical, S> QueryId for HistoryInsert<M, S> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<M, S, DB> QueryFragment<DB> for HistoryInsert<M, S>
where
    M: Historical,
    M::UserId: BindUserId<DB>,
    S: SnapshotSource<DB>,
    DB: AuditBackend,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("INSERT INTO ");
        out.push_identifier(&M::HISTORY.history_table)?;
        out.push_sql(" (");
        for column in M::HISTORY.columns.iter() {
            out.push_identifier(&column.name)?;
            out.push_sql(", ");
        }
        out.push_identifier(meta::HISTORY_TYPE)?;
        out.push_sql(", ");
        out.push_identifier(meta::HISTORY_USER_ID)?;
        out.push_sql(", ");
        out.push_identifier(meta::HISTORY_CHANGE_REASON)?;
        out.push_sql(", ");
        out.push_identifier(meta::HISTORY_DATE)?;
        if M::HISTORY.metadata {
            out.push_sql(", ");
            out.push_identifier(meta::HISTORY_METADATA)?;
        }
        out.push_sql(") SELECT ");
        self.source.walk_values(M::HISTORY, out.reborrow())?;
        out.push_sql(", ");
        DB::bind_history_type(&mut out, &self.meta.history_type)?;
        out.push_sql(", ");
        M::UserId::bind(&mut out, &self.meta.user)?;
        out.push_sql(", ");
        DB::bind_reason(&mut out, &self.meta.reason)?;
        out.push_sql(", ");
        match &self.meta.date {
            Some(date) => DB::bind_date(&mut out, date)?,
            None => out.push_sql(DB::CLOCK_SQL),
        }
        if M::HISTORY.metadata {
            out.push_sql(", ");
            DB::bind_metadata(&mut out, &self.meta.metadata)?;
        }
        self.source.walk_from(out.reborrow())
    }
}
