#!/usr/bin/env bash
# Load on the customer-card endpoint (issue 4, item 9): seeds a SQLite database with 1M
# customers (batched inserts in one transaction), serves it on loopback and drives
# GET /api/v1/customers/{id} for random ids.
#
#   bench/load_card.sh            # the built-in Rust client in its own process (reqwest, one
#                                 # keep-alive connection per task); prints its CPU share and the
#                                 # server's CPU per card
#   LOAD_RATE=2000 bench/load_card.sh   # the same client in open loop: 2,000 requests/s on a
#                                 # fixed schedule, latency from each request's scheduled time
#   bench/load_card.sh wrk        # the same server driven by wrk (apt-get install -y wrk)
#
# Environment: LOAD_CUSTOMERS (1000000), LOAD_SECONDS (10), LOAD_CONNECTIONS (32), LOAD_RATE
# (unset: closed loop), LOAD_DB (SQLite file to seed once and reuse; default a temporary file),
# LOAD_TOKEN_CACHE_SECONDS (the server's bearer-token cache, 5; 0 turns it off),
# LOAD_CARD_READERS (the server's SQLite card reader threads, one per core; 0 reads through the
# pool), LOAD_BIN (a prebuilt load_card binary to use instead of building one).
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-client}"
if [[ "$mode" != "client" && "$mode" != "wrk" ]]; then
    echo "usage: $0 [client|wrk]" >&2
    exit 2
fi
if [[ "$mode" == "wrk" ]]; then
    command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 2; }
fi
bin="${LOAD_BIN:-$(cargo bench -p clientele-server --bench load_card --no-run --message-format=json \
    | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1)}"
out="$(mktemp)"
LOAD_SERVE_ONLY=1 "$bin" --bench >"$out" &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -f "$out" "${lua:-}"' EXIT
until grep -q '^PID=' "$out"; do
    kill -0 "$server" 2>/dev/null || { echo "the server did not start" >&2; exit 1; }
    sleep 1
done
addr="$(sed -n 's/^ADDR=//p' "$out")"
token="$(sed -n 's/^TOKEN=//p' "$out")"
customers="$(sed -n 's/^CUSTOMERS=//p' "$out")"
echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ "$mode" == "client" ]]; then
    LOAD_TARGET="$addr" LOAD_TOKEN="$token" LOAD_CUSTOMERS="$customers" LOAD_SERVER_PID="$server" \
        "$bin" --bench
    exit 0
fi
lua="$(mktemp --suffix=.lua)"
cat >"$lua" <<LUA
math.randomseed(os.time())
wrk.headers["Authorization"] = "Bearer $token"
request = function()
  return wrk.format("GET", "/api/v1/customers/" .. math.random(1, $customers))
end
LUA
wrk -t2 -c"${LOAD_CONNECTIONS:-32}" -d1s -s "$lua" "$addr" >/dev/null  # warm-up
# CPU split over the measured run: the server process (from /proc) and wrk (from time).
ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
before="$(ticks)"
/usr/bin/time -f "wrk CPU: %U s user + %S s system" \
    wrk -t2 -c"${LOAD_CONNECTIONS:-32}" -d"${LOAD_SECONDS:-10}s" --latency -s "$lua" "$addr"
awk -v a="$before" -v b="$(ticks)" -v hz="$(getconf CLK_TCK)" -v s="${LOAD_SECONDS:-10}" \
    'BEGIN { printf "server CPU: %.1f s over %d s\n", (b - a) / hz, s }'
