//! Text to sparse features: Unicode words, lowercased; word unigrams and
//! bigrams and character 2-4-grams inside words (which carry typos, inflections
//! and the publishers' pre-processed codes), hashed into a fixed number of
//! buckets, sublinear term frequency, L2-normalized.
//!
//! Hashing (not a vocabulary) keeps a model's size fixed and lets training and
//! prediction share one pass over the text with no lookups.

use unicode_segmentation::UnicodeSegmentation;

/// A sparse feature vector: (bucket, value), buckets ascending and distinct.
pub type Sparse = Vec<(u32, f32)>;

/// The words of a text: Unicode word boundaries, lowercased, alphanumeric only.
pub fn words(text: &str) -> Vec<String> {
    text.unicode_words().map(|w| w.to_lowercase()).collect()
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn fnv(seed: u64, bytes: &[u8]) -> u64 {
    let mut h = FNV_OFFSET ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    // Final mix: FNV's low bits are weak for short keys.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

/// How a text is turned into features; stored with a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FeatureSpec {
    /// log2 of the number of buckets.
    pub bits: u8,
    pub word_bigrams: bool,
    /// Character n-gram lengths, inclusive (0, 0: none).
    pub char_min: u8,
    pub char_max: u8,
}

impl Default for FeatureSpec {
    fn default() -> FeatureSpec {
        FeatureSpec { bits: 18, word_bigrams: true, char_min: 2, char_max: 4 }
    }
}

/// Per-thread scratch for counting features: an open-addressing table from
/// bucket to its place in the output, small enough to stay in the L1 cache
/// (a table over every bucket would miss the cache on most features).
struct Scratch {
    /// `(bucket + 1, slot)`; 0 marks an empty entry.
    table: Vec<(u32, u32)>,
}

impl Scratch {
    /// An empty table with room for `n` distinct features at most half full.
    fn begin(&mut self, n: usize) -> usize {
        let size = (n * 2).next_power_of_two().max(256);
        if self.table.len() < size {
            self.table = vec![(0, 0); size];
        } else {
            self.table[..size].iter_mut().for_each(|e| *e = (0, 0));
        }
        size - 1
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = const { std::cell::RefCell::new(Scratch { table: Vec::new() }) };
}

/// What a feature was, for explanations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Word(String),
    Bigram(String, String),
    /// A character n-gram and the word it was cut from.
    Chars(String, String),
}

impl Origin {
    /// What a person would call it: the word or phrase (a character piece
    /// counts for the word it came from).
    pub fn phrase(&self) -> String {
        match self {
            Origin::Word(w) | Origin::Chars(_, w) => w.clone(),
            Origin::Bigram(a, b) => format!("{a} {b}"),
        }
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Word(w) => write!(f, "{w}"),
            Origin::Bigram(a, b) => write!(f, "{a} {b}"),
            Origin::Chars(c, _) => write!(f, "…{c}…"),
        }
    }
}

impl FeatureSpec {
    pub fn buckets(&self) -> usize {
        1 << self.bits
    }

    fn bucket(&self, h: u64) -> u32 {
        (h & ((1u64 << self.bits) - 1)) as u32
    }

    /// The features of a text, unit length; with `origins`, what each bucket
    /// came from (first seen), for explaining a prediction.
    pub fn features(&self, text: &str, origins: Option<&mut Vec<(u32, Origin)>>) -> Sparse {
        let mut x = self.counts(text, origins);
        normalize(&mut x, None);
        x
    }

    /// Calls `note` with each feature occurrence of a text: its bucket and (made
    /// only when asked) what it came from. One lowercased copy of the text; the
    /// words are slices of it.
    fn walk(&self, text: &str, mut note: impl FnMut(u32, &dyn Fn() -> Origin)) {
        let lower = text.to_lowercase();
        let mut padded = String::with_capacity(32);
        let mut bounds: Vec<usize> = Vec::with_capacity(32);
        let mut prev: Option<&str> = None;
        for w in lower.unicode_words() {
            note(self.bucket(fnv(1, w.as_bytes())), &|| Origin::Word(w.to_string()));
            if let (true, Some(p)) = (self.word_bigrams, prev) {
                let h = fnv(2, p.as_bytes()) ^ fnv(3, w.as_bytes()).rotate_left(17);
                note(self.bucket(h), &|| Origin::Bigram(p.to_string(), w.to_string()));
            }
            prev = Some(w);
            if self.char_max == 0 {
                continue;
            }
            padded.clear();
            padded.push('<');
            padded.push_str(w);
            padded.push('>');
            // Character positions: bytes for ASCII words, char boundaries otherwise.
            bounds.clear();
            if padded.is_ascii() {
                bounds.extend(0..=padded.len());
            } else {
                bounds.extend(padded.char_indices().map(|(i, _)| i).chain([padded.len()]));
            }
            let chars = bounds.len() - 1;
            for n in self.char_min as usize..=self.char_max as usize {
                // The whole padded word is the word feature already.
                if n >= chars {
                    break;
                }
                for s in 0..=chars - n {
                    let g = &padded[bounds[s]..bounds[s + n]];
                    note(self.bucket(fnv(4 + n as u64, g.as_bytes())), &|| Origin::Chars(g.to_string(), w.to_string()));
                }
            }
        }
    }

    /// Sublinear term frequencies (1 + ln tf) of a text's features, not
    /// normalized, each bucket once, in the order first seen; with `origins`,
    /// what each bucket came from (first seen).
    pub fn counts(&self, text: &str, mut origins: Option<&mut Vec<(u32, Origin)>>) -> Sparse {
        // Counted in place through a per-thread table of where each bucket sits
        // in the output: no sorting.
        SCRATCH.with(|cell| {
            let mut sc = cell.borrow_mut();
            // At most one feature per byte plus a few per word: a bound on distinct ones.
            let mask = sc.begin(text.len() * 3 + 16);
            let table = &mut sc.table;
            let mut out: Sparse = Vec::with_capacity(text.len());
            self.walk(text, |b, o| {
                let mut i = (b.wrapping_mul(0x9E37_79B1) >> 7) as usize & mask;
                loop {
                    let (key, slot) = table[i];
                    if key == b + 1 {
                        out[slot as usize].1 += 1.0;
                        return;
                    }
                    if key == 0 {
                        table[i] = (b + 1, out.len() as u32);
                        out.push((b, 1.0));
                        if let Some(list) = origins.as_deref_mut() {
                            list.push((b, o()));
                        }
                        return;
                    }
                    i = (i + 1) & mask;
                }
            });
            for x in &mut out {
                x.1 = 1.0 + x.1.ln();
            }
            out
        })
    }

    /// What the `wanted` buckets (sorted) came from in a text: the first
    /// origin of each.
    pub fn origins_of(&self, text: &str, wanted: &[u32]) -> Vec<(u32, Origin)> {
        let mut out: Vec<(u32, Origin)> = Vec::with_capacity(wanted.len());
        self.walk(text, |b, o| {
            if wanted.binary_search(&b).is_ok() && !out.iter().any(|(x, _)| *x == b) {
                out.push((b, o()));
            }
        });
        out
    }
}

/// Weighs each feature by its inverse document frequency (when given) and
/// scales the vector to unit length.
pub fn normalize(x: &mut Sparse, idf: Option<&[f32]>) {
    let mut norm = 0.0f32;
    for (b, v) in x.iter_mut() {
        if let Some(idf) = idf {
            *v *= idf.get(*b as usize).copied().unwrap_or(1.0);
        }
        norm += *v * *v;
    }
    let norm = norm.sqrt().max(f32::MIN_POSITIVE);
    for (_, v) in x.iter_mut() {
        *v /= norm;
    }
}

/// Smoothed inverse document frequency per bucket: ln((1 + n) / (1 + df)) + 1.
pub fn idf(rows: &[Sparse], buckets: usize) -> Vec<f32> {
    let mut df = vec![0u32; buckets];
    for r in rows {
        for (b, _) in r {
            df[*b as usize] += 1;
        }
    }
    let n = rows.len() as f32;
    df.iter().map(|d| ((1.0 + n) / (1.0 + *d as f32)).ln() + 1.0).collect()
}
