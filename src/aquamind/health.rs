//! Health: the veterinarians' records.

use audit_diesel::Historical;
use chrono::NaiveDate;
use diesel::prelude::*;

use super::schema::*;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Historical)]
#[diesel(table_name = journal_entries)]
#[historical(user_id_type = i32)]
pub struct JournalEntry {
    pub id: i32,
    #[historical(index)]
    pub batch_id: i32,
    pub container_id: Option<i32>,
    pub author_id: i32,
    pub entry_date: NaiveDate,
    pub category: String,
    pub severity: String,
    pub description: String,
    pub resolved: bool,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Historical)]
#[diesel(table_name = health_lab_samples)]
#[historical(user_id_type = i32)]
pub struct HealthLabSample {
    pub id: i32,
    #[historical(index)]
    pub assignment_id: i32,
    pub sample_type: String,
    pub sample_date: NaiveDate,
    pub lab_reference: String,
    pub findings: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Historical)]
#[diesel(table_name = mortality_records)]
#[historical(user_id_type = i32)]
pub struct MortalityRecord {
    pub id: i32,
    #[historical(index)]
    pub batch_id: i32,
    pub container_id: Option<i32>,
    pub event_date: NaiveDate,
    pub count: i32,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Historical)]
#[diesel(table_name = lice_counts)]
#[historical(user_id_type = i32)]
pub struct LiceCount {
    pub id: i32,
    #[historical(index)]
    pub batch_id: i32,
    pub container_id: Option<i32>,
    pub counted_by: i32,
    pub count_date: NaiveDate,
    pub fish_sampled: i32,
    pub adult_female_count: i32,
    pub adult_male_count: i32,
    pub juvenile_count: i32,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Historical)]
#[diesel(table_name = treatments)]
#[historical(user_id_type = i32)]
pub struct Treatment {
    pub id: i32,
    #[historical(index)]
    pub batch_id: i32,
    pub container_id: Option<i32>,
    pub prescribed_by: i32,
    pub treatment_date: NaiveDate,
    pub treatment_type: String,
    pub description: String,
    pub dosage: Option<String>,
    pub duration_days: i32,
    pub withholding_period_days: i32,
}
