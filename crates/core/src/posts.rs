//! The events of the scheduled-post flow: `new_post_scheduled` when a post is created,
//! `post.published` / `post.failed` when a workflow reports back.

use serde_json::{json, Map, Value};

use crate::domain::{format_schedule_time, EventType};
use crate::repo::posts::PostRecord;

/// Type of the event announcing a new post.
pub const NEW_POST_SCHEDULED: &str = "new_post_scheduled";

/// Data of `new_post_scheduled`, keys in the order receivers expect.
pub fn scheduled_event_data(post: &PostRecord) -> Value {
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

/// Type and data of the event announcing a status change.
pub fn status_event(post: &PostRecord) -> (EventType, Value) {
    let event_type = EventType::parse("event_type", format!("post.{}", post.status))
        .expect("post statuses are valid event type names");
    let mut data = Map::new();
    data.insert("post_id".into(), json!(post.id));
    data.insert("status".into(), json!(post.status));
    data.insert("details".into(), json!(post.details));
    data.insert("channel_identifier".into(), json!(post.channel_identifier));
    (event_type, Value::Object(data))
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

/// `pending -> published|failed`, `failed -> published`; `published` is final.
pub fn transition(current: &str, reported: &str) -> Transition {
    use crate::repo::posts::post_status::{FAILED, PENDING, PUBLISHED};
    match (current, reported) {
        (c, r) if c == r => Transition::Duplicate,
        (PENDING, PUBLISHED | FAILED) | (FAILED, PUBLISHED) => Transition::Apply,
        _ => Transition::Conflict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions() {
        assert_eq!(transition("pending", "published"), Transition::Apply);
        assert_eq!(transition("pending", "failed"), Transition::Apply);
        assert_eq!(transition("failed", "published"), Transition::Apply);
        assert_eq!(transition("failed", "failed"), Transition::Duplicate);
        assert_eq!(transition("published", "published"), Transition::Duplicate);
        assert_eq!(transition("published", "failed"), Transition::Conflict);
    }
}
