//! The web pages in a real headless Chromium, driven over WebDriver
//! (chromedriver): what a customer and an agent do, what a page may not do
//! (run a ticket's markup, reach another origin, show another organization's
//! ticket). Screenshots of the pages go to `target/screenshots/`.
//!
//! Needs Debian's `chromium` and `chromium-driver`; without them the tests
//! say so and pass, unless `TRIAGE_TEST_BROWSER` is set (`.ci/run` sets it
//! and installs them), when they fail.

#[path = "../api/helpers.rs"]
#[allow(dead_code, unused_macros)]
mod helpers;

use fantoccini::{Client, ClientBuilder, Locator};
use helpers::{Backend, TestApp};
use serde_json::json;
use std::io::BufRead;
use std::process::{Child, Command, Stdio};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A chromedriver of our own on a free port, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts chromedriver, or `None` (with a note) when it is not installed and
/// the browser tests are not required.
fn driver(test: &str) -> Option<Driver> {
    if !std::path::Path::new(CHROMEDRIVER).exists() {
        assert!(
            std::env::var_os("TRIAGE_TEST_BROWSER").is_none(),
            "TRIAGE_TEST_BROWSER is set but {CHROMEDRIVER} is missing (apt-get install chromium chromium-driver)"
        );
        eprintln!("note: {test} skipped: no {CHROMEDRIVER} (apt-get install chromium chromium-driver)");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    // Ready when it says so on its standard output.
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        if line.unwrap().contains("started successfully") {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    Some(Driver { child, url: format!("http://127.0.0.1:{port}") })
}

/// A headless Chromium at a laptop's size.
async fn browser(d: &Driver) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"binary": "/usr/bin/chromium",
               "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1366,768"]}),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&d.url)
        .await
        .expect("a Chromium session")
}

/// Saves the page as `target/screenshots/{name}.png`.
async fn screenshot(c: &Client, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.png")), c.screenshot().await.unwrap()).unwrap();
}

async fn sign_in(c: &Client, base: &str, email: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    accessible(c, "sign-in").await;
    c.find(Locator::Css("#email")).await.unwrap().send_keys(email).await.unwrap();
    c.find(Locator::Css("#password")).await.unwrap().send_keys("correct horse").await.unwrap();
    c.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("form[action='/logout']")).await.unwrap();
}

/// axe-core, run in the page: no serious or critical accessibility
/// violation on it.
async fn accessible(c: &Client, page: &str) {
    const AXE: &str = include_str!("vendor/axe-core/axe.min.js");
    c.execute(AXE, vec![]).await.expect("axe-core loads");
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {resultTypes: ['violations']})
                .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => v.id + ': ' + v.help + ' (' + v.nodes.map(n => n.target.join(' ')).join(', ') + ')')))
                .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(found, json!([]), "accessibility of the {page} page");
}

/// Every resource the page loaded came from `base`.
async fn only_own_origin(c: &Client, base: &str) {
    let urls = c
        .execute("return performance.getEntriesByType('resource').map(e => e.name).concat([location.href]);", vec![])
        .await
        .unwrap();
    for u in urls.as_array().unwrap() {
        assert!(u.as_str().unwrap().starts_with(base), "a request left the server's origin: {u}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_submits_a_ticket_and_an_agent_takes_it_in_chromium() {
    let Some(d) = driver("a_customer_submits_a_ticket_and_an_agent_takes_it_in_chromium") else { return };
    let app = TestApp::spawn(Backend::Sqlite).await;
    let base = app.base.clone();
    let (acme, zeta) = (app.org("Acme", "standard").await, app.org("Zeta", "standard").await);
    app.customer(acme, "c@acme.example").await;
    let (_, zeta_token) = app.customer(zeta, "z@zeta.example").await;
    let (ana, _) = app.agent_in("ana@s.example", "payments", "L1", &["cards"]).await;
    let (ben, _) = app.agent_in("ben@s.example", "payments", "L2", &["cards"]).await;
    // Full, so the new ticket waits in the queue for Ana to take.
    let r = app.patch(&format!("/api/v1/agents/{ana}"), helpers::ADMIN_TOKEN, json!({"capacity": 0})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    for who in ["c@acme.example", "ana@s.example", "ben@s.example"] {
        app.store.set_password(who, &triage_server::password::hash("correct horse")).await.unwrap();
    }

    // The customer signs in and submits a ticket whose text carries markup.
    let c = browser(&d).await;
    sign_in(&c, &base, "c@acme.example").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/portal");
    c.find(Locator::LinkText("New ticket")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#subject")).await.unwrap();
    screenshot(&c, "portal-new-ticket").await;
    accessible(&c, "portal submit").await;
    c.find(Locator::Css("#subject"))
        .await
        .unwrap()
        .send_keys("Card declined <script>window.__ran=1</script>")
        .await
        .unwrap();
    c.find(Locator::Css("#body"))
        .await
        .unwrap()
        .send_keys("At the till: <img src=x onerror=\"window.__ran=1\">")
        .await
        .unwrap();
    c.find(Locator::Css("form.card button[type=submit]")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("form textarea#reply")).await.unwrap();
    let notices = c.find_all(Locator::Css(".notice")).await.unwrap();
    let mut said = Vec::new();
    for n in notices {
        said.push(n.text().await.unwrap());
    }
    assert!(said.iter().any(|t| t.contains("received")), "{said:?}");
    assert!(said.iter().any(|t| t.starts_with("We will reply by")), "the promise in words: {said:?}");
    screenshot(&c, "portal-ticket-received").await;
    let page = c.source().await.unwrap();
    assert!(page.contains("&lt;script&gt;window.__ran=1&lt;/script&gt;"), "shown as text");
    let ran = c.execute("return window.__ran === undefined;", vec![]).await.unwrap();
    assert_eq!(ran, json!(true), "the ticket's markup ran nothing");
    only_own_origin(&c, &base).await;
    // Another organization's ticket: the not-found page.
    let theirs = app.ticket(&zeta_token, json!({"subject": "Zeta's own", "body": "private"})).await;
    c.goto(&format!("{base}/portal/tickets/{}", theirs["id"])).await.unwrap();
    let h1 = c.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
    assert_eq!(h1, "Not found");
    assert!(!c.source().await.unwrap().contains("Zeta's own"));
    c.close().await.unwrap();

    // The agent signs in, sees it in the queue, takes it, reads why, replies.
    let a = browser(&d).await;
    sign_in(&a, &base, "ana@s.example").await;
    assert_eq!(a.current_url().await.unwrap().path(), "/agent");
    let queue = a.source().await.unwrap();
    assert!(queue.contains("Card declined"), "in the queue");
    screenshot(&a, "agent-queue").await;
    accessible(&a, "queue").await;
    // j moves to the first ticket in the queue.
    let focused = a
        .execute(
            "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'j'})); return document.activeElement.textContent;",
            vec![],
        )
        .await
        .unwrap();
    assert!(focused.as_str().unwrap().contains("Card declined"), "j focuses the first ticket: {focused}");
    a.find(Locator::XPath("//button[normalize-space()='Take next']")).await.unwrap().click().await.unwrap();
    a.wait().for_element(Locator::Css("section[aria-label='Why this priority']")).await.unwrap();
    assert!(a.current_url().await.unwrap().path().starts_with("/agent/tickets/"));
    let title = a.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
    assert!(title.contains("Card declined"), "the oldest waiting ticket first: {title}");
    a.find(Locator::Css("#reply")).await.unwrap().send_keys("We are checking with the card processor.").await.unwrap();
    a.find(Locator::Css("form.card button[type=submit]")).await.unwrap().click().await.unwrap();
    a.wait()
        .for_element(Locator::XPath(
            "//div[contains(@class,'message')][contains(., 'checking with the card processor')]",
        ))
        .await
        .unwrap();
    screenshot(&a, "agent-ticket").await;
    accessible(&a, "ticket").await;
    only_own_origin(&a, &base).await;
    let ticket_path = a.current_url().await.unwrap().path().to_string();
    a.goto(&format!("{base}/agent/dashboard")).await.unwrap();
    a.wait().for_element(Locator::Css("svg.chart")).await.unwrap();
    screenshot(&a, "agent-dashboard").await;
    accessible(&a, "dashboard").await;
    a.goto(&format!("{base}{ticket_path}")).await.unwrap();

    // She files it under cards (a correction of the prediction) and hands it
    // to L2 with a note.
    a.find(Locator::Css("select#category option[value='cards']")).await.unwrap().click().await.unwrap();
    a.find(Locator::XPath("//button[normalize-space()='Save changes']")).await.unwrap().click().await.unwrap();
    a.wait().for_element(Locator::XPath("//p[contains(., '· cards')]")).await.unwrap();
    a.find(Locator::Css("#what_was_tried")).await.unwrap().send_keys("Re-sent the card").await.unwrap();
    a.find(Locator::Css("#what_is_needed")).await.unwrap().send_keys("Processor logs for the till").await.unwrap();
    a.find(Locator::XPath("//button[normalize-space()='Hand over']")).await.unwrap().click().await.unwrap();
    a.wait().for_element(Locator::Css("section[aria-label='Hand-off note']")).await.unwrap();
    a.close().await.unwrap();
    app.drain().await;
    let got = app.get(&ticket_path.replace("/agent/", "/api/v1/"), helpers::ADMIN_TOKEN).await.body;
    assert_eq!((got["tier"].as_str(), got["assignee_id"].as_i64()), (Some("L2"), Some(ben)), "{got}");

    // Ben, at L2, reads the note before anything else about the ticket.
    let b = browser(&d).await;
    sign_in(&b, &base, "ben@s.example").await;
    b.goto(&format!("{base}{ticket_path}")).await.unwrap();
    let first = b.find(Locator::Css("main section.card h2")).await.unwrap().text().await.unwrap();
    assert!(first.starts_with("Hand-off note"), "the note first: {first}");
    assert!(b.source().await.unwrap().contains("Processor logs for the till"));
    screenshot(&b, "agent-handoff").await;
    b.close().await.unwrap();
}
