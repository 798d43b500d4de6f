//! hookrelay-api: the REST API for tenants, API keys, webhooks and events, and the web
//! console (`console`) that uses it.

pub mod attempts;
pub mod auth;
pub mod console;
pub mod ingest;
pub mod openapi;
pub mod replayer;
pub mod request_span;
pub mod routes;
pub mod startup;
pub mod strict;
