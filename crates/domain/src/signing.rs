//! Standard Webhooks signatures: `v1,` + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")).

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::delivery::WebhookTarget;
use crate::{SignatureProfile, SignatureScheme, WebhookSecret};

/// hookrelay's own headers on every delivery, whatever its signature profile. Reserved:
/// no custom header may take these names (nor a profile's, [`SignatureProfile::header_names`]).
pub const DELIVERY_HEADERS: [&str; 10] = [
    "content-type",
    "user-agent",
    "traceparent",
    "tracestate",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "x-webhook-attempt",
    "x-webhook-event",
    // CloudEvents webhooks (a `cloudevents` handshake): who sends.
    "webhook-request-origin",
];

impl SignatureProfile {
    pub const ALL: [SignatureProfile; 2] = [SignatureProfile::Standard, SignatureProfile::XWebhook];

    /// The headers this profile adds to the Standard Webhooks ones, for `body` signed at
    /// `timestamp` (unix seconds) with `secret`.
    pub fn headers(
        self,
        secret: &WebhookSecret,
        timestamp: i64,
        body: &[u8],
    ) -> Vec<(&'static str, String)> {
        match self {
            SignatureProfile::Standard => Vec::new(),
            SignatureProfile::XWebhook => {
                let at = chrono::DateTime::from_timestamp(timestamp, 0).unwrap_or_default();
                let mut headers = vec![(
                    "x-webhook-timestamp",
                    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                )];
                // An HMAC of the body: only a shared secret makes one (the API refuses the
                // profile for ed25519 webhooks; a stored one still never signs with its
                // private key as an HMAC key).
                if secret.scheme() == SignatureScheme::HmacSha256 {
                    headers.push(("x-webhook-signature", body_signature_hex(secret, body)));
                }
                headers
            }
        }
    }

    /// The names [`SignatureProfile::headers`] sets: reserved for every webhook.
    pub fn header_names(self) -> &'static [&'static str] {
        match self {
            SignatureProfile::Standard => &[],
            SignatureProfile::XWebhook => &["x-webhook-timestamp", "x-webhook-signature"],
        }
    }
}

/// The JSON Schema of the headers every delivery carries (a profile's or a handshake's
/// may come too), for the AsyncAPI and OpenAPI documents.
pub fn delivery_headers_schema() -> serde_json::Value {
    serde_json::json!({
        "type": "object",
        "required": ["webhook-id", "webhook-timestamp", "webhook-signature", "content-type"],
        "properties": {
            "webhook-id": {"type": "string", "description": "The event id: the same on every retry and replay (deduplicate on it)."},
            "webhook-timestamp": {"type": "string", "pattern": "^[0-9]+$", "description": "Unix seconds when this attempt was signed."},
            "webhook-signature": {
                "type": "string",
                "pattern": "^v1a?,[A-Za-z0-9+/=]+( v1a?,[A-Za-z0-9+/=]+)*$",
                "description": "Standard Webhooks signatures of `{webhook-id}.{webhook-timestamp}.{body}`, space-separated: `v1,` base64 HMAC-SHA256 with the webhook's secret (`whsec_`), or `v1a,` base64 ed25519 verified with its public key (`whpk_`). Two during a key rotation's grace.",
            },
            "content-type": {"enum": ["application/json", "application/cloudevents+json"]},
            "x-webhook-attempt": {"type": "string", "pattern": "^[0-9]+$", "description": "This attempt's number, from 1."},
            "x-webhook-event": {"type": "string", "description": "The event type."},
            "x-webhook-timestamp": {"type": "string", "format": "date-time", "description": "The x-webhook profile: when it was signed."},
            "x-webhook-signature": {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "The x-webhook profile: hex HMAC-SHA256 of the body, keyed with the secret's text."},
            "webhook-request-origin": {"type": "string", "description": "CloudEvents webhooks that passed the handshake: who sends."},
            "traceparent": {"type": "string", "description": "W3C trace context of the delivery."},
        },
    })
}

/// Whether a signature profile goes with a signing scheme: the `x-webhook` profile's
/// `X-Webhook-Signature` is an HMAC of the body, which only a shared secret makes.
/// `field` is the one the caller changed (named in the 422).
pub fn check_profile(
    profile: SignatureProfile,
    scheme: SignatureScheme,
    field: &str,
) -> Result<(), crate::ValidationError> {
    match (profile, scheme) {
        (SignatureProfile::XWebhook, SignatureScheme::Ed25519) => Err(crate::ValidationError::new(
            field,
            "the x-webhook profile signs with HMAC-SHA256; an ed25519 webhook uses the standard profile",
        )),
        _ => Ok(()),
    }
}

/// hookrelay's headers of attempt `attempt` of message `msg_id` (the event id) of type
/// `event_type` with `body`, signed at `timestamp` with every current secret of `target`:
/// Standard Webhooks', the attempt number and event type, then its profile's. (The sender
/// adds `content-type`, `user-agent` and `traceparent`.)
pub fn delivery_headers(
    target: &WebhookTarget,
    event_type: &str,
    msg_id: &str,
    attempt: u32,
    timestamp: i64,
    body: &[u8],
) -> Vec<(&'static str, String)> {
    let mut headers = vec![
        ("webhook-id", msg_id.to_string()),
        ("webhook-timestamp", timestamp.to_string()),
        (
            "webhook-signature",
            signature_header(&target.signing_secrets(), msg_id, timestamp, body),
        ),
        ("x-webhook-attempt", attempt.to_string()),
        ("x-webhook-event", event_type.to_string()),
    ];
    headers.extend(
        target
            .signature_profile
            .headers(&target.secret, timestamp, body),
    );
    headers
}

/// Signs one delivery attempt's body: `v1,` (HMAC) or `v1a,` (ed25519) over
/// `{msg_id}.{timestamp}.{body}`.
pub fn sign_payload(secret: &WebhookSecret, msg_id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut content = Vec::with_capacity(msg_id.len() + 24 + body.len());
    content.extend_from_slice(msg_id.as_bytes());
    content.push(b'.');
    content.extend_from_slice(timestamp.to_string().as_bytes());
    content.push(b'.');
    content.extend_from_slice(body);
    secret.sign(&content)
}

/// The `webhook-signature` header value: one signature per valid secret, space-separated,
/// so receivers keep verifying while a rotated-out secret is still honoured.
pub fn signature_header(
    secrets: &[&WebhookSecret],
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> String {
    secrets
        .iter()
        .map(|s| sign_payload(s, msg_id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `X-Webhook-Signature` of the `x-webhook` profile: hex HMAC-SHA256 of the body,
/// keyed with the secret's text as the integrator sees it (`whsec_...`), which is what
/// `crypto.createHmac('sha256', secret)` does with it.
pub fn body_signature_hex(secret: &WebhookSecret, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.expose().as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// How far a signed timestamp may be from now, as in Standard Webhooks.
pub const TIMESTAMP_TOLERANCE_SECS: i64 = 300;

/// Why a signed request was refused (the 401's message: it says which check failed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("missing signature: send X-Webhook-Signature, or the Standard Webhooks headers webhook-id, webhook-timestamp and webhook-signature")]
    MissingHeaders,
    #[error("webhook-timestamp is not within 5 minutes of now")]
    StaleTimestamp,
    #[error("webhook-signature holds no valid v1 signature of webhook-id, webhook-timestamp and the body")]
    Mismatch,
    #[error("X-Webhook-Timestamp is not unix seconds or RFC 3339 within 5 minutes of now")]
    StaleBodyTimestamp,
    #[error("X-Webhook-Signature is not the hex HMAC-SHA256 of the body (of `<X-Webhook-Timestamp>.<body>` when that header is sent), keyed with the secret as shown (whsec_...)")]
    BodyMismatch,
}

/// The signature headers of a request we receive, by name.
#[derive(Debug, Clone, Copy, Default)]
pub struct SignedHeaders<'a> {
    pub webhook_id: Option<&'a str>,
    pub webhook_timestamp: Option<&'a str>,
    pub webhook_signature: Option<&'a str>,
    pub x_webhook_signature: Option<&'a str>,
    pub x_webhook_timestamp: Option<&'a str>,
}

/// What a verified request must not repeat while its signature stays acceptable: a
/// digest of its `webhook-id` (or of its timestamped `X-Webhook-Signature`), and the unix
/// second until which the signature would still pass. Remembering it that long is what
/// makes a captured callback useless to replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplayGuard {
    pub digest: [u8; 32],
    pub valid_until_secs: i64,
}

impl ReplayGuard {
    fn new(kind: &str, id: &str, timestamp: i64) -> Self {
        use sha2::Digest;
        let mut hash = Sha256::new();
        hash.update(kind.as_bytes());
        hash.update([0]);
        hash.update(id.as_bytes());
        Self {
            digest: hash.finalize().into(),
            valid_until_secs: timestamp + TIMESTAMP_TOLERANCE_SECS,
        }
    }
}

/// Verifies a request we receive (a workflow's callback) signed either way:
/// `X-Webhook-Signature`, the hex HMAC-SHA256 of the body keyed with the secret's text
/// (what n8n's Crypto node makes; with `X-Webhook-Timestamp` the HMAC covers
/// `<timestamp>.<body>` and the timestamp must be within 5 minutes), or Standard Webhooks.
///
/// A timestamped signature comes back with the [`ReplayGuard`] to remember; one without a
/// timestamp never expires, so it has none (docs/API.md says to send the timestamp).
pub fn verify_request(
    secret: &WebhookSecret,
    headers: SignedHeaders<'_>,
    body: &[u8],
    now: i64,
) -> Result<Option<ReplayGuard>, SignatureError> {
    let Some(given) = headers.x_webhook_signature else {
        verify_signature(
            secret,
            headers.webhook_id,
            headers.webhook_timestamp,
            headers.webhook_signature,
            body,
            now,
        )?;
        // verify_signature has checked both are present and the timestamp parses.
        let (Some(id), Some(ts)) = (headers.webhook_id, headers.webhook_timestamp) else {
            return Err(SignatureError::MissingHeaders);
        };
        let ts = ts
            .trim()
            .parse()
            .map_err(|_| SignatureError::StaleTimestamp)?;
        return Ok(Some(ReplayGuard::new("webhook-id", id, ts)));
    };
    let (signed, at) = match headers.x_webhook_timestamp {
        None => (body.to_vec(), None),
        Some(ts) => {
            let at = parse_timestamp(ts).ok_or(SignatureError::StaleBodyTimestamp)?;
            if (now - at).abs() > TIMESTAMP_TOLERANCE_SECS {
                return Err(SignatureError::StaleBodyTimestamp);
            }
            ([ts.as_bytes(), b".", body].concat(), Some(at))
        }
    };
    let expected = body_signature_hex(secret, &signed);
    let given = given.trim().to_ascii_lowercase();
    let given = given.strip_prefix("sha256=").unwrap_or(&given);
    if !constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        return Err(SignatureError::BodyMismatch);
    }
    Ok(at.map(|at| ReplayGuard::new("x-webhook-signature", &expected, at)))
}

/// Unix seconds, or RFC 3339.
fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    s.parse::<i64>().ok().or_else(|| {
        chrono::DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.timestamp())
    })
}

/// Verifies Standard Webhooks headers of a request we receive (e.g. a workflow callback).
pub fn verify_signature(
    secret: &WebhookSecret,
    msg_id: Option<&str>,
    timestamp: Option<&str>,
    signatures: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), SignatureError> {
    let (Some(id), Some(ts), Some(sigs)) = (msg_id, timestamp, signatures) else {
        return Err(SignatureError::MissingHeaders);
    };
    let ts: i64 = ts
        .trim()
        .parse()
        .map_err(|_| SignatureError::StaleTimestamp)?;
    if (now - ts).abs() > TIMESTAMP_TOLERANCE_SECS {
        return Err(SignatureError::StaleTimestamp);
    }
    let expected = sign_payload(secret, id, ts, body);
    let matches = sigs
        .split_whitespace()
        .any(|given| constant_time_eq(given.as_bytes(), expected.as_bytes()));
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_and_schemes_that_go_together() {
        use SignatureProfile::*;
        use SignatureScheme::*;
        #[rustfmt::skip]
        let rows = [
            (Standard, HmacSha256, true), (Standard, Ed25519, true),
            (XWebhook, HmacSha256, true), (XWebhook, Ed25519, false),
        ];
        for (profile, scheme, fits) in rows {
            let got = check_profile(profile, scheme, "signature_profile");
            assert_eq!(got.is_ok(), fits, "{profile:?} with {scheme:?}");
        }
        assert_eq!(
            check_profile(XWebhook, Ed25519, "secret")
                .unwrap_err()
                .field,
            "secret"
        );
    }

    #[test]
    fn an_ed25519_webhook_signs_v1a_and_both_keys_during_a_rotation() {
        let new = WebhookSecret::generate_for(SignatureScheme::Ed25519);
        let old = WebhookSecret::generate();
        let header = signature_header(&[&new, &old], "msg_1", 1_700_000_000, b"{}");
        let parts: Vec<&str> = header.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert!(
            parts[0].starts_with("v1a,") && parts[1].starts_with("v1,"),
            "{header}"
        );
    }

    #[test]
    fn every_header_a_profile_sets_is_reserved() {
        let secret = WebhookSecret::generate();
        for profile in SignatureProfile::ALL {
            for (name, _) in profile.headers(&secret, 1000, b"{}") {
                assert!(
                    profile.header_names().contains(&name),
                    "{profile:?}: {name}"
                );
                assert!(crate::is_reserved_header(name), "{profile:?}: {name}");
            }
        }
        let target = WebhookTarget {
            signature_profile: SignatureProfile::XWebhook,
            ..crate::delivery::tests::target()
        };
        for (name, _) in delivery_headers(&target, "a.b", "m1", 1, 1000, b"{}") {
            assert!(crate::is_reserved_header(name), "{name}");
        }
    }

    #[test]
    fn body_signature_known_answer() {
        // printf '%s' '{"a":1}' | openssl dgst -sha256 -hmac 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD'
        let secret = WebhookSecret::parse("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD")
            .expect("vector secret parses");
        let sig = body_signature_hex(&secret, br#"{"a":1}"#);
        assert_eq!(sig.len(), 64);
        assert!(sig
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_eq!(sig, body_signature_hex(&secret, br#"{"a":1}"#));
        assert_ne!(sig, body_signature_hex(&secret, br#"{"a":2}"#));
    }

    /// name, X-Webhook-Signature, X-Webhook-Timestamp, now, verdict (Ok(true): with a
    /// replay guard).
    type CallbackRow<'a> = (
        &'a str,
        &'a str,
        Option<&'a str>,
        i64,
        Result<bool, SignatureError>,
    );

    #[test]
    fn callbacks_verify_either_signature_and_say_which_check_failed() {
        let secret = WebhookSecret::parse("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD")
            .expect("vector secret parses");
        let body = br#"{"post_id":1,"status":"published"}"#;
        let hex = body_signature_hex(&secret, body);
        let upper = format!("sha256={}", hex.to_uppercase());
        let timed = body_signature_hex(&secret, &[b"1000.".as_slice(), body].concat());
        #[rustfmt::skip]
        let rows: Vec<CallbackRow> = vec![
            ("hex of the body", &hex, None, 1000, Ok(false)),
            ("upper case, sha256= prefix", &upper, None, 1000, Ok(false)),
            ("hex of another body", "00ff", None, 1000, Err(SignatureError::BodyMismatch)),
            ("timestamped", &timed, Some("1000"), 1100, Ok(true)),
            ("the timestamp is signed as sent", &timed, Some("1970-01-01T00:16:40Z"), 1100, Err(SignatureError::BodyMismatch)),
            ("timestamp too old", &timed, Some("1000"), 2000, Err(SignatureError::StaleBodyTimestamp)),
            ("timestamp not a time", &timed, Some("soon"), 1000, Err(SignatureError::StaleBodyTimestamp)),
            ("body-only signature with a timestamp", &hex, Some("1000"), 1000, Err(SignatureError::BodyMismatch)),
        ];
        for (name, sig, ts, now, want) in rows {
            let headers = SignedHeaders {
                x_webhook_signature: Some(sig),
                x_webhook_timestamp: ts,
                ..SignedHeaders::default()
            };
            let verdict = verify_request(&secret, headers, body, now).map(|g| g.is_some());
            assert_eq!(verdict, want, "{name}");
        }
        let standard = sign_payload(&secret, "m1", 1000, body);
        let headers = SignedHeaders {
            webhook_id: Some("m1"),
            webhook_timestamp: Some("1000"),
            webhook_signature: Some(&standard),
            ..SignedHeaders::default()
        };
        let guard =
            verify_request(&secret, headers, body, 1000).expect("standard signature passes");
        assert_eq!(
            guard.map(|g| g.valid_until_secs),
            Some(1000 + TIMESTAMP_TOLERANCE_SECS)
        );
        assert_eq!(
            verify_request(&secret, SignedHeaders::default(), body, 1000),
            Err(SignatureError::MissingHeaders)
        );
    }

    #[test]
    fn replay_guards_name_the_message_not_the_delivery() {
        let secret = WebhookSecret::generate();
        let body = b"{}";
        let standard = |id: &'static str, ts: i64| {
            let sig = sign_payload(&secret, id, ts, body);
            let ts = ts.to_string();
            let headers = SignedHeaders {
                webhook_id: Some(id),
                webhook_timestamp: Some(&ts),
                webhook_signature: Some(&sig),
                ..SignedHeaders::default()
            };
            verify_request(&secret, headers, body, 1000)
                .expect("signed")
                .expect("guarded")
        };
        // A resend keeps its id: the same guard. Another id is another message.
        assert_eq!(standard("m1", 1000).digest, standard("m1", 1010).digest);
        assert_ne!(standard("m1", 1000).digest, standard("m2", 1000).digest);
        let timed = |ts: &str| {
            let sig = body_signature_hex(&secret, &[ts.as_bytes(), b".", body].concat());
            let headers = SignedHeaders {
                x_webhook_signature: Some(&sig),
                x_webhook_timestamp: Some(ts),
                ..SignedHeaders::default()
            };
            verify_request(&secret, headers, body, 1000)
                .expect("signed")
                .expect("guarded")
        };
        assert_eq!(timed("1000"), timed("1000"));
        assert_ne!(timed("1000").digest, timed("1001").digest);
        assert_ne!(timed("1000").digest, standard("m1", 1000).digest);
    }

    #[test]
    fn standard_webhooks_known_answer() {
        let secret = WebhookSecret::parse("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD")
            .expect("vector secret parses");
        let sig = sign_payload(
            &secret,
            "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
            1649367553,
            br#"{"email":"test@example.com","username":"test_user"}"#,
        );
        assert_eq!(sig, "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=");
    }

    #[test]
    fn verification_accepts_our_signature_and_refuses_others() {
        let secret = WebhookSecret::generate();
        let sig = sign_payload(&secret, "id1", 1000, b"{}");
        let both = format!("v1,bogus {sig}");
        assert_eq!(
            verify_signature(&secret, Some("id1"), Some("1000"), Some(&both), b"{}", 1100),
            Ok(())
        );
        assert_eq!(
            verify_signature(&secret, Some("id1"), Some("1000"), Some(&sig), b"{ }", 1000),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(&secret, Some("id1"), Some("1000"), Some(&sig), b"{}", 1400),
            Err(SignatureError::StaleTimestamp)
        );
        assert_eq!(
            verify_signature(&secret, None, Some("1000"), Some(&sig), b"{}", 1000),
            Err(SignatureError::MissingHeaders)
        );
    }

    #[test]
    fn several_secrets_give_several_signatures() {
        let a = WebhookSecret::generate();
        let b = WebhookSecret::generate();
        let header = signature_header(&[&a, &b], "id", 1, b"{}");
        let parts: Vec<&str> = header.split(' ').collect();
        assert_eq!(
            parts,
            vec![
                sign_payload(&a, "id", 1, b"{}"),
                sign_payload(&b, "id", 1, b"{}")
            ]
        );
    }
}
