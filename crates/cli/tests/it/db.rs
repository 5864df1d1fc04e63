//! `drydock db build` / `db info` over the real feeds in `../shared/data/advisories`.

use std::fs;

use serde_json::Value;

use crate::common::{drydock, expect_error, require_shared, tempdir};

#[test]
fn build_from_real_feeds_and_report_each_source() {
    let shared = require_shared!();
    let feeds = shared.join("data/advisories");
    let cache = tempdir();
    let db = cache.path().join("vuln.db");
    let sources = ["alpine", "debian-changelog", "go", "kev", "pypi", "rustsec"];
    let mut build = drydock(cache.path());
    build.args(["db", "build", "--db", db.to_str().unwrap(), "--from"]);
    for s in sources {
        build.arg(feeds.join(s));
    }
    let out = build.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let info = db_info(cache.path(), &db);
    let records = |name: &str| {
        info["sources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("no source {name}"))["records"]
            .as_u64()
            .unwrap()
    };
    // MANIFEST.md: Go 4291 records, PyPA 2661, RustSec OSV 1206, Debian changelog
    // 6002 + 8082 + 5625; Alpine's legacy secdb names 2626 distinct ids (counted from the
    // YAML files: every id of every `secfixes` list, split on white space).
    assert_eq!(records("go"), 4291);
    assert_eq!(records("pypi"), 2661);
    assert_eq!(records("rustsec"), 1206);
    assert_eq!(records("debian-changelog"), 6002 + 8082 + 5625);
    assert!(records("alpine") > 2500, "{info}");
    // CISA KEV catalogVersion 2025.08.25: 1404 known exploited CVEs.
    assert_eq!(info["known_exploited"], 1404);
    assert!(info["size"].as_u64().unwrap() > 1_000_000);
}

#[test]
fn a_failed_build_keeps_the_previous_database() {
    let shared = require_shared!();
    let cache = tempdir();
    let db = cache.path().join("vuln.db");
    let go = shared.join("data/advisories/go");
    drydock(cache.path())
        .args([
            "db",
            "build",
            "--db",
            db.to_str().unwrap(),
            "--from",
            go.to_str().unwrap(),
        ])
        .assert()
        .success();
    let before = fs::read(&db).unwrap();
    // A folder with no advisories in it: the build fails and the old file stays as it was.
    let empty = tempdir();
    fs::write(empty.path().join("notes.txt"), "nothing here").unwrap();
    let err = expect_error(
        cache.path(),
        &[
            "db",
            "build",
            "--db",
            db.to_str().unwrap(),
            "--from",
            empty.path().to_str().unwrap(),
        ],
    );
    assert!(err.contains("no advisories found"), "{err}");
    assert_eq!(fs::read(&db).unwrap(), before);
    let leftovers: Vec<_> = fs::read_dir(cache.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".drydock-db-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");

    let err = expect_error(
        cache.path(),
        &["db", "info", "--db", "/nonexistent/drydock.db"],
    );
    assert!(err.contains("no vulnerability database"), "{err}");
}

/// A static file server on 127.0.0.1 for a feed mirror, counting requests; `broken`
/// names a path answered with HTTP 500.
struct Mirror {
    url: String,
    requests: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    server: std::sync::Arc<tiny_http::Server>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Mirror {
    fn serve(root: &std::path::Path, broken: Option<&str>) -> Mirror {
        let server = std::sync::Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let url = format!(
            "http://127.0.0.1:{}",
            server.server_addr().to_ip().unwrap().port()
        );
        let requests = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let thread = {
            let (server, requests, root) = (server.clone(), requests.clone(), root.to_path_buf());
            let broken = broken.map(str::to_string);
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    requests.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let path = request.url().trim_start_matches('/').to_string();
                    if broken.as_deref() == Some(path.as_str()) {
                        let _ = request.respond(tiny_http::Response::empty(500));
                        continue;
                    }
                    match fs::read(root.join(&path)) {
                        Ok(bytes) if !path.contains("..") => {
                            let _ = request.respond(tiny_http::Response::from_data(bytes));
                        }
                        _ => {
                            let _ = request.respond(tiny_http::Response::empty(404));
                        }
                    }
                }
            })
        };
        Mirror {
            url,
            requests,
            server,
            thread: Some(thread),
        }
    }

    fn requests(&self) -> usize {
        self.requests.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Drop for Mirror {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A mirror folder with a few real sources and its MANIFEST.json index.
fn make_mirror(shared: &std::path::Path, dest: &std::path::Path) {
    use sha2::{Digest as _, Sha256};
    let mut files = Vec::new();
    for (source, file) in [
        ("go", "golang-vulndb-osv.tar.zst"),
        ("alpine", "alpine-secdb-legacy-v3.3-v3.11.tar.zst"),
        ("kev", "known_exploited_vulnerabilities.json.zst"),
    ] {
        fs::create_dir_all(dest.join(source)).unwrap();
        let bytes = fs::read(shared.join("data/advisories").join(source).join(file)).unwrap();
        fs::write(dest.join(source).join(file), &bytes).unwrap();
        files.push(serde_json::json!({
            "path": format!("{source}/{file}"),
            "bytes": bytes.len(),
            "sha256": hex::encode(Sha256::digest(&bytes)),
        }));
    }
    fs::write(
        dest.join("MANIFEST.json"),
        serde_json::to_vec(&serde_json::json!({"files": files})).unwrap(),
    )
    .unwrap();
}

/// `db info --format json` of the database at `db`.
fn db_info(cache: &std::path::Path, db: &std::path::Path) -> Value {
    let out = drydock(cache)
        .args([
            "db",
            "info",
            "--db",
            db.to_str().unwrap(),
            "--format",
            "json",
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

/// The parts of `db info` that depend only on the feeds.
fn info(cache: &std::path::Path, db: &std::path::Path) -> Value {
    let mut v = db_info(cache, db);
    // Where it came from and when differ by design; everything else must be equal.
    for key in ["path", "built_at", "size"] {
        v.as_object_mut().unwrap().remove(key);
    }
    for source in v["sources"].as_array_mut().unwrap() {
        source.as_object_mut().unwrap().remove("origin");
    }
    v
}

#[test]
fn update_from_a_mirror_equals_a_build_from_the_same_files() {
    let shared = require_shared!();
    let mirror_dir = tempdir();
    make_mirror(&shared, mirror_dir.path());
    let mirror = Mirror::serve(mirror_dir.path(), None);
    let cache = tempdir();
    let updated = cache.path().join("updated.db");
    let built = cache.path().join("built.db");

    drydock(cache.path())
        .args([
            "db",
            "update",
            "--db",
            updated.to_str().unwrap(),
            "--mirror",
            &mirror.url,
        ])
        .assert()
        .success();
    assert_eq!(mirror.requests(), 4, "the index and three files");
    drydock(cache.path())
        .args([
            "db",
            "build",
            "--db",
            built.to_str().unwrap(),
            "--from",
            mirror_dir.path().to_str().unwrap(),
        ])
        .assert()
        .success();
    assert_eq!(info(cache.path(), &updated), info(cache.path(), &built));

    // Nothing changed upstream: one request for the index, no downloads.
    drydock(cache.path())
        .args([
            "db",
            "update",
            "--db",
            updated.to_str().unwrap(),
            "--mirror",
            &mirror.url,
        ])
        .assert()
        .success();
    assert_eq!(mirror.requests(), 5);
}

#[test]
fn a_failed_update_keeps_the_previous_database() {
    let shared = require_shared!();
    let mirror_dir = tempdir();
    make_mirror(&shared, mirror_dir.path());
    let cache = tempdir();
    let db = cache.path().join("vuln.db");
    {
        let mirror = Mirror::serve(mirror_dir.path(), None);
        drydock(cache.path())
            .args([
                "db",
                "update",
                "--db",
                db.to_str().unwrap(),
                "--mirror",
                &mirror.url,
            ])
            .assert()
            .success();
    }
    let before = fs::read(&db).unwrap();
    let fresh_cache = tempdir();
    // A server error on one file (after retries) fails the update.
    let mirror = Mirror::serve(mirror_dir.path(), Some("go/golang-vulndb-osv.tar.zst"));
    let err = expect_error(
        fresh_cache.path(),
        &[
            "db",
            "update",
            "--db",
            db.to_str().unwrap(),
            "--mirror",
            &mirror.url,
        ],
    );
    assert!(
        err.contains("HTTP 500") && err.contains("golang-vulndb-osv"),
        "{err}"
    );
    assert_eq!(fs::read(&db).unwrap(), before);
    drop(mirror);
    // A file that does not match the index's digest fails it too.
    fs::write(
        mirror_dir
            .path()
            .join("kev/known_exploited_vulnerabilities.json.zst"),
        b"tampered",
    )
    .unwrap();
    let mirror = Mirror::serve(mirror_dir.path(), None);
    let err = expect_error(
        tempdir().path(),
        &[
            "db",
            "update",
            "--db",
            db.to_str().unwrap(),
            "--mirror",
            &mirror.url,
        ],
    );
    assert!(
        err.contains("digest mismatch") || err.contains("larger than"),
        "{err}"
    );
    assert_eq!(fs::read(&db).unwrap(), before);
}
