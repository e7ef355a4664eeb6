//! Categorization on intake: the active models (shared by every process through
//! the database, reloaded when one is trained or activated) predict a new
//! ticket's fields; a confident prediction fills a field nobody set, a doubtful
//! one waits for a person in the needs-triage view. An agent setting a
//! predicted field confirms or corrects it, recorded as a label.

use crate::state::AppState;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use triage_core::classify::Intake;
use triage_core::ticket::{settle, PredictionState, Ticket};
use triage_store::{NewEvent, NewLabel, StoreError};

/// The models in use, swapped whole when they change.
#[derive(Clone, Default)]
pub struct Models {
    current: Arc<RwLock<(Vec<i64>, Arc<Intake>)>>,
}

impl Models {
    pub fn intake(&self) -> Arc<Intake> {
        self.current.read().map(|c| c.1.clone()).unwrap_or_default()
    }
}

/// Loads the active models (when they changed since the last load). Returns
/// how many are in use.
pub async fn reload(s: &AppState) -> Result<usize, StoreError> {
    let ids = s.store.active_model_ids().await?;
    if s.models.current.read().map(|c| c.0 == ids).unwrap_or(false) {
        return Ok(s.models.intake().models().len());
    }
    let (intake, skipped) = s.store.intake_models(&s.policy).await?;
    for (target, id, why) in &skipped {
        tracing::warn!(target = %target, model = id, "model not used on intake: {why}");
    }
    let n = intake.models().len();
    for m in intake.models() {
        tracing::info!(target = %m.target, model = m.model_id, classes = m.classes(), "model in use on intake");
    }
    if let Ok(mut c) = s.models.current.write() {
        *c = (ids, Arc::new(intake));
    }
    Ok(n)
}

const RELOAD_EVERY: Duration = Duration::from_secs(10);

/// Picks up models trained or activated by other processes (`triage train`).
pub(crate) async fn follow(s: AppState) {
    loop {
        tokio::time::sleep(RELOAD_EVERY).await;
        if let Err(e) = reload(&s).await {
            tracing::warn!(error = %e, "cannot reload the categorization models");
        }
    }
}

pub(crate) use triage_core::intake::ai_urgency;

/// The value of a predictable field on a ticket.
fn field_value(t: &Ticket, field: &str) -> Option<String> {
    match field {
        "category" => t.category.clone(),
        "impact" => t.impact.clone(),
        "urgency" => t.urgency.clone(),
        other => t.custom_fields.get(other).and_then(|v| v.as_str()).map(str::to_string),
    }
}

/// After an agent's change (`before` → `after`): every predictable field they
/// set (category, impact, urgency, an enum custom field) becomes a label (a
/// `labelled` event; the store files it for the next training and the accuracy
/// report), and the prediction it settles is marked confirmed or corrected.
pub(crate) fn labels_for(s: &AppState, before: &Ticket, after: &mut Ticket, set: &[&str]) -> Vec<NewEvent> {
    let mut out = Vec::new();
    for field in set {
        if s.policy.predictable_values(field).is_none() {
            continue;
        }
        let (old, new) = (field_value(before, field), field_value(after, field));
        let settled = settle(&mut after.predictions, field, new.as_deref());
        let label = NewLabel {
            target: field.to_string(),
            label: new,
            previous: old,
            predicted: settled.as_ref().map(|(p, _)| p.value.clone()),
            confidence: settled.as_ref().map(|(p, _)| f64::from(p.confidence)),
            model_id: settled.as_ref().map(|(p, _)| p.model_id),
            prediction_state: settled.as_ref().map(|(p, _)| p.state.as_str().to_string()),
        };
        let why = match &settled {
            Some((p, PredictionState::Confirmed)) => format!("confirms the predicted {field} `{}`", p.value),
            Some((p, _)) => format!("corrects the predicted {field} `{}` ({:.0}% sure)", p.value, p.confidence * 100.0),
            None => format!("sets {field} (no prediction)"),
        };
        out.push(NewEvent { data: triage_core::ticket::EventData::Labelled(label), reason: Some(why) });
    }
    out
}
