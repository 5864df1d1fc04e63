//! Images from a local container engine: a real Podman serving the Docker Engine API that
//! Docker itself serves, reached through DOCKER_HOST (as Docker's socket) and
//! CONTAINER_HOST (as Podman's).

use crate::common::{drydock, image_facts, require_shared, tempdir};
use crate::harness::Podman;

const ACME_IMAGE_ID: &str =
    "sha256:37bc8638b18107360e0403e7a8eac7579790f66674435b314ae30c1984ec1a45";

#[test]
fn an_image_in_the_local_engine_is_scanned_without_a_registry() {
    let shared = require_shared!();
    let Some(podman) = Podman::start() else {
        return;
    };
    let archive = shared.join("images/scanlab-acme-shop-1.4.2.oci.tar");
    podman.load(&archive, "scanlab/acme-shop:1.4.2");
    let cache = tempdir();
    let scan = |env: (&str, &str), args: &[&str]| {
        drydock(cache.path())
            .env(env.0, env.1)
            .args(["--format", "json"])
            .args(args)
            .output()
            .unwrap()
    };
    let report = |out: std::process::Output| -> serde_json::Value {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };

    // As Docker's socket: the default sources look there first, and the registry the name
    // points at (Docker Hub) is never asked.
    let engine = report(scan(
        ("DOCKER_HOST", &podman.host()),
        &["image", "scanlab/acme-shop:1.4.2"],
    ));
    assert_eq!(engine["source"], "docker-daemon");
    assert_eq!(engine["image_id"], ACME_IMAGE_ID);
    assert!(engine["location"]
        .as_str()
        .unwrap()
        .contains(&podman.socket.display().to_string()));
    let from_archive = report(scan(
        ("DRYDOCK_IMAGE_SRC", "remote"),
        &["image", "--input", archive.to_str().unwrap()],
    ));
    assert_eq!(image_facts(&engine), image_facts(&from_archive));
    // The export is a temporary file: nothing of it stays in the cache.
    let tmp = cache.path().join("tmp");
    assert_eq!(std::fs::read_dir(&tmp).map(|d| d.count()).unwrap_or(0), 0);

    // As Podman's socket, asked for by name.
    let podman_scan = report(scan(
        ("CONTAINER_HOST", &podman.host()),
        &["image", "--image-src", "podman", "scanlab/acme-shop:1.4.2"],
    ));
    assert_eq!(podman_scan["source"], "podman-daemon");
    assert_eq!(image_facts(&podman_scan), image_facts(&engine));

    // An engine without the image, and no registry to fall back on: one line naming both.
    let out = scan(
        ("DOCKER_HOST", &podman.host()),
        &["image", "--image-src", "docker", "scanlab/acme-shop:9.9"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.trim_end().lines().count() == 1
            && err.contains("no such image in the docker engine at unix://")
            && err.contains("add `remote` to --image-src"),
        "{err}"
    );
    // Nothing listening: that is said too.
    let out = scan(
        ("DOCKER_HOST", "unix:///nonexistent/docker.sock"),
        &["image", "--image-src", "docker", "scanlab/acme-shop:1.4.2"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("nothing answers as the docker engine at unix:///nonexistent/docker.sock"),
        "{err}"
    );
}
