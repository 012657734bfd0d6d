//! MySQL and MariaDB as the library sees them: the name, dialect, clock, `as_of` strategy and
//! binds. Their write path is `write/mysql.rs`.

use diesel::mysql::Mysql;

use super::{audit_backend_binds, AsOfStrategy, AuditBackend};
use crate::schema::Dialect;

impl AuditBackend for Mysql {
    const NAME: &'static str = "MySQL";
    const DIALECT: Dialect = Dialect::Mysql;
    /// The protocol's limit of placeholders in one prepared statement.
    const MAX_BINDS: usize = 65_535;
    /// The empty hash that asks the chain procedure to hash the row.
    const CHAIN_MARKER_SQL: &'static str = "X''";
    /// UTC with microseconds, whatever the session's `time_zone` (`DATETIME(6)` has no zone).
    const CLOCK_SQL: &'static str = "UTC_TIMESTAMP(6)";
    /// One Diesel backend serves MySQL 8 (which has `LATERAL`) and MariaDB (which has not): the
    /// window function works on both.
    const AS_OF: AsOfStrategy = AsOfStrategy::Window;
    const NULL_SAFE_EQ: &'static str = "<=>";
    const TEXT_CAST: &'static str = "CHAR";
    audit_backend_binds!();

    /// MySQL cannot name a transaction from SQL: the id of the library call (one for every
    /// statement of a bulk write or a revert), or the explicit one, as on SQLite.
    fn bind_changeset<'b>(
        out: &mut diesel::query_builder::AstPass<'_, 'b, Self>,
        call: &'b uuid::Uuid,
        _explicit: bool,
    ) -> diesel::QueryResult<()> {
        out.push_bind_param::<crate::sql_types::PortableUuid, _>(call)
    }

    fn bind_history_fields<'b, M: crate::Historical>(
        out: &mut diesel::query_builder::AstPass<'_, 'b, Self>,
        fields: &'b crate::contract::HistoryFieldsOf<M>,
    ) -> diesel::QueryResult<()> {
        use crate::contract::Generated;
        crate::contract::GeneratedOf::<M>::walk_history_fields_mysql(fields, out)
    }
}
