//! Values a person typed, read from text: whole numbers, times (UTC) and
//! comma lists. Shared by the code draft reader (dashboard forms and CSV
//! lines), the series and catalog forms; and the platform's names for what
//! players do (activity kinds, action keys).

use chrono::{DateTime, NaiveDateTime, Utc};

/// Text that is not what the field wants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("not a whole number in range")]
    NotANumber,
    #[error("not a date and time")]
    BadTime,
}

/// A whole number, or `None` for an empty field.
pub fn whole<T: std::str::FromStr>(value: &str) -> Result<Option<T>, InputError> {
    match value.trim() {
        "" => Ok(None),
        v => v.parse().map(Some).map_err(|_| InputError::NotANumber),
    }
}

/// A `datetime-local` value (UTC), or RFC 3339, or a plain date; `None` for
/// an empty field.
pub fn time(value: &str) -> Result<Option<DateTime<Utc>>, InputError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(value) {
        return Ok(Some(at.with_timezone(&Utc)));
    }
    for format in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(at) = NaiveDateTime::parse_from_str(value, format) {
            return Ok(Some(at.and_utc()));
        }
    }
    if let Ok(day) = chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        return Ok(day.and_hms_opt(0, 0, 0).map(|t| t.and_utc()));
    }
    Err(InputError::BadTime)
}

/// `a, b,, c` as sorted distinct items.
pub fn list(value: &str) -> Vec<String> {
    let mut items: Vec<String> = value
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    items.sort();
    items.dedup();
    items
}

/// A time as a `datetime-local` input shows it (UTC, to the minute).
pub fn time_input(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M").to_string()
}

/// A name the platform gives to what players do (an activity kind such as
/// `login`, an action key such as `first_purchase`): lower-case letters,
/// digits and `_ . : -`, starting with a letter or digit, up to 40. The
/// tables that keep them check the same pattern.
pub fn platform_key(key: &str) -> bool {
    let mut chars = key.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    first_ok
        && key.len() <= 40
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.:-".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_values_are_read_or_refused() {
        assert_eq!(whole::<i32>(" 42 "), Ok(Some(42)));
        assert_eq!(whole::<i32>(""), Ok(None));
        assert_eq!(whole::<i32>("2147483648"), Err(InputError::NotANumber));
        assert!(time("2026-12-31T18:00").unwrap().is_some());
        assert!(time("2026-12-31").unwrap().is_some());
        assert_eq!(time("2026-02-30T25:61"), Err(InputError::BadTime));
        assert_eq!(list(" b, a,,b "), vec!["a".to_owned(), "b".to_owned()]);
    }

    #[test]
    fn platform_keys_are_short_lower_case_words() {
        for ok in ["login", "match.won", "streak:7", "tutorial_done", "0day"] {
            assert!(platform_key(ok), "{ok}");
        }
        for bad in ["", "Login", "-x", "a b", "вход", &"x".repeat(41)] {
            assert!(!platform_key(bad), "{bad}");
        }
    }
}
