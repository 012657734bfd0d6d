use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ParseHistoryTypeError;

/// What a history row records: the creation, an update or the deletion of an object.
///
/// Stored as one character, as django-simple-history stores it: `+`, `~` or `-`.
///
/// ```
/// use audit_core::HistoryType;
///
/// assert_eq!(HistoryType::Update.to_string(), "~");
/// assert_eq!("-".parse::<HistoryType>().unwrap(), HistoryType::Delete);
/// assert!("x".parse::<HistoryType>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HistoryType {
    /// `+`: the object was created; the row holds its first state.
    Create,
    /// `~`: the object was changed; the row holds its state after the change.
    Update,
    /// `-`: the object was deleted; the row holds its last state.
    Delete,
}

impl HistoryType {
    /// All three types, in the order of an object's life.
    pub const ALL: [HistoryType; 3] = [
        HistoryType::Create,
        HistoryType::Update,
        HistoryType::Delete,
    ];

    /// The one-character code stored in `history_type`.
    ///
    /// ```
    /// assert_eq!(audit_core::HistoryType::Create.as_str(), "+");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            HistoryType::Create => "+",
            HistoryType::Update => "~",
            HistoryType::Delete => "-",
        }
    }

    /// The code as a `char`.
    ///
    /// ```
    /// assert_eq!(audit_core::HistoryType::Delete.as_char(), '-');
    /// ```
    pub const fn as_char(self) -> char {
        // The code is one ASCII character: its first byte is the char.
        self.as_str().as_bytes()[0] as char
    }

    /// A word for people: `create`, `update` or `delete`.
    ///
    /// ```
    /// assert_eq!(audit_core::HistoryType::Update.label(), "update");
    /// ```
    pub const fn label(self) -> &'static str {
        match self {
            HistoryType::Create => "create",
            HistoryType::Update => "update",
            HistoryType::Delete => "delete",
        }
    }
}

impl fmt::Display for HistoryType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for HistoryType {
    type Err = ParseHistoryTypeError;

    /// Accepts exactly `+`, `~` or `-`; anything else is an error that quotes the input.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        HistoryType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| ParseHistoryTypeError {
                input: s.to_owned(),
            })
    }
}

impl Serialize for HistoryType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for HistoryType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_its_code() {
        for t in HistoryType::ALL {
            assert_eq!(t.as_str().parse::<HistoryType>().unwrap(), t);
            assert_eq!(t.as_char().to_string(), t.as_str());
        }
    }

    #[test]
    fn rejects_anything_but_the_three_codes() {
        for bad in ["", "+ ", "~~", "C", "create", "*", " -"] {
            let err = bad.parse::<HistoryType>().unwrap_err();
            assert_eq!(err.input, bad);
            assert!(
                err.to_string().contains("expected `+`, `~` or `-`"),
                "{err}"
            );
        }
    }

    #[test]
    fn serializes_as_its_code() {
        assert_eq!(
            serde_json::to_string(&HistoryType::Update).unwrap(),
            r#""~""#
        );
        let t: HistoryType = serde_json::from_str(r#""-""#).unwrap();
        assert_eq!(t, HistoryType::Delete);
        let err = serde_json::from_str::<HistoryType>(r#""d""#).unwrap_err();
        assert!(err.to_string().contains("`d`"), "{err}");
    }
}
