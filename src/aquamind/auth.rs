//! Stands for an authentication crate the application does not own: it exports its `users`
//! table and its `User` model, and knows nothing of the audit trail.

use diesel::prelude::*;

diesel::table! {
    users (id) {
        id -> Integer,
        username -> Text,
        email -> Text,
        first_name -> Text,
        last_name -> Text,
        password_hash -> Text,
        is_staff -> Bool,
        is_active -> Bool,
    }
}

/// The crate's own model: no `#[derive(Historical)]` here, and the application cannot add it.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i32,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub password_hash: String,
    pub is_staff: bool,
    pub is_active: bool,
}
