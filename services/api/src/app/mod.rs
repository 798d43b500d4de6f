//! The API's application layer: what handlers call when a request needs more than one
//! repository call and a mapping (handlers stay parse -> call -> map, and never call each
//! other).

pub mod test_sends;
pub mod webhooks;
