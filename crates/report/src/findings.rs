//! One findings model over every scanner: what SARIF, JUnit, the summary counts and
//! `--exit-code` read. The per-scanner sections of the JSON report keep their own detail;
//! this is the common shape every consumer can rely on.

use std::collections::BTreeMap;

use drydock_matcher::{FindingStatus, PackageClass, Severity, Vulnerability};
use serde::Serialize;

use crate::Report;

/// The six kinds of risk drydock reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    OsVulnerability,
    AppVulnerability,
    Secret,
    Malware,
    Baseline,
    BuildInstruction,
}

impl FindingKind {
    pub const ALL: [FindingKind; 6] = [
        FindingKind::OsVulnerability,
        FindingKind::AppVulnerability,
        FindingKind::Secret,
        FindingKind::Malware,
        FindingKind::Baseline,
        FindingKind::BuildInstruction,
    ];

    /// Vulnerabilities of packages (matched against the database), as opposed to
    /// rule-based findings.
    pub fn is_vulnerability(self) -> bool {
        matches!(
            self,
            FindingKind::OsVulnerability | FindingKind::AppVulnerability
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::OsVulnerability => "os-vulnerability",
            FindingKind::AppVulnerability => "app-vulnerability",
            FindingKind::Secret => "secret",
            FindingKind::Malware => "malware",
            FindingKind::Baseline => "baseline",
            FindingKind::BuildInstruction => "build-instruction",
        }
    }
}

/// Where a finding is: a file in a layer, a Dockerfile line, or an entry of the config.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Location {
    /// Absolute path inside the image, or the Dockerfile's path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// 1-based first and last line, where the finding has lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer_diff_id: Option<String>,
    /// The build step (history `created_by`) that made the layer, secrets redacted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// A config field (`Env`, `User`, `history[3]`) when the finding is not in a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    /// The package, for vulnerabilities: `name@version`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
}

impl Location {
    /// A place among an image's files (or, with `config`, in its config): the layer that
    /// shipped it and the build step that made that layer, as the file scanners record them.
    pub(crate) fn in_image(
        path: Option<String>,
        line: Option<usize>,
        layer: Option<&drydock_image::LayerRef>,
        history: Option<&drydock_image::HistoryRef>,
        config: Option<String>,
    ) -> Self {
        Location {
            path,
            line,
            end_line: line,
            layer: layer.map(|l| l.index),
            layer_diff_id: layer.and_then(|l| l.diff_id.clone()),
            created_by: history.map(|h| h.created_by.clone()),
            config,
            package: None,
        }
    }
}

/// Whether layer `layer` belongs to the base image, whose layers are the first `base_layers`.
pub(crate) fn in_base_image(layer: Option<usize>, base_layers: Option<usize>) -> bool {
    matches!((layer, base_layers), (Some(l), Some(b)) if l < b)
}

/// One risk, whatever scanner found it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    /// CVE/advisory id or rule id.
    pub id: String,
    pub severity: Severity,
    /// The rule's or the vulnerability's title: the same for every finding of one id.
    pub title: String,
    /// What exactly was found here.
    pub message: String,
    pub location: Location,
    /// What to do about it, when there is something to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// Whether the fix is known (for vulnerabilities: a fixed version exists).
    pub fixable: bool,
    /// The finding comes with the base image rather than the image's own build steps.
    pub base_image: bool,
    /// Where to read more.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help_uri: Option<String>,
    /// Other ids of the same vulnerability (advisories, GHSA…).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The package URL, for vulnerabilities.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

/// Counts by kind and severity, plus the fixable and base-image shares.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FindingCounts {
    pub total: usize,
    pub fixable: usize,
    pub in_base_image: usize,
    /// Kind → severity → count; only kinds that ran appear.
    pub by_kind: BTreeMap<FindingKind, BTreeMap<Severity, usize>>,
}

impl FindingCounts {
    pub fn of(report: &Report, findings: &[Finding]) -> Self {
        let mut counts = FindingCounts::default();
        for kind in report.kinds_run() {
            counts.by_kind.entry(kind).or_default();
        }
        for f in findings {
            counts.total += 1;
            counts.fixable += usize::from(f.fixable);
            counts.in_base_image += usize::from(f.base_image);
            *counts
                .by_kind
                .entry(f.kind)
                .or_default()
                .entry(f.severity)
                .or_default() += 1;
        }
        counts
    }
}

/// A scanner severity on the common scale (the vulnerability one; "info" is `NEGLIGIBLE`).
pub fn common_severity(word: &str) -> Severity {
    word.parse().unwrap_or(Severity::Unknown)
}

pub(crate) fn vulnerability(v: &Vulnerability, fix_command: Option<&str>) -> Finding {
    let kind = match v.class {
        PackageClass::Os => FindingKind::OsVulnerability,
        _ => FindingKind::AppVulnerability,
    };
    let fixable = v.status == FindingStatus::Fixed && !v.fixed_versions.is_empty();
    let fix = fixable.then(|| {
        let upgrade = format!(
            "upgrade {} {} to {}",
            v.package.name,
            v.package.version,
            v.fixed_versions.join(" or ")
        );
        match fix_command {
            Some(command) => format!("{upgrade}: {command}"),
            None => upgrade,
        }
    });
    let title = v
        .title
        .clone()
        .unwrap_or_else(|| format!("{} in {}", v.id, v.package.name));
    let fixed = if v.fixed_versions.is_empty() {
        "no fixed version yet".to_string()
    } else {
        format!("fixed in {}", v.fixed_versions.join(", "))
    };
    let message = format!(
        "{} {} is vulnerable to {} ({}){}: {title}",
        v.package.name,
        v.package.version,
        v.id,
        fixed,
        if v.known_exploited {
            ", known to be exploited"
        } else {
            ""
        }
    );
    Finding {
        kind,
        id: v.id.clone(),
        severity: v.severity,
        title,
        message,
        location: Location {
            path: Some(v.package.path.clone()).filter(|p| !p.is_empty()),
            layer: v.package.layer.as_ref().map(|l| l.index),
            layer_diff_id: v.package.layer.as_ref().and_then(|l| l.diff_id.clone()),
            created_by: v.package.layer.as_ref().and_then(|l| l.created_by.clone()),
            package: Some(format!("{}@{}", v.package.name, v.package.version)),
            ..Location::default()
        },
        fix,
        fixable,
        base_image: v.package.in_base_image == Some(true),
        help_uri: v.references.first().cloned(),
        aliases: v
            .aliases
            .iter()
            .chain(&v.advisories)
            .filter(|a| **a != v.id)
            .cloned()
            .collect(),
        purl: Some(v.package.purl.clone()).filter(|p| !p.is_empty()),
    }
}

impl Report {
    /// The scanners' kinds that ran for this report.
    pub fn kinds_run(&self) -> Vec<FindingKind> {
        let mut kinds = Vec::new();
        if self.vulnerability_scan.is_some() {
            kinds.extend([FindingKind::OsVulnerability, FindingKind::AppVulnerability]);
        }
        if self.secret_scan.is_some() {
            kinds.push(FindingKind::Secret);
        }
        if self.malware_scan.is_some() {
            kinds.push(FindingKind::Malware);
        }
        if self.baseline_scan.is_some() {
            kinds.push(FindingKind::Baseline);
        }
        if self.build_check.is_some() {
            kinds.push(FindingKind::BuildInstruction);
        }
        kinds
    }

    /// Every finding of every scanner that ran, in the common shape.
    pub fn findings(&self) -> Vec<Finding> {
        let mut out = Vec::new();
        if let Some(scan) = &self.vulnerability_scan {
            for v in &scan.vulnerabilities {
                let command = match v.class {
                    PackageClass::Os => scan.os_fix.as_ref().map(|f| f.command.as_str()),
                    _ => scan
                        .app_fixes
                        .iter()
                        .find(|f| f.name == v.package.name && f.path == v.package.path)
                        .and_then(|f| f.command.as_deref()),
                };
                out.push(vulnerability(v, command));
            }
        }
        if let Some(scan) = &self.secret_scan {
            out.extend(
                scan.findings
                    .iter()
                    .map(|f| crate::secrets::finding(f, self.base_layers)),
            );
        }
        if let Some(scan) = &self.malware_scan {
            out.extend(
                scan.findings
                    .iter()
                    .map(|f| crate::malware::finding(f, self.base_layers)),
            );
        }
        if let Some(scan) = &self.baseline_scan {
            out.extend(
                scan.findings
                    .iter()
                    .map(|f| crate::baseline::finding(f, self.base_layers)),
            );
        }
        if let Some(check) = &self.build_check {
            out.extend(check.common_findings());
        }
        out
    }
}
