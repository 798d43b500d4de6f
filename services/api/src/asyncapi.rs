//! The delivery request, described for receivers: `GET /v1/asyncapi.json` is an AsyncAPI
//! 3.0 document of the tenant's catalogue (one message per event type, with its schema,
//! an example body and the delivery headers), and the OpenAPI document's `webhooks`
//! section describes the same POST. Body and header schemas come from the domain
//! (`payload::body_schema`, `signing::delivery_headers_schema`), so both documents say
//! what the dispatcher sends.

use actix_web::{web, HttpResponse};
use chrono::Utc;
use hookrelay_core::repo::event_types::{EventTypeListQuery, EventTypeRecord, EventTypeRepo};
use hookrelay_domain::payload::{body_schema, build_body};
use hookrelay_domain::signing::delivery_headers_schema;
use hookrelay_domain::PayloadFormat;
use hookrelay_web::error::{ApiError, ErrorBody};
use hookrelay_web::extract::QueryParams;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use utoipa::IntoParams;
use uuid::Uuid;

use crate::auth::TenantAuth;
use crate::state::AppState;

/// Query of `GET /v1/asyncapi.json`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AsyncApiParams {
    /// The body format to describe (a webhook's `payload_format`); default `envelope`.
    pub payload_format: Option<PayloadFormat>,
}

/// The AsyncAPI 3.0 document of the tenant's event catalogue: what its webhooks receive.
#[utoipa::path(
    get, path = "/v1/asyncapi.json", tag = "event-types",
    params(AsyncApiParams),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "an AsyncAPI 3.0 document", content_type = "application/json"),
        (status = 401, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn get_asyncapi(
    auth: TenantAuth,
    state: web::Data<AppState>,
    QueryParams(params): QueryParams<AsyncApiParams>,
) -> Result<HttpResponse, ApiError> {
    let client = state.pool.get().await?;
    let query = EventTypeListQuery {
        group: None,
        limit: i64::from(state.settings.limits.event_types_per_tenant),
        cursor: None,
    };
    let (types, _) = EventTypeRepo::list(&client, auth.tenant_id, &query).await?;
    Ok(HttpResponse::Ok().json(document(
        &types,
        params.payload_format.unwrap_or_default(),
        &state.settings.delivery.cloudevents_source,
    )))
}

/// A channel or message key: AsyncAPI allows `[A-Za-z0-9._-]`, event names are any
/// script; the name itself stays in the message's `name`.
fn key_of(name: &str, taken: &mut Vec<String>) -> String {
    let base: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut key = base.clone();
    let mut n = 2;
    while taken.contains(&key) {
        key = format!("{base}-{n}");
        n += 1;
    }
    taken.push(key.clone());
    key
}

/// The example body of `t` in `format`, when the catalogue has an example.
fn example_body(t: &EventTypeRecord, format: PayloadFormat, source: &str) -> Option<Value> {
    let data = t.example.as_ref()?;
    let body = build_body(
        format,
        &t.name,
        Uuid::nil(),
        Uuid::nil(),
        Utc::now(),
        &data.to_string(),
        source,
    );
    serde_json::from_slice(&body).ok()
}

/// The AsyncAPI document of `types` delivered in `format`.
pub fn document(types: &[EventTypeRecord], format: PayloadFormat, source: &str) -> Value {
    let mut taken = Vec::new();
    let mut channels = Map::new();
    let mut operations = Map::new();
    let mut messages = Map::new();
    for t in types {
        let key = key_of(&t.name, &mut taken);
        let mut message = json!({
            "name": t.name,
            "title": t.name,
            "contentType": format.content_type(),
            "headers": delivery_headers_schema(),
            "payload": body_schema(format, &t.name, t.schema.clone().unwrap_or_else(|| json!({}))),
        });
        if let Some(d) = &t.description {
            message["summary"] = json!(d);
        }
        if let Some(g) = &t.group {
            message["tags"] = json!([{"name": g}]);
        }
        if t.deprecated {
            message["description"] = json!("Deprecated: it may stop being sent.");
        }
        if !t.registered {
            message["description"] =
                json!("Seen in events but not registered in the catalogue: no schema is known.");
        }
        if let Some(example) = example_body(t, format, source) {
            message["examples"] = json!([{"name": "example", "payload": example}]);
        }
        messages.insert(key.clone(), message);
        channels.insert(
            key.clone(),
            json!({
                "address": null,
                "description": format!("Deliveries of `{}` events to a webhook's URL (each webhook's own).", t.name),
                "messages": {key.clone(): {"$ref": format!("#/components/messages/{key}")}},
            }),
        );
        operations.insert(
            format!("send.{key}"),
            json!({
                "action": "send",
                "channel": {"$ref": format!("#/channels/{key}")},
                "messages": [{"$ref": format!("#/channels/{key}/messages/{key}")}],
                "summary": format!("hookrelay POSTs each `{}` event to every webhook that subscribes to it.", t.name),
            }),
        );
    }
    json!({
        "asyncapi": "3.0.0",
        "info": {
            "title": "Webhook events",
            "version": "1",
            "description": format!(
                "The events this tenant's webhooks receive, as `{}` bodies: one signed HTTP POST per event and webhook, retried on failure. Verify `webhook-signature` (Standard Webhooks) before trusting a body, and deduplicate on `webhook-id`.",
                format.as_str()
            ),
        },
        "defaultContentType": format.content_type(),
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    })
}

/// The OpenAPI `webhooks` entry of the delivery POST (an `envelope` body of any event).
pub fn openapi_webhook() -> Value {
    let headers = delivery_headers_schema();
    let parameters: Vec<Value> = headers["properties"]
        .as_object()
        .map(|props| {
            props
                .iter()
                .filter(|(name, _)| name.as_str() != "content-type")
                .map(|(name, schema)| {
                    let required = headers["required"]
                        .as_array()
                        .is_some_and(|r| r.iter().any(|n| n == name));
                    json!({"name": name, "in": "header", "required": required, "schema": schema})
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "post": {
            "summary": "A delivery: one event, signed, POSTed to a webhook's URL",
            "description": "Answer 2xx to accept it; anything else (or no answer within the timeout) is retried on the webhook's schedule. 410 disables the webhook. 429/503 with Retry-After delays the next attempt. GET /v1/asyncapi.json describes each event type's body.",
            "parameters": parameters,
            "requestBody": {
                "required": true,
                "content": {
                    "application/json": {"schema": body_schema(PayloadFormat::Envelope, "order.created", json!({}))},
                    "application/cloudevents+json": {"schema": body_schema(PayloadFormat::CloudEvents, "order.created", json!({}))},
                },
            },
            "responses": {
                "2XX": {"description": "Delivered."},
                "410": {"description": "Gone: the webhook is disabled."},
                "429": {"description": "Slow down: retried after Retry-After."},
                "default": {"description": "Failed: retried on the webhook's schedule."},
            },
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_asyncapi_safe_and_distinct() {
        let mut taken = Vec::new();
        let keys: Vec<String> = [
            "order.created",
            "сообщение.отправлено",
            "message sent",
            "message_sent",
        ]
        .iter()
        .map(|n| key_of(n, &mut taken))
        .collect();
        assert_eq!(keys[0], "order.created");
        assert!(keys.iter().all(|k| k
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))));
        let unique: std::collections::HashSet<&String> = keys.iter().collect();
        assert_eq!(unique.len(), keys.len(), "{keys:?}");
    }
}
