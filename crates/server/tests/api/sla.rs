//! SLA clocks on `GET /api/v1/tickets/{id}`.

use crate::both;
use crate::helpers::{Backend, TestApp, ADMIN_TOKEN};
use serde_json::json;
use triage_core::policy::Policy;

async fn a_ticket_carries_its_sla_clocks(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "standard").await;
    let (_, customer_token) = app.customer(org, "c@acme.example").await;
    let (_, agent_token) = app.agent("ann@triage.example").await;
    let t = app
        .ticket(
            ADMIN_TOKEN,
            json!({"subject": "Transfer stuck", "body": "details", "requester_email": "c@acme.example",
                   "impact": "significant", "urgency": "high", "category": "transfers"}),
        )
        .await;
    let id = t["id"].as_i64().unwrap();
    let level = t["priority"].as_str().unwrap().to_string();
    let p = Policy::builtin();
    let targets = &p.sla_policy("standard").unwrap().targets[&level];

    let r = app.get(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let sla = &r.body["sla"];
    let fr = &sla["first_response"];
    assert_eq!(fr["target_seconds"], targets.first_response.unwrap(), "{sla}");
    assert!(chrono::DateTime::parse_from_rfc3339(fr["due"].as_str().unwrap()).is_ok(), "{fr}");
    assert!(["running", "breached"].contains(&fr["state"].as_str().unwrap()), "{fr}");
    assert_eq!(sla["resolution"]["target_seconds"], targets.resolution.unwrap());
    assert!(sla["next_reply"].is_null(), "no customer reply waits yet: {sla}");
    // The next due time is stored with the ticket (the SLA strategy and the queue read it).
    let due = |v: &serde_json::Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    assert_eq!(due(&r.body["sla_due_at"]), due(&fr["due"]), "{}", r.body);
    // The customer is told when to expect an answer, in plain words.
    let r = app.get(&format!("/api/v1/tickets/{id}"), &customer_token).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let promise = r.body["promise"].as_str().unwrap_or_default();
    assert!(
        promise.starts_with("We will reply by ") && (promise.ends_with(" CET.") || promise.ends_with(" CEST.")),
        "{promise}"
    );

    // Waiting on the customer stops the clocks.
    let r = app
        .post(&format!("/api/v1/tickets/{id}/transition"), &agent_token, json!({"status": "pending_customer"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app.get(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN).await;
    assert_eq!(r.body["sla"]["resolution"]["paused"], true, "{}", r.body["sla"]);
    // Nothing runs while paused: the stored due time clears once followed up.
    app.drain().await;
    let cleared = app.get(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN).await.body["sla_due_at"].is_null();
    assert!(cleared, "sla_due_at cleared while waiting on the customer");

    // An agent's reply right away meets the first-response target.
    let r =
        app.post(&format!("/api/v1/tickets/{id}/comments"), &agent_token, json!({"body": "Looking into it."})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = app.get(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN).await;
    assert_eq!(r.body["sla"]["first_response"]["state"], "met", "{}", r.body["sla"]);
}
both!(a_ticket_carries_its_sla_clocks);
