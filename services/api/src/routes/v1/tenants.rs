//! Admin routes (the admin token): `POST /v1/tenants` (a tenant and its first API key),
//! `GET /v1/tenants`, `POST /v1/tenants/{id}/api-keys` (a key for an existing tenant).
//! `GET/PATCH /v1/tenant`: the calling tenant's settings.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use hookrelay_core::pagination::page_limit;
use hookrelay_core::repo::api_keys::ApiKeyRepo;
use hookrelay_core::repo::tenants::{Tenant, TenantRepo};
use hookrelay_domain::branding::Branding;
use hookrelay_domain::portal::Locale;
use hookrelay_web::error::ApiError;
use hookrelay_web::extract::{present, JsonBody, QueryParams};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{AdminAuth, TenantAuth};
use crate::state::AppState;
use crate::views::api_keys::ApiKeyCreated;
use hookrelay_domain::display_name;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/tenants")
            .route(web::get().to(list_tenants))
            .route(web::post().to(create_tenant)),
    )
    .service(web::resource("/tenants/{id}/api-keys").route(web::post().to(issue_api_key)))
    .service(
        web::resource("/tenant")
            .route(web::get().to(get_tenant))
            .route(web::patch().to(update_tenant)),
    );
}

/// Body of `PATCH /v1/tenant`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTenantRequest {
    /// Refuse events whose type is not registered in the catalogue, or whose data fails
    /// the type's JSON Schema.
    pub strict_event_types: Option<bool>,
    /// What the console shows instead of "hookrelay"; `null` clears it. Each part is
    /// checked (the colour for contrast with white text).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Branding>)]
    pub branding: Option<Option<Branding>>,
    /// The language of portal sessions that do not ask for one; `null`: English.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Locale>)]
    pub locale: Option<Option<Locale>>,
}

/// Body of `POST /v1/tenants`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTenantRequest {
    /// Display name, 1-200 characters.
    #[schema(value_type = hookrelay_domain::schema::DisplayName)]
    pub name: String,
}

/// A tenant.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantResponse {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub strict_event_types: bool,
    /// The console's branding, if set.
    pub branding: Option<Branding>,
    /// The language of its portal sessions unless one asks for another (null: English).
    pub locale: Option<Locale>,
}

impl From<Tenant> for TenantResponse {
    fn from(t: Tenant) -> Self {
        Self {
            id: t.id,
            name: t.name,
            created_at: t.created_at,
            strict_event_types: t.strict_event_types,
            branding: t.branding,
            locale: t.locale,
        }
    }
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
        tenant: tenant.into(),
        api_key: ApiKeyCreated::new(key, plaintext),
    }))
}

/// Query of `GET /v1/tenants`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListTenantsParams {
    /// 1-100, default 50.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A page of tenants, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantPage {
    pub items: Vec<TenantResponse>,
    pub next_cursor: Option<String>,
}

/// Lists tenants (admin).
#[utoipa::path(
    get, path = "/v1/tenants", tag = "tenants",
    params(ListTenantsParams),
    security(("admin_token" = [])),
    responses(
        (status = 200, body = TenantPage),
        (status = 401, body = hookrelay_web::error::ErrorBody),
        (status = 422, body = hookrelay_web::error::ErrorBody),
    )
)]
pub async fn list_tenants(
    _admin: AdminAuth,
    state: web::Data<AppState>,
    QueryParams(params): QueryParams<ListTenantsParams>,
) -> Result<HttpResponse, ApiError> {
    let limit = page_limit(params.limit)?;
    let client = state.pool.get().await?;
    let (tenants, next_cursor) = TenantRepo::list(
        &client,
        state.cursors.open(params.cursor)?.as_deref(),
        limit,
    )
    .await?;
    let items = tenants.into_iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(TenantPage {
        items,
        next_cursor: state.cursors.seal(next_cursor),
    }))
}

/// Body of `POST /v1/tenants/{id}/api-keys`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueApiKeyRequest {
    /// Display name, 1-200 characters.
    #[schema(value_type = hookrelay_domain::schema::DisplayName)]
    pub name: String,
}

/// Issues an API key for an existing tenant (admin): how a tenant that lost its keys
/// gets back in.
#[utoipa::path(
    post, path = "/v1/tenants/{id}/api-keys", tag = "tenants",
    params(("id" = Uuid, Path, description = "tenant id")),
    request_body = IssueApiKeyRequest,
    security(("admin_token" = [])),
    responses(
        (status = 201, body = ApiKeyCreated),
        (status = 401, body = hookrelay_web::error::ErrorBody),
        (status = 404, body = hookrelay_web::error::ErrorBody),
        (status = 422, body = hookrelay_web::error::ErrorBody),
    )
)]
pub async fn issue_api_key(
    _admin: AdminAuth,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    JsonBody(body): JsonBody<IssueApiKeyRequest>,
) -> Result<HttpResponse, ApiError> {
    let name = display_name("name", body.name)?;
    let mut client = state.pool.get().await?;
    let tenant = TenantRepo::get(&client, id.into_inner())
        .await?
        .ok_or(ApiError::NotFound("tenant"))?;
    let cap = state.settings.limits.api_keys_per_tenant;
    let (record, key) = ApiKeyRepo::create_capped(&mut client, tenant.id, &name, cap)
        .await?
        .ok_or_else(|| {
            ApiError::limit_reached(
                "api_keys",
                format!(
                    "a tenant may have at most {cap} live API keys (limits.api_keys_per_tenant)"
                ),
            )
        })?;
    Ok(HttpResponse::Created().json(ApiKeyCreated::new(record, key)))
}

/// The calling tenant and its settings.
#[utoipa::path(
    get, path = "/v1/tenant", tag = "tenants",
    security(("api_key" = [])),
    responses((status = 200, body = TenantResponse), (status = 401, body = hookrelay_web::error::ErrorBody))
)]
pub async fn get_tenant(
    auth: TenantAuth,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let client = state.pool.get().await?;
    let tenant = TenantRepo::get(&client, auth.tenant_id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    Ok(HttpResponse::Ok().json(TenantResponse::from(tenant)))
}

/// Changes the calling tenant's settings.
#[utoipa::path(
    patch, path = "/v1/tenant", tag = "tenants",
    request_body = UpdateTenantRequest,
    security(("api_key" = [])),
    responses(
        (status = 200, body = TenantResponse),
        (status = 400, body = hookrelay_web::error::ErrorBody),
        (status = 401, body = hookrelay_web::error::ErrorBody),
        (status = 403, body = hookrelay_web::error::ErrorBody, description = "`forbidden`: a portal session"),
        (status = 415, body = hookrelay_web::error::ErrorBody),
        (status = 422, body = hookrelay_web::error::ErrorBody),
    )
)]
pub async fn update_tenant(
    auth: TenantAuth,
    state: web::Data<AppState>,
    JsonBody(body): JsonBody<UpdateTenantRequest>,
) -> Result<HttpResponse, ApiError> {
    auth.require_api_key()?;
    let client = state.pool.get().await?;
    if let Some(strict) = body.strict_event_types {
        TenantRepo::set_strict_event_types(&client, auth.tenant_id, strict).await?;
        // The setting travels with cached keys: this process forgets them now, other
        // replicas within the key cache's TTL.
        state.key_cache.clear();
    }
    if let Some(branding) = body.branding {
        let branding = branding.map(Branding::parse).transpose()?;
        TenantRepo::set_branding(&client, auth.tenant_id, branding.as_ref()).await?;
    }
    if let Some(locale) = body.locale {
        TenantRepo::set_locale(&client, auth.tenant_id, locale).await?;
    }
    let tenant = TenantRepo::get(&client, auth.tenant_id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    Ok(HttpResponse::Ok().json(TenantResponse::from(tenant)))
}
