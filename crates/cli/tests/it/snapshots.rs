//! Every report format pinned on the shared acme-shop image with all scanners, so a change
//! in any of them shows up as a reviewed diff (`cargo insta review`). Timestamps come from
//! `SOURCE_DATE_EPOCH`. The image is named by a relative path from a scratch directory, so
//! no report (the table pads to its longest line) depends on where the shared folder lives.

use crate::common::{drydock, report_schema_errors, require_shared, tempdir, validate_report};
use crate::vuln::shared_db;

const FORMATS: [&str; 10] = [
    "table",
    "json",
    "sarif",
    "cyclonedx",
    "spdx-json",
    "junit",
    "gitlab",
    "github",
    "openvex",
    "html",
];

#[test]
fn every_format_of_acme_shop() {
    let shared = require_shared!();
    let db = shared_db(&shared);
    let cache = tempdir();
    let workdir = tempdir();
    let image = "scanlab-acme-shop-1.4.2.oci.tar";
    std::os::unix::fs::symlink(
        shared.join("images").join(image),
        workdir.path().join(image),
    )
    .unwrap();
    for format in FORMATS {
        let out = drydock(cache.path())
            .current_dir(workdir.path())
            .env("SOURCE_DATE_EPOCH", "1790000000")
            .env_remove("GITHUB_SHA")
            .env_remove("GITHUB_REF")
            .env_remove("GITHUB_RUN_ID")
            .env_remove("GITHUB_JOB")
            .args(["--scanners", "vuln,secret,malware,baseline,build"])
            .args(["--db-max-age", "100000", "--db"])
            .arg(&db)
            .args(["--format", format, "image", "--input"])
            .arg(image)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            !text.contains(shared.to_str().unwrap()),
            "{format}: the report names the shared folder, so its snapshot would depend on where that lives"
        );
        if format == "json" {
            let report: serde_json::Value = serde_json::from_str(&text).unwrap();
            validate_report(&report);
            // The schema is strict where it promises: an unknown kind is caught.
            let mut broken = report.clone();
            broken["findings"][0]["kind"] = "bogus".into();
            assert!(!report_schema_errors(&broken).is_empty());
        }
        insta::assert_snapshot!(format!("acme_shop_{}", format.replace('-', "_")), text);
    }
}
