//! PostgreSQL as the library sees it: its name, dialect, clock, `as_of` strategy and binds. Its
//! write path is `write/pg.rs`.

use diesel::pg::Pg;

use super::{audit_backend_binds, AsOfStrategy, AuditBackend};
use crate::schema::Dialect;

impl AuditBackend for Pg {
    const NAME: &'static str = "PostgreSQL";
    const DIALECT: Dialect = Dialect::Postgres;
    const MAX_BINDS: usize = 65_535;
    const CLOCK_SQL: &'static str = "clock_timestamp()";
    const AS_OF: AsOfStrategy = AsOfStrategy::SkipScan;
    const NULL_SAFE_EQ: &'static str = "IS NOT DISTINCT FROM";
    audit_backend_binds!();

    fn bind_history_fields<'b, M: crate::Historical>(
        out: &mut diesel::query_builder::AstPass<'_, 'b, Self>,
        fields: &'b crate::contract::HistoryFieldsOf<M>,
    ) -> diesel::QueryResult<()> {
        use crate::contract::Generated;
        crate::contract::GeneratedOf::<M>::walk_history_fields_postgres(fields, out)
    }
}
