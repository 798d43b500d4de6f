//! Event type names and the patterns webhooks subscribe with.

use super::ValidationError;

/// Type of the event that announces a disabled webhook.
pub const WEBHOOK_DISABLED: &str = "webhook.disabled";
/// Types of the events that announce a webhook's circuit opening and closing.
pub const WEBHOOK_CIRCUIT_OPENED: &str = "webhook.circuit_opened";
pub const WEBHOOK_CIRCUIT_CLOSED: &str = "webhook.circuit_closed";

/// The types of the events hookrelay publishes itself (a scheduled post and its status
/// changes, a webhook disabled or its circuit changing): known to every tenant, whether
/// or not its catalogue lists them.
pub fn built_in_event_types() -> Vec<String> {
    let mut types = vec![crate::post::NEW_POST_SCHEDULED.to_string()];
    types.extend(crate::post::PostStatus::ALL.map(|s| format!("post.{s}")));
    types.extend(
        [
            WEBHOOK_DISABLED,
            WEBHOOK_CIRCUIT_OPENED,
            WEBHOOK_CIRCUIT_CLOSED,
        ]
        .map(String::from),
    );
    types
}

/// Longest event type name.
pub const EVENT_TYPE_MAX_LEN: usize = 100;

/// Names as the products name their events: any Unicode letter or digit, spaces, `_`, `.`
/// and `-` (`message sent`, `сomplaint` with a Cyrillic `с`, `post.published`); 1 to 100
/// characters, no leading or trailing space.
fn check_name(field: &str, s: &str) -> Result<(), ValidationError> {
    if s.is_empty() {
        return Err(ValidationError::new(field, "must not be empty"));
    }
    if s.chars().count() > EVENT_TYPE_MAX_LEN {
        return Err(ValidationError::new(
            field,
            format!("must be at most {EVENT_TYPE_MAX_LEN} characters"),
        ));
    }
    if s.trim() != s {
        return Err(ValidationError::new(
            field,
            "must not start or end with white space",
        ));
    }
    // `/v1/event-types/..` is resolved away by every HTTP client: such a type could never
    // be read or deleted.
    if s == "." || s == ".." {
        return Err(ValidationError::new(
            field,
            "must not be `.` or `..` (it could not be addressed in a URL)",
        ));
    }
    if !s.chars().all(|c| {
        (c.is_alphanumeric() && !crate::is_hidden(c)) || matches!(c, ' ' | '_' | '.' | '-')
    }) {
        return Err(ValidationError::new(
            field,
            "may contain only letters, digits, spaces, '_', '.' and '-'",
        ));
    }
    Ok(())
}

/// The type of an event, e.g. `invoice.paid`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventType(String);

impl EventType {
    /// Validates an event type name (surrounding white space is trimmed first).
    pub fn parse(field: &str, s: String) -> Result<Self, ValidationError> {
        let s = match s.trim() {
            trimmed if trimmed.len() == s.len() => s,
            trimmed => trimmed.to_string(),
        };
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
                if s.chars().count() > EVENT_TYPE_MAX_LEN {
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
        for bad in [
            "", " ", "*.x", "a*", "a.*.b", ".*", "a/b", "a\tb", "a\u{0}b", "x:y",
        ] {
            assert!(
                EventTypePattern::parse("p", bad.to_string()).is_err(),
                "{bad:?} accepted"
            );
        }
        assert!(EventType::parse("t", "x".repeat(101)).is_err());
        assert!(EventType::parse("t", "x".repeat(100)).is_ok());
        assert!(
            EventType::parse("t", "ж".repeat(100)).is_ok(),
            "characters, not bytes"
        );
        assert!(EventType::parse("t", "*".into()).is_err());
        for dots in [".", ".."] {
            assert!(EventType::parse("t", dots.into()).is_err(), "{dots}");
        }
        assert!(EventType::parse("t", "...".into()).is_ok());
    }

    #[test]
    fn built_in_types_are_valid_names() {
        let types = built_in_event_types();
        assert!(types.contains(&"post.published".to_string()), "{types:?}");
        assert!(types.contains(&WEBHOOK_DISABLED.to_string()));
        for t in types {
            assert!(EventType::parse("t", t.clone()).is_ok(), "{t}");
        }
    }

    #[test]
    fn product_event_names_are_accepted() {
        for name in [
            "message sent",
            "delivery bounce",
            "whatsapp template sent",
            "\u{441}omplaint",
            "newAssignment",
            "post.published",
            "ö",
            "a b",
        ] {
            let t = EventType::parse("t", name.to_string()).expect(name);
            assert_eq!(t.as_str(), name);
            assert!(
                EventTypePattern::parse("p", name.to_string()).is_ok(),
                "{name}"
            );
        }
        assert_eq!(
            EventType::parse("t", "  message sent ".into())
                .expect("trimmed")
                .as_str(),
            "message sent"
        );
        assert!(EventTypePattern::parse("p", "message.*".into()).is_ok());
    }
}
