//! `/v1` routes.

use actix_web::web;

pub mod api_keys;
pub mod tenants;
pub mod webhooks;

/// Mounts every `/v1` route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/v1")
            .route("/openapi.json", web::get().to(crate::openapi::serve))
            .configure(tenants::configure)
            .configure(api_keys::configure)
            .configure(webhooks::configure),
    );
}
