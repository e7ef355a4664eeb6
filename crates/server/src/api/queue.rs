//! The work queue: `GET /api/v1/queue` (optionally a named view) and
//! `POST /api/v1/queue/next`, which hands the caller the most urgent ticket and
//! assigns it, never the same ticket to two agents.

use super::tickets::{view, TicketView};
use super::ListEnvelope;
use crate::auth::Caller;
use crate::error::{ApiResult, AppError};
use crate::extract::ApiQuery;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use triage_core::agent::Tier;
use triage_core::queue::{QueueCursor, QueueFilter};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct QueueParams {
    /// A named view from the policy (`GET /api/v1/policy` lists them).
    pub view: Option<String>,
    /// Only a team's queue: its categories and what was escalated to it.
    pub team: Option<String>,
    pub cursor: Option<String>,
    /// 1-200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// Where to take the next ticket from.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NextParams {
    /// A named view from the policy (`GET /api/v1/policy` lists them).
    pub view: Option<String>,
    /// Only a team's queue: its categories and what was escalated to it.
    pub team: Option<String>,
}

pub(crate) fn filter(s: &AppState, view: Option<&str>) -> ApiResult<QueueFilter> {
    let Some(name) = view else { return Ok(QueueFilter::default()) };
    let v = s.policy.view(name).ok_or_else(|| {
        let names: Vec<&str> = s.policy.views.iter().map(|v| v.name.as_str()).collect();
        AppError::BadRequest {
            field: Some("view".into()),
            detail: format!("no view `{name}`; the policy has: {}", names.join(", ")),
        }
    })?;
    // A view's categories select tickets wherever they sit: escalated to
    // another team or tier, a security ticket is still in the security view.
    Ok(QueueFilter {
        categories: v.categories.clone(),
        queues: None,
        levels: v.levels.clone(),
        tag: v.tag.clone(),
        unassigned: v.unassigned,
        uncategorized: false,
    })
}

/// A team's queues: the categories it owns and what was escalated to it.
pub(crate) fn team_queues(s: &AppState, team: &str) -> ApiResult<Vec<String>> {
    let mut out: Vec<String> = s.policy.categories.iter().filter(|c| c.team == team).map(|c| c.name.clone()).collect();
    if out.is_empty() && s.policy.team(team).is_none() {
        let names = s.policy.team_names().join(", ");
        let detail = match team {
            "" => format!("`team` is empty; leave it out, or name one of: {names}"),
            _ => format!("no team `{team}`; the policy has: {names}"),
        };
        return Err(AppError::BadRequest { field: Some("team".into()), detail });
    }
    for tier in [Tier::L1, Tier::L2, Tier::L3] {
        out.push(triage_core::queue::escalated_queue(team, tier));
    }
    Ok(out)
}

/// The queue pages by score, then id: a cursor is `score:id` of the last
/// ticket shown. Any value of that shape is a position ([`QUEUE_CURSOR_PATTERN`]).
fn encode(c: QueueCursor) -> String {
    format!("{}:{}", c.score, c.id)
}

pub(crate) const QUEUE_CURSOR_PATTERN: &str = r"^-?[0-9]{1,20}(\.[0-9]{1,40})?:[0-9]{1,18}$";

fn decode(raw: &str) -> ApiResult<QueueCursor> {
    let bad = || AppError::BadRequest {
        field: Some("cursor".into()),
        detail: "a cursor is the `next_cursor` of a previous page (score:id)".into(),
    };
    let digits = |s: &str, max: usize| (1..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    let (score, id) = triage_core::text::without_final_newline(raw).split_once(':').ok_or_else(bad)?;
    let unsigned = score.strip_prefix('-').unwrap_or(score);
    let (whole, frac) = unsigned.split_once('.').unwrap_or((unsigned, "0"));
    if !(digits(whole, 20) && digits(frac, 40) && digits(id, 18)) {
        return Err(bad());
    }
    Ok(QueueCursor { score: score.parse().map_err(|_| bad())?, id: id.parse().map_err(|_| bad())? })
}

/// Open tickets (new and open) in priority order at this moment, most urgent
/// first by score (waiting time and nearing SLA targets included), each with
/// its level and its score now (staff).
#[utoipa::path(get, path = "/api/v1/queue", tag = "tickets", params(QueueParams),
    responses((status = 200, body = ListEnvelope<TicketView>), (status = 400, body = crate::error::Problem)))]
pub async fn list(
    State(s): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<QueueParams>,
) -> ApiResult<Json<ListEnvelope<TicketView>>> {
    caller.require_staff()?;
    let mut f = filter(&s, q.view.as_deref())?;
    if let Some(team) = &q.team {
        f.queues = Some(team_queues(&s, team)?);
    }
    let limit = super::page_request(&None, q.limit)?.limit;
    let cursor = q.cursor.as_deref().map(decode).transpose()?;
    let now = s.now().timestamp_millis();
    let (ranked, next) = s.queue.lock().top(now, &f, cursor, limit as usize);
    let ids: Vec<i64> = ranked.iter().map(|r| r.id).collect();
    let mut tickets = s.store.tickets_by_ids(&ids).await?;
    tickets.sort_by_key(|t| ids.iter().position(|id| *id == t.id));
    // The index orders; each item shows its stored level and the score its
    // explanation adds up to now, as `GET /tickets/{id}` does.
    let items = tickets
        .into_iter()
        .map(|t| {
            let v = view(&s, &caller, t);
            TicketView { score: v.ticket.score(), level: v.ticket.level().map(String::from), ..v }
        })
        .collect();
    Ok(Json(ListEnvelope { items, next_cursor: next.map(encode) }))
}

/// Take the next ticket: the most urgent unassigned one the caller is qualified
/// for (a category of their team, needing only skills they hold, at their tier
/// or below; tickets without a category too), in the view if one is named;
/// assigned to the caller and opened. 204 when there is none.
#[utoipa::path(post, path = "/api/v1/queue/next", tag = "tickets", params(NextParams),
    responses((status = 200, body = TicketView), (status = 204, description = "nothing to take")))]
pub async fn next(State(s): State<AppState>, caller: Caller, ApiQuery(q): ApiQuery<NextParams>) -> ApiResult<Response> {
    caller.require_staff()?;
    let f = filter(&s, q.view.as_deref())?;
    let team = q.team.as_deref().map(|t| team_queues(&s, t)).transpose()?;
    match crate::workflow::take_next(&s, caller.user_id, f, team).await? {
        Some(t) => {
            let handoff = super::handoff::latest_handoff(&s.store.list_events(t.id).await?);
            Ok(Json(TicketView { handoff, ..view(&s, &caller, t) }).into_response())
        }
        None => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}
