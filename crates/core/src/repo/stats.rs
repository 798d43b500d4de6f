//! The `webhook_stats` rollup: attempts, successes, failed deliveries and a duration
//! histogram per webhook and minute, written by the recorder's statement (see
//! [`rollup_cte`]) and read for success rates.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::GenericClient;

/// Upper bounds (ms) of the duration buckets; one more bucket holds everything slower.
pub const DURATION_BUCKETS_MS: [i32; 11] = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

/// The bucket of an attempt that took `duration_ms`.
pub fn duration_bucket(duration_ms: i32) -> i32 {
    DURATION_BUCKETS_MS
        .iter()
        .position(|bound| duration_ms <= *bound)
        .unwrap_or(DURATION_BUCKETS_MS.len()) as i32
}

/// The duration at quantile `q` (0..=1) of a histogram, as its bucket's upper bound (the
/// open last bucket reports the largest bound). `None` without samples.
pub fn quantile(buckets: &[i64], q: f64) -> Option<Duration> {
    let total: i64 = buckets.iter().sum();
    if total == 0 {
        return None;
    }
    let rank = (q * total as f64).ceil().max(1.0) as i64;
    let mut seen = 0;
    for (i, count) in buckets.iter().enumerate() {
        seen += count;
        if seen >= rank {
            let bound = DURATION_BUCKETS_MS
                .get(i)
                .or(DURATION_BUCKETS_MS.last())
                .copied()
                .unwrap_or(0);
            return Some(Duration::from_millis(bound as u64));
        }
    }
    None
}

/// The duration bucket columns, `d0` to `d11`.
fn bucket_columns() -> impl Iterator<Item = String> {
    (0..=DURATION_BUCKETS_MS.len()).map(|b| format!("d{b}"))
}

/// The CTE (named `rolled`) that adds the attempts of `{input}` joined with `{applied}`
/// (both CTE names of the recorder's statement, with columns `webhook_id`, `tenant_id`,
/// `started_at`, `succeeded`, `new_status` and `bucket`) to their minutes. Rows go in key
/// order, so two recorders never deadlock on the same minutes.
pub fn rollup_cte(input: &str, applied: &str) -> String {
    let columns = bucket_columns().collect::<Vec<_>>().join(", ");
    let counts = (0..=DURATION_BUCKETS_MS.len())
        .map(|b| format!("count(*) FILTER (WHERE i.bucket = {b})"))
        .collect::<Vec<_>>()
        .join(", ");
    let adds = bucket_columns()
        .map(|c| format!("{c} = webhook_stats.{c} + EXCLUDED.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "rolled AS ( \
           INSERT INTO webhook_stats (webhook_id, minute, tenant_id, attempts, successes, \
                                      failed_deliveries, {columns}) \
           SELECT i.webhook_id, date_trunc('minute', i.started_at), i.tenant_id, count(*), \
                  count(*) FILTER (WHERE i.succeeded), count(*) FILTER (WHERE i.new_status = 'failed'), \
                  {counts} \
           FROM {input} i JOIN {applied} USING (delivery_id, attempt_no) \
           GROUP BY 1, 2, 3 ORDER BY 1, 2 \
           ON CONFLICT (webhook_id, minute) DO UPDATE SET \
             attempts = webhook_stats.attempts + EXCLUDED.attempts, \
             successes = webhook_stats.successes + EXCLUDED.successes, \
             failed_deliveries = webhook_stats.failed_deliveries + EXCLUDED.failed_deliveries, \
             {adds} \
         )"
    )
}

/// A webhook's numbers over a window.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowStats {
    pub attempts: i64,
    pub successes: i64,
    pub failed_deliveries: i64,
    /// Attempt counts by duration bucket.
    pub duration_buckets: Vec<i64>,
    /// Deliveries pending now.
    pub pending_deliveries: i64,
    /// The latest attempt of a delivery (test sends excluded) and its HTTP status.
    pub last_execution_at: Option<DateTime<Utc>>,
    pub last_response_code: Option<i32>,
    /// Attempts and successes per interval of the window, oldest first (intervals with no
    /// attempt are left out).
    pub series: Vec<SeriesPoint>,
}

/// One interval of a stats chart.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesPoint {
    pub start: DateTime<Utc>,
    pub attempts: i64,
    pub successes: i64,
}

/// What webhook listings show of each webhook's health.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Health {
    /// Successful share of the attempts of the last 24 h (`None`: no attempt).
    pub success_rate_24h: Option<f64>,
    pub last_response_code: Option<i32>,
}

/// Reads the rollup.
pub struct StatsRepo;

impl StatsRepo {
    /// One webhook's numbers since `since` (the caller checked the webhook is the tenant's).
    #[tracing::instrument(name = "StatsRepo::window", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn window(
        client: &impl GenericClient,
        webhook_id: Uuid,
        since: DateTime<Utc>,
        interval: Duration,
    ) -> Result<WindowStats, tokio_postgres::Error> {
        // One pass over the window's minutes, grouped into the chart's intervals; the
        // totals are the sums of the intervals.
        let sums = bucket_columns()
            .map(|c| format!("sum({c})::int8"))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = client
            .query(
                &format!(
                    "SELECT date_bin(make_interval(secs => $3), minute, $2::timestamptz), \
                            sum(attempts)::int8, sum(successes)::int8, sum(failed_deliveries)::int8, {sums} \
                     FROM webhook_stats WHERE webhook_id = $1 AND minute >= date_trunc('minute', $2::timestamptz) \
                     GROUP BY 1 ORDER BY 1"
                ),
                &[&webhook_id, &since, &interval.as_secs_f64()],
            )
            .await?;
        let mut duration_buckets = vec![0i64; DURATION_BUCKETS_MS.len() + 1];
        let (mut attempts, mut successes, mut failed_deliveries) = (0, 0, 0);
        let mut series = Vec::with_capacity(rows.len());
        for row in &rows {
            let point = SeriesPoint {
                start: row.get(0),
                attempts: row.get(1),
                successes: row.get(2),
            };
            attempts += point.attempts;
            successes += point.successes;
            failed_deliveries += row.get::<_, i64>(3);
            for (i, slot) in duration_buckets.iter_mut().enumerate() {
                *slot += row.get::<_, i64>(4 + i);
            }
            series.push(point);
        }
        let pending_deliveries: i64 = client
            .query_one(
                "SELECT count(*) FROM deliveries WHERE webhook_id = $1 AND status = 'pending'",
                &[&webhook_id],
            )
            .await?
            .get(0);
        let last = client
            .query_opt(
                "SELECT started_at, response_code FROM delivery_attempts \
                 WHERE webhook_id = $1 AND NOT test ORDER BY started_at DESC, id DESC LIMIT 1",
                &[&webhook_id],
            )
            .await?;
        Ok(WindowStats {
            attempts,
            successes,
            failed_deliveries,
            pending_deliveries,
            duration_buckets,
            last_execution_at: last.as_ref().map(|r| r.get(0)),
            last_response_code: last.and_then(|r| r.get(1)),
            series,
        })
    }

    /// The 24 h success rate and last response code of each webhook of `ids`.
    #[tracing::instrument(name = "StatsRepo::health", skip_all, fields(otel.kind = "client", db.system = "postgresql"))]
    pub async fn health(
        client: &impl GenericClient,
        ids: &[Uuid],
    ) -> Result<HashMap<Uuid, Health>, tokio_postgres::Error> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = client
            .query(
                &format!(
                    "SELECT w.id, \
                       (SELECT sum(successes)::float8 / NULLIF(sum(attempts), 0) FROM webhook_stats s \
                        WHERE s.webhook_id = w.id AND s.minute >= date_trunc('minute', now() - interval '24 hours')), \
                       {} \
                     FROM unnest($1::uuid[]) AS w(id)",
                    super::attempts::latest_attempt_sql("response_code", "w.id")
                ),
                &[&ids],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    r.get(0),
                    Health {
                        success_rate_24h: r.get(1),
                        last_response_code: r.get(2),
                    },
                )
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_and_quantiles() {
        assert_eq!(duration_bucket(0), 0);
        assert_eq!(duration_bucket(5), 0);
        assert_eq!(duration_bucket(6), 1);
        assert_eq!(duration_bucket(10_000), 10);
        assert_eq!(duration_bucket(10_001), 11);
        let mut h = vec![0i64; 12];
        assert_eq!(quantile(&h, 0.5), None);
        h[2] = 50; // <= 25 ms
        h[6] = 45; // <= 500 ms
        h[11] = 5; // slower than 10 s
        assert_eq!(quantile(&h, 0.5), Some(Duration::from_millis(25)));
        assert_eq!(quantile(&h, 0.51), Some(Duration::from_millis(500)));
        assert_eq!(quantile(&h, 0.95), Some(Duration::from_millis(500)));
        assert_eq!(quantile(&h, 0.99), Some(Duration::from_millis(10_000)));
        assert_eq!(quantile(&h, 0.0), Some(Duration::from_millis(25)));
    }
}
