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
