//! SQLite as the library sees it: its name, dialect, clock, `as_of` strategy and binds. Its
//! write path is `write/sqlite.rs`.

use diesel::sqlite::Sqlite;

use super::{audit_backend_binds, AsOfStrategy, AuditBackend};
use crate::schema::Dialect;

impl AuditBackend for Sqlite {
    const NAME: &'static str = "SQLite";
    const DIALECT: Dialect = Dialect::Sqlite;
    /// Millisecond precision only: SQLite's clock has no more. Writes bind the Rust clock instead.
    const MAX_BINDS: usize = 32_766;
    const CLOCK_SQL: &'static str = "strftime('%Y-%m-%d %H:%M:%f000', 'now')";
    const AS_OF: AsOfStrategy = AsOfStrategy::Window;
    const NULL_SAFE_EQ: &'static str = "IS";
    audit_backend_binds!();

    fn bind_history_fields<'b, M: crate::Historical>(
        out: &mut diesel::query_builder::AstPass<'_, 'b, Self>,
        fields: &'b crate::contract::HistoryFieldsOf<M>,
    ) -> diesel::QueryResult<()> {
        use crate::contract::Generated;
        crate::contract::GeneratedOf::<M>::walk_history_fields_sqlite(fields, out)
    }
}
