//! Attribution of the application's own writes: who (the request's principal), why (the
//! `X-Change-Reason` header, or a reason made from the route) and which changeset (one derived
//! from the `X-Request-Id` header and the caller, so that a retried request joins its own
//! changeset and no caller can join another's; a new one per request without the header).

use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use diesel::r2d2::R2D2Connection;

use audit_diesel::{AuditConnection, AuditContext};

use crate::{HistoryApi, Principal, Problem};

/// The header that carries a write's change reason.
pub const CHANGE_REASON: &str = "x-change-reason";
/// The header that names the request: its writes' changeset is derived from it and the caller.
pub const REQUEST_ID: &str = "x-request-id";

/// The UUID v5 namespace of changesets derived from request ids.
const REQUEST_NAMESPACE: uuid::Uuid =
    uuid::Uuid::from_u128(0x7c3e_6a4e_2b1d_4f0a_9d8e_5a61_c0de_a0d1);

/// The audit context of a request, for the application's write handlers: the principal's user,
/// the `X-Change-Reason` header (or `"created via POST /api/v1/batches"`, from the method and the
/// route, as django-simple-history users' mixins do), and the request's changeset (a UUID v5 of
/// the caller and `X-Request-Id`, or a new id). Needs
/// [`HistoryApi::attributed`] on the routes; without credentials it is a 401.
///
/// The second field is the principal, for the handler's own role checks.
///
/// ```
/// use audit_axum::Attributed;
/// use axum::Json;
///
/// async fn create_batch(Attributed(ctx, _who): Attributed, Json(body): Json<serde_json::Value>) -> String {
///     // Batch::create(conn, &ctx, &new_batch) in `api.run(...)`.
///     format!("{:?} {:?}", ctx.user(), ctx.reason().map(|r| r.as_str().to_owned()))
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Attributed(pub AuditContext, pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Attributed {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let principal = parts
            .extensions
            .get::<Principal>()
            .cloned()
            .ok_or_else(Problem::unauthorized)?;
        let header = |name: &str| -> Result<Option<String>, Problem> {
            parts
                .headers
                .get(name)
                .map(|v| {
                    v.to_str().map(|s| s.trim().to_owned()).map_err(|_| {
                        Problem::bad_parameter(name, format!("`{name}` must be visible ASCII text"))
                    })
                })
                .transpose()
                .map(|v| v.filter(|s| !s.is_empty()))
        };
        let reason = match header(CHANGE_REASON)? {
            Some(reason) => reason,
            None => {
                let route = parts
                    .extensions
                    .get::<MatchedPath>()
                    .map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned());
                format!("{} via {} {route}", verb(&parts.method), parts.method)
            }
        };
        // Derived from the caller and the request id, so that a caller cannot add writes to
        // another's changeset by sending its id (a revert of that changeset would undo them).
        let changeset = header(REQUEST_ID)?.map_or_else(uuid::Uuid::now_v7, |id| {
            uuid::Uuid::new_v5(
                &REQUEST_NAMESPACE,
                format!("{}\n{id}", principal.user).as_bytes(),
            )
        });
        let ctx = AuditContext::builder()
            .user(principal.user.clone())
            .reason(reason)
            .changeset(changeset)
            .build()
            .map_err(|e| Problem::bad_parameter("X-Change-Reason", e.to_string()))?;
        Ok(Attributed(ctx, principal))
    }
}

fn verb(method: &Method) -> &'static str {
    match *method {
        Method::POST => "created",
        Method::PUT | Method::PATCH => "updated",
        Method::DELETE => "deleted",
        _ => "changed",
    }
}

/// Puts the request's principal, if it has one, where [`Attributed`] finds it.
async fn attach<C>(State(api): State<HistoryApi<C>>, request: Request, next: Next) -> Response
where
    C: AuditConnection + R2D2Connection + 'static,
{
    let (mut parts, body) = request.into_parts();
    if let Some(principal) = api.authenticate(&parts) {
        parts.extensions.insert(principal);
    }
    next.run(Request::from_parts(parts, body))
        .await
        .into_response()
}

impl<C> HistoryApi<C>
where
    C: AuditConnection + R2D2Connection + 'static,
{
    /// `routes` with attribution: their handlers can take [`Attributed`].
    pub fn attributed<S: Clone + Send + Sync + 'static>(&self, routes: Router<S>) -> Router<S> {
        routes.layer(axum::middleware::from_fn_with_state(
            self.clone(),
            attach::<C>,
        ))
    }
}
