//! Plain webhook fields: name, description, payload format.

use serde::{Deserialize, Serialize};

use super::{CorruptValue, ValidationError};

/// A webhook's display name, 1 to 200 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookName(String);

impl WebhookName {
    pub fn parse(s: String) -> Result<Self, ValidationError> {
        display_name("name", s).map(Self)
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Checks a display name (of a webhook, tenant or API key): 1-200 characters, not blank,
/// no invisible or bidi-control characters (`is_hidden`).
pub fn display_name(field: &str, s: String) -> Result<String, ValidationError> {
    if s.trim().is_empty() {
        return Err(ValidationError::new(field, "must not be empty"));
    }
    if s.chars().count() > 200 {
        return Err(ValidationError::new(
            field,
            "must be at most 200 characters",
        ));
    }
    if s.chars().any(crate::is_hidden) {
        return Err(ValidationError::new(
            field,
            "must not contain control, zero-width, bidi-control or other invisible characters",
        ));
    }
    Ok(s)
}

/// A free-text description, at most 2000 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description(String);

impl Description {
    pub fn parse(s: String) -> Result<Self, ValidationError> {
        if s.chars().count() > 2000 {
            return Err(ValidationError::new(
                "description",
                "must be at most 2000 characters",
            ));
        }
        if s.contains('\0') {
            return Err(ValidationError::new(
                "description",
                "must not contain NUL characters",
            ));
        }
        Ok(Self(s))
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// How a delivery body is shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum PayloadFormat {
    /// `{"event", "event_id", "timestamp", "data"}`
    #[default]
    Envelope,
    /// `{"event", ...fields of data}`
    Flat,
    /// `{"event", "timestamp": <unix seconds>, "webhookId", "data"}`
    Wrapped,
    /// A CloudEvents 1.0 structured-mode event (`application/cloudevents+json`):
    /// `{"specversion", "id", "source", "type", "time", "datacontenttype", "data"}`.
    #[serde(rename = "cloudevents")]
    CloudEvents,
}

impl PayloadFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            PayloadFormat::Envelope => "envelope",
            PayloadFormat::Flat => "flat",
            PayloadFormat::Wrapped => "wrapped",
            PayloadFormat::CloudEvents => "cloudevents",
        }
    }

    /// The `content-type` of its bodies.
    pub fn content_type(self) -> &'static str {
        match self {
            PayloadFormat::CloudEvents => "application/cloudevents+json",
            _ => "application/json",
        }
    }

    /// Reads the stored form back; an unknown name is a corrupt row, not a default.
    pub fn from_stored(s: &str) -> Result<Self, CorruptValue> {
        match s {
            "envelope" => Ok(PayloadFormat::Envelope),
            "flat" => Ok(PayloadFormat::Flat),
            "wrapped" => Ok(PayloadFormat::Wrapped),
            "cloudevents" => Ok(PayloadFormat::CloudEvents),
            other => Err(CorruptValue::new("payload format", format!("{other:?}"))),
        }
    }
}

/// Which signature headers a webhook's deliveries carry besides Standard Webhooks' (always
/// sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum SignatureProfile {
    /// `webhook-id`, `webhook-timestamp`, `webhook-signature` only.
    #[default]
    Standard,
    /// Also `X-Webhook-Event`, `X-Webhook-Timestamp` (ISO 8601 UTC) and
    /// `X-Webhook-Signature`: hex HMAC-SHA256 of the exact body, keyed with the secret as
    /// shown (`whsec_...`). That HMAC covers the body only, not the time: it proves who
    /// sent the body, but a captured request can be replayed later.
    XWebhook,
}

impl SignatureProfile {
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureProfile::Standard => "standard",
            SignatureProfile::XWebhook => "x-webhook",
        }
    }

    pub fn from_stored(s: &str) -> Result<Self, CorruptValue> {
        match s {
            "standard" => Ok(SignatureProfile::Standard),
            "x-webhook" => Ok(SignatureProfile::XWebhook),
            other => Err(CorruptValue::new("signature profile", format!("{other:?}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_formats_round_trip_and_unknown_ones_are_corrupt() {
        for f in [
            PayloadFormat::Envelope,
            PayloadFormat::Flat,
            PayloadFormat::Wrapped,
        ] {
            assert_eq!(PayloadFormat::from_stored(f.as_str()), Ok(f));
        }
        assert!(PayloadFormat::from_stored("xml").is_err());
        assert!(PayloadFormat::from_stored("").is_err());
    }
}
