//! The validated model: what the derive expands and the migration generator renders.

use std::borrow::Cow;

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{DeriveInput, Ident, Path, Type, Visibility};

use super::ast::Input;
use super::attrs;
use super::check::{check, Checked};
use super::errors::Errors;
use super::rust_type::{last_segment, option_inner, sql_type_of_rust_type};
use crate::spec::meta;
use crate::{ColumnSpec, HistoryIdType, HistoryTableSpec, SourceGuard, SqlType, UserIdType};

/// Where a tracked field's Diesel SQL type comes from.
#[derive(Clone)]
pub enum FieldSqlType {
    /// Derived from the Rust type.
    Known(SqlType),
    /// Given with `#[historical(sql_type = ...)]`: the type without `Nullable`.
    Override(Box<Type>),
}

/// One field of the model.
#[derive(Clone)]
pub struct Field {
    /// The field's name.
    pub ident: Ident,
    /// Its Rust type.
    pub ty: Type,
    /// Its column (the field name unless `#[diesel(column_name = ...)]`).
    pub column: Ident,
    /// `#[historical(exclude)]`: a column of the model, not tracked in history.
    pub excluded: bool,
    /// Part of the primary key.
    pub primary_key: bool,
    /// Indexed in history (`#[historical(index)]` or a `belongs_to` foreign key).
    pub indexed: bool,
    /// Its Diesel SQL type (without `Nullable`).
    pub sql_type: FieldSqlType,
    /// Its SQL type for DDL.
    pub ddl: SqlType,
    /// Whether the column is nullable (the field is an `Option`).
    pub nullable: bool,
    /// Where to point errors about the field's type.
    pub type_span: Span,
}

/// A history-only field: a column of the history table that the model does not have, filled
/// from the context of each write.
#[derive(Clone)]
pub struct HistoryField {
    /// Its name, the column's.
    pub ident: Ident,
    /// Its Rust type, an `Option`.
    pub ty: Type,
    /// Its SQL type, without `Nullable`.
    pub sql_type: SqlType,
}

/// A `#[derive(Historical)]` struct, validated.
pub struct Model {
    /// The struct's name.
    pub ident: Ident,
    /// Its visibility, given to the generated record struct.
    pub vis: Visibility,
    /// The source table as written in `#[diesel(table_name = ...)]`.
    pub table_path: Path,
    /// The source table's name.
    pub table_name: Ident,
    /// The history table's name.
    pub history_table: Ident,
    /// The generated record struct's name.
    pub record: Ident,
    /// The primary key columns, in key order.
    pub primary_key: Vec<Ident>,
    /// Where to point errors about the primary key.
    pub primary_key_span: Span,
    /// Every field, in declaration order.
    pub fields: Vec<Field>,
    /// The type of `history_user_id`.
    pub user_id: UserIdType,
    /// The kind of `history_id`.
    pub history_id: HistoryIdType,
    /// `#[historical(metadata)]`: the table stores the context's JSON metadata.
    pub metadata: bool,
    /// `#[historical(record_unchanged)]`: updates that change no tracked field are recorded too.
    pub record_unchanged: bool,
    /// `#[historical(history_field(name: Option<T>))]`: history-only columns, in order.
    pub history_fields: Vec<HistoryField>,
    /// `#[historical(hooks)]`: the model implements `HistoryHooks`.
    pub hooks: bool,
    /// `#[historical(cascade_delete_history)]`: deleting an object deletes its history.
    pub cascade_delete_history: bool,
    /// The history table refuses `UPDATE` and `DELETE` but through the library's maintenance;
    /// `#[historical(append_only = false)]` turns it off.
    pub append_only: bool,
    /// The history table has a hash chain per object; `#[historical(chain = false)]` turns it
    /// off, and a UUID history id has none.
    pub chain: bool,
    /// `#[historical(guard = refuse | record)]`: what the source table does with writes that
    /// bypass the library.
    pub guard: SourceGuard,
    /// The backends the model is written on.
    pub backends: Backends,
    /// `#[historical(crate = path)]`: the path of `audit_diesel` in generated code, when it is
    /// not `::audit_diesel` (a re-export by another crate, a renamed dependency).
    pub krate: Option<Path>,
}

/// A derive input that is no model: every error, and what a fallback expansion needs.
pub struct Failure {
    /// Every error, each at its span.
    pub error: syn::Error,
    /// `#[historical(crate = path)]`, when it parsed.
    pub krate: Option<Path>,
    /// The record struct's name (given or default), which code around the model names.
    pub record: Ident,
}

/// The backends a model is declared for: those of `#[diesel(check_for_backend(...))]`, or all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backends {
    /// SQLite (`diesel::sqlite::Sqlite`).
    pub sqlite: bool,
    /// PostgreSQL (`diesel::pg::Pg`).
    pub postgres: bool,
    /// MySQL and MariaDB (`diesel::mysql::Mysql`).
    pub mysql: bool,
}

impl Backends {
    /// Every backend: a model without `check_for_backend`.
    pub const ALL: Backends = Backends {
        sqlite: true,
        postgres: true,
        mysql: true,
    };

    /// The backends `paths` name, by their type's name (`Sqlite`, `Pg`, `Mysql`); an error at
    /// each other path.
    pub(super) fn declared(paths: &[Path], errors: &mut Errors) -> Backends {
        if paths.is_empty() {
            return Backends::ALL;
        }
        let mut backends = Backends {
            sqlite: false,
            postgres: false,
            mysql: false,
        };
        for path in paths {
            match path.segments.last().map(|s| s.ident.to_string()).as_deref() {
                Some("Sqlite") => backends.sqlite = true,
                Some("Pg") => backends.postgres = true,
                Some("Mysql") => backends.mysql = true,
                _ => errors.push(syn::Error::new_spanned(
                    path,
                    "#[derive(Historical)] knows the backends `diesel::sqlite::Sqlite`, \
                     `diesel::pg::Pg` and `diesel::mysql::Mysql`; a model for another backend \
                     (a `MultiBackend`) lists the backends it runs on",
                )),
            }
        }
        backends
    }
}

impl Model {
    /// Parses and validates `input`; every problem is reported, each at its span.
    pub fn from_derive_input(input: &DeriveInput) -> syn::Result<Model> {
        Model::parse(input).map_err(|failure| failure.error)
    }

    /// Parses, checks and lowers `input`, in three stages (`ast.rs`, `check.rs`, then here),
    /// each recording its errors with their spans; on failure, every error and what the derive
    /// needs for its fallback expansion.
    pub fn parse(input: &DeriveInput) -> Result<Model, Failure> {
        let mut errors = Errors::default();
        let ast = Input::from_syn(input, &mut errors);
        let (krate, record) = (
            ast.attrs.krate.clone(),
            ast.attrs
                .record
                .clone()
                .unwrap_or_else(|| default_record(&input.ident)),
        );
        let model = check(ast, &mut errors).and_then(|checked| lower(checked, &mut errors));
        match (errors.finish(), model) {
            (Ok(()), Some(model)) => Ok(model),
            (Err(error), _) => Err(Failure {
                error,
                krate,
                record,
            }),
            (Ok(()), None) => Err(Failure {
                error: syn::Error::new(input.ident.span(), "#[derive(Historical)] failed"),
                krate,
                record,
            }),
        }
    }

    /// The tracked fields, in declaration order.
    pub fn tracked(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| !f.excluded)
    }

    /// The primary key fields, in key order.
    pub fn key_fields(&self) -> impl Iterator<Item = &Field> {
        self.primary_key.iter().map(|k| {
            self.fields
                .iter()
                .find(|f| &f.column == k)
                .expect("validated: every key column is a field")
        })
    }

    /// The history table this model needs.
    pub fn to_spec(&self) -> HistoryTableSpec {
        HistoryTableSpec {
            model: self.ident.to_string().into(),
            source_table: self.table_name.to_string().into(),
            history_table: self.history_table.to_string().into(),
            columns: Cow::Owned(
                self.tracked()
                    .map(|f| ColumnSpec {
                        name: f.column.to_string().into(),
                        sql_type: f.ddl.clone(),
                        nullable: f.nullable,
                        indexed: f.indexed,
                    })
                    .collect(),
            ),
            primary_key: Cow::Owned(
                self.primary_key
                    .iter()
                    .map(|k| k.to_string().into())
                    .collect(),
            ),
            excluded: Cow::Owned(
                self.fields
                    .iter()
                    .filter(|f| f.excluded)
                    .map(|f| f.column.to_string().into())
                    .collect(),
            ),
            user_id: self.user_id,
            history_id: self.history_id,
            metadata: self.metadata,
            changeset: true,
            append_only: self.append_only,
            chain: self.chain,
            guard: self.guard,
            history_fields: Cow::Owned(
                self.history_fields
                    .iter()
                    .map(|f| ColumnSpec {
                        name: f.ident.to_string().into(),
                        sql_type: f.sql_type.clone(),
                        nullable: true,
                        indexed: false,
                    })
                    .collect(),
            ),
        }
    }
}

/// Stage 3, lower: the model the derive expands, with every field's SQL types resolved (an
/// unknown type is an error at the field) and the defaults filled in.
fn lower(checked: Checked<'_>, errors: &mut Errors) -> Option<Model> {
    let Checked {
        input,
        table_path,
        table_name,
        primary_key,
        primary_key_span,
        foreign_keys,
        backends,
    } = checked;
    let mut fields = Vec::new();
    for field in input.fields.iter().flatten() {
        let is_key = primary_key.contains(&field.column);
        let excluded = field.attrs.exclude.is_some();
        let Some((sql_type, ddl, nullable)) =
            field_sql_type(field.ident, field.ty, &field.attrs, errors)
        else {
            continue;
        };
        let indexed = !is_key
            && !excluded
            && (field.attrs.index.is_some() || foreign_keys.iter().any(|fk| field.column == fk));
        fields.push(Field {
            type_span: field.ty.span(),
            ident: field.ident.clone(),
            ty: field.ty.clone(),
            column: field.column.clone(),
            excluded,
            primary_key: is_key,
            indexed,
            sql_type,
            ddl,
            nullable,
        });
    }
    let history_fields = history_fields(&input, &fields, errors);
    let history_id = input
        .attrs
        .history_id_type
        .map(|(k, _)| k)
        .unwrap_or(HistoryIdType::BigInt);
    let chain = match input.attrs.chain {
        None => history_id == HistoryIdType::BigInt,
        Some((true, span)) if history_id != HistoryIdType::BigInt => {
            errors.at(
                span,
                "the hash chain needs a `bigint` history id, which orders its checkpoints: drop \
                 `history_id_type = uuid` or `chain = true`"
                    .to_owned(),
            );
            false
        }
        Some((on, _)) => on,
    };
    if !errors.is_empty() {
        return None;
    }
    let attrs = input.attrs;
    Some(Model {
        ident: input.ident.clone(),
        vis: input.vis.clone(),
        history_table: attrs
            .history_table
            .unwrap_or_else(|| Ident::new(&format!("historical_{table_name}"), table_name.span())),
        record: attrs.record.unwrap_or_else(|| default_record(input.ident)),
        table_path,
        table_name,
        primary_key,
        primary_key_span,
        fields,
        user_id: attrs
            .user_id_type
            .map(|(k, _)| k)
            .unwrap_or(UserIdType::I64),
        history_id,
        metadata: attrs.metadata.is_some(),
        record_unchanged: attrs.record_unchanged.is_some(),
        cascade_delete_history: attrs.cascade_delete_history.is_some(),
        append_only: attrs.append_only.is_none_or(|(on, _)| on),
        chain,
        guard: attrs.guard.map(|(g, _)| g).unwrap_or_default(),
        hooks: attrs.hooks.is_some(),
        history_fields,
        backends,
        krate: attrs.krate,
    })
}

/// The history-only fields: each an `Option` of a type with a known SQL type, named like no
/// tracked or history column and no other history-only field.
fn history_fields(input: &Input<'_>, fields: &[Field], errors: &mut Errors) -> Vec<HistoryField> {
    let mut out: Vec<HistoryField> = Vec::new();
    for (ident, ty) in &input.attrs.history_fields {
        if meta::ALL.iter().any(|m| ident == m)
            || fields.iter().any(|f| f.column == *ident)
            || out.iter().any(|f| f.ident == *ident)
        {
            errors.at(
                ident.span(),
                format!(
                    "history-only field `{ident}` is named like another column of the history \
                     table; give it a name of its own"
                ),
            );
            continue;
        }
        match sql_type_of_rust_type(ty) {
            Some((sql_type, true)) => out.push(HistoryField {
                ident: ident.clone(),
                ty: ty.clone(),
                sql_type,
            }),
            Some((_, false)) => errors.at(
                ty.span(),
                format!(
                    "history-only field `{ident}` must be an Option: rows written before it \
                     existed, and writes whose context does not set it, hold NULL"
                ),
            ),
            None => errors.at(
                ty.span(),
                format!(
                    "no SQL type is known for the type of history-only field `{ident}`; use \
                     Option of a type with one (String, i32, i64, f64, bool, Uuid, DateTime<Utc>, \
                     serde_json::Value, ...)"
                ),
            ),
        }
    }
    out
}

/// `Historical<Model>`, the record struct's default name.
fn default_record(model: &Ident) -> Ident {
    Ident::new(&format!("Historical{model}"), model.span())
}

/// The Diesel SQL type, the DDL type and the nullability of one field.
fn field_sql_type(
    ident: &Ident,
    ty: &Type,
    fattrs: &attrs::FieldAttrs,
    errors: &mut Errors,
) -> Option<(FieldSqlType, SqlType, bool)> {
    let is_option = option_inner(ty).is_some();
    let custom_ddl = fattrs
        .ddl_type
        .as_ref()
        .map(|d| SqlType::Custom(d.value().trim().to_owned().into()));

    if let Some(sql_type) = &fattrs.sql_type {
        let (inner, nullable) = match last_segment(sql_type) {
            Some((seg, args)) if seg == "Nullable" && args.len() == 1 => (args[0].clone(), true),
            _ => (sql_type.clone(), is_option),
        };
        if nullable && !is_option {
            errors.at(
                sql_type.span(),
                format!(
                    "`sql_type` of `{ident}` is Nullable but the field is not an Option; \
                     make the field an Option or drop Nullable"
                ),
            );
            return None;
        }
        let known =
            last_segment(&inner).and_then(|(seg, _)| SqlType::from_diesel_name(&seg.to_string()));
        let ddl = match (custom_ddl, known) {
            (Some(custom), _) => custom,
            (None, Some(known)) => known,
            (None, None) => {
                errors.at(
                    sql_type.span(),
                    format!(
                        "the history table's DDL cannot be derived from the custom SQL type of \
                         `{ident}`: add #[historical(ddl_type = \"...\")] with the column's SQL \
                         type, e.g. ddl_type = \"my_enum\""
                    ),
                );
                return None;
            }
        };
        return Some((FieldSqlType::Override(Box::new(inner)), ddl, nullable));
    }

    match sql_type_of_rust_type(ty) {
        Some((known, nullable)) => Some((
            FieldSqlType::Known(known.clone()),
            custom_ddl.unwrap_or(known),
            nullable,
        )),
        None => {
            let shown = option_inner(ty).unwrap_or(ty);
            let name = last_segment(shown)
                .map(|(s, _)| s.to_string())
                .unwrap_or_else(|| "this type".to_owned());
            errors.at(
                shown.span(),
                format!(
                    "no SQL type is known for `{name}` (field `{ident}`): add \
                     #[historical(sql_type = ...)] with the column's type from your `table!`, \
                     e.g. #[historical(sql_type = diesel::sql_types::Text)]"
                ),
            );
            None
        }
    }
}
