//! .NET (NuGet) packages: `*.deps.json` written next to a published application (what
//! actually ships), `packages.lock.json` (restore lock file) and the legacy `packages.config`.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::{Cataloger, LangPackage};
use crate::model::PackageKind;

/// The catalogers of this module.
pub fn catalogers() -> Vec<&'static dyn Cataloger> {
    vec![&DepsJson, &PackagesLock, &PackagesConfig]
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn nuget(name: &str, version: &str, path: &str) -> LangPackage {
    LangPackage {
        kind: PackageKind::Nuget,
        name: name.to_string(),
        namespace: None,
        version: version.to_string(),
        licenses: Vec::new(),
        path: path.to_string(),
    }
}

fn parse_json_object(content: &[u8]) -> Result<Map<String, Value>, String> {
    match serde_json::from_slice::<Value>(content) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err("not a JSON object".into()),
        Err(e) => Err(format!("invalid JSON: {e}")),
    }
}

/// `<app>.deps.json`: the runtime dependency manifest of a built .NET application.
pub struct DepsJson;

impl Cataloger for DepsJson {
    fn name(&self) -> &'static str {
        "dotnet-deps"
    }

    fn wants(&self, path: &str) -> bool {
        let name = file_name(path);
        name.len() > ".deps.json".len() && name.ends_with(".deps.json")
    }

    fn parse(&self, path: &str, content: &[u8]) -> Result<Vec<LangPackage>, String> {
        let root = parse_json_object(content)?;
        let Some(libraries) = root.get("libraries").and_then(Value::as_object) else {
            return Ok(Vec::new());
        };
        let target = runtime_target(&root);
        let mut found = BTreeSet::new();
        for (key, library) in libraries {
            let Some((name, version)) = split_library_key(key) else {
                continue;
            };
            let name = match library.get("type").and_then(Value::as_str) {
                Some("package") => name,
                // Self-contained apps bundle the runtime itself: report it under its
                // NuGet id so runtime advisories match.
                Some("runtimepack") => name.strip_prefix("runtimepack.").unwrap_or(name),
                // "project" is the application (or a sibling project of its solution),
                // "referenceassembly" a compile-time facade: neither is a NuGet package.
                _ => continue,
            };
            if target.is_some_and(|t| !ships_assets(t, key)) {
                continue;
            }
            found.insert((name.to_string(), version.to_string()));
        }
        Ok(found
            .into_iter()
            .map(|(name, version)| nuget(&name, &version, path))
            .collect())
    }
}

/// `Name/Version` keys of `libraries` and `targets`.
fn split_library_key(key: &str) -> Option<(&str, &str)> {
    let (name, version) = key.split_once('/')?;
    (!name.trim().is_empty() && !version.trim().is_empty()).then_some((name, version))
}

/// The target the application runs on (`runtimeTarget.name`), when the file has it.
fn runtime_target(root: &Map<String, Value>) -> Option<&Map<String, Value>> {
    let name = root.get("runtimeTarget")?.get("name")?.as_str()?;
    root.get("targets")?.get(name)?.as_object()
}

/// Like the .NET host, a library listed under the runtime target loads only if it brings
/// runtime, native or RID-specific assets; compile-only and meta-packages ship nothing.
/// A library missing from the target is kept (nothing proves it is unused).
fn ships_assets(target: &Map<String, Value>, key: &str) -> bool {
    let Some(entry) = target.get(key) else {
        return true;
    };
    ["runtime", "native", "runtimeTargets"]
        .iter()
        .any(|section| {
            entry
                .get(section)
                .and_then(Value::as_object)
                .is_some_and(|assets| !assets.is_empty())
        })
}

/// `packages.lock.json`: NuGet restore lock file, one dependency map per target framework.
pub struct PackagesLock;

impl Cataloger for PackagesLock {
    fn name(&self) -> &'static str {
        "nuget-lock"
    }

    fn wants(&self, path: &str) -> bool {
        file_name(path) == "packages.lock.json"
    }

    fn parse(&self, path: &str, content: &[u8]) -> Result<Vec<LangPackage>, String> {
        let root = parse_json_object(content)?;
        let Some(frameworks) = root.get("dependencies").and_then(Value::as_object) else {
            return Ok(Vec::new());
        };
        // The same package is usually locked for every framework: report it once.
        let mut found = BTreeSet::new();
        for deps in frameworks.values().filter_map(Value::as_object) {
            for (name, dep) in deps {
                let kind = dep.get("type").and_then(Value::as_str).unwrap_or_default();
                // Project references are the solution's own code.
                if kind.eq_ignore_ascii_case("project") {
                    continue;
                }
                let Some(version) = dep.get("resolved").and_then(Value::as_str) else {
                    continue;
                };
                if !name.trim().is_empty() && !version.trim().is_empty() {
                    found.insert((name.clone(), version.to_string()));
                }
            }
        }
        Ok(found
            .into_iter()
            .map(|(name, version)| nuget(&name, &version, path))
            .collect())
    }
}

/// `packages.config`: the pre-PackageReference list of a .NET Framework project.
pub struct PackagesConfig;

impl Cataloger for PackagesConfig {
    fn name(&self) -> &'static str {
        "nuget-config"
    }

    fn wants(&self, path: &str) -> bool {
        file_name(path) == "packages.config"
    }

    fn parse(&self, path: &str, content: &[u8]) -> Result<Vec<LangPackage>, String> {
        let text = String::from_utf8_lossy(content);
        let elements = xml::elements(&text)?;
        if elements.first().map(|e| e.name.as_str()) != Some("packages") {
            return Err("root element is not <packages>".into());
        }
        let mut found = Vec::new();
        for element in elements
            .iter()
            .filter(|e| e.depth == 1 && e.name == "package")
        {
            let (Some(id), Some(version)) = (element.attr("id"), element.attr("version")) else {
                continue;
            };
            // Build-time tooling (analyzers, compilers) is not deployed with the app.
            if element
                .attr("developmentDependency")
                .is_some_and(|v| v.eq_ignore_ascii_case("true"))
            {
                continue;
            }
            if !id.trim().is_empty() && !version.trim().is_empty() {
                found.push(nuget(id.trim(), version.trim(), path));
            }
        }
        Ok(found)
    }
}

/// Just enough XML to read attribute-only configuration files: start tags with their
/// attributes and depth; comments, processing instructions, DOCTYPE and CDATA are skipped;
/// end tags must match. Not a general parser (no DTD entities, no namespaces).
mod xml {
    /// Elements nested deeper than this are refused (no real config file comes close).
    const MAX_DEPTH: usize = 256;

    #[derive(Debug)]
    pub struct Element {
        pub name: String,
        pub depth: usize,
        pub attributes: Vec<(String, String)>,
    }

    impl Element {
        pub fn attr(&self, name: &str) -> Option<&str> {
            self.attributes
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        }
    }

    /// Every start (or empty) element in document order, checking that the document is
    /// one well-nested root element.
    pub fn elements(text: &str) -> Result<Vec<Element>, String> {
        let mut rest = text.trim_start_matches('\u{feff}');
        let mut open: Vec<String> = Vec::new();
        let mut elements = Vec::new();
        let mut root_closed = false;
        loop {
            let Some(lt) = rest.find('<') else {
                check_text(rest, &open, root_closed)?;
                break;
            };
            check_text(&rest[..lt], &open, root_closed)?;
            rest = &rest[lt..];
            if let Some(after) = skip_markup(rest)? {
                rest = after;
                continue;
            }
            if let Some(tail) = rest.strip_prefix("</") {
                let end = tail.find('>').ok_or("unterminated end tag")?;
                let name = tail[..end].trim();
                if open.pop().as_deref() != Some(name) {
                    return Err(format!("mismatched end tag </{name}>"));
                }
                root_closed = open.is_empty();
                rest = &tail[end + 1..];
                continue;
            }
            if root_closed {
                return Err("content after the root element".into());
            }
            let (element, self_closing, after) = start_tag(&rest[1..], open.len())?;
            if !self_closing {
                if open.len() >= MAX_DEPTH {
                    return Err("elements nested too deeply".into());
                }
                open.push(element.name.clone());
            } else if open.is_empty() {
                root_closed = true;
            }
            elements.push(element);
            rest = after;
        }
        if let Some(name) = open.last() {
            return Err(format!("unexpected end of file inside <{name}>"));
        }
        if elements.is_empty() {
            return Err("no XML element".into());
        }
        Ok(elements)
    }

    /// Text outside the root element must be blank.
    fn check_text(text: &str, open: &[String], root_closed: bool) -> Result<(), String> {
        if (open.is_empty() || root_closed) && !text.trim().is_empty() {
            return Err("text outside the root element".into());
        }
        Ok(())
    }

    /// Skips `<?...?>`, `<!--...-->`, `<![CDATA[...]]>` and `<!...>`; `None` if `rest`
    /// starts with a tag instead.
    fn skip_markup(rest: &str) -> Result<Option<&str>, String> {
        for (open, close) in [
            ("<?", "?>"),
            ("<!--", "-->"),
            ("<![CDATA[", "]]>"),
            ("<!", ">"),
        ] {
            if let Some(tail) = rest.strip_prefix(open) {
                let end = tail
                    .find(close)
                    .ok_or_else(|| format!("unterminated {open}"))?;
                return Ok(Some(&tail[end + close.len()..]));
            }
        }
        Ok(None)
    }

    /// Parses `name attr="v" ...>` or `.../>` (the leading `<` already consumed).
    fn start_tag(tag: &str, depth: usize) -> Result<(Element, bool, &str), String> {
        let name_end = tag
            .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
            .ok_or("unterminated start tag")?;
        let name = &tag[..name_end];
        if name.is_empty() {
            return Err("start tag without a name".into());
        }
        let mut element = Element {
            name: name.to_string(),
            depth,
            attributes: Vec::new(),
        };
        let mut rest = &tag[name_end..];
        loop {
            rest = rest.trim_start();
            if let Some(after) = rest.strip_prefix("/>") {
                return Ok((element, true, after));
            }
            if let Some(after) = rest.strip_prefix('>') {
                return Ok((element, false, after));
            }
            let eq = rest.find('=').ok_or("attribute without a value")?;
            let key = rest[..eq].trim();
            if key.is_empty() || key.contains(|c: char| c.is_whitespace() || "<>/\"'".contains(c)) {
                return Err("malformed attribute name".into());
            }
            let value = rest[eq + 1..].trim_start();
            let quote = value.chars().next().filter(|q| *q == '"' || *q == '\'');
            let quote = quote.ok_or("unquoted attribute value")?;
            let body = &value[1..];
            let end = body.find(quote).ok_or("unterminated attribute value")?;
            element
                .attributes
                .push((key.to_string(), unescape(&body[..end])));
            rest = &body[end + 1..];
        }
    }

    /// The five predefined entities and numeric character references.
    fn unescape(value: &str) -> String {
        let mut out = String::with_capacity(value.len());
        let mut rest = value;
        while let Some(amp) = rest.find('&') {
            out.push_str(&rest[..amp]);
            rest = &rest[amp..];
            let Some(semi) = rest.find(';').filter(|&s| s <= 10) else {
                out.push('&');
                rest = &rest[1..];
                continue;
            };
            let entity = &rest[1..semi];
            let decoded = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .map(|hex| u32::from_str_radix(hex, 16))
                    .or_else(|| entity.strip_prefix('#').map(str::parse::<u32>))
                    .and_then(Result::ok)
                    .and_then(char::from_u32),
            };
            match decoded {
                Some(c) => {
                    out.push(c);
                    rest = &rest[semi + 1..];
                }
                None => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
        out.push_str(rest);
        out
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn reads_nested_elements_and_attributes() {
            let doc = "\u{feff}<?xml version=\"1.0\"?><!-- c --><a x='1'><b y=\"&lt;&#65;&#x42;&amp;\"/><c></c></a>\n";
            let found = elements(doc).unwrap();
            let names: Vec<_> = found.iter().map(|e| (e.name.as_str(), e.depth)).collect();
            assert_eq!(names, [("a", 0), ("b", 1), ("c", 1)]);
            assert_eq!(found[0].attr("x"), Some("1"));
            assert_eq!(found[1].attr("y"), Some("<AB&"));
        }

        #[test]
        fn rejects_malformed_documents() {
            for bad in [
                "",
                "not xml",
                "<a>",
                "<a></b>",
                "<a/><b/>",
                "<a/>text",
                "<a x=1/>",
                "<a x=\"1/>",
                "<a x/>",
                "<!-- open",
                "<a><",
                "</a>",
                "<>",
            ] {
                assert!(elements(bad).is_err(), "{bad:?}");
            }
        }

        #[test]
        fn deep_nesting_is_refused() {
            let doc = "<a>".repeat(100_000);
            assert!(elements(&doc).is_err());
        }

        #[test]
        fn unknown_entities_stay_literal() {
            assert_eq!(unescape("a&b;c&#xZZ;&"), "a&b;c&#xZZ;&");
            assert_eq!(unescape("&#1114112;"), "&#1114112;");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(found: &[LangPackage]) -> Vec<String> {
        found
            .iter()
            .map(|p| format!("{}@{}", p.name, p.version))
            .collect()
    }

    #[test]
    fn wants_exact_file_names() {
        assert!(DepsJson.wants("/app/MyApp.deps.json"));
        assert!(!DepsJson.wants("/app/.deps.json"));
        assert!(!DepsJson.wants("/app/MyApp.runtimeconfig.json"));
        assert!(PackagesLock.wants("/src/App/packages.lock.json"));
        assert!(!PackagesLock.wants("/src/App/packages.lock.json.bak"));
        assert!(PackagesConfig.wants("/src/App/packages.config"));
        assert!(!PackagesConfig.wants("/src/App/web.config"));
    }

    #[test]
    fn deps_json_keeps_packages_with_runtime_assets() {
        let doc = br#"{
          "runtimeTarget": {"name": "net8"},
          "targets": {"net8": {
            "App/1.0.0": {"runtime": {"App.dll": {}}},
            "Used/1.0.0": {"runtime": {"lib/Used.dll": {}}},
            "Native/2.0.0": {"native": {"x.so": {}}},
            "CompileOnly/3.0.0": {"compile": {"ref/x.dll": {}}},
            "Meta/4.0.0": {"dependencies": {"Used": "1.0.0"}},
            "runtimepack.Microsoft.NETCore.App.Runtime.linux-x64/8.0.0": {"runtime": {"a.dll": {}}}
          }},
          "libraries": {
            "App/1.0.0": {"type": "project"},
            "Used/1.0.0": {"type": "package"},
            "Native/2.0.0": {"type": "package"},
            "CompileOnly/3.0.0": {"type": "package"},
            "Meta/4.0.0": {"type": "package"},
            "Elsewhere/5.0.0": {"type": "package"},
            "NoVersion": {"type": "package"},
            "runtimepack.Microsoft.NETCore.App.Runtime.linux-x64/8.0.0": {"type": "runtimepack"}
          }
        }"#;
        let found = DepsJson.parse("/app/App.deps.json", doc).unwrap();
        assert_eq!(
            names(&found),
            [
                "Elsewhere@5.0.0",
                "Microsoft.NETCore.App.Runtime.linux-x64@8.0.0",
                "Native@2.0.0",
                "Used@1.0.0"
            ]
        );
        assert!(found.iter().all(|p| p.kind == PackageKind::Nuget));
    }

    #[test]
    fn packages_lock_dedupes_across_frameworks() {
        let doc = br#"{"version": 1, "dependencies": {
            "net6.0": {"A": {"type": "Direct", "resolved": "1.0.0"},
                       "Me": {"type": "Project"},
                       "B": {"type": "Transitive"}},
            "net8.0": {"A": {"type": "Direct", "resolved": "1.0.0"},
                       "A2": {"type": "CentralTransitive", "resolved": "2.0.0"}},
            "bad": 5
        }}"#;
        let found = PackagesLock.parse("/src/packages.lock.json", doc).unwrap();
        assert_eq!(names(&found), ["A@1.0.0", "A2@2.0.0"]);
    }

    #[test]
    fn packages_config_skips_dev_and_incomplete_entries() {
        let doc = br#"<?xml version="1.0" encoding="utf-8"?>
<packages>
  <!-- <package id="Commented" version="1.0.0" /> -->
  <package id="A" version="1.0.0" targetFramework="net46" />
  <package id='B' version='2.0.0'></package>
  <package id="Tool" version="1.0.0" developmentDependency="true" />
  <package version="1.0.0" />
  <package id="NoVersion" />
</packages>"#;
        let found = PackagesConfig.parse("/src/packages.config", doc).unwrap();
        assert_eq!(names(&found), ["A@1.0.0", "B@2.0.0"]);
    }

    #[test]
    fn hostile_input_is_an_error_not_a_panic() {
        let deep = "[".repeat(100_000);
        for bad in [&b""[..], b"{", b"[]", b"null", b"\xff\xfe", deep.as_bytes()] {
            assert!(DepsJson.parse("/a.deps.json", bad).is_err());
            assert!(PackagesLock.parse("/packages.lock.json", bad).is_err());
            assert!(PackagesConfig.parse("/packages.config", bad).is_err());
        }
        // Wrong shapes inside a valid document are skipped, not fatal.
        let odd =
            br#"{"runtimeTarget": 1, "targets": [], "libraries": {"A/1": 5, "B/2": {"type": 7}}}"#;
        assert!(DepsJson.parse("/a.deps.json", odd).unwrap().is_empty());
        let odd = br#"{"dependencies": {"net": {"A": 5, "B": {"resolved": 1}}}}"#;
        assert!(PackagesLock
            .parse("/packages.lock.json", odd)
            .unwrap()
            .is_empty());
        assert!(PackagesConfig
            .parse("/packages.config", b"<configuration/>")
            .is_err());
    }

    #[test]
    fn many_entries_are_fine() {
        let mut doc = String::from("<packages>");
        for i in 0..20_000 {
            doc.push_str(&format!("<package id=\"P{i}\" version=\"1.0.{i}\"/>"));
        }
        doc.push_str("</packages>");
        let found = PackagesConfig
            .parse("/packages.config", doc.as_bytes())
            .unwrap();
        assert_eq!(found.len(), 20_000);
    }
}
