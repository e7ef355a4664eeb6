//! The needs-triage page (`/agent/triage`): open tickets whose predictions
//! were not sure enough to set a field, oldest first, each with what the
//! model suggests, how sure it is and the words that drove it, and one click
//! to confirm the suggestion or pick another value (a label for the next
//! training, through `workflow::update_ticket` as `PATCH` does).

use super::layout::page;
use super::session::Session;
use crate::api::tickets::TicketUpdate;
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::html;
use serde::Deserialize;
use triage_core::ticket::PredictionState;
use triage_store::{PageRequest, TokenRole};

/// How many tickets the page shows.
const ROWS: i64 = 50;

/// `GET /agent/triage`.
pub async fn list(State(s): State<AppState>, who: Session) -> Response {
    if who.caller.role == TokenRole::Customer {
        return Redirect::to("/portal").into_response();
    }
    let found = match s.store.needs_triage(PageRequest { after: None, limit: ROWS }).await {
        Ok(p) => p.items,
        Err(e) => return super::agent::internal(&who, e.into()),
    };
    let p = &s.policy;
    let values = |field: &str| -> Vec<String> {
        match field {
            "category" => p.categories.iter().map(|c| c.name.clone()).collect(),
            "impact" => p.matrix.impact.clone(),
            "urgency" => p.matrix.urgency.clone(),
            _ => Vec::new(),
        }
    };
    let body = html! {
        h1 { "Needs triage" }
        p.muted { "The models were not sure enough to set these fields. Confirm the suggestion or choose the right value: each answer teaches the next training." }
        @if found.is_empty() { p { "Nothing needs triage." } }
        @for t in &found {
            section.card aria-label={ "Ticket " (t.id) } {
                h2 { a href={ "/agent/tickets/" (t.id) } { "#" (t.id) " " (t.subject) } }
                p.muted { (t.body.chars().take(240).collect::<String>()) }
                @for (field, pr) in t.predictions.iter().filter(|(_, pr)| pr.state == PredictionState::Suggested) {
                    form.triage method="post" action={ "/agent/triage/" (t.id) } {
                        input type="hidden" name="csrf" value=(who.csrf);
                        input type="hidden" name="field" value=(field);
                        p {
                            strong { (field) } ": the model suggests " strong { (pr.value) }
                            " (" (format!("{:.0}", pr.confidence * 100.0)) "% sure, needs "
                            (format!("{:.0}", pr.threshold * 100.0)) "%)"
                            @if !pr.drivers.is_empty() {
                                ", from the words "
                                @for (i, d) in pr.drivers.iter().take(4).enumerate() {
                                    @if i > 0 { ", " } q { (d.phrase) }
                                }
                            }
                        }
                        button type="submit" name="value" value=(pr.value) { "Confirm " (pr.value) }
                        " "
                        label.visually-hidden for={ "other-" (t.id) "-" (field) } { "Another " (field) }
                        select id={ "other-" (t.id) "-" (field) } name="other" {
                            option value="" { "or choose another…" }
                            @for v in values(field) { @if v != pr.value { option value=(v) { (v) } } }
                        }
                        button type="submit" name="value" value="" { "Set chosen" }
                    }
                }
            }
        }
    };
    page("Needs triage", Some(&who), body).into_response()
}

#[derive(Debug, Deserialize)]
pub struct Answer {
    pub field: String,
    /// The confirmed suggestion; empty when `other` carries the choice.
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub other: String,
    pub csrf: Option<String>,
}

/// `POST /agent/triage/{id}`: sets the field (confirming or correcting the
/// prediction), then the page again.
pub async fn answer(
    State(s): State<AppState>,
    who: Session,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<Answer>,
) -> Response {
    if who.caller.role == TokenRole::Customer {
        return Redirect::to("/portal").into_response();
    }
    let id = match super::forms::ticket_form(&who, &headers, f.csrf.as_deref(), &id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let value = if f.value.is_empty() { f.other.clone() } else { f.value.clone() };
    let set = Some(Some(value.clone()));
    let mut req = TicketUpdate::default();
    match f.field.as_str() {
        "category" => req.category = set,
        "impact" => req.impact = set,
        "urgency" => req.urgency = set,
        other => {
            let mut cf = std::collections::BTreeMap::new();
            cf.insert(other.to_string(), serde_json::Value::String(value.clone()));
            req.custom_fields = Some(cf);
        }
    }
    let outcome = async {
        if value.is_empty() {
            return Err(AppError::invalid(f.field.clone(), "choose a value, or confirm the suggestion"));
        }
        let current = crate::api::tickets::load_visible(&s, &who.caller, id).await?;
        let change = crate::api::tickets::checked_update(&s, &who.caller, &current, req).await?;
        crate::workflow::update_ticket(&s, who.caller.actor(), &current, change).await
    }
    .await;
    match outcome {
        Ok(_) => Redirect::to("/agent/triage").into_response(),
        Err(AppError::Invalid(errors)) | Err(AppError::Refused(errors)) => {
            let body = html! {
                h1 { "Not set" }
                ul.error { @for e in &errors { li { (e.field) ": " (e.message) } } }
                a href="/agent/triage" { "Back to triage" }
            };
            (StatusCode::UNPROCESSABLE_ENTITY, page("Not set", Some(&who), body)).into_response()
        }
        Err(AppError::NotFound) => super::layout::not_found(Some(&who)),
        Err(e) => super::agent::internal(&who, e),
    }
}
