//! SLA clock runs' outcomes on record (met or breached, and when), and which
//! tickets still wait for theirs to be settled after a write.

use crate::codec::ms;
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use std::collections::HashMap;
use triage_core::sla::{ClockName, Outcome, Verdict};

const COLS: &str =
    "ticket_id, clock, run_started_at, verdict, due_at, decided_at, target_seconds, level, sla_policy, policy_version";

/// Records `o` for `ticket_id` unless that run's outcome is on record already
/// (the first record stands). Returns whether this call recorded it.
pub(crate) async fn insert(
    tx: &mut Transaction<'_, Any>,
    ticket_id: i64,
    o: &Outcome,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(&format!(
        "INSERT INTO sla_outcomes ({COLS}, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT DO NOTHING"
    ))
    .bind(ticket_id)
    .bind(o.clock.as_str())
    .bind(o.run_started_ms)
    .bind(o.verdict.as_str())
    .bind(o.due_ms)
    .bind(o.decided_ms)
    .bind(o.target_seconds)
    .bind(&o.level)
    .bind(&o.sla_policy)
    .bind(&o.policy_version)
    .bind(ms(now))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

fn decode(r: &AnyRow) -> Result<(i64, Outcome), StoreError> {
    let clock: String = r.try_get("clock")?;
    let verdict: String = r.try_get("verdict")?;
    let corrupt = |what: &str, v: &str| StoreError::Corrupt(format!("sla_outcomes.{what}: `{v}`"));
    Ok((
        r.try_get("ticket_id")?,
        Outcome {
            clock: clock.parse::<ClockName>().map_err(|_| corrupt("clock", &clock))?,
            run_started_ms: r.try_get("run_started_at")?,
            verdict: Verdict::parse(&verdict).ok_or_else(|| corrupt("verdict", &verdict))?,
            due_ms: r.try_get("due_at")?,
            decided_ms: r.try_get("decided_at")?,
            target_seconds: r.try_get("target_seconds")?,
            level: r.try_get("level")?,
            sla_policy: r.try_get("sla_policy")?,
            policy_version: r.try_get("policy_version")?,
        },
    ))
}

impl Store {
    /// Records outcomes for a ticket, each unless its run is on record already;
    /// returns how many this call recorded.
    pub async fn record_outcomes(
        &self,
        ticket_id: i64,
        outcomes: &[Outcome],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        if outcomes.is_empty() {
            return Ok(0);
        }
        let mut tx = self.w().begin().await?;
        let mut n = 0;
        for o in outcomes {
            n += insert(&mut tx, ticket_id, o, now).await? as usize;
        }
        tx.commit().await?;
        Ok(n)
    }

    /// A ticket's recorded outcomes.
    pub async fn outcomes(&self, ticket_id: i64) -> Result<Vec<Outcome>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {COLS} FROM sla_outcomes WHERE ticket_id = $1 ORDER BY decided_at"))
            .bind(ticket_id)
            .fetch_all(self.r())
            .await?;
        rows.iter().map(|r| decode(r).map(|(_, o)| o)).collect()
    }

    /// The recorded outcomes of many tickets (reports), by ticket.
    pub async fn outcomes_of(&self, ids: &[i64]) -> Result<HashMap<i64, Vec<Outcome>>, StoreError> {
        let mut out: HashMap<i64, Vec<Outcome>> = HashMap::new();
        for chunk in ids.chunks(500) {
            let list: Vec<String> = chunk.iter().map(|i| i.to_string()).collect();
            let rows = sqlx::query(&format!(
                "SELECT {COLS} FROM sla_outcomes WHERE ticket_id IN ({}) ORDER BY decided_at",
                list.join(",")
            ))
            .fetch_all(self.r())
            .await?;
            for r in &rows {
                let (id, o) = decode(r)?;
                out.entry(id).or_default().push(o);
            }
        }
        Ok(out)
    }

    /// Notes that a ticket's outcomes are settled up to `version` (no new
    /// version: nothing about the ticket changed).
    pub async fn mark_sla_settled(&self, id: i64, version: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE tickets SET sla_settled = $1 WHERE id = $2 AND sla_settled < $1")
            .bind(version)
            .bind(id)
            .execute(self.w())
            .await?;
        Ok(())
    }

    /// Tickets written since their outcomes were last settled, by id after
    /// `after` (at most `limit`).
    pub async fn unsettled_tickets(&self, after: i64, limit: i64) -> Result<Vec<i64>, StoreError> {
        let rows = sqlx::query(
            "SELECT id FROM tickets WHERE sla_settled < version AND version > 1 AND id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(self.r())
        .await?;
        rows.iter().map(|r| Ok(r.try_get::<i64, _>(0)?)).collect()
    }
}
