//! Signing schemes as receivers meet them: ed25519 deliveries (`v1a,`) verified by stock
//! ed25519 libraries of other languages (Node's `crypto`, Python's `cryptography`), and
//! a rotation between schemes that never leaves a delivery unverifiable.

use std::process::Command;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hookrelay_testkit::receiver::{Received, Receiver};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::stack;

const WAIT: Duration = Duration::from_secs(30);

/// Node: `crypto.verify` with the raw public key wrapped as SPKI (its standard form).
const NODE_VERIFY: &str = r#"
const crypto = require("crypto");
const [publicKey, contentB64, header] = process.argv.slice(1);
const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), Buffer.from(publicKey.slice(5), "base64")]);
const key = crypto.createPublicKey({ key: spki, format: "der", type: "spki" });
const content = Buffer.from(contentB64, "base64");
const ok = header.split(" ").some((s) => s.startsWith("v1a,") && crypto.verify(null, content, key, Buffer.from(s.slice(4), "base64")));
process.exit(ok ? 0 : 1);
"#;

/// Python: `cryptography`'s Ed25519PublicKey; `verify` raises on a bad signature.
const PYTHON_VERIFY: &str = r#"
import base64, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
public_key, content_b64, header = sys.argv[1:]
key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key[5:]))
content = base64.b64decode(content_b64)
for s in header.split(" "):
    if s.startswith("v1a,"):
        key.verify(base64.b64decode(s[4:]), content)
        sys.exit(0)
sys.exit(1)
"#;

/// What the signature covers: `{webhook-id}.{webhook-timestamp}.{body}`.
fn signed_content(r: &Received) -> Vec<u8> {
    let id = r.header("webhook-id").expect("webhook-id");
    let ts = r.header("webhook-timestamp").expect("webhook-timestamp");
    [id.as_bytes(), b".", ts.as_bytes(), b".", &r.body].concat()
}

/// Whether Node and Python each accept `header` for `content` under `public_key`; the
/// two must agree.
fn verified(public_key: &str, content: &[u8], header: &str) -> bool {
    let content = STANDARD.encode(content);
    let node = Command::new("node")
        .args(["-e", NODE_VERIFY, public_key, &content, header])
        .status()
        .expect("node runs");
    let python = Command::new("python3")
        .args(["-c", PYTHON_VERIFY, public_key, &content, header])
        .output()
        .expect("python3 runs");
    let python_ok = python.status.success();
    if !python_ok {
        let stderr = String::from_utf8_lossy(&python.stderr);
        assert!(
            !stderr.contains("ModuleNotFoundError"),
            "Python's `cryptography` is missing (pip install cryptography): {stderr}"
        );
    }
    assert_eq!(node.success(), python_ok, "Node and Python disagree");
    python_ok
}

/// Issue 27, item 3.
#[tokio::test]
async fn ed25519_deliveries_verify_with_stock_libraries_and_rotate_between_schemes() {
    let s = stack(|_| {}).await;
    let rx = Receiver::start().await;
    let created = s
        .create_webhook(
            &s.key,
            json!({"name": "ed", "url": rx.url, "event_types": ["order.*"], "signature_scheme": "ed25519"}),
        )
        .await;
    assert_eq!(created["signature_scheme"], "ed25519");
    let signing_key = created["secret"].as_str().expect("secret");
    assert!(signing_key.starts_with("whsk_"), "{signing_key}");
    let public_key = created["public_key"]
        .as_str()
        .expect("public key")
        .to_string();
    assert!(public_key.starts_with("whpk_"));
    let id = created["id"].as_str().expect("id").to_string();
    // The view shows the public key; the signing key stays behind /secret.
    let view = s.get_json(&s.key, &format!("/v1/webhooks/{id}")).await;
    assert_eq!(view["public_key"], public_key.as_str());
    assert!(!view.to_string().contains(signing_key));
    let shown = s
        .get_json(&s.key, &format!("/v1/webhooks/{id}/secret"))
        .await;
    assert_eq!(shown["secret"], signing_key);
    assert_eq!(shown["public_key"], public_key.as_str());

    s.send_event(&s.key, "order.paid", json!({"order": "ж-7"}))
        .await;
    let got = rx.wait_for(1, WAIT).await;
    let header = got[0].header("webhook-signature").expect("signature");
    assert!(
        header.starts_with("v1a,") && !header.contains(' '),
        "{header}"
    );
    let content = signed_content(&got[0]);
    assert!(verified(&public_key, &content, header));
    let mut tampered = content.clone();
    tampered.push(b' ');
    assert!(
        !verified(&public_key, &tampered, header),
        "a changed body fails"
    );

    // Back to HMAC: during the grace both signatures go out, so receivers holding either
    // key keep verifying.
    let res = s
        .post(
            &s.key,
            &format!("/v1/webhooks/{id}/secret/rotate"),
            &json!({"signature_scheme": "hmac-sha256"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let rotated: Value = res.json().await.expect("json");
    let secret = rotated["secret"].as_str().expect("secret").to_string();
    assert!(secret.starts_with("whsec_") && rotated["public_key"].is_null());
    s.send_event(&s.key, "order.paid", json!({"order": 8}))
        .await;
    let got = rx.wait_for(2, WAIT).await;
    let header = got[1].header("webhook-signature").expect("signature");
    assert!(
        header.starts_with("v1,") && header.contains(" v1a,"),
        "{header}"
    );
    assert!(verified(&public_key, &signed_content(&got[1]), header));
    crate::helpers::verify_signature(&secret, &got[1]);
    let view = s.get_json(&s.key, &format!("/v1/webhooks/{id}")).await;
    assert_eq!(view["signature_scheme"], "hmac-sha256");
    assert!(view["public_key"].is_null());
}

#[tokio::test]
async fn ed25519_goes_with_the_standard_profile_and_its_own_keys_only() {
    let s = stack(|_| {}).await;
    let base = json!({"name": "ed", "url": "http://127.0.0.1:9/", "event_types": ["a.b"]});
    let with = |extra: Value| {
        let mut body = base.clone();
        for (k, v) in extra.as_object().expect("object") {
            body[k] = v.clone();
        }
        body
    };
    let hmac = format!("whsec_{}", STANDARD.encode([7u8; 32]));
    for (extra, field) in [
        (
            json!({"signature_scheme": "ed25519", "signature_profile": "x-webhook"}),
            "signature_profile",
        ),
        (
            json!({"signature_scheme": "ed25519", "secret": hmac}),
            "secret",
        ),
        (
            json!({"secret": format!("whsk_{}", STANDARD.encode([7u8; 31]))}),
            "secret",
        ),
    ] {
        let res = s.post(&s.key, "/v1/webhooks", &with(extra.clone())).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{extra}");
        let err: Value = res.json().await.expect("json");
        assert_eq!(err["error"]["field"], field, "{extra}");
    }
    // A key brought along decides the scheme.
    let own = format!("whsk_{}", STANDARD.encode([9u8; 32]));
    let created = s.create_webhook(&s.key, with(json!({"secret": own}))).await;
    assert_eq!(created["signature_scheme"], "ed25519");
    let id = created["id"].as_str().expect("id");
    let res = s
        .patch(
            &format!("/v1/webhooks/{id}"),
            &json!({"signature_profile": "x-webhook"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // An x-webhook webhook cannot rotate to ed25519.
    let x = s
        .create_webhook(&s.key, with(json!({"signature_profile": "x-webhook"})))
        .await;
    let res = s
        .post(
            &s.key,
            &format!(
                "/v1/webhooks/{}/secret/rotate",
                x["id"].as_str().expect("id")
            ),
            &json!({"signature_scheme": "ed25519"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
