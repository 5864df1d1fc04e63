//! GitHub Security Advisories in the GraphQL shape aquasecurity/vuln-list stores
//! (`ghsa/<ecosystem>/<package>/GHSA-….json`): `Package.{Ecosystem, Name}`,
//! `Versions[].{VulnerableVersionRange, FirstPatchedVersion.Identifier}`, `Advisory.{GhsaId,
//! Identifiers, Summary, Description, Severity, CVSS, References, PublishedAt, UpdatedAt,
//! WithdrawnAt}`.
//!
//! Each `VulnerableVersionRange` (`">= 2.13.0, < 2.15.0"`, `"< 13.0.1"`, `"= 1.0"`) is an
//! AND of comparators in the ecosystem's own order; the ranges of all `Versions` entries
//! are OR-ed. Ecosystems are renamed to OSV's (`NPM` → `npm`, `MAVEN` → `Maven`, `NUGET` →
//! `NuGet`, …); an ecosystem without a version order keeps its ranges' text in a warning
//! and the record without ranges.

use serde_json::Value;

use crate::model::{Advisory, Affected, Cvss, Status};
use crate::ranges::{self, VersionSet};
use crate::version::order_for;

pub fn looks_like_ghsa_graphql(text: &str) -> bool {
    text.contains("\"Package\"") && text.contains("\"Advisory\"") && text.contains("\"Versions\"")
}

/// GitHub's ecosystem enum → OSV's name.
pub fn osv_ecosystem(github: &str) -> Option<&'static str> {
    Some(match github.to_ascii_uppercase().as_str() {
        "NPM" => "npm",
        "MAVEN" => "Maven",
        "NUGET" => "NuGet",
        "PIP" => "PyPI",
        "RUBYGEMS" => "RubyGems",
        "COMPOSER" => "Packagist",
        "GO" => "Go",
        "RUST" => "crates.io",
        "PUB" => "Pub",
        "ERLANG" => "Hex",
        "SWIFT" => "SwiftURL",
        _ => return None,
    })
}

fn s<'a>(v: &'a Value, path: &str) -> Option<&'a str> {
    v.pointer(path)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|x| !x.is_empty())
}

/// Parses one record; warnings are about ranges that could not be converted.
pub fn parse(bytes: &[u8], path: &str) -> Result<(Advisory, Vec<String>), String> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let id = s(&doc, "/Advisory/GhsaId")
        .ok_or("no Advisory.GhsaId")?
        .to_string();
    let github_eco = s(&doc, "/Package/Ecosystem").ok_or("no Package.Ecosystem")?;
    let package = s(&doc, "/Package/Name")
        .ok_or("no Package.Name")?
        .to_string();
    let ecosystem = osv_ecosystem(github_eco)
        .map(str::to_string)
        .unwrap_or_else(|| github_eco.to_string());
    let mut warnings = Vec::new();
    let versions = doc
        .get("Versions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let affected = match order_for(&ecosystem) {
        None => {
            warnings.push(format!(
                "{path}: no version order for {ecosystem}; kept without ranges"
            ));
            Vec::new()
        }
        Some(order) => {
            let mut set = VersionSet::empty();
            let mut failed = None;
            for v in &versions {
                let Some(range) = s(v, "/VulnerableVersionRange") else {
                    continue;
                };
                match ranges::and_of_comparators(order, range, ',', &|c| {
                    ranges::simple_comparator(order, c)
                }) {
                    Ok(one) => match set.union(order, &one) {
                        Ok(u) => set = u,
                        Err(e) => failed = Some(e.to_string()),
                    },
                    Err(e) => failed = Some(format!("{range:?}: {e}")),
                }
            }
            if let Some(e) = failed {
                warnings.push(format!(
                    "{path}: range not converted ({e}); kept without ranges"
                ));
                Vec::new()
            } else {
                let (ranges, widened) = set.to_osv();
                for v in widened {
                    warnings.push(format!("{path}: vulnerable from just after {v}"));
                }
                if ranges.is_empty() {
                    Vec::new()
                } else {
                    vec![Affected {
                        ecosystem,
                        package,
                        status: if ranges::has_fix(&ranges) {
                            Status::Fixed
                        } else {
                            Status::Affected
                        },
                        ranges,
                        versions: Vec::new(),
                        justification: None,
                    }]
                }
            }
        }
    };
    let mut aliases: Vec<String> = doc
        .pointer("/Advisory/Identifiers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|i| i.get("Value").and_then(Value::as_str))
        .map(str::to_string)
        .filter(|a| a != &id)
        .collect();
    aliases.sort();
    aliases.dedup();
    let cvss = s(&doc, "/Advisory/CVSS/VectorString")
        .map(|vector| Cvss {
            kind: if vector.starts_with("CVSS:4") {
                "CVSS_V4".into()
            } else {
                "CVSS_V3".into()
            },
            vector: vector.to_string(),
        })
        .into_iter()
        .collect();
    let severity = s(&doc, "/Advisory/Severity")
        .or(s(&doc, "/Severity"))
        .map(str::to_ascii_lowercase);
    Ok((
        Advisory {
            id,
            aliases,
            summary: s(&doc, "/Advisory/Summary").map(str::to_string),
            details: s(&doc, "/Advisory/Description").map(str::to_string),
            published: s(&doc, "/Advisory/PublishedAt").map(str::to_string),
            modified: s(&doc, "/Advisory/UpdatedAt")
                .or(s(&doc, "/UpdatedAt"))
                .map(str::to_string),
            withdrawn: s(&doc, "/Advisory/WithdrawnAt").map(str::to_string),
            severity_source: severity.as_ref().map(|_| "GitHub".to_string()),
            severity,
            cvss,
            references: doc
                .pointer("/Advisory/References")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|r| r.get("Url").and_then(Value::as_str))
                .map(str::to_string)
                .collect(),
            affected,
        },
        warnings,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RangeEvent;
    use std::io::Read;

    fn records() -> Option<Vec<(String, Vec<u8>)>> {
        let path = crate::test_advisories()
            .join("ghsa/ghsa-npm-maven-nuget-slice-from-vuln-list.tar.zst")
            .display()
            .to_string();
        let file = crate::shared_file(&path, std::fs::File::open(&path))?;
        let mut tar = tar::Archive::new(zstd::stream::read::Decoder::new(file).unwrap());
        let mut out = Vec::new();
        for e in tar.entries().unwrap() {
            let mut e = e.unwrap();
            let name = e.path().unwrap().to_string_lossy().into_owned();
            if name.contains("/GHSA-") {
                let mut b = Vec::new();
                e.read_to_end(&mut b).unwrap();
                out.push((name, b));
            }
        }
        Some(out)
    }

    #[test]
    fn slice_records() {
        let Some(records) = records() else { return };
        assert_eq!(records.len(), 5);
        for (name, bytes) in &records {
            assert!(looks_like_ghsa_graphql(&String::from_utf8_lossy(bytes)));
            let (a, warnings) = parse(bytes, name).unwrap();
            assert!(warnings.is_empty(), "{name}: {warnings:?}");
            assert_eq!(a.affected.len(), 1, "{name}");
            match a.id.as_str() {
                "GHSA-jfh8-c2jp-5v3q" => {
                    assert_eq!(a.aliases, ["CVE-2021-44228"]);
                    assert_eq!(a.severity.as_deref(), Some("critical"));
                    let r = &a.affected[0];
                    assert_eq!(
                        (r.ecosystem.as_str(), r.package.as_str()),
                        ("Maven", "org.apache.logging.log4j:log4j-core")
                    );
                    let events: Vec<_> = r.ranges.iter().map(|x| x.events.clone()).collect();
                    assert_eq!(
                        events,
                        [
                            vec![
                                RangeEvent::Introduced("2.0-beta9".into()),
                                RangeEvent::Fixed("2.3.1".into())
                            ],
                            vec![
                                RangeEvent::Introduced("2.4".into()),
                                RangeEvent::Fixed("2.12.2".into())
                            ],
                            vec![
                                RangeEvent::Introduced("2.13.0".into()),
                                RangeEvent::Fixed("2.15.0".into())
                            ],
                        ]
                    );
                }
                "GHSA-5crp-9r3c-p9vr" => {
                    assert_eq!(a.affected[0].ecosystem, "NuGet");
                    assert_eq!(a.affected[0].fixed_version(), Some("13.0.1"));
                }
                "GHSA-xvch-5gv4-984h" => {
                    assert_eq!(a.affected[0].ecosystem, "npm");
                    assert_eq!(a.affected[0].ranges.len(), 2);
                }
                _ => {}
            }
        }
    }

    #[test]
    fn odd_records() {
        let (a, w) = parse(
            br#"{"Package":{"Ecosystem":"ACTIONS","Name":"x"},"Advisory":{"GhsaId":"GHSA-1"},"Versions":[{"VulnerableVersionRange":"< 1"}]}"#,
            "x.json",
        )
        .unwrap();
        assert!(a.affected.is_empty() && w.len() == 1);
        let (a, w) = parse(
            br#"{"Package":{"Ecosystem":"NPM","Name":"x"},"Advisory":{"GhsaId":"GHSA-2"},"Versions":[{"VulnerableVersionRange":">= zzz"}]}"#,
            "x.json",
        )
        .unwrap();
        assert!(a.affected.is_empty() && w.len() == 1);
        assert!(parse(b"{}", "x.json").is_err());
        assert!(parse(b"{", "x.json").is_err());
    }
}
