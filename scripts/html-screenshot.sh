#!/usr/bin/env bash
# Renders drydock's HTML report of the shared acme-shop image with headless Chromium, checks
# that its script ran without console errors and that it shows all six kinds of finding,
# and saves a screenshot (docs/html-report.png by default), to look at the page as users do.
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
    --scanners vuln,secret,malware,baseline,build --format html --output "$work/report.html" \
    image --input "$shared/images/scanlab-acme-shop-1.4.2.oci.tar"

# The flags keep Chromium off the network (this machine has none) and out of the profile.
chrome=(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
    --disable-background-networking --disable-component-update --disable-sync
    --user-data-dir="$work/profile" --hide-scrollbars)

# The DOM after the script ran, and every console message it logged.
"${chrome[@]}" --enable-logging=stderr --v=0 --dump-dom "file://$work/report.html" \
    >"$work/dom.html" 2>"$work/console.log" || true
if grep -E "CONSOLE|Uncaught" "$work/console.log"; then
    echo "the page logged console errors (above)" >&2
    exit 1
fi
grep -q 'data-ready="1"' "$work/dom.html" || { echo "the page's script did not run to the end" >&2; exit 1; }
for kind in os-vulnerability app-vulnerability secret malware baseline build-instruction; do
    grep -q "data-kind=\"$kind\"" "$work/dom.html" || { echo "no $kind finding in the page" >&2; exit 1; }
done
echo "page script ran, no console errors, all six kinds shown"

"${chrome[@]}" --window-size=1400,1700 --screenshot="$out" "file://$work/report.html" 2>/dev/null
echo "wrote $out ($(stat -c %s "$out") bytes) from $work/report.html"
