//! The API's application layer: what handlers call when a request needs more than one
//! repository call and a mapping (handlers stay parse -> call -> map, and never call each
//! other): the strict event-type check with its compiled schemas ([`strict`]), test
//! sends ([`test_sends`]), the CloudEvents handshake ([`handshakes`]), live log streams
//! ([`log_streams`]) and creating a webhook ([`webhooks`]).

pub mod handshakes;
pub mod log_streams;
pub mod strict;
pub mod test_sends;
pub mod webhooks;
