//! Shared test plumbing: locating `../shared`, running the binary with its own cache,
//! and normalizing summaries so different sources of one image compare equal.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;
use serde_json::Value;

fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Skips (prints why) when something a test needs is missing on a user's machine; under
/// CI a missing piece fails the run instead, so a broken setup cannot pass silently.
pub fn skip_or_fail(reason: &str) {
    if under_ci() {
        panic!("required under CI: {reason}");
    }
    eprintln!("SKIPPED: {reason}");
}

/// The project's `../shared` folder (or `$DRYDOCK_SHARED`).
pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("DRYDOCK_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    if dir.join("images").is_dir() {
        return Some(dir.canonicalize().expect("canonical shared dir"));
    }
    skip_or_fail(&format!(
        "shared fixtures not found at {} (set DRYDOCK_SHARED)",
        dir.display()
    ));
    None
}

macro_rules! require_shared {
    () => {
        match $crate::common::shared_dir() {
            Some(dir) => dir,
            None => return,
        }
    };
}
pub(crate) use require_shared;

/// Whether an external program is installed (skips or fails as above when not).
pub fn have_tool(name: &str) -> bool {
    let found = StdCommand::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        skip_or_fail(&format!("{name} is not installed (.ci/run installs it)"));
    }
    found
}

/// A drydock command with its own cache and no inherited configuration.
pub fn drydock(cache: &Path) -> Command {
    Command::from_std(drydock_process(cache))
}

/// [`drydock`] as a plain process, for tests that watch it while it runs.
pub fn drydock_process(cache: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("drydock"));
    for (key, _) in std::env::vars() {
        if key.starts_with("DRYDOCK_")
            || matches!(
                key.as_str(),
                "DOCKER_CONFIG" | "REGISTRY_AUTH_FILE" | "DOCKER_HOST" | "CONTAINER_HOST"
            )
        {
            cmd.env_remove(key);
        }
    }
    // Keep the user's real Docker/Podman logins out of the tests.
    cmd.env("DOCKER_CONFIG", cache.join("no-docker-config"));
    cmd.env("XDG_RUNTIME_DIR", cache.join("no-runtime-dir"));
    cmd.env("DRYDOCK_CACHE_DIR", cache);
    // Image-reading tests need no vulnerability database; vulnerability tests pass
    // `--scanners vuln`, which overrides this.
    cmd.env("DRYDOCK_SCANNERS", "sbom");
    // Names are pulled from their registry, never from an engine that happens to run on
    // the test machine; the engine tests say otherwise.
    cmd.env("DRYDOCK_IMAGE_SRC", "remote");
    cmd
}

/// Runs drydock and returns its JSON summary, failing with its stderr when it fails.
pub fn summary(cache: &Path, args: &[&str]) -> Value {
    json_report(
        drydock(cache)
            .args(args)
            .args(["--format", "json"])
            .output()
            .unwrap(),
    )
}

/// The JSON report of a run that must have succeeded (its stderr in the failure).
pub fn json_report(out: std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "drydock failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

/// The JSON summary of the image file or layout at `input`.
pub fn scan(cache: &Path, input: &Path) -> Value {
    summary(
        cache,
        &["image", "--input", input.to_str().expect("UTF-8 path")],
    )
}

/// Runs drydock expecting an input error: exit 2 and one line on stderr. Returns that line.
pub fn expect_error(cache: &Path, args: &[&str]) -> String {
    let out = drydock(cache).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(2),
        "drydock {args:?}: expected exit 2, stderr: {stderr}"
    );
    assert!(
        out.stdout.is_empty(),
        "no report on error, got: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line of error expected, got: {stderr}");
    assert!(lines[0].starts_with("drydock: error: "), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    lines[0].to_string()
}

/// The parts of a summary that describe the image itself, not where it was read from:
/// equal for the same image whatever the source.
pub fn image_facts(summary: &Value) -> Value {
    let mut v = summary.clone();
    let obj = v.as_object_mut().unwrap();
    for key in [
        "source",
        "location",
        "name",
        "manifest_digest",
        "index_digest",
    ] {
        obj.remove(key);
    }
    for layer in obj["layers"].as_array_mut().unwrap() {
        let layer = layer.as_object_mut().unwrap();
        for key in ["digest", "media_type", "blob_size"] {
            layer.remove(key);
        }
    }
    v
}

pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

pub fn schema(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/schemas")
        .join(name);
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Validates `document` against one of testdata/schemas (see SOURCES.md there).
pub fn validate(document: &Value, schema_name: &str) {
    // bom-1.6 refers to two sibling schemas by URI; serve them from the local copies.
    let spdx_ids = schema("spdx.schema.json");
    let jsf = schema("jsf-0.82.schema.json");
    let registry = jsonschema::Registry::new()
        .add("http://cyclonedx.org/schema/spdx.schema.json", &spdx_ids)
        .unwrap()
        .add("http://cyclonedx.org/schema/jsf-0.82.schema.json", &jsf)
        .unwrap()
        .prepare()
        .unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .with_registry(&registry)
        .build(&schema(schema_name))
        .expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(document)
        .take(10)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{schema_name} validation failed:\n{}",
        errors.join("\n")
    );
}

/// Validates a `--format json` report against drydock's own published schema
/// (docs/report.schema.json).
pub fn validate_report(report: &Value) {
    let errors = report_schema_errors(report);
    assert!(
        errors.is_empty(),
        "report.schema.json validation failed:\n{}",
        errors.join("\n")
    );
}

/// What docs/report.schema.json finds wrong with `report`.
pub fn report_schema_errors(report: &Value) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/report.schema.json");
    let schema: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("report schema compiles");
    validator
        .iter_errors(report)
        .take(10)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}
