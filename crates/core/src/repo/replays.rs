//! The `replays` table: bulk replays of one webhook's deliveries, and the batches that
//! carry them out (which write `deliveries` too: a replay step is one transaction).

use chrono::{DateTime, Utc};
use hookrelay_domain::delivery::DeliveryJob;
use hookrelay_domain::flow::Endpoint;
use hookrelay_domain::replay::{ReplayScope, ReplayState, ReplayWindow};
use hookrelay_domain::CorruptValue;
use tokio_postgres::Row;
use uuid::Uuid;

use super::lanes::{replay_update, LANES_CTE, LANE_JOIN, LANE_NUMBERS};
use super::GenericClient;
use crate::db::DbError;
use crate::fanout::pattern_match_sql;
use crate::outbox::Unpublished;

/// Deliveries replayed or created by one step.
pub const STEP: i64 = 500;

/// A bulk replay as stored.
#[derive(Debug, Clone)]
pub struct Replay {
    pub id: Uuid,
    pub webhook_id: Uuid,
    pub window: ReplayWindow,
    pub scope: ReplayScope,
    pub include_missed: bool,
    pub state: ReplayState,
    /// Deliveries the replay covers (existing ones and missed events), counted at start.
    pub total: i64,
    /// Existing deliveries sent again so far.
    pub replayed: i64,
    /// Deliveries created so far for events the webhook missed.
    pub created: i64,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, webhook_id, since, until, only_failed, include_missed, state, total, \
                       replayed, created, error, created_at, finished_at";

fn from_row(r: &Row) -> Result<Replay, CorruptValue> {
    Ok(Replay {
        id: r.get("id"),
        webhook_id: r.get("webhook_id"),
        window: ReplayWindow {
            since: r.get("since"),
            until: r.get("until"),
        },
        scope: if r.get("only_failed") {
            ReplayScope::Failed
        } else {
            ReplayScope::All
        },
        include_missed: r.get("include_missed"),
        state: ReplayState::from_stored(r.get("state"))?,
        total: r.get("total"),
        replayed: r.get("replayed"),
        created: r.get("created"),
        error: r.get("error"),
        created_at: r.get("created_at"),
        finished_at: r.get("finished_at"),
    })
}

/// The status condition of the deliveries a scope replays.
fn scope_sql(scope: ReplayScope) -> &'static str {
    match scope {
        ReplayScope::Failed => "status = 'failed'",
        ReplayScope::All => "status IN ('succeeded', 'failed', 'cancelled')",
    }
}

/// What one step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub replayed: i64,
    pub created: i64,
    /// The replay has nothing left to do (it is now `completed`).
    pub done: bool,
}

/// What a replay covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplayCount {
    /// Existing deliveries it sends again.
    pub existing: i64,
    /// Missed events it delivers for the first time.
    pub missed: i64,
}

impl ReplayCount {
    pub fn total(self) -> i64 {
        self.existing + self.missed
    }
}

/// Reads and writes bulk replays.
pub struct ReplayRepo;

impl ReplayRepo {
    /// Records a running replay of one webhook of the tenant with its total; `None` when
    /// one is already running for that webhook.
    #[tracing::instrument(name = "ReplayRepo::start", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn start(
        client: &mut deadpool_postgres::Client,
        tenant_id: Uuid,
        webhook_id: Uuid,
        window: ReplayWindow,
        scope: ReplayScope,
        include_missed: bool,
    ) -> Result<Option<Replay>, DbError> {
        let tx = client.transaction().await?;
        let covered =
            Self::count(&tx, tenant_id, webhook_id, window, scope, include_missed).await?;
        let row = tx
            .query_opt(
                &format!(
                    "INSERT INTO replays (id, tenant_id, webhook_id, since, until, only_failed, include_missed, total) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT (webhook_id) WHERE state = 'running' DO NOTHING RETURNING {COLUMNS}"
                ),
                &[
                    &Uuid::now_v7(),
                    &tenant_id,
                    &webhook_id,
                    &window.since,
                    &window.until,
                    &(scope == ReplayScope::Failed),
                    &include_missed,
                    &covered.total(),
                ],
            )
            .await?;
        tx.commit().await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    /// What a replay of this window would send: the webhook's deliveries it covers and,
    /// with `include_missed`, the events it matched and never got.
    #[tracing::instrument(name = "ReplayRepo::count", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn count(
        client: &impl GenericClient,
        tenant_id: Uuid,
        webhook_id: Uuid,
        window: ReplayWindow,
        scope: ReplayScope,
        include_missed: bool,
    ) -> Result<ReplayCount, tokio_postgres::Error> {
        let existing: i64 = client
            .query_one(
                &format!(
                    "SELECT count(*) FROM deliveries WHERE webhook_id = $1 AND tenant_id = $2 \
                     AND created_at >= $3 AND created_at < $4 AND {}",
                    scope_sql(scope)
                ),
                &[&webhook_id, &tenant_id, &window.since, &window.until],
            )
            .await?
            .get(0);
        let missed: i64 = if include_missed {
            client
                .query_one(
                    &format!(
                        "SELECT count(*) FROM events e, webhooks w \
                         WHERE w.id = $1 AND e.tenant_id = $2 AND e.created_at >= $3 AND e.created_at < $4 \
                           AND {} AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.webhook_id = $1)",
                        pattern_match_sql("e.event_type")
                    ),
                    &[&webhook_id, &tenant_id, &window.since, &window.until],
                )
                .await?
                .get(0)
        } else {
            0
        };
        Ok(ReplayCount { existing, missed })
    }

    /// Cancels a running replay of the tenant: its worker stops before its next batch
    /// (what it already queued is sent). `None`: no such replay; a finished one comes
    /// back unchanged.
    #[tracing::instrument(name = "ReplayRepo::cancel", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn cancel(
        client: &impl GenericClient,
        tenant_id: Uuid,
        id: Uuid,
    ) -> Result<Option<Replay>, DbError> {
        client
            .execute(
                "UPDATE replays SET state = 'cancelled', finished_at = now() \
                 WHERE id = $1 AND tenant_id = $2 AND state = 'running'",
                &[&id, &tenant_id],
            )
            .await?;
        Self::get(client, tenant_id, id).await
    }

    /// One replay of the tenant.
    #[tracing::instrument(name = "ReplayRepo::get", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn get(
        client: &impl GenericClient,
        tenant_id: Uuid,
        id: Uuid,
    ) -> Result<Option<Replay>, DbError> {
        let row = client
            .query_opt(
                &format!("SELECT {COLUMNS} FROM replays WHERE id = $1 AND tenant_id = $2"),
                &[&id, &tenant_id],
            )
            .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    /// Takes over running replays whose worker has not reported for `stale_secs` (it
    /// stopped with its process); returns their ids.
    #[tracing::instrument(name = "ReplayRepo::claim_stale", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn claim_stale(
        client: &impl GenericClient,
        stale_secs: f64,
    ) -> Result<Vec<Uuid>, tokio_postgres::Error> {
        let rows = client
            .query(
                "UPDATE replays SET heartbeat_at = now() \
                 WHERE state = 'running' AND heartbeat_at < now() - make_interval(secs => $1) \
                 RETURNING id",
                &[&stale_secs],
            )
            .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// Carries out the next batch of a running replay in one transaction: first the
    /// existing deliveries of the window, in (created_at, id) order, put back to pending
    /// with a fresh schedule; then one new delivery per event of the window the webhook
    /// matches and never got. Returns the committed step's jobs, for `Outbox::committed`.
    #[tracing::instrument(name = "ReplayRepo::step", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn step(
        client: &mut deadpool_postgres::Client,
        id: Uuid,
    ) -> Result<Unpublished<Step>, DbError> {
        let tx = client.transaction().await?;
        let Some(r) = tx
            .query_opt(
                "SELECT tenant_id, webhook_id, since, until, only_failed, include_missed, phase, \
                        after_created, after_id \
                 FROM replays WHERE id = $1 AND state = 'running' FOR UPDATE",
                &[&id],
            )
            .await?
        else {
            tx.commit().await?;
            return Ok(Unpublished::new(
                Step {
                    replayed: 0,
                    created: 0,
                    done: true,
                },
                Vec::new(),
            ));
        };
        let tenant_id: Uuid = r.get("tenant_id");
        let webhook_id: Uuid = r.get("webhook_id");
        let since: DateTime<Utc> = r.get("since");
        let until: DateTime<Utc> = r.get("until");
        let scope = if r.get("only_failed") {
            ReplayScope::Failed
        } else {
            ReplayScope::All
        };
        let include_missed: bool = r.get("include_missed");
        let phase: String = r.get("phase");
        // Before the first batch: just before the window.
        let after_created: DateTime<Utc> = r
            .get::<_, Option<DateTime<Utc>>>("after_created")
            .unwrap_or(since - chrono::Duration::microseconds(1));
        let after_id: Uuid = r.get::<_, Option<Uuid>>("after_id").unwrap_or(Uuid::nil());

        let rows = if phase == "existing" {
            tx.query(
                &format!(
                    "WITH pick AS ( \
                       SELECT id, created_at, lane_id, lane_seq FROM deliveries WHERE webhook_id = $1 AND tenant_id = $2 \
                         AND created_at >= $3 AND created_at < $4 AND {} \
                         AND (created_at, id) > ($5, $6) \
                       ORDER BY created_at, id LIMIT $7 \
                     ), matched AS ( \
                       SELECT p.id, $2::uuid AS tenant_id, $1::uuid AS webhook_id, \
                              COALESCE(w.ordering = 'fifo', false) AS fifo, \
                              COALESCE(e.ordering_key, '') AS lane_key, \
                              row_number() OVER (ORDER BY p.lane_id NULLS LAST, p.lane_seq, p.created_at, p.id) AS ord \
                       FROM pick p JOIN deliveries d ON d.id = p.id JOIN events e ON e.id = d.event_id \
                       LEFT JOIN webhooks w ON w.id = $1 \
                     ), {LANES_CTE}, {} \
                     RETURNING d.id, d.attempts, e.trace_context, d.created_at",
                    scope_sql(scope),
                    replay_update()
                ),
                &[&webhook_id, &tenant_id, &since, &until, &after_created, &after_id, &STEP],
            )
            .await?
        } else {
            tx.query(
                &format!(
                    "WITH pick AS ( \
                       SELECT e.id, e.created_at, e.trace_context, e.ordering_key, w.ordering = 'fifo' AS fifo \
                       FROM events e, webhooks w \
                       WHERE w.id = $1 AND e.tenant_id = $2 AND e.created_at >= $3 AND e.created_at < $4 \
                         AND (e.created_at, e.id) > ($5, $6) AND {} \
                         AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.webhook_id = $1) \
                       ORDER BY e.created_at, e.id LIMIT $7 \
                     ), matched AS ( \
                       SELECT id AS event_id, $2::uuid AS tenant_id, $1::uuid AS webhook_id, fifo, \
                              COALESCE(ordering_key, '') AS lane_key, \
                              row_number() OVER (ORDER BY created_at, id) AS ord \
                       FROM pick \
                     ), {LANES_CTE}, made AS ( \
                       INSERT INTO deliveries (id, tenant_id, event_id, webhook_id, next_attempt_at, lane_id, lane_seq) \
                       SELECT gen_random_uuid(), $2, m.event_id, $1, now(), {LANE_NUMBERS} \
                       FROM matched m {LANE_JOIN} \
                       RETURNING id, event_id \
                     ) \
                     SELECT made.id, 0::int4, pick.trace_context, pick.created_at, pick.id AS event_id \
                     FROM made JOIN pick ON pick.id = made.event_id",
                    pattern_match_sql("e.event_type")
                ),
                &[&webhook_id, &tenant_id, &since, &until, &after_created, &after_id, &STEP],
            )
            .await?
        };
        let jobs: Vec<DeliveryJob> = rows
            .iter()
            .map(|row| {
                DeliveryJob::after_recorded(row.get(0), row.get(1), row.get(2)).to(Endpoint {
                    tenant_id,
                    webhook_id,
                })
            })
            .collect();
        // The position after this batch: the largest key it took.
        let key_of = |row: &Row| -> (DateTime<Utc>, Uuid) {
            let id: Uuid = if phase == "existing" {
                row.get(0)
            } else {
                row.get("event_id")
            };
            (row.get(3), id)
        };
        let last = rows.iter().map(key_of).max();
        let n = rows.len() as i64;
        let batch_done = n < STEP;
        let (next_phase, next_after, done) = match (phase.as_str(), batch_done) {
            (_, false) => (phase.as_str(), last, false),
            ("existing", true) if include_missed => ("missed", None, false),
            (_, true) => (phase.as_str(), last, true),
        };
        let (replayed, created) = if phase == "existing" { (n, 0) } else { (0, n) };
        tx.execute(
            "UPDATE replays SET replayed = replayed + $2, created = created + $3, phase = $4, \
                    after_created = $5, after_id = $6, heartbeat_at = now(), \
                    state = CASE WHEN $7 THEN 'completed' ELSE state END, \
                    finished_at = CASE WHEN $7 THEN now() END \
             WHERE id = $1",
            &[
                &id,
                &replayed,
                &created,
                &next_phase,
                &next_after.map(|(t, _)| t),
                &next_after.map(|(_, i)| i),
                &done,
            ],
        )
        .await?;
        let step = Step {
            replayed,
            created,
            done,
        };
        tx.commit().await?;
        Ok(Unpublished::new(step, jobs))
    }

    /// Marks a replay failed with the reason.
    #[tracing::instrument(name = "ReplayRepo::fail", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn fail(
        client: &impl GenericClient,
        id: Uuid,
        reason: &str,
    ) -> Result<(), tokio_postgres::Error> {
        client
            .execute(
                "UPDATE replays SET state = 'failed', error = $2, finished_at = now() \
                 WHERE id = $1 AND state = 'running'",
                &[&id, &reason],
            )
            .await?;
        Ok(())
    }
}
