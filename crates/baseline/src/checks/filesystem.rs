//! The final filesystem's listing: set-uid/set-gid files, world-writable paths, modes of
//! the account databases, files that should not ship, caches, ld.so.preload and trust
//! files (rules BL009–BL014, BL019–BL024, BL026, BL031).

use std::collections::{BTreeMap, HashMap};

use drydock_image::view::FileNode;
use drydock_image::FileKind;

use crate::facts::{
    authorized_keys_home, FileFacts, GROUP, GSHADOW, HOST_TRUST_FILES, LD_SO_PRELOAD, PASSWD,
    ROOT_AUTHORIZED_KEYS, SHADOW, USER_TRUST_FILES,
};
use crate::findings::Scan;
use crate::rules::Severity;
use crate::stock::{self, canonical, Family};

/// Programs that hand out a shell or run arbitrary code: set-uid, any user becomes root.
const SHELL_LIKE: &[&str] = &[
    "sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "pdksh", "csh", "tcsh", "fish", "busybox",
    "toybox", "python", "perl", "ruby", "node", "nodejs", "php", "lua", "luajit", "tclsh", "wish",
    "expect", "env", "find", "vim", "vi", "nvim", "nano", "less", "more", "awk", "gawk", "mawk",
    "nawk", "socat", "nc", "ncat", "gdb", "strace", "xargs", "cp", "tar", "rsync", "docker",
];

/// Where an image's shells usually are, to spot copies of them by size.
const SHELL_PATHS: &[&str] = &[
    "/bin/sh",
    "/bin/bash",
    "/bin/dash",
    "/bin/ash",
    "/bin/busybox",
    "/bin/zsh",
    "/usr/bin/bash",
    "/usr/bin/dash",
    "/usr/bin/zsh",
    "/usr/bin/python3",
    "/usr/bin/perl",
];

/// Templates of `.env`; everything else named `.env*` holds real values.
const ENV_TEMPLATES: &[&str] = &[
    "example", "sample", "template", "dist", "defaults", "default", "schema", "tpl", "tmpl",
];

/// Why a name says "shell": the first token of the file name (split at `-`, `_`, `.`,
/// digits trimmed) that names a shell or interpreter.
fn shell_token(path: &str) -> Option<&'static str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.split(['-', '_', '.'])
        .map(|t| t.trim_end_matches(|c: char| c.is_ascii_digit()))
        .find_map(|token| SHELL_LIKE.iter().find(|s| **s == token).copied())
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn mode_string(node: &FileNode) -> String {
    format!(
        "mode {:04o} owner {}:{}",
        node.entry.mode & 0o7777,
        node.entry.uid,
        node.entry.gid
    )
}

/// The cache directory a path belongs to, when it is a package manager's.
fn cache_root(path: &str) -> Option<String> {
    const SYSTEM: &[(&str, &str)] = &[
        ("/var/lib/apt/lists/", "apt lists"),
        ("/var/cache/apt/", "apt cache"),
        ("/var/cache/apk/", "apk cache"),
        ("/etc/apk/cache/", "apk cache"),
        ("/var/cache/yum/", "yum cache"),
        ("/var/cache/dnf/", "dnf cache"),
        ("/var/cache/zypp/", "zypper cache"),
        ("/usr/local/share/.cache/yarn/", "yarn cache"),
    ];
    for (prefix, _) in SYSTEM {
        if path.starts_with(prefix) {
            let name = file_name(path);
            // Lock files are no cache content.
            if name == "lock" || name.ends_with(".lock") {
                return None;
            }
            return Some(prefix.trim_end_matches('/').to_string());
        }
    }
    // Per-user caches: /root/… and /home/NAME/…
    let (home, rest) = if let Some(rest) = path.strip_prefix("/root/") {
        ("/root".to_string(), rest)
    } else {
        let rest = path.strip_prefix("/home/")?;
        let (user, rest) = rest.split_once('/')?;
        (format!("/home/{user}"), rest)
    };
    for dir in [
        ".cache/pip/",
        ".npm/_cacache/",
        ".cache/yarn/",
        ".yarn/cache/",
        ".cache/pnpm/",
    ] {
        if rest.starts_with(dir) {
            return Some(format!("{home}/{}", dir.trim_end_matches('/')));
        }
    }
    None
}

/// Version-control metadata directories and editor leftovers.
fn junk_kind(node: &FileNode) -> Option<&'static str> {
    let name = file_name(&node.entry.path);
    match name {
        ".git" => Some("git metadata"),
        ".svn" | ".hg" if node.entry.kind == FileKind::Dir => Some("version-control metadata"),
        ".DS_Store" => Some("macOS Finder metadata"),
        _ if node.entry.kind == FileKind::Dir => None,
        _ if name.starts_with('.')
            && (name.ends_with(".swp") || name.ends_with(".swo") || name.ends_with(".swn")) =>
        {
            Some("vim swap file")
        }
        _ if name.len() > 1 && name.ends_with('~') => Some("editor backup"),
        _ if name.len() > 2 && name.starts_with('#') && name.ends_with('#') => {
            Some("emacs auto-save file")
        }
        _ => None,
    }
}

fn env_file(name: &str) -> bool {
    match name.strip_prefix(".env") {
        Some("") => true,
        Some(rest) => rest
            .strip_prefix('.')
            .is_some_and(|suffix| !suffix.is_empty() && !ENV_TEMPLATES.contains(&suffix)),
        None => false,
    }
}

#[derive(Default)]
struct Total {
    size: u64,
    files: usize,
    by_layer: BTreeMap<usize, u64>,
}

impl Total {
    fn add(&mut self, node: &FileNode) {
        self.size += node.entry.size;
        self.files += 1;
        *self.by_layer.entry(node.layer).or_default() += node.entry.size;
    }

    /// The layer that put the most bytes there (the latest one on a tie).
    fn main_layer(&self) -> Option<usize> {
        self.by_layer
            .iter()
            .max_by_key(|(layer, size)| (**size, **layer))
            .map(|(layer, _)| *layer)
    }
}

fn human(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / f64::from(1 << 20)),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}

/// Which installed OS package owns each file (merged-/usr form), from the inventory.
fn package_owners(scan: &Scan<'_>) -> HashMap<String, String> {
    let mut owners = HashMap::new();
    for package in scan.inventory.iter().flat_map(|i| &i.packages) {
        if !package.kind.is_os() {
            continue;
        }
        for file in &package.files {
            owners.insert(canonical(file), package.name.clone());
        }
    }
    owners
}

pub(super) fn check(scan: &mut Scan<'_>) {
    let family = scan
        .inventory
        .and_then(|i| i.os.as_ref())
        .map(|os| (os.family.clone(), Family::of(&os.family)));
    let owners = package_owners(scan);
    // Whose home each authorized_keys sits in, for BL031.
    let mut accounts_by_home: HashMap<String, Vec<String>> = HashMap::new();
    if let Some((_, FileFacts::Passwd { entries, .. })) = scan.final_facts(PASSWD) {
        for entry in entries {
            let home = entry.home.trim_end_matches('/');
            let home = if home.is_empty() { "/" } else { home };
            accounts_by_home
                .entry(home.to_string())
                .or_default()
                .push(entry.name.clone());
        }
    }
    let view = &scan.analysis.view;

    // Sizes of the image's own shells, to recognise renamed copies.
    let shells: Vec<(String, u64)> = SHELL_PATHS
        .iter()
        .filter_map(|p| {
            let real = view.resolve(p).ok()?;
            let node = view.get(&real)?;
            (node.entry.kind == FileKind::File && node.entry.size > 0)
                .then_some((real, node.entry.size))
        })
        .collect();

    let mut junk_dirs: Vec<(String, &'static str, Total, usize)> = Vec::new();
    // Path of each junk directory to its index in `junk_dirs`.
    let mut junk_index: HashMap<String, usize> = HashMap::new();
    let mut caches: BTreeMap<String, Total> = BTreeMap::new();
    let nodes: Vec<&FileNode> = view.files().collect();
    for node in nodes {
        let path = node.entry.path.as_str();
        if ["/proc/", "/sys/", "/dev/"]
            .iter()
            .any(|p| path.starts_with(p))
        {
            continue;
        }
        let mode = node.entry.mode & 0o7777;
        let kind = node.entry.kind;
        let regular = matches!(kind, FileKind::File | FileKind::Hardlink);

        if regular && mode & 0o6000 != 0 {
            setid(scan, node, family.as_ref(), &owners, &shells);
        }
        if regular && mode & 0o002 != 0 {
            scan.emit(
                "BL013",
                None,
                Some(path),
                None,
                Some(node.layer),
                mode_string(node),
            );
        }
        if kind == FileKind::Dir && mode & 0o002 != 0 && mode & 0o1000 == 0 {
            scan.emit(
                "BL014",
                None,
                Some(path),
                None,
                Some(node.layer),
                mode_string(node),
            );
        }

        // One lookup per ancestor directory, not one comparison per junk directory.
        let within = path
            .match_indices('/')
            .skip(1)
            .find_map(|(at, _)| junk_index.get(&path[..at]).copied());
        if let Some(index) = within {
            if regular {
                junk_dirs[index].2.add(node);
            }
            continue;
        }
        if let Some(what) = junk_kind(node) {
            if !owners.contains_key(&canonical(path)) {
                if kind == FileKind::Dir {
                    junk_index.insert(path.to_string(), junk_dirs.len());
                    junk_dirs.push((path.to_string(), what, Total::default(), node.layer));
                } else {
                    let evidence = format!("{what}, {} bytes", node.entry.size);
                    if let Some(f) =
                        scan.emit("BL022", None, Some(path), None, Some(node.layer), evidence)
                    {
                        f.size = Some(node.entry.size);
                    }
                }
            }
        }
        if regular && env_file(file_name(path)) {
            let dir = &path[..path.len() - file_name(path).len()];
            let template = ["example", "sample", "template", "dist"]
                .iter()
                .map(|t| format!("{dir}.env.{t}"))
                .find(|p| view.get(p).is_some());
            let evidence = match &template {
                Some(t) => format!("{} bytes, beside the template {t}", node.entry.size),
                None => format!("{} bytes", node.entry.size),
            };
            if let Some(f) = scan.emit("BL023", None, Some(path), None, Some(node.layer), evidence)
            {
                f.size = Some(node.entry.size);
            }
        }
        if regular {
            if let Some(root) = cache_root(path) {
                caches.entry(root).or_default().add(node);
            }
        }
        // Symlinks count too: rshd and sshd follow them.
        let trusted = regular || kind == FileKind::Symlink;
        if trusted
            && (HOST_TRUST_FILES.contains(&path) || USER_TRUST_FILES.contains(&file_name(path)))
        {
            trust_file(scan, node, "BL020", None);
        }
        if trusted && ROOT_AUTHORIZED_KEYS.contains(&path) {
            trust_file(scan, node, "BL021", None);
        } else if let Some(home) = authorized_keys_home(path).filter(|_| trusted) {
            let account = accounts_by_home
                .get(home)
                .map(|names| format!("the home of {}", names.join(", ")))
                .unwrap_or_else(|| format!("{home}, no account's home"));
            trust_file(scan, node, "BL031", Some(&account));
        }
    }

    for (path, what, total, layer) in junk_dirs {
        let layer = total.main_layer().unwrap_or(layer);
        let evidence = format!("{what}: {} files, {}", total.files, human(total.size));
        if let Some(f) = scan.emit("BL022", None, Some(&path), None, Some(layer), evidence) {
            f.size = Some(total.size);
        }
    }
    for (root, total) in caches {
        if total.size == 0 {
            continue;
        }
        let evidence = format!(
            "{} files, {} ({} bytes)",
            total.files,
            human(total.size),
            total.size
        );
        if let Some(f) = scan.emit(
            "BL024",
            None,
            Some(&root),
            None,
            total.main_layer(),
            evidence,
        ) {
            f.size = Some(total.size);
        }
    }

    preload(scan);
    account_db_modes(scan);
}

fn setid(
    scan: &mut Scan<'_>,
    node: &FileNode,
    family: Option<&(String, Option<Family>)>,
    owners: &HashMap<String, String>,
    shells: &[(String, u64)],
) {
    let path = node.entry.path.as_str();
    let mode = node.entry.mode & 0o7777;
    let setuid = mode & 0o4000 != 0;
    let bits = match (setuid, mode & 0o2000 != 0) {
        (true, true) => "set-uid and set-gid",
        (true, false) => "set-uid",
        _ => "set-gid",
    };
    let copy_of = shells
        .iter()
        .find(|(shell, size)| shell != path && *size == node.entry.size)
        .map(|(shell, _)| shell.as_str());
    let token = shell_token(path);
    if token.is_some() || copy_of.is_some() {
        let mut why = Vec::new();
        if let Some(token) = token {
            why.push(format!("name says `{token}`"));
        }
        if let Some(shell) = copy_of {
            why.push(format!("same size as {shell} ({} bytes)", node.entry.size));
        }
        let severity = if setuid {
            Severity::Critical
        } else {
            Severity::High
        };
        scan.emit(
            "BL009",
            Some(severity),
            Some(path),
            None,
            Some(node.layer),
            format!(
                "{bits} shell or interpreter, {}: {}",
                mode_string(node),
                why.join("; ")
            ),
        );
        return;
    }
    let known_family = family.and_then(|(_, f)| *f);
    if let Some((found_in, stock)) = stock::lookup(known_family, path, mode) {
        let from = match family {
            Some((name, Some(_))) => name.clone(),
            // A known distribution without a table of its own: say which table matched.
            Some((name, None)) => format!("{} (no stock list for {name})", found_in.name()),
            None => format!("{} (distribution not identified)", found_in.name()),
        };
        scan.emit(
            "BL012",
            None,
            Some(path),
            None,
            Some(node.layer),
            format!(
                "{bits}, {}: stock in {from}, package {}",
                mode_string(node),
                stock.package
            ),
        );
        return;
    }
    let owner = owners.get(&canonical(path));
    let (rule, severity) = match (setuid, owner.is_some()) {
        (true, false) => ("BL010", Severity::High),
        (true, true) => ("BL010", Severity::Medium),
        (false, false) => ("BL011", Severity::Medium),
        (false, true) => ("BL011", Severity::Low),
    };
    if let Some(f) = scan.emit(
        rule,
        Some(severity),
        Some(path),
        None,
        Some(node.layer),
        format!("{bits}, {}", mode_string(node)),
    ) {
        f.note = Some(match owner {
            Some(package) => format!("shipped by the installed package {package}"),
            None => "not owned by any installed OS package".to_string(),
        });
    }
}

/// A trust file's finding; `whose` (whose home it is) ends the evidence.
fn trust_file(scan: &mut Scan<'_>, node: &FileNode, rule: &str, whose: Option<&str>) {
    let path = node.entry.path.as_str();
    // A symlink: the target's facts when it was parsed, else the link itself is reported.
    let link = if node.entry.kind == FileKind::Symlink {
        match scan.symlink_target(path) {
            Some((real, target))
                if matches!(target.entry.kind, FileKind::File | FileKind::Hardlink) =>
            {
                Some((real, target.entry.size))
            }
            _ => return,
        }
    } else {
        None
    };
    let facts = scan.followed_facts(path).map(|(_, _, f)| f.clone());
    let (severity, evidence) = match (facts, &link) {
        (None, Some((real, size))) => (
            None,
            format!("a symlink to {real} ({size} bytes; the target's content was not read)"),
        ),
        (facts, _) => trust_evidence(facts, node, rule),
    };
    let evidence = match (&link, evidence) {
        (Some((real, _)), e) if !e.starts_with("a symlink") => {
            format!("{e} (via a symlink to {real})")
        }
        (_, e) => e,
    };
    let evidence = match whose {
        Some(whose) => format!("{evidence}; {whose}"),
        None => evidence,
    };
    scan.emit(rule, severity, Some(path), None, Some(node.layer), evidence);
}

fn trust_evidence(
    facts: Option<FileFacts>,
    node: &FileNode,
    rule: &str,
) -> (Option<Severity>, String) {
    match facts {
        Some(FileFacts::Trust {
            entries,
            wildcard,
            key_types,
        }) => {
            if entries == 0 {
                (Some(Severity::Low), "present, no entries".to_string())
            } else if rule == "BL021" || rule == "BL031" {
                (None, format!("{entries} key(s): {}", key_types.join(", ")))
            } else if wildcard {
                (
                    None,
                    format!("{entries} entries, one a bare `+`: trusts every host"),
                )
            } else {
                (None, format!("{entries} entries"))
            }
        }
        _ => (None, format!("present, {} bytes", node.entry.size)),
    }
}

fn preload(scan: &mut Scan<'_>) {
    let Some(node) = scan.node(LD_SO_PRELOAD) else {
        return;
    };
    let layer = node.layer;
    // glibc follows a symlink; its target is not parsed (only wanted paths are), so the
    // link itself is the finding, at full severity.
    if node.entry.kind == FileKind::Symlink {
        let Some((real, target)) = scan.symlink_target(LD_SO_PRELOAD) else {
            return;
        };
        if !matches!(target.entry.kind, FileKind::File | FileKind::Hardlink) {
            return;
        }
        let evidence = format!(
            "a symlink to {real} ({} bytes; the target's content was not read)",
            target.entry.size
        );
        scan.emit(
            "BL019",
            None,
            Some(LD_SO_PRELOAD),
            None,
            Some(layer),
            evidence,
        );
        return;
    }
    if !matches!(node.entry.kind, FileKind::File | FileKind::Hardlink) {
        return;
    }
    let (severity, evidence) = match scan.final_facts(LD_SO_PRELOAD) {
        Some((_, FileFacts::Preload { libraries })) if libraries.is_empty() => {
            (Some(Severity::Low), "present, lists no library".to_string())
        }
        Some((_, FileFacts::Preload { libraries })) => {
            (None, format!("preloads {}", libraries.join(", ")))
        }
        _ => (None, format!("present, {} bytes", node.entry.size)),
    };
    scan.emit(
        "BL019",
        severity,
        Some(LD_SO_PRELOAD),
        None,
        Some(layer),
        evidence,
    );
}

fn account_db_modes(scan: &mut Scan<'_>) {
    for path in [PASSWD, GROUP, SHADOW, GSHADOW] {
        let Some(node) = scan.node(path) else {
            continue;
        };
        if node.entry.kind != FileKind::File {
            continue;
        }
        let mode = node.entry.mode & 0o7777;
        let secret = path == SHADOW || path == GSHADOW;
        let mut problems = Vec::new();
        if node.entry.uid != 0 {
            problems.push(format!("owned by uid {}", node.entry.uid));
        }
        if secret {
            if mode & 0o004 != 0 {
                problems.push("readable by others".to_string());
            }
            if mode & 0o020 != 0 {
                problems.push("group-writable".to_string());
            }
            if mode & 0o003 != 0 {
                problems.push("writable or executable by others".to_string());
            }
        } else if mode & 0o022 != 0 {
            problems.push("writable by group or others".to_string());
        }
        if problems.is_empty() {
            continue;
        }
        let severity =
            (secret && mode & 0o004 != 0 || !secret && mode & 0o002 != 0).then_some(Severity::High);
        let evidence = format!("{}: {}", mode_string(node), problems.join(", "));
        scan.emit(
            "BL026",
            severity,
            Some(path),
            None,
            Some(node.layer),
            evidence,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_names() {
        assert_eq!(shell_token("/usr/local/bin/sh-root"), Some("sh"));
        assert_eq!(shell_token("/tmp/python3.11"), Some("python"));
        assert_eq!(shell_token("/usr/bin/bash"), Some("bash"));
        assert_eq!(shell_token("/usr/lib/openssh/ssh-keysign"), None);
        assert_eq!(shell_token("/usr/bin/chsh"), None);
        assert_eq!(shell_token("/usr/sbin/unix_chkpwd"), None);
    }

    #[test]
    fn env_names() {
        assert!(env_file(".env"));
        assert!(env_file(".env.production"));
        assert!(!env_file(".env.example"));
        assert!(!env_file(".envrc"));
        assert!(!env_file("env"));
    }

    #[test]
    fn cache_roots() {
        assert_eq!(
            cache_root("/var/lib/apt/lists/deb_dists_bookworm_InRelease").as_deref(),
            Some("/var/lib/apt/lists")
        );
        assert_eq!(cache_root("/var/lib/apt/lists/lock"), None);
        assert_eq!(
            cache_root("/home/app/.cache/pip/http/a/b").as_deref(),
            Some("/home/app/.cache/pip")
        );
        assert_eq!(
            cache_root("/root/.npm/_cacache/index-v5/x").as_deref(),
            Some("/root/.npm/_cacache")
        );
        assert_eq!(cache_root("/root/.bashrc"), None);
    }
}
