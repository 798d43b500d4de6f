//! Instants clients give (`since`, `until`, `occurred_at`): RFC 3339, within the years
//! 0001-9999. chrono reads years far beyond what PostgreSQL stores (`-10000-01-01`), which
//! would fail in SQL as a 503; here they are the caller's 422, naming the field.

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// An instant within the years 0001-9999, built only through [`Timestamp::parse`] or
/// deserialisation (which checks the same range).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
#[serde(transparent)]
pub struct Timestamp(DateTime<Utc>);

const OUT_OF_RANGE: &str = "must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z";

impl Timestamp {
    pub fn parse(field: &str, at: DateTime<Utc>) -> Result<Timestamp, ValidationError> {
        if (1..=9999).contains(&at.year()) {
            Ok(Timestamp(at))
        } else {
            Err(ValidationError::new(field, OUT_OF_RANGE))
        }
    }

    pub fn get(self) -> DateTime<Utc> {
        self.0
    }
}

impl From<Timestamp> for DateTime<Utc> {
    fn from(t: Timestamp) -> Self {
        t.0
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let at = DateTime::<Utc>::deserialize(d)?;
        Timestamp::parse("", at).map_err(|_| serde::de::Error::custom(OUT_OF_RANGE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_years_one_to_9999_are_taken() {
        let read = |s: &str| serde_json::from_value::<Timestamp>(serde_json::json!(s));
        for ok in [
            "0001-01-01T00:00:00Z",
            "2026-12-07T10:00:00+02:00",
            "9999-12-31T23:59:59Z",
        ] {
            assert!(read(ok).is_ok(), "{ok}");
        }
        for bad in [
            "-10000-01-01T00:00:00Z",
            "+10000-01-01T00:00:00Z",
            "0000-12-31T23:59:59Z",
            "yesterday",
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }
}
