//! Ticket categories (`[[categories]]`): skills, tier and team of each kind of request.

use super::file::CategoryFile;
use super::validate::Errors;
use super::CategoryDef;
use crate::agent::Tier;
use toml::Spanned;

/// Checks that categories are named once and name a known tier.
pub(super) fn categories(errs: &mut Errors, raw: &[Spanned<CategoryFile>]) -> Vec<CategoryDef> {
    errs.unique_names("category", raw.iter().map(|c| &c.get_ref().name));
    let mut categories = Vec::new();
    for c in raw {
        let c = c.get_ref();
        let tier = match c.tier.get_ref().parse::<Tier>() {
            Ok(t) => t,
            Err(e) => {
                errs.at(c.tier.span(), e.message, "");
                Tier::L1
            }
        };
        categories.push(CategoryDef {
            name: c.name.get_ref().clone(),
            description: c.description.clone(),
            skills: c.skills.clone(),
            tier,
            team: c.team.clone(),
        });
    }
    categories
}

/// The teams the categories route to, sorted, each once.
pub(super) fn teams_routed_to(categories: &[CategoryDef]) -> Vec<String> {
    let mut t: Vec<String> = categories.iter().map(|c| c.team.clone()).collect();
    t.sort();
    t.dedup();
    t
}
