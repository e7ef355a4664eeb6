//! Who may see and do what. Denials are 403 or 404 and leak nothing.

use crate::both;
use crate::helpers::{Backend, TestApp, ADMIN_TOKEN};
use serde_json::json;

async fn a_customer_never_sees_another_organizations_tickets(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org_a = app.org("Org A", "standard").await;
    let org_b = app.org("Org B", "standard").await;
    let (_, cust_a) = app.customer(org_a, "a@a.example").await;
    let (_, cust_b) = app.customer(org_b, "b@b.example").await;
    let t = app.ticket(&cust_a, json!({"subject": "A's secret", "body": "only for A"})).await;
    let id = t["id"].as_i64().unwrap();
    app.ticket(&cust_b, json!({"subject": "B's own", "body": "for B"})).await;

    let by_id = app.get(&format!("/api/v1/tickets/{id}"), &cust_b).await;
    let missing = app.get("/api/v1/tickets/999999", &cust_b).await;
    assert_eq!(by_id.status, 404);
    assert_eq!(by_id.body, missing.body, "another org's ticket looks exactly like a missing one");

    let list = app.get("/api/v1/tickets", &cust_b).await;
    let subjects: Vec<&str> =
        list.body["items"].as_array().unwrap().iter().map(|t| t["subject"].as_str().unwrap()).collect();
    assert_eq!(subjects, ["B's own"]);
    let list = app.get(&format!("/api/v1/tickets?organization={org_a}"), &cust_b).await;
    assert_eq!(list.body["items"], json!([]));
    let list = app.get("/api/v1/tickets?text=secret", &cust_b).await;
    assert_eq!(list.body["items"], json!([]));

    for (method, path) in [
        ("POST", format!("/api/v1/tickets/{id}/comments")),
        ("GET", format!("/api/v1/tickets/{id}/comments")),
        ("GET", format!("/api/v1/tickets/{id}/events")),
        ("POST", format!("/api/v1/tickets/{id}/transition")),
        ("PATCH", format!("/api/v1/tickets/{id}")),
        ("GET", format!("/api/v1/organizations/{org_a}")),
    ] {
        let body = if path.ends_with("comments") { json!({"body": "x"}) } else { json!({"status": "solved"}) };
        let r = match method {
            "POST" => app.post(&path, &cust_b, body).await,
            "PATCH" => app.patch(&path, &cust_b, json!({"subject": "x"})).await,
            _ => app.get(&path, &cust_b).await,
        };
        assert_eq!(r.status, 404, "{method} {path}: {}", r.body);
    }
    // The owner can read it; the ticket is unchanged by the attempts.
    let r = app.get(&format!("/api/v1/tickets/{id}"), &cust_a).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["subject"], "A's secret");
    let t = app.get(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN).await.body;
    assert_eq!(t["version"], 1);
}
both!(a_customer_never_sees_another_organizations_tickets);

async fn roles_limit_what_each_caller_can_change(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org = app.org("Org", "standard").await;
    let (_, cust) = app.customer(org, "c@o.example").await;
    let (_, agent) = app.agent("agent@support.example").await;

    // Customers cannot edit tickets, see events, or list agents.
    let t = app.ticket(&cust, json!({"subject": "s", "body": "b"})).await;
    let id = t["id"].clone();
    assert_eq!(app.patch(&format!("/api/v1/tickets/{id}"), &cust, json!({"subject": "x"})).await.status, 403);
    assert_eq!(app.get(&format!("/api/v1/tickets/{id}/events"), &cust).await.status, 403);
    assert_eq!(app.get("/api/v1/agents", &cust).await.status, 403);
    assert_eq!(app.get("/api/v1/policy", &cust).await.status, 403);
    let r = app.post("/api/v1/tickets", &cust, json!({"subject": "s", "body": "b", "priority": "P1"})).await;
    assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (422, Some("priority")));
    assert_eq!(
        app.post(&format!("/api/v1/tickets/{id}/transition"), &cust, json!({"status": "open"})).await.status,
        403
    );

    // Agents work tickets but cannot change policy, plans, agents or tokens.
    assert_eq!(app.patch(&format!("/api/v1/tickets/{id}"), &agent, json!({"category": "cards"})).await.status, 200);
    assert_eq!(app.get("/api/v1/policy", &agent).await.status, 200);
    let plan = json!({"name": "gold", "price_cents": 100, "channels": ["email"], "sla_policy": "standard"});
    assert_eq!(app.post("/api/v1/plans", &agent, plan.clone()).await.status, 403);
    assert_eq!(app.post("/api/v1/agents", &agent, json!({"name": "x", "email": "x@y.example"})).await.status, 403);
    assert_eq!(
        app.post("/api/v1/tokens", &agent, json!({"role": "admin", "user": "agent@support.example"})).await.status,
        403
    );
    assert_eq!(app.get("/api/v1/tokens", &agent).await.status, 403);
    assert_eq!(
        app.post(&format!("/api/v1/organizations/{org}/plan"), &agent, json!({"plan": "enterprise"})).await.status,
        403
    );
    assert_eq!(app.post("/api/v1/plans", ADMIN_TOKEN, plan).await.status, 201);

    // An agent cannot be given an admin token without being an admin.
    let r = app.post("/api/v1/tokens", ADMIN_TOKEN, json!({"role": "admin", "user": "agent@support.example"})).await;
    assert_eq!(
        (r.status.as_u16(), r.body["field"].as_str()),
        (409, Some("role")),
        "a valid role the person does not hold"
    );
}
both!(roles_limit_what_each_caller_can_change);

async fn revoked_and_unknown_tokens_are_refused(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, agent) = app.agent("a@support.example").await;
    let me = app.get("/api/v1/me", &agent).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["role"], "agent");
    let tokens = app.get("/api/v1/tokens", ADMIN_TOKEN).await;
    let id = tokens.body["items"].as_array().unwrap().iter().find(|t| t["role"] == "agent").unwrap()["id"].clone();
    assert!(tokens.body.to_string().find(&agent).is_none(), "token secrets are never listed");
    let r = app.delete(&format!("/api/v1/tokens/{id}"), ADMIN_TOKEN).await;
    assert_eq!(r.status, 200);
    assert!(r.body["revoked_at"].is_string());
    let r = app.get("/api/v1/me", &agent).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.headers["www-authenticate"], "Bearer");
    assert_eq!(app.get("/api/v1/me", "trg_not_a_token").await.status, 401);
    let r = app.req(reqwest::Method::GET, "/api/v1/tickets", None, None).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.headers["content-type"], "application/problem+json");
}
both!(revoked_and_unknown_tokens_are_refused);
