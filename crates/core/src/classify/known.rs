//! The words a model was trained on, so it can tell how much of a new ticket
//! it can read.
//!
//! A model weighs features no training ticket had at 0 (see [`super::idf`]):
//! they tell it nothing, and weighed at the highest IDF, as they were before,
//! they took most of a new ticket's unit length from the words it knows and
//! pulled every score towards the bias (the common class). But a ticket of
//! words the model has never seen must not then be judged, at full length, on
//! the few hashed pieces it happens to share with training tickets: that made
//! nonsense 0.98 sure. So the text's evidence counts in proportion to the share
//! of its words the model knows: a ticket of known words reads at full
//! strength, one of half-known words at half, gibberish falls back to the
//! classes' prior and so to a person.
//!
//! Kept as one bit per hashed word (a Bloom filter with one probe) rather than a
//! vocabulary: a fixed size beside the weights, one read per word, and the
//! word's hash is already made while counting features. With 16 bits per
//! bucket of the model (2^22 bits, 512 KB, for 2^18 buckets), 100,000 distinct
//! training words leave about 2% of unseen words reading as known.

use serde::{Deserialize, Serialize};

/// A set of word hashes, one bit each (empty: a model stored before it, which
/// reads every word as known).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Known {
    bits: Vec<u64>,
}

impl Known {
    /// The words (by hash) of a model's training rows, in a filter of
    /// 2^(`bits` + 4) bits.
    pub fn of<'a>(words: impl IntoIterator<Item = &'a u64>, bits: u8) -> Known {
        let mut known = Known { bits: vec![0; 1 << (bits.max(8) as u32 + 4 - 6)] };
        for &h in words {
            let i = known.slot(h);
            known.bits[i >> 6] |= 1 << (i & 63);
        }
        known
    }

    /// The filter's bit for a word hash: its top bits (the bucket uses the
    /// bottom ones, so a word's bucket and its bit are independent).
    fn slot(&self, h: u64) -> usize {
        let size = self.bits.len() as u64 * 64;
        (h >> (64 - size.trailing_zeros())) as usize
    }

    /// Whether a word (by hash) is known; every word is, to a model without the set.
    pub fn contains(&self, h: u64) -> bool {
        if self.bits.is_empty() {
            return true;
        }
        let i = self.slot(h);
        self.bits[i >> 6] >> (i & 63) & 1 == 1
    }

    /// The share of `words` (hashes, each occurrence counted) the model knows:
    /// 1 for no words or a model without the set.
    pub fn share(&self, words: &[u64]) -> f32 {
        if self.bits.is_empty() || words.is_empty() {
            return 1.0;
        }
        words.iter().filter(|h| self.contains(**h)).count() as f32 / words.len() as f32
    }

    /// The set as 64-bit words, for storage.
    pub fn as_words(&self) -> &[u64] {
        &self.bits
    }

    /// A set from [`Known::as_words`]; its length must be a power of two.
    pub fn from_words(bits: Vec<u64>) -> Result<Known, String> {
        if !bits.is_empty() && !bits.len().is_power_of_two() {
            return Err(format!("a model's known-word set of {} words is not a power of two", bits.len()));
        }
        Ok(Known { bits })
    }

    pub fn bytes(&self) -> usize {
        self.bits.len() * 8
    }
}
