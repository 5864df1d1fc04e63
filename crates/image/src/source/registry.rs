//! A client for the OCI Distribution API: anonymous, HTTP basic and bearer-token auth (the
//! `WWW-Authenticate` challenge flow), credentials from flags or Docker's config, plain HTTP
//! for loopback or `--insecure` registries, retries with backoff on 429/5xx, and every
//! manifest and blob checked against its digest. Blobs land in the cache by digest.

use std::io::{self, Read};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use ureq::http::Response;
use ureq::Body;

use super::{build_layers, resolve, DocumentStore, Image, Layer, LayerOpener, SourceKind};
use crate::analyze::{Progress, ProgressReader};
use crate::cache::Cache;
use crate::digest::{read_verified, Digest};
use crate::error::{Error, Result};
use crate::layer::Limits;
use crate::oci::media;
use crate::platform::Platform;
use crate::reference::{Reference, DOCKER_HUB};

#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret, not even in debug logs.
        write!(f, "Credentials({}, ***)", self.username)
    }
}

#[derive(Clone, Debug)]
pub struct RegistryOptions {
    /// Allow plain HTTP and skip TLS certificate checks.
    pub insecure: bool,
    /// Explicit credentials; when absent, Docker's (and Podman's) config is consulted.
    pub credentials: Option<Credentials>,
    pub platform: Platform,
    /// Whether the user named the platform: then a single-platform image of another
    /// platform is refused rather than scanned.
    pub platform_explicit: bool,
    /// Retries after a 429, a 5xx or a dropped connection.
    pub retries: u32,
    /// First backoff delay; doubled on each retry unless the registry sends Retry-After.
    pub retry_base: Duration,
}

impl Default for RegistryOptions {
    fn default() -> Self {
        RegistryOptions {
            insecure: false,
            credentials: None,
            platform: Platform::default(),
            platform_explicit: false,
            retries: 3,
            retry_base: Duration::from_millis(500),
        }
    }
}

const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Scheme {
    Https,
    Http,
}

pub struct RegistryClient {
    reference: Reference,
    options: RegistryOptions,
    agent: ureq::Agent,
    credentials: Option<Credentials>,
    scheme: Mutex<Scheme>,
    /// Set once any request got an HTTP answer over the current scheme.
    scheme_confirmed: std::sync::atomic::AtomicBool,
    /// The `Authorization` header earned by the last challenge, reused for every request.
    authorization: Mutex<Option<String>>,
    progress: Option<Arc<dyn Progress>>,
}

/// A parsed `WWW-Authenticate` challenge.
#[derive(Debug, PartialEq)]
struct Challenge {
    scheme: String,
    params: Vec<(String, String)>,
}

impl Challenge {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Parses `Bearer realm="…",service="…",scope="repository:a:pull,push"`: values may be
/// quoted and contain commas.
fn parse_challenge(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
    let mut params = Vec::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let key: String = chars
            .by_ref()
            .take_while(|c| *c != '=')
            .collect::<String>()
            .trim()
            .to_string();
        if key.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next()),
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            value = chars
                .by_ref()
                .take_while(|c| *c != ',')
                .collect::<String>()
                .trim()
                .to_string();
        }
        params.push((key, value));
    }
    (!scheme.is_empty()).then(|| Challenge {
        scheme: scheme.to_string(),
        params,
    })
}

/// Looks the registry up in Docker's config (auths, credHelpers, credsStore), then Podman's.
fn stored_credentials(registry: &str) -> Option<Credentials> {
    let keys: Vec<String> = if registry == DOCKER_HUB {
        [
            "https://index.docker.io/v1/",
            "index.docker.io",
            "docker.io",
            "registry-1.docker.io",
        ]
        .map(String::from)
        .to_vec()
    } else {
        vec![
            registry.to_string(),
            format!("https://{registry}"),
            format!("http://{registry}"),
        ]
    };
    type Lookup = fn(
        &str,
    ) -> Result<
        docker_credential::DockerCredential,
        docker_credential::CredentialRetrievalError,
    >;
    let lookups: [Lookup; 2] = [
        docker_credential::get_credential,
        docker_credential::get_podman_credential,
    ];
    for lookup in lookups {
        for key in &keys {
            match lookup(key) {
                Ok(docker_credential::DockerCredential::UsernamePassword(username, password)) => {
                    tracing::debug!("using stored credentials for {registry} (as {username})");
                    return Some(Credentials { username, password });
                }
                Ok(docker_credential::DockerCredential::IdentityToken(_)) => {
                    tracing::warn!("{registry}: identity-token logins are not supported yet; set DRYDOCK_USERNAME/DRYDOCK_PASSWORD");
                }
                Err(_) => {}
            }
        }
    }
    None
}

fn registry_message(body: &str) -> String {
    #[derive(serde::Deserialize)]
    struct Errors {
        errors: Vec<ErrorItem>,
    }
    #[derive(serde::Deserialize)]
    struct ErrorItem {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
    }
    match serde_json::from_str::<Errors>(body) {
        Ok(e) if !e.errors.is_empty() => {
            let first = &e.errors[0];
            format!(": {} ({})", first.message, first.code)
        }
        _ => String::new(),
    }
}

fn header<'a>(resp: &'a Response<Body>, name: &str) -> Option<&'a str> {
    resp.headers().get(name).and_then(|v| v.to_str().ok())
}

impl RegistryClient {
    pub fn new(
        reference: Reference,
        options: RegistryOptions,
        progress: Option<Arc<dyn Progress>>,
    ) -> Self {
        let tls = ureq::tls::TlsConfig::builder()
            .root_certs(ureq::tls::RootCerts::PlatformVerifier)
            .disable_verification(options.insecure)
            .build();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(10)
            .max_redirects_will_error(true)
            // Blob redirects go to storage hosts that must not see our registry token.
            .redirect_auth_headers(ureq::config::RedirectAuthHeaders::SameHost)
            .timeout_connect(Some(Duration::from_secs(30)))
            .timeout_recv_response(Some(Duration::from_secs(120)))
            .timeout_per_read(Some(Duration::from_secs(120)))
            // No overall deadline: a multi-GB layer takes as long as it takes; a stalled
            // connection still fails on the per-read timeout.
            .user_agent(concat!("drydock/", env!("CARGO_PKG_VERSION")))
            .tls_config(tls)
            .build()
            .into();
        let credentials = options
            .credentials
            .clone()
            .or_else(|| stored_credentials(&reference.registry));
        RegistryClient {
            reference,
            options,
            agent,
            credentials,
            scheme: Mutex::new(Scheme::Https),
            scheme_confirmed: std::sync::atomic::AtomicBool::new(false),
            authorization: Mutex::new(None),
            progress,
        }
    }

    fn registry_error(&self, message: impl Into<String>) -> Error {
        Error::Registry {
            registry: self.reference.registry.clone(),
            message: message.into(),
        }
    }

    fn plain_http_allowed(&self) -> bool {
        self.options.insecure || self.reference.is_loopback()
    }

    fn url(&self, path: &str) -> String {
        let scheme = match *self.scheme.lock().expect("scheme lock") {
            Scheme::Https => "https",
            Scheme::Http => "http",
        };
        format!("{scheme}://{}{path}", self.reference.api_host())
    }

    /// True while the scheme of a loopback or `--insecure` registry is still unknown.
    fn probing_https(&self, url: &str) -> bool {
        url.starts_with("https://")
            && self.plain_http_allowed()
            && !self
                .scheme_confirmed
                .load(std::sync::atomic::Ordering::Relaxed)
    }

    fn backoff(&self, attempt: u32, retry_after: Option<&str>) {
        let delay = retry_after
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(|secs| Duration::from_secs(secs.min(60)))
            .unwrap_or_else(|| self.options.retry_base * 2u32.saturating_pow(attempt));
        std::thread::sleep(delay);
    }

    /// Sends a request, retrying transport failures and 429/5xx answers with backoff, and
    /// falling back to plain HTTP once where that is allowed. Other statuses are returned.
    fn call_with_retries(
        &self,
        method: &str,
        url_for: impl Fn() -> String,
        headers: &[(&str, String)],
        query: &[(&str, &str)],
    ) -> Result<Response<Body>> {
        let mut attempt = 0;
        loop {
            let url = url_for();
            let mut request = match method {
                "HEAD" => self.agent.head(&url),
                _ => self.agent.get(&url),
            };
            if self.probing_https(&url) {
                // Some plain-HTTP servers never answer a TLS hello; don't wait long before
                // falling back to HTTP where that is allowed.
                request = request
                    .config()
                    .timeout_per_call(Some(PROBE_TIMEOUT))
                    .build();
            }
            for (name, value) in headers {
                request = request.header(*name, value);
            }
            for (name, value) in query {
                request = request.query(*name, *value);
            }
            match request.call() {
                Ok(resp) => {
                    self.scheme_confirmed
                        .store(true, std::sync::atomic::Ordering::Relaxed);
                    let status = resp.status().as_u16();
                    if matches!(status, 408 | 429 | 500..=599) && attempt < self.options.retries {
                        tracing::debug!("{url}: HTTP {status}, retrying");
                        self.backoff(attempt, header(&resp, "retry-after"));
                        attempt += 1;
                        continue;
                    }
                    return Ok(resp);
                }
                Err(ureq::Error::TooManyRedirects) => {
                    return Err(self.registry_error(format!(
                        "too many redirects (a redirect loop?) fetching {url}"
                    )))
                }
                Err(err) => {
                    let mut scheme = self.scheme.lock().expect("scheme lock");
                    // Fall back only while probing the registry's own scheme: once HTTPS has
                    // answered, a later hiccup must not downgrade (and expose) requests, and
                    // a token realm elsewhere is never rewritten.
                    let own_url =
                        url.starts_with(&format!("https://{}/", self.reference.api_host()));
                    if *scheme == Scheme::Https && own_url && self.probing_https(&url) {
                        tracing::debug!("{url}: {err}; falling back to plain HTTP");
                        *scheme = Scheme::Http;
                        continue;
                    }
                    drop(scheme);
                    let transient = matches!(
                        err,
                        ureq::Error::Io(_)
                            | ureq::Error::Timeout(_)
                            | ureq::Error::ConnectionFailed
                    );
                    if transient && attempt < self.options.retries {
                        self.backoff(attempt, None);
                        attempt += 1;
                        continue;
                    }
                    return Err(self.registry_error(format!("{url}: {err}")));
                }
            }
        }
    }

    /// A registry API request with authentication: answers a 401 challenge (once, and
    /// once more if a cached token expired) and turns error statuses into one-line errors.
    fn send(
        &self,
        method: &str,
        path: &str,
        accept: Option<&str>,
        what: &str,
    ) -> Result<Response<Body>> {
        let mut challenges = 0;
        loop {
            let mut headers = Vec::new();
            if let Some(accept) = accept {
                headers.push(("Accept", accept.to_string()));
            }
            if let Some(auth) = self.authorization.lock().expect("auth lock").clone() {
                headers.push(("Authorization", auth));
            }
            let mut resp = self.call_with_retries(method, || self.url(path), &headers, &[])?;
            let status = resp.status().as_u16();
            if (200..300).contains(&status) {
                return Ok(resp);
            }
            let challenge = header(&resp, "www-authenticate").map(str::to_string);
            let body = resp
                .body_mut()
                .with_config()
                .limit(64 * 1024)
                .read_to_string()
                .unwrap_or_default();
            let detail = registry_message(&body);
            let repo = &self.reference.repository;
            return Err(match status {
                401 if challenges < 2 => {
                    challenges += 1;
                    let challenge = challenge
                        .ok_or_else(|| self.registry_error(format!("401 Unauthorized for {what} without an authentication challenge")))?;
                    self.authenticate(&challenge)?;
                    continue;
                }
                401 => self.registry_error(format!(
                    "authentication failed for {repo} (401 Unauthorized{detail}); check the username and password"
                )),
                403 => self.registry_error(format!("access to {repo} denied (403 Forbidden{detail})")),
                404 => Error::NotFound(format!(
                    "{what} not found in {}/{repo} (404{detail})",
                    self.reference.registry
                )),
                429 => self.registry_error(format!("still rate-limited (429 Too Many Requests) after {} retries", self.options.retries)),
                s @ 500..=599 => self.registry_error(format!("server error (HTTP {s}{detail}) after {} retries fetching {what}", self.options.retries)),
                s => self.registry_error(format!("unexpected HTTP {s}{detail} fetching {what}")),
            });
        }
    }

    fn authenticate(&self, header_value: &str) -> Result<()> {
        let challenge = parse_challenge(header_value).ok_or_else(|| {
            self.registry_error(format!(
                "unreadable authentication challenge {header_value:?}"
            ))
        })?;
        let basic = self.credentials.as_ref().map(|c| {
            let encoded = base64::engine::general_purpose::STANDARD
                .encode(format!("{}:{}", c.username, c.password));
            format!("Basic {encoded}")
        });
        let authorization = if challenge.scheme.eq_ignore_ascii_case("basic") {
            basic.ok_or_else(|| {
                self.registry_error("requires a login (HTTP basic); pass --username/--password or set DRYDOCK_USERNAME/DRYDOCK_PASSWORD")
            })?
        } else if challenge.scheme.eq_ignore_ascii_case("bearer") {
            format!("Bearer {}", self.fetch_token(&challenge, basic)?)
        } else {
            return Err(self.registry_error(format!(
                "unsupported authentication scheme {:?}",
                challenge.scheme
            )));
        };
        *self.authorization.lock().expect("auth lock") = Some(authorization);
        Ok(())
    }

    fn fetch_token(&self, challenge: &Challenge, basic: Option<String>) -> Result<String> {
        let realm = challenge
            .param("realm")
            .ok_or_else(|| self.registry_error("bearer challenge without a realm"))?;
        if !(realm.starts_with("https://") || realm.starts_with("http://")) {
            return Err(self.registry_error(format!("token realm {realm:?} is not an http(s) URL")));
        }
        let scope = challenge
            .param("scope")
            .map(str::to_string)
            .unwrap_or_else(|| format!("repository:{}:pull", self.reference.repository));
        let mut query = vec![("scope", scope.as_str())];
        if let Some(service) = challenge.param("service") {
            query.push(("service", service));
        }
        let headers: Vec<(&str, String)> =
            basic.into_iter().map(|b| ("Authorization", b)).collect();
        let mut resp = self.call_with_retries("GET", || realm.to_string(), &headers, &query)?;
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            let hint = if status == 401 || status == 403 {
                if self.credentials.is_some() {
                    "; check the username and password"
                } else {
                    "; this repository may need a login (--username/--password)"
                }
            } else {
                ""
            };
            return Err(
                self.registry_error(format!("token server {realm} answered HTTP {status}{hint}"))
            );
        }
        #[derive(serde::Deserialize)]
        struct TokenResponse {
            #[serde(default)]
            token: Option<String>,
            #[serde(default)]
            access_token: Option<String>,
        }
        let body = resp
            .body_mut()
            .with_config()
            .limit(1 << 20)
            .read_to_vec()
            .map_err(|e| self.registry_error(format!("reading token from {realm}: {e}")))?;
        let parsed: TokenResponse = serde_json::from_slice(&body).map_err(|e| {
            self.registry_error(format!("token server {realm} sent unreadable JSON: {e}"))
        })?;
        parsed
            .token
            .or(parsed.access_token)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| self.registry_error(format!("token server {realm} sent no token")))
    }

    fn read_body(
        &self,
        mut resp: Response<Body>,
        limit: u64,
        digest: Option<&Digest>,
        what: &str,
    ) -> Result<Vec<u8>> {
        if let Some(len) = resp.body().content_length() {
            if len > limit {
                return Err(Error::TooLarge {
                    what: what.to_string(),
                    limit,
                });
            }
        }
        let reader = resp.body_mut().as_reader();
        read_verified(reader, digest, what, limit)
    }

    /// Fetches the manifest (or index) the reference names, checking its digest.
    fn top_manifest(
        &self,
        cache: &Cache,
        limits: &Limits,
    ) -> Result<(Vec<u8>, Option<String>, Digest)> {
        if let Some(digest) = &self.reference.digest {
            if let Some(bytes) = cache.read_blob(digest, limits.max_manifest_bytes) {
                return Ok((bytes, None, digest.clone()));
            }
        }
        let what = format!("manifest {}", self.reference.manifest_ref());
        let path = format!(
            "/v2/{}/manifests/{}",
            self.reference.repository,
            self.reference.manifest_ref()
        );
        let resp = self.send("GET", &path, Some(media::ACCEPT_MANIFESTS), &what)?;
        let content_type = self.manifest_content_type(&resp, &what)?;
        let header_digest =
            header(&resp, "docker-content-digest").and_then(|d| d.parse::<Digest>().ok());
        let bytes = self.read_body(
            resp,
            limits.max_manifest_bytes,
            self.reference.digest.as_ref(),
            &what,
        )?;
        let digest = Digest::of(&bytes);
        if let Some(claimed) = header_digest {
            if claimed != digest {
                return Err(Error::DigestMismatch {
                    what: format!("{what} (Docker-Content-Digest header)"),
                    expected: claimed.to_string(),
                    actual: digest.to_string(),
                });
            }
        }
        cache.put_blob_bytes(&digest, &bytes)?;
        Ok((bytes, content_type, digest))
    }

    /// The manifest media type the registry declared. Generic JSON types defer to the
    /// document's own `mediaType`; anything else (an HTML error page, say) is refused.
    fn manifest_content_type(&self, resp: &Response<Body>, what: &str) -> Result<Option<String>> {
        let Some(raw) = header(resp, "content-type") else {
            return Ok(None);
        };
        let essence = raw
            .split(';')
            .next()
            .unwrap_or(raw)
            .trim()
            .to_ascii_lowercase();
        if media::is_manifest_type(&essence) || essence.contains("manifest.v1") {
            return Ok(Some(essence));
        }
        if matches!(
            essence.as_str(),
            "application/json" | "application/octet-stream" | ""
        ) {
            return Ok(None);
        }
        Err(self.registry_error(format!(
            "answered {what} with content type {raw:?}, which is not an image manifest"
        )))
    }

    /// Downloads a layer blob into the cache. `size` is the manifest's word for its length:
    /// a registry that sends more (or claims more) is refused, so a hostile one cannot
    /// fill the disk before the digest check at the end.
    fn download_blob(
        &self,
        cache: &Cache,
        digest: &Digest,
        size: Option<u64>,
        what: &str,
    ) -> Result<()> {
        let path = format!("/v2/{}/blobs/{digest}", self.reference.repository);
        let resp = self.send("GET", &path, None, what)?;
        let total = resp.body().content_length();
        let limit = size.unwrap_or(u64::MAX);
        if total.is_some_and(|t| t > limit) {
            return Err(Error::TooLarge {
                what: format!("{what} (the manifest says {limit} bytes)"),
                limit,
            });
        }
        let reader = resp.into_body().into_reader();
        let task = self.progress.as_ref().map(|p| {
            p.start(
                &format!("{} {}", self.reference.repository, digest.short()),
                total,
            )
        });
        let reader = ProgressReader::new(reader, task);
        cache.put_blob_stream(digest, reader, what, limit)?;
        Ok(())
    }

    /// Resolves the reference to one image (picking the platform from an index) and
    /// returns it ready for layer reads; blobs are fetched into the cache on demand.
    pub fn open_image(self, cache: &Cache, limits: &Limits) -> Result<Image> {
        let client = Arc::new(self);
        let (bytes, content_type, digest) = client.top_manifest(cache, limits)?;
        let store = RegistryStore {
            client: &client,
            cache,
        };
        let resolved = resolve(
            &store,
            bytes,
            content_type,
            digest,
            &client.options.platform,
            client.options.platform_explicit,
            limits,
        )?;
        let location = client.reference.to_string();
        let blobs = resolved
            .manifest
            .layers
            .iter()
            .map(|d| (Some(d.digest.clone()), d.media_type.clone(), Some(d.size)))
            .collect();
        let layers = build_layers(&location, &resolved.config, blobs)?;
        Ok(Image {
            kind: SourceKind::Registry,
            name: Some(location.clone()),
            location,
            manifest_digest: Some(resolved.manifest_digest),
            index_digest: resolved.index_digest,
            config_digest: resolved.config_digest,
            config: resolved.config,
            layers,
            opener: Arc::new(RegistryLayers {
                client,
                cache: cache.clone(),
            }),
        })
    }
}

struct RegistryStore<'a> {
    client: &'a RegistryClient,
    cache: &'a Cache,
}

impl RegistryStore<'_> {
    fn fetch(
        &self,
        path: &str,
        accept: Option<&str>,
        digest: &Digest,
        limit: u64,
        what: &str,
    ) -> Result<(Vec<u8>, Option<String>)> {
        if let Some(bytes) = self.cache.read_blob(digest, limit) {
            return Ok((bytes, None));
        }
        let resp = self.client.send("GET", path, accept, what)?;
        let content_type = if accept.is_some() {
            self.client.manifest_content_type(&resp, what)?
        } else {
            None
        };
        let bytes = self.client.read_body(resp, limit, Some(digest), what)?;
        self.cache.put_blob_bytes(digest, &bytes)?;
        Ok((bytes, content_type))
    }
}

impl DocumentStore for RegistryStore<'_> {
    fn manifest(&self, digest: &Digest, limits: &Limits) -> Result<(Vec<u8>, Option<String>)> {
        let path = format!(
            "/v2/{}/manifests/{digest}",
            self.client.reference.repository
        );
        self.fetch(
            &path,
            Some(media::ACCEPT_MANIFESTS),
            digest,
            limits.max_manifest_bytes,
            &format!("manifest {digest}"),
        )
    }

    fn config(&self, digest: &Digest, limits: &Limits) -> Result<Vec<u8>> {
        let path = format!("/v2/{}/blobs/{digest}", self.client.reference.repository);
        Ok(self
            .fetch(
                &path,
                None,
                digest,
                limits.max_config_bytes,
                &format!("config blob {digest}"),
            )?
            .0)
    }
}

struct RegistryLayers {
    client: Arc<RegistryClient>,
    cache: Cache,
}

impl LayerOpener for RegistryLayers {
    fn open(&self, layer: &Layer) -> Result<Box<dyn Read + Send>> {
        let digest = layer
            .digest
            .as_ref()
            .ok_or_else(|| Error::malformed("registry manifest", "layer without a digest"))?;
        if !self.cache.has_blob(digest) {
            self.client.download_blob(
                &self.cache,
                digest,
                layer.blob_size,
                &format!("layer blob {digest}"),
            )?;
        }
        let path = self.cache.blob_path(digest);
        let file = std::fs::File::open(&path).map_err(|e| Error::io(&path, e))?;
        Ok(Box::new(io::BufReader::with_capacity(256 * 1024, file)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_challenges() {
        let c = parse_challenge(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull,push""#,
        )
        .unwrap();
        assert_eq!(c.scheme, "Bearer");
        assert_eq!(c.param("realm"), Some("https://auth.docker.io/token"));
        assert_eq!(c.param("SERVICE"), Some("registry.docker.io"));
        assert_eq!(
            c.param("scope"),
            Some("repository:library/alpine:pull,push")
        );

        let c = parse_challenge(r#"Basic realm="Registry Realm""#).unwrap();
        assert_eq!(c.scheme, "Basic");
        assert_eq!(c.param("realm"), Some("Registry Realm"));

        let c = parse_challenge("Bearer realm=http://127.0.0.1:1/t, service=reg").unwrap();
        assert_eq!(c.param("realm"), Some("http://127.0.0.1:1/t"));
        assert_eq!(c.param("service"), Some("reg"));
    }

    #[test]
    fn registry_error_bodies() {
        let body = r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}}]}"#;
        assert_eq!(
            registry_message(body),
            ": manifest unknown (MANIFEST_UNKNOWN)"
        );
        assert_eq!(registry_message("<html>"), "");
    }
}
