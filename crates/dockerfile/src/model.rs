//! The instruction list shared by Dockerfile mode and history mode.

use serde::Serialize;

/// Where an instruction list came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Dockerfile,
    History,
}

/// A parsed Dockerfile, or the instruction list rebuilt from an image's history.
#[derive(Clone, Debug, Serialize)]
pub struct Dockerfile {
    pub source: SourceKind,
    /// Parser directives (`# syntax=`, `# escape=`, `# check=`) in the order written.
    pub directives: Vec<Directive>,
    /// The escape character in force: `\` or `` ` ``.
    pub escape: char,
    pub instructions: Vec<Instruction>,
    pub stages: Vec<Stage>,
    /// Recoverable problems; BuildKit would warn about (or, for some, refuse) these.
    pub warnings: Vec<Warning>,
    /// History mode: the image config facts the rules read (the Dockerfile has none).
    pub config: Option<crate::history::ConfigFacts>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Directive {
    /// Lower-case name: `syntax`, `escape` or `check`.
    pub name: String,
    pub value: String,
    pub line: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub start_line: usize,
    pub end_line: usize,
    pub message: String,
}

/// One build stage: a `FROM` and the instructions up to the next one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stage {
    pub index: usize,
    /// The `AS name`, lower-cased as BuildKit compares stage names.
    pub name: Option<String>,
    /// The base image after global-ARG expansion.
    pub base: String,
    /// When the base is an earlier stage: its index.
    pub base_stage: Option<usize>,
    /// False when the base names an ARG with no value, so the real image is unknown here.
    pub base_resolved: bool,
    /// Index in `Dockerfile::instructions` of this stage's `FROM` (None in history mode,
    /// where the image's whole history is one stage).
    pub from_instruction: Option<usize>,
    pub platform: Option<String>,
}

/// The instruction keywords BuildKit knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Keyword {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    Stopsignal,
    User,
    Volume,
    Workdir,
    /// Anything else: kept so that the line ranges stay complete.
    Unknown,
}

impl Keyword {
    pub fn from_word(word: &str) -> Keyword {
        match word.to_ascii_lowercase().as_str() {
            "add" => Keyword::Add,
            "arg" => Keyword::Arg,
            "cmd" => Keyword::Cmd,
            "copy" => Keyword::Copy,
            "entrypoint" => Keyword::Entrypoint,
            "env" => Keyword::Env,
            "expose" => Keyword::Expose,
            "from" => Keyword::From,
            "healthcheck" => Keyword::Healthcheck,
            "label" => Keyword::Label,
            "maintainer" => Keyword::Maintainer,
            "onbuild" => Keyword::Onbuild,
            "run" => Keyword::Run,
            "shell" => Keyword::Shell,
            "stopsignal" => Keyword::Stopsignal,
            "user" => Keyword::User,
            "volume" => Keyword::Volume,
            "workdir" => Keyword::Workdir,
            _ => Keyword::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Keyword::Add => "ADD",
            Keyword::Arg => "ARG",
            Keyword::Cmd => "CMD",
            Keyword::Copy => "COPY",
            Keyword::Entrypoint => "ENTRYPOINT",
            Keyword::Env => "ENV",
            Keyword::Expose => "EXPOSE",
            Keyword::From => "FROM",
            Keyword::Healthcheck => "HEALTHCHECK",
            Keyword::Label => "LABEL",
            Keyword::Maintainer => "MAINTAINER",
            Keyword::Onbuild => "ONBUILD",
            Keyword::Run => "RUN",
            Keyword::Shell => "SHELL",
            Keyword::Stopsignal => "STOPSIGNAL",
            Keyword::User => "USER",
            Keyword::Volume => "VOLUME",
            Keyword::Workdir => "WORKDIR",
            Keyword::Unknown => "UNKNOWN",
        }
    }
}

impl std::fmt::Display for Keyword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `--name=value` (or bare `--name`) flag, unquoted as BuildKit does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Flag {
    pub name: String,
    pub value: Option<String>,
}

/// A heredoc attached to RUN, COPY or ADD.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Heredoc {
    /// The delimiter without quotes.
    pub name: String,
    /// The file descriptor written before `<<` (`3<<EOF`), 0 when none.
    pub file_descriptor: u32,
    /// False when the delimiter was quoted: the body is not expanded.
    pub expand: bool,
    /// `<<-`: leading tabs are stripped from the body and the terminator.
    pub chomp: bool,
    /// The body, line endings kept, leading tabs already stripped for `<<-`.
    pub content: String,
}

/// Exec form (a JSON array) or shell form (one string run by the SHELL).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "form", content = "value", rename_all = "snake_case")]
pub enum CommandLine {
    Exec(Vec<String>),
    Shell(String),
}

impl CommandLine {
    pub fn is_exec(&self) -> bool {
        matches!(self, CommandLine::Exec(_))
    }

    /// The words joined by spaces (exec form) or the shell text.
    pub fn text(&self) -> String {
        match self {
            CommandLine::Exec(words) => words.join(" "),
            CommandLine::Shell(text) => text.clone(),
        }
    }
}

/// ENV or LABEL pair.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyValue {
    pub key: String,
    /// After quote removal and variable expansion.
    pub value: String,
    /// As written.
    pub raw_value: String,
    /// False when the value refers to a variable with no known value.
    pub resolved: bool,
}

/// One name in an ARG instruction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ArgDecl {
    pub name: String,
    /// The default after quote removal and expansion; None for a bare `ARG NAME`.
    pub default: Option<String>,
    pub raw_default: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Health {
    /// `HEALTHCHECK NONE`: the base image's check is turned off.
    None,
    Cmd {
        command: CommandLine,
    },
}

/// The arguments of an instruction, shaped per keyword.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Arguments {
    From {
        /// After global-ARG expansion.
        image: String,
        raw_image: String,
        /// Lower-cased stage name given with `AS`.
        alias: Option<String>,
        resolved: bool,
    },
    /// RUN, CMD, ENTRYPOINT, SHELL.
    Command {
        command: CommandLine,
    },
    Healthcheck {
        check: Health,
    },
    /// ENV, LABEL.
    Pairs {
        pairs: Vec<KeyValue>,
    },
    Arg {
        args: Vec<ArgDecl>,
    },
    /// COPY, ADD: expanded sources and destination.
    Files {
        sources: Vec<String>,
        destination: String,
        json: bool,
    },
    /// EXPOSE, VOLUME: expanded items.
    List {
        items: Vec<String>,
        json: bool,
    },
    /// USER, WORKDIR, MAINTAINER, STOPSIGNAL: the expanded text.
    Text {
        value: String,
        raw: String,
    },
    Onbuild {
        trigger: Box<Instruction>,
    },
    /// Missing arguments, or an unknown instruction (its text kept).
    Other {
        text: String,
    },
}

/// Where an instruction came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    Dockerfile,
    /// An entry of the image config's `history`.
    History {
        index: usize,
        empty_layer: bool,
        /// True when the entry is within the base image's history length.
        base_image: bool,
    },
    /// Made from an image config field when no history entry says it (`author`, `User`…).
    Config {
        field: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Instruction {
    pub keyword: Keyword,
    /// The keyword as written (`run`, `Run`…).
    pub keyword_text: String,
    pub flags: Vec<Flag>,
    pub arguments: Arguments,
    pub heredocs: Vec<Heredoc>,
    /// 1-based, inclusive; heredoc bodies are included. In history mode the history index
    /// plus one; 0 for instructions made from config fields.
    pub start_line: usize,
    pub end_line: usize,
    /// The source text from `start_line` to `end_line` (or the history `created_by`).
    pub original: String,
    /// The logical line BuildKit parses: continuations joined, comments inside them dropped.
    pub line: String,
    /// Index into `Dockerfile::stages`; None for global ARGs before the first FROM.
    pub stage: Option<usize>,
    pub origin: Origin,
    /// Rule ids named by `# drydock ignore=…` just above the instruction.
    pub ignored_rules: Vec<String>,
}

impl Instruction {
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|flag| flag.name == name)
    }

    pub fn flag_value(&self, name: &str) -> Option<&str> {
        self.flag(name).and_then(|flag| flag.value.as_deref())
    }

    /// The command of RUN/CMD/ENTRYPOINT/SHELL, or of HEALTHCHECK CMD.
    pub fn command(&self) -> Option<&CommandLine> {
        match &self.arguments {
            Arguments::Command { command } => Some(command),
            Arguments::Healthcheck {
                check: Health::Cmd { command },
            } => Some(command),
            _ => None,
        }
    }

    pub fn pairs(&self) -> &[KeyValue] {
        match &self.arguments {
            Arguments::Pairs { pairs } => pairs,
            _ => &[],
        }
    }

    pub fn text_value(&self) -> Option<&str> {
        match &self.arguments {
            Arguments::Text { value, .. } => Some(value),
            _ => None,
        }
    }

    pub fn is_base_image(&self) -> bool {
        matches!(
            self.origin,
            Origin::History {
                base_image: true,
                ..
            }
        )
    }

    pub fn history_index(&self) -> Option<usize> {
        match self.origin {
            Origin::History { index, .. } => Some(index),
            _ => None,
        }
    }
}
