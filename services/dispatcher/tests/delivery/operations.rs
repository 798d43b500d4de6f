//! What integrators operate with: a webhook's log, delivery listings, replays.

use std::time::Duration;

use hookrelay_testkit::receiver::{Receiver, Reply};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{stack, Stack};

const WAIT: Duration = Duration::from_secs(30);

fn items(page: &Value) -> &Vec<Value> {
    page["items"].as_array().expect("items")
}

#[tokio::test]
async fn a_webhooks_log_shows_success_failure_and_timeout_with_the_payload_sent() {
    let s = stack(|s| {
        s.delivery.retry_schedule_secs = vec![1, 1];
        s.delivery.timeout_ms = 400;
    })
    .await;
    let rx = Receiver::start().await;
    rx.script([
        Reply::status(500),
        Reply {
            status: 200,
            delay: Duration::from_millis(1500),
        },
        Reply::status(200),
    ]);
    let (webhook, _) = s.webhook(&rx.url, json!(["order.*"]), json!({})).await;
    let event = s
        .send_event(&s.key, "order.paid", json!({"order": 7, "total": "9.90"}))
        .await;
    let e = s.wait_finished(&event, WAIT).await;
    assert_eq!(e["deliveries"][0]["status"], "succeeded");
    let delivery = e["deliveries"][0]["id"].as_str().expect("id").to_string();

    let log = s
        .get_json(&s.key, &format!("/v1/webhooks/{webhook}/logs"))
        .await;
    let rows = items(&log);
    assert_eq!(rows.len(), 3, "{log}");
    // Newest first: the success, the timeout, the 500.
    let attempts: Vec<i64> = rows
        .iter()
        .map(|r| r["attempt"].as_i64().expect("n"))
        .collect();
    assert_eq!(attempts, vec![3, 2, 1]);
    assert_eq!(rows[0]["response_code"], 200);
    assert_eq!(rows[0]["success"], true);
    assert!(rows[1]["response_code"].is_null());
    let timeout = rows[1]["error"].as_str().expect("timeout error");
    assert!(timeout.contains("timed out"), "{timeout}");
    let took = rows[1]["execution_time"].as_f64().expect("secs");
    assert!((0.3..1.4).contains(&took), "timeout after {took} s");
    assert_eq!(rows[2]["response_code"], 500);
    assert_eq!(rows[2]["success"], false);
    for row in rows {
        assert_eq!(row["delivery_id"], delivery.as_str());
        assert_eq!(row["event_id"], event.as_str());
        assert_eq!(row["event_type"], "order.paid");
        assert_eq!(row["test"], false);
        assert!(row["created_at"].is_string());
    }
    // The payload is the exact body the receiver got.
    let received = rx.received();
    let sent: Value = serde_json::from_slice(&received[0].body).expect("json body");
    assert_eq!(rows[0]["payload"], sent);
    assert_eq!(
        rows[0]["payload"]["data"],
        json!({"order": 7, "total": "9.90"})
    );
    assert_eq!(rows[0]["response_excerpt"], "reply 200");

    // Filters and pages.
    let path = format!("/v1/webhooks/{webhook}/logs");
    let ok = s.get_json(&s.key, &format!("{path}?status=success")).await;
    assert_eq!(items(&ok).len(), 1);
    let failed = s.get_json(&s.key, &format!("{path}?status=failure")).await;
    assert_eq!(items(&failed).len(), 2);
    let other = s
        .get_json(&s.key, &format!("{path}?event_type=order.new"))
        .await;
    assert!(items(&other).is_empty());
    let later = s
        .get_json(&s.key, &format!("{path}?since=2999-01-01T00:00:00Z"))
        .await;
    assert!(items(&later).is_empty());
    let first = s.get_json(&s.key, &format!("{path}?limit=2")).await;
    assert_eq!(items(&first).len(), 2);
    let cursor = first["next_cursor"].as_str().expect("cursor");
    let second = s
        .get_json(&s.key, &format!("{path}?limit=2&cursor={cursor}"))
        .await;
    assert_eq!(items(&second).len(), 1);
    assert_eq!(items(&second)[0]["attempt"], 1);
    assert!(second["next_cursor"].is_null());
    let bad = s.get(&s.key, &format!("{path}?status=maybe")).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A forged cursor whose key is not a time is the caller's error, not a 503.
    use base64::Engine;
    let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(json!({"o": "log_started_desc", "k": "not a time", "i": event}).to_string());
    for cursor in [forged.as_str(), "garbage"] {
        let res = s.get(&s.key, &format!("{path}?cursor={cursor}")).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{cursor}");
    }

    // Another tenant sees none of it.
    let other = s.create_tenant("other").await.key;
    let res = s.get(&other, &path).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

/// How many deliveries `GET /v1/deliveries?{query}` lists.
async fn count(s: &Stack, query: &str) -> usize {
    items(&s.get_json(&s.key, &format!("/v1/deliveries?{query}")).await).len()
}

#[tokio::test]
async fn deliveries_are_listed_with_filters() {
    let s = stack(|s| s.delivery.retry_schedule_secs = vec![]).await;
    let ok = Receiver::start().await;
    let failing = Receiver::start().await;
    failing.always(Reply::status(500));
    let (good, _) = s.webhook(&ok.url, json!(["*"]), json!({})).await;
    let (bad, _) = s.webhook(&failing.url, json!(["b.*"]), json!({})).await;
    let a = s.send_event(&s.key, "a.one", json!({})).await;
    let b = s.send_event(&s.key, "b.two", json!({})).await;
    s.wait_finished(&a, WAIT).await;
    s.wait_finished(&b, WAIT).await;

    let all = s.get_json(&s.key, "/v1/deliveries").await;
    assert_eq!(items(&all).len(), 3);
    assert_eq!(count(&s, &format!("webhook_id={good}")).await, 2);
    assert_eq!(count(&s, &format!("webhook_id={bad}")).await, 1);
    assert_eq!(count(&s, &format!("event_id={b}")).await, 2);
    assert_eq!(count(&s, "status=failed").await, 1);
    assert_eq!(count(&s, "status=succeeded").await, 2);
    assert_eq!(count(&s, "event_type=a.one").await, 1);
    assert_eq!(
        count(&s, &format!("webhook_id={good}&event_type=b.two")).await,
        1
    );
    assert_eq!(count(&s, "until=2000-01-01T00:00:00Z").await, 0);
    let page = s.get_json(&s.key, "/v1/deliveries?limit=2").await;
    let cursor = page["next_cursor"].as_str().expect("cursor");
    let rest = s
        .get_json(&s.key, &format!("/v1/deliveries?limit=2&cursor={cursor}"))
        .await;
    assert_eq!(items(&rest).len(), 1);
    let res = s.get(&s.key, "/v1/deliveries?status=lost").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let other = s.create_tenant("other").await.key;
    assert!(items(&s.get_json(&other, "/v1/deliveries").await).is_empty());
}

#[tokio::test]
async fn a_replay_gets_a_fresh_retry_schedule() {
    let s = stack(|s| s.delivery.retry_schedule_secs = vec![1, 1]).await;
    let rx = Receiver::start().await;
    rx.always(Reply::status(500));
    s.webhook(&rx.url, json!(["*"]), json!({})).await;
    let event = s.send_event(&s.key, "a.b", json!({"n": 1})).await;
    let e = s.wait_finished(&event, WAIT).await;
    let d = &e["deliveries"][0];
    assert_eq!(d["status"], "failed");
    assert_eq!(d["attempts"], 3);
    let id = d["id"].as_str().expect("id");
    let res = s
        .post(&s.key, &format!("/v1/deliveries/{id}/replay"), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    // The replay is attempted, then retried twice more: the whole schedule again.
    rx.wait_for(6, WAIT).await;
    let e = s.wait_finished(&event, WAIT).await;
    assert_eq!(e["deliveries"][0]["status"], "failed");
    assert_eq!(e["deliveries"][0]["attempts"], 6);
    let got = rx.received();
    assert_eq!(got.len(), 6);
    assert!(got
        .windows(2)
        .all(|w| w[0].body == w[1].body && w[0].header("webhook-id") == w[1].header("webhook-id")));
    let attempts: Vec<&str> = got
        .iter()
        .map(|r| r.header("x-webhook-attempt").expect("attempt header"))
        .collect();
    assert_eq!(attempts, vec!["1", "2", "3", "4", "5", "6"]);
    // Replayed attempts wait for the schedule too (>= 1 s apart).
    assert!(got[4].at - got[3].at >= Duration::from_millis(900));
}
