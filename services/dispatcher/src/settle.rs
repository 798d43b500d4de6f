//! Settling jobs with the broker: the ack contract ([`Acknowledge`], what a finished job
//! hands the recorder ([`Finished`]), the deliveries in flight ([`InFlight`])), and the
//! parts of a message.
//!
//! One broker message carries up to 64 jobs (a batch of events and their fan-out). Each
//! job settles its own [`Part`]; the message is acked when the last part is, or requeued
//! whole when any part asked for that (a job that came back while its delivery was in
//! flight, a failed write). Parts already recorded are skipped when it comes back, so a
//! requeue never repeats a POST that was recorded. A job is acked only after its attempt
//! is committed (or it was parked in a delay queue, with the broker's confirm).

use std::collections::HashSet;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hookrelay_core::lifecycle::DisableReason;
use hookrelay_core::repo::attempts::AttemptRecord;
use hookrelay_domain::delivery::DeliveryJob;
use lapin::options::{BasicAckOptions, BasicNackOptions};
use uuid::Uuid;

/// Why the broker could not settle a job.
pub type AckError = Box<dyn std::error::Error + Send + Sync>;

/// Settles one job with the broker.
pub trait Acknowledge: Send + 'static {
    /// The job is done (recorded, or nothing to do).
    fn ack(self) -> impl Future<Output = Result<(), AckError>> + Send;
    /// The job goes back to the queue, to be attempted again.
    fn requeue(self) -> impl Future<Output = Result<(), AckError>> + Send;
}

/// How long an ack or nack may take. Over a connection to a node that has just died lapin
/// can leave one unanswered for good, and the recorder, which settles a batch before the
/// next, would stop with it (every later result unrecorded). A job whose settlement timed
/// out is redelivered by the broker when the channel closes, and skipped as recorded.
const SETTLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// An ack or nack that got no answer within [`SETTLE_TIMEOUT`].
#[derive(Debug, thiserror::Error)]
#[error("the broker did not settle the job within {0:?}")]
pub struct SettleTimeout(std::time::Duration);

async fn bounded<T>(
    settling: impl Future<Output = Result<T, lapin::Error>>,
) -> Result<(), AckError> {
    match tokio::time::timeout(SETTLE_TIMEOUT, settling).await {
        Ok(result) => result.map(drop).map_err(Into::into),
        Err(_) => Err(Box::new(SettleTimeout(SETTLE_TIMEOUT))),
    }
}

impl Acknowledge for lapin::Acker {
    async fn ack(self) -> Result<(), AckError> {
        bounded(lapin::Acker::ack(&self, BasicAckOptions::default())).await
    }

    async fn requeue(self) -> Result<(), AckError> {
        let options = BasicNackOptions {
            requeue: true,
            ..Default::default()
        };
        bounded(lapin::Acker::nack(&self, options)).await
    }
}

/// What a worker hands the recorder for one job.
#[derive(Debug)]
pub enum Finished<A> {
    /// Already settled by the worker.
    Nothing,
    /// Nothing to write (duplicate, stale, undecodable): just ack.
    Skipped { acker: A, hold: Option<Claim> },
    /// The webhook is gone or disabled.
    Cancelled {
        acker: A,
        hold: Option<Claim>,
        delivery_id: Uuid,
        /// Its FIFO lane, which moves on to its next delivery once this one is recorded.
        lane: Option<i64>,
    },
    /// An attempt was made (or failed unsent).
    Attempted {
        acker: A,
        hold: Option<Claim>,
        record: Box<AttemptRecord>,
        retry: Option<(DeliveryJob, Duration)>,
        /// The webhook must be disabled (the receiver answered 410 Gone).
        disable: Option<DisableReason>,
        end_to_end_secs: Option<f64>,
        /// Its FIFO lane, which moves on to its next delivery when this attempt ends it.
        lane: Option<i64>,
    },
    /// The job came early (its delay is longer than the delay queue it went through): it
    /// goes round again for `wait`, then is acked. Nothing is written.
    Deferred {
        acker: A,
        job: DeliveryJob,
        wait: Duration,
    },
}

impl<A> Finished<A> {
    /// The acker and this job's hold on its delivery, if it still has one.
    pub(crate) fn into_parts(self) -> Option<(A, Option<Claim>)> {
        match self {
            Finished::Nothing => None,
            Finished::Skipped { acker, hold }
            | Finished::Cancelled { acker, hold, .. }
            | Finished::Attempted { acker, hold, .. } => Some((acker, hold)),
            // A deferred job never held its delivery in flight.
            Finished::Deferred { acker, .. } => Some((acker, None)),
        }
    }
}

/// The deliveries this process is working on; a duplicate job that arrives meanwhile
/// waits instead of causing a second POST. A job holds its delivery through a [`Claim`],
/// so a hold ends exactly once, when that job's claim is dropped, and never ends another
/// job's.
#[derive(Debug, Clone, Default)]
pub struct InFlight(Arc<Mutex<HashSet<Uuid>>>);

impl InFlight {
    /// Holds `id` for the caller; `None` while another job holds it.
    pub fn claim(&self, id: Uuid) -> Option<Claim> {
        // A poisoned set (a panic while it was held) still holds the right ids.
        let mut set = self.0.lock().unwrap_or_else(|e| e.into_inner());
        set.insert(id).then(|| Claim {
            set: self.clone(),
            id,
        })
    }

    /// Whether `id` is held now.
    pub fn holds(&self, id: Uuid) -> bool {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&id)
    }
}

/// A job's hold on its delivery; released when dropped.
#[derive(Debug)]
pub struct Claim {
    set: InFlight,
    id: Uuid,
}

impl Drop for Claim {
    fn drop(&mut self) {
        let mut set = self.set.0.lock().unwrap_or_else(|e| e.into_inner());
        set.remove(&self.id);
    }
}

/// One job's share of a message.
pub struct Part<A> {
    message: Arc<Message<A>>,
}

struct Message<A> {
    /// Taken by the part that settles last.
    acker: Mutex<Option<A>>,
    unsettled: AtomicUsize,
    requeue: AtomicBool,
}

/// Splits a message's acker into `parts` parts (at least one).
pub fn split<A: Acknowledge>(acker: A, parts: usize) -> Vec<Part<A>> {
    let parts = parts.max(1);
    let message = Arc::new(Message {
        acker: Mutex::new(Some(acker)),
        unsettled: AtomicUsize::new(parts),
        requeue: AtomicBool::new(false),
    });
    (0..parts)
        .map(|_| Part {
            message: Arc::clone(&message),
        })
        .collect()
}

impl<A: Acknowledge> Part<A> {
    async fn settle(self, requeue: bool) -> Result<(), AckError> {
        if requeue {
            self.message.requeue.store(true, Ordering::SeqCst);
        }
        if self.message.unsettled.fetch_sub(1, Ordering::AcqRel) != 1 {
            return Ok(());
        }
        let acker = self.message.acker.lock().ok().and_then(|mut a| a.take());
        match acker {
            Some(acker) if self.message.requeue.load(Ordering::SeqCst) => acker.requeue().await,
            Some(acker) => acker.ack().await,
            None => Ok(()),
        }
    }
}

impl<A: Acknowledge> Acknowledge for Part<A> {
    async fn ack(self) -> Result<(), AckError> {
        self.settle(false).await
    }

    async fn requeue(self) -> Result<(), AckError> {
        self.settle(true).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An acker that counts how it was settled.
    #[derive(Clone, Default)]
    struct Counts(Arc<Mutex<Vec<&'static str>>>);

    impl Acknowledge for Counts {
        async fn ack(self) -> Result<(), AckError> {
            self.0.lock().expect("log").push("ack");
            Ok(())
        }

        async fn requeue(self) -> Result<(), AckError> {
            self.0.lock().expect("log").push("requeue");
            Ok(())
        }
    }

    fn log(c: &Counts) -> Vec<&'static str> {
        c.0.lock().expect("log").clone()
    }

    #[tokio::test]
    async fn the_message_is_acked_once_when_its_last_part_is() {
        let counts = Counts::default();
        let mut parts = split(counts.clone(), 3);
        parts.pop().expect("part").ack().await.expect("ack");
        parts.pop().expect("part").ack().await.expect("ack");
        assert!(log(&counts).is_empty(), "not before the last part");
        parts.pop().expect("part").ack().await.expect("ack");
        assert_eq!(log(&counts), ["ack"]);
    }

    #[tokio::test]
    async fn one_part_asking_for_a_requeue_requeues_the_message_once_at_the_end() {
        let counts = Counts::default();
        let mut parts = split(counts.clone(), 3);
        parts.pop().expect("part").requeue().await.expect("requeue");
        assert!(log(&counts).is_empty(), "not before the last part");
        parts.pop().expect("part").ack().await.expect("ack");
        parts.pop().expect("part").ack().await.expect("ack");
        assert_eq!(log(&counts), ["requeue"]);
    }

    #[tokio::test]
    async fn a_single_part_settles_at_once_and_zero_parts_means_one() {
        let counts = Counts::default();
        let parts = split(counts.clone(), 0);
        assert_eq!(parts.len(), 1);
        for part in parts {
            part.ack().await.expect("ack");
        }
        assert_eq!(log(&counts), ["ack"]);
    }
}
