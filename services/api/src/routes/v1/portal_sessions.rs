//! `/v1/portal-sessions`: links a product hands its customers to their own webhooks page
//! in the console, signed in without an API key.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use hookrelay_core::repo::portal_sessions::{NewPortalSession, PortalSessionRepo};
use hookrelay_core::repo::tenants::TenantRepo;
use hookrelay_domain::portal::{session_secs, Locale};
use hookrelay_domain::WebhookUrl;
use hookrelay_web::error::{ApiError, ErrorBody};
use hookrelay_web::extract::JsonBody;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Access, TenantAuth};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/portal-sessions").route(web::post().to(create_portal_session)))
        .service(
            web::resource("/portal-sessions/current").route(web::get().to(current_portal_session)),
        )
        .service(
            web::resource("/portal-sessions/{id}").route(web::delete().to(revoke_portal_session)),
        );
}

/// Body of `POST /v1/portal-sessions`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePortalSessionRequest {
    /// How long the link works: 1 to 86400 seconds; 3600 when absent.
    #[schema(minimum = 1, maximum = 86400)]
    pub expires_in_secs: Option<u64>,
    /// Only reading: every write answers 403.
    #[serde(default)]
    pub read_only: bool,
    /// The console's language; the tenant's (`PATCH /v1/tenant`) when absent, else English.
    pub locale: Option<Locale>,
    /// Where the console's "back" link leads (your product's settings page).
    #[schema(value_type = Option<hookrelay_domain::schema::Url>)]
    pub return_url: Option<String>,
}

/// A new portal session. `url` opens the console signed in; `token` works as a bearer
/// token on the tenant's `/v1` routes until `expires_at`. Both are shown only here.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalSessionCreated {
    pub id: Uuid,
    /// The console, with the token in the URL fragment (browsers never send it to a
    /// server, so it stays out of access logs).
    pub url: String,
    /// `hrp_...`
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// The portal session a request is signed in with.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalSessionResponse {
    pub id: Uuid,
    pub read_only: bool,
    pub locale: Locale,
    pub return_url: Option<String>,
    pub expires_at: DateTime<Utc>,
}

/// The console's address as the caller reached this API.
fn console_url(req: &HttpRequest, token: &str) -> String {
    let info = req.connection_info();
    format!(
        "{}://{}/console/#portal={token}",
        info.scheme(),
        info.host()
    )
}

/// Creates a portal session: a link to the tenant's webhooks page for one of the product's
/// customers.
#[utoipa::path(
    post, path = "/v1/portal-sessions", tag = "portal",
    request_body = CreatePortalSessionRequest,
    security(("api_key" = [])),
    responses(
        (status = 201, body = PortalSessionCreated),
        (status = 403, body = ErrorBody, description = "`forbidden`: a portal session cannot make another"),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn create_portal_session(
    auth: TenantAuth,
    state: web::Data<AppState>,
    req: HttpRequest,
    JsonBody(body): JsonBody<CreatePortalSessionRequest>,
) -> Result<HttpResponse, ApiError> {
    auth.require_api_key()?;
    let secs = session_secs(body.expires_in_secs)?;
    let return_url = body
        .return_url
        .map(|u| WebhookUrl::parse(&u).map(|_| u))
        .transpose()
        .map_err(|e| ApiError::validation("return_url", e.message))?;
    let client = state.pool.get().await?;
    let locale = match body.locale {
        Some(asked) => asked,
        None => TenantRepo::get(&client, auth.tenant_id)
            .await?
            .and_then(|t| t.locale)
            .unwrap_or_default(),
    };
    let new = NewPortalSession {
        read_only: body.read_only,
        locale,
        return_url,
        expires_at: Utc::now() + chrono::Duration::seconds(secs as i64),
    };
    let created = PortalSessionRepo::create(&client, auth.tenant_id, &new).await?;
    Ok(HttpResponse::Created().json(PortalSessionCreated {
        id: created.id,
        url: console_url(&req, &created.token),
        token: created.token,
        expires_at: created.expires_at,
    }))
}

/// The portal session the request is signed in with (404 for an API key).
#[utoipa::path(
    get, path = "/v1/portal-sessions/current", tag = "portal",
    security(("api_key" = [])),
    responses((status = 200, body = PortalSessionResponse), (status = 404, body = ErrorBody))
)]
pub async fn current_portal_session(
    auth: TenantAuth,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let Access::Portal { session_id, .. } = auth.access else {
        return Err(ApiError::NotFound("portal session"));
    };
    let client = state.pool.get().await?;
    let session = PortalSessionRepo::get(&client, auth.tenant_id, session_id)
        .await?
        .ok_or(ApiError::NotFound("portal session"))?;
    Ok(HttpResponse::Ok().json(PortalSessionResponse {
        id: session.session_id,
        read_only: session.read_only,
        locale: session.locale,
        return_url: session.return_url,
        expires_at: session.expires_at,
    }))
}

/// Revokes a portal session: its link and token stop working at once.
#[utoipa::path(
    delete, path = "/v1/portal-sessions/{id}", tag = "portal",
    params(("id" = Uuid, Path)),
    security(("api_key" = [])),
    responses(
        (status = 204),
        (status = 403, body = ErrorBody, description = "`forbidden`: a portal session cannot revoke one"),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn revoke_portal_session(
    auth: TenantAuth,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    auth.require_api_key()?;
    let client = state.pool.get().await?;
    if !PortalSessionRepo::revoke(&client, auth.tenant_id, id.into_inner()).await? {
        return Err(ApiError::NotFound("portal session"));
    }
    Ok(HttpResponse::NoContent().finish())
}
