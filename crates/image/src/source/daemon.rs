//! Images kept by a local container engine: Docker, or Podman through its Docker-compatible
//! API. The image is looked up by name over the engine's unix socket
//! (`GET /images/{name}/json`), exported as a `docker save` stream (`GET /images/{name}/get`)
//! into a temporary file of the cache, and read like any docker-save archive; the file goes
//! when the image is dropped.
//!
//! The HTTP is written here: the requests are HTTP/1.0, so each answer ends when the
//! connection closes and there is no chunked framing to decode, and none of the HTTP
//! clients in the build speaks over a unix socket without an async runtime.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use std::sync::{Arc, OnceLock};

use super::layout::open_tree;
use super::tree::{TarTree, Tree};
use super::{build_layers, Image, Layer, LayerOpener, SourceKind};
use crate::cache::Cache;
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::layer::Limits;
use crate::oci;
use crate::platform::Platform;

/// How long an engine may stay silent: briefly when asked about a name (a wedged engine
/// must not hold up the next source long), and long for an export (a large image can
/// take it a while before the first byte).
const INSPECT_TIMEOUT: Duration = Duration::from_secs(30);
const EXPORT_TIMEOUT: Duration = Duration::from_secs(600);

/// The cache's record of which config an engine's image id stands for.
const ENGINE_IDS: &str = "engine-image-ids-v1";

/// An answer's body, with what its headers said of it.
struct Body {
    reader: BufReader<UnixStream>,
    length: Option<u64>,
    chunked: bool,
}

/// Longest status or header line, and most header bytes, accepted from an engine.
const MAX_HEADER_LINE: usize = 8 << 10;
const MAX_HEADERS: usize = 64 << 10;
/// An inspect document or an error message.
const MAX_JSON: u64 = 16 << 20;

/// What an engine said of an image.
pub enum Lookup {
    Found(Box<Image>),
    /// The engine runs and has no image of that name.
    Missing,
    /// Nothing listens on the engine's socket.
    Unreachable,
}

/// An engine's image, exported on first need: a scan whose layer facts are all cached
/// never asks for it. Checked against the config the scan was planned with, so a name
/// retagged meanwhile is an error rather than a mix of two images.
struct LazyExport {
    engine: Engine,
    name: String,
    location: String,
    /// What the engine calls the image: the config digest, or on Docker's containerd
    /// image store the manifest's (or index's) digest.
    id: Digest,
    /// The inspected platform of the image.
    platform: Platform,
    cache: Cache,
    limits: Limits,
    exported: OnceLock<std::result::Result<Image, String>>,
}

impl LazyExport {
    fn get(&self) -> Result<&Image> {
        let exported = self.exported.get_or_init(|| {
            self.engine.export(self).map_err(|e| match e {
                Error::Engine { message, .. } => message,
                other => other.to_string(),
            })
        });
        exported.as_ref().map_err(|message| Error::Engine {
            engine: self.engine.label(),
            message: message.clone(),
        })
    }

    /// Whether an exported image is the one inspected: its config, manifest or index
    /// digest is the engine's image id.
    fn is_inspected(&self, image: &Image) -> bool {
        image.config_digest == self.id
            || image.manifest_digest.as_ref() == Some(&self.id)
            || image.index_digest.as_ref() == Some(&self.id)
    }
}

impl LayerOpener for LazyExport {
    fn open(&self, layer: &Layer) -> Result<Box<dyn Read + Send>> {
        self.get()?.open_layer(layer)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineKind {
    Docker,
    Podman,
}

/// A container engine's API socket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Engine {
    pub kind: EngineKind,
    pub socket: PathBuf,
}

/// `unix:///path` → `/path`; other schemes (tcp, ssh) are not spoken here.
fn unix_socket(host: &str) -> Option<PathBuf> {
    host.strip_prefix("unix://")
        .filter(|p| p.starts_with('/'))
        .map(PathBuf::from)
}

impl Engine {
    /// Docker's socket: `DOCKER_HOST` when it names a unix socket, else
    /// `/var/run/docker.sock`. An error (the reason) when `DOCKER_HOST` names another
    /// transport, which is not spoken here.
    pub fn docker() -> std::result::Result<Engine, String> {
        let socket = match std::env::var("DOCKER_HOST") {
            Ok(host) if !host.is_empty() => unix_socket(&host)
                .ok_or_else(|| format!("DOCKER_HOST={host}: only unix:// sockets are read"))?,
            _ => PathBuf::from("/var/run/docker.sock"),
        };
        Ok(Engine {
            kind: EngineKind::Docker,
            socket,
        })
    }

    /// Podman's socket: `CONTAINER_HOST` when it names a unix socket, else the rootless
    /// `$XDG_RUNTIME_DIR/podman/podman.sock` when it exists, else the rootful
    /// `/run/podman/podman.sock`.
    pub fn podman() -> std::result::Result<Engine, String> {
        let socket = match std::env::var("CONTAINER_HOST") {
            Ok(host) if !host.is_empty() => unix_socket(&host)
                .ok_or_else(|| format!("CONTAINER_HOST={host}: only unix:// sockets are read"))?,
            _ => std::env::var_os("XDG_RUNTIME_DIR")
                .map(|dir| Path::new(&dir).join("podman/podman.sock"))
                .filter(|p| p.exists())
                .unwrap_or_else(|| PathBuf::from("/run/podman/podman.sock")),
        };
        Ok(Engine {
            kind: EngineKind::Podman,
            socket,
        })
    }

    /// `docker engine at unix:///var/run/docker.sock`.
    pub fn label(&self) -> String {
        let name = match self.kind {
            EngineKind::Docker => "docker",
            EngineKind::Podman => "podman",
        };
        format!("{name} engine at unix://{}", self.socket.display())
    }

    fn error(&self, message: impl Into<String>) -> Error {
        Error::Engine {
            engine: self.label(),
            message: message.into(),
        }
    }

    /// The image `name` as this engine holds it; whether the engine runs here and has it
    /// otherwise (so the next source can be tried).
    pub fn open_image(
        &self,
        name: &str,
        platform: Option<&Platform>,
        cache: &Cache,
        limits: &Limits,
    ) -> Result<Lookup> {
        let path = format!("/images/{}", encode_name(name));
        let Some((status, mut body)) = self.get(&format!("{path}/json"), INSPECT_TIMEOUT)? else {
            return Ok(Lookup::Unreachable);
        };
        match status {
            200 => {}
            404 => {
                tracing::debug!("{}: no image {name}", self.label());
                return Ok(Lookup::Missing);
            }
            _ => return Err(self.failure(status, &mut body)),
        }
        let mut inspect = Vec::new();
        body.reader
            .take(MAX_JSON)
            .read_to_end(&mut inspect)
            .map_err(|e| self.read_error(e, INSPECT_TIMEOUT))?;
        let inspect: serde_json::Value = serde_json::from_slice(&inspect)
            .map_err(|e| self.error(format!("inspecting {name}: {e}")))?;
        let held = Platform {
            os: inspect["Os"].as_str().unwrap_or("linux").to_string(),
            architecture: inspect["Architecture"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            variant: inspect["Variant"].as_str().map(str::to_string),
        };
        // An engine keeps one platform of a name: another one asked for is not here.
        if let Some(wanted) = platform {
            if !held.architecture.is_empty() && !wanted.matches(&held) {
                tracing::debug!("{}: {name} is {held}, not {wanted}", self.label());
                return Ok(Lookup::Missing);
            }
        }
        let id: Digest = inspect["Id"]
            .as_str()
            .and_then(|id| id.parse().ok())
            .ok_or_else(|| self.error(format!("inspecting {name}: no image id")))?;
        let location = format!("{name} from the {}", self.label());
        let export = Arc::new(LazyExport {
            engine: self.clone(),
            name: name.to_string(),
            location: location.clone(),
            id: id.clone(),
            platform: platform.cloned().unwrap_or_else(|| {
                if held.architecture.is_empty() {
                    Platform::default()
                } else {
                    held.clone()
                }
            }),
            cache: cache.clone(),
            limits: limits.clone(),
            exported: OnceLock::new(),
        });
        let kind = match self.kind {
            EngineKind::Docker => SourceKind::DockerDaemon,
            EngineKind::Podman => SourceKind::PodmanDaemon,
        };
        // The config of an image id seen before is in the cache, and its layers' facts
        // are cached by diffID: a rescan exports nothing. The export happens only when a
        // layer must be read, and must then bring that very config.
        let known = cache
            .load_facts::<String>(ENGINE_IDS, &id)
            .and_then(|config| config.parse::<Digest>().ok())
            .and_then(|digest| {
                let bytes = cache.read_blob(&digest, limits.max_config_bytes)?;
                let config =
                    oci::parse_config(&bytes, "", &format!("image config of {location}")).ok()?;
                Some((digest, config))
            });
        let image = match known {
            Some((config_digest, config)) => {
                let blobs = vec![(None, String::new(), None); config.rootfs.diff_ids.len()];
                let layers = build_layers(&location, &config, blobs)?;
                Image {
                    kind,
                    location,
                    name: Some(name.to_string()),
                    manifest_digest: None,
                    index_digest: None,
                    config_digest,
                    config,
                    layers,
                    opener: export,
                }
            }
            None => {
                let exported = export.get()?;
                Image {
                    kind,
                    location,
                    name: Some(name.to_string()),
                    manifest_digest: None,
                    index_digest: None,
                    config_digest: exported.config_digest.clone(),
                    config: exported.config.clone(),
                    layers: exported.layers.clone(),
                    opener: export.clone(),
                }
            }
        };
        Ok(Lookup::Found(Box::new(image)))
    }

    /// Exports the image (`GET /images/{name}/get`, the `docker save` stream) into a
    /// temporary file of the cache, opens it as an archive, checks it is the image that was
    /// inspected, and remembers its config by image id for the next scan.
    fn export(&self, plan: &LazyExport) -> Result<Image> {
        let (name, cache, limits) = (&plan.name, &plan.cache, &plan.limits);
        tracing::debug!("exporting {name} from the {}", self.label());
        let path = format!("/images/{}/get", encode_name(name));
        let Some((status, mut body)) = self.get(&path, EXPORT_TIMEOUT)? else {
            return Err(self.error("stopped answering"));
        };
        if status != 200 {
            return Err(self.failure(status, &mut body));
        }
        if body.chunked {
            return Err(self.error("answered an HTTP/1.0 request with a chunked body"));
        }
        let what = format!("{name} exported by the {}", self.label());
        let mut temp = cache.temp_file()?;
        let copied = io::copy(
            &mut (&mut body.reader).take(limits.max_archive_bytes + 1),
            temp.as_file_mut(),
        )
        .map_err(|e| self.read_error(e, EXPORT_TIMEOUT))?;
        if copied > limits.max_archive_bytes {
            return Err(Error::TooLarge {
                what,
                limit: limits.max_archive_bytes,
            });
        }
        if body.length.is_some_and(|n| n != copied) {
            return Err(self.error(format!(
                "the export of {name} stopped after {copied} of {} bytes",
                body.length.unwrap_or_default()
            )));
        }
        let tree: Arc<dyn Tree> = Arc::new(TarTree::from_temp(temp, &plan.location)?);
        let image = open_tree(
            tree.clone(),
            true,
            plan.location.clone(),
            None,
            Some(&plan.platform),
            limits,
        )?;
        if !plan.is_inspected(&image) {
            return Err(self.error(format!(
                "{name} changed while it was read: the engine said {}, its export is {}",
                plan.id, image.config_digest
            )));
        }
        // Remember the config for the next scan (both export formats hold it by digest:
        // `blobs/sha256/HEX` in Docker 25+'s OCI layout, `HEX.json` in the legacy one).
        let digest = &image.config_digest;
        let config = [
            format!("blobs/sha256/{}", digest.hex()),
            format!("{}.json", digest.hex()),
        ]
        .iter()
        .find_map(|path| tree.read(path, limits.max_config_bytes, Some(digest)).ok());
        let remembered = config
            .ok_or_else(|| "its config was not found in the export".to_string())
            .and_then(|bytes| {
                cache
                    .put_blob_bytes(digest, &bytes)
                    .and_then(|()| cache.store_facts(ENGINE_IDS, &plan.id, &digest.to_string()))
                    .map_err(|e| e.to_string())
            });
        if let Err(why) = remembered {
            tracing::warn!("{name}: not cached for the next scan: {why}");
        }
        Ok(image)
    }

    /// A read that failed or timed out, said plainly.
    fn read_error(&self, err: io::Error, timeout: Duration) -> Error {
        if matches!(
            err.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        ) {
            self.error(format!("no answer for {} s", timeout.as_secs()))
        } else {
            self.error(err.to_string())
        }
    }

    /// An error answer: the engine's own `message` when it sent one.
    fn failure(&self, status: u16, body: &mut Body) -> Error {
        let mut text = Vec::new();
        let _ = (&mut body.reader).take(MAX_JSON).read_to_end(&mut text);
        let message = serde_json::from_slice::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.get("message")?.as_str().map(str::to_string))
            .unwrap_or_else(|| String::from_utf8_lossy(&text).trim().to_string());
        let message: String = message.chars().take(300).collect();
        self.error(format!("HTTP {status}: {message}"))
    }

    /// One GET: the status and the body, or `None` when nothing listens on the socket.
    fn get(&self, path: &str, timeout: Duration) -> Result<Option<(u16, Body)>> {
        let stream = match UnixStream::connect(&self.socket) {
            Ok(stream) => stream,
            Err(err)
                if matches!(
                    err.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused
                ) =>
            {
                tracing::debug!("{}: {err}", self.label());
                return Ok(None);
            }
            Err(err) => return Err(self.error(err.to_string())),
        };
        let io_err = |err: io::Error| self.error(err.to_string());
        stream.set_read_timeout(Some(timeout)).map_err(io_err)?;
        stream
            .set_write_timeout(Some(Duration::from_secs(30)))
            .map_err(io_err)?;
        let request = format!(
            "GET {path} HTTP/1.0\r\nHost: docker\r\nUser-Agent: drydock/{}\r\n\r\n",
            env!("CARGO_PKG_VERSION")
        );
        (&stream).write_all(request.as_bytes()).map_err(io_err)?;
        let mut reader = BufReader::new(stream);
        let status_line = read_line(&mut reader).map_err(|e| self.read_error(e, timeout))?;
        let status = parse_status(&status_line).ok_or_else(|| {
            let shown: String = status_line.chars().take(80).collect();
            self.error(format!("not an HTTP answer: {shown:?}"))
        })?;
        let mut body = Body {
            reader,
            length: None,
            chunked: false,
        };
        let mut header_bytes = status_line.len();
        loop {
            let line = read_line(&mut body.reader).map_err(|e| self.read_error(e, timeout))?;
            if line.is_empty() {
                break;
            }
            header_bytes += line.len();
            if header_bytes > MAX_HEADERS {
                return Err(self.error("answer headers too long"));
            }
            if let Some((name, value)) = line.split_once(':') {
                let value = value.trim();
                if name.eq_ignore_ascii_case("content-length") {
                    body.length = value.parse().ok();
                } else if name.eq_ignore_ascii_case("transfer-encoding") {
                    body.chunked = value.to_ascii_lowercase().contains("chunked");
                }
            }
        }
        Ok(Some((status, body)))
    }
}

/// One CRLF- (or LF-) ended line, without its end; an error past [`MAX_HEADER_LINE`] or at
/// the end of the stream.
fn read_line(reader: &mut impl BufRead) -> io::Result<String> {
    let mut line = Vec::new();
    reader
        .take(MAX_HEADER_LINE as u64 + 1)
        .read_until(b'\n', &mut line)?;
    if !line.ends_with(b"\n") {
        let why = if line.len() > MAX_HEADER_LINE {
            "header line too long"
        } else {
            "connection closed in the headers"
        };
        return Err(io::Error::new(io::ErrorKind::InvalidData, why));
    }
    line.pop();
    if line.ends_with(b"\r") {
        line.pop();
    }
    Ok(String::from_utf8_lossy(&line).into_owned())
}

/// `HTTP/1.0 404 Not Found` → 404.
fn parse_status(line: &str) -> Option<u16> {
    let mut parts = line.split_whitespace();
    let version = parts.next()?;
    if !version.starts_with("HTTP/1.") {
        return None;
    }
    let code: u16 = parts.next()?.parse().ok()?;
    (100..600).contains(&code).then_some(code)
}

/// The name as a path segment: reference characters as they are, anything else escaped.
fn encode_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/:@".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sockets_come_from_the_environment_forms() {
        assert_eq!(
            unix_socket("unix:///run/user/1000/docker.sock"),
            Some(PathBuf::from("/run/user/1000/docker.sock"))
        );
        assert_eq!(unix_socket("tcp://127.0.0.1:2375"), None);
        assert_eq!(unix_socket("unix://relative.sock"), None);
    }

    #[test]
    fn status_lines_and_names() {
        assert_eq!(parse_status("HTTP/1.0 404 Not Found"), Some(404));
        assert_eq!(parse_status("HTTP/1.1 200 OK"), Some(200));
        assert_eq!(parse_status("SSH-2.0-OpenSSH"), None);
        assert_eq!(parse_status("HTTP/1.0 9999 x"), None);
        assert_eq!(
            encode_name("ghcr.io/org/app:1.0@sha256:ab"),
            "ghcr.io/org/app:1.0@sha256:ab"
        );
        assert_eq!(encode_name("a b?c#d"), "a%20b%3Fc%23d");
    }

    #[test]
    fn header_lines_are_bounded() {
        let long = format!(
            "HTTP/1.0 200 OK\r\nX: {}\r\n\r\n",
            "a".repeat(MAX_HEADER_LINE)
        );
        let mut reader = io::Cursor::new(long.into_bytes());
        assert_eq!(read_line(&mut reader).unwrap(), "HTTP/1.0 200 OK");
        assert!(read_line(&mut reader).is_err());
        let mut cut = io::Cursor::new(b"HTTP/1.0 200".to_vec());
        assert!(read_line(&mut cut).is_err());
    }
}
