//! SLA warnings, breaches and escalations: each once, across restarts and
//! across server instances sharing one PostgreSQL; the customer's promise.

use crate::both;
use crate::helpers::{Backend, TestApp, ADMIN_TOKEN};
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use std::sync::Arc;
use triage_core::clock::ManualClock;
use triage_core::policy::Policy;
use triage_server::sla::ticker;
use triage_server::AppState;
use triage_store::{DatabaseUrl, Store};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn rfc(v: &Value) -> DateTime<Utc> {
    at(v.as_str().unwrap_or_else(|| panic!("not a time: {v}")))
}

/// A second server instance on the same database: its own connection pools,
/// queue index and clock, as another process would have.
async fn another_instance(app: &TestApp, clock: Arc<ManualClock>) -> AppState {
    let store = Store::connect(&DatabaseUrl::parse(&app.db_url).unwrap()).await.unwrap();
    AppState::new(store, Policy::builtin(), clock)
}

async fn kinds_of(app: &TestApp, id: i64) -> Vec<(String, Value)> {
    let ev = app.get(&format!("/api/v1/tickets/{id}/events"), ADMIN_TOKEN).await;
    ev.body["items"].as_array().unwrap().iter().map(|e| (e["kind"].as_str().unwrap().to_string(), e.clone())).collect()
}

fn count(events: &[(String, Value)], kind: &str, clock: &str) -> usize {
    events.iter().filter(|(k, e)| k == kind && e["data"]["clock"] == clock).count()
}

/// A desk on Monday 30 Nov 2026 09:00 UTC (a manual clock) with one
/// enterprise customer, `c@acme.example`, and `n` tickets of theirs.
async fn enterprise_desk(b: Backend, n: usize) -> (TestApp, Arc<ManualClock>, Vec<Value>) {
    let clock = Arc::new(ManualClock::new(at("2026-11-30T09:00:00Z")));
    let app = TestApp::spawn_with_clock(b, clock.clone()).await;
    let org = app.org("Acme", "enterprise").await;
    app.customer(org, "c@acme.example").await;
    let mut tickets = Vec::new();
    for i in 0..n {
        let t = app
            .ticket(
                ADMIN_TOKEN,
                json!({"subject": format!("Issue {i}"), "body": "b", "requester_email": "c@acme.example",
                       "category": "cards", "impact": "moderate", "urgency": "medium"}),
            )
            .await;
        tickets.push(t);
    }
    (app, clock, tickets)
}

async fn warnings_and_breaches_escalate_once_even_after_a_restart(b: Backend) {
    // Monday 30 Nov 2026, 10:00 in Berlin: inside the `office` calendar.
    let clock = Arc::new(ManualClock::new(at("2026-11-30T09:00:00Z")));
    let app = TestApp::spawn_with_clock(b, clock.clone()).await;
    let (owner, _) = app.agent("owner@triage.example").await;
    let r = app
        .post(
            "/api/v1/organizations",
            ADMIN_TOKEN,
            json!({"name": "Bigbank", "account_type": "enterprise", "vip": true, "plan": "standard", "owner_id": owner}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let org = r.body["id"].as_i64().unwrap();
    app.customer(org, "cfo@bigbank.example").await;
    let t = app
        .ticket(
            ADMIN_TOKEN,
            json!({"subject": "Transfers fail", "body": "All outgoing transfers fail", "requester_email": "cfo@bigbank.example",
                   "category": "transfers", "impact": "moderate", "urgency": "low"}),
        )
        .await;
    let id = t["id"].as_i64().unwrap();
    let level = t["priority"].as_str().unwrap().to_string();
    assert_ne!(level, "P1", "the test needs room to raise it: {}", t["priority_explanation"]);
    let fr = &t["sla"]["first_response"];
    let (warn_at, due) = (rfc(&fr["warning_at"]), rfc(&fr["due"]));
    assert!(warn_at < due, "{fr}");

    // The customer hears at once what to expect, in the thread and the response.
    // A P4 on the standard plan: a first response within one business day (24 h
    // of office time, 8 h a day): Mon 10-17 is 7 h, Tue and Wed 16 more, Thu 9-10
    // the last hour.
    assert_eq!(level, "P4", "{}", t["priority_explanation"]);
    assert_eq!(t["expected_response"]["text"], "We will reply by Thu 03 Dec 10:00 CET.", "{t}");
    assert_eq!(rfc(&t["expected_response"]["sla_due"]), due);
    let thread = app.get(&format!("/api/v1/tickets/{id}/comments"), ADMIN_TOKEN).await.body;
    let ack = thread["items"][0]["body"].as_str().unwrap();
    assert_eq!(ack, format!("Thank you for contacting us. We received your request #{id} \"Transfers fail\". We will reply by Thu 03 Dec 10:00 CET."));
    assert!(!ack.to_lowercase().contains("priority"), "levels are internal: {ack}");

    // Nothing has fallen yet.
    let tick = ticker::tick(&app.state).await.unwrap();
    assert_eq!(tick.tickets, 0, "no alarm has come: {tick:?}");

    // At the warning: one warning event, the at-risk tag, the team told.
    clock.set(warn_at + Duration::seconds(1));
    ticker::tick(&app.state).await.unwrap();
    ticker::tick(&app.state).await.unwrap();
    let ev = kinds_of(&app, id).await;
    assert_eq!(count(&ev, "sla_warning", "first_response"), 1, "{ev:?}");
    assert_eq!(count(&ev, "sla_breached", "first_response"), 0);
    let t = app.get(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN).await.body;
    assert!(t["tags"].as_array().unwrap().contains(&json!("sla-at-risk")), "{}", t["tags"]);
    assert_eq!(t["priority"], level.as_str(), "a warning does not raise the priority");
    let team = app.get("/api/v1/notifications?recipient=team:payments", ADMIN_TOKEN).await.body;
    assert_eq!(team["items"].as_array().unwrap().len(), 1, "{team}");
    assert_eq!(team["items"][0]["kind"], "sla_warning");

    // At the breach: the breach event, the breached tag, the owner told. The
    // level is the promise and stays: the ticket climbs the queue instead (the
    // `sla` strategy at its height), so a clock never tightens its own target.
    clock.set(due + Duration::seconds(1));
    ticker::tick(&app.state).await.unwrap();
    let ev = kinds_of(&app, id).await;
    assert_eq!(count(&ev, "sla_breached", "first_response"), 1, "{ev:?}");
    assert!(!ev.iter().any(|(k, _)| k == "priority_changed"), "a breach does not change the level: {ev:?}");
    let t = app.get(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN).await.body;
    assert_eq!(t["priority"], level.as_str(), "{}", t["priority_explanation"]);
    assert!(t["priority_explanation"]["override"].is_null());
    let sla =
        t["priority_explanation"]["contributions"].as_array().unwrap().iter().find(|c| c["strategy"] == "sla").cloned();
    assert_eq!(
        sla.as_ref().map(|c| (c["contribution"].as_f64(), c["reason"].as_str())),
        Some((Some(20.0), Some("SLA target breached")))
    );
    assert!(t["tags"].as_array().unwrap().contains(&json!("sla-breached")));
    assert_eq!(t["sla"]["first_response"]["state"], "breached");
    let mine = app.get(&format!("/api/v1/notifications?recipient=agent:{owner}"), ADMIN_TOKEN).await.body;
    let kinds: Vec<&str> = mine["items"].as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"sla_breach"), "{mine}");

    // The clocks replay: before the warning the ticket was a P4 with its first
    // response running; now it is the same level, breached.
    let before = warn_at - Duration::seconds(60);
    let at = before.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let r = app.get(&format!("/api/v1/tickets/{id}/sla?at={at}"), ADMIN_TOKEN).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!((r.body["level"].as_str(), r.body["sla_policy"].as_str()), (Some("P4"), Some("standard")));
    assert_eq!(r.body["first_response"]["state"], "running");
    assert_eq!(r.body["first_response"]["warning"], false);
    // 75% of 24 business hours is 18 h; a minute before, 17 h 59 min are spent.
    assert_eq!(r.body["first_response"]["elapsed_seconds"], 18 * 3600 - 60, "{}", r.body);
    let r = app.get(&format!("/api/v1/tickets/{id}/sla"), ADMIN_TOKEN).await;
    assert_eq!(
        (
            r.body["level"].as_str(),
            r.body["first_response"]["state"].as_str(),
            r.body["first_response"]["due"].as_str()
        ),
        (Some(level.as_str()), Some("breached"), fr["due"].as_str()),
        "the target missed is the target promised"
    );
    let r = app.get(&format!("/api/v1/tickets/{id}/sla?at=2020-01-01T00:00:00Z"), ADMIN_TOKEN).await;
    assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (409, Some("at")), "before the ticket: {}", r.body);

    // A restart: a fresh instance over the same database ticks at the same
    // instant and later; nothing that happened happens again.
    let before = kinds_of(&app, id).await.len();
    let notified = app.get("/api/v1/notifications", ADMIN_TOKEN).await.body["items"].as_array().unwrap().len();
    let restarted = another_instance(&app, clock.clone()).await;
    let again = ticker::tick(&restarted).await.unwrap();
    assert_eq!(again.fired, 0, "{again:?}");
    clock.set(due + Duration::minutes(5));
    ticker::tick(&restarted).await.unwrap();
    let ev = kinds_of(&app, id).await;
    assert_eq!(count(&ev, "sla_warning", "first_response"), 1);
    assert_eq!(count(&ev, "sla_breached", "first_response"), 1);
    // (the resolution clock may warn later; nothing else is new)
    let new: Vec<&String> = ev[before..].iter().map(|(k, _)| k).collect();
    assert!(new.iter().all(|k| *k == "sla_warning" || *k == "fields_changed"), "{new:?}");
    let after = app.get("/api/v1/notifications", ADMIN_TOKEN).await.body["items"].as_array().unwrap().len();
    assert!(after >= notified);
    restarted.store.close().await;
}
both!(warnings_and_breaches_escalate_once_even_after_a_restart);

/// Two server instances on one PostgreSQL tick the same breached tickets at
/// once (and each instance's background ticker too): every breach is recorded,
/// escalated and notified exactly once in total.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_postgres_escalate_each_breach_exactly_once() {
    if !triage_store::scratch::postgres_tests_run("two_instances_on_postgres_escalate_each_breach_exactly_once") {
        return;
    }
    let (app, clock, tickets) = enterprise_desk(Backend::Postgres, 40).await;
    let ids: Vec<i64> = tickets.iter().map(|t| t["id"].as_i64().unwrap()).collect();
    // Past every first-response target (enterprise: 4 h at most, calendar time).
    clock.set(at("2026-11-30T14:00:00Z"));
    let other = another_instance(&app, clock.clone()).await;
    let (_a, _b) = tokio::join!(
        async {
            let mut n = 0;
            for _ in 0..3 {
                n += ticker::tick(&app.state).await.unwrap().fired;
            }
            n
        },
        async {
            let mut n = 0;
            for _ in 0..3 {
                n += ticker::tick(&other).await.unwrap().fired;
            }
            n
        }
    );
    let mut breaches = 0;
    for id in &ids {
        let ev = kinds_of(&app, *id).await;
        assert_eq!(count(&ev, "sla_breached", "first_response"), 1, "ticket {id}: {ev:?}");
        assert_eq!(count(&ev, "sla_warning", "first_response"), 1, "ticket {id}");
        let raised = ev.iter().filter(|(k, e)| k == "priority_changed" && e["actor"] == "system").count();
        assert_eq!(raised, 0, "ticket {id}: a breach never changes the level: {ev:?}");
        breaches += count(&ev, "sla_breached", "first_response");
        let n = app.get(&format!("/api/v1/notifications?ticket_id={id}&recipient=team:payments"), ADMIN_TOKEN).await;
        let kinds: Vec<&str> =
            n.body["items"].as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap()).collect();
        let fr_breach = n.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["kind"] == "sla_breach" && n["body"].as_str().unwrap().contains("first response"))
            .count();
        assert_eq!(fr_breach, 1, "ticket {id}: {kinds:?}");
    }
    assert_eq!(breaches, ids.len());
    other.store.close().await;
}

/// A process that claims a batch of alarms and dies before writing leaves
/// them to the others once the lease ends; the ticker says how far behind it is.
async fn a_claimed_batch_that_is_never_written_is_taken_again_after_its_lease(b: Backend) {
    let (app, clock, tickets) = enterprise_desk(b, 3).await;
    let ids: Vec<i64> = tickets.iter().map(|t| t["id"].as_i64().unwrap()).collect();
    // Ten minutes past every first-response warning (enterprise: within 4 h, warned at half).
    let late = at("2026-11-30T11:10:00Z");
    clock.set(late);
    let dead = another_instance(&app, clock.clone()).await;
    let lease = late + Duration::from_std(ticker::LEASE).unwrap();
    let claimed = dead.store.claim_sla_alarms(late, lease, 100).await.unwrap();
    assert_eq!(claimed, ids, "the oldest alarms, every one due");
    dead.store.close().await; // and it never writes

    // Claimed: nobody else takes them while the lease runs, and nothing is left due.
    let t = ticker::tick(&app.state).await.unwrap();
    assert_eq!((t.tickets, t.fired, t.lag_ms), (0, 0, 0), "{t:?}");
    clock.set(late + Duration::seconds(20));
    assert_eq!(ticker::tick(&app.state).await.unwrap().tickets, 0);

    // The lease over: another process takes them, as late as they now are.
    clock.set(lease + Duration::seconds(1));
    let t = ticker::tick(&app.state).await.unwrap();
    assert_eq!(t.tickets, 3, "{t:?}");
    assert_eq!(t.lag_ms, 1_000, "the lease ended a second ago: {t:?}");
    assert!(t.fired >= 3, "each first-response warning: {t:?}");
    assert!(t.late_ms >= 40 * 60 * 1_000, "acted on well after it fell: {t:?}");
    for id in &ids {
        let ev = kinds_of(&app, *id).await;
        assert_eq!(count(&ev, "sla_warning", "first_response"), 1, "ticket {id}: {ev:?}");
    }
    // Caught up: nothing due, no lag.
    let t = ticker::tick(&app.state).await.unwrap();
    assert_eq!((t.tickets, t.lag_ms), (0, 0), "{t:?}");
    let m = app.client.get(format!("{}/metrics", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(m.contains("triage_sla_ticker_lag_seconds"), "{m}");
}
both!(a_claimed_batch_that_is_never_written_is_taken_again_after_its_lease);

/// A breach recorded before the ticker saw the warning (found late, by the
/// follow-up of a write or at start) makes the warning stale: it is never said
/// after the breach, and never falls again.
async fn no_warning_is_said_after_its_breach_is_on_record(b: Backend) {
    let (app, clock, tickets) = enterprise_desk(b, 1).await;
    let t = &tickets[0];
    let id = t["id"].as_i64().unwrap();
    let fr_due = rfc(&t["sla"]["first_response"]["due"]);
    assert!(rfc(&t["sla"]["resolution"]["warning_at"]) > fr_due + Duration::minutes(1), "{}", t["sla"]);
    // Past the first-response target before any tick; a write, and its
    // follow-up records the breach.
    clock.set(fr_due + Duration::minutes(1));
    let r = app.patch(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN, json!({"tags": ["late"]})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    triage_server::sla::settle_backlog(&app.state).await.unwrap();
    let ev = kinds_of(&app, id).await;
    assert_eq!(count(&ev, "sla_breached", "first_response"), 1, "{ev:?}");
    assert_eq!(count(&ev, "sla_warning", "first_response"), 0, "{ev:?}");

    ticker::tick(&app.state).await.unwrap();
    ticker::tick(&app.state).await.unwrap();
    let ev = kinds_of(&app, id).await;
    assert_eq!(count(&ev, "sla_warning", "first_response"), 0, "stale, so not said: {ev:?}");
    assert_eq!(count(&ev, "sla_breached", "first_response"), 1, "{ev:?}");
    let t = app.get(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN).await.body;
    assert!(!t["tags"].as_array().unwrap().contains(&json!("sla-at-risk")), "{}", t["tags"]);
    // Claimed: it is never acted on again (the write's follow-up, running
    // beside the ticks, may still wake the ticker once; nothing is said).
    let again = ticker::tick(&app.state).await.unwrap();
    assert_eq!(again.fired, 0, "claimed: it never falls again: {again:?}");
    let ev = kinds_of(&app, id).await;
    assert_eq!(count(&ev, "sla_warning", "first_response"), 0, "{ev:?}");
}
both!(no_warning_is_said_after_its_breach_is_on_record);
