//! Pulling from a real registry (CNCF distribution, Debian's `docker-registry`), with real
//! authentication, and through a proxy that injects the failures registries really produce.

use std::fs;
use std::sync::atomic::Ordering;

use crate::common::{drydock, expect_error, image_facts, require_shared, summary, tempdir};
use crate::harness::{Auth, Fault, FaultProxy, Registry, TokenServer};

const ACME_MANIFEST: &str =
    "sha256:572080844c9017ec2966f3d123f3977fb60ffec133faf3ac774f6e357727e1c4";
const ACME_IMAGE_ID: &str =
    "sha256:37bc8638b18107360e0403e7a8eac7579790f66674435b314ae30c1984ec1a45";

macro_rules! require {
    ($e:expr) => {
        match $e {
            Some(v) => v,
            None => return,
        }
    };
}

#[test]
fn registry_pull_matches_the_archives_and_rescans_from_cache() {
    let shared = require_shared!();
    let registry = require!(Registry::start(Auth::Anonymous));
    let archive = shared.join("images/scanlab-acme-shop-1.4.2.oci.tar");
    registry.push(&archive, "1.4.2", "scanlab/acme-shop:1.4.2");
    let proxy = FaultProxy::start(&registry.addr, Fault::None);
    let cache = tempdir();
    let reference = format!("{}/scanlab/acme-shop:1.4.2", proxy.addr);

    let pulled = summary(cache.path(), &["image", &reference]);
    assert_eq!(pulled["source"], "registry");
    assert_eq!(pulled["manifest_digest"], ACME_MANIFEST);
    assert_eq!(pulled["image_id"], ACME_IMAGE_ID);
    let from_archive = summary(
        tempdir().path(),
        &["image", "--input", archive.to_str().unwrap()],
    );
    assert_eq!(image_facts(&pulled), image_facts(&from_archive));
    let cold: Vec<String> = proxy.take_paths();
    assert_eq!(
        cold.iter().filter(|p| p.contains("/blobs/")).count(),
        12,
        "config + 11 layers: {cold:?}"
    );

    // Warm: the tag is looked up again (it may have moved), nothing else is requested.
    let warm = summary(cache.path(), &["image", &reference]);
    assert_eq!(warm, pulled);
    let warm_paths = proxy.take_paths();
    assert!(
        warm_paths.iter().all(|p| !p.contains("/blobs/")),
        "no blob request when warm: {warm_paths:?}"
    );
    assert_eq!(
        warm_paths
            .iter()
            .filter(|p| p.contains("/manifests/"))
            .count(),
        1,
        "{warm_paths:?}"
    );

    // By digest, a warm scan needs no network at all.
    let by_digest = format!("{}/scanlab/acme-shop@{ACME_MANIFEST}", proxy.addr);
    summary(cache.path(), &["image", &by_digest]);
    assert!(proxy.take_paths().is_empty());

    // A tag that does not exist.
    let err = expect_error(
        cache.path(),
        &[
            "image",
            &format!("{}/scanlab/acme-shop:nope", registry.addr),
        ],
    );
    assert!(
        err.contains("not found") && err.contains("MANIFEST_UNKNOWN"),
        "{err}"
    );
}

#[test]
fn basic_auth_from_flags_env_and_docker_config() {
    let shared = require_shared!();
    let registry = require!(Registry::start(Auth::Basic {
        user: "scanner".into(),
        password: "s3cret-pass".into(),
    }));
    registry.push(
        &shared.join("images/scanlab-debian-bookworm.oci.tar"),
        "bookworm",
        "scanlab/debian:bookworm",
    );
    let reference = format!("{}/scanlab/debian:bookworm", registry.addr);

    let cache = tempdir();
    let err = expect_error(cache.path(), &["image", &reference]);
    assert!(err.contains("requires a login"), "{err}");
    let err = expect_error(
        cache.path(),
        &[
            "image",
            &reference,
            "--username",
            "scanner",
            "--password",
            "wrong",
        ],
    );
    assert!(err.contains("authentication failed"), "{err}");
    assert!(
        !err.contains("wrong"),
        "the password must not be echoed: {err}"
    );

    let s = summary(
        cache.path(),
        &[
            "image",
            &reference,
            "--username",
            "scanner",
            "--password",
            "s3cret-pass",
        ],
    );
    assert_eq!(s["config"]["cmd"], serde_json::json!(["bash"]));

    let out = drydock(tempdir().path())
        .args([
            "image",
            &reference,
            "--username",
            "scanner",
            "--password-stdin",
            "-f",
            "json",
        ])
        .write_stdin("s3cret-pass\n")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = drydock(tempdir().path())
        .env("DRYDOCK_USERNAME", "scanner")
        .env("DRYDOCK_PASSWORD", "s3cret-pass")
        .args(["image", &reference, "-f", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // ~/.docker/config.json, as `docker login` writes it.
    let docker_config = tempdir();
    let auth = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        "scanner:s3cret-pass",
    );
    fs::write(
        docker_config.path().join("config.json"),
        format!(r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#, registry.addr),
    )
    .unwrap();
    let out = drydock(tempdir().path())
        .env("DOCKER_CONFIG", docker_config.path())
        .args(["image", &reference, "-f", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn bearer_token_flow() {
    let shared = require_shared!();
    let token = TokenServer::start("robot", "t0ken-pass");
    let requests = token.requests.clone();
    let registry = require!(Registry::start(Auth::Token(token)));
    registry.push(
        &shared.join("images/scanlab-debian-bookworm.oci.tar"),
        "bookworm",
        "scanlab/debian:bookworm",
    );
    let reference = format!("{}/scanlab/debian:bookworm", registry.addr);

    let before = requests.load(Ordering::SeqCst);
    let cache = tempdir();
    let s = summary(
        cache.path(),
        &[
            "image",
            &reference,
            "--username",
            "robot",
            "--password",
            "t0ken-pass",
        ],
    );
    assert_eq!(s["source"], "registry");
    assert_eq!(s["layers"].as_array().unwrap().len(), 1);
    // One token serves the manifest, config and layer requests.
    assert_eq!(requests.load(Ordering::SeqCst) - before, 1);

    let err = expect_error(tempdir().path(), &["image", &reference]);
    assert!(
        err.contains("token server") && err.contains("401") && err.contains("login"),
        "{err}"
    );
    let err = expect_error(
        tempdir().path(),
        &[
            "image",
            &reference,
            "--username",
            "robot",
            "--password",
            "nope",
        ],
    );
    assert!(err.contains("check the username and password"), "{err}");
}

#[test]
fn multi_platform_index_from_the_registry() {
    let shared = require_shared!();
    let registry = require!(Registry::start(Auth::Anonymous));
    let work = tempdir();
    let layout = work.path().join("multi");
    let (amd64, arm64) = crate::sources::multi_arch_layout(&shared, &layout, true);
    registry.copy(
        &format!("oci:{}:multi", layout.display()),
        "library/busybox:multi",
        true,
    );
    let reference = format!("{}/library/busybox:multi", registry.addr);
    let cache = tempdir();
    let s = summary(cache.path(), &["image", &reference]);
    assert_eq!(s["image_id"], amd64.as_str());
    assert!(s["index_digest"].is_string());
    let s = summary(
        cache.path(),
        &["image", &reference, "--platform", "linux/arm64/v8"],
    );
    assert_eq!(s["image_id"], arm64.as_str());
    let err = expect_error(
        cache.path(),
        &["image", &reference, "--platform", "windows/amd64"],
    );
    assert!(
        err.contains("available: linux/amd64, linux/arm64/v8"),
        "{err}"
    );
}

/// Pushes bookworm to a plain registry and puts a misbehaving proxy in front of it.
fn faulty(fault: Fault) -> Option<(Registry, FaultProxy, String)> {
    let shared = crate::common::shared_dir()?;
    let registry = Registry::start(Auth::Anonymous)?;
    registry.push(
        &shared.join("images/scanlab-debian-bookworm.oci.tar"),
        "bookworm",
        "scanlab/debian:bookworm",
    );
    let proxy = FaultProxy::start(&registry.addr, fault);
    let reference = format!("{}/scanlab/debian:bookworm", proxy.addr);
    Some((registry, proxy, reference))
}

#[test]
fn rate_limits_and_server_errors_are_retried() {
    let (_registry, proxy, reference) = require!(faulty(Fault::FailFirst {
        count: 2,
        status: 429
    }));
    let s = summary(tempdir().path(), &["image", &reference]);
    assert_eq!(s["layers"].as_array().unwrap().len(), 1);
    assert!(proxy.take_paths().len() >= 5);

    let (_registry, _proxy, reference) = require!(faulty(Fault::FailFirst {
        count: 1,
        status: 503
    }));
    summary(tempdir().path(), &["image", &reference]);
}

#[test]
fn registry_failures_are_one_line_errors() {
    let cases: [(Fault, &str); 5] = [
        (
            Fault::Always(500),
            "server error (HTTP 500: injected fault (UNAVAILABLE)) after 3 retries",
        ),
        (Fault::Always(403), "denied (403 Forbidden"),
        (Fault::RedirectLoop, "too many redirects"),
        (
            Fault::ManifestContentType("text/html; charset=utf-8"),
            "content type \"text/html; charset=utf-8\"",
        ),
        (Fault::CorruptBlobs, "digest mismatch for config blob"),
    ];
    for (fault, needle) in cases {
        let (_registry, _proxy, reference) = require!(faulty(fault.clone()));
        let cache = tempdir();
        let err = expect_error(cache.path(), &["image", &reference]);
        assert!(
            err.contains(needle),
            "{fault:?}: expected {needle:?} in {err}"
        );
        let blobs: Vec<_> = fs::read_dir(cache.path().join("blobs/sha256"))
            .unwrap()
            .collect();
        if matches!(fault, Fault::CorruptBlobs) {
            // Only the manifest (verified) is cached; the corrupted config never lands.
            assert_eq!(blobs.len(), 1, "{blobs:?}");
        }
    }
}

#[test]
fn unreachable_registry() {
    let cache = tempdir();
    // Port 9 (discard) is closed here: connection refused, retried, then one line.
    let err = expect_error(cache.path(), &["image", "127.0.0.1:9/x/y:z"]);
    assert!(err.contains("registry 127.0.0.1:9"), "{err}");
}

#[test]
fn credential_helpers_from_docker_config() {
    let shared = require_shared!();
    let registry = require!(Registry::start(Auth::Basic {
        user: "helper-user".into(),
        password: "helper-pass".into(),
    }));
    registry.push(
        &shared.join("images/scanlab-debian-bookworm.oci.tar"),
        "bookworm",
        "scanlab/debian:bookworm",
    );
    // A credential helper speaks Docker's protocol: `get` with the server on stdin, JSON out.
    let home = tempdir();
    let bin = home.path().join("bin");
    fs::create_dir_all(&bin).unwrap();
    let helper = bin.join("docker-credential-drydocktest");
    fs::write(
        &helper,
        format!(
            "#!/bin/sh\n[ \"$1\" = get ] || exit 1\nread server\n[ \"$server\" = \"{}\" ] || {{ echo 'credentials not found in native keychain'; exit 1; }}\n\
             echo '{{\"ServerURL\":\"'$server'\",\"Username\":\"helper-user\",\"Secret\":\"helper-pass\"}}'\n",
            registry.addr
        ),
    )
    .unwrap();
    fs::set_permissions(&helper, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let config = home.path().join("docker");
    fs::create_dir_all(&config).unwrap();
    fs::write(
        config.join("config.json"),
        format!(r#"{{"credHelpers":{{"{}":"drydocktest"}}}}"#, registry.addr),
    )
    .unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = drydock(tempdir().path())
        .env("DOCKER_CONFIG", &config)
        .env("PATH", path)
        .args([
            "image",
            &format!("{}/scanlab/debian:bookworm", registry.addr),
            "-f",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
