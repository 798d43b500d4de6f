//! Ordered delivery: FIFO webhooks, ordering keys and whose turn it is.
//!
//! A FIFO webhook's deliveries form lanes, one per ordering key (one lane when events
//! carry none). Each delivery gets its number in its lane when its event is recorded, in
//! the order the events commit; the head of a lane is its pending delivery with the
//! lowest number, and only the head may be attempted. PostgreSQL is the authority, so
//! the order holds whatever the broker, the dispatchers or the retries do: a job that
//! comes before its turn is dropped ([`turn`]), and the lane's next head is published
//! when the one before it finishes (succeeds, gives up or is cancelled).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{CorruptValue, ValidationError};

/// Longest ordering key, in characters.
pub const ORDERING_KEY_MAX_LEN: usize = 255;

/// Whether a webhook's deliveries are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum OrderingMode {
    /// Deliveries go out as they come, up to the webhook's concurrency.
    #[default]
    None,
    /// One delivery at a time per lane (per ordering key), in the order the events were
    /// accepted; the next waits until the one before it succeeded or gave up.
    Fifo,
}

impl OrderingMode {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderingMode::None => "none",
            OrderingMode::Fifo => "fifo",
        }
    }

    /// Reads the stored form back; an unknown name is a corrupt row, not a default.
    pub fn from_stored(s: &str) -> Result<Self, CorruptValue> {
        match s {
            "none" => Ok(OrderingMode::None),
            "fifo" => Ok(OrderingMode::Fifo),
            other => Err(CorruptValue::new("ordering", format!("{other:?}"))),
        }
    }
}

/// The key an event's deliveries are ordered by on FIFO webhooks (e.g. `post:42`): 1 to
/// 255 characters, not blank, no leading or trailing white space, no invisible characters
/// (`is_hidden`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrderingKey(String);

impl OrderingKey {
    pub fn parse(field: &str, s: String) -> Result<Self, ValidationError> {
        if s.trim().is_empty() {
            return Err(ValidationError::new(field, "must not be empty"));
        }
        if s.chars().count() > ORDERING_KEY_MAX_LEN {
            return Err(ValidationError::new(
                field,
                format!("must be at most {ORDERING_KEY_MAX_LEN} characters"),
            ));
        }
        if s.trim() != s {
            return Err(ValidationError::new(
                field,
                "must not start or end with white space",
            ));
        }
        if s.chars().any(crate::is_hidden) {
            return Err(ValidationError::new(
                field,
                "must not contain control, zero-width, bidi-control or other invisible characters",
            ));
        }
        Ok(Self(s))
    }

    /// The key of a scheduled post's events (`post:<id>`): a post's scheduled, published
    /// and failed events reach a FIFO webhook in the order they happened.
    pub fn of_post(post_id: i64) -> Self {
        Self(format!("post:{post_id}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where a pending delivery stands in its lane, as read before an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LaneSpot {
    pub lane_id: i64,
    /// Its number in the lane.
    pub seq: i64,
    /// The lane's head when it is another delivery (pending, numbered lower): this one
    /// must wait behind it.
    pub behind: Option<Uuid>,
}

/// Whether a delivery may be attempted now, as far as order goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    /// Unordered, or the head of its lane.
    Go,
    /// An earlier delivery of its lane is still pending: this job is dropped, and the lane
    /// publishes this delivery again when its turn comes.
    Behind(Uuid),
}

/// Decides whether a delivery's turn has come. Order is what the webhook asks for now: a
/// webhook switched back to `none` no longer holds its lanes, and a delivery accepted
/// before its webhook became FIFO has no lane and goes as it comes.
pub fn turn(mode: OrderingMode, spot: Option<&LaneSpot>) -> Turn {
    match (mode, spot) {
        (
            OrderingMode::Fifo,
            Some(LaneSpot {
                behind: Some(head), ..
            }),
        ) => Turn::Behind(*head),
        (OrderingMode::Fifo, _) | (OrderingMode::None, _) => Turn::Go,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[rustfmt::skip]
    fn whose_turn() {
        let head = Uuid::from_u128(7);
        let first = LaneSpot { lane_id: 1, seq: 1, behind: None };
        let second = LaneSpot { lane_id: 1, seq: 2, behind: Some(head) };
        let cases = [
            ("unordered webhook", OrderingMode::None, None, Turn::Go),
            ("switched back to none: lane released", OrderingMode::None, Some(&second), Turn::Go),
            ("fifo, accepted before the switch", OrderingMode::Fifo, None, Turn::Go),
            ("fifo, head of its lane", OrderingMode::Fifo, Some(&first), Turn::Go),
            ("fifo, behind the head", OrderingMode::Fifo, Some(&second), Turn::Behind(head)),
        ];
        for (name, mode, spot, want) in cases {
            assert_eq!(turn(mode, spot), want, "{name}");
        }
    }

    #[test]
    fn ordering_keys() {
        assert!(OrderingKey::parse("k", "post:42".into()).is_ok());
        assert!(OrderingKey::parse("k", "сделка 7".into()).is_ok());
        assert!(OrderingKey::parse("k", "x".repeat(255)).is_ok());
        for bad in ["", "  ", " a", "a ", "a\nb", "a\0b"] {
            let err = OrderingKey::parse("ordering_key", bad.into()).unwrap_err();
            assert_eq!(err.field, "ordering_key", "{bad:?}");
        }
        assert!(OrderingKey::parse("k", "x".repeat(256)).is_err());
    }

    #[test]
    fn modes_round_trip() {
        for mode in [OrderingMode::None, OrderingMode::Fifo] {
            assert_eq!(OrderingMode::from_stored(mode.as_str()), Ok(mode));
        }
        assert!(OrderingMode::from_stored("lifo").is_err());
    }
}
