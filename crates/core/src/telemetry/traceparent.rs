//! W3C trace context (`traceparent`) carried from the API request to the receiver's POST,
//! with or without OpenTelemetry export.
//!
//! Spans that hand work on (the API request, a delivery, a callback) carry `trace_id` and
//! `span_id` fields, so every JSON log line written inside them names its trace.

use rand::RngCore;
use tracing::Span;

use super::export;

/// Makes `span` the next hop of the trace in `incoming` (a new trace when it is absent or
/// malformed), records the span's `trace_id`/`span_id` fields, and returns the
/// `traceparent` that names `span` as the parent of the work it hands on.
///
/// With OTLP export on, the ids are those of the exported span; without, they are
/// generated here so the logs and the receivers still see one trace id end to end.
pub fn continue_trace(span: &Span, incoming: Option<&str>) -> String {
    let incoming = incoming.filter(|tp| trace_id(tp).is_some());
    let traceparent = export::continue_in_span(span, incoming)
        .unwrap_or_else(|| incoming.and_then(child).unwrap_or_else(generate));
    if let Some(trace) = trace_id(&traceparent) {
        span.record("trace_id", trace);
        span.record("span_id", &traceparent[36..52]);
    }
    traceparent
}

/// Links `span` to another trace (a callback to the trace of the post it reports on);
/// visible in exported spans and as a `linked_trace_id` field in the logs.
pub fn link(span: &Span, traceparent: &str) {
    if let Some(trace) = trace_id(traceparent) {
        span.record("linked_trace_id", trace);
        export::link(span, traceparent);
    }
}

/// `traceparent` of a new trace (used when the client sent none).
pub fn generate() -> String {
    let mut trace = [0u8; 16];
    let mut span = [0u8; 8];
    rand::rng().fill_bytes(&mut trace);
    rand::rng().fill_bytes(&mut span);
    format!("00-{}-{}-01", hex::encode(trace), hex::encode(span))
}

/// The trace id of a well-formed `traceparent`.
pub fn trace_id(traceparent: &str) -> Option<&str> {
    let mut parts = traceparent.split('-');
    let (version, trace, span, flags) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
    (hex(version, 2) && hex(trace, 32) && hex(span, 16) && hex(flags, 2) && trace != "0".repeat(32))
        .then_some(trace)
}

/// A child context: same trace, new span id (one per outgoing POST).
pub fn child(traceparent: &str) -> Option<String> {
    let trace = trace_id(traceparent)?;
    let mut span = [0u8; 8];
    rand::rng().fill_bytes(&mut span);
    Some(format!("00-{trace}-{}-01", hex::encode(span)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_parent_and_child_share_the_trace() {
        let parent = generate();
        let trace = trace_id(&parent).expect("valid").to_string();
        let child = child(&parent).expect("child");
        assert_eq!(trace_id(&child), Some(trace.as_str()));
        assert_ne!(child, parent);
        assert!(trace_id("00-xyz-1-01").is_none());
        assert!(trace_id(&format!("00-{}-0123456789abcdef-01", "0".repeat(32))).is_none());
    }

    #[test]
    fn without_export_a_span_continues_the_callers_trace_or_starts_one() {
        let span = tracing::Span::none();
        let caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let next = continue_trace(&span, Some(caller));
        assert_eq!(trace_id(&next), trace_id(caller));
        assert_ne!(next, caller, "the span gets its own id");
        let fresh = continue_trace(&span, Some("00-garbage-01"));
        assert!(trace_id(&fresh).is_some());
        assert_ne!(trace_id(&fresh), trace_id(caller));
        assert_ne!(trace_id(&continue_trace(&span, None)), trace_id(&fresh));
    }

    #[test]
    fn the_collector_url_names_the_traces_path_once() {
        use super::super::export::traces_url;
        assert_eq!(traces_url("http://c:4318"), "http://c:4318/v1/traces");
        assert_eq!(traces_url("http://c:4318/"), "http://c:4318/v1/traces");
        assert_eq!(
            traces_url("http://c:4318/v1/traces"),
            "http://c:4318/v1/traces"
        );
    }
}
