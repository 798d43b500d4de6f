//! Commit, then publish: the one way to finish work that creates delivery jobs.
//!
//! PostgreSQL is the outbox: a delivery row is due the moment it commits, and the sweeper
//! republishes any due delivery whose job the broker never got. Publishing right after the
//! commit is what makes delivery fast; forgetting it would only show as a ~30 s delay. So
//! repositories that create jobs hand back [`Unpublished`] work, whose value can only be
//! taken out through [`Outbox`], which commits (or is told the statement committed) and
//! then publishes.

use deadpool_postgres::Transaction;
use hookrelay_domain::delivery::DeliveryJob;

use crate::queue::{Destination, JobPublisher};
use crate::report::ErrorChain;

/// Work whose jobs must be published once it is committed. The value is reachable only
/// through [`Outbox::commit`] / [`Outbox::committed`] (or borrowed with [`Unpublished::get`]
/// while the transaction is still open).
#[must_use = "finish it with Outbox::commit or Outbox::committed, or its jobs are never published"]
#[derive(Debug)]
pub struct Unpublished<T> {
    value: T,
    jobs: Vec<DeliveryJob>,
}

impl<T> Unpublished<T> {
    /// Work that produced `jobs` (built by repositories).
    pub fn new(value: T, jobs: Vec<DeliveryJob>) -> Self {
        Self { value, jobs }
    }

    /// The value, before the commit (e.g. an id to link in the same transaction).
    pub fn get(&self) -> &T {
        &self.value
    }

    /// The jobs that will be published.
    pub fn jobs(&self) -> &[DeliveryJob] {
        &self.jobs
    }

    /// The same work, its value dropped (only the jobs matter).
    pub fn map_unit(work: Unpublished<T>) -> Unpublished<()> {
        Unpublished {
            value: (),
            jobs: work.jobs,
        }
    }

    /// Several pieces of work of one transaction as one.
    pub fn all(parts: Vec<Unpublished<T>>) -> Unpublished<Vec<T>> {
        let mut values = Vec::with_capacity(parts.len());
        let mut jobs = Vec::new();
        for part in parts {
            values.push(part.value);
            jobs.extend(part.jobs);
        }
        Unpublished {
            value: values,
            jobs,
        }
    }
}

/// Publishes the jobs of committed work.
#[derive(Clone)]
pub struct Outbox {
    publisher: JobPublisher,
}

impl Outbox {
    pub fn new(publisher: JobPublisher) -> Self {
        Self { publisher }
    }

    /// Commits `tx`, then publishes the work's jobs in the background; returns the value.
    pub async fn commit<T>(
        &self,
        tx: Transaction<'_>,
        work: Unpublished<T>,
    ) -> Result<T, tokio_postgres::Error> {
        tx.commit().await?;
        Ok(self.committed(work))
    }

    /// For work its own autocommitted statement already made durable: publishes the jobs
    /// in the background (the caller does not wait for the broker) and returns the value.
    pub fn committed<T>(&self, work: Unpublished<T>) -> T {
        if !work.jobs.is_empty() {
            let publisher = self.publisher.clone();
            let jobs = work.jobs;
            tokio::spawn(async move { publish(&publisher, &jobs).await });
        }
        work.value
    }

    /// Like [`Outbox::committed`], but returns once the broker confirmed (or refused) the
    /// jobs, for callers that answer only after the work is on its way.
    pub async fn committed_confirmed<T>(&self, work: Unpublished<T>) -> T {
        publish(&self.publisher, &work.jobs).await;
        work.value
    }
}

async fn publish(publisher: &JobPublisher, jobs: &[DeliveryJob]) {
    if let Err(e) = publisher.publish(jobs, Destination::Work).await {
        // The rows are committed and due: the sweeper resends them.
        tracing::warn!(error = %ErrorChain(&e), jobs = jobs.len(), "publish after commit failed; the sweeper will resend");
    }
}
