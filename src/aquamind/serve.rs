//! The farm's HTTP server: the history API and viewer of `audit-axum` over all 22 models, and write
//! endpoints for batches, feeding events and transfers whose writes are attributed to the
//! caller (user, `X-Change-Reason` or a reason from the route, the request's changeset).

use audit_axum::{Attributed, BearerTokens, HistoryApi, Pool, Principal, Problem, Role};
use audit_diesel::{AuditError, Historical};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{patch, post};
use axum::{Json, Router};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::json;

use crate::aquamind::batch::*;
use crate::aquamind::inventory::*;
use crate::aquamind::schema::*;
use crate::aquamind::AquaConnection;

/// Roles that may write through the example's endpoints.
const WRITERS: [&str; 3] = ["operator", "veterinarian", Role::ADMIN];

/// Sets SQLite's pragmas on each pooled connection: foreign keys, a busy timeout for writers
/// that meet, and WAL so that readers never wait for them.
#[derive(Debug, Clone, Copy)]
struct SqlitePragmas;

impl diesel::r2d2::CustomizeConnection<AquaConnection, diesel::r2d2::Error> for SqlitePragmas {
    // Irrefutable in a build without PostgreSQL, where SQLite is the only variant.
    #[allow(irrefutable_let_patterns)]
    fn on_acquire(&self, conn: &mut AquaConnection) -> Result<(), diesel::r2d2::Error> {
        if let AquaConnection::Sqlite(conn) = conn {
            conn.batch_execute(
                "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// A pool of `size` connections to `database` (a `postgres://` or `mysql://` URL, or a SQLite file).
///
/// # Errors
/// The pool's, when no connection can be opened.
pub fn pool(database: &str, size: u32) -> Result<Pool<AquaConnection>, diesel::r2d2::PoolError> {
    diesel::r2d2::Pool::builder()
        .max_size(size)
        .connection_timeout(std::time::Duration::from_secs(10))
        .connection_customizer(Box::new(SqlitePragmas))
        .build(diesel::r2d2::ConnectionManager::new(database))
}

/// Who may call the server: one bearer token each for an operator, a veterinarian, an admin
/// and an auditor, with their user ids.
#[derive(Debug, Clone)]
pub struct Staff {
    /// (token, role, user id) of each.
    pub members: Vec<(String, &'static str, i32)>,
}

impl Staff {
    /// The day's operator, veterinarian and admin, and an auditor (user `auditor_id`), each with
    /// a fresh random token.
    pub fn new(operator: i32, vet: i32, admin: i32, auditor_id: i32) -> Self {
        let token = || uuid::Uuid::new_v4().simple().to_string();
        Staff {
            members: vec![
                (token(), "operator", operator),
                (token(), "veterinarian", vet),
                (token(), Role::ADMIN, admin),
                (token(), Role::AUDITOR, auditor_id),
            ],
        }
    }

    /// The token of `role`.
    pub fn token(&self, role: &str) -> Option<&str> {
        self.members
            .iter()
            .find(|(_, r, _)| *r == role)
            .map(|(t, _, _)| t.as_str())
    }

    /// The tokens, as the API's authenticator.
    pub fn tokens(&self) -> BearerTokens {
        self.members
            .iter()
            .fold(BearerTokens::new(), |tokens, (token, role, user)| {
                tokens.token(token.clone(), Principal::new(i64::from(*user), &[role]))
            })
    }
}

/// The history API, the history viewer (`/history/`, reverting for admins) and the write
/// endpoints, on one router.
pub fn app(api: HistoryApi<AquaConnection>) -> Router {
    let writes = Router::new()
        .route("/api/v1/batches", post(create_batch))
        .route("/api/v1/batches/{id}", patch(update_batch))
        .route("/api/v1/feeding-events", post(create_feeding_event))
        .route("/api/v1/transfers", post(create_transfer))
        .with_state(api.clone());
    api.router()
        .merge(api.viewer())
        .merge(api.attributed(writes))
}

fn may_write(who: &Principal) -> Result<(), Problem> {
    if WRITERS.iter().any(|r| who.has_role(r)) {
        Ok(())
    } else {
        Err(Problem::new(
            StatusCode::FORBIDDEN,
            "writing needs the operator, veterinarian or admin role",
        ))
    }
}

fn created(id: i32, ctx: &audit_diesel::AuditContext) -> Response {
    (
        StatusCode::CREATED,
        Json(json!({ "id": id, "changeset": ctx.changeset() })),
    )
        .into_response()
}

/// `POST /api/v1/batches`.
#[derive(Debug, Deserialize)]
pub struct BatchBody {
    batch_number: String,
    species: String,
    lifecycle_stage: String,
    status: String,
    start_date: NaiveDate,
    expected_end_date: Option<NaiveDate>,
    notes: Option<String>,
}

async fn create_batch(
    State(api): State<HistoryApi<AquaConnection>>,
    Attributed(ctx, who): Attributed,
    Json(body): Json<BatchBody>,
) -> Result<Response, Problem> {
    may_write(&who)?;
    let audit = ctx.clone();
    let batch = api
        .run(move |conn, _| {
            Batch::create(
                conn,
                &audit,
                &NewBatch {
                    batch_number: &body.batch_number,
                    species: &body.species,
                    lifecycle_stage: &body.lifecycle_stage,
                    status: &body.status,
                    start_date: body.start_date,
                    expected_end_date: body.expected_end_date,
                    notes: body.notes.as_deref(),
                },
            )
        })
        .await?;
    Ok(created(batch.id, &ctx))
}

/// `PATCH /api/v1/batches/{id}`: the fields to change (those left out stay as they are).
#[derive(Debug, Deserialize, AsChangeset)]
#[diesel(table_name = batches)]
pub struct BatchPatch {
    lifecycle_stage: Option<String>,
    status: Option<String>,
    notes: Option<String>,
}

async fn update_batch(
    State(api): State<HistoryApi<AquaConnection>>,
    Attributed(ctx, who): Attributed,
    Path(id): Path<i32>,
    Json(body): Json<BatchPatch>,
) -> Result<Response, Problem> {
    may_write(&who)?;
    let audit = ctx.clone();
    let batch = api
        .run(move |conn, _| Batch::update(conn, &audit, id, &body))
        .await?;
    Ok(Json(json!({ "id": batch.id, "changeset": ctx.changeset() })).into_response())
}

/// `POST /api/v1/feeding-events`.
#[derive(Debug, Deserialize)]
pub struct FeedingBody {
    batch_id: i32,
    container_id: i32,
    feed_stock_id: Option<i32>,
    fed_at: NaiveDateTime,
    amount_kg: f64,
    method: String,
}

async fn create_feeding_event(
    State(api): State<HistoryApi<AquaConnection>>,
    Attributed(ctx, who): Attributed,
    Json(body): Json<FeedingBody>,
) -> Result<Response, Problem> {
    may_write(&who)?;
    let audit = ctx.clone();
    let event = api
        .run(move |conn, _| {
            FeedingEvent::create(
                conn,
                &audit,
                (
                    feeding_events::batch_id.eq(body.batch_id),
                    feeding_events::container_id.eq(body.container_id),
                    feeding_events::feed_stock_id.eq(body.feed_stock_id),
                    feeding_events::fed_at.eq(body.fed_at),
                    feeding_events::amount_kg.eq(body.amount_kg),
                    feeding_events::method.eq(body.method),
                ),
            )
        })
        .await?;
    Ok(created(event.id, &ctx))
}

/// `POST /api/v1/transfers`: fish moved from an assignment to another container.
#[derive(Debug, Deserialize)]
pub struct TransferBody {
    source_assignment_id: i32,
    destination_container_id: i32,
    count: i32,
    biomass_kg: f64,
    date: NaiveDate,
}

/// One business action over two models: the new assignment, the transfer, the source's new
/// population, in one transaction and one changeset (the request's).
async fn create_transfer(
    State(api): State<HistoryApi<AquaConnection>>,
    Attributed(ctx, who): Attributed,
    Json(body): Json<TransferBody>,
) -> Result<Response, Problem> {
    may_write(&who)?;
    if body.count <= 0 {
        return Err(Problem::bad_parameter(
            "count",
            "`count` must be at least 1",
        ));
    }
    if body.biomass_kg.is_nan() || body.biomass_kg < 0.0 {
        return Err(Problem::bad_parameter(
            "biomass_kg",
            "`biomass_kg` must be a number of at least 0",
        ));
    }
    let audit = ctx.clone();
    let transfer = api
        .run(move |conn, _| {
            conn.transaction(|conn| {
                let from: BatchContainerAssignment = batch_container_assignments::table
                    .find(body.source_assignment_id)
                    .select(BatchContainerAssignment::as_select())
                    .first(conn)
                    .optional()?
                    .ok_or(AuditError::NotFound {
                        model: "BatchContainerAssignment".into(),
                        key: body.source_assignment_id.to_string(),
                    })?;
                // More fish or biomass than the source holds is refused, in the transaction
                // that writes the transfer.
                if !from.is_active || body.count > from.population_count {
                    return Err(AuditError::InvalidValue {
                        argument: "count",
                        value: body.count.to_string(),
                        expected: format!(
                            "at most the {} fish of active assignment {}",
                            from.population_count, from.id
                        ),
                    });
                }
                if body.biomass_kg > from.biomass_kg {
                    return Err(AuditError::InvalidValue {
                        argument: "biomass_kg",
                        value: body.biomass_kg.to_string(),
                        expected: format!(
                            "at most the {} kg of assignment {}",
                            from.biomass_kg, from.id
                        ),
                    });
                }
                let to = BatchContainerAssignment::create(
                    conn,
                    &audit,
                    (
                        batch_container_assignments::batch_id.eq(from.batch_id),
                        batch_container_assignments::container_id.eq(body.destination_container_id),
                        batch_container_assignments::population_count.eq(body.count),
                        batch_container_assignments::biomass_kg.eq(body.biomass_kg),
                        batch_container_assignments::assignment_date.eq(body.date),
                        batch_container_assignments::is_active.eq(true),
                    ),
                )?;
                let transfer = BatchTransfer::create(
                    conn,
                    &audit,
                    (
                        batch_transfers::source_batch_id.eq(from.batch_id),
                        batch_transfers::destination_batch_id.eq(Some(from.batch_id)),
                        batch_transfers::source_assignment_id.eq(from.id),
                        batch_transfers::destination_assignment_id.eq(Some(to.id)),
                        batch_transfers::transfer_type.eq("CONTAINER"),
                        batch_transfers::transferred_count.eq(body.count),
                        batch_transfers::transferred_biomass_kg.eq(body.biomass_kg),
                        batch_transfers::transfer_date.eq(body.date),
                        batch_transfers::notes.eq(None::<String>),
                    ),
                )?;
                let left = from.population_count - body.count;
                BatchContainerAssignment::update(
                    conn,
                    &audit,
                    from.id,
                    (
                        batch_container_assignments::population_count.eq(left),
                        batch_container_assignments::biomass_kg
                            .eq(from.biomass_kg - body.biomass_kg),
                        batch_container_assignments::is_active.eq(left > 0),
                    ),
                )?;
                Ok::<_, AuditError>(transfer)
            })
        })
        .await?;
    Ok(created(transfer.id, &ctx))
}
