//! HTTP downloads for `db update` from the publishers: conditional requests (ETag /
//! Last-Modified), resumable `.part` files (`Range` + `If-Range`), retries with backoff on
//! 429/5xx honouring `Retry-After`, and redirects followed by hand so that an https URL is
//! never sent on to plain http.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

const MAX_REDIRECTS: u32 = 5;

/// What a server said about a file's version, sent back on the next request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

impl Validators {
    fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }

    fn from_response(resp: &ureq::http::Response<ureq::Body>) -> Self {
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        Validators {
            etag: header("etag"),
            last_modified: header("last-modified"),
        }
    }

    /// The value for `If-Range`: a strong ETag, else the date when there is no ETag at all
    /// (RFC 9110 forbids the date beside an entity tag, and a weak tag is not allowed).
    fn if_range(&self) -> Option<&str> {
        match &self.etag {
            Some(tag) if !tag.starts_with("W/") => Some(tag),
            Some(_) => None,
            None => self.last_modified.as_deref(),
        }
    }

    /// Whether a partial response continues the same version as the saved bytes: a server
    /// that honours `Range` but ignores `If-Range` would otherwise splice two versions.
    fn same_version(&self, other: &Validators) -> bool {
        match (&self.etag, &other.etag) {
            (Some(a), Some(b)) => a == b,
            (None, None) => {
                self.last_modified.is_some() && self.last_modified == other.last_modified
            }
            _ => false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("HTTP {0}")]
    Status(u16),
    #[error("{0}")]
    Transport(String),
    #[error("redirect from https to plain http ({0}) refused")]
    Downgrade(String),
    #[error("more than {MAX_REDIRECTS} redirects")]
    Redirects,
    #[error("larger than {0} bytes")]
    TooLarge(u64),
    #[error("not complete within the download timeout ({})", describe_duration(*.0))]
    Deadline(Duration),
    #[error("{0}")]
    Io(#[from] io::Error),
}

impl FetchError {
    /// Whether the publisher says the file does not exist (as opposed to failing).
    pub fn is_not_found(&self) -> bool {
        matches!(self, FetchError::Status(404 | 410))
    }
}

/// How a fetch ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// 304: the staged copy is current.
    NotModified,
    /// The whole body is in the `.part` file; `resumed` when part of it came from an
    /// earlier, interrupted transfer.
    Downloaded {
        validators: Validators,
        resumed: bool,
    },
}

/// How long one file may take, retries included, unless the caller says otherwise. A
/// per-read timeout alone lets a server that drips a byte a minute hold an update forever.
pub const DEFAULT_DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// `90s` → "1m30s", `1800s` → "30m", `500ms` → "500ms".
pub fn describe_duration(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        return format!("{}ms", d.as_millis());
    }
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 || out.is_empty() {
        out.push_str(&format!("{s}s"));
    }
    out
}

/// The end of one file's time budget.
#[derive(Clone, Copy)]
pub(crate) struct Deadline {
    /// `None`: a budget too long for the clock to say when it ends, i.e. none.
    at: Option<Instant>,
    pub(crate) budget: Duration,
}

/// What "no deadline" leaves for one request.
const UNBOUNDED: Duration = Duration::from_secs(365 * 24 * 3600);

impl Deadline {
    pub(crate) fn after(budget: Duration) -> Self {
        Deadline {
            at: Instant::now().checked_add(budget),
            budget,
        }
    }

    /// The time left, or `None` once it has passed.
    pub(crate) fn remaining(&self) -> Option<Duration> {
        let Some(at) = self.at else {
            return Some(UNBOUNDED);
        };
        let left = at.saturating_duration_since(Instant::now());
        (!left.is_zero()).then_some(left)
    }
}

pub struct Fetcher {
    agent: ureq::Agent,
    retries: u32,
    backoff: Duration,
    max_wait: Duration,
    download_timeout: Duration,
}

impl Default for Fetcher {
    fn default() -> Self {
        Self::new()
    }
}

impl Fetcher {
    pub fn new() -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // Redirects are followed in `send` so that each hop can be checked.
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_connect(Some(Duration::from_secs(30)))
            .timeout_per_read(Some(Duration::from_secs(120)))
            .user_agent(concat!("drydock/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Fetcher {
            agent,
            retries: 3,
            backoff: Duration::from_millis(250),
            max_wait: Duration::from_secs(60),
            download_timeout: DEFAULT_DOWNLOAD_TIMEOUT,
        }
    }

    /// The most one file may take, from its first request to its last byte, retries and
    /// redirects included.
    pub fn with_download_timeout(mut self, timeout: Duration) -> Self {
        self.download_timeout = timeout;
        self
    }

    /// Downloads `url` into `part`. `current` are the validators of the staged copy (a
    /// conditional request when given). The validators of the bytes already in `part` are
    /// kept beside it (`<part>.meta`) as soon as a transfer starts, so that a later attempt
    /// — or a later run, after a crash — continues it.
    pub fn fetch(
        &self,
        url: &str,
        current: Option<&Validators>,
        part: &Path,
        limit: u64,
    ) -> Result<Outcome, FetchError> {
        let mut attempt = 0;
        let mut resumed = false;
        let mut part_validators = load_part(part, url);
        let part_validators = &mut part_validators;
        let deadline = Deadline::after(self.download_timeout);
        loop {
            let Some(remaining) = deadline.remaining() else {
                return Err(FetchError::Deadline(deadline.budget));
            };
            let have = fs::metadata(part).map(|m| m.len()).unwrap_or(0);
            let if_range = part_validators.as_ref().and_then(|v| v.if_range());
            // Without a validator for the partial bytes they cannot be continued safely.
            let offset = if if_range.is_some() { have } else { 0 };
            let mut headers: Vec<(&str, String)> = Vec::new();
            if offset > 0 {
                headers.push(("range", format!("bytes={offset}-")));
                headers.push(("if-range", if_range.unwrap_or_default().to_string()));
            } else if let Some(v) = current {
                if let Some(tag) = &v.etag {
                    headers.push(("if-none-match", tag.clone()));
                }
                if let Some(date) = &v.last_modified {
                    headers.push(("if-modified-since", date.clone()));
                }
            }
            let result = self.send(url, &headers, remaining).and_then(|mut resp| {
                let status = resp.status().as_u16();
                match status {
                    304 if current.is_some() && offset == 0 => Ok(Some(Outcome::NotModified)),
                    200 | 206 => {
                        let validators = Validators::from_response(&resp);
                        let start = if status == 206 {
                            content_range_start(&resp)
                        } else {
                            Some(0)
                        };
                        let same = part_validators
                            .as_ref()
                            .is_some_and(|saved| saved.same_version(&validators));
                        let append = status == 206 && start == Some(offset) && offset > 0 && same;
                        if status == 206 && !append {
                            // A range we did not ask for: start over without one.
                            *part_validators = None;
                            clear_part(part);
                            return Err(FetchError::Transport("unexpected partial content".into()));
                        }
                        let expected = resp
                            .headers()
                            .get("content-length")
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| v.trim().parse::<u64>().ok());
                        let mut file = if append {
                            OpenOptions::new().append(true).open(part)?
                        } else {
                            File::create(part)?
                        };
                        *part_validators = (!validators.is_empty()).then(|| validators.clone());
                        save_part(part, url, part_validators.as_ref())?;
                        let already = if append { offset } else { 0 };
                        let budget = limit.saturating_sub(already);
                        let mut body = resp.body_mut().as_reader().take(budget + 1);
                        let copied = io::copy(&mut body, &mut file);
                        file.flush()?;
                        let copied = copied.map_err(|e| FetchError::Transport(e.to_string()))?;
                        if copied > budget {
                            clear_part(part);
                            *part_validators = None;
                            return Err(FetchError::TooLarge(limit));
                        }
                        if expected.is_some_and(|n| n != copied) {
                            return Err(FetchError::Transport(format!(
                                "connection closed after {copied} of {} bytes",
                                expected.unwrap_or_default()
                            )));
                        }
                        resumed |= append;
                        let _ = fs::remove_file(meta_path(part));
                        Ok(Some(Outcome::Downloaded {
                            validators,
                            resumed,
                        }))
                    }
                    416 => {
                        // The partial file does not fit the current one: start over.
                        *part_validators = None;
                        clear_part(part);
                        Ok(None)
                    }
                    429 | 500..=599 if attempt < self.retries => {
                        let wait = retry_after(&resp)
                            .unwrap_or(self.backoff * 2u32.pow(attempt))
                            .min(self.max_wait);
                        std::thread::sleep(wait.min(remaining));
                        Ok(None)
                    }
                    other => Err(FetchError::Status(other)),
                }
            });
            match result {
                Ok(Some(outcome)) => return Ok(outcome),
                Ok(None) => attempt += 1,
                Err(FetchError::Transport(_)) if deadline.remaining().is_none() => {
                    return Err(FetchError::Deadline(deadline.budget));
                }
                Err(err @ FetchError::Transport(_)) if attempt < self.retries => {
                    tracing::debug!("{url}: {err}; retrying");
                    let wait = self.backoff * 2u32.pow(attempt);
                    std::thread::sleep(wait.min(deadline.remaining().unwrap_or_default()));
                    attempt += 1;
                }
                Err(err) => return Err(err),
            }
            if attempt > self.retries + 1 {
                return Err(FetchError::Transport("gave up after retries".into()));
            }
        }
    }

    /// One GET with redirects followed by hand (bounded, never https → http).
    fn send(
        &self,
        url: &str,
        headers: &[(&str, String)],
        remaining: Duration,
    ) -> Result<ureq::http::Response<ureq::Body>, FetchError> {
        let mut url = url.to_string();
        // One budget across the hops and the body that follows them.
        let deadline = Deadline::after(remaining);
        for _ in 0..=MAX_REDIRECTS {
            let Some(left) = deadline.remaining() else {
                return Err(FetchError::Transport(
                    "timed out following redirects".into(),
                ));
            };
            let mut request = self
                .agent
                .get(&url)
                .config()
                .timeout_global(Some(left))
                .build();
            for (name, value) in headers {
                request = request.header(*name, value);
            }
            let resp = request
                .call()
                .map_err(|e| FetchError::Transport(e.to_string()))?;
            let status = resp.status().as_u16();
            if !matches!(status, 301 | 302 | 303 | 307 | 308) {
                return Ok(resp);
            }
            let location = resp
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .ok_or(FetchError::Status(status))?;
            let next = resolve(&url, location);
            if downgrades(&url, &next) {
                return Err(FetchError::Downgrade(next));
            }
            url = next;
        }
        Err(FetchError::Redirects)
    }
}

/// What is known about a `.part` file: the URL and validators of the response it holds.
#[derive(Serialize, Deserialize)]
struct PartMeta {
    url: String,
    #[serde(flatten)]
    validators: Validators,
}

fn meta_path(part: &Path) -> std::path::PathBuf {
    let mut name = part.file_name().unwrap_or_default().to_os_string();
    name.push(".meta");
    part.with_file_name(name)
}

fn load_part(part: &Path, url: &str) -> Option<Validators> {
    if !part.is_file() {
        return None;
    }
    let meta: PartMeta = serde_json::from_slice(&fs::read(meta_path(part)).ok()?).ok()?;
    (meta.url == url && !meta.validators.is_empty()).then_some(meta.validators)
}

fn save_part(part: &Path, url: &str, validators: Option<&Validators>) -> io::Result<()> {
    match validators {
        Some(v) => {
            let meta = PartMeta {
                url: url.to_string(),
                validators: v.clone(),
            };
            fs::write(meta_path(part), serde_json::to_vec(&meta)?)
        }
        None => match fs::remove_file(meta_path(part)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        },
    }
}

fn clear_part(part: &Path) {
    let _ = fs::remove_file(part);
    let _ = fs::remove_file(meta_path(part));
}

/// Whether following a redirect from `from` to `to` would leave https.
fn downgrades(from: &str, to: &str) -> bool {
    let https = |u: &str| {
        u.get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
    };
    https(from) && !https(to)
}

/// The first byte of a 206 response's `Content-Range: bytes A-B/N`.
fn content_range_start(resp: &ureq::http::Response<ureq::Body>) -> Option<u64> {
    let value = resp.headers().get("content-range")?.to_str().ok()?;
    let range = value.trim().strip_prefix("bytes ")?;
    range.split('-').next()?.trim().parse().ok()
}

/// `Retry-After` in seconds (the HTTP-date form falls back to the backoff).
fn retry_after(resp: &ureq::http::Response<ureq::Body>) -> Option<Duration> {
    let value = resp.headers().get("retry-after")?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// A `Location` header resolved against the URL it came from (RFC 3986 §5.2, without
/// the query and fragment details a feed URL does not need).
fn resolve(base: &str, location: &str) -> String {
    // Absolute only when a scheme starts it: `/dl?u=https://x` is a relative reference.
    let scheme = location.split_once("://").map(|(scheme, _)| scheme);
    if scheme.is_some_and(|s| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    }) {
        return location.to_string();
    }
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = base[scheme_end..]
        .find('/')
        .map(|i| scheme_end + i)
        .unwrap_or(base.len());
    if let Some(rest) = location.strip_prefix("//") {
        return format!("{}{rest}", &base[..scheme_end]);
    }
    let (location, query) = match location.find('?') {
        Some(i) => location.split_at(i),
        None => (location, ""),
    };
    let path = if location.starts_with('/') {
        location.to_string()
    } else {
        let path = base[host_end..]
            .split(['?', '#'])
            .next()
            .unwrap_or_default();
        let dir = path.rfind('/').map(|i| &path[..=i]).unwrap_or("/");
        format!("{dir}{location}")
    };
    // Drop `.` and `..` segments.
    let mut segments: Vec<&str> = Vec::new();
    let parts: Vec<&str> = path.split('/').skip(1).collect();
    for (i, segment) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        match *segment {
            "." | ".." => {
                if *segment == ".." {
                    segments.pop();
                }
                if last {
                    segments.push("");
                }
            }
            other => segments.push(other),
        }
    }
    format!("{}/{}{query}", &base[..host_end], segments.join("/"))
}

#[cfg(test)]
mod resolve_tests {
    #[test]
    fn a_url_in_the_query_keeps_the_reference_relative() {
        assert_eq!(
            super::resolve("https://a.invalid/x/y", "/dl?u=https://b.invalid/z"),
            "https://a.invalid/dl?u=https://b.invalid/z"
        );
        assert_eq!(
            super::resolve("https://a.invalid/x/y", "https://c.invalid/z"),
            "https://c.invalid/z"
        );
    }
}

#[cfg(test)]
mod deadline_tests {
    use super::*;

    #[test]
    fn budgets_past_the_clock_mean_no_deadline() {
        let huge = Deadline::after(Duration::MAX);
        assert!(huge.remaining().is_some());
        assert_eq!(describe_duration(Duration::from_millis(500)), "500ms");
        assert_eq!(describe_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(describe_duration(Duration::from_secs(7200)), "2h");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_resolve_against_the_request() {
        let base = "https://feeds.example.invalid/a/b/all.zip?x=1";
        assert_eq!(
            resolve(base, "https://cdn.example.invalid/x"),
            "https://cdn.example.invalid/x"
        );
        assert_eq!(resolve(base, "/c/d"), "https://feeds.example.invalid/c/d");
        assert_eq!(
            resolve(base, "e.zip"),
            "https://feeds.example.invalid/a/b/e.zip"
        );
        assert_eq!(
            resolve(base, "//other.example.invalid/f"),
            "https://other.example.invalid/f"
        );
        assert_eq!(resolve("http://h.invalid", "g"), "http://h.invalid/g");
        assert_eq!(
            resolve(base, "../../c/./d?x=1"),
            "https://feeds.example.invalid/c/d?x=1"
        );
        assert_eq!(resolve(base, "../"), "https://feeds.example.invalid/a/");
    }

    #[test]
    fn redirects_never_leave_https() {
        assert!(downgrades("https://a.invalid/x", "http://a.invalid/x"));
        assert!(downgrades("https://a.invalid/x", "ftp://a.invalid/x"));
        assert!(!downgrades("https://a.invalid/x", "HTTPS://b.invalid/x"));
        assert!(!downgrades("http://a.invalid/x", "https://b.invalid/x"));
        assert!(!downgrades("http://a.invalid/x", "http://b.invalid/x"));
    }

    #[test]
    fn if_range_prefers_a_strong_tag() {
        let v = Validators {
            etag: Some("W/\"1\"".into()),
            last_modified: Some("Tue, 01 Sep 2026 00:00:00 GMT".into()),
        };
        // Only a weak tag: no resume (the date may not stand in beside an entity tag).
        assert_eq!(v.if_range(), None);
        let v = Validators {
            etag: None,
            last_modified: Some("Tue, 01 Sep 2026 00:00:00 GMT".into()),
        };
        assert_eq!(v.if_range(), Some("Tue, 01 Sep 2026 00:00:00 GMT"));
        let v = Validators {
            etag: Some("\"abc\"".into()),
            last_modified: None,
        };
        assert_eq!(v.if_range(), Some("\"abc\""));
        assert_eq!(Validators::default().if_range(), None);
    }
}
