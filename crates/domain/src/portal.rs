//! Portal sessions: a link a product hands one of its customers (one tenant) to that
//! tenant's own webhooks page, signed in for a while, perhaps for reading only.

use serde::{Deserialize, Serialize};

use crate::{CorruptValue, ValidationError};

/// Token prefix of a portal session, as `hr_` is of an API key.
pub const PORTAL_TOKEN_PREFIX: &str = "hrp_";

/// Longest a portal session may last, and how long one lasts unless asked.
pub const MAX_PORTAL_SESSION_SECS: u64 = 86_400;
pub const DEFAULT_PORTAL_SESSION_SECS: u64 = 3_600;

/// The language the console speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    En,
    Ru,
}

impl Locale {
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Ru => "ru",
        }
    }

    pub fn from_stored(s: &str) -> Result<Self, CorruptValue> {
        match s {
            "en" => Ok(Locale::En),
            "ru" => Ok(Locale::Ru),
            other => Err(CorruptValue::new("locale", format!("{other:?}"))),
        }
    }
}

/// How long a new portal session lasts, in seconds: 1 to 86,400 (a day), 3,600 unless
/// asked.
pub fn session_secs(asked: Option<u64>) -> Result<u64, ValidationError> {
    match asked {
        None => Ok(DEFAULT_PORTAL_SESSION_SECS),
        Some(secs) if (1..=MAX_PORTAL_SESSION_SECS).contains(&secs) => Ok(secs),
        Some(_) => Err(ValidationError::new(
            "expires_in_secs",
            format!("must be 1 to {MAX_PORTAL_SESSION_SECS} seconds"),
        )),
    }
}

/// Whether a portal session may make a request with this HTTP method: a read-only one
/// only reads.
pub fn may_use(read_only: bool, method: &str) -> bool {
    !read_only || matches!(method, "GET" | "HEAD" | "OPTIONS")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_lengths_and_methods() {
        #[rustfmt::skip]
        let lengths = [
            (None, Some(3600)), (Some(1), Some(1)), (Some(86_400), Some(86_400)),
            (Some(0), None), (Some(86_401), None),
        ];
        for (asked, want) in lengths {
            assert_eq!(session_secs(asked).ok(), want, "{asked:?}");
        }
        #[rustfmt::skip]
        let methods = [
            (true, "GET", true), (true, "HEAD", true), (true, "POST", false),
            (true, "PATCH", false), (true, "DELETE", false), (false, "DELETE", true),
        ];
        for (read_only, method, want) in methods {
            assert_eq!(may_use(read_only, method), want, "{read_only} {method}");
        }
        assert_eq!(Locale::from_stored("ru"), Ok(Locale::Ru));
        assert!(Locale::from_stored("de").is_err());
    }
}
