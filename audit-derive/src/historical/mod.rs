//! Expansion of `#[derive(Historical)]`, in stages as serde_derive and thiserror are built:
//!
//! 1. **parse and check** (`audit_schema::parse`, shared with the migration generator): the
//!    struct and its attributes, then the cross-field rules, every error with its span;
//! 2. **expand**, a module per output: `table.rs` (the history `table!`), `record.rs` (the
//!    record struct and its `HistoryRecord` impl), `contract.rs` (the `Historical` impl and the
//!    generated contract), `checks.rs` (compile-time checks against the source `table!`);
//! 3. on an error, **fallback.rs**: the errors and a stand-in `Historical` impl, so that a
//!    misuse of the derive is one error and not one more at every use of the model.
//!
//! `types.rs` names types (SQL types, user and history id kinds) for all of them. Everything
//! generated names this crate's runtime through one path ([`krate`]) and its versioned private
//! module, so no `diesel`, `chrono` or `serde` needs to be in scope at the derive.

mod checks;
mod contract;
mod fallback;
mod record;
mod table;
mod types;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use syn::DeriveInput;

use audit_schema::parse::{Field, Model};
use audit_schema::spec::meta;

use types::Kind;

/// The expansion of the derive on `input`: the generated items, or the errors and the fallback.
pub fn derive(input: DeriveInput) -> TokenStream {
    match Model::parse(&input) {
        Ok(model) => {
            set_crate(model.krate.as_ref().map(|path| quote!(#path)));
            expand(&model)
        }
        Err(failure) => {
            set_crate(failure.krate.as_ref().map(|path| quote!(#path)));
            fallback::expand(&input, &failure)
        }
    }
}

thread_local! {
    /// The path of `audit_diesel` in the expansion under way: `::audit_diesel`, or the model's
    /// `#[historical(crate = path)]`. Set once per expansion, before anything is generated.
    static CRATE: std::cell::RefCell<TokenStream> = std::cell::RefCell::new(quote!(::audit_diesel));
}

fn set_crate(path: Option<TokenStream>) {
    let path = path.unwrap_or_else(|| quote!(::audit_diesel));
    CRATE.with(|c| *c.borrow_mut() = path);
}

/// Paths the generated code uses; everything goes through `audit_diesel` so the user needs no
/// direct dependency on chrono, uuid or serde.
fn krate() -> TokenStream {
    CRATE.with(|c| c.borrow().clone())
}

fn private() -> TokenStream {
    let k = krate();
    quote!(#k::__private_0_1)
}

/// The history columns' identifiers, from their one definition (`audit_schema::spec::meta`).
struct HistoryColumns {
    id: Ident,
    date: Ident,
    history_type: Ident,
    user: Ident,
    reason: Ident,
    metadata: Ident,
    changeset: Ident,
}

impl HistoryColumns {
    fn new() -> Self {
        let column = |name: &str| format_ident!("{name}");
        HistoryColumns {
            id: column(meta::HISTORY_ID),
            date: column(meta::HISTORY_DATE),
            history_type: column(meta::HISTORY_TYPE),
            user: column(meta::HISTORY_USER_ID),
            reason: column(meta::HISTORY_CHANGE_REASON),
            metadata: column(meta::HISTORY_METADATA),
            changeset: column(meta::HISTORY_CHANGESET_ID),
        }
    }
}

/// What every output of one expansion reads: the checked model and what is derived from it.
struct Expansion<'m> {
    model: &'m Model,
    tracked: Vec<&'m Field>,
    key_fields: Vec<&'m Field>,
    user: Kind,
    history_id: Kind,
    columns: HistoryColumns,
}

impl<'m> Expansion<'m> {
    fn new(model: &'m Model) -> Self {
        Expansion {
            model,
            tracked: model.tracked().collect(),
            key_fields: model.key_fields().collect(),
            user: types::user_id(model.user_id),
            history_id: types::history_id(model.history_id),
            columns: HistoryColumns::new(),
        }
    }

    /// `(type, value)` of the model's key, read from `self`.
    fn id(&self) -> (TokenStream, TokenStream) {
        if let [f] = self.key_fields[..] {
            let (ty, field) = (&f.ty, &f.ident);
            (
                quote!(#ty),
                quote!(::core::clone::Clone::clone(&self.#field)),
            )
        } else {
            let tys = self.key_fields.iter().map(|f| &f.ty);
            let fields = self.key_fields.iter().map(|f| &f.ident);
            (
                quote!((#(#tys,)*)),
                quote!((#(::core::clone::Clone::clone(&self.#fields),)*)),
            )
        }
    }
}

fn expand(model: &Model) -> TokenStream {
    let x = Expansion::new(model);
    let history_table = table::expand(&x);
    let record = record::expand(&x);
    let checks::Checks {
        outside,
        inside,
        checked,
    } = checks::expand(&x);
    let impls = contract::expand(&x);
    quote! {
        #history_table

        #record

        #outside

        #[allow(non_camel_case_types, non_snake_case, dead_code)]
        const _: () = {
            #inside

            /// `On`, or the error of the first check of the model against its `table!` that fails.
            type __Checked = #checked;
            // Checked even when no enabled backend takes the model.
            const _: ::core::option::Option<__Checked> = ::core::option::Option::None;

            #impls
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With `crate = path`, the expansion names the crate only by that path.
    #[test]
    fn the_crate_path_replaces_every_mention_of_audit_diesel() {
        let input: DeriveInput = syn::parse_quote! {
            #[diesel(table_name = pens)]
            #[historical(crate = ::farm::trail)]
            pub struct Pen {
                pub id: i32,
                pub stocked_at: chrono::DateTime<chrono::Utc>,
                pub tag: uuid::Uuid,
            }
        };
        let out = derive(input).to_string();
        assert!(!out.contains("audit_diesel"), "{out}");
        assert!(out.contains(":: farm :: trail :: __private_0_1"), "{out}");
        assert!(
            out.contains("\"::farm::trail::__private_0_1::serde\""),
            "{out}"
        );

        let plain: DeriveInput = syn::parse_quote! {
            #[diesel(table_name = pens)]
            pub struct Pen {
                pub id: i32,
            }
        };
        let out = derive(plain).to_string();
        assert!(out.contains(":: audit_diesel :: __private_0_1"), "{out}");
    }
}
