//! The inventory of the shared images, and SBOMs that validate against the official schemas.

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::common::{drydock, require_shared, scan, summary, tempdir, validate};

fn sbom(cache: &Path, input: &Path, format: &str) -> Value {
    let out = drydock(cache)
        .args([
            "image",
            "--input",
            input.to_str().unwrap(),
            "--format",
            format,
        ])
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
fn shared_images_inventory() {
    let shared = require_shared!();
    let cache = tempdir();
    let bookworm = scan(
        cache.path(),
        &shared.join("images/scanlab-debian-bookworm.oci.tar"),
    );
    let inventory = &bookworm["inventory"];
    assert_eq!(inventory["os"]["family"], "debian");
    assert_eq!(inventory["os"]["version"], "12");
    assert_eq!(inventory["os"]["codename"], "bookworm");
    // syft 1.18.1 finds 88 deb packages in this image (shared/images/README.md).
    assert_eq!(inventory["packages"].as_array().unwrap().len(), 88);

    let acme = scan(
        cache.path(),
        &shared.join("images/scanlab-acme-shop-1.4.2.oci.tar"),
    );
    let packages = acme["inventory"]["packages"].as_array().unwrap();
    // syft 1.18.1 finds 176 = deb 110 + npm 54 + python 12 (shared/images/README.md); so do
    // we, package for package (see the README's comparison with syft).
    let count = |kind: &str| packages.iter().filter(|p| p["kind"] == kind).count();
    assert_eq!((count("deb"), count("npm"), count("pypi")), (110, 54, 12));
    assert_eq!(packages.len(), 176);
    let find = |name: &str| {
        packages
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("no {name}"))
    };
    let express = find("express");
    assert_eq!(express["version"], "4.16.0");
    assert_eq!(
        express["found_in"],
        "/app/node_modules/express/package.json"
    );
    assert_eq!(express["layer"]["index"], 3);
    let pyyaml = find("PyYAML");
    assert_eq!(pyyaml["purl"], "pkg:pypi/pyyaml@5.3");
    assert_eq!(pyyaml["layer"]["index"], 5);
    // The application itself, from /app/package.json (syft takes it from the lockfile).
    assert_eq!(find("acme-shop")["version"], "1.4.2");
    // curl came with the apt-get layer (L1), libc6 with the base (L0).
    let curl = find("curl");
    assert_eq!(curl["version"], "7.88.1-10+deb12u15");
    assert_eq!(curl["layer"]["index"], 1);
    assert!(curl["layer"]["created_by"]
        .as_str()
        .unwrap()
        .contains("apt-get install -y curl"));
    let libc = find("libc6");
    assert_eq!(libc["layer"]["index"], 0);
    assert_eq!(libc["source_name"], "glibc");
    assert_eq!(
        libc["purl"].as_str().unwrap(),
        format!(
            "pkg:deb/debian/libc6@{}?arch=amd64&distro=debian-12&upstream=glibc",
            libc["version"].as_str().unwrap().replace('+', "%2B")
        )
    );
    assert_eq!(find("libssl3")["source_name"], "openssl");
}

#[test]
fn sboms_validate_against_official_schemas() {
    let shared = require_shared!();
    let cache = tempdir();
    for image in [
        "scanlab-acme-shop-1.4.2.oci.tar",
        "scanlab-debian-bookworm.oci.tar",
    ] {
        let input = shared.join("images").join(image);
        let cdx = sbom(cache.path(), &input, "cyclonedx");
        validate(&cdx, "bom-1.6.schema.json");
        assert_eq!(cdx["specVersion"], "1.6");
        let components = cdx["components"].as_array().unwrap();
        assert!(components
            .iter()
            .any(|c| c["type"] == "operating-system" && c["name"] == "debian"));
        assert!(components.iter().any(|c| c["name"] == "libc6"
            && c["purl"]
                .as_str()
                .unwrap()
                .starts_with("pkg:deb/debian/libc6@")));

        let spdx = sbom(cache.path(), &input, "spdx-json");
        validate(&spdx, "spdx-schema.json");
        assert_eq!(spdx["spdxVersion"], "SPDX-2.3");
        assert_eq!(
            spdx["packages"].as_array().unwrap().len(),
            components.len() + 1
        );
    }
}

#[test]
fn table_lists_packages_with_the_sbom_scanner() {
    let shared = require_shared!();
    let cache = tempdir();
    let input = shared.join("images/scanlab-debian-bookworm.oci.tar");
    let feeds = shared.join("data/advisories/debian-changelog");
    let out = drydock(cache.path())
        .args(["image", "--input", input.to_str().unwrap()])
        .args(["--scanners", "vuln", "--feeds", feeds.to_str().unwrap()])
        .output()
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("88 deb"), "{table}");
    assert!(table.contains("Debian GNU/Linux 12 (bookworm)"), "{table}");
    assert!(
        !table.contains("\nPackages\n"),
        "package list only with --scanners sbom"
    );
    assert!(table.contains("Vulnerabilities: "), "{table}");
    let out = drydock(cache.path())
        .args([
            "image",
            "--input",
            input.to_str().unwrap(),
            "--scanners",
            "sbom",
        ])
        .output()
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains("libc6") && table.contains("glibc"),
        "{table}"
    );
}

/// A one-layer OCI layout whose layer is `tar` (gzip-compressed here).
fn image_of_tar(dir: &Path, tar: &[u8]) {
    use crate::bad_input::{gzip, sha256, write_layout, LayerSpec, OCI_CONFIG, TAR_GZ};
    write_layout(
        dir,
        vec![LayerSpec {
            blob: gzip(tar),
            media_type: TAR_GZ,
            diff_id: sha256(tar),
            stored_as: None,
        }],
        OCI_CONFIG,
        |_| {},
    );
}

fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, path, *data).unwrap();
    }
    builder.into_inner().unwrap()
}

#[test]
fn alpine_rootfs_images_end_to_end() {
    let shared = require_shared!();
    let fixtures = shared.join("data/fixtures/rootfs/alpine-minirootfs");
    let expected: Value =
        serde_json::from_slice(&fs::read(fixtures.join("expected.json")).unwrap()).unwrap();
    for (name, facts) in expected["tarballs"].as_object().unwrap() {
        let mut tar = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(fs::File::open(fixtures.join(name)).unwrap()),
            &mut tar,
        )
        .unwrap();
        let work = tempdir();
        image_of_tar(work.path(), &tar);
        let s = summary(
            work.path(),
            &["image", "--input", work.path().to_str().unwrap()],
        );
        let inventory = &s["inventory"];
        assert_eq!(inventory["os"]["family"], "alpine", "{name}");
        assert_eq!(inventory["os"]["version"], facts["alpineRelease"], "{name}");
        let packages = inventory["packages"].as_array().unwrap();
        assert_eq!(
            packages.len() as u64,
            facts["packageCount"].as_u64().unwrap(),
            "{name}"
        );
        for want in facts["packages"].as_array().unwrap() {
            let got = packages
                .iter()
                .find(|p| p["name"] == want["name"])
                .unwrap_or_else(|| panic!("{name}: {}", want["name"]));
            assert_eq!(got["version"], want["version"]);
            assert_eq!(got["source_name"], want["origin"]);
            assert_eq!(got["arch"], want["arch"]);
            assert!(got["purl"].as_str().unwrap().starts_with("pkg:apk/alpine/"));
        }
        // Alpine 3.6 ended in 2019.
        if name.contains("3.6.5") {
            assert_eq!(inventory["os"]["eol_status"], "end-of-life");
        }
    }
}

#[test]
fn rpm_images_end_to_end() {
    let shared = require_shared!();
    let rpmdb = shared.join("data/fixtures/rpmdb");
    let cases: [(&str, &str, &str, &[u8], usize); 2] = [
        (
            "amazonlinux2023-sqlite/rpmdb.sqlite",
            "var/lib/rpm/rpmdb.sqlite",
            "amazon",
            b"NAME=\"Amazon Linux\"\nVERSION=\"2023\"\nID=\"amzn\"\nVERSION_ID=\"2023\"\nPRETTY_NAME=\"Amazon Linux 2023\"\n",
            102, // 103 headers, one of them the gpg-pubkey pseudo-package
        ),
        (
            "sle15-bci-ndb/Packages.db",
            "usr/lib/sysimage/rpm/Packages.db",
            "sles",
            b"NAME=\"SLES\"\nVERSION=\"15-SP3\"\nVERSION_ID=\"15.3\"\nID=\"sles\"\nPRETTY_NAME=\"SUSE Linux Enterprise Server 15 SP3\"\n",
            35,
        ),
    ];
    for (fixture, path, family, os_release, count) in cases {
        let db = fs::read(rpmdb.join(fixture)).unwrap();
        let tar = tar_of(&[("etc/os-release", os_release), (path, &db)]);
        let work = tempdir();
        image_of_tar(work.path(), &tar);
        let s = summary(
            work.path(),
            &["image", "--input", work.path().to_str().unwrap()],
        );
        let inventory = &s["inventory"];
        assert_eq!(inventory["os"]["family"], family);
        let packages = inventory["packages"].as_array().unwrap();
        assert_eq!(packages.len(), count, "{fixture}");
        assert!(packages
            .iter()
            .all(|p| p["kind"] == "rpm" && p["name"] != "gpg-pubkey"));
        assert!(packages
            .iter()
            .all(|p| p["layer"]["index"] == 0 && p["found_in"] == format!("/{path}")));
    }
    // Spot check of the Amazon Linux packages against upstream's rpm -qa listing.
    let work = tempdir();
    let db = fs::read(rpmdb.join(cases[0].0)).unwrap();
    image_of_tar(
        work.path(),
        &tar_of(&[("etc/os-release", cases[0].3), (cases[0].1, &db)]),
    );
    let s = summary(
        work.path(),
        &["image", "--input", work.path().to_str().unwrap()],
    );
    let packages = s["inventory"]["packages"].as_array().unwrap();
    let csv =
        fs::read_to_string(rpmdb.join("amazonlinux2023-sqlite/upstream-packages.csv")).unwrap();
    for line in csv.lines().filter(|l| !l.contains("gpg-pubkey")) {
        // ¶-separated: epoch, name, version, release, arch, source rpm, …
        let f: Vec<&str> = line.split('¶').collect();
        let version = if f[0].is_empty() {
            format!("{}-{}", f[2], f[3])
        } else {
            format!("{}:{}-{}", f[0], f[2], f[3])
        };
        let p = packages
            .iter()
            .find(|p| p["name"] == f[1])
            .unwrap_or_else(|| panic!("missing {}", f[1]));
        assert_eq!(p["version"], version.as_str());
        assert_eq!(p["arch"], f[4]);
    }
}

#[test]
fn busybox_images_are_named_by_their_binary() {
    let shared = require_shared!();
    for name in [
        "busybox-glibc-amd64-oci",
        "busybox-musl-amd64-oci",
        "busybox-musl-arm64v8-oci",
    ] {
        let dir = shared.join("data/fixtures/rootfs").join(name);
        let work = tempdir();
        let s = summary(work.path(), &["image", "--input", dir.to_str().unwrap()]);
        // No os-release and no package database: the busybox binary (a hard link in
        // these layers, whose content sits at another applet's path) names the OS.
        assert_eq!(s["inventory"]["os"]["family"], "busybox", "{name}");
        assert_eq!(s["inventory"]["os"]["version"], "1.38.0", "{name}");
        assert_eq!(
            s["inventory"]["packages"].as_array().unwrap().len(),
            0,
            "{name}"
        );
    }
}

#[test]
fn damaged_records_are_reported_cold_and_warm() {
    let work = tempdir();
    let status =
        b"Package: good\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\n\n\
                   Package: bad\nStatus: install ok installed\nVersion: 1:5.#\n";
    let os_release =
        b"ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n";
    image_of_tar(
        work.path(),
        &tar_of(&[
            ("etc/os-release", os_release),
            ("var/lib/dpkg/status", status),
        ]),
    );
    let cache = tempdir();
    for run in ["cold", "warm"] {
        let s = scan(cache.path(), work.path());
        let inventory = &s["inventory"];
        assert_eq!(inventory["packages"].as_array().unwrap().len(), 1, "{run}");
        let warnings = inventory["warnings"].to_string();
        assert!(
            warnings.contains("/var/lib/dpkg/status") && warnings.contains("package bad"),
            "{run}: {warnings}"
        );
    }
}
