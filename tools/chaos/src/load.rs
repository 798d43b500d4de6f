//! The sending side: events at a fixed rate through `POST /v1/events`, and numbered events
//! on ordering keys sent one after the other, each retried like a careful client would
//! (same `Idempotency-Key`, backoff) when it gets no answer, a 5xx or a 429.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

/// What the sender saw.
#[derive(Debug, Default)]
pub struct LoadReport {
    /// Events the sender tried to publish.
    pub sent: u64,
    /// Ids of the events the API answered 202 for.
    pub accepted: Vec<String>,
    /// Answers other than 202, over every try, by status (`"no answer"` for none).
    pub refusals: BTreeMap<String, u64>,
}

impl LoadReport {
    /// 500-class answers other than 503 (which is how the API says "not now").
    pub fn server_errors(&self) -> u64 {
        self.refusals
            .iter()
            .filter(|(status, _)| status.starts_with('5') && status.as_str() != "503")
            .map(|(_, n)| n)
            .sum()
    }

    /// Adds another sender's figures to these.
    pub fn absorb(&mut self, other: LoadReport) {
        self.sent += other.sent;
        self.accepted.extend(other.accepted);
        for (status, n) in other.refusals {
            *self.refusals.entry(status).or_default() += n;
        }
    }
}

const TRIES: u32 = 6;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap_or_default()
}

/// Publishes one event, retrying with one `Idempotency-Key` as a careful client would;
/// records the accepted id or every refusal in `report`.
async fn publish(
    client: &reqwest::Client,
    url: &str,
    key: &str,
    body: &Value,
    report: &Mutex<LoadReport>,
) {
    let idempotency = uuid::Uuid::new_v4().to_string();
    for attempt in 0..TRIES {
        let answer = client
            .post(url)
            .bearer_auth(key)
            .header("idempotency-key", &idempotency)
            .json(body)
            .send()
            .await;
        let status = match answer {
            Ok(r) if r.status() == reqwest::StatusCode::ACCEPTED => {
                let id = r
                    .json::<Value>()
                    .await
                    .ok()
                    .and_then(|v| v["id"].as_str().map(str::to_string));
                if let (Some(id), Ok(mut report)) = (id, report.lock()) {
                    report.accepted.push(id);
                }
                return;
            }
            Ok(r) => r.status().as_u16().to_string(),
            Err(_) => "no answer".to_string(),
        };
        if let Ok(mut report) = report.lock() {
            *report.refusals.entry(status).or_default() += 1;
        }
        tokio::time::sleep(Duration::from_millis(250) * (attempt + 1)).await;
    }
}

/// Takes the report back once every send has finished.
fn finish(report: Arc<Mutex<LoadReport>>, sent: u64) -> LoadReport {
    let mut report = Arc::try_unwrap(report)
        .ok()
        .and_then(|m| m.into_inner().ok())
        .unwrap_or_default();
    report.sent = sent;
    report
}

/// Sends `rate` events per second for `duration`, then waits for the last answers.
pub async fn stream(api_url: &str, key: &str, rate: u32, duration: Duration) -> LoadReport {
    let client = client();
    let report = Arc::new(Mutex::new(LoadReport::default()));
    let total = (u64::from(rate) * duration.as_millis() as u64 / 1000).max(1);
    let mut ticker = tokio::time::interval(Duration::from_secs(1) / rate.max(1));
    let mut sends = tokio::task::JoinSet::new();
    let url = format!("{api_url}/v1/events");
    for i in 0..total {
        ticker.tick().await;
        let (client, report, url, key) = (
            client.clone(),
            Arc::clone(&report),
            url.clone(),
            key.to_string(),
        );
        sends.spawn(async move {
            let body = json!({"event_type": "chaos.tick", "data": {"i": i}});
            publish(&client, &url, &key, &body, &report).await;
        });
    }
    while sends.join_next().await.is_some() {}
    finish(report, total)
}

/// Events of type `chaos.ordered` on `lanes` ordering keys (`lane-0`...), each key's sent
/// one after the other, the next only once the last was answered, at most `rate_per_lane`
/// per second, for `duration`. Each carries `data.lane` and `data.n` (0, 1, 2... per key),
/// so `n` is the key's commit order.
pub async fn stream_ordered(
    api_url: &str,
    key: &str,
    lanes: u32,
    rate_per_lane: u32,
    duration: Duration,
) -> LoadReport {
    let client = client();
    let report = Arc::new(Mutex::new(LoadReport::default()));
    let url = format!("{api_url}/v1/events");
    let mut senders = tokio::task::JoinSet::new();
    for lane in 0..lanes {
        let (client, report, url, key) = (
            client.clone(),
            Arc::clone(&report),
            url.clone(),
            key.to_string(),
        );
        senders.spawn(async move {
            let lane = format!("lane-{lane}");
            let mut ticker = tokio::time::interval(Duration::from_secs(1) / rate_per_lane.max(1));
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let until = tokio::time::Instant::now() + duration;
            let mut n = 0u64;
            while tokio::time::Instant::now() < until {
                ticker.tick().await;
                let body = json!({
                    "event_type": "chaos.ordered",
                    "ordering_key": lane,
                    "data": {"lane": lane, "n": n},
                });
                publish(&client, &url, &key, &body, &report).await;
                n += 1;
            }
            n
        });
    }
    let mut sent = 0;
    while let Some(n) = senders.join_next().await {
        sent += n.unwrap_or(0);
    }
    finish(report, sent)
}
