//! PostgreSQL pool and schema migrations.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime, Timeouts};
use tokio_postgres::NoTls;

use crate::configuration::DatabaseSettings;

mod embedded {
    refinery::embed_migrations!("../../migrations");
}

/// Arbitrary but fixed key of the advisory lock that serialises migrations across replicas.
const MIGRATION_LOCK_KEY: i64 = 0x686f_6f6b_7265_6c01;

/// Why the database could not be reached or prepared.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("invalid database url")]
    Config(#[source] tokio_postgres::Error),
    #[error("could not build the connection pool")]
    Build(#[source] deadpool_postgres::BuildError),
    #[error("no database connection available")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error("database query failed")]
    Query(#[from] tokio_postgres::Error),
    #[error("migration failed")]
    Migration(#[from] refinery::Error),
    #[error("corrupt row")]
    Corrupt(#[from] hookrelay_domain::CorruptValue),
}

/// When a commit of a pool's connections returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitWait {
    /// Once its WAL is on disk: what an accepted event or a tenant's change needs.
    Flushed,
    /// Before its WAL is flushed (PostgreSQL flushes it within a few hundred ms). A crash
    /// can lose the last commits, never corrupt or half-apply one: for writes that are
    /// made again when lost. The dispatcher's are: an attempt result (a lost one leaves
    /// the delivery due, so the sweeper sends it again: a duplicate, never a loss), an
    /// automatic disable with its `webhook.disabled` event (lost together, redone on the
    /// next check), a retention delete (redone on the next pass). Saves a disk flush, and
    /// the wait for it, per result batch.
    Asynchronous,
}

/// Builds a pool; connections are opened lazily, so this never blocks on the network.
pub fn build_pool(settings: &DatabaseSettings, commit: CommitWait) -> Result<Pool, DbError> {
    build_pool_with(
        secrecy::ExposeSecret::expose_secret(&settings.url),
        settings.pool_size,
        settings.acquire_timeout_ms,
        commit,
    )
}

/// Builds a pool for an explicit URL (tests point it at their own database).
pub fn build_pool_for(url: &str, size: usize, acquire_timeout_ms: u64) -> Result<Pool, DbError> {
    build_pool_with(url, size, acquire_timeout_ms, CommitWait::Flushed)
}

fn build_pool_with(
    url: &str,
    size: usize,
    acquire_timeout_ms: u64,
    commit: CommitWait,
) -> Result<Pool, DbError> {
    let mut pg_config: tokio_postgres::Config = url.parse().map_err(DbError::Config)?;
    // Every hot statement is a keyed lookup or insert through an index. Plans are made
    // once per connection (`force_generic_plan`: PostgreSQL's default re-planned some of
    // them on every execution, ~20% of its CPU under load), and sequential scans are
    // priced out: a plan made while a table was still small (a fresh install, or a server
    // running without autovacuum's ANALYZE) must not stay a full scan once the table holds
    // millions of rows. Tables without a usable index are still scanned.
    // No parallel query either: every statement reads a few index entries, and starting
    // workers for it (a generic plan of the webhook log chose a Gather Merge) costs ~4 ms.
    const SESSION: &str = "-c plan_cache_mode=force_generic_plan -c enable_seqscan=off \
                           -c max_parallel_workers_per_gather=0";
    let commit_option = match commit {
        CommitWait::Flushed => "",
        CommitWait::Asynchronous => " -c synchronous_commit=off",
    };
    let options = match pg_config.get_options() {
        Some(given) => format!("{given} {SESSION}{commit_option}"),
        None => format!("{SESSION}{commit_option}"),
    };
    pg_config.options(&options);
    let manager = Manager::from_config(
        pg_config,
        NoTls,
        ManagerConfig {
            // Fast recycling: a broken connection surfaces as a query error and is dropped.
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(size)
        // Reuse the most recently returned connection: a few warm backends serve light
        // load instead of every backend being woken in turn.
        .queue_mode(deadpool_postgres::QueueMode::Lifo)
        .runtime(Runtime::Tokio1)
        .timeouts(Timeouts {
            wait: Some(Duration::from_millis(acquire_timeout_ms)),
            create: Some(Duration::from_secs(5)),
            recycle: Some(Duration::from_secs(5)),
        })
        .build()
        .map_err(DbError::Build)
}

/// Applies pending migrations. Safe when several replicas start at once: the runner holds a
/// session advisory lock, so the others wait and then find nothing left to do.
pub async fn migrate(pool: &Pool) -> Result<usize, DbError> {
    let mut client = pool.get().await?;
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK_KEY])
        .await?;
    let result = embedded::migrations::runner()
        .run_async(&mut **client)
        .await;
    // Unlock even when the run failed; a lost connection releases the lock by itself.
    let unlock = client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK_KEY])
        .await;
    let report = result?;
    unlock?;
    Ok(report.applied_migrations().len())
}

/// Cheap liveness query for readiness probes.
pub async fn ping(pool: &Pool) -> Result<(), DbError> {
    let client = pool.get().await?;
    client.simple_query("SELECT 1").await?;
    Ok(())
}
