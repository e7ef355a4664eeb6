//! Reassignments, ping-pong and escalations: where routing and skills fall
//! short (the input for training and better rules).

use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// One ticket's path through people and teams, in order.
#[derive(Debug, Clone, Default)]
pub struct TicketPath {
    pub id: i64,
    pub subject: String,
    pub category: Option<String>,
    /// Each agent it was assigned to, in order (unassignments left out).
    pub agents: Vec<i64>,
    /// Each team it belonged to, in order.
    pub teams: Vec<String>,
    pub escalations: u32,
    pub deescalations: u32,
    /// Moves of team or tier made by SLA escalations (`reassign`).
    pub sla_moves: u32,
    /// SLA escalations that could not move it: nobody worked where they asked.
    pub sla_stayed: u32,
}

impl TicketPath {
    /// Moves from one agent to another (the first assignment is not one).
    pub fn reassignments(&self) -> usize {
        dedup_runs(&self.agents).len().saturating_sub(1)
    }

    /// Bounced: an agent or a team it had left got it back (A, B, A).
    pub fn ping_pong(&self) -> bool {
        returns(&dedup_runs(&self.agents)) || returns(&dedup_runs(&self.teams))
    }
}

fn dedup_runs<T: PartialEq + Clone>(v: &[T]) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(v.len());
    for x in v {
        if out.last() != Some(x) {
            out.push(x.clone());
        }
    }
    out
}

fn returns<T: PartialEq>(runs: &[T]) -> bool {
    runs.iter().enumerate().any(|(i, x)| runs[..i].contains(x))
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct BouncedTicket {
    pub ticket_id: i64,
    pub subject: String,
    pub reassignments: usize,
    /// The agents it went through, in order.
    pub agents: Vec<i64>,
    pub teams: Vec<String>,
    pub ping_pong: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CategoryEscalations {
    pub category: String,
    pub tickets: u64,
    /// Tickets escalated at least once.
    pub escalated: u64,
    pub escalated_pct: f64,
    pub escalations: u64,
    pub deescalations: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct RoutingReport {
    pub tickets: u64,
    /// Tickets reassigned at least once.
    pub reassigned: u64,
    pub reassignments: u64,
    /// Tickets by how many times they were reassigned (`"0"`, `"1"`, ...).
    pub reassignments_histogram: BTreeMap<String, u64>,
    pub ping_pong: u64,
    /// The most reassigned tickets (at most 20), most first.
    pub most_reassigned: Vec<BouncedTicket>,
    /// Categories by how often their tickets are escalated, most first.
    pub escalations_by_category: Vec<CategoryEscalations>,
    /// Hand-offs up a tier or to another team, by people.
    pub escalations: u64,
    /// Moves of team or tier made by SLA escalations on a warning or breach.
    pub sla_reassignments: u64,
    /// Tickets an SLA escalation moved at least once.
    pub sla_reassigned_tickets: u64,
    /// SLA escalations that left the ticket where it was, as nobody worked
    /// where they would have sent it (the team was told).
    pub sla_reassignments_stayed: u64,
}

pub fn routing_report(paths: &[TicketPath]) -> RoutingReport {
    let mut r = RoutingReport { tickets: paths.len() as u64, ..Default::default() };
    let mut cats: BTreeMap<String, CategoryEscalations> = BTreeMap::new();
    let mut bounced = Vec::new();
    for p in paths {
        let n = p.reassignments();
        r.reassignments += n as u64;
        r.reassigned += u64::from(n > 0);
        *r.reassignments_histogram.entry(n.to_string()).or_default() += 1;
        let pong = p.ping_pong();
        r.ping_pong += u64::from(pong);
        if n > 0 || pong {
            bounced.push(BouncedTicket {
                ticket_id: p.id,
                subject: p.subject.clone(),
                reassignments: n,
                agents: dedup_runs(&p.agents),
                teams: dedup_runs(&p.teams),
                ping_pong: pong,
            });
        }
        let key = p.category.clone().unwrap_or_else(|| "none".into());
        let c = cats.entry(key.clone()).or_insert_with(|| CategoryEscalations {
            category: key,
            tickets: 0,
            escalated: 0,
            escalated_pct: 0.0,
            escalations: 0,
            deescalations: 0,
        });
        r.escalations += u64::from(p.escalations);
        r.sla_reassignments += u64::from(p.sla_moves);
        r.sla_reassigned_tickets += u64::from(p.sla_moves > 0);
        r.sla_reassignments_stayed += u64::from(p.sla_stayed);
        c.tickets += 1;
        c.escalated += u64::from(p.escalations > 0);
        c.escalations += u64::from(p.escalations);
        c.deescalations += u64::from(p.deescalations);
    }
    bounced.sort_by(|a, b| {
        b.reassignments.cmp(&a.reassignments).then(b.ping_pong.cmp(&a.ping_pong)).then(a.ticket_id.cmp(&b.ticket_id))
    });
    bounced.truncate(20);
    r.most_reassigned = bounced;
    let mut cats: Vec<CategoryEscalations> = cats
        .into_values()
        .map(|mut c| {
            c.escalated_pct = 100.0 * c.escalated as f64 / c.tickets.max(1) as f64;
            c
        })
        .collect();
    cats.sort_by(|a, b| {
        b.escalated
            .cmp(&a.escalated)
            .then(b.escalated_pct.total_cmp(&a.escalated_pct))
            .then(a.category.cmp(&b.category))
    });
    r.escalations_by_category = cats;
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(id: i64, cat: &str, agents: &[i64], teams: &[&str], esc: u32) -> TicketPath {
        TicketPath {
            id,
            subject: format!("t{id}"),
            category: Some(cat.into()),
            agents: agents.to_vec(),
            teams: teams.iter().map(|t| t.to_string()).collect(),
            escalations: esc,
            deescalations: 0,
            sla_moves: 0,
            sla_stayed: 0,
        }
    }

    #[test]
    fn sla_escalations_are_counted_apart_from_hand_offs() {
        let mut a = path(1, "security", &[3], &["trust"], 1);
        a.sla_moves = 2;
        let mut b = path(2, "security", &[], &["trust"], 0);
        b.sla_stayed = 1;
        let r = routing_report(&[a, b, path(3, "cards", &[7], &["payments"], 0)]);
        assert_eq!(
            (r.escalations, r.sla_reassignments, r.sla_reassigned_tickets, r.sla_reassignments_stayed),
            (1, 2, 1, 1)
        );
    }

    #[test]
    fn reassignments_ping_pong_and_escalations() {
        let paths = vec![
            path(1, "cards", &[7], &["payments"], 0),
            path(2, "cards", &[7, 8, 7], &["payments"], 0), // ping-pong between agents
            path(3, "technical", &[9, 9, 10], &["eng", "payments", "eng"], 2), // team ping-pong
            path(4, "technical", &[], &["eng"], 1),
        ];
        let r = routing_report(&paths);
        assert_eq!((r.tickets, r.reassigned, r.reassignments, r.ping_pong), (4, 2, 3, 2));
        assert_eq!(r.reassignments_histogram.get("0"), Some(&2));
        assert_eq!(r.reassignments_histogram.get("2"), Some(&1));
        assert_eq!(r.most_reassigned[0].ticket_id, 2);
        assert_eq!(r.most_reassigned[0].agents, [7, 8, 7]);
        let top = &r.escalations_by_category[0];
        assert_eq!(
            (top.category.as_str(), top.escalated, top.escalations, top.escalated_pct),
            ("technical", 2, 3, 100.0)
        );
        assert_eq!(r.escalations_by_category[1].escalated, 0);
    }
}
