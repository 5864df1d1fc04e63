//! Image references as Docker spells them: `[registry[:port]/]repo[:tag][@sha256:…]`.

use std::fmt;
use std::str::FromStr;

use crate::digest::Digest;
use crate::error::Error;

pub const DOCKER_HUB: &str = "docker.io";
/// Docker Hub's API lives on another host than its name.
const DOCKER_HUB_API: &str = "registry-1.docker.io";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// Registry host with optional port, as the user names it (`docker.io`, `localhost:5000`).
    pub registry: String,
    /// Repository path (`library/alpine`, `scanlab/acme-shop`).
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<Digest>,
}

impl Reference {
    /// The tag or digest a manifest request asks for (a digest wins over a tag).
    pub fn manifest_ref(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => d.to_string(),
            (None, Some(t)) => t.clone(),
            (None, None) => "latest".into(),
        }
    }

    /// The host[:port] the registry API is served from.
    pub fn api_host(&self) -> &str {
        if self.registry == DOCKER_HUB {
            DOCKER_HUB_API
        } else {
            &self.registry
        }
    }

    /// True for registries on this machine, which Docker also treats as insecure by default.
    pub fn is_loopback(&self) -> bool {
        let host = host_without_port(&self.registry);
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        host == "localhost"
            || bare
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }
}

fn host_without_port(registry: &str) -> &str {
    if registry.starts_with('[') {
        return registry.split_inclusive(']').next().unwrap_or(registry);
    }
    registry.split(':').next().unwrap_or(registry)
}

impl FromStr for Reference {
    type Err = Error;

    fn from_str(input: &str) -> Result<Self, Error> {
        let invalid = |reason: &str| Error::InvalidReference {
            reference: input.to_string(),
            reason: reason.to_string(),
        };
        if input.is_empty() {
            return Err(invalid("empty reference"));
        }
        if input.len() > 4096 {
            return Err(invalid("longer than 4096 characters"));
        }
        let (rest, digest) = match input.split_once('@') {
            Some((rest, d)) => (rest, Some(d.parse::<Digest>().map_err(|e| invalid(&e))?)),
            None => (input, None),
        };
        // A tag is what follows the last ':' after the last '/', so "host:5000/repo" keeps its port.
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
            None => (rest, None),
        };
        if let Some(tag) = tag {
            let valid = !tag.is_empty()
                && tag.len() <= 128
                && tag
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
                && !tag.starts_with(['.', '-']);
            if !valid {
                return Err(invalid("invalid tag"));
            }
        }
        let (registry, repository) = match name.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_string(), rest.to_string())
            }
            _ => (DOCKER_HUB.to_string(), name.to_string()),
        };
        let registry = if registry == "index.docker.io" {
            DOCKER_HUB.to_string()
        } else {
            registry
        };
        let repository = if registry == DOCKER_HUB && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        let component_ok = |c: &str| {
            !c.is_empty()
                && c.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
                && c.starts_with(|ch: char| ch.is_ascii_alphanumeric())
                && c.ends_with(|ch: char| ch.is_ascii_alphanumeric())
        };
        if !repository.split('/').all(component_ok) {
            return Err(invalid(
                "repository names are lower-case letters, digits and separators (. _ -)",
            ));
        }
        Ok(Reference {
            registry,
            repository,
            tag: match (tag, &digest) {
                (Some(t), _) => Some(t.to_string()),
                (None, None) => Some("latest".to_string()),
                (None, Some(_)) => None,
            },
            digest,
        })
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Reference {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn docker_hub_short_names() {
        let r = parse("alpine");
        assert_eq!(r.to_string(), "docker.io/library/alpine:latest");
        assert_eq!(r.api_host(), "registry-1.docker.io");
        assert_eq!(
            parse("bitnami/redis:7").to_string(),
            "docker.io/bitnami/redis:7"
        );
        assert_eq!(
            parse("index.docker.io/library/debian:12").to_string(),
            "docker.io/library/debian:12"
        );
    }

    #[test]
    fn registries_ports_and_digests() {
        let r = parse("localhost:5000/scanlab/acme-shop:1.4.2");
        assert_eq!(r.registry, "localhost:5000");
        assert_eq!(r.repository, "scanlab/acme-shop");
        assert_eq!(r.tag.as_deref(), Some("1.4.2"));
        assert!(r.is_loopback());

        assert!(!parse("127.example.com/x").is_loopback());
        let r = parse("127.0.0.1:5000/x");
        assert_eq!(r.tag.as_deref(), Some("latest"));
        assert!(r.is_loopback());

        let d = "sha256:572080844c9017ec2966f3d123f3977fb60ffec133faf3ac774f6e357727e1c4";
        let r = parse(&format!("ghcr.io/o/r@{d}"));
        assert_eq!(r.tag, None);
        assert_eq!(r.manifest_ref(), d);
        assert!(!r.is_loopback());

        let r = parse(&format!("ghcr.io/o/r:v1@{d}"));
        assert_eq!(r.manifest_ref(), d);
        assert_eq!(r.to_string(), format!("ghcr.io/o/r:v1@{d}"));
    }

    #[test]
    fn rejects_bad_references() {
        for bad in [
            "",
            "UPPER/case",
            "a/b:",
            "a/b:-x",
            "a@sha256:12",
            "a//b",
            "a/b:t@md5:0",
        ] {
            let err = bad.parse::<Reference>().unwrap_err();
            assert!(
                err.to_string().starts_with("invalid image reference"),
                "{bad}: {err}"
            );
        }
    }
}
