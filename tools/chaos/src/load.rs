//! The sending side: events at a fixed rate through `POST /v1/events`, each retried like a
//! careful client would (same `Idempotency-Key`, backoff) when it gets no answer, a 5xx
//! or a 429.

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
}

const TRIES: u32 = 6;

/// Sends `rate` events per second for `duration`, then waits for the last answers.
pub async fn stream(api_url: &str, key: &str, rate: u32, duration: Duration) -> LoadReport {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap_or_default();
    let report = Arc::new(Mutex::new(LoadReport::default()));
    let total = (u64::from(rate) * duration.as_millis() as u64 / 1000).max(1);
    let mut ticker = tokio::time::interval(Duration::from_secs(1) / rate.max(1));
    let mut sends = tokio::task::JoinSet::new();
    for i in 0..total {
        ticker.tick().await;
        let (client, report) = (client.clone(), Arc::clone(&report));
        let url = format!("{api_url}/v1/events");
        let key = key.to_string();
        sends.spawn(async move {
            let idempotency = uuid::Uuid::new_v4().to_string();
            let body = json!({"event_type": "chaos.tick", "data": {"i": i}});
            for attempt in 0..TRIES {
                let answer = client
                    .post(&url)
                    .bearer_auth(&key)
                    .header("idempotency-key", &idempotency)
                    .json(&body)
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
        });
    }
    while sends.join_next().await.is_some() {}
    // Every send has finished, so this is the only reference left.
    let mut report = Arc::try_unwrap(report)
        .ok()
        .and_then(|m| m.into_inner().ok())
        .unwrap_or_default();
    report.sent = total;
    report
}
