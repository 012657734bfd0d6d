//! How generated code names types: a field's Diesel SQL type, a [`SqlType`] in the emitted spec,
//! and the kinds of `history_user_id` and `history_id`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use audit_schema::parse::{Field, FieldSqlType};
use audit_schema::{HistoryIdType, SqlType, UserIdType};

use super::{krate, private};

/// The Diesel SQL type of a field, without `Nullable`.
pub(super) fn base_sql_type(field: &Field) -> TokenStream {
    match &field.sql_type {
        FieldSqlType::Override(ty) => quote!(#ty),
        FieldSqlType::Known(known) => known_sql_type(known),
    }
}

/// The Diesel SQL type generated code names for `known`.
pub(super) fn known_sql_type(known: &SqlType) -> TokenStream {
    let p = private();
    let k = krate();
    match known {
        // Portable: the same type whichever backends are enabled; `HoldsColumn` relates it to
        // the source column's backend-specific type.
        SqlType::Timestamptz => quote!(#k::sql_types::PortableTimestamptz),
        SqlType::Uuid => quote!(#k::sql_types::PortableUuid),
        known => {
            let name = known
                .diesel_name()
                .expect("custom types always come with an override");
            let name = format_ident!("{name}");
            quote!(#p::diesel::sql_types::#name)
        }
    }
}

/// The Diesel SQL type of a field, `Nullable` when the column is.
pub(super) fn sql_type(field: &Field) -> TokenStream {
    let base = base_sql_type(field);
    if field.nullable {
        let p = private();
        quote!(#p::diesel::sql_types::Nullable<#base>)
    } else {
        base
    }
}

pub(super) fn spec_sql_type(sql: &SqlType) -> TokenStream {
    let k = krate();
    let p = private();
    match sql.diesel_name() {
        // A type's Diesel name is its variant's (`audit_schema` tests that).
        Some(name) => {
            let variant = format_ident!("{name}");
            quote!(#k::schema::SqlType::#variant)
        }
        None => {
            let ddl = match sql {
                SqlType::Custom(ddl) => ddl.as_ref(),
                _ => "",
            };
            quote!(#k::schema::SqlType::Custom(#p::Cow::Borrowed(#ddl)))
        }
    }
}

/// How generated code names a kind of `history_user_id` or `history_id`: the marker, whose
/// `UserIdKind`/`HistoryIdKind` impl in `audit_diesel` is the definition of its SQL type and
/// value, and both spelled out (Diesel's `table!` needs a concrete SQL type, the record's docs
/// read better with the value type). The expansion asserts that both are the marker's.
pub(super) struct Kind {
    pub(super) kind: TokenStream,
    pub(super) value: TokenStream,
    pub(super) sql: TokenStream,
}

impl Kind {
    /// A compile-time assertion that `value` and `sql` are the marker's own types.
    pub(super) fn assert_matches(&self, kind_trait: TokenStream) -> TokenStream {
        let Kind { kind, value, sql } = self;
        quote! {
            const _: fn() = || {
                let _: ::core::marker::PhantomData<<#kind as #kind_trait>::SqlType> =
                    ::core::marker::PhantomData::<#sql>;
                let _: ::core::marker::PhantomData<<#kind as #kind_trait>::Value> =
                    ::core::marker::PhantomData::<#value>;
            };
        }
    }
}

pub(super) fn user_id(kind: UserIdType) -> Kind {
    let k = krate();
    let p = private();
    let (marker, value, sql) = match kind {
        UserIdType::I32 => (
            quote!(I32),
            quote!(i32),
            quote!(#p::diesel::sql_types::Integer),
        ),
        UserIdType::I64 => (
            quote!(I64),
            quote!(i64),
            quote!(#p::diesel::sql_types::BigInt),
        ),
        UserIdType::Uuid => (
            quote!(Uuid),
            quote!(#p::uuid::Uuid),
            quote!(#k::sql_types::PortableUuid),
        ),
        UserIdType::Text => (
            quote!(Text),
            quote!(::std::string::String),
            quote!(#p::diesel::sql_types::Text),
        ),
    };
    Kind {
        kind: quote!(#k::user_id::#marker),
        value,
        sql,
    }
}

pub(super) fn history_id(kind: HistoryIdType) -> Kind {
    let k = krate();
    let p = private();
    let (marker, value, sql) = match kind {
        HistoryIdType::BigInt => (
            quote!(BigInt),
            quote!(i64),
            quote!(#p::diesel::sql_types::BigInt),
        ),
        HistoryIdType::Uuid => (
            quote!(Uuid),
            quote!(#p::uuid::Uuid),
            quote!(#k::sql_types::PortableUuid),
        ),
    };
    Kind {
        kind: quote!(#k::history_id::#marker),
        value,
        sql,
    }
}
