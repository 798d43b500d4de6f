//! `hookrelay-bench`: drives a running hookrelay (see `make run`) end to end.
//!
//! It starts a fast receiver on 127.0.0.1, creates a tenant and webhooks, sends events
//! through `POST /v1/events`, waits until every delivery arrived, and reports events/s,
//! deliveries/s, end-to-end latency (start of the `POST /v1/events` request -> delivery received, and
//! 202 received -> delivery received), API latency and
//! the CPU each process used per 1,000 deliveries. Results go to
//! `bench/results/<scenario>.json`.
//!
//! Usage: `hookrelay-bench [--quick] [--api URL[,URL...]] [--admin-token T]
//! [--api-metrics URL[,URL...]] [--dispatcher-metrics URL[,URL...]] [--results-prefix P] [SCENARIO...]` with scenarios
//! `steady`, `fanout`, `paced`, `retry`, `backlog`, `noisy` (default: all of them). Each scenario
//! also reports the mean of every hop of a delivery, from the histograms the APIs and the
//! dispatchers export on `/metrics`, the duplicates the receiver saw, and — with several
//! APIs or dispatchers (`make bench-scale`) — each process's share of the work; senders
//! are spread over the APIs round robin. `backlog` pauses the local dispatchers with
//! SIGSTOP while it queues events, then resumes them with SIGCONT; its deliveries/s is the
//! drain rate. `noisy` (`noisy.rs`) measures a quiet tenant's latency while another
//! tenant floods slow, fanned-out or hanging receivers. Results go to
//! `bench/results/<prefix><scenario>.json`.

mod noisy;
mod report;

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use anyhow::{bail, Context};
use hookrelay_core::telemetry::ProcStat;
use hookrelay_domain::signing::verify_signature;
use hookrelay_domain::WebhookSecret;
use hookrelay_testkit::order::ArrivalOrder;
use serde_json::{json, Value};

use report::{percentile, Page};

/// What one scenario does.
#[derive(Debug, Clone)]
struct Scenario {
    name: &'static str,
    webhooks: usize,
    /// Concurrent senders (ignored when `rate` is set).
    concurrency: usize,
    /// Fixed events per second, or as fast as possible.
    rate: Option<u64>,
    duration: Duration,
    /// Share of first attempts the receiver fails (retry scenario).
    fail_first_ratio: u64,
    /// FIFO webhooks with this many ordering keys (0: unordered). Each key's events are
    /// sent by one sender, one at a time, numbered, and the receiver checks their order.
    ordering_keys: usize,
    /// Send exactly this many events (as fast as `concurrency` allows) instead of sending
    /// for `duration`.
    events: Option<usize>,
    /// Backlog scenario: pause the dispatcher (SIGSTOP) while the events are sent, then
    /// resume it (SIGCONT) and measure how fast the queue drains.
    pause_dispatcher: bool,
}

/// Sends a signal to every running dispatcher; returns how many there were.
fn signal_dispatchers(signal: &str) -> anyhow::Result<usize> {
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc")?.flatten() {
        let comm = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
        if comm.trim() == "hookrelay-dispa" {
            pids.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    if !pids.is_empty() {
        let status = std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .args(&pids)
            .status()?;
        if !status.success() {
            bail!("kill -{signal} failed");
        }
    }
    Ok(pids.len())
}

/// Shared receiver state: arrival time per (event id, path), signature checks.
#[derive(Default)]
struct Receiver {
    arrivals: Mutex<HashMap<(String, String), Instant>>,
    received: AtomicU64,
    failed_on_purpose: AtomicU64,
    verified: AtomicU64,
    bad_signatures: AtomicU64,
    /// Deliveries that arrived again after a success (at-least-once duplicates).
    duplicates: AtomicU64,
    /// FIFO scenario: how each ordering key's numbered deliveries arrived.
    order: Mutex<ArrivalOrder>,
    fail_ratio: AtomicU64,
    secrets: Mutex<HashMap<String, WebhookSecret>>,
}

/// Counts a FIFO delivery that arrives after a later one of its key (`data.key`,
/// `data.n`: each key's events are numbered in the order they were sent, one at a time).
fn check_order(state: &Receiver, body: &[u8]) {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    let (Some(key), Some(n)) = (v["data"]["key"].as_str(), v["data"]["n"].as_u64()) else {
        return;
    };
    if let Ok(mut order) = state.order.lock() {
        order.arrived(key, n);
    }
}

async fn receive(req: HttpRequest, body: web::Bytes, state: web::Data<Receiver>) -> HttpResponse {
    let header = |n: &str| req.headers().get(n).and_then(|v| v.to_str().ok());
    let id = header("webhook-id").unwrap_or_default().to_string();
    let attempt = header("x-webhook-attempt").unwrap_or("1");
    let n = state.received.fetch_add(1, Ordering::Relaxed);
    let ratio = state.fail_ratio.load(Ordering::Relaxed);
    // Fail a share of first attempts, decided by the event id so it is stable.
    if attempt == "1" && ratio > 0 && id.bytes().map(u64::from).sum::<u64>() % 100 < ratio {
        state.failed_on_purpose.fetch_add(1, Ordering::Relaxed);
        return HttpResponse::InternalServerError().finish();
    }
    if req.path().starts_with("/fifo/") {
        check_order(&state, &body);
    }
    if n.is_multiple_of(100) {
        let secret = state
            .secrets
            .lock()
            .ok()
            .and_then(|s| s.get(req.path()).cloned());
        if let Some(secret) = secret {
            let ok = verify_signature(
                &secret,
                header("webhook-id"),
                header("webhook-timestamp"),
                header("webhook-signature"),
                &body,
                chrono::Utc::now().timestamp(),
            )
            .is_ok();
            let counter = if ok {
                &state.verified
            } else {
                &state.bad_signatures
            };
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }
    if let Ok(mut a) = state.arrivals.lock() {
        match a.entry((id, req.path().to_string())) {
            std::collections::hash_map::Entry::Occupied(_) => {
                state.duplicates.fetch_add(1, Ordering::Relaxed);
            }
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(Instant::now());
            }
        }
    }
    HttpResponse::Ok().finish()
}

/// Waits (at most two minutes) until no request has reached the receiver for a second, so
/// a scenario does not start while the previous one's retries are still arriving.
async fn settle(receiver: &Receiver) {
    let give_up = Instant::now() + Duration::from_secs(120);
    let mut last = receiver.received.load(Ordering::Relaxed);
    while Instant::now() < give_up {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = receiver.received.load(Ordering::Relaxed);
        if now == last {
            return;
        }
        last = now;
    }
}

/// CPU seconds (user + system) used so far by every process whose name matches.
fn cpu_seconds(names: &[&str]) -> f64 {
    let mut total = 0.0;
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    for entry in dir.flatten() {
        let path = entry.path();
        let Ok(comm) = std::fs::read_to_string(path.join("comm")) else {
            continue;
        };
        if !names.iter().any(|n| comm.trim().starts_with(n)) {
            continue;
        }
        let stat = std::fs::read_to_string(path.join("stat")).unwrap_or_default();
        if let Some(stat) = ProcStat::parse(&stat) {
            total += stat.cpu_seconds;
        }
    }
    total
}

const PROCESSES: &[(&str, &[&str])] = &[
    ("api", &["hookrelay-api"]),
    ("dispatcher", &["hookrelay-dispa"]),
    ("postgres", &["postgres"]),
    ("rabbitmq", &["beam.smp", "erl_child_setup"]),
    ("bench", &["hookrelay-bench"]),
];

/// The hops of one delivery, each from a histogram the services export
/// (process, metric, label).
const HOPS: [(&str, &str, &str); 7] = [
    (
        "api",
        "hookrelay_http_request_duration_seconds",
        "API request (all)",
    ),
    (
        "api",
        "hookrelay_event_commit_seconds",
        "accepted -> committed",
    ),
    (
        "api",
        "hookrelay_publish_confirm_seconds",
        "committed -> publish confirmed",
    ),
    (
        "dispatcher",
        "hookrelay_job_queued_seconds",
        "ready in the work queue -> consumed",
    ),
    (
        "dispatcher",
        "hookrelay_context_load_seconds",
        "consumed -> context loaded",
    ),
    (
        "dispatcher",
        "hookrelay_attempt_duration_seconds",
        "POST to the receiver",
    ),
    (
        "dispatcher",
        "hookrelay_record_seconds",
        "result recorded (batch)",
    ),
];

/// An accepted event: id, request started, 202 received, API milliseconds.
type Accepted = (String, Instant, Instant, f64);

/// Metric totals of every API and dispatcher process, in the order they were given
/// (`None`: that process's `/metrics` could not be read).
type Scrape = Vec<(&'static str, Option<Page>)>;

/// The growth of one metric between two scrapes, summed over the processes of a kind
/// read both times (`None`: none was). A histogram first seen in `after` counts from zero.
fn kind_growth(before: &Scrape, after: &Scrape, kind: &str, metric: &str) -> Option<(f64, f64)> {
    before
        .iter()
        .zip(after)
        .filter(|((k, _), _)| *k == kind)
        .filter_map(|((_, b), (_, a))| {
            let (sum1, n1) = a.as_ref()?.totals.get(metric).copied()?;
            let (sum0, n0) = b.as_ref()?.totals.get(metric).copied().unwrap_or_default();
            Some((sum1 - sum0, n1 - n0))
        })
        .reduce(|x, y| (x.0 + y.0, x.1 + y.1))
}

/// The growth of one histogram's buckets between two scrapes, summed over the processes
/// of a kind read both times.
fn kind_bucket_growth(
    before: &Scrape,
    after: &Scrape,
    kind: &str,
    metric: &str,
) -> Vec<(f64, f64)> {
    let mut total: Vec<(f64, f64)> = Vec::new();
    for ((_, b), (_, a)) in before.iter().zip(after).filter(|((k, _), _)| *k == kind) {
        let (Some(b), Some(a)) = (b, a) else { continue };
        let Some(after) = a.buckets.get(metric) else {
            continue;
        };
        let before = b.buckets.get(metric).map(Vec::as_slice).unwrap_or_default();
        for (le, n) in report::bucket_growth(before, after) {
            report::add_to_bucket(&mut total, le, n);
        }
    }
    total.sort_by(|a, b| a.0.total_cmp(&b.0));
    total
}

/// How a scenario's work split over the processes of a kind: each one's share (0..1) of
/// the growth of a count, e.g. requests served or attempts made (`null` for a process
/// whose metrics could not be read, so no share is made up).
fn shares(before: &Scrape, after: &Scrape, kind: &str, metric: &str) -> Vec<Value> {
    let grown: Vec<Option<f64>> = before
        .iter()
        .zip(after)
        .filter(|((k, _), _)| *k == kind)
        .map(|((_, b), (_, a))| {
            let count = |t: &Page| t.totals.get(metric).map_or(0.0, |v| v.1);
            Some(count(a.as_ref()?) - count(b.as_ref()?))
        })
        .collect();
    let total: f64 = grown.iter().flatten().sum();
    grown
        .iter()
        .map(|g| match g {
            Some(g) if total > 0.0 => json!((g / total * 1000.0).round() / 1000.0),
            Some(_) => json!(0.0),
            None => Value::Null,
        })
        .collect()
}

struct Run {
    /// API base URLs; senders are spread over them round robin.
    apis: Vec<String>,
    /// The APIs' `/metrics`, on their ops ports.
    api_metrics: Vec<String>,
    dispatcher_metrics: Vec<String>,
    admin_token: String,
    receiver_url: String,
    receiver: web::Data<Receiver>,
    http: reqwest::Client,
}

impl Run {
    /// Metric totals of every API and dispatcher (empty when one cannot be read).
    async fn scrape(&self) -> Scrape {
        let apis = self.api_metrics.iter().map(|m| ("api", m.clone()));
        let dispatchers = self
            .dispatcher_metrics
            .iter()
            .map(|m| ("dispatcher", m.clone()));
        let mut pages = Vec::new();
        for (process, url) in apis.chain(dispatchers) {
            let asked = self.http.get(&url).timeout(Duration::from_secs(2)).send();
            let page = match asked.await.and_then(|r| r.error_for_status()) {
                Ok(r) => r.text().await.ok(),
                Err(_) => None,
            };
            pages.push((process, page.map(|p| Page::parse(&p))));
        }
        pages
    }

    /// Where tenants and webhooks are created.
    fn first_api(&self) -> &str {
        &self.apis[0]
    }

    async fn setup(&self, sc: &Scenario) -> anyhow::Result<String> {
        let name = format!("bench-{}", sc.name);
        let key = create_tenant(&self.http, self.first_api(), &self.admin_token, &name).await?;
        for i in 0..sc.webhooks {
            let path = format!("/{}/{i}", sc.name);
            let mut webhook = json!({"name": path, "url": format!("{}{path}", self.receiver_url), "event_types": ["bench.*"]});
            // Only when it matters, so the bench also drives versions without the field (A/B runs).
            if sc.ordering_keys > 0 {
                webhook["ordering"] = json!("fifo");
            }
            let created: Value = self
                .http
                .post(format!("{}/v1/webhooks", self.first_api()))
                .bearer_auth(&key)
                .json(&webhook)
                .send()
                .await?
                .error_for_status()
                .context(
                    "creating a webhook (needs delivery.allow_private_targets, as in make run)",
                )?
                .json()
                .await?;
            let secret = WebhookSecret::parse(created["secret"].as_str().context("secret")?)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if let Ok(mut s) = self.receiver.secrets.lock() {
                s.insert(path, secret);
            }
        }
        Ok(key)
    }

    /// Runs a scenario; returns its result and its (seconds in, e2e ms) samples.
    async fn scenario(&self, sc: &Scenario) -> anyhow::Result<(Value, Vec<(f64, f64)>)> {
        self.receiver
            .fail_ratio
            .store(sc.fail_first_ratio, Ordering::Relaxed);
        let key = self.setup(sc).await?;
        // Before a paused dispatcher could be asked (it would never answer).
        let metrics_before = self.scrape().await;
        let duplicates_before = self.receiver.duplicates.load(Ordering::Relaxed);
        if sc.pause_dispatcher && signal_dispatchers("STOP")? == 0 {
            bail!("backlog scenario: no running hookrelay-dispatcher to pause");
        }
        let cpu_before: Vec<f64> = PROCESSES.iter().map(|(_, n)| cpu_seconds(n)).collect();
        let accepted: Arc<Mutex<Vec<Accepted>>> = Arc::default();
        let errors = Arc::new(AtomicU64::new(0));
        let started = Instant::now();
        let deadline = started + sc.duration;
        let body = json!({"event_type": "bench.created", "data": {"order_id": 42, "items": [1, 2, 3], "note": "benchmark payload"}});
        let senders = if sc.ordering_keys > 0 {
            sc.ordering_keys
        } else if sc.rate.is_some() {
            64
        } else {
            sc.concurrency
        };
        let interval = sc.rate.map(|r| Duration::from_secs_f64(1.0 / r as f64));
        let next_slot = Arc::new(Mutex::new(started));
        let budget = Arc::new(AtomicU64::new(sc.events.unwrap_or(usize::MAX) as u64));
        let mut tasks = Vec::new();
        for sender in 0..senders {
            let (http, api, key, body) = (
                self.http.clone(),
                self.apis[sender % self.apis.len()].clone(),
                key.clone(),
                body.clone(),
            );
            let (accepted, errors, next_slot) =
                (accepted.clone(), errors.clone(), next_slot.clone());
            let budget = budget.clone();
            let count_bound = sc.events.is_some();
            // FIFO: this sender's key and its events' numbers.
            let lane = (sc.ordering_keys > 0).then(|| format!("k{sender}"));
            let mut sent_in_lane = 0u64;
            tasks.push(tokio::spawn(async move {
                loop {
                    if count_bound {
                        let took = budget.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| {
                            b.checked_sub(1)
                        });
                        if took.is_err() {
                            return;
                        }
                    } else if let Some(iv) = interval {
                        let slot = {
                            let mut next = next_slot.lock().expect("lock");
                            let slot = *next;
                            *next += iv;
                            slot
                        };
                        if slot >= deadline {
                            return;
                        }
                        tokio::time::sleep_until(slot.into()).await;
                    } else if Instant::now() >= deadline {
                        return;
                    }
                    let mut body = body.clone();
                    if let Some(lane) = &lane {
                        body["ordering_key"] = json!(lane);
                        body["data"] = json!({"key": lane, "n": sent_in_lane});
                        sent_in_lane += 1;
                    }
                    let sent = Instant::now();
                    let res = http
                        .post(format!("{api}/v1/events"))
                        .bearer_auth(&key)
                        .json(&body)
                        .send()
                        .await;
                    let done = Instant::now();
                    match res {
                        Ok(r) if r.status().as_u16() == 202 => {
                            let v: Value = r.json().await.unwrap_or_default();
                            let id = v["id"].as_str().unwrap_or_default().to_string();
                            let api_ms = (done - sent).as_secs_f64() * 1000.0;
                            accepted
                                .lock()
                                .expect("lock")
                                .push((id, sent, done, api_ms));
                        }
                        _ => {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            }));
        }
        futures::future::join_all(tasks).await;
        let send_secs = started.elapsed().as_secs_f64();
        let drain_started = Instant::now();
        if sc.pause_dispatcher {
            signal_dispatchers("CONT")?;
        }
        let events = accepted.lock().expect("lock").clone();
        let expected = events.len() * sc.webhooks;
        // Wait for every delivery (retries included), at most 3 minutes.
        let wait_deadline = Instant::now() + Duration::from_secs(180);
        let prefix = format!("/{}/", sc.name);
        let count = || {
            self.receiver
                .arrivals
                .lock()
                .map(|a| a.keys().filter(|(_, p)| p.starts_with(&prefix)).count())
                .unwrap_or(0)
        };
        while count() < expected && Instant::now() < wait_deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let all_secs = started.elapsed().as_secs_f64();
        let drain_secs = drain_started.elapsed().as_secs_f64();
        let delivered = count();
        let cpu_after: Vec<f64> = PROCESSES.iter().map(|(_, n)| cpu_seconds(n)).collect();
        let metrics_after = self.scrape().await;
        // Resends can trail the last first arrival: count them once the receiver is quiet.
        settle(&self.receiver).await;
        let duplicates = self.receiver.duplicates.load(Ordering::Relaxed) - duplicates_before;
        let mut hops = serde_json::Map::new();
        let (mut hops_p99, mut hops_max) = (serde_json::Map::new(), serde_json::Map::new());
        for (process, metric, label) in HOPS {
            let Some((sum, n)) = kind_growth(&metrics_before, &metrics_after, process, metric)
            else {
                continue;
            };
            if n <= 0.0 {
                continue;
            }
            hops.insert(label.to_string(), json!(report::round3(sum / n * 1000.0)));
            let buckets = kind_bucket_growth(&metrics_before, &metrics_after, process, metric);
            if let Some(p99) = report::bucket_quantile_ms(&buckets, 0.99) {
                hops_p99.insert(label.to_string(), json!(report::round3(p99)));
            }
            // JSON has no infinity: past the last bound is `null`.
            if let Some(max) = report::bucket_max_bound_ms(&buckets) {
                hops_max.insert(label.to_string(), json!(max.is_finite().then_some(max)));
            }
        }
        // Two clocks per delivery: from the start of the POST /v1/events request (what a
        // caller sees), and from its 202 (the delivery path alone).
        let times: HashMap<&str, (Instant, Instant)> = events
            .iter()
            .map(|(id, sent, done, _)| (id.as_str(), (*sent, *done)))
            .collect();
        // Each delivery: seconds into the scenario its request started, then both clocks.
        let arrivals: Vec<(f64, f64, f64)> = self
            .receiver
            .arrivals
            .lock()
            .map(|a| {
                a.iter()
                    .filter(|((_, p), _)| p.starts_with(&prefix))
                    .filter_map(|((id, _), at)| {
                        times.get(id.as_str()).map(|(sent, done)| {
                            let ms = |t0: &Instant| {
                                at.saturating_duration_since(*t0).as_secs_f64() * 1000.0
                            };
                            let started_at = sent.saturating_duration_since(started).as_secs_f64();
                            (started_at, ms(sent), ms(done))
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        // (seconds in, e2e ms) of every delivery, for the timeline and the plot.
        let mut samples: Vec<(f64, f64)> = arrivals.iter().map(|a| (a.0, a.1)).collect();
        let mut e2e: Vec<f64> = arrivals.iter().map(|a| a.1).collect();
        let mut after_202: Vec<f64> = arrivals.iter().map(|a| a.2).collect();
        after_202.sort_by(f64::total_cmp);
        e2e.sort_by(f64::total_cmp);
        let mut api_ms: Vec<f64> = events.iter().map(|(_, _, _, ms)| *ms).collect();
        api_ms.sort_by(f64::total_cmp);
        let per_1000 = |i: usize| {
            if delivered == 0 {
                0.0
            } else {
                (cpu_after[i] - cpu_before[i]) / delivered as f64 * 1000.0
            }
        };
        let cpu: serde_json::Map<String, Value> = PROCESSES
            .iter()
            .enumerate()
            .map(|(i, (name, _))| {
                (
                    (*name).to_string(),
                    json!((per_1000(i) * 1000.0).round() / 1000.0),
                )
            })
            .collect();
        let service_cpu: f64 = (0..4).map(per_1000).sum();
        samples.sort_by(|a, b| a.0.total_cmp(&b.0));
        let result = json!({
            "scenario": sc.name,
            "webhooks": sc.webhooks,
            "events_accepted": events.len(),
            "deliveries_expected": expected,
            "deliveries_received": delivered,
            "missing": expected.saturating_sub(delivered),
            "errors": errors.load(Ordering::Relaxed),
            "send_seconds": send_secs,
            "events_per_sec": events.len() as f64 / send_secs,
            "deliveries_per_sec": if sc.pause_dispatcher { delivered as f64 / drain_secs } else { delivered as f64 / all_secs },
            "drain_seconds": sc.pause_dispatcher.then_some(drain_secs),
            "e2e_ms": {"p50": percentile(&e2e, 50.0), "p90": percentile(&e2e, 90.0), "p99": percentile(&e2e, 99.0), "max": e2e.last().copied().unwrap_or(0.0)},
            "e2e_after_202_ms": {"p50": percentile(&after_202, 50.0), "p90": percentile(&after_202, 90.0), "p99": percentile(&after_202, 99.0)},
            "e2e_percentiles_ms": report::percentile_curve(&e2e),
            "timeline": report::timeline(&samples),
            "hops_mean_ms": hops,
            // From the services' histograms: p99 interpolated in its bucket, max as the
            // upper bound of the highest bucket reached.
            "hops_p99_ms": hops_p99,
            "hops_max_at_most_ms": hops_max,
            "api_ms": {"p50": percentile(&api_ms, 50.0), "p99": percentile(&api_ms, 99.0), "max": api_ms.last().copied().unwrap_or(0.0)},
            "cpu_seconds_per_1000_deliveries": cpu,
            "cpu_ms_per_delivery_api_dispatcher_postgres_rabbitmq": service_cpu,
            "duplicates": duplicates,
            "out_of_order": self.receiver.order.lock().map_or(0, |o| o.out_of_order()),
            // Share of the scenario's requests each API served, and of its attempts each
            // dispatcher made (one entry per process given).
            "api_shares": shares(&metrics_before, &metrics_after, "api", "hookrelay_http_request_duration_seconds"),
            "dispatcher_shares": shares(&metrics_before, &metrics_after, "dispatcher", "hookrelay_attempts_total"),
            "signatures_verified": self.receiver.verified.load(Ordering::Relaxed),
            "bad_signatures": self.receiver.bad_signatures.load(Ordering::Relaxed),
            "first_attempts_failed_on_purpose": self.receiver.failed_on_purpose.load(Ordering::Relaxed),
        });
        Ok((result, samples))
    }
}

/// Creates a tenant through the admin API; returns its first API key.
async fn create_tenant(
    http: &reqwest::Client,
    api: &str,
    admin_token: &str,
    name: &str,
) -> anyhow::Result<String> {
    let tenant: Value = http
        .post(format!("{api}/v1/tenants"))
        .bearer_auth(admin_token)
        .json(&json!({"name": name}))
        .send()
        .await?
        .error_for_status()
        .context("creating a tenant (is `make run` up, and the admin token right?)")?
        .json()
        .await?;
    Ok(tenant["api_key"]["key"]
        .as_str()
        .context("key")?
        .to_string())
}

/// Serves `handler` (every path) with `state` on a free port of 127.0.0.1 with `workers`
/// threads; returns its URL and the handle that stops it.
fn serve<S, F, Args>(
    state: web::Data<S>,
    handler: F,
    workers: usize,
) -> anyhow::Result<(String, actix_web::dev::ServerHandle)>
where
    S: Send + Sync + 'static,
    F: actix_web::Handler<Args> + Clone + Send + 'static,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://127.0.0.1:{}", listener.local_addr()?.port());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .default_service(web::to(handler.clone()))
    })
    .workers(workers)
    .max_connections(100_000)
    .disable_signals()
    .listen(listener)?
    .run();
    let handle = server.handle();
    tokio::spawn(server);
    Ok((url, handle))
}

fn print_row(r: &Value) {
    println!(
        "{:<8} {:>9.0} {:>11.0} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>7.1} {:>7.1} {:>8.2} {:>7}",
        r["scenario"].as_str().unwrap_or(""),
        r["events_per_sec"].as_f64().unwrap_or(0.0),
        r["deliveries_per_sec"].as_f64().unwrap_or(0.0),
        r["e2e_ms"]["p50"].as_f64().unwrap_or(0.0),
        r["e2e_ms"]["p90"].as_f64().unwrap_or(0.0),
        r["e2e_ms"]["p99"].as_f64().unwrap_or(0.0),
        r["e2e_ms"]["max"].as_f64().unwrap_or(0.0),
        r["api_ms"]["p50"].as_f64().unwrap_or(0.0),
        r["api_ms"]["p99"].as_f64().unwrap_or(0.0),
        r["cpu_ms_per_delivery_api_dispatcher_postgres_rabbitmq"]
            .as_f64()
            .unwrap_or(0.0),
        r["missing"].as_u64().unwrap_or(0) + r["errors"].as_u64().unwrap_or(0),
    );
}

/// `hookrelay-bench table [SUMMARY] [--write FILE...]`: prints the Markdown table of a
/// run's summary (default `bench/results/summary.json`), or writes it between the
/// `<!-- bench:start/end -->` markers of each FILE.
fn table(args: Vec<String>) -> anyhow::Result<()> {
    let (files, rest): (Vec<&String>, Vec<&String>) = {
        let at = args
            .iter()
            .position(|a| a == "--write")
            .unwrap_or(args.len());
        (
            args[at..].iter().skip(1).collect(),
            args[..at].iter().collect(),
        )
    };
    let path = rest
        .first()
        .map_or("bench/results/summary.json", |s| s.as_str());
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading {path} (run make bench first)"))?;
    let summary: Value =
        serde_json::from_str(&text).with_context(|| format!("{path} is not a bench summary"))?;
    let table = report::markdown_table(&summary);
    if files.is_empty() {
        print!("{table}");
    }
    for file in files {
        report::replace_marked(std::path::Path::new(file), &table)?;
        println!("wrote the table into {file}");
    }
    Ok(())
}

/// `hookrelay-bench compare LABEL=RESULT.json... --out PLOT.svg`: the e2e percentile
/// curves of several runs of a scenario in one plot (before/after).
fn compare(args: Vec<String>) -> anyhow::Result<()> {
    let mut out = None;
    let mut curves = Vec::new();
    let mut args = args.into_iter();
    while let Some(a) = args.next() {
        if a == "--out" {
            out = args.next();
            continue;
        }
        let (label, path) = a.split_once('=').unwrap_or((a.as_str(), a.as_str()));
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?;
        let result: Value =
            serde_json::from_str(&text).with_context(|| format!("{path} is not a bench result"))?;
        let e2e = &result["e2e_ms"];
        let label = format!(
            "{label}: p50 {:.1}, p99 {:.1}, max {:.0} ms",
            e2e["p50"].as_f64().unwrap_or(0.0),
            e2e["p99"].as_f64().unwrap_or(0.0),
            e2e["max"].as_f64().unwrap_or(0.0)
        );
        curves.push((label, result["e2e_percentiles_ms"].clone()));
    }
    let out = out.context("compare LABEL=RESULT.json... --out PLOT.svg")?;
    std::fs::write(
        &out,
        report::curves_svg("e2e latency, before and after", &curves)?,
    )?;
    println!("wrote {out}");
    Ok(())
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1).peekable();
    match args.peek().map(String::as_str) {
        Some("table") => return table(args.skip(1).collect()),
        Some("compare") => return compare(args.skip(1).collect()),
        _ => {}
    }
    let mut quick = false;
    let mut apis = "http://127.0.0.1:8080".to_string();
    let mut api_metrics = "http://127.0.0.1:9091/metrics".to_string();
    let mut dispatcher_metrics = "http://127.0.0.1:9090/metrics".to_string();
    let mut admin_token =
        std::env::var("HOOKRELAY_ADMIN_TOKEN").unwrap_or_else(|_| "dev-admin-token".into());
    let mut results_prefix = String::new();
    let mut names = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--quick" => quick = true,
            "--api" => apis = args.next().context("--api URL[,URL...]")?,
            "--admin-token" => admin_token = args.next().context("--admin-token TOKEN")?,
            "--api-metrics" => api_metrics = args.next().context("--api-metrics URL[,URL...]")?,
            "--dispatcher-metrics" => {
                dispatcher_metrics = args.next().context("--dispatcher-metrics URL[,URL...]")?
            }
            "--results-prefix" => {
                results_prefix = args.next().context("--results-prefix PREFIX")?
            }
            s if !s.starts_with('-') => names.push(s.to_string()),
            other => bail!("unknown option {other}"),
        }
    }
    let secs = |full: u64, q: u64| Duration::from_secs(if quick { q } else { full });
    let all = vec![
        Scenario {
            name: "steady",
            webhooks: 1,
            concurrency: 32,
            rate: None,
            duration: secs(60, 8),
            fail_first_ratio: 0,
            events: None,
            pause_dispatcher: false,
            ordering_keys: 0,
        },
        Scenario {
            name: "fanout",
            webhooks: 50,
            concurrency: 8,
            rate: None,
            duration: secs(600, 600),
            fail_first_ratio: 0,
            // A burst of events: deliveries/s is the fan-out rate until the last arrives.
            events: Some(if quick { 200 } else { 1_000 }),
            pause_dispatcher: false,
            ordering_keys: 0,
        },
        Scenario {
            name: "paced",
            webhooks: 1,
            concurrency: 0,
            rate: Some(500),
            duration: secs(30, 5),
            fail_first_ratio: 0,
            events: None,
            pause_dispatcher: false,
            ordering_keys: 0,
        },
        Scenario {
            name: "retry",
            webhooks: 1,
            concurrency: 16,
            rate: Some(200),
            duration: secs(20, 4),
            fail_first_ratio: 50,
            events: None,
            pause_dispatcher: false,
            ordering_keys: 0,
        },
        Scenario {
            name: "backlog",
            webhooks: 1,
            concurrency: 32,
            rate: None,
            duration: secs(600, 600),
            fail_first_ratio: 0,
            events: Some(if quick { 5_000 } else { 100_000 }),
            pause_dispatcher: true,
            ordering_keys: 0,
        },
        Scenario {
            name: "fifo",
            webhooks: 1,
            concurrency: 0,
            rate: Some(500),
            duration: secs(30, 5),
            fail_first_ratio: 0,
            events: None,
            pause_dispatcher: false,
            ordering_keys: 10,
        },
    ];
    let with_noisy = names.is_empty() || names.iter().any(|n| n == "noisy");
    let chosen: Vec<Scenario> = if names.is_empty() {
        all
    } else {
        all.into_iter()
            .filter(|s| names.iter().any(|n| n == s.name))
            .collect()
    };

    let receiver = web::Data::new(Receiver::default());
    let (receiver_url, server_handle) = serve(receiver.clone(), receive, 1)?;

    let list = |urls: &str| -> Vec<String> {
        urls.split(',')
            .map(|u| u.trim().trim_end_matches('/').to_string())
            .filter(|u| !u.is_empty())
            .collect()
    };
    let apis = list(&apis);
    if apis.is_empty() {
        bail!("--api needs at least one URL");
    }
    let run = Run {
        apis,
        api_metrics: list(&api_metrics),
        dispatcher_metrics: list(&dispatcher_metrics),
        admin_token,
        receiver_url,
        receiver,
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .build()?,
    };
    std::fs::create_dir_all("bench/results")?;
    println!(
        "{:<8} {:>9} {:>11} {:>8} {:>8} {:>8} {:>8} {:>7} {:>7} {:>8} {:>7}",
        "scenario",
        "events/s",
        "deliveries/s",
        "e2e p50",
        "e2e p90",
        "e2e p99",
        "e2e max",
        "api p50",
        "api p99",
        "cpu ms/d",
        "errors"
    );
    let mut summary_rows = Vec::new();
    for sc in &chosen {
        settle(&run.receiver).await;
        let (result, samples) = run.scenario(sc).await?;
        print_row(&result);
        if let Some(hops) = result["hops_mean_ms"].as_object().filter(|h| !h.is_empty()) {
            println!("         hops, ms (mean / p99 / max at most):");
            for (hop, mean) in hops {
                let bound = |key: &str| match result[key][hop].as_f64() {
                    Some(ms) => format!("{ms:.2}"),
                    None if result[key].get(hop).is_some() => "over the last bucket".into(),
                    None => "-".into(),
                };
                println!(
                    "           {hop:<38} {:>8.2} / {:>8} / {:>8}",
                    mean.as_f64().unwrap_or(0.0),
                    bound("hops_p99_ms"),
                    bound("hops_max_at_most_ms")
                );
            }
        }
        let mut line = format!("         duplicates {}", result["duplicates"]);
        if sc.ordering_keys > 0 {
            line += &format!(" | out of order {}", result["out_of_order"]);
        }
        for (key, label) in [("api_shares", "API"), ("dispatcher_shares", "dispatcher")] {
            if let Some(shares) = result[key].as_array().filter(|a| a.len() > 1) {
                line += &format!(" | {label} shares {}", Value::Array(shares.clone()));
            }
        }
        println!("{line}");
        std::fs::write(
            format!("bench/results/{results_prefix}{}.json", sc.name),
            serde_json::to_string_pretty(&result)?,
        )?;
        std::fs::write(
            format!("bench/results/{results_prefix}{}.svg", sc.name),
            report::scenario_svg(&result, &samples)?,
        )?;
        summary_rows.push(report::summary_row(&result));
    }
    if !summary_rows.is_empty() {
        report::write_summary(
            std::path::Path::new("bench/results"),
            &results_prefix,
            &summary_rows,
        )?;
    }
    if !chosen.is_empty() {
        println!("(latencies in ms; cpu ms/d = CPU milliseconds per delivery summed over api, dispatcher, PostgreSQL and RabbitMQ; JSON in bench/results/)");
    }
    if with_noisy {
        settle(&run.receiver).await;
        let result = noisy::run(run.first_api(), &run.admin_token, quick).await?;
        std::fs::write(
            format!("bench/results/{results_prefix}noisy.json"),
            serde_json::to_string_pretty(&result)?,
        )?;
    }
    server_handle.stop(false).await;
    Ok(())
}
