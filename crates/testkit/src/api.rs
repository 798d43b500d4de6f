//! A thin client for a running hookrelay-api, for tests.

use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};

use crate::ADMIN_TOKEN;

/// Talks to the API at `address`.
#[derive(Clone)]
pub struct ApiClient {
    pub address: String,
    pub client: reqwest::Client,
}

/// A tenant created through the admin route.
pub struct Tenant {
    pub key: String,
}

impl ApiClient {
    pub fn new(address: String) -> Self {
        Self {
            address,
            client: reqwest::Client::new(),
        }
    }

    pub fn req(&self, method: Method, path: &str, key: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{}", self.address, path))
            .bearer_auth(key)
    }

    pub async fn create_tenant(&self, name: &str) -> Tenant {
        let res = self
            .post(ADMIN_TOKEN, "/v1/tenants", &json!({ "name": name }))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let body: Value = res.json().await.expect("json");
        Tenant {
            key: body["api_key"]["key"].as_str().expect("key").to_string(),
        }
    }

    pub async fn post(&self, key: &str, path: &str, body: &Value) -> Response {
        self.send_json(Method::POST, key, path, body).await
    }

    pub async fn patch(&self, key: &str, path: &str, body: &Value) -> Response {
        self.send_json(Method::PATCH, key, path, body).await
    }

    async fn send_json(&self, method: Method, key: &str, path: &str, body: &Value) -> Response {
        self.req(method, path, key)
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

    /// GET that must answer 200; returns the JSON body.
    pub async fn get_json(&self, key: &str, path: &str) -> Value {
        let res = self.get(key, path).await;
        assert_eq!(res.status(), StatusCode::OK, "GET {path}");
        res.json().await.expect("json")
    }

    pub async fn create_webhook(&self, key: &str, body: Value) -> Value {
        let res = self.post(key, "/v1/webhooks", &body).await;
        assert_eq!(res.status(), StatusCode::CREATED, "{:?}", res.text().await);
        res.json().await.expect("json")
    }

    /// Publishes an event; returns its id.
    pub async fn send_event(&self, key: &str, event_type: &str, data: Value) -> String {
        let res = self
            .post(
                key,
                "/v1/events",
                &json!({"event_type": event_type, "data": data}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::ACCEPTED, "{:?}", res.text().await);
        let body: Value = res.json().await.expect("json");
        body["id"].as_str().expect("id").to_string()
    }
}
