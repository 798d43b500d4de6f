//! Keyset pagination with opaque cursors.
//!
//! A cursor carries the sort key (as PostgreSQL's text form of the sort expression) and
//! the id of the last row of a page, plus a tag of the ordering it belongs to, so a cursor
//! from one ordering is refused by another instead of silently skipping rows. Cursors
//! leave the API signed ([`CursorSeal`]): one a client forged or altered is refused before
//! any SQL reads it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::Mac;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use hookrelay_domain::{CorruptValue, ValidationError};

use crate::db::DbError;

/// Why a list call failed: a bad cursor is the caller's fault, the rest is the database.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<tokio_postgres::Error> for ListError {
    fn from(e: tokio_postgres::Error) -> Self {
        ListError::Db(e.into())
    }
}

impl From<CorruptValue> for ListError {
    fn from(e: CorruptValue) -> Self {
        ListError::Db(e.into())
    }
}

/// Signs the cursors handed to clients and checks the ones they send back.
#[derive(Clone)]
pub struct CursorSeal {
    key: [u8; 32],
}

impl std::fmt::Debug for CursorSeal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CursorSeal(..)")
    }
}

/// Bytes of the HMAC-SHA256 a sealed cursor carries.
const SEAL_BYTES: usize = 16;

impl CursorSeal {
    /// A seal derived from a server secret: every process given the same secret accepts
    /// the others' cursors.
    pub fn from_secret(secret: &[u8]) -> Self {
        Self {
            key: mac(secret)
                .chain_update(b"hookrelay cursor v1")
                .finalize()
                .into_bytes()
                .into(),
        }
    }

    /// A seal of this process only (no server secret configured).
    pub fn random() -> Self {
        Self {
            key: rand::random(),
        }
    }

    /// `<cursor>.<signature>`.
    pub fn seal(&self, cursor: Option<String>) -> Option<String> {
        cursor.map(|c| {
            let tag = mac(&self.key)
                .chain_update(c.as_bytes())
                .finalize()
                .into_bytes();
            format!("{c}.{}", URL_SAFE_NO_PAD.encode(&tag[..SEAL_BYTES]))
        })
    }

    /// The cursor inside a sealed one; 422 on `cursor` when the signature does not hold.
    /// An empty one (`?cursor=`, from clients that always send the parameter) is none.
    pub fn open(&self, sealed: Option<String>) -> Result<Option<String>, ValidationError> {
        let Some(sealed) = sealed.filter(|s| !s.is_empty()) else {
            return Ok(None);
        };
        let invalid = || ValidationError::new("cursor", "is not a valid cursor for this listing");
        let (cursor, tag) = sealed.rsplit_once('.').ok_or_else(invalid)?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| invalid())?;
        // Length first: a truncated check would accept a tag of one byte.
        if tag.len() != SEAL_BYTES {
            return Err(invalid());
        }
        mac(&self.key)
            .chain_update(cursor.as_bytes())
            .verify_truncated_left(&tag)
            .map_err(|_| invalid())?;
        Ok(Some(cursor.to_string()))
    }
}

fn mac(key: &[u8]) -> hmac::Hmac<sha2::Sha256> {
    hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC takes any key length")
}

/// Default and largest page sizes.
pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;

/// Position after which the next page starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// Which ordering produced it, e.g. `created_asc`.
    #[serde(rename = "o")]
    pub ordering: String,
    /// Sort key of the last row, as text.
    #[serde(rename = "k")]
    pub key: String,
    #[serde(rename = "i")]
    pub id: String,
}

impl Cursor {
    /// Encodes the cursor for the `next_cursor` field.
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).expect("cursor serialises");
        URL_SAFE_NO_PAD.encode(json)
    }

    /// Decodes a client-supplied cursor, checking it belongs to `ordering`.
    pub fn decode(s: &str, ordering: &str) -> Result<Self, ValidationError> {
        let invalid = || ValidationError::new("cursor", "is not a valid cursor for this listing");
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| invalid())?;
        let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
        if cursor.ordering != ordering {
            return Err(invalid());
        }
        Ok(cursor)
    }
}

/// Validates a requested page size.
pub fn page_limit(requested: Option<i64>) -> Result<i64, ValidationError> {
    match requested {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(ValidationError::new(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        )),
    }
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    #[default]
    Asc,
    Desc,
}

impl Direction {
    pub fn sql(self) -> &'static str {
        match self {
            Direction::Asc => "ASC",
            Direction::Desc => "DESC",
        }
    }

    /// The row-comparison operator that selects rows after the cursor.
    pub fn after_op(self) -> &'static str {
        match self {
            Direction::Asc => ">",
            Direction::Desc => "<",
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Direction::Asc => "asc",
            Direction::Desc => "desc",
        }
    }
}

/// Splits one fetched batch of `limit + 1` rows into a page and its next cursor.
pub fn split_page<T>(
    mut rows: Vec<T>,
    limit: i64,
    cursor_of: impl Fn(&T) -> Cursor,
) -> (Vec<T>, Option<String>) {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if rows.len() > limit {
        rows.truncate(limit);
        let next = rows.last().map(|r| cursor_of(r).encode());
        (rows, next)
    } else {
        (rows, None)
    }
}

/// Parses a timestamp sort key (PostgreSQL's text form of a `timestamptz`) from a cursor,
/// so a forged key is refused here instead of failing in SQL.
pub fn cursor_time(cursor: &Cursor) -> Result<DateTime<Utc>, ValidationError> {
    parse_pg_timestamptz(&cursor.key)
        .ok_or_else(|| ValidationError::new("cursor", "is not a valid cursor for this listing"))
}

/// Reads PostgreSQL's text form of a `timestamptz` (`2026-11-23 23:55:16.477561+00`).
pub fn parse_pg_timestamptz(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f%#z")
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Decodes the optional cursor of a listing ordered by `(time, id)`: the position after
/// which the next page starts.
pub fn time_cursor(
    cursor: Option<&str>,
    ordering: &str,
) -> Result<Option<(DateTime<Utc>, Uuid)>, ValidationError> {
    cursor
        .map(|c| {
            let c = Cursor::decode(c, ordering)?;
            Ok((cursor_time(&c)?, cursor_uuid(&c)?))
        })
        .transpose()
}

/// Parses an id from a cursor.
pub fn cursor_uuid(cursor: &Cursor) -> Result<Uuid, ValidationError> {
    cursor
        .id
        .parse()
        .map_err(|_| ValidationError::new("cursor", "is not a valid cursor for this listing"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip_and_ordering_check() {
        let c = Cursor {
            ordering: "name_asc".into(),
            key: "b".into(),
            id: Uuid::nil().to_string(),
        };
        let s = c.encode();
        assert_eq!(Cursor::decode(&s, "name_asc").expect("decodes"), c);
        assert!(Cursor::decode(&s, "name_desc").is_err());
        assert!(Cursor::decode("garbage!", "name_asc").is_err());
    }

    #[test]
    fn timestamp_keys_are_checked() {
        let at = |key: &str| Cursor {
            ordering: "x".into(),
            key: key.into(),
            id: Uuid::nil().to_string(),
        };
        let t = cursor_time(&at("2026-11-23 23:55:16.477561+00")).expect("pg text form");
        assert_eq!(t.timestamp_subsec_micros(), 477561);
        assert!(cursor_time(&at("2026-11-23 23:55:16+05:30")).is_ok());
        for bad in ["", "yesterday", "2026-13-01 00:00:00+00", "1' OR '1'='1"] {
            assert!(cursor_time(&at(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn sealed_cursors_open_only_unaltered_and_under_their_key() {
        let seal = CursorSeal::from_secret(b"server secret");
        let sealed = seal.seal(Some("eyJvIjoieCJ9".into())).expect("sealed");
        assert_eq!(
            seal.open(Some(sealed.clone())).expect("opens").as_deref(),
            Some("eyJvIjoieCJ9")
        );
        assert_eq!(seal.open(None).expect("none"), None);
        assert_eq!(seal.open(Some(String::new())).expect("empty"), None);
        assert!(CursorSeal::from_secret(b"server secret")
            .open(Some(sealed.clone()))
            .is_ok());
        let (cursor, tag) = sealed.rsplit_once('.').expect("dot");
        for forged in [
            format!("eyJvIjoieSJ9.{tag}"),
            format!("{cursor}.{}", &tag[..10]),
            format!("{cursor}."),
            cursor.to_string(),
            "garbage\n\u{0}".to_string(),
        ] {
            assert!(seal.open(Some(forged.clone())).is_err(), "{forged:?}");
        }
        assert!(CursorSeal::random().open(Some(sealed)).is_err());
    }

    #[test]
    fn limits() {
        assert_eq!(page_limit(None).expect("default"), 20);
        assert!(page_limit(Some(0)).is_err());
        assert!(page_limit(Some(101)).is_err());
        assert_eq!(page_limit(Some(100)).expect("max"), 100);
    }
}
