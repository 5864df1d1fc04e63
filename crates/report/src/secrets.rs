//! Secret findings: the table section and their place in the common findings model.

use std::io::{self, Write};

use comfy_table::presets::UTF8_BORDERS_ONLY;
use comfy_table::{Cell, ContentArrangement, Table};
use drydock_secrets::{FindingSource, SecretFinding};
use serde::Serialize;

use crate::findings::{common_severity, in_base_image, Finding, FindingKind, Location};
use crate::summary::shorten;

/// What the secret scanner looked at and found.
#[derive(Debug, Default, Serialize)]
pub struct SecretScan {
    /// Rules that ran (built-in and user rules, minus disabled ones).
    pub rules: usize,
    /// Files not read because they exceed the size cap.
    pub files_over_size_cap: usize,
    pub findings: Vec<SecretFinding>,
}

/// Where a secret sits, in a few words: `/root/.npmrc:2`, `Env NPM_TOKEN`, `history 7`.
fn place(f: &SecretFinding) -> String {
    match f.source {
        FindingSource::File => {
            let path = f.path.as_deref().unwrap_or("-");
            match f.line {
                Some(line) => format!("{path}:{line}"),
                None => path.to_string(),
            }
        }
        FindingSource::Env => format!("Env {}", f.key.as_deref().unwrap_or("")),
        FindingSource::Label => format!("Label {}", f.key.as_deref().unwrap_or("")),
        FindingSource::History => match &f.history {
            Some(h) => format!("history {}", h.index),
            None => "history".into(),
        },
    }
}

fn fix(f: &SecretFinding) -> String {
    let rotate = "revoke and rotate the credential";
    match (f.source, &f.removed) {
        (FindingSource::File, Some(_)) => format!(
            "{rotate}; deleting it in a later layer does not remove it from the image: \
             keep it out of the build context or use a build secret (RUN --mount=type=secret)"
        ),
        (FindingSource::File, None) => {
            format!("{rotate}; keep the file out of the image (.dockerignore, build secrets)")
        }
        (FindingSource::Env | FindingSource::Label, _) => {
            format!("{rotate}; pass it at run time instead of baking it into the image config")
        }
        (FindingSource::History, _) => {
            format!("{rotate}; use a build secret (RUN --mount=type=secret), not a build argument or command line")
        }
    }
}

pub(crate) fn finding(f: &SecretFinding, base_layers: Option<usize>) -> Finding {
    let layer = f.layer.as_ref().map(|l| l.index);
    let config = match f.source {
        FindingSource::File => None,
        _ => Some(place(f)),
    };
    let mut message = format!("{} in {}", f.title, place(f));
    if let Some(redacted) = &f.redacted {
        message = format!("{message}: {redacted}");
    }
    if let Some(note) = &f.note {
        message = format!("{message} ({note})");
    }
    Finding {
        kind: FindingKind::Secret,
        id: f.rule_id.clone(),
        severity: common_severity(f.severity.as_str()),
        title: f.title.clone(),
        message,
        location: Location::in_image(
            f.path.clone(),
            f.line,
            f.layer.as_ref(),
            f.history.as_ref(),
            config,
        ),
        fix: Some(fix(f)),
        fixable: true,
        base_image: in_base_image(layer, base_layers),
        help_uri: None,
        aliases: Vec::new(),
        purl: None,
    }
}

pub(crate) fn write(scan: &SecretScan, out: &mut dyn Write) -> io::Result<()> {
    let n = scan.findings.len();
    writeln!(
        out,
        "\nSecrets — {n} finding{}",
        if n == 1 { "" } else { "s" }
    )?;
    if scan.files_over_size_cap > 0 {
        writeln!(
            out,
            "({} file{} over the size cap not read)",
            scan.files_over_size_cap,
            if scan.files_over_size_cap == 1 {
                ""
            } else {
                "s"
            }
        )?;
    }
    if scan.findings.is_empty() {
        return Ok(());
    }
    let mut table = Table::new();
    table
        .load_preset(UTF8_BORDERS_ONLY)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(vec!["Rule", "Severity", "Where", "Layer", "Match", "Note"]);
    for f in &scan.findings {
        let layer = f
            .layer
            .as_ref()
            .map(|l| l.index.to_string())
            .unwrap_or_else(|| "-".into());
        table.add_row(vec![
            Cell::new(&f.rule_id),
            Cell::new(f.severity.as_str()),
            Cell::new(shorten(&place(f), 60)),
            Cell::new(layer),
            Cell::new(f.redacted.as_deref().unwrap_or("-")),
            Cell::new(shorten(f.note.as_deref().unwrap_or(""), 50)),
        ]);
    }
    writeln!(out, "{table}")
}
