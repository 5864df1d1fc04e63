//! The shared images (acme-shop and its Debian base) and the real Alpine and busybox root
//! filesystems in the shared fixtures.

mod common;

use std::collections::BTreeSet;

use common::{describe, of_rule, one, shared};
use drydock_baseline::Severity;

/// acme-shop layer L8 (`RUN cp /bin/dash /usr/local/bin/sh-root …`, history #11) and L9
/// (`COPY files/sshd_config …`, history #12), per the image's README.
const SETUP_LAYER: usize = 8;
const SETUP_HISTORY: usize = 11;
const SSHD_LAYER: usize = 9;
const SSHD_HISTORY: usize = 12;

/// Debian 12's stock set-uid/set-gid files as the bookworm image ships them.
const DEBIAN_STOCK: &[&str] = &[
    "/usr/bin/chage",
    "/usr/bin/chfn",
    "/usr/bin/chsh",
    "/usr/bin/expiry",
    "/usr/bin/gpasswd",
    "/usr/bin/mount",
    "/usr/bin/newgrp",
    "/usr/bin/passwd",
    "/usr/bin/su",
    "/usr/bin/umount",
    "/usr/sbin/unix_chkpwd",
];

fn stock_paths(findings: &[drydock_baseline::BaselineFinding]) -> Vec<&str> {
    let mut paths: Vec<&str> = of_rule(findings, "BL012")
        .iter()
        .map(|f| f.path.as_deref().unwrap())
        .collect();
    paths.sort_unstable();
    paths
}

#[test]
fn acme_shop_planted_risks_with_their_layers() {
    let Some(image) = shared("images/scanlab-acme-shop-1.4.2.oci.tar") else {
        return;
    };
    let scan = common::scan_image(&image, None);
    let findings = &scan.findings;
    let all = describe(findings);

    let shell = one(findings, "BL009", "/usr/local/bin/sh-root");
    assert_eq!(shell.severity, Severity::Critical, "{all}");
    assert!(shell.evidence.contains("mode 4755"), "{}", shell.evidence);
    assert!(
        shell.evidence.contains("/usr/bin/dash"),
        "{}",
        shell.evidence
    );
    let layer = shell.layer.as_ref().unwrap();
    assert_eq!(layer.index, SETUP_LAYER);
    assert!(layer.diff_id.as_deref().unwrap().starts_with("sha256:"));
    let history = shell.history.as_ref().unwrap();
    assert_eq!(history.index, SETUP_HISTORY);
    assert!(history.created_by.contains("sh-root"));

    let empty = one(findings, "BL001", "/etc/shadow");
    assert_eq!(empty.severity, Severity::High);
    assert!(
        empty.evidence.starts_with("deploy::20000:"),
        "{}",
        empty.evidence
    );
    assert_eq!(empty.layer.as_ref().unwrap().index, SETUP_LAYER);
    assert_eq!(empty.note.as_deref(), Some("login shell /bin/bash"));

    for (rule, keyword, severity) in [
        ("BL016", "PermitRootLogin yes", Severity::High),
        ("BL017", "PermitEmptyPasswords yes", Severity::High),
        ("BL018", "PasswordAuthentication yes", Severity::Medium),
    ] {
        let f = one(findings, rule, "/etc/ssh/sshd_config");
        assert_eq!(f.severity, severity, "{rule}");
        assert_eq!(f.evidence, keyword);
        assert_eq!(f.layer.as_ref().unwrap().index, SSHD_LAYER);
        assert_eq!(f.history.as_ref().unwrap().index, SSHD_HISTORY);
        // openssh-server is not in the image: the finding says so.
        assert!(
            f.note.as_deref().unwrap().contains("not installed"),
            "{f:?}"
        );
    }

    let root = of_rule(findings, "BL027");
    assert_eq!(root.len(), 1, "{all}");
    assert_eq!(root[0].severity, Severity::Medium);
    assert!(root[0]
        .history
        .as_ref()
        .unwrap()
        .created_by
        .contains("USER root"));
    let ssh_port = of_rule(findings, "BL029");
    assert_eq!(ssh_port.len(), 1, "{all}");
    assert!(ssh_port[0]
        .history
        .as_ref()
        .unwrap()
        .created_by
        .contains("EXPOSE"));
    assert_eq!(of_rule(findings, "BL028").len(), 1, "{all}");

    // Debian's stock set-uid/set-gid files: info only, in the base layer.
    assert_eq!(stock_paths(findings), DEBIAN_STOCK, "{all}");
    for f in of_rule(findings, "BL012") {
        assert_eq!(f.severity, Severity::Info);
        assert_eq!(f.layer.as_ref().unwrap().index, 0);
    }

    // Nothing else above info: the planted set, plus the planted /app/.env (secrets layer).
    let mut above_info: Vec<(&str, Option<&str>)> = findings
        .iter()
        .filter(|f| f.severity > Severity::Info)
        .map(|f| (f.rule_id.as_str(), f.path.as_deref()))
        .collect();
    above_info.sort_unstable();
    assert_eq!(
        above_info,
        [
            ("BL001", Some("/etc/shadow")),
            ("BL009", Some("/usr/local/bin/sh-root")),
            ("BL016", Some("/etc/ssh/sshd_config")),
            ("BL017", Some("/etc/ssh/sshd_config")),
            ("BL018", Some("/etc/ssh/sshd_config")),
            ("BL023", Some("/app/.env")),
            ("BL027", None),
            ("BL028", None),
            ("BL029", None),
        ],
        "{all}"
    );
    assert_eq!(
        one(findings, "BL023", "/app/.env")
            .layer
            .as_ref()
            .unwrap()
            .index,
        6
    );

    // The shared image's README: 110 dpkg packages, so the distribution was known.
    assert_eq!(scan.inventory.os.as_ref().unwrap().family, "debian");
}

#[test]
fn bookworm_has_nothing_above_low() {
    let Some(image) = shared("images/scanlab-debian-bookworm.oci.tar") else {
        return;
    };
    let scan = common::scan_image(&image, None);
    let all = describe(&scan.findings);
    assert!(common::none_above(&scan.findings, Severity::Low), "{all}");
    assert_eq!(stock_paths(&scan.findings), DEBIAN_STOCK, "{all}");
    // No USER and no HEALTHCHECK, as a base image: low.
    let rules: BTreeSet<&str> = scan
        .findings
        .iter()
        .filter(|f| f.severity > Severity::Info)
        .map(|f| f.rule_id.as_str())
        .collect();
    assert_eq!(rules, BTreeSet::from(["BL027", "BL028"]), "{all}");
    // The account databases were read (and cached without any hash).
    assert!(scan.cached_json.contains("\"kind\":\"shadow\""));
}

/// Every Alpine minirootfs of the fixtures: no finding at all. Each shadow locks root
/// (`!` in 3.6.5 and 3.12.12, `*` from 3.16), nothing is set-uid, /tmp and /var/tmp are
/// 1777, and the account databases are root-owned with shadow 0640.
#[test]
fn alpine_minirootfs_has_no_findings() {
    let Some(dir) = shared("data/fixtures/rootfs/alpine-minirootfs") else {
        return;
    };
    for version in ["3.6.5", "3.12.12", "3.16.9", "3.20.3"] {
        let tarball = dir.join(format!("alpine-minirootfs-{version}-x86_64.tar.gz"));
        let scan = common::scan_tarball(&tarball);
        assert!(
            scan.findings.is_empty(),
            "{version}:\n{}",
            describe(&scan.findings)
        );
        assert_eq!(scan.inventory.os.as_ref().unwrap().family, "alpine");
        assert!(
            scan.cached_json.contains("\"kind\":\"shadow\""),
            "{version}"
        );
        assert!(
            scan.cached_json.contains("\"state\":\"locked\""),
            "{version}"
        );
    }
}

/// busybox images: no USER, no HEALTHCHECK (low, as any base image), nothing else; every
/// account is locked (`*`) in /etc/shadow, which is 0600 root.
#[test]
fn busybox_images_have_nothing_above_low() {
    for name in [
        "busybox-glibc-amd64-oci",
        "busybox-musl-amd64-oci",
        "busybox-musl-arm64v8-oci",
    ] {
        let Some(layout) = shared(&format!("data/fixtures/rootfs/{name}")) else {
            return;
        };
        let scan = common::scan_image(&layout, None);
        let rules: Vec<&str> = scan.findings.iter().map(|f| f.rule_id.as_str()).collect();
        assert_eq!(
            rules,
            ["BL027", "BL028"],
            "{name}:\n{}",
            describe(&scan.findings)
        );
        assert!(common::none_above(&scan.findings, Severity::Low));
        assert!(scan.cached_json.contains("\"kind\":\"passwd\""), "{name}");
    }
}
