#!/usr/bin/env bash
# Peak memory of a 32 MB order batch (issue 23, item 7: read whole and parsed into one Vec, a
# 32 MB batch raised the server to 569 MB). For each format (JSON `{"orders": [...]}` and
# NDJSON), a fresh SQLite database and server: a small batch first (so the pools, the
# staging path and the allocator are warm), the server's VmHWM read from /proc/PID/status, then
# the 32 MB batch posted with curl, VmHWM read again. Prints one line per format.
#
# Usage: bench/batch_rss.sh [BIN]   (default: $CARGO_TARGET_DIR/debug/clientele, or
# target/debug/clientele; build it first with `cargo build -p clientele-cli`).
# Environment: BATCH_MB (32), BATCH_ORDERS (10000, the route's limit).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-${CARGO_TARGET_DIR:-target}/debug/clientele}
BATCH_MB=${BATCH_MB:-32}
BATCH_ORDERS=${BATCH_ORDERS:-10000}
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
    if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# Two bodies with the same orders: BATCH_ORDERS orders with as many lines as make BATCH_MB.
python3 - "$WORK" "$BATCH_MB" "$BATCH_ORDERS" <<'EOF'
import json, sys
work, mb, orders = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
target = mb * 1_000_000
line = lambda j: {"product": f"product-{j:05d}", "amount": f"{1 + j % 97}.{j % 100:02d}",
                  "cost": f"{j % 50}.10", "quantity": 1 + j % 3, "category": "tea"}
per_line = len(json.dumps(line(0))) + 2
per_order = max(1, (target // orders - 80) // per_line)
def order(i):
    return {"order_id": f"o{i}", "customer": f"c{i % 2000}", "day": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "lines": [line(j) for j in range(per_order)]}
with open(f"{work}/batch.ndjson", "w") as nd, open(f"{work}/batch.json", "w") as js:
    js.write('{"orders": [')
    for i in range(orders):
        text = json.dumps(order(i))
        nd.write(text + "\n")
        js.write(("," if i else "") + text)
    js.write("]}")
small = {"orders": [{"order_id": "warm", "customer": "warm", "day": "2025-01-01",
                     "lines": [{"product": "p", "amount": "1"}]}]}
open(f"{work}/small.json", "w").write(json.dumps(small))
EOF

hwm() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

for format in json ndjson; do
    db="sqlite://$WORK/$format.db"
    token=$("$BIN" users add feed --role analyst --db "$db" | tail -n 1)
    "$BIN" serve --listen 127.0.0.1:0 --db "$db" > "$WORK/serve.log" 2>&1 &
    SERVER_PID=$!
    addr=
    for _ in $(seq 100); do
        addr=$(sed -n 's|^Dashboard: http://\(.*\)/$|\1|p' "$WORK/serve.log")
        [[ -n $addr ]] && break
        sleep 0.1
    done
    [[ -n $addr ]] || { cat "$WORK/serve.log"; exit 1; }
    content_type=application/json
    [[ $format == ndjson ]] && content_type=application/x-ndjson
    curl -sf -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        --data-binary "@$WORK/small.json" "http://$addr/api/v1/orders/batch"
    before=$(hwm "$SERVER_PID")
    size=$(stat -c %s "$WORK/batch.$format")
    start=$(date +%s.%N)
    answer=$(curl -sS -H "Authorization: Bearer $token" -H "Content-Type: $content_type" \
        --data-binary "@$WORK/batch.$format" "http://$addr/api/v1/orders/batch")
    end=$(date +%s.%N)
    after=$(hwm "$SERVER_PID")
    awk -v f="$format" -v size="$size" -v b="$before" -v a="$after" -v r="$(rss "$SERVER_PID")" \
        -v s="$start" -v e="$end" -v answer="$answer" 'BEGIN {
        printf "%-6s body %5.1f MB  VmHWM before %6.1f MiB  after %6.1f MiB  (+%5.1f)  VmRSS after %6.1f MiB  %5.1f s  %s\n",
            f, size / 1e6, b / 1024, a / 1024, (a - b) / 1024, r / 1024, e - s, answer }'
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
done
