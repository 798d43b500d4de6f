//! hookrelay-api: the REST API for tenants, API keys, webhooks and events, and the web
//! console (`console`) that uses it.
//!
//! - [`startup`]: binds the public and ops ports and builds the [`state::AppState`];
//! - [`routes`]: one file per resource; handlers parse, call, map, and never import each
//!   other;
//! - [`app`]: what handlers call when a request is more than one repository call (the
//!   strict event-type check with its compiled schemas, test sends, creating a webhook
//!   with `test_first`);
//! - [`views`]: response types more than one route answers with, where stored names
//!   become the API's;
//! - [`auth`]: tenant and admin credentials; [`ingest`]: `POST /v1/events` in batches;
//!   [`replayer`]: bulk replays; [`request_span`]: request traces; [`openapi`]: the
//!   OpenAPI document.

pub mod app;
pub mod asyncapi;
pub mod auth;
pub mod console;
pub mod ingest;
pub mod openapi;
pub mod replayer;
pub mod request_span;
pub mod routes;
pub mod startup;
pub mod state;
pub mod views;
