//! HTTP load harness: starts a real `triage serve` process on a fresh database,
//! creates tickets through the API with N concurrent clients for a bounded count
//! and time, and reports tickets per second with p50/p99 latency.
//!
//! ```text
//! cargo build --release -p triage -p triage-bench
//! target/release/loadtest --backend sqlite --clients 32 --tickets 50000
//! target/release/loadtest --backend postgres --clients 32 --tickets 50000
//! target/release/loadtest --backend sqlite --ticket-batch 1   # baseline: one commit per ticket
//! target/release/loadtest --backend sqlite --demo   # demo models on: every ticket predicted
//! target/release/loadtest --scenario next --open 1000000 --clients 8 --requests 20000
//! ```
//!
//! `--scenario pages` seeds the same way, signs an agent in and reads the
//! queue page and the head ticket's page (`--requests` each).
//!
//! `--scenario next` seeds a SQLite database with `--open` open tickets before the
//! server starts, then has `--clients` agents take tickets with
//! `POST /api/v1/queue/next` and read the head of `GET /api/v1/queue`.
//! Traffic goes to 127.0.0.1 only.

use anyhow::{bail, Context};
use clap::Parser;
use hdrhistogram::Histogram;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use triage_store::scratch::ScratchDatabase;
use triage_store::Backend;

#[derive(Debug, Parser)]
struct Args {
    /// sqlite or postgres (a scratch database, dropped afterwards).
    #[arg(long, default_value = "sqlite")]
    backend: String,
    /// Concurrent clients, each with its own connection.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// Tickets to create in the measured run.
    #[arg(long, default_value_t = 20_000)]
    tickets: i64,
    /// Stop the measured run after this many seconds even if tickets remain.
    #[arg(long, default_value_t = 60)]
    max_seconds: u64,
    /// Passed to the server: tickets per group commit (1 = a commit per ticket).
    #[arg(long)]
    ticket_batch: Option<usize>,
    /// The triage binary (default: next to this one).
    #[arg(long)]
    triage: Option<std::path::PathBuf>,
    /// Print one JSON line instead of text.
    #[arg(long)]
    json: bool,
    /// create (tickets through the API) or next (agents taking from a full queue).
    #[arg(long, default_value = "create")]
    scenario: String,
    /// next: open tickets seeded before the server starts.
    #[arg(long, default_value_t = 1_000_000)]
    open: i64,
    /// next: requests of each kind in the measured run.
    #[arg(long, default_value_t = 20_000)]
    requests: i64,
    /// Start the server with `--demo`: demo data and the category, urgency and
    /// impact models it trains, so every created ticket is predicted.
    #[arg(long)]
    demo: bool,
}

const TOKEN: &str = "loadtest-admin-token";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = Args::parse();
    let backend = match a.backend.as_str() {
        "sqlite" => Backend::Sqlite,
        "postgres" => Backend::Postgres,
        b => bail!("--backend {b}: use sqlite or postgres"),
    };
    let db = ScratchDatabase::new(backend).await;
    let (next, pages) = match a.scenario.as_str() {
        "create" => (false, false),
        "next" if backend == Backend::Sqlite => (true, false),
        "pages" if backend == Backend::Sqlite => (true, true),
        "next" | "pages" => bail!("--scenario {} seeds SQLite only; use --backend sqlite", a.scenario),
        s => bail!("--scenario {s}: use create, next or pages"),
    };
    if next {
        let url = triage_store::DatabaseUrl::parse(&db.url).map_err(anyhow::Error::msg)?;
        triage_store::Store::connect(&url).await?.close().await;
        let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis() as i64;
        let t = Instant::now();
        triage_bench::seed::open_tickets(db.url.trim_start_matches("sqlite://"), a.open, now_ms)?;
        eprintln!("seeded {} open tickets in {:.1} s", a.open, t.elapsed().as_secs_f64());
    }
    let bin = match a.triage.clone() {
        Some(p) => p,
        None => std::env::current_exe()?.with_file_name("triage"),
    };
    let dir = tempfile_dir()?;
    let mut cmd = Command::new(&bin);
    cmd.current_dir(&dir)
        .env("TRIAGE_ADMIN_TOKEN", TOKEN)
        .env("TRIAGE_LOG", "warn")
        .args(["--database", &db.url, "serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(b) = a.ticket_batch {
        cmd.env("TRIAGE_TICKET_BATCH", b.to_string());
    }
    if a.demo {
        cmd.arg("--demo");
    }
    let started = Instant::now();
    let mut server = cmd.spawn().with_context(|| format!("cannot start {}", bin.display()))?;
    let first =
        BufReader::new(server.stdout.take().expect("piped")).lines().next().context("server printed nothing")??;
    let start_secs = started.elapsed().as_secs_f64();
    let addr = first.split("http://").nth(1).and_then(|r| r.split(' ').next()).context("no address")?.to_string();
    if pages {
        let result = run_pages(&a, &addr, &db.url).await;
        let _ = server.kill();
        let _ = server.wait();
        let _ = std::fs::remove_dir_all(&dir);
        let p = result?;
        println!(
            "{{\"open\":{},\"clients\":{},\"queue_p50_ms\":{:.3},\"queue_p99_ms\":{:.3},\"queue_server_p99_ms\":{:.3},\"api_queue_p50_ms\":{:.3},\"api_queue_p99_ms\":{:.3},\"ticket_p50_ms\":{:.3},\"ticket_p99_ms\":{:.3},\"queue_page_bytes\":{},\"ticket_page_bytes\":{},\"assets_bytes\":{},\"errors\":{}}}",
            a.open, a.clients, p.queue.p50_ms, p.queue.p99_ms, p.queue_server_p99_ms, p.api.p50_ms, p.api.p99_ms,
            p.ticket.p50_ms, p.ticket.p99_ms, p.queue_bytes, p.ticket_bytes, p.assets_bytes,
            p.queue.errors + p.api.errors + p.ticket.errors
        );
        let errors = p.queue.errors + p.api.errors + p.ticket.errors;
        if errors > 0 {
            bail!("{errors} requests failed");
        }
        return Ok(());
    }
    if next {
        let result = run_next(&a, &addr).await;
        let _ = server.kill();
        let _ = server.wait();
        let _ = std::fs::remove_dir_all(&dir);
        let (take, head) = result?;
        if a.json {
            println!(
                "{{\"open\":{},\"clients\":{},\"server_start_seconds\":{start_secs:.2},\"next_p50_ms\":{:.3},\"next_p99_ms\":{:.3},\"next_ok\":{},\"queue_head_p50_ms\":{:.3},\"queue_head_p99_ms\":{:.3},\"errors\":{}}}",
                a.open, a.clients, take.p50_ms, take.p99_ms, take.ok, head.p50_ms, head.p99_ms, take.errors + head.errors
            );
        } else {
            println!(
                "{} open, {} agents: server up in {start_secs:.1} s; POST /queue/next {} taken, p50 {:.2} ms, p99 {:.2} ms; GET /queue?limit=1 p50 {:.2} ms, p99 {:.2} ms; {} errors",
                a.open, a.clients, take.ok, take.p50_ms, take.p99_ms, head.p50_ms, head.p99_ms, take.errors + head.errors
            );
        }
        if take.errors + head.errors > 0 {
            bail!("{} requests failed", take.errors + head.errors);
        }
        return Ok(());
    }
    let result = run(&a, &addr).await;
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&dir);
    let r = result?;
    if a.json {
        println!(
            "{{\"backend\":\"{}\",\"clients\":{},\"ticket_batch\":{},\"tickets\":{},\"seconds\":{:.3},\"tickets_per_second\":{:.0},\"p50_ms\":{:.3},\"p99_ms\":{:.3},\"errors\":{}}}",
            a.backend, a.clients, a.ticket_batch.unwrap_or(512), r.ok, r.secs, r.ok as f64 / r.secs, r.p50_ms, r.p99_ms, r.errors
        );
    } else {
        println!(
            "{} clients={} batch={}: {} tickets in {:.2}s = {:.0} tickets/s, p50 {:.2} ms, p99 {:.2} ms, {} errors",
            a.backend,
            a.clients,
            a.ticket_batch.map_or("default".into(), |b| b.to_string()),
            r.ok,
            r.secs,
            r.ok as f64 / r.secs,
            r.p50_ms,
            r.p99_ms,
            r.errors
        );
    }
    if r.errors > 0 {
        bail!("{} requests failed", r.errors);
    }
    Ok(())
}

struct Outcome {
    ok: u64,
    errors: u64,
    secs: f64,
    p50_ms: f64,
    p99_ms: f64,
}

async fn run(a: &Args, addr: &str) -> anyhow::Result<Outcome> {
    let base = format!("http://{addr}");
    let setup = reqwest::Client::new();
    let org: serde_json::Value = setup
        .post(format!("{base}/api/v1/organizations"))
        .bearer_auth(TOKEN)
        .json(&serde_json::json!({"name": "Load Co", "account_type": "pro", "plan": "standard"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    setup
        .post(format!("{base}/api/v1/contacts"))
        .bearer_auth(TOKEN)
        .json(&serde_json::json!({"organization_id": org["id"], "name": "Load", "email": "load@load.example"}))
        .send()
        .await?
        .error_for_status()?;

    // Warm-up: connections, statement caches, the token cache.
    blast(&base, a.clients, 1_000, Duration::from_secs(30)).await?;
    let start = Instant::now();
    let (hist, ok, errors) = blast(&base, a.clients, a.tickets, Duration::from_secs(a.max_seconds)).await?;
    let secs = start.elapsed().as_secs_f64();
    let metrics = setup.get(format!("{base}/metrics")).send().await?.text().await?;
    for name in ["triage_ticket_batch_size", "triage_ticket_batch_seconds"] {
        let sum = metric(&metrics, &format!("{name}_sum"));
        let count = metric(&metrics, &format!("{name}_count"));
        if count > 0.0 {
            eprintln!("server: {name} mean {:.4} over {count} batches", sum / count);
        }
    }
    Ok(Outcome {
        ok,
        errors,
        secs,
        p50_ms: hist.value_at_quantile(0.50) as f64 / 1000.0,
        p99_ms: hist.value_at_quantile(0.99) as f64 / 1000.0,
    })
}

/// Sends `total` ticket creations from `clients` concurrent clients (or stops at `limit`).
async fn blast(base: &str, clients: usize, total: i64, limit: Duration) -> anyhow::Result<(Histogram<u64>, u64, u64)> {
    let remaining = Arc::new(AtomicI64::new(total));
    let deadline = Instant::now() + limit;
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (base, remaining) = (base.to_string(), remaining.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder().pool_max_idle_per_host(1).build().expect("client");
            let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("histogram");
            let (mut ok, mut errors) = (0u64, 0u64);
            let mut i = 0u64;
            while remaining.fetch_sub(1, Ordering::Relaxed) > 0 && Instant::now() < deadline {
                i += 1;
                let body = serde_json::json!({
                    "subject": format!("Card payment declined (client {c}, #{i})"),
                    "body": "My card was declined at the supermarket although my balance is fine. Please check what happened.",
                    "requester_email": "load@load.example",
                    "category": "cards", "impact": "moderate", "urgency": "high", "tags": ["load"],
                });
                let t = Instant::now();
                let r = client.post(format!("{base}/api/v1/tickets")).bearer_auth(TOKEN).json(&body).send().await;
                match r {
                    Ok(r) if r.status().as_u16() == 201 => {
                        let _ = r.bytes().await;
                        ok += 1;
                        hist.record(t.elapsed().as_micros().max(1) as u64).expect("in range");
                    }
                    _ => errors += 1,
                }
            }
            (hist, ok, errors)
        }));
    }
    gather(tasks).await
}

/// Latencies and counts of every client task, added up.
async fn gather(
    tasks: Vec<tokio::task::JoinHandle<(Histogram<u64>, u64, u64)>>,
) -> anyhow::Result<(Histogram<u64>, u64, u64)> {
    let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let (mut ok, mut errors) = (0, 0);
    for t in tasks {
        let (h, o, e) = t.await?;
        hist.add(h)?;
        ok += o;
        errors += e;
    }
    Ok((hist, ok, errors))
}

/// Agents taking tickets (`POST /queue/next`), then reading the head of the queue.
async fn run_next(a: &Args, addr: &str) -> anyhow::Result<(Outcome, Outcome)> {
    let base = format!("http://{addr}");
    // Warm-up: connections and the token cache.
    requests(&base, a.clients, 200, "POST", "/api/v1/queue/next", 200, Auth::Token).await?;
    let take = requests(&base, a.clients, a.requests, "POST", "/api/v1/queue/next", 200, Auth::Token).await?;
    let head = requests(&base, a.clients, a.requests, "GET", "/api/v1/queue?limit=1", 200, Auth::Token).await?;
    Ok((take, head))
}

struct Pages {
    queue: Outcome,
    /// The baseline: `GET /api/v1/queue?limit=50`, the same tickets as JSON.
    api: Outcome,
    ticket: Outcome,
    /// The server's own p99 for the queue page (its request histogram).
    queue_server_p99_ms: f64,
    queue_bytes: usize,
    ticket_bytes: usize,
    /// The stylesheet and scripts every page loads.
    assets_bytes: usize,
}

/// The web pages with a full queue: an agent signs in, then `clients`
/// browsers read the queue page and the head ticket's page.
async fn run_pages(a: &Args, addr: &str, db_url: &str) -> anyhow::Result<Pages> {
    let base = format!("http://{addr}");
    // The admin the server made at start signs in with a password set here.
    let url = triage_store::DatabaseUrl::parse(db_url).map_err(anyhow::Error::msg)?;
    let store = triage_store::Store::connect(&url).await?;
    let email = triage_server::bootstrap::FIRST_ADMIN_EMAIL;
    store.set_password(email, &triage_server::password::hash("load test password")).await?;
    store.close().await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let r = client
        .post(format!("{base}/login"))
        .form(&[("email", email), ("password", "load test password")])
        .send()
        .await?;
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .context("no session cookie")?
        .to_string();
    let get = |path: String| {
        let (client, cookie, url) = (client.clone(), cookie.clone(), format!("{base}{path}"));
        async move { client.get(url).header("cookie", cookie).send().await?.text().await }
    };
    let queue_html = get("/agent".into()).await?;
    let at = queue_html.find("/agent/tickets/").context("the queue page lists no ticket")? + 15;
    let id: String = queue_html[at..].chars().take_while(char::is_ascii_digit).collect();
    let ticket_html = get(format!("/agent/tickets/{id}")).await?;
    let mut assets_bytes = 0;
    for asset in ["/assets/triage.css", "/assets/htmx.min.js", "/assets/triage.js"] {
        assets_bytes += get(asset.into()).await?.len();
    }
    // Warm-up, then the measured runs, the page and the API's JSON of the
    // same 50 tickets (the baseline) alternated in halves.
    let session = Auth::Cookie(cookie.clone());
    requests(&base, a.clients, 200, "GET", "/agent", 200, session.clone()).await?;
    requests(&base, a.clients, 200, "GET", "/api/v1/queue?limit=50", 200, Auth::Token).await?;
    let mut queue = Vec::new();
    let mut api = Vec::new();
    for _ in 0..2 {
        queue.push(requests(&base, a.clients, a.requests / 2, "GET", "/agent", 200, session.clone()).await?);
        api.push(requests(&base, a.clients, a.requests / 2, "GET", "/api/v1/queue?limit=50", 200, Auth::Token).await?);
    }
    let ticket = requests(&base, a.clients, a.requests, "GET", &format!("/agent/tickets/{id}"), 200, session).await?;
    let worse = |v: Vec<Outcome>| v.into_iter().max_by(|x, y| x.p99_ms.total_cmp(&y.p99_ms)).expect("two halves");
    let (queue, api) = (worse(queue), worse(api));
    let metrics = client.get(format!("{base}/metrics")).send().await?.text().await?;
    Ok(Pages {
        queue,
        api,
        ticket,
        queue_server_p99_ms: server_p99_ms(&metrics, "/agent"),
        queue_bytes: queue_html.len(),
        ticket_bytes: ticket_html.len(),
        assets_bytes,
    })
}

/// The p99 of a route from the server's request-duration histogram buckets
/// (the upper bound of the bucket the 99th percentile falls in), in ms.
fn server_p99_ms(metrics: &str, route: &str) -> f64 {
    let mut buckets: Vec<(f64, f64)> = metrics
        .lines()
        .filter(|l| {
            l.starts_with("triage_http_request_duration_seconds_bucket") && l.contains(&format!("route=\"{route}\""))
        })
        .filter_map(|l| {
            let le = l.split("le=\"").nth(1)?.split('"').next()?;
            let le = if le == "+Inf" { f64::INFINITY } else { le.parse().ok()? };
            Some((le, l.rsplit(' ').next()?.parse().ok()?))
        })
        .collect();
    buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total = buckets.last().map_or(0.0, |b| b.1);
    buckets.iter().find(|b| b.1 >= 0.99 * total).map_or(f64::NAN, |b| b.0 * 1000.0)
}

/// Who a request is from: the admin's API token, or a browser session's cookie.
#[derive(Clone)]
enum Auth {
    Token,
    Cookie(String),
}

/// `total` requests from `clients` concurrent clients; latency of those answered `want`.
async fn requests(
    base: &str,
    clients: usize,
    total: i64,
    method: &'static str,
    path: &str,
    want: u16,
    auth: Auth,
) -> anyhow::Result<Outcome> {
    let remaining = Arc::new(AtomicI64::new(total));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (url, remaining, auth) = (format!("{base}{path}"), remaining.clone(), auth.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client");
            let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("histogram");
            let (mut ok, mut errors) = (0u64, 0u64);
            while remaining.fetch_sub(1, Ordering::Relaxed) > 0 {
                let req = if method == "POST" { client.post(&url) } else { client.get(&url) };
                let req = match &auth {
                    Auth::Token => req.bearer_auth(TOKEN),
                    Auth::Cookie(c) => req.header("cookie", c),
                };
                let t = Instant::now();
                match req.send().await {
                    Ok(r) if r.status().as_u16() == want => {
                        let _ = r.bytes().await;
                        ok += 1;
                        hist.record(t.elapsed().as_micros().max(1) as u64).expect("in range");
                    }
                    _ => errors += 1,
                }
            }
            (hist, ok, errors)
        }));
    }
    let (hist, ok, errors) = gather(tasks).await?;
    Ok(Outcome {
        ok,
        errors,
        secs: start.elapsed().as_secs_f64(),
        p50_ms: hist.value_at_quantile(0.50) as f64 / 1000.0,
        p99_ms: hist.value_at_quantile(0.99) as f64 / 1000.0,
    })
}

/// The value of an unlabelled Prometheus sample.
fn metric(text: &str, name: &str) -> f64 {
    text.lines().find_map(|l| l.strip_prefix(name).and_then(|rest| rest.trim().parse().ok())).unwrap_or(0.0)
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("triage-loadtest-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
