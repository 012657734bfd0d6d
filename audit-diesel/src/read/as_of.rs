//! Every object of a model as it was at a time: [`AsOf`].

use chrono::{DateTime, Utc};
use diesel::expression::{AppearsOnTable, Expression};
use diesel::sql_types::BoolOrNullableBool;

use super::select::AsOfShape;
use super::{checked_bound, Both, Bound, HistoryFilter, NoFilter};
use crate::connection::{on_backend_filtered, AuditConnection};
use crate::slot::Slot;
use crate::{AuditError, Historical, HistoryRecord};

/// Every object of a model as it was at a time; from [`Historical::as_of`].
///
/// An object is in the result when its latest row dated at or before the time is not a delete;
/// it comes in the state that row records. [`filter`](AsOf::filter) then keeps the objects whose
/// state at that time matches. On PostgreSQL the query walks the distinct object keys of the
/// history index and probes it once per object; on SQLite it ranks the rows up to the time.
///
/// ```
/// # include!("../../doctest_setup.rs");
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mut conn = setup();
/// use chrono::{TimeZone, Utc};
/// let march = |day| Utc.with_ymd_and_hms(2026, 3, day, 12, 0, 0).unwrap();
/// let on = |day| AuditContext::builder().date(march(day)).build();
/// let t1 = Tank::create(&mut conn, &on(1)?, &NewTank { name: "T1".into(), volume_m3: 40.0 })?;
/// let t2 = Tank::create(&mut conn, &on(1)?, &NewTank { name: "T2".into(), volume_m3: 80.0 })?;
/// Tank::update(&mut conn, &on(2)?, t1.id, tanks::volume_m3.eq(45.0))?;
/// Tank::delete(&mut conn, &on(4)?, t2.id)?;
///
/// let at_3 = Tank::as_of(march(3)).load(&mut conn)?;
/// assert_eq!(at_3.iter().map(|r| (r.name.as_str(), r.volume_m3)).collect::<Vec<_>>(), [("T1", 45.0), ("T2", 80.0)]);
/// let big = Tank::as_of(march(3)).filter(historical_tanks::volume_m3.gt(50.0)).load(&mut conn)?;
/// assert_eq!(big.len(), 1);
/// assert_eq!(Tank::as_of(march(5)).load(&mut conn)?.len(), 1);
/// # Ok(())
/// # }
/// ```
pub struct AsOf<M, F = NoFilter> {
    at: DateTime<Utc>,
    shape: AsOfShape,
    filter: F,
    model: std::marker::PhantomData<M>,
}

impl<M: Historical> AsOf<M, NoFilter> {
    pub(crate) fn new(at: DateTime<Utc>) -> Self {
        AsOf {
            at,
            shape: AsOfShape {
                deletes: false,
                newest_first: false,
            },
            filter: NoFilter,
            model: std::marker::PhantomData,
        }
    }

    pub(crate) fn latest_of_each(until: DateTime<Utc>) -> Self {
        AsOf {
            shape: AsOfShape {
                deletes: true,
                newest_first: true,
            },
            ..AsOf::new(until)
        }
    }
}

impl<M: Historical, F> AsOf<M, F> {
    /// Only objects whose state at the time matches `predicate`, an expression on the history
    /// table's columns. Calls add up.
    pub fn filter<E>(self, predicate: E) -> AsOf<M, Both<F, E>>
    where
        E: Expression + AppearsOnTable<M::HistoryTable>,
        E::SqlType: BoolOrNullableBool,
    {
        AsOf {
            at: self.at,
            shape: self.shape,
            filter: Both(self.filter, predicate),
            model: std::marker::PhantomData,
        }
    }

    /// The most recently changed object first (by the date, then the id, of its latest row up
    /// to the time), as django-simple-history lists `latest_of_each`; the default of
    /// [`Historical::latest_of_each`].
    pub fn newest_first(mut self) -> Self {
        self.shape.newest_first = true;
        self
    }

    /// Ordered by key; the default of [`Historical::as_of`].
    pub fn by_key(mut self) -> Self {
        self.shape.newest_first = false;
        self
    }

    /// The objects as models, in the order of [`load`](AsOf::load) (django-simple-history's
    /// `as_of` returns instances). A model with fields excluded from history takes them from
    /// each object's live row, one query per object; see [`HistoryRecord::instance`].
    ///
    /// # Errors
    /// As [`load`](AsOf::load), and [`AuditError::InstanceNeedsLiveRow`] for an object of a
    /// model with excluded fields whose live row is gone (only with
    /// [`Historical::latest_of_each`], whose deleted objects come too).
    pub fn load_instances<C>(&self, conn: &mut C) -> Result<Vec<M>, AuditError>
    where
        C: AuditConnection,
        F: HistoryFilter<M>,
    {
        let records = self.load(conn)?;
        records.iter().map(|r| r.instance(conn)).collect()
    }

    /// The objects, each as its latest row up to the time, ordered by key unless
    /// [`newest_first`](AsOf::newest_first) says otherwise.
    ///
    /// # Errors
    /// [`AuditError::DateOutOfRange`] for a time outside the years 1 to 9999, or a database
    /// error.
    pub fn load<C>(&self, conn: &mut C) -> Result<Vec<M::Record>, AuditError>
    where
        C: AuditConnection,
        F: HistoryFilter<M>,
    {
        let at = checked_bound("as_of", self.at, Bound::AtMost)?;
        on_backend_filtered!(
            conn.backend_connection(),
            M,
            &self.filter,
            |c, slot, filter| slot.as_of(c, at, self.shape, filter)
        )
    }
}
