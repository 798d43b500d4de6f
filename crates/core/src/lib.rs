//! hookrelay-core: the storage and transport layer, between the domain
//! (`hookrelay-domain`, no I/O) and the HTTP pieces and services above it (see
//! `docs/ARCHITECTURE.md`).
//!
//! - [`configuration`]: layered settings; secrets are `SecretString`s;
//! - [`db`]: the PostgreSQL pool and migrations; [`repo`]: one repository per table
//!   family, each owning its SQL and reading rows back as domain types;
//!   [`fanout`]: the pattern match that runs in SQL; [`pagination`]: keyset cursors;
//! - [`queue`]: RabbitMQ topology, the job message and a confirmed publisher;
//!   [`outbox`]: commit, then publish — the one way work that creates jobs is finished;
//! - [`batch`]: smart batching of concurrent database calls; [`lifecycle`]: disabling
//!   webhooks (410 Gone, failing for days) and announcing it;
//! - [`net`]: resolving a target host for the private-address guard; [`sender`]: the signed
//!   request of an attempt and the HTTP client that sends it (deliveries and test sends);
//! - [`secrets`]: webhook signing secrets sealed at rest (XChaCha20-Poly1305);
//! - [`telemetry`]: logs, metrics, traces; [`report`]: how an error prints;
//!   [`shutdown`]: the signal token passed down to every task.

pub mod batch;
pub mod configuration;
pub mod db;
pub mod fanout;
pub mod lifecycle;
pub mod net;
pub mod outbox;
pub mod pagination;
pub mod queue;
pub mod repo;
pub mod report;
pub mod secrets;
pub mod sender;
pub mod shutdown;
pub mod telemetry;
