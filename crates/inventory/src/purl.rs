//! Package URLs (https://github.com/package-url/purl-spec) for OS packages.

/// Percent-encodes what a PURL component may not hold literally.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Versions keep `:` (Debian and RPM epochs) literal, as packageurl-go, syft and trivy
/// write them, so PURLs compare equal across tools.
pub fn encode_version(version: &str) -> String {
    encode(version).replace("%3A", ":")
}

/// `pkg:TYPE/NAMESPACE/NAME@VERSION?k=v…` with qualifiers sorted by key, as the spec asks.
pub fn build(
    kind: &str,
    namespace: &str,
    name: &str,
    version: &str,
    qualifiers: &[(&str, Option<&str>)],
) -> String {
    let mut purl = format!(
        "pkg:{kind}/{}/{}@{}",
        encode(namespace),
        encode(name),
        encode_version(version)
    );
    let mut quals: Vec<(&str, &str)> = qualifiers
        .iter()
        .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (*k, v)))
        .collect();
    quals.sort();
    for (i, (k, v)) in quals.iter().enumerate() {
        purl.push(if i == 0 { '?' } else { '&' });
        purl.push_str(k);
        purl.push('=');
        purl.push_str(&encode_version(v));
    }
    purl
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deb_purl() {
        assert_eq!(
            build(
                "deb",
                "debian",
                "libc6",
                "2.36-9+deb12u4",
                &[
                    ("arch", Some("amd64")),
                    ("distro", Some("debian-12")),
                    ("upstream", Some("glibc"))
                ]
            ),
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc"
        );
        assert_eq!(
            build("apk", "alpine", "musl", "1.2.5-r0", &[("arch", None)]),
            "pkg:apk/alpine/musl@1.2.5-r0"
        );
    }
}
