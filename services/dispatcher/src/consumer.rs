//! Consumes the work queues: the shard queues this dispatcher owns (`shards.rs`) and the
//! unsharded one. Each message holds one or several jobs; every job is handed to the
//! scheduler, which decides when it runs; finished jobs go to the recorder, which commits
//! and acks them.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use hookrelay_core::queue::{decode_jobs, BrokerNodes, QueueError, ReceivedJob, Topology};
use hookrelay_core::report::ErrorChain;
use lapin::message::Delivery;
use lapin::options::{
    BasicCancelOptions, BasicConsumeOptions, BasicQosOptions, QueueDeclareOptions,
};
use lapin::types::FieldTable;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::scheduler::Scheduler;
use crate::settle::{self, Acknowledge};

/// Consumer settings.
#[derive(Debug, Clone)]
pub struct ConsumerSettings {
    pub nodes: BrokerNodes,
    pub topology: Topology,
    /// Unacked messages per consumed queue.
    pub prefetch: u16,
}

/// The broker link of a stopped consumer. Its in-flight jobs can only be acked over this
/// channel, so it must outlive the recorder's last batch: drop it after the recorder ends.
pub struct OpenChannel {
    _connection: lapin::Connection,
    _channel: lapin::Channel,
}

/// A consumer that received nothing for this long, with nothing in flight while its queues
/// hold ready jobs, is reattached.
const STALL_AFTER: Duration = Duration::from_secs(10);

/// How long connecting and attaching a consumer may take before it is tried again.
const SETUP_TIMEOUT: Duration = Duration::from_secs(15);

/// Consumes until `stop` is cancelled, reconnecting when the broker goes away, serving
/// the shards `owned` names as it changes. `running` tells readiness probes whether a
/// consumer is attached. Returns once every started job has been handed to the recorder,
/// with the channel those jobs must be acked on.
pub async fn run(
    settings: ConsumerSettings,
    scheduler: Scheduler,
    mut owned: watch::Receiver<BTreeSet<u16>>,
    running: Arc<AtomicBool>,
    stop: CancellationToken,
) -> Option<OpenChannel> {
    let mut backoff = Duration::from_millis(200);
    let mut open = None;
    while !stop.is_cancelled() {
        match consume(&settings, &scheduler, &mut owned, &running, &stop).await {
            Ok(kept) => {
                open = kept;
                backoff = Duration::from_millis(200);
            }
            Err(e) => {
                tracing::warn!(error = %ErrorChain(&e), "consumer stopped; reconnecting");
                // What waited in memory was received over the lost channel: the broker
                // hands it out again.
                scheduler.release(|_| true).await;
            }
        }
        running.store(false, Ordering::SeqCst);
        metrics::gauge!("hookrelay_consumer_running").set(0.0);
        tokio::select! {
            _ = stop.cancelled() => break,
            _ = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
    // Give back what waits and let every started job finish and reach the recorder.
    scheduler.close(Duration::from_secs(30)).await;
    open
}

/// A received message, or the end of one queue's consumer.
type Received = Result<Delivery, lapin::Error>;

async fn consume(
    settings: &ConsumerSettings,
    scheduler: &Scheduler,
    owned: &mut watch::Receiver<BTreeSet<u16>>,
    running: &Arc<AtomicBool>,
    stop: &CancellationToken,
) -> Result<Option<OpenChannel>, QueueError> {
    let topology = &settings.topology;
    let (tx, mut rx) = mpsc::channel::<Received>(usize::from(settings.prefetch).max(64));
    let setup = async {
        let connection = settings.nodes.connect(Duration::from_secs(5)).await?;
        let channel = connection.create_channel().await?;
        topology.declare(&channel).await?;
        channel
            .basic_qos(settings.prefetch, BasicQosOptions::default())
            .await?;
        // The unsharded queue (jobs of earlier versions): every dispatcher serves it.
        let unsharded = attach(&channel, &topology.work_queue(), &tx).await?;
        Ok::<_, QueueError>((connection, channel, unsharded))
    };
    // A cluster that is electing a new queue leader can leave a declare or consume
    // unanswered: give up and reconnect (to another node) rather than wait forever, and
    // stop at once when asked to.
    let (connection, channel, unsharded) = tokio::select! {
        _ = stop.cancelled() => return Ok(None),
        set_up = tokio::time::timeout(SETUP_TIMEOUT, setup) => {
            set_up.map_err(|_| QueueError::SetupTimeout)??
        }
    };
    let mut attached: HashMap<u16, String> = HashMap::new();
    let served = serve(
        settings,
        scheduler,
        owned,
        running,
        stop,
        &channel,
        &mut attached,
        &tx,
        &mut rx,
    )
    .await;
    if let Err(e) = served {
        // Close the connection we give up on. Left open it keeps its consumers and the
        // messages it was sent and never acked: a shard queue has a single active
        // consumer, so the broker would go on sending that shard to this dead one and
        // never to the next (seen after a pause: 100,000 jobs waiting, none delivered).
        // Closing hands every unacked message to the next consumer.
        let closing = connection.close(320, "hookrelay-dispatcher: reattaching".into());
        if tokio::time::timeout(Duration::from_secs(5), closing)
            .await
            .is_err()
        {
            tracing::warn!("closing the abandoned broker connection timed out");
        }
        return Err(e);
    }
    // Stop receiving on every queue, but keep the channel open: the jobs in flight still
    // need their acks.
    for tag in attached.values().chain(std::iter::once(&unsharded)) {
        let _ = channel
            .basic_cancel(tag.as_str().into(), BasicCancelOptions::default())
            .await;
    }
    Ok(Some(OpenChannel {
        _connection: connection,
        _channel: channel,
    }))
}

/// Receives and follows the owned shards until asked to stop (`Ok`) or the consumer
/// fails (`Err`; the caller closes the connection).
#[allow(clippy::too_many_arguments)]
async fn serve(
    settings: &ConsumerSettings,
    scheduler: &Scheduler,
    owned: &mut watch::Receiver<BTreeSet<u16>>,
    running: &Arc<AtomicBool>,
    stop: &CancellationToken,
    channel: &lapin::Channel,
    attached: &mut HashMap<u16, String>,
    tx: &mpsc::Sender<Received>,
    rx: &mut mpsc::Receiver<Received>,
) -> Result<(), QueueError> {
    let topology = &settings.topology;
    let serving = owned.borrow_and_update().clone();
    follow(channel, topology, scheduler, &serving, attached, tx).await?;
    running.store(true, Ordering::SeqCst);
    metrics::gauge!("hookrelay_consumer_running").set(1.0);
    tracing::info!(shards = ?serving, prefetch = settings.prefetch, "consuming");
    let mut last_delivery = std::time::Instant::now();
    let mut stall_check = tokio::time::interval(STALL_AFTER);
    // After a pause (a stopped process, a frozen VM) one late tick, not a burst of them.
    stall_check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            // Shutting down (asked to, or the shard keeper has stopped).
            _ = stop.cancelled() => break,
            changed = owned.changed() => {
                if changed.is_err() {
                    break;
                }
                let serving = owned.borrow_and_update().clone();
                follow(channel, topology, scheduler, &serving, attached, tx).await?;
            }
            _ = stall_check.tick() => {
                // Deliveries already received but not yet taken are not a stall: after a
                // pause the tick and the deliveries are ready at once.
                let idle = last_delivery.elapsed() >= STALL_AFTER
                    && scheduler.load() == (0, 0)
                    && rx.is_empty();
                if idle {
                    let mut ready = 0;
                    let queues = attached
                        .keys()
                        .map(|s| topology.shard_queue(*s))
                        .chain(std::iter::once(topology.work_queue()));
                    for queue in queues {
                        ready += channel
                            .queue_declare(
                                queue.into(),
                                QueueDeclareOptions { passive: true, ..Default::default() },
                                FieldTable::default(),
                            )
                            .await?
                            .message_count();
                    }
                    if ready > 0 {
                        // Seen with a quorum queue whose leader node was lost: the consumer
                        // attached during the election stays attached and gets nothing.
                        tracing::warn!(ready, "consumer idle while jobs wait; reattaching");
                        metrics::counter!("hookrelay_consumer_stalls_total").increment(1);
                        return Err(QueueError::Stalled);
                    }
                }
            }
            received = rx.recv() => {
                let Some(delivery) = received else { return Err(QueueError::ConsumersEnded) };
                let delivery = delivery?;
                last_delivery = std::time::Instant::now();
                let serving = owned.borrow().clone();
                receive(scheduler, topology, &serving, delivery).await;
            }
        }
    }
    Ok(())
}

/// Attaches a consumer to `queue` whose messages go to `tx`; returns its tag.
async fn attach(
    channel: &lapin::Channel,
    queue: &str,
    tx: &mpsc::Sender<Received>,
) -> Result<String, QueueError> {
    let tag = format!("hookrelay-dispatcher-{}", Uuid::new_v4().simple());
    let mut consumer = channel
        .basic_consume(
            queue.into(),
            tag.as_str().into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await?;
    let tx = tx.clone();
    tokio::spawn(async move {
        while let Some(delivery) = consumer.next().await {
            if tx.send(delivery).await.is_err() {
                break;
            }
        }
    });
    Ok(tag)
}

/// Attaches to the shard queues newly `serving` and leaves those no longer served (their
/// jobs waiting in memory go back to the queue, for the shard's next owner).
async fn follow(
    channel: &lapin::Channel,
    topology: &Topology,
    scheduler: &Scheduler,
    serving: &BTreeSet<u16>,
    attached: &mut HashMap<u16, String>,
    tx: &mpsc::Sender<Received>,
) -> Result<(), QueueError> {
    let leaving: Vec<u16> = attached
        .keys()
        .filter(|s| !serving.contains(s))
        .copied()
        .collect();
    for shard in leaving {
        if let Some(tag) = attached.remove(&shard) {
            channel
                .basic_cancel(tag.as_str().into(), BasicCancelOptions::default())
                .await?;
        }
        let shards = topology.shards();
        scheduler.release(|e| e.shard(shards) == shard).await;
    }
    for shard in serving {
        if !attached.contains_key(shard) {
            let tag = attach(channel, &topology.shard_queue(*shard), tx).await?;
            attached.insert(*shard, tag);
        }
    }
    Ok(())
}

/// Hands every job of a message to the scheduler. A job of a shard this dispatcher no
/// longer serves (it was on its way when the shard was handed over) goes back to the
/// queue, for the new owner.
async fn receive(
    scheduler: &Scheduler,
    topology: &Topology,
    serving: &BTreeSet<u16>,
    delivery: Delivery,
) {
    let kind = delivery.properties.kind().as_ref().map(|k| k.as_str());
    let jobs = match decode_jobs(kind, delivery.data.as_slice()) {
        Ok(jobs) => jobs,
        Err(e) => {
            tracing::error!(error = %ErrorChain(&e), "undecodable job message; dropping it");
            let part = settle::split(delivery.acker, 1).remove(0);
            if let Err(e) = part.ack().await {
                tracing::warn!(error = %ErrorChain(e.as_ref()), "dropping an undecodable message failed");
            }
            return;
        }
    };
    let jobs = distinct(jobs);
    let parts = settle::split(delivery.acker, jobs.len());
    let shards = topology.shards();
    for ((job, ready_at), part) in jobs.into_iter().zip(parts) {
        let elsewhere = job
            .endpoint()
            .is_some_and(|e| !serving.contains(&e.shard(shards)));
        if elsewhere {
            if let Err(e) = part.requeue().await {
                tracing::warn!(error = %ErrorChain(e.as_ref()), "requeue failed; the broker redelivers the job when the channel closes");
            }
            continue;
        }
        scheduler.submit(job, ready_at, part).await;
    }
}

/// The jobs of a message, each delivery once: two parts of one message for the same
/// delivery would find each other in flight and requeue the message again and again.
fn distinct(mut jobs: Vec<ReceivedJob>) -> Vec<ReceivedJob> {
    let mut seen = std::collections::HashSet::with_capacity(jobs.len());
    jobs.retain(|(job, _)| seen.insert(job.delivery_id()));
    jobs
}
