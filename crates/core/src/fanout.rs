//! Which webhooks an event goes to. Matching runs in SQL so fan-out is one INSERT..SELECT:
//! a pattern is `*`, an exact type, or `prefix.*` (see `hookrelay_domain::EventTypePattern`).

/// SQL condition true when the row's `event_types` contains a pattern matching the event
/// type bound at `param` (e.g. `$2`).
pub fn pattern_match_sql(param: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM unnest(event_types) AS p \
         WHERE p = '*' OR p = {param}::text \
         OR (right(p, 2) = '.*' AND starts_with({param}::text, left(p, -1))))"
    )
}
