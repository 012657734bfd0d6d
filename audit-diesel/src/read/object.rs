//! One object's history: its trail, `as_of`, earliest and latest rows: [`ObjectHistory`].

use chrono::{DateTime, Utc};

use super::select::Conditions;
use super::{checked_bound, Bound, HistoryQuery, NoFilter};
use crate::connection::{on_backend, AuditConnection};
use crate::contract::{Generated, GeneratedOf};
use crate::slot::{DynFilter, Slot};
use crate::{AuditError, Historical, HistoryRecord, HistoryType};

/// The history of one object; from [`Historical::history`].
///
/// ```
/// # include!("../../doctest_setup.rs");
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mut conn = setup();
/// use chrono::{TimeZone, Utc};
/// let march = |day| Utc.with_ymd_and_hms(2026, 3, day, 12, 0, 0).unwrap();
/// let on = |day| AuditContext::builder().user(1).date(march(day)).build();
/// let tank = Tank::create(&mut conn, &on(1)?, &NewTank { name: "T1".into(), volume_m3: 40.0 })?;
/// Tank::update(&mut conn, &on(3)?, tank.id, tanks::volume_m3.eq(55.0))?;
/// Tank::delete(&mut conn, &on(5)?, tank.id)?;
///
/// let history = Tank::history(&tank.id);
/// let trail = history.trail(&mut conn)?; // newest first
/// assert_eq!(trail.iter().map(|r| r.history_type.as_str()).collect::<String>(), "-~+");
/// assert_eq!(history.as_of(&mut conn, march(2))?.unwrap().volume_m3, 40.0);
/// assert_eq!(history.as_of(&mut conn, march(3))?.unwrap().volume_m3, 55.0); // dated exactly then
/// assert!(history.as_of(&mut conn, march(6))?.is_none()); // deleted by then
/// assert!(history.as_of(&mut conn, Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap())?.is_none());
/// assert_eq!(history.earliest(&mut conn)?.unwrap().history_type, HistoryType::Create);
/// # Ok(())
/// # }
/// ```
pub struct ObjectHistory<'k, M: Historical> {
    id: &'k M::Id,
}

impl<'k, M: Historical> ObjectHistory<'k, M> {
    pub(crate) fn new(id: &'k M::Id) -> Self {
        ObjectHistory { id }
    }

    /// A listing of this object's rows, to filter and paginate.
    pub fn query(&self) -> HistoryQuery<'k, M> {
        HistoryQuery::new().object(self.id)
    }

    /// This object's rows up to `until`, at most `limit`, on the backend of `conn`.
    fn rows<C: AuditConnection>(
        &self,
        conn: &mut C,
        until: Option<DateTime<Utc>>,
        newest_first: bool,
        limit: Option<u64>,
    ) -> Result<Vec<M::Record>, AuditError> {
        on_backend!(conn.backend_connection(), M, |c, slot| {
            let mut conditions = Conditions::object(
                Some(GeneratedOf::<M>::history_key_filter(self.id)),
                newest_first,
                &NoFilter as &DynFilter<'_, _>,
            );
            conditions.until = until;
            slot.select(c, conditions, limit, None)
        })
    }

    /// Every row of the object, newest first.
    ///
    /// # Errors
    /// A database error.
    pub fn trail<C: AuditConnection>(&self, conn: &mut C) -> Result<Vec<M::Record>, AuditError> {
        self.rows(conn, None, true, None)
    }

    /// The most recent row.
    ///
    /// # Errors
    /// A database error.
    pub fn latest<C: AuditConnection>(
        &self,
        conn: &mut C,
    ) -> Result<Option<M::Record>, AuditError> {
        Ok(self.rows(conn, None, true, Some(1))?.pop())
    }

    /// The first row (normally its creation).
    ///
    /// # Errors
    /// A database error.
    pub fn earliest<C: AuditConnection>(
        &self,
        conn: &mut C,
    ) -> Result<Option<M::Record>, AuditError> {
        Ok(self.rows(conn, None, false, Some(1))?.pop())
    }

    /// The object as it was at `at`: its latest row dated `at` or earlier, or `None` when it had
    /// no row yet or that row is its deletion. One index probe.
    ///
    /// # Errors
    /// [`AuditError::DateOutOfRange`] for a time outside the years 1 to 9999, or a database
    /// error.
    pub fn as_of<C: AuditConnection>(
        &self,
        conn: &mut C,
        at: DateTime<Utc>,
    ) -> Result<Option<M::Record>, AuditError> {
        let at = checked_bound("as_of", at, Bound::AtMost)?;
        let latest = self.rows(conn, Some(at), true, Some(1))?.pop();
        Ok(latest.filter(|r: &M::Record| r.history_type() != HistoryType::Delete))
    }
}
