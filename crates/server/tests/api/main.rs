//! API integration tests: every scenario runs on SQLite and on PostgreSQL.

mod helpers;

mod authorization;
mod categorize;
mod coverage;
mod errors;
mod idempotency;
mod ops;
mod organizations;
mod queue;
mod records;
mod reports;
mod routing;
mod sla;
mod sla_escalation;
mod sla_history;
mod tickets;
mod visibility;
mod web;
