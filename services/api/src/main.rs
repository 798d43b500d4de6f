//! `hookrelay-api [serve|migrate|openapi]`

use anyhow::Context;
use hookrelay_api::startup::Application;
use hookrelay_core::configuration::Settings;
use hookrelay_core::{db, telemetry};

/// mimalloc instead of glibc malloc: the per-request allocations of the hot path were
/// ~15% of this service's CPU under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let command = std::env::args().nth(1).unwrap_or_else(|| "serve".into());
    // The document the clients are generated from: no settings, database or network.
    if command == "openapi" {
        println!(
            "{}",
            serde_json::to_string_pretty(&hookrelay_api::openapi::document())?
        );
        return Ok(());
    }
    let settings = Settings::load()?;
    let _tracing = telemetry::init_tracing("hookrelay-api", &settings.telemetry)?;
    let pool = db::build_pool(&settings.database, db::CommitWait::Flushed)?;
    match command.as_str() {
        "migrate" => {
            let applied = db::migrate(&pool).await.context("migrating the database")?;
            tracing::info!(applied, "migrations done");
            println!("migrations applied: {applied}");
        }
        "serve" => {
            if settings.api.migrate_on_start {
                let applied = db::migrate(&pool).await.context("migrating the database")?;
                tracing::info!(applied, "migrations done");
            }
            let app = Application::build(settings, pool)?;
            tracing::info!(port = app.port(), "hookrelay-api listening");
            app.run_until_stopped().await?;
        }
        other => anyhow::bail!("unknown command `{other}`; use `serve`, `migrate` or `openapi`"),
    }
    Ok(())
}
