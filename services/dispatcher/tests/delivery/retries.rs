use std::time::Duration;

use hookrelay_core::queue::{BrokerNodes, Topology};
use hookrelay_testkit::receiver::{Receiver, Reply};
use lapin::options::QueueDeclareOptions;
use lapin::types::{AMQPValue, FieldTable};
use serde_json::json;

use crate::helpers::stack;

const WAIT: Duration = Duration::from_secs(30);

#[tokio::test]
async fn a_receiver_failing_n_times_gets_n_plus_one_identical_attempts() {
    let s = stack(|_| {}).await; // test schedule: 1 s, 1 s, 1 s
    let rx = Receiver::start().await;
    rx.script([Reply::status(500), Reply::status(429)]);
    s.webhook(&rx.url, json!(["*"]), json!({})).await;
    let event = s.send_event(&s.key, "a.b", json!({"n": 1})).await;
    let e = s.wait_finished(&event, WAIT).await;
    let d = &e["deliveries"][0];
    assert_eq!(d["status"], "succeeded");
    assert_eq!(d["attempts"], 3);
    let got = rx.received();
    assert_eq!(got.len(), 3);
    let attempts: Vec<&str> = got
        .iter()
        .map(|r| r.header("x-webhook-attempt").expect("attempt"))
        .collect();
    assert_eq!(attempts, ["1", "2", "3"]);
    assert!(got.windows(2).all(|w| w[0].body == w[1].body));
    assert!(got
        .iter()
        .all(|r| r.header("webhook-id") == Some(event.as_str())));
    // Retries wait for the schedule (1 s here).
    for w in got.windows(2) {
        assert!(w[1].at.duration_since(w[0].at) >= Duration::from_millis(900));
    }
    let log = s.delivery(d["id"].as_str().expect("id")).await;
    let codes: Vec<_> = log["attempt_log"]
        .as_array()
        .expect("log")
        .iter()
        .map(|a| a["response_code"].clone())
        .collect();
    assert_eq!(codes, [json!(500), json!(429), json!(200)]);
    assert_eq!(log["attempt_log"][0]["response_body"], "reply 500");
}

#[tokio::test]
async fn a_receiver_that_always_fails_gets_four_attempts_then_failed() {
    let s = stack(|_| {}).await;
    let rx = Receiver::start().await;
    rx.always(Reply::status(503));
    s.webhook(&rx.url, json!(["*"]), json!({})).await;
    let event = s.send_event(&s.key, "a.b", json!({})).await;
    let e = s.wait_finished(&event, WAIT).await;
    let d = &e["deliveries"][0];
    assert_eq!(d["status"], "failed");
    assert_eq!(d["attempts"], 4);
    assert_eq!(d["last_response_code"], 503);
    assert!(d["next_attempt_at"].is_null());
    assert_eq!(rx.received().len(), 4);
    let log = s.delivery(d["id"].as_str().expect("id")).await;
    assert_eq!(log["attempt_log"].as_array().expect("log").len(), 4);
}

#[tokio::test]
async fn redirects_and_refused_connections_are_failed_attempts() {
    let s = stack(|s| s.delivery.retry_schedule_secs = vec![]).await;
    let rx = Receiver::start().await;
    rx.always(Reply::status(302));
    s.webhook(&rx.url, json!(["*"]), json!({})).await;
    s.webhook(
        "http://127.0.0.1:9/nothing-listens",
        json!(["*"]),
        json!({}),
    )
    .await;
    let event = s.send_event(&s.key, "a.b", json!({})).await;
    let e = s.wait_finished(&event, WAIT).await;
    let mut saw_refused = false;
    for d in e["deliveries"].as_array().expect("d") {
        assert_eq!(d["status"], "failed");
        let log = s.delivery(d["id"].as_str().expect("id")).await;
        let a = &log["attempt_log"][0];
        if a["response_code"].is_null() {
            saw_refused = true;
            assert!(
                a["error"]
                    .as_str()
                    .expect("error")
                    .to_lowercase()
                    .contains("connect"),
                "{a}"
            );
        } else {
            assert_eq!(a["response_code"], 302);
        }
    }
    assert!(saw_refused);
}

#[tokio::test]
async fn a_receiver_slower_than_5s_is_a_timeout_at_5s() {
    let s = stack(|s| {
        s.delivery.retry_schedule_secs = vec![];
        s.delivery.timeout_ms = 5000;
    })
    .await;
    let rx = Receiver::start().await;
    rx.always(Reply::delayed(200, Duration::from_secs(6)));
    s.webhook(&rx.url, json!(["*"]), json!({})).await;
    let event = s.send_event(&s.key, "a.b", json!({})).await;
    let e = s.wait_finished(&event, WAIT).await;
    let d = &e["deliveries"][0];
    assert_eq!(d["status"], "failed");
    let log = s.delivery(d["id"].as_str().expect("id")).await;
    let a = &log["attempt_log"][0];
    assert!(a["response_code"].is_null());
    assert!(
        a["error"].as_str().expect("error").contains("timed out"),
        "{a}"
    );
    let ms = a["duration_ms"].as_i64().expect("duration");
    // Cut at the 5 s timeout (the upper bound leaves room for a loaded machine).
    assert!((4900..8000).contains(&ms), "duration {ms} ms");
}

#[tokio::test]
async fn the_default_topology_has_5_25_125_second_delay_queues() {
    let prefix = format!("hrtest-{}", uuid::Uuid::new_v4().simple());
    let url = hookrelay_testkit::test_settings("postgres://x@127.0.0.1/x")
        .amqp
        .url;
    let conn = BrokerNodes::parse(secrecy::ExposeSecret::expose_secret(&url))
        .expect("broker url")
        .connect(Duration::from_secs(5))
        .await
        .expect("connect");
    let topology = Topology::new(&prefix, &[5, 25, 125]);
    let channel = conn.create_channel().await.expect("channel");
    topology.declare(&channel).await.expect("declare");
    topology
        .declare(&channel)
        .await
        .expect("declaring twice is fine");
    for (delay, ttl) in [(5, 5000), (25, 25000), (125, 125000)] {
        let name = topology.retry_queue(delay);
        assert_eq!(name, format!("{prefix}.delay.{delay}s"));
        // Re-declaring with the same TTL succeeds; any other TTL is refused by the broker
        // (PRECONDITION_FAILED), which proves the TTL the queue was declared with.
        let declare = |ttl: i32| {
            let conn = &conn;
            let name = name.clone();
            let dlx = topology.exchange();
            async move {
                let ch = conn.create_channel().await.expect("channel");
                let mut args = FieldTable::default();
                args.insert(
                    "x-queue-type".into(),
                    AMQPValue::LongString("quorum".into()),
                );
                args.insert("x-message-ttl".into(), AMQPValue::LongInt(ttl));
                args.insert(
                    "x-dead-letter-exchange".into(),
                    AMQPValue::LongString(dlx.into()),
                );
                // No dead-letter routing key: a job goes back to its own shard.
                ch.queue_declare(
                    name.into(),
                    QueueDeclareOptions {
                        durable: true,
                        ..Default::default()
                    },
                    args,
                )
                .await
            }
        };
        declare(ttl).await.expect("same TTL accepted");
        assert!(
            declare(ttl + 1).await.is_err(),
            "queue {name} does not have TTL {ttl}"
        );
    }
}
