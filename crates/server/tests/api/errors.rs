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
        (with("category", json!("plumbing")), 422, "category"),
        (with("impact", json!("huge")), 422, "impact"),
        (with("channel", json!("pigeon")), 422, "channel"),
        (with("tags", json!(["has space"])), 422, "tags[0]"),
        (with("custom_fields", json!({"affected_users": "many"})), 422, "custom_fields.affected_users"),
        (with("custom_fields", json!({"colour": "red"})), 422, "custom_fields.colour"),
        (with("requester_email", json!("nobody@acme.example")), 422, "requester_email"),
        (with("assignee_id", json!(9999)), 422, "assignee_id"),
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
}
both!(malformed_requests_are_refused_before_any_work);
