//! Every kind of image source, read from the real images in `../shared`.

use std::fs::{self, File};
use std::io;
use std::path::Path;
use std::process::Command as StdCommand;

use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

use crate::common::{
    self, drydock, expect_error, image_facts, require_shared, scan, summary, tempdir,
};

const ACME_MANIFEST: &str =
    "sha256:572080844c9017ec2966f3d123f3977fb60ffec133faf3ac774f6e357727e1c4";
const ACME_IMAGE_ID: &str =
    "sha256:37bc8638b18107360e0403e7a8eac7579790f66674435b314ae30c1984ec1a45";

fn unpack_tar(archive: &Path, dest: &Path) {
    let file = File::open(archive).unwrap();
    let reader: Box<dyn io::Read> = match archive.extension().and_then(|e| e.to_str()) {
        Some("gz") => Box::new(flate2::read::GzDecoder::new(file)),
        Some("zst") => Box::new(zstd::stream::read::Decoder::new(file).unwrap()),
        _ => Box::new(file),
    };
    let mut tar = tar::Archive::new(reader);
    tar.set_preserve_permissions(false);
    tar.unpack(dest).unwrap();
}

fn decompress_zstd(src: &Path, dest: &Path) {
    let mut decoder = zstd::stream::read::Decoder::new(File::open(src).unwrap()).unwrap();
    io::copy(&mut decoder, &mut File::create(dest).unwrap()).unwrap();
}

fn gzip_file(src: &Path, dest: &Path) {
    let mut encoder =
        flate2::write::GzEncoder::new(File::create(dest).unwrap(), flate2::Compression::fast());
    io::copy(&mut File::open(src).unwrap(), &mut encoder).unwrap();
    encoder.finish().unwrap();
}

#[test]
fn every_file_source_of_acme_shop_gives_the_same_summary() {
    let shared = require_shared!();
    let images = shared.join("images");
    let work = tempdir();
    let cache = tempdir();

    let oci_tar = images.join("scanlab-acme-shop-1.4.2.oci.tar");
    let docker_zst = images.join("scanlab-acme-shop-1.4.2.docker.tar.zst");
    let docker_tar = work.path().join("acme.docker.tar");
    decompress_zstd(&docker_zst, &docker_tar);
    let oci_gz = work.path().join("acme.oci.tar.gz");
    gzip_file(&oci_tar, &oci_gz);
    let layout = work.path().join("layout");
    unpack_tar(&oci_tar, &layout);

    let reference = summary(
        cache.path(),
        &["image", "--input", oci_tar.to_str().unwrap()],
    );
    assert_eq!(reference["source"], "oci-archive");
    assert_eq!(reference["manifest_digest"], ACME_MANIFEST);
    assert_eq!(reference["image_id"], ACME_IMAGE_ID);
    let expected = image_facts(&reference);

    let mut sources = vec![
        (docker_zst.clone(), "docker-archive"),
        (docker_tar.clone(), "docker-archive"),
        (oci_gz.clone(), "oci-archive"),
        (layout.clone(), "oci-layout"),
    ];
    // Docker 25+ `docker save`: an OCI layout plus manifest.json, uncompressed layers.
    let docker25 = work.path().join("acme.docker25.tar");
    let tool = images.join("tools/ocibuild.py");
    let made = common::have_tool("python3")
        && StdCommand::new("python3")
            .arg(&tool)
            .args(["docker-save", "--layout"])
            .arg(&layout)
            .args([
                "--ref",
                "1.4.2",
                "--tag",
                "scanlab/acme-shop:1.4.2",
                "--out",
            ])
            .arg(&docker25)
            .status()
            .unwrap()
            .success();
    if made {
        sources.push((docker25, "docker-archive"));
    }

    for (path, kind) in sources {
        // A fresh cache each time, so every source really reads its own layers.
        let cache = tempdir();
        let got = summary(cache.path(), &["image", "--input", path.to_str().unwrap()]);
        assert_eq!(got["source"], kind, "{}", path.display());
        assert_eq!(
            image_facts(&got),
            expected,
            "summary from {} differs",
            path.display()
        );
    }
}

#[test]
fn acme_shop_layers_history_and_config() {
    let shared = require_shared!();
    let cache = tempdir();
    let s = scan(
        cache.path(),
        &shared.join("images/scanlab-acme-shop-1.4.2.oci.tar"),
    );
    let layers = s["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 11);
    // Each layer is attributed to the history entry that made it (README's table).
    let made_by: Vec<(u64, &str)> = layers
        .iter()
        .map(|l| {
            (
                l["history_index"].as_u64().unwrap(),
                l["created_by"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(made_by[0].0, 0);
    assert!(made_by[0]
        .1
        .starts_with("/bin/sh -c #(nop) ADD file:7345c8f6"));
    assert_eq!(made_by[1].0, 4);
    assert_eq!(made_by[2], (5, "WORKDIR /app"));
    assert_eq!(made_by[6], (9, "COPY secrets/ / # buildkit"));
    assert_eq!(made_by[7], (10, "ADD samples/ / # buildkit"));
    assert_eq!(made_by[10].0, 13);
    assert_eq!(layers[0]["entries"], 4211);
    assert_eq!(layers[1]["entries"], 725);
    assert_eq!(layers[0]["blob_size"], 28_256_098);
    assert_eq!(
        layers[6]["diff_id"].as_str().unwrap()[..15],
        *"sha256:dd9f6248"
    );
    assert_eq!(layers[10]["deletions"], 2);

    let config = &s["config"];
    assert_eq!(config["user"], "root");
    assert_eq!(config["working_dir"], "/app");
    assert_eq!(config["exposed_ports"], json!(["22/tcp", "3000/tcp"]));
    assert_eq!(
        config["env"],
        json!([
            "PATH",
            "NODE_TLS_REJECT_UNAUTHORIZED",
            "DB_PASSWORD",
            "APP_HOME"
        ])
    );
    assert_eq!(
        config["cmd"],
        json!(["/bin/sh", "-c", "node /app/server.js"])
    );
    assert!(config.get("healthcheck").is_none());
    assert_eq!(s["author"], "Acme DevOps <devops@acme-shop.example>");
    assert_eq!(s["platform"], "linux/amd64");
    // Environment values can be secrets: the summary shows names only.
    assert!(!s.to_string().contains("Acme-Prod-DB-2019"));
}

#[test]
fn whiteouts_remove_files_but_remember_them() {
    let shared = require_shared!();
    let cache = tempdir();
    let s = scan(
        cache.path(),
        &shared.join("images/scanlab-acme-shop-1.4.2.oci.tar"),
    );
    // L10 deletes /root/.aws/credentials (plain whiteout) and empties /app/tmp (opaque
    // whiteout): both were shipped by L6.
    assert_eq!(
        s["deleted_files"],
        json!([
            {"path": "/app/tmp/session-cache.json", "added_in_layer": 6, "removed_in_layer": 10},
            {"path": "/root/.aws/credentials", "added_in_layer": 6, "removed_in_layer": 10},
        ])
    );
}

/// Takes the layer blobs of the acme-shop layout at `layout` away (manifest and config
/// stay), so only the per-layer cache can serve a scan of it.
fn drop_layer_blobs(layout: &Path) {
    let manifest: Value = serde_json::from_slice(
        &fs::read(layout.join("blobs/sha256").join(&ACME_MANIFEST[7..])).unwrap(),
    )
    .unwrap();
    for layer in manifest["layers"].as_array().unwrap() {
        let hex = &layer["digest"].as_str().unwrap()[7..];
        fs::remove_file(layout.join("blobs/sha256").join(hex)).unwrap();
    }
}

#[test]
fn warm_rescan_reads_no_layer() {
    let shared = require_shared!();
    let work = tempdir();
    let cache = tempdir();
    // A private copy of the layout, so the test can take the layer blobs away.
    let layout = work.path().join("layout");
    unpack_tar(
        &shared.join("images/scanlab-acme-shop-1.4.2.oci.tar"),
        &layout,
    );
    let input = layout.to_str().unwrap();
    let cold = summary(cache.path(), &["image", "--input", input]);

    drop_layer_blobs(&layout);
    // Every layer blob is gone: the rescan can only succeed from the per-layer cache.
    let warm = summary(cache.path(), &["image", "--input", input]);
    assert_eq!(warm, cold);
    // And a fresh cache proves the blobs really are gone.
    let err = expect_error(tempdir().path(), &["image", "--input", input]);
    assert!(err.contains("No such file"), "{err}");
}

/// `drydock clean` removes what it is asked for and nothing else: after `--vuln-db` the
/// layer facts still serve a rescan; after `--scan-cache` they are gone.
#[test]
fn clean_removes_what_it_is_asked_for() {
    let shared = require_shared!();
    let work = tempdir();
    let cache = tempdir();
    let layout = work.path().join("layout");
    unpack_tar(
        &shared.join("images/scanlab-acme-shop-1.4.2.oci.tar"),
        &layout,
    );
    let input = layout.to_str().unwrap();
    summary(cache.path(), &["image", "--input", input]);
    let go = shared.join("data/advisories/go");
    drydock(cache.path())
        .args(["db", "build", "--from", go.to_str().unwrap()])
        .assert()
        .success();
    let db = cache.path().join("db/drydock.db");
    assert!(db.is_file());
    drop_layer_blobs(&layout);

    let out = drydock(cache.path())
        .args(["clean", "--vuln-db"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.starts_with("removed 1 files ("), "{said}");
    assert!(!db.exists());
    summary(cache.path(), &["image", "--input", input]);

    let out = drydock(cache.path())
        .args(["clean", "--scan-cache"])
        .output()
        .unwrap();
    assert!(out.status.success());
    // The folder stays (a running scan may write to it), empty.
    assert_eq!(fs::read_dir(cache.path().join("facts")).unwrap().count(), 0);
    let err = expect_error(cache.path(), &["image", "--input", input]);
    assert!(err.contains("No such file"), "{err}");

    // Saying nothing removes nothing.
    let out = drydock(cache.path()).arg("clean").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--all"),
        "the usage names the choices"
    );
}

/// Builds one OCI layout holding the amd64 and arm64 busybox images. `nested`: behind one
/// image index named "multi" (as `skopeo copy --all` writes); else listed flat in index.json.
pub fn multi_arch_layout(shared: &Path, dest: &Path, nested: bool) -> (String, String) {
    let rootfs = shared.join("data/fixtures/rootfs");
    fs::create_dir_all(dest.join("blobs/sha256")).unwrap();
    let mut manifests = Vec::new();
    let mut configs = Vec::new();
    for name in ["busybox-musl-amd64-oci", "busybox-musl-arm64v8-oci"] {
        let src = rootfs.join(name);
        for blob in fs::read_dir(src.join("blobs/sha256")).unwrap() {
            let blob = blob.unwrap();
            fs::copy(
                blob.path(),
                dest.join("blobs/sha256").join(blob.file_name()),
            )
            .unwrap();
        }
        let index: Value =
            serde_json::from_slice(&fs::read(src.join("index.json")).unwrap()).unwrap();
        let mut entry = index["manifests"][0].clone();
        entry.as_object_mut().unwrap().remove("annotations");
        manifests.push(entry);
        let expected: Value =
            serde_json::from_slice(&fs::read(src.join("expected.json")).unwrap()).unwrap();
        configs.push(expected["configDigest"].as_str().unwrap().to_string());
    }
    let image_index = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": manifests,
    });
    let top = if nested {
        let bytes = serde_json::to_vec(&image_index).unwrap();
        let digest = hex::encode(Sha256::digest(&bytes));
        fs::write(dest.join("blobs/sha256").join(&digest), &bytes).unwrap();
        json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [{
                "mediaType": "application/vnd.oci.image.index.v1+json",
                "digest": format!("sha256:{digest}"),
                "size": bytes.len(),
                "annotations": {"org.opencontainers.image.ref.name": "multi"},
            }],
        })
    } else {
        image_index
    };
    fs::write(dest.join("index.json"), serde_json::to_vec(&top).unwrap()).unwrap();
    fs::write(
        dest.join("oci-layout"),
        br#"{"imageLayoutVersion":"1.0.0"}"#,
    )
    .unwrap();
    (configs[0].clone(), configs[1].clone())
}

#[test]
fn multi_platform_layouts_pick_the_platform() {
    let shared = require_shared!();
    for nested in [false, true] {
        let work = tempdir();
        let cache = tempdir();
        let layout = work.path().join("multi");
        let (amd64, arm64) = multi_arch_layout(&shared, &layout, nested);
        let input = layout.to_str().unwrap();

        let s = summary(cache.path(), &["image", "--input", input]);
        assert_eq!(s["image_id"], amd64.as_str());
        assert_eq!(s["platform"], "linux/amd64");
        let s = summary(
            cache.path(),
            &["image", "--input", input, "--platform", "linux/arm64"],
        );
        assert_eq!(s["image_id"], arm64.as_str());
        assert_eq!(s["platform"], "linux/arm64/v8");
        let err = expect_error(
            cache.path(),
            &["image", "--input", input, "--platform", "linux/s390x"],
        );
        assert!(
            err.contains("platform linux/s390x not found")
                && err.contains("linux/amd64, linux/arm64/v8"),
            "{err}"
        );
    }
}

#[test]
fn an_explicit_platform_is_enforced_on_single_platform_images() {
    let shared = require_shared!();
    let cache = tempdir();
    let input = shared.join("images/scanlab-debian-bookworm.oci.tar");
    let err = expect_error(
        cache.path(),
        &[
            "image",
            "--input",
            input.to_str().unwrap(),
            "--platform",
            "linux/arm64",
        ],
    );
    assert!(
        err.contains("platform linux/arm64 not found") && err.contains("available: linux/amd64"),
        "{err}"
    );
    let s = summary(
        cache.path(),
        &[
            "image",
            "--input",
            input.to_str().unwrap(),
            "--platform",
            "linux/amd64",
        ],
    );
    assert_eq!(s["platform"], "linux/amd64");
}

#[test]
fn busybox_layout_with_hardlinks_matches_upstream_facts() {
    let shared = require_shared!();
    let cache = tempdir();
    let dir = shared.join("data/fixtures/rootfs/busybox-musl-amd64-oci");
    let expected: Value =
        serde_json::from_slice(&fs::read(dir.join("expected.json")).unwrap()).unwrap();
    let s = summary(cache.path(), &["image", "--input", dir.to_str().unwrap()]);
    assert_eq!(s["manifest_digest"], expected["manifestDigest"]);
    assert_eq!(s["image_id"], expected["configDigest"]);
    assert_eq!(s["name"], expected["refName"]);
    assert_eq!(s["layers"][0]["diff_id"], expected["diffIdInConfig"]);
    assert_eq!(s["layers"][0]["created_by"], expected["historyCreatedBy"]);
    let non_dirs = expected["regularFiles"].as_u64().unwrap()
        + expected["symlinks"].as_u64().unwrap()
        + expected["hardlinks"].as_u64().unwrap();
    assert_eq!(s["files"].as_u64().unwrap(), non_dirs);
}

#[test]
fn archive_selectors_pick_or_list_images() {
    let shared = require_shared!();
    let cache = tempdir();
    let tar = shared.join("images/scanlab-acme-shop-1.4.2.oci.tar");
    let s = summary(
        cache.path(),
        &["image", "--input", &format!("{}:1.4.2", tar.display())],
    );
    assert_eq!(s["image_id"], ACME_IMAGE_ID);
    let err = expect_error(
        cache.path(),
        &["image", "--input", &format!("{}:9.9.9", tar.display())],
    );
    assert!(
        err.contains("no image named \"9.9.9\"") && err.contains("1.4.2"),
        "{err}"
    );

    let docker = shared.join("images/scanlab-acme-shop-1.4.2.docker.tar.zst");
    let s = summary(
        cache.path(),
        &[
            "image",
            "--input",
            &format!("{}:scanlab/acme-shop:1.4.2", docker.display()),
        ],
    );
    assert_eq!(s["image_id"], ACME_IMAGE_ID);
}

#[test]
fn rootfs_directory_matches_the_tarball() {
    let shared = require_shared!();
    let work = tempdir();
    let fixtures = shared.join("data/fixtures/rootfs/alpine-minirootfs");
    let expected: Value =
        serde_json::from_slice(&fs::read(fixtures.join("expected.json")).unwrap()).unwrap();
    for (name, facts) in expected["tarballs"].as_object().unwrap() {
        let dest = work.path().join(name);
        unpack_tar(&fixtures.join(name), &dest);
        let s = summary(work.path(), &["rootfs", dest.to_str().unwrap()]);
        assert_eq!(s["source"], "rootfs");
        let non_dirs =
            facts["regularFiles"].as_u64().unwrap() + facts["symlinks"].as_u64().unwrap();
        assert_eq!(s["files"].as_u64().unwrap(), non_dirs, "{name}");
    }
}

#[test]
fn table_output_and_output_file() {
    let shared = require_shared!();
    let work = tempdir();
    let cache = tempdir();
    let input = shared.join("images/scanlab-debian-bookworm.oci.tar");
    let out = drydock(cache.path())
        .args(["image", "--input", input.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "Image ID",
        "linux/amd64",
        "Healthcheck",
        "none",
        "/bin/sh -c #(nop) ADD file:",
        "Layers",
    ] {
        assert!(table.contains(needle), "table lacks {needle:?}:\n{table}");
    }
    let report = work.path().join("report.json");
    drydock(cache.path())
        .args([
            "image",
            "--input",
            input.to_str().unwrap(),
            "--format",
            "json",
            "--output",
        ])
        .arg(&report)
        .assert()
        .success()
        .stdout("");
    let written: Value = serde_json::from_slice(&fs::read(&report).unwrap()).unwrap();
    assert_eq!(written["layers"].as_array().unwrap().len(), 1);
    assert_eq!(written["config"]["cmd"], json!(["bash"]));
}

#[test]
fn two_processes_share_one_cache() {
    let shared = require_shared!();
    let cache = tempdir();
    let input = shared.join("images/scanlab-acme-shop-1.4.2.docker.tar.zst");
    let spawn = || {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("drydock"))
            .env("DRYDOCK_CACHE_DIR", cache.path())
            .env("DRYDOCK_SCANNERS", "sbom")
            .args(["image", "--format", "json", "--input"])
            .arg(&input)
            .output()
            .unwrap()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(spawn);
        let b = s.spawn(spawn);
        (a.join().unwrap(), b.join().unwrap())
    });
    assert!(
        a.status.success() && b.status.success(),
        "{}{}",
        String::from_utf8_lossy(&a.stderr),
        String::from_utf8_lossy(&b.stderr)
    );
    assert_eq!(a.stdout, b.stdout);
    // Both wrote the same entries; the cache is whole and serves a third run.
    let warm = summary(cache.path(), &["image", "--input", input.to_str().unwrap()]);
    assert_eq!(
        serde_json::to_vec_pretty(&warm).unwrap().len() + 1,
        a.stdout.len()
    );
    assert_eq!(fs::read_dir(cache.path().join("tmp")).unwrap().count(), 0);
}
