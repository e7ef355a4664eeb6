//! Ticket lifecycle through the API: create, read, filter, paginate, update,
//! transition, comment, and the event log that records it all.

use crate::both;
use crate::helpers::{Backend, TestApp, ADMIN_TOKEN};
use serde_json::json;

async fn a_ticket_moves_through_its_lifecycle_and_every_change_is_logged(b: Backend) {
    // Saturday 28 Nov 2026, 23:00 Berlin: outside every business calendar.
    let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&chrono::Utc);
    let clock = std::sync::Arc::new(triage_core::clock::ManualClock::new(at("2026-11-28T22:00:00Z")));
    let app = TestApp::spawn_with_clock(b, clock.clone()).await;
    let org = app.org("Acme", "premium").await;
    let (contact, _) = app.customer(org, "ana@acme.example").await;
    let (agent, agent_token) = app.agent("ben@support.example").await;

    let t = app
        .ticket(
            &agent_token,
            json!({"subject": "Card declined", "body": "My card is declined at every shop", "requester_email": "ana@acme.example",
                   "category": "cards", "impact": "extensive", "urgency": "critical", "tags": ["Declined"],
                   "custom_fields": {"affected_users": 40, "environment": "production"}}),
        )
        .await;
    let id = t["id"].as_i64().unwrap();
    assert_eq!(t["requester_id"], contact);
    assert_eq!(t["organization_id"], org);
    assert_eq!(t["status"], "new");
    assert_eq!(t["priority"], "P1", "extensive x critical is P1 in the built-in matrix");
    assert_eq!(t["team"], "payments");
    assert_eq!(t["assignee_id"], agent, "pushed to the qualified agent on arrival");
    assert_eq!(t["tags"], json!(["declined"]));
    let contributions = t["priority_explanation"]["contributions"].as_array().unwrap();
    let sum: f64 = contributions.iter().map(|c| c["contribution"].as_f64().unwrap()).sum();
    assert!((sum - t["priority_score"].as_f64().unwrap()).abs() < 1e-9, "contributions sum to the score");
    assert!(t["priority_guideline"].as_str().unwrap().contains("Work it now"));

    // Agent edits: lowering urgency re-derives the level; the change is logged.
    let r = app
        .patch(
            &format!("/api/v1/tickets/{id}"),
            &agent_token,
            json!({"urgency": "low", "assignee_id": agent, "reason": "customer found a workaround"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // extensive x low is P3 (40); customer (pro 1, new 1), premium plan 3 and the
    // custom fields (40 users: 2, production: 4) add 11: 51, still P3.
    assert_eq!(r.body["priority"], "P3", "{}", r.body["priority_explanation"]);
    // The clock stands at a weekend night: no waiting time, no SLA target near.
    assert!((r.body["priority_score"].as_f64().unwrap() - 51.0).abs() < 0.01, "{}", r.body["priority_score"]);
    assert_eq!(r.body["assignee_id"], agent);
    assert_eq!(r.body["version"], 2);
    // The customer is told of the moved promise once the coalescing window (10
    // minutes) has passed since the change: not before.
    let notices = triage_server::sla::notice::deliver_due;
    assert_eq!(notices(&app.state).await.unwrap(), 0, "changes gather first");
    clock.set(at("2026-11-28T22:11:00Z"));
    assert_eq!(notices(&app.state).await.unwrap(), 1);
    assert_eq!(notices(&app.state).await.unwrap(), 0, "told once");

    // An agent's first public reply opens the ticket and stamps the first response.
    let r = app.post(&format!("/api/v1/tickets/{id}/comments"), &agent_token, json!({"body": "Looking into it"})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = app.get(&format!("/api/v1/tickets/{id}"), &agent_token).await;
    assert_eq!(r.body["status"], "open");
    assert!(r.body["first_response_at"].is_string());

    // Transitions follow the lifecycle.
    let r = app
        .post(&format!("/api/v1/tickets/{id}/transition"), &agent_token, json!({"status": "solved", "reason": "fixed"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body["solved_at"].is_string());
    let r = app.post(&format!("/api/v1/tickets/{id}/transition"), &agent_token, json!({"status": "closed"})).await;
    assert_eq!(r.status, 200);
    let r = app.post(&format!("/api/v1/tickets/{id}/transition"), &agent_token, json!({"status": "open"})).await;
    assert_eq!(r.status, 409, "a closed ticket is final: its state refuses the step");
    assert_eq!(r.body["field"], "status");
    assert!(r.body["detail"].as_str().unwrap().contains("cannot go from closed to open"));
    let r = app
        .patch(&format!("/api/v1/tickets/{id}"), &agent_token, json!({"category": "cash", "subject": "rewritten"}))
        .await;
    assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (409, Some("id")), "nor edits: {}", r.body);
    let after = app.get(&format!("/api/v1/tickets/{id}"), &agent_token).await;
    assert_ne!(after.body["subject"], "rewritten");

    let ev = app.get(&format!("/api/v1/tickets/{id}/events"), &agent_token).await;
    let items = ev.body["items"].as_array().unwrap();
    // Lowering the priority moved the customer's promise: they were told, once
    // (a system comment and its event, written right after the change).
    let told: Vec<&serde_json::Value> = items.iter().filter(|e| e["kind"] == "promise_changed").collect();
    assert_eq!(told.len(), 1, "{}", ev.body);
    assert_eq!(told[0]["reason"], "we looked again at how urgent it is");
    let thread = app.get(&format!("/api/v1/tickets/{id}/comments"), ADMIN_TOKEN).await.body;
    let notice = thread["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["author"] == "system" && c["body"].as_str().unwrap().starts_with("Update"))
        .unwrap()
        .clone();
    assert_eq!(
        notice["body"],
        format!(
            "Update on your request #{id}: we looked again at how urgent it is. We will reply by Mon 30 Nov 11:00 CET."
        )
    );
    // The level change re-targeted the clocks, and the log says how: created on a
    // Saturday night, premium's extended hours open Monday 07:00 Berlin; P1's 30
    // minutes fall due 07:30, P3's 4 hours at 11:00.
    let changed = items.iter().find(|e| e["kind"] == "priority_changed").unwrap();
    assert_eq!(changed["data"]["sla_due"]["from"], "2026-11-30T06:30:00Z", "{changed}");
    assert_eq!(changed["data"]["sla_due"]["to"], "2026-11-30T10:00:00Z", "{changed}");
    // What the agent did, in order.
    let kinds: Vec<&str> =
        items.iter().filter(|e| e["actor"] != "system").map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "created",
            "fields_changed",
            // Setting the urgency is a label for the next training.
            "labelled",
            "priority_changed",
            "comment_added",
            "status_changed",
            "status_changed",
            "status_changed"
        ]
    );
    let changed = &ev.body["items"][1];
    assert_eq!(changed["reason"], "customer found a workaround");
    assert_eq!(changed["actor"], format!("agent:{agent}"));
    let fields: Vec<&str> =
        changed["data"]["changes"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
    // Ben already had it: routing pushed it to him, the one payments agent with
    // the cards skill, when it arrived (the `created` event says why).
    assert_eq!(fields, ["urgency"]);
    assert!(ev.body["items"][0]["data"]["routing"].as_str().is_some_and(|r| r.contains("cards 3/5")), "{}", ev.body);
    let moved = &ev.body["items"][3];
    assert_eq!((moved["data"]["from"].as_str(), moved["data"]["to"].as_str()), (Some("P1"), Some("P3")));
}
both!(a_ticket_moves_through_its_lifecycle_and_every_change_is_logged);

async fn an_override_undone_within_the_window_tells_the_customer_nothing(b: Backend) {
    let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&chrono::Utc);
    // Monday 30 Nov 2026, 10:00 Berlin.
    let clock = std::sync::Arc::new(triage_core::clock::ManualClock::new(at("2026-11-30T09:00:00Z")));
    let app = TestApp::spawn_with_clock(b, clock.clone()).await;
    let org = app.org("Acme", "standard").await;
    // A contact in New York reads their promises in New York time.
    let r = app
        .post(
            "/api/v1/contacts",
            ADMIN_TOKEN,
            json!({"organization_id": org, "name": "Ny", "email": "ny@acme.example", "timezone": "America/New_York"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let t = app
        .ticket(ADMIN_TOKEN, json!({"subject": "s", "body": "b", "requester_email": "ny@acme.example", "impact": "moderate", "urgency": "medium"}))
        .await;
    let id = t["id"].as_i64().unwrap();
    // 8 business hours on Berlin's office calendar (Mon 10-17, Tue 9-10), told in New York time.
    assert_eq!(t["expected_response"]["text"], "We will reply by Tue 01 Dec 04:00 EST.");
    let path = format!("/api/v1/tickets/{id}");
    let set = |p: serde_json::Value| app.patch(&path, ADMIN_TOKEN, p);
    let r = set(json!({"priority": "P1", "priority_reason": "CEO called"})).await;
    assert_eq!(r.body["priority"], "P1", "{}", r.body);
    clock.set(at("2026-11-30T09:04:00Z"));
    let r = set(json!({"priority": null})).await;
    assert_eq!(r.body["priority"], "P3", "{}", r.body);
    clock.set(at("2026-11-30T09:20:00Z"));
    assert_eq!(
        triage_server::sla::notice::deliver_due(&app.state).await.unwrap(),
        0,
        "back where it was: nothing to tell"
    );
    let thread = app.get(&format!("/api/v1/tickets/{id}/comments"), ADMIN_TOKEN).await.body;
    assert_eq!(thread["items"].as_array().unwrap().len(), 1, "the acknowledgment alone: {thread}");
    // A change that stays is told once, in their zone, without a word of priority.
    set(json!({"priority": "P2", "priority_reason": "outage at their site"})).await;
    clock.set(at("2026-11-30T09:31:00Z"));
    assert_eq!(triage_server::sla::notice::deliver_due(&app.state).await.unwrap(), 1);
    let thread = app.get(&format!("/api/v1/tickets/{id}/comments"), ADMIN_TOKEN).await.body;
    let last = thread["items"].as_array().unwrap().last().unwrap()["body"].as_str().unwrap().to_string();
    assert_eq!(
        last,
        format!("Update on your request #{id}: we now treat it as more urgent. We will reply by Mon 30 Nov 08:00 EST.")
    );
    let customer = app.token("customer", "ny@acme.example").await;
    let t = app.get(&format!("/api/v1/tickets/{id}"), &customer).await.body;
    assert_eq!(t["promise"], "We will reply by Mon 30 Nov 08:00 EST.");
    let seen = app.get(&format!("/api/v1/tickets/{id}/comments"), &customer).await.body;
    for c in seen["items"].as_array().unwrap() {
        assert!(!c["body"].as_str().unwrap().to_lowercase().contains("priority"), "{c}");
        assert_eq!(c["from"], "support");
    }
}
both!(an_override_undone_within_the_window_tells_the_customer_nothing);

async fn lists_filter_and_paginate_without_gaps_or_repeats(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org_a = app.org("A", "standard").await;
    let org_b = app.org("B", "standard").await;
    app.customer(org_a, "a@a.example").await;
    app.customer(org_b, "b@b.example").await;
    let mut ids = Vec::new();
    for i in 0..7 {
        let (who, category, tag) =
            if i % 2 == 0 { ("a@a.example", "cards", "even") } else { ("b@b.example", "transfers", "odd") };
        let t = app
            .ticket(ADMIN_TOKEN, json!({"subject": format!("Problem {i}"), "body": format!("body text {i} 100%_sure"), "requester_email": who, "category": category, "tags": [tag]}))
            .await;
        ids.push(t["id"].as_i64().unwrap());
    }
    // Pages of 3: newest first, every ticket exactly once.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/tickets?limit=3&cursor={c}"),
            None => "/api/v1/tickets?limit=3".to_string(),
        };
        let r = app.get(&path, ADMIN_TOKEN).await;
        assert_eq!(r.status, 200, "{}", r.body);
        pages += 1;
        seen.extend(r.body["items"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()));
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    ids.reverse();
    assert_eq!(seen, ids);
    assert_eq!(pages, 3);

    let count = |path: String| {
        let app = &app;
        async move {
            let r = app.get(&path, ADMIN_TOKEN).await;
            assert_eq!(r.status, 200, "{path}: {}", r.body);
            r.body["items"].as_array().unwrap().len()
        }
    };
    assert_eq!(count(format!("/api/v1/tickets?organization={org_a}")).await, 4);
    assert_eq!(count("/api/v1/tickets?category=transfers".into()).await, 3);
    assert_eq!(count("/api/v1/tickets?tag=even".into()).await, 4);
    // Every filter takes a comma list, any of its values.
    assert_eq!(count("/api/v1/tickets?category=transfers,cards".into()).await, 7);
    assert_eq!(count("/api/v1/tickets?tag=even,odd".into()).await, 7);
    let levels: std::collections::BTreeSet<String> = app.get("/api/v1/tickets?limit=200", ADMIN_TOKEN).await.body
        ["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["priority"].as_str().unwrap().to_string())
        .collect();
    let all = levels.iter().cloned().collect::<Vec<_>>().join(",");
    assert_eq!(count(format!("/api/v1/tickets?priority={all}")).await, 7, "{all}");
    let r = app.get("/api/v1/tickets?priority=P1,P9", ADMIN_TOKEN).await;
    assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (400, Some("priority")), "{}", r.body);
    assert_eq!(count("/api/v1/tickets?text=problem%203".into()).await, 1);
    assert_eq!(count("/api/v1/tickets?text=100%25_SURE".into()).await, 7, "LIKE wildcards in the text match literally");
    assert_eq!(count("/api/v1/tickets?text=10%25x".into()).await, 0);
    assert_eq!(count("/api/v1/tickets?status=new,open".into()).await, 7);
    assert_eq!(count("/api/v1/tickets?status=solved".into()).await, 0);
    assert_eq!(count("/api/v1/tickets?assignee=none".into()).await, 7);
    assert_eq!(count("/api/v1/tickets?priority=P3".into()).await, 7, "no impact/urgency: the default level");
    assert_eq!(count("/api/v1/tickets?priority=P1".into()).await, 0);
}
both!(lists_filter_and_paginate_without_gaps_or_repeats);

async fn customer_replies_reopen_and_internal_notes_stay_internal(b: Backend) {
    let app = TestApp::spawn(b).await;
    // The standard plan includes the API channel (basic: e-mail and portal only).
    let org = app.org("Acme", "standard").await;
    let (_, customer) = app.customer(org, "c@acme.example").await;
    let t = app.ticket(&customer, json!({"subject": "Help", "body": "How do I top up?"})).await;
    let id = t["id"].as_i64().unwrap();
    assert!(t["priority_explanation"].is_null(), "customers do not see how priority was computed");
    assert!(t["policy_version"].is_null());

    let r = app
        .post(
            &format!("/api/v1/tickets/{id}/comments"),
            ADMIN_TOKEN,
            json!({"body": "VIP? check plan", "kind": "internal"}),
        )
        .await;
    assert_eq!(r.status, 201);
    let r = app.patch(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN, json!({"status": "pending_customer"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r =
        app.post(&format!("/api/v1/tickets/{id}/comments"), &customer, json!({"body": "Here are the details"})).await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["from"], "customer", "{}", r.body);
    let r = app.get(&format!("/api/v1/tickets/{id}"), &customer).await;
    assert_eq!(r.body["status"], "open", "a customer reply reopens a ticket waiting on them");

    // The customer sees the public thread (the acknowledgment, notices of a moved
    // promise, their reply), never the internal note.
    let r = app.get(&format!("/api/v1/tickets/{id}/comments"), &customer).await;
    let items = r.body["items"].as_array().unwrap();
    assert!(!items.iter().any(|c| c["body"] == "VIP? check plan"), "{}", r.body);
    assert!(items.iter().any(|c| c["body"] == "Here are the details"), "{}", r.body);
    assert!(items[0]["body"].as_str().unwrap().starts_with("Thank you for contacting us."), "{}", r.body);
    assert_eq!(items[0]["from"], "support", "the team speaks as one: no agent ids");
    assert!(items.iter().all(|c| c.get("kind").is_none() && c.get("author").is_none()), "{}", r.body);
    let r = app.get(&format!("/api/v1/tickets/{id}/comments"), ADMIN_TOKEN).await;
    let internal: Vec<&serde_json::Value> =
        r.body["items"].as_array().unwrap().iter().filter(|c| c["kind"] == "internal").collect();
    assert_eq!(internal.len(), 1, "{}", r.body);
    assert_eq!(internal[0]["body"], "VIP? check plan");

    let r =
        app.post(&format!("/api/v1/tickets/{id}/comments"), &customer, json!({"body": "x", "kind": "internal"})).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["field"], "kind");

    // A basic plan has no phone channel: customers cannot open tickets through it.
    let r = app
        .post("/api/v1/tickets", &customer, json!({"subject": "Call me", "body": "please", "channel": "phone"}))
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["field"], "channel");
}
both!(customer_replies_reopen_and_internal_notes_stay_internal);

async fn agents_override_priority_with_a_reason(b: Backend) {
    let app = TestApp::spawn_at_weekend(b).await;
    let org = app.org("Acme", "standard").await;
    app.customer(org, "c@acme.example").await;
    let r = app
        .post(
            "/api/v1/tickets",
            ADMIN_TOKEN,
            json!({"subject": "s", "body": "b", "requester_email": "c@acme.example", "priority": "P1"}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["field"], "priority_reason");
    let t = app
        .ticket(ADMIN_TOKEN, json!({"subject": "s", "body": "b", "requester_email": "c@acme.example", "priority": "P1", "priority_reason": "CEO escalation"}))
        .await;
    assert_eq!(t["priority"], "P1");
    assert_eq!(t["priority_explanation"]["override"]["reason"], "CEO escalation");
    let id = t["id"].clone();
    // The override holds when severity inputs change, until it is cleared.
    let r =
        app.patch(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN, json!({"impact": "minor", "urgency": "low"})).await;
    assert_eq!(r.body["priority"], "P1");
    let r = app.patch(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN, json!({"priority": null})).await;
    assert_eq!(r.body["priority"], "P4");
    assert!(r.body["priority_explanation"]["override"].is_null());
}
both!(agents_override_priority_with_a_reason);

async fn the_priority_endpoint_explains_every_strategy(b: Backend) {
    let app = TestApp::spawn(b).await;
    let r = app
        .post(
            "/api/v1/organizations",
            ADMIN_TOKEN,
            json!({"name": "Northwind", "account_type": "enterprise", "vip": true, "customer_category": "strategic",
                   "annual_value": 200000.0, "seats": 1000, "plan": "enterprise"}),
        )
        .await;
    let org = r.body["id"].as_i64().unwrap();
    let (_, customer) = app.customer(org, "greta@northwind.example").await;
    let t = app
        .ticket(&customer, json!({"subject": "Payments DOWN", "body": "Total outage, we will cancel the contract!!!", "category": "security"}))
        .await;
    // Customers may not set the category: it is their suggestion, for triage.
    let id = t["id"].as_i64().unwrap();
    let staff = app.get(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN).await.body;
    assert_eq!(staff["suggested"], json!({"category": "security"}), "{staff}");
    let triage = app.get("/api/v1/triage", ADMIN_TOKEN).await.body;
    assert!(triage["items"].as_array().unwrap().iter().any(|t| t["id"] == id), "{triage}");
    let r = app.patch(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN, json!({"category": "security"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body["suggested"].is_null(), "settled: {}", r.body);
    let id = t["id"].as_i64().unwrap();
    assert_eq!(app.get(&format!("/api/v1/tickets/{id}/priority"), &customer).await.status, 403);
    let r = app.get(&format!("/api/v1/tickets/{id}/priority"), ADMIN_TOKEN).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let p = &r.body;
    let contributions = p["contributions"].as_array().unwrap();
    let sum: f64 = contributions.iter().map(|c| c["contribution"].as_f64().unwrap()).sum();
    assert!((sum - p["score"].as_f64().unwrap()).abs() < 1e-9, "contributions sum to the score");
    let by: std::collections::HashMap<&str, &serde_json::Value> =
        contributions.iter().map(|c| (c["strategy"].as_str().unwrap(), c)).collect();
    assert_eq!(by["customer"]["reason"], "enterprise account +3, VIP +3, strategic customer +2");
    assert_eq!(by["plan"]["contribution"], 5.0);
    assert_eq!(by["category"]["contribution"], 8.0);
    assert_eq!(by["business_impact"]["contribution"], 3.0, "capped at the policy's max");
    let emotion = by["emotion"]["reason"].as_str().unwrap();
    assert!(
        emotion.contains("\"outage\"") && emotion.contains("\"cancel\"") && emotion.contains("exclamation"),
        "{emotion}"
    );
    assert_eq!(by["emotion"]["contribution"], 12.0, "capped");
    // The enterprise plan's P1 first response is due in 15 minutes (calendar time):
    // 20 SLA points x (1 - 15 min / 8 h horizon) = 19.375, growing as it nears.
    let sla = by["sla"]["contribution"].as_f64().unwrap();
    assert!((sla - 19.375).abs() < 0.05, "{}", by["sla"]);
    assert!(by["sla"]["reason"].as_str().unwrap().starts_with("next SLA target due in 1"), "{}", by["sla"]);
    // Nobody set impact or urgency, but a VIP says the service is down: the
    // policy's rule makes it P1 (80), and the other strategies order it: customer
    // 8 + emotion 12 + category 8 + plan 5 + business impact 3 = 116 with the SLA points.
    assert_eq!(p["level"], "P1", "{p}");
    let d = &p["level_decision"];
    assert_eq!(
        (d["source"].as_str(), d["rule"].as_str(), d["raised"].as_u64()),
        (Some("rule"), Some("VIP outage"), Some(0))
    );
    assert_eq!(by["severity"]["reason"], "rule `VIP outage` gives P1");
    let score = p["score"].as_f64().unwrap();
    assert!((score - 116.0 - sla).abs() < 0.01, "116 + SLA points plus a moment of age: {score}");
    assert!(p["guideline"].as_str().unwrap().contains("Work it now"));
    let t = app.get(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN).await.body;
    assert_eq!(t["priority"], "P1");
    assert!((t["priority_score"].as_f64().unwrap() - score).abs() < 0.01, "the ticket shows the same score");
}
both!(the_priority_endpoint_explains_every_strategy);

async fn an_angry_customer_reply_raises_the_priority(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "standard").await;
    let (_, customer) = app.customer(org, "c@acme.example").await;
    let t = app
        .ticket(
            &customer,
            json!({"subject": "Statement question", "body": "What is this fee?",
                                  "custom_fields": {"affected_users": 100}}),
        )
        .await;
    // P3 (default): customer 2 + plan 1 + 100 users 5 = 8 points for who they are, not a level.
    assert!(t["priority"].is_null(), "customers are not shown levels: {t}");
    let id = t["id"].as_i64().unwrap();
    assert_eq!(app.get(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN).await.body["priority"], "P3");
    let r = app
        .post(
            &format!("/api/v1/tickets/{id}/comments"),
            &customer,
            json!({"body": "This is unacceptable, we will cancel!!!"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    // Their anger (12, the emotion strategy's cap) brings who they are to 20
    // points, a level's worth: P2, one level up, as the policy allows.
    let p = app.get(&format!("/api/v1/tickets/{id}/priority"), ADMIN_TOKEN).await.body;
    assert_eq!(p["level"], "P2", "{p}");
    assert_eq!((p["level_decision"]["base"].as_str(), p["level_decision"]["raised"].as_u64()), (Some("P3"), Some(1)));
    let emotion = p["contributions"].as_array().unwrap().iter().find(|c| c["strategy"] == "emotion").unwrap().clone();
    assert!(emotion["reason"].as_str().unwrap().contains("\"cancel\""), "{emotion}");
    let ev = app.get(&format!("/api/v1/tickets/{id}/events"), ADMIN_TOKEN).await.body;
    let changed = ev["items"].as_array().unwrap().iter().find(|e| e["kind"] == "priority_changed").unwrap().clone();
    assert_eq!(changed["reason"], "the customer's reply");
    assert_eq!(app.get(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN).await.body["priority"], "P2");
}
both!(an_angry_customer_reply_raises_the_priority);

/// Every list pages the same way, the short ones too: comments, events,
/// tokens, plans and plan history take `limit` and `cursor`, and following
/// the cursors gives back the whole list, in order, once.
async fn short_lists_page_like_tickets(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "standard").await;
    app.customer(org, "c@acme.example").await;
    let (_, agent) = app.agent("ann@triage.example").await;
    let t = app.ticket(ADMIN_TOKEN, json!({"subject": "s", "body": "b", "requester_email": "c@acme.example"})).await;
    let id = t["id"].as_i64().unwrap();
    for i in 0..3 {
        let r =
            app.post(&format!("/api/v1/tickets/{id}/comments"), &agent, json!({"body": format!("reply {i}")})).await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    for plan in ["premium", "enterprise"] {
        let r = app.post(&format!("/api/v1/organizations/{org}/plan"), ADMIN_TOKEN, json!({"plan": plan})).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    for path in [
        format!("/api/v1/tickets/{id}/comments"),
        format!("/api/v1/tickets/{id}/events"),
        "/api/v1/tokens".to_string(),
        "/api/v1/plans".to_string(),
        format!("/api/v1/organizations/{org}/plan"),
    ] {
        let whole = app.get(&format!("{path}?limit=200"), ADMIN_TOKEN).await;
        assert_eq!(whole.status, 200, "{path}: {}", whole.body);
        let whole = whole.body["items"].as_array().unwrap().clone();
        assert!(whole.len() >= 2, "{path}: a list to page");
        let (mut paged, mut cursor) = (Vec::new(), None::<String>);
        loop {
            let url = match &cursor {
                Some(c) => format!("{path}?limit=1&cursor={c}"),
                None => format!("{path}?limit=1"),
            };
            let r = app.get(&url, ADMIN_TOKEN).await;
            assert_eq!(r.status, 200, "{url}: {}", r.body);
            let items = r.body["items"].as_array().unwrap();
            assert!(items.len() <= 1, "{url}: limit kept");
            paged.extend(items.iter().cloned());
            match r.body["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
        }
        assert_eq!(paged, whole, "{path}: the pages are the list");
    }
}
both!(short_lists_page_like_tickets);
