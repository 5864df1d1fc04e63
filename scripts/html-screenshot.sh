#!/usr/bin/env bash
# Renders drydock's HTML report of the shared acme-shop image with headless Chromium and
# saves a screenshot (docs/html-report.png by default), to look at the page as users do.
#
#   ./scripts/html-screenshot.sh [OUT.png]
#
# Needs Debian's chromium (apt-get install chromium) and ../shared (or $DRYDOCK_SHARED).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/html-report.png}
shared=${DRYDOCK_SHARED:-../shared}
command -v chromium >/dev/null || { echo "chromium is not installed (apt-get install chromium)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --locked -q
./target/release/drydock --quiet --cache-dir "$work/cache" --db "$work/drydock.db" \
    db build --from "$shared/data/advisories"
./target/release/drydock --quiet --cache-dir "$work/cache" --db "$work/drydock.db" \
    --scanners vuln,secret,baseline,build --format html --output "$work/report.html" \
    image --input "$shared/images/scanlab-acme-shop-1.4.2.oci.tar"

# The flags keep Chromium off the network (this machine has none) and out of the profile.
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/profile" --hide-scrollbars --window-size=1400,1700 \
    --screenshot="$out" "file://$work/report.html" 2>/dev/null
echo "wrote $out ($(stat -c %s "$out") bytes) from $work/report.html"
