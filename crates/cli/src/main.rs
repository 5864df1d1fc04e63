//! The `drydock` binary: argument parsing and wiring. Every error ends here, printed as one
//! line with exit status 2.

mod cli;
mod config;
mod progress;

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use clap::Parser;
use drydock_image::{
    Cache, Credentials, Limits, Progress, Reference, RegistryClient, RegistryOptions,
};
use drydock_inventory::{build_inventory, InventoryAnalyzer};
use drydock_report::{render, Format, ImageSummary, Report, Subject};

use cli::{
    Cli, Command, DbBuildArgs, DbCommand, DbFileArgs, DbUpdateArgs, DockerfileArgs, GlobalArgs,
    ImageArgs, OutputFormat, PkgType, RootfsArgs, SbomArgs, Scanner,
};

/// When this run began (for reports that give the scan's start and end).
fn started_at() -> &'static str {
    static STARTED: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    STARTED.get_or_init(drydock_report::sbom::now_rfc3339)
}

fn main() -> ExitCode {
    started_at();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Err(err) = config::apply(&args) {
        eprintln!("drydock: error: {}", one_line(&err));
        return ExitCode::from(2);
    }
    let cli = Cli::parse_from(args);
    init_logging(&cli.global);
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            // One line: the cause chain joined, no backtrace.
            eprintln!("drydock: error: {}", one_line(&err));
            ExitCode::from(2)
        }
    }
}

fn one_line(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    drydock_report::printable(&parts.join(": ").replace('\n', " "))
}

fn init_logging(global: &GlobalArgs) {
    let level = if global.debug {
        "debug"
    } else if global.quiet {
        "error"
    } else {
        "warn"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("DRYDOCK_LOG").unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(format!(
            "drydock={level},drydock_image={level},drydock_report={level}"
        ))
    });
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(io::stderr().is_terminal())
        .with_target(false)
        .without_time()
        .init();
}

fn run(cli: Cli) -> Result<ExitCode> {
    let global = &cli.global;
    match &cli.command {
        Command::Image(args) => scan_image(global, args),
        Command::Rootfs(args) => scan_rootfs(global, args),
        Command::Sbom(args) => scan_sbom(global, args),
        Command::Dockerfile(args) => check_dockerfile(global, args),
        // Whatever writes the database holds `<db>.lock`, so a scan that finds none waits
        // for it and uses what it made.
        Command::Db(DbCommand::Build(args)) => {
            let _held = lock_db(global)?;
            db_build(global, args)
        }
        Command::Db(DbCommand::Update(args)) => {
            let _held = (!args.list_sources).then(|| lock_db(global)).transpose()?;
            db_update(global, args)
        }
        Command::Db(DbCommand::Info) => db_info(global),
        Command::Db(DbCommand::Export(args)) => db_export(global, args),
        Command::Db(DbCommand::Import(args)) => {
            let _held = lock_db(global)?;
            db_import(global, args)
        }
        Command::Config(_) => {
            print!("{}", config::generate());
            Ok(ExitCode::SUCCESS)
        }
        Command::Clean(args) => clean(global, args),
    }
}

/// Bytes and files under `path` (symlinks counted, never followed).
fn disk_usage(path: &Path) -> (u64, u64) {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return (0, 0);
    };
    if !meta.is_dir() {
        return (meta.len(), 1);
    }
    let mut total = (0, 0);
    for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
        let (bytes, files) = disk_usage(&entry.path());
        total = (total.0 + bytes, total.1 + files);
    }
    total
}

/// Removes what `dir` holds (not `dir` itself, nor the names in `keep`): bytes and files
/// removed. A missing `dir` holds nothing.
fn remove_contents(dir: &Path, keep: &[&str]) -> io::Result<(u64, u64)> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok((0, 0)),
        Err(err) => return Err(err),
    };
    let mut total = (0, 0);
    for entry in entries {
        let entry = entry?;
        if keep.iter().any(|k| entry.file_name() == *k) {
            continue;
        }
        let path = entry.path();
        let (bytes, files) = disk_usage(&path);
        let removed = if entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        match removed {
            Ok(()) => total = (total.0 + bytes, total.1 + files),
            Err(err) if err.kind() == io::ErrorKind::NotFound => {}
            Err(err) => return Err(err),
        }
    }
    Ok(total)
}

/// `drydock clean`: removes what was asked for. Folders and lock files stay, so a scan or
/// update running meanwhile keeps a cache to write to; the database and the staged feeds
/// are removed under the locks an update holds.
fn clean(global: &GlobalArgs, args: &crate::cli::CleanArgs) -> Result<ExitCode> {
    let cache = global.cache_dir.clone().unwrap_or_else(Cache::default_dir);
    let db = db_path(global);
    let lock = |path: &Path| {
        drydock_vulndb::WriteLock::acquire(path)
            .with_context(|| format!("locking {}", path.display()))
    };
    let (mut bytes, mut files) = (0, 0);
    let mut add = |what: &str, path: &Path, removed: io::Result<(u64, u64)>| -> Result<()> {
        let (b, f) = removed.with_context(|| format!("removing {what} at {}", path.display()))?;
        tracing::debug!("removed {what}: {} ({f} files)", path.display());
        bytes += b;
        files += f;
        Ok(())
    };
    if args.all || args.scan_cache {
        let dir = cache.join("facts");
        add("layer facts", &dir, remove_contents(&dir, &[]))?;
    }
    if args.all || args.layers {
        let dir = cache.join("blobs");
        add("registry blobs", &dir, remove_contents(&dir, &[]))?;
    }
    if args.all || args.vuln_db {
        let _held = lock_db(global)?;
        let (size, count) = disk_usage(&db);
        let removed = match std::fs::remove_file(&db) {
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok((0, 0)),
            other => other.map(|()| (size, count)),
        };
        add("vulnerability database", &db, removed)?;
    }
    if args.all || args.staged_feeds {
        for staging in ["feeds", "publishers"] {
            let dir = cache.join(staging);
            let _held = if dir.is_dir() {
                Some(lock(&dir.join(".lock"))?)
            } else {
                None
            };
            add("staged feeds", &dir, remove_contents(&dir, &[".lock"]))?;
        }
    }
    if !global.quiet {
        eprintln!(
            "removed {files} files ({}) from {}",
            drydock_report::human_size(bytes),
            cache.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn scanners(global: &GlobalArgs) -> Vec<Scanner> {
    if global.scanners.is_empty() {
        vec![Scanner::Vuln]
    } else {
        global.scanners.clone()
    }
}

/// Days since 1970-01-01 of a `YYYY-MM-DD…` date (the inverse of `civil_date`).
fn days_from_civil(date: &str) -> Option<i64> {
    let mut parts = date.get(..10)?.split('-');
    let (y, m, d): (i64, i64, i64) = (
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// Holds `<db>.lock` (waiting, and saying so, while another process has it).
fn lock_db(global: &GlobalArgs) -> Result<drydock_vulndb::WriteLock> {
    let lock = drydock_vulndb::db_lock_path(&db_path(global));
    drydock_vulndb::WriteLock::acquire(&lock).with_context(|| format!("locking {}", lock.display()))
}

/// Opens the vulnerability database; on first use builds it from `--feeds` (or downloads
/// it from `DRYDOCK_DB_MIRROR`). Warns when it is older than `--db-max-age` days.
fn open_db(global: &GlobalArgs) -> Result<drydock_vulndb::Database> {
    let path = db_path(global);
    // Scans that start together wait for one first-use build rather than each making one.
    let _lock = if path.is_file() {
        None
    } else {
        Some(lock_db(global)?)
    };
    if !path.is_file() {
        if !global.feeds.is_empty() {
            if !global.quiet {
                eprintln!(
                    "drydock: no vulnerability database yet; building {} from {}",
                    path.display(),
                    global
                        .feeds
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            db_build(
                global,
                &DbBuildArgs {
                    from: global.feeds.clone(),
                },
            )?;
        } else if let Ok(mirror) = std::env::var("DRYDOCK_DB_MIRROR") {
            if !global.quiet {
                eprintln!(
                    "drydock: no vulnerability database yet; downloading it from {}",
                    drydock_vulndb::without_userinfo(&mirror)
                );
            }
            db_update(
                global,
                &DbUpdateArgs {
                    mirror: Some(mirror),
                    ..DbUpdateArgs::default()
                },
            )?;
        }
    }
    let db = drydock_vulndb::Database::open(&path)?;
    let built_at = db.metadata("built_at")?.unwrap_or_default();
    let today = days_from_civil(&drydock_inventory::eol::today());
    if let (Some(built), Some(today)) = (days_from_civil(&built_at), today) {
        let age = today - built;
        if age > i64::from(global.db_max_age) {
            tracing::warn!(
                "the vulnerability database was built {age} days ago ({built_at}); update it with `drydock db update` (or raise --db-max-age)"
            );
        }
    }
    Ok(db)
}

fn match_options(global: &GlobalArgs, base_layers: Option<usize>) -> drydock_matcher::MatchOptions {
    let types = &global.pkg_types;
    drydock_matcher::MatchOptions {
        os_packages: types.is_empty() || types.contains(&PkgType::Os),
        library_packages: types.is_empty() || types.contains(&PkgType::Library),
        ignore_unfixed: global.ignore_unfixed,
        severities: (!global.severity.is_empty()).then(|| global.severity.clone()),
        base_layers,
    }
}

/// The vulnerability scan, when asked for.
fn vulnerability_scan(
    global: &GlobalArgs,
    inventory: &drydock_inventory::Inventory,
    base_layers: Option<usize>,
) -> Result<Option<drydock_matcher::MatchReport>> {
    if !scanners(global).contains(&Scanner::Vuln) {
        return Ok(None);
    }
    let db = open_db(global)?;
    let started = std::time::Instant::now();
    let report =
        drydock_matcher::match_inventory(&db, inventory, &match_options(global, base_layers))?;
    tracing::debug!(
        "matched {} packages in {:.1} ms",
        inventory.packages.len(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    for warning in &report.warnings {
        tracing::warn!("{warning}");
    }
    Ok(Some(report))
}

/// The image history as the base-image judgement reads it.
fn history_steps(image: &drydock_image::Image) -> Vec<drydock_matcher::base::HistoryStep<'_>> {
    image
        .config
        .history
        .iter()
        .map(|h| drydock_matcher::base::HistoryStep {
            created_by: h.created_by.as_deref().unwrap_or(""),
            empty_layer: h.empty_layer,
        })
        .collect()
}

/// Layers the image inherited from its base image, judged from its history.
fn base_layers(image: &drydock_image::Image) -> Option<usize> {
    drydock_matcher::base::base_layer_count(&history_steps(image))
}

/// The exit status: `--exit-code` when the report has findings, else success.
fn exit_status(global: &GlobalArgs, report: &Report) -> ExitCode {
    finding_status(global, !report.findings().is_empty())
}

fn finding_status(global: &GlobalArgs, found: bool) -> ExitCode {
    if global.exit_code != 0 && found {
        ExitCode::from(global.exit_code)
    } else {
        ExitCode::SUCCESS
    }
}

/// A build-instruction severity on the vulnerability scale, for `--severity`.
fn build_severity(severity: drydock_dockerfile::Severity) -> drydock_matcher::Severity {
    use drydock_dockerfile::Severity as B;
    use drydock_matcher::Severity as S;
    match severity {
        B::Info => S::Negligible,
        B::Low => S::Low,
        B::Medium => S::Medium,
        B::High => S::High,
        B::Critical => S::Critical,
    }
}

fn run_build_rules(
    global: &GlobalArgs,
    target: String,
    dockerfile: &drydock_dockerfile::Dockerfile,
    config: &drydock_dockerfile::CheckConfig,
) -> drydock_report::BuildCheck {
    let mut findings = drydock_dockerfile::check(dockerfile, config);
    if !global.severity.is_empty() {
        findings.retain(|f| global.severity.contains(&build_severity(f.severity)));
    }
    drydock_report::BuildCheck { target, findings }
}

/// A Dockerfile's path as reports name it: relative to the working directory when it is
/// inside it, so code scanning can map it to the repository.
fn dockerfile_name(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf));
    relative
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

fn parse_dockerfile(path: &Path) -> Result<drydock_dockerfile::Dockerfile> {
    let bytes = read_capped(path, 16 << 20)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("{} is not UTF-8 text", path.display()))?;
    drydock_dockerfile::parse(&text).with_context(|| format!("parsing {}", path.display()))
}

/// Build-instruction findings of an image: its Dockerfile when given, else its history.
fn image_build_check(
    global: &GlobalArgs,
    args: &ImageArgs,
    image: &drydock_image::Image,
) -> Result<Option<drydock_report::BuildCheck>> {
    if !scanners(global).contains(&Scanner::Build) {
        return Ok(None);
    }
    let config = drydock_dockerfile::CheckConfig {
        skip_base_image: args.skip_base_image,
        disabled_rules: global
            .disable_rules
            .iter()
            .map(|s| s.to_ascii_uppercase())
            .collect(),
    };
    if let Some(path) = &args.dockerfile {
        let dockerfile = parse_dockerfile(path)?;
        return Ok(Some(run_build_rules(
            global,
            dockerfile_name(path),
            &dockerfile,
            &config,
        )));
    }
    let json = serde_json::to_vec(&image.config).context("re-reading the image config")?;
    let mut input = drydock_dockerfile::HistoryInput::from_image_config(&json)
        .context("reading the image history")?;
    input.base_history_len = drydock_matcher::base::base_history_count(&history_steps(image));
    let dockerfile = drydock_dockerfile::from_history(&input);
    Ok(Some(run_build_rules(
        global,
        "image history".into(),
        &dockerfile,
        &config,
    )))
}

fn check_dockerfile(global: &GlobalArgs, args: &DockerfileArgs) -> Result<ExitCode> {
    let dockerfile = parse_dockerfile(&args.path)?;
    let config = drydock_dockerfile::CheckConfig {
        disabled_rules: global
            .disable_rules
            .iter()
            .map(|s| s.to_ascii_uppercase())
            .collect(),
        ..Default::default()
    };
    let mut check = run_build_rules(global, dockerfile_name(&args.path), &dockerfile, &config);
    redact_build_findings(&mut check, &redactor(global)?);
    let status = finding_status(global, !check.findings.is_empty());
    let subject = Subject {
        name: dockerfile_name(&args.path),
        digest: None,
        timestamp: drydock_report::sbom::now_rfc3339(),
        started: started_at().to_string(),
    };
    emit(global, &|format, _, out| {
        match format {
            OutputFormat::Json => {
                // Through io::Error, so a closed pipe is recognised as one.
                serde_json::to_writer_pretty(&mut *out, &check).map_err(io::Error::from)?;
                writeln!(out)?;
            }
            OutputFormat::Table => {
                let mut table = Vec::new();
                drydock_report::write_build_table(&check, &mut table)?;
                out.write_all(
                    drydock_report::printable(&String::from_utf8_lossy(&table)).as_bytes(),
                )?;
            }
            other => match drydock_report::findings_format(report_format(other)) {
                Some(format) => drydock_report::render_findings(
                    &check.common_findings(),
                    format,
                    &subject,
                    out,
                )?,
                None => bail!("drydock dockerfile cannot write {other:?}: it has no packages"),
            },
        }
        Ok(())
    })?;
    Ok(status)
}

fn scan_sbom(global: &GlobalArgs, args: &SbomArgs) -> Result<ExitCode> {
    let bytes = read_capped(&args.file, 512 << 20)?;
    let location = args.file.display().to_string();
    let inventory = drydock_matcher::sbom::read(&bytes, &location)
        .with_context(|| format!("reading SBOM {location}"))?;
    let scan = vulnerability_scan(global, &inventory, None)?;
    let summary = ImageSummary::from_rootfs(&location, &drydock_image::Analysis::default());
    let subject = Subject {
        name: location,
        digest: None,
        timestamp: drydock_report::sbom::now_rfc3339(),
        started: started_at().to_string(),
    };
    let mut report = Report {
        summary,
        inventory,
        list_packages: scanners(global).contains(&Scanner::Sbom),
        vulnerability_scan: scan,
        build_check: None,
        secret_scan: None,
        baseline_scan: None,
        malware_scan: None,
        base_layers: None,
        suppressed: Vec::new(),
        expired_ignores: Vec::new(),
    };
    report.suppress(
        &suppressions(global)?,
        &drydock_report::suppress::ImageIdentity::of(&subject),
    );
    write_report(global, &subject, &report)?;
    Ok(exit_status(global, &report))
}

fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {}", path.display()))?;
    if bytes.len() as u64 > cap {
        bail!("{} is larger than {} MB", path.display(), cap >> 20);
    }
    Ok(bytes)
}

fn db_export(global: &GlobalArgs, args: &DbFileArgs) -> Result<ExitCode> {
    let path = db_path(global);
    drydock_vulndb::Database::open(&path)?;
    copy_atomically(&path, &args.path)?;
    if !global.quiet {
        eprintln!("exported {} to {}", path.display(), args.path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn db_import(global: &GlobalArgs, args: &DbFileArgs) -> Result<ExitCode> {
    let path = db_path(global);
    // Check the file before it replaces anything: right schema, intact pages.
    let db = drydock_vulndb::Database::open(&args.path).with_context(|| {
        format!(
            "{} is not a drydock vulnerability database",
            args.path.display()
        )
    })?;
    db.check()
        .with_context(|| format!("{} is damaged", args.path.display()))?;
    drop(db);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    copy_atomically(&args.path, &path)?;
    if !global.quiet {
        eprintln!("imported {} as {}", args.path.display(), path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Copies through a temporary file in the destination's folder and renames it into place.
fn copy_atomically(from: &Path, to: &Path) -> Result<()> {
    let dir = to
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    let mut source =
        std::fs::File::open(from).with_context(|| format!("opening {}", from.display()))?;
    io::copy(&mut source, tmp.as_file_mut())
        .with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    tmp.as_file().sync_all().ok();
    tmp.persist(to)
        .with_context(|| format!("writing {}", to.display()))?;
    Ok(())
}

fn db_path(global: &GlobalArgs) -> PathBuf {
    global.db.clone().unwrap_or_else(|| {
        global
            .cache_dir
            .clone()
            .unwrap_or_else(Cache::default_dir)
            .join("db")
            .join("drydock.db")
    })
}

fn db_build(global: &GlobalArgs, args: &DbBuildArgs) -> Result<ExitCode> {
    let path = db_path(global);
    let started = std::time::Instant::now();
    let spinner = progress::Spinner::start(
        !global.quiet && io::stderr().is_terminal(),
        "building the vulnerability database",
    );
    let report = drydock_vulndb::build(&args.from, &path, &drydock_report::sbom::now_rfc3339())?;
    drop(spinner);
    for source in &report.sources {
        for warning in &source.warnings {
            tracing::warn!("{}: {warning}", source.name);
        }
    }
    if !global.quiet {
        eprintln!(
            "built {} with {} advisories from {} sources in {:.1}s",
            path.display(),
            report.advisories,
            report.sources.len(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn db_update(global: &GlobalArgs, args: &DbUpdateArgs) -> Result<ExitCode> {
    use drydock_vulndb::publishers;
    if args.list_sources {
        let mut out = io::stdout().lock();
        for p in publishers::CATALOGUE {
            let mark = if p.default { "*" } else { " " };
            writeln!(
                out,
                "{mark} {:<11} {}  ({})",
                p.name, p.about, p.default_base
            )?;
        }
        for (name, why) in publishers::MIRROR_ONLY {
            writeln!(out, "  {name:<11} mirror only: {why}")?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let path = db_path(global);
    let cache = global.cache_dir.clone().unwrap_or_else(Cache::default_dir);
    let started = std::time::Instant::now();
    // Naming sources or their URLs asks for the publishers, even with a mirror configured.
    let publishers = args.publishers || !args.sources.is_empty() || !args.source_urls.is_empty();
    let mirror = args.mirror.as_deref().filter(|_| !publishers);
    let spinner = progress::Spinner::start(
        !global.quiet && io::stderr().is_terminal(),
        "downloading the feeds and rebuilding the vulnerability database",
    );
    let (report, from) = if let Some(mirror) = mirror {
        let report = drydock_vulndb::update(
            mirror,
            &cache.join("feeds"),
            &path,
            &drydock_report::sbom::now_rfc3339(),
            args.download_timeout
                .unwrap_or(drydock_vulndb::DEFAULT_DOWNLOAD_TIMEOUT),
        )?;
        (report, drydock_vulndb::without_userinfo(mirror))
    } else {
        let mut base_urls = Vec::new();
        for setting in &args.source_urls {
            let Some((name, url)) = setting.split_once('=') else {
                anyhow::bail!("--source-url expects NAME=URL, got {setting:?}");
            };
            base_urls.push((name.to_string(), url.to_string()));
        }
        let options = drydock_vulndb::PublisherOptions {
            sources: args.sources.clone(),
            base_urls,
            alpine_branches: args.alpine_branches.clone(),
            download_timeout: args.download_timeout,
        };
        let report = drydock_vulndb::update_from_publishers(
            &options,
            &cache.join("publishers"),
            &path,
            &drydock_report::sbom::now_rfc3339(),
        )?;
        (report, "the publishers".to_string())
    };
    drop(spinner);
    for failed in &report.failed {
        let kept = if failed.stale {
            "kept the copy from the last update"
        } else {
            "left out"
        };
        tracing::warn!(
            "{}: update failed, {kept}: {}",
            failed.source,
            failed.reason
        );
    }
    for note in &report.notes {
        tracing::info!("{note}");
    }
    for source in &report.build.sources {
        for warning in &source.warnings {
            tracing::warn!("{}: {warning}", source.name);
        }
    }
    if !global.quiet {
        eprintln!(
            "updated {} from {}: {} files downloaded ({} resumed), {} unchanged, {} sources failed; {} advisories from {} sources in {:.1}s",
            path.display(),
            from,
            report.downloaded,
            report.resumed,
            report.reused,
            report.failed.len(),
            report.build.advisories,
            report.build.sources.len(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn db_info(global: &GlobalArgs) -> Result<ExitCode> {
    let path = db_path(global);
    let db = drydock_vulndb::Database::open(&path)?;
    let sources = db.sources()?;
    let built_at = db.metadata("built_at")?.unwrap_or_default();
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let counts = (
        db.count("advisories")?,
        db.count("affected")?,
        db.count("aliases")?,
        db.count("known_exploited")?,
    );
    let mut out = io::stdout().lock();
    let written = match global.format {
        OutputFormat::Json => {
            let doc = serde_json::json!({
                "path": path,
                "built_at": built_at,
                "size": size,
                "advisories": counts.0,
                "affected_packages": counts.1,
                "aliases": counts.2,
                "known_exploited": counts.3,
                "sources": sources,
            });
            serde_json::to_writer_pretty(&mut out, &doc)
                .map_err(io::Error::from)
                .and_then(|()| writeln!(out))
        }
        _ => {
            let mut table = comfy_table::Table::new();
            table
                .load_preset(comfy_table::presets::UTF8_BORDERS_ONLY)
                .set_header(vec![
                    "Source",
                    "Records",
                    "Skipped",
                    "Newest record",
                    "Notes",
                ]);
            for s in &sources {
                table.add_row(vec![
                    s.name.clone(),
                    s.records.to_string(),
                    s.skipped.to_string(),
                    s.newest.clone().unwrap_or_else(|| "-".into()),
                    s.warnings.first().cloned().unwrap_or_default(),
                ]);
            }
            writeln!(
                out,
                "{}\nbuilt {built_at}, {} MB, {} advisories, {} affected packages, {} aliases, {} known exploited\n{table}",
                path.display(),
                size / 1_000_000,
                counts.0,
                counts.1,
                counts.2,
                counts.3
            )
        }
    };
    match written {
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {}
        other => other?,
    }
    Ok(ExitCode::SUCCESS)
}

fn limits(global: &GlobalArgs) -> Limits {
    Limits {
        max_layer_bytes: global.max_layer_size,
        ..Limits::default()
    }
}

fn open_cache(global: &GlobalArgs) -> Result<Cache> {
    let dir = global.cache_dir.clone().unwrap_or_else(Cache::default_dir);
    Cache::open(&dir).with_context(|| format!("opening cache directory {}", dir.display()))
}

fn progress(global: &GlobalArgs) -> Option<Arc<dyn Progress>> {
    (!global.quiet && io::stderr().is_terminal())
        .then(|| Arc::new(progress::Bars::new()) as Arc<dyn Progress>)
}

/// Splits `PATH[:SELECTOR]`: the shortest prefix that exists is the path (paths may contain
/// ':', and so may selectors such as `repo:tag`).
fn split_input(input: &Path) -> (PathBuf, Option<String>) {
    if input.exists() {
        return (input.to_path_buf(), None);
    }
    let text = input.to_string_lossy();
    for (i, _) in text.match_indices(':') {
        let (path, selector) = (&text[..i], &text[i + 1..]);
        if !selector.is_empty() && Path::new(path).exists() {
            return (PathBuf::from(path), Some(selector.to_string()));
        }
    }
    (input.to_path_buf(), None)
}

/// The secret scanner, when `--scanners secret` asks for it.
fn secret_analyzer(global: &GlobalArgs) -> Result<Option<drydock_secrets::SecretAnalyzer>> {
    if !scanners(global).contains(&Scanner::Secret) {
        return Ok(None);
    }
    secret_rules(global).map(Some)
}

/// What hides secrets in every line a report quotes from the image or the Dockerfile: all
/// built-in rules plus the user's, whatever the user turned off or allow-listed for the
/// scan (quieting a rule must not print what it would have found).
fn redactor(global: &GlobalArgs) -> Result<drydock_secrets::SecretAnalyzer> {
    let mut config = match &global.secret_config {
        Some(path) => drydock_secrets::SecretConfig::load(path)?,
        None => drydock_secrets::SecretConfig::default(),
    };
    config.use_builtin_rules = true;
    config.disabled_rules.clear();
    config.extend = None;
    config.allowlist = None;
    config.allowlists.clear();
    Ok(drydock_secrets::SecretAnalyzer::new(&config)?)
}

/// The secret rules (built-in plus `--secret-config`, minus `--disable-rules`).
fn secret_rules(global: &GlobalArgs) -> Result<drydock_secrets::SecretAnalyzer> {
    let mut config = match &global.secret_config {
        Some(path) => drydock_secrets::SecretConfig::load(path)?,
        None => drydock_secrets::SecretConfig::default(),
    };
    config
        .disabled_rules
        .extend(global.disable_rules.iter().cloned());
    let analyzer = drydock_secrets::SecretAnalyzer::new(&config)?;
    for warning in analyzer.warnings() {
        tracing::warn!("secret rules: {warning}");
    }
    Ok(analyzer)
}

/// Whether `--severity` shows a rule scanner's severity word (`high`, `info`…).
fn severity_shown(global: &GlobalArgs, word: &str) -> bool {
    global.severity.is_empty()
        || global
            .severity
            .contains(&drydock_report::findings::common_severity(word))
}

/// The file scanners `--scanners` selected, built once per run.
struct FileScanners {
    secrets: Option<drydock_secrets::SecretAnalyzer>,
    baseline: Option<drydock_baseline::BaselineAnalyzer>,
    malware: Option<drydock_malware::MalwareScanner>,
    /// Hides secrets in what reports quote (history, config, matched strings).
    redactor: drydock_secrets::SecretAnalyzer,
}

impl FileScanners {
    fn new(global: &GlobalArgs) -> Result<Self> {
        let chosen = scanners(global);
        let baseline = chosen.contains(&Scanner::Baseline).then(|| {
            let config = drydock_baseline::BaselineConfig {
                disabled_rules: global.disable_rules.clone(),
            };
            drydock_baseline::BaselineAnalyzer::new(&config)
        });
        let malware = if chosen.contains(&Scanner::Malware) {
            let config = drydock_malware::MalwareConfig {
                extra_rule_dirs: global.malware_rules.clone(),
                extra_hash_files: global.malware_hashes.clone(),
                ..Default::default()
            };
            let scanner = drydock_malware::MalwareScanner::new(&config)?;
            for warning in scanner.warnings() {
                tracing::warn!("malware rules: {warning}");
            }
            Some(scanner)
        } else {
            None
        };
        Ok(FileScanners {
            secrets: secret_analyzer(global)?,
            baseline,
            malware,
            redactor: redactor(global)?,
        })
    }

    fn malware_scan(
        &self,
        global: &GlobalArgs,
        image: Option<&drydock_image::Image>,
        analysis: &drydock_image::Analysis,
        inventory: &mut drydock_inventory::Inventory,
    ) -> Option<drydock_report::MalwareScan> {
        let scanner = self.malware.as_ref()?;
        // The key carries a digest of the rules, so it comes from the scanner itself.
        let key = drydock_image::FileAnalyzer::key(scanner);
        let files_over_size_cap = take_size_cap_warnings(inventory, key);
        let (layers, config) = match image {
            Some(image) => (image.layers.as_slice(), Some(&image.config)),
            None => (&[][..], None),
        };
        let mut findings = scanner.findings(layers, config, analysis);
        // Matched strings are file bytes: a miner's pool password, a webshell's key.
        for f in &mut findings {
            for text in &mut f.matched {
                *text = self.redactor.redacted_history(text);
            }
        }
        findings.retain(|f| {
            !global
                .disable_rules
                .iter()
                .any(|d| d.eq_ignore_ascii_case(&f.rule_id))
                && severity_shown(global, f.severity.as_str())
        });
        Some(drydock_report::MalwareScan {
            rules: scanner.rule_count(),
            known_bad_digests: scanner.known_bad_count(),
            files_over_size_cap,
            findings,
        })
    }

    /// The inventory and every selected scanner, run over each layer in one pass.
    fn analyzers(&self) -> Vec<&dyn drydock_image::FileAnalyzer> {
        let mut list: Vec<&dyn drydock_image::FileAnalyzer> = vec![&InventoryAnalyzer];
        if let Some(secrets) = &self.secrets {
            list.push(secrets);
        }
        if let Some(baseline) = &self.baseline {
            list.push(baseline);
        }
        if let Some(malware) = &self.malware {
            list.push(malware);
        }
        list
    }

    fn baseline_scan(
        &self,
        global: &GlobalArgs,
        image: Option<&drydock_image::Image>,
        analysis: &drydock_image::Analysis,
        inventory: &drydock_inventory::Inventory,
    ) -> Option<drydock_report::BaselineScan> {
        let analyzer = self.baseline.as_ref()?;
        let (layers, config) = match image {
            Some(image) => (image.layers.as_slice(), Some(&image.config)),
            None => (&[][..], None),
        };
        let mut findings = analyzer.findings(layers, config, analysis, Some(inventory));
        findings.retain(|f| severity_shown(global, f.severity.as_str()));
        Some(drydock_report::BaselineScan {
            rules: drydock_baseline::rules()
                .iter()
                .filter(|r| analyzer.is_enabled(r.id))
                .count(),
            findings,
        })
    }
}

/// Takes the "file too large for scanner X" warnings out of the inventory's list: content
/// scanners cap file size on purpose, so those are counted, not each printed.
fn take_size_cap_warnings(inventory: &mut drydock_inventory::Inventory, key: &str) -> usize {
    let marker = format!(": skipped by {key}: larger than ");
    let before = inventory.warnings.len();
    inventory.warnings.retain(|w| !w.contains(&marker));
    before - inventory.warnings.len()
}

fn secret_scan(
    analyzer: Option<&drydock_secrets::SecretAnalyzer>,
    image: Option<&drydock_image::Image>,
    analysis: &drydock_image::Analysis,
    global: &GlobalArgs,
) -> Option<drydock_report::SecretScan> {
    let analyzer = analyzer?;
    let (layers, config) = match image {
        Some(image) => (image.layers.as_slice(), Some(&image.config)),
        None => (&[][..], None),
    };
    let mut findings = analyzer.findings(layers, config, analysis);
    findings.retain(|f| severity_shown(global, f.severity.as_str()));
    Some(drydock_report::SecretScan {
        rules: analyzer.rules().len(),
        files_over_size_cap: 0,
        findings,
    })
}

/// Replaces every secret in the image's history lines, and in the build findings quoting
/// them, by its redacted form: reports print those lines, and no report may print a
/// secret. Runs after the scanners that need the real lines.
fn redact_history(
    redactor: &drydock_secrets::SecretAnalyzer,
    image: &mut drydock_image::Image,
    build: Option<&mut drydock_report::BuildCheck>,
) {
    let redact = |text: &mut String| *text = redactor.redacted_history(text);
    let histories = image
        .config
        .history
        .iter_mut()
        .chain(image.layers.iter_mut().filter_map(|l| l.history.as_mut()));
    for entry in histories {
        if let Some(line) = &mut entry.created_by {
            redact(line);
        }
    }
    // The config the summary shows: labels, the command line and the health check.
    let config = &mut image.config.config;
    for (name, value) in &mut config.labels {
        let line = format!("{name}={value}");
        let redacted = redactor.redacted_history(&line);
        if let Some(rest) = redacted.strip_prefix(&format!("{name}=")) {
            *value = rest.to_string();
        }
    }
    let health = config
        .healthcheck
        .iter_mut()
        .flat_map(|h| h.test.iter_mut());
    for word in config
        .cmd
        .iter_mut()
        .chain(config.entrypoint.iter_mut())
        .chain(health)
    {
        redact(word);
    }
    if let Some(check) = build {
        redact_build_findings(check, redactor);
    }
}

fn redact_build_findings(
    check: &mut drydock_report::BuildCheck,
    redactor: &drydock_secrets::SecretAnalyzer,
) {
    for finding in &mut check.findings {
        for text in [
            &mut finding.instruction,
            &mut finding.message,
            &mut finding.rewrite,
        ] {
            *text = redactor.redacted_history(text);
        }
    }
}

/// An image named by reference, from the first of `--image-src` that has it: a local
/// engine when it runs here and holds that name, else the registry.
fn open_by_name(
    global: &GlobalArgs,
    args: &ImageArgs,
    name: &str,
    cache: &Cache,
    limits: &Limits,
) -> Result<drydock_image::Image> {
    let reference: Reference = name.parse()?;
    let (mut missing, mut unreachable, mut failed) = (Vec::new(), Vec::new(), Vec::new());
    for source in &args.image_src {
        let engine = match source {
            crate::cli::ImageSource::Docker => drydock_image::Engine::docker(),
            crate::cli::ImageSource::Podman => drydock_image::Engine::podman(),
            crate::cli::ImageSource::Remote => {
                return match open_from_registry(global, args, reference, cache, limits) {
                    Ok(image) => {
                        for reason in &failed {
                            tracing::warn!("{reason}; pulled {name} from its registry instead");
                        }
                        Ok(image)
                    }
                    Err(err) if !failed.is_empty() => {
                        Err(anyhow::anyhow!("{err:#} (and {})", failed.join("; ")))
                    }
                    Err(err) => Err(err),
                };
            }
        };
        let engine = match engine {
            Ok(engine) => engine,
            Err(reason) => {
                failed.push(reason);
                continue;
            }
        };
        // An engine that fails (a socket the user may not open, an error answer) is passed
        // over like one that is not running: the next source may well have the image.
        match engine.open_image(name, args.platform.as_ref(), cache, limits) {
            Ok(drydock_image::Lookup::Found(image)) => {
                tracing::debug!("{name}: read from the {}", engine.label());
                return Ok(*image);
            }
            Ok(drydock_image::Lookup::Missing) => missing.push(engine.label()),
            Ok(drydock_image::Lookup::Unreachable) => unreachable.push(engine.label()),
            Err(err) => failed.push(err.to_string()),
        }
    }
    let mut why = Vec::new();
    if !missing.is_empty() {
        why.push(format!(
            "no such image in the {}",
            missing.join(" nor the ")
        ));
    }
    if !unreachable.is_empty() {
        why.push(format!(
            "nothing answers as the {}",
            unreachable.join(" nor the ")
        ));
    }
    why.extend(failed);
    if why.is_empty() {
        why.push("no image source to look in".to_string());
    }
    bail!(
        "{name}: {} (add `remote` to --image-src to pull it from its registry)",
        why.join("; ")
    )
}

fn open_from_registry(
    global: &GlobalArgs,
    args: &ImageArgs,
    reference: Reference,
    cache: &Cache,
    limits: &Limits,
) -> Result<drydock_image::Image> {
    let password = if args.password_stdin {
        let mut line = String::new();
        io::stdin()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        Some(line.trim_end_matches(['\r', '\n']).to_string())
    } else {
        args.password.clone()
    };
    let credentials = match (&args.username, &password) {
        (Some(username), Some(password)) => Some(Credentials {
            username: username.clone(),
            password: password.clone(),
        }),
        (None, None) => None,
        _ => bail!(
            "--username and --password (or DRYDOCK_USERNAME and DRYDOCK_PASSWORD) go together"
        ),
    };
    let options = RegistryOptions {
        insecure: args.insecure,
        credentials,
        platform: args.platform.clone().unwrap_or_default(),
        platform_explicit: args.platform.is_some(),
        ..RegistryOptions::default()
    };
    Ok(RegistryClient::new(reference, options, progress(global)).open_image(cache, limits)?)
}

fn scan_image(global: &GlobalArgs, args: &ImageArgs) -> Result<ExitCode> {
    let cache = open_cache(global)?;
    let limits = limits(global);
    let mut image = match (&args.input, &args.reference) {
        (Some(_), Some(_)) => bail!("give either an image reference or --input PATH, not both"),
        (None, None) => {
            bail!("no image given: name one (drydock image alpine:3.20) or pass --input PATH")
        }
        (Some(input), None) => {
            let (path, selector) = split_input(input);
            drydock_image::source::open_path(
                &path,
                selector.as_deref(),
                args.platform.as_ref(),
                &cache,
                &limits,
            )?
        }
        (None, Some(name)) => open_by_name(global, args, name, &cache, &limits)?,
    };
    let file_scanners = FileScanners::new(global)?;
    let bars = progress(global);
    let mut analysis = drydock_image::analyze_image_with_progress(
        &image,
        Some(&cache),
        &limits,
        &file_scanners.analyzers(),
        bars.as_deref(),
    )?;
    apply_skips(global, &mut analysis)?;
    tracing::debug!(
        "{} of {} layers came from the cache",
        analysis.layers_from_cache,
        image.layers.len()
    );
    let mut secret_scan = secret_scan(
        file_scanners.secrets.as_ref(),
        Some(&image),
        &analysis,
        global,
    );
    let mut build = image_build_check(global, args, &image)?;
    redact_history(&file_scanners.redactor, &mut image, build.as_mut());
    let summary = ImageSummary::from_image(&image, &analysis);
    let mut inventory = build_inventory(&image.layers, &analysis);
    if let Some(scan) = &mut secret_scan {
        scan.files_over_size_cap =
            take_size_cap_warnings(&mut inventory, drydock_secrets::ANALYZER_KEY);
    }
    let baseline_scan = file_scanners.baseline_scan(global, Some(&image), &analysis, &inventory);
    let malware_scan = file_scanners.malware_scan(global, Some(&image), &analysis, &mut inventory);
    let scan = vulnerability_scan(global, &inventory, base_layers(&image))?;
    let subject = Subject {
        name: subject_name(&image),
        digest: Some(
            image
                .manifest_digest
                .as_ref()
                .unwrap_or(&image.config_digest)
                .to_string(),
        ),
        timestamp: drydock_report::sbom::now_rfc3339(),
        started: started_at().to_string(),
    };
    let mut report = Report {
        summary,
        inventory,
        list_packages: scanners(global).contains(&Scanner::Sbom),
        vulnerability_scan: scan,
        build_check: build,
        secret_scan,
        baseline_scan,
        malware_scan,
        base_layers: base_layers(&image),
        suppressed: Vec::new(),
        expired_ignores: Vec::new(),
    };
    report.suppress(
        &suppressions(global)?,
        &drydock_report::suppress::ImageIdentity::of(&subject),
    );
    write_report(global, &subject, &report)?;
    Ok(exit_status(global, &report))
}

/// `--skip-dirs` / `--skip-files`: out of the analysis before any scanner looks at it.
fn apply_skips(global: &GlobalArgs, analysis: &mut drydock_image::analyze::Analysis) -> Result<()> {
    let skips = drydock_image::SkipPaths::new(&global.skip_dirs, &global.skip_files)?;
    let removed = skips.apply(analysis);
    if !skips.is_empty() {
        tracing::debug!("--skip-dirs/--skip-files left out {removed} layer entries");
    }
    Ok(())
}

fn scan_rootfs(global: &GlobalArgs, args: &RootfsArgs) -> Result<ExitCode> {
    let file_scanners = FileScanners::new(global)?;
    let skips = drydock_image::SkipPaths::new(&global.skip_dirs, &global.skip_files)?;
    let analysis =
        drydock_image::analyze_rootfs_skipping(&args.dir, &file_scanners.analyzers(), &skips)?;
    let location = args.dir.display().to_string();
    let summary = ImageSummary::from_rootfs(&location, &analysis);
    let mut inventory = build_inventory(&[], &analysis);
    let mut secret_scan = secret_scan(file_scanners.secrets.as_ref(), None, &analysis, global);
    if let Some(scan) = &mut secret_scan {
        scan.files_over_size_cap =
            take_size_cap_warnings(&mut inventory, drydock_secrets::ANALYZER_KEY);
    }
    let baseline_scan = file_scanners.baseline_scan(global, None, &analysis, &inventory);
    let malware_scan = file_scanners.malware_scan(global, None, &analysis, &mut inventory);
    let scan = vulnerability_scan(global, &inventory, None)?;
    let subject = Subject {
        name: location,
        digest: None,
        timestamp: drydock_report::sbom::now_rfc3339(),
        started: started_at().to_string(),
    };
    let mut report = Report {
        summary,
        inventory,
        list_packages: scanners(global).contains(&Scanner::Sbom),
        vulnerability_scan: scan,
        build_check: None,
        secret_scan,
        baseline_scan,
        malware_scan,
        base_layers: None,
        suppressed: Vec::new(),
        expired_ignores: Vec::new(),
    };
    report.suppress(
        &suppressions(global)?,
        &drydock_report::suppress::ImageIdentity::of(&subject),
    );
    write_report(global, &subject, &report)?;
    Ok(exit_status(global, &report))
}

/// Where each report goes: `--format` to standard output, or each `--output [FORMAT=]FILE`.
fn outputs(global: &GlobalArgs) -> Result<Vec<(OutputFormat, Option<PathBuf>)>> {
    if global.output.is_empty() {
        return Ok(vec![(global.format, None)]);
    }
    let mut out = Vec::new();
    for spec in &global.output {
        let named = spec.split_once('=').and_then(|(name, path)| {
            let format = <OutputFormat as clap::ValueEnum>::from_str(name, true).ok()?;
            Some((format, PathBuf::from(path)))
        });
        match named {
            Some((_, path)) if path.as_os_str().is_empty() => {
                bail!("--output {spec}: no file name after '='")
            }
            // `-` is standard output, so one run can print a table and write files.
            Some((format, path)) if path.as_os_str() == "-" => out.push((format, None)),
            Some((format, path)) => out.push((format, Some(path))),
            None if spec == "-" => out.push((global.format, None)),
            None => out.push((global.format, Some(PathBuf::from(spec)))),
        }
    }
    Ok(out)
}

/// Writes each report to standard output or to its file, a file through a temporary file
/// renamed into place, so a failed run never leaves a partial report behind.
fn emit(
    global: &GlobalArgs,
    render: &dyn Fn(OutputFormat, bool, &mut dyn Write) -> Result<()>,
) -> Result<()> {
    for (format, path) in outputs(global)? {
        match path {
            None => {
                let stdout = io::stdout();
                let mut lock = stdout.lock();
                let written = render(format, true, &mut lock).and_then(|()| Ok(lock.flush()?));
                if let Err(err) = written {
                    // A closed pipe (`drydock … | head`) is the reader's choice, not a failure.
                    let closed = err
                        .downcast_ref::<io::Error>()
                        .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe);
                    if !closed {
                        return Err(err.context("writing the report"));
                    }
                }
            }
            Some(path) => {
                let dir = path
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(Path::new("."));
                let mut builder = tempfile::Builder::new();
                // Reports are for sharing: readable like any file the user writes, not 0600.
                #[cfg(unix)]
                builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
                let mut tmp = builder
                    .tempfile_in(dir)
                    .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
                render(format, false, tmp.as_file_mut())
                    .with_context(|| format!("writing {}", path.display()))?;
                tmp.persist(&path)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
        }
    }
    Ok(())
}

fn report_format(format: OutputFormat) -> Format {
    match format {
        OutputFormat::Table => Format::Table,
        OutputFormat::Json => Format::Json,
        OutputFormat::Cyclonedx => Format::CycloneDx,
        OutputFormat::SpdxJson => Format::SpdxJson,
        OutputFormat::Sarif => Format::Sarif,
        OutputFormat::Junit => Format::Junit,
        OutputFormat::Gitlab => Format::Gitlab,
        OutputFormat::Github => Format::Github,
        OutputFormat::Openvex => Format::Openvex,
        OutputFormat::Html => Format::Html,
    }
}

/// What reports call the image: its reference, or for a file the path (with the tag an
/// OCI archive names it by, as `--input PATH:TAG` selects it).
fn subject_name(image: &drydock_image::Image) -> String {
    match &image.name {
        Some(name) if name.contains(['/', ':', '@']) => name.clone(),
        Some(tag) if image.location != *tag => format!("{}:{tag}", image.location),
        _ => image.location.clone(),
    }
}

/// The accepted risks: the ignore file(s) and VEX documents.
fn suppressions(global: &GlobalArgs) -> Result<drydock_report::suppress::Suppressions> {
    use drydock_report::suppress::{parse_ignore_file, parse_openvex, Suppressions};
    let files: Vec<PathBuf> = match &global.ignorefile {
        Some(path) => vec![path.clone()],
        None => [".drydockignore", ".trivyignore"]
            .iter()
            .map(PathBuf::from)
            .filter(|p| p.is_file())
            .collect(),
    };
    let mut suppressions = Suppressions {
        // The real date, even when SOURCE_DATE_EPOCH pins the report's timestamps: an
        // accepted risk must expire on time.
        today: drydock_inventory::eol::today(),
        ..Suppressions::default()
    };
    for path in files {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading ignore file {}", path.display()))?;
        suppressions
            .ignores
            .extend(parse_ignore_file(&path.display().to_string(), &text)?);
    }
    for path in &global.vex {
        let bytes = read_capped(path, 64 << 20)?;
        let (statements, warnings) = parse_openvex(&path.display().to_string(), &bytes)?;
        for warning in warnings {
            tracing::warn!("{warning}");
        }
        suppressions.vex.extend(statements);
    }
    Ok(suppressions)
}

fn write_report(global: &GlobalArgs, subject: &Subject, report: &Report) -> Result<()> {
    for warning in &report.inventory.warnings {
        tracing::warn!("{warning}");
    }
    for expired in &report.expired_ignores {
        tracing::warn!("ignore rule expired, no longer applied: {expired}");
    }
    // Colour only for a person at a terminal: not in files, pipes, or with NO_COLOR.
    let colour =
        io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    emit(global, &|format, to_stdout, out| {
        if colour && to_stdout && matches!(format, OutputFormat::Table) {
            let mut text = Vec::new();
            render(report, Format::Table, subject, &mut text)?;
            let text = drydock_report::colour_severities(&String::from_utf8_lossy(&text));
            out.write_all(text.as_bytes())?;
            return Ok(());
        }
        Ok(render(report, report_format(format), subject, out)?)
    })
}
