//! Disabling webhooks: on a receiver's `410 Gone`, and automatically when every attempt
//! has failed for days. Each disable is announced as a `webhook.disabled` event of the
//! webhook's tenant, fanned out like any other, in the same transaction.

use deadpool_postgres::Pool;
use hookrelay_domain::payload::canonical_data;
use hookrelay_domain::EventType;
use serde_json::json;
use uuid::Uuid;

use crate::db::DbError;
use crate::outbox::{Outbox, Unpublished};
use crate::repo::events::{EventRepo, NewEvent};
use crate::repo::webhooks::{DisabledWebhook, WebhookRepo};

/// Type of the event that announces a disabled webhook.
pub const WEBHOOK_DISABLED: &str = "webhook.disabled";

/// Arbitrary but fixed advisory lock key: one auto-disable round at a time.
const AUTO_DISABLE_LOCK_KEY: i64 = 0x686f_6f6b_7265_6c03;

/// Why hookrelay disables a webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisableReason {
    /// The receiver answered 410 Gone.
    Gone,
    /// Every attempt failed for `delivery.disable_after_secs`.
    Failing,
}

impl DisableReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DisableReason::Gone => "gone",
            DisableReason::Failing => "failing",
        }
    }
}

/// When a failing webhook is disabled.
#[derive(Debug, Clone, Copy)]
pub struct AutoDisable {
    pub after_secs: u64,
    pub min_failures: i64,
}

/// Disables the webhooks of `ids` (those still enabled) and announces each.
pub async fn disable(
    pool: &Pool,
    outbox: &Outbox,
    ids: &[Uuid],
    reason: DisableReason,
) -> Result<Vec<DisabledWebhook>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let disabled = WebhookRepo::disable(&tx, ids, reason.as_str()).await?;
    let work = announce(&tx, &disabled, reason).await?;
    outbox.commit(tx, work).await?;
    count(&disabled, reason);
    Ok(disabled)
}

/// One auto-disable round, unless another process is running one.
pub async fn auto_disable(
    pool: &Pool,
    outbox: &Outbox,
    rule: AutoDisable,
) -> Result<Vec<DisabledWebhook>, DbError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let locked: bool = tx
        .query_one(
            "SELECT pg_try_advisory_xact_lock($1)",
            &[&AUTO_DISABLE_LOCK_KEY],
        )
        .await?
        .get(0);
    if !locked {
        return Ok(Vec::new());
    }
    let disabled =
        WebhookRepo::disable_failing(&tx, rule.after_secs as f64, rule.min_failures).await?;
    let work = announce(&tx, &disabled, DisableReason::Failing).await?;
    outbox.commit(tx, work).await?;
    count(&disabled, DisableReason::Failing);
    Ok(disabled)
}

/// Records one `webhook.disabled` event per webhook, in the caller's transaction.
async fn announce(
    tx: &deadpool_postgres::Transaction<'_>,
    disabled: &[DisabledWebhook],
    reason: DisableReason,
) -> Result<Unpublished<Vec<()>>, DbError> {
    let mut parts = Vec::with_capacity(disabled.len());
    for w in disabled {
        let data = json!({"webhook_id": w.id, "name": w.name, "reason": reason.as_str()});
        let event = NewEvent {
            event_type: EventType::parse("event_type", WEBHOOK_DISABLED.to_string())
                .expect("a valid event type name"),
            data: canonical_data(&data),
            occurred_at: chrono::Utc::now(),
            idempotency_key: None,
            traceparent: None,
        };
        let ingested = EventRepo::ingest(tx, w.tenant_id, &event).await?;
        tracing::warn!(webhook_id = %w.id, tenant_id = %w.tenant_id, reason = reason.as_str(), "webhook disabled");
        parts.push(Unpublished::map_unit(ingested));
    }
    Ok(Unpublished::all(parts))
}

fn count(disabled: &[DisabledWebhook], reason: DisableReason) {
    metrics::counter!("hookrelay_webhooks_disabled_total", "reason" => reason.as_str())
        .increment(disabled.len() as u64);
}
