//! What a customer sees: an explicit allow-list of fields per resource, never
//! the staff view with fields taken out. A field added to a ticket, an
//! organization or a comment stays internal until it is named here (and the
//! per-role test in `tests/api/visibility.rs` lists what each role may read).

use super::tickets::TicketView;
use crate::auth::Caller;
use chrono::{DateTime, Utc};
use serde::Serialize;
use triage_core::policy::Policy;
use triage_core::ticket::{Actor, Channel, Comment, CustomFields, Status};
use utoipa::ToSchema;

/// A ticket as its customer reads it: no priority, score, team, tier,
/// assignee, tags or internal bookkeeping; only the custom fields the policy
/// declares for customers; the promise in plain words.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerTicket {
    pub id: i64,
    pub subject: String,
    pub body: String,
    pub status: Status,
    /// How it came in (email, portal, api, ...).
    pub channel: Channel,
    /// The request type, one of the policy's categories, once known.
    pub category: Option<String>,
    pub requester_id: i64,
    pub organization_id: i64,
    /// Only the fields the policy declares for customers.
    #[schema(value_type = Object)]
    pub custom_fields: CustomFields,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub solved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// When they will hear back, in plain words and their time zone (on
    /// `GET /tickets/{id}` and at creation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promise: Option<String>,
}

/// A ticket as the caller may read it: the staff view, or the customer's.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum TicketOut {
    Staff(Box<TicketView>),
    Customer(CustomerTicket),
}

/// Custom fields a customer may see and set (declared `customer = true`).
pub(crate) fn customer_fields(policy: &Policy, fields: &CustomFields) -> CustomFields {
    fields
        .iter()
        .filter(|(k, _)| policy.custom_fields.iter().any(|d| &d.name == *k && d.customer))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The view `caller` may read of `v`.
pub(crate) fn ticket_out(policy: &Policy, caller: &Caller, v: TicketView) -> TicketOut {
    if caller.is_staff() {
        return TicketOut::Staff(Box::new(v));
    }
    let promise =
        v.expected_response.as_ref().map(|e| e.text.clone()).or_else(|| v.sla.as_ref().and_then(|s| s.promise.clone()));
    let t = v.ticket;
    TicketOut::Customer(CustomerTicket {
        id: t.id,
        subject: t.subject,
        body: t.body,
        status: t.status,
        channel: t.channel,
        category: t.category,
        requester_id: t.requester_id,
        organization_id: t.organization_id,
        custom_fields: customer_fields(policy, &t.custom_fields),
        created_at: t.created_at,
        updated_at: t.updated_at,
        first_response_at: t.first_response_at,
        solved_at: t.solved_at,
        closed_at: t.closed_at,
        promise,
    })
}

/// Who wrote a message, as a customer reads it: the support team as one voice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    Support,
    Customer,
}

/// A public message as its customer reads it (no agent ids).
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerComment {
    pub id: i64,
    pub ticket_id: i64,
    pub from: Speaker,
    /// The contact who wrote it, when a customer did.
    pub contact_id: Option<i64>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// A comment as the caller may read it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum CommentOut {
    Staff(Comment),
    Customer(CustomerComment),
}

pub(crate) fn comment_out(caller: &Caller, c: Comment) -> CommentOut {
    if caller.is_staff() {
        return CommentOut::Staff(c);
    }
    let contact = match c.author {
        Actor::Contact(id) => Some(id),
        _ => None,
    };
    CommentOut::Customer(CustomerComment {
        id: c.id,
        ticket_id: c.ticket_id,
        from: if contact.is_some() { Speaker::Customer } else { Speaker::Support },
        contact_id: contact,
        body: c.body,
        created_at: c.created_at,
    })
}

/// An organization as its own customers read it: its name, its plan and time
/// zone; never its segments (account type, VIP, customer category, persona),
/// value, contract notes or owner.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerOrganization {
    pub id: i64,
    pub name: String,
    /// The support plan in force now.
    pub plan: Option<String>,
    pub timezone: String,
}

/// An organization as the caller may read it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum OrganizationOut {
    Staff(Box<super::organizations::OrganizationView>),
    Customer(CustomerOrganization),
}

pub(crate) fn organization_out(caller: &Caller, v: super::organizations::OrganizationView) -> OrganizationOut {
    if caller.is_staff() {
        return OrganizationOut::Staff(Box::new(v));
    }
    OrganizationOut::Customer(CustomerOrganization {
        id: v.organization.id,
        name: v.organization.name,
        plan: v.plan.map(|p| p.name),
        timezone: v.organization.timezone,
    })
}
