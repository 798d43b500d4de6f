//! `GET /v1/webhooks/{id}/stats`: success rate, execution times and backlog of a webhook
//! over a window, from the per-minute rollup the dispatcher keeps.

use std::time::Duration;

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use hookrelay_core::repo::stats::{quantile, SeriesPoint, StatsRepo};
use hookrelay_core::repo::webhooks::WebhookRepo;
use hookrelay_domain::ValidationError;
use hookrelay_web::error::{ApiError, ErrorBody};
use hookrelay_web::extract::QueryParams;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::TenantAuth;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/webhooks/{id}/stats").route(web::get().to(webhook_stats)));
}

/// The windows stats cover, and the chart interval of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Window {
    Hour,
    Day,
    Week,
    Month,
}

impl Window {
    fn parse(s: Option<&str>) -> Result<Self, ValidationError> {
        match s {
            Some("1h") => Ok(Window::Hour),
            None | Some("24h") => Ok(Window::Day),
            Some("7d") => Ok(Window::Week),
            Some("30d") => Ok(Window::Month),
            Some(_) => Err(ValidationError::new("window", "must be 1h, 24h, 7d or 30d")),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Window::Hour => "1h",
            Window::Day => "24h",
            Window::Week => "7d",
            Window::Month => "30d",
        }
    }

    fn length(self) -> Duration {
        const HOUR: u64 = 3600;
        Duration::from_secs(match self {
            Window::Hour => HOUR,
            Window::Day => 24 * HOUR,
            Window::Week => 7 * 24 * HOUR,
            Window::Month => 30 * 24 * HOUR,
        })
    }

    /// 60 points for an hour, 24 for a day, 28 for a week, 30 for a month.
    fn chart_interval(self) -> Duration {
        Duration::from_secs(match self {
            Window::Hour => 60,
            Window::Day => 3600,
            Window::Week => 6 * 3600,
            Window::Month => 24 * 3600,
        })
    }
}

/// Query of `GET /v1/webhooks/{id}/stats`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// `1h`, `24h` (default), `7d` or `30d`.
    #[param(pattern = "^(1h|24h|7d|30d)$")]
    pub window: Option<String>,
}

/// One interval of the chart.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsPoint {
    pub start: DateTime<Utc>,
    pub attempts: i64,
    pub successes: i64,
}

impl From<SeriesPoint> for StatsPoint {
    fn from(p: SeriesPoint) -> Self {
        Self {
            start: p.start,
            attempts: p.attempts,
            successes: p.successes,
        }
    }
}

/// A webhook's numbers over a window (test sends are not counted).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookStats {
    pub window: String,
    pub since: DateTime<Utc>,
    pub attempts: i64,
    pub successes: i64,
    pub failures: i64,
    /// `successes / attempts` (0-1); null without attempts.
    pub success_rate: Option<f64>,
    /// Median attempt duration in seconds (the upper bound of its histogram bucket).
    pub execution_time_p50: Option<f64>,
    /// 95th percentile attempt duration in seconds (bucket upper bound).
    pub execution_time_p95: Option<f64>,
    /// Deliveries waiting for an attempt now.
    pub pending_deliveries: i64,
    /// Deliveries that ended `failed` (retry schedule used up) in the window.
    pub failed_deliveries: i64,
    pub last_execution_at: Option<DateTime<Utc>>,
    pub last_response_code: Option<i32>,
    /// Attempts and successes per interval (1 min, 1 h, 6 h or 1 day), oldest first;
    /// intervals without attempts are left out.
    pub series: Vec<StatsPoint>,
}

/// Success rate, execution times and backlog of a webhook.
#[utoipa::path(
    get, path = "/v1/webhooks/{id}/stats", tag = "webhooks",
    params(("id" = Uuid, Path), StatsParams),
    security(("api_key" = [])),
    responses(
        (status = 200, body = WebhookStats),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn webhook_stats(
    auth: TenantAuth,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    QueryParams(params): QueryParams<StatsParams>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let window = Window::parse(params.window.as_deref())?;
    let since = Utc::now()
        - chrono::Duration::from_std(window.length()).unwrap_or(chrono::Duration::zero());
    let client = state.pool.get().await?;
    WebhookRepo::get(&client, auth.tenant_id, id)
        .await?
        .ok_or(ApiError::NotFound("webhook"))?;
    let stats = StatsRepo::window(&client, id, since, window.chart_interval()).await?;
    let secs = |q| quantile(&stats.duration_buckets, q).map(|d| d.as_secs_f64());
    Ok(HttpResponse::Ok().json(WebhookStats {
        window: window.name().to_string(),
        since,
        attempts: stats.attempts,
        successes: stats.successes,
        failures: stats.attempts - stats.successes,
        success_rate: (stats.attempts > 0).then(|| stats.successes as f64 / stats.attempts as f64),
        execution_time_p50: secs(0.5),
        execution_time_p95: secs(0.95),
        pending_deliveries: stats.pending_deliveries,
        failed_deliveries: stats.failed_deliveries,
        last_execution_at: stats.last_execution_at,
        last_response_code: stats.last_response_code,
        series: stats.series.into_iter().map(Into::into).collect(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows() {
        assert_eq!(Window::parse(None), Ok(Window::Day));
        for (name, hours, points) in [
            ("1h", 1, 60),
            ("24h", 24, 24),
            ("7d", 168, 28),
            ("30d", 720, 30),
        ] {
            let w = Window::parse(Some(name)).expect("window");
            assert_eq!(w.name(), name);
            assert_eq!(w.length().as_secs(), hours * 3600);
            assert_eq!(w.length().as_secs() / w.chart_interval().as_secs(), points);
        }
        assert_eq!(Window::parse(Some("2d")).unwrap_err().field, "window");
    }
}
