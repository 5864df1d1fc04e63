//! Formats for CI systems: JUnit XML (test reports in any CI), the GitLab container
//! scanning report, and GitHub's dependency snapshot.

use std::collections::BTreeMap;
use std::io::{self, Write};

use drydock_matcher::Severity;
use serde_json::{json, Value};

use crate::findings::{Finding, FindingKind};
use crate::sbom::uuid_from;
use crate::{Report, Subject};

fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 cannot carry other control characters, nor U+FFFE/U+FFFF, at all.
            c if ((c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r'))
                || matches!(c, '\u{fffe}' | '\u{ffff}') =>
            {
                out.push_str(&format!("\\u{{{:x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: one test suite per kind of finding that ran, one failed test case per
/// finding; a kind without findings gets one passing case so CI shows it ran.
pub fn junit(
    findings: &[Finding],
    kinds_run: &[FindingKind],
    subject: &Subject,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut by_kind: BTreeMap<FindingKind, Vec<&Finding>> =
        kinds_run.iter().map(|k| (*k, Vec::new())).collect();
    for f in findings {
        by_kind.entry(f.kind).or_default().push(f);
    }
    let total: usize = by_kind.values().map(|v| v.len().max(1)).sum();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="drydock" tests="{total}" failures="{}">"#,
        findings.len()
    )?;
    for (kind, list) in &by_kind {
        writeln!(
            out,
            r#"  <testsuite name="{} ({})" tests="{}" failures="{}" errors="0" skipped="0" time="0">"#,
            xml_escape(&subject.name),
            kind.as_str(),
            list.len().max(1),
            list.len()
        )?;
        if list.is_empty() {
            writeln!(
                out,
                r#"    <testcase classname="{}" name="no {} findings" time="0"/>"#,
                kind.as_str(),
                kind.as_str()
            )?;
        }
        for f in list {
            let place = f
                .location
                .package
                .clone()
                .or_else(|| f.location.path.clone())
                .or_else(|| f.location.config.clone())
                .unwrap_or_else(|| subject.name.clone());
            let mut body = f.message.clone();
            if let Some(fix) = &f.fix {
                body.push_str("\nFix: ");
                body.push_str(fix);
            }
            if let Some(layer) = f.location.layer {
                body.push_str(&format!("\nLayer: {layer}"));
            }
            writeln!(
                out,
                r#"    <testcase classname="{}" name="[{}] {}" time="0">"#,
                xml_escape(&place),
                f.severity.as_str(),
                xml_escape(&f.id)
            )?;
            writeln!(
                out,
                r#"      <failure message="{}" type="{}">{}</failure>"#,
                xml_escape(&f.title),
                f.severity.as_str(),
                xml_escape(&body)
            )?;
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

fn gitlab_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Negligible => "Info",
        Severity::Unknown => "Unknown",
    }
}

fn identifier(id: &str, url: Option<&str>) -> Value {
    let kind = if id.starts_with("CVE-") {
        "cve"
    } else if id.starts_with("GHSA-") {
        "ghsa"
    } else {
        "drydock"
    };
    let mut value = json!({ "type": kind, "name": id, "value": id });
    if let Some(url) = url.filter(|u| u.starts_with("http")) {
        value["url"] = json!(url);
    }
    value
}

/// GitLab's container scanning report (schema 15): the vulnerabilities of the image, which
/// GitLab shows in merge requests and the vulnerability report. Other kinds of finding have
/// no place in this report type: SARIF or JUnit carry them.
pub fn gitlab(report: &Report, subject: &Subject, started: &str) -> Value {
    let os = report
        .inventory
        .os
        .as_ref()
        .map(|o| format!("{} {}", o.family, o.version))
        .unwrap_or_else(|| "unknown".into());
    let image = match &subject.digest {
        Some(digest) if !subject.name.contains('@') => format!("{}@{digest}", subject.name),
        _ => subject.name.clone(),
    };
    let vulnerabilities: Vec<Value> = report
        .findings()
        .iter()
        .filter(|f| f.kind.is_vulnerability())
        .map(|f| {
            let (name, version) = f
                .location
                .package
                .as_deref()
                .and_then(|p| p.rsplit_once('@'))
                .unwrap_or(("", ""));
            let mut identifiers = vec![identifier(&f.id, f.help_uri.as_deref())];
            identifiers.extend(f.aliases.iter().map(|a| identifier(a, None)));
            let mut v = json!({
                "id": uuid_from(&format!("{}|{}|{}|{}", f.id, name, version, f.location.path.as_deref().unwrap_or(""))),
                "name": f.title,
                "description": f.message,
                "severity": gitlab_severity(f.severity),
                "identifiers": identifiers,
                "location": {
                    "dependency": { "package": { "name": name }, "version": version },
                    "operating_system": os,
                    "image": image,
                },
            });
            if let Some(fix) = &f.fix {
                v["solution"] = json!(fix);
            }
            if let Some(url) = f.help_uri.as_deref().filter(|u| u.starts_with("http")) {
                v["links"] = json!([{ "url": url }]);
            }
            v
        })
        .collect();
    let tool = json!({
        "id": "drydock",
        "name": "drydock",
        "version": env!("CARGO_PKG_VERSION"),
        "vendor": { "name": "drydock" },
    });
    json!({
        "version": "15.0.7",
        "scan": {
            "analyzer": tool,
            "scanner": tool,
            "type": "container_scanning",
            "start_time": gitlab_time(started),
            "end_time": gitlab_time(&subject.timestamp),
            "status": "success",
        },
        "vulnerabilities": vulnerabilities,
        "remediations": [],
    })
}

/// GitLab's schema wants `YYYY-MM-DDTHH:MM:SS` without zone or fraction.
fn gitlab_time(rfc3339: &str) -> String {
    rfc3339.get(..19).unwrap_or(rfc3339).to_string()
}

/// The manifest a package belongs to: installed language packages each have their own
/// metadata file, so they are grouped by the directory they were installed into.
fn manifest_location(found_in: &str) -> String {
    for dir in [
        "/node_modules/",
        "/site-packages/",
        "/dist-packages/",
        "/gems/",
    ] {
        if let Some(at) = found_in.find(dir) {
            return found_in[..at + dir.len() - 1].to_string();
        }
    }
    found_in.to_string()
}

/// GitHub's dependency submission snapshot: every package of the image, one manifest per
/// database or lockfile it was read from. `GITHUB_SHA`, `GITHUB_REF`, `GITHUB_RUN_ID` and
/// `GITHUB_JOB` fill the job fields when set (as they are in GitHub Actions).
pub fn github(report: &Report, subject: &Subject) -> Value {
    let env = |name: &str| std::env::var(name).unwrap_or_default();
    let mut manifests: BTreeMap<String, Value> = BTreeMap::new();
    for p in &report.inventory.packages {
        if p.purl.is_empty() {
            continue;
        }
        let location = manifest_location(&p.found_in);
        let manifest = manifests.entry(location.clone()).or_insert_with(|| {
            json!({
                "name": location,
                "file": { "source_location": location.trim_start_matches('/') },
                "resolved": {},
            })
        });
        manifest["resolved"][&p.purl] = json!({
            "package_url": p.purl,
            "relationship": "direct",
            "scope": "runtime",
        });
    }
    let job_name = match env("GITHUB_JOB") {
        job if job.is_empty() => "drydock".to_string(),
        job => job,
    };
    json!({
        "version": 0,
        "sha": env("GITHUB_SHA"),
        "ref": env("GITHUB_REF"),
        "job": {
            "correlator": format!("{job_name}_{}", subject.name),
            "id": env("GITHUB_RUN_ID"),
        },
        "detector": {
            "name": "drydock",
            "version": env!("CARGO_PKG_VERSION"),
            "url": "https://github.com/drydock-scanner/drydock",
        },
        "metadata": { "drydock:image": subject.name },
        "scanned": subject.timestamp,
        "manifests": manifests,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn xml_is_escaped() {
        assert_eq!(
            super::xml_escape("<a href=\"x\">&'\u{1}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;\\u{1}"
        );
    }
}
