//! Bearer authentication: tenant API keys and portal sessions for `/v1`, the admin token
//! for tenant creation.

use secrecy::ExposeSecret;
use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use hookrelay_core::repo::api_keys::{hash_key, ApiKeyRepo, Authenticated};
use hookrelay_core::repo::portal_sessions::PortalSessionRepo;
use hookrelay_domain::portal::{may_use, PORTAL_TOKEN_PREFIX};
use hookrelay_web::error::ApiError;
use hookrelay_web::http::constant_time_eq;
use hookrelay_web::limits::client_addr;
use uuid::Uuid;

use crate::state::AppState;

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

/// What signed a tenant's request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// A tenant API key: every tenant route.
    ApiKey,
    /// A portal session (a customer's link to its webhooks page): reads, and writes unless
    /// read-only; never API keys, portal sessions or the tenant's settings.
    Portal { session_id: Uuid, read_only: bool },
}

/// The tenant whose valid, unrevoked API key or live portal session signed the request.
#[derive(Debug, Clone, Copy)]
pub struct TenantAuth {
    pub tenant_id: Uuid,
    /// The tenant's `strict_event_types` setting (cached with the key).
    pub strict_event_types: bool,
    pub access: Access,
}

impl TenantAuth {
    /// 403 for a portal session: the route is the product's, not its customer's (API keys,
    /// portal sessions, the tenant's settings).
    pub fn require_api_key(&self) -> Result<(), ApiError> {
        match self.access {
            Access::ApiKey => Ok(()),
            Access::Portal { .. } => Err(ApiError::Forbidden(
                "a portal session cannot use this route; it needs the tenant's API key".into(),
            )),
        }
    }
}

impl FromRequest for TenantAuth {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let key = bearer(req).map(str::to_owned);
        let state = state(req);
        let addr = client_addr(req);
        let method = req.method().as_str().to_owned();
        Box::pin(async move {
            let state = state?;
            // A valid key always passes: failures are counted, never checked up front.
            let Some(key) = key else {
                return Err(state.limits.auth_failures.failed(addr, None));
            };
            if key.starts_with(PORTAL_TOKEN_PREFIX) {
                let hash = hash_key(&key);
                let client = state.pool.get().await?;
                let Some(session) = PortalSessionRepo::authenticate(&client, &hash).await? else {
                    return Err(state.limits.auth_failures.failed(addr, Some(&key)));
                };
                state.limits.per_key.admit(&hash, 1)?;
                if !may_use(session.read_only, &method) {
                    return Err(ApiError::Forbidden(
                        "this portal session is read-only".into(),
                    ));
                }
                return Ok(TenantAuth {
                    tenant_id: session.tenant_id,
                    strict_event_types: session.strict_event_types,
                    access: Access::Portal {
                        session_id: session.session_id,
                        read_only: session.read_only,
                    },
                });
            }
            if !key.starts_with(hookrelay_core::repo::api_keys::KEY_PREFIX) {
                return Err(state.limits.auth_failures.failed(addr, Some(&key)));
            }
            let hash = hash_key(&key);
            let auth = match state.key_cache.get(&hash) {
                Some(auth) => auth,
                None => {
                    let client = state.pool.get().await?;
                    let Some(auth) = ApiKeyRepo::authenticate(&client, &hash).await? else {
                        return Err(state.limits.auth_failures.failed(addr, Some(&key)));
                    };
                    state.key_cache.insert(hash.clone(), auth);
                    auth
                }
            };
            state.limits.per_key.admit(&hash, 1)?;
            Ok(TenantAuth {
                tenant_id: auth.tenant_id,
                strict_event_types: auth.strict_event_types,
                access: Access::ApiKey,
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
            let addr = client_addr(req);
            let expected = state.settings.api.admin_token.expose_secret().as_bytes();
            let given = bearer(req);
            if given.is_some_and(|t| t.starts_with(PORTAL_TOKEN_PREFIX)) {
                return Err(ApiError::Forbidden(
                    "a portal session cannot use admin routes".into(),
                ));
            }
            // An empty admin token disables the admin routes.
            if expected.is_empty()
                || !constant_time_eq(expected, given.unwrap_or_default().as_bytes())
            {
                return Err(state.limits.auth_failures.failed(addr, given));
            }
            Ok(AdminAuth)
        })();
        std::future::ready(result)
    }
}

/// Valid API keys seen recently, so most requests skip the key lookup. Revoking a key
/// clears this process's cache at once; other API replicas stop accepting it within
/// [`KeyCache::TTL`].
#[derive(Default)]
pub struct KeyCache {
    entries:
        std::sync::RwLock<std::collections::HashMap<Vec<u8>, (Authenticated, std::time::Instant)>>,
}

impl KeyCache {
    /// How long a cached key is trusted without asking the database.
    pub const TTL: std::time::Duration = std::time::Duration::from_secs(10);
    const MAX_ENTRIES: usize = 10_000;

    fn get(&self, hash: &[u8]) -> Option<Authenticated> {
        let entries = self.entries.read().ok()?;
        let (auth, at) = entries.get(hash)?;
        (at.elapsed() < Self::TTL).then_some(*auth)
    }

    fn insert(&self, hash: Vec<u8>, auth: Authenticated) {
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= Self::MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(hash, (auth, std::time::Instant::now()));
        }
    }

    /// Forgets every key (after a revocation, or a change of tenant settings it carries).
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.write() {
            entries.clear();
        }
    }
}
