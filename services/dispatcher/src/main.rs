//! `hookrelay-dispatcher`: consumes delivery jobs and POSTs signed payloads.

use std::net::TcpListener;

use hookrelay_core::configuration::Settings;
use hookrelay_core::http::{ops_server, postgres_check, Readiness};
use hookrelay_core::{db, shutdown, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = Settings::load()?;
    telemetry::init_tracing("hookrelay-dispatcher", &settings.telemetry);
    telemetry::init_metrics("dispatcher");
    let pool = db::build_pool(&settings.database)?;
    let stop = shutdown::on_signal();
    let listener = TcpListener::bind(settings.dispatcher.listen)?;
    tracing::info!(addr = %listener.local_addr()?, "hookrelay-dispatcher ops endpoint listening");
    let readiness = Readiness::default().with("postgres", postgres_check(pool.clone()));
    let server = ops_server(listener, readiness)?;
    let handle = server.handle();
    let server_task = tokio::spawn(server);
    stop.cancelled().await;
    handle.stop(true).await;
    server_task.await??;
    tracing::info!("hookrelay-dispatcher stopped");
    Ok(())
}
