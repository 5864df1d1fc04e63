//! The word lexer BuildKit applies to instruction arguments: quote removal, escapes and
//! `$VAR` / `${VAR…}` expansion.

/// Looks a variable up: None when it is not set.
pub(crate) type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

#[derive(Clone, Copy)]
pub(crate) struct Lexer {
    pub escape: char,
    /// Keep quote characters in the output (used to find heredoc words).
    pub raw_quotes: bool,
    /// Keep escape characters in the output.
    pub raw_escapes: bool,
    /// Leave `$NAME` untouched when NAME is not set.
    pub skip_unset: bool,
}

/// The result of processing: the words, and whether every variable used had a value.
#[derive(Debug, Default)]
pub(crate) struct Processed {
    pub words: Vec<String>,
    pub resolved: bool,
}

struct Cursor<'l> {
    chars: Vec<char>,
    pos: usize,
    resolved: bool,
    lookup: Lookup<'l>,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let ch = self.peek();
        if ch.is_some() {
            self.pos += 1;
        }
        ch
    }
}

/// Accumulates words; a quoted empty string still makes a word.
#[derive(Default)]
struct Words {
    done: Vec<String>,
    current: String,
    started: bool,
}

impl Words {
    fn push(&mut self, ch: char) {
        self.current.push(ch);
        self.started = true;
    }
    fn push_str(&mut self, text: &str) {
        self.current.push_str(text);
        self.started = true;
    }
    fn end_word(&mut self) {
        if self.started {
            self.done.push(std::mem::take(&mut self.current));
        }
        self.started = false;
    }
}

impl Lexer {
    pub fn new(escape: char) -> Lexer {
        Lexer {
            escape,
            raw_quotes: false,
            raw_escapes: false,
            skip_unset: false,
        }
    }

    /// One word, whitespace kept (ENV values, paths, USER…).
    pub fn process_word(&self, text: &str, lookup: Lookup) -> Result<(String, bool), String> {
        let processed = self.process(text, lookup, false)?;
        Ok((processed.words.concat(), processed.resolved))
    }

    /// Split into words on unquoted whitespace.
    pub fn process_words(&self, text: &str, lookup: Lookup) -> Result<Processed, String> {
        self.process(text, lookup, true)
    }

    fn process(&self, text: &str, lookup: Lookup, split: bool) -> Result<Processed, String> {
        let mut cursor = Cursor {
            chars: text.chars().collect(),
            pos: 0,
            resolved: true,
            lookup,
        };
        let mut words = Words::default();
        while let Some(ch) = cursor.peek() {
            if split && ch.is_whitespace() {
                cursor.next();
                words.end_word();
                continue;
            }
            match ch {
                '\'' => self.single_quote(&mut cursor, &mut words)?,
                '"' => self.double_quote(&mut cursor, &mut words)?,
                '$' => {
                    let value = self.dollar(&mut cursor)?;
                    // An unquoted expansion to nothing makes no word, as in sh.
                    if !value.is_empty() {
                        words.push_str(&value);
                    }
                }
                _ => {
                    cursor.next();
                    if ch == self.escape {
                        if self.raw_escapes {
                            words.push(ch);
                        }
                        match cursor.next() {
                            Some(escaped) => words.push(escaped),
                            None => break,
                        }
                    } else {
                        words.push(ch);
                    }
                }
            }
        }
        words.end_word();
        if !split && words.done.is_empty() {
            words.done.push(String::new());
        }
        Ok(Processed {
            words: words.done,
            resolved: cursor.resolved,
        })
    }

    fn single_quote(&self, cursor: &mut Cursor, words: &mut Words) -> Result<(), String> {
        cursor.next();
        words.started = true;
        if self.raw_quotes {
            words.push('\'');
        }
        loop {
            match cursor.next() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching single-quote"
                            .into(),
                    )
                }
                Some('\'') => break,
                Some(ch) => words.push(ch),
            }
        }
        if self.raw_quotes {
            words.push('\'');
        }
        Ok(())
    }

    fn double_quote(&self, cursor: &mut Cursor, words: &mut Words) -> Result<(), String> {
        cursor.next();
        words.started = true;
        if self.raw_quotes {
            words.push('"');
        }
        loop {
            match cursor.peek() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching double-quote"
                            .into(),
                    )
                }
                Some('"') => {
                    cursor.next();
                    break;
                }
                Some('$') => {
                    let value = self.dollar(cursor)?;
                    words.push_str(&value);
                }
                Some(ch) => {
                    cursor.next();
                    if ch == self.escape {
                        if self.raw_escapes {
                            words.push(ch);
                        }
                        match cursor.peek() {
                            None => continue,
                            // Only these can be escaped inside double quotes.
                            Some(next) if next == '"' || next == '$' || next == self.escape => {
                                cursor.next();
                                words.push(next);
                            }
                            Some(_) => {
                                if !self.raw_escapes {
                                    words.push(ch);
                                }
                            }
                        }
                    } else {
                        words.push(ch);
                    }
                }
            }
        }
        if self.raw_quotes {
            words.push('"');
        }
        Ok(())
    }

    fn read_name(cursor: &mut Cursor) -> String {
        let mut name = String::new();
        while let Some(ch) = cursor.peek() {
            if name.is_empty() && ch.is_ascii_digit() {
                while let Some(digit) = cursor.peek().filter(char::is_ascii_digit) {
                    cursor.next();
                    name.push(digit);
                }
                return name;
            }
            if name.is_empty() && matches!(ch, '@' | '*' | '#' | '?' | '-' | '$' | '!') {
                cursor.next();
                name.push(ch);
                return name;
            }
            if !(ch.is_alphanumeric() || ch == '_') {
                break;
            }
            cursor.next();
            name.push(ch);
        }
        name
    }

    fn get(&self, cursor: &mut Cursor, name: &str) -> Option<String> {
        (cursor.lookup)(name)
    }

    /// Expands a `$` at the cursor.
    fn dollar(&self, cursor: &mut Cursor) -> Result<String, String> {
        cursor.next();
        if cursor.peek() != Some('{') {
            let name = Self::read_name(cursor);
            if name.is_empty() {
                return Ok("$".into());
            }
            return Ok(match self.get(cursor, &name) {
                Some(value) => value,
                None if self.skip_unset => format!("${name}"),
                None => {
                    cursor.resolved = false;
                    String::new()
                }
            });
        }
        cursor.next();
        match cursor.peek() {
            None => return Err("syntax error: missing '}'".into()),
            Some('{' | '}' | ':') => return Err("syntax error: bad substitution".into()),
            _ => {}
        }
        let name = Self::read_name(cursor);
        let Some(mut modifier) = cursor.next() else {
            return Err("syntax error: missing '}'".into());
        };
        if modifier == '}' {
            return Ok(match self.get(cursor, &name) {
                Some(value) => value,
                None if self.skip_unset => format!("${{{name}}}"),
                None => {
                    cursor.resolved = false;
                    String::new()
                }
            });
        }
        let mut spelled = modifier.to_string();
        let null_is_unset = modifier == ':';
        if null_is_unset {
            modifier = cursor.next().ok_or("syntax error: missing '}'")?;
            spelled.push(modifier);
        }
        if !matches!(modifier, '-' | '+' | '?' | '#' | '%' | '/') {
            return Err(format!("unsupported modifier ({spelled}) in substitution"));
        }
        if null_is_unset && matches!(modifier, '#' | '%' | '/') {
            return Err(format!("unsupported modifier ({spelled}) in substitution"));
        }
        let word = self.until_closing_brace(cursor)?;
        let value = self.get(cursor, &name);
        if self.skip_unset && value.is_none() {
            return Ok(format!("${{{name}{spelled}{word}}}"));
        }
        let empty_or_unset = match &value {
            None => true,
            Some(text) => null_is_unset && text.is_empty(),
        };
        match modifier {
            '-' => Ok(if empty_or_unset {
                word
            } else {
                value.unwrap_or_default()
            }),
            '+' => Ok(if empty_or_unset { String::new() } else { word }),
            '?' => {
                if empty_or_unset {
                    let message = if word.is_empty() {
                        "is not allowed to be unset or empty".to_string()
                    } else {
                        word
                    };
                    Err(format!("{name}: {message}"))
                } else {
                    Ok(value.unwrap_or_default())
                }
            }
            '#' | '%' => {
                let Some(value) = value else {
                    cursor.resolved = false;
                    return Ok(String::new());
                };
                let (pattern, longest) = match word.strip_prefix(modifier) {
                    Some(rest) => (rest.to_string(), true),
                    None => (word.clone(), false),
                };
                Ok(trim_pattern(&value, &pattern, modifier == '#', longest))
            }
            _ => {
                let Some(value) = value else {
                    cursor.resolved = false;
                    return Ok(String::new());
                };
                let (all, rest) = match word.strip_prefix('/') {
                    Some(rest) => (true, rest),
                    None => (false, word.as_str()),
                };
                let (pattern, replacement) = rest.split_once('/').unwrap_or((rest, ""));
                if pattern.is_empty() {
                    return Ok(value);
                }
                Ok(if all {
                    value.replace(pattern, replacement)
                } else {
                    value.replacen(pattern, replacement, 1)
                })
            }
        }
    }

    /// The word of a `${NAME<mod>word}`, itself expanded, up to the closing brace.
    fn until_closing_brace(&self, cursor: &mut Cursor) -> Result<String, String> {
        let mut word = String::new();
        loop {
            match cursor.peek() {
                None => return Err("syntax error: missing '}'".into()),
                Some('}') => {
                    cursor.next();
                    return Ok(word);
                }
                Some('$') => word.push_str(&self.dollar(cursor)?),
                Some('\'') => {
                    let mut inner = Words::default();
                    self.single_quote(cursor, &mut inner)?;
                    word.push_str(&inner.current);
                }
                Some('"') => {
                    let mut inner = Words::default();
                    self.double_quote(cursor, &mut inner)?;
                    word.push_str(&inner.current);
                }
                Some(ch) => {
                    cursor.next();
                    if ch == self.escape {
                        if let Some(escaped) = cursor.next() {
                            word.push(escaped);
                        }
                    } else {
                        word.push(ch);
                    }
                }
            }
        }
    }
}

/// `${v#p}`, `${v##p}`, `${v%p}`, `${v%%p}` with `*` and `?` globs.
fn trim_pattern(value: &str, pattern: &str, prefix: bool, longest: bool) -> String {
    let chars: Vec<char> = value.chars().collect();
    let pattern: Vec<char> = pattern.chars().collect();
    let lengths: Vec<usize> = if longest {
        (0..=chars.len()).rev().collect()
    } else {
        (0..=chars.len()).collect()
    };
    for length in lengths {
        let (candidate, rest): (&[char], &[char]) = if prefix {
            (&chars[..length], &chars[length..])
        } else {
            (
                &chars[chars.len() - length..],
                &chars[..chars.len() - length],
            )
        };
        if glob_match(&pattern, candidate) {
            return rest.iter().collect();
        }
    }
    value.to_string()
}

pub(crate) fn glob_match(pattern: &[char], text: &[char]) -> bool {
    // Iterative matcher with one backtrack point: linear enough for build arguments.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&ch| ch == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "SET" => Some("value".into()),
            "EMPTY" => Some(String::new()),
            "PATHY" => Some("/usr/local/bin/tool.tar.gz".into()),
            _ => None,
        }
    }

    fn word(text: &str) -> String {
        Lexer::new('\\').process_word(text, &env).unwrap().0
    }

    #[test]
    fn modifiers_follow_posix_shell() {
        assert_eq!(word("${SET:-d}"), "value");
        assert_eq!(word("${EMPTY:-d}"), "d");
        assert_eq!(word("${EMPTY-d}"), "");
        assert_eq!(word("${UNSET-d}"), "d");
        assert_eq!(word("${SET:+alt}"), "alt");
        assert_eq!(word("${EMPTY:+alt}"), "");
        assert_eq!(word("${EMPTY+alt}"), "alt");
        assert_eq!(word("${UNSET:+alt}"), "");
        assert_eq!(word("${PATHY##*/}"), "tool.tar.gz");
        assert_eq!(word("${PATHY%.*}"), "/usr/local/bin/tool.tar");
        assert_eq!(word("${PATHY%%.*}"), "/usr/local/bin/tool");
        assert_eq!(word("${PATHY#/usr}"), "/local/bin/tool.tar.gz");
        assert_eq!(word("${SET/al/AL}"), "vALue");
        assert!(Lexer::new('\\')
            .process_word("${UNSET:?boom}", &env)
            .is_err());
        assert!(Lexer::new('\\').process_word("${SET", &env).is_err());
    }

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(word(r#""a $SET" 'b $SET'"#), "a value b $SET");
        assert_eq!(word(r"\$SET"), "$SET");
        assert_eq!(word(r#""q\"uote""#), "q\"uote");
        assert_eq!(word(r#""back\slash""#), r"back\slash");
        assert_eq!(word("$ alone"), "$ alone");
        let (_, resolved) = Lexer::new('\\').process_word("$UNSET", &env).unwrap();
        assert!(!resolved);
    }

    #[test]
    fn backtick_escape() {
        let lexer = Lexer::new('`');
        assert_eq!(
            lexer.process_word(r"C:\dir`$SET", &env).unwrap().0,
            r"C:\dir$SET"
        );
    }

    #[test]
    fn words_split_on_unquoted_space() {
        let lexer = Lexer::new('\\');
        let words = lexer
            .process_words(r#"a "b c" '' d\ e"#, &env)
            .unwrap()
            .words;
        assert_eq!(words, vec!["a", "b c", "", "d e"]);
    }
}
