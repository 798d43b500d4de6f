//! The hot statements stay index lookups however small the tables were when a connection
//! made its plans: plans are made once per connection and a sequential scan cached while
//! a table was empty would cost a full scan per call once it holds millions of rows.

use chrono::Utc;
use hookrelay_core::repo::attempts::{AttemptRecord, AttemptRepo};
use hookrelay_core::repo::deliveries::DeliveryRepo;
use hookrelay_core::repo::events::{EventRepo, IngestCaps, NewEvent};
use hookrelay_core::repo::lanes::LaneRepo;
use hookrelay_domain::attempt::{Attempt, AttemptOf};
use hookrelay_domain::delivery::DeliveryStatus;
use hookrelay_domain::EventType;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{api_only, Stack};

fn event(event_type: &str) -> NewEvent {
    NewEvent {
        event_type: EventType::parse("event_type", event_type.into()).expect("type"),
        data: "{}".into(),
        occurred_at: Utc::now(),
        idempotency_key: None,
        traceparent: None,
        ordering_key: None,
    }
}

/// A fresh API with one webhook for every event type, a connection of its pool, and the
/// webhook's tenant.
async fn tenant_with_webhook() -> (Stack, deadpool_postgres::Client, Uuid) {
    let s = api_only(|_| {}).await;
    s.webhook("http://127.0.0.1:9/hook", json!(["*"]), json!({}))
        .await;
    let client = s.db.pool.get().await.expect("connection");
    let tenant: Uuid = client
        .query_one("SELECT tenant_id FROM webhooks", &[])
        .await
        .expect("tenant")
        .get(0);
    (s, client, tenant)
}

#[tokio::test]
async fn hot_statements_planned_on_empty_tables_use_indexes() {
    let (_s, client, tenant) = tenant_with_webhook().await;

    // Run each hot statement once on this connection, so it is prepared here.
    let event = event("order.created");
    let ingested = EventRepo::ingest(&client, tenant, &event)
        .await
        .expect("ingest");
    let delivery: Uuid = ingested.jobs()[0].delivery_id();
    let cipher =
        hookrelay_core::secrets::SecretCipher::from_keys(&[hookrelay_testkit::TEST_SECRETS_KEY
            .to_string()
            .into()])
        .expect("test key");
    let ctx = DeliveryRepo::load_for_dispatch(&client, &[delivery], &cipher)
        .await
        .expect("load");
    assert_eq!(ctx.len(), 1, "the delivery's context loads");
    let of = AttemptOf::Delivery {
        delivery_id: delivery,
        event_id: ctx[0].event.id,
        number: 1,
    };
    let record = AttemptRecord {
        attempt: Attempt {
            duration_ms: 1,
            response_code: Some(200),
            succeeded: true,
            ..Attempt::unsent(
                tenant,
                ctx[0].webhook_id,
                of,
                ctx[0].event.event_type.clone(),
                Utc::now(),
            )
        },
        new_status: DeliveryStatus::Succeeded,
        next_attempt_at: None,
    };
    let applied = AttemptRepo::record(&client, &[record])
        .await
        .expect("record");
    assert_eq!(applied, vec![delivery]);

    let prepared = client
        .query(
            "SELECT name, cardinality(parameter_types), statement FROM pg_prepared_statements \
             WHERE statement ~ '(INSERT INTO deliveries|FROM deliveries d JOIN|INSERT INTO delivery_attempts)'",
            &[],
        )
        .await
        .expect("prepared statements");
    assert!(prepared.len() >= 3, "ingest, load and record are prepared");
    for row in prepared {
        let (name, params, statement): (String, i32, String) = (row.get(0), row.get(1), row.get(2));
        let args = match params {
            0 => String::new(),
            n => format!("({})", vec!["NULL"; n as usize].join(", ")),
        };
        let plan: Vec<String> = client
            .query(&format!("EXPLAIN EXECUTE {name}{args}"), &[])
            .await
            .expect("explain")
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert!(
            !plan.iter().any(|line| line.contains("Seq Scan")),
            "{statement}\n{}",
            plan.join("\n")
        );
    }
}

/// The sweeper's backlog gauges and overdue search run every few seconds over the
/// pending-delivery indexes, which keep an entry for every delivery finished since the
/// last VACUUM (this box runs without autovacuum; production between two runs of it).
/// They must mark those entries dead as they pass, so that the next round skips them
/// instead of visiting every finished delivery again (a bitmap scan never marks them).
#[tokio::test]
async fn backlog_scans_mark_finished_deliveries_dead_in_the_due_index() {
    const FINISHED: usize = 5000;
    let (_s, mut client, tenant) = tenant_with_webhook().await;
    // Enough of them for the planner to prefer a bitmap scan for the counts.
    let events: Vec<NewEvent> = (0..FINISHED).map(|_| event("order.created")).collect();
    for chunk in events.chunks(500) {
        let batch: Vec<(Uuid, &NewEvent)> = chunk.iter().map(|e| (tenant, e)).collect();
        let ingested = EventRepo::ingest_many(&client, &batch, IngestCaps::NONE)
            .await
            .expect("ingest");
        assert!(ingested.iter().all(Result::is_ok));
    }
    // Only the scans under test may clear the index (the CI's PostgreSQL may vacuum).
    client
        .batch_execute("ALTER TABLE deliveries SET (autovacuum_enabled = off)")
        .await
        .expect("no autovacuum");
    // As the recorder leaves them: no longer pending, their due-index entries stale.
    client
        .execute(
            "UPDATE deliveries SET status = 'succeeded', completed_at = now()",
            &[],
        )
        .await
        .expect("finish");
    let pending = EventRepo::ingest(&client, tenant, &event("order.created"))
        .await
        .expect("ingest the one pending delivery");
    assert_eq!(pending.jobs().len(), 1);
    client
        .batch_execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        .await
        .expect("pageinspect");

    // An entry can be marked only once no transaction of the database can still see its
    // row; the API's own sessions may hold one for a moment, hence the deadline.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let (due, _) = DeliveryRepo::backlog(&mut client).await.expect("backlog");
        assert_eq!(due, 1, "only the pending delivery is due");
        let lanes = LaneRepo::backlog(&mut client).await.expect("lane backlog");
        assert_eq!(lanes.waiting, 0);
        let swept = DeliveryRepo::sweep_overdue(&mut client, 3600, 100)
            .await
            .expect("sweep")
            .expect("the sweeper's lock");
        assert!(swept.is_empty(), "nothing is an hour overdue");
        let row = client
            .query_one(
                // An entry is one row's, or (deduplicated) a posting list of several rows';
                // the high key of a page with a right sibling (its first item) is no row's.
                "SELECT COALESCE(sum(COALESCE(cardinality(i.tids), 1)) FILTER (WHERE NOT i.dead), 0)::int8, \
                        COALESCE(sum(COALESCE(cardinality(i.tids), 1)), 0)::int8 \
                 FROM generate_series(1, (pg_relation_size('deliveries_due') / 8192)::int - 1) b, \
                      LATERAL bt_page_stats('deliveries_due', b) p, \
                      LATERAL bt_page_items('deliveries_due', b) i \
                 WHERE p.type = 'l' AND NOT (i.itemoffset = 1 AND p.btpo_next <> 0)",
                &[],
            )
            .await
            .expect("the due index's leaf entries");
        let (alive, entries): (i64, i64) = (row.get(0), row.get(1));
        if alive == 1 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{alive} of the due index's {entries} entries not marked dead; only the pending \
             delivery's should be"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// The scans of `event_types` in `plan` (an `EXPLAIN (FORMAT JSON)` node) that read a
/// tenant's whole catalogue (no condition on the type's name), with how often each ran.
fn catalogue_counts(plan: &serde_json::Value, found: &mut Vec<u64>) {
    let is_scan = plan["Node Type"]
        .as_str()
        .is_some_and(|t| t.ends_with("Scan"));
    if is_scan && plan["Relation Name"] == "event_types" {
        let conditions = ["Index Cond", "Recheck Cond", "Filter"]
            .map(|k| plan[k].as_str().unwrap_or_default().to_string())
            .join(" ");
        if !conditions.contains("name") {
            found.push(plan["Actual Loops"].as_u64().unwrap_or(u64::MAX));
        }
    }
    for child in plan["Plans"].as_array().into_iter().flatten() {
        catalogue_counts(child, found);
    }
}

/// The event-type cap needs the size of the tenant's catalogue only for an event of a new
/// type; counting it for every event cost a full catalogue read (up to
/// `limits.event_types_per_tenant` rows) per event.
#[tokio::test]
async fn an_event_of_a_known_type_does_not_count_the_catalogue() {
    let (_s, mut client, tenant) = tenant_with_webhook().await;
    client
        .execute(
            "INSERT INTO event_types (tenant_id, name, first_seen_at) \
             SELECT $1, 'bulk.t' || g, now() FROM generate_series(1, 500) g",
            &[&tenant],
        )
        .await
        .expect("a large catalogue");
    let caps = IngestCaps {
        event_types: 10_000,
        deliveries: None,
    };
    let known = event("order.created");
    let first = EventRepo::ingest_many(&client, &[(tenant, &known)], caps)
        .await
        .expect("ingest");
    assert!(first[0].is_ok(), "the first event of a type is taken");
    let prepared = client
        .query(
            "SELECT name FROM pg_prepared_statements WHERE statement LIKE 'WITH input AS%refused AS%'",
            &[],
        )
        .await
        .expect("prepared statements");
    assert_eq!(prepared.len(), 1, "the ingest statement is prepared");
    let name: String = prepared[0].get(0);
    // Run it again for the type now known, and roll it back (also if this test fails).
    let tx = client.transaction().await.expect("begin");
    let explained: serde_json::Value = tx
        .query_one(
            &format!(
                "EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE {name}(ARRAY[gen_random_uuid()], \
                 ARRAY['{tenant}'::uuid], ARRAY['order.created'], ARRAY['{{}}'], ARRAY[now()], \
                 ARRAY[NULL::text], ARRAY[NULL::text], 10000, NULL, ARRAY[NULL::text])"
            ),
            &[],
        )
        .await
        .expect("explain the ingest")
        .get(0);
    tx.rollback().await.expect("rollback");
    let mut counts = Vec::new();
    catalogue_counts(&explained[0]["Plan"], &mut counts);
    assert!(
        !counts.is_empty(),
        "the plan counts the catalogue somewhere: {explained:#}"
    );
    assert!(
        counts.iter().all(|loops| *loops == 0),
        "the catalogue was counted for an event of a known type (loops {counts:?}): {explained:#}"
    );
}
