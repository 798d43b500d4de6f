use std::collections::HashSet;
use std::time::Duration;

use hookrelay_core::queue::{BrokerNodes, Destination, JobPublisher, Topology};
use hookrelay_domain::delivery::DeliveryJob;
use hookrelay_testkit::receiver::{Receiver, Reply};
use hookrelay_testkit::test_settings;
use secrecy::ExposeSecret;
use serde_json::{json, Value};

use crate::helpers::{api_only, spawn_dispatcher};

const WAIT: Duration = Duration::from_secs(30);
const NO_BROKER: &str = "amqp://guest:guest@127.0.0.1:1/%2f";

#[tokio::test]
async fn events_accepted_while_rabbitmq_is_unreachable_are_delivered_later() {
    let mut s = api_only(|s| s.amqp.url = NO_BROKER.into()).await;
    let rx = Receiver::start().await;
    s.webhook(&rx.url, json!(["*"]), json!({})).await;
    let mut events = Vec::new();
    for i in 0..5 {
        events.push(s.send_event(&s.key, "a.b", json!({"i": i})).await);
    }
    assert_eq!(
        s.readiness().await,
        reqwest::StatusCode::SERVICE_UNAVAILABLE
    );
    // The broker is back (a dispatcher that reaches it): the sweeper sends what was missed.
    let real = test_settings(&s.db.url).amqp.url;
    s.start_dispatcher_with(|d| {
        d.amqp.url = real;
        d.dispatcher.sweep_interval_secs = 1;
        d.dispatcher.sweep_grace_secs = 1;
    });
    for e in &events {
        let detail = s.wait_finished(e, WAIT).await;
        assert_eq!(detail["deliveries"][0]["status"], "succeeded");
    }
    let ids: HashSet<String> = rx
        .received()
        .iter()
        .map(|r| r.header("webhook-id").expect("id").to_string())
        .collect();
    assert_eq!(ids, events.iter().cloned().collect());
}

/// A cluster's node list whose first node is down: the API's publisher and the
/// dispatcher's consumer both move on to the next node.
#[tokio::test]
async fn a_dead_node_in_the_broker_list_is_skipped() {
    let real = test_settings("postgres://x@127.0.0.1/x").amqp.url;
    let nodes = format!("{NO_BROKER},{}", real.expose_secret());
    let api_nodes = nodes.clone();
    let mut s = api_only(move |s| s.amqp.url = api_nodes.into()).await;
    s.start_dispatcher_with(move |d| d.amqp.url = nodes.into());
    let rx = Receiver::start().await;
    s.webhook(&rx.url, json!(["*"]), json!({})).await;
    assert_eq!(s.readiness().await, reqwest::StatusCode::OK);
    let event = s.send_event(&s.key, "a.b", json!({})).await;
    let detail = s.wait_finished(&event, WAIT).await;
    assert_eq!(detail["deliveries"][0]["status"], "succeeded");
    assert_eq!(rx.received().len(), 1);
}

#[tokio::test]
async fn duplicate_jobs_cause_a_single_post() {
    let mut s = api_only(|s| s.amqp.url = NO_BROKER.into()).await;
    let rx = Receiver::start().await;
    rx.always(Reply::delayed(200, Duration::from_millis(200)));
    s.webhook(&rx.url, json!(["*"]), json!({})).await;
    let event = s.send_event(&s.key, "a.b", json!({})).await;
    let detail = s.event(&event).await;
    let d = &detail["deliveries"][0];
    let job = DeliveryJob::new(
        d["id"].as_str().expect("id").parse().expect("uuid"),
        1,
        None,
    );
    let real = test_settings(&s.db.url).amqp.url;
    let publisher = JobPublisher::new(
        BrokerNodes::parse(real.expose_secret()).expect("broker url"),
        s.settings
            .amqp
            .topology(&s.settings.delivery.retry_schedule_secs),
    );
    // Three messages with the job, and one message holding it twice.
    for copies in [1, 1, 1, 2] {
        publisher
            .publish(&vec![job.clone(); copies], Destination::Work)
            .await
            .expect("publish duplicates");
    }
    s.start_dispatcher_with(|d| {
        d.amqp.url = real;
        // The API cannot publish here, so the sweeper sends the barrier event below; it
        // also resends the pending delivery while it is in flight: more duplicates.
        d.dispatcher.sweep_interval_secs = 1;
        d.dispatcher.sweep_grace_secs = 0;
    });
    let detail = s.wait_finished(&event, WAIT).await;
    assert_eq!(detail["deliveries"][0]["status"], "succeeded");
    assert_eq!(rx.received().len(), 1);
    // A late duplicate is skipped too: publish it, then a barrier event behind it in the
    // queue; once the barrier is delivered the duplicate has been handled.
    publisher
        .publish(&[job], Destination::Work)
        .await
        .expect("publish");
    let barrier = s.send_event(&s.key, "a.b", json!({"barrier": true})).await;
    s.wait_finished(&barrier, WAIT).await;
    let got = rx.received();
    assert_eq!(got.len(), 2, "the duplicate caused a POST");
    assert_eq!(
        got.iter()
            .filter(|r| r.header("webhook-id") == Some(event.as_str()))
            .count(),
        1
    );
}

#[tokio::test]
async fn killing_the_dispatcher_mid_flight_loses_nothing() {
    let s = api_only(|_| {}).await;
    let rx = Receiver::start().await;
    rx.always(Reply::delayed(200, Duration::from_millis(300)));
    s.webhook(&rx.url, json!(["*"]), json!({})).await;
    let mut first = spawn_dispatcher(&s.db.url, &s.settings.amqp);
    let mut events = Vec::new();
    for i in 0..30 {
        events.push(s.send_event(&s.key, "a.b", json!({"i": i})).await);
    }
    rx.wait_for(3, WAIT).await;
    // SIGKILL: no graceful anything; unacked jobs go back to the queue.
    first.kill();
    let mut second = spawn_dispatcher(&s.db.url, &s.settings.amqp);
    for e in &events {
        let detail: Value = s.wait_finished(e, WAIT).await;
        assert_eq!(detail["deliveries"][0]["status"], "succeeded", "{detail}");
    }
    second.kill();
    let ids: HashSet<String> = rx
        .received()
        .iter()
        .map(|r| r.header("webhook-id").expect("id").to_string())
        .collect();
    assert_eq!(
        ids.len(),
        events.len(),
        "every event delivered at least once"
    );
}

/// `amqp.queue_type = "quorum"`, the default (tests run on classic queues, see
/// `test_settings`): deliveries flow through quorum queues (a classic declaration of the
/// same work queue is refused, so the queue really is quorum).
#[tokio::test]
async fn quorum_queues_deliver_too() {
    use hookrelay_core::queue::QueueType;
    let mut s = api_only(|s| s.amqp.queue_type = QueueType::Quorum).await;
    s.start_dispatcher_with(|_| {});
    let rx = Receiver::start().await;
    s.webhook(&rx.url, json!(["*"]), json!({})).await;
    let event = s.send_event(&s.key, "a.b", json!({})).await;
    let detail = s.wait_finished(&event, WAIT).await;
    assert_eq!(detail["deliveries"][0]["status"], "succeeded");
    let connection = s
        .settings
        .amqp
        .nodes()
        .expect("broker url")
        .connect(Duration::from_secs(5))
        .await
        .expect("connect");
    let channel = connection.create_channel().await.expect("channel");
    let as_classic = Topology::new(
        &s.settings.amqp.prefix,
        &s.settings.delivery.retry_schedule_secs,
    )
    .with_queue_type(QueueType::Classic);
    assert!(
        as_classic.declare(&channel).await.is_err(),
        "the work queue was declared classic"
    );
}

/// One event to three webhooks is one broker message per shard queue the webhooks are
/// on (a pack of their jobs); the dispatcher delivers every job in it once.
#[tokio::test]
async fn a_fan_out_travels_as_one_message_per_shard_and_every_job_in_it_is_delivered() {
    let mut s = api_only(|_| {}).await;
    let rx = Receiver::start().await;
    let mut webhooks = Vec::new();
    for _ in 0..3 {
        let (id, _) = s.webhook(&rx.url, json!(["*"]), json!({})).await;
        webhooks.push(id.parse::<uuid::Uuid>().expect("uuid"));
    }
    let event = s.send_event(&s.key, "a.b", json!({})).await;
    let topology = s
        .settings
        .amqp
        .topology(&s.settings.delivery.retry_schedule_secs);
    let shards: std::collections::BTreeSet<u16> = webhooks
        .iter()
        .map(|w| {
            hookrelay_domain::flow::Endpoint {
                tenant_id: uuid::Uuid::nil(),
                webhook_id: *w,
            }
            .shard(topology.shards())
        })
        .collect();
    let connection = BrokerNodes::parse(s.settings.amqp.url.expose_secret())
        .expect("broker url")
        .connect(Duration::from_secs(5))
        .await
        .expect("connect");
    let channel = connection.create_channel().await.expect("channel");
    // The API declares its queues on its first publish; declaring them here too is
    // harmless and lets the passive checks below run before it.
    topology.declare(&channel).await.expect("declare");
    let waiting = || async {
        let mut messages = 0;
        for queue in topology.consumed_queues() {
            messages += channel
                .queue_declare(
                    queue.into(),
                    lapin::options::QueueDeclareOptions {
                        passive: true,
                        ..Default::default()
                    },
                    lapin::types::FieldTable::default(),
                )
                .await
                .expect("work queue")
                .message_count();
        }
        messages
    };
    // The API publishes after its commit: wait for the messages, then count them.
    hookrelay_testkit::eventually(WAIT, "the event's jobs in the shard queues", || async {
        (waiting().await >= shards.len() as u32).then_some(())
    })
    .await;
    assert_eq!(
        waiting().await,
        shards.len() as u32,
        "three jobs, one message per shard"
    );
    s.start_dispatcher_with(|_| {});
    let detail = s.wait_finished(&event, WAIT).await;
    let deliveries = detail["deliveries"].as_array().expect("deliveries");
    assert_eq!(deliveries.len(), 3);
    assert!(
        deliveries.iter().all(|d| d["status"] == "succeeded"),
        "{detail}"
    );
    assert_eq!(rx.received().len(), 3);
}
