//! Hostile and broken input: each case must end in one clear line on stderr, exit status 2,
//! no report, and nothing written outside the cache.

use std::fs;
use std::io::Write;
use std::path::Path;

use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

use crate::common::{drydock, expect_error, require_shared, summary, tempdir};

pub(crate) const TAR_GZ: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
pub(crate) const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";

pub(crate) fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

enum Kind {
    File(&'static [u8]),
    Dir,
    Symlink(&'static str),
    Hardlink(&'static str),
}

/// A tar whose names are written raw, so the test can say what a hostile builder would.
fn tar_bytes(entries: &[(&str, Kind)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, kind) in entries {
        let mut header = tar::Header::new_gnu();
        let name_field = &mut header.as_old_mut().name;
        name_field[..name.len()].copy_from_slice(name.as_bytes());
        header.set_mode(0o644);
        let data: &[u8] = match kind {
            Kind::File(data) => {
                header.set_entry_type(tar::EntryType::Regular);
                data
            }
            Kind::Dir => {
                header.set_entry_type(tar::EntryType::Directory);
                b""
            }
            Kind::Symlink(target) | Kind::Hardlink(target) => {
                header.set_entry_type(if matches!(kind, Kind::Symlink(_)) {
                    tar::EntryType::Symlink
                } else {
                    tar::EntryType::Link
                });
                let link = &mut header.as_old_mut().linkname;
                link[..target.len()].copy_from_slice(target.as_bytes());
                b""
            }
        };
        header.set_size(data.len() as u64);
        header.set_cksum();
        builder.append(&header, data).unwrap();
    }
    builder.into_inner().unwrap()
}

pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

pub(crate) struct LayerSpec {
    pub blob: Vec<u8>,
    pub media_type: &'static str,
    pub diff_id: String,
    /// Name the blob under this digest instead of its own (to fake a mismatch).
    pub stored_as: Option<String>,
}

fn layer(tar: &[u8]) -> LayerSpec {
    LayerSpec {
        blob: gzip(tar),
        media_type: TAR_GZ,
        diff_id: sha256(tar),
        stored_as: None,
    }
}

fn write_blob(dir: &Path, digest: &str, bytes: &[u8]) {
    fs::write(dir.join("blobs/sha256").join(&digest[7..]), bytes).unwrap();
}

/// Writes an OCI layout; `tweak` may edit the manifest before it is stored.
pub(crate) fn write_layout(
    dir: &Path,
    layers: Vec<LayerSpec>,
    config_media_type: &str,
    tweak: impl FnOnce(&mut Value),
) {
    fs::create_dir_all(dir.join("blobs/sha256")).unwrap();
    fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let config = json!({
        "architecture": "amd64", "os": "linux",
        "config": {"Cmd": ["sh"]},
        "rootfs": {"type": "layers", "diff_ids": layers.iter().map(|l| l.diff_id.clone()).collect::<Vec<_>>()},
        "history": [],
    });
    let config_bytes = serde_json::to_vec(&config).unwrap();
    let config_digest = sha256(&config_bytes);
    write_blob(dir, &config_digest, &config_bytes);
    let mut descriptors = Vec::new();
    for l in &layers {
        let digest = l.stored_as.clone().unwrap_or_else(|| sha256(&l.blob));
        write_blob(dir, &digest, &l.blob);
        descriptors
            .push(json!({"mediaType": l.media_type, "digest": digest, "size": l.blob.len()}));
    }
    let mut manifest = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": config_media_type, "digest": config_digest, "size": config_bytes.len()},
        "layers": descriptors,
    });
    tweak(&mut manifest);
    let mut manifest_bytes = serde_json::to_vec(&manifest).unwrap();
    if let Some(pad) = manifest.get("x-pad").and_then(Value::as_u64) {
        manifest_bytes.extend(std::iter::repeat_n(b' ', pad as usize));
    }
    let manifest_digest = sha256(&manifest_bytes);
    write_blob(dir, &manifest_digest, &manifest_bytes);
    let index = json!({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest_digest, "size": manifest_bytes.len()}],
    });
    fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
}

fn simple_tar() -> Vec<u8> {
    tar_bytes(&[("etc/", Kind::Dir), ("etc/hostname", Kind::File(b"box\n"))])
}

/// Runs drydock on `input` from an empty working directory with `--output`, and checks the
/// failure: exit 2, one line containing `needle`, no report file, nothing else written.
fn assert_rejected(input: &Path, extra: &[&str], needle: &str) {
    let cwd = tempdir();
    let cache = tempdir();
    let mut args = vec![
        "image",
        "--input",
        input.to_str().unwrap(),
        "--output",
        "report.json",
    ];
    args.extend_from_slice(extra);
    let out = drydock(cache.path())
        .current_dir(cwd.path())
        .args(&args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "expected exit 2 for {needle:?}, stderr: {stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("drydock: error: "), "{stderr}");
    assert!(stderr.contains(needle), "expected {needle:?} in: {stderr}");
    let left: Vec<_> = fs::read_dir(cwd.path()).unwrap().collect();
    assert!(
        left.is_empty(),
        "nothing may be written outside the cache, found {left:?}"
    );
    assert_eq!(
        fs::read_dir(cache.path().join("tmp"))
            .map(|d| d.count())
            .unwrap_or(0),
        0,
        "temp files left"
    );
}

fn layout_with(layers: Vec<LayerSpec>) -> tempfile::TempDir {
    let dir = tempdir();
    write_layout(dir.path(), layers, OCI_CONFIG, |_| {});
    dir
}

#[test]
fn truncated_gzip_layer() {
    let tar = simple_tar();
    let mut l = layer(&tar);
    l.blob.truncate(l.blob.len() / 2);
    let dir = layout_with(vec![l]);
    assert_rejected(dir.path(), &[], "truncated");
}

#[test]
fn corrupt_zstd_layer() {
    let tar = simple_tar();
    let mut blob = zstd::encode_all(&tar[..], 3).unwrap();
    let mid = blob.len() / 2;
    for b in &mut blob[mid..mid + 8] {
        *b ^= 0x5a;
    }
    let dir = layout_with(vec![LayerSpec {
        blob,
        media_type: "application/vnd.oci.image.layer.v1.tar+zstd",
        diff_id: sha256(&tar),
        stored_as: None,
    }]);
    assert_rejected(dir.path(), &[], "layer #0");
}

#[test]
fn blob_digest_mismatch() {
    let tar = simple_tar();
    let mut l = layer(&tar);
    l.stored_as = Some(sha256(b"something else"));
    let dir = layout_with(vec![l]);
    assert_rejected(dir.path(), &[], "digest mismatch for layer #0");
}

#[test]
fn diff_id_mismatch() {
    let mut l = layer(&simple_tar());
    l.diff_id = sha256(b"not this layer");
    let dir = layout_with(vec![l]);
    assert_rejected(dir.path(), &[], "diffID");
}

#[test]
fn path_traversal_entry() {
    let tar = tar_bytes(&[("../../etc/x", Kind::File(b"pwned"))]);
    let dir = layout_with(vec![layer(&tar)]);
    assert_rejected(
        dir.path(),
        &[],
        "path traversal in tar entry \"../../etc/x\"",
    );
}

#[test]
fn absolute_path_entry() {
    let tar = tar_bytes(&[("/etc/x", Kind::File(b"pwned"))]);
    let dir = layout_with(vec![layer(&tar)]);
    assert_rejected(dir.path(), &[], "absolute path \"/etc/x\"");
}

#[test]
fn hard_link_escaping_the_root() {
    let tar = tar_bytes(&[
        ("etc/", Kind::Dir),
        ("etc/shadow-copy", Kind::Hardlink("../../../etc/shadow")),
    ]);
    let dir = layout_with(vec![layer(&tar)]);
    assert_rejected(dir.path(), &[], "hard link /etc/shadow-copy");
}

#[test]
fn decompression_bomb() {
    // 64 MiB of zeros gzip to about 64 kB.
    static ZEROS: [u8; 64 << 20] = [0; 64 << 20];
    let tar = tar_bytes(&[("bomb", Kind::File(&ZEROS))]);
    let l = layer(&tar);
    assert!(l.blob.len() < 1 << 20);
    let dir = layout_with(vec![l]);
    assert_rejected(
        dir.path(),
        &["--max-layer-size", "10MB"],
        "exceeds the size limit of 10000000 bytes",
    );
}

#[test]
fn pax_header_memory_bomb() {
    // A PAX header that claims 2 GiB: the tar parser would buffer it whole. 8 MiB of it
    // are really there (they gzip to a few kB); the guard refuses at the header.
    let mut tar = Vec::new();
    let mut header = tar::Header::new_ustar();
    header.set_path("PaxHeader").unwrap();
    header.set_entry_type(tar::EntryType::XHeader);
    header.set_size(2 << 30);
    header.set_cksum();
    tar.extend_from_slice(header.as_bytes());
    tar.extend(std::iter::repeat_n(b'a', 8 << 20));
    let dir = layout_with(vec![layer(&tar)]);
    assert_rejected(dir.path(), &[], "tar metadata entry of 2147483648 bytes");
}

#[test]
fn pax_header_memory_bomb_in_the_archive_itself() {
    let dir = tempdir();
    let file = dir.path().join("bomb.tar");
    let mut tar = Vec::new();
    let mut header = tar::Header::new_ustar();
    header.set_path("PaxHeader").unwrap();
    header.set_entry_type(tar::EntryType::XHeader);
    header.set_size(2 << 30);
    header.set_cksum();
    tar.extend_from_slice(header.as_bytes());
    tar.extend(std::iter::repeat_n(b'a', 1 << 20));
    fs::write(&file, &tar).unwrap();
    assert_rejected(&file, &[], "tar metadata entry of 2147483648 bytes");
}

#[test]
fn manifest_over_the_size_limit() {
    let dir = tempdir();
    write_layout(dir.path(), vec![layer(&simple_tar())], OCI_CONFIG, |m| {
        m["x-pad"] = json!(5 << 20);
    });
    assert_rejected(dir.path(), &[], "exceeds the size limit of 4194304 bytes");
}

#[test]
fn unknown_layer_media_type() {
    let mut l = layer(&simple_tar());
    l.media_type = "application/vnd.example.strange+gzip";
    let dir = layout_with(vec![l]);
    assert_rejected(dir.path(), &[], "application/vnd.example.strange+gzip");
}

#[test]
fn artifact_that_is_not_an_image() {
    let dir = tempdir();
    write_layout(
        dir.path(),
        vec![layer(&simple_tar())],
        "application/vnd.cncf.helm.config.v1+json",
        |_| {},
    );
    assert_rejected(dir.path(), &[], "not a container image");
}

#[test]
fn empty_image() {
    let dir = layout_with(vec![]);
    assert_rejected(dir.path(), &[], "has no layers");
}

#[test]
fn malformed_index() {
    let dir = layout_with(vec![layer(&simple_tar())]);
    fs::write(dir.path().join("index.json"), b"{\"manifests\": [").unwrap();
    assert_rejected(dir.path(), &[], "malformed index.json");
}

#[test]
fn not_an_image_file() {
    let dir = tempdir();
    let file = dir.path().join("random.bin");
    fs::write(
        &file,
        (0..10_000u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    assert_rejected(&file, &[], "random.bin");
    let missing = dir.path().join("missing.tar");
    assert_rejected(&missing, &[], "No such file");
}

#[test]
fn truncated_archive() {
    let shared = require_shared!();
    let dir = tempdir();
    let whole = fs::read(shared.join("images/scanlab-debian-bookworm.oci.tar")).unwrap();
    let cut = dir.path().join("cut.tar");
    fs::write(&cut, &whole[..whole.len() / 2]).unwrap();
    assert_rejected(&cut, &[], "cut.tar");
}

#[test]
fn symlinks_out_of_the_root_or_in_loops_stay_inside() {
    // Inside an image, `..` stops at the image root (as in a chroot) and absolute targets
    // start there: such links are normal in real images and are resolved, never followed
    // onto the host. Loops end after 40 hops. Neither is an error.
    let tar = tar_bytes(&[
        ("etc/", Kind::Dir),
        ("etc/passwd", Kind::File(b"root:x:0:0::/root:/bin/sh\n")),
        ("etc/escape", Kind::Symlink("../../../../../../etc/passwd")),
        ("loop-a", Kind::Symlink("loop-b")),
        ("loop-b", Kind::Symlink("/loop-a")),
    ]);
    let dir = layout_with(vec![layer(&tar)]);
    let cache = tempdir();
    let s = summary(
        cache.path(),
        &["image", "--input", dir.path().to_str().unwrap()],
    );
    assert_eq!(s["files"], 4);
}

#[test]
fn rootfs_symlinks_are_not_followed_onto_the_host() {
    let dir = tempdir();
    let root = dir.path().join("root");
    fs::create_dir_all(root.join("etc")).unwrap();
    fs::write(root.join("etc/hostname"), b"box\n").unwrap();
    std::os::unix::fs::symlink("/etc", root.join("host-etc")).unwrap();
    std::os::unix::fs::symlink("../../../../../usr", root.join("etc/host-usr")).unwrap();
    let s = summary(dir.path(), &["rootfs", root.to_str().unwrap()]);
    // hostname + two links; nothing from the host's /etc or /usr.
    assert_eq!(s["files"], 3);
}

#[test]
fn usage_errors_exit_2() {
    let cache = tempdir();
    let err = expect_error(cache.path(), &["image"]);
    assert!(err.contains("no image given"), "{err}");
    let err = expect_error(cache.path(), &["image", "Not/A/Valid:Ref"]);
    assert!(err.contains("invalid image reference"), "{err}");
    let out = drydock(cache.path())
        .args(["image", "--platform", "linux"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = drydock(cache.path())
        .args(["bogus-command"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
