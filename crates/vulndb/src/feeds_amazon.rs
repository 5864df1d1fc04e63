//! Amazon Linux Security Advisories (ALAS): the RSS feeds (`alas.rss` for AL1, `AL2/`,
//! `AL2022/`, `AL2023/`) and the advisory HTML pages they link to.
//!
//! - RSS item: `<title>ALAS-2018-939 (critical): kernel</title>`, CVE list in
//!   `<description>`, the release from the link (`/AL2/`, `/AL2023/`, none = AL1). An item
//!   gives id, severity, aliases and dates, but no fixed version.
//! - Advisory page: the id (`<h1 id='ALAS2023-2023-126'>`), the release ("Amazon Linux 2023
//!   Security Advisory"), `Severity:`, CVE references, and the `New Packages:` list of
//!   binary NEVRAs per architecture (`kpartx-0.8.7-16.amzn2023.0.1.x86_64`) → one Fixed row
//!   per binary package name, `introduced 0` / `fixed <version-release>` (an epoch written
//!   `1:` in the list is kept). `src` entries are skipped: scanners see binary RPMs.
//! - Ids are normalised per release: AL1 `ALAS-…`, AL2 `ALAS2-…`, AL2022 `ALAS2022-…`,
//!   AL2023 `ALAS2023-…` (early AL2 pages and all RSS items write the AL1-style `ALAS-…`,
//!   which would collide with AL1's own advisories).
//! - Ecosystems: `Amazon Linux:1`, `Amazon Linux:2`, `Amazon Linux:2022`,
//!   `Amazon Linux:2023`. Severity source `Amazon Linux`.
//!
//! Pages are HTML, read by searching for the fixed markers of the ALAS template (no HTML
//! parser needed, and no markup is trusted beyond those markers).

use roxmltree::Document;

use crate::model::{Advisory, Affected, Range, RangeEvent, Status};
use crate::version::{rpm::Rpm, VersionOrder};

pub const SEVERITY_SOURCE: &str = "Amazon Linux";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Release {
    Al1,
    Al2,
    Al2022,
    Al2023,
}

impl Release {
    pub fn ecosystem(self) -> &'static str {
        match self {
            Release::Al1 => "Amazon Linux:1",
            Release::Al2 => "Amazon Linux:2",
            Release::Al2022 => "Amazon Linux:2022",
            Release::Al2023 => "Amazon Linux:2023",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Release::Al1 => "ALAS",
            Release::Al2 => "ALAS2",
            Release::Al2022 => "ALAS2022",
            Release::Al2023 => "ALAS2023",
        }
    }

    /// From a link (`https://…/AL2023/ALAS-2023-126.html`) or a heading ("Amazon Linux 2
    /// Security Advisory").
    fn from_text(text: &str) -> Release {
        if text.contains("/AL2023/") || text.contains("Amazon Linux 2023") {
            Release::Al2023
        } else if text.contains("/AL2022/") || text.contains("Amazon Linux 2022") {
            Release::Al2022
        } else if text.contains("/AL2/") || text.contains("Amazon Linux 2 ") {
            Release::Al2
        } else {
            Release::Al1
        }
    }
}

/// `ALAS-2023-126` on an AL2023 page → `ALAS2023-2023-126`.
pub fn normalise_id(id: &str, release: Release) -> String {
    let id = id.trim();
    let rest = id
        .strip_prefix("ALAS2023-")
        .or_else(|| id.strip_prefix("ALAS2022-"))
        .or_else(|| id.strip_prefix("ALAS2-"))
        .or_else(|| id.strip_prefix("ALAS-"))
        .unwrap_or(id);
    format!("{}-{rest}", release.prefix())
}

pub fn looks_like_rss(text: &str) -> bool {
    text.contains("<rss") && text.contains("ALAS")
}

pub fn looks_like_page(text: &str) -> bool {
    text.contains("Security Advisory:") && text.contains("alas-info")
}

fn cves_in(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(pos) = rest.find("CVE-") {
        let tail = &rest[pos..];
        let end = tail
            .char_indices()
            .skip(4)
            .find(|(_, c)| !(c.is_ascii_digit() || *c == '-'))
            .map(|(i, _)| i)
            .unwrap_or(tail.len());
        let id = tail[..end].trim_end_matches('-');
        if id.len() > 9 && !out.iter().any(|o| o == id) {
            out.push(id.to_string());
        }
        rest = &tail[4..];
    }
    out
}

/// Parses an RSS feed into advisories without affected packages (no versions in the feed).
pub fn parse_rss(text: &str) -> Result<Vec<Advisory>, String> {
    let doc = Document::parse(text).map_err(|e| format!("not well-formed XML: {e}"))?;
    let mut out = Vec::new();
    for item in doc
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "item")
    {
        let field = |name: &str| {
            item.children()
                .find(|c| c.is_element() && c.tag_name().name() == name)
                .and_then(|c| c.text())
                .map(|t| t.trim().to_string())
                .unwrap_or_default()
        };
        let title = field("title");
        let link = field("link");
        let Some(id) = title
            .split_whitespace()
            .next()
            .filter(|t| t.starts_with("ALAS"))
        else {
            continue;
        };
        let release = Release::from_text(&link);
        let severity = title
            .split_once('(')
            .and_then(|(_, r)| r.split_once(')'))
            .map(|(s, _)| s.trim().to_string())
            .filter(|s| !s.is_empty());
        let package = title.split_once("):").map(|(_, p)| p.trim().to_string());
        out.push(Advisory {
            id: normalise_id(id, release),
            aliases: cves_in(&field("description")),
            summary: package.map(|p| format!("{p} security update")),
            published: Some(field("pubDate")).filter(|s| !s.is_empty()),
            modified: Some(field("lastBuildDate")).filter(|s| !s.is_empty()),
            severity_source: severity.as_ref().map(|_| SEVERITY_SOURCE.to_string()),
            severity,
            references: (!link.is_empty()).then_some(link).into_iter().collect(),
            ..Advisory::default()
        });
    }
    Ok(out)
}

/// The text between `start` and the next `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(&text[from..from + len])
}

/// Markup removed, entities for spaces decoded, whitespace collapsed.
fn plain(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out.replace("&nbsp;", " ").replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `kpartx-0.8.7-16.amzn2023.0.1.x86_64` → (`kpartx`, `0.8.7-16.amzn2023.0.1`).
fn split_nevra(nevra: &str) -> Option<(String, String)> {
    let (rest, arch) = nevra.rsplit_once('.')?;
    if arch == "src" || arch.is_empty() {
        return None;
    }
    let (name_version, release) = rest.rsplit_once('-')?;
    let (name, version) = name_version.rsplit_once('-')?;
    let evr = format!("{version}-{release}");
    if name.is_empty() || Rpm.validate(&evr).is_err() {
        return None;
    }
    Some((name.to_string(), evr))
}

/// Parses one advisory page.
pub fn parse_page(html: &str) -> Result<Advisory, String> {
    let heading =
        between(html, "Security Advisory:", "</span>").ok_or("no `Security Advisory:` line")?;
    // The heading's label sits just before the marker: "<b>Amazon Linux 2 Security Advisory:".
    let label_start = html.find("Security Advisory:").unwrap_or(0);
    let label = &html[label_start.saturating_sub(60)..label_start + "Security Advisory:".len()];
    let release = Release::from_text(&format!("{} ", plain(label)));
    let h1_id = between(html, "<h1 id='", "'")
        .or_else(|| between(html, "<h1 id=\"", "\""))
        .filter(|s| s.starts_with("ALAS"));
    let id = h1_id
        .map(str::to_string)
        .or_else(|| {
            plain(heading)
                .split_whitespace()
                .next()
                .filter(|t| t.starts_with("ALAS"))
                .map(str::to_string)
        })
        .ok_or("no ALAS id")?;
    let severity = between(html, "<b>Severity:</b>", "</div>")
        .map(plain)
        .filter(|s| !s.is_empty());
    let aliases = between(html, "<div id='references'>", "</div>")
        .map(cves_in)
        .unwrap_or_default();
    let date = |label: &str| {
        between(html, &format!("<b>{label}:</b>"), "</span>")
            .map(plain)
            .filter(|s| !s.is_empty())
    };
    let overview = between(html, "<div id='issue_overview'>", "</div>").map(|s| {
        plain(s)
            .trim_start_matches("Issue Overview:")
            .trim()
            .to_string()
    });
    let packages = between(html, "<div id='new_packages'>", "</div>").unwrap_or_default();
    let mut affected: Vec<Affected> = Vec::new();
    for token in packages
        .replace("<br />", "\n")
        .replace("<br/>", "\n")
        .replace("&nbsp;", " ")
        .split(|c: char| c.is_whitespace() || c == '<' || c == '>')
    {
        let token = token.trim();
        if token.ends_with(':') || !token.contains('-') {
            continue; // architecture headings and markup
        }
        let Some((name, evr)) = split_nevra(token) else {
            continue;
        };
        if affected.iter().any(|a| a.package == name) {
            continue;
        }
        affected.push(Affected {
            ecosystem: release.ecosystem().into(),
            package: name,
            status: Status::Fixed,
            ranges: vec![Range {
                kind: "ECOSYSTEM".into(),
                events: vec![RangeEvent::Introduced("0".into()), RangeEvent::Fixed(evr)],
            }],
            versions: Vec::new(),
            justification: None,
        });
    }
    affected.sort_by(|a, b| a.package.cmp(&b.package));
    Ok(Advisory {
        id: normalise_id(&id, release),
        aliases,
        summary: between(html, "<div id='affected_packages'", "</div>")
            .map(|s| plain(&format!("<{s}")))
            .map(|s| {
                s.trim_start_matches("Affected Packages:")
                    .trim()
                    .to_string()
            })
            .filter(|s| !s.is_empty())
            .map(|p| format!("{p} security update")),
        details: overview,
        published: date("Advisory Release Date"),
        modified: date("Advisory Updated Date"),
        severity_source: severity.as_ref().map(|_| SEVERITY_SOURCE.to_string()),
        severity,
        affected,
        ..Advisory::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::io::Read;

    fn members() -> Option<BTreeMap<String, String>> {
        let path = crate::test_advisories()
            .join("amazon/samples-vunnel-alas-rss-html.tar.zst")
            .display()
            .to_string();
        let file = crate::shared_file(&path, std::fs::File::open(&path))?;
        let mut tar = tar::Archive::new(zstd::stream::read::Decoder::new(file).unwrap());
        let mut out = BTreeMap::new();
        for e in tar.entries().unwrap() {
            let mut e = e.unwrap();
            let name = e.path().unwrap().to_string_lossy().into_owned();
            let mut text = String::new();
            if e.read_to_string(&mut text).is_ok() {
                out.insert(name, text);
            }
        }
        Some(out)
    }

    fn get<'a>(m: &'a BTreeMap<String, String>, suffix: &str) -> &'a str {
        m.iter()
            .find(|(k, _)| k.ends_with(suffix))
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("{suffix}"))
    }

    #[test]
    fn al2023_page() {
        let Some(m) = members() else { return };
        let html = get(&m, "2023_html/ALAS-2023-126");
        assert!(looks_like_page(html));
        let a = parse_page(html).unwrap();
        assert_eq!(a.id, "ALAS2023-2023-126");
        assert_eq!(
            a.aliases,
            ["CVE-2022-3787", "CVE-2022-41973", "CVE-2022-41974"]
        );
        assert_eq!(
            (a.severity.as_deref(), a.severity_source.as_deref()),
            (Some("Important"), Some("Amazon Linux"))
        );
        assert_eq!(a.published.as_deref(), Some("2023-03-07 00:29 Pacific"));
        let names: Vec<&str> = a.affected.iter().map(|x| x.package.as_str()).collect();
        assert!(names.contains(&"kpartx") && names.contains(&"device-mapper-multipath-libs"));
        assert!(!names.iter().any(|n| n.ends_with(".src")));
        assert!(a.affected.iter().all(|x| x.ecosystem == "Amazon Linux:2023"
            && x.fixed_version() == Some("0.8.7-16.amzn2023.0.1")));
    }

    #[test]
    fn al2_pages_get_the_al2_prefix() {
        let Some(m) = members() else { return };
        let a = parse_page(get(&m, "2_html/ALAS-2018-939")).unwrap();
        assert_eq!(a.id, "ALAS2-2018-939");
        assert_eq!(a.severity.as_deref(), Some("Critical"));
        assert_eq!(a.aliases, ["CVE-2017-5715", "CVE-2017-5754"]);
        let kernel = a.affected.iter().find(|x| x.package == "kernel").unwrap();
        assert_eq!(kernel.ecosystem, "Amazon Linux:2");
        assert_eq!(kernel.fixed_version(), Some("4.9.76-38.79.amzn2"));
        let a = parse_page(get(&m, "mock_html")).unwrap();
        assert_eq!(a.id, "ALAS2-2018-949");
        assert_eq!(a.aliases.len(), 15);
        let a = parse_page(get(&m, "2022_html/ALAS-2021-001")).unwrap();
        assert_eq!(a.id, "ALAS2022-2021-001");
        assert!(a
            .affected
            .iter()
            .all(|x| x.ecosystem == "Amazon Linux:2022"));
    }

    #[test]
    fn rss_feeds() {
        let Some(m) = members() else { return };
        let items = parse_rss(get(&m, "input/2023_rss.xml")).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].id, "ALAS2023-2023-126");
        assert_eq!(items[0].severity.as_deref(), Some("important"));
        assert_eq!(items[0].aliases.len(), 3);
        let items = parse_rss(get(&m, "mock_rss")).unwrap();
        assert_eq!(items.len(), 97);
        assert!(items.iter().all(|a| a.affected.is_empty()));
        assert!(parse_rss("<rss><channel>").is_err());
    }

    #[test]
    fn odd_pages() {
        assert!(parse_page("<html>nothing</html>").is_err());
        assert_eq!(
            normalise_id("ALAS-2023-1", Release::Al2023),
            "ALAS2023-2023-1"
        );
        assert_eq!(normalise_id("ALAS2-2018-1", Release::Al2), "ALAS2-2018-1");
        assert_eq!(normalise_id("ALAS-2018-1", Release::Al1), "ALAS-2018-1");
        assert_eq!(split_nevra("kernel-4.9.76-38.79.amzn2.src"), None);
        assert_eq!(
            split_nevra("perf-4.9.76-38.79.amzn2.x86_64"),
            Some(("perf".into(), "4.9.76-38.79.amzn2".into()))
        );
    }
}
