//! Inventory: feed in stock and fed.

use audit_diesel::Historical;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::*;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Historical)]
#[diesel(table_name = feed_stocks)]
#[historical(user_id_type = i32)]
pub struct FeedStock {
    pub id: i32,
    #[historical(index)]
    pub feed_container_id: i32,
    pub feed_name: String,
    pub current_quantity_kg: f64,
    pub reorder_threshold_kg: f64,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Historical)]
#[diesel(table_name = feeding_events)]
#[historical(user_id_type = i32)]
pub struct FeedingEvent {
    pub id: i32,
    #[historical(index)]
    pub batch_id: i32,
    #[historical(index)]
    pub container_id: i32,
    pub feed_stock_id: Option<i32>,
    pub fed_at: NaiveDateTime,
    pub amount_kg: f64,
    pub method: String,
}
