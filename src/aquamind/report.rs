//! What the day left in the trail, printed for people.

use std::collections::HashMap;

use audit_diesel::{AuditConnection, AuditError, Historical, HistoryRecord, HistoryType};
use diesel::dsl::{Count, Find, Limit, Select};
use diesel::prelude::*;
use diesel::query_dsl::LoadQuery;

use crate::aquamind::auth::users;
use crate::aquamind::batch::*;
use crate::aquamind::day::Day;
use crate::aquamind::health::*;
use crate::aquamind::infrastructure::*;
use crate::aquamind::inventory::*;
use crate::aquamind::schema::*;
use crate::aquamind::users::*;

/// A model's domain, its name, and its `+`, `~` and `-` rows.
pub type ModelCounts = (&'static str, String, [i64; 3]);

/// The `+`, `~` and `-` rows of model `M`, with its domain and name.
fn counts_of<M: Historical, C: AuditConnection>(
    conn: &mut C,
    domain: &'static str,
) -> Result<ModelCounts, AuditError> {
    let mut by_type = [0; 3];
    for (count, history_type) in by_type.iter_mut().zip(HistoryType::ALL) {
        *count = M::history_query().history_type(history_type).count(conn)?;
    }
    Ok((domain, M::HISTORY.model.to_string(), by_type))
}

/// How many `+`, `~` and `-` rows each audited model has.
pub fn history_counts<C: AuditConnection>(conn: &mut C) -> Result<Vec<ModelCounts>, AuditError> {
    Ok(vec![
        counts_of::<Batch, C>(conn, "batch")?,
        counts_of::<BatchTransfer, C>(conn, "batch")?,
        counts_of::<BatchContainerAssignment, C>(conn, "batch")?,
        counts_of::<GrowthSample, C>(conn, "batch")?,
        counts_of::<MortalityEvent, C>(conn, "batch")?,
        counts_of::<FeedingEvent, C>(conn, "inventory")?,
        counts_of::<FeedStock, C>(conn, "inventory")?,
        counts_of::<JournalEntry, C>(conn, "health")?,
        counts_of::<HealthLabSample, C>(conn, "health")?,
        counts_of::<MortalityRecord, C>(conn, "health")?,
        counts_of::<LiceCount, C>(conn, "health")?,
        counts_of::<Treatment, C>(conn, "health")?,
        counts_of::<Geography, C>(conn, "infrastructure")?,
        counts_of::<Area, C>(conn, "infrastructure")?,
        counts_of::<FreshwaterStation, C>(conn, "infrastructure")?,
        counts_of::<Hall, C>(conn, "infrastructure")?,
        counts_of::<ContainerType, C>(conn, "infrastructure")?,
        counts_of::<Container, C>(conn, "infrastructure")?,
        counts_of::<Sensor, C>(conn, "infrastructure")?,
        counts_of::<FeedContainer, C>(conn, "infrastructure")?,
        counts_of::<AuditedUser, C>(conn, "users")?,
        counts_of::<UserProfile, C>(conn, "users")?,
    ])
}

/// The plain Diesel reads of the report (names, the current batch, sensor row counts), with
/// Diesel's bounds on this blanket impl; generic code asks for `C: FarmLookups`.
pub trait FarmLookups {
    /// User names by id.
    ///
    /// # Errors
    /// A database error.
    fn user_names(&mut self) -> QueryResult<HashMap<i32, String>>;
    /// Container names by id.
    ///
    /// # Errors
    /// A database error.
    fn container_names(&mut self) -> QueryResult<HashMap<i32, String>>;
    /// The batch as it is now.
    ///
    /// # Errors
    /// A database error, or `NotFound`.
    fn current_batch(&mut self, id: i32) -> QueryResult<Batch>;
    /// The rows of the sensor readings and weather tables.
    ///
    /// # Errors
    /// A database error.
    fn sensor_rows(&mut self) -> QueryResult<(i64, i64)>;
}

impl<C> FarmLookups for C
where
    C: Connection,
    Select<users::table, (users::id, users::username)>: LoadQuery<'static, C, (i32, String)>,
    Select<containers::table, (containers::id, containers::name)>:
        LoadQuery<'static, C, (i32, String)>,
    Limit<Find<batches::table, i32>>: LoadQuery<'static, C, Batch>,
    Count<environmental_readings::table>: LoadQuery<'static, C, i64>,
    Count<weather_data::table>: LoadQuery<'static, C, i64>,
{
    fn user_names(&mut self) -> QueryResult<HashMap<i32, String>> {
        let rows = users::table
            .select((users::id, users::username))
            .load::<(i32, String)>(self)?;
        Ok(rows.into_iter().collect())
    }

    fn container_names(&mut self) -> QueryResult<HashMap<i32, String>> {
        let rows = containers::table
            .select((containers::id, containers::name))
            .load::<(i32, String)>(self)?;
        Ok(rows.into_iter().collect())
    }

    fn current_batch(&mut self, id: i32) -> QueryResult<Batch> {
        batches::table.find(id).first(self)
    }

    fn sensor_rows(&mut self) -> QueryResult<(i64, i64)> {
        let readings = environmental_readings::table.count().get_result(self)?;
        let weather = weather_data::table.count().get_result(self)?;
        Ok((readings, weather))
    }
}

/// Prints the day's trail of the batch, the batch as of mid-morning, a diff and the history
/// counts.
///
/// The history comes through the audited API (`C: AuditConnection`); the names, the current
/// batch and the sensor row counts are plain Diesel reads, behind [`FarmLookups`].
pub fn print<C>(
    conn: &mut C,
    day: &Day,
    out: &mut dyn std::io::Write,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>>
where
    C: AuditConnection + FarmLookups,
{
    let names = conn.user_names()?;
    let who = |id: Option<&i32>| {
        id.and_then(|id| names.get(id).cloned())
            .unwrap_or_else(|| "(system)".to_owned())
    };

    let mut trail = Batch::history(&day.batch_id).trail(conn)?;
    trail.reverse();
    let first = &trail[0];
    writeln!(
        out,
        "History of batch {} (oldest first):",
        first.batch_number
    )?;
    writeln!(
        out,
        "  {:<6} {:<4} {:<22} {:<30} changed",
        "time", "type", "user", "reason"
    )?;
    for (i, row) in trail.iter().enumerate() {
        let changed = match i {
            0 => String::new(),
            _ => row.diff_against(&trail[i - 1])?.changed_fields().join(", "),
        };
        writeln!(
            out,
            "  {:<6} {:<4} {:<22} {:<30} {}",
            row.history_date.format("%H:%M"),
            row.history_type,
            who(row.history_user_id.as_ref()),
            row.history_change_reason.as_deref().unwrap_or("-"),
            changed
        )?;
    }

    let then = Batch::history(&day.batch_id)
        .as_of(conn, day.mid_morning)?
        .ok_or("the batch existed at mid-morning")?;
    let trays = BatchContainerAssignment::as_of(day.mid_morning)
        .filter(historical_batch_container_assignments::batch_id.eq(day.batch_id))
        .load(conn)?;
    let now = conn.current_batch(day.batch_id)?;
    let containers = conn.container_names()?;
    writeln!(out)?;
    writeln!(
        out,
        "Batch {} as of {}, and now:",
        then.batch_number,
        day.mid_morning.format("%H:%M")
    )?;
    writeln!(
        out,
        "  then: stage {}, status {}, notes {}",
        then.lifecycle_stage,
        then.status,
        then.notes.as_deref().unwrap_or("-")
    )?;
    for tray in &trays {
        let name = containers
            .get(&tray.container_id)
            .map_or("(gone)", String::as_str);
        writeln!(
            out,
            "        in {name}: {} fish, {} kg (assignment {})",
            tray.population_count, tray.biomass_kg, tray.id
        )?;
    }
    writeln!(
        out,
        "  now:  stage {}, status {}, notes {}",
        now.lifecycle_stage,
        now.status,
        now.notes.as_deref().unwrap_or("-")
    )?;

    let latest = trail.last().ok_or("a trail")?;
    let earliest = trail.first().ok_or("a trail")?;
    writeln!(out)?;
    writeln!(
        out,
        "Diff of the batch from {} to {}:",
        earliest.history_date.format("%H:%M"),
        latest.history_date.format("%H:%M")
    )?;
    for change in latest.diff_against(earliest)?.changes() {
        writeln!(out, "  {}: {} -> {}", change.field, change.old, change.new)?;
    }

    print_transfer(conn, day, &who, out)?;

    writeln!(out)?;
    writeln!(
        out,
        "History rows per model (+ create, ~ update, - delete):"
    )?;
    for (domain, model, [created, updated, deleted]) in history_counts(conn)? {
        writeln!(
            out,
            "  {domain:<15} {model:<25} +{created:<4} ~{updated:<4} -{deleted}"
        )?;
    }
    let (readings, weather) = conn.sensor_rows()?;
    writeln!(
        out,
        "  {:<15} {:<25} no history (out of scope), {readings} rows",
        "environmental", "EnvironmentalReading"
    )?;
    writeln!(
        out,
        "  {:<15} {:<25} no history (out of scope), {weather} rows",
        "environmental", "WeatherData"
    )?;
    Ok(())
}

/// The 12:00 transfer: its changeset across models, where it stands in the day's changesets,
/// and what reverting it would say (tried in a transaction that is rolled back).
fn print_transfer<C: AuditConnection>(
    conn: &mut C,
    day: &Day,
    who: &dyn Fn(Option<&i32>) -> String,
    out: &mut dyn std::io::Write,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    use audit_diesel::changeset::OnLaterChange;
    use audit_diesel::AuditContext;

    let registry = crate::aquamind::registry::<C>();
    let transfer = registry.changeset(conn, day.transfer_changeset)?;
    writeln!(out)?;
    writeln!(
        out,
        "The transfer to pen 7, one changeset ({}):",
        transfer.id
    )?;
    for entry in &transfer.entries {
        let user = match &entry.history_user_id {
            Some(audit_diesel::UserId::Int(id)) => i32::try_from(*id).ok(),
            _ => None,
        };
        writeln!(
            out,
            "  {:<6} {:<4} {:<26} {:<6} {:<22} {}",
            entry.history_date.format("%H:%M"),
            entry.history_type,
            entry.model,
            entry.object_id,
            who(user.as_ref()),
            entry.history_change_reason.as_deref().unwrap_or("-"),
        )?;
    }
    // The listing, filtered as an auditor would: the operator's changesets from 12:00 to 12:15.
    let at = |h, m| crate::aquamind::day::at(day.date, h, m);
    let listed = registry
        .changesets()
        .user(day.operator)
        .since(at(12, 0))
        .until(at(12, 15))
        .load(conn)?;
    let found = listed.items.iter().find(|s| s.id == transfer.id);
    let found = found.ok_or("the transfer is listed")?;
    writeln!(
        out,
        "  the operator's changesets from 12:00 to 12:15: {}; this one has {} rows over {} models",
        listed.items.len(),
        found.rows,
        found.models.len()
    )?;
    // A later change (the 16:00 correction) touched the duplicate transfer: a revert refuses.
    let ctx = AuditContext::for_user(day.admin);
    let tried: Result<(), audit_diesel::AuditError> = conn.transaction(|conn| {
        registry.revert_changeset(conn, &ctx, transfer.id, OnLaterChange::Refuse)?;
        Err(audit_diesel::AuditError::UnknownChangeset { id: transfer.id })
    });
    match tried {
        Err(audit_diesel::AuditError::ChangesetConflict { .. }) => {
            writeln!(out, "  revert: {}", tried.unwrap_err())?;
        }
        Err(audit_diesel::AuditError::UnknownChangeset { .. }) => {
            writeln!(out, "  revert: possible (tried, rolled back)")?;
        }
        other => other?,
    }
    Ok(())
}
