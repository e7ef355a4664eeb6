//! What the categorization models said about a ticket on intake, per field, and
//! what became of it.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A field's prediction (`category`, `urgency`, `impact`, a custom field).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FieldPrediction {
    /// The policy value predicted.
    pub value: String,
    /// Calibrated probability that it is right (0-1).
    pub confidence: f32,
    /// The words and phrases that pushed towards it, strongest first, with their weight.
    pub drivers: Vec<Driver>,
    /// The runner-up, for the agent who decides.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runner_up: Option<(String, f32)>,
    /// The model (its id in `triage models list`).
    pub model_id: i64,
    /// The confidence it needed to set the field by itself.
    pub threshold: f32,
    pub state: PredictionState,
    /// The share of the ticket's words the model knew from its training (0-1):
    /// its own judgement counts that much, the classes' base rates the rest
    /// (absent on predictions made before it was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_words: Option<f32>,
}

/// A phrase that drove a prediction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Driver {
    pub phrase: String,
    pub weight: f32,
}

/// What became of a prediction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PredictionState {
    /// Confident: it set the field, and no person has touched the field since.
    Applied,
    /// Below the threshold: offered to a person (the ticket needs triage).
    Suggested,
    /// The field was set by a person before the model spoke; kept for the record.
    Given,
    /// A person set the field to the predicted value.
    Confirmed,
    /// A person set the field to another value.
    Corrected,
}

impl PredictionState {
    pub fn as_str(self) -> &'static str {
        match self {
            PredictionState::Applied => "applied",
            PredictionState::Suggested => "suggested",
            PredictionState::Given => "given",
            PredictionState::Confirmed => "confirmed",
            PredictionState::Corrected => "corrected",
        }
    }
}

/// A ticket's predictions by field.
pub type Predictions = BTreeMap<String, FieldPrediction>;

/// Whether some prediction waits for a person to decide.
pub fn needs_triage(p: &Predictions) -> bool {
    p.values().any(|f| f.state == PredictionState::Suggested)
}

/// The field's value when a model set it and nobody has changed it since (its
/// value is then the model's, not a person's: not a training label).
pub fn applied<'a>(p: &'a Predictions, field: &str) -> Option<&'a str> {
    p.get(field).filter(|f| f.state == PredictionState::Applied).map(|f| f.value.as_str())
}

/// A person set `field` to `value`: the prediction is confirmed or corrected.
/// Returns the prediction it settled (value and confidence before), if one was open.
pub fn settle(p: &mut Predictions, field: &str, value: Option<&str>) -> Option<(FieldPrediction, PredictionState)> {
    let f = p.get_mut(field)?;
    let before = f.clone();
    f.state = if value == Some(f.value.as_str()) { PredictionState::Confirmed } else { PredictionState::Corrected };
    Some((before, f.state))
}

/// Fills the fields nobody set with the confident (`applied`) predictions.
pub fn fill(
    p: &Predictions,
    category: &mut Option<String>,
    impact: &mut Option<String>,
    urgency: &mut Option<String>,
    custom: &mut super::CustomFields,
) {
    for (field, f) in p {
        if f.state != PredictionState::Applied {
            continue;
        }
        let v = Some(f.value.clone());
        match field.as_str() {
            "category" => *category = v,
            "impact" => *impact = v,
            "urgency" => *urgency = v,
            other => {
                custom.insert(other.to_string(), serde_json::Value::String(f.value.clone()));
            }
        }
    }
}
