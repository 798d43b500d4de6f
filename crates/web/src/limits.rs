//! Rate limits: token buckets (`governor`) keyed by API key, tenant, callback URL or
//! client address, and the `429` + `Retry-After` they answer with.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

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

/// Failed authentications per client address: after the bucket is empty, the address is
/// refused (429) until it refills, whatever it sends, so guessing keys gets nowhere.
pub struct AuthFailures {
    bucket: KeyedLimit<IpAddr>,
    blocked: Mutex<HashMap<IpAddr, Instant>>,
}

impl AuthFailures {
    pub fn per_minute(per_minute: u32) -> Self {
        Self {
            bucket: KeyedLimit::per_minute(per_minute),
            blocked: Mutex::default(),
        }
    }

    /// Refuses an address that is blocked now.
    pub fn check(&self, addr: Option<IpAddr>) -> Result<(), ApiError> {
        let Some(addr) = addr else { return Ok(()) };
        let blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
        match blocked.get(&addr) {
            Some(until) if *until > Instant::now() => Err(too_many(*until - Instant::now())),
            _ => Ok(()),
        }
    }

    /// Counts a failed authentication of `addr`; returns the error to answer with: the
    /// 401 it was, or a 429 once the address has used up its failures.
    pub fn failed(&self, addr: Option<IpAddr>) -> ApiError {
        let Some(addr) = addr else {
            return ApiError::Unauthorized;
        };
        let Err(wait) = self.bucket.take(&addr, 1) else {
            return ApiError::Unauthorized;
        };
        let mut blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
        if blocked.len() > PRUNE_ABOVE {
            let now = Instant::now();
            blocked.retain(|_, until| *until > now);
        }
        // Blocked for the whole seconds the 429's Retry-After announces.
        blocked.insert(
            addr,
            Instant::now() + Duration::from_secs(retry_after_secs(wait)),
        );
        too_many(wait)
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
    fn an_address_out_of_failures_is_blocked_even_with_a_good_key() {
        let failures = AuthFailures::per_minute(3);
        let addr: Option<IpAddr> = Some("203.0.113.9".parse().expect("ip"));
        for _ in 0..3 {
            assert!(failures.check(addr).is_ok());
            assert!(matches!(failures.failed(addr), ApiError::Unauthorized));
        }
        assert!(matches!(
            failures.failed(addr),
            ApiError::TooManyRequests { .. }
        ));
        assert!(
            matches!(failures.check(addr), Err(ApiError::TooManyRequests { retry_after_secs }) if retry_after_secs >= 1)
        );
        let other: Option<IpAddr> = Some("203.0.113.10".parse().expect("ip"));
        assert!(
            failures.check(other).is_ok(),
            "other addresses are not blocked"
        );
    }
}
