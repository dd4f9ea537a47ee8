#!/usr/bin/env bash
# Benchmarks of the warehouse load, printed as a Markdown section:
#  1. CALL gcanalytics.run() of one day of 10,000 conversations from an
#     empty warehouse, gcsim with 250 ms latency and 300 requests/min, both
#     servers at requests_per_minute 300: elapsed against the floor set by
#     the requests it sends, those requests per endpoint against what a
#     perfect client needs, and the 429s gcsim answered;
#  2. with no latency and no limit: conversations/s of run() against
#     INSERT INTO an unlogged table SELECT the columns run() reads from the
#     conversations foreign table, same range (medians of 3 interleaved runs,
#     the warehouse emptied before each run()).
# Each part runs in a database of its own (gca_wbench), dropped at the end.
# Sizes can be lowered for a quick run: BENCH_SCALE=0.1; BENCH_PARTS="2"
# runs only that part; BENCH_WH_DAYS (default 3) sets part 2's days.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

PARTS=${BENCH_PARTS:-1 2}
part() { [[ " $PARTS " == *" $1 "* ]]; }
# until is an hour before gcsim's "now" (as in the warehouse_load suite)
# and on a UTC midnight, so that run() reads whole days of every resource.
NOW=2026-04-17T01:00:00Z
UNTIL=2026-04-17T00:00:00Z
DB=gca_wbench
PSQL=("$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -d "$DB")
T=$GCA_BUILD/tmp/warehouse
mkdir -p "$T"

# fresh_db: an empty database with the extension, for the next part
fresh_db() {
    "$PG_BINDIR/psql" -qXAt -d postgres -c "DROP DATABASE IF EXISTS $DB (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
    "${PSQL[@]}" -c "CREATE EXTENSION gcanalytics" >/dev/null
}
dbsql() { "${PSQL[@]}" -At -c "$1"; }
# servers RPM: the warehouse's two servers on $GCSIM_URL, configured
servers() {
    dbsql "SET client_min_messages = warning; $(warehouse_servers_sql "$GCSIM_URL" "$1")" >/dev/null
}
# empty_warehouse FROM: nothing loaded, the next run() is a first load from FROM
empty_warehouse() {
    dbsql "TRUNCATE gcanalytics.interactions, gcanalytics.evaluations, gcanalytics.queue_metrics,
                    gcanalytics.crm_accounts, gcanalytics.crm_account_history, gcanalytics.crm_cases,
                    gcanalytics.crm_opportunities, gcanalytics.adherence, gcanalytics.queues, gcanalytics.users,
                    gcanalytics.wrapup_codes, gcanalytics.sync_windows, gcanalytics.sync_state;
           UPDATE gcanalytics.settings SET value = '$1' WHERE name = 'initial_sync_from'" >/dev/null
}
# timed_run OUT: CALL run(until => UNTIL) in a fresh session; its NOTICEs in
# OUT; prints the milliseconds
timed_run() {
    local t0 t1
    t0=$(ms)
    "${PSQL[@]}" -c "CALL gcanalytics.run(until => '$UNTIL')" >"$1" 2>&1 || { cat "$1" >&2; return 1; }
    t1=$(ms)
    echo $((t1 - t0))
}
# stats: gcsim's /sim/stats as "label requests rate_limited" lines, token
# requests left out
stats() {
    curl -s "$GCSIM_URL/sim/stats" | python3 -c "
import json, sys
e = json.load(sys.stdin)['endpoints']
for k, v in sorted(e.items()):
    if k not in ('gc.oauth', 'sf.token') and v['requests']:
        print(k, v['requests'], v['faults'].get('rate_limited', 0) + v['faults'].get('429', 0))"
}
# watch_stats OUT: until killed, appends "ms label requests" to OUT each
# time an endpoint's count at gcsim changes (polled every 100 ms)
watch_stats() {
    exec python3 -u -c "
import json, sys, time, urllib.request
seen = {}
with open(sys.argv[2], 'w') as out:
    while True:
        e = json.load(urllib.request.urlopen(sys.argv[1] + '/sim/stats'))['endpoints']
        now = int(time.time() * 1000)
        for k, v in e.items():
            if v['requests'] != seen.get(k, 0):
                seen[k] = v['requests']
                print(now, k, v['requests'], file=out, flush=True)
        time.sleep(0.1)" "$GCSIM_URL" "$1"
}
secs() { awk -v m="$1" 'BEGIN { printf "%.1f", m / 1000 }'; }
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }

echo "### The warehouse load"
echo
echo "\`make bench TESTS=warehouse\`; gcsim on loopback, now $NOW, \`run(until => '$UNTIL')\`; $(nproc) cores."
echo

# ------------------------------------------------------------ 1. rate-limited
if part 1; then
PER_DAY=$(n_scaled 10000)
DAY=$(date -u -d "$UNTIL - 1 day" +%Y-%m-%dT%H:%M:%SZ)
start_gcsim --seed 13 --conversations-per-day "$PER_DAY" --now $NOW --latency-ms 250 --rate-limit-per-minute 300
fresh_db
servers 300
empty_warehouse "$DAY"
# configure() read gcsim too: start the count (and gcsim's windows) afresh
curl -s -XPOST "$GCSIM_URL/sim/reset" >/dev/null
watch_stats "$T/timeline1" &
watcher=$!
start_ms=$(ms)
run_ms=$(timed_run "$T/run1.out")
sleep 0.3
kill "$watcher"
wait "$watcher" 2>/dev/null || true
stats >"$T/stats1"
tokens=$(curl -s "$GCSIM_URL/sim/stats" | python3 -c "
import json, sys
e = json.load(sys.stdin)['endpoints']
print(sum(e.get(k, {}).get('requests', 0) for k in ('gc.oauth', 'sf.token')))")
requests=$(awk '{ s += $2 } END { print s }' "$T/stats1")
n429=$(awk '{ s += $3 } END { print s }' "$T/stats1")
# the same run one step after another (run_workers false), after the run
# with workers (which so meets gcsim's and the FDW's caches cold)
run_workers() { dbsql "INSERT INTO gcanalytics.settings (name, value) VALUES ('run_workers', '$1')
                       ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value" >/dev/null; }
empty_warehouse "$DAY"
run_workers false
curl -s -XPOST "$GCSIM_URL/sim/reset" >/dev/null
seq_ms=$(timed_run "$T/run1seq.out")
stats >"$T/stats1seq"
seq_requests=$(awk '{ s += $2 } END { print s }' "$T/stats1seq")
run_workers true
floor_rate_ms=$(( requests * 60000 / 300 ))
floor_lat_ms=$(( requests * 250 / 4 ))
floor_ms=$(( floor_rate_ms > floor_lat_ms ? floor_rate_ms : floor_lat_ms ))
# what the day holds, for the requests a perfect client needs
read -r n_conv n_eval n_queues n_users n_wrapups n_acc n_cases n_opps < <(dbsql "
    SELECT (SELECT count(*) FROM gcanalytics.interactions), (SELECT count(*) FROM gcanalytics.evaluations),
           (SELECT count(*) FROM gcanalytics.queues), (SELECT count(*) FROM gcanalytics.users),
           (SELECT count(*) FROM gcanalytics.wrapup_codes), (SELECT count(*) FROM gcanalytics.crm_accounts),
           (SELECT sum(open_case_count) FROM gcanalytics.crm_accounts),
           (SELECT sum(open_opportunity_count) FROM gcanalytics.crm_accounts)" | tr '|' ' ')
# every conversation of the day by gcsim's truth, internal queues included
# (run() reads and leaves those out)
"$GCSIM" truth --seed 13 --conversations-per-day "$PER_DAY" --now $NOW --from "$DAY" --to $UNTIL --out "$T/truth" >/dev/null
n_read=$(( $(wc -l <"$T/truth/conversations.csv") - 1 ))
pages() { echo $(( ($1 + $2 - 1) / $2 )); }
min_conv=$(( 2 + $(pages "$n_read" 1000) ))
min_ref=$(( $(pages "$n_queues" 100) + $(pages "$n_users" 100) + $(pages "$n_wrapups" 100) ))
# the Cases and Opportunities are read whole (the open ones per account
# counted from them)
read -r n_all_cases n_all_opps n_mu < <(dbsql "
    SELECT (SELECT count(*) FROM gcanalytics.crm_cases), (SELECT count(*) FROM gcanalytics.crm_opportunities),
           (SELECT count(DISTINCT management_unit_id) FROM gcanalytics.adherence)" | tr '|' ' ')
min_crm=$(( $(pages "$n_acc" 2000) + $(pages "$n_all_cases" 2000) + $(pages "$n_all_opps" 2000) ))
# adherence: the management units, a query and a status poll per unit, and
# every download its results name (gcsim's count: the server decides them)
n_downloads=$(awk '$1 == "gc.wfm.download" { print $2 }' "$T/stats1")
min_adh=$(( n_mu > 0 ? 1 + 2 * n_mu + ${n_downloads:-0} : 0 ))
# evaluations: one listing page (100) per evaluator of the loaded ones
min_eval=$(dbsql "SELECT coalesce(sum(ceil(n / 100.0)), 0)::int FROM (SELECT count(*) n FROM gcanalytics.evaluations GROUP BY evaluator_id) e")
n_evaluators=$(dbsql "SELECT count(DISTINCT evaluator_id) FROM gcanalytics.evaluations")
min_total=$(( min_conv + min_eval + 1 + min_ref + min_crm + min_adh ))
min_ms=$(( min_total * 60000 / 300 ))
echo "**1. run() under a rate limit.** One day ($DAY to $UNTIL) of $PER_DAY conversations a day from an"
echo "empty warehouse; gcsim answers every request after 250 ms and allows 300 requests/min per client;"
echo "both servers have \`requests_per_minute '300'\` (max_concurrency 4). The floor is the requests"
echo "run() sent (gcsim's \`/sim/stats\`, token requests left out) at 300/min, or at 250 ms per 4"
echo "requests in flight if that were longer."
echo
echo "| measure | value |"
echo "|---|---|"
echo "| run() | $(secs "$run_ms") s: $n_conv interactions, $n_eval evaluations, $n_acc CRM accounts |"
echo "| requests sent | $requests, $n429 answered 429 (and $tokens token requests, not rate-limited) |"
echo "| floor ($requests requests at 300/min) | $(secs "$floor_ms") s |"
echo "| run() / floor (target <= 1.2) | $(ratio "$run_ms" "$floor_ms") |"
echo "| a perfect client | $min_total requests ($(secs "$min_ms") s at 300/min); run() sends $(ratio "$requests" "$min_total")x that |"
echo "| run() / a perfect client's time (target <= 1.1) | $(ratio "$run_ms" "$min_ms") |"
echo "| run() with run_workers false (one step after another), same day | $(secs "$seq_ms") s, $seq_requests requests: $(ratio "$seq_ms" "$min_ms")x the perfect client's time |"
echo
extra=$(( requests - min_total ))
gc_requests=$(awk '$1 !~ /^sf\./ { s += $2 } END { print s + 0 }' "$T/stats1")
echo "run() above runs with run_workers true (the default): the CRM and the reference data in two background"
echo "workers while it asks the aggregates and reads the first conversation window ahead (availability date,"
echo "job, poll, result pages), then the evaluations and the adherence in two more while it loads the"
if [ "$run_ms" -ge "$floor_ms" ]; then
    echo "conversations. Of its $(secs "$run_ms") s, $(secs "$min_ms") s are the perfect client's requests at 300/min, $(secs $(( extra * 60000 / 300 ))) s"
    echo "the $extra requests beyond them, and $(secs $(( run_ms - floor_ms ))) s the rest (the local work after the last request,"
    echo "the budget's idle grants, and $tokens token requests: each worker's session asks its own). Both floors count"
else
    echo "conversations. Its $(secs "$run_ms") s are under the $(secs "$floor_ms") s its $requests requests would take on one budget"
    echo "of 300/min ($(secs "$min_ms") s for the perfect client's $min_total, $(secs $(( extra * 60000 / 300 ))) s for the $extra beyond them; $tokens token"
    echo "requests besides, not rate-limited: each worker's session asks its own). Both floors count"
fi
echo "every request on one budget of 300/min; gcsim counts the Genesys and the Salesforce client apart, so the"
echo "$gc_requests Genesys requests alone take $(secs $(( gc_requests * 60000 / 300 ))) s at 300/min: run() is $(ratio "$run_ms" $(( gc_requests * 60000 / 300 )))x that."
echo
echo "Requests per endpoint, and what a perfect client needs for the same day:"
echo
echo "| endpoint | run() sent | perfect client | first .. last request (s after CALL) |"
echo "|---|---|---|---|"
perfect() {
    case $1 in
        gc.jobs.create|gc.jobs.status) echo 1 ;;
        gc.jobs.results) echo "$(pages "$n_read" 1000) ($n_read conversations / 1000)" ;;
        gc.quality.evaluations.query) echo "$min_eval (a listing page per evaluator: $n_eval evaluations by $n_evaluators)" ;;
        gc.quality.evaluation) echo "0 (the listings carry the scores)" ;;
        gc.aggregates.query) echo "1 (hourly counts and queue metrics in one query)" ;;
        gc.queues) pages "$n_queues" 100 ;;
        gc.users) pages "$n_users" 100 ;;
        gc.wrapupcodes) pages "$n_wrapups" 100 ;;
        sf.query|sf.query_more) echo "$min_crm in all ($n_acc accounts, $n_all_cases cases, $n_all_opps opportunities / 2000)" ;;
        gc.wfm.managementunits) echo 1 ;;
        gc.wfm.adherence.query|gc.wfm.adherence.job) echo "$n_mu (one per management unit)" ;;
        gc.wfm.download) echo "$n_downloads (every download the results name)" ;;
        gc.details.query) echo "0 (the job's records name their evaluations)" ;;
        *) echo 0 ;;
    esac
}
while read -r label n _; do
    span=$(awk -v l="$label" -v t0="$start_ms" '$2 == l { if (f == "") f = $1; x = $1 }
                END { printf "%.1f .. %.1f", (f - t0) / 1000, (x - t0) / 1000 }' "$T/timeline1")
    echo "| $label | $n | $(perfect "$label") | $span |"
done <"$T/stats1"
echo
echo "Steps as run() reports them (seconds):"
echo
echo '```'
grep -E '^(NOTICE|WARNING)' "$T/run1.out" | sed 's/^NOTICE:  //'
echo '```'
echo
stop_all_gcsim
fi

# ------------------------------------------------------------ 2. warehouse cost
if part 2; then
PER_DAY=$(n_scaled 10000)
DAYS=${BENCH_WH_DAYS:-3}
FROM=$(date -u -d "$UNTIL - $DAYS days" +%Y-%m-%dT%H:%M:%SZ)
start_gcsim --seed 13 --conversations-per-day "$PER_DAY" --now $NOW --cache-days $((DAYS + 2)) --job-delay-ms 50
fresh_db
servers 1000000
# the columns of the conversations foreign table that run() uses (those
# above its Foreign Scan in EXPLAIN VERBOSE of _interactions_source(); the
# scan itself is asked for all 29, which reads about as fast)
COLS="conversation_id, conversation_start, conversation_end, duration_ms, originating_direction, media_type,
      queue_id, queue_ids, agent_id, agent_ids, wrapup_code, ani, attributes, abandoned, raw"
RANGE="conversation_start >= '$FROM' AND conversation_start < '$UNTIL'"
dbsql "CREATE UNLOGGED TABLE wb_load AS SELECT $COLS FROM gcanalytics_source.conversations WHERE false" >/dev/null
timed() { # SQL -> ms
    local t0 t1
    t0=$(ms)
    dbsql "$1" >/dev/null
    t1=$(ms)
    echo $((t1 - t0))
}
fdw_load() {
    dbsql "TRUNCATE wb_load" >/dev/null
    timed "INSERT INTO wb_load SELECT $COLS FROM gcanalytics_source.conversations WHERE $RANGE"
}
# count(s), not count(*): the planner would drop the columns of count(*)
fdw_read() { timed "SELECT count(s) FROM (SELECT $COLS FROM gcanalytics_source.conversations WHERE $RANGE OFFSET 0) s"; }
wh_load() {
    empty_warehouse "$FROM"
    timed_run "$T/run2.out"
}
fdw_read >/dev/null # gcsim generates the days once
r=(); f=(); w=()
for _ in 1 2 3; do r+=("$(fdw_read)"); f+=("$(fdw_load)"); w+=("$(wh_load)"); done
r_ms=$(median "${r[@]}"); f_ms=$(median "${f[@]}"); w_ms=$(median "${w[@]}")
n_fdw=$(dbsql "SELECT count(*) FROM wb_load")
n_wh=$(dbsql "SELECT count(*) FROM gcanalytics.interactions")
conv_s=$(grep -E '^NOTICE:  conversations \[' "$T/run2.out" | sed -n 's/.* rows in \([0-9.]*\) s$/\1/p' | awk '{ s += $1 } END { printf "%.1f", s }')
echo "**2. The warehouse on top of the FDW.** $DAYS days of $PER_DAY conversations a day ($n_fdw read), no"
echo "latency, no rate limit (\`requests_per_minute '1000000'\`), gcsim jobs ready after 50 ms; medians of 3"
echo "interleaved runs, the warehouse emptied (interactions, evaluations, queue metrics, CRM,"
echo "reference, sync_windows, sync_state) before each run(). The FDW rows read and write the 15"
echo "columns of the conversations foreign table that run() uses (raw, attributes and the ids; the rest"
echo "run() computes from raw)."
echo
echo "| load | time | conversations/s |"
echo "|---|---|---|"
echo "| FDW read only: \`SELECT count(s) FROM (SELECT\` those columns \`OFFSET 0) s\` | $(secs "$r_ms") s | $(( n_fdw * 1000 / r_ms )) |"
echo "| FDW load: \`INSERT INTO\` an unlogged table \`SELECT\` those columns | $(secs "$f_ms") s | $(( n_fdw * 1000 / f_ms )) |"
echo "| \`CALL gcanalytics.run()\` (reference, CRM, conversations, evaluations, metrics, validation) | $(secs "$w_ms") s | $(( n_wh * 1000 / w_ms )) ($n_wh interactions) |"
echo "| run() / FDW load | $(ratio "$w_ms" "$f_ms")x the time | $(ratio "$((n_wh * f_ms))" "$((n_fdw * w_ms))")x the rate |"
echo
echo "In the last run() the conversation windows took ${conv_s} s in all; its steps:"
echo
echo '```'
grep -E '^(NOTICE|WARNING)' "$T/run2.out" | sed 's/^NOTICE:  //'
echo '```'
echo
stop_all_gcsim
fi
"$PG_BINDIR/psql" -qXAt -d postgres -c "DROP DATABASE IF EXISTS $DB (FORCE)" >/dev/null
