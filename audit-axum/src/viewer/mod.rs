//! The history viewer: server-rendered pages under `/history/` for the people who read the
//! trail — models, a model's history with the API's filters and a "changes" column, an object's
//! timeline with side-by-side diffs and an "as of" picker, changesets, and revert behind a
//! confirmation for the roles allowed to write.
//!
//! Pages are HTML rendered on the server with [`maud`] (checked at compile time, every value
//! escaped: history holds what users typed). One stylesheet and one small script are compiled
//! into the binary; nothing is fetched at run time. Reading works without JavaScript (dates are
//! then shown and read in UTC); with it, dates are shown in the viewer's time zone, UTC on
//! hover, and the date-time inputs are read in that zone.
//!
//! The viewer authenticates as the API does ([`Authenticate`](crate::Authenticate)), on each
//! request: an application with its own session cookie is already signed in; otherwise the
//! login page asks for a bearer token and keeps it in an `HttpOnly`, `SameSite=Lax` cookie
//! for `/history`, shown to the authenticator as `Authorization: Bearer <token>`. Forms that
//! write (login, logout, revert) are refused unless the browser says they come from the
//! viewer's own origin (`Sec-Fetch-Site` or `Origin`), so the cookie can be `Lax`: a link from
//! the application to a page of the viewer arrives signed in.

mod pages;
mod render;
mod revert;
mod session;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use diesel::r2d2::R2D2Connection;

use audit_diesel::AuditConnection;

use crate::{HistoryApi, Role};

pub use session::TOKEN_COOKIE;

/// Where the viewer is served.
pub(crate) const BASE: &str = "/history";

/// What the viewer lets whom do: [`HistoryApi::viewer_with`].
///
/// ```
/// use audit_axum::{Role, ViewerOptions};
///
/// let options = ViewerOptions::new().revert_roles(&[Role::ADMIN, "operator"]);
/// assert!(options.may_revert_as(&["operator"]));
/// assert!(!options.may_revert_as(&[Role::AUDITOR]));
/// ```
#[derive(Debug, Clone)]
pub struct ViewerOptions {
    revert_roles: Vec<String>,
    secure_cookie: bool,
}

impl Default for ViewerOptions {
    fn default() -> Self {
        ViewerOptions {
            revert_roles: vec![Role::ADMIN.to_owned()],
            secure_cookie: false,
        }
    }
}

impl ViewerOptions {
    /// Reverting needs the admin role; the login cookie is sent over plain HTTP too.
    pub fn new() -> Self {
        Self::default()
    }

    /// The roles that may revert a record or a changeset (admin only unless set; none at all
    /// with `&[]`, which makes the viewer read-only).
    pub fn revert_roles(mut self, roles: &[&str]) -> Self {
        self.revert_roles = roles.iter().map(|r| (*r).to_owned()).collect();
        self
    }

    /// Marks the login cookie `Secure` (sent over HTTPS only): set it when the viewer is served
    /// over TLS, as it should be anywhere but on a developer's machine.
    pub fn secure_cookie(mut self, secure: bool) -> Self {
        self.secure_cookie = secure;
        self
    }

    /// Whether a principal with these roles may revert.
    pub fn may_revert_as(&self, roles: &[&str]) -> bool {
        roles
            .iter()
            .any(|r| self.revert_roles.iter().any(|x| x == r))
    }
}

/// The viewer's state: the API it reads through and its options.
pub(crate) struct Viewer<C: R2D2Connection + 'static> {
    pub(crate) api: HistoryApi<C>,
    pub(crate) options: Arc<ViewerOptions>,
}

impl<C: R2D2Connection + 'static> Clone for Viewer<C> {
    fn clone(&self) -> Self {
        Viewer {
            api: self.api.clone(),
            options: Arc::clone(&self.options),
        }
    }
}

impl<C> HistoryApi<C>
where
    C: AuditConnection + R2D2Connection + 'static,
{
    /// The history viewer's pages under `/history/`, to merge into the application's router
    /// beside [`router`](Self::router); reverting needs the admin role
    /// ([`viewer_with`](Self::viewer_with) to choose).
    ///
    /// ```no_run
    /// # use audit_axum::{BearerTokens, HistoryApi};
    /// # fn app(api: HistoryApi<diesel::SqliteConnection>) -> axum::Router {
    /// api.router().merge(api.viewer())
    /// # }
    /// ```
    ///
    /// | page | shows |
    /// |---|---|
    /// | `/history/` | every model the visitor may read, with its rows and history rows |
    /// | `/history/{model}/` | its history, newest first, filtered and paged as the API's listing, with the changed fields of each row |
    /// | `/history/{model}/{object_id}/` | the object's timeline: each row with its diff, user, reason and changeset; `?at=` its state at that time |
    /// | `/history/changesets/`, `/history/changesets/{id}/` | changesets across models, and one changeset's rows |
    /// | `/history/{model}/{object_id}/revert/{history_id}`, `/history/changesets/{id}/revert` | what a revert would do, and a form to do it |
    /// | `/history/login` | a form for a bearer token |
    pub fn viewer<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        self.viewer_with(ViewerOptions::default())
    }

    /// [`viewer`](Self::viewer) with `options`.
    pub fn viewer_with<S: Clone + Send + Sync + 'static>(
        &self,
        options: ViewerOptions,
    ) -> Router<S> {
        let state = Viewer {
            api: self.clone(),
            options: Arc::new(options),
        };
        Router::new()
            .route(BASE, get(session::to_index))
            .route(&format!("{BASE}/"), get(pages::models::<C>))
            .route(
                &format!("{BASE}/login"),
                get(session::login_form::<C>).post(session::login::<C>),
            )
            .route(&format!("{BASE}/logout"), post(session::logout::<C>))
            .route(&format!("{BASE}/assets/{{file}}"), get(session::asset))
            .route(&format!("{BASE}/changesets/"), get(pages::changesets::<C>))
            .route(
                &format!("{BASE}/changesets/{{id}}/"),
                get(pages::changeset::<C>),
            )
            .route(
                &format!("{BASE}/changesets/{{id}}/revert"),
                get(revert::changeset_form::<C>).post(revert::changeset::<C>),
            )
            .route(&format!("{BASE}/{{model}}/"), get(pages::model::<C>))
            .route(
                &format!("{BASE}/{{model}}/{{object}}/"),
                get(pages::object::<C>),
            )
            .route(
                &format!("{BASE}/{{model}}/{{object}}/revert/{{history_id}}"),
                get(revert::record_form::<C>).post(revert::record::<C>),
            )
            .with_state(state)
    }
}
