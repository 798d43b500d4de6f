//! `/v1/posts`: scheduled posts; creating one announces `new_post_scheduled`.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use hookrelay_core::pagination::page_limit;
use hookrelay_core::repo::events::{EventRepo, NewEvent};
use hookrelay_core::repo::posts::{CallbackListQuery, CallbackLog, PostListQuery, PostRepo};
use hookrelay_domain::ordering::OrderingKey;
use hookrelay_domain::payload::canonical_data;
use hookrelay_domain::post::{deletable, scheduled_event_data, Transition, NEW_POST_SCHEDULED};
use hookrelay_domain::post::{Post, PostStatus};
use hookrelay_domain::{
    format_schedule_time, parse_schedule_time, post_text, ChannelIdentifier, EventType, Timestamp,
};
use hookrelay_web::error::{ApiError, ErrorBody};
use hookrelay_web::extract::{JsonBody, QueryParams};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::TenantAuth;
use crate::request_span::RequestTrace;
use crate::state::AppState;
use hookrelay_web::extract::idempotency_key;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/posts")
            .route(web::get().to(list_posts))
            .route(web::post().to(create_post)),
    )
    .service(
        web::resource("/posts/{id}")
            .route(web::get().to(get_post))
            .route(web::delete().to(delete_post)),
    )
    .service(web::resource("/callbacks").route(web::get().to(list_callbacks)));
}

/// Body of `POST /v1/posts`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePostRequest {
    /// `@username` or an invite link (`t.me/joinchat/...`).
    pub channel_identifier: String,
    /// 1-4096 characters.
    pub post_text_idea: String,
    /// `YYYY-MM-DD HH:MM:SS` (UTC) or RFC 3339.
    pub scheduled_at_utc: String,
}

/// A scheduled post.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostResponse {
    pub post_id: i64,
    /// `pending`, `published` or `failed`.
    pub status: String,
    pub channel_identifier: String,
    pub post_text_idea: String,
    /// `YYYY-MM-DD HH:MM:SS`, UTC.
    pub scheduled_at_utc: String,
    /// What the workflow reported with the last status change.
    pub details: Option<String>,
    /// The `new_post_scheduled` event.
    pub event_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Post> for PostResponse {
    fn from(p: Post) -> Self {
        Self {
            post_id: p.id,
            status: p.status.as_str().to_string(),
            channel_identifier: p.channel_identifier,
            post_text_idea: p.post_text_idea,
            scheduled_at_utc: format_schedule_time(p.scheduled_at_utc),
            details: p.details,
            event_id: p.event_id,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// One callback received for a post.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallbackResponse {
    pub received_at: DateTime<Utc>,
    /// The post it named (null: none could be read from the body).
    pub post_id: Option<i64>,
    pub status: Option<String>,
    pub details: Option<String>,
    /// `applied`, `duplicate`, or why it was rejected.
    pub outcome: String,
    /// The HTTP status it was answered with.
    pub status_code: i32,
    /// Same as `status_code` (the name of earlier versions).
    pub http_status: i32,
    /// The error message it was answered with (refused ones).
    pub error: Option<String>,
    /// The first 512 bytes of its body.
    pub body_excerpt: Option<String>,
}

impl From<CallbackLog> for CallbackResponse {
    fn from(c: CallbackLog) -> Self {
        Self {
            received_at: c.received_at,
            post_id: c.post_id,
            status: c.status.map(|s| s.as_str().to_string()),
            details: c.details,
            outcome: c.outcome,
            status_code: c.http_status,
            http_status: c.http_status,
            error: c.error,
            body_excerpt: c.body_excerpt,
        }
    }
}

/// One page of callbacks, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallbackPage {
    pub items: Vec<CallbackResponse>,
    pub next_cursor: Option<String>,
}

/// Query of `GET /v1/callbacks`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListCallbacksParams {
    /// The HTTP status it was answered with (e.g. 422).
    #[param(minimum = 100, maximum = 599)]
    pub status_code: Option<i32>,
    pub post_id: Option<i64>,
    /// Received at or after (RFC 3339).
    pub since: Option<Timestamp>,
    /// 1-100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Lists every request that reached the tenant's callback URL, accepted or refused, newest
/// first: what a workflow sent and what it was told.
#[utoipa::path(
    get, path = "/v1/callbacks", tag = "posts",
    params(ListCallbacksParams),
    security(("api_key" = [])),
    responses((status = 200, body = CallbackPage), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn list_callbacks(
    auth: TenantAuth,
    state: web::Data<AppState>,
    QueryParams(params): QueryParams<ListCallbacksParams>,
) -> Result<HttpResponse, ApiError> {
    if params
        .status_code
        .is_some_and(|c| !(100..=599).contains(&c))
    {
        return Err(ApiError::validation(
            "status_code",
            "must be an HTTP status (100-599)",
        ));
    }
    let query = CallbackListQuery {
        status_code: params.status_code,
        post_id: params.post_id,
        since: params.since.map(Timestamp::get),
        limit: page_limit(params.limit)?,
        cursor: state.cursors.open(params.cursor)?,
    };
    let client = state.pool.get().await?;
    let (items, next_cursor) = PostRepo::list_callbacks(&client, auth.tenant_id, &query).await?;
    Ok(HttpResponse::Ok().json(CallbackPage {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor: state.cursors.seal(next_cursor),
    }))
}

/// A post and the callbacks received for it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostDetail {
    #[serde(flatten)]
    pub post: PostResponse,
    pub callbacks: Vec<CallbackResponse>,
}

/// One page of posts, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostPage {
    pub items: Vec<PostResponse>,
    pub next_cursor: Option<String>,
}

/// Query of `GET /v1/posts`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListPostsParams {
    /// `pending`, `published` or `failed`.
    pub status: Option<String>,
    /// Exact channel identifier.
    pub channel: Option<String>,
    /// 1-100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Schedules a post and announces it with a `new_post_scheduled` event, in one transaction.
/// With an `Idempotency-Key`, a repeated request returns the first post (header
/// `idempotent-replayed: true`) and creates nothing.
#[utoipa::path(
    post, path = "/v1/posts", tag = "posts",
    request_body = CreatePostRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays of the same key within a tenant return the first post")),
    security(("api_key" = [])),
    responses(
        (status = 201, body = PostResponse),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn create_post(
    auth: TenantAuth,
    state: web::Data<AppState>,
    req: HttpRequest,
    trace: RequestTrace,
    JsonBody(body): JsonBody<CreatePostRequest>,
) -> Result<HttpResponse, ApiError> {
    let channel = ChannelIdentifier::parse(body.channel_identifier)?;
    let text = post_text(body.post_text_idea)?;
    let scheduled = parse_schedule_time(&body.scheduled_at_utc)?;
    let key = idempotency_key(&req)?;
    let mut client = state.pool.get().await?;
    let tx = client.transaction().await?;
    let inserted = PostRepo::insert(
        &tx,
        auth.tenant_id,
        channel.as_str(),
        &text,
        scheduled,
        key.as_deref(),
    )
    .await?;
    let Some(mut post) = inserted else {
        // The key was used: answer with the first post.
        drop(tx);
        let key = key.as_deref().unwrap_or_default();
        let first = PostRepo::by_idempotency_key(&client, auth.tenant_id, key)
            .await?
            .ok_or(ApiError::NotFound("post"))?;
        return Ok(HttpResponse::Created()
            .insert_header(("idempotent-replayed", "true"))
            .json(PostResponse::from(first)));
    };
    let event = NewEvent {
        event_type: EventType::parse("event_type", NEW_POST_SCHEDULED.into())?,
        data: canonical_data(&scheduled_event_data(&post)),
        occurred_at: Utc::now(),
        idempotency_key: None,
        traceparent: Some(trace.0),
        ordering_key: Some(OrderingKey::of_post(post.id)),
    };
    let ingested = EventRepo::ingest(&tx, auth.tenant_id, &event).await?;
    PostRepo::set_event(&tx, auth.tenant_id, post.id, ingested.get().id).await?;
    let ingested = state.outbox.commit(tx, ingested).await?;
    post.event_id = Some(ingested.id);
    Ok(HttpResponse::Created().json(PostResponse::from(post)))
}

/// Lists posts, newest first.
#[utoipa::path(
    get, path = "/v1/posts", tag = "posts",
    params(ListPostsParams),
    security(("api_key" = [])),
    responses((status = 200, body = PostPage), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn list_posts(
    auth: TenantAuth,
    state: web::Data<AppState>,
    QueryParams(params): QueryParams<ListPostsParams>,
) -> Result<HttpResponse, ApiError> {
    let query = PostListQuery {
        status: params
            .status
            .map(|s| PostStatus::parse("status", &s))
            .transpose()?,
        channel: params.channel,
        limit: page_limit(params.limit)?,
        cursor: state.cursors.open(params.cursor)?,
    };
    let client = state.pool.get().await?;
    let (items, next_cursor) = PostRepo::list(&client, auth.tenant_id, &query).await?;
    Ok(HttpResponse::Ok().json(PostPage {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor: state.cursors.seal(next_cursor),
    }))
}

/// One post with its callback history.
#[utoipa::path(
    get, path = "/v1/posts/{id}", tag = "posts",
    params(("id" = i64, Path)),
    security(("api_key" = [])),
    responses((status = 200, body = PostDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_post(
    auth: TenantAuth,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let client = state.pool.get().await?;
    let post = PostRepo::get(&client, auth.tenant_id, id)
        .await?
        .ok_or(ApiError::NotFound("post"))?;
    let callbacks = PostRepo::callbacks(&client, auth.tenant_id, id).await?;
    Ok(HttpResponse::Ok().json(PostDetail {
        post: post.into(),
        callbacks: callbacks.into_iter().map(Into::into).collect(),
    }))
}

/// Deletes a post that is not published yet (pending or failed): it becomes `deleted`
/// and `post.deleted` announces it. Deleting it again changes nothing; a published post
/// cannot be deleted (409).
#[utoipa::path(
    delete, path = "/v1/posts/{id}", tag = "posts",
    params(("id" = i64, Path)),
    security(("api_key" = [])),
    responses(
        (status = 200, body = PostResponse),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "the post is published"),
    )
)]
pub async fn delete_post(
    auth: TenantAuth,
    state: web::Data<AppState>,
    trace: RequestTrace,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let mut client = state.pool.get().await?;
    let tx = client.transaction().await?;
    let post = PostRepo::lock(&tx, auth.tenant_id, id)
        .await?
        .ok_or(ApiError::NotFound("post"))?;
    match deletable(post.status) {
        Transition::Duplicate => Ok(HttpResponse::Ok().json(PostResponse::from(post))),
        Transition::Conflict => Err(ApiError::Conflict {
            code: "post_already_published",
            message: format!("post {id} is published; it cannot be deleted"),
        }),
        Transition::Apply => {
            let (post, ingested) = PostRepo::change_status(
                &tx,
                auth.tenant_id,
                id,
                PostStatus::Deleted,
                post.details.as_deref(),
                trace.0,
            )
            .await?;
            state.outbox.commit(tx, ingested).await?;
            Ok(HttpResponse::Ok().json(PostResponse::from(post)))
        }
    }
}
