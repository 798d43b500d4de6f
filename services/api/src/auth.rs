//! Bearer authentication: tenant API keys for `/v1`, the admin token for tenant creation.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use hookrelay_core::error::ApiError;
use hookrelay_core::repo::api_keys::ApiKeyRepo;
use uuid::Uuid;

use crate::startup::AppState;

fn bearer(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

fn state(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::Unavailable("application state missing".into()))
}

/// The tenant whose valid, unrevoked API key signed the request.
#[derive(Debug, Clone, Copy)]
pub struct TenantAuth {
    pub tenant_id: Uuid,
    pub key_id: Uuid,
}

impl FromRequest for TenantAuth {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let key = bearer(req).map(str::to_owned);
        let state = state(req);
        Box::pin(async move {
            let key = key.ok_or(ApiError::Unauthorized)?;
            if !key.starts_with(hookrelay_core::repo::api_keys::KEY_PREFIX) {
                return Err(ApiError::Unauthorized);
            }
            let state = state?;
            let client = state.pool.get().await?;
            let found = ApiKeyRepo::authenticate(&client, &key).await?;
            let auth = found.ok_or(ApiError::Unauthorized)?;
            Ok(TenantAuth {
                tenant_id: auth.tenant_id,
                key_id: auth.key_id,
            })
        })
    }
}

/// Proof that the request carried the configured admin token.
#[derive(Debug, Clone, Copy)]
pub struct AdminAuth;

impl FromRequest for AdminAuth {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let result = (|| {
            let state = state(req)?;
            let expected = state.settings.api.admin_token.as_bytes();
            let given = bearer(req).ok_or(ApiError::Unauthorized)?.as_bytes();
            // An empty admin token disables the admin routes.
            if expected.is_empty() || !constant_time_eq(expected, given) {
                return Err(ApiError::Unauthorized);
            }
            Ok(AdminAuth)
        })();
        std::future::ready(result)
    }
}

/// Compares without an early exit, so timing does not reveal the matching prefix length.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
