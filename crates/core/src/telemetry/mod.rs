//! Logs (tracing) and metrics (Prometheus) set-up, shared by the three services.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

/// Where actix-http reports connections it dropped for a client's malformed request.
const CLIENT_STREAM_ERRORS: &str = "actix_http::h1::dispatcher=off";

use crate::configuration::{LogFormat, TelemetrySettings};

pub mod export;
pub mod traceparent;

pub use export::{ExportError, TracingGuard};

static METRICS: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the global log subscriber, plus OTLP span export when
/// `telemetry.otlp_endpoint` is set. Keep the returned guard until the process ends: dropping
/// it flushes buffered spans. Later calls (several apps in one test process) install nothing.
pub fn init_tracing(
    service: &'static str,
    settings: &TelemetrySettings,
) -> Result<TracingGuard, ExportError> {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.log_level))
        .unwrap_or_else(|_| EnvFilter::new("info"))
        // actix logs a client's malformed request head ("invalid Header provided") at
        // ERROR although it answers it with a 400: a client's mistake must not page anyone.
        .add_directive(CLIENT_STREAM_ERRORS.parse().expect("a valid directive"));
    let provider = export::build_provider(service, settings)?;
    let otel = provider
        .as_ref()
        .map(|p| tracing_opentelemetry::layer().with_tracer(export::tracer(p)));
    let registry = tracing_subscriber::registry().with(filter).with(otel);
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
            .with(
                tracing_subscriber::fmt::layer()
                    .compact()
                    .fmt_fields(EscapedFields::default()),
            )
            .try_init(),
    };
    if result.is_ok() {
        tracing::info!(
            service,
            version = env!("CARGO_PKG_VERSION"),
            otlp_endpoint = %settings.otlp_endpoint,
            "starting"
        );
    }
    Ok(export::guard(provider))
}

/// The text format's fields with control characters escaped (`\n` as `\\n`): a value a
/// client sent (a cursor, a name) can neither start a forged log line nor color the
/// terminal. The JSON format escapes them already.
#[derive(Default)]
struct EscapedFields(tracing_subscriber::fmt::format::DefaultFields);

impl<'writer> tracing_subscriber::fmt::FormatFields<'writer> for EscapedFields {
    fn format_fields<R: tracing_subscriber::field::RecordFields>(
        &self,
        mut writer: tracing_subscriber::fmt::format::Writer<'writer>,
        fields: R,
    ) -> std::fmt::Result {
        let mut plain = String::new();
        self.0.format_fields(
            tracing_subscriber::fmt::format::Writer::new(&mut plain),
            fields,
        )?;
        writer.write_str(&escape_controls(&plain))
    }
}

/// `s` with every control character written as its Rust escape.
fn escape_controls(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut escaped = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            escaped.extend(c.escape_default());
        } else {
            escaped.push(c);
        }
    }
    std::borrow::Cow::Owned(escaped)
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
            .add_global_label("service", service)
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)
            .expect("static bucket list is not empty");
        let handle = match builder.install_recorder() {
            Ok(handle) => handle,
            // Another recorder is installed (tests embedding several services): keep a
            // private one so rendering still works.
            Err(_) => PrometheusBuilder::new().build_recorder().handle(),
        };
        metrics::gauge!("hookrelay_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
        handle
    })
}

/// The Prometheus text exposition of every metric recorded so far.
pub fn render_metrics() -> String {
    record_process_metrics();
    METRICS.get().map(|h| h.render()).unwrap_or_default()
}

/// Most distinct event types that get their own label value; the rest count as `other`,
/// so a tenant inventing types cannot blow up the metric's cardinality.
const MAX_EVENT_TYPE_LABELS: usize = 50;

static EVENT_TYPE_LABELS: OnceLock<std::sync::Mutex<std::collections::HashSet<String>>> =
    OnceLock::new();

static EVENT_TYPE_LABELS_ON: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Turns event-type label values on (`telemetry.event_type_labels`).
pub fn set_event_type_labels(on: bool) {
    EVENT_TYPE_LABELS_ON.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// The label value for an event type: `all` unless event-type labels are on; then itself
/// for the first 50 types seen, else `other`.
pub fn event_type_label(event_type: &str) -> String {
    if !EVENT_TYPE_LABELS_ON.load(std::sync::atomic::Ordering::Relaxed) {
        return "all".into();
    }
    let seen = EVENT_TYPE_LABELS.get_or_init(Default::default);
    let Ok(mut seen) = seen.lock() else {
        return "other".into();
    };
    if seen.contains(event_type) {
        return event_type.to_string();
    }
    if seen.len() < MAX_EVENT_TYPE_LABELS {
        seen.insert(event_type.to_string());
        return event_type.to_string();
    }
    "other".into()
}

/// The figures hookrelay reads from a Linux `/proc/<pid>/stat` line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProcStat {
    /// User + system CPU time (clock ticks of 1/100 s).
    pub cpu_seconds: f64,
    /// Resident set size (pages of 4 KiB).
    pub resident_bytes: f64,
}

impl ProcStat {
    /// Parses a `stat` line; fields are counted after the `)` closing the command name,
    /// which may itself contain spaces.
    pub fn parse(stat: &str) -> Option<ProcStat> {
        let fields: Vec<&str> = stat.rsplit(')').next()?.split_whitespace().collect();
        let field = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok());
        Some(ProcStat {
            cpu_seconds: (field(11)? + field(12)?) / 100.0,
            resident_bytes: field(21)? * 4096.0,
        })
    }
}

/// Refreshes the process gauges (CPU seconds, resident memory, open files) from /proc;
/// called on every scrape.
pub fn record_process_metrics() {
    #[cfg(target_os = "linux")]
    {
        if let Some(stat) = std::fs::read_to_string("/proc/self/stat")
            .ok()
            .as_deref()
            .and_then(ProcStat::parse)
        {
            metrics::gauge!("hookrelay_process_cpu_seconds").set(stat.cpu_seconds);
            metrics::gauge!("hookrelay_process_resident_memory_bytes").set(stat.resident_bytes);
        }
        if let Ok(fds) = std::fs::read_dir("/proc/self/fd") {
            metrics::gauge!("hookrelay_process_open_fds").set(fds.count() as f64);
        }
    }
}

/// Keeps the `hookrelay_db_pool_*` gauges current (every 5 s, for the process lifetime).
pub fn spawn_pool_gauges(pool: deadpool_postgres::Pool) {
    tokio::spawn(async move {
        loop {
            let status = pool.status();
            metrics::gauge!("hookrelay_db_pool_size").set(status.size as f64);
            metrics::gauge!("hookrelay_db_pool_available").set(status.available as f64);
            metrics::gauge!("hookrelay_db_pool_waiting").set(status.waiting as f64);
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        }
    });
}

#[cfg(test)]
mod proc_stat_tests {
    use super::ProcStat;

    #[test]
    fn text_logs_escape_control_characters_from_field_values() {
        use std::sync::{Arc, Mutex};
        #[derive(Clone, Default)]
        struct Captured(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Captured {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.lock().expect("lock").extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .compact()
            .with_ansi(false)
            .fmt_fields(super::EscapedFields::default())
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            let cursor = "x\n2026-12-07T00:00:00Z  INFO forged\u{1b}[31m";
            tracing::warn!(cursor, "bad\rcursor");
        });
        let out = String::from_utf8(captured.0.lock().expect("lock").clone()).expect("utf-8");
        assert_eq!(out.lines().count(), 1, "{out}");
        assert!(
            out.contains(r"x\n2026") && out.contains(r"\u{1b}[31m") && out.contains(r"bad\rcursor"),
            "{out}"
        );
    }

    #[test]
    fn the_client_stream_error_directive_parses() {
        assert!(super::CLIENT_STREAM_ERRORS
            .parse::<tracing_subscriber::filter::Directive>()
            .is_ok());
    }

    #[test]
    fn parses_a_stat_line_whose_command_has_spaces() {
        let line = "42 (my proc) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 4 0 12345 1000000 300 18446744073709551615";
        let stat = ProcStat::parse(line).expect("parses");
        assert_eq!(stat.cpu_seconds, 3.0);
        assert_eq!(stat.resident_bytes, 300.0 * 4096.0);
        assert!(ProcStat::parse("garbage").is_none());
    }
}
