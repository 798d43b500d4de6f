//! Smart batching: many concurrent callers, one database round trip.
//!
//! Callers hand in one item each and wait for its answer; one loop takes every item
//! waiting at that moment and runs them as one batch. A lone caller is served at once;
//! under load the items that queue while a batch runs form the next one. So batches grow
//! with load by themselves and no caller ever waits for a timer.

use std::future::Future;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, Semaphore};

/// Handle to a batching loop; clone it into every caller.
pub struct Batcher<I, O> {
    requests: mpsc::Sender<(I, oneshot::Sender<O>)>,
}

impl<I, O> Clone for Batcher<I, O> {
    fn clone(&self) -> Self {
        Batcher {
            requests: self.requests.clone(),
        }
    }
}

/// The loop is gone (the runtime is shutting down).
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the batching loop has stopped")]
pub struct BatcherStopped;

impl<I: Send + 'static, O: Send + 'static> Batcher<I, O> {
    /// Starts the loop: batches of at most `max_batch` items and at most `max_running`
    /// batches at once. `run` must answer every item of its batch, in order. The loop ends
    /// when every handle is dropped.
    pub fn start<F, Fut>(max_batch: usize, max_running: usize, run: F) -> Batcher<I, O>
    where
        F: Fn(Vec<I>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Vec<O>> + Send + 'static,
    {
        let (requests, mut incoming) = mpsc::channel::<(I, oneshot::Sender<O>)>(max_batch * 4);
        let running = Arc::new(Semaphore::new(max_running));
        let run = Arc::new(run);
        tokio::spawn(async move {
            while let Some(first) = incoming.recv().await {
                let Ok(permit) = Arc::clone(&running).acquire_owned().await else {
                    return;
                };
                // Everything that queued while waiting for a free slot joins this batch.
                let mut batch = vec![first];
                while batch.len() < max_batch {
                    match incoming.try_recv() {
                        Ok(item) => batch.push(item),
                        Err(_) => break,
                    }
                }
                let run = Arc::clone(&run);
                tokio::spawn(async move {
                    let (items, replies): (Vec<I>, Vec<_>) = batch.into_iter().unzip();
                    let answers = run(items).await;
                    for (reply, answer) in replies.into_iter().zip(answers) {
                        let _ = reply.send(answer);
                    }
                    drop(permit);
                });
            }
        });
        Batcher { requests }
    }

    /// Submits one item and waits for its answer.
    pub async fn call(&self, item: I) -> Result<O, BatcherStopped> {
        let (reply, answer) = oneshot::channel();
        self.requests
            .send((item, reply))
            .await
            .map_err(|_| BatcherStopped)?;
        answer.await.map_err(|_| BatcherStopped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn concurrent_calls_share_batches_and_get_their_own_answers() {
        let batches = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&batches);
        let doubler = Batcher::start(64, 1, move |items: Vec<u32>| {
            counter.fetch_add(1, Ordering::SeqCst);
            async move {
                tokio::task::yield_now().await;
                items.into_iter().map(|i| i * 2).collect()
            }
        });
        let calls: Vec<_> = (0..200u32)
            .map(|i| {
                let doubler = doubler.clone();
                tokio::spawn(async move { (i, doubler.call(i).await) })
            })
            .collect();
        for call in calls {
            let (i, answer) = call.await.expect("task");
            assert_eq!(answer.expect("answered"), i * 2);
        }
        let batches = batches.load(Ordering::SeqCst);
        assert!(batches < 200, "{batches} batches for 200 concurrent calls");
    }
}
