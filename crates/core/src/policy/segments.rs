//! Customer segments (`[segments]`): account types, customer categories and personas.

use super::file::SegmentsFile;
use super::validate::Errors;
use super::Segments;

/// Checks that each list names its values once and that account types and
/// customer categories are not empty.
pub(super) fn segments(errs: &mut Errors, s: &SegmentsFile) -> Segments {
    for (what, list) in [("account type", &s.account_types), ("customer category", &s.customer_categories)] {
        errs.unique_values(what, list);
    }
    if let Some(p) = &s.personas {
        errs.unique_values("persona", p);
    }
    if s.account_types.get_ref().is_empty() {
        errs.at(
            s.account_types.span(),
            "no account types are declared",
            "e.g. account_types = [\"free\", \"pro\", \"enterprise\"]",
        );
    }
    if s.customer_categories.get_ref().is_empty() {
        errs.at(
            s.customer_categories.span(),
            "no customer categories are declared",
            "e.g. customer_categories = [\"new\", \"standard\"]",
        );
    }
    Segments {
        account_types: s.account_types.get_ref().clone(),
        customer_categories: s.customer_categories.get_ref().clone(),
        personas: s.personas.as_ref().map(|p| p.get_ref().clone()).unwrap_or_default(),
    }
}
