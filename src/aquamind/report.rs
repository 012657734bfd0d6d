//! What the day left in the trail, printed for people.

/// Every audited model, with its domain, for the counts.
#[macro_export]
#[doc(hidden)]
macro_rules! for_each_audited_model {
    ($callback:ident $(, $arg:ident)*) => {
        $callback!($($arg),*;
            "batch" => $crate::aquamind::batch::Batch,
            "batch" => $crate::aquamind::batch::BatchTransfer,
            "batch" => $crate::aquamind::batch::BatchContainerAssignment,
            "batch" => $crate::aquamind::batch::GrowthSample,
            "batch" => $crate::aquamind::batch::MortalityEvent,
            "inventory" => $crate::aquamind::inventory::FeedingEvent,
            "inventory" => $crate::aquamind::inventory::FeedStock,
            "health" => $crate::aquamind::health::JournalEntry,
            "health" => $crate::aquamind::health::HealthLabSample,
            "health" => $crate::aquamind::health::MortalityRecord,
            "health" => $crate::aquamind::health::LiceCount,
            "health" => $crate::aquamind::health::Treatment,
            "infrastructure" => $crate::aquamind::infrastructure::Geography,
            "infrastructure" => $crate::aquamind::infrastructure::Area,
            "infrastructure" => $crate::aquamind::infrastructure::FreshwaterStation,
            "infrastructure" => $crate::aquamind::infrastructure::Hall,
            "infrastructure" => $crate::aquamind::infrastructure::ContainerType,
            "infrastructure" => $crate::aquamind::infrastructure::Container,
            "infrastructure" => $crate::aquamind::infrastructure::Sensor,
            "infrastructure" => $crate::aquamind::infrastructure::FeedContainer,
            "users" => $crate::aquamind::users::AuditedUser,
            "users" => $crate::aquamind::users::UserProfile
        )
    };
}

/// Counts the `+`, `~` and `-` rows of each model into `$counts`.
#[macro_export]
#[doc(hidden)]
macro_rules! count_history_rows {
    ($conn:ident, $counts:ident; $($domain:literal => $model:ty),*) => {$(
        let mut by_type = [0; 3];
        for (i, t) in audit_diesel::HistoryType::ALL.into_iter().enumerate() {
            by_type[i] = <$model as audit_diesel::Historical>::history_query().history_type(t).count($conn)?;
        }
        $counts.push(($domain, <$model as audit_diesel::Historical>::HISTORY.model.to_string(), by_type));
    )*};
}

/// Writes the report functions for a connection of type `$conn_ty`.
macro_rules! report_day {
    ($conn_ty:ty) => {
        /// How many `+`, `~` and `-` rows each audited model has.
        pub fn history_counts(
            conn: &mut $conn_ty,
        ) -> Result<Vec<(&'static str, String, [i64; 3])>, audit_diesel::AuditError> {
            use $crate::count_history_rows;
            let mut counts = Vec::new();
            $crate::for_each_audited_model!(count_history_rows, conn, counts);
            Ok(counts)
        }

        /// Prints the day's trail of the batch, the batch as of mid-morning, a diff and the
        /// history counts.
        pub fn print(
            conn: &mut $conn_ty,
            day: &crate::aquamind::day::Day,
            out: &mut dyn std::io::Write,
        ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
            use crate::aquamind::auth::users;
            use crate::aquamind::batch::*;
            use crate::aquamind::schema::*;
            use audit_diesel::{Historical, HistoryRecord};
            use diesel::prelude::*;

            let names: std::collections::HashMap<i32, String> = users::table
                .select((users::id, users::username))
                .load::<(i32, String)>(conn)?
                .into_iter()
                .collect();
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
            let now: Batch = batches::table.find(day.batch_id).first(conn)?;
            let containers: std::collections::HashMap<i32, String> = containers::table
                .select((containers::id, containers::name))
                .load::<(i32, String)>(conn)?
                .into_iter()
                .collect();
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
            let readings: i64 = environmental_readings::table.count().get_result(conn)?;
            let weather: i64 = weather_data::table.count().get_result(conn)?;
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
    };
}

pub(crate) use report_day;
