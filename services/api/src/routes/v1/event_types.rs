//! `/v1/event-types`: the tenant's catalogue of event types — description, group, JSON
//! Schema of `data`, example `data`, deprecation. Types seen in events appear by
//! themselves; with `strict_event_types` only registered types are accepted.

use actix_web::{guard, web, HttpResponse};
use chrono::{DateTime, Utc};
use hookrelay_core::pagination::page_limit;
use hookrelay_core::repo::event_types::{
    EventTypeFields, EventTypeListQuery, EventTypePatch, EventTypeRecord, EventTypeRepo,
};
use hookrelay_core::repo::GenericClient;
use hookrelay_domain::{display_name, presets, EventSchema, EventType, ValidationError};
use hookrelay_web::error::{ApiError, ErrorBody};
use hookrelay_web::extract::{present, JsonBody, QueryParams};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::TenantAuth;
use crate::state::AppState;

/// Longest description of a type.
const DESCRIPTION_MAX: usize = 500;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/event-types")
            .route(web::get().to(list_event_types))
            .route(web::post().to(create_event_type)),
    )
    .service(
        // `import` shares the resource so that an event type named "import" can still be
        // read, changed and deleted; only POST goes to the preset import.
        web::resource("/event-types/{name}")
            .route(
                web::post()
                    .guard(guard::fn_guard(|ctx| {
                        ctx.head().uri.path().ends_with("/event-types/import")
                    }))
                    .to(import_preset),
            )
            .route(web::get().to(get_event_type))
            .route(web::patch().to(update_event_type))
            .route(web::delete().to(delete_event_type)),
    );
}

/// Body of `POST /v1/event-types`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEventTypeRequest {
    /// The event type, as events name it.
    #[schema(value_type = hookrelay_domain::schema::EventTypeName)]
    pub name: String,
    /// At most 500 characters.
    pub description: Option<String>,
    /// A heading to group types under (e.g. "Publishing"), 1-200 characters.
    pub group: Option<String>,
    /// JSON Schema (draft 2020-12 by default) that `data` must satisfy in strict mode.
    #[schema(value_type = Option<Value>)]
    pub schema: Option<serde_json::Value>,
    /// Example `data`, used by test sends; must satisfy `schema`.
    #[schema(value_type = Option<Value>)]
    pub example: Option<serde_json::Value>,
    #[serde(default)]
    pub deprecated: bool,
}

/// Body of `PATCH /v1/event-types/{name}`: only the fields given change; `null` clears.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateEventTypeRequest {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub group: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Value>)]
    pub schema: Option<Option<serde_json::Value>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Value>)]
    pub example: Option<Option<serde_json::Value>>,
    pub deprecated: Option<bool>,
}

/// A catalogue entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventTypeResponse {
    pub name: String,
    pub description: Option<String>,
    pub group: Option<String>,
    #[schema(value_type = Option<Value>)]
    pub schema: Option<serde_json::Value>,
    #[schema(value_type = Option<Value>)]
    pub example: Option<serde_json::Value>,
    pub deprecated: bool,
    /// Registered through the API; false for types only seen in events.
    pub registered: bool,
    /// When an event of this type was first accepted (null if registered before).
    pub first_seen_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<EventTypeRecord> for EventTypeResponse {
    fn from(e: EventTypeRecord) -> Self {
        Self {
            name: e.name,
            description: e.description,
            group: e.group,
            schema: e.schema,
            example: e.example,
            deprecated: e.deprecated,
            registered: e.registered,
            first_seen_at: e.first_seen_at,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// One page of the catalogue, by name.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventTypePage {
    pub items: Vec<EventTypeResponse>,
    pub next_cursor: Option<String>,
}

/// Query of `GET /v1/event-types`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListEventTypesParams {
    /// Exact group.
    pub group: Option<String>,
    /// 1-100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

fn description(s: Option<String>) -> Result<Option<String>, ValidationError> {
    match s {
        Some(d) if d.chars().count() > DESCRIPTION_MAX => Err(ValidationError::new(
            "description",
            format!("must be at most {DESCRIPTION_MAX} characters"),
        )),
        Some(d) if d.contains('\0') => Err(ValidationError::new(
            "description",
            "must not contain NUL characters",
        )),
        other => Ok(other),
    }
}

fn group(s: Option<String>) -> Result<Option<String>, ValidationError> {
    s.map(|g| display_name("group", g)).transpose()
}

/// Checks that `schema` is a JSON Schema whose patterns match in linear time (no remote
/// references are fetched) and that `example` satisfies it.
fn check_schema(
    schema: Option<&serde_json::Value>,
    example: Option<&serde_json::Value>,
) -> Result<(), ValidationError> {
    let Some(schema) = schema else {
        return Ok(());
    };
    let schema = EventSchema::compile("schema", schema)?;
    if let Some(example) = example {
        schema.check(example).map_err(|v| {
            ValidationError::new(
                "example",
                format!(
                    "does not satisfy the schema: {} (at `{}`)",
                    v.message, v.instance_path
                ),
            )
        })?;
    }
    Ok(())
}

/// Body of `POST /v1/event-types/import`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    #[schema(value_type = hookrelay_domain::schema::PresetName)]
    pub preset: String,
}

/// What an import loaded.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    pub preset: String,
    /// The preset's event types, now registered in the catalogue.
    pub imported: Vec<String>,
}

/// Loads one product's event list into the catalogue: names, groups, descriptions and
/// example data (entries that exist keep their schema).
#[utoipa::path(
    post, path = "/v1/event-types/import", tag = "event-types",
    request_body = ImportRequest,
    security(("api_key" = [])),
    responses(
        (status = 200, body = ImportResult),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn import_preset(
    auth: TenantAuth,
    state: web::Data<AppState>,
    JsonBody(body): JsonBody<ImportRequest>,
) -> Result<HttpResponse, ApiError> {
    let preset = presets::preset(&body.preset).ok_or_else(|| {
        let names: Vec<&str> = presets::PRESETS.iter().map(|p| p.name).collect();
        ValidationError::new("preset", format!("must be one of {}", names.join(", ")))
    })?;
    let mut client = state.pool.get().await?;
    let tx = client.transaction().await?;
    let names: Vec<&str> = preset.events.iter().map(|e| e.name).collect();
    let cap = state.settings.limits.event_types_per_tenant;
    if !EventTypeRepo::room_for(&tx, auth.tenant_id, &names, cap).await? {
        return Err(catalogue_full(cap));
    }
    for e in preset.events {
        let example = e
            .example
            .map(serde_json::from_str::<serde_json::Value>)
            .transpose()
            .map_err(|err| ApiError::Unavailable(Box::new(err)))?;
        EventTypeRepo::import(
            &tx,
            auth.tenant_id,
            e.name,
            e.group,
            e.description,
            example.as_ref(),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(HttpResponse::Ok().json(ImportResult {
        preset: preset.name.to_string(),
        imported: preset.events.iter().map(|e| e.name.to_string()).collect(),
    }))
}

/// Registers an event type (or completes one seen in events).
#[utoipa::path(
    post, path = "/v1/event-types", tag = "event-types",
    request_body = CreateEventTypeRequest,
    security(("api_key" = [])),
    responses(
        (status = 201, body = EventTypeResponse),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "already registered"),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn create_event_type(
    auth: TenantAuth,
    state: web::Data<AppState>,
    JsonBody(body): JsonBody<CreateEventTypeRequest>,
) -> Result<HttpResponse, ApiError> {
    let name = EventType::parse("name", body.name)?;
    check_schema(body.schema.as_ref(), body.example.as_ref())?;
    let fields = EventTypeFields {
        description: description(body.description)?,
        group: group(body.group)?,
        schema: body.schema,
        example: body.example,
        deprecated: body.deprecated,
    };
    let mut client = state.pool.get().await?;
    let tx = client.transaction().await?;
    let cap = state.settings.limits.event_types_per_tenant;
    if !EventTypeRepo::room_for(&tx, auth.tenant_id, &[name.as_str()], cap).await? {
        return Err(catalogue_full(cap));
    }
    let created = EventTypeRepo::register(&tx, auth.tenant_id, name.as_str(), &fields)
        .await?
        .ok_or_else(|| ApiError::Conflict {
            code: "event_type_exists",
            message: format!("{} is registered already; PATCH it", name.as_str()),
        })?;
    tx.commit().await?;
    Ok(HttpResponse::Created().json(EventTypeResponse::from(created)))
}

/// The 422 for a catalogue with `cap` types.
fn catalogue_full(cap: u32) -> ApiError {
    ApiError::limit_reached(
        "event_types",
        format!(
            "a tenant's catalogue holds at most {cap} event types (limits.event_types_per_tenant)"
        ),
    )
}

/// Lists the catalogue by name.
#[utoipa::path(
    get, path = "/v1/event-types", tag = "event-types",
    params(ListEventTypesParams),
    security(("api_key" = [])),
    responses((status = 200, body = EventTypePage), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn list_event_types(
    auth: TenantAuth,
    state: web::Data<AppState>,
    QueryParams(params): QueryParams<ListEventTypesParams>,
) -> Result<HttpResponse, ApiError> {
    let query = EventTypeListQuery {
        group: params.group,
        limit: page_limit(params.limit)?,
        cursor: state.cursors.open(params.cursor)?,
    };
    let client = state.pool.get().await?;
    let (items, next_cursor) = EventTypeRepo::list(&client, auth.tenant_id, &query).await?;
    Ok(HttpResponse::Ok().json(EventTypePage {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor: state.cursors.seal(next_cursor),
    }))
}

/// One catalogue entry.
#[utoipa::path(
    get, path = "/v1/event-types/{name}", tag = "event-types",
    params(("name" = hookrelay_domain::schema::EventTypeName, Path)),
    security(("api_key" = [])),
    responses(
        (status = 200, body = EventTypeResponse), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "`name` is not an event type name"),
    )
)]
pub async fn get_event_type(
    auth: TenantAuth,
    state: web::Data<AppState>,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let name = EventType::parse("name", name.into_inner())?;
    let client = state.pool.get().await?;
    let entry = EventTypeRepo::get(&client, auth.tenant_id, name.as_str())
        .await?
        .ok_or(ApiError::NotFound("event type"))?;
    Ok(HttpResponse::Ok().json(EventTypeResponse::from(entry)))
}

/// Changes a catalogue entry.
#[utoipa::path(
    patch, path = "/v1/event-types/{name}", tag = "event-types",
    params(("name" = hookrelay_domain::schema::EventTypeName, Path)),
    request_body = UpdateEventTypeRequest,
    security(("api_key" = [])),
    responses(
        (status = 200, body = EventTypeResponse),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn update_event_type(
    auth: TenantAuth,
    state: web::Data<AppState>,
    name: web::Path<String>,
    JsonBody(body): JsonBody<UpdateEventTypeRequest>,
) -> Result<HttpResponse, ApiError> {
    let name = EventType::parse("name", name.into_inner())?;
    let client = state.pool.get().await?;
    let current = EventTypeRepo::get(&client, auth.tenant_id, name.as_str())
        .await?
        .ok_or(ApiError::NotFound("event type"))?;
    // The schema and example that will hold after the update must agree.
    let schema = body.schema.clone().unwrap_or(current.schema);
    let example = body.example.clone().unwrap_or(current.example);
    check_schema(schema.as_ref(), example.as_ref())?;
    let patch = EventTypePatch {
        description: body.description.map(description).transpose()?,
        group: body.group.map(group).transpose()?,
        schema: body.schema,
        example: body.example,
        deprecated: body.deprecated,
    };
    let updated = EventTypeRepo::update(&client, auth.tenant_id, name.as_str(), &patch)
        .await?
        .ok_or(ApiError::NotFound("event type"))?;
    Ok(HttpResponse::Ok().json(EventTypeResponse::from(updated)))
}

/// Removes a catalogue entry (it comes back, unregistered, when the type is seen again).
#[utoipa::path(
    delete, path = "/v1/event-types/{name}", tag = "event-types",
    params(("name" = hookrelay_domain::schema::EventTypeName, Path)),
    security(("api_key" = [])),
    responses(
        (status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "`name` is not an event type name"),
    )
)]
pub async fn delete_event_type(
    auth: TenantAuth,
    state: web::Data<AppState>,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let name = EventType::parse("name", name.into_inner())?;
    let client = state.pool.get().await?;
    if !EventTypeRepo::delete(&client, auth.tenant_id, name.as_str()).await? {
        return Err(ApiError::NotFound("event type"));
    }
    Ok(HttpResponse::NoContent().finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn schemas_and_examples_are_checked() {
        let schema = json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}});
        assert!(check_schema(Some(&schema), Some(&json!({"id": 1}))).is_ok());
        assert_eq!(
            check_schema(Some(&schema), Some(&json!({"id": "x"})))
                .unwrap_err()
                .field,
            "example"
        );
        assert_eq!(
            check_schema(Some(&json!({"type": 12})), None)
                .unwrap_err()
                .field,
            "schema"
        );
        assert!(check_schema(None, Some(&json!(1))).is_ok());
    }
}
