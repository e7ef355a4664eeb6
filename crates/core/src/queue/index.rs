//! The index itself: B-trees per (partition, class), a heap of bends, a slab of
//! entries. See the module documentation for why this keeps order as time passes.

use super::item::{QueueCursor, QueueFilter, QueueItem};
use crate::policy::Policy;
use crate::priority::{AgeRules, Ramp, SlaRules, Strategy, Weights};
use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeSet, BinaryHeap, HashMap};
use std::ops::Bound;

/// What is rising: nothing, age, SLA, both (bit 0 age, bit 1 SLA).
const CLASSES: usize = 4;
const MS_PER_HOUR: f64 = 3_600_000.0;
/// Fixed strategies: every one but age and SLA.
const FIXED: usize = Strategy::COUNT - 2;
const DEAD: u32 = u32::MAX;
const NO_CATEGORY: u16 = u16::MAX;

/// A ticket's place in a class: best first (higher key first, then older id).
#[derive(Debug, Clone, Copy)]
struct Key {
    k: f64,
    id: i64,
}

impl Ord for Key {
    fn cmp(&self, o: &Self) -> Ordering {
        o.k.total_cmp(&self.k).then(self.id.cmp(&o.id))
    }
}
impl PartialOrd for Key {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl PartialEq for Key {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Key {}

#[derive(Debug, Clone)]
struct Entry {
    id: i64,
    created_ms: i64,
    /// `i64::MAX`: no SLA target.
    due_ms: i64,
    /// The key it is filed under.
    k: f64,
    /// Unweighted points of the fixed strategies, or the fixed score in `[0]`.
    points: [f64; FIXED],
    /// Bits of the policy's view tags it carries.
    tags: u64,
    version: u32,
    /// Bumped each time it is filed; bends filed earlier are stale.
    stamp: u32,
    partition: u16,
    class: u8,
    /// The stored level (index into the policy's levels, most urgent first).
    level: u8,
    /// Its category (index into the policy's categories; `NO_CATEGORY`: none).
    category: u16,
    fixed: bool,
}

/// An open ticket's place in the queue at an instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranked {
    pub id: i64,
    pub score: f64,
    /// Index into the policy's levels (most urgent first).
    pub level: usize,
}

/// What the walk does after looking at a ticket.
enum Step {
    Next,
    Stop,
}

/// A B-tree's head in the walk's merge: best score first, then the older id.
struct Head {
    score: f64,
    id: i64,
    set: usize,
}

impl Ord for Head {
    fn cmp(&self, o: &Self) -> Ordering {
        self.score.total_cmp(&o.score).then(o.id.cmp(&self.id))
    }
}
impl PartialOrd for Head {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl PartialEq for Head {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Head {}

/// The open tickets, kept in priority order for any instant. Time only moves
/// forward here: asking about an earlier instant than one already seen answers
/// for the latest seen.
pub struct QueueIndex {
    age: AgeRules,
    sla: SlaRules,
    bases: Vec<f64>,
    level_names: Vec<String>,
    categories: Vec<String>,
    /// Each (real) category's team and entry tier, in the order of `categories`.
    homes: Vec<(String, crate::agent::Tier)>,
    view_tags: Vec<String>,
    weights: Weights,
    /// Points per hour of each class.
    slopes: [f64; CLASSES],
    base_ms: i64,
    now_ms: i64,
    entries: Vec<Entry>,
    free: Vec<u32>,
    slots: HashMap<i64, u32>,
    sets: Vec<BTreeSet<Key>>,
    bends: BinaryHeap<Reverse<(i64, u32, u32)>>,
}

impl QueueIndex {
    /// An empty index for `policy` under `weights` (normal or a surge rule's).
    pub fn new(policy: &Policy, weights: Weights, now_ms: i64) -> QueueIndex {
        let mut view_tags: Vec<String> = Vec::new();
        for v in &policy.views {
            if let Some(t) = &v.tag {
                let t = t.to_lowercase();
                if !view_tags.contains(&t) && view_tags.len() < 64 {
                    view_tags.push(t);
                }
            }
        }
        // Categories, then one queue per team and tier for escalated tickets.
        let mut categories: Vec<String> = policy.categories.iter().map(|c| c.name.clone()).collect();
        let homes: Vec<(String, crate::agent::Tier)> =
            policy.categories.iter().map(|c| (c.team.clone(), c.tier)).collect();
        let mut teams: Vec<&str> = policy.teams.iter().map(|t| t.name.as_str()).collect();
        for c in &policy.categories {
            if !teams.contains(&c.team.as_str()) {
                teams.push(&c.team);
            }
        }
        for t in teams {
            for tier in [crate::agent::Tier::L1, crate::agent::Tier::L2, crate::agent::Tier::L3] {
                categories.push(super::item::escalated_queue(t, tier));
            }
        }
        // Per (category queue, level, assigned or not).
        let partitions = (categories.len() + 1) * policy.levels.len() * 2;
        let mut q = QueueIndex {
            age: policy.priority.age.clone(),
            sla: policy.priority.sla.clone(),
            bases: policy.levels.iter().map(|l| l.base_score).collect(),
            level_names: policy.levels.iter().map(|l| l.name.clone()).collect(),
            categories,
            homes,
            view_tags,
            weights,
            slopes: [0.0; CLASSES],
            base_ms: now_ms,
            now_ms,
            entries: Vec::new(),
            free: Vec::new(),
            slots: HashMap::new(),
            sets: (0..partitions * CLASSES).map(|_| BTreeSet::new()).collect(),
            bends: BinaryHeap::new(),
        };
        q.slopes = q.class_slopes();
        q
    }

    fn class_slopes(&self) -> [f64; CLASSES] {
        let a = self.weights.get(Strategy::Age) * Ramp::age(&self.age, 0).slope_per_hour();
        let s = self.weights.get(Strategy::Sla) * Ramp::sla(&self.sla, Some(0)).slope_per_hour();
        [0.0, a, s, a + s]
    }

    /// Open tickets in the index.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    pub fn weights(&self) -> Weights {
        self.weights
    }

    /// The level names, most urgent first (what [`Ranked::level`] indexes).
    pub fn level_name(&self, level: usize) -> &str {
        &self.level_names[level]
    }

    fn hours(&self, t_ms: i64) -> f64 {
        (t_ms - self.base_ms) as f64 / MS_PER_HOUR
    }

    fn level_of(&self, e: &Entry) -> usize {
        e.level as usize
    }

    fn ramps(&self, e: &Entry) -> (Ramp, Ramp) {
        if e.fixed {
            return (Ramp::FLAT, Ramp::FLAT);
        }
        let due = (e.due_ms != i64::MAX).then_some(e.due_ms);
        (Ramp::age(&self.age, e.created_ms), Ramp::sla(&self.sla, due))
    }

    fn fixed_score(&self, e: &Entry) -> f64 {
        if e.fixed {
            return e.points[0];
        }
        let mut total = 0.0;
        let mut j = 0;
        for s in Strategy::ALL {
            if s == Strategy::Age || s == Strategy::Sla {
                continue;
            }
            total += e.points[j] * self.weights.get(s);
            j += 1;
        }
        total
    }

    /// The score of an entry at `t_ms`, straight from its parts.
    fn value(&self, e: &Entry, t_ms: i64) -> f64 {
        let (age, sla) = self.ramps(e);
        self.fixed_score(e)
            + self.weights.get(Strategy::Age) * age.value(t_ms)
            + self.weights.get(Strategy::Sla) * sla.value(t_ms)
    }

    fn set_of(&self, e: &Entry) -> usize {
        e.partition as usize * CLASSES + e.class as usize
    }

    /// Files entry `slot` under the class it is in at the index's time.
    fn place(&mut self, slot: u32) {
        let t = self.now_ms;
        let e = &self.entries[slot as usize];
        let (age, sla) = self.ramps(e);
        let (wa, ws) = (self.weights.get(Strategy::Age), self.weights.get(Strategy::Sla));
        let class = (wa != 0.0 && age.rising(t)) as u8 | (((ws != 0.0 && sla.rising(t)) as u8) << 1);
        let k = self.value(e, t) - self.slopes[class as usize] * self.hours(t);
        let bend = [(wa != 0.0).then(|| age.next_bend(t)), (ws != 0.0).then(|| sla.next_bend(t))]
            .into_iter()
            .flatten()
            .flatten()
            .min();
        let e = &mut self.entries[slot as usize];
        e.class = class;
        e.k = k;
        e.stamp = e.stamp.wrapping_add(1);
        let (stamp, key) = (e.stamp, Key { k, id: e.id });
        let set = self.set_of(&self.entries[slot as usize]);
        self.sets[set].insert(key);
        if let Some(at) = bend {
            self.bends.push(Reverse((at, slot, stamp)));
        }
    }

    fn unplace(&mut self, slot: u32) {
        let e = &self.entries[slot as usize];
        let set = self.set_of(e);
        let key = Key { k: e.k, id: e.id };
        self.sets[set].remove(&key);
    }

    /// Moves the index's time to `now_ms` (never back), re-filing tickets whose
    /// age or SLA ramp bent meanwhile.
    pub fn advance(&mut self, now_ms: i64) {
        self.now_ms = self.now_ms.max(now_ms);
        while let Some(&Reverse((at, slot, stamp))) = self.bends.peek() {
            if at > self.now_ms {
                break;
            }
            self.bends.pop();
            let e = &self.entries[slot as usize];
            if e.version == DEAD || e.stamp != stamp {
                continue;
            }
            self.unplace(slot);
            self.place(slot);
        }
        if self.bends.len() > 2 * self.slots.len() + 1024 {
            let entries = &self.entries;
            self.bends.retain(|Reverse((_, slot, stamp))| {
                let e = &entries[*slot as usize];
                e.version != DEAD && e.stamp == *stamp
            });
        }
    }

    /// A ticket's partition: its category's queue (unless an escalation put it
    /// with another team or tier: then that team and tier's queue; without a
    /// known category or team, the last one), its level, whether it is assigned.
    fn partition(&self, item: &QueueItem, level: u8) -> u16 {
        let none = self.categories.len();
        let escalated = |team: &str, tier| {
            let name = super::item::escalated_queue(team, tier);
            self.categories.iter().position(|x| *x == name).unwrap_or(none)
        };
        let home = item.category.and_then(|c| self.categories[..self.homes.len()].iter().position(|x| x == c));
        let c = match (home, item.team) {
            (Some(i), team) => {
                let (t, tier) = &self.homes[i];
                let (team, tier) = (team.unwrap_or(t), item.tier.unwrap_or(*tier));
                if team == t && tier == self.homes[i].1 {
                    i
                } else {
                    escalated(team, tier)
                }
            }
            (None, Some(team)) => escalated(team, item.tier.unwrap_or(crate::agent::Tier::L1)),
            (None, None) => none,
        };
        ((c * self.bases.len() + level as usize) * 2 + item.assigned as usize) as u16
    }

    /// Adds, updates or (when it is no longer open) removes a ticket. An item
    /// older than the one held (by version) is ignored.
    pub fn upsert(&mut self, item: &QueueItem, now_ms: i64) {
        self.advance(now_ms);
        let existing = self.slots.get(&item.id).copied();
        if let Some(slot) = existing {
            if item.version < self.entries[slot as usize].version as i64 {
                return;
            }
        }
        if !item.open {
            self.remove(item.id);
            return;
        }
        let mut points = [0.0; FIXED];
        let fixed = match item.points {
            Some(p) => {
                let mut j = 0;
                for s in Strategy::ALL {
                    if s != Strategy::Age && s != Strategy::Sla {
                        points[j] = p.get(s);
                        j += 1;
                    }
                }
                false
            }
            None => {
                points[0] = item.score.unwrap_or(0.0);
                true
            }
        };
        let mut tags = 0u64;
        for t in item.tags {
            if let Some(i) = self.view_tags.iter().position(|v| v.eq_ignore_ascii_case(t)) {
                tags |= 1 << i;
            }
        }
        // A ticket without a (known) level counts as the least urgent.
        let level =
            item.level.and_then(|l| self.level_names.iter().position(|n| n == l)).unwrap_or(self.level_names.len() - 1)
                as u8;
        let category = item
            .category
            .and_then(|c| self.categories[..self.homes.len()].iter().position(|x| x == c))
            .map_or(NO_CATEGORY, |i| i as u16);
        let entry = Entry {
            id: item.id,
            created_ms: item.created_ms,
            due_ms: item.sla_due_ms.unwrap_or(i64::MAX),
            k: 0.0,
            points,
            tags,
            version: item.version.clamp(0, DEAD as i64 - 1) as u32,
            stamp: 0,
            partition: self.partition(item, level),
            class: 0,
            level,
            category,
            fixed,
        };
        let slot = match existing {
            Some(slot) => {
                self.unplace(slot);
                let stamp = self.entries[slot as usize].stamp;
                self.entries[slot as usize] = Entry { stamp, ..entry };
                slot
            }
            None => {
                let slot = match self.free.pop() {
                    Some(s) => {
                        self.entries[s as usize] = entry;
                        s
                    }
                    None => {
                        self.entries.push(entry);
                        (self.entries.len() - 1) as u32
                    }
                };
                self.slots.insert(item.id, slot);
                slot
            }
        };
        self.place(slot);
    }

    /// Takes a ticket out of the queue.
    pub fn remove(&mut self, id: i64) {
        if let Some(slot) = self.slots.remove(&id) {
            self.unplace(slot);
            self.entries[slot as usize].version = DEAD;
            self.free.push(slot);
        }
    }

    /// Switches the weights (surge mode on or off) and re-files every ticket.
    pub fn set_weights(&mut self, weights: Weights) {
        if weights == self.weights {
            return;
        }
        self.weights = weights;
        self.slopes = self.class_slopes();
        for s in &mut self.sets {
            s.clear();
        }
        self.bends.clear();
        let live: Vec<u32> = self.slots.values().copied().collect();
        for slot in live {
            self.place(slot);
        }
    }

    /// A ticket's score and level at `now_ms`, if it is in the queue.
    pub fn get(&mut self, id: i64, now_ms: i64) -> Option<Ranked> {
        self.advance(now_ms);
        let e = &self.entries[*self.slots.get(&id)? as usize];
        let score = e.k + self.slopes[e.class as usize] * self.hours(self.now_ms);
        Some(Ranked { id, score, level: self.level_of(e) })
    }

    /// The B-trees a filter reads: its queues (or all), narrowed to its
    /// categories' own queues and the escalated ones (whose tickets the walk
    /// checks one by one), at its levels.
    fn sets_for(&self, f: &QueueFilter, levels: &[bool]) -> Vec<usize> {
        let (homes, none) = (self.homes.len(), self.categories.len());
        let mut places: Vec<usize> = match &f.queues {
            None => (0..=none).collect(),
            Some(qs) => {
                let mut v: Vec<usize> = qs.iter().filter_map(|q| self.categories.iter().position(|x| x == q)).collect();
                if f.uncategorized {
                    v.push(none);
                }
                v
            }
        };
        if !f.categories.is_empty() {
            places.retain(|&p| (p >= homes && p < none) || (p < homes && f.categories.contains(&self.categories[p])));
        }
        let per_cat = self.bases.len();
        let mut out = Vec::new();
        for c in places {
            for (l, wanted) in levels.iter().enumerate() {
                if !wanted {
                    continue;
                }
                for assigned in [false, true] {
                    if assigned && f.unassigned {
                        continue;
                    }
                    let p = (c * per_cat + l) * 2 + assigned as usize;
                    for class in 0..CLASSES {
                        let set = p * CLASSES + class;
                        if !self.sets[set].is_empty() {
                            out.push(set);
                        }
                    }
                }
            }
        }
        out
    }

    /// Which categories a filter admits (`None`: any, categorized or not).
    fn category_mask(&self, f: &QueueFilter) -> Option<Vec<bool>> {
        (!f.categories.is_empty())
            .then(|| self.categories[..self.homes.len()].iter().map(|c| f.categories.contains(c)).collect())
    }

    /// Visits the tickets of `sets` best first at the index's time, starting
    /// after `after` (a score and id): a merge of the B-trees' heads, each
    /// tree in order by its key, which is its score less a slope all its
    /// tickets share.
    fn walk(&self, sets: &[usize], after: Option<QueueCursor>, mut visit: impl FnMut(&Entry, Ranked) -> Step) {
        let t = self.hours(self.now_ms);
        let slope = |set: usize| self.slopes[set % CLASSES];
        // Start a little before the cursor (a key rebuilt from a score can differ
        // from the stored one by rounding) and skip what is not after it.
        let start = |set: usize| match after {
            Some(c) => Bound::Included(Key { k: c.score - slope(set) * t + 1e-9, id: i64::MIN }),
            None => Bound::Unbounded,
        };
        let not_after = |score: f64, id: i64| after.is_some_and(|c| score > c.score || score == c.score && id <= c.id);
        let mut iters: Vec<_> = sets.iter().map(|&s| self.sets[s].range((start(s), Bound::Unbounded))).collect();
        let mut heads = BinaryHeap::with_capacity(sets.len());
        for (i, it) in iters.iter_mut().enumerate() {
            if let Some(k) = it.next() {
                heads.push(Head { score: k.k + slope(sets[i]) * t, id: k.id, set: i });
            }
        }
        while let Some(Head { score, id, set: i }) = heads.pop() {
            if let Some(k) = iters[i].next() {
                heads.push(Head { score: k.k + slope(sets[i]) * t, id: k.id, set: i });
            }
            if not_after(score, id) {
                continue;
            }
            let e = &self.entries[self.slots[&id] as usize];
            if let Step::Stop = visit(e, Ranked { id, score, level: self.level_of(e) }) {
                return;
            }
        }
    }

    /// Up to `limit` open tickets matching `f`, best first at `now_ms`, after
    /// `after`; and the cursor for the next page when there is more.
    pub fn top(
        &mut self,
        now_ms: i64,
        f: &QueueFilter,
        after: Option<QueueCursor>,
        limit: usize,
    ) -> (Vec<Ranked>, Option<QueueCursor>) {
        self.advance(now_ms);
        let mut out = Vec::with_capacity(limit.min(256) + 1);
        let Some(levels) = self.level_mask(f) else { return (out, None) };
        let tag = match &f.tag {
            Some(t) => match self.view_tags.iter().position(|v| v.eq_ignore_ascii_case(t)) {
                Some(i) => 1u64 << i,
                None => return (out, None), // not a view's tag: nothing carries it here
            },
            None => 0,
        };
        let sets = self.sets_for(f, &levels);
        let cats = self.category_mask(f);
        self.walk(&sets, after, |e, r| {
            if e.tags & tag != tag {
                return Step::Next;
            }
            if cats.as_ref().is_some_and(|m| m.get(e.category as usize) != Some(&true)) {
                return Step::Next;
            }
            out.push(r);
            if out.len() > limit {
                Step::Stop
            } else {
                Step::Next
            }
        });
        let next = (out.len() > limit).then(|| {
            out.truncate(limit);
            out.last().map(|r| QueueCursor { score: r.score, id: r.id })
        });
        (out, next.flatten())
    }

    /// Which level partitions a filter reads.
    fn level_mask(&self, f: &QueueFilter) -> Option<Vec<bool>> {
        if f.levels.is_empty() {
            return Some(vec![true; self.bases.len()]);
        }
        let mask: Vec<bool> = self.level_names.iter().map(|n| f.levels.contains(n)).collect();
        mask.contains(&true).then_some(mask)
    }

    /// The most urgent unassigned ticket matching `f` at `now_ms`, marked as
    /// assigned here so the next caller gets another one. The caller stores the
    /// assignment and upserts what it stored (or the stored ticket if that failed).
    pub fn take_next(&mut self, now_ms: i64, f: &QueueFilter) -> Option<Ranked> {
        let f = QueueFilter { unassigned: true, ..f.clone() };
        let (found, _) = self.top(now_ms, &f, None, 1);
        let r = *found.first()?;
        let slot = self.slots[&r.id];
        self.unplace(slot);
        self.entries[slot as usize].partition |= 1;
        self.place(slot);
        Some(r)
    }

    /// Approximate bytes held, for the memory benchmark's cross-check.
    pub fn heap_bytes(&self) -> usize {
        let key = std::mem::size_of::<Key>();
        self.entries.capacity() * std::mem::size_of::<Entry>()
            + self.free.capacity() * 4
            + self.slots.capacity() * (std::mem::size_of::<(i64, u32)>() + 1)
            + self.sets.iter().map(|s| s.len()).sum::<usize>() * key * 3 / 2
            + self.bends.capacity() * std::mem::size_of::<Reverse<(i64, u32, u32)>>()
    }
}
