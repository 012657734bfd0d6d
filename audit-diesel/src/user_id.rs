//! The SQL type of `history_user_id`, chosen per model with `#[historical(user_id_type = ...)]`.
//!
//! An [`AuditContext`](crate::AuditContext) carries a [`UserId`] of any kind; each model's history
//! column has one type. An audited write converts the context's id to that type before it sends
//! anything, and fails with [`AuditError::UserIdType`] when the id
//! does not fit (a UUID for an integer column, an integer beyond `i32`).

use std::fmt::Debug;

use diesel::sql_types::{self as st, SingleValue, SqlType};

use crate::sql_types::PortableUuid;
use crate::{AuditError, Historical, UserId, UserIdOf, UserIdType};

/// `user` as model `M`'s `history_user_id`, or [`AuditError::UserIdType`] naming the model when
/// it does not fit.
pub(crate) fn user_value<M: Historical>(user: &UserId) -> Result<UserIdOf<M>, AuditError> {
    M::UserId::convert(user).ok_or_else(|| AuditError::UserIdType {
        model: M::HISTORY.model.to_string(),
        user: user.clone(),
        expected: M::UserId::KIND,
    })
}

/// One type of `history_user_id`: its SQL type, its Rust type and the conversion from [`UserId`].
pub trait UserIdKind: 'static {
    /// The column's SQL type (not null; the column itself is nullable).
    type SqlType: SqlType<IsNull = diesel::sql_types::is_nullable::NotNull>
        + SingleValue
        + Default
        + diesel::query_builder::QueryId
        + 'static;
    /// The Rust value bound for it.
    type Value: Clone + Debug + PartialEq + Send + Sync + 'static;
    /// The kind, as the DDL and the messages name it.
    const KIND: UserIdType;
    /// The value for `user`, or `None` when it does not fit this kind.
    fn convert(user: &UserId) -> Option<Self::Value>;
    /// A stored value as a [`UserId`].
    fn user(value: &Self::Value) -> UserId;
}

/// `INTEGER` user ids.
#[derive(Debug, Clone, Copy)]
pub struct I32;

/// `BIGINT` user ids: the default.
#[derive(Debug, Clone, Copy)]
pub struct I64;

/// UUID user ids.
#[derive(Debug, Clone, Copy)]
pub struct Uuid;

/// Text user ids: usernames, emails, external subjects.
#[derive(Debug, Clone, Copy)]
pub struct Text;

impl UserIdKind for I32 {
    type SqlType = st::Integer;
    type Value = i32;
    const KIND: UserIdType = UserIdType::I32;
    fn convert(user: &UserId) -> Option<i32> {
        match user {
            UserId::Int(v) => i32::try_from(*v).ok(),
            _ => None,
        }
    }
    fn user(value: &i32) -> UserId {
        UserId::Int(i64::from(*value))
    }
}

impl UserIdKind for I64 {
    type SqlType = st::BigInt;
    type Value = i64;
    const KIND: UserIdType = UserIdType::I64;
    fn convert(user: &UserId) -> Option<i64> {
        match user {
            UserId::Int(v) => Some(*v),
            _ => None,
        }
    }
    fn user(value: &i64) -> UserId {
        UserId::Int(*value)
    }
}

impl UserIdKind for Uuid {
    type SqlType = PortableUuid;
    type Value = uuid::Uuid;
    const KIND: UserIdType = UserIdType::Uuid;
    fn convert(user: &UserId) -> Option<uuid::Uuid> {
        match user {
            UserId::Uuid(v) => Some(*v),
            _ => None,
        }
    }
    fn user(value: &uuid::Uuid) -> UserId {
        UserId::Uuid(*value)
    }
}

impl UserIdKind for Text {
    type SqlType = st::Text;
    type Value = String;
    const KIND: UserIdType = UserIdType::Text;
    fn convert(user: &UserId) -> Option<String> {
        match user {
            UserId::Text(v) => Some(v.clone()),
            _ => None,
        }
    }
    fn user(value: &String) -> UserId {
        UserId::Text(value.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_convert_only_where_they_fit() {
        assert_eq!(I32::convert(&UserId::Int(7)), Some(7));
        assert_eq!(I32::convert(&UserId::Int(i64::from(i32::MAX) + 1)), None);
        assert_eq!(I64::convert(&UserId::Int(i64::MAX)), Some(i64::MAX));
        assert_eq!(I64::convert(&UserId::Text("7".into())), None);
    }

    #[test]
    fn uuids_and_text_do_not_mix() {
        let id = uuid::Uuid::nil();
        assert_eq!(Uuid::convert(&UserId::Uuid(id)), Some(id));
        assert_eq!(Uuid::convert(&UserId::Text(id.to_string())), None);
        assert_eq!(
            Text::convert(&UserId::Text("bob".into())),
            Some("bob".into())
        );
        assert_eq!(Text::convert(&UserId::Int(1)), None);
    }
}
