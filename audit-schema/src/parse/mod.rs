//! Reads a `#[derive(Historical)]` struct in three stages, keeping spans for errors: parse
//! (`ast.rs`: the struct and its raw attributes, borrowed), check (`check.rs`: the rules across
//! fields), lower (`model.rs`: the [`Model`], types resolved and defaults filled in).
//!
//! The derive expands the [`Model`] this returns; the migration generator turns the same
//! [`Model`] into a [`HistoryTableSpec`](crate::HistoryTableSpec) with [`Model::to_spec`]. Both
//! therefore agree on every column, type and index.
//!
//! Every problem found is reported, each at the span that caused it, in one compile.

mod ast;
mod attrs;
mod check;
mod errors;
mod model;
mod rust_type;
mod symbol;

pub use errors::Errors;
pub use model::{Backends, Failure, Field, FieldSqlType, HistoryField, Model};
pub use rust_type::sql_type_of_rust_type;

#[cfg(test)]
mod tests;
