#!/usr/bin/env bash
# Benchmarks, printed as a Markdown section: incremental refresh (issue 24,
# README "Incremental refresh") over the interactions of
# test/bench/dashboards.sh (BENCH_SCALE scales them; 1: 10,000,000 over 100
# days): a full rebuild (refresh_dashboards(full => true)) against the
# refresh after a 15-minute load (500 new conversations of known
# customers, each setting its previous contact's next_contact_at as the
# load does), after a day rewritten (every conversation of the last day
# updated), and after a tier change of the largest account; for each, the
# time of the rollup dashboards (kpi_daily, kpi_weekly, queue_interval)
# apart, and the time of recomputing just the touched days' parts; then
# the dashboard query latency (the pgbench dashboard of dashboards.sh, 16
# clients) idle and while refresh_dashboards() runs after 15-minute loads
# in a loop.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"
# shellcheck source=test/helpers/bench_interactions.sh
. "$GCA_ROOT/test/helpers/bench_interactions.sh"

DB=gca_bench_incr
N=$(n_scaled 10000000)
DAYS=100
CLIENTS=16
SECS=${BENCH_DASH_SECONDS:-30}
T=$GCA_BUILD/tmp/incremental
mkdir -p "$T"
chmod 777 "$T"
b() { PGDATABASE=$DB sql "$1"; }

bench_interactions $DB "$N" $DAYS
rows=$(b "SELECT count(*) FROM gcanalytics.interactions")

# refresh LABEL [full] - refresh_dashboards(); prints "total rollups" (ms):
# every view, and kpi_daily + kpi_weekly + queue_interval
refresh() {
    b "SELECT view_name, seconds, refresh FROM gcanalytics.refresh_dashboards(full => ${2:-false})" 2>/dev/null >"$T/$1.txt"
    awk -F'|' '{ s += $2 } $1 ~ /^(kpi_daily|kpi_weekly|queue_interval)$/ { r += $2 } END { printf "%d %d", s * 1000, r * 1000 }' "$T/$1.txt"
}
# touched_ms - recomputing only the parts of the days dashboard_changes
# holds now (no delete, no insert): the floor of an incremental step
touched_ms() {
    local t0
    t0=$(ms)
    b "SELECT count(*) FROM (SELECT day FROM gcanalytics.dashboard_changes WHERE rollup = 'kpi_daily') d,
              LATERAL (SELECT count(*) FROM gcanalytics._kpi_daily_parts(d.day::timestamp AT TIME ZONE 'UTC', (d.day + 1)::timestamp AT TIME ZONE 'UTC')) k,
              LATERAL (SELECT count(*) FROM gcanalytics._queue_interval_parts(d.day::timestamp AT TIME ZONE 'UTC', (d.day + 1)::timestamp AT TIME ZONE 'UTC')) q" >/dev/null
    echo $(($(ms) - t0))
}
days() { b "SELECT count(*) FROM gcanalytics.dashboard_changes WHERE rollup = 'kpi_daily'"; }
# load15 K - 500 new conversations of known customers in the K-th
# 15 minutes after the last day, and their previous contacts' next_contact_at
load15() {
    b "WITH n AS (
         INSERT INTO gcanalytics.interactions (conversation_id, conversation_start, media_type, queue_id, queue_name,
                customer_key, talk_ms, customer_hold_ms, acw_ms, acd_ms, handle_ms, weighted_handle_ms, transfers,
                transferred, abandoned, handled, loaded_at)
         SELECT 'N$1-' || i, timestamptz '2026-01-05 00:00Z' + interval '$((DAYS - 1)) days' + interval '15 minutes' * $1
                             + i * interval '1.8 s',
                'voice', 'Q' || (i % 11), 'Queue ' || (i % 11), '+1555' || lpad((i * 577 % 300000)::text, 7, '0'),
                200000, 10000, 30000, 40000, 240000, 264000.5, 0, false, false, true, now()
           FROM generate_series(1, 500) i
         RETURNING customer_key, conversation_start)
       UPDATE gcanalytics.interactions t SET next_contact_at = n.conversation_start
         FROM n
        WHERE t.customer_key = n.customer_key AND t.conversation_start < n.conversation_start
          AND t.conversation_start >= n.conversation_start - interval '60 days'
          AND (t.next_contact_at IS NULL OR t.next_contact_at > n.conversation_start)" >/dev/null
}

read -r full_ms full_r <<<"$(refresh full true)"
load15 1
d15=$(days)
t15=$(touched_ms)
read -r inc15_ms inc15_r <<<"$(refresh inc15)"
b "UPDATE gcanalytics.interactions SET loaded_at = now()
    WHERE conversation_start >= timestamptz '2026-01-05 00:00Z' + interval '$((DAYS - 2)) days'
      AND conversation_start < timestamptz '2026-01-05 00:00Z' + interval '$((DAYS - 1)) days'" >/dev/null
dday=$(days)
tday=$(touched_ms)
read -r incday_ms incday_r <<<"$(refresh incday)"
acct=$(b "SELECT crm_account_id FROM gcanalytics.interactions WHERE crm_account_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
nacct=$(b "UPDATE gcanalytics.interactions SET customer_tier = 'Enterprise+' WHERE crm_account_id = '$acct' RETURNING 1" | wc -l)
dtier=$(days)
ttier=$(touched_ms)
read -r inctier_ms inctier_r <<<"$(refresh inctier)"

# ------------------------------------------------------------ latency
dashboard_queries
lat=$(pgbench_run idle) || exit 1
read -r idle_p50 idle_p95 idle_tps <<<"$lat"
(
    k=2
    end=$((SECONDS + SECS))
    while [ $SECONDS -lt "$end" ]; do load15 $k; k=$((k + 1)); b "SELECT gcanalytics.refresh_dashboards()" >/dev/null 2>&1; done
) &
loop=$!
lat=$(pgbench_run refresh) || exit 1
read -r busy_p50 busy_p95 busy_tps <<<"$lat"
wait $loop

secs() { awk -v m="$1" 'BEGIN { printf "%.2f s", m / 1000 }'; }
echo "### Incremental refresh"
echo
echo "$rows interactions of \`test/bench/dashboards.sh\` over $DAYS days (\`test/bench/incremental.sh\`, BENCH_SCALE=${BENCH_SCALE:-1}; the machine: $(nproc) cores, shared)."
echo "\"Rollups\" are the dashboards kept from rollups (kpi_daily, kpi_weekly, queue_interval); the seven others are still computed from every row."
echo
echo "| refresh | changed days | every view | rollup views | recomputing just the touched days' parts |"
echo "|---|---|---|---|---|"
echo "| full rebuild (\`full => true\`, the first: views not yet populated) | all | $(secs "$full_ms") | $(secs "$full_r") | |"
echo "| after a 15-minute load (500 conversations, their previous contacts' FCR) | $d15 | $(secs "$inc15_ms") | $(secs "$inc15_r") | $(secs "$t15") |"
echo "| after a day rewritten ($(n_scaled 100000) conversations) | $dday | $(secs "$incday_ms") | $(secs "$incday_r") | $(secs "$tday") |"
echo "| after a tier change of the largest account ($nacct conversations) | $dtier | $(secs "$inctier_ms") | $(secs "$inctier_r") | $(secs "$ttier") |"
echo
echo "The dashboard of \`test/bench/dashboards.sh\` (four queries) run by $CLIENTS pgbench clients for $SECS s:"
echo
echo "| while | p50 | p95 | dashboards/s |"
echo "|---|---|---|---|"
echo "| nothing else runs | $idle_p50 ms | $idle_p95 ms | $idle_tps |"
echo "| 15-minute loads and \`refresh_dashboards()\` in a loop | $busy_p50 ms | $busy_p95 ms | $busy_tps |"
PGDATABASE=postgres sql "DROP DATABASE $DB"
