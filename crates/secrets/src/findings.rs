//! From cached per-layer hits and the image config to the report: each finding with its
//! rule, place (file and line, or config entry), layer and history line, whether a later
//! layer removed the file, and only a redacted prefix of the secret.

use std::collections::HashMap;
use std::sync::LazyLock;

use drydock_image::oci::ImageConfig;
use drydock_image::{Analysis, FileAnalyzer, Layer};
use regex::bytes::Regex;
use serde::Serialize;

pub use drydock_image::{HistoryRef, LayerRef, Removal, RemovalKind};

use crate::analyzer::SecretAnalyzer;
use crate::engine::Candidate;
use crate::filters::{is_placeholder, is_plausible_value, key_holds_secret};
use crate::hit::{redact, sha256_hex, FileHits};
use crate::rules::Severity;

/// Where a finding was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingSource {
    /// A file in a layer.
    File,
    /// The config's `Env`.
    Env,
    /// The config's `Labels`.
    Label,
    /// A `created_by` line of the config's history.
    History,
}

/// One secret in an image.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SecretFinding {
    pub rule_id: String,
    pub title: String,
    pub severity: Severity,
    pub category: String,
    pub source: FindingSource,
    /// Absolute path inside the image (file findings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// 1-based line; absent for file-level rules and config entries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The variable, label, field or assignment key that held the secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<LayerRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<HistoryRef>,
    /// The first few characters of the secret, then `*****`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redacted: Option<String>,
    /// SHA-256 of the secret (of the file, for file-level rules).
    pub secret_sha256: String,
    pub secret_length: usize,
    /// Set when the file is gone from the final filesystem but still in its layer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed: Option<Removal>,
    /// A sentence for people: "removed in layer 10, still shipped in layer 6".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `NAME=value` pairs on a history line: `ENV`, `ARG`, `export`, `--build-arg` and plain
/// shell assignments all spell them so.
static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?-u)(?:^|[\s;&|(])([A-Za-z_][A-Za-z0-9_.-]{0,80})=("[^"\n]*"|'[^'\n]*'|[^\s;&|)'"]+)"#,
    )
    .expect("static regex")
});

/// Variable names that hold public material though they say "key".
fn public_by_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    [
        "GPG",
        "PGP",
        "PUBLIC",
        "PUBKEY",
        "PUB_KEY",
        "FINGERPRINT",
        "KEYSERVER",
        "KEYRING",
    ]
    .iter()
    .any(|w| upper.contains(w))
}

fn strip_quotes(value: &[u8]) -> &[u8] {
    for q in [b'"', b'\''] {
        if value.len() >= 2 && value[0] == q && value[value.len() - 1] == q {
            return &value[1..value.len() - 1];
        }
    }
    value
}

/// A config or history secret found in memory, before redaction.
struct ConfigSecret {
    rule: String,
    key: Option<String>,
    secret: Vec<u8>,
}

impl SecretAnalyzer {
    /// Secrets in one config text (an `Env` entry, a label, a history line): token rules
    /// run as on files (generic assignment rules excepted: the name check below is more
    /// precise), then every `NAME=value` whose name says secret gets `name_rule`.
    fn config_secrets(
        &self,
        label: &str,
        text: &str,
        name_rule: &str,
        whole_pair: bool,
    ) -> Vec<ConfigSecret> {
        let bytes = text.as_bytes();
        let mut found: Vec<(usize, ConfigSecret)> = Vec::new();
        for candidate in self.engine.scan_snippet(label, bytes) {
            if candidate.rule.starts_with("generic-") {
                continue;
            }
            found.push((
                self.engine.rule_precedence(&candidate.rule),
                ConfigSecret {
                    rule: candidate.rule,
                    key: candidate.key,
                    secret: candidate.secret,
                },
            ));
        }
        let pairs: Vec<(String, Vec<u8>)> = if whole_pair {
            text.split_once('=')
                .map(|(k, v)| vec![(k.to_string(), v.as_bytes().to_vec())])
                .unwrap_or_default()
        } else {
            ASSIGNMENT
                .captures_iter(bytes)
                .filter_map(|c| Some((c.get(1)?, c.get(2)?)))
                .map(|(k, v)| {
                    (
                        String::from_utf8_lossy(k.as_bytes()).into_owned(),
                        strip_quotes(v.as_bytes()).to_vec(),
                    )
                })
                .collect()
        };
        for (name, value) in pairs {
            if public_by_name(&name)
                || !key_holds_secret(&name)
                || value.is_empty()
                || is_placeholder(&value)
                || !is_plausible_value(&value)
            {
                continue;
            }
            let candidate = Candidate::validated(name_rule, 0, value.clone(), Some(name.clone()));
            if !self.engine.keep(label, bytes, &candidate) {
                continue;
            }
            found.push((
                self.engine.rule_precedence(name_rule),
                ConfigSecret {
                    rule: name_rule.to_string(),
                    key: Some(name),
                    secret: value,
                },
            ));
        }
        // One report per secret: the most specific rule, keeping the variable name.
        found.sort_by(|a, b| (&a.1.secret, a.0).cmp(&(&b.1.secret, b.0)));
        let mut kept: Vec<ConfigSecret> = Vec::new();
        for (_, item) in found {
            match kept.last_mut() {
                Some(last) if last.secret == item.secret => {
                    if last.key.is_none() {
                        last.key = item.key;
                    }
                }
                _ => kept.push(item),
            }
        }
        kept
    }

    /// A history line with every secret found in it replaced by its redacted form (what
    /// reports print instead of the line).
    pub fn redacted_history(&self, line: &str) -> String {
        let mut secrets: Vec<Vec<u8>> = self
            .config_secrets("history", line, "history-secret", false)
            .into_iter()
            .map(|s| s.secret)
            .collect();
        // Longest first, so a secret containing another is replaced whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        let mut text = line.to_string();
        for secret in secrets {
            let secret = String::from_utf8_lossy(&secret).into_owned();
            if !secret.is_empty() {
                text = text.replace(&secret, &redact(secret.as_bytes()));
            }
        }
        text
    }

    fn finding(&self, rule: &str, source: FindingSource) -> Option<SecretFinding> {
        if !self.engine.is_enabled(rule) {
            return None;
        }
        let info = self.engine.rule(rule)?;
        Some(SecretFinding {
            rule_id: info.id.clone(),
            title: info.title.clone(),
            severity: info.severity,
            category: info.category.clone(),
            source,
            path: None,
            line: None,
            key: None,
            layer: None,
            history: None,
            redacted: None,
            secret_sha256: String::new(),
            secret_length: 0,
            removed: None,
            note: None,
        })
    }

    /// Every secret of an image: the files of every layer (as cached in `analysis` by
    /// this analyzer), then, when configured, the config's `Env`, `Labels` and history.
    /// `layers` and `image_config` come from the opened image (a root filesystem has
    /// neither: pass `&[]` and `None`).
    pub fn findings(
        &self,
        layers: &[Layer],
        image_config: Option<&ImageConfig>,
        analysis: &Analysis,
    ) -> Vec<SecretFinding> {
        let history = image_config.map(|c| c.history.as_slice()).unwrap_or(&[]);
        let mut redacted_lines: HashMap<usize, String> = HashMap::new();
        let mut history_ref = |index: usize| -> Option<HistoryRef> {
            let created_by = history.get(index)?.created_by.as_deref()?;
            let line = redacted_lines
                .entry(index)
                .or_insert_with(|| self.redacted_history(created_by))
                .clone();
            Some(HistoryRef {
                index,
                created_by: line,
            })
        };

        // Files hidden by later layers, by (path, layer that shipped them).
        let removals = analysis.view.removals();

        // Digests the package managers recorded for their files, from every layer's
        // databases (a later layer's upgrade adds the new digest beside the old).
        let mut owned: HashMap<String, Vec<String>> = HashMap::new();
        for facts in &analysis.layers {
            for file in facts.analyses.iter().filter(|a| a.analyzer == self.key()) {
                if let Ok(hits) = serde_json::from_value::<FileHits>(file.value.clone()) {
                    for (path, digest) in hits.owned {
                        owned.entry(path).or_default().push(digest);
                    }
                }
            }
        }

        let mut out = Vec::new();
        for (index, facts) in analysis.layers.iter().enumerate() {
            let layer = layers.get(index);
            for analysis in facts.analyses.iter().filter(|a| a.analyzer == self.key()) {
                let Ok(file) = serde_json::from_value::<FileHits>(analysis.value.clone()) else {
                    continue;
                };
                let from_package = owned.get(&analysis.path).is_some_and(|recorded| {
                    file.digests.iter().any(|digest| recorded.contains(digest))
                });
                if from_package {
                    continue;
                }
                let removed = removals.get(&(analysis.path.as_str(), index)).copied();
                for hit in file.hits {
                    let Some(mut finding) = self.finding(&hit.rule, FindingSource::File) else {
                        continue;
                    };
                    finding.path = Some(analysis.path.clone());
                    finding.line = (hit.line > 0).then_some(hit.line);
                    finding.key = hit.key;
                    finding.layer = Some(LayerRef {
                        index,
                        diff_id: layer.map(|l| l.diff_id.to_string()),
                    });
                    finding.history = layer
                        .and_then(|l| l.history_index)
                        .and_then(&mut history_ref);
                    finding.redacted = hit.redacted;
                    finding.secret_sha256 = hit.sha256;
                    finding.secret_length = hit.length;
                    finding.removed = removed;
                    finding.note = removed.map(|r| match r.kind {
                        RemovalKind::Deleted => format!(
                            "removed in layer {}, still shipped in layer {index}",
                            r.in_layer
                        ),
                        RemovalKind::Overwritten => format!(
                            "overwritten in layer {}, still shipped in layer {index}",
                            r.in_layer
                        ),
                    });
                    out.push(finding);
                }
            }
        }

        if let Some(config) = image_config.filter(|_| self.config.scan_image_config) {
            let mut push =
                |source: FindingSource, secret: ConfigSecret, history: Option<HistoryRef>| {
                    if let Some(mut finding) = self.finding(&secret.rule, source) {
                        finding.key = secret.key;
                        finding.redacted = Some(redact(&secret.secret));
                        finding.secret_sha256 = sha256_hex(&secret.secret);
                        finding.secret_length = secret.secret.len();
                        finding.layer = history.as_ref().and_then(|h| {
                            layers
                                .iter()
                                .find(|l| l.history_index == Some(h.index))
                                .map(|l| LayerRef {
                                    index: l.index,
                                    diff_id: Some(l.diff_id.to_string()),
                                })
                        });
                        finding.history = history;
                        out.push(finding);
                    }
                };
            for entry in &config.config.env {
                for secret in self.config_secrets("image-config:env", entry, "env-secret", true) {
                    push(FindingSource::Env, secret, None);
                }
            }
            for (name, value) in &config.config.labels {
                let pair = format!("{name}={value}");
                for secret in
                    self.config_secrets("image-config:labels", &pair, "label-secret", true)
                {
                    push(FindingSource::Label, secret, None);
                }
            }
            for (index, entry) in config.history.iter().enumerate() {
                let Some(line) = entry.created_by.as_deref() else {
                    continue;
                };
                for secret in
                    self.config_secrets("image-config:history", line, "history-secret", false)
                {
                    push(FindingSource::History, secret, history_ref(index));
                }
            }
        }

        out.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.source.cmp(&b.source))
                .then(
                    a.layer
                        .as_ref()
                        .map(|l| l.index)
                        .cmp(&b.layer.as_ref().map(|l| l.index)),
                )
                .then(a.path.cmp(&b.path))
                .then(a.line.cmp(&b.line))
                .then(a.rule_id.cmp(&b.rule_id))
        });
        out
    }
}
