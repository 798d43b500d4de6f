//! Custom headers a webhook adds to every delivery.

use std::collections::BTreeMap;

use super::ValidationError;
use crate::signing::DELIVERY_HEADERS;
use crate::SignatureProfile;

/// What answers show for a header value (values are receiver credentials, sealed at
/// rest; `GET /v1/webhooks/{id}/headers` reveals them). Sent back in a PATCH, it keeps the
/// current value.
pub const MASKED_HEADER_VALUE: &str = "********";

/// Most custom headers one webhook may carry.
pub const MAX_CUSTOM_HEADERS: usize = 20;
const MAX_VALUE_LEN: usize = 1024;

/// Names that belong to the connection or its framing.
const CONNECTION_HEADERS: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
    "content-encoding",
    "expect",
];

/// Whether a custom header may not take this (lower-case) name: it belongs to the
/// connection, or hookrelay sets it on deliveries (every profile's headers included).
pub fn is_reserved_header(lower: &str) -> bool {
    CONNECTION_HEADERS.contains(&lower)
        || DELIVERY_HEADERS.contains(&lower)
        || SignatureProfile::ALL
            .iter()
            .any(|p| p.header_names().contains(&lower))
        || lower.starts_with("webhook-")
}

/// Validated custom headers, names lower-cased.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomHeaders(BTreeMap<String, String>);

impl CustomHeaders {
    /// Validates names (HTTP tokens, not reserved) and values (visible ASCII, no CR/LF).
    pub fn parse(headers: BTreeMap<String, String>) -> Result<Self, ValidationError> {
        if headers.len() > MAX_CUSTOM_HEADERS {
            return Err(ValidationError::new(
                "headers",
                format!("at most {MAX_CUSTOM_HEADERS} headers"),
            ));
        }
        let mut out = BTreeMap::new();
        for (name, value) in headers {
            let field = format!("headers.{name}");
            let lower = name.to_ascii_lowercase();
            if lower.is_empty() || !lower.bytes().all(is_token_byte) {
                return Err(ValidationError::new(field, "is not a valid header name"));
            }
            if is_reserved_header(&lower) {
                return Err(ValidationError::new(
                    field,
                    "is set by hookrelay or by the connection and cannot be overridden",
                ));
            }
            if value.len() > MAX_VALUE_LEN {
                return Err(ValidationError::new(
                    field,
                    format!("value must be at most {MAX_VALUE_LEN} bytes"),
                ));
            }
            if !value
                .bytes()
                .all(|b| b == b'\t' || (0x20..0x7f).contains(&b))
            {
                return Err(ValidationError::new(
                    field,
                    "value may contain only visible ASCII characters, spaces and tabs",
                ));
            }
            if out.insert(lower, value).is_some() {
                return Err(ValidationError::new(field, "is given twice"));
            }
        }
        Ok(Self(out))
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter()
    }

    pub fn as_map(&self) -> &BTreeMap<String, String> {
        &self.0
    }
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(name: &str, value: &str) -> Result<CustomHeaders, ValidationError> {
        CustomHeaders::parse(BTreeMap::from([(name.to_string(), value.to_string())]))
    }

    #[test]
    fn reserved_and_malformed_headers_are_refused() {
        for name in [
            "Connection",
            "transfer-encoding",
            "Webhook-Signature",
            "X-Webhook-Event",
            "host",
            "bad name",
            "",
        ] {
            let err = one(name, "v").unwrap_err();
            assert_eq!(err.field, format!("headers.{name}"));
        }
        assert!(one("x-ok", "line\r\nbreak").is_err());
        assert!(one("x-ok", &"v".repeat(1025)).is_err());
        let ok = one("X-Tenant", "abc 123").expect("valid");
        assert_eq!(
            ok.as_map().get("x-tenant").map(String::as_str),
            Some("abc 123")
        );
    }

    #[test]
    fn too_many_headers_are_refused() {
        let many = (0..21)
            .map(|i| (format!("x-h{i}"), "v".to_string()))
            .collect();
        assert_eq!(CustomHeaders::parse(many).unwrap_err().field, "headers");
    }
}
