//! Which webhooks an event goes to. Matching runs in SQL so fan-out is one INSERT..SELECT:
//! a pattern is `*`, an exact type, or `prefix.*` (see `hookrelay_domain::EventTypePattern`).

/// SQL condition true when the pattern `pattern` (an SQL text expression) covers the
/// event type `name`: `*`, the same name, or `prefix.*` with `name` under the prefix.
pub fn pattern_covers_sql(pattern: &str, name: &str) -> String {
    format!(
        "({pattern} = '*' OR {pattern} = {name}::text \
         OR (right({pattern}, 2) = '.*' AND starts_with({name}::text, left({pattern}, -1))))"
    )
}

/// SQL condition true when the row's `event_types` contains a pattern matching the event
/// type bound at `param` (e.g. `$2`).
pub fn pattern_match_sql(param: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM unnest(event_types) AS p WHERE {})",
        pattern_covers_sql("p", param)
    )
}
