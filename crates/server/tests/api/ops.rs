//! Health, metrics and the OpenAPI document.

use crate::both;
use crate::helpers::{Backend, TestApp, ADMIN_TOKEN};
use reqwest::Method;

async fn openapi_health_and_metrics_are_served(b: Backend) {
    let app = TestApp::spawn(b).await;
    let r = app.req(Method::GET, "/healthz", None, None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["status"], "ok");

    let doc = app.req(Method::GET, "/api/v1/openapi.json", None, None).await;
    assert_eq!(doc.status, 200);
    assert!(doc.body["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc.body["paths"].as_object().unwrap();
    for p in [
        "/api/v1/tickets",
        "/api/v1/tickets/{id}",
        "/api/v1/tickets/{id}/comments",
        "/api/v1/tickets/{id}/events",
        "/api/v1/tickets/{id}/transition",
        "/api/v1/organizations",
        "/api/v1/contacts",
        "/api/v1/agents",
        "/api/v1/plans",
        "/api/v1/tokens",
        "/api/v1/organizations/{id}/plan",
    ] {
        assert!(paths.contains_key(p), "OpenAPI lacks {p}");
    }
    assert!(paths["/api/v1/tickets"]["post"]["requestBody"].is_object());
    // The whole surface, one line per operation: a change to it shows in review.
    let mut ops: Vec<String> = paths
        .iter()
        .flat_map(|(path, item)| {
            item.as_object().unwrap().iter().filter(|(m, _)| m.as_str() != "parameters").map(move |(method, op)| {
                let ok: Vec<&String> = op["responses"].as_object().unwrap().keys().collect();
                format!(
                    "{:6} {path} -> {}",
                    method.to_uppercase(),
                    ok.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")
                )
            })
        })
        .collect();
    ops.sort();
    insta::assert_snapshot!("openapi_operations", ops.join("\n"));
    assert!(doc.body["components"]["schemas"]["TicketCreate"].is_object());

    app.get("/api/v1/tickets", ADMIN_TOKEN).await;
    let m = app.client.get(format!("{}/metrics", app.base)).send().await.unwrap();
    assert_eq!(m.status(), 200);
    let text = m.text().await.unwrap();
    assert!(text.contains("triage_http_requests_total"), "{text}");
    assert!(text.contains("route=\"/api/v1/tickets\""));
}
both!(openapi_health_and_metrics_are_served);

/// `/metrics` is not for everyone: loopback peers only (above), or, with a
/// metrics token set, that bearer token from anywhere.
async fn metrics_ask_for_their_token_when_one_is_set(b: Backend) {
    let app = TestApp::spawn(b).await;
    let other = app.second_server_with(|s| s.metrics_token = Some("scrape-secret".into())).await;
    let get = |token: Option<&'static str>| {
        let mut r = app.client.get(format!("{other}/metrics"));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        async move { r.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(get(None).await, 401);
    assert_eq!(get(Some("wrong-secret!")).await, 401);
    assert_eq!(get(Some(ADMIN_TOKEN)).await, 401, "an API token is not the metrics token");
    assert_eq!(get(Some("scrape-secret")).await, 200);
}
both!(metrics_ask_for_their_token_when_one_is_set);

/// The description carries the rules the server keeps: the policy's own
/// values, lengths and patterns; what it allows is taken, what it does not is
/// refused (the conformance run checks this at scale, this test the edges).
async fn the_description_carries_the_rules_the_server_keeps(b: Backend) {
    let app = TestApp::spawn(b).await;
    let doc = app.req(Method::GET, "/api/v1/openapi.json", None, None).await.body;
    let create = &doc["components"]["schemas"]["TicketCreate"]["properties"];
    let categories: Vec<&str> =
        create["category"]["enum"].as_array().unwrap().iter().filter_map(|v| v.as_str()).collect();
    assert!(categories.contains(&"cards"), "the policy's categories: {categories:?}");
    assert_eq!(create["subject"]["maxLength"], 250);
    assert_eq!(create["custom_fields"]["additionalProperties"], false);
    assert!(create["custom_fields"]["properties"]["affected_users"]["type"] == "integer");
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let p = op.get("parameters");
            assert!(p.is_none_or(|p| p.is_array()), "{method} {path}: parameters must be a list when there");
        }
    }
    let zone = &doc["components"]["schemas"]["TimeZone"]["enum"];
    assert!(zone.as_array().unwrap().contains(&serde_json::json!("Europe/Berlin")));
    let list = doc["paths"]["/api/v1/tickets"]["get"]["parameters"].as_array().unwrap();
    let priority = list.iter().find(|p| p["name"] == "priority").unwrap();
    assert_eq!(priority["schema"]["pattern"], "^(P1|P2|P3|P4)(,(P1|P2|P3|P4))*$");

    let org = app.org("Acme", "standard").await;
    app.customer(org, "c@acme.example").await;
    // Allowed by the schemas, so taken: a whole number written 2.0, a subject
    // ending in the one newline a `$` pattern lets through, a tag in capitals.
    let r = app
        .post(
            "/api/v1/tickets",
            ADMIN_TOKEN,
            serde_json::json!({"subject": "Card declined\n", "body": "b", "requester_email": "C@acme.example",
                               "tags": ["VIP"], "custom_fields": {"affected_users": 2.0}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["subject"], "Card declined");
    assert_eq!(r.body["tags"], serde_json::json!(["vip"]));
    let page = app.get("/api/v1/tickets?limit=1", ADMIN_TOKEN).await;
    let cursor = page.body["next_cursor"].as_str().map(String::from);
    assert!(cursor.is_none_or(|c| c.bytes().all(|b| b.is_ascii_digit())), "cursors are what the pattern says");
    // Not allowed, so refused: an empty filter value, a tag with a space, a
    // key with a space in it.
    assert_eq!(app.get("/api/v1/tickets?priority=", ADMIN_TOKEN).await.status, 400);
    assert_eq!(app.get("/api/v1/tickets?tag=a%20b", ADMIN_TOKEN).await.status, 400);
    let r = app
        .client
        .post(format!("{}/api/v1/tickets", app.base))
        .bearer_auth(ADMIN_TOKEN)
        .header("Idempotency-Key", "two words")
        .json(&serde_json::json!({"subject": "s", "body": "b", "requester_email": "c@acme.example"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}
both!(the_description_carries_the_rules_the_server_keeps);

/// Slow and idle clients cannot hold the server: beyond the connection cap a
/// short 503; a client that does not finish its headers (or sends nothing) is
/// closed after the header timeout, and its place is free again.
async fn slow_and_idle_connections_are_bounded(b: Backend) {
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;
    let app = TestApp::spawn(b).await;
    let limits = triage_server::listen::Limits {
        connections: 2,
        in_flight: 8,
        header_timeout: Duration::from_millis(300),
        body_timeout: Duration::from_millis(300),
    };
    let base = app.second_server_limited(limits).await;
    let addr = base.trim_start_matches("http://").to_string();
    // One slow client (half a request) and one idle (nothing at all).
    let mut slow = TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let mut idle = TcpStream::connect(&addr).await.unwrap();
    // A third is told at once that the server is full.
    let mut third = TcpStream::connect(&addr).await.unwrap();
    let mut answer = String::new();
    third.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("urn:triage:problem:busy"), "{answer}");
    // Both held ones are closed by the server within the header timeout
    // (bounded here so a failure cannot hang the suite).
    for (name, s) in [("slow", &mut slow), ("idle", &mut idle)] {
        let mut rest = Vec::new();
        let closed = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut rest)).await;
        assert!(closed.is_ok(), "the {name} connection was not closed");
    }
    // Their places are free: a full request is answered (the server frees a
    // place just after it closes the socket, so a few tries at most).
    let mut status = 0;
    for _ in 0..200 {
        // A refused connection may also end as a send error: try again.
        let Ok(r) = app.client.get(format!("{base}/healthz")).send().await else { continue };
        status = r.status().as_u16();
        if status == 200 {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(status, 200);
}
both!(slow_and_idle_connections_are_bounded);
