#!/usr/bin/env bash
# Fuzzes every parser of the ingest crate for a bounded time, starting from the committed seed
# corpus (corpus/TARGET); new inputs found go to a scratch directory, so the tree stays clean.
#
#     crates/ingest/fuzz/run.sh SECONDS
#
# SECONDS is the fuzzing time of all the targets together, shared equally (building them comes
# on top: a few minutes the first time). Stable Rust, no sanitizer (`-s none`), debug assertions
# on, so an overflow is a crash. Installs cargo-fuzz when it is missing. A crash stops the run
# with libFuzzer's report and the input saved under artifacts/TARGET/; reproduce it with
#     cargo fuzz run -s none -a TARGET artifacts/TARGET/crash-...
set -euo pipefail
total=${1:?usage: run.sh SECONDS}
cd "$(dirname "$0")"
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install --locked cargo-fuzz
fi
targets=$(cargo fuzz list)
count=$(echo "$targets" | wc -l)
each=$((total / count))
if [ "$each" -lt 1 ]; then each=1; fi
cargo fuzz build -s none -a
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for target in $targets; do
    mkdir -p "$scratch/$target"
    echo "fuzz: $target for ${each}s"
    log="$scratch/$target.log"
    if ! cargo fuzz run -s none -a "$target" "$scratch/$target" "corpus/$target" -- \
        -max_total_time="$each" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
        tail -n 60 "$log" >&2
        echo "fuzz: $target failed; the input is under $(pwd)/artifacts/$target/" >&2
        exit 1
    fi
    grep -E '^stat::number_of_executed_units|^Done [0-9]+ runs' "$log" || true
done
echo "fuzz: $count targets, ${each}s each, no failure"
