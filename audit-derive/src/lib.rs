//! `#[derive(Historical)]`: use it through `audit_diesel`, which re-exports it and documents it.
//!
//! The derive reads the model with `audit_schema::parse` (the same parser the migration generator
//! uses), then generates code: it owns no SQL.

mod historical;

use proc_macro::TokenStream;

/// Records every create, update and delete of a Diesel model in a history table.
///
/// See [`audit_diesel::Historical`](../audit_diesel/trait.Historical.html) for the writes and the
/// attributes; the derive generates, next to the model:
///
/// - `historical_<table>`: a `diesel::table!` with the tracked columns and `history_id`,
///   `history_date`, `history_type`, `history_user_id`, `history_change_reason`;
/// - `Historical<Model>`: the row struct of that table (`Queryable`, `Selectable`, `Debug`,
///   `Clone`, and serde's traits with audit-diesel's `serde` feature);
/// - compile-time checks that each field's SQL type is its column's and that the model's key is
///   the table's;
/// - the `Historical` impl.
#[proc_macro_derive(Historical, attributes(historical, diesel))]
pub fn derive_historical(input: TokenStream) -> TokenStream {
    derive_historical_inner(input.into()).into()
}

fn derive_historical_inner(input: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    match syn::parse2(input) {
        Ok(input) => historical::derive(input),
        Err(error) => error.into_compile_error(),
    }
}
