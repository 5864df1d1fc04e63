//! Debian security tracker advisory lists: `data/DSA/list`, `data/DLA/list`,
//! `data/DTSA/list`.
//!
//! ```text
//! [29 Mar 2023] DSA-5380-1 xorg-server - security update
//!     {CVE-2023-1393}
//!     [bullseye] - xorg-server 2:1.20.11-1+deb11u6
//!     [jessie] - pkg <not-affected> (Vulnerable code not present)
//!     NOTE: fixed in testing at time of DSA
//! ```
//!
//! - One advisory per header line (`DSA-5380-1`); `{…}` ids are aliases; the date is
//!   `published` (`29 Mar 2023`, or DTSA's `August 26th, 2005`); the title is the summary.
//! - `[codename] - <source package> <version> [(urgency…)]` → Fixed, ecosystem
//!   `Debian:<version number>` (codename table below — config.json in the tracker only
//!   lists codenames), range `introduced 0` / `fixed <version>` (epochs kept);
//!   `<not-affected>` → NotAffected, `<end-of-life>` → WillNotFix, `<unfixed>` → Affected,
//!   `<ignored>`/`<postponed>`/`<no-dsa>` → WillNotFix; the parenthesised note is the
//!   justification. Codenames without a number (`sid`) are skipped.
//! - A header without an advisory id, or a package line before any header, is reported and
//!   skipped; the rest of the list is read.

use crate::model::{Advisory, Affected, Range, RangeEvent, Status};

/// Debian codename → release number, as OSV names Debian ecosystems (`Debian:11`).
pub const RELEASES: &[(&str, &str)] = &[
    ("buzz", "1.1"),
    ("rex", "1.2"),
    ("bo", "1.3"),
    ("hamm", "2.0"),
    ("slink", "2.1"),
    ("potato", "2.2"),
    ("woody", "3.0"),
    ("sarge", "3.1"),
    ("etch", "4"),
    ("lenny", "5"),
    ("squeeze", "6"),
    ("wheezy", "7"),
    ("jessie", "8"),
    ("stretch", "9"),
    ("buster", "10"),
    ("bullseye", "11"),
    ("bookworm", "12"),
    ("trixie", "13"),
    ("forky", "14"),
    ("duke", "15"),
];

pub fn ecosystem(codename: &str) -> Option<String> {
    RELEASES
        .iter()
        .find(|(c, _)| *c == codename)
        .map(|(_, v)| format!("Debian:{v}"))
}

/// Whether a document is one of the tracker's advisory lists.
pub fn looks_like_list(path: &str, text: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    file == "list"
        && (path.contains("DSA/") || path.contains("DLA/") || path.contains("DTSA/"))
        && text.starts_with('[')
}

const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// `29 Mar 2023` or `August 26th, 2005` → `2023-03-29`.
fn parse_date(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split([' ', ','])
        .filter(|w| !w.is_empty())
        .map(|w| w.to_ascii_lowercase())
        .collect();
    let month = |w: &str| {
        MONTHS
            .iter()
            .position(|m| w.len() >= 3 && w.starts_with(m))
            .map(|i| i + 1)
    };
    let day = |w: &str| {
        w.trim_end_matches(|c: char| c.is_ascii_alphabetic())
            .parse::<u32>()
            .ok()
            .filter(|d| (1..=31).contains(d))
    };
    let (d, m, y) = match words.as_slice() {
        [d, m, y] if day(d).is_some() && month(m).is_some() => (day(d)?, month(m)?, y),
        [m, d, y] if month(m).is_some() && day(d).is_some() => (day(d)?, month(m)?, y),
        _ => return None,
    };
    let y: u32 = y.parse().ok()?;
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

/// Parses one list. Returns the advisories and warnings naming the lines skipped.
pub fn parse(text: &str, path: &str) -> (Vec<Advisory>, Vec<String>) {
    let mut out: Vec<Advisory> = Vec::new();
    let mut warnings = Vec::new();
    let mut current: Option<Advisory> = None;
    for (n, line) in text.lines().enumerate() {
        let lineno = n + 1;
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with('[') && !line.starts_with(['\t', ' ']) {
            if let Some(done) = current.take() {
                out.push(done);
            }
            let Some((date, rest)) = line[1..].split_once(']') else {
                warnings.push(format!("{path}:{lineno}: header without a closing ]"));
                continue;
            };
            let mut words = rest.split_whitespace();
            let id = words.next().unwrap_or_default();
            let valid = ["DSA-", "DLA-", "DTSA-"].iter().any(|p| id.starts_with(p));
            if !valid {
                warnings.push(format!("{path}:{lineno}: no advisory id in {line:?}"));
                continue;
            }
            let title: Vec<&str> = words.collect();
            current = Some(Advisory {
                id: id.to_string(),
                summary: (!title.is_empty()).then(|| title.join(" ")),
                published: parse_date(date),
                ..Advisory::default()
            });
            continue;
        }
        let body = line.trim();
        let Some(advisory) = current.as_mut() else {
            warnings.push(format!("{path}:{lineno}: line outside an advisory"));
            continue;
        };
        if let Some(ids) = body.strip_prefix('{') {
            for id in ids.trim_end_matches('}').split_whitespace() {
                if !advisory.aliases.iter().any(|a| a == id) {
                    advisory.aliases.push(id.to_string());
                }
            }
            continue;
        }
        if !body.starts_with('[') {
            continue; // NOTE: lines
        }
        let Some((codename, rest)) = body[1..].split_once(']') else {
            warnings.push(format!("{path}:{lineno}: malformed release line"));
            continue;
        };
        let Some(ecosystem) = ecosystem(codename.trim()) else {
            continue;
        };
        let rest = rest.trim().trim_start_matches('-').trim();
        let mut parts = rest.splitn(2, char::is_whitespace);
        let package = parts.next().unwrap_or_default().to_string();
        let tail = parts.next().unwrap_or_default().trim();
        if package.is_empty() || tail.is_empty() {
            warnings.push(format!(
                "{path}:{lineno}: no package or version in {body:?}"
            ));
            continue;
        }
        let (word, note) = match tail.split_once(char::is_whitespace) {
            Some((w, n)) => (w, n.trim()),
            None => (tail, ""),
        };
        let note = note
            .trim_start_matches('(')
            .trim_end_matches(')')
            .trim()
            .to_string();
        let note = (!note.is_empty()).then_some(note);
        let (status, ranges, justification) = match word {
            "<not-affected>" => (Status::NotAffected, Vec::new(), note),
            "<end-of-life>" => (
                Status::WillNotFix,
                Vec::new(),
                Some(note.unwrap_or_else(|| "end-of-life".into())),
            ),
            "<unfixed>" => (Status::Affected, Vec::new(), None),
            "<ignored>" | "<postponed>" | "<no-dsa>" => (
                Status::WillNotFix,
                Vec::new(),
                Some(note.unwrap_or_else(|| word.trim_matches(['<', '>']).to_string())),
            ),
            w if w.starts_with('<') => {
                warnings.push(format!("{path}:{lineno}: unknown state {w}"));
                continue;
            }
            version => (
                Status::Fixed,
                vec![Range {
                    kind: "ECOSYSTEM".into(),
                    events: vec![
                        RangeEvent::Introduced("0".into()),
                        RangeEvent::Fixed(version.to_string()),
                    ],
                }],
                None,
            ),
        };
        let row = Affected {
            ecosystem,
            package,
            status,
            ranges,
            versions: Vec::new(),
            justification,
        };
        if !advisory.affected.contains(&row) {
            advisory.affected.push(row);
        }
    }
    if let Some(done) = current.take() {
        out.push(done);
    }
    (out, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn sample_head() {
        let path = crate::test_advisories()
            .join("debian/samples/data/DSA/list.head60")
            .display()
            .to_string();
        let Some(text) = crate::shared_file(&path, std::fs::read_to_string(&path)) else {
            return;
        };
        let (advisories, warnings) = parse(&text, "data/DSA/list");
        assert!(warnings.is_empty(), "{warnings:?}");
        let a = &advisories[0];
        assert_eq!(a.id, "DSA-5380-1");
        assert_eq!(a.aliases, ["CVE-2023-1393"]);
        assert_eq!(a.published.as_deref(), Some("2023-03-29"));
        assert_eq!(a.summary.as_deref(), Some("xorg-server - security update"));
        let r = &a.affected[0];
        assert_eq!(
            (r.ecosystem.as_str(), r.package.as_str(), r.status),
            ("Debian:11", "xorg-server", Status::Fixed)
        );
        // Epoch kept.
        assert_eq!(r.fixed_version(), Some("2:1.20.11-1+deb11u6"));
        // A regression update without CVE ids still lists its fix.
        let sox = advisories.iter().find(|a| a.id == "DSA-5356-2").unwrap();
        assert!(sox.aliases.is_empty());
        assert_eq!(
            sox.affected[0].fixed_version(),
            Some("14.4.2+git20190427-2+deb11u2")
        );
    }

    #[test]
    fn states_dates_and_bad_lines() {
        let text = "[August 26th, 2005] DTSA-1-1 kismet - various\n\t{CVE-2005-2626 CVE-2005-2627 }\n\t[etch] - kismet 2005.08.R1-0.1etch1 (high)\n[01 Apr 2023] DLA-3380-1 foo - security update\n\t[jessie] - foo <not-affected> (Vulnerable code not present)\n\t[stretch] - foo <end-of-life>\n\t[sid] - foo 1.0-1\n\t[buster] - foo\n\tNOTE: fixed in testing at time of DSA\n[02 Apr 2023] no id here\n\t[buster] - bar 1.0-1\n";
        let (advisories, warnings) = parse(text, "data/DLA/list");
        assert_eq!(advisories.len(), 2);
        let dtsa = &advisories[0];
        assert_eq!(dtsa.published.as_deref(), Some("2005-08-26"));
        assert_eq!(dtsa.aliases.len(), 2);
        assert_eq!(dtsa.affected[0].ecosystem, "Debian:4");
        let dla = &advisories[1];
        let jessie = &dla.affected[0];
        assert_eq!(
            (jessie.ecosystem.as_str(), jessie.status),
            ("Debian:8", Status::NotAffected)
        );
        assert_eq!(
            jessie.justification.as_deref(),
            Some("Vulnerable code not present")
        );
        let stretch = &dla.affected[1];
        assert_eq!(stretch.status, Status::WillNotFix);
        assert_eq!(stretch.justification.as_deref(), Some("end-of-life"));
        // sid skipped, `[buster] - foo` (no version) and the id-less header reported; the
        // line under the bad header is outside any advisory.
        assert_eq!(dla.affected.len(), 2);
        assert_eq!(warnings.len(), 3, "{warnings:?}");
    }

    #[test]
    fn full_lists_count() {
        let path = crate::test_advisories()
            .join("debian/debian-security-tracker-lists-2023-04.tar.zst")
            .display()
            .to_string();
        let Some(file) = crate::shared_file(&path, std::fs::File::open(&path)) else {
            return;
        };
        let mut tar = tar::Archive::new(zstd::stream::read::Decoder::new(file).unwrap());
        let mut total = 0;
        for e in tar.entries().unwrap() {
            let mut e = e.unwrap();
            let name = e.path().unwrap().to_string_lossy().into_owned();
            let mut text = String::new();
            if e.read_to_string(&mut text).is_err() || !looks_like_list(&name, &text) {
                continue;
            }
            let (advisories, _) = parse(&text, &name);
            let expected = match name.rsplit('/').nth(1) {
                Some("DSA") => 5406,
                Some("DLA") => 3534,
                _ => 208,
            };
            assert_eq!(advisories.len(), expected, "{name}");
            total += advisories.len();
        }
        assert_eq!(total, 9148);
    }
}
