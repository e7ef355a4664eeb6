//! Teams (`[[teams]]`) and routing weights (`[routing]`): who hands out work how,
//! and how much of an agent's capacity a ticket of each level takes.

use super::file::{CategoryFile, RoutingFile, TeamFile};
use super::validate::Errors;
use crate::routing::RoutingStrategy;
use serde::Serialize;
use std::collections::BTreeMap;
use toml::Spanned;
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TeamDef {
    pub name: String,
    pub description: String,
    pub strategy: RoutingStrategy,
    /// Work may go over an agent's capacity when everyone qualified is full.
    pub overflow: bool,
    /// The lead's e-mail (an agent): told when a ticket of the team cannot be
    /// moved where an escalation or hand-off asked, because nobody works there.
    pub lead: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct RoutingDef {
    /// Capacity units a ticket of each level takes (a level not listed: 1).
    pub load: BTreeMap<String, f64>,
}

impl RoutingDef {
    pub fn load_of(&self, level: Option<&str>) -> f64 {
        level.and_then(|l| self.load.get(l)).copied().unwrap_or(1.0)
    }
}

pub(super) fn teams(
    errs: &mut Errors,
    raw: &[Spanned<TeamFile>],
    categories: &[Spanned<CategoryFile>],
) -> Vec<TeamDef> {
    errs.unique_names("team", raw.iter().map(|t| &t.get_ref().name));
    let mut out = Vec::new();
    for t in raw {
        let t = t.get_ref();
        let strategy = t.strategy.get_ref().parse::<RoutingStrategy>().unwrap_or_else(|m| {
            errs.at(t.strategy.span(), format!("team `{}`: {m}", t.name.get_ref()), "");
            RoutingStrategy::SkillLeastLoad
        });
        let lead = t.lead.as_ref().and_then(|l| match crate::email::Email::parse(l.get_ref()) {
            Ok(e) => Some(e.as_str().to_string()),
            Err(e) => {
                errs.at(l.span(), format!("team `{}`: lead {}", t.name.get_ref(), e.message), "the lead's e-mail");
                None
            }
        });
        out.push(TeamDef {
            name: t.name.get_ref().clone(),
            description: t.description.clone(),
            strategy,
            overflow: t.overflow,
            lead,
        });
    }
    if !raw.is_empty() {
        let names: Vec<&str> = out.iter().map(|t| t.name.as_str()).collect();
        for c in categories {
            let (span, c) = (c.span(), c.get_ref());
            if !names.contains(&c.team.as_str()) {
                errs.at(
                    span,
                    format!(
                        "category `{}` routes to team `{}`, which [[teams]] does not declare",
                        c.name.get_ref(),
                        c.team
                    ),
                    format!("declare it in [[teams]] or use one of: {}", names.join(", ")),
                );
            }
        }
    }
    out
}

pub(super) fn routing(errs: &mut Errors, raw: Option<&RoutingFile>, levels: &[String]) -> RoutingDef {
    let mut load = BTreeMap::new();
    for (level, w) in raw.map(|r| &r.load).into_iter().flatten() {
        if !levels.contains(level.get_ref()) {
            errs.at(
                level.span(),
                format!("routing.load names unknown level `{}`", level.get_ref()),
                format!("use one of: {}", levels.join(", ")),
            );
        }
        if !(*w.get_ref() > 0.0 && w.get_ref().is_finite()) {
            errs.at(w.span(), "a level's load must be a positive number", "e.g. P1 = 4 takes four units of capacity");
        }
        load.insert(level.get_ref().clone(), *w.get_ref());
    }
    RoutingDef { load }
}
