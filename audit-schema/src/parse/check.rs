//! Stage 2, check: the rules across fields and attributes (the table is named, the key is
//! tracked and present, no column twice or under a history column's name, the backends are
//! known), every error accumulated with its span.

use proc_macro2::Span;
use syn::{Ident, Path};

use super::ast::Input;
use super::attrs::snake_case;
use super::errors::Errors;
use super::model::Backends;
use crate::spec::meta;

/// An input that passed the checks, with what they established.
pub(crate) struct Checked<'a> {
    pub input: Input<'a>,
    pub table_path: Path,
    pub table_name: Ident,
    pub primary_key: Vec<Ident>,
    pub primary_key_span: Span,
    /// The foreign key columns of `#[diesel(belongs_to(...))]`, indexed in history.
    pub foreign_keys: Vec<String>,
    pub backends: Backends,
}

/// Checks `input`, recording each failed rule in `errors`. `None` only when no model can be
/// lowered at all (no table, no named fields); otherwise lowering runs too, so that the field
/// types' errors are reported in the same pass.
pub(crate) fn check<'a>(input: Input<'a>, errors: &mut Errors) -> Option<Checked<'a>> {
    let backends = Backends::declared(&input.attrs.check_for_backend, errors);
    let Some(table_path) = input.attrs.table_name.clone() else {
        errors.at(
            input.ident.span(),
            format!(
                "#[derive(Historical)] needs the table of `{}`: add #[diesel(table_name = ...)] \
                 with the name of its `diesel::table!`",
                input.ident
            ),
        );
        return None;
    };
    let table_name = table_path
        .segments
        .last()
        .expect("a parsed path has a segment")
        .ident
        .clone();
    let (primary_key, primary_key_span) = match &input.attrs.primary_key {
        Some((keys, span)) => (keys.clone(), *span),
        None => (
            vec![Ident::new("id", Span::call_site())],
            input.ident.span(),
        ),
    };
    let foreign_keys = input
        .attrs
        .belongs_to
        .iter()
        .map(|b| match &b.foreign_key {
            Some(fk) => fk.to_string(),
            None => {
                let parent = b
                    .parent
                    .segments
                    .last()
                    .expect("a parsed path has a segment");
                format!("{}_id", snake_case(&parent.ident.to_string()))
            }
        })
        .collect();

    let fields = input.fields.as_deref().unwrap_or_default();
    for (i, field) in fields.iter().enumerate() {
        let (ident, column) = (field.ident, &field.column);
        let is_key = primary_key.contains(column);
        let excluded = field.attrs.exclude.is_some();
        if let Some((span, what)) = field.attrs.unsupported {
            errors.at(
                span,
                format!(
                    "field `{ident}` uses #[diesel({what})]: history tracks plain columns only, \
                     so such a field cannot be part of a #[derive(Historical)] model"
                ),
            );
        }
        if let (true, Some(span)) = (is_key, field.attrs.exclude) {
            errors.at(
                span,
                format!(
                    "cannot exclude `{ident}`: it is the primary key of `{table_name}`, and every \
                     history row needs it to name its object; remove #[historical(exclude)]"
                ),
            );
        }
        if let (true, Some(span)) = (excluded, field.attrs.index) {
            errors.at(
                span,
                format!("`{ident}` is excluded from history, so history cannot index it"),
            );
        }
        if !excluded && meta::ALL.iter().any(|m| column == m) {
            errors.at(
                column.span(),
                format!(
                    "column `{column}` has the name of a history column; rename it with \
                     #[diesel(column_name = ...)] or exclude it with #[historical(exclude)]"
                ),
            );
        }
        if fields[..i].iter().any(|f| f.column == *column) {
            errors.at(column.span(), format!("column `{column}` appears twice"));
        }
    }
    if input.fields.is_some() {
        for key in &primary_key {
            if !fields.iter().any(|f| f.column == *key) {
                errors.at(
                    primary_key_span,
                    format!(
                        "primary key column `{key}` is not a field of `{}`; name the key columns \
                         with #[diesel(primary_key(...))]",
                        input.ident
                    ),
                );
            }
        }
    }
    input.fields.as_ref()?;
    Some(Checked {
        input,
        table_path,
        table_name,
        primary_key,
        primary_key_span,
        foreign_keys,
        backends,
    })
}
