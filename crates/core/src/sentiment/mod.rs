//! The customer's tone, message by message: negative, neutral or positive with
//! a strength, from a lexicon with negation ("not happy") and intensifiers
//! ("extremely unhappy"), amplified by capitals and exclamation runs; and the
//! thread's course: the current tone, whether it is getting worse, how often
//! the customer wrote again without an answer, and explicit escalation signals
//! (threats to leave, legal words, outages).
//!
//! Hand-written rather than a trained model: there are no tone labels in the
//! history to learn from, and a lexicon explains itself in the customer's words.

mod lexicon;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;
use utoipa::ToSchema;

/// The kinds of explicit signal a thread can show (what `[[priority.rules]]`
/// may name under `signals`).
pub const SIGNAL_KINDS: [&str; 3] = ["threat to leave", "legal", "outage"];

/// Where another customer message starts in a thread's text.
pub const MESSAGE_BREAK: char = '\u{1e}';
/// Where support answered in public, between customer messages.
pub const SUPPORT_REPLY: char = '\u{1f}';

/// A message's tone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    Negative,
    Neutral,
    Positive,
}

/// One message's reading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MessageTone {
    pub tone: Tone,
    /// -1 (very negative) to +1 (very positive).
    pub score: f32,
    /// How strong the tone is, 0-1 (the score's size).
    pub strength: f32,
    /// The words that carried it, most telling first.
    pub words: Vec<String>,
}

/// Below (above) this score a message reads negative (positive).
pub const THRESHOLD: f32 = 0.3;
/// Normalizes a sum of valences into -1..1: x / sqrt(x² + α).
const ALPHA: f32 = 15.0;

/// The lexicon split for lookup: whole words in a map, stems in a short list.
struct Lexicon {
    words: std::collections::HashMap<&'static str, f32>,
    stems: Vec<(&'static str, f32)>,
}

static LEXICON: std::sync::LazyLock<Lexicon> = std::sync::LazyLock::new(|| {
    let mut l = Lexicon { words: Default::default(), stems: Vec::new() };
    for (entry, v) in lexicon::VALENCE {
        match entry.strip_suffix('*') {
            Some(stem) => l.stems.push((stem, *v)),
            None => {
                l.words.insert(entry, *v);
            }
        }
    }
    l
});

fn valence(word: &str) -> f32 {
    let l = &*LEXICON;
    if let Some(v) = l.words.get(word).or_else(|| word.strip_suffix('s').and_then(|w| l.words.get(w))) {
        return *v;
    }
    l.stems.iter().find(|(stem, _)| word.starts_with(stem) && word.len() <= stem.len() + 4).map_or(0.0, |(_, v)| *v)
}

/// A message's words, lowercased, apostrophes dropped ("don't" → "dont"),
/// each with the clause it sits in (a new clause after `.`, `!`, `?`, `,`,
/// `;`, `:`), so a negation does not reach across clauses.
fn clause_words(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut clause = 0;
    for piece in text.split_word_bounds() {
        if piece.chars().any(|c| matches!(c, '.' | '!' | '?' | ',' | ';' | ':' | '\n'))
            && !piece.chars().any(char::is_alphanumeric)
        {
            clause += 1;
        } else if piece.chars().any(char::is_alphanumeric) {
            out.push((clause, folded(&piece.to_lowercase())));
        }
    }
    out
}

fn folded(word: &str) -> String {
    word.chars().filter(|c| *c != '\'' && *c != '’').collect()
}

/// Whether most letters are capitals (at least 12 letters).
pub fn shouting(text: &str) -> bool {
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    let upper = text.chars().filter(|c| c.is_uppercase()).count();
    letters >= 12 && upper * 10 >= letters * 7
}

/// Reads one message's tone.
pub fn message_tone(text: &str) -> MessageTone {
    tone_of(&clause_words(text), text)
}

/// [`message_tone`] of a message already split into its clause words.
fn tone_of(words: &[(usize, String)], text: &str) -> MessageTone {
    let mut sum = 0.0f32;
    let mut carried: Vec<(String, f32)> = Vec::new();
    for (i, (clause, w)) in words.iter().enumerate() {
        let mut v = valence(w);
        if v == 0.0 {
            continue;
        }
        let before: Vec<&str> =
            words[i.saturating_sub(3)..i].iter().filter(|(c, _)| c == clause).map(|(_, b)| b.as_str()).collect();
        if let Some(f) = before.last().and_then(|p| lexicon::INTENSIFIERS.iter().find(|(x, _)| x == p)) {
            v *= f.1;
        }
        let negated = before.iter().any(|b| lexicon::NEGATORS.contains(b));
        if negated {
            v *= -0.75;
        }
        if v > 0.0 && before.iter().any(|b| lexicon::CONDITIONALS.contains(b)) {
            v *= lexicon::CONDITIONAL_WEIGHT;
        }
        sum += v;
        let shown = if negated { format!("not {w}") } else { w.clone() };
        carried.push((shown, v));
    }
    // Threats, as whole phrases within a clause, unless negated just before
    // ("I do not want to close my account").
    for (phrase, v) in lexicon::THREATS {
        if let Some(at) = find_phrase(words, phrase, true) {
            let clause = words[at].0;
            let before = &words[at.saturating_sub(3)..at];
            if !before.iter().any(|(c, b)| *c == clause && lexicon::NEGATORS.contains(&b.as_str())) {
                sum += v;
                carried.push((phrase.to_string(), *v));
            }
        }
    }
    if text.contains("!!") {
        sum *= 1.2;
    }
    if shouting(text) {
        sum *= 1.3;
    }
    let score = sum / (sum * sum + ALPHA).sqrt();
    let tone = if score <= -THRESHOLD {
        Tone::Negative
    } else if score >= THRESHOLD {
        Tone::Positive
    } else {
        Tone::Neutral
    };
    // The words that pushed the way the message went, strongest first.
    carried.retain(|(_, v)| v.signum() == sum.signum());
    carried.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
    let mut words: Vec<String> = Vec::new();
    for (w, _) in carried {
        if !words.contains(&w) && words.len() < 5 {
            words.push(w);
        }
    }
    MessageTone { tone, score: round(score), strength: round(score.abs()), words }
}

fn round(x: f32) -> f32 {
    (x * 100.0).round() / 100.0
}

/// Which way the tone is going.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    /// One message so far.
    First,
    Worsening,
    Steady,
    Improving,
}

/// An explicit escalation signal and the word that showed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Signal {
    /// `threat to leave`, `legal`, `outage`.
    pub kind: String,
    pub word: String,
}

/// A thread's reading: the latest customer message's tone, its trend against
/// the earlier ones, follow-ups without an answer, and the signals seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ThreadTone {
    pub current: MessageTone,
    pub trend: Trend,
    /// Customer messages so far.
    pub messages: usize,
    /// Each customer message's tone, oldest first.
    pub per_message: Vec<MessageTone>,
    /// Customer messages after the last public answer from support, beyond the first.
    pub follow_ups: u32,
    /// One of each kind seen, with the first words that showed it.
    pub signals: Vec<Signal>,
    /// The above in plain words, for the agent.
    pub explanation: String,
}

/// How far the latest message must sit from the earlier ones' average to be a trend.
const TREND_STEP: f32 = 0.25;

/// Reads a thread: customer messages separated by [`MESSAGE_BREAK`], support's
/// public answers marked by [`SUPPORT_REPLY`].
pub fn thread_tone(thread: &str) -> ThreadTone {
    let mut tones: Vec<MessageTone> = Vec::new();
    let mut signals: Vec<Signal> = Vec::new();
    let mut unanswered = 0u32;
    // Each part with the separator before it (none for the first).
    let mut parts: Vec<(Option<char>, &str)> = Vec::new();
    let mut start = (None, 0);
    for (at, c) in thread.char_indices().filter(|(_, c)| *c == MESSAGE_BREAK || *c == SUPPORT_REPLY) {
        parts.push((start.0, &thread[start.1..at]));
        start = (Some(c), at + c.len_utf8());
    }
    parts.push((start.0, &thread[start.1..]));
    for (before, part) in parts {
        if before == Some(SUPPORT_REPLY) {
            unanswered = 0;
        }
        if part.trim().is_empty() {
            continue;
        }
        unanswered += 1;
        // One reading of the words serves the tone and the signals.
        let words = clause_words(part);
        tones.push(tone_of(&words, part));
        for (kind, entries) in lexicon::SIGNALS {
            // One signal of each kind, with the first words that showed it.
            if signals.iter().any(|s| s.kind == *kind) {
                continue;
            }
            if let Some(entry) = entries.iter().find(|e| find_phrase(&words, e, false).is_some()) {
                signals.push(Signal { kind: kind.to_string(), word: entry.to_string() });
            }
        }
    }
    let current =
        tones.last().cloned().unwrap_or(MessageTone { tone: Tone::Neutral, score: 0.0, strength: 0.0, words: vec![] });
    let trend = match tones.len() {
        0 | 1 => Trend::First,
        n => {
            let earlier = tones[..n - 1].iter().map(|t| t.score).sum::<f32>() / (n - 1) as f32;
            if current.score <= earlier - TREND_STEP {
                Trend::Worsening
            } else if current.score >= earlier + TREND_STEP {
                Trend::Improving
            } else {
                Trend::Steady
            }
        }
    };
    let follow_ups = unanswered.saturating_sub(1);
    let mut t = ThreadTone {
        current,
        trend,
        messages: tones.len(),
        per_message: tones,
        follow_ups,
        signals,
        explanation: String::new(),
    };
    t.explanation = explain(&t);
    t
}

fn explain(t: &ThreadTone) -> String {
    let tone = match t.current.tone {
        Tone::Negative => "negative",
        Tone::Neutral => "neutral",
        Tone::Positive => "positive",
    };
    let mut s = format!("tone {tone} ({:.0}%)", t.current.strength * 100.0);
    if !t.current.words.is_empty() {
        s += &format!(" from {}", t.current.words.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(", "));
    }
    match t.trend {
        Trend::Worsening => s += ", worse than in the earlier messages",
        Trend::Improving => s += ", better than in the earlier messages",
        Trend::Steady => s += ", as in the earlier messages",
        Trend::First => {}
    }
    if t.follow_ups > 0 {
        s += &format!(
            "; wrote {} more time{} without an answer",
            t.follow_ups,
            if t.follow_ups == 1 { "" } else { "s" }
        );
    }
    if !t.signals.is_empty() {
        s += &format!(
            "; signals: {}",
            t.signals.iter().map(|x| format!("{} (\"{}\")", x.kind, x.word)).collect::<Vec<_>>().join(", ")
        );
    }
    s
}

/// Where a message's words first hold `phrase` (a word, or words one after
/// the other, space-separated); `one_clause`: only within one clause.
fn find_phrase(words: &[(usize, String)], phrase: &str, one_clause: bool) -> Option<usize> {
    let n = phrase.split(' ').count();
    (0..=words.len().checked_sub(n)?).find(|&at| {
        let span = &words[at..at + n];
        span.iter().zip(phrase.split(' ')).all(|((_, w), p)| w == p)
            && (!one_clause || span.iter().all(|(c, _)| *c == span[0].0))
    })
}
