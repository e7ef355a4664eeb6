//! What a JSONL import line may hold: the fields `triage export` writes and
//! `import` reads, each of one JSON type, as the API takes them. A line with a
//! field not listed, or of the wrong type, is rejected naming the field (a
//! misspelt `subjcet` would otherwise import a ticket without its subject).
//! CSV cells are all text, so this applies to JSONL only.

use serde_json::{Map, Value};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Text,
    Integer,
    Number,
    /// Text or an integer (an id from another system).
    Id,
    /// A list of texts, or one text of `;`-separated tags.
    Tags,
    List,
    Object,
}

impl Shape {
    fn fits(self, v: &Value) -> bool {
        match (self, v) {
            (_, Value::Null) => true,
            (Shape::Text, Value::String(_)) => true,
            (Shape::Integer, Value::Number(n)) => n.is_i64(),
            (Shape::Number, Value::Number(_)) => true,
            (Shape::Id, Value::String(_)) => true,
            (Shape::Id, Value::Number(n)) => n.is_i64(),
            (Shape::Tags, Value::String(_)) => true,
            (Shape::Tags, Value::Array(a)) => a.iter().all(Value::is_string),
            (Shape::List, Value::Array(_)) => true,
            (Shape::Object, Value::Object(_)) => true,
            _ => false,
        }
    }

    fn words(self) -> &'static str {
        match self {
            Shape::Text => "a string",
            Shape::Integer => "an integer",
            Shape::Number => "a number",
            Shape::Id => "a string or an integer",
            Shape::Tags => "a list of strings (or one string of `;`-separated tags)",
            Shape::List => "a list",
            Shape::Object => "an object",
        }
    }
}

/// Every field a line may carry. `custom_fields` may also be a string of JSON
/// (as a CSV cell carries it).
const FIELDS: &[(&str, Shape)] = &[
    ("id", Shape::Id),
    ("external_id", Shape::Text),
    ("subject", Shape::Text),
    ("body", Shape::Text),
    ("channel", Shape::Text),
    ("status", Shape::Text),
    ("category", Shape::Text),
    ("impact", Shape::Text),
    ("urgency", Shape::Text),
    ("priority", Shape::Text),
    ("priority_score", Shape::Number),
    ("priority_explanation", Shape::Object),
    ("policy_version", Shape::Text),
    ("requester", Shape::Text),
    ("requester_id", Shape::Integer),
    ("organization", Shape::Text),
    ("organization_id", Shape::Integer),
    ("assignee", Shape::Text),
    ("assignee_id", Shape::Integer),
    ("team", Shape::Text),
    ("tier", Shape::Text),
    ("tags", Shape::Tags),
    ("custom_fields", Shape::Object),
    ("version", Shape::Integer),
    ("created_at", Shape::Text),
    ("updated_at", Shape::Text),
    ("first_response_at", Shape::Text),
    ("solved_at", Shape::Text),
    ("closed_at", Shape::Text),
    ("sla_due_at", Shape::Text),
    ("predictions", Shape::Object),
    ("suggested", Shape::Object),
    ("comments", Shape::List),
    ("events", Shape::List),
];

/// The first field of `line` that is unknown or of the wrong type, with what
/// to fix.
pub fn check(line: &Map<String, Value>) -> Result<(), (String, String)> {
    for (key, v) in line {
        let Some((_, shape)) = FIELDS.iter().find(|(k, _)| k == key) else {
            let known: Vec<&str> = FIELDS.iter().map(|(k, _)| *k).collect();
            return Err((key.clone(), format!("is not a field an import reads; the fields are: {}", known.join(", "))));
        };
        let fits = shape.fits(v) || (key == "custom_fields" && v.is_string());
        if !fits {
            return Err((key.clone(), format!("must be {}, not {}", shape.words(), kind(v))));
        }
    }
    Ok(())
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn unknown_fields_and_wrong_types_are_named() {
        let e = check(&line(serde_json::json!({"subject": "a", "subjcet": "b"}))).unwrap_err();
        assert_eq!(e.0, "subjcet");
        assert!(e.1.contains("the fields are: id, external_id"), "{}", e.1);
        let e = check(&line(serde_json::json!({"subject": 42}))).unwrap_err();
        assert_eq!(e, ("subject".into(), "must be a string, not an integer".into()));
        let e = check(&line(serde_json::json!({"tags": ["a", 1]}))).unwrap_err();
        assert_eq!(e.0, "tags");
        let e = check(&line(serde_json::json!({"version": 1.5}))).unwrap_err();
        assert_eq!(e, ("version".into(), "must be an integer, not a number".into()));
        assert!(check(&line(serde_json::json!({"id": 7, "tags": "a;b", "custom_fields": "{}", "team": null}))).is_ok());
    }
}
