//! The build-instruction rules. Ids are stable; `RULES.md` documents each one.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use crate::model::*;
use crate::shell::{self, SimpleCommand};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// Whether a rule can run on an instruction list rebuilt from image history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "support", content = "note", rename_all = "snake_case")]
pub enum HistorySupport {
    Yes,
    /// Runs, with the limit given.
    Partial(&'static str),
    /// Skipped in history mode, for the reason given.
    No(&'static str),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RuleInfo {
    pub id: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    /// hadolint's id for the same check, when it has one.
    pub hadolint: Option<&'static str>,
    pub history: HistorySupport,
}

/// Which rules run, and whether base-image layers count.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct CheckConfig {
    /// Rule ids turned off (`DD010`…), compared case-insensitively.
    pub disabled_rules: BTreeSet<String>,
    /// History mode: leave out findings on instructions of the base image.
    pub skip_base_image: bool,
}

/// One rule violation, pointing at the instruction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule_id: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    /// What exactly is wrong here.
    pub message: String,
    pub keyword: Keyword,
    /// 1-based inclusive line range (history mode: history index + 1; 0 for config facts).
    pub start_line: usize,
    pub end_line: usize,
    /// The instruction's text as written (or the history `created_by`).
    pub instruction: String,
    pub stage: Option<usize>,
    pub origin: Origin,
    /// History mode: the instruction belongs to the base image.
    pub base_image: bool,
    /// The suggested rewrite.
    pub rewrite: String,
}

use HistorySupport::{No, Partial, Yes};
use Severity::{Critical, High, Info, Low, Medium};

const fn rule(
    id: &'static str,
    severity: Severity,
    title: &'static str,
    hadolint: Option<&'static str>,
    history: HistorySupport,
) -> RuleInfo {
    RuleInfo {
        id,
        severity,
        title,
        hadolint,
        history,
    }
}

const NO_STAGES: &str = "history has no stage names or FROM lines";
const EVERY_IMAGE: &str =
    "each image of the chain may set its own; only the config's final value counts";

static RULES: [RuleInfo; 51] = [
    rule(
        "DD001",
        Low,
        "MAINTAINER is deprecated",
        Some("DL4000"),
        Partial("found through the config's `author` field"),
    ),
    rule(
        "DD002",
        Medium,
        "No USER: the container runs as root",
        None,
        Partial("reads the config's User"),
    ),
    rule(
        "DD003",
        Medium,
        "Last USER is root",
        Some("DL3002"),
        Partial("reads the config's User"),
    ),
    rule(
        "DD004",
        Low,
        "ADD used where COPY would do",
        Some("DL3020"),
        Partial("legacy `file:<digest>` sources are not judged"),
    ),
    rule(
        "DD005",
        Medium,
        "Sensitive data in ENV or ARG",
        Some("DL3064"),
        Yes,
    ),
    rule(
        "DD006",
        High,
        "NODE_TLS_REJECT_UNAUTHORIZED=0 disables TLS verification",
        None,
        Yes,
    ),
    rule(
        "DD007",
        Low,
        "apt used in RUN (use apt-get)",
        Some("DL3027"),
        Yes,
    ),
    rule("DD008", Medium, "sudo used in RUN", Some("DL3004"), Yes),
    rule(
        "DD009",
        Medium,
        "Base image is untagged or `latest`",
        Some("DL3006,DL3007"),
        No("the base image reference is not in the history"),
    ),
    rule("DD010", Medium, "SSH port 22 exposed", None, Yes),
    rule(
        "DD011",
        Low,
        "Package index update alone in its own RUN",
        None,
        Yes,
    ),
    rule(
        "DD012",
        Low,
        "No HEALTHCHECK",
        None,
        Partial("reads the config's Healthcheck"),
    ),
    rule(
        "DD013",
        High,
        "curl without TLS verification (-k/--insecure)",
        None,
        Yes,
    ),
    rule(
        "DD014",
        High,
        "wget without TLS verification (--no-check-certificate)",
        None,
        Yes,
    ),
    rule(
        "DD015",
        Medium,
        "pip trusts a host without TLS verification (--trusted-host)",
        None,
        Yes,
    ),
    rule(
        "DD016",
        High,
        "PYTHONHTTPSVERIFY=0 disables TLS verification",
        None,
        Yes,
    ),
    rule("DD017", High, "npm/yarn strict-ssl turned off", None, Yes),
    rule("DD018", High, "git TLS verification turned off", None, Yes),
    rule(
        "DD019",
        High,
        "apk installs untrusted packages (--allow-untrusted)",
        None,
        Yes,
    ),
    rule(
        "DD020",
        High,
        "apt installs unauthenticated packages",
        None,
        Yes,
    ),
    rule(
        "DD021",
        High,
        "yum/dnf package signatures not checked (--nogpgcheck)",
        None,
        Yes,
    ),
    rule(
        "DD022",
        High,
        "rpm package signatures not checked (--nosignature/--nodigest)",
        None,
        Yes,
    ),
    rule(
        "DD023",
        High,
        "Password set with chpasswd in RUN",
        None,
        Yes,
    ),
    rule(
        "DD024",
        High,
        "Credentials used in RUN without a secret mount",
        None,
        Partial("BuildKit history does not keep mount flags"),
    ),
    rule(
        "DD025",
        Medium,
        "VOLUME or WORKDIR on a system directory",
        None,
        Yes,
    ),
    rule("DD026", Low, "dist-upgrade in RUN", None, Yes),
    rule(
        "DD027",
        Low,
        "Several CMD instructions in one stage",
        Some("DL4003"),
        No(EVERY_IMAGE),
    ),
    rule(
        "DD028",
        Low,
        "Several ENTRYPOINT instructions in one stage",
        Some("DL4004"),
        No(EVERY_IMAGE),
    ),
    rule(
        "DD029",
        Low,
        "Several HEALTHCHECK instructions in one stage",
        Some("DL3012"),
        No(EVERY_IMAGE),
    ),
    rule("DD030", Low, "Relative WORKDIR", Some("DL3000"), Yes),
    rule(
        "DD031",
        Medium,
        "Bad stage reference",
        Some("DL3022,DL3023,DL3024"),
        No(NO_STAGES),
    ),
    rule(
        "DD032",
        Medium,
        "EXPOSE port out of range",
        Some("DL3011"),
        Yes,
    ),
    rule("DD033", High, "Remote script piped into a shell", None, Yes),
    rule(
        "DD034",
        Low,
        "apt-get install without version pins",
        Some("DL3008"),
        Yes,
    ),
    rule(
        "DD035",
        Low,
        "apk add without version pins",
        Some("DL3018"),
        Yes,
    ),
    rule(
        "DD036",
        Low,
        "pip install without version pins",
        Some("DL3013"),
        Yes,
    ),
    rule(
        "DD037",
        Low,
        "npm install without version pins",
        Some("DL3016"),
        Yes,
    ),
    rule(
        "DD038",
        Low,
        "apt-get install without --no-install-recommends",
        Some("DL3015"),
        Yes,
    ),
    rule(
        "DD039",
        Low,
        "apk add without --no-cache",
        Some("DL3019"),
        Yes,
    ),
    rule(
        "DD040",
        Low,
        "pip install without --no-cache-dir",
        Some("DL3042"),
        Yes,
    ),
    rule(
        "DD041",
        Low,
        "apt lists not removed after apt-get update",
        Some("DL3009"),
        Yes,
    ),
    rule(
        "DD042",
        Info,
        "cd used instead of WORKDIR",
        Some("DL3003"),
        Yes,
    ),
    rule(
        "DD043",
        Low,
        "CMD or ENTRYPOINT in shell form",
        Some("DL3025"),
        Yes,
    ),
    rule(
        "DD044",
        Low,
        "Pipe in RUN without pipefail",
        Some("DL4006"),
        Yes,
    ),
    rule(
        "DD045",
        Low,
        "apt-get install without -y",
        Some("DL3014"),
        Yes,
    ),
    rule(
        "DD046",
        Low,
        "yum/dnf/zypper install without -y",
        Some("DL3030,DL3038,DL3034"),
        Yes,
    ),
    rule(
        "DD047",
        Medium,
        "COPY/ADD of several sources to a destination without a trailing /",
        Some("DL3021"),
        No("history keeps the resolved destination"),
    ),
    rule(
        "DD048",
        Low,
        "FROM --platform with a fixed platform",
        Some("DL3029"),
        No(NO_STAGES),
    ),
    rule(
        "DD049",
        Medium,
        "ADD from a URL without --checksum",
        None,
        Partial("BuildKit history does not keep flags"),
    ),
    rule(
        "DD050",
        Medium,
        "World-writable permissions set with chmod",
        None,
        Yes,
    ),
    rule(
        "DD051",
        Low,
        "gem install without version pins",
        Some("DL3028"),
        Yes,
    ),
];

/// Every rule, in id order.
pub fn rules() -> &'static [RuleInfo] {
    &RULES
}

fn info(id: &str) -> &'static RuleInfo {
    RULES.iter().find(|rule| rule.id == id).unwrap_or(&RULES[0])
}

/// Runs every enabled rule.
pub fn check(dockerfile: &Dockerfile, config: &CheckConfig) -> Vec<Finding> {
    let disabled: BTreeSet<String> = config
        .disabled_rules
        .iter()
        .map(|id| id.trim().to_ascii_uppercase())
        .collect();
    let mut checker = Checker {
        dockerfile,
        history_mode: dockerfile.source == SourceKind::History,
        findings: Vec::new(),
    };
    checker.run();
    let mut findings = checker.findings;
    findings.retain(|finding| {
        !(disabled.contains(finding.rule_id) || config.skip_base_image && finding.base_image)
    });
    // Stable: findings on one line keep the order the instruction's parts were read in.
    findings.sort_by_key(|finding| (finding.start_line, finding.rule_id));
    findings.dedup();
    findings
}

struct Checker<'d> {
    dockerfile: &'d Dockerfile,
    history_mode: bool,
    findings: Vec<Finding>,
}

/// A RUN script read for the rules.
struct Script {
    commands: Vec<SimpleCommand>,
    text: String,
}

fn run_script(instruction: &Instruction) -> Option<Script> {
    let command = match &instruction.arguments {
        Arguments::Command { command } if instruction.keyword == Keyword::Run => command,
        _ => return None,
    };
    let mut text = match command {
        CommandLine::Shell(text) => text.clone(),
        CommandLine::Exec(words) => {
            // ["sh", "-c", "script"] runs the script; otherwise the words are one command.
            match words.iter().position(|word| word == "-c") {
                Some(position) if position + 1 < words.len() && is_shell(&words[0]) => {
                    words[position + 1].clone()
                }
                _ => words
                    .iter()
                    .map(|word| shell_quote(word))
                    .collect::<Vec<_>>()
                    .join(" "),
            }
        }
    };
    // Heredoc bodies: a script when the command is the heredoc or a shell reading it.
    if !instruction.heredocs.is_empty() {
        let first_words = shell::parse_script(&text);
        let program = first_words
            .first()
            .map(|command| command.program().to_string());
        let runs_script = text.trim_start().starts_with("<<")
            || text
                .trim_start()
                .starts_with(|ch: char| ch.is_ascii_digit())
            || program.as_deref().map(is_shell).unwrap_or(false);
        if runs_script {
            for heredoc in &instruction.heredocs {
                text.push('\n');
                text.push_str(&heredoc.content);
            }
        }
    }
    let commands = shell::parse_script(&text);
    Some(Script { commands, text })
}

fn shell_quote(word: &str) -> String {
    if word.is_empty()
        || word.contains(|ch: char| ch.is_whitespace() || "'\"|&;<>$`\\".contains(ch))
    {
        format!("'{}'", word.replace('\'', "'\\''"))
    } else {
        word.to_string()
    }
}

fn is_shell(program: &str) -> bool {
    matches!(
        shell::base_name(program),
        "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh" | "busybox"
    )
}

fn is_root_user(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or("").trim();
    name == "root" || name == "0"
}

/// Names that say "secret" (BuildKit's SecretsUsedInArgOrEnv uses a similar list).
fn is_sensitive_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let tokens: Vec<&str> = upper
        .split(|ch: char| !ch.is_ascii_alphanumeric())
        .collect();
    let has = |needle: &str| tokens.contains(&needle);
    // Paths to secrets, public material and key ids are not secrets.
    let harmless = [
        "FILE",
        "PATH",
        "DIR",
        "URL",
        "URI",
        "ID",
        "IDS",
        "FINGERPRINT",
        "PUBLIC",
        "PUB",
        "GPG",
        "KEYS",
        "KEYRING",
        "LENGTH",
        "SIZE",
        "ENABLED",
        "SERVER",
        "HOST",
        "USER",
        "USERNAME",
        "NAME",
        "TYPE",
        "MODE",
        "ALGORITHM",
        "VERSION",
        "LOCATION",
    ];
    if let Some(last) = tokens.last() {
        if harmless.contains(last) {
            return false;
        }
    }
    if has("GPG") || has("PUBLIC") || has("PUB") {
        return false;
    }
    let compact = upper.replace(['_', '-', '.'], "");
    [
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "TOKEN",
        "APIKEY",
        "ACCESSKEY",
        "PRIVATEKEY",
        "CREDENTIAL",
        "AUTHKEY",
        "CLIENTSECRET",
    ]
    .iter()
    .any(|needle| compact.contains(needle))
        || has("PASS")
        || has("PWD") && !compact.ends_with("OLDPWD") && compact != "PWD"
        || has("AUTH")
}

/// A literal that looks like a real credential rather than a placeholder or reference.
fn looks_like_secret(value: &str) -> bool {
    let value = value.trim();
    if value.len() < 8 || value.contains('$') || value.contains(char::is_whitespace) {
        return false;
    }
    let lower = value.to_ascii_lowercase();
    if [
        "changeme",
        "change_me",
        "example",
        "placeholder",
        "your_",
        "xxxx",
        "<",
        "secret_here",
        "/run/secrets",
    ]
    .iter()
    .any(|word| lower.contains(word))
    {
        return false;
    }
    if value.starts_with('/')
        || value.starts_with("./")
        || value.starts_with("http") && !value.contains('@')
    {
        return false;
    }
    let known_prefix = [
        "ghp_",
        "gho_",
        "github_pat_",
        "glpat-",
        "AKIA",
        "ASIA",
        "sk_live_",
        "xoxb-",
        "xoxp-",
        "npm_",
        "AIza",
        "pypi-",
    ]
    .iter()
    .any(|prefix| value.starts_with(prefix));
    let classes = [
        value.chars().any(|ch| ch.is_ascii_lowercase()),
        value.chars().any(|ch| ch.is_ascii_uppercase()),
        value.chars().any(|ch| ch.is_ascii_digit()),
        value.chars().any(|ch| !ch.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|present| **present)
    .count();
    known_prefix || classes >= 3 || (classes >= 2 && value.len() >= 16)
}

/// Splits an image reference into (name, tag, has digest).
fn image_tag(image: &str) -> (String, Option<String>, bool) {
    let (without_digest, digest) = match image.split_once('@') {
        Some((name, _)) => (name, true),
        None => (image, false),
    };
    let last_slash = without_digest
        .rfind('/')
        .map(|index| index + 1)
        .unwrap_or(0);
    match without_digest[last_slash..].rfind(':') {
        Some(colon) => {
            let split = last_slash + colon;
            (
                without_digest[..split].to_string(),
                Some(without_digest[split + 1..].to_string()),
                digest,
            )
        }
        None => (without_digest.to_string(), None, digest),
    }
}

/// The words of an apt-get/apt/yum… command after the program: (subcommand, options, operands).
struct PackageCommand<'c> {
    subcommand: Option<&'c str>,
    options: Vec<&'c str>,
    operands: Vec<&'c str>,
}

fn package_command<'c>(
    arguments: &'c [String],
    options_with_values: &[&str],
) -> PackageCommand<'c> {
    let mut result = PackageCommand {
        subcommand: None,
        options: Vec::new(),
        operands: Vec::new(),
    };
    let mut index = 0;
    while index < arguments.len() {
        let word = arguments[index].as_str();
        if word.starts_with('-') && word.len() > 1 {
            result.options.push(word);
            if options_with_values.contains(&word) && index + 1 < arguments.len() {
                index += 1;
                result.options.push(arguments[index].as_str());
            }
        } else if result.subcommand.is_none() {
            result.subcommand = Some(word);
        } else {
            result.operands.push(word);
        }
        index += 1;
    }
    result
}

fn has_short_flag(options: &[&str], letter: char) -> bool {
    options.iter().any(|option| {
        !option.starts_with("--") && option.starts_with('-') && option[1..].contains(letter)
    })
}

fn is_pip(command: &SimpleCommand) -> Option<Vec<String>> {
    let words = command.effective();
    let program = command.program();
    if program.starts_with("pip") {
        return Some(words[1..].to_vec());
    }
    if program.starts_with("python") {
        let position = words.iter().position(|word| word == "-m")?;
        if words.get(position + 1).map(String::as_str) == Some("pip") {
            return Some(words[position + 2..].to_vec());
        }
    }
    None
}

fn ports_of(item: &str) -> Option<(u64, u64)> {
    let number_part = item.split('/').next().unwrap_or(item);
    if number_part.contains('$') || number_part.is_empty() {
        return None;
    }
    let (low, high) = match number_part.split_once('-') {
        Some((low, high)) => (low, high),
        None => (number_part, number_part),
    };
    Some((low.parse().ok()?, high.parse().ok()?))
}

const SYSTEM_DIRS: [&str; 17] = [
    "/bin",
    "/boot",
    "/dev",
    "/etc",
    "/lib",
    "/lib32",
    "/lib64",
    "/proc",
    "/sbin",
    "/sys",
    "/usr",
    "/usr/bin",
    "/usr/sbin",
    "/usr/lib",
    "/usr/local/bin",
    "/run",
    "/var/run",
];

fn normalize_dir(path: &str) -> String {
    let trimmed = path.trim().trim_matches('"');
    if trimmed == "/" {
        return "/".into();
    }
    trimmed.trim_end_matches('/').to_string()
}

const ARCHIVE_SUFFIXES: [&str; 12] = [
    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz", ".tar.zst", ".gz",
    ".bz2", ".xz",
];

fn is_url(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("git@")
        || lower.starts_with("git://")
}

impl<'d> Checker<'d> {
    fn report(
        &mut self,
        id: &str,
        instruction: &Instruction,
        message: impl Into<String>,
        rewrite: impl Into<String>,
    ) {
        self.report_with(id, None, instruction, message, rewrite);
    }

    fn report_with(
        &mut self,
        id: &str,
        severity: Option<Severity>,
        instruction: &Instruction,
        message: impl Into<String>,
        rewrite: impl Into<String>,
    ) {
        let rule = info(id);
        let ignored = instruction.ignored_rules.iter().any(|ignored| {
            ignored == id
                || rule
                    .hadolint
                    .is_some_and(|codes| codes.split(',').any(|code| code == ignored))
        });
        if ignored {
            return;
        }
        if self.history_mode && matches!(rule.history, No(_)) {
            return;
        }
        self.findings.push(Finding {
            rule_id: rule.id,
            severity: severity.unwrap_or(rule.severity),
            title: rule.title,
            message: message.into(),
            keyword: instruction.keyword,
            start_line: instruction.start_line,
            end_line: instruction.end_line,
            instruction: instruction.original.clone(),
            stage: instruction.stage,
            origin: instruction.origin.clone(),
            base_image: instruction.is_base_image(),
            rewrite: rewrite.into(),
        });
    }

    fn run(&mut self) {
        let dockerfile = self.dockerfile;
        // ONBUILD triggers are checked like the instructions they will become.
        let mut flat: Vec<Instruction> = Vec::with_capacity(dockerfile.instructions.len());
        for instruction in &dockerfile.instructions {
            if let Arguments::Onbuild { trigger } = &instruction.arguments {
                let mut trigger = (**trigger).clone();
                trigger.start_line = instruction.start_line;
                trigger.end_line = instruction.end_line;
                trigger.original = instruction.original.clone();
                trigger.origin = instruction.origin.clone();
                trigger.stage = instruction.stage;
                trigger.ignored_rules = instruction.ignored_rules.clone();
                trigger.heredocs = instruction.heredocs.clone();
                flat.push(trigger);
            }
        }
        let mut shells: HashMap<Option<usize>, Vec<String>> = HashMap::new();
        for instruction in dockerfile.instructions.iter().chain(flat.iter()) {
            if instruction.keyword == Keyword::Shell {
                if let Some(CommandLine::Exec(words)) = instruction.command() {
                    shells.insert(instruction.stage, words.clone());
                }
            }
            self.instruction_rules(instruction, shells.get(&instruction.stage));
        }
        self.stage_rules();
        self.image_rules();
    }

    fn instruction_rules(&mut self, instruction: &Instruction, shell: Option<&Vec<String>>) {
        match instruction.keyword {
            Keyword::Maintainer => self.report(
                "DD001",
                instruction,
                "MAINTAINER is deprecated",
                format!(
                    "LABEL org.opencontainers.image.authors={}",
                    serde_json::Value::String(instruction.text_value().unwrap_or("").to_string())
                ),
            ),
            Keyword::Add => self.add_rules(instruction),
            Keyword::Copy => self.copy_rules(instruction),
            Keyword::Env | Keyword::Arg => self.variable_rules(instruction),
            Keyword::Run => self.run_rules(instruction, shell),
            Keyword::Expose => self.expose_rules(instruction),
            Keyword::Workdir => {
                let value = instruction.text_value().unwrap_or("");
                let raw = match &instruction.arguments {
                    Arguments::Text { raw, .. } => raw.as_str(),
                    _ => "",
                };
                let windows = value.len() >= 2 && value.as_bytes()[1] == b':';
                if !value.starts_with('/') && !raw.starts_with('$') && !windows && !value.is_empty()
                {
                    self.report(
                        "DD030",
                        instruction,
                        format!("WORKDIR {value} is relative to the previous WORKDIR"),
                        format!("WORKDIR /{value}"),
                    );
                }
                let dir = normalize_dir(value);
                if SYSTEM_DIRS.contains(&dir.as_str()) {
                    self.report(
                        "DD025",
                        instruction,
                        format!("WORKDIR {dir} is a system directory"),
                        "WORKDIR /app (a directory of the application's own)",
                    );
                }
            }
            Keyword::Volume => {
                if let Arguments::List { items, .. } = &instruction.arguments {
                    for item in items {
                        let dir = normalize_dir(item);
                        if dir == "/" || SYSTEM_DIRS.contains(&dir.as_str()) {
                            self.report(
                                "DD025",
                                instruction,
                                format!("VOLUME {dir} hides a system directory"),
                                "VOLUME /data (a directory of the application's own)",
                            );
                        }
                    }
                }
            }
            Keyword::From => self.base_image_rules(instruction),
            Keyword::Cmd | Keyword::Entrypoint => {
                let shell_form = match instruction.command() {
                    Some(CommandLine::Shell(_)) => true,
                    // How history spells a shell-form CMD.
                    Some(CommandLine::Exec(words)) => {
                        self.history_mode
                            && words.len() == 3
                            && words[0] == "/bin/sh"
                            && words[1] == "-c"
                    }
                    None => false,
                };
                if shell_form {
                    let text = match instruction.command() {
                        Some(CommandLine::Exec(words)) => words[2].clone(),
                        Some(command) => command.text(),
                        None => String::new(),
                    };
                    let words: Vec<String> = shell::parse_script(&text)
                        .first()
                        .map(|command| command.words.clone())
                        .unwrap_or_default();
                    let rewrite = format!(
                        "{} {}",
                        instruction.keyword,
                        serde_json::to_string(&words).unwrap_or_default()
                    );
                    self.report(
                        "DD043",
                        instruction,
                        format!(
                            "{} in shell form runs under /bin/sh -c and does not receive signals",
                            instruction.keyword
                        ),
                        rewrite,
                    );
                }
            }
            _ => {}
        }
    }

    fn add_rules(&mut self, instruction: &Instruction) {
        let Arguments::Files {
            sources,
            destination,
            ..
        } = &instruction.arguments
        else {
            return;
        };
        self.copy_rules(instruction);
        let any_remote = sources.iter().any(|source| is_url(source));
        let any_archive = sources.iter().any(|source| {
            let lower = source.to_ascii_lowercase();
            ARCHIVE_SUFFIXES
                .iter()
                .any(|suffix| lower.ends_with(suffix))
        });
        // Legacy history names sources by digest: whether they were archives is unknown.
        let unknown = sources.iter().any(|source| {
            source.starts_with("file:") || source.starts_with("multi:") || source.contains('$')
        });
        if !any_remote && !any_archive && !unknown {
            let flags: String = instruction
                .flags
                .iter()
                .filter(|flag| matches!(flag.name.as_str(), "chown" | "chmod" | "link"))
                .map(|flag| match &flag.value {
                    Some(value) => format!("--{}={} ", flag.name, value),
                    None => format!("--{} ", flag.name),
                })
                .collect();
            self.report(
                "DD004",
                instruction,
                "ADD of local files: COPY does the same without ADD's archive extraction and URL fetching",
                format!("COPY {flags}{} {destination}", sources.join(" ")),
            );
        }
        if any_remote
            && instruction.flag("checksum").is_none()
            && !sources
                .iter()
                .any(|source| source.ends_with(".git") || source.starts_with("git"))
        {
            self.report(
                "DD049",
                instruction,
                "ADD fetches a URL whose content is not verified",
                format!(
                    "ADD --checksum=sha256:<digest> {} {destination}",
                    sources.join(" ")
                ),
            );
        }
    }

    fn copy_rules(&mut self, instruction: &Instruction) {
        let Arguments::Files {
            sources,
            destination,
            ..
        } = &instruction.arguments
        else {
            return;
        };
        if sources.len() > 1 && !destination.ends_with('/') && !destination.contains('$') {
            self.report(
                "DD047",
                instruction,
                format!(
                    "{} sources copied to {destination}, which does not end with /",
                    sources.len()
                ),
                format!(
                    "{} {} {destination}/",
                    instruction.keyword,
                    sources.join(" ")
                ),
            );
        }
    }

    fn variable_rules(&mut self, instruction: &Instruction) {
        let keyword = instruction.keyword;
        let pairs: Vec<(String, Option<String>)> = match &instruction.arguments {
            Arguments::Pairs { pairs } => pairs
                .iter()
                .map(|pair| (pair.key.clone(), Some(pair.value.clone())))
                .collect(),
            Arguments::Arg { args } => args
                .iter()
                .map(|arg| (arg.name.clone(), arg.default.clone()))
                .collect(),
            _ => return,
        };
        for (name, value) in &pairs {
            let upper = name.to_ascii_uppercase();
            let value_text = value.as_deref().unwrap_or("");
            if upper == "NODE_TLS_REJECT_UNAUTHORIZED" && value_text.trim() == "0" {
                self.report(
                    "DD006",
                    instruction,
                    format!("{keyword} NODE_TLS_REJECT_UNAUTHORIZED=0 makes Node.js accept any certificate"),
                    "remove NODE_TLS_REJECT_UNAUTHORIZED; add the private CA with NODE_EXTRA_CA_CERTS=/path/ca.pem",
                );
            }
            if upper == "PYTHONHTTPSVERIFY" && value_text.trim() == "0" {
                self.report("DD016", instruction, "PYTHONHTTPSVERIFY=0 turns off certificate checks in Python's urllib", "remove PYTHONHTTPSVERIFY; add the private CA to the system store (update-ca-certificates)");
            }
            if upper == "GIT_SSL_NO_VERIFY"
                && !value_text.trim().is_empty()
                && value_text.trim() != "0"
                && !value_text.eq_ignore_ascii_case("false")
            {
                self.report(
                    "DD018",
                    instruction,
                    "GIT_SSL_NO_VERIFY turns off certificate checks for git",
                    "remove GIT_SSL_NO_VERIFY; set http.sslCAInfo to the private CA",
                );
            }
            if upper == "PIP_TRUSTED_HOST" && !value_text.trim().is_empty() {
                self.report("DD015", instruction, format!("PIP_TRUSTED_HOST={value_text} lets pip use that host without TLS checks"), "remove PIP_TRUSTED_HOST; serve the index over HTTPS with a trusted certificate (PIP_CERT for a private CA)");
            }
            if matches!(
                upper.as_str(),
                "NPM_CONFIG_STRICT_SSL" | "YARN_STRICT_SSL" | "NPM_CONFIG_STRICT-SSL"
            ) && value_text.eq_ignore_ascii_case("false")
            {
                self.report(
                    "DD017",
                    instruction,
                    format!("{name}=false turns off certificate checks"),
                    format!("remove {name}; set NPM_CONFIG_CAFILE to the private CA"),
                );
            }
            if is_sensitive_name(name) {
                let secret_value = value.as_deref().map(looks_like_secret).unwrap_or(false);
                let (severity, message) = if secret_value {
                    (Critical, format!("{keyword} {name} holds what looks like a real secret; it is stored in the image config/history"))
                } else {
                    (Medium, format!("{keyword} {name} is named like a secret; {keyword} values are stored in the image config/history"))
                };
                self.report_with(
                    "DD005",
                    Some(severity),
                    instruction,
                    message,
                    format!("RUN --mount=type=secret,id={},env={name} <command> (and pass it with --secret id={},env={name})", name.to_ascii_lowercase(), name.to_ascii_lowercase()),
                );
            }
        }
    }

    fn expose_rules(&mut self, instruction: &Instruction) {
        let Arguments::List { items, .. } = &instruction.arguments else {
            return;
        };
        for item in items {
            let Some((low, high)) = ports_of(item) else {
                continue;
            };
            if low <= 22 && 22 <= high {
                self.report(
                    "DD010",
                    instruction,
                    format!("EXPOSE {item} publishes SSH"),
                    "remove the SSH port; use `docker exec` / `kubectl exec` to get a shell",
                );
            }
            if low == 0 || high > 65535 || low > high {
                self.report(
                    "DD032",
                    instruction,
                    format!("EXPOSE {item}: ports are 1 to 65535"),
                    "EXPOSE a port between 1 and 65535",
                );
            }
        }
    }

    fn base_image_rules(&mut self, instruction: &Instruction) {
        let Arguments::From {
            image, resolved, ..
        } = &instruction.arguments
        else {
            return;
        };
        if let Some(platform) = instruction.flag_value("platform") {
            if !platform.contains('$')
                && !platform.is_empty()
                && instruction.flag("platform").is_some()
            {
                let raw_platform = instruction.line.contains("$");
                if !raw_platform {
                    self.report(
                        "DD048",
                        instruction,
                        format!("FROM --platform={platform} fixes the platform"),
                        "FROM --platform=$BUILDPLATFORM … (or drop --platform)",
                    );
                }
            }
        }
        if !*resolved || image.eq_ignore_ascii_case("scratch") || image.is_empty() {
            return;
        }
        let lowered = image.to_ascii_lowercase();
        let is_stage = self.dockerfile.stages.iter().any(|stage| {
            stage.name.as_deref() == Some(lowered.as_str())
                && stage
                    .from_instruction
                    .map(|index| {
                        self.dockerfile.instructions[index].start_line < instruction.start_line
                    })
                    .unwrap_or(false)
        });
        if is_stage {
            return;
        }
        let (name, tag, digest) = image_tag(image);
        if digest {
            return;
        }
        match tag.as_deref() {
            None => self.report(
                "DD009",
                instruction,
                format!("FROM {image} has no tag: it means `latest`, which changes under you"),
                format!("FROM {name}:<version>"),
            ),
            Some("latest") => self.report(
                "DD009",
                instruction,
                format!("FROM {image} uses the moving `latest` tag"),
                format!("FROM {name}:<version>"),
            ),
            _ => {}
        }
    }

    fn run_rules(&mut self, instruction: &Instruction, shell: Option<&Vec<String>>) {
        let Some(script) = run_script(instruction) else {
            return;
        };
        let mounts = instruction.mounts();
        let has_secret_mount = mounts
            .iter()
            .any(|mount| mount.kind == "secret" || mount.kind == "ssh");
        let cache_mount = |path: &str| {
            mounts.iter().any(|mount| {
                mount.kind == "cache"
                    && ["target", "dst", "destination"]
                        .iter()
                        .filter_map(|key| mount.options.get(*key))
                        .any(|target| target.trim_end_matches('/').starts_with(path))
            })
        };
        let stage_env = self.stage_env(instruction);
        let is_final_stage = self.is_final_stage(instruction.stage);
        let commands = &script.commands;

        let mut sudo = false;
        let mut has_apt_update = false;
        let mut apt_lists_removed = false;
        let mut only_updates = !commands.is_empty();
        let mut pipefail_set = false;
        let mut pipe_without_pipefail = false;

        for (index, command) in commands.iter().enumerate() {
            let program = command.program();
            let arguments = command.arguments();
            sudo |= command.uses_sudo() || program == "sudo";

            for (name, value) in &command.assignments {
                self.assignment_rules(instruction, name, value, has_secret_mount);
            }
            if program == "export" {
                for argument in arguments {
                    if let Some((name, value)) = argument.split_once('=') {
                        self.assignment_rules(instruction, name, value, has_secret_mount);
                    }
                }
            }
            if program == "set" && arguments.iter().any(|argument| argument == "pipefail") {
                pipefail_set = true;
            }
            if (command.pipes_into_next || command.pipe_inside_substitution) && !pipefail_set {
                pipe_without_pipefail = true;
            }

            let is_update = matches!(
                (program, arguments.first().map(String::as_str)),
                ("apt-get" | "apt", Some("update"))
                    | ("apk", Some("update"))
                    | ("yum" | "dnf" | "microdnf", Some("makecache"))
                    | ("zypper", Some("refresh" | "ref"))
            ) || (program == "apt-get" || program == "apt")
                && package_command(arguments, &["-o", "-t", "-c"]).subcommand == Some("update");
            let trivial = matches!(program, "set" | "echo" | "true" | ":" | "" | "export");
            if !is_update && !trivial {
                only_updates = false;
            }

            match program {
                "apt" | "apt-get" => {
                    let parsed = package_command(
                        arguments,
                        &["-o", "-t", "-c", "--option", "--target-release"],
                    );
                    if program == "apt" {
                        self.report(
                            "DD007",
                            instruction,
                            "apt is meant for terminals; its interface is not stable for scripts",
                            script_rewrite(&script.text, "apt ", "apt-get "),
                        );
                    }
                    if parsed.subcommand == Some("update") {
                        has_apt_update = true;
                    }
                    if matches!(parsed.subcommand, Some("dist-upgrade" | "full-upgrade")) {
                        self.report(
                            "DD026",
                            instruction,
                            format!(
                                "{program} {} upgrades the base image's packages in place",
                                parsed.subcommand.unwrap_or("")
                            ),
                            "use a newer base image tag instead of upgrading inside the build",
                        );
                    }
                    let insecure: Vec<&str> = parsed
                        .options
                        .iter()
                        .copied()
                        .filter(|option| {
                            matches!(
                                *option,
                                "--allow-unauthenticated"
                                    | "--force-yes"
                                    | "--allow-insecure-repositories"
                                    | "--allow-downgrades"
                            ) && *option != "--allow-downgrades"
                                || option.contains("AllowUnauthenticated")
                                    && option.contains("true")
                                || option.contains("AllowInsecureRepositories")
                                    && option.contains("true")
                        })
                        .collect();
                    if !insecure.is_empty() {
                        self.report(
                            "DD020",
                            instruction,
                            format!(
                                "{program} {} installs packages whose signatures are not verified",
                                insecure.join(" ")
                            ),
                            format!(
                                "remove {}; import the repository's signing key instead",
                                insecure.join(" ")
                            ),
                        );
                    }
                    if matches!(parsed.subcommand, Some("install")) && program == "apt-get" {
                        let unpinned: Vec<&str> = parsed
                            .operands
                            .iter()
                            .copied()
                            .filter(|package| {
                                !package.contains('=')
                                    && !package.ends_with(".deb")
                                    && !package.contains('/')
                                    && !package.contains('$')
                            })
                            .collect();
                        if !unpinned.is_empty() {
                            self.report(
                                "DD034",
                                instruction,
                                format!("apt-get install without versions: {}", unpinned.join(" ")),
                                format!(
                                    "apt-get install {}",
                                    unpinned
                                        .iter()
                                        .map(|package| format!("{package}=<version>"))
                                        .collect::<Vec<_>>()
                                        .join(" ")
                                ),
                            );
                        }
                        let recommends_off = parsed.options.iter().any(|option| {
                            *option == "--no-install-recommends"
                                || option.contains("Install-Recommends=false")
                                || option.contains("Install-Recommends=0")
                        });
                        if !recommends_off {
                            self.report(
                                "DD038",
                                instruction,
                                "apt-get install also installs recommended packages",
                                "apt-get install --no-install-recommends …",
                            );
                        }
                        let assumes_yes = parsed.options.iter().any(|option| {
                            matches!(
                                *option,
                                "--yes" | "--assume-yes" | "-qq" | "-q=2" | "--quiet=2"
                            ) || option.contains("Assume-Yes=true")
                        }) || has_short_flag(&parsed.options, 'y');
                        if !assumes_yes {
                            self.report(
                                "DD045",
                                instruction,
                                "apt-get install without -y waits for an answer",
                                "apt-get install -y …",
                            );
                        }
                    }
                }
                "apk" => {
                    let parsed = package_command(
                        arguments,
                        &["-X", "--repository", "-p", "--root", "-t", "--virtual"],
                    );
                    if parsed.options.contains(&"--allow-untrusted") {
                        self.report("DD019", instruction, "apk --allow-untrusted installs packages without checking their signature", "remove --allow-untrusted; add the repository key to /etc/apk/keys");
                    }
                    if parsed.subcommand == Some("add") {
                        let unpinned: Vec<&str> = parsed
                            .operands
                            .iter()
                            .copied()
                            .filter(|package| {
                                !package.contains('=')
                                    && !package.contains('$')
                                    && !package.ends_with(".apk")
                            })
                            .collect();
                        // `--virtual NAME` takes a value; the parser dropped it already.
                        if !unpinned.is_empty() {
                            self.report(
                                "DD035",
                                instruction,
                                format!("apk add without versions: {}", unpinned.join(" ")),
                                format!(
                                    "apk add {}",
                                    unpinned
                                        .iter()
                                        .map(|package| format!("{package}=<version>"))
                                        .collect::<Vec<_>>()
                                        .join(" ")
                                ),
                            );
                        }
                        if !parsed.options.contains(&"--no-cache")
                            && !cache_mount("/var/cache/apk")
                            && !cache_mount("/etc/apk/cache")
                        {
                            self.report(
                                "DD039",
                                instruction,
                                "apk add keeps its package index in the layer",
                                "apk add --no-cache …",
                            );
                        }
                    }
                }
                "yum" | "dnf" | "microdnf" | "zypper" | "tdnf" => {
                    let parsed = package_command(
                        arguments,
                        &[
                            "--setopt",
                            "-c",
                            "--config",
                            "--installroot",
                            "--releasever",
                            "--enablerepo",
                            "--disablerepo",
                        ],
                    );
                    let no_gpg: Vec<&str> = parsed
                        .options
                        .iter()
                        .copied()
                        .filter(|option| {
                            matches!(*option, "--nogpgcheck" | "--no-gpg-checks")
                                || option.replace(' ', "").contains("gpgcheck=0")
                                || option.replace(' ', "").contains("gpgcheck=false")
                        })
                        .collect();
                    if !no_gpg.is_empty() {
                        self.report(
                            "DD021",
                            instruction,
                            format!(
                                "{program} {} installs packages without checking their signature",
                                no_gpg.join(" ")
                            ),
                            format!(
                                "remove {}; import the repository's GPG key (rpm --import)",
                                no_gpg.join(" ")
                            ),
                        );
                    }
                    if matches!(
                        parsed.subcommand,
                        Some("install" | "in" | "groupinstall" | "localinstall" | "reinstall")
                    ) {
                        let yes = parsed.options.iter().any(|option| {
                            matches!(
                                *option,
                                "--assumeyes" | "--non-interactive" | "--no-confirm"
                            )
                        }) || has_short_flag(&parsed.options, 'y')
                            || program == "microdnf"
                            || program == "zypper" && parsed.options.contains(&"-n");
                        if !yes {
                            self.report(
                                "DD046",
                                instruction,
                                format!("{program} install without -y waits for an answer"),
                                format!("{program} install -y …"),
                            );
                        }
                    }
                    if matches!(
                        parsed.subcommand,
                        Some("distro-sync" | "dist-upgrade" | "dup")
                    ) {
                        self.report(
                            "DD026",
                            instruction,
                            format!(
                                "{program} {} upgrades the base image's packages in place",
                                parsed.subcommand.unwrap_or("")
                            ),
                            "use a newer base image tag instead of upgrading inside the build",
                        );
                    }
                }
                "rpm" => {
                    let bad: Vec<&String> = arguments
                        .iter()
                        .filter(|argument| {
                            matches!(
                                argument.as_str(),
                                "--nosignature" | "--nodigest" | "--nogpg" | "--noverify"
                            )
                        })
                        .collect();
                    if !bad.is_empty() {
                        let joined: Vec<&str> =
                            bad.iter().map(|argument| argument.as_str()).collect();
                        self.report(
                            "DD022",
                            instruction,
                            format!(
                                "rpm {} installs without checking signatures or digests",
                                joined.join(" ")
                            ),
                            format!("remove {}; rpm --import the vendor key", joined.join(" ")),
                        );
                    }
                }
                "curl" => {
                    let insecure = arguments.iter().any(|argument| {
                        argument == "--insecure"
                            || (!argument.starts_with("--")
                                && argument.starts_with('-')
                                && argument[1..].contains('k'))
                    });
                    if insecure {
                        self.report(
                            "DD013",
                            instruction,
                            "curl -k/--insecure accepts any certificate",
                            "remove -k/--insecure; pass a private CA with --cacert",
                        );
                    }
                    self.credential_rules(instruction, command, has_secret_mount);
                }
                "wget" => {
                    if arguments
                        .iter()
                        .any(|argument| argument == "--no-check-certificate")
                    {
                        self.report("DD014", instruction, "wget --no-check-certificate accepts any certificate", "remove --no-check-certificate; pass a private CA with --ca-certificate");
                    }
                    self.credential_rules(instruction, command, has_secret_mount);
                }
                "npm" | "yarn" | "pnpm" => {
                    let joined = arguments.join(" ").to_ascii_lowercase().replace('=', " ");
                    if joined.contains("strict-ssl false")
                        || joined.contains("--strict-ssl false")
                        || joined.contains("strict-ssl 0")
                    {
                        self.report("DD017", instruction, format!("{program} strict-ssl is turned off: registry certificates are not checked"), format!("{program} config set cafile /path/ca.pem (keep strict-ssl on)"));
                    }
                    if program == "npm" {
                        let parsed = package_command(
                            arguments,
                            &[
                                "--prefix",
                                "-C",
                                "--registry",
                                "--cache",
                                "-w",
                                "--workspace",
                            ],
                        );
                        if matches!(
                            parsed.subcommand,
                            Some("install" | "i" | "add" | "isntall" | "in")
                        ) {
                            let unpinned: Vec<&str> = parsed
                                .operands
                                .iter()
                                .copied()
                                .filter(|package| {
                                    let name_version = package
                                        .strip_prefix('@')
                                        .map(|rest| rest.contains('@'))
                                        .unwrap_or(package.contains('@'));
                                    !name_version
                                        && !package.contains('/')
                                        && !package.contains(':')
                                        && !package.ends_with(".tgz")
                                        && !package.starts_with('.')
                                        && !package.contains('$')
                                        || package.starts_with('@')
                                            && !name_version
                                            && !package.contains(':')
                                })
                                .collect();
                            if !unpinned.is_empty() {
                                self.report(
                                    "DD037",
                                    instruction,
                                    format!("npm install without versions: {}", unpinned.join(" ")),
                                    format!(
                                        "npm install {}",
                                        unpinned
                                            .iter()
                                            .map(|package| format!("{package}@<version>"))
                                            .collect::<Vec<_>>()
                                            .join(" ")
                                    ),
                                );
                            }
                        }
                    }
                    self.credential_rules(instruction, command, has_secret_mount);
                }
                "git" => {
                    let joined = arguments.join(" ").to_ascii_lowercase();
                    if joined.contains("sslverify=false")
                        || joined.contains("sslverify false")
                        || joined.contains("sslverify=0")
                        || joined.contains("sslverify 0")
                    {
                        self.report(
                            "DD018",
                            instruction,
                            "git http.sslVerify is turned off",
                            "keep http.sslVerify on; set http.sslCAInfo to the private CA",
                        );
                    }
                    self.credential_rules(instruction, command, has_secret_mount);
                }
                "chpasswd" => {
                    self.report("DD023", instruction, "chpasswd sets a password in a build step: it is in the build log and cache, and the hash ships in /etc/shadow", "do not set passwords in images; use key-based access provided at run time");
                }
                "cd" => {
                    let target = arguments.first().map(String::as_str).unwrap_or("~");
                    self.report(
                        "DD042",
                        instruction,
                        format!(
                            "cd {target} in RUN: the directory is not kept for later instructions"
                        ),
                        format!("WORKDIR {target}"),
                    );
                }
                "chmod" => {
                    let mode = arguments.iter().find(|argument| !argument.starts_with('-'));
                    if let Some(mode) = mode {
                        let world_writable =
                            if mode.chars().all(|ch| ch.is_ascii_digit()) && !mode.is_empty() {
                                mode.chars()
                                    .last()
                                    .and_then(|ch| ch.to_digit(8))
                                    .map(|digit| digit & 2 != 0)
                                    .unwrap_or(false)
                            } else {
                                mode.split(',').any(|clause| {
                                    (clause.starts_with('o') || clause.starts_with('a'))
                                        && clause.contains('+')
                                        && clause.split('+').nth(1).unwrap_or("").contains('w')
                                })
                            };
                        if world_writable {
                            self.report("DD050", instruction, format!("chmod {mode} makes files writable by every user"), "give write access to the owner (chmod 755/644) and chown to the user that needs it");
                        }
                    }
                }
                "gem" => {
                    let parsed = package_command(
                        arguments,
                        &["-v", "--version", "-i", "--install-dir", "--source"],
                    );
                    if parsed.subcommand == Some("install")
                        && !parsed.options.iter().any(|option| {
                            *option == "-v"
                                || *option == "--version"
                                || option.starts_with("--version=")
                        })
                    {
                        let unpinned: Vec<&str> = parsed
                            .operands
                            .iter()
                            .copied()
                            .filter(|gem| !gem.contains(':') && !gem.ends_with(".gem"))
                            .collect();
                        if !unpinned.is_empty() {
                            self.report(
                                "DD051",
                                instruction,
                                format!("gem install without versions: {}", unpinned.join(" ")),
                                format!(
                                    "gem install {}",
                                    unpinned
                                        .iter()
                                        .map(|gem| format!("{gem}:<version>"))
                                        .collect::<Vec<_>>()
                                        .join(" ")
                                ),
                            );
                        }
                    }
                }
                "rm" if arguments
                    .iter()
                    .any(|argument| argument.starts_with("/var/lib/apt/lists")) =>
                {
                    apt_lists_removed = true;
                }
                "docker" | "mysql" | "psql" | "sshpass" | "htpasswd" | "mongo" | "mongosh"
                | "redis-cli" => {
                    self.credential_rules(instruction, command, has_secret_mount);
                }
                _ => {}
            }

            if let Some(pip_arguments) = is_pip(command) {
                let parsed = package_command(
                    &pip_arguments,
                    &[
                        "-i",
                        "--index-url",
                        "--extra-index-url",
                        "--trusted-host",
                        "-t",
                        "--target",
                        "--prefix",
                        "--root",
                        "-c",
                        "--constraint",
                        "-f",
                        "--find-links",
                        "--platform",
                        "--python-version",
                        "--implementation",
                        "--abi",
                        "--only-binary",
                        "--no-binary",
                        "--progress-bar",
                        "--src",
                        "--cache-dir",
                        "--log",
                        "--proxy",
                        "--timeout",
                        "--retries",
                        "--cert",
                        "--client-cert",
                    ],
                );
                if pip_arguments.iter().any(|argument| {
                    argument == "--trusted-host" || argument.starts_with("--trusted-host=")
                }) {
                    self.report("DD015", instruction, "pip --trusted-host lets that index be used without TLS checks", "remove --trusted-host; use an HTTPS index with a trusted certificate (--cert for a private CA)");
                }
                if parsed.subcommand == Some("install") {
                    let from_file = parsed.options.iter().any(|option| {
                        matches!(*option, "-r" | "--requirement" | "-e" | "--editable")
                            || option.starts_with("--requirement=")
                            || option.starts_with("-r")
                    });
                    let unpinned: Vec<&str> = parsed
                        .operands
                        .iter()
                        .copied()
                        .filter(|package| {
                            !["==", ">=", "<=", "~=", "!=", "@", "<", ">"]
                                .iter()
                                .any(|operator| package.contains(operator))
                                && !package.ends_with(".whl")
                                && !package.ends_with(".tar.gz")
                                && !package.ends_with(".zip")
                                && !package.starts_with('.')
                                && !package.starts_with('/')
                                && !package.contains("://")
                                && !package.contains('$')
                        })
                        .collect();
                    if !from_file && !unpinned.is_empty() {
                        self.report(
                            "DD036",
                            instruction,
                            format!("pip install without versions: {}", unpinned.join(" ")),
                            format!(
                                "pip install {}",
                                unpinned
                                    .iter()
                                    .map(|package| format!("{package}==<version>"))
                                    .collect::<Vec<_>>()
                                    .join(" ")
                            ),
                        );
                    }
                    let no_cache = parsed.options.iter().any(|option| {
                        *option == "--no-cache-dir" || option.starts_with("--no-cache-dir=")
                    }) || stage_env
                        .get("PIP_NO_CACHE_DIR")
                        .map(|value| !matches!(value.as_str(), "" | "0" | "false" | "off" | "no"))
                        .unwrap_or(false)
                        || command
                            .assignments
                            .iter()
                            .any(|(name, _)| name == "PIP_NO_CACHE_DIR")
                        || cache_mount("/root/.cache/pip")
                        || cache_mount("/root/.cache");
                    if !no_cache {
                        self.report(
                            "DD040",
                            instruction,
                            "pip install keeps its download cache in the layer",
                            "pip install --no-cache-dir …",
                        );
                    }
                }
            }

            // curl/wget output piped into a shell.
            if matches!(program, "curl" | "wget") && command.pipes_into_next {
                if let Some(next) = commands.get(index + 1) {
                    let next_program = next.program();
                    if is_shell(next_program)
                        || matches!(
                            next_program,
                            "python" | "python3" | "perl" | "ruby" | "node"
                        )
                    {
                        self.report("DD033", instruction, format!("{program} output is run by {next_program} without being checked"), "download to a file, verify its checksum (sha256sum -c) or signature, then run it");
                    }
                }
            }
            if is_shell(program) {
                let fetches = arguments.iter().any(|argument| {
                    ["$(curl", "$(wget", "`curl", "`wget"]
                        .iter()
                        .any(|fetch| argument.contains(fetch))
                });
                if fetches {
                    self.report("DD033", instruction, format!("{program} runs a script fetched from the network without checking it"), "download to a file, verify its checksum (sha256sum -c) or signature, then run it");
                }
            }
        }

        if sudo {
            self.report("DD008", instruction, "sudo in a build step: RUN already runs as the current USER; sudo in the image widens privilege escalation", "drop sudo; switch with USER root … USER app around the step that needs root");
        }
        if only_updates
            && commands.iter().any(|command| {
                !matches!(
                    command.program(),
                    "set" | "echo" | "true" | ":" | "" | "export"
                )
            })
        {
            self.report(
                "DD011",
                instruction,
                "an index update alone is cached as its own layer: later installs use stale lists",
                "RUN apt-get update && apt-get install -y … (update and install in one RUN)",
            );
        }
        if has_apt_update
            && !apt_lists_removed
            && is_final_stage
            && !cache_mount("/var/lib/apt")
            && !cache_mount("/var/cache/apt")
        {
            self.report(
                "DD041",
                instruction,
                "apt lists from apt-get update stay in the layer",
                "… && rm -rf /var/lib/apt/lists/* (in the same RUN)",
            );
        }
        let shell_has_pipefail = shell
            .map(|words| words.iter().any(|word| word.contains("pipefail")))
            .unwrap_or(false);
        let shell_is_posix = shell
            .and_then(|words| words.first())
            .map(|program| is_shell(program))
            .unwrap_or(true);
        let shell_form = matches!(instruction.command(), Some(CommandLine::Shell(_)));
        if pipe_without_pipefail && shell_form && !shell_has_pipefail && shell_is_posix {
            self.report("DD044", instruction, "a failure before the last command of a pipe does not fail the build", "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"] before this RUN (or `set -o pipefail &&` at its start)");
        }
    }

    /// `NAME=value` in a RUN (prefix or export).
    fn assignment_rules(
        &mut self,
        instruction: &Instruction,
        name: &str,
        value: &str,
        has_secret_mount: bool,
    ) {
        let upper = name.to_ascii_uppercase();
        if upper == "NODE_TLS_REJECT_UNAUTHORIZED" && value.trim() == "0" {
            self.report("DD006", instruction, "NODE_TLS_REJECT_UNAUTHORIZED=0 makes Node.js accept any certificate", "remove NODE_TLS_REJECT_UNAUTHORIZED; add the private CA with NODE_EXTRA_CA_CERTS=/path/ca.pem");
        }
        if upper == "PYTHONHTTPSVERIFY" && value.trim() == "0" {
            self.report(
                "DD016",
                instruction,
                "PYTHONHTTPSVERIFY=0 turns off certificate checks in Python's urllib",
                "remove PYTHONHTTPSVERIFY; add the private CA to the system store",
            );
        }
        if upper == "GIT_SSL_NO_VERIFY" && !matches!(value.trim(), "" | "0" | "false") {
            self.report(
                "DD018",
                instruction,
                "GIT_SSL_NO_VERIFY turns off certificate checks for git",
                "remove GIT_SSL_NO_VERIFY; set http.sslCAInfo to the private CA",
            );
        }
        if upper == "PIP_TRUSTED_HOST" && !value.trim().is_empty() {
            self.report(
                "DD015",
                instruction,
                format!("PIP_TRUSTED_HOST={value} lets pip use that host without TLS checks"),
                "remove PIP_TRUSTED_HOST; use an HTTPS index with a trusted certificate",
            );
        }
        if !has_secret_mount && is_sensitive_name(name) && looks_like_secret(value) {
            self.report(
                "DD024",
                instruction,
                format!("{name} is given a literal secret in RUN: it stays in the build history"),
                format!(
                    "RUN --mount=type=secret,id={},env={name} …",
                    name.to_ascii_lowercase()
                ),
            );
        }
    }

    /// Passwords on command lines and credentials in URLs.
    fn credential_rules(
        &mut self,
        instruction: &Instruction,
        command: &SimpleCommand,
        has_secret_mount: bool,
    ) {
        if has_secret_mount {
            return;
        }
        let program = command.program();
        let arguments = command.arguments();
        let mut reason: Option<String> = None;
        for (index, argument) in arguments.iter().enumerate() {
            let next = arguments.get(index + 1).map(String::as_str).unwrap_or("");
            let literal = |value: &str| {
                !value.is_empty()
                    && !value.starts_with('$')
                    && !value.contains("$(")
                    && !value.starts_with('-')
            };
            if let Some(userinfo) = url_userinfo(argument) {
                if userinfo.contains(':') && !userinfo.contains('$') {
                    reason = Some("a URL with a user and password".into());
                }
            }
            match (program, argument.as_str()) {
                ("curl", "-u" | "--user") if next.contains(':') && literal(next) => {
                    reason = Some(format!("curl {argument} user:password"))
                }
                ("curl", "-H" | "--header")
                    if next.to_ascii_lowercase().starts_with("authorization:")
                        && !next.contains('$') =>
                {
                    reason = Some("an Authorization header".into())
                }
                ("wget", _)
                    if (argument.starts_with("--password=")
                        || argument.starts_with("--http-password="))
                        && literal(
                            argument
                                .split_once('=')
                                .map(|(_, value)| value)
                                .unwrap_or(""),
                        ) =>
                {
                    reason = Some(format!("wget {argument}"))
                }
                ("docker", "-p" | "--password") if literal(next) => {
                    reason = Some("docker login with a password argument".into())
                }
                ("mysql", _)
                    if argument.starts_with("-p")
                        && argument.len() > 2
                        && literal(&argument[2..]) =>
                {
                    reason = Some("mysql -p<password>".into())
                }
                ("mysql" | "mongo" | "mongosh" | "redis-cli", "--password" | "-a")
                    if literal(next) =>
                {
                    reason = Some(format!("{program} {argument} <password>"))
                }
                ("sshpass", "-p") if literal(next) => reason = Some("sshpass -p <password>".into()),
                ("htpasswd", _)
                    if argument.starts_with('-')
                        && argument.contains('b')
                        && !argument.starts_with("--") =>
                {
                    reason = Some("htpasswd -b with a password argument".into())
                }
                ("npm" | "yarn" | "pnpm", _)
                    if (argument.contains("_authToken=")
                        || argument.contains("_auth=")
                        || argument.contains("_password="))
                        && !argument.contains('$') =>
                {
                    reason = Some(format!("{program} registry token on the command line"))
                }
                ("npm" | "yarn" | "pnpm", _)
                    if (argument.ends_with(":_authToken")
                        || argument.ends_with(":_auth")
                        || argument == "_authToken")
                        && literal(next) =>
                {
                    reason = Some(format!("{program} config set of a registry token"))
                }
                _ => {}
            }
        }
        if let Some(reason) = reason {
            self.report(
                "DD024",
                instruction,
                format!("credentials in RUN ({reason}) stay in the build history and cache"),
                "RUN --mount=type=secret,id=token,env=TOKEN … and read the credential from $TOKEN",
            );
        }
    }

    fn stage_env(&self, instruction: &Instruction) -> HashMap<String, String> {
        let mut env = HashMap::new();
        for other in &self.dockerfile.instructions {
            if other.stage != instruction.stage || other.start_line > instruction.start_line {
                continue;
            }
            if other.keyword == Keyword::Env {
                for pair in other.pairs() {
                    env.insert(pair.key.clone(), pair.value.clone());
                }
            }
        }
        env
    }

    /// The final stage, or a stage it is built `FROM`: what ships in the image.
    fn is_final_stage(&self, stage: Option<usize>) -> bool {
        let Some(stage) = stage else {
            return false;
        };
        let stages = &self.dockerfile.stages;
        let mut current = stages.len().checked_sub(1);
        let mut steps = 0;
        while let Some(index) = current {
            if index == stage {
                return true;
            }
            steps += 1;
            if steps > stages.len() {
                break;
            }
            current = stages.get(index).and_then(|entry| entry.base_stage);
        }
        false
    }

    /// Duplicates and references between stages.
    fn stage_rules(&mut self) {
        let dockerfile = self.dockerfile;
        for stage in &dockerfile.stages {
            let in_stage: Vec<&Instruction> = dockerfile
                .instructions
                .iter()
                .filter(|instruction| instruction.stage == Some(stage.index))
                .collect();
            for (keyword, id) in [
                (Keyword::Cmd, "DD027"),
                (Keyword::Entrypoint, "DD028"),
                (Keyword::Healthcheck, "DD029"),
            ] {
                let all: Vec<&&Instruction> = in_stage
                    .iter()
                    .filter(|instruction| instruction.keyword == keyword)
                    .collect();
                if all.len() > 1 {
                    for duplicate in &all[..all.len() - 1] {
                        self.report(
                            id,
                            duplicate,
                            format!(
                                "only the last {keyword} of a stage takes effect (line {})",
                                all[all.len() - 1].start_line
                            ),
                            format!("remove this {keyword}"),
                        );
                    }
                }
            }
            if let Some(name) = &stage.name {
                let earlier = dockerfile.stages[..stage.index]
                    .iter()
                    .find(|other| other.name.as_deref() == Some(name.as_str()));
                if let (Some(_), Some(from)) = (earlier, stage.from_instruction) {
                    let instruction = &dockerfile.instructions[from];
                    self.report(
                        "DD031",
                        instruction,
                        format!("stage name {name} is used twice"),
                        format!("FROM … AS {name}-2 (stage names must be unique)"),
                    );
                }
            }
            for instruction in &in_stage {
                let Some(from) = instruction.flag_value("from") else {
                    continue;
                };
                if instruction.keyword != Keyword::Copy && instruction.keyword != Keyword::Add {
                    continue;
                }
                let lowered = from.to_ascii_lowercase();
                if lowered.contains('$') || lowered.is_empty() {
                    continue;
                }
                let message = if let Ok(number) = lowered.parse::<usize>() {
                    if number >= stage.index {
                        Some(format!(
                            "--from={number} names stage {number}, which is not before this one"
                        ))
                    } else {
                        None
                    }
                } else if stage.name.as_deref() == Some(lowered.as_str()) {
                    Some(format!("--from={from} names the stage it is in"))
                } else if let Some(target) = dockerfile
                    .stages
                    .iter()
                    .find(|other| other.name.as_deref() == Some(lowered.as_str()))
                {
                    if target.index > stage.index {
                        Some(format!("--from={from} names a later stage"))
                    } else {
                        None
                    }
                } else if !lowered.contains(':') && !lowered.contains('/') && !lowered.contains('@')
                {
                    Some(format!("--from={from} is no stage of this file; BuildKit will pull an image named {from}:latest"))
                } else {
                    None
                };
                if let Some(message) = message {
                    self.report(
                        "DD031",
                        instruction,
                        message,
                        "COPY --from=<an earlier stage name> …",
                    );
                }
            }
        }
    }

    /// Whole-image rules: the user the container runs as, the health check.
    fn image_rules(&mut self) {
        let dockerfile = self.dockerfile;
        if self.history_mode {
            let config = dockerfile.config.clone().unwrap_or_default();
            // Whole-image facts belong to the image's own last build step, not to an entry
            // made up from a config field (`Env`) when the history lacks one.
            let own = |instruction: &&Instruction| !instruction.is_base_image();
            let step =
                |instruction: &&Instruction| matches!(instruction.origin, Origin::History { .. });
            let instructions = &dockerfile.instructions;
            let last = instructions
                .iter()
                .rev()
                .find(|i| own(i) && step(i))
                .or_else(|| instructions.iter().rev().find(own))
                .or(instructions.last());
            let Some(last) = last else {
                return;
            };
            let user = config.user.clone().unwrap_or_default();
            if user.trim().is_empty() {
                self.report(
                    "DD002",
                    last,
                    "the image config has no User: containers run as root",
                    "RUN useradd -r -u 10001 app && … then USER 10001",
                );
            } else if is_root_user(&user) {
                let target = dockerfile
                    .instructions
                    .iter()
                    .rev()
                    .find(|instruction| instruction.keyword == Keyword::User)
                    .unwrap_or(last);
                self.report(
                    "DD003",
                    target,
                    format!("the image config's User is {user}"),
                    "USER 10001 (a non-root user created in the image)",
                );
            }
            match config.healthcheck.as_deref() {
                None => self.report(
                    "DD012",
                    last,
                    "the image config has no Healthcheck",
                    "HEALTHCHECK CMD <command that exits non-zero when the service is unhealthy>",
                ),
                Some([first, ..]) if first == "NONE" => self.report(
                    "DD012",
                    last,
                    "the image config turns the health check off (NONE)",
                    "HEALTHCHECK CMD <command that exits non-zero when the service is unhealthy>",
                ),
                _ => {}
            }
            if let Some(author) = config
                .author
                .as_deref()
                .filter(|author| !author.trim().is_empty())
            {
                // The author field is only set by MAINTAINER; point at that entry when present.
                if !dockerfile
                    .instructions
                    .iter()
                    .any(|instruction| instruction.keyword == Keyword::Maintainer)
                {
                    self.report("DD001", last, format!("the image config's author ({author}) comes from the deprecated MAINTAINER"), format!("LABEL org.opencontainers.image.authors={}", serde_json::Value::String(author.to_string())));
                }
            }
            return;
        }
        let Some(final_stage) = dockerfile.stages.last() else {
            return;
        };
        let Some(from_index) = final_stage.from_instruction else {
            return;
        };
        let final_from = &dockerfile.instructions[from_index];
        // Follow the chain of stages the final one is built on.
        let mut chain = vec![final_stage.index];
        let mut current = final_stage;
        while let Some(base) = current.base_stage {
            if chain.contains(&base) {
                break;
            }
            chain.push(base);
            current = &dockerfile.stages[base];
        }
        let find_last = |keyword: Keyword| {
            chain.iter().find_map(|stage| {
                dockerfile.instructions.iter().rev().find(|instruction| {
                    instruction.stage == Some(*stage) && instruction.keyword == keyword
                })
            })
        };
        match find_last(Keyword::User) {
            None => self.report("DD002", final_from, "no USER in the final stage: the container runs as the base image's user, root unless the base says otherwise", "RUN useradd -r -u 10001 app … then USER 10001 before CMD"),
            Some(user) => {
                let value = user.text_value().unwrap_or("");
                let raw = match &user.arguments {
                    Arguments::Text { raw, .. } => raw.as_str(),
                    _ => "",
                };
                if is_root_user(value) && !raw.contains('$') {
                    self.report("DD003", user, format!("the last USER is {value}: the container runs as root"), "USER 10001 (a non-root user created in the image)");
                }
            }
        }
        match find_last(Keyword::Healthcheck) {
            None => self.report(
                "DD012",
                final_from,
                "no HEALTHCHECK in the final stage",
                "HEALTHCHECK CMD <command that exits non-zero when the service is unhealthy>",
            ),
            Some(check) => {
                if matches!(
                    check.arguments,
                    Arguments::Healthcheck {
                        check: Health::None
                    }
                ) {
                    self.report("DD012", check, "HEALTHCHECK NONE turns the base image's check off", "HEALTHCHECK CMD <command that exits non-zero when the service is unhealthy>");
                }
            }
        }
    }
}

fn url_userinfo(word: &str) -> Option<&str> {
    let (_, rest) = word.split_once("://")?;
    let authority = rest.split('/').next()?;
    let (userinfo, _) = authority.rsplit_once('@')?;
    Some(userinfo)
}

fn script_rewrite(script: &str, from: &str, to: &str) -> String {
    let replaced = script.replace(from, to);
    let first_line = replaced.lines().next().unwrap_or("");
    format!("RUN {first_line}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_and_ordered() {
        let ids: Vec<&str> = rules().iter().map(|rule| rule.id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted);
        assert!(ids.len() >= 35);
    }

    #[test]
    fn sensitive_names() {
        for name in [
            "DB_PASSWORD",
            "GITHUB_TOKEN",
            "API_KEY",
            "AWS_SECRET_ACCESS_KEY",
            "NPM_AUTH_TOKEN",
            "MYSQL_ROOT_PASSWORD",
            "client_secret",
            "PASS",
        ] {
            assert!(is_sensitive_name(name), "{name}");
        }
        for name in [
            "GPG_KEY",
            "PASSWORD_FILE",
            "TOKEN_URL",
            "PATH",
            "KEYRING",
            "PYTHON_GPG_KEY",
            "HOME",
            "PWD_DIR",
            "SECRET_KEY_BASE_FILE",
            "PASSENGER_VERSION",
        ] {
            assert!(!is_sensitive_name(name), "{name}");
        }
    }

    #[test]
    fn secret_values() {
        assert!(looks_like_secret("Acme-Prod-DB-2019!"));
        assert!(looks_like_secret(
            "ghp_0123456789abcdefghijABCDEFGHIJ012345"
        ));
        assert!(!looks_like_secret("${DB_PASSWORD}"));
        assert!(!looks_like_secret("changeme"));
        assert!(!looks_like_secret("secret"));
        assert!(!looks_like_secret("/run/secrets/db"));
    }

    #[test]
    fn tags() {
        assert_eq!(image_tag("node"), ("node".into(), None, false));
        assert_eq!(
            image_tag("localhost:5000/node"),
            ("localhost:5000/node".into(), None, false)
        );
        assert_eq!(
            image_tag("node:20"),
            ("node".into(), Some("20".into()), false)
        );
        assert_eq!(image_tag("node@sha256:ab"), ("node".into(), None, true));
    }
}
