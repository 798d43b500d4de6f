//! Repositories: one per table family, each owning its SQL.

pub mod api_keys;
pub mod callback_tokens;
pub mod deliveries;
pub mod events;
pub mod posts;
pub mod tenants;
pub mod webhooks;

pub use deadpool_postgres::GenericClient;
