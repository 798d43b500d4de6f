//! Client input that once reached SQL and came back as a 503: out-of-range times, forged
//! cursors, NUL in a path. Each is the caller's 422 naming the field.

use base64::Engine;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_error, spawn_app, spawn_app_with, webhook_body};

#[tokio::test]
async fn out_of_range_times_are_a_422_naming_the_field() {
    let app = spawn_app().await;
    let t = app.create_tenant("acme").await;
    let webhook = app
        .post(&t.key, "/v1/webhooks", &webhook_body("w"))
        .await
        .json::<Value>()
        .await
        .expect("json");
    let id = webhook["id"].as_str().expect("id");
    for time in ["-10000-01-01T00:00:00Z", "%2B10000-01-01T00:00:00Z"] {
        for (path, field) in [
            (format!("/v1/events?since={time}"), "since"),
            (format!("/v1/events?until={time}"), "until"),
            (format!("/v1/deliveries?since={time}"), "since"),
            (format!("/v1/deliveries?until={time}"), "until"),
            (format!("/v1/webhooks/{id}/logs?since={time}"), "since"),
            (format!("/v1/webhooks/{id}/logs?until={time}"), "until"),
        ] {
            let res = app.get(&t.key, &path).await;
            let body =
                assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
            assert_eq!(body["error"]["field"], field, "{path}");
        }
    }
    let res = app
        .post(
            &t.key,
            "/v1/events",
            &json!({"event_type": "a.b", "data": {}, "occurred_at": "-10000-01-01T00:00:00Z"}),
        )
        .await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["error"]["field"], "occurred_at");
    let res = app
        .post(
            &t.key,
            &format!("/v1/webhooks/{id}/replay"),
            &json!({"since": "-10000-01-01T00:00:00Z", "until": "-10000-01-02T00:00:00Z"}),
        )
        .await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["error"]["field"], "since");
}

#[tokio::test]
async fn cursors_are_signed_and_a_forged_one_is_refused_on_every_listing() {
    let app = spawn_app().await;
    let t = app.create_tenant("acme").await;
    for i in 0..3 {
        app.send_event(&t.key, &format!("type.{i}"), json!({"i": i}))
            .await;
        app.create_webhook(&t.key, webhook_body(&format!("w{i}")))
            .await;
    }
    // A real cursor works, and is refused once altered by a byte.
    for listing in ["/v1/events", "/v1/webhooks", "/v1/event-types"] {
        let page: Value = app.get_json(&t.key, &format!("{listing}?limit=1")).await;
        let cursor = page["next_cursor"]
            .as_str()
            .expect("next_cursor")
            .to_string();
        let res = app
            .get(&t.key, &format!("{listing}?limit=1&cursor={cursor}"))
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{listing}");
        let mut altered = cursor.into_bytes();
        altered[2] = if altered[2] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(altered).expect("ascii");
        let res = app
            .get(&t.key, &format!("{listing}?limit=1&cursor={altered}"))
            .await;
        let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(body["error"]["field"], "cursor", "{listing}");
    }
    // Unsigned cursors that used to reach SQL: impossible dates, NUL, a newline.
    let unsigned =
        |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let nil = "00000000-0000-0000-0000-000000000000";
    let forged = [
        unsigned(json!({"o": "created_desc", "k": "-10000-01-01 00:00:00+00", "i": nil})),
        unsigned(json!({"o": "created_asc", "k": "2026-02-30 00:00:00+00", "i": nil})),
        unsigned(json!({"o": "name_asc", "k": "a\u{0}b", "i": nil})),
        "eA%0AINFO%20forged".to_string(),
    ];
    for listing in [
        "/v1/events",
        "/v1/webhooks",
        "/v1/event-types",
        "/v1/deliveries",
        "/v1/posts",
    ] {
        for cursor in &forged {
            let res = app.get(&t.key, &format!("{listing}?cursor={cursor}")).await;
            let body =
                assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
            assert_eq!(body["error"]["field"], "cursor", "{listing} {cursor}");
        }
    }
}

#[tokio::test]
async fn a_nul_or_a_dot_segment_in_an_event_type_path_is_a_422() {
    let app = spawn_app().await;
    let t = app.create_tenant("acme").await;
    for path in ["/v1/event-types/a%00b", "/v1/event-types/%00"] {
        let res = app.get(&t.key, path).await;
        let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(body["error"]["field"], "name", "{path}");
        let res = app
            .req(reqwest::Method::DELETE, path, &t.key)
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path}");
    }
    for name in [".", ".."] {
        let res = app
            .post(&t.key, "/v1/event-types", &json!({"name": name}))
            .await;
        let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(body["error"]["field"], "name", "{name}");
        let res = app
            .post(
                &t.key,
                "/v1/events",
                &json!({"event_type": name, "data": {}}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
    }
}

#[tokio::test]
async fn a_json_array_body_is_a_422_not_a_struct_by_position() {
    let app = spawn_app().await;
    let t = app.create_tenant("acme").await;
    let webhook = app.create_webhook(&t.key, webhook_body("w")).await;
    let id = webhook["id"].as_str().expect("id");
    let res = app
        .patch(&t.key, &format!("/v1/webhooks/{id}"), &json!(["renamed"]))
        .await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["error"]["field"], "body");
    let webhook = app.get_json(&t.key, &format!("/v1/webhooks/{id}")).await;
    assert_eq!(webhook["name"], "w");
    let res = app.post(&t.key, "/v1/events", &json!(["a.b", {}])).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

#[tokio::test]
async fn invisible_and_bidi_control_characters_are_refused_in_names() {
    let app = spawn_app().await;
    let t = app.create_tenant("acme").await;
    for name in [
        "billing\u{202E}gnp.exe",
        "\u{3164}",
        "a\u{200B}b",
        "\u{FEFF}x",
    ] {
        let mut body = webhook_body("w");
        body["name"] = json!(name);
        let res = app.post(&t.key, "/v1/webhooks", &body).await;
        let err = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(err["error"]["field"], "name", "{name:?}");
        let res = app
            .post(
                &t.key,
                "/v1/events",
                &json!({"event_type": format!("a{name}"), "data": {}}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name:?}");
        let res = app
            .post(
                &t.key,
                "/v1/events",
                &json!({"event_type": "a.b", "data": {}, "ordering_key": format!("k{name}")}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name:?}");
    }
    // Letters of every script stay welcome.
    let mut body = webhook_body("w");
    body["name"] = json!("Счета 請求書 Rechnungen");
    app.create_webhook(&t.key, body).await;
}

/// Sends raw bytes on a new connection; returns the status and the JSON body of the answer.
async fn raw_exchange(address: &str, request: &[u8]) -> (u16, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request).await.expect("write");
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(30),
        stream.read_to_end(&mut answer),
    )
    .await
    .expect("the server answers and closes")
    .expect("read");
    let text = String::from_utf8_lossy(&answer).to_string();
    let (head, body) = text.split_once("\r\n\r\n").expect("a head");
    let status = head[9..12].parse().expect("status");
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(str::to_string)
        })
        .expect("content-length")
        .parse()
        .expect("a number");
    assert_eq!(length, body.len(), "{text}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{text}"
    );
    (status, serde_json::from_str(body).expect("a JSON body"))
}

/// Issue 24, item 7: what actix-http answers by itself, before any request exists, is
/// JSON like every other error.
#[tokio::test]
async fn protocol_errors_have_json_bodies() {
    // Not below a second or two: actix-http times heads from a clock it updates every
    // 500 ms, so a shorter timeout can fire on a request sent at once.
    let app = spawn_app_with(|s| s.http.head_timeout_ms = 2000).await;
    let (status, body) = raw_exchange(&app.address, b"NOT HTTP AT ALL\x01\r\n\r\n").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("bad_request"))
    );
    let mut many = String::from("GET /healthz HTTP/1.1\r\nhost: x\r\n");
    for i in 0..100 {
        many.push_str(&format!("x-header-{i}: v\r\n"));
    }
    many.push_str("\r\n");
    let (status, body) = raw_exchange(&app.address, many.as_bytes()).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (431, Some("headers_too_large"))
    );
    // Half a head, then nothing: 408 after http.head_timeout_ms.
    let (status, body) = raw_exchange(&app.address, b"GET /healthz HTTP/1.1\r\nhost:").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (408, Some("request_timeout"))
    );
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
    // And a well-formed request on the same server is served as ever.
    let res = reqwest::get(format!("{}/healthz", app.address))
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::OK);
}
