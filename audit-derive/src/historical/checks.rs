//! Compile-time checks of the model: against its source `table!` (each field's SQL type, the
//! key), of the width Diesel allows, and of the id kinds the derive spells out.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};

use audit_schema::parse::{Field, Model};

use super::types::sql_type;
use super::{krate, private, Expansion};

pub(super) struct Checks {
    /// Items at the model's level (the width assertion).
    pub(super) outside: TokenStream,
    /// Items inside the impls' `const _` block (the check traits).
    pub(super) inside: TokenStream,
    /// `On`, carrying every check, for the slots.
    pub(super) checked: TokenStream,
}

pub(super) fn expand(x: &Expansion<'_>) -> Checks {
    let (k, p) = (krate(), private());
    let model = x.model;
    let ident = &model.ident;
    let (traits, checked) = type_checks(model, &x.tracked);
    let kind_checks = [
        x.user.assert_matches(quote!(#k::user_id::UserIdKind)),
        x.history_id
            .assert_matches(quote!(#k::history_id::HistoryIdKind)),
    ];
    // The tracked columns, the five history columns, the changeset, metadata and history-only
    // fields.
    let column_count =
        x.tracked.len() + 6 + usize::from(model.metadata) + model.history_fields.len();
    let too_wide = format!(
        "the history table of `{ident}` has {column_count} columns (its tracked columns and the \
         history columns); Diesel needs its `64-column-tables` feature above 32: enable \
         audit-diesel's `64-column-tables` feature, or exclude columns with #[historical(exclude)]"
    );
    Checks {
        outside: quote! {
            const _: () = ::core::assert!(#column_count <= #p::MAX_TABLE_COLUMNS, #too_wide);
        },
        inside: quote! {
            #traits
            #(#kind_checks)*
        },
        checked,
    }
}

/// Gives every token of `tokens` the span `span`, so errors about them point there.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let proc_macro2::TokenTree::Group(group) = &tree {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                tree = proc_macro2::TokenTree::Group(inner);
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
}

/// One check per tracked field that its SQL type is its column's, and one that the model's key is
/// the table's; each fails with a message that names the field and says how to fix it.
///
/// Returns the check traits and a type that is `On` when every check holds: each check is a
/// trait whose `Then` is the next check's type, so a failing check makes the slot types an error
/// the compiler reports once, at the field, instead of also failing every bound of the backend
/// statements that the mismatch breaks.
fn type_checks(model: &Model, tracked: &[&Field]) -> (TokenStream, TokenStream) {
    let p = private();
    let ident = &model.ident;
    let table = &model.table_path;
    let table_name = &model.table_name;

    let key_columns: Vec<_> = model
        .primary_key
        .iter()
        .map(|c| quote!(#table::#c))
        .collect();
    let key = if key_columns.len() == 1 {
        quote!(#(#key_columns)*)
    } else {
        quote!((#(#key_columns,)*))
    };
    let key_names = model
        .primary_key
        .iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let key_message = format!(
        "the primary key of `{ident}` is ({key_names}), but `{table_name}` declares `{{Declared}}`"
    );
    let key_note = "name the table's key columns with #[diesel(primary_key(...))] on the model";
    let mut traits = quote! {
        #[diagnostic::on_unimplemented(message = #key_message, note = #key_note)]
        pub trait primary_key_matches_the_table<Declared> {
            type Then;
        }
        impl<T> primary_key_matches_the_table<T> for T {
            type Then = ();
        }
    };
    // At the derive's span, like every use of the alias, so that a failure is reported once.
    let mut checked = vec![respan(
        quote! {
            <#key as primary_key_matches_the_table<<#table::table as #p::diesel::Table>::PrimaryKey>>::Then
        },
        Span::call_site(),
    )];

    for f in tracked {
        let field = &f.ident;
        let column = &f.column;
        let check = format_ident!("{}_matches_its_column", f.ident, span = Span::call_site());
        let message = format!(
            "field `{field}` of `{ident}` has SQL type `{{Self}}`, but column \
             `{table_name}::{column}` has SQL type `{{Column}}`"
        );
        let label = "this field's SQL type differs from its column's";
        let note = format!(
            "change the type of `{field}`, or set #[historical(sql_type = ...)] on it to the \
             column's type in `table!`"
        );
        let sql = sql_type(f);
        traits.extend(quote! {
            #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
            pub trait #check<Column> {
                type Then;
            }
            impl<T: #p::HoldsColumn<C>, C> #check<C> for T {
                type Then = ();
            }
        });
        checked.push(quote! {
            <#sql as #check<#p::diesel::dsl::SqlTypeOf<#table::#column>>>::Then
        });
    }
    // `On`, carrying the checks: when one fails, the slot's type holds its error, which the
    // compiler reports once (every use of the alias has the derive's span), and it checks nothing
    // more about the slot.
    (traits, quote!(#p::On<(#(#checked,)*)>))
}
