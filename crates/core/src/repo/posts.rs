//! The `posts` table (scheduled posts of the CRM flow) and the callback log.

use chrono::{DateTime, Utc};
use hookrelay_domain::ordering::OrderingKey;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;
use uuid::Uuid;

use hookrelay_domain::payload::canonical_data;
use hookrelay_domain::post::{status_event, Post, PostStatus};
use hookrelay_domain::signing::ReplayGuard;
use hookrelay_domain::{CorruptValue, ValidationError};

use super::events::{EventRepo, IngestedEvent, NewEvent};
use super::GenericClient;
use crate::db::DbError;
use crate::outbox::Unpublished;
use crate::pagination::{split_page, Cursor, ListError};

/// One received callback.
#[derive(Debug, Clone)]
pub struct CallbackLog {
    pub id: i64,
    pub received_at: DateTime<Utc>,
    pub post_id: Option<i64>,
    pub status: Option<PostStatus>,
    pub details: Option<String>,
    pub outcome: String,
    pub http_status: i32,
    /// The error message it was answered with (refused ones).
    pub error: Option<String>,
    /// The start of the body it carried.
    pub body_excerpt: Option<String>,
}

/// A callback to log.
#[derive(Debug, Clone, Default)]
pub struct NewCallbackLog {
    pub error: Option<String>,
    pub body_excerpt: Option<String>,
    pub post_id: Option<i64>,
    pub status: Option<PostStatus>,
    pub details: Option<String>,
    pub outcome: String,
    pub http_status: i32,
}

/// Filters and page of a callback listing.
#[derive(Debug, Default)]
pub struct CallbackListQuery {
    /// The HTTP status it was answered with.
    pub status_code: Option<i32>,
    pub post_id: Option<i64>,
    pub since: Option<DateTime<Utc>>,
    pub limit: i64,
    pub cursor: Option<String>,
}

/// The columns [`callback_of`] reads.
const CALLBACK_COLUMNS: &str =
    "id, received_at, post_id, status, details, outcome, http_status, error, body_excerpt";

fn callback_of(r: &Row) -> Result<CallbackLog, CorruptValue> {
    Ok(CallbackLog {
        id: r.get("id"),
        received_at: r.get("received_at"),
        post_id: r.get("post_id"),
        status: r
            .get::<_, Option<&str>>("status")
            .map(PostStatus::from_stored)
            .transpose()?,
        details: r.get("details"),
        outcome: r.get("outcome"),
        http_status: r.get("http_status"),
        error: r.get("error"),
        body_excerpt: r.get("body_excerpt"),
    })
}

/// Filters and page of a post list.
#[derive(Debug, Default)]
pub struct PostListQuery {
    pub status: Option<PostStatus>,
    pub channel: Option<String>,
    pub limit: i64,
    pub cursor: Option<String>,
}

const COLUMNS: &str =
    "id, tenant_id, channel_identifier, post_text_idea, scheduled_at_utc, status, \
                       details, event_id, created_at, updated_at";

fn from_row(row: &Row) -> Result<Post, CorruptValue> {
    let status = PostStatus::from_stored(row.get("status")).inspect_err(|e| {
        super::report_corrupt("posts", row.get::<_, i64>("id"), e);
    })?;
    Ok(Post {
        id: row.get("id"),
        tenant_id: row.get("tenant_id"),
        channel_identifier: row.get("channel_identifier"),
        post_text_idea: row.get("post_text_idea"),
        scheduled_at_utc: row.get("scheduled_at_utc"),
        status,
        details: row.get("details"),
        event_id: row.get("event_id"),
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
    })
}

/// Reads and writes posts and their callback log.
pub struct PostRepo;

impl PostRepo {
    /// Inserts a pending post, numbered after the tenant's last one (`post_counters`).
    /// The counter row stays locked until the transaction ends, so a tenant's posts are
    /// created one at a time (they are few), and an idempotent repeat leaves a gap.
    #[tracing::instrument(name = "PostRepo::insert", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn insert(
        tx: &impl GenericClient,
        tenant_id: Uuid,
        channel_identifier: &str,
        post_text_idea: &str,
        scheduled_at_utc: DateTime<Utc>,
        idempotency_key: Option<&str>,
    ) -> Result<Option<Post>, DbError> {
        let row = tx
            .query_opt(
                &format!(
                    "WITH next AS ( \
                       INSERT INTO post_counters (tenant_id, last_id) VALUES ($1, 1) \
                       ON CONFLICT (tenant_id) DO UPDATE SET last_id = post_counters.last_id + 1 \
                       RETURNING last_id) \
                     INSERT INTO posts (id, tenant_id, channel_identifier, post_text_idea, \
                                        scheduled_at_utc, idempotency_key) \
                     SELECT last_id, $1, $2, $3, $4, $5 FROM next \
                     ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING \
                     RETURNING {COLUMNS}"
                ),
                &[
                    &tenant_id,
                    &channel_identifier,
                    &post_text_idea,
                    &scheduled_at_utc,
                    &idempotency_key,
                ],
            )
            .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    /// The post that first used an idempotency key.
    #[tracing::instrument(name = "PostRepo::by_idempotency_key", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn by_idempotency_key(
        client: &impl GenericClient,
        tenant_id: Uuid,
        key: &str,
    ) -> Result<Option<Post>, DbError> {
        let row = client
            .query_opt(
                &format!(
                    "SELECT {COLUMNS} FROM posts WHERE tenant_id = $1 AND idempotency_key = $2"
                ),
                &[&tenant_id, &key],
            )
            .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    /// Links a post to the event announcing it.
    #[tracing::instrument(name = "PostRepo::set_event", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn set_event(
        tx: &impl GenericClient,
        tenant_id: Uuid,
        id: i64,
        event_id: Uuid,
    ) -> Result<(), tokio_postgres::Error> {
        tx.execute(
            "UPDATE posts SET event_id = $3 WHERE tenant_id = $1 AND id = $2",
            &[&tenant_id, &id, &event_id],
        )
        .await?;
        Ok(())
    }

    /// One post of the tenant.
    #[tracing::instrument(name = "PostRepo::get", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn get(
        client: &impl GenericClient,
        tenant_id: Uuid,
        id: i64,
    ) -> Result<Option<Post>, DbError> {
        let row = client
            .query_opt(
                &format!("SELECT {COLUMNS} FROM posts WHERE id = $1 AND tenant_id = $2"),
                &[&id, &tenant_id],
            )
            .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    /// One post of the tenant, row-locked until the transaction ends, so concurrent
    /// callbacks for it apply one after the other.
    #[tracing::instrument(name = "PostRepo::lock", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn lock(
        tx: &impl GenericClient,
        tenant_id: Uuid,
        id: i64,
    ) -> Result<Option<Post>, DbError> {
        let row = tx
            .query_opt(
                &format!("SELECT {COLUMNS} FROM posts WHERE id = $1 AND tenant_id = $2 FOR UPDATE"),
                &[&id, &tenant_id],
            )
            .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    /// Moves a post to a new status.
    #[tracing::instrument(name = "PostRepo::set_status", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn set_status(
        tx: &impl GenericClient,
        tenant_id: Uuid,
        id: i64,
        status: PostStatus,
        details: Option<&str>,
    ) -> Result<Post, DbError> {
        let row = tx
            .query_one(
                &format!(
                    "UPDATE posts SET status = $3, details = $4, updated_at = now() \
                     WHERE tenant_id = $1 AND id = $2 RETURNING {COLUMNS}"
                ),
                &[&tenant_id, &id, &status.as_str(), &details],
            )
            .await?;
        Ok(from_row(&row)?)
    }

    /// Moves a post to a new status and records the event that announces it
    /// (`post.published`, `post.failed`, `post.deleted`) in the same transaction; the
    /// caller commits the returned work through the outbox.
    pub async fn change_status(
        tx: &impl GenericClient,
        tenant_id: Uuid,
        id: i64,
        status: PostStatus,
        details: Option<&str>,
        traceparent: String,
    ) -> Result<(Post, Unpublished<IngestedEvent>), DbError> {
        let post = Self::set_status(tx, tenant_id, id, status, details).await?;
        let (event_type, data) = status_event(&post);
        let event = NewEvent {
            event_type,
            data: canonical_data(&data),
            occurred_at: Utc::now(),
            idempotency_key: None,
            traceparent: Some(traceparent),
            ordering_key: Some(OrderingKey::of_post(id)),
        };
        let ingested = EventRepo::ingest(tx, tenant_id, &event).await?;
        Ok((post, ingested))
    }

    /// One page of the tenant's posts, newest first.
    #[tracing::instrument(name = "PostRepo::list", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn list(
        client: &impl GenericClient,
        tenant_id: Uuid,
        q: &PostListQuery,
    ) -> Result<(Vec<Post>, Option<String>), ListError> {
        const ORDERING: &str = "posts_id_desc";
        let after: Option<i64> = match q.cursor.as_deref() {
            None => None,
            Some(c) => Some(Cursor::decode(c, ORDERING)?.key.parse().map_err(|_| {
                ValidationError::new("cursor", "is not a valid cursor for this listing")
            })?),
        };
        let fetch = q.limit + 1;
        let status = q.status.map(PostStatus::as_str);
        let params: [&(dyn ToSql + Sync); 5] = [&tenant_id, &status, &q.channel, &after, &fetch];
        let rows = client
            .query(
                &format!(
                    "SELECT {COLUMNS} FROM posts WHERE tenant_id = $1 \
                       AND ($2::text IS NULL OR status = $2) \
                       AND ($3::text IS NULL OR channel_identifier = $3) \
                       AND ($4::int8 IS NULL OR id < $4) \
                     ORDER BY id DESC LIMIT $5"
                ),
                &params,
            )
            .await?;
        let posts = rows
            .iter()
            .map(from_row)
            .collect::<Result<Vec<Post>, CorruptValue>>()?;
        Ok(split_page(posts, q.limit, |p| Cursor {
            ordering: ORDERING.to_string(),
            key: p.id.to_string(),
            id: Uuid::nil().to_string(),
        }))
    }

    /// Remembers a signed callback until its signature expires; false when it was already
    /// remembered (a replay, or a resend of one message). Inside the transaction that
    /// applies the callback, so concurrent copies wait for each other and one wins. The
    /// tenant's expired receipts go in the same statement.
    #[tracing::instrument(name = "PostRepo::remember_receipt", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn remember_receipt(
        client: &impl GenericClient,
        tenant_id: Uuid,
        guard: &ReplayGuard,
    ) -> Result<bool, tokio_postgres::Error> {
        let digest = guard.digest.as_slice();
        let valid_until_secs = guard.valid_until_secs as f64;
        let rows = client
            .query(
                "WITH pruned AS ( \
                   DELETE FROM callback_receipts \
                   WHERE tenant_id = $1 AND valid_until < now() AND digest <> $2) \
                 INSERT INTO callback_receipts (tenant_id, digest, valid_until) \
                 VALUES ($1, $2, to_timestamp($3)) \
                 ON CONFLICT (tenant_id, digest) DO UPDATE SET valid_until = EXCLUDED.valid_until \
                   WHERE callback_receipts.valid_until < now() \
                 RETURNING 1",
                &[&tenant_id, &digest, &valid_until_secs],
            )
            .await?;
        Ok(!rows.is_empty())
    }

    /// Logs a received callback.
    #[tracing::instrument(name = "PostRepo::log_callback", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn log_callback(
        client: &impl GenericClient,
        tenant_id: Uuid,
        log: &NewCallbackLog,
    ) -> Result<(), tokio_postgres::Error> {
        client
            .execute(
                "INSERT INTO callbacks (tenant_id, post_id, status, details, outcome, http_status, \
                                        error, body_excerpt) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[
                    &tenant_id,
                    &log.post_id,
                    &log.status.map(PostStatus::as_str),
                    &log.details,
                    &log.outcome,
                    &log.http_status,
                    &log.error,
                    &log.body_excerpt,
                ],
            )
            .await?;
        Ok(())
    }

    /// The callbacks received for one post, oldest first.
    #[tracing::instrument(name = "PostRepo::callbacks", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn callbacks(
        client: &impl GenericClient,
        tenant_id: Uuid,
        post_id: i64,
    ) -> Result<Vec<CallbackLog>, DbError> {
        let rows = client
            .query(
                &format!(
                    "SELECT {CALLBACK_COLUMNS} FROM callbacks \
                     WHERE tenant_id = $1 AND post_id = $2 ORDER BY received_at, id"
                ),
                &[&tenant_id, &post_id],
            )
            .await?;
        let logs = rows.iter().map(callback_of);
        Ok(logs.collect::<Result<_, CorruptValue>>()?)
    }

    /// One page of the callbacks the tenant's callback URL received, newest first.
    #[tracing::instrument(name = "PostRepo::list_callbacks", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn list_callbacks(
        client: &impl GenericClient,
        tenant_id: Uuid,
        q: &CallbackListQuery,
    ) -> Result<(Vec<CallbackLog>, Option<String>), ListError> {
        const ORDERING: &str = "callbacks_desc";
        let before: Option<i64> = q
            .cursor
            .as_deref()
            .map(|c| {
                Cursor::decode(c, ORDERING)?.key.parse().map_err(|_| {
                    ValidationError::new("cursor", "is not a valid cursor for this listing")
                })
            })
            .transpose()?;
        let rows = client
            .query(
                &format!(
                    "SELECT {CALLBACK_COLUMNS} FROM callbacks \
                     WHERE tenant_id = $1 \
                       AND ($2::int IS NULL OR http_status = $2) \
                       AND ($3::bigint IS NULL OR post_id = $3) \
                       AND ($4::timestamptz IS NULL OR received_at >= $4) \
                       AND ($5::bigint IS NULL OR id < $5) \
                     ORDER BY id DESC LIMIT $6"
                ),
                &[
                    &tenant_id,
                    &q.status_code,
                    &q.post_id,
                    &q.since,
                    &before,
                    &(q.limit + 1),
                ],
            )
            .await?;
        let logs = rows
            .iter()
            .map(callback_of)
            .collect::<Result<Vec<_>, CorruptValue>>()?;
        Ok(split_page(logs, q.limit, |c| Cursor {
            ordering: ORDERING.to_string(),
            key: c.id.to_string(),
            id: Uuid::nil().to_string(),
        }))
    }
}
