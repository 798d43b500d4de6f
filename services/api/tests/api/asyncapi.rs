//! Issue 27, item 5: the catalogue as an AsyncAPI 3.0 document, checked by the AsyncAPI
//! initiative's parser, and the delivery POST in the OpenAPI document's `webhooks`.

use std::path::PathBuf;
use std::process::Command;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::spawn_app;

fn console_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../console")
}

/// Runs the AsyncAPI parser on `doc`; `None` when its Node packages are not installed
/// (`make test` installs them; CI requires them).
fn validate(doc: &Value) -> Option<std::process::Output> {
    let dir = console_dir();
    if !dir.join("node_modules/@asyncapi/parser").is_dir() {
        assert!(
            std::env::var_os("HOOKRELAY_REQUIRE_BROWSER").is_none(),
            "console/node_modules lacks @asyncapi/parser: run `make console-deps`"
        );
        eprintln!("skipped: console/node_modules lacks @asyncapi/parser (make console-deps)");
        return None;
    }
    let file = std::env::temp_dir().join(format!("asyncapi-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&file, doc.to_string()).expect("write the document");
    let out = Command::new("node")
        .arg("e2e/asyncapi.validate.mjs")
        .arg(&file)
        .current_dir(&dir)
        .output()
        .expect("node runs");
    let _ = std::fs::remove_file(&file);
    Some(out)
}

#[tokio::test]
async fn the_catalogue_is_a_valid_asyncapi_document() {
    let app = spawn_app().await;
    let t = app.create_tenant("acme").await;
    let res = app
        .post(&t.key, "/v1/event-types/import", &json!({"preset": "crm"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let schema =
        json!({"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}});
    let res = app
        .post(
            &t.key,
            "/v1/event-types",
            &json!({"name": "сообщение.отправлено", "group": "Чат", "schema": schema, "example": {"text": "привет"}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    for format in ["envelope", "flat", "wrapped", "cloudevents"] {
        let doc = app
            .get_json(
                &t.key,
                &format!("/v1/asyncapi.json?payload_format={format}"),
            )
            .await;
        assert_eq!(doc["asyncapi"], "3.0.0");
        let messages = doc["components"]["messages"].as_object().expect("messages");
        assert_eq!(messages.len(), 18, "17 of the preset and ours");
        let ours = messages
            .values()
            .find(|m| m["name"] == "сообщение.отправлено")
            .expect("the Cyrillic type, by its own name");
        assert_eq!(ours["tags"][0]["name"], "Чат");
        assert!(
            ours["payload"]
                .to_string()
                .contains(r#""required":["text"]"#),
            "{format}: the type's schema describes the data"
        );
        let example = &ours["examples"][0]["payload"];
        assert!(
            example.to_string().contains("привет"),
            "{format}: {example}"
        );
        assert!(ours["headers"]["properties"]["webhook-signature"].is_object());
        if let Some(out) = validate(&doc) {
            assert!(
                out.status.success(),
                "{format}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    let doc = app
        .get_json(&t.key, "/v1/asyncapi.json?payload_format=cloudevents")
        .await;
    assert_eq!(doc["defaultContentType"], "application/cloudevents+json");
    let res = app
        .get(&t.key, "/v1/asyncapi.json?payload_format=xml")
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Another tenant's document has none of it.
    let other = app.create_tenant("other").await;
    let empty = app.get_json(&other.key, "/v1/asyncapi.json").await;
    assert_eq!(empty["components"]["messages"], json!({}));
    let res = app.get("hr_nope", "/v1/asyncapi.json").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_openapi_document_describes_the_delivery_post() {
    let app = spawn_app().await;
    let doc: Value = reqwest::get(format!("{}/v1/openapi.json", app.address))
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    let post = &doc["webhooks"]["delivery"]["post"];
    let headers: Vec<&str> = post["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .map(|p| p["name"].as_str().expect("name"))
        .collect();
    for name in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
        assert!(headers.contains(&name), "{headers:?}");
    }
    let body = &post["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(
        body["required"],
        json!(["event", "event_id", "timestamp", "data"])
    );
    assert!(post["requestBody"]["content"]["application/cloudevents+json"].is_object());
}
