//! How answers are printed: JSON as the API sent it (`--json`), or a table of the columns
//! a person needs.

use comfy_table::presets::UTF8_BORDERS_ONLY;
use comfy_table::{ContentArrangement, Table};
use serde_json::Value;

/// Prints `value` as pretty JSON.
pub fn json(value: &Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
    );
}

/// A field as table text: strings bare, null as `-`, the rest as JSON.
pub fn text(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// Prints `rows` as a table of `columns` (`(header, field)`; a field may be `a.b`).
pub fn table(rows: &[Value], columns: &[(&str, &str)]) {
    let mut table = Table::new();
    table
        .load_preset(UTF8_BORDERS_ONLY)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(columns.iter().map(|(h, _)| *h));
    for row in rows {
        table.add_row(columns.iter().map(|(_, field)| {
            let v = field.split('.').fold(row, |v, k| &v[k]);
            text(v)
        }));
    }
    println!("{table}");
}

/// Prints one object as `key: value` lines.
pub fn record(value: &Value, fields: &[(&str, &str)]) {
    let width = fields.iter().map(|(h, _)| h.len()).max().unwrap_or(0);
    for (header, field) in fields {
        let v = field.split('.').fold(value, |v, k| &v[k]);
        println!("{header:width$}  {}", text(v));
    }
}

/// One attempt as a line of `tail`: time, event type, answer, duration, attempt.
pub fn attempt_line(entry: &Value) -> String {
    let time = entry["created_at"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|| "--:--:--".into());
    let answer = match (&entry["response_code"], &entry["error_kind"]) {
        (Value::Number(code), _) => code.to_string(),
        (_, Value::String(kind)) => kind.clone(),
        _ => "-".into(),
    };
    let ms = entry["execution_time"]
        .as_f64()
        .map(|s| (s * 1000.0).round() as i64);
    let what = if entry["test"] == Value::Bool(true) {
        "test".to_string()
    } else {
        format!("attempt {}", entry["attempt"])
    };
    format!(
        "{time}  {:<28} {:>5}  {:>6} ms  {what}  {}",
        text(&entry["event_type"]),
        answer,
        ms.map(|m| m.to_string()).unwrap_or_else(|| "-".into()),
        if entry["success"] == Value::Bool(true) {
            "ok"
        } else {
            "FAILED"
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_tail_line_says_time_type_answer_duration_and_attempt() {
        let line = attempt_line(&json!({
            "created_at": "2026-12-07T10:00:00Z", "event_type": "order.created",
            "response_code": 500, "execution_time": 0.0123, "attempt": 2,
            "success": false, "test": false, "error_kind": null,
        }));
        assert!(
            line.contains("order.created") && line.contains("500"),
            "{line}"
        );
        assert!(
            line.contains("12 ms") && line.contains("attempt 2") && line.ends_with("FAILED"),
            "{line}"
        );
        let refused = attempt_line(&json!({
            "created_at": "2026-12-07T10:00:00Z", "event_type": "a.b", "response_code": null,
            "error_kind": "connection_refused", "execution_time": 0.001, "attempt": 1,
            "success": false, "test": false,
        }));
        assert!(refused.contains("connection_refused"), "{refused}");
    }

    #[test]
    fn fields_print_as_text() {
        assert_eq!(text(&json!(null)), "-");
        assert_eq!(text(&json!(["a.*", "b"])), "a.*, b");
        assert_eq!(text(&json!(0.5)), "0.5");
    }
}
