//! Real servers for registry tests: CNCF distribution (Debian's `docker-registry`) in
//! plain, htpasswd and token-auth modes, a token server that signs real JWTs the registry
//! verifies, and a fault-injecting proxy that sits in front of the real registry.

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;

use crate::common::have_tool;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub enum Auth {
    Anonymous,
    Basic { user: String, password: String },
    Token(TokenServer),
}

pub struct Registry {
    child: Child,
    pub addr: String,
    pub auth: Auth,
    _dir: tempfile::TempDir,
}

impl Registry {
    /// Starts a registry, or returns None (skipping; failing under CI) without the binary.
    pub fn start(auth: Auth) -> Option<Registry> {
        if !have_tool("docker-registry") {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let auth_yaml = match &auth {
            Auth::Anonymous => String::new(),
            Auth::Basic { user, password } => {
                let hash = bcrypt::hash(password, 5).unwrap();
                let htpasswd = dir.path().join("htpasswd");
                fs::write(&htpasswd, format!("{user}:{hash}\n")).unwrap();
                format!("auth: {{htpasswd: {{realm: drydock-test, path: {}}}}}\n", htpasswd.display())
            }
            Auth::Token(token) => format!(
                "auth: {{token: {{realm: \"{}\", service: {SERVICE}, issuer: {ISSUER}, rootcertbundle: {}}}}}\n",
                token.realm,
                token.cert_path.display()
            ),
        };
        let config = format!(
            "version: 0.1\nlog: {{level: error, accesslog: {{disabled: true}}}}\n\
             storage: {{filesystem: {{rootdirectory: {}}}, delete: {{enabled: true}}}}\n\
             http: {{addr: \"{addr}\"}}\n{auth_yaml}",
            dir.path().join("data").display()
        );
        let config_path = dir.path().join("config.yml");
        fs::write(&config_path, config).unwrap();
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config_path)
            .stdout(Stdio::null())
            .stderr(fs::File::create(dir.path().join("registry.log")).unwrap())
            .spawn()
            .expect("start docker-registry");
        let registry = Registry {
            child,
            addr,
            auth,
            _dir: dir,
        };
        registry.wait_ready();
        Some(registry)
    }

    fn wait_ready(&self) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if agent
                .get(&format!("http://{}/v2/", self.addr))
                .call()
                .is_ok()
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("registry on {} did not start", self.addr);
    }

    /// Pushes an image from an OCI archive with skopeo (a real client), as `repo:tag`.
    pub fn push(&self, archive: &Path, ref_name: &str, repo_tag: &str) {
        self.copy(
            &format!("oci-archive:{}:{ref_name}", archive.display()),
            repo_tag,
            false,
        );
    }

    /// Copies any skopeo source; `all` keeps every platform of an index.
    pub fn copy(&self, source: &str, repo_tag: &str, all: bool) {
        assert!(have_tool("skopeo"), "skopeo is needed to push test images");
        let mut cmd = Command::new("skopeo");
        cmd.args(["copy", "-q", "--dest-tls-verify=false"]);
        if all {
            cmd.arg("--all");
        }
        match &self.auth {
            Auth::Anonymous => {}
            Auth::Basic { user, password } => {
                cmd.arg(format!("--dest-creds={user}:{password}"));
            }
            Auth::Token(token) => {
                cmd.arg(format!("--dest-creds={}:{}", token.user, token.password));
            }
        }
        cmd.arg(source)
            .arg(format!("docker://{}/{repo_tag}", self.addr));
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "skopeo copy failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const SERVICE: &str = "drydock-test-registry";
const ISSUER: &str = "drydock-test-issuer";

/// A token server in the Docker Registry v2 token protocol: checks HTTP basic credentials,
/// grants the scopes asked for, and signs an ES256 JWT whose x5c certificate the registry
/// trusts through its `rootcertbundle`.
pub struct TokenServer {
    pub realm: String,
    pub user: String,
    pub password: String,
    pub requests: Arc<AtomicUsize>,
    cert_path: PathBuf,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap_or(b'?'));
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl TokenServer {
    pub fn start(user: &str, password: &str) -> TokenServer {
        let dir = tempfile::tempdir().unwrap();
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["drydock-test-token".to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let cert_path = dir.path().join("token.pem");
        fs::write(&cert_path, cert.pem()).unwrap();
        let cert_der = cert.der().to_vec();
        let rng = ring::rand::SystemRandom::new();
        let signer = ring::signature::EcdsaKeyPair::from_pkcs8(
            &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            &key.serialize_der(),
            &rng,
        )
        .unwrap();

        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let port = server.server_addr().to_ip().unwrap().port();
        let requests = Arc::new(AtomicUsize::new(0));
        let expected_auth = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        );
        let thread = {
            let server = server.clone();
            let requests = requests.clone();
            let user = user.to_string();
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    requests.fetch_add(1, Ordering::SeqCst);
                    let authorized = request.headers().iter().any(|h| {
                        h.field.equiv("Authorization") && h.value.as_str() == expected_auth
                    });
                    if !authorized {
                        let _ = request.respond(
                            tiny_http::Response::from_string("{\"details\":\"bad credentials\"}")
                                .with_status_code(401),
                        );
                        continue;
                    }
                    let query = request
                        .url()
                        .split_once('?')
                        .map(|(_, q)| q.to_string())
                        .unwrap_or_default();
                    let mut access = Vec::new();
                    for pair in query.split('&') {
                        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                        if k == "scope" {
                            let scope = percent_decode(v);
                            let mut parts = scope.splitn(3, ':');
                            let (kind, name, actions) = (
                                parts.next().unwrap_or(""),
                                parts.next().unwrap_or(""),
                                parts.next().unwrap_or(""),
                            );
                            access.push(serde_json::json!({"type": kind, "name": name, "actions": actions.split(',').collect::<Vec<_>>()}));
                        }
                    }
                    let now = SystemTime::now()
                        .duration_since(UNIX_EPOCH)
                        .unwrap()
                        .as_secs();
                    let header = serde_json::json!({"typ": "JWT", "alg": "ES256", "x5c": [base64::engine::general_purpose::STANDARD.encode(&cert_der)]});
                    let claims = serde_json::json!({
                        "iss": ISSUER, "sub": user, "aud": SERVICE,
                        "exp": now + 300, "nbf": now - 10, "iat": now - 10,
                        "jti": format!("{now}-{}", requests.load(Ordering::SeqCst)),
                        "access": access,
                    });
                    let signing_input = format!(
                        "{}.{}",
                        b64url(header.to_string().as_bytes()),
                        b64url(claims.to_string().as_bytes())
                    );
                    let signature = signer.sign(&rng, signing_input.as_bytes()).unwrap();
                    let jwt = format!("{signing_input}.{}", b64url(signature.as_ref()));
                    let body = serde_json::json!({"token": jwt, "expires_in": 300}).to_string();
                    let _ = request.respond(
                        tiny_http::Response::from_string(body).with_header(
                            "Content-Type: application/json"
                                .parse::<tiny_http::Header>()
                                .unwrap(),
                        ),
                    );
                }
            })
        };
        TokenServer {
            realm: format!("http://127.0.0.1:{port}/token"),
            user: user.to_string(),
            password: password.to_string(),
            requests,
            cert_path,
            server,
            thread: Some(thread),
            _dir: dir,
        }
    }
}

impl Drop for TokenServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// What the proxy does to the traffic it forwards.
#[derive(Clone, Debug)]
pub enum Fault {
    None,
    /// The first `count` requests get `status` (with `Retry-After: 0`), then traffic flows.
    FailFirst {
        count: usize,
        status: u16,
    },
    /// Every request gets `status`.
    Always(u16),
    /// Every request is redirected to itself.
    RedirectLoop,
    /// Manifests are served with this content type.
    ManifestContentType(&'static str),
    /// Blob bodies have one byte flipped.
    CorruptBlobs,
}

/// A reverse proxy in front of a real registry that can misbehave in chosen ways, and that
/// records every request path.
pub struct FaultProxy {
    pub addr: String,
    pub paths: Arc<Mutex<Vec<String>>>,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

impl FaultProxy {
    pub fn start(upstream: &str, fault: Fault) -> FaultProxy {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let addr = format!("127.0.0.1:{}", server.server_addr().to_ip().unwrap().port());
        let paths = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let server = server.clone();
            let paths = paths.clone();
            let upstream = upstream.to_string();
            let addr = addr.clone();
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .max_redirects(0)
                    .build()
                    .into();
                let served = AtomicUsize::new(0);
                for mut request in server.incoming_requests() {
                    let url = request.url().to_string();
                    paths.lock().unwrap().push(url.clone());
                    let n = served.fetch_add(1, Ordering::SeqCst);
                    let reply_status = match fault {
                        Fault::FailFirst { count, status } if n < count => Some(status),
                        Fault::Always(status) => Some(status),
                        _ => None,
                    };
                    if let Some(status) = reply_status {
                        let body =
                            r#"{"errors":[{"code":"UNAVAILABLE","message":"injected fault"}]}"#;
                        let _ = request.respond(
                            tiny_http::Response::from_string(body)
                                .with_status_code(status)
                                .with_header(
                                    "Retry-After: 0".parse::<tiny_http::Header>().unwrap(),
                                ),
                        );
                        continue;
                    }
                    if matches!(fault, Fault::RedirectLoop) {
                        let location = format!("Location: http://{addr}{url}");
                        let _ = request.respond(
                            tiny_http::Response::empty(307)
                                .with_header(location.parse::<tiny_http::Header>().unwrap()),
                        );
                        continue;
                    }
                    let method = request.method().as_str().to_string();
                    let target = format!("http://{upstream}{url}");
                    let mut forward = if method == "HEAD" {
                        agent.head(&target)
                    } else {
                        agent.get(&target)
                    };
                    for h in request.headers() {
                        if h.field.equiv("Accept") || h.field.equiv("Authorization") {
                            forward = forward.header(h.field.as_str().as_str(), h.value.as_str());
                        }
                    }
                    let mut body_in = Vec::new();
                    let _ = request.as_reader().read_to_end(&mut body_in);
                    let Ok(mut resp) = forward.call() else {
                        let _ = request.respond(tiny_http::Response::empty(502));
                        continue;
                    };
                    let status = resp.status().as_u16();
                    let mut headers = Vec::new();
                    for name in [
                        "content-type",
                        "docker-content-digest",
                        "www-authenticate",
                        "location",
                    ] {
                        if let Some(v) = resp.headers().get(name).and_then(|v| v.to_str().ok()) {
                            headers.push((name.to_string(), v.to_string()));
                        }
                    }
                    let mut body = resp
                        .body_mut()
                        .with_config()
                        .limit(1 << 30)
                        .read_to_vec()
                        .unwrap_or_default();
                    if url.contains("/manifests/") {
                        if let Fault::ManifestContentType(ct) = fault {
                            headers.retain(|(k, _)| k != "content-type");
                            headers.push(("content-type".into(), ct.into()));
                        }
                    }
                    if url.contains("/blobs/")
                        && status == 200
                        && matches!(fault, Fault::CorruptBlobs)
                    {
                        if let Some(last) = body.last_mut() {
                            *last ^= 0xff;
                        }
                    }
                    let mut response =
                        tiny_http::Response::from_data(body).with_status_code(status);
                    for (k, v) in headers {
                        response.add_header(
                            tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).unwrap(),
                        );
                    }
                    let _ = request.respond(response);
                }
            })
        };
        FaultProxy {
            addr,
            paths,
            server,
            thread: Some(thread),
        }
    }

    pub fn take_paths(&self) -> Vec<String> {
        std::mem::take(&mut *self.paths.lock().unwrap())
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A real Podman serving its Docker-compatible API on a private unix socket, with its own
/// storage (vfs) in a temporary folder, so tests neither need nor touch a system engine.
pub struct Podman {
    child: Child,
    pub socket: PathBuf,
    dir: tempfile::TempDir,
}

impl Podman {
    /// Starts the API service, or returns None (skipping; failing under CI) without podman.
    pub fn start() -> Option<Podman> {
        if !have_tool("podman") {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("podman.sock");
        let mut podman = Podman {
            child: Command::new("true").spawn().unwrap(),
            socket: socket.clone(),
            dir,
        };
        podman.child = podman
            .command()
            .args(["system", "service", "--time=0"])
            .arg(format!("unix://{}", socket.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("podman system service");
        let deadline = Instant::now() + Duration::from_secs(60);
        while !socket.exists() {
            assert!(Instant::now() < deadline, "podman's socket never appeared");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(podman)
    }

    /// `podman` with this instance's private storage and no system configuration.
    fn command(&self) -> Command {
        let d = self.dir.path();
        let mut cmd = Command::new("podman");
        cmd.arg("--root")
            .arg(d.join("root"))
            .arg("--runroot")
            .arg(d.join("run"))
            .arg("--tmpdir")
            .arg(d.join("tmp"))
            .args(["--storage-driver", "vfs", "--events-backend", "none"])
            .args(["--cgroup-manager", "cgroupfs"])
            .env_remove("CONTAINER_HOST")
            .env_remove("CONTAINERS_STORAGE_CONF");
        cmd
    }

    /// Loads an image archive and names it `tag`.
    pub fn load(&self, archive: &Path, tag: &str) {
        let out = self
            .command()
            .args(["load", "-q", "-i"])
            .arg(archive)
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "podman load: {said} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let loaded = said
            .lines()
            .find_map(|l| l.strip_prefix("Loaded image: "))
            .unwrap_or_else(|| panic!("podman load said {said}"))
            .trim()
            .to_string();
        let status = self.command().args(["tag", &loaded, tag]).status().unwrap();
        assert!(status.success());
    }

    pub fn host(&self) -> String {
        format!("unix://{}", self.socket.display())
    }
}

impl Drop for Podman {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
