//! Which image paths are never read: skip patterns (globs matching a path or any of its
//! ancestors, with `!` exceptions) and file-name extensions.

use std::collections::HashSet;

use regex::Regex;

use crate::error::SecretConfigError;

#[derive(Debug)]
pub(crate) struct PathFilter {
    skip: Option<Regex>,
    keep: Option<Regex>,
    extensions: HashSet<String>,
}

impl PathFilter {
    pub fn new<'a>(
        patterns: impl IntoIterator<Item = &'a str>,
        extensions: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, SecretConfigError> {
        let mut skip = Vec::new();
        let mut keep = Vec::new();
        for pattern in patterns {
            let pattern = pattern.trim();
            if pattern.is_empty() {
                continue;
            }
            match pattern.strip_prefix('!') {
                Some(rest) => keep.push(glob_to_regex(rest)?),
                None => skip.push(glob_to_regex(pattern)?),
            }
        }
        let join = |parts: Vec<String>| -> Result<Option<Regex>, SecretConfigError> {
            if parts.is_empty() {
                return Ok(None);
            }
            let alternation = format!("^(?:{})(?:/.*)?$", parts.join("|"));
            Regex::new(&alternation)
                .map(Some)
                .map_err(|e| SecretConfigError::InvalidSkipPath {
                    pattern: alternation.clone(),
                    reason: e.to_string(),
                })
        };
        Ok(PathFilter {
            skip: join(skip)?,
            keep: join(keep)?,
            extensions: extensions
                .into_iter()
                .map(|e| e.trim_start_matches('.').to_ascii_lowercase())
                .collect(),
        })
    }

    /// Whether `path` (absolute) falls under a skip pattern and no exception.
    pub fn skips_tree(&self, path: &str) -> bool {
        self.skip.as_ref().is_some_and(|re| re.is_match(path))
            && !self.keep.as_ref().is_some_and(|re| re.is_match(path))
    }

    /// Whether the file name's extension marks a file never worth reading.
    pub fn skips_extension(&self, path: &str) -> bool {
        let name = path.rsplit('/').next().unwrap_or(path);
        match name.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() => {
                self.extensions.contains(&ext.to_ascii_lowercase())
            }
            _ => false,
        }
    }
}

/// Translates one glob into a regex fragment matching a whole absolute path.
fn glob_to_regex(glob: &str) -> Result<String, SecretConfigError> {
    let invalid = |reason: &str| SecretConfigError::InvalidSkipPath {
        pattern: glob.to_string(),
        reason: reason.to_string(),
    };
    let anchored = glob.starts_with('/');
    let body = glob.trim_start_matches('/').trim_end_matches('/');
    if body.is_empty() {
        return Err(invalid("matches the whole filesystem"));
    }
    // An unanchored pattern may start at any depth.
    let mut out = String::from(if anchored { "" } else { "(?:/[^/]+)*?" });
    for component in body.split('/') {
        if component == "**" {
            out.push_str("(?:/[^/]+)*?");
            continue;
        }
        out.push('/');
        let mut chars = component.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '*' => out.push_str("[^/]*"),
                '?' => out.push_str("[^/]"),
                '[' => {
                    let mut class = String::from("[");
                    if chars.peek() == Some(&'!') {
                        chars.next();
                        class.push('^');
                    }
                    let mut closed = false;
                    for c in chars.by_ref() {
                        if c == ']' {
                            closed = true;
                            break;
                        }
                        if matches!(c, '\\' | '[' | '^' | '&' | '~') {
                            class.push('\\');
                        }
                        class.push(c);
                    }
                    if !closed {
                        return Err(invalid("unclosed '['"));
                    }
                    class.push_str("/]");
                    // A negated class must not match '/', a plain one never lists it.
                    if !class.starts_with("[^") {
                        class.truncate(class.len() - 2);
                        class.push(']');
                    }
                    out.push_str(&class);
                }
                c => out.push_str(&regex::escape(&c.to_string())),
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(patterns: &[&str]) -> PathFilter {
        PathFilter::new(patterns.iter().copied(), ["png", "so"]).unwrap()
    }

    #[test]
    fn anchored_patterns_cover_their_subtree() {
        let f = filter(&["/usr/share/doc"]);
        assert!(f.skips_tree("/usr/share/doc"));
        assert!(f.skips_tree("/usr/share/doc/bash/copyright"));
        assert!(!f.skips_tree("/usr/share/docs/x"));
        assert!(!f.skips_tree("/app/usr/share/doc/x"));
    }

    #[test]
    fn stars_stay_in_one_component_and_double_stars_span_many() {
        let f = filter(&["/usr/lib/python3.*", "**/site-packages/**/tests"]);
        assert!(f.skips_tree("/usr/lib/python3.11/ssl.py"));
        assert!(!f.skips_tree("/usr/lib/python3/dist-packages/x.py"));
        assert!(f.skips_tree("/usr/local/lib/python3.11/site-packages/a/b/tests/k.pem"));
        assert!(f.skips_tree("/opt/site-packages/tests/k.pem"));
        assert!(!f.skips_tree("/usr/local/lib/python3.11/site-packages/a/testsuite.py"));
    }

    #[test]
    fn exceptions_re_include_a_subtree() {
        let f = filter(&[
            "/usr/local/lib/python*",
            "!/usr/local/lib/python*/site-packages",
        ]);
        assert!(f.skips_tree("/usr/local/lib/python3.11/os.py"));
        assert!(!f.skips_tree("/usr/local/lib/python3.11/site-packages/app/settings.py"));
    }

    #[test]
    fn classes_and_unanchored_names() {
        let f = filter(&["[!s]*.bak", "secret?.txt"]);
        assert!(f.skips_tree("/etc/app.bak"));
        assert!(!f.skips_tree("/etc/store.bak"));
        assert!(f.skips_tree("/a/b/secret1.txt"));
        assert!(!f.skips_tree("/a/b/secret12.txt"));
    }

    #[test]
    fn extensions_compare_case_insensitively_and_ignore_dotfiles() {
        let f = filter(&[]);
        assert!(f.skips_extension("/img/logo.PNG"));
        assert!(f.skips_extension("/lib/libc.so"));
        assert!(!f.skips_extension("/root/.so"));
        assert!(!f.skips_extension("/etc/passwd"));
    }

    #[test]
    fn bad_patterns_are_errors() {
        assert!(PathFilter::new(["/"], []).is_err());
        assert!(PathFilter::new(["/a/[bc"], []).is_err());
    }
}
