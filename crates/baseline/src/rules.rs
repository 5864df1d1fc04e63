//! The baseline rules: stable ids, what each checks, how bad it is by default and how to
//! fix it, with the benchmark items they come from. RULES.md is the long form.

use serde::Serialize;

/// How bad a finding is. Ordered so that `Critical > Info`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// One step down (never below info): for settings that only apply conditionally.
    pub fn lower(self) -> Severity {
        match self {
            Severity::Critical => Severity::High,
            Severity::High => Severity::Medium,
            Severity::Medium => Severity::Low,
            Severity::Low | Severity::Info => Severity::Info,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One rule. `severity` is the default; a few rules raise or lower it per finding (each
/// such case is written in `description` and in RULES.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RuleInfo {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub category: &'static str,
    pub description: &'static str,
    pub fix: &'static str,
    /// CIS Docker (`CIS-Docker 4.1`), CIS Distribution Independent Linux v2.0.0
    /// (`CIS-DIL 6.2.1`), Dockle (`CIS-DI-0001`, `DKL-LI-0001`) and dev-sec linux-baseline
    /// (`devsec os-06`) items.
    pub references: &'static [&'static str],
}

macro_rules! rule {
    ($id:literal, $sev:ident, $cat:literal, $title:literal, $desc:literal, $fix:literal, [$($r:literal),*]) => {
        RuleInfo {
            id: $id,
            title: $title,
            severity: Severity::$sev,
            category: $cat,
            description: $desc,
            fix: $fix,
            references: &[$($r),*],
        }
    };
}

static RULES: &[RuleInfo] = &[
    rule!("BL001", High, "accounts", "Account with an empty password",
        "An /etc/shadow entry (or an /etc/passwd entry) has an empty password field: anyone can log in or su to the account without a password.",
        "Lock the account (`passwd -l NAME` or put `!` in the password field) or remove it; set a password only if interactive login is really needed.",
        ["CIS-DIL 6.2.1", "DKL-LI-0001"]),
    rule!("BL002", Medium, "accounts", "Duplicate UID or user name",
        "Two /etc/passwd entries share a UID or a name: they are the same user to the kernel, and file ownership and audit trails cannot tell them apart.",
        "Give each account its own UID and name (`usermod -u`), then fix ownership of their files.",
        ["CIS-DIL 6.2.16", "CIS-DIL 6.2.18", "DKL-LI-0002", "devsec os-07"]),
    rule!("BL003", High, "accounts", "UID 0 account other than root",
        "An account other than root has UID 0 and so every privilege of root, often as a hidden backdoor.",
        "Remove the account or give it an unprivileged UID; use sudo for delegated administration.",
        ["CIS-DIL 6.2.5"]),
    rule!("BL004", Medium, "accounts", "Duplicate GID or group name",
        "Two /etc/group entries share a GID or a name, so group permissions grant more than intended.",
        "Give each group its own GID and name (`groupmod -g`), then fix group ownership of their files.",
        ["CIS-DIL 6.2.17", "CIS-DIL 6.2.19", "DKL-LI-0002", "devsec os-07"]),
    rule!("BL005", Medium, "accounts", "Several accounts share one password hash",
        "Identical password hashes (same salt and password) on several accounts: the image was built by copying a hash, and cracking one account opens all of them.",
        "Lock the accounts that need no password; set distinct passwords (with fresh salts) on the others, at run time rather than in the image.",
        ["CIS-DIL 6.2.1"]),
    rule!("BL006", Medium, "accounts", "Weak password hash algorithm",
        "A password hash uses DES crypt, MD5 crypt (`$1$`), NT hash (`$3$`) or bcrypt with a cost below 10, all cheap to crack offline.",
        "Re-set the password so that yescrypt (`$y$`) or SHA-512 crypt (`$6$`) is used (`ENCRYPT_METHOD` in /etc/login.defs, `pam_unix` options), or lock the account.",
        ["CIS-DIL 5.3.4"]),
    rule!("BL007", High, "accounts", "Password hash in /etc/passwd",
        "/etc/passwd is world-readable, and an entry carries a password hash instead of `x`: every user and process can read and crack it.",
        "Move the hash to /etc/shadow (`pwconv`) and leave `x` in /etc/passwd.",
        ["CIS-DIL 6.2.1"]),
    rule!("BL008", Medium, "accounts", "Legacy NIS '+' entry",
        "A `+` line in /etc/passwd, /etc/shadow or /etc/group pulls in NIS maps; with no NIS configured it can match as an account with no password.",
        "Delete the `+` (and `-`) lines.",
        ["CIS-DIL 6.2.2", "CIS-DIL 6.2.3", "CIS-DIL 6.2.4"]),
    rule!("BL009", Critical, "permissions", "Set-uid or set-gid shell or interpreter",
        "A shell, interpreter or other program that runs arbitrary commands (a copy of sh/bash/dash/busybox, python, perl, find, vim…) is set-uid (critical) or set-gid (high): any user becomes its owner.",
        "Remove the file, or its set-uid/set-gid bit (`chmod u-s,g-s PATH`); grant the few privileged commands needed through sudo or capabilities.",
        ["CIS-Docker 4.8", "CIS-DI-0008", "CIS-DIL 6.1.13", "CIS-DIL 6.1.14", "devsec os-06"]),
    rule!("BL010", High, "permissions", "Set-uid file outside the distribution's stock set",
        "A set-uid file that the distribution does not ship set-uid in its base set. High when no installed OS package owns it; medium when a package does (it was installed on purpose, but still widens the attack surface).",
        "Remove the set-uid bit (`chmod u-s PATH`) unless the program needs it; in a container it rarely does (`RUN find / -xdev -perm -4000 -exec chmod u-s {} +`).",
        ["CIS-Docker 4.8", "CIS-DI-0008", "CIS-DIL 6.1.13", "devsec os-06"]),
    rule!("BL011", Medium, "permissions", "Set-gid file outside the distribution's stock set",
        "A set-gid file that the distribution does not ship set-gid in its base set (low when an installed OS package owns it).",
        "Remove the set-gid bit (`chmod g-s PATH`) unless the program needs it.",
        ["CIS-Docker 4.8", "CIS-DI-0008", "CIS-DIL 6.1.14", "devsec os-06"]),
    rule!("BL012", Info, "permissions", "Stock set-uid/set-gid file",
        "A set-uid or set-gid file that the distribution ships so in its base set (passwd, su, mount…). Listed so the set is visible; containers seldom need any of them.",
        "Optionally strip the bits in the final image: `RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +`.",
        ["CIS-Docker 4.8", "CIS-DI-0008"]),
    rule!("BL013", Medium, "permissions", "World-writable file",
        "A regular file any user may modify: code or configuration that any process in the container can rewrite.",
        "Remove write permission for others (`chmod o-w PATH`) and give ownership to the user that needs to write it.",
        ["CIS-DIL 6.1.10"]),
    rule!("BL014", Medium, "permissions", "World-writable directory without the sticky bit",
        "Any user may create, delete and rename files of others in this directory.",
        "Set the sticky bit (`chmod +t DIR`) or remove write permission for others (`chmod o-w DIR`).",
        ["CIS-DIL 1.1.21"]),
    rule!("BL015", Medium, "sudo", "sudo without authentication",
        "A sudoers rule grants commands with `NOPASSWD` or `Defaults !authenticate`: code running as that user becomes root (or the target user) without a password. High when it covers ALL commands.",
        "Drop `NOPASSWD`/`!authenticate`, limit the rule to the exact commands needed, or do not install sudo in the image at all (drop privileges with USER and gosu/su-exec at start).",
        ["DKL-DI-0001", "CIS-DIL 5.3"]),
    rule!("BL016", High, "ssh", "sshd permits root login with a password",
        "`PermitRootLogin yes` in effect in sshd_config (the modern default is prohibit-password). Lower by one step when only a `Match` block sets it. The finding says whether sshd is installed.",
        "Set `PermitRootLogin no` (or `prohibit-password`), and do not run sshd in a container (use `docker exec`).",
        ["CIS-DIL 5.2.8", "CIS-Docker 5.6"]),
    rule!("BL017", High, "ssh", "sshd permits empty passwords",
        "`PermitEmptyPasswords yes` in effect in sshd_config: accounts without a password can log in over the network.",
        "Set `PermitEmptyPasswords no` (the default) and lock accounts without a password.",
        ["CIS-DIL 5.2.9", "CIS-Docker 5.6"]),
    rule!("BL018", Medium, "ssh", "sshd password authentication on",
        "`PasswordAuthentication yes` set explicitly (medium), or not set at all so OpenSSH's default `yes` applies (low): passwords can be guessed over the network.",
        "Set `PasswordAuthentication no` and use keys or certificates.",
        ["CIS-Docker 5.6"]),
    rule!("BL019", High, "files", "/etc/ld.so.preload present",
        "Libraries listed in /etc/ld.so.preload load into every dynamically linked process, the classic userland rootkit hook. Low when the file is present but lists nothing.",
        "Delete /etc/ld.so.preload; use LD_PRELOAD in the one process that needs a preload.",
        []),
    rule!("BL020", High, "trust", "Host-based trust file",
        "/etc/hosts.equiv, /etc/shosts.equiv, ~/.rhosts or ~/.shosts let hosts or users in without a password (r-commands and host-based ssh). A lone `+` trusts everyone. Low when the file lists nothing.",
        "Delete the file; use key-based ssh authentication.",
        ["devsec os-01", "devsec os-09", "CIS-DIL 6.2.14"]),
    rule!("BL021", Medium, "trust", "root authorized_keys baked into the image",
        "/root/.ssh/authorized_keys ships in the image: whoever holds those keys logs in as root to every container started from it.",
        "Remove the file from the image; provide keys at run time if ssh access is really needed.",
        ["CIS-Docker 5.6"]),
    rule!("BL022", Low, "files", "File that should not ship",
        "Version-control metadata (`.git/`, `.svn/`, `.hg/`), `.DS_Store`, editor swap files (`.*.swp`) and backups (`*~`, `#*#`): history, source and secrets that were never meant to be in the image.",
        "Add them to .dockerignore and rebuild; for multi-stage builds copy only build outputs.",
        ["DKL-LI-0003"]),
    rule!("BL023", Medium, "files", ".env file shipped",
        "A `.env`-style file (not `.env.example`/`.sample`/`.template`) is in the image: the environment of someone's machine, usually with credentials (the secret scanner reports what is in it).",
        "Add `.env*` (except the template) to .dockerignore; pass configuration at run time.",
        ["CIS-DI-0010", "DKL-LI-0003"]),
    rule!("BL024", Low, "files", "Package-manager cache left in the image",
        "apt lists, apt/apk/dnf/yum caches or pip/npm/yarn caches in the final filesystem: wasted size, and stale metadata.",
        "Clean in the same RUN that fills it: `rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, `pip install --no-cache-dir`, `npm cache clean --force`, `dnf clean all`.",
        ["DKL-DI-0005", "DKL-DI-0004"]),
    rule!("BL025", High, "packages", "Insecure network service package installed",
        "telnetd, rsh-server, tftpd, xinetd/inetd or ypserv is installed: clear-text or unauthenticated network services.",
        "Remove the package; use ssh-based or authenticated alternatives.",
        ["devsec package-01", "devsec package-02", "devsec package-03", "devsec package-05", "devsec package-06", "CIS-DIL 2.1", "CIS-DIL 2.2"]),
    rule!("BL026", Medium, "permissions", "Wrong owner or mode on an account database",
        "/etc/passwd or /etc/group is not owned by root or is writable by group/others, or /etc/shadow or /etc/gshadow is not owned by root, group-writable or readable by others (high when others can read the hashes).",
        "`chown root:root /etc/passwd /etc/group && chmod 644 /etc/passwd /etc/group`; `chown root:shadow /etc/shadow /etc/gshadow && chmod 640 …` (Debian, Alpine) or `chmod 000` (RHEL).",
        ["CIS-DIL 6.1.2", "CIS-DIL 6.1.3", "CIS-DIL 6.1.4", "CIS-DIL 6.1.5", "devsec os-02", "devsec os-03"]),
    rule!("BL027", Medium, "image-config", "Image runs as root",
        "The config's `User` is root (`root`, `0`, `root:…`): the container's processes run as root unless the runtime overrides it. Low when `User` is simply unset, as base images leave it.",
        "Create an unprivileged user and end the Dockerfile with `USER name` (or a numeric UID).",
        ["CIS-Docker 4.1", "CIS-DI-0001"]),
    rule!("BL028", Low, "image-config", "No HEALTHCHECK",
        "The config has no `Healthcheck` (or `NONE`): the runtime cannot tell a hung container from a healthy one.",
        "Add `HEALTHCHECK CMD …` that probes the service.",
        ["CIS-Docker 4.6", "CIS-DI-0006"]),
    rule!("BL029", Medium, "image-config", "SSH port exposed",
        "The config exposes port 22: the image expects to run sshd, which containers should not.",
        "Drop `EXPOSE 22` and sshd; use `docker exec`/`kubectl exec` for access.",
        ["CIS-Docker 5.6"]),
    rule!("BL030", Medium, "image-config", "Sensitive path declared as a VOLUME",
        "A `VOLUME` on a system directory (`/`, `/etc`, `/proc`, `/sys`, `/dev`, `/boot`, `/root`, `/usr`, `/lib`, `/var/run`, `/run`, the Docker socket or `/var/lib/docker`) invites mounting the host's copy into the container.",
        "Remove the VOLUME; declare volumes only for application data directories.",
        ["DKL-DI-0002", "CIS-Docker 5.5"]),
    rule!("BL031", Medium, "trust", "Account's authorized_keys baked into the image",
        "`<home>/.ssh/authorized_keys` (or `authorized_keys2`) of an account other than root ships in the image: whoever holds those keys logs in as that account to every container that runs sshd, and tries for root from there. The finding names the account whose home it is.",
        "Remove the file from the image; provide keys at run time if ssh access is really needed.",
        ["CIS-Docker 5.6"]),
];

/// Every built-in rule, in id order.
pub fn rules() -> &'static [RuleInfo] {
    RULES
}

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static RuleInfo> {
    RULES.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_sequential_and_documented() {
        let doc = include_str!("../RULES.md");
        for (i, rule) in RULES.iter().enumerate() {
            assert_eq!(rule.id, format!("BL{:03}", i + 1));
            assert!(
                doc.contains(&format!("### {}", rule.id)),
                "{} missing from RULES.md",
                rule.id
            );
        }
    }
}
