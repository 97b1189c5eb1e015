#!/usr/bin/env bash
# The README's screenshot, docs/dashboard.png: a small demo company built in a temporary
# directory, served on a free port, and its overview page captured in Russian by
# scripts/screenshots.sh (headless chromium through chromedriver).
#
#   scripts/readme-screenshot.sh [CLIENTELE_BINARY]
#
# The binary defaults to `clientele` on the PATH (`cargo install --path crates/cli`).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-clientele}
tmp=$(mktemp -d)
server=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

db="sqlite://$tmp/demo.db"
login=$("$bin" demo --db "$db" --customers 2000 --no-serve 2>"$tmp/demo.log" | sed -n 's/^Login: //p')
user=${login%% / *}
password=${login#* / }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --db "$db" --listen "127.0.0.1:$port" >"$tmp/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/login" >/dev/null && break; sleep 0.1; done

"$here/scripts/screenshots.sh" "http://127.0.0.1:$port" "$user" "$password" "$tmp/shots" \
    --lang ru --width 1100 --height 760 --window / >/dev/null
mkdir -p "$here/docs"
cp "$tmp/shots/overview.png" "$here/docs/dashboard.png"
echo "$here/docs/dashboard.png ($(stat -c %s "$here/docs/dashboard.png") bytes)"
