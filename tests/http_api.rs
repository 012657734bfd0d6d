//! The history HTTP API (`audit-axum`) over the aquamind example, served on 127.0.0.1 and called
//! with real HTTP requests, on SQLite and PostgreSQL.

mod common;

use std::collections::BTreeSet;

use common::server::Server;

use audit_diesel::{Historical, HistoryRecord, HistoryType};
use audit_examples::aquamind::batch::Batch;
use serde_json::{json, Value};

fn ids(page: &Value) -> Vec<Value> {
    page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["history_id"].clone())
        .collect()
}

/// Every filter, numbered pages with their links, and keyset pages over the whole listing.
fn listings_filter_and_page(s: &mut Server) {
    let all = Batch::history_query()
        .page_size(1000)
        .load(&mut s.conn)
        .unwrap();
    let (status, page) = s.get("/api/v1/history/batch/", Some("operator"));
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["count"], json!(all.items.len()));
    let expected: Vec<Value> = all.items.iter().map(|r| json!(r.history_id)).collect();
    assert_eq!(
        ids(&page),
        expected[..expected.len().min(25)],
        "newest first"
    );
    assert_eq!(page["previous"], Value::Null);

    // By type, user, object, dates and changeset.
    let updates = all
        .items
        .iter()
        .filter(|r| r.history_type == HistoryType::Update)
        .count();
    for spelled in ["~", "%7E", "update"] {
        let (_, page) = s.get(
            &format!("/api/v1/history/batch/?history_type={spelled}"),
            Some("operator"),
        );
        assert_eq!(page["count"], json!(updates), "history_type={spelled}");
    }
    let by_operator = all
        .items
        .iter()
        .filter(|r| r.history_user_id == Some(s.day.operator))
        .count();
    let (_, page) = s.get(
        &format!("/api/v1/history/batch/?history_user={}", s.day.operator),
        Some("operator"),
    );
    assert_eq!(page["count"], json!(by_operator));
    let (_, page) = s.get(
        &format!("/api/v1/history/batch/?object_id={}", s.day.batch_id),
        Some("operator"),
    );
    assert!(page["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["id"] == json!(s.day.batch_id)));
    let mid = s.day.mid_morning.to_rfc3339();
    let before_mid = all
        .items
        .iter()
        .filter(|r| r.history_date <= s.day.mid_morning)
        .count();
    let (_, page) = s.get(
        &format!("/api/v1/history/batch/?date_to={}", mid.replace('+', "%2B")),
        Some("operator"),
    );
    assert_eq!(page["count"], json!(before_mid));
    let (_, page) = s.get(
        &format!(
            "/api/v1/history/batch/?date_from={}",
            mid.replace('+', "%2B")
        ),
        Some("operator"),
    );
    assert_eq!(page["count"], json!(all.items.len() - before_mid));
    let (_, page) = s.get(
        "/api/v1/history/batch/?date_from=2026-03-04",
        Some("operator"),
    );
    assert_eq!(page["count"], json!(0), "a day after the day");
    let (_, page) = s.get(
        &format!(
            "/api/v1/history/batch_transfer/?changeset={}",
            s.day.transfer_changeset
        ),
        Some("operator"),
    );
    assert_eq!(
        page["count"],
        json!(3),
        "the transfer's two creates and its update"
    );

    // Numbered pages by their links, then keyset pages by their cursors: every row once.
    let mut seen = Vec::new();
    let mut next = "/api/v1/history/batch/?page_size=2".to_owned();
    let mut pages = 0;
    loop {
        let (status, page) = s.get(&next, Some("operator"));
        assert_eq!(status, 200, "{next}: {page}");
        seen.extend(ids(&page));
        pages += 1;
        if pages > 1 {
            assert!(page["previous"].is_string());
        }
        match page["next"].as_str() {
            Some(link) => next = link.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen, expected);
    let mut seen = Vec::new();
    let mut next = "/api/v1/history/batch/?page_size=3".to_owned();
    loop {
        let (_, page) = s.get(&next, Some("operator"));
        seen.extend(ids(&page));
        match page["next_cursor"]
            .as_str()
            .map(str::to_owned)
            .or_else(|| page["next_cursor"].as_i64().map(|c| c.to_string()))
        {
            Some(cursor) => next = format!("/api/v1/history/batch/?page_size=3&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, expected, "keyset pages");
    let (_, past) = s.get("/api/v1/history/batch/?page=999", Some("operator"));
    assert_eq!(
        (
            past["results"].as_array().unwrap().len(),
            past["next"].clone()
        ),
        (0, Value::Null)
    );
}

/// 401, 403, 405, 400 and 404, each with a problem body.
fn the_status_matrix(s: &mut Server) {
    assert_eq!(s.get("/api/v1/history/batch/", None).0, 401);
    let bad = s
        .agent
        .get(&s.url("/api/v1/history/batch/"))
        .header("Authorization", "Bearer not-a-token")
        .call()
        .unwrap();
    assert_eq!(bad.status().as_u16(), 401);
    assert_eq!(
        bad.headers().get("content-type").unwrap(),
        "application/problem+json"
    );
    // Personal data: admins and auditors only.
    assert_eq!(
        s.get("/api/v1/history/audited_user/", Some("operator")).0,
        403
    );
    assert_eq!(
        s.get("/api/v1/history/user_profile/", Some("veterinarian"))
            .0,
        403
    );
    assert_eq!(
        s.get("/api/v1/history/audited_user/", Some("auditor")).0,
        200
    );
    assert_eq!(s.get("/api/v1/history/user_profile/", Some("admin")).0, 200);
    let (_, models) = s.get("/api/v1/history/models/", Some("operator"));
    assert_eq!(models["results"].as_array().unwrap().len(), 20);
    let (_, models) = s.get("/api/v1/history/models/", Some("auditor"));
    assert_eq!(models["results"].as_array().unwrap().len(), 22);
    // Other methods.
    let (status, body) = s.post("/api/v1/history/batch/", Some("admin"), &[], json!({}));
    assert_eq!((status, body["status"].clone()), (405, json!(405)));
    let delete = s
        .agent
        .delete(&s.url("/api/v1/history/changesets/"))
        .call()
        .unwrap();
    assert_eq!(delete.status().as_u16(), 405);
    assert_eq!(delete.headers().get("allow").unwrap(), "GET, HEAD");
    // Bad input names its parameter.
    for (query, parameter) in [
        ("date_from=yesterday", "date_from"),
        ("date_to=2026-13-01", "date_to"),
        ("history_type=x", "history_type"),
        ("page_size=101", "page_size"),
        ("page_size=0", "page_size"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("changeset=nope", "changeset"),
        ("object_id=abc", "object_id"),
        ("history_user=ada", "history_user"),
        ("cursor=abc", "cursor"),
        ("cursor=987654321", "cursor"),
        ("date_from=0001-01-01T00:00:00Z&page=1&page=2", "page"),
    ] {
        assert_eq!(
            s.problem_parameter(&format!("/api/v1/history/batch/?{query}")),
            (400, Some(parameter.to_owned())),
            "{query}"
        );
    }
    assert_eq!(
        s.problem_parameter("/api/v1/history/batch/abc/"),
        (400, Some("history_id".to_owned()))
    );
    assert_eq!(
        s.problem_parameter("/api/v1/history/batch/1/as-of"),
        (400, Some("at".to_owned()))
    );
    assert_eq!(
        s.problem_parameter("/api/v1/history/batch/1/as-of?at=noon"),
        (400, Some("at".to_owned()))
    );
    assert_eq!(
        s.problem_parameter("/api/v1/history/changesets/nope/"),
        (400, Some("id".to_owned()))
    );
    assert_eq!(
        s.problem_parameter("/api/v1/history/changesets/?cursor=x"),
        (400, Some("cursor".to_owned()))
    );
    // Unknown things are 404.
    assert_eq!(s.get("/api/v1/history/whale/", Some("admin")).0, 404);
    let (_, unknown) = s.get("/api/v1/history/whale/", Some("operator"));
    assert!(
        !unknown["detail"].as_str().unwrap().contains("audited_user"),
        "{unknown}"
    );
    assert_eq!(
        s.get("/api/v1/history/batch/987654321/", Some("admin")).0,
        404
    );
    assert_eq!(
        s.get(
            "/api/v1/history/batch/1/as-of?at=2000-01-01T00:00:00Z",
            Some("admin")
        )
        .0,
        404
    );
    assert_eq!(
        s.get(
            &format!("/api/v1/history/changesets/{}/", uuid::Uuid::nil()),
            Some("admin")
        )
        .0,
        404
    );
    assert_eq!(s.get("/api/v1/nothing", Some("admin")).0, 404);
    // A database failure is a 503 that says nothing of the database.
    {
        use diesel::RunQueryDsl;
        diesel::sql_query("DROP TABLE historical_batches")
            .execute(&mut s.conn)
            .unwrap();
    }
    let (status, body) = s.get("/api/v1/history/batch/", Some("admin"));
    assert_eq!(status, 503, "{body}");
    let text = body.to_string();
    assert!(
        !text.contains("historical_batches")
            && !text.contains("relation")
            && !text.contains("no such table"),
        "{text}"
    );
}

/// One record with its diff; an object as of a time; changesets, without personal data for
/// those who may not read it.
fn records_objects_and_changesets(s: &mut Server) {
    let trail = Batch::history(&s.day.batch_id).trail(&mut s.conn).unwrap();
    let update = trail
        .iter()
        .find(|r| {
            r.history_type == HistoryType::Update && r.previous(&mut s.conn).unwrap().is_some()
        })
        .unwrap();
    let created = trail.last().unwrap(); // the trail is newest first
    let (status, first) = s.get(
        &format!("/api/v1/history/batch/{}/", created.history_id),
        Some("operator"),
    );
    assert_eq!(
        (status, first["diff"].clone(), first["previous"].clone()),
        (200, Value::Null, Value::Null)
    );
    let (status, detail) = s.get(
        &format!("/api/v1/history/batch/{}/", update.history_id),
        Some("operator"),
    );
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["record"]["history_id"], json!(update.history_id));
    let expected = update
        .diff_against(&update.previous(&mut s.conn).unwrap().unwrap())
        .unwrap();
    let fields: Vec<&str> = detail["diff"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, expected.changed_fields());

    let at = s.day.mid_morning.to_rfc3339().replace('+', "%2B");
    let (status, then) = s.get(
        &format!("/api/v1/history/batch/{}/as-of?at={at}", s.day.batch_id),
        Some("operator"),
    );
    assert_eq!(status, 200, "{then}");
    assert_eq!(then["record"]["lifecycle_stage"], json!("fry"));

    let (status, transfer) = s.get(
        &format!("/api/v1/history/changesets/{}/", s.day.transfer_changeset),
        Some("operator"),
    );
    assert_eq!(status, 200, "{transfer}");
    assert_eq!(transfer["entries"].as_array().unwrap().len(), 5);
    // The auditor sees the admin's changes to users; the operator does not.
    let models_seen = |role: &str| -> BTreeSet<String> {
        let (_, page) = s.get("/api/v1/history/changesets/?page_size=100", Some(role));
        page["results"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| {
                c["models"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m["model"].as_str().unwrap().to_owned())
            })
            .collect()
    };
    assert!(models_seen("auditor").contains("AuditedUser"));
    let operator_sees = models_seen("operator");
    assert!(
        !operator_sees.contains("AuditedUser") && !operator_sees.contains("UserProfile"),
        "{operator_sees:?}"
    );
    assert!(operator_sees.contains("Batch"));
    // Keyset pages of changesets, every one once.
    let mut seen = Vec::new();
    let mut next = "/api/v1/history/changesets/?page_size=7".to_owned();
    loop {
        let (status, page) = s.get(&next, Some("auditor"));
        assert_eq!(status, 200, "{page}");
        seen.extend(
            page["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].clone()),
        );
        match page["next"].as_str() {
            Some(link) => next = link.to_owned(),
            None => break,
        }
    }
    let (_, all) = s.get("/api/v1/history/changesets/?page_size=100", Some("auditor"));
    let all: Vec<Value> = all["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    assert_eq!(seen, all);
}

/// The application's writes through the API: attributed to the caller, with the header's
/// reason or one from the route, in the request's changeset.
fn writes_are_attributed(s: &mut Server) {
    use audit_examples::aquamind::inventory::FeedingEvent;
    let last = FeedingEvent::history_query()
        .load(&mut s.conn)
        .unwrap()
        .items[0]
        .clone();
    let request = uuid::Uuid::now_v7();
    let body = json!({
        "batch_id": last.batch_id, "container_id": last.container_id, "feed_stock_id": null,
        "fed_at": "2026-03-03T18:00:00", "amount_kg": 1.5, "method": "MANUAL",
    });
    let (status, made) = s.post(
        "/api/v1/feeding-events",
        Some("operator"),
        &[
            ("X-Change-Reason", "evening feed"),
            ("X-Request-Id", &request.to_string()),
        ],
        body.clone(),
    );
    assert_eq!(status, 201, "{made}");
    // The changeset is derived from the request id and the caller: the same request again
    // joins it, another caller's request with that id does not.
    let changeset = made["changeset"].as_str().unwrap().to_owned();
    assert_ne!(changeset, request.to_string());
    let id_header = [("X-Request-Id", request.to_string())];
    let id_header: Vec<(&str, &str)> = id_header.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let (_, again) = s.post(
        "/api/v1/feeding-events",
        Some("operator"),
        &id_header,
        body.clone(),
    );
    assert_eq!(again["changeset"], json!(changeset));
    let (_, other) = s.post(
        "/api/v1/feeding-events",
        Some("veterinarian"),
        &id_header,
        body.clone(),
    );
    assert_ne!(other["changeset"], json!(changeset));
    let (_, rows) = s.get(
        &format!("/api/v1/history/feeding_event/?changeset={changeset}"),
        Some("operator"),
    );
    assert_eq!(rows["count"], json!(2), "{rows}");
    let first = &rows["results"][1];
    assert_eq!(
        (
            first["history_type"].clone(),
            first["history_user_id"].clone(),
            first["history_change_reason"].clone()
        ),
        (json!("+"), json!(s.day.operator), json!("evening feed"))
    );
    // A write the database refuses for its input is a 409, never a 503 or a 500.
    let mut dangling = body.clone();
    dangling["batch_id"] = json!(987_654);
    assert_eq!(
        s.post("/api/v1/feeding-events", Some("operator"), &[], dangling)
            .0,
        409
    );

    let (status, batch) = s.post("/api/v1/batches", Some("veterinarian"), &[], json!({
        "batch_number": "B-HTTP-1", "species": "Atlantic salmon", "lifecycle_stage": "egg",
        "status": "active", "start_date": "2026-03-03", "expected_end_date": null, "notes": null,
    }));
    assert_eq!(status, 201, "{batch}");
    let (_, rows) = s.get(
        &format!("/api/v1/history/batch/?object_id={}", batch["id"]),
        Some("operator"),
    );
    assert_eq!(
        rows["results"][0]["history_change_reason"],
        json!("created via POST /api/v1/batches")
    );
    assert_eq!(rows["results"][0]["history_user_id"], json!(s.day.vet));

    // A transfer: one request, one changeset over two models.
    let assignment: i32 = {
        use audit_examples::aquamind::batch::BatchContainerAssignment;
        let rows = BatchContainerAssignment::as_of(chrono::Utc::now())
            .load(&mut s.conn)
            .unwrap();
        rows.iter().find(|a| a.population_count > 100).unwrap().id
    };
    let (status, moved) = s.post(
        "/api/v1/transfers",
        Some("operator"),
        &[],
        json!({
            "source_assignment_id": assignment, "destination_container_id": last.container_id,
            "count": 100, "biomass_kg": 0.5, "date": "2026-03-03",
        }),
    );
    assert_eq!(status, 201, "{moved}");
    let (status, too_many) = s.post(
        "/api/v1/transfers",
        Some("operator"),
        &[],
        json!({
            "source_assignment_id": assignment, "destination_container_id": last.container_id,
            "count": 100_000_000, "biomass_kg": 0.5, "date": "2026-03-03",
        }),
    );
    assert_eq!(
        (status, too_many["parameter"].clone()),
        (400, json!("count"))
    );
    let (status, patched) = s
        .agent
        .patch(&s.url(&format!("/api/v1/batches/{}", batch["id"])))
        .header(
            "Authorization",
            &format!("Bearer {}", s.staff.token("operator").unwrap()),
        )
        .send_json(json!({ "notes": "moved to pen 7" }))
        .map(|mut r| (r.status().as_u16(), r.body_mut().read_to_string().unwrap()))
        .unwrap();
    assert_eq!(status, 200, "{patched}");
    let (_, rows) = s.get(
        &format!("/api/v1/history/batch/?object_id={}", batch["id"]),
        Some("operator"),
    );
    assert_eq!(rows["results"][0]["notes"], json!("moved to pen 7"));
    assert_eq!(
        rows["results"][0]["status"],
        json!("active"),
        "fields left out stay"
    );
    assert_eq!(
        rows["results"][0]["history_change_reason"],
        json!("updated via PATCH /api/v1/batches/{id}")
    );
    let (_, changeset) = s.get(
        &format!(
            "/api/v1/history/changesets/{}/",
            moved["changeset"].as_str().unwrap()
        ),
        Some("operator"),
    );
    let shape: Vec<(&str, &str)> = changeset["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["model"].as_str().unwrap(),
                e["history_type"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            ("BatchContainerAssignment", "+"),
            ("BatchTransfer", "+"),
            ("BatchContainerAssignment", "~")
        ]
    );
    assert!(changeset["entries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["history_change_reason"] == json!("created via POST /api/v1/transfers")));

    // Writing needs a writer's role, and credentials.
    assert_eq!(
        s.post("/api/v1/feeding-events", Some("auditor"), &[], body.clone())
            .0,
        403
    );
    assert_eq!(s.post("/api/v1/feeding-events", None, &[], body).0, 401);
}

/// The OpenAPI document: 3.1, every model's three operations with unique ids, the security
/// scheme; served without credentials.
fn the_openapi_document(s: &mut Server) {
    // Anonymous callers and those who may not read personal data get the document without it.
    let (status, public) = s.get("/api/v1/history/openapi.json", None);
    assert_eq!(status, 200);
    assert_eq!(public["paths"].as_object().unwrap().len(), 20 * 3 + 3);
    assert!(!public.to_string().contains("UserProfile"));
    assert_eq!(
        s.get("/api/v1/history/openapi.json", Some("operator")).1,
        public
    );
    let (_, doc) = s.get("/api/v1/history/openapi.json", Some("auditor"));
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            operations.push((
                path.clone(),
                method.clone(),
                op["operationId"].as_str().unwrap().to_owned(),
            ));
        }
    }
    assert_eq!(operations.len(), 22 * 3 + 3);
    let unique: BTreeSet<&str> = operations.iter().map(|o| o.2.as_str()).collect();
    assert_eq!(unique.len(), operations.len(), "no duplicate operation id");
    for id in [
        "listBatchHistory",
        "retrieveBatchHistoryDetail",
        "retrieveBatchAsOf",
        "listChangesets",
        "retrieveChangeset",
        "listHistoryModels",
    ] {
        assert!(unique.contains(id), "{id}");
    }
    assert!(
        doc["components"]["schemas"]["HistoricalBatch"]["properties"]["lifecycle_stage"]
            .is_object()
    );
    // A first row has no diff: the schema says so (schemathesis found it did not).
    assert_eq!(
        doc["components"]["schemas"]["BatchHistoryDetail"]["properties"]["diff"]["type"],
        json!(["object", "null"])
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        json!("bearer")
    );
    // Every path the document names answers (with the admin's token) without a server error.
    for (path, _, _) in &operations {
        let concrete = path
            .replace("{history_id}", "1")
            .replace("{object_id}", "1")
            .replace("{id}", &uuid::Uuid::nil().to_string());
        let (status, body) = s.get(&concrete, Some("admin"));
        assert!(status < 500, "{concrete}: {status} {body}");
    }
}

macro_rules! on_each_backend {
    ($($name:ident),*) => {
        mod sqlite {
            use super::*;
            $( #[test] fn $name() { super::$name(&mut Server::sqlite()); } )*
        }
        #[cfg(feature = "postgres")]
        mod postgres {
            use super::*;
            $( #[test] fn $name() { super::$name(&mut Server::postgres()); } )*
        }
        #[cfg(feature = "mysql")]
        mod mysql {
            use super::*;
            $( #[test] fn $name() { super::$name(&mut Server::mysql()); } )*
        }
    };
}

on_each_backend!(
    listings_filter_and_page,
    the_status_matrix,
    records_objects_and_changesets,
    writes_are_attributed,
    the_openapi_document
);
