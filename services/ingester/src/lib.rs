//! hookrelay-ingester: the public endpoint where workflows (e.g. n8n) report what became
//! of a scheduled post.

pub mod callbacks;
pub mod openapi;
pub mod startup;
