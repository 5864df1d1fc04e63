//! Accepted-risk files come from outside (a vendor's VEX document, a team's ignore file):
//! parsing must fail with an error, never panic, and judging findings against whatever
//! parsed must not panic either.
#![no_main]

use drydock_report::suppress::{parse_ignore_file, parse_openvex, ImageIdentity, Suppressions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut suppressions = Suppressions {
        today: "2026-06-01".into(),
        ..Suppressions::default()
    };
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(rules) = parse_ignore_file("fuzz", text) {
            suppressions.ignores = rules;
        }
    }
    if let Ok((statements, _)) = parse_openvex("fuzz", data) {
        suppressions.vex = statements;
    }
    let image = ImageIdentity {
        repository: Some("ghcr.io/acme/app".into()),
        reference: "ghcr.io/acme/app:1.0".into(),
        digest: Some("sha256:aaaa".into()),
    };
    let _ = suppressions.judge(&sample_finding(), &image);
    let _ = suppressions.expired();
});

fn sample_finding() -> drydock_report::Finding {
    drydock_report::Finding {
        kind: drydock_report::FindingKind::AppVulnerability,
        id: "CVE-2023-1".into(),
        severity: drydock_report::findings::common_severity("high"),
        title: String::new(),
        message: String::new(),
        location: drydock_report::Location {
            path: Some("/app/node_modules/lodash/package.json".into()),
            package: Some("lodash@4.17.20".into()),
            ..Default::default()
        },
        fix: None,
        fixable: true,
        base_image: false,
        help_uri: None,
        aliases: vec!["GHSA-x".into()],
        purl: Some("pkg:npm/lodash@4.17.20".into()),
    }
}
