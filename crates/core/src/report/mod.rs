//! Reports: what happened to tickets, added up. Pure; the server gathers the
//! tickets and their histories, these functions count.

mod predictions;
mod routing;
mod sla;

pub use predictions::{prediction_report, Agreement, LabelOutcome, TargetAccuracy, WeekAccuracy};
pub use routing::{routing_report, BouncedTicket, CategoryEscalations, RoutingReport, TicketPath};
pub use sla::{sla_report, Attainment, Distribution, ReportTicket, SlaReport, Tally, Times};
