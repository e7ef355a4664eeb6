//! The reply lifecycle: what a new message does to a ticket's status.

use super::*;
use chrono::TimeZone;

fn ticket(status: Status) -> Ticket {
    let t0 = "2026-11-02T09:00:00Z";
    serde_json::from_value(serde_json::json!({
        "id": 1, "subject": "s", "body": "b", "channel": "api", "requester_id": 1, "organization_id": 1,
        "category": null, "impact": null, "urgency": null, "priority": "P3", "priority_score": 40.0,
        "priority_explanation": null, "policy_version": null, "status": status, "assignee_id": null,
        "team": null, "tier": null, "tags": [], "custom_fields": {}, "external_id": null, "version": 1,
        "created_at": t0, "updated_at": t0, "first_response_at": null, "solved_at": null, "closed_at": null,
        "sla_due_at": null,
    }))
    .expect("a ticket")
}

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 10, 0, 0).unwrap()
}

#[test]
fn an_agents_first_public_reply_is_the_first_response_and_opens_the_ticket() {
    let mut t = ticket(Status::New);
    assert_eq!(
        t.on_message(true, CommentKind::Public, at()),
        Ok(Some((Status::New, Status::Open, "first public reply")))
    );
    assert_eq!((t.status, t.first_response_at), (Status::Open, Some(at())));
    // A later reply moves nothing and keeps the first response time.
    let later = at() + chrono::Duration::hours(1);
    assert_eq!(t.on_message(true, CommentKind::Public, later), Ok(None));
    assert_eq!(t.first_response_at, Some(at()));
}

#[test]
fn an_internal_note_is_no_response() {
    let mut t = ticket(Status::New);
    assert_eq!(t.on_message(true, CommentKind::Internal, at()), Ok(None));
    assert_eq!((t.status, t.first_response_at), (Status::New, None));
}

#[test]
fn a_customer_reply_reopens_a_ticket_waiting_on_them_or_solved() {
    for from in [Status::PendingCustomer, Status::Solved] {
        let mut t = ticket(from);
        let moved = t.on_message(false, CommentKind::Public, at());
        assert_eq!(moved, Ok(Some((from, Status::Open, "the customer replied"))));
        assert_eq!((t.status, t.solved_at, t.first_response_at), (Status::Open, None, None));
    }
    for stays in [Status::New, Status::Open, Status::OnHold] {
        let mut t = ticket(stays);
        assert_eq!(t.on_message(false, CommentKind::Public, at()), Ok(None));
        assert_eq!(t.status, stays);
    }
}
