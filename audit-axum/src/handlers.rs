//! The endpoints. Each authenticates its caller, reads its parameters by hand (a bad one is a
//! 400 naming it), and does its database work through [`HistoryApi::run`].

use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use diesel::r2d2::R2D2Connection;
use serde_json::{json, Value};

use audit_diesel::changeset::{ChangesetQuery, ChangesetSummary};
use audit_diesel::registry::{ModelHistory, RecordQuery};
use audit_diesel::{AuditConnection, AuditError, HistoryTableSpec, Page, Registry, UserId};
use chrono::{DateTime, Utc};

use crate::params::{encode, parse_uuid, Params, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use crate::{HistoryApi, Principal, Problem};

/// The authenticated caller of a request (401 without one).
pub(crate) struct Caller(pub(crate) Principal);

impl<C> FromRequestParts<HistoryApi<C>> for Caller
where
    C: AuditConnection + R2D2Connection + 'static,
{
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut Parts,
        api: &HistoryApi<C>,
    ) -> Result<Self, Self::Rejection> {
        api.authenticate(parts)
            .map(Caller)
            .ok_or_else(Problem::unauthorized)
    }
}

/// A model's name in URLs: its Rust name in snake case (`BatchTransfer` is `batch_transfer`).
pub(crate) fn slug(spec: &HistoryTableSpec) -> String {
    audit_diesel::schema::snake_case(&spec.model)
}

/// The model a URL names, readable by `caller`: 404 when no such model, 403 when it holds
/// personal data the caller may not read.
pub(crate) fn model_for<'r, C: AuditConnection>(
    registry: &'r Registry<C>,
    name: &str,
    caller: &Principal,
) -> Result<ModelHistory<'r, C>, Problem> {
    let model = find_model(registry, name).ok_or_else(|| {
        let known: Vec<String> = registry
            .histories()
            .filter(|m| !m.personal_data() || caller.reads_personal_data())
            .map(|m| slug(m.spec()))
            .collect();
        Problem::not_found(format!(
            "no model `{name}` has history here; models: {}",
            known.join(", ")
        ))
    })?;
    if model.personal_data() && !caller.reads_personal_data() {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            format!(
                "the history of `{name}` holds personal data: it needs the admin or auditor role"
            ),
        ));
    }
    Ok(model)
}

/// The model a URL names: by slug, Rust name or history table.
pub(crate) fn find_model<'r, C: AuditConnection>(
    registry: &'r Registry<C>,
    name: &str,
) -> Option<ModelHistory<'r, C>> {
    registry
        .histories()
        .find(|m| slug(m.spec()) == name)
        .or_else(|| registry.history(name))
}

/// `GET /api/v1/history/models/`.
pub(crate) async fn models<C>(State(api): State<HistoryApi<C>>, Caller(caller): Caller) -> Response
where
    C: AuditConnection + R2D2Connection + 'static,
{
    let models: Vec<Value> = api
        .registry()
        .histories()
        .filter(|m| !m.personal_data() || caller.reads_personal_data())
        .map(|m| {
            let spec = m.spec();
            let fields: Vec<Value> = spec
                .columns
                .iter()
                .map(|c| {
                    json!({
                        "name": c.name,
                        "type": crate::openapi::type_name(&c.sql_type),
                        "nullable": c.nullable,
                    })
                })
                .collect();
            json!({
                "name": slug(spec),
                "model": spec.model,
                "history_table": spec.history_table,
                "primary_key": spec.primary_key,
                "fields": fields,
                "personal_data": m.personal_data(),
                "url": format!("/api/v1/history/{}/", slug(spec)),
            })
        })
        .collect();
    Json(json!({ "results": models })).into_response()
}

/// `GET /api/v1/history/openapi.json`.
pub(crate) async fn openapi<C>(State(api): State<HistoryApi<C>>, parts: Parts) -> Response
where
    C: AuditConnection + R2D2Connection + 'static,
{
    let personal_data = api
        .authenticate(&parts)
        .is_some_and(|p| p.reads_personal_data());
    (
        [(header::CONTENT_TYPE, "application/json")],
        api.openapi_json(personal_data).to_owned(),
    )
        .into_response()
}

/// `GET /api/v1/history/{model}/`.
pub(crate) async fn list<C>(
    State(api): State<HistoryApi<C>>,
    Caller(caller): Caller,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem>
where
    C: AuditConnection + R2D2Connection + 'static,
{
    let params = Params::parse(raw.as_deref())?;
    let slug_name = slug(model_for(api.registry(), &name, &caller)?.spec());
    let cursor = params.text("cursor");
    let page = params.number("page", 1, u64::MAX)?;
    let query = RecordQuery {
        user: params.user("history_user")?,
        history_type: params.history_type("history_type")?,
        since: params.date("date_from", false)?,
        until: params.date("date_to", true)?,
        object_id: params.text("object_id"),
        changeset: params.uuid("changeset")?,
        page,
        after: cursor.clone(),
        page_size: params.number("page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)?,
        max_page_size: MAX_PAGE_SIZE,
        with_total: true,
    };
    let page_size = query.page_size;
    let filters = filter_query(&params);
    let found = api
        .run(move |conn, registry| match find_model(registry, &name) {
            Some(model) => model.records(conn, &query).map(Some),
            None => Ok(None),
        })
        .await?
        .ok_or_else(|| Problem::not_found("the model is gone"))?;
    let base = format!("/api/v1/history/{slug_name}/");
    let link =
        |extra: String| Value::String(format!("{base}?{filters}page_size={page_size}&{extra}"));
    let next_cursor = found
        .items
        .last()
        .filter(|_| found.has_next)
        .and_then(|r| r.get("history_id"))
        .map(|id| match id {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        });
    let (next, previous) = match (&cursor, found.page) {
        (None, Some(page)) => (
            if found.has_next {
                link(format!("page={}", page.saturating_add(1)))
            } else {
                Value::Null
            },
            if page > 1 {
                link(format!("page={}", page - 1))
            } else {
                Value::Null
            },
        ),
        _ => (
            next_cursor
                .as_ref()
                .map_or(Value::Null, |c| link(format!("cursor={}", encode(c)))),
            Value::Null,
        ),
    };
    Ok(Json(json!({
        "count": found.total,
        "next": next,
        "previous": previous,
        "next_cursor": next_cursor,
        "results": found.items,
    }))
    .into_response())
}

/// The filters of a listing again, for its `next` and `previous` links.
fn filter_query(params: &Params) -> String {
    let mut out = String::new();
    for name in [
        "date_from",
        "date_to",
        "history_user",
        "history_type",
        "object_id",
        "changeset",
    ] {
        if let Some(value) = params.text(name) {
            out.push_str(&format!("{name}={}&", encode(&value)));
        }
    }
    out
}

/// `GET /api/v1/history/{model}/{history_id}/`.
pub(crate) async fn detail<C>(
    State(api): State<HistoryApi<C>>,
    Caller(caller): Caller,
    Path((name, id)): Path<(String, String)>,
) -> Result<Response, Problem>
where
    C: AuditConnection + R2D2Connection + 'static,
{
    model_for(api.registry(), &name, &caller)?;
    let shown = id.clone();
    let found = api
        .run(move |conn, registry| match find_model(registry, &name) {
            Some(model) => model.record(conn, &id),
            None => Ok(None),
        })
        .await?;
    let detail = found.ok_or_else(|| Problem::not_found(format!("no history row {shown}")))?;
    Ok(Json(detail).into_response())
}

/// `GET /api/v1/history/{model}/{object_id}/as-of?at=`.
pub(crate) async fn as_of<C>(
    State(api): State<HistoryApi<C>>,
    Caller(caller): Caller,
    Path((name, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem>
where
    C: AuditConnection + R2D2Connection + 'static,
{
    model_for(api.registry(), &name, &caller)?;
    let at = Params::parse(raw.as_deref())?.required_date("at")?;
    let shown = id.clone();
    let found = api
        .run(move |conn, registry| match find_model(registry, &name) {
            Some(model) => model.as_of(conn, &id, at),
            None => Ok(None),
        })
        .await?;
    let state = found.ok_or_else(|| {
        Problem::not_found(format!(
            "object {shown} did not exist at {}",
            at.to_rfc3339()
        ))
    })?;
    Ok(Json(json!({ "at": at, "record": state })).into_response())
}

/// A changeset listing's parameters, as the API and the viewer read them.
pub(crate) struct ChangesetFilter {
    /// The caller may read personal data.
    personal: bool,
    user: Option<UserId>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    page_size: u64,
    after: Option<(DateTime<Utc>, uuid::Uuid)>,
}

impl ChangesetFilter {
    /// Reads `history_user`, `date_from`, `date_to`, `page_size` and `cursor`; `dates` reads
    /// the two dates (the viewer also takes them from its date-time inputs).
    pub(crate) fn read(
        params: &Params,
        caller: &Principal,
        dates: impl Fn(&Params, &str, bool) -> Result<Option<DateTime<Utc>>, Problem>,
    ) -> Result<Self, Problem> {
        Ok(ChangesetFilter {
            personal: caller.reads_personal_data(),
            user: params.user("history_user")?,
            since: dates(params, "date_from", false)?,
            until: dates(params, "date_to", true)?,
            page_size: params.number("page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)?,
            after: params
                .text("cursor")
                .map(|c| parse_changeset_cursor(&c))
                .transpose()?,
        })
    }

    /// Its page size.
    pub(crate) fn page_size(&self) -> u64 {
        self.page_size
    }

    /// Its date range, as read.
    pub(crate) fn dates(&self) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        (self.since, self.until)
    }

    /// Loads the page.
    pub(crate) fn load<C: AuditConnection>(
        self,
        conn: &mut C,
        registry: &Registry<C>,
    ) -> Result<Page<ChangesetSummary>, AuditError> {
        let mut query: ChangesetQuery<'_, C> = registry.changesets().page_size(self.page_size);
        if !self.personal {
            query = query.without_personal_data();
        }
        if let Some(user) = self.user {
            query = query.user(user);
        }
        if let Some(since) = self.since {
            query = query.since(since);
        }
        if let Some(until) = self.until {
            query = query.until(until);
        }
        if let Some((date, id)) = self.after {
            query = query.after_key(date, id);
        }
        query.load(conn)
    }
}

/// The cursor of the page after `last`: its latest date and id, `<RFC 3339>_<uuid>`.
pub(crate) fn changeset_cursor(last: &ChangesetSummary) -> String {
    let date = last
        .last_date
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    format!("{date}_{}", last.id)
}

/// The changeset listing's cursor: the last changeset's latest date and id, `<RFC 3339>_<uuid>`.
fn parse_changeset_cursor(text: &str) -> Result<(DateTime<Utc>, uuid::Uuid), Problem> {
    let bad = || {
        Problem::bad_parameter(
            "cursor",
            format!("`cursor` must be a changeset cursor of a previous page, not `{text}`"),
        )
    };
    let (date, id) = text.rsplit_once('_').ok_or_else(bad)?;
    let date = chrono::DateTime::parse_from_rfc3339(date).map_err(|_| bad())?;
    let id = uuid::Uuid::parse_str(id).map_err(|_| bad())?;
    Ok((date.with_timezone(&Utc), id))
}

/// `GET /api/v1/history/changesets/`.
pub(crate) async fn changesets<C>(
    State(api): State<HistoryApi<C>>,
    Caller(caller): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem>
where
    C: AuditConnection + R2D2Connection + 'static,
{
    let params = Params::parse(raw.as_deref())?;
    let filter = ChangesetFilter::read(&params, &caller, Params::date)?;
    let page_size = filter.page_size();
    let page = api
        .run(move |conn, registry| filter.load(conn, registry))
        .await?;
    let next_cursor = page
        .items
        .last()
        .filter(|_| page.has_next)
        .map(changeset_cursor);
    let next = next_cursor.as_ref().map_or(Value::Null, |c| {
        Value::String(format!(
            "/api/v1/history/changesets/?{}page_size={page_size}&cursor={}",
            filter_query(&params),
            encode(c)
        ))
    });
    Ok(Json(json!({
        "next": next,
        "next_cursor": next_cursor,
        "results": page.items,
    }))
    .into_response())
}

/// `GET /api/v1/history/changesets/{id}/`.
pub(crate) async fn changeset<C>(
    State(api): State<HistoryApi<C>>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem>
where
    C: AuditConnection + R2D2Connection + 'static,
{
    let id = parse_uuid("id", &id)?;
    let personal = caller.reads_personal_data();
    let found = api
        .run(move |conn, registry| {
            if personal {
                registry.changeset(conn, id)
            } else {
                registry.changeset_without_personal_data(conn, id)
            }
        })
        .await?;
    Ok(Json(found).into_response())
}

/// Any method but `GET` (and `HEAD`) on a route of the API.
pub(crate) async fn method_not_allowed() -> Response {
    let mut response = Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "the history API only reads: use GET",
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::ALLOW, header::HeaderValue::from_static("GET, HEAD"));
    response
}
