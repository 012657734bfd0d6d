//! [`HistoryRecord`]: what every generated history row struct offers generic code.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::connection::{on_backend, AuditConnection};
use crate::contract::{Generated, GeneratedOf};
use crate::diff::{self, Fields};
use crate::history_id::HistoryIdKind;
use crate::read::select::{Conditions, Cursor};
use crate::read::{checked_bound, Bound, NoFilter};
use crate::slot::{DynFilter, Slot};
use crate::user_id::UserIdKind;
use crate::{AuditError, Historical, HistoryDiff, HistoryType};

/// The `history_id` value of model `M`'s records.
pub type HistoryIdOf<M> = <<M as Historical>::HistoryId as HistoryIdKind>::Value;
/// The `history_user_id` value of model `M`'s records.
pub type UserIdOf<M> = <<M as Historical>::UserId as UserIdKind>::Value;

/// A row of a history table, as `#[derive(Historical)]` generates it (`Historical<Model>`).
///
/// The accessors read the history columns; [`object_id`](HistoryRecord::object_id) names the
/// object the row is about.
pub trait HistoryRecord: Sized + Clone + 'static {
    /// The model whose history this is.
    type Model: Historical<Record = Self>;

    /// The row's id.
    fn history_id(&self) -> &HistoryIdOf<Self::Model>;
    /// When the change happened.
    fn history_date(&self) -> DateTime<Utc>;
    /// `+`, `~` or `-`.
    fn history_type(&self) -> HistoryType;
    /// Who made the change.
    fn history_user_id(&self) -> Option<&UserIdOf<Self::Model>>;
    /// Why.
    fn history_change_reason(&self) -> Option<&str>;
    /// The changeset the row belongs to (`None` for rows written before changesets).
    fn history_changeset_id(&self) -> Option<uuid::Uuid>;
    /// The primary key of the object the row is about.
    fn object_id(&self) -> <Self::Model as Historical>::Id;

    /// The row of the same object just before this one, if any.
    ///
    /// ```
    /// # include!("../doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = setup();
    /// # let ctx = AuditContext::anonymous();
    /// let tank = Tank::create(&mut conn, &ctx, &NewTank { name: "T1".into(), volume_m3: 40.0 })?;
    /// Tank::update(&mut conn, &ctx, tank.id, tanks::volume_m3.eq(55.0))?;
    /// let latest = Tank::history(&tank.id).latest(&mut conn)?.unwrap();
    /// let before = latest.previous(&mut conn)?.unwrap();
    /// assert_eq!(before.volume_m3, 40.0);
    /// assert!(before.previous(&mut conn)?.is_none());
    /// assert_eq!(before.next(&mut conn)?.unwrap().volume_m3, 55.0);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// A database error.
    fn previous<C: AuditConnection>(&self, conn: &mut C) -> Result<Option<Self>, AuditError> {
        neighbour(self, true, conn)
    }

    /// The row of the same object just after this one, if any.
    ///
    /// # Errors
    /// A database error.
    fn next<C: AuditConnection>(&self, conn: &mut C) -> Result<Option<Self>, AuditError> {
        neighbour(self, false, conn)
    }

    /// The object as this record holds it, as a model (django-simple-history's
    /// `record.instance`). Fields excluded from history are not in the record: they are taken
    /// from the object's live row, as django-simple-history does, which costs one query by key.
    /// A model without excluded fields needs no query.
    ///
    /// ```
    /// # include!("../doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = setup();
    /// # let ctx = AuditContext::anonymous();
    /// let tank = Tank::create(&mut conn, &ctx, &NewTank { name: "T1".into(), volume_m3: 40.0 })?;
    /// Tank::update(&mut conn, &ctx, tank.id, tanks::volume_m3.eq(55.0))?;
    /// let first = Tank::history(&tank.id).earliest(&mut conn)?.unwrap();
    /// let then: Tank = first.instance(&mut conn)?;
    /// assert_eq!((then.id, then.volume_m3), (tank.id, 40.0));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`AuditError::InstanceNeedsLiveRow`] when the model has excluded fields and the object
    /// has no live row (it was deleted): django-simple-history leaves those fields at their
    /// defaults, which a Rust model may not have. A database error.
    fn instance<C: AuditConnection>(&self, conn: &mut C) -> Result<Self::Model, AuditError> {
        type G<M> = GeneratedOf<M>;
        let spec = Self::Model::HISTORY;
        let live = if spec.excluded.is_empty() {
            None
        } else {
            let id = self.object_id();
            on_backend!(conn.backend_connection(), Self::Model, |c, slot| slot
                .live(c, id))?
        };
        <G<Self::Model> as Generated<Self::Model>>::instance(self, live).ok_or_else(|| {
            AuditError::InstanceNeedsLiveRow {
                model: spec.model.to_string(),
                key: format!("{:?}", self.object_id()),
                excluded: spec.excluded.iter().map(|e| e.to_string()).collect(),
            }
        })
    }

    /// What changed from `older` to this row, over every tracked field, sorted by field name.
    ///
    /// ```
    /// # include!("../doctest_setup.rs");
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let mut conn = setup();
    /// # let ctx = AuditContext::anonymous();
    /// let tank = Tank::create(&mut conn, &ctx, &NewTank { name: "T1".into(), volume_m3: 40.0 })?;
    /// Tank::update(&mut conn, &ctx, tank.id, (tanks::name.eq("T1-north"), tanks::volume_m3.eq(55.0)))?;
    /// let trail = Tank::history(&tank.id).trail(&mut conn)?;
    /// let diff = trail[0].diff_against(&trail[1])?;
    /// assert_eq!(diff.changed_fields(), ["name", "volume_m3"]);
    /// assert_eq!(diff.get("volume_m3").unwrap().old, serde_json::json!(40.0));
    ///
    /// use audit_diesel::diff::Fields;
    /// let only = trail[0].diff_fields(&trail[1], Fields::Except(&["name"]))?;
    /// assert_eq!(only.changed_fields(), ["volume_m3"]);
    /// assert!(trail[0].diff_fields(&trail[1], Fields::Only(&["colour"])).is_err());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`AuditError::DifferentObjects`] when the rows are about different objects.
    fn diff_against(&self, older: &Self) -> Result<HistoryDiff, AuditError>
    where
        Self: Serialize,
    {
        diff::diff(self, older, Fields::All)
    }

    /// What changed from `older` to this row, over the selected fields.
    ///
    /// # Errors
    /// [`AuditError::DifferentObjects`], or [`AuditError::UnknownField`] for a name that is not a
    /// tracked field.
    fn diff_fields(&self, older: &Self, fields: Fields<'_>) -> Result<HistoryDiff, AuditError>
    where
        Self: Serialize,
    {
        diff::diff(self, older, fields)
    }
}

fn neighbour<R, C>(record: &R, before: bool, conn: &mut C) -> Result<Option<R>, AuditError>
where
    R: HistoryRecord,
    C: AuditConnection,
{
    // Before: the newest of the older rows; after: the oldest of the newer ones.
    let date = checked_bound("history_date", record.history_date(), Bound::AtMost)?;
    let rows = on_backend!(conn.backend_connection(), R::Model, |c, slot| {
        let mut conditions = Conditions::<R::Model, _>::object(
            Some(<GeneratedOf<R::Model> as Generated<R::Model>>::record_key_filter(record)),
            before,
            &NoFilter as &DynFilter<'_, _>,
        );
        conditions.cursor = Some(Cursor::Row(date, record.history_id()));
        slot.select(c, conditions, Some(1), None)
    })?;
    Ok(rows.into_iter().next())
}
