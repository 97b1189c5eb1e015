#!/usr/bin/env bash
# Captures every user-visible output of a `clientele` binary on fixed inputs, so two builds can be
# compared byte for byte (a refactoring must leave them identical):
#
#     bash bench/golden.sh target/release/clientele /tmp/golden-before
#     ... change the code, build again ...
#     bash bench/golden.sh target/release/clientele /tmp/golden-after
#     diff -r /tmp/golden-before /tmp/golden-after && echo identical
#
# Inputs: the CDNOW files from ../shared/data/cdnow (or $CDNOW_DIR) and a generated 1M-order
# file (`generate --seed 42 --customers 232000`, cached in ~/.cache/clientele-bench-data).
# `GOLDEN_SMALL=1` skips the 1M file. Pages are fetched from `serve` over a store holding the
# CDNOW sample scored on two fixed days; the session's CSRF token is masked in them.
set -euo pipefail
bin=$(realpath "$1")
out=$2
# The CDNOW files: $CDNOW_DIR, else the nearest shared/data/cdnow above this checkout.
cdnow=${CDNOW_DIR:-}
if [ -z "$cdnow" ]; then
    dir=$(realpath "$(dirname "$0")")
    while [ "$dir" != / ] && [ ! -d "$dir/shared/data/cdnow" ]; do dir=$(dirname "$dir"); done
    cdnow=$dir/shared/data/cdnow
fi
cdnow=$(realpath "$cdnow")
data=${CLIENTELE_BENCH_DATA:-$HOME/.cache/clientele-bench-data}
mkdir -p "$out" "$data"
out=$(realpath "$out")
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
server=

# The sample has a second id column; the master log does not.
sample_map=(--map 1=customer_id --map 2=ignore --map 3=date --map 4=quantity --map 5=amount)
master_map=(--map 1=customer_id --map 2=date --map 3=quantity --map 4=amount)
run() { # name, then the command; stdout and stderr kept apart, the exit code recorded
    local name=$1
    shift
    set +e
    "$@" >"$out/$name.stdout" 2>"$out/$name.stderr"
    echo $? >"$out/$name.rc"
    # Times, speeds and this run's paths differ from run to run.
    sed -i -E "s#$out#OUT#g; s#\([0-9.]+ s, [0-9]+ rows/s\)#(TIME)#g" "$out/$name.stdout" "$out/$name.stderr"
    set -e
}

# analyze: the CDNOW sample and master, text and JSON reports and the files of --out.
run analyze-sample-text "$bin" analyze "$cdnow/CDNOW_sample.txt" "${sample_map[@]}" --as-of 1998-07-01 --out "$out/analyze-sample"
run analyze-sample-json "$bin" analyze "$cdnow/CDNOW_sample.txt" "${sample_map[@]}" --as-of 1998-07-01 --format json
run analyze-master-text "$bin" analyze "$cdnow/CDNOW_master.txt" "${master_map[@]}" --as-of 1998-07-01 --out "$out/analyze-master"
run analyze-master-json "$bin" analyze "$cdnow/CDNOW_master.txt" "${master_map[@]}" --format json
# models: fit, score and summary on the published summary and on the master log.
summary=$cdnow/cdnow_customers_summary_with_transactions.csv
for m in bgnbd mbgnbd pnbd; do
    run "models-fit-$m" "$bin" models fit --model $m --summary "$summary" --time-unit week
    run "models-score-$m" "$bin" models score --model $m --summary "$summary" --horizon 39 --time-unit week
done
run models-fit-gg "$bin" models fit --model gg --summary "$summary" --time-unit week
run models-summary-master "$bin" models summary "$cdnow/CDNOW_master.txt" "${master_map[@]}" --calibration-end 1997-09-30
run models-fit-holdout "$bin" models fit --model bgnbd "$cdnow/CDNOW_master.txt" "${master_map[@]}" --calibration-end 1997-09-30 --out "$out/holdout"

# The 1M-order file.
if [ -z "${GOLDEN_SMALL:-}" ]; then
    big=$data/orders-1m.csv
    [ -f "$big" ] || "$bin" generate --seed 42 --customers 232000 --out "$big" >/dev/null
    run analyze-1m "$bin" analyze "$big" --as-of 2025-01-01 --out "$out/analyze-1m"
    run analyze-1m-json "$bin" analyze "$big" --as-of 2025-01-01 --format json
    run models-score-1m "$bin" models score --model bgnbd "$big" --horizon 90 --out "$out/models-score-1m.csv"
fi

# The store: import, score on two days, transitions; then the pages of `serve`.
db="sqlite://$work/store.db"
run import-sample "$bin" import "$cdnow/CDNOW_sample.txt" "${sample_map[@]}" --db "$db"
run import-again "$bin" import "$cdnow/CDNOW_sample.txt" "${sample_map[@]}" --db "$db"
run score-1 "$bin" score --as-of 1998-05-01 --db "$db"
run score-2 "$bin" score --as-of 1998-06-01 --db "$db"
run transitions "$bin" transitions --db "$db"
# Rows of the snapshot table, in a fixed order, without the time of scoring (not a user-visible
# output: a change of storage shows here first).
if command -v sqlite3 >/dev/null; then
    columns=$(sqlite3 "$work/store.db" "SELECT group_concat(name, ', ') FROM pragma_table_info('score_snapshots') WHERE name <> 'scored_at'")
    sqlite3 -csv -header "$work/store.db" "SELECT $columns FROM score_snapshots ORDER BY as_of, customer_id" >"$out/snapshots.csv"
fi
"$bin" users add golden --role admin --db "$db" >/dev/null
printf 'golden-password-1\n' | "$bin" users passwd golden --db "$db" >/dev/null
"$bin" serve --listen 127.0.0.1:0 --db "$db" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do
    grep -q 'Dashboard:' "$work/serve.log" && break
    sleep 0.1
done
base=$(grep -o 'http://[0-9.:]*' "$work/serve.log" | head -1)
jar=$work/cookies
curl -s -c "$jar" -b "$jar" -o /dev/null -d 'name=golden&password=golden-password-1&next=/' "$base/login"
mask() { sed -E 's/(name="csrf" value=")[^"]*/\1CSRF/g; s/(csrf=)[A-Za-z0-9_-]+/\1CSRF/g'; }
for lang in en ru; do
    for page in / /flows /value /today /lost /dates /customers /customers.csv /customers/1 /customers/2 \
        "/customers?rung=regular" "/today?page=2" /customers/999999 /nope; do
        name=$(printf '%s' "$page" | tr '/?=&' '____')
        curl -s -b "$jar" -H "Accept-Language: $lang" -H "Cookie: clientele_lang=$lang" \
            -w '\nHTTP %{http_code}\n' "$base$page" | mask >"$out/page-$lang$name.html"
    done
done
for api in /api/v1/ladder /api/v1/customers "/api/v1/customers?limit=5" /api/openapi.json; do
    name=$(printf '%s' "$api" | tr '/?=&' '____')
    curl -s -b "$jar" -w '\nHTTP %{http_code}\n' "$base$api" >"$out/api$name.json"
done
kill $server
wait $server 2>/dev/null || true
server=
echo "outputs in $out"
