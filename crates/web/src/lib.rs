//! hookrelay-web: the HTTP layer the API and the ingester share, above the domain and
//! the storage/queue layer (see `docs/ARCHITECTURE.md`).
//!
//! - [`error`]: [`error::ApiError`], every failure a caller can see, mapped to
//!   `{"error": {"code", "message", "field"}}` and a status code in one place;
//! - [`extract`]: body and query extractors that report bad input as 400/413/415/422
//!   naming the field;
//! - [`http`]: JSON errors for what actix answers itself, `/healthz`, `/readyz`,
//!   `/metrics`, HTTP metrics by route template;
//! - [`limits`]: token buckets per key and per client address, answering 429;
//! - [`openapi`]: the answers every operation can give, added to both OpenAPI documents;
//! - [`server`]: the HTTP server of the API and the ingester, whose protocol errors (400,
//!   408, 431 before any request exists) are JSON too.

pub mod error;
pub mod extract;
pub mod http;
pub mod limits;
pub mod openapi;
pub mod server;
