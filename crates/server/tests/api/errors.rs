//! Bad input gets RFC 9457 problem+json naming the field, and changes nothing.

use crate::both;
use crate::helpers::{Backend, TestApp, ADMIN_TOKEN};
use reqwest::Method;
use serde_json::json;

async fn invalid_bodies_name_the_field_at_fault(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "standard").await;
    app.customer(org, "c@acme.example").await;
    let base = json!({"subject": "s", "body": "b", "requester_email": "c@acme.example"});
    let with = |k: &str, v: serde_json::Value| {
        let mut x = base.clone();
        x[k] = v;
        x
    };
    let cases = [
        (with("colour", json!("red")), 422, "colour"),
        (with("subject", json!(42)), 422, "subject"),
        (with("subject", json!("   ")), 422, "subject"),
        (with("subject", json!("\u{200b}\u{feff}")), 422, "subject"),
        (with("category", json!("plumbing")), 422, "category"),
        (with("impact", json!("huge")), 422, "impact"),
        (with("channel", json!("pigeon")), 422, "channel"),
        (with("tags", json!(["has space"])), 422, "tags[0]"),
        (with("custom_fields", json!({"affected_users": "many"})), 422, "custom_fields.affected_users"),
        (with("custom_fields", json!({"colour": "red"})), 422, "custom_fields.colour"),
        (with("requester_email", json!("nobody@acme.example")), 409, "requester_email"),
        (with("requester_email", json!("not an address")), 422, "requester_email"),
        (with("assignee_id", json!(9999)), 409, "assignee_id"),
        (json!({"body": "no subject", "requester_email": "c@acme.example"}), 422, "subject"),
    ];
    for (body, status, field) in cases {
        let r = app.post("/api/v1/tickets", ADMIN_TOKEN, body.clone()).await;
        assert_eq!(r.status.as_u16(), status, "{body}: {}", r.body);
        assert_eq!(r.headers["content-type"], "application/problem+json");
        assert_eq!(r.body["field"], field, "{body}: {}", r.body);
        assert_eq!(r.body["status"], status);
        assert!(r.body["type"].as_str().unwrap().starts_with("urn:triage:problem:"));
        assert!(!r.body["detail"].as_str().unwrap().is_empty());
    }
    let r = app.get("/api/v1/tickets", ADMIN_TOKEN).await;
    assert_eq!(r.body["items"], json!([]), "no rejected request stored anything");
}
both!(invalid_bodies_name_the_field_at_fault);

/// The fields a 422 names, in order.
fn fields_of(problem: &serde_json::Value) -> Vec<String> {
    problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect()
}

async fn one_answer_names_every_field_at_fault(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "standard").await;
    let (_, customer) = app.customer(org, "c@acme.example").await;
    let (agent, _) = app.agent("a@triage.example").await;

    // A ticket with many things wrong, from staff: every invalid field in one
    // 422; what only the stored state refuses (nobody with that address, no
    // agent 9999) waits until the request is valid, then is one 409.
    let mut bad = json!({"subject": " ", "body": "", "requester_email": "nobody@acme.example",
           "tags": ["ok", "has space", ""], "category": "plumbing", "urgency": "whenever",
           "custom_fields": {"affected_users": "many", "colour": "red"},
           "priority": "P9", "assignee_id": 9999});
    let r = app.post("/api/v1/tickets", ADMIN_TOKEN, bad.clone()).await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    let fields = fields_of(&r.body);
    assert_eq!(
        fields,
        [
            "subject",
            "body",
            "tags[1]",
            "tags[2]",
            "category",
            "urgency",
            "custom_fields.affected_users",
            "custom_fields.colour",
            "priority",
            "priority_reason",
        ]
    );
    assert_eq!(r.body["field"], "subject", "the first error is also `field`, for one-error clients");
    assert!(r.body["detail"].as_str().unwrap().starts_with(&format!("{} fields are invalid", fields.len())));
    for (k, v) in [
        ("subject", json!("s")),
        ("body", json!("b")),
        ("tags", json!(["ok"])),
        ("category", json!(null)),
        ("urgency", json!(null)),
        ("custom_fields", json!({})),
        ("priority", json!(null)),
    ] {
        bad[k] = v;
    }
    let r = app.post("/api/v1/tickets", ADMIN_TOKEN, bad).await;
    assert_eq!(r.status.as_u16(), 409, "{}", r.body);
    assert_eq!(fields_of(&r.body), ["requester_email", "assignee_id"]);

    // A customer setting what staff set, on a bad ticket: every refusal named.
    let r = app
        .post(
            "/api/v1/tickets",
            &customer,
            json!({"subject": "", "body": "b", "channel": "phone", "assignee_id": agent, "priority": "P1"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    let fields = fields_of(&r.body);
    for f in ["subject", "channel", "assignee_id", "priority"] {
        assert!(fields.contains(&f.to_string()), "{f} missing from {fields:?}");
    }

    // A change to a ticket: every field, and nothing changed.
    let t = app.ticket(ADMIN_TOKEN, json!({"subject": "s", "body": "b", "requester_email": "c@acme.example"})).await;
    let id = t["id"].as_i64().unwrap();
    let r = app
        .patch(
            &format!("/api/v1/tickets/{id}"),
            ADMIN_TOKEN,
            json!({"subject": "", "impact": "huge", "tags": ["UPPER ok?"], "assignee_id": 9999}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert_eq!(fields_of(&r.body), ["subject", "tags[0]", "impact"]);
    let after = app.get(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN).await;
    assert_eq!(after.body["subject"], "s", "a refused change changes nothing");

    // Organizations, contacts, agents and plans answer the same way.
    let r = app
        .post(
            "/api/v1/organizations",
            ADMIN_TOKEN,
            json!({"name": "", "account_type": "galactic", "seats": -1, "annual_value": -5.0,
                   "timezone": "Mars/Olympus", "owner_id": 9999}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    let fields = fields_of(&r.body);
    for f in ["name", "account_type", "seats", "annual_value", "timezone"] {
        assert!(fields.contains(&f.to_string()), "{f} missing from {fields:?}");
    }
    let r = app
        .post(
            "/api/v1/contacts",
            ADMIN_TOKEN,
            json!({"organization_id": 9999, "name": "", "email": "not-an-address", "timezone": "Nowhere"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert_eq!(fields_of(&r.body), ["email", "name", "timezone"]);
    let r = app
        .post(
            "/api/v1/agents",
            ADMIN_TOKEN,
            json!({"name": "", "email": "bad", "team": " ", "capacity": -1, "timezone": "Nowhere"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert_eq!(fields_of(&r.body), ["email", "name", "capacity", "team", "timezone"]);
    let r = app
        .post(
            "/api/v1/plans",
            ADMIN_TOKEN,
            json!({"name": "", "price_cents": -1, "currency": "usd", "channels": [], "sla_policy": "none"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    let fields = fields_of(&r.body);
    for f in ["name", "price_cents", "channels", "currency", "sla_policy"] {
        assert!(fields.contains(&f.to_string()), "{f} missing from {fields:?}");
    }
    let r = app.get("/api/v1/tickets", ADMIN_TOKEN).await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1, "no refused request stored a ticket");
}
both!(one_answer_names_every_field_at_fault);

async fn malformed_requests_are_refused_before_any_work(b: Backend) {
    let app = TestApp::spawn(b).await;
    let raw = |body: Vec<u8>, ctype: &'static str| {
        let app = &app;
        async move {
            let r = app
                .client
                .post(format!("{}/api/v1/tickets", app.base))
                .bearer_auth(ADMIN_TOKEN)
                .header("content-type", ctype)
                .body(body)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let ct = r.headers()["content-type"].to_str().unwrap().to_string();
            (status, ct, r.json::<serde_json::Value>().await.unwrap())
        }
    };
    let (s, ct, _) = raw(b"{not json".to_vec(), "application/json").await;
    assert_eq!((s, ct.as_str()), (400, "application/problem+json"));
    let (s, _, _) = raw(b"{}".to_vec(), "text/plain").await;
    assert_eq!(s, 415);
    let big = format!("{{\"subject\":\"s\",\"body\":\"{}\"}}", "x".repeat(300 * 1024));
    let (s, _, p) = raw(big.into_bytes(), "application/json").await;
    assert_eq!(s, 413, "{p}");

    let r = app.get("/api/v1/tickets?limit=0", ADMIN_TOKEN).await;
    assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (400, Some("limit")));
    let r = app.get("/api/v1/tickets?limit=abc", ADMIN_TOKEN).await;
    assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (400, Some("limit")));
    let r = app.get("/api/v1/tickets?cursor=garbage!", ADMIN_TOKEN).await;
    assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (400, Some("cursor")));
    let r = app.get("/api/v1/tickets?status=lost", ADMIN_TOKEN).await;
    assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (400, Some("status")));
    let r = app.get("/api/v1/tickets?colour=red", ADMIN_TOKEN).await;
    assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (400, Some("colour")));
    let r = app.req(Method::GET, "/api/v1/nothing-here", Some(ADMIN_TOKEN), None).await;
    assert_eq!(r.status, 404);
    // The framework's own refusals answer problem+json too.
    let problem = |path: &'static str, method: reqwest::Method| {
        let app = &app;
        async move {
            let r = app
                .client
                .request(method, format!("{}{path}", app.base))
                .bearer_auth(ADMIN_TOKEN)
                .send()
                .await
                .unwrap();
            let ct = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_string());
            (r.status().as_u16(), ct, r.json::<serde_json::Value>().await.ok())
        }
    };
    let (s, ct, body) = problem("/api/v1/tickets/abc", Method::GET).await;
    assert_eq!((s, ct.as_deref()), (400, Some("application/problem+json")));
    assert_eq!(body.unwrap()["field"], "id");
    let (s, ct, body) = problem("/api/v1/policy", Method::DELETE).await;
    assert_eq!((s, ct.as_deref()), (405, Some("application/problem+json")));
    assert_eq!(body.unwrap()["type"], "urn:triage:problem:method-not-allowed");
}
both!(malformed_requests_are_refused_before_any_work);

/// One rule for control characters on both backends: tab and line breaks are
/// text, every other control character (NUL among them, which PostgreSQL
/// cannot store) is a 422 naming the field, or a 400 naming the parameter.
async fn control_characters_are_refused_alike_on_both_backends(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "standard").await;
    app.customer(org, "c@acme.example").await;
    let ok = app
        .ticket(
            ADMIN_TOKEN,
            json!({"subject": "s", "body": "line one\n\tline two\r\n", "requester_email": "c@acme.example"}),
        )
        .await;
    let id = ok["id"].as_i64().unwrap();
    for (path, body, field) in [
        (
            "/api/v1/tickets".to_string(),
            json!({"subject": "s", "body": "nul \u{0} here", "requester_email": "c@acme.example"}),
            "body",
        ),
        (
            "/api/v1/tickets".to_string(),
            json!({"subject": "s", "body": "b", "requester_email": "c@acme.example", "external_id": "x\u{1b}"}),
            "external_id",
        ),
        (format!("/api/v1/tickets/{id}/comments"), json!({"body": "bell \u{7}"}), "body"),
        (
            format!("/api/v1/tickets/{id}/transition"),
            json!({"status": "open", "reason": "c1 \u{85} next line"}),
            "reason",
        ),
        ("/api/v1/organizations".to_string(), json!({"name": "Acme\u{0}", "account_type": "pro"}), "name"),
    ] {
        let r = app.post(&path, ADMIN_TOKEN, body.clone()).await;
        assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (422, Some(field)), "{path} {body}: {}", r.body);
    }
    for q in ["text=%00", "tag=a%00", "category=cards%01"] {
        let r = app.get(&format!("/api/v1/tickets?{q}"), ADMIN_TOKEN).await;
        assert_eq!(r.status, 400, "{q}: {}", r.body);
    }
    let list = app.get("/api/v1/tickets", ADMIN_TOKEN).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1, "nothing refused was stored");
}
both!(control_characters_are_refused_alike_on_both_backends);

/// Every number and date has a range, checked at the edge: a boost of 1e308
/// would put an organization's every ticket first; a plan change dated year 1
/// is a typo.
async fn numbers_and_dates_have_ranges(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "standard").await;
    let path = format!("/api/v1/organizations/{org}");
    for (body, field) in [
        (json!({"contract": {"priority_boost": 1e308}}), "contract.priority_boost"),
        (json!({"annual_value": 1e308}), "annual_value"),
        (json!({"seats": 1_000_000_000_000i64}), "seats"),
    ] {
        let r = app.patch(&path, ADMIN_TOKEN, body.clone()).await;
        assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (422, Some(field)), "{body}: {}", r.body);
    }
    for when in ["0001-01-01T00:00:00Z", "1969-12-31T23:59:59+00:00"] {
        let r =
            app.post(&format!("{path}/plan"), ADMIN_TOKEN, json!({"plan": "premium", "effective_from": when})).await;
        assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (422, Some("effective_from")), "{when}: {}", r.body);
    }
    // The year as written decides, whatever the offset.
    let r = app
        .post(
            &format!("{path}/plan"),
            ADMIN_TOKEN,
            json!({"plan": "premium", "effective_from": "1970-01-01T00:00:00+05:00"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app.get("/api/v1/reports/sla?from=0001-01-01T00:00:00Z", ADMIN_TOKEN).await;
    assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (400, Some("from")), "{}", r.body);
    let r = app
        .post(
            "/api/v1/plans",
            ADMIN_TOKEN,
            json!({"name": "Gold", "price_cents": i64::MAX, "channels": ["email"], "sla_policy": "premium"}),
        )
        .await;
    assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (422, Some("price_cents")), "{}", r.body);
}
both!(numbers_and_dates_have_ranges);
