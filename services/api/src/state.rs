//! What every handler can reach ([`AppState`]) and the API's rate limits.

use std::sync::Arc;

use deadpool_postgres::Pool;
use hookrelay_core::configuration::Settings;
use hookrelay_core::net::check_target;
use hookrelay_core::outbox::Outbox;
use hookrelay_core::pagination::CursorSeal;
use hookrelay_core::secrets::SecretCipher;
use hookrelay_core::sender::WebhookSender;
use hookrelay_domain::{TargetPolicy, ValidationError, WebhookUrl};
use hookrelay_web::error::ApiError;
use hookrelay_web::limits::{AuthFailures, KeyedLimit};
use uuid::Uuid;

use crate::auth::KeyCache;

/// What every handler can reach.
pub struct AppState {
    pub pool: Pool,
    pub settings: Arc<Settings>,
    /// Publishes the jobs of committed work.
    pub outbox: Outbox,
    pub key_cache: KeyCache,
    /// Sends test events, with the dispatcher's rules (timeout, no redirects, guard).
    pub sender: WebhookSender,
    pub limits: ApiLimits,
    /// Seals and opens webhook signing secrets at rest.
    pub cipher: SecretCipher,
    /// The strict event-type check and its compiled schemas.
    pub strict: crate::app::strict::StrictTypes,
    /// Signs listing cursors (`next_cursor`) and checks those clients send back.
    pub cursors: CursorSeal,
    /// Live log streams open, bounded per tenant.
    pub log_streams: crate::app::log_streams::LogStreams,
}

/// The API's rate limits (`[limits]` and `api.test_sends_per_minute`).
pub struct ApiLimits {
    /// Requests per API key (by key hash).
    pub per_key: KeyedLimit<Vec<u8>>,
    /// Events per tenant.
    pub events: KeyedLimit<Uuid>,
    /// Test sends per tenant.
    pub test_sends: KeyedLimit<Uuid>,
    /// Failed authentications per client address.
    pub auth_failures: AuthFailures,
}

impl ApiLimits {
    pub fn new(settings: &Settings) -> Self {
        let l = &settings.limits;
        Self {
            per_key: KeyedLimit::per_second(l.requests_per_second_per_key, l.burst_secs),
            events: KeyedLimit::per_second(l.events_per_second_per_tenant, l.burst_secs),
            test_sends: KeyedLimit::per_minute(settings.api.test_sends_per_minute),
            auth_failures: AuthFailures::per_minute(l.failed_auth_per_minute_per_address),
        }
    }
}

impl AppState {
    /// Checks a webhook URL against the installation's rules: https only when
    /// `delivery.require_https`, and no private targets unless allowed.
    /// The concurrency of webhooks without their own (`delivery.default_max_concurrency`).
    pub fn default_max_concurrency(&self) -> hookrelay_domain::flow::MaxConcurrency {
        self.settings.delivery.default_max_concurrency()
    }

    pub async fn check_url(&self, url: &WebhookUrl) -> Result<(), ValidationError> {
        if self.settings.delivery.require_https && url.url().scheme() != "https" {
            return Err(ValidationError::new(
                "url",
                "must be https:// (this installation requires HTTPS)",
            ));
        }
        check_target(url, self.target_policy()).await
    }

    /// Counts one test send of `tenant_id`; 429 with `Retry-After` beyond the quota.
    pub fn admit_test_send(&self, tenant_id: Uuid) -> Result<(), ApiError> {
        self.limits.test_sends.admit(&tenant_id, 1)
    }

    /// Whether webhook URLs may point at private addresses.
    pub fn target_policy(&self) -> TargetPolicy {
        if self.settings.delivery.allow_private_targets {
            TargetPolicy::AllowPrivate
        } else {
            TargetPolicy::PublicOnly
        }
    }
}
