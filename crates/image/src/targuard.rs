//! A guard in front of the tar parser. The `tar` crate reads the whole body of PAX
//! extended headers and GNU long names into memory, so a small compressed layer could
//! claim a 15 GiB "file name" and exhaust memory. This reader follows the 512-byte block
//! structure of the stream as it passes and refuses any metadata entry over a cap.

use std::io::{self, Read};

use crate::error::Error;

/// Largest PAX header or GNU long name/link body accepted (real ones are a few hundred
/// bytes; 1 MiB leaves room for long xattrs).
pub(crate) const MAX_METADATA_ENTRY: u64 = 1 << 20;

const BLOCK: u64 = 512;

enum State {
    /// Collecting a 512-byte header.
    Header { buf: Box<[u8; 512]>, have: usize },
    /// Skipping an entry's data (and padding); `pax` collects a PAX body to learn a
    /// `size=` override for the next entry.
    Data {
        remaining: u64,
        pax: Option<Vec<u8>>,
    },
}

pub(crate) struct TarGuard<R> {
    inner: R,
    state: State,
    /// The size a PAX header set for the next entry (files of 8 GiB and more).
    next_size: Option<u64>,
    layer: String,
}

fn header_state() -> State {
    State::Header {
        buf: Box::new([0; 512]),
        have: 0,
    }
}

/// The size field: octal text, or GNU base-256 when the high bit is set.
fn header_size(header: &[u8; 512]) -> Option<u64> {
    let field = &header[124..136];
    if field[0] & 0x80 != 0 {
        let mut value: u64 = 0;
        for &b in &field[1..] {
            value = value.checked_mul(256)?.checked_add(u64::from(b))?;
        }
        return Some(value);
    }
    let text = std::str::from_utf8(field).ok()?;
    let digits = text.trim_matches(|c: char| c == '\0' || c == ' ');
    if digits.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(digits, 8).ok()
}

/// `size=` from PAX records (`"<len> size=<n>\n"`).
fn pax_size(body: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(body);
    text.lines().find_map(|record| {
        let (_, kv) = record.split_once(' ')?;
        kv.strip_prefix("size=")?.trim().parse().ok()
    })
}

impl<R: Read> TarGuard<R> {
    pub fn new(inner: R, layer: &str) -> Self {
        TarGuard {
            inner,
            state: header_state(),
            next_size: None,
            layer: layer.to_string(),
        }
    }

    pub fn into_inner(self) -> R {
        self.inner
    }

    fn hostile(&self, reason: String) -> io::Error {
        Error::HostileLayer {
            layer: self.layer.clone(),
            reason,
        }
        .into_io()
    }

    /// Follows the block structure over `bytes`, which just passed through.
    fn observe(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            match &mut self.state {
                State::Header { buf, have } => {
                    let take = (512 - *have).min(bytes.len());
                    buf[*have..*have + take].copy_from_slice(&bytes[..take]);
                    *have += take;
                    bytes = &bytes[take..];
                    if *have < 512 {
                        continue;
                    }
                    let header = std::mem::replace(buf, Box::new([0; 512]));
                    *have = 0;
                    if header.iter().all(|&b| b == 0) {
                        continue; // end-of-archive blocks
                    }
                    let typeflag = header[156];
                    let size = header_size(&header)
                        .ok_or_else(|| self.hostile("unreadable size in a tar header".into()))?;
                    let metadata = matches!(typeflag, b'x' | b'g' | b'L' | b'K');
                    if metadata && size > MAX_METADATA_ENTRY {
                        return Err(self.hostile(format!(
                            "tar metadata entry of {size} bytes (type '{}'; the limit is {MAX_METADATA_ENTRY})",
                            typeflag as char
                        )));
                    }
                    // Hard links, symlinks and directories carry no data whatever the size says.
                    let data = match typeflag {
                        b'1' | b'2' | b'5' => 0,
                        _ if metadata => size,
                        _ => self.next_size.take().unwrap_or(size),
                    };
                    let padded = data.div_ceil(BLOCK) * BLOCK;
                    self.state = State::Data {
                        remaining: padded,
                        pax: (typeflag == b'x').then(|| Vec::with_capacity(size as usize)),
                    };
                    if padded == 0 {
                        self.state = header_state();
                    }
                }
                State::Data { remaining, pax } => {
                    let take = (*remaining).min(bytes.len() as u64) as usize;
                    if let Some(body) = pax {
                        body.extend_from_slice(&bytes[..take]);
                    }
                    *remaining -= take as u64;
                    bytes = &bytes[take..];
                    if *remaining == 0 {
                        if let Some(body) = pax.take() {
                            self.next_size = pax_size(&body);
                        }
                        self.state = header_state();
                    }
                }
            }
        }
        Ok(())
    }
}

impl<R> TarGuard<R> {
    /// Accounts for bytes skipped by seeking: the tar reader only seeks over the data of
    /// the current entry, so anything else means the guard lost the block structure.
    fn skipped(&mut self, mut amount: u64) -> io::Result<()> {
        while amount > 0 {
            match &mut self.state {
                State::Data { remaining, pax } => {
                    let take = (*remaining).min(amount);
                    *remaining -= take;
                    amount -= take;
                    if *remaining == 0 {
                        if let Some(body) = pax.take() {
                            self.next_size = pax_size(&body);
                        }
                        self.state = header_state();
                    }
                }
                State::Header { have: 0, .. } => {
                    return Err(Error::HostileLayer {
                        layer: self.layer.clone(),
                        reason: "seek past a tar header".into(),
                    }
                    .into_io())
                }
                State::Header { .. } => {
                    return Err(Error::HostileLayer {
                        layer: self.layer.clone(),
                        reason: "seek inside a tar header".into(),
                    }
                    .into_io())
                }
            }
        }
        Ok(())
    }
}

impl<R: Read + io::Seek> io::Seek for TarGuard<R> {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        match pos {
            io::SeekFrom::Current(n) if n >= 0 => {
                self.skipped(n as u64)?;
                self.inner.seek(pos)
            }
            io::SeekFrom::Current(0) => self.inner.seek(pos),
            _ => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "tar guard seeks forward only",
            )),
        }
    }
}

impl<R: Read> Read for TarGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.observe(&buf[..n])?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str, typeflag: u8, size: u64) -> [u8; 512] {
        let mut h = tar::Header::new_ustar();
        h.set_path(name).unwrap();
        h.set_size(size);
        h.set_entry_type(tar::EntryType::new(typeflag));
        h.set_cksum();
        *h.as_bytes()
    }

    #[test]
    fn refuses_huge_pax_headers_before_the_parser_reads_them() {
        let mut stream = header("././@PaxHeader", b'x', 15 << 30).to_vec();
        stream.extend_from_slice(&[b'a'; 4096]);
        let mut guard = TarGuard::new(&stream[..], "#0");
        let err = io::copy(&mut guard, &mut io::sink()).unwrap_err();
        let err = Error::from_io(err, || "x".into());
        assert!(
            err.to_string()
                .contains("tar metadata entry of 16106127360 bytes"),
            "{err}"
        );
    }

    #[test]
    fn follows_real_archives_with_pax_and_long_names() {
        let mut builder = tar::Builder::new(Vec::new());
        let long = format!("{}/file", "d".repeat(300));
        let mut h = tar::Header::new_gnu();
        h.set_size(5);
        h.set_mode(0o644);
        builder.append_data(&mut h, &long, &b"hello"[..]).unwrap();
        builder
            .append_pax_extensions([("path", &b"pax/name/with/unicode-\xc3\xa9"[..])])
            .unwrap();
        let mut h = tar::Header::new_ustar();
        h.set_size(3);
        h.set_cksum();
        builder.append_data(&mut h, "short", &b"abc"[..]).unwrap();
        let bytes = builder.into_inner().unwrap();
        let mut archive = tar::Archive::new(TarGuard::new(&bytes[..], "#0"));
        let names: Vec<String> = archive
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2);
        assert_eq!(names[0], long);
    }

    #[test]
    fn pax_size_records() {
        assert_eq!(
            pax_size(b"20 size=9000000000\n30 path=x\n"),
            Some(9_000_000_000)
        );
        assert_eq!(pax_size(b"12 path=abc\n"), None);
    }
}
