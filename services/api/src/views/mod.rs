//! Response types more than one route answers with, and where stored names become the
//! API's: routes import these, never each other.

pub mod api_keys;
pub mod attempts;
pub mod deliveries;
