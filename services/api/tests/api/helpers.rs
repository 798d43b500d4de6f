use hookrelay_api::startup::Application;
use hookrelay_core::configuration::Settings;
use hookrelay_testkit::{test_settings, TestDb, ADMIN_TOKEN};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};

pub struct TestApp {
    pub address: String,
    pub db: TestDb,
    pub client: reqwest::Client,
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
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        db,
        client: reqwest::Client::new(),
    }
}

/// A tenant created through the admin route.
pub struct Tenant {
    pub key: String,
}

impl TestApp {
    pub fn req(&self, method: Method, path: &str, key: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{}", self.address, path))
            .bearer_auth(key)
    }

    pub async fn create_tenant(&self, name: &str) -> Tenant {
        let res = self
            .req(Method::POST, "/v1/tenants", ADMIN_TOKEN)
            .json(&json!({ "name": name }))
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), StatusCode::CREATED);
        let body: Value = res.json().await.expect("json");
        Tenant {
            key: body["api_key"]["key"].as_str().expect("key").to_string(),
        }
    }

    pub async fn post(&self, key: &str, path: &str, body: &Value) -> Response {
        self.req(Method::POST, path, key)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn get(&self, key: &str, path: &str) -> Response {
        self.req(Method::GET, path, key)
            .send()
            .await
            .expect("request")
    }

    pub async fn create_webhook(&self, key: &str, body: Value) -> Value {
        let res = self.post(key, "/v1/webhooks", &body).await;
        assert_eq!(res.status(), StatusCode::CREATED, "{:?}", res.text().await);
        res.json().await.expect("json")
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
