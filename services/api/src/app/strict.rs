//! Strict event types: an event's type must be in the tenant's catalogue and its data must
//! satisfy the type's schema. Schemas are compiled once per (tenant, type, version) and
//! kept in a bounded cache; compiled patterns match in linear time (see
//! `hookrelay_domain::EventSchema`), so no event can hold a request thread for long.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use hookrelay_core::repo::event_types::EventTypeRepo;
use hookrelay_core::repo::GenericClient;
use hookrelay_domain::{EventSchema, EventType, ValidationError};
use hookrelay_web::error::ApiError;

/// Compiled schemas kept at most (the least used go first).
const CACHED_SCHEMAS: u64 = 10_000;

/// One type's schema as compiled at one version (`updated_at`); a schema stored before
/// patterns were restricted may fail to compile, which the events of that type are told.
struct Compiled {
    updated_at: DateTime<Utc>,
    schema: Result<Arc<EventSchema>, ValidationError>,
}

/// The strict check with its cache of compiled schemas.
#[derive(Clone)]
pub struct StrictTypes {
    compiled: moka::sync::Cache<(Uuid, String), Arc<Compiled>>,
}

impl Default for StrictTypes {
    fn default() -> Self {
        Self {
            compiled: moka::sync::Cache::new(CACHED_SCHEMAS),
        }
    }
}

impl StrictTypes {
    /// Refuses (422) an event whose type is not registered or whose data fails the type's
    /// schema.
    pub async fn check(
        &self,
        client: &impl GenericClient,
        tenant_id: Uuid,
        event_type: &EventType,
        data: &serde_json::Value,
    ) -> Result<(), ApiError> {
        let entry = EventTypeRepo::get(client, tenant_id, event_type.as_str()).await?;
        let Some(entry) = entry.filter(|e| e.registered) else {
            return Err(ApiError::validation(
                "event_type",
                "is not a registered event type (this tenant has strict_event_types on)",
            ));
        };
        let Some(schema) = &entry.schema else {
            return Ok(());
        };
        let key = (tenant_id, entry.name.clone());
        let compiled = match self.compiled.get(&key) {
            Some(c) if c.updated_at == entry.updated_at => c,
            _ => {
                let c = Arc::new(Compiled {
                    updated_at: entry.updated_at,
                    schema: EventSchema::compile("schema", schema).map(Arc::new),
                });
                self.compiled.insert(key, Arc::clone(&c));
                c
            }
        };
        let schema = compiled.schema.as_ref().map_err(|e| {
            ApiError::validation(
                "event_type",
                format!(
                    "cannot be checked: the stored schema of {} {}; update the event type",
                    entry.name, e.message
                ),
            )
        })?;
        schema.check(data).map_err(|v| {
            ApiError::validation(
                "data",
                format!(
                    "does not satisfy the schema of {}: {} (at `{}`)",
                    entry.name, v.message, v.instance_path
                ),
            )
        })
    }
}
