//! SARIF 2.1.0, for code-scanning UIs (GitHub, GitLab, Azure DevOps): one rule per finding
//! id, one result per finding. Dockerfile findings point at the Dockerfile's lines; image
//! findings at the file's path inside the image (relative, as code scanning wants), and
//! config/history findings at the image itself.

use std::collections::BTreeMap;

use drydock_matcher::Severity;
use serde_json::{json, Value};

use crate::findings::{Finding, FindingKind};
use crate::Subject;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/drydock-scanner/drydock";

/// SARIF's three levels of a result.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Negligible | Severity::Unknown => "note",
    }
}

/// GitHub's `security-severity` (a CVSS-like number it bins into critical…low); none for
/// what has no rating, so GitHub falls back to the level.
fn security_severity(severity: Severity) -> Option<&'static str> {
    match severity {
        Severity::Critical => Some("9.5"),
        Severity::High => Some("8.0"),
        Severity::Medium => Some("5.5"),
        Severity::Low => Some("2.0"),
        Severity::Negligible | Severity::Unknown => None,
    }
}

/// A path as a relative URI reference: code scanning resolves it against the repository
/// (or here, the image's root). Characters that are not allowed in a URI are escaped, and
/// so is `:` (a relative reference's first segment may not hold one: `alpine:3.20` would
/// read as a URI of scheme `alpine`).
fn uri(path: &str) -> String {
    let relative = path.trim_start_matches('/');
    let mut out = String::with_capacity(relative.len());
    for byte in relative.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'='
            | b'@' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// A rule from the findings of one id: its title from the first, its level and
/// `security-severity` from the most severe (GitHub rates every alert by its rule).
fn rule(first: &Finding, severity: Severity) -> Value {
    let mut help = format!("{} ({})", first.title, first.kind.as_str());
    if let Some(fix) = &first.fix {
        if first.kind != FindingKind::OsVulnerability && first.kind != FindingKind::AppVulnerability
        {
            help.push_str("\nFix: ");
            help.push_str(fix);
        }
    }
    let mut rule = json!({
        "id": first.id,
        "name": first.id,
        "shortDescription": { "text": first.title },
        "fullDescription": { "text": first.title },
        "help": { "text": help, "markdown": help.replace('\n', "\n\n") },
        "defaultConfiguration": { "level": level(severity) },
        "properties": {
            "tags": ["security", first.kind.as_str()],
            "precision": "very-high",
        },
    });
    if let Some(score) = security_severity(severity) {
        rule["properties"]["security-severity"] = json!(score);
    }
    if let Some(uri) = &first.help_uri {
        rule["helpUri"] = json!(uri);
    }
    rule
}

fn location(finding: &Finding, subject: &Subject) -> Value {
    let loc = &finding.location;
    let artifact = match (&loc.path, finding.kind) {
        (Some(path), _) => uri(path),
        // Config and history findings belong to the image as a whole.
        (None, _) => uri(&subject.name),
    };
    let mut physical = json!({
        "artifactLocation": { "uri": artifact },
    });
    if let Some(line) = loc.line.filter(|l| *l > 0) {
        physical["region"] = json!({
            "startLine": line,
            "endLine": loc.end_line.unwrap_or(line).max(line),
        });
    }
    let mut where_ = Vec::new();
    if let Some(layer) = loc.layer {
        where_.push(format!("layer {layer}"));
    }
    if let Some(config) = &loc.config {
        where_.push(config.clone());
    }
    if let Some(created_by) = &loc.created_by {
        where_.push(format!("made by: {created_by}"));
    }
    let mut location = json!({ "physicalLocation": physical });
    if !where_.is_empty() {
        location["message"] = json!({ "text": where_.join("; ") });
    }
    location
}

/// The SARIF log of `findings` about `subject` (an image, a directory or a Dockerfile).
pub fn sarif(findings: &[Finding], subject: &Subject) -> Value {
    // Rules in order of first appearance; results refer to them by index.
    let mut rule_index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut firsts: Vec<(&Finding, Severity)> = Vec::new();
    for f in findings {
        match rule_index.get(f.id.as_str()) {
            Some(&i) => firsts[i].1 = firsts[i].1.max(f.severity),
            None => {
                rule_index.insert(&f.id, firsts.len());
                firsts.push((f, f.severity));
            }
        }
    }
    let rules: Vec<Value> = firsts.iter().map(|(f, s)| rule(f, *s)).collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let mut text = f.message.clone();
            if let Some(fix) = &f.fix {
                text.push_str("\nFix: ");
                text.push_str(fix);
            }
            let mut properties = json!({
                "kind": f.kind.as_str(),
                "severity": f.severity.as_str(),
                "fixable": f.fixable,
                "baseImage": f.base_image,
            });
            if let Some(package) = &f.location.package {
                properties["package"] = json!(package);
            }
            if let Some(diff_id) = &f.location.layer_diff_id {
                properties["layerDiffId"] = json!(diff_id);
            }
            // Image paths are not files of the repository, so code scanning cannot
            // fingerprint them itself: one stable value per finding keeps alerts apart.
            let fingerprint = format!(
                "{}|{}|{}|{}|{}",
                f.kind.as_str(),
                f.id,
                f.location.package.as_deref().unwrap_or(""),
                f.location.path.as_deref().unwrap_or(""),
                f.location
                    .line
                    .map(|l| l.to_string())
                    .or_else(|| f.location.config.clone())
                    .unwrap_or_default()
            );
            json!({
                "ruleId": f.id,
                "ruleIndex": rule_index[f.id.as_str()],
                "level": level(f.severity),
                "message": { "text": text },
                "locations": [location(f, subject)],
                "partialFingerprints": {
                    "drydockFindingHash/v1": hex_sha256(&fingerprint),
                },
                "properties": properties,
            })
        })
        .collect();
    let mut run = json!({
        "tool": {
            "driver": {
                "name": "drydock",
                "fullName": "drydock container image scanner",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "results": results,
        "columnKind": "utf16CodeUnits",
    });
    let mut properties = json!({ "imageName": subject.name });
    if let Some(digest) = &subject.digest {
        properties["imageDigest"] = json!(digest);
    }
    run["properties"] = properties;
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [run],
    })
}

fn hex_sha256(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn uris_are_relative_and_escaped() {
        assert_eq!(super::uri("alpine:3.20"), "alpine%3A3.20");
        assert_eq!(super::uri("/usr/lib/x y%.so"), "usr/lib/x%20y%25.so");
        assert_eq!(super::uri("Dockerfile"), "Dockerfile");
        assert_eq!(super::uri("/app/é"), "app/%C3%A9");
    }
}
