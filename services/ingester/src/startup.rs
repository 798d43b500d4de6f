//! Builds and runs the ingester's HTTP server.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{web, App};
use deadpool_postgres::Pool;
use hookrelay_core::configuration::Settings;
use hookrelay_core::outbox::Outbox;
use hookrelay_core::secrets::SecretCipher;
use hookrelay_web::extract::BodyReadTimeout;
use hookrelay_web::http::{
    amqp_check, health_routes, json_errors, ops_server, path_config, postgres_check,
    record_http_metrics, serve_with_ops, MetricsAccess, Readiness,
};
use hookrelay_web::limits::{AuthFailures, KeyedLimit};
use hookrelay_web::openapi::AllowedMethods;
use hookrelay_web::server::{serve, ServerLimits};
use utoipa::OpenApi;

use crate::callbacks;
use crate::openapi::IngesterDoc;
use crate::state::IngesterState;

/// A bound, not yet running ingester.
pub struct Application {
    port: u16,
    ops_port: u16,
    server: Server,
    ops: Server,
}

impl Application {
    /// Binds `ingester.listen` and `ingester.ops_listen` (port 0 picks a free port).
    pub fn build(settings: &Settings, pool: Pool) -> std::io::Result<Self> {
        hookrelay_core::telemetry::init_metrics("ingester");
        hookrelay_core::telemetry::spawn_pool_gauges(pool.clone());
        metrics::counter!("hookrelay_callbacks_total", "outcome" => "accepted", "reason" => "applied")
            .increment(0);
        let listener = TcpListener::bind(settings.ingester.listen)?;
        let port = listener.local_addr()?.port();
        let ops_listener = TcpListener::bind(settings.ingester.ops_listen)?;
        let ops_port = ops_listener.local_addr()?.port();
        let publisher = settings
            .amqp
            .publisher(&settings.delivery.retry_schedule_secs)
            .map_err(std::io::Error::other)?;
        let readiness = Readiness::default()
            .with("postgres", postgres_check(pool.clone()))
            .with("rabbitmq", amqp_check(publisher.clone()));
        let ops = ops_server(
            ops_listener,
            readiness.clone(),
            MetricsAccess::new(&settings.telemetry),
        )?;
        let readiness = web::Data::new(readiness);
        let state = web::Data::from(Arc::new(IngesterState {
            pool,
            outbox: Outbox::new(publisher),
            max_body_bytes: settings.ingester.max_body_bytes,
            per_url: KeyedLimit::per_second(
                settings.limits.callbacks_per_second_per_url,
                settings.limits.burst_secs,
            ),
            auth_failures: AuthFailures::per_minute(
                settings.limits.failed_auth_per_minute_per_address,
            ),
            cipher: SecretCipher::from_keys(&settings.secrets.keys)
                .map_err(std::io::Error::other)?,
        }));
        let body_timeout = BodyReadTimeout(settings.http.body_timeout());
        let allowed_methods = AllowedMethods::from_openapi(&IngesterDoc::openapi());
        let limits = ServerLimits {
            head_timeout: settings.http.head_timeout(),
            max_connections_per_worker: settings.http.max_connections_per_worker,
            workers: settings.http.workers,
            shutdown_timeout_secs: 30,
        };
        let server = serve(listener, limits, move || {
            App::new()
                .wrap(json_errors())
                .wrap(actix_web::middleware::from_fn(record_http_metrics))
                .app_data(state.clone())
                .app_data(readiness.clone())
                .app_data(path_config())
                .app_data(body_timeout)
                .app_data(allowed_methods.clone())
                .configure(health_routes)
                .route("/v1/openapi.json", web::get().to(crate::openapi::serve))
                .service(
                    web::resource("/v1/callbacks/{token}")
                        .route(web::post().to(callbacks::receive)),
                )
        })?;
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

    /// Serves until SIGTERM/SIGINT.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        serve_with_ops(self.server, self.ops).await
    }
}
