//! Build-instruction findings in the table: one row per rule hit, with the line (or history
//! entry) and the rewrite.

use std::io::{self, Write};

use comfy_table::presets::UTF8_BORDERS_ONLY;
use comfy_table::{Cell, ContentArrangement, Table};

use crate::summary::shorten;
use drydock_dockerfile::{Finding, Origin};

pub(crate) fn write(target: &str, findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "\nBuild instructions — {target} — {} finding{}",
        findings.len(),
        if findings.len() == 1 { "" } else { "s" }
    )?;
    if findings.is_empty() {
        return Ok(());
    }
    let mut table = Table::new();
    table
        .load_preset(UTF8_BORDERS_ONLY)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(vec![
            "Rule",
            "Severity",
            "Where",
            "Finding",
            "Instruction",
            "Fix",
        ]);
    for f in findings {
        let place = match f.origin {
            Origin::Dockerfile if f.start_line == f.end_line => format!("line {}", f.start_line),
            Origin::Dockerfile => format!("lines {}-{}", f.start_line, f.end_line),
            Origin::History {
                index, base_image, ..
            } => format!("history {index}{}", if base_image { " (base)" } else { "" }),
            Origin::Config { ref field } => format!("config {field}"),
        };
        table.add_row(vec![
            Cell::new(f.rule_id),
            Cell::new(f.severity.as_str().to_ascii_uppercase()),
            Cell::new(place),
            Cell::new(shorten(&f.message, 60)),
            Cell::new(shorten(&f.instruction, 50)),
            Cell::new(shorten(&f.rewrite, 60)),
        ]);
    }
    writeln!(out, "{table}")
}

pub(crate) fn finding(target: &str, f: &Finding) -> crate::findings::Finding {
    use crate::findings::{common_severity, FindingKind, Location};
    let (path, line, end_line, config, base_image) = match &f.origin {
        Origin::Dockerfile => (
            Some(target.to_string()),
            Some(f.start_line),
            Some(f.end_line),
            None,
            false,
        ),
        Origin::History {
            index, base_image, ..
        } => (
            None,
            None,
            None,
            Some(format!("history[{index}]")),
            *base_image,
        ),
        Origin::Config { field } => (None, None, None, Some(field.clone()), false),
    };
    crate::findings::Finding {
        kind: FindingKind::BuildInstruction,
        id: f.rule_id.to_string(),
        severity: common_severity(f.severity.as_str()),
        title: f.title.to_string(),
        message: f.message.clone(),
        location: Location {
            path,
            line,
            end_line,
            created_by: (config.is_some() && !f.instruction.is_empty())
                .then(|| f.instruction.clone()),
            config,
            ..Location::default()
        },
        fix: Some(f.rewrite.clone()).filter(|r| !r.is_empty()),
        fixable: !f.rewrite.is_empty(),
        base_image,
        help_uri: None,
        aliases: Vec::new(),
        purl: None,
    }
}
