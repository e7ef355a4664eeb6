//! Reports: what happened to tickets, added up. Pure; the server gathers the
//! tickets and their clocks, these functions count.

mod sla;

pub use sla::{sla_report, Attainment, Distribution, ReportTicket, SlaReport, Tally, Times};
