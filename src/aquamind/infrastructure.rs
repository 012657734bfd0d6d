//! Infrastructure: where fish live.

use audit_diesel::Historical;
use diesel::prelude::*;

use super::schema::*;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Historical)]
#[diesel(table_name = geographies)]
#[historical(user_id_type = i32)]
pub struct Geography {
    pub id: i32,
    pub name: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Historical)]
#[diesel(table_name = areas)]
#[historical(user_id_type = i32)]
pub struct Area {
    pub id: i32,
    #[historical(index)]
    pub geography_id: i32,
    pub name: String,
    pub latitude: f64,
    pub longitude: f64,
    pub max_biomass_kg: f64,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Historical)]
#[diesel(table_name = freshwater_stations)]
#[historical(user_id_type = i32)]
pub struct FreshwaterStation {
    pub id: i32,
    #[historical(index)]
    pub geography_id: i32,
    pub name: String,
    pub station_type: String,
    pub latitude: f64,
    pub longitude: f64,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Historical)]
#[diesel(table_name = halls)]
#[historical(user_id_type = i32)]
pub struct Hall {
    pub id: i32,
    #[historical(index)]
    pub freshwater_station_id: i32,
    pub name: String,
    pub area_sqm: Option<f64>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Historical)]
#[diesel(table_name = container_types)]
#[historical(user_id_type = i32)]
pub struct ContainerType {
    pub id: i32,
    pub name: String,
    pub category: String,
    pub max_volume_m3: f64,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Historical)]
#[diesel(table_name = containers)]
#[historical(user_id_type = i32)]
pub struct Container {
    pub id: i32,
    #[historical(index)]
    pub container_type_id: i32,
    #[historical(index)]
    pub hall_id: Option<i32>,
    #[historical(index)]
    pub area_id: Option<i32>,
    pub name: String,
    pub volume_m3: f64,
    pub max_biomass_kg: f64,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Historical)]
#[diesel(table_name = sensors)]
#[historical(user_id_type = i32)]
pub struct Sensor {
    pub id: i32,
    #[historical(index)]
    pub container_id: i32,
    pub name: String,
    pub sensor_type: String,
    pub serial_number: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Historical)]
#[diesel(table_name = feed_containers)]
#[historical(user_id_type = i32)]
pub struct FeedContainer {
    pub id: i32,
    #[historical(index)]
    pub hall_id: Option<i32>,
    #[historical(index)]
    pub area_id: Option<i32>,
    pub name: String,
    pub kind: String,
    pub capacity_kg: f64,
    pub active: bool,
}
