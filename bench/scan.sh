#!/usr/bin/env bash
# Full vulnerability scan (image read + inventory + match + fix) of both shared images,
# cold cache and warm cache, with a database built from all of ../shared/data/advisories;
# then every scanner at once (vuln, secret, malware, baseline, build: still one pass over
# each layer). Prints wall time, peak memory and the findings per image.
#
#   bench/scan.sh [RUNS]     # median of RUNS runs (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
SHARED=${DRYDOCK_SHARED:-$(cd .. && pwd)/shared}
cargo build --release --locked -q -p drydock-cli
BIN=${CARGO_TARGET_DIR:-target}/release/drydock
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DB=$WORK/drydock.db
/usr/bin/time -o "$WORK/time" -f "%e s, %M KB" "$BIN" -q --db "$DB" db build --from "$SHARED/data/advisories"
echo "== database: built in $(cat "$WORK/time"), $(du -m "$DB" | cut -f1) MB"

measure() { # label, command...; prints median seconds and MB
    local label=$1; shift
    local times=() mems=()
    for _ in $(seq "$RUNS"); do
        eval "${PREP:-true}"
        /usr/bin/time -o "$WORK/time" -f "%e %M" "$@" >"$WORK/out" 2>/dev/null
        read -r t m <"$WORK/time"; times+=("$t"); mems+=("$m")
    done
    local t m
    t=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    m=$(printf '%s\n' "${mems[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.0f", a[int((NR+1)/2)]/1024}')
    printf '%-28s %7s s %7s MB   %s\n' "$label" "$t" "$m" "$(count)"
}

count() {
    python3 - "$WORK/out" <<'PY'
import json, sys, collections
report = json.load(open(sys.argv[1]))
if "secret_scan" in report:
    by = collections.Counter(f["kind"] for f in report["findings"])
    print(", ".join(f"{n} {k}" for k, n in sorted(by.items())))
    sys.exit()
scan = report["vulnerability_scan"]
v = scan["vulnerabilities"]
by = collections.Counter(x["class"] for x in v)
fix = scan.get("os_fix") or {}
print(f'{len(v)} findings ({by["os"]} os, {by["library"]} library), '
      f'{sum(x["status"] == "fixed" for x in v)} fixable, OS fix changes {len(fix.get("changes", []))} packages')
PY
}

for image in scanlab-debian-bookworm scanlab-acme-shop-1.4.2; do
    archive=$SHARED/images/$image.oci.tar
    echo "== $image, median of $RUNS, $(nproc) cores"
    PREP="rm -rf $WORK/cache" measure "full scan (cold cache)" "$BIN" --db "$DB" --cache-dir "$WORK/cache" image --input "$archive" -f json -q
    PREP="" measure "full scan (warm cache)" "$BIN" --db "$DB" --cache-dir "$WORK/cache" image --input "$archive" -f json -q
    ALL=(--scanners vuln,secret,malware,baseline,build)
    PREP="rm -rf $WORK/cache" measure "all scanners (cold cache)" "$BIN" "${ALL[@]}" --db "$DB" --cache-dir "$WORK/cache" image --input "$archive" -f json -q
    PREP="" measure "all scanners (warm cache)" "$BIN" "${ALL[@]}" --db "$DB" --cache-dir "$WORK/cache" image --input "$archive" -f json -q
done
