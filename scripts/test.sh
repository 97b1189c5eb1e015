#!/usr/bin/env bash
# The project's test command (README.md, .ci/run): installs what the tests need from the system's
# packages when it is missing, then runs every test of the workspace. Extra arguments go to
# `cargo test` (for example `scripts/test.sh -p clientele-store`).
#
# The storage tests start their own PostgreSQL server from the system's binaries (initdb, pg_ctl);
# the end-to-end tests drive Debian's headless chromium through chromedriver. Nothing is started
# here: each test binary starts and stops what it uses.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    packages+=(postgresql)
fi
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    packages+=(chromium chromium-driver)
fi
if [ ${#packages[@]} -gt 0 ]; then
    echo "installing the test dependencies: ${packages[*]}" >&2
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || {
            echo "run as root or install: apt-get install ${packages[*]}" >&2
            exit 1
        }
        sudo=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -q
    "${sudo[@]}" apt-get install -y -q --no-install-recommends "${packages[@]}"
fi

cargo test --workspace --locked "$@"
