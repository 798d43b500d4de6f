//! hookrelay-dispatcher: consumes delivery jobs, decides which may start now (per-webhook
//! limits and fair shares between tenants), POSTs signed payloads, records every attempt,
//! schedules retries, and sweeps the outbox for jobs the broker lost.
//!
//! The path of a job through the modules:
//!
//! ```text
//! shards     which shard queues this dispatcher serves (PostgreSQL advisory locks)
//! consumer   receives messages from them, splits them into jobs
//! scheduler  per-webhook lanes: start now, hold in memory, or park in a delay queue
//! job        runs a started job: load (loader), decide, attempt (attempt), hand over
//! recorder   writes results in batches, publishes retries and parked jobs, then acks
//! settle     the ack contract: parts of a message, what a finished job hands over
//! circuits   stores circuit changes and what waits, for the API
//! sweeper    republishes due deliveries the broker lost; retention deletes old rows
//! ```

pub mod attempt;
pub mod circuits;
pub mod consumer;
pub mod job;
pub mod loader;
pub mod recorder;
pub mod retention;
pub mod scheduler;
pub mod settle;
pub mod shards;
pub mod startup;
pub mod sweeper;
