//! RFC 9457 problem details: every error the API answers, as `application/problem+json`.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use audit_diesel::AuditError;

/// An error response: `{"type", "title", "status", "detail", "parameter"}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// The kind of problem, a URI (`about:blank` for the plain HTTP status).
    #[serde(rename = "type")]
    pub kind: String,
    /// The status's reason phrase.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong, for people.
    pub detail: String,
    /// The request parameter at fault, for a 400.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
}

impl Problem {
    /// A problem with `status` and `detail`.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Problem {
            kind: "about:blank".to_owned(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            parameter: None,
        }
    }

    /// A 400 naming the parameter at fault.
    pub fn bad_parameter(parameter: &str, detail: impl Into<String>) -> Self {
        Problem {
            parameter: Some(parameter.to_owned()),
            ..Problem::new(StatusCode::BAD_REQUEST, detail)
        }
    }

    /// 401: no credentials, or credentials that name no one.
    pub fn unauthorized() -> Self {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "authentication required: send `Authorization: Bearer <token>`",
        )
    }

    /// 404.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::NOT_FOUND, detail)
    }

    /// 503: the database is unreachable or failed; the body says nothing of its internals.
    pub fn unavailable() -> Self {
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the history database is unavailable; try again later",
        )
    }

    /// The status, as axum's type.
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

/// The request parameter an [`AuditError`] of a read is about, as the API names it.
fn parameter_of(argument: &str) -> &str {
    match argument {
        "since" => "date_from",
        "until" => "date_to",
        "after" => "cursor",
        "as_of" => "at",
        other => other,
    }
}

/// A database refusal: the constraint a write broke (409, 422), or a 503 for everything else
/// (connections, timeouts). The body names the kind of constraint, never the database's message.
fn database_problem(source: &diesel::result::Error) -> Problem {
    use diesel::result::{DatabaseErrorKind as Kind, Error};
    match source {
        Error::DatabaseError(Kind::UniqueViolation, _) => Problem::new(
            StatusCode::CONFLICT,
            "a row with these unique values exists already",
        ),
        Error::DatabaseError(Kind::ForeignKeyViolation, _) => Problem::new(
            StatusCode::CONFLICT,
            "a row it refers to does not exist, or rows still refer to it",
        ),
        Error::DatabaseError(Kind::NotNullViolation | Kind::CheckViolation, _) => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "a value breaks a constraint of the table",
        ),
        _ => Problem::unavailable(),
    }
}

impl From<AuditError> for Problem {
    fn from(error: AuditError) -> Self {
        match &error {
            AuditError::InvalidPageSize { .. } => {
                Problem::bad_parameter("page_size", error.to_string())
            }
            AuditError::InvalidPage { .. } => Problem::bad_parameter("page", error.to_string()),
            AuditError::DateOutOfRange { argument, .. } => {
                Problem::bad_parameter(parameter_of(argument), error.to_string())
            }
            AuditError::UnknownHistoryId { .. } => {
                Problem::bad_parameter("cursor", error.to_string())
            }
            AuditError::UserIdType { .. } => {
                Problem::bad_parameter("history_user", error.to_string())
            }
            AuditError::InvalidValue { argument, .. } => {
                Problem::bad_parameter(parameter_of(argument), error.to_string())
            }
            AuditError::Context(_) => Problem::bad_parameter("X-Change-Reason", error.to_string()),
            AuditError::NotFound { .. } | AuditError::UnknownChangeset { .. } => {
                Problem::not_found(error.to_string())
            }
            AuditError::ChangesetConflict { .. }
            | AuditError::DuplicateKey { .. }
            | AuditError::Hook { .. } => Problem::new(StatusCode::CONFLICT, error.to_string()),
            AuditError::Database { source, .. } | AuditError::Diesel(source) => {
                database_problem(source)
            }
            AuditError::EmptyChangeset { .. } => {
                Problem::new(StatusCode::BAD_REQUEST, error.to_string())
            }
            _ => Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "the history API failed"),
        }
    }
}
