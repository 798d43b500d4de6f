use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::spawn_app_with;

/// The document lists exactly the routes the server serves: every documented operation
/// exists (answers 401 without credentials, never 404/405), and none is missing.
#[tokio::test]
async fn openapi_document_matches_the_served_routes() {
    // Every route is called without credentials: more failures than one address may make.
    let app = spawn_app_with(|s| s.limits.failed_auth_per_minute_per_address = 0).await;
    let res = app
        .client
        .get(format!("{}/v1/openapi.json", app.address))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::OK);
    let doc: Value = res.json().await.expect("json");
    assert!(doc["openapi"].as_str().expect("version").starts_with("3."));
    let mut documented = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for method in ops.as_object().expect("ops").keys() {
            documented.insert(format!("{} {}", method.to_uppercase(), path));
            let concrete = path
                .replace("{id}", "00000000-0000-0000-0000-000000000000")
                .replace("{name}", "a.b");
            let res = app
                .client
                .request(
                    Method::from_bytes(method.to_uppercase().as_bytes()).expect("method"),
                    format!("{}{}", app.address, concrete),
                )
                .send()
                .await
                .expect("request");
            assert_eq!(
                res.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {path} is documented but not served as an authenticated route"
            );
        }
    }
    let expected: BTreeSet<String> = [
        "POST /v1/tenants",
        "GET /v1/tenants",
        "POST /v1/tenants/{id}/api-keys",
        "GET /v1/tenant",
        "PATCH /v1/tenant",
        "GET /v1/event-types",
        "POST /v1/event-types",
        "POST /v1/event-types/import",
        "GET /v1/event-types/{name}",
        "PATCH /v1/event-types/{name}",
        "DELETE /v1/event-types/{name}",
        "GET /v1/api-keys",
        "POST /v1/api-keys",
        "DELETE /v1/api-keys/{id}",
        "GET /v1/webhooks",
        "POST /v1/webhooks",
        "GET /v1/webhooks/{id}",
        "PATCH /v1/webhooks/{id}",
        "DELETE /v1/webhooks/{id}",
        "GET /v1/webhooks/{id}/secret",
        "GET /v1/webhooks/{id}/headers",
        "POST /v1/webhooks/{id}/secret/rotate",
        "GET /v1/webhooks/{id}/logs",
        "GET /v1/webhooks/{id}/stats",
        "POST /v1/webhooks/{id}/test",
        "POST /v1/webhooks/test",
        "POST /v1/webhooks/{id}/replay",
        "GET /v1/replays/{id}",
        "POST /v1/webhooks/{id}/replay/preview",
        "POST /v1/replays/{id}/cancel",
        "GET /v1/asyncapi.json",
        "GET /v1/webhooks/{id}/logs/stream",
        "POST /v1/events",
        "GET /v1/events",
        "GET /v1/events/{id}",
        "GET /v1/deliveries",
        "GET /v1/deliveries/{id}",
        "POST /v1/deliveries/{id}/replay",
        "POST /v1/posts",
        "GET /v1/posts",
        "GET /v1/posts/{id}",
        "DELETE /v1/posts/{id}",
        "GET /v1/callbacks",
        "GET /v1/callback-url",
        "PATCH /v1/callback-url",
        "POST /v1/callback-url/rotate",
        "POST /v1/portal-sessions",
        "GET /v1/portal-sessions/current",
        "DELETE /v1/portal-sessions/{id}",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(documented, expected);
    // Every operation documents the answers any request can get (issue 15, finding 7).
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let responses = op["responses"].as_object().expect("responses");
            for status in ["401", "429", "503"] {
                assert!(
                    responses.contains_key(status),
                    "{method} {path} does not document {status}"
                );
            }
            if op.get("requestBody").is_some() {
                for status in ["400", "408", "413", "415"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path} does not document {status}"
                    );
                }
            }
        }
    }
    // Every schema a route refers to is defined.
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for part in text.split("#/components/schemas/").skip(1) {
        let name: String = part.chars().take_while(|c| *c != '"').collect();
        assert!(
            schemas.contains_key(&name),
            "schema {name} referenced but not defined"
        );
    }
}

/// Issue 25, item 4: the document's patterns are the domain's, declared once
/// (`hookrelay_domain::schema`, where each is held to its parser), not copies.
#[tokio::test]
async fn documented_patterns_are_the_domains() {
    use hookrelay_domain::schema;
    let app = crate::helpers::spawn_app().await;
    let doc: Value = app
        .client
        .get(format!("{}/v1/openapi.json", app.address))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    let schemas = &doc["components"]["schemas"];
    // The named schema a field refers to (directly, or beside `null`), and its pattern.
    let named = |schema: &str, field: &str| -> (String, String) {
        let property = &schemas[schema]["properties"][field];
        let reference = property["$ref"]
            .as_str()
            .or_else(|| {
                property["oneOf"]
                    .as_array()?
                    .iter()
                    .find_map(|s| s["$ref"].as_str())
            })
            .unwrap_or_else(|| panic!("{schema}.{field} refers to a named schema: {property}"));
        let name = reference.rsplit('/').next().expect("name").to_string();
        let pattern = schemas[&name]["pattern"]
            .as_str()
            .expect("pattern")
            .to_string();
        (name, pattern)
    };
    let expected = [
        ("DisplayName", schema::display_name_pattern()),
        ("EventTypeName", schema::event_type_pattern()),
        ("Url", schema::URL_PATTERN.to_string()),
        ("Secret", schema::SECRET_PATTERN.to_string()),
        ("SigningKey", schema::SIGNING_KEY_PATTERN.to_string()),
    ];
    for (schema, field, name) in [
        ("CreateWebhookRequest", "name", "DisplayName"),
        ("UpdateWebhookRequest", "name", "DisplayName"),
        ("CreateTenantRequest", "name", "DisplayName"),
        ("IssueApiKeyRequest", "name", "DisplayName"),
        ("CreateApiKeyRequest", "name", "DisplayName"),
        ("CreateEventRequest", "event_type", "EventTypeName"),
        ("CreateEventTypeRequest", "name", "EventTypeName"),
        ("CreateWebhookRequest", "url", "Url"),
        ("UpdateWebhookRequest", "url", "Url"),
        ("TestUrlRequest", "url", "Url"),
        ("CreateWebhookRequest", "secret", "SigningKey"),
        ("RotateSecretRequest", "secret", "SigningKey"),
        ("TestUrlRequest", "secret", "SigningKey"),
        ("UpdateCallbackUrlRequest", "signing_secret", "Secret"),
    ] {
        let (referred, pattern) = named(schema, field);
        assert_eq!(referred, name, "{schema}.{field}");
        let (_, domain) = expected.iter().find(|(n, _)| *n == name).expect("known");
        assert_eq!(&pattern, domain, "{schema}.{field}");
    }
    // The presets the API documents are the domain's.
    let presets: Vec<&str> = schemas["PresetName"]["enum"]
        .as_array()
        .expect("preset names")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let known: Vec<&str> = hookrelay_domain::presets::PRESETS
        .iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(presets, known);
    // Optional fields stay optional; a nullable one says so.
    let create = &schemas["CreateWebhookRequest"];
    let required: Vec<&str> = create["required"]
        .as_array()
        .expect("required")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        required.contains(&"name") && !required.contains(&"secret"),
        "{required:?}"
    );
    assert!(
        !schemas["UpdateWebhookRequest"]["required"]
            .as_array()
            .is_some_and(|r| r.iter().any(|f| f == "name")),
        "a PATCH field is optional"
    );
}
