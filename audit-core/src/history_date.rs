//! The dates history stores: UTC, microsecond precision, the years 1 to 9999.
//!
//! Every backend stores that range exactly and orders it correctly (SQLite as fixed-width text,
//! whose order is time order only for four-digit years). Dates the caller hands to the library
//! (an explicit history date, a read bound, a cleanup cutoff) are checked against it here, once,
//! so that every backend gives the same answer and none is asked for a date it cannot store.
//!
//! ```
//! use audit_core::history_date;
//! use chrono::{TimeZone, Timelike, Utc};
//!
//! let late = Utc.with_ymd_and_hms(2300, 1, 1, 0, 0, 0).unwrap().with_nanosecond(1_999).unwrap();
//! assert_eq!(history_date::check(late).unwrap().nanosecond(), 1_000);
//! assert!(history_date::check(Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap()).is_err());
//! assert!(history_date::in_range(&history_date::latest()));
//! ```

use chrono::{DateTime, Datelike, Timelike, Utc};

use crate::ContextError;

/// The first year history stores.
pub const FIRST_YEAR: i32 = 1;
/// The last year history stores.
pub const LAST_YEAR: i32 = 9999;

/// Whether `date` lies in the years [`FIRST_YEAR`] to [`LAST_YEAR`].
pub fn in_range(date: &DateTime<Utc>) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&date.year())
}

/// The earliest date history stores: 0001-01-01T00:00:00Z.
pub fn earliest() -> DateTime<Utc> {
    DateTime::from_timestamp(-62_135_596_800, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// The latest date history stores: 9999-12-31T23:59:59.999999Z.
pub fn latest() -> DateTime<Utc> {
    DateTime::from_timestamp(253_402_300_799, 999_999_000).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// `date` without its sub-microsecond part, the precision every backend stores.
///
/// Works on every date chrono represents (chrono's `duration_trunc` counts in 64-bit
/// nanoseconds, which end in 2262). A leap second (`23:59:60.5`) becomes the last microsecond
/// before it (`23:59:59.999999`): PostgreSQL has no leap seconds and SQLite would store them as
/// text of their own, so folding them is the one way both store the same date.
pub fn truncate_to_micros(date: DateTime<Utc>) -> DateTime<Utc> {
    let nanos = date.nanosecond();
    let micros = if nanos >= 1_000_000_000 {
        999_999_000
    } else {
        nanos - nanos % 1_000
    };
    date.with_nanosecond(micros).unwrap_or(date)
}

/// The first stored microsecond at or after `date`: the bound that keeps the same rows as
/// `date` itself in a `>=` comparison, since stored dates have microseconds only. `None` past
/// what chrono represents.
///
/// ```
/// use audit_core::history_date::{ceil_to_micros, truncate_to_micros};
/// use chrono::{TimeZone, Timelike, Utc};
///
/// let date = Utc.with_ymd_and_hms(1990, 1, 1, 0, 0, 0).unwrap().with_nanosecond(500).unwrap();
/// assert_eq!(ceil_to_micros(date).unwrap().nanosecond(), 1_000);
/// assert_eq!(truncate_to_micros(date).nanosecond(), 0);
/// ```
pub fn ceil_to_micros(date: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let nanos = date.nanosecond();
    if nanos >= 1_000_000_000 {
        // Inside a leap second: the next stored date is the next second.
        return date
            .with_nanosecond(0)?
            .checked_add_signed(chrono::TimeDelta::seconds(1));
    }
    match nanos % 1_000 {
        0 => Some(date),
        rest => date.checked_add_signed(chrono::TimeDelta::nanoseconds(i64::from(1_000 - rest))),
    }
}

/// Checks that `date` is in range and truncates it to microseconds.
///
/// # Errors
/// [`ContextError::DateOutOfRange`] outside the years 1 to 9999.
pub fn check(date: DateTime<Utc>) -> Result<DateTime<Utc>, ContextError> {
    if !in_range(&date) {
        return Err(ContextError::DateOutOfRange {
            date: date.to_rfc3339(),
        });
    }
    Ok(truncate_to_micros(date))
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};

    use super::*;

    #[test]
    fn the_bounds_are_the_first_and_last_microsecond_of_the_range() {
        assert_eq!(earliest(), Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).unwrap());
        assert_eq!(
            latest(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap()
                + chrono::TimeDelta::microseconds(999_999)
        );
        assert!(in_range(&earliest()) && in_range(&latest()));
        assert!(!in_range(
            &(earliest() - chrono::TimeDelta::microseconds(1))
        ));
        assert!(!in_range(&(latest() + chrono::TimeDelta::microseconds(1))));
    }

    #[test]
    fn truncation_works_past_2262_and_before_1677() {
        for year in [1, 1000, 1677, 2262, 2263, 2300, 9999] {
            let date = Utc
                .with_ymd_and_hms(year, 6, 1, 12, 0, 0)
                .unwrap()
                .with_nanosecond(123_456_789)
                .unwrap();
            let checked = check(date).unwrap();
            assert_eq!(checked.nanosecond(), 123_456_000, "{year}");
            assert_eq!(checked.year(), year);
        }
    }

    #[test]
    fn a_leap_second_folds_into_the_last_microsecond_before_it() {
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_nano_opt(23, 59, 59, 1_500_000_999)
            .unwrap()
            .and_utc();
        let folded = truncate_to_micros(leap);
        assert_eq!((folded.second(), folded.nanosecond()), (59, 999_999_000));
        assert_eq!(
            ceil_to_micros(leap).unwrap(),
            Utc.with_ymd_and_hms(2017, 1, 1, 0, 0, 0).unwrap()
        );
    }

    #[test]
    fn ceil_keeps_whole_microseconds_and_rounds_the_rest_up() {
        let date = Utc.with_ymd_and_hms(2300, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(ceil_to_micros(date), Some(date));
        let later = date.with_nanosecond(1_001).unwrap();
        assert_eq!(ceil_to_micros(later).unwrap().nanosecond(), 2_000);
        assert_eq!(ceil_to_micros(DateTime::<Utc>::MAX_UTC), None);
    }
}
