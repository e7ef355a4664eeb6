//! The ticket lifecycle and the transitions it allows.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Arrived, nobody has looked at it yet.
    New,
    /// Being worked by the support team.
    Open,
    /// Waiting for the customer to answer (SLA clocks pause).
    PendingCustomer,
    /// Waiting on a third party or internal team.
    OnHold,
    /// Answered; the customer may still reopen it.
    Solved,
    /// Final; a follow-up needs a new ticket.
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a ticket cannot go from {from} to {to}; from {from} it can go to: {allowed}")]
pub struct TransitionError {
    pub from: Status,
    pub to: Status,
    pub allowed: String,
}

impl Status {
    pub const ALL: [Status; 6] =
        [Status::New, Status::Open, Status::PendingCustomer, Status::OnHold, Status::Solved, Status::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Open => "open",
            Status::PendingCustomer => "pending_customer",
            Status::OnHold => "on_hold",
            Status::Solved => "solved",
            Status::Closed => "closed",
        }
    }

    /// The statuses this one may move to.
    pub fn successors(self) -> &'static [Status] {
        use Status::*;
        match self {
            New => &[Open, PendingCustomer, OnHold, Solved, Closed],
            Open => &[PendingCustomer, OnHold, Solved],
            PendingCustomer => &[Open, OnHold, Solved],
            OnHold => &[Open, PendingCustomer, Solved],
            Solved => &[Open, Closed],
            Closed => &[],
        }
    }

    /// Open work: anything not solved or closed.
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Solved | Status::Closed)
    }

    pub fn transition(self, to: Status) -> Result<Status, TransitionError> {
        if self.successors().contains(&to) {
            Ok(to)
        } else {
            let allowed = self.successors().iter().map(|s| s.as_str()).collect::<Vec<_>>();
            Err(TransitionError {
                from: self,
                to,
                allowed: if allowed.is_empty() { "nothing (it is final)".into() } else { allowed.join(", ") },
            })
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Status::ALL.into_iter().find(|st| st.as_str() == s).ok_or_else(|| {
            format!("`{s}` is not a status; use one of new, open, pending_customer, on_hold, solved, closed")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn closed_is_final_and_solved_can_reopen() {
        assert!(Status::Closed.transition(Status::Open).is_err());
        assert_eq!(Status::Solved.transition(Status::Open), Ok(Status::Open));
        let e = Status::Open.transition(Status::New).unwrap_err();
        assert!(e.to_string().contains("pending_customer, on_hold, solved"), "{e}");
    }

    fn any_status() -> impl Strategy<Value = Status> {
        prop::sample::select(Status::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn no_status_transitions_to_itself_or_back_to_new(a in any_status(), b in any_status()) {
            let r = a.transition(b);
            if a == b || b == Status::New { prop_assert!(r.is_err()); }
            prop_assert_eq!(r.is_ok(), a.successors().contains(&b));
        }

        #[test]
        fn every_status_can_reach_closed(a in any_status()) {
            // breadth-first search over the transition graph
            let mut seen = vec![a];
            let mut i = 0;
            while i < seen.len() {
                for s in seen[i].successors() { if !seen.contains(s) { seen.push(*s); } }
                i += 1;
            }
            prop_assert!(seen.contains(&Status::Closed));
        }

        #[test]
        fn names_round_trip(a in any_status()) {
            prop_assert_eq!(a.as_str().parse::<Status>().unwrap(), a);
        }
    }
}
