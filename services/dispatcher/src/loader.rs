//! Loads the dispatch context of many jobs with one query: each job task asks for its
//! delivery and a [`Batcher`] answers every request waiting at that moment from a single
//! `load_for_dispatch`.

use std::collections::HashMap;
use std::sync::Arc;

use deadpool_postgres::Pool;
use hookrelay_core::batch::{Batcher, BatcherStopped};
use hookrelay_core::db::DbError;
use hookrelay_core::repo::deliveries::DeliveryRepo;
use hookrelay_core::secrets::SecretCipher;
use hookrelay_domain::delivery::DispatchContext;
use tracing::Instrument;
use uuid::Uuid;

/// Why a context could not be loaded; a database failure is shared by every job of the
/// failed batch.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LoadError {
    #[error("loading the delivery failed")]
    Database(#[source] Arc<DbError>),
    #[error("the context loader has stopped")]
    Stopped(#[from] BatcherStopped),
}

type Loaded = Result<Option<DispatchContext>, LoadError>;

/// Handle to the batching loader; cheap to clone into every job task.
#[derive(Clone)]
pub struct ContextLoader {
    batcher: Batcher<(Uuid, tracing::Span), Loaded>,
}

impl ContextLoader {
    /// Starts the loader: at most `max_batch` ids per query, `max_queries` queries at once.
    pub fn start(
        pool: Pool,
        cipher: SecretCipher,
        max_batch: usize,
        max_queries: usize,
    ) -> ContextLoader {
        let cipher = Arc::new(cipher);
        let batcher = Batcher::start(max_batch, max_queries, move |batch| {
            let pool = pool.clone();
            let cipher = cipher.clone();
            async move { load(&pool, &cipher, batch).await }
        });
        ContextLoader { batcher }
    }

    /// The dispatch context of one delivery (`None`: the delivery does not exist).
    pub async fn load(&self, id: Uuid) -> Loaded {
        self.batcher
            .call((id, tracing::Span::current()))
            .await
            .unwrap_or_else(|stopped| Err(stopped.into()))
    }
}

async fn load(
    pool: &Pool,
    cipher: &SecretCipher,
    batch: Vec<(Uuid, tracing::Span)>,
) -> Vec<Loaded> {
    let ids: Vec<Uuid> = batch.iter().map(|(id, _)| *id).collect();
    // The query serves every job of the batch; its span is a child of the first one's.
    let span = batch[0].1.clone();
    let loaded = async {
        let client = pool.get().await.map_err(DbError::from)?;
        DeliveryRepo::load_for_dispatch(&client, &ids, cipher)
            .await
            .map_err(DbError::from)
    }
    .instrument(span)
    .await;
    match loaded {
        Ok(rows) => {
            let mut by_id: HashMap<Uuid, DispatchContext> =
                rows.into_iter().map(|c| (c.delivery_id, c)).collect();
            ids.iter().map(|id| Ok(by_id.remove(id))).collect()
        }
        Err(error) => {
            let error = LoadError::Database(Arc::new(error));
            ids.iter().map(|_| Err(error.clone())).collect()
        }
    }
}
