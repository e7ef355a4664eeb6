//! Storing new tickets in bulk: one multi-row INSERT each for the tickets, their
//! tags, their `created` events and their acknowledgments, whatever the batch size.
//!
//! Ids are allocated up front (a sequence on PostgreSQL; on SQLite, inside the
//! write transaction, from `sqlite_sequence`), so each row maps back to its input
//! without relying on the order of `RETURNING` rows. The statements and their
//! parameters are built once here and bound by either driver.

use crate::codec::{json, ms, stored_precision};
use crate::{Backend, StoreError};
use sqlx::{Any, Row, Transaction};
use std::collections::HashSet;
use triage_core::ticket::event_data::Opened;
use triage_core::ticket::{Channel, EventData, NewTicket, Status, Ticket};

/// Rows per statement: 30 parameters a ticket stays far below both backends' limits.
pub(crate) const CHUNK: usize = 500;

const INSERT_COLS: &str =
    "id, subject, body, channel, requester_id, organization_id, category, impact, urgency, priority, \
    priority_score, priority_explanation, policy_version, status, assignee_id, team, tier, tags, custom_fields, \
    external_id, idem_scope, idem_key, idem_fingerprint, version, created_at, updated_at, solved_at, closed_at, \
    priority_points, sla_due_at, sla_alarm_at, predictions, needs_triage, suggested";
const PARAMS_PER_ROW: usize = 34;

pub(crate) const SQLITE_NEXT_ID: &str =
    "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'tickets'), 0), \
     COALESCE((SELECT MAX(id) FROM tickets), 0))";

/// A statement parameter, bindable by sqlx and by rusqlite.
#[derive(Debug, Clone)]
pub(crate) enum Param {
    /// NULLs carry their type: PostgreSQL will not put a text NULL in a bigint column.
    NullInt,
    NullReal,
    NullText,
    Int(i64),
    Real(f64),
    Text(String),
}

impl From<i64> for Param {
    fn from(v: i64) -> Self {
        Param::Int(v)
    }
}
impl From<String> for Param {
    fn from(v: String) -> Self {
        Param::Text(v)
    }
}
impl From<&str> for Param {
    fn from(v: &str) -> Self {
        Param::Text(v.to_string())
    }
}
impl From<Option<i64>> for Param {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Param::NullInt, Param::Int)
    }
}
impl From<Option<f64>> for Param {
    fn from(v: Option<f64>) -> Self {
        v.map_or(Param::NullReal, Param::Real)
    }
}
impl From<Option<String>> for Param {
    fn from(v: Option<String>) -> Self {
        v.map_or(Param::NullText, Param::Text)
    }
}
impl From<Option<&str>> for Param {
    fn from(v: Option<&str>) -> Self {
        v.map_or(Param::NullText, Into::into)
    }
}
impl From<f64> for Param {
    fn from(v: f64) -> Self {
        Param::Real(v)
    }
}

impl rusqlite::ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self {
            Param::NullInt | Param::NullReal | Param::NullText => ToSqlOutput::Borrowed(ValueRef::Null),
            Param::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Param::Real(f) => ToSqlOutput::Borrowed(ValueRef::Real(*f)),
            Param::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

/// A statement with its parameters.
pub(crate) struct Stmt {
    pub sql: String,
    pub params: Vec<Param>,
}

/// The stored form of a new ticket with its id.
pub(crate) fn stored(t: &NewTicket, id: i64) -> Ticket {
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
        sla_due_at: t.sla_due_at.map(stored_precision),
        sla_settled: 0,
        predictions: t.predictions.clone(),
        suggested: t.suggested.clone(),
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

/// The INSERT of `tickets` with the given ids, returning the ids it stored
/// (a taken idempotency key or external id skips the row).
pub(crate) fn tickets_stmt(backend: Backend, tickets: &[&NewTicket], ids: &[i64]) -> Stmt {
    let sql = format!(
        "INSERT INTO tickets ({INSERT_COLS}) VALUES {} ON CONFLICT DO NOTHING RETURNING id",
        values(backend, tickets.len(), PARAMS_PER_ROW)
    );
    let mut params = Vec::with_capacity(tickets.len() * PARAMS_PER_ROW);
    for (t, id) in tickets.iter().zip(ids) {
        let (scope, key, fp) = match &t.idempotency {
            Some(i) => (Some(i.scope.clone()), Some(i.key.clone()), Some(i.fingerprint.clone())),
            None => (None, None, None),
        };
        let s = stored(t, *id);
        let triage = super::triage_needed(&s);
        let (level, score, explanation) = (s.level().map(String::from), s.score(), s.explanation().map(json));
        let (version, points) = match &s.priority {
            Some(p) => (Some(p.policy_version.clone()), p.points.as_ref().map(json)),
            None => (None, None),
        };
        params.extend([
            Param::Int(*id),
            s.subject.into(),
            s.body.into(),
            s.channel.as_str().into(),
            s.requester_id.into(),
            s.organization_id.into(),
            s.category.into(),
            s.impact.into(),
            s.urgency.into(),
            level.into(),
            score.into(),
            explanation.into(),
            version.into(),
            s.status.as_str().into(),
            s.assignee_id.into(),
            s.team.into(),
            s.tier.map(|x| x.as_str()).into(),
            json(&s.tags).into(),
            json(&s.custom_fields).into(),
            s.external_id.into(),
            scope.into(),
            key.into(),
            fp.into(),
            Param::Int(1),
            ms(s.created_at).into(),
            ms(s.updated_at).into(),
            s.solved_at.map(ms).into(),
            s.closed_at.map(ms).into(),
            points.into(),
            s.sla_due_at.map(ms).into(),
            t.sla_alarm_at.map(ms).into(),
            super::predictions_json(&s.predictions).into(),
            Param::Int(triage as i64),
            super::suggested_json(&s.suggested).into(),
        ]);
    }
    Stmt { sql, params }
}

/// The `created` (or `imported`) events and the tag rows of stored tickets.
pub(crate) fn follow_up_stmts(backend: Backend, new: &[(&NewTicket, &Ticket)]) -> Vec<Stmt> {
    let mut out = Vec::new();
    if new.is_empty() {
        return out;
    }
    let mut params = Vec::with_capacity(new.len() * 6);
    for (t, s) in new {
        let opened = Opened {
            status: Some(s.status),
            channel: Some(s.channel),
            category: s.category.clone(),
            priority: s.level().map(String::from),
            priority_score: s.score(),
            policy_version: s.priority.as_ref().map(|p| p.policy_version.clone()),
            external_id: s.external_id.clone(),
            assignee_id: s.assignee_id,
            team: s.team.clone(),
            tier: s.tier,
            promise: t.promise,
            routing: t.routing.clone(),
            predictions: s.predictions.clone(),
            suggested: s.suggested.clone(),
        };
        let data = if s.channel == Channel::Import { EventData::Imported(opened) } else { EventData::Created(opened) };
        let kind = data.kind();
        params.extend([
            Param::Int(s.id),
            ms(s.created_at).into(),
            t.actor.to_string().into(),
            kind.as_str().into(),
            json(&data).into(),
            Param::NullText,
        ]);
    }
    out.push(Stmt {
        sql: format!(
            "INSERT INTO ticket_events (ticket_id, at, actor, kind, data, reason) VALUES {}",
            values(backend, new.len(), 6)
        ),
        params,
    });
    let acks: Vec<(i64, i64, &String)> =
        new.iter().filter_map(|(t, s)| t.acknowledgment.as_ref().map(|a| (s.id, ms(s.created_at), a))).collect();
    if !acks.is_empty() {
        out.push(Stmt {
            sql: format!(
                "INSERT INTO comments (ticket_id, author, kind, body, created_at) VALUES {}",
                values(backend, acks.len(), 5)
            ),
            params: acks
                .iter()
                .flat_map(|(id, at, body)| {
                    let body = body.replace("{ticket}", &id.to_string());
                    [Param::Int(*id), "system".into(), "public".into(), Param::Text(body), Param::Int(*at)]
                })
                .collect(),
        });
    }
    let tags: Vec<(i64, &String)> = new.iter().flat_map(|(_, s)| s.tags.iter().map(move |g| (s.id, g))).collect();
    if !tags.is_empty() {
        out.push(Stmt {
            sql: format!(
                "INSERT INTO ticket_tags (ticket_id, tag) VALUES {} ON CONFLICT DO NOTHING",
                values(backend, tags.len(), 2)
            ),
            params: tags.iter().flat_map(|(id, tag)| [Param::Int(*id), Param::Text((*tag).clone())]).collect(),
        });
    }
    out
}

fn bind<'q>(
    mut q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    params: Vec<Param>,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    for p in params {
        q = match p {
            Param::NullInt => q.bind(None::<i64>),
            Param::NullReal => q.bind(None::<f64>),
            Param::NullText => q.bind(None::<String>),
            Param::Int(i) => q.bind(i),
            Param::Real(f) => q.bind(f),
            Param::Text(s) => q.bind(s),
        };
    }
    q
}

/// Inserts `tickets` through sqlx (PostgreSQL, and SQLite outside the writer);
/// per input, the stored ticket or `None` when its key was taken already.
pub(crate) async fn insert_tickets(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    tickets: &[&NewTicket],
) -> Result<Vec<Option<Ticket>>, StoreError> {
    let mut out = Vec::with_capacity(tickets.len());
    for chunk in tickets.chunks(CHUNK) {
        let ids: Vec<i64> = match backend {
            Backend::Postgres => sqlx::query("SELECT nextval('tickets_id_seq') FROM generate_series(1, $1)")
                .bind(chunk.len() as i64)
                .fetch_all(&mut **tx)
                .await?
                .iter()
                .map(|r| r.try_get::<i64, _>(0))
                .collect::<Result<_, _>>()?,
            Backend::Sqlite => {
                let seq: i64 = sqlx::query_scalar(SQLITE_NEXT_ID).fetch_one(&mut **tx).await?;
                (1..=chunk.len() as i64).map(|i| seq + i).collect()
            }
        };
        let st = tickets_stmt(backend, chunk, &ids);
        let inserted: HashSet<i64> = bind(sqlx::query(&st.sql).persistent(false), st.params)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>(0))
            .collect::<Result<_, _>>()?;
        let result: Vec<Option<Ticket>> =
            chunk.iter().zip(&ids).map(|(t, id)| inserted.contains(id).then(|| stored(t, *id))).collect();
        let new: Vec<(&NewTicket, &Ticket)> =
            chunk.iter().zip(&result).filter_map(|(t, s)| s.as_ref().map(|s| (*t, s))).collect();
        for st in follow_up_stmts(backend, &new) {
            bind(sqlx::query(&st.sql).persistent(false), st.params).execute(&mut **tx).await?;
        }
        out.extend(result);
    }
    Ok(out)
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
