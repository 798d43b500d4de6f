//! Catalogue presets: the event lists of the products hookrelay is built for, with groups,
//! short descriptions (our own words) and, where the product's document gives one, the
//! example `data` its receivers expect — so test sends show integrators the real shape.
//! `POST /v1/event-types/import {"preset": ...}` loads one.

/// One event type of a preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PresetEvent {
    pub name: &'static str,
    pub group: &'static str,
    pub description: &'static str,
    /// Example `data` (JSON), as the document shows it.
    pub example: Option<&'static str>,
}

/// A product's event list.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    pub name: &'static str,
    pub title: &'static str,
    pub events: &'static [PresetEvent],
}

const fn ev(
    name: &'static str,
    group: &'static str,
    description: &'static str,
    example: Option<&'static str>,
) -> PresetEvent {
    PresetEvent {
        name,
        group,
        description,
        example,
    }
}

/// Every preset, by name.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "crm-scheduler",
        title: "CRM post scheduler with an n8n publishing loop",
        events: &[
            ev(
                "new_post_scheduled",
                "Publishing",
                "A post was scheduled; a workflow should write and publish it",
                Some(
                    r#"{"channel_identifier":"@my_telegram_channel","post_text_idea":"A post about morning coffee","scheduled_at_utc":"2025-10-28 14:30:00","post_id":123}"#,
                ),
            ),
            ev(
                "post.published",
                "Publishing",
                "A workflow reported the post as published",
                None,
            ),
            ev(
                "post.failed",
                "Publishing",
                "A workflow reported that publishing failed",
                None,
            ),
            ev(
                "post.deleted",
                "Publishing",
                "A scheduled post was deleted before publication",
                None,
            ),
        ],
    },
    Preset {
        name: "mailing",
        title: "Mailing service (email and WhatsApp)",
        events: &[
            ev(
                "message sent",
                "Email",
                "An email message was sent",
                Some(
                    r#"{"message_id":4,"message_uid":"0123456789_012_012_01234","sending_type":"instant","name":"Sending message (test)","from":"[email protected]","to":"[email protected]"}"#,
                ),
            ),
            ev(
                "delivery bounce",
                "Email",
                "An email could not be delivered",
                Some(
                    r#"{"message_id":4,"message_uid":"0123456789_012_012_01234","sending_type":"instant","name":"Error while sending message (test)","from":"[email protected]","to":"[email protected]","error_message":"Some error message"}"#,
                ),
            ),
            ev(
                "message open",
                "Email",
                "A recipient opened an email",
                Some(
                    r#"{"message_id":4,"message_uid":"0123456789_012_012_01234","sending_type":"instant","name":"Open message (test)","from":"[email protected]","to":"[email protected]"}"#,
                ),
            ),
            ev(
                "message clicked",
                "Email",
                "A recipient followed a link in an email",
                Some(
                    r#"{"message_id":4,"message_uid":"0123456789_012_012_01234","sending_type":"instant","name":"Click in message (test)","from":"[email protected]","to":"[email protected]","click_url":"https://clicked.link/"}"#,
                ),
            ),
            ev(
                "\u{441}omplaint",
                "Email",
                "A recipient marked an email as spam (the name starts with a Cyrillic \u{441})",
                Some(
                    r#"{"message_id":4,"message_uid":"0123456789_012_012_01234","sending_type":"instant","name":"Complaint in message (test)","from":"[email protected]","to":"[email protected]"}"#,
                ),
            ),
            ev(
                "whatsapp template sent",
                "WhatsApp",
                "A WhatsApp template message was sent",
                Some(
                    r#"{"template_name":"template_example","message_id":123,"sending_type":"scenario","from_number":"70000000000","to_number":"71111111111"}"#,
                ),
            ),
            ev(
                "whatsapp template delivered",
                "WhatsApp",
                "A WhatsApp template message reached the phone",
                Some(
                    r#"{"template_name":"template_example","message_id":123,"sending_type":"scenario","from_number":"70000000000","to_number":"71111111111"}"#,
                ),
            ),
            ev(
                "whatsapp inbox message received",
                "WhatsApp",
                "A contact wrote to the WhatsApp inbox",
                Some(
                    r#"{"message":"some text","from_number":"71111111111","to_number":"70000000000"}"#,
                ),
            ),
            ev(
                "whatsapp template bounce",
                "WhatsApp",
                "A WhatsApp template message could not be delivered",
                Some(
                    r#"{"template_name":"template_example","message_id":123,"sending_type":"scenario","from_number":"70000000000","to_number":"71111111111","error_message":"Some error message"}"#,
                ),
            ),
            ev(
                "mailing group subscribe",
                "Contacts",
                "A contact joined a mailing group",
                Some(
                    r#"{"email":"[email protected]","group_id":4,"group_name":"Person subscribe (test)","channel":"email"}"#,
                ),
            ),
            ev(
                "mailing group unsubscribe",
                "Contacts",
                "A contact left a mailing group",
                Some(
                    r#"{"email":"[email protected]","group_id":4,"group_name":"Person unsubscribe (test)","channel":"email"}"#,
                ),
            ),
            ev(
                "contact adding",
                "Contacts",
                "A contact was added",
                Some(
                    r#"{"email":"[email protected]","phone":"80123456789","groups_names":["test_group_0","test_group_1"],"groups_ids":[0,1]}"#,
                ),
            ),
        ],
    },
    Preset {
        name: "publishing",
        title: "Publishing tool: publication events",
        events: &[
            ev(
                "post.published",
                "Publications",
                "A publication went live on its channel",
                Some(
                    r#"{"post_id":123,"channel":"@my_telegram_channel","post_text":"A post about morning coffee","status":"published","timestamp":"2025-10-28T14:30:00Z","error_message":null}"#,
                ),
            ),
            ev(
                "post.failed",
                "Publications",
                "A publication could not be published",
                Some(
                    r#"{"post_id":123,"channel":"@my_telegram_channel","post_text":"A post about morning coffee","status":"failed","timestamp":"2025-10-28T14:30:00Z","error_message":"Channel not found"}"#,
                ),
            ),
            ev(
                "post.deleted",
                "Publications",
                "A publication was deleted before it went out",
                Some(
                    r#"{"post_id":123,"channel":"@my_telegram_channel","post_text":"A post about morning coffee","status":"deleted","timestamp":"2025-10-28T14:30:00Z","error_message":null}"#,
                ),
            ),
        ],
    },
    Preset {
        name: "social-suite",
        title: "Social media suite",
        events: &[
            ev(
                "newAdvocacyMessage",
                "Advocacy",
                "A message was added to the advocacy board",
                None,
            ),
            ev(
                "newAdvocacyStory",
                "Advocacy",
                "A story was added to the advocacy board",
                None,
            ),
            ev(
                "newAdvocacyTopic",
                "Advocacy",
                "A topic was added to the advocacy board",
                None,
            ),
            ev("postCreated", "Publishing", "A user created a post", None),
            ev(
                "postModified",
                "Publishing",
                "A user changed a scheduled post",
                None,
            ),
            ev(
                "postDeleted",
                "Publishing",
                "A user deleted a scheduled post",
                None,
            ),
            ev(
                "postSent",
                "Publishing",
                "A post was published to a social network",
                Some(
                    r#"{"postId":"0PL000000000001","network":"LinkedIn","campaignId":"002000000000001","sentAt":"2024-01-15 10:30:00"}"#,
                ),
            ),
            ev(
                "newConversation",
                "Engagement",
                "A conversation appeared in the inbox",
                None,
            ),
            ev(
                "conversationUpdated",
                "Engagement",
                "Comments or replies were added to a conversation",
                None,
            ),
            ev(
                "conversationStatusUpdated",
                "Engagement",
                "A conversation changed status",
                None,
            ),
            ev(
                "newNoteOnConversation",
                "Engagement",
                "A note was added to a conversation",
                None,
            ),
            ev(
                "newAssignment",
                "Engagement",
                "A conversation was assigned to a user",
                Some(
                    r#"{"conversationId":"123456","assignedTo":"user@example.com","assignedBy":"manager@example.com","assignedAt":"2024-01-15 10:30:00"}"#,
                ),
            ),
            ev("newLead", "Lead & Conversion", "A lead was captured", None),
            ev(
                "newLeadActivity",
                "Lead & Conversion",
                "Social activity of a lead was detected",
                None,
            ),
            ev(
                "newConversion",
                "Lead & Conversion",
                "A social conversion was captured",
                None,
            ),
            ev(
                "newApprovalItem",
                "Workflow",
                "Posts or messages were sent for approval",
                None,
            ),
            ev(
                "approvalItemApproved",
                "Workflow",
                "Posts or messages were approved",
                None,
            ),
            ev(
                "approvalItemRejected",
                "Workflow",
                "Posts or messages were rejected",
                None,
            ),
            ev("newCampaign", "Other", "A campaign was created", None),
        ],
    },
    Preset {
        name: "crm",
        title: "CRM: contacts, deals, conversations, messages",
        events: &[
            ev(
                "contact.created",
                "Contacts",
                "A contact was added",
                Some(
                    r#"{"id":"uuid","first_name":"John","last_name":"Doe","organization_id":"org-uuid"}"#,
                ),
            ),
            ev("contact.updated", "Contacts", "A contact was changed", None),
            ev(
                "contact.assigned",
                "Contacts",
                "A contact was assigned to someone",
                None,
            ),
            ev("deal.created", "Deals & Leads", "A deal was created", None),
            ev("deal.updated", "Deals & Leads", "A deal was changed", None),
            ev(
                "deal.stage.changed",
                "Deals & Leads",
                "A deal moved to another stage",
                None,
            ),
            ev(
                "deal.assigned",
                "Deals & Leads",
                "A deal was assigned to someone",
                None,
            ),
            ev(
                "conversation.created",
                "Conversations",
                "A conversation started",
                None,
            ),
            ev(
                "conversation.assigned",
                "Conversations",
                "A conversation was assigned to someone",
                None,
            ),
            ev(
                "conversation.status.changed",
                "Conversations",
                "A conversation changed status",
                None,
            ),
            ev("message.received", "Messages", "A message came in", None),
            ev("message.sent", "Messages", "A message went out", None),
            ev(
                "message.delivered",
                "Messages",
                "A message reached its recipient",
                None,
            ),
            ev("message.read", "Messages", "A message was read", None),
            ev(
                "message.failed",
                "Messages",
                "A message could not be delivered",
                None,
            ),
            ev(
                "broadcast.response",
                "Broadcasts",
                "A contact replied to a broadcast or campaign",
                None,
            ),
            ev(
                "zoom.recording.completed",
                "Meetings",
                "A Zoom cloud recording is ready",
                None,
            ),
        ],
    },
];

/// The preset named `name`.
pub fn preset(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EventType;
    use std::collections::BTreeSet;

    #[test]
    fn presets_are_valid_and_complete() {
        for p in PRESETS {
            let mut names = BTreeSet::new();
            for e in p.events {
                assert!(
                    EventType::parse("name", e.name.to_string()).is_ok(),
                    "{}",
                    e.name
                );
                assert!(names.insert(e.name), "{} twice in {}", e.name, p.name);
                if let Some(example) = e.example {
                    let v: serde_json::Value = serde_json::from_str(example).expect(e.name);
                    assert!(v.is_object(), "{}", e.name);
                }
            }
        }
        let groups = |name| {
            preset(name)
                .expect("preset")
                .events
                .iter()
                .map(|e| e.group)
                .collect::<BTreeSet<_>>()
                .len()
        };
        assert_eq!(preset("crm").expect("crm").events.len(), 17);
        assert_eq!(groups("crm"), 6);
        assert_eq!(groups("social-suite"), 6);
        assert!(preset("nope").is_none());
    }
}
