//! Layered settings shared by the three services.
//!
//! Layers, later wins: `config/default.toml` (compiled in, so no process depends on its
//! working directory) -> the file named by `HOOKRELAY_CONFIG` -> `HOOKRELAY__SECTION__KEY`
//! environment variables.
//!
//! Secrets (database and broker URLs, which carry passwords, the admin token, the callback
//! token key) are [`SecretString`]s: `Debug` prints them redacted, and reading one takes an
//! explicit `expose_secret()`.

use std::net::SocketAddr;
use std::time::Duration;

use config::{Config, Environment, File, FileFormat};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use hookrelay_domain::flow::{BreakerRules, MaxConcurrency};

use crate::queue::{BrokerNodes, BrokerNodesError, JobPublisher, QueueType, Topology};

/// The defaults every binary starts from.
pub const DEFAULT_CONFIG: &str = include_str!("../../../config/default.toml");

/// Why settings could not be loaded; the message names the offending key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration error: {0}")]
    Load(#[from] config::ConfigError),
    #[error("configuration error: key `{key}`: {message}")]
    Invalid { key: &'static str, message: String },
}

/// All settings of hookrelay; each service reads the sections it needs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub database: DatabaseSettings,
    pub amqp: AmqpSettings,
    pub api: ApiSettings,
    pub dispatcher: DispatcherSettings,
    pub ingester: IngesterSettings,
    pub delivery: DeliverySettings,
    pub retention: RetentionSettings,
    pub limits: LimitsSettings,
    pub http: HttpSettings,
    pub secrets: SecretsSettings,
    pub telemetry: TelemetrySettings,
}

/// Keys webhook signing secrets are sealed with (see `hookrelay_core::secrets`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsSettings {
    /// `<id>:<base64 of 32 bytes>`; the first seals, all open. Empty: stored as they are.
    pub keys: Vec<SecretString>,
}

/// Connection handling of the API's and the ingester's HTTP servers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSettings {
    /// Time a client has to send its request head (408 after).
    pub head_timeout_ms: u64,
    /// Time a client has to send its whole body (408 after).
    pub body_timeout_ms: u64,
    /// Open connections per worker thread; beyond it new ones wait in the backlog.
    pub max_connections_per_worker: usize,
    /// Worker threads serving requests; 0: one per CPU core.
    pub workers: usize,
}

impl HttpSettings {
    pub fn head_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.head_timeout_ms)
    }
    pub fn body_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.body_timeout_ms)
    }
}

/// Rate limits (token buckets); 0 turns one off. Over a limit: 429 with Retry-After.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsSettings {
    /// Requests per second per API key, on every `/v1` route.
    pub requests_per_second_per_key: u32,
    /// Events per second per tenant (`POST /v1/events`).
    pub events_per_second_per_tenant: u32,
    /// Callbacks per second per callback URL (ingester).
    pub callbacks_per_second_per_url: u32,
    /// Failed authentications per minute per client address, after which the address
    /// is refused until its bucket refills.
    pub failed_auth_per_minute_per_address: u32,
    /// A per-second bucket holds this many seconds' worth, so short bursts pass.
    pub burst_secs: u32,
    /// Webhooks one tenant may have.
    pub webhooks_per_tenant: u32,
    /// Deliveries one event may fan out to.
    pub deliveries_per_event: u32,
    /// API keys one tenant may have.
    pub api_keys_per_tenant: u32,
    /// Event types one tenant's catalogue may hold (created by hand or by events).
    pub event_types_per_tenant: u32,
}

/// How long history is kept.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionSettings {
    /// Days of history kept; 0 keeps everything.
    pub days: u32,
    pub interval_secs: u64,
    /// Rows one delete statement removes.
    pub batch: i64,
}

/// PostgreSQL connection and pool.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: SecretString,
    pub pool_size: usize,
    pub acquire_timeout_ms: u64,
}

/// RabbitMQ connection and naming.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmqpSettings {
    /// One node's URL, or a cluster's nodes separated by commas (see [`BrokerNodes`]).
    pub url: SecretString,
    pub prefix: String,
    /// `quorum` (replicated, the default) or `classic` (see [`QueueType`]).
    pub queue_type: QueueType,
    /// Publish jobs as persistent messages (the default) or transient ones.
    pub persistent_messages: bool,
    /// Shard queues jobs are spread over by webhook; each is served by one dispatcher at
    /// a time, so per-webhook limits hold across dispatchers.
    pub shards: u16,
}

impl AmqpSettings {
    /// The installation's exchanges and queues.
    pub fn topology(&self, retry_delays_secs: &[u64]) -> Topology {
        Topology::new(&self.prefix, retry_delays_secs)
            .with_shards(self.shards)
            .with_queue_type(self.queue_type)
            .with_persistent_messages(self.persistent_messages)
    }

    /// The nodes `url` names.
    pub fn nodes(&self) -> Result<BrokerNodes, BrokerNodesError> {
        BrokerNodes::parse(self.url.expose_secret())
    }

    /// A publisher of jobs to those nodes, with the installation's topology.
    pub fn publisher(&self, retry_delays_secs: &[u64]) -> Result<JobPublisher, BrokerNodesError> {
        Ok(JobPublisher::new(
            self.nodes()?,
            self.topology(retry_delays_secs),
        ))
    }
}

impl LimitsSettings {
    /// The caps an event from the API must keep. The fan-out cap is only checked when it
    /// is below the webhooks a tenant may have (otherwise that already bounds it).
    pub fn ingest_caps(&self) -> crate::repo::events::IngestCaps {
        crate::repo::events::IngestCaps {
            event_types: i64::from(self.event_types_per_tenant),
            deliveries: (self.deliveries_per_event < self.webhooks_per_tenant)
                .then_some(i64::from(self.deliveries_per_event)),
        }
    }
}

/// The REST API process.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiSettings {
    pub listen: SocketAddr,
    /// The ops port: `/healthz`, `/readyz` and `/metrics` (never on `listen`).
    pub ops_listen: SocketAddr,
    pub admin_token: SecretString,
    pub max_body_bytes: usize,
    pub max_event_bytes: usize,
    pub migrate_on_start: bool,
    /// Server key the tenants' callback tokens are derived from; empty disables them.
    pub callback_token_key: SecretString,
    /// Test sends per tenant and minute.
    pub test_sends_per_minute: u32,
    /// Live log streams (`GET /v1/webhooks/{id}/logs/stream`) open at once per tenant.
    pub log_streams_per_tenant: u32,
    /// Origins that may show the console in a frame (`https://app.example.com`), besides
    /// the API's own: the console's `frame-ancestors`.
    pub console_frame_ancestors: Vec<String>,
}

/// The delivery worker process.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DispatcherSettings {
    pub listen: SocketAddr,
    pub prefetch: u16,
    /// Requests in flight on this dispatcher ...
    pub max_in_flight: usize,
    /// ... and of them, at most this many of one tenant.
    pub max_in_flight_per_tenant: usize,
    pub sweep_interval_secs: u64,
    pub sweep_grace_secs: u64,
}

/// The callback ingester process.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IngesterSettings {
    pub listen: SocketAddr,
    /// The ops port: `/healthz`, `/readyz` and `/metrics` (never on `listen`).
    pub ops_listen: SocketAddr,
    pub public_base_url: String,
    pub max_body_bytes: usize,
}

/// How deliveries are attempted.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliverySettings {
    pub retry_schedule_secs: Vec<u64>,
    pub timeout_ms: u64,
    pub allow_private_targets: bool,
    /// Only https:// webhook URLs.
    pub require_https: bool,
    /// Default grace period of a secret rotation.
    pub secret_grace_secs: u64,
    /// Cap of a receiver's Retry-After.
    pub max_retry_after_secs: u64,
    /// Disable a webhook failing for this long (0: never) ...
    pub disable_after_secs: u64,
    /// ... with at least this many failed deliveries.
    pub disable_min_failures: i64,
    /// Requests in flight to one webhook without a `max_concurrency` of its own.
    pub default_max_concurrency: u32,
    /// Consecutive failed attempts that open a webhook's circuit (0: never).
    pub circuit_failures: u32,
    /// How long an open circuit waits before its probe; doubles while probes fail ...
    pub circuit_cooldown_secs: u64,
    /// ... up to this.
    pub circuit_max_cooldown_secs: u64,
    /// The `source` of CloudEvents bodies (a URI reference naming this installation).
    pub cloudevents_source: String,
    /// The host name CloudEvents webhooks are told deliveries come from
    /// (`WebHook-Request-Origin`, in the handshake and on each delivery).
    pub request_origin: String,
}

impl DeliverySettings {
    /// Who deliveries say they come from.
    pub fn identity(&self) -> crate::sender::Identity {
        crate::sender::Identity::new(&self.cloudevents_source, &self.request_origin)
    }
}

/// When a failing webhook is disabled.
#[derive(Debug, Clone, Copy)]
pub struct AutoDisable {
    pub after_secs: u64,
    pub min_failures: i64,
}

impl DeliverySettings {
    /// The receivers' Retry-After cap.
    pub fn max_retry_after(&self) -> Duration {
        Duration::from_secs(self.max_retry_after_secs)
    }

    /// The auto-disable rule, unless it is off.
    pub fn auto_disable(&self) -> Option<AutoDisable> {
        (self.disable_after_secs > 0).then_some(AutoDisable {
            after_secs: self.disable_after_secs,
            min_failures: self.disable_min_failures,
        })
    }

    /// Total time one attempt may take.
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }

    /// The concurrency of a webhook without its own (validated at load).
    pub fn default_max_concurrency(&self) -> MaxConcurrency {
        MaxConcurrency::parse(
            "delivery.default_max_concurrency",
            i64::from(self.default_max_concurrency),
        )
        .unwrap_or_else(|_| MaxConcurrency::parse("", 1).expect("1 is a valid concurrency"))
    }

    /// When circuits open and how long they stay open.
    pub fn breaker(&self) -> BreakerRules {
        BreakerRules {
            failures: self.circuit_failures,
            cooldown: Duration::from_secs(self.circuit_cooldown_secs),
            max_cooldown: Duration::from_secs(
                self.circuit_max_cooldown_secs
                    .max(self.circuit_cooldown_secs),
            ),
        }
    }
}

/// Logs, traces.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelemetrySettings {
    pub log_format: LogFormat,
    pub log_level: String,
    /// OTLP/HTTP collector base URL (`/v1/traces` is appended); empty = no span export.
    pub otlp_endpoint: String,
    pub otlp_protocol: OtlpProtocol,
    /// Share of new traces exported (0..=1); a sampled caller's trace is always followed.
    pub sampling_ratio: f64,
    /// Bearer token `/metrics` requires; empty leaves it open (bind the ops port privately).
    pub metrics_token: SecretString,
    /// Label metrics with tenants' event-type names (first 50); off: `event_type="all"`,
    /// since `/metrics` readers need not see what tenants send.
    pub event_type_labels: bool,
}

/// Body encoding of OTLP/HTTP exports.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
pub enum OtlpProtocol {
    #[serde(rename = "http/protobuf")]
    HttpProtobuf,
    #[serde(rename = "http/json")]
    HttpJson,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Json,
    Pretty,
}

impl Settings {
    /// Loads the layered settings from the process environment.
    pub fn load() -> Result<Self, ConfigError> {
        let file = std::env::var("HOOKRELAY_CONFIG")
            .ok()
            .filter(|p| !p.is_empty());
        Self::load_from(file.as_deref(), Environment::with_prefix("HOOKRELAY"))
    }

    /// Loads settings from an explicit overlay file and environment source (tests use it).
    pub fn load_from(file: Option<&str>, env: Environment) -> Result<Self, ConfigError> {
        let mut builder =
            Config::builder().add_source(File::from_str(DEFAULT_CONFIG, FileFormat::Toml));
        if let Some(path) = file {
            builder = builder.add_source(File::with_name(path).required(true));
        }
        let env = env
            .prefix_separator("__")
            .separator("__")
            .try_parsing(true)
            .list_separator(",")
            .with_list_parse_key("delivery.retry_schedule_secs")
            .with_list_parse_key("secrets.keys")
            .with_list_parse_key("api.console_frame_ancestors");
        let settings: Settings = builder.add_source(env).build()?.try_deserialize()?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks what types alone cannot.
    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key, message: &str| {
            Err(ConfigError::Invalid {
                key,
                message: message.to_string(),
            })
        };
        if self.database.pool_size == 0 {
            return invalid("database.pool_size", "must be at least 1");
        }
        if self.retention.batch < 1 || self.retention.interval_secs == 0 {
            return invalid(
                "retention.batch",
                "retention.batch and retention.interval_secs must be at least 1",
            );
        }
        if self.api.test_sends_per_minute == 0 {
            return invalid("api.test_sends_per_minute", "must be at least 1");
        }
        if self.api.log_streams_per_tenant == 0 {
            return invalid("api.log_streams_per_tenant", "must be at least 1");
        }
        if let Some(bad) = self
            .api
            .console_frame_ancestors
            .iter()
            .find(|o| !is_origin(o))
        {
            return invalid(
                "api.console_frame_ancestors",
                &format!("{bad:?} is not an origin such as https://app.example.com"),
            );
        }
        if self
            .database
            .url
            .expose_secret()
            .parse::<tokio_postgres::Config>()
            .is_err()
        {
            return invalid(
                "database.url",
                "is not a valid PostgreSQL connection string",
            );
        }
        if let Err(e) = self.amqp.nodes() {
            return invalid("amqp.url", &e.to_string());
        }
        if self.amqp.prefix.is_empty()
            || !self
                .amqp
                .prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        {
            return invalid("amqp.prefix", "must be non-empty [A-Za-z0-9._-]");
        }
        if self.api.max_body_bytes == 0 || self.api.max_event_bytes == 0 {
            return invalid("api.max_event_bytes", "body limits must be positive");
        }
        if self.dispatcher.prefetch == 0 {
            return invalid("dispatcher.prefetch", "must be at least 1");
        }
        if self.dispatcher.max_in_flight == 0 {
            return invalid("dispatcher.max_in_flight", "must be at least 1");
        }
        if self.dispatcher.max_in_flight_per_tenant == 0 {
            return invalid("dispatcher.max_in_flight_per_tenant", "must be at least 1");
        }
        if self.amqp.shards == 0 || self.amqp.shards > 1024 {
            return invalid("amqp.shards", "must be 1 to 1024");
        }
        if MaxConcurrency::parse("", i64::from(self.delivery.default_max_concurrency)).is_err() {
            return invalid("delivery.default_max_concurrency", "must be 1 to 1000");
        }
        if self.delivery.circuit_failures > 0 && self.delivery.circuit_cooldown_secs == 0 {
            return invalid("delivery.circuit_cooldown_secs", "must be at least 1");
        }
        let printable = |v: &str| !v.is_empty() && v.bytes().all(|b| b.is_ascii_graphic());
        if !printable(&self.delivery.cloudevents_source) {
            return invalid(
                "delivery.cloudevents_source",
                "must be a non-empty URI reference (printable ASCII, no spaces)",
            );
        }
        if !printable(&self.delivery.request_origin) {
            return invalid(
                "delivery.request_origin",
                "must be a host name (printable ASCII, no spaces)",
            );
        }
        if self.limits.webhooks_per_tenant == 0
            || self.limits.deliveries_per_event == 0
            || self.limits.api_keys_per_tenant == 0
            || self.limits.event_types_per_tenant == 0
        {
            return invalid(
                "limits.webhooks_per_tenant",
                "limits.webhooks_per_tenant, deliveries_per_event, api_keys_per_tenant and \
                 event_types_per_tenant must be at least 1",
            );
        }
        if self.dispatcher.sweep_interval_secs == 0 {
            return invalid("dispatcher.sweep_interval_secs", "must be at least 1");
        }
        if url::Url::parse(&self.ingester.public_base_url).is_err() {
            return invalid("ingester.public_base_url", "is not an absolute URL");
        }
        if self.delivery.retry_schedule_secs.contains(&0) {
            return invalid(
                "delivery.retry_schedule_secs",
                "delays must be at least 1 second",
            );
        }
        if self.delivery.timeout_ms == 0 {
            return invalid("delivery.timeout_ms", "must be positive");
        }
        let otlp = &self.telemetry.otlp_endpoint;
        if !otlp.is_empty()
            && !url::Url::parse(otlp).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
        {
            return invalid(
                "telemetry.otlp_endpoint",
                "must be an http:// or https:// URL, or empty to export no spans",
            );
        }
        if !(0.0..=1.0).contains(&self.telemetry.sampling_ratio) {
            return invalid("telemetry.sampling_ratio", "must be between 0 and 1");
        }
        Ok(())
    }
}

/// `http(s)://host[:port]`, nothing more: what a CSP source list may name here without
/// widening it (no wildcards, paths or keywords).
fn is_origin(s: &str) -> bool {
    let Some(rest) = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
    else {
        return false;
    };
    !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(vars: &[(&str, &str)]) -> Environment {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Environment::with_prefix("HOOKRELAY").source(Some(map))
    }

    #[test]
    fn defaults_load_and_point_at_local_services() {
        let s = Settings::load_from(None, env(&[])).expect("defaults load");
        assert_eq!(s.delivery.retry_schedule_secs, vec![5, 25, 125]);
        assert!(s.database.url.expose_secret().contains("127.0.0.1:5432"));
        assert!(s
            .amqp
            .url
            .expose_secret()
            .contains("guest:guest@127.0.0.1:5672"));
        assert_eq!(s.api.max_event_bytes, 256 * 1024);
        assert!(!s.delivery.allow_private_targets);
    }

    #[test]
    fn env_overrides_scalars_and_lists() {
        let s = Settings::load_from(
            None,
            env(&[
                ("HOOKRELAY__DATABASE__POOL_SIZE", "3"),
                ("HOOKRELAY__DELIVERY__RETRY_SCHEDULE_SECS", "1,2"),
                ("HOOKRELAY__DELIVERY__ALLOW_PRIVATE_TARGETS", "true"),
            ]),
        )
        .expect("load");
        assert_eq!(s.database.pool_size, 3);
        assert_eq!(s.delivery.retry_schedule_secs, vec![1, 2]);
        assert!(s.delivery.allow_private_targets);
    }

    #[test]
    fn frame_ancestors_are_origins_only() {
        let s = Settings::load_from(
            None,
            env(&[(
                "HOOKRELAY__API__CONSOLE_FRAME_ANCESTORS",
                "https://app.example.com,http://127.0.0.1:3000",
            )]),
        )
        .expect("origins load");
        assert_eq!(
            s.api.console_frame_ancestors,
            vec!["https://app.example.com", "http://127.0.0.1:3000"]
        );
        for bad in [
            "*",
            "https://*.example.com",
            "'unsafe-inline'",
            "https://a.com/path",
            "https://",
        ] {
            let err = Settings::load_from(
                None,
                env(&[("HOOKRELAY__API__CONSOLE_FRAME_ANCESTORS", bad)]),
            )
            .expect_err(bad)
            .to_string();
            assert!(err.contains("api.console_frame_ancestors"), "{bad}: {err}");
        }
    }

    #[test]
    fn bad_value_names_the_key() {
        let err = Settings::load_from(None, env(&[("HOOKRELAY__DATABASE__POOL_SIZE", "lots")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("pool_size"), "{err}");
        let err = Settings::load_from(None, env(&[("HOOKRELAY__TELEMETRY__SAMPLING_RATIO", "2")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("telemetry.sampling_ratio"), "{err}");
        for (key, value) in [
            ("HOOKRELAY__TELEMETRY__OTLP_ENDPOINT", "collector:4318"),
            ("HOOKRELAY__TELEMETRY__OTLP_PROTOCOL", "grpc"),
        ] {
            let err = Settings::load_from(None, env(&[(key, value)]))
                .unwrap_err()
                .to_string();
            assert!(err.contains("otlp_"), "{key}: {err}");
        }
        let s = Settings::load_from(
            None,
            env(&[
                (
                    "HOOKRELAY__TELEMETRY__OTLP_ENDPOINT",
                    "http://collector:4318",
                ),
                ("HOOKRELAY__TELEMETRY__OTLP_PROTOCOL", "http/json"),
            ]),
        )
        .expect("valid OTLP settings");
        assert_eq!(s.telemetry.otlp_protocol, OtlpProtocol::HttpJson);
        let err = Settings::load_from(None, env(&[("HOOKRELAY__API__LISTEN", "nowhere")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("listen"), "{err}");
    }

    #[test]
    fn secrets_are_not_printed_by_debug() {
        let mut s = Settings::load_from(None, env(&[])).expect("defaults load");
        s.api.admin_token = "admin-token-value".into();
        s.api.callback_token_key = "callback-key-value".into();
        let printed = format!("{s:?}");
        for secret in [
            "admin-token-value",
            "callback-key-value",
            "guest:guest",
            s.database.url.expose_secret(),
        ] {
            assert!(!printed.contains(secret), "{secret} printed by Debug");
        }
    }

    #[test]
    fn overlay_file_is_applied() {
        let dir = std::env::temp_dir().join(format!("hookrelay-cfg-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("tmp dir");
        let path = dir.join("over.toml");
        std::fs::write(&path, "[api]\nadmin_token = \"from-file\"\n").expect("write");
        let s = Settings::load_from(Some(path.to_str().expect("utf8")), env(&[])).expect("load");
        assert_eq!(s.api.admin_token.expose_secret(), "from-file");
    }
}
