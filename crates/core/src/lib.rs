//! Pure rules of Triage: the domain types, the policy model and its validation.
//!
//! Nothing here does I/O. Time comes from a [`clock::Clock`] the caller hands in,
//! so the server, the CLI and the simulator run the same code.

pub mod agent;
pub mod classify;
pub mod clock;
pub mod contact;
pub mod email;
pub mod error;
pub mod intake;
pub mod notification;
pub mod organization;
pub mod plan;
pub mod policy;
pub mod priority;
pub mod queue;
pub mod report;
pub mod routing;
pub mod sentiment;
pub mod sla;
pub mod text;
pub mod ticket;

pub use error::DomainError;
