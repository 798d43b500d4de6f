//! The HTTP side of an attempt: the signed request ([`signed_request`]) and one POST with
//! a total timeout, no redirects, and a guard against private targets that also covers DNS
//! answers (no rebinding around the API's check). The dispatcher's attempts and the API's
//! test sends both go through here, so a test send is exactly what a delivery would be.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use hookrelay_domain::attempt::{Attempt, HeaderList, ResultClass, REDACTED};
use hookrelay_domain::delivery::{Answer, EventContent, WebhookTarget};
use hookrelay_domain::handshake::{Handshake, HandshakeAnswer};
use hookrelay_domain::is_public_ip;
use hookrelay_domain::payload::build_body;
use hookrelay_domain::signing::delivery_headers;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};

use crate::report::ErrorChain;

/// What one attempt sends.
#[derive(Debug, Clone)]
pub struct SignedRequest {
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// The headers as the attempt log keeps them: custom header values redacted, the
    /// client's `user-agent` included.
    pub logged_headers: HeaderList,
}

/// Who this installation says it is in what it sends: the CloudEvents `source` of its
/// bodies and the `WebHook-Request-Origin` of CloudEvents webhooks.
#[derive(Debug, Clone)]
pub struct Identity {
    pub cloudevents_source: Arc<str>,
    pub request_origin: Arc<str>,
}

impl Identity {
    pub fn new(cloudevents_source: &str, request_origin: &str) -> Self {
        Self {
            cloudevents_source: cloudevents_source.into(),
            request_origin: request_origin.into(),
        }
    }
}

/// The `user-agent` every attempt carries.
const USER_AGENT: &str = concat!("hookrelay/", env!("CARGO_PKG_VERSION"));

/// The body and headers of attempt `attempt` of `event` to `target`, signed at `timestamp`
/// (unix seconds) with every current secret, in the W3C trace `traceparent`, as `identity`.
pub fn signed_request(
    target: &WebhookTarget,
    event: &EventContent,
    attempt: u32,
    timestamp: i64,
    traceparent: Option<&str>,
    identity: &Identity,
) -> SignedRequest {
    let body = build_body(
        target.payload_format,
        &event.event_type,
        event.id,
        target.webhook_id,
        event.occurred_at,
        &event.data,
        &identity.cloudevents_source,
    );
    let msg_id = event.id.to_string();
    let own = delivery_headers(
        target,
        &event.event_type,
        &msg_id,
        attempt,
        timestamp,
        &body,
    );
    let mut headers = HeaderMap::with_capacity(4 + own.len() + target.headers.as_map().len());
    for (name, value) in target.headers.iter() {
        // Names and values were checked when the webhook was read.
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.insert(n, v);
        }
    }
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(target.payload_format.content_type()),
    );
    // From bytes: event names may be any Unicode letters, sent as UTF-8 (obs-text).
    let mut set = |name: &'static str, value: &str| {
        if let Ok(v) = HeaderValue::from_bytes(value.as_bytes()) {
            headers.insert(HeaderName::from_static(name), v);
        }
    };
    for (name, value) in &own {
        set(name, value);
    }
    if let Some(traceparent) = traceparent {
        set("traceparent", traceparent);
    }
    if target.handshake == Some(Handshake::CloudEvents) {
        set("webhook-request-origin", &identity.request_origin);
    }
    let logged_headers = HeaderList::capped(
        headers
            .iter()
            .map(|(name, value)| {
                let custom = target
                    .headers
                    .iter()
                    .any(|(n, _)| name.as_str().eq_ignore_ascii_case(n));
                let value = if custom {
                    REDACTED.to_string()
                } else {
                    String::from_utf8_lossy(value.as_bytes()).into_owned()
                };
                (name.as_str().to_string(), value)
            })
            .chain([("user-agent".to_string(), USER_AGENT.to_string())]),
    );
    SignedRequest {
        headers,
        body,
        logged_headers,
    }
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
    pub class: ResultClass,
    /// The receiver's `Retry-After` (seconds or an HTTP date).
    pub retry_after: Option<Duration>,
    /// What was sent (`None`: nothing was).
    pub request_headers: Option<HeaderList>,
    /// The answer's headers (`None`: no answer).
    pub response_headers: Option<HeaderList>,
}

impl SendResult {
    /// What the decision needs of it.
    pub fn answer(&self) -> Answer {
        Answer {
            status: self.status,
            retry_after: self.retry_after,
            refused: self.class == ResultClass::Refused,
        }
    }

    /// `attempt` as this POST went: when, how long, and the answer or why there was none.
    pub fn into_attempt(self, attempt: Attempt) -> Attempt {
        Attempt {
            started_at: self.started_at,
            duration_ms: i32::try_from(self.duration.as_millis()).unwrap_or(i32::MAX),
            response_code: self.status.map(i32::from),
            response_body: self.body_excerpt,
            error: self.error,
            retry_after_secs: self
                .retry_after
                .map(|d| i32::try_from(d.as_secs()).unwrap_or(i32::MAX)),
            request_headers: self.request_headers,
            response_headers: self.response_headers,
            ..attempt
        }
    }

    fn refused(started_at: DateTime<Utc>, duration: Duration, why: String) -> Self {
        Self {
            started_at,
            duration,
            status: None,
            body_excerpt: None,
            error: Some(why),
            class: ResultClass::Refused,
            retry_after: None,
            request_headers: None,
            response_headers: None,
        }
    }
}

/// Reads a `Retry-After` value: delay seconds, or an HTTP date (a past date means now).
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?;
    Some(
        (at.with_timezone(&Utc) - now)
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

/// The resolver's refusal of a name that resolves only to private addresses.
#[derive(Debug)]
struct PrivateTarget(String);

impl std::fmt::Display for PrivateTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} resolves to no public address", self.0)
    }
}

impl std::error::Error for PrivateTarget {}

/// Whether an error (or one of its causes) is the resolver's refusal.
fn is_private_target(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(e);
    while let Some(err) = current {
        if err.downcast_ref::<PrivateTarget>().is_some() {
            return true;
        }
        current = err.source();
    }
    false
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
                return Err(
                    Box::new(PrivateTarget(host)) as Box<dyn std::error::Error + Send + Sync>
                );
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
    require_https: bool,
    identity: Identity,
}

impl WebhookSender {
    /// A sender with a total per-attempt timeout; `allow_private` lets targets resolve to
    /// private addresses, `require_https` refuses http:// targets.
    pub fn new(
        timeout: Duration,
        allow_private: bool,
        require_https: bool,
        identity: Identity,
    ) -> Result<Self, reqwest::Error> {
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(512)
            .pool_idle_timeout(Duration::from_secs(60))
            .tcp_nodelay(true)
            // A proxy would resolve names itself and bypass the private-target guard.
            .no_proxy()
            .user_agent(USER_AGENT);
        if !allow_private {
            builder = builder.dns_resolver(Arc::new(PublicOnlyResolver));
        }
        Ok(Self {
            client: builder.build()?,
            allow_private,
            require_https,
            identity,
        })
    }

    /// [`signed_request`] as this installation.
    pub fn signed_request(
        &self,
        target: &WebhookTarget,
        event: &EventContent,
        attempt: u32,
        timestamp: i64,
        traceparent: Option<&str>,
    ) -> SignedRequest {
        signed_request(
            target,
            event,
            attempt,
            timestamp,
            traceparent,
            &self.identity,
        )
    }

    /// The CloudEvents validation handshake: `OPTIONS url` with `WebHook-Request-Origin`
    /// (and `WebHook-Request-Rate`, requests per minute, when asked), under the same
    /// timeout and private-address rules as a delivery. The answer is judged by
    /// `hookrelay_domain::handshake::judge`.
    pub async fn handshake(
        &self,
        url: &reqwest::Url,
        rate_per_minute: Option<u32>,
    ) -> HandshakeAnswer {
        let refused = |why: String| HandshakeAnswer {
            error: Some(why),
            ..HandshakeAnswer::default()
        };
        if let Some(why) = self.refusal(url) {
            return refused(why);
        }
        let mut request = self
            .client
            .request(reqwest::Method::OPTIONS, url.clone())
            .header("webhook-request-origin", &*self.identity.request_origin);
        if let Some(rate) = rate_per_minute {
            request = request.header("webhook-request-rate", rate.to_string());
        }
        match request.send().await {
            Ok(response) => {
                let header = |name: &str| {
                    response
                        .headers()
                        .get(name)
                        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                };
                HandshakeAnswer {
                    status: Some(response.status().as_u16()),
                    allowed_origin: header("webhook-allowed-origin"),
                    allowed_rate: header("webhook-allowed-rate"),
                    error: None,
                }
            }
            Err(e) => refused(without_nul(ErrorChain(&e).to_string())),
        }
    }

    /// POSTs `body` with `headers` to `url`.
    pub async fn send(&self, url: &reqwest::Url, request: SignedRequest) -> SendResult {
        let SignedRequest {
            headers,
            body,
            logged_headers,
        } = request;
        let started_at = Utc::now();
        let start = Instant::now();
        if let Some(why) = self.refusal(url) {
            return SendResult::refused(started_at, start.elapsed(), why);
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
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, Utc::now()));
            let response_headers = HeaderList::capped(
                response
                    .headers()
                    .iter()
                    .map(|(n, v)| (n.as_str(), String::from_utf8_lossy(v.as_bytes()))),
            );
            let mut excerpt: Vec<u8> = Vec::new();
            while excerpt.len() < RESPONSE_EXCERPT_BYTES {
                match response.chunk().await? {
                    Some(chunk) => excerpt.extend_from_slice(&chunk),
                    None => break,
                }
            }
            excerpt.truncate(RESPONSE_EXCERPT_BYTES);
            Ok::<_, reqwest::Error>((status, excerpt, retry_after, response_headers))
        }
        .await;
        let duration = start.elapsed();
        match outcome {
            Ok((status, excerpt, retry_after, response_headers)) => SendResult {
                retry_after,
                request_headers: Some(logged_headers),
                response_headers: Some(response_headers),
                started_at,
                duration,
                status: Some(status),
                body_excerpt: Some(without_nul(String::from_utf8_lossy(&excerpt).into_owned())),
                error: None,
                class: ResultClass::of_status(status),
            },
            Err(e) if is_private_target(&e) => {
                SendResult::refused(started_at, duration, ErrorChain(&e).to_string())
            }
            Err(e) => {
                let class = if e.is_timeout() {
                    ResultClass::Timeout
                } else if e.is_connect() {
                    ResultClass::ConnectError
                } else {
                    ResultClass::IoError
                };
                SendResult {
                    started_at,
                    duration,
                    status: None,
                    body_excerpt: None,
                    error: Some(without_nul(ErrorChain(&e).to_string())),
                    class,
                    retry_after: None,
                    request_headers: Some(logged_headers),
                    response_headers: None,
                }
            }
        }
    }

    /// Why nothing may be sent to `url` before any connection: http:// under
    /// `delivery.require_https`, or a private IP literal. (Names are checked by the
    /// resolver.) Deliveries and handshakes both ask.
    fn refusal(&self, url: &reqwest::Url) -> Option<String> {
        if self.require_https && url.scheme() != "https" {
            return Some("http:// targets are refused (delivery.require_https)".into());
        }
        self.refuse_literal_private(url)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_custom_header_can_never_shadow_one_of_ours() {
        use hookrelay_domain::{
            CustomHeaders, PayloadFormat, SignatureProfile, WebhookSecret, WebhookUrl,
        };
        let event = EventContent {
            id: uuid::Uuid::now_v7(),
            event_type: "a.b".into(),
            data: "{}".into(),
            occurred_at: Utc::now(),
        };
        for profile in SignatureProfile::ALL {
            let target = WebhookTarget {
                webhook_id: uuid::Uuid::nil(),
                signature_profile: profile,
                url: WebhookUrl::parse("http://127.0.0.1:9/").expect("url"),
                payload_format: PayloadFormat::Envelope,
                headers: CustomHeaders::parse([("x-team".into(), "a".into())].into())
                    .expect("headers"),
                secret: WebhookSecret::generate(),
                previous_secret: None,
                retry_schedule: None,
                // With the handshake's header too.
                handshake: Some(Handshake::CloudEvents),
            };
            let identity = Identity::new("/hookrelay", "hooks.example.com");
            let request = signed_request(&target, &event, 1, 1000, Some("00-1-2-01"), &identity);
            assert_eq!(
                request.headers["webhook-request-origin"],
                "hooks.example.com"
            );
            for name in request.headers.keys() {
                let ours = name.as_str() != "x-team";
                assert_eq!(
                    ours,
                    hookrelay_domain::is_reserved_header(name.as_str()),
                    "{profile:?}: {name}"
                );
            }
        }
    }

    #[test]
    fn retry_after_takes_seconds_or_an_http_date() {
        let now = DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z")
            .expect("time")
            .with_timezone(&Utc);
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Mon, 23 Nov 2026 10:01:30 GMT", now),
            Some(Duration::from_secs(90))
        );
        assert_eq!(
            parse_retry_after("Mon, 23 Nov 2026 09:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }
}
