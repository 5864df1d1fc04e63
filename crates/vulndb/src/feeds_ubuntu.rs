//! Ubuntu CVE Tracker (UCT) files (`active/`, `retired/`, `ignored/` `CVE-*`): RFC822-like
//! text, one CVE per file, with one `<release>_<srcpkg>: <status> [(<detail>)]` line per
//! source package and release.
//!
//! Mapping:
//! - `Candidate:` → id; `PublicDate:` → published (`YYYY-MM-DD HH:MM:SS UTC` becomes
//!   `YYYY-MM-DDTHH:MM:SSZ`; `unknown`/empty → none); `Description:` (folded) → details;
//!   `References:` → references; `Priority:` → severity (first word, lowercased;
//!   `untriaged` → none), severity_source `ubuntu`.
//! - `Priority_<pkg>:` per-package overrides are ignored (the model has one severity per
//!   advisory).
//! - Releases: codename → version through the caller's table (see [`RELEASES_2020_04`]);
//!   ecosystem as OSV spells it: `Ubuntu:<version>:LTS` for LTS releases (6.06, then every
//!   even-year `.04`), `Ubuntu:<version>` for interim ones. `<codename>/esm` lines map to
//!   `Ubuntu:Pro:<version>:LTS`
//!   (OSV's spelling for ESM). `upstream_*`, other `<codename>/<x>` columns
//!   (`vivid/ubuntu-core`, `vivid/stable-phone-overlay`), `product_*`, `snap_*`, `Patches_*`,
//!   `Tags_*` and codenames missing from the table are skipped.
//! - Statuses: `released (v)` → Fixed, range `introduced 0` / `fixed v` (a bare `released`
//!   without version is kept as Fixed with no range: the tracker says a fix shipped but not
//!   in which version); `needed`, `needs-triage`, `pending [(v)]`, `deferred [(date)]` →
//!   Affected, no fix; `not-affected [(detail)]` → NotAffected, justification = detail;
//!   `ignored [(reason)]` → WillNotFix, justification = reason; `DNE` → skipped (package not
//!   in that release); an empty or unknown status → skipped.
//! - Details may be written `(…)` or `[…]`, and a missing `(` is tolerated.
//! - A later line for the same (release, package) replaces an earlier one.

use crate::model::{Advisory, Affected, Range, RangeEvent, Status};

/// Codename → version for every release the 2020-04 tracker snapshot names; `devel` was
/// focal (20.04) at that date. Pass a different table for other snapshots.
pub const RELEASES_2020_04: &[(&str, &str)] = &[
    ("dapper", "6.06"),
    ("edgy", "6.10"),
    ("feisty", "7.04"),
    ("gutsy", "7.10"),
    ("hardy", "8.04"),
    ("intrepid", "8.10"),
    ("jaunty", "9.04"),
    ("karmic", "9.10"),
    ("lucid", "10.04"),
    ("maverick", "10.10"),
    ("natty", "11.04"),
    ("oneiric", "11.10"),
    ("precise", "12.04"),
    ("quantal", "12.10"),
    ("raring", "13.04"),
    ("saucy", "13.10"),
    ("trusty", "14.04"),
    ("utopic", "14.10"),
    ("vivid", "15.04"),
    ("wily", "15.10"),
    ("xenial", "16.04"),
    ("yakkety", "16.10"),
    ("zesty", "17.04"),
    ("artful", "17.10"),
    ("bionic", "18.04"),
    ("cosmic", "18.10"),
    ("disco", "19.04"),
    ("eoan", "19.10"),
    ("focal", "20.04"),
    ("devel", "20.04"),
];

/// Whether a release version is an LTS: 6.06, and every `.04` of an even year from 8.04 on.
pub fn is_lts(version: &str) -> bool {
    if version == "6.06" {
        return true;
    }
    match version.split_once('.') {
        Some((year, "04")) => year.parse::<u32>().is_ok_and(|y| y >= 8 && y % 2 == 0),
        _ => false,
    }
}

/// The ecosystem of a release column, or `None` for columns that are not a distro release.
fn ecosystem(release: &str, release_versions: &[(&str, &str)]) -> Option<String> {
    let lookup = |codename: &str| {
        release_versions
            .iter()
            .find(|(c, _)| *c == codename)
            .map(|(_, v)| *v)
    };
    match release.split_once('/') {
        None => lookup(release).map(|v| {
            if is_lts(v) {
                format!("Ubuntu:{v}:LTS")
            } else {
                format!("Ubuntu:{v}")
            }
        }),
        Some((codename, "esm")) => lookup(codename).map(|v| format!("Ubuntu:Pro:{v}:LTS")),
        Some(_) => None,
    }
}

/// `released (1.2-3)` → (`released`, `1.2-3`); `not-affected [code not present]`,
/// `not-affected 1.2)` and `ignored` are handled too.
fn split_status(value: &str) -> (String, String) {
    let value = value.trim();
    let end = value
        .find(|c: char| c.is_whitespace() || c == '(' || c == '[')
        .unwrap_or(value.len());
    let (word, rest) = value.split_at(end);
    let detail = rest
        .trim()
        .trim_start_matches(['(', '['])
        .trim_end_matches([')', ']'])
        .trim();
    (word.to_ascii_lowercase(), detail.to_string())
}

/// `2020-03-30 00:00:00 UTC` → `2020-03-30T00:00:00Z`; a bare date stays; `unknown` → none.
fn public_date(value: &str) -> Option<String> {
    let value = value.trim();
    if value.is_empty() || value.eq_ignore_ascii_case("unknown") {
        return None;
    }
    let parts: Vec<&str> = value.split_whitespace().collect();
    match parts.as_slice() {
        [date, time, "UTC"] | [date, time] => Some(format!("{date}T{time}Z")),
        _ => Some(value.to_string()),
    }
}

/// Parses one tracker file.
pub fn parse(text: &str, release_versions: &[(&str, &str)]) -> Result<Advisory, String> {
    // Fields in file order; continuation lines (leading whitespace) belong to the last key.
    let mut fields: Vec<(&str, Vec<&str>)> = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, values)) = fields.last_mut() {
                values.push(line.trim());
            }
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let key = key.trim();
        if key.is_empty() || key.contains(char::is_whitespace) {
            continue;
        }
        fields.push((key, vec![value.trim()]));
    }
    let first = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_slice())
    };
    let id = first("Candidate")
        .and_then(|v| v.first())
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    if id.is_empty() {
        return Err("missing or empty Candidate".into());
    }
    if id.contains(char::is_whitespace) {
        return Err(format!("malformed Candidate {id:?}"));
    }
    let joined = |name: &str| {
        first(name)
            .map(|v| {
                v.iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .filter(|s| !s.is_empty())
    };
    let severity = first("Priority")
        .and_then(|v| v.first())
        .and_then(|s| s.split_whitespace().next())
        .map(str::to_ascii_lowercase)
        .filter(|s| s != "untriaged");
    let references = first("References")
        .unwrap_or_default()
        .iter()
        .flat_map(|s| s.split_whitespace())
        .map(str::to_string)
        .collect();

    let mut affected: Vec<Affected> = Vec::new();
    for (key, values) in &fields {
        let Some((release, package)) = key.split_once('_') else {
            continue;
        };
        if package.is_empty() {
            continue;
        }
        let Some(ecosystem) = ecosystem(release, release_versions) else {
            continue;
        };
        let (status, detail) = split_status(values.first().copied().unwrap_or_default());
        let detail = (!detail.is_empty()).then_some(detail);
        let (status, ranges, justification) = match status.as_str() {
            "released" => (
                Status::Fixed,
                detail
                    .map(|v| {
                        vec![Range {
                            kind: "ECOSYSTEM".into(),
                            events: vec![RangeEvent::Introduced("0".into()), RangeEvent::Fixed(v)],
                        }]
                    })
                    .unwrap_or_default(),
                None,
            ),
            "needed" | "needs-triage" | "pending" | "deferred" => {
                (Status::Affected, Vec::new(), None)
            }
            "not-affected" => (Status::NotAffected, Vec::new(), detail),
            "ignored" => (Status::WillNotFix, Vec::new(), detail),
            // `DNE`: the package does not exist in that release; empty or unknown: nothing said.
            _ => continue,
        };
        let entry = Affected {
            ecosystem,
            package: package.to_string(),
            status,
            ranges,
            versions: Vec::new(),
            justification,
        };
        match affected
            .iter_mut()
            .find(|a| a.ecosystem == entry.ecosystem && a.package == entry.package)
        {
            Some(existing) => *existing = entry,
            None => affected.push(entry),
        }
    }

    Ok(Advisory {
        id,
        details: joined("Description"),
        published: first("PublicDate")
            .and_then(|v| v.first())
            .and_then(|s| public_date(s)),
        severity_source: severity.as_ref().map(|_| "ubuntu".to_string()),
        severity,
        references,
        affected,
        ..Advisory::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::io::Read;

    fn skip_or_fail(reason: &str) {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("real data missing under CI: {reason}");
        }
        eprintln!("skipping real-data test: {reason}");
    }

    fn find<'a>(a: &'a Advisory, ecosystem: &str, package: &str) -> Option<&'a Affected> {
        a.affected
            .iter()
            .find(|x| x.ecosystem == ecosystem && x.package == package)
    }

    #[test]
    fn sample_cve_2020_10960() {
        let path = std::path::PathBuf::from(
            crate::test_advisories()
                .join("ubuntu")
                .display()
                .to_string(),
        )
        .join("samples/active/CVE-2020-10960");
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => return skip_or_fail(&format!("{}: {e}", path.display())),
        };
        let a = parse(&text, RELEASES_2020_04).expect("sample parses");
        assert_eq!(a.id, "CVE-2020-10960");
        assert_eq!(a.published.as_deref(), Some("2020-03-30T00:00:00Z"));
        assert_eq!(
            (a.severity.as_deref(), a.severity_source.as_deref()),
            (Some("medium"), Some("ubuntu"))
        );
        assert_eq!(
            a.details.as_deref(),
            Some("[mediawiki: makeCollapsible allows applying event handler to any CSS selector]")
        );
        assert_eq!(a.references.len(), 3);
        // upstream and the DNE lines (precise/esm, trusty/esm, xenial) are skipped.
        assert_eq!(a.affected.len(), 4, "{:?}", a.affected);
        let trusty = find(&a, "Ubuntu:14.04:LTS", "mediawiki").unwrap();
        assert_eq!(trusty.status, Status::WillNotFix);
        assert_eq!(
            trusty.justification.as_deref(),
            Some("out of standard support")
        );
        assert_eq!(
            find(&a, "Ubuntu:18.04:LTS", "mediawiki").unwrap().status,
            Status::Affected
        );
        assert_eq!(
            find(&a, "Ubuntu:19.10", "mediawiki").unwrap().status,
            Status::Affected
        );
        let devel = find(&a, "Ubuntu:20.04:LTS", "mediawiki").unwrap();
        assert_eq!(devel.status, Status::NotAffected);
        assert_eq!(devel.justification.as_deref(), Some("1:1.31.7-1"));
    }

    #[test]
    fn statuses_and_quirks() {
        let text = "Candidate:CVE-2019-0001\nPublicDate: 2019-01-02\nDescription:\n line one\n line two\nPriority: Low (heap-protector)\nPriority_openssl: high\n\n#comment: x\nPatches_openssl:\nupstream_openssl: released (1.1.1a)\ntrusty/esm_openssl: released (1.0.1f-1ubuntu2.27+esm1)\nxenial_openssl: released [1.0.2g-1ubuntu4.15]\nbionic_openssl: pending (1.1.1-1ubuntu2.1~18.04.2)\ncosmic_openssl: deferred (2019-03-01)\ndisco_openssl: needed\neoan_openssl: not-affected 1.1.1b-1)\ndevel_openssl: not-affected\nvivid/ubuntu-core_openssl: needed\nproduct_openssl: ignored (end-of-life)\nprecise_openssl: ignored\nlucid_openssl: released\nhardy_openssl:\nfeisty_openssl: frobnicated\nzesty_openssl: DNE\nzesty_openssl: needed\nwarty_openssl: needed\n";
        let a = parse(text, RELEASES_2020_04).unwrap();
        assert_eq!(a.id, "CVE-2019-0001");
        assert_eq!(a.published.as_deref(), Some("2019-01-02"));
        assert_eq!(a.details.as_deref(), Some("line one line two"));
        assert_eq!(a.severity.as_deref(), Some("low"));
        let get = |eco: &str| find(&a, eco, "openssl").unwrap_or_else(|| panic!("{eco}"));
        let esm = get("Ubuntu:Pro:14.04:LTS");
        assert_eq!(esm.fixed_version(), Some("1.0.1f-1ubuntu2.27+esm1"));
        assert_eq!(
            get("Ubuntu:16.04:LTS").fixed_version(),
            Some("1.0.2g-1ubuntu4.15")
        );
        let bionic = get("Ubuntu:18.04:LTS");
        assert_eq!(
            (bionic.status, bionic.fixed_version()),
            (Status::Affected, None)
        );
        assert_eq!(get("Ubuntu:18.10").status, Status::Affected);
        assert_eq!(get("Ubuntu:19.04").status, Status::Affected);
        let eoan = get("Ubuntu:19.10");
        assert_eq!(eoan.status, Status::NotAffected);
        assert_eq!(eoan.justification.as_deref(), Some("1.1.1b-1"));
        assert_eq!(get("Ubuntu:20.04:LTS").justification, None);
        let precise = get("Ubuntu:12.04:LTS");
        assert_eq!(
            (precise.status, precise.justification.as_deref()),
            (Status::WillNotFix, None)
        );
        let lucid = get("Ubuntu:10.04:LTS");
        assert_eq!((lucid.status, lucid.fixed_version()), (Status::Fixed, None));
        assert_eq!(get("Ubuntu:17.04").status, Status::Affected);
        // upstream, vivid/ubuntu-core, product, empty, unknown status, unknown codename: skipped.
        assert_eq!(a.affected.len(), 10, "{:?}", a.affected);
    }

    #[test]
    fn ecosystems_use_osv_spelling() {
        for (column, expected) in [
            ("dapper", Some("Ubuntu:6.06:LTS")),
            ("hardy", Some("Ubuntu:8.04:LTS")),
            ("lucid", Some("Ubuntu:10.04:LTS")),
            ("precise", Some("Ubuntu:12.04:LTS")),
            ("trusty", Some("Ubuntu:14.04:LTS")),
            ("xenial", Some("Ubuntu:16.04:LTS")),
            ("bionic", Some("Ubuntu:18.04:LTS")),
            ("devel", Some("Ubuntu:20.04:LTS")),
            ("edgy", Some("Ubuntu:6.10")),
            ("jaunty", Some("Ubuntu:9.04")),
            ("zesty", Some("Ubuntu:17.04")),
            ("eoan", Some("Ubuntu:19.10")),
            ("xenial/esm", Some("Ubuntu:Pro:16.04:LTS")),
            ("vivid/ubuntu-core", None),
        ] {
            assert_eq!(
                ecosystem(column, RELEASES_2020_04).as_deref(),
                expected,
                "{column}"
            );
        }
        assert!(is_lts("22.04") && is_lts("24.04") && !is_lts("23.04") && !is_lts("22.10"));
    }

    #[test]
    fn hostile_input() {
        for bad in [
            "",
            "\n\n",
            "garbage without colons",
            "Candidate:\nPublicDate: unknown\n",
            "Candidate: CVE-1 CVE-2\n",
            " Candidate: CVE-2020-1\n",
            "PublicDate: 2020-01-01\nxenial_foo: needed\n",
        ] {
            assert!(parse(bad, RELEASES_2020_04).is_err(), "{bad:?}");
        }
        let odd = "Candidate: CVE-2020-1\n_: needed\nxenial_: needed\n:\n::::\nxenial_foo: (\nxenial_bar: released ()\nxenial_baz: ignored [[[\n\u{feff}\u{0}: x\nPublicDate:\nPriority:\n";
        let a = parse(odd, RELEASES_2020_04).unwrap();
        assert_eq!(a.published, None);
        assert_eq!(a.severity, None);
        assert_eq!(a.severity_source, None);
        let bar = find(&a, "Ubuntu:16.04:LTS", "bar").unwrap();
        assert_eq!((bar.status, bar.fixed_version()), (Status::Fixed, None));
        assert_eq!(
            find(&a, "Ubuntu:16.04:LTS", "baz").unwrap().justification,
            None
        );
        assert!(find(&a, "Ubuntu:16.04:LTS", "foo").is_none());
        // An empty table maps nothing.
        assert!(parse("Candidate: CVE-1\nxenial_a: needed\n", &[])
            .unwrap()
            .affected
            .is_empty());
    }

    #[test]
    fn real_archive_counts() {
        let path = std::path::PathBuf::from(
            crate::test_advisories()
                .join("ubuntu")
                .display()
                .to_string(),
        )
        .join("ubuntu-cve-tracker-2020-04.tar.zst");
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) => return skip_or_fail(&format!("{}: {e}", path.display())),
        };
        let decoder = zstd::stream::read::Decoder::new(file).expect("zstd stream");
        let mut archive = tar::Archive::new(decoder);
        let mut with_candidate = 0usize;
        let mut parsed = 0usize;
        let mut rejected: Vec<String> = Vec::new();
        let mut per_dir: BTreeMap<String, usize> = BTreeMap::new();
        let mut statuses: BTreeMap<&'static str, usize> = BTreeMap::new();
        let mut ecosystems: BTreeMap<String, usize> = BTreeMap::new();
        let mut fixed_without_version = 0usize;
        // 17 `00boilerplate.*` members are symlinks to other templates: no content in the
        // tar, but the MANIFEST's count (grep over an extracted tree) follows them.
        let mut symlinks = 0usize;
        for entry in archive.entries().expect("tar entries") {
            let mut entry = entry.expect("tar entry");
            let name = entry.path().expect("path").to_string_lossy().into_owned();
            let name = name.trim_start_matches("./").to_string();
            let Some((dir, _)) = name.split_once('/') else {
                continue;
            };
            if !matches!(dir, "active" | "retired" | "ignored") {
                continue;
            }
            let kind = entry.header().entry_type();
            if kind.is_symlink() {
                symlinks += 1;
                continue;
            }
            if !kind.is_file() {
                continue;
            }
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).expect("read member");
            let text = String::from_utf8_lossy(&bytes);
            if !text.lines().any(|l| l.starts_with("Candidate:")) {
                continue;
            }
            with_candidate += 1;
            match parse(&text, RELEASES_2020_04) {
                Ok(a) => {
                    parsed += 1;
                    *per_dir.entry(dir.to_string()).or_default() += 1;
                    for x in &a.affected {
                        *statuses.entry(x.status.as_str()).or_default() += 1;
                        *ecosystems.entry(x.ecosystem.clone()).or_default() += 1;
                        if x.status == Status::Fixed && x.fixed_version().is_none() {
                            fixed_without_version += 1;
                        }
                    }
                }
                Err(_) => rejected.push(name),
            }
        }
        eprintln!(
            "ubuntu: {with_candidate} files with Candidate: (+{symlinks} symlinks), {parsed} parsed {per_dir:?}, \
             {} rejected, statuses {statuses:?}, fixed without version {fixed_without_version}, \
             ecosystems {ecosystems:?}",
            rejected.len()
        );
        assert_eq!((with_candidate, symlinks), (33_208, 17));
        assert_eq!(with_candidate + symlinks, 33_225);
        // The 82 rejected files (+ the 17 symlinks) are UCT's `00boilerplate*` templates
        // (empty `Candidate:`).
        assert_eq!(rejected.len(), 82);
        assert!(
            rejected.iter().all(|n| n.contains("00boilerplate")),
            "{rejected:?}"
        );
        assert_eq!(parsed, 33_126);
    }
}
