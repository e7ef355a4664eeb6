//! Scratch databases for tests: a SQLite file in a temporary directory, or a
//! uniquely named PostgreSQL database that is dropped when the value is dropped.
//! PostgreSQL is found at `TRIAGE_TEST_POSTGRES_URL`
//! (default `postgres://root@127.0.0.1:5432/test`).

use crate::Backend;
use sqlx::Connection;

pub struct ScratchDatabase {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

/// Whether a PostgreSQL test named `test` runs. With `TRIAGE_TEST_POSTGRES_URL`
/// set (as `.ci/run` sets it) always: a server that does not answer then fails
/// the test. Without it, only when a server answers at the default address;
/// otherwise the test is skipped and says why on stderr.
pub fn postgres_tests_run(test: &str) -> bool {
    if std::env::var_os("TRIAGE_TEST_POSTGRES_URL").is_some() {
        return true;
    }
    static ANSWERS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let answers = *ANSWERS.get_or_init(|| {
        let url = postgres_admin_url();
        let host = url.split("://").nth(1).unwrap_or("").split('/').next().unwrap_or("");
        let host = host.rsplit('@').next().unwrap_or(host);
        let addr = if host.contains(':') { host.to_string() } else { format!("{host}:5432") };
        use std::net::ToSocketAddrs;
        addr.to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
            .is_some_and(|a| std::net::TcpStream::connect_timeout(&a, std::time::Duration::from_secs(2)).is_ok())
    });
    if !answers {
        eprintln!(
            "skipping {test}: no PostgreSQL answers at {} (set TRIAGE_TEST_POSTGRES_URL to require it)",
            postgres_admin_url()
        );
    }
    answers
}

pub fn postgres_admin_url() -> String {
    std::env::var("TRIAGE_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".into())
}

impl ScratchDatabase {
    pub async fn new(backend: Backend) -> ScratchDatabase {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}/triage.db", dir.path().display());
                ScratchDatabase { url, _dir: Some(dir), pg_name: None }
            }
            Backend::Postgres => {
                let name = format!("triage_t_{:016x}", unique());
                let admin = postgres_admin_url();
                let mut c = sqlx::PgConnection::connect(&admin).await.unwrap_or_else(|e| {
                    panic!("PostgreSQL must answer at {admin} (set TRIAGE_TEST_POSTGRES_URL): {e}")
                });
                sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut c).await.expect("create test database");
                let base = admin.rsplit_once('/').map(|(b, _)| b).expect("URL with a database name");
                ScratchDatabase { url: format!("{base}/{name}"), _dir: None, pg_name: Some(name) }
            }
        }
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let Some(name) = self.pg_name.take() else { return };
        // Drop cannot await: use a thread with a runtime of its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async {
                if let Ok(mut c) = sqlx::PgConnection::connect(&postgres_admin_url()).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut c).await;
                }
            });
        })
        .join();
    }
}

fn unique() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(N.fetch_add(1, Ordering::Relaxed));
    h.write_u32(std::process::id());
    h.finish()
}
