//! BuildKit's raw syntax tree in its own dump notation (`(run ["--mount=…"] "echo hi")`),
//! before instruction semantics. It exists to compare this parser with BuildKit's test
//! expectations, node for node.

use crate::error::ParseError;
use crate::lexer;
use crate::words::{self, JsonArray};

/// One line per instruction, as BuildKit's `Node.Dump` prints it.
#[doc(hidden)]
pub fn dump_syntax_tree(text: &str) -> Result<String, ParseError> {
    let lexed = lexer::lex(text)?;
    if lexed.lines.is_empty() {
        return Err(ParseError::new(1, 1, "file with no instructions"));
    }
    let mut out = Vec::with_capacity(lexed.lines.len());
    for line in &lexed.lines {
        let node = node_of(&line.text, lexed.escape)
            .map_err(|message| ParseError::new(line.start_line, line.end_line, message))?;
        out.push(format!("({node})"));
    }
    Ok(out.join("\n"))
}

fn node_of(line: &str, escape: char) -> Result<String, String> {
    let Some((keyword, rest)) = words::split_command(line) else {
        return Err("empty instruction".into());
    };
    let (args, flags) = words::extract_builder_flags(rest)?;
    let lower = keyword.to_ascii_lowercase();
    let mut out = lower.clone();
    if !flags.is_empty() {
        let quoted: Vec<String> = flags.iter().map(|flag| go_quote(flag)).collect();
        out.push_str(&format!(" [{}]", quoted.join(" ")));
    }
    let values: Vec<String> = match lower.as_str() {
        "add" | "copy" | "volume" => json_or_words(args)?,
        "arg" => words::parse_words(args, escape),
        "cmd" | "entrypoint" | "run" | "shell" => json_or_text(args)?,
        "env" | "label" => name_values(args, &lower.to_ascii_uppercase(), escape)?,
        "expose" | "from" => words::split_whitespace(args),
        "healthcheck" => {
            let (kind, command) = match args.find(char::is_whitespace) {
                Some(end) => (&args[..end], args[end..].trim_start()),
                None => (args, ""),
            };
            if kind.is_empty() {
                Vec::new()
            } else {
                let mut values = vec![kind.to_string()];
                values.extend(json_or_text(command)?);
                values
            }
        }
        "maintainer" | "stopsignal" | "user" | "workdir" => {
            if args.is_empty() {
                Vec::new()
            } else {
                vec![args.to_string()]
            }
        }
        "onbuild" => {
            if args.is_empty() {
                Vec::new()
            } else {
                let inner = node_of(args, escape)?;
                return Ok(format!("{out} ({inner})"));
            }
        }
        // BuildKit keeps unknown instructions with one empty value.
        _ => vec![String::new()],
    };
    for value in values {
        out.push(' ');
        out.push_str(&go_quote(&value));
    }
    Ok(out)
}

const NOT_STRINGS: &str = "when using JSON array syntax, arrays must be comprised of strings only";

fn json_or_text(args: &str) -> Result<Vec<String>, String> {
    if args.is_empty() {
        return Ok(Vec::new());
    }
    match words::parse_json_array(args) {
        Some(JsonArray::Strings(items)) => Ok(items),
        Some(JsonArray::NotStrings) => Err(NOT_STRINGS.into()),
        None => Ok(vec![args.to_string()]),
    }
}

fn json_or_words(args: &str) -> Result<Vec<String>, String> {
    match words::parse_json_array(args) {
        Some(JsonArray::Strings(items)) => Ok(items),
        Some(JsonArray::NotStrings) => Err(NOT_STRINGS.into()),
        None => Ok(words::split_whitespace(args)),
    }
}

fn name_values(args: &str, keyword: &str, escape: char) -> Result<Vec<String>, String> {
    let parsed = words::parse_words(args, escape);
    let Some(first) = parsed.first() else {
        return Ok(Vec::new());
    };
    if !first.contains('=') {
        let mut parts = args.splitn(2, |ch: char| {
            matches!(ch, '\t' | '\u{0b}' | '\u{0c}' | '\r' | ' ')
        });
        let key = parts.next().unwrap_or_default();
        let Some(value) = parts.next() else {
            return Err(format!("{keyword} must have two arguments"));
        };
        let value = value.trim_start_matches(['\t', '\u{0b}', '\u{0c}', '\r', ' ']);
        return Ok(vec![key.to_string(), value.to_string(), String::new()]);
    }
    let mut values = Vec::new();
    for word in parsed {
        let Some((key, value)) = word.split_once('=') else {
            return Err(format!(
                "Syntax error - can't find = in {word:?}. Must be of the form: name=value"
            ));
        };
        values.extend([key.to_string(), value.to_string(), "=".to_string()]);
    }
    Ok(values)
}

/// Go's `strconv.Quote`.
fn go_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{07}' => out.push_str("\\a"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{0b}' => out.push_str("\\v"),
            ch if (ch as u32) < 0x20 || ch as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", ch as u32))
            }
            ch if ch.is_control() => {
                if (ch as u32) <= 0xffff {
                    out.push_str(&format!("\\u{:04x}", ch as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", ch as u32));
                }
            }
            ch => out.push(ch),
        }
    }
    out.push('"');
    out
}
