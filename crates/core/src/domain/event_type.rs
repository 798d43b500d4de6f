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

/// What a webhook subscribes to: an exact type, `prefix.*`, or `*` for everything.
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

    /// Whether an event of type `event_type` matches. The SQL twin is
    /// [`crate::fanout::PATTERN_MATCH_SQL`]; both must agree.
    pub fn matches(&self, event_type: &str) -> bool {
        if self.0 == "*" {
            return true;
        }
        match self.0.strip_suffix('*') {
            Some(prefix_with_dot) => event_type.starts_with(prefix_with_dot),
            None => self.0 == event_type,
        }
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

    fn pat(s: &str) -> EventTypePattern {
        EventTypePattern::parse("p", s.to_string()).expect("valid pattern")
    }

    #[test]
    fn patterns_match_as_documented() {
        assert!(pat("*").matches("anything.at.all"));
        assert!(pat("order.*").matches("order.created"));
        assert!(pat("order.*").matches("order.created.v2"));
        assert!(!pat("order.*").matches("order"));
        assert!(!pat("order.*").matches("orders.created"));
        assert!(pat("order.created").matches("order.created"));
        assert!(!pat("order.created").matches("order.created.v2"));
    }

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
