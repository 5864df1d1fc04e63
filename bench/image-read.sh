#!/usr/bin/env bash
# Reading an image: drydock's cold and warm scan of acme-shop (from the OCI archive, from a
# local registry, and from a local engine — Podman's Docker-compatible API), beside the
# floor for the same work: `skopeo copy` of the image plus `tar t` of every layer (just
# fetching and listing, no analysis), or the engine's bare export.
#
#   bench/image-read.sh [RUNS]      # median of RUNS runs each (default 5)
#
# drydock reads with --scanners sbom (the inventory; no database needed).
# Needs skopeo, docker-registry and podman (Debian); installs them when run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
SHARED=${DRYDOCK_SHARED:-$(cd .. && pwd)/shared}
ARCHIVE=$SHARED/images/scanlab-acme-shop-1.4.2.oci.tar
[ -f "$ARCHIVE" ] || { echo "missing $ARCHIVE (set DRYDOCK_SHARED)" >&2; exit 1; }
for tool in skopeo docker-registry podman; do
    command -v $tool >/dev/null || { apt-get update -qq && apt-get install -y -qq $tool >/dev/null; }
done

cargo build --release --locked -q -p drydock-cli
BIN=${CARGO_TARGET_DIR:-target}/release/drydock
WORK=$(mktemp -d)
REG_PID= PM_PID=
trap 'kill $REG_PID $PM_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT

# Median wall seconds and peak RSS (MB) of a command over $RUNS runs; $PREP runs before each.
measure() {
    local label=$1; shift
    local times=() mems=()
    for _ in $(seq "$RUNS"); do
        eval "${PREP:-true}"
        local out
        /usr/bin/time -o "$WORK/time" -f "%e %M" "$@" >/dev/null 2>&1
        out=$(tail -1 "$WORK/time")
        times+=("${out% *}"); mems+=("${out#* }")
    done
    local t m
    t=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    m=$(printf '%s\n' "${mems[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.0f", a[int((NR+1)/2)]/1024}')
    printf '%-52s %8s s %8s MB\n' "$label" "$t" "$m"
}

floor() { # $1 = skopeo source
    rm -rf "$WORK/floor" && skopeo copy -q --src-tls-verify=false "$1" "dir:$WORK/floor" >/dev/null &&
        for f in "$WORK"/floor/*; do case $(head -c2 "$f" | od -An -tx1 | tr -d ' ') in 1f8b) tar tzf "$f" >/dev/null ;; esac; done
}
export -f floor; export WORK

cat > "$WORK/reg.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $WORK/reg}}
http: {addr: 127.0.0.1:5099}
YML
docker-registry serve "$WORK/reg.yml" >/dev/null 2>&1 & REG_PID=$!
sleep 1
skopeo copy -q --dest-tls-verify=false "oci-archive:$ARCHIVE:1.4.2" docker://127.0.0.1:5099/scanlab/acme-shop:1.4.2
REF=127.0.0.1:5099/scanlab/acme-shop:1.4.2

echo "acme-shop 1.4.2 (11 layers, 36 MB compressed, 102 MB uncompressed); median of $RUNS runs, $(nproc) cores"
printf '%-52s %10s %11s\n' "what" "wall" "peak RSS"
PREP="rm -rf $WORK/cache" measure "drydock image --input oci-archive (cold cache)" "$BIN" --cache-dir "$WORK/cache" --scanners sbom image --input "$ARCHIVE" -q
PREP="" measure "drydock image --input oci-archive (warm cache)" "$BIN" --cache-dir "$WORK/cache" --scanners sbom image --input "$ARCHIVE" -q
PREP="" measure "floor: skopeo copy oci-archive + tar t each layer" bash -c "floor oci-archive:$ARCHIVE:1.4.2"
PREP="rm -rf $WORK/cache" measure "drydock image REGISTRY (cold cache)" "$BIN" --cache-dir "$WORK/cache" --scanners sbom image --image-src remote "$REF" -q
PREP="" measure "drydock image REGISTRY (warm cache)" "$BIN" --cache-dir "$WORK/cache" --scanners sbom image --image-src remote "$REF" -q
PREP="" measure "floor: skopeo copy docker:// + tar t each layer" bash -c "floor docker://$REF"

# A local engine: Podman serving the Docker Engine API on a private socket and storage.
PM="podman --root $WORK/pm/root --runroot $WORK/pm/run --tmpdir $WORK/pm/tmp --storage-driver vfs --events-backend none --cgroup-manager cgroupfs"
LOADED=$($PM load -q -i "$ARCHIVE" | sed -n 's/^Loaded image: //p')
$PM tag "$LOADED" scanlab/acme-shop:1.4.2
$PM system service --time=0 "unix://$WORK/pm/podman.sock" >/dev/null 2>&1 & PM_PID=$!
for _ in $(seq 100); do [ -S "$WORK/pm/podman.sock" ] && break; sleep 0.1; done
export CONTAINER_HOST=unix://$WORK/pm/podman.sock
PREP="rm -rf $WORK/cache" measure "drydock image ENGINE (cold cache)" "$BIN" --cache-dir "$WORK/cache" --scanners sbom image --image-src podman scanlab/acme-shop:1.4.2 -q
PREP="" measure "drydock image ENGINE (warm cache)" "$BIN" --cache-dir "$WORK/cache" --scanners sbom image --image-src podman scanlab/acme-shop:1.4.2 -q
PREP="" measure "floor: the engine's export alone (GET /images/…/get)" curl -s --unix-socket "$WORK/pm/podman.sock" -o /dev/null "http://d/images/scanlab/acme-shop:1.4.2/get"
