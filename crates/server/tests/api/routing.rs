//! Push routing: new and unassigned tickets offered to qualified agents with
//! room by their team's strategy; an agent going offline hands their work back.

use crate::both;
use crate::helpers::{Backend, TestApp, ADMIN_TOKEN};
use serde_json::{json, Value};

async fn open(app: &TestApp, subject: &str, category: &str) -> Value {
    // minor x low: a P4, one unit of capacity.
    app.ticket(
        ADMIN_TOKEN,
        json!({"subject": subject, "body": "b", "requester_email": "c@acme.example", "category": category,
               "impact": "minor", "urgency": "low"}),
    )
    .await
}

async fn set_capacity(app: &TestApp, agent: i64, capacity: i64) {
    let r = app.patch(&format!("/api/v1/agents/{agent}"), ADMIN_TOKEN, json!({"capacity": capacity})).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

async fn new_tickets_go_to_qualified_agents_with_room(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "standard").await;
    app.customer(org, "c@acme.example").await;
    // Payments balances load. Ana and Ben hold cards; Cy only transfers; Di is in billing.
    let (ana, _) = app.agent_in("ana@s.example", "payments", "L1", &["cards"]).await;
    let (ben, _) = app.agent_in("ben@s.example", "payments", "L1", &["cards"]).await;
    let (cy, _) = app.agent_in("cy@s.example", "payments", "L1", &["transfers"]).await;
    let (di, _) = app.agent_in("di@s.example", "billing", "L1", &["cards"]).await;
    for a in [ana, ben, cy, di] {
        set_capacity(&app, a, 3).await;
    }
    let mut got = Vec::new();
    for i in 0..6 {
        let t = open(&app, &format!("card {i}"), "cards").await;
        assert_eq!(t["priority"], "P4", "{}", t["priority_explanation"]);
        got.push(t["assignee_id"].as_i64().expect("pushed to someone"));
    }
    // Evenly between the two qualified agents, three each; never Cy or Di.
    assert_eq!(got.iter().filter(|a| **a == ana).count(), 3, "{got:?}");
    assert_eq!(got.iter().filter(|a| **a == ben).count(), 3, "{got:?}");
    // The log says why.
    let list = app.get("/api/v1/tickets?limit=200", ADMIN_TOKEN).await;
    let some =
        list.body["items"].as_array().unwrap().iter().find(|t| t["assignee_id"] == got[0]).unwrap()["id"].clone();
    let events = app.get(&format!("/api/v1/tickets/{some}/events"), ADMIN_TOKEN).await.body;
    let why = events["items"][0]["data"]["routing"].as_str().unwrap_or_default().to_string();
    assert!(why.starts_with("least utilized after taking it"), "{events}");
    // Both full: the next one waits in the team's queue, unassigned.
    let t = open(&app, "card 7", "cards").await;
    assert!(t["assignee_id"].is_null(), "{t}");
    // A transfer goes to Cy, the only one with the skill.
    let t = open(&app, "transfer", "transfers").await;
    assert_eq!(t["assignee_id"], cy);
    // Engineering support is pull-only: never pushed.
    app.agent_in("eve@s.example", "engineering_support", "L2", &["technical"]).await;
    let t = open(&app, "api", "technical").await;
    assert!(t["assignee_id"].is_null());
}
both!(new_tickets_go_to_qualified_agents_with_room);

async fn an_agent_going_offline_hands_their_tickets_to_the_team(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "standard").await;
    app.customer(org, "c@acme.example").await;
    let (ana, _) = app.agent_in("ana@s.example", "payments", "L1", &["cards"]).await;
    let mut ids = Vec::new();
    for i in 0..4 {
        let t = open(&app, &format!("card {i}"), "cards").await;
        assert_eq!(t["assignee_id"], ana);
        ids.push(t["id"].as_i64().unwrap());
    }
    let (ben, _) = app.agent_in("ben@s.example", "payments", "L1", &["cards"]).await;
    // Away: keeps their work, gets no new work.
    let r = app.patch(&format!("/api/v1/agents/{ana}"), ADMIN_TOKEN, json!({"availability": "away"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(open(&app, "card 5", "cards").await["assignee_id"], ben);
    // Offline: their open tickets go back and are offered to Ben.
    let r = app.patch(&format!("/api/v1/agents/{ana}"), ADMIN_TOKEN, json!({"availability": "offline"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    app.drain().await;
    let mut moved = true;
    for id in &ids {
        moved &= app.get(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN).await.body["assignee_id"] == ben;
    }
    assert!(moved, "Ana's tickets went to Ben");
    let events = app.get(&format!("/api/v1/tickets/{}/events", ids[0]), ADMIN_TOKEN).await.body;
    let reasons: Vec<&str> = events["items"].as_array().unwrap().iter().filter_map(|e| e["reason"].as_str()).collect();
    assert!(reasons.contains(&"the agent went offline"), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.starts_with("routing: ")), "{reasons:?}");
    // A bad availability is refused with the field at fault.
    let r = app.patch(&format!("/api/v1/agents/{ana}"), ADMIN_TOKEN, json!({"availability": "busy"})).await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    let r = app.patch(&format!("/api/v1/agents/{ana}"), ADMIN_TOKEN, json!({"shifts": ["mon 9-5"]})).await;
    assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (422, Some("shifts[0]")), "{}", r.body);
}
both!(an_agent_going_offline_hands_their_tickets_to_the_team);

async fn escalation_hands_off_with_a_note_the_receiver_reads_first(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "standard").await;
    app.customer(org, "c@acme.example").await;
    let (ana, ana_token) = app.agent_in("ana@s.example", "payments", "L1", &["cards"]).await;
    let (ben, ben_token) = app.agent_in("ben@s.example", "payments", "L2", &["cards"]).await;
    let t = open(&app, "card stuck", "cards").await;
    let id = t["id"].as_i64().unwrap();
    assert_eq!(t["assignee_id"], ana, "L1 work goes to L1 while L1 has room");
    // The note is required, both parts.
    let path = format!("/api/v1/tickets/{id}/escalate");
    let r = app.post(&path, &ana_token, json!({"to": "next_tier", "what_was_tried": "", "what_is_needed": "x"})).await;
    assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (422, Some("what_was_tried")), "{}", r.body);
    let r =
        app.post(&path, &ana_token, json!({"to": "team:nowhere", "what_was_tried": "a", "what_is_needed": "b"})).await;
    assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (422, Some("to")), "{}", r.body);
    let r = app
        .post(
            &path,
            &ana_token,
            json!({"to": "next_tier", "what_was_tried": "Re-sent the card, reset the PIN", "what_is_needed": "Check the card processor's logs"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!((r.body["tier"].as_str(), r.body["assignee_id"].is_null()), (Some("L2"), true), "{}", r.body);
    assert_eq!(r.body["handoff"]["what_is_needed"], "Check the card processor's logs");
    // Offered to the L2 agent, who reads the note first.
    app.drain().await;
    let got = app.get(&format!("/api/v1/tickets/{id}"), &ben_token).await.body;
    assert_eq!(got["assignee_id"], ben, "{got}");
    assert_eq!(got["handoff"]["what_was_tried"], "Re-sent the card, reset the PIN");
    assert_eq!(got["handoff"]["by"], format!("agent:{ana}"));
    assert_eq!((got["handoff"]["from_tier"].as_str(), got["handoff"]["to_tier"].as_str()), (Some("L1"), Some("L2")));
    // The note is in the thread for staff, not for the customer.
    let thread = app.get(&format!("/api/v1/tickets/{id}/comments"), ADMIN_TOKEN).await.body;
    let note = thread["items"].as_array().unwrap().iter().find(|c| c["kind"] == "internal").unwrap();
    assert!(note["body"].as_str().unwrap().starts_with(&format!("Hand-off from agent:{ana}.")), "{note}");
    // And back down: a de-escalation, offered to L1 again.
    let r = app
        .post(&path, &ben_token, json!({"to": "previous_tier", "what_was_tried": "Processor fixed it", "what_is_needed": "Tell the customer"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["handoff"]["direction"], "deescalated");
    let ev = app.get(&format!("/api/v1/tickets/{id}/events"), ADMIN_TOKEN).await.body;
    let kinds: Vec<&str> = ev["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"escalated") && kinds.contains(&"deescalated"), "{kinds:?}");
    let r = app.post(&path, &ben_token, json!({"to": "tier:L1", "what_was_tried": "a", "what_is_needed": "b"})).await;
    assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (409, Some("to")), "already there: {}", r.body);

    // Back at L1 it is offered to Ana again: Ana, Ben, Ana is a ping-pong.
    app.drain().await;
    assert_eq!(app.get(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN).await.body["assignee_id"], ana);
    let r = app.get("/api/v1/reports/routing", ADMIN_TOKEN).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let rep = &r.body;
    assert_eq!(
        (rep["tickets"].as_u64(), rep["reassigned"].as_u64(), rep["ping_pong"].as_u64()),
        (Some(1), Some(1), Some(1)),
        "{rep}"
    );
    assert_eq!(rep["most_reassigned"][0]["agents"], json!([ana, ben, ana]));
    assert_eq!(rep["most_reassigned"][0]["reassignments"], 2);
    let cards = &rep["escalations_by_category"][0];
    assert_eq!(
        (cards["category"].as_str(), cards["escalations"].as_u64(), cards["deescalations"].as_u64()),
        (Some("cards"), Some(1), Some(1))
    );
    let payments = rep["evenness"].as_array().unwrap().iter().find(|t| t["team"] == "payments").unwrap();
    assert_eq!(
        (payments["agents"].as_u64(), payments["strategy"].as_str()),
        (Some(2), Some("load_balanced")),
        "{payments}"
    );
}
both!(escalation_hands_off_with_a_note_the_receiver_reads_first);

async fn a_ticket_escalated_to_another_team_waits_in_its_queue_for_them(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "standard").await;
    app.customer(org, "c@acme.example").await;
    let (ana, ana_token) = app.agent_in("ana@s.example", "payments", "L1", &["cards"]).await;
    let (_, eve_token) = app.agent_in("eve@s.example", "engineering_support", "L2", &["technical"]).await;
    let t = open(&app, "card reader SDK crashes", "cards").await;
    let id = t["id"].as_i64().unwrap();
    assert_eq!(t["assignee_id"], ana);
    let r = app
        .post(
            &format!("/api/v1/tickets/{id}/escalate"),
            &ana_token,
            json!({"to": "team:engineering_support", "what_was_tried": "Reinstalled the app", "what_is_needed": "A look at the SDK crash log"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["team"], "engineering_support");
    // Engineering is pull-only: nobody is pushed it; the card agent cannot pull it back.
    app.drain().await;
    let t = app.get(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN).await.body;
    assert!(t["assignee_id"].is_null(), "{t}");
    let r = app.req(reqwest::Method::POST, "/api/v1/queue/next", Some(&ana_token), None).await;
    assert_eq!(r.status, 204, "{}", r.body);
    // It waits in engineering's queue, not in payments'.
    let in_queue = |team: &'static str| {
        let app = &app;
        async move {
            let r = app.get(&format!("/api/v1/queue?team={team}"), ADMIN_TOKEN).await;
            assert_eq!(r.status, 200, "{}", r.body);
            r.body["items"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).collect::<Vec<_>>()
        }
    };
    assert_eq!(in_queue("engineering_support").await, [id]);
    assert!(in_queue("payments").await.is_empty());
    let r = app.get("/api/v1/queue?team=nope", ADMIN_TOKEN).await;
    assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (400, Some("team")));
    // Eve, without the cards skill, takes it: the receiving team's call; the note comes first.
    let r = app.req(reqwest::Method::POST, "/api/v1/queue/next", Some(&eve_token), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["id"], id);
    assert_eq!(r.body["handoff"]["what_is_needed"], "A look at the SDK crash log");
}
both!(a_ticket_escalated_to_another_team_waits_in_its_queue_for_them);

/// The follow-up runs in the background of a served process (loaded the way
/// `triage serve` loads it): after an escalation the receiving tier's agent is
/// offered the ticket without anyone draining by hand.
async fn the_background_follow_up_offers_an_escalated_ticket(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "standard").await;
    app.customer(org, "c@acme.example").await;
    let (ana, ana_token) = app.agent_in("ana@s.example", "payments", "L1", &["cards"]).await;
    let (ben, _) = app.agent_in("ben@s.example", "payments", "L2", &["cards"]).await;
    let t = open(&app, "card declined twice", "cards").await;
    let id = t["id"].as_i64().unwrap();
    assert_eq!(t["assignee_id"], ana);
    let r = app
        .post(
            &format!("/api/v1/tickets/{id}/escalate"),
            &ana_token,
            json!({"to": "next_tier", "what_was_tried": "Re-sent the card", "what_is_needed": "Processor logs"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Bounded, so a missing background loop fails the test instead of hanging it.
    let idle = tokio::time::timeout(std::time::Duration::from_secs(20), app.state.followup.idle()).await;
    assert!(idle.is_ok(), "the served process works its follow-up by itself");
    let got = app.get(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN).await.body;
    assert_eq!(got["assignee_id"], ben, "{got}");
}
both!(the_background_follow_up_offers_an_escalated_ticket);
