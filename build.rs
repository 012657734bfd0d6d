//! Generates the history migrations of the examples and the tests from their models, as an
//! application's build.rs would (`AUDIT_MIGRATIONS=check` makes it check instead, as CI does).

use audit_migrate::{Dialect, Migrations};

fn main() {
    for dialect in [Dialect::Sqlite, Dialect::Postgres] {
        Migrations::new(format!("tests/migrations/{}", dialect.name()), dialect)
            .models_in("tests/common/models.rs")
            .build_script();
    }
    for dialect in [Dialect::Sqlite, Dialect::Postgres] {
        Migrations::new(
            format!("examples/aquamind/migrations/{}", dialect.name()),
            dialect,
        )
        .models_in("src/aquamind")
        .build_script();
    }
    for (dialect, model) in [
        (Dialect::Sqlite, "examples/bench/sqlite.rs"),
        (Dialect::Postgres, "examples/bench/postgres.rs"),
    ] {
        Migrations::new(
            format!("examples/bench/migrations/{}", dialect.name()),
            dialect,
        )
        .models_in(model)
        .build_script();
    }
    Migrations::new("examples/quickstart/migrations", Dialect::Sqlite)
        .models_in("examples/quickstart/main.rs")
        .build_script();
}
