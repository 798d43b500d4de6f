//! Event type names and the patterns webhooks subscribe with.

use super::ValidationError;

/// Longest event type name.
pub const EVENT_TYPE_MAX_LEN: usize = 100;

fn check_name(field: &str, s: &str) -> Result<(), ValidationError> {
    if s.is_empty() {
        return Err(ValidationError::new(field, "must not be empty"));
    }
    if s.len() > EVENT_TYPE_MAX_LEN {
        return Err(ValidationError::new(
            field,
            format!("must be at most {EVENT_TYPE_MAX_LEN} characters"),
        ));
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    {
        return Err(ValidationError::new(
            field,
            "may contain only letters, digits, '_', '.' and '-'",
        ));
    }
    Ok(())
}

/// The type of an event, e.g. `invoice.paid`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventType(String);

impl EventType {
    /// Validates an event type name.
    pub fn parse(field: &str, s: String) -> Result<Self, ValidationError> {
        check_name(field, &s)?;
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a webhook subscribes to: an exact type, `prefix.*`, or `*` for everything. The
/// matching itself runs in SQL (`hookrelay_core::fanout`), where fan-out happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventTypePattern(String);

impl EventTypePattern {
    /// Validates a pattern; `*` may only stand alone or as the last segment after a dot.
    pub fn parse(field: &str, s: String) -> Result<Self, ValidationError> {
        if s == "*" {
            return Ok(Self(s));
        }
        match s.strip_suffix(".*") {
            Some(prefix) => {
                check_name(field, prefix)?;
                if s.len() > EVENT_TYPE_MAX_LEN {
                    return Err(ValidationError::new(
                        field,
                        format!("must be at most {EVENT_TYPE_MAX_LEN} characters"),
                    ));
                }
            }
            None => check_name(field, &s)?,
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_names_and_patterns_are_refused() {
        for bad in ["", "a b", "ö", "*.x", "a*", "a.*.b", ".*", "a/b"] {
            assert!(
                EventTypePattern::parse("p", bad.to_string()).is_err(),
                "{bad:?} accepted"
            );
        }
        assert!(EventType::parse("t", "x".repeat(101)).is_err());
        assert!(EventType::parse("t", "x".repeat(100)).is_ok());
        assert!(EventType::parse("t", "*".into()).is_err());
    }
}
