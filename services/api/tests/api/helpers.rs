use std::ops::Deref;

use hookrelay_api::startup::Application;
use hookrelay_core::configuration::Settings;
use hookrelay_testkit::api::ApiClient;
use hookrelay_testkit::{test_settings, TestDb};
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

pub struct TestApp {
    pub api: ApiClient,
    /// The ops port: `/healthz`, `/readyz`, `/metrics`.
    pub ops_address: String,
    pub db: TestDb,
}

impl Deref for TestApp {
    type Target = ApiClient;
    fn deref(&self) -> &ApiClient {
        &self.api
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(customise: impl FnOnce(&mut Settings)) -> TestApp {
    let db = TestDb::create().await;
    let mut settings = test_settings(&db.url);
    customise(&mut settings);
    let app = Application::build(settings, db.pool.clone()).expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let ops_address = format!("http://127.0.0.1:{}", app.ops_port());
    tokio::spawn(app.run_until_stopped());
    TestApp {
        api: ApiClient::new(address),
        ops_address,
        db,
    }
}

/// A minimal valid webhook body.
pub fn webhook_body(name: &str) -> Value {
    json!({
        "name": name,
        "url": "http://127.0.0.1:9/hook",
        "event_types": ["order.created"],
    })
}

/// Asserts a structured error with this status and code; returns the body.
pub async fn assert_error(res: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(res.status(), status);
    let body: Value = res.json().await.expect("error body is JSON");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
    body
}
