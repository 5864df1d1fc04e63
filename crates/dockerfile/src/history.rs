//! History mode: the instruction list rebuilt from an image config's `history`, plus the
//! config facts (User, Env, ExposedPorts, Healthcheck, Volumes, author) the rules need.

use serde::{Deserialize, Serialize};

use crate::model::*;
use crate::parser::{Builder, ParseOptions};

/// One `history` entry of an image config.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    #[serde(default)]
    pub created_by: String,
    #[serde(default)]
    pub empty_layer: bool,
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// The config fields the rules read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigFacts {
    /// `config.User`; None or empty means root.
    pub user: Option<String>,
    /// `config.Env`, `NAME=value` strings.
    pub env: Vec<String>,
    /// `config.ExposedPorts` keys (`22/tcp`).
    pub exposed_ports: Vec<String>,
    /// `config.Healthcheck.Test` (`["CMD-SHELL", "…"]`, `["NONE"]`); None when absent.
    pub healthcheck: Option<Vec<String>>,
    /// `config.Volumes` keys.
    pub volumes: Vec<String>,
    pub working_dir: Option<String>,
    pub cmd: Option<Vec<String>>,
    pub entrypoint: Option<Vec<String>>,
    /// The top-level `author` (set by MAINTAINER).
    pub author: Option<String>,
}

/// What history mode needs, independent of any image library.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryInput {
    pub history: Vec<HistoryEntry>,
    pub config: ConfigFacts,
    /// How many history entries the base image has (its own config's history length), when
    /// known: entries before that index are marked as the base image's.
    pub base_history_len: Option<usize>,
}

impl HistoryInput {
    /// Reads an OCI/Docker image config JSON document.
    pub fn from_image_config(json: &[u8]) -> Result<HistoryInput, serde_json::Error> {
        #[derive(Deserialize, Default)]
        #[serde(rename_all = "PascalCase", default)]
        struct Healthcheck {
            test: Option<Vec<String>>,
        }
        #[derive(Deserialize, Default)]
        #[serde(rename_all = "PascalCase", default)]
        struct Inner {
            user: Option<String>,
            env: Option<Vec<String>>,
            exposed_ports: Option<serde_json::Map<String, serde_json::Value>>,
            healthcheck: Option<Healthcheck>,
            volumes: Option<serde_json::Map<String, serde_json::Value>>,
            working_dir: Option<String>,
            cmd: Option<Vec<String>>,
            entrypoint: Option<Vec<String>>,
        }
        #[derive(Deserialize, Default)]
        #[serde(default)]
        struct Outer {
            config: Option<Inner>,
            history: Option<Vec<HistoryEntry>>,
            author: Option<String>,
        }
        let outer: Outer = serde_json::from_slice(json)?;
        let inner = outer.config.unwrap_or_default();
        Ok(HistoryInput {
            history: outer.history.unwrap_or_default(),
            config: ConfigFacts {
                user: inner.user,
                env: inner.env.unwrap_or_default(),
                exposed_ports: inner
                    .exposed_ports
                    .map(|ports| ports.keys().cloned().collect())
                    .unwrap_or_default(),
                healthcheck: inner.healthcheck.and_then(|check| check.test),
                volumes: inner
                    .volumes
                    .map(|volumes| volumes.keys().cloned().collect())
                    .unwrap_or_default(),
                working_dir: inner.working_dir,
                cmd: inner.cmd,
                entrypoint: inner.entrypoint,
                author: outer.author,
            },
            base_history_len: None,
        })
    }
}

/// Rebuilds the instruction list from image history. Never fails: entries it cannot read
/// become `UNKNOWN` instructions with a warning.
pub fn from_history(input: &HistoryInput) -> Dockerfile {
    let options = ParseOptions::default();
    let mut builder = Builder::new('\\', &options);
    builder.enter_history_stage();
    let mut instructions = Vec::new();
    let mut extra_warnings = Vec::new();
    for (index, entry) in input.history.iter().enumerate() {
        let line_number = index + 1;
        let origin = Origin::History {
            index,
            empty_layer: entry.empty_layer,
            base_image: input.base_history_len.is_some_and(|len| index < len),
        };
        let created_by = entry.created_by.trim();
        if created_by.is_empty() {
            continue;
        }
        let normalized = normalize_created_by(created_by);
        for line in normalized {
            let mut instruction = match builder.interpret_line(&line, line_number) {
                Ok(instruction) => instruction,
                Err(error) => {
                    extra_warnings.push(Warning {
                        start_line: line_number,
                        end_line: line_number,
                        message: format!("history entry {index}: {}", error.message),
                    });
                    unknown_instruction(&line, line_number)
                }
            };
            instruction.original = entry.created_by.clone();
            instruction.origin = origin.clone();
            instructions.push(instruction);
        }
    }
    add_config_instructions(&mut builder, &mut instructions, &input.config);
    let (stages, mut warnings) = builder.into_parts();
    // Unknown tools' spellings are kept as UNKNOWN; they are not worth a warning each.
    warnings.retain(|warning| !warning.message.starts_with("unknown instruction"));
    warnings.extend(extra_warnings);
    Dockerfile {
        source: SourceKind::History,
        directives: Vec::new(),
        escape: '\\',
        instructions,
        stages,
        warnings,
        config: Some(input.config.clone()),
    }
}

fn unknown_instruction(line: &str, line_number: usize) -> Instruction {
    Instruction {
        keyword: Keyword::Unknown,
        keyword_text: String::new(),
        flags: Vec::new(),
        arguments: Arguments::Other {
            text: line.to_string(),
        },
        heredocs: Vec::new(),
        start_line: line_number,
        end_line: line_number,
        original: line.to_string(),
        line: line.to_string(),
        stage: Some(0),
        origin: Origin::Dockerfile,
        ignored_rules: Vec::new(),
    }
}

/// Config facts no history entry states become instructions of their own, so the rules
/// see them (a squashed image, a base image's ENV, or `author` from MAINTAINER).
fn add_config_instructions(
    builder: &mut Builder,
    instructions: &mut Vec<Instruction>,
    config: &ConfigFacts,
) {
    let has = |keyword: Keyword, instructions: &[Instruction]| {
        instructions
            .iter()
            .any(|instruction| instruction.keyword == keyword)
    };
    let mut lines: Vec<(&str, String)> = Vec::new();
    if let Some(author) = config
        .author
        .as_deref()
        .filter(|author| !author.trim().is_empty())
    {
        if !has(Keyword::Maintainer, instructions) {
            lines.push(("author", format!("MAINTAINER {author}")));
        }
    }
    if let Some(user) = config.user.as_deref().filter(|user| !user.is_empty()) {
        if !has(Keyword::User, instructions) {
            lines.push(("User", format!("USER {user}")));
        }
    }
    let env_keys_seen: Vec<String> = instructions
        .iter()
        .filter(|instruction| instruction.keyword == Keyword::Env)
        .flat_map(|instruction| instruction.pairs().iter().map(|pair| pair.key.clone()))
        .collect();
    let missing_env: Vec<String> = config
        .env
        .iter()
        .filter(|entry| {
            let key = entry.split_once('=').map(|(key, _)| key).unwrap_or(entry);
            !key.is_empty() && !env_keys_seen.iter().any(|seen| seen == key)
        })
        .map(|entry| {
            let (key, value) = entry.split_once('=').unwrap_or((entry, ""));
            format!("{key}={}", serde_json::Value::String(value.to_string()))
        })
        .collect();
    if !missing_env.is_empty() {
        lines.push(("Env", format!("ENV {}", missing_env.join(" "))));
    }
    if !config.exposed_ports.is_empty() && !has(Keyword::Expose, instructions) {
        lines.push((
            "ExposedPorts",
            format!("EXPOSE {}", config.exposed_ports.join(" ")),
        ));
    }
    if let Some(test) = &config.healthcheck {
        if !has(Keyword::Healthcheck, instructions) {
            if let Some(line) = healthcheck_line(test) {
                lines.push(("Healthcheck", line));
            }
        }
    }
    if !config.volumes.is_empty() && !has(Keyword::Volume, instructions) {
        lines.push(("Volumes", format!("VOLUME {}", json_list(&config.volumes))));
    }
    for (field, line) in lines {
        if let Ok(mut instruction) = builder.interpret_line(&line, 0) {
            instruction.start_line = 0;
            instruction.end_line = 0;
            instruction.original = format!(
                "config {field}: {}",
                line.split_once(' ').map(|(_, rest)| rest).unwrap_or("")
            );
            instruction.origin = Origin::Config {
                field: field.to_string(),
            };
            instructions.push(instruction);
        }
    }
}

fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

/// `["CMD-SHELL", "x"]` → `HEALTHCHECK CMD x`; `["CMD", "a", "b"]` → exec form; `["NONE"]`.
fn healthcheck_line(test: &[String]) -> Option<String> {
    let (kind, rest) = test.split_first()?;
    match kind.as_str() {
        "NONE" => Some("HEALTHCHECK NONE".into()),
        "CMD-SHELL" => Some(format!("HEALTHCHECK CMD {}", rest.join(" "))),
        "CMD" => Some(format!("HEALTHCHECK CMD {}", json_list(rest))),
        _ => None,
    }
}

/// The shell prefixes builders put before a RUN's command.
fn strip_shell_prefix(text: &str) -> Option<&str> {
    for prefix in [
        "/bin/sh -c ",
        "/bin/bash -c ",
        "/bin/ash -c ",
        "sh -c ",
        "bash -c ",
    ] {
        if let Some(rest) = text.strip_prefix(prefix) {
            return Some(rest);
        }
    }
    // `/bin/bash -o pipefail -c cmd` and the like: any shell with options up to `-c`.
    let first = text.split_whitespace().next()?;
    if !(first.ends_with("sh") || first.ends_with("/bash")) {
        return None;
    }
    let position = text.find(" -c ")?;
    Some(&text[position + 4..])
}

/// `|2 A=1 B=2 rest` → (["A=1", "B=2"], "rest").
fn strip_build_args(text: &str) -> (Vec<String>, &str) {
    let Some(rest) = text.strip_prefix('|') else {
        return (Vec::new(), text);
    };
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    let Ok(count) = rest[..digits].parse::<usize>() else {
        return (Vec::new(), text);
    };
    let mut rest = rest[digits..].trim_start();
    let mut args = Vec::with_capacity(count);
    for _ in 0..count {
        let end = rest.find(' ').unwrap_or(rest.len());
        args.push(rest[..end].to_string());
        rest = rest[end..].trim_start();
    }
    (args, rest)
}

/// Go's `%q`-style list (`["a" "b"]`, as BuildKit and the legacy builder print CMD) to JSON.
fn go_list_to_json(text: &str) -> Option<String> {
    let inner = text.trim().strip_prefix('[')?.strip_suffix(']')?;
    let mut items = Vec::new();
    let chars: Vec<char> = inner.chars().collect();
    let mut index = 0;
    while index < chars.len() {
        match chars[index] {
            ' ' | ',' => index += 1,
            '"' => {
                let mut item = String::from('"');
                index += 1;
                while index < chars.len() && chars[index] != '"' {
                    if chars[index] == '\\' && index + 1 < chars.len() {
                        item.push('\\');
                        index += 1;
                    }
                    item.push(chars[index]);
                    index += 1;
                }
                item.push('"');
                index += 1;
                let value: String = serde_json::from_str(&item).ok()?;
                items.push(value);
            }
            _ => {
                // Unquoted items (`VOLUME [/data]`, `SHELL [/bin/sh -c]`).
                let start = index;
                while index < chars.len() && chars[index] != ' ' {
                    index += 1;
                }
                items.push(chars[start..index].iter().collect());
            }
        }
    }
    Some(json_list(&items))
}

/// One `created_by` to the Dockerfile line(s) it stands for.
pub(crate) fn normalize_created_by(created_by: &str) -> Vec<String> {
    let mut text = created_by.trim();
    let buildkit = text.ends_with("# buildkit");
    if buildkit {
        text = text.trim_end_matches("# buildkit").trim_end();
    }
    let mut lines = Vec::new();

    // Legacy builder and Buildah: `/bin/sh -c #(nop) INSTRUCTION …`.
    if let Some(position) = text.find("#(nop)") {
        let rest = text[position + "#(nop)".len()..].trim();
        lines.push(normalize_instruction(rest));
        return lines;
    }

    // BuildKit spells `RUN [|N args] /bin/sh -c cmd`; Kaniko and others write instructions.
    let (keyword, after) = match text.split_once(char::is_whitespace) {
        Some((keyword, after)) => (keyword, after.trim_start()),
        None => (text, ""),
    };
    if keyword.eq_ignore_ascii_case("RUN") {
        let (args, rest) = strip_build_args(after);
        if !args.is_empty() {
            lines.push(format!("ARG {}", args.join(" ")));
        }
        let command = strip_shell_prefix(rest).unwrap_or(rest);
        lines.push(format!("RUN {command}"));
        return lines;
    }
    if Keyword::from_word(keyword) != Keyword::Unknown {
        lines.push(normalize_instruction(text));
        return lines;
    }

    // Legacy builder RUN: `[|N args] /bin/sh -c cmd`.
    let (args, rest) = strip_build_args(text);
    if let Some(command) = strip_shell_prefix(rest) {
        if !args.is_empty() {
            lines.push(format!("ARG {}", args.join(" ")));
        }
        lines.push(format!("RUN {command}"));
        return lines;
    }
    // Some other tool (jib, ko, apko, bazel…): keep the text.
    lines.push(format!("UNKNOWN {text}"));
    lines
}

/// Rewrites history spellings of one instruction into Dockerfile syntax.
fn normalize_instruction(text: &str) -> String {
    let (keyword, rest) = match text.split_once(char::is_whitespace) {
        Some((keyword, rest)) => (keyword, rest.trim()),
        None => (text, ""),
    };
    let upper = keyword.to_ascii_uppercase();
    match upper.as_str() {
        "CMD" | "ENTRYPOINT" | "SHELL" if rest.starts_with('[') => match go_list_to_json(rest) {
            // The legacy builder writes `CMD ["/bin/sh" "-c" "x"]` for a shell-form CMD.
            Some(json) => format!("{upper} {json}"),
            None => format!("{upper} {rest}"),
        },
        "VOLUME" if rest.starts_with('[') => match go_list_to_json(rest) {
            Some(json) => format!("VOLUME {json}"),
            None => format!("VOLUME {rest}"),
        },
        "EXPOSE" => {
            // `EXPOSE map[22/tcp:{} 80/tcp:{}]`
            let inner = rest
                .strip_prefix("map[")
                .and_then(|inner| inner.strip_suffix(']'))
                .unwrap_or(rest);
            let ports: Vec<&str> = inner
                .split_whitespace()
                .map(|port| port.trim_end_matches(":{}"))
                .collect();
            format!("EXPOSE {}", ports.join(" "))
        }
        "HEALTHCHECK" => {
            // `HEALTHCHECK &{["CMD-SHELL" "curl -f x"] "30s" "5s" "0s" "0s" '\x03'}`
            if let Some(inner) = rest.strip_prefix("&{") {
                if let Some(end) = inner.find(']') {
                    if let Some(list) = go_list_to_json(&inner[..=end]) {
                        let test: Vec<String> = serde_json::from_str(&list).unwrap_or_default();
                        if let Some(line) = healthcheck_line(&test) {
                            return line;
                        }
                    }
                }
            }
            format!("HEALTHCHECK {rest}")
        }
        "ADD" | "COPY" => {
            // Legacy: `ADD file:<digest> in /dest`, `COPY dir:<digest> in /app`.
            if let Some((sources, destination)) = rest.rsplit_once(" in ") {
                if !sources.trim().starts_with("--") || sources.contains(':') {
                    return format!("{upper} {} {}", sources.trim(), destination.trim());
                }
            }
            format!("{upper} {rest}")
        }
        // Old legacy builders print `USER [app]`.
        "USER" | "WORKDIR" | "STOPSIGNAL" if rest.starts_with('[') && rest.ends_with(']') => {
            format!("{upper} {}", &rest[1..rest.len() - 1])
        }
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        assert_eq!(
            normalize_created_by("/bin/sh -c #(nop)  CMD [\"bash\"]"),
            vec!["CMD [\"bash\"]"]
        );
        assert_eq!(
            normalize_created_by("/bin/sh -c #(nop) ADD file:abc in / "),
            vec!["ADD file:abc /"]
        );
        assert_eq!(
            normalize_created_by("/bin/sh -c apt-get update"),
            vec!["RUN apt-get update"]
        );
        assert_eq!(
            normalize_created_by("RUN /bin/sh -c apt-get update # buildkit"),
            vec!["RUN apt-get update"]
        );
        assert_eq!(
            normalize_created_by("|2 A=1 B=two /bin/sh -c make"),
            vec!["ARG A=1 B=two", "RUN make"]
        );
        assert_eq!(
            normalize_created_by("RUN |1 TOKEN=x /bin/sh -c make # buildkit"),
            vec!["ARG TOKEN=x", "RUN make"]
        );
        assert_eq!(
            normalize_created_by("COPY . . # buildkit"),
            vec!["COPY . ."]
        );
        assert_eq!(
            normalize_created_by("EXPOSE map[22/tcp:{} 3000/tcp:{}]"),
            vec!["EXPOSE 22/tcp 3000/tcp"]
        );
        assert_eq!(
            normalize_created_by("CMD [\"/bin/sh\" \"-c\" \"node /app/server.js\"]"),
            vec![r#"CMD ["/bin/sh","-c","node /app/server.js"]"#]
        );
        assert_eq!(
            normalize_created_by(
                r#"HEALTHCHECK &{["CMD-SHELL" "curl -f http://localhost/"] "30s" "5s" "0s" "0s" '\x03'}"#
            ),
            vec!["HEALTHCHECK CMD curl -f http://localhost/"]
        );
        assert_eq!(
            normalize_created_by("/bin/bash -o pipefail -c curl x | sh"),
            vec!["RUN curl x | sh"]
        );
        assert_eq!(
            normalize_created_by("/bin/sh -c #(nop) VOLUME [/data]"),
            vec![r#"VOLUME ["/data"]"#]
        );
        assert_eq!(
            normalize_created_by("jib-maven-plugin:3.4"),
            vec!["UNKNOWN jib-maven-plugin:3.4"]
        );
    }
}
