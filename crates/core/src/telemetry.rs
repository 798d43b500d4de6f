//! Logs (tracing) and metrics (Prometheus) set-up, shared by the three services.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

use crate::configuration::{LogFormat, TelemetrySettings};

static METRICS: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the global log subscriber. Later calls (several apps in one test process) are
/// ignored.
pub fn init_tracing(service: &'static str, settings: &TelemetrySettings) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.log_level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    let result = match settings.log_format {
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true),
            )
            .try_init(),
        LogFormat::Pretty => registry
            .with(tracing_subscriber::fmt::layer().compact())
            .try_init(),
    };
    if result.is_ok() {
        tracing::info!(service, version = env!("CARGO_PKG_VERSION"), "starting");
    }
}

/// Latency buckets (seconds) fine enough for loopback deliveries and a 5 s timeout.
const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
    60.0, 150.0, 300.0,
];

/// Installs the process-wide Prometheus recorder once and returns its handle.
pub fn init_metrics(service: &'static str) -> &'static PrometheusHandle {
    METRICS.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)
            .expect("static bucket list is not empty");
        let handle = match builder.install_recorder() {
            Ok(handle) => handle,
            // Another recorder is installed (tests embedding several services): keep a
            // private one so rendering still works.
            Err(_) => PrometheusBuilder::new().build_recorder().handle(),
        };
        metrics::gauge!("hookrelay_build_info", "service" => service, "version" => env!("CARGO_PKG_VERSION"))
            .set(1.0);
        handle
    })
}

/// The Prometheus text exposition of every metric recorded so far.
pub fn render_metrics() -> String {
    METRICS.get().map(|h| h.render()).unwrap_or_default()
}
