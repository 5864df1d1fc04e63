//! Go modules: the build info the Go linker embeds in every module-aware binary, and
//! `go.mod` files.
//!
//! Policy (chosen to match what a Trivy user sees in an image scan):
//! - binaries report every `dep` (its `=>` replacement when there is one), the main module
//!   when it carries a version (from the build info, else a `-X …version=` ldflag), and
//!   the toolchain as `stdlib` with a `v`-prefixed version (`go1.22.1` → `v1.22.1`), like
//!   Trivy, so it sorts and matches like every other Go module version;
//! - `go.mod` reports its `require`s after `replace` and `exclude`; it reports no `stdlib` (the `go`
//!   line is only a minimum, Trivy's default does the same) and not the main module;
//! - a module replaced by a local directory is dropped: it comes from no registry.

use object::{Object, ObjectSection, ObjectSegment};

use super::{Cataloger, LangPackage};
use crate::model::PackageKind;

/// The catalogers of this module.
pub fn catalogers() -> Vec<&'static dyn Cataloger> {
    vec![&GoBinaryCataloger, &GoModCataloger]
}

fn package(name: &str, version: &str, path: &str) -> LangPackage {
    LangPackage {
        kind: PackageKind::Golang,
        name: name.to_string(),
        namespace: None,
        version: version.to_string(),
        licenses: Vec::new(),
        path: path.to_string(),
    }
}

// ---------------------------------------------------------------------------------------
// Which files may be executables.

/// Directories that hold data, not programs: skipping them keeps binary catalogers cheap.
const NOT_EXECUTABLE_DIRS: &[&str] = &[
    "/usr/share/",
    "/usr/include/",
    "/usr/src/",
    "/etc/",
    "/var/lib/",
    "/var/cache/",
    "/var/log/",
    "/lib/modules/",
    "/proc/",
    "/sys/",
    "/dev/",
];

/// Whether `path` is plausibly an executable, judged by its name alone (no file mode or
/// content is available in `wants`): anything in a `bin`/`sbin` directory, and files
/// without an extension elsewhere except under data-only trees. Shared with the Rust
/// binary cataloger.
pub(crate) fn is_plausible_executable(path: &str) -> bool {
    if NOT_EXECUTABLE_DIRS.iter().any(|dir| path.starts_with(dir))
        || path.contains("/node_modules/")
        || path.contains("/site-packages/")
        || path.contains("/.git/")
    {
        return false;
    }
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    // Versioned shared libraries (`libc.so.6`) look extensionless to the rule below.
    if name.is_empty() || name.contains(".so.") {
        return false;
    }
    if dir.ends_with("/bin") || dir.ends_with("/sbin") {
        return true;
    }
    match name.rsplit_once('.') {
        // `.bashrc`, `python3.11`, `app.v2`: not an extension that names a data format.
        None => true,
        Some(("", _)) => false,
        Some((_, ext)) => {
            ext.eq_ignore_ascii_case("exe")
                || ext.eq_ignore_ascii_case("bin")
                || !ext.bytes().any(|b| b.is_ascii_alphabetic())
                || ext.len() > 5
                || (ext.starts_with('v') && ext[1..].bytes().all(|b| b.is_ascii_digit()))
        }
    }
}

/// ELF, Mach-O (thin) or PE, by magic bytes.
pub(crate) fn has_executable_magic(content: &[u8]) -> bool {
    const MAGICS: &[&[u8]] = &[
        b"\x7fELF",
        b"\xfe\xed\xfa\xce",
        b"\xce\xfa\xed\xfe",
        b"\xfe\xed\xfa\xcf",
        b"\xcf\xfa\xed\xfe",
        b"MZ",
    ];
    MAGICS.iter().any(|magic| content.starts_with(magic))
}

// ---------------------------------------------------------------------------------------
// Binaries.

/// Go build info embedded by the linker in a binary.
pub struct GoBinaryCataloger;

impl Cataloger for GoBinaryCataloger {
    fn name(&self) -> &'static str {
        "go-binary"
    }

    fn wants(&self, path: &str) -> bool {
        is_plausible_executable(path)
    }

    /// Go binaries of 100 MiB and more are common (kubectl, terraform providers).
    fn max_size(&self) -> u64 {
        256 << 20
    }

    fn parse(&self, path: &str, content: &[u8]) -> Result<Vec<LangPackage>, String> {
        if !has_executable_magic(content) {
            return Ok(Vec::new());
        }
        // A corrupt executable that is not a Go binary is not ours to report.
        let Ok(file) = object::File::parse(content) else {
            return Ok(Vec::new());
        };
        let Some(info) = read_build_info(&file, content)? else {
            return Ok(Vec::new());
        };
        Ok(packages_of_build_info(&info, path))
    }
}

const BUILD_INFO_MAGIC: &[u8] = b"\xff Go buildinf:";
const BUILD_INFO_HEADER_SIZE: usize = 32;
/// Neither string in the build info is anywhere near this long in practice.
const MAX_BUILD_INFO_STRING: u64 = 16 << 20;

/// The two strings the Go linker records: toolchain version and module information.
#[derive(Debug, PartialEq, Eq)]
struct RawBuildInfo {
    go_version: String,
    modinfo: String,
}

/// Finds and decodes the build info blob; `Ok(None)` when the binary has none.
fn read_build_info(file: &object::File, content: &[u8]) -> Result<Option<RawBuildInfo>, String> {
    let Some(blob) = find_build_info_blob(file, content) else {
        return Ok(None);
    };
    let header = blob
        .get(..BUILD_INFO_HEADER_SIZE)
        .ok_or("Go build info header truncated")?;
    let ptr_size = usize::from(header[14]);
    let flags = header[15];
    let (go_version, modinfo) = if flags & 2 != 0 {
        // Go 1.18+: both strings inline after the header, each with a varint length.
        let rest = &blob[BUILD_INFO_HEADER_SIZE..];
        let (version, rest) = decode_varint_string(rest).ok_or("Go build info truncated")?;
        let (modinfo, _) = decode_varint_string(rest).ok_or("Go build info truncated")?;
        (version, modinfo)
    } else {
        // Before Go 1.18: two pointers to Go string headers in the data segment.
        let big_endian = flags & 1 != 0;
        let reader = PointerReader {
            file,
            ptr_size,
            big_endian,
        };
        let version_at = reader
            .pointer(&header[16..])
            .ok_or("bad Go build info pointer")?;
        let modinfo_at = reader
            .pointer(header.get(16 + ptr_size..).unwrap_or_default())
            .ok_or("bad Go build info pointer")?;
        let version = reader
            .go_string(version_at)
            .ok_or("Go version string out of bounds")?;
        let modinfo = reader.go_string(modinfo_at).unwrap_or_default();
        (version, modinfo)
    };
    if go_version.is_empty() {
        return Ok(None);
    }
    Ok(Some(RawBuildInfo {
        go_version: String::from_utf8_lossy(go_version).into_owned(),
        modinfo: String::from_utf8_lossy(strip_modinfo_sentinels(modinfo)).into_owned(),
    }))
}

/// The blob starts a dedicated section in ELF and Mach-O files; older ELF files and PE
/// files keep it in a data section; stripped section headers leave only a scan.
fn find_build_info_blob<'a>(file: &object::File<'a>, content: &'a [u8]) -> Option<&'a [u8]> {
    const DEDICATED: &[&str] = &[".go.buildinfo", "__go_buildinfo"];
    const DATA: &[&str] = &[".data", "__data", ".noptrdata", "__noptrdata"];
    for name in DEDICATED.iter().chain(DATA) {
        if let Some(data) = file.section_by_name(name).and_then(|s| s.data().ok()) {
            if let Some(at) = find(data, BUILD_INFO_MAGIC) {
                return data.get(at..);
            }
        }
    }
    if file.sections().next().is_none() {
        return find(content, BUILD_INFO_MAGIC).and_then(|at| content.get(at..));
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let mut from = 0;
    while let Some(offset) = haystack.get(from..)?.iter().position(|&b| b == first) {
        let at = from + offset;
        if haystack.get(at..at + needle.len())? == needle {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// `uvarint length ‖ bytes`, as `encoding/binary` writes it.
fn decode_varint_string(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut length: u64 = 0;
    for (i, &byte) in data.iter().enumerate().take(10) {
        length |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            let rest = &data[i + 1..];
            let length = usize::try_from(length).ok()?;
            return Some((rest.get(..length)?, rest.get(length..)?));
        }
    }
    None
}

/// The linker frames the module info with 16-byte sentinels; `debug/buildinfo` drops
/// them (and the whole string when the framing is missing).
fn strip_modinfo_sentinels(modinfo: &[u8]) -> &[u8] {
    let len = modinfo.len();
    if len >= 33 && modinfo[len - 17] == b'\n' {
        &modinfo[16..len - 16]
    } else {
        &[]
    }
}

/// Reads pointers and Go string headers at virtual addresses of the binary.
struct PointerReader<'a, 'f> {
    file: &'f object::File<'a>,
    ptr_size: usize,
    big_endian: bool,
}

impl<'a> PointerReader<'a, '_> {
    fn pointer(&self, bytes: &[u8]) -> Option<u64> {
        let bytes = bytes.get(..self.ptr_size)?;
        match (self.ptr_size, self.big_endian) {
            (4, false) => Some(u64::from(u32::from_le_bytes(bytes.try_into().ok()?))),
            (4, true) => Some(u64::from(u32::from_be_bytes(bytes.try_into().ok()?))),
            (8, false) => Some(u64::from_le_bytes(bytes.try_into().ok()?)),
            (8, true) => Some(u64::from_be_bytes(bytes.try_into().ok()?)),
            _ => None,
        }
    }

    fn read(&self, address: u64, size: u64) -> Option<&'a [u8]> {
        self.file
            .segments()
            .find_map(|segment| segment.data_range(address, size).ok().flatten())
            .or_else(|| {
                self.file
                    .sections()
                    .find_map(|section| section.data_range(address, size).ok().flatten())
            })
    }

    /// A Go string header `{data pointer, length}` at `address`, and the bytes it names.
    fn go_string(&self, address: u64) -> Option<&'a [u8]> {
        let header = self.read(address, 2 * self.ptr_size as u64)?;
        let data = self.pointer(header)?;
        let length = self.pointer(&header[self.ptr_size..])?;
        if length > MAX_BUILD_INFO_STRING {
            return None;
        }
        self.read(data, length)
    }
}

/// One module line of the build info (`mod`, `dep`, or the `=>` replacing it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Module {
    path: String,
    version: String,
    replacement: Option<Box<Module>>,
}

#[derive(Debug, Default)]
struct BuildInfo {
    main: Option<Module>,
    deps: Vec<Module>,
    /// Value of the `-ldflags` build setting.
    ldflags: String,
}

/// Parses the text `runtime/debug.BuildInfo.String` writes; unknown lines are skipped.
fn parse_modinfo(modinfo: &str) -> BuildInfo {
    let mut info = BuildInfo::default();
    let mut last_is_main = false;
    for line in modinfo.lines() {
        let mut fields = line.split('\t');
        let verb = fields.next().unwrap_or_default();
        let mut module = || {
            let path = fields.next().unwrap_or_default().to_string();
            let version = fields.next().unwrap_or_default().to_string();
            Module {
                path,
                version,
                replacement: None,
            }
        };
        match verb {
            "mod" => {
                info.main = Some(module());
                last_is_main = true;
            }
            "dep" => {
                info.deps.push(module());
                last_is_main = false;
            }
            "=>" => {
                let replacement = Some(Box::new(module()));
                let target = if last_is_main {
                    info.main.as_mut()
                } else {
                    info.deps.last_mut()
                };
                if let Some(target) = target {
                    target.replacement = replacement;
                }
            }
            "build" => {
                let setting = line.get("build\t".len()..).unwrap_or_default();
                if let Some(value) = setting.strip_prefix("-ldflags=") {
                    info.ldflags = unquote(value);
                }
            }
            _ => {}
        }
    }
    info
}

/// Build setting values with spaces are Go-quoted (`strconv.Quote`).
fn unquote(value: &str) -> String {
    let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) else {
        return value.to_string();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

fn packages_of_build_info(raw: &RawBuildInfo, path: &str) -> Vec<LangPackage> {
    let info = parse_modinfo(&raw.modinfo);
    let mut packages = Vec::new();
    if let Some(main) = &info.main {
        let version = main_module_version(main, &info.ldflags);
        if !main.path.is_empty() && !version.is_empty() {
            packages.push(package(&main.path, &version, path));
        }
    }
    for dep in &info.deps {
        let module = dep.replacement.as_deref().unwrap_or(dep);
        // Replaced by a local directory: no version, no registry.
        if module.path.is_empty() || module.version.is_empty() {
            continue;
        }
        packages.push(package(&module.path, &module.version, path));
    }
    if let Some(version) = stdlib_version(&raw.go_version) {
        packages.push(package("stdlib", &version, path));
    }
    packages
}

/// The build info's version unless it is `(devel)`; then a version stamped with
/// `-ldflags "-X main.version=v1.2.3"`, as Trivy reads it.
fn main_module_version(main: &Module, ldflags: &str) -> String {
    let version = main
        .replacement
        .as_deref()
        .map_or(main.version.as_str(), |r| r.version.as_str());
    if !version.is_empty() && version != "(devel)" {
        return version.to_string();
    }
    version_from_ldflags(ldflags).unwrap_or_default()
}

/// The first `-X <pkg>.version=<semver>` (or `.ver`) of the linker flags.
fn version_from_ldflags(ldflags: &str) -> Option<String> {
    let mut words = ldflags.split_whitespace();
    while let Some(word) = words.next() {
        let assignment = match word.trim_start_matches('-') {
            "X" => words.next()?,
            flag => match flag.strip_prefix("X=") {
                Some(assignment) => assignment,
                None => continue,
            },
        };
        let assignment = assignment.trim_matches(|c| c == '\'' || c == '"');
        let Some((key, value)) = assignment.split_once('=') else {
            continue;
        };
        let key = key.to_ascii_lowercase();
        if (key.ends_with(".version") || key.ends_with(".ver")) && is_semver(value) {
            return Some(if value.starts_with('v') {
                value.to_string()
            } else {
                format!("v{value}")
            });
        }
    }
    None
}

/// `v1`, `1.2`, `v1.2.3-rc.1+build`: what Go's `semver.IsValid` accepts, `v` optional.
fn is_semver(version: &str) -> bool {
    let version = version.strip_prefix('v').unwrap_or(version);
    let end = version.find(['-', '+']).unwrap_or(version.len());
    let (core, suffix) = version.split_at(end);
    let numbers: Vec<&str> = core.split('.').collect();
    let numeric = |n: &&str| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit());
    numbers.len() <= 3
        && numbers.iter().all(numeric)
        && suffix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-+.".contains(&b))
}

/// `go1.22.1` (maybe followed by ` X:boringcrypto`) → `v1.22.1`; development toolchains
/// (`devel go1.23-abc…`) have no release to report.
fn stdlib_version(go_version: &str) -> Option<String> {
    let release = go_version.split_whitespace().next()?;
    let number = release.strip_prefix("go")?;
    if !number.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Some(format!("v{number}"))
}

// ---------------------------------------------------------------------------------------
// go.mod

/// `go.mod`: required modules after `replace` directives.
pub struct GoModCataloger;

impl Cataloger for GoModCataloger {
    fn name(&self) -> &'static str {
        "go-mod"
    }

    fn wants(&self, path: &str) -> bool {
        path.ends_with("/go.mod") || path == "go.mod"
    }

    fn max_size(&self) -> u64 {
        8 << 20
    }

    fn parse(&self, path: &str, content: &[u8]) -> Result<Vec<LangPackage>, String> {
        let text = std::str::from_utf8(content).map_err(|_| "go.mod is not UTF-8".to_string())?;
        let file = parse_go_mod(text)?;
        Ok(file
            .resolved_requirements()
            .into_iter()
            .map(|(name, version)| package(&name, &version, path))
            .collect())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Requirement {
    path: String,
    version: String,
    indirect: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Replacement {
    old_path: String,
    /// Empty: every version of `old_path`.
    old_version: String,
    new_path: String,
    /// Empty: `new_path` is a local directory.
    new_version: String,
}

#[derive(Debug, Default)]
struct GoModFile {
    requires: Vec<Requirement>,
    replaces: Vec<Replacement>,
    /// `exclude`d (path, version): the build never uses them.
    excludes: std::collections::HashSet<(String, String)>,
}

const GO_MOD_VERBS: &[&str] = &[
    "module",
    "go",
    "toolchain",
    "godebug",
    "require",
    "replace",
    "exclude",
    "retract",
    "tool",
    "ignore",
];

fn parse_go_mod(text: &str) -> Result<GoModFile, String> {
    let mut file = GoModFile::default();
    let mut block: Option<&str> = None;
    for (index, line) in text.lines().enumerate() {
        let line_no = index + 1;
        let (code, comment) = split_comment(line);
        let tokens: Vec<&str> = code.split_whitespace().collect();
        if let Some(verb) = block {
            match tokens.as_slice() {
                [] => {}
                [")"] => block = None,
                args => file.add(verb, args, comment, line_no)?,
            }
            continue;
        }
        let Some((&verb, args)) = tokens.split_first() else {
            continue;
        };
        if !GO_MOD_VERBS.contains(&verb) {
            return Err(format!("line {line_no}: unknown directive {verb:?}"));
        }
        match args {
            ["("] => block = Some(verb),
            _ => file.add(verb, args, comment, line_no)?,
        }
    }
    if block.is_some() {
        return Err("unterminated block at end of go.mod".into());
    }
    Ok(file)
}

/// Splits off a `//` comment (not inside a quoted path).
fn split_comment(line: &str) -> (&str, &str) {
    let mut quoted = false;
    let bytes = line.as_bytes();
    for i in 0..bytes.len() {
        match bytes[i] {
            b'"' | b'`' => quoted = !quoted,
            b'/' if !quoted && bytes.get(i + 1) == Some(&b'/') => {
                return (&line[..i], line[i + 2..].trim());
            }
            _ => {}
        }
    }
    (line, "")
}

fn unquote_token(token: &str) -> String {
    token.trim_matches(|c| c == '"' || c == '`').to_string()
}

impl GoModFile {
    fn add(&mut self, verb: &str, args: &[&str], comment: &str, line: usize) -> Result<(), String> {
        match verb {
            "require" => {
                let [path, version] = args else {
                    return Err(format!("line {line}: usage: require module/path v1.2.3"));
                };
                self.requires.push(Requirement {
                    path: unquote_token(path),
                    version: unquote_token(version),
                    indirect: comment == "indirect" || comment.starts_with("indirect;"),
                });
            }
            "replace" => self.replaces.push(parse_replacement(args, line)?),
            "exclude" => {
                let [path, version] = args else {
                    return Err(format!("line {line}: usage: exclude module/path v1.2.3"));
                };
                self.excludes
                    .insert((unquote_token(path), unquote_token(version)));
            }
            _ => {}
        }
        Ok(())
    }

    /// Requirements with `replace` applied (a versioned left side only matches that
    /// version), local-directory replacements dropped, duplicates removed.
    fn resolved_requirements(&self) -> Vec<(String, String)> {
        let mut resolved: Vec<(String, String)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        // Later directives win; a versioned left side beats an unversioned one, as in Go.
        let replaces: std::collections::HashMap<(&str, &str), &Replacement> = self
            .replaces
            .iter()
            .map(|r| ((r.old_path.as_str(), r.old_version.as_str()), r))
            .collect();
        for require in &self.requires {
            if self
                .excludes
                .contains(&(require.path.clone(), require.version.clone()))
            {
                continue;
            }
            let replacement = replaces
                .get(&(require.path.as_str(), require.version.as_str()))
                .or_else(|| replaces.get(&(require.path.as_str(), "")));
            let (path, version) = match replacement {
                Some(r) if r.new_version.is_empty() => continue,
                Some(r) => (&r.new_path, &r.new_version),
                None => (&require.path, &require.version),
            };
            if seen.insert((path, version)) {
                resolved.push((path.clone(), version.clone()));
            }
        }
        resolved
    }
}

fn parse_replacement(args: &[&str], line: usize) -> Result<Replacement, String> {
    let usage = || format!("line {line}: usage: replace old [v] => new [v]");
    let arrow = args.iter().position(|&t| t == "=>").ok_or_else(usage)?;
    let (old, new) = (&args[..arrow], &args[arrow + 1..]);
    let (old_path, old_version) = match old {
        [path] => (path, ""),
        [path, version] => (path, *version),
        _ => return Err(usage()),
    };
    let (new_path, new_version) = match new {
        [path] => (path, ""),
        [path, version] => (path, *version),
        _ => return Err(usage()),
    };
    Ok(Replacement {
        old_path: unquote_token(old_path),
        old_version: unquote_token(old_version),
        new_path: unquote_token(new_path),
        new_version: unquote_token(new_version),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wants_plausible_executables_only() {
        for yes in [
            "/usr/local/bin/kubectl",
            "/app/server",
            "/opt/tool/bin/tool.sh",
            "/usr/bin/python3.11",
            "/app/app.exe",
            "/go/bin/gopls",
        ] {
            assert!(GoBinaryCataloger.wants(yes), "{yes}");
        }
        for no in [
            "/usr/share/doc/bash/copyright",
            "/etc/passwd",
            "/app/config.json",
            "/app/node_modules/x/LICENSE",
            "/var/lib/dpkg/status",
            "/app/.env",
            "/app/lib/libfoo.so",
            "/usr/lib/x86_64-linux-gnu/libc.so.6",
        ] {
            assert!(!GoBinaryCataloger.wants(no), "{no}");
        }
        assert!(GoModCataloger.wants("/src/app/go.mod"));
        assert!(!GoModCataloger.wants("/src/app/go.sum"));
    }

    #[test]
    fn non_executables_are_skipped_quietly() {
        for content in [
            &b""[..],
            b"#!/bin/sh\necho hi\n",
            b"\x7fELF",
            b"MZ\0\0garbage",
        ] {
            assert_eq!(GoBinaryCataloger.parse("/bin/x", content), Ok(vec![]));
        }
    }

    #[test]
    fn magic_in_garbage_is_not_trusted() {
        let mut data = b"\x7fELF".to_vec();
        data.extend_from_slice(BUILD_INFO_MAGIC);
        data.extend_from_slice(&[8, 2, 0xff, 0xff, 0xff]);
        assert_eq!(GoBinaryCataloger.parse("/bin/x", &data), Ok(vec![]));
    }

    #[test]
    fn varint_strings_are_bounded() {
        assert_eq!(
            decode_varint_string(&[3, b'a', b'b', b'c', 9]),
            Some((&b"abc"[..], &[9][..]))
        );
        assert_eq!(decode_varint_string(&[4, b'a']), None);
        assert_eq!(decode_varint_string(&[0xff; 12]), None);
        assert_eq!(
            decode_varint_string(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
            None
        );
        assert_eq!(decode_varint_string(&[]), None);
    }

    #[test]
    fn modinfo_with_replacements_and_ldflags() {
        let modinfo = "path\texample.com/cmd\n\
            mod\texample.com/cmd\t(devel)\t\n\
            dep\tgolang.org/x/net\tv0.1.0\th1:abc=\n\
            dep\tgithub.com/a/b\tv1.0.0\n\
            =>\tgithub.com/fork/b\tv1.0.1\th1:def=\n\
            dep\tgithub.com/c/d\tv1.0.0\n\
            =>\t../d\t\n\
            build\t-ldflags=\"-s -w -X 'example.com/cmd/internal.Version=1.2.3'\"\n";
        let raw = RawBuildInfo {
            go_version: "go1.21.5 X:boringcrypto".into(),
            modinfo: modinfo.into(),
        };
        let got: Vec<(String, String)> = packages_of_build_info(&raw, "/bin/cmd")
            .into_iter()
            .map(|p| (p.name, p.version))
            .collect();
        let want = [
            ("example.com/cmd", "v1.2.3"),
            ("golang.org/x/net", "v0.1.0"),
            ("github.com/fork/b", "v1.0.1"),
            ("stdlib", "v1.21.5"),
        ];
        assert_eq!(
            got,
            want.map(|(n, v)| (n.to_string(), v.to_string())).to_vec()
        );
    }

    #[test]
    fn ldflags_forms() {
        for flags in [
            "-X main.version=v1.0.0",
            "-X=main.version=v1.0.0",
            "--X 'main.version=v1.0.0'",
            "-s -X \"github.com/x/y/version.Ver=1.0.0\"",
        ] {
            assert_eq!(
                version_from_ldflags(flags).as_deref(),
                Some("v1.0.0"),
                "{flags}"
            );
        }
        assert_eq!(version_from_ldflags("-X main.version=dev"), None);
        assert_eq!(version_from_ldflags("-X"), None);
        assert_eq!(version_from_ldflags("-X main.commit=v1.0.0"), None);
    }

    #[test]
    fn stdlib_versions() {
        assert_eq!(stdlib_version("go1.22.1").as_deref(), Some("v1.22.1"));
        assert_eq!(
            stdlib_version("go1.20 X:nocoverageredesign").as_deref(),
            Some("v1.20")
        );
        assert_eq!(stdlib_version("devel go1.23-abcdef Tue"), None);
        assert_eq!(stdlib_version(""), None);
    }

    #[test]
    fn go_mod_blocks_replacements_and_errors() {
        let text = "module example.com/m // the module\n\ngo 1.21\n\
            require (\n\tgithub.com/a/b v1.0.0 // indirect\n\tgolang.org/x/net v0.5.6\n)\n\
            require github.com/local/x v1.0.0\n\
            replace golang.org/x/net => example.com/fork/net v0.6.0\n\
            replace github.com/local/x v1.0.0 => ../x\n\
            require github.com/gone/y v0.1.0\n\
            exclude github.com/gone/y v0.1.0\n";
        let file = parse_go_mod(text).unwrap();
        assert!(file.requires[0].indirect);
        assert_eq!(
            file.resolved_requirements(),
            vec![
                ("github.com/a/b".to_string(), "v1.0.0".to_string()),
                ("example.com/fork/net".to_string(), "v0.6.0".to_string()),
            ]
        );
        for bad in [
            "invalid",
            "This is not a go.mod file!",
            "require (\n a v1\n",
            "require a",
            "replace a => ",
            "replace => b v1",
        ] {
            assert!(parse_go_mod(bad).is_err(), "{bad:?}");
        }
        assert!(parse_go_mod("").unwrap().requires.is_empty());
    }

    #[test]
    fn huge_go_mod_is_linear() {
        let mut text = String::from("require (\n");
        for i in 0..50_000 {
            text.push_str(&format!("\texample.com/m{i} v1.0.{i}\n"));
        }
        text.push_str(")\n");
        let got = GoModCataloger.parse("/go.mod", text.as_bytes()).unwrap();
        assert_eq!(got.len(), 50_000);
    }
}
