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

/// A token gives its owner's current rights, on every server process at once:
/// demoting or deactivating a person, or revoking a token, takes effect on the
/// next request anywhere (not after a cache expires).
async fn rights_follow_the_person_on_every_process(b: Backend) {
    let app = TestApp::spawn(b).await;
    let other = app.second_server().await;
    let on_other = |path: &str, token: &str| {
        let (url, token) = (format!("{other}{path}"), token.to_string());
        let client = app.client.clone();
        async move { client.get(url).bearer_auth(token).send().await.unwrap().status().as_u16() }
    };
    let (bea, _) = app.agent("bea@support.example").await;
    let r = app.patch(&format!("/api/v1/agents/{bea}"), ADMIN_TOKEN, json!({"role": "admin"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let bea_admin = app.token("admin", "bea@support.example").await;
    // Both processes have seen (and cached) the admin token.
    assert_eq!(app.get("/api/v1/tokens", &bea_admin).await.status, 200);
    assert_eq!(on_other("/api/v1/tokens", &bea_admin).await, 200);

    // Demoted on one process: an agent's rights on both, at once.
    let r = app.patch(&format!("/api/v1/agents/{bea}"), ADMIN_TOKEN, json!({"role": "agent"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(app.get("/api/v1/tokens", &bea_admin).await.status, 403);
    assert_eq!(on_other("/api/v1/tokens", &bea_admin).await, 403, "the other process follows at once");
    let mint = app.post("/api/v1/tokens", &bea_admin, json!({"role": "admin", "user": "bea@support.example"})).await;
    assert_eq!(mint.status, 403, "a demoted admin cannot mint an admin token: {}", mint.body);
    let back = app.patch(&format!("/api/v1/agents/{bea}"), &bea_admin, json!({"role": "admin"})).await;
    assert_eq!(back.status, 403, "nor promote themselves back");
    assert_eq!(app.get("/api/v1/queue", &bea_admin).await.status, 200, "still an agent");
    let tokens = app.get("/api/v1/tokens", ADMIN_TOKEN).await;
    let theirs = tokens.body["items"].as_array().unwrap().iter().find(|t| t["user_id"] == bea && t["role"] == "admin");
    assert_eq!(theirs.unwrap()["acts_as"], "agent", "the list says what the token gives now: {}", tokens.body);

    // Deactivated: nothing, anywhere.
    let r = app.patch(&format!("/api/v1/agents/{bea}"), ADMIN_TOKEN, json!({"active": false})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(on_other("/api/v1/queue", &bea_admin).await, 401);

    // A token revoked on one process is refused by the other on its next use.
    let (_, cara) = app.agent("cara@support.example").await;
    assert_eq!(on_other("/api/v1/queue", &cara).await, 200);
    let tokens = app.get("/api/v1/tokens", ADMIN_TOKEN).await;
    let id = tokens.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|t| t["user_id"].is_i64() && t["role"] == "agent")
        .and_then(|t| t["id"].as_i64())
        .unwrap();
    assert_eq!(app.delete(&format!("/api/v1/tokens/{id}"), ADMIN_TOKEN).await.status, 200);
    assert_eq!(on_other("/api/v1/queue", &cara).await, 401);
}
both!(rights_follow_the_person_on_every_process);

/// Commercial terms (plan, contract overrides, annual value) are an admin's on
/// every path, as `POST /organizations/{id}/plan` is.
async fn commercial_terms_are_an_admins(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "standard").await;
    let (_, agent) = app.agent("a@support.example").await;
    for body in [
        json!({"name": "Big", "account_type": "enterprise", "plan": "enterprise"}),
        json!({"name": "Big", "account_type": "enterprise", "contract": {"priority_boost": 50}}),
        json!({"name": "Big", "account_type": "enterprise", "annual_value": 1000000.0}),
    ] {
        let r = app.post("/api/v1/organizations", &agent, body.clone()).await;
        assert_eq!(r.status, 403, "{body}: {}", r.body);
    }
    for body in [json!({"contract": {"sla_policy": "enterprise"}}), json!({"annual_value": 5.0})] {
        let r = app.patch(&format!("/api/v1/organizations/{org}"), &agent, body.clone()).await;
        assert_eq!(r.status, 403, "{body}: {}", r.body);
    }
    // What agents keep: the customer's segments and contacts.
    let r = app.patch(&format!("/api/v1/organizations/{org}"), &agent, json!({"vip": true, "seats": 40})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app.post("/api/v1/organizations", &agent, json!({"name": "Small", "account_type": "free"})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = app
        .patch(&format!("/api/v1/organizations/{org}"), ADMIN_TOKEN, json!({"contract": {"priority_boost": 5}}))
        .await;
    assert_eq!(r.status, 200, "an admin may: {}", r.body);
}
both!(commercial_terms_are_an_admins);
