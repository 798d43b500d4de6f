//! OpenTelemetry span export over OTLP/HTTP, switched on by `telemetry.otlp_endpoint`.
//!
//! When the endpoint is empty no OpenTelemetry layer is installed at all, so tracing costs
//! what the log lines cost and nothing more.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::{SpanContext, TraceContextExt, TracerProvider as _};
use opentelemetry::{Context, KeyValue};
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{Sampler, SdkTracer, SdkTracerProvider};
use opentelemetry_sdk::Resource;
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::configuration::{OtlpProtocol, TelemetrySettings};

/// Set once an exporting layer is installed: the trace helpers only then ask spans for
/// their OpenTelemetry context.
static EXPORTING: AtomicBool = AtomicBool::new(false);

/// Why span export could not be set up.
#[derive(Debug, thiserror::Error)]
#[error("cannot set up OTLP span export to {endpoint}")]
pub struct ExportError {
    endpoint: String,
    #[source]
    source: opentelemetry_otlp::ExporterBuildError,
}

/// Keeps the span exporter alive; dropping it flushes the spans still buffered.
#[must_use = "dropping the guard stops span export"]
#[derive(Default)]
pub struct TracingGuard {
    provider: Option<SdkTracerProvider>,
}

impl Drop for TracingGuard {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take() {
            EXPORTING.store(false, Ordering::Relaxed);
            if let Err(error) = provider.shutdown() {
                eprintln!("flushing spans at shutdown failed: {error}");
            }
        }
    }
}

/// The collector URL for traces: `otlp_endpoint` as given when it already names
/// `/v1/traces`, else with that path appended (the OTLP/HTTP convention for a base URL).
pub fn traces_url(endpoint: &str) -> String {
    let endpoint = endpoint.trim_end_matches('/');
    if endpoint.ends_with("/v1/traces") {
        endpoint.to_string()
    } else {
        format!("{endpoint}/v1/traces")
    }
}

/// Builds the tracer provider when export is configured (`Ok(None)` when it is not).
pub(super) fn build_provider(
    service: &'static str,
    settings: &TelemetrySettings,
) -> Result<Option<SdkTracerProvider>, ExportError> {
    if settings.otlp_endpoint.is_empty() {
        return Ok(None);
    }
    let url = traces_url(&settings.otlp_endpoint);
    let protocol = match settings.otlp_protocol {
        OtlpProtocol::HttpProtobuf => Protocol::HttpBinary,
        OtlpProtocol::HttpJson => Protocol::HttpJson,
    };
    // The batch processor exports from its own thread with a blocking HTTP client, which
    // must not be built or dropped on an async runtime thread.
    let build = {
        let url = url.clone();
        move || {
            opentelemetry_otlp::SpanExporter::builder()
                .with_http()
                .with_endpoint(url)
                .with_protocol(protocol)
                .build()
        }
    };
    let exporter = std::thread::scope(|scope| scope.spawn(build).join())
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        .map_err(|source| ExportError {
            endpoint: url,
            source,
        })?;
    let sampler = Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(
        settings.sampling_ratio,
    )));
    let resource = Resource::builder()
        .with_service_name(service)
        .with_attribute(KeyValue::new("service.version", env!("CARGO_PKG_VERSION")))
        .build();
    Ok(Some(
        SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_sampler(sampler)
            .with_resource(resource)
            .build(),
    ))
}

/// The tracer the OpenTelemetry layer reports to; marks export as active.
pub(super) fn tracer(provider: &SdkTracerProvider) -> SdkTracer {
    EXPORTING.store(true, Ordering::Relaxed);
    provider.tracer("hookrelay")
}

/// Wraps the provider so the caller's guard flushes it at the end.
pub(super) fn guard(provider: Option<SdkTracerProvider>) -> TracingGuard {
    TracingGuard { provider }
}

fn extract(traceparent: &str) -> Context {
    let carrier = HashMap::from([("traceparent".to_string(), traceparent.to_string())]);
    TraceContextPropagator::new().extract(&carrier)
}

fn format(context: &SpanContext) -> String {
    format!(
        "00-{}-{}-{:02x}",
        context.trace_id(),
        context.span_id(),
        context.trace_flags().to_u8()
    )
}

/// With export on: makes `span` a child of `incoming` and returns the `traceparent` naming
/// `span`. `None` when export is off or the span is not recorded.
pub(super) fn continue_in_span(span: &Span, incoming: Option<&str>) -> Option<String> {
    if !EXPORTING.load(Ordering::Relaxed) {
        return None;
    }
    if let Some(parent) = incoming {
        // Fails only when the span was already entered; it then keeps its own trace.
        let _ = span.set_parent(extract(parent));
    }
    let context = span.context();
    let otel_span = context.span();
    let span_context = otel_span.span_context();
    span_context.is_valid().then(|| format(span_context))
}

/// With export on: records on `span` a link to the span named by `traceparent`.
pub(super) fn link(span: &Span, traceparent: &str) {
    if EXPORTING.load(Ordering::Relaxed) {
        span.add_link(extract(traceparent).span().span_context().clone());
    }
}
