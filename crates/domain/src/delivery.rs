//! Deliveries: their statuses, the job that asks for one attempt, the retry schedule, and
//! the dispatcher's two decisions as pure functions — what a job means given the stored
//! delivery ([`decide`]), and what an attempt's answer means at attempt N ([`judge`]).

use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::flow::{Endpoint, StoredFlow};
use crate::ordering::{turn, LaneSpot, OrderingMode, Turn};
use crate::{
    CorruptValue, CustomHeaders, PayloadFormat, SignatureProfile, ValidationError, WebhookSecret,
    WebhookUrl,
};

/// Where a delivery stands. Only `pending` deliveries are attempted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryStatus {
    Pending,
    Succeeded,
    Failed,
    Cancelled,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 4] = [
        DeliveryStatus::Pending,
        DeliveryStatus::Succeeded,
        DeliveryStatus::Failed,
        DeliveryStatus::Cancelled,
    ];

    /// The name used in the API, in metrics and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Succeeded => "succeeded",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Cancelled => "cancelled",
        }
    }

    /// Parses a status name from a client (`field` is named in the error).
    pub fn parse(field: &str, s: &str) -> Result<Self, ValidationError> {
        Self::from_name(s).ok_or_else(|| {
            ValidationError::new(field, "must be pending, succeeded, failed or cancelled")
        })
    }

    /// Reads the stored form back.
    pub fn from_stored(s: &str) -> Result<Self, CorruptValue> {
        Self::from_name(s).ok_or_else(|| CorruptValue::new("delivery status", format!("{s:?}")))
    }

    fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Whether the delivery is over (no attempt will follow without a replay).
    pub fn is_final(self) -> bool {
        self != DeliveryStatus::Pending
    }
}

impl std::fmt::Display for DeliveryStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One attempt to make: what travels on the broker. Everything else (payload, secrets,
/// target) stays in PostgreSQL and is read by id, so a job can always be rebuilt from
/// there (the outbox sweeper does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryJob {
    delivery_id: Uuid,
    attempt: u32,
    traceparent: Option<String>,
    /// When the attempt is due (`None`: now). A retry delay that no delay queue holds
    /// exactly is waited out in several hops; the job carries its due time across them.
    due_at: Option<DateTime<Utc>>,
    /// The webhook and tenant (`None` in jobs of earlier versions): the scheduler's lane
    /// and the shard queue the job travels through.
    endpoint: Option<Endpoint>,
}

impl DeliveryJob {
    /// The one constructor: attempt `attempt` (1-based) of a delivery, in the W3C trace of
    /// the request that created its event, when there is one.
    pub fn new(delivery_id: Uuid, attempt: u32, traceparent: Option<String>) -> Self {
        Self {
            delivery_id,
            attempt: attempt.max(1),
            traceparent: traceparent.filter(|t| !t.is_empty()),
            due_at: None,
            endpoint: None,
        }
    }

    /// The same job, for the webhook and tenant of `endpoint`.
    pub fn to(self, endpoint: Endpoint) -> Self {
        Self {
            endpoint: Some(endpoint),
            ..self
        }
    }

    /// The same job with the endpoint read from a message (`None` for an older one).
    pub fn to_maybe(self, endpoint: Option<Endpoint>) -> Self {
        Self { endpoint, ..self }
    }

    /// The webhook and tenant, when the job says (jobs of earlier versions do not).
    pub fn endpoint(&self) -> Option<Endpoint> {
        self.endpoint
    }

    /// The same job, due at `due_at`.
    pub fn due_at(self, due_at: Option<DateTime<Utc>>) -> Self {
        Self { due_at, ..self }
    }

    /// When the job is due (`None`: at once).
    pub fn due(&self) -> Option<DateTime<Utc>> {
        self.due_at
    }

    /// How long the job must still wait at `now` (it came through a shorter delay queue
    /// than its delay); `None` when it is due. Up to [`DUE_SLACK`] early counts as due.
    pub fn early(&self, now: DateTime<Utc>) -> Option<Duration> {
        let wait = (self.due_at? - now).to_std().ok()?;
        (wait > DUE_SLACK).then_some(wait)
    }

    /// The job that follows `recorded` attempts already stored for the delivery.
    pub fn after_recorded(delivery_id: Uuid, recorded: i32, traceparent: Option<String>) -> Self {
        let next = u32::try_from(recorded).unwrap_or(0).saturating_add(1);
        Self::new(delivery_id, next, traceparent)
    }

    /// The job of the next attempt (a retry).
    pub fn next_attempt(&self) -> Self {
        Self::new(
            self.delivery_id,
            self.attempt.saturating_add(1),
            self.traceparent.clone(),
        )
        .to_maybe(self.endpoint)
    }

    pub fn delivery_id(&self) -> Uuid {
        self.delivery_id
    }

    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    pub fn traceparent(&self) -> Option<&str> {
        self.traceparent.as_deref()
    }
}

/// How early a job may arrive and still count as due (delay queues are that precise).
pub const DUE_SLACK: Duration = Duration::from_millis(500);

/// When retries happen: the delay before retry 1, 2, 3...
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrySchedule {
    delays_secs: Vec<u64>,
}

impl RetrySchedule {
    pub fn new(delays_secs: &[u64]) -> Self {
        Self {
            delays_secs: delays_secs.to_vec(),
        }
    }

    /// The delay after failed attempt `attempt` (1-based), or `None` when it was the last.
    pub fn delay_after(&self, attempt: u32) -> Option<Duration> {
        let index = usize::try_from(attempt).ok()?.checked_sub(1)?;
        self.delays_secs
            .get(index)
            .map(|secs| Duration::from_secs(*secs))
    }

    pub fn delays_secs(&self) -> &[u64] {
        &self.delays_secs
    }

    /// A webhook's own schedule: 1 to 20 delays, each 1 s to 24 h.
    pub fn parse(field: &str, delays_secs: Vec<u64>) -> Result<Self, ValidationError> {
        if delays_secs.is_empty() || delays_secs.len() > MAX_RETRIES {
            return Err(ValidationError::new(
                field,
                format!("must have 1 to {MAX_RETRIES} delays"),
            ));
        }
        if let Some(bad) = delays_secs
            .iter()
            .find(|d| !(1..=MAX_DELAY_SECS).contains(*d))
        {
            return Err(ValidationError::new(
                field,
                format!("each delay must be 1 to {MAX_DELAY_SECS} seconds (got {bad})"),
            ));
        }
        Ok(Self { delays_secs })
    }
}

/// Most retries a webhook's own schedule may have.
pub const MAX_RETRIES: usize = 20;
/// Longest delay of a webhook's own schedule: 24 hours.
pub const MAX_DELAY_SECS: u64 = 24 * 3600;

/// The event a delivery carries, as stored.
#[derive(Debug, Clone)]
pub struct EventContent {
    pub id: Uuid,
    pub event_type: String,
    /// Canonical JSON text of the data.
    pub data: String,
    pub occurred_at: DateTime<Utc>,
}

/// The delivery-relevant part of an enabled webhook, every field parsed.
#[derive(Debug, Clone)]
pub struct WebhookTarget {
    /// The webhook (`webhookId` of `wrapped` bodies).
    pub webhook_id: Uuid,
    pub url: WebhookUrl,
    pub payload_format: PayloadFormat,
    pub headers: CustomHeaders,
    pub secret: WebhookSecret,
    /// A rotated-out secret still honoured until it expires.
    pub previous_secret: Option<WebhookSecret>,
    /// The webhook's own retry schedule (`None`: the installation's default).
    pub retry_schedule: Option<RetrySchedule>,
    pub signature_profile: SignatureProfile,
    /// The handshake its receiver passed (`cloudevents`: deliveries say who sends them).
    pub handshake: Option<crate::handshake::Handshake>,
}

impl WebhookTarget {
    /// The secrets every attempt is signed with, current first.
    pub fn signing_secrets(&self) -> Vec<&WebhookSecret> {
        std::iter::once(&self.secret)
            .chain(self.previous_secret.iter())
            .collect()
    }
}

/// What became of a delivery's webhook by the time a job runs.
#[derive(Debug, Clone)]
pub enum WebhookState {
    Active(Box<WebhookTarget>),
    Disabled,
    Deleted,
    /// The stored row does not parse (a bad secret, header map or format).
    Corrupt(CorruptValue),
}

/// Everything one attempt needs, read in one query.
#[derive(Debug, Clone)]
pub struct DispatchContext {
    pub delivery_id: Uuid,
    pub tenant_id: Uuid,
    pub webhook_id: Uuid,
    pub status: DeliveryStatus,
    /// Attempts recorded so far.
    pub attempts: u32,
    /// Attempts made before the last replay: the retry schedule starts again after them.
    pub schedule_base: u32,
    pub created_at: DateTime<Utc>,
    pub event: EventContent,
    pub webhook: WebhookState,
    /// The webhook's limits and circuit (default when it is gone or its row is corrupt).
    pub flow: StoredFlow,
    /// Whether the webhook orders its deliveries now (`none` when it is gone).
    pub ordering: OrderingMode,
    /// The delivery's place in its FIFO lane (`None`: it is in none).
    pub lane: Option<LaneSpot>,
}

impl DispatchContext {
    /// The delivery's webhook and tenant.
    pub fn endpoint(&self) -> Endpoint {
        Endpoint {
            tenant_id: self.tenant_id,
            webhook_id: self.webhook_id,
        }
    }
}

impl DispatchContext {
    /// Where attempt number `attempt` stands in the retry schedule: a replay starts the
    /// schedule again, so its first attempt is position 1.
    pub fn schedule_position(&self, attempt: u32) -> u32 {
        attempt.saturating_sub(self.schedule_base).max(1)
    }
}

/// Why a job is dropped without an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stale {
    /// The delivery does not exist (any more).
    Missing,
    /// The delivery is no longer pending.
    Finished,
    /// This attempt (or a later one) is already recorded: a duplicate job.
    AlreadyRecorded,
}

impl Stale {
    pub fn as_str(self) -> &'static str {
        match self {
            Stale::Missing => "delivery not found",
            Stale::Finished => "delivery already finished",
            Stale::AlreadyRecorded => "attempt already recorded",
        }
    }
}

/// What a job means given the stored delivery.
#[derive(Debug)]
pub enum JobDecision<'a> {
    /// POST attempt number `attempt` of the delivery `ctx` to `target`.
    Send {
        attempt: u32,
        ctx: &'a DispatchContext,
        target: &'a WebhookTarget,
    },
    /// Nothing to do: ack the job.
    AlreadyDone(Stale),
    /// The webhook was deleted or disabled: the delivery is cancelled.
    Cancel,
    /// The webhook's row is corrupt: the delivery fails with this reason, unsent.
    Fail {
        attempt: u32,
        ctx: &'a DispatchContext,
        reason: &'a CorruptValue,
    },
    /// A FIFO lane's earlier delivery (this one) is still pending: drop the job; the lane
    /// publishes this delivery again when its turn comes.
    Behind(Uuid),
}

/// Decides what a job means given the delivery as stored (`None`: it does not exist).
pub fn decide<'a>(job: &DeliveryJob, stored: Option<&'a DispatchContext>) -> JobDecision<'a> {
    let Some(ctx) = stored else {
        return JobDecision::AlreadyDone(Stale::Missing);
    };
    if ctx.status != DeliveryStatus::Pending {
        return JobDecision::AlreadyDone(Stale::Finished);
    }
    if job.attempt() <= ctx.attempts {
        return JobDecision::AlreadyDone(Stale::AlreadyRecorded);
    }
    // The next attempt is always the one after the recorded ones, even if the job (e.g.
    // from an older sweep) says otherwise.
    let attempt = ctx.attempts.saturating_add(1);
    match &ctx.webhook {
        WebhookState::Deleted | WebhookState::Disabled => JobDecision::Cancel,
        WebhookState::Corrupt(reason) => JobDecision::Fail {
            attempt,
            ctx,
            reason,
        },
        WebhookState::Active(target) => match turn(ctx.ordering, ctx.lane.as_ref()) {
            Turn::Behind(head) => JobDecision::Behind(head),
            Turn::Go => JobDecision::Send {
                attempt,
                ctx,
                target,
            },
        },
    }
}

/// What the receiver's answer means for the delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// 2xx: delivered.
    Delivered,
    /// A failure with retries left: try again after this delay.
    RetryAfter(Duration),
    /// A failure and the schedule is used up, or retrying cannot help (the target is
    /// refused): the delivery failed.
    GiveUp,
    /// 410 Gone: the delivery failed and the webhook is disabled (reason `gone`).
    Gone,
}

impl Verdict {
    /// The delivery's status after the attempt, and when the next attempt is due.
    pub fn outcome(self, now: DateTime<Utc>) -> (DeliveryStatus, Option<DateTime<Utc>>) {
        match self {
            Verdict::Delivered => (DeliveryStatus::Succeeded, None),
            Verdict::GiveUp | Verdict::Gone => (DeliveryStatus::Failed, None),
            Verdict::RetryAfter(delay) => {
                let delay = chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX);
                (DeliveryStatus::Pending, now.checked_add_signed(delay))
            }
        }
    }
}

/// What came back from one attempt, as far as the decision goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status (`None`: no answer — timeout, refused connection...).
    pub status: Option<u16>,
    /// The receiver's `Retry-After`, when it sent one.
    pub retry_after: Option<Duration>,
    /// The target was refused before sending (private address, http:// under
    /// `require_https`): retrying cannot help.
    pub refused: bool,
}

/// Judges the attempt at `position` of the retry schedule from the receiver's answer:
/// 2xx delivers; 410 is `Gone`; a refused target gives up at once; otherwise the next
/// delay of the schedule, or for 429/503 with `Retry-After` the longer of the two (the
/// hint capped at `max_retry_after`); past the schedule, give up.
pub fn judge(
    answer: &Answer,
    position: u32,
    schedule: &RetrySchedule,
    max_retry_after: Duration,
) -> Verdict {
    match answer.status {
        Some(200..=299) => return Verdict::Delivered,
        Some(410) => return Verdict::Gone,
        _ => {}
    }
    if answer.refused {
        return Verdict::GiveUp;
    }
    let Some(delay) = schedule.delay_after(position) else {
        return Verdict::GiveUp;
    };
    let hint = match answer.status {
        Some(429 | 503) => answer.retry_after.map(|h| h.min(max_retry_after)),
        _ => None,
    };
    Verdict::RetryAfter(hint.map_or(delay, |h| h.max(delay)))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn schedule() -> RetrySchedule {
        RetrySchedule::new(&[5, 25, 125])
    }

    /// A target on 127.0.0.1 with a fresh secret and the defaults.
    pub(crate) fn target() -> WebhookTarget {
        WebhookTarget {
            webhook_id: Uuid::nil(),
            signature_profile: SignatureProfile::Standard,
            url: WebhookUrl::parse("http://127.0.0.1:9/").expect("url"),
            payload_format: PayloadFormat::Envelope,
            headers: CustomHeaders::default(),
            secret: WebhookSecret::generate(),
            previous_secret: None,
            retry_schedule: None,
            handshake: None,
        }
    }

    fn ctx(status: DeliveryStatus, attempts: u32, webhook: WebhookState) -> DispatchContext {
        DispatchContext {
            delivery_id: Uuid::nil(),
            tenant_id: Uuid::nil(),
            webhook_id: Uuid::nil(),
            status,
            attempts,
            schedule_base: 0,
            created_at: Utc::now(),
            event: EventContent {
                id: Uuid::nil(),
                event_type: "a.b".into(),
                data: "{}".into(),
                occurred_at: Utc::now(),
            },
            webhook,
            flow: Default::default(),
            ordering: OrderingMode::None,
            lane: None,
        }
    }

    /// A delivery of a FIFO webhook, behind `head` in its lane or at its head.
    fn in_lane(mut ctx: DispatchContext, head: Option<u128>) -> DispatchContext {
        ctx.ordering = OrderingMode::Fifo;
        ctx.lane = Some(LaneSpot {
            lane_id: 1,
            seq: 2,
            behind: head.map(Uuid::from_u128),
        });
        ctx
    }

    fn job(attempt: u32) -> DeliveryJob {
        DeliveryJob::new(Uuid::nil(), attempt, None)
    }

    /// A short name for each decision, to compare in tables.
    fn name(d: &JobDecision<'_>) -> String {
        match d {
            JobDecision::Send { attempt, .. } => format!("send {attempt}"),
            JobDecision::AlreadyDone(stale) => format!("done: {}", stale.as_str()),
            JobDecision::Cancel => "cancel".into(),
            JobDecision::Fail {
                attempt, reason, ..
            } => format!("fail {attempt}: {}", reason.what),
            JobDecision::Behind(head) => format!("behind {}", head.as_u128()),
        }
    }

    #[test]
    fn decisions_cover_every_stored_state() {
        use DeliveryStatus::*;
        let active = || WebhookState::Active(Box::new(target()));
        let corrupt = || WebhookState::Corrupt(CorruptValue::new("signing secret", "bad"));
        let table: Vec<(u32, Option<DispatchContext>, &str)> = vec![
            (1, None, "done: delivery not found"),
            (
                1,
                Some(ctx(Succeeded, 1, active())),
                "done: delivery already finished",
            ),
            (
                2,
                Some(ctx(Failed, 4, active())),
                "done: delivery already finished",
            ),
            (
                1,
                Some(ctx(Cancelled, 0, active())),
                "done: delivery already finished",
            ),
            (
                1,
                Some(ctx(Pending, 1, active())),
                "done: attempt already recorded",
            ),
            (
                2,
                Some(ctx(Pending, 3, active())),
                "done: attempt already recorded",
            ),
            (1, Some(ctx(Pending, 0, active())), "send 1"),
            (2, Some(ctx(Pending, 1, active())), "send 2"),
            // A job from an older sweep still makes the next attempt, not its own number.
            (9, Some(ctx(Pending, 1, active())), "send 2"),
            (1, Some(ctx(Pending, 0, WebhookState::Deleted)), "cancel"),
            (3, Some(ctx(Pending, 2, WebhookState::Disabled)), "cancel"),
            (
                1,
                Some(ctx(Pending, 0, corrupt())),
                "fail 1: signing secret",
            ),
            // FIFO: only the head of a lane goes; a job that comes early is dropped.
            (1, Some(in_lane(ctx(Pending, 0, active()), None)), "send 1"),
            (
                1,
                Some(in_lane(ctx(Pending, 0, active()), Some(7))),
                "behind 7",
            ),
            (
                3,
                Some(in_lane(ctx(Pending, 2, active()), Some(7))),
                "behind 7",
            ),
            // ...but a deleted or disabled webhook cancels its whole lane, in any order.
            (
                1,
                Some(in_lane(ctx(Pending, 0, WebhookState::Disabled), Some(7))),
                "cancel",
            ),
            (
                1,
                Some(in_lane(ctx(Succeeded, 1, active()), Some(7))),
                "done: delivery already finished",
            ),
            // A finished delivery is never cancelled or failed again.
            (
                1,
                Some(ctx(Succeeded, 1, WebhookState::Deleted)),
                "done: delivery already finished",
            ),
        ];
        for (attempt, stored, expected) in table {
            let got = name(&decide(&job(attempt), stored.as_ref()));
            assert_eq!(got, expected, "job attempt {attempt}, stored {stored:?}");
        }
    }

    const CAP: Duration = Duration::from_secs(3600);

    fn status(code: u16) -> Answer {
        Answer {
            status: Some(code),
            ..Answer::default()
        }
    }

    fn hinted(code: u16, secs: u64) -> Answer {
        Answer {
            status: Some(code),
            retry_after: Some(Duration::from_secs(secs)),
            refused: false,
        }
    }

    #[test]
    fn verdicts_follow_the_schedule() {
        let s = schedule();
        let secs = |n| Verdict::RetryAfter(Duration::from_secs(n));
        let none = Answer::default();
        let refused = Answer {
            refused: true,
            ..Answer::default()
        };
        let table = [
            (status(200), 1, Verdict::Delivered),
            (status(204), 4, Verdict::Delivered),
            (status(299), 9, Verdict::Delivered),
            (status(500), 1, secs(5)),
            (status(404), 2, secs(25)),
            (status(302), 3, secs(125)),
            (none, 1, secs(5)),
            (status(199), 1, secs(5)),
            (status(300), 1, secs(5)),
            (status(500), 4, Verdict::GiveUp),
            (none, 4, Verdict::GiveUp),
            (status(503), 0, Verdict::GiveUp),
            // Receiver hints: the longer of schedule and Retry-After, capped.
            (hinted(429, 3), 1, secs(5)),
            (hinted(429, 60), 1, secs(60)),
            (hinted(503, 60), 3, secs(125)),
            (hinted(503, 200), 3, secs(200)),
            (hinted(429, 86_400), 1, secs(3600)),
            (hinted(429, 60), 4, Verdict::GiveUp),
            // Only 429 and 503 are heard.
            (hinted(500, 60), 1, secs(5)),
            (status(410), 1, Verdict::Gone),
            (hinted(410, 60), 4, Verdict::Gone),
            (refused, 1, Verdict::GiveUp),
        ];
        for (answer, attempt, expected) in table {
            assert_eq!(
                judge(&answer, attempt, &s, CAP),
                expected,
                "{answer:?} at {attempt}"
            );
        }
        assert_eq!(
            judge(&status(500), 1, &RetrySchedule::new(&[]), CAP),
            Verdict::GiveUp
        );
    }

    #[test]
    fn webhook_schedules_are_checked() {
        assert_eq!(
            RetrySchedule::parse("s", vec![1, 3, 40])
                .expect("valid")
                .delays_secs(),
            &[1, 3, 40]
        );
        for bad in [vec![], vec![0], vec![86_401], vec![5; 21]] {
            assert!(RetrySchedule::parse("s", bad.clone()).is_err(), "{bad:?}");
        }
        assert!(RetrySchedule::parse("s", vec![86_400; 20]).is_ok());
    }

    #[test]
    fn early_jobs_wait_out_their_due_time() {
        let now = Utc::now();
        let job = DeliveryJob::new(Uuid::nil(), 2, None);
        assert_eq!(job.early(now), None);
        let later = job
            .clone()
            .due_at(Some(now + chrono::Duration::seconds(30)));
        let wait = later.early(now).expect("early");
        assert!(wait > Duration::from_secs(29) && wait <= Duration::from_secs(30));
        assert_eq!(later.early(now + chrono::Duration::seconds(30)), None);
        let nearly = job.due_at(Some(now + chrono::Duration::milliseconds(300)));
        assert_eq!(nearly.early(now), None, "within the slack");
    }

    #[test]
    fn a_replay_starts_the_schedule_again() {
        let s = schedule();
        let mut replayed = ctx(DeliveryStatus::Pending, 4, WebhookState::Deleted);
        replayed.schedule_base = 4;
        // Attempts 5, 6, 7, 8 after a replay of an exhausted delivery: a full schedule.
        let verdicts: Vec<Verdict> = (5..=8)
            .map(|a| judge(&status(500), replayed.schedule_position(a), &s, CAP))
            .collect();
        let secs = |n| Verdict::RetryAfter(Duration::from_secs(n));
        assert_eq!(
            verdicts,
            vec![secs(5), secs(25), secs(125), Verdict::GiveUp]
        );
        let fresh = ctx(DeliveryStatus::Pending, 0, WebhookState::Deleted);
        assert_eq!(fresh.schedule_position(1), 1);
        assert_eq!(fresh.schedule_position(3), 3);
    }

    #[test]
    fn verdict_outcomes() {
        let now = Utc::now();
        assert_eq!(
            Verdict::Delivered.outcome(now),
            (DeliveryStatus::Succeeded, None)
        );
        assert_eq!(Verdict::GiveUp.outcome(now), (DeliveryStatus::Failed, None));
        assert_eq!(Verdict::Gone.outcome(now), (DeliveryStatus::Failed, None));
        assert_eq!(
            Verdict::RetryAfter(Duration::from_secs(25)).outcome(now),
            (
                DeliveryStatus::Pending,
                Some(now + chrono::Duration::seconds(25))
            )
        );
    }

    #[test]
    fn default_schedule_is_5_25_125_then_nothing() {
        let s = schedule();
        assert_eq!(s.delay_after(0), None);
        assert_eq!(s.delay_after(1), Some(Duration::from_secs(5)));
        assert_eq!(s.delay_after(2), Some(Duration::from_secs(25)));
        assert_eq!(s.delay_after(3), Some(Duration::from_secs(125)));
        assert_eq!(s.delay_after(4), None);
    }

    #[test]
    fn jobs() {
        let id = Uuid::now_v7();
        let first = DeliveryJob::new(id, 1, Some("00-abc".into()));
        let next = first.next_attempt();
        assert_eq!(
            (next.delivery_id(), next.attempt(), next.traceparent()),
            (id, 2, Some("00-abc"))
        );
        assert_eq!(DeliveryJob::after_recorded(id, 3, None).attempt(), 4);
        assert_eq!(DeliveryJob::after_recorded(id, -1, None).attempt(), 1);
        assert_eq!(
            DeliveryJob::new(id, 0, Some(String::new())),
            DeliveryJob::new(id, 1, None)
        );
    }

    #[test]
    fn statuses_round_trip_and_corrupt_ones_are_refused() {
        for s in DeliveryStatus::ALL {
            assert_eq!(DeliveryStatus::from_stored(s.as_str()), Ok(s));
            assert_eq!(DeliveryStatus::parse("status", s.as_str()), Ok(s));
            assert_eq!(s.is_final(), s != DeliveryStatus::Pending);
        }
        assert!(DeliveryStatus::from_stored("PENDING").is_err());
        assert_eq!(
            DeliveryStatus::parse("status", "").unwrap_err().field,
            "status"
        );
    }
}
