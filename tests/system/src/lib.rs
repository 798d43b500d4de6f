//! hookrelay's whole-system tests, in `tests/`: they need every service at once, so they
//! live in a crate of their own rather than in whichever service can reach the others.
//!
//! - `publication_loop`: the n8n loop (posts, callbacks, signed callbacks, replays) with
//!   the API, a dispatcher and the ingester in process;
//! - `observability`: the three real binaries as processes (metrics, traces over OTLP,
//!   readiness through dependency outages);
//! - `console`: the web console in headless Chromium against the real API and
//!   dispatcher.
//!
//! `make test` (`cargo test --workspace --all-targets`) builds the binaries the
//! observability test starts; they are found beside the test executable.
