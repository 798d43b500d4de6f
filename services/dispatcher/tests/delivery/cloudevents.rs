//! CloudEvents webhooks (issue 27, item 4): structured-mode bodies, and the validation
//! handshake that decides whether a webhook is saved and how fast it may be sent to.

use std::time::Duration;

use hookrelay_testkit::receiver::Receiver;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::stack;

const WAIT: Duration = Duration::from_secs(30);

#[tokio::test]
async fn a_cloudevents_webhook_passes_the_handshake_and_gets_structured_events() {
    let s = stack(|_| {}).await;
    let rx = Receiver::start().await;
    rx.allow_handshake(&[
        ("webhook-allowed-origin", "hookrelay"),
        ("webhook-allowed-rate", "120"),
    ]);
    let created = s
        .create_webhook(
            &s.key,
            json!({
                "name": "ce", "url": rx.url, "event_types": ["order.*"],
                "payload_format": "cloudevents", "handshake": "cloudevents",
                "rate_limit": 10, "rate_limit_period": "second",
            }),
        )
        .await;
    // The handshake asked as this installation, at the rate the webhook wanted (per
    // minute), and the receiver's rate became the webhook's.
    let options = &rx.received()[0];
    assert_eq!(options.method, "OPTIONS");
    assert_eq!(options.header("webhook-request-origin"), Some("hookrelay"));
    assert_eq!(options.header("webhook-request-rate"), Some("600"));
    assert_eq!(created["handshake"], "cloudevents");
    assert_eq!(created["rate_limit"], 120);
    assert_eq!(created["rate_limit_period"], "minute");
    let secret = created["secret"].as_str().expect("secret").to_string();

    let event = s
        .send_event(&s.key, "order.paid", json!({"order": 7, "lines": [1, 2]}))
        .await;
    let got = rx.wait_for(2, WAIT).await;
    let delivery = &got[1];
    assert_eq!(delivery.method, "POST");
    assert_eq!(
        delivery.header("content-type"),
        Some("application/cloudevents+json")
    );
    assert_eq!(delivery.header("webhook-request-origin"), Some("hookrelay"));
    let body = delivery.json();
    assert_eq!(body["specversion"], "1.0");
    assert_eq!(body["id"], event.as_str());
    assert_eq!(body["type"], "order.paid");
    assert_eq!(body["source"], "/hookrelay");
    assert_eq!(body["datacontenttype"], "application/json");
    assert_eq!(body["data"], json!({"order": 7, "lines": [1, 2]}));
    let time = body["time"].as_str().expect("time");
    chrono::DateTime::parse_from_rfc3339(time).expect("RFC 3339 time");
    crate::helpers::verify_signature(&secret, delivery);
    // The log shows the body exactly as sent (once the attempt is recorded, just after
    // the receiver answered).
    let id = created["id"].as_str().expect("id");
    let logged = hookrelay_testkit::eventually(WAIT, "the attempt in the log", || async {
        let log = s.get_json(&s.key, &format!("/v1/webhooks/{id}/logs")).await;
        let payload = log["items"][0]["payload"].clone();
        (!payload.is_null()).then_some(payload)
    })
    .await;
    assert_eq!(logged, body);
}

#[tokio::test]
async fn a_refused_handshake_saves_nothing_and_a_new_url_must_pass_it_again() {
    let s = stack(|_| {}).await;
    // A receiver that does not speak the handshake: 200, but no WebHook-Allowed-Origin.
    let plain = Receiver::start().await;
    let body =
        json!({"name": "ce", "url": plain.url, "event_types": ["a.*"], "handshake": "cloudevents"});
    let res = s.post(&s.key, "/v1/webhooks", &body).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: Value = res.json().await.expect("json");
    assert_eq!(err["error"]["code"], "handshake_refused");
    assert_eq!(err["error"]["field"], "url");
    assert_eq!(err["error"]["detail"]["status"], 200);
    assert!(err["error"]["detail"]["allowed_origin"].is_null());
    assert_eq!(
        s.get_json(&s.key, "/v1/webhooks").await["total"],
        0,
        "nothing saved"
    );
    // Another origin is not this installation.
    let other = Receiver::start().await;
    other.allow_handshake(&[("webhook-allowed-origin", "someone-else.example")]);
    let res = s
        .post(&s.key, "/v1/webhooks", &json!({"name": "ce", "url": other.url, "event_types": ["a.*"], "handshake": "cloudevents"}))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let open = Receiver::start().await;
    open.allow_handshake(&[
        ("webhook-allowed-origin", "*"),
        ("webhook-allowed-rate", "30"),
    ]);
    let created = s
        .create_webhook(&s.key, json!({"name": "ce", "url": open.url, "event_types": ["a.*"], "handshake": "cloudevents"}))
        .await;
    assert_eq!(created["rate_limit"], 30);
    let id = created["id"].as_str().expect("id");
    // A new URL whose receiver refuses: the change is refused, the webhook unchanged.
    let res = s
        .patch(&format!("/v1/webhooks/{id}"), &json!({"url": plain.url}))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let view = s.get_json(&s.key, &format!("/v1/webhooks/{id}")).await;
    assert_eq!(view["url"], format!("{}/", open.url));
    // One that allows any rate: the webhook keeps the limit it had (a receiver lowers a
    // limit, never lifts it).
    let fast = Receiver::start().await;
    fast.allow_handshake(&[
        ("webhook-allowed-origin", "hookrelay"),
        ("webhook-allowed-rate", "*"),
    ]);
    let res = s
        .patch(&format!("/v1/webhooks/{id}"), &json!({"url": fast.url}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let view: Value = res.json().await.expect("json");
    assert_eq!(view["rate_limit"], 30, "{view}");
    assert_eq!(fast.received()[0].method, "OPTIONS");
    assert_eq!(
        fast.received()[0].header("webhook-request-rate"),
        Some("30")
    );
    // A new rate is asked for too: the receiver may refuse it.
    let res = s
        .patch(
            &format!("/v1/webhooks/{id}"),
            &json!({"rate_limit": 100, "rate_limit_period": "minute"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(fast.received().len(), 2, "the handshake ran again");
    assert_eq!(
        fast.received()[1].header("webhook-request-rate"),
        Some("100")
    );
    // Dropping the handshake: a URL change no longer asks.
    let before = plain.received().len();
    let res = s
        .patch(
            &format!("/v1/webhooks/{id}"),
            &json!({"handshake": null, "url": plain.url}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        plain.received().len(),
        before,
        "no handshake reached the new URL"
    );
}
