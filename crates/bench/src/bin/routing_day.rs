//! A simulated working day per routing strategy: how evenly each spreads the
//! work (utilization Gini and busiest over mean, averaged over the day's minutes).
//!
//! ```text
//! cargo run --release -p triage-bench --bin routing_day -- [agents] [tickets]
//! ```

use triage_core::routing::sim::{run, Day};
use triage_core::routing::RoutingStrategy;

fn main() {
    let agents: usize = std::env::args().nth(1).map_or(20, |a| a.parse().expect("an agent count"));
    let tickets: usize = std::env::args().nth(2).map_or(1_200, |a| a.parse().expect("a ticket count"));
    println!("{agents} agents, {tickets} tickets over 8 hours, capacity 12 each");
    println!(
        "{:<18} {:>9} {:>7} {:>10} {:>12} {:>11}",
        "strategy", "assigned", "waited", "mean Gini", "max/mean", "worst Gini"
    );
    for s in [RoutingStrategy::LoadBalanced, RoutingStrategy::RoundRobin, RoutingStrategy::SkillLeastLoad] {
        let mut sum = (0usize, 0usize, 0.0, 0.0, 0.0f64);
        let seeds = 10;
        for seed in 0..seeds {
            let r = run(Day { agents, tickets, seed, ..Day::default() }, s);
            sum = (
                sum.0 + r.assigned,
                sum.1 + r.waited,
                sum.2 + r.mean_gini,
                sum.3 + r.mean_max_over_mean,
                sum.4.max(r.worst_gini),
            );
        }
        let n = seeds as f64;
        println!(
            "{:<18} {:>9} {:>7} {:>10.3} {:>12.2} {:>11.3}",
            s.as_str(),
            sum.0 / seeds as usize,
            sum.1 / seeds as usize,
            sum.2 / n,
            sum.3 / n,
            sum.4
        );
    }
}
