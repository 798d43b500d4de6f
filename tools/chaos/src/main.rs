//! `hookrelay-chaos`: fault scenarios against the real services (`make chaos`).
//!
//! Each scenario gets a fresh database and AMQP prefix, starts `hookrelay-api` and
//! `hookrelay-dispatcher` as processes, streams events at a fixed rate through
//! `POST /v1/events` to one webhook and, beside them, numbered events on a few ordering
//! keys to a FIFO webhook, injects its fault a few seconds in, heals it, and waits until
//! every accepted event has reached the receiver. It reports sent, accepted, delivered,
//! lost (accepted, never delivered), duplicates (deliveries beyond the first) and FIFO
//! deliveries out of order, and fails when anything accepted is lost, anything arrived out
//! of order, the API answered a 5xx other than 503, or duplicates the fault cannot explain
//! pass 1 % of the accepted events. Delivery is at least once: an attempt whose receiver
//! answered but whose result was not yet committed when the dispatcher was killed is sent
//! again, and how many those are depends on the box's speed at that instant, not on a rule
//! (`Fault::duplicates_from` says which duplicates each fault explains).
//!
//! Map: `system` runs the processes, `load` sends, `receiver` receives (and fails on
//! purpose), `faults` is the list of scenarios.
//!
//! Usage: `hookrelay-chaos [--rate N] [--seconds N] [--cluster-script PATH] [--out FILE]
//! [SCENARIO...]` (default: all scenarios; the cluster one needs `--cluster-script`).

mod faults;
mod load;
mod receiver;
mod system;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde_json::{json, Value};

use faults::{DuplicatesFrom, Fault, Scene};
use receiver::{Receipts, Receiver};
use system::{System, Wiring, ADMIN_TOKEN};

/// The system RabbitMQ every scenario but the cluster one uses.
const SYSTEM_BROKER: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";
/// How long after the fault heals every accepted event must have been delivered.
const SETTLE: Duration = Duration::from_secs(90);
/// Duplicates (a second 2xx receipt of one event at the receiver) the fault does not
/// explain that a scenario may have, per accepted event.
const DUPLICATE_BOUND: f64 = 0.01;
/// How long before a fault (and after the heal of one that lasts) a duplicate's first
/// copy may have arrived and still be the fault's doing: its result was being committed
/// when the dispatcher died (a slow commit on a loaded box).
const FAULT_REACH: Duration = Duration::from_secs(2);
/// The FIFO webhook's ordering keys, and how many events each gets per second at most.
const ORDERED_LANES: u32 = 4;
const ORDERED_RATE_PER_LANE: u32 = 10;

struct Options {
    rate: u32,
    duration: Duration,
    cluster_script: Option<PathBuf>,
    out: Option<PathBuf>,
    faults: Vec<Fault>,
}

fn parse_args() -> anyhow::Result<Options> {
    let mut options = Options {
        rate: 100,
        duration: Duration::from_secs(10),
        cluster_script: None,
        out: None,
        faults: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().with_context(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--rate" => options.rate = value("--rate")?.parse()?,
            "--seconds" => options.duration = Duration::from_secs(value("--seconds")?.parse()?),
            "--cluster-script" => options.cluster_script = Some(value("--cluster-script")?.into()),
            "--out" => options.out = Some(value("--out")?.into()),
            name => match Fault::ALL.iter().find(|f| f.name() == name) {
                Some(f) => options.faults.push(*f),
                None => bail!(
                    "unknown scenario {name:?}; known: {}",
                    Fault::ALL.map(|f| f.name()).join(", ")
                ),
            },
        }
    }
    if options.faults.is_empty() {
        options.faults = Fault::ALL.to_vec();
    }
    Ok(options)
}

/// One scenario's figures.
#[derive(Debug)]
struct Outcome {
    fault: Fault,
    sent: u64,
    accepted: usize,
    delivered: usize,
    lost: usize,
    duplicates: Duplicates,
    refusals: std::collections::BTreeMap<String, u64>,
    server_errors: u64,
    /// From the first event sent until every accepted event was delivered.
    settled_secs: f64,
    /// Of `accepted`, the FIFO webhook's.
    ordered_accepted: usize,
    /// FIFO deliveries that arrived after a later event of their key.
    out_of_order: u64,
    /// FIFO deliveries that repeated the one just before (a head resent).
    ordered_repeats: u64,
}

impl Outcome {
    fn passed(&self) -> bool {
        self.lost == 0
            && self.server_errors == 0
            && self.out_of_order == 0
            && self.duplicates.unexplained as f64 <= self.accepted as f64 * DUPLICATE_BOUND
    }

    fn to_json(&self) -> Value {
        json!({
            "scenario": self.fault.name(),
            "fault": self.fault.describe(),
            "sent": self.sent,
            "accepted": self.accepted,
            "delivered": self.delivered,
            "lost": self.lost,
            "duplicates": self.duplicates.total(),
            "duplicates_unexplained": self.duplicates.unexplained,
            "refused_answers": self.refusals,
            "server_errors": self.server_errors,
            "settled_secs": self.settled_secs,
            "fifo": {
                "accepted": self.ordered_accepted,
                "out_of_order": self.out_of_order,
                "repeated_heads": self.ordered_repeats,
            },
        })
    }
}

/// Ends with the failures themselves, never a backtrace: CI shows only the output's tail.
#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    let options = parse_args()?;
    let bin_dir = std::env::current_exe()?
        .parent()
        .context("binary directory")?
        .to_path_buf();
    let log_root = std::env::temp_dir().join("hookrelay-chaos");
    let _ = std::fs::remove_dir_all(&log_root);
    let mut outcomes = Vec::new();
    let mut failures = Vec::new();
    for fault in &options.faults {
        let cluster = if fault.needs_cluster() {
            match &options.cluster_script {
                Some(script) => Some(script.as_path()),
                None => {
                    println!("{:<20} skipped: needs --cluster-script", fault.name());
                    continue;
                }
            }
        } else {
            None
        };
        let started = Instant::now();
        let log_dir = log_root.join(fault.name());
        match run_scenario(*fault, &options, &bin_dir, &log_dir, cluster).await {
            Ok(outcome) => {
                println!(
                    "{:<20} sent {:>5}  accepted {:>5}  delivered {:>5}  lost {}  duplicates {} ({} unexplained)  fifo {} out of order {}  settled {:>5.1} s  refused {:?}  ({:.0} s)",
                    fault.name(),
                    outcome.sent,
                    outcome.accepted,
                    outcome.delivered,
                    outcome.lost,
                    outcome.duplicates.total(),
                    outcome.duplicates.unexplained,
                    outcome.ordered_accepted,
                    outcome.out_of_order,
                    outcome.settled_secs,
                    outcome.refusals,
                    started.elapsed().as_secs_f64()
                );
                if !outcome.passed() {
                    failures.push(format!(
                        "{}: {} lost, {} out of order, {} duplicates the fault does not explain (bound {:.0}), {} server errors (logs: {})",
                        fault.name(),
                        outcome.lost,
                        outcome.out_of_order,
                        outcome.duplicates.unexplained,
                        outcome.accepted as f64 * DUPLICATE_BOUND,
                        outcome.server_errors,
                        log_dir.display()
                    ));
                }
                outcomes.push(outcome);
            }
            Err(e) => {
                println!("{:<20} error: {e:#}", fault.name());
                failures.push(format!(
                    "{}: {e:#} (logs: {})",
                    fault.name(),
                    log_dir.display()
                ));
            }
        }
    }
    print_table(&outcomes);
    if let Some(out) = &options.out {
        let document = json!({
            "rate_per_sec": options.rate,
            "fifo_keys": ORDERED_LANES,
            "fifo_rate_per_key_per_sec": ORDERED_RATE_PER_LANE,
            "seconds": options.duration.as_secs(),
            "scenarios": outcomes.iter().map(Outcome::to_json).collect::<Vec<_>>(),
        });
        std::fs::write(out, serde_json::to_string_pretty(&document)?)?;
    }
    if !failures.is_empty() {
        bail!("chaos failed:\n  {}", failures.join("\n  "));
    }
    Ok(())
}

fn print_table(outcomes: &[Outcome]) {
    println!();
    println!("| scenario | fault | sent | accepted | delivered | lost | duplicates (unexplained) | FIFO accepted | FIFO out of order | all delivered after |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for o in outcomes {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} ({}) | {} | {} | {:.1} s |",
            o.fault.name(),
            o.fault.describe(),
            o.sent,
            o.accepted,
            o.delivered,
            o.lost,
            o.duplicates.total(),
            o.duplicates.unexplained,
            o.ordered_accepted,
            o.out_of_order,
            o.settled_secs
        );
    }
}

async fn run_scenario(
    fault: Fault,
    options: &Options,
    bin_dir: &Path,
    log_dir: &Path,
    cluster: Option<&Path>,
) -> anyhow::Result<Outcome> {
    let amqp_url = match cluster {
        Some(script) => {
            system::run(&script.to_string_lossy(), &["start"])?;
            system::run(&script.to_string_lossy(), &["urls"])?
                .trim()
                .to_string()
        }
        None => SYSTEM_BROKER.to_string(),
    };
    let db = hookrelay_testkit::TestDb::create().await;
    // `hrtest-` so that `make clean-test` removes what a failed run leaves.
    let prefix = format!(
        "hrtest-chaos-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let wiring = Wiring {
        database_url: db.url.clone(),
        amqp_url,
        prefix: prefix.clone(),
    };
    let mut system = System::start(bin_dir, log_dir, &wiring).await?;
    let receiver = Receiver::start().await?;
    let (key, webhook_id) = tenant_with_webhooks(&system.api_url, &receiver).await?;
    // The shard queue the webhook's jobs travel through (the default 16 shards).
    let shard = hookrelay_domain::flow::Endpoint {
        tenant_id: uuid::Uuid::nil(),
        webhook_id,
    }
    .shard(system::SHARDS);
    let work_queue = format!("{prefix}.deliveries.{shard}");

    let started = Instant::now();
    let load = tokio::spawn({
        let (api_url, rate, duration) = (system.api_url.clone(), options.rate, options.duration);
        let key = key.clone();
        async move { load::stream(&api_url, &key, rate, duration).await }
    });
    let ordered = tokio::spawn({
        let (api_url, duration) = (system.api_url.clone(), options.duration);
        async move {
            load::stream_ordered(
                &api_url,
                &key,
                ORDERED_LANES,
                ORDERED_RATE_PER_LANE,
                duration,
            )
            .await
        }
    });
    // The fault strikes at 30 % of the run and lasts 30 % of it.
    tokio::time::sleep(options.duration * 3 / 10).await;
    let mut scene = Scene {
        system: &mut system,
        receiver: &receiver,
        prefix: &prefix,
        work_queue: &work_queue,
        cluster,
    };
    let injecting_at = Instant::now();
    let injected = fault.inject(&mut scene).await;
    let injected_at = Instant::now();
    tokio::time::sleep(options.duration * 3 / 10).await;
    // Heal even when the injection failed half-way (a stopped broker or database).
    let healed = fault.heal(&mut scene).await;
    let reach_start = injecting_at
        .checked_sub(FAULT_REACH)
        .unwrap_or(injecting_at);
    let explained = match fault.duplicates_from() {
        DuplicatesFrom::Nothing => None,
        DuplicatesFrom::JustBefore => Some(reach_start..=injected_at),
        DuplicatesFrom::WhileItLasts => Some(reach_start..=Instant::now() + FAULT_REACH),
    };
    injected.context("injecting the fault")?;
    healed.context("healing the fault")?;
    let mut report = load.await.context("sender task")?;
    let ordered = ordered.await.context("ordered sender task")?;
    let ordered_accepted = ordered.accepted.len();
    report.absorb(ordered);

    let deadline = Instant::now() + SETTLE;
    let delivered = loop {
        let delivered = receiver.delivered();
        if report.accepted.iter().all(|id| delivered.contains_key(id)) || Instant::now() > deadline
        {
            break delivered;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let settled_secs = started.elapsed().as_secs_f64();
    let reached = report
        .accepted
        .iter()
        .filter(|id| delivered.contains_key(*id))
        .count();
    // Late duplicates (a redelivered job) would arrive within a sweep or two.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let delivered_late = receiver.delivered();
    let order = receiver.order();
    if reached < report.accepted.len() {
        // What the dispatcher was doing when it gave up: in flight, consumer attached...
        if let Ok(page) = reqwest::get(&system.dispatcher_metrics_url).await {
            let _ = std::fs::write(log_dir.join("dispatcher-metrics.txt"), page.text().await?);
        }
    }
    system.shutdown().await;
    if let Some(script) = cluster {
        system::run(&script.to_string_lossy(), &["stop"])?;
    }
    Ok(Outcome {
        fault,
        sent: report.sent,
        accepted: report.accepted.len(),
        delivered: reached,
        lost: report.accepted.len() - reached,
        duplicates: Duplicates::count(delivered_late.values(), explained.as_ref()),
        server_errors: report.server_errors(),
        refusals: report.refusals,
        settled_secs,
        ordered_accepted,
        out_of_order: order.out_of_order(),
        ordered_repeats: order.repeats(),
    })
}

/// Deliveries beyond an event's first, split by whether the fault explains them.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Duplicates {
    /// The event's first copy arrived in the span the fault explains.
    explained: u64,
    unexplained: u64,
}

impl Duplicates {
    /// `explained`: when an event's first copy must have arrived for the fault to explain
    /// its duplicates (`None`: it explains none).
    fn count<'a>(
        receipts: impl IntoIterator<Item = &'a Receipts>,
        explained: Option<&std::ops::RangeInclusive<Instant>>,
    ) -> Duplicates {
        let mut duplicates = Duplicates::default();
        for r in receipts {
            let extra = u64::from(r.count.saturating_sub(1));
            if explained.is_some_and(|span| span.contains(&r.first_at)) {
                duplicates.explained += extra;
            } else {
                duplicates.unexplained += extra;
            }
        }
        duplicates
    }

    fn total(self) -> u64 {
        self.explained + self.unexplained
    }
}

/// A tenant with two webhooks to the receiver: `chaos.tick` to `url` (its id is returned
/// with the tenant's API key) and `chaos.ordered` to `ordered_url`, FIFO.
async fn tenant_with_webhooks(
    api_url: &str,
    receiver: &Receiver,
) -> anyhow::Result<(String, uuid::Uuid)> {
    let client = reqwest::Client::new();
    let tenant: Value = client
        .post(format!("{api_url}/v1/tenants"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"name": "chaos"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let key = tenant["api_key"]["key"]
        .as_str()
        .context("tenant answer without api_key.key")?
        .to_string();
    let mut ids = Vec::new();
    for webhook in [
        json!({"name": "chaos", "url": receiver.url, "event_types": ["chaos.tick"]}),
        json!({"name": "chaos fifo", "url": receiver.ordered_url, "event_types": ["chaos.ordered"], "ordering": "fifo"}),
    ] {
        let created: Value = client
            .post(format!("{api_url}/v1/webhooks"))
            .bearer_auth(&key)
            .json(&webhook)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let id: uuid::Uuid = created["id"]
            .as_str()
            .context("webhook answer without id")?
            .parse()?;
        ids.push(id);
    }
    Ok((key, ids[0]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duplicate_is_the_faults_only_when_its_first_copy_came_near_it() {
        let start = Instant::now();
        let at = |secs: u64| start + Duration::from_secs(secs);
        // The fault spans 10..=20 s (its reach included).
        let span = at(10)..=at(20);
        let cases = [
            // (first copy at, copies, explained, unexplained)
            (at(15), 1, 0, 0), // delivered once: no duplicate
            (at(15), 3, 2, 0), // in flight when the fault struck
            (at(10), 2, 1, 0), // the span's edges count
            (at(20), 2, 1, 0),
            (at(5), 2, 0, 1),  // long before the fault: something else resent it
            (at(25), 2, 0, 1), // long after the heal
        ];
        for (first_at, count, explained, unexplained) in cases {
            let receipts = Receipts { count, first_at };
            assert_eq!(
                Duplicates::count([&receipts], Some(&span)),
                Duplicates {
                    explained,
                    unexplained
                },
                "first copy at {:?}, {count} copies",
                first_at - start
            );
            // A fault that explains no duplicates leaves every one unexplained.
            assert_eq!(
                Duplicates::count([&receipts], None),
                Duplicates {
                    explained: 0,
                    unexplained: explained + unexplained
                }
            );
        }
    }
}
