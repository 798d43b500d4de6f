//! Where the API and its OpenAPI document used to disagree (issue 15, finding 7); the
//! whole document is checked by `make check-api` (schemathesis).

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_error, spawn_app, webhook_body, TestApp};

/// A new webhook's id.
async fn webhook_id(app: &TestApp, key: &str) -> String {
    app.create_webhook(key, webhook_body("w")).await["id"]
        .as_str()
        .expect("id")
        .to_string()
}

/// A 405 names the methods the resource answers, as the document lists them.
#[tokio::test]
async fn wrong_methods_are_405_with_allow() {
    let app = spawn_app().await;
    let key = app.create_tenant("acme").await.key;
    for (method, path, allow) in [
        ("PUT", "/v1/webhooks", "GET, POST"),
        ("PATCH", "/v1/webhooks/test", "POST"),
        ("TRACE", "/v1/callback-url/rotate", "POST"),
        (
            "GET",
            "/v1/deliveries/00000000-0000-0000-0000-000000000000/replay",
            "POST",
        ),
        ("PUT", "/v1/event-types/import", "POST"),
    ] {
        let res = app
            .req(
                Method::from_bytes(method.as_bytes()).expect("method"),
                path,
                &key,
            )
            .send()
            .await
            .expect("request");
        assert_eq!(
            res.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert_eq!(
            res.headers().get("allow").and_then(|v| v.to_str().ok()),
            Some(allow),
            "{method} {path}"
        );
        assert_error(res, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
    }
}

/// `null` for a PATCH field that cannot be cleared is a 422 naming it (an enum field
/// used to be answered as malformed JSON, 400).
#[tokio::test]
async fn null_for_a_field_that_cannot_be_cleared_is_422() {
    let app = spawn_app().await;
    let key = app.create_tenant("acme").await.key;
    let id = webhook_id(&app, &key).await;
    for field in [
        "payload_format",
        "signature_profile",
        "enabled",
        "name",
        "url",
    ] {
        let res = app
            .patch(&key, &format!("/v1/webhooks/{id}"), &json!({ field: null }))
            .await;
        let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(body["error"]["field"], field, "{body}");
    }
    // Fields that can be cleared still take null.
    let res = app
        .patch(
            &key,
            &format!("/v1/webhooks/{id}"),
            &json!({"description": null, "retry_schedule_secs": null}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

/// JSON Schema counts `60.0` as an integer; so does the API.
#[tokio::test]
async fn integral_numbers_written_as_floats_are_integers() {
    let app = spawn_app().await;
    let key = app.create_tenant("acme").await.key;
    let id = webhook_id(&app, &key).await;
    let res = app
        .post(
            &key,
            &format!("/v1/webhooks/{id}/secret/rotate"),
            &json!({"grace_secs": 60.0}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .post(
            &key,
            &format!("/v1/webhooks/{id}/secret/rotate"),
            &json!({"grace_secs": 60.5}),
        )
        .await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["error"]["field"], "grace_secs");
}

/// An event type's schema is stored as jsonb, which cannot hold U+0000: a 422, not a 503.
#[tokio::test]
async fn a_nul_in_an_event_type_schema_is_422() {
    let app = spawn_app().await;
    let key = app.create_tenant("acme").await.key;
    let res = app
        .post(
            &key,
            "/v1/event-types",
            &json!({"name": "a.b", "schema": {"description": "x\u{0}y"}}),
        )
        .await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["error"]["field"], "schema");
    let res = app
        .post(
            &key,
            "/v1/event-types",
            &json!({"name": "a.b", "schema": false}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "a boolean schema is a schema"
    );
    let res = app
        .patch(
            &key,
            "/v1/event-types/a.b",
            &json!({"schema": {"\u{0}": {}}}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

/// `/v1/event-types/import` only takes POST for itself: an event type named `import`
/// can still be read and deleted.
#[tokio::test]
async fn an_event_type_named_import_stays_reachable() {
    let app = spawn_app().await;
    let key = app.create_tenant("acme").await.key;
    let res = app
        .post(&key, "/v1/event-types", &json!({"name": "import"}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let got: Value = app.get_json(&key, "/v1/event-types/import").await;
    assert_eq!(got["name"], "import");
    let res = app
        .post(
            &key,
            "/v1/event-types/import",
            &json!({"preset": "mailing"}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let res = app
        .req(Method::DELETE, "/v1/event-types/import", &key)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}
