//! Logical lines to instructions: per-keyword argument shapes, flags, stages and the
//! ARG/ENV scope that BuildKit uses for expansion.

use std::collections::{BTreeMap, HashMap};

use crate::error::ParseError;
use crate::expand::Lexer;
use crate::lexer::{self, LogicalLine};
use crate::model::*;
use crate::words::{self, JsonArray};

/// Inputs a build would get from outside the Dockerfile.
#[derive(Clone, Debug, Default)]
pub struct ParseOptions {
    /// `--build-arg NAME=value`.
    pub build_args: BTreeMap<String, String>,
}

/// Parses a Dockerfile with BuildKit's rules.
pub fn parse(text: &str) -> Result<Dockerfile, ParseError> {
    parse_with(text, &ParseOptions::default())
}

pub fn parse_with(text: &str, options: &ParseOptions) -> Result<Dockerfile, ParseError> {
    let lexed = lexer::lex(text)?;
    if lexed.lines.is_empty() {
        return Err(ParseError::new(1, 1, "file with no instructions"));
    }
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let physical: Vec<&str> = body.split_inclusive('\n').collect();
    let mut builder = Builder::new(lexed.escape, options);
    builder.warnings = lexed.warnings;
    let mut instructions = Vec::with_capacity(lexed.lines.len());
    for line in lexed.lines {
        let original = source_text(&physical, line.start_line, line.end_line);
        let instruction = builder.instruction(line, original, instructions.len())?;
        instructions.push(instruction);
    }
    builder.finish_stage();
    Ok(Dockerfile {
        source: SourceKind::Dockerfile,
        directives: lexed.directives,
        escape: lexed.escape,
        instructions,
        stages: builder.stages,
        warnings: builder.warnings,
        config: None,
    })
}

fn source_text(physical: &[&str], start: usize, end: usize) -> String {
    let from = start.saturating_sub(1).min(physical.len());
    let to = end.min(physical.len()).max(from);
    let joined: String = physical[from..to].concat();
    joined.trim_end_matches(['\r', '\n']).to_string()
}

/// Variables visible to expansion at one point of the file.
#[derive(Default)]
struct Scope {
    /// ARGs declared before the first FROM: name → value (None when declared bare).
    global_args: Vec<(String, Option<String>)>,
    in_stage: bool,
    stage_args: HashMap<String, Option<String>>,
    stage_env: HashMap<String, String>,
}

/// Platform ARGs BuildKit predefines in the global scope (their values depend on the builder).
const PLATFORM_ARGS: [&str; 8] = [
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
];

pub(crate) struct Builder<'o> {
    escape: char,
    options: &'o ParseOptions,
    scope: Scope,
    stages: Vec<Stage>,
    /// ENV at the end of each finished stage, for stages built FROM it.
    stage_envs: Vec<HashMap<String, String>>,
    warnings: Vec<Warning>,
}

/// Known flags per keyword; others are reported (BuildKit refuses them).
fn known_flags(keyword: Keyword) -> &'static [&'static str] {
    match keyword {
        Keyword::From => &["platform"],
        Keyword::Run => &["mount", "network", "security", "device"],
        Keyword::Copy => &["from", "chown", "chmod", "link", "parents", "exclude"],
        Keyword::Add => &[
            "chown",
            "chmod",
            "link",
            "checksum",
            "keep-git-dir",
            "exclude",
            "unpack",
        ],
        Keyword::Healthcheck => &[
            "interval",
            "timeout",
            "start-period",
            "start-interval",
            "retries",
        ],
        _ => &[],
    }
}

impl<'o> Builder<'o> {
    pub(crate) fn new(escape: char, options: &'o ParseOptions) -> Builder<'o> {
        Builder {
            escape,
            options,
            scope: Scope::default(),
            stages: Vec::new(),
            stage_envs: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// History mode: the whole image is one stage with no FROM.
    pub(crate) fn enter_history_stage(&mut self) {
        self.stages.push(Stage {
            index: 0,
            name: None,
            base: String::new(),
            base_stage: None,
            base_resolved: false,
            from_instruction: None,
            platform: None,
        });
        self.scope.in_stage = true;
    }

    pub(crate) fn into_parts(self) -> (Vec<Stage>, Vec<Warning>) {
        (self.stages, self.warnings)
    }

    /// Interprets one instruction line from outside a Dockerfile (a history entry).
    pub(crate) fn interpret_line(
        &mut self,
        line: &str,
        line_number: usize,
    ) -> Result<Instruction, ParseError> {
        let Some((keyword_text, rest)) = words::split_command(line) else {
            return Err(ParseError::new(
                line_number,
                line_number,
                "empty instruction",
            ));
        };
        let keyword = Keyword::from_word(keyword_text);
        let mut instruction = self.interpret(
            keyword,
            keyword_text,
            rest,
            (line_number, line_number),
            false,
        )?;
        instruction.line = line.to_string();
        instruction.stage = self.stages.len().checked_sub(1);
        Ok(instruction)
    }

    fn warn(&mut self, start: usize, end: usize, message: impl Into<String>) {
        self.warnings.push(Warning {
            start_line: start,
            end_line: end,
            message: message.into(),
        });
    }

    fn global_lookup(&self, name: &str) -> Option<String> {
        let (_, value) = self
            .scope
            .global_args
            .iter()
            .rev()
            .find(|(arg, _)| arg == name)?;
        value.clone()
    }

    fn lookup(&self, name: &str) -> Option<String> {
        if !self.scope.in_stage {
            return self.global_lookup(name);
        }
        if let Some(value) = self.scope.stage_env.get(name) {
            return Some(value.clone());
        }
        self.scope.stage_args.get(name).cloned().flatten()
    }

    /// Expands one word in the current scope; on a syntax error the raw text is kept and a
    /// warning recorded, as the scan should go on.
    fn expand(&mut self, raw: &str, global: bool, lines: (usize, usize)) -> (String, bool) {
        let lexer = Lexer::new(self.escape);
        let result = if global {
            lexer.process_word(raw, &|name| self.global_lookup(name))
        } else {
            lexer.process_word(raw, &|name| self.lookup(name))
        };
        match result {
            Ok(expanded) => expanded,
            Err(message) => {
                self.warn(
                    lines.0,
                    lines.1,
                    format!("cannot expand `{raw}`: {message}"),
                );
                (raw.to_string(), false)
            }
        }
    }

    fn finish_stage(&mut self) {
        if self.scope.in_stage {
            self.stage_envs
                .push(std::mem::take(&mut self.scope.stage_env));
        }
    }

    fn instruction(
        &mut self,
        line: LogicalLine,
        original: String,
        index: usize,
    ) -> Result<Instruction, ParseError> {
        let lines = (line.start_line, line.end_line);
        let Some((keyword_text, rest)) = words::split_command(&line.text) else {
            return Err(ParseError::new(lines.0, lines.1, "empty instruction"));
        };
        let keyword = Keyword::from_word(keyword_text);
        let stage_before = self.stages.len().checked_sub(1);
        let mut instruction = self.interpret(keyword, keyword_text, rest, lines, false)?;
        instruction.heredocs = line.heredocs;
        instruction.original = original;
        instruction.line = line.text.clone();
        instruction.ignored_rules = line.ignored_rules;

        match keyword {
            Keyword::From => self.start_stage(&mut instruction, index),
            Keyword::Arg | Keyword::Unknown => {}
            _ if stage_before.is_none() => self.warn(
                lines.0,
                lines.1,
                format!(
                    "{keyword} before the first FROM (BuildKit: no build stage in current context)"
                ),
            ),
            _ => {}
        }
        instruction.stage = self.stages.len().checked_sub(1);
        Ok(instruction)
    }

    fn start_stage(&mut self, instruction: &mut Instruction, index: usize) {
        let Arguments::From {
            image,
            alias,
            resolved,
            ..
        } = &instruction.arguments
        else {
            return;
        };
        self.finish_stage();
        let lowered = image.to_ascii_lowercase();
        let base_stage = self
            .stages
            .iter()
            .position(|stage| stage.name.as_deref() == Some(lowered.as_str()));
        let platform = instruction.flag_value("platform").map(str::to_string);
        self.stages.push(Stage {
            index: self.stages.len(),
            name: alias.clone(),
            base: image.clone(),
            base_stage,
            base_resolved: *resolved,
            from_instruction: Some(index),
            platform,
        });
        self.scope.in_stage = true;
        self.scope.stage_args.clear();
        // A stage built on another inherits its environment (it is in the image config),
        // but not its ARGs.
        self.scope.stage_env = base_stage
            .and_then(|base| self.stage_envs.get(base).cloned())
            .unwrap_or_default();
    }

    fn parse_flags(
        &mut self,
        keyword: Keyword,
        raw_flags: Vec<String>,
        lines: (usize, usize),
    ) -> Vec<Flag> {
        let mut flags = Vec::with_capacity(raw_flags.len());
        for raw in raw_flags {
            let body = raw.trim_start_matches('-');
            let (name, value) = match body.split_once('=') {
                Some((name, value)) => (name.to_string(), Some(value.to_string())),
                None => (body.to_string(), None),
            };
            if keyword != Keyword::Unknown && !known_flags(keyword).contains(&name.as_str()) {
                self.warn(
                    lines.0,
                    lines.1,
                    format!("unknown flag for {keyword}: --{name}"),
                );
            }
            let value = match value {
                // Stage names, owners and platforms may use variables.
                Some(value) if matches!(name.as_str(), "from" | "chown" | "chmod" | "platform") => {
                    Some(self.expand(&value, keyword == Keyword::From, lines).0)
                }
                other => other,
            };
            flags.push(Flag { name, value });
        }
        flags
    }

    fn interpret(
        &mut self,
        keyword: Keyword,
        keyword_text: &str,
        rest: &str,
        lines: (usize, usize),
        is_trigger: bool,
    ) -> Result<Instruction, ParseError> {
        let error = |message: String| ParseError::new(lines.0, lines.1, message);
        let (args, raw_flags) = words::extract_builder_flags(rest).map_err(error)?;
        let args = args.trim();
        let flags = self.parse_flags(keyword, raw_flags, lines);
        let upper = keyword_text.to_ascii_uppercase();
        let arguments = match keyword {
            Keyword::From => self.base_image_arguments(args, lines)?,
            Keyword::Run | Keyword::Cmd | Keyword::Entrypoint | Keyword::Shell => {
                match maybe_json(args).map_err(error)? {
                    Some(command) => {
                        if keyword == Keyword::Shell && !command.is_exec() {
                            self.warn(
                                lines.0,
                                lines.1,
                                "SHELL requires the arguments to be in JSON form",
                            );
                        }
                        Arguments::Command { command }
                    }
                    None => {
                        if keyword == Keyword::Run {
                            self.warn(lines.0, lines.1, "RUN requires at least one argument");
                        }
                        Arguments::Other {
                            text: String::new(),
                        }
                    }
                }
            }
            Keyword::Healthcheck => self.healthcheck_arguments(args, lines)?,
            Keyword::Env | Keyword::Label => {
                self.pair_arguments(keyword, args, lines, is_trigger)?
            }
            Keyword::Arg => self.arg_arguments(args, lines, is_trigger)?,
            Keyword::Copy | Keyword::Add => {
                let (items, json) = maybe_json_list(args).map_err(error)?;
                if items.len() < 2 {
                    return Err(error(format!("{upper} requires at least two arguments")));
                }
                let mut expanded: Vec<String> = items
                    .iter()
                    .map(|item| {
                        if is_trigger || item.starts_with("<<") {
                            item.clone()
                        } else {
                            self.expand(item, false, lines).0
                        }
                    })
                    .collect();
                let destination = expanded.pop().unwrap_or_default();
                Arguments::Files {
                    sources: expanded,
                    destination,
                    json,
                }
            }
            Keyword::Expose | Keyword::Volume => {
                let (items, json) = if keyword == Keyword::Volume {
                    maybe_json_list(args).map_err(error)?
                } else {
                    (words::split_whitespace(args), false)
                };
                if items.is_empty() {
                    return Err(error(format!("{upper} requires at least one argument")));
                }
                let items = items
                    .iter()
                    .map(|item| {
                        if is_trigger {
                            item.clone()
                        } else {
                            self.expand(item, false, lines).0
                        }
                    })
                    .collect();
                Arguments::List { items, json }
            }
            Keyword::User | Keyword::Workdir | Keyword::Maintainer | Keyword::Stopsignal => {
                if args.is_empty() {
                    return Err(error(format!("{upper} requires exactly one argument")));
                }
                let value = if keyword == Keyword::Maintainer || is_trigger {
                    args.to_string()
                } else {
                    self.expand(args, false, lines).0
                };
                Arguments::Text {
                    value,
                    raw: args.to_string(),
                }
            }
            Keyword::Onbuild => {
                let Some((inner_keyword_text, inner_rest)) = words::split_command(args) else {
                    return Err(error("ONBUILD requires at least one argument".into()));
                };
                let inner_keyword = Keyword::from_word(inner_keyword_text);
                if matches!(
                    inner_keyword,
                    Keyword::Onbuild | Keyword::From | Keyword::Maintainer
                ) {
                    return Err(error(format!(
                        "{} isn't allowed as an ONBUILD trigger",
                        inner_keyword_text.to_ascii_uppercase()
                    )));
                }
                let mut trigger =
                    self.interpret(inner_keyword, inner_keyword_text, inner_rest, lines, true)?;
                trigger.line = args.to_string();
                Arguments::Onbuild {
                    trigger: Box::new(trigger),
                }
            }
            Keyword::Unknown => {
                self.warn(
                    lines.0,
                    lines.1,
                    format!("unknown instruction: {}", keyword_text.to_ascii_uppercase()),
                );
                Arguments::Other {
                    text: args.to_string(),
                }
            }
        };
        Ok(Instruction {
            keyword,
            keyword_text: keyword_text.to_string(),
            flags,
            arguments,
            heredocs: Vec::new(),
            start_line: lines.0,
            end_line: lines.1,
            original: String::new(),
            line: String::new(),
            stage: None,
            origin: Origin::Dockerfile,
            ignored_rules: Vec::new(),
        })
    }

    fn base_image_arguments(
        &mut self,
        args: &str,
        lines: (usize, usize),
    ) -> Result<Arguments, ParseError> {
        let parts = words::split_whitespace(args);
        let (raw_image, alias) = match parts.as_slice() {
            [image] => (image.clone(), None),
            [image, as_word, name] if as_word.eq_ignore_ascii_case("as") => {
                (image.clone(), Some(name.to_ascii_lowercase()))
            }
            _ => {
                return Err(ParseError::new(
                    lines.0,
                    lines.1,
                    "FROM requires either one or three arguments (FROM image [AS name])",
                ))
            }
        };
        if let Some(name) = &alias {
            let valid = name.starts_with(|ch: char| ch.is_ascii_lowercase())
                && name
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || "-_.".contains(ch));
            if !valid {
                self.warn(
                    lines.0,
                    lines.1,
                    format!("invalid name for build stage: {name:?}"),
                );
            }
        }
        let (image, resolved) = self.expand_from(&raw_image, lines);
        Ok(Arguments::From {
            image,
            raw_image,
            alias,
            resolved,
        })
    }

    /// FROM sees only the global ARGs (and build args, and the platform ARGs whose values
    /// are unknown here).
    fn expand_from(&mut self, raw: &str, lines: (usize, usize)) -> (String, bool) {
        let lexer = Lexer::new(self.escape);
        let lookup = |name: &str| {
            if PLATFORM_ARGS.contains(&name) {
                return None;
            }
            self.global_lookup(name)
        };
        match lexer.process_word(raw, &lookup) {
            Ok(result) => result,
            Err(message) => {
                self.warn(
                    lines.0,
                    lines.1,
                    format!("cannot expand `{raw}`: {message}"),
                );
                (raw.to_string(), false)
            }
        }
    }

    fn healthcheck_arguments(
        &mut self,
        args: &str,
        lines: (usize, usize),
    ) -> Result<Arguments, ParseError> {
        let error = |message: String| ParseError::new(lines.0, lines.1, message);
        let (kind, command) = match args.find(char::is_whitespace) {
            Some(end) => (&args[..end], args[end..].trim_start()),
            None => (args, ""),
        };
        if kind.is_empty() {
            return Err(error("HEALTHCHECK requires an argument".into()));
        }
        match kind.to_ascii_uppercase().as_str() {
            "NONE" => {
                if !command.is_empty() {
                    return Err(error("HEALTHCHECK NONE takes no arguments".into()));
                }
                Ok(Arguments::Healthcheck {
                    check: Health::None,
                })
            }
            "CMD" => match maybe_json(command).map_err(error)? {
                Some(command) => Ok(Arguments::Healthcheck {
                    check: Health::Cmd { command },
                }),
                None => Err(error("Missing command after HEALTHCHECK CMD".into())),
            },
            other => Err(error(format!(
                "Unknown type {other:?} in HEALTHCHECK (try CMD)"
            ))),
        }
    }

    fn pair_arguments(
        &mut self,
        keyword: Keyword,
        args: &str,
        lines: (usize, usize),
        is_trigger: bool,
    ) -> Result<Arguments, ParseError> {
        let error = |message: String| ParseError::new(lines.0, lines.1, message);
        let parsed = parse_name_values(args, keyword, self.escape).map_err(error)?;
        if parsed.is_empty() {
            return Err(error(format!("{keyword} requires at least one argument")));
        }
        let mut pairs = Vec::with_capacity(parsed.len());
        // Every pair of one ENV line sees the environment from before the line.
        for (raw_key, raw_value) in parsed {
            if is_trigger {
                // Triggers run in the child build's scope, not here.
                pairs.push(KeyValue {
                    key: raw_key,
                    value: raw_value.clone(),
                    raw_value,
                    resolved: false,
                });
                continue;
            }
            let key = self.expand(&raw_key, false, lines).0;
            if key.is_empty() {
                return Err(error(format!("{keyword} names can not be blank")));
            }
            let (value, resolved) = self.expand(&raw_value, false, lines);
            pairs.push(KeyValue {
                key,
                value,
                raw_value,
                resolved,
            });
        }
        if keyword == Keyword::Env && self.scope.in_stage && !is_trigger {
            for pair in &pairs {
                self.scope
                    .stage_env
                    .insert(pair.key.clone(), pair.value.clone());
            }
        }
        Ok(Arguments::Pairs { pairs })
    }

    fn arg_arguments(
        &mut self,
        args: &str,
        lines: (usize, usize),
        is_trigger: bool,
    ) -> Result<Arguments, ParseError> {
        let words = words::parse_words(args, self.escape);
        if words.is_empty() {
            return Err(ParseError::new(
                lines.0,
                lines.1,
                "ARG requires at least one argument",
            ));
        }
        let mut declared = Vec::with_capacity(words.len());
        for word in words {
            let (name, raw_default) = match word.split_once('=') {
                Some((name, value)) => (name.to_string(), Some(value.to_string())),
                None => (word.clone(), None),
            };
            if name.is_empty() {
                return Err(ParseError::new(
                    lines.0,
                    lines.1,
                    "ARG names can not be blank",
                ));
            }
            let global = !self.scope.in_stage;
            let default = match &raw_default {
                Some(raw) if !is_trigger => Some(self.expand(raw, global, lines).0),
                Some(raw) => Some(raw.clone()),
                None => None,
            };
            if !is_trigger {
                // A build arg wins; a bare ARG inside a stage takes the global default.
                let value = self
                    .options
                    .build_args
                    .get(&name)
                    .cloned()
                    .or_else(|| default.clone())
                    .or_else(|| {
                        if global {
                            None
                        } else {
                            self.global_lookup(&name)
                        }
                    });
                if global {
                    self.scope.global_args.push((name.clone(), value));
                } else {
                    self.scope.stage_args.insert(name.clone(), value);
                }
            }
            declared.push(ArgDecl {
                name,
                default,
                raw_default,
            });
        }
        Ok(Arguments::Arg { args: declared })
    }
}

/// BuildKit's `parseMaybeJSON`: a JSON string array is the exec form, anything else the
/// shell form. None for no arguments.
fn maybe_json(args: &str) -> Result<Option<CommandLine>, String> {
    if args.is_empty() {
        return Ok(None);
    }
    match words::parse_json_array(args) {
        Some(JsonArray::Strings(items)) => Ok(Some(CommandLine::Exec(items))),
        Some(JsonArray::NotStrings) => {
            Err("when using JSON array syntax, arrays must be comprised of strings only".into())
        }
        None => Ok(Some(CommandLine::Shell(args.to_string()))),
    }
}

/// `parseMaybeJSONToList`: a JSON string array, or whitespace-separated words.
fn maybe_json_list(args: &str) -> Result<(Vec<String>, bool), String> {
    match words::parse_json_array(args) {
        Some(JsonArray::Strings(items)) => Ok((items, true)),
        Some(JsonArray::NotStrings) => {
            Err("when using JSON array syntax, arrays must be comprised of strings only".into())
        }
        None => Ok((words::split_whitespace(args), false)),
    }
}

/// ENV/LABEL: `KEY value` (legacy, one pair) or `K=v K2="v 2"` (quotes kept for expansion).
fn parse_name_values(
    args: &str,
    keyword: Keyword,
    escape: char,
) -> Result<Vec<(String, String)>, String> {
    let words = words::parse_words(args, escape);
    let Some(first) = words.first() else {
        return Ok(Vec::new());
    };
    if !first.contains('=') {
        let mut parts = args.splitn(2, |ch: char| {
            matches!(ch, '\t' | '\u{0b}' | '\u{0c}' | '\r' | ' ')
        });
        let key = parts.next().unwrap_or_default();
        let value = parts
            .next()
            .map(|value| value.trim_start())
            .unwrap_or_default();
        if value.is_empty() {
            return Err(format!("{keyword} must have two arguments"));
        }
        return Ok(vec![(key.to_string(), value.to_string())]);
    }
    words
        .iter()
        .map(|word| match word.split_once('=') {
            Some((key, value)) => Ok((key.to_string(), value.to_string())),
            None => Err(format!(
                "Syntax error - can't find = in {word:?}. Must be of the form: name=value"
            )),
        })
        .collect()
}

/// One `--mount=…` of a RUN.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Mount {
    /// `bind` (the default), `cache`, `tmpfs`, `secret` or `ssh`.
    pub kind: String,
    pub options: BTreeMap<String, String>,
}

impl Instruction {
    /// The `--mount` flags of a RUN, parsed.
    pub fn mounts(&self) -> Vec<Mount> {
        self.flags
            .iter()
            .filter(|flag| flag.name == "mount")
            .filter_map(|flag| flag.value.as_deref())
            .map(|value| {
                let mut options = BTreeMap::new();
                for field in value.split(',') {
                    let (key, value) = field.split_once('=').unwrap_or((field, ""));
                    options.insert(key.trim().to_ascii_lowercase(), value.trim().to_string());
                }
                let kind = options
                    .get("type")
                    .cloned()
                    .unwrap_or_else(|| "bind".to_string());
                Mount { kind, options }
            })
            .collect()
    }
}
