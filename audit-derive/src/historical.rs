//! Expansion of `#[derive(Historical)]`: the history `table!`, the record struct, compile-time
//! checks of the model against its `table!`, and the `Historical` impl.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::DeriveInput;

use audit_schema::parse::{Field, FieldSqlType, Model};
use audit_schema::spec::meta;
use audit_schema::{HistoryIdType, HistoryTableSpec, SqlType, UserIdType};

pub fn derive(input: DeriveInput) -> syn::Result<TokenStream> {
    let model = Model::from_derive_input(&input)?;
    let krate = match &model.krate {
        Some(path) => quote!(#path),
        None => quote!(::audit_diesel),
    };
    CRATE.with(|c| *c.borrow_mut() = krate);
    Ok(expand(&model))
}

thread_local! {
    /// The path of `audit_diesel` in the expansion under way: `::audit_diesel`, or the model's
    /// `#[historical(crate = path)]`. Set once per expansion, before anything is generated.
    static CRATE: std::cell::RefCell<TokenStream> = std::cell::RefCell::new(quote!(::audit_diesel));
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

/// The Diesel SQL type of a field, without `Nullable`.
fn base_sql_type(field: &Field) -> TokenStream {
    let p = private();
    let k = krate();
    match &field.sql_type {
        FieldSqlType::Override(ty) => quote!(#ty),
        // Portable: the same type whichever backends are enabled; `HoldsColumn` relates it to
        // the source column's backend-specific type.
        FieldSqlType::Known(SqlType::Timestamptz) => quote!(#k::sql_types::PortableTimestamptz),
        FieldSqlType::Known(SqlType::Uuid) => quote!(#k::sql_types::PortableUuid),
        FieldSqlType::Known(known) => {
            let name = known
                .diesel_name()
                .expect("custom types always come with an override");
            let name = format_ident!("{name}");
            quote!(#p::diesel::sql_types::#name)
        }
    }
}

/// The Diesel SQL type of a field, `Nullable` when the column is.
fn sql_type(field: &Field) -> TokenStream {
    let base = base_sql_type(field);
    if field.nullable {
        let p = private();
        quote!(#p::diesel::sql_types::Nullable<#base>)
    } else {
        base
    }
}

fn spec_sql_type(sql: &SqlType) -> TokenStream {
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

/// The `HistoryTableSpec` the migration generator computes from the same model
/// (`Model::to_spec`), as a constant expression: the runtime and the migrations agree by
/// construction.
fn spec_tokens(spec: &HistoryTableSpec) -> TokenStream {
    let k = krate();
    let p = private();
    let columns = spec.columns.iter().map(|c| {
        let name = c.name.as_ref();
        let sql = spec_sql_type(&c.sql_type);
        let (nullable, indexed) = (c.nullable, c.indexed);
        quote! {
            #k::schema::ColumnSpec {
                name: #p::Cow::Borrowed(#name),
                sql_type: #sql,
                nullable: #nullable,
                indexed: #indexed,
            }
        }
    });
    let names = |names: &[audit_schema::spec::Name]| {
        let names = names.iter().map(|n| n.as_ref());
        quote!(#p::Cow::Borrowed(&[#(#p::Cow::Borrowed(#names),)*]))
    };
    let (key, excluded) = (names(&spec.primary_key), names(&spec.excluded));
    let (model, source, history) = (
        spec.model.as_ref(),
        spec.source_table.as_ref(),
        spec.history_table.as_ref(),
    );
    let user_id = user_id(spec.user_id).kind;
    let history_id = history_id(spec.history_id).kind;
    let metadata = spec.metadata;
    quote! {
        #k::HistoryTableSpec {
            model: #p::Cow::Borrowed(#model),
            source_table: #p::Cow::Borrowed(#source),
            history_table: #p::Cow::Borrowed(#history),
            columns: #p::Cow::Borrowed(&[#(#columns,)*]),
            primary_key: #key,
            excluded: #excluded,
            user_id: <#user_id as #k::user_id::UserIdKind>::KIND,
            history_id: <#history_id as #k::history_id::HistoryIdKind>::KIND,
            metadata: #metadata,
        }
    }
}

/// How generated code names a kind of `history_user_id` or `history_id`: the marker, whose
/// `UserIdKind`/`HistoryIdKind` impl in `audit_diesel` is the definition of its SQL type and
/// value, and both spelled out (Diesel's `table!` needs a concrete SQL type, the record's docs
/// read better with the value type). The expansion asserts that both are the marker's.
struct Kind {
    kind: TokenStream,
    value: TokenStream,
    sql: TokenStream,
}

impl Kind {
    /// A compile-time assertion that `value` and `sql` are the marker's own types.
    fn assert_matches(&self, kind_trait: TokenStream) -> TokenStream {
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

fn user_id(kind: UserIdType) -> Kind {
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

fn history_id(kind: HistoryIdType) -> Kind {
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

/// `(type, value)` of `Eq<column, SetValue>` over `fields`, `And`-ed together, with the values
/// taken from `value(index, field)`.
fn key_filter<'f>(
    table: &TokenStream,
    fields: &[&'f Field],
    value: impl Fn(usize, &'f Field) -> TokenStream,
) -> (TokenStream, TokenStream) {
    let p = private();
    let mut parts = fields.iter().enumerate().map(|(i, f)| {
        let (column, ty) = (&f.column, &f.ty);
        let v = value(i, f);
        (
            quote!(#p::diesel::dsl::Eq<#table::#column, #p::SetValue<'__a, #ty>>),
            quote!(#p::diesel::ExpressionMethods::eq(#table::#column, #p::SetValue(#v))),
        )
    });
    let (mut ty, mut value) = parts.next().expect("a key has a column");
    for (next_ty, next_value) in parts {
        ty = quote!(#p::diesel::dsl::And<#ty, #next_ty>);
        value = quote!(#p::diesel::BoolExpressionMethods::and(#value, #next_value));
    }
    (ty, value)
}

/// `(type, value)` of a tuple of `Eq<column, SetValue>` of `fields` read from `self`, for a
/// changeset or an insert; `Option<..>::None` of the first key column when `fields` is empty (an
/// empty changeset, which Diesel reports as such).
fn assignments(table: &TokenStream, fields: &[&Field], key: &Field) -> (TokenStream, TokenStream) {
    let p = private();
    if fields.is_empty() {
        let (column, ty) = (&key.column, &key.ty);
        return (
            quote!(::core::option::Option<#p::diesel::dsl::Eq<#table::#column, #p::SetValue<'__a, #ty>>>),
            quote!(::core::option::Option::None),
        );
    }
    let tys = fields.iter().map(|f| {
        let (column, ty) = (&f.column, &f.ty);
        quote!(#p::diesel::dsl::Eq<#table::#column, #p::SetValue<'__a, #ty>>)
    });
    let values = fields.iter().map(|f| {
        let (column, field) = (&f.column, &f.ident);
        quote!(#p::diesel::ExpressionMethods::eq(#table::#column, #p::SetValue(&__this.#field)))
    });
    (quote!((#(#tys,)*)), quote!((#(#values,)*)))
}

fn expand(model: &Model) -> TokenStream {
    let k = krate();
    let p = private();
    let ident = &model.ident;
    let vis = &model.vis;
    let table = &model.table_path;
    let history = &model.history_table;
    let record = &model.record;
    let tracked: Vec<&Field> = model.tracked().collect();
    let (user, hid) = (user_id(model.user_id), history_id(model.history_id));
    let kind_checks = [
        user.assert_matches(quote!(#k::user_id::UserIdKind)),
        hid.assert_matches(quote!(#k::history_id::HistoryIdKind)),
    ];
    let Kind {
        kind: user_kind,
        value: user_value,
        sql: user_sql,
    } = user;
    let Kind {
        kind: hid_kind,
        value: hid_ty,
        sql: hid_sql,
    } = hid;
    // Diesel loads `uuid::Uuid` only when its PostgreSQL backend is compiled in; these say how.
    let hid_load = (model.history_id == HistoryIdType::Uuid)
        .then(|| quote!(#[diesel(deserialize_as = #k::sql_types::UuidValue)]));
    let user_load = (model.user_id == UserIdType::Uuid)
        .then(|| quote!(#[diesel(deserialize_as = #k::sql_types::OptionalUuidValue)]));

    // The history columns, named from their one definition.
    let column = |name: &str| format_ident!("{name}");
    let (c_id, c_date, c_type, c_user, c_reason, c_metadata) = (
        column(meta::HISTORY_ID),
        column(meta::HISTORY_DATE),
        column(meta::HISTORY_TYPE),
        column(meta::HISTORY_USER_ID),
        column(meta::HISTORY_CHANGE_REASON),
        column(meta::HISTORY_METADATA),
    );
    let metadata = model.metadata;
    let metadata_column = metadata.then(
        || quote!(#c_metadata -> #p::diesel::sql_types::Nullable<#k::sql_types::HistoryMetadata>,),
    );
    let metadata_field = metadata.then(|| {
        quote! {
            /// The context's JSON metadata, if any.
            #[diesel(deserialize_as = #k::sql_types::OptionalMetadataValue)]
            pub #c_metadata: ::core::option::Option<#p::serde_json::Value>,
        }
    });

    // --- the history table! -------------------------------------------------------------
    let columns = tracked.iter().map(|f| {
        let column = &f.column;
        let ty = sql_type(f);
        quote!(#column -> #ty,)
    });
    let table_doc = format!(
        "History of [`{ident}`]: one row per create (`+`), update (`~`) and delete (`-`) of a \
         row of `{}`. Generated by `#[derive(Historical)]`.",
        model.table_name
    );
    let history_table = quote! {
        #p::diesel::table! {
            #[doc = #table_doc]
            #history (#c_id) {
                #c_id -> #hid_sql,
                #(#columns)*
                #c_date -> #k::sql_types::HistoryDate,
                #c_type -> #k::sql_types::HistoryTypeCode,
                #c_user -> #p::diesel::sql_types::Nullable<#user_sql>,
                #c_reason -> #p::diesel::sql_types::Nullable<#p::diesel::sql_types::Text>,
                #metadata_column
            }
        }
    };

    // --- the record struct ----------------------------------------------------------------
    let record_fields = tracked.iter().map(|f| {
        let field = &f.ident;
        let ty = &f.ty;
        let column = &f.column;
        let rename = (f.ident != f.column).then(|| quote!(#[diesel(column_name = #column)]));
        let doc = format!("`{column}` as it was after this change (before it, for a delete).");
        quote!(#[doc = #doc] #rename pub #field: #ty,)
    });
    let record_doc = format!(
        "A row of `{history}`: one recorded state of a [`{ident}`], with who changed it, when and \
         why. Generated by `#[derive(Historical)]`."
    );
    let serde_path = {
        let path = quote!(#p::serde).to_string().replace(' ', "");
        syn::LitStr::new(&path, Span::call_site())
    };
    let record_struct = quote! {
        #k::__history_record! {
            serde = #serde_path;
            #[doc = #record_doc]
            #[derive(Debug, Clone, #p::diesel::Queryable, #p::diesel::Selectable)]
            #[diesel(table_name = #history)]
            #vis struct #record {
                /// Primary key of the history row.
                #hid_load
                pub #c_id: #hid_ty,
                #(#record_fields)*
                /// When the change happened (UTC, microseconds).
                pub #c_date: #p::chrono::DateTime<#p::chrono::Utc>,
                /// `+` create, `~` update, `-` delete.
                pub #c_type: #k::HistoryType,
                /// Who made the change, if known.
                #user_load
                pub #c_user: ::core::option::Option<#user_value>,
                /// Why, if given.
                pub #c_reason: ::core::option::Option<::std::string::String>,
                #metadata_field
            }
        }
    };

    // --- compile-time checks against the source table! ---------------------------------------
    let (checks, checked) = type_checks(model, &tracked);
    let column_count = tracked.len() + 5 + usize::from(metadata);
    let too_wide = format!(
        "the history table of `{ident}` has {column_count} columns (its tracked columns and the \
         history columns); Diesel needs its `64-column-tables` feature above 32: enable \
         audit-diesel's `64-column-tables` feature, or exclude columns with #[historical(exclude)]"
    );

    // --- the Historical impl ------------------------------------------------------------------
    let key_fields: Vec<&Field> = model.key_fields().collect();
    let (id_ty, id_value) = if key_fields.len() == 1 {
        let f = key_fields[0];
        let (ty, field) = (&f.ty, &f.ident);
        (
            quote!(#ty),
            quote!(::core::clone::Clone::clone(&self.#field)),
        )
    } else {
        let tys = key_fields.iter().map(|f| &f.ty);
        let fields = key_fields.iter().map(|f| &f.ident);
        (
            quote!((#(#tys,)*)),
            quote!((#(::core::clone::Clone::clone(&self.#fields),)*)),
        )
    };

    let snapshot_ty = tracked.iter().map(|f| {
        let ty = &f.ty;
        let sql = sql_type(f);
        quote!(#p::Bind<#sql, &'__a #ty>)
    });
    let snapshot_value = tracked.iter().map(|f| {
        let field = &f.ident;
        let sql = sql_type(f);
        quote!(#p::Bind::<#sql, _>::new(&__this.#field))
    });

    let source: TokenStream = quote!(#table);
    let set_fields: Vec<&Field> = model.fields.iter().filter(|f| !f.primary_key).collect();
    let (changeset_ty, changeset_value) = assignments(&source, &set_fields, key_fields[0]);

    // The rows of one object in the history table, for reads.
    let history_path: TokenStream = quote!(#history);
    let (history_filter_ty, history_filter_value) = if key_fields.len() == 1 {
        key_filter(&history_path, &key_fields, |_, _| quote!(id))
    } else {
        key_filter(&history_path, &key_fields, |i, _| {
            let i = syn::Index::from(i);
            quote!(&id.#i)
        })
    };

    // Restoring a recorded state (revert): its tracked columns, without and with the key.
    let tracked_set: Vec<&Field> = tracked.iter().copied().filter(|f| !f.primary_key).collect();
    let (restore_ty, restore_value) = assignments(&source, &tracked_set, key_fields[0]);
    let (restore_insert_ty, restore_insert_value) = assignments(&source, &tracked, key_fields[0]);
    let (_, record_filter_value) = key_filter(&history_path, &key_fields, |_, f| {
        let field = &f.ident;
        quote!(&__this.#field)
    });
    // The key as binds, for keyset walks over the source table (backfill).
    let key_value_tys = key_fields.iter().map(|f| {
        let (ty, sql) = (&f.ty, sql_type(f));
        quote!(#p::Bind<#sql, #ty>)
    });
    let key_values = if key_fields.len() == 1 {
        quote!((#p::Bind::new(id),))
    } else {
        let parts = (0..key_fields.len()).map(|i| {
            let i = syn::Index::from(i);
            quote!(#p::Bind::new(id.#i))
        });
        quote!((#(#parts,)*))
    };

    // Unchanged updates are detected by comparing the tracked fields (SQLite); a model that
    // records every save needs no `PartialEq` on them.
    let record_unchanged = model.record_unchanged;
    // Each backend's slot: `On` where the model is declared (and the compiler proves here that
    // its statements work there), `Off` elsewhere.
    let slot = |on: bool| {
        if on {
            quote!(__Checked)
        } else {
            quote!(#p::Off)
        }
    };
    let sqlite_slot = slot(model.backends.sqlite);
    let postgres_slot = slot(model.backends.postgres);
    let tracked_eq = if record_unchanged {
        quote!(false)
    } else {
        let fields = tracked.iter().map(|f| &f.ident);
        quote!(true #(&& __this.#fields == other.#fields)*)
    };
    let spec = spec_tokens(&model.to_spec());

    quote! {
        #history_table

        #record_struct

        const _: () = ::core::assert!(#column_count <= #p::MAX_TABLE_COLUMNS, #too_wide);

        #[allow(non_camel_case_types, non_snake_case, dead_code)]
        const _: () = {
        #checks
        #(#kind_checks)*

        /// `On`, or the error of the first check of the model against its `table!` that fails.
        type __Checked = #checked;
        // Checked even when no enabled backend takes the model.
        const _: ::core::option::Option<__Checked> = ::core::option::Option::None;

        impl #k::Historical for #ident {
            type Table = #table::table;
            type HistoryTable = #history::table;
            type Record = #record;
            type Id = #id_ty;
            type UserId = #user_kind;
            type HistoryId = #hid_kind;

            const HISTORY: &'static #k::HistoryTableSpec = &#spec;

            const RECORD_UNCHANGED: bool = #record_unchanged;

            type Generated = Self;

            fn id(&self) -> Self::Id {
                #id_value
            }
        }

        impl #p::Generated<#ident> for #ident {
            #p::slot_sqlite!(#sqlite_slot);
            #p::slot_postgres!(#postgres_slot);

            type Snapshot<'__a> = (#(#snapshot_ty,)*);
            type Changeset<'__a> = #changeset_ty;
            type HistoryKeyFilter<'__a> = #history_filter_ty;
            type KeyValues = (#(#key_value_tys,)*);
            type Restore<'__a> = #restore_ty;
            type RestoreInsert<'__a> = #restore_insert_ty;

            fn snapshot(__this: &Self) -> Self::Snapshot<'_> {
                (#(#snapshot_value,)*)
            }

            fn changeset(__this: &Self) -> Self::Changeset<'_> {
                #changeset_value
            }

            fn history_key_filter(id: &<Self as #k::Historical>::Id) -> Self::HistoryKeyFilter<'_> {
                #history_filter_value
            }

            fn record_key_filter(__this: &#record) -> Self::HistoryKeyFilter<'_> {
                #record_filter_value
            }

            fn tracked_eq(__this: &Self, other: &Self) -> bool {
                #tracked_eq
            }

            fn key_values(id: <Self as #k::Historical>::Id) -> Self::KeyValues {
                #key_values
            }

            fn restore_changeset(__this: &#record) -> Self::Restore<'_> {
                #restore_value
            }

            fn restore_values(__this: &#record) -> Self::RestoreInsert<'_> {
                #restore_insert_value
            }
        }

        impl #k::HistoryRecord for #record {
            type Model = #ident;

            fn history_id(&self) -> &#hid_ty {
                &self.#c_id
            }

            fn history_date(&self) -> #p::chrono::DateTime<#p::chrono::Utc> {
                self.#c_date
            }

            fn history_type(&self) -> #k::HistoryType {
                self.#c_type
            }

            fn history_user_id(&self) -> ::core::option::Option<&#user_value> {
                self.#c_user.as_ref()
            }

            fn history_change_reason(&self) -> ::core::option::Option<&str> {
                self.#c_reason.as_deref()
            }

            fn object_id(&self) -> <#ident as #k::Historical>::Id {
                #id_value
            }
        }
        };
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
        let out = derive(input).unwrap().to_string();
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
        let out = derive(plain).unwrap().to_string();
        assert!(out.contains(":: audit_diesel :: __private_0_1"), "{out}");
    }
}
