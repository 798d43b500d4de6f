use hookrelay_testkit::ADMIN_TOKEN;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_error, spawn_app, spawn_app_with};

#[tokio::test]
async fn v1_routes_require_a_valid_key() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(format!("{}/v1/webhooks", app.address))
        .send()
        .await
        .expect("request");
    assert_error(res, StatusCode::UNAUTHORIZED, "unauthorized").await;
    for bad in ["hr_not-a-real-key", "garbage", ADMIN_TOKEN] {
        let res = app.get(bad, "/v1/webhooks").await;
        assert_error(res, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
    let res = app
        .client
        .get(format!("{}/v1/webhooks", app.address))
        .header("authorization", "Basic abc")
        .send()
        .await
        .expect("request");
    assert_error(res, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn creating_a_tenant_needs_the_admin_token() {
    let app = spawn_app().await;
    let body = json!({"name": "acme"});
    let res = app
        .client
        .post(format!("{}/v1/tenants", app.address))
        .json(&body)
        .send()
        .await
        .expect("request");
    assert_error(res, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let res = app.post("wrong-token", "/v1/tenants", &body).await;
    assert_error(res, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let tenant = app.create_tenant("acme").await;
    // A tenant key is not an admin token.
    let res = app.post(&tenant.key, "/v1/tenants", &body).await;
    assert_error(res, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert!(tenant.key.starts_with("hr_"));
    let res = app.get(&tenant.key, "/v1/webhooks").await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_empty_admin_token_disables_admin_routes() {
    let app = spawn_app_with(|s| s.api.admin_token = String::new().into()).await;
    let res = app
        .client
        .post(format!("{}/v1/tenants", app.address))
        .header("authorization", "Bearer ")
        .json(&json!({"name": "x"}))
        .send()
        .await
        .expect("request");
    assert_error(res, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn tenant_name_is_validated() {
    let app = spawn_app().await;
    for name in ["", "   ", &"x".repeat(201)] {
        let res = app
            .post(ADMIN_TOKEN, "/v1/tenants", &json!({"name": name}))
            .await;
        let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(body["error"]["field"], "name");
    }
}

#[tokio::test]
async fn api_keys_can_be_created_listed_and_revoked() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let res = app
        .post(&tenant.key, "/v1/api-keys", &json!({"name": "ci"}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.expect("json");
    let second_key = created["key"].as_str().expect("key").to_string();
    assert!(second_key.starts_with("hr_"));
    assert_ne!(second_key, tenant.key);
    assert!(second_key.starts_with(created["key_prefix"].as_str().expect("prefix")));

    let list: Value = app
        .get(&tenant.key, "/v1/api-keys")
        .await
        .json()
        .await
        .expect("json");
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    let listed = list.to_string();
    assert!(
        !listed.contains(&second_key) && !listed.contains(&tenant.key),
        "keys leaked"
    );

    // Revoke the second key: it stops working at once, the first keeps working.
    let id = created["id"].as_str().expect("id");
    let res = app
        .req(Method::DELETE, &format!("/v1/api-keys/{id}"), &tenant.key)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_error(
        app.get(&second_key, "/v1/webhooks").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    assert_eq!(
        app.get(&tenant.key, "/v1/webhooks").await.status(),
        StatusCode::OK
    );
    let list: Value = app
        .get(&tenant.key, "/v1/api-keys")
        .await
        .json()
        .await
        .expect("json");
    let revoked = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|k| k["id"] == id)
        .expect("revoked key listed");
    assert!(revoked["revoked_at"].is_string());

    // Keys are stored only as hashes.
    let client = app.db.pool.get().await.expect("conn");
    let rows = client
        .query("SELECT key_hash FROM api_keys", &[])
        .await
        .expect("query");
    for row in rows {
        let hash: Vec<u8> = row.get(0);
        assert_eq!(hash.len(), 32);
        assert!(!String::from_utf8_lossy(&hash).contains("hr_"));
    }

    let res = app
        .post(&tenant.key, "/v1/api-keys", &json!({"name": ""}))
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

#[tokio::test]
async fn a_tenant_cannot_touch_another_tenants_keys() {
    let app = spawn_app().await;
    let a = app.create_tenant("a").await;
    let b = app.create_tenant("b").await;
    let list: Value = app
        .get(&a.key, "/v1/api-keys")
        .await
        .json()
        .await
        .expect("json");
    let a_key_id = list["items"][0]["id"].as_str().expect("id").to_string();
    let res = app
        .req(Method::DELETE, &format!("/v1/api-keys/{a_key_id}"), &b.key)
        .send()
        .await
        .expect("request");
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
    let list: Value = app
        .get(&b.key, "/v1/api-keys")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["items"].as_array().expect("items").len(), 1);
    assert_ne!(list["items"][0]["id"], a_key_id);
    assert_eq!(
        app.get(&a.key, "/v1/webhooks").await.status(),
        StatusCode::OK
    );
}

/// Issue 15, finding 6: a tenant cannot lock itself out, and an operator can let a tenant
/// back in.
#[tokio::test]
async fn the_last_active_key_cannot_be_revoked_and_the_admin_can_issue_keys() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let keys: Value = app.get_json(&tenant.key, "/v1/api-keys").await;
    let only = keys["items"][0]["id"].as_str().expect("id").to_string();
    let res = app
        .req(Method::DELETE, &format!("/v1/api-keys/{only}"), &tenant.key)
        .send()
        .await
        .expect("request");
    assert_error(res, StatusCode::CONFLICT, "last_api_key").await;
    assert_eq!(
        app.get(&tenant.key, "/v1/webhooks").await.status(),
        StatusCode::OK,
        "the key still works"
    );

    // The admin lists tenants and issues a second key for this one.
    let list: Value = app.get_json(ADMIN_TOKEN, "/v1/tenants?limit=10").await;
    let me = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|t| t["name"] == "acme")
        .expect("tenant listed")
        .clone();
    let tenant_id = me["id"].as_str().expect("id");
    let res = app
        .post(
            ADMIN_TOKEN,
            &format!("/v1/tenants/{tenant_id}/api-keys"),
            &json!({"name": "recovery"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let issued: Value = res.json().await.expect("json");
    let recovery = issued["key"].as_str().expect("key").to_string();
    assert_eq!(
        app.get_json(&recovery, "/v1/tenant").await["id"],
        tenant_id,
        "the issued key belongs to the tenant"
    );

    // With two keys, the first can go; then the recovery key is the last one.
    let res = app
        .req(Method::DELETE, &format!("/v1/api-keys/{only}"), &recovery)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let recovery_id = issued["id"].as_str().expect("id");
    let res = app
        .req(
            Method::DELETE,
            &format!("/v1/api-keys/{recovery_id}"),
            &recovery,
        )
        .send()
        .await
        .expect("request");
    assert_error(res, StatusCode::CONFLICT, "last_api_key").await;

    // Admin routes refuse tenant keys; unknown tenants and forged cursors are 4xx.
    assert_error(
        app.get(&recovery, "/v1/tenants").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    let res = app
        .post(
            ADMIN_TOKEN,
            &format!("/v1/tenants/{}/api-keys", uuid::Uuid::now_v7()),
            &json!({"name": "x"}),
        )
        .await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
    assert_error(
        app.get(ADMIN_TOKEN, "/v1/tenants?cursor=2024-01-01'--")
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    // Paging: one per page reaches the next tenant through the cursor.
    app.create_tenant("beta").await;
    let first: Value = app.get_json(ADMIN_TOKEN, "/v1/tenants?limit=1").await;
    let cursor = first["next_cursor"].as_str().expect("more tenants");
    let second: Value = app
        .get_json(ADMIN_TOKEN, &format!("/v1/tenants?limit=1&cursor={cursor}"))
        .await;
    assert_ne!(first["items"][0]["id"], second["items"][0]["id"]);
}
