//! /etc/passwd, /etc/shadow and /etc/group, parsed into what the checks need. Password
//! hashes never leave this module: entries keep the algorithm, the bcrypt cost and a
//! short digest of the hash (to see two accounts sharing one), nothing a cracker can use.

use serde::{Deserialize, Serialize};

use crate::text::{fingerprint, lines, redact_line};

/// More entries than any real account database holds; the rest are ignored.
const MAX_ENTRIES: usize = 20_000;

/// What the password field of an entry says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Password {
    /// No password at all: login without one.
    Empty,
    /// `x` in /etc/passwd: the hash is in /etc/shadow.
    Shadowed,
    /// `*`, `!`, `!!`, anything that cannot be a hash: no password login. A `!` in front of
    /// a hash keeps the hash (`usermod -L`).
    Locked {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hash: Option<HashInfo>,
    },
    Hash(HashInfo),
}

impl Password {
    /// The hash, locked or not.
    pub fn hash(&self) -> Option<&HashInfo> {
        match self {
            Password::Hash(h) => Some(h),
            Password::Locked { hash } => hash.as_ref(),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HashInfo {
    /// What the hash starts with: `$6$`, `$2b$10$`, `des`, `_` (BSDi DES).
    pub scheme: String,
    /// Human name: `sha512crypt`, `yescrypt`, `md5crypt`, `bcrypt`, `des`.
    pub algorithm: String,
    /// bcrypt's cost factor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<u32>,
    /// Why this algorithm is weak, when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weakness: Option<String>,
    /// First 16 hex digits of the SHA-256 of the whole hash (salt included).
    pub fingerprint: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswdEntry {
    pub line: usize,
    pub name: String,
    /// `None` when the field is not a number.
    pub uid: Option<u64>,
    pub gid: Option<u64>,
    pub password: Password,
    pub home: String,
    pub shell: String,
    /// The line with any hash cut to its scheme.
    pub text: String,
    /// Identifies the exact line across layers.
    pub fp: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShadowEntry {
    pub line: usize,
    pub name: String,
    pub password: Password,
    pub text: String,
    pub fp: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupEntry {
    pub line: usize,
    pub name: String,
    pub gid: Option<u64>,
    pub text: String,
    pub fp: String,
}

/// A legacy NIS compat line (`+`, `+name`, `+@netgroup`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NisLine {
    pub line: usize,
    pub text: String,
    pub fp: String,
}

/// Classifies a password field (`in_passwd` for /etc/passwd, where `x` means shadowed).
pub fn classify_password(field: &str, in_passwd: bool) -> Password {
    if field.is_empty() {
        return Password::Empty;
    }
    if in_passwd && field == "x" {
        return Password::Shadowed;
    }
    if let Some(rest) = field.strip_prefix('!') {
        let rest = rest.trim_start_matches('!');
        return Password::Locked {
            hash: hash_info(rest),
        };
    }
    match hash_info(field) {
        Some(info) => Password::Hash(info),
        None => Password::Locked { hash: None },
    }
}

fn is_crypt_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '.' || c == '/'
}

/// What kind of crypt(3) hash `field` is; `None` when it cannot be one (`*`, `*LK*`,
/// `x` in /etc/shadow), which crypt never matches, so the account is locked.
pub fn hash_info(field: &str) -> Option<HashInfo> {
    let fingerprint = fingerprint(field.as_bytes());
    let make = |scheme: &str, algorithm: &str, cost: Option<u32>, weakness: Option<&str>| {
        Some(HashInfo {
            scheme: scheme.to_string(),
            algorithm: algorithm.to_string(),
            cost,
            weakness: weakness.map(str::to_string),
            fingerprint: fingerprint.clone(),
        })
    };
    if let Some(rest) = field.strip_prefix('$') {
        let id = rest.split('$').next().unwrap_or("");
        let scheme = format!("${id}$");
        return match id {
            "1" => make(
                &scheme,
                "md5crypt",
                None,
                Some("MD5 crypt is fast to crack"),
            ),
            "3" => make(&scheme, "nthash", None, Some("NT hash is unsalted MD4")),
            "md5" => make(
                &scheme,
                "sunmd5",
                None,
                Some("Sun MD5 crypt is fast to crack"),
            ),
            "sha1" => make(&scheme, "sha1crypt", None, None),
            "5" => make(&scheme, "sha256crypt", None, None),
            "6" => make(&scheme, "sha512crypt", None, None),
            "y" => make(&scheme, "yescrypt", None, None),
            "gy" => make(&scheme, "gost-yescrypt", None, None),
            "7" => make(&scheme, "scrypt", None, None),
            "2" | "2a" | "2b" | "2x" | "2y" => {
                let cost = rest.split('$').nth(1).and_then(|c| c.parse::<u32>().ok());
                let scheme = match cost {
                    Some(c) => format!("${id}${c:02}$"),
                    None => scheme,
                };
                let weak = cost.is_some_and(|c| c < 10);
                make(
                    &scheme,
                    "bcrypt",
                    cost,
                    weak.then_some("bcrypt cost below 10"),
                )
            }
            _ if id.starts_with("argon2") => make(&scheme, id, None, None),
            _ if id.starts_with("pbkdf2") => make(&scheme, id, None, None),
            _ => None,
        };
    }
    if field.len() == 20 && field.starts_with('_') && field[1..].chars().all(is_crypt_char) {
        return make(
            "_",
            "bsdi-des",
            None,
            Some("extended DES crypt is fast to crack"),
        );
    }
    if field.len() == 13 && field.chars().all(is_crypt_char) {
        return make(
            "des",
            "des",
            None,
            Some("DES crypt uses 8 characters of the password and is fast to crack"),
        );
    }
    None
}

fn field_u64(field: &str) -> Option<u64> {
    field.trim().parse().ok()
}

fn nis(line: usize, raw: &str) -> NisLine {
    NisLine {
        line,
        text: redact_line(raw, 1),
        fp: fingerprint(raw.as_bytes()),
    }
}

/// Entries of /etc/passwd and its NIS lines. Lines with fewer than seven fields are kept
/// as far as they go (glibc reads them too, filling the rest with empty strings).
pub fn parse_passwd(content: &[u8]) -> (Vec<PasswdEntry>, Vec<NisLine>) {
    let mut entries = Vec::new();
    let mut nis_lines = Vec::new();
    for (line, raw) in lines(content).take(MAX_ENTRIES) {
        if raw.starts_with('+') || raw.starts_with('-') {
            nis_lines.push(nis(line, &raw));
            continue;
        }
        let fields: Vec<&str> = raw.split(':').collect();
        if fields.len() < 2 || fields[0].is_empty() {
            continue;
        }
        let get = |i: usize| fields.get(i).copied().unwrap_or("");
        entries.push(PasswdEntry {
            line,
            name: get(0).to_string(),
            uid: field_u64(get(2)),
            gid: field_u64(get(3)),
            password: classify_password(get(1), true),
            home: get(5).to_string(),
            shell: get(6).to_string(),
            text: redact_line(&raw, 1),
            fp: fingerprint(raw.as_bytes()),
        });
    }
    (entries, nis_lines)
}

pub fn parse_shadow(content: &[u8]) -> (Vec<ShadowEntry>, Vec<NisLine>) {
    let mut entries = Vec::new();
    let mut nis_lines = Vec::new();
    for (line, raw) in lines(content).take(MAX_ENTRIES) {
        if raw.starts_with('+') || raw.starts_with('-') {
            nis_lines.push(nis(line, &raw));
            continue;
        }
        let mut fields = raw.splitn(3, ':');
        let (Some(name), Some(password)) = (fields.next(), fields.next()) else {
            continue;
        };
        if name.is_empty() {
            continue;
        }
        entries.push(ShadowEntry {
            line,
            name: name.to_string(),
            password: classify_password(password, false),
            text: redact_line(&raw, 1),
            fp: fingerprint(raw.as_bytes()),
        });
    }
    (entries, nis_lines)
}

pub fn parse_group(content: &[u8]) -> (Vec<GroupEntry>, Vec<NisLine>) {
    let mut entries = Vec::new();
    let mut nis_lines = Vec::new();
    for (line, raw) in lines(content).take(MAX_ENTRIES) {
        if raw.starts_with('+') || raw.starts_with('-') {
            nis_lines.push(nis(line, &raw));
            continue;
        }
        let fields: Vec<&str> = raw.split(':').collect();
        if fields.len() < 3 || fields[0].is_empty() {
            continue;
        }
        entries.push(GroupEntry {
            line,
            name: fields[0].to_string(),
            gid: field_u64(fields[2]),
            text: redact_line(&raw, 1),
            fp: fingerprint(raw.as_bytes()),
        });
    }
    (entries, nis_lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_fields() {
        assert_eq!(classify_password("", false), Password::Empty);
        assert_eq!(classify_password("x", true), Password::Shadowed);
        assert_eq!(
            classify_password("x", false),
            Password::Locked { hash: None }
        );
        assert_eq!(
            classify_password("*", false),
            Password::Locked { hash: None }
        );
        assert_eq!(
            classify_password("!!", false),
            Password::Locked { hash: None }
        );
        let locked = classify_password("!$6$salt$abc", false);
        assert_eq!(locked.hash().unwrap().scheme, "$6$");
        assert!(matches!(locked, Password::Locked { .. }));
        let des = hash_info("abJnggxhB/yWI").unwrap();
        assert_eq!(des.algorithm, "des");
        assert!(des.weakness.is_some());
        let md5 = hash_info("$1$salt$qJH7.N4xYta3aEG/dfqo/0").unwrap();
        assert_eq!(md5.scheme, "$1$");
        assert!(md5.weakness.is_some());
        let bcrypt = hash_info("$2b$05$abcdefghijklmnopqrstuu").unwrap();
        assert_eq!((bcrypt.cost, bcrypt.scheme.as_str()), (Some(5), "$2b$05$"));
        assert!(bcrypt.weakness.is_some());
        assert!(hash_info("$2y$12$abcdefghijklmnopqrstuu")
            .unwrap()
            .weakness
            .is_none());
        assert!(hash_info("$y$j9T$salt$hash").unwrap().weakness.is_none());
        assert!(hash_info("*LK*").is_none());
    }

    #[test]
    fn lines_without_hashes() {
        let (entries, nis) =
            parse_shadow(b"root:$6$saltsalt$HASHVALUE:19000:0:99999:7:::\n+::::::::\n");
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].text, "root:$6$\u{2026}:19000:0:99999:7:::");
        assert!(!serde_json::to_string(&entries)
            .unwrap()
            .contains("HASHVALUE"));
        assert_eq!(nis.len(), 1);
    }

    #[test]
    fn malformed_lines_are_skipped() {
        let (entries, _) = parse_passwd(b"\n# comment\nnoseparator\nroot:x:0:0:root:/root:/bin/bash\nshort:x\n:x:1:1::/:/bin/sh\n");
        let names: Vec<_> = entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["root", "short"]);
        assert_eq!(entries[1].uid, None);
    }
}
