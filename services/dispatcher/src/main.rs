//! `hookrelay-dispatcher`: consumes delivery jobs and POSTs signed payloads.

use hookrelay_core::configuration::Settings;
use hookrelay_core::{db, shutdown, telemetry};
use hookrelay_dispatcher::startup::Dispatcher;

/// mimalloc instead of glibc malloc: the per-request allocations of the hot path were
/// ~15% of this service's CPU under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// One thread: every job hops between the consumer, the context loader, the HTTP client
/// and the recorder, and on one thread those hops cost no cross-thread wake-ups
/// (measured: 0.15 -> 0.08 ms of CPU per delivery, fan-out 4,700 -> 5,900 deliveries/s).
#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let settings = Settings::load()?;
    let _tracing = telemetry::init_tracing("hookrelay-dispatcher", &settings.telemetry)?;
    let pool = db::build_pool(&settings.database, db::CommitWait::Asynchronous)?;
    let stop = shutdown::on_signal();
    let dispatcher = Dispatcher::start(settings, pool, stop)?;
    tracing::info!(
        ops_port = dispatcher.ops_port,
        "hookrelay-dispatcher started"
    );
    dispatcher.wait().await?;
    tracing::info!("hookrelay-dispatcher stopped");
    Ok(())
}
