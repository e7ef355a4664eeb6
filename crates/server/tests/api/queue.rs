//! The work queue: priority order, named views, and taking the next ticket.

use crate::both;
use crate::helpers::{Backend, TestApp, ADMIN_TOKEN};
use reqwest::Method;
use serde_json::json;

async fn seed(app: &TestApp) -> String {
    let org = app.org("Acme", "standard").await;
    let (_, customer) = app.customer(org, "c@acme.example").await;
    for (subject, impact, urgency, category) in [
        ("low", "minor", "low", "cards"),
        ("fraud", "significant", "high", "security"),
        ("outage", "extensive", "critical", "technical"),
        ("medium", "moderate", "medium", "transfers"),
        ("another low", "minor", "low", "cash"),
    ] {
        app.ticket(
            ADMIN_TOKEN,
            json!({"subject": subject, "body": "details", "requester_email": "c@acme.example",
                   "impact": impact, "urgency": urgency, "category": category}),
        )
        .await;
    }
    customer
}

async fn the_queue_is_in_priority_order_and_views_filter_it(b: Backend) {
    let app = TestApp::spawn(b).await;
    let customer = seed(&app).await;
    let r = app.get("/api/v1/queue", ADMIN_TOKEN).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let items = r.body["items"].as_array().unwrap();
    let subjects: Vec<&str> = items.iter().map(|t| t["subject"].as_str().unwrap()).collect();
    // "another low" is about cash, which the policy gives 2 points more than cards.
    assert_eq!(subjects, ["outage", "fraud", "medium", "another low", "low"]);
    let scores: Vec<f64> = items.iter().map(|t| t["priority_score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    assert!(items.iter().all(|t| t["priority"].is_string()));
    assert!(items.iter().all(|t| t["level"] == t["priority"] && t["score"] == t["priority_score"]), "{items:?}");

    // Pages of two walk the same order without repeats.
    let mut seen = Vec::new();
    let mut path = "/api/v1/queue?limit=2".to_string();
    loop {
        let r = app.get(&path, ADMIN_TOKEN).await;
        seen.extend(r.body["items"].as_array().unwrap().iter().map(|t| t["subject"].as_str().unwrap().to_string()));
        match r.body["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/queue?limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, subjects);

    let r = app.get("/api/v1/queue?view=trust-and-safety", ADMIN_TOKEN).await;
    let only: Vec<&str> = r.body["items"].as_array().unwrap().iter().map(|t| t["subject"].as_str().unwrap()).collect();
    assert_eq!(only, ["fraud"]);
    let r = app.get("/api/v1/queue?view=urgent", ADMIN_TOKEN).await;
    let urgent: Vec<&str> =
        r.body["items"].as_array().unwrap().iter().map(|t| t["priority"].as_str().unwrap()).collect();
    assert!(!urgent.is_empty() && urgent.iter().all(|l| *l == "P1" || *l == "P2"), "{urgent:?}");
    let r = app.get("/api/v1/queue?view=nope", ADMIN_TOKEN).await;
    assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (400, Some("view")));
    assert_eq!(app.get("/api/v1/queue", &customer).await.status, 403);
}
both!(the_queue_is_in_priority_order_and_views_filter_it);

/// Takes from the queue as `token` until it answers 204; the tickets taken.
async fn drain(client: reqwest::Client, base: String, token: String) -> Vec<serde_json::Value> {
    let mut got = Vec::new();
    loop {
        let r = client.post(format!("{base}/api/v1/queue/next")).bearer_auth(&token).send().await.unwrap();
        match r.status().as_u16() {
            200 => got.push(r.json::<serde_json::Value>().await.unwrap()),
            204 => return got,
            s => panic!("queue/next answered {s}"),
        }
    }
}

async fn next_gives_each_agent_what_it_is_qualified_for(b: Backend) {
    let app = TestApp::spawn(b).await;
    seed(&app).await;
    // A payments agent with card and transfer skills: the three payments tickets,
    // most urgent first; never fraud (another team) or the outage (L2, another team).
    let (ana, ana_token) = app.agent_in("ana@support.example", "payments", "L1", &["cards", "transfers"]).await;
    let got = drain(app.client.clone(), app.base.clone(), ana_token).await;
    let subjects: Vec<&str> = got.iter().map(|t| t["subject"].as_str().unwrap()).collect();
    assert_eq!(subjects, ["medium", "another low", "low"]);
    assert!(got.iter().all(|t| t["assignee_id"] == ana && t["status"] == "open"));
    // Trust and safety needs the security skill at L2: an L1 with it gets nothing.
    let (_, junior) = app.agent_in("jo@support.example", "trust_and_safety", "L1", &["security"]).await;
    assert!(drain(app.client.clone(), app.base.clone(), junior).await.is_empty());
    let (_, senior) = app.agent_in("sam@support.example", "trust_and_safety", "L2", &["security"]).await;
    let got = drain(app.client.clone(), app.base.clone(), senior).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["subject"], "fraud");
    // In a view of categories the caller does not work: nothing.
    let (_, eng) = app.agent_in("eve@support.example", "engineering_support", "L2", &["technical"]).await;
    let r = app.req(Method::POST, "/api/v1/queue/next?view=trust-and-safety", Some(&eng), None).await;
    assert_eq!(r.status, 204);
    let got = drain(app.client.clone(), app.base.clone(), eng).await;
    assert_eq!(got.iter().map(|t| t["subject"].as_str().unwrap()).collect::<Vec<_>>(), ["outage"]);
}
both!(next_gives_each_agent_what_it_is_qualified_for);

/// Many agents pulling at once from a pull-only team's queue, through two
/// server instances on one database: every ticket is given to exactly one of
/// them, none is lost.
async fn parallel_pulls_give_every_ticket_once(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "standard").await;
    app.customer(org, "c@acme.example").await;
    let mut agents = Vec::new();
    for i in 0..12 {
        agents.push(app.agent_in(&format!("e{i}@support.example"), "engineering_support", "L2", &["technical"]).await);
    }
    let mut ids = Vec::new();
    for i in 0..60 {
        let impact = ["minor", "moderate", "significant"][i % 3];
        let t = app
            .ticket(
                ADMIN_TOKEN,
                json!({"subject": format!("api issue {i}"), "body": "b", "requester_email": "c@acme.example",
                       "category": "technical", "impact": impact, "urgency": "medium"}),
            )
            .await;
        assert!(t["assignee_id"].is_null(), "engineering support is pull-only: {t}");
        ids.push(t["id"].as_i64().unwrap());
    }
    // Half the agents ask this server, half a second server on the same database.
    let other = app.second_server().await;
    let mut set = tokio::task::JoinSet::new();
    for (i, (id, token)) in agents.clone().into_iter().enumerate() {
        let base = if i % 2 == 0 { app.base.clone() } else { other.clone() };
        let client = app.client.clone();
        set.spawn(async move { (id, drain(client, base, token).await) });
    }
    let results = set.join_all().await;
    let mut taken: Vec<i64> = Vec::new();
    for (agent, got) in &results {
        for t in got {
            assert_eq!(t["assignee_id"], *agent);
            taken.push(t["id"].as_i64().unwrap());
        }
    }
    taken.sort();
    let before = taken.len();
    taken.dedup();
    assert_eq!(before, taken.len(), "a ticket was given twice");
    ids.sort();
    assert_eq!(taken, ids, "every ticket given, none lost");
    assert!(results.iter().filter(|(_, got)| !got.is_empty()).count() > 1, "the agents shared the work");
    let r = app.get("/api/v1/tickets?assignee=none", ADMIN_TOKEN).await;
    assert_eq!(r.body["items"], json!([]));
}
both!(parallel_pulls_give_every_ticket_once);

/// A ticket stored by another process (here: a second connection) reaches this
/// process's queue, and leaves it when that process closes it.
async fn the_queue_sees_what_other_processes_write(b: Backend) {
    use triage_core::ticket::{Actor, Channel, NewTicket, Status};
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "standard").await;
    let (contact, _) = app.customer(org, "c@acme.example").await;
    seed_one(&app).await;
    let other = triage_store::Store::connect(&triage_store::DatabaseUrl::parse(&app.db_url).unwrap()).await.unwrap();
    let now = chrono::Utc::now();
    let t = NewTicket {
        subject: "from another process".into(),
        body: "written beside the server".into(),
        channel: Channel::Api,
        requester_id: contact,
        organization_id: org,
        category: None,
        impact: None,
        urgency: None,
        priority: Some(triage_core::priority::Priority {
            level: "P1".into(),
            score: 99.0,
            explanation: Default::default(),
            points: None,
            policy_version: String::new(),
        }),
        sla_due_at: None,
        sla_alarm_at: None,
        promise: None,
        acknowledgment: None,
        routing: None,
        status: Status::New,
        assignee_id: None,
        team: None,
        tier: None,
        tags: vec![],
        custom_fields: Default::default(),
        external_id: Some("other:1".into()),
        created_at: now,
        actor: Actor::System,
        predictions: Default::default(),
        suggested: Default::default(),
        idempotency: None,
    };
    assert_eq!(other.insert_tickets(&[t]).await.unwrap(), 1);
    let first = || async {
        let r = app.get("/api/v1/queue", ADMIN_TOKEN).await;
        let head = &r.body["items"][0];
        (head["subject"].as_str().unwrap_or_default().to_string(), head["id"].as_i64().unwrap_or(0))
    };
    app.drain().await;
    let (subject, ticket) = first().await;
    assert_eq!(subject, "from another process", "the other process's ticket heads the queue once read");
    other
        .modify_ticket(ticket, Actor::System, chrono::Utc::now(), None, |t| {
            t.transition(Status::Closed, chrono::Utc::now()).map(|from| {
                vec![triage_store::NewEvent {
                    data: triage_core::ticket::event_data::StatusChanged::of(from, Status::Closed),
                    reason: None,
                }]
            })
        })
        .await
        .unwrap();
    app.drain().await;
    let gone = first().await.0 != "from another process";
    assert!(gone, "closed elsewhere, it leaves this process's queue");
}
both!(the_queue_sees_what_other_processes_write);

async fn seed_one(app: &TestApp) {
    app.ticket(
        ADMIN_TOKEN,
        json!({"subject": "local", "body": "details", "requester_email": "c@acme.example",
               "impact": "minor", "urgency": "low"}),
    )
    .await;
}
