//! hookrelay-domain: what hookrelay means, with no I/O and no web framework.
//!
//! The bottom layer of the workspace (see `docs/ARCHITECTURE.md`):
//!
//! ```text
//! hookrelay-domain  <-  hookrelay-core (storage, queue, outbox, config, telemetry)
//!                   <-  hookrelay-web (actix pieces: errors, extractors, ops routes)
//!                   <-  services (api, dispatcher, ingester)
//! ```
//!
//! - validated values, each built only through `parse`: [`EventType`], [`EventTypePattern`],
//!   [`CustomHeaders`], [`WebhookSecret`], [`WebhookUrl`], [`WebhookName`], [`Description`],
//!   [`PayloadFormat`], [`ChannelIdentifier`];
//! - [`attempt`]: one attempt (or test send) and how its POST ended;
//! - [`delivery`]: delivery statuses, the [`delivery::DeliveryJob`] message, the retry
//!   schedule and the dispatcher's decisions as pure functions;
//! - [`flow`]: an endpoint's limits, circuit breaker and receiver pauses, and whether a
//!   delivery may start now (the dispatcher's scheduler decisions);
//! - [`EventSchema`]: an event type's JSON Schema, compiled to match in linear time;
//! - [`handshake`]: the CloudEvents validation handshake and how a receiver's answer is
//!   judged;
//! - [`ordering`]: FIFO webhooks, ordering keys, and whether a delivery's turn has come;
//! - [`post`]: scheduled posts, their statuses and the events they announce;
//! - [`payload`]: the exact bytes a receiver gets (CloudEvents included); [`signing`]:
//!   Standard Webhooks signatures, HMAC (`v1,`) or ed25519 (`v1a,`).

pub mod attempt;
pub mod branding;
pub mod delivery;
mod event_schema;
mod event_type;
pub mod flow;
pub mod handshake;
mod headers;
pub mod ordering;
pub mod payload;
pub mod portal;
pub mod post;
pub mod presets;
pub mod replay;
pub mod schema;
mod secret;
pub mod signing;
mod target;
mod text;
mod time;
mod webhook;

pub use event_schema::{EventSchema, SchemaViolation};
pub use event_type::{
    built_in_event_types, EventType, EventTypePattern, EVENT_TYPE_MAX_LEN, WEBHOOK_CIRCUIT_CLOSED,
    WEBHOOK_CIRCUIT_OPENED, WEBHOOK_DISABLED,
};
pub use headers::{is_reserved_header, CustomHeaders, MASKED_HEADER_VALUE, MAX_CUSTOM_HEADERS};
pub use post::{
    format_schedule_time, parse_schedule_time, post_text, ChannelIdentifier, POST_TEXT_MAX,
    SCHEDULE_FORMAT,
};
pub use secret::{SignatureScheme, WebhookSecret};
pub use target::{is_public_ip, refuse_private, TargetPolicy, WebhookUrl, URL_MAX_LEN};
pub use text::is_hidden;
pub use time::Timestamp;
pub use webhook::{display_name, Description, PayloadFormat, SignatureProfile, WebhookName};

/// A field that failed validation, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ValidationError {
    pub field: String,
    pub message: String,
}

impl ValidationError {
    /// Builds an error for `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A value read back from storage that does not parse as its domain type: a corrupt row.
/// Never papered over with a default; whoever meets one fails loudly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("stored {what} is invalid: {reason}")]
pub struct CorruptValue {
    pub what: &'static str,
    pub reason: String,
}

impl CorruptValue {
    pub fn new(what: &'static str, reason: impl Into<String>) -> Self {
        Self {
            what,
            reason: reason.into(),
        }
    }
}
