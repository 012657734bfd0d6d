//! Values for filters written by hand on history tables' own columns.
//!
//! `history_date`, `history_type`, UUID ids and tracked `DateTime<Utc>` and `uuid::Uuid` columns
//! have SQL types of this crate, which Rust values do not convert to by themselves; wrap them with
//! these functions:
//!
//! ```
//! # include!("../doctest_setup.rs");
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mut conn = setup();
//! # Tank::create(&mut conn, &AuditContext::anonymous(), &NewTank { name: "T1".into(), volume_m3: 40.0 })?;
//! use audit_diesel::dsl;
//! let creates: i64 = historical_tanks::table
//!     .filter(historical_tanks::history_type.eq(dsl::history_type(HistoryType::Create)))
//!     .filter(historical_tanks::history_date.le(dsl::date(chrono::Utc::now())))
//!     .count()
//!     .get_result(&mut conn)?;
//! assert_eq!(creates, 1);
//! # Ok(())
//! # }
//! ```

use chrono::{DateTime, Utc};

pub use crate::bind::Bind;
use crate::sql_types::{HistoryDate, HistoryTypeCode, PortableTimestamptz, PortableUuid};
use crate::HistoryType;

/// A `history_type` value.
pub fn history_type(value: HistoryType) -> Bind<HistoryTypeCode, HistoryType> {
    Bind::new(value)
}

/// A `history_date` value.
pub fn date(value: DateTime<Utc>) -> Bind<HistoryDate, DateTime<Utc>> {
    Bind::new(value)
}

/// A value of a tracked `DateTime<Utc>` column of a history table
/// ([`PortableTimestamptz`]): `historical_batches::stocked_at.gt(dsl::timestamptz(t))`.
pub fn timestamptz(value: DateTime<Utc>) -> Bind<PortableTimestamptz, DateTime<Utc>> {
    Bind::new(value)
}

/// A UUID value: `history_id`, `history_user_id`, or a tracked `uuid::Uuid` column.
pub fn uuid(value: uuid::Uuid) -> Bind<PortableUuid, uuid::Uuid> {
    Bind::new(value)
}
