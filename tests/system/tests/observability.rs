//! Metrics, trace propagation and readiness of the three real binaries, each its own
//! process (so each /metrics is that service's own).

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use hookrelay_testkit::api::ApiClient;
use hookrelay_testkit::receiver::{Receiver, Reply};
use hookrelay_testkit::{eventually, free_port, test_settings, TcpProxy, TestDb, ADMIN_TOKEN};
use reqwest::StatusCode;
use secrecy::ExposeSecret;
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(30);

fn binary(name: &str) -> PathBuf {
    // The workspace's binaries land in the profile directory, the parent of this test's
    // `deps/`. `make test` builds them first (`cargo build --workspace --bins`): a cold
    // `cargo test` does not build a binary whose package has no integration test.
    let exe = std::env::current_exe().expect("the test's own path");
    let profile = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps/<test>");
    profile.join(name)
}

/// One running binary; killed when dropped.
struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Env {
    vars: Vec<(String, String)>,
}

impl Env {
    fn new(db_url: &str, amqp_url: &str, prefix: &str) -> Env {
        let vars = [
            ("HOOKRELAY__DATABASE__URL", db_url),
            ("HOOKRELAY__AMQP__URL", amqp_url),
            ("HOOKRELAY__AMQP__PREFIX", prefix),
            ("HOOKRELAY__API__ADMIN_TOKEN", ADMIN_TOKEN),
            ("HOOKRELAY__API__CALLBACK_TOKEN_KEY", "observability-test"),
            (
                "HOOKRELAY__SECRETS__KEYS",
                hookrelay_testkit::TEST_SECRETS_KEY,
            ),
            ("HOOKRELAY__DELIVERY__ALLOW_PRIVATE_TARGETS", "true"),
            ("HOOKRELAY__DELIVERY__RETRY_SCHEDULE_SECS", "1,1,1"),
            ("HOOKRELAY__TELEMETRY__LOG_FORMAT", "json"),
            ("HOOKRELAY__TELEMETRY__LOG_LEVEL", "info"),
        ];
        Env {
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    fn spawn(&self, bin: &str, extra: &[(&str, String)], log: &PathBuf) -> Service {
        let out = std::fs::File::create(log).expect("log file");
        let mut cmd = Command::new(binary(bin));
        cmd.env_remove("HOOKRELAY_CONFIG")
            .env_remove("RUST_LOG")
            .envs(self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .envs(extra.iter().map(|(k, v)| (*k, v.as_str())))
            .stdout(Stdio::from(out))
            .stderr(Stdio::null());
        Service(
            cmd.spawn()
                .unwrap_or_else(|e| panic!("spawn {bin}: {e} (build it: `cargo build --workspace --bins`, as `make test` does)")),
        )
    }
}

/// The three real binaries, ready; killed when dropped.
struct Running {
    api_url: String,
    disp_url: String,
    ing_url: String,
    /// The API's and the ingester's ops ports (`/metrics` is only there).
    api_ops_url: String,
    ing_ops_url: String,
    api_log: PathBuf,
    _services: [Service; 3],
}

impl Env {
    /// Starts API, dispatcher and ingester on free ports (logs in a temp dir named after
    /// `label`) and waits until each is ready.
    async fn start_all(&self, label: &str) -> Running {
        let (api_port, disp_port, ing_port) = (free_port(), free_port(), free_port());
        let (api_ops_port, ing_ops_port) = (free_port(), free_port());
        let dir = std::env::temp_dir().join(format!("hookrelay-{label}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("log dir");
        let api_log = dir.join("api.log");
        let ing_url = format!("http://127.0.0.1:{ing_port}");
        let services = [
            self.spawn(
                "hookrelay-api",
                &[
                    ("HOOKRELAY__API__LISTEN", format!("127.0.0.1:{api_port}")),
                    (
                        "HOOKRELAY__API__OPS_LISTEN",
                        format!("127.0.0.1:{api_ops_port}"),
                    ),
                    ("HOOKRELAY__INGESTER__PUBLIC_BASE_URL", ing_url.clone()),
                ],
                &api_log,
            ),
            self.spawn(
                "hookrelay-dispatcher",
                &[(
                    "HOOKRELAY__DISPATCHER__LISTEN",
                    format!("127.0.0.1:{disp_port}"),
                )],
                &dir.join("dispatcher.log"),
            ),
            self.spawn(
                "hookrelay-ingester",
                &[
                    (
                        "HOOKRELAY__INGESTER__LISTEN",
                        format!("127.0.0.1:{ing_port}"),
                    ),
                    (
                        "HOOKRELAY__INGESTER__OPS_LISTEN",
                        format!("127.0.0.1:{ing_ops_port}"),
                    ),
                ],
                &dir.join("ingester.log"),
            ),
        ];
        let running = Running {
            api_url: format!("http://127.0.0.1:{api_port}"),
            disp_url: format!("http://127.0.0.1:{disp_port}"),
            ing_url,
            api_ops_url: format!("http://127.0.0.1:{api_ops_port}"),
            ing_ops_url: format!("http://127.0.0.1:{ing_ops_port}"),
            api_log,
            _services: services,
        };
        for base in [
            &running.api_url,
            &running.disp_url,
            &running.ing_url,
            &running.api_ops_url,
            &running.ing_ops_url,
        ] {
            wait_status(&format!("{base}/readyz"), 200).await;
            assert_eq!(status(&format!("{base}/healthz")).await, Some(200));
        }
        // Tenants reach the public ports: what the installation carries is not theirs.
        for base in [&running.api_url, &running.ing_url] {
            assert_eq!(
                status(&format!("{base}/metrics")).await,
                Some(404),
                "{base}"
            );
        }
        running
    }
}

async fn status(url: &str) -> Option<u16> {
    reqwest::get(url).await.ok().map(|r| r.status().as_u16())
}

async fn wait_status(url: &str, want: u16) {
    eventually(WAIT, &format!("{url} answers {want}"), || async {
        (status(url).await == Some(want)).then_some(())
    })
    .await;
}

/// Parses Prometheus text into `name{labels}` -> value.
async fn scrape(base: &str) -> HashMap<String, f64> {
    let text = reqwest::get(format!("{base}/metrics"))
        .await
        .expect("scrape")
        .text()
        .await
        .expect("text");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            Some((series.to_string(), value.parse().ok()?))
        })
        .collect()
}

/// Sum of every series of `name` whose labels contain all of `labels`.
fn total(m: &HashMap<String, f64>, name: &str, labels: &[&str]) -> f64 {
    m.iter()
        .filter(|(k, _)| {
            let (n, rest) = k.split_once('{').unwrap_or((k.as_str(), ""));
            n == name && labels.iter().all(|l| rest.contains(l))
        })
        .map(|(_, v)| v)
        .sum()
}

#[tokio::test]
async fn metrics_traces_and_readiness_of_the_real_services() {
    let db = TestDb::create().await;
    let defaults = test_settings(&db.url);
    let pg_proxy = TcpProxy::start("127.0.0.1:5432").await;
    let amqp_proxy = TcpProxy::start("127.0.0.1:5672").await;
    let db_url = db
        .url
        .replace("127.0.0.1:5432", &format!("127.0.0.1:{}", pg_proxy.port));
    let amqp_url = defaults
        .amqp
        .url
        .expose_secret()
        .replace("127.0.0.1:5672", &format!("127.0.0.1:{}", amqp_proxy.port));
    let env = Env::new(&db_url, &amqp_url, &defaults.amqp.prefix);
    let running = env.start_all("obs").await;
    let (api_url, disp_url, ing_url, api_log) = (
        running.api_url.clone(),
        running.disp_url.clone(),
        running.ing_url.clone(),
        running.api_log.clone(),
    );
    let (api_ops, ing_ops) = (running.api_ops_url.clone(), running.ing_ops_url.clone());

    let api = ApiClient::new(api_url.clone());
    let key = api.create_tenant("obs").await.key;
    let rx = Receiver::start().await;
    rx.script([Reply::status(500)]);
    api.create_webhook(
        &key,
        json!({"name": "obs", "url": rx.url, "event_types": ["*"]}),
    )
    .await;
    let api_before = scrape(&api_ops).await;
    let disp_before = scrape(&disp_url).await;

    // Three events: one with the caller's trace context, two with none.
    let trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    let res = api
        .req(reqwest::Method::POST, "/v1/events", &key)
        .header("traceparent", format!("00-{trace}-00f067aa0ba902b7-01"))
        .json(&json!({"event_type": "obs.one", "data": {}}))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let traced: Value = res.json().await.expect("json");
    let mut events = vec![traced["id"].as_str().expect("id").to_string()];
    for _ in 0..2 {
        events.push(api.send_event(&key, "obs.two", json!({})).await);
    }
    let got = rx.wait_for(4, WAIT).await; // one first attempt failed and was retried
    eventually(WAIT, "dispatcher recorded everything", || async {
        let m = scrape(&disp_url).await;
        (total(
            &m,
            "hookrelay_deliveries_finished_total",
            &["outcome=\"succeeded\""],
        ) - total(
            &disp_before,
            "hookrelay_deliveries_finished_total",
            &["outcome=\"succeeded\""],
        ) == 3.0)
            .then_some(())
    })
    .await;
    let api_after = scrape(&api_ops).await;
    let disp_after = scrape(&disp_url).await;
    let moved =
        |after: &HashMap<String, f64>,
         before: &HashMap<String, f64>,
         name: &str,
         labels: &[&str]| { total(after, name, labels) - total(before, name, labels) };
    assert_eq!(
        moved(
            &api_after,
            &api_before,
            "hookrelay_events_accepted_total",
            &[]
        ),
        3.0
    );
    assert_eq!(
        moved(
            &api_after,
            &api_before,
            "hookrelay_http_requests_total",
            &["route=\"/v1/events\"", "method=\"POST\"", "status=\"202\""]
        ),
        3.0
    );
    assert_eq!(
        moved(
            &api_after,
            &api_before,
            "hookrelay_http_request_duration_seconds_count",
            &["route=\"/v1/events\""]
        ),
        3.0
    );
    assert_eq!(
        moved(
            &disp_after,
            &disp_before,
            "hookrelay_attempts_total",
            &["result=\"2xx\""]
        ),
        3.0
    );
    assert_eq!(
        moved(
            &disp_after,
            &disp_before,
            "hookrelay_attempts_total",
            &["result=\"5xx\""]
        ),
        1.0
    );
    assert_eq!(
        moved(
            &disp_after,
            &disp_before,
            "hookrelay_attempt_duration_seconds_count",
            &[]
        ),
        4.0
    );
    assert_eq!(
        moved(
            &disp_after,
            &disp_before,
            "hookrelay_retries_scheduled_total",
            &["delay=\"1s\""]
        ),
        1.0
    );
    assert_eq!(
        moved(
            &disp_after,
            &disp_before,
            "hookrelay_delivery_end_to_end_seconds_count",
            &[]
        ),
        3.0
    );
    assert!(
        total(
            &disp_after,
            "hookrelay_build_info",
            &["service=\"dispatcher\""]
        ) == 1.0
    );
    assert!(total(&api_after, "hookrelay_db_pool_size", &["service=\"api\""]) >= 1.0);

    // Trace context: the caller's trace reaches the receiver; for the others the trace id
    // the API logged for the event is the one the receiver sees.
    let trace_of = |event: &str| {
        got.iter()
            .find(|r| r.header("webhook-id") == Some(event))
            .and_then(|r| r.header("traceparent"))
            .map(|tp| tp.split('-').nth(1).expect("trace id").to_string())
            .expect("traceparent at the receiver")
    };
    assert_eq!(trace_of(&events[0]), trace);
    let log = std::fs::read_to_string(&api_log).expect("api log");
    for event in &events[1..] {
        let logged = log
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .find(|l| l["event_id"] == event.as_str())
            .unwrap_or_else(|| panic!("API logged no line for {event}"));
        assert_eq!(logged["trace_id"].as_str(), Some(trace_of(event).as_str()));
    }

    // A callback, so the ingester's counters move too.
    let post: Value = api
        .post(&key, "/v1/posts", &json!({"channel_identifier": "@observed", "post_text_idea": "x", "scheduled_at_utc": "2025-10-28 14:30:00"}))
        .await
        .json()
        .await
        .expect("json");
    let token_url = api.get_json(&key, "/v1/callback-url").await["url"]
        .as_str()
        .expect("url")
        .to_string();
    let token = token_url.rsplit('/').next().expect("token");
    let res = reqwest::Client::new()
        .post(format!("{ing_url}/v1/callbacks/{token}"))
        .json(&json!({"post_id": post["post_id"], "status": "published"}))
        .send()
        .await
        .expect("callback");
    assert_eq!(res.status(), StatusCode::OK);
    let ing = scrape(&ing_ops).await;
    assert_eq!(
        total(
            &ing,
            "hookrelay_callbacks_total",
            &["outcome=\"accepted\"", "reason=\"applied\""]
        ),
        1.0
    );

    // Every metric the alert rules and the dashboard use is exported.
    let mut exported = BTreeSet::new();
    for m in [&api_after, &disp_after, &ing] {
        for k in m.keys() {
            let name = k.split('{').next().expect("name");
            let base = ["_bucket", "_sum", "_count"]
                .iter()
                .fold(name, |n, s| n.strip_suffix(s).unwrap_or(n));
            exported.insert(base.to_string());
        }
    }
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    for file in [
        "deploy/prometheus/alerts.yml",
        "deploy/grafana/dashboards/hookrelay.json",
    ] {
        let text = std::fs::read_to_string(format!("{root}/{file}")).expect("read");
        let mut used = BTreeSet::new();
        for (i, _) in text.match_indices("hookrelay_") {
            let name: String = text[i..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let base = ["_bucket", "_sum", "_count"]
                .iter()
                .fold(name.as_str(), |n, s| n.strip_suffix(s).unwrap_or(n));
            used.insert(base.to_string());
        }
        assert!(!used.is_empty());
        let missing: Vec<_> = used.difference(&exported).collect();
        assert!(
            missing.is_empty(),
            "{file} uses metrics no service exports: {missing:?}"
        );
    }

    // Readiness follows the dependencies: cut PostgreSQL, then RabbitMQ, and back.
    pg_proxy.cut();
    for base in [&api_url, &disp_url, &ing_url] {
        wait_status(&format!("{base}/readyz"), 503).await;
    }
    pg_proxy.restore().await;
    for base in [&api_url, &disp_url, &ing_url] {
        wait_status(&format!("{base}/readyz"), 200).await;
    }
    amqp_proxy.cut();
    wait_status(&format!("{disp_url}/readyz"), 503).await;
    amqp_proxy.restore().await;
    wait_status(&format!("{disp_url}/readyz"), 200).await;
    assert_eq!(status(&format!("{api_url}/healthz")).await, Some(200));
}

/// One exported span, as the OTLP/HTTP JSON body names it.
#[derive(Debug, Clone)]
struct ExportedSpan {
    service: String,
    name: String,
    trace_id: String,
    span_id: String,
    parent_span_id: String,
    linked_traces: Vec<String>,
}

/// Every span in the OTLP/HTTP JSON bodies the collector received.
fn exported_spans(collector: &Receiver) -> Vec<ExportedSpan> {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let mut spans = Vec::new();
    for request in collector.received() {
        assert_eq!(request.path, "/v1/traces");
        let body = request.json();
        for resource in body["resourceSpans"].as_array().into_iter().flatten() {
            let service = resource["resource"]["attributes"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|a| a["key"] == "service.name")
                .map(|a| text(&a["value"]["stringValue"]))
                .unwrap_or_default();
            for scope in resource["scopeSpans"].as_array().into_iter().flatten() {
                for span in scope["spans"].as_array().into_iter().flatten() {
                    spans.push(ExportedSpan {
                        service: service.clone(),
                        name: text(&span["name"]),
                        trace_id: text(&span["traceId"]),
                        span_id: text(&span["spanId"]),
                        parent_span_id: text(&span["parentSpanId"]),
                        linked_traces: span["links"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|l| text(&l["traceId"]))
                            .collect(),
                    });
                }
            }
        }
    }
    spans
}

/// Waits until a span matching `pred` was exported, and returns it.
async fn exported(
    collector: &Receiver,
    what: &str,
    pred: impl Fn(&ExportedSpan) -> bool,
) -> ExportedSpan {
    eventually(WAIT, what, || async {
        exported_spans(collector).into_iter().find(|s| pred(s))
    })
    .await
}

/// The `(trace id, span id)` of a `traceparent` header.
fn ids(traceparent: &str) -> (String, String) {
    let parts: Vec<&str> = traceparent.split('-').collect();
    assert_eq!(parts.len(), 4, "traceparent {traceparent}");
    (parts[1].to_string(), parts[2].to_string())
}

#[tokio::test]
async fn spans_are_exported_over_otlp_and_form_one_trace_per_event() {
    let db = TestDb::create().await;
    let defaults = test_settings(&db.url);
    let collector = Receiver::start().await;
    let mut env = Env::new(
        &db.url,
        defaults.amqp.url.expose_secret(),
        &defaults.amqp.prefix,
    );
    for (k, v) in [
        (
            "HOOKRELAY__TELEMETRY__OTLP_ENDPOINT",
            collector.url.as_str(),
        ),
        ("HOOKRELAY__TELEMETRY__OTLP_PROTOCOL", "http/json"),
        // Export every 100 ms instead of every 5 s.
        ("OTEL_BSP_SCHEDULE_DELAY", "100"),
    ] {
        env.vars.push((k.to_string(), v.to_string()));
    }
    let running = env.start_all("otlp").await;
    let (api_url, api_log) = (running.api_url.clone(), running.api_log.clone());
    let api = ApiClient::new(api_url.clone());
    let key = api.create_tenant("otlp").await.key;
    let rx = Receiver::start().await;
    api.create_webhook(
        &key,
        json!({"name": "otlp", "url": rx.url, "event_types": ["*"]}),
    )
    .await;

    // An event sent inside the caller's trace.
    let caller_trace = "0af7651916cd43dd8448eb211c80319c";
    let caller_span = "b7ad6b7169203331";
    let res = api
        .req(reqwest::Method::POST, "/v1/events", &key)
        .header("traceparent", format!("00-{caller_trace}-{caller_span}-01"))
        .json(&json!({"event_type": "otlp.one", "data": {"n": 1}}))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let got = rx.wait_for(1, WAIT).await;
    let (trace, post_span) = ids(got[0].header("traceparent").expect("traceparent"));
    assert_eq!(trace, caller_trace);

    // API request span: child of the caller's span; the event's insert is inside it.
    let request = exported(&collector, "the API request span", |s| {
        s.name == "POST /v1/events" && s.trace_id == caller_trace
    })
    .await;
    assert_eq!(request.service, "hookrelay-api");
    assert_eq!(request.parent_span_id, caller_span);
    exported(&collector, "the event insert span", |s| {
        s.name == "EventRepo::ingest_many" && s.parent_span_id == request.span_id
    })
    .await;
    // Dispatcher span: child of the request span, and the parent the receiver was told of.
    let delivery = exported(&collector, "the delivery span", |s| {
        s.name == "POST webhook" && s.span_id == post_span
    })
    .await;
    assert_eq!(delivery.service, "hookrelay-dispatcher");
    assert_eq!(delivery.trace_id, caller_trace);
    assert_eq!(delivery.parent_span_id, request.span_id);
    exported(&collector, "the dispatcher's context load span", |s| {
        s.name == "DeliveryRepo::load_for_dispatch" && s.parent_span_id == delivery.span_id
    })
    .await;
    // The API's log line for the event names the same trace and span.
    let log = std::fs::read_to_string(&api_log).expect("api log");
    let accepted: Value = log
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|l| l["message"] == "event accepted")
        .expect("an `event accepted` log line");
    assert_eq!(accepted["span"]["trace_id"], caller_trace);
    assert_eq!(accepted["span"]["span_id"], request.span_id.as_str());

    // A callback starts its own trace, linked to the trace of the post's scheduled event;
    // the status event it creates is delivered in the callback's trace.
    let res = api
        .post(
            &key,
            "/v1/posts",
            &json!({
                "channel_identifier": "@traced",
                "post_text_idea": "traced post",
                "scheduled_at_utc": "2030-01-01 09:00:00"
            }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let post_id = res.json::<Value>().await.expect("json")["post_id"]
        .as_i64()
        .expect("post id");
    let got = rx.wait_for(2, WAIT).await;
    let (scheduled_trace, _) = ids(got[1].header("traceparent").expect("traceparent"));
    let callback_url = api.get_json(&key, "/v1/callback-url").await["url"]
        .as_str()
        .expect("url")
        .to_string();
    let res = reqwest::Client::new()
        .post(&callback_url)
        .json(&json!({"post_id": post_id, "status": "published"}))
        .send()
        .await
        .expect("callback");
    assert_eq!(res.status(), StatusCode::OK);
    let got = rx.wait_for(3, WAIT).await;
    assert_eq!(got[2].json()["event"], "post.published");
    let (published_trace, _) = ids(got[2].header("traceparent").expect("traceparent"));
    assert_ne!(published_trace, scheduled_trace);
    let callback = exported(&collector, "the callback span", |s| {
        s.name == "POST /v1/callbacks/{token}" && s.trace_id == published_trace
    })
    .await;
    assert_eq!(callback.service, "hookrelay-ingester");
    assert_eq!(callback.linked_traces, vec![scheduled_trace]);
    exported(&collector, "the status event's insert span", |s| {
        s.name == "EventRepo::ingest_many" && s.trace_id == published_trace
    })
    .await;
}
