//! Request extractors that turn every kind of bad input into a structured [`ApiError`].
//!
//! actix's own `Json`/`Query` answer with plain-text errors and cannot name the failing
//! field; these read the body with a size limit, check its content type, and report
//! syntax errors as 400 and type errors as 422 with the JSON path of the field.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use futures::StreamExt;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Largest body a route accepts; set with `app_data` on the app or on one resource.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// How long a client has to send its whole body; set with `app_data`. Without it, a
/// client sending a byte now and then would hold its connection and worker slot forever.
#[derive(Debug, Clone, Copy)]
pub struct BodyReadTimeout(pub std::time::Duration);

/// Used when no [`BodyReadTimeout`] is registered.
const DEFAULT_BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Used when no [`BodyLimit`] is registered.
const DEFAULT_LIMIT: usize = 64 * 1024;

/// A JSON request body deserialised into `T`.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

/// The raw bytes of a JSON request body, size- and content-type-checked.
#[derive(Debug)]
pub struct RawJson(pub bytes::Bytes);

fn is_json_content_type(req: &HttpRequest) -> bool {
    let Some(value) = req.headers().get(header::CONTENT_TYPE) else {
        return false;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let mime = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// Reads a JSON body: checks the content type, enforces `limit` (413), returns the bytes.
pub async fn read_limited(
    req: HttpRequest,
    mut payload: Payload,
    limit: usize,
) -> Result<bytes::Bytes, ApiError> {
    if !is_json_content_type(&req) {
        return Err(ApiError::UnsupportedMediaType(
            "content-type must be application/json".into(),
        ));
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    let timeout = req
        .app_data::<BodyReadTimeout>()
        .map_or(DEFAULT_BODY_TIMEOUT, |t| t.0);
    let read = async {
        let mut body = bytes::BytesMut::with_capacity(declared.unwrap_or(1024).min(limit));
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| ApiError::bad_request("bad_body", e.to_string()))?;
            if body.len() + chunk.len() > limit {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    };
    tokio::time::timeout(timeout, read)
        .await
        .map_err(|_| ApiError::BodyTimeout {
            secs: timeout.as_secs_f64().ceil() as u64,
        })?
}

fn limit_of(req: &HttpRequest) -> usize {
    req.app_data::<BodyLimit>()
        .map(|l| l.0)
        .unwrap_or(DEFAULT_LIMIT)
}

/// Deserialises JSON bytes, mapping syntax errors to 400 and shape errors to 422. Every
/// body is an object: serde would also fill a struct from an array by position (`["x"]`
/// renamed a webhook), so a top-level array is a 422.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(ApiError::validation("body", "must be a JSON object"));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let parsed = serde_path_to_error::deserialize(&mut de);
    let value: T = match parsed {
        Ok(value) => value,
        // JSON Schema counts `5.0` as an integer, serde does not: read such numbers as
        // the integers they are (only on this rare path, so the usual parse stays one pass).
        Err(e)
            if e.inner()
                .to_string()
                .starts_with("invalid type: floating point") =>
        {
            let mut loose: serde_json::Value = serde_json::from_slice(body)
                .map_err(|e| ApiError::bad_request("malformed_json", e.to_string()))?;
            integral_floats_to_integers(&mut loose);
            return serde_path_to_error::deserialize(loose).map_err(json_error);
        }
        // serde_json reports some shape errors as syntax (a number where an enum's name
        // belongs: "expected value"): when the body is valid JSON, read it again as a value,
        // which names the field.
        Err(e) if e.inner().classify() == serde_json::error::Category::Syntax => {
            let Ok(loose) = serde_json::from_slice::<serde_json::Value>(body) else {
                return Err(json_error(e));
            };
            return serde_path_to_error::deserialize(loose).map_err(json_error);
        }
        Err(e) => return Err(json_error(e)),
    };
    de.end()
        .map_err(|e| ApiError::bad_request("malformed_json", e.to_string()))?;
    Ok(value)
}

/// Rewrites every number with no fractional part (`5.0`, `1e3`) as an integer.
fn integral_floats_to_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64() {
                if f.fract() == 0.0 && f.abs() < 9.0e15 {
                    // Exact: |f| < 2^53, and the cast truncates nothing.
                    *value = Value::from(f as i64);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_to_integers),
        Value::Object(map) => map.values_mut().for_each(integral_floats_to_integers),
        _ => {}
    }
}

fn json_error(err: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    use serde_json::error::Category;
    let path = err.path().to_string();
    let inner = err.into_inner();
    match inner.classify() {
        Category::Data => {
            let message = inner.to_string();
            let missing = message
                .strip_prefix("missing field `")
                .and_then(|rest| rest.split('`').next());
            let field = match (path.as_str(), missing) {
                (".", Some(name)) => name.to_string(),
                (".", None) => "body".to_string(),
                (_, Some(name)) => format!("{path}.{name}"),
                _ => path,
            };
            ApiError::validation(field, strip_position(&inner.to_string()))
        }
        Category::Syntax | Category::Eof | Category::Io => {
            ApiError::bad_request("malformed_json", format!("malformed JSON: {inner}"))
        }
    }
}

/// serde_json appends " at line 1 column 7"; the field name is more useful than that.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = payload.take();
        Box::pin(async move {
            let limit = limit_of(&req);
            let body = read_limited(req, payload, limit).await?;
            parse_json(&body).map(JsonBody)
        })
    }
}

impl FromRequest for RawJson {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = payload.take();
        Box::pin(async move {
            let limit = limit_of(&req);
            read_limited(req, payload, limit).await.map(RawJson)
        })
    }
}

/// Query-string parameters deserialised into `T`; a bad one is a 422 naming it.
#[derive(Debug)]
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned> FromRequest for QueryParams<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parsed = form_urlencoded_parse::<T>(req.query_string()).map(QueryParams);
        std::future::ready(parsed)
    }
}

fn form_urlencoded_parse<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    // PostgreSQL text cannot hold NUL: a filter with one is the caller's error, not a 503.
    if let Some((name, _)) = url::form_urlencoded::parse(query.as_bytes())
        .find(|(name, value)| name.contains('\0') || value.contains('\0'))
    {
        return Err(ApiError::validation(
            name.replace('\0', ""),
            "must not contain NUL characters",
        ));
    }
    let de = serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner().to_string();
        // serde names unknown parameters in the message rather than the path.
        let field = if path == "." {
            "query".to_string()
        } else {
            path
        };
        ApiError::validation(field, inner)
    })
}

/// For PATCH bodies: an optional field that, when present, must not be `null`. Checked
/// here rather than left to `T`: serde_json reports a `null` where an enum was expected as
/// a syntax error, which would be a 400 "malformed JSON" instead of a 422 naming the field.
pub fn not_null<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    match <Option<T> as serde::Deserialize>::deserialize(d)? {
        Some(value) => Ok(Some(value)),
        None => Err(serde::de::Error::custom("must not be null")),
    }
}

/// For PATCH bodies: tells an explicit `null` (`Some(None)`, clear it) from an absent
/// field (`None`, leave it).
pub fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

/// Longest accepted `Idempotency-Key`.
const IDEMPOTENCY_KEY_MAX: usize = 255;

/// The request's `Idempotency-Key` (events and posts): a retried request with the same key
/// gets the first one's answer and creates nothing.
pub fn idempotency_key(
    req: &actix_web::HttpRequest,
) -> Result<Option<String>, hookrelay_domain::ValidationError> {
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let field = "Idempotency-Key";
    let key = value
        .to_str()
        .map_err(|_| hookrelay_domain::ValidationError::new(field, "must be visible ASCII"))?;
    if key.is_empty() || key.len() > IDEMPOTENCY_KEY_MAX {
        return Err(hookrelay_domain::ValidationError::new(
            field,
            format!("must be 1 to {IDEMPOTENCY_KEY_MAX} characters"),
        ));
    }
    Ok(Some(key.to_string()))
}
