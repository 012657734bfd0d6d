//! The expansion when the model's attributes are wrong: the errors, and a stand-in `Historical`
//! impl and record type, so that the rest of the crate type-checks and the misuse is reported
//! once, at its span, and not again at every use of the model. Every backend is `Off` in the
//! stand-in; nothing of it can run, since the crate does not compile.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use audit_schema::parse::Failure;

use super::{krate, private};

pub(super) fn expand(input: &DeriveInput, failure: &Failure) -> TokenStream {
    let errors = failure.error.to_compile_error();
    // A generic struct gets no stand-in: it would need the bounds the derive refuses.
    if !input.generics.params.is_empty() {
        return errors;
    }
    let (k, p) = (krate(), private());
    let (ident, vis, record) = (&input.ident, &input.vis, &failure.record);
    quote! {
        #errors

        #[allow(dead_code)]
        #vis type #record = #p::poison::Record<#ident>;

        const _: () = {
            impl #k::Historical for #ident {
                type Table = #p::poison::table;
                type HistoryTable = #p::poison::table;
                type Record = #p::poison::Record<#ident>;
                type Id = ();
                type UserId = #k::user_id::I64;
                type HistoryId = #k::history_id::BigInt;
                const HISTORY: &'static #k::HistoryTableSpec = &#p::poison::SPEC;
                const RECORD_UNCHANGED: bool = false;
                const CASCADE_DELETE_HISTORY: bool = false;
                #p::slot_sqlite!(#p::Off);
                #p::slot_postgres!(#p::Off);
                #p::slot_mysql!(#p::Off);
                type Generated = #p::poison::Contract;

                fn id(&self) -> Self::Id {}
            }
        };
    }
}
