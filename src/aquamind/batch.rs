//! Batches: groups of fish raised together, where they are, how they grow and die.

use audit_diesel::Historical;
use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::*;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Historical)]
#[diesel(table_name = batches)]
#[historical(user_id_type = i32)]
pub struct Batch {
    pub id: i32,
    pub batch_number: String,
    pub species: String,
    pub lifecycle_stage: String,
    pub status: String,
    pub start_date: NaiveDate,
    pub expected_end_date: Option<NaiveDate>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = batches)]
pub struct NewBatch<'a> {
    pub batch_number: &'a str,
    pub species: &'a str,
    pub lifecycle_stage: &'a str,
    pub status: &'a str,
    pub start_date: NaiveDate,
    pub expected_end_date: Option<NaiveDate>,
    pub notes: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Historical)]
#[diesel(table_name = batch_container_assignments)]
#[historical(user_id_type = i32)]
pub struct BatchContainerAssignment {
    pub id: i32,
    #[historical(index)]
    pub batch_id: i32,
    #[historical(index)]
    pub container_id: i32,
    pub population_count: i32,
    pub biomass_kg: f64,
    pub assignment_date: NaiveDate,
    pub is_active: bool,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Historical)]
#[diesel(table_name = batch_transfers)]
#[historical(user_id_type = i32)]
pub struct BatchTransfer {
    pub id: i32,
    #[historical(index)]
    pub source_batch_id: i32,
    pub destination_batch_id: Option<i32>,
    pub source_assignment_id: i32,
    pub destination_assignment_id: Option<i32>,
    pub transfer_type: String,
    pub transferred_count: i32,
    pub transferred_biomass_kg: f64,
    pub transfer_date: NaiveDate,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Historical)]
#[diesel(table_name = growth_samples)]
#[historical(user_id_type = i32)]
pub struct GrowthSample {
    pub id: i32,
    #[historical(index)]
    pub assignment_id: i32,
    pub sample_date: NaiveDate,
    pub sample_size: i32,
    pub avg_weight_g: f64,
    pub avg_length_cm: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Historical)]
#[diesel(table_name = mortality_events)]
#[historical(user_id_type = i32)]
pub struct MortalityEvent {
    pub id: i32,
    #[historical(index)]
    pub batch_id: i32,
    pub event_date: NaiveDate,
    pub count: i32,
    pub cause: String,
    pub description: Option<String>,
}
