//! What the API's and the ingester's OpenAPI documents share.

use utoipa::Modify;

/// A documented error answer: `description` with an `ErrorBody`.
pub fn error_response(description: &str) -> utoipa::openapi::Response {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
}

/// Answers any operation can give, added where an operation does not list them itself:
/// 401 (no or bad credentials), 429 (a rate limit, with `Retry-After`), 503 (PostgreSQL or
/// RabbitMQ unreachable), and for operations with a body 400, 408, 413 and 415.
pub struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let always = [
            ("401", "`unauthorized`: no credentials, or not valid ones"),
            (
                "429",
                "`rate_limited`: over a rate limit; `Retry-After` says when to retry",
            ),
            (
                "503",
                "`unavailable`: a dependency (PostgreSQL, RabbitMQ) cannot be reached",
            ),
        ];
        let with_body = [
            ("400", "malformed JSON"),
            ("408", "`request_timeout`: the body did not arrive in time"),
            ("413", "`payload_too_large`: the body is over the limit"),
            (
                "415",
                "`unsupported_media_type`: the body is not `application/json`",
            ),
        ];
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                item.get.as_mut(),
                item.post.as_mut(),
                item.put.as_mut(),
                item.patch.as_mut(),
                item.delete.as_mut(),
            ];
            for op in operations.into_iter().flatten() {
                let has_body = op.request_body.is_some();
                let extra = always.iter().chain(with_body.iter().filter(|_| has_body));
                for (status, description) in extra {
                    op.responses
                        .responses
                        .entry((*status).to_string())
                        .or_insert_with(|| error_response(description).into());
                }
            }
        }
    }
}

/// The methods each documented route answers, for the `Allow` header of a 405; taken from
/// the OpenAPI document so that it cannot drift from the routes it documents. Register it
/// with `app_data`; [`crate::http::json_errors`] reads it.
#[derive(Debug, Clone, Default)]
pub struct AllowedMethods(std::sync::Arc<std::collections::HashMap<String, String>>);

impl AllowedMethods {
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        let allowed = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods: Vec<&str> = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter_map(|(method, present)| present.then_some(method))
                .collect();
                (path.clone(), methods.join(", "))
            })
            .collect();
        Self(std::sync::Arc::new(allowed))
    }

    /// `GET, PATCH, ...` for a route pattern (`/v1/webhooks/{id}`), if it is documented.
    pub fn of(&self, pattern: &str) -> Option<&str> {
        self.0.get(pattern).map(String::as_str)
    }
}
