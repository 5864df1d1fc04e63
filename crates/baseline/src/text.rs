//! Small text helpers shared by the parsers: lines of untrusted bytes, redaction of
//! password fields, short digests and one-line evidence.

use std::borrow::Cow;

use sha2::{Digest, Sha256};

use crate::accounts::hash_info;

/// Evidence and cached lines are cut to this many characters.
pub const MAX_TEXT: usize = 200;

/// Non-empty, non-comment lines as `(1-based line number, text)`, trailing `\r` and
/// blanks removed. Invalid UTF-8 is replaced, never an error.
pub fn lines(content: &[u8]) -> impl Iterator<Item = (usize, Cow<'_, str>)> {
    content
        .split(|&b| b == b'\n')
        .enumerate()
        .filter_map(|(i, raw)| {
            let text = String::from_utf8_lossy(raw);
            let trimmed = text.trim_end();
            if trimmed.trim_start().is_empty() || trimmed.trim_start().starts_with('#') {
                return None;
            }
            let text = match text {
                Cow::Borrowed(s) => Cow::Borrowed(s.trim_end()),
                Cow::Owned(s) => Cow::Owned(s.trim_end().to_string()),
            };
            Some((i + 1, text))
        })
}

/// First 16 hex digits of the SHA-256 of `bytes`: enough to tell lines apart, too little
/// (and too salted) to help anyone crack a hash.
pub fn fingerprint(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `text` cut to [`MAX_TEXT`] characters on a character boundary, on one line.
pub fn one_line(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match flat.char_indices().nth(MAX_TEXT) {
        Some((cut, _)) => format!("{}\u{2026}", &flat[..cut]),
        None => flat,
    }
}

/// Password-field values that hold no secret.
fn harmless_password_field(field: &str) -> bool {
    field.len() <= 2 && field.chars().all(|c| matches!(c, 'x' | '*' | '!'))
        || field == "*LK*"
        || field == "NP"
}

/// A colon-separated line with field `index` (the password) reduced to its hash scheme:
/// `root:$6$…:19000:…`. Anything else that is not obviously empty becomes `…`.
pub fn redact_line(line: &str, index: usize) -> String {
    let redacted: Vec<Cow<'_, str>> = line
        .split(':')
        .enumerate()
        .map(|(i, field)| {
            if i != index || field.is_empty() || harmless_password_field(field) {
                return Cow::Borrowed(field);
            }
            let lock = field.len() - field.trim_start_matches('!').len();
            let prefix = &field[..lock];
            match hash_info(&field[lock..]) {
                Some(info) if info.scheme == "des" || info.scheme == "_" => {
                    Cow::Owned(format!("{prefix}<{}>\u{2026}", info.algorithm))
                }
                Some(info) => Cow::Owned(format!("{prefix}{}\u{2026}", info.scheme)),
                None => Cow::Owned(format!("{prefix}\u{2026}")),
            }
        })
        .collect();
    one_line(&redacted.join(":"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_only_the_scheme() {
        assert_eq!(redact_line("a:$1$x$y:1", 1), "a:$1$\u{2026}:1");
        assert_eq!(redact_line("a:!$6$x$y:1", 1), "a:!$6$\u{2026}:1");
        assert_eq!(redact_line("a:abJnggxhB/yWI:1", 1), "a:<des>\u{2026}:1");
        assert_eq!(redact_line("a:plaintext:1", 1), "a:\u{2026}:1");
        assert_eq!(redact_line("a::1", 1), "a::1");
        assert_eq!(redact_line("a:*:1", 1), "a:*:1");
        assert_eq!(redact_line("a:!!:1", 1), "a:!!:1");
    }

    #[test]
    fn lines_skip_comments_and_blanks() {
        let got: Vec<_> = lines(b"# c\n\n  a \r\n\xffb").collect();
        assert_eq!(
            got,
            [
                (3, Cow::Borrowed("  a")),
                (4, Cow::Owned("\u{fffd}b".into()))
            ]
        );
    }
}
