//! An API key as the API shows it, in `/v1/api-keys` and in a new tenant's answer.

use chrono::{DateTime, Utc};
use hookrelay_core::repo::api_keys::ApiKeyRecord;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// An API key's metadata.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyResponse {
    pub id: Uuid,
    pub name: String,
    /// First characters of the key, to tell keys apart.
    pub key_prefix: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiKeyRecord> for ApiKeyResponse {
    fn from(r: ApiKeyRecord) -> Self {
        Self {
            id: r.id,
            name: r.name,
            key_prefix: r.key_prefix,
            created_at: r.created_at,
            revoked_at: r.revoked_at,
        }
    }
}

/// A new API key; `key` is shown only in this response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyCreated {
    #[serde(flatten)]
    pub meta: ApiKeyResponse,
    /// The secret key (`hr_...`); store it now, it cannot be read again.
    pub key: String,
}

impl ApiKeyCreated {
    pub fn new(record: ApiKeyRecord, key: String) -> Self {
        Self {
            meta: record.into(),
            key,
        }
    }
}
