//! The SQL of changeset reads over one history table: the newest changesets, and the figures of
//! some changesets.
//!
//! These types appear in the bounds of the slots; they are not meant to be built directly.

use chrono::{DateTime, Utc};
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::result::QueryResult;
use diesel::sql_types::{BigInt, Nullable, Text};

use crate::backend::{AuditBackend, BindUserId};
use crate::schema::spec::meta;
use crate::sql::query;
use crate::sql_types::{HistoryDate, PortableUuid, UuidValue};
use crate::user_id::UserIdKind;
use crate::{Historical, UserIdOf};

/// Where a changeset stands in a listing: the date of its latest row, then its id.
pub type ChangesetKey = (DateTime<Utc>, uuid::Uuid);

/// A table's changeset and the date of its latest row there (Diesel loads `uuid::Uuid` itself
/// only with PostgreSQL, hence [`UuidValue`]).
pub type KeyRow = (UuidValue, DateTime<Utc>);

/// One (changeset, user, reason) group of a history table: rows, first and last date.
pub type PartRow<M> = (
    UuidValue,
    Option<UserIdOf<M>>,
    Option<String>,
    i64,
    DateTime<Utc>,
    DateTime<Utc>,
);

/// The `WHERE` of a changeset read: rows of some changeset, by the user, within the dates.
#[allow(missing_docs)]
pub struct ChangesetConditions<'s, M: Historical> {
    pub user: Option<UserIdOf<M>>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Only these changesets (none: any).
    pub ids: &'s [uuid::Uuid],
}

impl<M, DB> QueryFragment<DB> for ChangesetConditions<'_, M>
where
    M: Historical,
    DB: AuditBackend,
    M::UserId: BindUserId<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(" WHERE ");
        out.push_identifier(meta::HISTORY_CHANGESET_ID)?;
        out.push_sql(" IS NOT NULL");
        if self.user.is_some() {
            out.push_sql(" AND ");
            out.push_identifier(meta::HISTORY_USER_ID)?;
            out.push_sql(" = ");
            M::UserId::bind(&mut out, &self.user)?;
        }
        if let Some(since) = &self.since {
            out.push_sql(" AND ");
            out.push_identifier(meta::HISTORY_DATE)?;
            out.push_sql(" >= ");
            DB::bind_date(&mut out, since)?;
        }
        if let Some(until) = &self.until {
            out.push_sql(" AND ");
            out.push_identifier(meta::HISTORY_DATE)?;
            out.push_sql(" <= ");
            DB::bind_date(&mut out, until)?;
        }
        if !self.ids.is_empty() {
            out.push_sql(" AND ");
            out.push_identifier(meta::HISTORY_CHANGESET_ID)?;
            out.push_sql(" IN (");
            for (i, id) in self.ids.iter().enumerate() {
                if i > 0 {
                    out.push_sql(", ");
                }
                DB::bind_uuid(&mut out, id)?;
            }
            out.push_sql(")");
        }
        Ok(())
    }
}

/// `SELECT changeset, MAX(date) ... GROUP BY changeset HAVING (MAX(date), changeset) < cursor
/// ORDER BY 2 DESC, 1 DESC LIMIT n`: a table's newest changesets, by their latest row there.
#[allow(missing_docs)]
pub struct ChangesetKeys<'s, M: Historical> {
    pub conditions: ChangesetConditions<'s, M>,
    pub before: Option<ChangesetKey>,
    pub limit: u64,
}

query!(impl[M: Historical] ChangesetKeys<'_, M> => (PortableUuid, HistoryDate));

impl<'s, M, DB> QueryFragment<DB> for ChangesetKeys<'s, M>
where
    M: Historical,
    DB: AuditBackend,
    ChangesetConditions<'s, M>: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let latest = |out: &mut AstPass<'_, 'b, DB>| -> QueryResult<()> {
            out.push_sql("MAX(");
            out.push_identifier(meta::HISTORY_DATE)?;
            out.push_sql(")");
            Ok(())
        };
        out.push_sql("SELECT ");
        out.push_identifier(meta::HISTORY_CHANGESET_ID)?;
        out.push_sql(", ");
        latest(&mut out)?;
        out.push_sql(" FROM ");
        out.push_identifier(&M::HISTORY.history_table)?;
        self.conditions.walk_ast(out.reborrow())?;
        out.push_sql(" GROUP BY ");
        out.push_identifier(meta::HISTORY_CHANGESET_ID)?;
        if let Some((date, id)) = &self.before {
            out.push_sql(" HAVING (");
            latest(&mut out)?;
            out.push_sql(", ");
            out.push_identifier(meta::HISTORY_CHANGESET_ID)?;
            out.push_sql(") < (");
            DB::bind_date(&mut out, date)?;
            out.push_sql(", ");
            DB::bind_uuid(&mut out, id)?;
            out.push_sql(")");
        }
        out.push_sql(" ORDER BY ");
        latest(&mut out)?;
        out.push_sql(" DESC, ");
        out.push_identifier(meta::HISTORY_CHANGESET_ID)?;
        out.push_sql(&format!(" DESC LIMIT {}", self.limit));
        Ok(())
    }
}

/// `SELECT changeset, user, reason, COUNT(*), MIN(date), MAX(date) ... GROUP BY changeset, user,
/// reason`: the figures of some changesets in one table.
#[allow(missing_docs)]
pub struct ChangesetParts<'s, M: Historical> {
    pub conditions: ChangesetConditions<'s, M>,
}

query!(impl[M: Historical] ChangesetParts<'_, M> => (
    PortableUuid,
    Nullable<<M::UserId as UserIdKind>::SqlType>,
    Nullable<Text>,
    BigInt,
    HistoryDate,
    HistoryDate,
));

impl<'s, M, DB> QueryFragment<DB> for ChangesetParts<'s, M>
where
    M: Historical,
    DB: AuditBackend,
    ChangesetConditions<'s, M>: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let grouped = |out: &mut AstPass<'_, 'b, DB>| -> QueryResult<()> {
            out.push_identifier(meta::HISTORY_CHANGESET_ID)?;
            out.push_sql(", ");
            out.push_identifier(meta::HISTORY_USER_ID)?;
            out.push_sql(", ");
            out.push_identifier(meta::HISTORY_CHANGE_REASON)
        };
        out.push_sql("SELECT ");
        grouped(&mut out)?;
        out.push_sql(", COUNT(*), MIN(");
        out.push_identifier(meta::HISTORY_DATE)?;
        out.push_sql("), MAX(");
        out.push_identifier(meta::HISTORY_DATE)?;
        out.push_sql(") FROM ");
        out.push_identifier(&M::HISTORY.history_table)?;
        self.conditions.walk_ast(out.reborrow())?;
        out.push_sql(" GROUP BY ");
        grouped(&mut out)
    }
}
