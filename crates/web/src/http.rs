//! Pieces every actix service of hookrelay mounts: JSON errors for whatever actix answers
//! itself (unknown route, wrong method, bad path), health, readiness and metrics routes.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::header;
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{web, HttpResponse, ResponseError};

use hookrelay_core::report::ErrorChain;

use crate::error::ApiError;
use crate::openapi::AllowedMethods;

/// A readiness check: resolves to `Err(reason)` when a dependency is unreachable.
pub type ReadinessCheck =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<(), String>> + Send>> + Send + Sync>;

/// What `/readyz` checks, in order.
#[derive(Clone, Default)]
pub struct Readiness {
    checks: Vec<(&'static str, ReadinessCheck)>,
}

impl Readiness {
    /// Adds a named dependency check.
    pub fn with(mut self, name: &'static str, check: ReadinessCheck) -> Self {
        self.checks.push((name, check));
        self
    }
}

/// Who may read `/metrics`: anyone (no token configured), or callers with
/// `Authorization: Bearer <telemetry.metrics_token>`.
#[derive(Clone, Default)]
pub struct MetricsAccess {
    token: Option<secrecy::SecretString>,
}

impl MetricsAccess {
    pub fn new(settings: &hookrelay_core::configuration::TelemetrySettings) -> Self {
        use secrecy::ExposeSecret;
        let token = settings.metrics_token.clone();
        Self {
            token: (!token.expose_secret().is_empty()).then_some(token),
        }
    }

    fn allows(&self, req: &actix_web::HttpRequest) -> bool {
        use secrecy::ExposeSecret;
        let Some(expected) = &self.token else {
            return true;
        };
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        constant_time_eq(expected.expose_secret().as_bytes(), given.as_bytes())
    }
}

/// Compares without an early exit, so timing does not reveal the matching prefix length.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Mounts `/healthz` and `/readyz`, which load balancers probe on the public port.
pub fn health_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz));
}

/// Mounts the health routes and `/metrics` (behind `access`): the ops port's routes.
/// `/metrics` is never on a public port, where tenants could read the installation's
/// traffic.
pub fn ops_routes(cfg: &mut web::ServiceConfig, access: MetricsAccess) {
    health_routes(cfg);
    cfg.app_data(web::Data::new(access))
        .route("/metrics", web::get().to(metrics));
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

async fn readyz(readiness: web::Data<Readiness>) -> HttpResponse {
    let mut failures = serde_json::Map::new();
    for (name, check) in &readiness.checks {
        let outcome = tokio::time::timeout(std::time::Duration::from_secs(2), check()).await;
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(reason)) => {
                failures.insert((*name).to_string(), reason.into());
            }
            Err(_) => {
                failures.insert((*name).to_string(), "timed out".into());
            }
        }
    }
    if failures.is_empty() {
        HttpResponse::Ok().json(serde_json::json!({"status": "ready"}))
    } else {
        HttpResponse::ServiceUnavailable()
            .json(serde_json::json!({"status": "unavailable", "failures": failures}))
    }
}

async fn metrics(req: actix_web::HttpRequest, access: web::Data<MetricsAccess>) -> HttpResponse {
    if !access.allows(&req) {
        return ApiError::Unauthorized.error_response();
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(hookrelay_core::telemetry::render_metrics())
}

/// Rewrites error responses that actix produced without a JSON body (404 for an unknown
/// route, 405, 400 for an unparsable URL...) into the structured error format.
pub fn json_errors<B: MessageBody + 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new()
        .default_handler_client(to_json_error)
        .default_handler_server(to_json_error)
}

fn to_json_error<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let error = match status.as_u16() {
        404 => ApiError::NotFound("route"),
        405 => ApiError::MethodNotAllowed("method not allowed on this route".into()),
        413 => ApiError::PayloadTooLarge { limit: 0 },
        415 => ApiError::UnsupportedMediaType("unsupported content type".into()),
        401 => ApiError::Unauthorized,
        400..=499 => ApiError::bad_request(
            "bad_request",
            status.canonical_reason().unwrap_or("bad request"),
        ),
        _ => ApiError::Unavailable("internal error".into()),
    };
    let (req, _) = res.into_parts();
    let mut response = error.error_response();
    *response.status_mut() = status;
    if status == actix_web::http::StatusCode::METHOD_NOT_ALLOWED {
        // RFC 9110: a 405 says which methods the resource does answer.
        // The exact path first: `/v1/event-types/import` is documented on its own although
        // it shares the `/v1/event-types/{name}` resource.
        let allowed = req.app_data::<AllowedMethods>().and_then(|allowed| {
            allowed
                .of(req.path())
                .or_else(|| req.match_pattern().and_then(|p| allowed.of(&p)))
                .map(str::to_string)
        });
        if let Some(allow) = allowed.and_then(|a| header::HeaderValue::from_str(&a).ok()) {
            response.headers_mut().insert(header::ALLOW, allow);
        }
    }
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body::<B>(),
    ))
}

/// Records `hookrelay_http_requests_total` and `hookrelay_http_request_duration_seconds`
/// by route template (never the raw path, so label values stay bounded).
pub async fn record_http_metrics(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = std::time::Instant::now();
    let method: &'static str = match req.method().as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    };
    let route = req
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_string());
    let res = next.call(req).await?;
    let status = res.status().as_u16().to_string();
    metrics::counter!("hookrelay_http_requests_total", "route" => route.clone(), "method" => method, "status" => status)
        .increment(1);
    metrics::histogram!("hookrelay_http_request_duration_seconds", "route" => route, "method" => method)
        .record(started.elapsed().as_secs_f64());
    Ok(res)
}

/// Makes an unparsable path segment (e.g. a malformed id) answer 404 like an unknown id.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_, _| ApiError::NotFound("resource").into())
}

/// Readiness check that PostgreSQL answers.
pub fn postgres_check(pool: deadpool_postgres::Pool) -> ReadinessCheck {
    Arc::new(move || {
        let pool = pool.clone();
        Box::pin(async move {
            hookrelay_core::db::ping(&pool)
                .await
                .map_err(|e| ErrorChain(&e).to_string())
        })
    })
}

/// The ops port: only `/healthz`, `/readyz` and `/metrics`, on one worker. It does not
/// handle signals: its owner stops it (the dispatcher's shutdown, or [`serve_with_ops`]).
pub fn ops_server(
    listener: std::net::TcpListener,
    readiness: Readiness,
    access: MetricsAccess,
) -> std::io::Result<actix_web::dev::Server> {
    let readiness = web::Data::new(readiness);
    Ok(actix_web::HttpServer::new(move || {
        let access = access.clone();
        actix_web::App::new()
            .wrap(json_errors())
            .app_data(readiness.clone())
            .configure(|c| ops_routes(c, access))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .shutdown_timeout(5)
    .run())
}

/// Runs a public server until SIGTERM/SIGINT stops it (draining its requests), with its
/// ops server beside it, which then stops too.
pub async fn serve_with_ops(
    public: actix_web::dev::Server,
    ops: actix_web::dev::Server,
) -> std::io::Result<()> {
    let ops_handle = ops.handle();
    let ops_task = tokio::spawn(ops);
    let served = public.await;
    ops_handle.stop(true).await;
    match ops_task.await {
        Ok(Err(e)) => tracing::warn!(error = %ErrorChain(&e), "ops server failed"),
        Err(e) => tracing::warn!(error = %ErrorChain(&e), "ops server task failed"),
        Ok(Ok(())) => {}
    }
    served
}

/// Readiness check that RabbitMQ accepts a connection.
pub fn amqp_check(publisher: hookrelay_core::queue::JobPublisher) -> ReadinessCheck {
    Arc::new(move || {
        let publisher = publisher.clone();
        Box::pin(async move {
            publisher
                .ping()
                .await
                .map_err(|e| ErrorChain(&e).to_string())
        })
    })
}
