use hookrelay_testkit::receiver::Receiver;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_error, spawn_app};

fn names(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["name"].as_str().expect("name").to_string())
        .collect()
}

fn order_schema() -> Value {
    json!({
        "type": "object",
        "required": ["order_id"],
        "properties": {"order_id": {"type": "integer"}, "total": {"type": "string"}}
    })
}

#[tokio::test]
async fn the_catalogue_registers_lists_updates_and_deletes_types() {
    let app = spawn_app().await;
    let key = app.create_tenant("acme").await.key;
    let created = app
        .post(
            &key,
            "/v1/event-types",
            &json!({
                "name": "order.created", "description": "An order was placed", "group": "Orders",
                "schema": order_schema(), "example": {"order_id": 42, "total": "19.90"}
            }),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let body: Value = created.json().await.expect("json");
    assert_eq!(body["group"], "Orders");
    assert_eq!(body["registered"], true);
    assert_eq!(body["example"]["order_id"], 42);
    let again = app
        .post(&key, "/v1/event-types", &json!({"name": "order.created"}))
        .await;
    assert_error(again, StatusCode::CONFLICT, "event_type_exists").await;
    for (bad, field) in [
        (json!({"name": "x.y", "schema": {"type": 12}}), "schema"),
        (
            json!({"name": "x.y", "schema": order_schema(), "example": {"order_id": "7"}}),
            "example",
        ),
        (json!({"name": "bad name!"}), "name"),
        (
            json!({"name": "x.y", "description": "d".repeat(501)}),
            "description",
        ),
    ] {
        let res = app.post(&key, "/v1/event-types", &bad).await;
        let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(body["error"]["field"], field, "{bad}");
    }

    // Types seen in events appear by themselves.
    app.send_event(&key, "invoice.paid", json!({"n": 1})).await;
    let page = app.get_json(&key, "/v1/event-types").await;
    assert_eq!(names(&page), vec!["invoice.paid", "order.created"]);
    let seen = &page["items"][0];
    assert_eq!(seen["registered"], false);
    assert!(seen["first_seen_at"].is_string());
    assert!(seen["description"].is_null());
    let orders = app.get_json(&key, "/v1/event-types?group=Orders").await;
    assert_eq!(names(&orders), vec!["order.created"]);
    let first = app.get_json(&key, "/v1/event-types?limit=1").await;
    let cursor = first["next_cursor"].as_str().expect("cursor");
    let second = app
        .get_json(&key, &format!("/v1/event-types?limit=1&cursor={cursor}"))
        .await;
    assert_eq!(names(&second), vec!["order.created"]);

    // Update: set, clear, deprecate; the schema and example must still agree.
    let res = app
        .patch(
            &key,
            "/v1/event-types/invoice.paid",
            &json!({"description": "Paid", "group": "Billing", "deprecated": true}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let updated: Value = res.json().await.expect("json");
    assert_eq!(updated["description"], "Paid");
    assert_eq!(updated["deprecated"], true);
    assert_eq!(updated["registered"], true);
    let res = app
        .patch(
            &key,
            "/v1/event-types/invoice.paid",
            &json!({"description": null}),
        )
        .await;
    let cleared: Value = res.json().await.expect("json");
    assert!(cleared["description"].is_null());
    assert_eq!(cleared["group"], "Billing");
    let res = app
        .patch(
            &key,
            "/v1/event-types/order.created",
            &json!({"example": {"order_id": "nope"}}),
        )
        .await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["error"]["field"], "example");

    // Another tenant sees nothing of it.
    let other = app.create_tenant("other").await.key;
    assert!(names(&app.get_json(&other, "/v1/event-types").await).is_empty());
    let res = app.get(&other, "/v1/event-types/order.created").await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;

    let res = app
        .req(Method::DELETE, "/v1/event-types/invoice.paid", &key)
        .send()
        .await
        .expect("delete");
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.get(&key, "/v1/event-types/invoice.paid").await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn strict_tenants_accept_only_registered_types_with_valid_data() {
    let app = spawn_app().await;
    let key = app.create_tenant("acme").await.key;
    app.post(
        &key,
        "/v1/event-types",
        &json!({"name": "order.created", "schema": order_schema()}),
    )
    .await;
    // Not strict yet: anything goes.
    app.send_event(&key, "order.created", json!({"order_id": "x"}))
        .await;
    app.send_event(&key, "whatever.happened", json!({})).await;

    let res = app
        .patch(&key, "/v1/tenant", &json!({"strict_event_types": true}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let tenant: Value = res.json().await.expect("json");
    assert_eq!(tenant["strict_event_types"], true);
    assert_eq!(
        app.get_json(&key, "/v1/tenant").await["strict_event_types"],
        true
    );

    let res = app
        .post(
            &key,
            "/v1/events",
            &json!({"event_type": "order.created", "data": {"order_id": 7}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let res = app
        .post(
            &key,
            "/v1/events",
            &json!({"event_type": "order.created", "data": {"order_id": "7"}}),
        )
        .await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["error"]["field"], "data");
    assert!(body["error"]["message"]
        .as_str()
        .expect("message")
        .contains("order_id"));
    // Seen but never registered, or unknown: refused.
    for t in ["whatever.happened", "never.seen"] {
        let res = app
            .post(&key, "/v1/events", &json!({"event_type": t, "data": {}}))
            .await;
        let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(body["error"]["field"], "event_type", "{t}");
    }
    let res = app
        .patch(&key, "/v1/tenant", &json!({"strict_event_types": false}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .post(
            &key,
            "/v1/events",
            &json!({"event_type": "never.seen", "data": {}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn schemas_with_backtracking_patterns_are_refused_and_stored_ones_do_not_stall() {
    let app = spawn_app().await;
    let key = app.create_tenant("acme").await.key;
    // A back-reference took 5-7 s per event on a backtracking engine.
    let hostile = json!({"type": "object",
        "properties": {"title": {"type": "string", "pattern": "^(a*)*\\1x$"}}});
    let res = app
        .post(
            &key,
            "/v1/event-types",
            &json!({"name": "post.created", "schema": hostile, "example": {"title": "aaaa"}}),
        )
        .await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["error"]["field"], "schema");
    let message = body["error"]["message"].as_str().expect("message");
    assert!(message.contains("/properties/title/pattern"), "{message}");
    let res = app
        .post(
            &key,
            "/v1/event-types",
            &json!({"name": "post.created", "schema": {"type": "object"}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = app
        .patch(
            &key,
            "/v1/event-types/post.created",
            &json!({"schema": hostile}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;

    // A schema stored before patterns were restricted: its events are told, not failed.
    let client = app.db.pool.get().await.expect("client");
    client
        .execute(
            "UPDATE event_types SET schema = $1, updated_at = now() WHERE name = 'post.created'",
            &[&hostile],
        )
        .await
        .expect("legacy schema");
    app.patch(&key, "/v1/tenant", &json!({"strict_event_types": true}))
        .await;
    let res = app
        .post(
            &key,
            "/v1/events",
            &json!({"event_type": "post.created", "data": {"title": "a".repeat(500)}}),
        )
        .await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["error"]["field"], "event_type");
    assert!(body["error"]["message"]
        .as_str()
        .expect("message")
        .contains("update the event type"));
    // Updating the type takes effect at once (the compiled schema is keyed by version).
    let res = app
        .patch(
            &key,
            "/v1/event-types/post.created",
            &json!({"schema": {"properties": {"title": {"pattern": "^(a+)+$"}}}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .post(
            &key,
            "/v1/events",
            &json!({"event_type": "post.created", "data": {"title": format!("{}!", "a".repeat(50_000))}}),
        )
        .await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["error"]["field"], "data");
    let res = app
        .post(
            &key,
            "/v1/events",
            &json!({"event_type": "post.created", "data": {"title": "aaa"}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn webhooks_warn_about_patterns_that_match_no_known_type() {
    let app = spawn_app().await;
    let key = app.create_tenant("acme").await.key;
    app.send_event(&key, "order.created", json!({})).await;
    app.post(&key, "/v1/event-types", &json!({"name": "invoice.paid"}))
        .await;
    let res = app
        .post(
            &key,
            "/v1/webhooks",
            &json!({"name": "w", "url": "http://127.0.0.1:9/", "event_types": ["order.*", "invoice.paid", "ordr.created", "*"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.expect("json");
    assert_eq!(
        created["warnings"],
        json!(["event_types: `ordr.created` matches no known event type"])
    );
    let id = created["id"].as_str().expect("id");
    let res = app
        .patch(
            &key,
            &format!("/v1/webhooks/{id}"),
            &json!({"event_types": ["order.created", "nope.*"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let updated: Value = res.json().await.expect("json");
    assert_eq!(
        updated["warnings"],
        json!(["event_types: `nope.*` matches no known event type"])
    );
    assert_eq!(updated["event_types"], json!(["order.created", "nope.*"]));
    // The types hookrelay publishes itself are known to every tenant (the README's
    // examples subscribe to them before any was seen).
    let res = app
        .patch(
            &key,
            &format!("/v1/webhooks/{id}"),
            &json!({"event_types": ["new_post_scheduled", "post.*", "webhook.disabled", "webhook.circuit_opened"]}),
        )
        .await;
    let updated: Value = res.json().await.expect("json");
    assert_eq!(updated["warnings"], json!([]));
}

#[tokio::test]
async fn a_test_send_carries_the_catalogue_example() {
    let app = spawn_app().await;
    let key = app.create_tenant("acme").await.key;
    app.post(
        &key,
        "/v1/event-types",
        &json!({"name": "order.created", "example": {"order_id": 42, "items": [1, 2]}}),
    )
    .await;
    let rx = Receiver::start().await;
    let res = app
        .post(
            &key,
            "/v1/webhooks/test",
            &json!({"url": rx.url, "event_type": "order.created"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let got = rx.received();
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].json()["data"],
        json!({"order_id": 42, "items": [1, 2]})
    );
    assert_eq!(got[0].json()["event"], "order.created");
}
