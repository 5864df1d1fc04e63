//! Service configuration and packages: sudoers (BL015), sshd_config (BL016–BL018) and
//! insecure network services (BL025).

use std::collections::{BTreeSet, HashSet};

use drydock_image::FileKind;

use crate::facts::{FileFacts, SSHD_CONFIG, SUDOERS};
use crate::findings::Scan;
use crate::rules::Severity;
use crate::sshd::{
    SshdDirective, INCLUDE, PASSWORD_AUTHENTICATION, PERMIT_EMPTY_PASSWORDS, PERMIT_ROOT_LOGIN,
};
use crate::sudoers::GrantKind;

/// Nesting deeper than this is a loop or an attack; sudo and sshd stop early too.
const MAX_INCLUDE_DEPTH: usize = 8;

pub(super) fn check(scan: &mut Scan<'_>) {
    sudo(scan);
    sshd(scan);
    services(scan);
}

/// Whether any of `paths` is a file (after symlinks) in the final filesystem.
fn installed(scan: &Scan<'_>, paths: &[&str]) -> Option<String> {
    let view = &scan.analysis.view;
    paths.iter().find_map(|p| {
        let real = view.resolve(p).ok()?;
        let node = view.get(&real)?;
        matches!(node.entry.kind, FileKind::File | FileKind::Hardlink).then(|| p.to_string())
    })
}

fn has_package(scan: &Scan<'_>, names: &[&str]) -> Option<String> {
    scan.inventory?
        .packages
        .iter()
        .find(|p| p.kind.is_os() && names.contains(&p.name.as_str()))
        .map(|p| format!("{} {}", p.name, p.version))
}

/// `*` and `?` wildcards, as glob(3) matches them within one path component. Dynamic
/// programming, so hostile patterns cannot make it backtrack for long.
fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    if p.len() > 256 || t.len() > 4096 {
        return false;
    }
    // matched[j]: the pattern so far matches text[..j].
    let mut matched = vec![false; t.len() + 1];
    matched[0] = true;
    for &pc in p {
        let mut next = vec![false; t.len() + 1];
        if pc == b'*' {
            next[0] = matched[0];
            for j in 1..=t.len() {
                next[j] = matched[j] || (next[j - 1] && t[j - 1] != b'/');
            }
        } else {
            for j in 1..=t.len() {
                let c = t[j - 1];
                next[j] = matched[j - 1] && (pc == c || (pc == b'?' && c != b'/'));
            }
        }
        matched = next;
    }
    matched[t.len()]
}

fn absolute(base_dir: &str, path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{base_dir}/{path}")
    }
}

/// The files sudo reads, in order: `root` and what it includes (depth first). Each path is
/// queued at most once and each include target expanded at most once, so hostile files
/// that repeat `@includedir` thousands of times cost one lookup per line.
fn sudo_files<'f>(
    root: &str,
    facts_of: impl Fn(&str) -> Option<(String, &'f crate::sudoers::SudoersFacts)>,
    final_paths: &[&str],
) -> Vec<String> {
    let mut files: Vec<String> = Vec::new();
    let mut read: HashSet<String> = HashSet::new();
    let mut queued: HashSet<String> = HashSet::from([root.to_string()]);
    let mut expanded: HashSet<(String, bool)> = HashSet::new();
    let mut pending: Vec<(String, usize)> = vec![(root.to_string(), 0)];
    while let Some((path, depth)) = pending.pop() {
        if depth > MAX_INCLUDE_DEPTH {
            continue;
        }
        // A symlinked file is read (and reported) where it points.
        let Some((path, facts)) = facts_of(&path) else {
            continue;
        };
        if !read.insert(path.clone()) {
            continue;
        }
        let mut next = Vec::new();
        for include in &facts.includes {
            let target = absolute(parent_dir(&path), &include.path);
            if !expanded.insert((target.clone(), include.dir)) {
                continue;
            }
            let found: Vec<String> = if include.dir {
                // sudo skips names with a dot or ending in `~` (editor and package leftovers).
                let prefix = format!("{}/", target.trim_end_matches('/'));
                final_paths
                    .iter()
                    .filter(|p| {
                        p.strip_prefix(&prefix).is_some_and(|name| {
                            !name.contains('/') && !name.contains('.') && !name.ends_with('~')
                        })
                    })
                    .map(|p| p.to_string())
                    .collect()
            } else {
                vec![target]
            };
            next.extend(found.into_iter().filter(|p| queued.insert(p.clone())));
        }
        files.push(path);
        // Reverse so that the stack pops them in file order.
        pending.extend(next.into_iter().rev().map(|p| (p, depth + 1)));
    }
    files
}

/// The directory of an absolute path (`/etc` for `/etc/sudoers`).
fn parent_dir(path: &str) -> &str {
    match path.rsplit_once('/') {
        Some(("", _)) | None => "/",
        Some((dir, _)) => dir,
    }
}

fn sudo(scan: &mut Scan<'_>) {
    if scan.followed_facts(SUDOERS).is_none() {
        return;
    }
    let final_paths = scan.final_paths();
    let view: &Scan<'_> = scan;
    let files = sudo_files(
        SUDOERS,
        |p| match view.followed_facts(p) {
            Some((real, _, FileFacts::Sudoers(facts))) => Some((real, facts)),
            _ => None,
        },
        &final_paths,
    );
    let note = match installed(scan, &["/usr/bin/sudo", "/bin/sudo"]) {
        Some(path) => format!("sudo is installed ({path})"),
        None => "sudo is not installed: the rule applies once it is".to_string(),
    };
    for path in files {
        let Some((_, FileFacts::Sudoers(facts))) = scan.final_facts(&path) else {
            continue;
        };
        let grants = facts.grants.clone();
        for grant in grants {
            let origin = scan.origin(&path, &grant.fp);
            let severity = grant.all_commands.then_some(Severity::High);
            let what = match (grant.kind, grant.all_commands) {
                (GrantKind::Nopasswd, true) => "NOPASSWD for ALL commands",
                (GrantKind::Nopasswd, false) => "NOPASSWD for some commands",
                (GrantKind::NoAuthenticate, true) => "authentication off for all commands",
                (GrantKind::NoAuthenticate, false) => "authentication off for some commands",
            };
            if let Some(f) = scan.emit(
                "BL015",
                severity,
                Some(&path),
                Some(grant.line),
                origin,
                format!("{} ({what})", grant.text),
            ) {
                f.note = Some(note.clone());
            }
        }
    }
}

/// A directive with the file it is in and the `Match` it is under (its own, or the one
/// around the `Include` that brought its file in).
struct Effective {
    path: String,
    directive: SshdDirective,
    match_block: Option<String>,
}

/// At most this many directives (and included files) are expanded; a config that
/// includes itself in every file would otherwise grow exponentially with the depth.
const MAX_SSHD_DIRECTIVES: usize = 100_000;

/// Expands `Include`s in place. A file already on the include stack is skipped (a loop),
/// and a file already expanded under the same `Match` context adds nothing new (sshd keeps
/// the first value of each keyword), so each (file, context) is expanded once.
struct SshdExpander<'s, 'a> {
    scan: &'s Scan<'a>,
    final_paths: Vec<&'a str>,
    stack: Vec<String>,
    done: HashSet<(String, Option<String>)>,
    budget: usize,
    truncated: bool,
    out: Vec<Effective>,
}

impl<'s, 'a> SshdExpander<'s, 'a> {
    fn new(scan: &'s Scan<'a>) -> Self {
        SshdExpander {
            scan,
            final_paths: scan.final_paths(),
            stack: Vec::new(),
            done: HashSet::new(),
            budget: MAX_SSHD_DIRECTIVES,
            truncated: false,
            out: Vec::new(),
        }
    }

    fn spend(&mut self) -> bool {
        if self.budget == 0 {
            self.truncated = true;
            return false;
        }
        self.budget -= 1;
        true
    }

    fn expand(&mut self, path: &str, inherited: Option<&str>) {
        if self.stack.len() > MAX_INCLUDE_DEPTH || self.stack.iter().any(|p| p == path) {
            return;
        }
        if !self
            .done
            .insert((path.to_string(), inherited.map(str::to_string)))
        {
            return;
        }
        let scan = self.scan;
        // A symlinked file is read (and reported) where it points.
        let Some((real, _, FileFacts::Sshd(facts))) = scan.followed_facts(path) else {
            return;
        };
        let path = real.as_str();
        if self.stack.iter().any(|p| p == path) {
            return;
        }
        self.stack.push(path.to_string());
        for directive in &facts.directives {
            if !self.spend() {
                break;
            }
            let match_block = inherited
                .map(str::to_string)
                .or_else(|| directive.match_block.clone());
            if directive.keyword == INCLUDE {
                for arg in &directive.args {
                    let pattern = absolute("/etc/ssh", arg);
                    // `final_paths` is sorted, like glob(3)'s results.
                    let matched: Vec<&str> = self
                        .final_paths
                        .iter()
                        .copied()
                        .filter(|p| glob_match(&pattern, p))
                        .collect();
                    for included in matched {
                        self.expand(included, match_block.as_deref());
                    }
                }
                continue;
            }
            self.out.push(Effective {
                path: path.to_string(),
                directive: directive.clone(),
                match_block,
            });
        }
        self.stack.pop();
    }
}

fn sshd(scan: &mut Scan<'_>) {
    let Some((_, config_layer, _)) = scan.followed_facts(SSHD_CONFIG) else {
        return;
    };
    let mut expander = SshdExpander::new(scan);
    expander.expand(SSHD_CONFIG, None);
    let truncated = expander.truncated;
    let effective = expander.out;
    let mut note = match has_package(scan, &["openssh-server", "openssh-server-pam"])
        .or_else(|| installed(scan, &["/usr/sbin/sshd", "/sbin/sshd"]))
    {
        Some(what) => format!("sshd is installed ({what})"),
        None => "sshd is not installed: the settings apply if an SSH server is added".to_string(),
    };
    if truncated {
        note.push_str(&format!(
            "; Include expansion stopped after {MAX_SSHD_DIRECTIVES} directives, later ones were not read"
        ));
    }
    // (rule, keyword, value that is a finding, explicit severity).
    let checks = [
        ("BL016", PERMIT_ROOT_LOGIN, "yes"),
        ("BL017", PERMIT_EMPTY_PASSWORDS, "yes"),
        ("BL018", PASSWORD_AUTHENTICATION, "yes"),
    ];
    // Whether password logins are off for everyone: root login is then by key only.
    let passwords_off = effective
        .iter()
        .find(|e| e.directive.keyword == PASSWORD_AUTHENTICATION && applies_to_all(e))
        .is_some_and(|e| e.directive.value() == "no");
    for (rule, keyword, risky) in checks {
        let of_keyword: Vec<&Effective> = effective
            .iter()
            .filter(|e| e.directive.keyword == keyword)
            .collect();
        // sshd keeps the first value it reads.
        let global = of_keyword.iter().find(|e| applies_to_all(e));
        let mut reported = Vec::new();
        if let Some(e) = global {
            if e.directive.value() == risky {
                reported.push((*e, None));
            }
        } else if keyword == PASSWORD_AUTHENTICATION {
            if let Some(f) = scan.emit(
                rule,
                Some(Severity::Low),
                Some(SSHD_CONFIG),
                None,
                Some(config_layer),
                "PasswordAuthentication not set: OpenSSH's default is yes".to_string(),
            ) {
                f.note = Some(note.clone());
            }
        }
        let global_on = global.is_some_and(|e| e.directive.value() == risky);
        if !global_on {
            for e in of_keyword.iter().filter(|e| !applies_to_all(e)) {
                if e.directive.value() == risky {
                    reported.push((*e, e.match_block.clone()));
                }
            }
        }
        for (e, within) in reported {
            let origin = scan.origin(&e.path, &e.directive.fp);
            let default = crate::rules::rule(rule).map(|r| r.severity);
            let key_only = rule == "BL016" && passwords_off;
            // One step lower when only some clients get it, or root needs a key anyway.
            let severity = (within.is_some() || key_only)
                .then_some(default.map(Severity::lower))
                .flatten();
            let mut evidence = match &within {
                Some(criteria) => format!("{} (only inside `Match {criteria}`)", e.directive.text),
                None => e.directive.text.clone(),
            };
            if key_only {
                evidence.push_str(" (PasswordAuthentication no: root logs in with a key only)");
            }
            if let Some(f) = scan.emit(
                rule,
                severity,
                Some(&e.path),
                Some(e.directive.line),
                origin,
                evidence,
            ) {
                f.note = Some(note.clone());
            }
        }
    }
}

/// Whether a directive applies to every connection: outside any `Match` block, or inside
/// one whose criteria match everyone (`Match All`, `Match User *`, `Match Address *`).
fn applies_to_all(e: &Effective) -> bool {
    let Some(criteria) = &e.match_block else {
        return true;
    };
    let words: Vec<String> = criteria
        .split_whitespace()
        .map(|w| w.to_ascii_lowercase())
        .collect();
    match words.as_slice() {
        [all] if all == "all" => true,
        [] => false,
        pairs => {
            pairs.len() % 2 == 0
                && pairs
                    .chunks(2)
                    .all(|pair| pair[1].split(',').any(|v| v == "*"))
        }
    }
}

/// Packages of clear-text or unauthenticated network services, by name in the
/// distributions' spellings, and the daemons they install.
const SERVICE_PACKAGES: &[(&str, &str)] = &[
    ("telnetd", "telnet server"),
    ("inetutils-telnetd", "telnet server"),
    ("telnetd-ssl", "telnet server"),
    ("telnet-server", "telnet server"),
    ("krb5-telnetd", "telnet server"),
    ("rsh-server", "rsh/rlogin server"),
    ("rsh-redone-server", "rsh/rlogin server"),
    ("tftpd", "TFTP server"),
    ("tftpd-hpa", "TFTP server"),
    ("atftpd", "TFTP server"),
    ("tftp-server", "TFTP server"),
    ("xinetd", "inetd super-server"),
    ("openbsd-inetd", "inetd super-server"),
    ("inetutils-inetd", "inetd super-server"),
    ("rlinetd", "inetd super-server"),
    ("inetd", "inetd super-server"),
    ("ypserv", "NIS server"),
];

const SERVICE_DAEMONS: &[(&str, &str)] = &[
    ("/usr/sbin/in.telnetd", "telnet server"),
    ("/usr/sbin/telnetd", "telnet server"),
    ("/usr/sbin/in.rshd", "rsh server"),
    ("/usr/sbin/in.rlogind", "rlogin server"),
    ("/usr/sbin/in.rexecd", "rexec server"),
    ("/usr/sbin/in.tftpd", "TFTP server"),
    ("/usr/sbin/xinetd", "inetd super-server"),
    ("/usr/sbin/inetd", "inetd super-server"),
    ("/usr/sbin/ypserv", "NIS server"),
];

fn services(scan: &mut Scan<'_>) {
    let os_packages: Vec<_> = scan
        .inventory
        .iter()
        .flat_map(|i| &i.packages)
        .filter(|p| p.kind.is_os())
        .collect();
    if !os_packages.is_empty() {
        for package in os_packages {
            let Some((_, what)) = SERVICE_PACKAGES.iter().find(|(n, _)| *n == package.name) else {
                continue;
            };
            scan.emit(
                "BL025",
                None,
                Some(&package.found_in),
                None,
                package.layer.as_ref().map(|l| l.index),
                format!(
                    "{what}: package {} {} ({})",
                    package.name,
                    package.version,
                    package.kind.as_str()
                ),
            );
        }
        return;
    }
    // No package database: recognise the daemons themselves.
    let mut seen = BTreeSet::new();
    for (path, what) in SERVICE_DAEMONS {
        let Some(found) = installed(scan, &[path]) else {
            continue;
        };
        let real = scan.analysis.view.resolve(&found).unwrap_or(found.clone());
        if !seen.insert(real.clone()) {
            continue;
        }
        let layer = scan.node(&real).map(|n| n.layer);
        scan.emit(
            "BL025",
            None,
            Some(path),
            None,
            layer,
            format!("{what}: {path} (no package database)"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match(
            "/etc/ssh/sshd_config.d/*.conf",
            "/etc/ssh/sshd_config.d/50-cloud.conf"
        ));
        assert!(!glob_match(
            "/etc/ssh/sshd_config.d/*.conf",
            "/etc/ssh/sshd_config.d/a/b.conf"
        ));
        assert!(glob_match("/etc/ssh/x?", "/etc/ssh/x1"));
        assert!(!glob_match("/etc/ssh/x", "/etc/ssh/xy"));
        assert!(!glob_match(&"*".repeat(300), "a"));
        assert!(!glob_match(
            &"*a".repeat(100),
            &format!("{}b", "a".repeat(4000))
        ));
        assert!(glob_match("/etc/ssh/*", "/etc/ssh/sshd_config"));
    }
}
