//! Opening a database from its URL: backend choice, pragmas, pools, migrations.

use crate::{tickets::writer, Inner, Store, StoreError};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database URL whose `Debug`/`Display` hide any password.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    url: String,
    backend: Backend,
}

impl DatabaseUrl {
    /// Accepts `sqlite://PATH`, `sqlite:PATH`, `postgres://...` and `postgresql://...`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        if let Some(rest) = raw.strip_prefix("sqlite://").or_else(|| raw.strip_prefix("sqlite:")) {
            if rest.is_empty() {
                return Err("the sqlite URL has no path; write e.g. sqlite://./triage.db".into());
            }
            let url = if rest.contains('?') { format!("sqlite://{rest}") } else { format!("sqlite://{rest}?mode=rwc") };
            return Ok(Self { url, backend: Backend::Sqlite });
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self { url: raw.to_string(), backend: Backend::Postgres });
        }
        Err(format!(
            "unsupported database URL `{}`; use sqlite://PATH (e.g. sqlite://./triage.db) or postgres://USER@HOST:PORT/DB",
            redact(raw)
        ))
    }
    pub fn backend(&self) -> Backend {
        self.backend
    }
    pub fn expose(&self) -> &str {
        &self.url
    }
    /// The file of a SQLite URL.
    pub fn sqlite_path(&self) -> Option<String> {
        let rest = self.url.strip_prefix("sqlite://")?;
        Some(rest.split('?').next().unwrap_or(rest).to_string())
    }
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.url))
    }
}
impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

static SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Tuning knobs; the defaults suit production.
#[derive(Debug, Clone, Copy)]
pub struct StoreOptions {
    /// Most tickets committed in one group-commit transaction (1 = a commit per ticket).
    pub max_batch: usize,
    /// Make a new database when there is none (the server). Without it, a missing
    /// SQLite file or a database without Triage's tables is [`StoreError::Missing`]
    /// and nothing is created.
    pub create: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions { max_batch: writer::MAX_BATCH, create: true }
    }
}

impl Store {
    /// Connects, applies pending migrations and starts the ticket writer.
    pub async fn connect(url: &DatabaseUrl) -> Result<Store, StoreError> {
        Store::connect_with(url, StoreOptions::default()).await
    }

    /// [`Store::connect`] with explicit options.
    pub async fn connect_with(url: &DatabaseUrl, options: StoreOptions) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let missing = || StoreError::Missing(url.sqlite_path().map_or(url.to_string(), |p| format!("sqlite://{p}")));
        if let (false, Some(path)) = (options.create, url.sqlite_path()) {
            if !std::path::Path::new(&path).exists() {
                return Err(missing());
            }
        }
        let opts = AnyConnectOptions::from_str(url.expose())?;
        let (write, read, writers) = match url.backend {
            Backend::Sqlite => {
                // synchronous=FULL: a commit is on disk before it is acknowledged, so a
                // killed process (or a power cut) loses nothing acknowledged. Group
                // commit in the ticket writer pays the fsync once per batch.
                let pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;";
                let write = AnyPoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(move |c, _| Box::pin(async move { c.execute(pragmas).await.map(|_| ()) }))
                    .connect_with(opts.clone())
                    .await?;
                let read = AnyPoolOptions::new()
                    .max_connections(4)
                    .after_connect(|c, _| {
                        Box::pin(async move {
                            c.execute("PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;").await.map(|_| ())
                        })
                    })
                    .connect_with(opts)
                    .await?;
                (write, read, 1)
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(opts)
                    .await?;
                (pool.clone(), pool, 4)
            }
        };
        let existed = has_schema(url.backend, &write).await?;
        if !existed && !options.create {
            return Err(missing());
        }
        migrate(url.backend, &write).await?;
        let writer = writer::spawn(url.backend, write.clone(), url.sqlite_path(), writers, options.max_batch.max(1));
        Ok(Store { inner: Arc::new(Inner { backend: url.backend, write, read, writer, created: !existed }) })
    }

    /// Whether connecting made a new database (the schema was not there).
    pub fn created(&self) -> bool {
        self.inner.created
    }

    pub(crate) fn w(&self) -> &AnyPool {
        &self.inner.write
    }
    pub(crate) fn r(&self) -> &AnyPool {
        &self.inner.read
    }
}

/// Whether Triage's schema is there (its migrations table).
async fn has_schema(backend: Backend, pool: &AnyPool) -> Result<bool, StoreError> {
    let q = match backend {
        Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'"
        }
    };
    let n: i64 = sqlx::query_scalar(q).fetch_one(pool).await?;
    Ok(n > 0)
}

async fn migrate(backend: Backend, pool: &AnyPool) -> Result<(), StoreError> {
    let m = match backend {
        Backend::Sqlite => &SQLITE,
        Backend::Postgres => &POSTGRES,
    };
    m.run(pool).await.map_err(|e| StoreError::Other(sqlx::Error::Migrate(Box::new(e))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_the_backend_and_hide_passwords() {
        let s = DatabaseUrl::parse("sqlite://./triage.db").unwrap();
        assert_eq!(s.backend(), Backend::Sqlite);
        assert_eq!(s.expose(), "sqlite://./triage.db?mode=rwc");
        let p = DatabaseUrl::parse("postgres://root:secret@127.0.0.1:5432/test").unwrap();
        assert_eq!(p.backend(), Backend::Postgres);
        assert!(!p.to_string().contains("secret"));
        assert!(!format!("{p:?}").contains("secret"));
        let e = DatabaseUrl::parse("mysql://x").unwrap_err();
        assert!(e.contains("sqlite://PATH"));
    }
}
