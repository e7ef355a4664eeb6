//! Memory of the open-ticket queue index: resident set size before and after
//! filing N open tickets (default 1,000,000), in bytes per ticket.
//!
//! ```text
//! cargo run --release -p triage-bench --bin queue_memory -- 1000000
//! ```

use triage_bench::seed::queue_item;
use triage_core::policy::Policy;
use triage_core::priority::{Points, Strategy};
use triage_core::queue::{QueueFilter, QueueIndex};

fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS");
    kb * 1024
}

fn main() {
    let n: i64 = std::env::args().nth(1).map_or(1_000_000, |a| a.parse().expect("a ticket count"));
    let policy = Policy::builtin();
    let now = 1_795_824_000_000i64;
    let tags = ["follow-up".to_string()];
    let before = rss_bytes();
    let mut q = QueueIndex::new(&policy, policy.priority.weights, now);
    let mut points = Points([0.0; Strategy::COUNT]);
    for i in 1..=n {
        // The benchmark's tickets, varied: a third assigned, half with an SLA due
        // time, a tenth tagged.
        let mut item = queue_item(i, now, &mut points);
        item.assigned = i % 3 == 0;
        item.tags = if i % 10 == 0 { &tags } else { &[] };
        item.sla_due_ms = (i % 2 == 0).then_some(now + (i % 86_400) * 1000);
        q.upsert(&item, now);
    }
    // Let time pass so tickets move between classes, as in a running server.
    let top = q.top(now + 3_600_000, &QueueFilter::default(), None, 1).0;
    let after = rss_bytes();
    let per = (after - before) as f64 / n as f64;
    println!(
        "{n} open tickets: RSS {:.1} MiB -> {:.1} MiB, {:.0} bytes per ticket (index's own estimate {:.0}); top ticket {}",
        before as f64 / 1048576.0,
        after as f64 / 1048576.0,
        per,
        q.heap_bytes() as f64 / n as f64,
        top[0].id
    );
}
