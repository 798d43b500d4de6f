//! One attempt to deliver an event to a webhook, or a test send: where it went and what
//! came back. The dispatcher records it, the API logs its test sends with it, and the
//! delivery and webhook logs read it back; the API maps it to its own names in one place.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
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
    /// The headers sent (custom header values redacted); `None` when nothing was sent.
    pub request_headers: Option<HeaderList>,
    /// The headers of the answer; `None` when none arrived.
    pub response_headers: Option<HeaderList>,
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
            request_headers: None,
            response_headers: None,
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

/// What a custom header's value is logged as: it is a secret of the webhook (sealed at
/// rest, shown only by `GET /v1/webhooks/{id}/headers`).
pub const REDACTED: &str = "[redacted]";

/// Headers kept per attempt, in the order they were sent or received, as `[name, value]`
/// pairs: at most [`HeaderList::MAX_HEADERS`] of them, each value cut at
/// [`HeaderList::MAX_VALUE_BYTES`], so a receiver cannot fill the log with its answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HeaderList(Vec<(String, String)>);

impl HeaderList {
    pub const MAX_HEADERS: usize = 64;
    pub const MAX_VALUE_BYTES: usize = 1024;

    /// The first [`Self::MAX_HEADERS`] pairs, values cut on a character boundary.
    pub fn capped<N: Into<String>, V: AsRef<str>>(pairs: impl IntoIterator<Item = (N, V)>) -> Self {
        Self(
            pairs
                .into_iter()
                .take(Self::MAX_HEADERS)
                .map(|(name, value)| {
                    let value = value.as_ref();
                    let mut end = value.len().min(Self::MAX_VALUE_BYTES);
                    while !value.is_char_boundary(end) {
                        end -= 1;
                    }
                    (name.into(), value[..end].to_string())
                })
                .collect(),
        )
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }
}

/// Why an attempt got no answer, in words a receiver's owner knows: the API names it
/// (`error_kind`) and the console says it in the reader's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TransportFailure {
    /// No answer within the timeout.
    Timeout,
    /// Nothing listens at the address (connection refused).
    ConnectionRefused,
    /// The host name does not resolve.
    NameNotResolved,
    /// The TLS handshake failed (certificate expired, wrong name, self-signed...).
    Tls,
    /// The receiver closed the connection before answering.
    ConnectionClosed,
    /// Not sent: the target is a private address.
    PrivateTarget,
    /// Not sent: http:// targets are refused by the installation.
    HttpsRequired,
    /// Not sent: the webhook's stored configuration could not be read.
    NotSent,
    /// Anything else; the error text says more.
    Other,
}

impl TransportFailure {
    /// Classifies an attempt's error text (`None`: the attempt has no error). The texts
    /// are reqwest's and hyper's chains, and the sender's own refusals.
    pub fn of(error: Option<&str>) -> Option<Self> {
        let mut e = error?.to_ascii_lowercase();
        // reqwest names the URL ("... for url (https://timeout.example/tls): ..."): a word
        // in it must not decide the kind.
        if let Some(start) = e.find("for url (") {
            if let Some(len) = e[start..].find("): ") {
                e.replace_range(start..start + len + 1, "");
            }
        }
        let has = |needle: &str| e.contains(needle);
        Some(
            if has("not a public address") || has("resolves to no public address") {
                TransportFailure::PrivateTarget
            } else if has("require_https") {
                TransportFailure::HttpsRequired
            } else if e.starts_with("not sent") {
                TransportFailure::NotSent
            } else if has("timed out") || has("timeout") {
                TransportFailure::Timeout
            } else if has("connection refused") {
                TransportFailure::ConnectionRefused
            } else if has("dns error")
                || has("failed to lookup")
                || has("name or service not known")
            {
                TransportFailure::NameNotResolved
            } else if has("certificate") || has("tls") || has("handshake") {
                TransportFailure::Tls
            } else if has("connection reset")
                || has("connection closed")
                || has("incomplete message")
                || has("broken pipe")
            {
                TransportFailure::ConnectionClosed
            } else {
                TransportFailure::Other
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_errors_are_named_in_plain_words() {
        use TransportFailure::*;
        #[rustfmt::skip]
        let rows: [(Option<&str>, Option<TransportFailure>); 11] = [
            (None, None),
            (Some("error sending request for url (http://127.0.0.1:9/): client error (Connect): tcp connect error: Connection refused (os error 111)"), Some(ConnectionRefused)),
            (Some("error sending request for url (http://x/): operation timed out"), Some(Timeout)),
            (Some("error sending request for url (http://nowhere.invalid/): client error (Connect): dns error: failed to lookup address information: Name or service not known"), Some(NameNotResolved)),
            (Some("error sending request for url (https://x/): client error (Connect): invalid peer certificate: Expired"), Some(Tls)),
            (Some("error sending request for url (http://x/): client error (SendRequest): connection closed before message completed"), Some(ConnectionClosed)),
            (Some("target 10.0.0.1 is not a public address"), Some(PrivateTarget)),
            (Some("http:// targets are refused (delivery.require_https)"), Some(HttpsRequired)),
            (Some("not sent: stored webhook headers is corrupt"), Some(NotSent)),
            (Some("something new"), Some(Other)),
            (Some("error sending request for url (https://timeout.example/tls/handshake): client error (Connect): tcp connect error: Connection refused (os error 111)"), Some(ConnectionRefused)),
        ];
        for (error, kind) in rows {
            assert_eq!(TransportFailure::of(error), kind, "{error:?}");
        }
    }

    #[test]
    fn header_lists_are_capped_in_count_and_value_length() {
        let many = (0..100).map(|i| (format!("x-{i}"), "v".to_string()));
        assert_eq!(
            HeaderList::capped(many).pairs().len(),
            HeaderList::MAX_HEADERS
        );
        let long = "ж".repeat(HeaderList::MAX_VALUE_BYTES); // 2 bytes each
        let list = HeaderList::capped([("x", long.as_str())]);
        let kept = &list.pairs()[0].1;
        assert!(kept.len() <= HeaderList::MAX_VALUE_BYTES && kept.chars().all(|c| c == 'ж'));
        assert_eq!(
            serde_json::to_string(&HeaderList::capped([("a", "1")])).unwrap(),
            r#"[["a","1"]]"#
        );
    }

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
