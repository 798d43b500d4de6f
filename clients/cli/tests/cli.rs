//! The `hookrelay` binary against a real API (PostgreSQL, RabbitMQ) and a real receiver:
//! what it prints, and the exit codes scripts rely on.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use hookrelay_api::startup::Application;
use hookrelay_testkit::api::ApiClient;
use hookrelay_testkit::receiver::{Receiver, Reply};
use hookrelay_testkit::{test_settings, TestDb};
use serde_json::Value;

struct Env {
    url: String,
    key: String,
    _db: TestDb,
}

async fn api() -> Env {
    let db = TestDb::create().await;
    let app = Application::build(test_settings(&db.url), db.pool.clone()).expect("build api");
    let url = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let key = ApiClient::new(url.clone()).create_tenant("cli").await.key;
    Env { url, key, _db: db }
}

impl Env {
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_hookrelay"));
        c.args(args)
            .env("HOOKRELAY_API_URL", &self.url)
            .env("HOOKRELAY_TOKEN", &self.key);
        c
    }

    /// Runs the CLI to its end (off the runtime's thread: the API runs on it).
    async fn run(&self, args: &[&str]) -> Output {
        let mut c = self.command(args);
        tokio::task::spawn_blocking(move || c.output().expect("the CLI runs"))
            .await
            .expect("joined")
    }

    async fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run(&all).await;
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("JSON output")
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test]
async fn webhooks_events_and_deliveries_from_the_command_line() {
    let env = api().await;
    let rx = Receiver::start().await;
    let created = env
        .json(&[
            "webhooks",
            "create",
            "--name",
            "orders",
            "--url",
            &rx.url,
            "--event-type",
            "order.*",
        ])
        .await;
    let id = created["id"].as_str().expect("id").to_string();
    assert!(created["secret"]
        .as_str()
        .expect("secret")
        .starts_with("whsec_"));

    let list = env.run(&["webhooks", "list"]).await;
    assert!(list.status.success());
    assert!(
        stdout(&list).contains("orders") && stdout(&list).contains("order.*"),
        "{}",
        stdout(&list)
    );
    let found = env.json(&["webhooks", "list", "--search", "ORD"]).await;
    assert_eq!(found.as_array().map(Vec::len), Some(1));

    let event = env
        .json(&[
            "events",
            "send",
            "order.created",
            r#"{"id": 1}"#,
            "--idempotency-key",
            "k-1",
        ])
        .await;
    let again = env
        .json(&[
            "events",
            "send",
            "order.created",
            r#"{"id": 1}"#,
            "--idempotency-key",
            "k-1",
        ])
        .await;
    assert_eq!(event["id"], again["id"], "the idempotency key is sent");
    let deliveries = env.json(&["deliveries", "list", "--webhook", &id]).await;
    assert_eq!(deliveries[0]["event_id"], event["id"]);
    assert_eq!(deliveries[0]["event_type"], "order.created");

    let got = env
        .run(&[
            "webhooks",
            "test",
            &id,
            "--event-type",
            "order.created",
            "--payload",
            r#"{"n": 7}"#,
        ])
        .await;
    assert!(got.status.success(), "{}", stderr(&got));
    assert_eq!(
        rx.wait_for(1, Duration::from_secs(10)).await[0].json()["data"]["n"],
        7
    );

    let updated = env
        .json(&["webhooks", "update", &id, "--disable", "--name", "paused"])
        .await;
    assert_eq!(
        (updated["enabled"].clone(), updated["name"].clone()),
        (Value::Bool(false), "paused".into())
    );
    let replay = env.run(&["replay", &id, "--since", "1h"]).await;
    assert!(replay.status.success(), "{}", stderr(&replay));
    assert!(stdout(&replay).contains("completed"), "{}", stdout(&replay));
    let deleted = env.run(&["webhooks", "delete", &id]).await;
    assert!(deleted.status.success());
}

#[tokio::test]
async fn exit_codes_say_what_went_wrong() {
    let env = api().await;
    // 1: the API refused, with its code and field.
    let missing = env
        .run(&["webhooks", "get", "00000000-0000-0000-0000-000000000000"])
        .await;
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("not_found"),
        "{}",
        stderr(&missing)
    );
    let invalid = env
        .run(&[
            "webhooks",
            "create",
            "--name",
            "x",
            "--url",
            "ftp://nope",
            "--event-type",
            "a",
        ])
        .await;
    assert_eq!(invalid.status.code(), Some(1));
    assert!(
        stderr(&invalid).contains("(field url)"),
        "{}",
        stderr(&invalid)
    );
    let mut bad_key = env.command(&["webhooks", "list"]);
    bad_key.env("HOOKRELAY_TOKEN", "hr_wrong");
    let out = tokio::task::spawn_blocking(move || bad_key.output().expect("runs"))
        .await
        .expect("joined");
    assert_eq!(out.status.code(), Some(1));
    // 2: bad usage.
    assert_eq!(
        env.run(&["webhooks", "frobnicate"]).await.status.code(),
        Some(2)
    );
    // 3: nothing answers.
    let mut down = env.command(&["webhooks", "list"]);
    down.env(
        "HOOKRELAY_API_URL",
        format!("http://127.0.0.1:{}", hookrelay_testkit::free_port()),
    );
    let out = tokio::task::spawn_blocking(move || down.output().expect("runs"))
        .await
        .expect("joined");
    assert_eq!(out.status.code(), Some(3));
    // 5: done, and the outcome is a failure: the receiver refused the test.
    let rx = Receiver::start().await;
    rx.always(Reply::status(500));
    let created = env
        .json(&[
            "webhooks",
            "create",
            "--name",
            "down",
            "--url",
            &rx.url,
            "--event-type",
            "a.b",
        ])
        .await;
    let test = env
        .run(&["webhooks", "test", created["id"].as_str().expect("id")])
        .await;
    assert_eq!(test.status.code(), Some(5), "{}", stderr(&test));
}

#[tokio::test]
async fn tail_prints_each_attempt_as_it_happens() {
    let env = api().await;
    let rx = Receiver::start().await;
    let created = env
        .json(&[
            "webhooks",
            "create",
            "--name",
            "live",
            "--url",
            &rx.url,
            "--event-type",
            "order.*",
        ])
        .await;
    let id = created["id"].as_str().expect("id").to_string();
    let mut tail = env
        .command(&["--json", "tail", &id])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("tail starts");
    let stdout = tail.stdout.take().expect("stdout");
    let (lines_tx, mut lines) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    // Test sends until one shows (the first may go out before tail is following).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let line = loop {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no line from tail within 30 s"
        );
        let _ = env
            .run(&["webhooks", "test", &id, "--event-type", "order.shipped"])
            .await;
        if let Ok(Some(line)) = tokio::time::timeout(Duration::from_secs(3), lines.recv()).await {
            break line;
        }
    };
    let entry: Value = serde_json::from_str(&line).expect("a JSON line");
    assert_eq!(entry["event_type"], "order.shipped");
    assert_eq!(entry["response_code"], 200);
    tail.kill().expect("stop tail");
    let _ = tail.wait();
}
