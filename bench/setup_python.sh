#!/usr/bin/env bash
# Creates the Python environment for the comparison route (bench/python_route.py).
#
# The venv lives outside the repository so that it survives work-tree resets and is shared
# between checkouts. Versions are pinned in bench/requirements.txt because lifetimes 0.11.3
# (the last release, 2020) breaks with some newer pandas/numpy/scipy releases.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${CLIENTELE_BENCH_VENV:-$HOME/.cache/clientele-bench-venv}"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -r "$here/requirements.txt"

# Fail here, not in the middle of a benchmark, if the set does not import together.
"$venv/bin/python" - <<'PY'
import warnings
warnings.simplefilter("ignore")
import numpy, pandas, scipy, lifetimes
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import summary_data_from_transaction_data
print("ok: numpy", numpy.__version__, "pandas", pandas.__version__,
      "scipy", scipy.__version__, "lifetimes", lifetimes.__version__)
PY
echo "venv ready: $venv (run: $venv/bin/python $here/python_route.py ORDERS.csv --as-of YYYY-MM-DD)"
