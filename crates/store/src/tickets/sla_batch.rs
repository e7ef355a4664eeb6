//! The SLA ticker's storage: claiming the alarms that have come, a batch at a
//! time, and writing what it decided for many tickets in one transaction.
//!
//! A claim moves the claimed tickets' alarms to the end of a lease, so another
//! process (PostgreSQL: `FOR UPDATE SKIP LOCKED`) takes the next alarms rather
//! than the same ones, and a process that dies mid-batch leaves its tickets to
//! be claimed again when the lease runs out. What happens once is still decided
//! by each trigger's key in `sla_triggers`, whatever the leases do.

use super::{insert_event, replace_tags, NewEvent};
use crate::codec::{json, ms};
use crate::{Backend, Store, StoreError};
use chrono::{DateTime, Utc};
use sqlx::{Acquire, Row};
use std::collections::HashMap;
use triage_core::sla::Outcome;
use triage_core::ticket::{Actor, Comment, Event, Ticket};

/// What the ticker decided for one ticket.
#[derive(Debug, Clone)]
pub struct SlaWrite {
    /// The ticket as read (its `version` is checked when writing).
    pub before: Ticket,
    /// The ticket after the escalations (team, tier, assignee, tags).
    pub after: Ticket,
    /// The trigger keys acted on: each is claimed once, for good.
    pub claims: Vec<String>,
    pub events: Vec<NewEvent>,
    pub notifications: Vec<crate::notifications::NewNotification>,
    /// Outcomes to record (breaches acted on, runs decided meanwhile).
    pub outcomes: Vec<Outcome>,
    /// The next due time and alarm once this is written.
    pub due: Option<DateTime<Utc>>,
    pub alarm: Option<DateTime<Utc>>,
    /// Whether the outcomes above are all the ticket's clocks decided, so the
    /// ticket is settled at its new version.
    pub settles: bool,
}

/// How one [`SlaWrite`] went.
#[derive(Debug, Clone, PartialEq)]
pub enum SlaWritten {
    /// Written (or, with nothing to act on, its alarm moved): the ticket as
    /// stored now when it changed.
    Done(Option<Box<Ticket>>),
    /// Changed by someone else since it was read, or a trigger was claimed
    /// elsewhere: nothing written, its alarm set to now for the next tick.
    Again,
}

/// What the ticker reads of a batch of tickets, in a few queries for the whole
/// batch (not a few per ticket).
#[derive(Debug, Default)]
pub struct SlaReads {
    pub tickets: Vec<Ticket>,
    pub events: HashMap<i64, Vec<Event>>,
    /// Public comments (the replies the clocks count).
    pub comments: HashMap<i64, Vec<Comment>>,
    pub outcomes: HashMap<i64, Vec<Outcome>>,
    /// The trigger keys acted on before.
    pub fired: HashMap<i64, Vec<String>>,
}

/// `ids` as an SQL list (they are integers: nothing to escape).
fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

impl Store {
    /// The tickets `ids` with their event logs, public comments, outcomes on
    /// record and fired triggers.
    pub async fn sla_reads(&self, ids: &[i64]) -> Result<SlaReads, StoreError> {
        let mut out = SlaReads::default();
        for chunk in ids.chunks(500) {
            let list = id_list(chunk);
            out.tickets.extend(self.tickets_by_ids(chunk).await?);
            let rows = sqlx::query(&format!(
                "SELECT id, ticket_id, at, actor, kind, data, reason FROM ticket_events WHERE ticket_id IN ({list}) ORDER BY id"
            ))
            .fetch_all(self.r())
            .await?;
            for r in &rows {
                let e = super::decode_event(r)?;
                out.events.entry(e.ticket_id).or_default().push(e);
            }
            let rows = sqlx::query(&format!(
                "SELECT id, ticket_id, author, kind, body, created_at FROM comments
                 WHERE ticket_id IN ({list}) AND kind = 'public' ORDER BY id"
            ))
            .fetch_all(self.r())
            .await?;
            for r in &rows {
                let c = super::decode_comment(r)?;
                out.comments.entry(c.ticket_id).or_default().push(c);
            }
            let rows =
                sqlx::query(&format!("SELECT ticket_id, trigger_key FROM sla_triggers WHERE ticket_id IN ({list})"))
                    .fetch_all(self.r())
                    .await?;
            for r in &rows {
                out.fired.entry(r.try_get("ticket_id")?).or_default().push(r.try_get("trigger_key")?);
            }
        }
        out.outcomes = self.outcomes_of(ids).await?;
        Ok(out)
    }

    /// The oldest alarm that has come and is not claimed (UTC ms), if any: the
    /// ticker's lag is `now` minus this.
    pub async fn oldest_sla_alarm(&self, now: DateTime<Utc>) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT sla_alarm_at FROM tickets WHERE sla_alarm_at IS NOT NULL AND sla_alarm_at <= $1
             ORDER BY sla_alarm_at LIMIT 1",
        )
        .bind(ms(now))
        .fetch_optional(self.r())
        .await?)
    }

    /// Claims up to `limit` tickets whose alarm has come, oldest first, by
    /// moving their alarm to `lease_until`; returns their ids. Processes that
    /// claim at once get different tickets.
    pub async fn claim_sla_alarms(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<i64>, StoreError> {
        // SQLite has one writer at a time, so the statement alone is the claim;
        // PostgreSQL skips the rows another process is claiming.
        let lock = match self.backend() {
            Backend::Sqlite => "",
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        };
        let rows = sqlx::query(&format!(
            "UPDATE tickets SET sla_alarm_at = $1 WHERE id IN (
               SELECT id FROM tickets WHERE sla_alarm_at IS NOT NULL AND sla_alarm_at <= $2
               ORDER BY sla_alarm_at, id LIMIT $3 {lock})
             RETURNING id"
        ))
        .bind(ms(lease_until))
        .bind(ms(now))
        .bind(limit)
        .fetch_all(self.w())
        .await?;
        let mut ids: Vec<i64> = rows.iter().map(|r| r.try_get::<i64, _>(0)).collect::<Result<_, _>>()?;
        ids.sort_unstable();
        Ok(ids)
    }

    /// Writes what the ticker decided for many tickets in one transaction (one
    /// commit, one fsync on SQLite, for the whole batch). Each ticket is written
    /// whole or not at all (a savepoint each): one changed meanwhile, or with a
    /// trigger another process claimed, is left for the next tick.
    pub async fn write_sla_batch(
        &self,
        writes: &[SlaWrite],
        now: DateTime<Utc>,
    ) -> Result<Vec<SlaWritten>, StoreError> {
        let mut out = Vec::with_capacity(writes.len());
        let mut tx = self.w().begin().await?;
        for w in writes {
            let id = w.before.id;
            let mut sp = tx.begin().await?;
            let mut ok = true;
            for key in &w.claims {
                let claimed = sqlx::query(
                    "INSERT INTO sla_triggers (ticket_id, trigger_key, fired_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                )
                .bind(id)
                .bind(key)
                .bind(ms(now))
                .execute(&mut *sp)
                .await?;
                ok &= claimed.rows_affected() == 1;
            }
            let bump = !w.events.is_empty();
            let version = if bump { w.before.version + 1 } else { w.before.version };
            if ok {
                let settled = if w.settles { version } else { w.before.sla_settled };
                let done = sqlx::query(
                    "UPDATE tickets SET team = $1, tier = $2, assignee_id = $3, tags = $4, version = $5,
                       updated_at = $6, sla_due_at = $7, sla_alarm_at = $8, sla_settled = $9
                     WHERE id = $10 AND version = $11",
                )
                .bind(&w.after.team)
                .bind(w.after.tier.map(|t| t.as_str()))
                .bind(w.after.assignee_id)
                .bind(json(&w.after.tags))
                .bind(version)
                .bind(ms(if bump { now } else { w.before.updated_at }))
                .bind(w.due.map(ms))
                .bind(w.alarm.map(ms))
                .bind(settled)
                .bind(id)
                .bind(w.before.version)
                .execute(&mut *sp)
                .await?;
                ok = done.rows_affected() == 1;
            }
            if !ok {
                sp.rollback().await?;
                sqlx::query("UPDATE tickets SET sla_alarm_at = $1 WHERE id = $2")
                    .bind(ms(now))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                out.push(SlaWritten::Again);
                continue;
            }
            if w.after.tags != w.before.tags {
                replace_tags(&mut sp, id, &w.before.tags, &w.after.tags).await?;
            }
            for e in &w.events {
                insert_event(&mut sp, id, now, Actor::System, e).await?;
            }
            for n in &w.notifications {
                crate::notifications::insert(&mut sp, Some(id), n, now).await?;
            }
            for o in &w.outcomes {
                crate::sla_outcomes::insert(&mut sp, id, o, now).await?;
            }
            sp.commit().await?;
            if !bump {
                out.push(SlaWritten::Done(None));
                continue;
            }
            let mut t = w.after.clone();
            t.version = version;
            t.updated_at = now;
            t.sla_due_at = w.due;
            t.sla_settled = if w.settles { version } else { w.before.sla_settled };
            out.push(SlaWritten::Done(Some(Box::new(t))));
        }
        tx.commit().await?;
        Ok(out)
    }
}
