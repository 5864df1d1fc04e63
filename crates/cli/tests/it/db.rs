//! `drydock db build` / `db info` over the real feeds in `../shared/data/advisories`.

use std::fs;

use serde_json::Value;

use crate::common::{drydock, drydock_process, expect_error, require_shared, tempdir};

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

// ---- `db update` from the publishers ----------------------------------------------------

/// One request as the publisher server saw it.
#[derive(Clone, Debug)]
struct Logged {
    path: String,
    status: u16,
    range: Option<String>,
    dropped: bool,
}

#[derive(Default)]
struct Faults {
    /// Paths under these prefixes are answered with HTTP 500.
    fail: Vec<String>,
    /// The next full download of this path is cut off halfway through the body.
    drop_once: Option<String>,
}

/// A static HTTP/1.1 file server on 127.0.0.1 serving the files under `root` with ETag /
/// If-None-Match, Last-Modified / If-Modified-Since and Range / If-Range, one request per
/// connection, logging every request.
struct PublisherServer {
    url: String,
    log: std::sync::Arc<std::sync::Mutex<Vec<Logged>>>,
    faults: std::sync::Arc<std::sync::Mutex<Faults>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    addr: std::net::SocketAddr,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// `Thu, 01 Jan 1970 00:00:00 GMT` for seconds since the epoch.
fn http_date(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][(days % 7) as usize];
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{weekday}, {day:02} {} {year} {:02}:{:02}:{:02} GMT",
        months[(month - 1) as usize],
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn serve_one(
    stream: std::net::TcpStream,
    root: &std::path::Path,
    log: &std::sync::Mutex<Vec<Logged>>,
    faults: &std::sync::Mutex<Faults>,
) -> std::io::Result<()> {
    use sha2::{Digest as _, Sha256};
    use std::io::{BufRead as _, Write as _};
    let mut reader = std::io::BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut headers = std::collections::HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let path = target.trim_start_matches('/').replace("%20", " ");
    let mut out = stream;
    let mut entry = Logged {
        path: path.clone(),
        status: 0,
        range: headers.get("range").cloned(),
        dropped: false,
    };
    let mut send = |status: u16, extra: &[(&str, String)], body: &[u8], entry: &mut Logged| {
        entry.status = status;
        let mut head = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n", body.len());
        for (k, v) in extra {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("Connection: close\r\n\r\n");
        out.write_all(head.as_bytes())?;
        out.write_all(body)?;
        out.flush()
    };
    let failing = faults
        .lock()
        .unwrap()
        .fail
        .iter()
        .any(|p| path.starts_with(p.as_str()));
    let file = root.join(&path);
    let result = if failing {
        send(500, &[], b"", &mut entry)
    } else if path.contains("..") || !file.is_file() {
        send(404, &[], b"", &mut entry)
    } else {
        let bytes = fs::read(&file)?;
        let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&bytes))[..16]);
        let modified = fs::metadata(&file)?
            .modified()?
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let last_modified = http_date(modified);
        let validators = [
            ("ETag", etag.clone()),
            ("Last-Modified", last_modified.clone()),
        ];
        let not_modified = match headers.get("if-none-match") {
            Some(tags) => tags.split(',').any(|t| t.trim() == etag),
            None => headers.get("if-modified-since") == Some(&last_modified),
        };
        let range_start = headers
            .get("range")
            .and_then(|r| r.strip_prefix("bytes="))
            .and_then(|r| r.strip_suffix('-'))
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|_| {
                headers
                    .get("if-range")
                    .is_none_or(|v| *v == etag || *v == last_modified)
            });
        if not_modified {
            send(304, &validators, b"", &mut entry)
        } else if let Some(start) = range_start {
            if start >= bytes.len() {
                let range = [("Content-Range", format!("bytes */{}", bytes.len()))];
                send(416, &range, b"", &mut entry)
            } else {
                let mut extra = validators.to_vec();
                extra.push((
                    "Content-Range",
                    format!("bytes {start}-{}/{}", bytes.len() - 1, bytes.len()),
                ));
                send(206, &extra, &bytes[start..], &mut entry)
            }
        } else {
            let drop_now = {
                let mut f = faults.lock().unwrap();
                let hit = f.drop_once.as_deref() == Some(path.as_str());
                if hit {
                    f.drop_once = None;
                }
                hit
            };
            if drop_now {
                // Announce the whole file, send half of it, hang up.
                entry.status = 200;
                entry.dropped = true;
                let mut head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n", bytes.len());
                for (k, v) in &validators {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                out.write_all(head.as_bytes())?;
                out.write_all(&bytes[..bytes.len() / 2])?;
                out.flush()?;
                out.shutdown(std::net::Shutdown::Both)
            } else {
                send(200, &validators, &bytes, &mut entry)
            }
        }
    };
    log.lock().unwrap().push(entry);
    result
}

impl PublisherServer {
    fn serve(root: &std::path::Path) -> PublisherServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let faults = std::sync::Arc::new(std::sync::Mutex::new(Faults::default()));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let thread = {
            let (log, faults, stop, root) = (
                log.clone(),
                faults.clone(),
                stop.clone(),
                root.to_path_buf(),
            );
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(std::sync::atomic::Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (log, faults, root) = (log.clone(), faults.clone(), root.clone());
                    std::thread::spawn(move || {
                        let _ = serve_one(stream, &root, &log, &faults);
                    });
                }
            })
        };
        PublisherServer {
            url: format!("http://{addr}"),
            log,
            faults,
            stop,
            addr,
            thread: Some(thread),
        }
    }

    fn take_log(&self) -> Vec<Logged> {
        std::mem::take(&mut *self.log.lock().unwrap())
    }

    fn fail(&self, prefixes: &[&str]) {
        self.faults.lock().unwrap().fail = prefixes.iter().map(|p| p.to_string()).collect();
    }
}

impl Drop for PublisherServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = std::net::TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The regular files inside a `.tar.zst` of the shared data.
fn tar_zst_members(path: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    use std::io::Read as _;
    let decoder = zstd::stream::read::Decoder::new(fs::File::open(path).unwrap()).unwrap();
    let mut archive = tar::Archive::new(decoder);
    let mut out = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        if entry.header().entry_type() != tar::EntryType::Regular {
            continue;
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        out.push((name, bytes));
    }
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

fn put(path: &std::path::Path, bytes: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

/// The shared data laid out as each publisher serves it, under `root/<source>/`, and
/// the very shared files each source is made from under `reference/<source>/` (for
/// `db build --from`). Returns the sources and the Alpine branches laid out.
fn publisher_layout(
    advisories: &std::path::Path,
    root: &std::path::Path,
    reference: &std::path::Path,
) -> (Vec<&'static str>, Vec<String>) {
    use std::io::Write as _;
    let refer = |source: &str, file: &str| {
        let to = reference.join(source).join(file);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::copy(advisories.join(source).join(file), to).unwrap();
    };
    let unzstd =
        |path: std::path::PathBuf| zstd::decode_all(fs::File::open(path).unwrap()).unwrap();
    let mut sources = Vec::new();

    // OSV bucket: `<Ecosystem>/all.zip` of flat `<ID>.json` records.
    for (source, ecosystem, archive, ext) in [
        ("go", "Go", "golang-vulndb-osv.tar.zst", ".json"),
        (
            "almalinux",
            "AlmaLinux",
            "almalinux-osv-database.tar.zst",
            ".json",
        ),
        (
            "rocky",
            "Rocky Linux",
            "samples-vunnel-rocky-osv.tar.zst",
            ".json",
        ),
        // PyPA publishes its OSV records as YAML; they go into the zip as they are.
        ("pypi", "PyPI", "pypa-advisory-database.tar.zst", ".yaml"),
    ] {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let mut seen = std::collections::HashMap::new();
        for (name, bytes) in tar_zst_members(&advisories.join(source).join(archive)) {
            if !name.ends_with(ext) {
                continue;
            }
            let file = name.rsplit('/').next().unwrap().to_string();
            // AlmaLinux keeps byte-identical copies per release: one entry in the zip.
            match seen.get(&file) {
                Some(prev) if prev == &bytes => continue,
                Some(_) => zip.start_file(name.replace('/', "_"), options).unwrap(),
                None => zip.start_file(file.clone(), options).unwrap(),
            }
            zip.write_all(&bytes).unwrap();
            seen.insert(file, bytes);
        }
        let bytes = zip.finish().unwrap().into_inner();
        put(&root.join(source).join(ecosystem).join("all.zip"), &bytes);
        refer(source, archive);
        sources.push(source);
    }
    // Git repositories: the branch tarball (`<branch>.tar.gz`).
    for (source, archive, branch) in [
        ("rustsec", "rustsec-osv.tar.zst", "osv"),
        ("rubygems", "rubysec-ruby-advisory-db.tar.zst", "master"),
        (
            "packagist",
            "friendsofphp-security-advisories.tar.zst",
            "master",
        ),
        ("npm", "nodejs-security-wg-vuln.tar.zst", "main"),
    ] {
        let tar = unzstd(advisories.join(source).join(archive));
        put(
            &root.join(source).join(format!("{branch}.tar.gz")),
            &gzip(&tar),
        );
        refer(source, archive);
        sources.push(source);
    }
    // CISA: the catalog JSON.
    put(
        &root.join("kev/known_exploited_vulnerabilities.json"),
        &unzstd(advisories.join("kev/known_exploited_vulnerabilities.json.zst")),
    );
    refer("kev", "known_exploited_vulnerabilities.json.zst");
    sources.push("kev");
    // Debian security tracker: the raw list files.
    let archive = "debian-security-tracker-lists-2023-04.tar.zst";
    for (name, bytes) in tar_zst_members(&advisories.join("debian").join(archive)) {
        if name.ends_with("/list") {
            put(&root.join("debian").join(&name), &bytes);
        }
    }
    refer("debian", archive);
    sources.push("debian");
    // Azure Linux: the OVAL files.
    for file in [
        "azurelinux-3.0-oval.xml.zst",
        "cbl-mariner-2.0-oval.xml.zst",
        "cbl-mariner-1.0-oval.xml.zst",
    ] {
        put(
            &root.join("azurelinux").join(file.trim_end_matches(".zst")),
            &unzstd(advisories.join("azurelinux").join(file)),
        );
        refer("azurelinux", file);
    }
    sources.push("azurelinux");
    // Photon: gzip-compressed OVAL (only Photon 3 is in the shared data: 4 and 5 are 404).
    let archive = "claircore-photon3-oval-2020.tar.zst";
    for (name, bytes) in tar_zst_members(&advisories.join("photon").join(archive)) {
        if name.ends_with(".xml") {
            let file = format!("{}.gz", name.rsplit('/').next().unwrap());
            put(&root.join("photon").join(file), &gzip(&bytes));
        }
    }
    refer("photon", archive);
    sources.push("photon");
    // Red Hat VEX: `archive_latest.txt` naming a `.tar.zst` of the documents.
    let archive = "samples-claircore-rhel-csaf-vex.tar.zst";
    fs::create_dir_all(root.join("redhat")).unwrap();
    fs::copy(
        advisories.join("redhat").join(archive),
        root.join("redhat/csaf_vex_2026-11-01.tar.zst"),
    )
    .unwrap();
    put(
        &root.join("redhat/archive_latest.txt"),
        b"csaf_vex_2026-11-01.tar.zst\n",
    );
    refer("redhat", archive);
    sources.push("redhat");
    // Alpine secdb: `v3.X/{main,community}.json` per branch. The legacy files are YAML in
    // git (JSON on the secdb site: converted the way drydock reads YAML, keys as strings);
    // the current slice is one file per package (merged into the branch's file).
    fn yaml_to_json(value: serde_yaml_ng::Value) -> Value {
        use serde_yaml_ng::Value as Y;
        match value {
            Y::Null => Value::Null,
            Y::Bool(b) => Value::Bool(b),
            Y::Number(n) => Value::String(n.to_string()),
            Y::String(s) => Value::String(s),
            Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
            Y::Mapping(map) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| {
                        let key = match yaml_to_json(k) {
                            Value::String(s) => s,
                            other => other.to_string(),
                        };
                        (key, yaml_to_json(v))
                    })
                    .collect(),
            ),
            Y::Tagged(tagged) => yaml_to_json(tagged.value),
        }
    }
    let mut branches = std::collections::BTreeSet::new();
    let legacy = "alpine-secdb-legacy-v3.3-v3.11.tar.zst";
    for (name, bytes) in tar_zst_members(&advisories.join("alpine").join(legacy)) {
        let Some(stem) = name.strip_suffix(".yaml") else {
            continue;
        };
        let value: serde_yaml_ng::Value = serde_yaml_ng::from_slice(&bytes).unwrap();
        put(
            &root.join("alpine").join(format!("{stem}.json")),
            &serde_json::to_vec(&yaml_to_json(value)).unwrap(),
        );
        branches.insert(stem.split('/').next().unwrap().to_string());
    }
    let slice = "alpine-secdb-v3.20-v3.22-slice-from-vuln-list.tar.zst";
    let mut merged: std::collections::BTreeMap<(String, String), Value> = Default::default();
    for (name, bytes) in tar_zst_members(&advisories.join("alpine").join(slice)) {
        if !name.ends_with(".json") || name.ends_with("PROVENANCE.json") {
            continue;
        }
        let doc: Value = serde_json::from_slice(&bytes).unwrap();
        let (Some(branch), Some(repo)) = (doc["distroversion"].as_str(), doc["reponame"].as_str())
        else {
            continue;
        };
        let db = merged
            .entry((branch.to_string(), repo.to_string()))
            .or_insert_with(|| {
                let mut db = doc.clone();
                db.as_object_mut().unwrap().remove("name");
                db.as_object_mut().unwrap().remove("secfixes");
                db["packages"] = Value::Array(Vec::new());
                db
            });
        db["packages"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({"pkg": {"name": doc["name"], "secfixes": doc["secfixes"]}}));
    }
    for ((branch, repo), db) in merged {
        put(
            &root
                .join("alpine")
                .join(&branch)
                .join(format!("{repo}.json")),
            &serde_json::to_vec(&db).unwrap(),
        );
        branches.insert(branch);
    }
    refer("alpine", legacy);
    refer("alpine", slice);
    sources.push("alpine");
    (sources, branches.into_iter().collect())
}

/// `db update` from the publishers at `server`, every source pointed at its folder there
/// (kev through the environment, the others through --source-url).
fn publishers_update(
    cache: &std::path::Path,
    db: &std::path::Path,
    server: &PublisherServer,
    sources: &[&str],
    branches: &[String],
) -> std::process::Output {
    let mut cmd = drydock(cache);
    // A configured mirror does not get in the way: naming sources asks for the publishers.
    cmd.env("DRYDOCK_DB_MIRROR", "http://mirror.example.invalid");
    cmd.args([
        "db",
        "update",
        "--db",
        db.to_str().unwrap(),
        "--source",
        &sources.join(","),
        "--alpine-branch",
        &branches.join(","),
    ]);
    for source in sources {
        let url = format!("{}/{source}", server.url);
        if *source == "kev" {
            cmd.env("DRYDOCK_SOURCE_URL_KEV", url);
        } else {
            cmd.arg("--source-url").arg(format!("{source}={url}"));
        }
    }
    cmd.output().unwrap()
}

/// Per source: (records, newest) from `db info`.
fn source_counts(info: &Value) -> std::collections::BTreeMap<String, (u64, Value)> {
    info["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                (s["records"].as_u64().unwrap(), s["newest"].clone()),
            )
        })
        .collect()
}

/// The affected rows and advisories of both databases are the same, ecosystem by
/// ecosystem (the order of records in zip and tar archives differs: rows are sorted).
fn same_content(a: &std::path::Path, b: &std::path::Path) {
    let (a, b) = (
        drydock_vulndb::Database::open(a).unwrap(),
        drydock_vulndb::Database::open(b).unwrap(),
    );
    let mut compared = 0;
    for ecosystem in [
        "Go",
        "PyPI",
        "RubyGems",
        "Packagist",
        "npm",
        "AlmaLinux:8",
        "AlmaLinux:9",
        "Alpine:v3.11",
        "Alpine:v3.20",
    ] {
        let mut names = a.package_names(ecosystem).unwrap();
        let mut other = b.package_names(ecosystem).unwrap();
        names.sort();
        other.sort();
        assert_eq!(names, other, "{ecosystem}");
        assert!(!names.is_empty(), "no {ecosystem} packages");
        for package in &names {
            let rows = |db: &drydock_vulndb::Database| {
                let mut rows: Vec<String> = db
                    .affected(ecosystem, package)
                    .unwrap()
                    .into_iter()
                    .map(|r| {
                        let advisory = db.advisory(&r.advisory_id).unwrap();
                        format!("{r:?} {advisory:?}")
                    })
                    .collect();
                rows.sort();
                rows
            };
            assert_eq!(rows(&a), rows(&b), "{ecosystem} {package}");
            compared += 1;
        }
    }
    assert!(compared > 1000, "{compared}");
}

#[test]
fn update_from_publishers_equals_a_build_from_the_same_files() {
    let shared = require_shared!();
    let root = tempdir();
    let reference = tempdir();
    let (sources, branches) = publisher_layout(
        &shared.join("data/advisories"),
        root.path(),
        reference.path(),
    );
    let server = PublisherServer::serve(root.path());
    server.faults.lock().unwrap().drop_once = Some("go/Go/all.zip".into());
    let cache = tempdir();
    let updated = cache.path().join("updated.db");
    let built = cache.path().join("built.db");

    let started = std::time::Instant::now();
    let out = publishers_update(cache.path(), &updated, &server, &sources, &branches);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    eprintln!(
        "first publisher update: {:.1}s; {}",
        started.elapsed().as_secs_f64(),
        stderr.lines().last().unwrap_or_default()
    );
    let log = server.take_log();
    // The cut-off download was continued where it stopped, not started again.
    let go: Vec<&Logged> = log.iter().filter(|l| l.path == "go/Go/all.zip").collect();
    assert!(go[0].dropped && go[0].range.is_none(), "{go:?}");
    assert_eq!(go.len(), 2, "{go:?}");
    assert_eq!(go[1].status, 206, "{go:?}");
    let offset: u64 = go[1].range.as_deref().unwrap()["bytes=".len()..]
        .trim_end_matches('-')
        .parse()
        .unwrap();
    assert!(offset > 0, "{go:?}");
    assert!(stderr.contains("(1 resumed)"), "{stderr}");
    // Optional files the shared data lacks (Photon 4 and 5, community repositories of the
    // current Alpine slice) are a 404 each, not a failure.
    let missing: Vec<&str> = log
        .iter()
        .filter(|l| l.status == 404)
        .map(|l| l.path.as_str())
        .collect();
    assert!(
        missing.contains(&"photon/com.vmware.phsa-photon4.xml.gz")
            && missing.contains(&"photon/com.vmware.phsa-photon5.xml.gz")
            && missing
                .iter()
                .all(|p| p.starts_with("photon/") || p.ends_with("/community.json")),
        "{missing:?}"
    );
    assert!(!stderr.contains("update failed"), "{stderr}");

    let build = drydock(cache.path())
        .args(["db", "build", "--db", built.to_str().unwrap(), "--from"])
        .arg(reference.path())
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let (from_publishers, from_files) = (info(cache.path(), &updated), info(cache.path(), &built));
    assert_eq!(source_counts(&from_publishers), source_counts(&from_files));
    for key in [
        "advisories",
        "affected_packages",
        "aliases",
        "known_exploited",
    ] {
        assert_eq!(from_publishers[key], from_files[key], "{key}");
    }
    let counts = source_counts(&from_publishers);
    assert_eq!(counts.len(), sources.len(), "{counts:?}");
    same_content(&updated, &built);
    assert_eq!(counts["go"].0, 4291);
    assert_eq!(from_publishers["known_exploited"], 1404);

    // Nothing changed upstream: every file is answered 304, nothing is downloaded.
    let started = std::time::Instant::now();
    let out = publishers_update(cache.path(), &updated, &server, &sources, &branches);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    eprintln!(
        "second publisher update: {:.1}s; {}",
        started.elapsed().as_secs_f64(),
        stderr.lines().last().unwrap_or_default()
    );
    let log = server.take_log();
    let fetched: Vec<&Logged> = log.iter().filter(|l| l.status != 404).collect();
    assert!(fetched.iter().all(|l| l.status == 304), "{log:?}");
    assert!(fetched.len() > sources.len(), "{log:?}");
    assert!(stderr.contains(": 0 files downloaded"), "{stderr}");
    assert_eq!(source_counts(&info(cache.path(), &updated)), counts);
}

#[test]
fn a_failing_publisher_is_left_out_and_the_rest_builds() {
    let shared = require_shared!();
    let root = tempdir();
    let reference = tempdir();
    let (_, branches) = publisher_layout(
        &shared.join("data/advisories"),
        root.path(),
        reference.path(),
    );
    let sources = ["go", "kev", "debian"];
    let server = PublisherServer::serve(root.path());
    let cache = tempdir();
    let db = cache.path().join("vuln.db");
    let out = publishers_update(cache.path(), &db, &server, &sources, &branches);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let before = source_counts(&info(cache.path(), &db));

    // A server error on one source: the others update, the failed one keeps its last copy.
    server.fail(&["kev/"]);
    let out = publishers_update(cache.path(), &db, &server, &sources, &branches);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("kev: update failed, kept the copy from the last update")
            && stderr.contains("HTTP 500"),
        "{stderr}"
    );
    let after = info(cache.path(), &db);
    assert_eq!(source_counts(&after), before);
    assert_eq!(after["known_exploited"], 1404);

    // Without an earlier copy the failed source is left out of the database.
    server.fail(&["go/"]);
    let fresh = tempdir();
    let fresh_db = fresh.path().join("vuln.db");
    let out = publishers_update(fresh.path(), &fresh_db, &server, &sources, &branches);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("go: update failed, left out"), "{stderr}");
    let counts = source_counts(&info(fresh.path(), &fresh_db));
    assert!(
        !counts.contains_key("go") && counts.contains_key("kev"),
        "{counts:?}"
    );

    // A truncated archive (served whole, so the transfer itself succeeds) is caught too.
    server.fail(&[]);
    let zip = root.path().join("go/Go/all.zip");
    let bytes = fs::read(&zip).unwrap();
    fs::write(&zip, &bytes[..bytes.len() / 3]).unwrap();
    let out = publishers_update(fresh.path(), &fresh_db, &server, &sources, &branches);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("go: update failed, left out") && stderr.contains("zip"),
        "{stderr}"
    );
    fs::write(&zip, &bytes).unwrap();

    // Every source failing: the previous database stays, exit code 2.
    let kept = fs::read(&db).unwrap();
    server.fail(&["go/", "kev/", "debian/"]);
    let mut args = vec![
        "db".to_string(),
        "update".into(),
        "--db".into(),
        db.to_str().unwrap().into(),
        "--source".into(),
        sources.join(","),
    ];
    for source in sources {
        args.push("--source-url".into());
        args.push(format!("{source}={}/{source}", server.url));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let err = expect_error(cache.path(), &args);
    assert!(
        err.contains("no source could be updated") && err.contains("go:"),
        "{err}"
    );
    assert_eq!(fs::read(&db).unwrap(), kept);
}

/// A server that answers every request with headers promising a megabyte, then sends one
/// byte every 100 ms: the per-read timeout never fires, only an overall deadline ends it.
fn serve_a_drip() -> String {
    use std::io::{Read as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                let mut request = Vec::new();
                let mut byte = [0u8; 1];
                while !request.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                    request.push(byte[0]);
                }
                let head = "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n";
                if stream.write_all(head.as_bytes()).is_err() {
                    return;
                }
                for _ in 0..600 {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                    if stream.write_all(b"x").is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

#[test]
fn a_download_that_never_ends_is_cut_off_by_the_timeout() {
    let drip = serve_a_drip();
    let cache = tempdir();
    let db = cache.path().join("vuln.db");
    let started = std::time::Instant::now();
    let err = expect_error(
        cache.path(),
        &[
            "db",
            "update",
            "--db",
            db.to_str().unwrap(),
            "--mirror",
            &drip,
            "--download-timeout",
            "2s",
        ],
    );
    assert!(
        err.contains("MANIFEST.json") && err.contains("download timeout (2s)"),
        "{err}"
    );
    let err = expect_error(
        cache.path(),
        &[
            "db",
            "update",
            "--db",
            db.to_str().unwrap(),
            "--source",
            "kev",
            "--source-url",
            &format!("kev={drip}"),
            "--download-timeout",
            "2s",
        ],
    );
    assert!(
        err.contains("kev: ") && err.contains("download timeout (2s)"),
        "{err}"
    );
    assert!(!db.exists());
    // Two cut-off downloads of 2 s each, not a minute of dripping.
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    let out = drydock(cache.path())
        .args([
            "db",
            "update",
            "--mirror",
            &drip,
            "--download-timeout",
            "soon",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("invalid value 'soon' for '--download-timeout"),
        "{err}"
    );
}

/// Starts `cmd` with its standard error read line by line into a channel.
fn spawn_reading_stderr(
    mut cmd: std::process::Command,
) -> (std::process::Child, std::sync::mpsc::Receiver<String>) {
    use std::io::BufRead as _;
    let mut child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    (child, rx)
}

/// Waits (up to a minute) for a line containing `needle`; the lines seen before it.
fn wait_for_line(rx: &std::sync::mpsc::Receiver<String>, needle: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return seen,
            Ok(line) => seen.push(line),
            Err(_) => break,
        }
    }
    panic!("no line with {needle:?}; got {seen:?}");
}

/// Holds the lock another drydock process would hold on `path`.
fn hold_lock(path: &std::path::Path) -> fs::File {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .unwrap();
    file.lock().unwrap();
    file
}

#[test]
fn a_second_update_waits_for_the_running_one() {
    let shared = require_shared!();
    let mirror_dir = tempdir();
    make_mirror(&shared, mirror_dir.path());
    let mirror = Mirror::serve(mirror_dir.path(), None);
    let cache = tempdir();
    let db = cache.path().join("vuln.db");
    // Another update holds the staging folder (drydock's cache `feeds/`).
    let held = hold_lock(&cache.path().join("feeds/.lock"));
    let mut update = drydock_process(cache.path());
    update.args([
        "db",
        "update",
        "--db",
        db.to_str().unwrap(),
        "--mirror",
        &mirror.url,
    ]);
    let (mut child, lines) = spawn_reading_stderr(update);
    wait_for_line(&lines, "waiting for another drydock process");
    assert!(
        child.try_wait().unwrap().is_none(),
        "it went on without the lock"
    );
    assert_eq!(mirror.requests(), 0, "nothing is fetched while waiting");
    drop(held);
    assert!(child.wait().unwrap().success());
    assert_eq!(mirror.requests(), 4);
    assert!(db_info(cache.path(), &db)["advisories"].as_u64().unwrap() > 1000);
}

#[test]
fn scans_waiting_on_a_first_use_build_use_its_database() {
    let shared = require_shared!();
    let cache = tempdir();
    let db = cache.path().join("vuln.db");
    let feeds = shared.join("data/advisories/debian-changelog");
    let image = shared.join("images/scanlab-debian-bookworm.oci.tar");
    // A scan that finds no database builds one under `<db>.lock`; one started meanwhile
    // waits, then uses what the first built instead of building it again.
    let held = hold_lock(&cache.path().join("vuln.db.lock"));
    let mut scan = drydock_process(cache.path());
    scan.args(["--scanners", "vuln", "--db", db.to_str().unwrap()])
        .args(["--feeds", feeds.to_str().unwrap()])
        .args(["image", "--input", image.to_str().unwrap()]);
    let (mut child, lines) = spawn_reading_stderr(scan);
    wait_for_line(&lines, "waiting for another drydock process");
    // What the lock holder makes: built aside (a `db build` of this path would wait on the
    // same lock), then moved into place before the lock goes.
    let made = cache.path().join("made.db");
    drydock(cache.path())
        .args(["db", "build", "--db", made.to_str().unwrap(), "--from"])
        .arg(&feeds)
        .assert()
        .success();
    fs::rename(&made, &db).unwrap();
    drop(held);
    assert!(child.wait().unwrap().success());
    // Every line the scan printed (the reader ends when the pipe closes).
    let rest: Vec<String> = lines.iter().collect();
    assert!(
        !rest
            .iter()
            .any(|l| l.contains("no vulnerability database yet")),
        "the waiting scan built the database again: {rest:?}"
    );
}
