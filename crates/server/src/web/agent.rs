//! The agent workspace (`/agent`): the queue in priority order, "Take next",
//! and a ticket's page with its priority explanation, thread and reply form.
//! Every action calls the same workflow functions as the API.

use super::layout::{forbidden, not_found, page};
use super::session::{form_allowed, Session};
use crate::api::handoff::HandoffRequest;
use crate::api::tickets::TicketUpdate;
use crate::error::{AppError, FieldError};
use crate::state::AppState;
use crate::workflow::{take_next, update_ticket};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use maud::html;
use serde::Deserialize;
use triage_core::queue::QueueFilter;
use triage_core::sla::ClockPhase;
use triage_core::ticket::{Actor, CommentKind};
use triage_store::TokenRole;

/// How many tickets the queue page shows.
const QUEUE_ROWS: usize = 50;

/// A page for staff only: customers are sent to the portal.
fn staff_only(who: &Session) -> Option<Response> {
    (who.caller.role == TokenRole::Customer).then(|| Redirect::to("/portal").into_response())
}

pub(crate) fn internal(who: &Session, e: AppError) -> Response {
    tracing::warn!(error = ?e, "agent page");
    let body = html! { h1 { "Something went wrong" } p { "Please try again in a moment." } };
    (StatusCode::INTERNAL_SERVER_ERROR, page("Error", Some(who), body)).into_response()
}

/// How long ago, in words a glance reads ("3 h 05 min").
fn waited(from: chrono::DateTime<chrono::Utc>, now: chrono::DateTime<chrono::Utc>) -> String {
    let m = (now - from).num_minutes().max(0);
    match m {
        0..60 => format!("{m} min"),
        60..1440 => format!("{} h {:02} min", m / 60, m % 60),
        _ => format!("{} d {} h", m / 1440, (m % 1440) / 60),
    }
}

/// Within this long of its due time a ticket's SLA shows amber.
const SOON: chrono::Duration = chrono::Duration::hours(1);

/// The next SLA due time as a countdown: red once it passed, amber when near.
fn sla_cell(due: Option<chrono::DateTime<chrono::Utc>>, now: chrono::DateTime<chrono::Utc>) -> maud::Markup {
    match due {
        None => html! { span.muted { "-" } },
        Some(d) if d <= now => html! { span.sla-breached { "overdue " (waited(d, now)) } },
        Some(d) if d - now <= SOON => html! { span.sla-warned { "due in " (waited(now, d)) } },
        Some(d) => html! { span { "due in " (waited(now, d)) } },
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    /// One of the policy's named views.
    pub view: Option<String>,
    /// Only a team's queue.
    pub team: Option<String>,
    /// Words in the subject or body.
    pub q: Option<String>,
    /// `1`: only the table's rows (the page refreshes them by itself).
    pub rows: Option<String>,
    /// How many rows (1-500, default 50).
    pub limit: Option<usize>,
}

/// Most rows the queue page shows when asked for more.
const MOST_ROWS: usize = 500;

/// `GET /agent`: the open tickets in the order `GET /api/v1/queue` gives,
/// narrowed to a view, a team or words; the rows refresh every few seconds.
pub async fn queue(State(s): State<AppState>, who: Session, Query(q): Query<QueueQuery>) -> Response {
    if let Some(r) = staff_only(&who) {
        return r;
    }
    let view = q.view.as_deref().filter(|v| !v.is_empty());
    let team = q.team.as_deref().filter(|t| !t.is_empty());
    let words = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty());
    // A ticket number ("136" or "#136") opens that ticket.
    if let Some(id) = words.and_then(|w| crate::api::parse_id(w.trim_start_matches('#'))) {
        return Redirect::to(&format!("/agent/tickets/{id}")).into_response();
    }
    let rows_wanted = q.limit.unwrap_or(QUEUE_ROWS).clamp(1, MOST_ROWS);
    let mut f = match crate::api::queue::filter(&s, view) {
        Ok(f) => f,
        Err(_) => return not_found(Some(&who)),
    };
    if let Some(team) = team {
        match crate::api::queue::team_queues(&s, team) {
            Ok(qs) => f.queues = Some(qs),
            Err(_) => return not_found(Some(&who)),
        }
    }
    let now = s.now();
    let (mut ranked, _) =
        s.queue.lock().top(now.timestamp_millis(), &f, None, if words.is_some() { 5_000 } else { rows_wanted });
    if let Some(words) = words {
        // The index orders; the store finds the words (its text search).
        let filter = triage_store::TicketFilter { text: Some(words.to_string()), ..Default::default() };
        let found = match s.store.list_tickets(&filter, triage_store::PageRequest { after: None, limit: 5_000 }).await {
            Ok(p) => p.items.into_iter().map(|t| t.id).collect::<std::collections::HashSet<_>>(),
            Err(e) => return internal(&who, e.into()),
        };
        ranked.retain(|r| found.contains(&r.id));
        ranked.truncate(rows_wanted);
    }
    let rows = match queue_rows(&s, &ranked, now).await {
        Ok(r) => r,
        Err(e) => return internal(&who, e),
    };
    // The rows alone, for the page's own refresh.
    let refresh = format!(
        "/agent?rows=1&view={}&team={}&q={}&limit={rows_wanted}",
        enc(view.unwrap_or("")),
        enc(team.unwrap_or("")),
        enc(words.unwrap_or(""))
    );
    let shown = ranked.len();
    let open = s.queue.lock().len();
    let more = format!(
        "/agent?view={}&team={}&q={}&limit={}",
        enc(view.unwrap_or("")),
        enc(team.unwrap_or("")),
        enc(words.unwrap_or("")),
        (rows_wanted * 4).min(MOST_ROWS)
    );
    let tbody = html! {
        tbody #queue-rows hx-get=(refresh) hx-trigger="every 10s" hx-swap="outerHTML" { (rows) }
    };
    if q.rows.as_deref() == Some("1") {
        return Html(tbody.into_string()).into_response();
    }
    let tab = |label: &str, href: String, current: bool| {
        html! { a href=(href) aria-current=[current.then_some("page")] { (label) } }
    };
    let body = html! {
        h1 { "Queue" }
        nav.tabs aria-label="Views" {
            (tab("All open", "/agent".into(), view.is_none() && team.is_none()))
            @for v in &s.policy.views {
                (tab(&v.name, format!("/agent?view={}", enc(&v.name)), view == Some(v.name.as_str())))
            }
            @for t in &s.policy.teams {
                (tab(&format!("team {}", t.name), format!("/agent?team={}", enc(&t.name)), team == Some(t.name.as_str())))
            }
        }
        div.toolbar {
            form #take-next method="post" action="/agent/next" {
                input type="hidden" name="csrf" value=(who.csrf);
                button type="submit" title="Take the most urgent ticket you may take (n)" { "Take next" }
            }
            form role="search" method="get" action="/agent" {
                @if let Some(v) = view { input type="hidden" name="view" value=(v); }
                @if let Some(t) = team { input type="hidden" name="team" value=(t); }
                label.visually-hidden for="q" { "Search the queue" }
                input #q type="search" name="q" value=(words.unwrap_or("")) placeholder="Search subject and body";
                button type="submit" { "Search" }
            }
        }
        p.muted.keys {
            "The " (shown) " most urgent"
            @if words.is_some() { " matching tickets" } @else if view.is_some() || team.is_some() { " here" }
            " of " (open) " open tickets. "
            @if shown == rows_wanted && rows_wanted < MOST_ROWS { a href=(more) { "Show more" } ". " }
            "Keys: j / k move, Enter opens, n takes the next ticket; a ticket number in the search box opens it."
        }
        div.table-wrap { table #queue {
            thead { tr {
                th { "Level" } th.optional { "Score" } th { "SLA" } th { "Subject" } th.optional { "Customer" }
                th.optional { "Category" } th.optional { "Assignee" } th.optional { "Waiting" }
            } }
            (tbody)
        } }
        script src="/assets/triage.js" defer {}
    };
    page("Queue", Some(&who), body).into_response()
}

/// A query-string value, percent-encoded.
fn enc(v: &str) -> String {
    form_urlencoded::byte_serialize(v.as_bytes()).collect()
}

/// The queue table's rows for `ranked` (in that order).
async fn queue_rows(
    s: &AppState,
    ranked: &[triage_core::queue::Ranked],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<maud::Markup, AppError> {
    let ids: Vec<i64> = ranked.iter().map(|r| r.id).collect();
    let mut tickets = s.store.tickets_by_ids(&ids).await?;
    tickets.sort_by_key(|t| ids.iter().position(|id| *id == t.id));
    let score_of = |id: i64| ranked.iter().find(|r| r.id == id).map(|r| r.score).unwrap_or_default();
    let agents = s.store.list_agents(triage_store::PageRequest { after: None, limit: 10_000 }).await?.items;
    let agent_name =
        |id: i64| agents.iter().find(|a| a.id == id).map(|a| a.name.clone()).unwrap_or(format!("agent {id}"));
    // Each organization once (the customer lookup is cached for seconds).
    let mut customers = std::collections::HashMap::new();
    for t in &tickets {
        if let std::collections::hash_map::Entry::Vacant(v) = customers.entry(t.organization_id) {
            v.insert(crate::prioritize::customer(s, t.organization_id).await?);
        }
    }
    Ok(html! {
        @for t in &tickets {
            @let level = t.level().unwrap_or("-");
            @let customer = customers.get(&t.organization_id);
            tr {
                td { span class={ "level level-" (level) } { (level) } }
                td.optional { (format!("{:.1}", score_of(t.id))) }
                td.nowrap { (sla_cell(t.sla_due_at, now)) }
                td { a.open href={ "/agent/tickets/" (t.id) } { "#" (t.id) " " (t.subject) } }
                td.optional {
                    @if let Some(c) = customer {
                        (c.org.name)
                        @if c.org.vip { " " span.badge title="VIP customer" { "VIP" } }
                        @if let Some(p) = &c.plan { br; span.muted { (p.name) " plan" } }
                    }
                }
                td.optional { (t.category.as_deref().unwrap_or("-")) }
                td.optional { (t.assignee_id.map(agent_name).unwrap_or_else(|| "-".into())) }
                td.nowrap.optional { (waited(t.created_at, now)) }
            }
        }
        @if tickets.is_empty() { tr { td colspan="8" { span.muted { "Nothing is waiting here." } } } }
    })
}

#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    pub csrf: Option<String>,
}

/// `POST /agent/next`: takes the most urgent ticket the agent may take (the
/// `queue/next` rule) and opens its page.
pub async fn next(State(s): State<AppState>, who: Session, headers: HeaderMap, Form(f): Form<CsrfOnly>) -> Response {
    if let Some(r) = staff_only(&who) {
        return r;
    }
    if !form_allowed(&headers, Some(&who.csrf), f.csrf.as_deref()) {
        return forbidden(Some(&who));
    }
    match take_next(&s, who.caller.user_id, QueueFilter::default(), None).await {
        Ok(Some(t)) => Redirect::to(&format!("/agent/tickets/{}", t.id)).into_response(),
        Ok(None) => {
            let body = html! { h1 { "Nothing to take" } p { "No unassigned ticket you may take is waiting." } a href="/agent" { "Back to the queue" } };
            page("Nothing to take", Some(&who), body).into_response()
        }
        Err(e) => internal(&who, e),
    }
}

/// `GET /agent/tickets/{id}`: the ticket, why it has its priority, its SLA
/// clocks, the latest hand-off note first, the thread (internal notes
/// marked), the forms to reply, change and escalate, and the event log.
#[derive(Debug, Default, Deserialize)]
pub struct TicketQuery {
    /// What the last form did (`saved`, `handed`, `added`): confirmed on the page.
    pub done: Option<String>,
}

pub async fn ticket(
    State(s): State<AppState>,
    who: Session,
    Path(id): Path<String>,
    Query(q): Query<TicketQuery>,
) -> Response {
    if let Some(r) = staff_only(&who) {
        return r;
    }
    let Some(id) = crate::api::parse_id(&id) else { return not_found(Some(&who)) };
    let notice = match q.done.as_deref() {
        Some("saved") => Some("Saved."),
        Some("handed") => Some("Handed over: the receiving side reads your note first."),
        Some("added") => Some("Added to the thread."),
        _ => None,
    };
    ticket_page(&s, &who, id, StatusCode::OK, &[], notice.map(String::from)).await
}

/// The ticket page, with `errors` from a form that was refused.
async fn ticket_page(
    s: &AppState,
    who: &Session,
    id: i64,
    status: StatusCode,
    errors: &[FieldError],
    notice: Option<String>,
) -> Response {
    let t = match s.store.get_ticket(id).await {
        Ok(t) => t,
        Err(triage_store::StoreError::NotFound) => return not_found(Some(who)),
        Err(e) => return internal(who, e.into()),
    };
    let (thread, events, sla) =
        match (s.store.list_comments(id, true).await, s.store.list_events(id).await, crate::sla::of(s, &t).await) {
            (Ok(c), Ok(e), Ok(sla)) => (c, e, sla),
            (Err(e), _, _) | (_, Err(e), _) => return internal(who, e.into()),
            (_, _, Err(e)) => return internal(who, e),
        };
    let handoff = crate::api::handoff::latest_handoff(&events);
    let people = match People::load(s, &t).await {
        Ok(p) => p,
        Err(e) => return internal(who, e),
    };
    let customer = match crate::prioritize::customer(s, t.organization_id).await {
        Ok(c) => c,
        Err(e) => return internal(who, e),
    };
    // The organization's latest other tickets and how many are unsolved
    // (a few indexed rows, however many tickets it has).
    let (others, open_others) = match (
        s.store.latest_tickets_of(t.organization_id, t.id, OTHERS_SHOWN).await,
        s.store.unsolved_tickets_of(t.organization_id, t.id, OTHERS_COUNTED + 1).await,
    ) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => return internal(who, e.into()),
    };
    let open_others =
        if open_others > OTHERS_COUNTED { format!("More than {OTHERS_COUNTED}") } else { open_others.to_string() };
    let level = t.level().unwrap_or("-").to_string();
    let guideline = s.policy.level(&level).map(|l| l.guideline.clone());
    let tz = match s.store.get_agent(who.caller.user_id).await {
        Ok(a) => a.timezone.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::UTC),
        Err(_) => chrono_tz::UTC,
    };
    let local = |d: chrono::DateTime<chrono::Utc>| d.with_timezone(&tz).format("%a %d %b %H:%M %Z").to_string();
    let p = &s.policy;
    let body = html! {
        h1 { "#" (t.id) " " (t.subject) }
        p {
            span class={ "level level-" (level) } { (level) } " · "
            (t.status.as_str()) " · "
            (t.category.as_deref().unwrap_or("uncategorized"))
            @if let Some(team) = &t.team { " · " (team) }
            @if let Some(tier) = t.tier { " " (tier.as_str()) }
        }
        p.context {
            "From " strong { (people.requester) } " · " (customer.org.name)
            @if customer.org.vip { " " span.badge title="VIP customer" { "VIP" } }
            @if let Some(plan) = &customer.plan { " · " (plan.name) " plan" }
            " · Assignee: " strong { (t.assignee_id.map(|a| people.agent(a)).unwrap_or_else(|| "nobody".into())) }
        }
        @if !errors.is_empty() {
            div.error role="alert" { ul { @for e in errors { li { (e.field) ": " (e.message) } } } }
        }
        @if let Some(n) = notice { p.notice role="status" { (n) } }
        div.ticket-grid {
            div.ticket-main {
        @if let Some(h) = &handoff {
            section.card aria-label="Hand-off note" {
                h2 { "Hand-off note from " (people.named(&h.by)) }
                p { strong { "Tried: " } (h.what_was_tried) }
                p { strong { "Needed: " } (h.what_is_needed) }
            }
        }
        div.message { div.meta { "Request, " (local(t.created_at)) } (t.body) }
        @for c in &thread {
            @let internal_note = c.kind == CommentKind::Internal;
            div.message.support[!matches!(c.author, Actor::Contact(_))].internal[internal_note] {
                div.meta {
                    (people.actor(c.author)) ", " (local(c.created_at))
                    @if internal_note { " · " strong { "internal note" } }
                }
                (c.body)
            }
        }
        form.card method="post" action={ "/agent/tickets/" (t.id) "/replies" } {
            input type="hidden" name="csrf" value=(who.csrf);
            label for="reply" { "Reply or note" }
            textarea #reply name="body" required {}
            label for="kind" { "Who sees it" }
            select #kind name="kind" {
                option value="public" { "The customer (public reply)" }
                option value="internal" { "Staff only (internal note)" }
            }
            button type="submit" { "Add" }
        }
            }
            div.ticket-side {
        section.card aria-label="Customer" {
            h2 { "Customer" }
            p {
                strong { (customer.org.name) }
                @if customer.org.vip { " " span.badge title="VIP customer" { "VIP" } }
                br;
                (customer.org.account_type) " account · " (customer.org.customer_category) " customer"
                @if let Some(persona) = &customer.org.persona { " · " (persona) }
                @if let Some(plan) = &customer.plan { br; (plan.name) " plan (SLA " (plan.sla_policy) ")" }
            }
            p { (open_others) " other open tickets." }
            @if !others.is_empty() {
                p.muted { "Latest:" }
                ul {
                    @for o in &others {
                        li { a href={ "/agent/tickets/" (o.id) } { "#" (o.id) " " (o.subject) } " · " (o.status.as_str()) }
                    }
                }
            }
        }
        @if let Some(g) = guideline { p.muted { (g) } }
        @if let Some(e) = t.explanation() {
            section.card aria-label="Why this priority" {
                h2 { "Why this priority" }
                @if let Some(d) = &e.level { p { (d.reason) } }
                @let most = e.contributions.iter().map(|c| c.contribution.abs()).fold(1.0_f64, f64::max);
                table.bars {
                    @for c in &e.contributions {
                        tr {
                            th scope="row" { (c.strategy) }
                            td.nowrap { (format!("{:+.1}", c.contribution)) }
                            td { span.bar style={ "width:" (format!("{:.0}", 100.0 * c.contribution.abs() / most)) "%" } {} }
                            td { (c.reason) }
                        }
                    }
                }
            }
        }
        @if let Some(sla) = &sla {
            section.card aria-label="Service level" {
                h2 { "Service level" }
                @if let Some(pr) = &sla.promise { p { "Told the customer: " (pr) } }
                ul {
                    @for (name, c) in [("First response", &sla.first_response), ("Next reply", &sla.next_reply),
                                       ("Resolution", &sla.resolution), ("Periodic update", &sla.periodic_update)] {
                        @if let Some(c) = c {
                            li class={ "clock-" (format!("{:?}", c.state).to_lowercase()) } {
                                strong { (name) } ": " (format!("{:?}", c.state).to_lowercase())
                                @if c.warning && c.state == ClockPhase::Running { " (at risk)" }
                                ", due " (local(c.due))
                            }
                        }
                    }
                }
            }
        }
        form.card method="post" action={ "/agent/tickets/" (t.id) "/changes" } {
            h2 { "Change" }
            input type="hidden" name="csrf" value=(who.csrf);
            (choice("status", "Status", t.status.as_str(), &t.status.successors().iter().map(|x| x.as_str().to_string()).collect::<Vec<_>>()))
            (choice("category", "Category (a correction teaches the model)", t.category.as_deref().unwrap_or(""), &p.categories.iter().map(|c| c.name.clone()).collect::<Vec<_>>()))
            (choice("impact", "Impact", t.impact.as_deref().unwrap_or(""), &p.matrix.impact))
            (choice("urgency", "Urgency", t.urgency.as_deref().unwrap_or(""), &p.matrix.urgency))
            label for="assignee" { "Assignee" }
            select #assignee name="assignee" {
                option value="" { "(leave as it is: " (t.assignee_id.map(|a| people.agent(a)).unwrap_or_else(|| "nobody".into())) ")" }
                option value="me" { "Me" }
                option value="none" { "Nobody (back to the queue)" }
                @for a in people.agents.iter().filter(|a| a.active) { option value=(a.id) { (a.name) " (" (a.team) " " (a.tier.as_str()) ")" } }
            }
            (choice("priority", "Set the level by hand", "", &p.levels.iter().map(|l| l.name.clone()).collect::<Vec<_>>()))
            label for="priority_reason" { "Why (required with a level set by hand)" }
            input #priority_reason type="text" name="priority_reason";
            button type="submit" { "Save changes" }
        }
        form.card method="post" action={ "/agent/tickets/" (t.id) "/escalations" } {
            h2 { "Escalate or hand back" }
            input type="hidden" name="csrf" value=(who.csrf);
            label for="to" { "To" }
            select #to name="to" {
                option value="next_tier" { "The next tier" }
                option value="previous_tier" { "Back to the previous tier" }
                @for team in &p.teams { option value={ "team:" (team.name) } { "Team " (team.name) } }
            }
            label for="what_was_tried" { "What was tried" }
            textarea #what_was_tried name="what_was_tried" required {}
            label for="what_is_needed" { "What is needed" }
            textarea #what_is_needed name="what_is_needed" required {}
            button type="submit" { "Hand over" }
        }
        details.card {
            summary { "Event log (" (events.len()) ")" }
            ol {
                @for e in &events {
                    li { (local(e.at)) " · " (people.actor(e.actor)) " · " (e.kind.as_str())
                        @if let Some(r) = &e.reason { " — " (r) } }
                }
            }
        }
            }
        }
    };
    (status, page(&format!("#{}", t.id), Some(who), body)).into_response()
}

/// The customer's latest other tickets a ticket page lists.
const OTHERS_SHOWN: i64 = 8;
/// Up to how many of their other unsolved tickets a ticket page counts.
const OTHERS_COUNTED: i64 = 99;

/// Names for the people a ticket page mentions.
struct People {
    agents: Vec<triage_core::agent::Agent>,
    requester: String,
    requester_id: i64,
}

impl People {
    async fn load(s: &AppState, t: &triage_core::ticket::Ticket) -> Result<People, AppError> {
        let agents = s.store.list_agents(triage_store::PageRequest { after: None, limit: 10_000 }).await?.items;
        let requester = match s.contacts.by_id(&s.store, t.requester_id).await {
            Ok(c) => format!("{} <{}>", c.name, c.email.as_str()),
            Err(_) => format!("contact {}", t.requester_id),
        };
        Ok(People { agents, requester, requester_id: t.requester_id })
    }

    fn agent(&self, id: i64) -> String {
        self.agents.iter().find(|a| a.id == id).map(|a| a.name.clone()).unwrap_or_else(|| format!("agent {id}"))
    }

    fn actor(&self, a: Actor) -> String {
        match a {
            Actor::Agent(id) => self.agent(id),
            Actor::Contact(id) if id == self.requester_id => format!("{} (customer)", self.requester),
            Actor::Contact(id) => format!("contact {id}"),
            _ => "Triage".into(),
        }
    }

    /// An actor written as text (`agent:3`), by name.
    fn named(&self, text: &str) -> String {
        text.parse::<Actor>().map(|a| self.actor(a)).unwrap_or_else(|_| text.to_string())
    }
}

/// A labelled select of `options` with `current` chosen; the empty first
/// option leaves the field as it is.
fn choice(name: &str, label: &str, current: &str, options: &[String]) -> maud::Markup {
    html! {
        label for=(name) { (label) }
        select id=(name) name=(name) {
            option value="" { "(leave as it is" @if !current.is_empty() { ": " (current) } ")" }
            @for o in options { option value=(o) { (o) } }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub impact: String,
    #[serde(default)]
    pub urgency: String,
    #[serde(default)]
    pub priority: String,
    #[serde(default)]
    pub priority_reason: String,
    /// `me`, `none` or an agent's id; empty leaves it.
    #[serde(default)]
    pub assignee: String,
    pub csrf: Option<String>,
}

/// `POST /agent/tickets/{id}/changes`: the fields chosen, checked like
/// `PATCH /api/v1/tickets/{id}`, through `workflow::update_ticket`.
pub async fn change(
    State(s): State<AppState>,
    who: Session,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<ChangeForm>,
) -> Response {
    if let Some(r) = staff_only(&who) {
        return r;
    }
    let id = match super::forms::ticket_form(&who, &headers, f.csrf.as_deref(), &id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let set = |v: &str| (!v.is_empty()).then(|| Some(v.to_string()));
    let status = match f.status.as_str() {
        "" => None,
        x => match x.parse() {
            Ok(st) => Some(st),
            Err(e) => {
                let err = FieldError { field: "status".into(), message: e };
                return ticket_page(&s, &who, id, StatusCode::UNPROCESSABLE_ENTITY, &[err], None).await;
            }
        },
    };
    let assignee_id = match f.assignee.as_str() {
        "" => None,
        "me" => Some(Some(who.caller.user_id)),
        "none" => Some(None),
        x => match crate::api::parse_id(x) {
            Some(a) => Some(Some(a)),
            None => {
                let err = FieldError { field: "assignee".into(), message: "choose an agent, me or nobody".into() };
                return ticket_page(&s, &who, id, StatusCode::UNPROCESSABLE_ENTITY, &[err], None).await;
            }
        },
    };
    let req = TicketUpdate {
        assignee_id,
        category: set(&f.category),
        impact: set(&f.impact),
        urgency: set(&f.urgency),
        priority: set(&f.priority),
        priority_reason: (!f.priority_reason.is_empty()).then(|| f.priority_reason.clone()),
        status,
        ..Default::default()
    };
    let outcome = async {
        let current = crate::api::tickets::load_visible(&s, &who.caller, id).await?;
        let change = crate::api::tickets::checked_update(&s, &who.caller, &current, req).await?;
        update_ticket(&s, who.caller.actor(), &current, change).await
    }
    .await;
    after_action(&s, &who, id, outcome.map(|_| ()), "saved").await
}

#[derive(Debug, Deserialize)]
pub struct EscalateForm {
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub what_was_tried: String,
    #[serde(default)]
    pub what_is_needed: String,
    pub csrf: Option<String>,
}

/// `POST /agent/tickets/{id}/escalations`: a hand-off with its note, checked
/// like `POST /api/v1/tickets/{id}/escalate`, through `workflow::escalate`.
pub async fn escalate(
    State(s): State<AppState>,
    who: Session,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<EscalateForm>,
) -> Response {
    if let Some(r) = staff_only(&who) {
        return r;
    }
    let id = match super::forms::ticket_form(&who, &headers, f.csrf.as_deref(), &id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let req = HandoffRequest { to: f.to, what_was_tried: f.what_was_tried, what_is_needed: f.what_is_needed };
    let outcome = async {
        let current = crate::api::tickets::load_visible(&s, &who.caller, id).await?;
        let (to, tried, needed) = crate::api::handoff::checked(&s, &req)?;
        crate::workflow::escalate(&s, who.caller.actor(), &current, &to, &tried, &needed).await
    }
    .await;
    after_action(&s, &who, id, outcome.map(|_| ()), "handed").await
}

/// After a form: the ticket again (a redirect, so a reload does not post
/// twice), or the page with what was refused.
async fn after_action(s: &AppState, who: &Session, id: i64, outcome: Result<(), AppError>, done: &str) -> Response {
    match outcome {
        Ok(()) => Redirect::to(&format!("/agent/tickets/{id}?done={done}")).into_response(),
        Err(AppError::NotFound) => not_found(Some(who)),
        Err(AppError::Invalid(errors)) => {
            ticket_page(s, who, id, StatusCode::UNPROCESSABLE_ENTITY, &errors, None).await
        }
        Err(AppError::Refused(errors)) => ticket_page(s, who, id, StatusCode::CONFLICT, &errors, None).await,
        Err(AppError::Conflict(m)) => {
            let err = FieldError { field: "ticket".into(), message: m };
            ticket_page(s, who, id, StatusCode::CONFLICT, &[err], None).await
        }
        Err(e) => internal(who, e),
    }
}

#[derive(Debug, Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    pub body: String,
    pub kind: Option<CommentKind>,
    pub csrf: Option<String>,
}

/// `POST /agent/tickets/{id}/replies`: a public reply or an internal note.
pub async fn reply(
    State(s): State<AppState>,
    who: Session,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<ReplyForm>,
) -> Response {
    if let Some(r) = staff_only(&who) {
        return r;
    }
    let id = match super::forms::ticket_form(&who, &headers, f.csrf.as_deref(), &id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let kind = f.kind.unwrap_or(CommentKind::Public);
    super::forms::post_message(&s, &who, id, kind, &f.body, format!("/agent/tickets/{id}?done=added"), "Not added")
        .await
}
