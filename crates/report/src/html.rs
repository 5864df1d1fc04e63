//! One self-contained HTML file: summary cards and a bar per kind, the fix commands with
//! copy buttons, and every finding in one table that filters by kind, severity and text
//! and sorts by any column. No external assets: styles and script are inline, so the file
//! works offline and as a CI artifact.

use std::io::{self, Write};

use drydock_matcher::Severity;

use crate::findings::{Finding, FindingCounts, FindingKind};
use crate::{Report, Subject};

const SEVERITIES: [Severity; 6] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Negligible,
    Severity::Unknown,
];

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Negligible => "INFO",
        other => other.as_str(),
    }
}

fn severity_rank(severity: Severity) -> u8 {
    match severity {
        Severity::Critical => 5,
        Severity::High => 4,
        Severity::Medium => 3,
        Severity::Low => 2,
        Severity::Negligible => 1,
        Severity::Unknown => 0,
    }
}

fn kind_label(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::OsVulnerability => "OS vulnerability",
        FindingKind::AppVulnerability => "App vulnerability",
        FindingKind::Secret => "Secret",
        FindingKind::Malware => "Malware",
        FindingKind::Baseline => "Baseline",
        FindingKind::BuildInstruction => "Build instruction",
    }
}

const STYLE: &str = r#"
:root{--crit:#7b1fa2;--high:#d32f2f;--med:#f57c00;--low:#fbc02d;--info:#1976d2;--unk:#757575;--bg:#f6f7f9;--fg:#1d2330;--muted:#5f6b7a;--line:#dde1e7}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:var(--bg);color:var(--fg)}
header{background:#1d2330;color:#fff;padding:18px 28px}header h1{margin:0 0 4px;font-size:20px}header .meta{color:#c5ccd6;font-size:13px;word-break:break-all}
main{padding:20px 28px;max-width:1500px}section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin-bottom:18px}
h2{font-size:16px;margin:0 0 12px}.cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid var(--line);border-radius:8px;padding:10px 14px;min-width:110px}
.card .n{font-size:24px;font-weight:700}.card .l{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.sev{display:inline-block;min-width:74px;text-align:center;border-radius:4px;padding:1px 6px;font-size:12px;font-weight:600;color:#fff}
.CRITICAL{background:var(--crit)}.HIGH{background:var(--high)}.MEDIUM{background:var(--med)}.LOW{background:var(--low);color:#3a2f00}.INFO{background:var(--info)}.UNKNOWN{background:var(--unk)}
.bars{display:grid;grid-template-columns:160px 1fr 50px;gap:6px 12px;align-items:center;margin-top:14px}.bar{display:flex;height:16px;border-radius:3px;overflow:hidden;background:#eef0f3}
.bar span{display:block;height:100%}.bar .CRITICAL,.bar .HIGH,.bar .MEDIUM,.bar .LOW,.bar .INFO,.bar .UNKNOWN{border-radius:0}
pre.cmd{background:#0f1520;color:#e6edf3;padding:10px 12px;border-radius:6px;overflow:auto;white-space:pre-wrap;word-break:break-all;margin:6px 0}
.fix{position:relative}.copy{position:absolute;top:6px;right:6px;background:#2d3748;color:#fff;border:0;border-radius:4px;padding:3px 8px;cursor:pointer;font-size:12px}
.filters{display:flex;flex-wrap:wrap;gap:14px;align-items:center;margin-bottom:10px}.filters label{white-space:nowrap;cursor:pointer}
.filters input[type=search]{padding:5px 8px;border:1px solid var(--line);border-radius:5px;min-width:260px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid var(--line)}
th{cursor:pointer;user-select:none;background:#fafbfc;position:sticky;top:0}th:after{content:" \2195";color:#b0b7c3;font-size:11px}
td.id{font-family:ui-monospace,Menlo,monospace;font-size:12.5px;white-space:nowrap}td.loc{font-family:ui-monospace,Menlo,monospace;font-size:12px;word-break:break-all}
#findings{table-layout:fixed}#findings th:nth-child(1){width:96px}#findings th:nth-child(2){width:120px}#findings th:nth-child(3){width:200px}#findings th:nth-child(5){width:22%}#findings th:nth-child(6){width:26%}
td.fixcol{font-size:12.5px;word-break:break-word}td.id{white-space:normal;word-break:break-all}.muted{color:var(--muted)}.count{color:var(--muted);margin-left:8px;font-weight:400}
details summary{cursor:pointer}
pre.cmd.small{padding:5px 70px 5px 8px;margin:0;font-size:12px}table.apps th:after{content:""}.fix pre.cmd{padding-right:70px}
"#;

const SCRIPT: &str = r#"
(function(){
  var rows=[].slice.call(document.querySelectorAll('#findings tbody tr'));
  var boxes=[].slice.call(document.querySelectorAll('.filters input[type=checkbox]'));
  var search=document.getElementById('search');var shown=document.getElementById('shown');
  function apply(){
    var on={};boxes.forEach(function(b){on[b.dataset.group+':'+b.value]=b.checked;});
    var q=(search.value||'').toLowerCase();var n=0;
    rows.forEach(function(r){
      var ok=on['kind:'+r.dataset.kind]&&on['severity:'+r.dataset.severity]&&(!q||r.textContent.toLowerCase().indexOf(q)>=0);
      r.style.display=ok?'':'none';if(ok)n++;});
    shown.textContent=n;
  }
  boxes.forEach(function(b){b.addEventListener('change',apply);});search.addEventListener('input',apply);
  [].slice.call(document.querySelectorAll('#findings th')).forEach(function(th,i){
    var dir=1;th.addEventListener('click',function(){
      var body=th.closest('table').tBodies[0];var list=[].slice.call(body.rows);
      list.sort(function(a,b){var x=a.cells[i].dataset.sort||a.cells[i].textContent,y=b.cells[i].dataset.sort||b.cells[i].textContent;
        var nx=parseFloat(x),ny=parseFloat(y);if(!isNaN(nx)&&!isNaN(ny))return (nx-ny)*dir;return x.localeCompare(y)*dir;});
      dir=-dir;list.forEach(function(r){body.appendChild(r);});});});
  [].slice.call(document.querySelectorAll('button.copy')).forEach(function(b){
    b.addEventListener('click',function(){var text=b.parentNode.querySelector('pre').textContent;
      function done(){b.textContent='Copied';setTimeout(function(){b.textContent='Copy';},1500);}
      if(navigator.clipboard&&window.isSecureContext){navigator.clipboard.writeText(text).then(done);}
      else{var t=document.createElement('textarea');t.value=text;document.body.appendChild(t);t.select();try{document.execCommand('copy');done();}catch(e){}document.body.removeChild(t);}});});
  apply();
  // Tells a headless check that the script ran to the end.
  document.documentElement.setAttribute('data-ready','1');
})();
"#;

fn location_text(f: &Finding) -> String {
    let loc = &f.location;
    let mut parts = Vec::new();
    if let Some(package) = &loc.package {
        parts.push(package.clone());
    }
    match (&loc.path, loc.line) {
        (Some(path), Some(line)) => parts.push(format!("{path}:{line}")),
        (Some(path), None) => parts.push(path.clone()),
        _ => {}
    }
    if let Some(config) = &loc.config {
        parts.push(config.clone());
    }
    if let Some(layer) = loc.layer {
        let base = if f.base_image { " (base)" } else { "" };
        parts.push(format!("layer {layer}{base}"));
    }
    parts.join(" · ")
}

fn fix_block(title: &str, command: &str, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        r#"<div class="muted">{}</div><div class="fix"><button class="copy" type="button">Copy</button><pre class="cmd">{}</pre></div>"#,
        escape(title),
        escape(command)
    )
}

pub fn html(report: &Report, subject: &Subject, out: &mut dyn Write) -> io::Result<()> {
    let findings = report.findings();
    let counts = FindingCounts::of(report, &findings);
    writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    )?;
    writeln!(
        out,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(
        out,
        "<title>drydock report: {}</title><style>{STYLE}</style></head><body>",
        escape(&subject.name)
    )?;
    let os = report
        .inventory
        .os
        .as_ref()
        .map(|o| o.name.clone())
        .unwrap_or_else(|| "unknown OS".into());
    writeln!(
        out,
        "<header><h1>{}</h1><div class=\"meta\">{} · {} · {} packages · scanned {} by drydock {}</div></header><main>",
        escape(&subject.name),
        escape(subject.digest.as_deref().unwrap_or("no digest")),
        escape(&os),
        report.inventory.packages.len(),
        escape(&subject.timestamp),
        env!("CARGO_PKG_VERSION")
    )?;

    // Summary: totals, severities, one bar per kind.
    writeln!(out, "<section><h2>Summary</h2><div class=\"cards\">")?;
    let card = |out: &mut dyn Write, n: usize, label: &str, class: &str| {
        writeln!(
            out,
            "<div class=\"card {class}\"><div class=\"n\">{n}</div><div class=\"l\">{}</div></div>",
            escape(label)
        )
    };
    card(out, counts.total, "findings", "")?;
    card(out, counts.fixable, "fixable", "")?;
    card(out, counts.in_base_image, "from base image", "")?;
    card(out, report.suppressed.len(), "accepted", "")?;
    for severity in SEVERITIES {
        let n = findings.iter().filter(|f| f.severity == severity).count();
        if n > 0 {
            writeln!(
                out,
                "<div class=\"card\"><div class=\"n\"><span class=\"sev {0}\">{n}</span></div><div class=\"l\">{0}</div></div>",
                severity_word(severity)
            )?;
        }
    }
    writeln!(out, "</div><div class=\"bars\">")?;
    let widest = counts
        .by_kind
        .values()
        .map(|s| s.values().sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    for (kind, severities) in &counts.by_kind {
        let total: usize = severities.values().sum();
        write!(out, "<div>{}</div><div class=\"bar\">", kind_label(*kind))?;
        for severity in SEVERITIES {
            if let Some(n) = severities.get(&severity).filter(|n| **n > 0) {
                write!(
                    out,
                    "<span class=\"{}\" style=\"width:{:.2}%\" title=\"{} {}\"></span>",
                    severity_word(severity),
                    *n as f64 * 100.0 / widest as f64,
                    n,
                    severity_word(severity)
                )?;
            }
        }
        writeln!(out, "</div><div>{total}</div>")?;
    }
    writeln!(out, "</div></section>")?;

    // Fixes.
    if let Some(scan) = &report.vulnerability_scan {
        if scan.os_fix.is_some() || !scan.app_fixes.is_empty() {
            writeln!(out, "<section><h2>Fixes</h2>")?;
            if let Some(fix) = &scan.os_fix {
                fix_block(
                    &format!(
                        "OS packages: fixes {} findings; impact: {}",
                        fix.fixes,
                        if fix.impact.is_empty() {
                            "package upgrades only".to_string()
                        } else {
                            fix.impact.join("; ")
                        }
                    ),
                    &fix.command,
                    out,
                )?;
                fix_block(
                    "In the Dockerfile, after the last FROM",
                    &fix.dockerfile,
                    out,
                )?;
            }
            let app: Vec<_> = scan
                .app_fixes
                .iter()
                .filter_map(|f| f.command.as_ref().map(|c| (f, c)))
                .collect();
            if !app.is_empty() {
                writeln!(
                    out,
                    "<h2 style=\"margin-top:16px\">Application packages</h2><table class=\"apps\"><thead><tr><th>Package</th><th>Installed</th><th>Fixed by</th><th>Where</th><th>Command</th></tr></thead><tbody>"
                )?;
                for (fix, command) in app {
                    writeln!(
                        out,
                        "<tr><td>{}</td><td>{}</td><td>{}{}</td><td class=\"loc\">{}</td><td class=\"fix\"><button class=\"copy\" type=\"button\">Copy</button><pre class=\"cmd small\">{}</pre></td></tr>",
                        escape(&fix.name),
                        escape(&fix.installed),
                        escape(fix.target.as_deref().unwrap_or("?")),
                        if fix.major_upgrade { " (major)" } else { "" },
                        escape(&fix.path),
                        escape(command)
                    )?;
                }
                writeln!(out, "</tbody></table>")?;
            }
            writeln!(out, "</section>")?;
        }
    }

    // Findings table.
    writeln!(
        out,
        "<section><h2>Findings<span class=\"count\"><span id=\"shown\">{}</span> shown of {}</span></h2><div class=\"filters\">",
        findings.len(),
        findings.len()
    )?;
    let kinds: Vec<FindingKind> = counts.by_kind.keys().copied().collect();
    for kind in &kinds {
        writeln!(
            out,
            "<label><input type=\"checkbox\" data-group=\"kind\" value=\"{}\" checked> {}</label>",
            kind.as_str(),
            kind_label(*kind)
        )?;
    }
    writeln!(out, "<span class=\"muted\">|</span>")?;
    for severity in SEVERITIES {
        writeln!(
            out,
            "<label><input type=\"checkbox\" data-group=\"severity\" value=\"{0}\" checked> <span class=\"sev {0}\">{0}</span></label>",
            severity_word(severity)
        )?;
    }
    writeln!(
        out,
        "<input type=\"search\" id=\"search\" placeholder=\"Filter: id, package, path…\"></div>"
    )?;
    writeln!(
        out,
        "<table id=\"findings\"><thead><tr><th>Severity</th><th>Kind</th><th>ID</th><th>Finding</th><th>Where</th><th>Fix</th></tr></thead><tbody>"
    )?;
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by_key(|f| (std::cmp::Reverse(severity_rank(f.severity)), f.kind));
    for f in sorted {
        let word = severity_word(f.severity);
        writeln!(
            out,
            "<tr data-kind=\"{}\" data-severity=\"{word}\"><td data-sort=\"{}\"><span class=\"sev {word}\">{word}</span></td><td>{}</td><td class=\"id\">{}</td><td>{}</td><td class=\"loc\">{}</td><td class=\"fixcol\">{}</td></tr>",
            f.kind.as_str(),
            severity_rank(f.severity),
            kind_label(f.kind),
            escape(&f.id),
            escape(&f.message),
            escape(&location_text(f)),
            escape(f.fix.as_deref().unwrap_or("")),
        )?;
    }
    writeln!(out, "</tbody></table></section>")?;

    if !report.suppressed.is_empty() {
        writeln!(
            out,
            "<section><details><summary><b>Accepted risks</b> ({})</summary><table><thead><tr><th>ID</th><th>Where</th><th>By</th><th>Why</th></tr></thead><tbody>",
            report.suppressed.len()
        )?;
        for s in &report.suppressed {
            let why = s
                .justification
                .clone()
                .or_else(|| s.reason.clone())
                .unwrap_or_default();
            writeln!(
                out,
                "<tr><td class=\"id\">{}</td><td class=\"loc\">{}</td><td>{}</td><td>{}</td></tr>",
                escape(&s.finding.id),
                escape(&location_text(&s.finding)),
                escape(&s.origin),
                escape(&why)
            )?;
        }
        writeln!(out, "</tbody></table></details></section>")?;
    }
    writeln!(out, "</main><script>{SCRIPT}</script></body></html>")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup() {
        assert_eq!(
            super::escape("<script>alert('x')</script>&\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"
        );
    }
}
