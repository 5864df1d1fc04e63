//! ruby-advisory-db (RubySec) YAML: `gems/<gem>/<id>.yml` and `rubies/<engine>/<id>.yml`.
//!
//! Requirements use RubyGems syntax (`~> 3.1.21`, `>= 3.2.6`, `~> 6.0.3, >= 6.0.3.1`); a
//! version is vulnerable when it satisfies NO `patched_versions` entry and NO
//! `unaffected_versions` entry. That set is the complement of the union of every entry
//! (each entry an AND of its comma-separated constraints), written as OSV `ECOSYSTEM` ranges
//! in the RubyGems order. No entries at all → every version affected.
//!
//! - Gems → ecosystem `RubyGems`, package = `gem`; interpreters (`rubies/`) → ecosystem
//!   `Ruby`, package = `engine` (`ruby`, `jruby`, `mruby`, …), same order.
//! - `~> X` = `>= X` and `< X.bump` (trailing letter segments dropped, then the last
//!   segment dropped unless alone, then the new last one incremented: `~> 1.6.11` → `< 1.7`,
//!   `~> 3.2.0-rc` → `< 3.3`). RubyGems also keeps `X.bump`'s own pre-releases out; the
//!   range keeps them in (a pre-release of the next minor is flagged).
//! - Id: `GHSA-…` when the record has `ghsa`, else `RUBYSEC-<file stem>`; CVE / GHSA /
//!   OSVDB ids are aliases. Severity: the CVSS v3 (else v2) base score as a word.
//! - An exclusive lower bound that OSV cannot express, or a constraint that does not parse,
//!   keeps the record and returns a warning.

use serde::Deserialize;

use crate::model::{Advisory, Affected, Status};
use crate::ranges::{self, Interval, VersionSet};
use crate::version::rubygems::RUBYGEMS;
use crate::version::VersionOrder;

#[derive(Deserialize)]
struct Record {
    gem: Option<String>,
    engine: Option<String>,
    #[serde(default, deserialize_with = "loose")]
    cve: Option<String>,
    #[serde(default, deserialize_with = "loose")]
    ghsa: Option<String>,
    #[serde(default, deserialize_with = "loose")]
    osvdb: Option<String>,
    url: Option<String>,
    title: Option<String>,
    #[serde(default, deserialize_with = "loose")]
    date: Option<String>,
    description: Option<String>,
    #[serde(default)]
    cvss_v2: Option<f64>,
    #[serde(default)]
    cvss_v3: Option<f64>,
    #[serde(default)]
    cvss_v4: Option<f64>,
    #[serde(default)]
    patched_versions: Option<Vec<String>>,
    #[serde(default)]
    unaffected_versions: Option<Vec<String>>,
    #[serde(default)]
    related: Option<serde_yaml_ng::Value>,
}

/// Numbers, dates and strings all as text (`cve: 2018-16471`, `osvdb: 77297`).
fn loose<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Option::<serde_yaml_ng::Value>::deserialize(d)?;
    Ok(v.and_then(|v| match v {
        serde_yaml_ng::Value::String(s) => Some(s),
        serde_yaml_ng::Value::Number(n) => Some(n.to_string()),
        serde_yaml_ng::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    })
    .map(|s| s.trim().to_string())
    .filter(|s| !s.is_empty()))
}

pub fn looks_like_rubysec(path: &str, text: &str) -> bool {
    (path.contains("gems/") || path.contains("rubies/"))
        && (text.contains("\ngem:") || text.starts_with("gem:") || text.contains("\nengine:"))
}

/// `Gem::Version#bump`.
fn bump(version: &str) -> Option<String> {
    let text = version.replace('-', ".pre.");
    // Gem::Version's segments: runs of digits and runs of letters.
    let mut segments: Vec<String> = Vec::new();
    let mut prev: Option<bool> = None;
    for c in text.chars() {
        let digit = c.is_ascii_digit();
        if !c.is_ascii_alphanumeric() {
            prev = None;
            continue;
        }
        match (prev, segments.last_mut()) {
            (Some(p), Some(last)) if p == digit => last.push(c),
            _ => segments.push(c.to_string()),
        }
        prev = Some(digit);
    }
    while segments
        .iter()
        .any(|s| s.bytes().all(|b| b.is_ascii_alphabetic()))
    {
        segments.pop();
    }
    if segments.len() > 1 {
        segments.pop();
    }
    let last: u64 = segments.last()?.parse().ok()?;
    *segments.last_mut()? = (last + 1).to_string();
    Some(segments.join("."))
}

/// One RubyGems comparator (`~> 1.2`, `>= 1.0`, `1.0`, `!= 1.1`).
fn comparator(c: &str) -> Result<VersionSet, String> {
    let (op, version) = ranges::split_op(c);
    if op == "~>" {
        RUBYGEMS.validate(version).map_err(|e| e.to_string())?;
        let upper = bump(version).ok_or_else(|| format!("cannot bump {version:?}"))?;
        let mut set = VersionSet::from_intervals(
            &RUBYGEMS,
            vec![Interval::from_op(">=", version).unwrap_or_else(Interval::all)],
        )
        .map_err(|e| e.to_string())?;
        let below = VersionSet::from_intervals(
            &RUBYGEMS,
            vec![Interval::from_op("<", &upper).unwrap_or_else(Interval::all)],
        )
        .map_err(|e| e.to_string())?;
        set = set
            .intersect(&RUBYGEMS, &below)
            .map_err(|e| e.to_string())?;
        return Ok(set);
    }
    ranges::simple_comparator(&RUBYGEMS, c)
}

/// The vulnerable set: NOT any patched AND NOT any unaffected.
pub fn vulnerable_set(patched: &[String], unaffected: &[String]) -> Result<VersionSet, String> {
    let mut safe = VersionSet::empty();
    for entry in patched.iter().chain(unaffected) {
        let set = ranges::and_of_comparators(&RUBYGEMS, entry, ',', &comparator)?;
        safe = safe.union(&RUBYGEMS, &set).map_err(|e| e.to_string())?;
    }
    safe.complement(&RUBYGEMS).map_err(|e| e.to_string())
}

fn severity_word(score: f64) -> &'static str {
    match score {
        s if s >= 9.0 => "critical",
        s if s >= 7.0 => "high",
        s if s >= 4.0 => "medium",
        s if s > 0.0 => "low",
        _ => "none",
    }
}

/// Parses one record; `path` (`gems/rack/CVE-2018-16471.yml`) names it. Warnings are about
/// constraints that could not be expressed exactly; the record is kept.
pub fn parse(bytes: &[u8], path: &str) -> Result<(Advisory, Vec<String>), String> {
    let record: Record = serde_yaml_ng::from_slice(bytes).map_err(|e| e.to_string())?;
    let (ecosystem, package) = match (&record.gem, &record.engine) {
        (Some(gem), _) if !gem.trim().is_empty() => ("RubyGems", gem.trim().to_string()),
        (_, Some(engine)) if !engine.trim().is_empty() => ("Ruby", engine.trim().to_string()),
        _ => return Err("neither `gem` nor `engine`".into()),
    };
    let stem = path
        .rsplit('/')
        .next()
        .unwrap_or(path)
        .trim_end_matches(".yml")
        .trim_end_matches(".yaml");
    let ghsa = record.ghsa.as_ref().map(|g| format!("GHSA-{g}"));
    let mut aliases = Vec::new();
    if let Some(cve) = &record.cve {
        aliases.push(format!("CVE-{cve}"));
    }
    if let Some(osvdb) = &record.osvdb {
        aliases.push(format!("OSVDB-{osvdb}"));
    }
    let id = ghsa.clone().unwrap_or_else(|| format!("RUBYSEC-{stem}"));
    let mut warnings = Vec::new();
    let patched = record.patched_versions.clone().unwrap_or_default();
    let unaffected = record.unaffected_versions.clone().unwrap_or_default();
    let affected = match vulnerable_set(&patched, &unaffected) {
        Ok(set) => {
            let (ranges, widened) = set.to_osv();
            for v in widened {
                warnings.push(format!(
                    "{path}: vulnerable from just after {v}: written as introduced {v}"
                ));
            }
            if ranges.is_empty() {
                warnings.push(format!("{path}: no version is vulnerable"));
            }
            let status = if ranges::has_fix(&ranges) {
                Status::Fixed
            } else {
                Status::Affected
            };
            vec![Affected {
                ecosystem: ecosystem.into(),
                package: package.clone(),
                status,
                ranges,
                versions: Vec::new(),
                justification: None,
            }]
            .into_iter()
            .filter(|a| !a.ranges.is_empty())
            .collect()
        }
        Err(e) => {
            warnings.push(format!(
                "{path}: constraints not converted ({e}); kept without ranges"
            ));
            Vec::new()
        }
    };
    let score = record.cvss_v3.or(record.cvss_v4).or(record.cvss_v2);
    let mut references: Vec<String> = record.url.iter().cloned().collect();
    if let Some(related) = &record.related {
        if let Some(urls) = related.get("url").and_then(|u| u.as_sequence()) {
            references.extend(urls.iter().filter_map(|u| u.as_str().map(str::to_string)));
        }
    }
    aliases.retain(|a| a != &id);
    Ok((
        Advisory {
            id,
            aliases,
            summary: record.title.clone(),
            details: record.description.clone(),
            published: record.date.clone(),
            severity: score.map(|s| severity_word(s).to_string()),
            severity_source: score.map(|_| "RubySec (CVSS base score)".to_string()),
            references,
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

    fn contains(set: &VersionSet, v: &str) -> bool {
        set.contains(&RUBYGEMS, v).unwrap()
    }

    #[test]
    fn bump_follows_rubygems() {
        assert_eq!(bump("1.6.11").as_deref(), Some("1.7"));
        assert_eq!(bump("2.0").as_deref(), Some("3"));
        assert_eq!(bump("1").as_deref(), Some("2"));
        assert_eq!(bump("3.0.0.beta1").as_deref(), Some("3.1"));
        assert_eq!(bump("3.2.0-rc").as_deref(), Some("3.3"));
        assert_eq!(bump("1.8.6.230").as_deref(), Some("1.8.7"));
    }

    #[test]
    fn rack_sample_patched_pessimistic() {
        let samples = crate::test_advisories().join("rubygems/samples");
        let path = samples.join("gems/rack/CVE-2018-16471.yml");
        let Ok(bytes) = std::fs::read(&path) else {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("missing {}", path.display());
            }
            return eprintln!("SKIPPED: {} missing", path.display());
        };
        let (a, warnings) = parse(&bytes, "gems/rack/CVE-2018-16471.yml").unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(a.id, "GHSA-5r2p-j47h-mhpg");
        assert_eq!(a.aliases, ["CVE-2018-16471"]);
        assert_eq!(a.severity.as_deref(), Some("medium"));
        let r = &a.affected[0];
        assert_eq!(
            (r.ecosystem.as_str(), r.package.as_str()),
            ("RubyGems", "rack")
        );
        assert_eq!(r.status, Status::Fixed);
        // patched: "~> 1.6.11", ">= 2.0.6" → vulnerable < 1.6.11 and [1.7, 2.0.6).
        let events: Vec<_> = r.ranges.iter().map(|x| x.events.clone()).collect();
        assert_eq!(
            events,
            [
                vec![
                    RangeEvent::Introduced("0".into()),
                    RangeEvent::Fixed("1.6.11".into())
                ],
                vec![
                    RangeEvent::Introduced("1.7".into()),
                    RangeEvent::Fixed("2.0.6".into())
                ],
            ]
        );
        let path = samples.join("rubies/jruby/CVE-2010-1330.yml");
        let bytes = std::fs::read(path).unwrap();
        let (a, _) = parse(&bytes, "rubies/jruby/CVE-2010-1330.yml").unwrap();
        assert_eq!(a.id, "RUBYSEC-CVE-2010-1330");
        assert_eq!(a.aliases, ["CVE-2010-1330", "OSVDB-77297"]);
        assert_eq!(
            (
                a.affected[0].ecosystem.as_str(),
                a.affected[0].package.as_str()
            ),
            ("Ruby", "jruby")
        );
    }

    #[test]
    fn patched_and_unaffected_together() {
        // Shape of gems/actionpack/CVE-2016-0752 (patched ~> x, unaffected < y).
        let set = vulnerable_set(
            &[
                "~> 3.2.22.1".into(),
                "~> 4.1.14.1".into(),
                ">= 4.2.5.1".into(),
            ],
            &["< 3.0.0".into()],
        )
        .unwrap();
        for (v, want) in [
            ("2.3.18", false),
            ("3.0.0", true),
            ("3.2.22", true),
            ("3.2.22.1", false),
            ("3.2.23", true),
            ("4.0.13", true),
            ("4.1.14.1", false),
            ("4.2.5", true),
            ("4.2.5.1", false),
            ("5.0.0", false),
        ] {
            assert_eq!(contains(&set, v), want, "{v}");
        }
        // AND inside one entry.
        let set = vulnerable_set(&["~> 6.0.3, >= 6.0.3.1".into()], &[]).unwrap();
        assert!(contains(&set, "6.0.3") && !contains(&set, "6.0.3.1") && contains(&set, "6.1"));
        // Nothing patched: every version.
        assert_eq!(vulnerable_set(&[], &[]).unwrap(), VersionSet::all());
    }

    #[test]
    fn real_record_with_patched_and_unaffected() {
        let path = crate::test_advisories().join("rubygems/rubysec-ruby-advisory-db.tar.zst");
        let Ok(file) = std::fs::File::open(&path) else {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("missing {}", path.display());
            }
            return eprintln!("SKIPPED: {} missing", path.display());
        };
        let mut tar = tar::Archive::new(zstd::stream::read::Decoder::new(file).unwrap());
        let mut seen = 0;
        for e in tar.entries().unwrap() {
            let mut e = e.unwrap();
            let name = e.path().unwrap().to_string_lossy().into_owned();
            if !name.ends_with("gems/pagy/CVE-2026-54659.yml")
                && !name.ends_with("gems/actionpack/CVE-2016-0752.yml")
            {
                continue;
            }
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut bytes).unwrap();
            let (a, warnings) = parse(&bytes, &name).unwrap();
            assert!(warnings.is_empty(), "{warnings:?}");
            let events: Vec<_> = a.affected[0]
                .ranges
                .iter()
                .map(|r| r.events.clone())
                .collect();
            if name.contains("pagy") {
                // unaffected "< 43.0.0", patched ">= 43.5.6".
                assert_eq!(a.id, "GHSA-2xmw-f8j8-wfxc");
                assert_eq!(
                    events,
                    [vec![
                        RangeEvent::Introduced("43.0.0".into()),
                        RangeEvent::Fixed("43.5.6".into())
                    ]]
                );
            } else {
                // unaffected ">= 4.1.0" (newer code moved to actionview); patched
                // ">= 5.0.0.beta1.1", "~> 4.2.5, >= 4.2.5.1", "~> 4.1.14, >= 4.1.14.1",
                // "~> 3.2.22.1" (= 3.2.22.1 up to 3.2.23).
                assert_eq!(a.id, "GHSA-xrr4-p6fq-hjg7");
                assert_eq!(
                    events,
                    [
                        vec![
                            RangeEvent::Introduced("0".into()),
                            RangeEvent::Fixed("3.2.22.1".into())
                        ],
                        vec![
                            RangeEvent::Introduced("3.2.23".into()),
                            RangeEvent::Fixed("4.1.0".into())
                        ],
                    ]
                );
            }
            seen += 1;
        }
        assert_eq!(seen, 2);
    }

    #[test]
    fn unexpressible_and_malformed() {
        // unaffected `<= 1.0`: vulnerable from just after 1.0 → widened with a warning.
        let yaml = b"gem: x\ncve: 2020-1\nunaffected_versions:\n  - \"<= 1.0\"\npatched_versions:\n  - \">= 2.0\"\n";
        let (a, warnings) = parse(yaml, "gems/x/CVE-2020-1.yml").unwrap();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(a.affected[0].ranges.len(), 1);
        let yaml = b"gem: x\npatched_versions:\n  - \">= not a version\"\n";
        let (a, warnings) = parse(yaml, "gems/x/OSVDB-1.yml").unwrap();
        assert!(a.affected.is_empty() && warnings.len() == 1);
        assert!(parse(b"gem: [", "gems/x/bad.yml").is_err());
        assert!(parse(b"title: no gem\n", "gems/x/bad.yml").is_err());
    }
}
