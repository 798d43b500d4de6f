//! A delivery as the API shows it, in `/v1/deliveries` and in an event's deliveries.

use chrono::{DateTime, Utc};
use hookrelay_core::repo::deliveries::{DeliverySummary, LaneStanding};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// The state of one delivery (an event to one webhook).
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryResponse {
    pub id: Uuid,
    pub event_id: Uuid,
    pub webhook_id: Uuid,
    /// `pending`, `succeeded`, `failed` or `cancelled`.
    pub status: String,
    /// The event's type (null once retention deleted the event).
    pub event_type: Option<String>,
    /// Attempts made so far.
    pub attempts: i32,
    pub last_response_code: Option<i32>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// Where it waits in its FIFO lane; present for pending deliveries of FIFO webhooks.
    pub lane: Option<LaneView>,
}

/// Where a pending delivery of a FIFO webhook stands in its lane.
#[derive(Debug, Serialize, ToSchema)]
pub struct LaneView {
    /// The event's ordering key; null for the webhook's single lane.
    pub ordering_key: Option<String>,
    /// Deliveries ahead of it (0: it is the lane's head, being attempted or retried),
    /// counted up to 10,000.
    pub position: i64,
    /// The delivery at the head of the lane that this one waits behind (null: this one is
    /// the head).
    pub waiting_behind: Option<Uuid>,
}

impl From<LaneStanding> for LaneView {
    fn from(l: LaneStanding) -> Self {
        Self {
            ordering_key: Some(l.key).filter(|k| !k.is_empty()),
            position: l.ahead,
            waiting_behind: l.behind,
        }
    }
}

impl From<DeliverySummary> for DeliveryResponse {
    fn from(d: DeliverySummary) -> Self {
        Self {
            id: d.id,
            event_id: d.event_id,
            webhook_id: d.webhook_id,
            status: d.status.as_str().to_string(),
            event_type: d.event_type,
            attempts: d.attempts,
            last_response_code: d.last_response_code,
            last_attempt_at: d.last_attempt_at,
            next_attempt_at: d.next_attempt_at,
            created_at: d.created_at,
            completed_at: d.completed_at,
            lane: d.lane.map(Into::into),
        }
    }
}
