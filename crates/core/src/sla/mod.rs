//! Service levels: business calendars and the time a target falls due on them.
//!
//! Business time is real elapsed time inside business intervals: a DST night
//! that loses an hour inside business hours gives one hour less, one that repeats
//! an hour gives one more. Pauses (waiting on the customer, on hold) stop the
//! clock; the clock resumes exactly where it stopped.

mod alarm;
mod calendar;
mod clocks;
mod due;
mod hours;
mod outcome;
#[cfg(test)]
mod tests;

pub use alarm::{due_triggers, ClockName, Promise, Trigger, TriggerKind};
pub use calendar::Calendar;
pub use clocks::{ticket_sla, when, Clock, ClockPhase, History, TicketSla};
pub use due::{due, due_day_by_day, elapsed, Due, Pause};
pub use hours::{parse_holiday, parse_hours, DaySpan, Holiday, Weekly};
pub use outcome::{Outcome, Verdict};
