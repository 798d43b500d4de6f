//! The `noisy` scenario: how long a quiet tenant's events take while another tenant does
//! what a hostile or unlucky one does.
//!
//! Tenant B sends 20 events/s to one fast webhook; its latency (start of `POST
//! /v1/events` -> the receiver has the delivery) is measured alone, then while tenant A
//! (a) has 500 events queued to a receiver that answers in 4.9 s, (b) sends one event to
//! 1,000 webhooks on a receiver that answers in 2 s, (c) has 500 webhooks on a receiver
//! that never answers (5 events, so retry waves follow). For (a) it also counts A's
//! attempts that were retries: a slow but working receiver must see none.
//! Each case uses a new tenant A, whose webhooks are deleted afterwards.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::{web, HttpRequest, HttpResponse};
use anyhow::Context;
use serde_json::{json, Value};

/// What tenant A's receivers and tenant B's receiver saw.
#[derive(Default)]
struct Seen {
    /// B's deliveries: event id -> arrival.
    quiet: Mutex<HashMap<String, Instant>>,
    /// Requests to A's receivers, and those that were a retry (attempt > 1).
    noisy: AtomicU64,
    noisy_retries: AtomicU64,
}

/// `/quiet/...` answers at once; `/slow/<ms>/...` after `ms`; `/hang/...` never (the
/// dispatcher's timeout ends it).
async fn receive(req: HttpRequest, state: web::Data<Seen>) -> HttpResponse {
    let header = |n: &str| req.headers().get(n).and_then(|v| v.to_str().ok());
    let mut path = req.path().trim_start_matches('/').split('/');
    match path.next() {
        Some("quiet") => {
            let id = header("webhook-id").unwrap_or_default().to_string();
            if let Ok(mut q) = state.quiet.lock() {
                q.entry(id).or_insert_with(Instant::now);
            }
            HttpResponse::Ok().finish()
        }
        Some(kind) => {
            state.noisy.fetch_add(1, Ordering::Relaxed);
            if header("x-webhook-attempt").is_some_and(|a| a != "1") {
                state.noisy_retries.fetch_add(1, Ordering::Relaxed);
            }
            let wait = match kind {
                "hang" => Duration::from_secs(600),
                _ => Duration::from_millis(path.next().and_then(|ms| ms.parse().ok()).unwrap_or(0)),
            };
            tokio::time::sleep(wait).await;
            HttpResponse::Ok().finish()
        }
        None => HttpResponse::Ok().finish(),
    }
}

struct Noisy {
    api: String,
    admin_token: String,
    receiver_url: String,
    seen: web::Data<Seen>,
    http: reqwest::Client,
}

impl Noisy {
    async fn tenant(&self, name: &str) -> anyhow::Result<String> {
        crate::create_tenant(&self.http, &self.api, &self.admin_token, name).await
    }

    /// Creates `n` webhooks of the tenant to `path` (8 at a time); returns their ids.
    async fn webhooks(&self, key: &str, path: &str, n: usize) -> anyhow::Result<Vec<String>> {
        let mut ids = Vec::with_capacity(n);
        for chunk in (0..n).collect::<Vec<_>>().chunks(8) {
            let made = chunk.iter().map(|i| {
                let body = json!({"name": format!("{path} {i}"), "url": format!("{}{path}/{i}", self.receiver_url), "event_types": ["*"]});
                async move {
                    let created: Value = self
                        .http
                        .post(format!("{}/v1/webhooks", self.api))
                        .bearer_auth(key)
                        .json(&body)
                        .send()
                        .await?
                        .error_for_status()
                        .context("creating a webhook (needs delivery.allow_private_targets, as in make run)")?
                        .json()
                        .await?;
                    anyhow::Ok(created["id"].as_str().context("id")?.to_string())
                }
            });
            for id in futures::future::join_all(made).await {
                ids.push(id?);
            }
        }
        Ok(ids)
    }

    async fn delete(&self, key: &str, ids: &[String]) {
        for chunk in ids.chunks(16) {
            let gone = chunk.iter().map(|id| {
                self.http
                    .delete(format!("{}/v1/webhooks/{id}", self.api))
                    .bearer_auth(key)
                    .send()
            });
            futures::future::join_all(gone).await;
        }
    }

    /// Sends `n` events of the tenant as fast as 16 senders go.
    async fn burst(&self, key: &str, n: usize) -> anyhow::Result<()> {
        let body = json!({"event_type": "noisy.tick", "data": {"load": true}});
        for chunk in (0..n).collect::<Vec<_>>().chunks(16) {
            let sent = chunk.iter().map(|_| {
                self.http
                    .post(format!("{}/v1/events", self.api))
                    .bearer_auth(key)
                    .json(&body)
                    .send()
            });
            for r in futures::future::join_all(sent).await {
                r?.error_for_status()?;
            }
        }
        Ok(())
    }

    /// Tenant B sends 20 events/s for `for_secs`; returns B's latency figures.
    async fn quiet(&self, key: &str, for_secs: u64) -> anyhow::Result<Value> {
        let mut sent: Vec<(String, Instant)> = Vec::new();
        let start = Instant::now();
        let every = Duration::from_millis(50);
        let mut next = start;
        let mut errors = 0;
        while start.elapsed() < Duration::from_secs(for_secs) {
            tokio::time::sleep_until(next.into()).await;
            next += every;
            let at = Instant::now();
            let r = self
                .http
                .post(format!("{}/v1/events", self.api))
                .bearer_auth(key)
                .json(&json!({"event_type": "quiet.tick", "data": {"n": sent.len()}}))
                .send()
                .await;
            match r {
                Ok(r) if r.status().as_u16() == 202 => {
                    let v: Value = r.json().await.unwrap_or_default();
                    sent.push((v["id"].as_str().unwrap_or_default().to_string(), at));
                }
                _ => errors += 1,
            }
        }
        // Every delivery of B within 60 s, or it counts as missing.
        let deadline = Instant::now() + Duration::from_secs(60);
        let arrived = || self.seen.quiet.lock().map(|q| q.len()).unwrap_or(0);
        while arrived() < sent.len() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let arrivals = self
            .seen
            .quiet
            .lock()
            .map(|q| q.clone())
            .unwrap_or_default();
        if let Ok(mut q) = self.seen.quiet.lock() {
            q.clear();
        }
        let mut ms: Vec<f64> = sent
            .iter()
            .filter_map(|(id, at)| {
                arrivals
                    .get(id)
                    .map(|t| t.saturating_duration_since(*at).as_secs_f64() * 1000.0)
            })
            .collect();
        ms.sort_by(f64::total_cmp);
        Ok(json!({
            "events": sent.len(),
            "delivered": ms.len(),
            "missing": sent.len() - ms.len(),
            "errors": errors,
            "p50_ms": crate::percentile(&ms, 50.0),
            "p99_ms": crate::percentile(&ms, 99.0),
            "max_ms": ms.last().copied().unwrap_or(0.0),
        }))
    }
}

/// Runs the baseline and the three cases; returns the results.
pub async fn run(api: &str, admin_token: &str, quick: bool) -> anyhow::Result<Value> {
    let seen = web::Data::new(Seen::default());
    let (receiver_url, handle) = crate::serve(seen.clone(), receive, 2)?;
    let n = Noisy {
        api: api.trim_end_matches('/').to_string(),
        admin_token: admin_token.to_string(),
        receiver_url,
        seen,
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .build()?,
    };
    let secs = |full: u64, q: u64| if quick { q } else { full };
    let b = n.tenant("noisy-bench-quiet").await?;
    let b_hooks = n.webhooks(&b, "/quiet", 1).await?;
    let mut results = serde_json::Map::new();
    let row = |case: &str, r: &Value, extra: &str| {
        println!(
            "noisy    {case:<44} B p50 {:>7.1}  p99 {:>7.1}  max {:>7.1} ms  ({} events, {} missing){extra}",
            r["p50_ms"].as_f64().unwrap_or(0.0),
            r["p99_ms"].as_f64().unwrap_or(0.0),
            r["max_ms"].as_f64().unwrap_or(0.0),
            r["events"],
            r["missing"],
        );
    };

    let baseline = n.quiet(&b, secs(10, 4)).await?;
    row("baseline (B alone)", &baseline, "");
    results.insert("baseline".into(), baseline);

    // (a) 500 events queued to one receiver that answers in 4.9 s.
    let a = n.tenant("noisy-bench-a").await?;
    let hooks = n.webhooks(&a, "/slow/4900", 1).await?;
    let before = (
        n.seen.noisy.load(Ordering::Relaxed),
        n.seen.noisy_retries.load(Ordering::Relaxed),
    );
    n.burst(&a, 500).await?;
    let r = n.quiet(&b, secs(20, 6)).await?;
    let requests = n.seen.noisy.load(Ordering::Relaxed) - before.0;
    let retries = n.seen.noisy_retries.load(Ordering::Relaxed) - before.1;
    row(
        "(a) A: 500 events to a 4.9 s receiver",
        &r,
        &format!("; A: {requests} requests, {retries} retries"),
    );
    let mut r = r;
    r["a_requests"] = json!(requests);
    r["a_retries"] = json!(retries);
    results.insert("slow_receiver".into(), r);
    n.delete(&a, &hooks).await;

    // (b) One event fanned out to 1,000 webhooks on a 2 s receiver.
    let a = n.tenant("noisy-bench-b").await?;
    let hooks = n
        .webhooks(&a, "/slow/2000", secs(1000, 200) as usize)
        .await?;
    n.burst(&a, 1).await?;
    let r = n.quiet(&b, secs(20, 6)).await?;
    row("(b) A: 1 event to 1,000 webhooks, 2 s receiver", &r, "");
    results.insert("fan_out".into(), r);
    n.delete(&a, &hooks).await;

    // (c) 500 webhooks on a receiver that never answers, with retry waves after 5 and 25 s.
    let a = n.tenant("noisy-bench-c").await?;
    let hooks = n.webhooks(&a, "/hang", secs(500, 100) as usize).await?;
    n.burst(&a, 5).await?;
    let r = n.quiet(&b, secs(40, 10)).await?;
    row("(c) A: 500 webhooks on a hanging receiver", &r, "");
    results.insert("hanging".into(), r);
    n.delete(&a, &hooks).await;
    n.delete(&b, &b_hooks).await;

    handle.stop(false).await;
    Ok(json!({"scenario": "noisy", "quiet_tenant": results}))
}
