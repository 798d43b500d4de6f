//! The scheduler: which job may start now.
//!
//! Every job goes to its endpoint's lane (one per webhook, grouped by tenant). Whether it
//! starts is the domain's pure decision `flow::admit` (circuit, receiver pause,
//! `max_concurrency`, the tenant's share of the dispatcher, its capacity, the rate limit);
//! what happens when it may not:
//!
//! - **held**: it waits in memory, unacked, for a request to finish, while its turn is
//!   expected soon (`flow::hold_in_memory`: within 1 s at its webhook, 10 s at its
//!   tenant's share and the dispatcher's capacity);
//! - **parked**: anything beyond that, and every timed wait (rate, pause, open circuit),
//!   is sent round a delay queue unattempted (`Finished::Deferred`) and comes back about
//!   when its turn is (`flow::park_for`), so a slow receiver's backlog does not fill the
//!   broker's prefetch and block other tenants.
//!
//! A held or parked delivery is never failed and never charged an attempt. When a request
//! finishes, the next start goes to the tenant with the fewest requests in flight, to its
//! lanes in turn, so a tenant with 1,000 endpoints gets the same turns as a tenant with
//! one. The lane also keeps the endpoint's circuit breaker
//! (`flow::breaker`) and the pause a receiver asked for (`flow::pause_after`).
//!
//! One dispatcher serves a webhook at a time (its shard queue is single-active-consumer
//! and owned through an advisory lock, `shards.rs`), so these in-memory limits hold across
//! dispatchers. [`State`] is the bookkeeping, generic over what waits so it is unit-tested
//! without a broker; [`Scheduler`] is its I/O.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use hookrelay_core::repo::webhooks::WebhookRepo;
use hookrelay_core::report::ErrorChain;
use hookrelay_domain::delivery::DeliveryJob;
use hookrelay_domain::flow::{
    admit, breaker, breaker_sees, hold_in_memory, pace_of, paced_slots, park_for, pause_after,
    slots_after_idle, Admission, BreakerRules, Circuit, CircuitChange, CircuitState, Endpoint,
    FlowLimits, HoldReason, Lane as LaneView, LaneLoad, MaxConcurrency, RateLimit, Shares,
    StoredFlow, IDLE_RESTART, LANE_HOLD_HORIZON, MAX_PARK, SHARE_HOLD_HORIZON,
};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use uuid::Uuid;

use crate::job::{self, Ran, WorkerContext};
use crate::settle::{Acknowledge, Finished, Part};

/// The scheduler's limits.
#[derive(Debug, Clone, Copy)]
pub struct SchedulerSettings {
    /// Requests in flight on this dispatcher (`dispatcher.max_in_flight`).
    pub max_in_flight: u32,
    /// ... of one tenant (`dispatcher.max_in_flight_per_tenant`).
    pub max_in_flight_per_tenant: u32,
    /// A webhook's concurrency without its own (`delivery.default_max_concurrency`).
    pub default_max_concurrency: MaxConcurrency,
    /// When circuits open (`delivery.circuit_*`).
    pub breaker: BreakerRules,
    /// The longest pause a receiver's `Retry-After` causes (`delivery.max_retry_after_secs`).
    pub max_pause: Duration,
    /// One attempt's timeout (`delivery.timeout_ms`): answers near it slow a webhook down.
    pub attempt_timeout: Duration,
}

/// What a new lane, tenant or dispatcher assumes an attempt takes until it has seen some.
const FIRST_MEAN_ATTEMPT: Duration = Duration::from_millis(100);

/// A moving mean over about eight attempts.
fn moving_mean(mean: Duration, sample: Duration) -> Duration {
    (mean * 7 + sample) / 8
}

/// What the scheduler asks its I/O to do with a waiting item.
#[derive(Debug)]
pub enum Step<T> {
    /// Start the job (`probe`: the half-open circuit's probe).
    Start {
        item: T,
        endpoint: Endpoint,
        probe: bool,
    },
    /// Send it round a delay queue for `wait`, unattempted.
    Park {
        item: T,
        wait: Duration,
        reason: HoldReason,
    },
    /// A second copy of a job already waiting here: ack it, the first one runs.
    Drop { item: T },
    /// Read the endpoint's limits and circuit (a lane seen for the first time); its jobs
    /// wait until [`State::learned`].
    Learn { endpoint: Endpoint },
}

/// A circuit that changed, to be stored and announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CircuitNote {
    pub webhook_id: Uuid,
    pub circuit: Circuit,
    pub change: CircuitChange,
}

/// One waiting item, the attempt it makes, and why it waits.
struct Held<T> {
    item: T,
    delivery_id: Uuid,
    attempt: u32,
    reason: HoldReason,
}

/// One webhook's lane.
struct Lane<T> {
    endpoint: Endpoint,
    /// `None` until the webhook's row has been read.
    flow: Option<StoredFlow>,
    learning: bool,
    circuit: Circuit,
    paused_until: Option<DateTime<Utc>>,
    in_flight: u32,
    probing: bool,
    held: VecDeque<Held<T>>,
    /// In this tenant's round-robin of lanes with held jobs.
    queued: bool,
    /// Deliveries this dispatcher parked, and why (a copy coming back is theirs).
    parked: HashMap<Uuid, HoldReason>,
    limiter: Option<(RateLimit, DefaultDirectRateLimiter)>,
    /// Moving mean of an attempt's duration (how long a slot stays taken).
    mean_attempt: Duration,
    /// Slots the receiver's pace allows (`None`: all; see `flow::paced_slots`).
    paced: Option<u32>,
    last_active: Instant,
}

impl<T> Lane<T> {
    fn new(endpoint: Endpoint) -> Self {
        Self {
            endpoint,
            flow: None,
            learning: false,
            circuit: Circuit::default(),
            paused_until: None,
            in_flight: 0,
            probing: false,
            held: VecDeque::new(),
            queued: false,
            parked: HashMap::new(),
            limiter: None,
            mean_attempt: FIRST_MEAN_ATTEMPT,
            paced: slots_after_idle(None),
            last_active: Instant::now(),
        }
    }

    fn limits(&self, default: MaxConcurrency) -> FlowLimits {
        self.flow.unwrap_or_default().limits(default)
    }

    /// Takes the webhook's current limits; a new rate limit gets a fresh bucket.
    fn set_flow(&mut self, flow: StoredFlow) {
        let rate = flow.rate_limit;
        if self.limiter.as_ref().map(|(r, _)| *r) != rate {
            self.limiter = rate.map(|r| (r, limiter_of(r)));
        }
        self.flow = Some(flow);
    }

    fn waiting(&self) -> usize {
        self.held.len() + self.parked.len()
    }

    /// Nothing to remember: no request, no waiting job, no open circuit, no pause.
    fn is_idle(&self, now: DateTime<Utc>) -> bool {
        self.in_flight == 0
            && self.held.is_empty()
            && self.parked.is_empty()
            && !self.learning
            && self.circuit.state == CircuitState::Closed
            && self.paused_until.is_none_or(|p| p <= now)
    }
}

fn limiter_of(rate: RateLimit) -> DefaultDirectRateLimiter {
    let burst = std::num::NonZeroU32::new(rate.count()).unwrap_or(std::num::NonZeroU32::MIN);
    let quota = Quota::with_period(rate.interval())
        .unwrap_or_else(|| Quota::per_hour(std::num::NonZeroU32::MIN))
        .allow_burst(burst);
    RateLimiter::direct(quota)
}

/// One tenant's use of the dispatcher.
struct TenantLoad {
    in_flight: u32,
    held: u32,
    /// Its lanes with held jobs, round-robin.
    lanes: VecDeque<Uuid>,
    in_ring: bool,
    /// Moving mean of its attempts' durations.
    mean_attempt: Duration,
}

impl Default for TenantLoad {
    fn default() -> Self {
        Self {
            in_flight: 0,
            held: 0,
            lanes: VecDeque::new(),
            in_ring: false,
            mean_attempt: FIRST_MEAN_ATTEMPT,
        }
    }
}

/// The scheduler's bookkeeping.
pub struct State<T> {
    settings: SchedulerSettings,
    lanes: HashMap<Uuid, Lane<T>>,
    tenants: HashMap<Uuid, TenantLoad>,
    /// Tenants with held jobs, round-robin.
    ring: VecDeque<Uuid>,
    total_in_flight: u32,
    total_held: u32,
    /// Waiting deliveries (held and parked) by reason, for the gauge.
    waiting_by_reason: HashMap<HoldReason, i64>,
    /// Moving mean of every attempt's duration.
    mean_attempt: Duration,
}

impl<T> State<T> {
    pub fn new(settings: SchedulerSettings) -> Self {
        Self {
            settings,
            lanes: HashMap::new(),
            tenants: HashMap::new(),
            ring: VecDeque::new(),
            total_in_flight: 0,
            total_held: 0,
            waiting_by_reason: HashMap::new(),
            mean_attempt: FIRST_MEAN_ATTEMPT,
        }
    }

    /// A job for `endpoint` arrived: attempt `attempt` of delivery `delivery_id`.
    pub fn submit(
        &mut self,
        endpoint: Endpoint,
        (delivery_id, attempt): (Uuid, u32),
        item: T,
        now: DateTime<Utc>,
    ) -> Vec<Step<T>> {
        let lane = self
            .lanes
            .entry(endpoint.webhook_id)
            .or_insert_with(|| Lane::new(endpoint));
        if lane.in_flight == 0 && lane.last_active.elapsed() >= IDLE_RESTART {
            lane.paced = slots_after_idle(lane.paced);
        }
        lane.last_active = Instant::now();
        if let Some(reason) = lane.parked.remove(&delivery_id) {
            count(&mut self.waiting_by_reason, reason, -1);
        }
        if let Some(held) = lane.held.iter_mut().find(|h| h.delivery_id == delivery_id) {
            // Two copies of one delivery: the later attempt is the live one (the other was
            // recorded already); it keeps the place, the other is acked.
            if attempt > held.attempt {
                held.attempt = attempt;
                let stale = std::mem::replace(&mut held.item, item);
                return vec![Step::Drop { item: stale }];
            }
            return vec![Step::Drop { item }];
        }
        if lane.flow.is_none() {
            // Its limits are not known yet: wait for them in memory, out of the round-robin
            // (nothing may start under limits not read yet).
            let learn = !std::mem::replace(&mut lane.learning, true);
            let held = Held {
                item,
                delivery_id,
                attempt,
                reason: HoldReason::Concurrency,
            };
            self.hold(endpoint, held, false);
            return if learn {
                vec![Step::Learn { endpoint }]
            } else {
                Vec::new()
            };
        }
        let mut steps = Vec::new();
        self.place(endpoint, (delivery_id, attempt), item, now, &mut steps);
        steps
    }

    /// Starts a job of a known lane, or holds or parks it: behind the lane's held jobs
    /// when it has some (one order per lane), else as `flow::admit` says.
    fn place(
        &mut self,
        endpoint: Endpoint,
        job: (Uuid, u32),
        item: T,
        now: DateTime<Utc>,
        steps: &mut Vec<Step<T>>,
    ) {
        let behind = self
            .lanes
            .get(&endpoint.webhook_id)
            .and_then(|l| l.held.back())
            .map(|h| h.reason);
        if let Some(reason) = behind {
            self.hold_or_park(endpoint, job, item, Admission::Hold(reason), steps);
            steps.extend(self.pump(now));
            return;
        }
        match self.admission(endpoint, now) {
            Admission::Start { probe } => {
                self.start(endpoint, probe);
                steps.push(Step::Start {
                    item,
                    endpoint,
                    probe,
                });
            }
            held => self.hold_or_park(endpoint, job, item, held, steps),
        }
    }

    /// The endpoint's stored limits and circuit were read: its jobs may go.
    pub fn learned(
        &mut self,
        endpoint: Endpoint,
        flow: StoredFlow,
        now: DateTime<Utc>,
    ) -> Vec<Step<T>> {
        let Some(lane) = self.lanes.get_mut(&endpoint.webhook_id) else {
            return Vec::new();
        };
        lane.learning = false;
        lane.set_flow(flow);
        // The stored circuit (another dispatcher, or this one before a restart, opened it).
        lane.circuit = Circuit {
            failures: lane.circuit.failures,
            ..flow.circuit
        };
        // Its waiting jobs go in arrival order, as if they had just come.
        let waiting: Vec<Held<T>> = std::iter::from_fn(|| self.take_held(endpoint)).collect();
        let mut steps = Vec::new();
        for h in waiting {
            self.place(
                endpoint,
                (h.delivery_id, h.attempt),
                h.item,
                now,
                &mut steps,
            );
        }
        steps
    }

    /// A started job ended (`ran`: what it learned and sent). Returns what starts next and
    /// the circuit's change, if any.
    pub fn finished(
        &mut self,
        endpoint: Endpoint,
        probe: bool,
        ran: Ran,
        now: DateTime<Utc>,
    ) -> (Vec<Step<T>>, Option<CircuitNote>) {
        self.total_in_flight = self.total_in_flight.saturating_sub(1);
        let took = ran.attempt.map(|sent| sent.duration);
        if let Some(took) = took {
            self.mean_attempt = moving_mean(self.mean_attempt, took);
        }
        if let Some(tenant) = self.tenants.get_mut(&endpoint.tenant_id) {
            tenant.in_flight = tenant.in_flight.saturating_sub(1);
            if let Some(took) = took {
                tenant.mean_attempt = moving_mean(tenant.mean_attempt, took);
            }
        }
        let mut note = None;
        if let Some(lane) = self.lanes.get_mut(&endpoint.webhook_id) {
            lane.in_flight = lane.in_flight.saturating_sub(1);
            lane.last_active = Instant::now();
            if probe {
                lane.probing = false;
            }
            // The stored circuit is not taken: this dispatcher's own is the current one.
            if let Some(flow) = ran.flow {
                lane.set_flow(flow);
            }
            if let Some(sent) = ran.attempt {
                lane.mean_attempt = moving_mean(lane.mean_attempt, sent.duration);
                let max = lane
                    .limits(self.settings.default_max_concurrency)
                    .max_concurrency
                    .get();
                let pace = pace_of(&sent.answer, sent.duration, self.settings.attempt_timeout);
                let slots = paced_slots(lane.paced.unwrap_or(max), max, pace);
                if slots < lane.paced.unwrap_or(max) {
                    metrics::counter!("hookrelay_endpoint_slowdowns_total").increment(1);
                }
                lane.paced = (slots < max).then_some(slots);
                if let Some(pause) = pause_after(&sent.answer, self.settings.max_pause) {
                    let until = now + chrono::Duration::from_std(pause).unwrap_or_default();
                    lane.paused_until = Some(lane.paused_until.map_or(until, |p| p.max(until)));
                    metrics::counter!("hookrelay_endpoint_pauses_total").increment(1);
                }
                if let Some(succeeded) = breaker_sees(&sent.answer) {
                    let (circuit, change) =
                        breaker(&lane.circuit, succeeded, &self.settings.breaker, now);
                    lane.circuit = circuit;
                    note = change.map(|change| CircuitNote {
                        webhook_id: endpoint.webhook_id,
                        circuit,
                        change,
                    });
                }
            }
        }
        (self.pump(now), note)
    }

    /// Takes every held item of the lanes `leaving` picks (a shard this dispatcher gives
    /// up, or all at shutdown), for the caller to requeue; those lanes are forgotten once
    /// their requests end.
    pub fn release(&mut self, leaving: impl Fn(&Endpoint) -> bool) -> Vec<T> {
        let mut items = Vec::new();
        let ids: Vec<Uuid> = self
            .lanes
            .values()
            .filter(|l| leaving(&l.endpoint))
            .map(|l| l.endpoint.webhook_id)
            .collect();
        for id in ids {
            let Some(lane) = self.lanes.get(&id) else {
                continue;
            };
            let endpoint = lane.endpoint;
            items.extend(std::iter::from_fn(|| self.take_held(endpoint)).map(|h| h.item));
            let Some(lane) = self.lanes.get_mut(&id) else {
                continue;
            };
            for (_, reason) in lane.parked.drain() {
                count(&mut self.waiting_by_reason, reason, -1);
            }
            if let Some(tenant) = self.tenants.get_mut(&endpoint.tenant_id) {
                tenant.lanes.retain(|l| *l != id);
            }
            if lane.in_flight > 0 {
                lane.learning = false;
                lane.queued = false;
                lane.flow = None; // read again if the shard comes back
            } else {
                self.lanes.remove(&id);
            }
        }
        self.prune_ring();
        items
    }

    /// Forgets lanes with nothing to remember that were idle for `idle_for`.
    pub fn forget_idle(&mut self, idle_for: Duration, now: DateTime<Utc>) {
        self.lanes
            .retain(|_, lane| !(lane.is_idle(now) && lane.last_active.elapsed() >= idle_for));
        let with_lanes: std::collections::HashSet<Uuid> =
            self.lanes.values().map(|l| l.endpoint.tenant_id).collect();
        self.tenants
            .retain(|id, t| t.in_flight > 0 || t.held > 0 || with_lanes.contains(id));
    }

    /// Waiting deliveries (held and parked) by reason.
    pub fn waiting_by_reason(&self) -> impl Iterator<Item = (HoldReason, i64)> + '_ {
        HoldReason::ALL
            .into_iter()
            .map(|r| (r, self.waiting_by_reason.get(&r).copied().unwrap_or(0)))
    }

    /// Requests in flight, and jobs held in memory.
    pub fn load(&self) -> (u32, u32) {
        (self.total_in_flight, self.total_held)
    }

    /// Per lane: its waiting deliveries, the main reason and until when it is paused
    /// (what the API shows; the reporter writes only what changed).
    pub fn waiting_lanes(&self) -> Vec<LaneReport> {
        self.lanes
            .values()
            .map(|l| LaneReport {
                webhook_id: l.endpoint.webhook_id,
                waiting: l.waiting() as i32,
                reason: l
                    .held
                    .front()
                    .map(|h| h.reason)
                    .or_else(|| l.parked.values().next().copied()),
                paused_until: l.paused_until,
            })
            .collect()
    }

    fn admission(&mut self, endpoint: Endpoint, now: DateTime<Utc>) -> Admission {
        let default = self.settings.default_max_concurrency;
        let tenant = self.tenants.entry(endpoint.tenant_id).or_default();
        let shares = Shares {
            tenant_in_flight: tenant.in_flight,
            tenant_max: self.settings.max_in_flight_per_tenant,
            total_in_flight: self.total_in_flight,
            total_max: self.settings.max_in_flight,
        };
        let Some(lane) = self.lanes.get_mut(&endpoint.webhook_id) else {
            return Admission::Hold(HoldReason::Capacity);
        };
        let limits = lane.limits(default);
        let view = LaneView {
            limits: &limits,
            circuit: &lane.circuit,
            paused_until: lane.paused_until,
            load: LaneLoad {
                in_flight: lane.in_flight,
                probing: lane.probing,
                paced: lane.paced,
            },
        };
        let limiter = lane.limiter.as_ref().map(|(_, l)| l);
        admit(view, shares, now, || match limiter {
            None => Ok(()),
            Some(limiter) => limiter
                .check()
                .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now())),
        })
    }

    fn start(&mut self, endpoint: Endpoint, probe: bool) {
        self.total_in_flight += 1;
        self.tenants
            .entry(endpoint.tenant_id)
            .or_default()
            .in_flight += 1;
        if let Some(lane) = self.lanes.get_mut(&endpoint.webhook_id) {
            lane.in_flight += 1;
            lane.probing |= probe;
        }
    }

    /// Holds the item in memory when the lane, its tenant and the dispatcher have room;
    /// parks it otherwise (and always for a timed wait).
    fn hold_or_park(
        &mut self,
        endpoint: Endpoint,
        (delivery_id, attempt): (Uuid, u32),
        item: T,
        admission: Admission,
        steps: &mut Vec<Step<T>>,
    ) {
        let default = self.settings.default_max_concurrency;
        let Some(lane) = self.lanes.get_mut(&endpoint.webhook_id) else {
            return;
        };
        let limits = lane.limits(default);
        let tenant = self.tenants.entry(endpoint.tenant_id).or_default();
        let reason = match admission {
            Admission::Hold(reason) => Some(reason),
            Admission::Wait(..) | Admission::Start { .. } => None,
        };
        // Room in memory: the delivery's turn is expected soon at every level — its
        // webhook, its tenant, the dispatcher (`flow::hold_in_memory`). A tenant with
        // nothing held always may (a quiet tenant is never parked because noisy ones
        // fill the dispatcher's memory).
        let lane_soon = hold_in_memory(
            lane.held.len() as u32,
            limits.max_concurrency.get(),
            lane.mean_attempt,
            LANE_HOLD_HORIZON,
        );
        let tenant_round = self.settings.max_in_flight_per_tenant;
        let shares_soon = tenant.held == 0
            || (hold_in_memory(
                tenant.held,
                tenant_round,
                tenant.mean_attempt,
                SHARE_HOLD_HORIZON,
            ) && hold_in_memory(
                self.total_held,
                self.settings.max_in_flight,
                self.mean_attempt,
                SHARE_HOLD_HORIZON,
            ));
        let room = lane_soon && shares_soon;
        match reason {
            Some(reason) if room => {
                let held = Held {
                    item,
                    delivery_id,
                    attempt,
                    reason,
                };
                self.hold(endpoint, held, true);
            }
            _ => {
                let reason = match admission {
                    Admission::Hold(r) | Admission::Wait(r, _) => r,
                    Admission::Start { .. } => HoldReason::Capacity,
                };
                let mut wait =
                    park_for(admission, lane.waiting() as u32, &limits, lane.mean_attempt);
                if !shares_soon {
                    // Behind the tenant's share: about when a slot of it frees for this one.
                    let rounds = tenant.held / tenant_round.max(1) + 1;
                    wait = wait
                        .max(tenant.mean_attempt.saturating_mul(rounds))
                        .min(MAX_PARK);
                }
                steps.push(self.park(endpoint, delivery_id, item, wait, reason));
            }
        }
    }

    /// Keeps `held` in its lane's memory; in its tenant's round-robin when `queued` (a
    /// lane still learning its limits is not).
    fn hold(&mut self, endpoint: Endpoint, held: Held<T>, queued: bool) {
        let Some(lane) = self.lanes.get_mut(&endpoint.webhook_id) else {
            return;
        };
        let tenant = self.tenants.entry(endpoint.tenant_id).or_default();
        count(&mut self.waiting_by_reason, held.reason, 1);
        lane.held.push_back(held);
        tenant.held += 1;
        self.total_held += 1;
        if !queued {
            return;
        }
        if !lane.queued {
            lane.queued = true;
            tenant.lanes.push_back(endpoint.webhook_id);
        }
        if !tenant.in_ring {
            tenant.in_ring = true;
            self.ring.push_back(endpoint.tenant_id);
        }
    }

    /// Marks a delivery parked by its lane (its copy coming back is recognised) and says
    /// to send it round a delay queue.
    fn park(
        &mut self,
        endpoint: Endpoint,
        delivery_id: Uuid,
        item: T,
        wait: Duration,
        reason: HoldReason,
    ) -> Step<T> {
        if let Some(lane) = self.lanes.get_mut(&endpoint.webhook_id) {
            lane.parked.insert(delivery_id, reason);
        }
        count(&mut self.waiting_by_reason, reason, 1);
        Step::Park { item, wait, reason }
    }

    /// Drops from the round-robin the tenants left without lanes holding jobs.
    fn prune_ring(&mut self) {
        let tenants = &mut self.tenants;
        self.ring.retain(|t| {
            let keep = tenants.get(t).is_some_and(|l| !l.lanes.is_empty());
            if !keep {
                if let Some(l) = tenants.get_mut(t) {
                    l.in_ring = false;
                }
            }
            keep
        });
    }

    /// Starts held jobs while there is room. Each start goes to the tenant with the fewest
    /// requests in flight (ties: the one that waited longest in the round-robin), to one
    /// of its lanes in turn; a lane that must wait for a time has its held jobs parked.
    fn pump(&mut self, now: DateTime<Utc>) -> Vec<Step<T>> {
        let mut steps = Vec::new();
        while self.total_held > 0 && self.total_in_flight < self.settings.max_in_flight {
            let mut order: Vec<(u32, usize, Uuid)> = self
                .ring
                .iter()
                .enumerate()
                .map(|(i, t)| (self.tenants.get(t).map_or(0, |l| l.in_flight), i, *t))
                .collect();
            order.sort_unstable();
            let mut started = None;
            for (_, _, tenant_id) in order {
                if self.turn(tenant_id, now, &mut steps) {
                    started = Some(tenant_id);
                    break;
                }
            }
            // Tenants left without held lanes leave the ring; the one served goes last.
            self.prune_ring();
            let Some(served) = started else { break };
            if let Some(i) = self.ring.iter().position(|t| *t == served) {
                self.ring.remove(i);
                self.ring.push_back(served);
            }
        }
        steps
    }

    /// One tenant's turn: starts at most one held job of its lanes.
    fn turn(&mut self, tenant_id: Uuid, now: DateTime<Utc>, steps: &mut Vec<Step<T>>) -> bool {
        let lanes = self.tenants.get(&tenant_id).map_or(0, |t| t.lanes.len());
        for _ in 0..lanes {
            let Some(webhook_id) = self
                .tenants
                .get_mut(&tenant_id)
                .and_then(|t| t.lanes.pop_front())
            else {
                return false;
            };
            let Some(lane) = self.lanes.get(&webhook_id) else {
                continue;
            };
            if lane.held.is_empty() {
                if let Some(lane) = self.lanes.get_mut(&webhook_id) {
                    lane.queued = false;
                }
                continue;
            }
            let endpoint = lane.endpoint;
            match self.admission(endpoint, now) {
                Admission::Start { probe } => {
                    let Some(h) = self.take_held(endpoint) else {
                        continue;
                    };
                    self.start(endpoint, probe);
                    self.requeue_lane(endpoint);
                    steps.push(Step::Start {
                        item: h.item,
                        endpoint,
                        probe,
                    });
                    return true;
                }
                Admission::Hold(HoldReason::TenantShare) => {
                    self.requeue_lane(endpoint);
                    return false;
                }
                Admission::Hold(_) => self.requeue_lane(endpoint),
                wait @ Admission::Wait(reason, _) => {
                    // A timed wait (pause, open circuit, rate): park what the lane holds.
                    while let Some(h) = self.take_held(endpoint) {
                        let Some(lane) = self.lanes.get_mut(&webhook_id) else {
                            break;
                        };
                        let limits = lane.limits(self.settings.default_max_concurrency);
                        let park =
                            park_for(wait, lane.waiting() as u32, &limits, lane.mean_attempt);
                        steps.push(self.park(endpoint, h.delivery_id, h.item, park, reason));
                    }
                    if let Some(lane) = self.lanes.get_mut(&webhook_id) {
                        lane.queued = false;
                    }
                }
            }
        }
        false
    }

    fn take_held(&mut self, endpoint: Endpoint) -> Option<Held<T>> {
        let h = self.lanes.get_mut(&endpoint.webhook_id)?.held.pop_front()?;
        self.total_held = self.total_held.saturating_sub(1);
        if let Some(tenant) = self.tenants.get_mut(&endpoint.tenant_id) {
            tenant.held = tenant.held.saturating_sub(1);
        }
        count(&mut self.waiting_by_reason, h.reason, -1);
        Some(h)
    }

    /// Puts the lane back at the end of its tenant's round-robin while it holds jobs.
    fn requeue_lane(&mut self, endpoint: Endpoint) {
        let Some(lane) = self.lanes.get_mut(&endpoint.webhook_id) else {
            return;
        };
        if lane.held.is_empty() {
            lane.queued = false;
            return;
        }
        lane.queued = true;
        self.tenants
            .entry(endpoint.tenant_id)
            .or_default()
            .lanes
            .push_back(endpoint.webhook_id);
    }
}

fn count(by_reason: &mut HashMap<HoldReason, i64>, reason: HoldReason, delta: i64) {
    *by_reason.entry(reason).or_default() += delta;
}

/// What one webhook has waiting, for the API to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaneReport {
    pub webhook_id: Uuid,
    pub waiting: i32,
    pub reason: Option<HoldReason>,
    pub paused_until: Option<DateTime<Utc>>,
}

/// A job waiting for its turn: what the broker handed us.
pub struct Waiting {
    job: DeliveryJob,
    ready_at: Option<DateTime<Utc>>,
    part: Part<lapin::Acker>,
}

/// A started job's slot: given back (with what the job learned) when dropped, so a job
/// that panics cannot keep its webhook's slot for good.
struct Slot {
    scheduler: Scheduler,
    endpoint: Endpoint,
    probe: bool,
    ran: Option<Ran>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let ran = self.ran.take().unwrap_or_default();
        self.scheduler.after(self.endpoint, self.probe, ran);
    }
}

/// The scheduler and its I/O: starts jobs, parks them, reads lanes' limits, records
/// circuit changes. Cheap to clone.
#[derive(Clone)]
pub struct Scheduler {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State<Waiting>>,
    worker: WorkerContext,
    pool: Pool,
    circuits: mpsc::UnboundedSender<CircuitNote>,
    tasks: TaskTracker,
    stop: CancellationToken,
}

impl Scheduler {
    /// A scheduler running jobs with `worker`; circuit changes go to `circuits`.
    pub fn new(
        settings: SchedulerSettings,
        worker: WorkerContext,
        pool: Pool,
        circuits: mpsc::UnboundedSender<CircuitNote>,
        stop: CancellationToken,
    ) -> Self {
        // Exported from the start, so dashboards and alerts see zeros rather than nothing.
        for reason in HoldReason::ALL {
            metrics::gauge!("hookrelay_deliveries_waiting", "reason" => reason.as_str()).set(0.0);
            metrics::counter!("hookrelay_deliveries_parked_total", "reason" => reason.as_str())
                .increment(0);
        }
        for change in [
            CircuitChange::Opened,
            CircuitChange::Reopened,
            CircuitChange::Closed,
        ] {
            metrics::counter!("hookrelay_circuit_changes_total", "change" => change.as_str())
                .increment(0);
        }
        metrics::counter!("hookrelay_endpoint_pauses_total").increment(0);
        Self {
            shared: Arc::new(Shared {
                state: Mutex::new(State::new(settings)),
                worker,
                pool,
                circuits,
                tasks: TaskTracker::new(),
                stop,
            }),
        }
    }

    /// Takes a job the broker delivered.
    pub async fn submit(
        &self,
        job: DeliveryJob,
        ready_at: Option<DateTime<Utc>>,
        part: Part<lapin::Acker>,
    ) {
        let now = Utc::now();
        if let Some(wait) = job.early(now) {
            // Its delay is longer than the delay queue it came through: round again.
            metrics::counter!("hookrelay_jobs_deferred_total").increment(1);
            self.shared
                .worker
                .finish(Finished::Deferred {
                    acker: part,
                    job,
                    wait,
                })
                .await;
            return;
        }
        let Some(endpoint) = job.endpoint() else {
            self.resolve(job, ready_at, part);
            return;
        };
        let key = (job.delivery_id(), job.attempt());
        let waiting = Waiting {
            job,
            ready_at,
            part,
        };
        let steps = self.with_state(|s| s.submit(endpoint, key, waiting, now));
        self.execute(steps);
    }

    /// Gives back (requeues) what waits in memory for the lanes `leaving` picks, now.
    pub async fn release(&self, leaving: impl Fn(&Endpoint) -> bool) {
        let items = self.with_state(|s| s.release(leaving));
        let requeues = items.into_iter().map(|w| async move {
            if let Err(e) = w.part.requeue().await {
                tracing::warn!(error = %ErrorChain(e.as_ref()), "requeue failed; the broker redelivers the job when the channel closes");
            }
        });
        futures::future::join_all(requeues).await;
    }

    /// Gives back everything held and waits (up to `limit`) for started jobs to finish.
    pub async fn close(&self, limit: Duration) {
        self.release(|_| true).await;
        self.shared.tasks.close();
        if tokio::time::timeout(limit, self.shared.tasks.wait())
            .await
            .is_err()
        {
            tracing::warn!("jobs still running at shutdown; the broker redelivers them");
        }
    }

    /// Forgets idle lanes and publishes the gauges (every report round, not on every
    /// change: a change is a job's start or end); returns what waits per lane.
    pub fn tick(&self) -> Vec<LaneReport> {
        let now = Utc::now();
        self.with_state(|s| {
            s.forget_idle(Duration::from_secs(300), now);
            for (reason, n) in s.waiting_by_reason() {
                metrics::gauge!("hookrelay_deliveries_waiting", "reason" => reason.as_str())
                    .set(n as f64);
            }
            let (in_flight, _) = s.load();
            metrics::gauge!("hookrelay_jobs_in_flight").set(f64::from(in_flight));
            s.waiting_lanes()
        })
    }

    /// Requests in flight and jobs held in memory.
    pub fn load(&self) -> (u32, u32) {
        self.with_state(|s| s.load())
    }

    fn with_state<R>(&self, f: impl FnOnce(&mut State<Waiting>) -> R) -> R {
        let mut state = self
            .shared
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut state)
    }

    /// Carries out the scheduler's steps; every one runs as its own task.
    fn execute(&self, steps: Vec<Step<Waiting>>) {
        for step in steps {
            let this = self.clone();
            match step {
                Step::Start {
                    item,
                    endpoint,
                    probe,
                } => {
                    self.shared.tasks.spawn(async move {
                        // Whatever happens to the job (even a panic), its slot is given back.
                        let mut slot = Slot {
                            scheduler: this,
                            endpoint,
                            probe,
                            ran: None,
                        };
                        let worker = &slot.scheduler.shared.worker;
                        let ran = job::run(worker, item.job, item.ready_at, item.part).await;
                        slot.ran = Some(ran);
                    });
                }
                Step::Park { item, wait, reason } => {
                    metrics::counter!("hookrelay_deliveries_parked_total", "reason" => reason.as_str())
                        .increment(1);
                    let due = Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
                    let job = item.job.due_at(Some(due));
                    tokio::spawn(async move {
                        this.shared
                            .worker
                            .finish(Finished::Deferred {
                                acker: item.part,
                                job,
                                wait,
                            })
                            .await;
                    });
                }
                Step::Drop { item } => {
                    tokio::spawn(async move {
                        this.shared
                            .worker
                            .finish(Finished::Skipped {
                                acker: item.part,
                                hold: None,
                            })
                            .await;
                    });
                }
                Step::Learn { endpoint } => {
                    tokio::spawn(async move { this.learn(endpoint).await });
                }
            }
        }
    }

    /// A started job ended: update the lane and start what may go next.
    fn after(&self, endpoint: Endpoint, probe: bool, ran: Ran) {
        let (steps, note) = self.with_state(|s| s.finished(endpoint, probe, ran, Utc::now()));
        if let Some(note) = note {
            metrics::counter!("hookrelay_circuit_changes_total", "change" => note.change.as_str())
                .increment(1);
            tracing::warn!(webhook_id = %note.webhook_id, change = note.change.as_str(), retry_at = ?note.circuit.retry_at, "circuit changed");
            let _ = self.shared.circuits.send(note);
        }
        self.execute(steps);
    }

    /// Reads a new lane's limits and circuit; retried while the database is away.
    async fn learn(&self, endpoint: Endpoint) {
        let mut pause = Duration::from_millis(200);
        loop {
            let read = async {
                let client = self.shared.pool.get().await?;
                WebhookRepo::flow(&client, endpoint.webhook_id).await
            };
            let read = match read.await {
                // A row that does not parse: its deliveries fail unsent (`decide`), under
                // the default limits.
                Err(hookrelay_core::db::DbError::Corrupt(_)) => Ok(None),
                other => other,
            };
            match read {
                Ok(flow) => {
                    let steps = self
                        .with_state(|s| s.learned(endpoint, flow.unwrap_or_default(), Utc::now()));
                    self.execute(steps);
                    return;
                }
                Err(e) => {
                    tracing::warn!(error = %ErrorChain(&e), webhook_id = %endpoint.webhook_id, "reading a webhook's limits failed; retrying");
                    // Its jobs wait in memory; at shutdown they are given back.
                    tokio::select! {
                        _ = self.shared.stop.cancelled() => return,
                        _ = tokio::time::sleep(pause) => {}
                    }
                    pause = (pause * 2).min(Duration::from_secs(5));
                }
            }
        }
    }

    /// A job of an earlier version names no endpoint: read it from its delivery, then
    /// schedule it like any other.
    fn resolve(&self, job: DeliveryJob, ready_at: Option<DateTime<Utc>>, part: Part<lapin::Acker>) {
        let this = self.clone();
        tokio::spawn(async move {
            match this.shared.worker.contexts.load(job.delivery_id()).await {
                Ok(Some(ctx)) => {
                    let job = job.to(ctx.endpoint());
                    Box::pin(this.submit(job, ready_at, part)).await;
                }
                Ok(None) => {
                    this.shared
                        .worker
                        .finish(Finished::Skipped {
                            acker: part,
                            hold: None,
                        })
                        .await;
                }
                Err(e) => {
                    tracing::error!(error = %ErrorChain(&e), "cannot load a delivery; requeueing");
                    let finished = job::hand_back(part, Duration::from_millis(500)).await;
                    this.shared.worker.finish(finished).await;
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::Sent;
    use hookrelay_domain::delivery::Answer;
    use hookrelay_domain::flow::CircuitState;

    fn settings(max_in_flight: u32, per_tenant: u32) -> SchedulerSettings {
        SchedulerSettings {
            max_in_flight,
            max_in_flight_per_tenant: per_tenant,
            default_max_concurrency: MaxConcurrency::parse("", 2).expect("max"),
            breaker: BreakerRules {
                failures: 2,
                cooldown: Duration::from_secs(60),
                max_cooldown: Duration::from_secs(600),
            },
            max_pause: Duration::from_secs(3600),
            attempt_timeout: Duration::from_secs(5),
        }
    }

    /// Attempt 1 of delivery `n`.
    fn id(n: u128) -> (Uuid, u32) {
        (Uuid::from_u128(n), 1)
    }

    fn endpoint(tenant: u128, webhook: u128) -> Endpoint {
        Endpoint {
            tenant_id: Uuid::from_u128(tenant),
            webhook_id: Uuid::from_u128(webhook),
        }
    }

    fn known(state: &mut State<u32>, e: Endpoint) {
        state
            .lanes
            .entry(e.webhook_id)
            .or_insert_with(|| Lane::new(e))
            .set_flow(StoredFlow::default());
    }

    /// Marks the lane's receiver as slow (5 s an attempt): only a round waits in memory.
    fn slow(state: &mut State<u32>, e: Endpoint) {
        if let Some(lane) = state.lanes.get_mut(&e.webhook_id) {
            lane.mean_attempt = Duration::from_secs(5);
        }
    }

    fn started(steps: &[Step<u32>]) -> Vec<u32> {
        steps
            .iter()
            .filter_map(|s| match s {
                Step::Start { item, .. } => Some(*item),
                _ => None,
            })
            .collect()
    }

    fn parked(steps: &[Step<u32>]) -> Vec<(u32, HoldReason)> {
        steps
            .iter()
            .filter_map(|s| match s {
                Step::Park { item, reason, .. } => Some((*item, *reason)),
                _ => None,
            })
            .collect()
    }

    fn sent(status: u16, retry_after: Option<u64>) -> Ran {
        Ran {
            flow: None,
            attempt: Some(Sent {
                answer: Answer {
                    status: Some(status),
                    retry_after: retry_after.map(Duration::from_secs),
                    refused: false,
                },
                duration: Duration::from_millis(100),
            }),
        }
    }

    #[test]
    fn a_lane_never_has_more_than_its_concurrency_in_flight_and_holds_then_parks_the_rest() {
        let mut s = State::new(settings(100, 50));
        let e = endpoint(1, 1);
        known(&mut s, e);
        slow(&mut s, e);
        let now = Utc::now();
        let mut steps = Vec::new();
        for n in 0..6 {
            steps.extend(s.submit(e, id(u128::from(n) + 100), n, now));
        }
        assert_eq!(started(&steps), vec![0, 1], "max_concurrency 2");
        // Two more wait in memory (one round), the rest are parked, nothing is dropped.
        assert_eq!(s.load(), (2, 2));
        assert_eq!(
            parked(&steps),
            vec![(4, HoldReason::Concurrency), (5, HoldReason::Concurrency)]
        );
        let (next, _) = s.finished(e, false, sent(200, None), now);
        assert_eq!(
            started(&next),
            vec![2],
            "a finished request lets the next one go"
        );
        assert_eq!(s.load(), (2, 1));
    }

    #[test]
    fn a_fast_receivers_backlog_waits_in_memory_instead_of_being_parked() {
        let mut s = State::new(settings(100, 50));
        let e = endpoint(1, 1);
        known(&mut s, e);
        let fast = Duration::from_millis(5);
        if let Some(lane) = s.lanes.get_mut(&e.webhook_id) {
            lane.mean_attempt = fast;
        }
        s.tenants.entry(e.tenant_id).or_default().mean_attempt = fast;
        s.mean_attempt = fast;
        let now = Utc::now();
        let mut steps = Vec::new();
        for n in 0..300 {
            steps.extend(s.submit(e, id(u128::from(n) + 1), n, now));
        }
        assert_eq!(started(&steps).len(), 2);
        assert!(
            parked(&steps).is_empty(),
            "a second's worth waits in memory"
        );
        assert_eq!(s.load(), (2, 298));
    }

    #[test]
    fn a_tenant_with_many_endpoints_gets_the_same_turns_as_a_tenant_with_one() {
        // 4 slots, 4 per tenant: the noisy tenant takes them all, then both wait.
        let mut s = State::new(settings(4, 4));
        let now = Utc::now();
        let mut steps = Vec::new();
        for (item, w) in (0..100u128).enumerate() {
            let e = endpoint(1, 1000 + w);
            known(&mut s, e);
            steps.extend(s.submit(e, id(5000 + w), item as u32, now));
        }
        assert_eq!(started(&steps).len(), 4);
        let quiet = endpoint(2, 7);
        known(&mut s, quiet);
        let held = s.submit(quiet, id(9999), 999, now);
        assert!(started(&held).is_empty(), "the dispatcher is full");
        // The very next slot to free goes to the quiet tenant, not to the noisy one's
        // 100-strong backlog.
        let (next, _) = s.finished(endpoint(1, 1000), false, sent(200, None), now);
        assert_eq!(started(&next), vec![999]);
        // Then turns alternate: the noisy tenant's next.
        let (next, _) = s.finished(quiet, false, sent(200, None), now);
        assert_eq!(started(&next).len(), 1);
        assert_ne!(started(&next), vec![999]);
    }

    #[test]
    fn a_tenant_over_its_share_waits_while_another_starts_at_once() {
        let mut s = State::new(settings(100, 3));
        let now = Utc::now();
        let mut steps = Vec::new();
        for w in 0..10 {
            let e = endpoint(1, 10 + w);
            known(&mut s, e);
            steps.extend(s.submit(e, id(100 + w), w as u32, now));
        }
        assert_eq!(started(&steps).len(), 3, "the tenant's share");
        let other = endpoint(2, 99);
        known(&mut s, other);
        let steps = s.submit(other, id(555), 555, now);
        assert_eq!(
            started(&steps),
            vec![555],
            "another tenant is not held by it"
        );
    }

    #[test]
    fn retry_after_pauses_the_whole_endpoint_and_parks_its_waiting_jobs() {
        let mut s = State::new(settings(100, 50));
        let e = endpoint(1, 1);
        known(&mut s, e);
        let now = Utc::now();
        let mut steps = Vec::new();
        for n in 0..4 {
            steps.extend(s.submit(e, id(u128::from(n) + 1), n, now));
        }
        assert_eq!(started(&steps), vec![0, 1]);
        let (next, _) = s.finished(e, false, sent(429, Some(30)), now);
        assert!(started(&next).is_empty(), "paused");
        assert_eq!(
            parked(&next),
            vec![(2, HoldReason::Paused), (3, HoldReason::Paused)]
        );
        let Step::Park { wait, .. } = &next[0] else {
            panic!("parked")
        };
        assert!((29..=30).contains(&wait.as_secs()), "{wait:?}");
        let later = s.submit(e, id(77), 77, now);
        assert_eq!(parked(&later), vec![(77, HoldReason::Paused)]);
        // After the pause it flows again.
        let after = now + chrono::Duration::seconds(31);
        let (_, _) = s.finished(e, false, sent(200, None), after);
        assert_eq!(started(&s.submit(e, id(78), 78, after)), vec![78]);
    }

    #[test]
    fn the_circuit_opens_after_consecutive_failures_then_lets_one_probe_through() {
        let mut s = State::new(settings(100, 50));
        let e = endpoint(1, 1);
        known(&mut s, e);
        let now = Utc::now();
        let first = s.submit(e, id(1), 1, now);
        let second = s.submit(e, id(2), 2, now);
        assert_eq!(started(&first), vec![1]);
        assert_eq!(started(&second), vec![2]);
        let (_, note) = s.finished(e, false, sent(500, None), now);
        assert!(note.is_none());
        let (_, note) = s.finished(e, false, sent(500, None), now);
        let note = note.expect("opened");
        assert_eq!(note.change, CircuitChange::Opened);
        assert_eq!(note.circuit.state, CircuitState::Open);
        // While open nothing is sent: new jobs are parked until the cooldown is over.
        let steps = s.submit(e, id(3), 3, now);
        assert_eq!(parked(&steps), vec![(3, HoldReason::Circuit)]);
        let Step::Park { wait, .. } = &steps[0] else {
            panic!("parked")
        };
        assert!((59..=60).contains(&wait.as_secs()), "{wait:?}");
        // After it, one probe; the next job waits for the probe's answer.
        let later = now + chrono::Duration::seconds(61);
        let probe = s.submit(e, id(4), 4, later);
        assert!(matches!(probe[0], Step::Start { probe: true, .. }));
        let behind = s.submit(e, id(5), 5, later);
        assert!(
            started(&behind).is_empty() && parked(&behind).is_empty(),
            "held"
        );
        let (next, note) = s.finished(e, true, sent(200, None), later);
        assert_eq!(note.map(|n| n.change), Some(CircuitChange::Closed));
        assert_eq!(started(&next), vec![5], "closed: the held job goes");
    }

    #[test]
    fn unknown_lanes_learn_their_limits_once_and_parked_copies_are_recognised() {
        let mut s = State::new(settings(100, 50));
        let e = endpoint(1, 1);
        let now = Utc::now();
        let first = s.submit(e, id(1), 1, now);
        assert!(matches!(first[..], [Step::Learn { .. }]));
        assert!(s.submit(e, id(2), 2, now).is_empty(), "one read");
        // A second copy of a waiting delivery is dropped.
        assert!(matches!(
            s.submit(e, id(2), 22, now)[..],
            [Step::Drop { item: 22 }]
        ));
        let flow = StoredFlow {
            max_concurrency: Some(MaxConcurrency::parse("", 1).expect("1")),
            ..StoredFlow::default()
        };
        let steps = s.learned(e, flow, now);
        assert_eq!(started(&steps), vec![1], "its own max_concurrency of 1");
        slow(&mut s, e);
        // The second waits in memory; a third is parked; its copy coming back is taken
        // again (not a duplicate).
        let third = s.submit(e, id(3), 3, now);
        assert_eq!(parked(&third), vec![(3, HoldReason::Concurrency)]);
        assert_eq!(s.lanes[&e.webhook_id].parked.len(), 1);
        let back = s.submit(e, id(3), 33, now);
        assert!(parked(&back).len() == 1 && s.lanes[&e.webhook_id].parked.len() == 1);
        assert_eq!(s.waiting_by_reason().map(|(_, n)| n).sum::<i64>(), 2);
        // A later attempt of a held delivery takes the stale copy's place.
        let newer = s.submit(e, (Uuid::from_u128(2), 2), 222, now);
        assert!(
            matches!(newer[..], [Step::Drop { item: 2 }]),
            "the stale copy is acked"
        );
    }

    #[test]
    fn releasing_a_shard_gives_back_its_held_jobs() {
        let mut s = State::new(settings(100, 50));
        let a = endpoint(1, 1);
        let b = endpoint(1, 2);
        known(&mut s, a);
        known(&mut s, b);
        let now = Utc::now();
        for n in 0..4 {
            s.submit(a, id(u128::from(n) + 10), n, now);
            s.submit(b, id(u128::from(n) + 20), n + 100, now);
        }
        let mut back = s.release(|e| e.webhook_id == a.webhook_id);
        back.sort();
        assert_eq!(back, vec![2, 3]);
        assert_eq!(s.load(), (4, 2));
        s.forget_idle(Duration::ZERO, now);
        assert!(
            s.lanes.contains_key(&a.webhook_id),
            "its requests are still out"
        );
    }
}
