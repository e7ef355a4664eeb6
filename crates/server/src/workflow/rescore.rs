//! Re-prioritizing: one ticket after a change to it (`Rescoring`: an
//! agent's edit, a customer's reply), or every open ticket something they
//! depend on changed for ([`rescore`]: a new policy version, an
//! organization's plan or segments). Each ticket whose level moves gets a
//! `priority_changed` event saying why.

use crate::error::ApiResult;
use crate::prioritize::{self, Customer, Request};
use crate::sla::DueAt;
use crate::state::AppState;
use triage_core::priority::same_apart_from_time;
use triage_core::priority::Override;
use triage_core::ticket::event_data::{FieldChange, FieldsChanged};
use triage_core::ticket::{Actor, Ticket};
use triage_store::{ModifyError, NewEvent, StoreError};

/// What a re-score changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Rescored {
    pub examined: usize,
    pub level_changed: usize,
}

/// Which open tickets to re-score.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// Tickets scored by another policy version than the one in force.
    OtherPolicyVersions,
    /// One organization's tickets (its plan or segments changed).
    Organization(i64, &'a str),
}

/// What re-prioritizing a stored ticket reads besides the ticket: its
/// customer, the customer's public replies and its SLA history. Loaded before
/// the write; [`Rescoring::apply`] runs inside it, on the ticket as stored.
pub(crate) struct Rescoring<'p> {
    pub customer: Customer,
    /// The customer's replies, each after a message break (see
    /// [`prioritize::customer_replies`]).
    replies: String,
    due: Option<DueAt<'p>>,
}

impl<'p> Rescoring<'p> {
    pub async fn load(s: &'p AppState, t: &Ticket) -> ApiResult<Rescoring<'p>> {
        let customer = prioritize::customer(s, t.organization_id).await?;
        let replies = prioritize::customer_replies(s, t.id).await?;
        let due = crate::sla::due_at(s, &customer, t).await?;
        Ok(Rescoring { customer, replies, due })
    }

    /// With a new reply from the customer, a message of its own.
    pub fn with_reply(mut self, body: &str) -> Self {
        self.replies.push(triage_core::sentiment::MESSAGE_BREAK);
        self.replies.push_str(body);
        self
    }

    /// Re-prioritizes `t` now: its words, its customer, the SLA targets of the
    /// level it lands on. `over` replaces the agent's level in force (`Some(None)`
    /// clears it; `None` keeps it); a level that moves (or an override set or
    /// cleared) is a `priority_changed` event with `reason`.
    pub fn apply(
        &self,
        s: &AppState,
        t: &mut Ticket,
        over: Option<Option<Override>>,
        reason: Option<String>,
    ) -> Option<NewEvent> {
        let before = t.explanation().and_then(|e| e.override_.clone());
        let over = over.unwrap_or_else(|| before.clone());
        let text = prioritize::text_of(&t.subject, &t.body) + &self.replies;
        let pr = prioritize::reprioritize(s, &self.customer, &Request::of(t, &text), over.as_ref(), self.due.as_ref());
        let forced = before != over;
        prioritize::apply_retargeted(t, pr, reason, forced)
    }
}

pub async fn rescore(s: &AppState, scope: Scope<'_>) -> Result<Rescored, StoreError> {
    let (org, version, why) = match scope {
        Scope::OtherPolicyVersions => {
            (None, Some(s.policy.version.as_str()), format!("policy {} in force", s.policy.version))
        }
        Scope::Organization(id, why) => (Some(id), None, why.to_string()),
    };
    let mut out = Rescored::default();
    let mut after = 0;
    loop {
        let batch = s.store.open_tickets_for_rescore(org, version, after, 500).await?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        for t in batch {
            out.examined += 1;
            if rescore_ticket(s, &t, &why).await? {
                out.level_changed += 1;
            }
        }
    }
    Ok(out)
}

/// Scores an open ticket again and stores the result; a level that moves gets a
/// `priority_changed` event with `why`, a score whose reasons changed (a new
/// plan, say) a `fields_changed` event, so the ticket never shows reasons that
/// no longer hold. Returns whether the level moved. The queue index gets the
/// new score even when nothing needed storing.
pub(crate) async fn rescore_ticket(s: &AppState, t: &Ticket, why: &str) -> Result<bool, StoreError> {
    let customer = match prioritize::customer(s, t.organization_id).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(ticket = t.id, error = ?e, "cannot re-score");
            return Ok(false);
        }
    };
    let words = prioritize::customer_words(s, t).await?;
    let due = crate::sla::due_at(s, &customer, t).await.unwrap_or_else(|e| {
        tracing::warn!(ticket = t.id, error = ?e, "cannot read the SLA history; scoring on the stored due time");
        None
    });
    let now = s.now();
    let mut computed = None;
    let result = crate::workflow::write::modify(s, t.id, Actor::System, now, None, |t| {
        let over = t.explanation().and_then(|e| e.override_.clone());
        let pr = prioritize::reprioritize(s, &customer, &Request::of(t, &words), over.as_ref(), due.as_ref());
        let version_moved =
            t.priority.as_ref().map(|p| p.policy_version.as_str()) != Some(pr.0.policy_version.as_str());
        let reasons_moved = t.explanation().is_none_or(|e| !same_apart_from_time(e, &pr.0.explanation));
        let score_before = t.score();
        let mut events: Vec<NewEvent> =
            prioritize::apply_retargeted(t, pr, Some(why.to_string()), false).into_iter().collect();
        if events.is_empty() && (version_moved || reasons_moved) {
            // Stored even when the level holds: the version and the reasons are the ticket's.
            let mut changes = Vec::new();
            if version_moved {
                changes.push(FieldChange::set("policy_version", t.priority.as_ref().map(|p| &p.policy_version)));
            }
            if reasons_moved {
                changes.push(FieldChange::new("priority_score", score_before, t.score()));
            }
            events.push(NewEvent { data: FieldsChanged::of(changes), reason: Some(why.to_string()) });
        }
        computed = Some(t.clone());
        Ok::<_, ()>(events)
    })
    .await;
    match result {
        Ok((after, _)) => {
            if after.version == t.version {
                if let Some(c) = &computed {
                    s.queue.put(c);
                }
            }
            Ok(after.version > t.version && after.priority != t.priority)
        }
        Err(ModifyError::Store(e)) => Err(e),
        Err(ModifyError::Rejected(())) => Ok(false),
    }
}
