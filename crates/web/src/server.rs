//! The API's and the ingester's HTTP server: an actix-web `App` served by actix-http, as
//! `HttpServer` does, over connections that give the errors actix-http answers by
//! itself, before any request exists, the JSON body every other error has: 400 (a head
//! that does not parse), 408 (no complete head within `http.head_timeout_ms`) and 431 (a
//! head over 128 KiB or 96 headers). actix-http writes those with an empty body and has no
//! hook for them, so [`JsonProtocolErrors`] rewrites them on their way out.

use std::io;
use std::net::TcpListener;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use actix_http::{HttpService, Protocol, Request, Response};
use actix_service::{
    fn_service, map_config, IntoServiceFactory, ServiceFactory, ServiceFactoryExt,
};
use actix_web::body::MessageBody;
use actix_web::dev::{AppConfig, Server, Service};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// How the server treats connections.
#[derive(Debug, Clone, Copy)]
pub struct ServerLimits {
    /// Time a client has to send a request's head (408 after it).
    pub head_timeout: Duration,
    pub max_connections_per_worker: usize,
    /// Worker threads (each with its own runtime); 0: one per CPU core.
    pub workers: usize,
    /// How long in-flight requests may finish after SIGTERM.
    pub shutdown_timeout_secs: u64,
}

/// Binds `app` to `listener`, like `HttpServer::new(app).listen(listener)`, with the
/// protocol errors in JSON. Handles SIGTERM/SIGINT like `HttpServer`.
pub fn serve<F, I, S, B>(listener: TcpListener, limits: ServerLimits, app: F) -> io::Result<Server>
where
    F: Fn() -> I + Send + Clone + 'static,
    I: IntoServiceFactory<S, Request>,
    S: ServiceFactory<Request, Config = AppConfig> + 'static,
    S::Error: Into<actix_web::Error> + 'static,
    S::InitError: std::fmt::Debug,
    S::Response: Into<Response<B>> + 'static,
    <S::Service as Service<Request>>::Future: 'static,
    S::Service: 'static,
    B: MessageBody + 'static,
{
    let local_addr = listener.local_addr()?;
    let mut server = actix_server::Server::build();
    if limits.workers > 0 {
        server = server.workers(limits.workers);
    }
    Ok(server
        .max_concurrent_connections(limits.max_connections_per_worker)
        .shutdown_timeout(limits.shutdown_timeout_secs)
        .listen("http", listener, move || {
            let app = app().into_factory().map_err(|e| e.into().error_response());
            let http = HttpService::build()
                .client_request_timeout(limits.head_timeout)
                // HttpServer's default: a second for a closing client to go.
                .client_disconnect_timeout(Duration::from_secs(1))
                .local_addr(local_addr)
                .finish(map_config(app, |_| AppConfig::default()));
            fn_service(|io: TcpStream| async move {
                let peer = io.peer_addr().ok();
                Ok((JsonProtocolErrors::new(io), Protocol::Http1, peer))
            })
            .and_then(http)
        })?
        .run())
}

/// A connection whose protocol-error answers (status 400, 408 or 431 with an empty body,
/// which only actix-http itself writes: every answer of ours has a JSON body) get the
/// JSON error body. Everything else passes through untouched.
pub struct JsonProtocolErrors<T> {
    io: T,
    /// A rewritten answer not yet fully written, and how much of it was.
    pending: Vec<u8>,
    written: usize,
}

impl<T> JsonProtocolErrors<T> {
    pub fn new(io: T) -> Self {
        Self {
            io,
            pending: Vec::new(),
            written: 0,
        }
    }
}

impl<T: AsyncWrite + Unpin> JsonProtocolErrors<T> {
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, &self.pending[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.pending.clear();
        self.written = 0;
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for JsonProtocolErrors<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for JsonProtocolErrors<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        if let Some(answer) = with_json_body(buf) {
            this.pending = answer;
            // Whatever is left goes out on the next write, flush or shutdown.
            if let Poll::Ready(Err(e)) = this.poll_drain(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut this.io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}

/// The code and message of a protocol error's status.
fn protocol_error(status: &[u8]) -> Option<(&'static str, &'static str)> {
    match status {
        b"400" => Some((
            "bad_request",
            "the request line or headers are not valid HTTP/1.1",
        )),
        b"408" => Some(("request_timeout", "the request head did not arrive in time")),
        b"431" => Some((
            "headers_too_large",
            "the request head is too large (at most 128 KiB and 96 headers)",
        )),
        _ => None,
    }
}

/// `written` with a JSON error body, when it is exactly one body-less answer with a
/// protocol error's status; `None` for anything else.
fn with_json_body(written: &[u8]) -> Option<Vec<u8>> {
    const EMPTY: &[u8] = b"\r\ncontent-length: 0\r\n";
    let status = written.strip_prefix(b"HTTP/1.1 ")?.get(..3)?;
    let (code, message) = protocol_error(status)?;
    // One head and nothing after it.
    let head_len = written.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    if head_len != written.len() {
        return None;
    }
    let head = &written[..head_len];
    let at = head
        .windows(EMPTY.len())
        .position(|w| w.eq_ignore_ascii_case(EMPTY))?;
    let body = serde_json::json!({"error": {"code": code, "message": message}}).to_string();
    let mut answer = Vec::with_capacity(written.len() + body.len() + 64);
    answer.extend_from_slice(&head[..at]);
    answer.extend_from_slice(
        format!(
            "\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
            body.len()
        )
        .as_bytes(),
    );
    answer.extend_from_slice(&head[at + EMPTY.len()..]);
    answer.extend_from_slice(body.as_bytes());
    Some(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_body_less_protocol_errors_get_a_json_body() {
        let bad = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\ndate: x\r\n\r\n";
        let rewritten = String::from_utf8(with_json_body(bad).expect("rewritten")).expect("utf-8");
        let (head, body) = rewritten.split_once("\r\n\r\n").expect("head and body");
        assert!(head.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{head}");
        assert!(head.contains("\r\nconnection: close\r\ndate: x"), "{head}");
        assert!(
            head.contains(&format!("\r\ncontent-length: {}\r\n", body.len())),
            "{head}"
        );
        assert!(
            head.contains("\r\ncontent-type: application/json"),
            "{head}"
        );
        let json: serde_json::Value = serde_json::from_str(body).expect("json");
        assert_eq!(json["error"]["code"], "bad_request");

        #[rustfmt::skip]
        let untouched: [(&str, &[u8]); 5] = [
            ("our 400s have a body", b"HTTP/1.1 400 Bad Request\r\ncontent-length: 12\r\n\r\n{\"error\":{}}"),
            ("a 200", b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"),
            ("a 404 of ours", b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"),
            ("a head split over writes", b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\n"),
            ("two answers at once", b"HTTP/1.1 431 Too Large\r\ncontent-length: 0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"),
        ];
        for (name, written) in untouched {
            assert_eq!(with_json_body(written), None, "{name}");
        }
        for (status, code) in [
            ("408 Request Timeout", "request_timeout"),
            ("431 Request Header Fields Too Large", "headers_too_large"),
        ] {
            let head = format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\n\r\n");
            let rewritten = with_json_body(head.as_bytes()).expect("rewritten");
            let text = String::from_utf8(rewritten).expect("utf-8");
            assert!(text.contains(code), "{text}");
        }
    }
}
