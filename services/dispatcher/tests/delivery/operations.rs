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
        // Well above a local receiver's answer on a loaded machine, well below the delay.
        s.delivery.timeout_ms = 1000;
    })
    .await;
    let rx = Receiver::start().await;
    rx.script([
        Reply::status(500),
        Reply::delayed(200, Duration::from_millis(3500)),
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
    assert!((0.9..3.0).contains(&took), "timeout after {took} s");
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
    // A prefix pattern, and every delivery names its event's type.
    assert_eq!(count(&s, "event_type=b.*").await, 2);
    assert_eq!(count(&s, "event_type=*").await, 3);
    let b_only = s.get_json(&s.key, "/v1/deliveries?event_type=b.*").await;
    assert!(
        items(&b_only).iter().all(|d| d["event_type"] == "b.two"),
        "{b_only}"
    );
    let res = s.get(&s.key, "/v1/deliveries?event_type=b.*.c").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
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

/// Issue 26, item 4: a delivery's attempts show what was sent and received, and name a
/// failure without an answer in plain terms.
#[tokio::test]
async fn attempts_keep_the_headers_sent_and_received_and_name_transport_failures() {
    let s = stack(|s| s.delivery.retry_schedule_secs = vec![1]).await;
    let rx = Receiver::start().await;
    rx.script([Reply::retry_after(503, 1), Reply::status(200)]);
    let (_, _) = s
        .webhook(
            &rx.url,
            json!(["order.*"]),
            json!({"headers": {"Authorization": "Bearer do-not-log"}}),
        )
        .await;
    let event = s.send_event(&s.key, "order.paid", json!({"n": 1})).await;
    let e = s.wait_finished(&event, WAIT).await;
    let id = e["deliveries"][0]["id"].as_str().expect("id").to_string();
    let d = s.get_json(&s.key, &format!("/v1/deliveries/{id}")).await;
    assert_eq!(d["event_type"], "order.paid");
    let log = d["attempt_log"].as_array().expect("attempts");
    assert_eq!(log.len(), 2, "{d}");
    let header = |list: &Value, name: &str| -> Option<String> {
        list.as_array()?
            .iter()
            .find(|pair| pair[0].as_str() == Some(name))
            .and_then(|pair| pair[1].as_str().map(String::from))
    };
    let sent = &log[0]["request_headers"];
    // What the receiver got, but the custom header's value stays out of the log.
    let got = &rx.received()[0];
    assert_eq!(
        header(sent, "webhook-signature").as_deref(),
        got.header("webhook-signature")
    );
    assert_eq!(header(sent, "webhook-id").as_deref(), Some(event.as_str()));
    assert_eq!(header(sent, "authorization").as_deref(), Some("[redacted]"));
    assert!(!sent.to_string().contains("do-not-log"), "{sent}");
    assert!(header(sent, "user-agent").is_some_and(|u| u.starts_with("hookrelay/")));
    assert_eq!(
        header(&log[0]["response_headers"], "retry-after").as_deref(),
        Some("1")
    );
    assert!(log[0]["error_kind"].is_null());
    assert_eq!(log[1]["succeeded"], true);

    // Nothing listens: refused, in those words, with what was sent and nothing received.
    let closed = format!("http://127.0.0.1:{}/", hookrelay_testkit::free_port());
    let (_, _) = s
        .webhook(
            &closed,
            json!(["invoice.*"]),
            json!({"retry_schedule_secs": [1]}),
        )
        .await;
    let event = s.send_event(&s.key, "invoice.paid", json!({})).await;
    let e = s.wait_finished(&event, WAIT).await;
    let id = e["deliveries"][0]["id"].as_str().expect("id").to_string();
    let d = s.get_json(&s.key, &format!("/v1/deliveries/{id}")).await;
    let attempt = &d["attempt_log"][0];
    assert_eq!(attempt["error_kind"], "connection_refused", "{d}");
    assert!(attempt["request_headers"].is_array());
    assert!(attempt["response_headers"].is_null());
    let log = s
        .get_json(&s.key, &format!("/v1/deliveries?event_id={event}"))
        .await;
    assert_eq!(items(&log)[0]["status"], "failed");
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

#[tokio::test]
async fn stats_count_a_known_sequence_of_outcomes() {
    let s = stack(|s| s.delivery.retry_schedule_secs = vec![]).await;
    let rx = Receiver::start().await;
    rx.script([
        Reply::status(200),
        Reply::status(500),
        Reply::status(204),
        Reply::status(200),
        Reply::status(503),
    ]);
    let (webhook, _) = s.webhook(&rx.url, json!(["*"]), json!({})).await;
    let path = format!("/v1/webhooks/{webhook}/stats");
    let empty = s.get_json(&s.key, &path).await;
    assert_eq!(empty["attempts"], 0);
    assert!(empty["success_rate"].is_null());
    // One event at a time, so the receiver answers them in order.
    for n in 0..5 {
        let event = s.send_event(&s.key, "a.b", json!({"n": n})).await;
        s.wait_finished(&event, WAIT).await;
    }
    let stats = s.get_json(&s.key, &path).await;
    assert_eq!(stats["window"], "24h");
    assert_eq!(stats["attempts"], 5);
    assert_eq!(stats["successes"], 3);
    assert_eq!(stats["failures"], 2);
    assert_eq!(stats["success_rate"], 0.6);
    assert_eq!(stats["failed_deliveries"], 2);
    assert_eq!(stats["pending_deliveries"], 0);
    assert_eq!(stats["last_response_code"], 503);
    assert!(stats["last_execution_at"].is_string());
    let p50 = stats["execution_time_p50"].as_f64().expect("p50");
    let p95 = stats["execution_time_p95"].as_f64().expect("p95");
    assert!(p50 > 0.0 && p50 <= p95 && p95 <= 10.0, "{p50} {p95}");
    let series = stats["series"].as_array().expect("series");
    let total: i64 = series
        .iter()
        .map(|p| p["attempts"].as_i64().expect("n"))
        .sum();
    assert_eq!(total, 5);
    for window in ["1h", "7d", "30d"] {
        let w = s.get_json(&s.key, &format!("{path}?window={window}")).await;
        assert_eq!(w["attempts"], 5, "{window}");
        assert_eq!(w["window"], window);
    }
    let bad = s.get(&s.key, &format!("{path}?window=2d")).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Webhook views carry the 24 h rate and the latest code.
    let w = s.get_json(&s.key, &format!("/v1/webhooks/{webhook}")).await;
    assert_eq!(w["success_rate_24h"], 0.6);
    assert_eq!(w["last_response_code"], 503);
    let list = s.get_json(&s.key, "/v1/webhooks").await;
    assert_eq!(items(&list)[0]["success_rate_24h"], 0.6);

    let other = s.create_tenant("other").await.key;
    assert_eq!(s.get(&other, &path).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn test_sends_report_good_failing_slow_and_refused_receivers() {
    let s = stack(|_| {}).await;
    let good = Receiver::start().await;
    let (webhook, secret) = s.webhook(&good.url, json!(["order.paid"]), json!({})).await;
    let res = s
        .post(&s.key, &format!("/v1/webhooks/{webhook}/test"), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let result: Value = res.json().await.expect("json");
    assert_eq!(result["success"], true);
    assert_eq!(result["response_code"], 200);
    assert_eq!(result["response_excerpt"], "reply 200");
    assert_eq!(result["event_type"], "order.paid");
    assert!(result["execution_time"].as_f64().expect("secs") < 5.0);
    let got = good.received();
    assert_eq!(got.len(), 1, "sent now, not queued");
    crate::helpers::verify_signature(&secret, &got[0]);
    assert_eq!(got[0].header("x-webhook-event"), Some("order.paid"));
    // Logged as a test in the webhook's log, with the body sent.
    let log = s
        .get_json(&s.key, &format!("/v1/webhooks/{webhook}/logs"))
        .await;
    let row = &items(&log)[0];
    assert_eq!(row["test"], true);
    assert!(row["delivery_id"].is_null());
    assert_eq!(
        row["payload"],
        serde_json::from_slice::<Value>(&got[0].body).expect("body")
    );
    // Issue 26, item 5: the caller's own payload, as the event's data.
    let res = s
        .post(
            &s.key,
            &format!("/v1/webhooks/{webhook}/test"),
            &json!({"event_type": "order.refunded", "payload": {"order": "ж-1", "amount": 5}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let got = good.wait_for(2, WAIT).await;
    let body: Value = serde_json::from_slice(&got[1].body).expect("body");
    assert_eq!(body["event"], "order.refunded");
    assert_eq!(body["data"], json!({"order": "ж-1", "amount": 5}));
    let res = s
        .post(
            &s.key,
            &format!("/v1/webhooks/{webhook}/test"),
            &json!({"payload": [1, 2]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: Value = res.json().await.expect("json");
    assert_eq!(err["error"]["field"], "payload");
    assert_eq!(good.received().len(), 2, "a refused payload is not sent");
    // Test sends are not deliveries: no stats.
    let stats = s
        .get_json(&s.key, &format!("/v1/webhooks/{webhook}/stats"))
        .await;
    assert_eq!(stats["attempts"], 0);

    let failing = Receiver::start().await;
    failing.always(Reply::status(500));
    let slow = Receiver::start().await;
    slow.always(Reply::delayed(200, Duration::from_secs(6)));
    let cases = [
        (failing.url.clone(), Some(500), None),
        (slow.url.clone(), None, Some("timed out")),
        (
            "http://127.0.0.1:1/refused".to_string(),
            None,
            Some("connect"),
        ),
    ];
    for (url, code, error) in cases {
        let res = s
            .post(
                &s.key,
                "/v1/webhooks/test",
                &json!({"url": url, "event_type": "x.y"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{url}");
        let r: Value = res.json().await.expect("json");
        assert_eq!(r["success"], false, "{url}");
        assert_eq!(r["response_code"], json!(code), "{url}");
        if let Some(error) = error {
            let got = r["error"].as_str().unwrap_or_default();
            assert!(got.contains(error), "{url}: {got}");
        }
        if url == slow.url {
            let took = r["execution_time"].as_f64().expect("secs");
            assert!(
                (4.5..8.0).contains(&took),
                "the delivery timeout applies: {took}"
            );
        }
    }

    // An unsaved configuration is signed with the secret it names.
    let secret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    let res = s
        .post(
            &s.key,
            "/v1/webhooks/test",
            &json!({"url": good.url, "secret": secret, "payload_format": "flat", "headers": {"x-team": "a"}}),
        )
        .await;
    let r: Value = res.json().await.expect("json");
    assert_eq!(r["success"], true);
    let got = good.received();
    let last = got.last().expect("received");
    crate::helpers::verify_signature(secret, last);
    assert_eq!(last.header("x-team"), Some("a"));
    assert_eq!(last.json()["event"], "webhook.test");
}

#[tokio::test]
async fn test_first_saves_only_a_webhook_whose_test_passes() {
    let s = stack(|_| {}).await;
    let failing = Receiver::start().await;
    failing.always(Reply::status(404));
    let res = s
        .post(
            &s.key,
            "/v1/webhooks",
            &json!({"name": "n", "url": failing.url, "event_types": ["*"], "test_first": true}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["error"]["code"], "test_failed");
    assert_eq!(body["error"]["field"], "url");
    assert_eq!(body["error"]["detail"]["response_code"], 404);
    assert_eq!(body["error"]["detail"]["success"], false);
    assert!(items(&s.get_json(&s.key, "/v1/webhooks").await).is_empty());
    assert_eq!(failing.received().len(), 1);

    let good = Receiver::start().await;
    let res = s
        .post(
            &s.key,
            "/v1/webhooks",
            &json!({"name": "n", "url": good.url, "event_types": ["*"], "test_first": true}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.expect("json");
    let id = created["id"].as_str().expect("id");
    crate::helpers::verify_signature(
        created["secret"].as_str().expect("secret"),
        &good.received()[0],
    );
    let log = s.get_json(&s.key, &format!("/v1/webhooks/{id}/logs")).await;
    assert_eq!(items(&log).len(), 1);
    assert_eq!(items(&log)[0]["test"], true);

    // Another tenant cannot test this webhook.
    let other = s.create_tenant("other").await.key;
    let res = s
        .post(&other, &format!("/v1/webhooks/{id}/test"), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_bulk_replay_resends_failures_and_delivers_what_a_disabled_webhook_missed() {
    let s = stack(|s| s.delivery.retry_schedule_secs = vec![]).await;
    let since = chrono::Utc::now() - chrono::Duration::seconds(5);
    let rx = Receiver::start().await;
    rx.script([Reply::status(500), Reply::status(500)]);
    let (webhook, _) = s.webhook(&rx.url, json!(["order.*"]), json!({})).await;
    let mut failed = Vec::new();
    for n in 0..2 {
        let event = s.send_event(&s.key, "order.paid", json!({"n": n})).await;
        s.wait_finished(&event, WAIT).await;
        failed.push(event);
    }
    // Disabled: the next events are not sent to it (one of them does not match at all).
    let res = s
        .patch(
            &format!("/v1/webhooks/{webhook}"),
            &json!({"enabled": false}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let mut missed = Vec::new();
    for n in 2..4 {
        missed.push(s.send_event(&s.key, "order.paid", json!({"n": n})).await);
    }
    s.send_event(&s.key, "invoice.paid", json!({})).await;
    let res = s
        .patch(
            &format!("/v1/webhooks/{webhook}"),
            &json!({"enabled": true}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(rx.received().len(), 2);

    let path = format!("/v1/webhooks/{webhook}/replay");
    // What it will send, counted before it starts.
    let preview = s
        .post(
            &s.key,
            &format!("{path}/preview"),
            &json!({"since": since, "include_missed": true}),
        )
        .await;
    assert_eq!(preview.status(), StatusCode::OK);
    let preview: Value = preview.json().await.expect("json");
    assert_eq!(preview, json!({"count": 4, "existing": 2, "missed": 2}));
    let res = s
        .post(
            &s.key,
            &path,
            &json!({"since": since, "include_missed": true}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let started: Value = res.json().await.expect("json");
    assert_eq!(started["count"], 4);
    let id = started["id"].as_str().expect("id").to_string();
    let done = hookrelay_testkit::eventually(WAIT, "replay completed", || async {
        let r = s.get_json(&s.key, &format!("/v1/replays/{id}")).await;
        (r["state"] == "completed").then_some(r)
    })
    .await;
    assert_eq!(done["replayed"], 2);
    assert_eq!(done["created"], 2);
    assert_eq!(done["status"], "failed");
    assert_eq!(done["include_missed"], true);
    // The receiver gets the two failures again and the two events it missed.
    let got = rx.wait_for(6, WAIT).await;
    let mut ids: Vec<String> = got[2..]
        .iter()
        .map(|r| r.header("webhook-id").expect("id").to_string())
        .collect();
    ids.sort();
    let mut expected: Vec<String> = failed.iter().chain(missed.iter()).cloned().collect();
    expected.sort();
    assert_eq!(ids, expected);
    for event in failed.iter().chain(missed.iter()) {
        let e = s.wait_finished(event, WAIT).await;
        let mine: Vec<&Value> = e["deliveries"]
            .as_array()
            .expect("deliveries")
            .iter()
            .filter(|d| d["webhook_id"] == webhook.as_str())
            .collect();
        assert_eq!(mine.len(), 1, "one delivery per event and webhook");
        assert_eq!(mine[0]["status"], "succeeded");
    }

    // A second replay finds nothing failed; only one may run at a time.
    let client = s.db.pool.get().await.expect("connection");
    client
        .execute(
            "INSERT INTO replays (id, tenant_id, webhook_id, since, until, only_failed, include_missed) \
             SELECT gen_random_uuid(), tenant_id, id, now(), now(), true, false FROM webhooks WHERE id = $1::text::uuid",
            &[&webhook],
        )
        .await
        .expect("a running replay");
    let res = s.post(&s.key, &path, &json!({"since": since})).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let long = chrono::Utc::now() - chrono::Duration::days(15);
    let res = s.post(&s.key, &path, &json!({"since": long})).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = s
        .post(&s.key, &path, &json!({"since": since, "status": "some"}))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let other = s.create_tenant("other").await.key;
    assert_eq!(
        s.post(&other, &path, &json!({"since": since}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.get(&other, &format!("/v1/replays/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
}

/// Issue 26, item 6: a running bulk replay can be stopped; it sends nothing more.
#[tokio::test]
async fn a_cancelled_replay_stops_before_its_next_batch() {
    use hookrelay_core::repo::replays::ReplayRepo;
    use hookrelay_domain::replay::{ReplayScope, ReplayWindow};
    let s = stack(|s| s.delivery.retry_schedule_secs = vec![]).await;
    let rx = Receiver::start().await;
    rx.always(Reply::status(500));
    let (webhook, _) = s.webhook(&rx.url, json!(["order.*"]), json!({})).await;
    let since = chrono::Utc::now() - chrono::Duration::seconds(5);
    let event = s.send_event(&s.key, "order.paid", json!({})).await;
    s.wait_finished(&event, WAIT).await;
    // Recorded but not started (no worker), as a replay is between two batches.
    let tenant = s.get_json(&s.key, "/v1/tenant").await["id"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .expect("tenant id");
    let now = chrono::Utc::now();
    let window = ReplayWindow::parse(since, None, now).expect("window");
    let mut client = s.db.pool.get().await.expect("client");
    let replay = ReplayRepo::start(
        &mut client,
        tenant,
        webhook.parse().expect("uuid"),
        window,
        ReplayScope::Failed,
        false,
    )
    .await
    .expect("start")
    .expect("none running");
    assert_eq!(replay.total, 1);

    let res = s
        .post(
            &s.key,
            &format!("/v1/replays/{}/cancel", replay.id),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let cancelled: Value = res.json().await.expect("json");
    assert_eq!(cancelled["state"], "cancelled");
    assert!(cancelled["finished_at"].is_string());
    let step = ReplayRepo::step(&mut client, replay.id)
        .await
        .expect("step");
    assert!(
        step.get().done && step.jobs().is_empty(),
        "a cancelled replay sends nothing"
    );
    // Cancelling again changes nothing; another tenant cannot see it.
    let again = s
        .post(
            &s.key,
            &format!("/v1/replays/{}/cancel", replay.id),
            &json!({}),
        )
        .await;
    assert_eq!(
        again.json::<Value>().await.expect("json")["state"],
        "cancelled"
    );
    let other = s.create_tenant("other").await.key;
    let res = s
        .post(
            &other,
            &format!("/v1/replays/{}/cancel", replay.id),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // A new replay of the webhook may start now.
    let res = s
        .post(
            &s.key,
            &format!("/v1/webhooks/{webhook}/replay"),
            &json!({"since": since}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
}
