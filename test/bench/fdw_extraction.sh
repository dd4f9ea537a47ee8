#!/usr/bin/env bash
# Benchmarks, printed as a Markdown section:
#  1. throughput with no latency: the details jobs route against the
#     details query route (INSERT ... SELECT of one day);
#  2. peak backend memory of each route (query, job, auto) reading 30 days
#     against the same route reading 1 day;
#  3. a week of 10,000 conversations a day with 250 ms latency and a
#     300/min limit: the default auto route against the floor set by the
#     requests it sends, and against the seed-style Python pipeline
#     (test/bench/baseline_etl.py) on the same gcsim.
# Sizes can be lowered for a quick run: BENCH_SCALE=0.1; BENCH_PARTS="1 3"
# runs only those parts.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

PARTS=${BENCH_PARTS:-1 2 3}
part() { [[ " $PARTS " == *" $1 "* ]]; }
NOW=2026-03-20T12:00:00Z
PY=$(command -v /usr/bin/python3 || command -v python3)
served() { # total API requests gcsim served, token requests excluded
    curl -s "$GCSIM_URL/sim/stats" | python3 -c "
import json, sys
e = json.load(sys.stdin)['endpoints']
print(sum(v['requests'] for k, v in e.items() if k != 'gc.oauth'))"
}

echo "### Extraction routes"
echo
echo "\`make bench TESTS=fdw_extraction\`; gcsim on loopback; $(nproc) cores; medians of 3 interleaved runs where stated."
echo

# ------------------------------------------------------------ 1. throughput
if part 1; then
PER_DAY=$(n_scaled 20000)
start_gcsim --seed 6 --conversations-per-day "$PER_DAY" --now $NOW --job-delay-ms 50
genesys_server x_fast "$GCSIM_URL" bench bench-secret "requests_per_minute '1000000'"
sql "CREATE FOREIGN TABLE x_fast_q (conversation_id text, conversation_start timestamptz, talk_ms bigint, handle_ms bigint,
       queue_id text, agent_id text, media_type text) SERVER x_fast OPTIONS (resource 'conversations', extraction 'query');
     CREATE FOREIGN TABLE x_fast_j (conversation_id text, conversation_start timestamptz, talk_ms bigint, handle_ms bigint,
       queue_id text, agent_id text, media_type text) SERVER x_fast OPTIONS (resource 'conversations', extraction 'job');
     DROP TABLE IF EXISTS x_load; CREATE UNLOGGED TABLE x_load AS SELECT * FROM x_fast_q WHERE false"
sql "SELECT count(*) FROM x_fast_q WHERE conversation_start >= '2026-03-18' AND conversation_start < '2026-03-18 00:10'" >/dev/null
load() { # table -> ms
    local t0 t1
    sql "TRUNCATE x_load" >/dev/null
    t0=$(ms)
    sql "INSERT INTO x_load SELECT * FROM $1 WHERE conversation_start >= '2026-03-18' AND conversation_start < '2026-03-19'" >/dev/null
    t1=$(ms)
    echo $((t1 - t0))
}
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
q=(); j=()
for _ in 1 2 3; do q+=("$(load x_fast_q)"); j+=("$(load x_fast_j)"); done
q_ms=$(median "${q[@]}"); j_ms=$(median "${j[@]}")
n=$(sql "SELECT count(*) FROM x_load")
echo "**1. Throughput, no latency.** INSERT ... SELECT of one day of $n conversations (7 columns),"
echo "max_concurrency 4, gcsim jobs ready after 50 ms; medians of 3 interleaved runs."
echo
echo "| route | conversations/s |"
echo "|---|---|"
echo "| details query (pages of 100) | $(( n * 1000 / q_ms )) |"
echo "| details jobs (pages of 1000, next page fetched while one is parsed) | $(( n * 1000 / j_ms )) ($(ratio "$q_ms" "$j_ms")x the query route; target >= 0.9) |"
echo
stop_all_gcsim
fi

# ------------------------------------------------------------ 2. memory
if part 2; then
BIG_DAYS=$(n_scaled 30)
[ "$BIG_DAYS" -ge 2 ] || BIG_DAYS=2
start_gcsim --seed 8 --conversations-per-day 10000 --now $NOW --cache-days 2 --job-delay-ms 50
genesys_server x_mem "$GCSIM_URL" bench bench-secret "requests_per_minute '1000000'"
for r in query job auto; do
    sql "CREATE FOREIGN TABLE x_mem_$r (conversation_id text, conversation_start timestamptz, talk_ms bigint,
           queue_id text, transfers integer, media_type text)
           SERVER x_mem OPTIONS (resource 'conversations', extraction '$r')"
done
peak_kb() { # route days -> prints "rows VmHWM_kB" of a fresh backend reading them
    local from
    from=$(date -u -d "2026-03-19 - $2 days" +%Y-%m-%d)
    "$PG_BINDIR/psql" -qXAt <<SQL | tr '\n' ' '
SET jit = off;
SELECT pg_backend_pid() AS pid \gset
SELECT count(*) FROM (SELECT talk_ms, queue_id, transfers, media_type FROM x_mem_$1
 WHERE conversation_start >= '$from' AND conversation_start < '2026-03-19' OFFSET 0) s;
\setenv GCA_PID :pid
\! grep VmHWM /proc/\$GCA_PID/status | tr -dc 0-9; echo
SQL
}
echo "**2. Memory.** Peak resident memory (VmHWM) of a fresh backend reading four columns of every"
echo "conversation of the range, 10,000 conversations a day, jit = off, per route."
echo
echo "| route | 1 day | $BIG_DAYS days | $BIG_DAYS days / 1 day (target <= 1.10) |"
echo "|---|---|---|---|"
for r in query job auto; do
    read -r _ small_kb < <(peak_kb $r 1; echo)
    read -r big_rows big_kb < <(peak_kb $r "$BIG_DAYS"; echo)
    echo "| $r | $((small_kb / 1024)) MiB | $((big_kb / 1024)) MiB ($big_rows conversations) | $(ratio "$big_kb" "$small_kb") |"
done
echo
stop_all_gcsim
fi

# ------------------------------------------------------------ 3. a week, rate-limited
if part 3; then
PER_DAY=$(n_scaled 10000)
start_gcsim --seed 9 --conversations-per-day "$PER_DAY" --now $NOW --latency-ms 250 --rate-limit-per-minute 300
genesys_server x_rate "$GCSIM_URL" bench bench-secret "requests_per_minute '300'"
sql "CREATE FOREIGN TABLE x_rate_conv (conversation_id text, conversation_start timestamptz, talk_ms bigint, handle_ms bigint,
       queue_id text, agent_id text, media_type text) SERVER x_rate OPTIONS (resource 'conversations');
     DROP TABLE IF EXISTS x_week; CREATE UNLOGGED TABLE x_week AS SELECT * FROM x_rate_conv WHERE false"
explain=$(sql "EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM x_rate_conv WHERE conversation_start >= '2026-03-12' AND conversation_start < '2026-03-19'")
route=$(sed -n 's/.*Remote Route: //p' <<<"$explain")
expected=$(sed -n 's/.*Remote Expected Requests: //p' <<<"$explain")
t0=$(ms)
sql "INSERT INTO x_week SELECT * FROM x_rate_conv WHERE conversation_start >= '2026-03-12' AND conversation_start < '2026-03-19'" >/dev/null
t1=$(ms)
fdw_ms=$((t1 - t0))
fdw_rows=$(sql "SELECT count(*) FROM x_week")
requests=$(served)
n429=$(curl -s "$GCSIM_URL/sim/stats" | python3 -c "import json,sys; print(json.load(sys.stdin)['total']['faults'].get('rate_limited', 0))")
# the cheapest correct plan, from the API's page sizes: one details job (a
# creation, a status poll) and its results pages of 1000
cheapest=$(( 2 + (fdw_rows + 999) / 1000 ))
floor_ms=$(( cheapest * 60000 / 300 ))
curl -s -XPOST "$GCSIM_URL/sim/reset" >/dev/null
sql "DROP TABLE IF EXISTS etl_conversations" >/dev/null
read -r base_rows base_s base_requests < <("$PY" "$GCA_ROOT/test/bench/baseline_etl.py" "$GCSIM_URL" \
    "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$PGDATABASE" 2026-03-12 7)
base_ms=$(awk -v s="$base_s" 'BEGIN { printf "%d", s * 1000 }')
echo "**3. A week, rate-limited.** 7 days of $PER_DAY conversations a day, 250 ms latency, gcsim limit and"
echo "server budget 300 requests/min. gcanalytics: \`INSERT ... SELECT\` with the default extraction"
echo "(auto chose: $route; EXPLAIN expected $expected). The floor is the cheapest correct plan,"
echo "counted from the API's page sizes (one details job: a creation, a status poll and"
echo "ceil(rows / 1000) results pages), at the allowed rate; not the requests gcanalytics chose. The baseline is"
echo "\`test/bench/baseline_etl.py\` (token once, details query paged sequentially, normalised in Python,"
echo "row-by-row \`INSERT ... ON CONFLICT\`) against the same gcsim, reset between the two."
echo
echo "| measure | value |"
echo "|---|---|"
echo "| gcanalytics | $fdw_rows rows in $((fdw_ms / 1000)).$(( (fdw_ms % 1000) / 100 )) s, $requests requests, $n429 answered 429 |"
echo "| cheapest plan | $cheapest requests: $((floor_ms / 1000)).$(( (floor_ms % 1000) / 100 )) s at 300/min |"
echo "| requests / cheapest (target <= 1.1) | $(ratio "$requests" "$cheapest") |"
echo "| elapsed / cheapest floor | $(ratio "$fdw_ms" "$floor_ms") |"
echo "| baseline_etl.py | $base_rows rows in $base_s s, $base_requests requests |"
echo "| baseline / gcanalytics (target >= 5) | $(ratio "$base_ms" "$fdw_ms")x |"
echo
stop_all_gcsim
fi
for o in "SERVER x_fast" "SERVER x_mem" "SERVER x_rate" "TABLE x_load" "TABLE x_week" "TABLE etl_conversations"; do
    sql "DROP $o CASCADE" >/dev/null 2>&1 || true
done
