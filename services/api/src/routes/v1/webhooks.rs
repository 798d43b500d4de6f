//! `/v1/webhooks`: a tenant's subscriptions.

use std::collections::BTreeMap;

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use hookrelay_core::pagination::{page_limit, Direction};
use hookrelay_core::repo::event_types::EventTypeRepo;
use hookrelay_core::repo::lanes::LaneRepo;
use hookrelay_core::repo::stats::{Health, StatsRepo};
use hookrelay_core::repo::webhooks::{
    NewWebhook, WebhookListQuery, WebhookOrder, WebhookPatch, WebhookRecord, WebhookRepo,
};
use hookrelay_core::repo::GenericClient;
use hookrelay_domain::delivery::RetrySchedule;
use hookrelay_domain::flow::{CircuitState, MaxConcurrency, RateLimit, RatePeriod};
use hookrelay_domain::handshake::Handshake;
use hookrelay_domain::ordering::OrderingMode;
use hookrelay_domain::signing::check_profile;
use hookrelay_domain::{
    CustomHeaders, Description, EventType, EventTypePattern, PayloadFormat, SignatureProfile,
    SignatureScheme, ValidationError, WebhookName, WebhookSecret, WebhookUrl, MASKED_HEADER_VALUE,
};
use hookrelay_web::error::{ApiError, ErrorBody};
use hookrelay_web::extract::{not_null, present, JsonBody, QueryParams};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::app::webhooks::{check_update, create, rotate_secret};
use crate::auth::TenantAuth;
use crate::request_span::RequestTrace;
use crate::state::AppState;

/// Most patterns one webhook may subscribe to.
const MAX_EVENT_TYPES: usize = 100;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/webhooks")
            .route(web::get().to(list_webhooks))
            .route(web::post().to(create_webhook)),
    )
    .service(
        web::resource("/webhooks/{id}")
            .route(web::get().to(get_webhook))
            .route(web::patch().to(update_webhook))
            .route(web::delete().to(delete_webhook)),
    )
    .service(web::resource("/webhooks/{id}/secret").route(web::get().to(get_webhook_secret)))
    .service(web::resource("/webhooks/{id}/headers").route(web::get().to(get_webhook_headers)))
    .service(
        web::resource("/webhooks/{id}/secret/rotate").route(web::post().to(rotate_webhook_secret)),
    );
}

/// Body of `POST /v1/webhooks`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookRequest {
    /// 1-200 characters.
    #[schema(value_type = hookrelay_domain::schema::DisplayName)]
    pub name: String,
    /// At most 2000 characters.
    pub description: Option<String>,
    /// http(s) URL, at most 2048 characters, no credentials.
    #[schema(value_type = hookrelay_domain::schema::Url)]
    pub url: String,
    /// Exact types, `prefix.*` or `*`; at least one.
    pub event_types: Vec<String>,
    /// Default true.
    pub enabled: Option<bool>,
    /// Default `envelope`.
    pub payload_format: Option<PayloadFormat>,
    /// Extra headers sent with every delivery.
    pub headers: Option<BTreeMap<String, String>>,
    /// `whsec_` + base64 of 24-64 bytes (HMAC), or `whsk_` + base64 of an ed25519 seed;
    /// generated when absent.
    #[schema(value_type = Option<hookrelay_domain::schema::SigningKey>)]
    pub secret: Option<String>,
    /// `hmac-sha256` (default): `v1,` signatures with a shared secret; `ed25519`:
    /// `v1a,` signatures, verified with the webhook's `public_key` (`whpk_...`). Must
    /// match `secret` when both are given.
    pub signature_scheme: Option<SignatureScheme>,
    /// `standard` (default): Standard Webhooks headers only; `x-webhook`: also
    /// `X-Webhook-Event`, `X-Webhook-Timestamp` and `X-Webhook-Signature` (hex HMAC-SHA256
    /// of the body with the secret).
    pub signature_profile: Option<SignatureProfile>,
    /// Delays (seconds) before retry 1, 2, 3... of this webhook's deliveries: 1-20 delays,
    /// each 1 s to 24 h. Default: the installation's schedule (5, 25, 125).
    pub retry_schedule_secs: Option<Vec<u64>>,
    /// Requests in flight to this webhook at once, 1-1000 (default
    /// `delivery.default_max_concurrency`, 16). More deliveries wait their turn,
    /// unattempted.
    #[schema(minimum = 1, maximum = 1000)]
    pub max_concurrency: Option<i64>,
    /// At most this many deliveries started per `rate_limit_period`; more wait, neither
    /// failed nor charged an attempt. Null or absent: no limit.
    #[schema(minimum = 1, maximum = 1000000)]
    pub rate_limit: Option<i64>,
    /// `second` (default), `minute` or `hour`.
    pub rate_limit_period: Option<RatePeriod>,
    /// `none` (default): deliveries go out as they come, up to `max_concurrency` at once.
    /// `fifo`: one at a time per ordering key, in the order the events were accepted; the
    /// next waits until the one before it succeeded or gave up.
    pub ordering: Option<OrderingMode>,
    /// Send a test event first and save only if the receiver accepts it (2xx); otherwise
    /// answer 422 `test_failed` with the test's result in `error.detail`.
    #[serde(default)]
    pub test_first: bool,
    /// `cloudevents`: the CloudEvents validation handshake first (an `OPTIONS` request
    /// with `WebHook-Request-Origin`, and `WebHook-Request-Rate` with a rate limit); saved
    /// only if the receiver answers `WebHook-Allowed-Origin` (else 422
    /// `handshake_refused` with its answer). Its `WebHook-Allowed-Rate` becomes the rate
    /// limit (per minute); deliveries then carry `WebHook-Request-Origin`. Run again when
    /// the URL changes.
    pub handshake: Option<Handshake>,
}

/// Body of `PATCH /v1/webhooks/{id}`: only the fields given change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhookRequest {
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = hookrelay_domain::schema::DisplayName)]
    pub name: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = hookrelay_domain::schema::Url)]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = Vec<String>)]
    pub event_types: Option<Vec<String>>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = bool)]
    pub enabled: Option<bool>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = PayloadFormat)]
    pub payload_format: Option<PayloadFormat>,
    /// Replaces all custom headers.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = BTreeMap<String, String>)]
    pub headers: Option<BTreeMap<String, String>>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = SignatureProfile)]
    pub signature_profile: Option<SignatureProfile>,
    /// `null` goes back to the installation's schedule.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<u64>>)]
    pub retry_schedule_secs: Option<Option<Vec<u64>>>,
    /// 1-1000; `null` goes back to the installation's default.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 1000)]
    pub max_concurrency: Option<Option<i64>>,
    /// `null` removes the rate limit.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 1000000)]
    pub rate_limit: Option<Option<i64>>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = RatePeriod)]
    pub rate_limit_period: Option<RatePeriod>,
    /// Switching to `none` releases the deliveries waiting in its lanes at once;
    /// switching to `fifo` orders the events accepted from then on.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = OrderingMode)]
    pub ordering: Option<OrderingMode>,
    /// `cloudevents` runs the handshake now (on the new URL, if one is given); `null`
    /// drops it. A webhook with a handshake runs it again whenever its URL changes.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Handshake>)]
    pub handshake: Option<Option<Handshake>>,
}

/// A webhook subscription (never includes its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookResponse {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub url: String,
    pub event_types: Vec<String>,
    pub enabled: bool,
    pub payload_format: PayloadFormat,
    /// Custom header names, each value shown as `********` (values are receiver
    /// credentials, sealed at rest: `GET /v1/webhooks/{id}/headers` reveals them).
    pub headers: BTreeMap<String, String>,
    pub created_at: DateTime<Utc>,
    pub modified_at: DateTime<Utc>,
    /// When a delivery to it was last attempted.
    pub last_execution_at: Option<DateTime<Utc>>,
    /// Successful share (0-1) of the attempts of the last 24 hours; null without attempts.
    pub success_rate_24h: Option<f64>,
    /// HTTP status of the latest attempt; null when it got no answer or there was none.
    pub last_response_code: Option<i32>,
    /// The webhook's own retry schedule; null: the installation's.
    pub retry_schedule_secs: Option<Vec<u64>>,
    /// `standard` or `x-webhook`.
    pub signature_profile: SignatureProfile,
    /// `hmac-sha256` or `ed25519`.
    pub signature_scheme: SignatureScheme,
    /// The handshake its receiver passed (`cloudevents`), if any.
    pub handshake: Option<Handshake>,
    /// The `whpk_` public key receivers verify `v1a,` signatures with (ed25519 webhooks).
    pub public_key: Option<String>,
    /// Why hookrelay disabled it: `gone` (the receiver answered 410) or `failing` (every
    /// attempt failed for days); cleared by re-enabling it.
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<DateTime<Utc>>,
    /// Requests in flight to it at once (its own, or the installation's default).
    pub max_concurrency: u32,
    /// Deliveries started per `rate_limit_period` at most; null: no limit.
    pub rate_limit: Option<u32>,
    pub rate_limit_period: RatePeriod,
    /// `none` or `fifo` (one delivery at a time per ordering key, in order).
    pub ordering: OrderingMode,
    /// Its circuit breaker: `open` after `delivery.circuit_failures` failed attempts in a
    /// row (nothing is sent until `retry_at`), `half_open` while its probe decides.
    pub circuit: CircuitView,
    /// Deliveries waiting their turn in the dispatcher, as it last reported (a few
    /// seconds old at most).
    pub waiting: WaitingView,
}

/// A webhook's circuit breaker.
#[derive(Debug, Serialize, ToSchema)]
pub struct CircuitView {
    pub state: CircuitState,
    pub opened_at: Option<DateTime<Utc>>,
    /// When the next probe may go out (open circuits).
    pub retry_at: Option<DateTime<Utc>>,
}

/// What waits for a webhook, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct WaitingView {
    /// Deliveries held back, unattempted (they keep every retry).
    pub deliveries: i32,
    /// Why: `concurrency` (max_concurrency in flight), `rate` (rate limit), `paused`
    /// (the receiver's Retry-After), `circuit` (open circuit), `tenant_share` or
    /// `capacity` (the dispatcher's limits).
    pub reason: Option<String>,
    /// Until when the receiver asked for a pause (429/503 with Retry-After).
    pub paused_until: Option<DateTime<Utc>>,
}

impl WebhookResponse {
    /// A webhook with its recent health.
    fn with_health(r: WebhookRecord, health: Health, default_max: MaxConcurrency) -> Self {
        let now = Utc::now();
        let circuit = r.flow.circuit;
        let signature_scheme = r.signature_scheme();
        Self {
            id: r.id,
            name: r.name,
            description: r.description,
            url: r.url,
            event_types: r.event_types,
            enabled: r.enabled,
            payload_format: r.payload_format,
            headers: r
                .header_names
                .into_iter()
                .map(|name| (name, MASKED_HEADER_VALUE.to_string()))
                .collect(),
            created_at: r.created_at,
            modified_at: r.modified_at,
            last_execution_at: r.last_execution_at,
            success_rate_24h: health.success_rate_24h,
            last_response_code: health.last_response_code,
            retry_schedule_secs: r.retry_schedule.map(|s| s.delays_secs().to_vec()),
            signature_profile: r.signature_profile,
            signature_scheme,
            handshake: r.handshake,
            public_key: r.public_key,
            disabled_reason: r.disabled_reason,
            disabled_at: r.disabled_at,
            max_concurrency: r.flow.limits(default_max).max_concurrency.get(),
            rate_limit: r.flow.rate_limit.map(|l| l.count()),
            rate_limit_period: r.rate_limit_period,
            ordering: r.ordering,
            circuit: CircuitView {
                state: circuit.state_at(now),
                opened_at: circuit.opened_at,
                retry_at: circuit.retry_at,
            },
            waiting: WaitingView {
                deliveries: r.waiting_deliveries,
                reason: r.waiting_reason.map(|w| w.as_str().to_string()),
                paused_until: r.paused_until.filter(|p| *p > now),
            },
        }
    }

    /// Webhooks with their health, read in one query.
    async fn with_health_of(
        client: &impl GenericClient,
        records: Vec<WebhookRecord>,
        default_max: MaxConcurrency,
    ) -> Result<Vec<Self>, ApiError> {
        let ids: Vec<Uuid> = records.iter().map(|r| r.id).collect();
        let health = StatsRepo::health(client, &ids).await?;
        Ok(records
            .into_iter()
            .map(|r| {
                let h = health.get(&r.id).copied().unwrap_or_default();
                Self::with_health(r, h, default_max)
            })
            .collect())
    }

    async fn one(
        client: &impl GenericClient,
        record: WebhookRecord,
        default_max: MaxConcurrency,
    ) -> Result<Self, ApiError> {
        let mut all = Self::with_health_of(client, vec![record], default_max).await?;
        Ok(all.remove(0))
    }
}

/// A new webhook, with its signing secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookCreatedResponse {
    #[serde(flatten)]
    pub webhook: WebhookResponse,
    /// Signing secret (`whsec_...`), or for an ed25519 webhook its signing key
    /// (`whsk_...`; receivers get `public_key`).
    pub secret: String,
    /// Patterns that match no event type known to the catalogue (a typo?).
    pub warnings: Vec<String>,
}

/// A changed webhook, with warnings about its patterns.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookUpdatedResponse {
    #[serde(flatten)]
    pub webhook: WebhookResponse,
    /// Patterns that match no event type known to the catalogue (a typo?).
    pub warnings: Vec<String>,
}

/// One warning per pattern that matches no type of the tenant's catalogue.
async fn pattern_warnings(
    client: &impl GenericClient,
    tenant_id: Uuid,
    patterns: &[String],
) -> Result<Vec<String>, ApiError> {
    let unmatched = EventTypeRepo::unmatched(client, tenant_id, patterns).await?;
    Ok(unmatched
        .into_iter()
        .map(|p| format!("event_types: `{p}` matches no known event type"))
        .collect())
}

/// Longest grace period of a rotation: a week.
const MAX_GRACE_SECS: u64 = 7 * 24 * 3600;

/// Body of `POST /v1/webhooks/{id}/secret/rotate`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateSecretRequest {
    /// The new secret (`whsec_...` or `whsk_...`); generated when absent.
    #[schema(value_type = Option<hookrelay_domain::schema::SigningKey>)]
    pub secret: Option<String>,
    /// The new key's scheme; default the webhook's current one. Switching schemes this
    /// way signs with both keys (`v1a,` and `v1,`) during the grace period.
    pub signature_scheme: Option<SignatureScheme>,
    /// How long deliveries also carry a signature with the old secret (0 to 604800;
    /// default `delivery.secret_grace_secs`, 86400).
    #[schema(maximum = 604800)]
    pub grace_secs: Option<u64>,
}

/// A rotated secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct RotatedSecretResponse {
    /// The new signing secret, signing every delivery from now on.
    pub secret: String,
    /// Its public key (`whpk_...`) for an ed25519 key.
    pub public_key: Option<String>,
    /// Until then deliveries carry a second signature, made with the old secret.
    pub previous_secret_expires_at: DateTime<Utc>,
}

/// A webhook's signing secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookSecretResponse {
    /// `whsec_...` (HMAC) or `whsk_...` (the ed25519 signing key: keep it private).
    pub secret: String,
    /// For an ed25519 key, the `whpk_...` public key receivers verify with.
    pub public_key: Option<String>,
}

/// A webhook's custom headers, values included.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookHeadersResponse {
    pub headers: BTreeMap<String, String>,
}

/// One page of webhooks.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookPage {
    pub items: Vec<WebhookResponse>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
    /// Webhooks matching the filters, on all pages (one count query per request).
    pub total: i64,
}

/// Query of `GET /v1/webhooks`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListWebhooksParams {
    /// Only webhooks that would receive this event type.
    #[param(min_length = 1)]
    pub event: Option<String>,
    /// Case-insensitive substring of the name.
    pub name: Option<String>,
    /// Case-insensitive substring of the name or the URL.
    pub search: Option<String>,
    pub enabled: Option<bool>,
    /// `true`: only webhooks whose circuit is not closed or whose latest attempt failed;
    /// `false`: only the others.
    pub failing: Option<bool>,
    /// `name` (default), `description`, `enabled`, `created`, `modified` or
    /// `last_execution`.
    #[param(pattern = "^(name|description|enabled|created|modified|last_execution)$")]
    pub order: Option<String>,
    /// `asc` (default) or `desc`.
    #[param(pattern = "^(asc|desc)$")]
    pub direction: Option<String>,
    /// 1-100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn parse_event_types(
    field: &str,
    types: Vec<String>,
) -> Result<Vec<EventTypePattern>, ValidationError> {
    if types.is_empty() {
        return Err(ValidationError::new(
            field,
            "must contain at least one event type",
        ));
    }
    if types.len() > MAX_EVENT_TYPES {
        return Err(ValidationError::new(
            field,
            format!("at most {MAX_EVENT_TYPES} entries"),
        ));
    }
    let mut out: Vec<EventTypePattern> = Vec::with_capacity(types.len());
    for (i, t) in types.into_iter().enumerate() {
        let p = EventTypePattern::parse(&format!("{field}[{i}]"), t)?;
        if !out.contains(&p) {
            out.push(p);
        }
    }
    Ok(out)
}

fn parse_direction(s: Option<&str>) -> Result<Direction, ValidationError> {
    match s {
        None | Some("asc") => Ok(Direction::Asc),
        Some("desc") => Ok(Direction::Desc),
        Some(_) => Err(ValidationError::new("direction", "must be asc or desc")),
    }
}

async fn parse_new(
    state: &AppState,
    body: CreateWebhookRequest,
) -> Result<NewWebhook, ValidationError> {
    let name = WebhookName::parse(body.name)?;
    let description = body.description.map(Description::parse).transpose()?;
    let url = WebhookUrl::parse(&body.url)?;
    let event_types = parse_event_types("event_types", body.event_types)?;
    let headers = CustomHeaders::parse(body.headers.unwrap_or_default())?;
    let secret = WebhookSecret::given_or_generated(body.secret.as_deref(), body.signature_scheme)?;
    let signature_profile = body.signature_profile.unwrap_or_default();
    check_profile(signature_profile, secret.scheme(), "signature_profile")?;
    state.check_url(&url).await?;
    let retry_schedule = body
        .retry_schedule_secs
        .map(|d| RetrySchedule::parse("retry_schedule_secs", d))
        .transpose()?;
    let max_concurrency = body
        .max_concurrency
        .map(|m| MaxConcurrency::parse("max_concurrency", m))
        .transpose()?;
    let rate_limit = body
        .rate_limit
        .map(|n| RateLimit::parse(n, body.rate_limit_period))
        .transpose()?;
    Ok(NewWebhook {
        max_concurrency,
        rate_limit,
        ordering: body.ordering.unwrap_or_default(),
        name,
        description,
        url,
        event_types,
        enabled: body.enabled.unwrap_or(true),
        payload_format: body.payload_format.unwrap_or_default(),
        headers,
        secret,
        retry_schedule,
        signature_profile,
        handshake: body.handshake,
    })
}

async fn parse_patch(
    state: &AppState,
    body: UpdateWebhookRequest,
) -> Result<WebhookPatch, ValidationError> {
    let url = body.url.as_deref().map(WebhookUrl::parse).transpose()?;
    if let Some(url) = &url {
        state.check_url(url).await?;
    }
    Ok(WebhookPatch {
        max_concurrency: body
            .max_concurrency
            .map(|m| {
                m.map(|m| MaxConcurrency::parse("max_concurrency", m))
                    .transpose()
            })
            .transpose()?,
        rate_limit: body
            .rate_limit
            .map(|n| {
                n.map(|n| RateLimit::parse(n, None).map(|r| r.count()))
                    .transpose()
            })
            .transpose()?,
        rate_limit_period: body.rate_limit_period,
        ordering: body.ordering,
        signature_profile: body.signature_profile,
        retry_schedule: body
            .retry_schedule_secs
            .map(|s| {
                s.map(|d| RetrySchedule::parse("retry_schedule_secs", d))
                    .transpose()
            })
            .transpose()?,
        name: body.name.map(WebhookName::parse).transpose()?,
        description: body
            .description
            .map(|d| d.map(Description::parse).transpose())
            .transpose()?,
        url,
        event_types: body
            .event_types
            .map(|t| parse_event_types("event_types", t))
            .transpose()?,
        enabled: body.enabled,
        payload_format: body.payload_format,
        headers: body.headers.map(CustomHeaders::parse).transpose()?,
        handshake: body.handshake,
    })
}

/// Creates a webhook subscription.
#[utoipa::path(
    post, path = "/v1/webhooks", tag = "webhooks",
    request_body = CreateWebhookRequest,
    security(("api_key" = [])),
    responses(
        (status = 201, body = WebhookCreatedResponse),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "a field is invalid, or (`test_failed`) the test send of `test_first` failed"),
        (status = 429, body = ErrorBody, description = "`test_first` over `api.test_sends_per_minute`"),
    )
)]
pub async fn create_webhook(
    auth: TenantAuth,
    state: web::Data<AppState>,
    trace: RequestTrace,
    JsonBody(body): JsonBody<CreateWebhookRequest>,
) -> Result<HttpResponse, ApiError> {
    let test_first = body.test_first;
    let new = parse_new(&state, body).await?;
    let secret = new.secret.expose().to_string();
    let record = create(&state, auth.tenant_id, new, test_first, &trace.0).await?;
    let client = state.pool.get().await?;
    let warnings = pattern_warnings(&client, auth.tenant_id, &record.event_types).await?;
    Ok(HttpResponse::Created().json(WebhookCreatedResponse {
        webhook: WebhookResponse::with_health(
            record,
            Health::default(),
            state.default_max_concurrency(),
        ),
        secret,
        warnings,
    }))
}

/// Lists webhooks, filtered, ordered and paginated.
#[utoipa::path(
    get, path = "/v1/webhooks", tag = "webhooks",
    params(ListWebhooksParams),
    security(("api_key" = [])),
    responses((status = 200, body = WebhookPage), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn list_webhooks(
    auth: TenantAuth,
    state: web::Data<AppState>,
    QueryParams(params): QueryParams<ListWebhooksParams>,
) -> Result<HttpResponse, ApiError> {
    let query = WebhookListQuery {
        event: params
            .event
            .map(|e| EventType::parse("event", e))
            .transpose()?,
        name: params.name,
        search: params.search,
        enabled: params.enabled,
        failing: params.failing,
        order: params
            .order
            .as_deref()
            .map(WebhookOrder::parse)
            .transpose()?
            .unwrap_or_default(),
        direction: parse_direction(params.direction.as_deref())?,
        limit: page_limit(params.limit)?,
        cursor: state.cursors.open(params.cursor)?,
    };
    let client = state.pool.get().await?;
    let (items, next_cursor) = WebhookRepo::list(&client, auth.tenant_id, &query).await?;
    Ok(HttpResponse::Ok().json(WebhookPage {
        items: WebhookResponse::with_health_of(&client, items, state.default_max_concurrency())
            .await?,
        total: WebhookRepo::count(&client, auth.tenant_id, &query).await?,
        next_cursor: state.cursors.seal(next_cursor),
    }))
}

/// One webhook.
#[utoipa::path(
    get, path = "/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = Uuid, Path)),
    security(("api_key" = [])),
    responses((status = 200, body = WebhookResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_webhook(
    auth: TenantAuth,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let client = state.pool.get().await?;
    let record = WebhookRepo::get(&client, auth.tenant_id, id.into_inner())
        .await?
        .ok_or(ApiError::NotFound("webhook"))?;
    Ok(HttpResponse::Ok()
        .json(WebhookResponse::one(&client, record, state.default_max_concurrency()).await?))
}

/// A webhook's signing secret.
#[utoipa::path(
    get, path = "/v1/webhooks/{id}/secret", tag = "webhooks",
    params(("id" = Uuid, Path)),
    security(("api_key" = [])),
    responses((status = 200, body = WebhookSecretResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_webhook_secret(
    auth: TenantAuth,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let client = state.pool.get().await?;
    let secret = WebhookRepo::secret(&client, auth.tenant_id, id.into_inner(), &state.cipher)
        .await?
        .ok_or(ApiError::NotFound("webhook"))?;
    // An ed25519 signing key is needed by no receiver (they hold the public key): only
    // the tenant's API key may read it, never a portal session.
    if secret.scheme() == SignatureScheme::Ed25519 {
        auth.require_api_key()?;
    }
    Ok(HttpResponse::Ok().json(WebhookSecretResponse {
        secret: secret.expose().to_string(),
        public_key: secret.public_key(),
    }))
}

/// A webhook's custom headers with their values (answers elsewhere mask them).
#[utoipa::path(
    get, path = "/v1/webhooks/{id}/headers", tag = "webhooks",
    params(("id" = Uuid, Path)),
    security(("api_key" = [])),
    responses((status = 200, body = WebhookHeadersResponse), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_webhook_headers(
    auth: TenantAuth,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let client = state.pool.get().await?;
    let headers = WebhookRepo::headers(&client, auth.tenant_id, id.into_inner(), &state.cipher)
        .await?
        .ok_or(ApiError::NotFound("webhook"))?;
    Ok(HttpResponse::Ok().json(WebhookHeadersResponse {
        headers: headers.as_map().clone(),
    }))
}

/// Changes some fields of a webhook.
#[utoipa::path(
    patch, path = "/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = Uuid, Path)),
    request_body = UpdateWebhookRequest,
    security(("api_key" = [])),
    responses(
        (status = 200, body = WebhookUpdatedResponse),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn update_webhook(
    auth: TenantAuth,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    JsonBody(body): JsonBody<UpdateWebhookRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let mut body = body;
    if let Some(headers) = body.headers.take() {
        let client = state.pool.get().await?;
        body.headers = Some(unmask_headers(&client, &state, auth.tenant_id, id, headers).await?);
    }
    let patch = parse_patch(&state, body).await?;
    // Before taking a connection: a handshake waits on the receiver.
    let patch = check_update(&state, auth.tenant_id, id, patch).await?;
    let client = state.pool.get().await?;
    let unordered = patch.ordering == Some(OrderingMode::None);
    let record = WebhookRepo::update(&client, auth.tenant_id, id, patch, &state.cipher)
        .await?
        .ok_or(ApiError::NotFound("webhook"))?;
    if unordered {
        // Deliveries waiting behind a lane's head had their jobs dropped: send them now.
        let released = LaneRepo::release(&client, auth.tenant_id, record.id).await?;
        state.outbox.committed(released);
    }
    let warnings = pattern_warnings(&client, auth.tenant_id, &record.event_types).await?;
    Ok(HttpResponse::Ok().json(WebhookUpdatedResponse {
        webhook: WebhookResponse::one(&client, record, state.default_max_concurrency()).await?,
        warnings,
    }))
}

/// Puts the current value back where a PATCH sent a header's mask (a form that round-trips
/// what GET answered keeps the values it never saw).
async fn unmask_headers(
    client: &impl GenericClient,
    state: &AppState,
    tenant_id: Uuid,
    id: Uuid,
    mut headers: BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, ApiError> {
    if !headers.values().any(|v| v == MASKED_HEADER_VALUE) {
        return Ok(headers);
    }
    let current = WebhookRepo::headers(client, tenant_id, id, &state.cipher)
        .await?
        .ok_or(ApiError::NotFound("webhook"))?;
    for (name, value) in headers
        .iter_mut()
        .filter(|(_, v)| *v == MASKED_HEADER_VALUE)
    {
        *value = current
            .as_map()
            .get(&name.to_ascii_lowercase())
            .cloned()
            .ok_or_else(|| {
                ApiError::validation(
                    format!("headers.{name}"),
                    "is the mask of a current value, and the webhook has no such header",
                )
            })?;
    }
    Ok(headers)
}

/// Deletes a webhook; pending deliveries to it are cancelled.
#[utoipa::path(
    delete, path = "/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = Uuid, Path)),
    security(("api_key" = [])),
    responses((status = 204, description = "deleted"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn delete_webhook(
    auth: TenantAuth,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let client = state.pool.get().await?;
    if !WebhookRepo::delete(&client, auth.tenant_id, id.into_inner()).await? {
        return Err(ApiError::NotFound("webhook"));
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Replaces a webhook's signing secret. During the grace period every delivery carries
/// two `v1,` signatures (new first, then old), so receivers can switch without losing
/// a delivery; afterwards only the new one.
#[utoipa::path(
    post, path = "/v1/webhooks/{id}/secret/rotate", tag = "webhooks",
    params(("id" = Uuid, Path)),
    request_body = RotateSecretRequest,
    security(("api_key" = [])),
    responses(
        (status = 200, body = RotatedSecretResponse),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn rotate_webhook_secret(
    auth: TenantAuth,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    JsonBody(body): JsonBody<RotateSecretRequest>,
) -> Result<HttpResponse, ApiError> {
    let grace = body
        .grace_secs
        .unwrap_or(state.settings.delivery.secret_grace_secs);
    if grace > MAX_GRACE_SECS {
        return Err(ValidationError::new(
            "grace_secs",
            format!("must be at most {MAX_GRACE_SECS} (7 days)"),
        )
        .into());
    }
    let (secret, expires) = rotate_secret(
        &state,
        auth.tenant_id,
        id.into_inner(),
        body.secret.as_deref(),
        body.signature_scheme,
        grace,
    )
    .await?;
    Ok(HttpResponse::Ok().json(RotatedSecretResponse {
        secret: secret.expose().to_string(),
        public_key: secret.public_key(),
        previous_secret_expires_at: expires,
    }))
}
