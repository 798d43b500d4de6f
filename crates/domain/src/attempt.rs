//! One attempt to deliver an event to a webhook, or a test send: where it went and what
//! came back. The dispatcher records it, the API logs its test sends with it, and the
//! delivery and webhook logs read it back; the API maps it to its own names in one place.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::PayloadFormat;

/// How a POST ended, as the metrics (`result` label) and the decisions class it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResultClass {
    Success,
    Redirect,
    ClientError,
    ServerError,
    /// No answer within the timeout.
    Timeout,
    /// No connection (refused, unreachable, DNS).
    ConnectError,
    /// The connection broke during the exchange.
    IoError,
    /// Not sent: the target is not allowed (private address, http:// under
    /// `delivery.require_https`).
    Refused,
}

impl ResultClass {
    pub const ALL: [ResultClass; 8] = [
        ResultClass::Success,
        ResultClass::Redirect,
        ResultClass::ClientError,
        ResultClass::ServerError,
        ResultClass::Timeout,
        ResultClass::ConnectError,
        ResultClass::IoError,
        ResultClass::Refused,
    ];

    /// The class of an HTTP status.
    pub fn of_status(status: u16) -> Self {
        match status {
            200..=299 => ResultClass::Success,
            300..=399 => ResultClass::Redirect,
            400..=499 => ResultClass::ClientError,
            _ => ResultClass::ServerError,
        }
    }

    /// The metrics label.
    pub fn as_str(self) -> &'static str {
        match self {
            ResultClass::Success => "2xx",
            ResultClass::Redirect => "3xx",
            ResultClass::ClientError => "4xx",
            ResultClass::ServerError => "5xx",
            ResultClass::Timeout => "timeout",
            ResultClass::ConnectError => "connect_error",
            ResultClass::IoError => "io_error",
            ResultClass::Refused => "refused",
        }
    }
}

/// What an attempt was part of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOf {
    /// Attempt `number` (from 1) of a delivery of an event.
    Delivery {
        delivery_id: Uuid,
        event_id: Uuid,
        number: i32,
    },
    /// A test send, with the body that was sent (no event keeps it).
    Test { payload: String },
}

/// One attempt, as `delivery_attempts` keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// Time-ordered (UUID v7).
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub webhook_id: Uuid,
    pub of: AttemptOf,
    pub event_type: String,
    /// The body's format (`None`: nothing was sent, or a test send).
    pub payload_format: Option<PayloadFormat>,
    pub started_at: DateTime<Utc>,
    pub duration_ms: i32,
    /// The HTTP status (`None`: no answer).
    pub response_code: Option<i32>,
    /// The start of the response body.
    pub response_body: Option<String>,
    /// Why no answer arrived, or why nothing was sent.
    pub error: Option<String>,
    /// Delivered (for a test send: the receiver answered 2xx).
    pub succeeded: bool,
    /// The receiver's `Retry-After`, in seconds, when it sent one.
    pub retry_after_secs: Option<i32>,
}

impl Attempt {
    /// An attempt begun at `started_at` with nothing sent yet: no format, no answer.
    pub fn unsent(
        tenant_id: Uuid,
        webhook_id: Uuid,
        of: AttemptOf,
        event_type: String,
        started_at: DateTime<Utc>,
    ) -> Self {
        Self {
            id: Uuid::now_v7(),
            tenant_id,
            webhook_id,
            of,
            event_type,
            payload_format: None,
            started_at,
            duration_ms: 0,
            response_code: None,
            response_body: None,
            error: None,
            succeeded: false,
            retry_after_secs: None,
        }
    }

    /// The attempt's number within its delivery (a test send is its only attempt: 1).
    pub fn number(&self) -> i32 {
        match self.of {
            AttemptOf::Delivery { number, .. } => number,
            AttemptOf::Test { .. } => 1,
        }
    }

    pub fn delivery_id(&self) -> Option<Uuid> {
        match self.of {
            AttemptOf::Delivery { delivery_id, .. } => Some(delivery_id),
            AttemptOf::Test { .. } => None,
        }
    }

    pub fn event_id(&self) -> Option<Uuid> {
        match self.of {
            AttemptOf::Delivery { event_id, .. } => Some(event_id),
            AttemptOf::Test { .. } => None,
        }
    }

    pub fn is_test(&self) -> bool {
        matches!(self.of, AttemptOf::Test { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_fall_into_their_classes() {
        #[rustfmt::skip]
        let rows = [
            (200, ResultClass::Success), (299, ResultClass::Success),
            (301, ResultClass::Redirect), (404, ResultClass::ClientError),
            (429, ResultClass::ClientError), (500, ResultClass::ServerError),
            (503, ResultClass::ServerError), (101, ResultClass::ServerError),
        ];
        for (status, class) in rows {
            assert_eq!(ResultClass::of_status(status), class, "{status}");
        }
        let labels: std::collections::HashSet<_> =
            ResultClass::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(labels.len(), ResultClass::ALL.len(), "one label per class");
    }

    #[test]
    fn a_test_send_is_its_own_first_attempt() {
        let test = Attempt::unsent(
            Uuid::nil(),
            Uuid::nil(),
            AttemptOf::Test {
                payload: "{}".into(),
            },
            "webhook.test".into(),
            Utc::now(),
        );
        assert_eq!(
            (test.number(), test.delivery_id(), test.is_test()),
            (1, None, true)
        );
        let id = Uuid::now_v7();
        let third = Attempt::unsent(
            Uuid::nil(),
            Uuid::nil(),
            AttemptOf::Delivery {
                delivery_id: id,
                event_id: id,
                number: 3,
            },
            "a.b".into(),
            Utc::now(),
        );
        assert_eq!((third.number(), third.delivery_id()), (3, Some(id)));
    }
}
