//! Scheduled posts (the CRM/n8n publication flow): their fields, their statuses, how a
//! reported status moves them, and the events that announce them.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::{CorruptValue, EventType, ValidationError};

/// Type of the event announcing a new post.
pub const NEW_POST_SCHEDULED: &str = "new_post_scheduled";

/// Where a post stands. `published` is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PostStatus {
    Pending,
    Published,
    Failed,
    /// Deleted before it was published; final.
    Deleted,
}

impl PostStatus {
    pub const ALL: [PostStatus; 4] = [
        PostStatus::Pending,
        PostStatus::Published,
        PostStatus::Failed,
        PostStatus::Deleted,
    ];

    /// The name used in the API, in events and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            PostStatus::Pending => "pending",
            PostStatus::Published => "published",
            PostStatus::Failed => "failed",
            PostStatus::Deleted => "deleted",
        }
    }

    /// Parses a status name from a client (`field` is named in the error).
    pub fn parse(field: &str, s: &str) -> Result<Self, ValidationError> {
        Self::from_name(s).ok_or_else(|| {
            ValidationError::new(field, "must be pending, published, failed or deleted")
        })
    }

    /// Reads the stored form back.
    pub fn from_stored(s: &str) -> Result<Self, CorruptValue> {
        Self::from_name(s).ok_or_else(|| CorruptValue::new("post status", format!("{s:?}")))
    }

    fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl std::fmt::Display for PostStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a workflow can report about a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ReportedStatus {
    Published,
    Failed,
}

impl ReportedStatus {
    /// The post status the report asks for.
    pub fn status(self) -> PostStatus {
        match self {
            ReportedStatus::Published => PostStatus::Published,
            ReportedStatus::Failed => PostStatus::Failed,
        }
    }
}

/// A post as stored.
#[derive(Debug, Clone)]
pub struct Post {
    pub id: i64,
    pub tenant_id: Uuid,
    pub channel_identifier: String,
    pub post_text_idea: String,
    pub scheduled_at_utc: DateTime<Utc>,
    pub status: PostStatus,
    pub details: Option<String>,
    pub event_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a reported status does to a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// The status changes; an event announces it.
    Apply,
    /// The post already has this status: an idempotent repeat.
    Duplicate,
    /// `published` is final: a contradicting report is refused.
    Conflict,
}

/// `pending -> published|failed`, `failed -> published`; `published` and `deleted` are
/// final.
pub fn transition(current: PostStatus, reported: PostStatus) -> Transition {
    use PostStatus::{Failed, Pending, Published};
    match (current, reported) {
        (c, r) if c == r => Transition::Duplicate,
        (Pending, Published | Failed) | (Failed, Published) => Transition::Apply,
        _ => Transition::Conflict,
    }
}

/// Data of `new_post_scheduled`, keys in the order receivers expect.
pub fn scheduled_event_data(post: &Post) -> Value {
    let mut data = Map::new();
    data.insert("channel_identifier".into(), json!(post.channel_identifier));
    data.insert("post_text_idea".into(), json!(post.post_text_idea));
    data.insert(
        "scheduled_at_utc".into(),
        json!(format_schedule_time(post.scheduled_at_utc)),
    );
    data.insert("post_id".into(), json!(post.id));
    Value::Object(data)
}

/// Type and data of the event announcing a status change (`post.published`,
/// `post.failed`, `post.deleted`): the post id, status, details and channel, then its
/// text, when it changed (RFC 3339) and the error message of a failure.
pub fn status_event(post: &Post) -> (EventType, Value) {
    let event_type = EventType::parse("event_type", format!("post.{}", post.status))
        .expect("post statuses are valid event type names");
    let error_message = match post.status {
        PostStatus::Failed => post.details.clone(),
        _ => None,
    };
    let mut data = Map::new();
    data.insert("post_id".into(), json!(post.id));
    data.insert("status".into(), json!(post.status.as_str()));
    data.insert("details".into(), json!(post.details));
    data.insert("channel_identifier".into(), json!(post.channel_identifier));
    data.insert("post_text".into(), json!(post.post_text_idea));
    data.insert(
        "timestamp".into(),
        json!(post
            .updated_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
    );
    data.insert("error_message".into(), json!(error_message));
    (event_type, Value::Object(data))
}

/// What deleting a post in this status does.
pub fn deletable(status: PostStatus) -> Transition {
    match status {
        PostStatus::Pending | PostStatus::Failed => Transition::Apply,
        PostStatus::Deleted => Transition::Duplicate,
        PostStatus::Published => Transition::Conflict,
    }
}

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
    fn transitions() {
        use PostStatus::{Deleted, Failed, Pending, Published};
        let table = [
            (Pending, Published, Transition::Apply),
            (Pending, Failed, Transition::Apply),
            (Failed, Published, Transition::Apply),
            (Failed, Failed, Transition::Duplicate),
            (Published, Published, Transition::Duplicate),
            (Pending, Pending, Transition::Duplicate),
            (Published, Failed, Transition::Conflict),
            (Published, Pending, Transition::Conflict),
            (Failed, Pending, Transition::Conflict),
            (Deleted, Published, Transition::Conflict),
            (Deleted, Failed, Transition::Conflict),
            (Deleted, Deleted, Transition::Duplicate),
        ];
        for (current, reported, expected) in table {
            assert_eq!(
                transition(current, reported),
                expected,
                "{current} -> {reported}"
            );
        }
    }

    #[test]
    fn statuses_round_trip_and_corrupt_ones_are_refused() {
        for s in PostStatus::ALL {
            assert_eq!(PostStatus::from_stored(s.as_str()), Ok(s));
            assert_eq!(PostStatus::parse("status", s.as_str()), Ok(s));
        }
        assert!(PostStatus::from_stored("Published").is_err());
        assert_eq!(
            PostStatus::parse("status", "x").unwrap_err().field,
            "status"
        );
        assert_eq!(ReportedStatus::Failed.status(), PostStatus::Failed);
        assert_eq!(deletable(PostStatus::Pending), Transition::Apply);
        assert_eq!(deletable(PostStatus::Failed), Transition::Apply);
        assert_eq!(deletable(PostStatus::Deleted), Transition::Duplicate);
        assert_eq!(deletable(PostStatus::Published), Transition::Conflict);
    }

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
