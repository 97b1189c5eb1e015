#!/usr/bin/env bash
# Load on the public survey answer page (issue 25, item 8: 500 answers/s on SQLite with p99
# under 50 ms): seeds a SQLite database with customers and one invitation each, serves it on
# loopback and posts answers to POST /s/{secret} in open loop (a random invitation and score
# each time; latency from each post's scheduled time). Client and server share one process.
#
# Environment: LOAD_RATE (500), LOAD_SECONDS (10), LOAD_CONNECTIONS (16), LOAD_INVITATIONS
# (50000).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench -p clientele-server --bench survey_answers
