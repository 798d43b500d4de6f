//! Loads the dispatch context of many jobs with one query.
//!
//! Each job task asks for its delivery; one loop collects every request waiting at that
//! moment and answers them all from a single `load_for_dispatch`. When jobs arrive one by
//! one a request is served alone at once; under load the requests that queue up while a
//! query runs become the next batch, so the number of queries stays far below the number
//! of jobs without adding a wait.

use std::collections::HashMap;
use std::sync::Arc;

use deadpool_postgres::Pool;
use hookrelay_core::repo::deliveries::{DeliveryRepo, DispatchContext};
use tokio::sync::{mpsc, oneshot, Semaphore};
use tracing::Instrument;
use uuid::Uuid;

/// Why a context could not be loaded (the database is unreachable or failed); shared by
/// every job of the failed batch.
#[derive(Debug, Clone, thiserror::Error)]
#[error("loading the delivery failed: {0}")]
pub struct LoadError(Arc<str>);

type Reply = oneshot::Sender<Result<Option<DispatchContext>, LoadError>>;

/// One job's request, answered with its context (`None`: the delivery does not exist).
struct Request {
    id: Uuid,
    span: tracing::Span,
    reply: Reply,
}

/// Handle to the batching loop; cheap to clone into every job task.
#[derive(Clone)]
pub struct ContextLoader {
    requests: mpsc::Sender<Request>,
}

impl ContextLoader {
    /// Starts the loop: batches of at most `max_batch` ids, at most `max_queries` queries
    /// running at once. The loop ends when every handle is dropped.
    pub fn start(pool: Pool, max_batch: usize, max_queries: usize) -> ContextLoader {
        let (requests, mut incoming) = mpsc::channel::<Request>(max_batch * 4);
        let queries = Arc::new(Semaphore::new(max_queries));
        tokio::spawn(async move {
            while let Some(first) = incoming.recv().await {
                let mut batch = vec![first];
                let Ok(permit) = Arc::clone(&queries).acquire_owned().await else {
                    return;
                };
                // Everything that queued while waiting for a free query joins this one.
                while batch.len() < max_batch {
                    match incoming.try_recv() {
                        Ok(request) => batch.push(request),
                        Err(_) => break,
                    }
                }
                let pool = pool.clone();
                tokio::spawn(async move {
                    answer(&pool, batch).await;
                    drop(permit);
                });
            }
        });
        ContextLoader { requests }
    }

    /// The dispatch context of one delivery.
    pub async fn load(&self, id: Uuid) -> Result<Option<DispatchContext>, LoadError> {
        let (reply, answer) = oneshot::channel();
        let request = Request {
            id,
            span: tracing::Span::current(),
            reply,
        };
        if self.requests.send(request).await.is_err() {
            return Err(LoadError("the loader stopped".into()));
        }
        answer
            .await
            .unwrap_or_else(|_| Err(LoadError("the loader dropped the request".into())))
    }
}

async fn answer(pool: &Pool, batch: Vec<Request>) {
    let ids: Vec<Uuid> = batch.iter().map(|r| r.id).collect();
    // The query's span is a child of the first job's span (it serves them all).
    let span = batch[0].span.clone();
    let loaded = async {
        let client = pool.get().await.map_err(|e| e.to_string())?;
        DeliveryRepo::load_for_dispatch(&client, &ids)
            .await
            .map_err(|e| match e.as_db_error() {
                Some(db) => format!("{e}: {}", db.message()),
                None => e.to_string(),
            })
    }
    .instrument(span)
    .await;
    match loaded {
        Ok(rows) => {
            let mut by_id: HashMap<Uuid, DispatchContext> =
                rows.into_iter().map(|c| (c.delivery_id, c)).collect();
            for request in batch {
                let _ = request.reply.send(Ok(by_id.remove(&request.id)));
            }
        }
        Err(message) => {
            let error = LoadError(message.into());
            for request in batch {
                let _ = request.reply.send(Err(error.clone()));
            }
        }
    }
}
