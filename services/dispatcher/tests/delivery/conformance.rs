//! The products hookrelay is built for (the seed documents beside the repository), each
//! integrated as its document describes. Nothing here reads those documents: each test
//! restates what its seed asks for, and seed 000's Node.js receiver is copied into
//! `seeds/verify_webhook_receiver.js`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use hookrelay_testkit::receiver::Receiver;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::stack;

const WAIT: Duration = Duration::from_secs(30);

/// The Node.js receiver, stopped when dropped (also when the test fails).
struct Node(std::process::Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Seed 001: event names with spaces and non-Latin letters, subscribed to exactly.
#[tokio::test]
async fn seed_001_event_names_with_spaces_and_cyrillic_letters_are_delivered() {
    let s = stack(|_| {}).await;
    let rx = Receiver::start().await;
    // `сomplaint` starts with a Cyrillic `с` (U+0441), as in the document.
    let complaint = "\u{441}omplaint";
    s.webhook(&rx.url, json!(["message sent", complaint]), json!({}))
        .await;
    let sent = s
        .send_event(&s.key, "message sent", json!({"email": "a@example.com"}))
        .await;
    s.send_event(&s.key, "complaint", json!({})).await; // Latin c: not subscribed
    let cyrillic = s.send_event(&s.key, complaint, json!({})).await;
    let got = rx.wait_for(2, WAIT).await;
    // Deliveries run concurrently: compare as sets.
    let mut events: Vec<String> = got
        .iter()
        .map(|r| r.json()["event"].as_str().expect("event").to_string())
        .collect();
    events.sort();
    assert_eq!(
        events,
        vec!["message sent".to_string(), complaint.to_string()]
    );
    let cyrillic_delivery = got
        .iter()
        .find(|r| r.json()["event"] == complaint)
        .expect("the Cyrillic event");
    assert_eq!(cyrillic_delivery.header("x-webhook-event"), Some(complaint));
    for id in [sent, cyrillic] {
        assert_eq!(
            s.wait_finished(&id, WAIT).await["deliveries"][0]["status"],
            "succeeded"
        );
    }
    // Percent-encoded in query strings.
    let page = s
        .get_json(&s.key, "/v1/events?event_type=message%20sent")
        .await;
    assert_eq!(page["items"].as_array().expect("items").len(), 1);
    let page = s
        .get_json(&s.key, "/v1/events?event_type=%D1%81omplaint")
        .await;
    assert_eq!(page["items"].as_array().expect("items").len(), 1);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(rx.received().len(), 2, "the Latin `complaint` went nowhere");
}

/// Seed 003: a receiver running the document's own `verifyWebhook` under Node.js accepts
/// the `x-webhook` signature of a `wrapped` body.
#[tokio::test]
async fn seed_003_verify_webhook_accepts_hookrelays_signature() {
    if Command::new("node").arg("--version").output().is_err() {
        eprintln!("skipped: node is not installed, seed 003's verifyWebhook cannot run");
        return;
    }
    let s = stack(|_| {}).await;
    let secret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/delivery/seeds/verify_webhook_receiver.js"
    );
    let mut node = Node(
        Command::new("node")
            .arg(script)
            .arg(secret)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start node"),
    );
    let mut port = String::new();
    BufReader::new(node.0.stdout.take().expect("stdout"))
        .read_line(&mut port)
        .expect("node prints its port");
    let url = format!("http://127.0.0.1:{}/oktopost", port.trim());
    let (webhook, _) = s
        .webhook(
            &url,
            json!(["postSent", "newAssignment"]),
            json!({"secret": secret, "payload_format": "wrapped", "signature_profile": "x-webhook"}),
        )
        .await;
    let event = s
        .send_event(
            &s.key,
            "postSent",
            json!({"postId": "0PL000000000001", "network": "LinkedIn", "campaignId": "002000000000001", "sentAt": "2024-01-15 10:30:00"}),
        )
        .await;
    let e = s.wait_finished(&event, WAIT).await;
    drop(node);
    assert_eq!(e["deliveries"][0]["status"], "succeeded", "{e}");
    let log = s
        .get_json(&s.key, &format!("/v1/webhooks/{webhook}/logs"))
        .await;
    let row = &log["items"][0];
    assert_eq!(row["response_excerpt"], "verified");
    // The document's payload shape.
    let payload = &row["payload"];
    assert_eq!(payload["event"], "postSent");
    assert_eq!(payload["webhookId"], webhook.as_str());
    assert!(payload["timestamp"].is_i64());
    assert_eq!(payload["data"]["network"], "LinkedIn");
    let keys: Vec<&String> = payload.as_object().expect("object").keys().collect();
    assert_eq!(keys, vec!["event", "timestamp", "webhookId", "data"]);
    // Its retries are 5 s, 25 s and 125 s: the default schedule.
    let w = s.get_json(&s.key, &format!("/v1/webhooks/{webhook}")).await;
    assert!(w["retry_schedule_secs"].is_null());
    assert_eq!(
        s.settings.delivery.retry_schedule_secs,
        vec![1, 1, 1],
        "tests run a short schedule"
    );
    assert_eq!(
        hookrelay_core::configuration::Settings::load_from(
            None,
            config::Environment::with_prefix("HOOKRELAY").source(Some(Default::default()))
        )
        .expect("defaults")
        .delivery
        .retry_schedule_secs,
        vec![5, 25, 125]
    );
}

/// Seed 004: `X-Webhook-Event`, `X-Webhook-Timestamp` (ISO 8601) and
/// `X-Webhook-Signature` (HMAC-SHA256 of the body).
#[tokio::test]
async fn seed_004_receivers_get_the_x_webhook_headers() {
    let s = stack(|_| {}).await;
    let rx = Receiver::start().await;
    let secret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    s.webhook(
        &rx.url,
        json!(["contact.created"]),
        json!({"secret": secret, "signature_profile": "x-webhook"}),
    )
    .await;
    s.send_event(&s.key, "contact.created", json!({"id": 1}))
        .await;
    let got = rx.wait_for(1, WAIT).await;
    let r = &got[0];
    assert_eq!(r.header("x-webhook-event"), Some("contact.created"));
    let ts = r.header("x-webhook-timestamp").expect("timestamp");
    let at = chrono::DateTime::parse_from_rfc3339(ts).expect("ISO 8601");
    assert!(
        (chrono::Utc::now() - at.with_timezone(&chrono::Utc))
            .num_seconds()
            .abs()
            < 60
    );
    assert!(ts.ends_with('Z'), "UTC: {ts}");
    let expected = {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("key");
        mac.update(&r.body);
        hex::encode(mac.finalize().into_bytes())
    };
    assert_eq!(r.header("x-webhook-signature"), Some(expected.as_str()));
    // Standard Webhooks headers are always sent too.
    crate::helpers::verify_signature(secret, r);
    // A webhook without the profile gets none of them (but X-Webhook-Event, as always).
    let plain = Receiver::start().await;
    s.webhook(&plain.url, json!(["plain"]), json!({})).await;
    s.send_event(&s.key, "plain", json!({})).await;
    let got = plain.wait_for(1, WAIT).await;
    assert!(got[0].header("x-webhook-signature").is_none());
    assert!(got[0].header("x-webhook-timestamp").is_none());
    // Custom headers cannot fake them.
    let res = s
        .post(
            &s.key,
            "/v1/webhooks",
            &json!({"name": "n", "url": rx.url, "event_types": ["*"], "headers": {"X-Webhook-Signature": "x"}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["error"]["field"], "headers.X-Webhook-Signature");
}

/// Seed 001's preset: a test send of `message sent` to a flat webhook is the document's
/// fixed body.
#[tokio::test]
async fn seed_001_preset_examples_are_the_documents_bodies() {
    let s = stack(|_| {}).await;
    let res = s
        .post(
            &s.key,
            "/v1/event-types/import",
            &json!({"preset": "mailing"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let rx = Receiver::start().await;
    let (webhook, _) = s
        .webhook(
            &rx.url,
            json!(["message sent"]),
            json!({"payload_format": "flat"}),
        )
        .await;
    let res = s
        .post(&s.key, &format!("/v1/webhooks/{webhook}/test"), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let document = r#"{ "event": "message sent", "message_id": 4, "message_uid": "0123456789_012_012_01234", "sending_type": "instant", "name": "Sending message (test)", "from": "[email protected]", "to": "[email protected]" }"#;
    let expected: Value = serde_json::from_str(document).expect("the document's JSON");
    let got = rx.received();
    assert_eq!(got[0].json(), expected);
    // Compact, in the document's key order: JSON.stringify(JSON.parse(body)) == body.
    assert_eq!(got[0].body, serde_json::to_vec(&expected).expect("compact"));
    let catalogue = s
        .get_json(&s.key, "/v1/event-types?group=WhatsApp&limit=100")
        .await;
    assert_eq!(catalogue["items"].as_array().expect("items").len(), 4);
    let bad = s
        .post(&s.key, "/v1/event-types/import", &json!({"preset": "nope"}))
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// Seed 004's preset: 17 event types in 6 groups.
#[tokio::test]
async fn seed_004_preset_lists_17_events_in_6_groups() {
    let s = stack(|_| {}).await;
    let res = s
        .post(&s.key, "/v1/event-types/import", &json!({"preset": "crm"}))
        .await;
    let imported: Value = res.json().await.expect("json");
    assert_eq!(imported["imported"].as_array().expect("names").len(), 17);
    let page = s.get_json(&s.key, "/v1/event-types?limit=100").await;
    let items = page["items"].as_array().expect("items");
    assert_eq!(items.len(), 17);
    let groups: std::collections::BTreeSet<&str> = items
        .iter()
        .map(|e| e["group"].as_str().expect("group"))
        .collect();
    assert_eq!(groups.len(), 6, "{groups:?}");
    assert!(items
        .iter()
        .all(|e| e["registered"] == true && e["description"].is_string()));
}
