//! Rate limits (issue 15, finding 2): per API key, events per tenant, failed
//! authentications per client address; each answers 429 with Retry-After.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{assert_error, spawn_app_with};

fn retry_after(res: &reqwest::Response) -> u64 {
    res.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds")
}

#[tokio::test]
async fn an_api_key_over_its_request_rate_gets_429_with_retry_after() {
    let app = spawn_app_with(|s| {
        // A bucket of 3 refilled once a second: the 4 requests below need not fit in a
        // third of a second on a loaded machine.
        s.limits.requests_per_second_per_key = 1;
        s.limits.burst_secs = 3;
    })
    .await;
    let tenant = app.create_tenant("acme").await;
    let other = app.create_tenant("other").await;
    for _ in 0..3 {
        assert_eq!(
            app.get(&tenant.key, "/v1/webhooks").await.status(),
            StatusCode::OK
        );
    }
    let res = app.get(&tenant.key, "/v1/webhooks").await;
    assert!(retry_after(&res) >= 1);
    assert_error(res, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    assert_eq!(
        app.get(&other.key, "/v1/webhooks").await.status(),
        StatusCode::OK,
        "another key has its own bucket"
    );
}

#[tokio::test]
async fn a_tenant_over_its_event_rate_gets_429_and_the_event_is_not_recorded() {
    let app = spawn_app_with(|s| {
        // A bucket of 2 refilled once a second (not every half second).
        s.limits.events_per_second_per_tenant = 1;
        s.limits.burst_secs = 2;
    })
    .await;
    let tenant = app.create_tenant("acme").await;
    let body = json!({"event_type": "order.created", "data": {}});
    for _ in 0..2 {
        assert_eq!(
            app.post(&tenant.key, "/v1/events", &body).await.status(),
            StatusCode::ACCEPTED
        );
    }
    let res = app.post(&tenant.key, "/v1/events", &body).await;
    assert_eq!(retry_after(&res), 1);
    assert_error(res, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    let client = app.db.pool.get().await.expect("conn");
    let n: i64 = client
        .query_one("SELECT count(*) FROM events", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(n, 2, "the refused event was not recorded");
    // Reads are not events: still allowed.
    assert_eq!(
        app.get(&tenant.key, "/v1/events").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn guessing_keys_is_limited_but_never_locks_out_a_right_key() {
    let app = spawn_app_with(|s| s.limits.failed_auth_per_minute_per_address = 3).await;
    let tenant = app.create_tenant("acme").await;
    for i in 0..3 {
        assert_error(
            app.get(&format!("hr_guess{i}-wrong"), "/v1/webhooks").await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        )
        .await;
    }
    let res = app.get("hr_another-guess", "/v1/webhooks").await;
    assert!(retry_after(&res) >= 1);
    assert_error(res, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // The same address (a shared proxy, a NAT) with a right key still gets in: issue 24
    // found 65 % of a user's requests refused behind an attacker sending 2 bad keys/s.
    for _ in 0..5 {
        let res = app.get(&tenant.key, "/v1/webhooks").await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_error(
            app.get("hr_yet-another", "/v1/webhooks").await,
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
        )
        .await;
    }
    // The admin token counts its failures too, and the right one passes.
    assert_error(
        app.post("wrong-admin", "/v1/tenants", &json!({"name": "x"}))
            .await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;
    app.create_tenant("still-works").await;
}

/// Issue 15, finding 3: a body trickled in a byte at a time is cut off with a 408.
#[tokio::test]
async fn a_stalled_body_is_answered_408_and_the_connection_closed() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let app = spawn_app_with(|s| s.http.body_timeout_ms = 600).await;
    let tenant = app.create_tenant("acme").await;
    let addr = app.address.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let head = format!(
        "POST /v1/events HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"event_type\"",
        tenant.key
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    let started = std::time::Instant::now();
    let mut answer = Vec::new();
    // The server answers and closes: read_to_end returns. Trickle a byte meanwhile.
    let read = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        let mut buf = [0u8; 4096];
        loop {
            tokio::select! {
                n = stream.read(&mut buf) => match n {
                    Ok(0) | Err(_) => break,
                    Ok(n) => answer.extend_from_slice(&buf[..n]),
                },
                _ = tokio::time::sleep(std::time::Duration::from_millis(200)) => {
                    let _ = stream.write_all(b" ").await;
                }
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the connection was closed within 5 s");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("request_timeout"), "{answer}");
    // Cut off at the 600 ms body timeout, not when the client gives up (5 s).
    assert!(started.elapsed() < std::time::Duration::from_secs(4));
}

/// Issue 15, finding 5: `/metrics` can require a token, and tenants' event-type names are
/// not label values unless asked for. Issue 24: it is served on the ops port only.
#[tokio::test]
async fn metrics_need_the_token_and_do_not_show_event_type_names() {
    let app = spawn_app_with(|s| s.telemetry.metrics_token = "metrics-s3cret".into()).await;
    let tenant = app.create_tenant("acme").await;
    let res = app
        .post(
            &tenant.key,
            "/v1/events",
            &json!({"event_type": "acme.confidential.merger", "data": {}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let client = reqwest::Client::new();
    // Not on the public port at all, whatever the token.
    let public = format!("{}/metrics", app.address);
    let res = client
        .get(&public)
        .bearer_auth("metrics-s3cret")
        .send()
        .await
        .expect("get");
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
    let url = format!("{}/metrics", app.ops_address);
    let res = client.get(&url).send().await.expect("get");
    assert_error(res, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let res = client
        .get(&url)
        .bearer_auth("wrong")
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = client
        .get(&url)
        .bearer_auth("metrics-s3cret")
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.expect("body");
    assert!(text.contains("hookrelay_events_accepted_total"), "{text}");
    assert!(text.contains(r#"event_type="all""#));
    assert!(!text.contains("acme.confidential.merger"));
}
