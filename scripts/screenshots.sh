#!/usr/bin/env bash
# Screenshots of dashboard pages in headless chromium, signed in, through chromedriver's WebDriver
# HTTP interface (curl and jq only).
#
#   scripts/screenshots.sh URL USER PASSWORD OUTDIR [--lang en|ru] [--width W] [--height H]
#                          [--window] PATH...
#
# Each PATH (for example `/`, `/flows`, `/customers?rung=regular`) is saved as OUTDIR/NAME.png,
# NAME being the path with its punctuation replaced by `_` (`/` is `overview`). The page is
# captured at the window's width and its full height, up to 6,000 pixels (--height sets the
# window's height and the cap's floor); --window captures the window only.
set -euo pipefail

if [ $# -lt 5 ]; then
    sed -n '2,10p' "$0" >&2
    exit 2
fi
url=${1%/}; user=$2; password=$3; out=$4; shift 4
lang=""; width=1280; height=900; window=""; paths=()
while [ $# -gt 0 ]; do
    case $1 in
        --lang) lang=$2; shift 2 ;;
        --width) width=$2; shift 2 ;;
        --height) height=$2; shift 2 ;;
        --window) window=1; shift ;;
        *) paths+=("$1"); shift ;;
    esac
done
mkdir -p "$out"
for tool in chromium chromedriver curl jq; do
    command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install chromium chromium-driver curl jq)" >&2; exit 1; }
done

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 9517)
chromedriver --port="$port" >/dev/null 2>&1 &
driver=$!
trap 'kill $driver 2>/dev/null || true' EXIT
wd="http://127.0.0.1:$port"
for _ in $(seq 50); do curl -sf "$wd/status" >/dev/null && break; sleep 0.1; done

caps=$(jq -n --arg w "$width" --arg h "$height" '{capabilities: {alwaysMatch: {browserName: "chrome",
    "goog:chromeOptions": {binary: "/usr/bin/chromium",
    args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=1", ("--window-size=" + $w + "," + $h)]}}}}')
session=$(curl -sf -X POST "$wd/session" -H 'Content-Type: application/json' -d "$caps" | jq -r '.value.sessionId')
s="$wd/session/$session"
call() { curl -sf -X "$1" "$s/$2" -H 'Content-Type: application/json' ${3:+-d "$3"}; }
go() { call POST url "$(jq -n --arg u "$url$1" '{url: $u}')" >/dev/null; }
element() { call POST element "$(jq -n --arg c "$1" '{using: "css selector", value: $c}')" | jq -r '.value | to_entries[0].value'; }
type_into() { call POST "element/$(element "$1")/value" "$(jq -n --arg t "$2" '{text: $t}')" >/dev/null; }

go /login
type_into 'input[name=name]' "$user"
type_into 'input[name=password]' "$password"
call POST "element/$(element '#login-form button[type=submit]')/click" '{}' >/dev/null
if [ -n "$lang" ]; then
    call POST "element/$(element "#language-form button[value=$lang]")/click" '{}' >/dev/null
fi
for path in "${paths[@]}"; do
    go "$path"
    full=$(call POST execute/sync '{"script": "return document.documentElement.scrollHeight", "args": []}' | jq -r .value)
    [ "$full" -gt 6000 ] && full=6000
    [ "$full" -lt "$height" ] && full=$height
    [ -n "$window" ] && full=$height
    call POST window/rect "$(jq -n --argjson w "$width" --argjson h "$full" '{width: $w, height: $h}')" >/dev/null
    name=$(printf '%s' "${path#/}" | tr -c 'A-Za-z0-9-' '_')
    [ -z "$name" ] && name=overview
    call GET screenshot | jq -r .value | base64 -d > "$out/$name.png"
    call POST window/rect "$(jq -n --argjson w "$width" --argjson h "$height" '{width: $w, height: $h}')" >/dev/null
    echo "$out/$name.png"
done
call DELETE "" >/dev/null || true
