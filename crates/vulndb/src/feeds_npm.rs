//! Node.js security-wg: `vuln/npm/<n>.json` (old Node Security Project advisories for npm
//! packages), `vuln/core/<n>.json` (the Node.js runtime) and `vuln/deps/<n>.json` (CVEs in
//! bundled dependencies that the project says do not affect Node.js).
//!
//! - npm → ecosystem `npm`, package `module_name`, id `NSWG-ECO-<n>`; core → ecosystem
//!   `Node.js`, package `node`, id `NSWG-COR-<n>` (the ids the security-wg README defines);
//!   deps → `Node.js`/`node` NotAffected with the `reason` as justification, id
//!   `NSWG-DEP-<n>`.
//! - Ranges are node-semver: `||` unions, space-separated comparators, `^`, `~`, x-ranges
//!   and hyphen ranges, desugared as node-semver does (`^1.2.3` = `>=1.2.3 <2.0.0-0`).
//!   Vulnerable = `vulnerable_versions` minus `patched_versions` (core: `vulnerable: "8.x"`,
//!   `patched: "^8.1.4"` → `>=8.0.0 <8.1.4`); `patched_versions` null or `<0.0.0` = no fix.
//! - `>X` (no pre-release) is `>=X+1patch-0` exactly, so it needs no widening.
//! - `vuln/core/index.json` repeats the core files and is skipped by the caller.

use serde_json::Value;

use crate::model::{Advisory, Affected, Cvss, Status};
use crate::ranges::{self, Bound, Interval, VersionSet};
use crate::version::npm::NPM;
use crate::version::VersionOrder;

/// Which security-wg folder a document comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Npm,
    Core,
    Deps,
}

/// The kind of a security-wg document from its path, or `None`.
pub fn kind_for_path(path: &str) -> Option<Kind> {
    let file = path.rsplit('/').next().unwrap_or(path);
    let number = file.strip_suffix(".json")?;
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if path.contains("vuln/npm/") {
        Some(Kind::Npm)
    } else if path.contains("vuln/core/") {
        Some(Kind::Core)
    } else if path.contains("vuln/deps/") {
        Some(Kind::Deps)
    } else {
        None
    }
}

struct Partial {
    major: Option<u64>,
    minor: Option<u64>,
    patch: Option<u64>,
    pre: String,
}

fn is_wild(s: &str) -> bool {
    matches!(s, "x" | "X" | "*" | "")
}

fn partial(text: &str) -> Result<Partial, String> {
    let t = text.trim().trim_start_matches(['v', '=']).trim();
    let t = t.split('+').next().unwrap_or(t);
    let (main, pre) = match t.split_once('-') {
        Some((m, p)) => (m, p.to_string()),
        None => (t, String::new()),
    };
    let mut nums = [None, None, None];
    let parts: Vec<&str> = main.split('.').collect();
    if parts.len() > 3 {
        return Err(format!("not a version: {text:?}"));
    }
    for (i, p) in parts.iter().enumerate() {
        if is_wild(p) {
            break;
        }
        nums[i] = Some(
            p.parse::<u64>()
                .map_err(|_| format!("not a version: {text:?}"))?,
        );
    }
    Ok(Partial {
        major: nums[0],
        minor: nums[1],
        patch: nums[2],
        pre,
    })
}

fn v(major: u64, minor: u64, patch: u64) -> String {
    format!("{major}.{minor}.{patch}")
}

fn interval(lower: Bound, upper: Bound) -> Interval {
    Interval { lower, upper }
}

fn incl(s: String) -> Bound {
    Bound::Inclusive(s)
}

fn excl(s: String) -> Bound {
    Bound::Exclusive(s)
}

/// The full version a partial names at its lowest (`1.2` → `1.2.0`), or `None` for `*`.
fn floor(p: &Partial) -> Option<String> {
    let major = p.major?;
    let mut s = v(major, p.minor.unwrap_or(0), p.patch.unwrap_or(0));
    if p.patch.is_some() && !p.pre.is_empty() {
        s = format!("{s}-{}", p.pre);
    }
    Some(s)
}

/// The first version past everything a partial names (`1.2` → `1.3.0-0`).
fn ceiling(p: &Partial) -> Option<String> {
    let major = p.major?;
    Some(match (p.minor, p.patch) {
        (None, _) => format!("{}-0", v(major + 1, 0, 0)),
        (Some(minor), None) => format!("{}-0", v(major, minor + 1, 0)),
        (Some(_), Some(_)) => return None,
    })
}

/// One node-semver comparator (operator and version already joined).
fn comparator(c: &str) -> Result<Interval, String> {
    let c = c.trim();
    let op_len = c
        .find(|ch: char| !matches!(ch, '<' | '>' | '=' | '~' | '^'))
        .unwrap_or(c.len());
    let (op, rest) = c.split_at(op_len);
    let p = partial(rest)?;
    let full = p.patch.is_some();
    let lo = floor(&p);
    let all = || Interval::all();
    Ok(match op {
        "" | "=" => match (&lo, full) {
            (None, _) => all(),
            (Some(l), true) => interval(incl(l.clone()), incl(l.clone())),
            (Some(l), false) => interval(incl(l.clone()), excl(ceiling(&p).unwrap_or_default())),
        },
        ">=" => match lo {
            None => all(),
            Some(l) => interval(incl(l), Bound::Unbounded),
        },
        ">" => match (lo, full) {
            // `>*` matches nothing.
            (None, _) => interval(excl("0.0.0".into()), excl("0.0.0".into())),
            (Some(_), true) if p.pre.is_empty() => {
                let (major, minor, patch) = (
                    p.major.unwrap_or(0),
                    p.minor.unwrap_or(0),
                    p.patch.unwrap_or(0),
                );
                interval(
                    incl(format!("{}-0", v(major, minor, patch + 1))),
                    Bound::Unbounded,
                )
            }
            (Some(l), true) => interval(excl(l), Bound::Unbounded),
            (Some(_), false) => interval(incl(ceiling(&p).unwrap_or_default()), Bound::Unbounded),
        },
        "<" => match (lo, full) {
            (None, _) => interval(excl("0.0.0".into()), excl("0.0.0".into())),
            // `<0.0.0` is how advisories say "no version" (no patch exists).
            (Some(l), true) if l == "0.0.0" => interval(excl(l.clone()), excl(l)),
            (Some(l), true) => interval(Bound::Unbounded, excl(l)),
            (Some(l), false) => interval(Bound::Unbounded, excl(format!("{l}-0"))),
        },
        "<=" => match (lo, full) {
            (None, _) => all(),
            (Some(l), true) => interval(Bound::Unbounded, incl(l)),
            (Some(_), false) => interval(Bound::Unbounded, excl(ceiling(&p).unwrap_or_default())),
        },
        "~" | "~>" => {
            let Some(l) = lo else { return Ok(all()) };
            let major = p.major.unwrap_or(0);
            let upper = match p.minor {
                None => v(major + 1, 0, 0),
                Some(minor) => v(major, minor + 1, 0),
            };
            interval(incl(l), excl(format!("{upper}-0")))
        }
        "^" => {
            let Some(l) = lo else { return Ok(all()) };
            let (major, minor, patch) = (p.major.unwrap_or(0), p.minor, p.patch);
            let upper = match (major, minor, patch) {
                (m, _, _) if m > 0 => v(m + 1, 0, 0),
                (0, None, _) => v(1, 0, 0),
                (0, Some(mi), _) if mi > 0 => v(0, mi + 1, 0),
                (0, Some(0), None) => v(0, 1, 0),
                (_, _, Some(pa)) => v(0, 0, pa + 1),
                _ => v(0, 1, 0),
            };
            interval(incl(l), excl(format!("{upper}-0")))
        }
        _ => return Err(format!("unsupported operator {op:?} in {c:?}")),
    })
}

/// A node-semver range as a version set.
pub fn range_set(range: &str) -> Result<VersionSet, String> {
    let mut out = VersionSet::empty();
    for branch in range.split("||") {
        let branch = branch.trim();
        let mut set = VersionSet::all();
        if let Some((a, b)) = branch.split_once(" - ") {
            let (pa, pb) = (partial(a)?, partial(b)?);
            let lower = floor(&pa).map(incl).unwrap_or(Bound::Unbounded);
            let upper = match (floor(&pb), pb.patch.is_some()) {
                (None, _) => Bound::Unbounded,
                (Some(f), true) => incl(f),
                (Some(_), false) => excl(ceiling(&pb).unwrap_or_default()),
            };
            set = VersionSet::from_intervals(&NPM, vec![interval(lower, upper)])
                .map_err(|e| e.to_string())?;
        } else {
            // `>= 1.2.3` is one comparator: glue a lone operator to the next token.
            let mut comparators: Vec<String> = Vec::new();
            let mut pending = String::new();
            for token in branch.split_whitespace() {
                if token
                    .chars()
                    .all(|c| matches!(c, '<' | '>' | '=' | '~' | '^'))
                {
                    pending.push_str(token);
                    continue;
                }
                comparators.push(format!("{pending}{token}"));
                pending.clear();
            }
            if !pending.is_empty() {
                return Err(format!("operator without a version in {branch:?}"));
            }
            for c in comparators {
                let i = comparator(&c)?;
                for b in [&i.lower, &i.upper] {
                    if let Bound::Inclusive(x) | Bound::Exclusive(x) = b {
                        NPM.validate(x).map_err(|e| e.to_string())?;
                    }
                }
                let one = VersionSet::from_intervals(&NPM, vec![i]).map_err(|e| e.to_string())?;
                set = set.intersect(&NPM, &one).map_err(|e| e.to_string())?;
            }
        }
        out = out.union(&NPM, &set).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// In SemVer the first version after `X.Y.Z` is `X.Y.(Z+1)-0`, so an exclusive lower bound
/// on a release is an inclusive one that OSV can write.
fn exact_lower_bounds(set: VersionSet) -> VersionSet {
    let intervals = set
        .intervals
        .into_iter()
        .map(|mut i| {
            if let Bound::Exclusive(x) = &i.lower {
                let parts: Vec<&str> = x.split('.').collect();
                if let [major, minor, patch] = parts.as_slice() {
                    if let (Ok(a), Ok(b), Ok(c)) = (
                        major.parse::<u64>(),
                        minor.parse::<u64>(),
                        patch.parse::<u64>(),
                    ) {
                        i.lower = incl(format!("{}-0", v(a, b, c + 1)));
                    }
                }
            }
            i
        })
        .collect();
    VersionSet { intervals }
}

/// Vulnerable minus patched.
pub fn vulnerable_set(vulnerable: &str, patched: Option<&str>) -> Result<VersionSet, String> {
    let v = range_set(vulnerable)?;
    let set = match patched.map(str::trim).filter(|p| !p.is_empty()) {
        None => v,
        Some(p) => {
            let p = range_set(p)?;
            v.intersect(&NPM, &p.complement(&NPM).map_err(|e| e.to_string())?)
                .map_err(|e| e.to_string())?
        }
    };
    Ok(exact_lower_bounds(set))
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// Parses one security-wg document of `kind`; `path` names it (the number is the id).
pub fn parse(bytes: &[u8], path: &str, kind: Kind) -> Result<(Advisory, Vec<String>), String> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if !doc.is_object() {
        return Err("not a JSON object".into());
    }
    let number = path
        .rsplit('/')
        .next()
        .and_then(|f| f.strip_suffix(".json"))
        .unwrap_or_default();
    let text = |k: &str| doc.get(k).and_then(Value::as_str).map(str::to_string);
    let mut warnings = Vec::new();
    let mut aliases = strings(doc.get("cves").or_else(|| doc.get("cve")));
    aliases.sort();
    aliases.dedup();
    let (id, ecosystem, package, vulnerable, patched) = match kind {
        Kind::Npm => (
            format!("NSWG-ECO-{number}"),
            "npm",
            text("module_name").ok_or("no module_name")?,
            text("vulnerable_versions"),
            text("patched_versions"),
        ),
        Kind::Core => (
            format!("NSWG-COR-{number}"),
            "Node.js",
            "node".to_string(),
            text("vulnerable"),
            text("patched"),
        ),
        Kind::Deps => (
            format!("NSWG-DEP-{number}"),
            "Node.js",
            "node".to_string(),
            None,
            None,
        ),
    };
    let affected = if kind == Kind::Deps {
        vec![Affected {
            ecosystem: ecosystem.into(),
            package,
            status: Status::NotAffected,
            ranges: Vec::new(),
            versions: Vec::new(),
            justification: Some(text("reason").unwrap_or_else(|| "not affected".into())),
        }]
    } else {
        let vulnerable = vulnerable.unwrap_or_else(|| "*".into());
        match vulnerable_set(&vulnerable, patched.as_deref()) {
            Ok(set) => {
                let (ranges, widened) = set.to_osv();
                for v in widened {
                    warnings.push(format!("{path}: vulnerable from just after {v}"));
                }
                if ranges.is_empty() {
                    warnings.push(format!("{path}: no version is vulnerable"));
                    Vec::new()
                } else {
                    vec![Affected {
                        ecosystem: ecosystem.into(),
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
            Err(e) => {
                warnings.push(format!(
                    "{path}: range {vulnerable:?} not converted ({e}); kept without ranges"
                ));
                Vec::new()
            }
        }
    };
    let cvss = text("cvss_vector")
        .filter(|v| v.starts_with("CVSS:"))
        .map(|vector| Cvss {
            kind: if vector.starts_with("CVSS:4") {
                "CVSS_V4".into()
            } else {
                "CVSS_V3".into()
            },
            vector,
        })
        .into_iter()
        .collect();
    let severity = text("severity").map(|s| s.to_ascii_lowercase());
    let mut references = strings(doc.get("references"));
    references.extend(text("ref"));
    Ok((
        Advisory {
            id,
            aliases,
            summary: text("title").or(text("description")),
            details: text("overview"),
            published: text("publish_date").or(text("created_at")),
            modified: text("updated_at"),
            severity_source: severity.as_ref().map(|_| "Node.js security-wg".to_string()),
            severity,
            cvss,
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

    fn has(set: &VersionSet, v: &str) -> bool {
        set.contains(&NPM, v).unwrap()
    }

    #[test]
    fn node_semver_desugaring() {
        let s = range_set("^1.2.3").unwrap();
        assert!(
            has(&s, "1.2.3") && has(&s, "1.9.0") && !has(&s, "2.0.0") && !has(&s, "2.0.0-beta")
        );
        let s = range_set("^0.2.3").unwrap();
        assert!(has(&s, "0.2.9") && !has(&s, "0.3.0"));
        let s = range_set("^0.0.3").unwrap();
        assert!(has(&s, "0.0.3") && !has(&s, "0.0.4"));
        let s = range_set("~1.2").unwrap();
        assert!(has(&s, "1.2.0") && !has(&s, "1.3.0"));
        let s = range_set("8.x || 7.x").unwrap();
        assert!(has(&s, "7.0.0") && has(&s, "8.9.9") && !has(&s, "9.0.0") && !has(&s, "6.9.9"));
        let s = range_set(">= 1.0.0 < 1.2.6").unwrap();
        assert!(has(&s, "1.2.5") && !has(&s, "1.2.6"));
        let s = range_set("1.2 - 2.3.4").unwrap();
        assert!(has(&s, "1.2.0") && has(&s, "2.3.4") && !has(&s, "2.3.5"));
        let s = range_set(">1.2.3").unwrap();
        assert!(!has(&s, "1.2.3") && has(&s, "1.2.4-alpha") && has(&s, "1.2.4"));
        assert!(s.to_osv().1.is_empty(), "no widening needed for >X");
        let s = range_set("<=1.5.1").unwrap();
        assert!(has(&s, "1.5.1") && !has(&s, "1.5.2"));
        assert!(range_set("<0.0.0").unwrap().is_empty());
        assert_eq!(range_set("*").unwrap(), VersionSet::all());
        assert!(range_set(">=banana").is_err());
    }

    #[test]
    fn core_vulnerable_minus_patched() {
        let path = crate::test_advisories()
            .join("npm/samples/vuln/core/1.json")
            .display()
            .to_string();
        let Some(bytes) = crate::shared_file(&path, std::fs::read(&path)) else {
            return;
        };
        assert_eq!(kind_for_path("vuln/core/1.json"), Some(Kind::Core));
        assert_eq!(kind_for_path("vuln/core/index.json"), None);
        let (a, warnings) = parse(&bytes, "vuln/core/1.json", Kind::Core).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(a.id, "NSWG-COR-1");
        assert_eq!(a.aliases, ["CVE-2017-1000381"]);
        let r = &a.affected[0];
        assert_eq!(
            (r.ecosystem.as_str(), r.package.as_str()),
            ("Node.js", "node")
        );
        // "8.x || 7.x || 4.x || 6.x || 5.x" minus "^8.1.4 || ^7.10.1 || ^4.8.4 || ^6.11.1".
        // 5.x (no patch) ends at 6.0.0-0 and 6.x starts at 6.0.0: 6.0.0's pre-releases are
        // in neither, so the two stay apart.
        assert_eq!(r.ranges.len(), 5);
        assert_eq!(
            r.ranges[0].events,
            [
                RangeEvent::Introduced("4.0.0".into()),
                RangeEvent::Fixed("4.8.4".into())
            ]
        );
        // 5.x has no patch: affected to the end of 5.x, then 6.0.0 → 6.11.1 (touching).
        assert_eq!(
            r.ranges[1].events,
            [
                RangeEvent::Introduced("5.0.0".into()),
                RangeEvent::Fixed("6.0.0-0".into())
            ]
        );
        assert_eq!(
            r.ranges[2].events,
            [
                RangeEvent::Introduced("6.0.0".into()),
                RangeEvent::Fixed("6.11.1".into())
            ]
        );
        let path = crate::test_advisories()
            .join("npm/samples/vuln/npm/1.json")
            .display()
            .to_string();
        let bytes = std::fs::read(path).unwrap();
        let (a, _) = parse(&bytes, "vuln/npm/1.json", Kind::Npm).unwrap();
        assert_eq!(a.id, "NSWG-ECO-1");
        assert_eq!(a.affected[0].package, "bassmaster");
        assert_eq!(
            a.affected[0].ranges[0].events,
            [
                RangeEvent::Introduced("0".into()),
                RangeEvent::LastAffected("1.5.1".into())
            ]
        );
        assert_eq!(a.cvss.len(), 1);
    }

    #[test]
    fn single_patched_version_splits_the_range() {
        // vuln/core/26.json: "5.x || 4.x" minus "^5.10.0 || 4.4.2".
        let set = vulnerable_set("5.x || 4.x", Some("^5.10.0 || 4.4.2")).unwrap();
        let (ranges, widened) = set.to_osv();
        assert!(widened.is_empty());
        assert!(!has(&set, "4.4.2") && has(&set, "4.4.3") && has(&set, "4.4.1"));
        assert_eq!(
            ranges[1].events,
            [
                RangeEvent::Introduced("4.4.3-0".into()),
                RangeEvent::Fixed("5.0.0-0".into())
            ]
        );
    }

    #[test]
    fn deps_and_odd_records() {
        let (a, _) = parse(
            br#"{"cve":["CVE-2023-45853"],"reason":"vulnerable_code_not_present"}"#,
            "vuln/deps/1.json",
            Kind::Deps,
        )
        .unwrap();
        assert_eq!(a.affected[0].status, Status::NotAffected);
        assert_eq!(
            a.affected[0].justification.as_deref(),
            Some("vulnerable_code_not_present")
        );
        // No fix: patched `<0.0.0` or null.
        let (a, _) = parse(
            br#"{"module_name":"x","vulnerable_versions":"<=2.0.0","patched_versions":"<0.0.0"}"#,
            "vuln/npm/9.json",
            Kind::Npm,
        )
        .unwrap();
        assert_eq!(a.affected[0].status, Status::Affected);
        let (a, w) = parse(
            br#"{"module_name":"x","vulnerable_versions":"~~~","patched_versions":null}"#,
            "vuln/npm/10.json",
            Kind::Npm,
        )
        .unwrap();
        assert!(a.affected.is_empty() && w.len() == 1);
        assert!(parse(b"[1]", "vuln/npm/1.json", Kind::Npm).is_err());
        assert!(parse(b"{", "vuln/npm/1.json", Kind::Npm).is_err());
    }
}
