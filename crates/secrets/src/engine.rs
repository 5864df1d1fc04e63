//! The scanning engine: one Aho-Corasick pass over a file finds which rules' keywords
//! occur, and only those rules' regexes then run (on the keyword's line for built-in
//! rules); structured detectors and credential-file parsers add their candidates; entropy
//! floors, placeholder checks and allowlists decide what survives.

use std::collections::{HashMap, HashSet};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::bytes::{Regex, RegexBuilder};

use crate::config::{SecretConfig, UserAllowlist, UserRule};
use crate::error::SecretConfigError;
use crate::filters;
use crate::hit::{redact, sha256_hex, RawHit};
use crate::paths::PathFilter;
use crate::rules::{Check, RuleInfo, Scope, Severity, PATTERNS};
use crate::{files, keys};

/// Bytes looked at for a NUL to call a file binary (git's heuristic).
const BINARY_SNIFF: usize = 8000;
/// Compiled-regex size cap for user patterns: a hostile config must not eat memory.
const USER_REGEX_SIZE_LIMIT: usize = 8 << 20;
/// Structured JSON detectors ignore files larger than this.
const MAX_JSON_PARSE: usize = 1 << 20;

/// A possible finding before filtering.
#[derive(Clone, Debug)]
pub(crate) struct Candidate {
    pub rule: String,
    /// Byte offset the line number is computed from.
    pub offset: usize,
    pub secret: Vec<u8>,
    pub key: Option<String>,
    /// Structured detectors check values themselves: no entropy or placeholder filter.
    pub validated: bool,
    /// The whole regex match, for allowlists targeting `match`.
    pub match_range: Option<(usize, usize)>,
    /// File-level rules report the file, not a value inside it.
    pub whole_file: bool,
    /// The regex pattern that produced it, whose filters apply.
    pub pattern: Option<usize>,
}

impl Candidate {
    pub fn validated(rule: &str, offset: usize, secret: Vec<u8>, key: Option<String>) -> Self {
        Candidate {
            rule: rule.to_string(),
            offset,
            secret,
            key,
            validated: true,
            match_range: None,
            whole_file: false,
            pattern: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RegexTarget {
    Secret,
    Match,
    Line,
}

#[derive(Debug)]
struct Allowlist {
    regexes: Vec<Regex>,
    target: RegexTarget,
    paths: Vec<Regex>,
    stopwords: Vec<Vec<u8>>,
    require_all: bool,
    /// Rule ids this (global) allowlist is limited to; empty: every rule.
    target_rules: HashSet<String>,
}

/// What one finding looks like to an allowlist.
struct Subject<'a> {
    path: &'a str,
    secret: &'a [u8],
    matched: &'a [u8],
    line: &'a [u8],
}

impl Allowlist {
    fn compile(list: &UserAllowlist, rule: &str) -> Result<Self, SecretConfigError> {
        let compile = |pattern: &String, field: &'static str| {
            RegexBuilder::new(pattern)
                .size_limit(USER_REGEX_SIZE_LIMIT)
                .build()
                .map_err(|e| SecretConfigError::InvalidPattern {
                    rule: rule.to_string(),
                    field,
                    reason: e.to_string(),
                })
        };
        let target = match list.regex_target.as_deref().unwrap_or("secret") {
            "secret" | "" => RegexTarget::Secret,
            "match" => RegexTarget::Match,
            "line" => RegexTarget::Line,
            other => {
                return Err(SecretConfigError::InvalidRule {
                    rule: rule.to_string(),
                    reason: format!("allowlist regexTarget {other:?} is not secret, match or line"),
                })
            }
        };
        let require_all = match list.condition.as_deref().map(str::to_ascii_uppercase) {
            None => false,
            Some(c) if c == "OR" => false,
            Some(c) if c == "AND" => true,
            Some(other) => {
                return Err(SecretConfigError::InvalidRule {
                    rule: rule.to_string(),
                    reason: format!("allowlist condition {other:?} is not OR or AND"),
                })
            }
        };
        Ok(Allowlist {
            regexes: list
                .regexes
                .iter()
                .map(|p| compile(p, "allowlist regex"))
                .collect::<Result<_, _>>()?,
            target,
            paths: list
                .paths
                .iter()
                .map(|p| compile(p, "allowlist path"))
                .collect::<Result<_, _>>()?,
            stopwords: list
                .stopwords
                .iter()
                .map(|s| s.to_ascii_lowercase().into_bytes())
                .collect(),
            require_all,
            target_rules: list.target_rules.iter().cloned().collect(),
        })
    }

    fn allows(&self, rule: &str, subject: &Subject<'_>) -> bool {
        if !self.target_rules.is_empty() && !self.target_rules.contains(rule) {
            return false;
        }
        let target = match self.target {
            RegexTarget::Secret => subject.secret,
            RegexTarget::Match => subject.matched,
            RegexTarget::Line => subject.line,
        };
        let relative = subject.path.trim_start_matches('/');
        let lower_secret = subject.secret.to_ascii_lowercase();
        let checks = [
            (!self.regexes.is_empty()).then(|| self.regexes.iter().any(|r| r.is_match(target))),
            (!self.paths.is_empty())
                .then(|| self.paths.iter().any(|r| r.is_match(relative.as_bytes()))),
            (!self.stopwords.is_empty()).then(|| {
                self.stopwords
                    .iter()
                    .any(|w| memchr::memmem::find(&lower_secret, w).is_some())
            }),
        ];
        let mut present = checks.iter().flatten().peekable();
        if present.peek().is_none() {
            return false;
        }
        if self.require_all {
            present.all(|&matched| matched)
        } else {
            present.any(|&matched| matched)
        }
    }
}

#[derive(Debug)]
struct Pattern {
    rule: usize,
    regex: Regex,
    /// `None`: gitleaks' rule, the first non-empty capture group, else the whole match.
    group: Option<usize>,
    key_group: Option<usize>,
    entropy: f64,
    check: Check,
    scope: Scope,
    path: Option<Regex>,
    allowlists: Vec<Allowlist>,
    /// Built-in patterns also get the placeholder filter; user rules keep gitleaks'
    /// semantics (their own entropy and allowlists only).
    builtin: bool,
}

/// What a keyword sets off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Trigger {
    Pattern(usize),
    PrivateKeys,
    GcpServiceAccount,
}

#[derive(Debug)]
pub(crate) struct Engine {
    rules: Vec<RuleInfo>,
    by_id: HashMap<String, usize>,
    enabled: Vec<bool>,
    patterns: Vec<Pattern>,
    keywords: Option<AhoCorasick>,
    triggers: Vec<Vec<Trigger>>,
    /// Patterns without keywords: they run on every text file.
    unconditional: Vec<usize>,
    /// User rules with a path and no regex: they report matching files.
    path_rules: Vec<(usize, Regex)>,
    global_allowlists: Vec<Allowlist>,
    pub(crate) paths: PathFilter,
    pub(crate) max_file_size: u64,
    builtin: bool,
    pub(crate) warnings: Vec<String>,
}

fn user_rule_info(rule: &UserRule) -> RuleInfo {
    RuleInfo {
        id: rule.id.clone(),
        title: rule
            .title
            .clone()
            .or_else(|| rule.description.clone())
            .unwrap_or_else(|| rule.id.clone()),
        severity: rule.severity.unwrap_or(Severity::High),
        category: rule.category.clone().unwrap_or_else(|| "Custom".into()),
        builtin: false,
    }
}

impl Engine {
    pub fn new(config: &SecretConfig) -> Result<Self, SecretConfigError> {
        let builtin = config.builtin_enabled();
        let mut rules: Vec<RuleInfo> = Vec::new();
        let mut by_id: HashMap<String, usize> = HashMap::new();
        if builtin {
            for info in crate::rules::builtin_rules() {
                by_id.insert(info.id.clone(), rules.len());
                rules.push(info);
            }
        }
        // A user rule with a built-in id replaces that rule, as gitleaks' [extend] does.
        let mut overridden: HashSet<usize> = HashSet::new();
        let mut seen_user: HashSet<&str> = HashSet::new();
        for rule in &config.rules {
            if rule.id.trim().is_empty() {
                return Err(SecretConfigError::InvalidRule {
                    rule: rule.id.clone(),
                    reason: "a rule needs an id".into(),
                });
            }
            if !seen_user.insert(&rule.id) {
                return Err(SecretConfigError::DuplicateRule(rule.id.clone()));
            }
            match by_id.get(&rule.id) {
                Some(&index) => {
                    rules[index] = user_rule_info(rule);
                    overridden.insert(index);
                }
                None => {
                    by_id.insert(rule.id.clone(), rules.len());
                    rules.push(user_rule_info(rule));
                }
            }
        }

        let mut patterns = Vec::new();
        let mut keyword_list: Vec<String> = Vec::new();
        let mut triggers: Vec<Vec<Trigger>> = Vec::new();
        let mut add_keyword = |word: &str, trigger: Trigger| {
            let word = word.to_ascii_lowercase();
            match keyword_list.iter().position(|k| *k == word) {
                Some(i) => triggers[i].push(trigger),
                None => {
                    keyword_list.push(word);
                    triggers.push(vec![trigger]);
                }
            }
        };
        if builtin {
            for spec in PATTERNS {
                let rule = by_id[spec.rule];
                if overridden.contains(&rule) {
                    continue;
                }
                let regex =
                    Regex::new(spec.regex).map_err(|e| SecretConfigError::InvalidPattern {
                        rule: spec.rule.to_string(),
                        field: "regex",
                        reason: e.to_string(),
                    })?;
                let index = patterns.len();
                for k in spec.keywords {
                    add_keyword(k, Trigger::Pattern(index));
                }
                patterns.push(Pattern {
                    rule,
                    regex,
                    group: Some(spec.group),
                    key_group: spec.key_group,
                    entropy: spec.entropy,
                    check: spec.check,
                    scope: Scope::Line,
                    path: None,
                    allowlists: Vec::new(),
                    builtin: true,
                });
            }
            for k in keys::KEYWORDS {
                add_keyword(k, Trigger::PrivateKeys);
            }
            add_keyword("service_account", Trigger::GcpServiceAccount);
        }

        let mut unconditional = Vec::new();
        let mut path_rules = Vec::new();
        for rule in &config.rules {
            let index = by_id[&rule.id];
            let invalid =
                |field: &'static str, e: regex::Error| SecretConfigError::InvalidPattern {
                    rule: rule.id.clone(),
                    field,
                    reason: e.to_string(),
                };
            let path = rule
                .path
                .as_ref()
                .map(|p| {
                    RegexBuilder::new(p)
                        .size_limit(USER_REGEX_SIZE_LIMIT)
                        .build()
                        .map_err(|e| invalid("path", e))
                })
                .transpose()?;
            let Some(pattern) = rule.regex.as_ref().filter(|r| !r.is_empty()) else {
                match path {
                    Some(path) => path_rules.push((index, path)),
                    None => {
                        return Err(SecretConfigError::InvalidRule {
                            rule: rule.id.clone(),
                            reason: "a rule needs a regex or a path".into(),
                        })
                    }
                }
                continue;
            };
            let regex = RegexBuilder::new(pattern)
                .size_limit(USER_REGEX_SIZE_LIMIT)
                .build()
                .map_err(|e| invalid("regex", e))?;
            if let Some(group) = rule.secret_group {
                if group >= regex.captures_len() {
                    return Err(SecretConfigError::InvalidRule {
                        rule: rule.id.clone(),
                        reason: format!(
                            "secretGroup {group} but the regex has {} groups",
                            regex.captures_len() - 1
                        ),
                    });
                }
            }
            let allowlists = rule
                .allowlist
                .iter()
                .chain(rule.allowlists.iter())
                .map(|a| Allowlist::compile(a, &rule.id))
                .collect::<Result<Vec<_>, _>>()?;
            let pattern_index = patterns.len();
            if rule.keywords.is_empty() {
                unconditional.push(pattern_index);
            }
            for k in &rule.keywords {
                add_keyword(k, Trigger::Pattern(pattern_index));
            }
            patterns.push(Pattern {
                rule: index,
                regex,
                group: rule.secret_group,
                key_group: None,
                entropy: rule.entropy.unwrap_or(0.0),
                check: Check::None,
                scope: Scope::Whole,
                path,
                allowlists,
                builtin: false,
            });
        }

        let keywords = if keyword_list.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(&keyword_list)
                    .map_err(|e| SecretConfigError::InvalidRule {
                        rule: "keywords".into(),
                        reason: e.to_string(),
                    })?,
            )
        };

        let mut warnings = Vec::new();
        let mut enabled = vec![true; rules.len()];
        for id in config.all_disabled() {
            match by_id.get(id) {
                Some(&i) => enabled[i] = false,
                None => warnings.push(format!("disabled secret rule {id:?} does not exist")),
            }
        }
        let global_allowlists = config
            .global_allowlists()
            .map(|a| Allowlist::compile(a, "[allowlist]"))
            .collect::<Result<Vec<_>, _>>()?;
        let skip_paths = config
            .skip_paths
            .iter()
            .chain(config.extra_skip_paths.iter())
            .map(String::as_str);
        let paths = PathFilter::new(
            skip_paths,
            config.skip_extensions.iter().map(String::as_str),
        )?;
        Ok(Engine {
            rules,
            by_id,
            enabled,
            patterns,
            keywords,
            triggers,
            unconditional,
            path_rules,
            global_allowlists,
            paths,
            max_file_size: config.max_file_size,
            builtin,
            warnings,
        })
    }

    pub fn rules(&self) -> &[RuleInfo] {
        &self.rules
    }

    pub fn rule(&self, id: &str) -> Option<&RuleInfo> {
        self.by_id.get(id).map(|&i| &self.rules[i])
    }

    pub fn is_enabled(&self, id: &str) -> bool {
        self.by_id.get(id).is_some_and(|&i| self.enabled[i])
    }

    /// Catalog position: lower is more specific, and wins duplicate reports.
    fn precedence(&self, id: &str) -> usize {
        self.by_id.get(id).copied().unwrap_or(usize::MAX)
    }

    /// Whether the file at `path` is read at all.
    pub fn wants(&self, path: &str) -> bool {
        if self.paths.skips_tree(path) {
            return false;
        }
        if self.builtin && files::sensitive_file_rule(path).is_some() {
            return true;
        }
        !self.paths.skips_extension(path)
    }

    /// Every secret in one file's content.
    pub fn scan_file(&self, path: &str, content: &[u8]) -> Vec<RawHit> {
        let mut candidates = Vec::new();
        let binary = memchr::memchr(0, &content[..content.len().min(BINARY_SNIFF)]).is_some();
        if !content.is_empty() {
            if self.builtin {
                let rule = files::sensitive_file_rule(path)
                    .filter(|rule| !(binary && files::text_only(rule)));
                if let Some(rule) = rule {
                    candidates.push(Candidate {
                        whole_file: true,
                        ..Candidate::validated(rule, 0, content.to_vec(), None)
                    });
                }
            }
            let relative = path.trim_start_matches('/');
            for (rule, regex) in &self.path_rules {
                if regex.is_match(relative.as_bytes()) {
                    candidates.push(Candidate {
                        whole_file: true,
                        ..Candidate::validated(&self.rules[*rule].id, 0, content.to_vec(), None)
                    });
                }
            }
        }
        if !binary {
            if self.builtin {
                if let Some(kind) = files::credential_file(path) {
                    files::parse(kind, content, &mut candidates);
                }
            }
            self.scan_text(path, content, &mut candidates);
        }
        self.finish(path, content, candidates)
    }

    /// Runs the keyword pass and the regexes and detectors it sets off.
    pub(crate) fn scan_text(&self, path: &str, content: &[u8], out: &mut Vec<Candidate>) {
        let relative = path.trim_start_matches('/');
        let mut whole: Vec<usize> = self.unconditional.clone();
        let mut private_keys = false;
        let mut service_account = false;
        if let Some(keywords) = &self.keywords {
            // Line-scoped patterns run once per line they were triggered on; hits come in
            // text order, so remembering the last line per pattern is enough.
            let mut last_line: HashMap<usize, usize> = HashMap::new();
            let mut line = (usize::MAX, 0usize);
            for hit in keywords.find_overlapping_iter(content) {
                for trigger in &self.triggers[hit.pattern().as_usize()] {
                    match *trigger {
                        Trigger::PrivateKeys => private_keys = true,
                        Trigger::GcpServiceAccount => service_account = true,
                        Trigger::Pattern(p) if self.patterns[p].scope == Scope::Whole => {
                            if !whole.contains(&p) {
                                whole.push(p);
                            }
                        }
                        Trigger::Pattern(p) => {
                            if !self.enabled[self.patterns[p].rule] {
                                continue;
                            }
                            if !(line.0..line.1).contains(&hit.start()) || line.0 == usize::MAX {
                                line = line_bounds(content, hit.start());
                            }
                            if last_line.get(&p) == Some(&line.0) {
                                continue;
                            }
                            last_line.insert(p, line.0);
                            self.run_pattern(p, content, line.0, line.1, out);
                        }
                    }
                }
            }
        }
        for p in whole {
            let pattern = &self.patterns[p];
            if !self.enabled[pattern.rule]
                || pattern
                    .path
                    .as_ref()
                    .is_some_and(|re| !re.is_match(relative.as_bytes()))
            {
                continue;
            }
            self.run_pattern(p, content, 0, content.len(), out);
        }
        if private_keys {
            keys::detect(content, out);
        }
        if service_account {
            detect_service_account(content, out);
        }
    }

    fn run_pattern(
        &self,
        p: usize,
        content: &[u8],
        start: usize,
        end: usize,
        out: &mut Vec<Candidate>,
    ) {
        let pattern = &self.patterns[p];
        let haystack = &content[start..end];
        for caps in pattern.regex.captures_iter(haystack) {
            let Some(whole) = caps.get(0) else {
                continue;
            };
            let secret = match pattern.group {
                Some(g) => caps.get(g),
                None => (1..caps.len())
                    .filter_map(|g| caps.get(g))
                    .find(|m| !m.is_empty())
                    .or(Some(whole)),
            };
            let Some(secret) = secret.filter(|m| !m.is_empty()) else {
                continue;
            };
            let key = pattern
                .key_group
                .and_then(|g| caps.get(g))
                .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned());
            out.push(Candidate {
                rule: self.rules[pattern.rule].id.clone(),
                offset: start + secret.start(),
                secret: secret.as_bytes().to_vec(),
                key,
                validated: false,
                match_range: Some((start + whole.start(), start + whole.end())),
                whole_file: false,
                pattern: Some(p),
            });
        }
    }

    /// Candidates in a short text that is not a file (an `Env` entry, a history line),
    /// filtered like file findings; `label` stands in for the path in allowlists.
    pub(crate) fn scan_snippet(&self, label: &str, text: &[u8]) -> Vec<Candidate> {
        let mut candidates = Vec::new();
        self.scan_text(label, text, &mut candidates);
        candidates.retain(|c| self.keep(label, text, c));
        candidates
    }

    /// Catalog position of a rule id (lower wins duplicate reports).
    pub(crate) fn rule_precedence(&self, id: &str) -> usize {
        self.precedence(id)
    }

    /// Whether a candidate survives its rule's filters and the allowlists.
    pub(crate) fn keep(&self, path: &str, content: &[u8], candidate: &Candidate) -> bool {
        let Some(&rule_index) = self.by_id.get(&candidate.rule) else {
            return false;
        };
        if !self.enabled[rule_index] {
            return false;
        }
        let line = {
            let (s, e) = line_bounds(content, candidate.offset.min(content.len()));
            &content[s..e]
        };
        let matched = candidate
            .match_range
            .map_or(&candidate.secret[..], |(s, e)| &content[s..e]);
        let subject = Subject {
            path,
            secret: &candidate.secret,
            matched,
            line,
        };
        if !candidate.whole_file && !candidate.validated {
            let Some(spec) = candidate.pattern.map(|p| &self.patterns[p]) else {
                return false;
            };
            if filters::shannon_entropy(&candidate.secret) < spec.entropy {
                return false;
            }
            if spec.builtin && filters::is_placeholder(&candidate.secret) {
                return false;
            }
            let checked = match spec.check {
                Check::None => true,
                Check::GithubChecksum => filters::github_checksum_ok(&candidate.secret),
                Check::Jwt => filters::jwt_ok(&candidate.secret),
                Check::BasicAuth => filters::basic_auth_ok(&candidate.secret),
                Check::MixedAlnum => filters::mixed_alnum(&candidate.secret),
                Check::GenericValue => {
                    filters::is_plausible_value(&candidate.secret)
                        && candidate
                            .key
                            .as_deref()
                            .is_none_or(filters::key_holds_secret)
                }
            };
            if !checked {
                return false;
            }
            if spec
                .allowlists
                .iter()
                .any(|a| a.allows(&candidate.rule, &subject))
            {
                return false;
            }
        }
        !self
            .global_allowlists
            .iter()
            .any(|a| a.allows(&candidate.rule, &subject))
    }

    /// Filters, numbers lines, redacts, hashes and removes duplicates.
    fn finish(&self, path: &str, content: &[u8], candidates: Vec<Candidate>) -> Vec<RawHit> {
        let lines = LineIndex::new(content);
        let mut hits: Vec<(usize, RawHit)> = Vec::new();
        for candidate in candidates {
            if !self.keep(path, content, &candidate) {
                continue;
            }
            let precedence = self.precedence(&candidate.rule);
            let hit = if candidate.whole_file {
                RawHit {
                    rule: candidate.rule,
                    line: 0,
                    redacted: None,
                    sha256: sha256_hex(content),
                    length: content.len(),
                    key: None,
                }
            } else {
                RawHit {
                    rule: candidate.rule,
                    line: lines.line_of(candidate.offset),
                    redacted: Some(redact(&candidate.secret)),
                    sha256: sha256_hex(&candidate.secret),
                    length: candidate.secret.len(),
                    key: candidate.key,
                }
            };
            hits.push((precedence, hit));
        }
        // One report per secret and line: the most specific rule, with any key name a
        // less specific duplicate knew.
        hits.sort_by(|a, b| (a.1.line, &a.1.sha256, a.0).cmp(&(b.1.line, &b.1.sha256, b.0)));
        let mut kept: Vec<RawHit> = Vec::with_capacity(hits.len());
        for (_, hit) in hits {
            if let Some(last) = kept.last_mut() {
                if last.line == hit.line && last.sha256 == hit.sha256 {
                    if last.key.is_none() {
                        last.key = hit.key;
                    }
                    continue;
                }
            }
            kept.push(hit);
        }
        // A key file whose content was recognised needs no by-name report too.
        if kept.iter().any(|h| h.rule.starts_with("private-key:")) {
            kept.retain(|h| h.rule != "sensitive-file:ssh-private-key");
        }
        kept
    }
}

/// The line around `pos`: start (after the previous `\n`) and end (before the next).
fn line_bounds(content: &[u8], pos: usize) -> (usize, usize) {
    let start = memchr::memrchr(b'\n', &content[..pos]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &content[pos..]).map_or(content.len(), |i| pos + i);
    (start, end)
}

/// Offsets of every newline, built only for files with findings.
struct LineIndex {
    newlines: Vec<usize>,
}

impl LineIndex {
    fn new(content: &[u8]) -> Self {
        LineIndex {
            newlines: memchr::memchr_iter(b'\n', content).collect(),
        }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.newlines.partition_point(|&n| n < offset) + 1
    }
}

/// A Google service-account key file: parsed as JSON, reported when it holds a real
/// private key (the secret is the key's base64 body, like the PEM rules).
fn detect_service_account(content: &[u8], out: &mut Vec<Candidate>) {
    let trimmed = content.trim_ascii_start();
    if !trimmed.starts_with(b"{") || content.len() > MAX_JSON_PARSE {
        return;
    }
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(content) else {
        return;
    };
    if json.get("type").and_then(|t| t.as_str()) != Some("service_account") {
        return;
    }
    let Some(key) = json.get("private_key").and_then(|k| k.as_str()) else {
        return;
    };
    let mut parsed = Vec::new();
    keys::detect(key.as_bytes(), &mut parsed);
    let Some(found) = parsed.into_iter().next() else {
        return;
    };
    let offset = memchr::memmem::find(content, b"\"private_key\"").unwrap_or(0);
    let email = json
        .get("client_email")
        .and_then(|e| e.as_str())
        .map(|e| format!("private_key ({e})"));
    out.push(Candidate::validated(
        "gcp-service-account",
        offset,
        found.secret,
        email.or_else(|| Some("private_key".into())),
    ));
}
