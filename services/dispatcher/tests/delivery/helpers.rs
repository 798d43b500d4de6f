use std::ops::Deref;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use hookrelay_api::startup::Application;
use hookrelay_core::configuration::{AmqpSettings, Settings};
use hookrelay_dispatcher::startup::Dispatcher;
use hookrelay_testkit::api::ApiClient;
use hookrelay_testkit::{eventually, test_settings, TestDb};
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

/// An API, optionally a dispatcher, a tenant, against one fresh database and AMQP prefix.
pub struct Stack {
    pub api: ApiClient,
    pub db: TestDb,
    pub settings: Settings,
    pub key: String,
    dispatcher_stops: Vec<CancellationToken>,
}

impl Deref for Stack {
    type Target = ApiClient;
    fn deref(&self) -> &ApiClient {
        &self.api
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        for stop in &self.dispatcher_stops {
            stop.cancel();
        }
    }
}

/// Starts the API (with `customise`d settings) and a dispatcher with the same settings.
pub async fn stack(customise: impl FnOnce(&mut Settings)) -> Stack {
    let mut s = api_only(customise).await;
    s.start_dispatcher();
    s
}

/// Starts only the API.
pub async fn api_only(customise: impl FnOnce(&mut Settings)) -> Stack {
    let db = TestDb::create().await;
    let mut settings = test_settings(&db.url);
    customise(&mut settings);
    let app = Application::build(settings.clone(), db.pool.clone()).expect("build api");
    let api = ApiClient::new(format!("http://127.0.0.1:{}", app.port()));
    tokio::spawn(app.run_until_stopped());
    let key = api.create_tenant("acme").await.key;
    Stack {
        api,
        db,
        settings,
        key,
        dispatcher_stops: Vec::new(),
    }
}

impl Stack {
    /// Starts an in-process dispatcher with this stack's settings.
    pub fn start_dispatcher(&mut self) {
        self.start_dispatcher_with(|_| {});
    }

    /// Starts another in-process dispatcher (with `customise`d settings); every one is
    /// stopped with the stack.
    pub fn start_dispatcher_with(&mut self, customise: impl FnOnce(&mut Settings)) {
        let mut settings = self.settings.clone();
        customise(&mut settings);
        let stop = CancellationToken::new();
        Dispatcher::start(settings, self.db.pool.clone(), stop.clone()).expect("start dispatcher");
        self.dispatcher_stops.push(stop);
    }

    /// Creates a webhook to `url`; returns (id, secret).
    pub async fn webhook(&self, url: &str, event_types: Value, extra: Value) -> (String, String) {
        let mut body = json!({"name": "hook", "url": url, "event_types": event_types});
        for (k, v) in extra.as_object().expect("object") {
            body[k] = v.clone();
        }
        let created = self.create_webhook(&self.key, body).await;
        (
            created["id"].as_str().expect("id").to_string(),
            created["secret"].as_str().expect("secret").to_string(),
        )
    }

    pub async fn event(&self, id: &str) -> Value {
        self.get_json(&self.key, &format!("/v1/events/{id}")).await
    }

    /// Waits until every delivery of the event is finished; returns the event detail.
    pub async fn wait_finished(&self, event_id: &str, timeout: Duration) -> Value {
        self.wait_finished_as(&self.key, event_id, timeout).await
    }

    /// [`Stack::wait_finished`] for an event of the tenant of `key`.
    pub async fn wait_finished_as(&self, key: &str, event_id: &str, timeout: Duration) -> Value {
        eventually(timeout, "all deliveries finished", || async {
            let e = self.get_json(key, &format!("/v1/events/{event_id}")).await;
            let done = e["deliveries"]
                .as_array()
                .expect("deliveries")
                .iter()
                .all(|d| d["status"] != "pending");
            done.then_some(e)
        })
        .await
    }

    /// PATCHes `path` and returns the response.
    /// The API's `/readyz` status.
    pub async fn readiness(&self) -> reqwest::StatusCode {
        self.client
            .get(format!("{}/readyz", self.address))
            .send()
            .await
            .expect("readyz")
            .status()
    }

    pub async fn patch(&self, path: &str, body: &Value) -> reqwest::Response {
        self.api.patch(&self.key, path, body).await
    }

    pub async fn delivery(&self, id: &str) -> Value {
        self.get_json(&self.key, &format!("/v1/deliveries/{id}"))
            .await
    }
}

/// Verifies a received request with the independent `standardwebhooks` implementation.
pub fn verify_signature(secret: &str, r: &hookrelay_testkit::receiver::Received) {
    let mut headers = http::HeaderMap::new();
    for (k, v) in &r.headers {
        headers.append(
            http::HeaderName::from_bytes(k.as_bytes()).expect("name"),
            http::HeaderValue::from_str(v).expect("value"),
        );
    }
    standardwebhooks::Webhook::new(secret)
        .expect("secret accepted by standardwebhooks")
        .verify(&r.body, &headers)
        .expect("signature verifies");
}

/// A dispatcher process, killed when dropped (a failing test must not leave it running).
pub struct DispatcherProcess(Child);

impl DispatcherProcess {
    /// SIGKILL, and wait until it is gone.
    pub fn kill(&mut self) {
        self.0.kill().expect("kill");
        self.0.wait().expect("reap");
    }
}

impl Drop for DispatcherProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The dispatcher binary on the test's database and queues (same prefix and queue type).
pub fn spawn_dispatcher(db_url: &str, amqp: &AmqpSettings) -> DispatcherProcess {
    let child = Command::new(env!("CARGO_BIN_EXE_hookrelay-dispatcher"))
        .env("HOOKRELAY__DATABASE__URL", db_url)
        .env("HOOKRELAY__AMQP__PREFIX", &amqp.prefix)
        .env("HOOKRELAY__AMQP__QUEUE_TYPE", amqp.queue_type.as_str())
        .env("HOOKRELAY__AMQP__SHARDS", amqp.shards.to_string())
        // The same key the in-process API sealed the secrets with.
        .env(
            "HOOKRELAY__SECRETS__KEYS",
            hookrelay_testkit::TEST_SECRETS_KEY,
        )
        .env("HOOKRELAY__DISPATCHER__LISTEN", "127.0.0.1:0")
        .env("HOOKRELAY__DELIVERY__ALLOW_PRIVATE_TARGETS", "true")
        .env("HOOKRELAY__DELIVERY__RETRY_SCHEDULE_SECS", "1,1,1")
        .env("HOOKRELAY__TELEMETRY__LOG_LEVEL", "warn")
        .env_remove("HOOKRELAY_CONFIG")
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn dispatcher binary");
    DispatcherProcess(child)
}
