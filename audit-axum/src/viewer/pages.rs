//! The reading pages: models, a model's history, an object's timeline (with "as of"),
//! changesets and one changeset.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use diesel::r2d2::R2D2Connection;
use maud::{html, Markup};
use serde_json::Value;

use audit_diesel::registry::{RecordDetail, RecordQuery};
use audit_diesel::schema::spec::meta;
use audit_diesel::{AuditConnection, HistoryTableSpec, HistoryType};

use super::render::{
    changeset_link, changeset_url, column_headers, history_id, history_type, json_time,
    moment_input, notice, object_key, object_url, page, pager, short_id, time, type_symbol, user,
    value, zone_hint, Crumb, ViewError,
};
use super::session::Visitor;
use super::{Viewer, BASE};
use crate::handlers::{changeset_cursor, find_model, model_for, slug, ChangesetFilter};
use crate::params::{encode, parse_uuid, Params, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use crate::Problem;

/// The page sizes the filter form offers.
const PAGE_SIZES: [u64; 4] = [10, 25, 50, 100];

/// Rows of an object's timeline per page.
const TIMELINE_PAGE: u64 = 25;

/// A date parameter: `name` (RFC 3339 or a day, as the API reads it, and as the script sends
/// it), else `<name>_local` (a date-time input's value without the script, read as UTC).
pub(crate) fn moment(
    params: &Params,
    name: &str,
    end_of_day: bool,
) -> Result<Option<DateTime<Utc>>, Problem> {
    if params.text(name).is_some() {
        return params.date(name, end_of_day);
    }
    let local = format!("{name}_local");
    let Some(text) = params.text(&local) else {
        return Ok(None);
    };
    // A "to" date is the end of the second or minute the input shows.
    let units = [("%Y-%m-%dT%H:%M:%S%.f", 0), ("%Y-%m-%dT%H:%M", 59)];
    units
        .iter()
        .find_map(|(f, seconds)| {
            let at = NaiveDateTime::parse_from_str(&text, f).ok()?.and_utc();
            if !end_of_day || text.contains('.') {
                return Some(Some(at));
            }
            let rest =
                chrono::Duration::seconds(*seconds) + chrono::Duration::microseconds(999_999);
            Some(Some(at.checked_add_signed(rest).unwrap_or(at)))
        })
        .ok_or_else(|| {
            Problem::bad_parameter(
                &local,
                format!("`{local}` must be a date and time (2026-03-03T09:30), not `{text}`"),
            )
        })
}

fn crumbs_to_model(spec: &HistoryTableSpec) -> Vec<Crumb> {
    vec![
        ("Models".to_owned(), format!("{BASE}/")),
        (spec.model.to_string(), format!("{BASE}/{}/", slug(spec))),
    ]
}

/// `GET /history/`.
pub(crate) async fn models<C>(
    State(viewer): State<Viewer<C>>,
    visitor: Visitor,
) -> Result<Response, ViewError>
where
    C: AuditConnection + R2D2Connection + 'static,
{
    let personal = visitor.principal.reads_personal_data();
    let rows = viewer
        .api
        .run(move |conn, registry| {
            registry
                .histories()
                .filter(|m| personal || !m.personal_data())
                .map(|m| Ok((m.spec(), m.personal_data(), m.counts(conn)?)))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    let body = html! {
        p { "Every model whose changes are recorded. Open one to read its history." }
        div class="scroll" tabindex="0" role="region" aria-label="Models" {
            table {
                caption class="visually-hidden" { "Models with history" }
                thead { tr {
                    th scope="col" { "Model" }
                    th scope="col" { "History table" }
                    th scope="col" class="num" { "Rows" }
                    th scope="col" class="num" { "History rows" }
                } }
                tbody {
                    @for (spec, personal, counts) in &rows {
                        tr {
                            th scope="row" {
                                a href={ (BASE) "/" (slug(spec)) "/" } { (spec.model) }
                                @if *personal { " " span class="badge" title="holds personal data" { "personal data" } }
                            }
                            td { code { (spec.history_table) } }
                            td class="num" { (counts.rows) }
                            td class="num" { (counts.history_rows) }
                        }
                    }
                }
            }
        }
    };
    Ok(page(StatusCode::OK, "Models", Some(&visitor), &[], body))
}

/// The filters of a model's history page, as given.
struct Filters {
    page_size: u64,
    user: Option<String>,
    history_type: Option<HistoryType>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    object_id: Option<String>,
    changeset: Option<String>,
}

impl Filters {
    fn read(params: &Params) -> Result<(Self, RecordQuery), Problem> {
        let filters = Filters {
            page_size: params.number("page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)?,
            user: params.text("history_user"),
            history_type: params.history_type("history_type")?,
            since: moment(params, "date_from", false)?,
            until: moment(params, "date_to", true)?,
            object_id: params.text("object_id"),
            changeset: params.text("changeset"),
        };
        let query = RecordQuery {
            user: params.user("history_user")?,
            history_type: filters.history_type,
            since: filters.since,
            until: filters.until,
            object_id: filters.object_id.clone(),
            changeset: params.uuid("changeset")?,
            page: params.number("page", 1, u64::MAX)?,
            after: None,
            page_size: filters.page_size,
            max_page_size: MAX_PAGE_SIZE,
            with_total: true,
        };
        Ok((filters, query))
    }

    /// The filters as a query string, each followed by `&`.
    fn query(&self) -> String {
        let date = |d: &DateTime<Utc>| d.to_rfc3339_opts(SecondsFormat::Micros, true);
        let mut out = String::new();
        let mut add = |name: &str, value: Option<String>| {
            if let Some(value) = value {
                out.push_str(&format!("{name}={}&", encode(&value)));
            }
        };
        add("history_user", self.user.clone());
        add(
            "history_type",
            self.history_type.map(|t| t.as_str().to_owned()),
        );
        add("date_from", self.since.as_ref().map(date));
        add("date_to", self.until.as_ref().map(date));
        add("object_id", self.object_id.clone());
        add("changeset", self.changeset.clone());
        out
    }

    fn form(&self, action: &str) -> Markup {
        let selected = |t: Option<HistoryType>| self.history_type == t;
        html! {
            form method="get" action=(action) class="filters" aria-label="Filters" {
                (moment_input("date_from", "From", self.since.as_ref(), false))
                (moment_input("date_to", "To", self.until.as_ref(), true))
                div class="field" {
                    label for="history_user" { "User id" }
                    input type="text" id="history_user" name="history_user" value=[self.user.as_deref()];
                }
                div class="field" {
                    label for="history_type" { "Type" }
                    select id="history_type" name="history_type" {
                        option value="" selected[selected(None)] { "Any" }
                        option value="+" selected[selected(Some(HistoryType::Create))] { "+ Created" }
                        option value="~" selected[selected(Some(HistoryType::Update))] { "~ Changed" }
                        option value="-" selected[selected(Some(HistoryType::Delete))] { "- Deleted" }
                    }
                }
                div class="field" {
                    label for="object_id" { "Object key" }
                    input type="text" id="object_id" name="object_id" value=[self.object_id.as_deref()];
                }
                div class="field" {
                    label for="changeset" { "Changeset" }
                    input type="text" id="changeset" name="changeset" value=[self.changeset.as_deref()];
                }
                div class="field" {
                    label for="page_size" { "Rows per page" }
                    select id="page_size" name="page_size" {
                        @for size in PAGE_SIZES {
                            option value=(size) selected[self.page_size == size] { (size) }
                        }
                        @if !PAGE_SIZES.contains(&self.page_size) {
                            option value=(self.page_size) selected { (self.page_size) }
                        }
                    }
                }
                div class="actions" {
                    button type="submit" { "Filter" }
                    a href=(action) { "Clear" }
                }
                (zone_hint())
            }
        }
    }
}

/// The fields a row changed, for a history list's "changes" column.
fn changes(detail: &RecordDetail) -> Markup {
    match type_symbol(&detail.record) {
        "+" => html! { span class="null" { "new object" } },
        "-" => html! { span class="null" { "deleted" } },
        _ => match &detail.diff {
            Some(diff) if !diff.changes().is_empty() => html! {
                ul class="changes" {
                    @for field in diff.changed_fields() { li { code { (field) } } }
                }
            },
            Some(_) => html! { span class="null" { "no tracked field" } },
            None => html! { span class="null" { "no earlier row" } },
        },
    }
}

/// `GET /history/{model}/`.
pub(crate) async fn model<C>(
    State(viewer): State<Viewer<C>>,
    visitor: Visitor,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ViewError>
where
    C: AuditConnection + R2D2Connection + 'static,
{
    let spec = model_for(viewer.api.registry(), &name, &visitor.principal)?.spec();
    let params = Params::parse(raw.as_deref())?;
    let (filters, query) = Filters::read(&params)?;
    let (page_number, page_size) = (query.page, query.page_size);
    let found = viewer
        .api
        .run(move |conn, registry| match find_model(registry, &name) {
            Some(model) => model.details(conn, &query).map(Some),
            None => Ok(None),
        })
        .await?
        .ok_or_else(|| Problem::not_found("the model is gone"))?;
    let slug = slug(spec);
    let action = format!("{BASE}/{slug}/");
    let href = |page: u64| {
        format!(
            "{action}?{}page_size={page_size}&page={page}",
            filters.query()
        )
    };
    let body = html! {
        (filters.form(&action))
        @if found.items.is_empty() {
            p class="empty" { "No history matches these filters." }
        } @else {
            div class="scroll" tabindex="0" role="region" aria-label="History rows" {
                table class="history" {
                    caption class="visually-hidden" { "History of " (spec.model) ", newest first" }
                    thead { (column_headers(&["When", "Type", "Object", "User", "Reason", "Changes", "Changeset"])) }
                    tbody {
                        @for detail in &found.items {
                            @let record = &detail.record;
                            @let key = object_key(spec, record);
                            tr {
                                td { (json_time(record.get(meta::HISTORY_DATE))) }
                                td { (history_type(type_symbol(record))) }
                                td { a href={ (object_url(&slug, &key)) "#h" (history_id(record)) } { (key) } }
                                td { (user(record.get(meta::HISTORY_USER_ID))) }
                                td { (record.get(meta::HISTORY_CHANGE_REASON).map_or_else(|| html!{}, value)) }
                                td { (changes(detail)) }
                                td { (changeset_link(record.get(meta::HISTORY_CHANGESET_ID))) }
                            }
                        }
                    }
                }
            }
        }
        (pager(page_number, page_size, found.total, found.has_next, href))
    };
    let title = format!("{} history", spec.model);
    let crumbs = vec![("Models".to_owned(), format!("{BASE}/"))];
    Ok(page(StatusCode::OK, &title, Some(&visitor), &crumbs, body))
}

/// A record's fields: name and value.
fn fields_table(spec: &HistoryTableSpec, record: &Value, caption: &str) -> Markup {
    html! {
        div class="scroll" tabindex="0" role="region" aria-label="Fields" {
            table class="fields" {
                caption { (caption) }
                thead { (column_headers(&["Field", "Value"])) }
                tbody {
                    @for column in spec.columns.iter().chain(spec.history_fields.iter()) {
                        tr {
                            th scope="row" { code { (column.name) } }
                            td { (record.get(&*column.name).map_or_else(|| html!{ "—" }, value)) }
                        }
                    }
                }
            }
        }
    }
}

/// Old and new values side by side: the changed fields of an update, every field of a create
/// (new) or a delete (old).
fn diff_table(spec: &HistoryTableSpec, detail: &RecordDetail) -> Markup {
    let record = &detail.record;
    let symbol = type_symbol(record);
    let rows: Vec<(&str, Option<&Value>, Option<&Value>)> = match symbol {
        "+" => spec
            .columns
            .iter()
            .map(|c| (&*c.name, None, record.get(&*c.name)))
            .collect(),
        "-" => spec
            .columns
            .iter()
            .map(|c| (&*c.name, record.get(&*c.name), None))
            .collect(),
        _ => detail
            .diff
            .iter()
            .flat_map(|d| d.changes())
            .map(|c| (c.field.as_str(), Some(&c.old), Some(&c.new)))
            .collect(),
    };
    if rows.is_empty() {
        return match detail.previous {
            None => {
                html! { p class="empty" { "The row before it is not in the history (history began here, or older rows were cleaned): nothing to compare with." } }
            }
            Some(_) => html! { p class="empty" { "No tracked field changed." } },
        };
    }
    let caption = match symbol {
        "+" => "Created with",
        "-" => "Deleted; its last values",
        _ => "What changed",
    };
    html! {
        div class="scroll" tabindex="0" role="region" aria-label="Changes" {
            table class="diff" {
                caption { (caption) }
                thead { (column_headers(&["Field", "Before", "After"])) }
                tbody {
                    @for (field, old, new) in rows {
                        tr class="changed" {
                            th scope="row" { code { (field) } }
                            @if let Some(old) = old { td class="old" { del { (value(old)) } } } @else { td { span class="null" { "—" } } }
                            @if let Some(new) = new { td class="new" { ins { (value(new)) } } } @else { td { span class="null" { "—" } } }
                        }
                    }
                }
            }
        }
    }
}

/// One row of an object's timeline.
fn timeline_entry(
    spec: &HistoryTableSpec,
    slug: &str,
    key: &str,
    detail: &RecordDetail,
    may_revert: bool,
) -> Markup {
    let record = &detail.record;
    let id = history_id(record);
    html! {
        li {
            article class="record" id={ "h" (id) } aria-labelledby={ "h" (id) "-title" } {
                h3 id={ "h" (id) "-title" } {
                    (history_type(type_symbol(record))) " "
                    (json_time(record.get(meta::HISTORY_DATE)))
                }
                dl class="meta" {
                    div { dt { "User" } dd { (user(record.get(meta::HISTORY_USER_ID))) } }
                    div { dt { "Reason" } dd class="reason" {
                        (record.get(meta::HISTORY_CHANGE_REASON).filter(|r| !r.is_null()).map_or_else(|| html!{ span class="null" { "none given" } }, value))
                    } }
                    div { dt { "Changeset" } dd { (changeset_link(record.get(meta::HISTORY_CHANGESET_ID))) } }
                    div { dt { "History id" } dd { code { (id) } } }
                }
                (diff_table(spec, detail))
                details {
                    summary { "All fields of this row" }
                    (fields_table(spec, record, "The object as this row recorded it"))
                }
                @if may_revert {
                    p { a class="button" href={ (BASE) "/" (slug) "/" (encode(key)) "/revert/" (encode(&id)) } {
                        "Revert to this version…"
                    } }
                }
            }
        }
    }
}

/// `GET /history/{model}/{object_id}/`: the timeline, and the object as of `at`.
pub(crate) async fn object<C>(
    State(viewer): State<Viewer<C>>,
    visitor: Visitor,
    Path((name, key)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ViewError>
where
    C: AuditConnection + R2D2Connection + 'static,
{
    let spec = model_for(viewer.api.registry(), &name, &visitor.principal)?.spec();
    let params = Params::parse(raw.as_deref())?;
    let at = moment(&params, "at", false)?;
    let reverted = params.text("reverted");
    let query = RecordQuery {
        object_id: Some(key.clone()),
        page: params.number("page", 1, u64::MAX)?,
        page_size: TIMELINE_PAGE,
        max_page_size: MAX_PAGE_SIZE,
        with_total: true,
        ..RecordQuery::default()
    };
    let page_number = query.page;
    let object = key.clone();
    let (found, state) = viewer
        .api
        .run(move |conn, registry| {
            let Some(model) = find_model(registry, &name) else {
                return Ok(None);
            };
            let found = model.details(conn, &query)?;
            let state = at.map(|at| model.as_of(conn, &object, at)).transpose()?;
            Ok(Some((found, state.flatten())))
        })
        .await?
        .ok_or_else(|| Problem::not_found("the model is gone"))?;
    if found.items.is_empty() && page_number == 1 {
        return Err(Problem::not_found(format!("{} {key} has no history", spec.model)).into());
    }
    let slug = slug(spec);
    let here = object_url(&slug, &key);
    let at_query = at.map_or_else(String::new, |at| {
        format!(
            "at={}&",
            encode(&at.to_rfc3339_opts(SecondsFormat::Micros, true))
        )
    });
    let href = |page: u64| format!("{here}?{at_query}page={page}");
    let body = html! {
        @if let Some(reverted) = &reverted {
            (notice(html! { "Reverted: the revert wrote history row "
                a href={ "#h" (reverted) } { code { (reverted) } } "." }))
        }
        p { a href={ (BASE) "/" (slug) "/?object_id=" (encode(&key)) } { "This object in the " (spec.model) " history list" } }
        section class="asof" aria-labelledby="asof-title" {
            h2 id="asof-title" { "As of a time" }
            form method="get" action=(here) class="filters" {
                (moment_input("at", "Show the object as it was at", at.as_ref(), false))
                div class="actions" { button type="submit" { "Show" } }
                (zone_hint())
            }
            @if let Some(at) = &at {
                @if let Some(state) = &state {
                    p id="asof-result" { "At " (time(at)) ", per history row "
                        a href={ "#h" (history_id(state)) } { code { (history_id(state)) } }
                        " (" (history_type(type_symbol(state))) ", " (json_time(state.get(meta::HISTORY_DATE))) "):" }
                    (fields_table(spec, state, "The object at that time"))
                } @else {
                    p id="asof-result" class="empty" { (spec.model) " " (key) " did not exist at " (time(at)) "." }
                }
            }
        }
        section aria-labelledby="timeline-title" {
            h2 id="timeline-title" { "Timeline, newest first" }
            ol class="timeline" {
                @for (i, detail) in found.items.iter().enumerate() {
                    // Reverting to the object's latest row would change nothing, unless it is
                    // its deletion (then the revert inserts it again).
                    @let latest = page_number == 1 && i == 0 && type_symbol(&detail.record) != "-";
                    (timeline_entry(spec, &slug, &key, detail, visitor.may_revert && !latest))
                }
            }
            (pager(page_number, TIMELINE_PAGE, found.total, found.has_next, href))
        }
    };
    let title = format!("{} {key}", spec.model);
    Ok(page(
        StatusCode::OK,
        &title,
        Some(&visitor),
        &crumbs_to_model(spec),
        body,
    ))
}

/// `GET /history/changesets/`.
pub(crate) async fn changesets<C>(
    State(viewer): State<Viewer<C>>,
    visitor: Visitor,
    RawQuery(raw): RawQuery,
) -> Result<Response, ViewError>
where
    C: AuditConnection + R2D2Connection + 'static,
{
    let params = Params::parse(raw.as_deref())?;
    let filter = ChangesetFilter::read(&params, &visitor.principal, moment)?;
    let page_size = filter.page_size();
    let (since, until) = filter.dates();
    let user_filter = params.text("history_user");
    let found = viewer
        .api
        .run(move |conn, registry| filter.load(conn, registry))
        .await?;
    let action = format!("{BASE}/changesets/");
    let mut filters = String::new();
    if let Some(u) = &user_filter {
        filters.push_str(&format!("history_user={}&", encode(u)));
    }
    for (name, at) in [("date_from", since), ("date_to", until)] {
        if let Some(at) = at {
            let at = at.to_rfc3339_opts(SecondsFormat::Micros, true);
            filters.push_str(&format!("{name}={}&", encode(&at)));
        }
    }
    let next = found.items.last().filter(|_| found.has_next).map(|last| {
        format!(
            "{action}?{filters}page_size={page_size}&cursor={}",
            encode(&changeset_cursor(last))
        )
    });
    let body = html! {
        p { "Changes written together — one request, one business action — newest first." }
        form method="get" action=(action) class="filters" aria-label="Filters" {
            (moment_input("date_from", "From", since.as_ref(), false))
            (moment_input("date_to", "To", until.as_ref(), true))
            div class="field" {
                label for="history_user" { "User id" }
                input type="text" id="history_user" name="history_user" value=[user_filter.as_deref()];
            }
            div class="actions" {
                button type="submit" { "Filter" }
                a href=(action) { "Clear" }
            }
            (zone_hint())
        }
        @if found.items.is_empty() {
            p class="empty" { "No changeset matches these filters." }
        } @else {
            div class="scroll" tabindex="0" role="region" aria-label="Changesets" {
                table class="history" {
                    caption class="visually-hidden" { "Changesets, newest first" }
                    thead { tr {
                        th scope="col" { "Last change" }
                        th scope="col" { "Changeset" }
                        th scope="col" class="num" { "Rows" }
                        th scope="col" { "Models" }
                        th scope="col" { "Users" }
                        th scope="col" { "Reasons" }
                    } }
                    tbody {
                        @for summary in &found.items {
                            @let id = summary.id.to_string();
                            tr {
                                td { (time(&summary.last_date)) }
                                td { a href=(changeset_url(&id)) title=(id) { code { (short_id(&id)) } } }
                                td class="num" { (summary.rows) }
                                td { @for (i, m) in summary.models.iter().enumerate() {
                                    @if i > 0 { ", " } (m.model) " ×" (m.rows)
                                } }
                                td { @for (i, u) in summary.users.iter().enumerate() {
                                    @if i > 0 { ", " } (u)
                                } }
                                td { @for (i, r) in summary.reasons.iter().enumerate() {
                                    @if i > 0 { "; " } (r)
                                } }
                            }
                        }
                    }
                }
            }
        }
        nav class="pager" aria-label="Pages" {
            @if params.text("cursor").is_some() {
                a href={ (action) "?" (filters) "page_size=" (page_size) } { "↑ Newest" }
            }
            @if let Some(next) = &next {
                a href=(next) rel="next" { "Older →" }
            }
        }
    };
    let crumbs = vec![("Models".to_owned(), format!("{BASE}/"))];
    Ok(page(
        StatusCode::OK,
        "Changesets",
        Some(&visitor),
        &crumbs,
        body,
    ))
}

/// `GET /history/changesets/{id}/`.
pub(crate) async fn changeset<C>(
    State(viewer): State<Viewer<C>>,
    visitor: Visitor,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ViewError>
where
    C: AuditConnection + R2D2Connection + 'static,
{
    let id = parse_uuid("id", &id)?;
    let reverted = Params::parse(raw.as_deref())?.text("reverted");
    let personal = visitor.principal.reads_personal_data();
    let found = viewer
        .api
        .run(move |conn, registry| {
            if personal {
                registry.changeset(conn, id)
            } else {
                registry.changeset_without_personal_data(conn, id)
            }
        })
        .await?;
    let registry = viewer.api.registry();
    let body = html! {
        @if let Some(reverted) = &reverted {
            (notice(html! { "This changeset reverted changeset "
                a href=(changeset_url(reverted)) { code { (reverted) } } "." }))
        }
        p { "Changeset " code { (found.id) } ": " (found.entries.len()) " rows, in the order they were written." }
        div class="scroll" tabindex="0" role="region" aria-label="Rows of the changeset" {
            table class="history" {
                caption class="visually-hidden" { "Rows of the changeset" }
                thead { (column_headers(&["When", "Model", "Object", "Type", "User", "Reason"])) }
                tbody {
                    @for entry in &found.entries {
                        tr {
                            td { (time(&entry.history_date)) }
                            @if let Some(spec) = registry.spec(&entry.model) {
                                @let key = object_key(spec, &entry.record);
                                td { a href={ (BASE) "/" (slug(spec)) "/" } { (entry.model) } }
                                td { a href={ (object_url(&slug(spec), &key)) "#h" (history_id(&entry.record)) } { (key) } }
                            } @else {
                                td { (entry.model) }
                                td { (entry.object_id) }
                            }
                            td { (history_type(entry.history_type.as_str())) }
                            td { (user(entry.history_user_id.as_ref().map(|u| Value::String(u.to_string())).as_ref())) }
                            td { (entry.history_change_reason.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
        }
        @if visitor.may_revert {
            p { a class="button" href={ (changeset_url(&found.id.to_string())) "revert" } { "Revert this changeset…" } }
        }
    };
    let crumbs = vec![
        ("Models".to_owned(), format!("{BASE}/")),
        ("Changesets".to_owned(), format!("{BASE}/changesets/")),
    ];
    let title = format!("Changeset {}", short_id(&found.id.to_string()));
    Ok(page(StatusCode::OK, &title, Some(&visitor), &crumbs, body))
}
