//! What the callback handler can reach.

use deadpool_postgres::Pool;
use hookrelay_core::outbox::Outbox;
use hookrelay_core::secrets::SecretCipher;
use hookrelay_web::limits::{AuthFailures, KeyedLimit};
use uuid::Uuid;

/// What the callback handler needs.
pub struct IngesterState {
    pub pool: Pool,
    /// Publishes the jobs of committed status events.
    pub outbox: Outbox,
    pub max_body_bytes: usize,
    /// Callbacks per callback URL (one per tenant).
    pub per_url: KeyedLimit<Uuid>,
    /// Unknown callback tokens per client address.
    pub auth_failures: AuthFailures,
    /// Opens the tenants' sealed callback signing secrets.
    pub cipher: SecretCipher,
}
