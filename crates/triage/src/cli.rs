//! The command-line grammar (clap) and the dispatch to one module per command.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "triage", version, about = "Triage: priority support tickets, explained.")]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// Database URL: sqlite://PATH or postgres://USER@HOST:PORT/DB [default: sqlite://./triage.db].
    #[arg(long, global = true, env = "TRIAGE_DATABASE")]
    pub database: Option<String>,
    /// Policy file (TOML); the built-in policy when absent.
    #[arg(long, global = true, env = "TRIAGE_POLICY")]
    pub policy: Option<PathBuf>,
    /// Log as JSON lines instead of text.
    #[arg(long, global = true, env = "TRIAGE_LOG_JSON")]
    pub log_json: bool,
}

impl Global {
    /// The database URL given, or the default SQLite file.
    pub fn database(&self) -> &str {
        self.database.as_deref().unwrap_or("sqlite://./triage.db")
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server.
    Serve(ServeArgs),
    /// Work with policy files.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Import historic tickets from a CSV or JSONL file (resumable).
    Import(ImportArgs),
    /// Export every ticket as JSON lines (the format `import` reads).
    Export(ExportArgs),
    /// Service-level tools.
    #[command(subcommand)]
    Sla(SlaCommand),
    /// Train a categorization model (from labelled tickets in the database, or a CSV file).
    Train(TrainArgs),
    /// Score a stored model on a labelled CSV file.
    Evaluate(EvaluateArgs),
    /// List, inspect and activate stored models.
    #[command(subcommand)]
    Models(ModelsCommand),
    /// Manage people's sign-in to the web pages.
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Set the password an agent, admin or customer contact signs in with;
    /// it is read from standard input (one line), never from the command line.
    Password {
        /// The person's e-mail address.
        email: String,
        /// Instead of reading a password, print a one-time link (valid 7
        /// days) with which they choose one themselves.
        #[arg(long)]
        link: bool,
        /// Where the server is reached, for the printed link.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        base_url: String,
    },
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// What the model predicts: category, urgency, impact (from the database), or
    /// any label column of `--data`.
    #[arg(long)]
    pub target: String,
    /// Train from this CSV file instead of the database's labelled tickets.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// The file's text columns, comma-separated (joined by a line break).
    #[arg(long, default_value = "subject,body")]
    pub text: String,
    /// The file's column with the labels (default: the target's name).
    #[arg(long)]
    pub label: Option<String>,
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    #[arg(long)]
    pub target: String,
    /// A labelled CSV file.
    #[arg(long)]
    pub data: PathBuf,
    #[arg(long, default_value = "subject,body")]
    pub text: String,
    /// The file's column with the true labels (default: the target's name).
    #[arg(long)]
    pub label: Option<String>,
    /// A stored model's id (default: the newest trained for the target).
    #[arg(long)]
    pub model: Option<i64>,
    /// table or json.
    #[arg(long, default_value = "table", value_parser = ["table", "json"])]
    pub format: String,
}

#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// Every stored model, newest first.
    List {
        #[arg(long)]
        target: Option<String>,
    },
    /// Make a model its target's active one.
    Activate { id: i64 },
    /// One model: labels, settings, calibration, held-out evaluation.
    Show {
        id: i64,
        /// table or json.
        #[arg(long, default_value = "table", value_parser = ["table", "json"])]
        format: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum SlaCommand {
    /// When is a target due on a business calendar? No policy or database needed.
    Due(SlaDueArgs),
}

#[derive(Debug, Args)]
pub struct SlaDueArgs {
    /// IANA time zone of the calendar, e.g. Europe/Berlin.
    #[arg(long, default_value = "UTC")]
    pub timezone: String,
    /// Business hours, e.g. "mon-fri 09:00-17:00" or "mon 08:00-12:00,13:00-17:00"
    /// (repeatable; days mon..sun, ranges mon-fri, lists sat,sun; 24:00 allowed as an
    /// end). Without it the calendar runs around the clock (24x7).
    #[arg(long = "hours", value_name = "DAYS HH:MM-HH:MM")]
    pub hours: Vec<String>,
    /// A holiday, 2026-12-25, or a range 2026-12-24..2026-12-26 (repeatable; whole local days).
    #[arg(long = "holiday", value_name = "DATE[..DATE]")]
    pub holidays: Vec<String>,
    /// When the clock starts (RFC 3339); now when absent.
    #[arg(long)]
    pub start: Option<String>,
    /// The target as business time: 90m, 4h, 2d (a day is 24 hours of business time), 1h30m.
    #[arg(long)]
    pub target: String,
    /// A stretch the clock stood still, START/END as RFC 3339 instants (repeatable).
    #[arg(long = "pause", value_name = "START/END")]
    pub pauses: Vec<String>,
    /// text, or json: {"due", "business_seconds", "paused_seconds"}.
    #[arg(long, default_value = "text")]
    pub format: String,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "TRIAGE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Seed demo organizations, agents and ~200 tickets (once per database).
    #[arg(long)]
    pub demo: bool,
    /// A bearer token `/metrics` requires (from anywhere); without one,
    /// `/metrics` answers loopback peers only.
    #[arg(long, env = "TRIAGE_METRICS_TOKEN")]
    pub metrics_token: Option<String>,
    /// Open connections at once; beyond, a short 503 and close. Keep it under
    /// the process's open-file limit (`ulimit -n`).
    #[arg(long, env = "TRIAGE_MAX_CONNECTIONS", default_value_t = 4096)]
    pub max_connections: usize,
    /// Requests handled at once; beyond, a 503 at once (load shedding).
    #[arg(long, env = "TRIAGE_MAX_IN_FLIGHT", default_value_t = 1024)]
    pub max_in_flight: usize,
    /// Most tickets per group commit (1 commits each ticket alone; for benchmarks).
    #[arg(long, env = "TRIAGE_TICKET_BATCH", default_value_t = 512, hide = true)]
    pub ticket_batch: usize,
    /// Mark session cookies `Secure` (behind a TLS-terminating proxy that
    /// does not send `X-Forwarded-Proto: https`).
    #[arg(long, env = "TRIAGE_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Most SLA alarms the ticker claims and writes at once (for tests).
    #[arg(long, env = "TRIAGE_SLA_BATCH", default_value_t = triage_server::sla::ticker::BATCH, hide = true)]
    pub sla_batch: i64,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Validate a policy file; errors name file:line and what to fix. With
    /// `--database`, also warn about teams and tiers it routes to where no
    /// active agent of that database works.
    Check {
        /// The policy file to check.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user and print it (only now).
    Create {
        /// admin, agent or customer.
        #[arg(long)]
        role: String,
        /// The user's e-mail (an agent for admin/agent, a contact for customer).
        #[arg(long)]
        user: String,
        /// A note saying what the token is for.
        #[arg(long, default_value = "")]
        label: String,
    },
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A .csv (header row) or .jsonl file.
    pub file: PathBuf,
    /// Rename input columns: `--map subject=title` reads Triage's `subject` from column `title`.
    #[arg(long = "map", value_name = "FIELD=COLUMN")]
    pub map: Vec<String>,
    /// Start again from the first line instead of resuming.
    #[arg(long)]
    pub restart: bool,
    /// Exit non-zero when any row is rejected.
    #[arg(long)]
    pub strict: bool,
    /// Make a new database when there is none (otherwise a missing database is
    /// an error, so a mistyped URL never starts an empty one).
    #[arg(long)]
    pub create: bool,
    /// Rows per transaction.
    #[arg(long, default_value_t = 500)]
    pub batch: usize,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Write here instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve(a) => crate::serve::run(&cli.global, a).await,
        Command::Policy(PolicyCommand::Check { file }) => crate::policy_check::run(&cli.global, &file).await,
        Command::Token(TokenCommand::Create { role, user, label }) => {
            crate::token::create(&cli.global, &role, &user, &label).await
        }
        Command::Import(a) => crate::import::run(&cli.global, a).await,
        Command::Export(a) => crate::export::run(&cli.global, a).await,
        Command::Sla(SlaCommand::Due(a)) => crate::sla_due::run(&a),
        Command::Train(a) => crate::train::train(&cli.global, a).await,
        Command::Evaluate(a) => crate::train::evaluate_cmd(&cli.global, a).await,
        Command::Models(c) => crate::train::models(&cli.global, c).await,
        Command::User(UserCommand::Password { email, link: false, .. }) => {
            crate::user::password(&cli.global, &email).await
        }
        Command::User(UserCommand::Password { email, link: true, base_url }) => {
            crate::user::link(&cli.global, &email, &base_url).await
        }
    }
}
