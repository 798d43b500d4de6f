//! The exchanges and queues of one installation: sharded work queues, the delay queues
//! and their ladder, and where a job is routed.

use lapin::options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{Channel, ExchangeKind};

use hookrelay_domain::delivery::DeliveryJob;

use super::{DELAY_HEADER, ROUTING_KEY};

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
    pub(super) fn delivery_mode(&self) -> u8 {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
