//! hookrelay-ingester: the public endpoint where workflows (e.g. n8n) report what became
//! of a scheduled post.
//!
//! - [`startup`]: binds the public and ops ports and wires the state;
//! - [`state`]: what the handler can reach;
//! - [`callbacks`]: `POST /v1/callbacks/{token}`: verify, log, apply, announce;
//! - [`openapi`]: the ingester's OpenAPI document.

pub mod callbacks;
pub mod openapi;
pub mod startup;
pub mod state;
