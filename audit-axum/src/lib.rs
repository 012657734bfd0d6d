//! The history HTTP API of `audit-diesel` for axum: read-only endpoints over the application's
//! [`Registry`], roles for personal data, RFC 9457 errors, an OpenAPI 3.1 document, the
//! attribution of the application's own writes ([`Attributed`]), and a history viewer for the
//! browser ([`HistoryApi::viewer`]: pages under `/history/`).
//!
//! ```no_run
//! # use audit_diesel::Registry;
//! # use diesel::SqliteConnection;
//! use audit_axum::{BearerTokens, HistoryApi, Principal, Role};
//!
//! # async fn serve(registry: Registry<SqliteConnection>) -> std::io::Result<()> {
//! let pool = diesel::r2d2::Pool::builder()
//!     .build(diesel::r2d2::ConnectionManager::<SqliteConnection>::new("farm.sqlite3"))
//!     .expect("pool");
//! let tokens = BearerTokens::new().token("secret", Principal::new(1, &[Role::AUDITOR]));
//! let app = HistoryApi::new(registry, pool, tokens).router();
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8000").await?;
//! axum::serve(listener, app).await
//! # }
//! ```
//!
//! | route | answers |
//! |---|---|
//! | `GET /api/v1/history/models/` | the registered models, their fields, whether they hold personal data |
//! | `GET /api/v1/history/{model}/` | a page of the model's history, newest first: `date_from`, `date_to`, `history_user`, `history_type`, `object_id`, `changeset`, `page`, `page_size` (25, at most 100), `cursor` (keyset) |
//! | `GET /api/v1/history/{model}/{history_id}/` | one record, the object's record before it and the diff |
//! | `GET /api/v1/history/{model}/{object_id}/as-of?at=` | the object at that time |
//! | `GET /api/v1/history/changesets/` | changesets across models, newest first: `history_user`, `date_from`, `date_to`, `page_size`, `cursor` |
//! | `GET /api/v1/history/changesets/{id}/` | one changeset's rows across models |
//! | `GET /api/v1/history/openapi.json` | the OpenAPI 3.1 document (no credentials needed; the models holding personal data only for callers who may read them) |
//!
//! `{model}` is the model's name in snake case (`batch_transfer`), its Rust name or its history
//! table. Without credentials every route but the document answers 401; a model registered as
//! personal data ([`Registry::personal_model`]) answers 403 to a caller without the admin or
//! auditor role, and its rows are left out of the changesets such a caller reads. Other methods
//! answer 405. Bad input is a 400 naming the parameter, an unknown model or record a 404, a
//! database failure a 503 without its internals.
//!
//! [`HistoryApi::viewer`] adds the pages of the history viewer under `/history/`, with the same
//! authenticator and roles (its own table of pages is there).
//!
//! Database work runs on a blocking thread ([`tokio::task::spawn_blocking`]) with a connection
//! of Diesel's `r2d2` pool: the async executor never waits on the database.

mod attribution;
mod auth;
mod handlers;
mod openapi;
mod params;
mod problem;
mod viewer;

use std::sync::Arc;

use axum::routing::get;
use axum::Router;
use diesel::r2d2::{ConnectionManager, R2D2Connection};

use audit_diesel::{AuditConnection, AuditError, Registry};

pub use attribution::Attributed;
pub use auth::{Authenticate, BearerTokens, Principal, Role};
pub use params::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
pub use problem::Problem;
pub use viewer::{ViewerOptions, TOKEN_COOKIE};

/// Diesel's connection pool, over connections of type `C`.
pub type Pool<C> = diesel::r2d2::Pool<ConnectionManager<C>>;

/// The history API over the models of a [`Registry`]: [`router`](Self::router) serves it.
pub struct HistoryApi<C: R2D2Connection + 'static> {
    inner: Arc<Inner<C>>,
}

impl<C: R2D2Connection + 'static> Clone for HistoryApi<C> {
    fn clone(&self) -> Self {
        HistoryApi {
            inner: Arc::clone(&self.inner),
        }
    }
}

pub(crate) struct Inner<C: R2D2Connection + 'static> {
    pub(crate) registry: Registry<C>,
    pub(crate) pool: Pool<C>,
    pub(crate) auth: Box<dyn Authenticate>,
    /// The document with every model, for callers who may read personal data.
    pub(crate) openapi: String,
    /// The document without the models holding personal data, for everyone else.
    pub(crate) openapi_public: String,
}

impl<C> HistoryApi<C>
where
    C: AuditConnection + R2D2Connection + 'static,
{
    /// The API over `registry`'s models, reading through `pool`, with callers known by `auth`.
    pub fn new(registry: Registry<C>, pool: Pool<C>, auth: impl Authenticate) -> Self {
        let render = |personal_data| {
            openapi::document(&registry, personal_data)
                .to_pretty_json()
                .unwrap_or_else(|_| "{}".to_owned())
        };
        let (openapi, openapi_public) = (render(true), render(false));
        HistoryApi {
            inner: Arc::new(Inner {
                registry,
                pool,
                auth: Box::new(auth),
                openapi,
                openapi_public,
            }),
        }
    }

    /// The routes, to serve or to merge into the application's router.
    pub fn router<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        let base = "/api/v1/history";
        Router::new()
            .route(&format!("{base}/models/"), get(handlers::models::<C>))
            .route(&format!("{base}/openapi.json"), get(handlers::openapi::<C>))
            .route(
                &format!("{base}/changesets/"),
                get(handlers::changesets::<C>),
            )
            .route(
                &format!("{base}/changesets/{{id}}/"),
                get(handlers::changeset::<C>),
            )
            .route(&format!("{base}/{{model}}/"), get(handlers::list::<C>))
            .route(
                &format!("{base}/{{model}}/{{id}}/"),
                get(handlers::detail::<C>),
            )
            .route(
                &format!("{base}/{{model}}/{{id}}/as-of"),
                get(handlers::as_of::<C>),
            )
            .method_not_allowed_fallback(handlers::method_not_allowed)
            .with_state(self.clone())
    }

    /// The OpenAPI 3.1 document the router serves at `/api/v1/history/openapi.json`: with the
    /// models holding personal data for a caller who may read them, without for everyone else
    /// (anonymous callers too).
    pub fn openapi_json(&self, personal_data: bool) -> &str {
        if personal_data {
            &self.inner.openapi
        } else {
            &self.inner.openapi_public
        }
    }

    /// The registry it serves.
    pub fn registry(&self) -> &Registry<C> {
        &self.inner.registry
    }

    /// The principal of a request, as the API's authenticator sees it.
    pub fn authenticate(&self, parts: &axum::http::request::Parts) -> Option<Principal> {
        self.inner.auth.authenticate(parts)
    }

    /// Runs `work` with a pooled connection on a blocking thread: for the application's write
    /// handlers as for the API's reads. A pool timeout or a database error is a 503, an
    /// [`AuditError`] of bad input a 400 or 404 ([`Problem`]'s `From<AuditError>`).
    ///
    /// # Errors
    /// The [`Problem`] to answer.
    pub async fn run<T, F>(&self, work: F) -> Result<T, Problem>
    where
        T: Send + 'static,
        F: FnOnce(&mut C, &Registry<C>) -> Result<T, AuditError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let mut conn = inner.pool.get().map_err(|_| Problem::unavailable())?;
            work(&mut conn, &inner.registry).map_err(Problem::from)
        })
        .await
        .map_err(|_| {
            Problem::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "the history API failed",
            )
        })?
    }
}
