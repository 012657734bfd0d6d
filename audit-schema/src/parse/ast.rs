//! Stage 1, parse: the struct as written (its shape, its fields and their raw attributes),
//! borrowing the input. No rule across fields is checked here.

use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Ident, Type, Visibility};

use super::attrs::{self, FieldAttrs, StructAttrs};
use super::errors::Errors;

/// A `#[derive(Historical)]` input, parsed.
pub(crate) struct Input<'a> {
    pub ident: &'a Ident,
    pub vis: &'a Visibility,
    pub attrs: StructAttrs,
    /// The named fields; `None` when the input is not a struct with named fields (an error).
    pub fields: Option<Vec<FieldAst<'a>>>,
}

/// One field, parsed.
pub(crate) struct FieldAst<'a> {
    pub ident: &'a Ident,
    pub ty: &'a Type,
    pub attrs: FieldAttrs,
    /// Its column: the field's name unless `#[diesel(column_name = ...)]`.
    pub column: Ident,
}

impl<'a> Input<'a> {
    /// Parses `input`, recording every error of shape and attribute syntax in `errors`.
    pub fn from_syn(input: &'a DeriveInput, errors: &mut Errors) -> Input<'a> {
        let named = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(named) => Some(named),
                _ => {
                    errors.at(
                        input.ident.span(),
                        "#[derive(Historical)] needs a struct with named fields, one per column",
                    );
                    None
                }
            },
            _ => {
                errors.at(
                    input.ident.span(),
                    "#[derive(Historical)] works on structs: one struct per table",
                );
                None
            }
        };
        if !input.generics.params.is_empty() {
            errors.at(
                input.generics.span(),
                "#[derive(Historical)] does not support generic structs; give the model concrete \
                 types",
            );
        }
        let attrs = attrs::struct_attrs(&input.attrs, errors);
        let fields = named.map(|named| {
            named
                .named
                .iter()
                .filter_map(|field| {
                    let ident = field.ident.as_ref()?;
                    let attrs = attrs::field_attrs(&field.attrs, errors);
                    let column = attrs.column_name.clone().unwrap_or_else(|| ident.clone());
                    Some(FieldAst {
                        ident,
                        ty: &field.ty,
                        attrs,
                        column,
                    })
                })
                .collect()
        });
        Input {
            ident: &input.ident,
            vis: &input.vis,
            attrs,
            fields,
        }
    }
}
