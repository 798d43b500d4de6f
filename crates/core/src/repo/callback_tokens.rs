//! The `callback_tokens` table: one secret callback URL per tenant.
//!
//! The token is `HMAC-SHA256(server key, tenant id + nonce)`: the API can show the URL
//! again by re-deriving it, while the database keeps only the nonce and the token's
//! SHA-256 (a database leak alone yields no working URL). Rotation draws a new nonce.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::GenericClient;
use crate::db::DbError;
use crate::secrets::SecretCipher;

/// A tenant's callback credentials.
#[derive(Debug, Clone)]
pub struct CallbackCredentials {
    pub token: String,
    /// Whether callbacks must be signed (the secret itself stays sealed).
    pub signing_enabled: bool,
}

/// Who a presented token belongs to.
#[derive(Debug, Clone)]
pub struct CallbackTenant {
    pub tenant_id: Uuid,
    pub signing_secret: Option<String>,
}

/// Derives the token of a tenant from the server key and the stored nonce.
pub fn derive_token(key: &[u8], tenant_id: Uuid, nonce: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(tenant_id.as_bytes());
    mac.update(nonce);
    format!("cb_{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
}

/// The stored form of a token.
pub fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn new_nonce() -> Vec<u8> {
    let mut nonce = vec![0u8; 16];
    rand::rng().fill_bytes(&mut nonce);
    nonce
}

/// Reads and writes callback tokens.
pub struct CallbackTokenRepo;

impl CallbackTokenRepo {
    /// The tenant's credentials, created on first use.
    #[tracing::instrument(name = "CallbackTokenRepo::get_or_create", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn get_or_create(
        client: &impl GenericClient,
        key: &[u8],
        tenant_id: Uuid,
    ) -> Result<CallbackCredentials, tokio_postgres::Error> {
        let nonce = new_nonce();
        let token = derive_token(key, tenant_id, &nonce);
        client
            .execute(
                "INSERT INTO callback_tokens (tenant_id, token_hash, nonce) VALUES ($1, $2, $3) \
                 ON CONFLICT (tenant_id) DO NOTHING",
                &[&tenant_id, &hash_token(&token), &nonce],
            )
            .await?;
        let row = client
            .query_one(
                "SELECT nonce, signing_secret IS NOT NULL FROM callback_tokens WHERE tenant_id = $1",
                &[&tenant_id],
            )
            .await?;
        let nonce: Vec<u8> = row.get(0);
        Ok(CallbackCredentials {
            token: derive_token(key, tenant_id, &nonce),
            signing_enabled: row.get(1),
        })
    }

    /// Replaces the token; the old one stops working at once.
    #[tracing::instrument(name = "CallbackTokenRepo::rotate", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn rotate(
        client: &impl GenericClient,
        key: &[u8],
        tenant_id: Uuid,
    ) -> Result<CallbackCredentials, tokio_postgres::Error> {
        let nonce = new_nonce();
        let token = derive_token(key, tenant_id, &nonce);
        let row = client
            .query_one(
                "INSERT INTO callback_tokens (tenant_id, token_hash, nonce) VALUES ($1, $2, $3) \
                 ON CONFLICT (tenant_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, \
                   nonce = EXCLUDED.nonce, created_at = now() \
                 RETURNING signing_secret IS NOT NULL",
                &[&tenant_id, &hash_token(&token), &nonce],
            )
            .await?;
        Ok(CallbackCredentials {
            token,
            signing_enabled: row.get(0),
        })
    }

    /// Sets or clears the secret callbacks must be signed with.
    #[tracing::instrument(name = "CallbackTokenRepo::set_signing_secret", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn set_signing_secret(
        client: &impl GenericClient,
        key: &[u8],
        tenant_id: Uuid,
        secret: Option<&str>,
        cipher: &SecretCipher,
    ) -> Result<CallbackCredentials, tokio_postgres::Error> {
        let mut creds = Self::get_or_create(client, key, tenant_id).await?;
        let sealed = secret.map(|s| cipher.seal(s));
        client
            .execute(
                "UPDATE callback_tokens SET signing_secret = $2 WHERE tenant_id = $1",
                &[&tenant_id, &sealed],
            )
            .await?;
        creds.signing_enabled = secret.is_some();
        Ok(creds)
    }

    /// Finds the tenant of a presented token.
    #[tracing::instrument(name = "CallbackTokenRepo::find", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn find(
        client: &impl GenericClient,
        token: &str,
        cipher: &SecretCipher,
    ) -> Result<Option<CallbackTenant>, DbError> {
        let row = client
            .query_opt(
                "SELECT tenant_id, signing_secret FROM callback_tokens WHERE token_hash = $1",
                &[&hash_token(token)],
            )
            .await?;
        let Some(r) = row else { return Ok(None) };
        let tenant_id: Uuid = r.get(0);
        // A secret stored before sealing was configured opens as it is.
        let signing_secret = r
            .get::<_, Option<&str>>(1)
            .map(|s| cipher.open(s))
            .transpose()
            .inspect_err(|e| super::report_corrupt("callback_tokens", tenant_id, e))?;
        Ok(Some(CallbackTenant {
            tenant_id,
            signing_secret,
        }))
    }
}
