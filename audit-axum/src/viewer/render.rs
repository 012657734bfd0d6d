//! The pieces every page is made of: the layout, dates, values, history types, object links,
//! date-time inputs, the pager, and the error page.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use maud::{html, Markup, DOCTYPE};
use serde_json::Value;

use audit_diesel::schema::spec::meta;
use audit_diesel::HistoryTableSpec;

use super::session::Visitor;
use super::BASE;
use crate::params::encode;
use crate::Problem;

/// A link of the breadcrumb trail: its text and where it goes.
pub(crate) type Crumb = (String, String);

/// A whole page: the layout around `body`, with the headers every page carries.
pub(crate) fn page(
    status: StatusCode,
    title: &str,
    visitor: Option<&Visitor>,
    crumbs: &[Crumb],
    body: Markup,
) -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · History" }
                link rel="stylesheet" href={ (BASE) "/assets/viewer.css" };
                script src={ (BASE) "/assets/viewer.js" } defer {}
            }
            body {
                a class="skip" href="#main" { "Skip to content" }
                header class="top" {
                    nav aria-label="Main" {
                        a href={ (BASE) "/" } { "Models" }
                        a href={ (BASE) "/changesets/" } { "Changesets" }
                    }
                    @if let Some(visitor) = visitor {
                        div class="who" {
                            span { "Signed in as user " strong { (visitor.principal.user) }
                                @if !visitor.principal.roles.is_empty() {
                                    " (" (roles(visitor)) ")"
                                }
                            }
                            @if visitor.by_cookie {
                                form method="post" action={ (BASE) "/logout" } {
                                    button type="submit" class="link" { "Log out" }
                                }
                            }
                        }
                    }
                }
                @if !crumbs.is_empty() {
                    nav aria-label="Breadcrumb" class="crumbs" {
                        ol {
                            @for (text, href) in crumbs {
                                li { a href=(href) { (text) } }
                            }
                            li aria-current="page" { (title) }
                        }
                    }
                }
                main id="main" tabindex="-1" {
                    h1 { (title) }
                    (body)
                }
                footer {
                    p { "Times are shown in " span data-tz { "UTC" }
                        "; hover over a time, or focus it, to see it in UTC." }
                }
            }
        }
    };
    let mut response = (status, markup.into_string()).into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::CACHE_CONTROL, "no-store"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

fn roles(visitor: &Visitor) -> String {
    let names: Vec<&str> = visitor
        .principal
        .roles
        .iter()
        .map(|r| r.0.as_str())
        .collect();
    names.join(", ")
}

/// A failed page: the status and what went wrong, in the layout.
#[derive(Debug)]
pub(crate) struct ViewError(pub(crate) Problem);

impl From<Problem> for ViewError {
    fn from(problem: Problem) -> Self {
        ViewError(problem)
    }
}

impl IntoResponse for ViewError {
    fn into_response(self) -> Response {
        let problem = self.0;
        let body = html! {
            p class="error" role="alert" { (problem.detail) }
            @if let Some(parameter) = &problem.parameter {
                p { "The value at fault: " code { (parameter) } "." }
            }
            p { a href={ (BASE) "/" } { "Back to the models" } }
        };
        page(problem.status_code(), &problem.title, None, &[], body)
    }
}

/// A moment: `<time>` with its RFC 3339 value, shown in UTC until the script shows it in the
/// viewer's zone; the title keeps UTC for hovering.
pub(crate) fn time(at: &DateTime<Utc>) -> Markup {
    let utc = at.format("%Y-%m-%d %H:%M:%S UTC").to_string();
    html! {
        time datetime=(at.to_rfc3339_opts(SecondsFormat::Micros, true)) title=(utc) { (utc) }
    }
}

/// A date held as JSON text (a record's `history_date`).
pub(crate) fn json_time(value: Option<&Value>) -> Markup {
    match value
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
    {
        Some(at) => time(&at.with_timezone(&Utc)),
        None => value.map_or_else(|| html! { "—" }, self::value),
    }
}

/// A field's value: text as it is, `null` marked, other JSON compact.
pub(crate) fn value(value: &Value) -> Markup {
    match value {
        Value::Null => html! { span class="null" { "null" } },
        Value::String(s) if s.is_empty() => html! { span class="null" { "(empty)" } },
        Value::String(s) => html! { (s) },
        other => html! { (other.to_string()) },
    }
}

/// A value as plain text (for keys and ids).
pub(crate) fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A history type: its symbol and its word.
pub(crate) fn history_type(symbol: &str) -> Markup {
    let (word, class) = match symbol {
        "+" => ("Created", "create"),
        "~" => ("Changed", "update"),
        "-" => ("Deleted", "delete"),
        _ => ("Unknown", "unknown"),
    };
    html! {
        span class={ "type " (class) } {
            span class="symbol" aria-hidden="true" { (symbol) } " " (word)
        }
    }
}

/// Who made a change: the user id, or that none was recorded.
pub(crate) fn user(value: Option<&Value>) -> Markup {
    match value {
        None | Some(Value::Null) => html! { span class="null" { "no user" } },
        Some(v) => html! { (text(v)) },
    }
}

/// A record's field (`history_id`, `history_type`, ...).
pub(crate) fn field<'v>(record: &'v Value, name: &str) -> Option<&'v Value> {
    record.get(name)
}

/// A record's `history_id` as text.
pub(crate) fn history_id(record: &Value) -> String {
    field(record, meta::HISTORY_ID)
        .map(text)
        .unwrap_or_default()
}

/// A record's `history_type` symbol.
pub(crate) fn type_symbol(record: &Value) -> &str {
    field(record, meta::HISTORY_TYPE)
        .and_then(Value::as_str)
        .unwrap_or("?")
}

/// The key of a record's object as text, as URLs carry it and the registry reads it back: a
/// number as it is, a string bare unless it would read as JSON, holds a comma or is a dot path
/// segment (then JSON-quoted), a composite key as a JSON array (`[3,"B1"]`).
pub(crate) fn object_key(spec: &HistoryTableSpec, record: &Value) -> String {
    let parts: Vec<Value> = spec
        .primary_key
        .iter()
        .map(|k| field(record, k).cloned().unwrap_or(Value::Null))
        .collect();
    match parts.as_slice() {
        [Value::String(s)] => {
            let ambiguous = s.is_empty()
                || s.contains(',')
                || s == "."
                || s == ".."
                || serde_json::from_str::<Value>(s).is_ok();
            if ambiguous {
                Value::String(s.clone()).to_string()
            } else {
                s.clone()
            }
        }
        [one] => one.to_string(),
        _ => Value::Array(parts).to_string(),
    }
}

/// The path of an object's timeline.
pub(crate) fn object_url(slug: &str, key: &str) -> String {
    format!("{BASE}/{slug}/{}/", encode(key))
}

/// The path of a changeset's page.
pub(crate) fn changeset_url(id: &str) -> String {
    format!("{BASE}/changesets/{}/", encode(id))
}

/// A changeset id, shortened for a table cell to its last 12 digits (a UUID v7 begins with its
/// time, which changesets of the same minute share); the whole id in its title.
pub(crate) fn changeset_link(value: Option<&Value>) -> Markup {
    match value.and_then(Value::as_str) {
        Some(id) => html! { a href=(changeset_url(id)) title=(id) { code { (short_id(id)) } } },
        None => html! { span class="null" { "none" } },
    }
}

/// `…` and the last 12 digits of a UUID.
pub(crate) fn short_id(id: &str) -> String {
    let tail = id.len().saturating_sub(12);
    format!("…{}", id.get(tail..).unwrap_or(id))
}

/// A date-time input read in the viewer's zone: the visible `<input type="datetime-local">`
/// (`<name>_local`, read as UTC without the script) and the hidden `<name>` the script fills
/// with the moment in UTC on submit. An `end` input means the end of the minute or second it
/// shows (a "to" date).
pub(crate) fn moment_input(
    name: &str,
    label: &str,
    at: Option<&DateTime<Utc>>,
    end: bool,
) -> Markup {
    let local = format!("{name}_local");
    let shown = at.map(|a| a.format("%Y-%m-%dT%H:%M:%S").to_string());
    // Milliseconds: the precision every browser's `Date` reads.
    let utc = at.map(|a| a.to_rfc3339_opts(SecondsFormat::Millis, true));
    html! {
        div class="field" {
            label for=(local) { (label) }
            input type="datetime-local" id=(local) name=(local) step="1"
                value=[shown] data-utc=(name) data-utc-value=[utc] data-end[end]
                aria-describedby="zone-hint";
            input type="hidden" name=(name) value="";
        }
    }
}

/// The hint the date-time inputs point to: the zone they are read in.
pub(crate) fn zone_hint() -> Markup {
    html! {
        p class="hint" id="zone-hint" { "Dates and times are read in " span data-tz { "UTC" } "." }
    }
}

/// Newer/older links and where the page is: `href(page)` makes a page's link.
pub(crate) fn pager(
    page: u64,
    page_size: u64,
    total: Option<i64>,
    has_next: bool,
    href: impl Fn(u64) -> String,
) -> Markup {
    let total = total.and_then(|t| u64::try_from(t).ok());
    let pages = total.map(|t| t.div_ceil(page_size.max(1)).max(1));
    html! {
        nav class="pager" aria-label="Pages" {
            @if page > 1 {
                a href=(href(page - 1)) rel="prev" { "← Newer" }
            }
            span class="where" {
                "Page " (page)
                @if let Some(pages) = pages { " of " (pages) }
                @if let Some(total) = total { " · " (total) " rows" }
            }
            @if has_next {
                a href=(href(page.saturating_add(1))) rel="next" { "Older →" }
            }
        }
    }
}

/// A table's header row of plain column names.
pub(crate) fn column_headers(names: &[&str]) -> Markup {
    html! { tr { @for name in names { th scope="col" { (name) } } } }
}

/// A notice at the top of a page (after a revert).
pub(crate) fn notice(text: Markup) -> Markup {
    html! { p class="notice" role="status" { (text) } }
}
