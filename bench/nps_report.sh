#!/usr/bin/env bash
# The NPS report's speed bar (issue 25, item 8): `nps report --by manager --period month` over
# 1M answers of 300k customers in under 1 s.
#
#     cargo build --release -p clientele
#     bash bench/nps_report.sh target/release/clientele [WORKDIR]
#
# Builds the store once under WORKDIR (default ~/.cache/clientele-bench-data/nps): a generated
# company of 300,000 customers (`generate --seed 42`, with its customers file and managers),
# and 1,000,000 answers spread over 22 months (seeded; about 3.3 per customer, so the latest
# per respondent and month is really chosen), imported with `surveys import`. Then times the
# report five times; the first run reads a cold page cache.
set -euo pipefail
bin=$(realpath "$1")
work=${2:-${CLIENTELE_BENCH_DATA:-$HOME/.cache/clientele-bench-data}/nps}
mkdir -p "$work"
cd "$work"
db="sqlite://$work/nps.db"
if [ ! -f nps.db ]; then
    "$bin" generate --seed 42 --customers 300000 --out orders.csv --customers-out customers.csv
    "$bin" import orders.csv --customers customers.csv --db "$db"
    python3 - <<'PY'
import csv, random
random.seed(25)
with open("orders.csv", newline="", encoding="utf-8") as f:
    r = csv.reader(f)
    header = next(r)
    col = next(i for i, h in enumerate(header) if h.lower() in ("customer_id", "customer"))
    ids = sorted({row[col] for row in r if len(row) > col and row[col]})
with open("answers.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["answer_id", "customer_id", "date", "score", "channel"])
    for n in range(1_000_000):
        y, m = divmod(random.randrange(22), 12)
        w.writerow([f"b{n}", random.choice(ids), f"{2025 + y}-{m + 1:02d}-{random.randint(1, 28):02d}",
                    random.choices(range(11), weights=[3, 2, 2, 3, 4, 6, 8, 12, 15, 20, 25])[0],
                    random.choice(["email", "sms", "phone", "site"])])
PY
    "$bin" surveys import answers.csv --db "$db"
fi
for run in 1 2 3 4 5; do
    /usr/bin/time -f "run $run: %e s, %M KiB" "$bin" nps report --by manager --period month --format json --db "$db" >/dev/null
done
