// The history-migration trees of this package and the models each is generated from: the one
// list that build.rs generates (or checks) and tests/migrations.rs checks. Included by both.

/// Every migrations tree of the package, with its dialect and the models it comes from.
fn history_migrations() -> Vec<audit_migrate::Migrations> {
    use audit_migrate::{Dialect, Migrations};
    let mut all = Vec::new();
    for dialect in [Dialect::Sqlite, Dialect::Postgres] {
        let dir = |path: &str| format!("{path}/{}", dialect.name());
        all.push(Migrations::new(dir("tests/migrations"), dialect).models_in("tests/common/models.rs"));
        all.push(Migrations::new(dir("examples/aquamind/migrations"), dialect).models_in("src/aquamind"));
        all.push(
            Migrations::new(dir("examples/bench/migrations"), dialect)
                .models_in("examples/bench/model.rs"),
        );
    }
    // MySQL/MariaDB: the tests, the farm and the benchmark.
    all.push(
        Migrations::new("tests/migrations/mysql", Dialect::Mysql).models_in("tests/common/models.rs"),
    );
    all.push(
        Migrations::new("examples/aquamind/migrations/mysql", Dialect::Mysql)
            .models_in("src/aquamind"),
    );
    all.push(
        Migrations::new("examples/bench/migrations/mysql", Dialect::Mysql)
            .models_in("examples/bench/model.rs"),
    );
    all.push(
        Migrations::new("examples/quickstart/migrations", Dialect::Sqlite)
            .models_in("examples/quickstart/main.rs"),
    );
    all
}
