//! One broker message carries up to 64 jobs (a batch of events and their fan-out). Each
//! job settles its own [`Part`]; the message is acked when the last part is, or requeued
//! whole when any part asked for that (a job that came back while its delivery was in
//! flight, a failed write). Parts already recorded are skipped when it comes back, so a
//! requeue never repeats a POST that was recorded.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::recorder::{AckError, Acknowledge};

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
