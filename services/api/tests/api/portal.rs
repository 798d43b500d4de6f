//! Issue 26, item 1: portal sessions. A product signs one of its customers into that
//! tenant's webhooks page with a link; the link's token is a bearer token on the tenant's
//! routes until it expires or is revoked, never more than that.

use std::time::Duration;

use hookrelay_testkit::eventually;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_error, spawn_app, webhook_body};

#[tokio::test]
async fn a_portal_link_signs_a_customer_in_to_its_own_tenant_only() {
    let app = spawn_app().await;
    let acme = app.create_tenant("acme").await;
    let other = app.create_tenant("other").await;
    let theirs = app.create_webhook(&other.key, webhook_body("theirs")).await;

    let res = app
        .post(
            &acme.key,
            "/v1/portal-sessions",
            &json!({"locale": "ru", "return_url": "https://app.example.com/settings"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let session: Value = res.json().await.expect("json");
    let token = session["token"].as_str().expect("token").to_string();
    assert!(token.starts_with("hrp_"), "{token}");
    let url = session["url"].as_str().expect("url");
    // The token travels in the fragment, which no server sees.
    assert!(url.ends_with(&format!("/console/#portal={token}")), "{url}");
    assert!(!url.contains('?'), "{url}");

    // It works on the tenant's routes, reads and writes.
    let created = app
        .post(&token, "/v1/webhooks", &webhook_body("from the portal"))
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let listed = app.get_json(&token, "/v1/webhooks").await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
    let current = app.get_json(&token, "/v1/portal-sessions/current").await;
    assert_eq!(current["locale"], "ru");
    assert_eq!(current["read_only"], false);
    assert_eq!(current["return_url"], "https://app.example.com/settings");
    // Another tenant's webhook stays out of reach.
    let foreign = app
        .get(
            &token,
            &format!("/v1/webhooks/{}", theirs["id"].as_str().expect("id")),
        )
        .await;
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);

    // Never the product's routes: keys, sessions, tenant settings, admin routes.
    for (method, path, body) in [
        (Method::POST, "/v1/api-keys", json!({"name": "mine"})),
        (Method::GET, "/v1/api-keys", Value::Null),
        (Method::POST, "/v1/portal-sessions", json!({})),
        (
            Method::PATCH,
            "/v1/tenant",
            json!({"strict_event_types": true}),
        ),
        (Method::POST, "/v1/tenants", json!({"name": "x"})),
        (Method::GET, "/v1/tenants", Value::Null),
    ] {
        let mut req = app.req(method.clone(), path, &token);
        if !body.is_null() {
            req = req.json(&body);
        }
        let res = req.send().await.expect("send");
        assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    }
    let revoke_self = app
        .req(
            Method::DELETE,
            &format!(
                "/v1/portal-sessions/{}",
                session["id"].as_str().expect("id")
            ),
            &token,
        )
        .send()
        .await
        .expect("send");
    assert_eq!(revoke_self.status(), StatusCode::FORBIDDEN);
    // An API key is not a portal session.
    let not_portal = app.get(&acme.key, "/v1/portal-sessions/current").await;
    assert_eq!(not_portal.status(), StatusCode::NOT_FOUND);

    // Revoked: refused at once.
    let revoked = app
        .req(
            Method::DELETE,
            &format!(
                "/v1/portal-sessions/{}",
                session["id"].as_str().expect("id")
            ),
            &acme.key,
        )
        .send()
        .await
        .expect("send");
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    assert_error(
        app.get(&token, "/v1/webhooks").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    // Another tenant cannot revoke acme's sessions.
    let second: Value = app
        .post(&acme.key, "/v1/portal-sessions", &json!({}))
        .await
        .json()
        .await
        .expect("json");
    let by_other = app
        .req(
            Method::DELETE,
            &format!("/v1/portal-sessions/{}", second["id"].as_str().expect("id")),
            &other.key,
        )
        .send()
        .await
        .expect("send");
    assert_eq!(by_other.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn read_only_sessions_read_and_every_session_expires() {
    let app = spawn_app().await;
    let acme = app.create_tenant("acme").await;
    app.create_webhook(&acme.key, webhook_body("existing"))
        .await;
    let session: Value = app
        .post(
            &acme.key,
            "/v1/portal-sessions",
            &json!({"read_only": true, "expires_in_secs": 2}),
        )
        .await
        .json()
        .await
        .expect("json");
    let token = session["token"].as_str().expect("token").to_string();
    let listed = app.get_json(&token, "/v1/webhooks").await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
    let id = listed["items"][0]["id"].as_str().expect("id").to_string();
    for (method, path, body) in [
        (Method::POST, "/v1/webhooks".to_string(), webhook_body("no")),
        (
            Method::PATCH,
            format!("/v1/webhooks/{id}"),
            json!({"enabled": false}),
        ),
        (Method::DELETE, format!("/v1/webhooks/{id}"), Value::Null),
        (
            Method::POST,
            "/v1/events".to_string(),
            json!({"event_type": "a.b", "data": {}}),
        ),
        (Method::POST, format!("/v1/webhooks/{id}/test"), json!({})),
    ] {
        let mut req = app.req(method.clone(), &path, &token);
        if !body.is_null() {
            req = req.json(&body);
        }
        let res = req.send().await.expect("send");
        assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    }
    let still = app.get_json(&acme.key, &format!("/v1/webhooks/{id}")).await;
    assert_eq!(still["enabled"], true, "a refused write changed nothing");
    // Two seconds later the link is dead.
    eventually(Duration::from_secs(20), "the session expires", || async {
        (app.get(&token, "/v1/webhooks").await.status() == StatusCode::UNAUTHORIZED).then_some(())
    })
    .await;
}

#[tokio::test]
async fn portal_session_values_are_checked() {
    let app = spawn_app().await;
    let acme = app.create_tenant("acme").await;
    for (body, field) in [
        (json!({"expires_in_secs": 0}), "expires_in_secs"),
        (json!({"expires_in_secs": 86_401}), "expires_in_secs"),
        (json!({"return_url": "javascript:alert(1)"}), "return_url"),
    ] {
        let res = app.post(&acme.key, "/v1/portal-sessions", &body).await;
        let err = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(err["error"]["field"], field, "{body}");
    }
    // An unknown locale is refused with the field named.
    let res = app
        .post(&acme.key, "/v1/portal-sessions", &json!({"locale": "de"}))
        .await;
    let err = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(err["error"]["field"], "locale");
    // A made-up portal token is a 401 like any bad credential.
    let res = app.get("hrp_made-up", "/v1/webhooks").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

/// Issue 26, item 3: a session speaks the tenant's language unless it asks for another.
#[tokio::test]
async fn portal_sessions_default_to_the_tenants_language() {
    let app = spawn_app().await;
    let acme = app.create_tenant("acme").await;
    let language = |body: Value| {
        let (app, key) = (&app, acme.key.clone());
        async move {
            let res = app.post(&key, "/v1/portal-sessions", &body).await;
            assert_eq!(res.status(), StatusCode::CREATED);
            let created: Value = res.json().await.expect("json");
            let token = created["token"].as_str().expect("token").to_string();
            app.get_json(&token, "/v1/portal-sessions/current").await["locale"].clone()
        }
    };
    assert_eq!(language(json!({})).await, "en", "English without a choice");
    let res = app
        .patch(&acme.key, "/v1/tenant", &json!({"locale": "ru"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.expect("json")["locale"], "ru");
    assert_eq!(language(json!({})).await, "ru");
    assert_eq!(
        language(json!({"locale": "en"})).await,
        "en",
        "the session's own wins"
    );
    let res = app
        .patch(&acme.key, "/v1/tenant", &json!({"locale": "fr"}))
        .await;
    let err = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(err["error"]["field"], "locale");
    let res = app
        .patch(&acme.key, "/v1/tenant", &json!({"locale": null}))
        .await;
    assert!(res.json::<Value>().await.expect("json")["locale"].is_null());
}

/// Issue 26, item 2: the product's branding, checked, shown to the console.
#[tokio::test]
async fn branding_is_checked_stored_and_cleared() {
    let app = spawn_app().await;
    let acme = app.create_tenant("acme").await;
    let branding = json!({
        "name": "Acme Scheduler",
        "primary_color": "#0B57D0",
        "logo_url": "data:image/svg+xml;base64,PHN2Zy8+",
        "support_url": "https://acme.example.com/help"
    });
    let res = app
        .patch(&acme.key, "/v1/tenant", &json!({"branding": branding}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let tenant = app.get_json(&acme.key, "/v1/tenant").await;
    assert_eq!(tenant["branding"]["name"], "Acme Scheduler");
    assert_eq!(tenant["branding"]["primary_color"], "#0b57d0");
    // A portal session sees it (the console shows it) but cannot change it.
    let session: Value = app
        .post(&acme.key, "/v1/portal-sessions", &json!({}))
        .await
        .json()
        .await
        .expect("json");
    let token = session["token"].as_str().expect("token");
    let seen = app.get_json(token, "/v1/tenant").await;
    assert_eq!(
        seen["branding"]["support_url"],
        "https://acme.example.com/help"
    );
    for (bad, field) in [
        (
            json!({"primary_color": "#ffd700"}),
            "branding.primary_color",
        ),
        (json!({"primary_color": "gold"}), "branding.primary_color"),
        (
            json!({"logo_url": "http://acme.example.com/logo.png"}),
            "branding.logo_url",
        ),
        (
            json!({"support_url": "javascript:alert(1)"}),
            "branding.support_url",
        ),
        (json!({"name": "\u{202e}"}), "branding.name"),
    ] {
        let res = app
            .patch(&acme.key, "/v1/tenant", &json!({"branding": bad}))
            .await;
        let err = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(err["error"]["field"], field, "{bad}");
    }
    let unchanged = app.get_json(&acme.key, "/v1/tenant").await;
    assert_eq!(
        unchanged["branding"]["name"], "Acme Scheduler",
        "a refused change keeps the old"
    );
    let res = app
        .patch(&acme.key, "/v1/tenant", &json!({"branding": null}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.get_json(&acme.key, "/v1/tenant").await["branding"],
        Value::Null
    );
}
