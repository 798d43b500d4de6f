//! The fault scenarios: what each one breaks, and how it is put right.

use std::path::Path;

use anyhow::Context;

use crate::receiver::Receiver;
use crate::system::{run, Service, Signal, System};

/// One fault scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    DispatcherKill,
    DispatcherTerm,
    DispatcherPause,
    ApiKill,
    BrokerStop,
    QueuePurge,
    PostgresRestart,
    Receiver429,
    ReceiverResets,
    ClusterNodeLoss,
}

/// Which deliveries a fault may lead the dispatcher to send twice — delivery is at least
/// once — told by when their first copy reached the receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicatesFrom {
    /// None: every attempt the receiver answered is recorded (a drain, a pause, a lost
    /// API, broker or database: their writes and acks are retried or redone).
    Nothing,
    /// Attempts answered just before the fault, their results not yet committed when the
    /// dispatcher died.
    JustBefore,
    /// Attempts answered while the fault lasted, their answers lost on the way back.
    WhileItLasts,
}

/// What a fault acts on.
pub struct Scene<'a> {
    pub system: &'a mut System,
    pub receiver: &'a Receiver,
    pub prefix: &'a str,
    /// The shard queue the scenario's webhook is served from.
    pub work_queue: &'a str,
    pub cluster: Option<&'a Path>,
}

impl Fault {
    pub const ALL: [Fault; 10] = [
        Fault::DispatcherKill,
        Fault::DispatcherTerm,
        Fault::DispatcherPause,
        Fault::ApiKill,
        Fault::BrokerStop,
        Fault::QueuePurge,
        Fault::PostgresRestart,
        Fault::Receiver429,
        Fault::ReceiverResets,
        Fault::ClusterNodeLoss,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Fault::DispatcherKill => "dispatcher-sigkill",
            Fault::DispatcherTerm => "dispatcher-sigterm",
            Fault::DispatcherPause => "dispatcher-paused",
            Fault::ApiKill => "api-sigkill",
            Fault::BrokerStop => "broker-stop",
            Fault::QueuePurge => "queues-purged",
            Fault::PostgresRestart => "postgres-restart",
            Fault::Receiver429 => "receiver-429-storm",
            Fault::ReceiverResets => "receiver-resets",
            Fault::ClusterNodeLoss => "cluster-node-loss",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Fault::DispatcherKill => "dispatcher SIGKILL under load, restarted",
            Fault::DispatcherTerm => "dispatcher SIGTERM under load (drains), restarted",
            Fault::DispatcherPause => "dispatcher frozen (SIGSTOP) for 15 s under load, resumed",
            Fault::ApiKill => "API SIGKILL under load, restarted",
            Fault::BrokerStop => "RabbitMQ stopped (stop_app), started again",
            Fault::QueuePurge => "every queue of the installation purged",
            Fault::PostgresRestart => "PostgreSQL stopped (fast), started again",
            Fault::Receiver429 => "receiver answers 429 Retry-After: 1 to everything",
            Fault::ReceiverResets => "receiver resets every connection (TCP RST)",
            Fault::ClusterNodeLoss => "3-node cluster: the work queue's leader node killed",
        }
    }

    pub fn duplicates_from(self) -> DuplicatesFrom {
        match self {
            Fault::DispatcherKill => DuplicatesFrom::JustBefore,
            Fault::ReceiverResets => DuplicatesFrom::WhileItLasts,
            Fault::DispatcherTerm
            | Fault::DispatcherPause
            | Fault::ApiKill
            | Fault::BrokerStop
            | Fault::QueuePurge
            | Fault::PostgresRestart
            | Fault::Receiver429
            | Fault::ClusterNodeLoss => DuplicatesFrom::Nothing,
        }
    }

    pub fn needs_cluster(self) -> bool {
        self == Fault::ClusterNodeLoss
    }

    pub async fn inject(self, scene: &mut Scene<'_>) -> anyhow::Result<()> {
        match self {
            Fault::DispatcherKill => scene.system.stop(Service::Dispatcher, Signal::Kill).await,
            Fault::DispatcherTerm => scene.system.stop(Service::Dispatcher, Signal::Term).await,
            Fault::DispatcherPause => {
                // Longer than the consumer's stall check (10 s): the frozen process wakes to
                // a late tick and a queue full of jobs, as after a VM pause or a long stop.
                scene.system.signal(Service::Dispatcher, "-STOP")?;
                tokio::time::sleep(std::time::Duration::from_secs(15)).await;
                Ok(())
            }
            Fault::ApiKill => scene.system.stop(Service::Api, Signal::Kill).await,
            Fault::BrokerStop => run("rabbitmqctl", &["-q", "stop_app"]).map(drop),
            Fault::QueuePurge => {
                // One eval purges every queue of the installation at once (with 16 shard
                // queues, one rabbitmqctl per queue took longer than the fault lasts);
                // one queue at a time if the broker's internals differ.
                let eval = format!(
                    "Qs = [Q || Q <- rabbit_amqqueue:list(), \
                       binary:longest_common_prefix([element(4, amqqueue:get_name(Q)), <<\"{}\">>]) =:= {}], \
                     [rabbit_amqqueue:purge(Q) || Q <- Qs], length(Qs).",
                    scene.prefix,
                    scene.prefix.len()
                );
                if let Ok(purged) = run("rabbitmqctl", &["-q", "eval", &eval]) {
                    println!("  purged {} queues", purged.trim());
                    return Ok(());
                }
                let queues = run("rabbitmqctl", &["-q", "list_queues", "name"])?;
                for queue in queues
                    .lines()
                    .map(str::trim)
                    .filter(|q| q.starts_with(scene.prefix))
                {
                    run("rabbitmqctl", &["-q", "purge_queue", queue])?;
                }
                Ok(())
            }
            Fault::PostgresRestart => pg_ctl(&["stop", "-m", "fast"]),
            Fault::Receiver429 => {
                scene.receiver.answer_too_many(true);
                Ok(())
            }
            Fault::ReceiverResets => {
                scene.receiver.reset_connections(true);
                Ok(())
            }
            Fault::ClusterNodeLoss => {
                let script = scene.cluster.context("no cluster script")?;
                let script = script.to_string_lossy();
                let queue = scene.work_queue.to_string();
                let leader = run(&script, &["leader", &queue])?;
                let leader = leader.trim();
                anyhow::ensure!(!leader.is_empty(), "no leader found for {queue}");
                println!("  killing node {leader}, the leader of {queue}");
                run(&script, &["node-stop", leader]).map(drop)
            }
        }
    }

    pub async fn heal(self, scene: &mut Scene<'_>) -> anyhow::Result<()> {
        match self {
            Fault::DispatcherKill | Fault::DispatcherTerm => {
                scene.system.spawn(Service::Dispatcher)
            }
            Fault::DispatcherPause => {
                scene.system.signal(Service::Dispatcher, "-CONT")?;
                one_consumer(scene.work_queue).await
            }
            Fault::ApiKill => {
                scene.system.spawn(Service::Api)?;
                scene
                    .system
                    .wait_ready(std::time::Duration::from_secs(30))
                    .await
            }
            Fault::BrokerStop => run("rabbitmqctl", &["-q", "start_app"]).map(drop),
            Fault::QueuePurge | Fault::ClusterNodeLoss => Ok(()),
            Fault::PostgresRestart => pg_ctl(&["start"]),
            Fault::Receiver429 => {
                scene.receiver.answer_too_many(false);
                Ok(())
            }
            Fault::ReceiverResets => {
                scene.receiver.reset_connections(false);
                Ok(())
            }
        }
    }
}

/// Waits (up to 60 s) until `queue` has exactly one consumer: a dispatcher that
/// reattaches after a pause must close the connection it gives up, or its old consumer
/// stays the shard's single active one, holding messages nobody processes.
async fn one_consumer(queue: &str) -> anyhow::Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let listed = run("rabbitmqctl", &["-q", "list_queues", "name", "consumers"])?;
        let consumers = listed
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .find(|(name, _)| name.trim() == queue)
            .and_then(|(_, n)| n.trim().parse::<u32>().ok());
        if consumers == Some(1) {
            return Ok(());
        }
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "{queue} has {consumers:?} consumers 60 s after the resume, not 1"
        );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}

/// `pg_ctlcluster <version> main <action>` on the machine's one PostgreSQL cluster.
fn pg_ctl(action: &[&str]) -> anyhow::Result<()> {
    let version = std::fs::read_dir("/etc/postgresql")
        .context("PostgreSQL's clusters (/etc/postgresql)")?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .max()
        .context("no PostgreSQL cluster in /etc/postgresql")?;
    let mut args = vec!["--skip-systemctl-redirect", version.as_str(), "main"];
    args.extend_from_slice(action);
    run("pg_ctlcluster", &args).map(drop)
}
