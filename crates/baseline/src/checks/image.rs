//! The image config, Dockle style: root user, no HEALTHCHECK, SSH port exposed, sensitive
//! VOLUMEs (rules BL027–BL030).

use crate::findings::{HistoryRef, Scan};
use crate::rules::Severity;
use crate::text::one_line;

/// Directories whose host copy must never be mounted into a container.
const SENSITIVE_VOLUMES: &[&str] = &[
    "/",
    "/etc",
    "/proc",
    "/sys",
    "/dev",
    "/boot",
    "/root",
    "/usr",
    "/lib",
    "/lib64",
    "/bin",
    "/sbin",
    "/var/run",
    "/run",
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/lib/docker",
    "/var/lib/kubelet",
    "/run/containerd/containerd.sock",
];

/// The last history entry whose instruction is `instruction` and mentions `needle`.
fn history_of(scan: &Scan<'_>, instruction: &str, needle: &str) -> Option<HistoryRef> {
    let config = scan.config?;
    config
        .history
        .iter()
        .enumerate()
        .rev()
        .find(|(_, h)| {
            h.created_by.as_deref().is_some_and(|line| {
                // Classic builder: `/bin/sh -c #(nop)  USER root`; BuildKit: `USER root`.
                let body = line.split("#(nop)").last().unwrap_or(line).trim_start();
                body.starts_with(instruction) && mentions(body, needle)
            })
        })
        .map(|(index, h)| HistoryRef {
            index,
            created_by: one_line(h.created_by.as_deref().unwrap_or("")),
        })
}

/// Whether `needle` is a whole token of `body`: port 22 is not in `EXPOSE 2222`, user 0
/// is not in `USER 1000`.
fn mentions(body: &str, needle: &str) -> bool {
    // A path needle keeps its slashes; a port needle drops the `/tcp`.
    let path = needle.contains('/');
    body.split(|c: char| {
        c.is_whitespace()
            || matches!(c, '[' | ']' | '{' | '}' | '"' | ',' | '=')
            || (!path && c == '/')
    })
    .any(|token| token == needle)
}

fn port_number(spec: &str) -> &str {
    spec.split('/').next().unwrap_or(spec)
}

pub(super) fn check(scan: &mut Scan<'_>) {
    let Some(config) = scan.config else {
        return;
    };
    let container = &config.config;

    let user = container.user.as_deref().unwrap_or("").trim();
    let name = user.split(':').next().unwrap_or("");
    if name.is_empty() || name == "root" || name == "0" {
        let explicit = !name.is_empty();
        let history = explicit.then(|| history_of(scan, "USER", user)).flatten();
        let evidence = if explicit {
            format!("User {user:?}")
        } else {
            "no User set: processes run as root".to_string()
        };
        let severity = (!explicit).then_some(Severity::Low);
        if let Some(f) = scan.emit("BL027", severity, None, None, None, evidence) {
            f.history = history;
            if !explicit {
                f.note = Some(
                    "base images usually leave User unset; set it in the image that runs the application"
                        .to_string(),
                );
            }
        }
    }

    let no_healthcheck = container
        .healthcheck
        .as_ref()
        .is_none_or(|h| h.test.is_empty() || h.test.first().is_some_and(|t| t == "NONE"));
    if no_healthcheck {
        let evidence = if container.healthcheck.is_some() {
            "Healthcheck disabled (NONE)"
        } else {
            "no Healthcheck in the config"
        };
        scan.emit("BL028", None, None, None, None, evidence.to_string());
    }

    for port in container.exposed_ports.keys() {
        let protocol_tcp = port.split('/').nth(1).is_none_or(|p| p == "tcp");
        if port_number(port) == "22" && protocol_tcp {
            let history = history_of(scan, "EXPOSE", "22");
            if let Some(f) = scan.emit(
                "BL029",
                None,
                None,
                None,
                None,
                format!("ExposedPorts {port}"),
            ) {
                f.history = history;
            }
        }
    }

    for volume in container.volumes.keys() {
        let normalized = match volume.trim_end_matches('/') {
            "" => "/",
            v => v,
        };
        if SENSITIVE_VOLUMES.contains(&normalized) {
            let history = history_of(scan, "VOLUME", volume);
            if let Some(f) = scan.emit(
                "BL030",
                None,
                Some(volume),
                None,
                None,
                format!("Volumes {volume}"),
            ) {
                f.history = history;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::mentions;

    #[test]
    fn needles_match_whole_tokens() {
        assert!(mentions("EXPOSE map[22/tcp:{} 3000/tcp:{}]", "22"));
        assert!(mentions("EXPOSE 22", "22"));
        assert!(!mentions("EXPOSE 2222/tcp", "22"));
        assert!(!mentions("USER 1000", "0"));
        assert!(mentions("USER 0", "0"));
        assert!(mentions(
            "VOLUME [/var/run/docker.sock]",
            "/var/run/docker.sock"
        ));
        assert!(mentions("VOLUME [\"/data\"]", "/data"));
        assert!(!mentions("VOLUME [/data2]", "/data"));
    }
}
