//! Webhook signing secrets (`whsec_` + base64 key), as Standard Webhooks defines them.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::RngCore;

use super::{CorruptValue, ValidationError};

const PREFIX: &str = "whsec_";
const MIN_KEY: usize = 24;
const MAX_KEY: usize = 64;

/// A signing secret; keeps the decoded key so signing never re-parses it.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret {
    text: String,
    key: Vec<u8>,
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(..)")
    }
}

impl WebhookSecret {
    /// Accepts `whsec_` followed by standard base64 of 24 to 64 bytes.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let encoded = s
            .strip_prefix(PREFIX)
            .ok_or_else(|| ValidationError::new("secret", "must start with `whsec_`"))?;
        let key = STANDARD.decode(encoded).map_err(|_| {
            ValidationError::new("secret", "must be `whsec_` followed by standard base64")
        })?;
        if !(MIN_KEY..=MAX_KEY).contains(&key.len()) {
            return Err(ValidationError::new(
                "secret",
                format!(
                    "key must be {MIN_KEY} to {MAX_KEY} bytes (got {})",
                    key.len()
                ),
            ));
        }
        Ok(Self {
            text: s.to_string(),
            key,
        })
    }

    /// Reads a stored secret back; one that does not parse is a corrupt row (a delivery
    /// must never go out unsigned).
    pub fn from_stored(s: &str) -> Result<Self, CorruptValue> {
        Self::parse(s).map_err(|e| CorruptValue::new("signing secret", e.message))
    }

    /// A fresh secret of 32 random bytes.
    pub fn generate() -> Self {
        let mut key = vec![0u8; 32];
        rand::rng().fill_bytes(&mut key);
        Self {
            text: format!("{PREFIX}{}", STANDARD.encode(&key)),
            key,
        }
    }

    /// The `whsec_...` form shown to the user.
    pub fn expose(&self) -> &str {
        &self.text
    }

    /// The raw HMAC key.
    pub fn key(&self) -> &[u8] {
        &self.key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secret_round_trips() {
        let s = WebhookSecret::generate();
        assert!(s.expose().starts_with("whsec_"));
        assert_eq!(s.key().len(), 32);
        assert_eq!(WebhookSecret::parse(s.expose()).expect("parses"), s);
    }

    #[test]
    fn bad_secrets_are_refused() {
        let short = format!("whsec_{}", STANDARD.encode([1u8; 23]));
        let long = format!("whsec_{}", STANDARD.encode([1u8; 65]));
        for bad in [
            "",
            "whsec_",
            "sk_abc",
            "whsec_***",
            short.as_str(),
            long.as_str(),
        ] {
            assert!(WebhookSecret::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(WebhookSecret::parse(&format!("whsec_{}", STANDARD.encode([1u8; 24]))).is_ok());
        assert!(WebhookSecret::parse(&format!("whsec_{}", STANDARD.encode([1u8; 64]))).is_ok());
    }
}
