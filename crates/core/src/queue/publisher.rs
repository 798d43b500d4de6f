//! The confirmed publisher of jobs.

use std::sync::Arc;
use std::time::{Duration, Instant};

use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::Confirmation;
use lapin::{BasicProperties, Channel, Connection};

use hookrelay_domain::delivery::DeliveryJob;

use super::codec::{encode_job, encode_jobs, MAX_JOBS_PER_MESSAGE, PACKED};
use super::nodes::BrokerNodes;
use super::topology::{Destination, Topology};
use super::{QueueError, DELAY_HEADER};

struct Link {
    // Kept so the connection lives as long as its channel.
    _connection: Connection,
    channel: Channel,
}

/// Publishes jobs with publisher confirms over a lazily (re)opened connection. When the
/// broker is down it fails fast for a second instead of blocking every caller.
#[derive(Clone)]
pub struct JobPublisher {
    nodes: BrokerNodes,
    topology: Topology,
    link: Arc<tokio::sync::Mutex<Option<Link>>>,
    last_failure: Arc<std::sync::Mutex<Option<Instant>>>,
}

const BACKOFF: Duration = Duration::from_secs(1);
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(10);

impl JobPublisher {
    /// A publisher; no connection is opened until the first publish.
    pub fn new(nodes: BrokerNodes, topology: Topology) -> Self {
        Self {
            nodes,
            topology,
            link: Arc::new(tokio::sync::Mutex::new(None)),
            last_failure: Arc::new(std::sync::Mutex::new(None)),
        }
    }

    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    async fn channel(&self) -> Result<Channel, QueueError> {
        let mut link = self.link.lock().await;
        if let Some(l) = link.as_ref() {
            if l.channel.status().connected() {
                return Ok(l.channel.clone());
            }
        }
        *link = None;
        if let Ok(last) = self.last_failure.lock() {
            if last.is_some_and(|t| t.elapsed() < BACKOFF) {
                return Err(QueueError::BackingOff);
            }
        }
        let opened = async {
            let connection = self.nodes.connect(Duration::from_secs(2)).await?;
            let channel = connection.create_channel().await?;
            channel
                .confirm_select(ConfirmSelectOptions::default())
                .await?;
            self.topology.declare(&channel).await?;
            Ok::<_, QueueError>(Link {
                _connection: connection,
                channel,
            })
        }
        .await;
        match opened {
            Ok(l) => {
                let channel = l.channel.clone();
                *link = Some(l);
                Ok(channel)
            }
            Err(e) => {
                if let Ok(mut last) = self.last_failure.lock() {
                    *last = Some(Instant::now());
                }
                Err(e)
            }
        }
    }

    /// Publishes the jobs (persistent, mandatory), up to [`MAX_JOBS_PER_MESSAGE`] per
    /// message, and waits for every confirm.
    pub async fn publish(&self, jobs: &[DeliveryJob], dest: Destination) -> Result<(), QueueError> {
        if jobs.is_empty() {
            return Ok(());
        }
        let started = Instant::now();
        // A blocked broker (memory or disk alarm) never confirms: give up, the sweeper resends.
        let result =
            match tokio::time::timeout(PUBLISH_TIMEOUT, self.publish_inner(jobs, dest)).await {
                Ok(r) => r,
                Err(_) => Err(QueueError::ConfirmTimeout),
            };
        let outcome = if result.is_ok() {
            "confirmed"
        } else {
            "failed"
        };
        metrics::counter!("hookrelay_publish_total", "outcome" => outcome)
            .increment(jobs.len() as u64);
        metrics::histogram!("hookrelay_publish_confirm_seconds")
            .record(started.elapsed().as_secs_f64());
        if result.is_err() {
            // Drop the link so the next publish reconnects.
            *self.link.lock().await = None;
        }
        result
    }

    async fn publish_inner(
        &self,
        jobs: &[DeliveryJob],
        dest: Destination,
    ) -> Result<(), QueueError> {
        let channel = self.channel().await?;
        let (exchange, delay_header, delay): (ShortString, _, _) = match dest {
            Destination::Work => (self.topology.exchange().into(), None, Duration::ZERO),
            Destination::Retry { delay_secs } => (
                self.topology.delays_exchange().into(),
                Some(delay_secs.to_string()),
                Duration::from_secs(delay_secs),
            ),
        };
        // Jobs of one shard travel together, up to MAX_JOBS_PER_MESSAGE a message.
        let mut by_key: std::collections::BTreeMap<String, Vec<&DeliveryJob>> =
            std::collections::BTreeMap::new();
        for job in jobs {
            by_key
                .entry(self.topology.routing_key(job))
                .or_default()
                .push(job);
        }
        let mut confirms = Vec::with_capacity(jobs.len().div_ceil(MAX_JOBS_PER_MESSAGE));
        for (routing_key, shard_jobs) in &by_key {
            for pack in shard_jobs.chunks(MAX_JOBS_PER_MESSAGE) {
                let mut properties = BasicProperties::default()
                    .with_delivery_mode(self.topology.delivery_mode())
                    .with_content_type("application/x-protobuf".into());
                let mut headers = FieldTable::default();
                if let Some(delay) = &delay_header {
                    headers.insert(
                        DELAY_HEADER.into(),
                        AMQPValue::LongString(delay.as_str().into()),
                    );
                }
                let body = match pack {
                    [job] => {
                        // The job's trace, for tools that look at the broker's messages.
                        if let Some(traceparent) = job.traceparent() {
                            headers.insert(
                                "traceparent".into(),
                                AMQPValue::LongString(traceparent.into()),
                            );
                        }
                        encode_job(job, delay)
                    }
                    _ => {
                        properties = properties.with_type(PACKED.into());
                        encode_jobs(pack, delay)
                    }
                };
                if !headers.inner().is_empty() {
                    properties = properties.with_headers(headers);
                }
                let confirm = channel
                    .basic_publish(
                        exchange.clone(),
                        routing_key.as_str().into(),
                        BasicPublishOptions {
                            mandatory: true,
                            ..Default::default()
                        },
                        &body,
                        properties,
                    )
                    .await?;
                confirms.push(confirm);
            }
        }
        for confirm in confirms {
            match confirm.await? {
                Confirmation::Ack(None) | Confirmation::NotRequested => {}
                Confirmation::Ack(Some(_)) => return Err(QueueError::Returned),
                Confirmation::Nack(_) => return Err(QueueError::Nacked),
            }
        }
        Ok(())
    }

    /// Whether the broker answers (readiness probes).
    pub async fn ping(&self) -> Result<(), QueueError> {
        self.channel().await.map(|_| ())
    }
}
