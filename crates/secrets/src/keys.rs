//! Private keys: PEM blocks of every type, OpenSSH, PGP, PuTTY and ssh.com SSH2 keys,
//! decoded far enough to tell a real key from a snippet and an encrypted key from a
//! plain one (encrypted keys get their own, lower-severity rule ids).

use base64::Engine as _;
use memchr::memmem;

use crate::engine::Candidate;

/// Keywords (lower-case) that make the key detector run.
pub const KEYWORDS: &[&str] = &[
    "private key",
    "putty-user-key-file-",
    "begin ssh2 encrypted private key",
];

/// Keys longer than this are not keys (the largest RSA-16384 PEM is about 13 KB).
const MAX_BLOCK: usize = 64 * 1024;

pub fn detect(content: &[u8], out: &mut Vec<Candidate>) {
    detect_pem(content, out);
    detect_putty(content, out);
    detect_ssh2(content, out);
}

fn detect_pem(content: &[u8], out: &mut Vec<Candidate>) {
    let begin = b"-----BEGIN ";
    let mut from = 0;
    while let Some(found) = memmem::find(&content[from..], begin) {
        let start = from + found;
        from = start + begin.len();
        let Some(label_end) = memmem::find(&content[from..content.len().min(from + 64)], b"-----")
        else {
            continue;
        };
        let label = &content[from..from + label_end];
        let Some(kind) = label
            .strip_suffix(b"PRIVATE KEY BLOCK")
            .or_else(|| label.strip_suffix(b"PRIVATE KEY"))
        else {
            continue;
        };
        if !kind
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b' ')
        {
            continue;
        }
        let body_start = from + label_end + 5;
        let mut end_marker = b"-----END ".to_vec();
        end_marker.extend_from_slice(label);
        end_marker.extend_from_slice(b"-----");
        let window = &content[body_start..content.len().min(body_start + MAX_BLOCK)];
        let Some(body_len) = memmem::find(window, &end_marker) else {
            continue;
        };
        let body = unescape_newlines(&window[..body_len]);
        from = body_start + body_len + end_marker.len();
        if let Some((rule, secret)) = classify_pem(kind, &body) {
            out.push(Candidate::validated(rule, start, secret, None));
        }
    }
}

/// Keys pasted into JSON or `.env` files carry `\n` escapes instead of line breaks.
fn unescape_newlines(body: &[u8]) -> Vec<u8> {
    if memmem::find(body, b"\\n").is_none() {
        return body.to_vec();
    }
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if body[i] == b'\\' && body.get(i + 1) == Some(&b'n') {
            out.push(b'\n');
            i += 2;
        } else if body[i] == b'\\' && body.get(i + 1) == Some(&b'r') {
            i += 2;
        } else {
            out.push(body[i]);
            i += 1;
        }
    }
    out
}

/// Splits an armored body into its `Key: value` headers and its base64 text (without
/// whitespace, and without PGP's `=XXXX` checksum line).
fn split_armor(body: &[u8]) -> (Vec<(String, String)>, Vec<u8>) {
    let mut headers = Vec::new();
    let mut base64 = Vec::new();
    let mut lines = body.split(|&b| b == b'\n').peekable();
    while let Some(line) = lines.next() {
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        if let Some(colon) = line.iter().position(|&b| b == b':') {
            let name = String::from_utf8_lossy(&line[..colon]).trim().to_string();
            let value = String::from_utf8_lossy(&line[colon + 1..])
                .trim()
                .to_string();
            headers.push((name, value));
            continue;
        }
        if line.starts_with(b"=")
            && line.len() == 5
            && lines.peek().is_none_or(|l| l.trim_ascii().is_empty())
        {
            continue;
        }
        base64.extend(line.iter().copied().filter(|b| !b.is_ascii_whitespace()));
    }
    (headers, base64)
}

fn decode_base64(text: &[u8]) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

fn classify_pem(kind: &[u8], body: &[u8]) -> Option<(&'static str, Vec<u8>)> {
    let (headers, text) = split_armor(body);
    let decoded = decode_base64(&text)?;
    if decoded.len() < 32 {
        return None;
    }
    let legacy_encrypted = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("Proc-Type") && v.contains("ENCRYPTED"));
    let der = decoded[0] == 0x30;
    let rule = match kind {
        b"RSA " | b"EC " | b"DSA " if !der => return None,
        _ if legacy_encrypted => "private-key:encrypted-pem",
        b"RSA " => "private-key:rsa-pkcs1",
        b"EC " => "private-key:ec",
        b"DSA " => "private-key:dsa",
        b"" if der => "private-key:pkcs8",
        b"ENCRYPTED " if der => "private-key:pkcs8-encrypted",
        b"OPENSSH " => match openssh_cipher(&decoded)? {
            cipher if cipher == b"none" => "private-key:openssh",
            _ => "private-key:openssh-encrypted",
        },
        b"PGP " => match pgp_secret_key_protected(&decoded) {
            Some(true) => "private-key:pgp-encrypted",
            _ => "private-key:pgp",
        },
        b"" | b"ENCRYPTED " => return None,
        _ => "private-key:other",
    };
    Some((rule, text))
}

/// The cipher name of an `openssh-key-v1` blob (`none` when unencrypted).
fn openssh_cipher(blob: &[u8]) -> Option<&[u8]> {
    let rest = blob.strip_prefix(b"openssh-key-v1\0")?;
    read_ssh_string(rest).map(|(s, _)| s)
}

fn read_ssh_string(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let len = u32::from_be_bytes(data.get(..4)?.try_into().ok()?) as usize;
    let value = data.get(4..4 + len)?;
    Some((value, &data[4 + len..]))
}

/// Whether the first secret-key packet of a PGP key is passphrase-protected; `None`
/// when the packet cannot be read.
fn pgp_secret_key_protected(data: &[u8]) -> Option<bool> {
    let tag_byte = *data.first()?;
    if tag_byte & 0x80 == 0 {
        return None;
    }
    let (tag, body) = if tag_byte & 0x40 != 0 {
        // New format: one to five length octets.
        let first = *data.get(1)? as usize;
        let (len, skip) = match first {
            0..=191 => (first, 2),
            192..=223 => (((first - 192) << 8) + *data.get(2)? as usize + 192, 3),
            255 => (
                u32::from_be_bytes(data.get(2..6)?.try_into().ok()?) as usize,
                6,
            ),
            _ => return None,
        };
        (tag_byte & 0x3f, data.get(skip..skip + len)?)
    } else {
        let tag = (tag_byte >> 2) & 0x0f;
        let (len, skip) = match tag_byte & 0x03 {
            0 => (*data.get(1)? as usize, 2),
            1 => (
                u16::from_be_bytes(data.get(1..3)?.try_into().ok()?) as usize,
                3,
            ),
            2 => (
                u32::from_be_bytes(data.get(1..5)?.try_into().ok()?) as usize,
                5,
            ),
            _ => (data.len() - 1, 1),
        };
        (tag, data.get(skip..skip + len)?)
    };
    if tag != 5 && tag != 7 {
        return None;
    }
    let version = *body.first()?;
    let algorithm = *body.get(5)?;
    let mut rest = body.get(6..)?;
    match version {
        4 => {
            let mpi = |rest: &mut &[u8]| -> Option<()> {
                let bits = u16::from_be_bytes(rest.get(..2)?.try_into().ok()?) as usize;
                *rest = rest.get(2 + bits.div_ceil(8)..)?;
                Some(())
            };
            let oid = |rest: &mut &[u8]| -> Option<()> {
                let len = *rest.first()? as usize;
                *rest = rest.get(1 + len..)?;
                Some(())
            };
            match algorithm {
                1..=3 => (0..2).try_for_each(|_| mpi(&mut rest))?,
                16 => (0..3).try_for_each(|_| mpi(&mut rest))?,
                17 => (0..4).try_for_each(|_| mpi(&mut rest))?,
                19 | 22 => {
                    oid(&mut rest)?;
                    mpi(&mut rest)?;
                }
                18 => {
                    oid(&mut rest)?;
                    mpi(&mut rest)?;
                    oid(&mut rest)?; // KDF parameters: length-prefixed like an OID
                }
                25 | 27 => rest = rest.get(32..)?,
                26 => rest = rest.get(56..)?,
                28 => rest = rest.get(57..)?,
                _ => return None,
            }
        }
        // v5 and v6 packets give the public key material's length.
        5 | 6 => {
            let len = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
            rest = rest.get(4 + len..)?;
        }
        _ => return None,
    }
    Some(*rest.first()? != 0)
}

fn line_value<'a>(text: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let at = memmem::find(text, name)?;
    let rest = &text[at + name.len()..];
    let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
    Some(rest[..end].trim_ascii())
}

fn detect_putty(content: &[u8], out: &mut Vec<Candidate>) {
    let marker = b"PuTTY-User-Key-File-";
    let mut from = 0;
    while let Some(found) = memmem::find(&content[from..], marker) {
        let start = from + found;
        from = start + marker.len();
        let block = &content[start..content.len().min(start + MAX_BLOCK)];
        let (Some(encryption), Some(lines)) = (
            line_value(block, b"Encryption:"),
            line_value(block, b"Private-Lines:"),
        ) else {
            continue;
        };
        let Ok(count) = std::str::from_utf8(lines).unwrap_or("").parse::<usize>() else {
            continue;
        };
        let Some(at) = memmem::find(block, b"Private-Lines:") else {
            continue;
        };
        let private: Vec<u8> = block[at..]
            .split(|&b| b == b'\n')
            .skip(1)
            .take(count)
            .flat_map(|l| l.trim_ascii().to_vec())
            .collect();
        if private.len() < 16 || decode_base64(&private).is_none() {
            continue;
        }
        let rule = if encryption == b"none" {
            "private-key:putty"
        } else {
            "private-key:putty-encrypted"
        };
        out.push(Candidate::validated(rule, start, private, None));
    }
}

fn detect_ssh2(content: &[u8], out: &mut Vec<Candidate>) {
    let begin = b"---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----";
    let end = b"---- END SSH2 ENCRYPTED PRIVATE KEY ----";
    let mut from = 0;
    while let Some(found) = memmem::find(&content[from..], begin) {
        let start = from + found;
        let body_start = start + begin.len();
        let window = &content[body_start..content.len().min(body_start + MAX_BLOCK)];
        let Some(len) = memmem::find(window, end) else {
            break;
        };
        from = body_start + len + end.len();
        // Headers may continue over lines ending in a backslash; drop them.
        let body: Vec<u8> = window[..len]
            .split(|&b| b == b'\n')
            .filter(|l| !l.contains(&b':') && !l.ends_with(b"\\") && !l.ends_with(b"\\\r"))
            .flat_map(|l| l.trim_ascii().to_vec())
            .collect();
        let Some(decoded) = decode_base64(&body) else {
            continue;
        };
        // Magic, total length, key type, then the cipher name.
        if decoded.get(..4) != Some(&[0x3f, 0x6f, 0xf9, 0xeb][..]) {
            continue;
        }
        let cipher = decoded
            .get(8..)
            .and_then(read_ssh_string)
            .and_then(|(_, rest)| read_ssh_string(rest))
            .map(|(cipher, _)| cipher);
        let rule = match cipher {
            Some(b"none") => "private-key:other",
            Some(_) => "private-key:ssh2-encrypted",
            None => continue,
        };
        out.push(Candidate::validated(rule, start, body, None));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A made-up DER-ish blob (not a key) wrapped as PEM: enough for the classifier.
    fn pem(label: &str, headers: &str, der: &[u8]) -> String {
        let text = base64::engine::general_purpose::STANDARD.encode(der);
        let lines: Vec<&str> = text
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN {label}-----\n{headers}{}\n-----END {label}-----\n",
            lines.join("\n")
        )
    }

    fn fake_der(len: usize) -> Vec<u8> {
        let mut der = vec![0x30, 0x82, 0x04, 0xa3];
        der.extend((0..len).map(|i| (i * 7 + 13) as u8));
        der
    }

    fn rules_of(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        detect(text.as_bytes(), &mut out);
        out.into_iter().map(|c| c.rule).collect()
    }

    #[test]
    fn pem_kinds_and_encryption() {
        let der = fake_der(600);
        assert_eq!(
            rules_of(&pem("RSA PRIVATE KEY", "", &der)),
            ["private-key:rsa-pkcs1"]
        );
        assert_eq!(
            rules_of(&pem("PRIVATE KEY", "", &der)),
            ["private-key:pkcs8"]
        );
        assert_eq!(
            rules_of(&pem("EC PRIVATE KEY", "", &der)),
            ["private-key:ec"]
        );
        assert_eq!(
            rules_of(&pem("DSA PRIVATE KEY", "", &der)),
            ["private-key:dsa"]
        );
        assert_eq!(
            rules_of(&pem("ENCRYPTED PRIVATE KEY", "", &der)),
            ["private-key:pkcs8-encrypted"]
        );
        let legacy =
            "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n";
        assert_eq!(
            rules_of(&pem("RSA PRIVATE KEY", legacy, &der)),
            ["private-key:encrypted-pem"]
        );
    }

    #[test]
    fn snippets_and_certificates_are_not_keys() {
        assert!(
            rules_of("-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----")
                .is_empty()
        );
        assert!(rules_of("if line == '-----BEGIN PRIVATE KEY-----': pass").is_empty());
        assert!(rules_of(&pem("CERTIFICATE", "", &fake_der(600))).is_empty());
        // Not DER.
        assert!(rules_of(&pem("RSA PRIVATE KEY", "", &[0x41; 200])).is_empty());
    }

    #[test]
    fn escaped_newlines_in_json_strings() {
        let block = pem("PRIVATE KEY", "", &fake_der(300)).replace('\n', "\\n");
        let json = format!("{{\"private_key\": \"{block}\"}}");
        assert_eq!(rules_of(&json), ["private-key:pkcs8"]);
    }

    fn openssh_blob(cipher: &str) -> Vec<u8> {
        let mut blob = b"openssh-key-v1\0".to_vec();
        blob.extend((cipher.len() as u32).to_be_bytes());
        blob.extend(cipher.as_bytes());
        blob.extend([0u8; 64]);
        blob
    }

    #[test]
    fn openssh_cipher_decides_encryption() {
        assert_eq!(
            rules_of(&pem("OPENSSH PRIVATE KEY", "", &openssh_blob("none"))),
            ["private-key:openssh"]
        );
        assert_eq!(
            rules_of(&pem("OPENSSH PRIVATE KEY", "", &openssh_blob("aes256-ctr"))),
            ["private-key:openssh-encrypted"]
        );
    }

    /// A v4 RSA secret-key packet with tiny made-up MPIs and the given S2K usage octet.
    fn pgp_packet(s2k_usage: u8) -> Vec<u8> {
        let mut body = vec![4, 0x65, 0x00, 0x00, 0x00, 1];
        body.extend([0x00, 0x10, 0xAB, 0xCD]); // n: 16 bits
        body.extend([0x00, 0x11, 0x01, 0x00, 0x01]); // e: 17 bits
        body.push(s2k_usage);
        body.extend([0x5A; 40]);
        let mut packet = vec![0xC5, body.len() as u8];
        packet.extend(body);
        packet
    }

    #[test]
    fn pgp_protection_is_read_from_the_packet() {
        let armor = |packet: &[u8]| pem("PGP PRIVATE KEY BLOCK", "Version: test\n\n", packet);
        assert_eq!(rules_of(&armor(&pgp_packet(0))), ["private-key:pgp"]);
        assert_eq!(
            rules_of(&armor(&pgp_packet(254))),
            ["private-key:pgp-encrypted"]
        );
    }

    #[test]
    fn putty_keys() {
        let private = base64::engine::general_purpose::STANDARD.encode([0x42u8; 48]);
        let key = |encryption: &str| {
            format!("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: {encryption}\nComment: test\nPublic-Lines: 1\nAAAA\nPrivate-Lines: 1\n{private}\nPrivate-MAC: 00\n")
        };
        assert_eq!(rules_of(&key("none")), ["private-key:putty"]);
        assert_eq!(
            rules_of(&key("aes256-cbc")),
            ["private-key:putty-encrypted"]
        );
    }

    #[test]
    fn ssh2_keys() {
        let mut blob = vec![0x3f, 0x6f, 0xf9, 0xeb, 0, 0, 0, 64];
        for s in [
            "if-modn{sign{rsa-pkcs1-sha1},encrypt{rsa-pkcs1v2-oaep}}",
            "3des-cbc",
        ] {
            blob.extend((s.len() as u32).to_be_bytes());
            blob.extend(s.as_bytes());
        }
        blob.extend([7u8; 32]);
        let text = format!(
            "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nComment: \"test\"\n{}\n---- END SSH2 ENCRYPTED PRIVATE KEY ----\n",
            base64::engine::general_purpose::STANDARD.encode(&blob)
        );
        assert_eq!(rules_of(&text), ["private-key:ssh2-encrypted"]);
    }
}
