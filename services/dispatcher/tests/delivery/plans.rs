//! The hot statements stay index lookups however small the tables were when a connection
//! made its plans: plans are made once per connection and a sequential scan cached while
//! a table was empty would cost a full scan per call once it holds millions of rows.

use chrono::Utc;
use hookrelay_core::repo::attempts::{AttemptRecord, AttemptRepo};
use hookrelay_core::repo::deliveries::DeliveryRepo;
use hookrelay_core::repo::events::{EventRepo, NewEvent};
use hookrelay_domain::attempt::{Attempt, AttemptOf};
use hookrelay_domain::delivery::DeliveryStatus;
use hookrelay_domain::EventType;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::api_only;

#[tokio::test]
async fn hot_statements_planned_on_empty_tables_use_indexes() {
    let s = api_only(|_| {}).await;
    s.webhook("http://127.0.0.1:9/hook", json!(["*"]), json!({}))
        .await;
    let client = s.db.pool.get().await.expect("connection");
    let tenant: Uuid = client
        .query_one("SELECT tenant_id FROM webhooks", &[])
        .await
        .expect("tenant")
        .get(0);

    // Run each hot statement once on this connection, so it is prepared here.
    let event = NewEvent {
        event_type: EventType::parse("event_type", "order.created".into()).expect("type"),
        data: "{}".into(),
        occurred_at: Utc::now(),
        idempotency_key: None,
        traceparent: None,
        ordering_key: None,
    };
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
