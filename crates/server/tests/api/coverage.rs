//! No ticket is escalated into a void: hand-offs and SLA escalations go where
//! someone works (the nearest tier with an agent) or stay and say so; the
//! places the policy routes to without an agent are named; views by category
//! follow their tickets wherever they sit.

use crate::both;
use crate::helpers::{Backend, TestApp, ADMIN_TOKEN};
use serde_json::{json, Value};

async fn open(app: &TestApp, category: &str, impact: &str, urgency: &str) -> Value {
    app.ticket(
        ADMIN_TOKEN,
        json!({"subject": format!("{category} problem"), "body": "b", "requester_email": "c@acme.example",
               "category": category, "impact": impact, "urgency": urgency}),
    )
    .await
}

fn handoff(to: &str) -> Value {
    json!({"to": to, "what_was_tried": "the usual", "what_is_needed": "someone senior"})
}

async fn hand_offs_land_where_someone_works_or_stay_and_say_so(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "standard").await;
    app.customer(org, "c@acme.example").await;
    let (ana, token) = app.agent_in("ana@s.example", "payments", "L1", &["cards"]).await;
    let t = open(&app, "cards", "minor", "low").await;
    let id = t["id"].as_i64().unwrap();
    assert_eq!(t["assignee_id"], ana);

    // Nobody of payments above L1: it stays with Ana, and the team is told.
    let r = app.post(&format!("/api/v1/tickets/{id}/escalate"), &token, handoff("next_tier")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!((r.body["team"].as_str(), r.body["tier"].as_str()), (Some("payments"), Some("L1")));
    assert_eq!(r.body["assignee_id"], ana, "nobody else could take it");
    assert_eq!(r.body["landing"]["landed"], "stayed", "the answer says so: {}", r.body);
    let ev = app.get(&format!("/api/v1/tickets/{id}/events"), ADMIN_TOKEN).await.body;
    let esc = ev["items"].as_array().unwrap().iter().rfind(|e| e["kind"] == "escalated").unwrap().clone();
    assert_eq!(esc["data"]["landing"]["landed"], "stayed", "{esc}");
    assert!(esc["reason"].as_str().unwrap().contains("nobody of payments works at L2 or above"), "{esc}");
    let n = app.get("/api/v1/notifications?recipient=team:payments", ADMIN_TOKEN).await.body;
    assert!(n["items"].as_array().unwrap().iter().any(|n| n["kind"] == "handoff_stuck"), "{n}");

    // A senior agent arrives (L3 covers L2): the hand-off lands where asked.
    let r = app
        .post(
            "/api/v1/agents",
            ADMIN_TOKEN,
            json!({"name": "Sam", "email": "sam@s.example", "team": "payments", "tier": "L3", "skills": [{"name": "cards", "proficiency": 5}]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = app.post(&format!("/api/v1/tickets/{id}/escalate"), &token, handoff("next_tier")).await;
    assert_eq!((r.body["tier"].as_str(), r.body["assignee_id"].is_null()), (Some("L2"), true), "{}", r.body);

    // Another team with nobody: it stays where it is.
    let r = app.post(&format!("/api/v1/tickets/{id}/escalate"), ADMIN_TOKEN, handoff("team:trust_and_safety")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["team"], "payments");
    // Another team whose most senior agent is L1: its L1.
    app.agent_in("bo@s.example", "billing", "L1", &["billing"]).await;
    let r = app.post(&format!("/api/v1/tickets/{id}/escalate"), ADMIN_TOKEN, handoff("team:billing")).await;
    assert_eq!((r.body["team"].as_str(), r.body["tier"].as_str()), (Some("billing"), Some("L1")), "{}", r.body);
    let ev = app.get(&format!("/api/v1/tickets/{id}/events"), ADMIN_TOKEN).await.body;
    let esc = ev["items"].as_array().unwrap().iter().rfind(|e| e["kind"] == "escalated").unwrap().clone();
    assert_eq!(esc["data"]["landing"]["landed"], "nearest_tier", "{esc}");
}
both!(hand_offs_land_where_someone_works_or_stay_and_say_so);

async fn views_follow_their_tickets_and_a_new_category_routes_like_intake(b: Backend) {
    let app = TestApp::spawn_at_weekend(b).await;
    let org = app.org("Acme", "standard").await;
    app.customer(org, "c@acme.example").await;
    app.agent_in("dara@s.example", "engineering_support", "L2", &["technical"]).await;
    let t = open(&app, "security", "significant", "critical").await;
    let id = t["id"].as_i64().unwrap();
    assert_eq!((t["team"].as_str(), t["tier"].as_str()), (Some("trust_and_safety"), Some("L2")));
    let r = app.post(&format!("/api/v1/tickets/{id}/escalate"), ADMIN_TOKEN, handoff("team:engineering_support")).await;
    assert_eq!(r.body["team"], "engineering_support", "{}", r.body);
    // The trust-and-safety view selects security tickets wherever they sit.
    let q = app.get("/api/v1/queue?view=trust-and-safety", ADMIN_TOKEN).await.body;
    let ids: Vec<i64> = q["items"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [id], "{q}");
    let q = app.get("/api/v1/queue?team=trust_and_safety", ADMIN_TOKEN).await.body;
    assert!(q["items"].as_array().unwrap().is_empty(), "the team's queue is where tickets sit: {q}");

    // Recategorized: team and tier follow the new category, as on intake.
    let c = open(&app, "cards", "minor", "low").await;
    let cid = c["id"].as_i64().unwrap();
    let r = app.patch(&format!("/api/v1/tickets/{cid}"), ADMIN_TOKEN, json!({"category": "technical"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!((r.body["team"].as_str(), r.body["tier"].as_str()), (Some("engineering_support"), Some("L2")));
}
both!(views_follow_their_tickets_and_a_new_category_routes_like_intake);

async fn agents_hear_of_gaps_and_the_last_admin_stays(b: Backend) {
    let app = TestApp::spawn(b).await;
    let r = app
        .post(
            "/api/v1/agents",
            ADMIN_TOKEN,
            json!({"name": "Ana", "email": "ana@s.example", "team": "payments",
              "skills": [{"name": "cards", "proficiency": 3}]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let warnings: Vec<&str> = r.body["warnings"].as_array().unwrap().iter().filter_map(|w| w.as_str()).collect();
    assert!(
        warnings.iter().any(|w| w.starts_with("category `account` routes to team `accounts` at L1")),
        "{warnings:?}"
    );
    assert!(!warnings.iter().any(|w| w.starts_with("category `cards`")), "cards are covered now: {warnings:?}");
    let ana = r.body["id"].as_i64().unwrap();
    let token = app.token("agent", "ana@s.example").await;
    // Agents set their own availability, nothing else of theirs, nobody else's.
    let r = app.patch(&format!("/api/v1/agents/{ana}"), &token, json!({"availability": "away"})).await;
    assert_eq!((r.status.as_u16(), r.body["availability"].as_str()), (200, Some("away")), "{}", r.body);
    let r = app.patch(&format!("/api/v1/agents/{ana}"), &token, json!({"availability": "online", "tier": "L3"})).await;
    assert_eq!(r.status, 403, "{}", r.body);
    let me = app.get("/api/v1/me", ADMIN_TOKEN).await.body;
    let admin = me["user_id"].as_i64().unwrap();
    let r = app.patch(&format!("/api/v1/agents/{admin}"), &token, json!({"availability": "away"})).await;
    assert_eq!(r.status, 403);
    // The last active admin can be neither demoted, deactivated nor removed.
    let r = app.patch(&format!("/api/v1/agents/{admin}"), ADMIN_TOKEN, json!({"active": false})).await;
    assert_eq!(r.status, 409, "{}", r.body);
    let r = app.patch(&format!("/api/v1/agents/{ana}"), ADMIN_TOKEN, json!({"role": "admin"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let second = app.token("admin", "ana@s.example").await;
    let r = app.patch(&format!("/api/v1/agents/{admin}"), &second, json!({"role": "agent"})).await;
    assert_eq!(r.status, 200, "with another admin, a demotion is fine: {}", r.body);
    let r = app.patch(&format!("/api/v1/agents/{ana}"), &second, json!({"active": false})).await;
    assert_eq!(r.status, 409, "now Ana is the last one: {}", r.body);
    let r = app.delete(&format!("/api/v1/agents/{ana}"), &second).await;
    assert_eq!(r.status, 409, "{}", r.body);
}
both!(agents_hear_of_gaps_and_the_last_admin_stays);

async fn an_sla_escalation_moves_a_ticket_only_where_someone_works(b: Backend) {
    use std::sync::Arc;
    let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&chrono::Utc);
    let clock = Arc::new(triage_core::clock::ManualClock::new(at("2026-11-30T09:00:00Z")));
    let app = TestApp::spawn_with_clock(b, clock.clone()).await;
    let org = app.org("Acme", "standard").await;
    app.customer(org, "c@acme.example").await;
    app.agent_in("ana@s.example", "payments", "L1", &["cards"]).await;
    // P2: resolution within 48 business hours (Tue 8 Dec, 10:00 Berlin); its
    // breach sends it to the next tier.
    let first = open(&app, "cards", "significant", "high").await["id"].as_i64().unwrap();
    clock.set(at("2026-12-09T09:00:00Z"));
    triage_server::sla::ticker::tick(&app.state).await.unwrap();
    let t = app.get(&format!("/api/v1/tickets/{first}"), ADMIN_TOKEN).await.body;
    assert_eq!((t["tier"].as_str(), t["sla"]["resolution"]["state"].as_str()), (Some("L1"), Some("breached")), "{t}");
    let ev = app.get(&format!("/api/v1/tickets/{first}/events"), ADMIN_TOKEN).await.body;
    let breach = ev["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "sla_breached" && e["data"]["clock"] == "resolution")
        .unwrap()
        .clone();
    assert_eq!(breach["data"]["reassign"][0]["landing"]["landed"], "stayed", "{breach}");
    let n = app.get("/api/v1/notifications?recipient=team:payments", ADMIN_TOKEN).await.body;
    assert!(n["items"].as_array().unwrap().iter().any(|n| n["kind"] == "escalation_stuck"), "{n}");

    // With an L2 agent, the next breach moves its ticket up.
    app.agent_in("farah@s.example", "payments", "L2", &["cards"]).await;
    clock.set(at("2026-12-09T10:00:00Z"));
    let second = open(&app, "cards", "significant", "high").await["id"].as_i64().unwrap();
    clock.set(at("2026-12-18T09:00:00Z"));
    triage_server::sla::ticker::tick(&app.state).await.unwrap();
    let t = app.get(&format!("/api/v1/tickets/{second}"), ADMIN_TOKEN).await.body;
    assert_eq!(t["tier"], "L2", "{t}");
    let r = app.get("/api/v1/reports/routing?from=2026-11-01T00:00:00Z", ADMIN_TOKEN).await.body;
    assert_eq!((r["sla_reassignments"].as_u64(), r["sla_reassignments_stayed"].as_u64()), (Some(1), Some(1)), "{r}");
}
both!(an_sla_escalation_moves_a_ticket_only_where_someone_works);
