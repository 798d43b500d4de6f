//! `POST /v1/tenants` (admin): a tenant and its first API key.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use hookrelay_core::repo::api_keys::ApiKeyRepo;
use hookrelay_core::repo::tenants::TenantRepo;
use hookrelay_web::error::ApiError;
use hookrelay_web::extract::JsonBody;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::api_keys::ApiKeyCreated;
use crate::auth::AdminAuth;
use crate::startup::AppState;
use hookrelay_domain::display_name;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/tenants", web::post().to(create_tenant));
}

/// Body of `POST /v1/tenants`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTenantRequest {
    /// Display name, 1-200 characters.
    pub name: String,
}

/// A tenant.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantResponse {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// The new tenant and its first API key (shown only here).
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantCreatedResponse {
    pub tenant: TenantResponse,
    pub api_key: ApiKeyCreated,
}

/// Creates a tenant with a first API key.
#[utoipa::path(
    post, path = "/v1/tenants", tag = "tenants",
    request_body = CreateTenantRequest,
    security(("admin_token" = [])),
    responses(
        (status = 201, body = TenantCreatedResponse),
        (status = 401, body = hookrelay_web::error::ErrorBody),
        (status = 422, body = hookrelay_web::error::ErrorBody),
    )
)]
pub async fn create_tenant(
    _admin: AdminAuth,
    state: web::Data<AppState>,
    JsonBody(body): JsonBody<CreateTenantRequest>,
) -> Result<HttpResponse, ApiError> {
    let name = display_name("name", body.name)?;
    let mut client = state.pool.get().await?;
    let tx = client.transaction().await?;
    let tenant = TenantRepo::insert(&tx, &name).await?;
    let (key, plaintext) = ApiKeyRepo::create(&tx, tenant.id, "default").await?;
    tx.commit().await?;
    Ok(HttpResponse::Created().json(TenantCreatedResponse {
        tenant: TenantResponse {
            id: tenant.id,
            name: tenant.name,
            created_at: tenant.created_at,
        },
        api_key: ApiKeyCreated::new(key, plaintext),
    }))
}
