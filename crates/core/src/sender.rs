//! The HTTP side of an attempt: the signed request ([`signed_request`]) and one POST with
//! a total timeout, no redirects, and a guard against private targets that also covers DNS
//! answers (no rebinding around the API's check). The dispatcher's attempts and the API's
//! test sends both go through here, so a test send is exactly what a delivery would be.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use hookrelay_domain::delivery::{EventContent, WebhookTarget};
use hookrelay_domain::is_public_ip;
use hookrelay_domain::payload::build_body;
use hookrelay_domain::signing::signature_header;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};

use crate::report::ErrorChain;

/// What one attempt sends.
#[derive(Debug, Clone)]
pub struct SignedRequest {
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// The body and headers of attempt `attempt` of `event` to `target`, signed at `timestamp`
/// (unix seconds) with every current secret, in the W3C trace `traceparent`.
pub fn signed_request(
    target: &WebhookTarget,
    event: &EventContent,
    attempt: u32,
    timestamp: i64,
    traceparent: Option<&str>,
) -> SignedRequest {
    let body = build_body(
        target.payload_format,
        &event.event_type,
        event.id,
        event.occurred_at,
        &event.data,
    );
    let msg_id = event.id.to_string();
    let signature = signature_header(&target.signing_secrets(), &msg_id, timestamp, &body);
    let mut headers = HeaderMap::with_capacity(8 + target.headers.as_map().len());
    for (name, value) in target.headers.iter() {
        // Names and values were checked when the webhook was read.
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.insert(n, v);
        }
    }
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let mut set = |name: &'static str, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.insert(HeaderName::from_static(name), v);
        }
    };
    set("webhook-id", &msg_id);
    set("webhook-timestamp", &timestamp.to_string());
    set("webhook-signature", &signature);
    set("x-webhook-event", &event.event_type);
    set("x-webhook-attempt", &attempt.to_string());
    if let Some(traceparent) = traceparent {
        set("traceparent", traceparent);
    }
    SignedRequest { headers, body }
}

/// Bytes of the response body kept in the attempt log.
pub const RESPONSE_EXCERPT_BYTES: usize = 4096;

/// What one POST produced.
#[derive(Debug, Clone)]
pub struct SendResult {
    pub started_at: DateTime<Utc>,
    pub duration: Duration,
    pub status: Option<u16>,
    pub body_excerpt: Option<String>,
    pub error: Option<String>,
    /// Result class for metrics: `2xx`, `3xx`, `4xx`, `5xx`, `timeout`, `connect_error`...
    pub class: &'static str,
}

/// Resolver that drops non-public addresses, so a hostname cannot lead into the
/// private network.
struct PublicOnlyResolver;

impl Resolve for PublicOnlyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_string();
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| is_public_ip(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// Sends webhook POSTs over a shared, keep-alive connection pool.
#[derive(Clone)]
pub struct WebhookSender {
    client: reqwest::Client,
    allow_private: bool,
}

impl WebhookSender {
    /// A sender with a total per-attempt timeout.
    pub fn new(timeout: Duration, allow_private: bool) -> Result<Self, reqwest::Error> {
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(512)
            .pool_idle_timeout(Duration::from_secs(60))
            .tcp_nodelay(true)
            // A proxy would resolve names itself and bypass the private-target guard.
            .no_proxy()
            .user_agent(concat!("hookrelay/", env!("CARGO_PKG_VERSION")));
        if !allow_private {
            builder = builder.dns_resolver(Arc::new(PublicOnlyResolver));
        }
        Ok(Self {
            client: builder.build()?,
            allow_private,
        })
    }

    /// POSTs `body` with `headers` to `url`.
    pub async fn send(&self, url: &reqwest::Url, request: SignedRequest) -> SendResult {
        let SignedRequest { headers, body } = request;
        let started_at = Utc::now();
        let start = Instant::now();
        if let Some(refusal) = self.refuse_literal_private(url) {
            return SendResult {
                started_at,
                duration: start.elapsed(),
                status: None,
                body_excerpt: None,
                error: Some(refusal),
                class: "refused",
            };
        }
        let outcome = async {
            let mut response = self
                .client
                .post(url.clone())
                .headers(headers)
                .body(body)
                .send()
                .await?;
            let status = response.status().as_u16();
            let mut excerpt: Vec<u8> = Vec::new();
            while excerpt.len() < RESPONSE_EXCERPT_BYTES {
                match response.chunk().await? {
                    Some(chunk) => excerpt.extend_from_slice(&chunk),
                    None => break,
                }
            }
            excerpt.truncate(RESPONSE_EXCERPT_BYTES);
            Ok::<_, reqwest::Error>((status, excerpt))
        }
        .await;
        let duration = start.elapsed();
        match outcome {
            Ok((status, excerpt)) => SendResult {
                started_at,
                duration,
                status: Some(status),
                body_excerpt: Some(without_nul(String::from_utf8_lossy(&excerpt).into_owned())),
                error: None,
                class: match status {
                    200..=299 => "2xx",
                    300..=399 => "3xx",
                    400..=499 => "4xx",
                    _ => "5xx",
                },
            },
            Err(e) => {
                let class = if e.is_timeout() {
                    "timeout"
                } else if e.is_connect() {
                    "connect_error"
                } else {
                    "io_error"
                };
                SendResult {
                    started_at,
                    duration,
                    status: None,
                    body_excerpt: None,
                    error: Some(without_nul(ErrorChain(&e).to_string())),
                    class,
                }
            }
        }
    }

    /// IP-literal URLs skip DNS, so the resolver guard cannot see them.
    fn refuse_literal_private(&self, url: &reqwest::Url) -> Option<String> {
        if self.allow_private {
            return None;
        }
        let ip = match url.host()? {
            url::Host::Ipv4(ip) => std::net::IpAddr::V4(ip),
            url::Host::Ipv6(ip) => std::net::IpAddr::V6(ip),
            url::Host::Domain(_) => return None,
        };
        (!is_public_ip(ip)).then(|| format!("target {ip} is not a public address"))
    }
}

/// PostgreSQL text cannot hold NUL; a receiver answering binary must not stop the log.
fn without_nul(s: String) -> String {
    if s.contains('\0') {
        s.replace('\0', "\u{FFFD}")
    } else {
        s
    }
}
