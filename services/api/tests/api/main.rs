//! Integration tests of hookrelay-api: the real server on a random port, a fresh database
//! per test.

mod asyncapi;
mod auth;
mod client_input;
mod console;
mod contract;
mod event_types;
mod events;
mod flow;
mod helpers;
mod limits;
mod migrations;
mod openapi;
mod ordering;
mod portal;
mod secrets;
mod webhooks;
