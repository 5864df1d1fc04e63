//! Account databases: empty passwords, duplicate and extra UID 0 accounts, shared and weak
//! hashes, hashes in /etc/passwd, NIS compat lines (rules BL001–BL008).

use std::collections::BTreeMap;

use crate::accounts::{NisLine, PasswdEntry, Password, ShadowEntry};
use crate::facts::{FileFacts, GROUP, PASSWD, SHADOW};
use crate::findings::Scan;

pub(super) fn check(scan: &mut Scan<'_>) {
    let passwd: Option<(Vec<PasswdEntry>, Vec<NisLine>)> = match scan.final_facts(PASSWD) {
        Some((_, FileFacts::Passwd { entries, nis })) => Some((entries.clone(), nis.clone())),
        _ => None,
    };
    let shadow: Option<(Vec<ShadowEntry>, Vec<NisLine>)> = match scan.final_facts(SHADOW) {
        Some((_, FileFacts::Shadow { entries, nis })) => Some((entries.clone(), nis.clone())),
        _ => None,
    };
    let shell_of = |name: &str| -> Option<String> {
        passwd
            .as_ref()?
            .0
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.shell.clone())
    };

    if let Some((entries, nis)) = &shadow {
        for entry in entries {
            let origin = scan.origin(SHADOW, &entry.fp);
            if entry.password == Password::Empty {
                let shell = shell_of(&entry.name);
                if let Some(f) = scan.emit(
                    "BL001",
                    None,
                    Some(SHADOW),
                    Some(entry.line),
                    origin,
                    format!("{} (account {:?} has no password)", entry.text, entry.name),
                ) {
                    f.note = Some(match shell {
                        Some(shell) if !shell.is_empty() => format!("login shell {shell}"),
                        Some(_) => "login shell /bin/sh (empty field)".to_string(),
                        None => "no /etc/passwd entry for the account".to_string(),
                    });
                }
            }
            if let Password::Hash(hash) = &entry.password {
                if let Some(weakness) = &hash.weakness {
                    scan.emit(
                        "BL006",
                        None,
                        Some(SHADOW),
                        Some(entry.line),
                        origin,
                        format!("{} ({}: {weakness})", entry.text, hash.algorithm),
                    );
                }
            }
        }
        nis_findings(scan, SHADOW, nis);
    }

    if let Some((entries, nis)) = &passwd {
        for entry in entries {
            let origin = scan.origin(PASSWD, &entry.fp);
            match &entry.password {
                Password::Empty => {
                    scan.emit(
                        "BL001",
                        None,
                        Some(PASSWD),
                        Some(entry.line),
                        origin,
                        format!(
                            "{} (empty password field in /etc/passwd: /etc/shadow is not consulted)",
                            entry.text
                        ),
                    );
                }
                password => {
                    if let Some(hash) = password.hash() {
                        scan.emit(
                            "BL007",
                            None,
                            Some(PASSWD),
                            Some(entry.line),
                            origin,
                            format!(
                                "{} ({} hash readable by every user)",
                                entry.text, hash.algorithm
                            ),
                        );
                        if let (Password::Hash(_), Some(weakness)) = (password, &hash.weakness) {
                            scan.emit(
                                "BL006",
                                None,
                                Some(PASSWD),
                                Some(entry.line),
                                origin,
                                format!("{} ({}: {weakness})", entry.text, hash.algorithm),
                            );
                        }
                    }
                }
            }
            if entry.uid == Some(0) && entry.name != "root" {
                scan.emit(
                    "BL003",
                    None,
                    Some(PASSWD),
                    Some(entry.line),
                    origin,
                    entry.text.clone(),
                );
            }
        }
        let rows: Vec<AccountRow> = entries
            .iter()
            .map(|e| AccountRow {
                id: e.uid,
                name: &e.name,
                line: e.line,
                fp: &e.fp,
            })
            .collect();
        shared_ids_and_names(scan, "BL002", PASSWD, ("UID", "user name"), &rows);
        nis_findings(scan, PASSWD, nis);
    }

    // Several accounts with one hash, across both files.
    let mut by_hash: BTreeMap<String, Vec<HashHolder<'_>>> = BTreeMap::new();
    let shadow_entries = shadow.iter().flat_map(|(entries, _)| entries);
    let holders = shadow_entries
        .map(|e| (e.name.as_str(), e.line, e.fp.as_str(), &e.password, SHADOW))
        .chain(
            passwd
                .iter()
                .flat_map(|(entries, _)| entries)
                .map(|e| (e.name.as_str(), e.line, e.fp.as_str(), &e.password, PASSWD)),
        );
    for (name, line, fp, password, path) in holders {
        if let Some(hash) = password.hash() {
            by_hash
                .entry(hash.fingerprint.clone())
                .or_default()
                .push(HashHolder {
                    name,
                    line,
                    fp,
                    scheme: hash.scheme.clone(),
                    path,
                });
        }
    }
    for accounts in by_hash.values().filter(|a| a.len() > 1) {
        let mut names: Vec<&str> = Vec::new();
        for holder in accounts {
            if !names.contains(&holder.name) {
                names.push(holder.name);
            }
        }
        if names.len() < 2 {
            continue;
        }
        let path = accounts[0].path;
        let (line, origin) = latest(
            scan,
            path,
            accounts
                .iter()
                .filter(|a| a.path == path)
                .map(|a| (a.line, a.fp)),
        );
        scan.emit(
            "BL005",
            None,
            Some(path),
            Some(line),
            origin,
            format!(
                "accounts {} share one {}\u{2026} hash",
                names.join(", "),
                accounts[0].scheme
            ),
        );
    }

    if let Some((_, FileFacts::Group { entries, nis })) = scan.final_facts(GROUP) {
        let (entries, nis) = (entries.clone(), nis.clone());
        let rows: Vec<AccountRow> = entries
            .iter()
            .map(|e| AccountRow {
                id: e.gid,
                name: &e.name,
                line: e.line,
                fp: &e.fp,
            })
            .collect();
        shared_ids_and_names(scan, "BL004", GROUP, ("GID", "group name"), &rows);
        nis_findings(scan, GROUP, &nis);
    }
}

/// An account whose password field holds a hash.
struct HashHolder<'e> {
    name: &'e str,
    line: usize,
    fp: &'e str,
    scheme: String,
    path: &'static str,
}

/// Groups of two or more items with the same key, in key order.
fn duplicates<'e, T>(items: impl Iterator<Item = (String, &'e T)>) -> Vec<(String, Vec<&'e T>)> {
    let mut groups: BTreeMap<String, Vec<&T>> = BTreeMap::new();
    for (key, item) in items {
        groups.entry(key).or_default().push(item);
    }
    groups.into_iter().filter(|(_, v)| v.len() > 1).collect()
}

/// One line of /etc/passwd or /etc/group, as the duplicate checks see it.
struct AccountRow<'e> {
    id: Option<u64>,
    name: &'e str,
    line: usize,
    fp: &'e str,
}

/// `rule` for every id, and every name, that more than one line of `path` holds; `words`
/// name them in the evidence (`("UID", "user name")`).
fn shared_ids_and_names(
    scan: &mut Scan<'_>,
    rule: &str,
    path: &str,
    words: (&str, &str),
    rows: &[AccountRow<'_>],
) {
    let by_id = duplicates(rows.iter().filter_map(|r| Some((r.id?.to_string(), r))));
    for (id, dups) in by_id {
        let (line, origin) = latest(scan, path, dups.iter().map(|r| (r.line, r.fp)));
        let names: Vec<String> = dups
            .iter()
            .map(|r| format!("{} (line {})", r.name, r.line))
            .collect();
        let evidence = format!("{} {id} shared by {}", words.0, names.join(", "));
        scan.emit(rule, None, Some(path), Some(line), origin, evidence);
    }
    let by_name = duplicates(rows.iter().map(|r| (r.name.to_string(), r)));
    for (name, dups) in by_name {
        let (line, origin) = latest(scan, path, dups.iter().map(|r| (r.line, r.fp)));
        let lines: Vec<String> = dups.iter().map(|r| r.line.to_string()).collect();
        let evidence = format!("{} {name:?} on lines {}", words.1, lines.join(", "));
        scan.emit(rule, None, Some(path), Some(line), origin, evidence);
    }
}

/// Of several lines, the one added last (the one that made the duplicate): its line
/// number and layer.
fn latest<'l>(
    scan: &Scan<'_>,
    path: &str,
    lines: impl Iterator<Item = (usize, &'l str)>,
) -> (usize, Option<usize>) {
    lines
        .map(|(line, fp)| (line, scan.origin(path, fp)))
        .max_by_key(|(line, origin)| (*origin, *line))
        .unwrap_or((0, None))
}

fn nis_findings(scan: &mut Scan<'_>, path: &str, lines: &[NisLine]) {
    for nis in lines.iter().filter(|n| n.text.starts_with('+')) {
        let origin = scan.origin(path, &nis.fp);
        scan.emit(
            "BL008",
            None,
            Some(path),
            Some(nis.line),
            origin,
            nis.text.clone(),
        );
    }
}
