//! The validation rules, written into the API description the server serves,
//! so a client (or a conformance tool) can tell a valid request before it is
//! sent: lengths, patterns, ranges, and the values this installation's policy
//! allows (categories, levels, teams, views, custom fields), read from the
//! policy it runs. Each rule names the constant the server's own check uses.
//!
//! What the description promises, the server keeps both ways: a request the
//! schemas allow is not refused as invalid (it may still be refused by the
//! stored state: a 409, or by the caller's role: a 403), and one they do not
//! allow is refused. `scripts/api-conformance.sh` holds it to that.
//!
//! Patterns follow what conformance tools run (Python's `re`): see
//! `triage_core::text` for the whitespace and final-newline details.

use super::agents::MAX_TEAM_CHARS;
use super::organizations::{MAX_ANNUAL_VALUE, MAX_NOTES_CHARS, MAX_SEATS};
use super::plans::{CURRENCY_PATTERN, MAX_DESCRIPTION_CHARS, MAX_PLAN_NAME_CHARS, MAX_PRICE_CENTS};
use super::queue::QUEUE_CURSOR_PATTERN;
use super::tickets::{IDEMPOTENCY_KEY_PATTERN, MAX_EXTERNAL_ID_CHARS, MAX_REASON_CHARS, MAX_SEARCH_CHARS};
use super::tokens::MAX_LABEL_CHARS;
use super::{CURSOR_PATTERN, ID_PATTERN, YEAR_PATTERN};
use serde_json::{json, Map, Value};
use triage_core::email::{EMAIL_PATTERN, MAX_EMAIL_CHARS};
use triage_core::organization::MAX_NAME_CHARS;
use triage_core::policy::{CustomFieldType, Policy};
use triage_core::text::{NOT_BLANK, NO_CONTROL, ONE_LINE};
use triage_core::ticket::{MAX_BODY_CHARS, MAX_SUBJECT_CHARS, MAX_TAGS, TAG_PATTERN};

/// Writes the rules into `doc` (the served OpenAPI document as JSON).
/// Panics when a rule names a schema or field the document lacks: a rule
/// that silently applied to nothing would make the description lie.
pub(crate) fn constrain(doc: &mut Value, policy: &Policy) {
    int_ranges(doc);
    time_zones(doc);
    let p = Allowed::of(policy);

    // Free text.
    let subject = json!({"minLength": 1, "maxLength": MAX_SUBJECT_CHARS, "pattern": ONE_LINE});
    let body = json!({"minLength": 1, "maxLength": MAX_BODY_CHARS, "pattern": NOT_BLANK});
    let name = json!({"minLength": 1, "maxLength": MAX_NAME_CHARS, "pattern": ONE_LINE});
    let email = json!({"maxLength": MAX_EMAIL_CHARS, "pattern": EMAIL_PATTERN});
    let reason = json!({"maxLength": MAX_REASON_CHARS});
    let tags = json!({"maxItems": MAX_TAGS, "items": {"type": "string", "pattern": TAG_PATTERN}});
    for s in ["TicketCreate", "TicketUpdate"] {
        set(doc, s, "subject", &subject);
        set(doc, s, "body", &body);
        set(doc, s, "tags", &tags);
        set(doc, s, "priority_reason", &json!({"maxLength": MAX_REASON_CHARS, "pattern": NOT_BLANK}));
        one_of(doc, s, "category", &p.categories);
        one_of(doc, s, "impact", &p.impacts);
        one_of(doc, s, "urgency", &p.urgencies);
        one_of(doc, s, "priority", &p.levels);
    }
    set(doc, "TicketCreate", "requester_email", &email);
    set(
        doc,
        "TicketCreate",
        "external_id",
        &json!({"minLength": 1, "maxLength": MAX_EXTERNAL_ID_CHARS, "pattern": ONE_LINE}),
    );
    set(doc, "TicketUpdate", "reason", &reason);
    one_of(doc, "TicketUpdate", "team", &p.teams);
    custom_fields(doc, policy, "TicketCreate", false);
    custom_fields(doc, policy, "TicketUpdate", true);
    // Staff say whom a ticket is for (a customer's own token says it for them:
    // they may leave both out); an override needs its reason.
    let create = schema(doc, "TicketCreate");
    create["anyOf"] = json!([
        {"required": ["requester_id"], "properties": {"requester_id": {"type": "integer"}}},
        {"required": ["requester_email"], "properties": {"requester_email": {"type": "string"}}}
    ]);
    for s in ["TicketCreate", "TicketUpdate"] {
        schema(doc, s)["if"] = json!({"required": ["priority"], "properties": {"priority": {"type": "string"}}});
        schema(doc, s)["then"] =
            json!({"required": ["priority_reason"], "properties": {"priority_reason": {"type": "string"}}});
    }
    set(doc, "CommentCreate", "body", &body);
    set(doc, "Transition", "reason", &reason);
    let note = json!({"minLength": 1, "maxLength": triage_core::ticket::MAX_NOTE_CHARS, "pattern": NOT_BLANK});
    set(doc, "HandoffRequest", "what_was_tried", &note);
    set(doc, "HandoffRequest", "what_is_needed", &note);
    let teams = p.teams.iter().map(|t| regex_escape(t)).collect::<Vec<_>>().join("|");
    set(
        doc,
        "HandoffRequest",
        "to",
        &json!({"pattern": format!("^(next_tier|previous_tier|tier:[Ll][1-3]|team:({teams}))$")}),
    );

    for s in ["ContactCreate", "ContactUpdate"] {
        set(doc, s, "name", &name);
        set(doc, s, "email", &email);
    }
    for s in ["OrganizationCreate", "OrganizationUpdate"] {
        set(doc, s, "name", &name);
        one_of(doc, s, "account_type", &p.account_types);
        one_of(doc, s, "customer_category", &p.customer_categories);
        one_of(doc, s, "persona", &p.personas);
        set(doc, s, "annual_value", &json!({"minimum": 0, "maximum": MAX_ANNUAL_VALUE}));
        set(doc, s, "seats", &json!({"minimum": 0, "maximum": MAX_SEATS}));
    }
    one_of(doc, "ContractOverrides", "calendar", &p.calendars);
    one_of(doc, "ContractOverrides", "sla_policy", &p.sla_policies);
    set(doc, "ContractOverrides", "priority_boost", &json!({"minimum": -100, "maximum": 100}));
    set(doc, "ContractOverrides", "notes", &json!({"maxLength": MAX_NOTES_CHARS}));
    set(doc, "PlanChangeRequest", "reason", &reason);

    for s in ["AgentCreate", "AgentUpdate"] {
        set(doc, s, "name", &name);
        set(doc, s, "email", &email);
        set(doc, s, "team", &json!({"minLength": 1, "maxLength": MAX_TEAM_CHARS, "pattern": ONE_LINE}));
        set(doc, s, "capacity", &json!({"minimum": 0, "maximum": 1000}));
        set(doc, s, "shifts", &json!({"items": {"type": "string", "pattern": shift_pattern()}}));
    }
    set(doc, "Skill", "name", &json!({"minLength": 1, "maxLength": MAX_SKILL_CHARS, "pattern": ONE_LINE}));
    set(doc, "Skill", "proficiency", &json!({"minimum": 1, "maximum": 5}));

    for s in ["PlanCreate", "PlanUpdate"] {
        set(doc, s, "name", &json!({"minLength": 1, "maxLength": MAX_PLAN_NAME_CHARS, "pattern": ONE_LINE}));
        set(doc, s, "description", &json!({"maxLength": MAX_DESCRIPTION_CHARS}));
        set(doc, s, "price_cents", &json!({"minimum": 0, "maximum": MAX_PRICE_CENTS}));
        set(doc, s, "currency", &json!({"pattern": CURRENCY_PATTERN}));
        set(doc, s, "channels", &json!({"minItems": 1}));
        set(doc, s, "priority_boost", &json!({"minimum": -100, "maximum": 100}));
        one_of(doc, s, "sla_policy", &p.sla_policies);
    }

    set(doc, "TokenCreate", "user", &email);
    set(doc, "TokenCreate", "label", &json!({"maxLength": MAX_LABEL_CHARS}));
    one_of(doc, "TokenCreate", "role", &["admin".into(), "agent".into(), "customer".into()]);

    // Query strings and headers.
    for (path, method) in LISTS {
        param(doc, path, method, "cursor")["pattern"] = json!(CURSOR_PATTERN);
    }
    param(doc, "/api/v1/queue", "get", "cursor")["pattern"] = json!(QUEUE_CURSOR_PATTERN);
    let list_of = |values: &[String]| {
        let alt = values.iter().map(|v| regex_escape(v)).collect::<Vec<_>>().join("|");
        json!(format!("^({alt})(,({alt}))*$"))
    };
    let tickets = ("/api/v1/tickets", "get");
    param(doc, tickets.0, tickets.1, "status")["pattern"] = list_of(&p.statuses);
    param(doc, tickets.0, tickets.1, "priority")["pattern"] = list_of(&p.levels);
    param(doc, tickets.0, tickets.1, "category")["pattern"] = list_of(&p.categories);
    let tag = TAG_PATTERN.trim_start_matches('^').trim_end_matches('$');
    param(doc, tickets.0, tickets.1, "tag")["pattern"] = json!(format!("^{tag}(,{tag})*$"));
    param(doc, tickets.0, tickets.1, "assignee")["pattern"] = json!(format!("^(me|none|{ID_PATTERN})$"));
    param(doc, tickets.0, tickets.1, "text")["maxLength"] = json!(MAX_SEARCH_CHARS);
    for method in ["get", "post"] {
        let path = if method == "get" { "/api/v1/queue" } else { "/api/v1/queue/next" };
        param(doc, path, method, "view")["enum"] = json!(p.views);
        param(doc, path, method, "team")["enum"] = json!(p.teams);
    }
    param(doc, "/api/v1/notifications", "get", "recipient")["pattern"] =
        json!(format!("^(agent|team):{}", NO_CONTROL.trim_start_matches('^')));
    param(doc, "/api/v1/tickets", "post", "Idempotency-Key")["pattern"] = json!(IDEMPOTENCY_KEY_PATTERN);
    no_controls(doc);
}

/// The one control-character rule (`triage_core::text::is_refused_control`)
/// for every other string a request carries: body fields of the schemas
/// requests name, and query parameters. Strings with a pattern, a list of
/// values or a format already say more.
fn no_controls(doc: &mut Value) {
    // The schemas requests reach: their bodies' and what those refer to.
    let mut todo: Vec<String> = Vec::new();
    for item in doc["paths"].as_object().into_iter().flat_map(|p| p.values()) {
        for op in item.as_object().into_iter().flat_map(|o| o.values()) {
            refs(&op["requestBody"], &mut todo);
        }
    }
    let mut names: Vec<String> = Vec::new();
    while let Some(n) = todo.pop() {
        if n == "TimeZone" || names.contains(&n) {
            continue;
        }
        refs(&doc["components"]["schemas"][&n], &mut todo);
        names.push(n);
    }
    for n in names {
        plain_strings(&mut doc["components"]["schemas"][&n]);
    }
    for item in doc["paths"].as_object_mut().into_iter().flat_map(|p| p.values_mut()) {
        for op in item.as_object_mut().into_iter().flat_map(|o| o.values_mut()) {
            // `get_mut`: indexing would add `"parameters": null` where there are none.
            let params = op.get_mut("parameters").and_then(Value::as_array_mut);
            for p in params.into_iter().flatten() {
                if p["in"] == "query" {
                    plain_strings(&mut p["schema"]);
                }
            }
        }
    }
}

/// The schema names `v` refers to, added to `out`.
fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(r) = m.get("$ref").and_then(Value::as_str) {
                out.push(r.trim_start_matches("#/components/schemas/").to_string());
            }
            m.values().for_each(|x| refs(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

/// Gives every string schema under `v` without a pattern, values or format
/// the control-character pattern.
fn plain_strings(v: &mut Value) {
    match v {
        Value::Object(m) => {
            let string = match m.get("type") {
                Some(Value::String(t)) => t == "string",
                Some(Value::Array(ts)) => ts.contains(&json!("string")),
                _ => false,
            };
            let said = ["pattern", "enum", "format", "$ref"].iter().any(|k| m.contains_key(*k));
            if string && !said {
                m.insert("pattern".into(), json!(NO_CONTROL));
            }
            if string && m.get("format") == Some(&json!("date-time")) {
                m.insert("pattern".into(), json!(YEAR_PATTERN));
            }
            m.values_mut().for_each(plain_strings);
        }
        Value::Array(a) => a.iter_mut().for_each(plain_strings),
        _ => {}
    }
}

/// The longest skill name.
pub(crate) const MAX_SKILL_CHARS: usize = 100;

/// A shift line's shape (`mon-fri 09:00-17:00`, days in any case). What a
/// pattern cannot say is checked by the server alone, with a 422 naming the
/// line: days in order, an interval that ends after it starts, no overlaps.
fn shift_pattern() -> String {
    let any_case = |d: &str| d.chars().map(|c| format!("[{}{}]", c.to_ascii_uppercase(), c)).collect::<String>();
    let day = format!("({})", ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map(any_case).join("|"));
    let days = format!("{day}(-{day})?(,{day}(-{day})?)*");
    let span = r"([01]?[0-9]|2[0-3]):[0-5][0-9]-(([01]?[0-9]|2[0-3]):[0-5][0-9]|24:00)";
    format!(r"^\s*{days}\s+{span}(\s*,\s*{span})*\s*$")
}

/// The lists that page with a cursor.
const LISTS: [(&str, &str); 11] = [
    ("/api/v1/tickets/{id}/comments", "get"),
    ("/api/v1/tickets/{id}/events", "get"),
    ("/api/v1/tokens", "get"),
    ("/api/v1/plans", "get"),
    ("/api/v1/organizations/{id}/plan", "get"),
    ("/api/v1/agents", "get"),
    ("/api/v1/contacts", "get"),
    ("/api/v1/notifications", "get"),
    ("/api/v1/organizations", "get"),
    ("/api/v1/tickets", "get"),
    ("/api/v1/triage", "get"),
];

/// The values this installation's policy allows.
struct Allowed {
    categories: Vec<String>,
    impacts: Vec<String>,
    urgencies: Vec<String>,
    levels: Vec<String>,
    teams: Vec<String>,
    views: Vec<String>,
    account_types: Vec<String>,
    customer_categories: Vec<String>,
    personas: Vec<String>,
    calendars: Vec<String>,
    sla_policies: Vec<String>,
    statuses: Vec<String>,
}

impl Allowed {
    fn of(p: &Policy) -> Allowed {
        let names = |it: &mut dyn Iterator<Item = &String>| it.cloned().collect::<Vec<_>>();
        Allowed {
            categories: names(&mut p.categories.iter().map(|c| &c.name)),
            impacts: p.matrix.impact.clone(),
            urgencies: p.matrix.urgency.clone(),
            levels: names(&mut p.levels.iter().map(|l| &l.name)),
            teams: p.team_names().into_iter().map(String::from).collect(),
            views: names(&mut p.views.iter().map(|v| &v.name)),
            account_types: p.segments.account_types.clone(),
            customer_categories: p.segments.customer_categories.clone(),
            personas: p.segments.personas.clone(),
            calendars: names(&mut p.calendars.iter().map(|c| &c.name)),
            sla_policies: names(&mut p.sla_policies.iter().map(|s| &s.name)),
            statuses: triage_core::ticket::Status::ALL.iter().map(|s| s.as_str().to_string()).collect(),
        }
    }
}

fn schema<'a>(doc: &'a mut Value, name: &str) -> &'a mut Value {
    let s = &mut doc["components"]["schemas"][name];
    assert!(s.is_object(), "the API description has no schema {name}");
    s
}

fn prop<'a>(doc: &'a mut Value, name: &str, field: &str) -> &'a mut Value {
    let p = &mut schema(doc, name)["properties"][field];
    assert!(p.is_object(), "schema {name} has no field {field}");
    p
}

fn nullable(p: &Value) -> bool {
    p["type"].as_array().is_some_and(|t| t.contains(&json!("null")))
}

/// Adds the keywords of `rule` to a field (on its items' type, when it is an array of strings).
fn set(doc: &mut Value, name: &str, field: &str, rule: &Value) {
    let p = prop(doc, name, field);
    for (k, v) in rule.as_object().into_iter().flatten() {
        p[k] = v.clone();
    }
}

/// The field takes one of `values` (or null, where it did).
fn one_of(doc: &mut Value, name: &str, field: &str, values: &[String]) {
    let p = prop(doc, name, field);
    let mut allowed: Vec<Value> = values.iter().map(|v| json!(v)).collect();
    if nullable(p) {
        allowed.push(Value::Null);
    }
    p["enum"] = Value::Array(allowed);
}

fn param<'a>(doc: &'a mut Value, path: &str, method: &str, name: &str) -> &'a mut Value {
    let params = doc["paths"][path][method]["parameters"].as_array_mut();
    let p = params.into_iter().flatten().find(|p| p["name"] == name);
    let p = p.unwrap_or_else(|| panic!("{method} {path} has no parameter {name}"));
    &mut p["schema"]
}

/// Custom fields as the policy declares them: their names, types and
/// ranges; a change may send `null` to remove one.
fn custom_fields(doc: &mut Value, policy: &Policy, name: &str, removable: bool) {
    let mut props = Map::new();
    for d in &policy.custom_fields {
        let mut s = match d.kind {
            CustomFieldType::Int => json!({"type": "integer"}),
            CustomFieldType::Float => json!({"type": "number"}),
            CustomFieldType::String => json!({"type": "string", "maxLength": 1000}),
            CustomFieldType::Bool => json!({"type": "boolean"}),
            CustomFieldType::Enum => json!({"type": "string", "enum": d.values}),
        };
        if let Some(m) = d.min {
            s["minimum"] = json!(m);
        }
        if let Some(m) = d.max {
            s["maximum"] = json!(m);
        }
        if !d.description.is_empty() {
            s["description"] = json!(d.description);
        }
        if removable {
            s = json!({"anyOf": [s, {"type": "null"}]});
        }
        props.insert(d.name.clone(), s);
    }
    let p = prop(doc, name, "custom_fields");
    p["properties"] = Value::Object(props);
    p["additionalProperties"] = json!(false);
}

/// Whole numbers fit the Rust types that read them: without the bounds, a
/// valid-looking 2^64 would be refused as unreadable.
fn int_ranges(v: &mut Value) {
    match v {
        Value::Object(m) => {
            let (lo, hi) = match m.get("format").and_then(Value::as_str) {
                Some("int64") => (i64::MIN as f64, i64::MAX),
                Some("int32") => (i32::MIN as f64, i32::MAX as i64),
                _ => (0.0, 0),
            };
            if hi != 0 {
                m.entry("minimum").or_insert(json!(lo as i64));
                m.entry("maximum").or_insert(json!(hi));
            }
            m.values_mut().for_each(int_ranges);
        }
        Value::Array(a) => a.iter_mut().for_each(int_ranges),
        _ => {}
    }
}

/// Every `timezone` field takes an IANA zone name this build knows.
fn time_zones(doc: &mut Value) {
    let names: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect();
    doc["components"]["schemas"]["TimeZone"] = json!({
        "type": "string", "enum": names, "description": "An IANA time zone name, e.g. Europe/Berlin or UTC."
    });
    let Some(schemas) = doc["components"]["schemas"].as_object_mut() else { return };
    for (name, s) in schemas.iter_mut() {
        if name == "TimeZone" || !s["properties"]["timezone"].is_object() {
            continue;
        }
        // Request bodies only: answers carry the zone as stored.
        if !(name.ends_with("Create") || name.ends_with("Update")) {
            continue;
        }
        let p = &mut s["properties"]["timezone"];
        let zone = json!({"$ref": "#/components/schemas/TimeZone"});
        *p = if nullable(p) { json!({"anyOf": [zone, {"type": "null"}]}) } else { zone };
    }
}

fn regex_escape(s: &str) -> String {
    s.chars().fold(String::new(), |mut out, c| {
        if "\\^$.|?*+()[]{}/-".contains(c) {
            out.push('\\');
        }
        out.push(c);
        out
    })
}
