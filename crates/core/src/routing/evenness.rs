//! How evenly work is spread: max over mean and the Gini coefficient of the
//! agents' utilization (weighted open work over capacity).

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, ToSchema)]
pub struct Evenness {
    pub agents: usize,
    /// Mean utilization (1.0: at capacity).
    pub mean: f64,
    /// The busiest agent over the mean (1.0: perfectly even; 0 when idle).
    pub max_over_mean: f64,
    /// 0: perfectly even; towards 1: one agent has all the work.
    pub gini: f64,
}

impl Evenness {
    pub fn of(values: &[f64]) -> Evenness {
        let n = values.len();
        if n == 0 {
            return Evenness::default();
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        if mean <= 0.0 {
            return Evenness { agents: n, ..Default::default() };
        }
        let max = values.iter().copied().fold(f64::MIN, f64::max);
        // Gini from sorted values: sum_i (2i - n - 1) x_i / (n^2 mean), O(n log n).
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let weighted: f64 = sorted.iter().enumerate().map(|(i, x)| (2.0 * (i + 1) as f64 - n as f64 - 1.0) * x).sum();
        Evenness { agents: n, mean, max_over_mean: max / mean, gini: weighted / (n as f64 * n as f64 * mean) }
    }
}
