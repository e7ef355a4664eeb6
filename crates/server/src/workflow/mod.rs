//! The ticket workflow, once for every channel: the API's handlers, the web
//! pages, e-mail and `triage import` parse and authorize, then call these.
//!
//! - [`open`]: a new ticket (predict, prioritize, SLA clocks, route, forecast,
//!   acknowledge, store).

pub mod open;

pub use open::{open_ticket, prepare, Arrival, NewRequest, Opened, Prepared};
