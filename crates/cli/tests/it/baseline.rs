//! Baseline (insecure configuration) checks through the binary, on the shared images.

use serde_json::Value;

use crate::common::{drydock, require_shared, tempdir};

fn baseline(cache: &std::path::Path, scanner: &str, image: &std::path::Path) -> Value {
    let out = drydock(cache)
        .args([
            "--format",
            "json",
            "--scanners",
            scanner,
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
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn acme_shop_risks_with_their_layers() {
    let shared = require_shared!();
    let cache = tempdir();
    let report = baseline(
        cache.path(),
        "misconfig",
        &shared.join("images/scanlab-acme-shop-1.4.2.oci.tar"),
    );
    let findings = report["baseline_scan"]["findings"].as_array().unwrap();
    let find = |rule: &str, path: Option<&str>| -> &Value {
        findings
            .iter()
            .find(|f| f["rule_id"] == rule && path.is_none_or(|p| f["path"] == p))
            .unwrap_or_else(|| panic!("{rule} {path:?} missing: {findings:#?}"))
    };
    // (rule, path, severity, layer) as the image's README plants them.
    for (rule, path, severity, layer) in [
        ("BL009", Some("/usr/local/bin/sh-root"), "critical", Some(8)),
        ("BL001", Some("/etc/shadow"), "high", Some(8)),
        ("BL016", Some("/etc/ssh/sshd_config"), "high", Some(9)),
        ("BL017", Some("/etc/ssh/sshd_config"), "high", Some(9)),
        ("BL018", Some("/etc/ssh/sshd_config"), "medium", Some(9)),
        ("BL027", None, "medium", None),
        ("BL029", None, "medium", None),
        ("BL028", None, "low", None),
    ] {
        let f = find(rule, path);
        assert_eq!(f["severity"], severity, "{rule}");
        match layer {
            Some(layer) => assert_eq!(f["layer"]["index"], layer, "{rule}"),
            None => assert!(f["layer"].is_null(), "{rule}"),
        }
    }
    assert!(find("BL001", None)["evidence"]
        .as_str()
        .unwrap()
        .starts_with("deploy::"));
    // Debian's own set-uid programs are information only, and from the base image.
    let stock: Vec<&Value> = findings
        .iter()
        .filter(|f| f["rule_id"] == "BL012")
        .collect();
    assert!(stock.iter().any(|f| f["path"] == "/usr/bin/passwd"));
    assert!(stock.iter().all(|f| f["severity"] == "info"));
    let common: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "baseline" && f["id"] == "BL012")
        .collect();
    assert!(!common.is_empty() && common.iter().all(|f| f["base_image"] == true));
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == "BL009" && f["base_image"] == false));
}

#[test]
fn bookworm_has_nothing_above_low() {
    let shared = require_shared!();
    let cache = tempdir();
    let report = baseline(
        cache.path(),
        "baseline",
        &shared.join("images/scanlab-debian-bookworm.oci.tar"),
    );
    let findings = report["baseline_scan"]["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for f in findings {
        assert!(
            matches!(f["severity"].as_str(), Some("low" | "info")),
            "{f:#}"
        );
    }
}
