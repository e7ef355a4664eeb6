//! The open-ticket queue index: which open ticket is most urgent right now, in
//! microseconds, with a million open.
//!
//! A ticket's score is a fixed part (severity, customer, plan, ...) plus two parts
//! that grow with time: age and SLA (see [`crate::priority::Ramp`]). Between
//! bends, every rising age ramp rises at the same rate, and so does every rising
//! SLA ramp. So tickets fall into four classes by what is rising (nothing, age,
//! SLA, both); inside a class the order never changes as time passes, and a
//! ticket's key `score(t) - slope * t` is constant. Each class is a B-tree on that
//! key; a ticket moves between classes only at its bends, which a heap keeps in
//! time order. The most urgent ticket at `t` is the best of at most four heads
//! per partition (category x assigned or not), compared at `t`.
//!
//! This is the product's core, written here rather than taken from a crate: no
//! priority queue we know of keeps time-dependent scores ordered without
//! re-sorting.

mod index;
mod item;
#[cfg(test)]
mod tests;

pub use index::{QueueIndex, Ranked};
pub use item::{escalated_queue, QueueCursor, QueueFilter, QueueItem};
