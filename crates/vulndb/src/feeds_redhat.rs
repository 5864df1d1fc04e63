//! Red Hat: CSAF 2.0 documents (per-CVE VEX files and RHSA advisories) and the Security
//! Data API's per-CVE JSON.
//!
//! CSAF mapping (only Red Hat Enterprise Linux streams: CPEs `cpe:/o:redhat:enterprise_linux:N`
//! and `cpe:/a:redhat:enterprise_linux:N::<stream>`, all as ecosystem `Red Hat:N`; other
//! products — EUS/AUS/TUS/E4S streams, OpenShift, JBoss … — are not RPM-distro releases a
//! scanner can detect, and their fixes are older builds of the main stream's):
//! - a product id is `<platform>:<component>`, resolved through `product_tree.relationships`
//!   (component NEVRA such as `openssl-1:3.0.7-27.el9.aarch64`, or a module build
//!   `perl-FCGI-1:0.78-12.module+el8…aarch64::perl-FCGI:0.78`) and the platform's CPE;
//! - `fixed` → Fixed, `introduced 0` / `fixed <epoch>:<version>-<release>` with the binary
//!   package name (`.src` components are skipped: scanners see binary RPMs); the highest fix
//!   per (release, package) is kept;
//! - `known_affected` → Affected, or WillNotFix when a `no_fix_planned` remediation names
//!   the product (justification = the remediation's details);
//! - `known_not_affected` → NotAffected; `under_investigation` → Affected.
//! - Severity: `document.aggregate_severity.text`, source `Red Hat`; CVSS from `scores`.
//! - Ids: RHSA advisories keep `RHSA-…`; VEX documents are per CVE and become
//!   `RHEL-CVE-…` (alias the CVE), the id the Security Data API records use too.
//!
//! Security Data API mapping: `affected_release[].package` (`name-epoch:version-release`)
//! → Fixed; `package_state[].fix_state`: `Affected`/`Fix deferred` → Affected, `Will not
//! fix` → WillNotFix, `Out of support scope` → WillNotFix ("out of support scope"),
//! `Not affected` → NotAffected. Severity `threat_severity`; CVSS v3/v2 vectors kept.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use crate::model::{Advisory, Affected, Cvss, Range, RangeEvent, Status};
use crate::version::{rpm::Rpm, VersionOrder};

pub const SEVERITY_SOURCE: &str = "Red Hat";

pub fn looks_like_csaf(text: &str) -> bool {
    text.contains("\"csaf_version\"") && text.contains("\"product_tree\"")
}

pub fn looks_like_securitydata(text: &str) -> bool {
    text.contains("\"name\"")
        && (text.contains("\"package_state\"") || text.contains("\"affected_release\""))
        && (text.contains("\"threat_severity\"") || text.contains("\"bugzilla\""))
}

/// `cpe:/a:redhat:enterprise_linux:9::appstream` → `Red Hat:9`; other products → `None`.
pub fn ecosystem_for_cpe(cpe: &str) -> Option<String> {
    // ELS (extended life) is the only stream still fixed for old majors such as RHEL 6.
    let rest = cpe
        .strip_prefix("cpe:/o:redhat:enterprise_linux:")
        .or_else(|| cpe.strip_prefix("cpe:/a:redhat:enterprise_linux:"))
        .or_else(|| cpe.strip_prefix("cpe:/o:redhat:rhel_els:"))?;
    let version = rest.split(':').next()?;
    let major = version.split('.').next()?;
    (!major.is_empty() && major.chars().all(|c| c.is_ascii_digit()))
        .then(|| format!("Red Hat:{major}"))
}

const ARCHES: &[&str] = &[
    "x86_64",
    "aarch64",
    "ppc64le",
    "s390x",
    "i686",
    "i386",
    "noarch",
    "src",
    "ppc64",
    "s390",
    "ppc",
    "ia64",
    "x86_64_v2",
];

/// A binary package (name, `epoch:version-release`) from a NEVRA or NEVR as Red Hat writes
/// it: `openssl-libs-1:3.0.7-27.el9.aarch64`, `firefox-0:102.15.1-1.el8_8`. `None` for
/// source RPMs and for names without a version.
pub fn parse_nevra(nevra: &str) -> Option<(String, String)> {
    let (mut rest, arch) = match nevra.rsplit_once('.') {
        Some((head, arch)) if ARCHES.contains(&arch) => (head, Some(arch)),
        _ => (nevra, None),
    };
    if arch == Some("src") {
        return None;
    }
    rest = rest.trim();
    let (name_epoch, version_release) = rest.split_once(':')?;
    let (name, epoch) = name_epoch.rsplit_once('-')?;
    if name.is_empty() || epoch.is_empty() || !epoch.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let evr = format!("{epoch}:{version_release}");
    Rpm.validate(&evr).ok()?;
    Some((name.to_string(), evr))
}

fn fixed_row(ecosystem: &str, package: &str, evr: &str) -> Affected {
    Affected {
        ecosystem: ecosystem.to_string(),
        package: package.to_string(),
        status: Status::Fixed,
        ranges: vec![Range {
            kind: "ECOSYSTEM".into(),
            events: vec![
                RangeEvent::Introduced("0".into()),
                RangeEvent::Fixed(evr.to_string()),
            ],
        }],
        versions: Vec::new(),
        justification: None,
    }
}

fn plain_row(
    ecosystem: &str,
    package: &str,
    status: Status,
    justification: Option<String>,
) -> Affected {
    Affected {
        ecosystem: ecosystem.to_string(),
        package: package.to_string(),
        status,
        ranges: Vec::new(),
        versions: Vec::new(),
        justification,
    }
}

/// Collects rows, keeping one per (ecosystem, package): the highest fix wins; a fix beats
/// any unfixed state for the same release (the stream that shipped the fix is the one a
/// current system runs).
#[derive(Default)]
struct Rows {
    rows: BTreeMap<(String, String), Affected>,
}

impl Rows {
    fn add(&mut self, row: Affected) {
        let key = (row.ecosystem.clone(), row.package.clone());
        match self.rows.get_mut(&key) {
            None => {
                self.rows.insert(key, row);
            }
            Some(existing) => match (existing.fixed_version(), row.fixed_version()) {
                (Some(old), Some(new))
                    if Rpm.compare(new, old).unwrap_or(Ordering::Equal) == Ordering::Greater =>
                {
                    *existing = row;
                }
                (None, Some(_)) => *existing = row,
                _ => {}
            },
        }
    }

    fn into_vec(self) -> Vec<Affected> {
        self.rows.into_values().collect()
    }
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for key in path {
        cur = cur.get(key)?;
    }
    cur.as_str()
}

/// Product id → CPE, product id → purl, and product id → (component, platform) from the
/// relationships.
struct ProductTree {
    cpes: HashMap<String, String>,
    purls: HashMap<String, String>,
    relations: HashMap<String, (String, String)>,
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `pkg:rpm/redhat/openssl@3.0.7-27.el9?arch=aarch64&epoch=1` → (`openssl`,
/// `1:3.0.7-27.el9`); `None` for source RPMs and purls without a version.
pub fn parse_rpm_purl(purl: &str) -> Option<(String, String)> {
    let rest = purl.strip_prefix("pkg:rpm/")?;
    let (path, qualifiers) = rest.split_once('?').unwrap_or((rest, ""));
    let (path, version) = path.split_once('@')?;
    let name = percent_decode(path.rsplit('/').next()?);
    let mut epoch = "0".to_string();
    for q in qualifiers.split('&') {
        match q.split_once('=') {
            Some(("arch", "src")) => return None,
            Some(("epoch", e)) if !e.is_empty() => epoch = e.to_string(),
            _ => {}
        }
    }
    let evr = format!("{epoch}:{}", percent_decode(version));
    if name.is_empty() || Rpm.validate(&evr).is_err() {
        return None;
    }
    Some((name, evr))
}

fn product_tree(doc: &Value) -> ProductTree {
    let mut tree = ProductTree {
        cpes: HashMap::new(),
        purls: HashMap::new(),
        relations: HashMap::new(),
    };
    fn walk(branches: &Value, tree: &mut ProductTree, depth: usize) {
        let Some(list) = branches.as_array() else {
            return;
        };
        if depth > 32 {
            return;
        }
        for b in list {
            if let (Some(id), Some(cpe)) = (
                str_at(b, &["product", "product_id"]),
                str_at(b, &["product", "product_identification_helper", "cpe"]),
            ) {
                tree.cpes.insert(id.to_string(), cpe.to_string());
            }
            if let (Some(id), Some(purl)) = (
                str_at(b, &["product", "product_id"]),
                str_at(b, &["product", "product_identification_helper", "purl"]),
            ) {
                tree.purls.insert(id.to_string(), purl.to_string());
            }
            if let Some(children) = b.get("branches") {
                walk(children, tree, depth + 1);
            }
        }
    }
    if let Some(branches) = doc.pointer("/product_tree/branches") {
        walk(branches, &mut tree, 0);
    }
    for rel in doc
        .pointer("/product_tree/relationships")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(id), Some(component), Some(platform)) = (
            str_at(rel, &["full_product_name", "product_id"]),
            rel.get("product_reference").and_then(Value::as_str),
            rel.get("relates_to_product_reference")
                .and_then(Value::as_str),
        ) else {
            continue;
        };
        tree.relations.insert(
            id.to_string(),
            (component.to_string(), platform.to_string()),
        );
    }
    tree
}

/// A CSAF component without version (`openssl`, `perl:5.32/perl-FCGI`, `openssl.src`) →
/// the binary package name, or `None` for source packages, flatpaks
/// (`firefox:flatpak/firefox`) and container images (`rhel9/toolbox`), which are not RPMs.
fn bare_component(component: &str) -> Option<String> {
    if let Some((prefix, _)) = component.split_once('/') {
        if !prefix.contains(':') || prefix.ends_with(":flatpak") {
            return None;
        }
    }
    let name = component.rsplit('/').next().unwrap_or(component);
    if name.ends_with(".src") || name.is_empty() {
        return None;
    }
    Some(name.to_string())
}

fn cvss_of(v: &Value) -> Vec<Cvss> {
    let mut out = Vec::new();
    for score in v
        .get("scores")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for (key, kind) in [
            ("cvss_v3", "CVSS_V3"),
            ("cvss_v4", "CVSS_V4"),
            ("cvss_v2", "CVSS_V2"),
        ] {
            if let Some(vector) = str_at(score, &[key, "vectorString"]) {
                let c = Cvss {
                    kind: kind.into(),
                    vector: vector.to_string(),
                };
                if !out.contains(&c) {
                    out.push(c);
                }
            }
        }
    }
    out
}

/// Parses one CSAF document (VEX or advisory) into one advisory.
pub fn parse_csaf(bytes: &[u8]) -> Result<Advisory, String> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let category = str_at(&doc, &["document", "category"]).unwrap_or_default();
    let tracking_id = str_at(&doc, &["document", "tracking", "id"])
        .unwrap_or_default()
        .trim()
        .to_string();
    if tracking_id.is_empty() {
        return Err("CSAF document without document.tracking.id".into());
    }
    let tree = product_tree(&doc);
    let vulns = doc
        .get("vulnerabilities")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut aliases: Vec<String> = vulns
        .iter()
        .filter_map(|v| v.get("cve").and_then(Value::as_str))
        .map(str::to_string)
        .collect();
    let is_vex = category == "csaf_vex" || tracking_id.to_ascii_uppercase().starts_with("CVE-");
    let id = if is_vex {
        format!("RHEL-{}", tracking_id.to_ascii_uppercase())
    } else {
        tracking_id.clone()
    };
    if is_vex && !aliases.contains(&tracking_id.to_ascii_uppercase()) {
        aliases.push(tracking_id.to_ascii_uppercase());
    }
    aliases.sort();
    aliases.dedup();

    let resolve = |product_id: &str| -> Option<(String, String)> {
        let (component, platform) = tree.relations.get(product_id)?;
        let ecosystem = ecosystem_for_cpe(tree.cpes.get(platform)?)?;
        Some((ecosystem, component.clone()))
    };

    let mut rows = Rows::default();
    let mut cvss = Vec::new();
    for v in &vulns {
        for c in cvss_of(v) {
            if !cvss.contains(&c) {
                cvss.push(c);
            }
        }
        // Products Red Hat will not fix, with its words for why.
        let mut no_fix: HashMap<&str, String> = HashMap::new();
        for r in v
            .get("remediations")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if r.get("category").and_then(Value::as_str) == Some("no_fix_planned") {
                let details = r
                    .get("details")
                    .and_then(Value::as_str)
                    .unwrap_or("no fix planned")
                    .trim()
                    .to_string();
                for p in r
                    .get("product_ids")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    no_fix.insert(p, details.clone());
                }
            }
        }
        let status_list = |key: &str| -> Vec<&str> {
            v.pointer(&format!("/product_status/{key}"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect()
        };
        for pid in status_list("fixed") {
            let Some((eco, component)) = resolve(pid) else {
                continue;
            };
            // The component's purl is the reliable source; the product id's NEVRA comes in
            // several spellings (`n-e:v-r.a`, `n-e:v-r.a::mod:stream`, older
            // `n-v-r.a.rpm-mod:stream` without epoch).
            let found = tree
                .purls
                .get(&component)
                .and_then(|p| parse_rpm_purl(p))
                .or_else(|| parse_nevra(component.split("::").next().unwrap_or(&component)));
            if let Some((name, evr)) = found {
                rows.add(fixed_row(&eco, &name, &evr));
            }
        }
        for (key, status) in [
            ("known_affected", Status::Affected),
            ("under_investigation", Status::Affected),
            ("known_not_affected", Status::NotAffected),
        ] {
            for pid in status_list(key) {
                let Some((eco, component)) = resolve(pid) else {
                    continue;
                };
                let nevra = component.split("::").next().unwrap_or(&component);
                let name = match parse_nevra(nevra) {
                    Some((name, _)) => Some(name),
                    None if nevra.ends_with(".src") => None,
                    // A versioned component that did not parse is a source RPM or junk.
                    None if nevra.contains(':') && !nevra.contains('/') => None,
                    None => bare_component(nevra),
                };
                let Some(name) = name else {
                    continue;
                };
                let (status, justification) = match (status, no_fix.get(pid)) {
                    (Status::Affected, Some(why)) => (Status::WillNotFix, Some(why.clone())),
                    (Status::Affected, None) if key == "under_investigation" => {
                        (Status::Affected, Some("under investigation".to_string()))
                    }
                    (s, _) => (s, None),
                };
                rows.add(plain_row(&eco, &name, status, justification));
            }
        }
    }
    let severity = str_at(&doc, &["document", "aggregate_severity", "text"])
        .map(str::to_string)
        .filter(|s| !s.is_empty());
    let references = doc
        .pointer("/document/references")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| r.get("url").and_then(Value::as_str))
        .map(str::to_string)
        .collect();
    Ok(Advisory {
        id,
        aliases,
        summary: str_at(&doc, &["document", "title"]).map(str::to_string),
        details: vulns.first().and_then(|v| {
            v.get("notes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|n| n.get("category").and_then(Value::as_str) == Some("description"))
                .and_then(|n| n.get("text").and_then(Value::as_str))
                .map(str::to_string)
        }),
        published: str_at(&doc, &["document", "tracking", "initial_release_date"])
            .map(str::to_string),
        modified: str_at(&doc, &["document", "tracking", "current_release_date"])
            .map(str::to_string),
        withdrawn: None,
        severity_source: severity.as_ref().map(|_| SEVERITY_SOURCE.to_string()),
        severity,
        cvss,
        references,
        affected: rows.into_vec(),
    })
}

/// Parses one Security Data API per-CVE document.
pub fn parse_securitydata(bytes: &[u8]) -> Result<Advisory, String> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let cve = doc
        .get("name")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|n| n.starts_with("CVE-"))
        .ok_or("no CVE `name`")?
        .to_string();
    let mut rows = Rows::default();
    for release in doc
        .get("affected_release")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(cpe), Some(package)) = (
            release.get("cpe").and_then(Value::as_str),
            release.get("package").and_then(Value::as_str),
        ) else {
            continue;
        };
        let Some(eco) = ecosystem_for_cpe(cpe) else {
            continue;
        };
        // Module builds are written `name:stream-…`; only plain NEVRs are matched.
        if let Some((name, evr)) = parse_nevra(package) {
            rows.add(fixed_row(&eco, &name, &evr));
        }
    }
    for state in doc
        .get("package_state")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(cpe), Some(package), Some(fix_state)) = (
            state.get("cpe").and_then(Value::as_str),
            state.get("package_name").and_then(Value::as_str),
            state.get("fix_state").and_then(Value::as_str),
        ) else {
            continue;
        };
        let Some(eco) = ecosystem_for_cpe(cpe) else {
            continue;
        };
        let (status, justification) = match fix_state.trim() {
            "Affected" | "Fix deferred" => (Status::Affected, None),
            "Will not fix" => (Status::WillNotFix, Some("will not fix".to_string())),
            "Out of support scope" => {
                (Status::WillNotFix, Some("out of support scope".to_string()))
            }
            "Not affected" => (Status::NotAffected, None),
            _ => continue,
        };
        // `perl:5.32/perl-FCGI` → the package; source names only here.
        let Some(name) = bare_component(package) else {
            continue;
        };
        rows.add(plain_row(&eco, &name, status, justification));
    }
    let mut cvss = Vec::new();
    if let Some(v) = str_at(&doc, &["cvss3", "cvss3_scoring_vector"]) {
        cvss.push(Cvss {
            kind: "CVSS_V3".into(),
            vector: v.to_string(),
        });
    }
    if let Some(v) = str_at(&doc, &["cvss", "cvss_scoring_vector"]) {
        cvss.push(Cvss {
            kind: "CVSS_V2".into(),
            vector: v.to_string(),
        });
    }
    let severity = doc
        .get("threat_severity")
        .and_then(Value::as_str)
        .map(str::to_string)
        .filter(|s| !s.is_empty());
    let details = match doc.get("details") {
        Some(Value::Array(items)) => {
            let parts: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            (!parts.is_empty()).then(|| parts.join("\n\n"))
        }
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    let references = doc
        .get("references")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .flat_map(|s| s.split_whitespace())
        .map(str::to_string)
        .collect();
    Ok(Advisory {
        id: format!("RHEL-{cve}"),
        aliases: vec![cve],
        summary: str_at(&doc, &["bugzilla", "description"]).map(str::to_string),
        details,
        published: doc
            .get("public_date")
            .and_then(Value::as_str)
            .map(str::to_string),
        modified: None,
        withdrawn: None,
        severity_source: severity.as_ref().map(|_| SEVERITY_SOURCE.to_string()),
        severity,
        cvss,
        references,
        affected: rows.into_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn skip_or_fail(reason: &str) {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("real data missing under CI: {reason}");
        }
        eprintln!("SKIPPED: real data missing: {reason}");
    }

    fn member(archive: &str, suffix: &str) -> Option<Vec<u8>> {
        let path = crate::test_advisories().join("redhat").join(archive);
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) => {
                skip_or_fail(&format!("{}: {e}", path.display()));
                return None;
            }
        };
        let mut tar = tar::Archive::new(zstd::stream::read::Decoder::new(file).ok()?);
        for entry in tar.entries().ok()? {
            let mut entry = entry.ok()?;
            let name = entry.path().ok()?.to_string_lossy().into_owned();
            if name.ends_with(suffix) {
                let mut bytes = Vec::new();
                entry.read_to_end(&mut bytes).ok()?;
                return Some(bytes);
            }
        }
        panic!("{suffix} not in {archive}");
    }

    fn row<'a>(a: &'a Advisory, eco: &str, pkg: &str) -> &'a Affected {
        a.affected
            .iter()
            .find(|x| x.ecosystem == eco && x.package == pkg)
            .unwrap_or_else(|| panic!("{eco} {pkg} missing"))
    }

    const VEX: &str = "samples-claircore-rhel-csaf-vex.tar.zst";
    const VUNNEL: &str = "samples-vunnel-rhel-csaf-and-securitydata.tar.zst";

    #[test]
    fn nevra_and_cpe() {
        assert_eq!(
            parse_nevra("openssl-libs-1:3.0.7-27.el9.aarch64"),
            Some(("openssl-libs".into(), "1:3.0.7-27.el9".into()))
        );
        assert_eq!(
            parse_nevra("firefox-0:102.15.1-1.el8_8"),
            Some(("firefox".into(), "0:102.15.1-1.el8_8".into()))
        );
        assert_eq!(parse_nevra("openssl-1:3.0.7-27.el9.src"), None);
        assert_eq!(parse_nevra("openssl"), None);
        assert_eq!(
            parse_rpm_purl("pkg:rpm/redhat/ruby@2.7.8-139.module%2Bel8.8.0%2B18745%2Bf1bef313?arch=aarch64&rpmmod=ruby:2.7:8080020230427102918:63b34585"),
            Some(("ruby".into(), "0:2.7.8-139.module+el8.8.0+18745+f1bef313".into()))
        );
        assert_eq!(
            parse_rpm_purl("pkg:rpm/redhat/bind@9.8.2-0.68.rc1.el6_10.17?arch=i686&epoch=32"),
            Some(("bind".into(), "32:9.8.2-0.68.rc1.el6_10.17".into()))
        );
        assert_eq!(
            parse_rpm_purl("pkg:rpm/redhat/python3.9@3.9.18-3.el9_4.5?arch=src"),
            None
        );
        assert_eq!(bare_component("firefox:flatpak/firefox"), None);
        assert_eq!(bare_component("rhel9/toolbox"), None);
        assert_eq!(
            bare_component("perl:5.32/perl-FCGI").as_deref(),
            Some("perl-FCGI")
        );
        assert_eq!(
            ecosystem_for_cpe("cpe:/a:redhat:enterprise_linux:9::appstream").as_deref(),
            Some("Red Hat:9")
        );
        assert_eq!(
            ecosystem_for_cpe("cpe:/o:redhat:enterprise_linux:6").as_deref(),
            Some("Red Hat:6")
        );
        assert_eq!(
            ecosystem_for_cpe("cpe:/a:redhat:enterprise_linux:8.2::appstream").as_deref(),
            Some("Red Hat:8")
        );
        assert_eq!(
            ecosystem_for_cpe("cpe:/a:redhat:rhel_eus:9.0::appstream"),
            None
        );
        assert_eq!(ecosystem_for_cpe("cpe:/a:redhat:openshift:4.12::el8"), None);
    }

    #[test]
    fn vex_openssl_statuses() {
        let Some(bytes) = member(VEX, "cve-2024-0727-openssl.json") else {
            return;
        };
        assert!(looks_like_csaf(&String::from_utf8_lossy(&bytes)));
        let a = parse_csaf(&bytes).unwrap();
        assert_eq!(a.id, "RHEL-CVE-2024-0727");
        assert_eq!(a.aliases, ["CVE-2024-0727"]);
        assert_eq!(
            (a.severity.as_deref(), a.severity_source.as_deref()),
            (Some("Low"), Some("Red Hat"))
        );
        assert!(a.cvss.iter().any(|c| c.vector.starts_with("CVSS:3.1/")));
        // fixed: NEVRA → binary name + epoch:version-release.
        let libs = row(&a, "Red Hat:9", "openssl-libs");
        assert_eq!(libs.status, Status::Fixed);
        assert_eq!(libs.fixed_version(), Some("1:3.0.7-27.el9"));
        // known_affected with a no_fix_planned remediation → WillNotFix.
        let rhel6 = row(&a, "Red Hat:6", "openssl");
        assert_eq!(rhel6.status, Status::WillNotFix);
        assert!(rhel6.justification.is_some());
        // known_not_affected.
        let fips = row(&a, "Red Hat:9", "openssl-fips-provider");
        assert_eq!(fips.status, Status::NotAffected);
        // Source RPMs never become rows.
        assert!(a.affected.iter().all(|x| !x.package.ends_with(".src")));
        assert!(a
            .affected
            .iter()
            .all(|x| x.ecosystem.starts_with("Red Hat:")));
    }

    #[test]
    fn vex_modules_affected_and_other_products() {
        let Some(bytes) = member(VEX, "cve-2025-40907-perl.json") else {
            return;
        };
        let a = parse_csaf(&bytes).unwrap();
        // Module build `…::perl-FCGI:0.78`: the binary package, epoch kept.
        let fcgi = row(&a, "Red Hat:8", "perl-FCGI");
        assert_eq!(fcgi.status, Status::Fixed);
        assert!(fcgi
            .fixed_version()
            .is_some_and(|v| v.starts_with("1:0.78-") && v.contains("module+el8")));
        let bytes = member(VEX, "cve-2026-2297.json").unwrap();
        let a = parse_csaf(&bytes).unwrap();
        assert!(!a.affected.is_empty());
        assert!(a
            .affected
            .iter()
            .all(|x| matches!(x.status, Status::Affected | Status::WillNotFix)));
        // Only RHEL products: no OpenShift / JBoss rows.
        let bytes = member(VEX, "cve-2022-38752.json").unwrap();
        let a = parse_csaf(&bytes).unwrap();
        assert!(a
            .affected
            .iter()
            .all(|x| x.ecosystem.starts_with("Red Hat:")));
    }

    #[test]
    fn rhsa_advisory() {
        let Some(bytes) = member(VUNNEL, "rhsa-2023_3821.json") else {
            return;
        };
        let a = parse_csaf(&bytes).unwrap();
        assert_eq!(a.id, "RHSA-2023:3821");
        // Older product ids `ruby-2.7.8-139.module+el8….aarch64.rpm-ruby:2.7` (no epoch): the
        // component's purl gives name and version.
        let ruby = row(&a, "Red Hat:8", "ruby");
        assert_eq!(
            ruby.fixed_version(),
            Some("0:2.7.8-139.module+el8.8.0+18745+f1bef313")
        );
        let bytes = member(VUNNEL, "rhsa-2025_23414.json").unwrap();
        let a = parse_csaf(&bytes).unwrap();
        // RHEL 6 ELS, epoch from the purl.
        assert_eq!(
            row(&a, "Red Hat:6", "bind").fixed_version(),
            Some("32:9.8.2-0.68.rc1.el6_10.17")
        );
        let bytes = member(VUNNEL, "rhsa-2023_3821.json").unwrap();
        let a = parse_csaf(&bytes).unwrap();
        assert!(!a.aliases.is_empty() && a.aliases.iter().all(|x| x.starts_with("CVE-")));
        assert!(!a.affected.is_empty());
        assert!(a
            .affected
            .iter()
            .all(|x| x.status == Status::Fixed && x.fixed_version().is_some()));
    }

    #[test]
    fn security_data_api() {
        let Some(bytes) = member(VUNNEL, "cve/full/CVE-2023-5217") else {
            return;
        };
        assert!(looks_like_securitydata(&String::from_utf8_lossy(&bytes)));
        let a = parse_securitydata(&bytes).unwrap();
        assert_eq!(a.id, "RHEL-CVE-2023-5217");
        assert_eq!(a.severity.as_deref(), Some("Important"));
        assert_eq!(
            a.cvss[0].vector,
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H"
        );
        let tb = row(&a, "Red Hat:7", "thunderbird");
        assert_eq!(tb.fixed_version(), Some("0:115.3.1-1.el7_9"));
        let eol = row(&a, "Red Hat:6", "libvpx");
        assert_eq!(eol.status, Status::WillNotFix);
        assert_eq!(eol.justification.as_deref(), Some("out of support scope"));
        assert_eq!(row(&a, "Red Hat:7", "libvpx").status, Status::NotAffected);
        assert!(parse_securitydata(b"{\"name\": \"x\"}").is_err());
        assert!(parse_securitydata(b"[").is_err());
    }

    #[test]
    fn security_data_fix_states_all_samples() {
        let path = crate::test_advisories().join("redhat").join(VUNNEL);
        let Ok(file) = std::fs::File::open(&path) else {
            return skip_or_fail(&path.display().to_string());
        };
        let mut tar = tar::Archive::new(zstd::stream::read::Decoder::new(file).unwrap());
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        let mut docs = 0;
        for entry in tar.entries().unwrap() {
            let mut entry = entry.unwrap();
            let name = entry.path().unwrap().to_string_lossy().into_owned();
            if !name.contains("/cve/full/CVE-") {
                continue;
            }
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            let a = parse_securitydata(&bytes).unwrap();
            docs += 1;
            for x in &a.affected {
                let key = format!(
                    "{:?}/{}",
                    x.status,
                    x.justification.as_deref().unwrap_or("")
                );
                *counts.entry(key).or_default() += 1;
            }
        }
        assert_eq!(docs, 20);
        // The MANIFEST's tally (Affected 12 / Will not fix 45 / Not affected 10 / Out of
        // support scope 26) counts every product: the 12 `Affected` rows are all flatpaks
        // (`firefox:flatpak/firefox`), not RPMs, and rows of non-RHEL products are dropped,
        // so only the states that remain are checked.
        assert!(!counts.contains_key("Affected/"), "{counts:?}");
        for key in [
            "WillNotFix/will not fix",
            "NotAffected/",
            "WillNotFix/out of support scope",
        ] {
            assert!(counts.contains_key(key), "{key} in {counts:?}");
        }
    }

    #[test]
    fn vex_under_investigation_and_affected() {
        let doc = br#"{"csaf_version":"2.0","document":{"category":"csaf_vex","tracking":{"id":"CVE-2099-2"}},
          "product_tree":{"branches":[{"branches":[{"product":{"product_id":"rhel9","product_identification_helper":{"cpe":"cpe:/o:redhat:enterprise_linux:9"}}}]}],
            "relationships":[
              {"full_product_name":{"product_id":"rhel9:foo"},"product_reference":"foo","relates_to_product_reference":"rhel9"},
              {"full_product_name":{"product_id":"rhel9:bar"},"product_reference":"bar","relates_to_product_reference":"rhel9"},
              {"full_product_name":{"product_id":"rhel9:baz"},"product_reference":"baz","relates_to_product_reference":"rhel9"}]},
          "vulnerabilities":[{"cve":"CVE-2099-2","product_status":{"under_investigation":["rhel9:foo"],"known_affected":["rhel9:bar","rhel9:baz"]},
            "remediations":[{"category":"none_available","details":"Affected","product_ids":["rhel9:bar"]},
                            {"category":"no_fix_planned","details":"Will not fix","product_ids":["rhel9:baz"]}]}]}"#;
        let a = parse_csaf(doc).unwrap();
        assert_eq!(row(&a, "Red Hat:9", "foo").status, Status::Affected);
        assert_eq!(row(&a, "Red Hat:9", "bar").status, Status::Affected);
        let baz = row(&a, "Red Hat:9", "baz");
        assert_eq!(baz.status, Status::WillNotFix);
        assert_eq!(baz.justification.as_deref(), Some("Will not fix"));
    }

    #[test]
    fn malformed_csaf() {
        assert!(parse_csaf(b"{").is_err());
        assert!(parse_csaf(b"{\"document\":{}}").is_err());
        let a = parse_csaf(
            br#"{"document":{"category":"csaf_vex","tracking":{"id":"CVE-2099-1"}},
                 "product_tree":{"relationships":[{"full_product_name":{"product_id":"X:y"}}]},
                 "vulnerabilities":[{"product_status":{"fixed":["X:y","nope"]}}]}"#,
        )
        .unwrap();
        assert_eq!(a.id, "RHEL-CVE-2099-1");
        assert!(a.affected.is_empty());
    }
}
