use thiserror::Error;

/// A `history_type` that is not `+`, `~` or `-`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid history type `{input}`: expected `+`, `~` or `-`")]
pub struct ParseHistoryTypeError {
    /// The text that was given.
    pub input: String,
}

/// An empty user id: a user is an integer, a UUID or a non-empty text.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("a user id is an integer, a UUID or a non-empty text; got an empty one")]
pub struct ParseUserIdError;

/// What can be wrong with an [`AuditContext`](crate::AuditContext).
///
/// Every audited write checks its context before it sends anything to the database, so a context
/// error never leaves a change half-written.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ContextError {
    /// The change reason is longer than [`ChangeReason::MAX_CHARS`](crate::ChangeReason::MAX_CHARS).
    #[error("change reason is {length} characters long; the limit is {max}")]
    ChangeReasonTooLong {
        /// Its length in characters.
        length: usize,
        /// The limit.
        max: usize,
    },
    /// The change reason holds a control character (a newline, a tab, an escape, ...).
    #[error(
        "change reason holds the control character {character:?} at character {index}; \
         a reason is one line of printable text"
    )]
    ChangeReasonControlCharacter {
        /// Index, in characters, of the first control character.
        index: usize,
        /// The character.
        character: char,
    },
    /// The change reason holds a character that displays as nothing or as something else: a line
    /// or paragraph separator, a bidirectional control, or a zero-width character.
    #[error(
        "change reason holds U+{:04X}, {}, at character {index}; a reason is one line of visible text",
        u32::from(*character),
        crate::context::invisible_kind(*character).unwrap_or("an invisible character")
    )]
    ChangeReasonInvisibleCharacter {
        /// Index, in characters, of the first such character.
        index: usize,
        /// The character.
        character: char,
    },
    /// The change reason is empty or only white space; leave it unset instead.
    #[error("change reason is empty; leave it unset instead")]
    ChangeReasonEmpty,
    /// An explicit history date outside the years 1 to 9999, which not every backend stores.
    #[error("history date {date} is outside the years 1 to 9999")]
    DateOutOfRange {
        /// The date, as RFC 3339.
        date: String,
    },
}
