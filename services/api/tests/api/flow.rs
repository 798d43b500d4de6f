//! Per-webhook flow control through the API (issue 22): `max_concurrency`, `rate_limit`,
//! `rate_limit_period` and `circuit` on create, patch and get, 422 naming the field for bad
//! values; and the caps against amplification (`limits.*`), 422 `limit_reached`.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_error, spawn_app, spawn_app_with, webhook_body};

fn with(extra: Value) -> Value {
    let mut body = webhook_body("limited");
    for (k, v) in extra.as_object().expect("object") {
        body[k] = v.clone();
    }
    body
}

#[tokio::test]
async fn limits_are_set_shown_changed_and_cleared() {
    let app = spawn_app().await;
    let t = app.create_tenant("acme").await;
    let plain = app.create_webhook(&t.key, webhook_body("plain")).await;
    assert_eq!(plain["max_concurrency"], 16, "the installation's default");
    assert_eq!(plain["rate_limit"], Value::Null);
    assert_eq!(plain["rate_limit_period"], "second");
    assert_eq!(plain["circuit"]["state"], "closed");
    assert_eq!(plain["waiting"]["deliveries"], 0);

    let w = app
        .create_webhook(
            &t.key,
            with(json!({"max_concurrency": 3, "rate_limit": 100, "rate_limit_period": "minute"})),
        )
        .await;
    assert_eq!(w["max_concurrency"], 3);
    assert_eq!(w["rate_limit"], 100);
    assert_eq!(w["rate_limit_period"], "minute");
    let path = format!("/v1/webhooks/{}", w["id"].as_str().expect("id"));

    let changed: Value = app
        .patch(&t.key, &path, &json!({"rate_limit_period": "hour"}))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(changed["rate_limit"], 100, "the count is kept");
    assert_eq!(changed["rate_limit_period"], "hour");
    let cleared: Value = app
        .patch(
            &t.key,
            &path,
            &json!({"rate_limit": null, "max_concurrency": null}),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(cleared["rate_limit"], Value::Null);
    assert_eq!(cleared["max_concurrency"], 16, "back to the default");
    let got = app.get_json(&t.key, &path).await;
    assert_eq!(got["max_concurrency"], 16);
    assert_eq!(got["circuit"]["retry_at"], Value::Null);
}

#[tokio::test]
async fn bad_limits_are_422_naming_the_field() {
    let app = spawn_app().await;
    let t = app.create_tenant("acme").await;
    let cases = [
        (json!({"max_concurrency": 0}), "max_concurrency"),
        (json!({"max_concurrency": -1}), "max_concurrency"),
        (json!({"max_concurrency": 1001}), "max_concurrency"),
        (json!({"rate_limit": 0}), "rate_limit"),
        (json!({"rate_limit": -5}), "rate_limit"),
        (
            json!({"rate_limit": 10, "rate_limit_period": "fortnight"}),
            "rate_limit_period",
        ),
    ];
    for (extra, field) in &cases {
        let res = app.post(&t.key, "/v1/webhooks", &with(extra.clone())).await;
        let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(body["error"]["field"], *field, "{extra}");
    }
    let w = app.create_webhook(&t.key, webhook_body("ok")).await;
    let path = format!("/v1/webhooks/{}", w["id"].as_str().expect("id"));
    for (extra, field) in cases
        .iter()
        .chain([&(json!({"rate_limit_period": null}), "rate_limit_period")])
    {
        let res = app.patch(&t.key, &path, extra).await;
        let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(body["error"]["field"], *field, "PATCH {extra}");
    }
}

#[tokio::test]
async fn webhooks_and_api_keys_per_tenant_are_capped() {
    let app = spawn_app_with(|s| {
        s.limits.webhooks_per_tenant = 2;
        s.limits.api_keys_per_tenant = 2;
    })
    .await;
    let t = app.create_tenant("acme").await;
    let other = app.create_tenant("other").await;
    for n in 0..2 {
        app.create_webhook(&t.key, webhook_body(&format!("w{n}")))
            .await;
    }
    let res = app
        .post(&t.key, "/v1/webhooks", &webhook_body("third"))
        .await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "limit_reached").await;
    assert_eq!(body["error"]["field"], "webhooks");
    app.create_webhook(&other.key, webhook_body("theirs")).await;

    // The tenant's first key counts: one more, then the cap.
    let key = json!({"name": "ci"});
    assert_eq!(
        app.post(&t.key, "/v1/api-keys", &key).await.status(),
        StatusCode::CREATED
    );
    let res = app.post(&t.key, "/v1/api-keys", &key).await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "limit_reached").await;
    assert_eq!(body["error"]["field"], "api_keys");
}

#[tokio::test]
async fn event_types_per_tenant_and_deliveries_per_event_are_capped() {
    let app = spawn_app_with(|s| {
        s.limits.event_types_per_tenant = 2;
        s.limits.webhooks_per_tenant = 10;
        s.limits.deliveries_per_event = 1;
    })
    .await;
    let t = app.create_tenant("acme").await;
    let event = |event_type: &str| json!({"event_type": event_type, "data": {}});
    for name in ["a.one", "a.two", "a.one"] {
        let res = app.post(&t.key, "/v1/events", &event(name)).await;
        assert_eq!(res.status(), StatusCode::ACCEPTED, "{name}");
    }
    // A third type would grow the catalogue past its cap; known types still pass.
    let res = app.post(&t.key, "/v1/events", &event("a.three")).await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "limit_reached").await;
    assert_eq!(body["error"]["field"], "event_type");
    let listed = app.get_json(&t.key, "/v1/events?event_type=a.three").await;
    assert_eq!(
        listed["items"],
        json!([]),
        "the refused event was not recorded"
    );
    let res = app
        .post(&t.key, "/v1/event-types", &json!({"name": "b.manual"}))
        .await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "limit_reached").await;
    assert_eq!(body["error"]["field"], "event_types");

    // Two webhooks take every a.* event: more than one delivery per event is refused.
    for name in ["x", "y"] {
        let mut body = webhook_body(name);
        body["event_types"] = json!(["a.*"]);
        app.create_webhook(&t.key, body).await;
    }
    let res = app.post(&t.key, "/v1/events", &event("a.one")).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "limit_reached").await;
}
