//! sudoers: the rules that let a user run commands without authenticating
//! (`NOPASSWD:` tags, `Defaults !authenticate`) and the files it includes.

use serde::{Deserialize, Serialize};

use crate::text::{fingerprint, one_line};

const MAX_LINES: usize = 20_000;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SudoersFacts {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub includes: Vec<SudoInclude>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<SudoGrant>,
}

/// `#include`/`@include` (a file) or `#includedir`/`@includedir` (a directory).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SudoInclude {
    pub line: usize,
    pub dir: bool,
    pub path: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GrantKind {
    Nopasswd,
    NoAuthenticate,
}

/// A rule or default that skips authentication.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SudoGrant {
    /// First physical line of the (possibly continued) logical line.
    pub line: usize,
    pub kind: GrantKind,
    /// The rule covers every command (`ALL`, or a `Defaults` not bound to commands).
    pub all_commands: bool,
    pub text: String,
    pub fp: String,
}

/// Removes a comment: `#` starts one unless a digit follows (`#1000` is a numeric uid).
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && !bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            return &line[..i];
        }
    }
    line
}

/// Logical lines: a trailing backslash joins the next physical line.
fn logical_lines(content: &[u8]) -> Vec<(usize, String)> {
    let text = String::from_utf8_lossy(content);
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate().take(MAX_LINES) {
        let raw = raw.trim_end();
        let (start, mut joined) = pending.take().unwrap_or((i + 1, String::new()));
        if let Some(body) = raw.strip_suffix('\\') {
            joined.push_str(body);
            joined.push(' ');
            pending = Some((start, joined));
            continue;
        }
        joined.push_str(raw);
        out.push((start, joined));
    }
    if let Some(last) = pending {
        out.push(last);
    }
    out
}

fn include_of(line: usize, text: &str) -> Option<SudoInclude> {
    let trimmed = text.trim();
    for (prefix, dir) in [
        ("#includedir", true),
        ("@includedir", true),
        ("#include", false),
        ("@include", false),
    ] {
        if let Some(rest) = trimmed.strip_prefix(prefix) {
            if !rest.starts_with(char::is_whitespace) {
                continue;
            }
            let path = rest.trim().trim_matches('"').to_string();
            if path.is_empty() {
                return None;
            }
            return Some(SudoInclude { line, dir, path });
        }
    }
    None
}

/// Tags that may precede a command; `NOPASSWD`/`PASSWD` switch authentication.
const TAGS: &[&str] = &[
    "NOPASSWD",
    "PASSWD",
    "NOEXEC",
    "EXEC",
    "SETENV",
    "NOSETENV",
    "LOG_INPUT",
    "NOLOG_INPUT",
    "LOG_OUTPUT",
    "NOLOG_OUTPUT",
    "MAIL",
    "NOMAIL",
    "FOLLOW",
    "NOFOLLOW",
    "INTERCEPT",
    "NOINTERCEPT",
];

/// `text` without its parenthesised Runas lists (`(ALL:ALL)` holds a colon that is not a tag).
fn without_runas(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Commands that hand out a shell or run arbitrary code: allowing one is allowing ALL.
const SHELL_LIKE: &[&str] = &[
    "sh",
    "bash",
    "dash",
    "ash",
    "zsh",
    "ksh",
    "mksh",
    "csh",
    "tcsh",
    "fish",
    "busybox",
    "su",
    "sudo",
    "python",
    "perl",
    "ruby",
    "node",
    "nodejs",
    "php",
    "lua",
    "tclsh",
    "expect",
    "env",
    "find",
    "vim",
    "vi",
    "nvim",
    "view",
    "vimdiff",
    "nano",
    "ed",
    "emacs",
    "less",
    "more",
    "man",
    "awk",
    "gawk",
    "mawk",
    "nawk",
    "socat",
    "nc",
    "ncat",
    "gdb",
    "strace",
    "xargs",
    "zip",
    "docker",
    "git",
    "ssh",
    "script",
    "nice",
    "timeout",
    "stdbuf",
    "chroot",
    "tee",
    "cp",
    "mv",
    "dd",
    "chmod",
    "chown",
    "install",
    "systemctl",
    "journalctl",
    "apt",
    "apt-get",
    "dpkg",
    "yum",
    "dnf",
    "rpm",
    "apk",
    "pip",
    "pip3",
    "npm",
    "make",
    "sed",
];

/// Whether a command entry is as good as `ALL`: a shell, an editor or interpreter (any
/// version: `python3.11`), or a wildcard ending the command (`/usr/bin/*`).
fn equivalent_to_all(item: &str) -> bool {
    let command = item.split_whitespace().next().unwrap_or("");
    if command == "ALL" || command.ends_with('*') {
        return true;
    }
    let name = command.rsplit('/').next().unwrap_or(command);
    let name = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    SHELL_LIKE.contains(&name)
}

/// The command entries of a rule's command part, with `None` where a new host part
/// (`cmd : host2 = …`) starts: its tags start afresh.
fn command_items(commands: &str) -> Vec<Option<&str>> {
    let mut out = Vec::new();
    for part in commands.split(',') {
        let mut rest = part;
        while let Some(eq) = rest.find('=') {
            // `… cmd : host2 =`: the colon before the host list ends the previous command.
            let head = &rest[..eq];
            if let Some(colon) = head.rfind(':') {
                out.push(Some(&head[..colon]));
            }
            out.push(None);
            rest = &rest[eq + 1..];
        }
        out.push(Some(rest));
    }
    out
}

/// For a user specification, whether any command runs without a password and whether
/// one of those is `ALL` or as good as it. Tags carry over to the following commands of
/// the same host part.
fn nopasswd_commands(spec: &str) -> Option<bool> {
    let (_, commands) = spec.split_once('=')?;
    let commands = without_runas(commands);
    let (mut nopasswd, mut any, mut all) = (false, false, false);
    for part in command_items(&commands) {
        let Some(part) = part else {
            nopasswd = false;
            continue;
        };
        let mut item = part.trim();
        while let Some((word, rest)) = item.split_once(':') {
            let word = word.trim();
            if !TAGS.contains(&word) {
                break;
            }
            match word {
                "NOPASSWD" => nopasswd = true,
                "PASSWD" => nopasswd = false,
                _ => {}
            }
            item = rest.trim();
        }
        if item.is_empty() || !nopasswd {
            continue;
        }
        any = true;
        all |= equivalent_to_all(item);
    }
    any.then_some(all)
}

/// `Defaults…` line parameters that switch authentication off; `None` when none does.
fn defaults_no_authenticate(text: &str) -> Option<bool> {
    let (head, params) = text.split_once(char::is_whitespace)?;
    let binding = head.strip_prefix("Defaults")?;
    let off = params
        .split(',')
        .map(|p| p.trim().replace(' ', ""))
        .any(|p| p == "!authenticate");
    // `Defaults!cmd` binds the default to commands; other bindings cover all of them.
    off.then_some(!binding.starts_with('!'))
}

pub fn parse_sudoers(content: &[u8]) -> SudoersFacts {
    let mut facts = SudoersFacts::default();
    for (line, text) in logical_lines(content) {
        if let Some(include) = include_of(line, &text) {
            facts.includes.push(include);
            continue;
        }
        let text = strip_comment(&text).trim();
        if text.is_empty() {
            continue;
        }
        let first = text.split_whitespace().next().unwrap_or("");
        if first.ends_with("_Alias") {
            continue;
        }
        let found = if first.starts_with("Defaults") {
            defaults_no_authenticate(text).map(|all| (GrantKind::NoAuthenticate, all))
        } else {
            nopasswd_commands(text).map(|all| (GrantKind::Nopasswd, all))
        };
        if let Some((kind, all_commands)) = found {
            facts.grants.push(SudoGrant {
                line,
                kind,
                all_commands,
                text: one_line(text),
                fp: fingerprint(text.as_bytes()),
            });
        }
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_and_includes() {
        let facts = parse_sudoers(
            b"# sudoers\nDefaults env_reset\nroot ALL=(ALL:ALL) ALL\n\
%sudo ALL=(ALL:ALL) ALL\n#includedir /etc/sudoers.d\n@include /etc/sudoers.local\n\
deploy ALL=(ALL) NOPASSWD: ALL # everything\n\
backup ALL = (root) NOPASSWD: /usr/bin/rsync, \\\n    PASSWD: ALL\n\
Defaults:ci !authenticate\nDefaults!/usr/bin/id !authenticate\n\
#1000 ALL=(ALL) NOPASSWD:ALL\n",
        );
        assert_eq!(
            facts.includes,
            [
                SudoInclude {
                    line: 5,
                    dir: true,
                    path: "/etc/sudoers.d".into()
                },
                SudoInclude {
                    line: 6,
                    dir: false,
                    path: "/etc/sudoers.local".into()
                }
            ]
        );
        let got: Vec<_> = facts
            .grants
            .iter()
            .map(|g| (g.line, g.kind, g.all_commands))
            .collect();
        assert_eq!(
            got,
            [
                (7, GrantKind::Nopasswd, true),
                (8, GrantKind::Nopasswd, false),
                (10, GrantKind::NoAuthenticate, true),
                (11, GrantKind::NoAuthenticate, false),
                (12, GrantKind::Nopasswd, true),
            ]
        );
        assert_eq!(facts.grants[0].text, "deploy ALL=(ALL) NOPASSWD: ALL");
    }

    #[test]
    fn shells_and_wildcards_count_as_all_and_host_parts_keep_their_tags() {
        let facts = parse_sudoers(
            b"a ALL=(root) NOPASSWD: /bin/bash\nb ALL=(root) NOPASSWD: /usr/bin/vim /etc/x\n\
c ALL=NOPASSWD: /usr/bin/python3.11\nd ALL=NOPASSWD: /usr/bin/*\ne ALL=NOPASSWD: /usr/bin/id\n\
u h1 = NOPASSWD: /bin/ls : h2 = /bin/cat\nv h1 = /bin/ls : h2 = NOPASSWD: /usr/bin/find\n",
        );
        let got: Vec<_> = facts
            .grants
            .iter()
            .map(|g| (g.line, g.all_commands))
            .collect();
        assert_eq!(
            got,
            [
                (1, true),
                (2, true),
                (3, true),
                (4, true),
                (5, false),
                (6, false),
                (7, true)
            ]
        );
    }

    #[test]
    fn passwd_tag_resets_and_plain_rules_are_fine() {
        let facts = parse_sudoers(b"u ALL=(ALL) PASSWD: ALL\nv ALL=ALL\nw\n=\n:::\n(((\n");
        assert!(facts.grants.is_empty());
    }
}
