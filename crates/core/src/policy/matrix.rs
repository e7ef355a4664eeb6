//! The impact x urgency matrix (`[matrix]`): one level per pair.

use super::file::MatrixFile;
use super::levels::KnownLevels;
use super::validate::Errors;
use super::Matrix;

/// Checks that impacts and urgencies are each listed once, that there is one
/// row per impact and one cell per urgency, and that every cell names a level.
pub(super) fn matrix(errs: &mut Errors, m: &MatrixFile, levels: &KnownLevels) -> Matrix {
    errs.unique_values("impact", &m.impact);
    errs.unique_values("urgency", &m.urgency);
    let rows = m.cells.get_ref();
    if rows.len() != m.impact.get_ref().len() {
        errs.at(
            m.cells.span(),
            format!("matrix has {} rows of cells but {} impact values", rows.len(), m.impact.get_ref().len()),
            "write one row per impact value, in the same order",
        );
    }
    for (i, row) in rows.iter().enumerate() {
        if row.get_ref().len() != m.urgency.get_ref().len() {
            errs.at(
                row.span(),
                format!(
                    "matrix row {} has {} cells but there are {} urgency values",
                    i + 1,
                    row.get_ref().len(),
                    m.urgency.get_ref().len()
                ),
                "write one cell per urgency value, in the same order",
            );
        }
        for cell in row.get_ref() {
            levels.check(errs, cell, "matrix cell");
        }
    }
    Matrix {
        impact: m.impact.get_ref().clone(),
        urgency: m.urgency.get_ref().clone(),
        cells: rows.iter().map(|r| r.get_ref().iter().map(|c| c.get_ref().clone()).collect()).collect(),
    }
}
