//! From text to logical lines, as BuildKit's `parser.Parse` reads them: parser directives,
//! comments, line continuations (with comments and blank lines inside) and heredoc bodies.

use crate::error::ParseError;
use crate::expand::Lexer;
use crate::model::{Directive, Heredoc, Warning};
use crate::words;

/// One instruction's text before it is interpreted.
#[derive(Debug)]
pub(crate) struct LogicalLine {
    /// Continuations joined (escape and trailing blanks removed), comments dropped.
    pub text: String,
    pub start_line: usize,
    pub end_line: usize,
    pub heredocs: Vec<Heredoc>,
    /// Rule ids from `# drydock ignore=` comments directly above.
    pub ignored_rules: Vec<String>,
}

pub(crate) struct Lexed {
    pub directives: Vec<Directive>,
    pub escape: char,
    pub lines: Vec<LogicalLine>,
    pub warnings: Vec<Warning>,
}

const KNOWN_DIRECTIVES: [&str; 3] = ["syntax", "escape", "check"];

struct DirectiveState {
    done: bool,
    escape: char,
    found: Vec<Directive>,
}

impl DirectiveState {
    /// BuildKit looks for directives until the first line that is not one (blank lines,
    /// comments and instructions all end the search); unknown names end it too.
    fn consider(&mut self, line: &str, line_number: usize) -> Result<(), ParseError> {
        if self.done {
            return Ok(());
        }
        let Some((name, value)) = match_directive(line) else {
            self.done = true;
            return Ok(());
        };
        let name = name.to_ascii_lowercase();
        if !KNOWN_DIRECTIVES.contains(&name.as_str()) {
            self.done = true;
            return Ok(());
        }
        if self.found.iter().any(|directive| directive.name == name) {
            return Err(ParseError::new(
                line_number,
                line_number,
                format!("only one {name} parser directive can be used"),
            ));
        }
        if name == "escape" {
            self.escape = match value {
                "\\" => '\\',
                "`" => '`',
                other => {
                    return Err(ParseError::new(
                        line_number,
                        line_number,
                        format!("invalid escape token '{other}' does not match ` or \\"),
                    ))
                }
            };
        }
        self.found.push(Directive {
            name,
            value: value.to_string(),
            line: line_number,
        });
        Ok(())
    }
}

/// `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`
fn match_directive(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix('#')?.trim_start();
    let name_len = rest
        .char_indices()
        .take_while(|&(index, ch)| {
            if index == 0 {
                ch.is_ascii_alphabetic()
            } else {
                ch.is_ascii_alphanumeric()
            }
        })
        .count();
    if name_len == 0 {
        return None;
    }
    let (name, rest) = rest.split_at(name_len);
    let value = rest.trim_start().strip_prefix('=')?.trim();
    if value.is_empty() {
        return None;
    }
    Some((name, value))
}

fn trim_newline(line: &str) -> &str {
    line.trim_end_matches(['\r', '\n'])
}

fn is_comment(line: &str) -> bool {
    trim_newline(line).trim_start().starts_with('#')
}

/// Removes a trailing line-continuation escape. Like BuildKit's regular expression, an
/// escape preceded by another escape is not a continuation.
fn trim_continuation(line: &str, escape: char) -> (String, bool) {
    let trimmed = line.trim_end_matches([' ', '\t']);
    let Some(before) = trimmed.strip_suffix(escape) else {
        return (line.to_string(), true);
    };
    if before.ends_with(escape) {
        return (line.to_string(), true);
    }
    (before.to_string(), false)
}

fn ignored_rules_in(comment: &str) -> Vec<String> {
    // `# drydock ignore=DD001,DD002`; hadolint's `# hadolint ignore=DL3008` is honoured too,
    // through each rule's hadolint equivalent.
    let text = comment.trim_start_matches('#').trim();
    let Some(rest) = text
        .strip_prefix("drydock")
        .or_else(|| text.strip_prefix("hadolint"))
    else {
        return Vec::new();
    };
    let Some(list) = rest.trim_start().strip_prefix("ignore") else {
        return Vec::new();
    };
    let Some(list) = list.trim_start().strip_prefix('=') else {
        return Vec::new();
    };
    list.split([',', ' '])
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(|id| id.to_ascii_uppercase())
        .collect()
}

pub(crate) fn lex(text: &str) -> Result<Lexed, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let physical: Vec<&str> = text.split_inclusive('\n').collect();
    let mut directives = DirectiveState {
        done: false,
        escape: '\\',
        found: Vec::new(),
    };
    let mut lines = Vec::new();
    let mut warnings = Vec::new();
    let mut pending_ignores: Vec<String> = Vec::new();
    let mut next = 0;
    let mut line_number = 0;

    while next < physical.len() {
        let raw = physical[next];
        next += 1;
        line_number += 1;
        let token = trim_newline(raw).trim_start();
        directives.consider(token, line_number)?;
        if is_comment(raw) {
            pending_ignores.extend(ignored_rules_in(token));
            continue;
        }
        let escape = directives.escape;
        let start_line = line_number;
        let (mut joined, mut end_of_line) = trim_continuation(token, escape);
        if end_of_line && joined.is_empty() {
            // A blank line separates the ignore comment from what follows.
            pending_ignores.clear();
            continue;
        }
        let mut empty_continuation = false;
        while !end_of_line && next < physical.len() {
            let raw = physical[next];
            next += 1;
            line_number += 1;
            if is_comment(raw) {
                continue;
            }
            let continued = trim_newline(raw);
            if continued.trim_start().is_empty() {
                empty_continuation = true;
                continue;
            }
            let (text, done) = trim_continuation(continued, escape);
            joined.push_str(&text);
            end_of_line = done;
        }
        if empty_continuation {
            warnings.push(Warning {
                start_line,
                end_line: line_number,
                message: "empty continuation line (BuildKit warns; it may become an error)".into(),
            });
        }

        let mut heredocs = Vec::new();
        for mut heredoc in heredoc_words(&joined) {
            let mut terminated = false;
            while next < physical.len() {
                let raw = physical[next];
                next += 1;
                line_number += 1;
                let mut candidate = trim_newline(raw);
                if heredoc.chomp {
                    candidate = candidate.trim_start_matches('\t');
                }
                if candidate == heredoc.name {
                    terminated = true;
                    break;
                }
                heredoc.content.push_str(raw);
            }
            if !terminated {
                return Err(ParseError::new(
                    start_line,
                    line_number,
                    format!("unterminated heredoc (no line `{}` found)", heredoc.name),
                ));
            }
            if heredoc.chomp {
                heredoc.content = chomp(&heredoc.content);
            }
            heredocs.push(heredoc);
        }

        lines.push(LogicalLine {
            text: joined,
            start_line,
            end_line: line_number,
            heredocs,
            ignored_rules: std::mem::take(&mut pending_ignores),
        });
    }

    Ok(Lexed {
        directives: directives.found,
        escape: directives.escape,
        lines,
        warnings,
    })
}

fn chomp(content: &str) -> String {
    content
        .split_inclusive('\n')
        .map(|line| line.trim_start_matches('\t'))
        .collect()
}

/// The heredocs a RUN/COPY/ADD line (or ONBUILD of one) opens, in order. Exec-form lines
/// have none.
fn heredoc_words(line: &str) -> Vec<Heredoc> {
    let Some((keyword, rest)) = words::split_command(line) else {
        return Vec::new();
    };
    let Ok((args, _flags)) = words::extract_builder_flags(rest) else {
        return Vec::new();
    };
    let mut keyword = keyword.to_ascii_lowercase();
    let mut args = args;
    if keyword == "onbuild" {
        let Some((inner, inner_rest)) = words::split_command(args) else {
            return Vec::new();
        };
        keyword = inner.to_ascii_lowercase();
        args = match words::extract_builder_flags(inner_rest) {
            Ok((args, _)) => args,
            Err(_) => return Vec::new(),
        };
    }
    if !matches!(keyword.as_str(), "run" | "copy" | "add") {
        return Vec::new();
    }
    if words::parse_json_array(args).is_some() {
        return Vec::new();
    }
    let lexer = Lexer {
        escape: '\\',
        raw_quotes: true,
        raw_escapes: true,
        skip_unset: true,
    };
    let no_env = |_: &str| None;
    let raw_words = match lexer.process_words(line, &no_env) {
        Ok(processed) => processed.words,
        Err(_) => words::split_whitespace(line),
    };
    raw_words
        .iter()
        .filter_map(|word| parse_heredoc_word(word))
        .collect()
}

/// `^(\d*)<<(-?)([^<]*)$` and a delimiter that is one shell word.
pub(crate) fn parse_heredoc_word(word: &str) -> Option<Heredoc> {
    let digits = word.chars().take_while(char::is_ascii_digit).count();
    let (fd, rest) = word.split_at(digits);
    let rest = rest.strip_prefix("<<")?;
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let no_env = |_: &str| None;
    let mut plain = Lexer::new('\\');
    plain.skip_unset = true;
    let unquoted = plain.process_words(rest, &no_env).ok()?.words;
    if unquoted.len() != 1 {
        return None;
    }
    let name = unquoted.into_iter().next()?;
    let quotes = |text: &str| text.matches(['\'', '"']).count();
    let expand = quotes(&name) == quotes(rest);
    Some(Heredoc {
        name,
        file_descriptor: fd.parse().unwrap_or(0),
        expand,
        chomp,
        content: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directive_pattern() {
        assert_eq!(match_directive("# escape=`"), Some(("escape", "`")));
        assert_eq!(
            match_directive("#syntax = docker/dockerfile:1 "),
            Some(("syntax", "docker/dockerfile:1"))
        );
        assert_eq!(match_directive("# not a directive"), None);
        assert_eq!(match_directive("# 1x=y"), None);
    }

    #[test]
    fn continuation_rules() {
        assert_eq!(
            trim_continuation("RUN a \\", '\\'),
            ("RUN a ".to_string(), false)
        );
        assert_eq!(
            trim_continuation("RUN a \\  \t", '\\'),
            ("RUN a ".to_string(), false)
        );
        assert_eq!(trim_continuation("\\", '\\'), (String::new(), false));
        // An escaped escape ends the line.
        assert!(trim_continuation("RUN a \\\\", '\\').1);
        assert_eq!(
            trim_continuation("RUN a `", '`'),
            ("RUN a ".to_string(), false)
        );
        assert!(trim_continuation("RUN a \\", '`').1);
    }

    #[test]
    fn heredoc_words_found() {
        let docs = heredoc_words("RUN <<EOF1 cat - <<-\"EOF2\" 3<<'x' > f");
        let names: Vec<_> = docs
            .iter()
            .map(|doc| {
                (
                    doc.name.as_str(),
                    doc.chomp,
                    doc.expand,
                    doc.file_descriptor,
                )
            })
            .collect();
        assert_eq!(
            names,
            vec![
                ("EOF1", false, true, 0),
                ("EOF2", true, false, 0),
                ("x", false, false, 3)
            ]
        );
        assert!(heredoc_words("RUN [\"cat\", \"<<EOF\"]").is_empty());
        assert!(heredoc_words("ENV A=<<EOF").is_empty());
        assert!(heredoc_words("RUN echo \"<<EOF\"").is_empty());
        assert!(heredoc_words("RUN cat<<EOF").is_empty());
    }

    #[test]
    fn ignore_comment() {
        assert_eq!(
            ignored_rules_in("# drydock ignore=DD001,dd002"),
            vec!["DD001", "DD002"]
        );
        assert_eq!(ignored_rules_in("# hadolint ignore=DL3008"), vec!["DL3008"]);
        assert!(ignored_rules_in("# other ignore=DL3008").is_empty());
    }
}
