//! The REST API as the CLI calls it: one request helper that turns every answer that is
//! not 2xx into a [`CliError`] carrying the API's structured error, so each command is a
//! call and a print.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;

/// Why a command failed, and the exit code that says so to scripts.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The API refused the request (4xx): its `{"error": {code, message, field}}`.
    #[error("{code}: {message}{}", field.as_deref().map(|f| format!(" (field {f})")).unwrap_or_default())]
    Refused {
        status: StatusCode,
        code: String,
        message: String,
        field: Option<String>,
    },
    /// The API failed (5xx).
    #[error("the API failed ({status}): {message}")]
    Failed { status: StatusCode, message: String },
    /// No answer: wrong URL, or the API is down.
    #[error("could not reach {url}")]
    Unreachable {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    /// The answer was not what the API documents.
    #[error("unexpected answer: {0}")]
    Unexpected(String),
    /// The command did its job and the outcome is a failure (a test send the receiver
    /// refused, a replay that failed).
    #[error("{0}")]
    Outcome(String),
}

impl CliError {
    /// 1: refused (4xx); 3: unreachable; 4: the API failed (5xx) or answered oddly;
    /// 5: the outcome was a failure. (2 is clap's: bad usage.)
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Refused { .. } => 1,
            CliError::Unreachable { .. } => 3,
            CliError::Failed { .. } | CliError::Unexpected(_) => 4,
            CliError::Outcome(_) => 5,
        }
    }
}

/// A client of one hookrelay API with one token.
pub struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    pub fn new(base: &str, token: &str) -> Result<Self, CliError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("hookrelay-cli/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| CliError::Unexpected(e.to_string()))?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
        })
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
    }

    /// Sends `request`; the JSON body of a 2xx (null for 204), else the error.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Result<Value, CliError> {
        let response = request
            .send()
            .await
            .map_err(|source| CliError::Unreachable {
                url: self.base.clone(),
                source,
            })?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|source| CliError::Unreachable {
                url: self.base.clone(),
                source,
            })?;
        if status.is_success() {
            return if text.is_empty() {
                Ok(Value::Null)
            } else {
                serde_json::from_str(&text).map_err(|e| CliError::Unexpected(e.to_string()))
            };
        }
        let error = serde_json::from_str::<Value>(&text)
            .ok()
            .map(|v| v["error"].clone())
            .filter(Value::is_object);
        let message = error
            .as_ref()
            .and_then(|e| e["message"].as_str())
            .map(String::from)
            .unwrap_or_else(|| text.chars().take(200).collect());
        if status.is_server_error() {
            return Err(CliError::Failed { status, message });
        }
        Err(CliError::Refused {
            status,
            code: error
                .as_ref()
                .and_then(|e| e["code"].as_str())
                .unwrap_or("http_error")
                .to_string(),
            message,
            field: error.and_then(|e| e["field"].as_str().map(String::from)),
        })
    }

    pub async fn get(&self, path: &str) -> Result<Value, CliError> {
        self.send(self.request(Method::GET, path)).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Result<Value, CliError> {
        self.send(self.request(Method::POST, path).json(body)).await
    }
}

/// `?k=v&...` of the given pairs (absent values left out), percent-encoded.
pub fn query(pairs: &[(&str, Option<String>)]) -> String {
    let mut url = reqwest::Url::parse("http://x/").expect("a valid base");
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in pairs {
            if let Some(v) = v {
                q.append_pair(k, v);
            }
        }
    }
    url.query().map(|q| format!("?{q}")).unwrap_or_default()
}
