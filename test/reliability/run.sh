#!/usr/bin/env bash
# test/reliability/run.sh - the reliability harness (RELIABILITY.md).
#
# Run with the harness's cluster and gcsim up: `make reliability` (full size)
# or the suite test/suites/reliability_short.sh (short size).  Parts, chosen
# by RELIABILITY_PARTS (default: all of them):
#
#   soak    7 simulated days read through both routes (extraction 'query'
#           and 'job') under 10 % 429, 5 % 5xx, 2 % dropped connections,
#           1 % truncated bodies, short-lived tokens and an empty middle
#           page, compared row by row with `gcsim truth`: rows expected,
#           found, lost, duplicated, unexpected and differing
#   cancel  pg_cancel_backend while a response is awaited, during a
#           Retry-After wait and during a budget wait, and statement_timeout
#           during a response: each ends the statement with its error and the
#           session answers the next statement
#   crash   pg_ctl stop -m immediate in the middle of a scan, restart: the
#           cluster comes back and a new scan is exactly the truth
#   kill    kill -9 on a backend waiting on the shared budget: the cluster
#           recovers, and other sessions get their requests out
#
# Sizes: RELIABILITY_PER_DAY conversations a day (default 2000; the short
# suite 150), RELIABILITY_PAGE page_size (default 25).  Every figure is
# printed as "figure: ..." and appended to $GCA_BUILD/reliability/figures.txt.
# Exits non-zero when a row is lost, duplicated, unexpected or differs, a
# fault kind was never served, or a cancel does not end its statement.
set -eu -o pipefail
. "$GCA_ROOT/test/lib.sh"

PARTS=${RELIABILITY_PARTS:-soak cancel crash kill}
PER_DAY=${RELIABILITY_PER_DAY:-2000}
PAGE=${RELIABILITY_PAGE:-25}
SEED=${RELIABILITY_SEED:-71}
NOW=2026-03-09T12:00:00Z
FROM=2026-03-02
TO=2026-03-09              # 7 days, nothing in progress at NOW
T=$GCA_BUILD/tmp/reliability
OUT=$GCA_BUILD/reliability
mkdir -p "$T" "$OUT"
chmod 1777 "$T"
PSQL=("$PG_BINDIR/psql" -X)
# a cancel that has not ended its statement after this long is a hang
CANCEL_LIMIT_MS=${RELIABILITY_CANCEL_LIMIT_MS:-5000}

figure() {
    echo "figure: $*"
    echo "$(date -u '+%Y-%m-%d %H:%M') per_day=$PER_DAY page=$PAGE $*" >>"$OUT/figures.txt"
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# conv_table NAME SERVER [OPTIONS] - a foreign table of the columns compared
conv_table() {
    sql "DROP FOREIGN TABLE IF EXISTS $1;
         CREATE FOREIGN TABLE $1 (conversation_id text, conversation_start timestamptz,
             conversation_end timestamptz, media_type text, queue_id text, agent_id text,
             wrapup_code text, talk_ms bigint, handle_ms bigint, transfers integer)
           SERVER $2 OPTIONS (resource 'conversations'${3:+, $3});"
}

# truth FROM TO - loads gcsim truth of [FROM, TO) into rel_truth
truth() {
    rm -rf "$T/truth"
    "$GCSIM" truth --seed $SEED --conversations-per-day "$PER_DAY" --now $NOW \
        --from "$1" --to "$2" --out "$T/truth" >/dev/null
    chmod -R a+rX "$T/truth"
    load_csv rel_truth "$T/truth/conversations.csv"
}

# compare WHAT TABLE - prints and records expected, found, lost, duplicated,
# unexpected, differing; fails unless the last four are 0 and found = expected
compare() {
    local r
    r=$(sql "WITH t AS (SELECT conversation_id, conversation_end::timestamptz AS conversation_end,
                   media_type, nullif(queue_id, '') AS queue_id, nullif(agent_id, '') AS agent_id,
                   nullif(wrapup_code, '') AS wrapup_code, talk_ms::bigint AS talk_ms,
                   handle_ms::bigint AS handle_ms, transfers::int AS transfers FROM rel_truth),
             g AS (SELECT conversation_id, conversation_end, media_type, queue_id, agent_id,
                   wrapup_code, talk_ms, handle_ms, transfers FROM $2)
        SELECT (SELECT count(*) FROM t), (SELECT count(*) FROM g),
               (SELECT count(*) FROM t WHERE conversation_id NOT IN (SELECT conversation_id FROM g)),
               (SELECT count(*) - count(DISTINCT conversation_id) FROM g),
               (SELECT count(*) FROM g WHERE conversation_id NOT IN (SELECT conversation_id FROM t)),
               (SELECT count(*) FROM (SELECT DISTINCT * FROM g) d JOIN t USING (conversation_id)
                 WHERE (d.conversation_end, d.media_type, d.queue_id, d.agent_id, d.wrapup_code,
                        d.talk_ms, d.handle_ms, d.transfers)
                       IS DISTINCT FROM (t.conversation_end, t.media_type, t.queue_id, t.agent_id,
                        t.wrapup_code, t.talk_ms, t.handle_ms, t.transfers))")
    local exp found lost dup unexp diff
    IFS='|' read -r exp found lost dup unexp diff <<<"$r"
    figure "$1: expected $exp found $found lost $lost duplicated $dup unexpected $unexp differing $diff"
    [ "$exp" -gt 0 ] || fail "$1: the truth is empty"
    [ "$lost $dup $unexp $diff" = "0 0 0 0" ] && [ "$found" = "$exp" ] || fail "$1: the result is not the truth"
}

# fault_stats URL - "kind=n ..." of the faults gcsim served, and token requests
fault_stats() {
    curl -sf "$1/sim/stats" | python3 -c '
import json, sys
st = json.load(sys.stdin)
f = st["total"]["faults"]
oauth = st["endpoints"].get("gc.oauth", {}).get("requests", 0)
api = st["total"]["requests"] - oauth
print("api_requests=%d tokens=%d %s" % (api, oauth, " ".join("%s=%d" % (k, v) for k, v in sorted(f.items()))))'
}

# ------------------------------------------------------------------ soak
part_soak() {
    local ttl=${RELIABILITY_TOKEN_TTL:-30} route start secs stats
    truth $FROM $TO
    for route in query job; do
        # a fresh gcsim per route, so that its counters are the route's
        stop_all_gcsim
        start_gcsim --seed $SEED --conversations-per-day "$PER_DAY" --now $NOW --latency-ms 10 \
            --fault-429 0.10 --fault-500 0.025 --fault-503 0.025 --fault-drop 0.02 --fault-truncate 0.01 \
            --gc-token-ttl "$ttl" --fault-empty-page 2 --fault-page-once --job-delay-ms 100
        genesys_server rel_soak "$GCSIM_URL" rel-soak rel-secret \
            "requests_per_minute '100000'" "max_retries '12'" "page_size '$PAGE'"
        conv_table rel_soak_conv rel_soak "extraction '$route'"
        start=$(now_ms)
        sql "DROP TABLE IF EXISTS rel_got; CREATE TABLE rel_got AS SELECT * FROM rel_soak_conv
             WHERE conversation_start >= '$FROM' AND conversation_start < '$TO'"
        secs=$(( ($(now_ms) - start) / 1000 ))
        stats=$(fault_stats "$GCSIM_URL")
        figure "soak route $route, 7 days, $secs s: gcsim served $stats (token ttl ${ttl}s, empty page 2 of every read once)"
        compare "soak route $route" rel_got
        local k
        for k in 429 500 503 drop truncate; do
            [[ " $stats " =~ \ $k=([0-9]+)\  ]] && [ "${BASH_REMATCH[1]}" -gt 0 ] \
                || fail "soak route $route: gcsim served no '$k' fault ($stats)"
        done
        [[ "$stats" =~ tokens=([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -ge 2 ] \
            || fail "soak route $route: the token never expired ($stats)"
    done
    stop_all_gcsim
    sql "DROP SERVER rel_soak CASCADE; DROP TABLE rel_got"
}

# ---------------------------------------------------------------- cancel
# wait_active APP - the pid of the backend of application APP once it runs
# its statement (not the SETs before it)
wait_active() {
    local pid i
    for i in $(seq 1 200); do
        pid=$(sql "SELECT pid FROM pg_stat_activity WHERE application_name = '$1'
                     AND state = 'active' AND query NOT ILIKE 'SET%'" || true)
        [ -n "$pid" ] && { echo "$pid"; return 0; }
        sleep 0.05
    done
    return 1
}

# cancel_case WHAT SETUP STATEMENT - runs SETUP then STATEMENT in a session,
# cancels it with pg_cancel_backend 1.5 s into STATEMENT, records how long
# the cancel took, and checks the session answers afterwards
cancel_case() {
    local app=rel_cancel_$RANDOM log=$T/cancel_$RANDOM.log pid bg t0 ms
    PGAPPNAME=$app "${PSQL[@]}" -qAt >"$log" 2>&1 <<SQL &
$2
$3;
SELECT 'usable after the cancel';
SQL
    bg=$!
    pid=$(wait_active "$app") || { kill "$bg" 2>/dev/null; fail "cancel $1: the statement never ran"; }
    sleep 1.5
    t0=$(now_ms)
    sql "SELECT pg_cancel_backend($pid)" >/dev/null
    wait "$bg" || true
    ms=$(($(now_ms) - t0))
    sed 's/^/    /' "$log"
    grep -q 'canceling statement due to user request' "$log" || fail "cancel $1: not cancelled"
    grep -q 'usable after the cancel' "$log" || fail "cancel $1: the session did not answer afterwards"
    [ "$ms" -lt "$CANCEL_LIMIT_MS" ] || fail "cancel $1: took $ms ms"
    figure "cancel $1: statement ended $ms ms after pg_cancel_backend, session usable"
}

part_cancel() {
    local req="SELECT status FROM gcanalytics.http_request"
    # responses that take 30 s
    start_gcsim --seed $SEED --conversations-per-day 200 --now $NOW --latency-ms 30000
    genesys_server rel_slow "$GCSIM_URL" rel-slow rel-secret
    conv_table rel_slow_conv rel_slow
    cancel_case "while a response is awaited (scan, 30 s latency)" "" \
        "SELECT count(*) FROM rel_slow_conv WHERE conversation_start >= '2026-03-05' AND conversation_start < '2026-03-06'"
    # statement_timeout, same server
    local t0 ms out
    t0=$(now_ms)
    out=$("${PSQL[@]}" -qAt 2>&1 <<SQL || true
SET statement_timeout = '1s';
SELECT count(*) FROM rel_slow_conv WHERE conversation_start >= '2026-03-05' AND conversation_start < '2026-03-06';
RESET statement_timeout;
SELECT 'usable after the timeout';
SQL
)
    ms=$(($(now_ms) - t0 - 1000))
    grep -q 'canceling statement due to statement timeout' <<<"$out" || fail "statement_timeout did not end the scan: $out"
    grep -q 'usable after the timeout' <<<"$out" || fail "the session did not answer after the timeout"
    figure "cancel by statement_timeout = 1s while a response is awaited: session done $ms ms after the timeout (connection included)"

    # a Retry-After of about a minute: gcsim allows one request a minute
    start_gcsim --seed $SEED --rate-limit-per-minute 1
    genesys_server rel_retry "$GCSIM_URL" rel-retry rel-secret "requests_per_minute '100000'" "max_retries '3'"
    cancel_case "during a Retry-After wait (429, Retry-After ~60 s)" \
        "$req('rel_retry', 'GET', '/api/v2/routing/queues?pageSize=1');" \
        "$req('rel_retry', 'GET', '/api/v2/routing/queues?pageSize=1')"
    # the shared budget: one request a minute
    genesys_server rel_budget "$GCSIM_DEFAULT_URL" rel-budget rel-secret "requests_per_minute '1'"
    cancel_case "during a budget wait (requests_per_minute 1)" \
        "$req('rel_budget', 'GET', '/api/v2/routing/queues?pageSize=1');" \
        "$req('rel_budget', 'GET', '/api/v2/routing/queues?pageSize=1')"
    stop_all_gcsim
    sql "DROP SERVER rel_slow CASCADE; DROP SERVER rel_retry CASCADE; DROP SERVER rel_budget CASCADE"
}

# ----------------------------------------------------------------- crash
wait_ready() {
    local i
    for i in $(seq 1 120); do
        "${PSQL[@]}" -qAtc "SELECT 1" >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    return 1
}

part_crash() {
    local day=2026-03-04 next=2026-03-05 log=$T/crash_scan.log bg
    truth $day $next
    # 500 ms a page of 5: the scan of a day lasts long enough to be stopped
    start_gcsim --seed $SEED --conversations-per-day "$PER_DAY" --now $NOW --latency-ms 500
    genesys_server rel_crash "$GCSIM_URL" rel-crash rel-secret "requests_per_minute '100000'" "page_size '5'"
    conv_table rel_crash_conv rel_crash "extraction 'query'"
    PGAPPNAME=rel_crash "${PSQL[@]}" -qAt -c "SELECT count(*) FROM rel_crash_conv
        WHERE conversation_start >= '$day' AND conversation_start < '$next'" >"$log" 2>&1 &
    bg=$!
    wait_active rel_crash >/dev/null || fail "crash: the scan never ran"
    sleep 1.5
    runas "$PG_BINDIR/pg_ctl" -D "$GCA_BUILD/pgdata" -m immediate -w stop >/dev/null || fail "pg_ctl stop -m immediate failed"
    wait "$bg" || true
    sed 's/^/    /' "$log"
    grep -qE '^[0-9]+$' "$log" && fail "crash: the scan finished before the stop; nothing was tested"
    runas "$PG_BINDIR/pg_ctl" -D "$GCA_BUILD/pgdata" -l "$GCA_BUILD/logs/postgres.log" -w -t 120 start >/dev/null \
        || fail "the cluster did not start again after an immediate stop"
    wait_ready || fail "the cluster does not answer after the restart"
    sql "DROP TABLE IF EXISTS rel_got; CREATE TABLE rel_got AS SELECT * FROM rel_crash_conv
         WHERE conversation_start >= '$day' AND conversation_start < '$next'"
    compare "after pg_ctl stop -m immediate mid-scan and a restart, a new scan of $day" rel_got
    stop_all_gcsim
    sql "DROP SERVER rel_crash CASCADE; DROP TABLE rel_got"
}

# ------------------------------------------------------------------ kill
part_kill() {
    local req="SELECT status FROM gcanalytics.http_request" log=$T/kill.log bg pid i out
    genesys_server rel_kill "$GCSIM_DEFAULT_URL" rel-kill rel-secret "requests_per_minute '1'"
    for i in 1 2 3 4; do
        genesys_server "rel_other$i" "$GCSIM_DEFAULT_URL" "rel-other$i" rel-secret "requests_per_minute '100000'"
    done
    assert_eq 200 "$(sql "$req('rel_kill', 'GET', '/api/v2/routing/queues?pageSize=1')")" "kill: the budget's one request a minute"
    PGAPPNAME=rel_kill "${PSQL[@]}" -qAt -c "$req('rel_kill', 'GET', '/api/v2/routing/queues?pageSize=1')" >"$log" 2>&1 &
    bg=$!
    pid=$(wait_active rel_kill) || fail "kill: the request never ran"
    sleep 1.5
    [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE pid = $pid AND state = 'active'")" = 1 ] \
        || fail "kill: the backend is not waiting on the budget"
    kill -9 "$pid"
    wait "$bg" || true
    sed 's/^/    /' "$log"
    wait_ready || fail "the cluster did not recover from a killed backend"
    # other sessions, in parallel, then the killed backend's own budget
    for i in 1 2 3 4; do
        "${PSQL[@]}" -qAt -c "SET statement_timeout = '20s'; $req('rel_other$i', 'GET', '/api/v2/routing/queues?pageSize=1')" \
            >"$T/kill_other$i.log" 2>&1 &
    done
    wait
    out=$(cat "$T"/kill_other*.log | sort | uniq -c | awk '{print $1 "x" $2}')
    assert_eq "4x200" "$out" "after kill -9 of a backend waiting on the budget, 4 other sessions get their requests out"
    out=$(sql "SET statement_timeout = '20s'; $req('rel_kill', 'GET', '/api/v2/routing/queues?pageSize=1')" 2>&1 || true)
    assert_eq 200 "$out" "the killed backend's server gets its request out after the recovery"
    figure "kill -9 of a backend waiting on the shared budget: cluster recovered, 4 other sessions and the same server served"
    sql "DROP SERVER rel_kill CASCADE"
    for i in 1 2 3 4; do sql "DROP SERVER rel_other$i CASCADE"; done
}

for p in $PARTS; do
    echo "== reliability: $p"
    "part_$p"
done
echo "reliability: all parts passed ($PARTS)"
