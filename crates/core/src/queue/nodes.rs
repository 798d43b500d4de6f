//! The RabbitMQ nodes to connect to, and moving on to the next when one is lost.

use std::sync::Arc;
use std::time::Duration;

use lapin::{Connection, ConnectionProperties};

use super::QueueError;

/// The RabbitMQ nodes to connect to: one URL, or several separated by commas (the nodes
/// of a cluster). A connection goes to the node that last worked and moves on to the next
/// one when it cannot be reached, so losing a node costs one reconnect.
#[derive(Clone)]
pub struct BrokerNodes {
    urls: Arc<[String]>,
    /// Index of the node that last accepted a connection (shared by clones).
    preferred: Arc<std::sync::atomic::AtomicUsize>,
}

/// A broker address list that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BrokerNodesError(String);

impl BrokerNodes {
    /// Parses `amqp://...` or `amqp://a,amqp://b,...`; each must be amqp:// or amqps://.
    pub fn parse(list: &str) -> Result<Self, BrokerNodesError> {
        let urls: Vec<String> = list
            .split(',')
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_string)
            .collect();
        if urls.is_empty() {
            return Err(BrokerNodesError("names no broker".into()));
        }
        for (i, url) in urls.iter().enumerate() {
            if !url.starts_with("amqp://") && !url.starts_with("amqps://") {
                return Err(BrokerNodesError(format!(
                    "node {} must start with amqp:// or amqps://",
                    i + 1
                )));
            }
        }
        Ok(Self {
            urls: urls.into(),
            preferred: Arc::default(),
        })
    }

    /// Opens a connection to the first node that answers, starting with the one that last
    /// did; each node gets `timeout`.
    pub async fn connect(&self, timeout: Duration) -> Result<Connection, QueueError> {
        use std::sync::atomic::Ordering;
        let first = self.preferred.load(Ordering::Relaxed);
        let mut last_error = QueueError::ConnectTimeout;
        for offset in 0..self.urls.len() {
            let i = (first + offset) % self.urls.len();
            match connect(&self.urls[i], timeout).await {
                Ok(connection) => {
                    if i != first {
                        tracing::info!(
                            node = i + 1,
                            nodes = self.urls.len(),
                            "connected to another RabbitMQ node"
                        );
                    }
                    self.preferred.store(i, Ordering::Relaxed);
                    return Ok(connection);
                }
                Err(e) => last_error = e,
            }
        }
        Err(last_error)
    }
}

/// Host and port only: the URLs carry credentials.
impl std::fmt::Debug for BrokerNodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hosts: Vec<String> = self
            .urls
            .iter()
            .map(|u| match url::Url::parse(u) {
                Ok(parsed) => {
                    let default_port = if parsed.scheme() == "amqps" {
                        5671
                    } else {
                        5672
                    };
                    format!(
                        "{}:{}",
                        parsed.host_str().unwrap_or("?"),
                        parsed.port().unwrap_or(default_port)
                    )
                }
                Err(_) => "?".to_string(),
            })
            .collect();
        f.debug_tuple("BrokerNodes").field(&hosts).finish()
    }
}

/// Opens a connection to one URL, giving up after `timeout`.
async fn connect(url: &str, timeout: Duration) -> Result<Connection, QueueError> {
    let connecting = Connection::connect(url, ConnectionProperties::default());
    match tokio::time::timeout(timeout, connecting).await {
        Ok(conn) => Ok(conn?),
        Err(_) => Err(QueueError::ConnectTimeout),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broker_lists_parse_and_hide_their_credentials() {
        let one = BrokerNodes::parse("amqp://u:secret@h1/%2f").expect("one node");
        assert_eq!(format!("{one:?}"), r#"BrokerNodes(["h1:5672"])"#);
        let three = BrokerNodes::parse(
            "amqp://u:secret@h1:5681/%2f, amqp://u:secret@h2:5682/%2f,amqps://u:secret@h3/%2f",
        )
        .expect("three nodes");
        let shown = format!("{three:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert_eq!(shown, r#"BrokerNodes(["h1:5681", "h2:5682", "h3:5671"])"#);
        assert!(BrokerNodes::parse("").is_err());
        assert!(BrokerNodes::parse(" , ").is_err());
        let err = BrokerNodes::parse("amqp://h1,http://h2").expect_err("bad scheme");
        assert!(err.to_string().contains("node 2"), "{err}");
    }
}
