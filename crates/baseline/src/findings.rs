//! From the cached per-file facts, the final filesystem and the image config to the
//! report: each finding with its rule, place, the layer (and history line) that
//! introduced it, one line of evidence and the fix.

use std::collections::HashMap;

use drydock_image::oci::ImageConfig;
use drydock_image::view::FileNode;
use drydock_image::{Analysis, Layer};
use drydock_inventory::Inventory;
use serde::Serialize;

pub use drydock_image::{HistoryRef, LayerRef};

use crate::analyzer::{BaselineAnalyzer, ANALYZER_KEY};
use crate::facts::FileFacts;
use crate::rules::{rule, Severity};
use crate::text::one_line;

/// One baseline finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BaselineFinding {
    pub rule_id: String,
    pub title: String,
    pub severity: Severity,
    pub category: String,
    /// Absolute path inside the image; absent for image-config findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// 1-based line of the evidence in `path`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<LayerRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<HistoryRef>,
    /// One line saying what was seen; password hashes appear only as their scheme (`$6$…`).
    pub evidence: String,
    pub fix: String,
    /// Bytes involved (caches, `.git/` directories).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Context for people: whether sshd is installed, which package owns a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub references: Vec<String>,
}

/// Everything the checks read, gathered once.
pub(crate) struct Scan<'a> {
    analyzer: &'a BaselineAnalyzer,
    layers: &'a [Layer],
    pub config: Option<&'a ImageConfig>,
    pub analysis: &'a Analysis,
    pub inventory: Option<&'a Inventory>,
    /// Every version of every file this analyzer parsed, in layer order.
    versions: HashMap<&'a str, Vec<(usize, FileFacts)>>,
    pub out: Vec<BaselineFinding>,
}

impl<'a> Scan<'a> {
    fn new(
        analyzer: &'a BaselineAnalyzer,
        layers: &'a [Layer],
        config: Option<&'a ImageConfig>,
        analysis: &'a Analysis,
        inventory: Option<&'a Inventory>,
    ) -> Self {
        let mut versions: HashMap<&str, Vec<(usize, FileFacts)>> = HashMap::new();
        for (index, facts) in analysis.layers.iter().enumerate() {
            for file in facts.analyses.iter().filter(|a| a.analyzer == ANALYZER_KEY) {
                // Cached values of another shape would have another key; skip, never fail.
                if let Ok(parsed) = serde_json::from_value::<FileFacts>(file.value.clone()) {
                    versions
                        .entry(file.path.as_str())
                        .or_default()
                        .push((index, parsed));
                }
            }
        }
        Scan {
            analyzer,
            layers,
            config,
            analysis,
            inventory,
            versions,
            out: Vec::new(),
        }
    }

    /// The node at `path` in the final filesystem.
    pub fn node(&self, path: &str) -> Option<&'a FileNode> {
        self.analysis.view.get(path)
    }

    /// The facts of the version of `path` in the final filesystem, with its layer.
    pub fn final_facts(&self, path: &str) -> Option<(usize, &FileFacts)> {
        let layer = self.node(path)?.layer;
        self.versions
            .get(path)?
            .iter()
            .rev()
            .find(|(l, _)| *l == layer)
            .map(|(l, f)| (*l, f))
    }

    /// Like [`Scan::final_facts`], following `path` through symlinks (as glibc, sudo and
    /// sshd do) when it is one: the facts of the file it resolves to, if that file was
    /// parsed (it is one of the wanted paths), with that file's path.
    pub fn followed_facts(&self, path: &str) -> Option<(String, usize, &FileFacts)> {
        if let Some((layer, facts)) = self.final_facts(path) {
            return Some((path.to_string(), layer, facts));
        }
        let real = self.analysis.view.resolve(path).ok()?;
        let (layer, facts) = self.final_facts(&real)?;
        Some((real, layer, facts))
    }

    /// Where `path` points when it is a symlink in the final filesystem (`None` otherwise
    /// and for dangling or looping links), with the target's node.
    pub fn symlink_target(&self, path: &str) -> Option<(String, &'a FileNode)> {
        let node = self.node(path)?;
        if node.entry.kind != drydock_image::FileKind::Symlink {
            return None;
        }
        let real = self.analysis.view.resolve(path).ok()?;
        let target = self.node(&real)?;
        Some((real, target))
    }

    /// Paths with parsed facts that are in the final filesystem, sorted.
    pub fn final_paths(&self) -> Vec<&'a str> {
        let mut paths: Vec<&str> = self
            .versions
            .keys()
            .copied()
            .filter(|p| self.final_facts(p).is_some())
            .collect();
        paths.sort_unstable();
        paths
    }

    /// The layer that introduced the line `fp` of `path`: the earliest layer from which on
    /// every version of the file up to the final one holds it.
    pub fn origin(&self, path: &str, fp: &str) -> Option<usize> {
        let final_layer = self.node(path)?.layer;
        let versions = self.versions.get(path)?;
        let mut origin = None;
        for (layer, facts) in versions.iter().rev().filter(|(l, _)| *l <= final_layer) {
            if !facts.has_line(fp) {
                break;
            }
            origin = Some(*layer);
        }
        origin.or(Some(final_layer))
    }

    pub fn layer_ref(&self, index: usize) -> LayerRef {
        LayerRef {
            index,
            diff_id: self.layers.get(index).map(|l| l.diff_id.to_string()),
        }
    }

    pub fn layer_history(&self, index: usize) -> Option<HistoryRef> {
        let layer = self.layers.get(index)?;
        Some(HistoryRef {
            index: layer.history_index?,
            created_by: one_line(layer.history.as_ref()?.created_by.as_deref()?),
        })
    }

    /// Reports a finding of `rule` (at its default severity unless `severity` says
    /// otherwise); `None` when the rule is disabled.
    pub fn emit(
        &mut self,
        rule_id: &str,
        severity: Option<Severity>,
        path: Option<&str>,
        line: Option<usize>,
        layer: Option<usize>,
        evidence: String,
    ) -> Option<&mut BaselineFinding> {
        if !self.analyzer.is_enabled(rule_id) {
            return None;
        }
        let info = rule(rule_id)?;
        self.out.push(BaselineFinding {
            rule_id: info.id.to_string(),
            title: info.title.to_string(),
            severity: severity.unwrap_or(info.severity),
            category: info.category.to_string(),
            path: path.map(str::to_string),
            line,
            layer: layer.map(|l| self.layer_ref(l)),
            history: layer.and_then(|l| self.layer_history(l)),
            evidence: one_line(&evidence),
            fix: info.fix.to_string(),
            size: None,
            note: None,
            references: info.references.iter().map(|r| r.to_string()).collect(),
        });
        self.out.last_mut()
    }
}

impl BaselineAnalyzer {
    /// Every baseline finding of an image: its final filesystem (as cached in `analysis`
    /// by this analyzer and the layer listings) and, when given, its config. `layers` and
    /// `image_config` come from the opened image (a root filesystem has neither: pass `&[]`
    /// and `None`). `inventory` tells the distribution (for its stock set-uid list) and
    /// the installed packages; without it every family's stock list is accepted and
    /// service packages are recognised by their daemons' paths.
    pub fn findings(
        &self,
        layers: &[Layer],
        image_config: Option<&ImageConfig>,
        analysis: &Analysis,
        inventory: Option<&Inventory>,
    ) -> Vec<BaselineFinding> {
        let mut scan = Scan::new(self, layers, image_config, analysis, inventory);
        crate::checks::run(&mut scan);
        let mut out = scan.out;
        out.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.rule_id.cmp(&b.rule_id))
                .then(a.path.cmp(&b.path))
                .then(a.line.cmp(&b.line))
                .then(a.evidence.cmp(&b.evidence))
        });
        out
    }
}
