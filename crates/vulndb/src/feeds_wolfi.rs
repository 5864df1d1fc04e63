//! Wolfi's `<package>.advisories.yaml` files (github.com/wolfi-dev/advisories, schema 2.0.x):
//! one document per origin package, one advisory (`CGA-xxxx-xxxx-xxxx`) per vulnerability,
//! each with an event log. The status is the type of the LAST event by timestamp.
//!
//! Mapping (ecosystem `Wolfi`, package `package.name`):
//! - `fixed` → [`Status::Fixed`], range `introduced 0` / `fixed <data.fixed-version>`
//!   (a `fixed` event without a version is treated as affected with no known fix);
//! - `false-positive-determination` → [`Status::NotAffected`], justification `data.type`;
//! - `fix-not-planned` → [`Status::WillNotFix`], justification `data.note` when present;
//! - `pending-upstream-fix`, `true-positive-determination`, `detection` → [`Status::Affected`].
//!
//! Events of unknown types are ignored when picking the last event; an advisory whose log has
//! no event of a known type is kept with no `affected` entry (nothing to match on).
//! `published` is the earliest event timestamp, `modified` the latest.
//!
//! Data licensing: only the Apache-2.0 snapshot (up to 2025-05-07) may be used; see MANIFEST.

use serde::Deserialize;

use crate::model::{Advisory, Affected, Range, RangeEvent, Status};

/// The ecosystem name (OSV's spelling).
pub const ECOSYSTEM: &str = "Wolfi";

#[derive(Deserialize)]
struct Document {
    #[serde(rename = "schema-version", default)]
    schema_version: Option<serde_yaml_ng::Value>,
    package: Package,
    #[serde(default)]
    advisories: Option<Vec<Entry>>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
}

#[derive(Deserialize)]
struct Entry {
    id: String,
    #[serde(default)]
    aliases: Option<Vec<serde_yaml_ng::Value>>,
    #[serde(default)]
    events: Option<Vec<Event>>,
}

#[derive(Deserialize)]
struct Event {
    #[serde(default)]
    timestamp: Option<serde_yaml_ng::Value>,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    data: Option<serde_yaml_ng::Value>,
}

/// Scalars (strings, numbers, booleans) as text; anything else is not text.
fn scalar(value: &serde_yaml_ng::Value) -> Option<String> {
    use serde_yaml_ng::Value as Y;
    match value {
        Y::String(s) => Some(s.trim().to_string()),
        Y::Number(n) => Some(n.to_string()),
        Y::Bool(b) => Some(b.to_string()),
        Y::Tagged(t) => scalar(&t.value),
        _ => None,
    }
    .filter(|s| !s.is_empty())
}

/// `data.<key>` of an event, as text.
fn data_field(event: &Event, key: &str) -> Option<String> {
    event.data.as_ref()?.get(key).and_then(scalar)
}

const KNOWN_EVENTS: &[&str] = &[
    "fixed",
    "false-positive-determination",
    "fix-not-planned",
    "pending-upstream-fix",
    "true-positive-determination",
    "detection",
];

/// Parses one `<package>.advisories.yaml` document into one advisory per `advisories[]` entry.
pub fn parse(bytes: &[u8]) -> Result<Vec<Advisory>, String> {
    let doc: Document = serde_yaml_ng::from_slice(bytes).map_err(|e| e.to_string())?;
    let schema = doc
        .schema_version
        .as_ref()
        .and_then(scalar)
        .ok_or("missing schema-version")?;
    if schema != "2" && !schema.starts_with("2.") {
        return Err(format!("unsupported schema-version {schema}"));
    }
    let package = doc.package.name.trim().to_string();
    if package.is_empty() {
        return Err("empty package.name".into());
    }
    let mut out = Vec::new();
    for entry in doc.advisories.unwrap_or_default() {
        let id = entry.id.trim().to_string();
        if id.is_empty() {
            return Err(format!("{package}: advisory with an empty id"));
        }
        let mut aliases: Vec<String> = entry.aliases.iter().flatten().filter_map(scalar).collect();
        aliases.sort();
        aliases.dedup();
        let events = entry.events.unwrap_or_default();
        let stamps: Vec<Option<String>> = events
            .iter()
            .map(|e| e.timestamp.as_ref().and_then(scalar))
            .collect();
        // The last event of a known type by timestamp; ties (and missing timestamps, which
        // sort first) keep file order, so the later entry in the file wins.
        let mut last: Option<(usize, &Event)> = None;
        for (i, event) in events.iter().enumerate() {
            let known = event
                .kind
                .as_deref()
                .is_some_and(|k| KNOWN_EVENTS.contains(&k.trim()));
            if !known {
                continue;
            }
            if last.is_none_or(|(j, _)| stamps[i] >= stamps[j]) {
                last = Some((i, event));
            }
        }
        let affected = last.map(|(_, event)| affected_for(&package, event));
        out.push(Advisory {
            id,
            aliases,
            published: stamps.iter().flatten().min().cloned(),
            modified: stamps.iter().flatten().max().cloned(),
            affected: affected.into_iter().collect(),
            ..Advisory::default()
        });
    }
    Ok(out)
}

fn affected_for(package: &str, event: &Event) -> Affected {
    let kind = event.kind.as_deref().map(str::trim).unwrap_or_default();
    let (status, ranges, justification) = match kind {
        "fixed" => match data_field(event, "fixed-version") {
            Some(version) => (
                Status::Fixed,
                vec![Range {
                    kind: "ECOSYSTEM".into(),
                    events: vec![
                        RangeEvent::Introduced("0".into()),
                        RangeEvent::Fixed(version),
                    ],
                }],
                None,
            ),
            None => (Status::Affected, Vec::new(), None),
        },
        "false-positive-determination" => {
            (Status::NotAffected, Vec::new(), data_field(event, "type"))
        }
        "fix-not-planned" => (Status::WillNotFix, Vec::new(), data_field(event, "note")),
        _ => (Status::Affected, Vec::new(), None),
    };
    Affected {
        ecosystem: ECOSYSTEM.into(),
        package: package.to_string(),
        status,
        ranges,
        versions: Vec::new(),
        justification,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::io::Read;

    fn sample(name: &str) -> Option<Vec<u8>> {
        let path =
            std::path::PathBuf::from(crate::test_advisories().join("wolfi").display().to_string())
                .join("samples")
                .join(name);
        match std::fs::read(&path) {
            Ok(bytes) => Some(bytes),
            Err(e) => {
                skip_or_fail(&format!("{}: {e}", path.display()));
                None
            }
        }
    }

    fn skip_or_fail(reason: &str) {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("real data missing under CI: {reason}");
        }
        eprintln!("skipping real-data test: {reason}");
    }

    #[test]
    fn busybox_sample() {
        let Some(bytes) = sample("busybox.advisories.yaml") else {
            return;
        };
        let advisories = parse(&bytes).expect("busybox sample parses");
        let get = |id: &str| advisories.iter().find(|a| a.id == id).expect(id);
        let fixed = get("CGA-c95q-245j-h3hq");
        assert_eq!(fixed.aliases, ["CVE-2022-28391", "GHSA-h8c3-8522-vxc6"]);
        let a = &fixed.affected[0];
        assert_eq!(
            (a.ecosystem.as_str(), a.package.as_str()),
            ("Wolfi", "busybox")
        );
        assert_eq!(a.status, Status::Fixed);
        assert_eq!(a.fixed_version(), Some("1.35.0-r3"));
        // Two false-positive events: the later one's type wins.
        let fp = &get("CGA-9hx4-xv8g-ff86").affected[0];
        assert_eq!(fp.status, Status::NotAffected);
        assert_eq!(
            fp.justification.as_deref(),
            Some("vulnerable-code-not-in-execution-path")
        );
        assert!(advisories.iter().all(|a| a.affected.len() == 1));
    }

    #[test]
    fn airflow_sample() {
        let Some(bytes) = sample("airflow.advisories.yaml") else {
            return;
        };
        let advisories = parse(&bytes).expect("airflow sample parses");
        assert!(!advisories.is_empty());
        assert!(advisories.iter().all(|a| a.id.starts_with("CGA-")));
        assert!(advisories
            .iter()
            .all(|a| a.affected.iter().all(|x| x.package == "airflow")));
    }

    #[test]
    fn last_event_by_timestamp_not_file_order() {
        let yaml = b"schema-version: 2.0.2\npackage:\n  name: foo\nadvisories:\n  - id: CGA-1\n    aliases: [CVE-2024-1, GHSA-x]\n    events:\n      - timestamp: 2024-02-01T00:00:00Z\n        type: fixed\n        data:\n          fixed-version: 1.2-r1\n      - timestamp: 2024-01-01T00:00:00Z\n        type: detection\n        data:\n          type: manual\n  - id: CGA-2\n    events:\n      - timestamp: 2024-01-01T00:00:00Z\n        type: fix-not-planned\n        data:\n          note: upstream is dead\n  - id: CGA-3\n    events:\n      - timestamp: 2024-01-01T00:00:00Z\n        type: pending-upstream-fix\n        data:\n          note: waiting\n      - timestamp: 2024-01-02T00:00:00Z\n        type: some-future-type\n  - id: CGA-4\n    events:\n      - timestamp: 2024-01-01T00:00:00Z\n        type: fixed\n        data: {}\n  - id: CGA-5\n";
        let advisories = parse(yaml).unwrap();
        let a = &advisories[0];
        assert_eq!(a.affected[0].status, Status::Fixed);
        assert_eq!(a.affected[0].fixed_version(), Some("1.2-r1"));
        assert_eq!(a.published.as_deref(), Some("2024-01-01T00:00:00Z"));
        assert_eq!(a.modified.as_deref(), Some("2024-02-01T00:00:00Z"));
        let b = &advisories[1].affected[0];
        assert_eq!(b.status, Status::WillNotFix);
        assert_eq!(b.justification.as_deref(), Some("upstream is dead"));
        assert_eq!(advisories[2].affected[0].status, Status::Affected);
        assert_eq!(advisories[3].affected[0].status, Status::Affected);
        assert_eq!(advisories[3].affected[0].fixed_version(), None);
        assert!(advisories[4].affected.is_empty());
    }

    #[test]
    fn hostile_input() {
        for bad in [
            &b""[..],
            b"{",
            b"- a\n- b\n",
            b"schema-version: 2.0.2\n",
            b"schema-version: 3.0.0\npackage: {name: x}\n",
            b"package: {name: x}\n",
            b"schema-version: 2.0.2\npackage: {name: ''}\n",
            b"schema-version: 2.0.2\npackage: {name: x}\nadvisories: [{id: ''}]\n",
            b"schema-version: 2.0.2\npackage: {name: x}\nadvisories: 7\n",
            b"schema-version: 2.0.2\npackage: {name: x}\nadvisories:\n  - id: [1, 2]\n",
            b"\xff\xfe\x00garbage",
            b"a: &a [*a, *a]\n",
        ] {
            assert!(parse(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        // Odd but tolerable shapes parse without panicking.
        let odd = b"schema-version: \"2\"\npackage: {name: x}\nadvisories:\n  - id: CGA-1\n    aliases: [~, 12, {a: b}]\n    events:\n      - type: fixed\n        data: [1, 2]\n      - timestamp: {x: 1}\n        type: detection\n      - 17\n";
        // An event that is not a mapping is an error (serde), not a panic.
        let _ = parse(odd);
        let odd = b"schema-version: \"2\"\npackage: {name: x}\nadvisories:\n  - id: CGA-1\n    aliases: [~, 12, {a: b}]\n    events:\n      - type: fixed\n        data: [1, 2]\n      - timestamp: {x: 1}\n        type: detection\n";
        let a = parse(odd).unwrap();
        assert_eq!(a[0].aliases, ["12"]);
        assert_eq!(a[0].affected[0].status, Status::Affected);
    }

    #[test]
    fn real_archive_counts() {
        let path =
            std::path::PathBuf::from(crate::test_advisories().join("wolfi").display().to_string())
                .join("wolfi-advisories-apache2-2025-05-07.tar.zst");
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) => return skip_or_fail(&format!("{}: {e}", path.display())),
        };
        let decoder = zstd::stream::read::Decoder::new(file).expect("zstd stream");
        let mut archive = tar::Archive::new(decoder);
        let (mut files, mut advisories) = (0usize, 0usize);
        let mut statuses: BTreeMap<&'static str, usize> = BTreeMap::new();
        let mut justifications: BTreeMap<String, usize> = BTreeMap::new();
        let mut without_status = 0usize;
        for entry in archive.entries().expect("tar entries") {
            let mut entry = entry.expect("tar entry");
            let name = entry.path().expect("path").to_string_lossy().into_owned();
            if !name.ends_with(".advisories.yaml") {
                continue;
            }
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).expect("read member");
            let parsed = parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            files += 1;
            advisories += parsed.len();
            for a in &parsed {
                if a.affected.is_empty() {
                    without_status += 1;
                }
                for x in &a.affected {
                    *statuses.entry(x.status.as_str()).or_default() += 1;
                    if x.status == Status::NotAffected {
                        let j = x.justification.clone().unwrap_or_default();
                        *justifications.entry(j).or_default() += 1;
                    }
                    if x.status == Status::Fixed {
                        assert!(x.fixed_version().is_some(), "{}", a.id);
                    }
                }
            }
        }
        eprintln!(
            "wolfi: {files} files, {advisories} advisories, statuses {statuses:?}, \
             without status {without_status}, not-affected justifications {justifications:?}"
        );
        assert_eq!(files, 1278);
        assert_eq!(advisories, 20_770);
        assert_eq!(without_status, 0);
    }
}
