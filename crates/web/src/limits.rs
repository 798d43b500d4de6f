//! Rate limits: token buckets (`governor`) keyed by API key, tenant, callback URL or
//! client address, and the `429` + `Retry-After` they answer with.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;

/// Keys not seen for a while are forgotten once the map holds this many.
const PRUNE_ABOVE: usize = 10_000;

/// A token bucket per key: `rate` per `period`, holding `burst` tokens. Rate 0 turns it off.
pub struct KeyedLimit<K: Hash + Eq + Clone> {
    limiter: Option<DefaultKeyedRateLimiter<K>>,
    /// Checks so far: the key map's size is looked at every [`PRUNE_EVERY`] checks, not on
    /// each (counting it visits every shard).
    checks: AtomicU32,
}

/// How often (in checks) a bucket map is looked at for pruning.
const PRUNE_EVERY: u32 = 1024;

impl<K: Hash + Eq + Clone> KeyedLimit<K> {
    /// `per_second` per second, bursts of `per_second * burst_secs`.
    pub fn per_second(per_second: u32, burst_secs: u32) -> Self {
        Self::build(per_second, Quota::per_second, burst_secs)
    }

    /// `per_minute` per minute, bursts of `per_minute` (one minute's worth).
    pub fn per_minute(per_minute: u32) -> Self {
        Self::build(per_minute, Quota::per_minute, 1)
    }

    fn build(rate: u32, quota: impl Fn(NonZeroU32) -> Quota, burst_periods: u32) -> Self {
        let limiter = NonZeroU32::new(rate).map(|n| {
            let burst = NonZeroU32::new(rate.saturating_mul(burst_periods.max(1))).unwrap_or(n);
            RateLimiter::keyed(quota(n).allow_burst(burst))
        });
        Self {
            limiter,
            checks: AtomicU32::new(0),
        }
    }

    /// Takes `n` tokens for `key`, or answers 429 with how long until they are there.
    pub fn admit(&self, key: &K, n: u32) -> Result<(), ApiError> {
        self.take(key, n).map_err(too_many)
    }

    /// Takes `n` tokens for `key`, or says how long until they are there.
    fn take(&self, key: &K, n: u32) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        let n = NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        let result = match limiter.check_key_n(key, n) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => Err(not_until.wait_time_from(DefaultClock::default().now())),
            // More than the bucket can ever hold: a request this big never passes.
            Err(_) => Err(Duration::from_secs(60)),
        };
        if self
            .checks
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(PRUNE_EVERY)
            && limiter.len() > PRUNE_ABOVE
        {
            limiter.retain_recent();
        }
        result
    }
}

/// The TCP peer's address (not a forwarded-for header, which the client could forge):
/// what failed authentications are counted by.
pub fn client_addr(req: &actix_web::HttpRequest) -> Option<IpAddr> {
    req.peer_addr().map(|a| a.ip())
}

/// Failed authentications, counted per client address and per presented credential
/// prefix. A valid credential always passes (behind a shared proxy or NAT one guesser must
/// not lock its neighbours out); a failure past either budget is answered 429 instead of
/// 401, so one key tried from many addresses is limited too.
pub struct AuthFailures {
    by_addr: KeyedLimit<IpAddr>,
    by_prefix: KeyedLimit<String>,
}

/// Characters of a presented credential its failures are counted by: the part listings
/// show (`hr_` and 6 more).
const PREFIX_CHARS: usize = 9;

impl AuthFailures {
    pub fn per_minute(per_minute: u32) -> Self {
        Self {
            by_addr: KeyedLimit::per_minute(per_minute),
            by_prefix: KeyedLimit::per_minute(per_minute),
        }
    }

    /// Counts a failed authentication from `addr` presenting `presented` (a key, a token,
    /// or nothing); returns the error to answer with: the 401 it was, or a 429 once the
    /// address or the credential's prefix has used up its failures.
    pub fn failed(&self, addr: Option<IpAddr>, presented: Option<&str>) -> ApiError {
        let by_addr = addr.map_or(Ok(()), |addr| self.by_addr.take(&addr, 1));
        let by_prefix = presented.map_or(Ok(()), |p| {
            self.by_prefix
                .take(&p.chars().take(PREFIX_CHARS).collect(), 1)
        });
        match (by_addr, by_prefix) {
            (Ok(()), Ok(())) => ApiError::Unauthorized,
            (Err(wait), Ok(())) | (Ok(()), Err(wait)) => too_many(wait),
            (Err(a), Err(b)) => too_many(a.max(b)),
        }
    }
}

fn too_many(wait: Duration) -> ApiError {
    ApiError::TooManyRequests {
        retry_after_secs: retry_after_secs(wait),
    }
}

/// `wait` in whole seconds, rounded up, at least 1.
fn retry_after_secs(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_passes_its_burst_then_refuses_with_a_wait() {
        let limit = KeyedLimit::per_second(5, 2);
        for _ in 0..10 {
            assert!(limit.admit(&"k", 1).is_ok());
        }
        match limit.admit(&"k", 1) {
            Err(ApiError::TooManyRequests { retry_after_secs }) => assert_eq!(retry_after_secs, 1),
            other => panic!("expected 429, got {other:?}"),
        }
        assert!(limit.admit(&"other key", 1).is_ok(), "keys are separate");
    }

    #[test]
    fn rate_zero_is_off() {
        let limit = KeyedLimit::per_second(0, 2);
        for _ in 0..10_000 {
            assert!(limit.admit(&1u8, 1).is_ok());
        }
    }

    #[test]
    fn a_request_bigger_than_the_bucket_is_refused() {
        let limit = KeyedLimit::per_second(5, 1);
        assert!(limit.admit(&"k", 6).is_err());
        assert!(limit.admit(&"k", 5).is_ok());
    }

    #[test]
    fn failures_are_limited_per_address_and_per_credential_prefix() {
        let failures = AuthFailures::per_minute(3);
        let addr: Option<IpAddr> = Some("203.0.113.9".parse().expect("ip"));
        for i in 0..3 {
            let guess = format!("hr_guess{i}xxxx");
            assert!(matches!(
                failures.failed(addr, Some(&guess)),
                ApiError::Unauthorized
            ));
        }
        assert!(matches!(
            failures.failed(addr, Some("hr_other-guess")),
            ApiError::TooManyRequests { retry_after_secs } if retry_after_secs >= 1
        ));
        // Another address is not limited by this one's failures...
        let other: Option<IpAddr> = Some("203.0.113.10".parse().expect("ip"));
        assert!(matches!(
            failures.failed(other, Some("hr_fresh1")),
            ApiError::Unauthorized
        ));
        // ... but one key's prefix tried from many addresses is.
        for i in 0..2 {
            let addr = Some(IpAddr::from([198, 51, 100, i]));
            assert!(matches!(
                failures.failed(addr, Some("hr_fresh1-x")),
                ApiError::Unauthorized
            ));
        }
        assert!(matches!(
            failures.failed(Some(IpAddr::from([198, 51, 100, 9])), Some("hr_fresh1-y")),
            ApiError::TooManyRequests { .. }
        ));
    }
}
