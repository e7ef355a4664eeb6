//! SLA history does not change after the fact: a clock run's outcome is
//! recorded when it is decided and stands through later changes of level and
//! policy; reports count the records, so they agree with the event log.

use crate::both;
use crate::helpers::{Backend, TestApp, ADMIN_TOKEN};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::sync::Arc;
use triage_core::clock::ManualClock;
use triage_core::policy::{Policy, BUILTIN_TOML};
use triage_server::sla::{settle_backlog, ticker};
use triage_server::AppState;
use triage_store::{DatabaseUrl, Store};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn breaches(app: &TestApp, id: i64) -> usize {
    let ev = app.get(&format!("/api/v1/tickets/{id}/events"), ADMIN_TOKEN).await.body;
    ev["items"].as_array().unwrap().iter().filter(|e| e["kind"] == "sla_breached").count()
}

fn tally(report: &Value, clock: &str) -> (u64, u64, u64) {
    let t = &report["overall"][clock];
    (t["met"].as_u64().unwrap(), t["breached"].as_u64().unwrap(), t["in_progress"].as_u64().unwrap())
}

async fn recorded_outcomes_outlive_level_and_policy_changes(b: Backend) {
    // Monday 30 Nov 2026, 10:00 in Berlin: inside the `office` calendar.
    let clock = Arc::new(ManualClock::new(at("2026-11-30T09:00:00Z")));
    let app = TestApp::spawn_with_clock(b, clock.clone()).await;
    let org = app.org("Acme", "standard").await;
    app.customer(org, "c@acme.example").await;
    let (_, agent) = app.agent("ben@support.example").await;
    let open = |subject: &str, impact: &str, urgency: &str| {
        json!({"subject": subject, "body": "b", "requester_email": "c@acme.example", "category": "cards",
               "impact": impact, "urgency": urgency})
    };
    // A: P2, first response within 4 business hours (due 13:00 UTC). B: P3, 8 hours.
    let a = app.ticket(ADMIN_TOKEN, open("A", "significant", "high")).await;
    let b_ = app.ticket(ADMIN_TOKEN, open("B", "moderate", "medium")).await;
    let (a, b_) = (a["id"].as_i64().unwrap(), b_["id"].as_i64().unwrap());
    assert_eq!(app.get(&format!("/api/v1/tickets/{a}"), ADMIN_TOKEN).await.body["priority"], "P2");

    // 15:00 in Berlin: A's first response breached at 13:00 UTC; B is answered in time.
    clock.set(at("2026-11-30T14:00:00Z"));
    ticker::tick(&app.state).await.unwrap();
    assert_eq!(breaches(&app, a).await, 1);
    let r = app.post(&format!("/api/v1/tickets/{b_}/comments"), &agent, json!({"body": "On it."})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    settle_backlog(&app.state).await.unwrap();
    let b_due =
        app.get(&format!("/api/v1/tickets/{b_}"), ADMIN_TOKEN).await.body["sla"]["first_response"]["due"].clone();

    // B then waits on the customer for two days: its met first response keeps its due time.
    let r = app.patch(&format!("/api/v1/tickets/{b_}"), &agent, json!({"status": "pending_customer"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    clock.set(at("2026-12-02T14:00:00Z"));
    let t = app.get(&format!("/api/v1/tickets/{b_}"), ADMIN_TOKEN).await.body;
    let fr = &t["sla"]["first_response"];
    assert_eq!((fr["state"].as_str(), &fr["due"], fr["recorded"].as_bool()), (Some("met"), &b_due, Some(true)), "{fr}");

    // A lowered to P3: 8 business hours would make 5 spent hours "running" again. The breach stands.
    let r = app
        .patch(&format!("/api/v1/tickets/{a}"), &agent, json!({"urgency": "low", "reason": "workaround found"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["priority"], "P3");
    let t = app.get(&format!("/api/v1/tickets/{a}"), ADMIN_TOKEN).await.body;
    let fr = &t["sla"]["first_response"];
    assert_eq!(fr["state"], "breached", "{fr}");
    assert_eq!(fr["due"], "2026-11-30T13:00:00Z", "{fr}");
    assert_eq!(
        (fr["target_seconds"].as_i64(), fr["policy_version"].as_str()),
        (Some(4 * 3600), Some("default-2026.11"))
    );
    let report = app.get("/api/v1/reports/sla?from=2026-11-01T00:00:00Z", ADMIN_TOKEN).await.body;
    let first = tally(&report, "first_response");
    assert_eq!((first.0, first.1), (1, 1), "A breached, B met: {}", report["overall"]);
    assert_eq!(breaches(&app, a).await + breaches(&app, b_).await, first.1 as usize, "the report agrees with the log");

    // A restart under another policy version, where moderate x medium is P2 and
    // open tickets are scored again: what was decided stays decided.
    let text = BUILTIN_TOML.replacen("version = \"default-2026.11\"", "version = \"stricter\"", 1).replacen(
        "[\"P2\", \"P2\", \"P3\", \"P4\"],",
        "[\"P2\", \"P2\", \"P2\", \"P4\"],",
        1,
    );
    let policy = Policy::from_toml("stricter.toml", &text).unwrap();
    let store = Store::connect(&DatabaseUrl::parse(&app.db_url).unwrap()).await.unwrap();
    let state = AppState::new(store, policy, clock.clone());
    let rescored = triage_server::rescore::rescore(&state, triage_server::rescore::Scope::OtherPolicyVersions).await;
    assert!(rescored.unwrap().examined >= 1);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(triage_server::serve(listener, state.clone(), std::future::pending::<()>()));
    let client = reqwest::Client::new();
    let get = |path: String| {
        let c = client.clone();
        async move { c.get(path).bearer_auth(ADMIN_TOKEN).send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let after = get(format!("{base}/api/v1/reports/sla?from=2026-11-01T00:00:00Z")).await;
    assert_eq!(tally(&after, "first_response"), first, "{}", after["overall"]);
    let t = get(format!("{base}/api/v1/tickets/{b_}")).await;
    assert_eq!(t["sla"]["first_response"]["policy_version"], "default-2026.11", "decided under the version then");
    assert_eq!(t["sla"]["resolution"]["policy_version"], "stricter", "running: the version in force");
    assert_eq!(breaches(&app, a).await, 1, "nothing recorded twice");
    state.store.close().await;
}
both!(recorded_outcomes_outlive_level_and_policy_changes);

async fn a_breach_nobody_recorded_is_recorded_at_start(b: Backend) {
    let clock = Arc::new(ManualClock::new(at("2026-11-30T09:00:00Z")));
    let app = TestApp::spawn_with_clock(b, clock.clone()).await;
    let org = app.org("Acme", "standard").await;
    app.customer(org, "c@acme.example").await;
    let t = app
        .ticket(
            ADMIN_TOKEN,
            json!({"subject": "A", "body": "b", "requester_email": "c@acme.example", "category": "cards",
                   "impact": "significant", "urgency": "high"}),
        )
        .await;
    let id = t["id"].as_i64().unwrap();
    // Another process puts it on hold at 14:00 UTC, after its 13:00 due time,
    // and stops before following up its write (nobody ticks, nobody settles).
    let other = Store::connect(&DatabaseUrl::parse(&app.db_url).unwrap()).await.unwrap();
    let on_hold = at("2026-11-30T14:00:00Z");
    other
        .modify_ticket(id, triage_core::ticket::Actor::System, on_hold, None, |t| {
            let from = t.transition(triage_core::ticket::Status::OnHold, on_hold).map_err(|_| ())?;
            Ok::<_, ()>(vec![triage_store::NewEvent {
                data: triage_core::ticket::event_data::StatusChanged::of(from, triage_core::ticket::Status::OnHold),
                reason: Some("elsewhere".into()),
            }])
        })
        .await
        .unwrap();
    other.close().await;
    clock.set(at("2026-11-30T15:00:00Z"));
    assert_eq!(breaches(&app, id).await, 0);
    // The next start settles what was left: the breach is on record, with its due time.
    let n = settle_backlog(&app.state).await.unwrap();
    assert!(n >= 1);
    let ev = app.get(&format!("/api/v1/tickets/{id}/events"), ADMIN_TOKEN).await.body;
    let breach = ev["items"].as_array().unwrap().iter().find(|e| e["kind"] == "sla_breached").cloned();
    let breach = breach.expect("the breach is recorded without anyone touching the ticket");
    assert_eq!(
        (breach["data"]["clock"].as_str(), breach["data"]["due"].as_str()),
        (Some("first_response"), Some("2026-11-30T13:00:00Z"))
    );
    let t = app.get(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN).await.body;
    assert_eq!(
        (t["sla"]["first_response"]["state"].as_str(), t["sla"]["first_response"]["recorded"].as_bool()),
        (Some("breached"), Some(true))
    );
    assert_eq!(settle_backlog(&app.state).await.unwrap(), 0, "settled once");
    assert_eq!(breaches(&app, id).await, 1);
}
both!(a_breach_nobody_recorded_is_recorded_at_start);
