//! The `api_keys` table: random prefixed keys, stored only as SHA-256 hashes.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use tokio_postgres::Row;
use uuid::Uuid;

use super::GenericClient;

/// Every key starts with this, so leaked keys are easy to recognise and scan for.
pub const KEY_PREFIX: &str = "hr_";

/// A key's metadata; the key itself exists only in the creation response.
#[derive(Debug, Clone)]
pub struct ApiKeyRecord {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    /// The first characters of the key, to tell keys apart.
    pub key_prefix: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Who a valid key belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Authenticated {
    pub tenant_id: Uuid,
    /// The tenant accepts only registered event types (see the event-type catalogue).
    pub strict_event_types: bool,
}

/// A freshly generated key: plaintext and hash.
pub struct GeneratedKey {
    pub plaintext: String,
    pub hash: Vec<u8>,
}

/// Generates `hr_` + 32 random bytes, URL-safe base64.
pub fn generate_key() -> GeneratedKey {
    let mut raw = [0u8; 32];
    rand::rng().fill_bytes(&mut raw);
    let plaintext = format!("{KEY_PREFIX}{}", URL_SAFE_NO_PAD.encode(raw));
    let hash = hash_key(&plaintext);
    GeneratedKey { plaintext, hash }
}

/// The stored form of a key.
pub fn hash_key(key: &str) -> Vec<u8> {
    Sha256::digest(key.as_bytes()).to_vec()
}

const COLUMNS: &str = "id, tenant_id, name, key_prefix, created_at, revoked_at";

fn from_row(row: &Row) -> ApiKeyRecord {
    ApiKeyRecord {
        id: row.get("id"),
        tenant_id: row.get("tenant_id"),
        name: row.get("name"),
        key_prefix: row.get("key_prefix"),
        created_at: row.get("created_at"),
        revoked_at: row.get("revoked_at"),
    }
}

/// Reads and writes API keys.
pub struct ApiKeyRepo;

impl ApiKeyRepo {
    /// Creates a key for a tenant; returns its record and the plaintext (shown once).
    #[tracing::instrument(name = "ApiKeyRepo::create", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn create(
        client: &impl GenericClient,
        tenant_id: Uuid,
        name: &str,
    ) -> Result<(ApiKeyRecord, String), tokio_postgres::Error> {
        let key = generate_key();
        let display_prefix: String = key.plaintext.chars().take(KEY_PREFIX.len() + 6).collect();
        let id = Uuid::now_v7();
        let row = client
            .query_one(
                &format!(
                    "INSERT INTO api_keys (id, tenant_id, name, key_prefix, key_hash) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
                ),
                &[&id, &tenant_id, &name, &display_prefix, &key.hash],
            )
            .await?;
        Ok((from_row(&row), key.plaintext))
    }

    /// Creates a key unless the tenant has `cap` live keys already (`None` then); the
    /// count and the insert are serialised per tenant.
    #[tracing::instrument(name = "ApiKeyRepo::create_capped", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn create_capped(
        client: &mut deadpool_postgres::Client,
        tenant_id: Uuid,
        name: &str,
        cap: u32,
    ) -> Result<Option<(ApiKeyRecord, String)>, tokio_postgres::Error> {
        let tx = client.transaction().await?;
        super::lock_tenant(&tx, "api_keys", tenant_id).await?;
        let live: i64 = tx
            .query_one(
                "SELECT count(*) FROM api_keys WHERE tenant_id = $1 AND revoked_at IS NULL",
                &[&tenant_id],
            )
            .await?
            .get(0);
        if live >= i64::from(cap) {
            return Ok(None);
        }
        let created = Self::create(&tx, tenant_id, name).await?;
        tx.commit().await?;
        Ok(Some(created))
    }

    /// Finds the live key with this hash (see [`hash_key`]).
    #[tracing::instrument(name = "ApiKeyRepo::authenticate", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn authenticate(
        client: &impl GenericClient,
        key_hash: &[u8],
    ) -> Result<Option<Authenticated>, tokio_postgres::Error> {
        let stmt = client
            .prepare_cached(
                "SELECT k.tenant_id, t.strict_event_types FROM api_keys k \
                 JOIN tenants t ON t.id = k.tenant_id \
                 WHERE k.key_hash = $1 AND k.revoked_at IS NULL",
            )
            .await?;
        let row = client.query_opt(&stmt, &[&key_hash]).await?;
        Ok(row.map(|r| Authenticated {
            tenant_id: r.get(0),
            strict_event_types: r.get(1),
        }))
    }

    /// All keys of a tenant, oldest first, revoked ones included.
    #[tracing::instrument(name = "ApiKeyRepo::list", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn list(
        client: &impl GenericClient,
        tenant_id: Uuid,
    ) -> Result<Vec<ApiKeyRecord>, tokio_postgres::Error> {
        let rows = client
            .query(
                &format!(
                    "SELECT {COLUMNS} FROM api_keys WHERE tenant_id = $1 ORDER BY created_at, id"
                ),
                &[&tenant_id],
            )
            .await?;
        Ok(rows.iter().map(from_row).collect())
    }

    /// Revokes a key of the tenant, unless it is the tenant's last active key (a tenant
    /// must not lock itself out). The tenant row is locked so two concurrent revocations
    /// cannot each leave the other as the last key and both succeed.
    #[tracing::instrument(name = "ApiKeyRepo::revoke", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn revoke(
        client: &mut deadpool_postgres::Client,
        tenant_id: Uuid,
        id: Uuid,
    ) -> Result<Revocation, tokio_postgres::Error> {
        let tx = client.transaction().await?;
        tx.execute(
            "SELECT 1 FROM tenants WHERE id = $1 FOR UPDATE",
            &[&tenant_id],
        )
        .await?;
        let row = tx
            .query_opt(
                "SELECT revoked_at IS NULL AS active, \
                        (SELECT count(*) FROM api_keys o \
                          WHERE o.tenant_id = $2 AND o.id <> $1 AND o.revoked_at IS NULL) AS others \
                   FROM api_keys WHERE id = $1 AND tenant_id = $2",
                &[&id, &tenant_id],
            )
            .await?;
        let Some(row) = row else {
            return Ok(Revocation::NotFound);
        };
        if row.get::<_, bool>("active") && row.get::<_, i64>("others") == 0 {
            return Ok(Revocation::LastKey);
        }
        let row = tx
            .query_one(
                &format!(
                    "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) \
                     WHERE id = $1 AND tenant_id = $2 RETURNING {COLUMNS}"
                ),
                &[&id, &tenant_id],
            )
            .await?;
        tx.commit().await?;
        Ok(Revocation::Revoked(from_row(&row)))
    }
}

/// What [`ApiKeyRepo::revoke`] did.
#[derive(Debug)]
pub enum Revocation {
    Revoked(ApiKeyRecord),
    NotFound,
    /// Refused: it is the tenant's only active key.
    LastKey,
}
