//! The query parameters of the API, read by hand so that every malformed value is a 400 naming
//! its parameter (never an extractor's plain-text rejection).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use audit_diesel::{HistoryType, UserId};

use crate::problem::Problem;

/// The largest page the API serves.
pub const MAX_PAGE_SIZE: u64 = 100;
/// The page size unless asked otherwise.
pub const DEFAULT_PAGE_SIZE: u64 = 25;

/// A request's query parameters, each given at most once.
pub(crate) struct Params(HashMap<String, String>);

impl Params {
    /// Reads a raw query string (`None`: no parameters).
    pub(crate) fn parse(raw: Option<&str>) -> Result<Self, Problem> {
        let mut map = HashMap::new();
        for (name, value) in form_pairs(raw.unwrap_or("")) {
            if map.insert(name.clone(), value).is_some() {
                return Err(Problem::bad_parameter(
                    &name,
                    format!("`{name}` is given more than once"),
                ));
            }
        }
        Ok(Params(map))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// A text value.
    pub(crate) fn text(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_owned)
    }

    /// A date: RFC 3339 (`2026-03-03T09:30:00Z`), or a day (`2026-03-03`: its start for
    /// `date_from`, its end for `date_to`).
    pub(crate) fn date(
        &self,
        name: &str,
        end_of_day: bool,
    ) -> Result<Option<DateTime<Utc>>, Problem> {
        let Some(text) = self.get(name) else {
            return Ok(None);
        };
        if let Ok(date) = DateTime::parse_from_rfc3339(text) {
            return Ok(Some(date.with_timezone(&Utc)));
        }
        let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
        let moment = day.and_then(|d| {
            if end_of_day {
                d.and_hms_micro_opt(23, 59, 59, 999_999)
            } else {
                d.and_hms_opt(0, 0, 0)
            }
        });
        moment.map(|m| Some(m.and_utc())).ok_or_else(|| {
            Problem::bad_parameter(
                name,
                format!(
                    "`{name}` must be an RFC 3339 date-time or a YYYY-MM-DD date, not `{text}`"
                ),
            )
        })
    }

    /// A required date.
    pub(crate) fn required_date(&self, name: &str) -> Result<DateTime<Utc>, Problem> {
        self.date(name, false)?.ok_or_else(|| {
            Problem::bad_parameter(
                name,
                format!("`{name}` (an RFC 3339 date-time) is required"),
            )
        })
    }

    /// A positive integer within `1..=max`.
    pub(crate) fn number(&self, name: &str, default: u64, max: u64) -> Result<u64, Problem> {
        let Some(text) = self.get(name) else {
            return Ok(default);
        };
        text.parse::<u64>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                Problem::bad_parameter(
                    name,
                    format!("`{name}` must be an integer from 1 to {max}, not `{text}`"),
                )
            })
    }

    /// A user id: an integer, a UUID or text.
    pub(crate) fn user(&self, name: &str) -> Result<Option<UserId>, Problem> {
        self.get(name)
            .map(|text| {
                text.parse::<UserId>().map_err(|_| {
                    Problem::bad_parameter(
                        name,
                        format!("`{name}` must be a user id, not `{text}`"),
                    )
                })
            })
            .transpose()
    }

    /// A history type: `+`, `~`, `-`, or `create`, `update`, `delete`.
    pub(crate) fn history_type(&self, name: &str) -> Result<Option<HistoryType>, Problem> {
        let Some(text) = self.get(name) else {
            return Ok(None);
        };
        let parsed = match text {
            "create" | "created" => Some(HistoryType::Create),
            "update" | "updated" | "change" | "changed" => Some(HistoryType::Update),
            "delete" | "deleted" => Some(HistoryType::Delete),
            other => other.parse::<HistoryType>().ok(),
        };
        parsed.map(Some).ok_or_else(|| {
            Problem::bad_parameter(
                name,
                format!(
                    "`{name}` must be one of +, ~, - (or create, update, delete), not `{text}`"
                ),
            )
        })
    }

    /// A UUID.
    pub(crate) fn uuid(&self, name: &str) -> Result<Option<uuid::Uuid>, Problem> {
        self.get(name)
            .map(|text| parse_uuid(name, text))
            .transpose()
    }
}

/// `text` as a UUID, or a 400 naming `name`.
pub(crate) fn parse_uuid(name: &str, text: &str) -> Result<uuid::Uuid, Problem> {
    uuid::Uuid::parse_str(text)
        .map_err(|_| Problem::bad_parameter(name, format!("`{name}` must be a UUID, not `{text}`")))
}

/// The `name=value` pairs of an `application/x-www-form-urlencoded` query, decoded.
fn form_pairs(raw: &str) -> impl Iterator<Item = (String, String)> + '_ {
    raw.split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(name), decode(value))
    })
}

/// Percent-decoding, `+` as a space; invalid escapes are kept as they are.
pub(crate) fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                if let Some(byte) = hex {
                    out.push(byte);
                    i += 2;
                } else {
                    out.push(b'%');
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes a query value.
pub(crate) fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_decoded_and_repeats_refused() {
        let p = Params::parse(Some("history_type=%2B&date_from=2026-03-03&x=a+b")).unwrap();
        assert_eq!(
            p.history_type("history_type").unwrap(),
            Some(HistoryType::Create)
        );
        assert_eq!(p.text("x").as_deref(), Some("a b"));
        let day = p.date("date_from", false).unwrap().unwrap();
        assert_eq!(day.to_rfc3339(), "2026-03-03T00:00:00+00:00");
        let twice = Params::parse(Some("page=1&page=2")).err().unwrap();
        assert_eq!(twice.parameter.as_deref(), Some("page"));
        assert_eq!(decode("%zz%4"), "%zz%4");
        assert_eq!(encode("a b+c"), "a%20b%2Bc");
    }

    #[test]
    fn bad_values_name_their_parameter() {
        let p =
            Params::parse(Some("page_size=0&date_to=yesterday&history_type=x&page=-1")).unwrap();
        assert_eq!(
            p.number("page_size", 25, 100)
                .err()
                .unwrap()
                .parameter
                .as_deref(),
            Some("page_size")
        );
        assert_eq!(
            p.number("page", 1, u64::MAX)
                .err()
                .unwrap()
                .parameter
                .as_deref(),
            Some("page")
        );
        assert_eq!(
            p.date("date_to", true).err().unwrap().parameter.as_deref(),
            Some("date_to")
        );
        assert_eq!(p.history_type("history_type").err().unwrap().status, 400);
    }
}
