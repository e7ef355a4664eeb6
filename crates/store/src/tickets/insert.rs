//! Storing new tickets in bulk: one multi-row INSERT each for the tickets, their
//! tags and their `created` events, whatever the batch size.
//!
//! Ids are allocated up front (a sequence on PostgreSQL; on SQLite the single
//! writer connection reads `sqlite_sequence`), so each row maps back to its input
//! without relying on the order of `RETURNING` rows.

use super::NewEvent;
use crate::codec::{json, ms, stored_precision};
use crate::{Backend, StoreError};
use sqlx::{Any, Row, Transaction};
use std::collections::HashSet;
use triage_core::ticket::{Channel, EventKind, NewTicket, Status, Ticket};

/// Rows per statement: 28 parameters a ticket stays far below both backends' limits.
const CHUNK: usize = 500;

const INSERT_COLS: &str = "id, subject, body, channel, requester_id, organization_id, category, impact, urgency, priority, \
    priority_score, priority_explanation, policy_version, status, assignee_id, team, tier, tags, custom_fields, \
    external_id, idem_scope, idem_key, idem_fingerprint, version, created_at, updated_at, solved_at, closed_at";
const PARAMS_PER_ROW: usize = 28;

async fn allocate_ids(tx: &mut Transaction<'_, Any>, backend: Backend, n: usize) -> Result<Vec<i64>, StoreError> {
    match backend {
        Backend::Postgres => {
            let rows = sqlx::query("SELECT nextval('tickets_id_seq') FROM generate_series(1, $1)")
                .bind(n as i64)
                .fetch_all(&mut **tx)
                .await?;
            rows.iter().map(|r| r.try_get::<i64, _>(0).map_err(StoreError::from)).collect()
        }
        Backend::Sqlite => {
            // The write pool has one connection, so nobody allocates between this
            // read and the insert; explicit ids above it advance sqlite_sequence.
            let seq: i64 = sqlx::query_scalar(
                "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'tickets'), 0), COALESCE((SELECT MAX(id) FROM tickets), 0))",
            )
            .fetch_one(&mut **tx)
            .await?;
            Ok((1..=n as i64).map(|i| seq + i).collect())
        }
    }
}

/// The stored form of a new ticket with its id.
fn stored(t: &NewTicket, id: i64) -> Ticket {
    let closed = t.status == Status::Closed;
    let solved = closed || t.status == Status::Solved;
    let at = stored_precision(t.created_at);
    Ticket {
        id,
        subject: t.subject.clone(),
        body: t.body.clone(),
        channel: t.channel,
        requester_id: t.requester_id,
        organization_id: t.organization_id,
        category: t.category.clone(),
        impact: t.impact.clone(),
        urgency: t.urgency.clone(),
        priority: t.priority.clone(),
        priority_score: t.priority_score,
        priority_explanation: t.priority_explanation.clone(),
        policy_version: t.policy_version.clone(),
        status: t.status,
        assignee_id: t.assignee_id,
        team: t.team.clone(),
        tier: t.tier,
        tags: t.tags.clone(),
        custom_fields: t.custom_fields.clone(),
        external_id: t.external_id.clone(),
        version: 1,
        created_at: at,
        updated_at: at,
        first_response_at: None,
        solved_at: solved.then_some(at),
        closed_at: closed.then_some(at),
    }
}

/// `(..),(..)` placeholders for a multi-row VALUES. SQLite gets anonymous `?`:
/// it looks numbered parameters up by name with a linear scan, which makes
/// binding a 10,000-parameter statement quadratic.
fn values(backend: Backend, rows: usize, per_row: usize) -> String {
    if backend == Backend::Sqlite {
        let row = format!("({})", vec!["?"; per_row].join(","));
        return vec![row; rows].join(",");
    }
    let mut s = String::with_capacity(rows * per_row * 5);
    for r in 0..rows {
        if r > 0 {
            s.push(',');
        }
        s.push('(');
        for c in 0..per_row {
            if c > 0 {
                s.push(',');
            }
            s.push('$');
            s.push_str(&(r * per_row + c + 1).to_string());
        }
        s.push(')');
    }
    s
}

/// Inserts `tickets`; the result has, per input, the stored ticket or `None` when
/// its idempotency key or external id was taken already.
pub(crate) async fn insert_tickets(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    tickets: &[&NewTicket],
) -> Result<Vec<Option<Ticket>>, StoreError> {
    let mut out = Vec::with_capacity(tickets.len());
    for chunk in tickets.chunks(CHUNK) {
        out.extend(insert_chunk(tx, backend, chunk).await?);
    }
    Ok(out)
}

async fn insert_chunk(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    tickets: &[&NewTicket],
) -> Result<Vec<Option<Ticket>>, StoreError> {
    let ids = allocate_ids(tx, backend, tickets.len()).await?;
    let sql = format!(
        "INSERT INTO tickets ({INSERT_COLS}) VALUES {} ON CONFLICT DO NOTHING RETURNING id",
        values(backend, tickets.len(), PARAMS_PER_ROW)
    );
    let mut q = sqlx::query(&sql).persistent(false);
    for (t, id) in tickets.iter().zip(&ids) {
        let (scope, key, fp) = match &t.idempotency {
            Some(i) => (Some(i.scope.clone()), Some(i.key.clone()), Some(i.fingerprint.clone())),
            None => (None, None, None),
        };
        let s = stored(t, *id);
        q = q
            .bind(*id)
            .bind(s.subject)
            .bind(s.body)
            .bind(s.channel.as_str())
            .bind(s.requester_id)
            .bind(s.organization_id)
            .bind(s.category)
            .bind(s.impact)
            .bind(s.urgency)
            .bind(s.priority)
            .bind(s.priority_score)
            .bind(s.priority_explanation.as_ref().map(json))
            .bind(s.policy_version)
            .bind(s.status.as_str())
            .bind(s.assignee_id)
            .bind(s.team)
            .bind(s.tier.map(|x| x.as_str()))
            .bind(json(&s.tags))
            .bind(json(&s.custom_fields))
            .bind(s.external_id)
            .bind(scope)
            .bind(key)
            .bind(fp)
            .bind(1i64)
            .bind(ms(s.created_at))
            .bind(ms(s.updated_at))
            .bind(s.solved_at.map(ms))
            .bind(s.closed_at.map(ms));
    }
    let inserted: HashSet<i64> =
        q.fetch_all(&mut **tx).await?.iter().map(|r| r.try_get::<i64, _>(0)).collect::<Result<_, _>>()?;

    let result: Vec<Option<Ticket>> =
        tickets.iter().zip(&ids).map(|(t, id)| inserted.contains(id).then(|| stored(t, *id))).collect();
    let new: Vec<(&NewTicket, &Ticket)> =
        tickets.iter().zip(&result).filter_map(|(t, s)| s.as_ref().map(|s| (*t, s))).collect();
    if new.is_empty() {
        return Ok(result);
    }

    // Their `created` (or `imported`) events.
    let sql = format!("INSERT INTO ticket_events (ticket_id, at, actor, kind, data, reason) VALUES {}", values(backend, new.len(), 6));
    let mut q = sqlx::query(&sql).persistent(false);
    for (t, s) in &new {
        let kind = if s.channel == Channel::Import { EventKind::Imported } else { EventKind::Created };
        let e = NewEvent {
            kind,
            data: serde_json::json!({
                "status": s.status, "channel": s.channel, "category": s.category, "priority": s.priority,
                "priority_score": s.priority_score, "policy_version": s.policy_version, "external_id": s.external_id,
            }),
            reason: None,
        };
        q = q.bind(s.id).bind(ms(s.created_at)).bind(t.actor.to_string()).bind(e.kind.as_str()).bind(json(&e.data)).bind(e.reason);
    }
    q.execute(&mut **tx).await?;

    // Their tags.
    let tags: Vec<(i64, &String)> = new.iter().flat_map(|(_, s)| s.tags.iter().map(move |g| (s.id, g))).collect();
    if !tags.is_empty() {
        let sql = format!("INSERT INTO ticket_tags (ticket_id, tag) VALUES {} ON CONFLICT DO NOTHING", values(backend, tags.len(), 2));
        let mut q = sqlx::query(&sql).persistent(false);
        for (id, tag) in tags {
            q = q.bind(id).bind(tag.as_str());
        }
        q.execute(&mut **tx).await?;
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::values;
    use crate::Backend;
    #[test]
    fn values_lists_number_parameters_row_by_row() {
        assert_eq!(values(Backend::Postgres, 2, 3), "($1,$2,$3),($4,$5,$6)");
        assert_eq!(values(Backend::Sqlite, 2, 2), "(?,?),(?,?)");
    }
}
