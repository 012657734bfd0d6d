//! The `Historical` impl (the documented face of the model) and the generated contract
//! (`Generated`: the slots, snapshot, changeset, key filters and restore the calls run on).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use audit_schema::parse::Field;
use audit_schema::HistoryTableSpec;

use super::types::{self, spec_sql_type, sql_type};
use super::{krate, private, record, Expansion};

pub(super) fn expand(x: &Expansion<'_>) -> TokenStream {
    let (k, p) = (krate(), private());
    let model = x.model;
    let (ident, table, history, record) = (
        &model.ident,
        &model.table_path,
        &model.history_table,
        &model.record,
    );
    let (tracked, key_fields) = (&x.tracked, &x.key_fields);
    let (user_kind, hid_kind) = (&x.user.kind, &x.history_id.kind);
    let (id_ty, id_value) = x.id();

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

    // Every column of the model, in field order: a bulk save's `VALUES` row.
    let row_ty = model.fields.iter().map(|f| {
        let ty = &f.ty;
        let sql = sql_type(f);
        quote!(#p::Bind<#sql, &'__a #ty>)
    });
    let row_value = model.fields.iter().map(|f| {
        let field = &f.ident;
        let sql = sql_type(f);
        quote!(#p::Bind::<#sql, _>::new(&__this.#field))
    });
    let columns = model.fields.iter().map(|f| f.column.to_string());

    let source: TokenStream = quote!(#table);
    let set_fields: Vec<&Field> = model.fields.iter().filter(|f| !f.primary_key).collect();
    let (changeset_ty, changeset_value) = assignments(&source, &set_fields, key_fields[0]);

    // The rows of one object in the history table, for reads.
    let history_path: TokenStream = quote!(#history);
    let (history_filter_ty, history_filter_value) = if key_fields.len() == 1 {
        key_filter(&history_path, key_fields, |_, _| quote!(id))
    } else {
        key_filter(&history_path, key_fields, |i, _| {
            let i = syn::Index::from(i);
            quote!(&id.#i)
        })
    };

    // Restoring a recorded state (revert): its tracked columns, without and with the key.
    let tracked_set: Vec<&Field> = tracked.iter().copied().filter(|f| !f.primary_key).collect();
    let (restore_ty, restore_value) = assignments(&source, &tracked_set, key_fields[0]);
    let (restore_insert_ty, restore_insert_value) = assignments(&source, tracked, key_fields[0]);
    let (_, record_filter_value) = key_filter(&history_path, key_fields, |_, f| {
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
    let cascade = model.cascade_delete_history;
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
    // MySQL has no `jsonb`: a model with a JSON history-only field is off there, so that it
    // compiles with the `mysql` feature on, and its calls there are refused.
    let json_field = model
        .to_spec()
        .history_fields
        .iter()
        .any(|f| f.sql_type == audit_schema::SqlType::Jsonb);
    let mysql_slot = slot(model.backends.mysql && !json_field);
    let tracked_eq = if record_unchanged {
        quote!(false)
    } else {
        let fields = tracked.iter().map(|f| &f.ident);
        quote!(true #(&& __this.#fields == other.#fields)*)
    };
    // A record as a model: tracked fields from the record, excluded ones from the live row.
    let instance = {
        let fields = model.fields.iter().map(|f| {
            let field = &f.ident;
            if f.excluded {
                quote!(#field: __live.#field)
            } else {
                quote!(#field: ::core::clone::Clone::clone(&__this.#field))
            }
        });
        if model.fields.iter().any(|f| f.excluded) {
            quote!(__live.map(|__live| #ident { #(#fields,)* }))
        } else {
            quote!({
                let _ = __live;
                ::core::option::Option::Some(#ident { #(#fields,)* })
            })
        }
    };
    // History-only fields: binds of the context's values, in declaration order.
    let field_tys: Vec<TokenStream> = model
        .history_fields
        .iter()
        .map(|f| {
            let (ty, sql) = (&f.ty, types::known_sql_type(&f.sql_type));
            quote!(#p::Bind<#p::diesel::sql_types::Nullable<#sql>, #ty>)
        })
        .collect();
    let model_name = ident.to_string();
    let field_values = model.history_fields.iter().map(|f| {
        let (ty, name) = (&f.ty, f.ident.to_string());
        let expected = quote!(#ty).to_string().replace(' ', "");
        quote!(#p::Bind::new(#p::history_field::<#ty>(ctx, #model_name, #name, #expected)?))
    });
    let hooks = model.hooks;
    let (before, after) = if hooks {
        (
            quote!(<Self as #k::hooks::HistoryHooks>::before_history(event)),
            quote!(<Self as #k::hooks::HistoryHooks>::after_history(event)),
        )
    } else {
        (
            quote!({
                let _ = event;
                ::core::result::Result::Ok(())
            }),
            quote!({
                let _ = event;
                ::core::result::Result::Ok(())
            }),
        )
    };
    let field_sets = model.history_fields.iter().enumerate().map(|(i, f)| {
        let (ty, name) = (&f.ty, f.ident.to_string());
        let expected = quote!(#ty).to_string().replace(' ', "");
        let i = syn::Index::from(i);
        quote! {
            #name => {
                __fields.#i = #p::Bind::new(#p::history_field_value::<#ty>(#model_name, #name, #expected, __value)?);
                ::core::result::Result::Ok(())
            }
        }
    });
    let record_matches = if record_unchanged {
        quote!({
            let _ = (__this, model);
            false
        })
    } else {
        let fields = tracked.iter().map(|f| &f.ident);
        quote!(true #(&& __this.#fields == model.#fields)*)
    };
    let field_walks: Vec<TokenStream> = (0..model.history_fields.len())
        .map(|i| {
            let i = syn::Index::from(i);
            quote! {
                __out.push_sql(", ");
                #p::diesel::query_builder::QueryFragment::walk_ast(&__fields.#i, __out.reborrow())?;
            }
        })
        .collect();
    let full_spec = model.to_spec();
    // MySQL has no `jsonb`: a model with a JSON history-only field compiles with the `mysql`
    // feature on, and its history rows cannot be written there (a typed error, not a panic).
    let mysql_field_walks = match full_spec
        .history_fields
        .iter()
        .find(|f| f.sql_type == audit_schema::SqlType::Jsonb)
    {
        Some(json) => {
            let message = format!(
                "history field `{}` of {} is JSON (jsonb), which has no MySQL type here",
                json.name, full_spec.model
            );
            quote! {
                let _ = (__fields, __out);
                ::core::result::Result::Err(
                    #p::diesel::result::Error::QueryBuilderError(#message.into()),
                )
            }
        }
        None => quote! {
            #(#field_walks)*
            ::core::result::Result::Ok(())
        },
    };
    let spec = spec_tokens(&full_spec);
    let history_record = record::impl_history_record(x);

    quote! {
        impl #k::Historical for #ident {
            type Table = #table::table;
            type HistoryTable = #history::table;
            type Record = #record;
            type Id = #id_ty;
            type UserId = #user_kind;
            type HistoryId = #hid_kind;

            const HISTORY: &'static #k::HistoryTableSpec = &#spec;

            const RECORD_UNCHANGED: bool = #record_unchanged;

            const CASCADE_DELETE_HISTORY: bool = #cascade;

            #p::slot_sqlite!(#sqlite_slot);
            #p::slot_postgres!(#postgres_slot);
            #p::slot_mysql!(#mysql_slot);

            type Generated = Self;

            fn id(&self) -> Self::Id {
                #id_value
            }
        }

        impl #p::Generated<#ident> for #ident {

            type Snapshot<'__a> = (#(#snapshot_ty,)*);
            type Row<'__a> = (#(#row_ty,)*);
            const COLUMNS: &'static [&'static str] = &[#(#columns),*];
            type Changeset<'__a> = #changeset_ty;
            type HistoryKeyFilter<'__a> = #history_filter_ty;
            type KeyValues = (#(#key_value_tys,)*);
            type Restore<'__a> = #restore_ty;
            type RestoreInsert<'__a> = #restore_insert_ty;

            fn snapshot(__this: &Self) -> Self::Snapshot<'_> {
                (#(#snapshot_value,)*)
            }

            fn row(__this: &Self) -> Self::Row<'_> {
                (#(#row_value,)*)
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

            fn instance(__this: &#record, __live: ::core::option::Option<Self>) -> ::core::option::Option<Self> {
                #instance
            }

            const HOOKS: bool = #hooks;

            fn before_history(event: &mut #k::hooks::BeforeHistory<'_, Self>) -> ::core::result::Result<(), #k::AuditError> {
                #before
            }

            fn after_history(event: &#k::hooks::AfterHistory<'_, Self>) -> ::core::result::Result<(), #k::AuditError> {
                #after
            }

            fn set_history_field(
                __fields: &mut Self::HistoryFields,
                __name: &str,
                __value: #p::serde_json::Value,
            ) -> ::core::result::Result<(), #k::AuditError> {
                match __name {
                    #(#field_sets)*
                    _ => ::core::result::Result::Err(#p::unknown_history_field(<Self as #k::Historical>::HISTORY, __name)),
                }
            }

            fn record_matches(__this: &#record, model: &Self) -> bool {
                #record_matches
            }

            type HistoryFields = (#(#field_tys,)*);

            fn history_fields(ctx: &#k::AuditContext) -> ::core::result::Result<Self::HistoryFields, #k::AuditError> {
                ::core::result::Result::Ok((#(#field_values,)*))
            }

            #p::walk_fields_sqlite!(__fields, __out, {
                #(#field_walks)*
                ::core::result::Result::Ok(())
            });
            #p::walk_fields_postgres!(__fields, __out, {
                #(#field_walks)*
                ::core::result::Result::Ok(())
            });
            #p::walk_fields_mysql!(__fields, __out, {
                #mysql_field_walks
            });
        }

        #history_record
    }
}

/// The `HistoryTableSpec` the migration generator computes from the same model
/// (`Model::to_spec`), as a constant expression: the runtime and the migrations agree by
/// construction.
pub(super) fn spec_tokens(spec: &HistoryTableSpec) -> TokenStream {
    let k = krate();
    let p = private();
    let column_spec = |c: &audit_schema::ColumnSpec| {
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
    };
    let columns = spec.columns.iter().map(column_spec);
    let history_fields = spec.history_fields.iter().map(column_spec);
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
    let user_id = types::user_id(spec.user_id).kind;
    let history_id = types::history_id(spec.history_id).kind;
    let metadata = spec.metadata;
    let append_only = spec.append_only;
    let chain = spec.chain;
    let guard = format_ident!("{}", format!("{:?}", spec.guard));
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
            history_fields: #p::Cow::Borrowed(&[#(#history_fields,)*]),
            changeset: true,
            append_only: #append_only,
            chain: #chain,
            guard: #k::SourceGuard::#guard,
        }
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
