//! The high-volume sensor tables the seed plan keeps out of the audit trail: plain Diesel
//! inserts, no history table.

use chrono::NaiveDateTime;
use diesel::dsl::{insert_into, Values};
use diesel::prelude::*;
use diesel::query_dsl::methods::ExecuteDsl;

use crate::aquamind::schema::{environmental_readings, weather_data};

/// One sensor reading.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = environmental_readings)]
pub struct NewReading {
    /// The sensor.
    pub sensor_id: i32,
    /// Where it is.
    pub container_id: i32,
    /// When it read.
    pub reading_time: NaiveDateTime,
    /// What it measures.
    pub parameter: String,
    /// The value.
    pub value: f64,
}

/// One weather observation.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = weather_data)]
pub struct NewWeather {
    /// The area.
    pub area_id: i32,
    /// When.
    pub observed_at: NaiveDateTime,
    /// Air temperature.
    pub temperature_c: f64,
    /// Wind.
    pub wind_speed_ms: f64,
    /// Rain.
    pub precipitation_mm: f64,
}

/// Where the sensor rows go: a connection that can insert them. Plain Diesel, so it needs
/// Diesel's bounds; they live on this blanket impl, and code generic over the connection asks
/// for `C: SensorLog` (a where-clause of Diesel's own types on the generic function itself would
/// shadow the impls its audited calls need).
pub trait SensorLog {
    /// Inserts the readings and the weather.
    ///
    /// # Errors
    /// A database error.
    fn log(&mut self, readings: Vec<NewReading>, weather: Vec<NewWeather>) -> QueryResult<()>;
}

impl<C> SensorLog for C
where
    C: Connection,
    Values<insert_into<environmental_readings::table>, NewReading>: ExecuteDsl<C>,
    Values<insert_into<weather_data::table>, NewWeather>: ExecuteDsl<C>,
{
    // Row by row, in one transaction: a `MultiConnection` cannot render SQLite's batch insert.
    fn log(&mut self, readings: Vec<NewReading>, weather: Vec<NewWeather>) -> QueryResult<()> {
        self.transaction(|conn| {
            for reading in readings {
                diesel::insert_into(environmental_readings::table)
                    .values(reading)
                    .execute(conn)?;
            }
            for observation in weather {
                diesel::insert_into(weather_data::table)
                    .values(observation)
                    .execute(conn)?;
            }
            Ok(())
        })
    }
}
