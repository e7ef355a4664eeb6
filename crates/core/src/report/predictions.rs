//! How the categorization models fare against the people who check them: every
//! label an agent gave to a predicted field says whether the model was right.

use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A label an agent gave, with what the model had said.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelOutcome {
    pub target: String,
    pub at_ms: i64,
    pub label: Option<String>,
    pub predicted: Option<String>,
    /// The prediction's state when the agent spoke (`applied`, `suggested`, `given`).
    pub state: Option<String>,
}

/// Right out of checked.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct Agreement {
    /// Labels given to a predicted field.
    pub checked: usize,
    /// Of those, the model had it right.
    pub agreed: usize,
    /// `agreed / checked` (absent with nothing checked).
    pub accuracy: Option<f64>,
}

impl Agreement {
    fn add(&mut self, right: bool) {
        self.checked += 1;
        self.agreed += usize::from(right);
        self.accuracy = Some(self.agreed as f64 / self.checked as f64);
    }
}

/// One target's record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct TargetAccuracy {
    pub target: String,
    /// Labels given, with or without a prediction.
    pub labels: usize,
    /// All checked predictions.
    pub overall: Agreement,
    /// Those the model was sure of (it set the field).
    pub applied: Agreement,
    /// Those it only suggested (below the threshold).
    pub suggested: Agreement,
    /// Per week (Monday 00:00 UTC), oldest first.
    pub weekly: Vec<WeekAccuracy>,
    /// What agents changed it to most: (predicted, label, times).
    pub corrections: Vec<(String, String, usize)>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct WeekAccuracy {
    /// The week's Monday, as a date (YYYY-MM-DD).
    pub week: String,
    #[serde(flatten)]
    pub agreement: Agreement,
}

const WEEK_MS: i64 = 7 * 86_400_000;
/// 1970-01-01 was a Thursday: weeks start 3 days before it, on a Monday.
const MONDAY_OFFSET_MS: i64 = 3 * 86_400_000;

/// Accuracy per target (sorted by name), overall, by confidence and by week.
/// A label given where the person had set the field before the model spoke
/// (`given`) still says whether the model would have been right.
pub fn prediction_report(rows: &[LabelOutcome]) -> Vec<TargetAccuracy> {
    /// A target's tallies: overall, per week (by its Monday), corrections.
    type Tally = (TargetAccuracy, BTreeMap<i64, Agreement>, BTreeMap<(String, String), usize>);
    let mut by: BTreeMap<&str, Tally> = BTreeMap::new();
    for r in rows {
        let (t, weeks, fixes) = by.entry(&r.target).or_default();
        t.target = r.target.clone();
        t.labels += 1;
        let Some(predicted) = &r.predicted else { continue };
        let right = r.label.as_ref() == Some(predicted);
        t.overall.add(right);
        match r.state.as_deref() {
            Some("applied") => t.applied.add(right),
            Some("suggested") => t.suggested.add(right),
            _ => {}
        }
        let week = (r.at_ms + MONDAY_OFFSET_MS).div_euclid(WEEK_MS) * WEEK_MS - MONDAY_OFFSET_MS;
        weeks.entry(week).or_default().add(right);
        if !right {
            *fixes.entry((predicted.clone(), r.label.clone().unwrap_or_else(|| "(cleared)".into()))).or_default() += 1;
        }
    }
    by.into_values()
        .map(|(mut t, weeks, fixes)| {
            t.weekly = weeks
                .into_iter()
                .map(|(ms, agreement)| WeekAccuracy {
                    week: chrono::DateTime::from_timestamp_millis(ms)
                        .map(|d| d.format("%Y-%m-%d").to_string())
                        .unwrap_or_default(),
                    agreement,
                })
                .collect();
            let mut fixes: Vec<(String, String, usize)> = fixes.into_iter().map(|((p, l), n)| (p, l, n)).collect();
            fixes.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
            fixes.truncate(10);
            t.corrections = fixes;
            t
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(target: &str, day: i64, label: &str, predicted: Option<&str>, state: &str) -> LabelOutcome {
        LabelOutcome {
            target: target.into(),
            // 2026-11-02 was a Monday.
            at_ms: chrono::DateTime::parse_from_rfc3339("2026-11-02T10:00:00Z").unwrap().timestamp_millis()
                + day * 86_400_000,
            label: Some(label.into()),
            predicted: predicted.map(Into::into),
            state: Some(state.into()),
        }
    }

    #[test]
    fn counts_agreement_by_confidence_and_week() {
        let rows = [
            row("category", 0, "cards", Some("cards"), "applied"),
            row("category", 1, "cards", Some("transfers"), "suggested"),
            row("category", 6, "cash", Some("cash"), "suggested"),
            row("category", 7, "cards", Some("transfers"), "applied"),
            row("category", 8, "cards", None, "given"),
            row("urgency", 0, "high", Some("high"), "applied"),
        ];
        let r = prediction_report(&rows);
        assert_eq!(r.len(), 2);
        let c = &r[0];
        assert_eq!((c.target.as_str(), c.labels), ("category", 5));
        assert_eq!((c.overall.checked, c.overall.agreed), (4, 2));
        assert_eq!((c.applied.checked, c.applied.agreed), (2, 1));
        assert_eq!((c.suggested.checked, c.suggested.agreed), (2, 1));
        let weeks: Vec<(&str, usize, usize)> =
            c.weekly.iter().map(|w| (w.week.as_str(), w.agreement.checked, w.agreement.agreed)).collect();
        assert_eq!(weeks, [("2026-11-02", 3, 2), ("2026-11-09", 1, 0)]);
        assert_eq!(c.corrections, [("transfers".to_string(), "cards".to_string(), 2)]);
        assert_eq!(r[1].overall.accuracy, Some(1.0));
    }
}
