//! The system under test: `hookrelay-api` and `hookrelay-dispatcher` as real processes on
//! one scenario's database and AMQP prefix, started, killed and restarted by the faults.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

/// Admin token of the API processes the scenarios start.
pub const ADMIN_TOKEN: &str = "chaos-admin-token";

/// Shard queues of the scenarios' installations.
pub const SHARDS: u16 = 16;

/// Which service a fault acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Api,
    Dispatcher,
}

impl Service {
    fn binary(self) -> &'static str {
        match self {
            Service::Api => "hookrelay-api",
            Service::Dispatcher => "hookrelay-dispatcher",
        }
    }
}

/// How a process is stopped.
#[derive(Debug, Clone, Copy)]
pub enum Signal {
    Kill,
    Term,
}

/// Where the scenario's services find PostgreSQL and RabbitMQ.
pub struct Wiring {
    pub database_url: String,
    /// One AMQP URL or a cluster's, comma-separated.
    pub amqp_url: String,
    pub prefix: String,
}

pub struct System {
    bin_dir: PathBuf,
    log_dir: PathBuf,
    env: Vec<(String, String)>,
    pub api_url: String,
    /// The dispatcher's `/metrics`, saved with the logs when a scenario loses events.
    pub dispatcher_metrics_url: String,
    api: Option<Child>,
    dispatcher: Option<Child>,
}

impl System {
    /// Starts both services and waits until the API is ready.
    pub async fn start(bin_dir: &Path, log_dir: &Path, wiring: &Wiring) -> anyhow::Result<Self> {
        let port = hookrelay_testkit::free_port();
        let dispatcher_port = hookrelay_testkit::free_port();
        let env = [
            ("DATABASE__URL", wiring.database_url.as_str()),
            ("DATABASE__POOL_SIZE", "8"),
            ("AMQP__URL", wiring.amqp_url.as_str()),
            ("AMQP__PREFIX", wiring.prefix.as_str()),
            ("API__LISTEN", &format!("127.0.0.1:{port}")),
            ("API__OPS_LISTEN", "127.0.0.1:0"),
            ("API__ADMIN_TOKEN", ADMIN_TOKEN),
            ("API__MIGRATE_ON_START", "false"),
            ("SECRETS__KEYS", hookrelay_testkit::TEST_SECRETS_KEY),
            (
                "DISPATCHER__LISTEN",
                &format!("127.0.0.1:{dispatcher_port}"),
            ),
            // Short enough that a lost job is found within the scenario.
            ("DISPATCHER__SWEEP_INTERVAL_SECS", "1"),
            ("DISPATCHER__SWEEP_GRACE_SECS", "3"),
            ("DELIVERY__ALLOW_PRIVATE_TARGETS", "true"),
            // A receiver failing for several seconds is still within the schedule.
            ("DELIVERY__RETRY_SCHEDULE_SECS", "1,1,2,2,5,5,10,10"),
            // A circuit the fault opens probes again within the scenario.
            ("DELIVERY__CIRCUIT_COOLDOWN_SECS", "3"),
            ("AMQP__SHARDS", &SHARDS.to_string()),
            ("TELEMETRY__LOG_LEVEL", "info"),
        ]
        .into_iter()
        .map(|(k, v)| (format!("HOOKRELAY__{k}"), v.to_string()))
        .collect();
        std::fs::create_dir_all(log_dir)?;
        let mut system = System {
            bin_dir: bin_dir.to_path_buf(),
            log_dir: log_dir.to_path_buf(),
            env,
            api_url: format!("http://127.0.0.1:{port}"),
            dispatcher_metrics_url: format!("http://127.0.0.1:{dispatcher_port}/metrics"),
            api: None,
            dispatcher: None,
        };
        system.spawn(Service::Api)?;
        system.spawn(Service::Dispatcher)?;
        system.wait_ready(Duration::from_secs(30)).await?;
        Ok(system)
    }

    fn slot(&mut self, service: Service) -> &mut Option<Child> {
        match service {
            Service::Api => &mut self.api,
            Service::Dispatcher => &mut self.dispatcher,
        }
    }

    /// Starts `service` (again), appending to its log file.
    pub fn spawn(&mut self, service: Service) -> anyhow::Result<()> {
        let log_path = self.log_dir.join(format!("{}.log", service.binary()));
        let log = File::options().create(true).append(true).open(&log_path)?;
        let mut command = Command::new(self.bin_dir.join(service.binary()));
        if service == Service::Api {
            command.arg("serve");
        }
        let child = command
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env_remove("HOOKRELAY_CONFIG")
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .spawn()
            .with_context(|| format!("starting {}", service.binary()))?;
        *self.slot(service) = Some(child);
        Ok(())
    }

    /// Sends `service` a signal (`-STOP`, `-CONT`) and leaves it running.
    pub fn signal(&mut self, service: Service, signal: &str) -> anyhow::Result<()> {
        let child = self
            .slot(service)
            .as_ref()
            .with_context(|| format!("{} is not running", service.binary()))?;
        let status = Command::new("kill")
            .arg(signal)
            .arg(child.id().to_string())
            .status()?;
        anyhow::ensure!(status.success(), "kill {signal} failed");
        Ok(())
    }

    /// Signals `service` and waits (up to 60 s) until it has exited.
    pub async fn stop(&mut self, service: Service, signal: Signal) -> anyhow::Result<()> {
        let Some(mut child) = self.slot(service).take() else {
            return Ok(());
        };
        let flag = match signal {
            Signal::Kill => "-KILL",
            Signal::Term => "-TERM",
        };
        Command::new("kill")
            .arg(flag)
            .arg(child.id().to_string())
            .status()?;
        let deadline = Instant::now() + Duration::from_secs(60);
        while child.try_wait()?.is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                bail!("{} did not exit within 60 s of {flag}", service.binary());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(())
    }

    /// Polls `/readyz` until it answers 200.
    pub async fn wait_ready(&self, timeout: Duration) -> anyhow::Result<()> {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + timeout;
        loop {
            let ready = client
                .get(format!("{}/readyz", self.api_url))
                .timeout(Duration::from_secs(2))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "the API was not ready within {timeout:?}; see {:?}",
                    self.log_dir
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGTERM to both services, then waits for them.
    pub async fn shutdown(&mut self) {
        for service in [Service::Api, Service::Dispatcher] {
            if let Err(e) = self.stop(service, Signal::Term).await {
                eprintln!("warning: {e:#}");
            }
        }
    }
}

impl Drop for System {
    fn drop(&mut self) {
        for child in [self.api.as_mut(), self.dispatcher.as_mut()]
            .into_iter()
            .flatten()
        {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Runs a command line tool, failing with its output when it fails.
pub fn run(program: &str, args: &[&str]) -> anyhow::Result<String> {
    let output = Command::new(program)
        .args(args)
        .output()
        .with_context(|| format!("running {program}"))?;
    if !output.status.success() {
        bail!(
            "{program} {} failed: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
