//! Running webhooks for months: secret rotation, receiver hints, disabling, HTTPS-only,
//! per-webhook retry schedules.

use std::time::Duration;

use hookrelay_core::repo::retention::{RetentionRepo, Table};
use hookrelay_domain::delivery::DUE_SLACK;
use hookrelay_testkit::eventually;
use hookrelay_testkit::receiver::{Receiver, Reply};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{stack, verify_signature, Stack};

const WAIT: Duration = Duration::from_secs(30);

/// Whether the independent verifier accepts the delivery with this secret.
fn verifies(secret: &str, r: &hookrelay_testkit::receiver::Received) -> bool {
    std::panic::catch_unwind(|| verify_signature(secret, r)).is_ok()
}

async fn patch(s: &Stack, path: &str, body: Value) -> Value {
    let res = s.patch(path, &body).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.expect("json")
}

#[tokio::test]
async fn a_rotated_secret_signs_with_both_during_the_grace_period_then_only_the_new() {
    let s = stack(|_| {}).await;
    let rx = Receiver::start().await;
    let (webhook, old) = s.webhook(&rx.url, json!(["*"]), json!({})).await;
    let res = s
        .post(
            &s.key,
            &format!("/v1/webhooks/{webhook}/secret/rotate"),
            // Long enough for the first delivery on a loaded machine; ended below in SQL.
            &json!({"grace_secs": 60}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let rotated: Value = res.json().await.expect("json");
    let new = rotated["secret"].as_str().expect("secret").to_string();
    assert_ne!(new, old);
    assert!(rotated["previous_secret_expires_at"].is_string());
    let secret = s
        .get_json(&s.key, &format!("/v1/webhooks/{webhook}/secret"))
        .await;
    assert_eq!(secret["secret"], new.as_str());

    s.send_event(&s.key, "a.b", json!({"n": 1})).await;
    let during = rx.wait_for(1, WAIT).await;
    let signatures = during[0].header("webhook-signature").expect("signature");
    assert_eq!(signatures.split(' ').count(), 2, "{signatures}");
    assert!(verifies(&new, &during[0]), "the new secret verifies");
    assert!(
        verifies(&old, &during[0]),
        "the old secret verifies during the grace"
    );

    // The grace period ends.
    s.db.pool
        .get()
        .await
        .expect("connection")
        .execute(
            "UPDATE webhooks SET previous_secret_expires_at = now() - interval '1 second' \
             WHERE id = $1::text::uuid",
            &[&webhook],
        )
        .await
        .expect("grace ended");
    s.send_event(&s.key, "a.b", json!({"n": 2})).await;
    let after = rx.wait_for(2, WAIT).await;
    assert_eq!(
        after[1]
            .header("webhook-signature")
            .expect("signature")
            .split(' ')
            .count(),
        1
    );
    assert!(verifies(&new, &after[1]));
    assert!(!verifies(&old, &after[1]), "the old secret is over");

    // A given secret; bad secrets and graces are refused; other tenants get 404.
    let given = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    let res = s
        .post(
            &s.key,
            &format!("/v1/webhooks/{webhook}/secret/rotate"),
            &json!({"secret": given}),
        )
        .await;
    assert_eq!(res.json::<Value>().await.expect("json")["secret"], given);
    for bad in [json!({"secret": "nope"}), json!({"grace_secs": 700_000})] {
        let res = s
            .post(
                &s.key,
                &format!("/v1/webhooks/{webhook}/secret/rotate"),
                &bad,
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let other = s.create_tenant("other").await.key;
    let res = s
        .post(
            &other,
            &format!("/v1/webhooks/{webhook}/secret/rotate"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn retry_after_on_429_delays_the_next_attempt() {
    let s = stack(|s| s.delivery.retry_schedule_secs = vec![1]).await;
    let rx = Receiver::start().await;
    rx.script([Reply::retry_after(429, 3)]);
    let (webhook, _) = s.webhook(&rx.url, json!(["*"]), json!({})).await;
    let event = s.send_event(&s.key, "a.b", json!({})).await;
    let got = rx.wait_for(2, WAIT).await;
    let gap = got[1].at - got[0].at;
    // Up to DUE_SLACK early counts as due (the delay is waited out in 1 s hops).
    assert!(
        gap >= Duration::from_secs(3) - DUE_SLACK,
        "waited {gap:?}, not the 1 s schedule"
    );
    assert!(gap < Duration::from_secs(8), "waited {gap:?}");
    let e = s.wait_finished(&event, WAIT).await;
    assert_eq!(e["deliveries"][0]["status"], "succeeded");
    let log = s
        .get_json(&s.key, &format!("/v1/webhooks/{webhook}/logs"))
        .await;
    let first = &log["items"][1];
    assert_eq!(first["response_code"], 429);
    assert_eq!(first["retry_after"], 3);
    let d = s
        .delivery(e["deliveries"][0]["id"].as_str().expect("id"))
        .await;
    assert_eq!(d["attempt_log"][0]["retry_after"], 3);
}

#[tokio::test]
async fn gone_disables_the_webhook_at_once_and_announces_it() {
    let s = stack(|s| s.delivery.retry_schedule_secs = vec![1, 1]).await;
    let gone = Receiver::start().await;
    gone.always(Reply::status(410));
    let watcher = Receiver::start().await;
    let (webhook, _) = s.webhook(&gone.url, json!(["order.*"]), json!({})).await;
    s.webhook(&watcher.url, json!(["webhook.disabled"]), json!({}))
        .await;
    let event = s.send_event(&s.key, "order.paid", json!({})).await;
    let e = s.wait_finished(&event, WAIT).await;
    assert_eq!(e["deliveries"][0]["status"], "failed");
    assert_eq!(e["deliveries"][0]["attempts"], 1, "no retry after 410");
    // The recorder disables the webhook right after it records the attempt.
    let w = eventually(WAIT, "the webhook disabled", || async {
        let w = s.get_json(&s.key, &format!("/v1/webhooks/{webhook}")).await;
        (w["enabled"] == false).then_some(w)
    })
    .await;
    assert_eq!(w["disabled_reason"], "gone");
    assert!(w["disabled_at"].is_string());
    let announced = watcher.wait_for(1, WAIT).await;
    let body = announced[0].json();
    assert_eq!(body["event"], "webhook.disabled");
    assert_eq!(
        body["data"],
        json!({"webhook_id": webhook, "name": "hook", "reason": "gone"})
    );
    // Re-enabling clears the reason.
    let w = patch(
        &s,
        &format!("/v1/webhooks/{webhook}"),
        json!({"enabled": true}),
    )
    .await;
    assert_eq!(w["enabled"], true);
    assert!(w["disabled_reason"].is_null());
    assert!(w["disabled_at"].is_null());
}

#[tokio::test]
async fn a_webhook_failing_for_the_configured_time_is_disabled() {
    let s = stack(|s| {
        s.delivery.retry_schedule_secs = vec![];
        // Long enough that the recovering webhook's three failures and its success
        // (sent one after the other) fit in it on a loaded machine.
        s.delivery.disable_after_secs = 10;
        s.delivery.disable_min_failures = 3;
        s.dispatcher.sweep_interval_secs = 1;
    })
    .await;
    let failing = Receiver::start().await;
    failing.always(Reply::status(500));
    let (webhook, _) = s.webhook(&failing.url, json!(["*"]), json!({})).await;
    let flaky = Receiver::start().await;
    flaky.script([Reply::status(500), Reply::status(500), Reply::status(500)]);
    let (recovering, _) = s.webhook(&flaky.url, json!(["*"]), json!({})).await;
    for n in 0..3 {
        let event = s.send_event(&s.key, "a.b", json!({"n": n})).await;
        s.wait_finished(&event, WAIT).await;
    }
    // One success resets the streak of the second webhook.
    let event = s.send_event(&s.key, "a.b", json!({"n": 3})).await;
    s.wait_finished(&event, WAIT).await;
    let w = eventually(WAIT, "the failing webhook is disabled", || async {
        let w = s.get_json(&s.key, &format!("/v1/webhooks/{webhook}")).await;
        (w["enabled"] == false).then_some(w)
    })
    .await;
    assert_eq!(w["disabled_reason"], "failing");
    // The one that recovered stays enabled through further sweeps.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let r = s
        .get_json(&s.key, &format!("/v1/webhooks/{recovering}"))
        .await;
    assert_eq!(r["enabled"], true, "{r}");
}

#[tokio::test]
async fn https_only_refuses_http_urls_everywhere() {
    let s = stack(|s| {
        s.delivery.require_https = true;
        s.delivery.retry_schedule_secs = vec![1, 1];
    })
    .await;
    let rx = Receiver::start().await;
    for (path, body) in [
        (
            "/v1/webhooks",
            json!({"name": "n", "url": rx.url, "event_types": ["*"]}),
        ),
        ("/v1/webhooks/test", json!({"url": rx.url})),
    ] {
        let res = s.post(&s.key, path, &body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        let err: Value = res.json().await.expect("json");
        assert_eq!(err["error"]["field"], "url");
    }
    // A webhook saved before the setting: its deliveries fail at once, unsent.
    let created = s
        .create_webhook(
            &s.key,
            json!({"name": "n", "url": "https://127.0.0.1:1/", "event_types": ["*"]}),
        )
        .await;
    let id = created["id"].as_str().expect("id");
    let res = s
        .patch(&format!("/v1/webhooks/{id}"), &json!({"url": rx.url}))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let client = s.db.pool.get().await.expect("connection");
    client
        .execute(
            "UPDATE webhooks SET url = $2 WHERE id = $1::text::uuid",
            &[&id, &rx.url],
        )
        .await
        .expect("an old http webhook");
    let event = s.send_event(&s.key, "a.b", json!({})).await;
    let e = s.wait_finished(&event, WAIT).await;
    assert_eq!(e["deliveries"][0]["status"], "failed");
    assert_eq!(
        e["deliveries"][0]["attempts"], 1,
        "refused targets are not retried"
    );
    let d = s
        .delivery(e["deliveries"][0]["id"].as_str().expect("id"))
        .await;
    let error = d["attempt_log"][0]["error"].as_str().expect("error");
    assert!(error.contains("require_https"), "{error}");
    assert!(rx.received().is_empty());
}

#[tokio::test]
async fn a_webhooks_own_schedule_spaces_its_retries() {
    let s = stack(|_| {}).await;
    let rx = Receiver::start().await;
    rx.always(Reply::status(500));
    let (webhook, _) = s
        .webhook(
            &rx.url,
            json!(["*"]),
            json!({"retry_schedule_secs": [1, 3, 40]}),
        )
        .await;
    let w = s.get_json(&s.key, &format!("/v1/webhooks/{webhook}")).await;
    assert_eq!(w["retry_schedule_secs"], json!([1, 3, 40]));
    for bad in [json!([]), json!([0]), json!([86_401]), json!(vec![1; 21])] {
        let res = s
            .post(
                &s.key,
                "/v1/webhooks",
                &json!({"name": "n", "url": rx.url, "event_types": ["*"], "retry_schedule_secs": bad}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let event = s.send_event(&s.key, "a.b", json!({})).await;
    let got = rx.wait_for(4, Duration::from_secs(60)).await;
    let gaps: Vec<Duration> = got.windows(2).map(|w| w[1].at - w[0].at).collect();
    for (gap, want) in gaps.iter().zip([1u64, 3, 40]) {
        let want = Duration::from_secs(want);
        // Up to DUE_SLACK early counts as due; each hop through a delay queue may add a little.
        assert!(*gap >= want - DUE_SLACK, "gaps {gaps:?}");
        assert!(*gap < want + Duration::from_secs(5), "gaps {gaps:?}");
    }
    let e = s.wait_finished(&event, WAIT).await;
    assert_eq!(e["deliveries"][0]["status"], "failed");
    assert_eq!(e["deliveries"][0]["attempts"], 4);
    // Back to the default schedule.
    let w = patch(
        &s,
        &format!("/v1/webhooks/{webhook}"),
        json!({"retry_schedule_secs": null}),
    )
    .await;
    assert!(w["retry_schedule_secs"].is_null());
}

#[tokio::test]
async fn retention_deletes_only_old_rows_in_small_batches() {
    let s = stack(|s| {
        s.retention.days = 30;
        s.retention.interval_secs = 1;
        s.retention.batch = 2;
    })
    .await;
    let rx = Receiver::start().await;
    let (webhook, _) = s.webhook(&rx.url, json!(["*"]), json!({})).await;
    // Today's traffic, through the real pipeline.
    let fresh = s.send_event(&s.key, "a.b", json!({"n": "new"})).await;
    s.wait_finished(&fresh, WAIT).await;
    // Five old finished events with their deliveries, attempts, stats and a callback log;
    // one old event whose delivery is still pending (a long custom schedule).
    let client = s.db.pool.get().await.expect("connection");
    client
        .batch_execute(&format!(
            "INSERT INTO events (id, tenant_id, event_type, data, occurred_at, created_at) \
             SELECT gen_random_uuid(), tenant_id, 'old.' || g, '{{}}', now() - interval '40 days', \
                    now() - interval '40 days' \
             FROM webhooks, generate_series(1, 6) g WHERE id = '{webhook}'; \
             INSERT INTO deliveries (id, tenant_id, event_id, webhook_id, status, attempts, created_at, next_attempt_at) \
             SELECT gen_random_uuid(), e.tenant_id, e.id, '{webhook}', \
                    CASE WHEN e.event_type = 'old.6' THEN 'pending' ELSE 'failed' END, 1, e.created_at, \
                    CASE WHEN e.event_type = 'old.6' THEN now() + interval '1 day' END \
             FROM events e WHERE e.event_type LIKE 'old.%'; \
             INSERT INTO delivery_attempts (id, delivery_id, attempt_no, tenant_id, webhook_id, event_id, \
                    event_type, started_at, duration_ms, succeeded) \
             SELECT gen_random_uuid(), d.id, 1, d.tenant_id, d.webhook_id, d.event_id, 'old', d.created_at, 1, false \
             FROM deliveries d WHERE d.created_at < now() - interval '39 days'; \
             INSERT INTO callbacks (tenant_id, received_at, outcome, http_status) \
             SELECT tenant_id, now() - interval '40 days', 'applied', 200 FROM webhooks WHERE id = '{webhook}'; \
             INSERT INTO webhook_stats (webhook_id, minute, tenant_id, attempts, successes, failed_deliveries) \
             SELECT id, date_trunc('minute', now() - interval '40 days'), tenant_id, 6, 0, 5 \
             FROM webhooks WHERE id = '{webhook}'; \
             INSERT INTO portal_sessions (id, tenant_id, token_hash, read_only, locale, expires_at) \
             SELECT gen_random_uuid(), tenant_id, decode(md5(g::text), 'hex'), false, 'en', \
                    now() + (CASE WHEN g = 1 THEN interval '-40 days' ELSE interval '1 hour' END) \
             FROM webhooks, generate_series(1, 2) g WHERE id = '{webhook}';"
        ))
        .await
        .expect("old history");
    let count = |sql: &'static str| {
        let client = &client;
        async move {
            client
                .query_one(sql, &[])
                .await
                .expect("count")
                .get::<_, i64>(0)
        }
    };
    eventually(WAIT, "old rows deleted", || async {
        (count(
            "SELECT count(*) FROM delivery_attempts WHERE started_at < now() - interval '30 days'",
        )
        .await
            == 0
            && count("SELECT count(*) FROM events WHERE event_type LIKE 'old.%'").await == 1
            && count("SELECT count(*) FROM portal_sessions").await == 1)
            .then_some(())
    })
    .await;
    assert_eq!(
        count("SELECT count(*) FROM deliveries WHERE created_at < now() - interval '30 days'")
            .await,
        1,
        "the pending old delivery stays"
    );
    assert_eq!(
        count("SELECT count(*) FROM callbacks WHERE received_at < now() - interval '30 days'")
            .await,
        0
    );
    assert_eq!(
        count("SELECT count(*) FROM webhook_stats WHERE minute < now() - interval '30 days'").await,
        0
    );
    assert_eq!(
        count("SELECT count(*) FROM portal_sessions WHERE expires_at > now()").await,
        1,
        "a live portal session stays"
    );
    // Rounds summarize the BRIN indexes they search (without VACUUM nothing else does,
    // and an unsummarized range is read on every search). A range is 128 pages: fill
    // a few with recent stats rows, then wait for a round that began after them (it
    // deletes an expired portal session, the last table of a round) and find nothing
    // left to summarize.
    client
        .batch_execute(&format!(
            "INSERT INTO webhook_stats (webhook_id, minute, tenant_id, attempts, successes, failed_deliveries) \
             SELECT id, date_trunc('minute', now()) - g * interval '1 minute', tenant_id, 1, 1, 0 \
             FROM webhooks, generate_series(1, 20000) g WHERE id = '{webhook}' ON CONFLICT DO NOTHING; \
             INSERT INTO portal_sessions (id, tenant_id, token_hash, read_only, locale, expires_at) \
             SELECT gen_random_uuid(), tenant_id, decode(md5('expired'), 'hex'), false, 'en', now() - interval '40 days' \
             FROM webhooks WHERE id = '{webhook}';"
        ))
        .await
        .expect("recent stats");
    eventually(WAIT, "a round after the stats", || async {
        (count("SELECT count(*) FROM portal_sessions WHERE expires_at < now()").await == 0)
            .then_some(())
    })
    .await;
    let left = RetentionRepo::summarize(&client, Table::Stats)
        .await
        .expect("summarize");
    assert_eq!(left, 0, "the round left BRIN ranges unsummarized");
    // Today's rows are all there.
    let e = s.event(&fresh).await;
    assert_eq!(e["deliveries"][0]["status"], "succeeded");
    let log = s
        .get_json(&s.key, &format!("/v1/webhooks/{webhook}/logs"))
        .await;
    assert_eq!(log["items"].as_array().expect("items").len(), 1);
}
