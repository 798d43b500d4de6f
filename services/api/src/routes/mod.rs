//! HTTP routes, grouped per resource.

pub mod v1;
