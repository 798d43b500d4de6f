//! Fields of a scheduled post (the CRM/n8n publication flow).

use chrono::{DateTime, NaiveDateTime, Utc};

use super::ValidationError;

/// The wire format of `scheduled_at_utc` in payloads: `2025-10-28 14:30:00`.
pub const SCHEDULE_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// Longest post text idea.
pub const POST_TEXT_MAX: usize = 4096;

/// A Telegram channel: `@username` (5-32 of `[A-Za-z0-9_]`) or an invite link
/// (`t.me/joinchat/...`, `t.me/+...`, optionally with `https://`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelIdentifier(String);

impl ChannelIdentifier {
    pub fn parse(s: String) -> Result<Self, ValidationError> {
        let field = "channel_identifier";
        if let Some(name) = s.strip_prefix('@') {
            let ok = (5..=32).contains(&name.len())
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            return if ok {
                Ok(Self(s))
            } else {
                Err(ValidationError::new(
                    field,
                    "a @username must have 5-32 letters, digits or '_'",
                ))
            };
        }
        let link = s
            .strip_prefix("https://")
            .or_else(|| s.strip_prefix("http://"))
            .unwrap_or(&s);
        let invite = link
            .strip_prefix("t.me/joinchat/")
            .or_else(|| link.strip_prefix("t.me/+"));
        match invite {
            Some(hash)
                if (1..=64).contains(&hash.len())
                    && hash
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') =>
            {
                Ok(Self(s))
            }
            _ => Err(ValidationError::new(
                field,
                "must be a @username or an invite link like t.me/joinchat/<hash>",
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The idea a post is written from: 1-4096 characters.
pub fn post_text(s: String) -> Result<String, ValidationError> {
    if s.trim().is_empty() {
        return Err(ValidationError::new("post_text_idea", "must not be empty"));
    }
    if s.contains('\0') {
        return Err(ValidationError::new(
            "post_text_idea",
            "must not contain NUL characters",
        ));
    }
    if s.chars().count() > POST_TEXT_MAX {
        return Err(ValidationError::new(
            "post_text_idea",
            format!("must be at most {POST_TEXT_MAX} characters"),
        ));
    }
    Ok(s)
}

/// Accepts `YYYY-MM-DD HH:MM:SS` (taken as UTC) or RFC 3339 with any offset.
pub fn parse_schedule_time(s: &str) -> Result<DateTime<Utc>, ValidationError> {
    if let Ok(naive) = NaiveDateTime::parse_from_str(s, SCHEDULE_FORMAT) {
        return Ok(naive.and_utc());
    }
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            ValidationError::new(
                "scheduled_at_utc",
                "must be `YYYY-MM-DD HH:MM:SS` (UTC) or RFC 3339",
            )
        })
}

/// Formats a schedule time as payloads carry it.
pub fn format_schedule_time(t: DateTime<Utc>) -> String {
    t.format(SCHEDULE_FORMAT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_identifiers() {
        for ok in [
            "@my_telegram_channel",
            "t.me/joinchat/AAAAAEHbAbc-_1",
            "https://t.me/+AbCd123",
        ] {
            assert!(ChannelIdentifier::parse(ok.into()).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "@abc",
            "@bad-name",
            "my_channel",
            "t.me/joinchat/",
            "https://evil.com/t.me/+x",
            &format!("@{}", "a".repeat(33)),
        ] {
            assert!(ChannelIdentifier::parse(bad.into()).is_err(), "{bad}");
        }
    }

    #[test]
    fn schedule_times() {
        let t = parse_schedule_time("2025-10-28 14:30:00").expect("plain");
        assert_eq!(format_schedule_time(t), "2025-10-28 14:30:00");
        let t = parse_schedule_time("2025-10-28T16:30:00+02:00").expect("rfc3339");
        assert_eq!(format_schedule_time(t), "2025-10-28 14:30:00");
        assert!(parse_schedule_time("28/10/2025").is_err());
        assert!(parse_schedule_time("2025-13-28 14:30:00").is_err());
    }
}
