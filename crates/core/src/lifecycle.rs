//! Disabling webhooks: on a receiver's `410 Gone`, and automatically when every attempt
//! has failed for days; and their circuit breakers opening and closing. Each change is
//! announced as an event of the webhook's tenant (`webhook.disabled`,
//! `webhook.circuit_opened`, `webhook.circuit_closed`), fanned out like any other, in the
//! same transaction.

use deadpool_postgres::Pool;
use hookrelay_domain::flow::{Circuit, CircuitChange};
use hookrelay_domain::payload::canonical_data;
use hookrelay_domain::EventType;
use serde_json::json;
use uuid::Uuid;

use crate::configuration::AutoDisable;
use crate::db::DbError;
use crate::outbox::{Outbox, Unpublished};
use crate::repo::events::{EventRepo, IngestedEvent, NewEvent};
use crate::repo::webhooks::{DisabledWebhook, WebhookRepo};

pub use hookrelay_domain::{WEBHOOK_CIRCUIT_CLOSED, WEBHOOK_CIRCUIT_OPENED, WEBHOOK_DISABLED};

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

/// Stores the circuit of webhook `id` as it changed (`change`) and announces an opening
/// (`webhook.circuit_opened`) or a closing (`webhook.circuit_closed`); a reopening after
/// a failed probe is only stored (the circuit stayed open).
pub async fn record_circuit(
    pool: &Pool,
    outbox: &Outbox,
    id: Uuid,
    circuit: &Circuit,
    change: CircuitChange,
) -> Result<(), DbError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let Some(w) = WebhookRepo::record_circuit(&tx, id, circuit).await? else {
        return Ok(()); // deleted meanwhile
    };
    let event_type = match change {
        CircuitChange::Opened => WEBHOOK_CIRCUIT_OPENED,
        CircuitChange::Closed => WEBHOOK_CIRCUIT_CLOSED,
        CircuitChange::Reopened => {
            tx.commit().await?;
            return Ok(());
        }
    };
    let data = json!({
        "webhook_id": w.id,
        "name": w.name,
        "state": circuit.state.as_str(),
        "opened_at": circuit.opened_at,
        "retry_at": circuit.retry_at,
        "failures": circuit.failures,
    });
    let work = announce_one(&tx, w.tenant_id, event_type, &data).await?;
    outbox.commit(tx, Unpublished::map_unit(work)).await?;
    Ok(())
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
        let ingested = announce_one(tx, w.tenant_id, WEBHOOK_DISABLED, &data).await?;
        tracing::warn!(webhook_id = %w.id, tenant_id = %w.tenant_id, reason = reason.as_str(), "webhook disabled");
        parts.push(Unpublished::map_unit(ingested));
    }
    Ok(Unpublished::all(parts))
}

/// Records one event of hookrelay's own (`event_type`) for the tenant.
async fn announce_one(
    tx: &deadpool_postgres::Transaction<'_>,
    tenant_id: Uuid,
    event_type: &str,
    data: &serde_json::Value,
) -> Result<Unpublished<IngestedEvent>, DbError> {
    let event = NewEvent {
        event_type: EventType::parse("event_type", event_type.to_string())
            .expect("a valid event type name"),
        data: canonical_data(data),
        occurred_at: chrono::Utc::now(),
        idempotency_key: None,
        traceparent: None,
        ordering_key: None,
    };
    EventRepo::ingest(tx, tenant_id, &event).await
}

fn count(disabled: &[DisabledWebhook], reason: DisableReason) {
    metrics::counter!("hookrelay_webhooks_disabled_total", "reason" => reason.as_str())
        .increment(disabled.len() as u64);
}
