//! Raw attributes: what `#[diesel(...)]` and `#[historical(...)]` say, with spans, before any
//! validation across fields.

use proc_macro2::{Span, TokenTree};
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Attribute, Ident, LitStr, Path, Token, Type};

use super::errors::Errors;
use super::symbol::*;
use crate::{HistoryIdType, SourceGuard, UserIdType};

/// A foreign key declared with `#[diesel(belongs_to(Parent, foreign_key = column))]`.
pub(crate) struct BelongsTo {
    pub parent: Path,
    pub foreign_key: Option<Ident>,
}

#[derive(Default)]
pub(crate) struct StructAttrs {
    pub table_name: Option<Path>,
    pub primary_key: Option<(Vec<Ident>, Span)>,
    pub belongs_to: Vec<BelongsTo>,
    /// The backends of `#[diesel(check_for_backend(...))]`, every attribute's together.
    pub check_for_backend: Vec<Path>,
    pub history_table: Option<Ident>,
    pub user_id_type: Option<(UserIdType, Span)>,
    pub history_id_type: Option<(HistoryIdType, Span)>,
    pub record: Option<Ident>,
    pub metadata: Option<Span>,
    pub record_unchanged: Option<Span>,
    pub cascade_delete_history: Option<Span>,
    /// `#[historical(append_only = false)]`.
    pub append_only: Option<(bool, Span)>,
    /// `#[historical(chain = false)]`.
    pub chain: Option<(bool, Span)>,
    /// `#[historical(guard = refuse | record)]`.
    pub guard: Option<(SourceGuard, Span)>,
    /// `#[historical(hooks)]`: the model implements `HistoryHooks`.
    pub hooks: Option<Span>,
    /// `#[historical(history_field(name: Type))]`, in order.
    pub history_fields: Vec<(Ident, Type)>,
    /// `#[historical(crate = path)]`: where generated code finds `audit_diesel`.
    pub krate: Option<Path>,
}

#[derive(Default)]
pub(crate) struct FieldAttrs {
    pub column_name: Option<Ident>,
    pub exclude: Option<Span>,
    pub sql_type: Option<Type>,
    pub ddl_type: Option<LitStr>,
    pub index: Option<Span>,
    /// A Diesel field attribute this derive cannot track, with its span.
    pub unsupported: Option<(Span, &'static str)>,
}

/// Stores `value` unless the key was given before, which is an error at the second key.
fn set_once<T>(slot: &mut Option<T>, value: T, meta: &ParseNestedMeta<'_>, errors: &mut Errors) {
    if slot.is_some() {
        let key = meta
            .path
            .get_ident()
            .map(|i| i.to_string())
            .unwrap_or_default();
        errors.at(
            meta.path.span(),
            format!("duplicate `{key}` attribute: give it once"),
        );
    } else {
        *slot = Some(value);
    }
}

/// Consumes whatever follows a key this derive does not read (`= value` or `(...)`).
fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.input.parse::<Token![=]>()?;
        while !meta.input.is_empty() && !meta.input.peek(Token![,]) {
            meta.input.parse::<TokenTree>()?;
        }
    } else if meta.input.peek(syn::token::Paren) {
        meta.input.parse::<proc_macro2::Group>()?;
    }
    Ok(())
}

fn key(meta: &ParseNestedMeta<'_>) -> String {
    meta.path
        .get_ident()
        .map(|i| i.to_string())
        .unwrap_or_else(|| quote_path(&meta.path))
}

fn quote_path(path: &Path) -> String {
    path.segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

fn unknown(meta: &ParseNestedMeta<'_>, expected: &[&str], errors: &mut Errors) -> syn::Result<()> {
    let given = key(meta);
    let list = expected
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let hint = expected
        .iter()
        .map(|k| (edit_distance(&given, k), k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| format!("did you mean `{k}`? "))
        .unwrap_or_default();
    errors.at(
        meta.path.span(),
        format!("unknown attribute `historical({given})`; {hint}expected one of {list}"),
    );
    skip_value(meta)
}

/// Levenshtein distance, for "did you mean" hints.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Which attribute a key sits in.
#[derive(Clone, Copy)]
enum Namespace {
    Diesel,
    Historical,
}

/// Calls `key` for every key of every `#[diesel(...)]` and `#[historical(...)]` attribute; a
/// syntax error is recorded and ends that attribute only.
fn each_key(
    attrs: &[Attribute],
    errors: &mut Errors,
    mut key: impl FnMut(Namespace, &ParseNestedMeta<'_>, &mut Errors) -> syn::Result<()>,
) {
    for attr in attrs {
        let namespace = if attr.path().is_ident(DIESEL) {
            Namespace::Diesel
        } else if attr.path().is_ident(HISTORICAL) {
            Namespace::Historical
        } else {
            continue;
        };
        let mut found = Errors::default();
        if let Err(e) = attr.parse_nested_meta(|meta| key(namespace, &meta, &mut found)) {
            found.push(e);
        }
        errors.append(found);
    }
}

pub(crate) fn struct_attrs(attrs: &[Attribute], errors: &mut Errors) -> StructAttrs {
    let mut out = StructAttrs::default();
    each_key(attrs, errors, |namespace, meta, errors| match namespace {
        Namespace::Diesel => diesel_struct_key(meta, &mut out, errors),
        Namespace::Historical => historical_struct_key(meta, &mut out, errors),
    });
    out
}

fn diesel_struct_key(
    meta: &ParseNestedMeta<'_>,
    out: &mut StructAttrs,
    errors: &mut Errors,
) -> syn::Result<()> {
    if meta.path.is_ident(TABLE_NAME) {
        let path: Path = meta.value()?.parse()?;
        set_once(&mut out.table_name, path, meta, errors);
    } else if meta.path.is_ident(PRIMARY_KEY) {
        let span = meta.path.span();
        let mut keys = Vec::new();
        meta.parse_nested_meta(|key| {
            keys.push(key.path.require_ident()?.clone());
            Ok(())
        })?;
        set_once(&mut out.primary_key, (keys, span), meta, errors);
    } else if meta.path.is_ident(CHECK_FOR_BACKEND) {
        meta.parse_nested_meta(|backend| {
            out.check_for_backend.push(backend.path.clone());
            Ok(())
        })?;
    } else if meta.path.is_ident(BELONGS_TO) {
        let content;
        syn::parenthesized!(content in meta.input);
        let parent: Path = content.parse()?;
        let mut foreign_key = None;
        if content.parse::<Option<Token![,]>>()?.is_some() && !content.is_empty() {
            let key: Ident = content.parse()?;
            if key == FOREIGN_KEY {
                content.parse::<Token![=]>()?;
                foreign_key = Some(content.parse()?);
            }
            while !content.is_empty() {
                content.parse::<TokenTree>()?;
            }
        }
        out.belongs_to.push(BelongsTo {
            parent,
            foreign_key,
        });
    } else {
        skip_value(meta)?;
    }
    Ok(())
}

fn historical_struct_key(
    meta: &ParseNestedMeta<'_>,
    out: &mut StructAttrs,
    errors: &mut Errors,
) -> syn::Result<()> {
    if meta.path.is_ident(TABLE_NAME) {
        let name: Ident = meta.value()?.parse()?;
        set_once(&mut out.history_table, name, meta, errors);
    } else if meta.path.is_ident(USER_ID_TYPE) {
        let value: Ident = meta.value()?.parse()?;
        match UserIdType::from_attr(&value.to_string()) {
            Some(kind) => set_once(&mut out.user_id_type, (kind, value.span()), meta, errors),
            None => errors.at(
                value.span(),
                format!(
                    "unknown user id type `{value}`; expected {}",
                    UserIdType::expected()
                ),
            ),
        }
    } else if meta.path.is_ident(HISTORY_ID_TYPE) {
        let value: Ident = meta.value()?.parse()?;
        match HistoryIdType::from_attr(&value.to_string()) {
            Some(kind) => set_once(&mut out.history_id_type, (kind, value.span()), meta, errors),
            None => errors.at(
                value.span(),
                format!(
                    "unknown history id type `{value}`; expected {}",
                    HistoryIdType::expected()
                ),
            ),
        }
    } else if meta.path.is_ident(RECORD) {
        let name: Ident = meta.value()?.parse()?;
        set_once(&mut out.record, name, meta, errors);
    } else if meta.path.is_ident(METADATA) {
        set_once(&mut out.metadata, meta.path.span(), meta, errors);
    } else if meta.path.is_ident(RECORD_UNCHANGED) {
        set_once(&mut out.record_unchanged, meta.path.span(), meta, errors);
    } else if meta.path.is_ident(HISTORY_FIELD) {
        let content;
        syn::parenthesized!(content in meta.input);
        let name: Ident = content.parse()?;
        content.parse::<Token![:]>()?;
        let ty: Type = content.parse()?;
        out.history_fields.push((name, ty));
    } else if meta.path.is_ident(HOOKS) {
        set_once(&mut out.hooks, meta.path.span(), meta, errors);
    } else if meta.path.is_ident(CASCADE_DELETE_HISTORY) {
        set_once(
            &mut out.cascade_delete_history,
            meta.path.span(),
            meta,
            errors,
        );
    } else if meta.path.is_ident(APPEND_ONLY) {
        match meta.value()?.parse::<syn::Lit>()? {
            syn::Lit::Bool(on) => {
                set_once(&mut out.append_only, (on.value, on.span()), meta, errors)
            }
            other => errors.at(
                other.span(),
                "`append_only` takes `true` or `false`: `#[historical(append_only = false)]` lets \
                 the history table be updated and deleted"
                    .to_owned(),
            ),
        }
    } else if meta.path.is_ident(CHAIN) {
        match meta.value()?.parse::<syn::Lit>()? {
            syn::Lit::Bool(on) => set_once(&mut out.chain, (on.value, on.span()), meta, errors),
            other => errors.at(
                other.span(),
                "`chain` takes `true` or `false`: `#[historical(chain = false)]` leaves the \
                 history table without a hash chain"
                    .to_owned(),
            ),
        }
    } else if meta.path.is_ident(GUARD) {
        let value: Ident = meta.value()?.parse()?;
        match SourceGuard::from_attr(&value.to_string()) {
            Some(kind) => set_once(&mut out.guard, (kind, value.span()), meta, errors),
            None => errors.at(
                value.span(),
                format!(
                    "unknown guard `{value}`; expected {}: `refuse` makes the database refuse \
                     writes to the table that bypass audit-diesel, `record` records them as \
                     unattributed history",
                    SourceGuard::expected()
                ),
            ),
        }
    } else if meta.path.is_ident(CRATE) {
        let path: Path = meta.value()?.parse()?;
        set_once(&mut out.krate, path, meta, errors);
    } else if FIELD_KEYS.iter().any(|k| meta.path.is_ident(k)) {
        errors.at(
            meta.path.span(),
            format!(
                "`historical({})` belongs on a field, not on the struct",
                key(meta)
            ),
        );
        skip_value(meta)?;
    } else {
        unknown(meta, STRUCT_KEYS, errors)?;
    }
    Ok(())
}

pub(crate) fn field_attrs(attrs: &[Attribute], errors: &mut Errors) -> FieldAttrs {
    let mut out = FieldAttrs::default();
    each_key(attrs, errors, |namespace, meta, errors| match namespace {
        Namespace::Diesel => diesel_field_key(meta, &mut out, errors),
        Namespace::Historical => historical_field_key(meta, &mut out, errors),
    });
    out
}

fn diesel_field_key(
    meta: &ParseNestedMeta<'_>,
    out: &mut FieldAttrs,
    errors: &mut Errors,
) -> syn::Result<()> {
    if meta.path.is_ident(COLUMN_NAME) {
        let name: Ident = meta.value()?.parse()?;
        set_once(&mut out.column_name, name, meta, errors);
    } else if meta.path.is_ident(EMBED) {
        out.unsupported = Some((meta.path.span(), EMBED));
        skip_value(meta)?;
    } else if meta.path.is_ident(SELECT_EXPRESSION) {
        out.unsupported = Some((meta.path.span(), SELECT_EXPRESSION));
        skip_value(meta)?;
    } else {
        skip_value(meta)?;
    }
    Ok(())
}

fn historical_field_key(
    meta: &ParseNestedMeta<'_>,
    out: &mut FieldAttrs,
    errors: &mut Errors,
) -> syn::Result<()> {
    if meta.path.is_ident(EXCLUDE) {
        set_once(&mut out.exclude, meta.path.span(), meta, errors);
    } else if meta.path.is_ident(INDEX) {
        set_once(&mut out.index, meta.path.span(), meta, errors);
    } else if meta.path.is_ident(SQL_TYPE) {
        let ty: Type = meta.value()?.parse()?;
        set_once(&mut out.sql_type, ty, meta, errors);
    } else if meta.path.is_ident(DDL_TYPE) {
        let ddl: LitStr = meta.value()?.parse()?;
        if ddl.value().trim().is_empty() {
            errors.at(
                ddl.span(),
                "`ddl_type` is empty: give the column's SQL type",
            );
        }
        set_once(&mut out.ddl_type, ddl, meta, errors);
    } else if STRUCT_KEYS.iter().any(|k| meta.path.is_ident(k)) {
        errors.at(
            meta.path.span(),
            format!(
                "`historical({})` belongs on the struct, not on a field",
                key(meta)
            ),
        );
        skip_value(meta)?;
    } else {
        unknown(meta, FIELD_KEYS, errors)?;
    }
    Ok(())
}

pub(crate) use crate::snake_case;

#[cfg(test)]
mod tests {
    use super::snake_case;

    #[test]
    fn edit_distance_counts_single_character_edits() {
        use super::edit_distance;
        assert_eq!(edit_distance("user_id_typ", "user_id_type"), 1);
        assert_eq!(edit_distance("exclud", "exclude"), 1);
        assert_eq!(edit_distance("idnex", "index"), 2);
        assert_eq!(edit_distance("skip", "exclude"), 7);
    }

    #[test]
    fn snake_case_matches_diesel_foreign_keys() {
        assert_eq!(snake_case("Batch"), "batch");
        assert_eq!(
            snake_case("BatchContainerAssignment"),
            "batch_container_assignment"
        );
    }
}
