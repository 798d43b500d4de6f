//! Records the events of concurrent `POST /v1/events` requests together: one statement
//! and one commit for every request waiting at that moment (see [`Batcher`]).

use std::sync::Arc;

use deadpool_postgres::Pool;
use hookrelay_core::batch::Batcher;
use hookrelay_core::db::DbError;
use hookrelay_core::outbox::Unpublished;
use hookrelay_core::repo::events::{CapReached, EventRepo, IngestCaps, IngestedEvent, NewEvent};
use hookrelay_web::error::ApiError;
use tracing::Instrument;
use uuid::Uuid;

/// Most events recorded by one statement.
const MAX_BATCH: usize = 128;
/// Statements running at once (each holds one pooled connection).
const MAX_RUNNING: usize = 4;

type Item = (Uuid, NewEvent, tracing::Span);
/// Each statement commits on its own: the answer's jobs are ready for the outbox.
type Answer = Result<Unpublished<IngestedEvent>, ApiError>;

/// Handle to the batching ingester, shared by the API workers.
#[derive(Clone)]
pub struct EventIngester {
    batcher: Batcher<Item, Answer>,
}

impl EventIngester {
    /// Starts the batching loop on the current runtime; every event must keep `caps`.
    pub fn start(pool: Pool, caps: IngestCaps) -> EventIngester {
        let batcher = Batcher::start(MAX_BATCH, MAX_RUNNING, move |batch: Vec<Item>| {
            let pool = pool.clone();
            async move { record(&pool, batch, caps).await }
        });
        EventIngester { batcher }
    }

    /// Records one event of `tenant_id` and its deliveries; returns once committed, with
    /// the jobs to publish.
    pub async fn ingest(&self, tenant_id: Uuid, event: NewEvent) -> Answer {
        let started = std::time::Instant::now();
        let answer = self
            .batcher
            .call((tenant_id, event, tracing::Span::current()))
            .await
            .unwrap_or_else(|e| Err(ApiError::Unavailable(Box::new(e))));
        // Waiting for a batch included: the "accepted -> committed" hop.
        metrics::histogram!("hookrelay_event_commit_seconds")
            .record(started.elapsed().as_secs_f64());
        answer
    }
}

async fn record(pool: &Pool, batch: Vec<Item>, caps: IngestCaps) -> Vec<Answer> {
    // The statement serves every request of the batch; its span is a child of the first.
    let span = batch[0].2.clone();
    let client = match pool.get().instrument(span.clone()).await {
        Ok(client) => client,
        Err(e) => return shared_failure(e.into(), batch.len()),
    };
    let events: Vec<(Uuid, &NewEvent)> = batch.iter().map(|(t, e, _)| (*t, e)).collect();
    match EventRepo::ingest_many(&client, &events, caps)
        .instrument(span)
        .await
    {
        Ok(ingested) => ingested
            .into_iter()
            .map(|answer| answer.map_err(|cap| refused(cap, caps)))
            .collect(),
        Err(e) if batch.len() == 1 || e.as_db_error().is_none() => {
            // A lone event, or the connection failed: every request shares the failure.
            shared_failure(e.into(), batch.len())
        }
        Err(_) => {
            // PostgreSQL refused the statement: record each event alone so only the one
            // at fault fails.
            let mut answers = Vec::with_capacity(batch.len());
            for (tenant_id, event, span) in &batch {
                let one = EventRepo::ingest_many(&client, &[(*tenant_id, event)], caps)
                    .instrument(span.clone())
                    .await;
                answers.push(match one.map(|mut a| a.pop()) {
                    Ok(Some(answer)) => answer.map_err(|cap| refused(cap, caps)),
                    Ok(None) => Err(ApiError::Unavailable("no answer for an event".into())),
                    Err(e) => Err(ApiError::from(e)),
                });
            }
            answers
        }
    }
}

/// The 422 for an event that would pass a cap.
fn refused(cap: CapReached, caps: IngestCaps) -> ApiError {
    match cap {
        CapReached::EventTypes => ApiError::limit_reached(
            "event_type",
            format!(
                "a new event type, and the tenant's catalogue holds {} already \
                 (limits.event_types_per_tenant); delete unused types or reuse one",
                caps.event_types
            ),
        ),
        CapReached::Deliveries => ApiError::limit_reached(
            "event_type",
            format!(
                "the event would go to more than {} webhooks (limits.deliveries_per_event)",
                caps.deliveries.unwrap_or_default()
            ),
        ),
    }
}

/// The same database failure as the answer of each of `n` requests (a 503 with its source).
fn shared_failure(error: DbError, n: usize) -> Vec<Answer> {
    let error = Arc::new(error);
    (0..n)
        .map(|_| Err(ApiError::Unavailable(Box::new(Arc::clone(&error)))))
        .collect()
}
