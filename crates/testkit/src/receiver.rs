//! A real HTTP receiver on 127.0.0.1 that records what it is sent and answers as told.

use std::collections::VecDeque;
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: bytes::Bytes,
    pub at: Instant,
}

impl Received {
    /// First value of a header (names compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("receiver got JSON")
    }
}

/// How the receiver answers one request.
#[derive(Debug, Clone, Copy)]
pub struct Reply {
    pub status: u16,
    pub delay: Duration,
    /// A `Retry-After` header (seconds).
    pub retry_after: Option<u64>,
}

impl Reply {
    pub fn status(status: u16) -> Self {
        Self {
            status,
            delay: Duration::ZERO,
            retry_after: None,
        }
    }

    /// Answers `status` after `delay`.
    pub fn delayed(status: u16, delay: Duration) -> Self {
        Self {
            delay,
            ..Self::status(status)
        }
    }

    /// Answers `status` with `Retry-After: secs`.
    pub fn retry_after(status: u16, secs: u64) -> Self {
        Self {
            retry_after: Some(secs),
            ..Self::status(status)
        }
    }
}

/// A reply chosen from the request.
type Rule = Arc<dyn Fn(&Received) -> Option<Reply> + Send + Sync>;

#[derive(Default)]
struct State {
    received: Mutex<Vec<Received>>,
    /// Replies for the next requests, in order; then `default`.
    script: Mutex<VecDeque<Reply>>,
    default: Mutex<Option<Reply>>,
    /// Decides the reply from the request, before the script (`None`: not decided).
    rule: Mutex<Option<Rule>>,
    /// Body of every reply instead of `reply <status>`.
    body: Mutex<Option<bytes::Bytes>>,
    /// Headers added to every answer to an `OPTIONS` request (a CloudEvents handshake).
    handshake: Mutex<Vec<(&'static str, &'static str)>>,
    /// Requests being answered now, and the most there ever were at once.
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

/// A running receiver; dropped with the test's runtime.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    state: Arc<State>,
}

impl Receiver {
    /// Starts a receiver answering 200 to everything.
    pub async fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind receiver");
        let port = listener.local_addr().expect("addr").port();
        let state = Arc::new(State::default());
        let data = web::Data::from(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(web::PayloadConfig::new(16 * 1024 * 1024))
                .default_service(web::to(handle))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .expect("listen")
        .run();
        tokio::spawn(server);
        Receiver {
            url: format!("http://127.0.0.1:{port}"),
            state,
        }
    }

    /// Answers the next requests with these replies, in order.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.state.script.lock().expect("lock").extend(replies);
    }

    /// Answers every unscripted request with this reply.
    pub fn always(&self, reply: Reply) {
        *self.state.default.lock().expect("lock") = Some(reply);
    }

    /// Answers the requests `rule` picks a reply for with it (before any script).
    pub fn answer_with(&self, rule: impl Fn(&Received) -> Option<Reply> + Send + Sync + 'static) {
        *self.state.rule.lock().expect("lock") = Some(Arc::new(rule));
    }

    /// Answers every request with this body.
    pub fn reply_body(&self, body: &'static [u8]) {
        *self.state.body.lock().expect("lock") = Some(bytes::Bytes::from_static(body));
    }

    /// Answers `OPTIONS` requests (the CloudEvents handshake) with these headers, e.g.
    /// `[("webhook-allowed-origin", "*"), ("webhook-allowed-rate", "120")]`.
    pub fn allow_handshake(&self, headers: &[(&'static str, &'static str)]) {
        *self.state.handshake.lock().expect("lock") = headers.to_vec();
    }

    /// The most requests it was answering at once.
    pub fn max_concurrent(&self) -> usize {
        self.state.max_in_flight.load(Ordering::SeqCst)
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().expect("lock").clone()
    }

    /// Waits until at least `n` requests arrived.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        crate::eventually(
            timeout,
            &format!("{n} requests at the receiver"),
            || async {
                let got = self.received();
                (got.len() >= n).then_some(got)
            },
        )
        .await
    }
}

async fn handle(req: HttpRequest, body: web::Bytes, state: web::Data<State>) -> HttpResponse {
    let received = Received {
        method: req.method().to_string(),
        path: req.uri().to_string(),
        headers: req
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
        at: Instant::now(),
    };
    let rule = state.rule.lock().expect("lock").clone();
    let ruled = rule.and_then(|rule| rule(&received));
    state.received.lock().expect("lock").push(received);
    let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    state.max_in_flight.fetch_max(now, Ordering::SeqCst);
    // Counted out when the answer is built, whatever happens to the connection.
    let _answering = Answering(&state.in_flight);
    let scripted = || state.script.lock().expect("lock").pop_front();
    let reply = ruled
        .or_else(scripted)
        .or(*state.default.lock().expect("lock"))
        .unwrap_or(Reply::status(200));
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let body = state
        .body
        .lock()
        .expect("lock")
        .clone()
        .unwrap_or_else(|| bytes::Bytes::from(format!("reply {}", reply.status)));
    let mut response = HttpResponse::build(
        actix_web::http::StatusCode::from_u16(reply.status).expect("valid status"),
    );
    if let Some(secs) = reply.retry_after {
        response.insert_header(("retry-after", secs.to_string()));
    }
    if req.method() == actix_web::http::Method::OPTIONS {
        for (name, value) in state.handshake.lock().expect("lock").iter() {
            response.insert_header((*name, *value));
        }
    }
    response.body(body)
}

/// Counts a request out of `in_flight` when dropped.
struct Answering<'a>(&'a AtomicUsize);

impl Drop for Answering<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
