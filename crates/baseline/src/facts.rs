//! Which files the baseline scanner reads during the layer pass, and the compact value it
//! keeps (and caches) for each. Everything else it needs is in the file listing.

use serde::{Deserialize, Serialize};

use crate::accounts::{
    parse_group, parse_passwd, parse_shadow, GroupEntry, NisLine, PasswdEntry, ShadowEntry,
};
use crate::sshd::{parse_sshd, SshdFacts};
use crate::sudoers::{parse_sudoers, SudoersFacts};
use crate::text::{lines, one_line};

pub const PASSWD: &str = "/etc/passwd";
pub const SHADOW: &str = "/etc/shadow";
pub const GROUP: &str = "/etc/group";
pub const GSHADOW: &str = "/etc/gshadow";
pub const SUDOERS: &str = "/etc/sudoers";
pub const SUDOERS_DIR: &str = "/etc/sudoers.d";
pub const SSHD_CONFIG: &str = "/etc/ssh/sshd_config";
pub const SSHD_CONFIG_DIR: &str = "/etc/ssh/sshd_config.d";
pub const LD_SO_PRELOAD: &str = "/etc/ld.so.preload";
pub const ROOT_AUTHORIZED_KEYS: &[&str] =
    &["/root/.ssh/authorized_keys", "/root/.ssh/authorized_keys2"];
/// Any account's keys: `<home>/.ssh/authorized_keys{,2}`.
pub const AUTHORIZED_KEYS_NAMES: &[&str] = &["authorized_keys", "authorized_keys2"];
pub const HOST_TRUST_FILES: &[&str] = &["/etc/hosts.equiv", "/etc/shosts.equiv"];
pub const USER_TRUST_FILES: &[&str] = &[".rhosts", ".shosts"];

/// What one file holds, as far as the checks care.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FileFacts {
    Passwd {
        entries: Vec<PasswdEntry>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        nis: Vec<NisLine>,
    },
    Shadow {
        entries: Vec<ShadowEntry>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        nis: Vec<NisLine>,
    },
    Group {
        entries: Vec<GroupEntry>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        nis: Vec<NisLine>,
    },
    Sudoers(SudoersFacts),
    Sshd(SshdFacts),
    /// /etc/ld.so.preload: the libraries it names.
    Preload {
        libraries: Vec<String>,
    },
    /// hosts.equiv, .rhosts, authorized_keys: how many entries, whether one is a bare `+`
    /// (trust everyone), and key types for authorized_keys.
    Trust {
        entries: usize,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        wildcard: bool,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        key_types: Vec<String>,
    },
}

impl FileFacts {
    /// Whether a line with this fingerprint is in the file: how a finding is traced to the
    /// layer that introduced its line.
    pub fn has_line(&self, fp: &str) -> bool {
        match self {
            FileFacts::Passwd { entries, nis } => {
                entries.iter().any(|e| e.fp == fp) || nis.iter().any(|n| n.fp == fp)
            }
            FileFacts::Shadow { entries, nis } => {
                entries.iter().any(|e| e.fp == fp) || nis.iter().any(|n| n.fp == fp)
            }
            FileFacts::Group { entries, nis } => {
                entries.iter().any(|e| e.fp == fp) || nis.iter().any(|n| n.fp == fp)
            }
            FileFacts::Sudoers(s) => s.grants.iter().any(|g| g.fp == fp),
            FileFacts::Sshd(s) => s.directives.iter().any(|d| d.fp == fp),
            FileFacts::Preload { .. } | FileFacts::Trust { .. } => false,
        }
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Anywhere below `dir`.
fn under(path: &str, dir: &str) -> bool {
    path.strip_prefix(dir)
        .is_some_and(|rest| rest.len() > 1 && rest.starts_with('/'))
}

fn directly_in(path: &str, dir: &str) -> bool {
    path.strip_prefix(dir)
        .and_then(|rest| rest.strip_prefix('/'))
        .is_some_and(|name| !name.is_empty() && !name.contains('/'))
}

/// Whether the scanner reads this file.
pub fn wants(path: &str) -> bool {
    matches!(
        path,
        PASSWD | SHADOW | GROUP | SUDOERS | SSHD_CONFIG | LD_SO_PRELOAD
    ) || directly_in(path, SUDOERS_DIR)
        || under(path, SSHD_CONFIG_DIR)
        || ROOT_AUTHORIZED_KEYS.contains(&path)
        || authorized_keys_home(path).is_some()
        || HOST_TRUST_FILES.contains(&path)
        || USER_TRUST_FILES.contains(&file_name(path))
}

/// The home directory whose `.ssh/authorized_keys` (or `authorized_keys2`) `path` is.
pub fn authorized_keys_home(path: &str) -> Option<&str> {
    let (dir, name) = path.rsplit_once('/')?;
    if !AUTHORIZED_KEYS_NAMES.contains(&name) {
        return None;
    }
    let home = dir.strip_suffix("/.ssh")?;
    Some(if home.is_empty() { "/" } else { home })
}

fn trust_facts(content: &[u8], authorized_keys: bool) -> FileFacts {
    let mut entries = 0;
    let mut wildcard = false;
    let mut key_types: Vec<String> = Vec::new();
    for (_, line) in lines(content) {
        entries += 1;
        let mut words = line.split_whitespace();
        let first = words.next().unwrap_or("");
        if first == "+" && words.next().is_none_or(|w| w == "+") {
            wildcard = true;
        }
        if authorized_keys {
            // Options may precede the key type: take the first word that looks like one.
            if let Some(kind) = line
                .split_whitespace()
                .find(|w| w.starts_with("ssh-") || w.starts_with("ecdsa-") || w.starts_with("sk-"))
            {
                let kind = one_line(kind);
                if !key_types.contains(&kind) && key_types.len() < 8 {
                    key_types.push(kind);
                }
            }
        }
    }
    FileFacts::Trust {
        entries,
        wildcard,
        key_types,
    }
}

/// Parses one wanted file. Never fails: unparsable lines are skipped.
pub fn analyze(path: &str, content: &[u8]) -> Option<FileFacts> {
    let facts = match path {
        PASSWD => {
            let (entries, nis) = parse_passwd(content);
            FileFacts::Passwd { entries, nis }
        }
        SHADOW => {
            let (entries, nis) = parse_shadow(content);
            FileFacts::Shadow { entries, nis }
        }
        GROUP => {
            let (entries, nis) = parse_group(content);
            FileFacts::Group { entries, nis }
        }
        LD_SO_PRELOAD => FileFacts::Preload {
            libraries: lines(content)
                .flat_map(|(_, l)| {
                    l.split(|c: char| c.is_whitespace() || c == ':')
                        .filter(|w| !w.is_empty())
                        .map(one_line)
                        .collect::<Vec<_>>()
                })
                .take(64)
                .collect(),
        },
        _ if path == SUDOERS || directly_in(path, SUDOERS_DIR) => {
            FileFacts::Sudoers(parse_sudoers(content))
        }
        _ if path == SSHD_CONFIG || under(path, SSHD_CONFIG_DIR) => {
            FileFacts::Sshd(parse_sshd(content))
        }
        _ if ROOT_AUTHORIZED_KEYS.contains(&path) || authorized_keys_home(path).is_some() => {
            trust_facts(content, true)
        }
        _ if HOST_TRUST_FILES.contains(&path) || USER_TRUST_FILES.contains(&file_name(path)) => {
            trust_facts(content, false)
        }
        _ => return None,
    };
    Some(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wanted_paths() {
        for path in [
            "/etc/passwd",
            "/etc/shadow",
            "/etc/group",
            "/etc/sudoers",
            "/etc/sudoers.d/90-cloud",
            "/etc/ssh/sshd_config",
            "/etc/ssh/sshd_config.d/50-x.conf",
            "/etc/ld.so.preload",
            "/etc/hosts.equiv",
            "/home/bob/.rhosts",
            "/root/.ssh/authorized_keys",
            "/home/bob/.ssh/authorized_keys",
            "/srv/git/.ssh/authorized_keys2",
        ] {
            assert!(wants(path), "{path}");
        }
        for path in [
            "/etc/passwd-",
            "/etc/sudoers.d/a/b",
            "/etc/ssh/ssh_config",
            "/etc/ssh/ssh_host_rsa_key",
            "/home/bob/.ssh/known_hosts",
            "/home/bob/authorized_keys",
            "/usr/share/doc/passwd",
        ] {
            assert!(!wants(path), "{path}");
        }
    }

    #[test]
    fn trust_files() {
        assert_eq!(
            analyze("/etc/hosts.equiv", b"# c\n+\nhost1 alice\n"),
            Some(FileFacts::Trust {
                entries: 2,
                wildcard: true,
                key_types: vec![]
            })
        );
        assert_eq!(
            analyze(
                "/root/.ssh/authorized_keys",
                b"ssh-ed25519 AAAA a@b\ncommand=\"x\" ssh-rsa AAAA c@d\n"
            ),
            Some(FileFacts::Trust {
                entries: 2,
                wildcard: false,
                key_types: vec!["ssh-ed25519".into(), "ssh-rsa".into()]
            })
        );
    }
}
