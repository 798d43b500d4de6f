//! The OpenAPI 3 document, generated from the handlers' annotations.

use actix_web::HttpResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use hookrelay_web::openapi::{error_response, CommonResponses};

use crate::routes::v1;

/// Every documented route of the API.
#[derive(OpenApi)]
#[openapi(
    info(title = "hookrelay API", description = "Durable webhook delivery: subscriptions, events, deliveries."),
    paths(
        v1::tenants::create_tenant,
        v1::tenants::list_tenants,
        v1::tenants::issue_api_key,
        v1::tenants::get_tenant,
        v1::tenants::update_tenant,
        v1::api_keys::list_api_keys,
        v1::api_keys::create_api_key,
        v1::api_keys::revoke_api_key,
        v1::webhooks::create_webhook,
        v1::webhooks::list_webhooks,
        v1::webhooks::get_webhook,
        v1::webhooks::get_webhook_secret,
        v1::webhooks::get_webhook_headers,
        v1::webhooks::rotate_webhook_secret,
        v1::webhooks::update_webhook,
        v1::webhooks::delete_webhook,
        v1::webhook_logs::webhook_logs,
        v1::webhook_logs::stream_webhook_logs,
        v1::webhook_stats::webhook_stats,
        v1::webhook_tests::test_webhook,
        v1::webhook_tests::test_url,
        v1::replays::replay_webhook,
        v1::replays::get_replay,
        v1::replays::preview_replay,
        v1::replays::cancel_replay,
        crate::asyncapi::get_asyncapi,
        v1::event_types::list_event_types,
        v1::event_types::import_preset,
        v1::event_types::create_event_type,
        v1::event_types::get_event_type,
        v1::event_types::update_event_type,
        v1::event_types::delete_event_type,
        v1::events::create_event,
        v1::events::list_events,
        v1::events::get_event,
        v1::deliveries::list_deliveries,
        v1::deliveries::get_delivery,
        v1::deliveries::replay_delivery,
        v1::posts::create_post,
        v1::posts::list_posts,
        v1::posts::list_callbacks,
        v1::posts::get_post,
        v1::posts::delete_post,
        v1::callback_url::get_callback_url,
        v1::callback_url::rotate_callback_url,
        v1::callback_url::update_callback_url,
        v1::portal_sessions::create_portal_session,
        v1::portal_sessions::current_portal_session,
        v1::portal_sessions::revoke_portal_session,
    ),
    modifiers(&SecuritySchemes, &PortalRefusals, &CommonResponses)
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A tenant API key (`hr_...`), or a portal session's token (`hrp_...`)",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "admin_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The configured `api.admin_token`"))
                    .build(),
            ),
        );
    }
}

/// The 403 a portal session can get on a tenant route: any write of a read-only one.
struct PortalRefusals;

impl Modify for PortalRefusals {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let writes = [
                item.post.as_mut(),
                item.put.as_mut(),
                item.patch.as_mut(),
                item.delete.as_mut(),
            ];
            for op in writes.into_iter().flatten() {
                let tenant_route = op.security.as_ref().is_some_and(|s| {
                    serde_json::to_value(s).is_ok_and(|v| v.to_string().contains("api_key"))
                });
                if tenant_route {
                    op.responses
                        .responses
                        .entry("403".to_string())
                        .or_insert_with(|| {
                            error_response("`forbidden`: a read-only portal session").into()
                        });
                }
            }
        }
    }
}

/// `GET /v1/openapi.json`: the routes, and under `webhooks` the delivery POST that
/// receivers implement (utoipa has no `webhooks` of its own).
pub async fn serve() -> HttpResponse {
    HttpResponse::Ok().json(document())
}

/// The whole OpenAPI document, as served (and as `hookrelay-api openapi` prints it for
/// the generated clients).
pub fn document() -> serde_json::Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    doc["webhooks"] = serde_json::json!({"delivery": crate::asyncapi::openapi_webhook()});
    doc
}
