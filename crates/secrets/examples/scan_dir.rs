//! Scans a directory tree (an unpacked image filesystem) with the secret analyzer, files
//! in parallel, and prints the findings as JSON on stdout and a summary on stderr.
//!
//! cargo run --release -p drydock-secrets --example scan_dir -- [--config FILE] [--no-skip]
//!     [--as IMAGE_PATH] [--md5sums DPKG_INFO_DIR] DIR
//!
//! `--no-skip` reads every file, as `gitleaks dir` does (no skipped trees or extensions).

use std::path::{Path, PathBuf};
use std::time::Instant;

use drydock_image::{Analysis, FileAnalysis, FileAnalyzer, LayerFacts, MergedView};
use drydock_secrets::{SecretAnalyzer, SecretConfig};
use rayon::prelude::*;

struct Options {
    config: SecretConfig,
    root: PathBuf,
    /// The image path DIR stands for (`/` for an unpacked image, `/usr` for a host /usr).
    mount: String,
    /// A dpkg `info` directory whose `*.md5sums` say which files are the packages' own.
    md5sums: Option<PathBuf>,
}

fn parse_args() -> Result<Options, String> {
    let mut config = SecretConfig::default();
    let mut root = None;
    let mut no_skip = false;
    let mut mount = String::from("/");
    let mut md5sums = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--config" => {
                let path = args.next().ok_or("--config needs a file")?;
                config = SecretConfig::load(Path::new(&path)).map_err(|e| e.to_string())?;
            }
            "--no-skip" => no_skip = true,
            "--md5sums" => {
                md5sums = Some(PathBuf::from(args.next().ok_or("--md5sums needs a dir")?))
            }
            "--as" => mount = args.next().ok_or("--as needs an image path")?,
            "-h" | "--help" => {
                return Err(
                    "usage: scan_dir [--config FILE] [--no-skip] [--as IMAGE_PATH] [--md5sums DPKG_INFO_DIR] DIR".into(),
                );
            }
            other if root.is_none() => root = Some(PathBuf::from(other)),
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    if no_skip {
        config.skip_paths.clear();
        config.extra_skip_paths.clear();
        config.skip_extensions.clear();
    }
    Ok(Options {
        config,
        mount,
        md5sums,
        root: root.ok_or("usage: scan_dir [--config FILE] [--no-skip] [--as IMAGE_PATH] [--md5sums DPKG_INFO_DIR] DIR")?,
    })
}

fn image_path(mount: &str, relative: &Path) -> String {
    let relative = relative.to_string_lossy();
    match (mount.trim_end_matches('/'), relative.is_empty()) {
        ("", true) => "/".to_string(),
        (mount, true) => mount.to_string(),
        (mount, false) => format!("{mount}/{relative}"),
    }
}

fn main() {
    let options = match parse_args() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let analyzer = match SecretAnalyzer::new(&options.config) {
        Ok(analyzer) => analyzer,
        Err(err) => {
            eprintln!("scan_dir: {err}");
            std::process::exit(2);
        }
    };
    for warning in analyzer.warnings() {
        eprintln!("warning: {warning}");
    }
    let started = Instant::now();
    // (host path, image path, size) of every regular file the analyzer wants.
    let files: Vec<(PathBuf, String, u64)> = walkdir::WalkDir::new(&options.root)
        .follow_links(false)
        .into_iter()
        .filter_entry(|entry| {
            let relative = entry
                .path()
                .strip_prefix(&options.root)
                .unwrap_or(entry.path());
            let image_path = image_path(&options.mount, relative);
            entry.depth() == 0 || !entry.file_type().is_dir() || !analyzer.skips_dir(&image_path)
        })
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file())
        .filter_map(|entry| {
            let relative = entry.path().strip_prefix(&options.root).ok()?;
            let image_path = image_path(&options.mount, relative);
            let size = entry.metadata().ok()?.len();
            (analyzer.wants(&image_path) && size <= analyzer.max_size())
                .then(|| (entry.path().to_path_buf(), image_path, size))
        })
        .collect();
    let mut files = files;
    if let Some(dir) = &options.md5sums {
        let listing = std::fs::read_dir(dir).into_iter().flatten().flatten();
        for entry in listing {
            let name = entry.file_name().to_string_lossy().into_owned();
            let image_path = format!("/var/lib/dpkg/info/{name}");
            if analyzer.wants(&image_path) && name.ends_with(".md5sums") {
                files.push((entry.path(), image_path, 0));
            }
        }
    }
    let bytes: u64 = files.iter().map(|f| f.2).sum();
    let analyses: Vec<FileAnalysis> = files
        .par_iter()
        .filter_map(|(host, image_path, _)| {
            let content = std::fs::read(host).ok()?;
            let value = analyzer.analyze(image_path, &content).ok()??;
            Some(FileAnalysis {
                analyzer: analyzer.key().to_string(),
                path: image_path.clone(),
                value,
            })
        })
        .collect();
    let facts = LayerFacts {
        analyses,
        ..LayerFacts::default()
    };
    let view = MergedView::build([&facts]);
    let analysis = Analysis {
        layers: vec![facts],
        layers_from_cache: 0,
        view,
    };
    let findings = analyzer.findings(&[], None, &analysis);
    let seconds = started.elapsed().as_secs_f64();
    match serde_json::to_string_pretty(&findings) {
        Ok(json) => println!("{json}"),
        Err(err) => {
            eprintln!("scan_dir: {err}");
            std::process::exit(1);
        }
    }
    eprintln!(
        "scan_dir: {} findings; read {} files, {:.1} MB in {:.2} s ({:.0} MB/s of files read)",
        findings.len(),
        files.len(),
        bytes as f64 / 1e6,
        seconds,
        bytes as f64 / 1e6 / seconds.max(1e-9)
    );
}
