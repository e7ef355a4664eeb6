//! The queue index against a brute-force sort of the same scores.

use super::*;
use crate::policy::Policy;
use crate::priority::{Points, Ramp, Strategy, Weights};
use proptest::prelude::*;
use proptest::strategy::Strategy as _;

const H: i64 = 3_600_000;

#[derive(Debug, Clone)]
struct T {
    id: i64,
    created_ms: i64,
    due_ms: Option<i64>,
    category: Option<String>,
    team: Option<String>,
    tier: Option<crate::agent::Tier>,
    assigned: bool,
    tags: Vec<String>,
    points: Points,
    level: Option<&'static str>,
}

fn pts(severity: f64, customer: f64) -> Points {
    let mut p = [0.0; Strategy::COUNT];
    p[Strategy::Severity.index()] = severity;
    p[Strategy::Customer.index()] = customer;
    Points(p)
}

fn item(t: &T) -> QueueItem<'_> {
    QueueItem {
        id: t.id,
        version: 1,
        open: true,
        assigned: t.assigned,
        created_ms: t.created_ms,
        category: t.category.as_deref(),
        team: t.team.as_deref(),
        tier: t.tier,
        tags: &t.tags,
        points: Some(&t.points),
        score: None,
        level: t.level,
        sla_due_ms: t.due_ms,
    }
}

/// The score as the engine computes it: weighted fixed points plus the ramps.
fn brute(p: &Policy, w: &Weights, t: &T, now: i64) -> f64 {
    let r = &p.priority;
    t.points.static_score(w)
        + w.get(Strategy::Age) * Ramp::age(&r.age, t.created_ms).value(now)
        + w.get(Strategy::Sla) * Ramp::sla(&r.sla, t.due_ms).value(now)
}

fn ticket(id: i64, created_ms: i64, severity: f64) -> T {
    T {
        id,
        created_ms,
        due_ms: None,
        category: None,
        team: None,
        tier: None,
        assigned: false,
        tags: vec![],
        points: pts(severity, 0.0),
        level: None,
    }
}

#[test]
fn an_old_ticket_overtakes_a_newer_higher_one_as_it_waits() {
    let p = Policy::builtin();
    let mut q = QueueIndex::new(&p, p.priority.weights, 0);
    let old = ticket(1, 0, 40.0);
    let new = ticket(2, 0, 45.0);
    q.upsert(&item(&old), 0);
    q.upsert(&item(&new), 0);
    let order =
        |q: &mut QueueIndex, t| q.top(t, &QueueFilter::default(), None, 10).0.iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(order(&mut q, 0), [2, 1]);
    // Same age: no change, however long they wait.
    assert_eq!(order(&mut q, 100 * H), [2, 1]);
    // A newer ticket with more fixed points is still behind an old one once the
    // old one's age has grown past the gap.
    let late = ticket(3, 100 * H, 41.0);
    q.upsert(&item(&late), 100 * H);
    let r = q.get(1, 100 * H).unwrap();
    assert!(r.score > 41.0, "age points have grown: {r:?}");
    assert_eq!(order(&mut q, 100 * H), [2, 1, 3]);
}

#[test]
fn the_sla_ramp_lifts_a_ticket_as_its_target_nears() {
    let p = Policy::builtin();
    let w = p.priority.weights;
    let mut q = QueueIndex::new(&p, w, 0);
    let mut a = ticket(1, 0, 40.0);
    a.due_ms = Some(10 * H);
    let b = ticket(2, 0, 50.0);
    q.upsert(&item(&a), 0);
    q.upsert(&item(&b), 0);
    let first = |q: &mut QueueIndex, t| q.top(t, &QueueFilter::default(), None, 1).0[0].id;
    assert_eq!(first(&mut q, 0), 2);
    // Time only moves forward in the index: ask in order.
    for t in [0, 3 * H, 9 * H + 1234, 10 * H, 11 * H] {
        let got = q.get(1, t).unwrap().score;
        assert!((got - brute(&p, &w, &a, t)).abs() < 1e-9, "at {t}: {got}");
    }
    assert_eq!(first(&mut q, 11 * H), 1, "breached: SLA points at their maximum");
}

#[test]
fn take_next_never_hands_out_a_ticket_twice_and_respects_the_filter() {
    let p = Policy::builtin();
    let mut q = QueueIndex::new(&p, p.priority.weights, 0);
    let mut ts: Vec<T> = (1..=6).map(|i| ticket(i, i * 1000, 30.0 + i as f64)).collect();
    ts[0].category = Some("cards".into());
    ts[1].category = Some("cards".into());
    ts[2].assigned = true;
    for t in &ts {
        q.upsert(&item(t), 0);
    }
    let cards = QueueFilter { queues: Some(vec!["cards".into()]), ..Default::default() };
    assert_eq!(q.take_next(10, &cards).map(|r| r.id), Some(2));
    assert_eq!(q.take_next(10, &cards).map(|r| r.id), Some(1));
    assert_eq!(q.take_next(10, &cards), None);
    let all = QueueFilter::default();
    let taken: Vec<i64> = std::iter::from_fn(|| q.take_next(10, &all).map(|r| r.id)).collect();
    assert_eq!(taken, [6, 5, 4], "3 was assigned already");
    assert_eq!(q.len(), 6, "taken tickets stay in the queue, as assigned");
}

#[test]
fn escalated_tickets_wait_in_their_new_team_and_tier_queue() {
    use crate::agent::Tier;
    use crate::queue::escalated_queue;
    let p = Policy::builtin();
    let mut q = QueueIndex::new(&p, p.priority.weights, 0);
    let mut ts: Vec<T> = (1..=3).map(|i| ticket(i, i * 1000, 30.0 + i as f64)).collect();
    for t in &mut ts {
        t.category = Some("cards".into());
        t.team = Some("payments".into());
        t.tier = Some(Tier::L1);
    }
    ts[1].tier = Some(Tier::L2); // escalated a tier up
    ts[2].team = Some("engineering_support".into()); // escalated to another team
    for t in &ts {
        q.upsert(&item(t), 0);
    }
    let ids = |q: &mut QueueIndex, queues: Vec<String>| {
        let f = QueueFilter { queues: Some(queues), ..Default::default() };
        q.top(10, &f, None, 10).0.iter().map(|r| r.id).collect::<Vec<_>>()
    };
    assert_eq!(ids(&mut q, vec!["cards".into()]), [1], "only the one still with the card team at L1");
    assert_eq!(ids(&mut q, vec![escalated_queue("payments", Tier::L2)]), [2]);
    assert_eq!(ids(&mut q, vec![escalated_queue("engineering_support", Tier::L1)]), [3]);
    assert_eq!(ids(&mut q, vec![]), Vec::<i64>::new(), "no queue, nothing");
    let all = q.top(10, &QueueFilter::default(), None, 10).0.iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(all, [3, 2, 1], "everything in the whole queue");
    // A view by category sees its tickets wherever they sit; with queues, only there.
    let cards = QueueFilter { categories: vec!["cards".into()], ..Default::default() };
    assert_eq!(q.top(10, &cards, None, 10).0.iter().map(|r| r.id).collect::<Vec<_>>(), [3, 2, 1]);
    let both = QueueFilter { queues: Some(vec![escalated_queue("payments", Tier::L2)]), ..cards.clone() };
    assert_eq!(q.top(10, &both, None, 10).0.iter().map(|r| r.id).collect::<Vec<_>>(), [2]);
    let security = QueueFilter { categories: vec!["security".into()], ..Default::default() };
    assert!(q.top(10, &security, None, 10).0.is_empty(), "an escalated card ticket is not a security ticket");
    // Back home: the de-escalated ticket files under its category again.
    ts[1].tier = Some(Tier::L1);
    q.upsert(&QueueItem { version: 2, ..item(&ts[1]) }, 20);
    assert_eq!(ids(&mut q, vec!["cards".into()]), [2, 1]);
}

#[test]
fn closed_tickets_leave_and_stale_versions_are_ignored() {
    let p = Policy::builtin();
    let mut q = QueueIndex::new(&p, p.priority.weights, 0);
    let t = ticket(1, 0, 40.0);
    let mut it = item(&t);
    it.version = 3;
    q.upsert(&it, 0);
    let mut older = it;
    older.version = 2;
    older.open = false;
    q.upsert(&older, 0);
    assert_eq!(q.len(), 1, "version 2 arrived after version 3");
    let mut closed = it;
    closed.version = 4;
    closed.open = false;
    q.upsert(&closed, 0);
    assert!(q.is_empty());
    assert_eq!(q.top(0, &QueueFilter::default(), None, 5).0, vec![]);
}

#[test]
fn level_and_tag_filters_pick_their_tickets() {
    let p = Policy::builtin();
    let mut q = QueueIndex::new(&p, p.priority.weights, 0);
    let tagged_view = p.views.iter().find_map(|v| v.tag.clone());
    assert!(tagged_view.is_some(), "the built-in policy has a view by tag");
    // Levels are stored, not read off the score: #6 scores like a P3 but is a P2.
    let levels = ["P1", "P2", "P3", "P4", "P1", "P2"];
    let mut ts: Vec<T> = [85.0, 65.0, 45.0, 25.0, 82.0, 41.0]
        .iter()
        .enumerate()
        .map(|(i, s)| T { level: Some(levels[i]), ..ticket(i as i64 + 1, 0, *s) })
        .collect();
    if let Some(tag) = &tagged_view {
        ts[5].tags = vec![tag.clone()];
    }
    for t in &ts {
        q.upsert(&item(t), 0);
    }
    let ids = |f: QueueFilter, q: &mut QueueIndex| q.top(0, &f, None, 10).0.iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(ids(QueueFilter { levels: vec!["P1".into()], ..Default::default() }, &mut q), [1, 5]);
    assert_eq!(ids(QueueFilter { levels: vec!["P3".into(), "P4".into()], ..Default::default() }, &mut q), [3, 4]);
    assert_eq!(ids(QueueFilter { levels: vec!["P2".into(), "P4".into()], ..Default::default() }, &mut q), [2, 6, 4]);
    if let Some(tag) = tagged_view {
        assert_eq!(ids(QueueFilter { tag: Some(tag), ..Default::default() }, &mut q), [6]);
    }
    assert_eq!(
        ids(QueueFilter { tag: Some("not-a-view-tag".into()), ..Default::default() }, &mut q),
        Vec::<i64>::new()
    );
}

#[test]
fn surge_weights_reorder_the_queue() {
    let p = Policy::builtin();
    let mut q = QueueIndex::new(&p, p.priority.weights, 0);
    let mut a = ticket(1, 0, 40.0);
    a.points = pts(40.0, 15.0);
    let b = ticket(2, 0, 50.0);
    q.upsert(&item(&a), 0);
    q.upsert(&item(&b), 0);
    assert_eq!(q.top(0, &QueueFilter::default(), None, 2).0[0].id, 1, "55 before 50");
    let mut surge = p.priority.weights;
    surge.set(Strategy::Customer, 0.0);
    q.set_weights(surge);
    assert_eq!(q.top(0, &QueueFilter::default(), None, 2).0[0].id, 2, "customer points off in the surge");
}

#[test]
fn time_moves_the_score_but_never_the_level() {
    let p = Policy::builtin();
    let mut q = QueueIndex::new(&p, p.priority.weights, 0);
    let mut t = ticket(1, 0, 59.0);
    t.level = Some("P3");
    t.due_ms = Some(H);
    q.upsert(&item(&t), 0);
    let p3 = p.levels.iter().position(|l| l.name == "P3").unwrap();
    assert_eq!(q.get(1, 0).map(|r| r.level), Some(p3));
    let later = q.get(1, 20 * H).unwrap();
    assert!(later.score > 80.0, "waiting and a breached target add points: {later:?}");
    assert_eq!(later.level, p3, "still the P3 it was promised as");
    let urgent = QueueFilter { levels: vec!["P1".into(), "P2".into()], ..Default::default() };
    assert!(q.top(20 * H, &urgent, None, 5).0.is_empty(), "a view of P1 and P2 does not show it");
}

fn arb_ticket(id: i64) -> impl proptest::strategy::Strategy<Value = T> {
    (0i64..200, proptest::option::of(0i64..400), 0usize..4, any::<bool>(), 0u8..100, 0u8..20).prop_map(
        move |(created_min, due_min, cat, assigned, sev, cust)| T {
            id,
            created_ms: created_min * 60_000,
            due_ms: due_min.map(|m| m * 60_000),
            category: [None, Some("cards"), Some("security"), Some("unknown")][cat].map(String::from),
            // Some escalated: held by another team or tier than their category's.
            team: [None, None, Some("payments"), Some("engineering_support")][cat].map(String::from),
            tier: [None, Some(crate::agent::Tier::L1), Some(crate::agent::Tier::L2), Some(crate::agent::Tier::L3)]
                [(id % 4) as usize],
            assigned,
            tags: vec![],
            points: pts(sev as f64, cust as f64 / 2.0),
            level: [None, Some("P1"), Some("P2"), Some("P3"), Some("P4")][(id % 5) as usize],
        },
    )
}

fn arb_tickets() -> impl proptest::strategy::Strategy<Value = Vec<T>> {
    (1usize..60).prop_flat_map(|n| (1..=n as i64).map(arb_ticket).collect::<Vec<_>>())
}

proptest! {
    /// At any instant the index lists every open ticket exactly once, best
    /// first by the engine's score (ties by id), with the engine's score.
    #[test]
    fn the_index_orders_like_a_full_sort(ts in arb_tickets(), times in proptest::collection::vec(0i64..600, 1..6), surge in any::<bool>()) {
        let p = Policy::builtin();
        let mut w = p.priority.weights;
        if surge {
            w.set(Strategy::Age, 3.0);
            w.set(Strategy::Customer, 0.0);
        }
        let mut q = QueueIndex::new(&p, w, 0);
        for t in &ts {
            q.upsert(&item(t), 0);
        }
        let mut times = times;
        times.sort();
        for m in times {
            let now = m * 60_000 + 17;
            let (got, _) = q.top(now, &QueueFilter::default(), None, 1000);
            prop_assert_eq!(got.len(), ts.len());
            let mut seen: Vec<i64> = got.iter().map(|r| r.id).collect();
            seen.sort();
            seen.dedup();
            prop_assert_eq!(seen.len(), ts.len());
            for r in &got {
                let t = &ts[(r.id - 1) as usize];
                prop_assert!((r.score - brute(&p, &w, t, now)).abs() < 1e-6, "{} vs {}", r.score, brute(&p, &w, t, now));
            }
            // Best first. Scores equal to within rounding may come in either order;
            // the index's own order (score, then id) is total and the same every time.
            for pair in got.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                prop_assert!(a.score > b.score - 1e-9, "{:?} before {:?}", a, b);
            }
        }
    }

    /// A filter by levels lists exactly the tickets stored at those levels
    /// (tickets without one count as the least urgent), best first.
    #[test]
    fn level_filters_select_by_the_stored_level(ts in arb_tickets(), pick in proptest::collection::vec(any::<bool>(), 4)) {
        let p = Policy::builtin();
        let mut q = QueueIndex::new(&p, p.priority.weights, 0);
        for t in &ts {
            q.upsert(&item(t), 0);
        }
        let levels: Vec<String> = ["P1", "P2", "P3", "P4"].iter().zip(&pick).filter(|(_, k)| **k).map(|(l, _)| l.to_string()).collect();
        let now = 45 * 60_000;
        let f = QueueFilter { levels: levels.clone(), ..Default::default() };
        let (got, _) = q.top(now, &f, None, 1000);
        let (all, _) = q.top(now, &QueueFilter::default(), None, 1000);
        let want: Vec<i64> = if levels.is_empty() {
            all.iter().map(|r| r.id).collect()
        } else {
            all.iter().filter(|r| levels.contains(&ts[(r.id - 1) as usize].level.unwrap_or("P4").to_string())).map(|r| r.id).collect()
        };
        prop_assert_eq!(got.iter().map(|r| r.id).collect::<Vec<_>>(), want);
    }

    /// Paging with the cursor yields the same tickets as one long page.
    #[test]
    fn pages_join_up(ts in arb_tickets(), page in 1usize..7) {
        let p = Policy::builtin();
        let mut q = QueueIndex::new(&p, p.priority.weights, 0);
        for t in &ts {
            q.upsert(&item(t), 0);
        }
        let now = 90 * 60_000;
        let (all, _) = q.top(now, &QueueFilter::default(), None, 1000);
        let mut paged = Vec::new();
        let mut cursor = None;
        loop {
            let (items, next) = q.top(now, &QueueFilter::default(), cursor, page);
            paged.extend(items.iter().map(|r| r.id));
            match next { Some(c) => cursor = Some(c), None => break }
        }
        prop_assert_eq!(paged, all.iter().map(|r| r.id).collect::<Vec<_>>());
    }

    /// Taking tickets one by one hands each unassigned ticket out once, best first.
    #[test]
    fn take_next_drains_in_order(ts in arb_tickets()) {
        let p = Policy::builtin();
        let mut q = QueueIndex::new(&p, p.priority.weights, 0);
        for t in &ts {
            q.upsert(&item(t), 0);
        }
        let now = 30 * 60_000;
        let f = QueueFilter { unassigned: true, ..Default::default() };
        let (expected, _) = q.top(now, &f, None, 1000);
        let taken: Vec<i64> = std::iter::from_fn(|| q.take_next(now, &f).map(|r| r.id)).collect();
        prop_assert_eq!(taken, expected.iter().map(|r| r.id).collect::<Vec<_>>());
        prop_assert_eq!(expected.len(), ts.iter().filter(|t| !t.assigned).count());
    }
}
