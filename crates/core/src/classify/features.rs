//! Text to sparse features: Unicode words, lowercased; word unigrams and
//! bigrams and character 4-grams inside words (which carry typos, inflections
//! and the publishers' pre-processed codes), hashed into a fixed number of
//! buckets, sublinear term frequency, L2-normalized.
//!
//! Hashing (not a vocabulary) keeps a model's size fixed and lets training and
//! prediction share one pass over the text with no lookups. Written here, not
//! taken from a hashing crate: a character n-gram of up to eight bytes is its
//! own 64-bit key, mixed once (no per-byte loop), and a bigram reuses its two
//! words' hashes; that is most of what makes features cheap enough for intake.

use unicode_segmentation::UnicodeSegmentation;

/// A sparse feature vector: (bucket, value), buckets ascending and distinct.
pub type Sparse = Vec<(u32, f32)>;

/// The words of a text: Unicode word boundaries, lowercased, alphanumeric only.
pub fn words(text: &str) -> Vec<String> {
    text.unicode_words().map(|w| w.to_lowercase()).collect()
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The first hashing (byte-at-a-time FNV for every feature), kept so models
/// stored before [`Hashing::Packed`] read texts as they were trained.
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

/// Mixes a 64-bit key so every bit of it reaches the low bits (MurmurHash3's finalizer).
fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// A key of up to eight bytes as one number: the bytes little-endian, the
/// length and the kind of feature in the multiplier's seed.
fn packed(seed: u64, bytes: &[u8]) -> u64 {
    if bytes.len() > 8 {
        return fnv(seed, bytes);
    }
    let mut key = 0u64;
    for (i, b) in bytes.iter().enumerate() {
        key |= u64::from(*b) << (8 * i);
    }
    keyed(seed, bytes.len(), key)
}

/// The hash of a packed key of `len` bytes for a kind of feature (`seed` < 32).
fn keyed(seed: u64, len: usize, key: u64) -> u64 {
    mix(key ^ (seed << 59 | len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// How features are hashed to buckets; stored with a model, so a model always
/// reads texts the way it was trained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Hashing {
    /// Byte-at-a-time FNV for every feature (models stored before `Packed`
    /// have no `hashing` field and read as this).
    #[default]
    Fnv,
    /// Short n-grams packed into one key and mixed once; bigrams from their
    /// words' hashes. Several times faster; what new models use.
    Packed,
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
    #[serde(default)]
    pub hashing: Hashing,
}

impl Default for FeatureSpec {
    /// Words, word pairs and character 4-grams in 2^18 buckets. Character
    /// 2-grams were dropped first: with the defaults, 3-fold cross-validation
    /// on the shared data sets' train splits scored them level (mean +0.005
    /// without them over nine targets), and they were a quarter of a ticket's
    /// features (407 → 309). Then 3-grams, the same way: nested
    /// cross-validation scored 4-grams alone higher in macro-F1 on most
    /// targets, at the same calibration, with fewer features a ticket, so
    /// intake labels more tickets a second (the figures are in
    /// `docs/decisions/2026-12-01-char-4-grams.md`).
    fn default() -> FeatureSpec {
        FeatureSpec { bits: 18, word_bigrams: true, char_min: 4, char_max: 4, hashing: Hashing::Packed }
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
    /// An empty table with room for `n` distinct features at most half full;
    /// its mask.
    fn begin(&mut self, n: usize) -> usize {
        let size = (n * 2).next_power_of_two().max(256);
        if self.table.len() < size {
            self.table = vec![(0, 0); size];
        } else {
            self.table[..size].iter_mut().for_each(|e| *e = (0, 0));
        }
        size - 1
    }

    /// The entry for bucket `b` in the table under `mask`: its own, or the
    /// empty one where it goes.
    #[inline(always)]
    fn find(&self, b: u32, mask: usize) -> usize {
        let mut i = (b.wrapping_mul(0x9E37_79B1) >> 7) as usize & mask;
        loop {
            let key = self.table[i].0;
            if key == b + 1 || key == 0 {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /// Doubles the table under `mask` (more distinct features than it was
    /// made for) and enters the features of `out` again; the new mask.
    #[cold]
    fn grow(&mut self, out: &[(u32, f32)], mask: usize) -> usize {
        let mask = self.begin(mask + 1);
        for (slot, (b, _)) in out.iter().enumerate() {
            let i = self.find(*b, mask);
            self.table[i] = (b + 1, slot as u32);
        }
        mask
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

    /// Calls `note` with each feature occurrence of a lowercased text: its
    /// bucket and where it was (made into words only when asked); `word` with
    /// each word's full 64-bit hash (what a model's [`super::Known`] words are kept
    /// by). The words are slices of the text.
    fn walk(&self, lower: &str, mut note: impl FnMut(u32, Span), mut word: impl FnMut(u64)) {
        let fast = self.hashing == Hashing::Packed;
        let at = |w: &str| (w.as_ptr() as usize - lower.as_ptr() as usize) as u32;
        let mut padded = String::with_capacity(32);
        // Only words with non-ASCII letters (or the old hashing) need it.
        let mut bounds: Vec<usize> = Vec::new();
        let mut prev: Option<(&str, u64)> = None;
        for w in lower.unicode_words() {
            let here = (at(w), w.len() as u32);
            let wh = if fast { packed(1, w.as_bytes()) } else { fnv(1, w.as_bytes()) };
            note(self.bucket(wh), Span::Word(here));
            word(wh);
            if let (true, Some((p, ph))) = (self.word_bigrams, prev) {
                let h = if fast {
                    mix(ph.rotate_left(17) ^ wh ^ 0x2545_F491_4F6C_DD1D)
                } else {
                    fnv(2, p.as_bytes()) ^ fnv(3, w.as_bytes()).rotate_left(17)
                };
                note(self.bucket(h), Span::Bigram((at(p), p.len() as u32), here));
            }
            prev = Some((w, wh));
            if self.char_max == 0 {
                continue;
            }
            padded.clear();
            padded.push('<');
            padded.push_str(w);
            padded.push('>');
            let (lo, hi) = (self.char_min as usize, self.char_max as usize);
            let piece = |s: usize, n: usize| Span::Chars(here, s as u32, n as u32);
            if fast && padded.is_ascii() {
                // Bytes are characters: each start's n-grams grow one byte at a
                // time into the same key.
                let b = padded.as_bytes();
                // The whole padded word is the word feature already.
                let whole = b.len();
                for s in 0..b.len() {
                    let mut key = 0u64;
                    for (j, &c) in b[s..b.len().min(s + hi)].iter().enumerate() {
                        key |= u64::from(c) << (8 * j);
                        let n = j + 1;
                        if n >= lo && n < whole {
                            note(self.bucket(keyed(4 + n as u64, n, key)), piece(s, n));
                        }
                    }
                }
                continue;
            }
            // Character positions: bytes for ASCII words, char boundaries otherwise.
            bounds.clear();
            if padded.is_ascii() {
                bounds.extend(0..=padded.len());
            } else {
                bounds.extend(padded.char_indices().map(|(i, _)| i).chain([padded.len()]));
            }
            let chars = bounds.len() - 1;
            for n in lo..=hi {
                // The whole padded word is the word feature already.
                if n >= chars {
                    break;
                }
                for s in 0..=chars - n {
                    let g = &padded.as_bytes()[bounds[s]..bounds[s + n]];
                    let h = if fast { packed(4 + n as u64, g) } else { fnv(4 + n as u64, g) };
                    note(self.bucket(h), piece(bounds[s], g.len()));
                }
            }
        }
    }

    /// Sublinear term frequencies (1 + ln tf) of a text's features, not
    /// normalized, each bucket once, in the order first seen; with `origins`,
    /// what each bucket came from (first seen).
    pub fn counts(&self, text: &str, origins: Option<&mut Vec<(u32, Origin)>>) -> Sparse {
        match origins {
            None => self.count(&text.to_lowercase(), |_| {}, |_| {}),
            Some(list) => {
                let (x, trace) = self.counts_traced(text);
                list.extend(x.iter().zip(&trace.spans).map(|((b, _), s)| (*b, s.origin(&trace.lower))));
                x
            }
        }
    }

    /// [`FeatureSpec::counts`] and the hash of each word, in order (to
    /// measure how much of the text a model knows, see [`super::Known`]).
    pub fn counts_words(&self, text: &str) -> (Sparse, Vec<u64>) {
        let lower = text.to_lowercase();
        let mut words = Vec::with_capacity(lower.len() / 4 + 1);
        let x = self.count(&lower, |_| {}, |h| words.push(h));
        (x, words)
    }

    /// [`FeatureSpec::counts_words`] and where each feature was first seen, to
    /// name the few that explain a prediction without reading the text again.
    pub fn counts_traced(&self, text: &str) -> (Sparse, Trace) {
        let lower = text.to_lowercase();
        let mut spans = Vec::with_capacity(lower.len() * 2);
        let mut words = Vec::with_capacity(lower.len() / 4 + 1);
        let x = self.count(&lower, |s| spans.push(s), |h| words.push(h));
        (x, Trace { lower, spans, words })
    }

    /// Counts the features of a lowercased text; `first(span)` for each
    /// distinct one, in the output's order; `word(hash)` for each word.
    fn count(&self, lower: &str, mut first: impl FnMut(Span), word: impl FnMut(u64)) -> Sparse {
        // Counted in place through a per-thread table of where each bucket sits
        // in the output: no sorting.
        SCRATCH.with(|cell| {
            let sc = &mut *cell.borrow_mut();
            // About three distinct features per byte at most for character
            // n-grams of 2-4 characters; more (other lengths) grow the table.
            let mut mask = sc.begin(lower.len() * 3 + 16);
            let mut out: Sparse = Vec::with_capacity(lower.len() * 2);
            self.walk(
                lower,
                |b, span| {
                    let i = sc.find(b, mask);
                    let (key, slot) = sc.table[i];
                    if key != 0 {
                        out[slot as usize].1 += 1.0;
                        return;
                    }
                    sc.table[i] = (b + 1, out.len() as u32);
                    out.push((b, 1.0));
                    first(span);
                    if out.len() * 2 > mask {
                        mask = sc.grow(&out, mask);
                    }
                },
                word,
            );
            for x in &mut out {
                if x.1 > 1.0 {
                    x.1 = 1.0 + x.1.ln();
                }
            }
            out
        })
    }
}

/// Where a feature was first seen in a lowercased text (byte offsets): a few
/// numbers per feature, turned into words only for the features that explain.
#[derive(Debug, Clone, Copy)]
enum Span {
    /// A word's offset and length.
    Word((u32, u32)),
    Bigram((u32, u32), (u32, u32)),
    /// A piece of the padded word `<word>`: the word, the piece's start and
    /// length in the padded word.
    Chars((u32, u32), u32, u32),
}

impl Span {
    fn origin(&self, lower: &str) -> Origin {
        let word = |(at, len): (u32, u32)| lower[at as usize..(at + len) as usize].to_string();
        match *self {
            Span::Word(w) => Origin::Word(word(w)),
            Span::Bigram(a, b) => Origin::Bigram(word(a), word(b)),
            Span::Chars(w, start, len) => {
                let w = word(w);
                let padded = format!("<{w}>");
                Origin::Chars(padded[start as usize..(start + len) as usize].to_string(), w)
            }
        }
    }
}

/// Where each feature of a text came from, beside its counts.
#[derive(Debug, Clone)]
pub struct Trace {
    lower: String,
    /// By the counts' order.
    spans: Vec<Span>,
    /// Each word's hash, in the text's order.
    pub words: Vec<u64>,
}

impl Trace {
    /// What the `wanted` buckets (sorted) of the counts `x` it was traced with came from.
    pub fn origins(&self, x: &Sparse, wanted: &[u32]) -> Vec<(u32, Origin)> {
        x.iter()
            .zip(&self.spans)
            .filter(|((b, _), _)| wanted.binary_search(b).is_ok())
            .map(|((b, _), s)| (*b, s.origin(&self.lower)))
            .collect()
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

/// Smoothed inverse document frequency per bucket: ln((1 + n) / (1 + df)) + 1,
/// and 0 for a bucket no row has: a word no training ticket had tells the model
/// nothing (what a fixed vocabulary does by leaving unknown words out). How
/// much of a text the model can read is weighed apart (see
/// [`super::Known`]).
pub fn idf<'a>(rows: impl IntoIterator<Item = &'a Sparse>, buckets: usize) -> Vec<f32> {
    let mut df = vec![0u32; buckets];
    let mut n = 0usize;
    for r in rows {
        n += 1;
        for (b, _) in r {
            df[*b as usize] += 1;
        }
    }
    let n = n as f32;
    df.iter().map(|d| if *d == 0 { 0.0 } else { ((1.0 + n) / (1.0 + *d as f32)).ln() + 1.0 }).collect()
}
