//! The one error type HTTP handlers return, mapped to `{"error": {"code", "message"}}` once.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use hookrelay_core::db::DbError;
use hookrelay_core::pagination::ListError;
use hookrelay_core::report::ErrorChain;
use hookrelay_domain::ValidationError;

/// A failure an HTTP caller sees. Infrastructure failures keep their source for the logs
/// and answer 503; nothing here answers 500.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("missing or invalid credentials")]
    Unauthorized,
    /// A signed request (a callback) whose signature does not hold: the message says
    /// which check failed.
    #[error("{0}")]
    BadSignature(String),
    /// Valid credentials that may not do this (a portal session writing, minting keys...).
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// The client did not send its whole body in time (a slow or stalled upload).
    #[error("the request body did not arrive within {secs} s")]
    BodyTimeout { secs: u64 },
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{field}: {message}")]
    Validation { field: String, message: String },
    /// A 422 that carries what the server found (e.g. the failed test send that stopped
    /// a `test_first` save).
    #[error("{}: {}", .0.field, .0.message)]
    Rejected(Box<Rejection>),
    #[error("too many requests; retry in {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("service temporarily unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// A 422 with what the server found.
#[derive(Debug)]
pub struct Rejection {
    pub code: &'static str,
    pub field: String,
    pub message: String,
    pub detail: serde_json::Value,
}

impl ApiError {
    /// A 422 `limit_reached`: one of the installation's caps (`limits.*`) is reached;
    /// `field` names what is capped.
    pub fn limit_reached(field: &str, message: impl Into<String>) -> Self {
        ApiError::Rejected(Box::new(Rejection {
            code: "limit_reached",
            field: field.to_string(),
            message: message.into(),
            detail: serde_json::Value::Null,
        }))
    }

    /// A 422 naming the offending field.
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A 400 with a specific code.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            code,
            message: message.into(),
        }
    }

    /// The machine-readable code of the body.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { code, .. } | ApiError::Conflict { code, .. } => code,
            ApiError::Rejected(r) => r.code,
            ApiError::TooManyRequests { .. } => "rate_limited",
            ApiError::Unauthorized => "unauthorized",
            ApiError::BadSignature(_) => "invalid_signature",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed(_) => "method_not_allowed",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::BodyTimeout { .. } => "request_timeout",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::Validation { .. } => "validation_failed",
            ApiError::Unavailable(_) => "service_unavailable",
        }
    }
}

impl From<ValidationError> for ApiError {
    fn from(e: ValidationError) -> Self {
        ApiError::validation(e.field, e.message)
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        ApiError::Unavailable(Box::new(e))
    }
}

impl From<ListError> for ApiError {
    fn from(e: ListError) -> Self {
        match e {
            ListError::Invalid(v) => v.into(),
            ListError::Db(db) => db.into(),
        }
    }
}

impl From<tokio_postgres::Error> for ApiError {
    fn from(e: tokio_postgres::Error) -> Self {
        ApiError::from(DbError::from(e))
    }
}

impl From<deadpool_postgres::PoolError> for ApiError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        ApiError::from(DbError::from(e))
    }
}

/// The JSON body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong, for machines (`code`) and people (`message`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `validation_failed`.
    pub code: String,
    pub message: String,
    /// The request field that failed validation, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What the server found, for some errors (e.g. the failed test of a `test_first` save).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub detail: Option<serde_json::Value>,
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized | ApiError::BadSignature(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::BodyTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation { .. } | ApiError::Rejected(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Unavailable(source) = self {
            tracing::error!(error = %ErrorChain(source.as_ref()), "infrastructure failure");
        }
        let (field, detail) = match self {
            ApiError::Validation { field, .. } => (Some(field.clone()), None),
            ApiError::Rejected(r) => (Some(r.field.clone()), Some(r.detail.clone())),
            _ => (None, None),
        };
        let mut response = HttpResponse::build(self.status_code());
        match self {
            ApiError::Unauthorized => {
                response.insert_header(("www-authenticate", "Bearer"));
            }
            ApiError::TooManyRequests { retry_after_secs } => {
                response.insert_header(("retry-after", retry_after_secs.to_string()));
            }
            // The rest of the body is not read: the connection cannot be reused.
            ApiError::BodyTimeout { .. } => {
                response.force_close();
            }
            _ => {}
        }
        response.json(ErrorBody {
            error: ErrorDetail {
                code: self.code().to_string(),
                message: self.to_string(),
                field,
                detail,
            },
        })
    }
}
