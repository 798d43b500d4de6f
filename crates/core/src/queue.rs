//! RabbitMQ transport: topology, the job message (the domain's [`DeliveryJob`] as
//! protobuf), and a confirmed publisher.
//!
//! The broker only carries work: every job can be rebuilt from PostgreSQL, so a publish
//! that fails is logged and left to the outbox sweeper.

use std::sync::Arc;
use std::time::{Duration, Instant};

use lapin::options::{
    BasicPublishOptions, ConfirmSelectOptions, ExchangeDeclareOptions, QueueBindOptions,
    QueueDeclareOptions,
};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::Confirmation;
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties, ExchangeKind};
use prost::Message;

use hookrelay_domain::delivery::DeliveryJob;
use hookrelay_domain::flow::Endpoint;
use uuid::Uuid;

/// Generated protobuf messages of `proto/`: only this module converts them.
mod proto {
    include!(concat!(env!("OUT_DIR"), "/hookrelay.v1.rs"));
}

/// Most jobs packed into one broker message.
pub const MAX_JOBS_PER_MESSAGE: usize = 64;

/// AMQP `type` of a message holding several jobs ([`proto::DeliveryJobs`]); a message
/// without it holds one job.
const PACKED: &str = "hookrelay.v1.DeliveryJobs";

/// The job as the wire message, published now and reaching the work queue after `delay`
/// (zero, or the TTL of the delay queue it goes through).
fn job_message(job: &DeliveryJob, delay: Duration) -> proto::DeliveryJob {
    let delay_ms = i64::try_from(delay.as_millis()).unwrap_or(i64::MAX);
    proto::DeliveryJob {
        delivery_id: job.delivery_id().to_string(),
        attempt: job.attempt(),
        traceparent: job.traceparent().unwrap_or_default().to_string(),
        due_at_ms: job.due().map_or(0, |t| t.timestamp_millis()),
        ready_at_ms: chrono::Utc::now()
            .timestamp_millis()
            .saturating_add(delay_ms),
        endpoint: job.endpoint().map(|e| proto::Endpoint {
            tenant_id: e.tenant_id.as_bytes().to_vec(),
            webhook_id: e.webhook_id.as_bytes().to_vec(),
        }),
    }
}

/// The message body of one job published now that reaches the work queue after `delay`.
fn encode_job(job: &DeliveryJob, delay: Duration) -> Vec<u8> {
    job_message(job, delay).encode_to_vec()
}

/// The message body of several jobs (AMQP `type` [`PACKED`]).
fn encode_jobs(jobs: &[&DeliveryJob], delay: Duration) -> Vec<u8> {
    proto::DeliveryJobs {
        jobs: jobs.iter().map(|job| job_message(job, delay)).collect(),
    }
    .encode_to_vec()
}

/// A message body that is not a job.
#[derive(Debug, thiserror::Error)]
pub enum JobDecodeError {
    #[error("undecodable job message")]
    Protobuf(#[from] prost::DecodeError),
    #[error("job with a malformed delivery id {0:?}")]
    DeliveryId(String),
    #[error("a packed message without jobs")]
    Empty,
    #[error("job with a malformed endpoint")]
    Endpoint,
}

/// A job read back, with when it became ready in the work queue (absent in messages of
/// earlier versions).
pub type ReceivedJob = (DeliveryJob, Option<chrono::DateTime<chrono::Utc>>);

fn job_of(message: proto::DeliveryJob) -> Result<ReceivedJob, JobDecodeError> {
    let id: Uuid = message
        .delivery_id
        .parse()
        .map_err(|_| JobDecodeError::DeliveryId(message.delivery_id.clone()))?;
    let due_at = (message.due_at_ms > 0)
        .then(|| chrono::DateTime::from_timestamp_millis(message.due_at_ms))
        .flatten();
    let ready_at = (message.ready_at_ms > 0)
        .then(|| chrono::DateTime::from_timestamp_millis(message.ready_at_ms))
        .flatten();
    let endpoint = message
        .endpoint
        .map(|e| {
            Ok::<_, JobDecodeError>(Endpoint {
                tenant_id: Uuid::from_slice(&e.tenant_id).map_err(|_| JobDecodeError::Endpoint)?,
                webhook_id: Uuid::from_slice(&e.webhook_id)
                    .map_err(|_| JobDecodeError::Endpoint)?,
            })
        })
        .transpose()?;
    let job = DeliveryJob::new(id, message.attempt, Some(message.traceparent))
        .due_at(due_at)
        .to_maybe(endpoint);
    Ok((job, ready_at))
}

/// Reads a message body back as one job.
fn decode_job(body: &[u8]) -> Result<ReceivedJob, JobDecodeError> {
    job_of(proto::DeliveryJob::decode(body)?)
}

/// Reads a received message back as its jobs, by its AMQP `type`: one job, or several.
pub fn decode_jobs(kind: Option<&str>, body: &[u8]) -> Result<Vec<ReceivedJob>, JobDecodeError> {
    if kind != Some(PACKED) {
        return Ok(vec![decode_job(body)?]);
    }
    let jobs = proto::DeliveryJobs::decode(body)?
        .jobs
        .into_iter()
        .map(job_of)
        .collect::<Result<Vec<_>, _>>()?;
    if jobs.is_empty() {
        return Err(JobDecodeError::Empty);
    }
    Ok(jobs)
}

/// Routing key of the work exchange for jobs without an endpoint (of earlier versions):
/// they go to the unsharded work queue, which every dispatcher consumes.
pub const ROUTING_KEY: &str = "deliver";

/// The header that routes a job to its delay queue through the delays exchange.
const DELAY_HEADER: &str = "hookrelay-delay";

/// Why a publish or connection failed.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("RabbitMQ error")]
    Amqp(#[from] lapin::Error),
    #[error("RabbitMQ unreachable (connect timed out)")]
    ConnectTimeout,
    #[error("RabbitMQ recently unreachable; not retrying yet")]
    BackingOff,
    #[error("broker refused the message (nack)")]
    Nacked,
    #[error("message was unroutable (returned)")]
    Returned,
    #[error("broker did not confirm in time")]
    ConfirmTimeout,
    #[error("RabbitMQ did not finish setting up the channel in time")]
    SetupTimeout,
    #[error("the consumer received nothing while jobs were waiting")]
    Stalled,
}

/// Delay queues every installation has (seconds), besides those of its default schedule.
/// Any delay is waited out as a few hops through them: the job carries its due time, and
/// one that arrives early goes round again (at most ~10 hops for a day-long delay).
pub const DELAY_LADDER_SECS: [u64; 6] = [1, 5, 25, 125, 625, 3125];

/// The RabbitMQ queue type of the work and delay queues (`amqp.queue_type`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QueueType {
    /// Replicated (Raft) and fsynced on every node: survives losing a node with its
    /// messages. The default.
    #[default]
    Quorum,
    /// One node's queue: less CPU and latency per message, but a lost node loses its
    /// messages, which the sweeper then republishes from PostgreSQL (a bounded delay).
    Classic,
}

impl QueueType {
    pub fn as_str(self) -> &'static str {
        match self {
            QueueType::Quorum => "quorum",
            QueueType::Classic => "classic",
        }
    }
}

/// Names of the exchanges and queues of one installation.
#[derive(Debug, Clone)]
pub struct Topology {
    prefix: String,
    shards: u16,
    retry_delays_secs: Vec<u64>,
    queue_type: QueueType,
    persistent_messages: bool,
}

impl Topology {
    /// Topology for a name prefix and the default retry schedule: a delay queue for each
    /// delay of the schedule and of [`DELAY_LADDER_SECS`].
    pub fn new(prefix: &str, retry_delays_secs: &[u64]) -> Self {
        let mut delays: Vec<u64> = retry_delays_secs
            .iter()
            .chain(DELAY_LADDER_SECS.iter())
            .copied()
            .filter(|d| *d > 0)
            .collect();
        delays.sort_unstable();
        delays.dedup();
        Self {
            prefix: prefix.to_string(),
            shards: 1,
            retry_delays_secs: delays,
            queue_type: QueueType::default(),
            persistent_messages: true,
        }
    }

    /// The same topology publishing transient messages when `persistent` is false: the
    /// broker keeps them in memory only (no disk write before the confirm); a broker
    /// restart loses them and the sweeper republishes from PostgreSQL.
    pub fn with_persistent_messages(mut self, persistent: bool) -> Self {
        self.persistent_messages = persistent;
        self
    }

    /// AMQP delivery mode of published jobs: 2 persistent, 1 transient.
    fn delivery_mode(&self) -> u8 {
        if self.persistent_messages {
            2
        } else {
            1
        }
    }

    /// The same topology with `shards` shard queues (at least one).
    pub fn with_shards(mut self, shards: u16) -> Self {
        self.shards = shards.max(1);
        self
    }

    /// How many shard queues there are.
    pub fn shards(&self) -> u16 {
        self.shards
    }

    /// The shard queue of shard `shard`: jobs of the webhooks hashed to it
    /// ([`Endpoint::shard`]); single-active-consumer, and served by the dispatcher that
    /// holds the shard's lock.
    pub fn shard_queue(&self, shard: u16) -> String {
        format!("{}.deliveries.{shard}", self.prefix)
    }

    /// The routing key of a job: its shard's, or the unsharded queue's for a job without
    /// an endpoint.
    pub fn routing_key(&self, job: &DeliveryJob) -> String {
        match job.endpoint() {
            Some(endpoint) => shard_key(endpoint.shard(self.shards)),
            None => ROUTING_KEY.to_string(),
        }
    }

    /// The headers exchange delay queues are bound to (by [`DELAY_HEADER`]): a job keeps
    /// its routing key through a delay queue, so it comes back to its own shard.
    pub fn delays_exchange(&self) -> String {
        format!("{}.delays", self.prefix)
    }

    /// The same topology with queues of `queue_type`. Queues keep the type they were
    /// declared with: changing it needs a new `amqp.prefix` (or deleting the queues).
    pub fn with_queue_type(mut self, queue_type: QueueType) -> Self {
        self.queue_type = queue_type;
        self
    }

    /// The delay queue a wait of `delay` goes through first: the longest one that does
    /// not overshoot it (the shortest one for a wait under a second).
    pub fn hop(&self, delay: std::time::Duration) -> u64 {
        let secs = delay.as_secs();
        self.retry_delays_secs
            .iter()
            .rev()
            .find(|d| **d <= secs)
            .or(self.retry_delays_secs.first())
            .copied()
            .unwrap_or(1)
    }

    /// The direct exchange jobs are published to.
    pub fn exchange(&self) -> String {
        format!("{}.deliveries", self.prefix)
    }

    /// The unsharded work queue: jobs without an endpoint (of earlier versions, and
    /// delay queues of earlier versions dead-letter into it); every dispatcher consumes it.
    pub fn work_queue(&self) -> String {
        format!("{}.deliveries", self.prefix)
    }

    /// The TTL queue that holds a job for `delay_secs` before dead-lettering it back to
    /// the work exchange under its own routing key (so to its shard).
    pub fn retry_queue(&self, delay_secs: u64) -> String {
        format!("{}.delay.{delay_secs}s", self.prefix)
    }

    /// Every queue a dispatcher may consume: the shard queues, then the unsharded one.
    pub fn consumed_queues(&self) -> Vec<String> {
        (0..self.shards)
            .map(|s| self.shard_queue(s))
            .chain(std::iter::once(self.work_queue()))
            .collect()
    }

    /// Declares everything; idempotent, run by every process when it connects.
    pub async fn declare(&self, channel: &Channel) -> Result<(), lapin::Error> {
        let durable = QueueDeclareOptions {
            durable: true,
            ..Default::default()
        };
        let exchange = |name: String, kind: ExchangeKind| {
            channel.exchange_declare(
                name.into(),
                kind,
                ExchangeDeclareOptions {
                    durable: true,
                    ..Default::default()
                },
                FieldTable::default(),
            )
        };
        exchange(self.exchange(), ExchangeKind::Direct).await?;
        exchange(self.delays_exchange(), ExchangeKind::Headers).await?;
        let typed = || {
            let mut args = FieldTable::default();
            args.insert(
                "x-queue-type".into(),
                AMQPValue::LongString(self.queue_type.as_str().into()),
            );
            args
        };
        let bind = |queue: String, exchange: String, key: String, args: FieldTable| {
            channel.queue_bind(
                queue.into(),
                exchange.into(),
                key.into(),
                QueueBindOptions::default(),
                args,
            )
        };
        channel
            .queue_declare(self.work_queue().into(), durable, typed())
            .await?;
        bind(
            self.work_queue(),
            self.exchange(),
            ROUTING_KEY.into(),
            FieldTable::default(),
        )
        .await?;
        for shard in 0..self.shards {
            let mut args = typed();
            // One consumer at a time, whichever dispatchers attach: a webhook's limits are
            // kept in the memory of the dispatcher serving its shard.
            args.insert("x-single-active-consumer".into(), AMQPValue::Boolean(true));
            channel
                .queue_declare(self.shard_queue(shard).into(), durable, args)
                .await?;
            bind(
                self.shard_queue(shard),
                self.exchange(),
                shard_key(shard),
                FieldTable::default(),
            )
            .await?;
        }
        for delay in &self.retry_delays_secs {
            let mut args = typed();
            let ttl_ms = i32::try_from(delay.saturating_mul(1000)).unwrap_or(i32::MAX);
            args.insert("x-message-ttl".into(), AMQPValue::LongInt(ttl_ms));
            // No dead-letter routing key: the job keeps its own, its shard's.
            args.insert(
                "x-dead-letter-exchange".into(),
                AMQPValue::LongString(self.exchange().into()),
            );
            channel
                .queue_declare(self.retry_queue(*delay).into(), durable, args)
                .await?;
            let mut matching = FieldTable::default();
            matching.insert("x-match".into(), AMQPValue::LongString("all".into()));
            matching.insert(
                DELAY_HEADER.into(),
                AMQPValue::LongString(delay.to_string().into()),
            );
            bind(
                self.retry_queue(*delay),
                self.delays_exchange(),
                String::new(),
                matching,
            )
            .await?;
        }
        Ok(())
    }
}

/// The routing key of shard `shard`.
fn shard_key(shard: u16) -> String {
    format!("shard.{shard}")
}

/// Where a job goes: straight to the dispatchers, or through a retry delay queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    Work,
    Retry { delay_secs: u64 },
}

/// The RabbitMQ nodes to connect to: one URL, or several separated by commas (the nodes
/// of a cluster). A connection goes to the node that last worked and moves on to the next
/// one when it cannot be reached, so losing a node costs one reconnect.
#[derive(Clone)]
pub struct BrokerNodes {
    urls: Arc<[String]>,
    /// Index of the node that last accepted a connection (shared by clones).
    preferred: Arc<std::sync::atomic::AtomicUsize>,
}

/// A broker address list that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BrokerNodesError(String);

impl BrokerNodes {
    /// Parses `amqp://...` or `amqp://a,amqp://b,...`; each must be amqp:// or amqps://.
    pub fn parse(list: &str) -> Result<Self, BrokerNodesError> {
        let urls: Vec<String> = list
            .split(',')
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_string)
            .collect();
        if urls.is_empty() {
            return Err(BrokerNodesError("names no broker".into()));
        }
        for (i, url) in urls.iter().enumerate() {
            if !url.starts_with("amqp://") && !url.starts_with("amqps://") {
                return Err(BrokerNodesError(format!(
                    "node {} must start with amqp:// or amqps://",
                    i + 1
                )));
            }
        }
        Ok(Self {
            urls: urls.into(),
            preferred: Arc::default(),
        })
    }

    /// Opens a connection to the first node that answers, starting with the one that last
    /// did; each node gets `timeout`.
    pub async fn connect(&self, timeout: Duration) -> Result<Connection, QueueError> {
        use std::sync::atomic::Ordering;
        let first = self.preferred.load(Ordering::Relaxed);
        let mut last_error = QueueError::ConnectTimeout;
        for offset in 0..self.urls.len() {
            let i = (first + offset) % self.urls.len();
            match connect(&self.urls[i], timeout).await {
                Ok(connection) => {
                    if i != first {
                        tracing::info!(
                            node = i + 1,
                            nodes = self.urls.len(),
                            "connected to another RabbitMQ node"
                        );
                    }
                    self.preferred.store(i, Ordering::Relaxed);
                    return Ok(connection);
                }
                Err(e) => last_error = e,
            }
        }
        Err(last_error)
    }
}

/// Host and port only: the URLs carry credentials.
impl std::fmt::Debug for BrokerNodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hosts: Vec<String> = self
            .urls
            .iter()
            .map(|u| match url::Url::parse(u) {
                Ok(parsed) => {
                    let default_port = if parsed.scheme() == "amqps" {
                        5671
                    } else {
                        5672
                    };
                    format!(
                        "{}:{}",
                        parsed.host_str().unwrap_or("?"),
                        parsed.port().unwrap_or(default_port)
                    )
                }
                Err(_) => "?".to_string(),
            })
            .collect();
        f.debug_tuple("BrokerNodes").field(&hosts).finish()
    }
}

/// Opens a connection to one URL, giving up after `timeout`.
async fn connect(url: &str, timeout: Duration) -> Result<Connection, QueueError> {
    let connecting = Connection::connect(url, ConnectionProperties::default());
    match tokio::time::timeout(timeout, connecting).await {
        Ok(conn) => Ok(conn?),
        Err(_) => Err(QueueError::ConnectTimeout),
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broker_lists_parse_and_hide_their_credentials() {
        let one = BrokerNodes::parse("amqp://u:secret@h1/%2f").expect("one node");
        assert_eq!(format!("{one:?}"), r#"BrokerNodes(["h1:5672"])"#);
        let three = BrokerNodes::parse(
            "amqp://u:secret@h1:5681/%2f, amqp://u:secret@h2:5682/%2f,amqps://u:secret@h3/%2f",
        )
        .expect("three nodes");
        let shown = format!("{three:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert_eq!(shown, r#"BrokerNodes(["h1:5681", "h2:5682", "h3:5671"])"#);
        assert!(BrokerNodes::parse("").is_err());
        assert!(BrokerNodes::parse(" , ").is_err());
        let err = BrokerNodes::parse("amqp://h1,http://h2").expect_err("bad scheme");
        assert!(err.to_string().contains("node 2"), "{err}");
    }

    #[test]
    fn jobs_carry_their_endpoint_and_are_routed_to_its_shard() {
        let endpoint = Endpoint {
            tenant_id: Uuid::now_v7(),
            webhook_id: Uuid::now_v7(),
        };
        let job = DeliveryJob::new(Uuid::now_v7(), 2, None).to(endpoint);
        let (decoded, _) = decode_job(&encode_job(&job, Duration::ZERO)).expect("decodes");
        assert_eq!(decoded.endpoint(), Some(endpoint));
        assert_eq!(decoded.next_attempt().endpoint(), Some(endpoint));
        let t = Topology::new("x", &[5]).with_shards(8);
        let shard = endpoint.shard(8);
        assert_eq!(t.routing_key(&job), format!("shard.{shard}"));
        assert_eq!(t.shard_queue(shard), format!("x.deliveries.{shard}"));
        // A job of an earlier version has no endpoint: the unsharded queue.
        let old = DeliveryJob::new(Uuid::now_v7(), 1, None);
        assert_eq!(t.routing_key(&old), ROUTING_KEY);
        assert_eq!(t.consumed_queues().len(), 9);
        assert_eq!(t.consumed_queues()[8], "x.deliveries");
        let mut bad = job_message(&job, Duration::ZERO);
        bad.endpoint = Some(proto::Endpoint {
            tenant_id: vec![1, 2],
            webhook_id: vec![],
        });
        assert!(matches!(
            decode_job(&bad.encode_to_vec()),
            Err(JobDecodeError::Endpoint)
        ));
    }

    #[test]
    fn waits_hop_through_the_delay_ladder() {
        let t = Topology::new("x", &[5, 25, 125]);
        let hop = |secs| t.hop(std::time::Duration::from_secs(secs));
        assert_eq!(hop(0), 1);
        assert_eq!(hop(1), 1);
        assert_eq!(hop(3), 1);
        assert_eq!(hop(5), 5);
        assert_eq!(hop(40), 25);
        assert_eq!(hop(125), 125);
        assert_eq!(hop(86_400), 3125);
        let custom = Topology::new("x", &[7]);
        assert_eq!(custom.hop(std::time::Duration::from_secs(8)), 7);
    }

    #[test]
    fn packed_jobs_round_trip_and_only_their_type_unpacks_them() {
        let jobs: Vec<DeliveryJob> = (1..=3)
            .map(|n| DeliveryJob::new(Uuid::now_v7(), n, Some(format!("00-{n}-x-01"))))
            .collect();
        let body = encode_jobs(&jobs.iter().collect::<Vec<_>>(), Duration::ZERO);
        let decoded = decode_jobs(Some(PACKED), &body).expect("decodes");
        assert_eq!(
            decoded
                .iter()
                .map(|(job, _)| job.clone())
                .collect::<Vec<_>>(),
            jobs
        );
        assert!(decoded.iter().all(|(_, ready)| ready.is_some()));
        // A single job's message decodes as one job, with or without another type.
        let one = encode_job(&jobs[0], Duration::ZERO);
        assert_eq!(decode_jobs(None, &one).expect("one")[0].0, jobs[0]);
        assert_eq!(decode_jobs(Some("other"), &one).expect("one").len(), 1);
        // An empty pack or a bad id in one is refused, not half-processed.
        let empty = proto::DeliveryJobs { jobs: vec![] }.encode_to_vec();
        assert!(matches!(
            decode_jobs(Some(PACKED), &empty),
            Err(JobDecodeError::Empty)
        ));
        let mut bad = proto::DeliveryJobs::decode(body.as_slice()).expect("pack");
        bad.jobs[1].delivery_id = "nope".into();
        assert!(matches!(
            decode_jobs(Some(PACKED), &bad.encode_to_vec()),
            Err(JobDecodeError::DeliveryId(_))
        ));
    }

    #[test]
    fn jobs_round_trip_and_bad_messages_are_refused() {
        let job = DeliveryJob::new(Uuid::now_v7(), 3, Some("00-abc-def-01".into()));
        let (decoded, ready) = decode_job(&encode_job(&job, Duration::ZERO)).expect("decodes");
        assert_eq!(decoded, job);
        let age = chrono::Utc::now() - ready.expect("stamped when encoded");
        assert!((0..5_000).contains(&age.num_milliseconds()), "{age}");
        let untraced = DeliveryJob::new(Uuid::now_v7(), 1, None);
        assert_eq!(
            decode_job(&encode_job(&untraced, Duration::ZERO))
                .expect("decodes")
                .0,
            untraced
        );
        // A job sent through a delay queue is ready when the queue's TTL has passed.
        let due = chrono::DateTime::from_timestamp_millis(1_800_000_000_123);
        let later = DeliveryJob::new(Uuid::now_v7(), 2, None).due_at(due);
        let (decoded, ready) =
            decode_job(&encode_job(&later, Duration::from_secs(25))).expect("decodes");
        assert_eq!(decoded.due(), due);
        let ahead = ready.expect("stamped when encoded") - chrono::Utc::now();
        assert!(
            (20_000..=25_000).contains(&ahead.num_milliseconds()),
            "{ahead}"
        );
        assert!(matches!(
            decode_job(b"\xff\xff"),
            Err(JobDecodeError::Protobuf(_))
        ));
        let bad_id = proto::DeliveryJob {
            delivery_id: "nope".into(),
            attempt: 1,
            traceparent: String::new(),
            due_at_ms: 0,
            ready_at_ms: 0,
            endpoint: None,
        }
        .encode_to_vec();
        assert!(matches!(
            decode_job(&bad_id),
            Err(JobDecodeError::DeliveryId(_))
        ));
    }
}
