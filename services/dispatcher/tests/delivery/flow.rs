//! Per-endpoint flow control against the real services: concurrency caps, rate limits,
//! receiver pauses, circuit breakers, fair shares between tenants, and all of it across
//! two dispatchers.

use std::time::{Duration, Instant};

use hookrelay_testkit::eventually;
use hookrelay_testkit::receiver::{Receiver, Reply};
use serde_json::{json, Value};

use crate::helpers::{api_only, stack, Stack};

const WAIT: Duration = Duration::from_secs(60);

/// Sends `n` events of type `a.b` with the stack's key; returns their ids.
async fn events(s: &Stack, key: &str, n: usize) -> Vec<String> {
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        ids.push(s.send_event(key, "a.b", json!({"i": i})).await);
    }
    ids
}

/// Waits for every event's deliveries to finish; returns every delivery.
async fn finished(s: &Stack, key: &str, ids: &[String]) -> Vec<Value> {
    let mut all = Vec::new();
    for id in ids {
        let e = s.wait_finished_as(key, id, WAIT).await;
        all.extend(e["deliveries"].as_array().expect("deliveries").clone());
    }
    all
}

fn assert_each_delivered_at_first_attempt(deliveries: &[Value]) {
    for d in deliveries {
        assert_eq!(d["status"], "succeeded", "{d}");
        assert_eq!(d["attempts"], 1, "a held delivery is never charged: {d}");
    }
}

#[tokio::test]
async fn max_concurrency_caps_requests_in_flight_and_waiting_costs_no_attempt() {
    let s = stack(|_| {}).await;
    let rx = Receiver::start().await;
    rx.always(Reply::delayed(200, Duration::from_millis(300)));
    let (id, _) = s
        .webhook(&rx.url, json!(["*"]), json!({"max_concurrency": 2}))
        .await;
    let ids = events(&s, &s.key, 12).await;
    let deliveries = finished(&s, &s.key, &ids).await;
    assert_each_delivered_at_first_attempt(&deliveries);
    assert_eq!(rx.received().len(), 12);
    assert_eq!(
        rx.max_concurrent(),
        2,
        "never more than max_concurrency at once"
    );
    let webhook = s.get_json(&s.key, &format!("/v1/webhooks/{id}")).await;
    assert_eq!(webhook["max_concurrency"], 2);
    assert_eq!(webhook["circuit"]["state"], "closed");
}

#[tokio::test]
async fn a_rate_limit_spaces_deliveries_out_without_failing_them() {
    let s = stack(|_| {}).await;
    let rx = Receiver::start().await;
    s.webhook(
        &rx.url,
        json!(["*"]),
        json!({"rate_limit": 2, "rate_limit_period": "second"}),
    )
    .await;
    let ids = events(&s, &s.key, 8).await;
    let deliveries = finished(&s, &s.key, &ids).await;
    assert_each_delivered_at_first_attempt(&deliveries);
    let got = rx.received();
    assert_eq!(got.len(), 8);
    let first = got.iter().map(|r| r.at).min().expect("first");
    let last = got.iter().map(|r| r.at).max().expect("last");
    // A burst of 2, then one every 500 ms: the eighth at least 3 s after the first.
    assert!(
        last - first >= Duration::from_millis(2500),
        "8 deliveries at 2/s took only {:?}",
        last - first
    );
    let in_first_second = got
        .iter()
        .filter(|r| r.at - first < Duration::from_millis(900))
        .count();
    assert!(
        in_first_second <= 3,
        "{in_first_second} in the first second"
    );
}

#[tokio::test]
async fn retry_after_pauses_the_whole_endpoint() {
    let s = stack(|_| {}).await;
    let rx = Receiver::start().await;
    rx.script([Reply::retry_after(429, 5)]);
    let (id, _) = s.webhook(&rx.url, json!(["*"]), json!({})).await;
    let first = events(&s, &s.key, 1).await;
    rx.wait_for(1, WAIT).await;
    let paused = eventually(WAIT, "the pause visible on the webhook", || async {
        let w = s.get_json(&s.key, &format!("/v1/webhooks/{id}")).await;
        (!w["waiting"]["paused_until"].is_null()).then_some(w)
    })
    .await;
    assert!(paused["waiting"]["paused_until"].is_string(), "{paused}");
    // Deliveries sent during the pause wait for it, unattempted.
    let more = events(&s, &s.key, 3).await;
    let deliveries = finished(&s, &s.key, &more).await;
    assert_each_delivered_at_first_attempt(&deliveries);
    let got = rx.received();
    let t429 = got[0].at;
    for r in &got[1..] {
        assert!(
            r.at - t429 >= Duration::from_millis(4500),
            "a request {:?} after the 429 with Retry-After: 5",
            r.at - t429
        );
    }
    let retried = finished(&s, &s.key, &first).await;
    assert_eq!(retried[0]["status"], "succeeded");
}

#[tokio::test]
async fn the_circuit_opens_after_consecutive_failures_holds_deliveries_and_a_probe_closes_it() {
    let s = stack(|c| {
        c.delivery.circuit_failures = 3;
        c.delivery.circuit_cooldown_secs = 3;
        c.delivery.retry_schedule_secs = vec![1, 1, 1, 1, 1, 1, 1, 1];
    })
    .await;
    let watcher = Receiver::start().await;
    s.webhook(
        &watcher.url,
        json!(["webhook.circuit_opened", "webhook.circuit_closed"]),
        json!({}),
    )
    .await;
    let rx = Receiver::start().await;
    rx.always(Reply::status(500));
    let (id, _) = s.webhook(&rx.url, json!(["a.*"]), json!({})).await;
    let ids = events(&s, &s.key, 3).await;
    let opened = watcher.wait_for(1, WAIT).await;
    assert_eq!(opened[0].json()["event"], "webhook.circuit_opened");
    assert_eq!(opened[0].json()["data"]["webhook_id"], id.as_str());
    let webhook = s.get_json(&s.key, &format!("/v1/webhooks/{id}")).await;
    assert_eq!(webhook["circuit"]["state"], "open", "{webhook}");
    assert!(webhook["circuit"]["retry_at"].is_string());
    // While open nothing is sent: the failed deliveries wait with their retries intact.
    let sent_when_opened = rx.received().len();
    assert_eq!(
        sent_when_opened, 3,
        "three failures, then the circuit opened"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        rx.received().len(),
        sent_when_opened,
        "nothing sent while open"
    );
    // The receiver recovers; the probe after the cooldown closes the circuit and the
    // waiting deliveries go.
    rx.always(Reply::status(200));
    let closed = watcher.wait_for(2, WAIT).await;
    assert_eq!(closed[1].json()["event"], "webhook.circuit_closed");
    let deliveries = finished(&s, &s.key, &ids).await;
    for d in &deliveries {
        assert_eq!(d["status"], "succeeded", "{d}");
        assert!(d["attempts"].as_i64().expect("attempts") <= 3, "{d}");
    }
    let webhook = s.get_json(&s.key, &format!("/v1/webhooks/{id}")).await;
    assert_eq!(webhook["circuit"]["state"], "closed");
}

#[tokio::test]
async fn a_slow_tenant_cannot_delay_another_tenants_deliveries() {
    // A small dispatcher (8 requests in flight, 4 per tenant) makes the point quickly:
    // before per-tenant shares, tenant A's backlog took every slot.
    let mut s = api_only(|c| {
        c.dispatcher.max_in_flight = 8;
        c.dispatcher.max_in_flight_per_tenant = 4;
    })
    .await;
    s.start_dispatcher();
    let slow = Receiver::start().await;
    slow.always(Reply::delayed(200, Duration::from_secs(2)));
    s.webhook(&slow.url, json!(["*"]), json!({})).await;
    let noisy = events(&s, &s.key, 40).await;
    slow.wait_for(4, WAIT).await;

    let quiet_key = s.api.create_tenant("quiet").await.key;
    let fast = Receiver::start().await;
    s.create_webhook(
        &quiet_key,
        json!({"name": "fast", "url": fast.url, "event_types": ["*"]}),
    )
    .await;
    let mut worst = Duration::ZERO;
    for n in 1..=5 {
        let sent = Instant::now();
        s.send_event(&quiet_key, "b.c", json!({"n": n})).await;
        fast.wait_for(n, WAIT).await;
        worst = worst.max(sent.elapsed());
    }
    // Tenant A's requests take 2 s each; B's never wait for one of them.
    assert!(
        worst < Duration::from_millis(1500),
        "tenant B waited {worst:?} behind tenant A"
    );
    assert!(slow.max_concurrent() <= 4, "tenant A kept to its share");
    let deliveries = finished(&s, &s.key, &noisy).await;
    assert_each_delivered_at_first_attempt(&deliveries);
}

#[tokio::test]
async fn two_dispatchers_split_the_shards_and_keep_a_webhooks_limits() {
    // Ten failures in a row would open a circuit (60 s): not what this test is about.
    let mut s = api_only(|c| c.delivery.circuit_failures = 0).await;
    s.start_dispatcher();
    s.start_dispatcher();
    // Each holds half of the shard locks (two PostgreSQL sessions).
    let keys = hookrelay_dispatcher::shards::LockKeys::for_prefix(&s.settings.amqp.prefix);
    let client = s.db.pool.get().await.expect("client");
    eventually(WAIT, "both dispatchers serving shards", || async {
        let row = client
            .query_one(
                "SELECT count(*), count(DISTINCT pid) FROM pg_locks WHERE locktype = 'advisory' \
                   AND granted AND classid = $1::int4::oid AND objsubid = 2",
                &[&keys.shards_key()],
            )
            .await
            .expect("locks");
        let (locks, holders): (i64, i64) = (row.get(0), row.get(1));
        (locks == i64::from(s.settings.amqp.shards) && holders == 2).then_some(())
    })
    .await;
    let capped = Receiver::start().await;
    capped.always(Reply::delayed(200, Duration::from_millis(300)));
    s.webhook(&capped.url, json!(["a.*"]), json!({"max_concurrency": 2}))
        .await;
    let limited = Receiver::start().await;
    s.webhook(
        &limited.url,
        json!(["a.*"]),
        json!({"rate_limit": 2, "rate_limit_period": "second"}),
    )
    .await;
    // Retries come back through the webhook's shard too: its cap of 1 holds for them.
    let retried = Receiver::start().await;
    retried.script((0..10).map(|_| Reply::status(500)));
    retried.always(Reply::delayed(200, Duration::from_millis(200)));
    s.webhook(&retried.url, json!(["b.*"]), json!({"max_concurrency": 1}))
        .await;
    let ids = events(&s, &s.key, 10).await;
    let mut second = Vec::new();
    for i in 0..10 {
        second.push(s.send_event(&s.key, "b.c", json!({"i": i})).await);
    }
    let deliveries = finished(&s, &s.key, &ids).await;
    assert_each_delivered_at_first_attempt(&deliveries);
    for d in finished(&s, &s.key, &second).await {
        assert_eq!(d["status"], "succeeded", "{d}");
        assert_eq!(d["attempts"], 2, "{d}");
    }
    assert_eq!(
        retried.max_concurrent(),
        1,
        "retries keep the webhook's cap"
    );
    assert_eq!(
        capped.max_concurrent(),
        2,
        "the cap holds across dispatchers"
    );
    let got = limited.received();
    assert_eq!(got.len(), 10);
    let first = got.iter().map(|r| r.at).min().expect("first");
    let last = got.iter().map(|r| r.at).max().expect("last");
    assert!(
        last - first >= Duration::from_millis(3500),
        "10 deliveries at 2/s over two dispatchers took {:?}",
        last - first
    );
}

/// Issue 24, item 9: a receiver that handles one request at a time, flooded with a backlog
/// (as after a broker outage), answered many requests after the timeout, and every one of
/// them came again. The webhook's slots now follow the receiver's pace.
#[tokio::test]
async fn a_receiver_that_queues_requests_is_paced_instead_of_timed_out() {
    const SERVICE: Duration = Duration::from_millis(150);
    let s = stack(|c| {
        c.delivery.timeout_ms = 1000;
        c.delivery.retry_schedule_secs = vec![1; 8];
        c.delivery.circuit_failures = 0;
    })
    .await;
    let rx = Receiver::start().await;
    // One worker: each request is answered SERVICE after the one before it.
    let free_at = std::sync::Mutex::new(Instant::now());
    rx.answer_with(move |_| {
        let now = Instant::now();
        let mut free = free_at.lock().expect("lock");
        *free = (*free).max(now) + SERVICE;
        Some(Reply::delayed(200, *free - now))
    });
    s.webhook(&rx.url, json!(["*"]), json!({})).await;
    let ids = events(&s, &s.key, 40).await;
    let deliveries = finished(&s, &s.key, &ids).await;
    for d in &deliveries {
        assert_eq!(d["status"], "succeeded", "{d}");
    }
    let received = rx.received();
    let distinct: std::collections::HashSet<_> = received
        .iter()
        .map(|r| r.header("webhook-id").expect("webhook-id").to_string())
        .collect();
    assert_eq!(distinct.len(), 40);
    let duplicates = received.len() - distinct.len();
    // Without pacing, some deliveries timed out all 9 attempts (failed) and the receiver
    // got dozens of duplicates; with it, about 3.
    assert!(duplicates <= 12, "{duplicates} duplicates");
}
