use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{history_date, ContextError, ParseUserIdError};

/// Who made a change: the value stored in `history_user_id`.
///
/// The history table stores the id as a plain column, with no foreign key, so the trail outlives the
/// user. Each model chooses the SQL type of that column (integer, big integer, UUID or text); an
/// audited write converts the context's `UserId` to it and fails with a clear error when it cannot
/// (an `Int` that does not fit an `i32` column, a `Uuid` for an integer column, ...).
///
/// ```
/// use audit_core::UserId;
///
/// assert_eq!(UserId::from(7), UserId::Int(7));
/// assert_eq!(UserId::from("alice@example.com"), UserId::Text("alice@example.com".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum UserId {
    /// An integer id (`i32` or `i64` columns).
    Int(i64),
    /// A UUID (UUID columns).
    Uuid(Uuid),
    /// A text id: a username, an email, an external subject (text columns).
    Text(String),
}

impl UserId {
    /// The kind of id, for error messages: `integer`, `uuid` or `text`.
    pub fn kind(&self) -> &'static str {
        match self {
            UserId::Int(_) => "integer",
            UserId::Uuid(_) => "uuid",
            UserId::Text(_) => "text",
        }
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UserId::Int(v) => write!(f, "{v}"),
            UserId::Uuid(v) => write!(f, "{v}"),
            UserId::Text(v) => f.write_str(v),
        }
    }
}

/// Reads a user id as an operator types it: an integer is [`UserId::Int`], a UUID is
/// [`UserId::Uuid`], anything else is [`UserId::Text`].
///
/// ```
/// use audit_core::UserId;
///
/// assert_eq!("7".parse::<UserId>().unwrap(), UserId::Int(7));
/// assert_eq!("67e55044-10b1-426f-9247-bb680e5fe0c8".parse::<UserId>().unwrap().kind(), "uuid");
/// assert_eq!("ada".parse::<UserId>().unwrap(), UserId::Text("ada".into()));
/// assert!("  ".parse::<UserId>().is_err());
/// ```
impl std::str::FromStr for UserId {
    type Err = ParseUserIdError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.trim().is_empty() {
            return Err(ParseUserIdError);
        }
        Ok(if let Ok(id) = text.parse::<i64>() {
            UserId::Int(id)
        } else if let Ok(id) = Uuid::parse_str(text) {
            UserId::Uuid(id)
        } else {
            UserId::Text(text.to_owned())
        })
    }
}

impl From<i32> for UserId {
    fn from(v: i32) -> Self {
        UserId::Int(v.into())
    }
}

impl From<i64> for UserId {
    fn from(v: i64) -> Self {
        UserId::Int(v)
    }
}

impl From<Uuid> for UserId {
    fn from(v: Uuid) -> Self {
        UserId::Uuid(v)
    }
}

impl From<String> for UserId {
    fn from(v: String) -> Self {
        UserId::Text(v)
    }
}

impl From<&str> for UserId {
    fn from(v: &str) -> Self {
        UserId::Text(v.to_owned())
    }
}

/// Why a change was made: the value stored in `history_change_reason`.
///
/// A reason is one line of visible text of at most [`ChangeReason::MAX_CHARS`] characters: no
/// control characters (newlines, tabs, escapes), no line or paragraph separators (U+2028,
/// U+2029), and no invisible format characters: bidirectional controls (U+202A–U+202E,
/// U+2066–U+2069, U+200E, U+200F, U+061C), which let a reason display as other text than it
/// holds, and zero-width characters (U+200B–U+200D, U+2060–U+2064, U+FEFF, ...), which let two
/// reasons that look the same differ (and the other invisible format characters and fillers:
/// U+034F, the Hangul fillers, U+17B4, U+17B5, tags). Variation selectors stay allowed: emoji
/// need them and they do not hide text. This refuses the zero-width joiners of emoji sequences and
/// of some scripts too: in an audit trail, what a reader sees must be what is stored. The check
/// runs when the reason is made, so an invalid reason is refused before any write starts.
///
/// ```
/// use audit_core::{ChangeReason, ContextError};
///
/// let reason = ChangeReason::new("moved to tank 4 after lice count").unwrap();
/// assert_eq!(reason.as_str(), "moved to tank 4 after lice count");
///
/// assert!(matches!(
///     ChangeReason::new("two\nlines"),
///     Err(ContextError::ChangeReasonControlCharacter { index: 3, character: '\n' })
/// ));
/// assert!(ChangeReason::new("x".repeat(256)).is_err());
/// // A right-to-left override: this displays as "ok approved", though it holds other text.
/// assert!(matches!(
///     ChangeReason::new("ok \u{202e}devorppa"),
///     Err(ContextError::ChangeReasonInvisibleCharacter { index: 3, character: '\u{202e}' })
/// ));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ChangeReason(String);

impl ChangeReason {
    /// The longest reason, in characters (`VARCHAR(255)` on MySQL).
    pub const MAX_CHARS: usize = 255;

    /// Checks and wraps a reason.
    ///
    /// # Errors
    /// [`ContextError::ChangeReasonEmpty`], [`ContextError::ChangeReasonTooLong`],
    /// [`ContextError::ChangeReasonControlCharacter`] or
    /// [`ContextError::ChangeReasonInvisibleCharacter`].
    pub fn new(reason: impl Into<String>) -> Result<Self, ContextError> {
        let reason = reason.into();
        if reason.trim().is_empty() {
            return Err(ContextError::ChangeReasonEmpty);
        }
        if let Some((index, character)) = reason.chars().enumerate().find(|(_, c)| c.is_control()) {
            return Err(ContextError::ChangeReasonControlCharacter { index, character });
        }
        if let Some((index, character)) = reason
            .chars()
            .enumerate()
            .find(|(_, c)| invisible_kind(*c).is_some())
        {
            return Err(ContextError::ChangeReasonInvisibleCharacter { index, character });
        }
        let length = reason.chars().count();
        if length > Self::MAX_CHARS {
            return Err(ContextError::ChangeReasonTooLong {
                length,
                max: Self::MAX_CHARS,
            });
        }
        Ok(ChangeReason(reason))
    }

    /// The reason as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What kind of invisible character `c` is, if it is one a reason refuses.
pub(crate) fn invisible_kind(c: char) -> Option<&'static str> {
    match c {
        '\u{2028}' | '\u{2029}' => Some("a line or paragraph separator"),
        '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{061c}' => Some("a bidirectional control"),
        '\u{200b}'..='\u{200d}'
        | '\u{2060}'..='\u{2064}'
        | '\u{feff}'
        | '\u{180e}'
        | '\u{00ad}' => Some("a zero-width character"),
        '\u{206a}'..='\u{206f}'
        | '\u{2065}'
        | '\u{034f}'
        | '\u{115f}'
        | '\u{1160}'
        | '\u{17b4}'
        | '\u{17b5}'
        | '\u{3164}'
        | '\u{ffa0}'
        | '\u{fff9}'..='\u{fffb}'
        | '\u{e0001}'
        | '\u{e0020}'..='\u{e007f}' => Some("an invisible format character"),
        _ => None,
    }
}

impl fmt::Display for ChangeReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ChangeReason {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        ChangeReason::new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// Who changes what, why and when: handed to every audited write.
///
/// Build one per request (or per job) and pass it by reference. It is plain data, `Send` and
/// `Clone`, so it crosses into `spawn_blocking` where synchronous Diesel code runs; the library
/// never reads an ambient, thread-local user.
///
/// ```
/// use audit_core::{AuditContext, UserId};
///
/// # fn main() -> Result<(), audit_core::ContextError> {
/// let ctx = AuditContext::builder()
///     .user(42)
///     .reason("stocking batch B-2026-07")
///     .metadata(serde_json::json!({ "ip": "10.0.0.7" }))
///     .build()?;
/// assert_eq!(ctx.user(), Some(&UserId::Int(42)));
/// assert_eq!(ctx.reason().map(|r| r.as_str()), Some("stocking batch B-2026-07"));
///
/// // The same user, another reason, for the next action of the request:
/// let next = ctx.with_reason("daily feeding")?;
/// assert_eq!(next.user(), ctx.user());
///
/// // No user, no reason: a system change.
/// let system = AuditContext::anonymous();
/// assert!(system.user().is_none());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct AuditContext {
    user: Option<UserId>,
    reason: Option<ChangeReason>,
    metadata: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    history_fields: BTreeMap<String, serde_json::Value>,
    date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    changeset: Option<uuid::Uuid>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    skip_history: bool,
}

impl AuditContext {
    /// A context with no user, no reason and the current time: a change made by the system.
    pub fn anonymous() -> Self {
        AuditContext::default()
    }

    /// A context for `user`, with no reason.
    ///
    /// ```
    /// let ctx = audit_core::AuditContext::for_user(7);
    /// assert_eq!(ctx.user(), Some(&audit_core::UserId::Int(7)));
    /// ```
    pub fn for_user(user: impl Into<UserId>) -> Self {
        AuditContext {
            user: Some(user.into()),
            ..AuditContext::default()
        }
    }

    /// A context whose writes record **no** history, for data migrations and imports that must
    /// not appear in the trail. It is the only way to write through the audited API without a
    /// history row, so skipping is always explicit and scoped to where this value is passed;
    /// `purpose` says why (checked like a change reason) and is kept for logs and debuggers.
    ///
    /// ```
    /// let ctx = audit_core::AuditContext::without_history("2026-07 re-import of legacy tanks").unwrap();
    /// assert!(ctx.skips_history());
    /// assert!(!audit_core::AuditContext::anonymous().skips_history());
    /// ```
    ///
    /// # Errors
    /// `purpose` is checked as by [`ChangeReason::new`].
    pub fn without_history(purpose: impl Into<String>) -> Result<Self, ContextError> {
        Ok(AuditContext {
            reason: Some(ChangeReason::new(purpose)?),
            skip_history: true,
            ..AuditContext::default()
        })
    }

    /// Whether writes with this context skip their history rows; see
    /// [`without_history`](Self::without_history).
    pub fn skips_history(&self) -> bool {
        self.skip_history
    }

    /// Starts a context; see [`AuditContextBuilder`].
    pub fn builder() -> AuditContextBuilder {
        AuditContextBuilder::default()
    }

    /// The same context with another reason.
    ///
    /// # Errors
    /// The reason is checked as by [`ChangeReason::new`].
    pub fn with_reason(&self, reason: impl Into<String>) -> Result<Self, ContextError> {
        Ok(AuditContext {
            reason: Some(ChangeReason::new(reason)?),
            ..self.clone()
        })
    }

    /// The same context with an explicit history date (for imports and backfills).
    ///
    /// # Errors
    /// [`ContextError::DateOutOfRange`] outside the years 1 to 9999.
    pub fn with_date(&self, date: DateTime<Utc>) -> Result<Self, ContextError> {
        Ok(AuditContext {
            date: Some(history_date::check(date)?),
            ..self.clone()
        })
    }

    /// This context over `default`, field by field, as django-simple-history lets an object's
    /// own `_history_user`, `_change_reason` and `_history_date` beat the call's: each of the
    /// user, reason, metadata and date is this context's when it has one, else `default`'s;
    /// history-only fields are `default`'s overridden by this context's; history is skipped if
    /// either skips it.
    ///
    /// ```
    /// use audit_core::{AuditContext, UserId};
    /// let call = AuditContext::builder().user(1).reason("import").build().unwrap();
    /// let row = AuditContext::builder().reason("corrected by hand").build().unwrap();
    /// let merged = row.over(&call);
    /// assert_eq!(merged.user(), Some(&UserId::Int(1)));
    /// assert_eq!(merged.reason().unwrap().as_str(), "corrected by hand");
    /// ```
    pub fn over(&self, default: &AuditContext) -> AuditContext {
        let mut history_fields = default.history_fields.clone();
        history_fields.extend(
            self.history_fields
                .iter()
                .map(|(k, v)| (k.clone(), v.clone())),
        );
        AuditContext {
            user: self.user.clone().or_else(|| default.user.clone()),
            reason: self.reason.clone().or_else(|| default.reason.clone()),
            metadata: self.metadata.clone().or_else(|| default.metadata.clone()),
            history_fields,
            date: self.date.or(default.date),
            changeset: self.changeset.or(default.changeset),
            skip_history: self.skip_history || default.skip_history,
        }
    }

    /// Who makes the change, if known.
    pub fn user(&self) -> Option<&UserId> {
        self.user.as_ref()
    }

    /// Why, if given.
    pub fn reason(&self) -> Option<&ChangeReason> {
        self.reason.as_ref()
    }

    /// Free-form JSON about the change (request id, client address, ...).
    pub fn metadata(&self) -> Option<&serde_json::Value> {
        self.metadata.as_ref()
    }

    /// The value for history-only field `name` (`#[historical(history_field(name: ...))]`), if
    /// this context sets one.
    pub fn history_field(&self, name: &str) -> Option<&serde_json::Value> {
        self.history_fields.get(name)
    }

    /// The same context with history-only field `name` set to `value`: every history row
    /// written with it, of a model that declares the field, stores the value there (models
    /// without the field ignore it).
    ///
    /// ```
    /// let ctx = audit_core::AuditContext::for_user(7).with_history_field("ip_address", "10.0.0.7");
    /// assert_eq!(ctx.history_field("ip_address"), Some(&serde_json::json!("10.0.0.7")));
    /// ```
    pub fn with_history_field(
        &self,
        name: impl Into<String>,
        value: impl Into<serde_json::Value>,
    ) -> Self {
        let mut ctx = self.clone();
        ctx.history_fields.insert(name.into(), value.into());
        ctx
    }

    /// The same context with an explicit changeset id: every history row written with it
    /// belongs to changeset `id`, whatever transaction writes it, so that one business action
    /// made of several transactions (an HTTP request, a job) reads and reverts as one. Without
    /// one, the rows of one database transaction share an id the library makes up.
    ///
    /// ```
    /// let request = uuid::Uuid::now_v7();
    /// let ctx = audit_core::AuditContext::for_user(7).with_changeset(request);
    /// assert_eq!(ctx.changeset(), Some(request));
    /// ```
    pub fn with_changeset(&self, id: uuid::Uuid) -> Self {
        AuditContext {
            changeset: Some(id),
            ..self.clone()
        }
    }

    /// The explicit changeset id, if one was set.
    pub fn changeset(&self) -> Option<uuid::Uuid> {
        self.changeset
    }

    /// The explicit history date, if one was set; `None` means "when the write happens".
    ///
    /// Explicit dates are truncated to microseconds, the precision every backend stores.
    pub fn date(&self) -> Option<DateTime<Utc>> {
        self.date
    }
}

/// Builds an [`AuditContext`]; [`build`](AuditContextBuilder::build) checks it.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct AuditContextBuilder {
    user: Option<UserId>,
    reason: Option<String>,
    metadata: Option<serde_json::Value>,
    history_fields: BTreeMap<String, serde_json::Value>,
    date: Option<DateTime<Utc>>,
    changeset: Option<uuid::Uuid>,
}

impl AuditContextBuilder {
    /// An explicit changeset id; see [`AuditContext::with_changeset`].
    pub fn changeset(mut self, id: uuid::Uuid) -> Self {
        self.changeset = Some(id);
        self
    }

    /// Who makes the change.
    pub fn user(mut self, user: impl Into<UserId>) -> Self {
        self.user = Some(user.into());
        self
    }

    /// Why the change is made; checked by [`build`](Self::build).
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// Free-form JSON about the change.
    pub fn metadata(mut self, metadata: serde_json::Value) -> Self {
        self.metadata = Some(metadata);
        self
    }

    /// A value for history-only field `name`; see [`AuditContext::with_history_field`].
    pub fn history_field(
        mut self,
        name: impl Into<String>,
        value: impl Into<serde_json::Value>,
    ) -> Self {
        self.history_fields.insert(name.into(), value.into());
        self
    }

    /// An explicit history date instead of the time of the write, for imports and backfills.
    pub fn date(mut self, date: DateTime<Utc>) -> Self {
        self.date = Some(date);
        self
    }

    /// Checks the reason and the date and returns the context.
    ///
    /// # Errors
    /// Any [`ContextError`]: the reason is checked as by [`ChangeReason::new`], and an explicit
    /// date must lie in the years 1 to 9999.
    pub fn build(self) -> Result<AuditContext, ContextError> {
        Ok(AuditContext {
            user: self.user,
            reason: self.reason.map(ChangeReason::new).transpose()?,
            metadata: self.metadata,
            history_fields: self.history_fields,
            date: self.date.map(history_date::check).transpose()?,
            changeset: self.changeset,
            skip_history: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Timelike};

    use super::*;

    #[test]
    fn a_reason_at_the_limit_is_accepted_and_one_past_it_refused() {
        let at = "é".repeat(ChangeReason::MAX_CHARS);
        assert_eq!(ChangeReason::new(at.clone()).unwrap().as_str(), at);
        let past = "é".repeat(ChangeReason::MAX_CHARS + 1);
        assert_eq!(
            ChangeReason::new(past),
            Err(ContextError::ChangeReasonTooLong {
                length: 256,
                max: 255
            })
        );
    }

    #[test]
    fn control_characters_are_refused_with_their_position() {
        for (text, index, character) in [
            ("tab\there", 3, '\t'),
            ("\u{1b}[31mred", 0, '\u{1b}'),
            ("nul\0", 3, '\0'),
            ("line\r\n", 4, '\r'),
        ] {
            assert_eq!(
                ChangeReason::new(text),
                Err(ContextError::ChangeReasonControlCharacter { index, character })
            );
        }
    }

    #[test]
    fn separators_bidi_controls_and_zero_width_characters_are_refused_with_their_position() {
        let refused = [
            '\u{2028}',
            '\u{2029}',
            '\u{202a}',
            '\u{202b}',
            '\u{202c}',
            '\u{202d}',
            '\u{202e}',
            '\u{2066}',
            '\u{2067}',
            '\u{2068}',
            '\u{2069}',
            '\u{200e}',
            '\u{200f}',
            '\u{061c}',
            '\u{200b}',
            '\u{200c}',
            '\u{200d}',
            '\u{2060}',
            '\u{feff}',
            '\u{00ad}',
            '\u{e0041}',
        ];
        for character in refused {
            let err = ChangeReason::new(format!("ok{character}")).unwrap_err();
            assert_eq!(
                err,
                ContextError::ChangeReasonInvisibleCharacter {
                    index: 2,
                    character
                }
            );
            let code = format!("U+{:04X}", u32::from(character));
            assert!(err.to_string().contains(&code), "{err}");
            assert!(err.to_string().contains("at character 2"), "{err}");
        }
        let err = ChangeReason::new("a\u{202e}b").unwrap_err().to_string();
        assert_eq!(
            err,
            "change reason holds U+202E, a bidirectional control, at character 1; \
             a reason is one line of visible text"
        );
    }

    #[test]
    fn visible_text_in_any_script_passes() {
        for text in [
            "Fütterung um 09:30",
            "נבדק על ידי הווטרינר",
            "投喂 2 kg",
            "lice 🐟 count",
        ] {
            assert_eq!(ChangeReason::new(text).unwrap().as_str(), text);
        }
    }

    #[test]
    fn an_empty_reason_is_refused() {
        assert_eq!(
            ChangeReason::new("  "),
            Err(ContextError::ChangeReasonEmpty)
        );
    }

    #[test]
    fn the_builder_checks_the_reason() {
        let err = AuditContext::builder()
            .user(1)
            .reason("x".repeat(300))
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("300 characters"), "{err}");
    }

    #[test]
    fn explicit_dates_are_truncated_to_microseconds() {
        let date = Utc
            .with_ymd_and_hms(2026, 3, 3, 12, 0, 0)
            .unwrap()
            .with_nanosecond(123_456_789)
            .unwrap();
        let ctx = AuditContext::builder().date(date).build().unwrap();
        assert_eq!(ctx.date().unwrap().nanosecond(), 123_456_000);
    }

    #[test]
    fn explicit_dates_work_across_the_whole_range() {
        for date in [
            history_date::earliest(),
            Utc.with_ymd_and_hms(1600, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2300, 1, 1, 0, 0, 0).unwrap(),
            history_date::latest(),
        ] {
            let ctx = AuditContext::builder().date(date).build().unwrap();
            assert_eq!(ctx.date(), Some(date));
            assert_eq!(
                AuditContext::anonymous().with_date(date).unwrap().date(),
                Some(date)
            );
        }
    }

    #[test]
    fn dates_past_year_9999_are_refused() {
        let date = Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap();
        assert!(matches!(
            AuditContext::anonymous().with_date(date),
            Err(ContextError::DateOutOfRange { .. })
        ));
    }

    #[test]
    fn user_ids_deserialize_by_shape() {
        let ids: Vec<UserId> =
            serde_json::from_str(r#"[7, "67e55044-10b1-426f-9247-bb680e5fe0c8", "bob"]"#).unwrap();
        assert_eq!(ids[0], UserId::Int(7));
        assert_eq!(ids[1].kind(), "uuid");
        assert_eq!(ids[2], UserId::Text("bob".into()));
    }
}
