//! `/v1/api-keys`: a tenant's API keys.

use actix_web::{web, HttpResponse};
use hookrelay_core::repo::api_keys::{ApiKeyRepo, Revocation};
use hookrelay_domain::display_name;
use hookrelay_web::error::ApiError;
use hookrelay_web::extract::JsonBody;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::TenantAuth;
use crate::state::AppState;
use crate::views::api_keys::{ApiKeyCreated, ApiKeyResponse};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api-keys")
            .route(web::get().to(list_api_keys))
            .route(web::post().to(create_api_key)),
    )
    .service(web::resource("/api-keys/{id}").route(web::delete().to(revoke_api_key)));
}

/// Body of `POST /v1/api-keys`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKeyRequest {
    /// Display name, 1-200 characters.
    #[schema(value_type = hookrelay_domain::schema::DisplayName)]
    pub name: String,
}

/// The tenant's API keys.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyList {
    pub items: Vec<ApiKeyResponse>,
}

/// Lists the tenant's API keys, revoked ones included.
#[utoipa::path(
    get, path = "/v1/api-keys", tag = "api-keys",
    security(("api_key" = [])),
    responses((status = 200, body = ApiKeyList), (status = 401, body = hookrelay_web::error::ErrorBody), (status = 403, body = hookrelay_web::error::ErrorBody, description = "`forbidden`: a portal session"))
)]
pub async fn list_api_keys(
    auth: TenantAuth,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    auth.require_api_key()?;
    let client = state.pool.get().await?;
    let keys = ApiKeyRepo::list(&client, auth.tenant_id).await?;
    Ok(HttpResponse::Ok().json(ApiKeyList {
        items: keys.into_iter().map(Into::into).collect(),
    }))
}

/// Creates an API key.
#[utoipa::path(
    post, path = "/v1/api-keys", tag = "api-keys",
    request_body = CreateApiKeyRequest,
    security(("api_key" = [])),
    responses(
        (status = 201, body = ApiKeyCreated),
        (status = 401, body = hookrelay_web::error::ErrorBody), (status = 403, body = hookrelay_web::error::ErrorBody, description = "`forbidden`: a portal session"),
        (status = 422, body = hookrelay_web::error::ErrorBody),
    )
)]
pub async fn create_api_key(
    auth: TenantAuth,
    state: web::Data<AppState>,
    JsonBody(body): JsonBody<CreateApiKeyRequest>,
) -> Result<HttpResponse, ApiError> {
    auth.require_api_key()?;
    let name = display_name("name", body.name)?;
    let mut client = state.pool.get().await?;
    let cap = state.settings.limits.api_keys_per_tenant;
    let (record, key) = ApiKeyRepo::create_capped(&mut client, auth.tenant_id, &name, cap)
        .await?
        .ok_or_else(|| api_keys_full(cap))?;
    Ok(HttpResponse::Created().json(ApiKeyCreated::new(record, key)))
}

/// The 422 for a tenant with `cap` live keys.
fn api_keys_full(cap: u32) -> ApiError {
    ApiError::limit_reached(
        "api_keys",
        format!("a tenant may have at most {cap} live API keys (limits.api_keys_per_tenant); revoke one first"),
    )
}

/// Revokes an API key; it stops working at once.
#[utoipa::path(
    delete, path = "/v1/api-keys/{id}", tag = "api-keys",
    params(("id" = Uuid, Path, description = "API key id")),
    security(("api_key" = [])),
    responses(
        (status = 204, description = "revoked"),
        (status = 401, body = hookrelay_web::error::ErrorBody), (status = 403, body = hookrelay_web::error::ErrorBody, description = "`forbidden`: a portal session"),
        (status = 404, body = hookrelay_web::error::ErrorBody),
        (status = 409, body = hookrelay_web::error::ErrorBody, description = "`last_api_key`: the tenant's only active key"),
    )
)]
pub async fn revoke_api_key(
    auth: TenantAuth,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    auth.require_api_key()?;
    let mut client = state.pool.get().await?;
    match ApiKeyRepo::revoke(&mut client, auth.tenant_id, id.into_inner()).await? {
        Revocation::Revoked(_) => {}
        Revocation::NotFound => return Err(ApiError::NotFound("api key")),
        Revocation::LastKey => {
            return Err(ApiError::Conflict {
                code: "last_api_key",
                message:
                    "this is the tenant's only active key; create another one before revoking it"
                        .into(),
            })
        }
    }
    state.key_cache.clear();
    Ok(HttpResponse::NoContent().finish())
}
