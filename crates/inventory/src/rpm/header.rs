//! RPM header blobs as the package database stores them: no lead, no header magic, just
//! `il` (u32 BE), `dl` (u32 BE), `il` 16-byte index entries and `dl` bytes of data.
//!
//! Validation follows rpm's `hdrblobInit` → `hdrblobVerifyRegion` → `hdrblobVerifyInfo` →
//! `hdrblobImport` (header.cc) so that we accept what rpm accepts and reject what it
//! reports as a damaged header. All arithmetic on offsets is checked: the blob is input.

use std::collections::HashMap;

use super::{RpmError, RpmPackage};

/// rpm's `headerMaxbytes`: no header blob is this big or bigger.
pub(crate) const HEADER_MAX_BYTES: usize = 256 * 1024 * 1024;
/// `HEADER_TAGS_MAX`, `HEADER_DATA_MAX`, `HEADER_ARRAY_MAX` (header.cc).
const HEADER_TAGS_MAX: u32 = 0x0000_ffff;
const HEADER_DATA_MAX: u32 = 0x0fff_ffff;
const HEADER_ARRAY_MAX: u32 = 0x000f_ffff;
const ENTRY_INFO_SIZE: usize = 16;
/// A region entry is BIN with count 16 and points at a 16-byte trailer entry.
const REGION_TAG_COUNT: u32 = 16;
const REGION_TRAILER_SIZE: usize = 16;
/// A file list may be at most this many times the size of its header: real packages stay
/// far below (each file also carries digests, modes, sizes…), while a hostile header could
/// otherwise expand one long DIRNAME by a million BASENAMES.
const FILE_LIST_EXPANSION: usize = 32;

// Tags (rpmtag.h).
const TAG_HEADERIMAGE: u32 = 61;
const TAG_HEADERSIGNATURES: u32 = 62;
const TAG_HEADERIMMUTABLE: u32 = 63;
const TAG_I18NTABLE: u32 = 100;
const TAG_NAME: u32 = 1000;
const TAG_VERSION: u32 = 1001;
const TAG_RELEASE: u32 = 1002;
const TAG_EPOCH: u32 = 1003;
const TAG_SIZE: u32 = 1009;
const TAG_VENDOR: u32 = 1011;
const TAG_LICENSE: u32 = 1014;
const TAG_ARCH: u32 = 1022;
const TAG_OLDFILENAMES: u32 = 1027;
const TAG_FILEDIGESTS: u32 = 1035;
const TAG_SOURCERPM: u32 = 1044;
const TAG_DIRINDEXES: u32 = 1116;
const TAG_BASENAMES: u32 = 1117;
const TAG_DIRNAMES: u32 = 1118;
const TAG_LONGSIZE: u32 = 5009;
const TAG_FILEDIGESTALGO: u32 = 5011;
const TAG_MODULARITYLABEL: u32 = 5096;

// Data types (rpmtag.h rpmTagType).
const TYPE_CHAR: u32 = 1;
const TYPE_INT8: u32 = 2;
const TYPE_INT16: u32 = 3;
const TYPE_INT32: u32 = 4;
const TYPE_INT64: u32 = 5;
const TYPE_STRING: u32 = 6;
const TYPE_BIN: u32 = 7;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

/// A parsed package plus, when its file list broke rpm's rules, why it was dropped.
pub(crate) struct Parsed {
    pub package: RpmPackage,
    pub files_problem: Option<String>,
}

/// Validates `blob` the way rpm does and extracts the package fields we report.
pub(crate) fn parse(blob: &[u8]) -> Result<Parsed, RpmError> {
    let header = Header::load(blob)?;
    let name = header
        .string(TAG_NAME)
        .ok_or_else(|| bad("no NAME tag".to_owned()))?;
    // rpm builds packages ≥ 4 GiB with LONGSIZE instead of SIZE; `%{SIZE}` prints SIZE.
    let size = header
        .int32s(TAG_SIZE)
        .and_then(|mut v| v.next())
        .map(u64::from)
        .or_else(|| header.int64s(TAG_LONGSIZE).and_then(|mut v| v.next()));
    let budget = blob
        .len()
        .saturating_mul(FILE_LIST_EXPANSION)
        .min(HEADER_MAX_BYTES);
    let (files, files_problem) = match header.files(budget) {
        Ok(files) => (files, None),
        Err(problem) => (Vec::new(), Some(problem)),
    };
    let file_digests = header.file_digests(files.len());
    let package = RpmPackage {
        name,
        epoch: header.int32s(TAG_EPOCH).and_then(|mut v| v.next()),
        version: header.string(TAG_VERSION).unwrap_or_default(),
        release: header.string(TAG_RELEASE).unwrap_or_default(),
        arch: header.optional_string(TAG_ARCH),
        source_rpm: header.optional_string(TAG_SOURCERPM),
        license: header.optional_string(TAG_LICENSE),
        vendor: header.optional_string(TAG_VENDOR),
        size,
        modularity_label: header.optional_string(TAG_MODULARITYLABEL),
        files,
        file_digests,
    };
    Ok(Parsed {
        package,
        files_problem,
    })
}

fn bad(message: String) -> RpmError {
    RpmError::BadHeader(message)
}

/// One 16-byte index entry as stored (`entryInfo_s`, big-endian).
#[derive(Clone, Copy, Debug)]
struct RawEntry {
    tag: u32,
    ty: u32,
    offset: i32,
    count: u32,
}

impl RawEntry {
    fn decode(bytes: &[u8; ENTRY_INFO_SIZE]) -> Self {
        let word = |i: usize| [bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]];
        RawEntry {
            tag: u32::from_be_bytes(word(0)),
            ty: u32::from_be_bytes(word(4)),
            offset: i32::from_be_bytes(word(8)),
            count: u32::from_be_bytes(word(12)),
        }
    }
}

/// A validated entry: its data is `data[start..start + len]`, which is inside the blob.
#[derive(Clone, Copy, Debug)]
struct Entry {
    tag: u32,
    ty: u32,
    count: u32,
    start: usize,
    len: usize,
}

/// The immutable region (entry 0 with tag 61/62/63) of an installed header.
#[derive(Clone, Copy, Debug)]
struct Region {
    tag: u32,
    /// Index entries in the region, counting the region entry itself.
    ril: usize,
    /// Data bytes of the region, trailer included.
    rdl: usize,
}

struct Header<'a> {
    data: &'a [u8],
    /// Tag → entry. Dribbles (entries added at install time) replace region copies.
    tags: HashMap<u32, Entry>,
}

impl<'a> Header<'a> {
    fn load(blob: &'a [u8]) -> Result<Self, RpmError> {
        let (Some(il), Some(dl)) = (be_u32(blob, 0), be_u32(blob, 4)) else {
            return Err(bad(format!(
                "{} bytes is too short for a header",
                blob.len()
            )));
        };
        if il > HEADER_TAGS_MAX {
            return Err(bad(format!(
                "{il} index entries (rpm allows {HEADER_TAGS_MAX})"
            )));
        }
        if dl > HEADER_DATA_MAX {
            return Err(bad(format!(
                "{dl} data bytes (rpm allows {HEADER_DATA_MAX})"
            )));
        }
        let expected = 8 + u64::from(il) * ENTRY_INFO_SIZE as u64 + u64::from(dl);
        if expected >= HEADER_MAX_BYTES as u64 || expected != blob.len() as u64 {
            return Err(bad(format!(
                "blob is {} bytes but il={il} dl={dl} need {expected}",
                blob.len()
            )));
        }
        if il == 0 {
            return Err(bad("no index entries".to_owned()));
        }
        // Both fit: the blob length was just checked to be exactly 8 + 16*il + dl.
        let (index, data) = blob
            .get(8..)
            .map(|rest| rest.split_at(il as usize * ENTRY_INFO_SIZE))
            .ok_or_else(|| bad("blob shorter than its index".to_owned()))?;
        let raw: Vec<RawEntry> = index
            .chunks_exact(ENTRY_INFO_SIZE)
            .filter_map(|chunk| chunk.try_into().ok().map(RawEntry::decode))
            .collect();

        let region = verify_region(&raw, data)?;
        let entries = verify_info(&raw, data, region)?;
        check_import_lengths(&entries, region, data.len())?;

        let mut tags = HashMap::with_capacity(entries.len());
        let dribbles_from = region.map_or(entries.len(), |r| r.ril - 1);
        for (i, entry) in entries.into_iter().enumerate() {
            // rpm's import deletes region copies of dribble tags, and a dribble BASENAMES
            // also deletes OLDFILENAMES.
            if i >= dribbles_from && entry.tag == TAG_BASENAMES {
                tags.remove(&TAG_OLDFILENAMES);
            }
            tags.insert(entry.tag, entry);
        }
        Ok(Header { data, tags })
    }

    fn bytes(&self, entry: &Entry) -> &'a [u8] {
        self.data
            .get(entry.start..entry.start.saturating_add(entry.len))
            .unwrap_or_default()
    }

    /// The strings of a string-class entry (STRING, STRING_ARRAY, I18NSTRING), raw bytes.
    fn strings(&self, tag: u32) -> Option<Vec<&'a [u8]>> {
        let entry = self.tags.get(&tag)?;
        if !is_string_type(entry.ty) {
            return None;
        }
        // Validation found exactly `count` NUL-terminated strings in these bytes.
        let bytes = self.bytes(entry);
        let strings = bytes
            .split(|&b| b == 0)
            .take(entry.count as usize)
            .collect();
        Some(strings)
    }

    /// First string of a string-class entry (I18NSTRING element 0 is the C locale).
    fn string(&self, tag: u32) -> Option<String> {
        let entry = self.tags.get(&tag)?;
        if !is_string_type(entry.ty) {
            return None;
        }
        let bytes = self.bytes(entry);
        let first = bytes.split(|&b| b == 0).next().unwrap_or_default();
        Some(String::from_utf8_lossy(first).into_owned())
    }

    /// Like `string`, with rpm's "no value" spellings ("" and "(none)") as `None`.
    fn optional_string(&self, tag: u32) -> Option<String> {
        self.string(tag)
            .filter(|s| !s.is_empty() && s.as_str() != "(none)")
    }

    fn int32s(&self, tag: u32) -> Option<impl Iterator<Item = u32> + 'a> {
        let entry = self.tags.get(&tag).filter(|e| e.ty == TYPE_INT32)?;
        Some(
            self.bytes(entry)
                .chunks_exact(4)
                .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]])),
        )
    }

    fn int64s(&self, tag: u32) -> Option<impl Iterator<Item = u64> + 'a> {
        let entry = self.tags.get(&tag).filter(|e| e.ty == TYPE_INT64)?;
        Some(
            self.bytes(entry)
                .chunks_exact(8)
                .map(|c| u64::from_be_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])),
        )
    }

    /// FILEDIGESTS as `algorithm:hex`, one per file (empty for directories and links), in
    /// the algorithm FILEDIGESTALGO names (MD5 when absent, as rpm < 4.6 wrote them).
    /// Nothing when the counts disagree or the algorithm is unknown.
    fn file_digests(&self, files: usize) -> Vec<String> {
        let algorithm = match self
            .int32s(TAG_FILEDIGESTALGO)
            .and_then(|mut v| v.next())
            .unwrap_or(1)
        {
            1 => "md5",
            2 => "sha1",
            8 => "sha256",
            9 => "sha384",
            10 => "sha512",
            11 => "sha224",
            _ => return Vec::new(),
        };
        let Some(digests) = self.strings(TAG_FILEDIGESTS) else {
            return Vec::new();
        };
        if digests.len() != files {
            return Vec::new();
        }
        digests
            .into_iter()
            .map(|hex| {
                if hex.is_empty() || !hex.iter().all(u8::is_ascii_hexdigit) {
                    String::new()
                } else {
                    format!(
                        "{algorithm}:{}",
                        String::from_utf8_lossy(hex).to_ascii_lowercase()
                    )
                }
            })
            .collect()
    }

    /// The file list as rpm's FILENAMES extension builds it (tagexts.cc `fnTag`):
    /// `DIRNAMES[DIRINDEXES[i]] + BASENAMES[i]`, or legacy OLDFILENAMES as they are.
    /// An inconsistent list is an error message; the package itself stays valid.
    fn files(&self, budget: usize) -> Result<Vec<String>, String> {
        if !self.tags.contains_key(&TAG_BASENAMES) {
            let Some(old) = self.strings(TAG_OLDFILENAMES) else {
                return Ok(Vec::new());
            };
            return Ok(old
                .into_iter()
                .map(|path| String::from_utf8_lossy(path).into_owned())
                .collect());
        }
        let bases = self
            .strings(TAG_BASENAMES)
            .ok_or("BASENAMES is not a string array")?;
        let dirs = self
            .strings(TAG_DIRNAMES)
            .ok_or("BASENAMES without a DIRNAMES string array")?;
        let indexes: Vec<u32> = self
            .int32s(TAG_DIRINDEXES)
            .ok_or("BASENAMES without an INT32 DIRINDEXES")?
            .collect();
        if indexes.len() != bases.len() {
            return Err(format!(
                "{} DIRINDEXES for {} BASENAMES",
                indexes.len(),
                bases.len()
            ));
        }
        if dirs.is_empty() || dirs.len() > bases.len() {
            return Err(format!(
                "{} DIRNAMES for {} BASENAMES",
                dirs.len(),
                bases.len()
            ));
        }
        // First pass: every index valid, and the joined paths fit the budget.
        let mut total = 0usize;
        for (&index, base) in indexes.iter().zip(&bases) {
            let dir = dirs
                .get(index as usize)
                .ok_or_else(|| format!("DIRINDEXES value {index} out of range"))?;
            total = total.saturating_add(dir.len() + base.len());
            if total > budget {
                return Err(format!("file list is larger than {budget} bytes"));
            }
        }
        Ok(indexes
            .iter()
            .zip(&bases)
            .filter_map(|(&index, base)| {
                let dir = dirs.get(index as usize)?;
                let mut path = String::from_utf8_lossy(dir).into_owned();
                path.push_str(&String::from_utf8_lossy(base));
                Some(path)
            })
            .collect())
    }
}

/// `hdrblobVerifyRegion`: entry 0 with tag 61/62/63 must point at a matching trailer.
/// Any other first tag means a legacy header without a region (or one rejected later).
fn verify_region(raw: &[RawEntry], data: &[u8]) -> Result<Option<Region>, RpmError> {
    let Some(first) = raw.first() else {
        return Err(bad("no index entries".to_owned()));
    };
    if !matches!(
        first.tag,
        TAG_HEADERIMAGE | TAG_HEADERSIGNATURES | TAG_HEADERIMMUTABLE
    ) {
        return Ok(None);
    }
    if first.ty != TYPE_BIN || first.count != REGION_TAG_COUNT {
        return Err(bad(format!(
            "region tag {} has type {} count {}",
            first.tag, first.ty, first.count
        )));
    }
    let trailer_at = usize::try_from(first.offset)
        .ok()
        .filter(|&at| at.saturating_add(REGION_TRAILER_SIZE) <= data.len())
        .ok_or_else(|| {
            bad(format!(
                "region trailer offset {} out of range",
                first.offset
            ))
        })?;
    let trailer = data
        .get(trailer_at..trailer_at + REGION_TRAILER_SIZE)
        .and_then(|b| b.try_into().ok())
        .map(RawEntry::decode)
        .ok_or_else(|| bad("region trailer out of range".to_owned()))?;
    // Old packages carry HEADERIMAGE in the signature region's trailer; rpm accepts it.
    let trailer_tag = if first.tag == TAG_HEADERSIGNATURES && trailer.tag == TAG_HEADERIMAGE {
        TAG_HEADERSIGNATURES
    } else {
        trailer.tag
    };
    if trailer_tag != first.tag || trailer.ty != TYPE_BIN || trailer.count != REGION_TAG_COUNT {
        return Err(bad(format!(
            "region trailer tag {} type {} count {} does not match region {}",
            trailer.tag, trailer.ty, trailer.count, first.tag
        )));
    }
    // The trailer's offset is minus the size of the region's index part.
    let index_bytes = -i64::from(trailer.offset);
    let il = raw.len();
    if index_bytes < 0
        || index_bytes % ENTRY_INFO_SIZE as i64 != 0
        || index_bytes / ENTRY_INFO_SIZE as i64 > il as i64
    {
        return Err(bad(format!(
            "region trailer offset {} does not fit {il} index entries",
            trailer.offset
        )));
    }
    // rpm's import treats every entry as part of the region when the region entry's
    // offset is 0; mirror it so the length check below agrees with rpm.
    let ril = if first.offset == 0 {
        il
    } else {
        (index_bytes / ENTRY_INFO_SIZE as i64) as usize
    };
    if ril == 0 {
        return Err(bad("region holds no entries".to_owned()));
    }
    Ok(Some(Region {
        tag: first.tag,
        ril,
        rdl: trailer_at + REGION_TRAILER_SIZE,
    }))
}

/// `hdrblobVerifyInfo`: every entry but the region one must have a sane tag, type, count
/// and alignment, its data must fit, entries must be in data order without overlap, and
/// none may overlap the region trailer.
fn verify_info(
    raw: &[RawEntry],
    data: &[u8],
    region: Option<Region>,
) -> Result<Vec<Entry>, RpmError> {
    let dl = data.len();
    // rpm only type-checks the main header (region 63, or 61 for upgraded v3 headers).
    let typecheck = matches!(
        region.map(|r| r.tag),
        Some(TAG_HEADERIMMUTABLE | TAG_HEADERIMAGE)
    );
    let skip = usize::from(region.is_some());
    let mut entries = Vec::with_capacity(raw.len());
    let mut end = 0usize;
    for (i, e) in raw.iter().enumerate().skip(skip) {
        let what = || {
            format!(
                "entry {i} (tag {} type {} offset {} count {})",
                e.tag, e.ty, e.offset, e.count
            )
        };
        let start = usize::try_from(e.offset)
            .ok()
            .filter(|&start| start <= dl)
            .ok_or_else(|| bad(format!("{}: offset out of range", what())))?;
        if end > start {
            return Err(bad(format!("{}: overlaps the previous entry", what())));
        }
        if e.tag < TAG_I18NTABLE {
            return Err(bad(format!("{}: reserved tag", what())));
        }
        if !(TYPE_CHAR..=TYPE_I18NSTRING).contains(&e.ty) {
            return Err(bad(format!("{}: unknown type", what())));
        }
        if e.count == 0 || e.count as usize > dl {
            return Err(bad(format!("{}: bad count", what())));
        }
        if start % type_align(e.ty) != 0 {
            return Err(bad(format!("{}: misaligned", what())));
        }
        if e.ty != TYPE_BIN && e.count > HEADER_ARRAY_MAX {
            return Err(bad(format!("{}: array too long", what())));
        }
        if typecheck && !type_matches_tag(e.tag, e.ty) {
            return Err(bad(format!("{}: wrong type for this tag", what())));
        }
        let len = data
            .get(start..)
            .and_then(|tail| data_length(e.ty, e.count, tail))
            .filter(|&len| len > 0)
            .ok_or_else(|| bad(format!("{}: data runs past the end", what())))?;
        let entry_end = start + len;
        if let Some(r) = region {
            if entry_end > r.rdl - REGION_TRAILER_SIZE && start < r.rdl {
                return Err(bad(format!("{}: overlaps the region trailer", what())));
            }
        }
        end = entry_end;
        entries.push(Entry {
            tag: e.tag,
            ty: e.ty,
            count: e.count,
            start,
            len,
        });
    }
    Ok(entries)
}

/// `hdrblobImport` (with HEADERIMPORT_FAST, as rpmdb uses it): the aligned lengths of the
/// region entries, then of the dribbles, plus the trailer, must add up to `dl` exactly
/// (without a region: the aligned lengths of all entries).
fn check_import_lengths(
    entries: &[Entry],
    region: Option<Region>,
    dl: usize,
) -> Result<(), RpmError> {
    let total = match region {
        None => aligned_total(entries, 0)?,
        Some(r) => {
            let (inside, dribbles) = entries.split_at((r.ril - 1).min(entries.len()));
            let inside_total = aligned_total(inside, 0)?;
            aligned_total(dribbles, inside_total)? + REGION_TRAILER_SIZE as u64
        }
    };
    if total != dl as u64 {
        return Err(bad(format!(
            "entry lengths add up to {total} bytes, not the {dl} data bytes"
        )));
    }
    Ok(())
}

fn aligned_total(entries: &[Entry], start: u64) -> Result<u64, RpmError> {
    let mut total = start;
    for (k, e) in entries.iter().enumerate() {
        // Fast import measures a string entry up to the next entry's offset (so padding
        // counts); verify_info already ensured the next offset is not before our end.
        let len = match entries.get(k + 1) {
            Some(next) if is_string_type(e.ty) => next.start.saturating_sub(e.start),
            _ => e.len,
        };
        if len as u64 > u64::from(HEADER_DATA_MAX) {
            return Err(bad(format!("tag {} data is too large", e.tag)));
        }
        let size = type_size(e.ty).unwrap_or(1) as u64;
        let pad = (size - total % size) % size;
        total += pad + len as u64;
    }
    Ok(total)
}

/// Bytes an entry's data takes (`dataLength` with onDisk): fixed-size types by count,
/// strings up to their `count`-th NUL. `None` if it does not fit in `tail`.
fn data_length(ty: u32, count: u32, tail: &[u8]) -> Option<usize> {
    match ty {
        TYPE_STRING if count != 1 => None,
        TYPE_STRING | TYPE_STRING_ARRAY | TYPE_I18NSTRING => {
            let mut pos = 0usize;
            for _ in 0..count {
                let nul = tail.get(pos..)?.iter().position(|&b| b == 0)?;
                pos += nul + 1;
            }
            Some(pos)
        }
        _ => {
            let len = (type_size(ty)? as u64).checked_mul(u64::from(count))?;
            (len <= tail.len() as u64).then_some(len as usize)
        }
    }
}

fn type_size(ty: u32) -> Option<usize> {
    match ty {
        TYPE_CHAR | TYPE_INT8 | TYPE_BIN => Some(1),
        TYPE_INT16 => Some(2),
        TYPE_INT32 => Some(4),
        TYPE_INT64 => Some(8),
        _ => None,
    }
}

fn type_align(ty: u32) -> usize {
    match ty {
        TYPE_INT16 | TYPE_INT32 | TYPE_INT64 => type_size(ty).unwrap_or(1),
        _ => 1,
    }
}

fn is_string_type(ty: u32) -> bool {
    matches!(ty, TYPE_STRING | TYPE_STRING_ARRAY | TYPE_I18NSTRING)
}

/// `hdrchkTagType` for the tags we read (rpm knows every tag; unknown ones pass there too).
/// Known tags must have their declared type, except that string types are interchangeable.
fn type_matches_tag(tag: u32, ty: u32) -> bool {
    let expected = match tag {
        TAG_NAME | TAG_VERSION | TAG_RELEASE | TAG_VENDOR | TAG_LICENSE | TAG_ARCH
        | TAG_SOURCERPM | TAG_MODULARITYLABEL => TYPE_STRING,
        TAG_OLDFILENAMES | TAG_BASENAMES | TAG_DIRNAMES => TYPE_STRING_ARRAY,
        TAG_EPOCH | TAG_SIZE | TAG_DIRINDEXES => TYPE_INT32,
        TAG_LONGSIZE => TYPE_INT64,
        _ => return true,
    };
    ty == expected || (is_string_type(expected) && is_string_type(ty))
}

fn be_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let word: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_be_bytes(word))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::HeaderBuilder;
    use super::*;

    fn parse_err(blob: &[u8]) -> String {
        match parse(blob) {
            Ok(p) => panic!("accepted: {:?}", p.package),
            Err(e) => e.to_string(),
        }
    }

    fn full_package() -> HeaderBuilder {
        HeaderBuilder::package("curl", "7.76.0", "6.cm2")
            .int32(TAG_EPOCH, &[2])
            .int32(TAG_SIZE, &[326_023])
            .string(TAG_VENDOR, "Microsoft Corporation")
            .string(TAG_LICENSE, "MIT")
            .string(TAG_SOURCERPM, "curl-7.76.0-6.cm2.src.rpm")
            .int32(TAG_DIRINDEXES, &[0, 0, 1])
            .strings(TAG_BASENAMES, &["curl", "curl-config", "COPYING"])
            .strings(TAG_DIRNAMES, &["/usr/bin/", "/usr/share/licenses/curl/"])
    }

    #[test]
    fn parses_all_fields_and_file_list() {
        let p = parse(&full_package().build())
            .expect("valid header")
            .package;
        assert_eq!(p.name, "curl");
        assert_eq!(p.epoch, Some(2));
        assert_eq!(
            (p.version.as_str(), p.release.as_str()),
            ("7.76.0", "6.cm2")
        );
        assert_eq!(p.arch.as_deref(), Some("x86_64"));
        assert_eq!(p.size, Some(326_023));
        assert_eq!(p.vendor.as_deref(), Some("Microsoft Corporation"));
        assert_eq!(p.license.as_deref(), Some("MIT"));
        assert_eq!(p.source_rpm.as_deref(), Some("curl-7.76.0-6.cm2.src.rpm"));
        assert_eq!(p.modularity_label, None);
        assert_eq!(
            p.files,
            [
                "/usr/bin/curl",
                "/usr/bin/curl-config",
                "/usr/share/licenses/curl/COPYING"
            ]
        );
    }

    #[test]
    fn file_digests_follow_the_file_list_in_their_algorithm() {
        let digests = |b: HeaderBuilder| parse(&b.build()).unwrap().package.file_digests;
        let md5 = [
            "0123456789ABCDEF0123456789abcdef",
            "",
            "ffffffffffffffffffffffffffffffff",
        ];
        // No FILEDIGESTALGO: rpm before 4.6 wrote MD5.
        assert_eq!(
            digests(full_package().strings(TAG_FILEDIGESTS, &md5)),
            [
                "md5:0123456789abcdef0123456789abcdef",
                "",
                "md5:ffffffffffffffffffffffffffffffff"
            ]
        );
        let sha1 = full_package()
            .strings(TAG_FILEDIGESTS, &["aa", "", "bb"])
            .int32(TAG_FILEDIGESTALGO, &[2]);
        assert_eq!(digests(sha1), ["sha1:aa", "", "sha1:bb"]);
        // A count that does not match the files, an unknown algorithm, or no digests:
        // nothing rather than digests paired with the wrong files.
        assert!(digests(full_package().strings(TAG_FILEDIGESTS, &["aa", "bb"])).is_empty());
        let unknown = full_package()
            .strings(TAG_FILEDIGESTS, &md5)
            .int32(TAG_FILEDIGESTALGO, &[99]);
        assert!(digests(unknown).is_empty());
        assert!(digests(full_package()).is_empty());
        let not_hex = full_package().strings(TAG_FILEDIGESTS, &["zz", "", "aa"]);
        assert_eq!(digests(not_hex), ["", "", "md5:aa"]);
    }

    #[test]
    fn dribbles_override_region_and_longsize_is_a_fallback() {
        let blob = HeaderBuilder::package("big", "1", "1")
            .string(TAG_VENDOR, "old")
            .int64(TAG_LONGSIZE, &[5 << 32])
            .dribble_string(TAG_VENDOR, "new")
            .build();
        let p = parse(&blob).expect("valid").package;
        assert_eq!(p.vendor.as_deref(), Some("new"));
        assert_eq!(p.size, Some(5 << 32));
        assert_eq!(p.epoch, None);
    }

    #[test]
    fn none_and_empty_strings_are_absent() {
        let blob = HeaderBuilder::new()
            .string(TAG_NAME, "gpg-pubkey")
            .string(TAG_VERSION, "d832c631")
            .string(TAG_RELEASE, "63977702")
            .string(TAG_SOURCERPM, "(none)")
            .string(TAG_VENDOR, "")
            .build();
        let p = parse(&blob).expect("valid").package;
        assert_eq!(p.name, "gpg-pubkey");
        assert_eq!((p.arch, p.source_rpm, p.vendor), (None, None, None));
    }

    #[test]
    fn legacy_header_without_region_and_oldfilenames() {
        let blob = HeaderBuilder::package("old", "1", "2")
            .strings(TAG_OLDFILENAMES, &["/etc/old.conf", "/usr/bin/old"])
            .legacy()
            .build();
        let p = parse(&blob).expect("valid legacy").package;
        assert_eq!(p.files, ["/etc/old.conf", "/usr/bin/old"]);
    }

    #[test]
    fn header_without_name_is_damaged() {
        let blob = HeaderBuilder::new().string(TAG_VERSION, "1").build();
        assert!(parse_err(&blob).contains("no NAME"));
    }

    #[test]
    fn inconsistent_file_lists_are_dropped_not_fatal() {
        let cases = [
            full_package().int32(TAG_DIRINDEXES, &[0, 0, 7]),
            full_package().int32(TAG_DIRINDEXES, &[0, 0]),
            full_package().int32(TAG_DIRINDEXES, &[0, 0, 0xffff_ffff]),
            HeaderBuilder::package("x", "1", "1").strings(TAG_BASENAMES, &["a"]),
        ];
        for builder in cases {
            let parsed = parse(&builder.build()).expect("package stays valid");
            assert!(parsed.package.files.is_empty());
            assert!(parsed.files_problem.is_some());
        }
    }

    #[test]
    fn file_list_expansion_is_bounded() {
        // One 4000-byte directory shared by 20000 one-letter basenames: 80 MB of paths
        // from a ~100 KB header.
        let dir = format!("/{}/", "d".repeat(4000));
        let bases = vec!["f"; 20_000];
        let blob = HeaderBuilder::package("bomb", "1", "1")
            .int32(TAG_DIRINDEXES, &vec![0; bases.len()])
            .strings(TAG_BASENAMES, &bases)
            .strings(TAG_DIRNAMES, &[dir.as_str()])
            .build();
        let parsed = parse(&blob).expect("package stays valid");
        assert!(parsed.package.files.is_empty());
        assert!(parsed
            .files_problem
            .unwrap_or_default()
            .contains("larger than"));
    }

    #[test]
    fn truncated_and_tiny_blobs_are_errors() {
        let blob = full_package().build();
        for len in 0..blob.len() {
            assert!(parse(&blob[..len]).is_err(), "accepted a {len}-byte prefix");
        }
        let mut longer = blob.clone();
        longer.push(0);
        assert!(parse(&longer).is_err(), "trailing byte accepted");
    }

    #[test]
    fn huge_counts_and_lengths_are_rejected_without_allocating() {
        // il and dl at their maximum: the length check must fail before anything else.
        let mut blob = vec![0xff; 64];
        assert!(parse_err(&blob).contains("index entries"));
        blob[..4].copy_from_slice(&0xffffu32.to_be_bytes());
        assert!(parse_err(&blob).contains("data bytes"));
        blob[4..8].copy_from_slice(&0x0fff_ffffu32.to_be_bytes());
        assert!(parse_err(&blob).contains("need"));
        // No entries at all.
        assert!(parse_err(&[0, 0, 0, 0, 0, 0, 0, 0]).contains("no index entries"));
    }

    /// Rewrites index entry `i` of a built blob.
    fn patch_entry(blob: &mut [u8], i: usize, field: usize, value: u32) {
        let at = 8 + i * 16 + field * 4;
        blob[at..at + 4].copy_from_slice(&value.to_be_bytes());
    }

    #[test]
    fn hostile_index_entries_are_rejected() {
        let good = full_package().build();
        assert!(parse(&good).is_ok());
        // (entry, field, value, expected message part); fields: 0 tag, 1 type, 2 offset, 3 count.
        let cases: &[(usize, usize, u32, &str)] = &[
            (1, 2, 0xffff_fff0, "offset out of range"), // negative offset
            (1, 2, 0x7fff_ffff, "offset out of range"),
            (1, 3, 0xffff_ffff, "bad count"),
            (1, 3, 0, "bad count"),
            (1, 1, 0, "unknown type"),
            (1, 1, 10, "unknown type"),
            (1, 0, 50, "reserved tag"),
            (2, 2, 0, "overlaps the previous"),
            (0, 1, 6, "region tag"),
            (0, 2, 0x7fff_fff0, "trailer offset"),
            (0, 2, 0xffff_fff0, "trailer offset"),
        ];
        for &(i, field, value, expect) in cases {
            let mut blob = good.clone();
            patch_entry(&mut blob, i, field, value);
            let err = parse_err(&blob);
            assert!(
                err.contains(expect),
                "entry {i} field {field}={value:#x}: {err}"
            );
        }
    }

    #[test]
    fn type_confusion_is_rejected() {
        // EPOCH declared as a string in an immutable region: rpm rejects the header.
        let blob = HeaderBuilder::package("x", "1", "1")
            .string(TAG_EPOCH, "1")
            .build();
        assert!(parse_err(&blob).contains("wrong type"));
        // A huge INT32 count whose data is not there.
        let blob = HeaderBuilder::package("x", "1", "1")
            .raw(TAG_SIZE, TYPE_INT32, 1000, vec![0; 4])
            .build();
        assert!(parse(&blob).is_err());
        // A string array missing its NULs.
        let blob = HeaderBuilder::package("x", "1", "1")
            .raw(TAG_BASENAMES, TYPE_STRING_ARRAY, 3, b"a\0b".to_vec())
            .build();
        assert!(parse(&blob).is_err());
        // STRING with count 2 is invalid even if two strings are there.
        let blob = HeaderBuilder::package("x", "1", "1")
            .raw(TAG_VENDOR, TYPE_STRING, 2, b"a\0b\0".to_vec())
            .build();
        assert!(parse(&blob).is_err());
    }

    /// Where the region trailer of a built blob starts.
    fn trailer_at(blob: &[u8]) -> usize {
        let il = u32::from_be_bytes([blob[0], blob[1], blob[2], blob[3]]) as usize;
        let offset = i32::from_be_bytes([blob[16], blob[17], blob[18], blob[19]]);
        8 + 16 * il + offset as usize
    }

    fn set_trailer_field(blob: &mut [u8], field: usize, value: i32) {
        let at = trailer_at(blob) + field * 4;
        blob[at..at + 4].copy_from_slice(&value.to_be_bytes());
    }

    #[test]
    fn region_trailer_must_match_and_lengths_must_add_up() {
        let good = full_package().build();
        // Trailer claiming more region entries than exist.
        let mut blob = good.clone();
        set_trailer_field(&mut blob, 2, -(16 * 1000));
        assert!(parse_err(&blob).contains("trailer offset"));
        // Trailer with the wrong tag.
        let mut blob = good.clone();
        set_trailer_field(&mut blob, 0, 62);
        assert!(parse_err(&blob).contains("does not match"));
        // A region that claims fewer entries than it has: with a dribble behind the
        // trailer, the length bookkeeping no longer adds up (rpm rejects it the same way).
        let mut blob = full_package().dribble_string(TAG_VENDOR, "x").build();
        assert!(parse(&blob).is_ok());
        set_trailer_field(&mut blob, 2, -(16 * 2));
        assert!(parse_err(&blob).contains("add up"));
        // Extra unaccounted padding at the end of the data.
        let mut blob = HeaderBuilder::package("x", "1", "1").build();
        let dl = u32::from_be_bytes([blob[4], blob[5], blob[6], blob[7]]) + 4;
        blob[4..8].copy_from_slice(&dl.to_be_bytes());
        blob.extend_from_slice(&[0; 4]);
        assert!(parse_err(&blob).contains("add up"));
    }

    #[test]
    fn single_byte_corruptions_never_panic() {
        let good = full_package().build();
        for at in 0..good.len() {
            for value in [0x00, 0x01, 0x7f, 0x80, 0xff] {
                let mut blob = good.clone();
                blob[at] = value;
                let _ = parse(&blob);
            }
        }
    }
}
