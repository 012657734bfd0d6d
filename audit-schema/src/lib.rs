//! The model of a history table, shared by the derive, the runtime and the migration generator.
//!
//! - [`spec`]: [`HistoryTableSpec`], plain data that says which columns a history table has. The
//!   derive emits one as a `const` for every model; the migration generator builds the same value
//!   by parsing the model's source.
//! - [`ddl`]: renders a spec as `CREATE TABLE` and `CREATE INDEX` statements per [`Dialect`].
//! - `parse` (feature `parse`): reads a `#[derive(Historical)]` struct with `syn`, validates it and
//!   keeps spans for precise compile errors.
//!
//! This crate depends on neither Diesel nor a database driver, so a `build.rs` can render
//! migrations without compiling Diesel a second time for the host.
#![warn(missing_docs)]

pub mod checksum;
pub mod ddl;
#[cfg(feature = "parse")]
pub mod parse;
pub mod spec;

pub use ddl::{Dialect, RebuildableIndex, UnknownColumn};
pub use spec::{ColumnSpec, HistoryIdType, HistoryTableSpec, SourceGuard, SqlType, UserIdType};

/// `BatchContainerAssignment` → `batch_container_assignment`, as Diesel derives foreign keys (and
/// as the history HTTP API names models in its URLs).
///
/// ```
/// assert_eq!(audit_schema::snake_case("BatchContainerAssignment"), "batch_container_assignment");
/// ```
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}
