//! Plans (`[[plans]]`): price, channels, SLA policy and priority boost of what
//! customers buy.

use super::file::PlanFile;
use super::validate::Errors;
use super::{PlanDef, SlaPolicyDef};
use crate::ticket::Channel;
use toml::Spanned;

/// Checks the plans' numbers and channels, and that each names a declared SLA policy.
pub(super) fn plans(errs: &mut Errors, raw: &[Spanned<PlanFile>], sla_policies: &[SlaPolicyDef]) -> Vec<PlanDef> {
    let sla_names: Vec<&str> = sla_policies.iter().map(|p| p.name.as_str()).collect();
    errs.unique_names("plan", raw.iter().map(|p| &p.get_ref().name));
    let mut plans = Vec::new();
    for p in raw {
        let p = p.get_ref();
        if !(0..=crate::plan::MAX_PRICE_CENTS).contains(p.price_cents.get_ref()) {
            errs.at(
                p.price_cents.span(),
                format!(
                    "plan `{}`: price_cents must be between 0 and {}",
                    p.name.get_ref(),
                    crate::plan::MAX_PRICE_CENTS
                ),
                "a price in cents, e.g. 49900 for 499.00",
            );
        }
        let boost = p.priority_boost.as_ref().map_or(0.0, |b| *b.get_ref());
        if let Some(b) = p.priority_boost.as_ref().filter(|b| !crate::plan::boost_in_range(*b.get_ref())) {
            errs.at(
                b.span(),
                format!(
                    "plan `{}`: priority_boost must be between -{max} and {max}",
                    p.name.get_ref(),
                    max = crate::plan::MAX_PRIORITY_BOOST
                ),
                "points added to the priority score of the plan's customers, e.g. 3",
            );
        }
        let mut channels = Vec::new();
        for c in p.channels.get_ref() {
            match c.parse::<Channel>() {
                Ok(ch) => channels.push(ch),
                Err(e) => errs.at(p.channels.span(), e, ""),
            }
        }
        if !sla_names.contains(&p.sla_policy.get_ref().as_str()) {
            errs.at(
                p.sla_policy.span(),
                format!("plan `{}` names unknown SLA policy `{}`", p.name.get_ref(), p.sla_policy.get_ref()),
                format!("declare it in [[sla_policies]] or use one of: {}", sla_names.join(", ")),
            );
        }
        plans.push(PlanDef {
            name: p.name.get_ref().clone(),
            description: p.description.clone(),
            price_cents: *p.price_cents.get_ref(),
            channels,
            sla_policy: p.sla_policy.get_ref().clone(),
            priority_boost: boost,
        });
    }
    plans
}
