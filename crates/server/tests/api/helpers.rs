//! TestApp: a real server on a random port over a fresh database, SQLite in a
//! temporary directory or a uniquely named PostgreSQL database (dropped after).

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use triage_core::clock::{Clock, SystemClock};
use triage_core::policy::Policy;
use triage_server::AppState;
use triage_store::scratch::ScratchDatabase;
use triage_store::{DatabaseUrl, Store};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs a test body once per backend: `both!(name)` makes `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::helpers::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if !triage_store::scratch::postgres_tests_run(concat!(stringify!($name), "::postgres")) {
                    return;
                }
                super::$name($crate::helpers::Backend::Postgres).await
            }
        }
    };
}

pub const ADMIN_TOKEN: &str = "test-admin-token";

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    /// The app's store, for tests that look beneath the API.
    #[allow(dead_code)]
    pub store: Store,
    /// The app's shared state, for tests that drive background work by hand.
    #[allow(dead_code)]
    pub state: AppState,
    /// The database's URL, for tests that play a second process.
    #[allow(dead_code)]
    pub db_url: String,
    shutdown: Option<oneshot::Sender<()>>,
    _db: ScratchDatabase,
}

/// A response: status, headers and the JSON body (Null when empty).
pub struct Res {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, Arc::new(SystemClock), true).await
    }

    /// A server whose clock stands still at Saturday 2026-11-28 23:00 Berlin time,
    /// outside every business calendar of the built-in policy: no SLA target is
    /// near, so scores do not depend on the hour the test runs.
    #[allow(dead_code)]
    pub async fn spawn_at_weekend(backend: Backend) -> TestApp {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-28T22:00:00Z").unwrap().with_timezone(&chrono::Utc);
        Self::spawn_with_clock(backend, Arc::new(triage_core::clock::ManualClock::new(at))).await
    }

    /// A server whose time is `clock` (a `ManualClock` lets a test move it). Its
    /// SLA ticker does not run by itself: the test ticks it when it wants.
    pub async fn spawn_with_clock(backend: Backend, clock: Arc<dyn Clock>) -> TestApp {
        Self::spawn_with(backend, clock, false).await
    }

    async fn spawn_with(backend: Backend, clock: Arc<dyn Clock>, ticker: bool) -> TestApp {
        let db = ScratchDatabase::new(match backend {
            Backend::Sqlite => triage_store::Backend::Sqlite,
            Backend::Postgres => triage_store::Backend::Postgres,
        })
        .await;
        let store = Store::connect(&DatabaseUrl::parse(&db.url).unwrap()).await.expect("store connects and migrates");
        let policy = Policy::builtin();
        triage_server::bootstrap::prepare(&store, &policy, Some(ADMIN_TOKEN), clock.now()).await.expect("bootstrap");
        let mut state = AppState::new(store.clone(), policy, clock);
        state.run_sla_ticker = ticker;
        // As `triage serve` does: the queue index is loaded before serving.
        triage_server::queue::start(&state).await.expect("queue index loads");
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(triage_server::serve(listener, state.clone(), async move {
            let _ = rx.await;
        }));
        TestApp {
            base: format!("http://{addr}"),
            client: reqwest::Client::new(),
            store,
            state,
            db_url: db.url.clone(),
            shutdown: Some(tx),
            _db: db,
        }
    }

    /// A second server process's worth: its own pools, queue index and router
    /// on the same database, serving on its own port. Returns its base URL.
    #[allow(dead_code)]
    pub async fn second_server(&self) -> String {
        self.second_server_with(|_| {}).await
    }

    /// [`TestApp::second_server`] with its state adjusted first (its options).
    #[allow(dead_code)]
    pub async fn second_server_with(&self, adjust: impl FnOnce(&mut AppState)) -> String {
        let store = Store::connect(&DatabaseUrl::parse(&self.db_url).unwrap()).await.expect("second store");
        let mut state = AppState::new(store, Policy::builtin(), Arc::new(SystemClock));
        adjust(&mut state);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(triage_server::serve(listener, state, std::future::pending::<()>()));
        format!("http://{addr}")
    }

    /// [`TestApp::second_server`] serving within `limits`.
    #[allow(dead_code)]
    pub async fn second_server_limited(&self, limits: triage_server::listen::Limits) -> String {
        let store = Store::connect(&DatabaseUrl::parse(&self.db_url).unwrap()).await.expect("second store");
        let state = AppState::new(store, Policy::builtin(), Arc::new(SystemClock));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(triage_server::serve_with(listener, state, limits, std::future::pending::<()>()));
        format!("http://{addr}")
    }

    pub async fn req(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Res {
        let mut r = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        if let Some(b) = body {
            r = r.json(&b);
        }
        let res = r.send().await.expect("request sent");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.bytes().await.unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Res { status, headers, body }
    }

    pub async fn get(&self, path: &str, token: &str) -> Res {
        self.req(Method::GET, path, Some(token), None).await
    }
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Res {
        self.req(Method::POST, path, Some(token), Some(body)).await
    }
    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Res {
        self.req(Method::PATCH, path, Some(token), Some(body)).await
    }
    pub async fn delete(&self, path: &str, token: &str) -> Res {
        self.req(Method::DELETE, path, Some(token), None).await
    }

    /// Creates an organization on `plan` and returns its id.
    pub async fn org(&self, name: &str, plan: &str) -> i64 {
        let r = self
            .post("/api/v1/organizations", ADMIN_TOKEN, json!({"name": name, "account_type": "pro", "plan": plan}))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        r.body["id"].as_i64().unwrap()
    }

    /// Creates a contact and a customer token for them: `(contact id, token)`.
    pub async fn customer(&self, org: i64, email: &str) -> (i64, String) {
        let r = self
            .post("/api/v1/contacts", ADMIN_TOKEN, json!({"organization_id": org, "name": "Customer", "email": email}))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let id = r.body["id"].as_i64().unwrap();
        (id, self.token("customer", email).await)
    }

    /// Creates an agent and an agent token: `(agent id, token)`.
    pub async fn agent(&self, email: &str) -> (i64, String) {
        let r = self
            .post(
                "/api/v1/agents",
                ADMIN_TOKEN,
                json!({"name": "Agent", "email": email, "skills": [{"name": "cards", "proficiency": 3}], "tier": "L1", "team": "payments"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        (r.body["id"].as_i64().unwrap(), self.token("agent", email).await)
    }

    /// Creates an agent of `team` at `tier` holding `skills` (proficiency 3): `(id, token)`.
    #[allow(dead_code)]
    pub async fn agent_in(&self, email: &str, team: &str, tier: &str, skills: &[&str]) -> (i64, String) {
        let skills: Vec<Value> = skills.iter().map(|s| json!({"name": s, "proficiency": 3})).collect();
        let r = self
            .post(
                "/api/v1/agents",
                ADMIN_TOKEN,
                json!({"name": "Agent", "email": email, "skills": skills, "tier": tier, "team": team}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        (r.body["id"].as_i64().unwrap(), self.token("agent", email).await)
    }

    pub async fn token(&self, role: &str, email: &str) -> String {
        let r = self.post("/api/v1/tokens", ADMIN_TOKEN, json!({"role": role, "user": email})).await;
        assert_eq!(r.status, 201, "{}", r.body);
        r.body["token"].as_str().unwrap().to_string()
    }

    /// Opens a ticket as `token`; returns the ticket JSON.
    /// Finishes the background work the requests so far left (the follow-up
    /// after each write: SLA times, push routing; other processes' writes read
    /// into the queue index), so a test asserts on its outcome without waiting.
    #[allow(dead_code)]
    pub async fn drain(&self) {
        self.state.followup.drain(&self.state).await;
    }

    pub async fn ticket(&self, token: &str, body: Value) -> Value {
        let r = self.post("/api/v1/tickets", token, body).await;
        assert_eq!(r.status, 201, "{}", r.body);
        r.body
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
