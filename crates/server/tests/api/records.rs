//! Records people keep: notifications marked read by those they are for, and a
//! contact's personal data erased on request while their tickets stay.

use crate::both;
use crate::helpers::{Backend, TestApp, ADMIN_TOKEN};
use serde_json::json;

async fn notifications_are_marked_read_by_whom_they_are_for(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "standard").await;
    app.customer(org, "c@acme.example").await;
    let (_, ana) = app.agent_in("ana@s.example", "payments", "L1", &["cards"]).await;
    let (_, bo) = app.agent_in("bo@s.example", "billing", "L1", &["billing"]).await;
    let t = app
        .ticket(
            ADMIN_TOKEN,
            json!({"subject": "s", "body": "b", "requester_email": "c@acme.example", "category": "cards"}),
        )
        .await;
    // Nobody above L1 in payments: the hand-off stays, and the team is told.
    let note = json!({"to": "next_tier", "what_was_tried": "all", "what_is_needed": "help"});
    app.post(&format!("/api/v1/tickets/{}/escalate", t["id"]), &ana, note).await;
    let mine = app.get("/api/v1/notifications", &ana).await.body;
    let n = mine["items"].as_array().unwrap().iter().find(|n| n["kind"] == "handoff_stuck").unwrap().clone();
    assert!(n["read_at"].is_null());
    let id = n["id"].as_i64().unwrap();
    assert_eq!(
        app.post(&format!("/api/v1/notifications/{id}/read"), &bo, json!({})).await.status,
        404,
        "not billing's"
    );
    let r = app.post(&format!("/api/v1/notifications/{id}/read"), &ana, json!({})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let first = r.body["read_at"].clone();
    assert!(first.is_string());
    let again = app.post(&format!("/api/v1/notifications/{id}/read"), ADMIN_TOKEN, json!({})).await;
    assert_eq!(again.body["read_at"], first, "read once: the first instant stays");
}
both!(notifications_are_marked_read_by_whom_they_are_for);

async fn a_contact_is_erased_on_request_and_their_tickets_stay(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "standard").await;
    let (contact, customer) = app.customer(org, "ana.secret@acme.example").await;
    let t = app.ticket(&customer, json!({"subject": "I am Ana Secret", "body": "Call me on 555-0100"})).await;
    let id = t["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/tickets/{id}/comments"), &customer, json!({"body": "My address is 1 Main St"})).await;
    app.post(&format!("/api/v1/tickets/{id}/comments"), ADMIN_TOKEN, json!({"body": "We will call you."})).await;
    let (_, agent) = app.agent("agent@s.example").await;
    assert_eq!(app.post(&format!("/api/v1/contacts/{contact}/erase"), &agent, json!({})).await.status, 403);

    let r = app.post(&format!("/api/v1/contacts/{contact}/erase"), ADMIN_TOKEN, json!({})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["tickets"], json!([id]));
    assert_eq!(r.body["contact"]["email"], format!("erased-{contact}@erased.invalid"));
    let t = app.get(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN).await.body;
    assert_eq!((t["subject"].as_str(), t["body"].as_str()), (Some("[erased on request]"), Some("[erased on request]")));
    assert_eq!(t["requester_id"], contact, "the ticket stays, for reporting");
    let thread = app.get(&format!("/api/v1/tickets/{id}/comments"), ADMIN_TOKEN).await.body;
    let bodies: Vec<&str> = thread["items"].as_array().unwrap().iter().map(|c| c["body"].as_str().unwrap()).collect();
    assert!(bodies.contains(&"[erased on request]") && bodies.contains(&"We will call you."), "{bodies:?}");
    assert!(!bodies.iter().any(|b| b.contains("Main St")), "{bodies:?}");
    let ev = app.get(&format!("/api/v1/tickets/{id}/events"), ADMIN_TOKEN).await.body;
    assert!(
        ev["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["reason"] == "the requester's personal data erased on request"),
        "the erasure is in the log: {ev}"
    );
    assert_eq!(app.get("/api/v1/tickets", &customer).await.status, 401, "their tokens no longer work");
    let report = app.get("/api/v1/reports/sla", ADMIN_TOKEN).await.body;
    assert_eq!(report["tickets"], 1, "reports still count it");
}
both!(a_contact_is_erased_on_request_and_their_tickets_stay);

async fn plans_changed_in_the_database_are_named_against_the_policy(b: Backend) {
    let app = TestApp::spawn(b).await;
    let policy = triage_core::policy::Policy::builtin();
    assert!(triage_server::bootstrap::plan_divergence(&app.store, &policy).await.unwrap().is_empty());
    let plans = app.get("/api/v1/plans", ADMIN_TOKEN).await.body;
    let standard = plans["items"].as_array().unwrap().iter().find(|p| p["name"] == "standard").unwrap()["id"].clone();
    let r = app.patch(&format!("/api/v1/plans/{standard}"), ADMIN_TOKEN, json!({"price_cents": 59900})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let d = triage_server::bootstrap::plan_divergence(&app.store, &policy).await.unwrap();
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].starts_with("plan `standard` in the database differs from the policy file: price 59900 (policy 49900); the database's is in force"), "{}", d[0]);
}
both!(plans_changed_in_the_database_are_named_against_the_policy);

/// An import can name the first admin's address in its history (an inactive
/// placeholder agent); the server that starts on it still gives that address a
/// working admin token.
#[tokio::test]
async fn the_first_admin_named_by_imported_history_can_sign_in() {
    use triage_core::agent::{Agent, AgentRole};
    let db = triage_store::scratch::ScratchDatabase::new(triage_store::Backend::Sqlite).await;
    let store = triage_store::Store::connect(&triage_store::DatabaseUrl::parse(&db.url).unwrap()).await.unwrap();
    let now = chrono::Utc::now();
    let email = triage_core::email::Email::parse(triage_server::bootstrap::FIRST_ADMIN_EMAIL).unwrap();
    let placeholder = Agent { active: false, ..Agent::new("admin", email.clone(), now) };
    store.create_agent(&placeholder, now).await.unwrap();
    let policy = triage_core::policy::Policy::builtin();
    let token = triage_server::bootstrap::prepare(&store, &policy, None, now).await.unwrap();
    assert!(token.is_some(), "a token for the first admin");
    let a = store.get_agent_by_email(&email).await.unwrap();
    assert_eq!((a.role, a.active), (AgentRole::Admin, true));
    store.close().await;
}
