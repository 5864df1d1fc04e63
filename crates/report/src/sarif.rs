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

/// GitHub's `security-severity` (a CVSS-like number it bins into critical…low).
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "2.0",
        Severity::Negligible | Severity::Unknown => "0.0",
    }
}

/// A path as a relative URI reference: code scanning resolves it against the repository
/// (or here, the image's root). Characters that are not allowed in a URI are escaped.
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
            | b':'
            | b'@' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn rule(first: &Finding) -> Value {
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
        "defaultConfiguration": { "level": level(first.severity) },
        "properties": {
            "tags": ["security", first.kind.as_str()],
            "precision": "very-high",
            "security-severity": security_severity(first.severity),
        },
    });
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
    let mut rules = Vec::new();
    for f in findings {
        if !rule_index.contains_key(f.id.as_str()) {
            rule_index.insert(&f.id, rules.len());
            rules.push(rule(f));
        }
    }
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
            json!({
                "ruleId": f.id,
                "ruleIndex": rule_index[f.id.as_str()],
                "level": level(f.severity),
                "message": { "text": text },
                "locations": [location(f, subject)],
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
        "originalUriBaseIds": {
            "ROOTPATH": { "uri": "file:///" }
        },
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

#[cfg(test)]
mod tests {
    #[test]
    fn uris_are_relative_and_escaped() {
        assert_eq!(super::uri("/usr/lib/x y%.so"), "usr/lib/x%20y%25.so");
        assert_eq!(super::uri("Dockerfile"), "Dockerfile");
        assert_eq!(super::uri("/app/é"), "app/%C3%A9");
    }
}
