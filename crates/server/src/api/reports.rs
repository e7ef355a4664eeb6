//! Reports: SLA attainment and response times over a time range, with the
//! breaches and risks open right now; reassignments, ping-pong, escalations and
//! evenness of work. API first; charts come with the web UI.

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::prioritize::Customer;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use triage_core::organization::effective_plan;
use triage_core::report::{routing_report, sla_report, ReportTicket, RoutingReport, SlaReport, TicketPath};
use triage_core::routing::Evenness;
use triage_core::routing::Landing;
use triage_core::sla::{elapsed, ticket_sla, ClockName, ClockPhase, History};
use triage_core::ticket::{EventData, Status, Ticket};
use triage_store::HistoryRow;
use utoipa::ToSchema;

/// Most tickets one report reads (a wider range says `truncated`).
const MAX_TICKETS: i64 = 100_000;
/// Most open tickets listed as breached or at risk.
const MAX_LISTED: i64 = 200;
/// How far ahead "at risk" looks for due times.
const RISK_AHEAD_HOURS: i64 = 24;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SlaReportParams {
    /// Tickets created from (RFC 3339; default 30 days before `to`).
    #[serde(default, deserialize_with = "crate::extract::opt_instant")]
    pub from: Option<DateTime<Utc>>,
    /// Tickets created before (RFC 3339; default now).
    #[serde(default, deserialize_with = "crate::extract::opt_instant")]
    pub to: Option<DateTime<Utc>>,
}

/// An open ticket's clock that is breached or at risk now.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClockAlert {
    pub ticket_id: i64,
    pub subject: String,
    pub priority: Option<String>,
    pub organization_id: i64,
    pub assignee_id: Option<i64>,
    pub team: Option<String>,
    pub clock: ClockName,
    pub due: DateTime<Utc>,
    /// Business time left (negative: overdue).
    pub remaining_seconds: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlaReportView {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub generated_at: DateTime<Utc>,
    /// Tickets created in the range that the report counts.
    pub tickets: usize,
    /// More tickets were created in the range than one report reads.
    pub truncated: bool,
    #[serde(flatten)]
    pub report: SlaReport,
    /// Open tickets with a running clock past its due time, most overdue first.
    pub breached_now: Vec<ClockAlert>,
    /// Open tickets with a running clock past its warning point, not yet due.
    pub at_risk: Vec<ClockAlert>,
}

/// SLA attainment (met / breached / in progress) by plan, priority, category,
/// team and agent for tickets created in a range, counting each decided clock
/// run as recorded when it was decided (so it agrees with the event log); first-response and resolution
/// times (median, p90) in business and calendar time; current breaches and
/// tickets at risk (staff).
#[utoipa::path(get, path = "/api/v1/reports/sla", tag = "reports", params(SlaReportParams),
    responses((status = 200, body = SlaReportView), (status = 400, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn sla(
    State(s): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<SlaReportParams>,
) -> ApiResult<Json<SlaReportView>> {
    caller.require_staff()?;
    Ok(Json(sla_view(&s, &q).await?))
}

/// The SLA report for the range `q` asks for (the API's and the dashboard's).
pub(crate) async fn sla_view(s: &AppState, q: &SlaReportParams) -> ApiResult<SlaReportView> {
    let Range { from, to, now, tickets, truncated } = range(s, q).await?;
    let histories = histories(s, &tickets).await?;
    let ids: Vec<i64> = tickets.iter().map(|t| t.id).collect();
    let outcomes = s.store.outcomes_of(&ids).await?;
    let mut customers = Customers::default();
    let now_ms = now.timestamp_millis();
    let mut rows = Vec::with_capacity(tickets.len());
    for (t, h) in tickets.iter().zip(histories) {
        let c = customers.at(s, t.organization_id, t.created_at).await?;
        let (Some(terms), Some(level)) = (crate::sla::terms(s, &c), t.level()) else { continue };
        // Decided runs count as recorded when they were decided, whatever the
        // level or policy says now; only running clocks are computed.
        let mut sla = ticket_sla(terms.def, &terms.cal, level, &h, now_ms);
        sla.apply_outcomes(outcomes.get(&t.id).map_or(&[][..], |v| &v[..]), &s.policy.version, terms.cal.tz);
        let pauses = h.pauses(terms.def, now_ms);
        let measured = |end: Option<i64>| {
            end.map(|end| {
                ((elapsed(&terms.cal, h.created_ms, end, &pauses)) / 1000, (end - h.created_ms).max(0) / 1000)
            })
        };
        rows.push(ReportTicket {
            plan: c.plan.as_ref().map(|p| p.name.clone()),
            level: t.level().map(String::from),
            category: t.category.clone(),
            team: t.team.clone(),
            agent: t.assignee_id,
            first_response: measured(h.agent_replies.iter().copied().find(|a| *a >= h.created_ms)),
            resolution: measured(h.solved_ms),
            sla,
        });
    }
    let levels: Vec<String> = s.policy.levels.iter().map(|l| l.name.clone()).collect();
    let report = sla_report(&rows, &levels);
    let (breached_now, at_risk) = alerts(s).await?;
    Ok(SlaReportView { from, to, generated_at: now, tickets: rows.len(), truncated, report, breached_now, at_risk })
}

/// The tickets a report counts: created in `[from, to)` (default the last 30
/// days), at most [`MAX_TICKETS`].
struct Range {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
    tickets: Vec<Ticket>,
    truncated: bool,
}

async fn range(s: &AppState, q: &SlaReportParams) -> ApiResult<Range> {
    let now = s.now();
    let to = q.to.unwrap_or(now);
    let from = q.from.unwrap_or(to - Duration::days(30));
    // An empty range (from at or after to) holds no tickets: an empty report.
    let mut tickets = s.store.tickets_created_between(from, to, MAX_TICKETS + 1).await?;
    let truncated = tickets.len() as i64 > MAX_TICKETS;
    tickets.truncate(MAX_TICKETS as usize);
    Ok(Range { from, to, now, tickets, truncated })
}

/// Each ticket's history, from two bulk reads.
async fn histories(s: &AppState, tickets: &[Ticket]) -> ApiResult<Vec<History>> {
    let ids: Vec<i64> = tickets.iter().map(|t| t.id).collect();
    let mut by_id: HashMap<i64, History> = tickets
        .iter()
        .map(|t| (t.id, History::new(t.created_at.timestamp_millis(), t.solved_at.map(|x| x.timestamp_millis()))))
        .collect();
    for row in s.store.histories(&ids).await? {
        match row {
            HistoryRow::Status { ticket_id, at_ms, status, initial } => {
                if let (Some(h), Ok(st)) = (by_id.get_mut(&ticket_id), status.parse::<Status>()) {
                    h.status(at_ms, st, initial);
                }
            }
            HistoryRow::Reply { ticket_id, at_ms, author } => {
                if let Some(h) = by_id.get_mut(&ticket_id) {
                    h.reply(at_ms, author);
                }
            }
        }
    }
    Ok(ids.iter().map(|id| by_id.remove(id).unwrap_or_default()).collect())
}

/// Organizations and plans read once per report.
#[derive(Default)]
struct Customers {
    orgs: HashMap<i64, triage_store::OrganizationRecord>,
    plans: Option<Vec<triage_core::plan::SupportPlan>>,
}

impl Customers {
    /// The customer as it stood at `at`: the plan then in force.
    async fn at(&mut self, s: &AppState, org: i64, at: DateTime<Utc>) -> ApiResult<Customer> {
        if let std::collections::hash_map::Entry::Vacant(e) = self.orgs.entry(org) {
            e.insert(s.orgs.org(&s.store, org).await?);
        }
        if self.plans.is_none() {
            self.plans = Some(s.orgs.plans(&s.store).await?);
        }
        let rec = &self.orgs[&org];
        let plan = effective_plan(&rec.plan_changes, at)
            .and_then(|c| self.plans.as_ref().and_then(|ps| ps.iter().find(|p| p.id == c.plan_id)).cloned());
        Ok(Customer { org: rec.org.clone(), plan })
    }
}

/// Open tickets breached now and at risk, from the due-time index.
async fn alerts(s: &AppState) -> ApiResult<(Vec<ClockAlert>, Vec<ClockAlert>)> {
    let now = s.now();
    let (mut breached, mut risk) = (Vec::new(), Vec::new());
    for t in s.store.open_tickets_due_before(now + Duration::hours(RISK_AHEAD_HOURS), MAX_LISTED).await? {
        if matches!(t.status, Status::Solved | Status::Closed) {
            continue;
        }
        let Some(st) = crate::sla::status(s, &t).await? else { continue };
        for (name, clock) in st.sla.clocks().filter(|(_, c)| !c.stopped && !c.paused) {
            let alert = || ClockAlert {
                ticket_id: t.id,
                subject: t.subject.clone(),
                priority: t.level().map(String::from),
                organization_id: t.organization_id,
                assignee_id: t.assignee_id,
                team: t.team.clone(),
                clock: name,
                due: clock.due,
                remaining_seconds: clock.remaining_seconds,
            };
            match clock.state {
                ClockPhase::Breached => breached.push(alert()),
                ClockPhase::Running if clock.warning => risk.push(alert()),
                _ => {}
            }
        }
    }
    breached.sort_by_key(|a| (a.remaining_seconds, a.ticket_id));
    risk.sort_by_key(|a| (a.remaining_seconds, a.ticket_id));
    Ok((breached, risk))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TeamEvenness {
    pub team: String,
    pub strategy: Option<triage_core::routing::RoutingStrategy>,
    /// Active agents and their open weighted work over capacity now.
    #[serde(flatten)]
    pub evenness: Evenness,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoutingReportView {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub generated_at: DateTime<Utc>,
    pub truncated: bool,
    #[serde(flatten)]
    pub report: RoutingReport,
    /// How evenly each team's work is spread now (utilization Gini, max/mean).
    pub evenness: Vec<TeamEvenness>,
}

/// Reassignments per ticket, tickets bounced back and forth ("ping-pong"),
/// categories most often escalated (for tickets created in a range), and how
/// evenly each team's open work is spread now (staff).
#[utoipa::path(get, path = "/api/v1/reports/routing", tag = "reports", params(SlaReportParams),
    responses((status = 200, body = RoutingReportView), (status = 400, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn routing(
    State(s): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<SlaReportParams>,
) -> ApiResult<Json<RoutingReportView>> {
    caller.require_staff()?;
    let Range { from, to, now, tickets, truncated } = range(&s, &q).await?;
    let ids: Vec<i64> = tickets.iter().map(|t| t.id).collect();
    let mut paths: HashMap<i64, TicketPath> = tickets
        .iter()
        .map(|t| {
            (
                t.id,
                TicketPath { id: t.id, subject: t.subject.clone(), category: t.category.clone(), ..Default::default() },
            )
        })
        .collect();
    for (id, data) in s.store.routing_histories(&ids).await? {
        let Some(p) = paths.get_mut(&id) else { continue };
        match &data {
            EventData::Created(o) => {
                p.agents.extend(o.assignee_id);
                p.teams.extend(o.team.clone());
            }
            EventData::SlaWarning(f) | EventData::SlaBreached(f) => {
                p.sla_stayed +=
                    f.reassign.iter().filter(|m| matches!(m.landing, Landing::Stayed { .. })).count() as u32;
            }
            EventData::FieldsChanged(f) => {
                let moved = f.changes.iter().any(|c| c.field == "team" || c.field == "tier");
                if moved && f.sla_escalation {
                    p.sla_moves += 1;
                }
                for c in &f.changes {
                    match c.field.as_str() {
                        "assignee_id" => p.agents.extend(c.to_id()),
                        "team" => p.teams.extend(c.to_str().map(String::from)),
                        _ => {}
                    }
                }
            }
            EventData::Escalated(h) | EventData::Deescalated(h) => {
                if matches!(data, EventData::Escalated(_)) {
                    p.escalations += 1;
                } else {
                    p.deescalations += 1;
                }
                p.teams.extend(h.handoff.to_team.clone());
            }
            _ => {}
        }
    }
    let paths: Vec<TicketPath> = ids.iter().filter_map(|id| paths.remove(id)).collect();
    let mut teams: Vec<String> = s.policy.teams.iter().map(|t| t.name.clone()).collect();
    for c in &s.policy.categories {
        if !teams.contains(&c.team) {
            teams.push(c.team.clone());
        }
    }
    let evenness = teams
        .into_iter()
        .map(|team| {
            let util: Vec<f64> =
                s.routing.utilization(&team).iter().map(|(_, load, cap)| load / cap.max(f64::MIN_POSITIVE)).collect();
            TeamEvenness { strategy: s.policy.team(&team).map(|t| t.strategy), evenness: Evenness::of(&util), team }
        })
        .collect();
    Ok(Json(RoutingReportView { from, to, generated_at: now, truncated, report: routing_report(&paths), evenness }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PredictionReportView {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Per target: how often the model was right where an agent gave the field
    /// a value (overall, when it was sure, when it only suggested), by week,
    /// and the corrections agents made most.
    pub targets: Vec<triage_core::report::TargetAccuracy>,
    /// The models in use on intake now, by target.
    pub models_in_use: Vec<ModelInUse>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModelInUse {
    pub target: String,
    pub model_id: i64,
    pub classes: usize,
    pub threshold: f32,
}

/// Prediction accuracy against agent corrections over time: each label an
/// agent gave (`PATCH /tickets/{id}` setting category, urgency, impact or a
/// predicted custom field) in `[from, to)` checks the prediction it settled (staff).
#[utoipa::path(get, path = "/api/v1/reports/predictions", tag = "reports", params(SlaReportParams),
    responses((status = 200, body = PredictionReportView), (status = 400, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn predictions(
    State(s): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<SlaReportParams>,
) -> ApiResult<Json<PredictionReportView>> {
    caller.require_staff()?;
    let to = q.to.unwrap_or_else(|| s.now() + Duration::milliseconds(1));
    let from = q.from.unwrap_or(to - Duration::days(90));
    let rows: Vec<triage_core::report::LabelOutcome> = s
        .store
        .list_labels(from, to)
        .await?
        .into_iter()
        .map(|l| triage_core::report::LabelOutcome {
            at_ms: l.at.timestamp_millis(),
            target: l.label.target,
            label: l.label.label,
            predicted: l.label.predicted,
            state: l.label.prediction_state,
        })
        .collect();
    let models_in_use = s
        .models
        .intake()
        .models()
        .iter()
        .map(|m| ModelInUse {
            target: m.target.clone(),
            model_id: m.model_id,
            classes: m.classes(),
            threshold: m.threshold,
        })
        .collect();
    Ok(Json(PredictionReportView { from, to, targets: triage_core::report::prediction_report(&rows), models_in_use }))
}
