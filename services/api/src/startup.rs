//! Builds and runs the API's HTTP server.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{web, App};
use deadpool_postgres::Pool;
use hookrelay_core::configuration::Settings;
use hookrelay_core::outbox::Outbox;
use hookrelay_core::pagination::CursorSeal;
use hookrelay_core::repo::webhooks::WebhookRepo;
use hookrelay_core::report::ErrorChain;
use hookrelay_core::secrets::SecretCipher;
use hookrelay_core::sender::WebhookSender;
use hookrelay_web::extract::{BodyLimit, BodyReadTimeout};
use hookrelay_web::http::{
    amqp_check, health_routes, json_errors, ops_server, path_config, postgres_check,
    record_http_metrics, serve_with_ops, MetricsAccess, Readiness,
};
use hookrelay_web::openapi::AllowedMethods;
use hookrelay_web::server::{serve, ServerLimits};
use secrecy::ExposeSecret;
use tracing_actix_web::TracingLogger;
use utoipa::OpenApi;

use crate::ingest::EventIngester;
use crate::request_span::RequestSpan;

use crate::auth::KeyCache;
use crate::routes;
use crate::state::{ApiLimits, AppState};

/// A bound, not yet running API server.
pub struct Application {
    port: u16,
    ops_port: u16,
    server: Server,
    ops: Server,
}

impl Application {
    /// Binds `api.listen` and `api.ops_listen` (port 0 picks a free port) and prepares
    /// the servers.
    pub fn build(settings: Settings, pool: Pool) -> std::io::Result<Self> {
        let listener = TcpListener::bind(settings.api.listen)?;
        let port = listener.local_addr()?.port();
        let ops_listener = TcpListener::bind(settings.api.ops_listen)?;
        let ops_port = ops_listener.local_addr()?.port();
        let (server, ops) = run(listener, ops_listener, settings, pool)?;
        Ok(Self {
            port,
            ops_port,
            server,
            ops,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of `/healthz`, `/readyz` and `/metrics`.
    pub fn ops_port(&self) -> u16 {
        self.ops_port
    }

    /// Serves until SIGTERM/SIGINT (actix handles both and drains in-flight requests).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        serve_with_ops(self.server, self.ops).await
    }
}

fn run(
    listener: TcpListener,
    ops_listener: TcpListener,
    settings: Settings,
    pool: Pool,
) -> std::io::Result<(Server, Server)> {
    hookrelay_core::telemetry::init_metrics("api");
    let publisher = settings
        .amqp
        .publisher(&settings.delivery.retry_schedule_secs)
        .map_err(std::io::Error::other)?;
    let readiness = Readiness::default()
        .with("postgres", postgres_check(pool.clone()))
        .with("rabbitmq", amqp_check(publisher.clone()));
    hookrelay_core::telemetry::spawn_pool_gauges(pool.clone());
    let cipher = SecretCipher::from_keys(&settings.secrets.keys).map_err(std::io::Error::other)?;
    if !cipher.is_sealing() {
        tracing::warn!("secrets.keys is empty: webhook signing secrets are stored unsealed");
    }
    spawn_resealer(pool.clone(), cipher.clone());
    let body_limit = BodyLimit(settings.api.max_body_bytes);
    let body_timeout = BodyReadTimeout(settings.http.body_timeout());
    let head_timeout = settings.http.head_timeout();
    let max_connections = settings.http.max_connections_per_worker;
    let workers = settings.http.workers;
    let ingest_caps = settings.limits.ingest_caps();
    let metrics_access = MetricsAccess::new(&settings.telemetry);
    hookrelay_core::telemetry::set_event_type_labels(settings.telemetry.event_type_labels);
    let max_event_bytes = settings.api.max_event_bytes;
    let console_policy = crate::console::ConsolePolicy::new(&settings.api.console_frame_ancestors);
    let state = web::Data::new(AppState {
        sender: WebhookSender::new(
            settings.delivery.timeout(),
            settings.delivery.allow_private_targets,
            settings.delivery.require_https,
            settings.delivery.identity(),
        )
        .map_err(std::io::Error::other)?,
        limits: ApiLimits::new(&settings),
        cursors: cursor_seal(&settings),
        log_streams: crate::app::log_streams::LogStreams::new(settings.api.log_streams_per_tenant),
        cipher: cipher.clone(),
        pool,
        settings: Arc::new(settings),
        outbox: Outbox::new(publisher),
        key_cache: KeyCache::default(),
        strict: crate::app::strict::StrictTypes::default(),
    });
    crate::replayer::spawn_claimer(state.pool.clone(), state.outbox.clone());
    let ops = ops_server(ops_listener, readiness.clone(), metrics_access)?;
    let readiness = web::Data::new(readiness);
    let allowed_methods = AllowedMethods::from_openapi(&crate::openapi::ApiDoc::openapi());
    let limits = ServerLimits {
        head_timeout,
        max_connections_per_worker: max_connections,
        workers,
        shutdown_timeout_secs: 30,
    };
    let server = serve(listener, limits, move || {
        // Each worker batches the events it receives on its own thread: a request, its
        // batch and the answer never hop to another thread.
        let events = web::Data::new(EventIngester::start(state.pool.clone(), ingest_caps));
        App::new()
            .wrap(json_errors())
            .wrap(TracingLogger::<RequestSpan>::new())
            .wrap(actix_web::middleware::from_fn(record_http_metrics))
            .app_data(state.clone())
            .app_data(events)
            .app_data(readiness.clone())
            .app_data(body_limit)
            .app_data(body_timeout)
            .app_data(path_config())
            .app_data(allowed_methods.clone())
            .configure(health_routes)
            .configure(|c| routes::v1::configure(c, max_event_bytes))
            .configure(|c| crate::console::configure(c, console_policy.clone()))
    })?;
    Ok((server, ops))
}

/// Seals every webhook secret not yet sealed under the current key (rows from before
/// encryption, or of a key being rotated out), in batches, then stops. Replicas share
/// the work (`SKIP LOCKED`); a failure is logged and retried a minute later.
/// Cursors are signed with a key derived from the admin token, which every API process of
/// an installation shares; without one, with a key of this process only.
fn cursor_seal(settings: &Settings) -> CursorSeal {
    let admin_token = settings.api.admin_token.expose_secret();
    if admin_token.is_empty() {
        tracing::warn!("api.admin_token is empty: listing cursors are signed with a key of this process only, so a next_cursor works only against the API process that issued it");
        CursorSeal::random()
    } else {
        CursorSeal::from_secret(admin_token.as_bytes())
    }
}

fn spawn_resealer(pool: Pool, cipher: SecretCipher) {
    if !cipher.is_sealing() {
        return;
    }
    tokio::spawn(async move {
        let mut total = 0;
        loop {
            let batch = async {
                let mut client = pool.get().await.map_err(|e| e.to_string())?;
                WebhookRepo::reseal_batch(&mut client, &cipher, 500)
                    .await
                    .map_err(|e| ErrorChain(&e).to_string())
            }
            .await;
            match batch {
                Ok(0) => break,
                Ok(n) => total += n,
                Err(error) => {
                    tracing::error!(%error, "re-sealing secrets failed; retrying in 60 s");
                    tokio::time::sleep(std::time::Duration::from_secs(60)).await;
                }
            }
        }
        if total > 0 {
            tracing::info!(resealed = total, "secrets re-sealed");
        }
    });
}
