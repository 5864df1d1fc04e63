//! Prints the findings for Dockerfiles (or, with `--history`, image config JSON files) as
//! JSON lines: `{"file": …, "findings": […]}` or `{"file": …, "error": …}`.
//!
//!   cargo run --release -p drydock-dockerfile --example check -- FILE…

use std::process::ExitCode;
use std::time::Instant;

use drydock_dockerfile::{check, from_history, parse, CheckConfig, HistoryInput};

fn main() -> ExitCode {
    let mut history = false;
    let mut files = Vec::new();
    for argument in std::env::args().skip(1) {
        match argument.as_str() {
            "--history" => history = true,
            _ => files.push(argument),
        }
    }
    if files.is_empty() {
        eprintln!("usage: check [--history] FILE…");
        return ExitCode::from(2);
    }
    let config = CheckConfig::default();
    let mut failed = false;
    for file in files {
        let started = Instant::now();
        let bytes = match std::fs::read(&file) {
            Ok(bytes) => bytes,
            Err(error) => {
                eprintln!("{file}: {error}");
                failed = true;
                continue;
            }
        };
        let result = if history {
            HistoryInput::from_image_config(&bytes)
                .map(|input| from_history(&input))
                .map_err(|error| error.to_string())
        } else {
            parse(&String::from_utf8_lossy(&bytes)).map_err(|error| error.to_string())
        };
        let line = match result {
            Ok(dockerfile) => {
                let findings = check(&dockerfile, &config);
                serde_json::json!({
                    "file": file,
                    "micros": started.elapsed().as_micros() as u64,
                    "instructions": dockerfile.instructions.len(),
                    "warnings": dockerfile.warnings,
                    "findings": findings,
                })
            }
            Err(error) => {
                failed = true;
                serde_json::json!({ "file": file, "error": error })
            }
        };
        println!("{line}");
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
