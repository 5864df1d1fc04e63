//! The CI formats on findings that need no database: JUnit XML and GitHub's dependency
//! snapshot. (Vulnerability formats — CycloneDX with VEX analysis, GitLab, OpenVEX — are
//! checked in `vuln.rs`, which has a database.)

use serde_json::Value;

use crate::common::{drydock, require_shared, tempdir};

fn run(cache: &std::path::Path, format: &str, scanners: &str, image: &std::path::Path) -> Vec<u8> {
    let out = drydock(cache)
        .env("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
        .env("GITHUB_REF", "refs/heads/main")
        .args([
            "--format",
            format,
            "--scanners",
            scanners,
            "image",
            "--input",
        ])
        .arg(image)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn junit_has_one_failed_case_per_finding() {
    let shared = require_shared!();
    let cache = tempdir();
    let image = shared.join("images/scanlab-acme-shop-1.4.2.oci.tar");
    let report: Value =
        serde_json::from_slice(&run(cache.path(), "json", "secret,baseline,build", &image))
            .unwrap();
    let findings = report["findings"].as_array().unwrap();
    let xml =
        String::from_utf8(run(cache.path(), "junit", "secret,baseline,build", &image)).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(
        root.attribute("failures").unwrap(),
        findings.len().to_string()
    );
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 3, "one suite per scanner kind");
    let failures: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .collect();
    assert_eq!(failures.len(), findings.len());
    // No secret value in the XML either: only the redacted match.
    assert!(xml.contains("npm_dqGm*****"));
    let case = doc
        .descendants()
        .find(|n| n.has_tag_name("testcase") && n.attribute("name") == Some("[CRITICAL] BL009"))
        .expect("the set-uid shell as a failed case");
    assert_eq!(case.attribute("classname"), Some("/usr/local/bin/sh-root"));
}

#[test]
fn github_snapshot_lists_every_package_by_manifest() {
    let shared = require_shared!();
    let cache = tempdir();
    let image = shared.join("images/scanlab-acme-shop-1.4.2.oci.tar");
    let snapshot: Value =
        serde_json::from_slice(&run(cache.path(), "github", "sbom", &image)).unwrap();
    assert_eq!(snapshot["version"], 0);
    assert_eq!(snapshot["sha"], "0123456789abcdef0123456789abcdef01234567");
    assert_eq!(snapshot["ref"], "refs/heads/main");
    let manifests = snapshot["manifests"].as_object().unwrap();
    let count = |name: &str| manifests[name]["resolved"].as_object().unwrap().len();
    assert_eq!(count("/var/lib/dpkg/status"), 110);
    assert_eq!(count("/app/node_modules"), 53);
    assert_eq!(count("/usr/local/lib/python3.11/site-packages"), 12);
    for manifest in manifests.values() {
        for (purl, dep) in manifest["resolved"].as_object().unwrap() {
            assert_eq!(dep["package_url"], purl.as_str());
            assert!(purl.starts_with("pkg:"));
        }
    }
}

#[test]
fn html_is_one_self_contained_page_with_every_finding() {
    let shared = require_shared!();
    let cache = tempdir();
    let image = shared.join("images/scanlab-acme-shop-1.4.2.oci.tar");
    let report: Value =
        serde_json::from_slice(&run(cache.path(), "json", "secret,baseline,build", &image))
            .unwrap();
    let html =
        String::from_utf8(run(cache.path(), "html", "secret,baseline,build", &image)).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    // Nothing loaded from elsewhere: no external scripts, styles, images or fonts.
    for attr in ["src=", "<link", "@import", "url("] {
        assert!(!html.contains(attr), "{attr} in the page");
    }
    let rows = html.matches("<tr data-kind=").count();
    assert_eq!(rows, report["findings"].as_array().unwrap().len());
    for f in report["findings"].as_array().unwrap() {
        assert!(html.contains(&format!(">{}<", f["id"].as_str().unwrap())));
    }
    // Filters for each kind that ran and a copy button per fix command.
    for kind in ["secret", "baseline", "build-instruction"] {
        assert!(
            html.contains(&format!("data-group=\"kind\" value=\"{kind}\"")),
            "{kind}"
        );
    }
    assert!(html.contains("<script>"));
    // Image text is escaped, never markup.
    assert!(!html.contains("<script>alert"));
}
