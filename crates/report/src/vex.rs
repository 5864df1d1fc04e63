//! Exporting decisions: an OpenVEX document of the image's vulnerabilities (affected, with
//! the fix as the action) and of those the user accepted (not_affected with the VEX
//! justification or the ignore rule's reason), and the same analysis in CycloneDX.

use drydock_matcher::{FindingStatus, Vulnerability};
use serde_json::{json, Value};

use crate::sbom::uuid_from;
use crate::suppress::Suppressed;
use crate::{Report, Subject};

/// The repository of an image reference without tag or digest (`ghcr.io/org/app`), or
/// `None` for a file path.
pub(crate) fn repository(reference: &str) -> Option<String> {
    let name = reference.split('@').next().unwrap_or_default();
    // A tag follows the last ':' that comes after the last '/' (a port does not).
    let name = match name.rfind(':') {
        Some(colon) if colon > name.rfind('/').unwrap_or(0) => &name[..colon],
        _ => name,
    };
    let looks_like_path = name.is_empty()
        || name.starts_with(['/', '.'])
        || name.ends_with(".tar")
        || name.contains(".tar.");
    (!looks_like_path).then(|| name.to_string())
}

/// The image as a VEX product: `pkg:oci/NAME@DIGEST?repository_url=REPO` when the
/// reference and digest are known.
fn image_product(subject: &Subject) -> String {
    match (repository(&subject.name), &subject.digest) {
        (Some(repo), Some(digest)) => {
            let name = repo.rsplit('/').next().unwrap_or(&repo);
            format!(
                "pkg:oci/{name}@{}?repository_url={repo}",
                digest.replace(':', "%3A")
            )
        }
        _ => subject.name.clone(),
    }
}

fn product(subject: &Subject, purl: Option<&str>) -> Value {
    let mut product = json!({ "@id": image_product(subject) });
    if let Some(purl) = purl {
        product["subcomponents"] = json!([{ "@id": purl }]);
    }
    product
}

fn accepted_statement(s: &Suppressed, subject: &Subject) -> Value {
    let f = &s.finding;
    let mut statement = json!({
        "vulnerability": { "name": f.id, "aliases": f.aliases },
        "products": [product(subject, f.purl.as_deref())],
    });
    match s.vex_status.as_deref() {
        // A decision from a VEX document: passed on as it was made.
        Some(status) => {
            statement["status"] = json!(status);
            if status == "not_affected" {
                match &s.justification {
                    Some(justification) => statement["justification"] = json!(justification),
                    None => {
                        statement["impact_statement"] = json!(s
                            .reason
                            .clone()
                            .unwrap_or_else(|| format!("stated in {}", s.origin)))
                    }
                }
            }
        }
        // An ignore rule accepts a risk; it does not say the product is unaffected.
        None => {
            statement["status"] = json!("affected");
            statement["action_statement"] = json!(format!(
                "risk accepted{} ({})",
                s.reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default(),
                s.origin
            ));
        }
    }
    statement
}

/// OpenVEX 0.2.0 of the report's vulnerabilities and accepted ones.
pub fn openvex(report: &Report, subject: &Subject) -> Value {
    let mut statements: Vec<Value> = report
        .findings()
        .iter()
        .filter(|f| f.kind.is_vulnerability())
        .map(|f| {
            let mut statement = json!({
                "vulnerability": { "name": f.id, "aliases": f.aliases },
                "products": [product(subject, f.purl.as_deref())],
                "status": "affected",
            });
            statement["action_statement"] = json!(f
                .fix
                .clone()
                .unwrap_or_else(|| "no fixed version yet; watch for an update".into()));
            statement
        })
        .collect();
    statements.extend(
        report
            .suppressed
            .iter()
            .filter(|s| s.finding.kind.is_vulnerability())
            .map(|s| accepted_statement(s, subject)),
    );
    json!({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": format!("urn:uuid:{}", uuid_from(&format!("openvex|{}|{}|{}", subject.name, subject.digest.as_deref().unwrap_or(""), subject.timestamp))),
        "author": "drydock",
        "role": "scanner",
        "timestamp": subject.timestamp,
        "version": 1,
        "tooling": format!("drydock {}", env!("CARGO_PKG_VERSION")),
        "statements": statements,
    })
}

/// CycloneDX's justification for an OpenVEX one.
fn cyclonedx_justification(openvex: &str) -> Option<&'static str> {
    Some(match openvex {
        "component_not_present" | "vulnerable_code_not_present" => "code_not_present",
        "vulnerable_code_not_in_execute_path" => "code_not_reachable",
        "vulnerable_code_cannot_be_controlled_by_adversary" => "requires_environment",
        "inline_mitigations_already_exist" => "protected_by_mitigating_control",
        _ => return None,
    })
}

fn cyclonedx_severity(v: &Vulnerability) -> &'static str {
    use drydock_matcher::Severity::*;
    match v.severity {
        Critical => "critical",
        High => "high",
        Medium => "medium",
        Low => "low",
        Negligible => "info",
        Unknown => "unknown",
    }
}

/// The `vulnerabilities` of a CycloneDX BOM: each finding tied to its component by
/// `bom-ref`, with ratings, the fix as recommendation and a VEX analysis (`exploitable`
/// for findings, `not_affected`/`resolved` for accepted ones).
pub fn cyclonedx_vulnerabilities(
    report: &Report,
    component_ref: &dyn Fn(&str, &str) -> Option<String>,
) -> Vec<Value> {
    let Some(scan) = &report.vulnerability_scan else {
        return Vec::new();
    };
    let entry = |v: &Vulnerability, analysis: Option<Value>| -> Value {
        let mut ratings: Vec<Value> = v
            .cvss
            .iter()
            .map(|c| {
                let method = match c.version.as_str() {
                    "2.0" => "CVSSv2",
                    "3.0" => "CVSSv3",
                    "4.0" => "CVSSv4",
                    _ => "CVSSv31",
                };
                let mut rating = json!({
                    "source": { "name": c.source },
                    "method": method,
                    "vector": c.vector,
                });
                if let Some(score) = c.score {
                    rating["score"] = json!(score);
                }
                rating
            })
            .collect();
        ratings.push(json!({
            "source": { "name": v.severity_source },
            "severity": cyclonedx_severity(v),
            "method": "other",
        }));
        let component = component_ref(&v.package.purl, &v.package.path);
        // One entry per (vulnerability, component): the same package may be installed twice.
        let bom_ref = format!(
            "{}@{}",
            v.id,
            component.as_deref().unwrap_or(&v.package.purl)
        );
        let mut entry = json!({
            "bom-ref": bom_ref,
            "id": v.id,
            "source": { "name": v.data_source.first().cloned().unwrap_or_default() },
            "ratings": ratings,
            "affects": component
                .map(|r| vec![json!({ "ref": r, "versions": [{ "version": v.package.version, "status": "affected" }] })])
                .unwrap_or_default(),
        });
        if let Some(analysis) = analysis {
            entry["analysis"] = analysis;
        }
        if let Some(title) = &v.title {
            entry["description"] = json!(title);
        }
        if !v.fixed_versions.is_empty() {
            entry["recommendation"] = json!(format!(
                "Upgrade {} to {}",
                v.package.name,
                v.fixed_versions.join(" or ")
            ));
        }
        let advisories: Vec<Value> = v
            .references
            .iter()
            .filter(|r| r.starts_with("http"))
            .map(|r| json!({ "url": r }))
            .collect();
        if !advisories.is_empty() {
            entry["advisories"] = json!(advisories);
        }
        entry
    };
    // Untriaged findings carry no analysis (CycloneDX reads that as "not triaged"),
    // except the vendor's own "will not fix".
    let mut out: Vec<Value> = scan
        .vulnerabilities
        .iter()
        .map(|v| {
            let analysis = (v.status == FindingStatus::WillNotFix)
                .then(|| json!({ "state": "exploitable", "response": ["will_not_fix"] }));
            entry(v, analysis)
        })
        .collect();
    // Accepted vulnerabilities keep their place in the BOM with the decision.
    for s in &report.suppressed {
        if !s.finding.kind.is_vulnerability() {
            continue;
        }
        let Some(v) = &s.vulnerability else {
            continue;
        };
        let mut analysis = json!({
            "state": if s.vex_status.as_deref() == Some("fixed") { "resolved" } else { "not_affected" },
            "detail": s.reason.clone().unwrap_or_else(|| format!("accepted by {}", s.origin)),
        });
        if let Some(j) = s.justification.as_deref().and_then(cyclonedx_justification) {
            analysis["justification"] = json!(j);
        }
        out.push(entry(v, Some(analysis)));
    }
    out
}
