//! Package URLs read back (from SBOMs, and Maven coordinates from our own PURLs).

use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Purl {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub version: Option<String>,
    pub qualifiers: BTreeMap<String, String>,
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Some(byte) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Purl {
    /// Parses `pkg:type/namespace/name@version?qualifiers#subpath`; `None` when it is not a
    /// package URL.
    pub fn parse(text: &str) -> Option<Purl> {
        let rest = text.strip_prefix("pkg:")?;
        let rest = rest.split('#').next().unwrap_or(rest);
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        let (path, version) = match rest.rsplit_once('@') {
            // `@` inside the path is an encoded npm scope only when percent-encoded, so a
            // literal one after the last `/` separates the version.
            Some((p, v)) if !v.contains('/') => (p, Some(decode(v))),
            _ => (rest, None),
        };
        let mut segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        if segments.len() < 2 {
            return None;
        }
        let kind = segments.remove(0).to_ascii_lowercase();
        let name = decode(segments.pop()?);
        if name.is_empty() {
            return None;
        }
        let namespace = (!segments.is_empty()).then(|| {
            segments
                .iter()
                .map(|s| decode(s))
                .collect::<Vec<_>>()
                .join("/")
        });
        let qualifiers = query
            .map(|q| {
                q.split('&')
                    .filter_map(|pair| pair.split_once('='))
                    .map(|(k, v)| (k.to_ascii_lowercase(), decode(v)))
                    .collect()
            })
            .unwrap_or_default();
        Some(Purl {
            kind,
            namespace,
            name,
            version,
            qualifiers,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_shapes_scanners_write() {
        let deb = Purl::parse(
            "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&upstream=openssl&distro=debian-12",
        )
        .unwrap();
        assert_eq!(deb.kind, "deb");
        assert_eq!(deb.namespace.as_deref(), Some("debian"));
        assert_eq!(deb.name, "libssl3");
        assert_eq!(deb.version.as_deref(), Some("3.0.11-1~deb12u2"));
        assert_eq!(deb.qualifiers["upstream"], "openssl");
        let epoch = Purl::parse("pkg:deb/debian/login@1:4.13%2Bdfsg1-1?arch=amd64").unwrap();
        assert_eq!(epoch.version.as_deref(), Some("1:4.13+dfsg1-1"));
        let scoped = Purl::parse("pkg:npm/%40babel/core@7.0.0").unwrap();
        assert_eq!(
            (scoped.namespace.as_deref(), scoped.name.as_str()),
            (Some("@babel"), "core")
        );
        let maven = Purl::parse("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1").unwrap();
        assert_eq!(maven.namespace.as_deref(), Some("org.apache.logging.log4j"));
        assert!(Purl::parse("not a purl").is_none());
        assert!(Purl::parse("pkg:npm").is_none());
        assert_eq!(Purl::parse("pkg:npm/%").unwrap().name, "%");
        assert_eq!(Purl::parse("pkg:npm/a%é@1").unwrap().name, "a%é");
    }
}
