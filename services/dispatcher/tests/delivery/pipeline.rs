use std::collections::HashMap;
use std::time::Duration;

use hookrelay_testkit::receiver::{Receiver, Reply};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{api_only, stack, verify_signature};

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn both_formats_arrive_signed_with_every_header() {
    let s = stack(|_| {}).await;
    let rx = Receiver::start().await;
    let (_, env_secret) = s
        .webhook(
            &format!("{}/envelope", rx.url),
            json!(["order.created"]),
            json!({"headers": {"X-Team": "growth"}}),
        )
        .await;
    let (_, flat_secret) = s
        .webhook(
            &format!("{}/flat", rx.url),
            json!(["order.*"]),
            json!({"payload_format": "flat"}),
        )
        .await;
    let res = s
        .post(
            &s.key,
            "/v1/events",
            &json!({"event_type": "order.created", "data": {"zeta": 1, "alpha": [true, null], "event": "shadowed"}, "occurred_at": "2025-10-28T14:30:00Z"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let event_id = res.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let got = rx.wait_for(2, WAIT).await;
    let by_path: HashMap<&str, _> = got.iter().map(|r| (r.path.as_str(), r)).collect();

    let env = by_path["/envelope"];
    verify_signature(&env_secret, env);
    assert_eq!(
        std::str::from_utf8(&env.body).expect("utf8"),
        format!(
            r#"{{"event":"order.created","event_id":"{event_id}","timestamp":"2025-10-28T14:30:00.000Z","data":{{"zeta":1,"alpha":[true,null],"event":"shadowed"}}}}"#
        )
    );
    assert_eq!(env.header("webhook-id"), Some(event_id.as_str()));
    assert_eq!(env.header("x-webhook-event"), Some("order.created"));
    assert_eq!(env.header("x-webhook-attempt"), Some("1"));
    assert_eq!(env.header("content-type"), Some("application/json"));
    assert_eq!(env.header("x-team"), Some("growth"));
    assert!(env
        .header("user-agent")
        .expect("ua")
        .starts_with("hookrelay/"));
    let ts: i64 = env
        .header("webhook-timestamp")
        .expect("ts")
        .parse()
        .expect("number");
    assert!((chrono::Utc::now().timestamp() - ts).abs() < 60);

    let flat = by_path["/flat"];
    verify_signature(&flat_secret, flat);
    assert_eq!(
        std::str::from_utf8(&flat.body).expect("utf8"),
        r#"{"event":"order.created","zeta":1,"alpha":[true,null]}"#
    );
    assert!(flat.header("x-team").is_none());

    let detail = s.wait_finished(&event_id, WAIT).await;
    for d in detail["deliveries"].as_array().expect("deliveries") {
        assert_eq!(d["status"], "succeeded");
        assert_eq!(d["attempts"], 1);
        assert_eq!(d["last_response_code"], 200);
        let log = s.delivery(d["id"].as_str().expect("id")).await;
        let attempts = log["attempt_log"].as_array().expect("log");
        assert_eq!(attempts.len(), 1);
        assert_eq!(attempts[0]["response_code"], 200);
        assert_eq!(attempts[0]["response_body"], "reply 200");
        assert_eq!(attempts[0]["succeeded"], true);
        assert!(attempts[0]["error"].is_null());
    }
    // last_execution_at is set on the webhooks.
    let hooks = s.get_json(&s.key, "/v1/webhooks").await;
    assert!(hooks["items"]
        .as_array()
        .expect("items")
        .iter()
        .all(|w| w["last_execution_at"].is_string()));
}

#[tokio::test]
async fn fan_out_follows_type_patterns_and_skips_disabled_webhooks() {
    let s = stack(|_| {}).await;
    let rx = Receiver::start().await;
    for (path, types, enabled) in [
        ("star", json!(["*"]), true),
        ("prefix", json!(["order.*"]), true),
        ("exact", json!(["order.created"]), true),
        ("other", json!(["user.created"]), true),
        ("disabled", json!(["*"]), false),
    ] {
        s.webhook(
            &format!("{}/{path}", rx.url),
            types,
            json!({"enabled": enabled}),
        )
        .await;
    }
    let mut many = Vec::new();
    for i in 0..10 {
        many.push(
            s.webhook(&format!("{}/many{i}", rx.url), json!(["bulk.*"]), json!({}))
                .await,
        );
    }
    let created = s.send_event(&s.key, "order.created", json!({})).await;
    let paid = s.send_event(&s.key, "order.paid", json!({})).await;
    let bulk = s.send_event(&s.key, "bulk.x", json!({})).await;
    for (id, n) in [(&created, 3), (&paid, 2), (&bulk, 11)] {
        let e = s.wait_finished(id, WAIT).await;
        assert_eq!(e["deliveries"].as_array().expect("d").len(), n);
    }
    let got = rx.wait_for(16, WAIT).await;
    let mut count: HashMap<String, usize> = HashMap::new();
    for r in &got {
        *count
            .entry(format!(
                "{} {}",
                r.path,
                r.header("x-webhook-event").expect("event")
            ))
            .or_default() += 1;
    }
    for (key, n) in [
        ("/star order.created", 1),
        ("/prefix order.created", 1),
        ("/exact order.created", 1),
        ("/star order.paid", 1),
        ("/prefix order.paid", 1),
        ("/star bulk.x", 1),
    ] {
        assert_eq!(count.get(key), Some(&n), "{key}: {count:?}");
    }
    assert_eq!(got.len(), 16, "{count:?}");
    assert!(got
        .iter()
        .all(|r| r.path != "/disabled" && r.path != "/other"));
}

#[tokio::test]
async fn deliveries_to_a_deleted_webhook_are_cancelled() {
    let mut s = api_only(|s| s.amqp.url = "amqp://guest:guest@127.0.0.1:1/%2f".into()).await;
    let rx = Receiver::start().await;
    let (hook, _) = s.webhook(&rx.url, json!(["*"]), json!({})).await;
    let (paused, _) = s.webhook(&rx.url, json!(["*"]), json!({})).await;
    let event = s.send_event(&s.key, "a.b", json!({})).await;
    let res = s
        .req(
            reqwest::Method::DELETE,
            &format!("/v1/webhooks/{hook}"),
            &s.key,
        )
        .send()
        .await
        .expect("delete");
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = s
        .patch(
            &format!("/v1/webhooks/{paused}"),
            &json!({"enabled": false}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // The publish failed (broker unreachable); the sweeper of a working dispatcher finds it.
    let real = hookrelay_testkit::test_settings(&s.db.url).amqp.url;
    s.start_dispatcher_with(|d| {
        d.amqp.url = real;
        d.dispatcher.sweep_interval_secs = 1;
        d.dispatcher.sweep_grace_secs = 0;
    });
    let e = s.wait_finished(&event, WAIT).await;
    assert!(e["deliveries"]
        .as_array()
        .expect("d")
        .iter()
        .all(|d| d["status"] == "cancelled" && d["attempts"] == 0));
    assert!(rx.received().is_empty());
}

#[tokio::test]
async fn a_failed_delivery_can_be_replayed_byte_for_byte() {
    let s = stack(|s| s.delivery.retry_schedule_secs = vec![1]).await;
    let rx = Receiver::start().await;
    rx.script([Reply::status(500), Reply::status(500)]);
    s.webhook(&rx.url, json!(["*"]), json!({})).await;
    let event = s.send_event(&s.key, "a.b", json!({"k": "v"})).await;
    let e = s.wait_finished(&event, WAIT).await;
    let d = &e["deliveries"][0];
    assert_eq!(d["status"], "failed");
    assert_eq!(d["attempts"], 2);
    let id = d["id"].as_str().expect("id");
    let res = s
        .post(&s.key, &format!("/v1/deliveries/{id}/replay"), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let e = s.wait_finished(&event, WAIT).await;
    assert_eq!(e["deliveries"][0]["status"], "succeeded");
    assert_eq!(e["deliveries"][0]["attempts"], 3);
    let got = rx.received();
    assert_eq!(got.len(), 3);
    assert!(got
        .windows(2)
        .all(|w| w[0].body == w[1].body && w[0].header("webhook-id") == w[1].header("webhook-id")));
    // Replaying a pending or unknown delivery is refused.
    let res = s
        .post(
            &s.key,
            "/v1/deliveries/00000000-0000-0000-0000-000000000000/replay",
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_binary_response_body_is_logged_without_breaking_the_log() {
    let s = stack(|_| {}).await;
    let rx = Receiver::start().await;
    rx.reply_body(b"ok\0\xff\0done");
    s.webhook(&rx.url, json!(["*"]), json!({})).await;
    let event = s.send_event(&s.key, "a.b", json!({})).await;
    let e = s.wait_finished(&event, WAIT).await;
    let d = &e["deliveries"][0];
    assert_eq!(d["status"], "succeeded");
    assert_eq!(d["attempts"], 1);
    let log = s.delivery(d["id"].as_str().expect("id")).await;
    assert_eq!(
        log["attempt_log"][0]["response_body"],
        "ok\u{FFFD}\u{FFFD}\u{FFFD}done"
    );
    assert_eq!(rx.received().len(), 1);
}

#[tokio::test]
async fn a_corrupt_webhook_row_fails_its_delivery_unsent_with_the_reason() {
    let s = stack(|_| {}).await;
    let rx = Receiver::start().await;
    let (bad_secret, _) = s.webhook(&rx.url, json!(["*"]), json!({})).await;
    let (bad_headers, _) = s.webhook(&rx.url, json!(["*"]), json!({})).await;
    let (healthy, secret) = s.webhook(&rx.url, json!(["*"]), json!({})).await;
    let client = s.db.pool.get().await.expect("connection");
    client
        .execute(
            "UPDATE webhooks SET secret = 'not-a-secret' WHERE id = $1::text::uuid",
            &[&bad_secret],
        )
        .await
        .expect("corrupt the secret");
    client
        .execute(
            "UPDATE webhooks SET headers = '[1]'::jsonb WHERE id = $1::text::uuid",
            &[&bad_headers],
        )
        .await
        .expect("corrupt the headers");

    let event = s.send_event(&s.key, "a.b", json!({})).await;
    let e = s.wait_finished(&event, WAIT).await;
    let by_webhook: HashMap<String, &Value> = e["deliveries"]
        .as_array()
        .expect("deliveries")
        .iter()
        .map(|d| (d["webhook_id"].as_str().expect("id").to_string(), d))
        .collect();
    assert_eq!(by_webhook[&healthy]["status"], "succeeded");
    for (webhook, reason) in [
        (&bad_secret, "signing secret"),
        (&bad_headers, "custom headers"),
    ] {
        let d = by_webhook[webhook];
        assert_eq!(d["status"], "failed", "{reason}");
        assert_eq!(d["attempts"], 1, "{reason}: no retries for a corrupt row");
        let log = s.delivery(d["id"].as_str().expect("id")).await;
        let error = log["attempt_log"][0]["error"].as_str().expect("error");
        assert!(error.contains(reason), "{error:?} names {reason}");
        assert!(log["attempt_log"][0]["response_code"].is_null());
    }
    // Only the healthy webhook's delivery was sent, and it is signed.
    let got = rx.received();
    assert_eq!(got.len(), 1);
    verify_signature(&secret, &got[0]);
    let metrics = hookrelay_core::telemetry::render_metrics();
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("hookrelay_corrupt_rows_total{")
                && l.contains("table=\"webhooks\"")),
        "corrupt rows are counted"
    );
}
