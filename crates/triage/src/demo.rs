//! Demo data: organizations across account types and plans (one VIP), contacts,
//! agents with skills and tiers (every team and tier the built-in policy routes
//! to, escalations included, has someone), and 200 tickets whose texts come from Banking77
//! (CC BY 4.0; see `demo/README.md`). Seeding is idempotent.

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use triage_core::agent::{Agent, AgentRole, Skill, Tier};
use triage_core::email::Email;
use triage_core::organization::ContractOverrides;
use triage_core::policy::Policy;
use triage_core::priority::{decide, EmotionSignals, Facts};
use triage_core::ticket::{Actor, Channel, CommentKind, CustomFields, NewTicket, Status};
use triage_store::{NewEvent, NewOrganization, Store, StoreError};

const TICKETS_CSV: &str = include_str!("../demo/tickets.csv");

struct DemoOrg {
    name: &'static str,
    account_type: &'static str,
    vip: bool,
    category: &'static str,
    persona: &'static str,
    plan: &'static str,
    annual_value: f64,
    seats: i64,
    timezone: &'static str,
    domain: &'static str,
    contacts: &'static [&'static str],
}

const ORGS: &[DemoOrg] = &[
    DemoOrg {
        name: "Northwind Traders",
        account_type: "enterprise",
        vip: true,
        category: "strategic",
        persona: "executive",
        plan: "enterprise",
        annual_value: 250_000.0,
        seats: 1200,
        timezone: "Europe/Berlin",
        domain: "northwind.example",
        contacts: &["Greta Vogel", "Jonas Weber", "Lena Fischer"],
    },
    DemoOrg {
        name: "Globex Logistics",
        account_type: "enterprise",
        vip: false,
        category: "standard",
        persona: "power_user",
        plan: "premium",
        annual_value: 150_000.0,
        seats: 700,
        timezone: "America/Chicago",
        domain: "globex.example",
        contacts: &["Maria Lopez", "Sam Carter"],
    },
    DemoOrg {
        name: "Contoso Retail",
        account_type: "pro",
        vip: false,
        category: "at_risk",
        persona: "power_user",
        plan: "premium",
        annual_value: 48_000.0,
        seats: 300,
        timezone: "America/New_York",
        domain: "contoso.example",
        contacts: &["Priya Shah", "Tom Becker"],
    },
    DemoOrg {
        name: "Fabrikam Labs",
        account_type: "pro",
        vip: false,
        category: "standard",
        persona: "developer",
        plan: "standard",
        annual_value: 12_000.0,
        seats: 80,
        timezone: "Europe/London",
        domain: "fabrikam.example",
        contacts: &["Oliver Hughes", "Amelia Clarke"],
    },
    DemoOrg {
        name: "Tailspin Studio",
        account_type: "free",
        vip: false,
        category: "new",
        persona: "end_user",
        plan: "basic",
        annual_value: 0.0,
        seats: 5,
        timezone: "Asia/Tokyo",
        domain: "tailspin.example",
        contacts: &["Yuki Tanaka"],
    },
];

struct DemoAgent {
    name: &'static str,
    email: &'static str,
    skills: &'static [(&'static str, u8)],
    tier: Tier,
    team: &'static str,
    timezone: &'static str,
}

const AGENTS: &[DemoAgent] = &[
    DemoAgent {
        name: "Ana Souza",
        email: "ana@support.example",
        skills: &[("cards", 4), ("top_up", 3), ("transfers", 2)],
        tier: Tier::L1,
        team: "payments",
        timezone: "Europe/Lisbon",
    },
    DemoAgent {
        name: "Ben Okafor",
        email: "ben@support.example",
        skills: &[("transfers", 4), ("cards", 2)],
        tier: Tier::L1,
        team: "payments",
        timezone: "Europe/London",
    },
    DemoAgent {
        name: "Farah Haddad",
        email: "farah@support.example",
        skills: &[("cards", 5), ("transfers", 4), ("top_up", 4)],
        tier: Tier::L2,
        team: "payments",
        timezone: "Europe/Paris",
    },
    DemoAgent {
        name: "Carla Jensen",
        email: "carla@support.example",
        skills: &[("billing", 4), ("accounts", 3)],
        tier: Tier::L2,
        team: "billing",
        timezone: "Europe/Copenhagen",
    },
    DemoAgent {
        name: "Grace Kim",
        email: "grace@support.example",
        skills: &[("accounts", 4), ("billing", 2)],
        tier: Tier::L2,
        team: "accounts",
        timezone: "Europe/Amsterdam",
    },
    DemoAgent {
        name: "Chen Wei",
        email: "chen@support.example",
        skills: &[("security", 5), ("accounts", 3)],
        tier: Tier::L2,
        team: "trust_and_safety",
        timezone: "Asia/Singapore",
    },
    DemoAgent {
        name: "Hugo Martin",
        email: "hugo@support.example",
        skills: &[("security", 5), ("cards", 3)],
        tier: Tier::L3,
        team: "trust_and_safety",
        timezone: "Europe/Brussels",
    },
    DemoAgent {
        name: "Dara Byrne",
        email: "dara@support.example",
        skills: &[("technical", 4), ("cards", 3)],
        tier: Tier::L2,
        team: "engineering_support",
        timezone: "Europe/Dublin",
    },
    DemoAgent {
        name: "Eli Navarro",
        email: "eli@support.example",
        skills: &[("technical", 5), ("security", 4)],
        tier: Tier::L3,
        team: "engineering_support",
        timezone: "America/Los_Angeles",
    },
];

/// Seeds the demo once; returns the number of tickets added (0 when already seeded).
pub async fn seed(store: &Store, policy: &Policy, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let mut contacts: Vec<(i64, i64, &DemoOrg)> = Vec::new(); // (contact id, org id, its organization)
    for o in ORGS {
        let org = match store.get_organization_by_name(o.name).await {
            Ok(r) => r.org,
            Err(StoreError::NotFound) => {
                let plan = store.get_plan_by_name(o.plan).await.with_context(|| format!("plan {} missing", o.plan))?;
                let new = NewOrganization {
                    name: o.name.into(),
                    account_type: o.account_type.into(),
                    vip: o.vip,
                    customer_category: o.category.into(),
                    persona: Some(o.persona.into()),
                    contract: if o.vip {
                        ContractOverrides {
                            notes: Some("Named account manager; quarterly business review.".into()),
                            ..Default::default()
                        }
                    } else {
                        ContractOverrides::default()
                    },
                    annual_value: o.annual_value,
                    seats: o.seats,
                    timezone: o.timezone.into(),
                    owner_id: None,
                };
                let rec =
                    store.create_organization(&new, Some((plan.id, now - Duration::days(365))), "system", now).await?;
                if o.name == "Globex Logistics" {
                    // A scheduled upgrade: shows plan history with effective dates.
                    let ent = store.get_plan_by_name("enterprise").await?;
                    store
                        .change_plan(
                            rec.org.id,
                            ent.id,
                            now + Duration::days(30),
                            "system",
                            Some("signed enterprise renewal"),
                            now,
                        )
                        .await?;
                }
                rec.org
            }
            Err(e) => return Err(e.into()),
        };
        for name in o.contacts {
            let first = name.split(' ').next().unwrap_or(name).to_lowercase();
            let email = Email::parse(&format!("{first}@{}", o.domain)).expect("valid demo address");
            let c = match store.get_contact_by_email(&email).await {
                Ok(c) => c,
                Err(StoreError::NotFound) => store.create_contact(org.id, name, &email, now).await?,
                Err(e) => return Err(e.into()),
            };
            contacts.push((c.id, org.id, o));
        }
    }
    let mut agents = Vec::new();
    for a in AGENTS {
        let email = Email::parse(a.email).expect("valid demo address");
        let agent = match store.get_agent_by_email(&email).await {
            Ok(x) => x,
            Err(StoreError::NotFound) => {
                let new = Agent {
                    id: 0,
                    name: a.name.into(),
                    email,
                    role: AgentRole::Agent,
                    skills: a.skills.iter().map(|(n, p)| Skill { name: (*n).into(), proficiency: *p }).collect(),
                    tier: a.tier,
                    team: a.team.into(),
                    capacity: 8,
                    timezone: a.timezone.into(),
                    active: true,
                    availability: Default::default(),
                    shifts: vec![],
                    created_at: now,
                };
                store.create_agent(&new, now).await?
            }
            Err(e) => return Err(e.into()),
        };
        agents.push(agent);
    }
    // VIP and enterprise accounts have an owner, told when their promises move.
    if let Some(owner) = agents.iter().find(|a| a.tier == Tier::L3).or(agents.first()) {
        let mut seen = std::collections::HashSet::new();
        for (_, org_id, o) in &contacts {
            if (o.vip || o.account_type == "enterprise") && seen.insert(*org_id) {
                let mut org = store.get_organization(*org_id).await?.org;
                if org.owner_id.is_none() {
                    org.owner_id = Some(owner.id);
                    store.save_organization(&org, now).await?;
                }
            }
        }
    }

    let mut reader = csv::Reader::from_reader(TICKETS_CSV.as_bytes());
    // The work each agent holds (the policy's load per level): the demo gives
    // nobody more than three quarters of their capacity, so new tickets are
    // pushed to someone while the rest of the day's work waits in the queue.
    let mut load: std::collections::HashMap<i64, f64> = std::collections::HashMap::new();
    let mut tickets = Vec::new();
    let mut plans = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.context("demo/tickets.csv")?;
        let (id, subject, body, category, impact, urgency) = (&rec[0], &rec[1], &rec[2], &rec[3], &rec[4], &rec[5]);
        let (contact_id, org_id, o) = contacts[(i * 7) % contacts.len()];
        // Older tickets are further along: most of the fortnight's tickets are
        // solved or closed, the open ones arrived in the last day or two, the new
        // ones in the last hours, so the SLA clocks show a working team (a few
        // at risk or breached) rather than a backlog long overdue.
        let status = match i % 20 {
            0..=7 => Status::Closed,
            8..=11 => Status::Solved,
            12 => Status::PendingCustomer,
            13 => Status::OnHold,
            14..=16 => Status::Open,
            _ => Status::New,
        };
        let spread = |max_minutes: i64| ((i as i64 * 7919) % max_minutes.max(1)) + 5;
        let age_minutes = match status {
            Status::Closed | Status::Solved => 2 * 24 * 60 + spread(12 * 24 * 60),
            Status::PendingCustomer | Status::OnHold => 6 * 60 + spread(2 * 24 * 60),
            Status::Open => spread(24 * 60),
            _ => spread(6 * 60),
        };
        let created_at = now - Duration::minutes(age_minutes);
        // Agents answer most tickets within the hour, a few late; the rest of the
        // history follows the first reply.
        let reply_after = [12, 25, 40, 55, 90, 180, 600][i % 7].min(age_minutes - 1);
        let settle_after = (reply_after + 30 + spread(2 * 24 * 60)).min(age_minutes - 1);
        plans.push(Planned { external_id: format!("demo:banking77:{id}"), status, reply_after, settle_after });
        let emotion = EmotionSignals::scan(&format!("{subject}\n{body}"), &policy.priority.emotion);
        let no_fields = CustomFields::new();
        let facts = Facts {
            impact: Some(impact),
            urgency: Some(urgency),
            category: Some(category),
            created_at,
            account_type: o.account_type,
            vip: o.vip,
            customer_category: o.category,
            persona: Some(o.persona),
            annual_value: o.annual_value,
            seats: o.seats,
            plan: policy.plan(o.plan).map(|p| (o.plan, p.priority_boost)),
            emotion: &emotion,
            ai_urgency: None,
            sla_due: None,
            custom_fields: &no_fields,
        };
        let pr = decide(policy, &facts, now, None, None);
        let cat = policy.category(category);
        let team = cat.map(|c| c.team.as_str()).unwrap_or("");
        let pool: Vec<&Agent> = agents.iter().filter(|a| a.team == team).collect();
        let pool = if pool.is_empty() { agents.iter().collect() } else { pool };
        let assignee = match status {
            Status::New => None,
            // Still being worked: the least busy agent of the team with room,
            // else it waits in the queue (it stays new).
            Status::Open | Status::PendingCustomer | Status::OnHold => {
                let weight = policy.routing.load_of(Some(pr.level.as_str()));
                let held = |a: &Agent| load.get(&a.id).copied().unwrap_or(0.0);
                let room = pool
                    .iter()
                    .filter(|a| held(a) + weight <= 0.75 * a.capacity as f64)
                    .min_by(|a, b| held(a).total_cmp(&held(b)));
                room.map(|a| {
                    *load.entry(a.id).or_default() += weight;
                    a.id
                })
            }
            // Done: whoever of the team, in turn.
            _ => Some(pool[i % pool.len()].id),
        };
        tickets.push(NewTicket {
            subject: subject.into(),
            body: body.into(),
            channel: [Channel::Email, Channel::Portal, Channel::Chat, Channel::Email, Channel::Api][i % 5],
            requester_id: contact_id,
            organization_id: org_id,
            category: Some(category.into()),
            impact: Some(impact.into()),
            urgency: Some(urgency.into()),
            priority: Some(pr),
            sla_due_at: None,
            sla_alarm_at: None,
            promise: None,
            acknowledgment: None,
            routing: None,
            // Stored as it arrived; its history is played below.
            status: Status::New,
            assignee_id: assignee,
            team: cat.map(|c| c.team.clone()),
            tier: cat.map(|c| c.tier),
            tags: if urgency == "critical" { vec!["urgent".into()] } else { vec![] },
            custom_fields: CustomFields::new(),
            external_id: Some(format!("demo:banking77:{id}")),
            created_at,
            actor: Actor::Contact(contact_id),
            predictions: Default::default(),
            suggested: Default::default(),
            idempotency: None,
        });
    }
    let added = store.insert_tickets(&tickets).await?;
    if added > 0 {
        play_history(store, &plans).await?;
    }
    Ok(added)
}

/// What happens to a demo ticket after it arrives.
struct Planned {
    external_id: String,
    status: Status,
    /// Minutes after creation of the agent's first reply.
    reply_after: i64,
    /// Minutes after creation of its last status change.
    settle_after: i64,
}

/// Plays each demo ticket's history at the times it happened: the assigned
/// agent's first public reply (which opens it), then waiting on the customer,
/// on hold, solved or closed. The SLA clocks and reports read this history.
async fn play_history(store: &Store, plans: &[Planned]) -> anyhow::Result<()> {
    let stored = store.tickets_after(0, 10_000).await?;
    for p in plans {
        let Some(t) = stored.iter().find(|t| t.external_id.as_deref() == Some(p.external_id.as_str())) else {
            continue;
        };
        let (Some(agent), true) = (t.assignee_id, p.status != Status::New) else { continue };
        let replied = t.created_at + Duration::minutes(p.reply_after);
        let body = "Thanks for reaching out. I am looking into this and will get back to you shortly.";
        store
            .modify_ticket(t.id, Actor::Agent(agent), replied, Some((CommentKind::Public, body.into())), |t| {
                t.first_response_at = Some(replied);
                let from = t.transition(Status::Open, replied).map_err(|e| anyhow::anyhow!("{e}"))?;
                Ok::<_, anyhow::Error>(vec![status_event(from, Status::Open, "first public reply")])
            })
            .await
            .map_err(|e| anyhow::anyhow!("demo history of ticket {}: {e}", t.id))?;
        let settled = t.created_at + Duration::minutes(p.settle_after);
        let steps: &[Status] = match p.status {
            Status::Closed => &[Status::Solved, Status::Closed],
            Status::Solved => &[Status::Solved],
            Status::PendingCustomer => &[Status::PendingCustomer],
            Status::OnHold => &[Status::OnHold],
            _ => &[],
        };
        for (k, to) in steps.iter().enumerate() {
            let at = settled + Duration::minutes(k as i64);
            store
                .modify_ticket(t.id, Actor::Agent(agent), at, None, |t| {
                    let from = t.transition(*to, at).map_err(|e| anyhow::anyhow!("{e}"))?;
                    Ok::<_, anyhow::Error>(vec![status_event(from, *to, "demo history")])
                })
                .await
                .map_err(|e| anyhow::anyhow!("demo history of ticket {}: {e}", t.id))?;
        }
    }
    Ok(())
}

fn status_event(from: Status, to: Status, why: &str) -> NewEvent {
    NewEvent { data: triage_core::ticket::event_data::StatusChanged::of(from, to), reason: Some(why.into()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use triage_store::scratch::ScratchDatabase;
    use triage_store::{Backend, DatabaseUrl, PageRequest, TicketFilter};

    /// The demo's data fits its policy: every team and tier it routes to has
    /// someone, and nobody starts with more work than leaves room for new
    /// tickets to be pushed.
    #[tokio::test]
    async fn the_demo_fits_its_policy_and_leaves_room_to_push() {
        let db = ScratchDatabase::new(Backend::Sqlite).await;
        let store = Store::connect(&DatabaseUrl::parse(&db.url).unwrap()).await.unwrap();
        let policy = Policy::builtin();
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-08T10:00:00Z").unwrap().to_utc();
        triage_server::bootstrap::prepare(&store, &policy, None, now).await.unwrap();
        assert_eq!(seed(&store, &policy, now).await.unwrap(), 200);
        assert!(triage_server::routing::coverage_gaps(&store, &policy).await.unwrap().is_empty());
        let agents = store.list_agents(PageRequest { after: None, limit: 100 }).await.unwrap().items;
        let filter = TicketFilter {
            statuses: vec![Status::Open, Status::PendingCustomer, Status::OnHold],
            ..Default::default()
        };
        let held = store.list_tickets(&filter, PageRequest { after: None, limit: 1000 }).await.unwrap().items;
        assert!(!held.is_empty());
        for a in agents.iter().filter(|a| a.capacity > 0) {
            let load: f64 =
                held.iter().filter(|t| t.assignee_id == Some(a.id)).map(|t| policy.routing.load_of(t.level())).sum();
            assert!(load <= 0.75 * a.capacity as f64, "{} holds {load} of {}", a.name, a.capacity);
        }
    }
}
