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

/// A VEX statement that a vulnerability does not (or no longer) affects a product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VexStatement {
    /// The vulnerability's name and aliases.
    pub ids: Vec<String>,
    /// Product and subcomponent identifiers (package URLs, image references); empty = any.
    pub products: Vec<String>,
    /// `not_affected` or `fixed`.
    pub status: String,
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

/// Reads the statements of an OpenVEX document (v0.2.0, also the older context).
pub fn parse_openvex(origin: &str, bytes: &[u8]) -> Result<Vec<VexStatement>, SuppressError> {
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
    let mut out = Vec::new();
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
            let id = product["@id"].as_str().or(product.as_str());
            products.extend(id.map(str::to_string));
            for sub in product["subcomponents"].as_array().into_iter().flatten() {
                products.extend(sub["@id"].as_str().or(sub.as_str()).map(str::to_string));
            }
        }
        out.push(VexStatement {
            ids,
            products,
            status,
            justification: s["justification"].as_str().map(str::to_string),
            statement: s["impact_statement"]
                .as_str()
                .or(s["status_notes"].as_str())
                .map(str::to_string),
            origin: origin.to_string(),
        });
    }
    Ok(out)
}

/// `*` matches within one path component, `**` any number of them.
fn glob(pattern: &str, path: &str) -> bool {
    fn go(p: &[u8], s: &[u8]) -> bool {
        match p {
            [] => s.is_empty(),
            [b'*', b'*', rest @ ..] => {
                let rest = rest.strip_prefix(b"/").unwrap_or(rest);
                (0..=s.len()).any(|i| go(rest, &s[i..]))
            }
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

    fn matches(&self, f: &Finding, image_ids: &[String]) -> bool {
        let id_matches = self.ids.iter().any(|id| {
            f.id.eq_ignore_ascii_case(id) || f.aliases.iter().any(|a| a.eq_ignore_ascii_case(id))
        });
        let product_matches = self.products.is_empty()
            || self.products.iter().any(|product| {
                image_ids
                    .iter()
                    .any(|i| i == product || i == purl_base(product))
                    || f.purl
                        .as_deref()
                        .is_some_and(|p| purl_base(p) == purl_base(product))
            });
        id_matches && product_matches
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

    /// Keeps or suppresses `finding`; `image_ids` are the image's names and digests that
    /// a VEX product may use.
    pub fn judge(&self, finding: &Finding, image_ids: &[String]) -> Verdict {
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
        for statement in &self.vex {
            if statement.suppresses() && statement.matches(finding, image_ids) {
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
    fn openvex_statements() {
        let doc = br#"{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "x",
            "statements": [{"vulnerability": {"name": "CVE-2023-1", "aliases": ["GHSA-x"]},
              "products": [{"@id": "pkg:oci/app", "subcomponents": [{"@id": "pkg:deb/debian/zlib1g@1"}]}],
              "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}"#;
        let statements = parse_openvex("vex.json", doc).unwrap();
        assert_eq!(statements[0].ids, ["CVE-2023-1", "GHSA-x"]);
        assert_eq!(
            statements[0].products,
            ["pkg:oci/app", "pkg:deb/debian/zlib1g@1"]
        );
        assert!(parse_openvex("v", b"{\"statements\": []}").is_err());
        assert!(parse_openvex("v", b"not json").is_err());
    }
}
