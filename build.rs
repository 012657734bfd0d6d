//! Generates the history migrations of the examples and the tests from their models, as an
//! application's build.rs would (`AUDIT_MIGRATIONS=check` makes it check instead, as CI does).

include!("history_migrations.rs");

fn main() {
    println!("cargo:rerun-if-changed=history_migrations.rs");
    for migrations in history_migrations() {
        migrations.build_script();
    }
}
