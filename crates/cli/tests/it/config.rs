//! The configuration file: settings by flag name, precedence flag > environment > file >
//! default, and `drydock config --generate` round-trips.

use std::path::Path;

use serde_json::Value;

use crate::common::{drydock, expect_error, tempdir};

const DOCKERFILE: &str = "FROM debian:12\nMAINTAINER someone@example.invalid\nRUN apt update\n";

fn rule_ids(stdout: &[u8]) -> Vec<String> {
    let check: Value = serde_json::from_slice(stdout).expect("JSON report");
    check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect()
}

fn setup(dir: &Path, config: &str) {
    std::fs::write(dir.join("Dockerfile"), DOCKERFILE).unwrap();
    std::fs::write(dir.join("drydock.yaml"), config).unwrap();
}

#[test]
fn working_directory_file_turns_rules_off_and_picks_the_format() {
    let dir = tempdir();
    setup(dir.path(), "format: json\ndisable-rules: [DD001, dd007]\n");
    let out = drydock(dir.path())
        .current_dir(dir.path())
        .args(["dockerfile", "Dockerfile"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ids = rule_ids(&out.stdout);
    assert!(!ids.contains(&"DD001".to_string()), "{ids:?}");
    assert!(!ids.contains(&"DD007".to_string()), "{ids:?}");
    assert!(ids.contains(&"DD002".to_string()), "{ids:?}");
}

#[test]
fn flags_beat_environment_beats_file() {
    let dir = tempdir();
    setup(
        dir.path(),
        "format: table\nexit_code: 5\ndisable:\n  rules: DD001\n",
    );
    let run = |env: Option<&str>, flag: Option<&str>| {
        let mut cmd = drydock(dir.path());
        cmd.current_dir(dir.path());
        if let Some(code) = env {
            cmd.env("DRYDOCK_EXIT_CODE", code);
        }
        if let Some(code) = flag {
            cmd.args(["--exit-code", code]);
        }
        let out = cmd.args(["dockerfile", "Dockerfile"]).output().unwrap();
        // The file's table format and nested `disable: {rules: …}` apply throughout.
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(text.contains("Build instructions"), "{text}");
        assert!(!text.contains("DD001"), "{text}");
        out.status.code().unwrap()
    };
    assert_eq!(run(None, None), 5);
    assert_eq!(run(Some("6"), None), 6);
    assert_eq!(run(Some("6"), Some("7")), 7);
}

#[test]
fn named_file_errors_are_one_line() {
    let dir = tempdir();
    setup(dir.path(), "severty: [HIGH]\n");
    let line = expect_error(
        dir.path(),
        &[
            "--config",
            dir.path().join("drydock.yaml").to_str().unwrap(),
            "dockerfile",
            "x",
        ],
    );
    assert!(line.contains("unknown setting \"severty\""), "{line}");
    let line = expect_error(
        dir.path(),
        &["--config", "/nonexistent/drydock.yaml", "dockerfile", "x"],
    );
    assert!(line.contains("not found"), "{line}");
    std::fs::write(dir.path().join("bad.yaml"), "format: [json\n").unwrap();
    let line = expect_error(
        dir.path(),
        &[
            "--config",
            dir.path().join("bad.yaml").to_str().unwrap(),
            "dockerfile",
            "x",
        ],
    );
    assert!(line.contains("parsing configuration file"), "{line}");
}

#[test]
fn generated_configuration_loads_back() {
    let dir = tempdir();
    let out = drydock(dir.path())
        .args(["config", "--generate"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for setting in [
        "scanners:",
        "severity:",
        "exit-code: 0",
        "disable-rules:",
        "secret-config:",
    ] {
        assert!(
            text.contains(&format!("# {setting}")),
            "{setting} missing:\n{text}"
        );
    }
    // Uncommenting every setting gives a file that loads (empty ones mean "default").
    let uncommented: String = text
        .lines()
        .filter(|l| {
            let body = l.trim_start_matches("# ");
            l.starts_with("# ")
                && body.split(':').next().is_some_and(|k| {
                    !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                })
                && body.contains(':')
        })
        .map(|l| format!("{}\n", l.trim_start_matches("# ")))
        .collect();
    assert!(uncommented.lines().count() > 15, "{uncommented}");
    setup(dir.path(), &uncommented);
    let out = drydock(dir.path())
        .current_dir(dir.path())
        .args(["--format", "json", "dockerfile", "Dockerfile"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{uncommented}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(rule_ids(&out.stdout).contains(&"DD001".to_string()));
}

#[test]
fn odd_values_are_errors_not_crashes() {
    let dir = tempdir();
    for (text, want) in [
        ("output: [{sarif: x.sarif}]\n", "a list holds plain values"),
        ("db: \"a\\0b\"\n", "NUL"),
        ("severity: [[HIGH]]\n", "a list holds plain values"),
        (
            "format: [json, sarif]\n",
            "format: takes one value, not a list",
        ),
    ] {
        setup(dir.path(), text);
        let out = drydock(dir.path())
            .current_dir(dir.path())
            .args(["dockerfile", "Dockerfile"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{text}: {stderr}");
        assert!(
            stderr.contains(want) && !stderr.contains("panicked"),
            "{text}: {stderr}"
        );
    }
}

#[test]
fn report_files_may_have_commas_in_their_names() {
    let dir = tempdir();
    // A list in the file writes each report; a comma inside a name is part of the name.
    setup(
        dir.path(),
        "output:\n  - json=scan,1.json\n  - sarif=scan,1.sarif\n",
    );
    let out = drydock(dir.path())
        .current_dir(dir.path())
        .args(["dockerfile", "Dockerfile"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("scan,1.json")).unwrap()).unwrap();
    assert!(json["findings"].is_array());
    let sarif: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("scan,1.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    // And on the command line, where the flag repeats instead.
    std::fs::remove_file(dir.path().join("drydock.yaml")).unwrap();
    let out = drydock(dir.path())
        .current_dir(dir.path())
        .args(["-o", "table=a,b.txt", "dockerfile", "Dockerfile"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let table = std::fs::read_to_string(dir.path().join("a,b.txt")).unwrap();
    assert!(table.contains("DD001"), "{table}");
}
