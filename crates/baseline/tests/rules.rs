//! Every rule on hand-built images: a root directory read by `analyze_rootfs`, or layers
//! built as tars and read by the real layer reader (for owners, whiteouts and the layer a
//! finding is attributed to).

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::{debian_base, describe, dir, file, of_rule, one, scan_dir, scan_layers, Item};
use drydock_baseline::{rules, BaselineAnalyzer, BaselineConfig, Severity};
use drydock_image::oci::ImageConfig;

fn write(root: &Path, path: &str, mode: u32, content: &[u8]) {
    let host = root.join(path.trim_start_matches('/'));
    fs::create_dir_all(host.parent().unwrap()).unwrap();
    fs::write(&host, content).unwrap();
    fs::set_permissions(&host, fs::Permissions::from_mode(mode)).unwrap();
}

fn mkdir(root: &Path, path: &str, mode: u32) {
    let host = root.join(path.trim_start_matches('/'));
    fs::create_dir_all(&host).unwrap();
    fs::set_permissions(&host, fs::Permissions::from_mode(mode)).unwrap();
}

const MD5_HASH: &str = "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/";
const SHA512_HASH: &str = "$6$Zm9vYmFy$WeXmCLXyZpQB8C0Zzq0Gr3gTdTtBmB0F0r1x4pU6M5kVfRkq3mYl2bQ4uT4M5y1Jz1F0a8v5kU7d9zXhR6kN0.";

/// Accounts: BL001–BL008 on one hand-built root directory.
#[test]
fn account_rules_on_a_root_directory() {
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    write(
        r,
        "/etc/passwd",
        0o644,
        format!(
            "root:x:0:0:root:/root:/bin/bash\n\
             toor:x:0:0:backdoor:/root:/bin/sh\n\
             alice:x:1000:1000::/home/alice:/bin/bash\n\
             bob:x:1000:1001::/home/bob:/bin/bash\n\
             alice:x:1002:1002::/home/alice2:/bin/bash\n\
             legacy:{MD5_HASH}:1003:1003::/home/legacy:/bin/sh\n\
             nopw::1004:1004::/home/nopw:/bin/sh\n\
             +::::::\n"
        )
        .as_bytes(),
    );
    write(
        r,
        "/etc/shadow",
        0o640,
        format!(
            "root:*:19000:0:99999:7:::\n\
             toor:!:19000:0:99999:7:::\n\
             alice:{SHA512_HASH}:19000:0:99999:7:::\n\
             bob:{SHA512_HASH}:19000:0:99999:7:::\n\
             weak:{MD5_HASH}:19000:0:99999:7:::\n\
             des:abJnggxhB/yWI:19000:0:99999:7:::\n\
             cheap:$2b$05$abcdefghijklmnopqrstuu5Yz1Zq3x0Qm8n4r2Vb6t0Yw7Kj9Ha:19000::::::\n\
             deploy::20000:0:99999:7:::\n\
             +::::::::\n"
        )
        .as_bytes(),
    );
    write(
        r,
        "/etc/group",
        0o644,
        b"root:x:0:\nusers:x:100:\nstaff:x:100:\nusers:x:101:\n+:::\n",
    );
    let scan = scan_dir(r, &BaselineConfig::default());
    let f = &scan.findings;
    let all = describe(f);

    let empty = of_rule(f, "BL001");
    assert_eq!(empty.len(), 2, "{all}");
    assert!(empty
        .iter()
        .any(|e| e.path.as_deref() == Some("/etc/shadow")
            && e.evidence.starts_with("deploy::20000")
            && e.line == Some(8)));
    assert!(empty
        .iter()
        .any(|e| e.path.as_deref() == Some("/etc/passwd") && e.evidence.starts_with("nopw::1004")));

    let dup_users = of_rule(f, "BL002");
    assert_eq!(dup_users.len(), 3, "{all}");
    assert!(dup_users
        .iter()
        .any(|e| e.evidence == "UID 0 shared by root (line 1), toor (line 2)"));
    assert!(dup_users
        .iter()
        .any(|e| e.evidence == "UID 1000 shared by alice (line 3), bob (line 4)"));
    assert!(dup_users
        .iter()
        .any(|e| e.evidence == "user name \"alice\" on lines 3, 5"));

    let uid0 = of_rule(f, "BL003");
    assert_eq!(uid0.len(), 1, "{all}");
    assert!(uid0[0].evidence.starts_with("toor:x:0:0"));
    assert_eq!(uid0[0].severity, Severity::High);

    let dup_groups = of_rule(f, "BL004");
    assert_eq!(dup_groups.len(), 2, "{all}");
    assert!(dup_groups
        .iter()
        .any(|e| e.evidence == "GID 100 shared by users (line 2), staff (line 3)"));
    assert!(dup_groups
        .iter()
        .any(|e| e.evidence == "group name \"users\" on lines 2, 4"));

    let shared = of_rule(f, "BL005");
    assert_eq!(shared.len(), 2, "{all}");
    assert!(shared
        .iter()
        .any(|e| e.evidence == "accounts alice, bob share one $6$\u{2026} hash"));
    // weak (shadow) and legacy (passwd) carry the same MD5 hash.
    assert!(shared
        .iter()
        .any(|e| e.evidence == "accounts weak, legacy share one $1$\u{2026} hash"));

    let weak: Vec<&str> = of_rule(f, "BL006")
        .iter()
        .map(|e| e.evidence.split(':').next().unwrap())
        .collect();
    assert_eq!(weak, ["legacy", "weak", "des", "cheap"], "{all}");

    let in_passwd = one(f, "BL007", "/etc/passwd");
    assert_eq!(
        in_passwd.evidence,
        "legacy:$1$\u{2026}:1003:1003::/home/legacy:/bin/sh (md5crypt hash readable by every user)"
    );

    let nis: Vec<_> = of_rule(f, "BL008")
        .iter()
        .map(|e| e.path.clone().unwrap())
        .collect();
    assert_eq!(nis.len(), 3, "{all}");

    // No hash in any finding or in the cache.
    let json = serde_json::to_string(f).unwrap();
    for secret in [
        MD5_HASH,
        SHA512_HASH,
        "abJnggxhB/yWI",
        "qjXMvbEw8oaL",
        "WeXmCLXy",
    ] {
        assert!(!json.contains(secret), "{secret} in findings");
        assert!(!scan.cached_json.contains(secret), "{secret} in cache");
    }
}

/// BL009–BL014 and BL026 need owners and exact modes: hand-built layers.
#[test]
fn permission_rules_on_layers() {
    let dash = vec![0x7f_u8; 4096];
    let mut base = debian_base(b"");
    base.extend([
        dir("/usr", 0o755),
        dir("/usr/bin", 0o755),
        file("/usr/bin/dash", 0o755, &dash),
        Item::Symlink {
            path: "/bin",
            target: "usr/bin",
        },
        file("/usr/bin/passwd", 0o4755, b"passwd"),
        Item::File {
            path: "/usr/bin/chage",
            mode: 0o2755,
            uid: 0,
            gid: 42,
            content: b"chage",
        },
        file("/usr/bin/su", 0o4755, b"su"),
    ]);
    let added = vec![
        dir("/usr/local/bin", 0o755),
        // A copy of dash under a name that does not say shell: caught by its size.
        file("/usr/local/bin/helper", 0o4755, &dash),
        file("/usr/local/bin/python3.11", 0o2755, b"py"),
        file("/usr/local/bin/backup-tool", 0o4750, b"tool"),
        file("/usr/local/bin/report", 0o2755, b"report"),
        file("/opt/app/config.yml", 0o666, b"a: b"),
        dir("/opt/app/uploads", 0o777),
        dir("/opt/app/shared", 0o1777),
        Item::File {
            path: "/etc/passwd",
            mode: 0o666,
            uid: 0,
            gid: 0,
            content: b"root:x:0:0:root:/root:/bin/bash\n",
        },
        Item::File {
            path: "/etc/shadow",
            mode: 0o644,
            uid: 0,
            gid: 42,
            content: b"root:*:19000:0:99999:7:::\n",
        },
        Item::File {
            path: "/etc/group",
            mode: 0o644,
            uid: 1000,
            gid: 0,
            content: b"root:x:0:\n",
        },
        Item::File {
            path: "/etc/gshadow",
            mode: 0o660,
            uid: 0,
            gid: 42,
            content: b"root:*::\n",
        },
    ];
    let f = scan_layers(&[base, added]);
    let all = describe(&f);

    let helper = one(&f, "BL009", "/usr/local/bin/helper");
    assert_eq!(helper.severity, Severity::Critical);
    assert!(
        helper.evidence.contains("same size as /usr/bin/dash"),
        "{}",
        helper.evidence
    );
    assert_eq!(helper.layer.as_ref().unwrap().index, 1);
    let python = one(&f, "BL009", "/usr/local/bin/python3.11");
    assert_eq!(python.severity, Severity::High, "set-gid only");

    let unknown = one(&f, "BL010", "/usr/local/bin/backup-tool");
    assert_eq!(unknown.severity, Severity::High);
    assert_eq!(
        unknown.note.as_deref(),
        Some("not owned by any installed OS package")
    );
    assert_eq!(
        one(&f, "BL011", "/usr/local/bin/report").severity,
        Severity::Medium
    );

    let stock: Vec<_> = of_rule(&f, "BL012")
        .iter()
        .map(|e| e.path.clone().unwrap())
        .collect();
    assert_eq!(
        stock,
        ["/usr/bin/chage", "/usr/bin/passwd", "/usr/bin/su"],
        "{all}"
    );
    assert!(of_rule(&f, "BL012")
        .iter()
        .all(|e| e.severity == Severity::Info
            && e.evidence.contains("stock in debian")
            && e.layer.as_ref().unwrap().index == 0));

    one(&f, "BL013", "/opt/app/config.yml");
    one(&f, "BL014", "/opt/app/uploads");
    assert!(
        f.iter()
            .all(|e| e.path.as_deref() != Some("/opt/app/shared")
                && e.path.as_deref() != Some("/tmp")),
        "sticky directories are fine:\n{all}"
    );

    let modes: Vec<(&str, Severity)> = of_rule(&f, "BL026")
        .iter()
        .map(|e| (e.path.as_deref().unwrap(), e.severity))
        .collect();
    assert_eq!(
        modes,
        [
            ("/etc/passwd", Severity::High),
            ("/etc/shadow", Severity::High),
            ("/etc/group", Severity::Medium),
            ("/etc/gshadow", Severity::Medium),
        ],
        "{all}"
    );
}

/// Without an inventory (a distroless or unknown root), every family's stock list counts,
/// and the finding says the distribution was not identified.
#[test]
fn stock_lists_without_a_known_distribution() {
    let (analysis, _) = common::layered(&[vec![
        dir("/bin", 0o755),
        file("/bin/bbsuid", 0o4111, b"bb"),
        file("/usr/bin/crontab", 0o4755, b"cron"),
    ]]);
    let f = BaselineAnalyzer::new(&BaselineConfig::default()).findings(&[], None, &analysis, None);
    let stock = of_rule(&f, "BL012");
    assert_eq!(stock.len(), 2, "{}", describe(&f));
    assert!(stock[0].evidence.contains("distribution not identified"));
}

/// A package-owned set-uid file outside the stock list is medium, with the package named.
#[test]
fn package_owned_setuid_is_medium() {
    let mut base = debian_base(
        b"Package: fancy-tool\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\n\n",
    );
    base.extend([
        dir("/var/lib/dpkg/info", 0o755),
        file(
            "/var/lib/dpkg/info/fancy-tool.list",
            0o644,
            b"/usr\n/usr/bin\n/usr/bin/fancy-tool\n",
        ),
        dir("/usr/bin", 0o755),
        file("/usr/bin/fancy-tool", 0o4755, b"x"),
    ]);
    let f = scan_layers(&[base]);
    let tool = one(&f, "BL010", "/usr/bin/fancy-tool");
    assert_eq!(tool.severity, Severity::Medium, "{}", describe(&f));
    assert_eq!(
        tool.note.as_deref(),
        Some("shipped by the installed package fancy-tool")
    );
}

/// sudoers: NOPASSWD and `!authenticate` in /etc/sudoers and in included files, the
/// layer that added each line, and files sudo would skip.
#[test]
fn sudo_rules_follow_includes() {
    let base = vec![
        dir("/etc", 0o755),
        dir("/etc/sudoers.d", 0o755),
        file(
            "/etc/sudoers",
            0o440,
            b"Defaults env_reset\nroot ALL=(ALL:ALL) ALL\n@includedir /etc/sudoers.d\n",
        ),
        file("/usr/bin/sudo", 0o4755, b"sudo"),
    ];
    let added = vec![
        file("/etc/sudoers.d/deploy", 0o440, b"deploy ALL=(ALL) NOPASSWD: ALL\n"),
        file("/etc/sudoers.d/backup", 0o440, b"backup ALL=(root) NOPASSWD: /usr/bin/rsync \\\n  , /usr/bin/tar\nDefaults:ci !authenticate\n"),
        // sudo skips names with a dot: never read, never reported.
        file("/etc/sudoers.d/old.bak", 0o440, b"old ALL=(ALL) NOPASSWD: ALL\n"),
        // Not included from anywhere.
        file("/etc/sudoers.extra", 0o440, b"x ALL=(ALL) NOPASSWD: ALL\n"),
    ];
    let f = scan_layers(&[base, added]);
    let all = describe(&f);
    let sudo = of_rule(&f, "BL015");
    assert_eq!(sudo.len(), 3, "{all}");
    let deploy = one(&f, "BL015", "/etc/sudoers.d/deploy");
    assert_eq!(deploy.severity, Severity::High);
    assert_eq!(deploy.layer.as_ref().unwrap().index, 1);
    assert_eq!(
        deploy.note.as_deref(),
        Some("sudo is installed (/usr/bin/sudo)")
    );
    let backup: Vec<_> = sudo
        .iter()
        .filter(|e| e.path.as_deref() == Some("/etc/sudoers.d/backup"))
        .map(|e| (e.line, e.severity))
        .collect();
    assert_eq!(
        backup,
        [(Some(3), Severity::High), (Some(1), Severity::Medium)],
        "{all}"
    );
}

/// sshd_config: first value wins, `Include`d files in place, `Match` blocks do not apply
/// globally (reported one step lower), defaults, and the layer of each line.
#[test]
fn sshd_rules_with_include_match_and_defaults() {
    let base = vec![
        dir("/etc/ssh", 0o755),
        dir("/etc/ssh/sshd_config.d", 0o755),
        file(
            "/etc/ssh/sshd_config",
            0o644,
            b"Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin no\nPermitEmptyPasswords no\n\
Match User backup\n    PermitEmptyPasswords yes\n",
        ),
        dir("/usr/sbin", 0o755),
        file("/usr/sbin/sshd", 0o755, b"sshd"),
    ];
    let added = vec![file(
        "/etc/ssh/sshd_config.d/10-debug.conf",
        0o644,
        b"permitrootlogin=yes\n",
    )];
    let f = scan_layers(&[base, added]);
    let all = describe(&f);
    // The included file comes first, so its `yes` wins over the later `no`.
    let root = one(&f, "BL016", "/etc/ssh/sshd_config.d/10-debug.conf");
    assert_eq!(root.severity, Severity::High);
    assert_eq!(root.layer.as_ref().unwrap().index, 1);
    assert_eq!(
        root.note.as_deref(),
        Some("sshd is installed (/usr/sbin/sshd)")
    );
    let empty = one(&f, "BL017", "/etc/ssh/sshd_config");
    assert_eq!(empty.severity, Severity::Medium, "only inside Match");
    assert!(empty.evidence.contains("only inside `Match User backup`"));
    let password = one(&f, "BL018", "/etc/ssh/sshd_config");
    assert_eq!(password.severity, Severity::Low, "default on");
    assert!(password.evidence.contains("default is yes"));
    assert_eq!(of_rule(&f, "BL016").len(), 1, "{all}");
}

/// With `PasswordAuthentication no` and safe values, nothing is reported.
#[test]
fn hardened_sshd_config_is_quiet() {
    let f = scan_layers(&[vec![
        dir("/etc/ssh", 0o755),
        file(
            "/etc/ssh/sshd_config",
            0o644,
            b"PermitRootLogin prohibit-password\nPasswordAuthentication no\nPermitEmptyPasswords no\n",
        ),
    ]]);
    assert!(f.is_empty(), "{}", describe(&f));
}

/// Root login allowed while passwords are off is key-only: one step lower. A `Match`
/// block whose criteria match everyone counts as global.
#[test]
fn sshd_key_only_root_login_and_wildcard_match() {
    let f = scan_layers(&[vec![
        dir("/etc/ssh", 0o755),
        file(
            "/etc/ssh/sshd_config",
            0o644,
            b"PermitRootLogin yes\nPasswordAuthentication no\n",
        ),
    ]]);
    let root = of_rule(&f, "BL016");
    assert_eq!(root.len(), 1, "{}", describe(&f));
    assert_eq!(root[0].severity, Severity::Medium);
    assert!(root[0].evidence.contains("key only"));

    let f = scan_layers(&[vec![
        dir("/etc/ssh", 0o755),
        file(
            "/etc/ssh/sshd_config",
            0o644,
            b"PasswordAuthentication no\nMatch User *\n  PermitEmptyPasswords yes\nMatch User deploy\n  PermitEmptyPasswords yes\n",
        ),
    ]]);
    let empty = of_rule(&f, "BL017");
    assert_eq!(empty.len(), 1, "{}", describe(&f));
    assert_eq!(
        empty[0].severity,
        Severity::High,
        "Match User * is everyone"
    );
    assert!(!empty[0].evidence.contains("only inside"));
}

/// ld.so.preload, trust files and root's authorized_keys on a root directory.
#[test]
fn preload_and_trust_files() {
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    write(
        r,
        "/etc/ld.so.preload",
        0o644,
        b"# hook\n/usr/lib/libhide.so\n",
    );
    write(r, "/etc/hosts.equiv", 0o644, b"+\n");
    write(r, "/home/bob/.rhosts", 0o600, b"trusted.example bob\n");
    write(r, "/home/eve/.shosts", 0o600, b"");
    write(
        r,
        "/root/.ssh/authorized_keys",
        0o600,
        b"ssh-ed25519 AAAAC3Nza k@x\nssh-rsa AAAAB3Nza k@y\n",
    );
    let f = scan_dir(r, &BaselineConfig::default()).findings;
    let all = describe(&f);
    let preload = one(&f, "BL019", "/etc/ld.so.preload");
    assert_eq!(preload.severity, Severity::High);
    assert_eq!(preload.evidence, "preloads /usr/lib/libhide.so");
    let equiv = one(&f, "BL020", "/etc/hosts.equiv");
    assert!(equiv.evidence.contains("trusts every host"), "{all}");
    assert_eq!(
        one(&f, "BL020", "/home/bob/.rhosts").severity,
        Severity::High
    );
    assert_eq!(
        one(&f, "BL020", "/home/eve/.shosts").severity,
        Severity::Low
    );
    let keys = one(&f, "BL021", "/root/.ssh/authorized_keys");
    assert_eq!(keys.evidence, "2 key(s): ssh-ed25519, ssh-rsa");
    assert!(
        !f.iter().any(|x| x.rule_id == "BL031"),
        "root's keys are BL021 only: {all}"
    );

    // Other accounts' keys: BL031, naming whose home it is.
    write(
        r,
        "/etc/passwd",
        0o644,
        b"root:x:0:0:root:/root:/bin/bash
deploy:x:1000:1000::/home/deploy/:/bin/bash
git:x:998:998::/srv/git:/usr/bin/git-shell
",
    );
    write(
        r,
        "/home/deploy/.ssh/authorized_keys",
        0o600,
        b"from=\"10.0.0.0/8\" ssh-ed25519 AAAAC3Nza ci@build\n",
    );
    write(
        r,
        "/srv/git/.ssh/authorized_keys2",
        0o600,
        b"ssh-rsa AAAAB3Nza a\n",
    );
    write(r, "/opt/app/.ssh/authorized_keys", 0o600, b"");
    write(
        r,
        "/home/deploy/.ssh/known_hosts",
        0o600,
        b"github.example ssh-ed25519 AAAA\n",
    );
    let f = scan_dir(r, &BaselineConfig::default()).findings;
    let all = describe(&f);
    let deploy = one(&f, "BL031", "/home/deploy/.ssh/authorized_keys");
    assert_eq!(deploy.severity, Severity::Medium);
    assert_eq!(deploy.evidence, "1 key(s): ssh-ed25519; the home of deploy");
    assert_eq!(
        one(&f, "BL031", "/srv/git/.ssh/authorized_keys2").evidence,
        "1 key(s): ssh-rsa; the home of git"
    );
    let stray = one(&f, "BL031", "/opt/app/.ssh/authorized_keys");
    assert_eq!(stray.severity, Severity::Low);
    assert_eq!(
        stray.evidence,
        "present, no entries; /opt/app, no account's home"
    );
    assert_eq!(
        f.iter().filter(|x| x.rule_id == "BL031").count(),
        3,
        "{all}"
    );

    let empty = tempfile::tempdir().unwrap();
    write(empty.path(), "/etc/ld.so.preload", 0o644, b"\n");
    let f = scan_dir(empty.path(), &BaselineConfig::default()).findings;
    assert_eq!(
        one(&f, "BL019", "/etc/ld.so.preload").severity,
        Severity::Low
    );
}

/// Files that should not ship, `.env`, and caches with their size.
#[test]
fn leftovers_env_files_and_caches() {
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    write(r, "/app/.git/HEAD", 0o644, b"ref: refs/heads/main\n");
    write(r, "/app/.git/objects/ab/cdef", 0o644, &[0u8; 1000]);
    write(r, "/app/.DS_Store", 0o644, b"bud1");
    write(r, "/app/src/.main.rs.swp", 0o644, b"swap");
    write(r, "/app/src/main.rs~", 0o644, b"old");
    write(r, "/app/src/#notes#", 0o644, b"emacs");
    write(r, "/app/.env", 0o644, b"TOKEN=x\n");
    write(r, "/app/.env.example", 0o644, b"TOKEN=\n");
    write(r, "/srv/.env.production", 0o644, b"A=b\n");
    write(
        r,
        "/var/lib/apt/lists/deb_dists_bookworm_InRelease",
        0o644,
        &[1u8; 2048],
    );
    write(r, "/var/lib/apt/lists/lock", 0o640, b"");
    write(r, "/var/cache/apk/APKINDEX.tar.gz", 0o644, &[2u8; 300]);
    write(r, "/root/.cache/pip/http/x/y", 0o644, &[3u8; 500]);
    write(r, "/home/node/.npm/_cacache/index-v5/a", 0o644, &[4u8; 700]);
    mkdir(r, "/var/cache/apt/archives/partial", 0o755);
    let f = scan_dir(r, &BaselineConfig::default()).findings;
    let all = describe(&f);

    let git = one(&f, "BL022", "/app/.git");
    assert_eq!(git.size, Some(1021));
    assert!(
        git.evidence.starts_with("git metadata: 2 files"),
        "{}",
        git.evidence
    );
    for path in [
        "/app/.DS_Store",
        "/app/src/.main.rs.swp",
        "/app/src/main.rs~",
        "/app/src/#notes#",
    ] {
        one(&f, "BL022", path);
    }
    assert_eq!(
        of_rule(&f, "BL022").len(),
        5,
        "nothing inside .git reported on its own:\n{all}"
    );

    let env = one(&f, "BL023", "/app/.env");
    assert_eq!(
        env.evidence,
        "8 bytes, beside the template /app/.env.example"
    );
    one(&f, "BL023", "/srv/.env.production");
    assert_eq!(of_rule(&f, "BL023").len(), 2, "{all}");

    let caches: Vec<(&str, Option<u64>)> = of_rule(&f, "BL024")
        .iter()
        .map(|e| (e.path.as_deref().unwrap(), e.size))
        .collect();
    assert_eq!(
        caches,
        [
            ("/home/node/.npm/_cacache", Some(700)),
            ("/root/.cache/pip", Some(500)),
            ("/var/cache/apk", Some(300)),
            ("/var/lib/apt/lists", Some(2048)),
        ],
        "{all}"
    );
}

/// BL025 from the inventory's packages and, without a package database, from daemons.
#[test]
fn insecure_service_packages() {
    let base = debian_base(
        b"Package: telnetd\nStatus: install ok installed\nVersion: 0.17-44\nArchitecture: amd64\n\n\
Package: xinetd\nStatus: install ok installed\nVersion: 1:2.3.15.3-1\nArchitecture: amd64\n\n\
Package: telnet\nStatus: install ok installed\nVersion: 0.17-44\nArchitecture: amd64\n\n",
    );
    let f = scan_layers(&[base]);
    let services: Vec<&str> = of_rule(&f, "BL025")
        .iter()
        .map(|e| e.evidence.as_str())
        .collect();
    assert_eq!(
        services,
        [
            "inetd super-server: package xinetd 1:2.3.15.3-1 (deb)",
            "telnet server: package telnetd 0.17-44 (deb)"
        ],
        "{}",
        describe(&f)
    );

    let bare = scan_layers(&[vec![
        dir("/usr/sbin", 0o755),
        file("/usr/sbin/in.tftpd", 0o755, b"tftpd"),
    ]]);
    let tftp = one(&bare, "BL025", "/usr/sbin/in.tftpd");
    assert!(tftp.evidence.contains("no package database"));
}

fn config(json: &str) -> ImageConfig {
    serde_json::from_str(json).unwrap()
}

/// BL027–BL030 from the image config.
#[test]
fn image_config_rules() {
    let analysis = drydock_image::Analysis::default();
    let analyzer = BaselineAnalyzer::new(&BaselineConfig::default());
    let risky = config(
        r#"{"architecture":"amd64","os":"linux","config":{"User":"0:0","ExposedPorts":{"22/tcp":{},"8080/tcp":{}},"Volumes":{"/var/run/docker.sock":{},"/data":{},"/etc/":{}}},
        "rootfs":{"type":"layers","diff_ids":[]},
        "history":[{"created_by":"USER 0:0","empty_layer":true},{"created_by":"/bin/sh -c #(nop)  EXPOSE 22/tcp 8080/tcp","empty_layer":true},{"created_by":"VOLUME [/var/run/docker.sock /data /etc/]","empty_layer":true}]}"#,
    );
    let f = analyzer.findings(&[], Some(&risky), &analysis, None);
    let all = describe(&f);
    let user = of_rule(&f, "BL027");
    assert_eq!(user.len(), 1, "{all}");
    assert_eq!(user[0].severity, Severity::Medium);
    assert_eq!(user[0].history.as_ref().unwrap().index, 0);
    assert_eq!(of_rule(&f, "BL028").len(), 1);
    let port = of_rule(&f, "BL029");
    assert_eq!(port.len(), 1, "{all}");
    assert_eq!(port[0].history.as_ref().unwrap().index, 1);
    let volumes: Vec<_> = of_rule(&f, "BL030")
        .iter()
        .map(|e| e.path.clone().unwrap())
        .collect();
    assert_eq!(volumes, ["/etc/", "/var/run/docker.sock"], "{all}");

    let fine = config(
        r#"{"architecture":"amd64","os":"linux","config":{"User":"app","Healthcheck":{"Test":["CMD","true"]},"ExposedPorts":{"8080/tcp":{}}},"rootfs":{"type":"layers","diff_ids":[]}}"#,
    );
    assert!(analyzer
        .findings(&[], Some(&fine), &analysis, None)
        .is_empty());

    let disabled = config(
        r#"{"architecture":"amd64","os":"linux","config":{"Healthcheck":{"Test":["NONE"]}},"rootfs":{"type":"layers","diff_ids":[]}}"#,
    );
    let f = analyzer.findings(&[], Some(&disabled), &analysis, None);
    assert_eq!(one_config(&f, "BL027").severity, Severity::Low);
    assert_eq!(
        one_config(&f, "BL028").evidence,
        "Healthcheck disabled (NONE)"
    );
}

fn one_config<'a>(
    findings: &'a [drydock_baseline::BaselineFinding],
    rule: &str,
) -> &'a drydock_baseline::BaselineFinding {
    let found = of_rule(findings, rule);
    assert_eq!(found.len(), 1, "{}", describe(findings));
    found[0]
}

/// An account appended in a later layer is that layer's; lines of the base stay with the
/// base; a file deleted by a later layer is no risk.
#[test]
fn findings_belong_to_the_layer_that_introduced_the_line() {
    let base = vec![
        dir("/etc", 0o755),
        file("/etc/shadow", 0o640, b"root:*:1::::::\nlegacy::1::::::\n"),
        file("/etc/hosts.equiv", 0o644, b"+\n"),
    ];
    let appended = vec![file(
        "/etc/shadow",
        0o640,
        b"root:*:1::::::\nlegacy::1::::::\ndeploy::2::::::\n",
    )];
    let cleanup = vec![Item::Whiteout("/etc/hosts.equiv")];
    let f = scan_layers(&[base, appended, cleanup]);
    let all = describe(&f);
    let layers: Vec<(String, usize)> = of_rule(&f, "BL001")
        .iter()
        .map(|e| {
            (
                e.evidence.split(':').next().unwrap().to_string(),
                e.layer.as_ref().unwrap().index,
            )
        })
        .collect();
    assert_eq!(
        layers,
        [("legacy".into(), 0), ("deploy".into(), 1)],
        "{all}"
    );
    assert!(of_rule(&f, "BL020").is_empty(), "{all}");
}

/// Disabled rules are not reported, and every rule has an id, fix and description.
#[test]
fn disabled_rules_and_rule_table() {
    let root = tempfile::tempdir().unwrap();
    write(root.path(), "/etc/shadow", 0o640, b"deploy::1::::::\n");
    let config = BaselineConfig {
        disabled_rules: vec!["BL001".into()],
    };
    assert!(scan_dir(root.path(), &config).findings.is_empty());
    assert_eq!(rules().len(), 31);
    for rule in rules() {
        assert!(
            !rule.fix.is_empty() && !rule.description.is_empty(),
            "{}",
            rule.id
        );
    }
}

/// Every file of sshd_config.d includes the whole directory: each file is read once per
/// `Match` context (a loop is skipped), not 20^8 times.
#[test]
fn sshd_includes_that_include_each_other_finish() {
    let names: Vec<String> = (0..20)
        .map(|i| format!("/etc/ssh/sshd_config.d/{i:02}.conf"))
        .collect();
    let mut items = vec![
        dir("/etc/ssh", 0o755),
        dir("/etc/ssh/sshd_config.d", 0o755),
        file(
            "/etc/ssh/sshd_config",
            0o644,
            b"Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin no\nPasswordAuthentication yes\n",
        ),
    ];
    let include: &[u8] = b"Include /etc/ssh/sshd_config.d/*.conf\n";
    for (i, name) in names.iter().enumerate() {
        let content: &[u8] = match i {
            7 => b"Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin yes\n",
            12 => {
                b"Include /etc/ssh/sshd_config.d/*.conf\nMatch User x\n PermitEmptyPasswords yes\n"
            }
            _ => include,
        };
        items.push(file(name, 0o644, content));
    }
    let start = std::time::Instant::now();
    let f = scan_layers(&[items]);
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
    let all = describe(&f);
    assert_eq!(of_rule(&f, "BL016").len(), 1, "{all}");
    one(&f, "BL016", "/etc/ssh/sshd_config.d/07.conf");
    assert_eq!(of_rule(&f, "BL017").len(), 1, "{all}");
    let empty = one(&f, "BL017", "/etc/ssh/sshd_config.d/12.conf");
    assert_eq!(empty.severity, Severity::Medium);
    one(&f, "BL018", "/etc/ssh/sshd_config");
    assert!(!all.contains("stopped after"), "{all}");
}

/// 60 files in sudoers.d, each including the directory 3,000 times: every file is read
/// once, and quickly.
#[test]
fn sudo_includedir_repeated_in_every_file() {
    let includes = "@includedir /etc/sudoers.d\n".repeat(3_000);
    let contents: Vec<(String, String)> = (0..60)
        .map(|i| {
            (
                format!("/etc/sudoers.d/u{i:02}"),
                format!("{includes}u{i} ALL=(ALL) NOPASSWD: /usr/bin/id\n"),
            )
        })
        .collect();
    let mut items = vec![
        dir("/etc", 0o755),
        dir("/etc/sudoers.d", 0o755),
        file(
            "/etc/sudoers",
            0o440,
            b"root ALL=(ALL:ALL) ALL\n@includedir /etc/sudoers.d\n",
        ),
    ];
    for (path, content) in &contents {
        items.push(file(path, 0o440, content.as_bytes()));
    }
    let start = std::time::Instant::now();
    let f = scan_layers(&[items]);
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
    let sudo = of_rule(&f, "BL015");
    assert_eq!(sudo.len(), 60, "{}", describe(&f));
    for (path, _) in &contents {
        one(&f, "BL015", path);
    }
}

/// Thousands of `.git` directories: each is one finding with its own files (including a
/// `.git` nested in another, and a sibling whose name only starts with `.git`).
#[test]
fn many_git_directories_are_grouped() {
    let paths: Vec<[String; 4]> = (0..3000)
        .map(|i| {
            [
                format!("/src/p{i}/.git"),
                format!("/src/p{i}/.git/HEAD"),
                format!("/src/p{i}/.git/modules/m/.git/config"),
                format!("/src/p{i}/.gitkeep/x"),
            ]
        })
        .collect();
    let mut items = vec![dir("/src", 0o755)];
    for [git, head, nested, sibling] in &paths {
        items.push(dir(git, 0o755));
        items.push(file(head, 0o644, b"ref\n"));
        items.push(file(nested, 0o644, b"[core]\n"));
        items.push(file(sibling, 0o644, b"x"));
    }
    let start = std::time::Instant::now();
    let f = scan_layers(&[items]);
    assert!(start.elapsed().as_secs() < 30, "{:?}", start.elapsed());
    let junk = of_rule(&f, "BL022");
    assert_eq!(
        junk.len(),
        3000,
        "{}",
        describe(&junk.iter().map(|f| (*f).clone()).collect::<Vec<_>>()[..5.min(junk.len())])
    );
    for j in junk {
        assert!(
            j.path.as_deref().unwrap().ends_with("/.git"),
            "{:?}",
            j.path
        );
        assert_eq!(j.size, Some(11), "{}", j.evidence);
        assert!(
            j.evidence.starts_with("git metadata: 2 files"),
            "{}",
            j.evidence
        );
    }
}

/// Symlinked sensitive files: ld.so.preload and root's authorized_keys are reported as
/// links (their targets are not parsed); sudoers and sshd_config pointing at a parsed file
/// are checked through it.
#[test]
fn symlinked_config_files_are_checked() {
    let f = scan_layers(&[vec![
        dir("/etc", 0o755),
        dir("/usr/lib/.x", 0o755),
        file("/usr/lib/.x/list", 0o644, b"/usr/lib/.x/hide.so\n"),
        Item::Symlink {
            path: "/etc/ld.so.preload",
            target: "/usr/lib/.x/list",
        },
        dir("/root/.ssh", 0o700),
        file("/opt/keys", 0o600, b"ssh-ed25519 AAAA a@b\n"),
        Item::Symlink {
            path: "/root/.ssh/authorized_keys",
            target: "../../opt/keys",
        },
        dir("/etc/sudoers.d", 0o755),
        file(
            "/etc/sudoers.d/real",
            0o440,
            b"deploy ALL=(ALL) NOPASSWD: ALL\n",
        ),
        Item::Symlink {
            path: "/etc/sudoers",
            target: "sudoers.d/real",
        },
        dir("/etc/ssh/sshd_config.d", 0o755),
        file(
            "/etc/ssh/sshd_config.d/main.conf",
            0o644,
            b"PermitRootLogin yes\nPasswordAuthentication yes\n",
        ),
        Item::Symlink {
            path: "/etc/ssh/sshd_config",
            target: "/etc/ssh/sshd_config.d/main.conf",
        },
    ]]);
    let all = describe(&f);
    let preload = one(&f, "BL019", "/etc/ld.so.preload");
    assert_eq!(preload.severity, Severity::High);
    assert!(
        preload.evidence.contains("symlink to /usr/lib/.x/list"),
        "{all}"
    );
    let keys = one(&f, "BL021", "/root/.ssh/authorized_keys");
    assert!(keys.evidence.contains("symlink to /opt/keys"), "{all}");
    assert_eq!(
        one(&f, "BL015", "/etc/sudoers.d/real").severity,
        Severity::High
    );
    one(&f, "BL016", "/etc/ssh/sshd_config.d/main.conf");
    one(&f, "BL018", "/etc/ssh/sshd_config.d/main.conf");
}
