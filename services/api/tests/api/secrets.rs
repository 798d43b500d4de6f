//! Signing secrets at rest (issue 15): sealed in the database, plaintext only through
//! the secret route, old rows re-sealed at start, key rotation.

use std::time::Duration;

use hookrelay_api::startup::Application;
use hookrelay_testkit::{eventually, test_settings, TEST_SECRETS_KEY};
use serde_json::Value;

use crate::helpers::{spawn_app, webhook_body};

async fn stored_secret(app: &crate::helpers::TestApp, id: &str) -> String {
    let client = app.db.pool.get().await.expect("conn");
    let id = uuid::Uuid::parse_str(id).expect("uuid");
    client
        .query_one("SELECT secret FROM webhooks WHERE id = $1", &[&id])
        .await
        .expect("row")
        .get(0)
}

#[tokio::test]
async fn secrets_are_sealed_in_the_database_and_only_the_secret_route_opens_them() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let created = app.create_webhook(&tenant.key, webhook_body("a")).await;
    let id = created["id"].as_str().expect("id");
    let secret = created["secret"].as_str().expect("secret").to_string();

    let stored = stored_secret(&app, id).await;
    assert!(stored.starts_with("v1:test:"), "{stored}");
    assert!(!stored.contains(secret.trim_start_matches("whsec_")));

    let shown: Value = app
        .get_json(&tenant.key, &format!("/v1/webhooks/{id}/secret"))
        .await;
    assert_eq!(shown["secret"], secret.as_str());
    let view = app
        .get_json(&tenant.key, &format!("/v1/webhooks/{id}"))
        .await
        .to_string();
    assert!(!view.contains(&secret) && !view.contains("v1:test:"));

    // Rotation seals the new secret and keeps the previous one sealed.
    let rotated: Value = app
        .post(
            &tenant.key,
            &format!("/v1/webhooks/{id}/secret/rotate"),
            &serde_json::json!({}),
        )
        .await
        .json()
        .await
        .expect("json");
    let client = app.db.pool.get().await.expect("conn");
    let row = client
        .query_one(
            "SELECT secret, previous_secret FROM webhooks WHERE id = $1",
            &[&uuid::Uuid::parse_str(id).expect("uuid")],
        )
        .await
        .expect("row");
    let (now, previous): (String, String) = (row.get(0), row.get(1));
    assert!(now.starts_with("v1:test:") && previous.starts_with("v1:test:"));
    assert!(!now.contains(
        rotated["secret"]
            .as_str()
            .expect("secret")
            .trim_start_matches("whsec_")
    ));
}

#[tokio::test]
async fn plaintext_rows_are_resealed_at_start_and_a_new_key_takes_over() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let created = app.create_webhook(&tenant.key, webhook_body("a")).await;
    let id = created["id"].as_str().expect("id").to_string();
    let secret = created["secret"].as_str().expect("secret").to_string();
    // A row written before encryption was configured.
    let client = app.db.pool.get().await.expect("conn");
    client
        .execute(
            "UPDATE webhooks SET secret = $2 WHERE id = $1",
            &[&uuid::Uuid::parse_str(&id).expect("uuid"), &secret],
        )
        .await
        .expect("update");

    // Another API process starts with a new key first and the old one second.
    let mut settings = test_settings(&app.db.url);
    settings.secrets.keys = vec![
        "k2:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
            .to_string()
            .into(),
        TEST_SECRETS_KEY.to_string().into(),
    ];
    let second = Application::build(settings, app.db.pool.clone()).expect("build");
    let second_url = format!("http://127.0.0.1:{}", second.port());
    tokio::spawn(second.run_until_stopped());
    let resealed = eventually(Duration::from_secs(10), "the row re-sealed", || async {
        let stored = stored_secret(&app, &id).await;
        stored.starts_with("v1:k2:").then_some(stored)
    })
    .await;
    assert!(!resealed.contains(secret.trim_start_matches("whsec_")));
    let shown: Value = reqwest::Client::new()
        .get(format!("{second_url}/v1/webhooks/{id}/secret"))
        .bearer_auth(&tenant.key)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(
        shown["secret"],
        secret.as_str(),
        "the same secret, under the new key"
    );
}

/// Issue 24, item 4: custom header values (often `Authorization`) are receiver
/// credentials: sealed at rest, masked in answers, revealed only by their route, kept when
/// a form sends the mask back, and legacy plaintext values re-sealed at start.
#[tokio::test]
async fn header_values_are_sealed_masked_and_revealed_only_by_their_route() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let mut body = webhook_body("a");
    body["headers"] =
        serde_json::json!({"Authorization": "Bearer rcv-token-123", "X-Team": "growth"});
    let created = app.create_webhook(&tenant.key, body).await;
    let id = created["id"].as_str().expect("id").to_string();
    let masked = serde_json::json!({"authorization": "********", "x-team": "********"});
    assert_eq!(created["headers"], masked);
    let view = app
        .get_json(&tenant.key, &format!("/v1/webhooks/{id}"))
        .await;
    assert_eq!(view["headers"], masked);
    let listed = app.get_json(&tenant.key, "/v1/webhooks").await.to_string();
    assert!(!listed.contains("rcv-token-123"));

    let stored_headers = || async {
        let client = app.db.pool.get().await.expect("conn");
        let stored: Value = client
            .query_one(
                "SELECT headers FROM webhooks WHERE id = $1",
                &[&uuid::Uuid::parse_str(&id).expect("uuid")],
            )
            .await
            .expect("row")
            .get(0);
        stored
    };
    let stored = stored_headers().await;
    assert!(!stored.to_string().contains("rcv-token-123"), "{stored}");
    assert!(stored["authorization"]["sealed"]
        .as_str()
        .expect("sealed")
        .starts_with("v1:test:"));

    let revealed = app
        .get_json(&tenant.key, &format!("/v1/webhooks/{id}/headers"))
        .await;
    assert_eq!(
        revealed["headers"],
        serde_json::json!({"authorization": "Bearer rcv-token-123", "x-team": "growth"})
    );
    // A form that sends back what GET answered keeps the values; a new one replaces.
    let res = app
        .patch(
            &tenant.key,
            &format!("/v1/webhooks/{id}"),
            &serde_json::json!({"headers": {"authorization": "********", "x-team": "ops"}}),
        )
        .await;
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    let revealed = app
        .get_json(&tenant.key, &format!("/v1/webhooks/{id}/headers"))
        .await;
    assert_eq!(
        revealed["headers"],
        serde_json::json!({"authorization": "Bearer rcv-token-123", "x-team": "ops"})
    );
    let res = app
        .patch(
            &tenant.key,
            &format!("/v1/webhooks/{id}"),
            &serde_json::json!({"headers": {"x-new": "********"}}),
        )
        .await;
    let err = crate::helpers::assert_error(
        res,
        reqwest::StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(err["error"]["field"], "headers.x-new");

    // A row from before sealing: read as it is, and re-sealed when an API starts.
    let client = app.db.pool.get().await.expect("conn");
    client
        .execute(
            "UPDATE webhooks SET headers = '{\"authorization\": \"Bearer legacy\"}' WHERE id = $1",
            &[&uuid::Uuid::parse_str(&id).expect("uuid")],
        )
        .await
        .expect("legacy");
    let revealed = app
        .get_json(&tenant.key, &format!("/v1/webhooks/{id}/headers"))
        .await;
    assert_eq!(
        revealed["headers"],
        serde_json::json!({"authorization": "Bearer legacy"})
    );
    let second =
        Application::build(test_settings(&app.db.url), app.db.pool.clone()).expect("build");
    tokio::spawn(second.run_until_stopped());
    eventually(Duration::from_secs(10), "the headers re-sealed", || async {
        let stored = stored_headers().await;
        stored["authorization"]["sealed"].is_string().then_some(())
    })
    .await;
}
