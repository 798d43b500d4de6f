//! The root span of each API request: it continues the caller's W3C trace (or starts one)
//! and hands its `traceparent` to the handlers, which store it with the events they create.

use std::future::{ready, Ready};

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::{Error, FromRequest, HttpMessage, HttpRequest};
use hookrelay_core::telemetry::traceparent;
use tracing::field::Empty;
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RootSpanBuilder};

/// `TracingLogger` span builder that joins the caller's trace.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        // The fields of tracing-actix-web's `root_span!`, except that the target is the
        // path alone: a query string may carry a key (`?api_key=...`), and every log line
        // of the request repeats the span's fields.
        let route = request.match_pattern();
        let method = request.method().as_str();
        let span = tracing::info_span!(
            "HTTP request",
            http.method = %method,
            http.route = route.as_deref().unwrap_or("unmatched"),
            http.target = %request.path(),
            http.flavor = ?request.version(),
            http.client_ip = request.connection_info().realip_remote_addr().unwrap_or(""),
            http.user_agent = request
                .headers()
                .get("user-agent")
                .and_then(|v| v.to_str().ok())
                .unwrap_or(""),
            http.status_code = Empty,
            otel.name = %format!("{method} {}", route.as_deref().unwrap_or("unmatched")),
            otel.kind = "server",
            otel.status_code = Empty,
            trace_id = Empty,
            span_id = Empty,
            exception.message = Empty,
            exception.details = Empty,
        );
        let incoming = request
            .headers()
            .get("traceparent")
            .and_then(|v| v.to_str().ok());
        let traceparent = traceparent::continue_trace(&span, incoming);
        request.extensions_mut().insert(RequestTrace(traceparent));
        span
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

/// The request span's `traceparent`: work created by the request (an event's jobs) is its
/// child, so the receiver's POST lands in the caller's trace.
#[derive(Debug, Clone)]
pub struct RequestTrace(pub String);

impl FromRequest for RequestTrace {
    type Error = Error;
    type Future = Ready<Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let trace = req.extensions().get::<RequestTrace>().cloned();
        // Only missing when the app was built without `RequestSpan`: start a trace then.
        ready(Ok(
            trace.unwrap_or_else(|| RequestTrace(traceparent::generate()))
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use actix_web::test::TestRequest;
    use tracing_subscriber::fmt::MakeWriter;

    use super::*;

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("buffer").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Buffer {
        type Writer = Buffer;
        fn make_writer(&'a self) -> Buffer {
            self.clone()
        }
    }

    #[test]
    fn log_lines_carry_the_path_but_not_the_query_string() {
        let buffer = Buffer::default();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_writer(buffer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            let request = TestRequest::get()
                .uri("/v1/webhooks?api_key=hr_leaked-secret&name=x")
                .to_srv_request();
            let span = RequestSpan::on_request_start(&request);
            span.in_scope(|| tracing::warn!("inside the request"));
        });
        let logged = String::from_utf8(buffer.0.lock().expect("buffer").clone()).expect("utf-8");
        assert!(logged.contains("inside the request"), "{logged}");
        assert!(
            logged.contains(r#""http.target":"/v1/webhooks""#),
            "{logged}"
        );
        assert!(!logged.contains("hr_leaked-secret"), "{logged}");
    }
}
