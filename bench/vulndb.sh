#!/usr/bin/env bash
# The vulnerability database: build time from the feeds in ../shared, file size, and
# lookup latency (p50/p99 of 10,000 package lookups).
#
#   bench/vulndb.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${DRYDOCK_SHARED:-$(cd .. && pwd)/shared}
cargo build --release --locked -q -p drydock-cli
cargo build --release --locked -q -p drydock-vulndb --example lookup_bench
BIN=${CARGO_TARGET_DIR:-target}/release/drydock
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
/usr/bin/time -o "$WORK/time" -f "%e %M" "$BIN" -q --db "$WORK/drydock.db" db build --from "$SHARED/data/advisories"
read -r secs kb <"$WORK/time"
echo "db build --from shared/data/advisories: ${secs} s, peak $((kb / 1024)) MB, file $(( $(stat -c %s "$WORK/drydock.db") / 1000000 )) MB"
"$BIN" --db "$WORK/drydock.db" db info | sed -n 2p
"${CARGO_TARGET_DIR:-target}/release/examples/lookup_bench" "$WORK/drydock.db"
