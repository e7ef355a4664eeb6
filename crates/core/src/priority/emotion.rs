//! Emotional and escalation signals in a customer's text: words like "cancel",
//! "lawyer" or "outage", shouting in capitals, runs of exclamation marks.
//!
//! Scanned once when text arrives (not on every re-score), so scoring stays cheap.

use super::rules::EmotionRules;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a text showed; the engine turns it into points with the policy's rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EmotionSignals {
    /// Escalation words found (each counted once), as the policy lists them.
    pub words: Vec<String>,
    /// Most letters in capitals (at least 12 letters).
    pub shouting: bool,
    /// A run of three or more `!`.
    pub exclamations: bool,
    /// The tone of the customer's messages, their trend, follow-ups without an
    /// answer and explicit signals (see [`crate::sentiment`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<crate::sentiment::ThreadTone>,
}

impl EmotionSignals {
    /// Scans `text` for the policy's signals and reads its tone: `text` is the
    /// customer's messages, separated by [`crate::sentiment::MESSAGE_BREAK`], with
    /// support's public answers marked by [`crate::sentiment::SUPPORT_REPLY`].
    pub fn scan(text: &str, rules: &EmotionRules) -> EmotionSignals {
        let mut words: Vec<String> = Vec::new();
        for raw in text.split(|c: char| !c.is_alphanumeric() && c != '\'') {
            if raw.is_empty() {
                continue;
            }
            let w = raw.to_lowercase();
            if rules.words.iter().any(|(k, _)| *k == w) && !words.contains(&w) {
                words.push(w);
            }
        }
        let letters = text.chars().filter(|c| c.is_alphabetic()).count();
        let upper = text.chars().filter(|c| c.is_uppercase()).count();
        EmotionSignals {
            words,
            shouting: letters >= 12 && upper * 10 >= letters * 7,
            exclamations: text.contains("!!!"),
            thread: Some(crate::sentiment::thread_tone(text)),
        }
    }

    /// Combines the signals of several messages (a thread).
    pub fn merge(&mut self, other: &EmotionSignals) {
        for w in &other.words {
            if !self.words.contains(w) {
                self.words.push(w.clone());
            }
        }
        self.shouting |= other.shouting;
        self.exclamations |= other.exclamations;
        if other.thread.is_some() {
            self.thread = other.thread.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;

    #[test]
    fn finds_escalation_words_shouting_and_exclamations() {
        let p = Policy::builtin();
        let s =
            EmotionSignals::scan("We will CANCEL and call our lawyer if the outage continues!!!", &p.priority.emotion);
        assert_eq!(s.words, ["cancel", "lawyer", "outage"]);
        assert!(s.exclamations);
        assert!(!s.shouting);
        let s = EmotionSignals::scan("WHY IS NOTHING WORKING TODAY", &p.priority.emotion);
        assert!(s.shouting);
        let calm = EmotionSignals::scan("Could you explain the fee on my statement?", &p.priority.emotion);
        assert_eq!(EmotionSignals { thread: None, ..calm.clone() }, EmotionSignals::default());
        assert_eq!(calm.thread.unwrap().current.tone, crate::sentiment::Tone::Neutral);
    }
}
