//! The kind of `history_id`, chosen per model with `#[historical(history_id_type = ...)]`.

use std::fmt::Debug;

use diesel::sql_types::{self as st, SingleValue, SqlType};

use crate::sql_types::PortableUuid;
use crate::HistoryIdType;

/// One kind of `history_id`: its SQL type and its Rust type.
pub trait HistoryIdKind: 'static {
    /// The column's SQL type.
    type SqlType: SqlType<IsNull = st::is_nullable::NotNull>
        + SingleValue
        + Default
        + diesel::query_builder::QueryId
        + 'static;
    /// The Rust value.
    type Value: Clone + Debug + PartialEq + Send + Sync + 'static;
    /// The kind, as the DDL names it.
    const KIND: HistoryIdType;
    /// An id from text (a URL's), or `None` when it is not one.
    fn parse(text: &str) -> Option<Self::Value>;
}

/// Auto-increment `BIGINT` ids: the default.
#[derive(Debug, Clone, Copy)]
pub struct BigInt;

/// UUIDs made by the database.
#[derive(Debug, Clone, Copy)]
pub struct Uuid;

impl HistoryIdKind for BigInt {
    type SqlType = st::BigInt;
    type Value = i64;
    const KIND: HistoryIdType = HistoryIdType::BigInt;
    fn parse(text: &str) -> Option<i64> {
        text.parse().ok()
    }
}

impl HistoryIdKind for Uuid {
    type SqlType = PortableUuid;
    type Value = uuid::Uuid;
    const KIND: HistoryIdType = HistoryIdType::Uuid;
    fn parse(text: &str) -> Option<uuid::Uuid> {
        uuid::Uuid::parse_str(text).ok()
    }
}
