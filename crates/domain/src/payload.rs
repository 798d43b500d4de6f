//! The bytes a receiver gets, derived deterministically from the stored event so every
//! retry and replay of a delivery is byte-identical.

use chrono::{DateTime, SecondsFormat, Utc};
use uuid::Uuid;

use crate::PayloadFormat;

/// Canonical text of an event's `data`: compact JSON, key order as the client sent it.
pub fn canonical_data(data: &serde_json::Value) -> String {
    serde_json::to_string(data).expect("a JSON value serialises")
}

/// The timestamp format of envelopes.
pub fn envelope_timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

/// Builds the body of one delivery.
///
/// - `envelope`: `{"event","event_id","timestamp","data"}`;
/// - `flat`: `{"event", ...fields of data}`; data that is not an object goes under `"data"`;
///   a field named `event` in data is dropped (the event type wins);
/// - `wrapped`: `{"event","timestamp" (unix seconds of occurred_at),"webhookId","data"}`;
/// - `cloudevents`: CloudEvents 1.0 structured mode, `{"specversion":"1.0","id","source",
///   "type","time","datacontenttype":"application/json","data"}`, `source` being the
///   installation's (`delivery.cloudevents_source`).
///
/// Every body is compact JSON with the stored key order, so a receiver's
/// `JSON.stringify(JSON.parse(body))` gives the same bytes back.
pub fn build_body(
    format: PayloadFormat,
    event_type: &str,
    event_id: Uuid,
    webhook_id: Uuid,
    occurred_at: DateTime<Utc>,
    data: &str,
    source: &str,
) -> Vec<u8> {
    let event = json_string(event_type);
    match format {
        PayloadFormat::CloudEvents => format!(
            "{{\"specversion\":\"1.0\",\"id\":\"{event_id}\",\"source\":{},\"type\":{event},\"time\":\"{}\",\
             \"datacontenttype\":\"application/json\",\"data\":{data}}}",
            json_string(source),
            envelope_timestamp(occurred_at)
        )
        .into_bytes(),
        PayloadFormat::Envelope => format!(
            "{{\"event\":{event},\"event_id\":\"{event_id}\",\"timestamp\":\"{}\",\"data\":{data}}}",
            envelope_timestamp(occurred_at)
        )
        .into_bytes(),
        PayloadFormat::Wrapped => format!(
            "{{\"event\":{event},\"timestamp\":{},\"webhookId\":\"{webhook_id}\",\"data\":{data}}}",
            occurred_at.timestamp()
        )
        .into_bytes(),
        PayloadFormat::Flat => {
            match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(data) {
                Ok(fields) => {
                    let mut out = format!("{{\"event\":{event}");
                    for (k, v) in fields.iter().filter(|(k, _)| k.as_str() != "event") {
                        out.push(',');
                        out.push_str(&json_string(k));
                        out.push(':');
                        out.push_str(&serde_json::to_string(v).expect("value serialises"));
                    }
                    out.push('}');
                    out.into_bytes()
                }
                Err(_) => format!("{{\"event\":{event},\"data\":{data}}}").into_bytes(),
            }
        }
    }
}

/// The JSON Schema of a `format` body of an `event_type` event whose `data` satisfies
/// `data_schema` (`{}`: anything): what [`build_body`] produces, for the AsyncAPI and
/// OpenAPI documents.
pub fn body_schema(
    format: PayloadFormat,
    event_type: &str,
    data_schema: serde_json::Value,
) -> serde_json::Value {
    use serde_json::json;
    let uuid = json!({"type": "string", "format": "uuid"});
    let time = json!({"type": "string", "format": "date-time"});
    let event = json!({"const": event_type});
    match format {
        PayloadFormat::Envelope => json!({
            "type": "object",
            "required": ["event", "event_id", "timestamp", "data"],
            "properties": {"event": event, "event_id": uuid, "timestamp": time, "data": data_schema},
        }),
        // The data's own fields beside `event` (data that is not an object: under `data`).
        PayloadFormat::Flat => json!({
            "allOf": [
                {"type": "object", "required": ["event"], "properties": {"event": event}},
                data_schema,
            ],
        }),
        PayloadFormat::Wrapped => json!({
            "type": "object",
            "required": ["event", "timestamp", "webhookId", "data"],
            "properties": {
                "event": event,
                "timestamp": {"type": "integer", "description": "unix seconds"},
                "webhookId": uuid,
                "data": data_schema,
            },
        }),
        PayloadFormat::CloudEvents => json!({
            "type": "object",
            "required": ["specversion", "id", "source", "type", "time", "datacontenttype", "data"],
            "properties": {
                "specversion": {"const": "1.0"},
                "id": uuid,
                "source": {"type": "string", "format": "uri-reference"},
                "type": event,
                "time": time,
                "datacontenttype": {"const": "application/json"},
                "data": data_schema,
            },
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flat_body_of_a_scheduled_post_is_exact() {
        let data = canonical_data(&serde_json::from_str::<serde_json::Value>(
            r#"{"channel_identifier":"@my_telegram_channel","post_text_idea":"A post about morning coffee","scheduled_at_utc":"2025-10-28 14:30:00","post_id":123}"#,
        ).expect("json"));
        let body = build_body(
            PayloadFormat::Flat,
            "new_post_scheduled",
            Uuid::nil(),
            Uuid::nil(),
            Utc::now(),
            &data,
            "/hookrelay",
        );
        assert_eq!(
            String::from_utf8(body).expect("utf8"),
            r#"{"event":"new_post_scheduled","channel_identifier":"@my_telegram_channel","post_text_idea":"A post about morning coffee","scheduled_at_utc":"2025-10-28 14:30:00","post_id":123}"#
        );
    }

    #[test]
    fn wrapped_bodies_have_the_seed_003_shape() {
        let t = DateTime::parse_from_rfc3339("2024-01-15T10:40:00Z")
            .expect("time")
            .with_timezone(&Utc);
        let webhook = Uuid::nil();
        let body = build_body(
            PayloadFormat::Wrapped,
            "postSent",
            Uuid::now_v7(),
            webhook,
            t,
            r#"{"postId":"0PL000000000001","network":"LinkedIn"}"#,
            "/hookrelay",
        );
        assert_eq!(
            String::from_utf8(body).expect("utf8"),
            format!(
                r#"{{"event":"postSent","timestamp":1705315200,"webhookId":"{webhook}","data":{{"postId":"0PL000000000001","network":"LinkedIn"}}}}"#
            )
        );
    }

    #[test]
    fn envelope_and_non_object_flat() {
        let t = DateTime::parse_from_rfc3339("2025-01-02T03:04:05.678Z")
            .expect("time")
            .with_timezone(&Utc);
        let id = Uuid::nil();
        let body = build_body(
            PayloadFormat::Envelope,
            "a.b",
            id,
            id,
            t,
            "[1,2]",
            "/hookrelay",
        );
        let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(
            v,
            json!({"event": "a.b", "event_id": id.to_string(), "timestamp": "2025-01-02T03:04:05.678Z", "data": [1, 2]})
        );
        let flat = build_body(PayloadFormat::Flat, "a.b", id, id, t, "42", "/hookrelay");
        assert_eq!(flat, br#"{"event":"a.b","data":42}"#);
        let shadow = build_body(
            PayloadFormat::Flat,
            "a.b",
            id,
            id,
            t,
            r#"{"event":"x","k":1}"#,
            "/hookrelay",
        );
        assert_eq!(shadow, br#"{"event":"a.b","k":1}"#);
    }

    #[test]
    fn every_format_names_the_fields_its_bodies_have() {
        let t = Utc::now();
        for format in [
            PayloadFormat::Envelope,
            PayloadFormat::Wrapped,
            PayloadFormat::CloudEvents,
        ] {
            let body: serde_json::Value = serde_json::from_slice(&build_body(
                format,
                "a.b",
                Uuid::now_v7(),
                Uuid::nil(),
                t,
                r#"{"k":1}"#,
                "/x",
            ))
            .expect("json");
            let schema = body_schema(format, "a.b", json!({"type": "object"}));
            let required: Vec<&str> = schema["required"]
                .as_array()
                .expect("required")
                .iter()
                .map(|v| v.as_str().expect("name"))
                .collect();
            let mut fields: Vec<&str> = body
                .as_object()
                .expect("object")
                .keys()
                .map(String::as_str)
                .collect();
            fields.sort_unstable();
            let mut required = required;
            required.sort_unstable();
            assert_eq!(fields, required, "{format:?}");
        }
    }

    #[test]
    fn cloudevents_bodies_are_structured_mode_1_0() {
        let t = DateTime::parse_from_rfc3339("2025-01-02T03:04:05.678Z")
            .expect("time")
            .with_timezone(&Utc);
        let id = Uuid::now_v7();
        let body = build_body(
            PayloadFormat::CloudEvents,
            "order.created",
            id,
            Uuid::nil(),
            t,
            r#"{"b":1,"a":[2]}"#,
            "https://shop.example.com/hooks",
        );
        assert_eq!(
            String::from_utf8(body).expect("utf8"),
            format!(
                r#"{{"specversion":"1.0","id":"{id}","source":"https://shop.example.com/hooks","type":"order.created","time":"2025-01-02T03:04:05.678Z","datacontenttype":"application/json","data":{{"b":1,"a":[2]}}}}"#
            )
        );
        assert_eq!(
            PayloadFormat::CloudEvents.content_type(),
            "application/cloudevents+json"
        );
        assert_eq!(
            PayloadFormat::from_stored("cloudevents"),
            Ok(PayloadFormat::CloudEvents)
        );
    }
}
