//! `hookrelay-ingester`: receives workflow callbacks.

use hookrelay_core::configuration::Settings;
use hookrelay_core::{db, telemetry};
use hookrelay_ingester::startup::Application;

/// mimalloc instead of glibc malloc: the per-request allocations of the hot path were
/// ~15% of this service's CPU under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let settings = Settings::load()?;
    let _tracing = telemetry::init_tracing("hookrelay-ingester", &settings.telemetry)?;
    let pool = db::build_pool(&settings.database, db::CommitWait::Flushed)?;
    let app = Application::build(&settings, pool)?;
    tracing::info!(port = app.port(), "hookrelay-ingester listening");
    app.run_until_stopped().await?;
    tracing::info!("hookrelay-ingester stopped");
    Ok(())
}
