//! OSV records (JSON, or YAML as PyPA writes them), any ecosystem: unknown ecosystems and
//! fields are kept or ignored, never rejected.

use serde::Deserialize;

use crate::model::{Advisory, Affected, Cvss, Range, RangeEvent, Status};

#[derive(Deserialize)]
struct Record {
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    related: Vec<String>,
    summary: Option<String>,
    details: Option<String>,
    #[serde(default, deserialize_with = "loose_string")]
    published: Option<String>,
    #[serde(default, deserialize_with = "loose_string")]
    modified: Option<String>,
    #[serde(default, deserialize_with = "loose_string")]
    withdrawn: Option<String>,
    #[serde(default)]
    severity: Vec<SeverityEntry>,
    #[serde(default)]
    affected: Vec<AffectedEntry>,
    #[serde(default)]
    references: Vec<Reference>,
    #[serde(default)]
    database_specific: Option<serde_json::Value>,
}

/// YAML timestamps and JSON strings both end up as text.
fn loose_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(value.and_then(|v| match v {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }))
}

#[derive(Deserialize)]
struct SeverityEntry {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Deserialize)]
struct Reference {
    #[serde(default)]
    url: String,
}

#[derive(Deserialize)]
struct Package {
    #[serde(default)]
    ecosystem: String,
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct AffectedEntry {
    package: Option<Package>,
    #[serde(default)]
    ranges: Vec<RangeEntry>,
    #[serde(default, deserialize_with = "version_list")]
    versions: Vec<String>,
    #[serde(default)]
    ecosystem_specific: Option<serde_json::Value>,
    #[serde(default)]
    database_specific: Option<serde_json::Value>,
}

fn version_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let values = Option::<Vec<serde_json::Value>>::deserialize(d)?.unwrap_or_default();
    Ok(values
        .into_iter()
        .map(|v| match v {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        })
        .collect())
}

#[derive(Deserialize)]
struct RangeEntry {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    events: Vec<serde_json::Map<String, serde_json::Value>>,
}

fn event(map: &serde_json::Map<String, serde_json::Value>) -> Option<RangeEvent> {
    let (key, value) = map.iter().next()?;
    let value = match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => return None,
    };
    Some(match key.as_str() {
        "introduced" => RangeEvent::Introduced(value),
        "fixed" => RangeEvent::Fixed(value),
        "last_affected" => RangeEvent::LastAffected(value),
        "limit" => RangeEvent::Limit(value),
        _ => return None,
    })
}

/// Severity words vendors put in OSV: Ubuntu's `{type: "Ubuntu", score: "medium"}`, or
/// `database_specific.severity` (GHSA `HIGH`, AlmaLinux has none).
fn vendor_severity(record: &Record) -> Option<(String, String)> {
    for entry in &record.severity {
        if !entry.kind.starts_with("CVSS") {
            return Some((entry.score.to_ascii_lowercase(), entry.kind.clone()));
        }
    }
    let db = record.database_specific.as_ref()?;
    let severity = db.get("severity")?.as_str()?;
    Some((severity.to_ascii_lowercase(), "database_specific".into()))
}

/// Parses one OSV record.
pub fn parse(bytes: &[u8], yaml: bool) -> Result<Advisory, String> {
    let record: Record = if yaml {
        serde_yaml_ng::from_slice(bytes).map_err(|e| e.to_string())?
    } else {
        serde_json::from_slice(bytes).map_err(|e| e.to_string())?
    };
    if record.id.trim().is_empty() {
        return Err("record has an empty id".into());
    }
    let (severity, severity_source) = vendor_severity(&record).unzip();
    let mut aliases = record.aliases.clone();
    // CVE ids that some distros (AlmaLinux) keep in `related` are aliases for matching purposes.
    aliases.extend(
        record
            .related
            .iter()
            .filter(|r| r.starts_with("CVE-"))
            .cloned(),
    );
    aliases.sort();
    aliases.dedup();
    let affected = record
        .affected
        .iter()
        .filter_map(|a| {
            let package = a.package.as_ref()?;
            if package.name.is_empty() {
                return None;
            }
            let mut ranges: Vec<Range> = a
                .ranges
                .iter()
                .map(|r| Range {
                    kind: r.kind.clone(),
                    events: r.events.iter().filter_map(event).collect(),
                })
                .collect();
            // A fix the vendor later reverted (drydock's Debian changelog feed marks it) leaves
            // the package affected with no fix: drop the fixed events, keep where it starts.
            let reverted = a
                .database_specific
                .as_ref()
                .and_then(|d| d.get("fix_reverted_in"))
                .and_then(|v| v.as_str());
            if reverted.is_some() {
                for range in &mut ranges {
                    range
                        .events
                        .retain(|e| matches!(e, RangeEvent::Introduced(_)));
                }
            }
            let has_fix = ranges
                .iter()
                .flat_map(|r| &r.events)
                .any(|e| matches!(e, RangeEvent::Fixed(_)));
            let _ = &a.ecosystem_specific;
            Some(Affected {
                ecosystem: package.ecosystem.clone(),
                package: package.name.clone(),
                status: if has_fix {
                    Status::Fixed
                } else {
                    Status::Affected
                },
                ranges,
                versions: a.versions.clone(),
                justification: reverted.map(|v| format!("fix reverted in {v}")),
            })
        })
        .collect();
    Ok(Advisory {
        id: record.id.clone(),
        aliases,
        summary: record.summary.clone(),
        details: record.details.clone(),
        published: record.published.clone(),
        modified: record.modified.clone(),
        withdrawn: record.withdrawn.clone(),
        severity,
        severity_source,
        cvss: record
            .severity
            .iter()
            .filter(|s| s.kind.starts_with("CVSS"))
            .map(|s| Cvss {
                kind: s.kind.clone(),
                vector: s.score.clone(),
            })
            .collect(),
        references: record
            .references
            .iter()
            .map(|r| r.url.clone())
            .filter(|u| !u.is_empty())
            .collect(),
        affected,
    })
}

/// Whether a JSON/YAML document looks like an OSV record (cheap sniff on the text).
pub fn looks_like_osv(text: &str) -> bool {
    text.contains("\"id\"") && (text.contains("\"affected\"") || text.contains("\"modified\""))
        || (text.starts_with("id:") || text.contains("\nid:")) && text.contains("affected:")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// bullseye python3.9 3.9.2-1+deb11u6 reverted the fix of 3.9.2-1+deb11u5 (the feed's
    /// README): the record must not say "fixed".
    #[test]
    fn reverted_fix_is_no_fix() {
        let json = br#"{"id":"DEBCL-11-CVE-2025-15366","aliases":["CVE-2025-15366"],
            "affected":[{"package":{"ecosystem":"Debian:11","name":"python3.9"},
              "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.9.2-1+deb11u5"}]}],
              "database_specific":{"source":"debian changelog","fix_reverted_in":"3.9.2-1+deb11u6"}}]}"#;
        let a = parse(json, false).unwrap();
        let affected = &a.affected[0];
        assert_eq!(affected.status, Status::Affected);
        assert_eq!(affected.fixed_version(), None);
        assert_eq!(
            affected.justification.as_deref(),
            Some("fix reverted in 3.9.2-1+deb11u6")
        );
    }

    #[test]
    fn osv_fields_and_quirks() {
        let json = br#"{"id":"ALSA-2024:8127","summary":"Important: openssl","related":["CVE-2024-5535"],
            "affected":[{"package":{"ecosystem":"AlmaLinux:9","name":"openssl"},
              "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1:3.0.7-28.el9_4"}]}]}],
            "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N"},{"type":"Ubuntu","score":"Medium"}]}"#;
        let a = parse(json, false).unwrap();
        assert_eq!(a.aliases, ["CVE-2024-5535"]);
        assert_eq!(a.affected[0].status, Status::Fixed);
        assert_eq!(a.affected[0].fixed_version(), Some("1:3.0.7-28.el9_4"));
        assert_eq!(a.severity.as_deref(), Some("medium"));
        assert_eq!(a.cvss.len(), 1);
        assert!(parse(b"{", false).is_err());
        assert!(parse(br#"{"id":""}"#, false).is_err());
        let yaml = b"id: PYSEC-2020-1\nmodified: 2021-01-01T00:00:00Z\naffected:\n- package: {name: jinja2, ecosystem: PyPI}\n  versions: ['2.10', 2.10.1]\n";
        let a = parse(yaml, true).unwrap();
        assert_eq!(a.modified.as_deref(), Some("2021-01-01T00:00:00Z"));
        assert_eq!(a.affected[0].versions, ["2.10", "2.10.1"]);
        assert_eq!(a.affected[0].status, Status::Affected);
    }
}
