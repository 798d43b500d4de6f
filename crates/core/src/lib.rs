//! hookrelay-core: what the API, the dispatcher and the ingester share — configuration,
//! database access, the queue, signing, fan-out, telemetry and domain types.

pub mod batch;
pub mod configuration;
pub mod db;
pub mod domain;
pub mod error;
pub mod extract;
pub mod fanout;
pub mod http;
pub mod pagination;
pub mod payload;
pub mod posts;
pub mod queue;
pub mod repo;
pub mod shutdown;
pub mod signing;
pub mod telemetry;
