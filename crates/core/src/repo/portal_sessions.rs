//! The `portal_sessions` table: links to a tenant's webhooks page, stored only as the
//! SHA-256 hash of their `hrp_` token.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hookrelay_domain::portal::{Locale, PORTAL_TOKEN_PREFIX};
use hookrelay_domain::CorruptValue;
use rand::RngCore;
use uuid::Uuid;

use super::api_keys::hash_key;
use super::GenericClient;
use crate::db::DbError;

/// A new session, as its creator asked for it.
#[derive(Debug, Clone)]
pub struct NewPortalSession {
    pub read_only: bool,
    pub locale: Locale,
    pub return_url: Option<String>,
    pub expires_at: DateTime<Utc>,
}

/// A created session and its token, which exists only in the creation answer.
#[derive(Debug, Clone)]
pub struct CreatedPortalSession {
    pub id: Uuid,
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Who a valid portal token signs in, and what it may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalSignIn {
    pub session_id: Uuid,
    pub tenant_id: Uuid,
    pub strict_event_types: bool,
    pub read_only: bool,
    pub locale: Locale,
    pub return_url: Option<String>,
    pub expires_at: DateTime<Utc>,
}

/// Reads and writes portal sessions.
pub struct PortalSessionRepo;

impl PortalSessionRepo {
    /// Creates a session of `tenant_id` with a fresh random token.
    #[tracing::instrument(name = "PortalSessionRepo::create", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn create(
        client: &impl GenericClient,
        tenant_id: Uuid,
        new: &NewPortalSession,
    ) -> Result<CreatedPortalSession, tokio_postgres::Error> {
        let mut raw = [0u8; 32];
        rand::rng().fill_bytes(&mut raw);
        let token = format!("{PORTAL_TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(raw));
        let id = Uuid::now_v7();
        client
            .execute(
                "INSERT INTO portal_sessions (id, tenant_id, token_hash, read_only, locale, \
                                              return_url, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &id,
                    &tenant_id,
                    &hash_key(&token),
                    &new.read_only,
                    &new.locale.as_str(),
                    &new.return_url,
                    &new.expires_at,
                ],
            )
            .await?;
        Ok(CreatedPortalSession {
            id,
            token,
            expires_at: new.expires_at,
        })
    }

    /// The live (unexpired, unrevoked) session whose token hashes to `token_hash`.
    #[tracing::instrument(name = "PortalSessionRepo::authenticate", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn authenticate(
        client: &impl GenericClient,
        token_hash: &[u8],
    ) -> Result<Option<PortalSignIn>, DbError> {
        Self::live(client, "s.token_hash = $1", &[&token_hash]).await
    }

    /// A live session of the tenant, by id.
    #[tracing::instrument(name = "PortalSessionRepo::get", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn get(
        client: &impl GenericClient,
        tenant_id: Uuid,
        id: Uuid,
    ) -> Result<Option<PortalSignIn>, DbError> {
        Self::live(client, "s.id = $1 AND s.tenant_id = $2", &[&id, &tenant_id]).await
    }

    async fn live(
        client: &impl GenericClient,
        condition: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Option<PortalSignIn>, DbError> {
        let stmt = client
            .prepare_cached(&format!(
                "SELECT s.id, s.tenant_id, t.strict_event_types, s.read_only, s.locale, \
                        s.return_url, s.expires_at \
                 FROM portal_sessions s JOIN tenants t ON t.id = s.tenant_id \
                 WHERE {condition} AND s.revoked_at IS NULL AND s.expires_at > now()"
            ))
            .await?;
        let Some(row) = client.query_opt(&stmt, params).await? else {
            return Ok(None);
        };
        Ok(Some(PortalSignIn {
            session_id: row.get(0),
            tenant_id: row.get(1),
            strict_event_types: row.get(2),
            read_only: row.get(3),
            locale: Locale::from_stored(row.get(4)).inspect_err(|e: &CorruptValue| {
                super::report_corrupt("portal_sessions", row.get::<_, Uuid>(0), e);
            })?,
            return_url: row.get(5),
            expires_at: row.get(6),
        }))
    }

    /// Revokes a session of the tenant; false when there is no such live session.
    #[tracing::instrument(name = "PortalSessionRepo::revoke", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn revoke(
        client: &impl GenericClient,
        tenant_id: Uuid,
        id: Uuid,
    ) -> Result<bool, tokio_postgres::Error> {
        let n = client
            .execute(
                "UPDATE portal_sessions SET revoked_at = now() \
                 WHERE id = $1 AND tenant_id = $2 AND revoked_at IS NULL",
                &[&id, &tenant_id],
            )
            .await?;
        Ok(n == 1)
    }
}
