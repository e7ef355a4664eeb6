//! Tickets, their thread and their event log.

mod insert;
mod list;
mod queue;
mod restore;
mod sla_batch;
pub(crate) mod writer;

pub use list::TicketFilter;
pub use queue::QueueRow;
pub use restore::Restored;
pub use sla_batch::{SlaReads, SlaWrite, SlaWritten};

use crate::codec::{from_json, json, ms, opt_time, parse, time};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use triage_core::agent::Tier;
use triage_core::priority::Priority;
use triage_core::ticket::event_data::CommentAdded;
use triage_core::ticket::{
    needs_triage, Actor, Comment, CommentKind, Event, EventData, EventKind, Idempotency, NewTicket, Predictions, Ticket,
};

pub(crate) const COLS: &str = "id, subject, body, channel, requester_id, organization_id, category, impact, urgency, \
    priority, priority_score, priority_explanation, priority_points, policy_version, status, assignee_id, team, tier, tags, custom_fields, \
    external_id, version, created_at, updated_at, first_response_at, solved_at, closed_at, sla_due_at, predictions, sla_settled, suggested";

/// A row's priority columns as one value (`None` while no level is set; a
/// level stored without its score or explanation reads as 0 and none).
fn decode_priority(r: &AnyRow) -> Result<Option<Priority>, StoreError> {
    let Some(level) = r.try_get::<Option<String>, _>("priority")? else { return Ok(None) };
    let json_col = |c: &str| -> Result<Option<String>, StoreError> { Ok(r.try_get::<Option<String>, _>(c)?) };
    Ok(Some(Priority {
        level,
        score: r.try_get::<Option<f64>, _>("priority_score")?.unwrap_or_default(),
        explanation: json_col("priority_explanation")?.map(|s| from_json(&s)).transpose()?.unwrap_or_default(),
        points: json_col("priority_points")?.map(|s| from_json(&s)).transpose()?,
        policy_version: r.try_get::<Option<String>, _>("policy_version")?.unwrap_or_default(),
    }))
}

pub(crate) fn decode(r: &AnyRow) -> Result<Ticket, StoreError> {
    Ok(Ticket {
        id: r.try_get("id")?,
        subject: r.try_get("subject")?,
        body: r.try_get("body")?,
        channel: parse(&r.try_get::<String, _>("channel")?)?,
        requester_id: r.try_get("requester_id")?,
        organization_id: r.try_get("organization_id")?,
        category: r.try_get("category")?,
        impact: r.try_get("impact")?,
        urgency: r.try_get("urgency")?,
        priority: decode_priority(r)?,
        status: parse(&r.try_get::<String, _>("status")?)?,
        assignee_id: r.try_get("assignee_id")?,
        team: r.try_get("team")?,
        tier: r.try_get::<Option<String>, _>("tier")?.map(|s| parse::<Tier>(&s)).transpose()?,
        tags: from_json(&r.try_get::<String, _>("tags")?)?,
        custom_fields: from_json(&r.try_get::<String, _>("custom_fields")?)?,
        external_id: r.try_get("external_id")?,
        version: r.try_get("version")?,
        created_at: time(r.try_get("created_at")?)?,
        updated_at: time(r.try_get("updated_at")?)?,
        first_response_at: opt_time(r.try_get("first_response_at")?)?,
        solved_at: opt_time(r.try_get("solved_at")?)?,
        closed_at: opt_time(r.try_get("closed_at")?)?,
        sla_due_at: opt_time(r.try_get("sla_due_at")?)?,
        sla_settled: r.try_get("sla_settled")?,
        predictions: match r.try_get::<Option<String>, _>("predictions")? {
            Some(s) => from_json(&s)?,
            None => Predictions::new(),
        },
        suggested: match r.try_get::<Option<String>, _>("suggested")? {
            Some(s) => from_json(&s)?,
            None => Default::default(),
        },
    })
}

/// Whether a change can move what the customer was promised (a change of level
/// or status): the customer is told once the coalescing window has passed.
fn moves_promise(events: &[NewEvent]) -> bool {
    events.iter().any(|e| matches!(e.data.kind(), EventKind::PriorityChanged | EventKind::StatusChanged))
}

/// Customer suggestions as stored: NULL when there are none.
pub(crate) fn suggested_json(s: &std::collections::BTreeMap<String, String>) -> Option<String> {
    (!s.is_empty()).then(|| json(s))
}

/// Whether the ticket waits in the needs-triage view: a doubtful prediction,
/// or a customer's suggestion nobody has settled.
pub(crate) fn triage_needed(t: &Ticket) -> bool {
    needs_triage(&t.predictions) || !t.suggested.is_empty()
}

/// Predictions as stored: NULL when there are none.
pub(crate) fn predictions_json(p: &Predictions) -> Option<String> {
    (!p.is_empty()).then(|| json(p))
}

/// An event to append, produced by a change to a ticket.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// What happened (its kind is the payload's).
    pub data: EventData,
    pub reason: Option<String>,
}

/// What [`Store::modify_ticket_with`] writes besides the ticket.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// A key (an SLA trigger) that makes the change happen once per ticket.
    pub claim: Option<String>,
    /// An SLA outcome to record with the change (a breach with its escalation).
    pub outcome: Option<triage_core::sla::Outcome>,
    pub notifications: Vec<crate::notifications::NewNotification>,
}

/// Why a [`Store::modify_ticket`] did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ModifyError<E> {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The change itself refused (e.g. a transition that is not allowed).
    #[error("rejected")]
    Rejected(E),
}

pub(crate) async fn insert_event(
    tx: &mut Transaction<'_, Any>,
    ticket_id: i64,
    at: DateTime<Utc>,
    actor: Actor,
    e: &NewEvent,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO ticket_events (ticket_id, at, actor, kind, data, reason) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(ticket_id)
        .bind(ms(at))
        .bind(actor.to_string())
        .bind(e.data.kind().as_str())
        .bind(json(&e.data))
        .bind(&e.reason)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Stores a ticket's tags going from `before` to `after`: only the tags
/// removed and added are touched, each by the table's key `(tag, ticket_id)`
/// (deleting by `ticket_id` alone would read the whole table).
pub(crate) async fn replace_tags(
    tx: &mut Transaction<'_, Any>,
    ticket_id: i64,
    before: &[String],
    after: &[String],
) -> Result<(), StoreError> {
    for gone in before.iter().filter(|t| !after.contains(t)) {
        sqlx::query("DELETE FROM ticket_tags WHERE tag = $1 AND ticket_id = $2")
            .bind(gone)
            .bind(ticket_id)
            .execute(&mut **tx)
            .await?;
    }
    let added: Vec<String> = after.iter().filter(|t| !before.contains(t)).cloned().collect();
    insert_tags(tx, ticket_id, &added).await
}

pub(crate) async fn insert_tags(
    tx: &mut Transaction<'_, Any>,
    ticket_id: i64,
    tags: &[String],
) -> Result<(), StoreError> {
    for t in tags {
        sqlx::query("INSERT INTO ticket_tags (tag, ticket_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(t)
            .bind(ticket_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Stores a ticket through the group-commit writer. Returns the ticket and
    /// whether it was created (`false`: the idempotency key was used before and
    /// this is the ticket the first request made).
    pub async fn create_ticket(&self, t: NewTicket) -> Result<(Ticket, bool), StoreError> {
        let (idem, external) = (t.idempotency.clone(), t.external_id.clone());
        match self.inner.writer.submit(t).await? {
            writer::Stored::Created(t) => Ok((*t, true)),
            writer::Stored::Taken => self.earlier_ticket(idem.as_ref(), external.as_deref()).await,
        }
    }

    /// The stored ticket that took a new ticket's idempotency key or external id.
    async fn earlier_ticket(
        &self,
        idem: Option<&Idempotency>,
        external: Option<&str>,
    ) -> Result<(Ticket, bool), StoreError> {
        if let Some(idem) = idem {
            let row = sqlx::query(&format!(
                "SELECT {COLS}, idem_fingerprint FROM tickets WHERE idem_scope = $1 AND idem_key = $2"
            ))
            .bind(&idem.scope)
            .bind(&idem.key)
            .fetch_optional(self.r())
            .await?;
            if let Some(row) = row {
                let fp: Option<String> = row.try_get("idem_fingerprint")?;
                if fp.as_deref() != Some(idem.fingerprint.as_str()) {
                    return Err(StoreError::Conflict(
                        "this Idempotency-Key was already used for a different request".into(),
                    ));
                }
                return Ok((decode(&row)?, false));
            }
        }
        match external {
            Some(ext) => Err(StoreError::Conflict(format!("external_id `{ext}` is already taken"))),
            None => Err(StoreError::Conflict("the ticket conflicts with a stored one".into())),
        }
    }

    /// Stores many tickets in one transaction (imports, demo data), skipping those
    /// whose `external_id` is already stored. Returns how many were added.
    pub async fn insert_tickets(&self, tickets: &[NewTicket]) -> Result<usize, StoreError> {
        if self.backend() == crate::Backend::Sqlite {
            // Through the one SQLite writer, so imports and live traffic never race for the lock.
            return self.inner.writer.bulk(tickets.to_vec()).await;
        }
        let mut tx = self.w().begin().await?;
        let refs: Vec<&NewTicket> = tickets.iter().collect();
        let added =
            insert::insert_tickets(&mut tx, self.backend(), &refs).await?.iter().filter(|t| t.is_some()).count();
        tx.commit().await?;
        Ok(added)
    }

    pub async fn get_ticket(&self, id: i64) -> Result<Ticket, StoreError> {
        let row =
            sqlx::query(&format!("SELECT {COLS} FROM tickets WHERE id = $1")).bind(id).fetch_one(self.r()).await?;
        decode(&row)
    }

    /// Reads a ticket, lets `change` edit it and say which events that makes, and
    /// writes it back if nobody else changed it meanwhile (optimistic concurrency on
    /// `version`, retried). `comment` is stored in the same transaction.
    pub async fn modify_ticket<E>(
        &self,
        id: i64,
        actor: Actor,
        now: DateTime<Utc>,
        comment: Option<(CommentKind, String)>,
        change: impl FnMut(&mut Ticket) -> Result<Vec<NewEvent>, E>,
    ) -> Result<(Ticket, Option<Comment>), ModifyError<E>> {
        let out = self.modify_ticket_with(id, actor, now, comment, &Extras::default(), change).await?;
        Ok(out.expect("nothing to claim, so the change is never refused as done before"))
    }

    /// [`Store::modify_ticket`] with more in the same transaction: a claim that
    /// makes the change happen once (`None` back: it was claimed before, by this
    /// or another process, and nothing was written) and notifications to record.
    pub async fn modify_ticket_with<E>(
        &self,
        id: i64,
        actor: Actor,
        now: DateTime<Utc>,
        comment: Option<(CommentKind, String)>,
        extras: &Extras,
        mut change: impl FnMut(&mut Ticket) -> Result<Vec<NewEvent>, E>,
    ) -> Result<Option<(Ticket, Option<Comment>)>, ModifyError<E>> {
        for _attempt in 0..20 {
            let before = self.get_ticket(id).await?;
            let mut after = before.clone();
            let mut events = change(&mut after).map_err(ModifyError::Rejected)?;
            if events.is_empty()
                && comment.is_none()
                && extras.claim.is_none()
                && extras.outcome.is_none()
                && extras.notifications.is_empty()
            {
                return Ok(Some((before, None)));
            }
            let mut tx = self.w().begin().await.map_err(StoreError::from)?;
            if let Some(key) = &extras.claim {
                // The primary key decides: a second claim (here after a restart, or
                // in another process, which waits for the first to commit) adds nothing.
                let claimed = sqlx::query(
                    "INSERT INTO sla_triggers (ticket_id, trigger_key, fired_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                )
                .bind(id)
                .bind(key)
                .bind(ms(now))
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from)?;
                if claimed.rows_affected() == 0 {
                    tx.rollback().await.map_err(StoreError::from)?;
                    return Ok(None);
                }
            }
            after.version = before.version + 1;
            after.updated_at = now;
            let done = sqlx::query(
                "UPDATE tickets SET subject = $1, body = $2, category = $3, impact = $4, urgency = $5, priority = $6,
                   priority_score = $7, priority_explanation = $8, policy_version = $9, status = $10, assignee_id = $11,
                   team = $12, tier = $13, tags = $14, custom_fields = $15, version = $16, updated_at = $17,
                   first_response_at = $18, solved_at = $19, closed_at = $20, priority_points = $21,
                   predictions = $22, needs_triage = $23, sla_due_at = $26, suggested = $27,
                   notice_from = CASE WHEN $28 = 1 THEN COALESCE(notice_from, $17) ELSE notice_from END
                 WHERE id = $24 AND version = $25",
            )
            .bind(&after.subject)
            .bind(&after.body)
            .bind(&after.category)
            .bind(&after.impact)
            .bind(&after.urgency)
            .bind(after.level())
            .bind(after.score())
            .bind(after.explanation().map(json))
            .bind(after.priority.as_ref().map(|p| p.policy_version.as_str()))
            .bind(after.status.as_str())
            .bind(after.assignee_id)
            .bind(&after.team)
            .bind(after.tier.map(|t| t.as_str()))
            .bind(json(&after.tags))
            .bind(json(&after.custom_fields))
            .bind(after.version)
            .bind(ms(now))
            .bind(after.first_response_at.map(ms))
            .bind(after.solved_at.map(ms))
            .bind(after.closed_at.map(ms))
            .bind(after.priority.as_ref().and_then(|p| p.points.as_ref()).map(json))
            .bind(predictions_json(&after.predictions))
            .bind(triage_needed(&after) as i64)
            .bind(id)
            .bind(before.version)
            .bind(after.sla_due_at.map(ms))
            .bind(suggested_json(&after.suggested))
            .bind(moves_promise(&events) as i64)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
            if done.rows_affected() == 0 {
                tx.rollback().await.map_err(StoreError::from)?;
                tokio::task::yield_now().await;
                continue;
            }
            if after.tags != before.tags {
                replace_tags(&mut tx, id, &before.tags, &after.tags).await?;
            }
            let mut stored_comment = None;
            if let Some((kind, body)) = &comment {
                let row = sqlx::query(
                    "INSERT INTO comments (ticket_id, author, kind, body, created_at) VALUES ($1, $2, $3, $4, $5)
                     RETURNING id, ticket_id, author, kind, body, created_at",
                )
                .bind(id)
                .bind(actor.to_string())
                .bind(kind.as_str())
                .bind(body)
                .bind(ms(now))
                .fetch_one(&mut *tx)
                .await
                .map_err(StoreError::from)?;
                let c = decode_comment(&row)?;
                events.insert(
                    0,
                    NewEvent {
                        data: EventData::CommentAdded(CommentAdded { comment_id: c.id, kind: c.kind }),
                        reason: None,
                    },
                );
                stored_comment = Some(c);
            }
            for e in &events {
                insert_event(&mut tx, id, now, actor, e).await?;
                if let EventData::Labelled(label) = &e.data {
                    crate::labels::insert(&mut tx, id, actor, label, now).await?;
                }
            }
            for n in &extras.notifications {
                crate::notifications::insert(&mut tx, Some(id), n, now).await?;
            }
            if let Some(o) = &extras.outcome {
                crate::sla_outcomes::insert(&mut tx, id, o, now).await?;
            }
            tx.commit().await.map_err(StoreError::from)?;
            return Ok(Some((after, stored_comment)));
        }
        Err(ModifyError::Store(StoreError::Conflict("the ticket is being changed by others; try again".into())))
    }

    /// Stores when a ticket's next SLA clock falls due. Derived data: it does not
    /// bump the ticket's version or `updated_at`.
    /// `alarm` is when its next SLA warning or breach falls, for the ticker.
    pub async fn set_sla_due(
        &self,
        id: i64,
        due: Option<DateTime<Utc>>,
        alarm: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE tickets SET sla_due_at = $1, sla_alarm_at = $2 WHERE id = $3")
            .bind(due.map(ms))
            .bind(alarm.map(ms))
            .bind(id)
            .execute(self.w())
            .await?;
        Ok(())
    }

    /// Open tickets whose SLA alarm has come (oldest alarm first), through the
    /// alarm index: the ticker's work is the tickets due, not the backlog.
    pub async fn sla_alarms_due(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<i64>, StoreError> {
        let rows = sqlx::query(
            "SELECT id FROM tickets WHERE sla_alarm_at IS NOT NULL AND sla_alarm_at <= $1 ORDER BY sla_alarm_at, id LIMIT $2",
        )
        .bind(ms(now))
        .bind(limit)
        .fetch_all(self.r())
        .await?;
        rows.iter().map(|r| Ok(r.try_get::<i64, _>(0)?)).collect()
    }

    /// How many tickets got their first response since `since` (the team's pace).
    pub async fn first_responses_since(&self, since: DateTime<Utc>) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE first_response_at >= $1")
            .bind(ms(since))
            .fetch_one(self.r())
            .await?)
    }

    /// When a ticket's SLA alarm is set for (UTC ms).
    pub async fn sla_alarm(&self, id: i64) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar("SELECT sla_alarm_at FROM tickets WHERE id = $1").bind(id).fetch_one(self.r()).await?)
    }

    /// Tickets whose first change not yet told to the customer happened at or
    /// before `before_ms`: `(id, since)`, oldest first.
    pub async fn notices_due(&self, before_ms: i64, limit: i64) -> Result<Vec<(i64, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, notice_from FROM tickets WHERE notice_from IS NOT NULL AND notice_from <= $1
             ORDER BY notice_from, id LIMIT $2",
        )
        .bind(before_ms)
        .bind(limit)
        .fetch_all(self.r())
        .await?;
        rows.iter().map(|r| Ok((r.try_get::<i64, _>(0)?, r.try_get::<i64, _>(1)?))).collect()
    }

    /// The customer was told (or there was nothing to tell) of the changes since
    /// `since`, up to `version`: a later change keeps the notice pending.
    pub async fn clear_notice(&self, id: i64, since: i64, version: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE tickets SET notice_from = NULL WHERE id = $1 AND notice_from = $2 AND version = $3")
            .bind(id)
            .bind(since)
            .bind(version)
            .execute(self.w())
            .await?;
        Ok(())
    }

    /// The SLA trigger keys already acted on for a ticket.
    pub async fn fired_triggers(&self, id: i64) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT trigger_key FROM sla_triggers WHERE ticket_id = $1")
            .bind(id)
            .fetch_all(self.r())
            .await?;
        rows.iter().map(|r| Ok(r.try_get::<String, _>(0)?)).collect()
    }

    pub async fn list_comments(&self, ticket_id: i64, include_internal: bool) -> Result<Vec<Comment>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, ticket_id, author, kind, body, created_at FROM comments
             WHERE ticket_id = $1 AND ($2 = 1 OR kind = 'public') ORDER BY id",
        )
        .bind(ticket_id)
        .bind(include_internal as i64)
        .fetch_all(self.r())
        .await?;
        rows.iter().map(decode_comment).collect()
    }

    pub async fn list_events(&self, ticket_id: i64) -> Result<Vec<Event>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, ticket_id, at, actor, kind, data, reason FROM ticket_events WHERE ticket_id = $1 ORDER BY id",
        )
        .bind(ticket_id)
        .fetch_all(self.r())
        .await?;
        rows.iter().map(decode_event).collect()
    }
}

pub(crate) fn decode_event(r: &AnyRow) -> Result<Event, StoreError> {
    let data = event_data(r)?;
    Ok(Event {
        id: r.try_get("id")?,
        ticket_id: r.try_get("ticket_id")?,
        at: time(r.try_get("at")?)?,
        actor: parse(&r.try_get::<String, _>("actor")?)?,
        kind: data.kind(),
        data,
        reason: r.try_get("reason")?,
    })
}

/// A row's `kind` and `data` read as the typed payload of that kind.
fn event_data(r: &AnyRow) -> Result<EventData, StoreError> {
    let kind: String = r.try_get("kind")?;
    let kind = EventKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("event kind {kind}")))?;
    let raw: serde_json::Value = from_json(&r.try_get::<String, _>("data")?)?;
    EventData::read(kind, raw).map_err(|e| StoreError::Corrupt(format!("a `{}` event's data: {e}", kind.as_str())))
}

pub(crate) fn decode_comment(r: &AnyRow) -> Result<Comment, StoreError> {
    let kind: String = r.try_get("kind")?;
    Ok(Comment {
        id: r.try_get("id")?,
        ticket_id: r.try_get("ticket_id")?,
        author: parse(&r.try_get::<String, _>("author")?)?,
        kind: if kind == "internal" { CommentKind::Internal } else { CommentKind::Public },
        body: r.try_get("body")?,
        created_at: time(r.try_get("created_at")?)?,
    })
}

/// What an SLA report reads of one ticket's history: a status it took, or a
/// public reply. Times in UTC ms.
#[derive(Debug, Clone)]
pub enum HistoryRow {
    /// From the `created`/`imported` event (`initial`) or a `status_changed` one.
    Status {
        ticket_id: i64,
        at_ms: i64,
        status: String,
        initial: bool,
    },
    Reply {
        ticket_id: i64,
        at_ms: i64,
        author: Actor,
    },
}

impl Store {
    /// Tickets created in `[from, to)`, oldest first, at most `limit`.
    pub async fn tickets_created_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Ticket>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLS} FROM tickets WHERE created_at >= $1 AND created_at < $2 ORDER BY created_at, id LIMIT $3"
        ))
        .bind(ms(from))
        .bind(ms(to))
        .bind(limit)
        .fetch_all(self.r())
        .await?;
        rows.iter().map(decode).collect()
    }

    /// The statuses and public replies of the tickets with these ids, in time order
    /// per ticket: what their SLA clocks are computed from. Ids go in batches.
    pub async fn histories(&self, ids: &[i64]) -> Result<Vec<HistoryRow>, StoreError> {
        let mut out = Vec::new();
        for chunk in ids.chunks(1000) {
            let list = chunk.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
            // Ids are integers formatted here, not user text.
            let rows = sqlx::query(&format!(
                "SELECT ticket_id, at, kind, data FROM ticket_events
                 WHERE ticket_id IN ({list}) AND kind IN ('created', 'imported', 'status_changed') ORDER BY ticket_id, id"
            ))
            .fetch_all(self.r())
            .await?;
            for r in &rows {
                let data = event_data(r)?;
                if let Some(st) = data.status_entered() {
                    out.push(HistoryRow::Status {
                        ticket_id: r.try_get("ticket_id")?,
                        at_ms: r.try_get("at")?,
                        status: st.as_str().to_string(),
                        initial: data.kind() != EventKind::StatusChanged,
                    });
                }
            }
            let rows = sqlx::query(&format!(
                "SELECT ticket_id, author, created_at FROM comments
                 WHERE ticket_id IN ({list}) AND kind = 'public' ORDER BY ticket_id, id"
            ))
            .fetch_all(self.r())
            .await?;
            for r in &rows {
                out.push(HistoryRow::Reply {
                    ticket_id: r.try_get("ticket_id")?,
                    at_ms: r.try_get("created_at")?,
                    author: parse(&r.try_get::<String, _>("author")?)?,
                });
            }
        }
        Ok(out)
    }

    /// Open tickets whose next SLA clock falls due before `before`, soonest
    /// first (through the due-time index): breaches now and targets at risk.
    pub async fn open_tickets_due_before(&self, before: DateTime<Utc>, limit: i64) -> Result<Vec<Ticket>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLS} FROM tickets WHERE sla_due_at IS NOT NULL AND sla_due_at < $1 ORDER BY sla_due_at, id LIMIT $2"
        ))
        .bind(ms(before))
        .bind(limit)
        .fetch_all(self.r())
        .await?;
        rows.iter().map(decode).collect()
    }
}

impl Store {
    /// The events that move tickets between people and teams (`created`,
    /// `fields_changed`, `escalated`, `deescalated`) of the tickets with these
    /// ids, in order per ticket.
    pub async fn routing_histories(&self, ids: &[i64]) -> Result<Vec<(i64, EventData)>, StoreError> {
        let mut out = Vec::new();
        for chunk in ids.chunks(1000) {
            let list = chunk.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
            // Ids are integers formatted here, not user text.
            let rows = sqlx::query(&format!(
                "SELECT ticket_id, kind, data FROM ticket_events
                 WHERE ticket_id IN ({list})
                   AND kind IN ('created', 'fields_changed', 'escalated', 'deescalated', 'sla_warning', 'sla_breached')
                 ORDER BY ticket_id, id"
            ))
            .fetch_all(self.r())
            .await?;
            for r in &rows {
                out.push((r.try_get("ticket_id")?, event_data(r)?));
            }
        }
        Ok(out)
    }
}
