use std::collections::HashSet;

use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_error, spawn_app, spawn_app_with, webhook_body, TestApp};

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|w| w["id"].as_str().expect("id").to_string())
        .collect()
}

#[tokio::test]
async fn create_applies_defaults_and_returns_the_secret_once() {
    let app = spawn_app().await;
    let t = app.create_tenant("acme").await;
    let created = app.create_webhook(&t.key, webhook_body("orders")).await;
    assert_eq!(created["enabled"], true);
    assert_eq!(created["payload_format"], "envelope");
    assert_eq!(created["headers"], json!({}));
    assert!(created["last_execution_at"].is_null());
    assert!(created["created_at"].is_string() && created["modified_at"].is_string());
    let secret = created["secret"].as_str().expect("secret");
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").expect("whsec_ prefix"))
        .expect("base64");
    assert_eq!(key.len(), 32);

    let id = created["id"].as_str().expect("id");
    let got: Value = app
        .get(&t.key, &format!("/v1/webhooks/{id}"))
        .await
        .json()
        .await
        .expect("json");
    assert!(got.get("secret").is_none());
    assert!(!got.to_string().contains(secret));
    let list: Value = app
        .get(&t.key, "/v1/webhooks")
        .await
        .json()
        .await
        .expect("json");
    assert!(!list.to_string().contains(secret));
    let shown: Value = app
        .get(&t.key, &format!("/v1/webhooks/{id}/secret"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(shown["secret"], secret);
}

#[tokio::test]
async fn a_supplied_secret_and_all_fields_are_kept() {
    let app = spawn_app().await;
    let t = app.create_tenant("acme").await;
    let secret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    let created = app
        .create_webhook(
            &t.key,
            json!({
                "name": "Flat one",
                "description": "for n8n",
                "url": "https://example.com/hook?x=1",
                "event_types": ["*", "order.*", "user.created"],
                "enabled": false,
                "payload_format": "flat",
                "headers": {"X-Team": "growth"},
                "secret": secret,
            }),
        )
        .await;
    assert_eq!(created["secret"], secret);
    assert_eq!(created["description"], "for n8n");
    assert_eq!(created["enabled"], false);
    assert_eq!(created["payload_format"], "flat");
    assert_eq!(created["headers"], json!({"x-team": "********"}));
    assert_eq!(
        created["event_types"],
        json!(["*", "order.*", "user.created"])
    );
}

#[tokio::test]
async fn every_field_rule_answers_422_naming_the_field() {
    let app = spawn_app().await;
    let t = app.create_tenant("acme").await;
    let long_url = format!("https://example.com/{}", "a".repeat(2040));
    let cases: Vec<(Value, &str)> = vec![
        (json!({"name": ""}), "name"),
        (json!({"name": "x".repeat(201)}), "name"),
        (json!({"name": 5}), "name"),
        (json!({"description": "d".repeat(2001)}), "description"),
        (json!({"description": "nul\0byte"}), "description"),
        (json!({"url": "ftp://example.com/"}), "url"),
        (json!({"url": "not a url"}), "url"),
        (json!({"url": long_url}), "url"),
        (json!({"url": "https://user:pw@example.com/"}), "url"),
        (json!({"event_types": []}), "event_types"),
        (json!({"event_types": ["ok", "bad/type"]}), "event_types[1]"),
        (json!({"event_types": ["a*"]}), "event_types[0]"),
        (json!({"event_types": ["x".repeat(101)]}), "event_types[0]"),
        (json!({"event_types": "order.created"}), "event_types"),
        (json!({"payload_format": "xml"}), "payload_format"),
        (json!({"enabled": "yes"}), "enabled"),
        (
            json!({"headers": {"Connection": "close"}}),
            "headers.Connection",
        ),
        (
            json!({"headers": {"webhook-signature": "x"}}),
            "headers.webhook-signature",
        ),
        (json!({"headers": {"X-Ok": "a\nb"}}), "headers.X-Ok"),
        (json!({"headers": {"bad name": "v"}}), "headers.bad name"),
        (json!({"secret": "not-a-secret"}), "secret"),
        (json!({"secret": "whsec_c2hvcnQ="}), "secret"),
        (json!({"unexpected": 1}), "unexpected"),
    ];
    for (patch, field) in cases {
        let mut body = webhook_body("w");
        for (k, v) in patch.as_object().expect("object") {
            body[k] = v.clone();
        }
        let res = app.post(&t.key, "/v1/webhooks", &body).await;
        let err = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(err["error"]["field"], field, "case {body}");
    }
    for missing in ["name", "url", "event_types"] {
        let mut body = webhook_body("w");
        body.as_object_mut().expect("object").remove(missing);
        let res = app.post(&t.key, "/v1/webhooks", &body).await;
        let err = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert!(err["error"]["message"]
            .as_str()
            .expect("msg")
            .contains(missing));
    }
    let list: Value = app
        .get(&t.key, "/v1/webhooks")
        .await
        .json()
        .await
        .expect("json");
    assert!(ids(&list).is_empty(), "a rejected webhook was stored");
}

#[tokio::test]
async fn private_targets_are_refused_unless_allowed() {
    let app = spawn_app_with(|s| s.delivery.allow_private_targets = false).await;
    let t = app.create_tenant("acme").await;
    for url in [
        "http://127.0.0.1:8080/",
        "http://localhost/",
        "http://10.0.0.5/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/",
        "http://0.0.0.0/",
    ] {
        let mut body = webhook_body("w");
        body["url"] = json!(url);
        let res = app.post(&t.key, "/v1/webhooks", &body).await;
        let err = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(err["error"]["field"], "url", "{url}");
    }
    let mut body = webhook_body("public");
    body["url"] = json!("https://93.184.216.34/hook");
    app.create_webhook(&t.key, body).await;
    // PATCH is checked the same way.
    let list: Value = app
        .get(&t.key, "/v1/webhooks")
        .await
        .json()
        .await
        .expect("json");
    let id = &ids(&list)[0];
    let res = app
        .patch(
            &t.key,
            &format!("/v1/webhooks/{id}"),
            &json!({"url": "http://10.1.1.1/"}),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

#[tokio::test]
async fn malformed_oversized_and_mistyped_bodies_get_structured_errors() {
    let app = spawn_app_with(|s| s.api.max_body_bytes = 2048).await;
    let t = app.create_tenant("acme").await;
    let url = format!("{}/v1/webhooks", app.address);
    let res = app
        .client
        .post(&url)
        .bearer_auth(&t.key)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .expect("request");
    assert_error(res, StatusCode::BAD_REQUEST, "malformed_json").await;
    let res = app
        .client
        .post(&url)
        .bearer_auth(&t.key)
        .header("content-type", "text/plain")
        .body(webhook_body("w").to_string())
        .send()
        .await
        .expect("request");
    assert_error(
        res,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    let mut big = webhook_body("w");
    big["description"] = json!("d".repeat(3000));
    let res = app.post(&t.key, "/v1/webhooks", &big).await;
    assert_error(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    // Chunked body without a content-length is cut off at the limit too.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        vec![Ok(vec![b' '; 1500]), Ok(vec![b' '; 1500])];
    let res = app
        .client
        .post(&url)
        .bearer_auth(&t.key)
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .expect("request");
    assert_error(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    let res = app.post(&t.key, "/v1/webhooks", &json!([1, 2])).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let res = app.get(&t.key, "/v1/webhooks/not-a-uuid").await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
    let res = app.get(&t.key, "/v1/nothing-here").await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
    let res = app
        .req(Method::PUT, "/v1/webhooks", &t.key)
        .send()
        .await
        .expect("request");
    assert_error(res, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
}

#[tokio::test]
async fn patch_changes_only_given_fields() {
    let app = spawn_app().await;
    let t = app.create_tenant("acme").await;
    let mut body = webhook_body("before");
    body["description"] = json!("desc");
    body["headers"] = json!({"x-a": "1"});
    let created = app.create_webhook(&t.key, body).await;
    let id = created["id"].as_str().expect("id");
    let path = format!("/v1/webhooks/{id}");
    let patch = |b: Value| {
        let app: &TestApp = &app;
        let path = path.clone();
        let key = t.key.clone();
        async move { app.patch(&key, &path, &b).await }
    };
    let res = patch(json!({"name": "after"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let updated: Value = res.json().await.expect("json");
    assert_eq!(updated["name"], "after");
    for same in [
        "url",
        "event_types",
        "enabled",
        "payload_format",
        "headers",
        "description",
        "created_at",
    ] {
        assert_eq!(updated[same], created[same], "{same} changed");
    }
    assert!(updated["modified_at"].as_str() > created["modified_at"].as_str());

    let updated: Value = patch(json!({"description": null, "enabled": false, "event_types": ["*"], "payload_format": "flat", "headers": {}}))
        .await
        .json()
        .await
        .expect("json");
    assert!(updated["description"].is_null());
    assert_eq!(updated["enabled"], false);
    assert_eq!(updated["event_types"], json!(["*"]));
    assert_eq!(updated["payload_format"], "flat");
    assert_eq!(updated["headers"], json!({}));
    assert_eq!(updated["name"], "after");

    let err = assert_error(
        patch(json!({"event_types": []})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(err["error"]["field"], "event_types");
    let err = assert_error(
        patch(json!({"secret": "whsec_x"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(err["error"]["field"], "secret");
    let err = assert_error(
        patch(json!({"name": null})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(err["error"]["field"], "name");
    let got: Value = app.get(&t.key, &path).await.json().await.expect("json");
    assert_eq!(got["name"], "after");
}

#[tokio::test]
async fn delete_removes_the_webhook() {
    let app = spawn_app().await;
    let t = app.create_tenant("acme").await;
    let created = app.create_webhook(&t.key, webhook_body("w")).await;
    let path = format!("/v1/webhooks/{}", created["id"].as_str().expect("id"));
    let res = app
        .req(Method::DELETE, &path, &t.key)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_error(
        app.get(&t.key, &path).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let res = app
        .req(Method::DELETE, &path, &t.key)
        .send()
        .await
        .expect("request");
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn every_route_hides_other_tenants_webhooks() {
    let app = spawn_app().await;
    let a = app.create_tenant("a").await;
    let b = app.create_tenant("b").await;
    let created = app.create_webhook(&a.key, webhook_body("a's")).await;
    let id = created["id"].as_str().expect("id");
    let path = format!("/v1/webhooks/{id}");
    assert_error(
        app.get(&b.key, &path).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_error(
        app.get(&b.key, &format!("{path}/secret")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let res = app.patch(&b.key, &path, &json!({"name": "stolen"})).await;
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
    let res = app
        .req(Method::DELETE, &path, &b.key)
        .send()
        .await
        .expect("request");
    assert_error(res, StatusCode::NOT_FOUND, "not_found").await;
    let list: Value = app
        .get(&b.key, "/v1/webhooks")
        .await
        .json()
        .await
        .expect("json");
    assert!(ids(&list).is_empty());
    let got: Value = app.get(&a.key, &path).await.json().await.expect("json");
    assert_eq!(got["name"], "a's");
}

async fn walk(app: &TestApp, key: &str, query: &str, limit: usize) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let mut path = format!("/v1/webhooks?limit={limit}{query}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let res = app.get(key, &path).await;
        assert_eq!(res.status(), StatusCode::OK);
        let page: Value = res.json().await.expect("json");
        let items = page["items"].as_array().expect("items").clone();
        assert!(items.len() <= limit);
        out.extend(items);
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return out,
        }
    }
    panic!("pagination does not end");
}

#[tokio::test]
async fn pagination_walks_every_ordering_without_gaps_or_duplicates() {
    let app = spawn_app().await;
    let t = app.create_tenant("acme").await;
    let names = [
        "delta", "Alpha", "charlie", "bravo", "echo", "alpha", "foxtrot", "golf", "hotel", "india",
        "juliet", "kilo", "lima",
    ];
    let mut all = HashSet::new();
    for n in names {
        let created = app.create_webhook(&t.key, webhook_body(n)).await;
        all.insert(created["id"].as_str().expect("id").to_string());
    }
    // Give some webhooks an execution time and modify others, so each ordering differs.
    let client = app.db.pool.get().await.expect("conn");
    client
        .execute(
            "UPDATE webhooks SET last_execution_at = now() - (length(name) || ' minutes')::interval WHERE name > 'h'",
            &[],
        )
        .await
        .expect("update");
    client
        .execute(
            "UPDATE webhooks SET modified_at = now() + (ascii(name) || ' seconds')::interval",
            &[],
        )
        .await
        .expect("update");

    client
        .execute(
            "UPDATE webhooks SET description = CASE WHEN name < 'e' THEN upper(name) END, \
                                 enabled = (length(name) % 2 = 0)",
            &[],
        )
        .await
        .expect("update");
    let first: Value = app
        .get(&t.key, "/v1/webhooks?limit=2")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(first["total"], names.len(), "the count covers every page");
    let enabled_only: Value = app
        .get(&t.key, "/v1/webhooks?limit=2&enabled=true")
        .await
        .json()
        .await
        .expect("json");
    let even = names.iter().filter(|n| n.len() % 2 == 0).count();
    assert_eq!(enabled_only["total"], even);

    for order in [
        "name",
        "description",
        "enabled",
        "created",
        "modified",
        "last_execution",
    ] {
        for direction in ["asc", "desc"] {
            let items = walk(
                &app,
                &t.key,
                &format!("&order={order}&direction={direction}"),
                4,
            )
            .await;
            let got: Vec<String> = items
                .iter()
                .map(|w| w["id"].as_str().expect("id").to_string())
                .collect();
            assert_eq!(got.len(), names.len(), "{order} {direction}: wrong count");
            assert_eq!(
                got.iter().cloned().collect::<HashSet<_>>(),
                all,
                "{order} {direction}: gaps or duplicates"
            );
            // The whole walk equals one big page in the same order.
            let one: Value = app
                .get(
                    &t.key,
                    &format!("/v1/webhooks?limit=100&order={order}&direction={direction}"),
                )
                .await
                .json()
                .await
                .expect("json");
            assert_eq!(
                ids(&one),
                got,
                "{order} {direction}: pages differ from a single page"
            );
        }
    }
    let by_name: Value = app
        .get(&t.key, "/v1/webhooks?limit=100&order=name")
        .await
        .json()
        .await
        .expect("json");
    let listed: Vec<&str> = by_name["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|w| w["name"].as_str().expect("name"))
        .collect();
    let mut sorted = listed.clone();
    sorted.sort_by(|a, b| {
        // PostgreSQL's collation decides; only check it is consistent with a stable sort of
        // the listed order by itself.
        listed
            .iter()
            .position(|x| x == a)
            .cmp(&listed.iter().position(|x| x == b))
    });
    assert_eq!(listed, sorted);
    let default: Value = app
        .get(&t.key, "/v1/webhooks")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        default["items"].as_array().expect("items").len(),
        names.len()
    );
}

#[tokio::test]
async fn bad_page_parameters_are_refused() {
    let app = spawn_app().await;
    let t = app.create_tenant("acme").await;
    for _ in 0..3 {
        app.create_webhook(&t.key, webhook_body("w")).await;
    }
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("order=size", "order"),
        ("direction=up", "direction"),
        ("cursor=%%%", "cursor"),
        ("cursor=abc", "cursor"),
        ("enabled=maybe", "enabled"),
        ("event=bad%2Ftype", "event"),
    ] {
        let res = app.get(&t.key, &format!("/v1/webhooks?{query}")).await;
        let err = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(err["error"]["field"], field, "{query}");
    }
    // A cursor of one ordering is refused by another.
    let page: Value = app
        .get(&t.key, "/v1/webhooks?limit=1&order=name")
        .await
        .json()
        .await
        .expect("json");
    let cursor = page["next_cursor"].as_str().expect("cursor");
    let res = app
        .get(
            &t.key,
            &format!("/v1/webhooks?limit=1&order=created&cursor={cursor}"),
        )
        .await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let res = app
        .get(
            &t.key,
            &format!("/v1/webhooks?limit=1&order=name&cursor={cursor}"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn filters_select_the_right_webhooks() {
    let app = spawn_app().await;
    let t = app.create_tenant("acme").await;
    let mk = |name: &str, types: Value, enabled: bool| {
        let mut b = webhook_body(name);
        b["event_types"] = types;
        b["enabled"] = json!(enabled);
        b
    };
    let all = app
        .create_webhook(&t.key, mk("All events", json!(["*"]), true))
        .await;
    let orders = app
        .create_webhook(&t.key, mk("Orders", json!(["order.*"]), true))
        .await;
    let created = app
        .create_webhook(&t.key, mk("Order created", json!(["order.created"]), false))
        .await;
    let users = app
        .create_webhook(
            &t.key,
            mk("Users", json!(["user.created", "user.deleted"]), true),
        )
        .await;
    let id = |v: &Value| v["id"].as_str().expect("id").to_string();
    let query = |q: &'static str| {
        let app: &TestApp = &app;
        let key = t.key.clone();
        async move {
            let page: Value = app
                .get(&key, &format!("/v1/webhooks?limit=100&{q}"))
                .await
                .json()
                .await
                .expect("json");
            ids(&page).into_iter().collect::<HashSet<_>>()
        }
    };
    let set = |v: &[&Value]| v.iter().map(|w| id(w)).collect::<HashSet<_>>();
    assert_eq!(
        query("event=order.created").await,
        set(&[&all, &orders, &created])
    );
    assert_eq!(
        query("event=order.refunded.partial").await,
        set(&[&all, &orders])
    );
    assert_eq!(query("event=order").await, set(&[&all]));
    assert_eq!(query("event=user.deleted").await, set(&[&all, &users]));
    assert_eq!(query("name=ORDER").await, set(&[&orders, &created]));
    assert_eq!(query("name=events").await, set(&[&all]));
    assert_eq!(query("enabled=false").await, set(&[&created]));
    assert_eq!(
        query("enabled=true&event=order.created").await,
        set(&[&all, &orders])
    );
    assert_eq!(query("name=zzz").await, HashSet::new());
    // Issue 26, item 6: one search over names and URLs, and the failing ones.
    let mut hooked = mk("Hooked", json!(["*"]), true);
    hooked["url"] = json!("https://crm.example.com/inbound/orders");
    let hooked = app.create_webhook(&t.key, hooked).await;
    assert_eq!(query("search=CRM.example").await, set(&[&hooked]));
    assert_eq!(
        query("search=order").await,
        set(&[&orders, &created, &hooked])
    );
    app.db
        .pool
        .get()
        .await
        .expect("client")
        .execute(
            "UPDATE webhooks SET circuit_state = 'open' WHERE id = $1",
            &[&id(&users).parse::<uuid::Uuid>().expect("uuid")],
        )
        .await
        .expect("open the circuit");
    assert_eq!(query("failing=true").await, set(&[&users]));
    assert_eq!(
        query("failing=false").await,
        set(&[&all, &orders, &created, &hooked])
    );
    let page: Value = app
        .get(&t.key, "/v1/webhooks?failing=true&search=user")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(page["total"], 1);
}

#[tokio::test]
async fn test_sends_are_rate_limited_per_tenant() {
    let app = spawn_app_with(|s| s.api.test_sends_per_minute = 2).await;
    let key = app.create_tenant("acme").await.key;
    // Nothing listens there (loopback): the send fails fast, and still counts.
    let target = json!({"url": "http://127.0.0.1:1/", "event_type": "a.b"});
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let res = app.post(&key, "/v1/webhooks/test", &target).await;
        statuses.push(res.status());
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            let retry: u64 = res
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok())
                .expect("Retry-After seconds");
            assert!((1..=60).contains(&retry), "{retry}");
            let body: Value = res.json().await.expect("json");
            assert_eq!(body["error"]["code"], "rate_limited");
        } else {
            let body: Value = res.json().await.expect("json");
            assert_eq!(body["success"], false);
        }
    }
    assert_eq!(
        statuses,
        vec![
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    // The quota is per tenant.
    let other = app.create_tenant("other").await.key;
    let res = app.post(&other, "/v1/webhooks/test", &target).await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn test_sends_refuse_private_targets_like_deliveries() {
    let app = spawn_app_with(|s| s.delivery.allow_private_targets = false).await;
    let key = app.create_tenant("acme").await.key;
    for url in [
        "http://10.1.2.3/hook",
        "http://127.0.0.1:1/",
        "http://[::1]:1/",
    ] {
        let res = app
            .post(&key, "/v1/webhooks/test", &json!({"url": url}))
            .await;
        let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(body["error"]["field"], "url", "{url}");
    }
}

#[tokio::test]
async fn forged_cursor_keys_are_refused_not_failed() {
    let app = spawn_app().await;
    let t = app.create_tenant("acme").await;
    for (ordering, order, key) in [
        ("created_asc", "created", "not a time"),
        ("enabled_asc", "enabled", "maybe"),
        (
            "last_execution_desc",
            "last_execution&direction=desc",
            "2026-13-45",
        ),
    ] {
        let cursor = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
            json!({"o": ordering, "k": key, "i": "00000000-0000-0000-0000-000000000000"})
                .to_string(),
        );
        let res = app
            .get(
                &t.key,
                &format!("/v1/webhooks?order={order}&cursor={cursor}"),
            )
            .await;
        let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(body["error"]["field"], "cursor", "{ordering}");
    }
}

#[tokio::test]
async fn a_nul_in_a_query_filter_is_a_422_naming_it() {
    let app = spawn_app().await;
    let t = app.create_tenant("acme").await;
    for (path, field) in [
        ("/v1/webhooks?name=a%00", "name"),
        ("/v1/webhooks?search=%00", "search"),
        ("/v1/posts?channel=%00", "channel"),
        ("/v1/events?event_type=a%00b", "event_type"),
        ("/v1/deliveries?event_type=%00", "event_type"),
    ] {
        let res = app.get(&t.key, path).await;
        let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(body["error"]["field"], field, "{path}");
    }
}

/// Issue 27, item 2: `GET /v1/webhooks/{id}/logs/stream` follows the log live (what
/// `hookrelay tail` reads), a bounded number per tenant.
#[tokio::test]
async fn a_log_stream_sends_attempts_as_they_happen_within_a_bound() {
    use futures::StreamExt;
    let app = spawn_app_with(|s| {
        s.delivery.allow_private_targets = true;
        s.api.log_streams_per_tenant = 1;
    })
    .await;
    let t = app.create_tenant("acme").await;
    let rx = hookrelay_testkit::receiver::Receiver::start().await;
    let mut body = webhook_body("live");
    body["url"] = json!(rx.url);
    let webhook = app.create_webhook(&t.key, body).await;
    let id = webhook["id"].as_str().expect("id").to_string();
    let path = format!("/v1/webhooks/{id}/logs/stream");

    let res = app.get(&t.key, &path).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    let mut stream = res.bytes_stream();
    let first = stream.next().await.expect("a chunk").expect("bytes");
    assert!(first.starts_with(b": following"), "{first:?}");
    // One stream per tenant here: a second waits its turn.
    let second = app.get(&t.key, &path).await;
    assert_eq!(second.status(), StatusCode::TOO_MANY_REQUESTS);

    let res = app
        .post(
            &t.key,
            &format!("/v1/webhooks/{id}/test"),
            &json!({"event_type": "order.created"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let mut seen = String::new();
    let found = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        while let Some(chunk) = stream.next().await {
            seen.push_str(&String::from_utf8_lossy(&chunk.expect("bytes")));
            if seen.contains("event: attempt") && seen.ends_with("\n\n") {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(found, Ok(true), "{seen}");
    let data = seen
        .lines()
        .find_map(|l| l.strip_prefix("data: "))
        .expect("a data line");
    let entry: Value = serde_json::from_str(data).expect("a log entry");
    assert_eq!(entry["event_type"], "order.created");
    assert_eq!(entry["test"], true);
    assert_eq!(entry["response_code"], 200);
    // Later polls look back over the same attempt and must not send it again: read
    // three more polls' worth (until the keep-alive, five quiet polls on).
    let more = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        let mut more = String::new();
        while let Some(chunk) = stream.next().await {
            more.push_str(&String::from_utf8_lossy(&chunk.expect("bytes")));
            if more.contains(": keep-alive") {
                break;
            }
        }
        more
    })
    .await
    .expect("a keep-alive after five quiet polls");
    assert!(!more.contains("event: attempt"), "sent again: {more}");

    // Closed, its place is free again (the server notices at its next keep-alive).
    drop(stream);
    hookrelay_testkit::eventually(
        std::time::Duration::from_secs(30),
        "the stream's place freed",
        || async {
            let res = app.get(&t.key, &path).await;
            (res.status() == StatusCode::OK).then_some(())
        },
    )
    .await;
    let other = app.create_tenant("other").await;
    let res = app.get(&other.key, &path).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
