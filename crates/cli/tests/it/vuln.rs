//! Vulnerability scans through the binary: the printed fix really fixes (run with apt in a
//! chroot of the image's own filesystem), gating by exit code, SBOM re-matching, and the
//! database's first use, export and import.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;
use std::sync::OnceLock;

use serde_json::Value;

use crate::common::{drydock, expect_error, require_shared, skip_or_fail, tempdir};

/// A database of the Debian changelog, PyPI and npm feeds, built once per test run.
pub(crate) fn shared_db(shared: &Path) -> PathBuf {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("it-vuln.db");
        let feeds = shared.join("data/advisories");
        let cache = tempdir();
        let out = drydock(cache.path())
            .args(["db", "build", "--db", path.to_str().unwrap(), "--from"])
            .args(["debian-changelog", "pypi", "npm", "ghsa", "kev"].map(|s| feeds.join(s)))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        path
    })
    .clone()
}

/// `drydock --scanners vuln --format json ARGS` with the shared database.
fn vuln_scan(cache: &Path, db: &Path, args: &[&str]) -> (Value, Option<i32>) {
    let out = drydock(cache)
        .args([
            "--scanners",
            "vuln",
            "--format",
            "json",
            "--db",
            db.to_str().unwrap(),
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c != 2),
        "drydock {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        serde_json::from_slice(&out.stdout).expect("JSON report"),
        out.status.code(),
    )
}

fn ids(report: &Value, class: &str) -> Vec<String> {
    let mut ids: Vec<String> = report["vulnerability_scan"]["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["class"] == class)
        .map(|v| {
            format!(
                "{} {}",
                v["package"]["name"].as_str().unwrap(),
                v["id"].as_str().unwrap()
            )
        })
        .collect();
    ids.sort();
    ids
}

/// Unmounts what a chroot needed, whatever happens to the test.
struct Mounts(Vec<PathBuf>);

impl Drop for Mounts {
    fn drop(&mut self) {
        for path in self.0.iter().rev() {
            let _ = StdCommand::new("umount").arg("-l").arg(path).status();
        }
    }
}

fn run(cmd: &mut StdCommand) -> std::process::Output {
    cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"))
}

/// Unpacks the shared bookworm image into `dest` with the image set's own unpacker.
fn unpack_bookworm(shared: &Path, work: &Path) -> PathBuf {
    let layout = work.join("layout");
    let rootfs = work.join("rootfs");
    fs::create_dir_all(&layout).unwrap();
    let out = run(StdCommand::new("tar")
        .arg("-xf")
        .arg(shared.join("images/scanlab-debian-bookworm.oci.tar"))
        .arg("-C")
        .arg(&layout));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(StdCommand::new("python3")
        .arg(shared.join("images/tools/ocibuild.py"))
        .args(["unpack", "--layout"])
        .arg(&layout)
        .args(["--ref", "bookworm", "--dest"])
        .arg(&rootfs));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    rootfs
}

/// Points the image's apt at the mirror this machine's own apt uses (the image ships a
/// placeholder host), with this machine's network settings for apt.
fn use_host_apt_sources(rootfs: &Path) {
    let sources = rootfs.join("etc/apt/sources.list.d");
    for entry in fs::read_dir(&sources).unwrap() {
        fs::remove_file(entry.unwrap().path()).unwrap();
    }
    let mut copied = 0;
    if let Ok(list) = fs::read("/etc/apt/sources.list") {
        fs::write(rootfs.join("etc/apt/sources.list"), list).unwrap();
        copied += 1;
    }
    for entry in fs::read_dir("/etc/apt/sources.list.d")
        .into_iter()
        .flatten()
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".sources") || name.ends_with(".list") {
            fs::copy(entry.path(), sources.join(&name)).unwrap();
            copied += 1;
        }
    }
    assert!(copied > 0, "this machine has no apt sources to borrow");
    // Proxy and date-check settings, but no hooks that run host programs.
    for entry in fs::read_dir("/etc/apt/apt.conf.d")
        .into_iter()
        .flatten()
        .flatten()
    {
        let text = fs::read_to_string(entry.path()).unwrap_or_default();
        if text.contains("Acquire::") && !text.contains("Invoke") {
            fs::write(
                rootfs.join("etc/apt/apt.conf.d").join(entry.file_name()),
                text,
            )
            .unwrap();
        }
    }
    if let Ok(resolv) = fs::read("/etc/resolv.conf") {
        let _ = fs::remove_file(rootfs.join("etc/resolv.conf"));
        fs::write(rootfs.join("etc/resolv.conf"), resolv).unwrap();
    }
}

/// The promise of the fix command: run as printed, with apt, in the image's own
/// filesystem, against the mirror this machine uses — and the findings it claims to fix
/// are gone from a rescan.
#[test]
fn the_printed_apt_fix_clears_the_findings() {
    let shared = require_shared!();
    let is_root = run(StdCommand::new("id").arg("-u")).stdout == b"0\n";
    if !is_root || !Path::new("/usr/sbin/chroot").exists() || !Path::new("/etc/apt").is_dir() {
        skip_or_fail("the apt fix test needs root, chroot and apt (a Debian machine)");
        return;
    }
    let db = shared_db(&shared);
    let cache = tempdir();
    let (before, _) = vuln_scan(
        cache.path(),
        &db,
        &[
            "image",
            "--input",
            shared
                .join("images/scanlab-debian-bookworm.oci.tar")
                .to_str()
                .unwrap(),
        ],
    );
    let fix = &before["vulnerability_scan"]["os_fix"];
    let command = fix["command"].as_str().expect("a fix command").to_string();
    let fixable: Vec<String> = before["vulnerability_scan"]["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["status"] == "fixed")
        .map(|v| {
            format!(
                "{} {}",
                v["package"]["name"].as_str().unwrap(),
                v["id"].as_str().unwrap()
            )
        })
        .collect();
    assert!(!fixable.is_empty());

    let work = tempdir();
    let rootfs = unpack_bookworm(&shared, work.path());
    use_host_apt_sources(&rootfs);
    let output = {
        let mut mounts = Mounts(Vec::new());
        for (what, args) in [
            ("dev", vec!["--bind", "/dev"]),
            ("proc", vec!["-t", "proc", "proc"]),
        ] {
            let target = rootfs.join(what);
            fs::create_dir_all(&target).unwrap();
            let out = run(StdCommand::new("mount").args(&args).arg(&target));
            assert!(
                out.status.success(),
                "mount {what}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            mounts.0.push(target);
        }
        run(StdCommand::new("chroot")
            .arg(&rootfs)
            .args(["/bin/sh", "-c", &command])
            .env_clear()
            .env(
                "PATH",
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            )
            .env("DEBIAN_FRONTEND", "noninteractive"))
    };
    assert!(
        output.status.success(),
        "{command}\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );

    let (after, _) = vuln_scan(cache.path(), &db, &["rootfs", rootfs.to_str().unwrap()]);
    let remaining: Vec<String> = ids(&after, "os")
        .into_iter()
        .filter(|id| fixable.contains(id))
        .collect();
    assert!(
        remaining.is_empty(),
        "still reported after `{command}`: {remaining:?}"
    );
    // The upgraded packages are still installed: the rescan above shows them fixed.
    let status = fs::read_to_string(rootfs.join("var/lib/dpkg/status")).unwrap();
    for change in fix["changes"].as_array().unwrap() {
        let name = change["name"].as_str().unwrap();
        let stanza = status
            .split("\n\n")
            .find(|s| s.lines().any(|l| l == format!("Package: {name}")))
            .unwrap_or_else(|| panic!("{name} no longer installed"));
        assert!(stanza.contains("Status: install ok installed"), "{stanza}");
    }
}

#[test]
fn exit_code_gates_on_the_shown_findings() {
    let shared = require_shared!();
    let db = shared_db(&shared);
    let cache = tempdir();
    let image = shared.join("images/scanlab-acme-shop-1.4.2.oci.tar");
    let image = image.to_str().unwrap();
    let (report, code) = vuln_scan(
        cache.path(),
        &db,
        &["image", "--input", image, "--exit-code", "5"],
    );
    assert_eq!(code, Some(5));
    assert!(
        !ids(&report, "library").is_empty(),
        "acme-shop's npm/PyPI findings"
    );
    // Only CRITICAL: minimist's prototype pollution (CVE-2021-44906) still gates.
    let (critical, code) = vuln_scan(
        cache.path(),
        &db,
        &[
            "image",
            "--input",
            image,
            "--exit-code",
            "5",
            "--severity",
            "CRITICAL",
        ],
    );
    assert_eq!(code, Some(5));
    assert!(critical["vulnerability_scan"]["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .all(|v| v["severity"] == "CRITICAL"));
    // OS packages only, and nothing at NEGLIGIBLE: no findings, exit 0.
    let (_, code) = vuln_scan(
        cache.path(),
        &db,
        &[
            "image",
            "--input",
            image,
            "--exit-code",
            "5",
            "--severity",
            "NEGLIGIBLE",
            "--pkg-types",
            "os",
        ],
    );
    assert_eq!(code, Some(0));
}

#[test]
fn an_sbom_is_matched_like_the_image() {
    let shared = require_shared!();
    let db = shared_db(&shared);
    let cache = tempdir();
    let image = shared.join("images/scanlab-acme-shop-1.4.2.oci.tar");
    let (direct, _) = vuln_scan(
        cache.path(),
        &db,
        &["image", "--input", image.to_str().unwrap()],
    );
    for format in ["cyclonedx", "spdx-json"] {
        let sbom = cache.path().join(format!("acme.{format}.json"));
        let out = drydock(cache.path())
            .args([
                "--scanners",
                "sbom",
                "--format",
                format,
                "--output",
                sbom.to_str().unwrap(),
            ])
            .args(["image", "--input", image.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (matched, _) = vuln_scan(cache.path(), &db, &["sbom", sbom.to_str().unwrap()]);
        assert_eq!(
            ids(&matched, "os"),
            ids(&direct, "os"),
            "{format}: OS findings"
        );
        assert_eq!(
            ids(&matched, "library"),
            ids(&direct, "library"),
            "{format}: library findings"
        );
        assert_eq!(
            matched["vulnerability_scan"]["os_fix"]["command"],
            direct["vulnerability_scan"]["os_fix"]["command"]
        );
    }
    let not_sbom = cache.path().join("not-an-sbom.json");
    fs::write(&not_sbom, b"{\"hello\": 1}").unwrap();
    let err = expect_error(
        cache.path(),
        &[
            "sbom",
            not_sbom.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
            "--scanners",
            "vuln",
        ],
    );
    assert!(err.contains("not a CycloneDX or SPDX"), "{err}");
}

#[test]
fn database_first_use_export_and_import() {
    let shared = require_shared!();
    let cache = tempdir();
    let image = shared.join("images/scanlab-debian-bookworm.oci.tar");
    let image = image.to_str().unwrap();
    // No database and nothing to build it from: a clear error, not "0 vulnerabilities".
    let err = expect_error(
        cache.path(),
        &["--scanners", "vuln", "image", "--input", image],
    );
    assert!(err.contains("db build"), "{err}");
    // With --feeds, the first scan builds it.
    let feeds = shared.join("data/advisories/debian-changelog");
    let out = drydock(cache.path())
        .args([
            "--scanners",
            "vuln",
            "--format",
            "json",
            "--feeds",
            feeds.to_str().unwrap(),
        ])
        .args(["image", "--input", image])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!ids(&first, "os").is_empty());

    // Export, import elsewhere, same findings.
    let exported = cache.path().join("exported.db");
    let out = drydock(cache.path())
        .args(["db", "export"])
        .arg(&exported)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let other = tempdir();
    let out = drydock(other.path())
        .args(["db", "import"])
        .arg(&exported)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = drydock(other.path())
        .args([
            "--scanners",
            "vuln",
            "--format",
            "json",
            "image",
            "--input",
            image,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let second: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ids(&second, "os"), ids(&first, "os"));

    // A damaged file is refused and the installed database stays.
    let garbage = cache.path().join("garbage.db");
    fs::write(&garbage, vec![7u8; 4096]).unwrap();
    let err = expect_error(other.path(), &["db", "import", garbage.to_str().unwrap()]);
    assert!(
        err.contains("not a drydock vulnerability database"),
        "{err}"
    );
    let out = drydock(other.path())
        .args(["--format", "json", "db", "info"])
        .output()
        .unwrap();
    assert!(out.status.success());
}

/// A package URL without version and qualifiers.
fn purl_base(purl: &str) -> &str {
    let purl = purl.split(['?', '#']).next().unwrap();
    match purl.rfind('@') {
        Some(at) if at > purl.rfind('/').unwrap_or(0) => &purl[..at],
        _ => purl,
    }
}

#[test]
fn vex_statements_and_ignore_rules_accept_vulnerabilities() {
    let shared = require_shared!();
    let db = shared_db(&shared);
    let cache = tempdir();
    let image = shared.join("images/scanlab-acme-shop-1.4.2.oci.tar");
    let image = image.to_str().unwrap();
    let (before, _) = vuln_scan(cache.path(), &db, &["image", "--input", image]);
    let vulns = before["vulnerability_scan"]["vulnerabilities"]
        .as_array()
        .unwrap();
    let os = vulns
        .iter()
        .find(|v| v["class"] == "os")
        .expect("an OS finding");
    let app = vulns
        .iter()
        .find(|v| v["class"] != "os")
        .expect("an application finding");
    let (os_id, os_purl) = (
        os["id"].as_str().unwrap(),
        os["package"]["purl"].as_str().unwrap(),
    );
    let (app_id, app_name) = (
        app["id"].as_str().unwrap(),
        app["package"]["name"].as_str().unwrap(),
    );
    let same = |v: &Value, id: &str, purl: &str| {
        v["id"] == id && purl_base(v["package"]["purl"].as_str().unwrap()) == purl_base(purl)
    };
    let vex = cache.path().join("vex.json");
    fs::write(
        &vex,
        serde_json::to_vec(&serde_json::json!({
            "@context": "https://openvex.dev/ns/v0.2.0",
            "@id": "https://example.invalid/vex/1",
            "author": "test",
            "timestamp": "2026-01-01T00:00:00Z",
            "version": 1,
            "statements": [
                // An image read from a file has no repository: the package itself is the product.
                {"vulnerability": {"name": os_id}, "products": [{"@id": os_purl}],
                 "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"},
                // "affected" is a statement, not an acceptance: it suppresses nothing.
                {"vulnerability": {"name": app_id}, "status": "affected",
                 "action_statement": "upgrade"}
            ]
        }))
        .unwrap(),
    )
    .unwrap();
    let ignore = cache.path().join("accepted");
    fs::write(
        &ignore,
        format!("{app_id} pkg={app_name} # reviewed by security\nCVE-1999-0001 exp:2020-01-01\n"),
    )
    .unwrap();
    let (after, _) = vuln_scan(
        cache.path(),
        &db,
        &[
            "--vex",
            vex.to_str().unwrap(),
            "--ignorefile",
            ignore.to_str().unwrap(),
            "image",
            "--input",
            image,
        ],
    );
    let left = after["vulnerability_scan"]["vulnerabilities"]
        .as_array()
        .unwrap();
    assert!(
        !left.iter().any(|v| same(v, os_id, os_purl)),
        "VEX not applied"
    );
    assert!(!left
        .iter()
        .any(|v| v["id"] == app_id && v["package"]["name"] == app_name));
    let suppressed = after["suppressed"].as_array().unwrap();
    let by_vex = suppressed.iter().find(|s| s["id"] == os_id).unwrap();
    assert_eq!(by_vex["by"], "vex");
    assert_eq!(
        by_vex["justification"],
        "vulnerable_code_not_in_execute_path"
    );
    let by_ignore = suppressed.iter().find(|s| s["id"] == app_id).unwrap();
    assert_eq!(by_ignore["by"], "ignore");
    assert_eq!(by_ignore["reason"], "reviewed by security");
    assert!(by_ignore["origin"]
        .as_str()
        .unwrap()
        .ends_with("accepted:1"));
    assert_eq!(left.len() + suppressed.len(), vulns.len());
    assert_eq!(after["expired_ignores"].as_array().unwrap().len(), 1);
}

#[test]
fn vulnerability_formats_carry_the_findings_and_decisions() {
    let shared = require_shared!();
    let db = shared_db(&shared);
    let cache = tempdir();
    let image = shared.join("images/scanlab-acme-shop-1.4.2.oci.tar");
    let image = image.to_str().unwrap();
    let run = |format: &str, extra: &[&str]| -> Value {
        let out = drydock(cache.path())
            .args([
                "--scanners",
                "vuln",
                "--db",
                db.to_str().unwrap(),
                "--format",
                format,
            ])
            .args(extra)
            .args(["image", "--input", image])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let report = run("json", &[]);
    let vulns = report["vulnerability_scan"]["vulnerabilities"]
        .as_array()
        .unwrap();
    assert!(vulns.len() > 10);

    // GitLab: every vulnerability, with its package and identifiers.
    let gitlab = run("gitlab", &[]);
    assert_eq!(gitlab["scan"]["type"], "container_scanning");
    let gl = gitlab["vulnerabilities"].as_array().unwrap();
    assert_eq!(gl.len(), vulns.len());
    let ids: std::collections::BTreeSet<&str> =
        gl.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), gl.len(), "unique ids");
    for v in gl {
        assert!(v["location"]["dependency"]["package"]["name"]
            .as_str()
            .is_some_and(|n| !n.is_empty()));
        assert!(matches!(
            v["severity"].as_str(),
            Some("Critical" | "High" | "Medium" | "Low" | "Info" | "Unknown")
        ));
        assert!(!v["identifiers"].as_array().unwrap().is_empty());
    }

    // OpenVEX export: one affected statement per finding, with the action.
    let vex = run("openvex", &[]);
    let statements = vex["statements"].as_array().unwrap();
    assert_eq!(statements.len(), vulns.len());
    assert!(statements
        .iter()
        .all(|s| s["status"] == "affected" && s["action_statement"].is_string()));
    // Deciding on the exported document and feeding it back suppresses exactly that one.
    let mut decided = vex.clone();
    let first = decided["statements"][0].clone();
    decided["statements"] = serde_json::json!([{
        "vulnerability": first["vulnerability"],
        "products": first["products"],
        "status": "not_affected",
        "justification": "vulnerable_code_not_in_execute_path",
    }]);
    let decisions = cache.path().join("decisions.openvex.json");
    fs::write(&decisions, serde_json::to_vec(&decided).unwrap()).unwrap();
    let vex_arg = ["--vex", decisions.to_str().unwrap()];
    let after = run("json", &vex_arg);
    let suppressed = after["suppressed"].as_array().unwrap();
    assert!(!suppressed.is_empty());
    assert_eq!(
        after["vulnerability_scan"]["vulnerabilities"]
            .as_array()
            .unwrap()
            .len()
            + suppressed.len(),
        vulns.len()
    );

    // CycloneDX: valid 1.6 with every finding tied to a component, decisions as analysis.
    let bom = run("cyclonedx", &vex_arg);
    crate::common::validate(&bom, "bom-1.6.schema.json");
    let refs: std::collections::BTreeSet<&str> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["bom-ref"].as_str().unwrap())
        .collect();
    let bom_vulns = bom["vulnerabilities"].as_array().unwrap();
    assert_eq!(bom_vulns.len(), vulns.len());
    for v in bom_vulns {
        let target = v["affects"][0]["ref"].as_str().unwrap();
        assert!(refs.contains(target), "{target}");
    }
    let accepted: Vec<&Value> = bom_vulns
        .iter()
        .filter(|v| v["analysis"]["state"] == "not_affected")
        .collect();
    assert_eq!(accepted.len(), suppressed.len());
    assert_eq!(
        accepted[0]["analysis"]["justification"],
        "code_not_reachable"
    );
    // And the exported OpenVEX now states the decision too.
    let vex = run("openvex", &vex_arg);
    assert!(vex["statements"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["status"] == "not_affected"
            && s["justification"] == "vulnerable_code_not_in_execute_path"));
}

#[test]
fn a_vex_document_opens_a_gated_scan() {
    let shared = require_shared!();
    let db = shared_db(&shared);
    let cache = tempdir();
    let image = shared.join("images/scanlab-acme-shop-1.4.2.oci.tar");
    let gate = [
        "--severity",
        "CRITICAL",
        "--exit-code",
        "5",
        "image",
        "--input",
        image.to_str().unwrap(),
    ];
    let (report, code) = vuln_scan(cache.path(), &db, &gate);
    assert_eq!(code, Some(5));
    let critical = report["vulnerability_scan"]["vulnerabilities"]
        .as_array()
        .unwrap();
    assert!(!critical.is_empty());
    // One not_affected statement per critical finding, for its package only.
    let statements: Vec<Value> = critical
        .iter()
        .map(|v| {
            serde_json::json!({
                "vulnerability": {"name": v["id"]},
                "products": [{"@id": v["package"]["purl"]}],
                "status": "not_affected",
                "justification": "vulnerable_code_not_in_execute_path",
            })
        })
        .collect();
    let vex = cache.path().join("triage.openvex.json");
    fs::write(
        &vex,
        serde_json::to_vec(&serde_json::json!({
            "@context": "https://openvex.dev/ns/v0.2.0",
            "@id": "https://example.invalid/vex/triage",
            "author": "security team",
            "timestamp": "2026-11-01T00:00:00Z",
            "version": 1,
            "statements": statements,
        }))
        .unwrap(),
    )
    .unwrap();
    let mut args = vec!["--vex", vex.to_str().unwrap()];
    args.extend(gate);
    let (after, code) = vuln_scan(cache.path(), &db, &args);
    assert_eq!(
        code,
        Some(0),
        "{:#}",
        after["vulnerability_scan"]["vulnerabilities"]
    );
    assert_eq!(
        after["suppressed"].as_array().unwrap().len(),
        critical.len()
    );
}
