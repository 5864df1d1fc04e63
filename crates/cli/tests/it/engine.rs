//! Images from a local container engine: a real Podman serving the Docker Engine API that
//! Docker itself serves, reached through DOCKER_HOST (as Docker's socket) and
//! CONTAINER_HOST (as Podman's).

use crate::common::{drydock, image_facts, json_report, require_shared, tempdir};
use crate::harness::{Auth, Podman, Registry};

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
            .env_remove("DRYDOCK_IMAGE_SRC")
            .env(env.0, env.1)
            .args(["--format", "json"])
            .args(args)
            .output()
            .unwrap()
    };

    // As Docker's socket: the default sources look there first, and the registry the name
    // points at (Docker Hub) is never asked.
    let engine = json_report(scan(
        ("DOCKER_HOST", &podman.host()),
        &["image", "scanlab/acme-shop:1.4.2"],
    ));
    assert_eq!(engine["source"], "docker-daemon");
    assert_eq!(engine["image_id"], ACME_IMAGE_ID);
    assert!(engine["location"]
        .as_str()
        .unwrap()
        .contains(&podman.socket.display().to_string()));
    let from_archive = json_report(scan(
        ("DRYDOCK_IMAGE_SRC", "remote"),
        &["image", "--input", archive.to_str().unwrap()],
    ));
    assert_eq!(image_facts(&engine), image_facts(&from_archive));
    // The export is a temporary file: nothing of it stays in the cache.
    let tmp = cache.path().join("tmp");
    assert_eq!(std::fs::read_dir(&tmp).map(|d| d.count()).unwrap_or(0), 0);
    // A rescan finds the image id's config and every layer's facts in the cache: the
    // engine is asked what the name is, and exports nothing.
    let warm = scan(
        ("DOCKER_HOST", &podman.host()),
        &["--debug", "image", "scanlab/acme-shop:1.4.2"],
    );
    let said = String::from_utf8_lossy(&warm.stderr).into_owned();
    assert!(!said.contains("exporting scanlab/acme-shop"), "{said}");
    assert_eq!(json_report(warm), engine);
    // Another scanner needs the layers again: then it exports.
    let other = scan(
        ("DOCKER_HOST", &podman.host()),
        &[
            "--debug",
            "--scanners",
            "secret",
            "image",
            "scanlab/acme-shop:1.4.2",
        ],
    );
    let said = String::from_utf8_lossy(&other.stderr).into_owned();
    assert!(said.contains("exporting scanlab/acme-shop:1.4.2"), "{said}");
    let secrets = json_report(other);
    assert!(!secrets["secret_scan"]["findings"]
        .as_array()
        .unwrap()
        .is_empty());

    // As Podman's socket, asked for by name.
    let podman_scan = json_report(scan(
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
    // The engine holds linux/amd64 only: another platform asked for is not there.
    let out = scan(
        ("DOCKER_HOST", &podman.host()),
        &[
            "image",
            "--image-src",
            "docker",
            "--platform",
            "linux/arm64",
            "scanlab/acme-shop:1.4.2",
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("no such image in the docker engine"), "{err}");
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

/// An engine that answers nonsense (or that the user may not open) is passed over: the
/// image comes from its registry, with a warning that says why the engine was not used.
#[test]
fn a_failing_engine_passes_to_the_registry() {
    let shared = require_shared!();
    let Some(registry) = Registry::start(Auth::Anonymous) else {
        return;
    };
    registry.push(
        &shared.join("images/scanlab-debian-bookworm.oci.tar"),
        "bookworm",
        "scanlab/debian:12",
    );
    // Something that is not an engine listens on the "Docker" socket.
    let dir = tempdir();
    let socket = dir.path().join("docker.sock");
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    std::thread::spawn(move || {
        use std::io::{Read as _, Write as _};
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            // Take the whole request first, so the answer never races the client's write.
            let mut request = Vec::new();
            let mut byte = [0u8; 1];
            while !request.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                request.push(byte[0]);
            }
            let _ = stream.write_all(b"SSH-2.0-OpenSSH_9.2\r\n");
        }
    });
    let cache = tempdir();
    let out = drydock(cache.path())
        .env_remove("DRYDOCK_IMAGE_SRC")
        .env("DOCKER_HOST", format!("unix://{}", socket.display()))
        .args(["--format", "json", "image"])
        .arg(format!("{}/scanlab/debian:12", registry.addr))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["source"], "registry");
    assert!(
        err.contains("not an HTTP answer")
            && err.contains("pulled")
            && err.contains("from its registry instead"),
        "{err}"
    );
}
