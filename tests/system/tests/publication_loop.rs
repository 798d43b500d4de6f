//! The n8n publication loop end to end: API, dispatcher and ingester against the real
//! PostgreSQL and RabbitMQ, with HTTP receivers on 127.0.0.1 playing the workflow.

use std::time::Duration;

use hookrelay_api::startup::Application as Api;
use hookrelay_dispatcher::startup::Dispatcher;
use hookrelay_ingester::startup::Application as Ingester;
use hookrelay_testkit::api::ApiClient;
use hookrelay_testkit::receiver::Receiver;
use hookrelay_testkit::{eventually, test_settings, TestDb};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

// Generous: late in a full `make test` the broker is slow to declare new queues.
const WAIT: Duration = Duration::from_secs(45);

struct Loop {
    api: ApiClient,
    ingester: String,
    /// The ingester's ops port (`/metrics`).
    ingester_ops: String,
    db: TestDb,
    key: String,
    _stop: tokio_util::sync::DropGuard,
}

async fn start() -> Loop {
    start_with(|_| {}).await
}

async fn start_with(customise: impl FnOnce(&mut hookrelay_core::configuration::Settings)) -> Loop {
    let db = TestDb::create().await;
    let mut settings = test_settings(&db.url);
    customise(&mut settings);
    let ingester = Ingester::build(&settings, db.pool.clone()).expect("ingester");
    let ingester_url = format!("http://127.0.0.1:{}", ingester.port());
    let ingester_ops = format!("http://127.0.0.1:{}", ingester.ops_port());
    tokio::spawn(ingester.run_until_stopped());
    settings.ingester.public_base_url = ingester_url.clone();
    let api = Api::build(settings.clone(), db.pool.clone()).expect("api");
    let api_client = ApiClient::new(format!("http://127.0.0.1:{}", api.port()));
    tokio::spawn(api.run_until_stopped());
    let stop = CancellationToken::new();
    Dispatcher::start(settings, db.pool.clone(), stop.clone()).expect("dispatcher");
    let key = api_client.create_tenant("crm").await.key;
    Loop {
        api: api_client,
        ingester: ingester_url,
        ingester_ops,
        db,
        key,
        _stop: stop.drop_guard(),
    }
}

impl Loop {
    async fn callback_url(&self) -> String {
        let v = self.api.get_json(&self.key, "/v1/callback-url").await;
        v["url"].as_str().expect("url").to_string()
    }

    async fn create_post(&self, key: &str) -> i64 {
        let res = self
            .api
            .post(
                key,
                "/v1/posts",
                &json!({
                    "channel_identifier": "@my_telegram_channel",
                    "post_text_idea": "A post about morning coffee",
                    "scheduled_at_utc": "2025-10-28 14:30:00"
                }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let body: Value = res.json().await.expect("json");
        assert_eq!(body["status"], "pending");
        body["post_id"].as_i64().expect("integer post_id")
    }

    async fn delete_post(&self, id: i64) -> reqwest::Response {
        self.api
            .req(
                reqwest::Method::DELETE,
                &format!("/v1/posts/{id}"),
                &self.key,
            )
            .send()
            .await
            .expect("delete")
    }

    async fn post_status(&self, id: i64) -> Value {
        self.api
            .get_json(&self.key, &format!("/v1/posts/{id}"))
            .await
    }
}

async fn callback(url: &str, body: Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(url)
        .json(&body)
        .send()
        .await
        .expect("callback")
}

/// The secret the signing tests give the callback URL.
const CALLBACK_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

impl Loop {
    /// The tenant's callback URL, now requiring callbacks signed with [`CALLBACK_SECRET`].
    async fn signed_callback_url(&self) -> String {
        let url = self.callback_url().await;
        self.api
            .patch(
                &self.key,
                "/v1/callback-url",
                &json!({"signing_secret": CALLBACK_SECRET}),
            )
            .await;
        url
    }
}

/// The hex HMAC-SHA256 of `msg` keyed with the secret's text, as n8n's Crypto node makes it.
fn n8n_hmac_hex(msg: &[u8]) -> String {
    hmac_sha256::HMAC::mac(msg, CALLBACK_SECRET.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// POSTs a JSON callback body with extra headers.
async fn callback_with(
    url: &str,
    body: Vec<u8>,
    headers: Vec<(&str, String)>,
) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json");
    for (name, value) in headers {
        req = req.header(name, value);
    }
    req.body(body).send().await.expect("send")
}

#[tokio::test]
async fn scheduling_a_post_and_reporting_it_published_closes_the_loop() {
    let l = start().await;
    let n8n = Receiver::start().await;
    let subscriber = Receiver::start().await;
    let created = l
        .api
        .create_webhook(
            &l.key,
            json!({"name": "n8n", "url": n8n.url, "event_types": ["new_post_scheduled"], "payload_format": "flat"}),
        )
        .await;
    let secret = created["secret"].as_str().expect("secret").to_string();
    l.api
        .create_webhook(
            &l.key,
            json!({"name": "crm", "url": subscriber.url, "event_types": ["post.*"]}),
        )
        .await;

    let post_id = l.create_post(&l.key).await;
    let got = n8n.wait_for(1, WAIT).await;
    let expected = format!(
        r#"{{"event":"new_post_scheduled","channel_identifier":"@my_telegram_channel","post_text_idea":"A post about morning coffee","scheduled_at_utc":"2025-10-28 14:30:00","post_id":{post_id}}}"#
    );
    assert_eq!(std::str::from_utf8(&got[0].body).expect("utf8"), expected);
    let mut headers = http::HeaderMap::new();
    for (k, v) in &got[0].headers {
        headers.append(
            http::HeaderName::from_bytes(k.as_bytes()).expect("h"),
            http::HeaderValue::from_str(v).expect("v"),
        );
    }
    standardwebhooks::Webhook::new(&secret)
        .expect("secret")
        .verify(&got[0].body, &headers)
        .expect("signature");

    // n8n reports back.
    let url = l.callback_url().await;
    assert!(url.starts_with(&format!("{}/v1/callbacks/cb_", l.ingester)));
    let res = callback(&url, json!({"post_id": post_id, "status": "published"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<Value>().await.expect("json"),
        json!({"post_id": post_id, "status": "published", "changed": true})
    );
    let post = l.post_status(post_id).await;
    assert_eq!(post["status"], "published");
    assert_eq!(post["callbacks"][0]["outcome"], "applied");

    let published = subscriber.wait_for(1, WAIT).await;
    let body = published[0].json();
    assert_eq!(body["event"], "post.published");
    let data = body["data"].as_object().expect("data");
    let keys: Vec<&String> = data.keys().collect();
    assert_eq!(
        keys,
        vec![
            "post_id",
            "status",
            "details",
            "channel_identifier",
            "post_text",
            "timestamp",
            "error_message"
        ]
    );
    assert_eq!(data["post_id"], post_id);
    assert_eq!(data["status"], "published");
    assert_eq!(data["details"], Value::Null);
    assert_eq!(data["channel_identifier"], "@my_telegram_channel");
    assert_eq!(data["post_text"], "A post about morning coffee");
    assert!(
        chrono::DateTime::parse_from_rfc3339(data["timestamp"].as_str().expect("time")).is_ok()
    );
    assert_eq!(data["error_message"], Value::Null);

    // Repeating it is an idempotent 200 with no second event; contradicting it is a 409.
    let res = callback(&url, json!({"post_id": post_id, "status": "published"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.expect("json")["changed"], false);
    let res = callback(
        &url,
        json!({"post_id": post_id, "status": "failed", "details": "late"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let events = l
        .api
        .get_json(&l.key, "/v1/events?event_type=post.published")
        .await;
    assert_eq!(events["items"].as_array().expect("items").len(), 1);
    let post = l.post_status(post_id).await;
    let outcomes: Vec<&str> = post["callbacks"]
        .as_array()
        .expect("cb")
        .iter()
        .map(|c| c["outcome"].as_str().expect("o"))
        .collect();
    assert_eq!(outcomes, ["applied", "duplicate", "conflict"]);
}

#[tokio::test]
async fn a_failure_report_carries_details_and_a_later_success_wins() {
    let l = start().await;
    let subscriber = Receiver::start().await;
    l.api
        .create_webhook(&l.key, json!({"name": "crm", "url": subscriber.url, "event_types": ["post.failed", "post.published"], "payload_format": "flat"}))
        .await;
    let post_id = l.create_post(&l.key).await;
    let url = l.callback_url().await;
    let res = callback(&url, json!({"post_id": post_id, "status": "failed", "details": "Telegram API error: Chat not found."})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let post = l.post_status(post_id).await;
    assert_eq!(post["status"], "failed");
    assert_eq!(post["details"], "Telegram API error: Chat not found.");
    let got = subscriber.wait_for(1, WAIT).await;
    let body = std::str::from_utf8(&got[0].body).expect("utf8");
    let prefix = format!(
        r#"{{"event":"post.failed","post_id":{post_id},"status":"failed","details":"Telegram API error: Chat not found.","channel_identifier":"@my_telegram_channel","post_text":"#
    );
    assert!(body.starts_with(&prefix), "{body}");
    assert!(
        body.ends_with(r#","error_message":"Telegram API error: Chat not found."}"#),
        "{body}"
    );
    // A retry succeeded: failed -> published.
    let res = callback(&url, json!({"post_id": post_id, "status": "published"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(l.post_status(post_id).await["status"], "published");
    let got = subscriber.wait_for(2, WAIT).await;
    assert!(got.iter().any(|r| r.json()["event"] == "post.published"));
}

#[tokio::test]
async fn bad_callbacks_are_refused_and_logged() {
    let l = start().await;
    let post_id = l.create_post(&l.key).await;
    let url = l.callback_url().await;
    let http = reqwest::Client::new();
    let raw = |body: &'static str, ct: &'static str| {
        let http = http.clone();
        let url = url.clone();
        async move {
            http.post(&url)
                .header("content-type", ct)
                .body(body)
                .send()
                .await
                .expect("send")
        }
    };
    let cases: Vec<(reqwest::Response, StatusCode, &str, Option<&str>)> = vec![
        (
            raw("{\"post_id\": 1,", "application/json").await,
            StatusCode::BAD_REQUEST,
            "malformed_json",
            None,
        ),
        (
            raw("post_id=1", "application/x-www-form-urlencoded").await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            None,
        ),
        (
            callback(&url, json!({"status": "published"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("post_id"),
        ),
        (
            callback(&url, json!({"post_id": "12", "status": "published"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("post_id"),
        ),
        (
            callback(&url, json!({"post_id": 1.5, "status": "published"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("post_id"),
        ),
        (
            callback(
                &url,
                json!({"post_id": post_id, "status": "failed", "details": "bad\u{0}byte"}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("details"),
        ),
        (
            callback(&url, json!({"post_id": post_id, "status": "done"})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("status"),
        ),
        (
            callback(
                &url,
                json!({"post_id": post_id, "status": "failed", "details": "x".repeat(4097)}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Some("details"),
        ),
        (
            callback(
                &url,
                json!({"post_id": post_id, "status": "failed", "details": "y".repeat(20000)}),
            )
            .await,
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            None,
        ),
        (
            callback(&url, json!({"post_id": 999_999, "status": "published"})).await,
            StatusCode::NOT_FOUND,
            "not_found",
            None,
        ),
    ];
    let n = cases.len();
    for (res, status, code, field) in cases {
        assert_eq!(res.status(), status);
        let body: Value = res.json().await.expect("json error");
        assert_eq!(body["error"]["code"], code, "{body}");
        if let Some(f) = field {
            assert_eq!(body["error"]["field"], f, "{body}");
        }
    }
    // Unknown token and another tenant's post answer the same 404.
    let unknown = callback(
        &format!("{}/v1/callbacks/cb_nope", l.ingester),
        json!({"post_id": post_id, "status": "published"}),
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let unknown: Value = unknown.json().await.expect("json");
    let other_key = l.api.create_tenant("other").await.key;
    // Post ids are per tenant: the other tenant's second post has a number this one lacks.
    l.create_post(&other_key).await;
    let other_post = l.create_post(&other_key).await;
    assert!(other_post > post_id);
    let foreign = callback(&url, json!({"post_id": other_post, "status": "published"})).await;
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
    assert_eq!(foreign.json::<Value>().await.expect("json"), unknown);
    assert_eq!(l.post_status(post_id).await["status"], "pending");
    // Every callback that reached the tenant's URL is logged.
    let client = l.db.pool.get().await.expect("conn");
    let logged: i64 = client
        .query_one("SELECT count(*) FROM callbacks", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(logged, i64::try_from(n + 1).expect("small"));
    let metrics = reqwest::get(format!("{}/metrics", l.ingester_ops))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(metrics.contains("hookrelay_callbacks_total"), "{metrics}");
}

#[tokio::test]
async fn rotation_retires_the_old_url_and_signing_is_enforced() {
    let l = start().await;
    let post_id = l.create_post(&l.key).await;
    let old = l.callback_url().await;
    assert_eq!(
        l.callback_url().await,
        old,
        "the URL is stable until rotated"
    );
    let rotated: Value = l
        .api
        .post(&l.key, "/v1/callback-url/rotate", &json!({}))
        .await
        .json()
        .await
        .expect("json");
    let new = rotated["url"].as_str().expect("url").to_string();
    assert_ne!(new, old);
    let token = new.rsplit('/').next().expect("token");
    assert!(token.len() >= 3 + 22, "token carries at least 128 bits");
    assert_eq!(
        callback(&old, json!({"post_id": post_id, "status": "failed"}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // The token itself is not stored.
    let client = l.db.pool.get().await.expect("conn");
    let hash: Vec<u8> = client
        .query_one("SELECT token_hash FROM callback_tokens", &[])
        .await
        .expect("row")
        .get(0);
    assert!(!String::from_utf8_lossy(&hash).contains(token));

    let secret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    let res = l
        .api
        .patch(
            &l.key,
            "/v1/callback-url",
            &json!({"signing_secret": secret}),
        )
        .await;
    assert_eq!(
        res.json::<Value>().await.expect("json")["signing_enabled"],
        true
    );
    // The callback signing secret is sealed at rest like webhook secrets.
    let stored: String =
        l.db.pool
            .get()
            .await
            .expect("conn")
            .query_one("SELECT signing_secret FROM callback_tokens", &[])
            .await
            .expect("row")
            .get(0);
    assert!(stored.starts_with("v1:test:") && !stored.contains("C2FVsBQIhrsc"));
    let body = json!({"post_id": post_id, "status": "published"});
    assert_eq!(
        callback(&new, body.clone()).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let bytes = serde_json::to_vec(&body).expect("json");
    let ts = chrono::Utc::now().timestamp();
    let sig = standardwebhooks::Webhook::new(secret)
        .expect("secret")
        .sign("msg_1", ts, &bytes)
        .expect("sign");
    let res = reqwest::Client::new()
        .post(&new)
        .header("content-type", "application/json")
        .header("webhook-id", "msg_1")
        .header("webhook-timestamp", ts.to_string())
        .header("webhook-signature", sig)
        .body(bytes)
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(l.post_status(post_id).await["status"], "published");
    let bad = l
        .api
        .patch(
            &l.key,
            "/v1/callback-url",
            &json!({"signing_secret": "nope"}),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn concurrent_duplicate_callbacks_change_the_post_once() {
    let l = start().await;
    let post_id = l.create_post(&l.key).await;
    let url = l.callback_url().await;
    let racers =
        (0..12).map(|_| callback(&url, json!({"post_id": post_id, "status": "published"})));
    let mut changed = 0;
    for res in futures::future::join_all(racers).await {
        assert_eq!(res.status(), StatusCode::OK);
        if res.json::<Value>().await.expect("json")["changed"] == true {
            changed += 1;
        }
    }
    assert_eq!(changed, 1);
    let events = l
        .api
        .get_json(&l.key, "/v1/events?event_type=post.published")
        .await;
    assert_eq!(events["items"].as_array().expect("items").len(), 1);
}

#[tokio::test]
async fn posts_are_validated_listed_and_isolated() {
    let l = start().await;
    for (body, field) in [
        (
            json!({"channel_identifier": "nochannel", "post_text_idea": "x", "scheduled_at_utc": "2025-10-28 14:30:00"}),
            "channel_identifier",
        ),
        (
            json!({"channel_identifier": "@my_telegram_channel", "post_text_idea": " ", "scheduled_at_utc": "2025-10-28 14:30:00"}),
            "post_text_idea",
        ),
        (
            json!({"channel_identifier": "@my_telegram_channel", "post_text_idea": "x", "scheduled_at_utc": "tomorrow"}),
            "scheduled_at_utc",
        ),
        (
            json!({"channel_identifier": "@my_telegram_channel", "post_text_idea": "x"}),
            "scheduled_at_utc",
        ),
    ] {
        let res = l.api.post(&l.key, "/v1/posts", &body).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            res.json::<Value>().await.expect("json")["error"]["field"],
            field
        );
    }
    let res = l
        .api
        .post(&l.key, "/v1/posts", &json!({"channel_identifier": "t.me/joinchat/AbC-123", "post_text_idea": "rfc", "scheduled_at_utc": "2025-10-28T16:30:00+02:00"}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let invite: Value = res.json().await.expect("json");
    assert_eq!(invite["scheduled_at_utc"], "2025-10-28 14:30:00");
    let mut ids = vec![invite["post_id"].as_i64().expect("id")];
    for _ in 0..4 {
        ids.push(l.create_post(&l.key).await);
    }
    let url = l.callback_url().await;
    callback(&url, json!({"post_id": ids[1], "status": "published"})).await;
    let published = l.api.get_json(&l.key, "/v1/posts?status=published").await;
    assert_eq!(published["items"].as_array().expect("items").len(), 1);
    let invites = l
        .api
        .get_json(&l.key, "/v1/posts?channel=t.me/joinchat/AbC-123")
        .await;
    assert_eq!(invites["items"].as_array().expect("items").len(), 1);
    let mut walked = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = l
            .api
            .get_json(&l.key, &format!("/v1/posts?limit=2{cursor}"))
            .await;
        walked.extend(
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|p| p["post_id"].as_i64().expect("id")),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    ids.reverse();
    assert_eq!(walked, ids);
    let other = l.api.create_tenant("other").await.key;
    assert_eq!(
        l.api
            .get(&other, &format!("/v1/posts/{}", ids[0]))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let res = l.api.get(&l.key, "/v1/posts?status=sent").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    eventually(WAIT, "post event recorded", || async {
        let e = l
            .api
            .get_json(&l.key, "/v1/events?event_type=new_post_scheduled")
            .await;
        (e["items"].as_array().map(Vec::len) == Some(5)).then_some(())
    })
    .await;
}

/// Seed 002: published, failed and deleted publications each reach a subscriber with the
/// post id, channel, post text, status, timestamp and error message.
#[tokio::test]
async fn seed_002_published_failed_and_deleted_reach_subscribers_with_every_field() {
    let l = start().await;
    let subscriber = Receiver::start().await;
    l.api
        .create_webhook(
            &l.key,
            json!({"name": "cms", "url": subscriber.url, "event_types": ["post.*"], "payload_format": "flat"}),
        )
        .await;
    let url = l.callback_url().await;
    let failed = l.create_post(&l.key).await;
    let res = callback(
        &url,
        json!({"post_id": failed, "status": "failed", "details": "Channel not found"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let published = l.create_post(&l.key).await;
    let res = callback(&url, json!({"post_id": published, "status": "published"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let deleted = l.create_post(&l.key).await;
    let res = l.delete_post(deleted).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<Value>().await.expect("json")["status"],
        "deleted"
    );

    let got = subscriber.wait_for(3, WAIT).await;
    let by_event = |name: &str| {
        got.iter()
            .map(|r| r.json())
            .find(|b| b["event"] == name)
            .unwrap_or_else(|| panic!("no {name}"))
    };
    for (event, post_id, status, error) in [
        ("post.failed", failed, "failed", json!("Channel not found")),
        ("post.published", published, "published", Value::Null),
        ("post.deleted", deleted, "deleted", Value::Null),
    ] {
        let b = by_event(event);
        assert_eq!(b["post_id"], post_id, "{event}");
        assert_eq!(b["channel_identifier"], "@my_telegram_channel", "{event}");
        assert_eq!(b["post_text"], "A post about morning coffee", "{event}");
        assert_eq!(b["status"], status, "{event}");
        assert!(
            chrono::DateTime::parse_from_rfc3339(b["timestamp"].as_str().expect("timestamp"))
                .is_ok(),
            "{event}"
        );
        assert_eq!(b["error_message"], error, "{event}");
    }

    // Deleting again changes nothing; a published post cannot be deleted; a deleted one
    // takes no report.
    let again = l.delete_post(deleted).await;
    assert_eq!(again.status(), StatusCode::OK);
    let res = l.delete_post(published).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let res = callback(&url, json!({"post_id": deleted, "status": "published"})).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let events = l
        .api
        .get_json(&l.key, "/v1/events?event_type=post.deleted")
        .await;
    assert_eq!(events["items"].as_array().expect("items").len(), 1);
}

#[tokio::test]
async fn posts_take_an_idempotency_key() {
    let l = start().await;
    let post = |key: &'static str| {
        l.api
            .req(reqwest::Method::POST, "/v1/posts", &l.key)
            .header("idempotency-key", key)
            .json(&json!({
                "channel_identifier": "@my_telegram_channel",
                "post_text_idea": "Once",
                "scheduled_at_utc": "2025-10-28 14:30:00"
            }))
            .send()
    };
    let first = post("post-1").await.expect("post");
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.expect("json");
    let again = post("post-1").await.expect("post");
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(
        again
            .headers()
            .get("idempotent-replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    let again: Value = again.json().await.expect("json");
    assert_eq!(again["post_id"], first["post_id"]);
    let other: Value = post("post-2")
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_ne!(other["post_id"], first["post_id"]);
    let events = l
        .api
        .get_json(&l.key, "/v1/events?event_type=new_post_scheduled")
        .await;
    assert_eq!(
        events["items"].as_array().expect("items").len(),
        2,
        "one event per post"
    );
}

/// Issue 15, finding 2: callbacks are limited per callback URL, and an address sending
/// unknown tokens is refused after a few.
#[tokio::test]
async fn callbacks_are_rate_limited_per_url_and_token_guessing_is_refused() {
    let l = start_with(|s| {
        // A bucket of 2 refilled once a second (not every half second).
        s.limits.callbacks_per_second_per_url = 1;
        s.limits.burst_secs = 2;
        s.limits.failed_auth_per_minute_per_address = 3;
    })
    .await;
    let url = l.callback_url().await;
    let post = l.create_post(&l.key).await;
    let body = json!({"post_id": post, "status": "failed", "details": "timeout"});
    for _ in 0..2 {
        assert_eq!(callback(&url, body.clone()).await.status(), StatusCode::OK);
    }
    let res = callback(&url, body.clone()).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));

    let base = url.rsplit_once('/').expect("token in the path").0;
    for i in 0..3 {
        let res = callback(&format!("{base}/cb_guess{i}"), body.clone()).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
    let res = callback(&format!("{base}/cb_guess9"), body.clone()).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    // The guesser's address (a shared NAT) with the right token still gets through, once
    // the URL's own rate limit (1/s) lets it.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let status = callback(&url, body.clone()).await.status();
        if status == StatusCode::OK {
            break;
        }
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert!(
            std::time::Instant::now() < deadline,
            "right token refused for 10 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Issue 24, item 5: every request that reaches a tenant's callback URL is in its log,
/// refused ones with the status, the error and the start of the body, so a workflow
/// whose post stays `pending` can be debugged; one naming a post shows on the post too.
#[tokio::test]
async fn refused_callbacks_are_listed_with_their_error_and_body() {
    let l = start().await;
    let url = l.callback_url().await;
    let post = l.create_post(&l.key).await;
    // n8n sending the status in capitals, the id as a string, then a form.
    let shouting = callback(&url, json!({"post_id": post, "status": "PUBLISHED"})).await;
    assert_eq!(shouting.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let stringly = callback(
        &url,
        json!({"post_id": post.to_string(), "status": "published"}),
    )
    .await;
    assert_eq!(stringly.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let form = reqwest::Client::new()
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("post_id={post}&status=published"))
        .send()
        .await
        .expect("form");
    assert_eq!(form.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let ok = callback(&url, json!({"post_id": post, "status": "published"})).await;
    assert_eq!(ok.status(), StatusCode::OK);

    let page = l.api.get_json(&l.key, "/v1/callbacks").await;
    let items = page["items"].as_array().expect("items");
    assert_eq!(items.len(), 4, "{page}");
    assert_eq!(items[0]["status_code"], 200, "newest first");
    assert_eq!(items[1]["status_code"], 415);
    assert!(
        items[1]["error"]
            .as_str()
            .expect("error")
            .contains("application/json"),
        "{}",
        items[1]
    );
    assert_eq!(items[2]["status_code"], 422);
    assert!(items[2]["body_excerpt"]
        .as_str()
        .expect("excerpt")
        .contains(&format!("\"{post}\"")));
    assert_eq!(items[3]["status_code"], 422);
    assert!(items[3]["body_excerpt"]
        .as_str()
        .expect("excerpt")
        .contains("PUBLISHED"));
    assert!(
        items[3]["error"]
            .as_str()
            .expect("error")
            .starts_with("status"),
        "{}",
        items[3]
    );

    let refused = l
        .api
        .get_json(&l.key, "/v1/callbacks?status_code=422&limit=1")
        .await;
    assert_eq!(refused["items"].as_array().expect("items").len(), 1);
    let next = refused["next_cursor"].as_str().expect("a second page");
    let second = l
        .api
        .get_json(
            &l.key,
            &format!("/v1/callbacks?status_code=422&limit=1&cursor={next}"),
        )
        .await;
    assert_eq!(second["items"][0]["status_code"], 422);
    assert!(second["next_cursor"].is_null());
    let res = l.api.get(&l.key, "/v1/callbacks?status_code=42").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // The post shows the refusal that named it, with its error.
    let shown = l.post_status(post).await;
    let callbacks = shown["callbacks"].as_array().expect("callbacks");
    assert!(
        callbacks
            .iter()
            .any(|c| c["status_code"] == 422 && c["error"].is_string()),
        "{shown}"
    );
}

/// Issue 24, item 6: n8n's Crypto node keys its HMAC with the secret's text and outputs
/// hex; such a callback is accepted as `X-Webhook-Signature`, optionally over
/// `<X-Webhook-Timestamp>.<body>`, and a 401 says which check failed.
#[tokio::test]
async fn callbacks_signed_as_n8n_can_are_accepted_and_refusals_say_why() {
    let l = start().await;
    let url = l.signed_callback_url().await;
    let hex = n8n_hmac_hex;
    let send = |body: Vec<u8>, headers: Vec<(&'static str, String)>| {
        let url = url.clone();
        async move { callback_with(&url, body, headers).await }
    };
    let first = l.create_post(&l.key).await;
    let body = serde_json::to_vec(&json!({"post_id": first, "status": "published"})).expect("json");
    let res = send(body.clone(), vec![("x-webhook-signature", hex(&body))]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(l.post_status(first).await["status"], "published");

    let second = l.create_post(&l.key).await;
    let body = serde_json::to_vec(&json!({"post_id": second, "status": "failed"})).expect("json");
    let ts = chrono::Utc::now().timestamp().to_string();
    let signed = [ts.as_bytes(), b".", &body].concat();
    let res = send(
        body.clone(),
        vec![
            ("x-webhook-signature", hex(&signed)),
            ("x-webhook-timestamp", ts.clone()),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);

    for (headers, says) in [
        (vec![], "missing signature"),
        (
            vec![("x-webhook-signature", hex(b"another body"))],
            "X-Webhook-Signature is not",
        ),
        (
            vec![
                ("x-webhook-signature", hex(&signed)),
                ("x-webhook-timestamp", "1000".to_string()),
            ],
            "X-Webhook-Timestamp",
        ),
        (
            vec![
                ("webhook-id", "m1".to_string()),
                ("webhook-timestamp", ts.clone()),
                ("webhook-signature", "v1,bm9wZQ==".to_string()),
            ],
            "webhook-signature holds no valid",
        ),
    ] {
        let res = send(body.clone(), headers).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let err: Value = res.json().await.expect("json");
        assert_eq!(err["error"]["code"], "invalid_signature");
        let message = err["error"]["message"].as_str().expect("message");
        assert!(message.contains(says), "{message}");
    }
}

#[tokio::test]
async fn a_signed_callback_replayed_inside_its_window_changes_nothing() {
    let l = start().await;
    let url = l.signed_callback_url().await;
    let send = |body: &Value, headers: Vec<(&'static str, String)>| {
        let url = url.clone();
        let body = serde_json::to_vec(body).expect("json");
        async move {
            let res = callback_with(&url, body, headers).await;
            let status = res.status();
            (status, res.json::<Value>().await.expect("json"))
        }
    };
    let standard = |id: &str, body: &Value| {
        let ts = chrono::Utc::now().timestamp();
        let bytes = serde_json::to_vec(body).expect("json");
        let sig = standardwebhooks::Webhook::new(CALLBACK_SECRET)
            .expect("secret")
            .sign(id, ts, &bytes)
            .expect("sign");
        vec![
            ("webhook-id", id.to_string()),
            ("webhook-timestamp", ts.to_string()),
            ("webhook-signature", sig),
        ]
    };
    let timed = |body: &Value, ts: i64| {
        let signed = [
            ts.to_string().as_bytes(),
            b".",
            &serde_json::to_vec(body).expect("json"),
        ]
        .concat();
        vec![
            ("x-webhook-signature", n8n_hmac_hex(&signed)),
            ("x-webhook-timestamp", ts.to_string()),
        ]
    };

    // Standard Webhooks: a message id is applied once, whatever a later copy carries.
    let p = l.create_post(&l.key).await;
    let failed = json!({"post_id": p, "status": "failed", "details": "quota"});
    let (status, answer) = send(&failed, standard("msg_once", &failed)).await;
    assert_eq!(
        (status, answer["changed"].clone()),
        (StatusCode::OK, json!(true))
    );
    let published = json!({"post_id": p, "status": "published"});
    let (status, answer) = send(&published, standard("msg_once", &published)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        answer["changed"], false,
        "a second message with a seen id: {answer}"
    );
    assert_eq!(l.post_status(p).await["status"], "failed");
    let (_, answer) = send(&published, standard("msg_next", &published)).await;
    assert_eq!(answer["changed"], true, "a new id applies: {answer}");

    // X-Webhook-Signature with a timestamp: the captured "failed" cannot be sent again
    // once the post is published (it would be a 409 conflict if it were applied).
    let q = l.create_post(&l.key).await;
    let failed = json!({"post_id": q, "status": "failed"});
    let captured = timed(&failed, chrono::Utc::now().timestamp());
    let (status, _) = send(&failed, captured.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let published = json!({"post_id": q, "status": "published"});
    let (status, _) = send(
        &published,
        timed(&published, chrono::Utc::now().timestamp() - 1),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, answer) = send(&failed, captured).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a replay is answered as a repeat: {answer}"
    );
    assert_eq!(answer["changed"], false);
    assert_eq!(l.post_status(q).await["status"], "published");

    let client = l.db.pool.get().await.expect("conn");
    let replays: i64 = client
        .query_one(
            "SELECT count(*) FROM callbacks WHERE outcome = 'replayed'",
            &[],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(replays, 2, "both replays are in the tenant's callback log");
    // Expired receipts go with the tenant's next signed callback.
    client
        .execute(
            "UPDATE callback_receipts SET valid_until = now() - interval '1 second'",
            &[],
        )
        .await
        .expect("expire");
    let r = l.create_post(&l.key).await;
    let body = json!({"post_id": r, "status": "published"});
    let (status, _) = send(&body, standard("msg_last", &body)).await;
    assert_eq!(status, StatusCode::OK);
    let kept: i64 = client
        .query_one("SELECT count(*) FROM callback_receipts", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(kept, 1, "only the newest receipt is kept");
}

#[tokio::test]
async fn post_ids_are_numbered_per_tenant() {
    let l = start().await;
    let other = l.api.create_tenant("other").await.key;
    let mine = [l.create_post(&l.key).await, l.create_post(&l.key).await];
    let theirs = l.create_post(&other).await;
    // A tenant counts only its own posts.
    assert_eq!(mine, [1, 2]);
    assert_eq!(theirs, 1);
    // The callback URL says whose post 1 it is.
    let res = callback(
        &l.callback_url().await,
        json!({"post_id": 1, "status": "published"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(l.post_status(1).await["status"], "published");
    let theirs = l.api.get_json(&other, "/v1/posts/1").await;
    assert_eq!(theirs["status"], "pending");
    // Concurrent creations each get their own number.
    let created = futures::future::join_all((0..8).map(|_| l.create_post(&other))).await;
    let mut numbers = created.clone();
    numbers.sort_unstable();
    assert_eq!(numbers, (2..=9).collect::<Vec<i64>>(), "{created:?}");
}
