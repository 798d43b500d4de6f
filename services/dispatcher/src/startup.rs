//! Wires the dispatcher together: ops HTTP server, consumer, recorder, sweeper, and an
//! orderly stop.

use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::Pool;
use hookrelay_core::configuration::Settings;
use hookrelay_core::outbox::Outbox;
use hookrelay_core::queue::JobPublisher;
use hookrelay_domain::delivery::RetrySchedule;
use hookrelay_web::http::{
    amqp_check, ops_server, postgres_check, MetricsAccess, Readiness, ReadinessCheck,
};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::attempt::RetryRules;
use crate::consumer::{self, ConsumerSettings};
use crate::job::WorkerContext;
use crate::loader::ContextLoader;
use crate::recorder::{PgStore, Recorder};
use crate::scheduler::{Scheduler, SchedulerSettings};
use crate::settle::InFlight;
use crate::shards::{self, LockKeys};
use crate::sweeper::{self, SweeperSettings};
use hookrelay_core::sender::WebhookSender;

/// A running dispatcher.
pub struct Dispatcher {
    /// Port of the ops endpoint (`/healthz`, `/readyz`, `/metrics`).
    pub ops_port: u16,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Dispatcher {
    /// Starts every part; they run until `stop` is cancelled.
    pub fn start(settings: Settings, pool: Pool, stop: CancellationToken) -> anyhow::Result<Self> {
        hookrelay_core::telemetry::init_metrics("dispatcher");
        let topology = settings
            .amqp
            .topology(&settings.delivery.retry_schedule_secs);
        let nodes = settings.amqp.nodes()?;
        let publisher = JobPublisher::new(nodes.clone(), topology.clone());
        hookrelay_core::telemetry::spawn_pool_gauges(pool.clone());
        // Exported from the start, so dashboards and alerts see zeros rather than nothing.
        metrics::counter!("hookrelay_jobs_skipped_total").increment(0);
        metrics::counter!("hookrelay_sweeper_republished_total").increment(0);
        metrics::gauge!("hookrelay_jobs_in_flight").set(0.0);
        metrics::gauge!("hookrelay_consumer_running").set(0.0);
        let cipher = hookrelay_core::secrets::SecretCipher::from_keys(&settings.secrets.keys)
            .map_err(std::io::Error::other)?;
        let running = Arc::new(AtomicBool::new(false));
        let listener = TcpListener::bind(settings.dispatcher.listen)?;
        let ops_port = listener.local_addr()?.port();
        let consuming: ReadinessCheck = {
            let running = running.clone();
            Arc::new(move || {
                let up = running.load(Ordering::SeqCst);
                Box::pin(async move {
                    if up {
                        Ok(())
                    } else {
                        Err("consumer not attached".to_string())
                    }
                })
            })
        };
        let readiness = Readiness::default()
            .with("postgres", postgres_check(pool.clone()))
            .with("rabbitmq", amqp_check(publisher.clone()))
            .with("consumer", consuming);
        let server = ops_server(listener, readiness, MetricsAccess::new(&settings.telemetry))?;

        let (finished_tx, finished_rx) =
            mpsc::channel(settings.dispatcher.max_in_flight.max(64) * 2);
        let in_flight = InFlight::default();
        let worker = WorkerContext {
            contexts: ContextLoader::start(pool.clone(), cipher, 256, 4),
            sender: WebhookSender::new(
                settings.delivery.timeout(),
                settings.delivery.allow_private_targets,
                settings.delivery.require_https,
                settings.delivery.identity(),
            )?,
            retry: RetryRules {
                default_schedule: RetrySchedule::new(&settings.delivery.retry_schedule_secs),
                max_retry_after: settings.delivery.max_retry_after(),
            },
            in_flight,
            finished: finished_tx,
        };
        let (circuit_tx, circuit_rx) = mpsc::unbounded_channel();
        let to_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let scheduler = Scheduler::new(
            SchedulerSettings {
                max_in_flight: to_u32(settings.dispatcher.max_in_flight),
                max_in_flight_per_tenant: to_u32(settings.dispatcher.max_in_flight_per_tenant),
                default_max_concurrency: settings.delivery.default_max_concurrency(),
                breaker: settings.delivery.breaker(),
                max_pause: settings.delivery.max_retry_after(),
                attempt_timeout: settings.delivery.timeout(),
            },
            worker,
            pool.clone(),
            circuit_tx,
            stop.clone(),
        );
        let shard_count = topology.shards();
        let lock_keys = LockKeys::for_prefix(&settings.amqp.prefix);
        let (owned_tx, owned_rx) = tokio::sync::watch::channel(Default::default());
        let consumer_settings = ConsumerSettings {
            nodes,
            topology,
            prefetch: settings.dispatcher.prefetch,
        };
        let retention_settings = settings.retention.clone();
        let sweeper_settings = SweeperSettings {
            interval: Duration::from_secs(settings.dispatcher.sweep_interval_secs),
            grace_secs: settings.dispatcher.sweep_grace_secs,
            auto_disable: settings.delivery.auto_disable(),
        };

        let task = tokio::spawn(async move {
            let server_handle = server.handle();
            let server_task = tokio::spawn(server);
            let recorder = Recorder {
                store: PgStore {
                    pool: pool.clone(),
                    outbox: Outbox::new(publisher.clone()),
                },
                retries: publisher.clone(),
                write_retry_for: crate::recorder::WRITE_RETRY_FOR,
            };
            let recorder_task = tokio::spawn(recorder.run(finished_rx));
            let circuits_task = tokio::spawn(crate::circuits::record(
                pool.clone(),
                Outbox::new(publisher.clone()),
                circuit_rx,
            ));
            let report_task = tokio::spawn(crate::circuits::report(
                pool.clone(),
                scheduler.clone(),
                stop.clone(),
            ));
            let shards_task = tokio::spawn(shards::run(
                pool.clone(),
                shard_count,
                lock_keys,
                running.clone(),
                owned_tx,
                stop.clone(),
            ));
            let retention_task = tokio::spawn(crate::retention::run(
                pool.clone(),
                retention_settings,
                stop.clone(),
            ));
            let sweeper_task = tokio::spawn(sweeper::run(
                pool,
                publisher,
                sweeper_settings,
                stop.clone(),
            ));
            // The consumer returns after its in-flight jobs are done; dropping the scheduler
            // (and with it the worker context) then closes the recorder's channel, so the
            // recorder drains and ends.
            let open_channel =
                consumer::run(consumer_settings, scheduler, owned_rx, running, stop).await;
            report_task.await?;
            recorder_task.await?;
            circuits_task.await?;
            shards_task.await?;
            drop(open_channel);
            sweeper_task.await?;
            retention_task.await?;
            server_handle.stop(true).await;
            server_task.await??;
            Ok(())
        });
        Ok(Self { ops_port, task })
    }

    /// Waits until the dispatcher has stopped.
    pub async fn wait(self) -> anyhow::Result<()> {
        self.task.await?
    }
}
