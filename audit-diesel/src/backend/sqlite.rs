//! SQLite as the library sees it: its name, dialect, clock, `as_of` strategy and binds. Its
//! write path is `write/sqlite.rs`.

use diesel::sqlite::Sqlite;

use super::{audit_backend_binds, AsOfStrategy, AuditBackend};
use crate::schema::Dialect;

impl AuditBackend for Sqlite {
    const NAME: &'static str = "SQLite";
    const DIALECT: Dialect = Dialect::Sqlite;
    const MAX_BINDS: usize = 32_766;
    const CHAIN_MARKER_SQL: &'static str = "X''";
    /// Millisecond precision only: SQLite's clock has no more. Writes bind the Rust clock instead.
    const CLOCK_SQL: &'static str = "strftime('%Y-%m-%d %H:%M:%f000', 'now')";
    const AS_OF: AsOfStrategy = AsOfStrategy::Window;
    const NULL_SAFE_EQ: &'static str = "IS";
    audit_backend_binds!();

    /// SQLite cannot tell one transaction of a connection from the next: the id of the library
    /// call (one for every statement of a bulk write or a revert), or the explicit one.
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
        crate::contract::GeneratedOf::<M>::walk_history_fields_sqlite(fields, out)
    }
}
