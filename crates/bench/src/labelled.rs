//! The labelled data sets of `../shared/data` as categorization targets: which
//! columns make the text, which holds the label, and the published baseline's
//! scores (`../shared/data/README.md`, "Baselines to beat").

/// The data folder: the first command-line argument, or `../shared/data`
/// beside the project.
pub fn data_dir() -> std::path::PathBuf {
    std::env::args().nth(1).map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
        std::path::PathBuf::from,
    )
}

/// Hashed buckets (as bits) for a model of `classes` classes in these
/// harnesses: the most, from 2^17 to 2^20, that keep its weights under ~40 MB
/// (buckets x classes x 4 bytes), else 2^17.
pub fn bits_for(classes: usize) -> u8 {
    (17..=20u8).rev().find(|b| (1usize << b) * classes * 4 <= 40 << 20).unwrap_or(17)
}

/// One target: a label column of a data set.
pub struct Target {
    pub dataset: &'static str,
    pub name: &'static str,
    pub text: &'static [&'static str],
    pub label: &'static str,
    /// Only rows where this column has this value.
    pub only: Option<(&'static str, &'static str)>,
    /// Baseline accuracy and macro-F1 from the data README.
    pub baseline: (f64, f64),
}

/// The nine targets of the baseline table, in its order.
pub const TARGETS: &[Target] = &[
    Target {
        dataset: "endava_tickets",
        name: "ticket_type",
        text: &["title", "body"],
        label: "ticket_type",
        only: None,
        baseline: (0.995, 0.985),
    },
    Target {
        dataset: "endava_tickets",
        name: "category",
        text: &["title", "body"],
        label: "category",
        only: None,
        baseline: (0.841, 0.475),
    },
    Target {
        dataset: "endava_tickets",
        name: "urgency",
        text: &["title", "body"],
        label: "urgency",
        only: None,
        baseline: (0.952, 0.530),
    },
    Target {
        dataset: "endava_tickets",
        name: "impact",
        text: &["title", "body"],
        label: "impact",
        only: None,
        baseline: (0.992, 0.652),
    },
    Target {
        dataset: "endava_tickets",
        name: "urgency (incidents)",
        text: &["title", "body"],
        label: "urgency",
        only: Some(("ticket_type", "0")),
        baseline: (0.654, 0.435),
    },
    Target {
        dataset: "banking77",
        name: "intent",
        text: &["text"],
        label: "intent",
        only: None,
        baseline: (0.894, 0.894),
    },
    Target {
        dataset: "synthetic_support_tickets",
        name: "priority",
        text: &["subject", "body"],
        label: "priority",
        only: None,
        baseline: (0.498, 0.437),
    },
    Target {
        dataset: "synthetic_support_tickets",
        name: "queue",
        text: &["subject", "body"],
        label: "queue",
        only: None,
        baseline: (0.569, 0.394),
    },
    Target {
        dataset: "synthetic_support_tickets",
        name: "type",
        text: &["subject", "body"],
        label: "type",
        only: None,
        baseline: (0.834, 0.818),
    },
];

/// The texts (columns joined by line breaks) and labels of a target's rows in one CSV file.
pub fn read(path: &std::path::Path, t: &Target) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let mut r = csv::Reader::from_path(path)?;
    let headers = r.headers()?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name).ok_or_else(|| anyhow::anyhow!("no column {name}"));
    let text_cols: Vec<usize> = t.text.iter().map(|c| col(c)).collect::<Result<_, _>>()?;
    let label = col(t.label)?;
    let only = t.only.map(|(c, v)| col(c).map(|i| (i, v))).transpose()?;
    let (mut texts, mut labels) = (Vec::new(), Vec::new());
    for rec in r.records() {
        let rec = rec?;
        if let Some((i, v)) = only {
            if &rec[i] != v {
                continue;
            }
        }
        texts.push(text_cols.iter().map(|i| &rec[*i]).collect::<Vec<_>>().join("\n"));
        labels.push(rec[label].to_string());
    }
    Ok((texts, labels))
}
