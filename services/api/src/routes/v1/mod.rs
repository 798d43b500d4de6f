//! `/v1` routes.

use actix_web::web;

pub mod api_keys;
pub mod callback_url;
pub mod deliveries;
pub mod event_types;
pub mod events;
pub mod portal_sessions;
pub mod posts;
pub mod replays;
pub mod tenants;
pub mod webhook_logs;
pub mod webhook_stats;
pub mod webhook_tests;
pub mod webhooks;

/// Mounts every `/v1` route; `max_event_bytes` limits `POST /v1/events` bodies.
pub fn configure(cfg: &mut web::ServiceConfig, max_event_bytes: usize) {
    cfg.service(
        web::scope("/v1")
            .service(web::resource("/openapi.json").route(web::get().to(crate::openapi::serve)))
            .service(
                web::resource("/asyncapi.json").route(web::get().to(crate::asyncapi::get_asyncapi)),
            )
            .configure(tenants::configure)
            .configure(api_keys::configure)
            .configure(webhook_tests::configure)
            .configure(webhooks::configure)
            .configure(webhook_logs::configure)
            .configure(webhook_stats::configure)
            .configure(replays::configure)
            .configure(|c| events::configure(c, max_event_bytes))
            .configure(deliveries::configure)
            .configure(event_types::configure)
            .configure(posts::configure)
            .configure(portal_sessions::configure)
            .configure(callback_url::configure),
    );
}
