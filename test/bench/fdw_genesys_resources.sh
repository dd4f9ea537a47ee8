#!/usr/bin/env bash
# Benchmarks, printed as a Markdown section:
#  1. rate-limited evaluations: about 500 evaluations (one details query
#     page per 100 evaluated conversations, then one Quality API GET each)
#     with 250 ms latency and a 300/min budget, against the floor
#     requests / allowed rate;
#  2. peak backend memory reading the evaluations of 1 day against 8 days.
# Sizes can be lowered for a quick run: BENCH_SCALE=0.1.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

NOW=2026-03-20T12:00:00Z
stat_of() { # stats-json endpoint -> its requests
    python3 -c "import json,sys; print(json.load(sys.stdin)['endpoints'].get(sys.argv[1], {}).get('requests', 0))" "$2" <<<"$1"
}

make_server() { # name url options
    sql "DROP SERVER IF EXISTS $1 CASCADE;
         CREATE SERVER $1 FOREIGN DATA WRAPPER gcanalytics_fdw
           OPTIONS (service 'genesys', api_url '$2', login_url '$2' $3);
         CREATE USER MAPPING FOR CURRENT_USER SERVER $1 OPTIONS (client_id 'bench', client_secret 'bench-secret');
         DROP SCHEMA IF EXISTS $1 CASCADE; CREATE SCHEMA $1;
         IMPORT FOREIGN SCHEMA analytics LIMIT TO (evaluations) FROM SERVER $1 INTO $1;"
}

echo "### Genesys quality evaluations through the FDW"
echo
echo "\`make bench TESTS=fdw_genesys_resources\`; gcsim on loopback; $(nproc) cores."
echo

# ------------------------------------------------------------ 1. rate limit
PER_DAY=$(n_scaled 14000)
start_gcsim --seed 5 --conversations-per-day "$PER_DAY" --now $NOW --latency-ms 250 --rate-limit-per-minute 300
make_server b_eval "$GCSIM_URL" ", requests_per_minute '300', max_concurrency '4'"
sql "SELECT gcanalytics.version()" >/dev/null
t0=$(ms)
n=$(sql "SELECT count(*) FROM (SELECT total_score FROM b_eval.evaluations
         WHERE conversation_start >= '2026-03-18' AND conversation_start < '2026-03-19') s")
t1=$(ms)
stats=$(curl -s "$GCSIM_URL/sim/stats")
pages=$(stat_of "$stats" gc.details.query)
gets=$(stat_of "$stats" gc.quality.evaluation)
n429=$(python3 -c "import json,sys; print(json.load(sys.stdin)['total']['faults'].get('rate_limited', 0))" <<<"$stats")
requests=$((pages + gets - n429))	# a 429 the server answered is not a request served
floor_ms=$(( requests * 60000 / 300 ))
elapsed=$((t1 - t0))
echo "**1. Rate-limited evaluations.** $n evaluations: $pages details-query pages and $gets Quality API"
echo "GETs (${n429:-0} of them answered 429 and retried), 250 ms latency, budget and server limit 300 requests/min, max_concurrency 4. The floor is"
echo "requests / allowed rate = $requests / (300/min) = $((floor_ms / 1000)) s."
echo
echo "| measure | value |"
echo "|---|---|"
echo "| elapsed | $((elapsed / 1000)).$(( (elapsed % 1000) / 100 )) s |"
echo "| floor | $((floor_ms / 1000)).$(( (floor_ms % 1000) / 100 )) s |"
echo "| elapsed / floor (target <= 1.15) | $(ratio $elapsed $floor_ms) |"
echo "| evaluations/s | $(awk -v n="$n" -v ms="$elapsed" 'BEGIN { printf "%.2f", n / (ms / 1000) }') |"
echo "| 429s served by gcsim | ${n429:-0} |"
echo
stop_all_gcsim

# ------------------------------------------------------------ 2. memory
BIG_DAYS=$(n_scaled 8)
[ "$BIG_DAYS" -ge 2 ] || BIG_DAYS=2
start_gcsim --seed 8 --conversations-per-day 10000 --now $NOW --cache-days 2
make_server b_emem "$GCSIM_URL" ", requests_per_minute '1000000', max_concurrency '4'"
peak_kb() { # days -> prints "rows VmHWM_kB" of a fresh backend reading them
    local from
    from=$(date -u -d "2026-03-19 - $1 days" +%Y-%m-%d)
    "$PG_BINDIR/psql" -qXAt <<SQL
SET jit = off;
SELECT pg_backend_pid() AS pid \gset
SELECT count(*) FROM (SELECT total_score, answers FROM b_emem.evaluations
 WHERE conversation_start >= '$from' AND conversation_start < '2026-03-19' OFFSET 0) s;
\setenv GCA_PID :pid
\! grep VmHWM /proc/\$GCA_PID/status | tr -dc 0-9; echo
SQL
}
read -r small_rows small_kb < <(peak_kb 1 | tr '\n' ' '; echo)
t0=$(ms)
read -r big_rows big_kb < <(peak_kb "$BIG_DAYS" | tr '\n' ' '; echo)
t1=$(ms)
echo "**2. Memory.** Peak resident memory (VmHWM) of a fresh backend that reads the scores and answers"
echo "of every evaluation of the range (jit = off), no latency, no rate limit."
echo
echo "| read | evaluations | peak backend memory |"
echo "|---|---|---|"
echo "| 1 day | $small_rows | $((small_kb / 1024)) MiB |"
echo "| $BIG_DAYS days | $big_rows | $((big_kb / 1024)) MiB ($(ratio $big_kb $small_kb)x; target <= 1.10) |"
echo
echo "The larger read took $(( (t1 - t0) / 1000 )) s."
stop_all_gcsim
sql "DROP SERVER b_eval CASCADE; DROP SERVER b_emem CASCADE;
     DROP SCHEMA b_eval CASCADE; DROP SCHEMA b_emem CASCADE" >/dev/null 2>&1 || true
