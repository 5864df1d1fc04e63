# Shared by bench/secrets.sh and bench/malware.sh (sourced; they set WORK and RUNS).

# Unpacks the final filesystem of the OCI archive $1 (image ref name $2) into $3: layers in
# manifest order, each layer's whiteouts applied (opaque directories emptied, `.wh.NAME`
# removed) before its own files are extracted.
unpack_final_fs() {
  local image=$1 ref=$2 dest=$3 layout
  layout=$(mktemp -d -p "$WORK")
  mkdir -p "$dest"
  tar -xf "$image" -C "$layout"
  python3 - "$layout" "$ref" > "$layout/.layers" <<'PY'
import json, sys
layout, ref = sys.argv[1], sys.argv[2]
index = json.load(open(f"{layout}/index.json"))
desc = next(m for m in index["manifests"] if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == ref)
manifest = json.load(open(f"{layout}/blobs/sha256/{desc['digest'].split(':')[1]}"))
for layer in manifest["layers"]:
    print(f"{layout}/blobs/sha256/{layer['digest'].split(':')[1]}")
PY
  while IFS= read -r blob; do
    while IFS= read -r entry; do
      entry=${entry#./}
      dir=$(dirname "$entry"); name=$(basename "$entry")
      case "$name" in
        .wh..wh..opq) find "$dest/$dir" -mindepth 1 -maxdepth 1 -exec rm -rf {} + 2>/dev/null || true ;;
        .wh.*) rm -rf "${dest:?}/$dir/${name#.wh.}" ;;
      esac
    done < <(tar -tzf "$blob" | grep -E '(^|/)\.wh\.' || true)
    tar -xzf "$blob" -C "$dest" --exclude='.wh.*' --exclude='*/.wh.*' --no-same-owner 2>/dev/null || true
  done < "$layout/.layers"
}

# One measured run: wall seconds and peak RSS (KB) on stdout.
measure() {
  local out=$1; shift
  /usr/bin/time -v -o "$WORK/time" "$@" > "$out" 2> "$WORK/stderr" || {
    echo "failed: $*" >&2; cat "$WORK/stderr" >&2; exit 1; }
  python3 - "$WORK/time" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (.*)", text).group(1)
parts = [float(p) for p in wall.split(":")]
seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
print(f"{seconds:.3f} {rss}")
PY
}

# The best wall time and highest peak RSS over $RUNS runs: "label seconds KB".
best() {  # label, output file, command...
  local label=$1 out=$2; shift 2
  local best_s="" peak=0
  for _ in $(seq "$RUNS"); do
    read -r s kb < <(measure "$out" "$@")
    if [ -z "$best_s" ] || awk "BEGIN{exit !($s < $best_s)}"; then best_s=$s; fi
    [ "$kb" -gt "$peak" ] && peak=$kb
  done
  echo "$label $best_s $peak"
}
