//! The `webhooks` table: subscriptions of a tenant.

use chrono::{DateTime, Utc};
use hookrelay_domain::handshake::Handshake;
use hookrelay_domain::ordering::OrderingMode;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;
use uuid::Uuid;

use hookrelay_domain::{
    CorruptValue, CustomHeaders, Description, EventType, EventTypePattern, PayloadFormat,
    SignatureProfile, SignatureScheme, ValidationError, WebhookName, WebhookSecret, WebhookUrl,
};

use hookrelay_domain::delivery::{RetrySchedule, WebhookTarget};
use hookrelay_domain::flow::{
    Circuit, CircuitState, HoldReason, MaxConcurrency, RateLimit, RatePeriod, StoredFlow,
};

use super::GenericClient;
use crate::db::DbError;
use crate::fanout::pattern_match_sql;
use crate::pagination::{
    cursor_uuid, parse_pg_timestamptz, split_page, Cursor, Direction, ListError,
};
use crate::secrets::SecretCipher;

/// A webhook as stored.
#[derive(Debug, Clone)]
pub struct WebhookRecord {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub url: String,
    pub event_types: Vec<String>,
    pub enabled: bool,
    pub payload_format: PayloadFormat,
    /// Names of its custom headers; their values are sealed (see [`WebhookRepo::headers`]).
    pub header_names: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub modified_at: DateTime<Utc>,
    pub last_execution_at: Option<DateTime<Utc>>,
    /// The webhook's own retry schedule (`None`: the default).
    pub retry_schedule: Option<RetrySchedule>,
    /// Why hookrelay disabled it (`gone`, `failing`), and when.
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub signature_profile: SignatureProfile,
    /// The handshake its receiver passed.
    pub handshake: Option<Handshake>,
    /// The `whpk_` public key of its ed25519 signing key; `None`: it signs with HMAC.
    pub public_key: Option<String>,
    /// Its own limits and its circuit.
    pub flow: StoredFlow,
    /// The rate limit's period even without a rate limit (what PATCH keeps).
    pub rate_limit_period: RatePeriod,
    /// What its dispatcher last reported: deliveries waiting their turn, why, and until
    /// when the receiver asked for a pause.
    pub waiting_deliveries: i32,
    pub waiting_reason: Option<HoldReason>,
    pub paused_until: Option<DateTime<Utc>>,
    pub ordering: OrderingMode,
}

/// A validated webhook to insert.
#[derive(Debug)]
pub struct NewWebhook {
    pub name: WebhookName,
    pub description: Option<Description>,
    pub url: WebhookUrl,
    pub event_types: Vec<EventTypePattern>,
    pub enabled: bool,
    pub payload_format: PayloadFormat,
    pub headers: CustomHeaders,
    pub secret: WebhookSecret,
    pub retry_schedule: Option<RetrySchedule>,
    pub signature_profile: SignatureProfile,
    /// `None`: the installation's default.
    pub max_concurrency: Option<MaxConcurrency>,
    pub rate_limit: Option<RateLimit>,
    pub ordering: OrderingMode,
    /// The handshake its receiver passed.
    pub handshake: Option<Handshake>,
}

/// A validated partial update; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct WebhookPatch {
    pub name: Option<WebhookName>,
    /// `Some(None)` clears the description.
    pub description: Option<Option<Description>>,
    pub url: Option<WebhookUrl>,
    pub event_types: Option<Vec<EventTypePattern>>,
    pub enabled: Option<bool>,
    pub payload_format: Option<PayloadFormat>,
    pub headers: Option<CustomHeaders>,
    /// `Some(None)` goes back to the default schedule.
    pub retry_schedule: Option<Option<RetrySchedule>>,
    pub signature_profile: Option<SignatureProfile>,
    /// `Some(None)` goes back to the installation's default.
    pub max_concurrency: Option<Option<MaxConcurrency>>,
    /// `Some(None)` removes the rate limit.
    pub rate_limit: Option<Option<u32>>,
    pub rate_limit_period: Option<RatePeriod>,
    pub ordering: Option<OrderingMode>,
    /// `Some(None)` clears it (a handshake is set only once passed).
    pub handshake: Option<Option<Handshake>>,
}

/// How a webhook list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WebhookOrder {
    #[default]
    Name,
    Description,
    Enabled,
    Created,
    Modified,
    LastExecution,
}

impl WebhookOrder {
    /// Parses the `order` query value.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        match s {
            "name" => Ok(Self::Name),
            "description" => Ok(Self::Description),
            "enabled" => Ok(Self::Enabled),
            "created" => Ok(Self::Created),
            "modified" => Ok(Self::Modified),
            "last_execution" => Ok(Self::LastExecution),
            _ => Err(ValidationError::new(
                "order",
                "must be one of name, description, enabled, created, modified, last_execution",
            )),
        }
    }

    fn sort_sql(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Description => "COALESCE(description, '')",
            Self::Enabled => "enabled",
            Self::Created => "created_at",
            Self::Modified => "modified_at",
            Self::LastExecution => "COALESCE(last_execution_at, '-infinity'::timestamptz)",
        }
    }

    /// The SQL type the cursor's text key is cast back to.
    fn key_type(self) -> &'static str {
        match self {
            Self::Name | Self::Description => "text",
            Self::Enabled => "boolean",
            _ => "timestamptz",
        }
    }

    /// Checks a cursor's key before it is cast in SQL: a forged one is the caller's error.
    fn check_key(self, key: &str) -> Result<(), ValidationError> {
        let valid = match self.key_type() {
            "boolean" => matches!(key, "true" | "false"),
            "timestamptz" => parse_pg_timestamptz(key).is_some() || key == "-infinity",
            _ => true,
        };
        if valid {
            Ok(())
        } else {
            Err(ValidationError::new(
                "cursor",
                "is not a valid cursor for this listing",
            ))
        }
    }

    fn tag(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Description => "description",
            Self::Enabled => "enabled",
            Self::Created => "created",
            Self::Modified => "modified",
            Self::LastExecution => "last_execution",
        }
    }
}

/// Filters and page of a list call.
#[derive(Debug, Default)]
pub struct WebhookListQuery {
    /// Only webhooks that would receive this event type.
    pub event: Option<EventType>,
    /// Case-insensitive substring of the name.
    pub name: Option<String>,
    /// Case-insensitive substring of the name or the URL.
    pub search: Option<String>,
    pub enabled: Option<bool>,
    /// `Some(true)`: only failing webhooks ([`failing_sql`]); `Some(false)`: only others.
    pub failing: Option<bool>,
    pub order: WebhookOrder,
    pub direction: Direction,
    pub limit: i64,
    pub cursor: Option<String>,
}

/// SQL condition: the webhook is failing, its circuit not closed or its latest attempt
/// failed.
fn failing_sql() -> String {
    format!(
        "(circuit_state <> 'closed' OR COALESCE(NOT {}, false))",
        super::attempts::latest_attempt_sql("succeeded", "webhooks.id")
    )
}

/// The filters of [`WebhookListQuery`] over parameters `$1` (tenant) to `$6`, in the
/// order of `count`'s parameters.
fn list_filter_sql() -> String {
    format!(
        "tenant_id = $1 \
         AND ($2::text IS NULL OR {event_match}) \
         AND ($3::text IS NULL OR strpos(lower(name), lower($3)) > 0) \
         AND ($4::bool IS NULL OR enabled = $4) \
         AND ($5::text IS NULL OR strpos(lower(name), lower($5)) > 0 OR strpos(lower(url), lower($5)) > 0) \
         AND ($6::bool IS NULL OR {failing} = $6)",
        event_match = pattern_match_sql("$2"),
        failing = failing_sql(),
    )
}

impl WebhookRecord {
    /// How its deliveries are signed now.
    pub fn signature_scheme(&self) -> SignatureScheme {
        if self.public_key.is_some() {
            SignatureScheme::Ed25519
        } else {
            SignatureScheme::HmacSha256
        }
    }
}

impl WebhookListQuery {
    fn event_str(&self) -> Option<&str> {
        self.event.as_ref().map(|e| e.as_str())
    }
}

const COLUMNS: &str =
    "id, tenant_id, name, description, url, event_types, enabled, payload_format, \
                       headers, created_at, modified_at, last_execution_at, retry_schedule_secs, \
                       disabled_reason, disabled_at, signature_profile, \
                       max_concurrency, rate_limit, rate_limit_period, circuit_state, \
                       circuit_opened_at, circuit_retry_at, circuit_cooldown_secs, \
                       waiting_deliveries, waiting_reason, paused_until, ordering, public_key, handshake";

/// Reads the `retry_schedule_secs` column.
fn read_schedule(row: &Row) -> Result<Option<RetrySchedule>, CorruptValue> {
    row.get::<_, Option<Vec<i32>>>("retry_schedule_secs")
        .map(|delays| {
            let delays = delays.into_iter().map(|d| d.max(0) as u64).collect();
            RetrySchedule::parse("retry_schedule_secs", delays)
                .map_err(|e| CorruptValue::new("retry schedule", e.message))
        })
        .transpose()
}

fn schedule_sql(s: &RetrySchedule) -> Vec<i32> {
    s.delays_secs()
        .iter()
        .map(|d| i32::try_from(*d).unwrap_or(i32::MAX))
        .collect()
}

fn from_row(row: &Row) -> Result<WebhookRecord, CorruptValue> {
    let id: Uuid = row.get("id");
    read_row(row).inspect_err(|e| super::report_corrupt("webhooks", id, e))
}

fn read_row(row: &Row) -> Result<WebhookRecord, CorruptValue> {
    Ok(WebhookRecord {
        id: row.get("id"),
        tenant_id: row.get("tenant_id"),
        name: row.get("name"),
        description: row.get("description"),
        url: row.get("url"),
        event_types: row.get("event_types"),
        enabled: row.get("enabled"),
        payload_format: PayloadFormat::from_stored(row.get("payload_format"))?,
        header_names: header_names(&row.get("headers"))?,
        created_at: row.get("created_at"),
        modified_at: row.get("modified_at"),
        last_execution_at: row.get("last_execution_at"),
        retry_schedule: read_schedule(row)?,
        disabled_reason: row.get("disabled_reason"),
        disabled_at: row.get("disabled_at"),
        signature_profile: SignatureProfile::from_stored(row.get("signature_profile"))?,
        public_key: row.get("public_key"),
        handshake: read_handshake(row)?,
        flow: read_flow(row)?,
        rate_limit_period: RatePeriod::from_stored(row.get("rate_limit_period"))?,
        waiting_deliveries: row.get("waiting_deliveries"),
        waiting_reason: row
            .get::<_, Option<&str>>("waiting_reason")
            .map(HoldReason::from_stored)
            .transpose()?,
        paused_until: row.get("paused_until"),
        ordering: OrderingMode::from_stored(row.get("ordering"))?,
    })
}

/// Reads a webhook row's flow columns (`max_concurrency`, `rate_limit`,
/// `rate_limit_period`, `circuit_state`, `circuit_opened_at`, `circuit_retry_at`,
/// `circuit_cooldown_secs`).
pub(crate) fn read_flow(row: &Row) -> Result<StoredFlow, CorruptValue> {
    let circuit = Circuit {
        state: CircuitState::from_stored(row.get("circuit_state"))?,
        opened_at: row.get("circuit_opened_at"),
        retry_at: row.get("circuit_retry_at"),
        cooldown: std::time::Duration::from_secs(
            row.get::<_, Option<i32>>("circuit_cooldown_secs")
                .map_or(0, |s| u64::try_from(s).unwrap_or(0)),
        ),
        failures: 0,
    };
    Ok(StoredFlow {
        max_concurrency: row
            .get::<_, Option<i32>>("max_concurrency")
            .map(MaxConcurrency::from_stored)
            .transpose()?,
        rate_limit: row
            .get::<_, Option<i32>>("rate_limit")
            .map(|n| RateLimit::from_stored(n, row.get("rate_limit_period")))
            .transpose()?,
        circuit,
    })
}

/// Reads the delivery columns of a webhook row (`url`, `payload_format`, `headers`,
/// `secret`, `previous_secret` — the latter only while unexpired) as a [`WebhookTarget`].
pub(crate) fn read_target(row: &Row, cipher: &SecretCipher) -> Result<WebhookTarget, CorruptValue> {
    Ok(WebhookTarget {
        webhook_id: row.get("webhook_id"),
        signature_profile: SignatureProfile::from_stored(row.get("signature_profile"))?,
        url: WebhookUrl::parse(row.get("url"))
            .map_err(|e| CorruptValue::new("webhook url", e.message))?,
        payload_format: PayloadFormat::from_stored(row.get("payload_format"))?,
        headers: open_headers(row.get("headers"), cipher)?,
        secret: WebhookSecret::from_stored(&cipher.open(row.get("secret"))?)?,
        previous_secret: row
            .get::<_, Option<&str>>("previous_secret")
            .map(|s| WebhookSecret::from_stored(&cipher.open(s)?))
            .transpose()?,
        retry_schedule: read_schedule(row)?,
        handshake: read_handshake(row)?,
    })
}

/// Reads the `handshake` column.
fn read_handshake(row: &Row) -> Result<Option<Handshake>, CorruptValue> {
    row.get::<_, Option<&str>>("handshake")
        .map(Handshake::from_stored)
        .transpose()
}

/// The columns [`read_target`] reads.
const TARGET_COLUMNS: &str = "id AS webhook_id, url, payload_format, headers, secret, \
    retry_schedule_secs, signature_profile, handshake, \
    CASE WHEN previous_secret_expires_at > now() THEN previous_secret END AS previous_secret";

/// What waits for one webhook in its dispatcher (see the `waiting_*` columns).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingReport {
    pub webhook_id: Uuid,
    pub waiting: i32,
    /// `concurrency`, `rate`, `paused`, `circuit`, `tenant_share` or `capacity`.
    pub reason: Option<&'static str>,
    pub paused_until: Option<DateTime<Utc>>,
}

impl WaitingReport {
    /// Nothing waits, no pause.
    pub fn nothing(webhook_id: Uuid) -> Self {
        Self {
            webhook_id,
            waiting: 0,
            reason: None,
            paused_until: None,
        }
    }
}

/// A webhook whose state hookrelay just changed (disabled it, or its circuit).
#[derive(Debug, Clone)]
pub struct DisabledWebhook {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
}

fn disabled(r: &Row) -> DisabledWebhook {
    DisabledWebhook {
        id: r.get(0),
        tenant_id: r.get(1),
        name: r.get(2),
    }
}

/// The stored form of custom headers. Their values are often receiver credentials
/// (`Authorization`): with a sealing key each is stored as `{"sealed": "<sealed value>"}`
/// (see `secrets`); a plain string is a value from before sealing, or of an installation
/// without keys. The JSON type tells them apart: a header value may hold any character.
fn headers_json(h: &CustomHeaders, cipher: &SecretCipher) -> serde_json::Value {
    let stored = h.iter().map(|(name, value)| {
        let value = if cipher.is_sealing() {
            serde_json::json!({ "sealed": cipher.seal(value) })
        } else {
            serde_json::Value::String(value.clone())
        };
        (name.clone(), value)
    });
    serde_json::Value::Object(stored.collect())
}

fn corrupt_headers(reason: &str) -> CorruptValue {
    CorruptValue::new("custom headers", reason)
}

/// The headers a stored object holds, opened.
fn open_headers(
    stored: serde_json::Value,
    cipher: &SecretCipher,
) -> Result<CustomHeaders, CorruptValue> {
    let serde_json::Value::Object(map) = stored else {
        return Err(corrupt_headers("not an object"));
    };
    let mut plain = std::collections::BTreeMap::new();
    for (name, value) in map {
        let value = match value {
            serde_json::Value::String(plain) => plain,
            serde_json::Value::Object(o) => match o.get("sealed") {
                Some(serde_json::Value::String(sealed)) => cipher.open(sealed)?,
                _ => return Err(corrupt_headers("a value is neither a string nor sealed")),
            },
            _ => return Err(corrupt_headers("a value is neither a string nor sealed")),
        };
        plain.insert(name, value);
    }
    CustomHeaders::parse(plain).map_err(|e| corrupt_headers(&e.to_string()))
}

/// The names of stored headers, sorted.
fn header_names(stored: &serde_json::Value) -> Result<Vec<String>, CorruptValue> {
    match stored {
        serde_json::Value::Object(map) => Ok(map.keys().cloned().collect()),
        _ => Err(corrupt_headers("not an object")),
    }
}

fn patterns(p: &[EventTypePattern]) -> Vec<String> {
    p.iter().map(|p| p.as_str().to_string()).collect()
}

/// The `touched` CTE of recording attempts (`AttemptRepo::record`): the webhooks of the
/// attempts of `input` that `inserted` kept get their coarse `last_execution_at` (at most
/// once a second) and `failing_since` (set by a failure, cleared by a success).
pub(super) fn touch_cte(input: &str, inserted: &str) -> String {
    format!(
        "touched AS ( \
           UPDATE webhooks w SET last_execution_at = now(), \
                  failing_since = CASE WHEN b.ok THEN NULL ELSE COALESCE(w.failing_since, b.first_at) END \
           FROM (SELECT i.webhook_id, bool_or(i.succeeded) AS ok, min(i.started_at) AS first_at \
                 FROM {input} i JOIN {inserted} USING (delivery_id, attempt_no) GROUP BY 1) b \
           WHERE w.id = b.webhook_id \
             AND (w.last_execution_at IS NULL OR w.last_execution_at < now() - interval '1 second' \
                  OR (b.ok AND w.failing_since IS NOT NULL) OR (NOT b.ok AND w.failing_since IS NULL)) \
         )"
    )
}

/// Reads and writes webhooks; every call is scoped to one tenant.
pub struct WebhookRepo;

impl WebhookRepo {
    /// Inserts a webhook.
    #[tracing::instrument(name = "WebhookRepo::insert", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn insert(
        client: &impl GenericClient,
        tenant_id: Uuid,
        new: NewWebhook,
        cipher: &SecretCipher,
    ) -> Result<WebhookRecord, DbError> {
        let id = Uuid::now_v7();
        let description = new.description.map(Description::into_string);
        let row = client
            .query_one(
                &format!(
                    "INSERT INTO webhooks (id, tenant_id, name, description, url, event_types, \
                     enabled, payload_format, headers, secret, retry_schedule_secs, signature_profile, \
                     max_concurrency, rate_limit, rate_limit_period, ordering, public_key, handshake) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) \
                     RETURNING {COLUMNS}"
                ),
                &[
                    &id,
                    &tenant_id,
                    &new.name.into_string(),
                    &description,
                    &new.url.as_str(),
                    &patterns(&new.event_types),
                    &new.enabled,
                    &new.payload_format.as_str(),
                    &headers_json(&new.headers, cipher),
                    &cipher.seal(new.secret.expose()),
                    &new.retry_schedule.as_ref().map(schedule_sql),
                    &new.signature_profile.as_str(),
                    &new.max_concurrency.map(|m| m.get() as i32),
                    &new.rate_limit.map(|r| r.count() as i32),
                    &new
                        .rate_limit
                        .map_or(RatePeriod::Second, RateLimit::period)
                        .as_str(),
                    &new.ordering.as_str(),
                    &new.secret.public_key(),
                    &new.handshake.map(Handshake::as_str),
                ],
            )
            .await?;
        Ok(from_row(&row)?)
    }

    /// Inserts a webhook unless the tenant has `cap` already (`None` then). The count and
    /// the insert are serialised per tenant (a transaction-scoped advisory lock), so
    /// concurrent creates cannot pass the cap together.
    #[tracing::instrument(name = "WebhookRepo::insert_capped", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn insert_capped(
        client: &mut deadpool_postgres::Client,
        tenant_id: Uuid,
        new: NewWebhook,
        cipher: &SecretCipher,
        cap: u32,
    ) -> Result<Option<WebhookRecord>, DbError> {
        let tx = client.transaction().await?;
        super::lock_tenant(&tx, "webhooks", tenant_id).await?;
        if Self::count_all(&tx, tenant_id).await? >= i64::from(cap) {
            return Ok(None);
        }
        let record = Self::insert(&tx, tenant_id, new, cipher).await?;
        tx.commit().await?;
        Ok(Some(record))
    }

    /// One webhook of the tenant.
    #[tracing::instrument(name = "WebhookRepo::get", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn get(
        client: &impl GenericClient,
        tenant_id: Uuid,
        id: Uuid,
    ) -> Result<Option<WebhookRecord>, DbError> {
        let row = client
            .query_opt(
                &format!("SELECT {COLUMNS} FROM webhooks WHERE id = $1 AND tenant_id = $2"),
                &[&id, &tenant_id],
            )
            .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    /// What a delivery to one webhook of the tenant needs (test sends use it).
    #[tracing::instrument(name = "WebhookRepo::target", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn target(
        client: &impl GenericClient,
        tenant_id: Uuid,
        id: Uuid,
        cipher: &SecretCipher,
    ) -> Result<Option<WebhookTarget>, DbError> {
        let row = client
            .query_opt(
                &format!("SELECT {TARGET_COLUMNS} FROM webhooks WHERE id = $1 AND tenant_id = $2"),
                &[&id, &tenant_id],
            )
            .await?;
        let target = row.as_ref().map(|r| read_target(r, cipher)).transpose();
        Ok(target.inspect_err(|e| super::report_corrupt("webhooks", id, e))?)
    }

    /// Replaces a webhook's secret; the old one keeps signing deliveries until `grace`
    /// has passed. Returns when it expires, or `None` when the tenant has no such webhook.
    #[tracing::instrument(name = "WebhookRepo::rotate_secret", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn rotate_secret(
        client: &impl GenericClient,
        tenant_id: Uuid,
        id: Uuid,
        secret: &WebhookSecret,
        grace_secs: f64,
        cipher: &SecretCipher,
    ) -> Result<Option<DateTime<Utc>>, tokio_postgres::Error> {
        let row = client
            .query_opt(
                "UPDATE webhooks SET previous_secret = secret, \
                        previous_secret_expires_at = now() + make_interval(secs => $4), \
                        secret = $3, public_key = $5, modified_at = now() \
                 WHERE id = $1 AND tenant_id = $2 RETURNING previous_secret_expires_at",
                &[
                    &id,
                    &tenant_id,
                    &cipher.seal(secret.expose()),
                    &grace_secs,
                    &secret.public_key(),
                ],
            )
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    /// The signing secret of one webhook of the tenant.
    #[tracing::instrument(name = "WebhookRepo::secret", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn secret(
        client: &impl GenericClient,
        tenant_id: Uuid,
        id: Uuid,
        cipher: &SecretCipher,
    ) -> Result<Option<WebhookSecret>, DbError> {
        let row = client
            .query_opt(
                "SELECT secret FROM webhooks WHERE id = $1 AND tenant_id = $2",
                &[&id, &tenant_id],
            )
            .await?;
        let secret = row
            .map(|r| WebhookSecret::from_stored(&cipher.open(r.get(0))?))
            .transpose();
        Ok(secret.inspect_err(|e| super::report_corrupt("webhooks", id, e))?)
    }

    /// The custom headers of one webhook of the tenant, opened.
    #[tracing::instrument(name = "WebhookRepo::headers", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn headers(
        client: &impl GenericClient,
        tenant_id: Uuid,
        id: Uuid,
        cipher: &SecretCipher,
    ) -> Result<Option<CustomHeaders>, DbError> {
        let row = client
            .query_opt(
                "SELECT headers FROM webhooks WHERE id = $1 AND tenant_id = $2",
                &[&id, &tenant_id],
            )
            .await?;
        let headers = row.map(|r| open_headers(r.get(0), cipher)).transpose();
        Ok(headers.inspect_err(|e| super::report_corrupt("webhooks", id, e))?)
    }

    /// Seals up to `limit` webhooks' secrets and header values not yet sealed under the
    /// current key (plaintext rows from before encryption, rows of a key being rotated
    /// out); returns how many. The
    /// API runs it at start until nothing is left. A row that cannot be opened (its key is
    /// gone) is left as it is and reported.
    #[tracing::instrument(name = "WebhookRepo::reseal_batch", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn reseal_batch(
        client: &mut deadpool_postgres::Client,
        cipher: &SecretCipher,
        limit: i64,
    ) -> Result<u64, tokio_postgres::Error> {
        let Some(current) = cipher.current_prefix() else {
            return Ok(0);
        };
        let tx = client.transaction().await?;
        let rows = tx
            .query(
                "SELECT id, secret, previous_secret, headers FROM webhooks \
                  WHERE secret NOT LIKE $1 OR (previous_secret IS NOT NULL AND previous_secret NOT LIKE $1) \
                     OR EXISTS (SELECT 1 FROM jsonb_each(headers) h \
                                WHERE COALESCE(h.value->>'sealed', '') NOT LIKE $1) \
                  ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED",
                &[&current, &limit],
            )
            .await?;
        let mut resealed = 0;
        for row in &rows {
            let id: Uuid = row.get(0);
            let reseal = |stored: &str| -> Result<String, CorruptValue> {
                if cipher.is_current(stored) {
                    Ok(stored.to_string())
                } else {
                    Ok(cipher.seal(&cipher.open(stored)?))
                }
            };
            let secret = reseal(row.get(1));
            let previous = row.get::<_, Option<&str>>(2).map(reseal).transpose();
            let headers = open_headers(row.get(3), cipher).map(|h| headers_json(&h, cipher));
            match (secret, previous, headers) {
                (Ok(secret), Ok(previous), Ok(headers)) => {
                    tx.execute(
                        "UPDATE webhooks SET secret = $2, previous_secret = $3, headers = $4 \
                         WHERE id = $1",
                        &[&id, &secret, &previous, &headers],
                    )
                    .await?;
                    resealed += 1;
                }
                (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
                    super::report_corrupt("webhooks", id, &e)
                }
            }
        }
        tx.commit().await?;
        Ok(resealed)
    }

    /// Applies a partial update; `None` when the tenant has no such webhook.
    #[tracing::instrument(name = "WebhookRepo::update", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn update(
        client: &impl GenericClient,
        tenant_id: Uuid,
        id: Uuid,
        patch: WebhookPatch,
        cipher: &SecretCipher,
    ) -> Result<Option<WebhookRecord>, DbError> {
        let set_description = patch.description.is_some();
        let description = patch.description.flatten().map(Description::into_string);
        let name = patch.name.map(WebhookName::into_string);
        let url = patch.url.map(|u| u.as_str().to_string());
        let event_types = patch.event_types.as_deref().map(patterns);
        let payload_format = patch.payload_format.map(PayloadFormat::as_str);
        let headers = patch.headers.as_ref().map(|h| headers_json(h, cipher));
        let set_schedule = patch.retry_schedule.is_some();
        let schedule = patch.retry_schedule.flatten().as_ref().map(schedule_sql);
        let row = client
            .query_opt(
                &format!(
                    "UPDATE webhooks SET \
                       name = COALESCE($3, name), \
                       description = CASE WHEN $4 THEN $5 ELSE description END, \
                       url = COALESCE($6, url), \
                       event_types = COALESCE($7, event_types), \
                       enabled = COALESCE($8, enabled), \
                       payload_format = COALESCE($9, payload_format), \
                       headers = COALESCE($10, headers), \
                       retry_schedule_secs = CASE WHEN $11 THEN $12 ELSE retry_schedule_secs END, \
                       signature_profile = COALESCE($13, signature_profile), \
                       max_concurrency = CASE WHEN $14 THEN $15 ELSE max_concurrency END, \
                       rate_limit = CASE WHEN $16 THEN $17 ELSE rate_limit END, \
                       rate_limit_period = COALESCE($18, rate_limit_period), \
                       ordering = COALESCE($19, ordering), \
                       handshake = CASE WHEN $20 THEN $21 ELSE handshake END, \
                       disabled_reason = CASE WHEN $8 THEN NULL ELSE disabled_reason END, \
                       disabled_at = CASE WHEN $8 THEN NULL ELSE disabled_at END, \
                       failing_since = CASE WHEN $8 THEN NULL ELSE failing_since END, \
                       modified_at = now() \
                     WHERE id = $1 AND tenant_id = $2 RETURNING {COLUMNS}"
                ),
                &[
                    &id,
                    &tenant_id,
                    &name,
                    &set_description,
                    &description,
                    &url,
                    &event_types,
                    &patch.enabled,
                    &payload_format,
                    &headers,
                    &set_schedule,
                    &schedule,
                    &patch.signature_profile.map(SignatureProfile::as_str),
                    &patch.max_concurrency.is_some(),
                    &patch.max_concurrency.flatten().map(|m| m.get() as i32),
                    &patch.rate_limit.is_some(),
                    &patch.rate_limit.flatten().map(|n| n as i32),
                    &patch.rate_limit_period.map(RatePeriod::as_str),
                    &patch.ordering.map(OrderingMode::as_str),
                    &patch.handshake.is_some(),
                    &patch.handshake.flatten().map(Handshake::as_str),
                ],
            )
            .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    /// How many webhooks of the tenant match the list's filters (all pages): one count
    /// over the tenant's webhooks through its index, per list request.
    #[tracing::instrument(name = "WebhookRepo::count", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn count(
        client: &impl GenericClient,
        tenant_id: Uuid,
        q: &WebhookListQuery,
    ) -> Result<i64, tokio_postgres::Error> {
        let event = q.event_str();
        let sql = format!("SELECT count(*) FROM webhooks WHERE {}", list_filter_sql());
        let row = client
            .query_one(
                &sql,
                &[
                    &tenant_id, &event, &q.name, &q.enabled, &q.search, &q.failing,
                ],
            )
            .await?;
        Ok(row.get(0))
    }

    /// Disables enabled webhooks of `ids` with a reason; returns those it disabled.
    #[tracing::instrument(name = "WebhookRepo::disable", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn disable(
        client: &impl GenericClient,
        ids: &[Uuid],
        reason: &str,
    ) -> Result<Vec<DisabledWebhook>, tokio_postgres::Error> {
        let rows = client
            .query(
                "UPDATE webhooks SET enabled = FALSE, disabled_reason = $2, disabled_at = now(), \
                        modified_at = now() \
                 WHERE id = ANY($1) AND enabled RETURNING id, tenant_id, name",
                &[&ids, &reason],
            )
            .await?;
        Ok(rows.iter().map(disabled).collect())
    }

    /// Disables the webhooks whose attempts have all failed for `after_secs`, with at least
    /// `min_failures` deliveries failed in that streak (reason `failing`); returns them.
    #[tracing::instrument(name = "WebhookRepo::disable_failing", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn disable_failing(
        client: &impl GenericClient,
        after_secs: f64,
        min_failures: i64,
    ) -> Result<Vec<DisabledWebhook>, tokio_postgres::Error> {
        let rows = client
            .query(
                "UPDATE webhooks w SET enabled = FALSE, disabled_reason = 'failing', disabled_at = now(), \
                        modified_at = now() \
                 WHERE w.enabled AND w.failing_since < now() - make_interval(secs => $1) \
                   AND (SELECT COALESCE(sum(s.failed_deliveries), 0) FROM webhook_stats s \
                        WHERE s.webhook_id = w.id AND s.minute >= date_trunc('minute', w.failing_since)) >= $2::int8 \
                 RETURNING w.id, w.tenant_id, w.name",
                &[&after_secs, &min_failures],
            )
            .await?;
        Ok(rows.iter().map(disabled).collect())
    }

    /// Stores a webhook's circuit as its owning dispatcher changed it (the consecutive
    /// failure count stays in memory). Returns the webhook's tenant and name when it
    /// exists.
    #[tracing::instrument(name = "WebhookRepo::record_circuit", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn record_circuit(
        client: &impl GenericClient,
        id: Uuid,
        circuit: &Circuit,
    ) -> Result<Option<DisabledWebhook>, tokio_postgres::Error> {
        // Only closed and open are stored: half-open is an open circuit past retry_at.
        let state = match circuit.state {
            CircuitState::Closed => CircuitState::Closed,
            CircuitState::Open | CircuitState::HalfOpen => CircuitState::Open,
        };
        let cooldown_secs = (state == CircuitState::Open)
            .then(|| i32::try_from(circuit.cooldown.as_secs()).unwrap_or(i32::MAX));
        let row = client
            .query_opt(
                "UPDATE webhooks SET circuit_state = $2, circuit_opened_at = $3, \
                        circuit_retry_at = $4, circuit_cooldown_secs = $5 \
                 WHERE id = $1 RETURNING id, tenant_id, name",
                &[
                    &id,
                    &state.as_str(),
                    &circuit.opened_at,
                    &circuit.retry_at,
                    &cooldown_secs,
                ],
            )
            .await?;
        Ok(row.as_ref().map(disabled))
    }

    /// A webhook's limits and circuit (the dispatcher's scheduler reads them for a lane
    /// it has not seen); `None` when it does not exist.
    #[tracing::instrument(name = "WebhookRepo::flow", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn flow(
        client: &impl GenericClient,
        id: Uuid,
    ) -> Result<Option<StoredFlow>, DbError> {
        let row = client
            .query_opt(
                "SELECT max_concurrency, rate_limit, rate_limit_period, circuit_state, \
                        circuit_opened_at, circuit_retry_at, circuit_cooldown_secs \
                 FROM webhooks WHERE id = $1",
                &[&id],
            )
            .await?;
        Ok(row
            .as_ref()
            .map(|r| read_flow(r).inspect_err(|e| super::report_corrupt("webhooks", id, e)))
            .transpose()?)
    }

    /// Stores what waits per webhook, as its dispatcher reports it (one statement), and
    /// returns the webhooks written. A row another transaction holds (the recorder's
    /// `last_execution_at`, an API update) is skipped rather than waited for, so this
    /// report can never deadlock a recorder's batch; it is written on the next round.
    #[tracing::instrument(name = "WebhookRepo::record_waiting", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn record_waiting(
        client: &impl GenericClient,
        reports: &[WaitingReport],
    ) -> Result<Vec<Uuid>, tokio_postgres::Error> {
        let ids: Vec<Uuid> = reports.iter().map(|r| r.webhook_id).collect();
        let waiting: Vec<i32> = reports.iter().map(|r| r.waiting).collect();
        let reasons: Vec<Option<&str>> = reports.iter().map(|r| r.reason).collect();
        let paused: Vec<Option<DateTime<Utc>>> = reports.iter().map(|r| r.paused_until).collect();
        let rows = client
            .query(
                "WITH free AS ( \
                   SELECT id FROM webhooks WHERE id = ANY($1) ORDER BY id FOR UPDATE SKIP LOCKED \
                 ) \
                 UPDATE webhooks w SET waiting_deliveries = r.waiting, waiting_reason = r.reason, \
                        paused_until = r.paused_until \
                 FROM unnest($1::uuid[], $2::int4[], $3::text[], $4::timestamptz[]) \
                   AS r(id, waiting, reason, paused_until), free \
                 WHERE w.id = r.id AND free.id = r.id \
                 RETURNING w.id",
                &[&ids, &waiting, &reasons, &paused],
            )
            .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// How many webhooks the tenant has.
    #[tracing::instrument(name = "WebhookRepo::count_all", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn count_all(
        client: &impl GenericClient,
        tenant_id: Uuid,
    ) -> Result<i64, tokio_postgres::Error> {
        let row = client
            .query_one(
                "SELECT count(*) FROM webhooks WHERE tenant_id = $1",
                &[&tenant_id],
            )
            .await?;
        Ok(row.get(0))
    }

    /// Deletes a webhook; false when the tenant has no such webhook.
    #[tracing::instrument(name = "WebhookRepo::delete", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn delete(
        client: &impl GenericClient,
        tenant_id: Uuid,
        id: Uuid,
    ) -> Result<bool, tokio_postgres::Error> {
        let n = client
            .execute(
                "DELETE FROM webhooks WHERE id = $1 AND tenant_id = $2",
                &[&id, &tenant_id],
            )
            .await?;
        Ok(n == 1)
    }

    /// One page of the tenant's webhooks and the cursor of the next.
    #[tracing::instrument(name = "WebhookRepo::list", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn list(
        client: &impl GenericClient,
        tenant_id: Uuid,
        q: &WebhookListQuery,
    ) -> Result<(Vec<WebhookRecord>, Option<String>), ListError> {
        let ordering = format!("{}_{}", q.order.tag(), q.direction.tag());
        let cursor = q
            .cursor
            .as_deref()
            .map(|c| Cursor::decode(c, &ordering))
            .transpose()?;
        let cursor_id = cursor.as_ref().map(cursor_uuid).transpose()?;
        let cursor_key = cursor.map(|c| c.key);
        if let Some(key) = &cursor_key {
            q.order.check_key(key)?;
        }
        let sort = q.order.sort_sql();
        let sql = format!(
            "SELECT {COLUMNS}, ({sort})::text AS sort_key FROM webhooks \
             WHERE {filters} \
               AND ($7::text IS NULL OR ({sort}, id) {op} ($7::{key_type}, $8::uuid)) \
             ORDER BY {sort} {dir}, id {dir} LIMIT $9",
            filters = list_filter_sql(),
            op = q.direction.after_op(),
            key_type = q.order.key_type(),
            dir = q.direction.sql(),
        );
        let event = q.event_str();
        let fetch = q.limit + 1;
        let params: [&(dyn ToSql + Sync); 9] = [
            &tenant_id,
            &event,
            &q.name,
            &q.enabled,
            &q.search,
            &q.failing,
            &cursor_key,
            &cursor_id,
            &fetch,
        ];
        let rows = client.query(&sql, &params).await?;
        let records = rows
            .iter()
            .map(|r| Ok((from_row(r)?, r.get::<_, String>("sort_key"))))
            .collect::<Result<Vec<(WebhookRecord, String)>, CorruptValue>>()?;
        let (page, next) = split_page(records, q.limit, |(w, key)| Cursor {
            ordering: ordering.clone(),
            key: key.clone(),
            id: w.id.to_string(),
        });
        Ok((page.into_iter().map(|(w, _)| w).collect(), next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cipher(keys: &[&str]) -> SecretCipher {
        let keys: Vec<secrecy::SecretString> = keys.iter().map(|k| k.to_string().into()).collect();
        SecretCipher::from_keys(&keys).expect("keys")
    }

    #[test]
    fn header_values_are_sealed_at_rest_and_read_back() {
        let sealing = cipher(&["k1:dGVzdC1rZXktMzItYnl0ZXMtbG9uZy0wMTIzNDU2Nzg="]);
        let headers = CustomHeaders::parse(
            [(
                "Authorization".to_string(),
                "Bearer v1:looks-sealed".to_string(),
            )]
            .into(),
        )
        .expect("valid");
        let stored = headers_json(&headers, &sealing);
        assert!(!stored.to_string().contains("Bearer"), "{stored}");
        assert_eq!(header_names(&stored).expect("names"), ["authorization"]);
        assert_eq!(open_headers(stored, &sealing).expect("opens"), headers);
        // Without keys (development) values stay strings, and strings from before sealing
        // read as they are, whatever they look like.
        let plain = headers_json(&headers, &cipher(&[]));
        assert_eq!(plain, json!({"authorization": "Bearer v1:looks-sealed"}));
        assert_eq!(open_headers(plain, &sealing).expect("legacy"), headers);
        for bad in [
            json!([1]),
            json!({"x-a": 1}),
            json!({"x-a": {"sealed": "v1:k1:bm9wZQ=="}}),
            json!({"x-a": {"other": "x"}}),
            json!({"host": "x"}),
            json!(null),
        ] {
            assert!(open_headers(bad.clone(), &sealing).is_err(), "{bad}");
        }
    }
}
