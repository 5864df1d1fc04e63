//! Scans an image file (OCI layout or archive, `docker save` archive) layer by layer, as
//! the CLI will: every layer is read once, files later layers deleted are seen too, and
//! the config's `Env`, `Labels` and history are checked. Prints the findings as JSON.
//!
//! cargo run --release -p drydock-secrets --example scan_image -- IMAGE [REF]

use std::path::Path;
use std::time::Instant;

use drydock_image::{analyze_image, Cache, FileAnalyzer, Limits};
use drydock_secrets::{SecretAnalyzer, SecretConfig};

fn run(path: &Path, selector: Option<&str>) -> Result<(), String> {
    let started = Instant::now();
    let scratch = std::env::temp_dir().join(format!("drydock-scan-image-{}", std::process::id()));
    let cache = Cache::open(&scratch).map_err(|e| e.to_string())?;
    let limits = Limits::default();
    let result = (|| {
        let image = drydock_image::source::open_path(path, selector, None, &cache, &limits)
            .map_err(|e| e.to_string())?;
        let analyzer = SecretAnalyzer::new(&SecretConfig::default()).map_err(|e| e.to_string())?;
        let analyzers: [&dyn FileAnalyzer; 1] = [&analyzer];
        let analysis =
            analyze_image(&image, None, &limits, &analyzers).map_err(|e| e.to_string())?;
        let findings = analyzer.findings(&image.layers, Some(&image.config), &analysis);
        let json = serde_json::to_string_pretty(&findings).map_err(|e| e.to_string())?;
        println!("{json}");
        let layer_bytes: u64 = analysis.layers.iter().map(|l| l.size).sum();
        eprintln!(
            "scan_image: {} findings in {} layers ({:.1} MB uncompressed) in {:.2} s",
            findings.len(),
            analysis.layers.len(),
            layer_bytes as f64 / 1e6,
            started.elapsed().as_secs_f64()
        );
        Ok(())
    })();
    // The scratch cache only held this run's temporary files.
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: scan_image IMAGE [REF]");
        std::process::exit(2);
    };
    let selector = args.next();
    if let Err(err) = run(Path::new(&path), selector.as_deref()) {
        eprintln!("scan_image: {err}");
        std::process::exit(1);
    }
}
