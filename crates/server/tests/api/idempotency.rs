//! `Idempotency-Key`: a retried ticket creation returns the first ticket.

use crate::both;
use crate::helpers::{Backend, TestApp, ADMIN_TOKEN};
use serde_json::json;

async fn post_with_key(app: &TestApp, token: &str, key: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
    let r = app
        .client
        .post(format!("{}/api/v1/tickets", app.base))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn a_retried_create_returns_the_first_ticket(b: Backend) {
    // The clock stands still, so the score (which moves with waiting time) too.
    let app = TestApp::spawn_at_weekend(b).await;
    let org = app.org("Acme", "standard").await;
    let (_, cust) = app.customer(org, "c@acme.example").await;
    let body = json!({"subject": "Payment failed", "body": "twice"});
    let (s1, t1) = post_with_key(&app, &cust, "key-1", &body).await;
    let (s2, t2) = post_with_key(&app, &cust, "key-1", &body).await;
    assert_eq!((s1, s2), (201, 200));
    assert_eq!(t1["id"], t2["id"]);
    // The replay is the stored ticket; the promise is told once, when it was made.
    let mut t1 = t1;
    assert!(t1["promise"].as_str().is_some_and(|t| t.starts_with("We will reply by")), "{t1}");
    t1.as_object_mut().unwrap().remove("promise");
    assert_eq!(t1, t2);

    // The same request written differently (spacing, key order) is the same request.
    let r = app
        .client
        .post(format!("{}/api/v1/tickets", app.base))
        .bearer_auth(&cust)
        .header("Idempotency-Key", "key-1")
        .header("content-type", "application/json")
        .body("{ \"body\" : \"twice\",\n  \"subject\": \"Payment failed\" }")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "same JSON, other bytes: a replay");

    // Same key, different request: refused, nothing stored.
    let (s3, p) = post_with_key(&app, &cust, "key-1", &json!({"subject": "Other", "body": "x"})).await;
    assert_eq!(s3, 409, "{p}");
    // Keys are per caller: another user's same key is a new ticket.
    let (s4, t4) = post_with_key(
        &app,
        ADMIN_TOKEN,
        "key-1",
        &json!({"subject": "Payment failed", "body": "twice", "requester_email": "c@acme.example"}),
    )
    .await;
    assert_eq!(s4, 201);
    assert_ne!(t4["id"], t1["id"]);

    let list = app.get("/api/v1/tickets", ADMIN_TOKEN).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 2);
}
both!(a_retried_create_returns_the_first_ticket);

async fn concurrent_retries_make_exactly_one_ticket(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "standard").await;
    let (_, cust) = app.customer(org, "c@acme.example").await;
    let body = json!({"subject": "Storm", "body": "same request sent 16 times at once"});
    let results = futures_join(&app, &cust, &body).await;
    let ids: std::collections::BTreeSet<i64> = results.iter().map(|(_, t)| t["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 1, "{results:?}");
    assert_eq!(results.iter().filter(|(s, _)| *s == 201).count(), 1);
    let list = app.get("/api/v1/tickets", ADMIN_TOKEN).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
}
both!(concurrent_retries_make_exactly_one_ticket);

async fn futures_join(app: &TestApp, token: &str, body: &serde_json::Value) -> Vec<(u16, serde_json::Value)> {
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let (client, base, token, body) = (app.client.clone(), app.base.clone(), token.to_string(), body.clone());
        set.spawn(async move {
            let r = client
                .post(format!("{base}/api/v1/tickets"))
                .bearer_auth(token)
                .header("Idempotency-Key", "storm")
                .json(&body)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<serde_json::Value>().await.unwrap())
        });
    }
    set.join_all().await
}

async fn a_bad_idempotency_key_is_a_clear_error(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (s, p) = post_with_key(&app, ADMIN_TOKEN, &"k".repeat(300), &json!({"subject": "s", "body": "b"})).await;
    assert_eq!(s, 400);
    assert_eq!(p["field"], "Idempotency-Key");
}
both!(a_bad_idempotency_key_is_a_clear_error);
