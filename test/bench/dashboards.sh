#!/usr/bin/env bash
# Benchmarks, printed as a Markdown section:
# gcanalytics.refresh_dashboards() over 10,000,000 interactions generated
# in SQL with gcsim-like distributions (100 days of 100,000; media voice 55
# %, chat 15, email 12, message 10, callback 8; 75 % linked to one of
# 20,000 accounts, tiers Enterprise/Mid-Market/SMB 15/30/55 %; escalations
# 10 %, Enterprise 24 % from day 50; bots contain 40 % of 60 % of chats and
# messages; 6 % abandoned; unlinked callers from 300,000 numbers), against
# the baseline of one full scan of the table (count and sums); then the
# dashboard query latency (p50/p95, pgbench, 16 clients, 30 s) while nothing
# else runs and while refresh_dashboards() runs in a loop beside them.
# BENCH_SCALE scales the volume (0.1: 1,000,000 rows).
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

DB=gca_bench_dash
N=$(n_scaled 10000000)
DAYS=100
CLIENTS=16
SECS=${BENCH_DASH_SECONDS:-30}
T=$GCA_BUILD/tmp/dashboards
mkdir -p "$T"
chmod 777 "$T"
b() { PGDATABASE=$DB sql "$1"; }
timed() { local t0; t0=$(ms); b "$1" >/dev/null 2>&1; echo $(($(ms) - t0)); }

t0=$(ms)
# shellcheck source=test/helpers/bench_interactions.sh
. "$GCA_ROOT/test/helpers/bench_interactions.sh"
bench_interactions $DB "$N" $DAYS
gen_ms=$(($(ms) - t0))
rows=$(b "SELECT count(*) FROM gcanalytics.interactions")

# ------------------------------------------------------------ refresh
scan_ms=$(timed "SELECT count(*), sum(handle_ms), sum(acd_ms), count(DISTINCT customer_key) FROM gcanalytics.interactions")
b "SELECT view_name, seconds FROM gcanalytics.refresh_dashboards()" 2>/dev/null >"$T/bench-first.txt"
first_ms=$(awk -F'|' '{ s += $2 } END { printf "%d", s * 1000 }' "$T/bench-first.txt")
b "SELECT view_name, seconds FROM gcanalytics.refresh_dashboards()" 2>/dev/null >"$T/bench-second.txt"
second_ms=$(awk -F'|' '{ s += $2 } END { printf "%d", s * 1000 }' "$T/bench-second.txt")

# ------------------------------------------------------------ latency under load
dashboard_queries
lat=$(pgbench_run idle) || exit 1
read -r idle_p50 idle_p95 idle_tps <<<"$lat"
(
    end=$((SECONDS + SECS))
    while [ $SECONDS -lt "$end" ]; do b "SELECT gcanalytics.refresh_dashboards()" >/dev/null 2>&1; done
) &
loop=$!
lat=$(pgbench_run refresh) || exit 1
read -r busy_p50 busy_p95 busy_tps <<<"$lat"
wait $loop

secs() { awk -v m="$1" 'BEGIN { printf "%.1f s", m / 1000 }'; }
echo "### Dashboards"
echo
echo "$rows interactions generated in SQL with gcsim-like distributions (\`test/bench/dashboards.sh\`, BENCH_SCALE=${BENCH_SCALE:-1}) in $(secs "$gen_ms")."
echo
echo "| measure | time | ratio to one full scan ($(secs "$scan_ms")) |"
echo "|---|---|---|"
echo "| \`refresh_dashboards()\`, first (every row new) | $(secs "$first_ms") | $(ratio "$first_ms" "$scan_ms") |"
echo "| \`refresh_dashboards()\`, again (nothing changed) | $(secs "$second_ms") | $(ratio "$second_ms" "$scan_ms") |"
echo
echo "Per view (first refresh, seconds): $(awk -F'|' '{ printf "%s%s %s", sep, $1, $2; sep = ", " }' "$T/bench-first.txt")."
echo
echo "A dashboard of four queries (kpi_daily of a day, the insight, a tier's escalation weeks, containment by week) run by $CLIENTS pgbench clients for $SECS s; latency per dashboard:"
echo
echo "| while | p50 | p95 | dashboards/s |"
echo "|---|---|---|---|"
echo "| nothing else runs | $idle_p50 ms | $idle_p95 ms | $idle_tps |"
echo "| \`refresh_dashboards()\` runs in a loop | $busy_p50 ms | $busy_p95 ms | $busy_tps |"
echo
echo "p95 while refreshing / idle: $(ratio "$busy_p95" "$idle_p95"); readers are never blocked (REFRESH ... CONCURRENTLY)."
PGDATABASE=postgres sql "DROP DATABASE $DB"
