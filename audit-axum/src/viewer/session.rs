//! Who is looking: the visitor of a page (the application's own session, or the login cookie
//! holding a bearer token), the login and logout forms, the check that a form comes from the
//! viewer's own pages, and the embedded assets.

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use diesel::r2d2::R2D2Connection;
use maud::html;

use audit_diesel::AuditConnection;

use super::render::{page, ViewError};
use super::{Viewer, BASE};
use crate::params::{decode, encode, Params};
use crate::{Principal, Problem};

/// The cookie that holds the token of a visitor who logged in through the viewer's form.
pub const TOKEN_COOKIE: &str = "audit_history_token";

const STYLE: &str = include_str!("assets/viewer.css");
const SCRIPT: &str = include_str!("assets/viewer.js");

/// The visitor of a page: signed in, or sent to the login page.
pub(crate) struct Visitor {
    pub(crate) principal: Principal,
    /// Signed in with the viewer's login cookie (then it may log out).
    pub(crate) by_cookie: bool,
    /// May revert records and changesets.
    pub(crate) may_revert: bool,
}

impl<C> FromRequestParts<Viewer<C>> for Visitor
where
    C: AuditConnection + R2D2Connection + 'static,
{
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        viewer: &Viewer<C>,
    ) -> Result<Self, Self::Rejection> {
        let token = (!parts.headers.contains_key(header::AUTHORIZATION))
            .then(|| cookie(parts, TOKEN_COOKIE))
            .flatten();
        // The login cookie's token, else (none, or one that names no one any more) the
        // application's own way.
        let by_token = token.as_deref().and_then(|t| with_token(viewer, parts, t));
        let by_cookie = by_token.is_some();
        let principal = by_token.or_else(|| viewer.api.authenticate(parts));
        let Some(principal) = principal else {
            let next = parts
                .uri
                .path_and_query()
                .map_or(BASE, |p| p.as_str())
                .to_owned();
            return Err(
                Redirect::to(&format!("{BASE}/login?next={}", encode(&next))).into_response(),
            );
        };
        let roles: Vec<&str> = principal.roles.iter().map(|r| r.0.as_str()).collect();
        Ok(Visitor {
            may_revert: viewer.options.may_revert_as(&roles),
            by_cookie,
            principal,
        })
    }
}

/// The principal that `token` names, as the authenticator sees a request carrying it as
/// `Authorization: Bearer <token>`.
fn with_token<C>(viewer: &Viewer<C>, parts: &Parts, token: &str) -> Option<Principal>
where
    C: AuditConnection + R2D2Connection + 'static,
{
    let value = HeaderValue::from_str(&format!("Bearer {token}")).ok()?;
    let mut request = Request::new(());
    *request.method_mut() = parts.method.clone();
    *request.uri_mut() = parts.uri.clone();
    *request.headers_mut() = parts.headers.clone();
    request.headers_mut().insert(header::AUTHORIZATION, value);
    let (with_header, ()) = request.into_parts();
    viewer.api.authenticate(&with_header)
}

/// The value of cookie `name`, decoded.
fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| decode(v))
        .filter(|v| !v.is_empty())
}

/// Refuses a form that the browser does not say comes from the viewer's own origin: a page of
/// another site cannot make a signed-in visitor revert (the cookie is `SameSite=Lax` too).
pub(crate) fn same_origin(parts: &Parts) -> Result<(), ViewError> {
    let refuse = || {
        ViewError(Problem::new(
            StatusCode::FORBIDDEN,
            "this form is accepted only from the viewer's own pages",
        ))
    };
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return if site == "same-origin" {
            Ok(())
        } else {
            Err(refuse())
        };
    }
    // The host the request was sent to: `Host` (HTTP/1.1), else the URI's authority (HTTP/2).
    let host = header("host").or_else(|| parts.uri.authority().map(|a| a.as_str()));
    match (header("origin"), host) {
        (Some(origin), Some(host)) if origin.split_once("://").map(|(_, h)| h) == Some(host) => {
            Ok(())
        }
        _ => Err(refuse()),
    }
}

/// Where to go after logging in: a page of the viewer, never elsewhere.
fn next_page(next: Option<String>) -> String {
    next.filter(|n| {
        n.starts_with(&format!("{BASE}/"))
            && !n.contains("//")
            && n.bytes().all(|b| b.is_ascii_graphic())
    })
    .unwrap_or_else(|| format!("{BASE}/"))
}

/// `GET /history`: the models page is `/history/`.
pub(crate) async fn to_index() -> Redirect {
    Redirect::permanent(&format!("{BASE}/"))
}

/// `GET /history/login`.
pub(crate) async fn login_form<C>(
    State(_): State<Viewer<C>>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<Response, ViewError>
where
    C: AuditConnection + R2D2Connection + 'static,
{
    let next = Params::parse(raw.as_deref())?.text("next");
    Ok(login_page(StatusCode::OK, &next_page(next), None))
}

fn login_page(status: StatusCode, next: &str, error: Option<&str>) -> Response {
    let body = html! {
        @if let Some(error) = error {
            p class="error" role="alert" id="login-error" { (error) }
        }
        form method="post" action={ (BASE) "/login" } class="login" {
            input type="hidden" name="next" value=(next);
            div class="field" {
                label for="token" { "Access token" }
                input type="password" id="token" name="token" required autocomplete="current-password"
                    aria-describedby=[error.map(|_| "login-error")];
            }
            button type="submit" { "Log in" }
        }
        p class="hint" { "The token is the bearer token the history API accepts; it is kept in a cookie of this site until you log out." }
    };
    page(status, "Log in", None, &[], body)
}

/// `POST /history/login`: a token that names a principal sets the cookie.
pub(crate) async fn login<C>(
    State(viewer): State<Viewer<C>>,
    parts: Parts,
    body: Bytes,
) -> Result<Response, ViewError>
where
    C: AuditConnection + R2D2Connection + 'static,
{
    same_origin(&parts)?;
    let form = Params::parse(std::str::from_utf8(&body).ok())?;
    let next = next_page(form.text("next"));
    let token = form.text("token").unwrap_or_default();
    let token = token.trim();
    if token.is_empty() || with_token(&viewer, &parts, token).is_none() {
        return Ok(login_page(
            StatusCode::UNAUTHORIZED,
            &next,
            Some("That token names no one: check it and try again."),
        ));
    }
    let secure = if viewer.options.secure_cookie {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{TOKEN_COOKIE}={}; Path={BASE}; HttpOnly; SameSite=Lax{secure}",
        encode(token)
    );
    let mut response = Redirect::to(&next).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// `POST /history/logout`: forgets the cookie.
pub(crate) async fn logout<C>(
    State(_): State<Viewer<C>>,
    parts: Parts,
) -> Result<Response, ViewError>
where
    C: AuditConnection + R2D2Connection + 'static,
{
    same_origin(&parts)?;
    let mut response = Redirect::to(&format!("{BASE}/login")).into_response();
    let cookie = format!("{TOKEN_COOKIE}=; Path={BASE}; HttpOnly; SameSite=Lax; Max-Age=0");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// `GET /history/assets/{file}`: the stylesheet and the script, compiled in.
pub(crate) async fn asset(Path(file): Path<String>) -> Response {
    let (body, kind) = match file.as_str() {
        "viewer.css" => (STYLE, "text/css; charset=utf-8"),
        "viewer.js" => (SCRIPT, "text/javascript; charset=utf-8"),
        _ => return (StatusCode::NOT_FOUND, "no such asset").into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=3600"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}
