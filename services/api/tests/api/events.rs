use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_error, spawn_app, spawn_app_with, webhook_body};

#[tokio::test]
async fn an_event_fans_out_to_matching_enabled_webhooks() {
    let app = spawn_app().await;
    let t = app.create_tenant("acme").await;
    for (name, types, enabled) in [
        ("all", json!(["*"]), true),
        ("orders", json!(["order.*"]), true),
        ("exact", json!(["order.created"]), true),
        ("users", json!(["user.created"]), true),
        ("disabled", json!(["*"]), false),
    ] {
        let mut body = webhook_body(name);
        body["event_types"] = types;
        body["enabled"] = json!(enabled);
        app.create_webhook(&t.key, body).await;
    }
    let res = app
        .post(
            &t.key,
            "/v1/events",
            &json!({"event_type": "order.created", "data": {"id": 1}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let accepted: Value = res.json().await.expect("json");
    assert_eq!(accepted["deliveries"], 3);
    let id = accepted["id"].as_str().expect("id");
    let detail = app.get_json(&t.key, &format!("/v1/events/{id}")).await;
    assert_eq!(detail["event_type"], "order.created");
    assert_eq!(detail["data"], json!({"id": 1}));
    let deliveries = detail["deliveries"].as_array().expect("deliveries");
    assert_eq!(deliveries.len(), 3);
    assert!(deliveries
        .iter()
        .all(|d| d["status"] == "pending" && d["attempts"] == 0));

    let res = app
        .post(
            &t.key,
            "/v1/events",
            &json!({"event_type": "invoice.paid", "data": null}),
        )
        .await;
    let accepted: Value = res.json().await.expect("json");
    assert_eq!(accepted["deliveries"], 1);
}

#[tokio::test]
async fn concurrent_events_of_several_tenants_each_get_their_own_fan_out() {
    // Concurrent requests are recorded together (one statement per batch): each must
    // still get its own event, its own tenant's deliveries and its own idempotent replay.
    // Three workers, each batching its own requests: a key repeated on another worker
    // meets the first event in another statement.
    let app = spawn_app_with(|s| s.http.workers = 3).await;
    let a = app.create_tenant("a").await;
    let b = app.create_tenant("b").await;
    for name in ["a1", "a2"] {
        let mut everything = webhook_body(name);
        everything["event_types"] = json!(["*"]);
        app.create_webhook(&a.key, everything).await;
    }
    let mut orders_only = webhook_body("b1");
    orders_only["event_types"] = json!(["order.*"]);
    app.create_webhook(&b.key, orders_only).await;
    let requests = (0..60).map(|i| {
        let (key, tenant) = if i % 2 == 0 {
            (&a.key, "a")
        } else {
            (&b.key, "b")
        };
        let event_type = if i % 3 == 0 {
            "order.created"
        } else {
            "user.created"
        };
        // Every fifth request repeats the idempotency key of its tenant's previous one.
        let idem = format!("k-{}", if i % 5 == 4 { i - 2 } else { i });
        let app = &app;
        async move {
            let res = app
                .req(reqwest::Method::POST, "/v1/events", key)
                .header("idempotency-key", idem.clone())
                .json(&json!({"event_type": event_type, "data": {"i": i}}))
                .send()
                .await
                .expect("request");
            assert_eq!(res.status(), StatusCode::ACCEPTED);
            let body: Value = res.json().await.expect("json");
            (i, tenant, event_type, idem, body)
        }
    });
    let answers = futures::future::join_all(requests).await;
    let mut ids = std::collections::HashMap::new();
    for (i, tenant, event_type, idem, body) in &answers {
        let expected = match (*tenant, *event_type) {
            ("a", _) => 2,
            ("b", "order.created") => 1,
            _ => 0,
        };
        let id = body["id"].as_str().expect("id").to_string();
        if let Some(first) = ids.insert((*tenant, idem.clone()), id.clone()) {
            assert_eq!(first, id, "request {i} repeats a key: same event");
            continue;
        }
        let key = if *tenant == "a" { &a.key } else { &b.key };
        let detail = app.get_json(key, &format!("/v1/events/{id}")).await;
        if detail["data"]["i"] == json!(i) {
            assert_eq!(body["deliveries"], expected, "request {i}");
            assert_eq!(detail["event_type"], *event_type);
        }
        assert_eq!(
            detail["deliveries"].as_array().expect("deliveries").len() as i64,
            body["deliveries"].as_i64().expect("count"),
            "request {i}"
        );
    }
    // 60 requests, 12 of them repeating a key: 48 events, split by tenant.
    assert_eq!(ids.len(), 48);
    let listed = |key: String| {
        let app = &app;
        async move {
            app.get_json(&key, "/v1/events?limit=100").await["items"]
                .as_array()
                .expect("items")
                .len()
        }
    };
    assert_eq!(
        listed(a.key.clone()).await + listed(b.key.clone()).await,
        48
    );
}

#[tokio::test]
async fn the_same_idempotency_key_returns_the_first_event() {
    let app = spawn_app().await;
    let a = app.create_tenant("a").await;
    let b = app.create_tenant("b").await;
    app.create_webhook(&a.key, webhook_body("w")).await;
    let send = |key: String, idem: &'static str, data: Value| {
        let app = &app;
        async move {
            app.req(reqwest::Method::POST, "/v1/events", &key)
                .header("idempotency-key", idem)
                .json(&json!({"event_type": "order.created", "data": data}))
                .send()
                .await
                .expect("request")
        }
    };
    let first = send(a.key.clone(), "k-1", json!({"n": 1})).await;
    assert_eq!(first.status(), StatusCode::ACCEPTED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.expect("json");
    let again = send(a.key.clone(), "k-1", json!({"n": 2})).await;
    assert_eq!(again.status(), StatusCode::ACCEPTED);
    assert_eq!(
        again
            .headers()
            .get("idempotent-replayed")
            .map(|v| v.as_bytes()),
        Some(&b"true"[..])
    );
    let again: Value = again.json().await.expect("json");
    assert_eq!(again, first);
    let list = app.get_json(&a.key, "/v1/events").await;
    assert_eq!(list["items"].as_array().expect("items").len(), 1);
    assert_eq!(list["items"][0]["data"], json!({"n": 1}));
    let detail = app
        .get_json(
            &a.key,
            &format!("/v1/events/{}", first["id"].as_str().expect("id")),
        )
        .await;
    assert_eq!(
        detail["deliveries"].as_array().expect("deliveries").len(),
        1
    );
    // Keys are per tenant.
    let other: Value = send(b.key.clone(), "k-1", json!({}))
        .await
        .json()
        .await
        .expect("json");
    assert_ne!(other["id"], first["id"]);
    // Concurrent requests with one key still create one event.
    let racers = (0..8).map(|_| send(a.key.clone(), "k-race", json!({})));
    let mut ids = Vec::new();
    for res in futures::future::join_all(racers).await {
        assert_eq!(res.status(), StatusCode::ACCEPTED);
        ids.push(res.json::<Value>().await.expect("json")["id"].clone());
    }
    assert!(ids.windows(2).all(|w| w[0] == w[1]), "{ids:?}");
    let res = app
        .req(reqwest::Method::POST, "/v1/events", &a.key)
        .header("idempotency-key", "x".repeat(256))
        .json(&json!({"event_type": "order.created", "data": {}}))
        .send()
        .await
        .expect("request");
    let err = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(err["error"]["field"], "Idempotency-Key");
}

#[tokio::test]
async fn bad_events_get_structured_errors_and_store_nothing() {
    let app = spawn_app_with(|s| s.api.max_event_bytes = 1024).await;
    let t = app.create_tenant("acme").await;
    let url = format!("{}/v1/events", app.address);
    let cases: Vec<(Value, &str)> = vec![
        (json!({"event_type": "bad/type", "data": {}}), "event_type"),
        (
            json!({"event_type": "x".repeat(101), "data": {}}),
            "event_type",
        ),
        (json!({"event_type": "", "data": {}}), "event_type"),
        (
            json!({"event_type": "a.b", "data": {}, "occurred_at": "yesterday"}),
            "occurred_at",
        ),
        (
            json!({"event_type": "a.b", "data": {}, "extra": 1}),
            "extra",
        ),
        (json!({"event_type": 7, "data": {}}), "event_type"),
    ];
    for (body, field) in cases {
        let res = app.post(&t.key, "/v1/events", &body).await;
        let err = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(err["error"]["field"], field, "{body}");
    }
    let res = app
        .post(&t.key, "/v1/events", &json!({"event_type": "a.b"}))
        .await;
    let err = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(err["error"]["message"]
        .as_str()
        .expect("msg")
        .contains("data"));
    let res = app
        .post(
            &t.key,
            "/v1/events",
            &json!({"event_type": "a.b", "data": "x".repeat(2000)}),
        )
        .await;
    assert_error(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    let res = app
        .client
        .post(&url)
        .bearer_auth(&t.key)
        .header("content-type", "application/json")
        .body("{\"event_type\": \"a.b\", \"data\": {")
        .send()
        .await
        .expect("request");
    assert_error(res, StatusCode::BAD_REQUEST, "malformed_json").await;
    let res = app
        .client
        .post(&url)
        .bearer_auth(&t.key)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("event_type=a.b")
        .send()
        .await
        .expect("request");
    assert_error(
        res,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    let list = app.get_json(&t.key, "/v1/events").await;
    assert!(list["items"].as_array().expect("items").is_empty());
    // A body just under the limit is accepted.
    let res = app
        .post(
            &t.key,
            "/v1/events",
            &json!({"event_type": "a.b", "data": "x".repeat(900)}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn events_are_listed_newest_first_with_filters_and_pages() {
    let app = spawn_app().await;
    let a = app.create_tenant("a").await;
    let b = app.create_tenant("b").await;
    let mut sent = Vec::new();
    for i in 0..7 {
        let t = if i % 2 == 0 {
            "order.created"
        } else {
            "user.created"
        };
        sent.push(app.send_event(&a.key, t, json!({"i": i})).await);
    }
    let b_event = app.send_event(&b.key, "order.created", json!({})).await;
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app
            .get_json(&a.key, &format!("/v1/events?limit=3{cursor}"))
            .await;
        for e in page["items"].as_array().expect("items") {
            seen.push(e["id"].as_str().expect("id").to_string());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    let mut expected = sent.clone();
    expected.reverse();
    assert_eq!(seen, expected);
    let orders = app
        .get_json(&a.key, "/v1/events?event_type=order.created&limit=100")
        .await;
    assert_eq!(orders["items"].as_array().expect("items").len(), 4);
    let future = app
        .get_json(&a.key, "/v1/events?since=2999-01-01T00:00:00Z")
        .await;
    assert!(future["items"].as_array().expect("items").is_empty());
    let past = app
        .get_json(&a.key, "/v1/events?until=2000-01-01T00:00:00Z")
        .await;
    assert!(past["items"].as_array().expect("items").is_empty());
    let res = app.get(&a.key, "/v1/events?since=soon").await;
    let err = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(err["error"]["field"], "since");
    // Tenant isolation.
    assert_error(
        app.get(&a.key, &format!("/v1/events/{b_event}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert!(!seen.contains(&b_event));
}
