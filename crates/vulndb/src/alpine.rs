//! Alpine's secdb (`v3.20/main.json`, legacy `main.yaml`, and the per-package files
//! vuln-list keeps): for each origin package, the first fixed version of each CVE. Wolfi
//! publishes the same format.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::model::{Advisory, Affected, Range, RangeEvent, Status};

#[derive(Deserialize)]
struct SecDb {
    distroversion: String,
    #[serde(default)]
    packages: Vec<PackageEntry>,
    /// vuln-list keeps one package per file, its fields at the top level.
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    secfixes: BTreeMap<String, Option<Vec<serde_json::Value>>>,
}

#[derive(Deserialize)]
struct PackageEntry {
    pkg: Pkg,
}

#[derive(Deserialize)]
struct Pkg {
    name: String,
    #[serde(default)]
    secfixes: BTreeMap<String, Option<Vec<serde_json::Value>>>,
}

fn text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.trim().to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `v3.20` → `Alpine:v3.20` (OSV's spelling); `edge` stays `edge`.
fn ecosystem(distroversion: &str, distro: &str) -> String {
    format!("{distro}:{distroversion}")
}

/// Turns a secdb document into one advisory per (CVE, package, release): the same CVE in
/// several releases stays one advisory with several affected entries.
pub fn parse(bytes: &[u8], yaml: bool, distro: &str) -> Result<Vec<Advisory>, String> {
    // Keys must stay strings: `1.2.2_pre2-r0` and `0` are versions, not numbers.
    let db: SecDb = if yaml {
        let value: serde_yaml_ng::Value =
            serde_yaml_ng::from_slice(bytes).map_err(|e| e.to_string())?;
        let json = yaml_to_json(value);
        serde_json::from_value(json).map_err(|e| e.to_string())?
    } else {
        serde_json::from_slice(bytes).map_err(|e| e.to_string())?
    };
    let ecosystem = ecosystem(&db.distroversion, distro);
    let mut advisories: BTreeMap<String, Advisory> = BTreeMap::new();
    let mut packages = db.packages;
    if let Some(name) = db.name.filter(|_| packages.is_empty()) {
        packages.push(PackageEntry {
            pkg: Pkg {
                name,
                secfixes: db.secfixes,
            },
        });
    }
    for entry in packages {
        for (version, ids) in &entry.pkg.secfixes {
            let version = version.trim().to_string();
            for id in ids.iter().flatten().filter_map(text) {
                // Entries like "CVE-2019-1234 CVE-2019-5678" list several ids at once.
                for id in id.split_whitespace() {
                    let (status, ranges) = if version == "0" {
                        // "0" means this branch never shipped the vulnerable code.
                        (Status::NotAffected, Vec::new())
                    } else {
                        (
                            Status::Fixed,
                            vec![Range {
                                kind: "ECOSYSTEM".into(),
                                events: vec![
                                    RangeEvent::Introduced("0".into()),
                                    RangeEvent::Fixed(version.clone()),
                                ],
                            }],
                        )
                    };
                    let advisory = advisories
                        .entry(id.to_string())
                        .or_insert_with(|| Advisory {
                            id: id.to_string(),
                            ..Advisory::default()
                        });
                    advisory.affected.push(Affected {
                        ecosystem: ecosystem.clone(),
                        package: entry.pkg.name.clone(),
                        status,
                        ranges,
                        versions: Vec::new(),
                        justification: (version == "0")
                            .then(|| "not shipped in this release".to_string()),
                    });
                }
            }
        }
    }
    Ok(advisories.into_values().collect())
}

fn yaml_to_json(value: serde_yaml_ng::Value) -> serde_json::Value {
    use serde_yaml_ng::Value as Y;
    match value {
        Y::Null => serde_json::Value::Null,
        Y::Bool(b) => serde_json::Value::Bool(b),
        Y::Number(n) => serde_json::Value::String(n.to_string()),
        Y::String(s) => serde_json::Value::String(s),
        Y::Sequence(items) => {
            serde_json::Value::Array(items.into_iter().map(yaml_to_json).collect())
        }
        Y::Mapping(map) => serde_json::Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let key = match yaml_to_json(k) {
                        serde_json::Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Y::Tagged(tagged) => yaml_to_json(tagged.value),
    }
}

pub fn looks_like_secdb(text: &str) -> bool {
    text.contains("distroversion") && text.contains("secfixes")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The v3.20 slice of ../shared keeps one package per file, as vuln-list stores it.
    #[test]
    fn one_package_per_file() {
        let json =
            br#"{"name":"musl","secfixes":{"1.2.5-r1":["CVE-2025-26519"],"0":["CVE-2019-1"]},
            "distroversion":"v3.20","reponame":"main","archs":["x86_64"]}"#;
        let advisories = parse(json, false, "Alpine").unwrap();
        assert_eq!(advisories.len(), 2);
        let fixed = advisories
            .iter()
            .find(|a| a.id == "CVE-2025-26519")
            .unwrap();
        assert_eq!(fixed.affected[0].ecosystem, "Alpine:v3.20");
        assert_eq!(fixed.affected[0].package, "musl");
        assert_eq!(fixed.affected[0].fixed_version(), Some("1.2.5-r1"));
    }

    #[test]
    fn secdb_quirks() {
        let yaml = b"distroversion: v3.11\nreponame: main\npackages:\n  - pkg:\n      name: musl\n      secfixes:\n        1.1.24-r2:\n          - CVE-2020-28928\n        0:\n          - CVE-2019-0000\n        1.2.2_pre2-r0:\n          - CVE-2020-1 CVE-2020-2\n";
        let advisories = parse(yaml, true, "Alpine").unwrap();
        let get = |id: &str| advisories.iter().find(|a| a.id == id).unwrap();
        let fixed = &get("CVE-2020-28928").affected[0];
        assert_eq!(
            (fixed.ecosystem.as_str(), fixed.package.as_str()),
            ("Alpine:v3.11", "musl")
        );
        assert_eq!(fixed.fixed_version(), Some("1.1.24-r2"));
        assert_eq!(get("CVE-2019-0000").affected[0].status, Status::NotAffected);
        assert_eq!(
            get("CVE-2020-2").affected[0].fixed_version(),
            Some("1.2.2_pre2-r0")
        );
    }
}
