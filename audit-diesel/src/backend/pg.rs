//! PostgreSQL as the library sees it: its name, dialect, clock, `as_of` strategy and binds. Its
//! write path is `write/pg.rs`.

use diesel::pg::Pg;

use super::{audit_backend_binds, AsOfStrategy, AuditBackend};
use crate::schema::Dialect;

/// The current transaction's changeset id, made up by its first history row.
pub(crate) const TRANSACTION_CHANGESET: &str = crate::schema::ddl::PG_TRANSACTION_CHANGESET;

impl AuditBackend for Pg {
    const NAME: &'static str = "PostgreSQL";
    const DIALECT: Dialect = Dialect::Postgres;
    const MAX_BINDS: usize = 65_535;
    const CHAIN_MARKER_SQL: &'static str = "'\\x'::bytea";
    const CLOCK_SQL: &'static str = "clock_timestamp()";
    const AS_OF: AsOfStrategy = AsOfStrategy::SkipScan;
    const NULL_SAFE_EQ: &'static str = "IS NOT DISTINCT FROM";
    audit_backend_binds!();

    /// The transaction's changeset: `audit.changeset`, a transaction-local setting, read, or set
    /// to a new random UUID by the first history row of the transaction. One statement, no
    /// round trip; savepoints rolled back take their setting with them.
    fn bind_changeset<'b>(
        out: &mut diesel::query_builder::AstPass<'_, 'b, Self>,
        call: &'b uuid::Uuid,
        explicit: bool,
    ) -> diesel::QueryResult<()> {
        if explicit {
            return out.push_bind_param::<crate::sql_types::PortableUuid, _>(call);
        }
        out.push_sql(TRANSACTION_CHANGESET);
        Ok(())
    }

    fn bind_history_fields<'b, M: crate::Historical>(
        out: &mut diesel::query_builder::AstPass<'_, 'b, Self>,
        fields: &'b crate::contract::HistoryFieldsOf<M>,
    ) -> diesel::QueryResult<()> {
        use crate::contract::Generated;
        crate::contract::GeneratedOf::<M>::walk_history_fields_postgres(fields, out)
    }
}
