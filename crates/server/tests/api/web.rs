//! The web pages over HTTP: sign-in and sessions, the form token, the portal
//! and the agent workspace, what each person may see. (The same flows in a
//! real browser are the Chromium tests.)

use crate::both;
use crate::helpers::{Backend, TestApp, ADMIN_TOKEN};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;
use serde_json::json;

/// A browser without a cookie jar: each request says its cookie.
pub struct Browser<'a> {
    app: &'a TestApp,
    pub client: reqwest::Client,
    pub cookie: Option<String>,
}

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub set_cookie: Option<String>,
    pub html: String,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Browser<'a> {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Browser { app, client, cookie: None }
    }

    async fn send(&mut self, r: reqwest::RequestBuilder) -> Page {
        let r = match &self.cookie {
            Some(c) => r.header(COOKIE, c),
            None => r,
        };
        let res = r.send().await.unwrap();
        let header = |h| res.headers().get(h).map(|v: &reqwest::header::HeaderValue| v.to_str().unwrap().to_string());
        let (location, set_cookie) = (header(LOCATION), header(SET_COOKIE));
        let status = res.status();
        if let Some(c) = &set_cookie {
            let pair = c.split(';').next().unwrap().to_string();
            self.cookie = (!pair.ends_with('=')).then_some(pair);
        }
        Page { status, location, set_cookie, html: res.text().await.unwrap() }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let r = self.client.get(format!("{}{path}", self.app.base));
        self.send(r).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let r = self.client.post(format!("{}{path}", self.app.base)).form(form);
        self.send(r).await
    }

    pub async fn sign_in(&mut self, email: &str, password: &str) -> Page {
        self.post("/login", &[("email", email), ("password", password)]).await
    }
}

/// The form token a page's forms carry.
pub fn csrf(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("the page has a form token") + 19;
    html[at..].split('"').next().unwrap().to_string()
}

pub async fn with_password(app: &TestApp, email: &str) {
    app.store.set_password(email, &triage_server::password::hash("correct horse")).await.unwrap();
}

async fn a_customer_signs_in_opens_a_ticket_and_reads_the_promise(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "standard").await;
    app.customer(org, "c@acme.example").await;
    with_password(&app, "c@acme.example").await;
    let mut web = Browser::new(&app);

    // Signed out, every page leads to the sign-in form.
    let p = web.get("/portal/new").await;
    assert_eq!((p.status, p.location.as_deref()), (StatusCode::SEE_OTHER, Some("/login?next=%2Fportal%2Fnew")));
    let p = web.get("/login").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.html.contains("name=\"email\"") && p.html.contains("name=\"password\""), "{}", p.html);

    // A wrong password: the form again, saying so, and no session.
    let p = web.sign_in("c@acme.example", "wrong horse").await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    assert!(p.html.contains("Wrong e-mail or password"), "{}", p.html);
    assert!(web.cookie.is_none());

    // The right one: a session cookie and the page asked for, else the start page.
    let p = web
        .post("/login", &[("email", "c@acme.example"), ("password", "correct horse"), ("next", "/portal/new")])
        .await;
    assert_eq!((p.status, p.location.as_deref()), (StatusCode::SEE_OTHER, Some("/portal/new")));
    let p = web
        .post("/login", &[("email", "c@acme.example"), ("password", "correct horse"), ("next", "//evil.example/")])
        .await;
    assert_eq!(p.location.as_deref(), Some("/portal"), "never to another site");
    let p = web.sign_in("c@acme.example", "correct horse").await;
    assert_eq!((p.status, p.location.as_deref()), (StatusCode::SEE_OTHER, Some("/portal")));
    let cookie = p.set_cookie.unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"), "{cookie}");

    // A new ticket through the portal form; a post without the form token is refused.
    let form = web.get("/portal/new").await;
    assert_eq!(form.status, StatusCode::OK);
    let token = csrf(&form.html);
    let subject = "Card <script>alert(1)</script> declined";
    let body = "It says <img src=x onerror=alert(1)> every time";
    let p = web.post("/portal/tickets", &[("subject", subject), ("body", body)]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.html);
    let p = web.post("/portal/tickets", &[("subject", subject), ("body", body), ("csrf", "stale")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = web.post("/portal/tickets", &[("subject", subject), ("body", body), ("csrf", &token)]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    let listed = app.get("/api/v1/tickets", ADMIN_TOKEN).await.body;
    let t = &listed["items"][0];
    assert_eq!((t["subject"].as_str(), t["channel"].as_str()), (Some(subject), Some("portal")), "{t}");
    let id = t["id"].as_i64().unwrap();
    // To the ticket's page, which says it was received and what to expect; a
    // reload there reads the page again and opens nothing new.
    assert_eq!(p.location, Some(format!("/portal/tickets/{id}?received=1")));
    let got = web.get(p.location.as_deref().unwrap()).await;
    assert!(got.html.contains(&format!("Ticket #{id} received")), "{}", got.html);
    assert!(got.html.contains("We will reply by"), "the promise in words: {}", got.html);
    assert!(got.html.contains("Status: <strong>Received</strong>"), "in the customer's words: {}", got.html);
    web.get(p.location.as_deref().unwrap()).await;
    assert_eq!(app.get("/api/v1/tickets", ADMIN_TOKEN).await.body["items"].as_array().unwrap().len(), 1);

    // Shown as text: the markup in it runs nothing.
    let p = web.get(&format!("/portal/tickets/{id}")).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{}", p.html);
    assert!(!p.html.contains("<script>alert") && !p.html.contains("<img src=x"), "{}", p.html);

    // An invalid form names the field, with the API's message.
    let p = web.post("/portal/tickets", &[("subject", ""), ("body", "x"), ("csrf", &token)]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("subject"), "{}", p.html);

    // The custom fields the policy declares for customers, typed; a bad value named.
    assert!(form.html.contains("name=\"cf.affected_users\"") && form.html.contains("name=\"cf.environment\""));
    assert!(!form.html.contains("cf.security_incident"), "internal fields are not offered");
    let fields =
        [("subject", "Checkout down"), ("body", "all stores"), ("cf.environment", "production"), ("csrf", &token)];
    let p = web.post("/portal/tickets", &[&fields[..], &[("cf.affected_users", "-3")]].concat()).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("custom_fields.affected_users"), "{}", p.html);
    let p = web.post("/portal/tickets", &[&fields[..], &[("cf.affected_users", "40")]].concat()).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    let listed = app.get("/api/v1/tickets", ADMIN_TOKEN).await.body;
    let t = listed["items"].as_array().unwrap().iter().find(|t| t["subject"] == "Checkout down").unwrap().clone();
    assert_eq!(t["custom_fields"], json!({"affected_users": 40, "environment": "production"}), "{t}");

    // A reply, then signing out ends the session.
    let p = web.post(&format!("/portal/tickets/{id}/replies"), &[("body", "Any news?"), ("csrf", &token)]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    let thread = app.get(&format!("/api/v1/tickets/{id}/comments"), ADMIN_TOKEN).await.body;
    assert!(thread["items"].as_array().unwrap().iter().any(|c| c["body"] == "Any news?"), "{thread}");
    let old = web.cookie.clone();
    let bare =
        web.client.post(format!("{}/logout", app.base)).header("Cookie", old.clone().unwrap()).send().await.unwrap();
    assert_eq!(bare.status(), StatusCode::FORBIDDEN, "a post without the form token is refused");
    let p = web.post("/logout", &[("csrf", &token)]).await;
    assert_eq!((p.status, p.location.as_deref()), (StatusCode::SEE_OTHER, Some("/login")));
    web.cookie = old;
    let p = web.get("/portal").await;
    assert!(p.location.unwrap().starts_with("/login"), "the old cookie no longer works");
}
both!(a_customer_signs_in_opens_a_ticket_and_reads_the_promise);

async fn another_organizations_ticket_page_is_not_found(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (a, z) = (app.org("Acme", "standard").await, app.org("Zeta", "standard").await);
    let (_, a_token) = app.customer(a, "c@acme.example").await;
    app.customer(z, "z@zeta.example").await;
    with_password(&app, "z@zeta.example").await;
    let t = app.ticket(&a_token, json!({"subject": "Acme's own", "body": "private"})).await;
    let mut web = Browser::new(&app);
    assert_eq!(web.sign_in("z@zeta.example", "correct horse").await.status, StatusCode::SEE_OTHER);
    let theirs = web.get(&format!("/portal/tickets/{}", t["id"])).await;
    let missing = web.get("/portal/tickets/999999").await;
    assert_eq!((theirs.status, missing.status), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert!(!theirs.html.contains("Acme's own") && !theirs.html.contains("private"));
    assert_eq!(theirs.html, missing.html, "not told apart from a missing ticket");
    // Nor listed.
    assert!(!web.get("/portal").await.html.contains("Acme's own"));
}
both!(another_organizations_ticket_page_is_not_found);

async fn an_agent_takes_the_next_ticket_reads_why_and_replies(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "standard").await;
    let (_, customer) = app.customer(org, "c@acme.example").await;
    let (ana, _) = app.agent_in("ana@s.example", "payments", "L1", &["cards"]).await;
    // Full: nothing is pushed to Ana, so the ticket waits in the queue.
    let r = app.patch(&format!("/api/v1/agents/{ana}"), ADMIN_TOKEN, json!({"capacity": 0})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let t = app.ticket(&customer, json!({"subject": "Card declined", "body": "at the till"})).await;
    let id = t["id"].as_i64().unwrap();
    with_password(&app, "ana@s.example").await;
    let mut web = Browser::new(&app);
    let p = web.sign_in("ana@s.example", "correct horse").await;
    assert_eq!(p.location.as_deref(), Some("/agent"));
    let queue = web.get("/agent").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.html.contains("Card declined"), "{}", queue.html);
    // Views, words and the rows the page refreshes by itself.
    let other = app.ticket(&customer, json!({"subject": "Wire transfer pending", "body": "since Monday"})).await;
    let page = web.get("/agent?q=declined").await;
    assert!(page.html.contains("Card declined") && !page.html.contains("Wire transfer"), "{}", page.html);
    assert!(page.html.contains("The 1 most urgent matching tickets of 2 open tickets"), "{}", page.html);
    let page = web.get("/agent?view=urgent").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("aria-current=\"page\""), "the view's tab is marked");
    assert_eq!(web.get("/agent?view=nope").await.status, StatusCode::NOT_FOUND);
    let rows = web.get("/agent?rows=1").await;
    assert!(rows.html.starts_with("<tbody") && rows.html.contains("Wire transfer") && !rows.html.contains("<html"));
    let r = app.patch(&format!("/api/v1/tickets/{}", other["id"]), ADMIN_TOKEN, json!({"status": "solved"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(!web.get("/agent?rows=1").await.html.contains("Wire transfer"), "a solved ticket leaves the rows");
    let token = csrf(&queue.html);
    let p = web.post("/agent/next", &[("csrf", &token)]).await;
    assert_eq!(p.location, Some(format!("/agent/tickets/{id}")), "{}", p.html);
    let got = app.get(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN).await.body;
    assert_eq!((got["assignee_id"].as_i64(), got["status"].as_str()), (Some(ana), Some("open")));
    let page = web.get(&format!("/agent/tickets/{id}")).await;
    assert!(page.html.contains("Why this priority"), "{}", page.html);
    let p = web
        .post(
            &format!("/agent/tickets/{id}/replies"),
            &[("body", "Checking the processor"), ("kind", "internal"), ("csrf", &token)],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    assert!(web.get(&format!("/agent/tickets/{id}")).await.html.contains("internal note"));
    // Customers never read it.
    let theirs = app.get(&format!("/api/v1/tickets/{id}/comments"), &customer).await.body;
    assert!(!theirs.to_string().contains("Checking the processor"), "{theirs}");

    // Deactivated, the agent's session ends at the next page.
    let r = app.patch(&format!("/api/v1/agents/{ana}"), ADMIN_TOKEN, json!({"active": false})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(web.get("/agent").await.location.unwrap().starts_with("/login?next="));
}
both!(an_agent_takes_the_next_ticket_reads_why_and_replies);

async fn repeated_failed_sign_ins_lock_the_account_for_a_while(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "standard").await;
    app.customer(org, "c@acme.example").await;
    with_password(&app, "c@acme.example").await;
    // As many failures as lock it, recorded the way failed sign-ins are.
    let keys = vec!["account:c@acme.example".to_string()];
    for _ in 0..triage_server::web::login::LOCK_AT {
        app.store.sign_in_failed(&keys, chrono::Utc::now()).await.unwrap();
    }
    let mut web = Browser::new(&app);
    let p = web.sign_in("c@acme.example", "correct horse").await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits: {}", p.html);
    assert!(p.html.contains("Too many failed sign-ins"), "{}", p.html);
    assert!(web.cookie.is_none());
    // Another account is not locked by it.
    app.customer(org, "d@acme.example").await;
    with_password(&app, "d@acme.example").await;
    assert_eq!(web.sign_in("d@acme.example", "correct horse").await.status, StatusCode::SEE_OTHER);
    // A sign-in posted from another site is refused.
    let r = web
        .client
        .post(format!("{}/login", app.base))
        .header("Origin", "http://evil.example")
        .form(&[("email", "d@acme.example"), ("password", "correct horse")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
both!(repeated_failed_sign_ins_lock_the_account_for_a_while);

async fn an_agent_changes_overrides_and_escalates_from_the_ticket_page(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "standard").await;
    app.customer(org, "c@acme.example").await;
    let (ana, _) = app.agent_in("ana@s.example", "payments", "L1", &["cards"]).await;
    let (ben, _) = app.agent_in("ben@s.example", "payments", "L2", &["cards"]).await;
    let t = app
        .ticket(
            ADMIN_TOKEN,
            json!({"subject": "Card declined", "body": "at the till", "category": "cards", "requester_email": "c@acme.example"}),
        )
        .await;
    let id = t["id"].as_i64().unwrap();
    assert_eq!(t["assignee_id"], ana);
    with_password(&app, "ana@s.example").await;
    with_password(&app, "ben@s.example").await;
    let mut web = Browser::new(&app);
    web.sign_in("ana@s.example", "correct horse").await;
    let earlier = app
        .ticket(ADMIN_TOKEN, json!({"subject": "Earlier question", "body": "x", "requester_email": "c@acme.example"}))
        .await;
    let page = web.get(&format!("/agent/tickets/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("Service level") && page.html.contains("Event log"), "{}", page.html);
    // Who the customer is, and their other tickets.
    assert!(page.html.contains("pro account · new customer"), "{}", page.html);
    assert!(
        page.html.contains("1 other open tickets")
            && page.html.contains(&format!("#{} Earlier question", earlier["id"])),
        "{}",
        page.html
    );
    let token = csrf(&page.html);
    let path = format!("/agent/tickets/{id}/changes");

    // A level by hand needs a reason: the page says so and nothing changes.
    let p = web.post(&path, &[("priority", "P1"), ("csrf", &token)]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("priority_reason"), "{}", p.html);
    assert_eq!(app.get(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN).await.body["priority"], t["priority"]);
    let p = web
        .post(
            &path,
            &[
                ("priority", "P1"),
                ("priority_reason", "Till down at a flagship store"),
                ("urgency", "high"),
                ("csrf", &token),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    let got = app.get(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN).await.body;
    assert_eq!((got["priority"].as_str(), got["urgency"].as_str()), (Some("P1"), Some("high")), "{got}");
    assert_eq!(got["priority_explanation"]["override"]["reason"], "Till down at a flagship store");
    // Back to the queue, then taken again from the page.
    let p = web.post(&path, &[("assignee", "none"), ("csrf", &token)]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    assert!(app.get(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN).await.body["assignee_id"].is_null());
    let p = web.post(&path, &[("assignee", "me"), ("csrf", &token)]).await;
    assert_eq!(p.location, Some(format!("/agent/tickets/{id}?done=saved")), "{}", p.html);
    assert!(web.get(p.location.as_deref().unwrap()).await.html.contains("Saved."), "each save is confirmed");
    assert_eq!(app.get(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN).await.body["assignee_id"], ana);
    // A ticket number in the queue's search box opens the ticket.
    assert_eq!(web.get(&format!("/agent?q=%23{id}")).await.location, Some(format!("/agent/tickets/{id}")));

    // Escalated with a note: to L2, and Ben reads the note first.
    let esc = format!("/agent/tickets/{id}/escalations");
    let p =
        web.post(&esc, &[("to", "next_tier"), ("what_was_tried", ""), ("what_is_needed", "x"), ("csrf", &token)]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "the note is required: {}", p.html);
    let p = web
        .post(
            &esc,
            &[
                ("to", "next_tier"),
                ("what_was_tried", "Re-sent the card"),
                ("what_is_needed", "Processor logs"),
                ("csrf", &token),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    app.drain().await;
    let got = app.get(&format!("/api/v1/tickets/{id}"), ADMIN_TOKEN).await.body;
    assert_eq!((got["tier"].as_str(), got["assignee_id"].as_i64()), (Some("L2"), Some(ben)), "{got}");
    let mut ben_web = Browser::new(&app);
    ben_web.sign_in("ben@s.example", "correct horse").await;
    let page = ben_web.get(&format!("/agent/tickets/{id}")).await.html;
    let (note, why) = (page.find("Hand-off note").unwrap(), page.find("Why this priority").unwrap());
    assert!(note < why, "the note comes first");
    assert!(page.contains("Re-sent the card") && page.contains("Processor logs"));
}
both!(an_agent_changes_overrides_and_escalates_from_the_ticket_page);

async fn an_admin_invites_a_contact_who_chooses_a_password_once(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "standard").await;
    app.customer(org, "c@acme.example").await;
    app.agent("ann@s.example").await;
    with_password(&app, triage_server::bootstrap::FIRST_ADMIN_EMAIL).await;
    with_password(&app, "ann@s.example").await;
    // Agents do not see the admin pages.
    let mut ann = Browser::new(&app);
    ann.sign_in("ann@s.example", "correct horse").await;
    assert_eq!(ann.get("/admin").await.status, StatusCode::NOT_FOUND);

    let mut admin = Browser::new(&app);
    admin.sign_in(triage_server::bootstrap::FIRST_ADMIN_EMAIL, "correct horse").await;
    let page = admin.get("/admin").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("ann@s.example"), "{}", page.html);
    assert!(page.html.contains("<td>Acme") && page.html.contains("Support plans"), "{}", page.html);
    let token = csrf(&page.html);
    let p = admin.post("/admin/invitations", &[("email", "nobody@acme.example"), ("csrf", &token)]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    let p = admin.post("/admin/invitations", &[("email", "c@acme.example"), ("csrf", &token)]).await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.html);
    let at = p.html.find("/login/link/").expect("the link is shown");
    let path = p.html[at..].split('<').next().unwrap().to_string();

    let mut customer = Browser::new(&app);
    let form = customer.get(&path).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.html.contains("Choose your password"));
    let p = customer.post(&path, &[("password", "a fine password"), ("repeat", "a fine passwort")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("differ"), "{}", p.html);
    let p = customer.post(&path, &[("password", "a fine password"), ("repeat", "a fine password")]).await;
    assert_eq!((p.status, p.location.as_deref()), (StatusCode::SEE_OTHER, Some("/portal")), "{}", p.html);
    assert_eq!(customer.get("/portal").await.status, StatusCode::OK, "signed in");
    // Once only.
    let mut again = Browser::new(&app);
    assert_eq!(again.get(&path).await.status, StatusCode::NOT_FOUND);
    let p = again.post(&path, &[("password", "another password"), ("repeat", "another password")]).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    // The chosen password signs in.
    assert_eq!(again.sign_in("c@acme.example", "a fine password").await.location.as_deref(), Some("/portal"));
}
both!(an_admin_invites_a_contact_who_chooses_a_password_once);

async fn the_dashboard_draws_charts_with_their_numbers(b: Backend) {
    let app = TestApp::spawn(b).await;
    let org = app.org("Acme", "standard").await;
    let (_, customer) = app.customer(org, "c@acme.example").await;
    app.agent("ann@s.example").await;
    for i in 0..3 {
        app.ticket(&customer, json!({"subject": format!("question {i}"), "body": "details"})).await;
    }
    with_password(&app, "ann@s.example").await;
    with_password(&app, "c@acme.example").await;
    let mut web = Browser::new(&app);
    web.sign_in("ann@s.example", "correct horse").await;
    let page = web.get("/agent/dashboard").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("Tickets by level") && page.html.contains("<svg role=\"img\""), "{}", page.html);
    assert!(page.html.contains("Tickets created in the last 30 days: 3"), "{}", page.html);
    let r = web
        .client
        .get(format!("{}/agent/dashboard.csv?chart=tickets-by-level", app.base))
        .header("Cookie", web.cookie.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = r.text().await.unwrap();
    assert!(csv.starts_with("key,tickets\n\"P3\",3.000"), "{csv}");
    assert_eq!(web.get("/agent/dashboard.csv?chart=nope").await.status, StatusCode::NOT_FOUND);
    // Customers are sent to their portal.
    let mut theirs = Browser::new(&app);
    theirs.sign_in("c@acme.example", "correct horse").await;
    assert_eq!(theirs.get("/agent/dashboard").await.location.as_deref(), Some("/portal"));
}
both!(the_dashboard_draws_charts_with_their_numbers);
