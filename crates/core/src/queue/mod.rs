//! RabbitMQ transport. The broker only carries work: every job can be rebuilt from
//! PostgreSQL, so a publish that fails is logged and left to the outbox sweeper.
//!
//! - [`codec`]: the job message (the domain's [`DeliveryJob`] as protobuf);
//! - [`topology`]: exchanges, sharded work queues, delay queues, routing;
//! - [`nodes`]: the broker nodes of a cluster, and failing over between them;
//! - [`publisher`]: the confirmed [`JobPublisher`].

mod codec;
mod nodes;
mod publisher;
mod topology;

pub use codec::{decode_jobs, JobDecodeError, ReceivedJob, MAX_JOBS_PER_MESSAGE};
pub use nodes::{BrokerNodes, BrokerNodesError};
pub use publisher::JobPublisher;
pub use topology::{Destination, QueueType, Topology, DELAY_LADDER_SECS};

/// Routing key of the work exchange for jobs without an endpoint (of earlier versions):
/// they go to the unsharded work queue, which every dispatcher consumes.
pub const ROUTING_KEY: &str = "deliver";

/// The header that routes a job to its delay queue through the delays exchange.
pub(crate) const DELAY_HEADER: &str = "hookrelay-delay";

/// Why a broker operation failed: a connection, a publish and its confirm, a channel
/// set-up, or a consumer that stopped receiving.
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
    #[error("the broker ended every consumer of the channel")]
    ConsumersEnded,
}
