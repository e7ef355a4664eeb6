//! `GET /api/v1/reports/sla` with hand-worked expectations, and an
//! organization's own business calendar.

use crate::both;
use crate::helpers::{Backend, TestApp, ADMIN_TOKEN};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::sync::Arc;
use triage_core::clock::ManualClock;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn the_sla_report_counts_met_breached_and_at_risk(b: Backend) {
    // Monday 30 Nov 2026, 10:00 Berlin; standard plan, office hours 9-17, P2 first
    // response within 4 business hours (due 14:00 Berlin), warning at 3 hours.
    let clock = Arc::new(ManualClock::new(at("2026-11-30T09:00:00Z")));
    let app = TestApp::spawn_with_clock(b, clock.clone()).await;
    let org = app.org("Acme", "standard").await;
    app.customer(org, "c@acme.example").await;
    let (agent, agent_token) = app.agent("ann@triage.example").await;
    let open = |subject: &str| {
        json!({"subject": subject, "body": "b", "requester_email": "c@acme.example", "category": "cards",
               "priority": "P2", "priority_reason": "pinned for the report test"})
    };
    let a = app.ticket(ADMIN_TOKEN, open("answered in time")).await["id"].as_i64().unwrap();
    let b_ = app.ticket(ADMIN_TOKEN, open("never answered")).await["id"].as_i64().unwrap();
    let c = app.ticket(ADMIN_TOKEN, open("answered late")).await["id"].as_i64().unwrap();
    let reply = |id: i64| {
        let (app, token) = (&app, &agent_token);
        async move {
            let r = app.post(&format!("/api/v1/tickets/{id}/comments"), token, json!({"body": "On it."})).await;
            assert_eq!(r.status, 201, "{}", r.body);
        }
    };
    // A: answered after one hour (met).
    clock.set(at("2026-11-30T10:00:00Z"));
    reply(a).await;
    let r = app.patch(&format!("/api/v1/tickets/{a}"), ADMIN_TOKEN, json!({"assignee_id": agent})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // D: opened at 12:30 Berlin, due 16:30, warning from 15:30.
    clock.set(at("2026-11-30T11:30:00Z"));
    let d = app.ticket(ADMIN_TOKEN, open("at risk")).await["id"].as_i64().unwrap();
    // C: answered after five hours (breached, 15:00 Berlin).
    clock.set(at("2026-11-30T14:00:00Z"));
    reply(c).await;
    // The report at 16:00 Berlin.
    clock.set(at("2026-11-30T15:00:00Z"));
    let r = app.get("/api/v1/reports/sla?from=2026-11-30T00:00:00Z", ADMIN_TOKEN).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let rep = &r.body;
    assert_eq!(rep["tickets"], 4, "{rep}");
    assert_eq!(rep["overall"]["first_response"], json!({"met": 1, "breached": 2, "in_progress": 1}), "{rep}");
    assert_eq!(rep["overall"]["resolution"]["in_progress"], 4);
    // 1 met of 3 decided.
    let pct = rep["overall"]["attainment_pct"].as_f64().unwrap();
    assert!((pct - 100.0 / 3.0).abs() < 1e-9, "{pct}");
    assert_eq!(rep["by_priority"][0]["key"], "P2");
    assert_eq!(rep["by_priority"][0]["tickets"], 4);
    assert_eq!(rep["by_plan"][0]["key"], "standard");
    assert_eq!(rep["by_team"][0]["key"], "payments");
    let by_agent = rep["by_agent"].as_array().unwrap();
    let ann =
        by_agent.iter().find(|g| g["key"].as_str() == Some(&agent.to_string())).expect("a row for the assigned agent");
    assert_eq!(ann["first_response"]["met"], 1);
    // First responses: A after 1 h, C after 5 h, all inside office hours.
    let fr = &rep["first_response_time"];
    assert_eq!(fr["business"], json!({"count": 2, "median_seconds": 3600, "p90_seconds": 18000}), "{fr}");
    assert_eq!(fr["calendar"]["median_seconds"], 3600);
    // B is breached now; D is past its warning, not yet due.
    let breached: Vec<(i64, &str)> = rep["breached_now"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["ticket_id"].as_i64().unwrap(), a["clock"].as_str().unwrap()))
        .collect();
    assert_eq!(breached, [(b_, "first_response")], "{rep}");
    assert_eq!(rep["breached_now"][0]["remaining_seconds"], -7200, "two business hours overdue");
    let risk: Vec<i64> = rep["at_risk"].as_array().unwrap().iter().map(|a| a["ticket_id"].as_i64().unwrap()).collect();
    assert_eq!(risk, [d], "{rep}");
    assert_eq!(rep["at_risk"][0]["remaining_seconds"], 1800);

    // A range with nothing in it, and a backwards one.
    let r = app.get("/api/v1/reports/sla?from=2026-10-01T00:00:00Z&to=2026-10-02T00:00:00Z", ADMIN_TOKEN).await;
    assert_eq!((r.body["tickets"].as_u64(), r.body["overall"]["attainment_pct"].is_null()), (Some(0), true));
    // A backwards range holds nothing: an empty report, not an error.
    let r = app.get("/api/v1/reports/sla?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z", ADMIN_TOKEN).await;
    assert_eq!((r.status.as_u16(), r.body["tickets"].as_u64()), (200, Some(0)), "{}", r.body);
    let (_, customer) = app.customer(org, "other@acme.example").await;
    assert_eq!(app.get("/api/v1/reports/sla", &customer).await.status, 403);
}
both!(the_sla_report_counts_met_breached_and_at_risk);

async fn an_organization_may_keep_its_own_business_hours(b: Backend) {
    // Monday 20:00 Berlin: the office calendar is closed, the extended one open until 22:00.
    let clock = Arc::new(ManualClock::new(at("2026-11-30T19:00:00Z")));
    let app = TestApp::spawn_with_clock(b, clock.clone()).await;
    let office = app.org("Office", "standard").await;
    let r = app
        .post(
            "/api/v1/organizations",
            ADMIN_TOKEN,
            json!({"name": "Late", "account_type": "pro", "plan": "standard", "contract": {"calendar": "extended"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let late = r.body["id"].as_i64().unwrap();
    app.customer(office, "o@office.example").await;
    app.customer(late, "l@late.example").await;
    let due = |t: &serde_json::Value| at(t["sla"]["first_response"]["due"].as_str().unwrap());
    let body = |email: &str| json!({"subject": "s", "body": "b", "requester_email": email, "priority": "P2", "priority_reason": "pinned"});
    // 4 business hours: office Tue 09:00-13:00; extended Mon 20:00-22:00 then Tue 07:00-09:00.
    let t = app.ticket(ADMIN_TOKEN, body("o@office.example")).await;
    assert_eq!(due(&t), at("2026-12-01T12:00:00Z"), "13:00 Berlin");
    let t = app.ticket(ADMIN_TOKEN, body("l@late.example")).await;
    assert_eq!(due(&t), at("2026-12-01T08:00:00Z"), "09:00 Berlin");
    // An unknown calendar is refused with the field at fault.
    let r = app
        .patch(&format!("/api/v1/organizations/{late}"), ADMIN_TOKEN, json!({"contract": {"calendar": "mars"}}))
        .await;
    assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (422, Some("contract.calendar")), "{}", r.body);
}
both!(an_organization_may_keep_its_own_business_hours);
