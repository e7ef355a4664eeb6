//! What customers may do (`[customers]`): the ticket fields they may set.

use super::file::CustomersFile;
use super::validate::Errors;
use super::CustomersDef;

/// Checks that `may_set` names only fields customers can be given.
pub(super) fn customers(errs: &mut Errors, raw: Option<&CustomersFile>) -> CustomersDef {
    CustomersDef {
        may_set: raw
            .into_iter()
            .flat_map(|c| c.may_set.iter())
            .filter_map(|f| {
                if CustomersDef::SETTABLE.contains(&f.get_ref().as_str()) {
                    Some(f.get_ref().clone())
                } else {
                    errs.at(
                        f.span(),
                        format!("customers.may_set names `{}`, which customers cannot be given", f.get_ref()),
                        format!("use any of: {}", CustomersDef::SETTABLE.join(", ")),
                    );
                    None
                }
            })
            .collect(),
    }
}
