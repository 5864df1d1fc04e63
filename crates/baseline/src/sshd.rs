//! sshd_config: the few keywords the checks look at, `Include`s and `Match` blocks, kept
//! in file order so the effective value can be worked out across included files (sshd
//! takes the first value it meets for each keyword).

use serde::{Deserialize, Serialize};

use crate::text::{fingerprint, one_line};

const MAX_LINES: usize = 20_000;

/// Lower-case keywords the checks use.
pub const PERMIT_ROOT_LOGIN: &str = "permitrootlogin";
pub const PERMIT_EMPTY_PASSWORDS: &str = "permitemptypasswords";
pub const PASSWORD_AUTHENTICATION: &str = "passwordauthentication";
pub const INCLUDE: &str = "include";
const KEPT: &[&str] = &[
    PERMIT_ROOT_LOGIN,
    PERMIT_EMPTY_PASSWORDS,
    PASSWORD_AUTHENTICATION,
    INCLUDE,
];

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SshdFacts {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub directives: Vec<SshdDirective>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SshdDirective {
    pub line: usize,
    /// Lower-case keyword.
    pub keyword: String,
    /// Arguments, unquoted (`Include` may name several paths).
    pub args: Vec<String>,
    /// The criteria of the `Match` block it sits in; `None` at top level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_block: Option<String>,
    pub text: String,
    pub fp: String,
}

impl SshdDirective {
    /// The first argument, lower-cased (`yes`, `no`, `prohibit-password`).
    pub fn value(&self) -> String {
        self.args
            .first()
            .map(|a| a.to_ascii_lowercase())
            .unwrap_or_default()
    }
}

/// Splits arguments the way sshd does: whitespace separated, double quotes group.
fn split_args(text: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut started = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                started = true;
            }
            c if c.is_whitespace() && !quoted => {
                if started {
                    args.push(std::mem::take(&mut current));
                    started = false;
                }
            }
            c => {
                current.push(c);
                started = true;
            }
        }
    }
    if started {
        args.push(current);
    }
    args
}

pub fn parse_sshd(content: &[u8]) -> SshdFacts {
    let text = String::from_utf8_lossy(content);
    let mut facts = SshdFacts::default();
    let mut match_block: Option<String> = None;
    for (i, raw) in text.lines().enumerate().take(MAX_LINES) {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // `Keyword value` or `Keyword=value`.
        let split_at = line
            .find(|c: char| c.is_whitespace() || c == '=')
            .unwrap_or(line.len());
        let keyword = line[..split_at].to_ascii_lowercase();
        let rest = line[split_at..]
            .trim_start()
            .strip_prefix('=')
            .unwrap_or(line[split_at..].trim_start());
        // A `#` word starts a trailing comment.
        let rest = match rest.find(" #").or_else(|| rest.find("\t#")) {
            Some(at) => &rest[..at],
            None => rest,
        };
        if keyword == "match" {
            let criteria = rest.trim();
            match_block = (!criteria.eq_ignore_ascii_case("all")).then(|| one_line(criteria));
            continue;
        }
        if !KEPT.contains(&keyword.as_str()) {
            continue;
        }
        facts.directives.push(SshdDirective {
            line: i + 1,
            keyword,
            args: split_args(rest),
            match_block: match_block.clone(),
            text: one_line(line),
            fp: fingerprint(line.as_bytes()),
        });
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_any_case_and_match_blocks() {
        let facts = parse_sshd(
            b"# c\nPermitRootLogin=no\npasswordauthentication yes # explicit\n\
Include /etc/ssh/sshd_config.d/*.conf \"/etc/ssh/other dir/x\"\n\
Match User backup\n  PermitRootLogin yes\nMatch all\nPermitEmptyPasswords yes\n",
        );
        let got: Vec<_> = facts
            .directives
            .iter()
            .map(|d| (d.keyword.as_str(), d.value(), d.match_block.clone()))
            .collect();
        assert_eq!(
            got,
            [
                ("permitrootlogin", "no".to_string(), None),
                ("passwordauthentication", "yes".to_string(), None),
                ("include", "/etc/ssh/sshd_config.d/*.conf".to_string(), None),
                (
                    "permitrootlogin",
                    "yes".to_string(),
                    Some("User backup".to_string())
                ),
                ("permitemptypasswords", "yes".to_string(), None),
            ]
        );
        assert_eq!(facts.directives[2].args[1], "/etc/ssh/other dir/x");
    }
}
