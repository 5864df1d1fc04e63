//! The image summary: what an image is, how it is configured, and which build step made
//! each layer.

use std::collections::BTreeMap;
use std::io::{self, Write};

use comfy_table::presets::UTF8_BORDERS_ONLY;
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table};
use drydock_image::{Analysis, FileKind, Image, SourceKind};
use drydock_inventory::EolStatus;
use serde::Serialize;

/// Version of the JSON document below; bumped on any incompatible change.
pub const SUMMARY_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub struct ImageSummary {
    pub schema_version: u32,
    pub source: SourceKind,
    pub location: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_digest: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<ConfigSummary>,
    pub layers: Vec<LayerSummary>,
    /// Files (not directories) in the final filesystem.
    pub files: usize,
    /// Files an earlier layer shipped and a later one deleted.
    pub deleted_files: Vec<DeletedFileSummary>,
}

#[derive(Debug, Serialize)]
pub struct ConfigSummary {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    /// Names only: values often hold secrets and belong in the secret scanner's report.
    pub env: Vec<String>,
    pub exposed_ports: Vec<String>,
    pub volumes: Vec<String>,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Vec<String>>,
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
pub struct LayerSummary {
    pub index: usize,
    pub diff_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub media_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blob_size: Option<u64>,
    /// Uncompressed size of the layer tar.
    pub size: u64,
    /// Paths the layer writes (files, directories, links).
    pub entries: usize,
    /// Deletions it makes (whiteouts and opaque directories).
    pub deletions: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history_index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct DeletedFileSummary {
    pub path: String,
    pub added_in_layer: usize,
    pub removed_in_layer: usize,
}

impl ImageSummary {
    pub fn from_image(image: &Image, analysis: &Analysis) -> Self {
        let cfg = &image.config;
        let c = &cfg.config;
        let platform = (!cfg.os.is_empty()).then(|| {
            let mut p = format!("{}/{}", cfg.os, cfg.architecture);
            if let Some(v) = &cfg.variant {
                p.push('/');
                p.push_str(v);
            }
            p
        });
        let layers = image
            .layers
            .iter()
            .zip(&analysis.layers)
            .map(|(layer, facts)| LayerSummary {
                index: layer.index,
                diff_id: layer.diff_id.to_string(),
                digest: layer.digest.as_ref().map(|d| d.to_string()),
                media_type: layer.media_type.clone(),
                blob_size: layer.blob_size,
                size: facts.size,
                entries: facts.entries.len(),
                deletions: facts.whiteouts.len() + facts.opaque_dirs.len(),
                history_index: layer.history_index,
                created_by: layer.history.as_ref().and_then(|h| h.created_by.clone()),
            })
            .collect();
        let config = ConfigSummary {
            user: c.user.clone().filter(|u| !u.is_empty()),
            working_dir: c.working_dir.clone().filter(|w| !w.is_empty()),
            env: c
                .env
                .iter()
                .map(|e| e.split_once('=').map_or(e.as_str(), |(k, _)| k).to_string())
                .collect(),
            exposed_ports: c.exposed_ports.keys().cloned().collect(),
            volumes: c.volumes.keys().cloned().collect(),
            entrypoint: c.entrypoint.clone(),
            cmd: c.cmd.clone(),
            healthcheck: c.healthcheck.as_ref().map(|h| h.test.clone()),
            labels: c.labels.clone(),
        };
        ImageSummary {
            schema_version: SUMMARY_SCHEMA_VERSION,
            source: image.kind,
            location: image.location.clone(),
            name: image.name.clone(),
            manifest_digest: image.manifest_digest.as_ref().map(|d| d.to_string()),
            index_digest: image.index_digest.as_ref().map(|d| d.to_string()),
            image_id: Some(image.config_digest.to_string()),
            platform,
            created: cfg.created.clone(),
            author: cfg.author.clone(),
            config: Some(config),
            layers,
            ..Self::filesystem(analysis)
        }
    }

    pub fn from_rootfs(location: &str, analysis: &Analysis) -> Self {
        let layers = analysis
            .layers
            .iter()
            .enumerate()
            .map(|(index, facts)| LayerSummary {
                index,
                diff_id: String::new(),
                digest: None,
                media_type: String::new(),
                blob_size: None,
                size: facts.size,
                entries: facts.entries.len(),
                deletions: 0,
                history_index: None,
                created_by: None,
            })
            .collect();
        ImageSummary {
            location: location.to_string(),
            layers,
            ..Self::filesystem(analysis)
        }
    }

    fn filesystem(analysis: &Analysis) -> Self {
        let mut deleted_files: Vec<DeletedFileSummary> = analysis
            .view
            .deleted()
            .iter()
            .map(|d| DeletedFileSummary {
                path: d.entry.path.clone(),
                added_in_layer: d.added_in,
                removed_in_layer: d.removed_in,
            })
            .collect();
        deleted_files.sort_by(|a, b| a.path.cmp(&b.path));
        ImageSummary {
            schema_version: SUMMARY_SCHEMA_VERSION,
            source: SourceKind::Rootfs,
            location: String::new(),
            name: None,
            manifest_digest: None,
            index_digest: None,
            image_id: None,
            platform: None,
            created: None,
            author: None,
            config: None,
            layers: Vec::new(),
            files: analysis
                .view
                .files()
                .filter(|n| n.entry.kind != FileKind::Dir)
                .count(),
            deleted_files,
        }
    }
}

/// `1234567` → `1.2 MB` (decimal units, as `du --si` and the layer table show them).
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// History lines can be long shell scripts; the table shows the start, JSON has it all.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        let cut: String = one_line.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "-".into()
    } else {
        items.join(", ")
    }
}

pub(crate) fn write_table(report: &crate::Report, out: &mut dyn Write) -> io::Result<()> {
    let s = &report.summary;
    let inventory = &report.inventory;
    let mut facts = Table::new();
    facts
        .load_preset(UTF8_BORDERS_ONLY)
        .set_content_arrangement(ContentArrangement::Dynamic);
    let mut row = |k: &str, v: String| {
        facts.add_row(vec![Cell::new(k), Cell::new(v)]);
    };
    row(
        "Image",
        s.name.clone().unwrap_or_else(|| s.location.clone()),
    );
    row("Source", format!("{} {}", s.source, s.location));
    if let Some(d) = &s.manifest_digest {
        row("Manifest", d.clone());
    }
    if let Some(d) = &s.index_digest {
        row("Index", d.clone());
    }
    if let Some(d) = &s.image_id {
        row("Image ID", d.clone());
    }
    if let Some(p) = &s.platform {
        row("Platform", p.clone());
    }
    if let Some(c) = &s.created {
        row("Created", c.clone());
    }
    if let Some(a) = &s.author {
        row("Author", a.clone());
    }
    if let Some(c) = &s.config {
        row(
            "User",
            c.user.clone().unwrap_or_else(|| "(root, none set)".into()),
        );
        if let Some(w) = &c.working_dir {
            row("Workdir", w.clone());
        }
        row("Env", list(&c.env));
        row("Ports", list(&c.exposed_ports));
        if !c.volumes.is_empty() {
            row("Volumes", list(&c.volumes));
        }
        row("Entrypoint", list(&c.entrypoint));
        row(
            "Cmd",
            if c.cmd.is_empty() {
                "-".into()
            } else {
                c.cmd.join(" ")
            },
        );
        row(
            "Healthcheck",
            c.healthcheck
                .as_ref()
                .map_or("none".into(), |h| h.join(" ")),
        );
    }
    row("Files", s.files.to_string());
    row(
        "OS",
        match &inventory.os {
            Some(os) => {
                let eol = match (os.eol_status, &os.eol_date) {
                    (EolStatus::EndOfLife, Some(date)) => {
                        format!(" — END OF LIFE since {date}, no more security fixes")
                    }
                    (EolStatus::Supported, Some(date)) => format!(" — supported until {date}"),
                    _ => String::new(),
                };
                format!("{} ({} {}){eol}", os.name, os.family, os.version)
            }
            None => "not detected".into(),
        },
    );
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &inventory.packages {
        *counts.entry(p.kind.as_str()).or_default() += 1;
    }
    row(
        "Packages",
        if counts.is_empty() {
            "none found".into()
        } else {
            counts
                .iter()
                .map(|(k, n)| format!("{n} {k}"))
                .collect::<Vec<_>>()
                .join(", ")
        },
    );
    writeln!(out, "{facts}")?;

    let mut layers = Table::new();
    layers
        .load_preset(UTF8_BORDERS_ONLY)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(vec!["#", "Diff ID", "Size", "Entries", "Created by"]);
    for l in &s.layers {
        layers.add_row(vec![
            Cell::new(l.index).set_alignment(CellAlignment::Right),
            Cell::new(l.diff_id.get(7..19).unwrap_or("-")),
            Cell::new(human_size(l.size)).set_alignment(CellAlignment::Right),
            Cell::new(l.entries).set_alignment(CellAlignment::Right),
            Cell::new(
                l.created_by
                    .as_deref()
                    .map_or("-".into(), |c| shorten(c, 90)),
            ),
        ]);
    }
    writeln!(out, "\nLayers")?;
    writeln!(out, "{layers}")?;

    if report.list_packages && !inventory.packages.is_empty() {
        let mut packages = Table::new();
        packages
            .load_preset(UTF8_BORDERS_ONLY)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(vec!["Package", "Version", "Type", "Source", "Layer"]);
        for p in &inventory.packages {
            let source = match (&p.source_name, &p.source_version) {
                (Some(n), Some(v)) if n != &p.name || v != &p.version => format!("{n} {v}"),
                _ => String::new(),
            };
            packages.add_row(vec![
                Cell::new(&p.name),
                Cell::new(&p.version),
                Cell::new(p.kind.as_str()),
                Cell::new(source),
                Cell::new(p.layer.as_ref().map_or("-".into(), |l| l.index.to_string()))
                    .set_alignment(CellAlignment::Right),
            ]);
        }
        writeln!(out, "\nPackages")?;
        writeln!(out, "{packages}")?;
    }

    if !s.deleted_files.is_empty() {
        let mut deleted = Table::new();
        deleted
            .load_preset(UTF8_BORDERS_ONLY)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(vec!["Path", "Added in layer", "Deleted in layer"]);
        for d in &s.deleted_files {
            deleted.add_row(vec![
                Cell::new(&d.path),
                Cell::new(d.added_in_layer).set_alignment(CellAlignment::Right),
                Cell::new(d.removed_in_layer).set_alignment(CellAlignment::Right),
            ]);
        }
        writeln!(
            out,
            "\nDeleted files (gone from the final filesystem, still shipped in earlier layers)"
        )?;
        writeln!(out, "{deleted}")?;
    }
    Ok(())
}

/// The closing line of the table: findings by kind and severity.
pub(crate) fn write_counts(counts: &crate::FindingCounts, out: &mut dyn Write) -> io::Result<()> {
    if counts.by_kind.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\nFindings: {} ({} fixable, {} from the base image)",
        counts.total, counts.fixable, counts.in_base_image
    )?;
    for (kind, severities) in &counts.by_kind {
        let parts: Vec<String> = severities
            .iter()
            .rev()
            .map(|(severity, n)| {
                let vulnerability = kind.is_vulnerability();
                // Rule-based scanners call their lowest level "info".
                let word = match severity {
                    drydock_matcher::Severity::Negligible if !vulnerability => "INFO",
                    other => other.as_str(),
                };
                format!("{word} {n}")
            })
            .collect();
        let total: usize = severities.values().sum();
        if parts.is_empty() {
            writeln!(out, "  {:<18} 0", kind.as_str())?;
        } else {
            writeln!(out, "  {:<18} {total}: {}", kind.as_str(), parts.join(", "))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_shortening() {
        assert_eq!(human_size(94), "94 B");
        assert_eq!(human_size(28_256_098), "28.3 MB");
        assert_eq!(shorten("RUN  a\n  b", 20), "RUN a b");
        assert_eq!(shorten("abcdefghij", 5), "abcd…");
    }
}
