//! An event type's JSON Schema, compiled once and checked against event data.
//!
//! Schemas are written by tenants, so compiling and checking one must cost the same for
//! every input: `pattern` and `patternProperties` run on the `regex` engine, which matches
//! in time linear in the input and refuses what would need backtracking (back-references,
//! look-around) when the schema is registered, with a 422 naming the schema path. No
//! remote `$ref` is ever fetched.

use serde_json::Value;

use crate::ValidationError;

/// Largest compiled size of one pattern, in bytes (`a{1000}{1000}` is refused, not built).
const PATTERN_SIZE_LIMIT_BYTES: usize = 1 << 20;
/// Cache of one pattern's lazy DFA, in bytes.
const PATTERN_DFA_LIMIT_BYTES: usize = 1 << 20;

/// A compiled event schema.
pub struct EventSchema {
    validator: jsonschema::Validator,
}

impl std::fmt::Debug for EventSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EventSchema")
    }
}

/// Event data that does not satisfy a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaViolation {
    /// What is wrong, as the validator says it.
    pub message: String,
    /// Where in the data (a JSON pointer, `""` for the whole).
    pub instance_path: String,
}

impl EventSchema {
    /// Compiles `schema`; the error is for `field` and names the schema path at fault.
    pub fn compile(field: &str, schema: &Value) -> Result<EventSchema, ValidationError> {
        // Stored as jsonb, which cannot hold U+0000.
        if has_nul(schema) {
            return Err(ValidationError::new(
                field,
                "must not contain NUL characters (\\u0000)",
            ));
        }
        let patterns = jsonschema::PatternOptions::regex()
            .size_limit(PATTERN_SIZE_LIMIT_BYTES)
            .dfa_size_limit(PATTERN_DFA_LIMIT_BYTES);
        jsonschema::options()
            .with_pattern_options(patterns)
            .build(schema)
            .map(|validator| EventSchema { validator })
            .map_err(|e| {
                let at = e.instance_path().to_string();
                let hint = if at.contains("/pattern") {
                    " (patterns must match in linear time: no back-references or look-around)"
                } else {
                    ""
                };
                let at = if at.is_empty() { "/".to_string() } else { at };
                ValidationError::new(
                    field,
                    format!("is not a usable JSON Schema at `{at}`: {e}{hint}"),
                )
            })
    }

    /// Checks `data`; the first violation found.
    pub fn check(&self, data: &Value) -> Result<(), SchemaViolation> {
        self.validator.validate(data).map_err(|e| SchemaViolation {
            message: e.to_string(),
            instance_path: e.instance_path().to_string(),
        })
    }
}

/// Whether a key or string anywhere in `value` holds U+0000.
fn has_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(has_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::{Duration, Instant};

    #[test]
    fn backtracking_patterns_are_refused_with_their_path() {
        for (schema, path) in [
            (
                json!({"properties": {"title": {"type": "string", "pattern": "^(a*)*\\1x$"}}}),
                "/properties/title/pattern",
            ),
            (json!({"pattern": "(?=a)a"}), "/pattern"),
            (
                json!({"patternProperties": {"^(?!x)": {"type": "string"}}}),
                "/patternProperties",
            ),
        ] {
            let err = EventSchema::compile("schema", &schema).expect_err("refused");
            assert_eq!(err.field, "schema");
            assert!(err.message.contains(path), "{path}: {}", err.message);
        }
    }

    #[test]
    fn ordinary_schemas_compile_and_check() {
        let schema = EventSchema::compile(
            "schema",
            &json!({"type": "object", "required": ["id"],
                    "properties": {"id": {"type": "integer"}, "sku": {"pattern": "^[A-Z]{3}-\\d+$"}}}),
        )
        .expect("compiles");
        assert!(schema.check(&json!({"id": 1, "sku": "ABC-12"})).is_ok());
        let v = schema
            .check(&json!({"id": 1, "sku": "abc"}))
            .expect_err("bad sku");
        assert_eq!(v.instance_path, "/sku");
        assert!(schema.check(&json!({})).is_err());
    }

    #[test]
    fn nul_and_oversized_patterns_are_refused() {
        assert!(EventSchema::compile("schema", &json!({"title": "a\u{0}"})).is_err());
        assert!(EventSchema::compile("schema", &json!({"pattern": "(a{1000}){1000}"})).is_err());
    }

    #[test]
    fn a_hostile_pattern_runs_in_linear_time() {
        // Catastrophic for a backtracking engine on a non-matching input.
        let schema =
            EventSchema::compile("schema", &json!({"pattern": "^(a+)+$"})).expect("compiles");
        let data = json!(format!("{}!", "a".repeat(100_000)));
        let started = Instant::now();
        assert!(schema.check(&data).is_err());
        // Microseconds on a regex engine; a backtracking one would not finish at all.
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
