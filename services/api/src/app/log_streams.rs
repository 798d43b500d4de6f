//! Live log streams: `GET /v1/webhooks/{id}/logs/stream` sends a webhook's attempts (and
//! test sends) as server-sent events while they happen.
//!
//! Each stream polls the attempt log once a second for attempts started since a moment
//! before its last poll: an attempt is logged when it ends, so a slow one started before
//! a fast one is logged after it, and the look-back (the delivery timeout and a margin)
//! catches it; ids already sent are skipped. A poll sends at most [`POLL_LIMIT`] entries
//! (the newest), so a stream of a very busy webhook is a sample past that rate. At most
//! `api.log_streams_per_tenant` streams are open per tenant and [`STREAMS_PER_PROCESS`]
//! in all, per API process ([`LogStreams`]); every stream ends after [`STREAM_MAX`]
//! (clients reconnect), so none outlives a deploy long.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::web;
use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt};
use hookrelay_core::repo::attempts::{AttemptRepo, LogEntry, WebhookLogQuery};
use hookrelay_core::report::ErrorChain;
use hookrelay_web::error::ApiError;
use uuid::Uuid;

use crate::state::AppState;
use crate::views::attempts::LogEntryResponse;

/// Entries one poll sends at most.
pub const POLL_LIMIT: i64 = 100;
/// How often a stream looks for new attempts.
pub const POLL_EVERY: Duration = Duration::from_secs(1);
/// How long one stream stays open.
pub const STREAM_MAX: Duration = Duration::from_secs(3600);
/// Streams one API process keeps open, all tenants together (each polls once a second
/// with a pooled connection).
pub const STREAMS_PER_PROCESS: u32 = 256;

/// Quiet polls before a keep-alive comment: it also tells the server a client has gone
/// (a write fails), which frees the stream's place.
const KEEP_ALIVE_POLLS: u32 = 5;

/// The server-sent events of one stream: a comment at once (the client knows it is
/// open), then an `attempt` event per entry a poll finds (the log entry as JSON, its id
/// as the event id) and a `: keep-alive` comment after [`KEEP_ALIVE_POLLS`] quiet polls,
/// until [`STREAM_MAX`].
pub fn events(
    state: web::Data<AppState>,
    follower: Follower,
) -> impl Stream<Item = Result<web::Bytes, actix_web::Error>> {
    let opened = std::time::Instant::now();
    let first = futures::stream::once(async {
        Ok::<_, actix_web::Error>(web::Bytes::from_static(b": following\n\n"))
    });
    let rest = futures::stream::unfold(
        (follower, state, 0u32),
        move |(mut f, state, idle)| async move {
            if opened.elapsed() >= STREAM_MAX {
                return None;
            }
            tokio::time::sleep(POLL_EVERY).await;
            let chunk = match f.poll(&state).await {
                Ok(entries) => entries.into_iter().map(attempt_event).collect::<String>(),
                Err(e) => {
                    tracing::warn!(webhook = %f.webhook_id, error = %ErrorChain(&e), "a log stream's poll failed; it tries again");
                    String::new()
                }
            };
            let (chunk, idle) = match (chunk.is_empty(), idle + 1 >= KEEP_ALIVE_POLLS) {
                (false, _) => (chunk, 0),
                (true, true) => (": keep-alive\n\n".to_string(), 0),
                (true, false) => (String::new(), idle + 1),
            };
            Some((Ok(web::Bytes::from(chunk)), (f, state, idle)))
        },
    );
    first.chain(rest)
}

/// One entry as an `attempt` event.
fn attempt_event(entry: LogEntry) -> String {
    let view = LogEntryResponse::from(entry);
    match serde_json::to_string(&view) {
        Ok(data) => format!("event: attempt\nid: {}\ndata: {data}\n\n", view.id),
        // A view always serialises; were it not to, no `data:` line is better than an empty one.
        Err(_) => String::new(),
    }
}

/// The streams open per tenant, within a bound.
#[derive(Clone)]
pub struct LogStreams {
    open: Arc<Mutex<HashMap<Uuid, u32>>>,
    per_tenant: u32,
}

/// One open stream; closing it (dropping) frees its place.
pub struct StreamSlot {
    open: Arc<Mutex<HashMap<Uuid, u32>>>,
    tenant_id: Uuid,
}

impl LogStreams {
    pub fn new(per_tenant: u32) -> Self {
        Self {
            open: Arc::default(),
            per_tenant,
        }
    }

    /// A place for one more stream of `tenant_id`, unless it has all of its own.
    pub fn open(&self, tenant_id: Uuid) -> Option<StreamSlot> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if open.values().sum::<u32>() >= STREAMS_PER_PROCESS {
            return None;
        }
        let n = open.entry(tenant_id).or_default();
        if *n >= self.per_tenant {
            return None;
        }
        *n += 1;
        Some(StreamSlot {
            open: self.open.clone(),
            tenant_id,
        })
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.tenant_id) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.tenant_id);
            }
        }
    }
}

/// Where one stream stands: what it sent lately, and since when it looks.
pub struct Follower {
    tenant_id: Uuid,
    webhook_id: Uuid,
    look_back: chrono::Duration,
    /// Polls look at attempts started after this.
    since: DateTime<Utc>,
    /// Ids sent, with their start, kept while inside the look-back.
    sent: HashMap<Uuid, DateTime<Utc>>,
    _slot: StreamSlot,
}

impl Follower {
    /// Follows `webhook_id` from now (earlier attempts are the log's, not the stream's).
    pub fn new(state: &AppState, tenant_id: Uuid, webhook_id: Uuid, slot: StreamSlot) -> Self {
        let timeout = chrono::Duration::from_std(state.settings.delivery.timeout())
            .unwrap_or(chrono::Duration::seconds(30));
        Self {
            tenant_id,
            webhook_id,
            look_back: timeout + chrono::Duration::seconds(5),
            since: Utc::now(),
            sent: HashMap::new(),
            _slot: slot,
        }
    }

    /// The attempts logged since the last poll, oldest first.
    pub async fn poll(&mut self, state: &AppState) -> Result<Vec<LogEntry>, ApiError> {
        let now = Utc::now();
        let query = WebhookLogQuery {
            since: Some(self.since),
            limit: POLL_LIMIT,
            // What this stream sent is not read again (its bodies are rebuilt per row).
            exclude: self.sent.keys().copied().collect(),
            ..WebhookLogQuery::default()
        };
        let client = state.pool.get().await?;
        let (entries, _) = AttemptRepo::webhook_log(
            &client,
            self.tenant_id,
            self.webhook_id,
            &query,
            &state.settings.delivery.cloudevents_source,
        )
        .await?;
        let mut fresh = entries;
        fresh.reverse();
        for e in &fresh {
            self.sent.insert(e.attempt.id, e.attempt.started_at);
        }
        // Look back from this poll next time; forget what is out of that window.
        let next = (now - self.look_back).max(self.since);
        self.sent.retain(|_, started| *started >= next);
        self.since = next;
        Ok(fresh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_bounded_per_tenant_and_freed_when_closed() {
        let streams = LogStreams::new(2);
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let first = streams.open(a).expect("one");
        let second = streams.open(a).expect("two");
        assert!(
            streams.open(a).is_none(),
            "a third of the same tenant waits"
        );
        let other = streams.open(b);
        assert!(other.is_some(), "another tenant has its own");
        drop(first);
        assert!(streams.open(a).is_some(), "closing one frees its place");
        drop(second);
    }
}
