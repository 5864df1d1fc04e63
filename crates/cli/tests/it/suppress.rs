//! Ignore files on secret and baseline findings: `.drydockignore` and `.trivyignore` in the
//! working directory, paths, expiry, and what the exit code sees.

use serde_json::Value;

use crate::common::{drydock, expect_error, require_shared, tempdir, validate_report};

#[test]
fn working_directory_ignore_files_accept_findings() {
    let shared = require_shared!();
    let dir = tempdir();
    let image = shared.join("images/scanlab-acme-shop-1.4.2.oci.tar");
    let run = |dir: &std::path::Path| -> (Value, i32) {
        let out = drydock(dir)
            .current_dir(dir)
            .args([
                "--format",
                "json",
                "--scanners",
                "secret,baseline",
                "--exit-code",
                "9",
            ])
            .args(["--severity", "HIGH,CRITICAL", "image", "--input"])
            .arg(&image)
            .output()
            .unwrap();
        let report = serde_json::from_slice(&out.stdout).expect("JSON report");
        (report, out.status.code().unwrap())
    };
    let (before, code) = run(dir.path());
    assert_eq!(code, 9);
    let total = before["findings"].as_array().unwrap().len();
    std::fs::write(
        dir.path().join(".drydockignore"),
        "npm-access-token path=/root/**   # revoked 2026-11-01\n\
         BL009 path=/usr/local/bin/*\n\
         github-pat path=/srv/**\n\
         aws-access-key-id exp:2020-01-01\n",
    )
    .unwrap();
    std::fs::write(dir.path().join(".trivyignore"), "BL001\n").unwrap();
    let (after, _) = run(dir.path());
    validate_report(&after);
    let ids: Vec<&str> = after["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    for gone in ["npm-access-token", "BL009", "BL001"] {
        assert!(!ids.contains(&gone), "{gone} still reported");
    }
    // A path that does not match, and an expired rule, leave their findings in.
    assert!(ids.contains(&"github-pat") && ids.contains(&"aws-access-key-id"));
    let suppressed = after["suppressed"].as_array().unwrap();
    assert_eq!(suppressed.len(), 3, "{suppressed:#?}");
    assert_eq!(ids.len() + 3, total);
    let npm = suppressed
        .iter()
        .find(|s| s["id"] == "npm-access-token")
        .unwrap();
    assert_eq!(npm["reason"], "revoked 2026-11-01");
    assert_eq!(npm["origin"], ".drydockignore:1");
    assert!(after["expired_ignores"][0]
        .as_str()
        .unwrap()
        .starts_with("aws-access-key-id"));
    assert_eq!(
        after["secret_scan"]["findings"].as_array().unwrap().len() + 1,
        before["secret_scan"]["findings"].as_array().unwrap().len()
    );

    // Everything accepted: the gate opens.
    let all: String = before["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{}\n", f["id"].as_str().unwrap()))
        .collect();
    std::fs::write(dir.path().join(".drydockignore"), all).unwrap();
    let (_, code) = run(dir.path());
    assert_eq!(code, 0);
}

#[test]
fn broken_ignore_and_vex_files_are_errors() {
    let dir = tempdir();
    let root = dir.path().join("root");
    std::fs::create_dir_all(&root).unwrap();
    let ignore = dir.path().join("ignore");
    std::fs::write(&ignore, "CVE-2020-1 exp:soon\n").unwrap();
    let line = expect_error(
        dir.path(),
        &[
            "--ignorefile",
            ignore.to_str().unwrap(),
            "rootfs",
            root.to_str().unwrap(),
        ],
    );
    assert!(
        line.contains("ignore:1: expiry \"soon\" is not YYYY-MM-DD"),
        "{line}"
    );
    let vex = dir.path().join("vex.json");
    std::fs::write(&vex, "{\"statements\": []}").unwrap();
    let line = expect_error(
        dir.path(),
        &[
            "--vex",
            vex.to_str().unwrap(),
            "rootfs",
            root.to_str().unwrap(),
        ],
    );
    assert!(line.contains("not an OpenVEX document"), "{line}");
}
