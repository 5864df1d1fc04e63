//! Telling real secrets from look-alikes: entropy, placeholders, documented example keys,
//! references and code, and the format checks some tokens carry.

use base64::Engine as _;

/// Shannon entropy of `bytes` in bits per byte.
pub fn shannon_entropy(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let len = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

/// Keys published in vendor documentation and SDK samples: they look real, are not.
const DOCUMENTED_EXAMPLES: &[&str] = &[
    // AWS IAM user guide.
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AKIAI44QH8DHBEXAMPLE",
    "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
    // The Azure Storage emulator's well-known account key (Azurite, devstoreaccount1).
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
    // jwt.io's sample token.
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    // RFC 6749 (OAuth 2.0) examples: access token, refresh token, client credentials.
    "2YotnFZFEjr1zCsicMWpAA",
    "tGzv3JOkF0XG5Qx2TlKWIA",
    "czZCaGRSa3F0MzpnWDFmQmF0M2JW",
    // The SAS signature in AWS DataSync's API reference (shipped in botocore's data).
    "aBBKDWQvyuVcTPH9EBp%2FXTI9E%2F%2Fmq171%2BZU178wcwqU%3D",
    // Stripe's API reference test key.
    "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
];

/// Words that mark a value as a stand-in (compared lower-case, as substrings).
const PLACEHOLDER_WORDS: &[&str] = &[
    "example",
    "placeholder",
    "changeme",
    "change_me",
    "change-me",
    "changethis",
    "your_",
    "your-",
    "yourkey",
    "yoursecret",
    "yourtoken",
    "yourpassword",
    "my_secret",
    "mysecret",
    "mypassword",
    "dummy",
    "fake",
    "sample",
    "redacted",
    "replace",
    "insert",
    "xxxx",
    "****",
    "....",
    "<",
    ">",
    "${",
    "{{",
    "}}",
    "$(",
    "%s",
    "%(",
    "%{",
    "#{",
    "@@",
    "notasecret",
    "not_a_secret",
    "not-a-secret",
    "secret_here",
    "token_here",
    "key_here",
    "password_here",
    "abcdefgh",
    "12345678",
    "0123456",
];

/// Whether `secret` is a documented example or an obvious placeholder.
pub fn is_placeholder(secret: &[u8]) -> bool {
    if DOCUMENTED_EXAMPLES.iter().any(|e| e.as_bytes() == secret) {
        return true;
    }
    let lower = secret.to_ascii_lowercase();
    if PLACEHOLDER_WORDS
        .iter()
        .any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some())
    {
        return true;
    }
    longest_run(&lower) >= 6
}

/// Length of the longest run of one repeated byte (`aaaaaa`, `000000`).
fn longest_run(bytes: &[u8]) -> usize {
    let mut best = 0;
    let mut run = 0;
    let mut last = None;
    for &b in bytes {
        if Some(b) == last {
            run += 1;
        } else {
            run = 1;
            last = Some(b);
        }
        best = best.max(run);
    }
    best
}

/// Words and literals that are never a password when they are the whole value.
const NOT_A_VALUE: &[&str] = &[
    "none",
    "null",
    "nil",
    "undefined",
    "true",
    "false",
    "yes",
    "no",
    "on",
    "off",
    "empty",
    "string",
    "str",
    "required",
    "optional",
    "password",
    "passwd",
    "secret",
    "token",
    "hidden",
    "unset",
    "default",
    "disabled",
    "enabled",
    "prompt",
    "ask",
    "env",
];

/// Words in a key name that say it holds a secret.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "passwort",
    "pwd",
    "secret",
    "token",
    "key",
    "credential",
    "credentials",
    "auth",
];

/// What may follow the secret word in a key that holds the secret itself
/// (`passwords`, `secret_value`, `token2`); anything else (`_file`, `_url`, `_length`,
/// `_id`) describes the secret instead.
const SECRET_KEY_TAILS: &[&str] = &[
    "",
    "s",
    "value",
    "val",
    "str",
    "string",
    "data",
    "b64",
    "base64",
    "hex",
    "raw",
    "base",
    "plain",
    "plaintext",
    "text",
];

/// Whether an assignment key (`db_password`, `spring.datasource.password`) names a
/// value that is itself secret, not metadata about one.
pub fn key_holds_secret(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    // Only the last component counts (`password.file` is metadata, `file.password` is not).
    let last = lower.rsplit(['.', '/']).next().unwrap_or(&lower);
    SECRET_WORDS
        .iter()
        .filter_map(|w| last.rfind(w).map(|i| &last[i + w.len()..]))
        .any(|tail| {
            let tail = tail.trim_start_matches(['_', '-']);
            let tail = tail.trim_end_matches(|c: char| c.is_ascii_digit());
            SECRET_KEY_TAILS.contains(&tail)
        })
}

/// Character classes present: lower, upper, digit, other.
fn char_classes(value: &[u8]) -> usize {
    let mut classes = [false; 4];
    for &b in value {
        let i = if b.is_ascii_lowercase() {
            0
        } else if b.is_ascii_uppercase() {
            1
        } else if b.is_ascii_digit() {
            2
        } else {
            3
        };
        classes[i] = true;
    }
    classes.iter().filter(|&&c| c).count()
}

/// Whether a free-form assigned value could be a real credential: not a reference to
/// something else (variables, templates, calls), not code, not a word or a number.
pub fn is_plausible_value(value: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(value) else {
        return false;
    };
    if text.is_empty() {
        return false;
    }
    let lower = text.to_ascii_lowercase();
    if NOT_A_VALUE.contains(&lower.as_str()) {
        return false;
    }
    let first = text.as_bytes()[0];
    // Percent-encoded non-ASCII (`p%C3%A4ssword` in werkzeug's doctests): examples of
    // URL handling, not credentials, which stay ASCII in practice.
    let encoded_non_ascii = text.as_bytes().windows(3).any(|w| {
        w[0] == b'%'
            && matches!(w[1], b'8'..=b'9' | b'a'..=b'f' | b'A'..=b'F')
            && w[2].is_ascii_hexdigit()
    });
    if encoded_non_ascii {
        return false;
    }
    // `password= next=` in a list of options, `a=b` query strings: never a value.
    let body = text.trim_end_matches('=');
    if body.contains('=') || (body.len() < text.len() && body.len() < 16) {
        return false;
    }
    // References and expressions: $VAR, %VAR%, @var, &ref, *ptr, #comment, -flag, /path, ~.
    if b"$%@&*#!-/~.:=+?\\".contains(&first) {
        return false;
    }
    if text.ends_with(':') || text.ends_with('.') || text.ends_with('=') && char_classes(value) < 2
    {
        return false;
    }
    // Attribute access and qualified names (`self.password`, `config.db.pass`,
    // `os.environ.get`), file names (`secret.txt`), and dashed or snake words.
    let word_like = text.split(['.', '_', '-', ':']).all(|part| {
        part.is_empty()
            || part.bytes().all(|b| b.is_ascii_alphabetic() || b == b'$')
            || part.bytes().all(|b| b.is_ascii_digit())
    });
    if word_like {
        return false;
    }
    // Dotted identifier chains (`base64.b16encode`, `settings.DB_PASS`) are code.
    let identifier = |part: &str| {
        part.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    };
    if text.contains('.') && text.split('.').all(identifier) {
        return false;
    }
    if text.contains("::") || text.contains("->") || text.contains("=>") {
        return false;
    }
    // camelCase or PascalCase identifiers with trailing digits (`userPassword2`).
    let trimmed = text.trim_end_matches(|c: char| c.is_ascii_digit());
    if trimmed.len() >= text.len().saturating_sub(2)
        && trimmed.bytes().all(|b| b.is_ascii_alphabetic())
    {
        return false;
    }
    char_classes(value) >= 2 && !is_placeholder(value)
}

/// GitHub's classic token checksum: the last 6 characters are the base62 CRC32 of the
/// 30 random ones after the prefix.
pub fn github_checksum_ok(token: &[u8]) -> bool {
    let Some(underscore) = token.iter().position(|&b| b == b'_') else {
        return false;
    };
    let body = &token[underscore + 1..];
    if body.len() != 36 {
        // Longer refresh tokens carry no checksum we know of.
        return body.len() > 36;
    }
    let (random, check) = body.split_at(30);
    base62_padded(crc32(random), 6).as_bytes() == check
}

fn base62_padded(mut n: u32, width: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut digits = Vec::new();
    while n > 0 {
        digits.push(ALPHABET[(n % 62) as usize]);
        n /= 62;
    }
    while digits.len() < width {
        digits.push(b'0');
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

/// CRC-32 (IEEE, reflected), bit by bit: it only ever sees 30 bytes.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

fn base64url_json(part: &[u8]) -> Option<serde_json::Value> {
    let trimmed: Vec<u8> = part.iter().copied().filter(|&b| b != b'=').collect();
    let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(trimmed)
        .ok()?;
    serde_json::from_slice(&decoded).ok()
}

/// A JWT worth reporting: JSON header with an algorithm other than `none`, JSON payload.
pub fn jwt_ok(token: &[u8]) -> bool {
    let mut parts = token.split(|&b| b == b'.');
    let (Some(header), Some(payload), Some(signature)) = (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let Some(header) = base64url_json(header) else {
        return false;
    };
    let signed = header
        .get("alg")
        .and_then(|a| a.as_str())
        .is_some_and(|alg| !alg.eq_ignore_ascii_case("none"));
    signed && base64url_json(payload).is_some_and(|p| p.is_object()) && !signature.is_empty()
}

/// `Basic` credentials that decode to `user:password` with a plausible password.
pub fn basic_auth_ok(encoded: &[u8]) -> bool {
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded) else {
        return false;
    };
    let Some(colon) = decoded.iter().position(|&b| b == b':') else {
        return false;
    };
    let password = &decoded[colon + 1..];
    password.len() >= 4
        && password.iter().all(|b| b.is_ascii_graphic())
        && !is_placeholder(password)
        && !NOT_A_VALUE.contains(
            &String::from_utf8_lossy(password)
                .to_ascii_lowercase()
                .as_str(),
        )
}

/// Random identifiers mix letters and digits; words and numbers do not.
pub fn mixed_alnum(value: &[u8]) -> bool {
    value.iter().any(u8::is_ascii_digit) && value.iter().any(u8::is_ascii_alphabetic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_of_uniform_and_constant_strings() {
        assert_eq!(shannon_entropy(b""), 0.0);
        assert_eq!(shannon_entropy(b"aaaa"), 0.0);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
        assert!(shannon_entropy(b"q8Zt2LmW9vXc4RbN7yKd3HfJ6sPa1GeU") > 4.5);
    }

    #[test]
    fn documented_examples_and_placeholders_are_recognised() {
        assert!(is_placeholder(b"AKIAIOSFODNN7EXAMPLE"));
        assert!(is_placeholder(b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
        assert!(is_placeholder(b"ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
        assert!(is_placeholder(b"${DB_PASSWORD}"));
        assert!(is_placeholder(b"<your-token>"));
        assert!(is_placeholder(b"changeme123"));
        assert!(is_placeholder(b"T00000000"));
        assert!(!is_placeholder(b"q8Zt2LmW9vXc4RbN7yKd3HfJ6sPa1GeU"));
    }

    #[test]
    fn values_that_are_references_code_or_words_are_rejected() {
        for value in [
            "$DB_PASSWORD",
            "%(password)s",
            "self.password",
            "os.environ.get",
            "config.db.pass",
            "getpass",
            "None",
            "true",
            "userPassword2",
            "/run/secrets/db",
            "secret.txt",
            "my-db-password",
            "12345678901",
            "Foo::Bar",
            "base64.b16encode",
            "scmVersion=",
            "a=b&c=d",
            "p%C3%A4ssword",
        ] {
            assert!(!is_plausible_value(value.as_bytes()), "{value}");
        }
        for value in [
            "Pr0d-Secret-9x",
            "Acme-Prod-DB-2019!",
            "s3cr3t!Pass",
            "hunter2hunter2X",
        ] {
            assert!(is_plausible_value(value.as_bytes()), "{value}");
        }
    }

    #[test]
    fn secret_holding_keys() {
        for key in [
            "password",
            "DB_PASSWORD",
            "spring.datasource.password",
            "client_secret",
            "api_key",
            "GITHUB_TOKEN",
        ] {
            assert!(key_holds_secret(key), "{key}");
        }
        for key in [
            "password_file",
            "PASSWORD_LENGTH",
            "password.min",
            "token_url",
            "secret_path",
            "pwd_dir",
            "KEY_ID",
        ] {
            assert!(!key_holds_secret(key), "{key}");
        }
    }

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn github_checksums() {
        // Built here from a made-up random part, so the test carries no real token.
        let random = "Zq8Rt2LmW9vXc4RbN7yKd3HfJ6sPa1";
        let token = format!("ghp_{random}{}", base62_padded(crc32(random.as_bytes()), 6));
        assert!(github_checksum_ok(token.as_bytes()));
        let mut broken = token.clone().into_bytes();
        broken[10] = if broken[10] == b'a' { b'b' } else { b'a' };
        assert!(!github_checksum_ok(&broken));
    }

    #[test]
    fn jwts_must_be_signed_json() {
        // {"alg":"HS256","typ":"JWT"} . {"sub":"drydock-test"} . signature
        let signed = b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJkcnlkb2NrLXRlc3QifQ.c2lnbmF0dXJlLWJ5dGVzLWhlcmU";
        assert!(jwt_ok(signed));
        // {"alg":"none"}
        let unsigned =
            b"eyJhbGciOiJub25lIn0.eyJzdWIiOiJkcnlkb2NrLXRlc3QifQ.c2lnbmF0dXJlLWJ5dGVzLWhlcmU";
        assert!(!jwt_ok(unsigned));
        assert!(!jwt_ok(
            b"eyJub3QganNvbg.eyJzdWIiOiJ4In0.abcdefghijklmnopqr"
        ));
    }

    #[test]
    fn basic_auth_needs_a_real_password() {
        // drydock:Zx9-Lq2v
        assert!(basic_auth_ok(b"ZHJ5ZG9jazpaeDktTHEydg=="));
        // user:password
        assert!(!basic_auth_ok(b"dXNlcjpwYXNzd29yZA=="));
        assert!(!basic_auth_ok(b"bm9jb2xvbg=="));
    }
}
