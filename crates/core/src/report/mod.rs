//! Reports: what happened to tickets, added up. Pure; the server gathers the
//! tickets and their histories, these functions count.

mod routing;
mod sla;

pub use routing::{routing_report, BouncedTicket, CategoryEscalations, RoutingReport, TicketPath};
pub use sla::{sla_report, Attainment, Distribution, ReportTicket, SlaReport, Tally, Times};
