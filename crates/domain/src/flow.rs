//! Flow control of one endpoint (a webhook): its limits, its circuit breaker, the pause a
//! receiver asks for, and whether a delivery may start now. Each is a pure decision with a
//! table test, like `delivery::judge`; the dispatcher's `scheduler` is their I/O.
//!
//! Rules, in the order [`admit`] applies them:
//! 1. an open circuit holds everything until its `retry_at`, then lets one probe through;
//! 2. a receiver's `429`/`503` with `Retry-After` pauses the endpoint until then;
//! 3. at most `max_concurrency` requests to the endpoint are in flight, fewer while the
//!    receiver's answers come near the timeout ([`paced_slots`]);
//! 4. a tenant uses at most its share of the dispatcher, and the dispatcher its capacity;
//! 5. the endpoint's rate limit (checked last: it spends a token).
//!
//! A held delivery is neither failed nor charged an attempt: it simply starts later.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::delivery::Answer;
use crate::{CorruptValue, ValidationError};

/// Highest `max_concurrency` a webhook may have.
pub const MAX_CONCURRENCY_LIMIT: u32 = 1000;
/// Highest `rate_limit` count (per period).
pub const MAX_RATE_LIMIT: u32 = 1_000_000;

/// How many requests to one webhook may be in flight at once (1-1000).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxConcurrency(u32);

impl MaxConcurrency {
    /// A client's value; `field` is named in the error.
    pub fn parse(field: &str, value: i64) -> Result<Self, ValidationError> {
        u32::try_from(value)
            .ok()
            .filter(|v| (1..=MAX_CONCURRENCY_LIMIT).contains(v))
            .map(Self)
            .ok_or_else(|| {
                ValidationError::new(field, format!("must be 1 to {MAX_CONCURRENCY_LIMIT}"))
            })
    }

    /// Reads the stored value back.
    pub fn from_stored(value: i32) -> Result<Self, CorruptValue> {
        Self::parse("max_concurrency", i64::from(value))
            .map_err(|_| CorruptValue::new("max_concurrency", value.to_string()))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// The period a rate limit counts over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum RatePeriod {
    Second,
    Minute,
    Hour,
}

impl RatePeriod {
    pub const ALL: [RatePeriod; 3] = [RatePeriod::Second, RatePeriod::Minute, RatePeriod::Hour];

    pub fn as_str(self) -> &'static str {
        match self {
            RatePeriod::Second => "second",
            RatePeriod::Minute => "minute",
            RatePeriod::Hour => "hour",
        }
    }

    pub fn duration(self) -> Duration {
        match self {
            RatePeriod::Second => Duration::from_secs(1),
            RatePeriod::Minute => Duration::from_secs(60),
            RatePeriod::Hour => Duration::from_secs(3600),
        }
    }

    /// Reads the stored form back.
    pub fn from_stored(s: &str) -> Result<Self, CorruptValue> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| CorruptValue::new("rate_limit_period", format!("{s:?}")))
    }
}

/// At most `count` deliveries started per `period`; more wait (never failed, never
/// charged an attempt). A full period's worth may start at once (the burst).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    count: u32,
    period: RatePeriod,
}

impl RateLimit {
    /// `rate_limit` (>= 1) per `rate_limit_period` (default `second`).
    pub fn parse(count: i64, period: Option<RatePeriod>) -> Result<Self, ValidationError> {
        let count = u32::try_from(count)
            .ok()
            .filter(|c| (1..=MAX_RATE_LIMIT).contains(c))
            .ok_or_else(|| {
                ValidationError::new(
                    "rate_limit",
                    format!("must be an integer from 1 to {MAX_RATE_LIMIT}, or null for none"),
                )
            })?;
        Ok(Self {
            count,
            period: period.unwrap_or(RatePeriod::Second),
        })
    }

    /// Reads the stored columns back.
    pub fn from_stored(count: i32, period: &str) -> Result<Self, CorruptValue> {
        let period = RatePeriod::from_stored(period)?;
        Self::parse(i64::from(count), Some(period))
            .map_err(|_| CorruptValue::new("rate_limit", count.to_string()))
    }

    pub fn count(self) -> u32 {
        self.count
    }

    pub fn period(self) -> RatePeriod {
        self.period
    }

    /// The spacing of deliveries at the sustained rate.
    pub fn interval(self) -> Duration {
        self.period.duration() / self.count.max(1)
    }
}

/// An endpoint's limits, as stored on its webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowLimits {
    pub max_concurrency: MaxConcurrency,
    pub rate_limit: Option<RateLimit>,
}

/// A webhook's flow settings as stored: its own limits (`None`: the installation's
/// default concurrency, no rate limit) and its circuit as last recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StoredFlow {
    pub max_concurrency: Option<MaxConcurrency>,
    pub rate_limit: Option<RateLimit>,
    pub circuit: Circuit,
}

impl StoredFlow {
    /// The limits in force, with the installation's default concurrency.
    pub fn limits(&self, default_max_concurrency: MaxConcurrency) -> FlowLimits {
        FlowLimits {
            max_concurrency: self.max_concurrency.unwrap_or(default_max_concurrency),
            rate_limit: self.rate_limit,
        }
    }
}

/// Where a webhook's circuit stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CircuitState {
    /// Deliveries flow.
    #[default]
    Closed,
    /// Too many consecutive failures: nothing is sent until `retry_at`.
    Open,
    /// The cooldown is over: one probe is (or is about to be) sent; its answer closes or
    /// reopens the circuit.
    HalfOpen,
}

impl CircuitState {
    /// The stored name (only `closed` and `open` are stored: half-open is an open circuit
    /// whose `retry_at` has passed).
    pub fn as_str(self) -> &'static str {
        match self {
            CircuitState::Closed => "closed",
            CircuitState::Open => "open",
            CircuitState::HalfOpen => "half_open",
        }
    }

    pub fn from_stored(s: &str) -> Result<Self, CorruptValue> {
        match s {
            "closed" => Ok(CircuitState::Closed),
            "open" => Ok(CircuitState::Open),
            "half_open" => Ok(CircuitState::HalfOpen),
            _ => Err(CorruptValue::new("circuit_state", format!("{s:?}"))),
        }
    }
}

/// A webhook's circuit breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Circuit {
    /// `Closed` or `Open` (see [`Circuit::state_at`] for what a reader sees).
    pub state: CircuitState,
    pub opened_at: Option<DateTime<Utc>>,
    /// When the next probe may go out.
    pub retry_at: Option<DateTime<Utc>>,
    /// The cooldown of the current opening (doubles while probes keep failing).
    pub cooldown: Duration,
    /// Failed attempts in a row (reset by a success).
    pub failures: u32,
}

impl Circuit {
    /// The state as the API shows it at `now`: an open circuit whose cooldown is over is
    /// half-open (its next delivery is the probe).
    pub fn state_at(&self, now: DateTime<Utc>) -> CircuitState {
        match (self.state, self.retry_at) {
            (CircuitState::Open, Some(at)) if at <= now => CircuitState::HalfOpen,
            (state, _) => state,
        }
    }

    fn is_open(&self) -> bool {
        self.state != CircuitState::Closed
    }
}

/// When circuits open (`delivery.circuit_failures`, `delivery.circuit_cooldown_secs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerRules {
    /// Consecutive failed attempts that open the circuit; 0 never opens it.
    pub failures: u32,
    /// The first cooldown.
    pub cooldown: Duration,
    /// The cooldown doubles while probes fail, up to this.
    pub max_cooldown: Duration,
}

/// A change of a circuit worth announcing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CircuitChange {
    /// Closed -> open (`webhook.circuit_opened`).
    Opened,
    /// A probe failed: open again, for a longer cooldown.
    Reopened,
    /// A success closed it (`webhook.circuit_closed`).
    Closed,
}

impl CircuitChange {
    pub fn as_str(self) -> &'static str {
        match self {
            CircuitChange::Opened => "opened",
            CircuitChange::Reopened => "reopened",
            CircuitChange::Closed => "closed",
        }
    }
}

/// The circuit after an attempt that `succeeded` or not, at `now`.
///
/// - any success closes it (a request that was in flight when it opened counts: the
///   receiver works) and forgets the failures;
/// - a failure while closed counts; the `rules.failures`-th in a row opens it for
///   `rules.cooldown`;
/// - a failure while open (the probe, or a request already in flight) reopens it with the
///   cooldown doubled, up to `rules.max_cooldown`, when its cooldown was over (a probe);
///   otherwise it stays as it is.
pub fn breaker(
    circuit: &Circuit,
    succeeded: bool,
    rules: &BreakerRules,
    now: DateTime<Utc>,
) -> (Circuit, Option<CircuitChange>) {
    if succeeded {
        let change = circuit.is_open().then_some(CircuitChange::Closed);
        return (Circuit::default(), change);
    }
    let failures = circuit.failures.saturating_add(1);
    if circuit.is_open() {
        let probe_failed = circuit.retry_at.is_none_or(|at| at <= now);
        if !probe_failed {
            return (
                Circuit {
                    failures,
                    ..*circuit
                },
                None,
            );
        }
        let cooldown = (circuit.cooldown * 2)
            .min(rules.max_cooldown)
            .max(rules.cooldown);
        let reopened = Circuit {
            state: CircuitState::Open,
            opened_at: circuit.opened_at.or(Some(now)),
            retry_at: Some(now + chrono_of(cooldown)),
            cooldown,
            failures,
        };
        return (reopened, Some(CircuitChange::Reopened));
    }
    if rules.failures == 0 || failures < rules.failures {
        return (
            Circuit {
                failures,
                ..*circuit
            },
            None,
        );
    }
    let opened = Circuit {
        state: CircuitState::Open,
        opened_at: Some(now),
        retry_at: Some(now + chrono_of(rules.cooldown)),
        cooldown: rules.cooldown,
        failures,
    };
    (opened, Some(CircuitChange::Opened))
}

/// What an answer means to the breaker: a success (2xx), a failure, or nothing (`429`:
/// the receiver is up and asks for less, which its pause and the rate limit handle; a
/// receiver that throttles is not a receiver that is down).
pub fn breaker_sees(answer: &Answer) -> Option<bool> {
    match answer.status {
        Some(200..=299) => Some(true),
        Some(429) => None,
        _ => Some(false),
    }
}

fn chrono_of(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// How long the whole endpoint pauses after `answer`: a `429` or `503` with `Retry-After`
/// pauses it for that long, capped at `max`; anything else does not pause it.
pub fn pause_after(answer: &Answer, max: Duration) -> Option<Duration> {
    match (answer.status, answer.retry_after) {
        (Some(429 | 503), Some(after)) if !after.is_zero() => Some(after.min(max)),
        _ => None,
    }
}

/// Why a delivery is waiting (a metric label and what the console shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HoldReason {
    /// The webhook has `max_concurrency` requests in flight.
    Concurrency,
    /// The webhook's rate limit is used up for now.
    Rate,
    /// The receiver asked for a pause (`Retry-After`).
    Paused,
    /// The webhook's circuit is open (or its probe is out).
    Circuit,
    /// The tenant uses its whole share of the dispatcher.
    TenantShare,
    /// The dispatcher has its maximum of requests in flight.
    Capacity,
}

impl HoldReason {
    pub const ALL: [HoldReason; 6] = [
        HoldReason::Concurrency,
        HoldReason::Rate,
        HoldReason::Paused,
        HoldReason::Circuit,
        HoldReason::TenantShare,
        HoldReason::Capacity,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HoldReason::Concurrency => "concurrency",
            HoldReason::Rate => "rate",
            HoldReason::Paused => "paused",
            HoldReason::Circuit => "circuit",
            HoldReason::TenantShare => "tenant_share",
            HoldReason::Capacity => "capacity",
        }
    }

    /// Reads the stored form back.
    pub fn from_stored(s: &str) -> Result<Self, CorruptValue> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| CorruptValue::new("waiting_reason", format!("{s:?}")))
    }
}

/// What one endpoint has going on right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LaneLoad {
    /// Requests to the webhook in flight.
    pub in_flight: u32,
    /// One of them is the probe of a half-open circuit.
    pub probing: bool,
    /// Slots the receiver's pace allows now (`None`: all of `max_concurrency`).
    pub paced: Option<u32>,
}

/// How much of the dispatcher is in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shares {
    /// Requests of the endpoint's tenant in flight, and the most it may have.
    pub tenant_in_flight: u32,
    pub tenant_max: u32,
    /// Requests in flight on the dispatcher, and the most it may have.
    pub total_in_flight: u32,
    pub total_max: u32,
}

/// Whether a delivery may start now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Start it (`probe`: it is the half-open circuit's probe).
    Start { probe: bool },
    /// Wait until a request finishes (of the endpoint, the tenant or the dispatcher).
    Hold(HoldReason),
    /// Wait at least this long.
    Wait(HoldReason, Duration),
}

/// Everything [`admit`] looks at for one endpoint.
#[derive(Debug, Clone, Copy)]
pub struct Lane<'a> {
    pub limits: &'a FlowLimits,
    pub circuit: &'a Circuit,
    pub paused_until: Option<DateTime<Utc>>,
    pub load: LaneLoad,
}

/// Decides whether a delivery to `lane` may start at `now` (rules in the module's
/// comment). `take_token` is the endpoint's rate limiter: called only when everything
/// else allows the start, it spends a token or says how long until one is free.
pub fn admit(
    lane: Lane<'_>,
    shares: Shares,
    now: DateTime<Utc>,
    take_token: impl FnOnce() -> Result<(), Duration>,
) -> Admission {
    let mut probe = false;
    if lane.circuit.is_open() {
        if let Some(wait) = until(lane.circuit.retry_at, now) {
            return Admission::Wait(HoldReason::Circuit, wait);
        }
        if lane.load.probing || lane.load.in_flight > 0 {
            return Admission::Hold(HoldReason::Circuit);
        }
        probe = true;
    }
    if let Some(wait) = until(lane.paused_until, now) {
        return Admission::Wait(HoldReason::Paused, wait);
    }
    let slots = lane.limits.max_concurrency.get();
    let slots = lane.load.paced.map_or(slots, |paced| paced.clamp(1, slots));
    if lane.load.in_flight >= slots {
        return Admission::Hold(HoldReason::Concurrency);
    }
    if shares.tenant_in_flight >= shares.tenant_max {
        return Admission::Hold(HoldReason::TenantShare);
    }
    if shares.total_in_flight >= shares.total_max {
        return Admission::Hold(HoldReason::Capacity);
    }
    if lane.limits.rate_limit.is_some() {
        if let Err(wait) = take_token() {
            return Admission::Wait(HoldReason::Rate, wait);
        }
    }
    Admission::Start { probe }
}

/// How long from `now` until `at` (`None`: not in the future).
fn until(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<Duration> {
    (at? - now).to_std().ok().filter(|d| !d.is_zero())
}

/// How one attempt's answer says the receiver is keeping up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// It answered within half the timeout, or failed fast (refused, reset): no sign of a
    /// queue at the receiver.
    Keeping,
    /// It answered, but after more than half the timeout: requests queue there.
    Slow,
    /// No answer within the timeout. The receiver may still process the request, which
    /// makes the retry a duplicate for it.
    TimedOut,
}

/// Classifies an attempt that took `took` and got `answer`, under the attempt `timeout`.
pub fn pace_of(answer: &Answer, took: Duration, timeout: Duration) -> Pace {
    match answer.status {
        None if took >= timeout.mul_f64(0.9) => Pace::TimedOut,
        Some(_) if took > timeout / 2 => Pace::Slow,
        _ => Pace::Keeping,
    }
}

/// The slots a webhook may use after an attempt of pace `pace`, from `now` of its
/// `max` (additive increase, multiplicative decrease): a timeout halves them, a slow
/// answer takes one away, any other gives one back. A receiver that queues requests
/// (one worker, a small pool) then gets about as many at once as it answers within half
/// the timeout, so a backlog (after a broker outage) drains at its pace instead of timing
/// out requests it goes on to process, each one a duplicate for it.
pub fn paced_slots(now: u32, max: u32, pace: Pace) -> u32 {
    let now = now.clamp(1, max.max(1));
    match pace {
        Pace::TimedOut => (now / 2).max(1),
        Pace::Slow => now.saturating_sub(1).max(1),
        Pace::Keeping => now.saturating_add(1).min(max.max(1)),
    }
}

/// Slots a webhook starts with, when new to a dispatcher or after [`IDLE_RESTART`]
/// without a request: a backlog that built up meanwhile (a broker outage, a paused
/// dispatcher) reaches the receiver a few at a time, and grows by one with every answer
/// that keeps up (a fast receiver is back at its cap within a dozen answers).
pub const SLOTS_AFTER_IDLE: u32 = 4;
pub const IDLE_RESTART: Duration = Duration::from_secs(2);

/// The paced slots of a webhook coming back from idle ([`SLOTS_AFTER_IDLE`] at most).
pub fn slots_after_idle(paced: Option<u32>) -> Option<u32> {
    Some(paced.map_or(SLOTS_AFTER_IDLE, |p| p.min(SLOTS_AFTER_IDLE)))
}

/// How soon a delivery waiting for one of its webhook's slots must expect its turn to
/// wait in memory ...
pub const LANE_HOLD_HORIZON: Duration = Duration::from_secs(1);
/// ... and for one of its tenant's or the dispatcher's slots. Longer: a tenant's burst
/// to fast receivers (a fan-out) drains at the dispatcher's full speed, and parking it
/// would only cost the broker a round trip per delivery.
pub const SHARE_HOLD_HORIZON: Duration = Duration::from_secs(10);

/// Whether a delivery waits in memory (or is parked), seen from one level — its
/// webhook, its tenant or the dispatcher — where `ahead` deliveries already wait in
/// memory for slots that free `round` at a time, one round per `mean_attempt`: a round
/// always does; more while their turn is expected within `horizon`. A fast receiver keeps
/// a deep buffer and never pays a park; a slow one holds a round and parks the rest, so
/// its backlog pins no broker prefetch.
pub fn hold_in_memory(ahead: u32, round: u32, mean_attempt: Duration, horizon: Duration) -> bool {
    let round = round.max(1);
    ahead < round || mean_attempt.saturating_mul(ahead / round + 1) <= horizon
}

/// Shortest and longest time a parked delivery waits before it is looked at again.
pub const MIN_PARK: Duration = Duration::from_secs(1);
pub const MAX_PARK: Duration = Duration::from_secs(3600);

/// How long a delivery that cannot wait in memory is parked (sent round a delay queue,
/// unattempted), given why it waits and `ahead` deliveries of the endpoint already
/// waiting: long enough that it comes back about when its turn is, so a backlog does
/// not spin through the broker.
///
/// - a timed wait (pause, circuit, rate) lasts its time; behind a rate limit each
///   delivery ahead adds one interval of the rate;
/// - a slot wait (concurrency) lasts a round of `mean_attempt` per `max_concurrency`
///   deliveries ahead of it;
/// - a share or capacity wait is short: any request of the tenant or dispatcher frees it.
pub fn park_for(
    admission: Admission,
    ahead: u32,
    limits: &FlowLimits,
    mean_attempt: Duration,
) -> Duration {
    let wait = match admission {
        Admission::Start { .. } => Duration::ZERO,
        Admission::Wait(HoldReason::Rate, wait) => {
            let interval = limits
                .rate_limit
                .map_or(Duration::ZERO, RateLimit::interval);
            wait + interval.saturating_mul(ahead)
        }
        Admission::Wait(_, wait) => wait,
        Admission::Hold(HoldReason::Concurrency | HoldReason::Circuit) => {
            let rounds = ahead / limits.max_concurrency.get() + 1;
            mean_attempt.saturating_mul(rounds)
        }
        Admission::Hold(_) => MIN_PARK,
    };
    wait.clamp(MIN_PARK, MAX_PARK)
}

/// The webhook a delivery goes to, and its tenant: the scheduler's lane, and the shard
/// queue its jobs travel through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Endpoint {
    pub tenant_id: Uuid,
    pub webhook_id: Uuid,
}

impl Endpoint {
    /// The shard (0..`shards`) of the webhook: FNV-1a of its id, so every process (and
    /// version) puts a webhook on the same shard.
    pub fn shard(&self, shards: u16) -> u16 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in self.webhook_id.as_bytes() {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        u16::try_from(hash % u64::from(shards.max(1))).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).expect("time")
    }

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    fn limits(max: u32, rate: Option<(i64, RatePeriod)>) -> FlowLimits {
        FlowLimits {
            max_concurrency: MaxConcurrency::parse("max_concurrency", i64::from(max)).expect("max"),
            rate_limit: rate.map(|(n, p)| RateLimit::parse(n, Some(p)).expect("rate")),
        }
    }

    fn open(retry_at: i64) -> Circuit {
        Circuit {
            state: CircuitState::Open,
            opened_at: Some(at(0)),
            retry_at: Some(at(retry_at)),
            cooldown: secs(60),
            failures: 10,
        }
    }

    const FREE: Shares = Shares {
        tenant_in_flight: 0,
        tenant_max: 10,
        total_in_flight: 0,
        total_max: 100,
    };

    #[test]
    fn admit_table() {
        let l = limits(2, None);
        let rated = limits(2, Some((5, RatePeriod::Second)));
        let closed = Circuit::default();
        let busy = |n| LaneLoad {
            in_flight: n,
            probing: false,
            paced: None,
        };
        let paced = |n, slots| LaneLoad {
            in_flight: n,
            probing: false,
            paced: Some(slots),
        };
        let tenant_full = Shares {
            tenant_in_flight: 10,
            ..FREE
        };
        let all_full = Shares {
            total_in_flight: 100,
            ..FREE
        };
        let ok = || Ok(());
        let no_token = || Err(Duration::from_millis(200));
        #[rustfmt::skip]
        let rows: Vec<AdmitRow> = vec![
            ("free", &l, closed, None, busy(0), FREE, Admission::Start { probe: false }),
            ("one of two in flight", &l, closed, None, busy(1), FREE, Admission::Start { probe: false }),
            ("concurrency cap", &l, closed, None, busy(2), FREE, Admission::Hold(HoldReason::Concurrency)),
            ("paced to one slot", &l, closed, None, paced(1, 1), FREE, Admission::Hold(HoldReason::Concurrency)),
            ("paced below its cap", &l, closed, None, paced(0, 1), FREE, Admission::Start { probe: false }),
            ("pace never above the cap", &l, closed, None, paced(2, 9), FREE, Admission::Hold(HoldReason::Concurrency)),
            ("pace never below one slot", &l, closed, None, paced(0, 0), FREE, Admission::Start { probe: false }),
            ("tenant share", &l, closed, None, busy(0), tenant_full, Admission::Hold(HoldReason::TenantShare)),
            ("capacity", &l, closed, None, busy(0), all_full, Admission::Hold(HoldReason::Capacity)),
            ("paused", &l, closed, Some(30), busy(0), FREE, Admission::Wait(HoldReason::Paused, secs(30))),
            ("pause over", &l, closed, Some(-1), busy(0), FREE, Admission::Start { probe: false }),
            ("open", &l, open(60), None, busy(0), FREE, Admission::Wait(HoldReason::Circuit, secs(60))),
            ("open beats pause", &l, open(60), Some(90), busy(0), FREE, Admission::Wait(HoldReason::Circuit, secs(60))),
            ("cooldown over: probe", &l, open(0), None, busy(0), FREE, Admission::Start { probe: true }),
            ("probe out", &l, open(0), None, LaneLoad { in_flight: 1, probing: true, paced: None }, FREE, Admission::Hold(HoldReason::Circuit)),
            ("old request out", &l, open(-5), None, busy(1), FREE, Admission::Hold(HoldReason::Circuit)),
            ("probe still paused", &l, open(0), Some(10), busy(0), FREE, Admission::Wait(HoldReason::Paused, secs(10))),
            ("rate token", &rated, closed, None, busy(0), FREE, Admission::Start { probe: false }),
        ];
        for (name, limits, circuit, paused, load, shares, want) in rows {
            let lane = Lane {
                limits,
                circuit: &circuit,
                paused_until: paused.map(at),
                load,
            };
            assert_eq!(admit(lane, shares, at(0), ok), want, "{name}");
        }
        // The rate limiter is asked last, and only when everything else allows a start.
        let lane = |load| Lane {
            limits: &rated,
            circuit: &closed,
            paused_until: None,
            load,
        };
        assert_eq!(
            admit(lane(busy(0)), FREE, at(0), no_token),
            Admission::Wait(HoldReason::Rate, Duration::from_millis(200))
        );
        let asked = std::cell::Cell::new(false);
        let spy = || {
            asked.set(true);
            Ok(())
        };
        assert_eq!(
            admit(lane(busy(2)), FREE, at(0), spy),
            Admission::Hold(HoldReason::Concurrency)
        );
        assert!(!asked.get(), "no token spent on a held delivery");
    }

    #[test]
    fn pace_table() {
        let timeout = secs(5);
        let answered = |status| Answer {
            status: Some(status),
            retry_after: None,
            refused: false,
        };
        let silent = Answer {
            status: None,
            retry_after: None,
            refused: false,
        };
        let ms = Duration::from_millis;
        #[rustfmt::skip]
        let rows: Vec<(&str, Answer, Duration, Pace)> = vec![
            ("fast 200", answered(200), ms(30), Pace::Keeping),
            ("fast 500", answered(500), ms(30), Pace::Keeping),
            ("200 at half the timeout", answered(200), ms(2500), Pace::Keeping),
            ("200 after half the timeout", answered(200), ms(2600), Pace::Slow),
            ("503 after half the timeout", answered(503), ms(4900), Pace::Slow),
            ("refused at once", silent, ms(2), Pace::Keeping),
            ("no answer in the timeout", silent, ms(5000), Pace::TimedOut),
        ];
        for (name, answer, took, want) in rows {
            assert_eq!(pace_of(&answer, took, timeout), want, "{name}");
        }
        #[rustfmt::skip]
        let slots: Vec<(&str, u32, u32, Pace, u32)> = vec![
            ("timeout halves", 16, 16, Pace::TimedOut, 8),
            ("timeout keeps one", 1, 16, Pace::TimedOut, 1),
            ("slow takes one", 8, 16, Pace::Slow, 7),
            ("slow keeps one", 1, 16, Pace::Slow, 1),
            ("keeping gives one back", 7, 16, Pace::Keeping, 8),
            ("never above the cap", 16, 16, Pace::Keeping, 16),
            ("a lowered cap applies at once", 16, 4, Pace::Keeping, 4),
        ];
        for (name, now, max, pace, want) in slots {
            assert_eq!(paced_slots(now, max, pace), want, "{name}");
        }
        assert_eq!(slots_after_idle(None), Some(SLOTS_AFTER_IDLE));
        assert_eq!(slots_after_idle(Some(2)), Some(2));
        assert_eq!(slots_after_idle(Some(12)), Some(SLOTS_AFTER_IDLE));
    }

    /// name, circuit before, succeeded, now, circuit after, change.
    type BreakerRow = (
        &'static str,
        Circuit,
        bool,
        i64,
        Circuit,
        Option<CircuitChange>,
    );

    /// name, limits, circuit, paused until, load, shares, admission.
    type AdmitRow<'a> = (
        &'static str,
        &'a FlowLimits,
        Circuit,
        Option<i64>,
        LaneLoad,
        Shares,
        Admission,
    );

    #[test]
    fn breaker_table() {
        let rules = BreakerRules {
            failures: 3,
            cooldown: secs(60),
            max_cooldown: secs(200),
        };
        let closed = |failures| Circuit {
            failures,
            ..Circuit::default()
        };
        let reopened = |cooldown: u64, failures| Circuit {
            state: CircuitState::Open,
            opened_at: Some(at(0)),
            retry_at: Some(at(100 + cooldown as i64)),
            cooldown: secs(cooldown),
            failures,
        };
        let opened_at_100 = Circuit {
            state: CircuitState::Open,
            opened_at: Some(at(100)),
            retry_at: Some(at(160)),
            cooldown: secs(60),
            failures: 3,
        };
        let long_open = Circuit {
            cooldown: secs(150),
            ..open(60)
        };
        #[rustfmt::skip]
        let rows: Vec<BreakerRow> = vec![
            ("success keeps it closed", closed(2), true, 100, closed(0), None),
            ("failure counts", closed(1), false, 100, closed(2), None),
            ("third failure opens", closed(2), false, 100, opened_at_100, Some(CircuitChange::Opened)),
            ("probe succeeds: closed", open(60), true, 100, closed(0), Some(CircuitChange::Closed)),
            ("late success while open closes", open(60), true, 30, closed(0), Some(CircuitChange::Closed)),
            ("probe fails: cooldown doubles", open(60), false, 100, reopened(120, 11), Some(CircuitChange::Reopened)),
            ("doubling stops at the cap", long_open, false, 100, reopened(200, 11), Some(CircuitChange::Reopened)),
            ("a request from before the opening fails: no change", open(60), false, 30, Circuit { failures: 11, ..open(60) }, None),
        ];
        for (name, before, succeeded, now, want, change) in rows {
            assert_eq!(
                breaker(&before, succeeded, &rules, at(now)),
                (want, change),
                "{name}"
            );
        }
        let off = BreakerRules {
            failures: 0,
            ..rules
        };
        assert_eq!(
            breaker(&closed(500), false, &off, at(0)),
            (closed(501), None),
            "0 turns it off"
        );
    }

    #[test]
    fn what_the_breaker_counts() {
        let answer = |status| Answer {
            status,
            retry_after: None,
            refused: false,
        };
        #[rustfmt::skip]
        let rows = [
            ("2xx", answer(Some(204)), Some(true)),
            ("5xx", answer(Some(503)), Some(false)),
            ("4xx", answer(Some(404)), Some(false)),
            ("no answer", answer(None), Some(false)),
            ("429 is flow control", answer(Some(429)), None),
        ];
        for (name, a, want) in rows {
            assert_eq!(breaker_sees(&a), want, "{name}");
        }
    }

    #[test]
    fn half_open_is_an_open_circuit_past_its_retry_time() {
        assert_eq!(open(60).state_at(at(59)), CircuitState::Open);
        assert_eq!(open(60).state_at(at(60)), CircuitState::HalfOpen);
        assert_eq!(Circuit::default().state_at(at(0)), CircuitState::Closed);
    }

    #[test]
    fn pause_table() {
        let answer = |status, retry_after: Option<u64>| Answer {
            status: Some(status),
            retry_after: retry_after.map(secs),
            refused: false,
        };
        let max = secs(3600);
        #[rustfmt::skip]
        let rows = [
            ("429 with Retry-After", answer(429, Some(30)), Some(secs(30))),
            ("503 with Retry-After", answer(503, Some(5)), Some(secs(5))),
            ("capped", answer(429, Some(86_400)), Some(max)),
            ("429 without", answer(429, None), None),
            ("500 with Retry-After", answer(500, Some(30)), None),
            ("zero", answer(503, Some(0)), None),
            ("2xx", answer(200, Some(30)), None),
        ];
        for (name, a, want) in rows {
            assert_eq!(pause_after(&a, max), want, "{name}");
        }
        assert_eq!(pause_after(&Answer::default(), max), None, "no answer");
    }

    #[test]
    fn park_table() {
        let plain = limits(4, None);
        let rated = limits(4, Some((10, RatePeriod::Second)));
        let mean = secs(5);
        #[rustfmt::skip]
        let rows = [
            ("slot: one round", Admission::Hold(HoldReason::Concurrency), 3, &plain, secs(5)),
            ("slot: three rounds", Admission::Hold(HoldReason::Concurrency), 8, &plain, secs(15)),
            ("share frees soon", Admission::Hold(HoldReason::TenantShare), 500, &plain, MIN_PARK),
            ("pause", Admission::Wait(HoldReason::Paused, secs(30)), 9, &plain, secs(30)),
            ("rate: behind 20", Admission::Wait(HoldReason::Rate, secs(1)), 20, &rated, secs(3)),
            ("at least a second", Admission::Wait(HoldReason::Rate, Duration::from_millis(5)), 0, &rated, MIN_PARK),
            ("at most an hour", Admission::Wait(HoldReason::Circuit, secs(9000)), 0, &plain, MAX_PARK),
        ];
        for (name, admission, ahead, limits, want) in rows {
            assert_eq!(park_for(admission, ahead, limits, mean), want, "{name}");
        }
    }

    #[test]
    fn hold_table() {
        let ms = Duration::from_millis;
        #[rustfmt::skip]
        let rows = [
            ("a round always", 3, ms(5_000), true),
            ("slow: the second round is parked", 4, ms(5_000), false),
            ("fast: many rounds within the horizon", 396, ms(10), true),
            ("fast, but past the horizon", 400, ms(10), false),
            ("exactly the horizon", 36, ms(100), true),
        ];
        for (name, ahead, mean, want) in rows {
            assert_eq!(
                hold_in_memory(ahead, 4, mean, LANE_HOLD_HORIZON),
                want,
                "{name}"
            );
        }
        // A tenant's fan-out to fast receivers waits in memory for longer.
        assert!(hold_in_memory(40_000, 128, ms(10), SHARE_HOLD_HORIZON));
        assert!(!hold_in_memory(1_000, 128, ms(2_000), SHARE_HOLD_HORIZON));
    }

    #[test]
    fn values_parse_or_name_the_field() {
        assert_eq!(
            MaxConcurrency::parse("max_concurrency", 1).map(MaxConcurrency::get),
            Ok(1)
        );
        assert_eq!(
            MaxConcurrency::parse("max_concurrency", 1000).map(MaxConcurrency::get),
            Ok(1000)
        );
        for bad in [0, -1, 1001, i64::MAX] {
            let e = MaxConcurrency::parse("max_concurrency", bad).expect_err("out of range");
            assert_eq!(e.field, "max_concurrency");
        }
        let r = RateLimit::parse(120, Some(RatePeriod::Minute)).expect("rate");
        assert_eq!(r.interval(), Duration::from_millis(500));
        assert_eq!(
            RateLimit::parse(3, None).expect("rate").period(),
            RatePeriod::Second
        );
        for bad in [0, -5, 1_000_001] {
            assert_eq!(
                RateLimit::parse(bad, None).expect_err("bad").field,
                "rate_limit"
            );
        }
        assert!(RateLimit::from_stored(5, "fortnight").is_err());
        assert!(MaxConcurrency::from_stored(0).is_err());
    }

    #[test]
    fn a_webhook_always_lands_on_the_same_shard_and_shards_are_used_evenly() {
        let endpoint = |webhook_id| Endpoint {
            tenant_id: Uuid::nil(),
            webhook_id,
        };
        let fixed = endpoint(Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0001));
        assert_eq!(fixed.shard(16), fixed.shard(16));
        assert_eq!(fixed.shard(1), 0);
        assert_eq!(fixed.shard(0), 0, "no shards means one");
        let mut counts = [0u32; 16];
        for _ in 0..16_000 {
            counts[usize::from(endpoint(Uuid::now_v7()).shard(16))] += 1;
        }
        assert!(counts.iter().all(|c| (700..1300).contains(c)), "{counts:?}");
    }
}
