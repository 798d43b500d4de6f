//! The receiving end: an HTTP receiver that counts each event's accepted deliveries and
//! checks the order of those sent to `/ordered` (the FIFO webhook), behind a TCP front that
//! can reset every connection, and a switch that makes it answer `429 Retry-After: 1` to
//! everything.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use hookrelay_testkit::order::ArrivalOrder;
use tokio::sync::watch;

#[derive(Default)]
struct State {
    too_many: AtomicBool,
    /// Event id (`webhook-id`) -> its deliveries answered 200.
    delivered: Mutex<HashMap<String, Receipts>>,
    /// How the FIFO webhook's numbered deliveries arrived.
    order: Mutex<ArrivalOrder>,
}

/// One event's deliveries answered 200.
#[derive(Debug, Clone, Copy)]
pub struct Receipts {
    pub count: u32,
    /// When the first one arrived: a duplicate is the fault's doing only if its first
    /// copy arrived while the fault could have struck.
    pub first_at: Instant,
}

/// A receiver on 127.0.0.1; `url` and `ordered_url` go through the resettable front.
pub struct Receiver {
    pub url: String,
    /// For the FIFO webhook: bodies carry `data.lane` and `data.n`, whose order is checked.
    pub ordered_url: String,
    state: Arc<State>,
    resets: watch::Sender<bool>,
}

async fn receive(req: HttpRequest, body: web::Bytes, state: web::Data<State>) -> HttpResponse {
    if state.too_many.load(Ordering::Relaxed) {
        return HttpResponse::TooManyRequests()
            .insert_header(("retry-after", "1"))
            .finish();
    }
    let Some(id) = req
        .headers()
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
    else {
        return HttpResponse::BadRequest().finish();
    };
    if req.path() == "/ordered" {
        let event: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        let (Some(lane), Some(n)) = (event["data"]["lane"].as_str(), event["data"]["n"].as_u64())
        else {
            return HttpResponse::BadRequest().finish();
        };
        if let Ok(mut order) = state.order.lock() {
            order.arrived(lane, n);
        }
    }
    if let Ok(mut delivered) = state.delivered.lock() {
        delivered
            .entry(id.to_string())
            .and_modify(|r| r.count += 1)
            .or_insert(Receipts {
                count: 1,
                first_at: Instant::now(),
            });
    }
    HttpResponse::Ok().finish()
}

impl Receiver {
    pub async fn start() -> anyhow::Result<Receiver> {
        let state = Arc::new(State::default());
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let backend = listener.local_addr()?;
        let data = web::Data::from(Arc::clone(&state));
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .default_service(web::to(receive))
        })
        .workers(1)
        .listen(listener)?
        .run();
        tokio::spawn(server);
        let (resets, watching) = watch::channel(false);
        let front = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let front_addr = front.local_addr()?;
        tokio::spawn(serve_front(front, backend, watching));
        Ok(Receiver {
            url: format!("http://{front_addr}/hook"),
            ordered_url: format!("http://{front_addr}/ordered"),
            state,
            resets,
        })
    }

    /// Answer 429 (`Retry-After: 1`) to everything, or stop doing so.
    pub fn answer_too_many(&self, on: bool) {
        self.state.too_many.store(on, Ordering::Relaxed);
    }

    /// Reset every open and new connection (TCP RST), or stop doing so.
    pub fn reset_connections(&self, on: bool) {
        self.resets.send_replace(on);
    }

    /// Event id -> its deliveries answered 200.
    pub fn delivered(&self) -> HashMap<String, Receipts> {
        self.state
            .delivered
            .lock()
            .map(|d| d.clone())
            .unwrap_or_default()
    }

    /// How the deliveries to `ordered_url` arrived.
    pub fn order(&self) -> ArrivalOrder {
        self.state
            .order
            .lock()
            .map(|o| o.clone())
            .unwrap_or_default()
    }
}

/// Forwards connections to the receiver unless resets are on; when they come on, every
/// forwarded connection is reset too.
async fn serve_front(
    front: tokio::net::TcpListener,
    backend: std::net::SocketAddr,
    resets: watch::Receiver<bool>,
) {
    while let Ok((inbound, _)) = front.accept().await {
        let mut resets = resets.clone();
        tokio::spawn(async move {
            if *resets.borrow() {
                reset(inbound);
                return;
            }
            let Ok(mut outbound) = tokio::net::TcpStream::connect(backend).await else {
                return;
            };
            let mut inbound = inbound;
            tokio::select! {
                _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                _ = resets.wait_for(|on| *on) => reset(inbound),
            }
        });
    }
}

/// Closes with RST instead of FIN: the sender sees "connection reset by peer".
fn reset(stream: tokio::net::TcpStream) {
    let _ = stream.set_zero_linger();
    drop(stream);
}
