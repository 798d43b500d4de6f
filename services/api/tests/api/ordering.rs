//! Ordered delivery through the API (issue 23): a webhook's `ordering` on create, patch and
//! get, an event's `ordering_key`, and 422 naming the field for bad values.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_error, spawn_app, webhook_body};

#[tokio::test]
async fn ordering_is_set_shown_and_changed() {
    let app = spawn_app().await;
    let t = app.create_tenant("acme").await;
    let plain = app.create_webhook(&t.key, webhook_body("plain")).await;
    assert_eq!(plain["ordering"], "none", "unordered by default");
    let mut body = webhook_body("ordered");
    body["ordering"] = json!("fifo");
    let w = app.create_webhook(&t.key, body).await;
    assert_eq!(w["ordering"], "fifo");
    let path = format!("/v1/webhooks/{}", w["id"].as_str().expect("id"));
    assert_eq!(app.get_json(&t.key, &path).await["ordering"], "fifo");
    let changed: Value = app
        .patch(&t.key, &path, &json!({"ordering": "none"}))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(changed["ordering"], "none");
    let kept: Value = app
        .patch(&t.key, &path, &json!({"name": "renamed"}))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        kept["ordering"], "none",
        "PATCH keeps what it does not name"
    );
}

#[tokio::test]
async fn bad_ordering_values_are_422_naming_the_field() {
    let app = spawn_app().await;
    let t = app.create_tenant("acme").await;
    for bad in [json!("lifo"), json!("FIFO"), json!(1), json!(null)] {
        let mut body = webhook_body("bad");
        body["ordering"] = bad.clone();
        let res = app.post(&t.key, "/v1/webhooks", &body).await;
        if bad.is_null() {
            // Absent and null both mean the default on create.
            assert_eq!(res.status(), StatusCode::CREATED, "{bad}");
            continue;
        }
        let err = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(err["error"]["field"], "ordering", "{bad}");
    }
    let w = app.create_webhook(&t.key, webhook_body("ok")).await;
    let path = format!("/v1/webhooks/{}", w["id"].as_str().expect("id"));
    for bad in [json!("lifo"), json!(null)] {
        let res = app.patch(&t.key, &path, &json!({"ordering": bad})).await;
        let err = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(err["error"]["field"], "ordering", "PATCH {bad}");
    }
}

#[tokio::test]
async fn events_carry_their_ordering_key_and_bad_keys_are_422() {
    let app = spawn_app().await;
    let t = app.create_tenant("acme").await;
    let res = app
        .post(
            &t.key,
            "/v1/events",
            &json!({"event_type": "deal.updated", "data": {}, "ordering_key": "deal:42"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let id = res.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let event = app.get_json(&t.key, &format!("/v1/events/{id}")).await;
    assert_eq!(event["ordering_key"], "deal:42");
    let listed = app.get_json(&t.key, "/v1/events").await;
    assert_eq!(listed["items"][0]["ordering_key"], "deal:42");
    let unkeyed = app.send_event(&t.key, "deal.updated", json!({})).await;
    let event = app.get_json(&t.key, &format!("/v1/events/{unkeyed}")).await;
    assert_eq!(event["ordering_key"], Value::Null);

    for bad in [
        json!(""),
        json!("   "),
        json!(" padded"),
        json!("line\nbreak"),
        json!("k".repeat(256)),
        json!(7),
    ] {
        let res = app
            .post(
                &t.key,
                "/v1/events",
                &json!({"event_type": "deal.updated", "data": {}, "ordering_key": bad}),
            )
            .await;
        let err = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(err["error"]["field"], "ordering_key", "{bad}");
    }
    let longest = app
        .post(
            &t.key,
            "/v1/events",
            &json!({"event_type": "deal.updated", "data": {}, "ordering_key": "k".repeat(255)}),
        )
        .await;
    assert_eq!(longest.status(), StatusCode::ACCEPTED);
}
