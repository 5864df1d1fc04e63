//! BuildKit's line-level splitters: keyword, builder flags, quoted words, JSON arrays.

/// `[\t\v\f\r ]+`, the separator BuildKit uses for whitespace-delimited arguments.
fn is_separator(ch: char) -> bool {
    matches!(ch, '\t' | '\u{0b}' | '\u{0c}' | '\r' | ' ')
}

pub(crate) fn split_whitespace(text: &str) -> Vec<String> {
    text.split(is_separator)
        .filter(|part| !part.is_empty())
        .map(str::to_string)
        .collect()
}

/// The keyword and the rest of the line (None for a blank line).
pub(crate) fn split_command(line: &str) -> Option<(&str, &str)> {
    let line = line.trim();
    if line.is_empty() {
        return None;
    }
    match line.find(is_separator) {
        Some(end) => Some((&line[..end], line[end..].trim_start_matches(is_separator))),
        None => Some((line, "")),
    }
}

/// Leading `--name[=value]` words, unquoted, and the rest of the line. A lone `--` ends
/// the flags.
pub(crate) fn extract_builder_flags(line: &str) -> Result<(&str, Vec<String>), String> {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote(char),
    }
    let bytes: Vec<(usize, char)> = line.char_indices().collect();
    let mut flags = Vec::new();
    let mut word = String::new();
    let mut blank_ok = false;
    let mut phase = Phase::Spaces;
    let mut index = 0;
    while index < bytes.len() {
        let (offset, ch) = bytes[index];
        match phase {
            Phase::Spaces => {
                if ch.is_whitespace() {
                    index += 1;
                    continue;
                }
                let next_is_dash = bytes.get(index + 1).map(|&(_, next)| next) == Some('-');
                if ch != '-' || !next_is_dash {
                    return Ok((&line[offset..], flags));
                }
                phase = Phase::Word;
            }
            Phase::Word => {
                if ch.is_whitespace() {
                    phase = Phase::Spaces;
                    if word == "--" {
                        return Ok((line[offset..].trim_start(), flags));
                    }
                    if blank_ok || !word.is_empty() {
                        flags.push(std::mem::take(&mut word));
                    }
                    word.clear();
                    blank_ok = false;
                    index += 1;
                    continue;
                }
                if ch == '\'' || ch == '"' {
                    phase = Phase::Quote(ch);
                    blank_ok = true;
                    index += 1;
                    continue;
                }
                let mut ch = ch;
                if ch == '\\' {
                    if index + 1 == bytes.len() {
                        index += 1;
                        continue;
                    }
                    index += 1;
                    ch = bytes[index].1;
                }
                word.push(ch);
                index += 1;
            }
            Phase::Quote(quote) => {
                if ch == quote {
                    phase = Phase::Word;
                    index += 1;
                    continue;
                }
                let mut ch = ch;
                if ch == '\\' {
                    if index + 1 == bytes.len() {
                        phase = Phase::Word;
                        index += 1;
                        continue;
                    }
                    index += 1;
                    ch = bytes[index].1;
                }
                word.push(ch);
                index += 1;
            }
        }
    }
    if word != "--" && (blank_ok || !word.is_empty()) {
        flags.push(word);
    }
    Ok(("", flags))
}

/// BuildKit's `parseWords`: split on whitespace, quotes and escapes kept in the words
/// (they are removed later, when the words are expanded).
pub(crate) fn parse_words(rest: &str, escape: char) -> Vec<String> {
    let chars: Vec<char> = rest.chars().collect();
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut blank_ok = false;
    let mut index = 0;
    while index < chars.len() {
        let ch = chars[index];
        if !in_word {
            if ch.is_whitespace() {
                index += 1;
                continue;
            }
            in_word = true;
        }
        match quote {
            None => {
                if ch.is_whitespace() {
                    if blank_ok || !word.is_empty() {
                        words.push(std::mem::take(&mut word));
                    }
                    in_word = false;
                    blank_ok = false;
                    index += 1;
                    continue;
                }
                if ch == '\'' || ch == '"' {
                    quote = Some(ch);
                    blank_ok = true;
                }
                if ch == escape {
                    if index + 1 == chars.len() {
                        index += 1;
                        continue;
                    }
                    word.push(ch);
                    index += 1;
                    word.push(chars[index]);
                    index += 1;
                    continue;
                }
                word.push(ch);
            }
            Some(open) => {
                if ch == open {
                    quote = None;
                }
                if ch == escape && open != '\'' {
                    if index + 1 == chars.len() {
                        quote = None;
                        index += 1;
                        continue;
                    }
                    word.push(ch);
                    index += 1;
                    word.push(chars[index]);
                    index += 1;
                    continue;
                }
                word.push(ch);
            }
        }
        index += 1;
    }
    if in_word && (blank_ok || !word.is_empty()) {
        words.push(word);
    }
    words
}

/// What a JSON-looking argument turned out to be.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum JsonArray {
    Strings(Vec<String>),
    /// Valid JSON array with a non-string element: BuildKit refuses it.
    NotStrings,
}

/// Reads a JSON array at the start of `rest` (after leading whitespace), as Go's
/// `json.Decoder` does: text after the first value is not looked at. None when it is not
/// a JSON array, in which case BuildKit falls back to the shell form.
pub(crate) fn parse_json_array(rest: &str) -> Option<JsonArray> {
    let rest = rest.trim_start();
    if !rest.starts_with('[') {
        return None;
    }
    let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<serde_json::Value>();
    let value = stream.next()?.ok()?;
    let items = value.as_array()?;
    let mut strings = Vec::with_capacity(items.len());
    for item in items {
        match item.as_str() {
            Some(text) => strings.push(text.to_string()),
            None => return Some(JsonArray::NotStrings),
        }
    }
    Some(JsonArray::Strings(strings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_unquoted_and_stop_at_first_plain_word() {
        let (rest, flags) =
            extract_builder_flags("--mount=type=secret,id=x --network=\"none\" echo --not-a-flag")
                .unwrap();
        assert_eq!(flags, vec!["--mount=type=secret,id=x", "--network=none"]);
        assert_eq!(rest, "echo --not-a-flag");
        let (rest, flags) = extract_builder_flags("--link -- --literal").unwrap();
        assert_eq!(flags, vec!["--link"]);
        assert_eq!(rest, "--literal");
        let (rest, flags) = extract_builder_flags("-x y").unwrap();
        assert!(flags.is_empty());
        assert_eq!(rest, "-x y");
    }

    #[test]
    fn words_keep_quotes() {
        assert_eq!(
            parse_words(r#"A="a b" B=c\ d C='x'"#, '\\'),
            vec![r#"A="a b""#, r"B=c\ d", "C='x'"]
        );
        assert_eq!(parse_words("a `\"b", '`'), vec!["a", "`\"b"]);
    }

    #[test]
    fn json_arrays() {
        assert_eq!(
            parse_json_array(r#" ["a", "b"]"#),
            Some(JsonArray::Strings(vec!["a".into(), "b".into()]))
        );
        assert_eq!(parse_json_array(r#"["a", 1]"#), Some(JsonArray::NotStrings));
        assert_eq!(parse_json_array(r#"['a']"#), None);
        assert_eq!(parse_json_array(r#"["a" "b"]"#), None);
        assert_eq!(parse_json_array("echo [x]"), None);
        // Go's decoder stops after the first value.
        assert_eq!(
            parse_json_array(r#"["a"] trailing"#),
            Some(JsonArray::Strings(vec!["a".into()]))
        );
    }

    #[test]
    fn command_split() {
        assert_eq!(split_command("  RUN\t echo hi  "), Some(("RUN", "echo hi")));
        assert_eq!(split_command("USER"), Some(("USER", "")));
        assert_eq!(split_command("   "), None);
    }
}
