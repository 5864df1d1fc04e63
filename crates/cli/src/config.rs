//! The configuration file, `drydock.yaml` (or `.yml`, or `drydock.toml`) in the working
//! directory or `--config FILE`: every setting is a flag's long name, and its value
//! becomes the flag's `DRYDOCK_*` variable unless the environment already has one. So the
//! order is flag > environment > file > default, with clap doing all the parsing.
//!
//! Nested tables are joined with `-`, so `secret: {config: x.toml}` is `secret-config`.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::CommandFactory;

use crate::cli::Cli;

const DEFAULT_NAMES: [&str; 3] = ["drydock.yaml", "drydock.yml", "drydock.toml"];

/// A configurable setting: its long flag name, its variable, help and default.
struct Setting {
    env: String,
    help: String,
    /// The values a closed set allows.
    choices: Vec<String>,
    default: Option<String>,
    /// What separates a list's items in its variable (`None`: it takes one value).
    delimiter: Option<char>,
    /// The subcommand it belongs to (`None` for global flags).
    command: Option<String>,
}

/// Every flag that has a `DRYDOCK_*` variable, by long name.
fn settings() -> BTreeMap<String, Setting> {
    let mut out = BTreeMap::new();
    let root = Cli::command();
    let mut visit = |cmd: &clap::Command, command: Option<String>| {
        for arg in cmd.get_arguments() {
            let (Some(long), Some(env)) = (arg.get_long(), arg.get_env()) else {
                continue;
            };
            if arg.is_global_set() && command.is_some() {
                continue;
            }
            let mut default = arg
                .get_default_values()
                .iter()
                .map(|v| v.to_string_lossy().into_owned())
                .collect::<Vec<_>>();
            if matches!(arg.get_action(), clap::ArgAction::SetTrue) {
                default = vec!["false".into()];
            }
            let choices = arg
                .get_possible_values()
                .iter()
                .filter(|v| !v.is_hide_set())
                .map(|v| v.get_name().to_string())
                .filter(|v| !matches!(v.as_str(), "true" | "false"))
                .collect();
            out.entry(long.to_string()).or_insert(Setting {
                env: env.to_string_lossy().into_owned(),
                help: arg.get_help().map(|h| h.to_string()).unwrap_or_default(),
                choices,
                default: (!default.is_empty()).then(|| default.join(",")),
                delimiter: arg.get_value_delimiter(),
                command: command.clone(),
            });
        }
    };
    visit(&root, None);
    for sub in root.get_subcommands() {
        visit(sub, Some(sub.get_name().to_string()));
        for nested in sub.get_subcommands() {
            visit(
                nested,
                Some(format!("{} {}", sub.get_name(), nested.get_name())),
            );
        }
    }
    out
}

/// The file named by `--config`/`DRYDOCK_CONFIG`, else a default name in the working
/// directory, else none. Looked up before clap runs, since its values feed clap.
fn locate(args: &[OsString]) -> Option<(PathBuf, bool)> {
    let mut iter = args.iter().skip(1);
    while let Some(arg) = iter.next() {
        let text = arg.to_string_lossy();
        if text == "--" {
            break;
        }
        if text == "--config" {
            return iter.next().map(|p| (PathBuf::from(p), true));
        }
        if let Some(path) = text.strip_prefix("--config=") {
            return Some((PathBuf::from(path), true));
        }
    }
    if let Some(path) = std::env::var_os("DRYDOCK_CONFIG").filter(|p| !p.is_empty()) {
        return Some((PathBuf::from(path), true));
    }
    DEFAULT_NAMES
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .map(|p| (p, false))
}

/// A setting's value as its variable spells it: lists joined with the flag's delimiter.
fn render(key: &str, value: &serde_json::Value, delimiter: Option<char>) -> Result<Option<String>> {
    use serde_json::Value as V;
    Ok(match value {
        V::Null => None,
        V::Bool(b) => Some(b.to_string()),
        V::Number(n) => Some(n.to_string()),
        V::String(s) if s.contains('\0') => bail!("{key}: a value may not hold a NUL byte"),
        V::String(s) => Some(s.clone()),
        V::Array(items) => {
            let mut parts = Vec::new();
            for item in items {
                if matches!(item, V::Array(_) | V::Object(_)) {
                    bail!("{key}: a list holds plain values, not lists or tables");
                }
                parts.extend(render(key, item, delimiter)?);
            }
            match delimiter {
                Some(delimiter) => Some(parts.join(&delimiter.to_string())),
                None if parts.len() > 1 => bail!("{key}: takes one value, not a list"),
                None => parts.pop(),
            }
        }
        // Tables are flattened into keys before values are rendered.
        V::Object(_) => bail!("{key}: expected a value, not a table"),
    })
}

/// `a: {b: 1}` → `a-b: 1`; keys may use `_` for `-`.
fn flatten(prefix: &str, value: &serde_json::Value, out: &mut Vec<(String, serde_json::Value)>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                let key = key.replace('_', "-").to_ascii_lowercase();
                let name = if prefix.is_empty() {
                    key
                } else {
                    format!("{prefix}-{key}")
                };
                flatten(&name, value, out);
            }
        }
        other => out.push((prefix.to_string(), other.clone())),
    }
}

fn parse(path: &Path) -> Result<serde_json::Value> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading configuration file {}", path.display()))?;
    let value: serde_json::Value = if path.extension().is_some_and(|e| e == "toml") {
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}", e.message()))
    } else {
        serde_yaml_ng::from_str(&text).map_err(anyhow::Error::from)
    }
    .with_context(|| format!("parsing configuration file {}", path.display()))?;
    match value {
        serde_json::Value::Object(_) => Ok(value),
        serde_json::Value::Null => Ok(serde_json::Value::Object(Default::default())),
        _ => bail!(
            "configuration file {}: expected a table of settings",
            path.display()
        ),
    }
}

/// Reads the configuration file, if any, into the environment (only variables not
/// already set). Returns the file used.
pub fn apply(args: &[OsString]) -> Result<Option<PathBuf>> {
    let Some((path, named)) = locate(args) else {
        return Ok(None);
    };
    if !path.is_file() && named {
        bail!("configuration file {} not found", path.display());
    }
    let known = settings();
    let mut pairs = Vec::new();
    flatten("", &parse(&path)?, &mut pairs);
    let mut assignments = Vec::new();
    for (key, value) in pairs {
        let Some(setting) = known.get(&key) else {
            bail!(
                "configuration file {}: unknown setting {key:?} (drydock config --generate lists them)",
                path.display()
            );
        };
        if setting.env == "DRYDOCK_CONFIG" {
            continue;
        }
        if let Some(text) = render(&key, &value, setting.delimiter)
            .with_context(|| format!("configuration file {}", path.display()))?
        {
            assignments.push((setting.env.clone(), text));
        }
    }
    for (env, text) in assignments {
        if std::env::var_os(&env).is_none() {
            // Single-threaded here: this runs first thing in main, before any thread.
            std::env::set_var(env, text);
        }
    }
    Ok(Some(path))
}

/// The full default configuration, every setting commented out with its help.
pub fn generate() -> String {
    let mut out = String::from(
        "# drydock configuration: save as drydock.yaml in the working directory, or pass\n\
         # --config FILE. Every setting is a flag's long name; flags and DRYDOCK_* variables\n\
         # override what this file says. Lists are YAML lists (or comma-separated text,\n\
         # except `output`, whose file names may hold commas).\n",
    );
    let mut by_command: BTreeMap<Option<String>, Vec<(String, Setting)>> = BTreeMap::new();
    for (name, setting) in settings() {
        if setting.env == "DRYDOCK_CONFIG" {
            continue;
        }
        by_command
            .entry(setting.command.clone())
            .or_default()
            .push((name, setting));
    }
    for (command, settings) in by_command {
        match command {
            None => out.push_str("\n# --- every command ---\n"),
            Some(command) => out.push_str(&format!("\n# --- drydock {command} ---\n")),
        }
        for (name, setting) in settings {
            out.push('\n');
            for line in wrap(&setting.help, 86) {
                out.push_str(&format!("# {line}\n"));
            }
            if !setting.choices.is_empty() {
                out.push_str(&format!("# one of: {}\n", setting.choices.join(", ")));
            }
            let default = setting.default.unwrap_or_default();
            let value = if default.is_empty() {
                String::new()
            } else if default.contains(',') {
                format!(" [{default}]")
            } else {
                format!(" {default}")
            };
            out.push_str(&format!("# {name}:{value}\n"));
        }
    }
    out
}

/// Breaks text into lines of at most `width` characters, at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}
