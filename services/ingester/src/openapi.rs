//! The ingester's OpenAPI 3 document (`GET /v1/openapi.json` on the ingester).

use actix_web::HttpResponse;
use hookrelay_web::openapi::CommonResponses;
use utoipa::OpenApi;

use crate::callbacks;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "hookrelay ingester",
        description = "Where workflows (e.g. n8n) report what became of a scheduled post."
    ),
    paths(callbacks::receive),
    modifiers(&CommonResponses)
)]
pub struct IngesterDoc;

/// `GET /v1/openapi.json`
pub async fn serve() -> HttpResponse {
    HttpResponse::Ok().json(IngesterDoc::openapi())
}
