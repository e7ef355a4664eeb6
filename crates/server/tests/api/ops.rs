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
