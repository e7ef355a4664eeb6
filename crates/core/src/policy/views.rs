//! Queue views (`[[views]]`): named filters agents pick work from.

use super::file::ViewFile;
use super::levels::KnownLevels;
use super::validate::Errors;
use super::{CategoryDef, ViewDef};
use toml::Spanned;

/// Checks that views are named once and filter on declared categories and levels.
pub(super) fn views(
    errs: &mut Errors,
    raw: &[Spanned<ViewFile>],
    categories: &[CategoryDef],
    levels: &KnownLevels,
) -> Vec<ViewDef> {
    errs.unique_names("view", raw.iter().map(|v| &v.get_ref().name));
    let mut views = Vec::new();
    for v in raw {
        let v = v.get_ref();
        for c in &v.categories {
            if !categories.iter().any(|x| &x.name == c.get_ref()) {
                errs.at(c.span(), format!("view `{}` names unknown category `{}`", v.name.get_ref(), c.get_ref()), "");
            }
        }
        for l in &v.levels {
            levels.check(errs, l, &format!("view `{}`", v.name.get_ref()));
        }
        views.push(ViewDef {
            name: v.name.get_ref().clone(),
            description: v.description.clone(),
            categories: v.categories.iter().map(|c| c.get_ref().clone()).collect(),
            levels: v.levels.iter().map(|c| c.get_ref().clone()).collect(),
            tag: v.tag.clone(),
            unassigned: v.unassigned,
        });
    }
    views
}
