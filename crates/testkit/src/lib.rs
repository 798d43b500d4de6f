//! Test helpers shared by the services' integration tests: each test gets its own
//! PostgreSQL database and its own RabbitMQ name prefix, so tests run in parallel. Also
//! what the chaos and bench tools share: [`order`], the in-order check at a receiver.

pub mod api;
pub mod order;
pub mod receiver;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use deadpool_postgres::Pool;
use hookrelay_core::configuration::Settings;
use hookrelay_core::db;

/// Admin token configured in test settings.
pub const ADMIN_TOKEN: &str = "test-admin-token";

/// Prefix of every throwaway database; `make test` drops leftovers before a run.
pub const TEST_DB_PREFIX: &str = "hookrelay_test_";

/// Server URL used to create and drop test databases.
pub fn server_url(database: &str) -> String {
    let base = std::env::var("HOOKRELAY_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string());
    format!("{}/{database}", base.trim_end_matches('/'))
}

/// A fresh, migrated database of one test.
pub struct TestDb {
    pub name: String,
    pub url: String,
    pub pool: Pool,
}

impl TestDb {
    /// Creates and migrates a database with a unique name.
    pub async fn create() -> TestDb {
        let name = format!("{TEST_DB_PREFIX}{}", uuid::Uuid::new_v4().simple());
        let (client, conn) =
            tokio_postgres::connect(&server_url("postgres"), tokio_postgres::NoTls)
                .await
                .expect("PostgreSQL must be running on 127.0.0.1:5432 (see README)");
        tokio::spawn(conn);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create test database");
        let url = server_url(&name);
        let pool = db::build_pool_for(&url, 8, 5000).expect("pool");
        db::migrate(&pool).await.expect("migrations apply");
        TestDb { name, url, pool }
    }
}

/// The key test settings seal webhook secrets with.
pub const TEST_SECRETS_KEY: &str = "test:dGVzdC1rZXktMzItYnl0ZXMtbG9uZy0wMTIzNDU2Nzg=";

/// Settings for a test: its database, a unique AMQP prefix, random ports, private targets
/// allowed (receivers listen on 127.0.0.1) and a short retry schedule.
pub fn test_settings(db_url: &str) -> Settings {
    let env = config::Environment::with_prefix("HOOKRELAY").source(Some(HashMap::new()));
    let mut s = Settings::load_from(None, env).expect("default settings load");
    s.database.url = db_url.into();
    s.database.pool_size = 8;
    s.amqp.prefix = format!("hrtest-{}", uuid::Uuid::new_v4().simple());
    // Classic queues: every test declares its own work and delay queues, and with the
    // ~320 quorum queues (each its own Raft log) a run left behind, the machine's
    // RabbitMQ 3.10 stopped accepting connections (idle CPU, rabbitmqctl hanging) and
    // the next suite could not start. The default, quorum, is covered by
    // `faults::quorum_queues_deliver_too`, `make chaos` and `make check-api`.
    s.amqp.queue_type = hookrelay_core::queue::QueueType::Classic;
    s.api.listen = "127.0.0.1:0".parse().expect("addr");
    s.api.ops_listen = "127.0.0.1:0".parse().expect("addr");
    s.api.admin_token = ADMIN_TOKEN.into();
    s.api.migrate_on_start = false;
    s.api.callback_token_key = "test-callback-key".into();
    // Secrets are sealed in tests as in production (a fixed test key).
    s.secrets.keys = vec![TEST_SECRETS_KEY.to_string().into()];
    s.dispatcher.listen = "127.0.0.1:0".parse().expect("addr");
    s.ingester.listen = "127.0.0.1:0".parse().expect("addr");
    s.ingester.ops_listen = "127.0.0.1:0".parse().expect("addr");
    s.delivery.allow_private_targets = true;
    s.delivery.retry_schedule_secs = vec![1, 1, 1];
    // Four shard queues, not sixteen: every test declares its own queues.
    s.amqp.shards = 4;
    s.telemetry.log_level = "warn".into();
    s
}

/// Polls `check` until it returns `Some`, or panics with `what` after `timeout`.
pub async fn eventually<T, F, Fut>(timeout: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if Instant::now() > deadline {
            panic!("timed out after {timeout:?} waiting for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A port that is free now, for a binary to bind a moment later. Taken below Linux's
/// ephemeral range (32768+), where the other tests' port-0 listeners never land, so none
/// of them can grab it in between.
pub fn free_port() -> u16 {
    let seed = std::process::id() as u64
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
    (0..10_000u64)
        .map(|i| {
            20_000
                + ((seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(i * 7919))
                    % 12_000) as u16
        })
        .find(|port| std::net::TcpListener::bind(("127.0.0.1", *port)).is_ok())
        .expect("free port")
}

/// A TCP proxy on 127.0.0.1 in front of a real service, which a test can cut and restore
/// to simulate the service going down without disturbing other tests.
pub struct TcpProxy {
    pub port: u16,
    target: String,
    task: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl TcpProxy {
    /// Starts forwarding a new local port to `target` (e.g. `127.0.0.1:5432`).
    pub async fn start(target: &str) -> TcpProxy {
        // Outside the ephemeral range: after `cut`, no outgoing connection can take the
        // port before `restore` binds it again.
        let port = free_port();
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind proxy");
        let proxy = TcpProxy {
            port,
            target: target.to_string(),
            task: std::sync::Mutex::new(None),
        };
        proxy.serve(listener);
        proxy
    }

    fn serve(&self, listener: tokio::net::TcpListener) {
        let target = self.target.clone();
        let task = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                let target = target.clone();
                connections.spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        *self.task.lock().expect("lock") = Some(task);
    }

    /// Closes the port and every connection through it.
    pub fn cut(&self) {
        if let Some(task) = self.task.lock().expect("lock").take() {
            task.abort(); // dropping the JoinSet aborts the open connections
        }
    }

    /// Listens again on the same port.
    pub async fn restore(&self) {
        let listener = eventually(Duration::from_secs(5), "proxy port free again", || async {
            tokio::net::TcpListener::bind(("127.0.0.1", self.port))
                .await
                .ok()
        })
        .await;
        self.serve(listener);
    }
}
