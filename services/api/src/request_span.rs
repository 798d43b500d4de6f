//! The root span of each API request: it continues the caller's W3C trace (or starts one)
//! and hands its `traceparent` to the handlers, which store it with the events they create.

use std::future::{ready, Ready};

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::{Error, FromRequest, HttpMessage, HttpRequest};
use hookrelay_core::telemetry::traceparent;
use tracing::Span;
use tracing_actix_web::{root_span, DefaultRootSpanBuilder, RootSpanBuilder};

/// `TracingLogger` span builder that joins the caller's trace.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let span = root_span!(request, span_id = tracing::field::Empty);
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
