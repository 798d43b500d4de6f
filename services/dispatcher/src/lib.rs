//! hookrelay-dispatcher: consumes delivery jobs, POSTs signed payloads, records every
//! attempt, schedules retries, and sweeps the outbox for jobs the broker lost.

pub mod attempt;
pub mod consumer;
pub mod loader;
pub mod parts;
pub mod recorder;
pub mod retention;
pub mod startup;
pub mod sweeper;
