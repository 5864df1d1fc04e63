//! Command-line arguments. Every flag can also come from a `DRYDOCK_*` environment variable.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use drydock_image::Platform;

#[derive(Parser, Debug)]
#[command(
    name = "drydock",
    version,
    about = "Scan container images for vulnerabilities, secrets, malware and risky configuration",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug)]
pub struct GlobalArgs {
    /// Report format.
    #[arg(long, short = 'f', global = true, value_enum, default_value_t = OutputFormat::Table, env = "DRYDOCK_FORMAT")]
    pub format: OutputFormat,

    /// Write the report to FILE instead of standard output; FORMAT=FILE writes that format
    /// there. Repeat it to write several formats in one run (`-o sarif=x.sarif -o json=x.json`).
    /// In DRYDOCK_OUTPUT, one per line (so a file name may hold a comma).
    #[arg(
        long,
        short = 'o',
        global = true,
        value_name = "[FORMAT=]FILE",
        value_delimiter = '\n',
        env = "DRYDOCK_OUTPUT"
    )]
    pub output: Vec<String>,

    /// Print nothing but the report and errors (no progress bars, no warnings).
    #[arg(long, short = 'q', global = true, env = "DRYDOCK_QUIET")]
    pub quiet: bool,

    /// Print debug logs to standard error.
    #[arg(long, short = 'd', global = true, env = "DRYDOCK_DEBUG")]
    pub debug: bool,

    /// Cache directory for blobs and per-layer results [default: ~/.cache/drydock].
    #[arg(long, global = true, value_name = "DIR", env = "DRYDOCK_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Vulnerability database file [default: CACHE_DIR/db/drydock.db].
    #[arg(long, global = true, value_name = "PATH", env = "DRYDOCK_DB")]
    pub db: Option<PathBuf>,

    /// Scanners to run, comma-separated.
    #[arg(
        long,
        global = true,
        value_enum,
        value_delimiter = ',',
        env = "DRYDOCK_SCANNERS"
    )]
    pub scanners: Vec<Scanner>,

    /// Vulnerability severities to report (and to gate on with --exit-code), comma-separated.
    #[arg(
        long,
        global = true,
        value_delimiter = ',',
        value_name = "LIST",
        env = "DRYDOCK_SEVERITY"
    )]
    pub severity: Vec<drydock_matcher::Severity>,

    /// Report only vulnerabilities that have a fixed version.
    #[arg(long, global = true, env = "DRYDOCK_IGNORE_UNFIXED")]
    pub ignore_unfixed: bool,

    /// Package types to check for vulnerabilities: os, library (both by default).
    #[arg(
        long,
        global = true,
        value_enum,
        value_delimiter = ',',
        value_name = "LIST",
        env = "DRYDOCK_PKG_TYPES"
    )]
    pub pkg_types: Vec<PkgType>,

    /// Exit with this status when any finding is reported (after --severity and
    /// --ignore-unfixed). Errors always exit with 2.
    #[arg(
        long,
        global = true,
        default_value_t = 0,
        value_name = "N",
        env = "DRYDOCK_EXIT_CODE"
    )]
    pub exit_code: u8,

    /// Warn when the vulnerability database was built more than this many days ago.
    #[arg(
        long,
        global = true,
        default_value_t = 7,
        value_name = "DAYS",
        env = "DRYDOCK_DB_MAX_AGE"
    )]
    pub db_max_age: u32,

    /// Feed folders to build the vulnerability database from on first use, when none
    /// exists yet (what `drydock db build --from` takes).
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        value_delimiter = ',',
        env = "DRYDOCK_FEEDS"
    )]
    pub feeds: Vec<PathBuf>,

    /// Rule ids to turn off, comma-separated: build-instruction (DD…), secret, malware and
    /// baseline rules alike (also `# drydock ignore=ID` in a Dockerfile).
    #[arg(
        long,
        global = true,
        alias = "disable",
        value_delimiter = ',',
        value_name = "IDS",
        env = "DRYDOCK_DISABLE_RULES"
    )]
    pub disable_rules: Vec<String>,

    /// Leave these directories, and everything below them, out of every scanner: paths or
    /// globs, with or without the leading `/` (`/usr/lib/ruby`, `**/node_modules`).
    #[arg(
        long,
        global = true,
        value_delimiter = ',',
        value_name = "DIRS",
        env = "DRYDOCK_SKIP_DIRS"
    )]
    pub skip_dirs: Vec<String>,

    /// Leave files matching these paths or globs out of every scanner (`**/*.pem`,
    /// `/app/.env`); `*` stays within one path component, `**` crosses them.
    #[arg(
        long,
        global = true,
        value_delimiter = ',',
        value_name = "FILES",
        env = "DRYDOCK_SKIP_FILES"
    )]
    pub skip_files: Vec<String>,

    /// Ignore file of accepted risks: `ID [pkg=NAME] [path=GLOB] [exp:YYYY-MM-DD] [# why]`
    /// per line [default: .drydockignore and .trivyignore in the working directory].
    #[arg(long, global = true, value_name = "FILE", env = "DRYDOCK_IGNOREFILE")]
    pub ignorefile: Option<PathBuf>,

    /// OpenVEX documents whose not_affected/fixed statements suppress findings
    /// (comma-separated or repeated).
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        value_delimiter = ',',
        env = "DRYDOCK_VEX"
    )]
    pub vex: Vec<PathBuf>,

    /// Configuration file [default: drydock.yaml, drydock.yml or drydock.toml in the
    /// working directory]. Its settings are flags' long names; flags and DRYDOCK_*
    /// variables override them.
    #[arg(long, global = true, value_name = "FILE", env = "DRYDOCK_CONFIG")]
    pub config: Option<PathBuf>,

    /// Secret-scanner configuration: a gitleaks-compatible TOML file of extra rules,
    /// allow-lists and disabled rule ids.
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        env = "DRYDOCK_SECRET_CONFIG"
    )]
    pub secret_config: Option<PathBuf>,

    /// Directories of extra YARA rules (`*.yar`, `*.yara`) for the malware scanner; a file
    /// that does not compile is skipped with a warning.
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        value_delimiter = ',',
        env = "DRYDOCK_MALWARE_RULES"
    )]
    pub malware_rules: Vec<PathBuf>,

    /// Extra known-bad SHA-256 lists for the malware scanner: one digest per line,
    /// optionally followed by a name.
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        value_delimiter = ',',
        env = "DRYDOCK_MALWARE_HASHES"
    )]
    pub malware_hashes: Vec<PathBuf>,

    /// Largest uncompressed layer to read (guards against decompression bombs), e.g. 16GiB.
    #[arg(long, global = true, value_name = "SIZE", default_value = "16GiB", value_parser = parse_size, env = "DRYDOCK_MAX_LAYER_SIZE")]
    pub max_layer_size: u64,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Scan a container image from a registry, or from an archive or layout with --input.
    Image(ImageArgs),
    /// Scan a root filesystem directory.
    Rootfs(RootfsArgs),
    /// Check a Dockerfile's build instructions.
    Dockerfile(DockerfileArgs),
    /// Match a CycloneDX or SPDX JSON SBOM (drydock's, syft's, Trivy's) against the
    /// vulnerability database, without the image.
    Sbom(SbomArgs),
    /// Build and inspect the vulnerability database.
    #[command(subcommand)]
    Db(DbCommand),
    /// The configuration file: `drydock config --generate > drydock.yaml`.
    Config(ConfigArgs),
    /// Remove cached data: layer facts, downloaded blobs, the database, staged feeds.
    Clean(CleanArgs),
}

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("what").required(true).multiple(true)))]
pub struct CleanArgs {
    /// Everything below the cache directory, and the database.
    #[arg(long, group = "what")]
    pub all: bool,
    /// What was learned from each layer (a scan reads the layers again).
    #[arg(long, group = "what")]
    pub scan_cache: bool,
    /// Manifests, configs and layer blobs downloaded from registries.
    #[arg(long, group = "what")]
    pub layers: bool,
    /// The vulnerability database (the next scan builds or downloads it again).
    #[arg(long, group = "what")]
    pub vuln_db: bool,
    /// Feed files staged by `db update` (the next update downloads them whole).
    #[arg(long, group = "what")]
    pub staged_feeds: bool,
}

#[derive(Subcommand, Debug)]
pub enum DbCommand {
    /// Build the database from feed files on disk (folders, .tar.zst/.tar.gz bundles, all.zip).
    Build(DbBuildArgs),
    /// Download the feeds from their publishers (or a mirror) and rebuild the database
    /// (atomically).
    Update(DbUpdateArgs),
    /// Show what the database holds: sources, record counts, snapshot dates, age.
    Info,
    /// Copy the database file to PATH, for machines without network access.
    Export(DbFileArgs),
    /// Install a database file exported on another machine (checked, then swapped in
    /// atomically).
    Import(DbFileArgs),
}

#[derive(Args, Debug)]
pub struct DbFileArgs {
    #[arg(value_name = "PATH")]
    pub path: PathBuf,
}

#[derive(Args, Debug, Default)]
pub struct DbUpdateArgs {
    /// Base URL of a feed mirror: one folder per source and a MANIFEST.json index of
    /// {path, bytes, sha256} (the layout of drydock's advisory snapshot). Without it the
    /// feeds are downloaded from their publishers.
    #[arg(long, value_name = "URL", env = "DRYDOCK_DB_MIRROR")]
    pub mirror: Option<String>,

    /// Download from the publishers even when a mirror is configured.
    #[arg(long)]
    pub publishers: bool,

    /// Sources to download from their publishers (default: the default set; `all` for
    /// every source; implies --publishers). See --list-sources.
    #[arg(long = "source", value_name = "NAME", value_delimiter = ',')]
    pub sources: Vec<String>,

    /// Base URL of one source's publisher, as NAME=URL (repeatable; implies --publishers).
    /// Also DRYDOCK_SOURCE_URL_<NAME> in the environment.
    #[arg(long = "source-url", value_name = "NAME=URL")]
    pub source_urls: Vec<String>,

    /// Alpine secdb branches to download (default: the supported ones).
    #[arg(
        long = "alpine-branch",
        value_name = "BRANCH",
        value_delimiter = ',',
        env = "DRYDOCK_ALPINE_BRANCHES"
    )]
    pub alpine_branches: Vec<String>,

    /// The most one feed file may take to download, retries included (e.g. 90s, 10m, 1h;
    /// default 30m). A file that runs over fails its source, as a broken download would.
    #[arg(
        long,
        value_name = "DURATION",
        env = "DRYDOCK_DOWNLOAD_TIMEOUT",
        value_parser = parse_timeout
    )]
    pub download_timeout: Option<std::time::Duration>,

    /// List the sources that can be downloaded from their publishers, and exit.
    #[arg(long)]
    pub list_sources: bool,
}

#[derive(Args, Debug)]
pub struct DbBuildArgs {
    /// Feed folders or archives; each sub-folder of a folder is one source.
    #[arg(long = "from", value_name = "DIR", required = true, num_args = 1..)]
    pub from: Vec<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ImageArgs {
    /// Image reference: [REGISTRY/]REPO[:TAG][@DIGEST] (Docker Hub when no registry is named).
    #[arg(value_name = "REF")]
    pub reference: Option<String>,

    /// Read the image from a file or directory instead: a docker save or OCI archive (also
    /// gzip/zstd-compressed) or an OCI layout. Add :REF to pick one of several images.
    #[arg(long, short = 'i', value_name = "PATH", env = "DRYDOCK_INPUT")]
    pub input: Option<PathBuf>,

    /// Where to look for an image named by reference, in this order: the local Docker
    /// engine (DOCKER_HOST or /var/run/docker.sock), Podman (CONTAINER_HOST or its
    /// socket), the registry.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        value_name = "SOURCES",
        default_value = "docker,podman,remote",
        env = "DRYDOCK_IMAGE_SRC"
    )]
    pub image_src: Vec<ImageSource>,

    /// Platform to pick from a multi-platform image, as os/arch[/variant].
    #[arg(long, value_name = "PLATFORM", env = "DRYDOCK_PLATFORM")]
    pub platform: Option<Platform>,

    /// Registry user name (else Docker's config.json / credential helpers are used).
    #[arg(long, env = "DRYDOCK_USERNAME")]
    pub username: Option<String>,

    /// Registry password or token (visible to other users in the process list: prefer
    /// --password-stdin or DRYDOCK_PASSWORD).
    #[arg(long, env = "DRYDOCK_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,

    /// Read the registry password from standard input.
    #[arg(long, conflicts_with = "password")]
    pub password_stdin: bool,

    /// Allow plain HTTP and unverified TLS to the registry (loopback registries always may use HTTP).
    #[arg(long, env = "DRYDOCK_INSECURE")]
    pub insecure: bool,

    /// Check this Dockerfile's instructions (`--scanners build`) instead of the image history.
    #[arg(long, value_name = "PATH", env = "DRYDOCK_DOCKERFILE")]
    pub dockerfile: Option<PathBuf>,

    /// Leave out build-instruction findings of the base image's own history.
    #[arg(long, env = "DRYDOCK_SKIP_BASE_IMAGE")]
    pub skip_base_image: bool,
}

#[derive(Args, Debug)]
pub struct DockerfileArgs {
    /// The Dockerfile to check.
    #[arg(value_name = "PATH")]
    pub path: PathBuf,
}

#[derive(Args, Debug)]
pub struct ConfigArgs {
    /// Print the full default configuration, every setting commented with its help.
    #[arg(long, required = true)]
    pub generate: bool,
}

#[derive(Args, Debug)]
pub struct RootfsArgs {
    /// The directory holding the root filesystem.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

#[derive(Args, Debug)]
pub struct SbomArgs {
    /// The SBOM file (CycloneDX or SPDX, JSON).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// Where an image named by reference is looked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ImageSource {
    /// The local Docker engine.
    Docker,
    /// Podman, through its Docker-compatible API socket.
    Podman,
    /// The registry the reference names.
    Remote,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PkgType {
    /// Packages of the OS package manager (deb, apk, rpm).
    Os,
    /// Language packages (npm, PyPI, Go, Maven, …).
    Library,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum OutputFormat {
    /// Human-readable tables.
    Table,
    /// drydock's JSON report: every scanner's section, then all findings in one shape.
    Json,
    /// CycloneDX 1.6 SBOM (JSON).
    Cyclonedx,
    /// SPDX 2.3 SBOM (JSON).
    SpdxJson,
    /// SARIF 2.1.0, for code-scanning UIs (GitHub, GitLab).
    Sarif,
    /// JUnit XML: one failed test case per finding, for any CI's test report view.
    Junit,
    /// GitLab container scanning report (schema 15).
    Gitlab,
    /// GitHub dependency submission snapshot.
    Github,
    /// OpenVEX 0.2.0 of the vulnerabilities and the accepted ones (export decisions).
    Openvex,
    /// One self-contained HTML page: summary, fixes, a filterable sortable findings table.
    Html,
}

/// What to look for (vulnerabilities by default).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Scanner {
    /// Vulnerabilities in OS and language packages, with the fix.
    Vuln,
    /// The package inventory (listed in full in the table).
    Sbom,
    /// Risky build instructions, from --dockerfile or the image's own history.
    Build,
    /// Credentials, keys and tokens in every layer and in the image config.
    Secret,
    /// Insecure configuration inside the image (accounts, setuid files, sshd, sudoers…).
    #[value(alias = "misconfig")]
    Baseline,
    /// Malware, miners, webshells and backdoors: YARA rules, known-bad digests, heuristics.
    Malware,
}

/// Parses sizes such as `1024`, `10MB`, `512MiB`, `16GiB`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("invalid size {text:?}"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        "t" | "tb" => 1_000_000_000_000,
        "tib" => 1 << 40,
        _ => {
            return Err(format!(
                "invalid size unit in {text:?} (use B, kB, MB, GB, KiB, MiB, GiB)"
            ))
        }
    };
    number
        .checked_mul(factor)
        .ok_or_else(|| format!("size {text:?} is too large"))
}

/// A duration such as `90s`, `10m` or `1h`; zero would fail every download at once.
fn parse_timeout(text: &str) -> Result<std::time::Duration, String> {
    match humantime::parse_duration(text) {
        Ok(d) if d.is_zero() => Err("a timeout of zero lets nothing download".into()),
        Ok(d) => Ok(d),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("16GiB").unwrap(), 16 << 30);
        assert_eq!(parse_size("10MB").unwrap(), 10_000_000);
        assert_eq!(parse_size("512").unwrap(), 512);
        assert!(parse_size("ten").is_err());
        assert!(parse_size("5 parsecs").is_err());
    }

    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    /// A subcommand flag named like a global one makes clap panic at parse time (the two
    /// share one id), which `debug_assert` does not catch.
    #[test]
    fn no_subcommand_flag_shadows_a_global_one() {
        use clap::CommandFactory;
        let root = Cli::command();
        let globals: Vec<String> = root
            .get_arguments()
            .filter(|a| a.is_global_set())
            .map(|a| a.get_id().to_string())
            .collect();
        let mut stack: Vec<&clap::Command> = root.get_subcommands().collect();
        while let Some(cmd) = stack.pop() {
            for arg in cmd.get_arguments().filter(|a| !a.is_global_set()) {
                assert!(
                    !globals.contains(&arg.get_id().to_string()),
                    "`{}` has its own {}",
                    cmd.get_name(),
                    arg.get_id()
                );
            }
            stack.extend(cmd.get_subcommands());
        }
    }
}
