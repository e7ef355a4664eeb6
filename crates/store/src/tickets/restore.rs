//! A ticket's history brought back from an export: what `triage import` writes
//! after inserting a ticket that `triage export` wrote, so an export read back
//! into an empty database exports the same again (comments, events, assignee,
//! first response, solved and closed times, the priority as it was decided).

use super::{insert_event, predictions_json, suggested_json, triage_needed, NewEvent};
use crate::codec::{json, ms};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use triage_core::agent::Tier;
use triage_core::priority::Explanation;
use triage_core::ticket::{Actor, CommentKind, Predictions};

/// What an export kept of a ticket besides the fields a ticket is created with.
#[derive(Debug, Clone, Default)]
pub struct Restored {
    pub assignee_id: Option<i64>,
    pub team: Option<String>,
    pub tier: Option<Tier>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub solved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub version: Option<i64>,
    pub sla_due_at: Option<DateTime<Utc>>,
    pub priority_score: Option<f64>,
    pub priority_explanation: Option<Explanation>,
    pub policy_version: Option<String>,
    pub predictions: Option<Predictions>,
    pub suggested: BTreeMap<String, String>,
    /// `(author, kind, body, at)`, oldest first.
    pub comments: Vec<(Actor, CommentKind, String, DateTime<Utc>)>,
    /// `(at, actor, event)`, oldest first; when given, they replace the log the
    /// import wrote.
    pub events: Vec<(DateTime<Utc>, Actor, NewEvent)>,
}

impl Store {
    /// The id of the ticket with this external id.
    pub async fn ticket_id_by_external(&self, external_id: &str) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT id FROM tickets WHERE external_id = $1")
            .bind(external_id)
            .fetch_one(self.r())
            .await?)
    }

    /// Writes `r` onto ticket `id` in one transaction (see the module doc).
    pub async fn restore_ticket(&self, id: i64, r: &Restored) -> Result<(), StoreError> {
        let mut t = self.get_ticket(id).await?;
        t.assignee_id = r.assignee_id.or(t.assignee_id);
        t.team = r.team.clone().or(t.team);
        t.tier = r.tier.or(t.tier);
        t.first_response_at = r.first_response_at.or(t.first_response_at);
        t.solved_at = r.solved_at.or(t.solved_at);
        t.closed_at = r.closed_at.or(t.closed_at);
        if let Some(p) = &r.predictions {
            t.predictions = p.clone();
        }
        if !r.suggested.is_empty() {
            t.suggested = r.suggested.clone();
        }
        let version = r.version.unwrap_or(t.version);
        let mut tx = self.w().begin().await?;
        sqlx::query(
            "UPDATE tickets SET assignee_id = $1, team = $2, tier = $3, first_response_at = $4, solved_at = $5,
               closed_at = $6, updated_at = $7, version = $8, sla_settled = $8,
               priority_score = COALESCE($9, priority_score), priority_explanation = COALESCE($10, priority_explanation),
               policy_version = COALESCE($11, policy_version), predictions = $12, suggested = $13, needs_triage = $14,
               sla_due_at = COALESCE($16, sla_due_at)
             WHERE id = $15",
        )
        .bind(t.assignee_id)
        .bind(&t.team)
        .bind(t.tier.map(|x| x.as_str()))
        .bind(t.first_response_at.map(ms))
        .bind(t.solved_at.map(ms))
        .bind(t.closed_at.map(ms))
        .bind(ms(r.updated_at.unwrap_or(t.updated_at)))
        .bind(version)
        .bind(r.priority_score)
        .bind(r.priority_explanation.as_ref().map(json))
        .bind(&r.policy_version)
        .bind(predictions_json(&t.predictions))
        .bind(suggested_json(&t.suggested))
        .bind(triage_needed(&t) as i64)
        .bind(id)
        .bind(r.sla_due_at.map(ms))
        .execute(&mut *tx)
        .await?;
        for (author, kind, body, at) in &r.comments {
            sqlx::query("INSERT INTO comments (ticket_id, author, kind, body, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(id)
                .bind(author.to_string())
                .bind(kind.as_str())
                .bind(body)
                .bind(ms(*at))
                .execute(&mut *tx)
                .await?;
        }
        if !r.events.is_empty() {
            sqlx::query("DELETE FROM ticket_events WHERE ticket_id = $1").bind(id).execute(&mut *tx).await?;
            for (at, actor, e) in &r.events {
                insert_event(&mut tx, id, *at, *actor, e).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}
