//! Just enough POSIX shell to look at RUN scripts: simple commands, their words (quotes
//! removed), the operators between them, and redirections dropped.

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SimpleCommand {
    /// `NAME=value` words before the command.
    pub assignments: Vec<(String, String)>,
    /// The command and its arguments, quotes removed; wrappers such as `sudo` kept.
    pub words: Vec<String>,
    /// Reads its input from the previous command through `|`.
    pub piped_from_previous: bool,
    /// Writes its output into the next command through `|`.
    pub pipes_into_next: bool,
    /// A command substitution in it (`$(a | b)`) has a pipe: pipefail matters there too.
    pub pipe_inside_substitution: bool,
}

impl SimpleCommand {
    /// The words with leading wrappers (`sudo -E`, `env A=b`, `nohup`, `exec`, `time`,
    /// `command`) and shell keywords (`then`, `do`, `!`…) removed.
    pub fn effective(&self) -> &[String] {
        let mut words = self.words.as_slice();
        loop {
            let Some(first) = words.first() else {
                return words;
            };
            match base_name(first) {
                "sudo" | "doas" => {
                    words = &words[1..];
                    // sudo's own options, and their values for the common ones.
                    while let Some(option) = words.first() {
                        if !option.starts_with('-') {
                            break;
                        }
                        let takes_value =
                            matches!(option.as_str(), "-u" | "-g" | "-C" | "-h" | "-p");
                        words = &words[1..];
                        if takes_value && !words.is_empty() {
                            words = &words[1..];
                        }
                    }
                }
                "env" => {
                    words = &words[1..];
                    while let Some(word) = words.first() {
                        if word.starts_with('-') || is_assignment(word) {
                            words = &words[1..];
                        } else {
                            break;
                        }
                    }
                }
                "nohup" | "exec" | "time" | "command" | "then" | "do" | "else" | "!" | "{"
                | "(" | "elif" | "if" | "while" | "until" => words = &words[1..],
                _ => return words,
            }
        }
    }

    /// The program name (basename of the first effective word).
    pub fn program(&self) -> &str {
        self.effective()
            .first()
            .map(|word| base_name(word))
            .unwrap_or("")
    }

    /// The effective words after the program.
    pub fn arguments(&self) -> &[String] {
        let words = self.effective();
        if words.is_empty() {
            words
        } else {
            &words[1..]
        }
    }

    pub fn uses_sudo(&self) -> bool {
        self.words
            .first()
            .map(|word| base_name(word) == "sudo")
            .unwrap_or(false)
    }
}

pub(crate) fn base_name(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

fn is_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
                && !name.starts_with(|ch: char| ch.is_ascii_digit())
        }
        None => false,
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Separator {
    /// `;`, `&`, `&&`, `||`, newline: the next command starts fresh.
    List,
    Pipe,
}

/// Splits a script into simple commands.
pub(crate) fn parse_script(script: &str) -> Vec<SimpleCommand> {
    let chars: Vec<char> = script.chars().collect();
    let mut commands = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut skip_next_word = false;
    let mut piped = false;
    let mut substitution_pipe = false;
    // Inside `case … in`, `a|b)` is a pattern, not a pipe.
    let mut in_case_pattern = false;
    let mut case_depth = 0usize;
    let mut index = 0;

    let finish_word =
        |word: &mut String, in_word: &mut bool, words: &mut Vec<String>, skip: &mut bool| {
            if *in_word {
                if *skip {
                    *skip = false;
                } else {
                    words.push(std::mem::take(word));
                }
                word.clear();
            }
            *in_word = false;
        };
    let mut finish_command = |words: &mut Vec<String>,
                              separator: Separator,
                              piped: &mut bool,
                              substitution_pipe: &mut bool| {
        let mut assignments = Vec::new();
        let mut rest = words.drain(..).peekable();
        while let Some(word) = rest.peek() {
            if !is_assignment(word) {
                break;
            }
            let word = rest.next().unwrap_or_default();
            let (name, value) = word.split_once('=').unwrap_or((&word, ""));
            assignments.push((name.to_string(), value.to_string()));
        }
        let command_words: Vec<String> = rest.collect();
        let pipes_into_next = separator == Separator::Pipe;
        if !command_words.is_empty() || !assignments.is_empty() {
            commands.push(SimpleCommand {
                assignments,
                words: command_words,
                piped_from_previous: *piped,
                pipes_into_next,
                pipe_inside_substitution: *substitution_pipe,
            });
        }
        *piped = pipes_into_next;
        *substitution_pipe = false;
    };

    while index < chars.len() {
        let ch = chars[index];
        match ch {
            '|' if in_case_pattern => {
                word.push('|');
                in_word = true;
            }
            ')' if in_case_pattern => {
                // The pattern is done; the commands of this branch follow.
                word.clear();
                in_word = false;
                words.clear();
                in_case_pattern = false;
            }
            '\\' => {
                // A backslash-newline joins lines; otherwise the next character is literal.
                if chars.get(index + 1) == Some(&'\n') {
                    index += 2;
                    continue;
                }
                if let Some(&next) = chars.get(index + 1) {
                    word.push(next);
                    in_word = true;
                }
                index += 2;
                continue;
            }
            '\'' => {
                in_word = true;
                index += 1;
                while index < chars.len() && chars[index] != '\'' {
                    word.push(chars[index]);
                    index += 1;
                }
            }
            '"' => {
                in_word = true;
                index += 1;
                while index < chars.len() && chars[index] != '"' {
                    if chars[index] == '$' && chars.get(index + 1) == Some(&'(') {
                        substitution_pipe |= capture_substitution(&chars, &mut index, &mut word);
                        index += 1;
                        continue;
                    }
                    if chars[index] == '\\'
                        && index + 1 < chars.len()
                        && "\"\\$`\n".contains(chars[index + 1])
                    {
                        index += 1;
                        if chars[index] != '\n' {
                            word.push(chars[index]);
                        }
                    } else {
                        word.push(chars[index]);
                    }
                    index += 1;
                }
            }
            '$' if chars.get(index + 1) == Some(&'(') => {
                // Command substitution: kept as text in the word.
                substitution_pipe |= capture_substitution(&chars, &mut index, &mut word);
                in_word = true;
            }
            '`' => {
                word.push(ch);
                index += 1;
                while index < chars.len() && chars[index] != '`' {
                    word.push(chars[index]);
                    index += 1;
                }
                word.push('`');
                in_word = true;
            }
            '#' if !in_word => {
                while index < chars.len() && chars[index] != '\n' {
                    index += 1;
                }
                continue;
            }
            ' ' | '\t' | '\r' => {
                finish_word(&mut word, &mut in_word, &mut words, &mut skip_next_word);
                match (
                    words.first().map(String::as_str),
                    words.last().map(String::as_str),
                ) {
                    (Some("case"), Some("in")) if words.len() >= 3 => {
                        words.clear();
                        in_case_pattern = true;
                        case_depth += 1;
                    }
                    (Some("esac"), _) if case_depth > 0 => {
                        words.clear();
                        case_depth -= 1;
                        in_case_pattern = false;
                    }
                    _ => {}
                }
            }
            '\n' | ';' | '(' | ')' => {
                finish_word(&mut word, &mut in_word, &mut words, &mut skip_next_word);
                if words.len() == 1 && words[0] == "esac" && case_depth > 0 {
                    words.clear();
                    case_depth -= 1;
                    in_case_pattern = false;
                }
                // Closing keywords are not commands.
                if words.len() == 1 && matches!(words[0].as_str(), "esac" | "done" | "fi") {
                    words.clear();
                }
                finish_command(
                    &mut words,
                    Separator::List,
                    &mut piped,
                    &mut substitution_pipe,
                );
                if ch == ';' && chars.get(index + 1) == Some(&';') {
                    index += 1;
                    // After `;;` comes the next pattern of the case.
                    in_case_pattern = case_depth > 0;
                }
            }
            '&' => {
                if chars.get(index + 1) == Some(&'>') {
                    // `&>file`: a redirection.
                    finish_word(&mut word, &mut in_word, &mut words, &mut skip_next_word);
                    index += 2;
                    if chars.get(index) == Some(&'>') {
                        index += 1;
                    }
                    skip_next_word = true;
                    continue;
                }
                finish_word(&mut word, &mut in_word, &mut words, &mut skip_next_word);
                finish_command(
                    &mut words,
                    Separator::List,
                    &mut piped,
                    &mut substitution_pipe,
                );
                if chars.get(index + 1) == Some(&'&') {
                    index += 1;
                }
            }
            '|' => {
                finish_word(&mut word, &mut in_word, &mut words, &mut skip_next_word);
                if chars.get(index + 1) == Some(&'|') {
                    finish_command(
                        &mut words,
                        Separator::List,
                        &mut piped,
                        &mut substitution_pipe,
                    );
                    index += 1;
                } else {
                    finish_command(
                        &mut words,
                        Separator::Pipe,
                        &mut piped,
                        &mut substitution_pipe,
                    );
                    if chars.get(index + 1) == Some(&'&') {
                        index += 1;
                    }
                }
            }
            '>' | '<' => {
                // `2>` — the fd number is part of the redirection, not a word.
                if in_word && word.chars().all(|digit| digit.is_ascii_digit()) {
                    word.clear();
                    in_word = false;
                }
                finish_word(&mut word, &mut in_word, &mut words, &mut skip_next_word);
                index += 1;
                while index < chars.len() && matches!(chars[index], '>' | '<' | '&' | '|') {
                    index += 1;
                }
                // `>&2` names a descriptor, written right after.
                let mut target_is_fd = false;
                if index > 0 && chars[index - 1] == '&' {
                    while index < chars.len()
                        && (chars[index].is_ascii_digit() || chars[index] == '-')
                    {
                        index += 1;
                        target_is_fd = true;
                    }
                }
                if !target_is_fd {
                    skip_next_word = true;
                }
                continue;
            }
            _ => {
                word.push(ch);
                in_word = true;
            }
        }
        index += 1;
    }
    finish_word(&mut word, &mut in_word, &mut words, &mut skip_next_word);
    finish_command(
        &mut words,
        Separator::List,
        &mut piped,
        &mut substitution_pipe,
    );
    commands
}

/// Copies `$(…)` at `index` into `word`, leaving `index` on the closing parenthesis.
/// Returns whether the substituted script has a pipe.
fn capture_substitution(chars: &[char], index: &mut usize, word: &mut String) -> bool {
    let start = *index;
    let mut depth = 0usize;
    while *index < chars.len() {
        let current = chars[*index];
        word.push(current);
        if current == '(' {
            depth += 1;
        } else if current == ')' {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                break;
            }
        }
        *index += 1;
    }
    let end = (*index).min(chars.len());
    let inner: String = chars[(start + 2).min(end)..end].iter().collect();
    parse_script(&inner)
        .iter()
        .any(|command| command.pipes_into_next || command.pipe_inside_substitution)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(script: &str) -> Vec<Vec<String>> {
        parse_script(script)
            .into_iter()
            .map(|command| command.words)
            .collect()
    }

    #[test]
    fn splits_lists_and_pipes() {
        let commands = parse_script(
            "apt-get update && apt-get install -y 'a b' | tee log; echo \"x y\" >/dev/null 2>&1",
        );
        assert_eq!(commands.len(), 4);
        assert_eq!(commands[1].words, vec!["apt-get", "install", "-y", "a b"]);
        assert!(commands[1].pipes_into_next);
        assert!(commands[2].piped_from_previous);
        assert_eq!(commands[3].words, vec!["echo", "x y"]);
    }

    #[test]
    fn assignments_and_wrappers() {
        let commands = parse_script("DEBIAN_FRONTEND=noninteractive sudo -E apt install x");
        assert_eq!(
            commands[0].assignments,
            vec![("DEBIAN_FRONTEND".into(), "noninteractive".into())]
        );
        assert!(commands[0].uses_sudo());
        assert_eq!(commands[0].program(), "apt");
        assert_eq!(commands[0].arguments(), ["install", "x"]);
    }

    #[test]
    fn comments_and_continuations() {
        assert_eq!(
            words("# c\necho a \\\n b # tail\nls"),
            vec![vec!["echo", "a", "b"], vec!["ls"]]
        );
    }

    #[test]
    fn case_patterns_are_not_pipes() {
        let commands =
            parse_script("case \"$a\" in x86_64|aarch64) apk add x ;; *) echo no ;; esac; ls");
        assert!(
            commands.iter().all(|command| !command.pipes_into_next),
            "{commands:?}"
        );
        let programs: Vec<&str> = commands.iter().map(|command| command.program()).collect();
        assert_eq!(programs, vec!["apk", "echo", "ls"]);
    }

    #[test]
    fn pipes_inside_substitutions_are_seen() {
        let commands = parse_script(
            "arch=\"$(dpkg --print-architecture | awk -F- '{ print $NF }')\"; echo \"$(date)\"",
        );
        assert!(commands[0].pipe_inside_substitution);
        assert!(!commands[1].pipe_inside_substitution);
    }

    #[test]
    fn redirection_targets_are_not_words() {
        assert_eq!(
            words("curl -o x url 2> err >> out < in"),
            vec![vec!["curl", "-o", "x", "url"]]
        );
        assert_eq!(words("cmd &> all"), vec![vec!["cmd"]]);
        assert_eq!(words("cmd >&2 arg"), vec![vec!["cmd", "arg"]]);
    }
}
