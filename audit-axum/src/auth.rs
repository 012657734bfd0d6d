//! Who is asking: the application's [`Authenticate`] turns a request into a [`Principal`] with
//! roles. Reading history needs a principal; models holding personal data need the auditor or
//! admin role.

use std::collections::HashMap;

use axum::http::header;
use axum::http::request::Parts;

use audit_diesel::UserId;

/// A role of a principal. The API knows two: [`Role::ADMIN`] and [`Role::AUDITOR`], which may
/// read personal data; the application may give others (`operator`, `veterinarian`) for its own
/// handlers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Role(pub String);

impl Role {
    /// Administrators: read everything.
    pub const ADMIN: &'static str = "admin";
    /// Auditors: read everything, personal data included.
    pub const AUDITOR: &'static str = "auditor";

    /// The role named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Role(name.into())
    }
}

/// The caller of a request: the user its writes are attributed to, and its roles.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    /// The user id history rows record.
    pub user: UserId,
    /// Its roles.
    pub roles: Vec<Role>,
}

impl Principal {
    /// A principal of `user` with `roles`.
    pub fn new(user: impl Into<UserId>, roles: &[&str]) -> Self {
        Principal {
            user: user.into(),
            roles: roles.iter().map(|r| Role::new(*r)).collect(),
        }
    }

    /// Whether it has role `name`.
    pub fn has_role(&self, name: &str) -> bool {
        self.roles.iter().any(|r| r.0 == name)
    }

    /// Whether it may read the history of models holding personal data.
    pub fn reads_personal_data(&self) -> bool {
        self.has_role(Role::ADMIN) || self.has_role(Role::AUDITOR)
    }
}

/// How a request becomes a principal: the application's sessions, JWTs, API keys.
///
/// ```
/// use audit_axum::{Authenticate, Principal};
/// use axum::http::request::Parts;
///
/// struct HeaderUser;
/// impl Authenticate for HeaderUser {
///     fn authenticate(&self, parts: &Parts) -> Option<Principal> {
///         let id: i64 = parts.headers.get("x-user")?.to_str().ok()?.parse().ok()?;
///         Some(Principal::new(id, &[]))
///     }
/// }
/// ```
pub trait Authenticate: Send + Sync + 'static {
    /// The principal the request's credentials name; `None` (a 401) when it carries none or
    /// they name no one.
    fn authenticate(&self, parts: &Parts) -> Option<Principal>;
}

/// Bearer tokens, each naming a principal: `Authorization: Bearer <token>`.
///
/// ```
/// use audit_axum::{BearerTokens, Principal, Role};
///
/// let tokens = BearerTokens::new()
///     .token("t-admin", Principal::new(1, &[Role::ADMIN]))
///     .token("t-operator", Principal::new(2, &["operator"]));
/// assert_eq!(tokens.len(), 2);
/// ```
#[derive(Debug, Clone, Default)]
pub struct BearerTokens {
    tokens: HashMap<String, Principal>,
}

impl BearerTokens {
    /// No tokens.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `token` for `principal`.
    pub fn token(mut self, token: impl Into<String>, principal: Principal) -> Self {
        self.tokens.insert(token.into(), principal);
        self
    }

    /// How many tokens there are.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }
}

impl Authenticate for BearerTokens {
    fn authenticate(&self, parts: &Parts) -> Option<Principal> {
        let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
        let (scheme, token) = value.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        self.tokens.get(token.trim()).cloned()
    }
}
