//! Users: the foreign `auth::users` table gets history through a model of the application's own,
//! and profiles are the application's.
//!
//! The pattern for a model you do not define (django-simple-history's `register(User)`): declare a
//! struct over the other crate's `table!` and derive `Historical` on it; write the table through
//! that struct. Its history table and row struct are the application's.

use audit_diesel::Historical;
use diesel::prelude::*;

use super::auth::users;
use super::schema::user_profiles;

/// `auth::User`, audited. The password hash is never copied into history.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Historical)]
#[diesel(table_name = users)]
#[historical(user_id_type = i32, table_name = historical_auth_users, record = HistoricalUser)]
pub struct AuditedUser {
    pub id: i32,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    #[historical(exclude)]
    pub password_hash: String,
    pub is_staff: bool,
    pub is_active: bool,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Historical)]
#[diesel(table_name = user_profiles)]
#[historical(user_id_type = i32)]
pub struct UserProfile {
    pub id: i32,
    #[historical(index)]
    pub user_id: i32,
    pub full_name: String,
    pub phone: Option<String>,
    pub role: String,
    pub geography_id: Option<i32>,
    pub language: String,
}
