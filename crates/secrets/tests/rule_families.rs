//! One or more cases per rule family, through the public analyzer. Token values are made
//! up at run time from a seeded generator in each provider's published shape, so no
//! token-like literal sits in this file; documented example keys are used as negatives.

use drydock_secrets::{RawHit, SecretAnalyzer, SecretConfig};

const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const DIGITS: &str = "0123456789";

/// Deterministic xorshift: the same "random" characters on every run.
struct Fake(u64);

impl Fake {
    fn new(seed: u64) -> Self {
        Fake(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn chars(&mut self, alphabet: &str, n: usize) -> String {
        let alphabet: Vec<char> = alphabet.chars().collect();
        (0..n)
            .map(|_| {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                alphabet[(self.0 % alphabet.len() as u64) as usize]
            })
            .collect()
    }

    fn alnum(&mut self, n: usize) -> String {
        self.chars(&format!("{UPPER}{LOWER}{DIGITS}"), n)
    }

    fn base64(&mut self, n: usize) -> String {
        self.chars(&format!("{UPPER}{LOWER}{DIGITS}+/"), n)
    }

    fn hex(&mut self, n: usize) -> String {
        self.chars("0123456789abcdef", n)
    }
}

fn analyzer() -> SecretAnalyzer {
    SecretAnalyzer::new(&SecretConfig::default()).unwrap()
}

fn scan(path: &str, text: &str) -> Vec<RawHit> {
    analyzer().scan_file(path, text.as_bytes())
}

fn rules(path: &str, text: &str) -> Vec<String> {
    scan(path, text).into_iter().map(|h| h.rule).collect()
}

#[track_caller]
fn assert_rules(path: &str, text: &str, want: &[&str]) {
    let got = rules(path, text);
    assert_eq!(got, want, "in {path}");
}

/// GitHub's classic checksum: base62 CRC32 of the random part (the same rule the
/// scanner checks, computed here independently with the table-free bitwise CRC).
fn github_token(prefix: &str, fake: &mut Fake) -> String {
    let random = fake.alnum(30);
    let mut crc = 0xFFFF_FFFFu32;
    for byte in random.bytes() {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    let mut n = !crc;
    let alphabet: Vec<char> = format!("{DIGITS}{UPPER}{LOWER}").chars().collect();
    let mut check = Vec::new();
    while n > 0 {
        check.push(alphabet[(n % 62) as usize]);
        n /= 62;
    }
    while check.len() < 6 {
        check.push('0');
    }
    check.reverse();
    format!("{prefix}{random}{}", check.into_iter().collect::<String>())
}

#[test]
fn aws_keys_by_prefix_and_context() {
    let mut f = Fake::new(1);
    let id = format!("AKIA{}", f.chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16));
    let secret = f.base64(40);
    let text = format!("export AWS_ACCESS_KEY_ID={id}\nexport AWS_SECRET_ACCESS_KEY={secret}\n");
    assert_rules(
        "/app/deploy.sh",
        &text,
        &["aws-access-key-id", "aws-secret-access-key"],
    );
    let session = format!("aws_session_token = IQoJb3JpZ2luX2Vj{}\n", f.base64(200));
    assert_rules("/app/env.txt", &session, &["aws-session-token"]);
    // The IAM user guide's examples.
    let docs =
        "AKIAIOSFODNN7EXAMPLE\naws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";
    assert_rules("/app/README.txt", docs, &[]);
}

#[test]
fn alibaba_tencent_and_huawei() {
    let mut f = Fake::new(2);
    let json = format!(
        "{{\n  \"accessKeyId\": \"LTAI{}\",\n  \"accessKeySecret\": \"{}\"\n}}\n",
        f.alnum(20),
        f.alnum(30)
    );
    assert_rules(
        "/srv/oss.json",
        &json,
        &["alibaba-access-key-id", "alibaba-access-key-secret"],
    );
    let tencent = format!(
        "TENCENTCLOUD_SECRET_ID=AKID{}\nTENCENTCLOUD_SECRET_KEY={}\n",
        f.alnum(32),
        f.alnum(32)
    );
    assert_rules(
        "/srv/tc.sh",
        &tencent,
        &["tencent-secret-id", "tencent-secret-key"],
    );
    let huawei = format!(
        "HUAWEICLOUD_SDK_AK={}\nHUAWEICLOUD_SDK_SK={}\n",
        f.chars(&format!("{UPPER}{DIGITS}"), 20),
        f.alnum(40)
    );
    assert_rules(
        "/srv/hw.sh",
        &huawei,
        &["huawei-access-key-id", "huawei-secret-access-key"],
    );
}

#[test]
fn gcp_service_account_json_is_parsed_not_grepped() {
    let mut der = vec![0x30u8, 0x82, 0x04, 0xbe];
    der.extend((0..300).map(|i| (i * 31 + 7) as u8));
    use base64::Engine as _;
    let body = base64::engine::general_purpose::STANDARD.encode(&der);
    let key = format!("-----BEGIN PRIVATE KEY-----\\n{body}\\n-----END PRIVATE KEY-----\\n");
    let json = format!(
        "{{\n  \"type\": \"service_account\",\n  \"project_id\": \"acme\",\n  \"private_key_id\": \"{}\",\n  \"private_key\": \"{key}\",\n  \"client_email\": \"ci@acme.iam.gserviceaccount.invalid\"\n}}\n",
        Fake::new(3).hex(40)
    );
    let hits = scan("/secrets/sa.json", &json);
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].rule, "gcp-service-account");
    assert_eq!(hits[0].line, 5);
    // Not a service account: the key is still a private key.
    let other = json.replace("service_account", "authorized_user");
    assert_rules("/secrets/sa.json", &other, &["private-key:pkcs8"]);
    let api = format!(
        "const key = \"AIza{}\";\n",
        Fake::new(4).chars(&format!("{UPPER}{LOWER}{DIGITS}_-"), 35)
    );
    assert_rules("/app/main.js", &api, &["gcp-api-key"]);
}

#[test]
fn azure_connection_strings_sas_and_client_secrets() {
    let mut f = Fake::new(5);
    let storage = format!(
        "DefaultEndpointsProtocol=https;AccountName=acmestore;AccountKey={}==;EndpointSuffix=core.windows.net\n",
        f.base64(86)
    );
    assert_rules(
        "/app/appsettings.json",
        &storage,
        &["azure-storage-connection-string"],
    );
    let bus = format!(
        "Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={}=\n",
        f.base64(43)
    );
    assert_rules(
        "/app/bus.conf",
        &bus,
        &["azure-service-bus-connection-string"],
    );
    let sas = format!(
        "url: https://acme.blob.core.windows.net/c?sv=2022-11-02&ss=b&srt=co&sp=rl&se=2030-01-01T00:00:00Z&spr=https&sig={}%3D\n",
        f.alnum(43)
    );
    assert_rules("/app/sync.yaml", &sas, &["azure-sas-token"]);
    let client = format!("AZURE_CLIENT_SECRET={}8Q~{}\n", f.alnum(3), f.alnum(34));
    assert_rules("/app/.azure", &client, &["azure-ad-client-secret"]);
    // The storage emulator's published key is not a leak.
    let emulator = "AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==\n";
    assert_rules("/app/local.settings", emulator, &[]);
}

#[test]
fn private_keys_and_key_file_names() {
    use base64::Engine as _;
    let mut blob = b"openssh-key-v1\0".to_vec();
    blob.extend(4u32.to_be_bytes());
    blob.extend(b"none");
    blob.extend((0..200).map(|i| (i * 13) as u8));
    let body = base64::engine::general_purpose::STANDARD.encode(&blob);
    let key =
        format!("-----BEGIN OPENSSH PRIVATE KEY-----\n{body}\n-----END OPENSSH PRIVATE KEY-----\n");
    // Recognised content: no second, by-name report.
    assert_rules("/root/.ssh/id_ed25519", &key, &["private-key:openssh"]);
    assert_rules(
        "/root/.ssh/id_rsa",
        "not a key we can read\n",
        &["sensitive-file:ssh-private-key"],
    );
    assert_rules(
        "/root/.ssh/id_rsa.pub",
        "ssh-ed25519 AAAAC3Nza... user@host\n",
        &[],
    );
    assert_rules(
        "/root/.bash_history",
        "ls\ncd /app\n",
        &["sensitive-file:shell-history"],
    );
    assert_rules("/root/.bash_history", "", &[]);
}

#[test]
fn github_tokens_need_their_checksum() {
    let mut f = Fake::new(6);
    let pat = github_token("ghp_", &mut f);
    assert_rules(
        "/app/.github-token",
        &format!("token: {pat}\n"),
        &["github-pat"],
    );
    let oauth = github_token("gho_", &mut f);
    assert_rules("/app/cfg", &format!("{oauth}\n"), &["github-oauth-token"]);
    let server = github_token("ghs_", &mut f);
    assert_rules(
        "/app/cfg",
        &format!("{server}\n"),
        &["github-server-to-server-token"],
    );
    // One character off: the checksum fails, so it is no GitHub token.
    let mut broken = pat.clone().into_bytes();
    broken[8] = if broken[8] == b'Q' { b'R' } else { b'Q' };
    let broken = String::from_utf8(broken).unwrap();
    assert_rules("/app/.github-token", &format!("token: {broken}\n"), &[]);
    let fine = format!("github_pat_{}_{}", f.alnum(22), f.alnum(59));
    assert_rules(
        "/app/cfg",
        &format!("GH={fine}\n"),
        &["github-fine-grained-pat"],
    );
}

#[test]
fn gitlab_and_registries() {
    let mut f = Fake::new(7);
    assert_rules(
        "/ci/x",
        &format!("GITLAB={}\n", format_args!("glpat-{}", f.alnum(20))),
        &["gitlab-pat"],
    );
    assert_rules(
        "/ci/x",
        &format!("t=glrt-{}\n", f.alnum(24)),
        &["gitlab-runner-token"],
    );
    let npm = format!("npm_{}", f.alnum(36));
    // In .npmrc the token rule wins over the file parser, which lends its key name.
    let hits = scan(
        "/root/.npmrc",
        &format!("//registry.invalid/:_authToken={npm}\n"),
    );
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].rule, "npm-access-token");
    assert_eq!(
        hits[0].key.as_deref(),
        Some("//registry.invalid/:_authToken")
    );
    let pypi = format!(
        "pypi-AgEIcHlwaS5vcmc{}",
        f.chars(&format!("{UPPER}{LOWER}{DIGITS}_-"), 80)
    );
    assert_rules(
        "/root/.pypirc",
        &format!("[pypi]\nusername = __token__\npassword = {pypi}\n"),
        &["pypi-upload-token"],
    );
    assert_rules(
        "/ci/x",
        &format!("DOCKERHUB_TOKEN=dckr_pat_{}\n", f.alnum(27)),
        &["dockerhub-pat"],
    );
}

#[test]
fn chat_payment_and_ai_tokens() {
    let mut f = Fake::new(8);
    let bot = format!(
        "xoxb-{}-{}-{}",
        f.chars(DIGITS, 12),
        f.chars(DIGITS, 13),
        f.alnum(24)
    );
    assert_rules(
        "/app/slack.env",
        &format!("SLACK_BOT={bot}\n"),
        &["slack-bot-token"],
    );
    let hook = format!(
        "https://hooks.slack.com/services/T{}/B{}/{}",
        f.chars(&format!("{UPPER}{DIGITS}"), 8),
        f.chars(&format!("{UPPER}{DIGITS}"), 10),
        f.alnum(24)
    );
    assert_rules(
        "/app/alerts.json",
        &format!("{{\"url\": \"{hook}\"}}\n"),
        &["slack-webhook-url"],
    );
    let placeholder =
        "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX";
    assert_rules("/app/alerts.json", placeholder, &[]);
    assert_rules(
        "/app/pay.rb",
        &format!("Stripe.api_key = 'sk_live_{}'\n", f.alnum(24)),
        &["stripe-secret-key"],
    );
    assert_rules(
        "/app/pay.rb",
        "Stripe.api_key = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc'\n",
        &[],
    );
    assert_rules(
        "/app/ai.py",
        &format!(
            "HF_TOKEN = \"hf_{}\"\n",
            f.chars(&format!("{UPPER}{LOWER}"), 34)
        ),
        &["huggingface-token"],
    );
    let openai = format!("sk-proj-{}T3BlbkFJ{}", f.alnum(40), f.alnum(40));
    assert_rules(
        "/app/ai.py",
        &format!("OPENAI_API_KEY={openai}\n"),
        &["openai-api-key"],
    );
}

#[test]
fn jwts_are_decoded() {
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let mut f = Fake::new(9);
    let jwt = format!(
        "{}.{}.{}",
        b64(r#"{"alg":"RS256","typ":"JWT"}"#),
        b64(r#"{"sub":"svc-deploy","iss":"acme","exp":1900000000}"#),
        f.chars(&format!("{UPPER}{LOWER}{DIGITS}_-"), 86)
    );
    assert_rules("/app/token.txt", &format!("{jwt}\n"), &["jwt"]);
    let unsigned = format!(
        "{}.{}.{}",
        b64(r#"{"alg":"none"}"#),
        b64(r#"{"sub":"x"}"#),
        f.alnum(20)
    );
    assert_rules("/app/token.txt", &format!("{unsigned}\n"), &[]);
}

#[test]
fn generic_assignments_with_entropy_and_placeholders() {
    let mut f = Fake::new(10);
    let hits = scan("/etc/app/app.ini", "[db]\ndb_password = 'Xq9-vL2m-Kz4R'\n");
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(
        (hits[0].rule.as_str(), hits[0].line),
        ("generic-password", 2)
    );
    assert_eq!(hits[0].key.as_deref(), Some("db_password"));
    for text in [
        "password = 'changeme'\n",
        "password: ${DB_PASS}\n",
        "password = os.environ['DB_PASSWORD']\n",
        "password = self.password\n",
        "password_file = /run/secrets/db\n",
        "PASSWORD_MIN_LENGTH=12\n",
        "password=<your password>\n",
    ] {
        assert_rules("/etc/app/app.ini", text, &[]);
    }
    let secret = format!("client_secret: {}\n", f.alnum(32));
    assert_rules("/etc/app/oauth.yaml", &secret, &["generic-secret"]);
    let api = format!("\"api_key\": \"{}\"\n", f.alnum(32));
    assert_rules("/etc/app/x.json", &api, &["generic-api-key"]);
    let url = "DATABASE_URL=postgres://shop:Tq8-Lm3x-Vz9q@db.internal:5432/shop\n";
    assert_rules("/etc/app/db.env", url, &["database-connection-string"]);
    assert_rules(
        "/etc/app/db.env",
        "postgres://user:password@localhost/db\n",
        &[],
    );
}

#[test]
fn binaries_skipped_trees_and_size_cap() {
    let mut f = Fake::new(11);
    let token = format!("sk_live_{}", f.alnum(24));
    let mut binary = b"\x7fELF\0\0\0".to_vec();
    binary.extend(token.as_bytes());
    assert!(analyzer().scan_file("/usr/bin/tool", &binary).is_empty());
    use drydock_image::FileAnalyzer;
    let analyzer = analyzer();
    assert!(!analyzer.wants("/usr/share/doc/pkg/README"));
    assert!(!analyzer.wants("/usr/lib/python3.11/ssl.py"));
    assert!(!analyzer.wants("/app/static/logo.png"));
    assert!(analyzer.wants("/app/static/key.p12"));
    assert!(analyzer.wants("/usr/local/lib/python3.11/site-packages/app/settings.py"));
    let small = SecretAnalyzer::new(&SecretConfig {
        max_file_size: 1024,
        ..SecretConfig::default()
    })
    .unwrap();
    assert_eq!(small.max_size(), 1024);
}

#[test]
fn no_hit_holds_the_secret() {
    let mut f = Fake::new(12);
    let token = format!("sk_live_{}", f.alnum(40));
    let hits = scan("/app/pay.env", &format!("STRIPE={token}\n"));
    let json = serde_json::to_string(&hits).unwrap();
    assert!(!json.contains(&token));
    assert!(!json.contains(&token[8..]));
    assert_eq!(hits[0].redacted.as_deref(), Some("sk_live_*****"));
    assert_eq!(hits[0].length, token.len());
}
