//! The fix: one package-manager command for every fixable OS finding, with what it changes;
//! and for each application package, the nearest version that fixes all its findings.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use drydock_inventory::{Inventory, OsInfo, PackageKind};
use drydock_vulndb::version::VersionOrder;
use drydock_vulndb::RangeEvent;

use crate::distro::{DistroFeed, PackageManager};
use crate::model::{AppFix, FindingStatus, OsFix, PackageChange, Vulnerability};
use crate::{evaluate, MatchedRow};

/// What a source package is, for the impact of upgrading it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    CLibrary,
    Tls,
    Init,
    KernelTools,
    Auth,
}

fn role(name: &str) -> Option<Role> {
    let n = name.to_ascii_lowercase();
    let is = |names: &[&str]| names.iter().any(|x| n == *x);
    if is(&[
        "glibc",
        "libc6",
        "libc-bin",
        "glibc-common",
        "glibc-minimal-langpack",
        "musl",
        "eglibc",
    ]) {
        Some(Role::CLibrary)
    } else if is(&[
        "openssl",
        "openssl3",
        "openssl-libs",
        "libssl3",
        "libssl1.1",
        "libssl3t64",
        "libcrypto3",
        "libssl",
        "gnutls28",
        "gnutls",
        "libgnutls30",
        "nss",
        "libnss3",
        "mbedtls",
        "libressl",
        "wolfssl",
    ]) {
        Some(Role::Tls)
    } else if is(&[
        "systemd",
        "systemd-libs",
        "libsystemd0",
        "sysvinit",
        "openrc",
        "upstart",
        "runit",
    ]) {
        Some(Role::Init)
    } else if is(&[
        "util-linux",
        "procps",
        "procps-ng",
        "kmod",
        "iproute2",
        "iptables",
        "nftables",
        "libseccomp",
        "libcap2",
        "libcap",
        "e2fsprogs",
    ]) {
        Some(Role::KernelTools)
    } else if is(&[
        "pam",
        "linux-pam",
        "shadow",
        "sudo",
        "openssh",
        "libpam-modules",
    ]) {
        Some(Role::Auth)
    } else {
        None
    }
}

fn shell_quote(word: &str) -> String {
    if word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.+:/=@".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

pub(crate) fn eol_notice(label: &str, os: &OsInfo, successor: Option<(String, String)>) -> String {
    let since = os
        .eol_date
        .as_deref()
        .map(|d| format!(" on {d}"))
        .unwrap_or_default();
    let family = label.rsplit_once(' ').map_or(label, |(f, _)| f);
    match successor {
        Some((version, until)) => format!(
            "{label} reached end of life{since}: the distribution publishes no more fixes, so findings without a fix stay unfixed; move to {family} {version} (supported until {until})"
        ),
        None => format!(
            "{label} reached end of life{since}: the distribution publishes no more fixes; move to a supported release"
        ),
    }
}

/// The command that fixes every fixable OS finding at once.
pub(crate) fn os_fix(
    feed: &DistroFeed,
    inventory: &Inventory,
    findings: &[(&Vulnerability, &[MatchedRow])],
) -> Option<OsFix> {
    let manager = feed.manager?;
    // Per matched name (source package for Debian/Ubuntu/Alpine, binary for RPM): the
    // version that fixes all of its findings = the highest of each finding's lowest fix.
    let mut targets: BTreeMap<String, (String, &'static dyn VersionOrder)> = BTreeMap::new();
    let mut fixes = 0;
    for (v, rows) in findings {
        if v.status != FindingStatus::Fixed {
            continue;
        }
        let (Some(lowest), Some(row)) = (v.fixed_versions.first(), rows.first()) else {
            continue;
        };
        fixes += 1;
        let key = match feed.kind {
            PackageKind::Rpm => v.package.name.clone(),
            _ => v
                .package
                .source_name
                .clone()
                .unwrap_or_else(|| v.package.name.clone()),
        };
        let order = row.order;
        match targets.get_mut(&key) {
            Some((current, _)) => {
                if order
                    .compare(lowest, current)
                    .map(Ordering::is_gt)
                    .unwrap_or(false)
                {
                    *current = lowest.clone();
                }
            }
            None => {
                targets.insert(key, (lowest.clone(), order));
            }
        }
    }
    if targets.is_empty() {
        return None;
    }

    // Every installed binary package of a vulnerable source moves together.
    let mut changes: Vec<PackageChange> = Vec::new();
    let mut roles: Vec<Role> = Vec::new();
    for package in inventory.packages.iter().filter(|p| p.kind == feed.kind) {
        let key = match feed.kind {
            PackageKind::Rpm => package.name.clone(),
            _ => package
                .source_name
                .clone()
                .unwrap_or_else(|| package.name.clone()),
        };
        let Some((target, _)) = targets.get(&key) else {
            continue;
        };
        if changes.iter().any(|c| c.name == package.name) {
            continue;
        }
        for name in [&package.name, &key] {
            if let Some(r) = role(name) {
                if !roles.contains(&r) {
                    roles.push(r);
                }
            }
        }
        changes.push(PackageChange {
            name: package.name.clone(),
            installed: package.version.clone(),
            target: target.clone(),
        });
    }
    if changes.is_empty() {
        return None;
    }
    changes.sort_by(|a, b| a.name.cmp(&b.name));
    let names: Vec<String> = changes.iter().map(|c| shell_quote(&c.name)).collect();
    let (command, cleanup) = match manager {
        PackageManager::Apt => (
            format!(
                "apt-get update && apt-get install -y --only-upgrade {}",
                names.join(" ")
            ),
            " && rm -rf /var/lib/apt/lists/*",
        ),
        PackageManager::Apk => {
            // apk takes version constraints: pin each package to at least its fix.
            let pinned: Vec<String> = changes
                .iter()
                .map(|c| shell_quote(&format!("{}>={}", c.name, c.target)))
                .collect();
            (
                format!("apk add --no-cache --upgrade {}", pinned.join(" ")),
                "",
            )
        }
        PackageManager::Yum => (
            format!("yum update -y {}", names.join(" ")),
            " && yum clean all",
        ),
        PackageManager::Dnf => (
            format!("dnf upgrade -y {}", names.join(" ")),
            " && dnf clean all",
        ),
        PackageManager::Tdnf => (
            format!("tdnf update -y {}", names.join(" ")),
            " && tdnf clean all",
        ),
        PackageManager::Zypper => (
            format!("zypper --non-interactive update {}", names.join(" ")),
            " && zypper clean --all",
        ),
    };
    let dockerfile = format!("RUN {command}{cleanup}");

    let mut impact = vec![format!(
        "{} installed package{} change{} ({} source package{} with fixes), fixing {} finding{}",
        changes.len(),
        plural(changes.len()),
        if changes.len() == 1 { "s" } else { "" },
        targets.len(),
        plural(targets.len()),
        fixes,
        plural(fixes)
    )];
    roles.sort();
    for r in roles {
        impact.push(
            match r {
                Role::CLibrary => "touches the C library: every program links it — restart every service; prefer rebuilding the image to patching a running container",
                Role::Tls => "touches the TLS library: services that terminate or make TLS connections must restart to load it",
                Role::Init => "touches init / the service manager: restart the container after upgrading",
                Role::KernelTools => "touches userland tools that talk to the kernel (mount, process, network or capability tools): check scripts that call them",
                Role::Auth => "touches the login and authentication stack: check sshd/sudo/PAM configuration still applies after the upgrade",
            }
            .to_string(),
        );
    }
    impact.push(format!(
        "bake the fix into the image: add `{dockerfile}` after the last FROM of the Dockerfile and rebuild; running containers keep the old packages until they are redeployed"
    ));
    if manager == PackageManager::Apt {
        impact.push(
            "apt installs the archive's newest build of each package (at least the versions listed); apt cannot pin a minimum version"
                .into(),
        );
    }
    Some(OsFix {
        manager,
        command,
        dockerfile,
        changes,
        fixes,
        impact,
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The leading number of a version (`v4.17.21` → 4).
fn major(version: &str) -> Option<u64> {
    let digits: String = version
        .trim_start_matches(['v', 'V'])
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

fn command(ecosystem: &str, name: &str, target: &str, path: &str) -> Option<String> {
    Some(match ecosystem {
        "npm" => format!("npm install {}", shell_quote(&format!("{name}@{target}"))),
        "PyPI" => format!("pip install {}", shell_quote(&format!("{name}>={target}"))),
        "Go" if name == "stdlib" || name == "toolchain" => {
            format!("rebuild with Go {target} or later")
        }
        "Go" => format!("go get {}", shell_quote(&format!("{name}@v{target}"))),
        "crates.io" => format!(
            "cargo update -p {} --precise {}",
            shell_quote(name),
            shell_quote(target)
        ),
        "RubyGems" if path.ends_with("Gemfile.lock") => {
            format!("bundle update --conservative {}", shell_quote(name))
        }
        "RubyGems" => format!(
            "gem install {} -v {}",
            shell_quote(name),
            shell_quote(target)
        ),
        "Packagist" => format!(
            "composer require {}",
            shell_quote(&format!("{name}:^{target}"))
        ),
        "Maven" => format!(
            "mvn versions:use-dep-version -Dincludes={} -DdepVersion={} -DforceVersion=true",
            shell_quote(name),
            shell_quote(target)
        ),
        "NuGet" => format!(
            "dotnet add package {} --version {}",
            shell_quote(name),
            shell_quote(target)
        ),
        _ => return None,
    })
}

/// For each application package: the nearest version that fixes all of its fixable
/// findings, without a major-version jump when one exists.
pub(crate) fn app_fixes(findings: &[(&Vulnerability, &[MatchedRow])]) -> Vec<AppFix> {
    type Key = (String, String, String, String);
    let mut groups: BTreeMap<Key, Vec<(&Vulnerability, &[MatchedRow])>> = BTreeMap::new();
    for (v, rows) in findings {
        let Some(row) = rows.first() else { continue };
        groups
            .entry((
                v.ecosystem.clone(),
                row.affected.package.clone(),
                v.package.version.clone(),
                v.package.path.clone(),
            ))
            .or_default()
            .push((v, rows));
    }
    let mut fixes = Vec::new();
    for ((ecosystem, name, installed, path), group) in groups {
        let order = group[0].1[0].order;
        let version = group[0].1[0].version.clone();
        let fixable: Vec<&(&Vulnerability, &[MatchedRow])> = group
            .iter()
            .filter(|(v, _)| v.status == FindingStatus::Fixed)
            .collect();
        let unfixed: Vec<String> = group
            .iter()
            .filter(|(v, _)| v.status != FindingStatus::Fixed)
            .map(|(v, _)| v.id.clone())
            .collect();
        let mut candidates: Vec<String> = Vec::new();
        for (_, rows) in &fixable {
            for row in rows.iter() {
                for range in &row.affected.ranges {
                    for event in &range.events {
                        if let RangeEvent::Fixed(f) = event {
                            let newer = order
                                .compare(&version, f)
                                .map(Ordering::is_lt)
                                .unwrap_or(false);
                            if newer && !candidates.contains(f) {
                                candidates.push(f.clone());
                            }
                        }
                    }
                }
            }
        }
        candidates.sort_by(|a, b| order.compare(a, b).unwrap_or(Ordering::Equal));
        let clears_all = |candidate: &str| {
            fixable.iter().all(|(_, rows)| {
                rows.iter()
                    .all(|row| matches!(evaluate(&row.affected, candidate, row.order), Ok(None)))
            })
        };
        let same_major = candidates
            .iter()
            .find(|c| major(c) == major(&version) && clears_all(c));
        let (target, major_upgrade) = match same_major {
            Some(c) => (Some(c.clone()), false),
            None => match candidates.iter().find(|c| clears_all(c)) {
                Some(c) => (Some(c.clone()), true),
                None => (None, false),
            },
        };
        if fixable.is_empty() && unfixed.is_empty() {
            continue;
        }
        fixes.push(AppFix {
            command: target
                .as_deref()
                .and_then(|t| command(&ecosystem, &name, t, &path)),
            ecosystem,
            name,
            installed,
            path,
            target,
            major_upgrade,
            fixes: fixable.iter().map(|(v, _)| v.id.clone()).collect(),
            unfixed,
        });
    }
    fixes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn majors() {
        assert_eq!(major("v4.17.21"), Some(4));
        assert_eq!(major("2018.8.24"), Some(2018));
        assert_eq!(major("beta"), None);
    }

    #[test]
    fn commands_per_ecosystem() {
        assert_eq!(
            command("npm", "lodash", "4.17.21", "/app/package-lock.json").unwrap(),
            "npm install lodash@4.17.21"
        );
        assert_eq!(
            command("PyPI", "urllib3", "1.26.18", "x").unwrap(),
            "pip install 'urllib3>=1.26.18'"
        );
        assert_eq!(
            command("Go", "golang.org/x/net", "0.23.0", "x").unwrap(),
            "go get golang.org/x/net@v0.23.0"
        );
        assert_eq!(command("Conda", "x", "1", "x"), None);
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("libssl3"), "libssl3");
        assert_eq!(shell_quote("openssl>=3.1.4-r1"), "'openssl>=3.1.4-r1'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
