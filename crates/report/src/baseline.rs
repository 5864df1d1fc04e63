//! Baseline (insecure configuration) findings: the table section and their place in the
//! common findings model.

use std::io::{self, Write};

use comfy_table::presets::UTF8_BORDERS_ONLY;
use comfy_table::{Cell, ContentArrangement, Table};
use drydock_baseline::BaselineFinding;
use serde::Serialize;

use crate::findings::{common_severity, in_base_image, Finding, FindingKind, Location};
use crate::summary::shorten;

/// What the baseline checks found.
#[derive(Debug, Default, Serialize)]
pub struct BaselineScan {
    /// Rules that ran.
    pub rules: usize,
    pub findings: Vec<BaselineFinding>,
}

fn place(f: &BaselineFinding) -> String {
    match (&f.path, f.line) {
        (Some(path), Some(line)) => format!("{path}:{line}"),
        (Some(path), None) => path.clone(),
        (None, _) => "image config".into(),
    }
}

pub(crate) fn finding(f: &BaselineFinding, base_layers: Option<usize>) -> Finding {
    let layer = f.layer.as_ref().map(|l| l.index);
    let mut message = format!("{}: {}", f.title, f.evidence);
    if let Some(note) = &f.note {
        message = format!("{message} ({note})");
    }
    Finding {
        kind: FindingKind::Baseline,
        id: f.rule_id.clone(),
        severity: common_severity(f.severity.as_str()),
        title: f.title.clone(),
        message,
        location: Location::in_image(
            f.path.clone(),
            f.line,
            f.layer.as_ref(),
            f.history.as_ref(),
            f.path.is_none().then(|| "config".to_string()),
        ),
        fix: Some(f.fix.clone()).filter(|s| !s.is_empty()),
        fixable: !f.fix.is_empty(),
        base_image: in_base_image(layer, base_layers),
        help_uri: None,
        aliases: Vec::new(),
        purl: None,
    }
}

pub(crate) fn write(scan: &BaselineScan, out: &mut dyn Write) -> io::Result<()> {
    let n = scan.findings.len();
    writeln!(
        out,
        "\nBaseline configuration — {n} finding{}",
        if n == 1 { "" } else { "s" }
    )?;
    if scan.findings.is_empty() {
        return Ok(());
    }
    let mut table = Table::new();
    table
        .load_preset(UTF8_BORDERS_ONLY)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(vec!["Rule", "Severity", "Where", "Layer", "Finding", "Fix"]);
    for f in &scan.findings {
        let layer = f
            .layer
            .as_ref()
            .map(|l| l.index.to_string())
            .unwrap_or_else(|| "-".into());
        let mut what = format!("{}: {}", f.title, f.evidence);
        if let Some(note) = &f.note {
            what = format!("{what} ({note})");
        }
        table.add_row(vec![
            Cell::new(&f.rule_id),
            Cell::new(f.severity.as_str().to_ascii_uppercase()),
            Cell::new(shorten(&place(f), 40)),
            Cell::new(layer),
            Cell::new(shorten(&what, 70)),
            Cell::new(shorten(&f.fix, 50)),
        ]);
    }
    writeln!(out, "{table}")
}
