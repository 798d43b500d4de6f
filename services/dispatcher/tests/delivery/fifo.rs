//! Ordered delivery against the real services: a FIFO webhook's lanes, their retries, keys
//! that do not wait for each other, and order kept across a dispatcher's SIGKILL.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hookrelay_testkit::eventually;
use hookrelay_testkit::receiver::{Received, Receiver, Reply};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{api_only, spawn_dispatcher, stack, Stack};

const WAIT: Duration = Duration::from_secs(90);

/// Publishes an event of type `a.b` with `data` and an optional ordering key; returns its
/// id.
async fn send(s: &Stack, data: Value, key: Option<&str>) -> String {
    let mut body = json!({"event_type": "a.b", "data": data});
    if let Some(key) = key {
        body["ordering_key"] = json!(key);
    }
    let res = s.api.post(&s.key, "/v1/events", &body).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let body: Value = res.json().await.expect("json");
    body["id"].as_str().expect("id").to_string()
}

/// `data.i` of a received delivery (envelope format).
fn index(r: &Received) -> u64 {
    r.json()["data"]["i"].as_u64().expect("data.i")
}

/// Asserts the receiver saw `0..n` in order: each index first arrives after every lower
/// one, and an index arrives again only right after itself (a retry, or a head resent
/// after a crash) — never after a later one.
fn assert_in_order(got: &[u64], n: u64) {
    for pair in got.windows(2) {
        assert!(
            pair[1] == pair[0] || pair[1] == pair[0] + 1,
            "out of order: {} after {} in {got:?}",
            pair[1],
            pair[0]
        );
    }
    assert_eq!(got.first(), Some(&0), "{got:?}");
    assert_eq!(got.last(), Some(&(n - 1)), "{got:?}");
}

#[tokio::test]
async fn a_fifo_webhook_gets_its_events_in_order_one_at_a_time_through_retries() {
    let s = stack(|c| c.delivery.circuit_failures = 0).await;
    let rx = Receiver::start().await;
    // Every 4th event's first attempt fails; a short pause makes overlap visible.
    let failed_once = Arc::new(Mutex::new(HashSet::new()));
    rx.answer_with(move |r| {
        let i = index(r);
        let first = failed_once.lock().expect("lock").insert(i);
        let status = if i % 4 == 3 && first { 500 } else { 200 };
        Some(Reply::delayed(status, Duration::from_millis(10)))
    });
    let (id, _) = s
        .webhook(&rx.url, json!(["*"]), json!({"ordering": "fifo"}))
        .await;
    let webhook = s.get_json(&s.key, &format!("/v1/webhooks/{id}")).await;
    assert_eq!(webhook["ordering"], "fifo");
    let mut events = Vec::new();
    for i in 0..40 {
        events.push(send(&s, json!({"i": i}), None).await);
    }
    for e in &events {
        s.wait_finished(e, WAIT).await;
    }
    let got: Vec<u64> = rx.received().iter().map(index).collect();
    assert_eq!(got.len(), 50, "40 events and 10 retries: {got:?}");
    assert_in_order(&got, 40);
    assert_eq!(rx.max_concurrent(), 1, "never two in flight");
    for (i, e) in events.iter().enumerate() {
        let d = &s.event(e).await["deliveries"][0];
        assert_eq!(d["status"], "succeeded");
        assert_eq!(d["attempts"], if i % 4 == 3 { 2 } else { 1 }, "{d}");
    }
}

#[tokio::test]
async fn a_key_whose_head_keeps_failing_does_not_hold_up_the_other_keys() {
    let s = stack(|c| c.delivery.circuit_failures = 0).await;
    let rx = Receiver::start().await;
    let start = Instant::now();
    // Key a's receiver fails for 8 s; key b's is fine.
    rx.answer_with(move |r| {
        let failing = r.json()["data"]["key"] == "a" && start.elapsed() < Duration::from_secs(8);
        Some(Reply::status(if failing { 500 } else { 200 }))
    });
    s.webhook(
        &rx.url,
        json!(["*"]),
        json!({"ordering": "fifo", "retry_schedule_secs": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}),
    )
    .await;
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for i in 0..5 {
        a.push(send(&s, json!({"key": "a", "i": i}), Some("a")).await);
        b.push(send(&s, json!({"key": "b", "i": i}), Some("b")).await);
    }
    let sent = start.elapsed();
    // Every b arrives while a's head is still failing.
    for e in &b {
        let detail = s.wait_finished(e, Duration::from_secs(8)).await;
        assert_eq!(detail["deliveries"][0]["status"], "succeeded");
        assert_eq!(detail["ordering_key"], "b");
    }
    let b_done = start.elapsed();
    assert!(
        b_done < Duration::from_secs(7),
        "key b waited for key a: done after {b_done:?} (all sent after {sent:?})"
    );
    // Meanwhile a's second delivery waits behind its head, unattempted.
    let head = s.event(&a[0]).await["deliveries"][0].clone();
    let second = s.event(&a[1]).await["deliveries"][0].clone();
    if head["status"] == "pending" {
        assert_eq!(second["status"], "pending");
        assert_eq!(second["attempts"], 0, "{second}");
        assert_eq!(second["lane"]["ordering_key"], "a");
        assert_eq!(second["lane"]["position"], 1);
        assert_eq!(second["lane"]["waiting_behind"], head["id"]);
        assert_eq!(head["lane"]["position"], 0);
    }
    for e in &a {
        let detail = s.wait_finished(e, WAIT).await;
        assert_eq!(detail["deliveries"][0]["status"], "succeeded");
    }
    let received = rx.received();
    let of_key = |k: &str| -> Vec<u64> {
        received
            .iter()
            .filter(|r| r.json()["data"]["key"] == k)
            .map(index)
            .collect()
    };
    let a_got = of_key("a");
    assert_in_order(&a_got, 5);
    assert!(a_got.len() > 5, "a's head was retried: {a_got:?}");
    assert_eq!(of_key("b"), vec![0, 1, 2, 3, 4]);
}

#[tokio::test]
async fn order_survives_a_dispatcher_sigkill_mid_stream() {
    let s = api_only(|_| {}).await;
    let rx = Receiver::start().await;
    rx.always(Reply::delayed(200, Duration::from_millis(50)));
    s.webhook(&rx.url, json!(["*"]), json!({"ordering": "fifo"}))
        .await;
    let mut first = spawn_dispatcher(&s.db.url, &s.settings.amqp);
    let mut events = Vec::new();
    for i in 0..30 {
        events.push(send(&s, json!({"i": i}), None).await);
    }
    rx.wait_for(5, WAIT).await;
    // SIGKILL: the head in flight may be sent again, nothing after it may go first.
    first.kill();
    let mut second = spawn_dispatcher(&s.db.url, &s.settings.amqp);
    for e in &events {
        let detail = s.wait_finished(e, WAIT).await;
        assert_eq!(detail["deliveries"][0]["status"], "succeeded", "{detail}");
    }
    second.kill();
    let got: Vec<u64> = rx.received().iter().map(index).collect();
    assert_in_order(&got, 30);
    assert!(got.len() <= 31, "at most the head in flight again: {got:?}");
}

#[tokio::test]
async fn switching_back_to_none_releases_the_waiting_deliveries() {
    let s = stack(|c| c.delivery.circuit_failures = 0).await;
    let rx = Receiver::start().await;
    // The head keeps failing: everything behind it waits.
    rx.answer_with(|r| Some(Reply::status(if index(r) == 0 { 500 } else { 200 })));
    let (id, _) = s
        .webhook(
            &rx.url,
            json!(["*"]),
            json!({"ordering": "fifo", "retry_schedule_secs": [60]}),
        )
        .await;
    let mut events = Vec::new();
    for i in 0..4 {
        events.push(send(&s, json!({"i": i}), None).await);
    }
    rx.wait_for(1, WAIT).await;
    let waiting = s.event(&events[3]).await["deliveries"][0].clone();
    assert_eq!(waiting["lane"]["position"], 3, "{waiting}");
    let res = s
        .patch(&format!("/v1/webhooks/{id}"), &json!({"ordering": "none"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    for e in &events[1..] {
        let detail = s.wait_finished(e, WAIT).await;
        assert_eq!(detail["deliveries"][0]["status"], "succeeded");
        assert!(detail["deliveries"][0]["lane"].is_null());
    }
    eventually(WAIT, "the head still retrying", || async {
        let head = s.event(&events[0]).await["deliveries"][0].clone();
        (head["status"] == "pending").then_some(())
    })
    .await;
}
