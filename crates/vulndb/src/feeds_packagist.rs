//! FriendsOfPHP security-advisories YAML: `<vendor>/<package>/<id>.yaml`.
//!
//! `branches: {<name>: {time, versions: [">=2.0.0", "<2.0.1"]}}`: each branch is an AND of
//! its constraints, the advisory the OR of its branches, in Composer's version order
//! (ecosystem `Packagist`, package `vendor/package` from `reference: composer://…`, else
//! from the path). `time` may be null; the latest branch time is `modified`.
//!
//! Id: `FOP-<vendor>/<package>/<file stem>` (FriendsOfPHP has no ids of its own; file names
//! are CVE ids or dates and repeat across packages); `cve` is the alias.

use serde::Deserialize;

use crate::model::{Advisory, Affected, Status};
use crate::ranges::{self, VersionSet};
use crate::version::composer::COMPOSER;

#[derive(Deserialize)]
struct Record {
    title: Option<String>,
    link: Option<String>,
    #[serde(default)]
    cve: Option<serde_yaml_ng::Value>,
    reference: Option<String>,
    #[serde(default)]
    branches: Option<serde_yaml_ng::Mapping>,
}

pub fn looks_like_friendsofphp(text: &str) -> bool {
    text.contains("branches:") && text.contains("reference:")
}

fn scalar(v: &serde_yaml_ng::Value) -> Option<String> {
    match v {
        serde_yaml_ng::Value::String(s) => Some(s.trim().to_string()),
        serde_yaml_ng::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
    .filter(|s| !s.is_empty() && s != "~")
}

/// The vulnerable set of a list of branches, each a list of constraints.
pub fn vulnerable_set(branches: &[Vec<String>]) -> Result<VersionSet, String> {
    let mut out = VersionSet::empty();
    for constraints in branches {
        let mut set = VersionSet::all();
        for c in constraints {
            // A constraint may itself hold several comparators (`>=1.0,<1.2`, `>= 1.0 <1.2`):
            // a lone operator is glued to the version after it.
            let mut pending = String::new();
            for part in c.split([',', ' ']).map(str::trim).filter(|p| !p.is_empty()) {
                if part.chars().all(|ch| matches!(ch, '<' | '>' | '=' | '!')) {
                    pending.push_str(part);
                    continue;
                }
                let comparator = format!("{pending}{part}");
                pending.clear();
                let one = ranges::simple_comparator(&COMPOSER, &comparator)?;
                set = set.intersect(&COMPOSER, &one).map_err(|e| e.to_string())?;
            }
            if !pending.is_empty() {
                return Err(format!("operator without a version in {c:?}"));
            }
        }
        out = out.union(&COMPOSER, &set).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// Parses one advisory; `path` is its archive path (`symfony/cache/CVE-2019-10912.yaml`).
pub fn parse(bytes: &[u8], path: &str) -> Result<(Advisory, Vec<String>), String> {
    let record: Record = serde_yaml_ng::from_slice(bytes).map_err(|e| e.to_string())?;
    let parts: Vec<&str> = path.split('/').collect();
    let from_path = (parts.len() >= 3)
        .then(|| format!("{}/{}", parts[parts.len() - 3], parts[parts.len() - 2]));
    let package = record
        .reference
        .as_deref()
        .and_then(|r| r.trim().strip_prefix("composer://"))
        .map(str::to_string)
        .or(from_path)
        .filter(|p| p.contains('/'))
        .ok_or("no `reference: composer://vendor/package`")?;
    let stem = parts
        .last()
        .copied()
        .unwrap_or(path)
        .trim_end_matches(".yaml")
        .trim_end_matches(".yml");
    let mut warnings = Vec::new();
    let mut branches = Vec::new();
    let mut newest: Option<String> = None;
    for (name, branch) in record.branches.iter().flatten() {
        let versions: Vec<String> = branch
            .get("versions")
            .and_then(|v| v.as_sequence())
            .map(|s| s.iter().filter_map(scalar).collect())
            .unwrap_or_default();
        if versions.is_empty() {
            warnings.push(format!(
                "{path}: branch {} has no versions",
                scalar(name).unwrap_or_default()
            ));
            continue;
        }
        if let Some(time) = branch.get("time").and_then(scalar) {
            if newest.as_ref().is_none_or(|n| &time > n) {
                newest = Some(time);
            }
        }
        branches.push(versions);
    }
    let affected = match vulnerable_set(&branches) {
        Ok(set) => {
            let (ranges, widened) = set.to_osv();
            for v in widened {
                warnings.push(format!(
                    "{path}: vulnerable from just after {v}: written as introduced {v}"
                ));
            }
            if ranges.is_empty() {
                Vec::new()
            } else {
                vec![Affected {
                    ecosystem: "Packagist".into(),
                    package: package.clone(),
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
        Err(e) => {
            warnings.push(format!(
                "{path}: constraints not converted ({e}); kept without ranges"
            ));
            Vec::new()
        }
    };
    let aliases = record
        .cve
        .as_ref()
        .and_then(scalar)
        .filter(|c| c.starts_with("CVE-") || c.starts_with("GHSA-"))
        .into_iter()
        .collect();
    Ok((
        Advisory {
            id: format!("FOP-{package}/{stem}"),
            aliases,
            summary: record.title.clone(),
            modified: newest,
            references: record.link.iter().cloned().collect(),
            affected,
            ..Advisory::default()
        },
        warnings,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RangeEvent;

    #[test]
    fn symfony_cache_sample_several_branches() {
        let path = crate::test_advisories()
            .join("packagist/samples/symfony/cache/CVE-2019-10912.yaml")
            .display()
            .to_string();
        let Some(bytes) = crate::shared_file(&path, std::fs::read(&path)) else {
            return;
        };
        let (a, warnings) = parse(&bytes, "symfony/cache/CVE-2019-10912.yaml").unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(a.id, "FOP-symfony/cache/CVE-2019-10912");
        assert_eq!(a.aliases, ["CVE-2019-10912"]);
        assert_eq!(a.modified.as_deref(), Some("2019-04-16 11:01:24"));
        let r = &a.affected[0];
        assert_eq!(
            (r.ecosystem.as_str(), r.package.as_str()),
            ("Packagist", "symfony/cache")
        );
        // Seven branches; the touching ones (3.1.x … 3.4.0 → 3.4.26, 4.0.x → 4.1.12) merge.
        let events: Vec<_> = r.ranges.iter().map(|x| x.events.clone()).collect();
        assert_eq!(
            events,
            [
                vec![
                    RangeEvent::Introduced("3.1.0".into()),
                    RangeEvent::Fixed("3.4.26".into())
                ],
                vec![
                    RangeEvent::Introduced("4.0.0".into()),
                    RangeEvent::Fixed("4.1.12".into())
                ],
                vec![
                    RangeEvent::Introduced("4.2.0".into()),
                    RangeEvent::Fixed("4.2.7".into())
                ],
            ]
        );
    }

    #[test]
    fn odd_records() {
        let yaml = b"title: t\nreference: composer://a/b\nbranches:\n  master:\n    time: null\n    versions: ['<=1.0.5']\n  x:\n    time: ~\n    versions: []\n";
        let (a, warnings) = parse(yaml, "a/b/2020-01-01.yaml").unwrap();
        assert_eq!(warnings.len(), 1);
        assert_eq!(a.affected[0].status, Status::Affected);
        assert_eq!(
            a.affected[0].ranges[0].events[1],
            RangeEvent::LastAffected("1.0.5".into())
        );
        let yaml = b"title: t\nreference: composer://a/b\nbranches:\n  m:\n    time: ~\n    versions: ['>=1.0', '<1.2']\n  n:\n    time: ~\n    versions: ['>= 2.0 <2.1']\n";
        let set_ok = parse(yaml, "a/b/x.yaml").unwrap().0;
        assert_eq!(set_ok.affected[0].ranges.len(), 2);
        let yaml = b"reference: composer://a/b\nbranches:\n  m:\n    versions: ['>=one']\n";
        let (a, warnings) = parse(yaml, "a/b/x.yaml").unwrap();
        assert!(a.affected.is_empty() && warnings.len() == 1);
        assert!(parse(b"branches: [", "a/b/x.yaml").is_err());
        assert!(parse(b"title: x\n", "x.yaml").is_err());
    }
}
