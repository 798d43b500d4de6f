//! Domain newtypes: each can only be built through `parse`, so a value that exists is valid.

mod event_type;
mod headers;
mod post;
mod secret;
mod target;
mod webhook;

pub use event_type::{EventType, EventTypePattern, EVENT_TYPE_MAX_LEN};
pub use headers::{CustomHeaders, MAX_CUSTOM_HEADERS};
pub use post::{
    format_schedule_time, parse_schedule_time, post_text, ChannelIdentifier, POST_TEXT_MAX,
    SCHEDULE_FORMAT,
};
pub use secret::WebhookSecret;
pub use target::{is_public_ip, TargetPolicy, WebhookUrl, URL_MAX_LEN};
pub use webhook::{display_name, Description, PayloadFormat, WebhookName};

use crate::error::ApiError;

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

impl From<ValidationError> for ApiError {
    fn from(e: ValidationError) -> Self {
        ApiError::validation(e.field, e.message)
    }
}
