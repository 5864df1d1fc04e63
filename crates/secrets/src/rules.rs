//! The built-in rules: what each finds, how bad it is, and the words that must occur in a
//! file before its pattern is tried. Every pattern here was written for drydock from the
//! providers' published token formats.
//!
//! Catalog order is precedence: when two rules report the same secret on the same line
//! (an npm token inside `.npmrc`), the earlier, more specific one is kept.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "LOW",
            Severity::Medium => "MEDIUM",
            Severity::High => "HIGH",
            Severity::Critical => "CRITICAL",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "low" | "info" => Ok(Severity::Low),
            "medium" | "moderate" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            _ => Err(format!("unknown severity {s:?}")),
        }
    }
}

impl<'de> Deserialize<'de> for Severity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// What a rule is, as shown in reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleInfo {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub category: String,
    /// Whether drydock ships it (false for rules from `--secret-config`).
    pub builtin: bool,
}

use Severity::{Critical, High, Low, Medium};

/// Every built-in rule id with its title, severity and category, most specific first.
#[rustfmt::skip]
pub(crate) const CATALOG: &[(&str, &str, Severity, &str)] = &[
    // Structured credentials (parsed, so the most trustworthy).
    ("gcp-service-account", "GCP service account key (JSON)", Critical, "Google Cloud"),
    // Private keys.
    ("private-key:rsa-pkcs1", "RSA private key (PKCS#1 PEM)", Critical, "Private key"),
    ("private-key:pkcs8", "Private key (PKCS#8 PEM)", Critical, "Private key"),
    ("private-key:ec", "EC private key (PEM)", Critical, "Private key"),
    ("private-key:dsa", "DSA private key (PEM)", Critical, "Private key"),
    ("private-key:openssh", "OpenSSH private key", Critical, "Private key"),
    ("private-key:pgp", "PGP private key block", Critical, "Private key"),
    ("private-key:putty", "PuTTY private key", Critical, "Private key"),
    ("private-key:other", "Private key (other PEM type)", High, "Private key"),
    ("private-key:encrypted-pem", "Encrypted private key (PEM, legacy encryption)", Medium, "Private key"),
    ("private-key:pkcs8-encrypted", "Encrypted private key (PKCS#8 PEM)", Medium, "Private key"),
    ("private-key:openssh-encrypted", "Encrypted OpenSSH private key", Medium, "Private key"),
    ("private-key:pgp-encrypted", "Passphrase-protected PGP private key block", Medium, "Private key"),
    ("private-key:putty-encrypted", "Encrypted PuTTY private key", Medium, "Private key"),
    ("private-key:ssh2-encrypted", "Encrypted SSH2 (ssh.com) private key", Medium, "Private key"),
    ("age-secret-key", "age secret key", Critical, "Private key"),
    // Cloud providers.
    ("alibaba-access-key-id", "Alibaba Cloud AccessKey ID", High, "Alibaba Cloud"),
    ("alibaba-access-key-secret", "Alibaba Cloud AccessKey secret", Critical, "Alibaba Cloud"),
    ("alibaba-sts-token", "Alibaba Cloud STS token", High, "Alibaba Cloud"),
    ("aws-access-key-id", "AWS access key ID", High, "AWS"),
    ("aws-secret-access-key", "AWS secret access key", Critical, "AWS"),
    ("aws-session-token", "AWS session token", High, "AWS"),
    ("aws-mws-auth-token", "Amazon MWS auth token", High, "AWS"),
    ("tencent-secret-id", "Tencent Cloud SecretId", High, "Tencent Cloud"),
    ("tencent-secret-key", "Tencent Cloud SecretKey", Critical, "Tencent Cloud"),
    ("huawei-access-key-id", "Huawei Cloud access key ID", High, "Huawei Cloud"),
    ("huawei-secret-access-key", "Huawei Cloud secret access key", Critical, "Huawei Cloud"),
    // Medium: Google API keys are often meant to ship in clients (Maps, Firebase, the
    // Cloud SDK's own), restricted by referrer and API; tuned after the /usr corpus.
    ("gcp-api-key", "Google API key", Medium, "Google Cloud"),
    ("gcp-oauth-client-secret", "Google OAuth client secret", High, "Google Cloud"),
    ("azure-storage-connection-string", "Azure Storage connection string with account key", Critical, "Azure"),
    ("azure-service-bus-connection-string", "Azure Service Bus / Event Hubs connection string", Critical, "Azure"),
    ("azure-storage-account-key", "Azure Storage account key", Critical, "Azure"),
    ("azure-sas-token", "Azure shared access signature", High, "Azure"),
    ("azure-ad-client-secret", "Azure AD (Entra ID) client secret", High, "Azure"),
    ("azure-devops-pat", "Azure DevOps personal access token", High, "Azure"),
    ("digitalocean-token", "DigitalOcean token", High, "DigitalOcean"),
    ("heroku-api-key", "Heroku API key", High, "Heroku"),
    // Code hosting and CI.
    ("github-pat", "GitHub personal access token (classic)", Critical, "GitHub"),
    ("github-fine-grained-pat", "GitHub fine-grained personal access token", Critical, "GitHub"),
    ("github-oauth-token", "GitHub OAuth access token", Critical, "GitHub"),
    ("github-user-to-server-token", "GitHub App user-to-server token", High, "GitHub"),
    ("github-server-to-server-token", "GitHub App installation token", High, "GitHub"),
    ("github-refresh-token", "GitHub App refresh token", High, "GitHub"),
    ("gitlab-pat", "GitLab personal access token", Critical, "GitLab"),
    ("gitlab-pipeline-trigger-token", "GitLab pipeline trigger token", High, "GitLab"),
    ("gitlab-runner-token", "GitLab runner authentication token", High, "GitLab"),
    ("gitlab-runner-registration-token", "GitLab runner registration token", High, "GitLab"),
    ("gitlab-deploy-token", "GitLab deploy token", High, "GitLab"),
    ("gitlab-feed-token", "GitLab feed token", Medium, "GitLab"),
    ("gitlab-oauth-app-secret", "GitLab OAuth application secret", High, "GitLab"),
    ("gitlab-scim-token", "GitLab SCIM token", High, "GitLab"),
    ("gitlab-ci-job-token", "GitLab CI/CD job token", Medium, "GitLab"),
    ("gitlab-incoming-mail-token", "GitLab incoming mail token", Medium, "GitLab"),
    ("gitlab-agent-token", "GitLab agent for Kubernetes token", High, "GitLab"),
    ("gitlab-feature-flag-token", "GitLab feature flags client token", Low, "GitLab"),
    ("atlassian-api-token", "Atlassian API token", High, "Atlassian"),
    ("terraform-cloud-token", "Terraform Cloud / Enterprise API token", High, "HashiCorp"),
    ("vault-token", "HashiCorp Vault token", High, "HashiCorp"),
    ("pulumi-access-token", "Pulumi access token", High, "Pulumi"),
    ("doppler-token", "Doppler token", High, "Doppler"),
    ("postman-api-key", "Postman API key", High, "Postman"),
    ("linear-api-key", "Linear API key", High, "Linear"),
    ("sentry-auth-token", "Sentry auth token", High, "Sentry"),
    ("grafana-service-account-token", "Grafana service account token", High, "Grafana"),
    ("grafana-cloud-token", "Grafana Cloud token", High, "Grafana"),
    ("new-relic-user-api-key", "New Relic user API key", High, "New Relic"),
    ("datadog-api-key", "Datadog API key", High, "Datadog"),
    ("databricks-token", "Databricks personal access token", High, "Databricks"),
    ("planetscale-token", "PlanetScale token or password", High, "PlanetScale"),
    // Package registries.
    ("npm-access-token", "npm access token", Critical, "npm"),
    ("pypi-upload-token", "PyPI upload token", Critical, "PyPI"),
    ("dockerhub-pat", "Docker Hub personal or organization access token", Critical, "Docker Hub"),
    ("rubygems-api-key", "RubyGems API key", High, "RubyGems"),
    ("nuget-api-key", "NuGet API key", High, "NuGet"),
    ("crates-io-token", "crates.io API token", High, "crates.io"),
    // Chat and webhooks.
    ("slack-bot-token", "Slack bot token", High, "Slack"),
    ("slack-user-token", "Slack user token", High, "Slack"),
    ("slack-app-token", "Slack app-level token", High, "Slack"),
    ("slack-config-token", "Slack configuration token", High, "Slack"),
    ("slack-legacy-token", "Slack legacy token", High, "Slack"),
    ("slack-webhook-url", "Slack incoming webhook URL", High, "Slack"),
    ("discord-webhook-url", "Discord webhook URL", Medium, "Discord"),
    ("teams-webhook-url", "Microsoft Teams incoming webhook URL", Medium, "Microsoft"),
    ("telegram-bot-token", "Telegram bot token", High, "Telegram"),
    // Payments and commerce.
    ("stripe-secret-key", "Stripe live secret key", Critical, "Stripe"),
    ("stripe-restricted-key", "Stripe live restricted key", High, "Stripe"),
    ("stripe-test-key", "Stripe test-mode secret key", Low, "Stripe"),
    ("stripe-webhook-secret", "Stripe webhook signing secret", High, "Stripe"),
    ("square-access-token", "Square access token", High, "Square"),
    ("square-oauth-secret", "Square OAuth secret", High, "Square"),
    ("braintree-access-token", "PayPal Braintree access token", Critical, "PayPal"),
    ("shopify-token", "Shopify access token or shared secret", High, "Shopify"),
    // AI and messaging APIs.
    ("openai-api-key", "OpenAI API key", High, "OpenAI"),
    ("anthropic-api-key", "Anthropic API key", High, "Anthropic"),
    ("huggingface-token", "Hugging Face access token", High, "Hugging Face"),
    ("huggingface-org-token", "Hugging Face organization API token", High, "Hugging Face"),
    ("groq-api-key", "Groq API key", High, "Groq"),
    ("replicate-api-token", "Replicate API token", High, "Replicate"),
    ("sendgrid-api-key", "SendGrid API key", High, "Twilio SendGrid"),
    ("twilio-api-key", "Twilio API key", High, "Twilio"),
    ("mailgun-api-key", "Mailgun API key", High, "Mailgun"),
    // Credential files, parsed.
    ("docker-config-auth", "Registry credentials in a Docker config.json", High, "Credential file"),
    ("npmrc-credentials", "npm registry credentials in .npmrc", High, "Credential file"),
    ("pypirc-password", "Package index password in .pypirc", High, "Credential file"),
    ("netrc-password", "Password in .netrc", High, "Credential file"),
    ("git-credentials", "Credentials in .git-credentials", High, "Credential file"),
    ("kubeconfig-credentials", "Kubernetes credentials in a kubeconfig", High, "Credential file"),
    ("pgpass-password", "PostgreSQL password in .pgpass", High, "Credential file"),
    ("wordpress-db-password", "WordPress database password (wp-config.php)", High, "Credential file"),
    ("wordpress-auth-salt", "WordPress authentication keys and salts (wp-config.php)", Medium, "Credential file"),
    // Tokens and credentials recognised by shape.
    ("jwt", "JSON Web Token", Medium, "Token"),
    ("database-connection-string", "Database URL with an embedded password", High, "Generic"),
    ("url-credentials", "URL with embedded credentials", Medium, "Generic"),
    ("basic-auth-header", "HTTP Basic authorization credentials", Medium, "Generic"),
    ("bearer-token", "HTTP Bearer authorization token", Medium, "Generic"),
    // Generic assignments (entropy and placeholder filtered).
    ("generic-password", "Password assigned in configuration or code", Medium, "Generic"),
    ("generic-secret", "Secret assigned in configuration or code", Medium, "Generic"),
    ("generic-api-key", "API key or token assigned in configuration or code", Medium, "Generic"),
    // The image config.
    ("env-secret", "Secret in the image environment (ENV)", High, "Image config"),
    ("label-secret", "Secret in an image label", High, "Image config"),
    ("history-secret", "Secret in the image build history", High, "Image config"),
    // Sensitive files, by name.
    ("sensitive-file:ssh-private-key", "SSH private key file (unrecognised content)", Medium, "Sensitive file"),
    ("sensitive-file:pkcs12", "PKCS#12 key store (.p12/.pfx)", Medium, "Sensitive file"),
    ("sensitive-file:java-keystore", "Java key store", Medium, "Sensitive file"),
    ("sensitive-file:shell-history", "Shell or REPL history file", Low, "Sensitive file"),
    ("sensitive-file:keepass", "KeePass password database", Medium, "Sensitive file"),
    ("sensitive-file:terraform-state", "Terraform state file", Medium, "Sensitive file"),
    ("sensitive-file:vault-token", "HashiCorp Vault token file", High, "Sensitive file"),
    ("sensitive-file:htpasswd", "htpasswd password file", Medium, "Sensitive file"),
    ("sensitive-file:gpg-secret-keyring", "GnuPG secret keyring", Medium, "Sensitive file"),
];

/// The built-in rules as report metadata.
pub fn builtin_rules() -> Vec<RuleInfo> {
    CATALOG
        .iter()
        .map(|&(id, title, severity, category)| RuleInfo {
            id: id.to_string(),
            title: title.to_string(),
            severity,
            category: category.to_string(),
            builtin: true,
        })
        .collect()
}

/// Where a pattern's regex runs once a keyword is seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    /// The line holding the keyword (every built-in token fits on one line).
    Line,
    /// The whole file (user rules, whose patterns may span lines).
    Whole,
}

/// Extra validation of a regex match beyond entropy and placeholders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Check {
    None,
    /// GitHub's classic formats end in a base62 CRC32 of the random part.
    GithubChecksum,
    /// Header and payload are base64url JSON and the token is signed.
    Jwt,
    /// Base64 of `user:password` with a real password.
    BasicAuth,
    /// A free-form value: no references, code or words; `min_len` and char classes.
    GenericValue,
    /// A hex/alnum run that must mix letters and digits (random, not a word or number).
    MixedAlnum,
}

/// One built-in regex detector.
pub(crate) struct PatternSpec {
    pub rule: &'static str,
    /// Lower-case; any one of them in the file triggers the regex.
    pub keywords: &'static [&'static str],
    pub regex: &'static str,
    /// Capture group holding the secret.
    pub group: usize,
    /// Capture group holding the assignment's key name, when the pattern has one.
    pub key_group: Option<usize>,
    /// Minimum Shannon entropy of the secret (bits per byte); 0 for none.
    pub entropy: f64,
    pub check: Check,
}

/// `key = value` in any of the usual spellings: `=`, `:`, `:=`, `=>`, quoted or not.
macro_rules! assign {
    () => {
        r#"["'`]?\s{0,5}(?::=|=>|[:=])\s{0,5}["'`]?"#
    };
}

const fn spec(
    rule: &'static str,
    keywords: &'static [&'static str],
    regex: &'static str,
) -> PatternSpec {
    PatternSpec {
        rule,
        keywords,
        regex,
        group: 1,
        key_group: None,
        entropy: 0.0,
        check: Check::None,
    }
}

const fn with_entropy(mut s: PatternSpec, entropy: f64) -> PatternSpec {
    s.entropy = entropy;
    s
}

const fn with_check(mut s: PatternSpec, check: Check) -> PatternSpec {
    s.check = check;
    s
}

const fn generic(
    rule: &'static str,
    keywords: &'static [&'static str],
    regex: &'static str,
    entropy: f64,
) -> PatternSpec {
    PatternSpec {
        rule,
        keywords,
        regex,
        group: 2,
        key_group: Some(1),
        entropy,
        check: Check::GenericValue,
    }
}

/// The built-in regex detectors. All are ASCII-only (`(?-u)`): faster, and tokens are
/// ASCII. Tail groups like `(?:[^A-Za-z0-9]|\z)` stand in for look-ahead, which the
/// regex crate lacks: a token must not run on into more token characters.
#[rustfmt::skip]
pub(crate) const PATTERNS: &[PatternSpec] = &[
    // --- Alibaba Cloud: ids start LTAI; secrets (30 alnum) are only found by context.
    with_entropy(spec("alibaba-access-key-id", &["ltai"], r"(?-u)\b(LTAI[A-Za-z0-9]{12,20})(?:[^A-Za-z0-9]|\z)"), 3.0),
    with_entropy(spec("alibaba-access-key-secret", &["accesskeysecret", "access_key_secret", "access-key-secret", "aliyun", "alibaba", "alicloud"], concat!(r"(?i-u)(?:access[_-]?key[_-]?secret|(?:aliyun|alibaba|alicloud)[\w.-]{0,20}?secret[\w.-]{0,10}?)", assign!(), r"([A-Za-z0-9]{30})(?:[^A-Za-z0-9]|\z)")), 3.5),
    // --- AWS: key ids are a 4-letter type prefix plus 16 base32 characters.
    with_entropy(spec("aws-access-key-id", &["akia", "asia", "abia", "acca", "a3t"], r"(?-u)\b((?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16})(?:[^A-Za-z0-9]|\z)"), 3.0),
    with_entropy(spec("aws-secret-access-key", &["aws", "secretaccesskey", "secret_access_key", "secret-access-key"], concat!(r"(?i-u)(?:aws[\w.-]{0,20}?(?:secret|sk)[\w.-]{0,20}?|secret[_-]?access[_-]?key)", assign!(), r"([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|\z)")), 4.0),
    with_entropy(spec("aws-session-token", &["aws_session_token", "awssessiontoken", "aws_security_token", "aws-session-token"], concat!(r"(?i-u)aws[_-]?(?:session|security)[_-]?token", assign!(), r"([A-Za-z0-9/+=]{100,})")), 4.0),
    // STS tokens start with the base64 of their fixed protobuf/JSON headers.
    with_entropy(spec("aws-session-token", &["fwogzxivyxdze", "iqojb3jpz2lux2vj"], r"(?-u)\b((?:FwoGZXIvYXdzE|IQoJb3JpZ2luX2Vj)[A-Za-z0-9/+=]{100,})"), 4.0),
    spec("aws-mws-auth-token", &["amzn.mws."], r"(?-u)\b(amzn\.mws\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b"),
    // --- Tencent Cloud: SecretId AKID + 32; SecretKey by context.
    with_entropy(spec("tencent-secret-id", &["akid"], r"(?-u)\b(AKID[A-Za-z0-9]{32})(?:[^A-Za-z0-9]|\z)"), 3.5),
    with_entropy(spec("tencent-secret-key", &["tencent", "qcloud", "tccli"], concat!(r"(?i-u)(?:tencent|qcloud|tccli)[\w.-]{0,25}?secret[_-]?key", assign!(), r"([A-Za-z0-9]{32})(?:[^A-Za-z0-9]|\z)")), 3.5),
    // --- Huawei Cloud: no distinctive prefix, so context only.
    with_entropy(spec("huawei-access-key-id", &["huawei", "hwcloud", "hcso", "obs_access", "obs.access", "obsaccess"], concat!(r"(?i-u)(?:huawei|hwcloud|hcso|obs)[\w.-]{0,20}?(?:access[_-]?key(?:[_-]?id)?|[_.-]ak)", assign!(), r"([A-Z0-9]{20})(?:[^A-Za-z0-9]|\z)")), 3.0),
    with_entropy(spec("huawei-secret-access-key", &["huawei", "hwcloud", "hcso", "obs_secret", "obs.secret", "obssecret"], concat!(r"(?i-u)(?:huawei|hwcloud|hcso|obs)[\w.-]{0,20}?(?:secret[_-]?(?:access[_-]?)?key|[_.-]sk)", assign!(), r"([A-Za-z0-9]{40})(?:[^A-Za-z0-9]|\z)")), 3.5),
    // --- Google Cloud.
    with_entropy(spec("gcp-api-key", &["aiza"], r"(?-u)\b(AIza[0-9A-Za-z_-]{35})(?:[^0-9A-Za-z_-]|\z)"), 3.5),
    with_entropy(spec("gcp-oauth-client-secret", &["gocspx-"], r"(?-u)\b(GOCSPX-[A-Za-z0-9_-]{28})(?:[^A-Za-z0-9_-]|\z)"), 3.5),
    // --- Azure.
    spec("azure-storage-connection-string", &["accountkey="], r"(?i-u)AccountName=[A-Za-z0-9-]{3,24};\s*AccountKey=([A-Za-z0-9+/]{86}==)"),
    spec("azure-service-bus-connection-string", &["sharedaccesskey="], r"(?i-u)Endpoint=sb://[A-Za-z0-9.-]+/?;\s*SharedAccessKeyName=[^;\s]{1,256};\s*SharedAccessKey=([A-Za-z0-9+/]{43}=)"),
    with_entropy(spec("azure-storage-account-key", &["accountkey", "account_key", "storagekey", "storage_key", "azure"], concat!(r"(?i-u)(?:account[_-]?key|storage[_-]?(?:account[_-]?)?key|azure[\w.-]{0,20}?key)", assign!(), r"([A-Za-z0-9+/]{86}==)")), 4.5),
    with_entropy(spec("azure-sas-token", &["sig="], r"(?i-u)\bsv=\d{4}-\d{2}-\d{2}&[^\s'<>]{0,400}?\bsig=([A-Za-z0-9%/+]{40,100})"), 3.5),
    // Entra ID client secrets: 3 characters, a digit, then the "Q~" marker, 40 in all.
    with_entropy(spec("azure-ad-client-secret", &["q~"], r"(?-u)(?:^|[^A-Za-z0-9_~.-])([A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34})(?:[^A-Za-z0-9_~.-]|\z)"), 3.5),
    with_entropy(spec("azure-devops-pat", &["azure_devops", "azuredevops", "azure-devops", "ado_pat", "vsts"], concat!(r"(?i-u)(?:azure[_-]?devops|ado|vsts)[\w.-]{0,20}?(?:pat|token)", assign!(), r"([a-z2-7]{52}|[A-Za-z0-9]{84})(?:[^A-Za-z0-9]|\z)")), 3.5),
    // --- Other clouds.
    spec("digitalocean-token", &["dop_v1_", "doo_v1_", "dor_v1_"], r"(?-u)\b(do[opr]_v1_[a-f0-9]{64})\b"),
    with_entropy(spec("heroku-api-key", &["hrku-"], r"(?-u)\b(HRKU-AA[0-9A-Za-z_-]{58})(?:[^0-9A-Za-z_-]|\z)"), 3.5),
    // --- GitHub: prefix, 30 random base62, 6 checksum characters.
    with_check(spec("github-pat", &["ghp_"], r"(?-u)\b(ghp_[A-Za-z0-9]{36})(?:[^A-Za-z0-9]|\z)"), Check::GithubChecksum),
    with_entropy(spec("github-fine-grained-pat", &["github_pat_"], r"(?-u)\b(github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})(?:[^A-Za-z0-9]|\z)"), 4.0),
    with_check(spec("github-oauth-token", &["gho_"], r"(?-u)\b(gho_[A-Za-z0-9]{36})(?:[^A-Za-z0-9]|\z)"), Check::GithubChecksum),
    with_check(spec("github-user-to-server-token", &["ghu_"], r"(?-u)\b(ghu_[A-Za-z0-9]{36})(?:[^A-Za-z0-9]|\z)"), Check::GithubChecksum),
    with_check(spec("github-server-to-server-token", &["ghs_"], r"(?-u)\b(ghs_[A-Za-z0-9]{36})(?:[^A-Za-z0-9]|\z)"), Check::GithubChecksum),
    with_check(spec("github-refresh-token", &["ghr_"], r"(?-u)\b(ghr_[A-Za-z0-9]{36,76})(?:[^A-Za-z0-9]|\z)"), Check::GithubChecksum),
    // --- GitLab: one prefix per token kind.
    with_entropy(spec("gitlab-pat", &["glpat-"], r"(?-u)\b(glpat-[A-Za-z0-9_.-]{20,200})(?:[^A-Za-z0-9_.-]|\z)"), 3.0),
    spec("gitlab-pipeline-trigger-token", &["glptt-"], r"(?-u)\b(glptt-[0-9a-f]{40})\b"),
    with_entropy(spec("gitlab-runner-token", &["glrt-"], r"(?-u)\b(glrt-[A-Za-z0-9_.-]{20,200})(?:[^A-Za-z0-9_.-]|\z)"), 3.0),
    with_entropy(spec("gitlab-runner-registration-token", &["gr1348941"], r"(?-u)\b(GR1348941[A-Za-z0-9_-]{20})(?:[^A-Za-z0-9_-]|\z)"), 3.0),
    with_entropy(spec("gitlab-deploy-token", &["gldt-"], r"(?-u)\b(gldt-[A-Za-z0-9_-]{20,200})(?:[^A-Za-z0-9_-]|\z)"), 3.0),
    with_entropy(spec("gitlab-feed-token", &["glft-"], r"(?-u)\b(glft-[A-Za-z0-9_-]{20,200})(?:[^A-Za-z0-9_-]|\z)"), 3.0),
    spec("gitlab-oauth-app-secret", &["gloas-"], r"(?-u)\b(gloas-[a-f0-9]{64})\b"),
    with_entropy(spec("gitlab-scim-token", &["glsoat-"], r"(?-u)\b(glsoat-[A-Za-z0-9_-]{20,200})(?:[^A-Za-z0-9_-]|\z)"), 3.0),
    with_entropy(spec("gitlab-ci-job-token", &["glcbt-"], r"(?-u)\b(glcbt-[A-Za-z0-9_]{1,5}_[A-Za-z0-9_-]{20,200})(?:[^A-Za-z0-9_-]|\z)"), 3.0),
    with_entropy(spec("gitlab-incoming-mail-token", &["glimt-"], r"(?-u)\b(glimt-[A-Za-z0-9_-]{25,200})(?:[^A-Za-z0-9_-]|\z)"), 3.0),
    with_entropy(spec("gitlab-agent-token", &["glagent-"], r"(?-u)\b(glagent-[A-Za-z0-9_-]{50,200})(?:[^A-Za-z0-9_-]|\z)"), 3.0),
    with_entropy(spec("gitlab-feature-flag-token", &["glffct-"], r"(?-u)\b(glffct-[A-Za-z0-9_-]{20,200})(?:[^A-Za-z0-9_-]|\z)"), 3.0),
    with_entropy(spec("atlassian-api-token", &["atatt3"], r"(?-u)\b(ATATT3[A-Za-z0-9_=-]{150,250})(?:[^A-Za-z0-9_=-]|\z)"), 4.0),
    with_entropy(spec("terraform-cloud-token", &["atlasv1"], r"(?-u)\b([A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70})(?:[^A-Za-z0-9_=-]|\z)"), 4.0),
    with_entropy(spec("vault-token", &["hvs.", "hvb."], r"(?-u)\b(hv[sb]\.[A-Za-z0-9_-]{90,200})(?:[^A-Za-z0-9_-]|\z)"), 4.0),
    spec("pulumi-access-token", &["pul-"], r"(?-u)\b(pul-[a-f0-9]{40})\b"),
    with_entropy(spec("doppler-token", &["dp.pt.", "dp.st.", "dp.sa.", "dp.ct.", "dp.scim.", "dp.audit."], r"(?-u)\b(dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44})\b"), 3.5),
    spec("postman-api-key", &["pmak-"], r"(?-u)\b(PMAK-[a-f0-9]{24}-[a-f0-9]{34})\b"),
    with_entropy(spec("linear-api-key", &["lin_api_"], r"(?-u)\b(lin_api_[A-Za-z0-9]{40})\b"), 3.5),
    with_entropy(spec("sentry-auth-token", &["sntrys_", "sntryu_"], r"(?-u)\b(sntrys_eyJ[A-Za-z0-9+/=_-]{60,}|sntryu_[a-f0-9]{64})"), 3.5),
    with_entropy(spec("grafana-service-account-token", &["glsa_"], r"(?-u)\b(glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})\b"), 3.5),
    with_entropy(spec("grafana-cloud-token", &["glc_"], r"(?-u)\b(glc_[A-Za-z0-9+/]{32,400}={0,2})"), 4.0),
    with_entropy(spec("new-relic-user-api-key", &["nrak-"], r"(?-u)\b(NRAK-[A-Z0-9]{27})\b"), 3.5),
    with_check(spec("datadog-api-key", &["datadog", "dd_api_key", "ddapikey", "dd-api-key"], concat!(r"(?i-u)(?:datadog[\w.-]{0,20}?api[_-]?key|dd[_-]?api[_-]?key)", assign!(), r"([a-f0-9]{32})(?:[^A-Za-z0-9]|\z)")), Check::MixedAlnum),
    with_check(spec("databricks-token", &["dapi"], r"(?-u)\b(dapi[a-f0-9]{32}(?:-[0-9])?)\b"), Check::MixedAlnum),
    with_entropy(spec("planetscale-token", &["pscale_"], r"(?-u)\b(pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.=-]{32,64})"), 3.5),
    // --- Package registries.
    with_entropy(spec("npm-access-token", &["npm_"], r"(?-u)\b(npm_[A-Za-z0-9]{36})(?:[^A-Za-z0-9]|\z)"), 3.5),
    spec("pypi-upload-token", &["pypi-ageichlwas5vcmc", "pypi-agendgvzdc5wexbplm9yzw"], r"(?-u)\b(pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,})"),
    with_entropy(spec("dockerhub-pat", &["dckr_pat_", "dckr_oat_"], r"(?-u)\b(dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,64})(?:[^A-Za-z0-9_-]|\z)"), 3.5),
    spec("rubygems-api-key", &["rubygems_"], r"(?-u)\b(rubygems_[a-f0-9]{48})\b"),
    with_entropy(spec("nuget-api-key", &["oy2"], r"(?-u)\b(oy2[a-z0-9]{43})\b"), 3.5),
    with_entropy(spec("crates-io-token", &["cio"], r"(?-u)\b(cio[A-Za-z0-9]{32})\b"), 3.8),
    // --- Slack.
    with_entropy(spec("slack-bot-token", &["xoxb-"], r"(?-u)\b(xoxb-[0-9]{10,13}-[0-9]{10,13}-[A-Za-z0-9]{23,25})\b"), 3.0),
    with_entropy(spec("slack-user-token", &["xoxp-", "xoxe-"], r"(?-u)\b(xox[pe]-[0-9]{10,13}-[0-9]{10,13}-[0-9]{10,13}-[A-Za-z0-9]{28,34})\b"), 3.0),
    spec("slack-app-token", &["xapp-"], r"(?i-u)\b(xapp-[0-9]-[A-Z0-9]{9,12}-[0-9]{10,14}-[a-f0-9]{64})\b"),
    with_entropy(spec("slack-config-token", &["xoxe.xox"], r"(?-u)\b(xoxe\.xox[bp]-[0-9]-[A-Za-z0-9]{160,170})\b"), 3.5),
    with_entropy(spec("slack-legacy-token", &["xoxa-", "xoxo-", "xoxr-", "xoxs-"], r"(?-u)\b(xox[aors]-[0-9]{1,13}-[A-Za-z0-9-]{20,160})\b"), 3.0),
    spec("slack-webhook-url", &["hooks.slack.com"], r"(?-u)(https?://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{43,120})"),
    spec("discord-webhook-url", &["discord.com/api/webhooks", "discordapp.com/api/webhooks"], r"(?-u)(https://(?:(?:canary|ptb)\.)?discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_-]{60,72})"),
    spec("teams-webhook-url", &["webhook.office.com"], r"(?-u)(https://[A-Za-z0-9.-]+\.webhook\.office\.com/webhookb2/[A-Za-z0-9@-]{36,80}/IncomingWebhook/[a-f0-9]{32}/[a-f0-9-]{36})"),
    with_entropy(spec("telegram-bot-token", &[":aa"], r"(?-u)(?:^|[^0-9])([0-9]{8,10}:AA[A-Za-z0-9_-]{33})(?:[^A-Za-z0-9_-]|\z)"), 3.5),
    // --- Payments.
    with_entropy(spec("stripe-secret-key", &["sk_live_"], r"(?-u)\b(sk_live_[A-Za-z0-9]{24,247})(?:[^A-Za-z0-9]|\z)"), 3.5),
    with_entropy(spec("stripe-restricted-key", &["rk_live_"], r"(?-u)\b(rk_live_[A-Za-z0-9]{24,247})(?:[^A-Za-z0-9]|\z)"), 3.5),
    with_entropy(spec("stripe-test-key", &["sk_test_", "rk_test_"], r"(?-u)\b([sr]k_test_[A-Za-z0-9]{24,247})(?:[^A-Za-z0-9]|\z)"), 3.5),
    with_entropy(spec("stripe-webhook-secret", &["whsec_"], r"(?-u)\b(whsec_[A-Za-z0-9+/]{32,})"), 3.5),
    spec("square-access-token", &["sq0atp-"], r"(?-u)\b(sq0atp-[A-Za-z0-9_-]{22})(?:[^A-Za-z0-9_-]|\z)"),
    spec("square-oauth-secret", &["sq0csp-"], r"(?-u)\b(sq0csp-[A-Za-z0-9_-]{43})(?:[^A-Za-z0-9_-]|\z)"),
    spec("braintree-access-token", &["access_token$production$"], r"(?-u)(access_token\$production\$[0-9a-z]{16}\$[0-9a-f]{32})"),
    spec("shopify-token", &["shpat_", "shpca_", "shppa_", "shpss_"], r"(?-u)\b(shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})\b"),
    // --- AI APIs. OpenAI keys carry "T3BlbkFJ", the base64 of "OpenAI".
    with_entropy(spec("openai-api-key", &["t3blbkfj"], r"(?-u)\b(sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,156}T3BlbkFJ[A-Za-z0-9_-]{20,156})(?:[^A-Za-z0-9_-]|\z)"), 4.0),
    with_entropy(spec("anthropic-api-key", &["sk-ant-api03-", "sk-ant-admin01-"], r"(?-u)\b(sk-ant-(?:api03|admin01)-[A-Za-z0-9_-]{93}AA)(?:[^A-Za-z0-9_-]|\z)"), 4.0),
    with_entropy(spec("huggingface-token", &["hf_"], r"(?-u)\b(hf_[A-Za-z]{34})(?:[^A-Za-z0-9_]|\z)"), 4.0),
    with_entropy(spec("huggingface-org-token", &["api_org_"], r"(?-u)\b(api_org_[A-Za-z]{34})(?:[^A-Za-z0-9_]|\z)"), 4.0),
    with_entropy(spec("groq-api-key", &["gsk_"], r"(?-u)\b(gsk_[A-Za-z0-9]{52})\b"), 4.0),
    with_entropy(spec("replicate-api-token", &["r8_"], r"(?-u)\b(r8_[A-Za-z0-9]{37})\b"), 4.0),
    with_entropy(spec("sendgrid-api-key", &["sg."], r"(?-u)\b(SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?:[^A-Za-z0-9_-]|\z)"), 4.0),
    with_check(spec("twilio-api-key", &["twilio"], concat!(r"(?i-u)twilio[\w.-]{0,30}?", assign!(), r"(SK[0-9a-fA-F]{32})\b")), Check::MixedAlnum),
    with_check(spec("mailgun-api-key", &["mailgun"], concat!(r"(?i-u)mailgun[\w.-]{0,30}?", assign!(), r"(key-[0-9a-f]{32})\b")), Check::MixedAlnum),
    // --- age.
    spec("age-secret-key", &["age-secret-key-1"], r"(?-u)\b(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})\b"),
    // --- Shapes.
    with_check(spec("jwt", &["eyj"], r"(?-u)\b(eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{16,})(?:[^A-Za-z0-9_.-]|\z)"), Check::Jwt),
    // URL credentials: the user part is no assignment key, the URL itself says "credential".
    PatternSpec { rule: "database-connection-string", keywords: &["postgres://", "postgresql://", "mysql://", "mariadb://", "mongodb://", "mongodb+srv://", "redis://", "rediss://", "amqp://", "amqps://", "mssql://", "sqlserver://"], regex: r#"(?i-u)\b((?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver)://[^:@/\s"'<>]{0,64}):([^@/\s"'<>]{3,128})@[A-Za-z0-9._-]+"#, group: 2, key_group: None, entropy: 2.5, check: Check::GenericValue },
    PatternSpec { rule: "url-credentials", keywords: &["://"], regex: r#"(?i-u)\b((?:https?|ftps?|sftp|ssh|git|svn|ldaps?|smtps?|imaps?)://[^:@/\s"'<>]{1,64}):([^@/\s"'<>]{3,128})@[A-Za-z0-9][A-Za-z0-9._-]*"#, group: 2, key_group: None, entropy: 3.0, check: Check::GenericValue },
    with_check(spec("basic-auth-header", &["basic "], r#"(?i-u)authorization["'`]?\s{0,5}[:=]\s{0,5}["'`]?basic\s+([A-Za-z0-9+/]{8,}={0,2})"#), Check::BasicAuth),
    with_entropy(spec("bearer-token", &["bearer "], r#"(?i-u)authorization["'`]?\s{0,5}[:=]\s{0,5}["'`]?bearer\s+([A-Za-z0-9._~+/-]{20,}=*)"#), 3.5),
    // --- Generic assignments: the key names the value; entropy and shape do the rest.
    // The value must not run into `(`, `[` or `.`: then it is code, not a literal
    // (`password = base64.b16encode(...)` was one in urllib3).
    generic("generic-password", &["password", "passwd", "passwort", "pwd"], concat!(r"(?i-u)([\w.-]{0,40}?(?:password|passwd|passwort|pwd)[\w]{0,10})", assign!(), r#"([^\s"'`;,<>{}()\[\]\\|]{6,128})(?:[\s"'`;,)\]}>]|\z)"#), 3.0),
    generic("generic-secret", &["secret"], concat!(r"(?i-u)([\w.-]{0,40}?secret[\w]{0,12})", assign!(), r#"([^\s"'`;,<>{}()\[\]\\|]{8,256})(?:[\s"'`;,)\]}>]|\z)"#), 3.5),
    generic("generic-api-key", &["api_key", "apikey", "api-key", "api_token", "apitoken", "access_token", "accesstoken", "auth_token", "authtoken", "access_key", "accesskey"], concat!(r"(?i-u)([\w.-]{0,40}?(?:api[_-]?key|api[_-]?token|access[_-]?token|auth[_-]?token|access[_-]?key)[\w]{0,10})", assign!(), r#"([A-Za-z0-9_.+/~=-]{16,256})(?:[\s"'`;,)\]}>]|\z)"#), 3.7),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn catalog_ids_are_unique_and_many() {
        let ids: HashSet<&str> = CATALOG.iter().map(|r| r.0).collect();
        assert_eq!(ids.len(), CATALOG.len());
        assert!(CATALOG.len() >= 60, "{} rules", CATALOG.len());
    }

    #[test]
    fn every_pattern_names_a_catalog_rule_and_compiles() {
        let ids: HashSet<&str> = CATALOG.iter().map(|r| r.0).collect();
        for p in PATTERNS {
            assert!(ids.contains(p.rule), "{} not in catalog", p.rule);
            assert!(!p.keywords.is_empty(), "{} has no keyword", p.rule);
            for k in p.keywords {
                assert_eq!(*k, k.to_ascii_lowercase(), "{}: keyword {k}", p.rule);
            }
            let re = regex::bytes::Regex::new(p.regex).unwrap();
            assert!(re.captures_len() > p.group, "{}", p.rule);
        }
    }

    #[test]
    fn severities_parse_case_insensitively() {
        assert_eq!("high".parse::<Severity>().unwrap(), Severity::High);
        assert_eq!("CRITICAL".parse::<Severity>().unwrap(), Severity::Critical);
        assert!("urgent".parse::<Severity>().is_err());
        assert!(Severity::Critical > Severity::Low);
    }
}
