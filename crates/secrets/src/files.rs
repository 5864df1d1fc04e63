//! Credential files, parsed rather than grepped (each format says exactly which field is
//! the secret), and files whose name alone says they hold keys or secrets.

use std::collections::BTreeMap;

use memchr::memmem;
use regex::bytes::Regex;
use std::sync::LazyLock;

use crate::engine::Candidate;
use crate::filters::{is_placeholder, is_plausible_value, key_holds_secret};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialFile {
    DockerConfig,
    Npmrc,
    Pypirc,
    Netrc,
    GitCredentials,
    Kubeconfig,
    Pgpass,
    AwsCredentials,
    AliyunConfig,
    WpConfig,
    SpringProperties,
    SpringYaml,
    DotEnv,
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Which credential format a path holds, by its name and place.
pub fn credential_file(path: &str) -> Option<CredentialFile> {
    use CredentialFile::*;
    let name = file_name(path);
    let kind = match name {
        "config.json" if path.ends_with("/.docker/config.json") => DockerConfig,
        ".dockercfg" => DockerConfig,
        ".npmrc" | "npmrc" => Npmrc,
        ".pypirc" => Pypirc,
        ".netrc" | "_netrc" => Netrc,
        ".git-credentials" => GitCredentials,
        "credentials" if path.ends_with("/git/credentials") => GitCredentials,
        "config" if path.ends_with("/.kube/config") => Kubeconfig,
        "kubeconfig" => Kubeconfig,
        n if n.ends_with(".kubeconfig") => Kubeconfig,
        n if path.starts_with("/etc/kubernetes/") && n.ends_with(".conf") => Kubeconfig,
        ".pgpass" | "pgpass.conf" => Pgpass,
        "credentials" | "config" if path.contains("/.aws/") => AwsCredentials,
        "config.json" if path.ends_with("/.aliyun/config.json") => AliyunConfig,
        "wp-config.php" => WpConfig,
        n if (n.starts_with("application") || n.starts_with("bootstrap"))
            && n.ends_with(".properties") =>
        {
            SpringProperties
        }
        n if (n.starts_with("application") || n.starts_with("bootstrap"))
            && (n.ends_with(".yml") || n.ends_with(".yaml")) =>
        {
            SpringYaml
        }
        ".env" => DotEnv,
        n if n.starts_with(".env.") || n.ends_with(".env") => {
            // Templates that ship with projects hold placeholders by design.
            let template = [".example", ".sample", ".template", ".dist", ".defaults"]
                .iter()
                .any(|t| n.ends_with(t));
            if template {
                return None;
            }
            DotEnv
        }
        _ => return None,
    };
    Some(kind)
}

/// Parses one credential file; malformed files yield nothing (the regex rules still ran).
pub fn parse(kind: CredentialFile, content: &[u8], out: &mut Vec<Candidate>) {
    let Ok(text) = std::str::from_utf8(content) else {
        return;
    };
    let mut found = Vec::new();
    match kind {
        CredentialFile::DockerConfig => docker_config(text, &mut found),
        CredentialFile::Npmrc => npmrc(text, &mut found),
        CredentialFile::Pypirc => pypirc(text, &mut found),
        CredentialFile::Netrc => netrc(text, &mut found),
        CredentialFile::GitCredentials => git_credentials(text, &mut found),
        CredentialFile::Kubeconfig => kubeconfig(text, &mut found),
        CredentialFile::Pgpass => pgpass(text, &mut found),
        CredentialFile::AwsCredentials => aws_credentials(text, &mut found),
        CredentialFile::AliyunConfig => aliyun_config(text, &mut found),
        CredentialFile::WpConfig => wp_config(text, &mut found),
        CredentialFile::SpringProperties => properties(text, &mut found),
        CredentialFile::SpringYaml => spring_yaml(text, &mut found),
        CredentialFile::DotEnv => dotenv(text, &mut found),
    }
    out.extend(
        found
            .into_iter()
            .filter(|c| !c.secret.is_empty() && !is_placeholder(&c.secret)),
    );
}

/// Offset of `value` in `text` (first occurrence), for line numbers of parsed values.
fn offset_of(text: &str, value: &str) -> usize {
    memmem::find(text.as_bytes(), value.as_bytes()).unwrap_or(0)
}

/// Lines with their byte offsets.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split('\n').map(move |line| {
        let at = offset;
        offset += line.len() + 1;
        (at, line.trim_end_matches('\r'))
    })
}

fn candidate(rule: &'static str, offset: usize, secret: &str, key: String) -> Candidate {
    Candidate::validated(rule, offset, secret.as_bytes().to_vec(), Some(key))
}

fn unquote(value: &str) -> &str {
    let v = value.trim();
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|v| v.strip_suffix(q)) {
            return inner;
        }
    }
    v
}

fn docker_config(text: &str, out: &mut Vec<Candidate>) {
    use base64::Engine as _;
    let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    // `.dockercfg` keeps the registries at the top level.
    let auths = json.get("auths").unwrap_or(&json);
    let Some(auths) = auths.as_object() else {
        return;
    };
    for (registry, entry) in auths {
        if let Some(auth) = entry.get("auth").and_then(|a| a.as_str()) {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(auth.trim())
                .unwrap_or_default();
            let password = decoded
                .iter()
                .position(|&b| b == b':')
                .map(|i| &decoded[i + 1..])
                .unwrap_or_default();
            if !password.is_empty() && !is_placeholder(password) {
                out.push(candidate(
                    "docker-config-auth",
                    offset_of(text, auth),
                    auth,
                    format!("auths.{registry}.auth"),
                ));
            }
        }
        for field in ["identitytoken", "registrytoken", "password"] {
            if let Some(token) = entry.get(field).and_then(|t| t.as_str()) {
                out.push(candidate(
                    "docker-config-auth",
                    offset_of(text, token),
                    token,
                    format!("auths.{registry}.{field}"),
                ));
            }
        }
    }
}

fn npmrc(text: &str, out: &mut Vec<Candidate>) {
    for (offset, line) in lines(text) {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        let field = key.rsplit(':').next().unwrap_or(key);
        if matches!(field, "_authToken" | "_auth" | "_password" | "_token") {
            let value = unquote(value);
            if !value.starts_with("${") {
                out.push(candidate(
                    "npmrc-credentials",
                    offset,
                    value,
                    key.to_string(),
                ));
            }
        }
    }
}

/// `[section]` / `key = value` files: `.pypirc`, `~/.aws/credentials`.
fn ini(text: &str) -> Vec<(usize, String, String, String)> {
    let mut section = String::new();
    let mut entries = Vec::new();
    for (offset, line) in lines(text) {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if let Some(name) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            section = name.trim().to_string();
            continue;
        }
        let split = trimmed.split_once('=').or_else(|| trimmed.split_once(':'));
        if let Some((key, value)) = split {
            entries.push((
                offset,
                section.clone(),
                key.trim().to_ascii_lowercase(),
                unquote(value).to_string(),
            ));
        }
    }
    entries
}

fn pypirc(text: &str, out: &mut Vec<Candidate>) {
    for (offset, section, key, value) in ini(text) {
        if key == "password" {
            out.push(candidate(
                "pypirc-password",
                offset,
                &value,
                format!("[{section}] password"),
            ));
        }
    }
}

fn aws_credentials(text: &str, out: &mut Vec<Candidate>) {
    for (offset, section, key, value) in ini(text) {
        let rule = match key.as_str() {
            "aws_access_key_id" => "aws-access-key-id",
            "aws_secret_access_key" => "aws-secret-access-key",
            "aws_session_token" | "aws_security_token" => "aws-session-token",
            _ => continue,
        };
        let shaped = value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/+=".contains(&b));
        if shaped && value.len() >= 16 {
            out.push(candidate(
                rule,
                offset,
                &value,
                format!("[{section}] {key}"),
            ));
        }
    }
}

fn netrc(text: &str, out: &mut Vec<Candidate>) {
    // Whitespace-separated tokens; `password` is followed by its value.
    let mut machine = String::from("default");
    let mut tokens = Vec::new();
    for (offset, line) in lines(text) {
        if line.trim_start().starts_with('#') {
            continue;
        }
        let mut at = 0;
        for word in line.split_whitespace() {
            let pos = line[at..].find(word).map_or(at, |p| at + p);
            at = pos + word.len();
            tokens.push((offset, word));
        }
    }
    let mut iter = tokens.into_iter();
    while let Some((_, word)) = iter.next() {
        match word {
            "machine" => {
                if let Some((_, host)) = iter.next() {
                    machine = host.to_string();
                }
            }
            "default" => machine = "default".into(),
            "password" => {
                if let Some((offset, value)) = iter.next() {
                    out.push(candidate(
                        "netrc-password",
                        offset,
                        value,
                        format!("machine {machine}"),
                    ));
                }
            }
            _ => {}
        }
    }
}

fn git_credentials(text: &str, out: &mut Vec<Candidate>) {
    for (offset, line) in lines(text) {
        let line = line.trim();
        let Some((_, rest)) = line.split_once("://") else {
            continue;
        };
        let Some((userinfo, host)) = rest.rsplit_once('@') else {
            continue;
        };
        let Some((_, password)) = userinfo.split_once(':') else {
            continue;
        };
        let host = host.split('/').next().unwrap_or(host);
        if !password.is_empty() {
            out.push(candidate(
                "git-credentials",
                offset,
                password,
                host.to_string(),
            ));
        }
    }
}

fn kubeconfig(text: &str, out: &mut Vec<Candidate>) {
    let Ok(doc) = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text) else {
        return;
    };
    let Some(users) = doc.get("users").and_then(|u| u.as_sequence()) else {
        return;
    };
    for user in users {
        let name = user.get("name").and_then(|n| n.as_str()).unwrap_or("?");
        let Some(fields) = user.get("user") else {
            continue;
        };
        let mut secrets: Vec<(String, &str)> = Vec::new();
        for field in ["token", "password", "client-key-data"] {
            if let Some(v) = fields.get(field).and_then(|v| v.as_str()) {
                secrets.push((field.to_string(), v));
            }
        }
        if let Some(config) = fields.get("auth-provider").and_then(|p| p.get("config")) {
            for field in ["client-secret", "id-token", "refresh-token", "access-token"] {
                if let Some(v) = config.get(field).and_then(|v| v.as_str()) {
                    secrets.push((format!("auth-provider.config.{field}"), v));
                }
            }
        }
        for (field, value) in secrets {
            out.push(candidate(
                "kubeconfig-credentials",
                offset_of(text, value),
                value,
                format!("users.{name}.user.{field}"),
            ));
        }
    }
}

fn pgpass(text: &str, out: &mut Vec<Candidate>) {
    for (offset, line) in lines(text) {
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        // host:port:database:user:password, with `\:` and `\\` escapes.
        let mut fields = vec![String::new()];
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    if let (Some(next), Some(field)) = (chars.next(), fields.last_mut()) {
                        field.push(next);
                    }
                }
                ':' if fields.len() < 5 => fields.push(String::new()),
                c => {
                    if let Some(field) = fields.last_mut() {
                        field.push(c);
                    }
                }
            }
        }
        if fields.len() == 5 && !fields[4].is_empty() {
            let key = format!("{}@{}:{}/{}", fields[3], fields[0], fields[1], fields[2]);
            out.push(candidate("pgpass-password", offset, &fields[4], key));
        }
    }
}

fn aliyun_config(text: &str, out: &mut Vec<Candidate>) {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    let Some(profiles) = json.get("profiles").and_then(|p| p.as_array()) else {
        return;
    };
    for profile in profiles {
        let name = profile.get("name").and_then(|n| n.as_str()).unwrap_or("?");
        for (field, rule) in [
            ("access_key_id", "alibaba-access-key-id"),
            ("access_key_secret", "alibaba-access-key-secret"),
            ("sts_token", "alibaba-sts-token"),
        ] {
            if let Some(value) = profile.get(field).and_then(|v| v.as_str()) {
                if value.len() >= 12 {
                    out.push(candidate(
                        rule,
                        offset_of(text, value),
                        value,
                        format!("profiles.{name}.{field}"),
                    ));
                }
            }
        }
    }
}

static WP_DEFINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?-u)define\(\s*['"]((?:DB_PASSWORD)|(?:(?:SECURE_)?AUTH|LOGGED_IN|NONCE)_(?:KEY|SALT))['"]\s*,\s*['"]([^'"]*)['"]"#)
        .expect("static regex")
});

fn wp_config(text: &str, out: &mut Vec<Candidate>) {
    for caps in WP_DEFINE.captures_iter(text.as_bytes()) {
        let (Some(name), Some(value)) = (caps.get(1), caps.get(2)) else {
            continue;
        };
        let name = String::from_utf8_lossy(name.as_bytes()).into_owned();
        let secret = String::from_utf8_lossy(value.as_bytes()).into_owned();
        let placeholder = secret.contains("put your unique phrase here");
        if secret.is_empty() || placeholder {
            continue;
        }
        let rule = if name == "DB_PASSWORD" {
            "wordpress-db-password"
        } else {
            "wordpress-auth-salt"
        };
        out.push(candidate(rule, value.start(), &secret, name));
    }
}

/// The generic rule a secret-holding key belongs to.
fn generic_rule_for(key: &str) -> &'static str {
    let last = key
        .rsplit(['.', '/'])
        .next()
        .unwrap_or(key)
        .to_ascii_lowercase();
    if ["password", "passwd", "passwort", "pwd"]
        .iter()
        .any(|w| last.contains(w))
    {
        "generic-password"
    } else if last.contains("secret") {
        "generic-secret"
    } else {
        "generic-api-key"
    }
}

/// Values encrypted for Jasypt (`ENC(...)`) or Spring Cloud Config (`{cipher}...`) are
/// safe to ship.
fn encrypted_value(value: &str) -> bool {
    value.starts_with("ENC(") || value.starts_with("{cipher}")
}

fn push_generic(out: &mut Vec<Candidate>, offset: usize, key: &str, value: &str) {
    if key_holds_secret(key) && !encrypted_value(value) && is_plausible_value(value.as_bytes()) {
        out.push(candidate(
            generic_rule_for(key),
            offset,
            value,
            key.to_string(),
        ));
    }
}

fn properties(text: &str, out: &mut Vec<Candidate>) {
    for (offset, line) in lines(text) {
        let line = line.trim_start();
        if line.starts_with('#') || line.starts_with('!') {
            continue;
        }
        let split = line.find(['=', ':']).map(|i| (&line[..i], &line[i + 1..]));
        if let Some((key, value)) = split {
            let value = value.trim();
            let at = offset + line.len() - line.trim_start().len();
            push_generic(out, at, key.trim(), value);
        }
    }
}

fn flatten_yaml(prefix: &str, value: &serde_yaml_ng::Value, out: &mut BTreeMap<String, String>) {
    match value {
        serde_yaml_ng::Value::Mapping(map) => {
            for (k, v) in map {
                let Some(k) = k.as_str() else {
                    continue;
                };
                let key = if prefix.is_empty() {
                    k.to_string()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten_yaml(&key, v, out);
            }
        }
        serde_yaml_ng::Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        _ => {}
    }
}

fn spring_yaml(text: &str, out: &mut Vec<Candidate>) {
    // Spring files may hold several documents separated by `---`.
    for document in serde_yaml_ng::Deserializer::from_str(text) {
        let Ok(value) = <serde_yaml_ng::Value as serde::Deserialize>::deserialize(document) else {
            continue;
        };
        let mut flat = BTreeMap::new();
        flatten_yaml("", &value, &mut flat);
        for (key, value) in flat {
            push_generic(out, offset_of(text, &value), &key, &value);
        }
    }
}

fn dotenv(text: &str, out: &mut Vec<Candidate>) {
    for (offset, line) in lines(text) {
        let line = line.trim_start();
        let line = line.strip_prefix("export ").unwrap_or(line);
        if line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = unquote(value.split(" #").next().unwrap_or(value));
        push_generic(out, offset, key.trim(), value);
    }
}

/// File-level rules for text formats: a binary file of that name (the `htpasswd` tool
/// itself in `/usr/bin`) is not one.
pub fn text_only(rule: &str) -> bool {
    matches!(
        rule,
        "sensitive-file:ssh-private-key"
            | "sensitive-file:shell-history"
            | "sensitive-file:vault-token"
            | "sensitive-file:htpasswd"
    )
}

/// Rules for files whose name says what they are.
pub fn sensitive_file_rule(path: &str) -> Option<&'static str> {
    let name = file_name(path);
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let rule = match lower.as_str() {
        "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519" | "id_ecdsa_sk" | "id_ed25519_sk"
        | "id_xmss" => "sensitive-file:ssh-private-key",
        ".bash_history" | ".zsh_history" | ".sh_history" | ".ash_history" | ".history"
        | "fish_history" | ".mysql_history" | ".psql_history" | ".sqlite_history"
        | ".python_history" | ".node_repl_history" | ".rediscli_history" | ".irb_history"
        | ".lesshst" => "sensitive-file:shell-history",
        ".vault-token" => "sensitive-file:vault-token",
        ".htpasswd" | "htpasswd" => "sensitive-file:htpasswd",
        "secring.gpg" | "secring.kbx" => "sensitive-file:gpg-secret-keyring",
        _ if path.contains("/private-keys-v1.d/") && ext == "key" => {
            "sensitive-file:gpg-secret-keyring"
        }
        _ if lower.ends_with(".tfstate") || lower.ends_with(".tfstate.backup") => {
            "sensitive-file:terraform-state"
        }
        _ => match ext {
            "p12" | "pfx" => "sensitive-file:pkcs12",
            "jks" | "keystore" | "bks" | "jceks" => "sensitive-file:java-keystore",
            "kdbx" | "kdb" => "sensitive-file:keepass",
            _ => return None,
        },
    };
    Some(rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(path: &str, text: &str) -> Vec<(String, String, String)> {
        let kind = credential_file(path).unwrap_or_else(|| panic!("{path} not recognised"));
        let mut out = Vec::new();
        parse(kind, text.as_bytes(), &mut out);
        out.into_iter()
            .map(|c| {
                (
                    c.rule,
                    c.key.unwrap_or_default(),
                    String::from_utf8(c.secret).unwrap(),
                )
            })
            .collect()
    }

    fn one(path: &str, text: &str) -> (String, String, String) {
        let mut all = parsed(path, text);
        assert_eq!(all.len(), 1, "{all:?}");
        all.remove(0)
    }

    #[test]
    fn docker_config_auths() {
        // drydock:Zx9-Lq2vTt
        let text = r#"{"auths":{"registry.invalid":{"auth":"ZHJ5ZG9jazpaeDktTHEydlR0"}},"credsStore":"desktop"}"#;
        let (rule, key, _) = one("/root/.docker/config.json", text);
        assert_eq!(rule, "docker-config-auth");
        assert_eq!(key, "auths.registry.invalid.auth");
        assert!(parsed("/root/.docker/config.json", r#"{"credsStore":"desktop"}"#).is_empty());
    }

    #[test]
    fn npmrc_tokens_but_not_references() {
        let text = "registry=https://npm.registry.invalid/\n//npm.registry.invalid/:_authToken=Zq8Rt2LmW9vXc4RbN7yKd3Hf\n//other.invalid/:_authToken=${NPM_TOKEN}\n";
        let (rule, key, secret) = one("/home/app/.npmrc", text);
        assert_eq!(rule, "npmrc-credentials");
        assert_eq!(key, "//npm.registry.invalid/:_authToken");
        assert_eq!(secret.len(), 24);
    }

    #[test]
    fn pypirc_netrc_git_credentials_pgpass() {
        let pypirc = "[distutils]\nindex-servers = private\n[private]\nrepository = https://pypi.registry.invalid/\nusername = ci\npassword = Vb7-Qm2x-Lp9z\n";
        assert_eq!(one("/root/.pypirc", pypirc).0, "pypirc-password");
        let netrc = "machine git.invalid login ci password Hq3vZ9-mLx2\n";
        let (rule, key, _) = one("/root/.netrc", netrc);
        assert_eq!(
            (rule.as_str(), key.as_str()),
            ("netrc-password", "machine git.invalid")
        );
        let git = "https://ci:Kp4wT8-zQm1@git.invalid\n";
        assert_eq!(one("/root/.git-credentials", git).1, "git.invalid");
        let pgpass = "# comment\ndb.invalid:5432:shop:app:Tr5\\:xP9-qL\n";
        let (rule, key, secret) = one("/root/.pgpass", pgpass);
        assert_eq!(
            (rule.as_str(), key.as_str()),
            ("pgpass-password", "app@db.invalid:5432/shop")
        );
        assert_eq!(secret.len(), 10);
    }

    #[test]
    fn kubeconfig_users() {
        let text = "apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    token: eyQ7mK2pXz9LwR4tV8nB3cJ6hF1sD5gA\n    client-key-data: TFMwdExTMUNSVWRKVGlCU1UwRWdVRkpKVmtGVVJTQkxSVmt0TFMwdExRbz0K\n";
        let found = parsed("/root/.kube/config", text);
        let keys: Vec<&str> = found.iter().map(|f| f.1.as_str()).collect();
        assert_eq!(
            keys,
            ["users.admin.user.token", "users.admin.user.client-key-data"]
        );
    }

    #[test]
    fn aws_and_aliyun_credential_files() {
        let aws = "[default]\naws_access_key_id = AKIAZ7QW4RTX2MNB5KLP\naws_secret_access_key = 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\nregion = eu-west-1\n";
        let rules: Vec<String> = parsed("/root/.aws/credentials", aws)
            .into_iter()
            .map(|f| f.0)
            .collect();
        assert_eq!(rules, ["aws-access-key-id", "aws-secret-access-key"]);
        let aliyun = r#"{"current":"default","profiles":[{"name":"default","mode":"AK","access_key_id":"LTAI5tQm8Rk2Lx9Wv3Zp7Ncd","access_key_secret":"Hq3vZ9mLx2Kp4wT8zQm1Rb7Yc5Nd0A"}]}"#;
        let rules: Vec<String> = parsed("/root/.aliyun/config.json", aliyun)
            .into_iter()
            .map(|f| f.0)
            .collect();
        assert_eq!(
            rules,
            ["alibaba-access-key-id", "alibaba-access-key-secret"]
        );
    }

    #[test]
    fn wp_config_defines() {
        let text = "<?php\ndefine( 'DB_PASSWORD', 'Wp9-xQ2m-Lk7v' );\ndefine('AUTH_KEY', 'put your unique phrase here');\ndefine('NONCE_SALT', 'a8#Kq!2vLz@9wX$3mT');\n";
        let rules: Vec<String> = parsed("/var/www/html/wp-config.php", text)
            .into_iter()
            .map(|f| f.0)
            .collect();
        assert_eq!(rules, ["wordpress-db-password", "wordpress-auth-salt"]);
    }

    #[test]
    fn spring_properties_yaml_and_dotenv() {
        let props = "server.port=8080\nspring.datasource.username=shop\nspring.datasource.password=Pr0d-Xq9vL2mK7tZ4\nspring.datasource.password-file=/run/secrets/db\njasypt.password=ENC(Zm9vYmFyYmF6)\n";
        let (rule, key, _) = one("/app/config/application.properties", props);
        assert_eq!(
            (rule.as_str(), key.as_str()),
            ("generic-password", "spring.datasource.password")
        );
        let yaml = "spring:\n  datasource:\n    password: Pr0d-Xq9vL2mK7tZ4\n    username: shop\napp:\n  client-secret: \"${CLIENT_SECRET}\"\n";
        let (rule, key, _) = one("/app/application-prod.yml", yaml);
        assert_eq!(
            (rule.as_str(), key.as_str()),
            ("generic-password", "spring.datasource.password")
        );
        let env = "NODE_ENV=production\nexport API_TOKEN=\"t0k-9Xq2vLm7Kz4Rw8\"\nDB_PASSWORD=\nSECRET_KEY_FILE=/run/secrets/key\n";
        let (rule, key, _) = one("/app/.env", env);
        assert_eq!(
            (rule.as_str(), key.as_str()),
            ("generic-api-key", "API_TOKEN")
        );
        assert!(credential_file("/app/.env.example").is_none());
    }

    #[test]
    fn sensitive_names() {
        assert_eq!(
            sensitive_file_rule("/root/.ssh/id_ed25519"),
            Some("sensitive-file:ssh-private-key")
        );
        assert_eq!(sensitive_file_rule("/root/.ssh/id_ed25519.pub"), None);
        assert_eq!(
            sensitive_file_rule("/srv/tls/server.P12"),
            Some("sensitive-file:pkcs12")
        );
        assert_eq!(
            sensitive_file_rule("/opt/app/release.keystore"),
            Some("sensitive-file:java-keystore")
        );
        assert_eq!(
            sensitive_file_rule("/root/.bash_history"),
            Some("sensitive-file:shell-history")
        );
        assert_eq!(
            sensitive_file_rule("/infra/terraform.tfstate"),
            Some("sensitive-file:terraform-state")
        );
        assert_eq!(sensitive_file_rule("/etc/ssl/certs/ca.pem"), None);
    }
}
