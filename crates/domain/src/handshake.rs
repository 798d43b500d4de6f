//! The CloudEvents webhook validation handshake (CloudEvents "HTTP 1.1 Web Hooks", section
//! 4): before a webhook is saved, and when its URL changes, an `OPTIONS` request asks the
//! receiver whether it takes deliveries from this origin (`WebHook-Request-Origin`) and
//! how fast (`WebHook-Request-Rate`). Its answer is judged here, a pure decision with a
//! table test; `hookrelay_core::sender` makes the request.

use serde::{Deserialize, Serialize};

use crate::flow::{RateLimit, RatePeriod};
use crate::CorruptValue;

/// A handshake a webhook's receiver must pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Handshake {
    #[serde(rename = "cloudevents")]
    CloudEvents,
}

impl Handshake {
    pub fn as_str(self) -> &'static str {
        match self {
            Handshake::CloudEvents => "cloudevents",
        }
    }

    pub fn from_stored(s: &str) -> Result<Self, CorruptValue> {
        match s {
            "cloudevents" => Ok(Handshake::CloudEvents),
            other => Err(CorruptValue::new("handshake", format!("{other:?}"))),
        }
    }
}

/// What the receiver answered the `OPTIONS` request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HandshakeAnswer {
    /// The HTTP status; `None`: no answer (then `error` says why).
    pub status: Option<u16>,
    /// Its `WebHook-Allowed-Origin`.
    pub allowed_origin: Option<String>,
    /// Its `WebHook-Allowed-Rate` (requests per minute, or `*`).
    pub allowed_rate: Option<String>,
    pub error: Option<String>,
}

/// The rate a receiver granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllowedRate {
    /// `*`: as fast as the sender likes.
    Unlimited,
    /// At most this many requests a minute.
    PerMinute(u32),
    /// It did not say: the rate asked for stands.
    Unstated,
}

impl AllowedRate {
    /// The webhook's rate limit after the handshake, from the one it asked with: the
    /// receiver may lower it (never raise it); a rate granted to a webhook without a
    /// limit becomes its limit.
    pub fn apply(self, asked: Option<RateLimit>) -> Option<RateLimit> {
        match self {
            AllowedRate::Unlimited | AllowedRate::Unstated => asked,
            AllowedRate::PerMinute(n) => {
                let lower = requested_rate_per_minute(asked).is_none_or(|mine| n < mine);
                if lower {
                    // Within RateLimit's range: `judge` only grants 1..=MAX_RATE_LIMIT.
                    RateLimit::parse(i64::from(n), Some(RatePeriod::Minute)).ok()
                } else {
                    asked
                }
            }
        }
    }
}

/// Judges the receiver's answer to a handshake from `origin`: allowed (and at what rate),
/// or refused with the reason the 422 gives.
pub fn judge(answer: &HandshakeAnswer, origin: &str) -> Result<AllowedRate, String> {
    let status = answer.status.ok_or_else(|| {
        format!(
            "the receiver did not answer the handshake: {}",
            answer.error.as_deref().unwrap_or("no response")
        )
    })?;
    if !(200..300).contains(&status) {
        return Err(format!("the receiver answered the handshake with {status}"));
    }
    match answer.allowed_origin.as_deref().map(str::trim) {
        None => return Err("the receiver's answer has no WebHook-Allowed-Origin".into()),
        Some(o) if o == "*" || o.eq_ignore_ascii_case(origin) => {}
        Some(o) => {
            return Err(format!(
                "the receiver allows origin {o:?}, not this installation's {origin:?}"
            ))
        }
    }
    match answer.allowed_rate.as_deref().map(str::trim) {
        None | Some("") => Ok(AllowedRate::Unstated),
        Some("*") => Ok(AllowedRate::Unlimited),
        Some(n) => n
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=crate::flow::MAX_RATE_LIMIT).contains(n))
            .map(AllowedRate::PerMinute)
            .ok_or_else(|| format!("the receiver's WebHook-Allowed-Rate {n:?} is not a rate")),
    }
}

/// The `WebHook-Request-Rate` to ask for (requests per minute): the webhook's rate limit
/// in those units, rounded up; none without a limit.
pub fn requested_rate_per_minute(limit: Option<RateLimit>) -> Option<u32> {
    let limit = limit?;
    Some(match limit.period() {
        RatePeriod::Second => limit.count().saturating_mul(60),
        RatePeriod::Minute => limit.count(),
        RatePeriod::Hour => limit.count().div_ceil(60),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: Option<u16>, origin: Option<&str>, rate: Option<&str>) -> HandshakeAnswer {
        HandshakeAnswer {
            status,
            allowed_origin: origin.map(String::from),
            allowed_rate: rate.map(String::from),
            error: status.is_none().then(|| "connection refused".into()),
        }
    }

    #[test]
    fn handshake_answers_are_judged() {
        use AllowedRate::*;
        let me = "hooks.example.com";
        #[rustfmt::skip]
        let rows: [(HandshakeAnswer, Result<AllowedRate, &str>); 11] = [
            (answer(Some(200), Some(me), None), Ok(Unstated)),
            (answer(Some(204), Some("*"), Some("*")), Ok(Unlimited)),
            (answer(Some(200), Some("HOOKS.example.com"), Some("120")), Ok(PerMinute(120))),
            (answer(Some(200), Some(me), Some(" 5 ")), Ok(PerMinute(5))),
            (answer(Some(200), Some(me), Some("0")), Err("not a rate")),
            (answer(Some(200), Some(me), Some("fast")), Err("not a rate")),
            (answer(Some(200), Some("evil.example"), None), Err("allows origin")),
            (answer(Some(200), None, None), Err("no WebHook-Allowed-Origin")),
            (answer(Some(405), Some(me), None), Err("answered the handshake with 405")),
            (answer(Some(301), Some(me), None), Err("with 301")),
            (answer(None, None, None), Err("did not answer")),
        ];
        for (a, want) in rows {
            match (judge(&a, me), want) {
                (Ok(got), Ok(want)) => assert_eq!(got, want, "{a:?}"),
                (Err(got), Err(want)) => assert!(got.contains(want), "{a:?}: {got}"),
                (got, want) => panic!("{a:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn rates_are_asked_per_minute_and_granted_as_a_limit() {
        let limit = |n, p| RateLimit::parse(n, Some(p)).ok();
        #[rustfmt::skip]
        let asked = [
            (None, None),
            (limit(2, RatePeriod::Second), Some(120)),
            (limit(90, RatePeriod::Minute), Some(90)),
            (limit(61, RatePeriod::Hour), Some(2)),
            (limit(1, RatePeriod::Hour), Some(1)),
        ];
        for (l, want) in asked {
            assert_eq!(requested_rate_per_minute(l), want, "{l:?}");
        }
        // Granted: the receiver lowers a limit, never raises or removes it.
        let ten_a_second = limit(10, RatePeriod::Second); // 600 a minute
        let ten_a_minute = limit(10, RatePeriod::Minute);
        #[rustfmt::skip]
        let granted = [
            (AllowedRate::Unstated, ten_a_second, ten_a_second),
            (AllowedRate::Unlimited, ten_a_second, ten_a_second),
            (AllowedRate::Unlimited, None, None),
            (AllowedRate::PerMinute(30), ten_a_second, limit(30, RatePeriod::Minute)),
            (AllowedRate::PerMinute(120), ten_a_minute, ten_a_minute),
            (AllowedRate::PerMinute(10), ten_a_minute, ten_a_minute),
            (AllowedRate::PerMinute(30), None, limit(30, RatePeriod::Minute)),
        ];
        for (allowed, asked, want) in granted {
            assert_eq!(allowed.apply(asked), want, "{allowed:?} of {asked:?}");
        }
    }
}
