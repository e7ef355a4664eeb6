//! The ticket workflow, once for every channel: the API's handlers, the web
//! pages, e-mail and `triage import` parse and authorize, then call these.
//!
//! - [`open`]: a new ticket (predict, prioritize, SLA clocks, route, forecast,
//!   acknowledge, store).
//! - [`update`]: a person changes fields, an override or the status.
//! - [`message`]: a reply, an internal note, or the customer's reply.
//! - [`take`]: an agent pulls the next ticket from the queue.
//! - [`handoff`]: escalate or de-escalate with a note, never into a void.
//! - [`rescore`]: a ticket's priority again after a change, or every open
//!   ticket after a policy or customer change.
//! - [`mod@write`]: every change to a stored ticket, and [`followup`]: the work
//!   after it (queue index, SLA times, push routing), explicit and drainable.

pub mod followup;
pub mod handoff;
pub mod message;
pub mod open;
pub mod rescore;
pub mod take;
pub mod update;
pub mod write;

pub use followup::FollowUp;
pub use handoff::escalate;
pub use message::add_message;
pub use open::{open_ticket, prepare, Arrival, NewRequest, Opened, Prepared};
pub use take::take_next;
pub use update::{set_status, update_ticket, Change};
