//! End-to-end delivery tests: the real API and dispatcher, PostgreSQL, RabbitMQ and HTTP
//! receivers on 127.0.0.1.

mod cloudevents;
mod conformance;
mod faults;
mod fifo;
mod flow;
mod helpers;
mod lifecycle;
mod operations;
mod pipeline;
mod plans;
mod retries;
mod signatures;
