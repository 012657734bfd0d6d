//! The SQL type a field's Rust type stands for, when the derive can tell.

use syn::{GenericArgument, PathArguments, Type};

use crate::SqlType;

/// The last path segment of `ty` and its generic type arguments, if `ty` is a path type.
pub(crate) fn last_segment(ty: &Type) -> Option<(&syn::Ident, Vec<&Type>)> {
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let segment = path.path.segments.last()?;
    let args = match &segment.arguments {
        PathArguments::AngleBracketed(args) => args
            .args
            .iter()
            .filter_map(|a| match a {
                GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    Some((&segment.ident, args))
}

/// `Option<T>` → `Some(T)`.
pub(crate) fn option_inner(ty: &Type) -> Option<&Type> {
    match last_segment(ty) {
        Some((ident, args)) if ident == "Option" && args.len() == 1 => Some(args[0]),
        _ => None,
    }
}

fn path_mentions(ty: &Type, segment: &str) -> bool {
    match ty {
        Type::Path(p) => p.path.segments.iter().any(|s| s.ident == segment),
        _ => false,
    }
}

/// The SQL type and nullability of a field of Rust type `ty`, for the types Diesel maps by
/// default; `None` when the type says nothing certain (a custom type, an ambiguous `Value`).
///
/// `DateTime<Utc>` maps to `Timestamptz` (PostgreSQL's name; Diesel calls the SQLite column
/// `TimestamptzSqlite`): the DDL is the dialect's, and at run time the derive gives such a field
/// the portable `PortableTimestamptz`, which holds either.
///
/// ```
/// use audit_schema::parse::sql_type_of_rust_type;
/// use audit_schema::SqlType;
///
/// let ty: syn::Type = syn::parse_quote!(Option<chrono::NaiveDateTime>);
/// assert_eq!(sql_type_of_rust_type(&ty), Some((SqlType::Timestamp, true)));
/// let ty: syn::Type = syn::parse_quote!(Vec<u8>);
/// assert_eq!(sql_type_of_rust_type(&ty), Some((SqlType::Binary, false)));
/// let ty: syn::Type = syn::parse_quote!(Money);
/// assert_eq!(sql_type_of_rust_type(&ty), None);
/// ```
pub fn sql_type_of_rust_type(ty: &Type) -> Option<(SqlType, bool)> {
    if let Some(inner) = option_inner(ty) {
        return sql_type_of_rust_type(inner)
            .filter(|(_, nullable)| !nullable)
            .map(|(t, _)| (t, true));
    }
    let (ident, args) = last_segment(ty)?;
    let sql = match ident.to_string().as_str() {
        "i16" => SqlType::SmallInt,
        "i32" => SqlType::Integer,
        "i64" => SqlType::BigInt,
        "f32" => SqlType::Float,
        "f64" => SqlType::Double,
        "bool" => SqlType::Bool,
        "String" => SqlType::Text,
        "Vec" if args.len() == 1 && matches!(last_segment(args[0]), Some((i, _)) if i == "u8") => {
            SqlType::Binary
        }
        "NaiveDate" => SqlType::Date,
        "NaiveTime" => SqlType::Time,
        "NaiveDateTime" => SqlType::Timestamp,
        "DateTime"
            if args.len() == 1 && matches!(last_segment(args[0]), Some((i, _)) if i == "Utc") =>
        {
            SqlType::Timestamptz
        }
        "Uuid" => SqlType::Uuid,
        "BigDecimal" => SqlType::Numeric,
        "Value" if path_mentions(ty, "serde_json") => SqlType::Jsonb,
        _ => return None,
    };
    Some((sql, false))
}
