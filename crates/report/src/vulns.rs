//! The vulnerability part of the table: notices first, then one table per target (OS
//! packages, then each language manifest), each followed by its fix.

use std::collections::BTreeMap;
use std::io::{self, Write};

use comfy_table::presets::UTF8_BORDERS_ONLY;
use comfy_table::{Cell, ContentArrangement, Table};

use crate::summary::shorten;
use drydock_matcher::{FindingStatus, MatchReport, PackageClass, Severity, Vulnerability};

/// `CRITICAL 1, HIGH 3, MEDIUM 0 …` over the findings given.
pub fn severity_counts(findings: &[&Vulnerability]) -> String {
    let order = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Negligible,
        Severity::Unknown,
    ];
    order
        .iter()
        .map(|s| {
            let n = findings.iter().filter(|v| v.severity == *s).count();
            format!("{} {n}", s.as_str())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn layer_cell(v: &Vulnerability) -> String {
    match (&v.package.layer, v.package.in_base_image) {
        (Some(layer), Some(true)) => format!("{} (base)", layer.index),
        (Some(layer), _) => layer.index.to_string(),
        (None, _) => "-".into(),
    }
}

fn findings_table(findings: &[&Vulnerability], first_column: &str) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_BORDERS_ONLY)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(vec![
            first_column,
            "Vulnerability",
            "Severity",
            "Status",
            "Installed",
            "Fixed in",
            "Layer",
            "Title",
        ]);
    for v in findings {
        let severity = if v.known_exploited {
            format!("{} (exploited)", v.severity.as_str())
        } else {
            v.severity.as_str().to_string()
        };
        let package = match &v.package.source_name {
            Some(source) if *source != v.package.name => {
                format!("{} ({source})", v.package.name)
            }
            _ => v.package.name.clone(),
        };
        table.add_row(vec![
            Cell::new(package),
            Cell::new(&v.id),
            Cell::new(severity),
            Cell::new(v.status.as_str().replace('_', " ")),
            Cell::new(&v.package.version),
            Cell::new(v.fixed_versions.join(", ")),
            Cell::new(layer_cell(v)),
            Cell::new(shorten(v.title.as_deref().unwrap_or(""), 60)),
        ]);
    }
    table
}

pub(crate) fn write(report: &MatchReport, out: &mut dyn Write) -> io::Result<()> {
    let all: Vec<&Vulnerability> = report.vulnerabilities.iter().collect();
    let fixable = all
        .iter()
        .filter(|v| v.status == FindingStatus::Fixed)
        .count();
    writeln!(
        out,
        "\nVulnerabilities: {} ({}), {fixable} with a fix",
        all.len(),
        severity_counts(&all)
    )?;
    for notice in &report.notices {
        writeln!(out, "  ! {notice}")?;
    }

    let os: Vec<&Vulnerability> = all
        .iter()
        .copied()
        .filter(|v| v.class == PackageClass::Os)
        .collect();
    if let Some(target) = &report.os {
        let path = os.first().map(|v| v.package.path.as_str()).unwrap_or("");
        writeln!(
            out,
            "\n{} — OS packages{} — {} ({})",
            target.label,
            if path.is_empty() {
                String::new()
            } else {
                format!(" ({path})")
            },
            os.len(),
            severity_counts(&os)
        )?;
        if !os.is_empty() {
            writeln!(out, "{}", findings_table(&os, "Package"))?;
        }
        if let Some(fix) = &report.os_fix {
            writeln!(
                out,
                "Fix ({} finding{}): {}",
                fix.fixes,
                if fix.fixes == 1 { "" } else { "s" },
                fix.command
            )?;
            for line in &fix.impact {
                writeln!(out, "  - {line}")?;
            }
            let changes: Vec<String> = fix
                .changes
                .iter()
                .map(|c| format!("{} {} → ≥ {}", c.name, c.installed, c.target))
                .collect();
            writeln!(out, "  - changes: {}", changes.join("; "))?;
        }
    }

    let mut libraries: BTreeMap<(&str, &str), Vec<&Vulnerability>> = BTreeMap::new();
    for v in all.iter().filter(|v| v.class == PackageClass::Library) {
        libraries
            .entry((v.ecosystem.as_str(), v.package.path.as_str()))
            .or_default()
            .push(v);
    }
    for ((ecosystem, path), findings) in &libraries {
        writeln!(
            out,
            "\n{ecosystem} — {path} — {} ({})",
            findings.len(),
            severity_counts(findings)
        )?;
        writeln!(out, "{}", findings_table(findings, "Library"))?;
        for fix in report
            .app_fixes
            .iter()
            .filter(|f| f.ecosystem == *ecosystem && f.path == *path)
        {
            match (&fix.target, &fix.command) {
                (Some(target), command) => writeln!(
                    out,
                    "Fix {} {} → {target}{}{}",
                    fix.name,
                    fix.installed,
                    if fix.major_upgrade {
                        " (major upgrade)"
                    } else {
                        ""
                    },
                    command
                        .as_deref()
                        .map(|c| format!(": {c}"))
                        .unwrap_or_default()
                )?,
                (None, _) if !fix.fixes.is_empty() => writeln!(
                    out,
                    "Fix {} {}: no single version fixes all of {}",
                    fix.name,
                    fix.installed,
                    fix.fixes.join(", ")
                )?,
                _ => {}
            }
        }
    }
    if !report.skipped.is_empty() {
        writeln!(out, "\nNot matched")?;
        for s in &report.skipped {
            writeln!(out, "  {} {}: {}", s.name, s.version, s.reason)?;
        }
    }
    Ok(())
}
