//! The set-uid and set-gid files each distribution family ships so, with the package that
//! ships them. Paths are written merged-/usr (`/usr/bin/su`, not `/bin/su`) and with `*`
//! for the multiarch directory; [`canonical`] brings image paths to the same form.
//!
//! Sources: Debian 12 and Ubuntu package contents (`find / -perm /6000` on Debian 12 with
//! `dpkg -S`, the scanlab bookworm image), Alpine's aports packaging (the minirootfs
//! itself ships none), RHEL/Fedora package file modes.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    Debian,
    Alpine,
    Rhel,
}

impl Family {
    pub fn name(self) -> &'static str {
        match self {
            Family::Debian => "Debian/Ubuntu",
            Family::Alpine => "Alpine",
            Family::Rhel => "RHEL family",
        }
    }

    /// The table for an inventory OS family id; `None` for busybox, distroless-static and
    /// anything unknown.
    pub fn of(os_family: &str) -> Option<Family> {
        match os_family {
            "debian" | "ubuntu" => Some(Family::Debian),
            "alpine" | "wolfi" | "chainguard" => Some(Family::Alpine),
            "rhel" | "centos" | "centos-stream" | "rocky" | "almalinux" | "oracle" | "amazon"
            | "fedora" | "cbl-mariner" | "azurelinux" | "photon" => Some(Family::Rhel),
            _ => None,
        }
    }
}

/// One stock file: canonical path, which bits it carries (`4` set-uid, `2` set-gid, `6`
/// both) and the package that ships it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct StockFile {
    pub path: &'static str,
    pub bits: u32,
    pub package: &'static str,
}

const fn s(path: &'static str, bits: u32, package: &'static str) -> StockFile {
    StockFile {
        path,
        bits,
        package,
    }
}

pub static DEBIAN: &[StockFile] = &[
    s("/usr/bin/chfn", 4, "passwd"),
    s("/usr/bin/chsh", 4, "passwd"),
    s("/usr/bin/gpasswd", 4, "passwd"),
    s("/usr/bin/passwd", 4, "passwd"),
    s("/usr/bin/chage", 2, "passwd"),
    s("/usr/bin/expiry", 2, "passwd"),
    s("/usr/bin/newgrp", 4, "login"),
    s("/usr/bin/su", 4, "util-linux/login"),
    s("/usr/bin/mount", 4, "mount"),
    s("/usr/bin/umount", 4, "mount"),
    s("/usr/sbin/unix_chkpwd", 2, "libpam-modules-bin"),
    s(
        "/usr/sbin/pam_extrausers_chkpwd",
        2,
        "libpam-modules-bin (Ubuntu)",
    ),
    s("/usr/bin/sudo", 4, "sudo"),
    s("/usr/lib/openssh/ssh-keysign", 4, "openssh-client"),
    s("/usr/bin/ssh-agent", 2, "openssh-client"),
    s("/usr/lib/dbus-1.0/dbus-daemon-launch-helper", 4, "dbus"),
    s("/usr/lib/polkit-1/polkit-agent-helper-1", 4, "polkitd"),
    s("/usr/bin/pkexec", 4, "pkexec"),
    s("/usr/bin/fusermount", 4, "fuse"),
    s("/usr/bin/fusermount3", 4, "fuse3"),
    s("/usr/bin/newuidmap", 4, "uidmap"),
    s("/usr/bin/newgidmap", 4, "uidmap"),
    s("/usr/lib/*/utempter/utempter", 2, "libutempter0"),
    s("/usr/bin/crontab", 2, "cron"),
    s("/usr/bin/at", 6, "at"),
    s("/usr/bin/wall", 2, "bsdutils"),
    s("/usr/bin/write", 2, "bsdutils"),
    s("/usr/bin/bsd-write", 2, "bsdmainutils"),
    s("/usr/bin/dotlockfile", 2, "liblockfile-bin"),
    s("/usr/bin/plocate", 2, "plocate"),
    s("/usr/bin/mlocate", 2, "mlocate"),
    s("/usr/bin/screen", 2, "screen"),
    s("/usr/sbin/postdrop", 2, "postfix"),
    s("/usr/sbin/postqueue", 2, "postfix"),
    s("/usr/sbin/exim4", 4, "exim4-daemon-light"),
    s("/usr/lib/eject/dmcrypt-get-device", 4, "eject"),
    s("/usr/lib/xorg/Xorg.wrap", 4, "xserver-xorg-legacy"),
    s("/usr/lib/snapd/snap-confine", 4, "snapd (Ubuntu)"),
    s(
        "/usr/bin/ping",
        4,
        "iputils-ping (before file capabilities)",
    ),
];

pub static ALPINE: &[StockFile] = &[
    s("/usr/bin/bbsuid", 4, "busybox-suid"),
    s("/usr/bin/sudo", 4, "sudo"),
    s("/usr/bin/doas", 4, "doas"),
    s("/usr/bin/su", 4, "shadow-login / util-linux-login"),
    s("/usr/bin/passwd", 4, "shadow"),
    s("/usr/bin/chage", 4, "shadow"),
    s("/usr/bin/chfn", 4, "shadow"),
    s("/usr/bin/chsh", 4, "shadow"),
    s("/usr/bin/expiry", 4, "shadow"),
    s("/usr/bin/gpasswd", 4, "shadow"),
    s("/usr/bin/newgrp", 4, "shadow"),
    s("/usr/bin/newuidmap", 4, "shadow-uidmap"),
    s("/usr/bin/newgidmap", 4, "shadow-uidmap"),
    s("/usr/bin/mount", 4, "util-linux-misc"),
    s("/usr/bin/umount", 4, "util-linux-misc"),
    s("/usr/sbin/unix_chkpwd", 4, "linux-pam"),
    s("/usr/lib/ssh/ssh-keysign", 4, "openssh-keysign"),
    s("/usr/libexec/dbus-daemon-launch-helper", 4, "dbus"),
    s("/usr/bin/fusermount", 4, "fuse"),
    s("/usr/bin/fusermount3", 4, "fuse3"),
    s("/usr/bin/crontab", 4, "cronie"),
    s("/usr/bin/pkexec", 4, "polkit"),
    s("/usr/lib/polkit-1/polkit-agent-helper-1", 4, "polkit"),
    s("/usr/sbin/postdrop", 2, "postfix"),
    s("/usr/sbin/postqueue", 2, "postfix"),
];

pub static RHEL: &[StockFile] = &[
    s("/usr/bin/passwd", 4, "passwd"),
    s("/usr/bin/chage", 4, "shadow-utils"),
    s("/usr/bin/gpasswd", 4, "shadow-utils"),
    s("/usr/bin/newgrp", 4, "shadow-utils"),
    s("/usr/bin/chfn", 4, "util-linux"),
    s("/usr/bin/chsh", 4, "util-linux"),
    s("/usr/bin/su", 4, "util-linux"),
    s("/usr/bin/mount", 4, "util-linux"),
    s("/usr/bin/umount", 4, "util-linux"),
    s("/usr/bin/write", 2, "util-linux"),
    s("/usr/bin/wall", 2, "util-linux"),
    s("/usr/sbin/unix_chkpwd", 4, "pam"),
    s("/usr/sbin/pam_timestamp_check", 4, "pam"),
    s("/usr/bin/sudo", 4, "sudo"),
    s("/usr/bin/pkexec", 4, "polkit"),
    s("/usr/lib/polkit-1/polkit-agent-helper-1", 4, "polkit"),
    s("/usr/libexec/dbus-1/dbus-daemon-launch-helper", 4, "dbus"),
    s("/usr/libexec/openssh/ssh-keysign", 2, "openssh"),
    s("/usr/bin/crontab", 4, "cronie"),
    s("/usr/bin/at", 4, "at"),
    s("/usr/bin/fusermount", 4, "fuse"),
    s("/usr/bin/fusermount3", 4, "fuse3"),
    s("/usr/bin/newuidmap", 4, "shadow-utils-subid"),
    s("/usr/bin/newgidmap", 4, "shadow-utils-subid"),
    s("/usr/sbin/userhelper", 4, "usermode"),
    s("/usr/sbin/usernetctl", 4, "initscripts"),
    s("/usr/sbin/mount.nfs", 4, "nfs-utils"),
    s("/usr/sbin/grub2-set-bootflag", 4, "grub2-tools-minimal"),
    s("/usr/libexec/utempter/utempter", 2, "libutempter"),
    s("/usr/bin/locate", 2, "mlocate"),
    s("/usr/sbin/postdrop", 2, "postfix"),
    s("/usr/sbin/postqueue", 2, "postfix"),
];

/// The table of a family.
pub fn table(family: Family) -> &'static [StockFile] {
    match family {
        Family::Debian => DEBIAN,
        Family::Alpine => ALPINE,
        Family::Rhel => RHEL,
    }
}

/// An image path in the tables' form: merged /usr, multiarch directory as `*`.
pub fn canonical(path: &str) -> String {
    let merged = ["/bin/", "/sbin/", "/lib/", "/lib64/", "/lib32/"]
        .iter()
        .find(|p| path.starts_with(**p))
        .map(|_| format!("/usr{path}"))
        .unwrap_or_else(|| path.to_string());
    let mut parts: Vec<&str> = merged.split('/').collect();
    // `/usr/lib/x86_64-linux-gnu/…` → `/usr/lib/*/…`
    if parts.len() > 4 && parts[1] == "usr" && parts[2] == "lib" && parts[3].contains("-linux-") {
        parts[3] = "*";
    }
    parts.join("/")
}

/// The stock entry for `path` (any family when `family` is unknown) whose bits cover
/// `bits` (the special bits of the file's mode, `0o4000`/`0o2000`).
pub fn lookup(
    family: Option<Family>,
    path: &str,
    bits: u32,
) -> Option<(Family, &'static StockFile)> {
    let path = canonical(path);
    let wanted =
        (if bits & 0o4000 != 0 { 4 } else { 0 }) | (if bits & 0o2000 != 0 { 2 } else { 0 });
    let families: &[Family] = match family {
        Some(Family::Debian) => &[Family::Debian],
        Some(Family::Alpine) => &[Family::Alpine],
        Some(Family::Rhel) => &[Family::Rhel],
        None => &[Family::Debian, Family::Alpine, Family::Rhel],
    };
    families.iter().find_map(|&f| {
        table(f)
            .iter()
            .find(|e| e.path == path && e.bits & wanted == wanted)
            .map(|e| (f, e))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_of_the_inventory_ids() {
        assert_eq!(Family::of("centos-stream"), Some(Family::Rhel));
        assert_eq!(Family::of("ubuntu"), Some(Family::Debian));
        assert_eq!(Family::of("sles"), None);
    }

    #[test]
    fn canonical_paths() {
        assert_eq!(canonical("/bin/su"), "/usr/bin/su");
        assert_eq!(
            canonical("/usr/lib/x86_64-linux-gnu/utempter/utempter"),
            "/usr/lib/*/utempter/utempter"
        );
        assert_eq!(
            canonical("/usr/local/bin/sh-root"),
            "/usr/local/bin/sh-root"
        );
    }

    #[test]
    fn lookups_respect_family_and_bits() {
        assert!(lookup(Some(Family::Debian), "/bin/su", 0o4000).is_some());
        assert!(lookup(Some(Family::Debian), "/usr/bin/chage", 0o4000).is_none());
        assert!(lookup(Some(Family::Rhel), "/usr/bin/chage", 0o4000).is_some());
        assert!(lookup(Some(Family::Alpine), "/bin/bbsuid", 0o4000).is_some());
        assert!(lookup(None, "/usr/bin/at", 0o6000).is_some());
        assert!(lookup(None, "/usr/local/bin/sh-root", 0o4000).is_none());
    }
}
