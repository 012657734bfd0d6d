//! Reverting, for the roles allowed to: a page that shows what a revert would do, and its form.
//! A revert is an ordinary audited write by the visitor, with the reason they give.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use diesel::r2d2::R2D2Connection;
use maud::{html, Markup};
use serde_json::Value;

use audit_diesel::changeset::OnLaterChange;
use audit_diesel::registry::{ModelHistory, RecordQuery};
use audit_diesel::schema::spec::meta;
use audit_diesel::{AuditConnection, AuditContext, AuditError, HistoryTableSpec};

use super::render::{
    changeset_url, column_headers, history_id, history_type, json_time, object_key, object_url,
    page, time, type_symbol, user, value, ViewError,
};
use super::session::{same_origin, Visitor};
use super::{Viewer, BASE};
use crate::handlers::{find_model, model_for, slug};
use crate::params::{encode, parse_uuid, Params};
use crate::Problem;

fn may_revert(visitor: &Visitor) -> Result<(), ViewError> {
    if visitor.may_revert {
        Ok(())
    } else {
        Err(Problem::new(StatusCode::FORBIDDEN, "your roles may not revert history").into())
    }
}

/// The visitor's context for a revert: their user, their reason or `default`.
fn context(visitor: &Visitor, form: &Params, default: String) -> Result<AuditContext, ViewError> {
    AuditContext::builder()
        .user(visitor.principal.user.clone())
        .reason(
            form.text("reason")
                .map(|r| r.trim().to_owned())
                .filter(|r| !r.is_empty())
                .unwrap_or(default),
        )
        .build()
        .map_err(|e| Problem::bad_parameter("reason", e.to_string()).into())
}

fn reason_field(default: &str) -> Markup {
    html! {
        div class="field wide" {
            label for="reason" { "Reason" }
            input type="text" id="reason" name="reason" placeholder=(default) maxlength="100";
        }
    }
}

/// The latest history row of the object whose key (as a URL carries it) is `object`.
fn latest_of<C: AuditConnection>(
    model: &ModelHistory<'_, C>,
    conn: &mut C,
    object: String,
) -> Result<Option<Value>, AuditError> {
    let page = model.records(
        conn,
        &RecordQuery {
            object_id: Some(object),
            page_size: 1,
            ..RecordQuery::default()
        },
    )?;
    Ok(page.items.into_iter().next())
}

/// A 404 unless history row `target` is of the object of the URL, whose latest row is `latest`
/// (compared as the registry read the URL's key, however it was written).
fn same_object(
    spec: &HistoryTableSpec,
    target: &Value,
    latest: Option<&Value>,
    key: &str,
    id: &str,
) -> Result<(), ViewError> {
    if latest.is_some_and(|l| object_key(spec, l) == object_key(spec, target)) {
        return Ok(());
    }
    Err(Problem::not_found(format!("history row {id} is not of {} {key}", spec.model)).into())
}

/// `GET /history/{model}/{object_id}/revert/{history_id}`: what the object would become.
pub(crate) async fn record_form<C>(
    State(viewer): State<Viewer<C>>,
    visitor: Visitor,
    Path((name, key, id)): Path<(String, String, String)>,
) -> Result<Response, ViewError>
where
    C: AuditConnection + R2D2Connection + 'static,
{
    may_revert(&visitor)?;
    let spec = model_for(viewer.api.registry(), &name, &visitor.principal)?.spec();
    let (object, shown) = (key.clone(), id.clone());
    let (target, latest) = viewer
        .api
        .run(move |conn, registry| {
            let Some(model) = find_model(registry, &name) else {
                return Ok(None);
            };
            let Some(target) = model.record(conn, &id)? else {
                return Ok(None);
            };
            let latest = latest_of(&model, conn, object)?;
            Ok(Some((target.record, latest)))
        })
        .await?
        .ok_or_else(|| Problem::not_found(format!("no history row {shown} of {}", spec.model)))?;
    same_object(spec, &target, latest.as_ref(), &key, &shown)?;
    let slug = slug(spec);
    let now = latest.as_ref().filter(|l| type_symbol(l) != "-");
    let default = format!("revert to history row {shown}");
    let body = html! {
        p { "Reverting writes a new history row by you: " (spec.model) " " (key)
            " takes the values that history row " code { (shown) } " recorded ("
            (history_type(type_symbol(&target))) ", " (json_time(target.get(meta::HISTORY_DATE)))
            ", by user " (user(target.get(meta::HISTORY_USER_ID))) ")."
            @if now.is_none() { " The object is deleted now: it is inserted again." } }
        div class="scroll" tabindex="0" role="region" aria-label="The object now and after the revert" {
            table class="diff" {
                caption { "The object now, and after the revert" }
                thead { (column_headers(&["Field", "Now", "After the revert"])) }
                tbody {
                    @for column in spec.columns.iter() {
                        @let then = target.get(&*column.name).unwrap_or(&Value::Null);
                        @let current = now.and_then(|n| n.get(&*column.name));
                        @let changed = current != Some(then);
                        tr class=[changed.then_some("changed")] {
                            th scope="row" { code { (column.name) } }
                            td class="old" { @match current {
                                Some(v) if changed => del { (value(v)) },
                                Some(v) => (value(v)),
                                None => span class="null" { "—" },
                            } }
                            td class="new" { @if changed { ins { (value(then)) } } @else { (value(then)) } }
                        }
                    }
                }
            }
        }
        form method="post" class="confirm" {
            (reason_field(&default))
            div class="actions" {
                button type="submit" class="danger" { "Revert " (spec.model) " " (key) }
                a href={ (object_url(&slug, &key)) "#h" (shown) } { "Cancel" }
            }
        }
    };
    let crumbs = vec![
        ("Models".to_owned(), format!("{BASE}/")),
        (spec.model.to_string(), format!("{BASE}/{slug}/")),
        (format!("{} {key}", spec.model), object_url(&slug, &key)),
    ];
    Ok(page(
        StatusCode::OK,
        &format!("Revert to history row {shown}?"),
        Some(&visitor),
        &crumbs,
        body,
    ))
}

/// `POST /history/{model}/{object_id}/revert/{history_id}`.
pub(crate) async fn record<C>(
    State(viewer): State<Viewer<C>>,
    visitor: Visitor,
    Path((name, key, id)): Path<(String, String, String)>,
    parts: Parts,
    body: Bytes,
) -> Result<Response, ViewError>
where
    C: AuditConnection + R2D2Connection + 'static,
{
    same_origin(&parts)?;
    may_revert(&visitor)?;
    let spec = model_for(viewer.api.registry(), &name, &visitor.principal)?.spec();
    let form = Params::parse(std::str::from_utf8(&body).ok())?;
    let ctx = context(&visitor, &form, format!("revert to history row {id}"))?;
    let key_of_url = key.clone();
    let (shown, object) = (id.clone(), key.clone());
    let written = viewer
        .api
        .run(move |conn, registry| {
            let Some(model) = find_model(registry, &name) else {
                return Ok(Err(None));
            };
            let Some(target) = model.record(conn, &id)? else {
                return Ok(Err(None));
            };
            let latest = latest_of(&model, conn, object)?;
            if let Err(refused) =
                same_object(spec, &target.record, latest.as_ref(), &key_of_url, &id)
            {
                return Ok(Err(Some(refused)));
            }
            Ok(model.revert(conn, &ctx, &id)?.ok_or(None))
        })
        .await?
        .map_err(|refused| {
            refused.unwrap_or_else(|| {
                Problem::not_found(format!("no history row {shown} of {}", spec.model)).into()
            })
        })?;
    let new_id = history_id(&written);
    let to = format!(
        "{}?reverted={}#h{new_id}",
        object_url(&slug(spec), &key),
        encode(&new_id)
    );
    Ok(Redirect::to(&to).into_response())
}

/// `GET /history/changesets/{id}/revert`: what reverting the changeset would undo.
pub(crate) async fn changeset_form<C>(
    State(viewer): State<Viewer<C>>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, ViewError>
where
    C: AuditConnection + R2D2Connection + 'static,
{
    may_revert(&visitor)?;
    let id = parse_uuid("id", &id)?;
    let found = viewer
        .api
        .run(move |conn, registry| registry.changeset(conn, id))
        .await?;
    refuse_personal(&viewer, &visitor, &found)?;
    let registry = viewer.api.registry();
    let default = format!("revert of changeset {id}");
    let body = html! {
        p { "Reverting undoes each row of the changeset, newest first, in one transaction and one new changeset by you: what it created is deleted, what it deleted is inserted again, what it changed gets its earlier values back." }
        ol class="undo" {
            @for entry in found.entries.iter().rev() {
                li {
                    (history_type(entry.history_type.as_str())) " "
                    @if let Some(spec) = registry.spec(&entry.model) {
                        @let key = object_key(spec, &entry.record);
                        a href=(object_url(&slug(spec), &key)) { (entry.model) " " (key) }
                    } @else {
                        (entry.model) " " (entry.object_id)
                    }
                    " at " (time(&entry.history_date))
                }
            }
        }
        form method="post" class="confirm" {
            (reason_field(&default))
            div class="field" {
                input type="checkbox" id="overwrite" name="overwrite" value="yes";
                label for="overwrite" { "Also undo later changes of these objects by other changesets (otherwise the revert is refused when there are some)" }
            }
            div class="actions" {
                button type="submit" class="danger" { "Revert the changeset" }
                a href=(changeset_url(&id.to_string())) { "Cancel" }
            }
        }
    };
    let crumbs = vec![
        ("Models".to_owned(), format!("{BASE}/")),
        ("Changesets".to_owned(), format!("{BASE}/changesets/")),
        (format!("Changeset {id}"), changeset_url(&id.to_string())),
    ];
    Ok(page(
        StatusCode::OK,
        "Revert this changeset?",
        Some(&visitor),
        &crumbs,
        body,
    ))
}

/// A visitor who may not read personal data may not revert a changeset that holds some.
fn refuse_personal<C>(
    viewer: &Viewer<C>,
    visitor: &Visitor,
    changeset: &audit_diesel::changeset::Changeset,
) -> Result<(), ViewError>
where
    C: AuditConnection + R2D2Connection + 'static,
{
    let personal = changeset.entries.iter().any(|e| {
        viewer
            .api
            .registry()
            .history(&e.model)
            .is_some_and(|m| m.personal_data())
    });
    if personal && !visitor.principal.reads_personal_data() {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "this changeset changes personal data: reverting it needs the admin or auditor role",
        )
        .into());
    }
    Ok(())
}

/// `POST /history/changesets/{id}/revert`.
pub(crate) async fn changeset<C>(
    State(viewer): State<Viewer<C>>,
    visitor: Visitor,
    Path(id): Path<String>,
    parts: Parts,
    body: Bytes,
) -> Result<Response, ViewError>
where
    C: AuditConnection + R2D2Connection + 'static,
{
    same_origin(&parts)?;
    may_revert(&visitor)?;
    let id = parse_uuid("id", &id)?;
    let form = Params::parse(std::str::from_utf8(&body).ok())?;
    let ctx = context(&visitor, &form, format!("revert of changeset {id}"))?;
    let mode = if form.text("overwrite").is_some() {
        OnLaterChange::Overwrite
    } else {
        OnLaterChange::Refuse
    };
    let found = viewer
        .api
        .run(move |conn, registry| registry.changeset(conn, id))
        .await?;
    refuse_personal(&viewer, &visitor, &found)?;
    let done = viewer
        .api
        .run(move |conn, registry| registry.revert_changeset(conn, &ctx, id, mode))
        .await?;
    let to = format!(
        "{}?reverted={}",
        changeset_url(&done.changeset.to_string()),
        done.reverted
    );
    Ok(Redirect::to(&to).into_response())
}
