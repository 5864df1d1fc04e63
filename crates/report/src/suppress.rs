//! Accepted risks: ignore files (`.drydockignore`, `.trivyignore`) and OpenVEX statements
//! take findings out of the report (and out of `--exit-code`), each kept in the JSON's
//! `suppressed` list with the reason, so an accepted risk stays visible and auditable.

use serde::Serialize;

use crate::findings::Finding;

/// One line of an ignore file: an id (CVE, advisory, rule), optionally narrowed to a
/// package or a path, optionally expiring.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IgnoreRule {
    pub id: String,
    pub package: Option<String>,
    /// A glob over the finding's path: `*` within one component, `**` across them.
    pub path: Option<String>,
    /// `YYYY-MM-DD`: the rule stops applying after this day.
    pub expires: Option<String>,
    pub reason: Option<String>,
    /// `FILE:LINE`, for the report.
    pub origin: String,
}

/// A VEX product: an image or a package, optionally narrowed to subcomponents (the
/// packages inside an image the statement is about).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VexProduct {
    pub id: String,
    pub subcomponents: Vec<String>,
}

/// A VEX statement about a vulnerability in products.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VexStatement {
    /// The vulnerability's name and aliases.
    pub ids: Vec<String>,
    pub products: Vec<VexProduct>,
    /// `not_affected`, `fixed`, `affected` or `under_investigation`: the newest statement
    /// about a finding decides, and only the first two suppress it.
    pub status: String,
    /// The statement's own time, else its document's (RFC 3339, compared as text).
    pub timestamp: Option<String>,
    pub justification: Option<String>,
    pub statement: Option<String>,
    pub origin: String,
}

/// Why a finding is not in the report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Suppressed {
    #[serde(flatten)]
    pub finding: Finding,
    /// `ignore` or `vex`.
    pub by: &'static str,
    /// The file and line (ignore) or file (VEX) that said so.
    pub origin: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// VEX status and justification (`not_affected`, `vulnerable_code_not_present`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vex_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// The vulnerability itself (for the CycloneDX analysis of accepted findings).
    #[serde(skip)]
    pub vulnerability: Option<Box<drydock_matcher::Vulnerability>>,
}

#[derive(Debug, thiserror::Error)]
pub enum SuppressError {
    #[error("{origin}: {reason}")]
    Syntax { origin: String, reason: String },
    #[error("{origin}: not an OpenVEX document: {reason}")]
    Vex { origin: String, reason: String },
}

/// Everything the user accepted, and what is left of it after `today`.
#[derive(Clone, Debug, Default)]
pub struct Suppressions {
    pub ignores: Vec<IgnoreRule>,
    /// In the order read: among statements of equal time, a later one wins.
    pub vex: Vec<VexStatement>,
    /// `YYYY-MM-DD`, to judge expiry.
    pub today: String,
}

fn valid_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit())
}

/// Parses an ignore file. Each line: `ID [pkg=NAME] [path=GLOB] [exp:YYYY-MM-DD] [# reason]`
/// (`.trivyignore` lines are `ID [exp:DATE]`, a subset). Blank and `#` lines are skipped.
pub fn parse_ignore_file(name: &str, text: &str) -> Result<Vec<IgnoreRule>, SuppressError> {
    let mut rules = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let origin = format!("{name}:{}", n + 1);
        let (body, reason) = match raw.split_once('#') {
            Some((body, reason)) => (body, Some(reason.trim().to_string())),
            None => (raw, None),
        };
        let mut words = body.split_whitespace();
        let Some(id) = words.next() else { continue };
        let mut rule = IgnoreRule {
            id: id.to_string(),
            package: None,
            path: None,
            expires: None,
            reason: reason.filter(|r| !r.is_empty()),
            origin: origin.clone(),
        };
        for word in words {
            let syntax = |reason: String| SuppressError::Syntax {
                origin: origin.clone(),
                reason,
            };
            if let Some(date) = word
                .strip_prefix("exp:")
                .or_else(|| word.strip_prefix("expires="))
            {
                if !valid_date(date) {
                    return Err(syntax(format!("expiry {date:?} is not YYYY-MM-DD")));
                }
                rule.expires = Some(date.to_string());
            } else if let Some(package) = word.strip_prefix("pkg=") {
                rule.package = Some(package.to_string());
            } else if let Some(path) = word.strip_prefix("path=") {
                rule.path = Some(path.to_string());
            } else {
                return Err(syntax(format!(
                    "unexpected {word:?} (want pkg=NAME, path=GLOB or exp:YYYY-MM-DD)"
                )));
            }
        }
        rules.push(rule);
    }
    Ok(rules)
}

/// Reads the statements of an OpenVEX document (v0.2.0, also the older context). Returns
/// the statements and warnings about the ones left out.
pub fn parse_openvex(
    origin: &str,
    bytes: &[u8],
) -> Result<(Vec<VexStatement>, Vec<String>), SuppressError> {
    let bad = |reason: String| SuppressError::Vex {
        origin: origin.to_string(),
        reason,
    };
    let doc: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| bad(format!("invalid JSON: {e}")))?;
    let context = doc["@context"].as_str().unwrap_or_default();
    if !context.contains("openvex") {
        return Err(bad("no OpenVEX @context".into()));
    }
    let statements = doc["statements"]
        .as_array()
        .ok_or_else(|| bad("no statements list".into()))?;
    let document_time = doc["last_updated"]
        .as_str()
        .or(doc["timestamp"].as_str())
        .map(str::to_string);
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    for (i, s) in statements.iter().enumerate() {
        let status = s["status"].as_str().unwrap_or_default().to_string();
        let vulnerability = &s["vulnerability"];
        let mut ids: Vec<String> = Vec::new();
        // v0.2.0: {"name", "aliases"}; v0.0.x: a plain string.
        if let Some(name) = vulnerability["name"]
            .as_str()
            .or(vulnerability["@id"].as_str())
            .or(vulnerability.as_str())
        {
            ids.push(name.to_string());
        }
        ids.extend(
            vulnerability["aliases"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a.as_str().map(str::to_string)),
        );
        if ids.is_empty() {
            return Err(bad(format!("statement {i} names no vulnerability")));
        }
        let mut products = Vec::new();
        for product in s["products"].as_array().into_iter().flatten() {
            let Some(id) = product["@id"].as_str().or(product.as_str()) else {
                continue;
            };
            let subcomponents = product["subcomponents"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|sub| sub["@id"].as_str().or(sub.as_str()).map(str::to_string))
                .collect();
            products.push(VexProduct {
                id: id.to_string(),
                subcomponents,
            });
        }
        if products.is_empty() {
            // A statement about no product in particular would apply to every image.
            warnings.push(format!(
                "{origin}: statement {i} ({}) names no product; ignored",
                ids[0]
            ));
            continue;
        }
        out.push(VexStatement {
            ids,
            products,
            status,
            timestamp: s["last_updated"]
                .as_str()
                .or(s["timestamp"].as_str())
                .map(str::to_string)
                .or_else(|| document_time.clone()),
            justification: s["justification"].as_str().map(str::to_string),
            statement: s["impact_statement"]
                .as_str()
                .or(s["status_notes"].as_str())
                .map(str::to_string),
            origin: origin.to_string(),
        });
    }
    Ok((out, warnings))
}

/// `*` matches within one path component, `**` any number of them.
fn glob(pattern: &str, path: &str) -> bool {
    fn go(p: &[u8], s: &[u8]) -> bool {
        match p {
            [] => s.is_empty(),
            [b'*', b'*', rest @ ..] => match rest.strip_prefix(b"/") {
                // `**/x`: x starts a component, at any depth (or at the top).
                Some(rest) => (0..=s.len())
                    .filter(|&i| i == 0 || s[i - 1] == b'/')
                    .any(|i| go(rest, &s[i..])),
                None => (0..=s.len()).any(|i| go(rest, &s[i..])),
            },
            [b'*', rest @ ..] => (0..=s.len())
                .take_while(|&i| i == 0 || s[i - 1] != b'/')
                .any(|i| go(rest, &s[i..])),
            [b'?', rest @ ..] => !s.is_empty() && s[0] != b'/' && go(rest, &s[1..]),
            [c, rest @ ..] => s.first() == Some(c) && go(rest, &s[1..]),
        }
    }
    go(pattern.as_bytes(), path.as_bytes())
}

/// A package URL without version, qualifiers and subpath, for comparing products.
fn purl_base(purl: &str) -> &str {
    let end = purl.find(['?', '#']).unwrap_or(purl.len());
    let purl = &purl[..end];
    match purl.rfind('@') {
        // `pkg:npm/%40scope/x@1` keeps its escaped scope; the last `@` starts the version.
        Some(at) if at > purl.rfind('/').unwrap_or(0) => &purl[..at],
        _ => purl,
    }
}

/// The version of a package URL (percent-decoded), if it names one.
fn purl_version(purl: &str) -> Option<String> {
    let end = purl.find(['?', '#']).unwrap_or(purl.len());
    let purl = &purl[..end];
    let at = purl
        .rfind('@')
        .filter(|&at| at > purl.rfind('/').unwrap_or(0))?;
    Some(percent_decode(&purl[at + 1..]))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = || u8::from_str_radix(text.get(i + 1..i + 3)?, 16).ok();
        match (bytes[i], hex()) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A package product matches a package: same type, namespace and name, and the same
/// version when the product names one.
fn package_matches(product: &str, purl: Option<&str>) -> bool {
    let Some(purl) = purl else { return false };
    purl_base(product) == purl_base(purl)
        && purl_version(product).is_none_or(|v| Some(v) == purl_version(purl))
}

/// What a VEX product may call the scanned image.
#[derive(Clone, Debug, Default)]
pub struct ImageIdentity {
    /// The repository without tag or digest (`ghcr.io/org/app`), when known.
    pub repository: Option<String>,
    /// The reference as given (`ghcr.io/org/app:1.0`, or a file path).
    pub reference: String,
    /// The manifest digest (or the config digest when there is no manifest).
    pub digest: Option<String>,
}

impl ImageIdentity {
    pub fn of(subject: &crate::Subject) -> Self {
        ImageIdentity {
            repository: crate::vex::repository(&subject.name),
            reference: subject.name.clone(),
            digest: subject.digest.clone(),
        }
    }

    /// Whether `product` names this image: `pkg:oci/NAME[@DIGEST][?repository_url=…]`, the
    /// reference itself, `REPO@DIGEST` or the digest.
    fn is(&self, product: &str) -> bool {
        if let Some(oci) = product.strip_prefix("pkg:oci/") {
            let (path, query) = oci.split_once('?').unwrap_or((oci, ""));
            let (name, version) = match path.split_once('@') {
                Some((name, version)) => (name, Some(percent_decode(version))),
                None => (path, None),
            };
            let Some(repository) = &self.repository else {
                return false;
            };
            let last = repository.rsplit('/').next().unwrap_or(repository);
            let repository_url = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("repository_url="))
                .map(percent_decode);
            return name.eq_ignore_ascii_case(last)
                && version.is_none_or(|v| self.digest.as_deref() == Some(v.as_str()))
                && repository_url.is_none_or(|url| {
                    url == *repository || repository.ends_with(&format!("/{url}"))
                });
        }
        if product == self.reference || self.digest.as_deref() == Some(product) {
            return true;
        }
        match (product.split_once('@'), &self.repository, &self.digest) {
            (Some((repo, digest)), Some(repository), Some(own)) => {
                repo == repository && digest == own
            }
            _ => false,
        }
    }
}

impl IgnoreRule {
    fn matches(&self, f: &Finding) -> bool {
        let id_matches = f.id.eq_ignore_ascii_case(&self.id)
            || f.aliases.iter().any(|a| a.eq_ignore_ascii_case(&self.id));
        let package_matches = self.package.as_deref().is_none_or(|want| {
            f.location
                .package
                .as_deref()
                .and_then(|p| p.rsplit_once('@').map(|(name, _)| name))
                .is_some_and(|name| name == want)
                || f.purl
                    .as_deref()
                    .is_some_and(|p| purl_base(p) == purl_base(want))
        });
        let path_matches = self.path.as_deref().is_none_or(|want| {
            f.location.path.as_deref().is_some_and(|path| {
                glob(want.trim_start_matches('/'), path.trim_start_matches('/'))
            })
        });
        id_matches && package_matches && path_matches
    }
}

impl VexStatement {
    fn suppresses(&self) -> bool {
        matches!(self.status.as_str(), "not_affected" | "fixed")
    }

    fn matches(&self, f: &Finding, image: &ImageIdentity) -> bool {
        let id_matches = self.ids.iter().any(|id| {
            f.id.eq_ignore_ascii_case(id) || f.aliases.iter().any(|a| a.eq_ignore_ascii_case(id))
        });
        id_matches
            && self.products.iter().any(|product| {
                if image.is(&product.id) {
                    // The image as a whole, or only the packages named inside it.
                    product.subcomponents.is_empty()
                        || product
                            .subcomponents
                            .iter()
                            .any(|sub| package_matches(sub, f.purl.as_deref()))
                } else {
                    product.id.starts_with("pkg:")
                        && !product.id.starts_with("pkg:oci/")
                        && package_matches(&product.id, f.purl.as_deref())
                }
            })
    }
}

/// What [`Suppressions::judge`] decided for one finding.
pub enum Verdict {
    Keep,
    Suppress(Box<Suppressed>),
}

impl Suppressions {
    /// Ignore rules whose expiry date has passed (reported, no longer applied).
    pub fn expired(&self) -> Vec<&IgnoreRule> {
        self.ignores
            .iter()
            .filter(|r| {
                r.expires
                    .as_deref()
                    .is_some_and(|d| d < self.today.as_str())
            })
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.ignores.is_empty() && self.vex.is_empty()
    }

    /// Keeps or suppresses `finding` of the image `image`.
    pub fn judge(&self, finding: &Finding, image: &ImageIdentity) -> Verdict {
        for rule in &self.ignores {
            let live = rule
                .expires
                .as_deref()
                .is_none_or(|d| d >= self.today.as_str());
            if live && rule.matches(finding) {
                return Verdict::Suppress(Box::new(Suppressed {
                    finding: finding.clone(),
                    by: "ignore",
                    origin: rule.origin.clone(),
                    reason: rule.reason.clone(),
                    vex_status: None,
                    justification: None,
                    vulnerability: None,
                }));
            }
        }
        // The newest statement about this finding decides (then the one read last).
        let newest = self
            .vex
            .iter()
            .enumerate()
            .filter(|(_, statement)| statement.matches(finding, image))
            .max_by(|(i, a), (j, b)| a.timestamp.cmp(&b.timestamp).then(i.cmp(j)))
            .map(|(_, statement)| statement);
        if let Some(statement) = newest.filter(|s| s.suppresses()) {
            return Verdict::Suppress(Box::new(Suppressed {
                finding: finding.clone(),
                by: "vex",
                origin: statement.origin.clone(),
                reason: statement.statement.clone(),
                vex_status: Some(statement.status.clone()),
                justification: statement.justification.clone(),
                vulnerability: None,
            }));
        }
        Verdict::Keep
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_lines() {
        let rules = parse_ignore_file(
            ".drydockignore",
            "# accepted\nCVE-2023-1 exp:2027-01-31 # base image, fixed upstream soon\n\n\
             CVE-2023-2 pkg=openssl\naws-access-key-id path=/app/test/**\n",
        )
        .unwrap();
        assert_eq!(rules.len(), 3);
        assert_eq!(rules[0].expires.as_deref(), Some("2027-01-31"));
        assert_eq!(
            rules[0].reason.as_deref(),
            Some("base image, fixed upstream soon")
        );
        assert_eq!(rules[0].origin, ".drydockignore:2");
        assert_eq!(rules[1].package.as_deref(), Some("openssl"));
        assert_eq!(rules[2].path.as_deref(), Some("/app/test/**"));
        let err = parse_ignore_file("x", "CVE-1 exp:tomorrow\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "x:1: expiry \"tomorrow\" is not YYYY-MM-DD"
        );
        assert!(parse_ignore_file("x", "CVE-1 severity=low\n").is_err());
    }

    #[test]
    fn globs() {
        assert!(glob("app/test/**", "app/test/a/b.txt"));
        assert!(glob("app/*.env", "app/.env"));
        assert!(!glob("app/*.env", "app/x/.env"));
        assert!(glob("**/id_rsa", "root/.ssh/id_rsa"));
        assert!(glob("**/id_rsa", "id_rsa"));
    }

    #[test]
    fn purl_bases() {
        assert_eq!(
            purl_base("pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12"),
            "pkg:deb/debian/openssl"
        );
        assert_eq!(
            purl_base("pkg:npm/%40babel/core@7.0.0"),
            "pkg:npm/%40babel/core"
        );
        assert_eq!(purl_base("pkg:npm/lodash"), "pkg:npm/lodash");
    }

    #[test]
    fn globs_end_double_stars_at_components() {
        assert!(!glob("**/id_rsa", "root/.ssh/not_id_rsa"));
        assert!(!glob("app/**/secret.txt", "app/topsecret.txt"));
        assert!(glob("app/**/secret.txt", "app/a/b/secret.txt"));
        assert!(glob("app/**/secret.txt", "app/secret.txt"));
    }

    fn finding(id: &str, purl: &str) -> Finding {
        Finding {
            kind: crate::FindingKind::OsVulnerability,
            id: id.into(),
            severity: drydock_matcher::Severity::High,
            title: String::new(),
            message: String::new(),
            location: Default::default(),
            fix: None,
            fixable: true,
            base_image: false,
            help_uri: None,
            aliases: vec!["GHSA-x".into()],
            purl: Some(purl.into()),
        }
    }

    fn vex(statements: &str) -> Suppressions {
        let doc = format!(
            r#"{{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "x", "timestamp": "2026-01-01T00:00:00Z", "statements": [{statements}]}}"#
        );
        let (vex, _) = parse_openvex("vex.json", doc.as_bytes()).unwrap();
        Suppressions {
            vex,
            today: "2026-06-01".into(),
            ..Suppressions::default()
        }
    }

    fn suppressed(s: &Suppressions, f: &Finding, image: &ImageIdentity) -> bool {
        matches!(s.judge(f, image), Verdict::Suppress(_))
    }

    #[test]
    fn openvex_products_narrow_to_the_image_and_its_packages() {
        let image = ImageIdentity {
            repository: Some("ghcr.io/acme/app".into()),
            reference: "ghcr.io/acme/app:1.0".into(),
            digest: Some("sha256:aaa".into()),
        };
        let zlib = finding("CVE-2023-1", "pkg:deb/debian/zlib1g@1.2.13?arch=amd64");
        let openssl = finding("CVE-2023-1", "pkg:deb/debian/openssl@3.0.11");
        // The image with one subcomponent: only that package.
        let s = vex(
            r#"{"vulnerability": {"name": "CVE-2023-1"}, "status": "not_affected",
            "justification": "vulnerable_code_not_in_execute_path",
            "products": [{"@id": "pkg:oci/app@sha256%3Aaaa?repository_url=ghcr.io/acme/app",
                          "subcomponents": [{"@id": "pkg:deb/debian/zlib1g"}]}]}"#,
        );
        assert!(suppressed(&s, &zlib, &image));
        assert!(!suppressed(&s, &openssl, &image));
        // Another digest of the image, or another repository's "app": not this image.
        let other = ImageIdentity {
            digest: Some("sha256:bbb".into()),
            ..image.clone()
        };
        assert!(!suppressed(&s, &zlib, &other));
        let stranger = ImageIdentity {
            repository: Some("docker.io/someone/app".into()),
            ..image.clone()
        };
        assert!(!suppressed(&s, &zlib, &stranger));
        // A package product with a version applies to that version only.
        let s = vex(r#"{"vulnerability": {"name": "GHSA-x"}, "status": "fixed",
            "products": [{"@id": "pkg:deb/debian/openssl@3.0.13"}]}"#);
        assert!(!suppressed(&s, &openssl, &image));
        let s = vex(r#"{"vulnerability": {"name": "GHSA-x"}, "status": "fixed",
            "products": [{"@id": "pkg:deb/debian/openssl@3.0.11"}]}"#);
        assert!(suppressed(&s, &openssl, &image));
    }

    #[test]
    fn the_newest_statement_decides() {
        let image = ImageIdentity::default();
        let f = finding("CVE-2023-1", "pkg:npm/lodash@4.17.20");
        let s = vex(
            r#"{"vulnerability": {"name": "CVE-2023-1"}, "status": "not_affected",
              "justification": "component_not_present", "timestamp": "2026-01-01T00:00:00Z",
              "products": [{"@id": "pkg:npm/lodash"}]},
             {"vulnerability": {"name": "CVE-2023-1"}, "status": "affected",
              "timestamp": "2026-06-01T00:00:00Z", "products": [{"@id": "pkg:npm/lodash"}]}"#,
        );
        assert!(!suppressed(&s, &f, &image));
        let s = vex(
            r#"{"vulnerability": {"name": "CVE-2023-1"}, "status": "affected",
              "timestamp": "2026-01-01T00:00:00Z", "products": [{"@id": "pkg:npm/lodash"}]},
             {"vulnerability": {"name": "CVE-2023-1"}, "status": "not_affected",
              "justification": "component_not_present", "timestamp": "2026-06-01T00:00:00Z",
              "products": [{"@id": "pkg:npm/lodash"}]}"#,
        );
        assert!(suppressed(&s, &f, &image));
    }

    #[test]
    fn openvex_statements() {
        let doc = br#"{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "x",
            "statements": [{"vulnerability": {"name": "CVE-2023-1", "aliases": ["GHSA-x"]},
              "products": [{"@id": "pkg:oci/app", "subcomponents": [{"@id": "pkg:deb/debian/zlib1g@1"}]}],
              "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"},
              {"vulnerability": {"name": "CVE-2023-2"}, "status": "not_affected"}]}"#;
        let (statements, warnings) = parse_openvex("vex.json", doc).unwrap();
        assert_eq!(statements.len(), 1);
        assert_eq!(statements[0].ids, ["CVE-2023-1", "GHSA-x"]);
        assert_eq!(statements[0].products[0].id, "pkg:oci/app");
        assert_eq!(
            statements[0].products[0].subcomponents,
            ["pkg:deb/debian/zlib1g@1"]
        );
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(parse_openvex("v", b"{\"statements\": []}").is_err());
        assert!(parse_openvex("v", b"not json").is_err());
    }
}
