//! Organizations, contacts, agents and the plan catalog.

use crate::both;
use crate::helpers::{Backend, TestApp, ADMIN_TOKEN};
use serde_json::json;

async fn plans_are_bought_upgraded_and_scheduled_with_history(b: Backend) {
    let app = TestApp::spawn(b).await;
    let plans = app.get("/api/v1/plans", ADMIN_TOKEN).await;
    let names: Vec<&str> =
        plans.body["items"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["basic", "standard", "premium", "enterprise"], "the policy's plans, cheapest first");

    let r = app
        .post(
            "/api/v1/organizations",
            ADMIN_TOKEN,
            json!({"name": "Globex", "account_type": "enterprise", "vip": true, "customer_category": "strategic",
                   "persona": "executive", "annual_value": 120000.0, "seats": 500, "timezone": "Europe/Berlin", "plan": "standard"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(r.body["plan"]["name"], "standard");
    assert_eq!(r.body["vip"], true);

    // Upgrade now, then schedule a downgrade for next year.
    let r = app
        .post(&format!("/api/v1/organizations/{id}/plan"), ADMIN_TOKEN, json!({"plan": "premium", "reason": "upsell"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["plan"]["name"], "premium");
    let r = app
        .post(
            &format!("/api/v1/organizations/{id}/plan"),
            ADMIN_TOKEN,
            json!({"plan": "basic", "effective_from": "2099-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(r.body["plan"]["name"], "premium", "a scheduled change is not in force yet");
    assert_eq!(r.body["scheduled_plan_change"]["effective_from"], "2099-01-01T00:00:00Z");
    let h = app.get(&format!("/api/v1/organizations/{id}/plan"), ADMIN_TOKEN).await;
    assert_eq!(h.body["items"].as_array().unwrap().len(), 3);
    assert_eq!(h.body["items"][1]["reason"], "upsell");

    // Segments are checked against the policy.
    let r = app.patch(&format!("/api/v1/organizations/{id}"), ADMIN_TOKEN, json!({"account_type": "platinum"})).await;
    assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (422, Some("account_type")));
    let r = app.patch(&format!("/api/v1/organizations/{id}"), ADMIN_TOKEN, json!({"timezone": "Mars/Olympus"})).await;
    assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (422, Some("timezone")));
    let r = app
        .patch(
            &format!("/api/v1/organizations/{id}"),
            ADMIN_TOKEN,
            json!({"customer_category": "at_risk", "persona": null}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["customer_category"], "at_risk");
    assert!(r.body["persona"].is_null());

    // Duplicate names conflict; retired plans cannot be bought; bought plans cannot be deleted.
    let r = app.post("/api/v1/organizations", ADMIN_TOKEN, json!({"name": "Globex", "account_type": "pro"})).await;
    assert_eq!(r.status, 409);
    assert_eq!(r.body["detail"], "name is already taken", "{}", r.body);
    let premium = plans.body["items"][2]["id"].as_i64().unwrap();
    assert_eq!(app.delete(&format!("/api/v1/plans/{premium}"), ADMIN_TOKEN).await.status, 409);
    let r = app.patch(&format!("/api/v1/plans/{premium}"), ADMIN_TOKEN, json!({"active": false})).await;
    assert_eq!(r.status, 200);
    let r = app.post(&format!("/api/v1/organizations/{id}/plan"), ADMIN_TOKEN, json!({"plan": premium})).await;
    assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (409, Some("plan")), "a retired plan: its state refuses");
}
both!(plans_are_bought_upgraded_and_scheduled_with_history);

async fn contacts_and_agents_are_managed_with_unique_logins(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "basic").await;
    let r = app
        .post(
            "/api/v1/contacts",
            ADMIN_TOKEN,
            json!({"organization_id": org, "name": "Ana", "email": "Ana@Acme.example"}),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["email"], "ana@acme.example");
    let r = app
        .post(
            "/api/v1/contacts",
            ADMIN_TOKEN,
            json!({"organization_id": org, "name": "Ana 2", "email": "ana@acme.example"}),
        )
        .await;
    assert_eq!(r.status, 409);
    let r = app
        .post("/api/v1/contacts", ADMIN_TOKEN, json!({"organization_id": org, "name": "X", "email": "not-an-email"}))
        .await;
    assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (422, Some("email")));
    let r = app
        .post("/api/v1/contacts", ADMIN_TOKEN, json!({"organization_id": 4242, "name": "X", "email": "x@y.example"}))
        .await;
    assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (409, Some("organization_id")), "well-formed, not there");

    let r = app
        .post("/api/v1/agents", ADMIN_TOKEN, json!({"name": "Chen", "email": "chen@support.example", "skills": [{"name": "security", "proficiency": 5}], "tier": "L2", "team": "trust", "capacity": 8, "timezone": "Asia/Singapore"}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].clone();
    assert_eq!(r.body["tier"], "L2");
    let r = app
        .post(
            "/api/v1/agents",
            ADMIN_TOKEN,
            json!({"name": "Bad", "email": "bad@support.example", "skills": [{"name": "x", "proficiency": 7}]}),
        )
        .await;
    assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (422, Some("skills[0].proficiency")));
    let r = app.patch(&format!("/api/v1/agents/{id}"), ADMIN_TOKEN, json!({"tier": "L3", "active": false})).await;
    assert_eq!(r.body["tier"], "L3");
    assert_eq!(r.body["active"], false);
    let list = app.get("/api/v1/agents", ADMIN_TOKEN).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 2, "the first admin and Chen");
    assert_eq!(app.delete(&format!("/api/v1/agents/{id}"), ADMIN_TOKEN).await.status, 204);
    assert_eq!(app.get(&format!("/api/v1/agents/{id}"), ADMIN_TOKEN).await.status, 404);
}
both!(contacts_and_agents_are_managed_with_unique_logins);

async fn a_moved_contact_files_tickets_under_the_new_organization(b: Backend) {
    let app = TestApp::spawn(b).await;
    let old = app.org("Old", "standard").await;
    let new = app.org("New", "standard").await;
    let (contact, _) = app.customer(old, "mover@x.example").await;
    let body = json!({"subject": "s", "body": "b", "requester_email": "mover@x.example"});
    let t = app.ticket(ADMIN_TOKEN, body.clone()).await;
    assert_eq!(t["organization_id"], old);
    let r = app.patch(&format!("/api/v1/contacts/{contact}"), ADMIN_TOKEN, json!({"organization_id": new})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let t = app.ticket(ADMIN_TOKEN, body).await;
    assert_eq!(t["organization_id"], new, "the contact lookup must not serve the old organization");
}
both!(a_moved_contact_files_tickets_under_the_new_organization);

async fn a_plan_upgrade_reprioritizes_open_tickets(b: Backend) {
    let app = TestApp::spawn_at_weekend(b).await;
    let org = app.org("Smallco", "basic").await;
    app.customer(org, "c@small.example").await;
    let t = app
        .ticket(
            ADMIN_TOKEN,
            json!({"subject": "s", "body": "b", "requester_email": "c@small.example", "impact": "moderate", "urgency": "medium",
                   "custom_fields": {"affected_users": 100, "environment": "production"}}),
        )
        .await;
    // P3 (40) + customer 2 + 100 users 5 + production 4 = 51; the basic plan adds nothing.
    assert_eq!(t["priority"], "P3", "{}", t["priority_explanation"]);
    assert!((t["priority_score"].as_f64().unwrap() - 51.0).abs() < 1e-6, "{}", t["priority_explanation"]);
    let id = t["id"].as_i64().unwrap();
    let r = app.post(&format!("/api/v1/organizations/{org}/plan"), ADMIN_TOKEN, json!({"plan": "enterprise"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let t = app.get(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN).await.body;
    // + enterprise plan 5 = 56, and enterprise targets count calendar time, so
    // the P3 first response due in two hours adds SLA points; the level stays P3
    // (11 + 5 points for who they are is under a level's 20).
    let contributions = t["priority_explanation"]["contributions"].as_array().unwrap();
    let part = |name: &str| {
        contributions.iter().filter(|c| c["strategy"] == name).map(|c| c["contribution"].as_f64().unwrap()).sum::<f64>()
    };
    let score = t["priority_score"].as_f64().unwrap();
    let sum: f64 = contributions.iter().map(|c| c["contribution"].as_f64().unwrap()).sum();
    assert!((score - sum).abs() < 1e-9, "the score is its explanation's sum");
    assert!((score - part("sla") - part("age") - 56.0).abs() < 1e-6, "{}", t["priority_explanation"]);
    assert!(part("sla") > 10.0, "the enterprise P3 target is two hours away: {}", t["priority_explanation"]);
    assert_eq!(t["priority"], "P3", "{}", t["priority_explanation"]);
    let plan = contributions.iter().find(|c| c["strategy"] == "plan").unwrap();
    assert_eq!(plan["reason"], "enterprise plan", "no reason from the old plan stays behind");
    let ev = app.get(&format!("/api/v1/tickets/{id}/events"), ADMIN_TOKEN).await.body;
    let last = ev["items"].as_array().unwrap().iter().rfind(|e| e["kind"] == "fields_changed").unwrap().clone();
    assert_eq!(last["actor"], "system");
    assert_eq!(last["reason"], "the organization's plan changed to `enterprise`");
    assert_eq!(last["data"]["changes"][0]["field"], "priority_score");
    // The ticket, its priority and the queue say the same at this instant.
    let p = app.get(&format!("/api/v1/tickets/{id}/priority"), ADMIN_TOKEN).await.body;
    let q = app.get("/api/v1/queue", ADMIN_TOKEN).await.body;
    let item = q["items"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap().clone();
    assert_eq!((p["level"].as_str(), item["level"].as_str()), (Some("P3"), Some("P3")));
    assert_eq!(p["score"].as_f64(), Some(score));
    assert_eq!((item["score"].as_f64(), item["priority_score"].as_f64()), (Some(score), Some(score)));
}
both!(a_plan_upgrade_reprioritizes_open_tickets);

async fn a_new_policy_version_rescores_open_tickets_once(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "standard").await;
    app.customer(org, "c@acme.example").await;
    let open = app
        .ticket(ADMIN_TOKEN, json!({"subject": "s", "body": "b", "requester_email": "c@acme.example", "impact": "moderate", "urgency": "medium"}))
        .await;
    let solved =
        app.ticket(ADMIN_TOKEN, json!({"subject": "s2", "body": "b", "requester_email": "c@acme.example"})).await;
    app.patch(&format!("/api/v1/tickets/{}", solved["id"]), ADMIN_TOKEN, json!({"status": "solved"})).await;
    assert_eq!(open["priority"], "P3");

    // The same policy, new version, where a moderate x medium ticket is a P2.
    let text = triage_core::policy::BUILTIN_TOML
        .replacen("version = \"default-2026.11\"", "version = \"stricter\"", 1)
        .replacen("[\"P2\", \"P2\", \"P3\", \"P4\"],", "[\"P2\", \"P2\", \"P2\", \"P4\"],", 1);
    let policy = triage_core::policy::Policy::from_toml("stricter.toml", &text).unwrap();
    let state =
        triage_server::AppState::new(app.store.clone(), policy, std::sync::Arc::new(triage_core::clock::SystemClock));
    let r = triage_server::rescore::rescore(&state, triage_server::rescore::Scope::OtherPolicyVersions).await.unwrap();
    assert_eq!((r.examined, r.level_changed), (1, 1), "only the open ticket");
    let t = app.get(&format!("/api/v1/tickets/{}", open["id"]), ADMIN_TOKEN).await.body;
    assert_eq!((t["priority"].as_str(), t["policy_version"].as_str()), (Some("P2"), Some("stricter")));
    let again =
        triage_server::rescore::rescore(&state, triage_server::rescore::Scope::OtherPolicyVersions).await.unwrap();
    assert_eq!(again.examined, 0, "nothing left under the old version");
}
both!(a_new_policy_version_rescores_open_tickets_once);
